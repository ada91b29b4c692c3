"""A performance-test item answered by the model's rules, compiled (:func:`sim.measure.item_success_probability`).

A simulated study's test (:mod:`sim.measure`) has every learner attempt every item. The chance of
solving an item is the step's own rules (:mod:`sim.mechanisms`, the ``*_one`` functions, in the
step's order: stages 4, 6 and 7 of docs/ODD.md) composed into one NumPy ufunc, so NumPy's
broadcasting (learners as rows, items as columns) is kept. The rules' exponentials are the step's
inlined ``exp`` (:mod:`sim.mechanisms._exp`), not NumPy's, which NumPy picks by processor (its
AVX-512 version differs in the last bit for about 5% of inputs): a study's scores are the same on
every machine. Equal to the array rules within a few units in the last place (tested), and in a
calibration run faster than NumPy passes over the 3 million learner-items of a batch, which allocate
a temporary array per operation (README, "Performance").
"""

from __future__ import annotations

import numba

from sim.jit_cache import clear_stale_cache
from sim.mechanisms import appraisal, effort, performance
from sim.mechanisms._common import expectancy_one, logistic_one

clear_stale_cache(__file__)  # the ufunc inlines the mechanisms' rules

PARAMETERS = (
    "belief_scale",
    "giveup_expectancy",
    "effort_min",
    "effort_span",
    "threat_margin",
    "appraisal_scale",
    "arousal_reactivity",
    "challenge_arousal",
    "arousal_decay",
    "yd_hardness_scale",
    "yd_opt_easy",
    "yd_opt_hard",
    "yd_width",
    "effort_gain",
    "perf_scale",
    "yd_cost",
)
"""The model parameters an item reads, in the order :func:`success` takes them after the learner's state."""


@numba.vectorize(["f8(" + ", ".join(["f8"] * (6 + len(PARAMETERS))) + ")"], cache=True)
def success(
    efficacy,
    skill,
    arousal,
    arousal_base,
    sens_arousal,
    difficulty,
    belief_scale,
    giveup_expectancy,
    effort_min,
    effort_span,
    threat_margin,
    appraisal_scale,
    arousal_reactivity,
    challenge_arousal,
    arousal_decay,
    yd_hardness_scale,
    yd_opt_easy,
    yd_opt_hard,
    yd_width,
    effort_gain,
    perf_scale,
    yd_cost,
):
    """Chance that a learner solves an item of ``difficulty`` when made to attempt it (a ufunc)."""
    e, d = efficacy, difficulty
    p_hat = expectancy_one(e, d, belief_scale)  # 6. expectancy and effort (motivational intensity)
    eff = effort.effort_one(e, d, p_hat, giveup_expectancy, effort_min, effort_span)
    thr = appraisal.threat_one(e, d, threat_margin, appraisal_scale)  # 4. appraisal, one step of arousal
    a = appraisal.arousal_update_one(
        arousal, arousal_base, thr, arousal_reactivity * sens_arousal, challenge_arousal, arousal_decay
    )
    cap = performance.capability_one(  # 7. Yerkes-Dodson performance
        skill, eff, effort_gain, a, d, yd_hardness_scale, yd_opt_easy, yd_opt_hard, yd_width, yd_cost
    )
    return logistic_one((cap - d) / perf_scale)
