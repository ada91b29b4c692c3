"""Random streams: one independent NumPy generator per run.

A run's stream depends only on the experiment seed and the run's index, never on which batch,
process or machine runs it, so a run gives the same numbers alone, in a batch or on Dask.
"""

from __future__ import annotations

import numpy as np

# Uniform draws each agent gets every step, one row per use (fixed layout: the oracle reads it too).
U_ATTEMPT, U_OUTCOME, U_TASK, U_SHOCK, U_PERSUADE, U_REENGAGE = range(6)
U_INTERVENTION0 = 6  # one row per intervention kind follows


def run_stream(seed: int, run_index: int) -> np.random.Generator:
    """The generator of run ``run_index`` of an experiment with seed ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=(int(run_index),)))


BLOCK_BYTES = 16 * 2**20
"""Most memory :class:`StepUniforms` holds: big enough to amortise the per-call cost of small runs,
small enough that a million agents (104 MB a step) still draw one step at a time."""
MAX_BLOCK_STEPS = 64


class StepUniforms:
    """Each step's uniform draws, shape (runs, rows, agents), drawn from each stream several steps at a time.

    ``Generator.random`` fills its output in order, so one call for (steps, rows, agents) gives exactly
    the numbers of ``steps`` calls for (rows, agents): the values per step are those of
    :func:`step_uniforms`, with one generator call per run per block instead of per step.
    """

    def __init__(self, streams: list[np.random.Generator], rows: int, agents: int, block_bytes: int = BLOCK_BYTES):
        self.streams = streams
        per_step = len(streams) * rows * agents * 8
        self.steps = int(max(1, min(MAX_BLOCK_STEPS, block_bytes // per_step)))
        self._block = np.empty((len(streams), self.steps, rows, agents))
        self._next = self.steps  # nothing drawn yet

    def next(self) -> np.ndarray:
        """The next step's draws (a view, valid until the following call)."""
        if self._next == self.steps:
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
