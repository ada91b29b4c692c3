"""The command line, run for real: the installed ``efficacy-sim`` entry point and ``python -m sim``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.config import Config
from sim.metrics import METRICS
from sim.params import PARAMS
from sim.runner import FILES, load_scenario, run_scenario, shipped_scenarios
from sim.state import ENGAGEMENT_NAMES, State

ENTRY = Path(sys.executable).parent / "efficacy-sim"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SHIPPED = ("default", "early_failure", "mastery_ladder", "self_chosen", "adaptive")


def cli(*args: str, cwd: Path, module: bool = False) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "sim", *args] if module else [str(ENTRY), *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)


def inproc(*args: str, cwd: Path, capsys, monkeypatch) -> tuple[int, str, str]:
    """The same ``main`` the entry point calls, in this process (cheaper than a subprocess); argparse exits count."""
    from sim.cli import main

    monkeypatch.chdir(cwd)
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def agent_columns() -> set[str]:
    from dataclasses import fields

    return {"agent"} | {f.name for f in fields(State) if f.name != "targeted"}


def test_entry_point_is_installed():
    assert ENTRY.is_file(), f"console script missing: {ENTRY} (run scripts/setup.sh)"


def test_run_defaults_writes_series_agents_png_and_provenance(tmp_path):
    res = cli("run", "--agents", "30", "--steps", "12", "--seed", "4", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    out = tmp_path / "results" / "default"  # default --out is results/<scenario name>
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert "efficacy (mean)" in res.stdout and str(out.relative_to(tmp_path)) in res.stdout

    series = pd.read_parquet(out / "series.parquet")
    assert list(series["step"]) == list(range(13))
    assert {"step", *METRICS} <= set(series.columns)
    assert series["efficacy_mean"].notna().all()
    assert (series["efficacy_p10"] <= series["efficacy_mean"]).all()
    assert (series["efficacy_mean"] <= series["efficacy_p90"]).all()

    agents = pd.read_parquet(out / "agents.parquet")
    assert len(agents) == 30 and list(agents["agent"]) == list(range(30))
    assert set(agents.columns) == agent_columns()
    assert set(agents["engagement"]) <= set(ENGAGEMENT_NAMES)
    assert agents["engagement"].map(type).eq(str).all()
    assert (agents["attempts"] == agents["successes"] + agents["failures"]).all()

    assert (out / "timeseries.png").read_bytes()[:8] == PNG_MAGIC
    assert (out / "timeseries.png").stat().st_size > 10_000

    meta = json.loads((out / "run.json").read_text())
    assert meta["seed"] == 4 and meta["config"]["agents"] == 30 and meta["config"]["steps"] == 12
    assert meta["versions"]["numpy"] == np.__version__ and meta["versions"]["python"]
    cfg = Config.from_dict(meta["config"])  # the recorded config reloads to the same digest
    assert cfg.digest() == meta["config_digest"]
    embedded = json.loads(pq.read_schema(out / "series.parquet").metadata[b"efficacy_sim"])
    assert embedded["config_digest"] == meta["config_digest"]


def test_run_matches_mesa_model_and_is_reproducible(tmp_path, capsys, monkeypatch):
    """The CLI run is the same run as EfficacyModel(config): same stream, same numbers; and again the same."""
    from sim.model import EfficacyModel

    args = ("run", "--agents", "25", "--steps", "8", "--seed", "11", "--set", "learn_rate=0.2")
    first = cli(*args, "--out", "a", cwd=tmp_path, module=True)
    assert first.returncode == 0, first.stderr
    code, _, err = inproc(*args, "--out", "b", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 0, err
    a = pd.read_parquet(tmp_path / "a" / "series.parquet")
    b = pd.read_parquet(tmp_path / "b" / "series.parquet")
    pd.testing.assert_frame_equal(a, b)

    model = EfficacyModel(agents=25, seed=11, learn_rate=0.2)
    for _ in range(8):
        model.step()
    mesa_series = model.datacollector.get_model_vars_dataframe()
    np.testing.assert_allclose(a["efficacy_mean"], mesa_series["efficacy_mean"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(a["skill_mean"], mesa_series["skill_mean"], rtol=0, atol=1e-12)


def test_run_shipped_scenario_by_name_with_set(tmp_path):
    res = cli(
        "run",
        "early_failure",
        "--agents",
        "40",
        "--steps",
        "10",
        "--set",
        "shocks[0].step=3",
        "--out",
        "ef",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    meta = json.loads((tmp_path / "ef" / "run.json").read_text())
    assert meta["config"]["name"] == "early_failure" and meta["config"]["shocks"][0]["step"] == 3
    series = pd.read_parquet(tmp_path / "ef" / "series.parquet")
    # The shock at (0-based) step 3 hits every engaged learner, so no attempt succeeds in row 4.
    assert series.loc[series["step"] == 4, "success_rate"].item() == 0.0
    assert (series.loc[series["step"] != 4, "success_rate"].dropna() > 0).all()


def test_run_scenario_file(tmp_path, capsys, monkeypatch):
    (tmp_path / "mine.toml").write_text(
        'description = "mine"\nagents = 20\nsteps = 6\nseed = 2\n[params]\nlearn_rate = 0.3\n'
        '[[schedule]]\nkind = "ramp"\nstart = 0\nlevel = 2.0\n'
    )
    code, _, err = inproc("run", "mine.toml", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 0, err
    meta = json.loads((tmp_path / "results" / "mine" / "run.json").read_text())
    assert meta["config"]["params"]["learn_rate"] == 0.3 and meta["config"]["schedule"][0]["kind"] == "ramp"
    assert meta["summary"]["steps"] == 6


BAD_INPUTS = [
    (["--agents", "0"], ["agents", "0", "[1, "]),
    (["--steps", "ten"], ["steps", "'ten'", "whole number"]),
    (["--seed", "1.5"], ["seed", "1.5", "whole number"]),
    (["--set", "learn_rate=5"], ["learn_rate", "5", "[0, 1]"]),
    (["--set", "lern_rate=0.1"], ["lern_rate", "did you mean 'learn_rate'"]),
    (["--set", "schedule[0].kind=hard"], ["schedule[0].kind", "'hard'", "'adaptive'"]),
    (["early_failure", "--steps", "4"], ["shocks[0].step", "5", "before the end of the run"]),
    (["no_such_scenario"], ["scenario", "no_such_scenario", "early_failure"]),
    (["bad.toml"], ["scenario", "bad.toml", "valid TOML"]),
    (["wrongtype.toml"], ["agents", "'many'", "whole number"]),
]
# Through the real entry point: one argparse-level, one config-level and one file-level case.
VIA_SUBPROCESS = {0, 6, 8}


@pytest.mark.parametrize(("case", "args", "expected"), [(i, *c) for i, c in enumerate(BAD_INPUTS)])
def test_bad_input_exits_2_naming_field_value_allowed(tmp_path, capsys, monkeypatch, case, args, expected):
    (tmp_path / "bad.toml").write_text("agents = \n")
    (tmp_path / "wrongtype.toml").write_text('agents = "many"\n')
    if case in VIA_SUBPROCESS:
        res = cli("run", *args, "--out", "out", cwd=tmp_path)
        code, err = res.returncode, res.stderr
    else:
        code, _, err = inproc("run", *args, "--out", "out", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2, err
    assert "Traceback" not in err
    assert "error" in err
    for fragment in expected:
        assert fragment in err, (fragment, err)
    assert not (tmp_path / "out").exists()  # rejected before any work


def test_out_path_blocked_by_a_file_exits_2(tmp_path, capsys, monkeypatch):
    (tmp_path / "taken").write_text("")
    code, _, err = inproc(
        "run", "--steps", "2", "--out", "taken/sub", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch
    )
    assert code == 2 and "Traceback" not in err
    assert "out" in err and "taken/sub" in err


def test_params_and_list(tmp_path, capsys, monkeypatch):
    res = cli("params", cwd=tmp_path, module=True)
    assert res.returncode == 0
    for p in PARAMS:
        assert p.name in res.stdout
    code, md, _ = inproc("params", "--markdown", "shock", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 0 and md.startswith("| section |") and "| shock | `severity` |" in md
    assert "learn_rate" not in md
    code, listed, _ = inproc("run", "--list", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch)
    for name in SHIPPED:
        assert name in listed


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_load_and_run(tmp_path, name):
    cfg = load_scenario(name)
    assert cfg.name == name and cfg.description
    small = cfg.with_values({"agents": 40})
    res = run_scenario(small, tmp_path, progress=False)
    assert len(res.series) == cfg.steps + 1
    assert res.series["efficacy_mean"].between(0, 10).all()
    assert res.summary["scenario"] == name


def test_shipped_scenarios_are_all_listed():
    assert set(SHIPPED) <= set(shipped_scenarios())


def test_mastery_ladder_reaches_only_low_efficacy_learners(tmp_path):
    """The shipped ladder targets learners below its threshold at its start step, and only them."""
    from sim.batch import Batch

    cfg = load_scenario("mastery_ladder")
    iv = cfg.interventions[0]
    batch = Batch([cfg])
    for _ in range(iv["start"]):
        batch.step()
    below = batch.state.efficacy[0] < iv["threshold"]
    assert 0 < below.sum() < cfg.agents
    for _ in range(5):
        batch.step()
    dosed = batch.state.dose[0] > 0
    assert dosed.any() and not (dosed & ~below).any()
