"""The compiled PCG64 (sim.pcg64) gives NumPy's numbers bit for bit, drawing and jumping."""

from __future__ import annotations

import numpy as np
import pytest

from sim import pcg64
from sim import streams as S


def segments_and_jumps(rows: int, used: list[int], agents: int) -> tuple[np.ndarray, np.ndarray]:
    return pcg64.plan(S.row_segments(rows, used), agents)


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**63 + 7])
def test_fill_draws_numpys_values_for_every_row(seed: int) -> None:
    streams = [S.run_stream(seed, r) for r in range(4)]
    ref = [S.run_stream(seed, r) for r in range(4)]
    state = pcg64.pack_states(streams)
    segments, jumps = segments_and_jumps(3, [0, 1, 2], 1000)
    out = np.empty((4, 3, 1000))
    for _ in range(3):
        pcg64.fill(state, segments, jumps, out)
        assert np.array_equal(out, np.stack([g.random((3, 1000)) for g in ref]))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 63, 64, 1000, 2**20 + 5, 2**40 - 1])
def test_jump_coefficients_equal_numpys_advance(n: int) -> None:
    """``s <- a s + m c`` lands where NumPy's ``advance(n)`` does, for lengths up to 2^40."""
    g = S.run_stream(9, 2)
    st = g.bit_generator.state["state"]
    a, m = pcg64.jump_coefficients(n)
    g.bit_generator.advance(n)
    assert (a * st["state"] + m * st["inc"]) % 2**128 == g.bit_generator.state["state"]["state"]


def test_skipped_rows_leave_the_stream_where_drawing_would() -> None:
    rows, used, agents = 17, [0, 1, 4, 5, 15], 37
    streams = [S.run_stream(3, r) for r in range(5)]
    ref = [S.run_stream(3, r) for r in range(5)]
    state = pcg64.pack_states(streams)
    segments, jumps = segments_and_jumps(rows, used, agents)
    out = np.full((5, rows, agents), -1.0)
    for _ in range(6):
        pcg64.fill(state, segments, jumps, out)
        full = np.stack([g.random((rows, agents)) for g in ref])
        assert np.array_equal(out[:, used], full[:, used])
        assert (np.delete(out, used, axis=1) == -1.0).all()  # skipped rows are not written
    pcg64.unpack_states(state, streams)
    for g, h in zip(streams, ref, strict=True):
        assert g.bit_generator.state == h.bit_generator.state


def test_other_generators_are_refused() -> None:
    with pytest.raises(TypeError, match="stream 1: a MT19937 generator"):
        pcg64.pack_states([S.run_stream(1, 0), np.random.Generator(np.random.MT19937(1))])
