"""Random streams: one independent NumPy generator per run.

A run's stream depends only on the experiment seed and the run's index, never on which batch,
process or machine runs it, so a run gives the same numbers alone, in a batch or on Dask.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np

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


BLOCK_BYTES = 4 * 2**20
"""Most memory :class:`StepUniforms` holds: big enough to amortise the per-call cost of small runs
(a run of 1,000 agents draws 30 steps per call), small enough that the step reads its draws soon
after they were written, while they are still in the processor's cache (16 MiB blocks made a batch
of 200 runs x 100 agents about 5% slower), and a million agents (104 MB a step) draw one step at a time."""
MAX_BLOCK_STEPS = 64
CALL_COST_DRAWS = 600
"""A generator call (~2 us) costs about as much as this many draws (~3 ns each): skipping rows pays
when it saves more, i.e. from several hundred agents per run."""


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
        segments = row_segments(rows, range(rows) if used is None else used)
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


def step_uniforms(streams: list[np.random.Generator], rows: int, agents: int) -> np.ndarray:
    """This step's uniform draws, shape (runs, rows, agents); run r's block comes from stream r only."""
    out = np.empty((len(streams), rows, agents))
    for r, g in enumerate(streams):
        g.random(out=out[r])
    return out
