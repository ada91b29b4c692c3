"""The one declaration of every model parameter.

Every scalar coefficient, every field of a difficulty-schedule phase, of a shock event and of an
intervention is declared here once, with its default, allowed range, unit, meaning and source.
Validation (:mod:`sim.config`), the command line, the dashboard controls and ``docs/ODD.md``
(:func:`parameter_table`) all read from this module.

Scale: skill, efficacy and task difficulty share one scale of *levels* from 0 to ``LEVEL_MAX``;
arousal, effort, credibility and reappraisal are in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

LEVEL_MAX = 10.0
"""Top of the common skill / efficacy / difficulty scale (levels)."""


@dataclass(frozen=True)
class Param:
    """A declared numeric parameter.

    Attributes
    ----------
    name : str
        Key used in TOML files, sweeps, the CLI and the dashboard.
    default : float
        Default value.
    low, high : float
        Inclusive allowed range.
    unit : str
        Unit of the value (``levels``, ``prob``, ``per step``, ...).
    meaning : str
        One-line meaning, shown in docs and dashboard tooltips.
    source : str
        Where the mechanism or default comes from (see ``docs/ODD.md``).
    group : str
        Mechanism the parameter belongs to (used to group docs and controls).
    integer : bool
        True when only whole numbers are allowed.
    label : str
        Plain-language name for people who do not code (dashboard controls); ``name`` stays the key.
    advanced : bool
        A mechanism constant most users leave alone (the dashboard folds it away).
    """

    name: str
    default: float
    low: float
    high: float
    unit: str
    meaning: str
    source: str
    group: str
    integer: bool = False
    label: str = ""
    advanced: bool = False

    def check(self, value: Any, where: str) -> float:
        """Return ``value`` as a number, or raise :class:`ConfigError` naming the field."""
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise self._refuse(value, where)
        value = value.item() if isinstance(value, np.generic) else value  # NumPy scalars from sweeps
        if self.integer and isinstance(value, float) and not value.is_integer():  # also NaN, inf
            raise self._refuse(value, where)
        if not (self.low <= value <= self.high):  # also rejects NaN
            raise self._refuse(value, where)
        return int(value) if self.integer else float(value)

    def _refuse(self, value: Any, where: str) -> Exception:
        # (the message is built only for a refusal: calibration checks every parameter of each of
        # tens of thousands of configs)
        from sim.errors import ConfigError

        kind = "a whole number" if self.integer else "a number"
        return ConfigError(where, value, f"{kind} in [{_fmt(self.low)}, {_fmt(self.high)}]")


@dataclass(frozen=True)
class Choice:
    """A declared categorical field (a value from a fixed list); ``label`` and ``advanced`` as in :class:`Param`."""

    name: str
    default: str
    choices: tuple[str, ...]
    meaning: str
    source: str
    group: str
    label: str = ""
    advanced: bool = False

    def check(self, value: Any, where: str) -> str:
        from sim.errors import ConfigError

        if not isinstance(value, str) or value not in self.choices:
            raise ConfigError(where, value, "one of " + ", ".join(map(repr, self.choices)))
        return value


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# --------------------------------------------------------------------------------------------
# Run size
# --------------------------------------------------------------------------------------------
RUN = (
    Param(
        "agents",
        100,
        1,
        10_000_000,
        "agents",
        "Number of learners in a run.",
        "-",
        "run",
        True,
        label="Number of learners",
    ),
    Param(
        "steps",
        100,
        0,
        1_000_000,
        "steps",
        "Number of time steps (task episodes).",
        "-",
        "run",
        True,
        label="Length of the run (steps)",
    ),
    Param(
        "seed",
        0,
        0,
        2**63 - 1,
        "-",
        "Experiment seed; each run's stream derives from it and the run index.",
        "NumPy SeedSequence",
        "run",
        True,
        label="Random seed",
    ),
)

# --------------------------------------------------------------------------------------------
# Scalar mechanism parameters (may differ per run in a batch)
# --------------------------------------------------------------------------------------------
_S_BANDURA = "Bandura (1977, 1997)"
_S_IMWM = "Vancouver, Wang & Li (2018) IMWM; Vancouver & Purl (2017)"
_S_YD = "Yerkes & Dodson (1908); Teigen (1994); Sorensen et al. (2022)"

PARAMS: tuple[Param, ...] = (
    # population: initial states and heterogeneity
    Param(
        "skill_mean",
        3.0,
        0.0,
        LEVEL_MAX,
        "levels",
        "Mean initial skill.",
        "scale choice",
        "population",
        label="Average starting skill",
    ),
    Param(
        "skill_sd",
        1.0,
        0.0,
        5.0,
        "levels",
        "SD of initial skill across agents.",
        "scale choice",
        "population",
        label="Spread of starting skill",
    ),
    Param(
        "efficacy_mean",
        3.0,
        0.0,
        LEVEL_MAX,
        "levels",
        "Mean initial efficacy (belief about the hardest task one can do).",
        _S_BANDURA,
        "population",
        label="Average starting self-belief",
    ),
    Param(
        "efficacy_sd",
        1.0,
        0.0,
        5.0,
        "levels",
        "SD of initial efficacy across agents.",
        _S_BANDURA,
        "population",
        label="Spread of starting self-belief",
    ),
    Param(
        "efficacy_skill_corr",
        0.31,
        -1.0,
        1.0,
        "corr",
        "Correlation of initial efficacy with initial skill.",
        "calibrated: results/calibration/published (posterior median 0.306, 90% CI [-0.032, 0.601]) to "
        "Stajkovic & Luthans (1998) r = .38 and Talsma et al. (2018); was 0.4 set by hand",
        "population",
        label="How well starting belief matches skill",
    ),
    Param(
        "strength_init",
        1.0,
        0.0,
        100.0,
        "evidence",
        "Initial efficacy strength (how settled the belief is).",
        _S_BANDURA,
        "population",
        label="How settled beliefs are at the start",
        advanced=True,
    ),
    Param(
        "arousal_baseline",
        0.3,
        0.0,
        1.0,
        "0-1",
        "Mean resting arousal.",
        _S_YD,
        "population",
        label="Average resting tension",
    ),
    Param(
        "arousal_baseline_sd",
        0.1,
        0.0,
        0.5,
        "0-1",
        "SD of resting arousal across agents.",
        _S_YD,
        "population",
        label="Spread of resting tension",
        advanced=True,
    ),
    Param(
        "reappraisal_init",
        0.0,
        0.0,
        1.0,
        "0-1",
        "Initial tendency to read arousal as readiness rather than anxiety.",
        "Jamieson et al. (2010)",
        "population",
        label="Starting habit of reading tension as readiness",
        advanced=True,
    ),
    Param(
        "credibility_init",
        0.8,
        0.0,
        1.0,
        "0-1",
        "Initial credibility an agent grants to persuaders.",
        _S_BANDURA,
        "population",
        label="Starting trust in encouragement",
        advanced=True,
    ),
    # population: broad individual differences in sensitivities (log-normal, median 1)
    Param(
        "learning_sensitivity_sd",
        0.6,
        0.0,
        2.0,
        "log-sd",
        "Log-normal SD of each agent's learning-rate multiplier (individual learning curves differ widely).",
        "Heathcote, Brown & Mewhort (2000)",
        "population",
        label="How much learners differ in learning speed",
        advanced=True,
    ),
    Param(
        "mastery_sensitivity_sd",
        0.5,
        0.0,
        2.0,
        "log-sd",
        "Log-normal SD of each agent's multiplier on belief updating from own outcomes.",
        "Moebius et al. (2022); Eil & Rao (2011): responsiveness to feedback varies widely between people",
        "population",
        label="How much learners differ in how much outcomes move their belief",
        advanced=True,
    ),
    Param(
        "arousal_sensitivity_sd",
        0.4,
        0.0,
        2.0,
        "log-sd",
        "Log-normal SD of each agent's multiplier on arousal reactivity.",
        "assumption (stable individual differences in stress reactivity)",
        "population",
        label="How much learners differ in arousal reactivity",
        advanced=True,
    ),
    # population: person-level biases in self-evaluation
    Param(
        "optimism_mean",
        0.25,
        -LEVEL_MAX,
        LEVEL_MAX,
        "levels",
        "Mean self-enhancement: how much better than its belief predicts an agent expects to have done.",
        "Moebius et al. (2022); Dunning, Meyerowitz & Holzberg (1989); magnitude: assumption",
        "population",
        label="Average optimism when reading one's own results",
    ),
    Param(
        "optimism_sd",
        1.44,
        0.0,
        5.0,
        "levels",
        "SD of self-enhancement across agents (normal).",
        "calibrated: results/calibration/published (posterior median 1.44, 90% CI [0.63, 3.08]); mechanism: "
        "Moebius et al. (2022); was 0.5 (assumption)",
        "population",
        label="How much learners differ in optimism",
        advanced=True,
    ),
    Param(
        "good_news_sd",
        0.4,
        0.0,
        2.0,
        "log-sd",
        "Log-normal SD of each agent's multiplier on mastery_gain_success (its weight on good news).",
        "Eil & Rao (2011); Moebius et al. (2022)",
        "population",
        label="How much learners differ in weighting good news",
        advanced=True,
    ),
    Param(
        "bad_news_sd",
        0.4,
        0.0,
        2.0,
        "log-sd",
        "Log-normal SD of each agent's multiplier on mastery_gain_failure (its weight on bad news).",
        "Eil & Rao (2011); Moebius et al. (2022)",
        "population",
        label="How much learners differ in weighting bad news",
        advanced=True,
    ),
    Param(
        "self_serving_mean",
        0.3,
        0.0,
        1.0,
        "0-1",
        "Mean share of a bad outcome attributed to effort, luck or the task, and of low effort excused in a good one.",
        "Mezulis et al. (2004); Campbell & Sedikides (1999); magnitude: assumption",
        "population",
        label="Average self-serving reading of outcomes (success to ability, failure to luck)",
    ),
    Param(
        "self_serving_sd",
        0.15,
        0.0,
        1.0,
        "0-1",
        "SD of self-serving attribution across agents (normal, clipped to [0, 1]).",
        "Mezulis et al. (2004); magnitude: assumption",
        "population",
        label="How much learners differ in self-serving reading",
        advanced=True,
    ),
    # social network
    Param(
        "network_degree",
        6,
        0,
        50,
        "agents",
        "Number of others each agent observes (ring neighbours before rewiring).",
        "Watts & Strogatz (1998)",
        "network",
        True,
        label="Classmates each learner watches",
    ),
    Param(
        "network_rewire",
        0.1,
        0.0,
        1.0,
        "prob",
        "Chance that an observed neighbour is replaced by a random agent.",
        "Watts & Strogatz (1998)",
        "network",
        label="Share of watched classmates picked at random",
        advanced=True,
    ),
    # approach / avoid
    Param(
        "avoid_margin",
        1.5,
        0.0,
        LEVEL_MAX,
        "levels",
        "Difficulty above efficacy at which an agent attempts with probability 1/2.",
        _S_BANDURA + ": avoidance of tasks judged beyond one's capability",
        "choice",
        label="How far beyond their belief learners still try",
    ),
    Param(
        "avoid_scale",
        0.5,
        0.01,
        5.0,
        "levels",
        "Spread of the approach/avoid logistic.",
        _S_BANDURA,
        "choice",
        label="Sharpness of the try-or-avoid choice",
        advanced=True,
    ),
    Param(
        "disengage_after",
        5,
        1,
        10_000,
        "steps",
        "Consecutive avoided tasks after which an agent disengages.",
        _S_BANDURA + ": persistent avoidance",
        "choice",
        True,
        label="Avoided tasks in a row before giving up",
    ),
    Param(
        "reengage_prob",
        0.02,
        0.0,
        1.0,
        "per step",
        "Chance per step that a disengaged agent re-engages.",
        "assumption",
        "choice",
        label="Chance a learner who gave up comes back",
    ),
    # appraisal and arousal
    Param(
        "threat_margin",
        0.5,
        -5.0,
        5.0,
        "levels",
        "Difficulty above efficacy at which a task is appraised as threat with probability-weight 1/2.",
        "Lazarus & Folkman (1984); Bandura (1997)",
        "arousal",
        label="How far beyond their belief a task feels threatening",
        advanced=True,
    ),
    Param(
        "appraisal_scale",
        0.75,
        0.01,
        5.0,
        "levels",
        "Spread of the threat appraisal logistic.",
        "Lazarus & Folkman (1984)",
        "arousal",
        label="Sharpness of the threat judgement",
        advanced=True,
    ),
    Param(
        "arousal_reactivity",
        0.35,
        0.0,
        1.0,
        "per step",
        "Rise of arousal toward 1 under full threat.",
        _S_YD,
        "arousal",
        label="How strongly threat raises tension",
        advanced=True,
    ),
    Param(
        "challenge_arousal",
        0.2,
        0.0,
        1.0,
        "0-1",
        "Arousal response to a challenge, relative to a threat (eustress).",
        "popular claims P2-P7: eustress vs distress",
        "arousal",
        label="Tension from a challenge (relative to a threat)",
        advanced=True,
    ),
    Param(
        "arousal_decay",
        0.3,
        0.0,
        1.0,
        "per step",
        "Pull of arousal back to the agent's baseline each step.",
        "assumption",
        "arousal",
        label="How fast tension calms down",
        advanced=True,
    ),
    # effort
    Param(
        "belief_scale",
        1.0,
        0.05,
        5.0,
        "levels",
        "Spread of the subjective success expectancy p = logistic((efficacy - difficulty) / belief_scale).",
        _S_IMWM,
        "effort",
        label="Sharpness of expected success",
        advanced=True,
    ),
    Param(
        "giveup_expectancy",
        0.15,
        0.0,
        1.0,
        "prob",
        "Expected success below which effort collapses.",
        "Brehm & Self (1989) motivational intensity",
        "effort",
        label="Expected success below which effort collapses",
        advanced=True,
    ),
    Param(
        "effort_min",
        0.1,
        0.0,
        1.0,
        "0-1",
        "Effort on trivial tasks and after giving up.",
        "Brehm & Self (1989)",
        "effort",
        label="Effort on easy tasks and after giving up",
        advanced=True,
    ),
    Param(
        "effort_span",
        2.0,
        0.1,
        LEVEL_MAX,
        "levels",
        "Effort rises from effort_min to 1 as difficulty rises from efficacy - effort_span to efficacy.",
        "Brehm & Self (1989)",
        "effort",
        label="Range of difficulty over which effort rises",
        advanced=True,
    ),
    # performance
    Param(
        "effort_gain",
        1.0,
        0.0,
        5.0,
        "levels",
        "Capability added by full effort (relative to half effort).",
        _S_IMWM,
        "performance",
        label="Extra capability from full effort",
        advanced=True,
    ),
    Param(
        "perf_scale",
        0.3,
        0.05,
        5.0,
        "levels",
        "Spread of the success logistic (performance noise).",
        "calibrated: results/calibration/published (posterior median 0.302, 90% CI [0.085, 0.756]); was 0.5 "
        "(assumption)",
        "performance",
        label="Luck in performance",
        advanced=True,
    ),
    Param(
        "yd_opt_easy",
        0.7,
        0.0,
        1.0,
        "0-1",
        "Optimal arousal for a task far below skill.",
        _S_YD + "; illustrative A* ~ .7 for simple tasks",
        "performance",
        label="Best tension level for an easy task",
        advanced=True,
    ),
    Param(
        "yd_opt_hard",
        0.3,
        0.0,
        1.0,
        "0-1",
        "Optimal arousal for a task far above skill.",
        _S_YD + "; illustrative A* ~ .3 for complex tasks",
        "performance",
        label="Best tension level for a hard task",
        advanced=True,
    ),
    Param(
        "yd_width",
        0.35,
        0.05,
        2.0,
        "0-1",
        "Width of the inverted-U arousal efficiency curve.",
        _S_YD,
        "performance",
        label="Tolerance of tension before performance suffers",
        advanced=True,
    ),
    Param(
        "yd_cost",
        1.5,
        0.0,
        LEVEL_MAX,
        "levels",
        "Capability lost at the worst arousal (efficiency 0).",
        _S_YD,
        "performance",
        label="Capability lost at the worst tension",
        advanced=True,
    ),
    Param(
        "yd_hardness_scale",
        1.0,
        0.05,
        5.0,
        "levels",
        "Spread of task hardness h = logistic((difficulty - skill) / scale).",
        _S_YD,
        "performance",
        label="Sharpness of how hard a task feels",
        advanced=True,
    ),
    # skill
    Param(
        "learn_rate",
        0.08,
        0.0,
        1.0,
        "per step",
        "Skill gain per unit of effort-weighted outcome information (exponential approach to the scale top).",
        "Heathcote, Brown & Mewhort (2000); Rescorla & Wagner (1972) delta rule",
        "skill",
        label="Range of useful difficulty",
        advanced=True,
    ),
    Param(
        "failure_learning",
        0.6,
        0.0,
        1.0,
        "0-1",
        "Information value of a failure's prediction error relative to a success's.",
        "Yin et al. (2019)",
        "skill",
        label="What a failure teaches (relative to a success)",
        advanced=True,
    ),
    Param(
        "skill_decay",
        0.002,
        0.0,
        0.1,
        "per step",
        "Proportional skill loss in a step without practice.",
        "assumption",
        "skill",
        label="Skill lost without practice",
        advanced=True,
    ),
    # efficacy: mastery
    Param(
        "mastery_gain_success",
        0.5,
        0.0,
        5.0,
        "levels",
        "Efficacy change for a fully diagnostic, unexpected success.",
        _S_BANDURA + "; Moebius et al. (2022): good news weighs more",
        "mastery",
        label="Belief gained from an unexpected success",
    ),
    Param(
        "mastery_gain_failure",
        0.4,
        0.0,
        5.0,
        "levels",
        "Efficacy change for a fully diagnostic, unexpected failure.",
        _S_BANDURA + "; Eil & Rao (2011)",
        "mastery",
        label="Belief lost from an unexpected failure",
    ),
    Param(
        "effort_attribution",
        0.6,
        0.0,
        1.0,
        "0-1",
        "How much low effort discounts an outcome's diagnosticity.",
        _S_BANDURA + ": failure after full effort hurts more",
        "mastery",
        label="How much low effort excuses an outcome",
        advanced=True,
    ),
    Param(
        "strength_gain",
        0.3,
        0.0,
        10.0,
        "evidence",
        "Strength added per unit of diagnostic evidence.",
        _S_BANDURA + ": early experiences move belief most",
        "mastery",
        label="How fast evidence settles a belief",
        advanced=True,
    ),
    Param(
        "strength_forgetting",
        0.02,
        0.0,
        1.0,
        "per step",
        "Share of efficacy strength lost each step: old evidence fades, so belief stays revisable.",
        "assumption (leaky evidence integration); Shea & Howell (2000): spirals self-correct",
        "mastery",
        label="How fast old evidence fades",
        advanced=True,
    ),
    Param(
        "handed_discount",
        0.5,
        0.0,
        1.0,
        "0-1",
        "Diagnostic weight of a handed (not earned) success.",
        "popular claims P10-P12: everyone gets a trophy",
        "mastery",
        label="Weight of a success that was handed, not earned",
    ),
    # efficacy: vicarious
    Param(
        "vicarious_gain",
        0.15,
        0.0,
        5.0,
        "levels",
        "Efficacy change from a maximally similar observed model.",
        "Bandura (1997); Byars-Winston et al. (2017)",
        "vicarious",
        label="Belief change from watching a similar classmate",
    ),
    Param(
        "stage_ahead",
        1.0,
        0.0,
        LEVEL_MAX,
        "levels",
        "Gap between a model's visible performance level and the observer's own at which a model informs most.",
        "Schunk & Hanson (1985); Braaksma et al. (2002)",
        "vicarious",
        label="Most informative gap to a watched classmate",
        advanced=True,
    ),
    Param(
        "similarity_width",
        1.0,
        0.05,
        LEVEL_MAX,
        "levels",
        "Width of the similarity weighting around stage_ahead.",
        "Schunk, Hanson & Cox (1987)",
        "vicarious",
        label="How similar a classmate must be to count",
        advanced=True,
    ),
    Param(
        "similarity_floor",
        0.1,
        0.0,
        1.0,
        "0-1",
        "Weight of the least similar model: even a distant model shows a task can be done.",
        "Schunk & Hanson (1985): teacher model > no model",
        "vicarious",
        label="Weight of a very different classmate",
        advanced=True,
    ),
    # efficacy: social persuasion
    Param(
        "persuasion_gain",
        0.1,
        0.0,
        5.0,
        "per step",
        "Fraction of the gap to a fully credible, specific message closed per message.",
        "Ashford et al. (2010)",
        "persuasion",
        label="Belief change from one credible message",
    ),
    Param(
        "persuasion_rate",
        0.05,
        0.0,
        1.0,
        "per step",
        "Chance per step of everyday (generic) peer encouragement.",
        _S_BANDURA,
        "persuasion",
        label="Chance of everyday encouragement each step",
    ),
    Param(
        "peer_praise_inflation",
        1.0,
        0.0,
        LEVEL_MAX,
        "levels",
        "How far above their expectation of the learner everyday peer encouragement claims one can go.",
        "assumption",
        "persuasion",
        label="How much everyday encouragement overstates",
        advanced=True,
    ),
    Param(
        "generic_specificity",
        0.3,
        0.0,
        1.0,
        "0-1",
        "Specificity of generic praise (specific, skill-based feedback has 1).",
        "Mueller & Dweck (1998); popular claims P1, P8, P13-P15",
        "persuasion",
        label="How specific generic praise is",
        advanced=True,
    ),
    Param(
        "credibility_erosion",
        0.2,
        0.0,
        1.0,
        "0-1",
        "Credibility lost when a failure contradicts a persuasion.",
        _S_BANDURA,
        "persuasion",
        label="Trust lost when encouragement proves wrong",
        advanced=True,
    ),
    Param(
        "credibility_recovery",
        0.02,
        0.0,
        1.0,
        "per step",
        "Credibility regained when a success confirms a persuasion.",
        "assumption",
        "persuasion",
        label="Trust regained when encouragement proves right",
        advanced=True,
    ),
    # efficacy: physiological state
    Param(
        "physio_gain",
        0.3,
        0.0,
        5.0,
        "levels",
        "Efficacy loss per unit of arousal above threshold read as anxiety.",
        "Bandura (1997); Jamieson et al. (2010)",
        "physiological",
        label="Belief lost from feeling anxious",
    ),
    Param(
        "anxiety_threshold",
        0.5,
        0.0,
        1.0,
        "0-1",
        "Arousal above which a state can be read as anxiety.",
        "assumption",
        "physiological",
        label="Tension above which it can feel like anxiety",
        advanced=True,
    ),
    # interventions (constants of the intervention hooks)
    Param(
        "ladder_target_success",
        0.7,
        0.05,
        0.95,
        "prob",
        "Success rate the mastery ladder aims at (challenging but achievable).",
        "Bandura & Schunk (1981): proximal subgoals; popular claims P1, P8, P13-P15",
        "interventions",
        label="Success rate the mastery ladder aims at",
        advanced=True,
    ),
    Param(
        "ladder_offset",
        0.5,
        -5.0,
        5.0,
        "levels",
        "The ladder starts this far below the agent's skill.",
        "Bandura & Schunk (1981)",
        "interventions",
        label="Where the ladder starts below a learner's skill",
        advanced=True,
    ),
    Param(
        "ladder_step",
        0.3,
        0.001,
        5.0,
        "levels",
        "Size of a ladder rung.",
        "Bandura & Schunk (1981)",
        "interventions",
        label="Size of one ladder rung",
        advanced=True,
    ),
    Param(
        "praise_inflation",
        2.0,
        0.0,
        LEVEL_MAX,
        "levels",
        "How far above the teacher's expectation of the learner generic (ability or effort) praise claims one can go.",
        "Mueller & Dweck (1998)",
        "interventions",
        label="How much generic praise overstates",
        advanced=True,
    ),
    Param(
        "persuasion_margin",
        0.5,
        -5.0,
        5.0,
        "levels",
        "Specific feedback claims the teacher's expectation of the learner + this margin.",
        "Ashford et al. (2010)",
        "interventions",
        label="How far above skill specific feedback aims",
        advanced=True,
    ),
    Param(
        "reappraisal_rate",
        0.2,
        0.0,
        1.0,
        "per step",
        "Gain in reappraisal per step of reappraisal training.",
        "Jamieson et al. (2010); Brooks (2014)",
        "interventions",
        label="Speed of reappraisal training",
        advanced=True,
    ),
    # ambiguous feedback
    Param(
        "feedback_clarity",
        0.5,
        0.0,
        1.0,
        "0-1",
        "Share of a task's feedback ambiguity removed in a step with explicit, specific feedback.",
        "Kluger & DeNisi (1996); Schmidt & DeShon (2010); magnitude: assumption",
        "feedback",
        label="How much explicit feedback clears up an ambiguous result",
    ),
    # task complexity
    Param(
        "complexity_effort_damping",
        0.5,
        0.0,
        1.0,
        "0-1",
        "Share of effort's contribution to performance lost on a fully complex task (complexity 1).",
        "Wood (1986); Wood, Mento & Locke (1987); Wood, Bandura & Bailey (1990)",
        "complexity",
        label="How much effort loses its value on complex tasks",
        advanced=True,
    ),
    # real models (peer and expert modelling) and observational learning
    Param(
        "observational_learning",
        0.3,
        0.0,
        1.0,
        "0-1",
        "Skill gained from watching a model succeed, relative to the learning rule's gain from own practice.",
        "Bandura (1986): observational learning of strategies; size an assumption",
        "modelling",
        label="Skill learned from watching a model succeed",
    ),
    # persuaders as entities: a teacher per run and everyday peers, with their own expectations
    Param(
        "teacher_credibility",
        1.0,
        0.0,
        1.0,
        "0-1",
        "Credibility of the teacher as a source (multiplies the credibility the learner grants).",
        "Bandura (1997): persuasion works through the persuader's credibility and expertise",
        "expectations",
        label="How credible the teacher is",
    ),
    Param(
        "peer_credibility",
        0.5,
        0.0,
        1.0,
        "0-1",
        "Credibility of everyday peers as a source (less expert than a teacher).",
        "Bandura (1997); the value is an assumption",
        "expectations",
        label="How credible peers are",
    ),
    Param(
        "teacher_impression_sd",
        1.0,
        0.0,
        5.0,
        "levels",
        "SD of the error of the teacher's initial impression of each learner's skill.",
        "Jussim & Harber (2005): teacher expectations are mostly accurate (r ~ .5-.7 with achievement)",
        "expectations",
        label="How wrong the teacher's first impression of a learner can be",
    ),
    Param(
        "peer_impression_sd",
        1.0,
        0.0,
        5.0,
        "levels",
        "SD of the error of the peers' initial impression of each learner's skill.",
        "assumption (as for the teacher: Jussim & Harber 2005)",
        "expectations",
        label="How wrong peers' first impression of a learner can be",
        advanced=True,
    ),
    Param(
        "teacher_expectation_rate",
        0.3,
        0.0,
        5.0,
        "levels",
        "Change of the teacher's expectation per unit of surprise in an observed outcome.",
        "Elo (1978) rating update, as used for learners by Pelanek (2016); value an assumption",
        "expectations",
        label="How fast the teacher revises expectations",
        advanced=True,
    ),
    Param(
        "peer_expectation_rate",
        0.3,
        0.0,
        5.0,
        "levels",
        "Change of the peers' expectation (the learner's visible record) per unit of surprise.",
        "Elo (1978); Pelanek (2016); value an assumption",
        "expectations",
        label="How fast peers revise expectations",
        advanced=True,
    ),
    # ability versus effort praise
    Param(
        "praise_focus_rate",
        0.5,
        0.0,
        1.0,
        "0-1",
        "Share of the way to an ability (+1) or effort (-1) reading of failure moved by one praise message.",
        "Mueller & Dweck (1998): one praise sentence shifted failure attributions; size an assumption",
        "praise",
        label="How much one praise message shapes how failure is read",
        advanced=True,
    ),
    Param(
        "praise_focus_decay",
        0.05,
        0.0,
        1.0,
        "per step",
        "Share of the praise focus lost each step (back toward a neutral reading).",
        "assumption",
        "praise",
        label="How fast the effect of praise on reading failure fades",
        advanced=True,
    ),
    # domains: efficacy and skill per domain, generality between domains (docs/ODD.md 7.22)
    Param(
        "generality",
        0.3,
        0.0,
        1.0,
        "-",
        "Share of a step's efficacy change in the task's domain that also moves efficacy in another declared "
        "domain, times the two domains' relatedness (only with more than one domain).",
        "Bandura (1997) generality of efficacy beliefs; Bong (1997); size an assumption",
        "domains",
        label="How far belief spreads to related domains",
    ),
    Param(
        "skill_transfer",
        0.05,
        0.0,
        1.0,
        "-",
        "Share of a step's skill gain in the task's domain that also adds to skill in another domain, times "
        "their relatedness (only with more than one domain; kept well below `generality`).",
        "Thorndike & Woodworth (1901); Barnett & Ceci (2002): transfer is small and falls with distance",
        "domains",
        label="How far skill transfers to related domains",
    ),
    Param(
        "domain_corr",
        0.5,
        0.0,
        0.99,
        "-",
        "Correlation between domains of the initial skill draws, and of the initial efficacy draws (the first "
        "domain keeps the single-domain draws).",
        "Bong (1997): domain-specific academic self-efficacy correlates moderately across subjects",
        "domains",
        label="How alike a learner starts in different domains",
        advanced=True,
    ),
    # global self-esteem (docs/ODD.md 7.23): does not enter performance
    Param(
        "self_esteem_mean",
        0.6,
        0.0,
        1.0,
        "0-1",
        "Mean initial global self-esteem (0 lowest, 1 highest; tracked only with more than one domain).",
        "Rosenberg (1965); most people score above the scale's midpoint (Baumeister et al. 2003)",
        "self_esteem",
        label="Average starting self-esteem",
    ),
    Param(
        "self_esteem_sd",
        0.15,
        0.0,
        0.5,
        "0-1",
        "SD of initial self-esteem across agents.",
        "Rosenberg (1965); size an assumption",
        "self_esteem",
        label="Spread of starting self-esteem",
    ),
    Param(
        "self_esteem_efficacy_corr",
        0.3,
        0.0,
        1.0,
        "-",
        "Correlation of initial self-esteem with initial efficacy in the first domain.",
        "Bong & Skaalvik (2003): self-concept and self-efficacy related but distinct; Marsh (1990)",
        "self_esteem",
        label="How much starting self-esteem goes with starting belief",
        advanced=True,
    ),
    Param(
        "self_esteem_outcome_rate",
        0.01,
        0.0,
        0.5,
        "per step",
        "Pull of each reported outcome, in any domain, on self-esteem: toward 1 after a success (handed ones "
        "included), toward 0 after a failure.",
        "Baumeister et al. (2003): self-esteem follows outcomes only loosely; size an assumption (slow)",
        "self_esteem",
        label="How much one outcome moves self-esteem",
    ),
    Param(
        "self_esteem_anchoring",
        0.02,
        0.0,
        1.0,
        "per step",
        "Pull of self-esteem back toward the learner's own starting level each step (a fairly stable trait).",
        "Trzesniewski, Donnellan & Robins (2003): self-esteem is rank-order stable; size an assumption",
        "self_esteem",
        label="How strongly self-esteem returns to its usual level",
        advanced=True,
    ),
    Param(
        "self_esteem_praise_gain",
        0.05,
        0.0,
        1.0,
        "-",
        "Share of the distance to 1 that a generic (ability) praise message adds to self-esteem.",
        "Baumeister et al. (2003); Brummelman et al. (2014) on inflated praise; size an assumption",
        "self_esteem",
        label="Self-esteem gained from generic praise",
    ),
    # switches: turn a mechanism off for ablations (off = it contributes exactly nothing)
    Param(
        "use_strength",
        1,
        0,
        1,
        "on/off",
        "Efficacy strength grows with evidence and fades; off: strength stays at strength_init for good.",
        _S_BANDURA + ": early experiences move belief most",
        "switches",
        True,
        label="Mechanism on: belief strength builds up",
        advanced=True,
    ),
    Param(
        "use_avoidance",
        1,
        0,
        1,
        "on/off",
        "Agents may avoid tasks above their efficacy and disengage; off: every engaged agent attempts.",
        _S_BANDURA + ": avoidance of tasks judged beyond one's capability",
        "switches",
        True,
        label="Mechanism on: learners may avoid tasks",
        advanced=True,
    ),
    Param(
        "use_physiological",
        1,
        0,
        1,
        "on/off",
        "Arousal read as anxiety lowers efficacy; off: arousal is no evidence (it still affects performance).",
        _S_BANDURA,
        "switches",
        True,
        label="Mechanism on: arousal read as a sign of (in)capability",
        advanced=True,
    ),
    Param(
        "use_mastery",
        1,
        0,
        1,
        "on/off",
        "Own outcomes move efficacy and add strength; off: they do neither.",
        _S_BANDURA,
        "switches",
        True,
        label="Mechanism on: own results change belief",
        advanced=True,
    ),
    Param(
        "use_feedback_ambiguity",
        1,
        0,
        1,
        "on/off",
        "Own performance is perceived through ambiguous feedback; off: every outcome is seen exactly.",
        "Schmidt & DeShon (2010); Vancouver & Purl (2017)",
        "switches",
        True,
        label="Mechanism on: own results are seen through ambiguous feedback",
        advanced=True,
    ),
    Param(
        "use_optimism",
        1,
        0,
        1,
        "on/off",
        "Per-agent self-enhancement colours ambiguous feedback; off: no agent expects better than its belief.",
        "Moebius et al. (2022)",
        "switches",
        True,
        label="Mechanism on: personal optimism",
        advanced=True,
    ),
    Param(
        "use_news_asymmetry",
        1,
        0,
        1,
        "on/off",
        "Per-agent weights on good and bad news; off: every agent uses the population gains.",
        "Eil & Rao (2011); Moebius et al. (2022)",
        "switches",
        True,
        label="Mechanism on: personal weights on good and bad news",
        advanced=True,
    ),
    Param(
        "use_self_serving",
        1,
        0,
        1,
        "on/off",
        "Per-agent self-serving attribution of outcomes; off: good and bad news weigh by effort alone.",
        "Mezulis et al. (2004)",
        "switches",
        True,
        label="Mechanism on: self-serving reading of outcomes",
        advanced=True,
    ),
    Param(
        "use_individual_differences",
        1,
        0,
        1,
        "on/off",
        "Per-agent learning, mastery and arousal sensitivities; off: every multiplier is 1.",
        "Heathcote, Brown & Mewhort (2000)",
        "switches",
        True,
        label="Mechanism on: learners differ in their sensitivities",
        advanced=True,
    ),
    Param(
        "use_complexity",
        1,
        0,
        1,
        "on/off",
        "Task complexity weakens effort's effect on performance; off: every task counts as simple.",
        "Wood, Bandura & Bailey (1990)",
        "switches",
        True,
        label="Mechanism on: task complexity weakens effort",
        advanced=True,
    ),
    Param(
        "use_vicarious",
        1,
        0,
        1,
        "on/off",
        "Vicarious evidence; off: no efficacy change from observing anyone (neighbours or models).",
        "Bandura (1997)",
        "switches",
        True,
        label="Mechanism on: watching others changes belief",
        advanced=True,
    ),
    Param(
        "use_persuasion",
        1,
        0,
        1,
        "on/off",
        "Social persuasion; off: no persuasion messages of any kind (peers, teacher, praise).",
        "Bandura (1997)",
        "switches",
        True,
        label="Mechanism on: what others say changes belief",
        advanced=True,
    ),
    Param(
        "use_observational_learning",
        1,
        0,
        1,
        "on/off",
        "Observational learning; off: watching a model teaches no skill.",
        "Bandura (1986)",
        "switches",
        True,
        label="Mechanism on: watching teaches skill",
        advanced=True,
    ),
    Param(
        "use_expectations",
        1,
        0,
        1,
        "on/off",
        "Persuaders' expectations; off: messages ignore them (claims relative to own efficacy, "
        "specific feedback at true skill, fixed specificity).",
        "Rosenthal & Jacobson (1968); Jussim & Harber (2005)",
        "switches",
        True,
        label="Mechanism on: persuaders speak from their expectations",
        advanced=True,
    ),
    Param(
        "use_error_learning",
        1,
        0,
        1,
        "on/off",
        "Error-driven skill learning; off: every effortful attempt teaches the information of an "
        "even-odds attempt, whatever its outcome and difficulty (a flat practice window).",
        "Rescorla & Wagner (1972)",
        "switches",
        True,
        label="Mechanism on: skill grows from what an attempt teaches",
        advanced=True,
    ),
    Param(
        "use_praise_focus",
        1,
        0,
        1,
        "on/off",
        "Ability-vs-effort praise focus; off: praise never changes how a failure is read.",
        "Mueller & Dweck (1998)",
        "switches",
        True,
        label="Mechanism on: ability or effort praise shapes how failure is read",
        advanced=True,
    ),
    Param(
        "use_transfer",
        1,
        0,
        1,
        "on/off",
        "Generality and skill transfer between domains; off: evidence and practice in one domain change "
        "nothing in another.",
        "Bandura (1997); Barnett & Ceci (2002)",
        "switches",
        True,
        label="Mechanism on: belief and skill spread between domains",
        advanced=True,
    ),
    Param(
        "use_self_esteem",
        1,
        0,
        1,
        "on/off",
        "Self-esteem updates from outcomes and generic praise; off: it stays at its starting level.",
        "Rosenberg (1965)",
        "switches",
        True,
        label="Mechanism on: self-esteem follows outcomes and praise",
        advanced=True,
    ),
)

# --------------------------------------------------------------------------------------------
# Structured events: difficulty-schedule phases, shocks and interventions
# --------------------------------------------------------------------------------------------
SCHEDULE_KINDS = ("constant", "ramp", "adaptive", "random", "self_chosen")

SCHEDULE_FIELDS: tuple[Param | Choice, ...] = (
    Choice(
        "kind",
        "constant",
        SCHEDULE_KINDS,
        "Difficulty schedule of this phase.",
        "popular claims P1, P8, P13-P15; Bandura & Schunk (1981)",
        "schedule",
        label="How task difficulty is set",
    ),
    Param(
        "start",
        0,
        0,
        1_000_000,
        "step",
        "First step of this phase.",
        "-",
        "schedule",
        True,
        label="Phase starts at step",
    ),
    Param(
        "level",
        3.5,
        0.0,
        LEVEL_MAX,
        "levels",
        "Difficulty (constant), start (ramp, adaptive) or centre (random).",
        "-",
        "schedule",
        label="Task difficulty",
    ),
    Param(
        "spread",
        1.5,
        0.0,
        LEVEL_MAX,
        "levels",
        "Half-width of uniform noise (random, self_chosen).",
        "-",
        "schedule",
        label="Random variation of difficulty",
    ),
    Param(
        "ramp_rate",
        0.03,
        -1.0,
        1.0,
        "levels/step",
        "Difficulty added each step (ramp).",
        "progressive mastery ladder",
        "schedule",
        label="Difficulty added each step",
    ),
    Param(
        "target_success",
        0.7,
        0.05,
        0.95,
        "prob",
        "Success rate an adaptive staircase converges to.",
        "Kaernbach (1991) weighted up-down",
        "schedule",
        label="Success rate the staircase aims at",
    ),
    Param(
        "step_size",
        0.3,
        0.001,
        5.0,
        "levels",
        "Staircase step (adaptive).",
        "Kaernbach (1991)",
        "schedule",
        label="Staircase step",
    ),
    Param(
        "offset",
        0.5,
        -LEVEL_MAX,
        LEVEL_MAX,
        "levels",
        "Self-chosen goal relative to own efficacy.",
        "Locke & Latham (2002); Bandura (1997)",
        "schedule",
        label="Chosen goal above own belief",
    ),
    Param(
        "ambiguity",
        1.0,
        0.0,
        LEVEL_MAX,
        "levels",
        "SD of the error with which learners perceive their own performance margin on this phase's tasks.",
        "Schmidt & DeShon (2010); Vancouver & Purl (2017); magnitude: assumption",
        "schedule",
        label="How ambiguous the feedback on a task is",
    ),
    Param(
        "complexity",
        0.0,
        0.0,
        1.0,
        "0-1",
        "Task complexity: how much success rests on strategy (skill) rather than effort (0 simple, 1 complex).",
        "Wood (1986); Wood, Bandura & Bailey (1990); default 0: the reference task of effort_gain",
        "schedule",
        label="How complex the task is (strategy matters more than effort)",
    ),
)

SHOCK_FIELDS: tuple[Param | Choice, ...] = (
    Param(
        "step",
        10,
        0,
        1_000_000,
        "step",
        "Step at which the severe failure happens.",
        "popular claims P2-P7: a major failure early on",
        "shock",
        True,
        label="Failure happens at step",
    ),
    Param(
        "severity",
        5.0,
        0.0,
        20.0,
        "failures",
        "Evidence weight of the failure, in ordinary full-effort failures.",
        "popular claims P2-P7",
        "shock",
        label="How severe the failure is",
    ),
    Param("share", 1.0, 0.0, 1.0, "prob", "Share of engaged agents hit.", "-", "shock", label="Share of learners hit"),
    Param(
        "arousal",
        0.5,
        0.0,
        1.0,
        "0-1",
        "Arousal spike the failure causes.",
        _S_YD,
        "shock",
        label="Tension spike it causes",
    ),
)

INTERVENTION_KINDS = (
    "mastery_ladder",
    "handed_success",
    "peer_modelling",
    "expert_modelling",
    "specific_persuasion",
    "generic_praise",
    "arousal_reappraisal",
    "effort_praise",
)

INTERVENTION_FIELDS: tuple[Param | Choice, ...] = (
    Choice(
        "kind",
        "mastery_ladder",
        INTERVENTION_KINDS,
        "Intervention hook.",
        "see docs/ODD.md",
        "intervention",
        label="Intervention",
    ),
    Param(
        "start",
        0,
        0,
        1_000_000,
        "step",
        "First step of the intervention.",
        "-",
        "intervention",
        True,
        label="Starts at step",
    ),
    Param(
        "end",
        1_000_000,
        0,
        1_000_000,
        "step",
        "Step at which it stops (exclusive).",
        "-",
        "intervention",
        True,
        label="Stops at step",
    ),
    Choice(
        "target",
        "all",
        ("all", "below"),
        "Everyone, or only agents whose efficacy is below `threshold` at `start`.",
        "-",
        "intervention",
        label="Who receives it",
    ),
    Param(
        "threshold",
        3.0,
        0.0,
        LEVEL_MAX,
        "levels",
        "Efficacy cut-off for target = 'below'.",
        "-",
        "intervention",
        label="Only learners with belief below",
    ),
    Param(
        "intensity",
        1.0,
        0.0,
        1.0,
        "prob",
        "Chance per step that a targeted agent receives it.",
        "-",
        "intervention",
        label="Chance per step a learner receives it",
    ),
)

# --------------------------------------------------------------------------------------------
# Domains (docs/ODD.md 7.22): the scenario's [domains] table and the `domain` field of events
# --------------------------------------------------------------------------------------------
DEFAULT_DOMAIN = "general"
"""Name of the one domain of a scenario that declares no ``[domains]`` table."""
MAX_DOMAINS = 16
"""Most domains a scenario may declare (state grows with their number)."""


@dataclass(frozen=True)
class DomainField:
    """A declared domain field: the ``[domains]`` table's entries, or the ``domain`` of an event.

    Attributes
    ----------
    name : key in the TOML file.
    section : ``domains``, ``schedule``, ``shocks`` or ``interventions``.
    kind : ``names`` (list of domain names), ``matrix`` (relatedness), ``one`` (a declared name) or
        ``some`` (a declared name or a list of them, practised in turn).
    default : shown in the docs table.
    meaning, source, label : as in :class:`Param`.
    """

    name: str
    section: str
    kind: str
    default: str
    meaning: str
    source: str
    label: str = ""


DOMAIN_FIELDS: tuple[DomainField, ...] = (
    DomainField(
        "names",
        "domains",
        "names",
        f"[{DEFAULT_DOMAIN!r}]",
        f"Names of the domains learners hold skill and efficacy in (1 to {MAX_DOMAINS}); the first is the default "
        "domain of every task, shock and intervention that names none.",
        "Bandura (1997); Bong (1997); Bong & Skaalvik (2003): efficacy is specific to a domain",
        label="Domains",
    ),
    DomainField(
        "relatedness",
        "domains",
        "matrix",
        "identity",
        "How related each pair of domains is: a symmetric matrix in [0, 1] with ones on the diagonal, one row "
        "per domain in the order of `names` (omitted: unrelated domains).",
        "Bandura (1997) generality; Bong (1997): efficacy generalises across related subjects",
        label="Relatedness of the domains",
    ),
    DomainField(
        "domain",
        "schedule",
        "some",
        "first domain",
        "Domain of this phase's tasks: a declared name, or a list of names practised in turn (one per step, "
        "starting with the first at the phase's start).",
        "-",
        label="Domain of the tasks",
    ),
    DomainField(
        "domain",
        "shocks",
        "one",
        "the task's",
        "Domain of the severe failure; the task at its step must be in this domain.",
        "-",
        label="Domain of the failure",
    ),
    DomainField(
        "domain",
        "interventions",
        "one",
        "any",
        "Domain the intervention works in: it reaches learners only on steps whose task is in this domain "
        "(the task at its start step must be in it); omitted: every step.",
        "-",
        label="Domain it works in",
    ),
)

# --------------------------------------------------------------------------------------------
# Measurement instruments (sim.measure): how a simulated study observes the learners. These are
# not model parameters (measuring never changes a run), so they are declared apart from PARAMS.
# --------------------------------------------------------------------------------------------
_S_CTT = "classical test theory: Lord & Novick (1968)"

MEASUREMENT_FIELDS: tuple[Param, ...] = (
    Param(
        "self_report_reliability",
        0.8,
        0.05,
        0.99,
        "-",
        "Reliability of the self-report efficacy scale, var(true) / var(observed), in a population whose "
        "true-score SD is `self_report_reference_sd`.",
        _S_CTT + "; about .8 is typical of efficacy scales (Bandura 2006)",
        "measurement",
        label="Reliability of the self-report scale",
    ),
    Param(
        "self_report_items",
        5,
        1,
        100,
        "items",
        "Items of the self-report scale (the score is their mean); each item's reliability follows from "
        "the scale's by Spearman-Brown.",
        _S_CTT + "; Spearman (1910); Brown (1910)",
        "measurement",
        True,
        label="Number of items on the self-report scale",
    ),
    Param(
        "self_report_reference_sd",
        10.0,
        0.1,
        50.0,
        "points",
        "True-score SD (0-100 points) of the population in which the scale has its declared reliability; "
        "it sets the error SD, sd * sqrt((1 - reliability) / reliability).",
        _S_CTT,
        "measurement",
        label="Spread of true efficacy the scale is normed on",
        advanced=True,
    ),
    Param(
        "test_items",
        20,
        1,
        500,
        "items",
        "Items of the performance test, answered by the model's own effort, arousal and performance rules.",
        _S_CTT + "; items as tasks: Bandura (1997)",
        "measurement",
        True,
        label="Number of items on the performance test",
    ),
    Param(
        "test_low",
        0.0,
        0.0,
        LEVEL_MAX,
        "levels",
        "Difficulty of the easiest test item (items are evenly spread from `test_low` to `test_high`).",
        "-",
        "measurement",
        label="Difficulty of the easiest test item",
    ),
    Param(
        "test_high",
        LEVEL_MAX,
        0.0,
        LEVEL_MAX,
        "levels",
        "Difficulty of the hardest test item (>= `test_low`).",
        "-",
        "measurement",
        label="Difficulty of the hardest test item",
    ),
    Param(
        "self_esteem_reliability",
        0.88,
        0.05,
        0.99,
        "-",
        "Reliability of the self-esteem scale (0-100 points, the POMP score of a Rosenberg-type scale) in a "
        "population whose true-score SD is `self_esteem_reference_sd`.",
        "Rosenberg (1965); alpha about .88 (Gray-Little, Williams & Hancock 1997); " + _S_CTT,
        "measurement",
        label="Reliability of the self-esteem scale",
    ),
    Param(
        "self_esteem_items",
        10,
        1,
        100,
        "items",
        "Items of the self-esteem scale (the score is their mean).",
        "Rosenberg (1965): ten items",
        "measurement",
        True,
        label="Number of items on the self-esteem scale",
    ),
    Param(
        "self_esteem_reference_sd",
        15.0,
        0.1,
        50.0,
        "points",
        "True-score SD (0-100 points) of the population in which the self-esteem scale has its reliability.",
        _S_CTT,
        "measurement",
        label="Spread of true self-esteem the scale is normed on",
        advanced=True,
    ),
)

PARAM_BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
MEASUREMENT_BY_NAME: dict[str, Param] = {p.name: p for p in MEASUREMENT_FIELDS}
RUN_BY_NAME: dict[str, Param] = {p.name: p for p in RUN}


def defaults() -> dict[str, float]:
    """Default value of every scalar mechanism parameter."""
    return {p.name: p.default for p in PARAMS}


def event_defaults(fields: tuple[Param | Choice, ...]) -> dict[str, Any]:
    """Default value of every field of an event spec."""
    return {f.name: f.default for f in fields}


_DOMAIN_ALLOWED = {
    "names": f"list of 1 to {MAX_DOMAINS} distinct names",
    "matrix": "symmetric, in [0, 1], diagonal 1",
    "one": "a declared domain",
    "some": "a declared domain or a list of them",
}


@dataclass(frozen=True)
class TableRow:
    """One row of the documentation table."""

    section: str
    name: str
    default: str
    allowed: str
    unit: str
    meaning: str
    source: str = field(default="")


def parameter_table() -> list[TableRow]:
    """Rows for the parameter table in docs/ODD.md (generated, never hand-written)."""
    rows: list[TableRow] = []

    def add(section: str, spec: Param | Choice) -> None:
        if isinstance(spec, Choice):
            rows.append(
                TableRow(section, spec.name, spec.default, " / ".join(spec.choices), "-", spec.meaning, spec.source)
            )
        else:
            rows.append(
                TableRow(
                    section,
                    spec.name,
                    _fmt(spec.default),
                    f"[{_fmt(spec.low)}, {_fmt(spec.high)}]",
                    spec.unit,
                    spec.meaning,
                    spec.source,
                )
            )

    for p in RUN:
        add("run", p)
    for p in PARAMS:
        add(p.group, p)
    for f in DOMAIN_FIELDS:
        section = "domains" if f.section == "domains" else f"{f.section} (domain)"
        rows.append(TableRow(section, f.name, f.default, _DOMAIN_ALLOWED[f.kind], "-", f.meaning, f.source))
    for section, fields in (
        ("schedule phase", SCHEDULE_FIELDS),
        ("shock", SHOCK_FIELDS),
        ("intervention", INTERVENTION_FIELDS),
        ("measurement", MEASUREMENT_FIELDS),
    ):
        for f in fields:
            add(section, f)
    return rows


CALIBRATED_PREFIX = "calibrated:"
"""A parameter whose default comes from a recorded calibration has a ``source`` starting with this."""


def origin(source: str) -> str:
    """Where a default comes from, for the table: ``calibrated`` (fitted, see docs/calibration.md) or ``set``."""
    return "**calibrated**" if source.startswith(CALIBRATED_PREFIX) else "set"


def markdown_parameter_table() -> str:
    """The parameter table as Markdown (``default from``: calibrated, or set from its source / by hand)."""
    head = "| section | name | default | default from | allowed | unit | meaning | source |"
    out = [head, "|---|---|---|---|---|---|---|---|"]
    for r in parameter_table():
        out.append(
            f"| {r.section} | `{r.name}` | {r.default} | {origin(r.source)} | {r.allowed} | {r.unit} | {r.meaning} "
            f"| {r.source} |"
        )
    return "\n".join(out)
