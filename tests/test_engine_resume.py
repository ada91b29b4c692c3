"""An interrupted sweep resumes: a sweep killed with SIGKILL mid-way, run again, equals an uninterrupted one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.config import Config
from sim.engine import Experiment, Outputs, load_results, run_experiment
from tests.test_engine import assert_same_results

REPO = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys
from sim.engine import Experiment, run_experiment
if __name__ == "__main__":
    run_experiment(Experiment.from_toml(sys.argv[1]), out=sys.argv[2], executor="processes", workers=2,
                   chunk_runs=1, progress=False)
"""


def experiment() -> Experiment:
    # 24 chunks of one run, slow enough (400 steps) that the kill lands mid-way
    return Experiment(
        name="killed",
        base=Config.default(agents=30, steps=400),
        vary={"learn_rate": [0.05, 0.1]},
        replications=12,
        seed=3,
        outputs=Outputs(every=50, final_agents=True, trajectories=2),
    )


def _write_toml(exp: Experiment, path: Path) -> None:
    path.write_text(
        f'name = "{exp.name}"\nreplications = {exp.replications}\nseed = {exp.seed}\n'
        f"[base]\nagents = {exp.base.agents}\nsteps = {exp.base.steps}\n"
        "[vary]\nlearn_rate = [0.05, 0.1]\n[outputs]\nevery = 50\nfinal_agents = true\ntrajectories = 2\n"
    )


@pytest.mark.slow
def test_sweep_killed_mid_way_resumes_to_the_same_data(tmp_path):
    exp = experiment()
    toml = tmp_path / "killed.toml"
    _write_toml(exp, toml)
    assert Experiment.from_toml(toml).digest() == exp.digest()
    out = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(toml), str(out)], cwd=REPO, start_new_session=True, stderr=subprocess.PIPE
    )
    manifest = out / "manifest.json"
    deadline = time.monotonic() + 180
    done: list[int] = []
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if manifest.is_file():
                done = json.loads(manifest.read_text())["chunks_done"]
                if len(done) >= 3:
                    break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]
    man = json.loads(manifest.read_text())
    before = set(man["chunks_done"])
    assert 3 <= len(before) < man["chunks"] == 24 and not man["complete"]
    kept = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "parts").rglob("*.parquet")}

    with pytest.warns(UserWarning, match="chunks done"):
        partial = load_results(out)
    assert not partial.complete

    resumed = run_experiment(exp, out=out, executor="serial", progress=False)
    assert resumed.complete
    assert resumed.manifest["sessions"][-1]["chunks_computed"] == 24 - len(before)
    for c in before:  # finished chunks were kept, not recomputed
        p = out / "parts" / "series" / f"chunk-{c:05d}.parquet"
        assert kept[p] == (p.stat().st_ino, p.stat().st_mtime_ns)
    assert not list(out.rglob("*.tmp"))

    whole = run_experiment(exp, out=tmp_path / "whole", executor="serial", chunk_runs=5, progress=False)
    assert_same_results(whole, resumed)
