"""The inference side of calibration: batched simulation, the ABC-SMC fit, its outputs and the command.

Everything runs for real: the model, pyabc, worker processes, the command line in a subprocess and
real signals. Fits use tiny designs and budgets; no test asks for a particular fitted value or any
other finding (the slow coverage test checks the method's calibration, see test_calibration_recovery.py).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration import fit as F
from sim.calibration.design import StudyDesign
from sim.calibration.simulate import Executor, simulate_panels, simulate_summaries
from sim.calibration.targets import Target, Targets, prior_from_param

REPO = Path(__file__).resolve().parents[1]
SMALL = StudyDesign(agents=40, waves=3, wave_every=5)
STATS = ("r_mean", "P_to_E", "E_to_P", "mean_efficacy_w2")
PRIORS = (prior_from_param("optimism_sd"), prior_from_param("perf_scale"))
TINY = F.Budget(population=16, generations=2, simulations=200, min_epsilon=0.0, quantile=0.5)


def cli(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=kw.pop("cwd", REPO), capture_output=True, text=True, timeout=timeout
    )


def small_targets(values=(0.3, 0.1, 0.05, 30.0)) -> Targets:
    ts = tuple(Target(n, v, se) for n, v, se in zip(STATS, values, (0.1, 0.08, 0.08, 3.0), strict=True))
    return Targets(name="small", description="test", priors=PRIORS, design=SMALL, targets=ts)


def targets_toml(path: Path, budget_note: str = "") -> Path:
    lines = [
        'name = "small"',
        'description = "a small test design"',
        "",
        "[design]",
        "agents = 40",
        "waves = 3",
        "wave_every = 5",
    ]
    for name, value, se in zip(STATS, (0.3, 0.1, 0.05, 30.0), (0.1, 0.08, 0.08, 3.0), strict=True):
        lines += ["", "[[targets]]", f'name = "{name}"', f"value = {value}", f"se = {se}"]
    for p in PRIORS:
        lines += ["", "[[priors]]", f'name = "{p.name}"']
    path.write_text("\n".join(lines) + "\n" + budget_note)
    return path


@pytest.fixture(scope="module")
def user_panel(tmp_path_factory) -> Path:
    """A simulated user panel in the export format (200 learners x 5 waves), without the ``study`` column."""
    d = StudyDesign(agents=200, waves=5)
    panel = simulate_panels(d, [{"optimism_sd": 1.0, "perf_scale": 0.8}], seed=11)
    path = tmp_path_factory.mktemp("panel") / "my_panel.csv"
    panel.drop(columns=["study"]).to_csv(path, index=False)
    return path


# ---- simulation --------------------------------------------------------------------------------------------
def test_a_study_depends_only_on_seed_key_and_theta() -> None:
    thetas = [{"optimism_sd": v, "perf_scale": 1.0} for v in (0.2, 1.5, 3.0)]
    together = simulate_summaries(SMALL, thetas, 5, STATS, Executor("serial", chunk_runs=3), keys=[7, 8, 9])
    alone = simulate_summaries(SMALL, thetas[1:2], 5, STATS, keys=[8])
    np.testing.assert_array_equal(together[1], alone[0])
    chunked = simulate_summaries(SMALL, thetas, 5, STATS, Executor("serial", chunk_runs=1), keys=[7, 8, 9])
    np.testing.assert_array_equal(together, chunked)
    other_key = simulate_summaries(SMALL, thetas[1:2], 5, STATS, keys=[3])
    assert not np.array_equal(other_key[0], alone[0])


def test_simulated_panel_has_the_export_columns_and_one_study_per_theta() -> None:
    from sim.calibration.panel import PANEL_COLUMNS

    panel = simulate_panels(SMALL, [{"perf_scale": 0.5}, {"perf_scale": 3.0}], seed=1, keys=[4, 2])
    assert list(panel.columns) == list(PANEL_COLUMNS)
    assert sorted(panel["study"].unique()) == [2, 4]
    assert len(panel) == 2 * SMALL.agents * SMALL.waves


def test_self_report_is_normed_on_each_study() -> None:
    """The self-report's reliability is about the design's in every simulated study, whatever theta does to its spread."""
    from sim import measure

    d = StudyDesign(agents=400, waves=2, wave_every=5)
    panel = simulate_panels(d, [{"efficacy_sd": 0.5}, {"efficacy_sd": 2.5}], seed=2)
    for _, g in panel.groupby("study"):
        rel = measure.reliability(g["efficacy_true_points"], g["efficacy_report"])
        assert abs(rel - 0.8) < 0.06, rel


def test_process_executor_gives_the_serial_numbers() -> None:
    thetas = [{"optimism_sd": v} for v in np.linspace(0, 4, 6)]
    a = simulate_summaries(SMALL, thetas, 3, STATS, "serial")
    b = simulate_summaries(SMALL, thetas, 3, STATS, Executor("process", 2, chunk_runs=2))
    np.testing.assert_array_equal(a, b)


def test_dask_executor_gives_the_serial_numbers_and_keeps_its_client() -> None:
    thetas = [{"optimism_sd": v} for v in np.linspace(0, 4, 4)]
    a = simulate_summaries(SMALL, thetas, 3, STATS, "serial")
    with Executor("dask", 1, chunk_runs=2) as ex:  # a LocalCluster of one worker process
        b = simulate_summaries(SMALL, thetas, 3, STATS, ex)
        client = ex._client
        c = simulate_summaries(SMALL, thetas, 3, STATS, ex)
        assert ex._client is client  # one cluster for every round of a fit
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


# ---- the fit -----------------------------------------------------------------------------------------------
def test_same_seed_same_posterior_on_any_executor_and_another_seed_differs(tmp_path) -> None:
    a = F.fit(small_targets(), tmp_path / "a", budget=TINY, seed=1, progress=False)
    b = F.fit(small_targets(), tmp_path / "b", budget=TINY, seed=1, executor=Executor("process", 2), progress=False)
    c = F.fit(small_targets(), tmp_path / "c", budget=TINY, seed=2, progress=False)
    pd.testing.assert_frame_equal(a.posterior, b.posterior)
    assert not a.posterior[["optimism_sd", "perf_scale"]].equals(c.posterior[["optimism_sd", "perf_scale"]])
    assert len(a.posterior) == TINY.population and abs(a.posterior["weight"].sum() - 1) < 1e-9
    assert a.generations["t"].tolist() == [0, 1]
    for p in PRIORS:  # particles stay inside the prior
        assert a.posterior[p.name].between(p.low, p.high).all()
    # a finished fit is reported, not redone
    again = F.fit(small_targets(), tmp_path / "a", budget=TINY, seed=1, progress=False)
    assert again.resumed and again.extra["simulated_this_session"] == 0
    pd.testing.assert_frame_equal(again.posterior, a.posterior)


def test_a_folder_with_another_calibration_is_refused(tmp_path) -> None:
    F.fit(small_targets(), tmp_path, budget=TINY, seed=1, progress=False)
    with pytest.raises(Exception, match="out") as err:
        F.fit(small_targets(), tmp_path, budget=TINY, seed=2, progress=False)
    assert "different" in str(err.value)


def test_posterior_predictive_check_covers_fitted_and_validate_patterns() -> None:
    import dataclasses

    from sim.calibration.outputs import POINT_STUDIES, posterior_predictive

    tg = dataclasses.replace(small_targets(), validate=(Target("sd_efficacy_w2", 10.0, 2.0, "a pattern not fitted"),))
    post = pd.DataFrame({"optimism_sd": [0.5, 2.0], "perf_scale": [1.0, 3.0], "weight": [0.5, 0.5]})
    ppc = posterior_predictive(tg, post, seed=1, executor=None, n=6)
    assert list(ppc["statistic"]) == [*STATS, "sd_efficacy_w2"]
    assert list(ppc["role"]) == ["fitted"] * len(STATS) + ["validate"]
    assert (ppc["sim_lo"] <= ppc["sim_median"]).all() and (ppc["sim_median"] <= ppc["sim_hi"]).all()
    np.testing.assert_allclose(ppc["z"], (ppc["sim_median"] - ppc["observed"]) / ppc["se"])
    assert ppc["inside"].tolist() == ((ppc["sim_lo"] <= ppc["observed"]) & (ppc["observed"] <= ppc["sim_hi"])).tolist()
    assert POINT_STUDIES > 0 and ppc["at_fitted_values"].notna().all()
    again = posterior_predictive(tg, post, seed=1, executor=None, n=6)
    pd.testing.assert_frame_equal(ppc, again)


def test_weighted_quantile_and_summary() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0])
    assert F.weighted_quantile(x, np.ones(4), 0.5)[0] == pytest.approx(1.5)
    assert F.weighted_quantile(x, np.array([0, 0, 0, 1.0]), 0.5)[0] == pytest.approx(3.0)
    post = pd.DataFrame({"optimism_sd": [1.0, 3.0], "weight": [0.25, 0.75]})
    s = F.posterior_summary(post, PRIORS[:1]).iloc[0]
    assert s["mean"] == pytest.approx(2.5)


def test_budget_is_checked() -> None:
    from sim.errors import ConfigError

    with pytest.raises(ConfigError, match="budget.population"):
        F.Budget(population=1)
    with pytest.raises(ConfigError, match="budget.quantile"):
        F.Budget(quantile=1.0)


# ---- the command line --------------------------------------------------------------------------------------
def test_cli_fits_a_user_panel_end_to_end_and_the_fitted_scenario_runs(user_panel, tmp_path) -> None:
    out = tmp_path / "fit"
    t0 = time.perf_counter()
    r = cli("calibrate", "--panel", str(user_panel), "--quick", "--out", str(out), "--no-progress")
    took = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    assert took < 60, took
    for name in ("posterior.parquet", "posterior.png", "posterior.svg", "ppc.csv", "ppc.png", "fitted_scenario.toml"):
        assert (out / name).stat().st_size > 0, name
    rec = json.loads((out / "calibration.json").read_text())
    names = [p["name"] for p in rec["priors"]]
    assert [p["parameter"] for p in rec["posterior"]] == names
    for p in rec["posterior"]:
        assert p["lo"] <= p["median"] <= p["hi"]
    assert rec["seed"] == 0 and rec["versions"]["pyabc"] == "0.13.0" and rec["budget"] == F.QUICK_BUDGET.to_dict()
    post = pd.read_parquet(out / "posterior.parquet")
    assert len(post) == F.QUICK_BUDGET.population and abs(post["weight"].sum() - 1) < 1e-9
    ppc = pd.read_csv(out / "ppc.csv")
    assert set(ppc["statistic"]) == {t["name"] for t in rec["targets"]}
    # the fitted scenario is a scenario: run it; its values are the medians of the informed parameters
    from sim.calibration.outputs import INFORMED_MAX_SHARE
    from sim.config import Config

    cfg = Config.from_toml(out / "fitted_scenario.toml")
    widths = {p["name"]: p["high"] - p["low"] for p in rec["priors"]}
    for p in rec["posterior"]:
        assert p["informed"] == ((p["hi"] - p["lo"]) / widths[p["parameter"]] <= INFORMED_MAX_SHARE)
        want = p["median"] if p["informed"] else Config.default().params[p["parameter"]]
        assert cfg.params[p["parameter"]] == pytest.approx(want) == rec["fitted_values"][p["parameter"]]
    # ... and the dashboard link in the record opens it (the dashboard's own address parser reads it back)
    from sim.calibration.outputs import dashboard_query

    assert rec["dashboard_query"] == dashboard_query(cfg)
    page = sys.modules["efficacy_sim_dashboard_simulation"].from_query(rec["dashboard_query"])
    for p in rec["posterior"]:
        assert page[p["parameter"]] == pytest.approx(cfg.params[p["parameter"]])
    run = cli("run", str(out / "fitted_scenario.toml"), "--steps", "5", "--out", str(tmp_path / "run"))
    assert run.returncode == 0, run.stderr
    # the same command again reports the finished fit without simulating
    again = cli("calibrate", "--panel", str(user_panel), "--quick", "--out", str(out), "--no-progress")
    assert again.returncode == 0 and "finished" in again.stderr
    assert json.loads((out / "fit_sessions.json").read_text()).__len__() == 1


def _populations(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            return con.execute("SELECT COUNT(*) FROM populations WHERE t >= 0").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_fit_resumes_to_the_uninterrupted_posterior(tmp_path, sig) -> None:
    toml = targets_toml(tmp_path / "small.toml")
    budget = "population=30,generations=4,simulations=2000,min_epsilon=0"
    args = ["calibrate", str(toml), "--budget", budget, "--seed", "4", "--no-progress"]
    whole = cli(*args, "--out", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr

    out = tmp_path / "cut"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args, "--out", str(out)],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # as from a terminal: SIGINT at its default (a pytest-xdist worker ignores it, and children inherit that)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 90
    while _populations(out / F.DB_NAME) < 1 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the fit ended before it could be interrupted"
    os.kill(proc.pid, sig)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, err
    kept = _populations(out / F.DB_NAME)
    assert 1 <= kept < 4
    assert not (out / "calibration.json").exists()

    resumed = cli(*args, "--out", str(out))
    assert resumed.returncode == 0, resumed.stderr
    a = pd.read_parquet(tmp_path / "whole" / "posterior.parquet")
    b = pd.read_parquet(out / "posterior.parquet")
    pd.testing.assert_frame_equal(a, b)
    assert json.loads((out / "calibration.json").read_text())["sessions"] == 2


def test_bad_input_gets_one_line_and_exit_2_before_any_simulation(tmp_path, user_panel) -> None:
    good = targets_toml(tmp_path / "good.toml")
    bad_panel = tmp_path / "bad.csv"
    pd.read_csv(user_panel).rename(columns={"test_score": "tst_score"}).to_csv(bad_panel, index=False)
    no_se = tmp_path / "no_se.toml"
    no_se.write_text(good.read_text().replace("se = 0.1\n", "", 1))
    outside = tmp_path / "outside.toml"
    outside.write_text(good.read_text() + '\n[[priors]]\nname = "learn_rate"\nlow = -1.0\nhigh = 0.5\n')
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(good.read_text() + '\n[[priors]]\nname = "optimsm_sd"\n')
    cases = {
        "panel column": (["--panel", str(bad_panel)], "test_score"),
        "no se": ([str(no_se)], "se"),
        "prior outside range": ([str(outside)], "learn_rate"),
        "unknown parameter": ([str(unknown)], "optimism_sd"),
        "both inputs": ([str(good), "--panel", str(user_panel)], "targets"),
        "neither input": ([], "targets"),
        "budget field": ([str(good), "--budget", "populaton=5"], "--budget"),
        "budget value": ([str(good), "--budget", "population=3"], "budget.population"),
        "quick and budget": ([str(good), "--quick", "--budget", "default"], "--quick"),
        "scheduler without dask": ([str(good), "--executor", "process", "--scheduler", "tcp://x:1"], "scheduler"),
    }
    for label, (args, word) in cases.items():
        out = tmp_path / f"out_{label.replace(' ', '_')}"
        r = cli("calibrate", *args, "--out", str(out), "--no-progress", timeout=60)
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert r.returncode == 2, (label, r.stderr)
        assert len(lines) == 1 and word in lines[0], (label, r.stderr)
        assert not (out / F.DB_NAME).exists(), label
