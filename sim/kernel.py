"""The fused step: one compiled pass over the agents of each run, composing the mechanisms.

:func:`sim.batch.advance` calls :func:`step_kernel` once per step. It loops runs x agents and, for
each agent, applies the per-agent rules of :mod:`sim.mechanisms` (the ``*_one`` functions, each in
its mechanism's module and tied there to its section of docs/ODD.md) in the order of the model's
process overview (docs/ODD.md, "Process overview"). Social evidence needs this step's acts and
outcomes of the neighbours and their records from before the step, so each run takes two passes:

- pass 1, every agent's own step: stages 1-10, the mastery, persuasion and physiological parts of
  11, 12 and 13;
- pass 2, what agents learn from each other: 11b (neighbours and real models) and the final
  efficacy and skill.

The rules and their order are those of the NumPy core this replaced (kept as
``benchmarks/baseline_core.py``), with the same floating-point operations, except that ``exp`` is the
inlined :func:`sim.mechanisms._exp.exp_one` (within 0.511 ulp), ``log`` the inlined
:func:`sim.mechanisms._log.log_one` (fdlibm, below 1 ulp), and the outcome draw's logit and the
feedback draw's normal quantile are computed per attempting agent (as the oracle computes them), so
the numbers agree with that core to rounding; the per-agent oracle (:mod:`sim.oracle`) is the
independent check (rtol 1e-9). No ``fastmath``: it lets the compiler fuse multiply-adds where the
processor has them, so results could differ between machines. One signature, compiled on first
import and cached (``cache=True``).

Numba's cache tracks this file only: after editing a mechanism's ``*_one`` function, the cached step
would be stale, so :func:`sim.jit_cache.clear_stale_cache` drops it when any mechanism module changed.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from sim import streams as S
from sim.jit_cache import clear_stale_cache
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
    vicarious,
)
from sim.mechanisms import skill as skill_rules  # (``skill`` is the state array below)
from sim.mechanisms._common import clip_one, expectancy_one, logistic_one
from sim.mechanisms._exp import exp_one
from sim.params import INTERVENTION_KINDS, LEVEL_MAX, PARAMS

clear_stale_cache(__file__)

_P = {p.name: i for i, p in enumerate(PARAMS)}
"""Column of each parameter in the packed (runs, parameters) array (:func:`pack_params`)."""
# the parameters the step reads, as column constants (numba freezes module-level ints)
REENGAGE_PROB = _P["reengage_prob"]
LADDER_OFFSET = _P["ladder_offset"]
THREAT_MARGIN = _P["threat_margin"]
APPRAISAL_SCALE = _P["appraisal_scale"]
AROUSAL_REACTIVITY = _P["arousal_reactivity"]
CHALLENGE_AROUSAL = _P["challenge_arousal"]
AROUSAL_DECAY = _P["arousal_decay"]
AVOID_MARGIN = _P["avoid_margin"]
AVOID_SCALE = _P["avoid_scale"]
USE_AVOIDANCE = _P["use_avoidance"]
BELIEF_SCALE = _P["belief_scale"]
GIVEUP_EXPECTANCY = _P["giveup_expectancy"]
EFFORT_MIN = _P["effort_min"]
EFFORT_SPAN = _P["effort_span"]
YD_HARDNESS_SCALE = _P["yd_hardness_scale"]
YD_OPT_EASY = _P["yd_opt_easy"]
YD_OPT_HARD = _P["yd_opt_hard"]
YD_WIDTH = _P["yd_width"]
YD_COST = _P["yd_cost"]
EFFORT_GAIN = _P["effort_gain"]
COMPLEXITY_EFFORT_DAMPING = _P["complexity_effort_damping"]
USE_COMPLEXITY = _P["use_complexity"]
PERF_SCALE = _P["perf_scale"]
USE_ERROR_LEARNING = _P["use_error_learning"]
FAILURE_LEARNING = _P["failure_learning"]
LEARN_RATE = _P["learn_rate"]
SKILL_DECAY = _P["skill_decay"]
FEEDBACK_CLARITY = _P["feedback_clarity"]
USE_FEEDBACK_AMBIGUITY = _P["use_feedback_ambiguity"]
EFFORT_ATTRIBUTION = _P["effort_attribution"]
HANDED_DISCOUNT = _P["handed_discount"]
USE_PRAISE_FOCUS = _P["use_praise_focus"]
USE_MASTERY = _P["use_mastery"]
MASTERY_GAIN_SUCCESS = _P["mastery_gain_success"]
MASTERY_GAIN_FAILURE = _P["mastery_gain_failure"]
USE_VICARIOUS = _P["use_vicarious"]
USE_OBSERVATIONAL_LEARNING = _P["use_observational_learning"]
STAGE_AHEAD = _P["stage_ahead"]
SIMILARITY_WIDTH = _P["similarity_width"]
SIMILARITY_FLOOR = _P["similarity_floor"]
OBSERVATIONAL_LEARNING = _P["observational_learning"]
VICARIOUS_GAIN = _P["vicarious_gain"]
USE_PERSUASION = _P["use_persuasion"]
USE_EXPECTATIONS = _P["use_expectations"]
PERSUASION_RATE = _P["persuasion_rate"]
PEER_PRAISE_INFLATION = _P["peer_praise_inflation"]
GENERIC_SPECIFICITY = _P["generic_specificity"]
PEER_CREDIBILITY = _P["peer_credibility"]
PERSUASION_MARGIN = _P["persuasion_margin"]
TEACHER_CREDIBILITY = _P["teacher_credibility"]
PRAISE_INFLATION = _P["praise_inflation"]
PERSUASION_GAIN = _P["persuasion_gain"]
REAPPRAISAL_RATE = _P["reappraisal_rate"]
USE_PHYSIOLOGICAL = _P["use_physiological"]
ANXIETY_THRESHOLD = _P["anxiety_threshold"]
PHYSIO_GAIN = _P["physio_gain"]
USE_STRENGTH = _P["use_strength"]
STRENGTH_GAIN = _P["strength_gain"]
STRENGTH_FORGETTING = _P["strength_forgetting"]
CREDIBILITY_EROSION = _P["credibility_erosion"]
CREDIBILITY_RECOVERY = _P["credibility_recovery"]
TEACHER_EXPECTATION_RATE = _P["teacher_expectation_rate"]
PEER_EXPECTATION_RATE = _P["peer_expectation_rate"]
PRAISE_FOCUS_RATE = _P["praise_focus_rate"]
PRAISE_FOCUS_DECAY = _P["praise_focus_decay"]
LADDER_TARGET_SUCCESS = _P["ladder_target_success"]
LADDER_STEP = _P["ladder_step"]
DISENGAGE_AFTER = _P["disengage_after"]

_K = {k: i for i, k in enumerate(INTERVENTION_KINDS)}
N_KINDS = len(INTERVENTION_KINDS)
LADDER, HANDED = _K["mastery_ladder"], _K["handed_success"]
PEER_MODEL, EXPERT_MODEL = _K["peer_modelling"], _K["expert_modelling"]
SPECIFIC, GENERIC_PRAISE = _K["specific_persuasion"], _K["generic_praise"]
REAPPRAISAL, EFFORT_PRAISE = _K["arousal_reappraisal"], _K["effort_praise"]
ENGAGED, DISENGAGED = 0, 2  # sim.state's codes (AVOIDING = 1 comes from choice.engagement_one)
U_ATTEMPT, U_OUTCOME, U_TASK, U_SHOCK = S.U_ATTEMPT, S.U_OUTCOME, S.U_TASK, S.U_SHOCK
U_PERSUADE, U_REENGAGE, U_INTERVENTION0 = S.U_PERSUADE, S.U_REENGAGE, S.U_INTERVENTION0
U_FEEDBACK = S.U_FEEDBACK
U_PEER_DEMO, U_EXPERT_DEMO = S.U_PEER_DEMO, S.U_EXPERT_DEMO
ADAPTIVE = schedules.ADAPTIVE

_F2, _I2, _B2 = "f8[:, ::1]", "i8[:, ::1]", "b1[:, ::1]"
STATE_TYPES: dict[str, str] = {
    **dict.fromkeys(
        (
            "skill",
            "efficacy",
            "strength",
            "arousal",
            "arousal_base",
            "reappraisal",
            "credibility",
            "persuaded_level",
            "task_level",
            "ladder_level",
            "sens_mastery",
            "sens_learning",
            "sens_arousal",
            "optimism",
            "good_news",
            "bad_news",
            "self_serving",
            "teacher_expectation",
            "peer_expectation",
            "praise_focus",
            "difficulty",
            "effort",
            "d_mastery",
            "d_vicarious",
            "d_persuasion",
            "d_physiological",
            "perceived",
            "d_observational",
        ),
        _F2,
    ),
    "engagement": "i1[:, ::1]",
    **dict.fromkeys(
        (
            "avoid_streak",
            "attempts",
            "successes",
            "failures",
            "streak",
            "dose",
        ),
        "i4[:, ::1]",
    ),  # counters
    **dict.fromkeys(
        (
            "attempted",
            "success",
            "handed",
            "shocked",
        ),
        _B2,
    ),  # last step's flags
    "targeted": "b1[:, :, ::1]",  # (kinds, runs, agents)
}
"""The numba type of each :class:`~sim.state.State` field the step reads or writes, in argument order."""
STATE_ARGS = tuple(STATE_TYPES)
STATE_DTYPES = {
    name: np.dtype({"f8": np.float64, "i1": np.int8, "i4": np.int32, "b1": np.bool_}[t[:2]])
    for name, t in STATE_TYPES.items()
}
"""The NumPy dtype of each of those fields (what :func:`sim.batch.advance` makes a field conform to)."""
EVENT_ARGS = (
    "phase_start",
    "phase_kind",
    "phase_level",
    "phase_spread",
    "phase_ramp_rate",
    "phase_offset",
    "phase_ambiguity",
    "phase_complexity",
    "phase_target_success",
    "phase_step_size",
    "shock_step",
    "shock_severity",
    "shock_share",
    "shock_arousal",
    "iv_on",
    "iv_start",
    "iv_end",
    "iv_below",
    "iv_threshold",
    "iv_intensity",
)
"""The schedule, shock and intervention arrays of :func:`sim.batch.stack_events`, in argument order."""

_SIGNATURE = (
    "void("
    + ", ".join(
        list(STATE_TYPES.values())
        + [_I2, _I2]
        + [_F2] * 8  # phases
        + [_I2]
        + [_F2] * 3  # shocks
        + [_B2, _I2, _I2, _B2, _F2, _F2]  # interventions (kinds, runs)
        + [_F2]  # packed parameters (runs, parameters)
        + ["i8[:, :, ::1]"]  # flat neighbours
        + ["f8[:, :, :]"]  # this step's uniforms (runs, rows, agents), any layout
        + ["i8"]  # t
    )
    + ")"
)


def pack_params(p) -> np.ndarray:
    """The (runs, 1) parameter arrays of :func:`sim.batch.stack_params` as one (runs, parameters) array.

    Cached on the namespace (parameters do not change during a run).
    """
    packed = getattr(p, "_packed", None)
    if packed is None:
        packed = np.ascontiguousarray(np.hstack([getattr(p, q.name) for q in PARAMS]), dtype=float)
        p._packed = packed
    return packed


@numba.njit(_SIGNATURE, cache=True, error_model="numpy")
def step_kernel(
    skill,
    efficacy,
    strength,
    arousal,
    arousal_base,
    reappraisal,
    credibility,
    persuaded_level,
    task_level,
    ladder_level,
    sens_mastery,
    sens_learning,
    sens_arousal,
    optimism,
    good_news,
    bad_news,
    self_serving,
    teacher_expectation,
    peer_expectation,
    praise_focus_,
    difficulty,
    effort_,
    d_mastery,
    d_vicarious,
    d_persuasion,
    d_physiological,
    perceived,
    d_observational,
    engagement,
    avoid_streak,
    attempts,
    successes,
    failures,
    streak,
    dose,
    attempted,
    success,
    handed_,
    shocked_,
    targeted,
    phase_start,
    phase_kind,
    phase_level,
    phase_spread,
    phase_ramp_rate,
    phase_offset,
    phase_ambiguity,
    phase_complexity,
    phase_target_success,
    phase_step_size,
    shock_step,
    shock_severity,
    shock_share,
    shock_arousal,
    iv_on,
    iv_start,
    iv_end,
    iv_below,
    iv_threshold,
    iv_intensity,
    P,
    flat,
    u,
    t,
):
    """One step of every run, in place (see the module docstring; stage numbers as in docs/ODD.md)."""
    runs, n = skill.shape
    active = np.zeros(N_KINDS, dtype=np.bool_)
    starting = np.zeros(N_KINDS, dtype=np.bool_)
    got = np.zeros(N_KINDS, dtype=np.bool_)
    # what pass 2 reads of the other agents of the run, and of each agent's own pass 1
    shown0 = np.empty(n)  # visible records before the step
    skill0 = np.empty(n)  # skill before the step
    strength0 = np.empty(n)
    acted_ = np.zeros(n, dtype=np.bool_)
    outcome_ = np.zeros(n, dtype=np.bool_)
    ahead = np.empty(n)  # exp(task / belief_scale) of the agents that acted
    task_d = np.empty(n)  # the schedule's difficulty (the modelled task)
    p_hat_ = np.empty(n)
    p_success_ = np.empty(n)
    engaged_ = np.zeros(n, dtype=np.bool_)
    watch_peer = np.zeros(n, dtype=np.bool_)
    watch_expert = np.zeros(n, dtype=np.bool_)

    for r in range(runs):
        pr = P[r]
        # the run's schedule phase, interventions and shocks this step
        phase = -1
        for j in range(phase_start.shape[1]):
            if phase_start[r, j] <= t:
                phase += 1
        phase = max(phase, 0)
        ph_start = phase_start[r, phase]
        ph_kind = phase_kind[r, phase]
        for k in range(N_KINDS):
            active[k] = iv_on[k, r] and iv_start[k, r] <= t and t < iv_end[k, r]
            starting[k] = iv_on[k, r] and iv_start[k, r] == t
        any_iv = False
        for k in range(N_KINDS):
            any_iv = any_iv or active[k] or starting[k]
            got[k] = False
        shock_now = False
        for j in range(shock_step.shape[1]):
            shock_now = shock_now or shock_step[r, j] == t
        bs = pr[BELIEF_SCALE]
        use_vic = pr[USE_VICARIOUS] > 0
        use_obs = pr[USE_OBSERVATIONAL_LEARNING] > 0
        use_pers = pr[USE_PERSUASION] > 0
        use_exp = pr[USE_EXPECTATIONS] > 0
        watch = use_vic or use_obs
        for i in range(n):
            shown0[i] = peer_expectation[r, i]
            skill0[i] = skill[r, i]

        # ---------------- pass 1: each agent's own step ----------------
        for i in range(n):
            s = skill[r, i]
            e = efficacy[r, i]
            st_ = strength[r, i]
            strength0[i] = st_

            # 1. Re-engagement of disengaged agents
            engaged = engagement[r, i] != DISENGAGED
            if not engaged and u[r, U_REENGAGE, i] < pr[REENGAGE_PROB]:
                engaged = True
                avoid_streak[r, i] = 0

            # 2. Interventions: targeting is fixed at each intervention's start step
            n_got = 0
            if any_iv:  # (otherwise ``got`` stays all False)
                for k in range(N_KINDS):
                    if starting[k]:
                        targeted[k, r, i] = e < iv_threshold[k, r] if iv_below[k, r] else True
                    got[k] = (
                        active[k]
                        and targeted[k, r, i]
                        and engaged
                        and u[r, U_INTERVENTION0 + k, i] < iv_intensity[k, r]
                    )
                    n_got += got[k]
                if starting[LADDER] and targeted[LADDER, r, i]:
                    ladder_level[r, i] = clip_one(s - pr[LADDER_OFFSET], 0.0, LEVEL_MAX)
            ladder = got[LADDER]

            # 3. Task difficulty from the active schedule phase (the ladder overrides it for its targets)
            if ph_start == t:
                task_level[r, i] = phase_level[r, phase]
            d = schedules.difficulty_one(
                ph_kind,
                t - ph_start,
                phase_level[r, phase],
                phase_spread[r, phase],
                phase_ramp_rate[r, phase],
                phase_offset[r, phase],
                task_level[r, i],
                e,
                u[r, U_TASK, i],
            )
            if ladder:
                d = ladder_level[r, i]

            # 4. Appraisal and arousal (engaged agents face the task)
            a = arousal[r, i]
            thr = 0.0  # (read only for engaged agents)
            if engaged:
                thr = appraisal.threat_one(e, d, pr[THREAT_MARGIN], pr[APPRAISAL_SCALE])
                a = appraisal.arousal_update_one(
                    a,
                    arousal_base[r, i],
                    thr,
                    pr[AROUSAL_REACTIVITY] * sens_arousal[r, i],
                    pr[CHALLENGE_AROUSAL],
                    pr[AROUSAL_DECAY],
                )
            else:
                a = a + pr[AROUSAL_DECAY] * (arousal_base[r, i] - a)

            # 5. Approach or avoid (switched off: every engaged agent attempts)
            attempt = False
            if engaged:
                approach = u[r, U_ATTEMPT, i] < choice.attempt_probability_one(e, d, pr[AVOID_MARGIN], pr[AVOID_SCALE])
                attempt = approach or pr[USE_AVOIDANCE] == 0
            # stages 6-7 matter only to agents that attempt, or that watch a model (11b: they compare its
            # outcome with their own chances); for the others their values are never read
            watching = (got[PEER_MODEL] or got[EXPERT_MODEL]) and watch
            p_hat = eff = cap = p_success = 0.0
            earned = False
            if attempt or watching:
                # 6. Effort (motivational intensity)
                p_hat = expectancy_one(e, d, bs)
                eff = effort.effort_one(e, d, p_hat, pr[GIVEUP_EXPECTANCY], pr[EFFORT_MIN], pr[EFFORT_SPAN])

                # 7. Performance (Yerkes-Dodson efficiency; task complexity weakens the effort route, 7.17)
                gain_e = complexity.effort_gain_one(
                    pr[EFFORT_GAIN], phase_complexity[r, phase], pr[COMPLEXITY_EFFORT_DAMPING], pr[USE_COMPLEXITY]
                )
                cap = performance.capability_one(
                    s,
                    eff,
                    gain_e,
                    a,
                    d,
                    pr[YD_HARDNESS_SCALE],
                    pr[YD_OPT_EASY],
                    pr[YD_OPT_HARD],
                    pr[YD_WIDTH],
                    pr[YD_COST],
                )
                p_success = logistic_one((cap - d) / pr[PERF_SCALE])
                earned = attempt and u[r, U_OUTCOME, i] < p_success

            # 8. Handed success: reported as success whatever the performance
            handed = got[HANDED] and attempt and not earned
            reported = earned or handed

            # 9. Shocks: a severe, full-effort failure at a task one believed within reach
            shocked = False
            severity = 0.0
            spike = 0.0
            if shock_now and engaged:
                for j in range(shock_step.shape[1]):
                    if shock_step[r, j] == t and u[r, U_SHOCK, i] < shock_share[r, j]:
                        shocked = True  # hit by several at once: the worst of those that hit
                        severity = max(severity, shock_severity[r, j])
                        spike = max(spike, shock_arousal[r, j])
            task = d
            if shocked:
                a = a + spike * (1.0 - a)
                task = e  # the shock task sits at the agent's efficacy
            acted = attempt or shocked
            outcome = reported and not shocked

            # 10. Skill: error-driven practice (not during a shock), decay otherwise (observation in 11b)
            if attempt and not shocked:
                new_skill = s + error_learning.practice_gain_one(
                    s,
                    eff,
                    earned,
                    p_success,
                    pr[FAILURE_LEARNING],
                    pr[LEARN_RATE] * sens_learning[r, i],
                    pr[USE_ERROR_LEARNING],
                )
            else:
                new_skill = s - skill_rules.decay_one(s, pr[SKILL_DECAY])

            # 11a Mastery, from the perceived outcome (7.14) read with the agent's own biases (7.15)
            ambiguity = feedback.effective_ambiguity_one(
                phase_ambiguity[r, phase], got[SPECIFIC], pr[FEEDBACK_CLARITY], pr[USE_FEEDBACK_AMBIGUITY]
            )
            if attempt and ambiguity > feedback.AMBIGUITY_FLOOR:  # (seen is read only after acting)
                margin = feedback.margin_one(cap, d, pr[PERF_SCALE], u[r, U_OUTCOME, i])
                z = feedback.inverse_normal_one(clip_one(u[r, U_FEEDBACK, i], feedback.U_EDGE, 1.0 - feedback.U_EDGE))
                seen = feedback.perceived_success_one(margin, e - d + optimism[r, i], ambiguity, bs, z, earned)
            else:
                seen = 1.0 if earned else 0.0
            if handed:
                seen = 1.0  # a handed success is announced as one
            p_task = p_hat
            if shocked:
                seen = 0.0
                p_task = 0.5  # expectancy(e, e) = 1/2
            err = seen - p_task if acted else 0.0
            w = self_evaluation.attributed_weight_one(eff, pr[EFFORT_ATTRIBUTION], err >= 0.0, self_serving[r, i])
            if handed:
                w = w * pr[HANDED_DISCOUNT]
            if pr[USE_PRAISE_FOCUS] > 0 and attempt and not handed and err < 0.0:
                # ability or effort praise received earlier shapes how a failure (as seen) reads
                w = praise_focus.failure_weight_one(w, praise_focus_[r, i])
            if shocked:
                w = severity
            if pr[USE_MASTERY] == 0:
                err = 0.0  # switched off: own outcomes are no evidence (no efficacy, no strength)
            dm = mastery.efficacy_change_one(
                err,
                w,
                st_,
                pr[MASTERY_GAIN_SUCCESS] * good_news[r, i],
                pr[MASTERY_GAIN_FAILURE] * bad_news[r, i],
                sens_mastery[r, i],
            )

            # 11c Social persuasion from entities with their own credibility and expectations (7.10,
            # 7.15): everyday peers, then the teacher's specific feedback, ability praise, effort praise
            x_t = teacher_expectation[r, i]
            x_p = peer_expectation[r, i]
            cred = credibility[r, i]
            prior = persuaded_level[r, i]  # claims made before this step (outcomes are judged against them)
            claimed = prior
            dp = 0.0
            if engaged and use_pers and u[r, U_PERSUADE, i] < pr[PERSUASION_RATE]:
                level = (x_p if use_exp else e) + pr[PEER_PRAISE_INFLATION]
                dp = dp + persuasion.efficacy_change_one(
                    e, level, cred * pr[PEER_CREDIBILITY], pr[GENERIC_SPECIFICITY], pr[PERSUASION_GAIN], st_
                )
                claimed = level
            if got[SPECIFIC] and use_pers:
                level = (x_t if use_exp else s) + pr[PERSUASION_MARGIN]
                spec = expectations.specificity_one(x_t, d, pr[GENERIC_SPECIFICITY], bs) if use_exp else 1.0
                dp = dp + persuasion.efficacy_change_one(
                    e, level, cred * pr[TEACHER_CREDIBILITY], spec, pr[PERSUASION_GAIN], st_
                )
                claimed = level
            ability_praised = got[GENERIC_PRAISE] and use_pers
            effort_praised = got[EFFORT_PRAISE] and use_pers
            for praised in (ability_praised, effort_praised):
                if praised:
                    level = (x_t if use_exp else e) + pr[PRAISE_INFLATION]
                    dp = dp + persuasion.efficacy_change_one(
                        e, level, cred * pr[TEACHER_CREDIBILITY], pr[GENERIC_SPECIFICITY], pr[PERSUASION_GAIN], st_
                    )
                    claimed = level

            # 11d Physiological state, read through reappraisal
            reapp = reappraisal[r, i]
            if got[REAPPRAISAL]:
                reapp = reapp + pr[REAPPRAISAL_RATE] * (1.0 - reapp)
            dph = 0.0
            if acted and pr[USE_PHYSIOLOGICAL] != 0:
                dph = physiological.efficacy_change_one(
                    a, 1.0 if shocked else thr, reapp, pr[ANXIETY_THRESHOLD], pr[PHYSIO_GAIN], st_
                )

            # 12. Strength, credibility, expectations, praise focus, staircases
            if pr[USE_STRENGTH] != 0:  # switched off: strength stays at its initial value
                strength[r, i] = mastery.strength_update_one(st_, err, w, pr[STRENGTH_GAIN], pr[STRENGTH_FORGETTING])
            contradicted = acted and not outcome and task <= prior
            confirmed = acted and outcome and math.isfinite(prior)
            credibility[r, i] = persuasion.credibility_update_one(
                cred, contradicted, confirmed, pr[CREDIBILITY_EROSION], pr[CREDIBILITY_RECOVERY]
            )
            real = earned and not shocked
            # persuaders observe the attempt: the teacher knows what was earned, peers see what was reported
            teacher_expectation[r, i] = expectations.update_one(
                x_t, acted, task, real, pr[TEACHER_EXPECTATION_RATE], bs
            )
            peer_expectation[r, i] = expectations.update_one(x_p, acted, task, outcome, pr[PEER_EXPECTATION_RATE], bs)
            praise_focus_[r, i] = praise_focus.update_one(
                praise_focus_[r, i], ability_praised, effort_praised, pr[PRAISE_FOCUS_RATE], pr[PRAISE_FOCUS_DECAY]
            )
            if engaged and not ladder and ph_kind == ADAPTIVE:
                task_level[r, i] = schedules.staircase_one(
                    task_level[r, i], real, phase_target_success[r, phase], phase_step_size[r, phase]
                )
            if ladder:
                ladder_level[r, i] = schedules.staircase_one(
                    ladder_level[r, i], real, pr[LADDER_TARGET_SUCCESS], pr[LADDER_STEP]
                )

            # 13. History and engagement
            avoided = engaged and not acted
            avoid_streak[r, i] = avoid_streak[r, i] + 1 if avoided else 0
            attempts[r, i] += acted
            successes[r, i] += acted and outcome
            failures[r, i] += acted and not outcome
            if acted and outcome:
                streak[r, i] = max(streak[r, i], 0) + 1
            elif acted:
                streak[r, i] = min(streak[r, i], 0) - 1
            engagement[r, i] = choice.engagement_one(engaged, avoided, avoid_streak[r, i], pr[DISENGAGE_AFTER])
            dose[r, i] += n_got

            skill[r, i] = new_skill  # observational learning (11b) still to add
            arousal[r, i] = a
            reappraisal[r, i] = reapp
            persuaded_level[r, i] = claimed
            difficulty[r, i] = task if engaged else np.nan
            attempted[r, i] = acted
            success[r, i] = acted and outcome
            handed_[r, i] = handed
            shocked_[r, i] = shocked
            effort_[r, i] = (1.0 if shocked else eff) if acted else 0.0
            d_mastery[r, i] = dm
            d_persuasion[r, i] = dp
            d_physiological[r, i] = dph
            perceived[r, i] = seen if acted else np.nan
            # for pass 2
            acted_[i] = acted
            outcome_[i] = outcome
            if acted and use_vic:
                ahead[i] = exp_one(task / bs)
            task_d[i] = d
            p_hat_[i] = p_hat
            p_success_[i] = p_success
            engaged_[i] = engaged
            watch_peer[i] = got[PEER_MODEL] and watch
            watch_expert[i] = got[EXPERT_MODEL] and watch

        # ---------------- pass 2: what agents learn from each other ----------------
        best, second = modelling.best_two(shown0) if n > 1 else (-1, -1)
        sa, wd, fl = pr[STAGE_AHEAD], pr[SIMILARITY_WIDTH], pr[SIMILARITY_FLOOR]
        for i in range(n):
            # 11b Vicarious: neighbours seen acting this step, plus real peer/expert models (7.9, 7.13, 7.14)
            dv = 0.0
            dobs = 0.0
            e = efficacy[r, i]  # still the belief before the step
            if use_vic:
                dv = vicarious.neighbour_evidence_one(
                    e, shown0[i], flat[r, i], r * n, shown0, acted_, ahead, outcome_, sa, wd, fl, bs
                )
            for kind in (PEER_MODEL, EXPERT_MODEL):
                if kind == PEER_MODEL:
                    if not watch_peer[i]:
                        continue
                    model = modelling.choose_peer_one(shown0, i, sa)
                    row = U_PEER_DEMO
                else:
                    if not watch_expert[i]:
                        continue
                    model = second if i == best else best
                    row = U_EXPERT_DEMO
                if model < 0:
                    continue
                weight = modelling.similarity_one(shown0[i], shown0[model], sa, wd, fl)
                demo, evidence = modelling.demonstration_one(
                    skill0[model], task_d[i], pr[EFFORT_GAIN], pr[PERF_SCALE], u[r, row, i], weight, p_hat_[i]
                )
                if use_vic:
                    dv = dv + evidence
                if use_obs:
                    dobs = dobs + observational.watching_gain_one(
                        skill0[i], demo, p_success_[i], pr[LEARN_RATE] * sens_learning[r, i], pr[OBSERVATIONAL_LEARNING]
                    )
            if engaged_[i] and use_vic:
                dv = pr[VICARIOUS_GAIN] * dv / (1.0 + strength0[i])
            else:
                dv = 0.0
            skill[r, i] = clip_one(skill[r, i] + dobs, 0.0, LEVEL_MAX)
            efficacy[r, i] = clip_one(
                e + d_mastery[r, i] + dv + d_persuasion[r, i] + d_physiological[r, i], 0.0, LEVEL_MAX
            )
            d_vicarious[r, i] = dv
            d_observational[r, i] = dobs
