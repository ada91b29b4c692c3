"""Running one chunk of runs: the function every executor calls (in-process, in a process, on Dask).

A chunk is a list of runs; runs with the same number of agents and steps are stacked into one
:class:`~sim.batch.Batch`. The chunk's tables come back as Parquet bytes, ready to be written.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch import Batch
from sim.config import Config
from sim.metrics import METRICS, domain_fields, summarise, summarise_domains
from sim.provenance import check_model
from sim.state import State

TABLES = ("series", "agents", "snapshots", "trajectories")
TRAJECTORY_FIELDS = ("efficacy", "skill", "arousal", "engagement")
AGENT_FIELDS = tuple(f.name for f in fields(State) if f.name != "targeted")
"""Columns of the agent tables: every per-agent field of the state (engagement as its int code,
see :data:`sim.state.ENGAGEMENT_NAMES`)."""


@dataclass(frozen=True)
class ChunkTask:
    """What a worker needs: the runs (index, replicate, config), the experiment seed and the outputs."""

    chunk: int
    runs: tuple[int, ...]
    replicates: tuple[int, ...]
    configs: tuple[Config, ...]
    seed: int
    every: int
    final_agents: bool
    trajectories: int
    snapshots: tuple[int, ...]
    model: str  # the sending process's model fingerprint (sim.provenance.model_fingerprint)


def record_steps(steps: int, every: int) -> list[int]:
    """Steps at which the series is kept: 0, every, 2 every, ... and always the last step."""
    return sorted(set(range(0, steps + 1, every)) | {steps})


def run_chunk(task: ChunkTask) -> dict[str, Any]:
    """Run every run of ``task``; returns ``{"chunk", "runs", table name: Parquet bytes or None}``.

    Refuses (ConfigError) when this process's model code is not the sending process's.
    """
    check_model(task.model)
    parts: dict[str, list[dict[str, np.ndarray]]] = {name: [] for name in TABLES}
    groups: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(task.configs):
        groups.setdefault((c.agents, c.steps, c.domain_names), []).append(i)  # a batch shares its domains
    for (agents, steps, _), idx in groups.items():
        _run_group(task, idx, agents, steps, parts)
    out: dict[str, Any] = {"chunk": task.chunk, "runs": len(task.runs)}
    for name in TABLES:
        out[name] = _parquet(parts[name]) if parts[name] else None
    return out


def _run_group(task: ChunkTask, idx: list[int], agents: int, steps: int, parts: dict[str, list]) -> None:
    runs = np.array([task.runs[i] for i in idx], dtype=np.int64)
    batch = Batch(
        [task.configs[i] for i in idx], seeds=[task.seed] * len(idx), run_indices=[task.replicates[i] for i in idx]
    )
    keep = set(record_steps(steps, task.every))
    snaps = {s for s in task.snapshots if s <= steps}
    n_traj = min(task.trajectories, agents)
    series: list[dict[str, np.ndarray]] = []
    for t in range(steps + 1):
        if t > 0:
            batch.step()
        if t in keep:
            m = summarise(batch.state) | summarise_domains(batch.domains)
            series.append({"run": runs, "step": np.full(len(runs), t, dtype=np.int64), **m})
            if n_traj:
                parts["trajectories"].append(_agent_cols(batch, runs, n_traj, TRAJECTORY_FIELDS, t))
        if t in snaps:
            parts["snapshots"].append(_agent_cols(batch, runs, agents, AGENT_FIELDS, t, domains=True))
    parts["series"].extend(series)
    if task.final_agents:
        parts["agents"].append(_agent_cols(batch, runs, agents, AGENT_FIELDS, None, domains=True))


def _agent_cols(
    batch: Batch, runs: np.ndarray, n: int, names: Sequence[str], step: int | None, domains: bool = False
) -> dict[str, np.ndarray]:
    r = len(runs)
    cols: dict[str, np.ndarray] = {"run": np.repeat(runs, n)}
    if step is not None:
        cols["step"] = np.full(r * n, step, dtype=np.int64)
    cols["agent"] = np.tile(np.arange(n, dtype=np.int64), r)
    arrays = {name: getattr(batch.state, name) for name in names}
    if domains:  # per-domain fields of a multi-domain batch (none otherwise)
        arrays |= domain_fields(batch.domains)
    for name, a in arrays.items():
        cols[name] = np.array(a[:, :n]).reshape(-1)  # a copy: the state changes in place
    return cols


def _parquet(blocks: list[dict[str, np.ndarray]]) -> bytes:
    cols = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}  # (an experiment's runs share domains)
    table = pa.table(cols)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


SERIES_COLUMNS = ("run", "step", *METRICS)
