"""The domains experiment: its analysis on data with known answers, its outputs, stable re-runs.

No test here asks for a finding to come out a particular way: verdicts are checked against the rule and
the mechanism checks against the value the rule predicts (the rule, not the finding).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments import domains as ex
from sim.analysis import findings as fd
from sim.analysis.effects import Effect
from tests.experiment_checks import check_summary, run_quick

STEMS = ["mastery_spread", "failure_spillover", "predictors", "praise_and_trophies"]


# ---- analysis on known data --------------------------------------------------------------------------------
def test_betas_recover_known_standardised_weights() -> None:
    rng = np.random.default_rng(0)
    n = 20_000
    e = rng.normal(size=n)
    s = 0.5 * e + np.sqrt(0.75) * rng.normal(size=n)  # correlated predictors
    y = 0.4 * e + 0.0 * s + rng.normal(0, 0.8, n)
    panel = pd.DataFrame(dict(study=np.repeat([0, 1], n // 2), E=e, S=s, Y=y))
    b = ex.betas(panel, "Y", ["E", "S"])
    sd_y = np.sqrt(0.16 + 0.64)
    assert len(b) == 2
    assert b["beta_E"].to_numpy() == pytest.approx(0.4 / sd_y, abs=0.03)
    assert b["beta_S"].to_numpy() == pytest.approx(0.0, abs=0.03)
    assert b["r_S"].to_numpy() == pytest.approx(0.5 * 0.4 / sd_y, abs=0.03)  # zero-order r through E


def test_paired_contrasts_and_differences_on_known_runs() -> None:
    rows = []
    for r in range(8):
        for cond, shift in (("control", 0.0), ("treated", 1.0 + 0.01 * r)):
            rows.append(dict(condition=cond, replicate=r, step=5, x=2.0 + shift, x_sd=2.0, y=1.0, y_sd=0.5))
    df = pd.DataFrame(rows)
    e = ex.contrast(df, "x", "treated", 5)
    assert e.estimate == pytest.approx(np.mean([1.0 + 0.01 * r for r in range(8)]) / 2.0)
    d = ex.difference(df, "x", "y", "treated", 5)  # y unchanged: the difference is the x effect
    assert d.estimate == pytest.approx(e.estimate)


def test_conditions_are_valid_configs_on_declared_domains() -> None:
    base = ex.base_config(20, 30)
    for conds in (ex.mastery_conditions(30), ex.failure_conditions(9), ex.praise_conditions(30)):
        names, cfgs = ex.configs(ex.with_ablations(conds, ex.SPILL_ABLATIONS), base, 2)
        assert all(c.domain_names == tuple(ex.DOMAINS["names"]) for c in cfgs)
        assert len(names) == 2 * 2 * len(conds)
    shock = ex.failure_conditions(9)["failure"]["shocks"][0]
    cfg = ex.configs({"f": ex.failure_conditions(9)["failure"]}, base, 1)[1][0]
    assert cfg.task_domain(shock["step"]) == ex.A


# ---- the script, quick ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_quick("domains", tmp_path_factory.mktemp("domains"))


def test_outputs_and_summary(quick: Path) -> None:
    summary = check_summary(quick, STEMS)
    for table in ("mastery_effects", "failure_effects", "failure_gaps", "predictors", "praise_effects"):
        assert (quick / f"{table}.csv").stat().st_size > 100, table
    assert "no_transfer" in summary


def test_verdicts_follow_the_rule_and_checks_match_the_rule(quick: Path) -> None:
    f = pd.read_csv(quick / "findings.csv")
    assert {"no_transfer", "no_persuasion", "no_mastery", "no_self_esteem"} <= set(f["condition"])
    for _, r in f.iterrows():  # every row, full model and ablations
        claim = fd.Claim("x", "s", "o", int(r["direction"]), "assumption", "r", r["scale"], float(r["sesoi"]))
        eff = Effect(r["effect"], r["lo"], r["hi"], r["scale"], int(r["n"]))
        assert fd.decide(claim, eff) == r["verdict"], (r["claim"], r["condition"])
    full = f[f["condition"] == "model"]
    # the mechanism checks: the never-practised domain moves exactly as the generality rule says
    for cid in ("mastery_spreads_to_related", "failure_spills_into_related_at_once"):
        row = full[full["claim"] == cid].iloc[0]
        assert row["effect"] == pytest.approx(row["analytic"], rel=0.02), cid


def test_no_transfer_leaves_an_unpractised_domain_untouched(quick: Path) -> None:
    tab = pd.read_csv(quick / "mastery_effects.csv")
    off = tab[(tab["model"] == "no_transfer") & tab["outcome"].isin(["efficacy[physics]", "efficacy[art]"])]
    assert len(off) == 2 and np.allclose(off["raw"], 0.0)


def test_rerun_is_identical(quick: Path, tmp_path: Path) -> None:
    again = run_quick("domains", tmp_path / "again")
    for name in ("findings.csv", "summary.md", "predictors.csv"):
        assert (again / name).read_text() == (quick / name).read_text(), name
