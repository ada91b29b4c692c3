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


def step_uniforms(streams: list[np.random.Generator], rows: int, agents: int) -> np.ndarray:
    """This step's uniform draws, shape (runs, rows, agents); run r's block comes from stream r only."""
    out = np.empty((len(streams), rows, agents))
    for r, g in enumerate(streams):
        g.random(out=out[r])
    return out
