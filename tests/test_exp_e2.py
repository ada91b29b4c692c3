"""Experiments 3, 4 and 5 (schedules, arousal, sensitivity): outputs, verdicts that follow the rule,
analysis functions on synthetic data with known answers, and regression numbers at seed 1.

No test asks for a finding to come out a particular way: the regression numbers pin what the model
produces at a fixed seed (regenerate with ``EFFICACY_SIM_REGEN=1`` after a deliberate model change),
and every verdict is re-derived from its effect with the project's one rule.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import SD, decide
from sim.analysis.effects import Effect
from sim.analysis.findings import VERDICTS, Claim, combine
from tests.experiment_checks import check_summary, run_quick
from tests.regression import check

REG_RTOL = 1e-6
"""Regression tolerance: the model is deterministic at a fixed seed, so any drift is a model change."""
REG_ATOL = 1e-9


def check_outputs(out: Path, stems: list[str], claims: list[Claim]) -> pd.DataFrame:
    """Figures (PNG + SVG, captioned in the summary), a plain-language opening, and a findings table whose
    verdicts follow :func:`sim.analysis.decide`; returns the findings table."""
    check_summary(out, stems, ("pattern appeared", "Cohen", "wall time", "large)"))
    f = pd.read_csv(out / "findings.csv")
    by_id = {c.id: c for c in claims}
    assert set(f["claim"]) == set(by_id)
    assert set(f["verdict"]) <= set(VERDICTS) and set(f["question_verdict"]) <= set(VERDICTS)
    for r in f.itertuples():
        c = by_id[r.claim]
        e = Effect(r.effect, r.lo, r.hi, c.scale, int(r.n))
        assert r.verdict == decide(c, e), (r.claim, r.condition)
        assert r.kind == c.kind
    model = f[f["condition"] == "model"]
    for q, g in model.groupby("question"):
        assert g["question_verdict"].iloc[0] == combine(list(g["verdict"])), q
    return f


# ---------------------------------------------------------------------------------------------- schedules
@pytest.fixture(scope="module")
def schedules(tmp_path_factory) -> Path:
    return run_quick("schedules", tmp_path_factory.mktemp("schedules"))


def test_schedules_outputs_and_verdicts(schedules: Path) -> None:
    from experiments import schedules as s

    claims = [*s.LEARNING, s.DISENGAGEMENT, s.ROBUSTNESS]
    check_outputs(
        schedules,
        ["outcomes_by_schedule", "skill_by_success_rate", "shock_drop_by_schedule", "trajectories_by_schedule"],
        claims,
    )
    tab = pd.read_csv(schedules / "outcomes.csv")
    assert list(tab.columns) == ["schedule", "outcome", "mean", "lo", "hi"]
    assert tab["schedule"].nunique() == 5 + len(s.TARGETS)
    ok = tab.dropna()
    assert (ok["lo"] <= ok["mean"] + 1e-12).all() and (ok["mean"] <= ok["hi"] + 1e-12).all()
    peaks = pd.read_csv(schedules / "fastest_growth.csv").set_index("measure")
    assert set(peaks.index) == {"realised_success", "challenge"}
    assert peaks.loc["realised_success", "peak"] == pytest.approx(peaks.loc["realised_success", "peak"])  # finite
    assert 0 <= peaks.loc["realised_success", "peak"] <= 1


def test_schedules_tables_are_byte_stable(schedules: Path, tmp_path: Path) -> None:
    # the same run again (its data resumes from the finished engine runs) rewrites identical files
    import shutil

    shutil.copytree(schedules, tmp_path / "again")
    run_quick("schedules", tmp_path / "again")
    for name in ("summary.md", "findings.csv", "outcomes.csv", "shock_drops.csv", "fastest_growth.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (schedules / name).read_bytes(), name


def test_schedules_regression_numbers(schedules: Path) -> None:
    f = pd.read_csv(schedules / "findings.csv")
    nums = {f"{r.claim}|{r.condition}": r.effect for r in f.itertuples()}
    peaks = pd.read_csv(schedules / "fastest_growth.csv").set_index("measure")
    nums.update({f"fastest_growth|{m}": v for m, v in peaks["peak"].items()})
    check("schedules", nums, rtol=REG_RTOL, atol=REG_ATOL)


def test_peak_finder_on_known_curves() -> None:
    from sim.analysis.peaks import peak_location, peak_with_ci

    x = np.linspace(0.3, 0.9, 7)
    peak, interior = peak_location(x, -((x - 0.55) ** 2))
    assert interior and peak == pytest.approx(0.55)
    peak, interior = peak_location(x[::-1], -((x[::-1] - 0.55) ** 2))  # order of x does not matter
    assert interior and peak == pytest.approx(0.55)
    peak, interior = peak_location(x, x)  # monotone: the maximum sits at an edge
    assert not interior and peak == pytest.approx(0.9)
    assert np.isnan(peak_location(x[:2], x[:2])[0])
    rng = np.random.default_rng(1)
    X = np.tile(x, (15, 1))
    p = peak_with_ci(X, -((X - 0.62) ** 2) + rng.normal(0, 1e-3, X.shape))
    assert p["interior"] == 1.0 and p["lo"] <= 0.62 <= p["hi"] and p["hi"] - p["lo"] < 0.05
    with pytest.raises(ValueError, match="replications, points"):
        peak_with_ci(x, x)


def test_schedules_fastest_growth_and_contrasts_on_synthetic_runs() -> None:
    from experiments.schedules import contrast, drop_contrast, fastest_growth

    rng = np.random.default_rng(0)
    rows = []
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        for r in range(12):
            rows.append(
                dict(schedule=f"adaptive {t:.0%}", replicate=r, realised_success=t + 0.05,
                     skill_gain=2 - 10 * (t + 0.05 - 0.6) ** 2 + rng.normal(0, 0.01), skill_gain_sd=0.5)
            )  # fmt: skip
    df = pd.DataFrame(rows)
    g = fastest_growth(df, "realised_success")
    assert g["interior"] == 1.0 and g["lo"] <= 0.6 <= g["hi"] and abs(g["peak"] - 0.6) < 0.02
    # a known paired difference: adaptive 60% vs 90% in SD across agents (0.5)
    e = contrast(df, "skill_gain", "adaptive 60%", "adaptive 90%", SD, "skill_gain_sd")
    want = (2 - 10 * 0.05**2 - (2 - 10 * 0.35**2)) / 0.5
    assert e.estimate == pytest.approx(want, abs=0.05) and e.lo < e.estimate < e.hi
    drops = pd.DataFrame(
        [dict(schedule=s, replicate=r, drop=d + rng.normal(0, 0.01), ref_sd=0.5)
         for s, d in (("a", 0.2), ("b", 0.4)) for r in range(10)]
    )  # fmt: skip
    e = drop_contrast(drops, "a", "b")
    assert e.estimate == pytest.approx(-0.4, abs=0.05) and e.hi < 0


# ---------------------------------------------------------------------------------------------- arousal
@pytest.fixture(scope="module")
def arousal(tmp_path_factory) -> Path:
    return run_quick("arousal", tmp_path_factory.mktemp("arousal"))


def test_arousal_outputs_and_verdicts(arousal: Path) -> None:
    from experiments import arousal as a

    f = check_outputs(arousal, ["success_by_arousal", "optimum_by_difficulty", "skill_gain_by_arousal_setting"],
                      list(a.CLAIMS))  # fmt: skip
    assert f.set_index("claim").loc["yd_interaction", "kind"] == "assumption"
    opt = pd.read_csv(arousal / "optimum_check.csv")
    assert set(opt["difficulty"]) == set(a.DIFFICULTIES)
    # the analytic optimum is the rule's: yd_opt_easy + (yd_opt_hard - yd_opt_easy) * hardness
    from sim.params import PARAM_BY_NAME as P

    lo, hi = P["yd_opt_hard"].default, P["yd_opt_easy"].default
    assert opt["analytic_optimum"].between(lo, hi).all()
    assert opt.sort_values("rel_to_skill")["analytic_optimum"].is_monotonic_decreasing
    assert (opt["arousal_min"] <= opt["simulated_peak"] + 1e-9).all()
    assert (opt["simulated_peak"] <= opt["arousal_max"] + 1e-9).all()
    summary = (arousal / "summary.md").read_text()
    assert "Mechanism check" in summary and "rule's optimum arousal" in summary
    tab = pd.read_csv(arousal / "by_setting.csv")
    assert set(tab["factor"]) == set(a.FACTORS)


def test_arousal_regression_numbers(arousal: Path) -> None:
    f = pd.read_csv(arousal / "findings.csv")
    nums = {f"{r.claim}|{r.condition}": r.effect for r in f.itertuples()}
    opt = pd.read_csv(arousal / "optimum_check.csv")
    nums.update({f"peak|{r.ablation}|{r.difficulty}": r.simulated_peak for r in opt.itertuples()})
    check("arousal", nums, rtol=REG_RTOL, atol=REG_ATOL)


def test_arousal_design_levels_are_checked(monkeypatch) -> None:
    from experiments import arousal as a
    from sim.errors import ConfigError

    monkeypatch.setitem(a.FACTORS, "arousal_baseline", (0.3, 1.2))  # declared range is [0, 1]
    with pytest.raises(ConfigError, match="arousal_baseline"):
        a.check_design()


def test_arousal_analysis_on_synthetic_runs() -> None:
    from experiments import arousal as a

    rows = []
    for r in range(10):
        for level, s_easy, s_hard in ((a.LOW, 0.70, 0.50), (a.HIGH, 0.80, 0.40)):
            rows.append(dict(factor="arousal_baseline", level=level, difficulty="easy (-1)", replicate=r,
                             success_rate=s_easy + 0.001 * r, skill_gain=1.0, skill_gain_sd=0.5))  # fmt: skip
            rows.append(dict(factor="arousal_baseline", level=level, difficulty="hard (+1)", replicate=r,
                             success_rate=s_hard, skill_gain=1.0 - 0.25 * (level == a.HIGH), skill_gain_sd=0.5))  # fmt: skip
    df = pd.DataFrame(rows)
    e = a.yd_interaction(df)  # (0.8 - 0.7) - (0.4 - 0.5) = 0.2 -> 20 pp
    assert e.estimate == pytest.approx(20.0) and e.scale == "pp"
    e = a.setting_effect(df, "arousal_baseline", a.HIGH, a.LOW, "hard (+1)", "skill_gain", "skill_gain_sd")
    assert e.estimate == pytest.approx(-0.5)  # -0.25 levels / 0.5 SD across agents
    # the rule's optimum: halfway between its two ends for a task at skill
    from sim.params import defaults

    p = defaults()
    assert a.analytic_optimum(0.0, p) == pytest.approx((p["yd_opt_easy"] + p["yd_opt_hard"]) / 2)


# ---------------------------------------------------------------------------------------------- sensitivity
@pytest.fixture(scope="module")
def sensitivity(tmp_path_factory) -> Path:
    return run_quick("sensitivity", tmp_path_factory.mktemp("sensitivity"))


def test_sensitivity_outputs_and_verdicts(sensitivity: Path) -> None:
    from experiments import sensitivity as s

    check_outputs(sensitivity, ["mu_star_by_outcome", "mechanism_shares", "sigma_vs_mu_star"], list(s.CLAIMS))
    idx = pd.read_csv(sensitivity / "morris_indices.csv")
    names = s.varied_parameters()
    assert len(idx) == len(names) * len(s.OUTCOMES)
    assert set(idx["parameter"]) == set(names) and set(idx["outcome"]) == set(s.OUTCOMES)
    assert (idx["mu_star"] >= 0).all() and (idx["mu_star"] >= idx["mu"].abs() - 1e-9).all()
    for _, g in idx.groupby("outcome"):  # ranked per parameter, 1..k
        assert sorted(g["rank"]) == list(range(1, len(names) + 1))
    mech = pd.read_csv(sensitivity / "mechanism_shares.csv")
    assert mech.groupby("outcome")["share_per_parameter"].sum().to_numpy() == pytest.approx(1.0, abs=1e-4)
    summary = (sensitivity / "summary.md").read_text()
    assert "bimodality" not in summary.lower() and "Sarle" not in summary


def test_sensitivity_regression_numbers(sensitivity: Path) -> None:
    f = pd.read_csv(sensitivity / "findings.csv")
    nums = {f"{r.claim}|{r.condition}": r.effect for r in f.itertuples()}
    idx = pd.read_csv(sensitivity / "morris_indices.csv")
    top = idx[idx["rank"] <= 3]
    nums.update({f"mu_star|{r.outcome}|{r.parameter}": r.mu_star for r in top.itertuples()})
    check("sensitivity", nums, rtol=REG_RTOL, atol=REG_ATOL)


def test_sensitivity_parameters_come_from_sim_params(monkeypatch) -> None:
    from experiments import sensitivity as s
    from sim import params as P

    names = s.varied_parameters()
    assert {"switches", "interventions", "domains", "self_esteem"} == set(s.EXCLUDED_GROUPS)
    assert not {p.name for p in P.PARAMS if p.group in s.EXCLUDED_GROUPS} & set(names)
    assert {p.name for p in P.PARAMS if p.group not in s.EXCLUDED_GROUPS} == set(names)
    for n, (lo, hi) in s.bounds().items():
        spec = P.PARAM_BY_NAME[n]
        assert spec.low <= lo < hi <= spec.high, n
    # a parameter declared tomorrow joins the screen without editing the experiment; a switch does not
    new = P.Param("new_gain", 0.4, 0.0, 1.0, "0-1", "test", "test", "mastery")
    switch = P.Param("use_new", 1, 0, 1, "0/1", "test", "test", "switches", True)
    monkeypatch.setattr(s, "PARAMS", (*P.PARAMS, new, switch))
    monkeypatch.setitem(s.PARAM_BY_NAME, "new_gain", new)
    monkeypatch.setitem(s.PARAM_BY_NAME, "use_new", switch)
    assert "new_gain" in s.varied_parameters() and "use_new" not in s.varied_parameters()
    assert s.band("new_gain") == pytest.approx((0.2, 0.6))


def test_sensitivity_elementary_effects_match_salib() -> None:
    from SALib.analyze import morris

    from experiments import sensitivity as s

    b = {"a": (0.0, 1.0), "b": (0.0, 2.0), "c": (1.0, 3.0)}
    X = s.morris_sample(b, 20, seed=3)
    y = 3.0 * X[:, 0] + 0.0 * X[:, 1] + (X[:, 2] - 2.0) ** 2
    ee = s.elementary_effects(X, y, b)
    problem = {"num_vars": 3, "names": list(b), "bounds": [list(v) for v in b.values()]}
    si = morris.analyze(problem, X, y, num_levels=s.NUM_LEVELS, seed=0)
    assert np.nanmean(np.abs(ee), axis=0) == pytest.approx(np.asarray(si["mu_star"]))
    assert np.abs(ee[:, 0]) == pytest.approx(3.0)  # linear: the change across the whole band, every time
    assert np.abs(ee[:, 1]) == pytest.approx(0.0)


def test_sensitivity_compares_mechanisms_per_parameter() -> None:
    from experiments import sensitivity as s

    # three parameters of mu* 1 in "big" and one of mu* 2 in "small": a sum would rank "big" first (3 > 2),
    # per parameter "small" leads (2 > 1)
    idx = pd.DataFrame(
        dict(outcome="y", parameter=["p1", "p2", "p3", "q"], mechanism=["big", "big", "big", "small"],
             mu_star=[1.0, 1.0, 1.0, 2.0])
    )  # fmt: skip
    m = s.mechanism_table(idx).set_index("mechanism")
    assert m.loc["small", "rank"] == 1 and m.loc["big", "rank"] == 2
    assert m.loc["small", "share_per_parameter"] == pytest.approx(2 / 3)
    assert m.loc["big", "parameters"] == 3
