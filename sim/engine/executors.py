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
import socket
import struct
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError, os_problem
from sim.limits import MAX_WORKERS, SCHEDULER_MAX_FRAME, SCHEDULER_TIMEOUT

if TYPE_CHECKING:
    from sim.engine.worker import ChunkTask

EXECUTORS = ("auto", "serial", "processes", "dask")
"""The executor choices, read by every command line that offers them (this module imports no model code,
so a parser can read it cheaply)."""
AUTO_PROCESSES_AGENT_STEPS = 2_000_000
"""With ``"auto"``, sweeps of at least this many agent-steps (about a second of work on one core) run
on local processes, smaller ones serially."""
PARENT_CHECK_SECONDS = 0.5
"""How often a worker process checks that the sweep that started it is still alive."""
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
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS
    ):
        raise ConfigError(
            "workers",
            workers,
            f"a whole number in [1, {MAX_WORKERS}] (sim.limits.MAX_WORKERS), or None for the default",
        )
    if scheduler is not None:
        if executor != "dask":
            raise ConfigError("scheduler", scheduler, "only with executor 'dask'")
        if not isinstance(scheduler, str) or "://" not in scheduler:
            raise ConfigError("scheduler", scheduler, "a Dask scheduler address such as 'tcp://host:8786'")


def _chunk_function(fn: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """``fn``, or the engine's :func:`~sim.engine.worker.run_chunk` (other callers, e.g. calibration, pass their own)."""
    if fn is not None:
        return fn
    from sim.engine.worker import run_chunk

    return run_chunk


def serial(tasks: Iterable[ChunkTask], fn: Callable[[Any], Any] | None = None) -> Iterator[dict[str, Any]]:
    run_chunk = _chunk_function(fn)
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


def _exit_with_parent(sweep: int) -> None:
    """Worker initializer: end this worker when the sweep that started it dies (even by SIGKILL).

    A killed sweep cannot stop its workers, and they would wait for work forever; so each worker
    watches its parent (this process, or the fork server, which exits with it): when the parent dies
    the worker is re-parented and its parent process id changes.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            if os.getppid() != parent or not _alive(sweep):
                os._exit(1)
            time.sleep(PARENT_CHECK_SECONDS)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def processes(
    tasks: Iterable[ChunkTask], workers: int, fn: Callable[[Any], Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Local worker processes (see :func:`start_method`); they exit when this process dies.

    ``fn`` (default :func:`~sim.engine.worker.run_chunk`) is called on each task; it must be importable
    by module and name so the workers can unpickle it.
    """
    run_chunk = _chunk_function(fn)
    method = start_method()
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        # the server imports the model once (NumPy, Numba kernels); workers fork from it ready to run
        ctx.set_forkserver_preload(["sim.engine.worker"])
    pending = iter(tasks)
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_exit_with_parent, initargs=(os.getpid(),)
    )
    try:
        with warnings.catch_warnings():
            # Python counts the idle native BLAS/Arrow threads as a reason to warn about fork (see start_method)
            warnings.filterwarnings(
                "ignore",
                message=r".*multi-threaded, use of fork\(\) may lead to deadlocks",
                category=DeprecationWarning,
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
    finally:
        # stopped early (an error, Ctrl-C, a full disk): chunks not started are dropped, not waited for
        pool.shutdown(wait=True, cancel_futures=True)


def connect_dask(scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    """A Dask client: to ``scheduler`` (fails fast if it does not answer) or to a new LocalCluster."""
    from distributed import Client, LocalCluster

    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or default_workers("dask"), threads_per_worker=1, dashboard_address=None, processes=True
        )
        return Client(cluster), cluster
    probe_scheduler(scheduler)
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


def probe_scheduler(address: str, timeout: float = SCHEDULER_TIMEOUT) -> None:
    """Check within ``timeout`` seconds that a ``tcp://`` address answers like a Dask scheduler.

    A Dask scheduler sends its handshake as soon as a connection opens: an 8-byte frame size, then
    the frame. Distributed itself would wait without a deadline for a silent server, and try to
    allocate whatever size a server that is not Dask announces; this probe refuses both in one line.
    Other protocols (``tls://``, ``inproc://``) are left to Distributed.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme != "tcp":
        return
    allowed = "the address of a running Dask scheduler, e.g. tcp://host:8786"
    try:
        host, port = parts.hostname, parts.port or 8786
    except ValueError:
        raise ConfigError("scheduler", address, allowed, "the port is not a number in [0, 65535]") from None
    if not host:
        raise ConfigError("scheduler", address, allowed, "no host name")
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            head = b""
            while len(head) < 8:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                got = sock.recv(8 - len(head))
                if not got:
                    raise ConfigError("scheduler", address, allowed, "it closed the connection without a handshake")
                head += got
    except TimeoutError:
        raise ConfigError(
            "scheduler", address, allowed, f"no Dask handshake within {timeout:g} s (sim.limits.SCHEDULER_TIMEOUT)"
        ) from None
    except OSError as exc:
        raise ConfigError("scheduler", address, allowed, f"no answer: cannot connect ({os_problem(exc)})") from None
    (size,) = struct.unpack("Q", head)  # the byte order Distributed uses
    if not 0 < size <= SCHEDULER_MAX_FRAME:
        raise ConfigError(
            "scheduler", address, allowed, f"it answered, but not as a Dask scheduler (a first frame of {size:,} bytes)"
        )


def dask(
    tasks: Iterable[ChunkTask],
    scheduler: str | None,
    workers: int | None,
    key: str,
    fn: Callable[[Any], Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """Chunks as Dask tasks; a task whose worker dies is rescheduled by Dask on another worker."""
    from distributed import as_completed

    run_chunk = _chunk_function(fn)

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
