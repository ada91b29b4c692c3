"""Experiments 3, 4 and 5 (schedules, arousal, sensitivity) in quick mode, and ``run_all``'s report.

Each experiment runs as a user would run it (serial executor, into a temporary folder) and must write its data,
figures and summary, and show its headline effects in the direction the run produces at the fixed seed (seed 1).
The quick versions use enough replications that these directions are stable: the asserted differences are several
times their bootstrap CI half-widths at seed 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.experiment_checks import check_common as _check_common  # noqa: E402
from tests.experiment_checks import run_quick as _run  # noqa: E402


@pytest.fixture(scope="module")
def schedules(tmp_path_factory) -> Path:
    return _run("schedules", tmp_path_factory.mktemp("schedules"))


@pytest.fixture(scope="module")
def arousal(tmp_path_factory) -> Path:
    return _run("arousal", tmp_path_factory.mktemp("arousal"))


@pytest.fixture(scope="module")
def sensitivity(tmp_path_factory) -> Path:
    return _run("sensitivity", tmp_path_factory.mktemp("sensitivity"))


# ---------------------------------------------------------------------------------------------- schedules
def test_schedules_outputs(schedules: Path) -> None:
    from experiments.schedules import OUTCOMES, TARGETS

    _check_common(
        schedules,
        ["outcomes_by_schedule", "skill_by_success_rate", "shock_drop_by_schedule", "trajectories_by_schedule"],
    )
    tab = pd.read_csv(schedules / "outcomes.csv")
    assert list(tab.columns) == ["schedule", "outcome", "mean", "lo", "hi"]
    assert set(OUTCOMES) <= set(tab["outcome"])
    assert tab["schedule"].nunique() == 5 + len(TARGETS)
    assert (tab["lo"] <= tab["mean"]).all() and (tab["mean"] <= tab["hi"]).all()
    drops = pd.read_csv(schedules / "shock_drops.csv")
    assert set(drops["when"]) == {"after", "end"}
    share = pd.read_csv(schedules / "fastest_target.csv", index_col=0).iloc[:, 0]
    assert share.sum() == pytest.approx(1.0)


def test_schedules_headline_effects(schedules: Path) -> None:
    tab = pd.read_csv(schedules / "outcomes.csv").set_index(["outcome", "schedule"])
    gain = tab.loc["skill_gain"]
    best = gain["mean"].idxmax()
    # moderate challenge: the fastest-growing schedule beats the constant extremes with CIs apart
    assert gain.loc[best, "lo"] > gain.loc["constant easy", "hi"]
    assert gain.loc[best, "lo"] > gain.loc["constant hard", "hi"]
    # the fastest staircase is not the easiest one
    ad = gain[gain.index.str.startswith("adaptive")]["mean"]
    assert ad.idxmax() != "adaptive 90%"
    assert ad["adaptive 90%"] < ad.max() - 0.5
    # constant hard tasks drive disengagement
    dis = tab.loc["disengaged_share"]
    assert dis.loc["constant hard", "lo"] > dis.loc["constant easy", "hi"] + 0.1
    # a shock lowers efficacy under every schedule
    drops = pd.read_csv(schedules / "shock_drops.csv")
    assert (drops[drops["when"] == "after"]["lo"] > 0).all()


# ---------------------------------------------------------------------------------------------- arousal
def test_arousal_outputs(arousal: Path) -> None:
    from experiments.arousal import BAND_LABELS

    _check_common(arousal, ["success_by_arousal", "peak_by_difficulty", "arousal_by_band"])
    peaks = pd.read_csv(arousal / "peaks.csv")
    assert list(peaks["band"]) == list(BAND_LABELS)
    for col in ("peak", "peak_lo", "peak_hi", "inverted_u", "mechanism_optimum", "attempts"):
        assert col in peaks.columns
    binned = pd.read_csv(arousal / "binned.csv")
    assert {"band", "arousal", "attempts", "success_rate"} <= set(binned.columns)
    steps = pd.read_parquet(arousal / "data" / "agent_steps.parquet")
    for col in (
        "run",
        "condition",
        "replicate",
        "step",
        "agent",
        "arousal",
        "difficulty",
        "skill",
        "attempted",
        "success",
    ):
        assert col in steps.columns
    assert not (steps["success"] & ~steps["attempted"]).any()


def test_arousal_peak_moves_lower_for_harder_tasks(arousal: Path) -> None:
    peaks = pd.read_csv(arousal / "peaks.csv").set_index("band_centre")
    # an interior inverted U where success is neither at its ceiling nor at its floor
    assert peaks.loc[[-1.0, 0.0, 1.0], "inverted_u"].all()
    # peak arousal falls as tasks get harder relative to skill, with CIs apart
    assert peaks.loc[-1.0, "peak_lo"] > peaks.loc[0.0, "peak_hi"]
    assert peaks.loc[0.0, "peak_lo"] > peaks.loc[1.0, "peak"]
    assert peaks.loc[-2.0, "peak"] >= peaks.loc[-1.0, "peak"]
    assert "pattern appeared: yes" in (arousal / "summary.md").read_text()


# ---------------------------------------------------------------------------------------------- sensitivity
def test_sensitivity_outputs(sensitivity: Path) -> None:
    from experiments.sensitivity import BOUNDS, OUTCOMES

    _check_common(sensitivity, ["mu_star_by_outcome", "sigma_vs_mu_star", "mechanism_shares"])
    idx = pd.read_csv(sensitivity / "morris_indices.csv")
    assert len(idx) == len(BOUNDS) * len(OUTCOMES)
    assert set(idx["parameter"]) == set(BOUNDS) and set(idx["outcome"]) == set(OUTCOMES)
    assert (idx["mu_star"] >= 0).all() and (idx["mu_star"] >= idx["mu"].abs() - 1e-12).all()
    shares = pd.read_csv(sensitivity / "mechanism_shares.csv")
    assert shares.groupby("outcome")["share"].sum().to_numpy() == pytest.approx(1.0)


def test_sensitivity_headline_effects(sensitivity: Path) -> None:
    idx = pd.read_csv(sensitivity / "morris_indices.csv").set_index(["outcome", "parameter"])
    # practice drives skill: the learning rate ranks near the top and raises final skill
    assert idx.loc[("skill_mean", "learn_rate"), "rank"] <= 3
    assert idx.loc[("skill_mean", "learn_rate"), "mu"] > 0
    # avoidance drives disengagement: a wider avoid margin (attempting further above efficacy) lowers it
    assert idx.loc[("disengaged_share", "avoid_margin"), "rank"] <= 3
    assert idx.loc[("disengaged_share", "avoid_margin"), "mu"] < 0


def test_sensitivity_bounds_must_lie_in_declared_ranges(monkeypatch) -> None:
    from experiments import sensitivity as s
    from sim.errors import ConfigError

    monkeypatch.setitem(s.BOUNDS, "learn_rate", (0.05, 1.5))  # declared range is [0, 1]
    with pytest.raises(ConfigError, match="learn_rate"):
        s.check_bounds()
