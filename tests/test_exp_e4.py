"""The longitudinal experiment: its analysis on synthetic panels with known answers, its outputs, stable re-runs.

No test here asks for a finding to come out a particular way: verdicts are checked against the rule,
numbers against the regression file at seed 1 (tolerance stated below).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments import longitudinal as lg
from sim.analysis import findings as fd
from sim.analysis.effects import Effect, fmt
from tests.experiment_checks import run_quick
from tests.regression import check

REGRESSION_RTOL = 1e-6
"""Relative tolerance of the regression numbers: the run is deterministic at a fixed seed; this only
absorbs last-digit differences of floating-point libraries."""


# ---- analysis on synthetic panels ------------------------------------------------------------------------
def synthetic_panel(n: int = 20_000, e_to_p: float = 0.1, p_to_e: float = 0.3, seed: int = 0) -> pd.DataFrame:
    """Two waves with known standardised paths: E0, P0 independent N(0, 1); E1, P1 built with unit variance."""
    rng = np.random.default_rng(seed)
    e0, p0 = rng.normal(size=(2, n))
    e1 = 0.5 * e0 + p_to_e * p0 + rng.normal(0, np.sqrt(1 - 0.25 - p_to_e**2), n)
    p1 = 0.6 * p0 + e_to_p * e0 + rng.normal(0, np.sqrt(1 - 0.36 - e_to_p**2), n)
    base = dict(study=0, agent=np.arange(n))
    return pd.concat(
        [pd.DataFrame(base | dict(wave=0, E=e0, P=p0)), pd.DataFrame(base | dict(wave=1, E=e1, P=p1))],
        ignore_index=True,
    )


@pytest.mark.parametrize(("e_to_p", "p_to_e"), [(0.1, 0.3), (0.0, 0.0), (-0.2, 0.05)])
def test_cross_lagged_recovers_known_paths(e_to_p: float, p_to_e: float) -> None:
    cl = lg.cross_lagged(synthetic_panel(e_to_p=e_to_p, p_to_e=p_to_e), "E", "P")
    assert list(cl.columns) == ["study", "wave", "E_to_P", "P_to_E", "E_stability", "P_stability"] and len(cl) == 1
    r = cl.iloc[0]
    assert r["E_to_P"] == pytest.approx(e_to_p, abs=0.02) and r["P_to_E"] == pytest.approx(p_to_e, abs=0.02)
    assert r["E_stability"] == pytest.approx(0.5, abs=0.02) and r["P_stability"] == pytest.approx(0.6, abs=0.02)


def test_within_person_paths_remove_stable_differences() -> None:
    """Stable learner differences that raise both scores make a usual CLPM path; learner-centring removes it."""
    rng = np.random.default_rng(2)
    n, waves = 4000, 10
    trait = rng.normal(size=n)  # a stable difference behind both E and P, no lagged effect at all
    rows = [
        pd.DataFrame(
            dict(study=0, agent=np.arange(n), wave=w, E=trait + rng.normal(size=n), P=trait + rng.normal(size=n))
        )
        for w in range(waves)
    ]
    panel = pd.concat(rows, ignore_index=True)
    usual = lg.per_study_paths(lg.cross_lagged(panel, "E", "P")).iloc[0]
    within = lg.per_study_paths(lg.cross_lagged(panel, "E", "P", within=True)).iloc[0]
    assert usual["E_to_P"] > 0.2 and usual["P_to_E"] > 0.2
    # centring leaves the cross paths near zero (the Nickell bias of about -1/waves hits the stabilities)
    assert abs(within["E_to_P"]) < 0.05 and abs(within["P_to_E"]) < 0.05
    assert within["E_to_P"] < usual["E_to_P"] / 2


def test_correlations_on_known_data() -> None:
    rng = np.random.default_rng(1)
    n, rho = 20_000, 0.4
    e = rng.normal(size=n)
    p = rho * e + np.sqrt(1 - rho**2) * rng.normal(size=n)
    panel = pd.DataFrame(dict(study=0, agent=np.arange(n), wave=0, E=e, P=p))
    assert lg.between_person_r(panel, "E", "P")["r"].iloc[0] == pytest.approx(rho, abs=0.02)
    cs = lg.cross_sectional_r(panel, "E", "P")
    assert list(cs.columns) == ["study", "wave", "r"] and cs["r"].iloc[0] == pytest.approx(rho, abs=0.02)


def test_per_study_paths_average_the_wave_pairs() -> None:
    lagged = pd.DataFrame(
        dict(study=[0, 0, 1], wave=[0, 1, 0], E_to_P=[0.1, 0.3, 0.5], P_to_E=0.0, E_stability=1.0, P_stability=1.0)
    )
    got = lg.per_study_paths(lagged).set_index("study")
    assert got.loc[0, "E_to_P"] == pytest.approx(0.2) and got.loc[1, "E_to_P"] == pytest.approx(0.5)


# ---- the experiment, quick -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def quick(tmp_path_factory) -> Path:
    return run_quick("longitudinal", tmp_path_factory.mktemp("longitudinal"))


def test_outputs_are_complete(quick: Path) -> None:
    stems = ["panel", "cross_lagged", "reliability"]
    assert sorted(p.stem for p in quick.glob("*.png")) == sorted(stems)
    summary = (quick / "summary.md").read_text(encoding="utf-8")
    for stem in stems:
        assert (quick / f"{stem}.svg").read_text().lstrip().startswith("<?xml") and f"({stem}.png)" in summary
    assert summary.index("**Question.**") < summary.index("## Findings") < summary.index("## Design")
    for head in ("Comparison with published values", "The panel file", "Provenance"):
        assert head in summary
    assert "pattern appeared" not in summary and "wall" not in summary
    for _, _, value, source in lg.PUBLISHED:
        assert f"| {fmt(value, digits=3)} | {source} |" in summary
    cmp = pd.read_csv(quick / "comparison_with_published.csv")
    assert set(cmp["quantity"]) == {k for k, *_ in lg.PUBLISHED} and cmp["model"].notna().all()


def test_panel_is_tidy_and_documented(quick: Path) -> None:
    parquet = pd.read_parquet(quick / "data" / "panel.parquet")
    csv = pd.read_csv(quick / "panel.csv")
    z = lg.sizes(True)
    waves = len(lg.wave_steps(z["steps"]))
    assert list(parquet.columns) == list(csv.columns) == list(lg.PANEL_COLUMNS)
    assert len(parquet) == z["studies"] * z["agents"] * waves == parquet.groupby(["study", "agent", "wave"]).ngroups
    assert set(csv["study"]) == {lg.CSV_STUDY} and len(csv) == z["agents"] * waves
    for col in ("efficacy_report", "test_score", "efficacy_true_points", "test_true_score"):
        assert parquet[col].between(0, 100).all(), col
    assert parquet.loc[parquet["wave"] == 0, "course_grade"].isna().all()
    assert parquet.loc[parquet["wave"] > 0, "course_grade"].between(0, 100).all()
    summary = (quick / "summary.md").read_text(encoding="utf-8")
    for col in lg.PANEL_COLUMNS:
        assert f"| `{col}` |" in summary, col
    # the self-report carries error: correlated with the true score, not equal to it
    r = parquet["efficacy_report"].corr(parquet["efficacy_true_points"])
    assert 0.5 < r < 0.99


def test_verdicts_follow_the_rule(quick: Path) -> None:
    f = pd.read_csv(quick / "findings.csv")
    assert list(f.loc[f["condition"] == "model", "claim"]) == [c.id for c in lg.CLAIMS]
    claims = {c.id: c for c in lg.CLAIMS}
    for _, row in f.iterrows():
        e = Effect(row["effect"], row["lo"], row["hi"], row["scale"], int(row["n"]))
        assert row["verdict"] == fd.decide(claims[row["claim"]], e)
        assert row["kind"] in fd.KINDS
    mc = f[(f["kind"] == "mechanism check") & (f["condition"] == "model")]
    assert mc["analytic"].notna().all()  # the rule's prediction is printed beside the simulated value


def test_rerun_is_byte_stable(quick: Path, tmp_path: Path) -> None:
    again = run_quick("longitudinal", tmp_path / "again")
    for name in ("summary.md", "findings.csv", "panel.csv", "associations_by_study.csv", "reliability_by_wave.csv"):
        assert (again / name).read_bytes() == (quick / name).read_bytes(), name


def test_regression_numbers(quick: Path) -> None:
    f = pd.read_csv(quick / "findings.csv")
    nums = {f"{r.claim}:{r.condition}": r.effect for r in f.itertuples()}
    cmp = pd.read_csv(quick / "comparison_with_published.csv")
    nums |= {f"{r.quantity}:{r.scores}": r.model for r in cmp.itertuples()}
    check("longitudinal", nums, rtol=REGRESSION_RTOL, atol=1e-9)


def synthetic_assoc(p_to_e: float, e_to_p: float, studies: int = 8, seed: int = 0) -> pd.DataFrame:
    """An association table (as :func:`association_table` returns) with known per-study paths."""
    rng = np.random.default_rng(seed)
    rows = []
    for scores in lg.SCORES:
        for s in range(studies):
            noise = rng.normal(0, 0.01, 4)
            rows.append(
                dict(scores=scores, study=s, between_r=0.5, r_first=0.3 + noise[0], r_last=0.3 + noise[1])
                | dict(E_to_P=e_to_p + noise[2], P_to_E=p_to_e + noise[3], E_stability=0.6, P_stability=0.6)
                | dict(E_to_P_within=0.0, P_to_E_within=0.0)
            )
    return pd.DataFrame(rows)


def test_findings_and_ablations_on_synthetic_tables(tmp_path: Path) -> None:
    """The ablation path runs before the switches exist: a path that is gone without mastery 'vanishes'."""
    assoc = {"model": synthetic_assoc(0.3, 0.0), "no_mastery": synthetic_assoc(0.0, 0.0, seed=1)}
    atten = pd.DataFrame(dict(study=range(8), r_observed=0.5, r_true=0.6, r_predicted=0.5))
    atten["r_observed"] += np.linspace(-0.01, 0.01, 8)
    found = lg.findings(assoc, atten)
    assert [f.claim.id for f in found] == [c.id for c in lg.CLAIMS]
    p2e, e2p, p2e_true, e2p_true, coupling, attenuation = found
    assert p2e_true.verdict == fd.SHOWN and e2p_true.verdict == fd.NEGLIGIBLE  # same synthetic paths
    assert p2e.verdict == fd.SHOWN and p2e.ablation_outcomes() == {"no_mastery": fd.ABLATION_VANISHES}
    assert e2p.verdict == fd.NEGLIGIBLE and e2p.ablated == {}  # no_avoidance not run: nothing claimed for it
    assert coupling.verdict == fd.NEGLIGIBLE  # r_last - r_first = 0 within +-0.1
    assert attenuation.verdict == fd.SHOWN and attenuation.claim.analytic == pytest.approx(-0.1)
    fig = lg.fig_paths(assoc, tmp_path)
    assert fig.png.stat().st_size > 1000 and "switched" in fig.caption
