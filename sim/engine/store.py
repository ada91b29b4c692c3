"""The results store: one folder per experiment, written so that nothing is ever lost or mixed.

Layout::

    <out>/manifest.json                 experiment config, hash, seeds, versions, times, chunks done
    <out>/runs.parquet                  one row per run (point, condition, replicate, varied values)
    <out>/parts/<table>/chunk-NNNNN.parquet   one part per chunk and table (series, agents, ...)

Every file is written to a temporary name and renamed into place, and a chunk is listed as done in
the manifest only after all its parts are in place; so a sweep killed at any moment resumes from
the chunks the manifest lists, and its final data equals an uninterrupted run's.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
import warnings
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from sim.engine.worker import TABLES
from sim.errors import ConfigError

FORMAT = 1
MANIFEST = "manifest.json"
RUNS = "runs.parquet"
PARTS = "parts"
RUN_KEYS = ("run", "point", "condition", "replicate")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_manifest(path: str | Path) -> dict[str, Any] | None:
    f = Path(path) / MANIFEST
    return json.loads(f.read_text()) if f.is_file() else None


def _flat(d: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(d, dict):
        out: dict[str, Any] = {}
        for k, v in d.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: json.dumps(d, sort_keys=True)}


def config_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Paths where two experiment dicts differ (names and descriptions left out)."""
    a, b = _flat(old), _flat(new)
    skip = {"name", "description", "base.name", "base.description"}
    return sorted(k for k in set(a) | set(b) if k not in skip and a.get(k) != b.get(k))


class Store:
    """A results folder being written."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest

    @property
    def done(self) -> set[int]:
        return set(self.manifest["chunks_done"])

    def part_path(self, table: str, chunk: int) -> Path:
        return self.path / PARTS / table / f"chunk-{chunk:05d}.parquet"

    def save_manifest(self) -> None:
        atomic_write(self.path / MANIFEST, json.dumps(self.manifest, indent=1).encode())

    def write_chunk(self, result: dict[str, Any]) -> None:
        """Write a chunk's parts, then list it as done."""
        chunk = int(result["chunk"])
        for table in TABLES:
            if result.get(table) is not None:
                atomic_write(self.part_path(table, chunk), result[table])
        self.manifest["chunks_done"] = sorted(self.done | {chunk})
        self.manifest["sessions"][-1]["chunks_computed"] += 1
        self.save_manifest()


def resolve_folder(out: Path, digest: str, experiment: dict[str, Any], new_folder: bool) -> Path:
    """``out`` if it is free or holds this same experiment; else a new sibling folder, or a clear refusal."""
    candidates = [out] + ([out.with_name(f"{out.name}-{i}") for i in range(2, 1000)] if new_folder else [])
    for cand in candidates:
        if cand.exists() and not cand.is_dir():
            raise ConfigError("out", str(cand), "a directory path (a file of that name is in the way)")
        man = read_manifest(cand)
        if man is None or man.get("hash") == digest:
            return cand
        if not new_folder:
            changed = config_changes(man.get("experiment", {}), experiment)
            raise ConfigError(
                "out",
                str(out),
                "a results folder of this same experiment, never mixed with another",
                f"it holds experiment {man.get('hash')} and this one is {digest}; changed: "
                + (
                    ", ".join(changed[:8]) + (" ..." if len(changed) > 8 else "")
                    if changed
                    else "the order of vary or conditions entries"
                )
                + "; to keep both, pass new_folder=True (--new-folder) or another out (--out)",
            )
    raise ConfigError("out", str(out), "a folder name with a free numbered sibling")


def open_store(
    out: Path,
    digest: str,
    experiment: dict[str, Any],
    new_manifest: dict[str, Any],
    runs_table: pd.DataFrame,
    session: dict[str, Any],
    new_folder: bool,
) -> Store:
    """Open (resume) or create the results folder of an experiment."""
    path = resolve_folder(out, digest, experiment, new_folder)
    man = read_manifest(path)
    if man is None:
        # a folder without manifest holds nothing trustworthy of ours: drop stale parts
        shutil.rmtree(path / PARTS, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        man = {**new_manifest, "chunks_done": [], "complete": False, "started": now(), "finished": None, "sessions": []}
    for tmp in path.rglob(".*.tmp"):  # leftovers of a killed write
        tmp.unlink(missing_ok=True)
    if not (path / RUNS).is_file():
        import io

        buf = io.BytesIO()
        runs_table.to_parquet(buf, index=False)
        atomic_write(path / RUNS, buf.getvalue())
    man["sessions"].append({**session, "started": now(), "finished": None, "chunks_computed": 0})
    store = Store(path, man)
    store.save_manifest()
    return store


class Results:
    """Tidy tables of a results folder, loaded when first used (see :func:`load_results`)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        man = read_manifest(self.path)
        if man is None:
            raise ConfigError("results", str(self.path), "a results folder with a manifest.json")
        self.manifest: dict[str, Any] = man
        self.complete = len(man["chunks_done"]) == man["chunks"]
        if not self.complete:
            warnings.warn(
                f"{self.path}: {len(man['chunks_done'])} of {man['chunks']} chunks done; run the experiment "
                "again to finish it",
                stacklevel=2,
            )

    def __repr__(self) -> str:
        return f"Results({str(self.path)!r}, runs={self.manifest['runs']}, complete={self.complete})"

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run: run, point, condition, replicate, seed, one column per varied path."""
        return pd.read_parquet(self.path / RUNS)

    @property
    def varied(self) -> list[str]:
        return list(self.manifest.get("varied", []))

    def _table(self, table: str, order: tuple[str, ...]) -> pd.DataFrame:
        files = [self.path / PARTS / table / f"chunk-{c:05d}.parquet" for c in sorted(self.manifest["chunks_done"])]
        files = [f for f in files if f.is_file()]
        if not files:
            return pd.DataFrame(columns=[*RUN_KEYS, *[c for c in order if c != "run"], *self.varied])
        df = pq.read_table(files).to_pandas()
        df = df.sort_values([c for c in order if c in df.columns], kind="stable", ignore_index=True)
        # a varied path named like a column of the table (vary efficacy_mean, series metric efficacy_mean)
        # is kept as "<path>_varied" there
        names = {v: (f"{v}_varied" if v in df.columns else v) for v in self.varied}
        keys = self.runs[[*RUN_KEYS, *self.varied]].rename(columns=names)
        df = df.merge(keys, on="run", how="left", sort=False)
        lead = [*RUN_KEYS, *[c for c in order if c != "run" and c in df.columns], *names.values()]
        return df[lead + [c for c in df.columns if c not in lead]]

    @cached_property
    def series(self) -> pd.DataFrame:
        """run, point, condition, replicate, step, varied paths, every metric of :data:`sim.metrics.METRICS`."""
        return self._table("series", ("run", "step"))

    @cached_property
    def agents(self) -> pd.DataFrame:
        """Final agent table: run, point, condition, replicate, agent, varied paths, every per-agent field."""
        return self._table("agents", ("run", "agent"))

    @cached_property
    def snapshots(self) -> pd.DataFrame:
        """Agent tables at the snapshot steps (like :attr:`agents` plus ``step``)."""
        return self._table("snapshots", ("run", "step", "agent"))

    @cached_property
    def trajectories(self) -> pd.DataFrame:
        """run, point, condition, replicate, agent, step, varied, efficacy, skill, arousal, engagement."""
        return self._table("trajectories", ("run", "agent", "step"))


def load_results(path: str | Path) -> Results:
    """The results of an experiment folder as tidy DataFrames (``.runs``, ``.series``, ``.agents``, ...)."""
    return Results(path)
