"""The test oracle: the same model written plainly, one Mesa agent at a time.

This module re-implements the rules of :func:`sim.batch.advance` the way a Mesa user would write
them: an :class:`OracleLearner` holds plain float/int attributes and has one method per stage, and
:class:`OracleModel` drives the stages with ``self.agents.do(...)``. Every formula is written out
again with :mod:`math` scalars, independently of :mod:`sim.mechanisms`, so the tests can check the
vectorised core against it (``tests/test_oracle.py``). It is slow (pure Python) and meant for
reading and testing, not for experiments.

What it shares with the core, on purpose:

* the random stream (:func:`sim.streams.run_stream`) and the order of its draws: twelve standard
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
from statistics import NormalDist
from typing import Any

import mesa
import numpy as np

from sim import streams as S
from sim.config import Config
from sim.network import observation_network
from sim.params import INTERVENTION_KINDS, LEVEL_MAX
from sim.state import AVOIDING, DISENGAGED, ENGAGED

N_ROWS = S.N_ROWS
"""Uniform draws per agent per step: the fixed rows of :mod:`sim.streams`, one per intervention kind,
then the feedback-noise row and the two modelling demonstrations."""
U_FEEDBACK = S.U_FEEDBACK
N_INITIAL = S.N_INITIAL
"""Standard normal draws per agent at the start: six for the population, four for the biases, two
for the persuaders' first impressions."""
U_EDGE = 2.0**-53  # a uniform is kept in [U_EDGE, 1 - U_EDGE] before an inverse CDF
AMBIGUITY_FLOOR = 1e-6  # feedback this clear (levels) counts as unambiguous


def logistic(x: float) -> float:
    """1 / (1 + exp(-x)), without overflow for large |x|."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def clip(x: float, low: float, high: float) -> float:
    return min(max(x, low), high)


def inverse_normal(u: float) -> float:
    """Standard normal quantile of a uniform draw."""
    return NormalDist().inv_cdf(clip(u, U_EDGE, 1.0 - U_EDGE))


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
        z_skill, z_eff, z_arousal, z_m, z_l, z_a, z_opt, z_good, z_bad, z_ss, z_teacher, z_peer = z
        self.z_skill, self.z_eff = z_skill, z_eff  # kept for the other domains' draws
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
        # broad individual differences: one log-normal multiplier per sensitivity (1 when switched off)
        individual = p["use_individual_differences"]
        self.sens_mastery = math.exp(p["mastery_sensitivity_sd"] * z_m) if individual else 1.0
        self.sens_learning = math.exp(p["learning_sensitivity_sd"] * z_l) if individual else 1.0
        self.sens_arousal = math.exp(p["arousal_sensitivity_sd"] * z_a) if individual else 1.0
        # person-level biases in self-evaluation
        self.optimism = p["optimism_mean"] + p["optimism_sd"] * z_opt if p["use_optimism"] else 0.0
        self.good_news = math.exp(p["good_news_sd"] * z_good) if p["use_news_asymmetry"] else 1.0
        self.bad_news = math.exp(p["bad_news_sd"] * z_bad) if p["use_news_asymmetry"] else 1.0
        if p["use_self_serving"]:
            self.self_serving = clip(p["self_serving_mean"] + p["self_serving_sd"] * z_ss, 0.0, 1.0)
        else:
            self.self_serving = 0.0
        self.initial_skill = self.skill
        self.initial_efficacy = self.efficacy
        # the teacher's and the peers' first impressions of this learner's skill, with error
        self.teacher_expectation = clip(self.skill + p["teacher_impression_sd"] * z_teacher, 0.0, LEVEL_MAX)
        self.peer_expectation = clip(self.skill + p["peer_impression_sd"] * z_peer, 0.0, LEVEL_MAX)
        self.praise_focus = 0.0
        self.d_observational = 0.0
        self.engagement = ENGAGED
        self.avoid_streak = 0
        self.attempts = self.successes = self.failures = self.streak = self.dose = 0
        self.targeted = {k: False for k in INTERVENTION_KINDS}
        # what happened in the last step
        self.difficulty = math.nan
        self.attempted = self.success = self.handed = self.shocked = False
        self.effort = 0.0
        self.d_mastery = self.d_vicarious = self.d_persuasion = self.d_physiological = 0.0
        self.perceived = math.nan
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
        # on complex tasks effort carries less of the performance (task complexity)
        complexity = m.phase["complexity"] if p["use_complexity"] else 0.0
        effort_gain = p["effort_gain"] * (1.0 - p["complexity_effort_damping"] * complexity)
        capability = self.skill + effort_gain * (e - 0.5) - p["yd_cost"] * (1.0 - efficiency)
        p_success = logistic((capability - self.d) / p["perf_scale"])
        self.p_success = p_success
        self.earned = self.attempt and self.u[S.U_OUTCOME] < p_success
        # the latent margin behind the outcome: positive exactly when the attempt succeeds
        u_out = clip(self.u[S.U_OUTCOME], U_EDGE, 1.0 - U_EDGE)
        self.margin = capability - self.d - p["perf_scale"] * math.log(u_out / (1.0 - u_out))
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

        # skill: error-driven practice (information in the outcome, given the true chance), or decay
        if self.attempt and not self.was_shocked:
            if p["use_error_learning"]:
                info = (1.0 - self.p_success) if self.earned else p["failure_learning"] * self.p_success
            else:
                info = (1.0 + p["failure_learning"]) / 4.0
            rate = p["learn_rate"] * self.sens_learning
            self.next_skill = self.skill + rate * e * info * (LEVEL_MAX - self.skill) / LEVEL_MAX
        else:
            self.next_skill = self.skill - p["skill_decay"] * self.skill

        # perceived outcome: the margin seen through ambiguous feedback, read against the belief
        ambiguity = self.model.phase["ambiguity"] if p["use_feedback_ambiguity"] else 0.0
        if self.received.get("specific_persuasion"):
            ambiguity *= 1.0 - p["feedback_clarity"]  # explicit feedback clears part of it
        if self.was_shocked:
            seen = 0.0
        elif self.was_handed:
            seen = 1.0
        elif ambiguity > AMBIGUITY_FLOOR:
            b2 = p["belief_scale"] ** 2
            signal = self.margin + ambiguity * inverse_normal(self.u[U_FEEDBACK])
            expected_margin = eff - self.d + self.optimism
            share = b2 / (b2 + ambiguity**2)  # weight of the signal against the expectation
            estimate = share * signal + (1.0 - share) * expected_margin
            spread = ambiguity * math.sqrt(b2) / math.sqrt(b2 + ambiguity**2)
            seen = logistic(estimate / spread)
        else:
            seen = 1.0 if self.earned else 0.0
        self.perceived = seen if self.acted else math.nan

        # mastery: surprise weighted by how diagnostic the outcome was
        expected = 0.5 if self.was_shocked else self.expected
        # with mastery switched off, own outcomes are no evidence at all
        self.error = (seen - expected) if self.acted and p["use_mastery"] else 0.0
        good = (seen - expected) >= 0.0 if self.acted else True
        if self.was_shocked:
            weight = self.shock_severity
        else:
            # self-serving attribution: good news credited to ability, bad news partly excused
            slack = p["effort_attribution"] * (1.0 - e)
            keep = 1.0 - self.self_serving
            weight = 1.0 - slack * keep if good else (1.0 - slack) * keep
            if self.was_handed:
                weight *= p["handed_discount"]
            if p["use_praise_focus"] and self.attempt and not self.was_handed and not good:
                f = self.praise_focus  # a failure read through the praise received before
                weight = weight + f * (1.0 - weight) if f >= 0.0 else weight * (1.0 + f)
        self.weight = weight
        if self.error >= 0.0:
            gain = p["mastery_gain_success"] * self.good_news
        else:
            gain = p["mastery_gain_failure"] * self.bad_news
        d_mastery = gain * self.sens_mastery * weight * self.error / (1.0 + self.strength)

        # vicarious: neighbours seen acting this step; similarity from visible records (own vs model's)
        own = self.peer_expectation

        def similar(record: float) -> float:
            floor = p["similarity_floor"]
            return floor + (1.0 - floor) * bell(record - own, p["stage_ahead"], p["similarity_width"])

        def evidence(level: float, record: float, outcome: bool) -> float:
            return similar(record) * (float(outcome) - logistic((eff - level) / p["belief_scale"]))

        d_vic = 0.0
        if p["use_vicarious"]:
            seen = [o for o in self.observes if o.acted]
            d_vic = sum(evidence(o.task, o.peer_expectation, o.outcome) for o in seen) / len(seen) if seen else 0.0

        # real models: a peer one stage ahead by record, or the run's best performer, tries this agent's task
        self.d_observational = 0.0
        for kind, row in (("peer_modelling", S.U_PEER_DEMO), ("expert_modelling", S.U_EXPERT_DEMO)):
            if not self.received.get(kind) or not (p["use_vicarious"] or p["use_observational_learning"]):
                continue
            others = [a for a in self.model.by_index if a is not self]
            if not others:
                continue
            if kind == "peer_modelling":
                target = own + p["stage_ahead"]
                model = others[0]
                for a in others[1:]:
                    if abs(a.peer_expectation - target) < abs(model.peer_expectation - target):
                        model = a
            else:
                model = others[0]
                for a in others[1:]:
                    if a.peer_expectation > model.peer_expectation:
                        model = a
            p_demo = logistic((model.skill + p["effort_gain"] / 2.0 - self.d) / p["perf_scale"])
            shown_success = self.u[row] < p_demo
            if p["use_vicarious"]:
                d_vic += similar(model.peer_expectation) * (float(shown_success) - self.expected)
            if p["use_observational_learning"] and shown_success:
                rate = p["learn_rate"] * self.sens_learning
                gain = (
                    p["observational_learning"] * rate * (1.0 - self.p_success) * (LEVEL_MAX - self.skill) / LEVEL_MAX
                )
                self.d_observational += gain
        self.next_skill += self.d_observational
        d_vic = p["vicarious_gain"] * d_vic / (1.0 + self.strength) if (self.engaged and p["use_vicarious"]) else 0.0

        # social persuasion from entities: everyday peers (their expectation of this learner), then the
        # teacher's specific feedback, ability praise and effort praise (the teacher's expectation)
        talk = bool(p["use_persuasion"])
        by_expectation = bool(p["use_expectations"])
        x_t, x_p = self.teacher_expectation, self.peer_expectation
        praise_level = (x_t if by_expectation else eff) + p["praise_inflation"]
        if by_expectation:
            g = p["generic_specificity"]
            specific_spec = g + (1.0 - g) * logistic((x_t - self.d) / p["belief_scale"])
        else:
            specific_spec = 1.0
        self.ability_praised = talk and self.received.get("generic_praise", False)
        self.effort_praised = talk and self.received.get("effort_praise", False)
        messages = [
            (
                talk and self.engaged and self.u[S.U_PERSUADE] < p["persuasion_rate"],
                (x_p if by_expectation else eff) + p["peer_praise_inflation"],
                p["generic_specificity"],
                p["peer_credibility"],
            ),
            (
                talk and self.received.get("specific_persuasion", False),
                (x_t if by_expectation else self.skill) + p["persuasion_margin"],
                specific_spec,
                p["teacher_credibility"],
            ),
            (self.ability_praised, praise_level, p["generic_specificity"], p["teacher_credibility"]),
            (self.effort_praised, praise_level, p["generic_specificity"], p["teacher_credibility"]),
        ]
        d_pers = 0.0
        self.next_claimed = self.persuaded_level
        for got, level, specificity, source in messages:
            if got:
                trust = self.credibility * source
                d_pers += p["persuasion_gain"] * trust * specificity * (level - eff) / (1.0 + self.strength)
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

        # the teacher and the peers watched this attempt: the teacher knows what was earned, peers see
        # what was reported; each expected success as logistic((expectation - task) / belief_scale)
        if self.acted:
            for name, rate, seen_success in (
                ("teacher_expectation", p["teacher_expectation_rate"], real),
                ("peer_expectation", p["peer_expectation_rate"], self.outcome),
            ):
                x = getattr(self, name)
                surprise = float(seen_success) - logistic((x - self.task) / p["belief_scale"])
                setattr(self, name, clip(x + rate * surprise, 0.0, LEVEL_MAX))

        # praise focus: fades toward neutral, then moves toward ability (+1) or effort (-1) praise received
        f = (1.0 - p["praise_focus_decay"]) * self.praise_focus
        if self.ability_praised:
            f += p["praise_focus_rate"] * (1.0 - f)
        if self.effort_praised:
            f += p["praise_focus_rate"] * (-1.0 - f)
        self.praise_focus = f
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
        z = self.stream.standard_normal((N_INITIAL, n))  # initial population: one row per draw, column per agent
        for i in range(n):
            OracleLearner(self, i, [float(x) for x in z[:, i]])
        self.learners = self.agents_by_type[OracleLearner]
        by_index = sorted(self.learners, key=lambda a: a.index)
        self.by_index = by_index
        nb = observation_network(n, int(self.p["network_degree"]), self.p["network_rewire"], self.stream)
        for a in by_index:
            a.observes = [by_index[int(j)] for j in nb[a.index]]
        self.all_interventions: dict[str, dict[str, Any]] = {iv["kind"]: iv for iv in config.interventions}
        self.interventions = self.all_interventions
        self.domain_names = list(config.domain_names)
        self.active = 0
        if len(self.domain_names) > 1:
            self._init_domains(seed, run_index)

    # -- several domains (docs/ODD.md 7.22, 7.23), written out per learner ------------------------
    PER_DOMAIN = (
        "skill",
        "efficacy",
        "strength",
        "task_level",
        "persuaded_level",
        "teacher_expectation",
        "peer_expectation",
        "initial_skill",
        "initial_efficacy",
    )

    def _init_domains(self, seed: int, run_index: int) -> None:
        """Every learner's values in each domain (lists indexed by domain) and its self-esteem."""
        p, k, n = self.p, len(self.domain_names), self.config.agents
        key = (int(run_index), S.DOMAIN_STREAM_KEY)
        extra = np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=key)).standard_normal(
            (1 + 4 * (k - 1), n)
        )
        # Cholesky factor of the correlation matrix with domain_corr off the diagonal, by hand
        c = p["domain_corr"]
        corr = [[1.0 if i == j else c for j in range(k)] for i in range(k)]
        low = [[0.0] * k for _ in range(k)]
        for i in range(k):
            for j in range(i + 1):
                acc = corr[i][j] - sum(low[i][m] * low[j][m] for m in range(j))
                low[i][j] = math.sqrt(acc) if i == j else acc / low[j][j]
        rel = self.config.domains["relatedness"]
        self.relatedness = [[float(x) for x in row] for row in rel]
        rho = p["efficacy_skill_corr"]
        for a in self.by_index:
            i = a.index
            zs = [a.z_skill] + [float(extra[1 + 4 * (j - 1), i]) for j in range(1, k)]
            ze = [a.z_eff] + [float(extra[2 + 4 * (j - 1), i]) for j in range(1, k)]
            a.dom = {f: [getattr(a, f)] * k for f in self.PER_DOMAIN}
            for j in range(1, k):
                z_s = sum(low[j][m] * zs[m] for m in range(j + 1))
                z_e = sum(low[j][m] * ze[m] for m in range(j + 1))
                sk = clip(p["skill_mean"] + p["skill_sd"] * z_s, 0.0, LEVEL_MAX)
                ef = clip(
                    p["efficacy_mean"] + p["efficacy_sd"] * (rho * z_s + math.sqrt(1.0 - rho**2) * z_e), 0.0, LEVEL_MAX
                )
                a.dom["skill"][j] = a.dom["initial_skill"][j] = sk
                a.dom["efficacy"][j] = a.dom["initial_efficacy"][j] = ef
                z_t, z_p = float(extra[3 + 4 * (j - 1), i]), float(extra[4 + 4 * (j - 1), i])
                a.dom["teacher_expectation"][j] = clip(sk + p["teacher_impression_sd"] * z_t, 0.0, LEVEL_MAX)
                a.dom["peer_expectation"][j] = clip(sk + p["peer_impression_sd"] * z_p, 0.0, LEVEL_MAX)
            r = p["self_esteem_efficacy_corr"]
            z_first = rho * a.z_skill + math.sqrt(1.0 - rho**2) * a.z_eff
            z_total = r * z_first + math.sqrt(1.0 - r**2) * float(extra[0, i])
            a.self_esteem = a.self_esteem_usual = clip(p["self_esteem_mean"] + p["self_esteem_sd"] * z_total, 0.0, 1.0)

    def task_domain(self) -> int:
        """Index of the domain of the task at step ``t`` (a phase's list is practised in turn)."""
        ph = self.phase
        names = ph.get("domain") or [self.domain_names[0]]
        return self.domain_names.index(names[(self.t - ph["start"]) % len(names)])

    def _enter_domain(self) -> None:
        a_dom = self.task_domain()
        self.active = a_dom
        name = self.domain_names[a_dom]
        self.interventions = {
            k: iv for k, iv in self.all_interventions.items() if iv.get("domain") is None or iv["domain"] == name
        }
        restart = self.phase["start"] == self.t
        for a in self.learners:
            if restart:  # every domain's staircase restarts at the phase level
                a.dom["task_level"] = [self.phase["level"]] * len(self.domain_names)
            for f in self.PER_DOMAIN:
                setattr(a, f, a.dom[f][a_dom])
            a.efficacy_before, a.skill_before = a.efficacy, a.skill

    def _leave_domain(self) -> None:
        p, j_act = self.p, self.active
        spread = p["use_transfer"] > 0
        for a in self.learners:
            for f in self.PER_DOMAIN:
                a.dom[f][j_act] = getattr(a, f)
            d_eff = a.efficacy - a.efficacy_before
            gain = max(a.skill - a.skill_before, 0.0)
            for j in range(len(self.domain_names)):
                if j == j_act:
                    continue
                s = a.dom["skill"][j] - p["skill_decay"] * a.dom["skill"][j]
                if spread:
                    rel = self.relatedness[j_act][j]
                    e = a.dom["efficacy"][j] + p["generality"] * rel * d_eff
                    a.dom["efficacy"][j] = clip(e, 0.0, LEVEL_MAX)
                    s = s + p["skill_transfer"] * rel * gain
                a.dom["skill"][j] = clip(s, 0.0, LEVEL_MAX)
            if p["use_self_esteem"]:
                x = a.self_esteem + p["self_esteem_anchoring"] * (a.self_esteem_usual - a.self_esteem)
                if a.attempted:
                    x = x + p["self_esteem_outcome_rate"] * ((1.0 if a.success else 0.0) - x)
                if a.ability_praised:
                    x = x + p["self_esteem_praise_gain"] * (1.0 - x)
                a.self_esteem = x

    def domain_arrays(self) -> dict[str, np.ndarray]:
        """Per-domain fields as (agents, domains) arrays and ``self_esteem`` (agents,) (several domains only)."""
        agents = self.by_index
        out = {f: np.array([a.dom[f] for a in agents]) for f in self.PER_DOMAIN}
        out["self_esteem"] = np.array([a.self_esteem for a in agents])
        return out

    @property
    def phase(self) -> dict[str, Any]:
        """The schedule phase in force at step ``t`` (the last one that has started)."""
        return [ph for ph in self.config.schedule if ph["start"] <= self.t][-1]

    def step(self) -> None:
        """One synchronous step: all decide, all act, all learn, all commit."""
        u = self.stream.random((N_ROWS, self.config.agents))
        self.shocks_now = [sh for sh in self.config.shocks if sh["step"] == self.t]
        several = len(self.domain_names) > 1
        if several:
            self._enter_domain()
        self.agents.do("decide", u)
        self.agents.do("act")
        self.agents.do("learn")
        self.agents.do("commit")
        if several:
            self._leave_domain()
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
