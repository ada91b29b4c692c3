"""``run_experiment``: validate, plan chunks, run them on an executor and stream results to disk."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.engine import executors as ex
from sim.engine.design import Design, build_design
from sim.engine.experiment import Experiment
from sim.engine.progress import Progress, ProgressCallback
from sim.engine.store import FORMAT, Results, Store, load_results, now, open_store, resolve_folder
from sim.engine.worker import AGENT_FIELDS, TABLES, TRAJECTORY_FIELDS, ChunkTask
from sim.errors import ConfigError, StoreError
from sim.limits import MAX_AGENT_STEPS, MAX_MEMORY_BYTES
from sim.metrics import METRICS
from sim.provenance import model_fingerprint

RESULTS_ROOT = Path("results")
"""Default parent of results folders (``results/<experiment name>``)."""

AGENTS_PER_CHUNK = 20_000
"""Default chunk size in agents (runs x agents): large enough for fast array steps, small enough to
keep memory low and work spread over the workers."""

STATE_BYTES_PER_AGENT = 800
"""Working memory of one agent of one run in a batch (its state arrays, the step's temporaries and its
network): 690 bytes measured (peak RSS of 100,000 and 400,000 agents, default scenario), plus a margin;
used by :func:`memory_estimate`."""


def package_versions() -> dict[str, str | None]:
    from sim.provenance import PACKAGES
    from sim.provenance import package_versions as versions

    return versions((*PACKAGES, "SALib", "distributed", "pyarrow"))


def default_chunk_runs(design: Design, workers: int) -> int:
    """Runs per chunk: about :data:`AGENTS_PER_CHUNK` agents, and with several workers at least 2 chunks
    per worker when possible (one worker gains nothing from smaller chunks: bigger batches step faster)."""
    agents = max(p.config.agents for p in design.points)
    by_size = max(1, AGENTS_PER_CHUNK // agents)
    if workers == 1:
        return by_size
    by_spread = max(1, math.ceil(design.n_runs / (2 * workers)))
    return min(by_size, by_spread)


def plan_tasks(exp: Experiment, design: Design, chunk_runs: int, skip: set[int]) -> Iterator[ChunkTask]:
    """The chunks not in ``skip``, in order; chunk i holds runs [i * chunk_runs, (i + 1) * chunk_runs)."""
    n_chunks = math.ceil(design.n_runs / chunk_runs)
    o = exp.outputs
    for c in range(n_chunks):
        if c in skip:
            continue
        runs = range(c * chunk_runs, min((c + 1) * chunk_runs, design.n_runs))
        pr = [design.run(r) for r in runs]
        yield ChunkTask(
            chunk=c,
            runs=tuple(runs),
            replicates=tuple(rep for _, rep in pr),
            configs=tuple(p.config for p, _ in pr),
            seed=exp.seed,
            every=o.every,
            final_agents=o.final_agents,
            trajectories=o.trajectories,
            snapshots=o.snapshots,
            model=model_fingerprint(),
        )


def run_experiment(
    exp: Experiment,
    out: str | Path | None = None,
    executor: str = "auto",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_runs: int | None = None,
    progress: bool | ProgressCallback = True,
    new_folder: bool = False,
    force: bool = False,
) -> Results:
    """Run (or resume) an experiment and return its results.

    Parameters
    ----------
    exp : the experiment.
    out : results folder (default ``results/<exp.name>``). If it holds this same experiment, finished
        chunks are kept and only the rest is computed; if it holds another, the run is refused unless
        ``new_folder`` (then ``<out>-2``, ``<out>-3``, ... is used).
    executor : ``"auto"`` (the default), ``"serial"``, ``"processes"`` (local processes) or ``"dask"``.
        ``"auto"`` means ``"processes"`` for sweeps of at least
        :data:`~sim.engine.executors.AUTO_PROCESSES_AGENT_STEPS` agent-steps on several cores, else
        ``"serial"`` (worker start-up would cost more than it saves); the manifest records the choice.
    workers : processes (default: all cores) or LocalCluster workers (default 2).
    scheduler : address of a running Dask scheduler (``tcp://host:8786``); default: a new LocalCluster.
    chunk_runs : runs per chunk (default :func:`default_chunk_runs`); a resumed folder keeps its own.
    progress : True for a progress bar on stderr, False for none, or ``callback(runs_done, runs_total)``.
    new_folder : write to a new numbered folder instead of refusing a changed config.
    force : write into ``out`` even if it holds results files but no readable manifest (they are then
        overwritten, none deleted); without it such a folder is refused, as nothing tells what wrote them.

    Returns
    -------
    Results
        Tidy tables of the folder (see :func:`sim.engine.load_results`).
    """
    plan = plan_experiment(exp, out, executor, workers, scheduler, chunk_runs, new_folder, force)
    design, n_workers, executor = plan["design"], plan["workers"], plan["executor"]
    session = {"executor": executor, "workers": n_workers, "scheduler": scheduler}
    store = open_store(
        plan["out"], plan["hash"], plan["experiment"], plan["manifest"], design.runs_table(), session, new_folder, force
    )
    try:
        chunk_runs = store.manifest["chunk_runs"]  # a resumed folder keeps its chunk layout
        done = store.done
        done_runs = sum(min(chunk_runs, design.n_runs - c * chunk_runs) for c in done)
        # never start more workers than there are chunks left to compute
        todo = store.manifest["chunks"] - len(done)
        n_workers = max(1, min(n_workers, todo))
        if executor == "processes":
            store.manifest["sessions"][-1]["workers"] = n_workers
        tasks = plan_tasks(exp, design, chunk_runs, done)
        if executor == "serial":
            results = ex.serial(tasks)
        elif executor == "processes":
            results = ex.processes(tasks, n_workers)
        else:
            results = ex.dask(tasks, scheduler, workers, f"{plan['hash']}-{uuid.uuid4().hex[:8]}")
        bar = Progress(progress, design.n_runs, done_runs, exp.name)
        try:
            for result in results:
                store.write_chunk(result)
                bar.update(result["runs"])
        except BaseException:
            try:
                _finish(store)  # keep the record of this session; a full disk may refuse it too
            except StoreError:
                pass
            raise
        else:
            _finish(store)
        finally:
            bar.close()
            results.close()  # stops the workers (cancels chunks not started)
    finally:
        store.close()
    return load_results(store.path)


def plan_experiment(
    exp: Experiment,
    out: str | Path | None = None,
    executor: str = "auto",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_runs: int | None = None,
    new_folder: bool = False,
    force: bool = False,
) -> dict[str, Any]:
    """Every check :func:`run_experiment` makes before it writes or computes anything (``--dry-run``).

    Validates the settings and every design point, checks the sizes against :mod:`sim.limits` (runs,
    agent-steps, memory) and checks that the results folder may be written (free, or holding this same
    experiment). Returns the plan: ``design``, ``executor`` (``auto`` resolved), ``workers``,
    ``chunk_runs``, ``out`` (the folder to write), ``resumes`` (chunks already done there), ``hash``,
    ``experiment``, ``manifest``, ``agent_steps``, ``memory``.
    """
    if not isinstance(exp, Experiment):
        raise ConfigError("experiment", type(exp).__name__, "an Experiment (Experiment(...) or Experiment.from_toml)")
    ex.check_executor(executor, workers, scheduler)
    if chunk_runs is not None and (isinstance(chunk_runs, bool) or not isinstance(chunk_runs, int) or chunk_runs < 1):
        raise ConfigError("chunk_runs", chunk_runs, "a whole number >= 1 (or None for the default)")
    design = build_design(exp)  # validates every point's config before anything runs
    agent_steps = _agent_steps(design)
    if agent_steps > MAX_AGENT_STEPS:
        raise ConfigError(
            "agent-steps",
            agent_steps,
            f"at most {MAX_AGENT_STEPS:,} per experiment (sim.limits.MAX_AGENT_STEPS)",
            "fewer replications, design points, agents or steps",
        )
    if executor == "auto":
        executor = ex.resolve_auto(agent_steps, workers)
    n_workers = workers or ex.default_workers(executor)
    digest = exp.digest()
    chunk_runs = chunk_runs or default_chunk_runs(design, n_workers)
    n_chunks = math.ceil(design.n_runs / chunk_runs)
    concurrent = 1 if executor == "serial" else min(n_workers, n_chunks)
    memory = memory_estimate(exp, design, chunk_runs, concurrent)
    if memory > MAX_MEMORY_BYTES:
        raise ConfigError(
            "memory",
            f"{memory / 2**30:.1f} GiB",
            f"an estimated working memory of at most {MAX_MEMORY_BYTES / 2**30:g} GiB (sim.limits.MAX_MEMORY_BYTES)",
            f"{concurrent} chunk(s) of {chunk_runs} run(s) at once; use fewer agents, fewer workers, "
            "smaller chunks (--chunk-runs) or keep fewer outputs (snapshots, trajectories)",
        )
    experiment = exp.to_dict()
    manifest = {
        "format": FORMAT,
        "name": exp.name,
        "hash": digest,
        "seed": exp.seed,
        "experiment": experiment,
        "model": model_fingerprint(),
        "seeds": {
            "experiment": exp.seed,
            "streams": "run stream = numpy SeedSequence(seed, spawn_key=(replicate,)): common random numbers",
            "replicates": list(range(exp.replications)),
        },
        "runs": design.n_runs,
        "points": len(design.points),
        "replications": exp.replications,
        "varied": list(design.varied),
        "conditions": list(dict.fromkeys(p.condition for p in design.points)),
        "tables": [t for t in TABLES if _keeps(exp, t)],
        "chunk_runs": chunk_runs,
        "chunks": n_chunks,
        "versions": package_versions(),
    }
    out = Path(out) if out is not None else RESULTS_ROOT / exp.name
    folder, man = resolve_folder(out, digest, experiment, new_folder, force)
    return {
        "design": design,
        "executor": executor,
        "workers": n_workers,
        "chunk_runs": man["chunk_runs"] if man else chunk_runs,
        "out": folder,
        "resumes": len(man["chunks_done"]) if man else 0,
        "hash": digest,
        "experiment": experiment,
        "manifest": manifest,
        "agent_steps": agent_steps,
        "memory": memory,
    }


def memory_estimate(exp: Experiment, design: Design, chunk_runs: int, concurrent: int) -> int:
    """Estimated peak working memory (bytes) of a sweep: ``concurrent`` chunks of the largest runs in flight
    (their batch state and the tables they keep until the chunk ends) plus the design and run table."""
    o = exp.outputs
    per_run = 0
    for p in design.points:
        a, s = p.config.agents, p.config.steps
        k = len(p.config.domain_names)
        per_domain = (4 * k + 1, 3 * k + 1) if k > 1 else (0, 0)  # DOMAIN_METRICS, domain_fields columns
        records = s // o.every + 2
        kept = records * (len(METRICS) + per_domain[0] + 2) * 8  # series
        kept += records * min(o.trajectories, a) * (len(TRAJECTORY_FIELDS) + 3) * 8
        kept += sum(1 for t in o.snapshots if t <= s) * a * (len(AGENT_FIELDS) + per_domain[1] + 3) * 8
        kept += a * (len(AGENT_FIELDS) + per_domain[1] + 2) * 8 if o.final_agents else 0
        per_run = max(per_run, a * STATE_BYTES_PER_AGENT + 2 * kept)  # tables, and their Parquet copy
    return concurrent * min(chunk_runs, design.n_runs) * per_run + len(design.points) * 20_000 + design.n_runs * 200


def _agent_steps(design: Design) -> int:
    return sum(p.config.agents * p.config.steps for p in design.points) * design.replications


def _keeps(exp: Experiment, table: str) -> bool:
    o = exp.outputs
    return {
        "series": True,
        "agents": o.final_agents,
        "snapshots": bool(o.snapshots),
        "trajectories": o.trajectories > 0,
    }[table]


def _finish(store: Store) -> None:
    man = store.manifest
    man["sessions"][-1]["finished"] = now()
    man["complete"] = len(man["chunks_done"]) == man["chunks"]
    if man["complete"] and not man.get("finished"):
        man["finished"] = now()
    store.save_manifest()


def describe(exp: Experiment) -> dict[str, Any]:
    """Size of an experiment (points, runs, agent-steps) without running it; validates every point."""
    design = build_design(exp)
    agent_steps = sum(p.config.agents * p.config.steps for p in design.points) * exp.replications
    return {"points": len(design.points), "runs": design.n_runs, "agent_steps": agent_steps}
