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
from tests.experiment_checks import run_quick
from tests.regression import check

REG_RTOL = 1e-6
"""Regression tolerance: the model is deterministic at a fixed seed, so any drift is a model change."""
REG_ATOL = 1e-9
PLAIN_HEADINGS = ("**Question.**", "**Answer.**", "**How sure.**", "**What it would mean", "**What it rests on.**")


def check_outputs(out: Path, stems: list[str], claims: list[Claim]) -> pd.DataFrame:
    """Figures (PNG + SVG, captioned in the summary), a plain-language opening, and a findings table whose
    verdicts follow :func:`sim.analysis.decide`; returns the findings table."""
    summary = (out / "summary.md").read_text(encoding="utf-8")
    for stem in stems:
        assert (out / f"{stem}.png").stat().st_size > 1000, stem
        assert (out / f"{stem}.svg").read_text().lstrip().startswith("<?xml"), stem
        assert f"({stem}.png)" in summary, stem
    assert sorted(p.stem for p in out.glob("*.png")) == sorted(stems)
    assert summary.index("**Question.**") < summary.index("## Findings")
    for h in PLAIN_HEADINGS:
        assert h in summary, h
    for word in ("pattern appeared", "Cohen", "wall time", "large)"):
        assert word not in summary, word
    assert summary.count("**Figure ") == len(stems)
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


def test_schedules_peak_finder_on_known_curves() -> None:
    from experiments.schedules import quadratic_peak

    x = np.linspace(0.3, 0.9, 7)
    peak, interior = quadratic_peak(x, -((x - 0.55) ** 2))
    assert interior and peak == pytest.approx(0.55)
    peak, interior = quadratic_peak(x[::-1], -((x[::-1] - 0.55) ** 2))  # order of x does not matter
    assert interior and peak == pytest.approx(0.55)
    peak, interior = quadratic_peak(x, x)  # monotone: the maximum sits at an edge
    assert not interior and peak == pytest.approx(0.9)


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
