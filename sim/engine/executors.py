"""Executors: where chunks run. Serial (this process), local processes, or Dask distributed.

``"auto"`` picks serial or processes by the size of the sweep (:func:`resolve_auto`): starting worker
processes costs a fraction of a second when they can be forked from this (single-threaded) process,
about two seconds otherwise (a fresh interpreter importing NumPy, SciPy, Numba and PyArrow), more than
a second core saves on a small sweep.

Each executor is a generator over chunk results in completion order, keeping at most a few chunks in
flight so memory stays flat however many runs an experiment has. Every chunk computes the same
numbers wherever it runs (each run's stream depends only on the experiment seed and its replicate).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.engine.worker import ChunkTask

EXECUTORS = ("auto", "serial", "processes", "dask")
"""The executor choices, read by every command line that offers them (this module imports no model code,
so a parser can read it cheaply)."""
AUTO_PROCESSES_AGENT_STEPS = 2_000_000
"""With ``"auto"``, sweeps of at least this many agent-steps (about a second of work on one core) run
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


def start_method() -> str:
    """How to start worker processes.

    ``fork`` when this process runs no other Python thread (workers start at once with the model
    already imported; forking is unsafe only when another thread may hold a lock), else
    ``forkserver`` (a clean server process imports the model once and forks workers from it), else
    ``spawn``. The native thread pools of OpenBLAS and Arrow re-initialise themselves in the child
    (pthread_atfork), so they do not count.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def processes(tasks: Iterable[ChunkTask], workers: int) -> Iterator[dict[str, Any]]:
    """Local worker processes (see :func:`start_method`)."""
    from sim.engine.worker import run_chunk

    method = start_method()
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        # the server imports the model once (NumPy, Numba kernels); workers fork from it ready to run
        ctx.set_forkserver_preload(["sim.engine.worker"])
    pending = iter(tasks)
    with warnings.catch_warnings(), ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        # Python counts the idle native BLAS/Arrow threads as a reason to warn about fork (see start_method)
        warnings.filterwarnings(
            "ignore", message=r".*multi-threaded, use of fork\(\) may lead to deadlocks", category=DeprecationWarning
        )
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
