"""State of a batch of runs: arrays shaped (runs, agents), and how it starts."""

from __future__ import annotations

from dataclasses import dataclass, fields
from types import SimpleNamespace

import numpy as np

from sim import streams as S
from sim.mechanisms import individual, self_evaluation
from sim.params import INTERVENTION_KINDS, LEVEL_MAX

ENGAGED, AVOIDING, DISENGAGED = 0, 1, 2
ENGAGEMENT_NAMES = ("engaged", "avoiding", "disengaged")


@dataclass
class State:
    """Every agent's state in every run of a batch. All arrays are shaped (runs, agents).

    Attributes marked *last step* describe the step just taken (for stories and plots).
    """

    skill: np.ndarray
    efficacy: np.ndarray
    strength: np.ndarray
    arousal: np.ndarray
    arousal_base: np.ndarray
    reappraisal: np.ndarray
    credibility: np.ndarray
    persuaded_level: np.ndarray  # last level a persuader claimed was within reach (-inf: none)
    task_level: np.ndarray  # adaptive staircase
    ladder_level: np.ndarray  # mastery-ladder intervention staircase
    sens_mastery: np.ndarray
    sens_learning: np.ndarray
    sens_arousal: np.ndarray
    optimism: np.ndarray  # self-enhancement (levels) read into ambiguous feedback
    good_news: np.ndarray  # multiplier of mastery_gain_success
    bad_news: np.ndarray  # multiplier of mastery_gain_failure
    self_serving: np.ndarray  # share of self-serving attribution
    initial_skill: np.ndarray
    initial_efficacy: np.ndarray
    engagement: np.ndarray  # int8: ENGAGED / AVOIDING / DISENGAGED
    avoid_streak: np.ndarray
    attempts: np.ndarray
    successes: np.ndarray
    failures: np.ndarray
    streak: np.ndarray  # > 0 successes in a row, < 0 failures in a row
    dose: np.ndarray  # intervention-steps received
    targeted: np.ndarray  # bool (kinds, runs, agents): selected by each intervention at its start
    # last step
    difficulty: np.ndarray
    attempted: np.ndarray
    success: np.ndarray
    handed: np.ndarray
    shocked: np.ndarray
    effort: np.ndarray
    d_mastery: np.ndarray
    d_vicarious: np.ndarray
    d_persuasion: np.ndarray
    d_physiological: np.ndarray
    perceived: np.ndarray  # perceived outcome of the own attempt in [0, 1] (NaN: did not act)
    # persuaders' expectations of each learner (levels; one teacher per run) and the praise focus
    teacher_expectation: np.ndarray
    peer_expectation: np.ndarray  # also the learner's visible record (similarity of models)
    praise_focus: np.ndarray  # -1 effort ... +1 ability reading of failure
    d_observational: np.ndarray  # last step: skill gained from watching a model

    @property
    def shape(self) -> tuple[int, int]:
        return self.skill.shape

    def copy(self) -> State:
        return State(**{f.name: getattr(self, f.name).copy() for f in fields(self)})

    def run(self, r: int) -> State:
        """The state of run ``r`` as a batch of one (a copy)."""
        out = {}
        for f in fields(self):
            a = getattr(self, f.name)
            out[f.name] = a[:, r : r + 1].copy() if f.name == "targeted" else a[r : r + 1].copy()
        return State(**out)

    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in fields(self))


def initial_state(p: SimpleNamespace, agents: int, draws: np.ndarray) -> State:
    """Initial state of a batch.

    Parameters
    ----------
    p : namespace of (runs, 1) parameter arrays.
    agents : number of agents per run.
    draws : standard normal draws, shape (runs, :data:`sim.streams.N_INITIAL`, agents), from each
        run's own stream (rows named in :mod:`sim.streams`).
    """
    from sim.mechanisms.expectations import initial_impression

    z_skill, z_eff, z_arousal, z_m, z_l, z_a = (draws[:, i, :] for i in range(6))
    z_opt, z_good, z_bad, z_ss = (draws[:, i, :] for i in range(S.Z_OPTIMISM, S.Z_SELF_SERVING + 1))
    z_teacher, z_peer = draws[:, S.Z_TEACHER, :], draws[:, S.Z_PEER, :]
    runs = draws.shape[0]
    skill = np.clip(p.skill_mean + p.skill_sd * z_skill, 0.0, LEVEL_MAX)
    rho = p.efficacy_skill_corr
    efficacy = np.clip(
        p.efficacy_mean + p.efficacy_sd * (rho * z_skill + np.sqrt(1.0 - rho**2) * z_eff), 0.0, LEVEL_MAX
    )
    arousal_base = np.clip(p.arousal_baseline + p.arousal_baseline_sd * z_arousal, 0.0, 1.0)
    shape = (runs, agents)

    def full(value: float | np.ndarray, dtype: type = float) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=dtype), shape).copy()

    zeros_i = np.zeros(shape, dtype=np.int32)
    return State(
        skill=skill,
        efficacy=efficacy,
        strength=full(p.strength_init),
        arousal=arousal_base.copy(),
        arousal_base=arousal_base,
        reappraisal=full(p.reappraisal_init),
        credibility=full(p.credibility_init),
        persuaded_level=full(-np.inf),
        task_level=full(0.0),
        ladder_level=full(0.0),
        sens_mastery=individual.sensitivity(z_m, p.mastery_sensitivity_sd, p.use_individual_differences),
        sens_learning=individual.sensitivity(z_l, p.learning_sensitivity_sd, p.use_individual_differences),
        sens_arousal=individual.sensitivity(z_a, p.arousal_sensitivity_sd, p.use_individual_differences),
        optimism=self_evaluation.optimism(z_opt, p.optimism_mean, p.optimism_sd, p.use_optimism),
        good_news=self_evaluation.news_weight(z_good, p.good_news_sd, p.use_news_asymmetry),
        bad_news=self_evaluation.news_weight(z_bad, p.bad_news_sd, p.use_news_asymmetry),
        self_serving=self_evaluation.self_serving(z_ss, p.self_serving_mean, p.self_serving_sd, p.use_self_serving),
        initial_skill=skill.copy(),
        initial_efficacy=efficacy.copy(),
        engagement=np.zeros(shape, dtype=np.int8),
        avoid_streak=zeros_i.copy(),
        attempts=zeros_i.copy(),
        successes=zeros_i.copy(),
        failures=zeros_i.copy(),
        streak=zeros_i.copy(),
        dose=zeros_i.copy(),
        targeted=np.zeros((len(INTERVENTION_KINDS), *shape), dtype=bool),
        difficulty=full(np.nan),
        attempted=np.zeros(shape, dtype=bool),
        success=np.zeros(shape, dtype=bool),
        handed=np.zeros(shape, dtype=bool),
        shocked=np.zeros(shape, dtype=bool),
        effort=full(0.0),
        d_mastery=full(0.0),
        d_vicarious=full(0.0),
        d_persuasion=full(0.0),
        d_physiological=full(0.0),
        perceived=full(np.nan),
        teacher_expectation=initial_impression(skill, p.teacher_impression_sd, z_teacher),
        peer_expectation=initial_impression(skill, p.peer_impression_sd, z_peer),
        praise_focus=full(0.0),
        d_observational=full(0.0),
    )
