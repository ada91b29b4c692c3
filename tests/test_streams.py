"""Drawing only the rows a batch reads gives the numbers of drawing them all (sim.streams, sim.batch)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import streams as S
from sim.batch import N_ROWS, Batch, used_rows
from sim.config import Config
from sim.params import INTERVENTION_KINDS

STATE_FIELDS = ("efficacy", "skill", "arousal", "strength", "credibility", "engagement", "attempts", "dose")


def test_random_consumes_one_output_per_float() -> None:
    """The premise of skipping: ``advance(k)`` leaves the stream where ``random(k)`` would."""
    drawn, skipped = S.run_stream(7, 3), S.run_stream(7, 3)
    drawn.random(1234)
    skipped.bit_generator.advance(1234)
    assert np.array_equal(drawn.random(50), skipped.random(50))


def test_row_segments() -> None:
    assert S.row_segments(6, [0, 1, 4]) == [(0, 2, True), (2, 4, False), (4, 5, True), (5, 6, False)]
    assert S.row_segments(3, range(3)) == [(0, 3, True)]


@pytest.mark.parametrize("agents", [3, 500])
def test_used_rows_hold_the_full_blocks_values(agents: int) -> None:
    """Each used row equals the same row of ``random((rows, agents))`` step after step; unused rows are NaN."""
    used = [0, 1, 4, 5, 8]
    part = S.StepUniforms([S.run_stream(1, r) for r in range(3)], N_ROWS, agents, used)
    full = [S.run_stream(1, r) for r in range(3)]
    for _ in range(5):
        u = part.next()
        ref = np.stack([g.random((N_ROWS, agents)) for g in full])
        assert np.array_equal(u[:, used], ref[:, used])
        assert np.isnan(np.delete(u, used, axis=1)).all()
    assert part.skipping


def test_every_row_drawn_without_skipping() -> None:
    draws = S.StepUniforms([S.run_stream(2, r) for r in range(2)], N_ROWS, 5)
    full = [S.run_stream(2, r) for r in range(2)]
    assert not draws.skipping
    for _ in range(3):
        assert np.array_equal(draws.next(), np.stack([g.random((N_ROWS, 5)) for g in full]))


def test_sync_moves_the_generators_to_the_draws_position() -> None:
    """The generators stay put while the draws run ahead; sync hands the position back."""
    streams = [S.run_stream(4, r) for r in range(2)]
    draws = S.StepUniforms(streams, N_ROWS, 9, [1, 3])
    for _ in range(4):
        draws.next()
    fresh = [S.run_stream(4, r) for r in range(2)]
    assert [g.bit_generator.state for g in streams] == [g.bit_generator.state for g in fresh]
    draws.sync()
    for g, h in zip(streams, fresh, strict=True):
        h.random((4, N_ROWS, 9))
        assert g.bit_generator.state == h.bit_generator.state
        assert np.array_equal(g.random(20), h.random(20))


def configs() -> list[Config]:
    """Runs that between them use some rows but not all: a random schedule, a shock, two interventions."""
    base = Config.default(agents=800, steps=30)
    return [
        base,
        base.with_values({"persuasion_rate": 0.0, "reengage_prob": 0.0, "use_feedback_ambiguity": 0}),
        Config.from_dict(
            {
                **base.to_dict(),
                "schedule": [{"kind": "random", "start": 0, "level": 4.0, "spread": 2.0}],
                "shocks": [{"step": 5, "severity": 0.8, "share": 0.5}],
                "interventions": [
                    {"kind": "generic_praise", "start": 2, "end": 20, "intensity": 0.5},
                    {"kind": "handed_success", "start": 3, "end": 25, "intensity": 0.4},
                ],
            }
        ),
    ]


def test_used_rows_follow_the_configs() -> None:
    cfgs = configs()
    only_base = Batch(cfgs[:1])
    assert only_base.rows == [S.U_ATTEMPT, S.U_OUTCOME, S.U_PERSUADE, S.U_REENGAGE, S.U_FEEDBACK]
    assert Batch(cfgs[1:2]).rows == [S.U_ATTEMPT, S.U_OUTCOME]  # feedback ambiguity switched off
    clear = Config.from_dict({**cfgs[1].to_dict(), "params": {}, "schedule": [{"kind": "constant", "ambiguity": 0.0}]})
    assert S.U_FEEDBACK not in Batch([clear]).rows  # unambiguous tasks need no feedback noise
    kinds = [S.U_INTERVENTION0 + INTERVENTION_KINDS.index(k) for k in ("handed_success", "generic_praise")]
    want = [0, 1, S.U_TASK, S.U_SHOCK, S.U_PERSUADE, S.U_REENGAGE, *sorted(kinds), S.U_FEEDBACK]
    assert Batch(cfgs).rows == want
    assert used_rows(only_base.p, only_base.ev) == only_base.rows


@pytest.mark.parametrize("subset", [slice(0, 1), slice(1, 2), slice(0, 3)])
def test_batch_drawing_used_rows_equals_batch_drawing_all(subset: slice) -> None:
    cfgs = configs()[subset]
    seeds, indices = [11] * len(cfgs), list(range(len(cfgs)))
    lean = Batch(cfgs, seeds=seeds, run_indices=indices)
    full = Batch(cfgs, seeds=seeds, run_indices=indices, all_rows=True)
    assert lean._uniforms.skipping and not full._uniforms.skipping
    for _ in range(30):
        lean.step()
        full.step()
        for name in STATE_FIELDS:
            assert np.array_equal(getattr(lean.state, name), getattr(full.state, name)), name


def test_demonstration_rows_are_drawn_only_when_someone_can_watch() -> None:
    models = {
        "interventions": [
            {"kind": "peer_modelling", "start": 0, "end": 20},
            {"kind": "expert_modelling", "start": 5, "end": 20, "intensity": 0.5},
        ]
    }
    cfg = Config.default(agents=700, steps=20).with_values(models)
    lean = Batch([cfg], seeds=[3])
    assert {S.U_PEER_DEMO, S.U_EXPERT_DEMO} <= set(lean.rows)
    blind = Batch([cfg.with_values({"use_vicarious": 0, "use_observational_learning": 0})])
    assert not {S.U_PEER_DEMO, S.U_EXPERT_DEMO} & set(blind.rows)
    full = Batch([cfg], seeds=[3], all_rows=True)
    watched = 0
    for _ in range(20):
        lean.step()
        full.step()
        watched += int((lean.state.d_observational > 0).sum())
    for name in (*STATE_FIELDS, "d_observational", "peer_expectation", "teacher_expectation"):
        assert np.array_equal(getattr(lean.state, name), getattr(full.state, name)), name
    assert watched > 0  # the demonstrations were drawn and read
