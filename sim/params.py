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

    def check(self, value: Any, where: str) -> float:
        """Return ``value`` as a number, or raise :class:`ConfigError` naming the field."""
        from sim.errors import ConfigError

        kind = "a whole number" if self.integer else "a number"
        allowed = f"{kind} in [{_fmt(self.low)}, {_fmt(self.high)}]"
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ConfigError(where, value, allowed)
        value = value.item() if isinstance(value, np.generic) else value  # NumPy scalars from sweeps
        if self.integer and isinstance(value, float) and not value.is_integer():  # also NaN, inf
            raise ConfigError(where, value, allowed)
        if not (self.low <= value <= self.high):  # also rejects NaN
            raise ConfigError(where, value, allowed)
        return int(value) if self.integer else float(value)


@dataclass(frozen=True)
class Choice:
    """A declared categorical field (a value from a fixed list)."""

    name: str
    default: str
    choices: tuple[str, ...]
    meaning: str
    source: str
    group: str

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
    Param("agents", 100, 1, 10_000_000, "agents", "Number of learners in a run.", "-", "run", True),
    Param("steps", 100, 0, 1_000_000, "steps", "Number of time steps (task episodes).", "-", "run", True),
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
    Param("skill_mean", 3.0, 0.0, LEVEL_MAX, "levels", "Mean initial skill.", "scale choice", "population"),
    Param("skill_sd", 1.0, 0.0, 5.0, "levels", "SD of initial skill across agents.", "scale choice", "population"),
    Param(
        "efficacy_mean",
        3.0,
        0.0,
        LEVEL_MAX,
        "levels",
        "Mean initial efficacy (belief about the hardest task one can do).",
        _S_BANDURA,
        "population",
    ),
    Param("efficacy_sd", 1.0, 0.0, 5.0, "levels", "SD of initial efficacy across agents.", _S_BANDURA, "population"),
    Param(
        "efficacy_skill_corr",
        0.4,
        -1.0,
        1.0,
        "corr",
        "Correlation of initial efficacy with initial skill.",
        "Stajkovic & Luthans (1998): SE-performance r = .38",
        "population",
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
    ),
    Param("arousal_baseline", 0.3, 0.0, 1.0, "0-1", "Mean resting arousal.", _S_YD, "population"),
    Param("arousal_baseline_sd", 0.1, 0.0, 0.5, "0-1", "SD of resting arousal across agents.", _S_YD, "population"),
    Param(
        "reappraisal_init",
        0.0,
        0.0,
        1.0,
        "0-1",
        "Initial tendency to read arousal as readiness rather than anxiety.",
        "Jamieson et al. (2010)",
        "population",
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
    ),
    Param(
        "optimism_sd",
        0.5,
        0.0,
        5.0,
        "levels",
        "SD of self-enhancement across agents (normal).",
        "Moebius et al. (2022); magnitude: assumption",
        "population",
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
    ),
    Param("avoid_scale", 0.5, 0.01, 5.0, "levels", "Spread of the approach/avoid logistic.", _S_BANDURA, "choice"),
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
    ),
    Param(
        "perf_scale",
        0.5,
        0.05,
        5.0,
        "levels",
        "Spread of the success logistic (performance noise).",
        "assumption",
        "performance",
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
    ),
    Param(
        "yd_width", 0.35, 0.05, 2.0, "0-1", "Width of the inverted-U arousal efficiency curve.", _S_YD, "performance"
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
    ),
    Param(
        "ladder_step", 0.3, 0.001, 5.0, "levels", "Size of a ladder rung.", "Bandura & Schunk (1981)", "interventions"
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
    ),
    Param("start", 0, 0, 1_000_000, "step", "First step of this phase.", "-", "schedule", True),
    Param(
        "level",
        3.5,
        0.0,
        LEVEL_MAX,
        "levels",
        "Difficulty (constant), start (ramp, adaptive) or centre (random).",
        "-",
        "schedule",
    ),
    Param(
        "spread", 1.5, 0.0, LEVEL_MAX, "levels", "Half-width of uniform noise (random, self_chosen).", "-", "schedule"
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
    ),
    Param("step_size", 0.3, 0.001, 5.0, "levels", "Staircase step (adaptive).", "Kaernbach (1991)", "schedule"),
    Param(
        "offset",
        0.5,
        -LEVEL_MAX,
        LEVEL_MAX,
        "levels",
        "Self-chosen goal relative to own efficacy.",
        "Locke & Latham (2002); Bandura (1997)",
        "schedule",
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
    ),
    Param("share", 1.0, 0.0, 1.0, "prob", "Share of engaged agents hit.", "-", "shock"),
    Param("arousal", 0.5, 0.0, 1.0, "0-1", "Arousal spike the failure causes.", _S_YD, "shock"),
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
    Choice("kind", "mastery_ladder", INTERVENTION_KINDS, "Intervention hook.", "see docs/ODD.md", "intervention"),
    Param("start", 0, 0, 1_000_000, "step", "First step of the intervention.", "-", "intervention", True),
    Param("end", 1_000_000, 0, 1_000_000, "step", "Step at which it stops (exclusive).", "-", "intervention", True),
    Choice(
        "target",
        "all",
        ("all", "below"),
        "Everyone, or only agents whose efficacy is below `threshold` at `start`.",
        "-",
        "intervention",
    ),
    Param("threshold", 3.0, 0.0, LEVEL_MAX, "levels", "Efficacy cut-off for target = 'below'.", "-", "intervention"),
    Param(
        "intensity", 1.0, 0.0, 1.0, "prob", "Chance per step that a targeted agent receives it.", "-", "intervention"
    ),
)

PARAM_BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
RUN_BY_NAME: dict[str, Param] = {p.name: p for p in RUN}


def defaults() -> dict[str, float]:
    """Default value of every scalar mechanism parameter."""
    return {p.name: p.default for p in PARAMS}


def event_defaults(fields: tuple[Param | Choice, ...]) -> dict[str, Any]:
    """Default value of every field of an event spec."""
    return {f.name: f.default for f in fields}


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
    for section, fields in (
        ("schedule phase", SCHEDULE_FIELDS),
        ("shock", SHOCK_FIELDS),
        ("intervention", INTERVENTION_FIELDS),
    ):
        for f in fields:
            add(section, f)
    return rows


def markdown_parameter_table() -> str:
    """The parameter table as Markdown."""
    out = ["| section | name | default | allowed | unit | meaning | source |", "|---|---|---|---|---|---|---|"]
    for r in parameter_table():
        out.append(f"| {r.section} | `{r.name}` | {r.default} | {r.allowed} | {r.unit} | {r.meaning} | {r.source} |")
    return "\n".join(out)
