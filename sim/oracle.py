"""The test oracle: the same model written plainly, one Mesa agent at a time.

This module re-implements the rules of :func:`sim.batch.advance` the way a Mesa user would write
them: an :class:`OracleLearner` holds plain float/int attributes and has one method per stage, and
:class:`OracleModel` drives the stages with ``self.agents.do(...)``. Every formula is written out
again with :mod:`math` scalars, independently of :mod:`sim.mechanisms`, so the tests can check the
vectorised core against it (``tests/test_oracle.py``). It is slow (pure Python) and meant for
reading and testing, not for experiments.

What it shares with the core, on purpose:

* the random stream (:func:`sim.streams.run_stream`) and the order of its draws: six standard
  normal rows for the initial population, then the observation network
  (:func:`sim.network.observation_network`, reused), then each step one ``random((N_ROWS, agents))``
  block from which agent ``i`` reads column ``i`` (rows named in :mod:`sim.streams`);
* the declared constants (``LEVEL_MAX``, schedule and intervention kinds) from :mod:`sim.params`.

Updates are synchronous, as in the core: in a step every agent first decides and acts, then every
agent learns from its own outcome and from what its neighbours did *in this same step* (reading
their values from before the step), and only then do all agents commit their new beliefs.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np

from sim import streams as S
from sim.config import Config
from sim.network import observation_network
from sim.params import INTERVENTION_KINDS, LEVEL_MAX
from sim.state import AVOIDING, DISENGAGED, ENGAGED

N_ROWS = S.U_INTERVENTION0 + len(INTERVENTION_KINDS)
"""Uniform draws per agent per step: the fixed rows of :mod:`sim.streams`, then one per intervention kind."""


def logistic(x: float) -> float:
    """1 / (1 + exp(-x)), without overflow for large |x|."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def clip(x: float, low: float, high: float) -> float:
    return min(max(x, low), high)


def bell(x: float, centre: float, width: float) -> float:
    """Unnormalised Gaussian: exp(-0.5 ((x - centre) / width)^2)."""
    return math.exp(-0.5 * ((x - centre) / width) ** 2)


class OracleLearner(mesa.Agent):
    """One learner with plain attributes; the field names match :class:`sim.state.State`."""

    model: OracleModel

    def __init__(self, model: OracleModel, index: int, z: list[float]) -> None:
        super().__init__(model)
        p = model.p
        self.index = index
        z_skill, z_eff, z_arousal, z_m, z_l, z_a = z
        # Initial population (same formulas as sim.state.initial_state, written per agent).
        self.skill = clip(p["skill_mean"] + p["skill_sd"] * z_skill, 0.0, LEVEL_MAX)
        rho = p["efficacy_skill_corr"]
        self.efficacy = clip(
            p["efficacy_mean"] + p["efficacy_sd"] * (rho * z_skill + math.sqrt(1.0 - rho**2) * z_eff), 0.0, LEVEL_MAX
        )
        self.arousal_base = clip(p["arousal_baseline"] + p["arousal_baseline_sd"] * z_arousal, 0.0, 1.0)
        self.arousal = self.arousal_base
        self.strength = p["strength_init"]
        self.reappraisal = p["reappraisal_init"]
        self.credibility = p["credibility_init"]
        self.persuaded_level = -math.inf  # no persuader has claimed anything yet
        self.task_level = 0.0
        self.ladder_level = 0.0
        self.sens_mastery = math.exp(p["sensitivity_sd"] * z_m)
        self.sens_learning = math.exp(p["sensitivity_sd"] * z_l)
        self.sens_arousal = math.exp(p["sensitivity_sd"] * z_a)
        self.initial_skill = self.skill
        self.initial_efficacy = self.efficacy
        self.engagement = ENGAGED
        self.avoid_streak = 0
        self.attempts = self.successes = self.failures = self.streak = self.dose = 0
        self.targeted = {k: False for k in INTERVENTION_KINDS}
        # what happened in the last step
        self.difficulty = math.nan
        self.attempted = self.success = self.handed = self.shocked = False
        self.effort = 0.0
        self.d_mastery = self.d_vicarious = self.d_persuasion = self.d_physiological = 0.0
        self.observes: list[OracleLearner] = []

    # -- stage 1 ---------------------------------------------------------------------------------
    def decide(self, u: np.ndarray) -> None:
        """Re-engage, receive interventions, meet the task, appraise it, choose and set effort."""
        m, p = self.model, self.model.p
        self.u = [float(x) for x in u[:, self.index]]  # this agent's draws for the step

        # re-engagement
        if self.engagement == DISENGAGED and self.u[S.U_REENGAGE] < p["reengage_prob"]:
            self.engagement = ENGAGED
            self.avoid_streak = 0
        self.engaged = self.engagement != DISENGAGED

        # interventions: whom they target is fixed at their start step
        self.received = {}
        for k, iv in m.interventions.items():
            if iv["start"] == m.t:
                self.targeted[k] = self.efficacy < iv["threshold"] if iv["target"] == "below" else True
            on = iv["start"] <= m.t < iv["end"]
            row = S.U_INTERVENTION0 + INTERVENTION_KINDS.index(k)
            self.received[k] = on and self.targeted[k] and self.engaged and self.u[row] < iv["intensity"]
        ladder = m.interventions.get("mastery_ladder")
        if ladder is not None and ladder["start"] == m.t and self.targeted["mastery_ladder"]:
            self.ladder_level = clip(self.skill - p["ladder_offset"], 0.0, LEVEL_MAX)

        # task difficulty from the schedule phase (the ladder replaces it for those who receive it)
        ph = m.phase
        if ph["start"] == m.t:
            self.task_level = ph["level"]
        noise = ph["spread"] * (2.0 * self.u[S.U_TASK] - 1.0)
        kind = ph["kind"]
        if kind == "constant":
            d = ph["level"]
        elif kind == "ramp":
            d = ph["level"] + ph["ramp_rate"] * (m.t - ph["start"])
        elif kind == "adaptive":
            d = self.task_level
        elif kind == "random":
            d = ph["level"] + noise
        else:  # self_chosen: own efficacy plus an offset
            d = self.efficacy + ph["offset"] + noise
        d = clip(d, 0.0, LEVEL_MAX)
        if self.received.get("mastery_ladder"):
            d = self.ladder_level
        self.d = d

        # threat or challenge, and arousal
        self.threat = logistic((d - self.efficacy - p["threat_margin"]) / p["appraisal_scale"])
        rested = self.arousal + p["arousal_decay"] * (self.arousal_base - self.arousal)
        if self.engaged:
            drive = self.threat + p["challenge_arousal"] * (1.0 - self.threat)
            reactivity = p["arousal_reactivity"] * self.sens_arousal
            self.next_arousal = clip(rested + reactivity * drive * (1.0 - rested), 0.0, 1.0)
        else:
            self.next_arousal = rested

        # approach or avoid
        p_attempt = logistic((self.efficacy + p["avoid_margin"] - d) / p["avoid_scale"])
        approach = self.u[S.U_ATTEMPT] < p_attempt or not p["use_avoidance"]  # off: always attempt
        self.attempt = self.engaged and approach

        # effort: rises with demand, collapses when success looks out of reach
        self.expected = logistic((self.efficacy - d) / p["belief_scale"])
        if self.expected < p["giveup_expectancy"]:
            self.planned_effort = p["effort_min"]
        else:
            demand = (d - self.efficacy + p["effort_span"]) / p["effort_span"]
            e_min = p["effort_min"]
            self.planned_effort = clip(e_min + (1.0 - e_min) * demand, e_min, 1.0)

    # -- stage 2 ---------------------------------------------------------------------------------
    def act(self) -> None:
        """Perform (or be hit by a shock); the outcome is what observers see this step."""
        m, p = self.model, self.model.p
        e = self.planned_effort
        # Yerkes-Dodson: the best arousal falls as the task gets harder for this agent
        hard = logistic((self.d - self.skill) / p["yd_hardness_scale"])
        optimum = p["yd_opt_easy"] + (p["yd_opt_hard"] - p["yd_opt_easy"]) * hard
        efficiency = bell(self.next_arousal, optimum, p["yd_width"])
        # arousal away from the optimum costs up to yd_cost levels of capability
        capability = self.skill + p["effort_gain"] * (e - 0.5) - p["yd_cost"] * (1.0 - efficiency)
        p_success = logistic((capability - self.d) / p["perf_scale"])
        self.earned = self.attempt and self.u[S.U_OUTCOME] < p_success
        self.was_handed = self.received.get("handed_success", False) and self.attempt and not self.earned
        reported = self.earned or self.was_handed

        # shocks: a severe full-effort failure at a task at one's own efficacy
        # (one draw decides for every shock of the step; an agent hit by several takes the worst)
        hits = [sh for sh in m.shocks_now if self.engaged and self.u[S.U_SHOCK] < sh["share"]]
        self.was_shocked = bool(hits)
        self.shock_severity = max((sh["severity"] for sh in hits), default=0.0)
        if self.was_shocked:
            spike = max(sh["arousal"] for sh in hits)
            self.next_arousal += spike * (1.0 - self.next_arousal)
            self.task = self.efficacy
        else:
            self.task = self.d
        self.acted = self.attempt or self.was_shocked
        self.outcome = reported and not self.was_shocked

    # -- stage 3 ---------------------------------------------------------------------------------
    def learn(self) -> None:
        """Work out new skill and beliefs from own outcome and the neighbours' (not applied yet)."""
        p = self.model.p
        eff, e = self.efficacy, self.planned_effort

        # skill: practice, or decay without it
        if self.attempt and not self.was_shocked:
            zone = bell(self.d - self.skill, p["stretch_opt"], p["stretch_width"])
            factor = 1.0 if self.earned else p["failure_learning"]
            rate = p["learn_rate"] * self.sens_learning
            self.next_skill = self.skill + rate * e * zone * factor * (LEVEL_MAX - self.skill) / LEVEL_MAX
        else:
            self.next_skill = self.skill - p["skill_decay"] * self.skill

        # mastery: surprise weighted by how diagnostic the outcome was
        if self.was_shocked:
            weight, expected = self.shock_severity, 0.5
        else:
            weight = 1.0 - p["effort_attribution"] * (1.0 - e)
            if self.was_handed:
                weight *= p["handed_discount"]
            expected = self.expected
        # with mastery switched off, own outcomes are no evidence at all
        self.error = (float(self.outcome) - expected) if self.acted and p["use_mastery"] else 0.0
        self.weight = weight
        gain = p["mastery_gain_success"] if self.error >= 0.0 else p["mastery_gain_failure"]
        d_mastery = gain * self.sens_mastery * weight * self.error / (1.0 + self.strength)

        # vicarious: neighbours seen acting this step, most informative one stage ahead
        def evidence(level: float, outcome: bool) -> float:
            floor = p["similarity_floor"]
            similar = floor + (1.0 - floor) * bell(level - eff, p["stage_ahead"], p["similarity_width"])
            return similar * (float(outcome) - logistic((eff - level) / p["belief_scale"]))

        seen = [o for o in self.observes if o.acted]
        d_vic = sum(evidence(o.task, o.outcome) for o in seen) / len(seen) if seen else 0.0
        if self.received.get("peer_modelling"):
            d_vic += evidence(eff + p["stage_ahead"], True)
        if self.received.get("expert_modelling"):
            d_vic += evidence(eff + p["expert_gap"], True)
        d_vic = p["vicarious_gain"] * d_vic / (1.0 + self.strength) if self.engaged else 0.0

        # social persuasion: everyday encouragement, specific feedback, generic praise (in that order)
        messages = [
            (
                self.engaged and self.u[S.U_PERSUADE] < p["persuasion_rate"],
                eff + p["peer_praise_inflation"],
                p["generic_specificity"],
            ),
            (self.received.get("specific_persuasion", False), self.skill + p["persuasion_margin"], 1.0),
            (self.received.get("generic_praise", False), eff + p["praise_inflation"], p["generic_specificity"]),
        ]
        d_pers = 0.0
        self.next_claimed = self.persuaded_level
        for got, level, specificity in messages:
            if got:
                d_pers += p["persuasion_gain"] * self.credibility * specificity * (level - eff) / (1.0 + self.strength)
                self.next_claimed = level

        # physiological state, read as anxiety unless reappraised as readiness
        self.next_reappraisal = self.reappraisal
        if self.received.get("arousal_reappraisal"):
            self.next_reappraisal += p["reappraisal_rate"] * (1.0 - self.reappraisal)
        d_phys = 0.0
        if self.acted and p["use_physiological"]:
            reading = (1.0 if self.was_shocked else self.threat) * (1.0 - self.next_reappraisal)
            excess = max(0.0, self.next_arousal - p["anxiety_threshold"])
            d_phys = -p["physio_gain"] * excess * reading / (1.0 + self.strength)

        self.next_efficacy = clip(eff + d_mastery + d_vic + d_pers + d_phys, 0.0, LEVEL_MAX)
        self.d_mastery, self.d_vicarious, self.d_persuasion, self.d_physiological = d_mastery, d_vic, d_pers, d_phys

    # -- stage 4 ---------------------------------------------------------------------------------
    def commit(self) -> None:
        """Apply the new state: strength, credibility, staircases, history, engagement."""
        m, p = self.model, self.model.p
        if p["use_strength"]:  # off: strength keeps its initial value
            self.strength = (1.0 - p["strength_forgetting"]) * self.strength + p["strength_gain"] * self.weight * abs(
                self.error
            )

        # outcomes are judged against what persuaders claimed before this step
        claimed = self.persuaded_level
        if self.acted and not self.outcome and self.task <= claimed:
            self.credibility *= 1.0 - p["credibility_erosion"]  # a persuader was contradicted
        if self.acted and self.outcome and claimed > -math.inf:
            self.credibility += p["credibility_recovery"] * (1.0 - self.credibility)  # confirmed

        # weighted up-down staircases move on real (earned) outcomes only; a ladder step is not
        # a step of the schedule's staircase
        real = self.earned and not self.was_shocked
        on_ladder = self.received.get("mastery_ladder", False)
        if self.engaged and not on_ladder and m.phase["kind"] == "adaptive":
            target, step = m.phase["target_success"], m.phase["step_size"]
            self.task_level = clip(
                self.task_level + (step * (1.0 - target) if real else -step * target), 0.0, LEVEL_MAX
            )
        if on_ladder:
            target, step = p["ladder_target_success"], p["ladder_step"]
            self.ladder_level = clip(
                self.ladder_level + (step * (1.0 - target) if real else -step * target), 0.0, LEVEL_MAX
            )

        # history and engagement
        avoided = self.engaged and not self.acted
        self.avoid_streak = self.avoid_streak + 1 if avoided else 0
        if self.acted:
            self.attempts += 1
            if self.outcome:
                self.successes += 1
                self.streak = max(self.streak, 0) + 1
            else:
                self.failures += 1
                self.streak = min(self.streak, 0) - 1
        if not self.engaged or self.avoid_streak >= p["disengage_after"]:
            self.engagement = DISENGAGED
        else:
            self.engagement = AVOIDING if avoided else ENGAGED
        self.dose += sum(self.received.values())

        self.skill = clip(self.next_skill, 0.0, LEVEL_MAX)
        self.efficacy = self.next_efficacy
        self.arousal = self.next_arousal
        self.reappraisal = self.next_reappraisal
        self.persuaded_level = self.next_claimed
        self.difficulty = self.task if self.engaged else math.nan
        self.attempted = self.acted
        self.success = self.acted and self.outcome
        self.handed = self.was_handed
        self.shocked = self.was_shocked
        self.effort = (1.0 if self.was_shocked else self.planned_effort) if self.acted else 0.0


class OracleModel(mesa.Model):
    """Per-agent reference implementation of one run.

    Parameters
    ----------
    config : a validated :class:`~sim.config.Config`.
    rng : seed of the run (default ``config.seed``).
    run_index : index of the run in its experiment; with ``rng`` it fixes the run's stream exactly
        as in :class:`sim.batch.Batch`.
    """

    def __init__(self, config: Config, *, rng: int | None = None, run_index: int = 0) -> None:
        seed = config.seed if rng is None else int(rng)
        super().__init__(rng=seed)
        self.config = config
        self.p: dict[str, float] = dict(config.params)
        self.t = 0
        self.stream = S.run_stream(seed, run_index)
        n = config.agents
        z = self.stream.standard_normal((6, n))  # initial population: one row per draw, column per agent
        for i in range(n):
            OracleLearner(self, i, [float(x) for x in z[:, i]])
        self.learners = self.agents_by_type[OracleLearner]
        by_index = sorted(self.learners, key=lambda a: a.index)
        nb = observation_network(n, int(self.p["network_degree"]), self.p["network_rewire"], self.stream)
        for a in by_index:
            a.observes = [by_index[int(j)] for j in nb[a.index]]
        self.interventions: dict[str, dict[str, Any]] = {iv["kind"]: iv for iv in config.interventions}

    @property
    def phase(self) -> dict[str, Any]:
        """The schedule phase in force at step ``t`` (the last one that has started)."""
        return [ph for ph in self.config.schedule if ph["start"] <= self.t][-1]

    def step(self) -> None:
        """One synchronous step: all decide, all act, all learn, all commit."""
        u = self.stream.random((N_ROWS, self.config.agents))
        self.shocks_now = [sh for sh in self.config.shocks if sh["step"] == self.t]
        self.agents.do("decide", u)
        self.agents.do("act")
        self.agents.do("learn")
        self.agents.do("commit")
        self.t += 1

    def state_arrays(self) -> dict[str, np.ndarray]:
        """Every field of :class:`sim.state.State` as an array over agents (``targeted``: kinds x agents)."""
        from dataclasses import fields

        from sim.state import State

        agents = sorted(self.learners, key=lambda a: a.index)
        out = {}
        for f in fields(State):
            if f.name == "targeted":
                out[f.name] = np.array([[a.targeted[k] for a in agents] for k in INTERVENTION_KINDS])
            else:
                out[f.name] = np.array([getattr(a, f.name) for a in agents])
        return out
