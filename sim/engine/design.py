"""The design of an experiment: its points (grid x sampler rows x conditions) and runs.

Run index ``run = point * replications + replicate``; every run's stream is
``SeedSequence(experiment seed, spawn_key=(replicate,))`` (common random numbers: replicate r of every
point and condition sees the same draws and the same network).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.config import Config, spec_for
from sim.engine.experiment import _EVENT_LISTS, Experiment
from sim.errors import ConfigError

BASE_CONDITION = "base"
"""Condition name of every run when an experiment declares no conditions."""


@dataclass(frozen=True)
class Point:
    """One design point: the varied values, the condition and the validated config."""

    index: int
    values: dict[str, Any]
    condition: str
    config: Config


@dataclass(frozen=True)
class Design:
    """Every point of an experiment and the run table."""

    points: tuple[Point, ...]
    varied: tuple[str, ...]
    replications: int
    seed: int

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replications

    def run(self, run: int) -> tuple[Point, int]:
        """The point and replicate of run ``run``."""
        return self.points[run // self.replications], run % self.replications

    def runs_table(self) -> pd.DataFrame:
        """One row per run: run, point, condition, replicate, seed, one column per varied path."""
        reps = self.replications
        n = self.n_runs
        run = np.arange(n)
        df = pd.DataFrame(
            {
                "run": run,
                "point": run // reps,
                "condition": [self.points[i // reps].condition for i in range(n)],
                "replicate": run % reps,
                "seed": np.full(n, self.seed, dtype=np.int64),
            }
        )
        for path in self.varied:
            df[path] = [self.points[i // reps].values[path] for i in range(n)]
        return df


def sample_rows(sampler: dict[str, Any], seed: int) -> list[dict[str, Any]]:
    """Sampler rows (SALib), integer parameters rounded."""
    from SALib.sample import latin, morris, sobol

    names = list(sampler["bounds"])
    problem = {"num_vars": len(names), "names": names, "bounds": [sampler["bounds"][k] for k in names]}
    n, method = sampler["n"], sampler["method"]
    if method == "latin":
        x = latin.sample(problem, n, seed=seed)
    elif method == "sobol":
        x = sobol.sample(problem, n, calc_second_order=sampler.get("second_order", False), seed=seed)
    else:
        x = morris.sample(problem, n, num_levels=sampler.get("num_levels", 4), seed=seed)
    rows = []
    for r in x:
        row = {}
        for name, v in zip(names, r, strict=True):
            spec = spec_for(name)
            row[name] = int(round(v)) if getattr(spec, "integer", False) else float(v)
        rows.append(row)
    return rows


def point_config(base: Config, values: dict[str, Any], edits: dict[str, Any]) -> Config:
    """``base`` with a condition's whole event lists, then the point's values, then the condition's other edits.

    So a condition may define an intervention list and a point vary a field of it
    (``interventions[0].start``); the same path in both keeps the condition's value.
    """
    changes: dict[str, Any] = {k: v for k, v in edits.items() if k in _EVENT_LISTS}
    changes.update({k: v for k, v in values.items() if k not in edits})
    changes.update({k: v for k, v in edits.items() if k not in _EVENT_LISTS})
    return base.with_values(changes) if changes else base


def build_design(exp: Experiment) -> Design:
    """Every point of ``exp`` with its config, validated (raises ConfigError naming the point)."""
    grid_keys = list(exp.vary)
    grid = [dict(zip(grid_keys, combo, strict=True)) for combo in itertools.product(*exp.vary.values())]
    rows = sample_rows(exp.sampler, exp.seed) if exp.sampler else [{}]
    conditions = exp.conditions or {BASE_CONDITION: {}}
    varied = tuple(grid_keys) + (tuple(exp.sampler["bounds"]) if exp.sampler else ())
    points = []
    for g in grid:
        for s in rows:
            values = {**g, **s}
            for cname, edits in conditions.items():
                try:
                    cfg = point_config(exp.base, values, edits)
                except ConfigError as exc:
                    where = ", ".join(f"{k}={v!r}" for k, v in values.items())
                    hint = f"design point {len(points)} ({where}{', ' if where else ''}condition {cname!r})"
                    raise ConfigError(exc.field, exc.value, exc.allowed, hint) from None
                points.append(Point(len(points), values, cname, cfg))
    return Design(tuple(points), varied, exp.replications, exp.seed)
