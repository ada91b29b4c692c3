"""Property-based checks: for any valid parameters and seed, the state stays in range and consistent."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from sim.batch import Batch
from sim.config import Config
from sim.params import INTERVENTION_KINDS, LEVEL_MAX
from sim.state import DISENGAGED, ENGAGED
from tests.strategies import configs

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def in_range(x: np.ndarray, low: float, high: float) -> bool:
    return bool(np.all((x >= low) & (x <= high)))


def check_step(prev, st, forgetting) -> None:  # noqa: ANN001 - two State objects
    """Ranges and bookkeeping after one step (``prev`` is the state before it).

    ``forgetting`` is each run's ``strength_forgetting`` as a (runs, 1) array.
    """
    for name in ("skill", "efficacy", "task_level", "ladder_level", "initial_skill", "initial_efficacy"):
        assert in_range(getattr(st, name), 0.0, LEVEL_MAX), name
    for name in ("teacher_expectation", "peer_expectation"):
        assert in_range(getattr(st, name), 0.0, LEVEL_MAX), name
    assert in_range(st.praise_focus, -1.0, 1.0)
    assert np.all(st.d_observational >= 0)
    for name in ("arousal", "arousal_base", "reappraisal", "credibility", "effort"):
        assert in_range(getattr(st, name), 0.0, 1.0), name
    for name in ("strength", "d_mastery", "d_vicarious", "d_persuasion", "d_physiological"):
        assert np.all(np.isfinite(getattr(st, name))), name
    for name in ("sens_mastery", "sens_learning", "sens_arousal", "good_news", "bad_news"):
        assert np.all(getattr(st, name) > 0), name
    assert in_range(st.self_serving, 0.0, 1.0) and np.all(np.isfinite(st.optimism))
    # the perceived outcome is a probability for agents that acted, NaN for the others
    assert in_range(st.perceived[st.attempted], 0.0, 1.0)
    assert np.all(np.isnan(st.perceived[~st.attempted]))
    # evidence accumulates; old evidence fades by at most the forgetting rate
    assert np.all(st.strength >= (1.0 - forgetting) * prev.strength - 1e-12)
    assert np.all(st.strength >= 0)
    assert np.all(st.d_physiological <= 0)  # arousal can only be read as a threat to efficacy
    # difficulty: NaN exactly for agents who were disengaged during the step, else on the scale
    faced = ~np.isnan(st.difficulty)
    assert in_range(st.difficulty[faced], 0.0, LEVEL_MAX)
    assert np.all(st.engagement[~faced] == DISENGAGED)
    assert np.all(np.isin(st.engagement, (0, 1, 2)))
    # what happened in the step
    assert np.all(st.attempted <= faced)  # only agents facing a task act
    assert np.all(st.success <= st.attempted)
    assert np.all(st.handed <= st.attempted)
    assert np.all(st.shocked <= st.attempted)
    assert np.all(st.effort[~st.attempted] == 0.0)
    # counts
    assert np.all(st.attempts == st.successes + st.failures)
    assert np.all(st.attempts - prev.attempts == st.attempted)
    assert np.all(st.successes - prev.successes == st.success)
    assert np.all(np.abs(st.streak) <= st.attempts)
    assert np.all(np.sign(st.streak[st.attempted]) == np.where(st.success[st.attempted], 1, -1))
    assert np.all((st.dose - prev.dose >= 0) & (st.dose - prev.dose <= len(INTERVENTION_KINDS)))
    assert np.all(st.avoid_streak >= 0)
    assert np.all(st.avoid_streak[st.attempted] == 0)
    # agents who acted stay engaged; an engaged agent who avoided avoids or disengages
    assert np.all(st.engagement[st.attempted] == ENGAGED)


@SETTINGS
@given(cfg=configs())
def test_state_stays_in_range_and_consistent(cfg: Config) -> None:
    batch = Batch([cfg])
    for _ in range(cfg.steps):
        prev = batch.state.copy()
        batch.step()
        check_step(prev, batch.state, batch.p.strength_forgetting)


@settings(max_examples=10, deadline=None)
@given(cfgs=configs(max_agents=12).flatmap(lambda c: configs(max_agents=12).map(lambda d: (c, d))))
def test_invariants_hold_in_mixed_batches(cfgs: tuple[Config, Config]) -> None:
    a, b = cfgs
    b = b.with_values({"agents": a.agents})
    batch = Batch([a, b], run_indices=[0, 1])
    for _ in range(a.steps):
        prev = batch.state.copy()
        batch.step()
        check_step(prev, batch.state, batch.p.strength_forgetting)
