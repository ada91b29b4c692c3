"""The experiment engine: sweeps of many replications over parameter designs, batched on the array core.

>>> from sim.engine import Experiment, Outputs, run_experiment, load_results
>>> exp = Experiment(name="demo", base=Config.default(agents=50, steps=30),
...                  vary={"efficacy_mean": [2, 4]}, replications=5, seed=1)     # doctest: +SKIP
>>> res = run_experiment(exp, out="results/demo", executor="serial")              # doctest: +SKIP
>>> res.series.groupby(["efficacy_mean_varied", "step"])["efficacy_mean"].mean()  # doctest: +SKIP

Modules: :mod:`~sim.engine.experiment` (declaration, validation), :mod:`~sim.engine.design` (points
and runs), :mod:`~sim.engine.worker` (running a chunk), :mod:`~sim.engine.executors`,
:mod:`~sim.engine.store` (results folder), :mod:`~sim.engine.run`, :mod:`~sim.engine.stats`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Experiment", "Outputs", "Results", "load_results", "run_experiment"]

_WHERE = {
    "Experiment": "sim.engine.experiment",
    "Outputs": "sim.engine.experiment",
    "run_experiment": "sim.engine.run",
    "Results": "sim.engine.store",
    "load_results": "sim.engine.store",
}


def __getattr__(name: str) -> Any:
    # Imported lazily so worker processes, which need only sim.engine.worker, start fast.
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(name)
