"""Executors give identical results: serial, local processes and Dask (a real LocalCluster), also when a
Dask worker is killed mid-run; an unreachable scheduler is refused with a clear message."""

from __future__ import annotations

import os
import signal
import socket

import pytest

from sim.engine import run_experiment
from sim.errors import ConfigError
from tests.test_engine import assert_same_results, small


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    return run_experiment(small(), out=tmp_path_factory.mktemp("ser") / "s", executor="serial", progress=False)


@pytest.mark.slow
def test_processes_equal_serial(serial, tmp_path):
    res = run_experiment(small(), out=tmp_path / "p", executor="processes", workers=2, chunk_runs=2, progress=False)
    assert res.manifest["chunks"] == 6
    assert_same_results(serial, res)


@pytest.mark.slow
def test_dask_local_cluster_equals_serial_even_when_a_worker_is_killed(serial, tmp_path):
    from distributed import LocalCluster

    # the engine's own LocalCluster (no address given)
    res = run_experiment(small(), out=tmp_path / "d", executor="dask", chunk_runs=3, progress=False)
    assert_same_results(serial, res)

    # an existing cluster; a worker process that is running a chunk is killed when the first chunk comes back
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, processes=True) as cluster:
        killed = []

        def kill_busy_worker(done: int, total: int) -> None:
            if killed:
                return
            busy = {a for a, ws in cluster.scheduler.workers.items() if ws.processing}
            for nanny in cluster.workers.values():
                if nanny.worker_address in busy:
                    os.kill(nanny.process.process.pid, signal.SIGKILL)
                    killed.append(nanny.worker_address)
                    return

        res = run_experiment(
            small(),
            out=tmp_path / "k",
            executor="dask",
            scheduler=cluster.scheduler_address,
            chunk_runs=1,
            progress=kill_busy_worker,
        )
    assert killed, "no worker was busy when the first chunk came back"
    assert res.complete and res.manifest["chunks"] == 12
    assert_same_results(serial, res)


def test_unreachable_scheduler_is_refused(tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConfigError, match=r"scheduler = 'tcp://127\.0\.0\.1:\d+'.*running Dask scheduler.*no answer"):
        run_experiment(
            small(), out=tmp_path / "x", executor="dask", scheduler=f"tcp://127.0.0.1:{port}", progress=False
        )


def test_bad_executor_settings_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="executor = 'threads'"):
        run_experiment(small(), out=tmp_path / "x", executor="threads")
    with pytest.raises(ConfigError, match="workers = 0"):
        run_experiment(small(), out=tmp_path / "x", executor="processes", workers=0)
    with pytest.raises(ConfigError, match="scheduler = 'host:8786'"):
        run_experiment(small(), out=tmp_path / "x", executor="dask", scheduler="host:8786")
    assert not (tmp_path / "x").exists()
