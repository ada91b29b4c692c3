"""The results store: one folder per experiment, written so that nothing is ever lost, mixed or mislabelled.

Layout::

    <out>/manifest.json                 experiment config, hash, seeds, versions, times, chunks done, and
                                        the size and SHA-256 of every file below (written at commit time)
    <out>/runs.parquet                  one row per run (point, condition, replicate, varied values)
    <out>/parts/<table>/chunk-NNNNN.parquet   one part per chunk and table (series, agents, ...)
    <out>/.efficacy-sim.lock            while a sweep writes the folder: its pid (an flock, so a lock left
                                        by a killed sweep is free again at once)

Every file is written to a temporary name and renamed into place, and a chunk is listed as done in
the manifest (with each part's size and hash) only after all its parts are in place; so a sweep killed
at any moment resumes from the chunks the manifest lists, and its final data equals an uninterrupted
run's. On resume every listed part is checked against its record and a missing or damaged one is
computed again; on load a missing or damaged file is refused with a message naming it. A folder
whose manifest is missing or unreadable but holds data is never written into unless asked
(``force``), and the store only ever deletes files its manifest lists.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import re
import socket
import time
import uuid
import warnings
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.engine.worker import TABLES
from sim.errors import ConfigError, StoreError, os_problem
from sim.provenance import model_fingerprint

FORMAT = 2
"""Manifest format: 2 records every file's size and SHA-256; folders of format 1 are checked and upgraded."""
MANIFEST = "manifest.json"
RUNS = "runs.parquet"
PARTS = "parts"
LOCK = ".efficacy-sim.lock"
RUN_KEYS = ("run", "point", "condition", "replicate")
_TMP = re.compile(r"^\..+\.[0-9a-f]{8}\.tmp$")
"""Names of this module's temporary files (:func:`atomic_write`); only these are removed as leftovers."""
_RETRY = "free space (or fix the folder's permissions) and run the same command again: finished chunks are kept"
_RERUN = "run the same experiment again into this folder (efficacy-sim sweep, or run_experiment with this out) to recompute it"
STALE_LOCK_WAIT = 5.0
"""Seconds to wait for a lock whose owner has died to be released by its exiting worker processes."""
_MANIFEST_KEYS = ("hash", "chunks", "chunks_done", "chunk_runs", "runs", "tables", "sessions")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def file_record(data: bytes) -> dict[str, Any]:
    """What the manifest keeps of a file it lists: its size and content hash."""
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename.

    Raises
    ------
    StoreError
        If the folder cannot be written (full disk, read-only, permissions); nothing is left behind
        and an earlier version of ``path`` is unchanged.
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise StoreError(path, f"cannot be written ({os_problem(exc)})", _RETRY) from None


def read_manifest(path: str | Path) -> dict[str, Any] | None:
    """The manifest of a results folder, None if it has none.

    Raises
    ------
    StoreError
        If ``manifest.json`` exists but cannot be read or is not a manifest (truncated, overwritten).
    """
    f = Path(path) / MANIFEST
    try:
        if not f.is_file():
            if f.exists():
                raise StoreError(f, "is not a file", "move it away")
            return None
        raw = f.read_bytes()
    except OSError as exc:
        raise StoreError(f, f"cannot be read ({os_problem(exc)})", "fix the folder's permissions") from None
    try:
        man = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        man = None
    if not isinstance(man, dict) or any(k not in man for k in _MANIFEST_KEYS) or not _valid_done(man):
        raise StoreError(
            f,
            "is damaged (not a complete results manifest: truncated or overwritten)",
            "move the folder away, or pass --force (force=True) to write a fresh sweep into it "
            "(its files are then overwritten, none deleted), or --new-folder to write to a new folder",
        )
    return man


def _valid_done(man: dict[str, Any]) -> bool:
    done, n = man["chunks_done"], man["chunks"]
    return (
        isinstance(n, int)
        and isinstance(done, list)
        and all(isinstance(c, int) and 0 <= c < n for c in done)
        and isinstance(man["sessions"], list)
        and isinstance(man.get("parts", {}), dict)
    )


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


def part_path(folder: Path, table: str, chunk: int) -> Path:
    return folder / PARTS / table / f"chunk-{chunk:05d}.parquet"


# -- the lock -----------------------------------------------------------------------------------------
class FolderLock:
    """An exclusive lock on a results folder: a file holding the owner's pid, locked with ``flock``.

    The kernel drops an ``flock`` when its holder dies, so a lock file left by a killed sweep is free
    at once (a stale lock is taken over); one held by a live sweep is a refusal naming its pid.
    """

    def __init__(self, folder: Path) -> None:
        self.file = folder / LOCK
        self.fd: int | None = None

    def acquire(self) -> None:
        grace = time.monotonic() + STALE_LOCK_WAIT
        while True:
            try:
                fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise StoreError(self.file, f"cannot be created ({os_problem(exc)})", _RETRY) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                owner, pid = _read_owner(fd)
                os.close(fd)
                if pid is not None and not _alive(pid) and time.monotonic() < grace:
                    time.sleep(0.1)  # its owner died: its worker processes are exiting and release it
                    continue
                raise StoreError(
                    self.file.parent,
                    f"another sweep is writing this folder ({owner})",
                    "wait for it to finish, or write to another folder (--out)",
                ) from None
            try:
                same = os.stat(self.file).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # the holder removed the file between our open and flock: lock the new one
                os.close(fd)
                continue
            info = {"pid": os.getpid(), "host": socket.gethostname(), "started": now()}
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(info).encode())
            self.fd = fd
            return

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            self.file.unlink(missing_ok=True)
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None


def _read_owner(fd: int) -> tuple[str, int | None]:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        pid = int(info["pid"]) if info.get("host") == socket.gethostname() else None
        return f"pid {info['pid']} on {info['host']}, since {info['started']}", pid
    except (OSError, ValueError, KeyError, TypeError):
        return "owner unknown", None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# -- checking parts -----------------------------------------------------------------------------------
def check_parts(folder: Path, man: dict[str, Any], hashes: bool) -> dict[int, tuple[Path, str]]:
    """Chunks listed as done whose parts are missing or differ from their records: ``{chunk: (file, problem)}``.

    ``hashes`` also compares content hashes (reads every part); without it, only presence and sizes.
    A manifest of format 1 (no records) has its parts checked by presence of the series part and
    by reading their Parquet footers.
    """
    bad: dict[int, tuple[Path, str]] = {}
    records = man.get("parts")
    for c in sorted(man["chunks_done"]):
        if records is None:  # format 1
            problem = _check_unrecorded(folder, man, c)
        else:
            rec = records.get(str(c))
            problem = (folder / MANIFEST, f"has no record of chunk {c}") if not isinstance(rec, dict) else None
            for table, r in (rec or {}).items():
                f = part_path(folder, table, c)
                why = problem is None and _check_file(f, r, hashes)
                problem = problem or ((f, why) if why else None)
        if problem:
            bad[c] = problem
    return bad


def _check_file(f: Path, rec: Any, hashes: bool) -> str | None:
    if not isinstance(rec, dict) or not isinstance(rec.get("bytes"), int) or not isinstance(rec.get("sha256"), str):
        return "its record in the manifest is damaged"
    try:
        size = f.stat().st_size
    except FileNotFoundError:
        return "is missing"
    except OSError as exc:
        return f"cannot be read ({os_problem(exc)})"
    if size != rec["bytes"]:
        return f"has {size:,} bytes, {rec['bytes']:,} when written (truncated or overwritten)"
    if hashes:
        try:
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
        except OSError as exc:
            return f"cannot be read ({os_problem(exc)})"
        if digest != rec["sha256"]:
            return "differs from what was written (content hash mismatch: damaged)"
    return None


def _check_unrecorded(folder: Path, man: dict[str, Any], c: int) -> tuple[Path, str] | None:
    series = part_path(folder, "series", c)
    if not series.is_file():
        return series, "is missing"
    for table in man.get("tables", TABLES):
        f = part_path(folder, table, c)
        if f.is_file():
            try:
                pq.read_metadata(f)
            except (OSError, pa.ArrowException) as exc:
                return f, f"is damaged ({type(exc).__name__})"
    return None


def _records_of(folder: Path, man: dict[str, Any], c: int) -> dict[str, Any]:
    """Records of a format-1 chunk's existing parts (taken when the folder is upgraded to format 2)."""
    out = {}
    for table in TABLES:
        f = part_path(folder, table, c)
        if f.is_file():
            out[table] = file_record(f.read_bytes())
    return out


# -- the folder being written ---------------------------------------------------------------------------
class Store:
    """A results folder being written (holds its lock until :meth:`close`)."""

    def __init__(self, path: Path, manifest: dict[str, Any], lock: FolderLock) -> None:
        self.path = path
        self.manifest = manifest
        self.lock = lock

    @property
    def done(self) -> set[int]:
        return set(self.manifest["chunks_done"])

    def part_path(self, table: str, chunk: int) -> Path:
        return part_path(self.path, table, chunk)

    def save_manifest(self) -> None:
        atomic_write(self.path / MANIFEST, json.dumps(self.manifest, indent=1).encode())

    def write_chunk(self, result: dict[str, Any]) -> None:
        """Write a chunk's parts, then list it as done with each part's size and hash."""
        chunk = int(result["chunk"])
        records = {}
        for table in TABLES:
            if result.get(table) is not None:
                atomic_write(self.part_path(table, chunk), result[table])
                records[table] = file_record(result[table])
        self.manifest["parts"][str(chunk)] = records
        self.manifest["chunks_done"] = sorted(self.done | {chunk})
        self.manifest["sessions"][-1]["chunks_computed"] += 1
        self.save_manifest()

    def close(self) -> None:
        self.lock.release()


_CHUNK = re.compile(r"^chunk-\d{5,}\.parquet$")


def _leftovers(folder: Path) -> list[str]:
    """Files named like ours in a folder without a (readable) manifest: they cannot be trusted, nor deleted.
    (Other files, a user's, are not in the way: nothing of ours has their names.)"""
    left = [n for n in (MANIFEST, RUNS) if (folder / n).exists()]
    chunks = [p for t in TABLES for p in (folder / PARTS / t).glob("chunk-*") if _CHUNK.match(p.name)]
    return left + ([f"{PARTS}/ ({len(chunks)} chunk files)"] if chunks else [])


def resolve_folder(
    out: Path, digest: str, experiment: dict[str, Any], new_folder: bool, force: bool = False
) -> tuple[Path, dict[str, Any] | None]:
    """The folder to write and its manifest: ``out`` if it is free or holds this same experiment; else a new
    sibling folder (``new_folder``), or a clear refusal. Writes nothing (``--dry-run`` calls it too)."""
    candidates = [out] + ([out.with_name(f"{out.name}-{i}") for i in range(2, 1000)] if new_folder else [])
    for cand in candidates:
        for p in (cand, *cand.parents):
            if p.exists() and not p.is_dir():
                raise ConfigError("out", str(cand), "a directory path (a file of that name is in the way)", str(p))
        try:
            man = read_manifest(cand)
        except StoreError:
            if new_folder:
                continue
            if force:
                return cand, None
            raise
        if man is None:
            left = _leftovers(cand)
            if not left or force:
                return cand, None
            if new_folder:
                continue
            raise StoreError(
                cand,
                f"holds {' and '.join(left)} but no manifest.json, so nothing tells which experiment wrote them",
                "move them away, or pass --new-folder (new_folder=True) to write to a new folder, or --force "
                "(force=True) to write here anyway (files are then overwritten, none deleted)",
            )
        if man.get("hash") == digest:
            return cand, man
        if not new_folder:
            changed = config_changes(man.get("experiment", {}), experiment)
            if man.get("model") != model_fingerprint():
                changed.append(
                    f"the model's code (theirs {man.get('model') or 'not recorded'}, now {model_fingerprint()})"
                )
            raise ConfigError(
                "out",
                str(out),
                "a results folder of this same experiment and model code, never mixed with another",
                f"it holds experiment {man.get('hash')} and this one is {digest}; changed: "
                + (
                    ", ".join(changed[:8]) + (" ..." if len(changed) > 8 else "")
                    if changed
                    else "the order of vary or conditions entries"
                )
                + "; to keep both, pass new_folder=True (--new-folder) or another out (--out)",
            )
    raise ConfigError("out", str(out), "a folder name with a free numbered sibling")


def _runs_bytes(runs_table: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    runs_table.to_parquet(buf, index=False)
    return buf.getvalue()


def open_store(
    out: Path,
    digest: str,
    experiment: dict[str, Any],
    new_manifest: dict[str, Any],
    runs_table: pd.DataFrame,
    session: dict[str, Any],
    new_folder: bool,
    force: bool = False,
) -> Store:
    """Open (resume) or create the results folder of an experiment, locked for this process.

    On resume, chunks whose parts are missing or damaged are dropped from the done list (with a
    warning) so they are computed again; ``runs.parquet`` is rewritten if it differs from the design.
    """
    path, _ = resolve_folder(out, digest, experiment, new_folder, force)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(path, f"cannot be created ({os_problem(exc)})", _RETRY) from None
    lock = FolderLock(path)
    lock.acquire()
    try:
        _, man = resolve_folder(path, digest, experiment, False, force)  # again, under the lock
        if man is None:
            man = {**new_manifest, "chunks_done": [], "parts": {}, "complete": False, "started": now()}
            man.update(finished=None, sessions=[])
        else:
            _repair(path, man)
        for tmp in [*path.glob(".*.tmp"), *path.glob(f"{PARTS}/*/.*.tmp")]:  # leftovers of a killed write
            if _TMP.match(tmp.name) and tmp.is_file():
                tmp.unlink(missing_ok=True)
        data = _runs_bytes(runs_table)
        rec = man.get("runs_file")
        if not (rec and _check_file(path / RUNS, rec, hashes=True) is None):
            atomic_write(path / RUNS, data)
            man["runs_file"] = file_record(data)
        man["sessions"].append({**session, "started": now(), "finished": None, "chunks_computed": 0})
        store = Store(path, man, lock)
        store.save_manifest()
    except BaseException:
        lock.release()
        raise
    return store


def _repair(path: Path, man: dict[str, Any]) -> None:
    """Drop done chunks whose parts fail their check (they are computed again); upgrade format 1."""
    bad = check_parts(path, man, hashes=True)
    for c, (f, problem) in bad.items():
        warnings.warn(f"{f}: {problem}; computing chunk {c} again", stacklevel=3)
    man["chunks_done"] = [c for c in man["chunks_done"] if c not in bad]
    if "parts" not in man:
        man["parts"] = {str(c): _records_of(path, man, c) for c in man["chunks_done"]}
        man["format"] = FORMAT
    for c in bad:
        man["parts"].pop(str(c), None)
    if bad:
        man["complete"] = False


def remove_results(folder: str | Path) -> list[Path]:
    """Delete the files a results folder's manifest lists (its parts, ``runs.parquet``, the manifest) and
    the folders they leave empty; any other file is kept. Returns what was deleted.

    Raises
    ------
    StoreError
        If the folder has no readable manifest (then nothing tells which files are ours) or is locked.
    """
    folder = Path(folder)
    man = read_manifest(folder)
    if man is None:
        raise StoreError(folder, "has no manifest.json, so nothing tells which files are results", "delete it by hand")
    lock = FolderLock(folder)
    lock.acquire()
    try:
        files = [part_path(folder, t, int(c)) for c, rec in man.get("parts", {}).items() for t in rec]
        if "parts" not in man:  # format 1: the chunk files of its tables
            files = [part_path(folder, t, c) for c in range(man["chunks"]) for t in TABLES]
        files += [folder / RUNS, folder / MANIFEST]
        removed = []
        for f in files:
            if f.is_file():
                f.unlink()
                removed.append(f)
        for d in sorted((folder / PARTS).glob("*"), reverse=True) + [folder / PARTS]:
            if d.is_dir() and not any(d.iterdir()):
                d.rmdir()
    finally:
        lock.release()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    return removed


# -- loading ------------------------------------------------------------------------------------------
class Results:
    """Tidy tables of a results folder, loaded when first used (see :func:`load_results`).

    Every file is checked against the manifest: sizes when the folder is opened, content hashes when
    a table is read. A missing or damaged file is a :class:`~sim.errors.StoreError` naming it.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        man = read_manifest(self.path)
        if man is None:
            raise ConfigError("results", str(self.path), "a results folder with a manifest.json")
        self.manifest: dict[str, Any] = man
        bad = check_parts(self.path, man, hashes=False)
        rec = man.get("runs_file")
        runs_problem = _check_file(self.path / RUNS, rec, hashes=False) if rec else None
        if not rec and not (self.path / RUNS).is_file():
            runs_problem = "is missing"
        if runs_problem:
            raise StoreError(self.path / RUNS, runs_problem, _RERUN)
        if bad:
            f, problem = bad[min(bad)]
            more = f" ({len(bad)} chunks affected)" if len(bad) > 1 else ""
            raise StoreError(f, problem + more, _RERUN)
        self.complete = len(man["chunks_done"]) == man["chunks"]
        if not self.complete:
            warnings.warn(
                f"{self.path}: {len(man['chunks_done'])} of {man['chunks']} chunks done; run the experiment "
                "again to finish it",
                stacklevel=2,
            )

    def __repr__(self) -> str:
        return f"Results({str(self.path)!r}, runs={self.manifest['runs']}, complete={self.complete})"

    def _read(self, f: Path, rec: dict[str, Any] | None) -> pa.Table:
        try:
            data = f.read_bytes()
        except OSError as exc:
            raise StoreError(f, f"cannot be read ({os_problem(exc)})", _RERUN) from None
        if rec is not None and file_record(data) != {"bytes": rec["bytes"], "sha256": rec["sha256"]}:
            raise StoreError(f, "differs from what was written (content hash mismatch: damaged)", _RERUN)
        try:
            return pq.read_table(pa.BufferReader(data))
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(f, f"is not a readable Parquet file ({type(exc).__name__})", _RERUN) from None

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run: run, point, condition, replicate, seed, one column per varied path."""
        return self._read(self.path / RUNS, self.manifest.get("runs_file")).to_pandas()

    @property
    def varied(self) -> list[str]:
        return list(self.manifest.get("varied", []))

    def _table(self, table: str, order: tuple[str, ...]) -> pd.DataFrame:
        records = self.manifest.get("parts")
        tables = []
        for c in sorted(self.manifest["chunks_done"]):
            f = part_path(self.path, table, c)
            if records is not None:
                rec = records[str(c)].get(table)
                if rec is not None:
                    tables.append(self._read(f, rec))
            elif f.is_file():
                tables.append(self._read(f, None))
        if not tables:
            return pd.DataFrame(columns=[*RUN_KEYS, *[c for c in order if c != "run"], *self.varied])
        df = pa.concat_tables(tables, promote_options="default").to_pandas()
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
        """run, point, condition, replicate, step, varied paths, every metric of :data:`sim.metrics.METRICS`
        (and of :data:`sim.metrics.DOMAIN_METRICS` per domain, when the runs declare several)."""
        return self._table("series", ("run", "step"))

    @cached_property
    def agents(self) -> pd.DataFrame:
        """Final agent table: run, point, condition, replicate, agent, varied paths, every per-agent field
        (and, when the runs declare several domains, :func:`sim.metrics.domain_fields`)."""
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
    """The results of an experiment folder as tidy DataFrames (``.runs``, ``.series``, ``.agents``, ...).

    Raises
    ------
    StoreError
        If a file the manifest lists is missing or damaged (rerun the experiment to recompute it).
    """
    return Results(path)
