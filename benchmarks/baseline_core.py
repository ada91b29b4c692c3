"""The array core before issue 15, kept only as the benchmark's baseline.

A verbatim copy of ``sim.batch.advance`` as it was before the fused, compiled step replaced it
(NumPy array code over (runs, agents), one call per rule), with its neighbour-evidence kernel as it
was then (compiled with ``fastmath``, which the model itself no longer uses), and of the NumPy step
draws (:class:`StepUniforms`, as they were before :mod:`sim.pcg64`; already faster than the core's
draws before issue 15, which drew every row with a call per run and step, so the speed-ups measured
against this baseline are if anything understated). ``benchmarks/bench_model.py``,
``benchmarks/bench_sweep.py`` and ``benchmarks/bench_calibration.py`` step it beside the current core
on the same streams, to measure the speed-up and to check that both give the same numbers. Nothing
in the model imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from types import SimpleNamespace

import numba
import numpy as np

from sim import streams as S
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
from sim.params import INTERVENTION_KINDS, LEVEL_MAX
from sim.state import AVOIDING, DISENGAGED, ENGAGED, State

KIND_INDEX = {k: i for i, k in enumerate(INTERVENTION_KINDS)}

# the neighbour kernel of the time: today's source, compiled as it was then (with fastmath)
_kernel = vicarious._neighbour_evidence_kernel
_fastmath_kernel = numba.njit(_kernel.signatures[0], fastmath=True)(_kernel.py_func)


def _neighbour_evidence(efficacy, shown, neighbours, neighbour_mask, observed, levels, outcomes, *per_run, flat):
    """``sim.mechanisms.vicarious.neighbour_evidence`` of the time (the fastmath kernel)."""
    runs = efficacy.shape[0]

    def arr(x, dtype):
        return np.require(x, dtype=dtype, requirements=("C", "W"))

    scalars = [arr(np.broadcast_to(np.asarray(x, dtype=float).reshape(-1), (runs,)), float) for x in per_run]
    return _fastmath_kernel(
        arr(efficacy, float),
        arr(shown, float),
        arr(flat, np.int64),
        arr(observed, np.bool_),
        arr(levels, float),
        arr(outcomes, np.bool_),
        *scalars,
    )


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
        if flat_neighbours is None:
            flat_neighbours = vicarious.flat_neighbours(neighbours, neighbour_mask)
        d_vic = _neighbour_evidence(
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
            flat=flat_neighbours,
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


# The draws before sim.pcg64 (verbatim), so the baseline is the previous core with its own draws.
BLOCK_BYTES = 4 * 2**20
"""Most memory :class:`StepUniforms` holds: big enough to amortise the per-call cost of small runs
(a run of 1,000 agents draws 30 steps per call), small enough that the step reads its draws soon
after they were written, while they are still in the processor's cache (16 MiB blocks made a batch
of 200 runs x 100 agents about 5% slower), and a million agents (104 MB a step) draw one step at a time."""
MAX_BLOCK_STEPS = 64
CALL_COST_DRAWS = 600
"""A generator call (~2 us) costs about as much as this many draws (~3 ns each): skipping rows pays
when it saves more, i.e. from several hundred agents per run."""


class StepUniforms:
    """The step draws as made before :mod:`sim.pcg64` (NumPy calls per run and row), kept verbatim
    for the baseline.

    Each step's uniform draws, shape (runs, rows, agents); row i of run r's step always holds the
    same numbers as row i of ``stream_r.random((rows, agents))``, whichever rows are drawn.

    ``used`` names the rows the caller reads (default: all). The others are skipped in the stream with
    ``bit_generator.advance`` (``Generator.random`` consumes exactly one 64-bit output per float64, so
    skipping k values leaves the stream where drawing them would) and hold NaN, never a stale value.
    When every row is used, or skipping would save less than it costs in calls (few agents), every row
    is drawn, several steps per call: ``Generator.random`` fills its output in order, so one call for
    (steps, rows, agents) gives exactly the numbers of ``steps`` calls for (rows, agents).
    """

    def __init__(
        self,
        streams: list[np.random.Generator],
        rows: int,
        agents: int,
        used: Sequence[int] | None = None,
        block_bytes: int = BLOCK_BYTES,
    ) -> None:
        self.streams = streams
        segments = S.row_segments(rows, range(rows) if used is None else used)
        skipped = sum(stop - start for start, stop, use in segments if not use)
        self.skipping = skipped > 0 and skipped * agents > CALL_COST_DRAWS * (len(segments) - 1)
        if self.skipping:
            # one call per segment per run per step, bound once: draw the used rows in place, advance over the others
            self.steps = 1
            self._block = np.full((len(streams), 1, rows, agents), np.nan)
            self._calls = [
                partial(g.random, out=self._block[r, 0, start:stop])
                if use
                else partial(g.bit_generator.advance, (stop - start) * agents)
                for r, g in enumerate(streams)
                for start, stop, use in segments
            ]
        else:
            per_step = len(streams) * rows * agents * 8
            self.steps = int(max(1, min(MAX_BLOCK_STEPS, block_bytes // per_step)))
            self._block = np.empty((len(streams), self.steps, rows, agents))
        self._next = self.steps  # nothing drawn yet

    def next(self) -> np.ndarray:
        """The next step's draws (a view, valid until the following call)."""
        if self._next == self.steps:
            if self.skipping:
                for call in self._calls:
                    call()
            else:
                for r, g in enumerate(self.streams):
                    g.random(out=self._block[r])
            self._next = 0
        self._next += 1
        return self._block[:, self._next - 1]


def median_cpu_seconds(work, repeats: int) -> dict[str, float]:
    """Median process CPU seconds of ``work()`` with the current core (``"core"``) and with this one
    and its draws swapped in for ``sim.batch.advance`` and ``sim.streams.StepUniforms``, which
    ``Batch`` calls (``"baseline"``), interleaved ``repeats`` times so that both see the same machine
    load. ``work`` should run serially: CPU time counts this process only."""
    import statistics
    import time

    import sim.batch

    current = sim.batch.advance, S.StepUniforms
    seconds: dict[str, list[float]] = {"core": [], "baseline": []}
    try:
        for _ in range(repeats):
            for name, (step, draws) in (("core", current), ("baseline", (advance, StepUniforms))):
                sim.batch.advance, S.StepUniforms = step, draws
                t0 = time.process_time()
                work()
                seconds[name].append(time.process_time() - t0)
    finally:
        sim.batch.advance, S.StepUniforms = current
    return {name: statistics.median(s) for name, s in seconds.items()}
