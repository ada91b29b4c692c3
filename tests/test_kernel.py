"""The fused compiled step (sim.kernel): a batch equals its runs stepped one at a time, exactly.

Every run draws from its own stream and the kernel loops runs independently, so a run's numbers
must not depend on its batch-mates, the batch's network width or the rows the batch draws. The
per-agent rules (``*_one``) must also give the numbers of the vectorised rules that the dashboard,
the measures and the analysis still call: the same formulas, with the step's inlined ``exp``
(:mod:`sim.mechanisms._exp`, within 0.511 ulp) where those use NumPy's, so equal to a few ulps.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from sim.batch import Batch
from sim.config import Config
from sim.mechanisms import (
    appraisal,
    choice,
    effort,
    error_learning,
    expectations,
    mastery,
    persuasion,
    physiological,
    praise_focus,
    schedules,
    self_evaluation,
)
from sim.state import State
from tests.test_oracle import AGENTS, SCENARIOS, STEPS


def assert_same(a: State, b: State, where: str) -> None:
    for f in fields(State):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert x.dtype == y.dtype, f"{f.name}: {x.dtype} vs {y.dtype}"
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f"{f.name} differs {where}"


def test_mixed_batch_equals_each_run_alone() -> None:
    """Different schedules, shocks, interventions, switches and networks in one batch, bit for bit."""
    cfgs = [Config.from_dict({"agents": AGENTS, "steps": STEPS, **SCENARIOS[n]}) for n in SCENARIOS]
    cfgs.append(Config.default(agents=AGENTS, steps=STEPS, network_degree=2, learn_rate=0.3))
    seeds = [4, *range(30, 29 + len(cfgs))]
    batch = Batch(cfgs, seeds=seeds, run_indices=list(range(len(cfgs))))
    alone = [Batch([c], seeds=[s], run_indices=[i]) for i, (c, s) in enumerate(zip(cfgs, seeds, strict=True))]
    assert batch.neighbours.shape[2] > min(b.neighbours.shape[2] for b in alone)  # different network widths
    assert len(batch.rows) > min(len(b.rows) for b in alone)  # the batch draws rows some runs do not use
    for t in range(STEPS):
        batch.step()
        for r, b in enumerate(alone):
            b.step()
            assert_same(batch.state.run(r), b.state, f"in run {r} at step {t + 1}")
    # the scenarios did exercise the kernel's branches
    st = batch.state
    assert st.shocked.any() or st.dose.sum() > 0
    assert (st.d_vicarious != 0).any() and (st.d_persuasion != 0).any() and (st.d_observational > 0).any()


def test_fields_of_another_layout_or_dtype_are_made_to_conform() -> None:
    """A caller may set State fields to views or other dtypes (e.g. a wrapper gathering a domain's
    arrays): the step makes them conform and gives the same numbers as an untouched twin."""
    cfg = Config.from_dict({"agents": AGENTS, "steps": STEPS, **SCENARIOS["multi_phase_all_kinds"]})
    plain, odd = Batch([cfg]), Batch([cfg])
    odd.state.efficacy = np.repeat(odd.state.efficacy, 2, axis=1)[:, ::2]  # a strided view
    odd.state.attempts = odd.state.attempts.astype(np.int64)
    odd.state.skill = np.asfortranarray(np.vstack([odd.state.skill, odd.state.skill]))[:1]
    assert not odd.state.efficacy.flags.c_contiguous
    for _ in range(5):
        plain.step()
        odd.step()
    assert_same(plain.state, odd.state, "after 5 steps")


RNG = np.random.default_rng(0)
N = 400
ULPS = 2
"""Most units in the last place a per-agent rule may differ from its vectorised twin (each of the two
``exp`` implementations is within about half an ulp of the truth; 1 is the largest gap seen)."""


def assert_ulps(got, want, ulps: int = ULPS) -> None:
    """``got`` equals ``want`` to ``ulps`` units in the last place (NaN where NaN, exact zeros)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    gap = np.abs(got[ok] - want[ok]) / np.spacing(np.maximum(np.abs(want[ok]), np.finfo(float).tiny))
    assert gap.max(initial=0.0) <= ulps, f"{gap.max():.0f} ulps apart"


def _u(lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    return RNG.uniform(lo, hi, N)


def _b() -> np.ndarray:
    return RNG.random(N) < 0.5


# (per-agent rule, vectorised rule, arguments): the same formula, the same bits
CASES = [
    (appraisal.threat_one, appraisal.threat, lambda: (_u(0, 10), _u(0, 10), _u(-1, 1), _u(0.2, 2))),
    (
        appraisal.arousal_update_one,
        appraisal.arousal_update,
        lambda: (_u(), _u(), _u(), _u(0, 2), _u(), _u()),
    ),
    (choice.attempt_probability_one, choice.attempt_probability, lambda: (_u(0, 10), _u(0, 10), _u(-1, 1), _u(0.2, 2))),
    (effort.effort_one, effort.effort, lambda: (_u(0, 10), _u(0, 10), _u(), _u(0, 0.3), _u(0, 0.5), _u(0.5, 3))),
    (expectations.specificity_one, expectations.specificity, lambda: (_u(0, 10), _u(0, 10), _u(), _u(0.2, 2))),
    (
        expectations.update_one,
        expectations.update,
        lambda: (_u(0, 10), _b(), _u(0, 10), _b(), _u(0, 0.5), _u(0.2, 2)),
    ),
    (
        mastery.efficacy_change_one,
        mastery.efficacy_change,
        lambda: (_u(-1, 1), _u(), _u(0, 5), _u(0, 2), _u(0, 2), _u(0.5, 2)),
    ),
    (mastery.strength_update_one, mastery.strength_update, lambda: (_u(0, 5), _u(-1, 1), _u(), _u(0, 2), _u(0, 0.2))),
    (
        persuasion.efficacy_change_one,
        persuasion.efficacy_change,
        lambda: (_u(0, 10), _u(0, 10), _u(), _u(), _u(0, 0.5), _u(0, 5)),
    ),
    (persuasion.credibility_update_one, persuasion.credibility_update, lambda: (_u(), _b(), _b(), _u(), _u())),
    (praise_focus.failure_weight_one, praise_focus.failure_weight, lambda: (_u(), _u(-1, 1))),
    (praise_focus.update_one, praise_focus.update, lambda: (_u(-1, 1), _b(), _b(), _u(), _u())),
    (schedules.staircase_one, schedules.staircase, lambda: (_u(0, 10), _b(), _u(), _u(0, 2))),
    (
        self_evaluation.attributed_weight_one,
        self_evaluation.attributed_weight,
        lambda: (_u(), _u(), _b(), _u()),
    ),
]


@pytest.mark.parametrize("one, vectorised, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_per_agent_rule_equals_vectorised_rule(one, vectorised, args) -> None:
    a = args()
    want = np.asarray(vectorised(*a), dtype=float)
    got = np.array([one(*(x[i].item() for x in a)) for i in range(N)], dtype=float)
    assert_ulps(got, want)


def test_physiological_and_practice_rules_equal_vectorised() -> None:
    """The two per-agent rules that fold two vectorised functions into one."""
    arousal, threat, reapp, thr, gain, strength = _u(), _u(), _u(), _u(), _u(0, 2), _u(0, 5)
    want = physiological.efficacy_change(arousal, physiological.anxious_reading(threat, reapp), thr, gain, strength)
    got = [
        physiological.efficacy_change_one(*(x[i] for x in (arousal, threat, reapp, thr, gain, strength)))
        for i in range(N)
    ]
    assert_ulps(got, want)
    skill, eff, success, p, fl, lr = _u(0, 10), _u(), _b(), _u(), _u(), _u(0, 0.5)
    for switch in (0.0, 1.0):
        info = error_learning.information(success, p, fl) if switch else error_learning.flat_information(fl)
        want = error_learning.practice_gain(skill, eff, info, lr)
        got = [
            error_learning.practice_gain_one(skill[i], eff[i], bool(success[i]), p[i], fl[i], lr[i], switch)
            for i in range(N)
        ]
        assert_ulps(got, want)


def test_kernel_arguments_are_named_as_the_state_fields_passed() -> None:
    """``advance`` passes State fields and event arrays by position: the kernel's parameters must carry
    the same names in the same order (a trailing ``_`` marks names that would hide a module)."""
    import inspect

    from sim import kernel

    params = [name.rstrip("_") for name in inspect.signature(kernel.step_kernel.py_func).parameters]
    n_state, n_events = len(kernel.STATE_ARGS), len(kernel.EVENT_ARGS)
    assert params[:n_state] == list(kernel.STATE_ARGS)
    assert params[n_state : n_state + n_events] == list(kernel.EVENT_ARGS)
    assert set(kernel.STATE_ARGS) <= {f.name for f in fields(State)}


def test_draws_of_the_wrong_shape_are_refused() -> None:
    """The compiled step reads the draws without bounds checks, so ``advance`` checks their shape."""
    from sim import streams

    batch = Batch([Config.default(agents=AGENTS, steps=STEPS)])
    with pytest.raises(ValueError, match=r"expected \(runs, rows, agents\)"):
        batch.step(np.full((1, streams.N_ROWS - 1, AGENTS), 0.5))
    batch.step(np.full((1, streams.N_ROWS, AGENTS), 0.5))  # the right shape steps
    assert batch.t == 1 and not np.isnan(batch.state.difficulty).all()
