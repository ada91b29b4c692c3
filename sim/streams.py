"""Random streams: one independent NumPy generator per run.

A run's stream depends only on the experiment seed and the run's index, never on which batch,
process or machine runs it, so a run gives the same numbers alone, in a batch or on Dask.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim import pcg64
from sim.params import INTERVENTION_KINDS

# Uniform draws each agent gets every step, one row per use (fixed layout: the oracle reads it too).
U_ATTEMPT, U_OUTCOME, U_TASK, U_SHOCK, U_PERSUADE, U_REENGAGE = range(6)
U_INTERVENTION0 = 6  # one row per intervention kind follows
# rows after the intervention rows (appended, never reordered)
U_FEEDBACK = U_INTERVENTION0 + len(INTERVENTION_KINDS)  # noise in perceiving one's own performance
U_PEER_DEMO = U_FEEDBACK + 1  # the outcome of each modelling demonstration (docs/ODD.md 7.13)
U_EXPERT_DEMO = U_PEER_DEMO + 1
N_ROWS = U_EXPERT_DEMO + 1
"""Uniform rows per agent per step."""

# Standard normal rows of the initial draws (one value per agent each), in this order.
Z_SKILL, Z_EFFICACY, Z_AROUSAL, Z_MASTERY, Z_LEARNING, Z_AROUSAL_SENS = range(6)
Z_OPTIMISM, Z_GOOD_NEWS, Z_BAD_NEWS, Z_SELF_SERVING = range(6, 10)  # person-level biases (appended)
Z_TEACHER, Z_PEER = 10, 11  # the teacher's and the peers' impression errors (appended)
N_INITIAL = 12
"""Standard normal rows of the initial population (docs/ODD.md section 5)."""


def run_stream(seed: int, run_index: int) -> np.random.Generator:
    """The generator of run ``run_index`` of an experiment with seed ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=(int(run_index),)))


DOMAIN_STREAM_KEY = 0x444F4D  # "DOM": second spawn-key element of a run's domain stream
N_DOMAIN_ROWS = 4
"""Standard normal rows per extra domain in the domain stream: skill, efficacy, teacher's and peers' impression."""


def domain_stream(seed: int, run_index: int) -> np.random.Generator:
    """The generator of a multi-domain run's extra initial draws (self-esteem, domains after the first).

    Separate from :func:`run_stream`, so declaring domains leaves every draw of the first domain, the
    network and the steps exactly as in the single-domain run.
    """
    key = (int(run_index), DOMAIN_STREAM_KEY)
    return np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=key))


def row_segments(rows: int, used: Sequence[int]) -> list[tuple[int, int, bool]]:
    """The rows as maximal runs ``(start, stop, used)`` in layout order, e.g. used {0, 1, 4} of 6 ->
    ``[(0, 2, True), (2, 4, False), (4, 5, True), (5, 6, False)]``."""
    flags = [i in set(used) for i in range(rows)]
    segments: list[tuple[int, int, bool]] = []
    for i, flag in enumerate(flags):
        if segments and segments[-1][2] == flag:
            segments[-1] = (segments[-1][0], i + 1, flag)
        else:
            segments.append((i, i + 1, flag))
    return segments


class StepUniforms:
    """Each step's uniform draws, shape (runs, rows, agents); row i of run r's step always holds the
    same numbers as row i of ``stream_r.random((rows, agents))``, whichever rows are drawn.

    ``used`` names the rows the caller reads (default: all); the others are jumped over in the stream
    (leaving it where drawing them would) and hold NaN, never a stale value. The draws are made by
    the compiled copy of the streams' generator (:mod:`sim.pcg64`, NumPy's numbers bit for bit), all
    runs in one call per step, so skipping rows pays at any number of agents.

    From construction on, the streams' positions live here: the generators passed in stay where they
    were until :meth:`sync` writes the positions back.
    """

    def __init__(
        self, streams: list[np.random.Generator], rows: int, agents: int, used: Sequence[int] | None = None
    ) -> None:
        self.streams = streams
        self._state = pcg64.pack_states(streams)
        segments = row_segments(rows, range(rows) if used is None else used)
        self.skipping = any(not use for _, _, use in segments)
        self._segments, self._jumps = pcg64.plan(segments, agents)
        shape = (len(streams), rows, agents)
        self._block = np.full(shape, np.nan) if self.skipping else np.empty(shape)

    def next(self) -> np.ndarray:
        """The next step's draws (valid until the following call, which overwrites them)."""
        pcg64.fill(self._state, self._segments, self._jumps, self._block)
        return self._block

    def sync(self) -> None:
        """Move the streams' generators to where the draws so far have left them."""
        pcg64.unpack_states(self._state, self.streams)
