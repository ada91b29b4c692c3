"""Simulating studies for calibration: many parameter vectors of one design, batched on the array core.

Every parameter vector ``theta`` is one simulated study of the design (:class:`~.design.StudyDesign`):
its learners run the course, are measured at the waves with the design's instruments
(:mod:`sim.measure`) and are summarised by the same :func:`~.summaries.summarise` that summarises a
researcher's panel. Thetas are cut into chunks; a chunk is ONE :class:`sim.batch.Batch` whose runs
(one per theta, all with the design's learners) step together. Chunks run on the engine's executors
(:mod:`sim.engine.executors`: serial, local processes, or Dask, also on a cluster with a scheduler
address).

Reproducibility: the study of theta number ``key`` draws its life from
``SeedSequence(seed, spawn_key=(key,))`` (the engine's run stream, :func:`sim.streams.run_stream`)
and its measurement from :func:`sim.measure.stream` with ``study = key``; so its numbers depend only
on ``(seed, key, theta)``, never on the chunk size, the executor or its batch-mates.

The self-report is normed on each study's own sample (as in the longitudinal experiment,
:func:`~.panel.norm_instruments`): its reference SD is the study's pooled within-wave SD of true
efficacy, so its reliability in that study is about the design's declared value, as a published
study reports the reliability its scale had in its sample.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.design import StudyDesign
from sim.config import Config
from sim.errors import ConfigError
from sim.params import PARAM_BY_NAME
from sim.provenance import check_model, model_fingerprint

EXECUTORS = ("serial", "process", "dask")
"""Where calibration's simulations run (``process``: local worker processes)."""
CHUNK_RUNS = 100
"""Default runs (thetas) per batch: big enough for fast array steps (the per-step cost is mostly per
batch, not per run), small enough to spread a generation over two workers."""
PANEL_STATE_COLUMNS = ("strength", "engagement")
"""State fields the panel needs besides those the instruments read (:data:`sim.measure.STATE_COLUMNS`)."""
MAX_CHUNK_AGENTS = 60_000
"""At most this many learners (runs x agents) in one batch, to bound a worker's memory (about 50 MB)."""


@dataclass(frozen=True)
class SimTask:
    """One chunk of simulations: the thetas, their keys (stream indices), the seed and what to return."""

    chunk: int
    design: dict[str, Any]  # StudyDesign.to_dict(): plain data, picklable for worker processes and Dask
    thetas: tuple[dict[str, float], ...]
    keys: tuple[int, ...]
    seed: int
    statistics: tuple[str, ...] | None  # None: return the panel
    model: str  # the sending process's model fingerprint (sim.provenance.model_fingerprint)


def theta_config(base: Config, theta: Mapping[str, float]) -> Config:
    """The base config with the theta's parameter values (whole-number parameters rounded)."""
    values = {}
    for name, value in theta.items():
        spec = PARAM_BY_NAME.get(name)
        if spec is None:
            raise ConfigError("theta", name, "a declared parameter (efficacy-sim params lists them)")
        values[name] = int(round(float(value))) if spec.integer else float(value)
    return base.with_values(values)


def _states(batch: Any, keys: Sequence[int], step: int, wave: int) -> pd.DataFrame:
    from sim import measure

    s = measure.states_from_state(batch.state, step, wave)
    s["study"] = np.asarray(keys, dtype=np.int64)[s["study"].to_numpy()]
    for c in PANEL_STATE_COLUMNS:  # the hidden truths the panel carries beside the scores
        s[c] = np.asarray(getattr(batch.state, c)).reshape(-1)
    return s


def reference_sds(states: pd.DataFrame) -> dict[int, float]:
    """Per study, the self-report reference SD :func:`~.panel.norm_instruments` would give that study alone.

    The pooled within-wave SD of true efficacy (points), clipped to [0.1, 50] and rounded as there;
    computed for all studies at once.
    """
    from sim import measure

    var = states.groupby(["study", "wave"], sort=True)["efficacy"].var().groupby(level="study").mean()
    sd = np.clip(np.sqrt(var.to_numpy()) * measure.POINTS_PER_LEVEL, 0.1, 50.0)
    return {int(k): round(float(v), 2) for k, v in zip(var.index, np.nan_to_num(sd, nan=0.1), strict=True)}


def _panel(task: SimTask) -> pd.DataFrame:
    """Run the chunk's thetas as one batch; the tidy panel of every study (``study`` = the theta's key)."""
    from sim import measure
    from sim.batch import Batch
    from sim.calibration.panel import build_panel

    design = StudyDesign.from_mapping(task.design)
    base = design.base_config(task.seed)
    configs = [theta_config(base, th) for th in task.thetas]
    batch = Batch(configs, seeds=[task.seed] * len(configs), run_indices=list(task.keys))
    waves = []
    for w, step in enumerate(design.wave_steps):
        while batch.t < step:
            batch.step()
        waves.append(_states(batch, task.keys, step, w))
    states = pd.concat(waves, ignore_index=True).sort_values(list(measure.KEYS), kind="mergesort")
    states = states.reset_index(drop=True)
    # The whole chunk is measured in one call (per-study calls cost ~0.1 s each in pandas overhead): the
    # test reads each row's own parameters as (rows, 1) arrays, which the model's rules broadcast ...
    run_of = pd.Series(np.arange(len(task.keys)), index=list(task.keys)).loc[states["study"]].to_numpy()
    params: dict[str, Any] = dict(base.params)
    for name in {k for th in task.thetas for k in th}:
        params[name] = np.array([c.params[name] for c in configs], dtype=float)[run_of, None]
    panel = build_panel(states, design.instruments, params, task.seed)
    # ... and the self-report is normed on each study's own sample (one stream per study either way)
    sr = measure.self_report(states, design.instruments, task.seed, reference_sd=reference_sds(states))
    panel["efficacy_report"] = sr["efficacy_report"].to_numpy()
    return panel


def run_task(task: SimTask) -> dict[str, Any]:
    """Simulate one chunk -> ``{"chunk", "runs", "keys", "summaries" (runs x statistics) or "panel"}``.

    The function every executor calls (in this process, in a worker process or on a Dask worker).
    Refuses (ConfigError) when this process's model code is not the sending process's.
    """
    check_model(task.model)
    panel = _panel(task)
    out: dict[str, Any] = {"chunk": task.chunk, "runs": len(task.keys), "keys": task.keys}
    if task.statistics is None:
        out["panel"] = panel
        return out
    from sim.calibration.summaries import summarise

    s = summarise(panel).reindex(list(task.keys))
    out["summaries"] = s.reindex(columns=list(task.statistics)).to_numpy(dtype=float)
    return out


# ---- executors -------------------------------------------------------------------------------------------
@dataclass
class Executor:
    """Where chunks run: ``serial``, ``process`` (local processes) or ``dask`` (a LocalCluster, or ``scheduler``).

    A Dask client is opened once and kept until :meth:`close` (calibration maps many rounds); local
    processes are the engine's pool, started per round (forked, a fraction of a second).
    """

    kind: str = "serial"
    workers: int | None = None
    scheduler: str | None = None
    chunk_runs: int = CHUNK_RUNS

    def __post_init__(self) -> None:
        from sim.engine import executors as ex

        if self.kind not in EXECUTORS:
            raise ConfigError("executor", self.kind, "one of " + ", ".join(map(repr, EXECUTORS)))
        ex.check_executor("dask" if self.kind == "dask" else "serial", self.workers, self.scheduler)
        if isinstance(self.chunk_runs, bool) or not isinstance(self.chunk_runs, int) or self.chunk_runs < 1:
            raise ConfigError("chunk_runs", self.chunk_runs, "a whole number >= 1")
        self._client = None
        self._cluster = None

    @property
    def n_workers(self) -> int:
        import os

        if self.kind == "serial":
            return 1
        return self.workers or (2 if self.kind == "dask" else os.cpu_count() or 1)

    def map(self, tasks: Iterable[SimTask], fn: Callable[[SimTask], dict] = run_task) -> Iterator[dict[str, Any]]:
        """Results of ``fn(task)`` for every task, in completion order."""
        from sim.engine import executors as ex

        if self.kind == "serial":
            yield from ex.serial(tasks, fn)
        elif self.kind == "process":
            yield from ex.processes(tasks, self.n_workers, fn)
        else:
            yield from self._dask(tasks, fn)

    def _dask(self, tasks: Iterable[SimTask], fn: Callable) -> Iterator[dict[str, Any]]:
        from distributed import as_completed

        from sim.engine import executors as ex

        if self._client is None:
            self._client, self._cluster = ex.connect_dask(self.scheduler, self.workers)
        round_key = uuid.uuid4().hex[:8]
        futures = [self._client.submit(fn, t, key=f"calibration-{round_key}-{t.chunk}", pure=False) for t in tasks]
        for fut in as_completed(futures):
            yield fut.result()
            fut.release()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            if self._cluster is not None:
                self._cluster.close()
            self._client = self._cluster = None

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _as_executor(executor: Executor | str | None) -> tuple[Executor, bool]:
    if isinstance(executor, Executor):
        return executor, False
    return Executor(executor or "serial"), True


def plan(
    design: StudyDesign,
    thetas: Sequence[Mapping[str, float]],
    seed: int,
    keys: Sequence[int] | None,
    statistics: Sequence[str] | None,
    chunk_runs: int,
    workers: int = 1,
) -> list[SimTask]:
    """The chunks of a simulation request (at most ``chunk_runs`` and :data:`MAX_CHUNK_AGENTS` learners each;
    with several workers, split so each gets work)."""
    n = len(thetas)
    keys = tuple(range(n)) if keys is None else tuple(int(k) for k in keys)
    if len(keys) != n or len(set(keys)) != n or any(k < 0 for k in keys):
        raise ConfigError("keys", f"{len(keys)} keys", f"{n} distinct whole numbers >= 0, one per theta")
    size = max(1, min(chunk_runs, MAX_CHUNK_AGENTS // design.agents))
    if workers > 1:
        size = max(1, min(size, math.ceil(n / workers)))
    stats = None if statistics is None else tuple(statistics)
    th = tuple({k: float(v) for k, v in t.items()} for t in thetas)
    return [
        SimTask(i, design.to_dict(), th[a : a + size], keys[a : a + size], int(seed), stats, model_fingerprint())
        for i, a in enumerate(range(0, n, size))
    ]


def simulate_panels(
    design: StudyDesign,
    thetas: Sequence[Mapping[str, float]],
    seed: int,
    executor: Executor | str | None = None,
    keys: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One simulated study per theta, as a tidy panel (:data:`~.panel.PANEL_COLUMNS`; ``study`` = the theta's key).

    Parameters
    ----------
    design : the study design.
    thetas : parameter values, one mapping per study (declared parameter names).
    seed : experiment seed; study ``keys[i]`` draws from ``(seed, keys[i])`` only.
    executor : an :class:`Executor`, or its kind (default serial).
    keys : stream index of each theta (default ``0, 1, ...``).
    """
    ex, own = _as_executor(executor)
    try:
        tasks = plan(design, thetas, seed, keys, None, ex.chunk_runs, ex.n_workers)
        parts = {r["chunk"]: r["panel"] for r in ex.map(tasks)}
    finally:
        if own:
            ex.close()
    return pd.concat([parts[i] for i in sorted(parts)], ignore_index=True)


def simulate_summaries(
    design: StudyDesign,
    thetas: Sequence[Mapping[str, float]],
    seed: int,
    statistics: Sequence[str],
    executor: Executor | str | None = None,
    keys: Sequence[int] | None = None,
    progress: Callable[[int], Any] | None = None,
) -> np.ndarray:
    """The named summary statistics of one simulated study per theta -> array ``(len(thetas), len(statistics))``.

    As :func:`simulate_panels`, summarised per chunk on the worker (only the numbers travel back).
    ``progress(runs)`` is called after each finished chunk. A statistic a study cannot estimate
    (e.g. no learner left) is NaN.
    """
    ex, own = _as_executor(executor)
    out = np.full((len(thetas), len(statistics)), np.nan)
    try:
        tasks = plan(design, thetas, seed, keys, statistics, ex.chunk_runs, ex.n_workers)
        starts = {}
        a = 0
        for t in tasks:
            starts[t.chunk] = a
            a += len(t.keys)
        for r in ex.map(tasks):
            a = starts[r["chunk"]]
            out[a : a + r["runs"]] = r["summaries"]
            if progress is not None:
                progress(r["runs"])
    finally:
        if own:
            ex.close()
    return out


def with_executor(kind: str | None, workers: int | None, scheduler: str | None, chunk_runs: int = CHUNK_RUNS):
    """An :class:`Executor` from command-line style options (``--scheduler`` implies dask)."""
    if scheduler is not None and kind in (None, "dask"):
        kind = "dask"
    return Executor(kind or "serial", workers, scheduler, chunk_runs)


__all__ = ["EXECUTORS", "Executor", "SimTask", "run_task", "simulate_panels", "simulate_summaries", "theta_config"]
