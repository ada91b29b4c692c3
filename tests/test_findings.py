"""The verdict rule, the effect-size scale and the reporting pieces, on synthetic data with known effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import PP, SD, Claim, Finding, Question, combine, decide, effect, findings_frame, paired_effects
from sim.analysis.effects import Effect, fmt
from sim.analysis.findings import ablation_outcome, findings_markdown
from sim.analysis.multimodality import dip_test, multimodal
from sim.analysis.summary import write_table


def claim(direction: int = 1, sesoi: float = 0.2, **kw) -> Claim:
    return Claim("c", "X raises Y", "Y", direction, kw.pop("kind", "assumption"), "rule r", sesoi=sesoi, **kw)


def eff(lo: float, hi: float, scale: str = SD) -> Effect:
    return Effect((lo + hi) / 2, lo, hi, scale, 20)


@pytest.mark.parametrize(
    ("lo", "hi", "direction", "expected"),
    [
        (0.3, 0.6, 1, "shown"),
        (0.21, 0.5, 1, "shown"),
        (0.1, 0.5, 1, "inconclusive"),  # straddles the smallest effect of interest
        (-0.1, 0.15, 1, "negligible"),  # inside +-0.2: too small to matter, whatever the sign
        (-0.15, 0.1, 1, "negligible"),
        (-0.6, -0.3, 1, "opposite"),
        (-0.3, -0.1, 1, "opposite"),  # wrong side of zero, not negligible
        (-0.3, 0.3, 1, "inconclusive"),
        (-0.6, -0.3, -1, "shown"),  # a predicted decrease
        (0.3, 0.6, -1, "opposite"),
        (-0.05, 0.05, -1, "negligible"),
    ],
)
def test_verdict_rule(lo: float, hi: float, direction: int, expected: str) -> None:
    assert decide(claim(direction), eff(lo, hi)) == expected


def test_a_significant_but_negligible_effect_is_not_shown() -> None:
    # a tiny effect measured precisely: CI excludes 0 but lies inside the smallest effect of interest
    rng = np.random.default_rng(3)
    diffs = 0.03 + rng.normal(0, 0.01, 40)
    e = effect(diffs, SD, ref_sd=1.0)
    assert e.lo > 0
    assert decide(claim(), e) == "negligible"


def test_verdicts_on_simulated_replications_have_the_stated_error_rates() -> None:
    # 200 synthetic experiments of 30 replications each: a true effect of 0.6 SD (SE 0.05) must be
    # "shown" in almost all of them (>= 95%), a true null must never be "shown" (<= 5%).
    rng = np.random.default_rng(11)
    shown_true = shown_null = 0
    for _ in range(200):
        shown_true += decide(claim(), effect(rng.normal(0.6, 0.27, 30), SD, ref_sd=1.0)) == "shown"
        shown_null += decide(claim(), effect(rng.normal(0.0, 0.27, 30), SD, ref_sd=1.0)) == "shown"
    assert shown_true >= 190
    assert shown_null <= 10


def test_multi_part_claims_need_every_part() -> None:
    assert combine(["shown", "shown"]) == "shown"
    assert combine(["shown", "negligible"]) == "negligible"
    assert combine(["shown", "inconclusive"]) == "inconclusive"
    assert combine(["negligible", "opposite", "shown"]) == "opposite"
    a = Finding(claim(), eff(0.3, 0.5))
    b = Finding(Claim("d", "X lowers Z", "Z", -1, "assumption", "rule"), eff(-0.05, 0.05))
    q = Question("q", "two-part", [a, b])
    assert a.verdict == "shown" and q.verdict == "negligible"
    with pytest.raises(ValueError, match="verdict"):
        combine(["yes"])


def test_effect_scale_sd_across_agents_and_percentage_points() -> None:
    e = effect([0.2, 0.4, 0.3, 0.3], SD, ref_sd=[0.5, 0.5, 0.5])
    assert e.estimate == pytest.approx(0.6)  # 0.3 levels / 0.5 levels SD across agents
    assert e.raw == pytest.approx(0.3)
    assert e.lo < e.estimate < e.hi
    p = effect([0.02, 0.04, 0.03], PP)
    assert p.estimate == pytest.approx(3.0)
    assert np.isnan(p.ref_sd)
    with pytest.raises(ValueError, match="ref_sd"):
        effect([0.1, 0.2], SD)
    # pooled SD is the root mean square of the per-run SDs, not their mean
    e2 = effect([1.0, 1.0], SD, ref_sd=[1.0, 7.0])
    assert e2.ref_sd == pytest.approx(5.0)


def test_paired_effects_table() -> None:
    rng = np.random.default_rng(0)
    rows = []
    for r in range(12):
        base = rng.normal(3, 0.1)
        rows.append(dict(condition="control", replicate=r, y=base, y_sd=1.0))
        rows.append(dict(condition="big", replicate=r, y=base + 0.5 + rng.normal(0, 0.05), y_sd=1.0))
        rows.append(dict(condition="none", replicate=r, y=base + rng.normal(0, 0.01), y_sd=1.0))
    t = paired_effects(pd.DataFrame(rows), "y", SD, sd="y_sd")
    assert list(t["condition"]) == ["big", "none"]
    big, none = t.iloc[0], t.iloc[1]
    assert big["effect"] == pytest.approx(0.5, abs=0.05)
    assert decide(claim(), Effect(big.effect, big.lo, big.hi, SD, 12)) == "shown"
    assert decide(claim(), Effect(none.effect, none.lo, none.hi, SD, 12)) == "negligible"
    assert abs(big["d_z"]) > 5  # the paired statistic is huge; the effect on the common scale is not


def test_claim_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="direction"):
        claim(direction=0)
    with pytest.raises(ValueError, match="kind"):
        claim(kind="finding")
    with pytest.raises(ValueError, match="sesoi"):
        claim(sesoi=0.0)
    with pytest.raises(ValueError, match="ablation"):
        claim(kind="emergent")
    with pytest.raises(ValueError, match="scale"):
        decide(claim(), eff(0.1, 0.2, PP))


def test_ablation_outcomes() -> None:
    c = claim(kind="emergent", ablations=("no_strength",))
    full = eff(0.4, 0.6)
    assert ablation_outcome(c, full, eff(-0.05, 0.05)) == "vanishes"
    assert ablation_outcome(c, eff(0.8, 1.0), eff(0.3, 0.5)) == "shrinks"  # 0.4 <= half of 0.9, still shown
    assert ablation_outcome(c, full, eff(0.4, 0.6)) == "persists"
    # an ablated interval that only touches the smallest effect of interest is no vanishing
    assert ablation_outcome(c, eff(0.22, 0.28), eff(0.19, 0.25)) == "persists"
    # an inconclusive full effect cannot vanish; it can only shrink or persist
    assert ablation_outcome(c, eff(0.17, 0.21), eff(0.17, 0.19)) == "persists"
    assert ablation_outcome(c, eff(0.15, 0.45), eff(-0.05, 0.05)) == "shrinks"
    assert ablation_outcome(c, full, eff(-0.6, -0.3)) == "vanishes"  # reversed: the effect is gone
    # nothing to remove when the full model shows no predicted effect
    assert ablation_outcome(c, eff(-0.6, -0.3), eff(-0.6, -0.3)) == "has no predicted effect to remove"
    assert ablation_outcome(c, eff(-0.1, 0.1), eff(0.3, 0.5)) == "has no predicted effect to remove"
    f = Finding(c, full, ablated={"no_strength": eff(-0.05, 0.05)})
    table = findings_frame([f])
    assert list(table["condition"]) == ["model", "no_strength"]
    assert list(table["ablation_outcome"]) == ["", "vanishes"]
    md = findings_markdown([f])
    assert "vanishes" in md and "emergent" in md and "shown" in md


def test_mechanism_check_prints_the_analytic_value() -> None:
    c = claim(kind="mechanism check", analytic=0.45)
    md = findings_markdown([Finding(c, eff(0.3, 0.5))])
    assert "The rule predicts +0.45" in md


def test_dip_test_separates_two_peaks_from_skew() -> None:
    rng = np.random.default_rng(5)
    skewed = rng.lognormal(0, 0.8, 600)  # one peak, strong skew: Sarle's coefficient fires on this
    normal = rng.normal(0, 1, 600)
    two = np.r_[rng.normal(-2, 0.6, 300), rng.normal(2, 0.6, 300)]
    assert not multimodal(skewed)
    assert not multimodal(normal)
    assert multimodal(two)
    assert np.isnan(dip_test(np.ones(10))[1])


def test_fmt_never_prints_negative_zero() -> None:
    assert fmt(-0.0001) == "+0.00"
    assert fmt(-0.004, signed=False) == "0.00"
    assert fmt(float("nan")) == "n/a"
    assert fmt(1.234) == "+1.23"


def test_tables_are_byte_stable_whatever_the_row_order(tmp_path) -> None:
    df = pd.DataFrame(dict(k=["b", "a", "c"], v=[1 / 3, 2 / 3, 0.1 + 0.2]))
    write_table(df, tmp_path / "x.csv")
    write_table(df.iloc[::-1], tmp_path / "y.csv")
    assert (tmp_path / "x.csv").read_bytes() == (tmp_path / "y.csv").read_bytes()
    assert (tmp_path / "x.csv").read_text().splitlines()[1] == "a,0.666667"
