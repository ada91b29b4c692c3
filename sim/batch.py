"""The array core: steps a batch of runs, state shaped (runs, agents).

Everything else drives this one core: the Mesa model wraps a batch of one, the sweep engine stacks
many runs, the dashboard steps one or two. Per-run parameters are (runs, 1) arrays, so runs with
different parameters, schedules, shocks and interventions step together; each run draws only from
its own random stream (:mod:`sim.streams`), so its numbers never depend on its batch-mates.

One step, for every engaged agent (docs/ODD.md, "Process overview"):
re-engagement -> intervention targeting -> task difficulty -> appraisal and arousal ->
approach/avoid -> effort -> performance -> handed success, shocks -> skill ->
efficacy from the four sources -> strength, credibility, staircases -> history.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np

from sim import multidomain
from sim import network as netmod
from sim import streams as S
from sim.config import Config
from sim.mechanisms import (
    appraisal,
    choice,
    complexity,
    effort,
    error_learning,
    expectations,
    feedback,
    mastery,
    modelling,
    observational,
    performance,
    persuasion,
    physiological,
    praise_focus,
    schedules,
    self_evaluation,
    skill,
    vicarious,
)
from sim.mechanisms._common import expectancy, logistic
from sim.params import INTERVENTION_KINDS, LEVEL_MAX, PARAMS
from sim.state import AVOIDING, DISENGAGED, ENGAGED, State, initial_state

N_ROWS = S.N_ROWS
KIND_INDEX = {k: i for i, k in enumerate(INTERVENTION_KINDS)}
_NEVER = np.iinfo(np.int64).max
PHASE_FIELDS = ("level", "spread", "ramp_rate", "target_success", "step_size", "offset", "ambiguity", "complexity")
"""Numeric schedule-phase fields stacked as ``ev.phase_<name>`` arrays."""


def stack_params(configs: Sequence[Config]) -> SimpleNamespace:
    """Scalar parameters as (runs, 1) arrays."""
    return SimpleNamespace(**{p.name: np.array([[c.params[p.name]] for c in configs], dtype=float) for p in PARAMS})


def stack_events(configs: Sequence[Config]) -> SimpleNamespace:
    """Schedule phases (runs, phases), shocks (runs, shocks) and interventions (kinds, runs) as arrays."""
    runs = len(configs)
    n_ph = max(len(c.schedule) for c in configs)
    n_sh = max((len(c.shocks) for c in configs), default=0)
    ev = SimpleNamespace()
    ev.phase_start = np.full((runs, n_ph), _NEVER, dtype=np.int64)
    ev.phase_kind = np.zeros((runs, n_ph), dtype=np.int64)
    for name in PHASE_FIELDS:
        setattr(ev, "phase_" + name, np.zeros((runs, n_ph)))
    ev.shock_step = np.full((runs, n_sh), -1, dtype=np.int64)
    ev.shock_severity = np.zeros((runs, n_sh))
    ev.shock_share = np.zeros((runs, n_sh))
    ev.shock_arousal = np.zeros((runs, n_sh))
    k = len(INTERVENTION_KINDS)
    ev.iv_on = np.zeros((k, runs), dtype=bool)
    ev.iv_start = np.zeros((k, runs), dtype=np.int64)
    ev.iv_end = np.zeros((k, runs), dtype=np.int64)
    ev.iv_below = np.zeros((k, runs), dtype=bool)
    ev.iv_threshold = np.zeros((k, runs))
    ev.iv_intensity = np.zeros((k, runs))
    for r, c in enumerate(configs):
        for j, ph in enumerate(c.schedule):
            ev.phase_start[r, j] = ph["start"]
            ev.phase_kind[r, j] = schedules.KIND_CODE[ph["kind"]]
            for name in PHASE_FIELDS:
                getattr(ev, "phase_" + name)[r, j] = ph[name]
        for j, sh in enumerate(c.shocks):
            ev.shock_step[r, j] = sh["step"]
            ev.shock_severity[r, j] = sh["severity"]
            ev.shock_share[r, j] = sh["share"]
            ev.shock_arousal[r, j] = sh["arousal"]
        for iv in c.interventions:
            i = KIND_INDEX[iv["kind"]]
            ev.iv_on[i, r] = True
            ev.iv_start[i, r] = iv["start"]
            ev.iv_end[i, r] = iv["end"]
            ev.iv_below[i, r] = iv["target"] == "below"
            ev.iv_threshold[i, r] = iv["threshold"]
            ev.iv_intensity[i, r] = iv["intensity"]
    return ev


def used_rows(p: SimpleNamespace, ev: SimpleNamespace) -> list[int]:
    """The rows of the step draws (:mod:`sim.streams`) that :func:`advance` can read for these runs.

    Every other row would only be compared with a zero rate or belongs to an absent event, so skipping
    it changes no number (:class:`sim.streams.StepUniforms` leaves the stream where drawing it would).
    """
    rows = [S.U_ATTEMPT, S.U_OUTCOME]
    if np.isin(ev.phase_kind, (schedules.RANDOM, schedules.SELF_CHOSEN)).any():
        rows.append(S.U_TASK)
    if ev.shock_step.shape[1] > 0:
        rows.append(S.U_SHOCK)
    if ((p.persuasion_rate > 0) & (p.use_persuasion > 0)).any():
        rows.append(S.U_PERSUADE)
    if (p.reengage_prob > 0).any():
        rows.append(S.U_REENGAGE)
    rows += [S.U_INTERVENTION0 + k for k in range(len(INTERVENTION_KINDS)) if ev.iv_on[k].any()]
    if ((p.use_feedback_ambiguity != 0) & (ev.phase_ambiguity > 0)).any():
        rows.append(S.U_FEEDBACK)
    watching = ((p.use_vicarious > 0) | (p.use_observational_learning > 0)).ravel()
    for kind, demo_row in (("peer_modelling", S.U_PEER_DEMO), ("expert_modelling", S.U_EXPERT_DEMO)):
        if (ev.iv_on[KIND_INDEX[kind]] & watching).any():
            rows.append(demo_row)
    return rows


class Batch:
    """A batch of runs stepping together.

    Parameters
    ----------
    configs : the runs' validated configs; all must have the same number of agents.
    seeds : experiment seed of each run (default: each config's ``seed``).
    run_indices : index of each run within its experiment (default: 0 for all, i.e. each run as if
        it ran alone). A run's stream is ``SeedSequence(seed, spawn_key=(index,))``.
    all_rows : draw every row of each step's uniforms, not only those :func:`used_rows` names (the
        numbers are the same either way; tests compare the two).

    Attributes
    ----------
    state : :class:`~sim.state.State` of arrays shaped (runs, agents); with several domains its
        per-domain fields show each run's domain of the last step (:data:`sim.multidomain.PER_DOMAIN`).
    domains : :class:`~sim.multidomain.DomainState` (per-domain arrays and self-esteem) when the runs
        declare more than one domain, else None (the single-domain model, with nothing extra).
    t : number of steps taken.
    """

    def __init__(
        self,
        configs: Sequence[Config],
        seeds: Sequence[int] | None = None,
        run_indices: Sequence[int] | None = None,
        all_rows: bool = False,
    ) -> None:
        configs = list(configs)
        if not configs:
            raise ValueError("a batch needs at least one config")
        agents = {c.agents for c in configs}
        if len(agents) != 1:
            raise ValueError(f"all runs in a batch need the same number of agents, got {sorted(agents)}")
        self.configs = configs
        self.runs = len(configs)
        self.agents = agents.pop()
        self.seeds = [c.seed for c in configs] if seeds is None else [int(s) for s in seeds]
        self.run_indices = [0] * self.runs if run_indices is None else [int(i) for i in run_indices]
        self.streams = [S.run_stream(s, i) for s, i in zip(self.seeds, self.run_indices, strict=True)]
        self.p = stack_params(configs)
        self.ev = stack_events(configs)
        self.t = 0

        draws = np.empty((self.runs, S.N_INITIAL, self.agents))
        for r, g in enumerate(self.streams):
            g.standard_normal(out=draws[r])
        self.state = initial_state(self.p, self.agents, draws)

        kmax = max(min(int(c.params["network_degree"]), self.agents - 1) for c in configs)
        self.neighbours = np.zeros((self.runs, self.agents, kmax), dtype=np.int64)
        self.neighbour_mask = np.zeros((self.runs, self.agents, kmax), dtype=bool)
        for r, (c, g) in enumerate(zip(configs, self.streams, strict=True)):
            nb = netmod.observation_network(self.agents, int(c.params["network_degree"]), c.params["network_rewire"], g)
            self.neighbours[r, :, : nb.shape[1]] = nb
            self.neighbour_mask[r, :, : nb.shape[1]] = True
        self._flat_neighbours = vicarious.flat_neighbours(self.neighbours, self.neighbour_mask)  # static network
        self.domains = multidomain.setup(configs, self.p, self.state, draws, self.seeds, self.run_indices)
        self.rows = list(range(N_ROWS)) if all_rows else used_rows(self.p, self.ev)
        self._uniforms = S.StepUniforms(self.streams, N_ROWS, self.agents, self.rows)

    # ------------------------------------------------------------------------------------------
    def step(self, u: np.ndarray | None = None) -> None:
        """Advance every run by one step. ``u`` (runs, N_ROWS, agents) overrides the draws (tests)."""
        if u is None:
            u = self._uniforms.next()
        ev, dom = self.ev, self.domains
        if dom is not None:  # several domains: the step sees each run's task domain (sim.multidomain)
            ev = multidomain.before_step(dom, self.state, self.p, self.ev, self.t, u)
        advance(self.state, self.p, ev, self.neighbours, self.neighbour_mask, self.t, u, self._flat_neighbours)
        if dom is not None:
            multidomain.after_step(dom, self.state, self.p, ev, self.t, u)
        self.t += 1

    def run(self, steps: int, callback=None) -> None:
        """Take ``steps`` steps, calling ``callback(batch)`` after each."""
        for _ in range(steps):
            self.step()
            if callback is not None:
                callback(self)


def advance(
    st: State,
    p: SimpleNamespace,
    ev: SimpleNamespace,
    neighbours: np.ndarray,
    neighbour_mask: np.ndarray,
    t: int,
    u: np.ndarray,
    flat_neighbours: np.ndarray | None = None,
) -> None:
    """One step of the model, in place. Pure array code: the same for 1 run or 10,000.

    ``flat_neighbours`` is :func:`sim.mechanisms.vicarious.flat_neighbours` of the network, if precomputed.
    """
    runs, n = st.shape
    row = lambda i: u[:, i, :]  # noqa: E731

    # 1. Re-engagement of disengaged agents
    back = (st.engagement == DISENGAGED) & (row(S.U_REENGAGE) < p.reengage_prob)
    st.engagement[back] = ENGAGED
    st.avoid_streak[back] = 0
    engaged = st.engagement != DISENGAGED

    # 2. Interventions: targeting is fixed at each intervention's start step
    active = ev.iv_on & (ev.iv_start <= t) & (t < ev.iv_end)  # (kinds, runs)
    starting = ev.iv_on & (ev.iv_start == t)
    received = np.zeros((len(INTERVENTION_KINDS), runs, n), dtype=bool)
    for k in range(len(INTERVENTION_KINDS)):
        if starting[k].any():
            sel = np.where(ev.iv_below[k][:, None], st.efficacy < ev.iv_threshold[k][:, None], True)
            st.targeted[k] = np.where(starting[k][:, None], sel, st.targeted[k])
        if active[k].any():
            intensity = ev.iv_intensity[k][:, None]
            received[k] = active[k][:, None] & st.targeted[k] & engaged & (row(S.U_INTERVENTION0 + k) < intensity)
    # (here and below, work that cannot change a value this step, such as an absent event's, is skipped)
    on = active.any(axis=1)  # (kinds,): kinds reaching someone this step
    ladder_k = KIND_INDEX["mastery_ladder"]
    ladder = received[ladder_k]
    if starting[ladder_k].any():
        ladder_start = starting[ladder_k][:, None] & st.targeted[ladder_k]
        st.ladder_level = np.where(ladder_start, np.clip(st.skill - p.ladder_offset, 0.0, LEVEL_MAX), st.ladder_level)

    # 3. Task difficulty from the active schedule phase (ladder overrides it for its targets)
    phase = np.maximum((ev.phase_start <= t).sum(axis=1) - 1, 0)  # (runs,)
    run_ids = np.arange(runs)
    take = lambda a: a[run_ids, phase][:, None]  # noqa: E731  (each run's active phase, as (runs, 1))
    phase_start = take(ev.phase_start)
    st.task_level = np.where(phase_start == t, take(ev.phase_level), st.task_level)
    d = schedules.difficulty(
        take(ev.phase_kind),
        t - phase_start,
        take(ev.phase_level),
        take(ev.phase_spread),
        take(ev.phase_ramp_rate),
        take(ev.phase_offset),
        st.task_level,
        st.efficacy,
        row(S.U_TASK),
    )
    if on[ladder_k]:
        d = np.where(ladder, st.ladder_level, d)

    # 4. Appraisal and arousal (engaged agents face the task)
    thr = appraisal.threat(st.efficacy, d, p.threat_margin, p.appraisal_scale)
    new_arousal = appraisal.arousal_update(
        st.arousal, st.arousal_base, thr, p.arousal_reactivity * st.sens_arousal, p.challenge_arousal, p.arousal_decay
    )
    rest = st.arousal + p.arousal_decay * (st.arousal_base - st.arousal)
    arousal = np.where(engaged, new_arousal, rest)

    # 5. Approach or avoid
    approach = row(S.U_ATTEMPT) < choice.attempt_probability(st.efficacy, d, p.avoid_margin, p.avoid_scale)
    attempt = engaged & (approach | (p.use_avoidance == 0))  # switched off: every engaged agent attempts

    # 6. Effort (motivational intensity)
    p_hat = expectancy(st.efficacy, d, p.belief_scale)
    eff = effort.effort(st.efficacy, d, p_hat, p.giveup_expectancy, p.effort_min, p.effort_span)

    # 7. Performance (Yerkes-Dodson efficiency)
    h = performance.hardness(d, st.skill, p.yd_hardness_scale)
    yd = performance.arousal_efficiency(arousal, h, p.yd_opt_easy, p.yd_opt_hard, p.yd_width)
    # task complexity weakens the effort route (7.17)
    gain_e = complexity.effort_gain(
        p.effort_gain, take(ev.phase_complexity), p.complexity_effort_damping, p.use_complexity
    )
    cap = performance.capability(st.skill, eff, gain_e, yd, p.yd_cost)
    p_success = logistic((cap - d) / p.perf_scale)
    earned = attempt & (row(S.U_OUTCOME) < p_success)

    # 8. Handed success: reported as success whatever the performance
    handed = received[KIND_INDEX["handed_success"]] & attempt & ~earned
    reported = earned | handed

    # 9. Shocks: a severe, full-effort failure at a task one believed within reach
    shocked = np.zeros((runs, n), dtype=bool)
    severity = np.zeros((runs, n))
    spike = np.zeros((runs, n))
    shock_now = bool((ev.shock_step == t).any())
    for j in range(ev.shock_step.shape[1]):
        now = (ev.shock_step[:, j] == t)[:, None]
        if now.any():
            hit = now & engaged & (row(S.U_SHOCK) < ev.shock_share[:, j : j + 1])
            shocked |= hit
            # an agent hit by several shocks at once takes the worst of those that hit it
            severity = np.where(hit, np.maximum(severity, ev.shock_severity[:, j : j + 1]), severity)
            spike = np.where(hit, np.maximum(spike, ev.shock_arousal[:, j : j + 1]), spike)
    task = d
    if shock_now:
        arousal = np.where(shocked, arousal + spike * (1.0 - arousal), arousal)
        task = np.where(shocked, st.efficacy, d)  # the shock task sits at the agent's efficacy
    acted = attempt | shocked
    outcome = reported & ~shocked

    # 10. Skill: error-driven practice (not during a shock), decay otherwise
    practised = attempt & ~shocked
    info = np.where(
        p.use_error_learning > 0,
        error_learning.information(earned, p_success, p.failure_learning),
        error_learning.flat_information(p.failure_learning),
    )
    gain = error_learning.practice_gain(st.skill, eff, info, p.learn_rate * st.sens_learning)
    new_skill = np.where(practised, st.skill + gain, st.skill - skill.decay(st.skill, p.skill_decay))

    # 11. Efficacy from the four sources
    # 11a mastery, from the perceived outcome (7.14) read with the agent's own biases (7.15)
    ambiguity = feedback.effective_ambiguity(
        take(ev.phase_ambiguity),
        received[KIND_INDEX["specific_persuasion"]],
        p.feedback_clarity,
        p.use_feedback_ambiguity,
    )
    margin = feedback.performance_margin(cap, d, p.perf_scale, row(S.U_OUTCOME))
    seen = feedback.perceived_success(
        margin, st.efficacy - d + st.optimism, ambiguity, p.belief_scale, row(S.U_FEEDBACK), earned
    )
    seen = np.where(handed, 1.0, seen)  # a handed success is announced as one
    p_task = p_hat
    if shock_now:
        seen = np.where(shocked, 0.0, seen)
        p_task = np.where(shocked, 0.5, p_hat)  # expectancy(e, e) = 1/2
    err = np.where(acted, mastery.surprise(seen, p_task), 0.0)
    w = self_evaluation.attributed_weight(eff, p.effort_attribution, err >= 0.0, st.self_serving)
    if on[KIND_INDEX["handed_success"]]:
        w = np.where(handed, w * p.handed_discount, w)
    if (p.use_praise_focus > 0).any():  # ability or effort praise received earlier shapes how a failure reads
        failed = attempt & ~handed & (err < 0.0) & (p.use_praise_focus > 0)  # a failure as the learner saw it
        w = np.where(failed, praise_focus.failure_weight(w, st.praise_focus), w)
    if shock_now:
        w = np.where(shocked, severity, w)
    use_mastery = p.use_mastery != 0  # switched off: own outcomes are no evidence (no efficacy, no strength)
    err = np.where(use_mastery, err, 0.0)
    d_mastery = mastery.efficacy_change(
        err,
        w,
        st.strength,
        p.mastery_gain_success * st.good_news,
        p.mastery_gain_failure * st.bad_news,
        st.sens_mastery,
    )
    # 11b vicarious: neighbours seen acting this step, plus real peer/expert models (7.9, 7.13, 7.14)
    shown = st.peer_expectation  # visible records, from before the step
    use_vic = p.use_vicarious > 0
    d_vic = np.zeros((runs, n))
    if use_vic.any():
        d_vic = vicarious.neighbour_evidence(
            st.efficacy,
            shown,
            neighbours,
            neighbour_mask,
            acted,
            task,
            outcome,
            p.stage_ahead,
            p.similarity_width,
            p.similarity_floor,
            p.belief_scale,
            flat_neighbours,
        )
    d_obs = np.zeros((runs, n))
    watch = (p.use_vicarious > 0) | (p.use_observational_learning > 0)
    for kind, demo_row in (("peer_modelling", S.U_PEER_DEMO), ("expert_modelling", S.U_EXPERT_DEMO)):
        got = received[KIND_INDEX[kind]] & watch
        if not got.any():
            continue
        model = (
            modelling.choose_peer(shown, got, p.stage_ahead)
            if kind == "peer_modelling"
            else modelling.choose_expert(shown)
        )
        got = got & (model >= 0)
        m = np.maximum(model, 0)
        model_skill = np.take_along_axis(st.skill, m, axis=1)
        model_shown = np.take_along_axis(shown, m, axis=1)
        demo = row(demo_row) < modelling.demonstration_probability(model_skill, d, p.effort_gain, p.perf_scale)
        weight = modelling.similarity(shown, model_shown, p.stage_ahead, p.similarity_width, p.similarity_floor)
        d_vic = d_vic + np.where(got & use_vic, modelling.evidence(weight, demo, p_hat), 0.0)
        watched = observational.watching_gain(
            st.skill, demo, p_success, p.learn_rate * st.sens_learning, p.observational_learning
        )
        d_obs = d_obs + np.where(got & (p.use_observational_learning > 0), watched, 0.0)
    new_skill = new_skill + d_obs
    d_vic = np.where(engaged & use_vic, p.vicarious_gain * d_vic / (1.0 + st.strength), 0.0)
    # 11c social persuasion from entities with their own credibility and expectations (7.10, 7.15):
    # everyday peers, then the teacher's specific feedback, ability praise and effort praise
    use_pers = p.use_persuasion > 0
    use_exp = p.use_expectations > 0
    x_t, x_p = st.teacher_expectation, st.peer_expectation
    got_ability = received[KIND_INDEX["generic_praise"]] & use_pers
    got_effort = received[KIND_INDEX["effort_praise"]] & use_pers

    def teacher_claim() -> np.ndarray:
        return np.where(use_exp, x_t, st.efficacy) + p.praise_inflation

    # (got, claimed level, specificity, source credibility); levels and specificities are computed only
    # for messages someone receives this step
    messages = (
        (
            engaged & use_pers & (row(S.U_PERSUADE) < p.persuasion_rate),
            lambda: np.where(use_exp, x_p, st.efficacy) + p.peer_praise_inflation,
            lambda: p.generic_specificity,
            p.peer_credibility,
        ),
        (
            received[KIND_INDEX["specific_persuasion"]] & use_pers,
            lambda: np.where(use_exp, x_t, st.skill) + p.persuasion_margin,
            lambda: np.where(use_exp, expectations.specificity(x_t, d, p.generic_specificity, p.belief_scale), 1.0),
            p.teacher_credibility,
        ),
        (got_ability, teacher_claim, lambda: p.generic_specificity, p.teacher_credibility),
        (got_effort, teacher_claim, lambda: p.generic_specificity, p.teacher_credibility),
    )
    d_pers = np.zeros((runs, n))
    claimed = st.persuaded_level
    for got, level_of, spec_of, source in messages:
        if not got.any():
            continue
        level = level_of()
        delta = persuasion.efficacy_change(
            st.efficacy, level, st.credibility * source, spec_of(), p.persuasion_gain, st.strength
        )
        d_pers = d_pers + np.where(got, delta, 0.0)
        claimed = np.where(got, level, claimed)
    # 11d physiological state, read through reappraisal
    reappraisal = st.reappraisal
    if on[KIND_INDEX["arousal_reappraisal"]]:
        reappraisal = np.where(
            received[KIND_INDEX["arousal_reappraisal"]],
            st.reappraisal + p.reappraisal_rate * (1.0 - st.reappraisal),
            st.reappraisal,
        )
    reading = physiological.anxious_reading(np.where(shocked, 1.0, thr) if shock_now else thr, reappraisal)
    d_phys = np.where(
        acted & (p.use_physiological != 0),
        physiological.efficacy_change(arousal, reading, p.anxiety_threshold, p.physio_gain, st.strength),
        0.0,
    )
    efficacy = np.clip(st.efficacy + d_mastery + d_vic + d_pers + d_phys, 0.0, LEVEL_MAX)

    # 12. Strength, credibility, staircases
    st.strength = np.where(
        p.use_strength != 0,
        mastery.strength_update(st.strength, err, w, p.strength_gain, p.strength_forgetting),
        st.strength,  # switched off: strength stays at its initial value
    )
    # outcomes are judged against claims made before this step (this step's messages come after the task)
    prior = st.persuaded_level
    contradicted = acted & ~outcome & (task <= prior)
    confirmed = acted & outcome & np.isfinite(prior)
    st.credibility = persuasion.credibility_update(
        st.credibility, contradicted, confirmed, p.credibility_erosion, p.credibility_recovery
    )
    real = earned & ~shocked
    # persuaders observe the attempt: the teacher knows what was earned, peers see what was reported
    st.teacher_expectation = expectations.update(
        st.teacher_expectation, acted, task, real, p.teacher_expectation_rate, p.belief_scale
    )
    st.peer_expectation = expectations.update(
        st.peer_expectation, acted, task, outcome, p.peer_expectation_rate, p.belief_scale
    )
    if got_ability.any() or got_effort.any() or st.praise_focus.any():  # all zero stays zero without praise
        st.praise_focus = praise_focus.update(
            st.praise_focus, got_ability, got_effort, p.praise_focus_rate, p.praise_focus_decay
        )
    tk = take(ev.phase_kind)
    if (tk == schedules.ADAPTIVE).any():
        st.task_level = np.where(
            engaged & ~ladder & (tk == schedules.ADAPTIVE),
            schedules.staircase(st.task_level, real, take(ev.phase_target_success), take(ev.phase_step_size)),
            st.task_level,
        )
    if on[ladder_k]:
        st.ladder_level = np.where(
            ladder, schedules.staircase(st.ladder_level, real, p.ladder_target_success, p.ladder_step), st.ladder_level
        )

    # 13. History and engagement
    avoided = engaged & ~acted
    st.avoid_streak = choice.avoid_streak_update(st.avoid_streak, avoided)
    st.attempts += acted
    st.successes += acted & outcome
    st.failures += acted & ~outcome
    st.streak = np.where(
        acted & outcome,
        np.maximum(st.streak, 0) + 1,
        np.where(acted, np.minimum(st.streak, 0) - 1, st.streak),
    ).astype(np.int32)
    st.engagement = np.where(
        ~engaged,
        DISENGAGED,
        np.where(
            choice.disengages(st.avoid_streak, p.disengage_after), DISENGAGED, np.where(avoided, AVOIDING, ENGAGED)
        ),
    ).astype(np.int8)
    if on.any():
        st.dose += received.sum(axis=0, dtype=np.int32)

    st.skill = np.clip(new_skill, 0.0, LEVEL_MAX)
    st.efficacy = efficacy
    st.arousal = arousal
    st.reappraisal = reappraisal
    st.persuaded_level = claimed
    st.difficulty = np.where(engaged, task, np.nan)
    st.attempted = acted
    st.success = acted & outcome
    st.handed = handed
    st.shocked = shocked
    st.effort = np.where(acted, np.where(shocked, 1.0, eff) if shock_now else eff, 0.0)
    st.d_mastery = d_mastery
    st.d_vicarious = d_vic
    st.d_persuasion = d_pers
    st.d_physiological = d_phys
    st.perceived = np.where(acted, seen, np.nan)
    st.d_observational = d_obs
