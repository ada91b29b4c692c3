"""Executors: where chunks run. Serial (this process), local processes, or Dask distributed.

``"auto"`` picks serial or processes by the size of the sweep (:func:`resolve_auto`): starting worker
processes costs about two seconds (a fresh interpreter importing NumPy, SciPy, Numba and PyArrow), more
than a second core saves on a small sweep.

Each executor is a generator over chunk results in completion order, keeping at most a few chunks in
flight so memory stays flat however many runs an experiment has. Every chunk computes the same
numbers wherever it runs (each run's stream depends only on the experiment seed and its replicate).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.engine.worker import ChunkTask

EXECUTORS = ("auto", "serial", "processes", "dask")
"""The executor choices, read by every command line that offers them (this module imports no model code,
so a parser can read it cheaply)."""
AUTO_PROCESSES_AGENT_STEPS = 10_000_000
"""With ``"auto"``, sweeps of at least this many agent-steps (several seconds of work on one core) run
on local processes, smaller ones serially."""
SCHEDULER_TIMEOUT = 5.0
"""Seconds to wait for a Dask scheduler to answer before giving up."""
IN_FLIGHT_PER_WORKER = 2


def resolve_auto(agent_steps: int, workers: int | None) -> str:
    """The executor ``"auto"`` stands for: processes for big sweeps on several cores, serial otherwise."""
    cores = workers or os.cpu_count() or 1
    return "processes" if cores > 1 and agent_steps >= AUTO_PROCESSES_AGENT_STEPS else "serial"


def default_workers(executor: str) -> int:
    if executor == "serial":
        return 1
    if executor == "dask":
        return 2
    return os.cpu_count() or 1


def check_executor(executor: str, workers: int | None, scheduler: str | None) -> None:
    """Refuse bad executor settings before any work (ConfigError naming the field)."""
    if executor not in EXECUTORS:
        raise ConfigError("executor", executor, "one of " + ", ".join(map(repr, EXECUTORS)))
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ConfigError("workers", workers, "a whole number >= 1 (or None for the default)")
    if scheduler is not None:
        if executor != "dask":
            raise ConfigError("scheduler", scheduler, "only with executor 'dask'")
        if not isinstance(scheduler, str) or "://" not in scheduler:
            raise ConfigError("scheduler", scheduler, "a Dask scheduler address such as 'tcp://host:8786'")


def serial(tasks: Iterable[ChunkTask]) -> Iterator[dict[str, Any]]:
    from sim.engine.worker import run_chunk

    for task in tasks:
        yield run_chunk(task)


def processes(tasks: Iterable[ChunkTask], workers: int) -> Iterator[dict[str, Any]]:
    """Local worker processes (forkserver where available, else spawn: no state inherited by fork)."""
    from sim.engine.worker import run_chunk

    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        # the server imports the model once (NumPy, Numba kernels); workers fork from it ready to run
        ctx.set_forkserver_preload(["sim.engine.worker"])
    pending = iter(tasks)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        running = set()
        for task in pending:
            running.add(pool.submit(run_chunk, task))
            if len(running) >= workers * IN_FLIGHT_PER_WORKER:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                nxt = next(pending, None)
                if nxt is not None:
                    running.add(pool.submit(run_chunk, nxt))
                yield fut.result()


def connect_dask(scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    """A Dask client: to ``scheduler`` (fails fast if it does not answer) or to a new LocalCluster."""
    from distributed import Client, LocalCluster

    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or default_workers("dask"), threads_per_worker=1, dashboard_address=None, processes=True
        )
        return Client(cluster), cluster
    try:
        client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT}s")
    except (OSError, TimeoutError) as exc:
        raise ConfigError(
            "scheduler",
            scheduler,
            "the address of a running Dask scheduler, e.g. tcp://host:8786",
            f"no answer within {SCHEDULER_TIMEOUT:g} s: {type(exc).__name__}",
        ) from None
    return client, None


def dask(tasks: Iterable[ChunkTask], scheduler: str | None, workers: int | None, key: str) -> Iterator[dict[str, Any]]:
    """Chunks as Dask tasks; a task whose worker dies is rescheduled by Dask on another worker."""
    from distributed import as_completed

    from sim.engine.worker import run_chunk

    client, cluster = connect_dask(scheduler, workers)
    try:
        n_workers = max(1, sum(w["nthreads"] for w in client.scheduler_info()["workers"].values()))
        pending = iter(tasks)
        first = []
        for task in pending:
            first.append(client.submit(run_chunk, task, key=f"efficacy-chunk-{key}-{task.chunk}", pure=False))
            if len(first) >= n_workers * IN_FLIGHT_PER_WORKER:
                break
        ac = as_completed(first)
        del first
        for fut in ac:
            result = fut.result()
            fut.release()
            nxt = next(pending, None)
            if nxt is not None:
                ac.add(client.submit(run_chunk, nxt, key=f"efficacy-chunk-{key}-{nxt.chunk}", pure=False))
            yield result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
