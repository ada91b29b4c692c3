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
