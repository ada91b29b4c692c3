"""Each declared ``use_<mechanism>`` switch turns its mechanism off cleanly: off, it contributes nothing."""

from __future__ import annotations

import numpy as np

from sim.batch import Batch
from sim.config import Config
from sim.state import DISENGAGED


def run(steps: int = 25, **params: float) -> list:
    """States after each step of a 200-agent default run with ``params`` overridden."""
    cfg = Config.from_dict(
        {
            "agents": 200,
            "steps": steps,
            "seed": 4,
            "params": params,
            "schedule": [{"kind": "random", "start": 0, "level": 4.0, "spread": 2.5}],
        }
    )
    b = Batch([cfg])
    out = []
    for _ in range(steps):
        b.step()
        out.append(b.state.copy())
    return out


def test_strength_switched_off_stays_at_its_initial_value() -> None:
    off = run(use_strength=0, strength_init=2.0)
    assert all(np.all(s.strength == 2.0) for s in off)
    on = run(strength_init=2.0)
    assert not np.allclose(on[-1].strength, 2.0)  # on, it moves


def test_avoidance_switched_off_every_engaged_agent_attempts() -> None:
    hard = {"avoid_margin": 0.0, "disengage_after": 2}
    off = run(use_avoidance=0, **hard)
    assert all(s.attempted.all() and not (s.engagement == DISENGAGED).any() for s in off)
    on = run(**hard)
    assert not on[0].attempted.all() and (on[-1].engagement == DISENGAGED).any()


def test_physiological_switched_off_reads_no_evidence_from_arousal_but_arousal_still_acts() -> None:
    off, on = run(use_physiological=0), run()
    assert all(np.all(s.d_physiological == 0.0) for s in off)
    assert any(np.any(s.d_physiological < 0.0) for s in on)
    # the first step's arousal and outcomes do not depend on the switch: arousal still drives performance
    assert np.array_equal(off[0].arousal, on[0].arousal) and np.array_equal(off[0].success, on[0].success)
    assert not np.allclose(off[0].efficacy, on[0].efficacy)


def test_mastery_switched_off_own_outcomes_move_neither_efficacy_nor_strength() -> None:
    quiet = {"network_degree": 0, "persuasion_rate": 0.0, "use_physiological": 0, "strength_forgetting": 0.1}
    off = run(use_mastery=0, **quiet)
    assert all(np.all(s.d_mastery == 0.0) for s in off)
    assert any(s.attempted.any() for s in off)
    # no other source is active here, so efficacy never moves; strength only fades
    assert np.array_equal(off[-1].efficacy, off[-1].initial_efficacy)
    assert np.allclose(off[-1].strength, 1.0 * 0.9 ** len(off))
    on = run(**quiet)
    assert not np.array_equal(on[-1].efficacy, on[-1].initial_efficacy)


def same_run(a: list, b: list) -> bool:
    """Every state field equal at every step (NaN equal to NaN)."""
    return all(
        np.array_equal(getattr(x, f), getattr(y, f), equal_nan=np.asarray(getattr(x, f)).dtype.kind == "f")
        for x, y in zip(a, b, strict=True)
        for f in x.__dataclass_fields__
    )


def test_feedback_ambiguity_switched_off_outcomes_are_perceived_exactly() -> None:
    off = run(use_feedback_ambiguity=0)
    for s in off:
        assert np.array_equal(s.perceived[s.attempted], s.success[s.attempted].astype(float))
    on = run()
    graded = np.concatenate([s.perceived[s.attempted] for s in on])
    assert ((graded > 0.01) & (graded < 0.99)).mean() > 0.5  # on: most outcomes are uncertain


def test_each_bias_switched_off_equals_its_neutral_parameters() -> None:
    # off, a mechanism contributes exactly nothing: the run equals one whose parameters neutralise it
    assert same_run(run(use_optimism=0), run(optimism_mean=0.0, optimism_sd=0.0))
    assert same_run(run(use_news_asymmetry=0), run(good_news_sd=0.0, bad_news_sd=0.0))
    assert same_run(run(use_self_serving=0), run(self_serving_mean=0.0, self_serving_sd=0.0))
    neutral = {"learning_sensitivity_sd": 0.0, "mastery_sensitivity_sd": 0.0, "arousal_sensitivity_sd": 0.0}
    assert same_run(run(use_individual_differences=0), run(**neutral))
    assert not same_run(run(), run(use_optimism=0))  # and on, each one changes the run


def test_individual_differences_switched_off_every_multiplier_is_one() -> None:
    s = run(steps=1, use_individual_differences=0)[0]
    for name in ("sens_mastery", "sens_learning", "sens_arousal"):
        assert np.all(getattr(s, name) == 1.0)


def test_complexity_switched_off_a_complex_task_runs_as_a_simple_one() -> None:
    def go(complexity: float, **params: float) -> list:
        cfg = Config.from_dict(
            {
                "agents": 200,
                "steps": 20,
                "seed": 4,
                "params": params,
                "schedule": [{"kind": "constant", "start": 0, "level": 3.5, "complexity": complexity}],
            }
        )
        b = Batch([cfg])
        out = []
        for _ in range(20):
            b.step()
            out.append(b.state.copy())
        return out

    assert same_run(go(1.0, use_complexity=0), go(0.0))
    assert not same_run(go(1.0), go(0.0))
