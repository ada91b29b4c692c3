"""Experiments 1 and 2 (cycles, early failure): outputs, verdicts that follow the rule, analysis on synthetic data.

No test here asks for a finding to come out a particular way. The quick versions run as a user would
run them; the tests check that every output exists and is well formed, that each verdict in
``findings.csv`` is what :func:`sim.analysis.findings.decide` gives for its interval, that the analysis
functions return known answers on synthetic data, that a re-run is byte-identical, and the headline
numbers at seed 1 (regression, stated tolerance).
"""

from __future__ import annotations

import importlib
import math
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import ablations as abl
from sim.analysis.effects import Effect
from sim.analysis.findings import KINDS, VERDICTS, Claim, decide
from sim.state import DISENGAGED
from tests.experiment_checks import check_summary
from tests.regression import check

cycles = importlib.import_module("experiments.cycles")
early = importlib.import_module("experiments.early_failure")

REGRESSION_RTOL = 1e-6
"""Seeded runs and seeded bootstraps are deterministic; the tolerance only absorbs float formatting."""


def _run(mod, out: Path) -> Path:
    return mod.main(["--quick", "--executor", "serial", "--out", str(out), "--seed", "1"])


@pytest.fixture(scope="module")
def cycles_out(tmp_path_factory) -> Path:
    return _run(cycles, tmp_path_factory.mktemp("cycles"))


@pytest.fixture(scope="module")
def early_out(tmp_path_factory) -> Path:
    return _run(early, tmp_path_factory.mktemp("early_failure"))


# ------------------------------------------------------------------------------------------ outputs
def _check_outputs(out: Path, stems: list[str], tables: list[str]) -> pd.DataFrame:
    check_summary(out, stems, ("pattern appeared", "bimodality coefficient", "Sarle", "(large)", "/tmp", "/work/"))
    for t in tables:
        assert (out / t).stat().st_size > 0, t
    f = pd.read_csv(out / "findings.csv")
    assert set(f["kind"]) <= set(KINDS) and set(f["verdict"]) <= set(VERDICTS)
    assert set(f["condition"]) <= {"model", *abl.ABLATIONS}
    return f


def _claim_of(row: pd.Series) -> Claim:
    return Claim(
        row["claim"], row["statement"], row["outcome"], int(row["direction"]), row["kind"], row["rests_on"],
        row["scale"], float(row["sesoi"]), ablations=("x",) if row["kind"] == "emergent" else (),
    )  # fmt: skip


def _check_verdicts_follow_the_rule(f: pd.DataFrame) -> None:
    for _, r in f.iterrows():
        e = Effect(r["effect"], r["lo"], r["hi"], r["scale"], int(r["n"]))
        k = float(r["sesoi"])
        on_threshold = any(abs(b - t) <= 1e-6 * max(1.0, k) for b in (e.lo, e.hi) for t in (-k, 0.0, k))
        if on_threshold:  # the CSV's rounding put a bound on a threshold: it cannot be re-decided from the file
            continue
        assert decide(_claim_of(r), e) == r["verdict"], (r["claim"], r["condition"])
    model = f[f["condition"] == "model"]
    for q, g in model.groupby("question"):
        v = list(g["verdict"])
        expected = (
            "shown"
            if all(x == "shown" for x in v)
            else next(x for x in ("opposite", "negligible", "inconclusive") if x in v)
        )
        assert (g["question_verdict"] == expected).all(), q


def _check_kinds(f: pd.DataFrame) -> None:
    model = f[f["condition"] == "model"]
    checks = model[model["kind"] == "mechanism check"]
    assert len(checks) and checks["analytic"].notna().all()  # the rule's prediction is printed beside it
    for _, r in model[model["kind"] == "emergent"].iterrows():
        declared = getattr(_declared(r["claim"]), "ablations", ())
        expected = {a for a in declared if abl.get(a).available}
        got = set(f.loc[(f["claim"] == r["claim"]) & (f["condition"] != "model"), "condition"])
        assert got == expected, r["claim"]


def _declared(claim_id: str) -> Claim | None:
    for mod in (cycles, early):
        for v in vars(mod).values():
            if isinstance(v, Claim) and v.id == claim_id:
                return v
    for pair in early.PROTECT.values():
        for c in pair:
            if c.id == claim_id:
                return c
    return None


def test_cycles_outputs(cycles_out: Path) -> None:
    f = _check_outputs(
        cycles_out,
        ["phase_portrait", "efficacy_distribution", "early_success", "ablations", "basins"],
        ["distribution_over_time.csv", "side_split.csv", "thresholds.csv", "basin_grid.csv"],
    )
    _check_verdicts_follow_the_rule(f)
    assert set(f.loc[f["condition"] == "model", "kind"]) == {"emergent"}
    for _, r in f[f["condition"] == "model"].iterrows():
        declared = {a for a in _declared(r["claim"]).ablations if abl.get(a).available}
        assert set(f.loc[(f["claim"] == r["claim"]) & (f["condition"] != "model"), "condition"]) == declared
    dist = pd.read_csv(cycles_out / "distribution_over_time.csv")
    assert {"condition", "replicate", "step", "efficacy_sd", "dip", "dip_p", "multimodal", "low_share"} <= set(
        dist.columns
    )
    assert dist["dip_p"].between(0, 1).all()


def test_early_failure_outputs(early_out: Path) -> None:
    f = _check_outputs(
        early_out,
        ["at_shock", "recovery", "final_vs_timing", "by_initial_efficacy", "resilience"],
        ["final_effects.csv", "at_shock.csv", "protection.csv"],
    )
    _check_verdicts_follow_the_rule(f)
    _check_kinds(f)
    fe = pd.read_csv(early_out / "final_effects.csv")
    assert set(fe["outcome"]) == {"efficacy_mean", "skill_mean", "disengaged_share"}
    assert set(fe["scale"]) == {"sd", "pp"} and set(fe.loc[fe["outcome"] == "disengaged_share", "scale"]) == {"pp"}
    at = pd.read_csv(early_out / "at_shock.csv")
    assert list(at["step"]) == sorted(early.sizes(True)["timings"]) and at["analytic"].notna().all()


@pytest.mark.parametrize("name", ["cycles", "early"])
def test_rerun_is_byte_identical(name: str, request, tmp_path: Path) -> None:
    # a second run reuses the engine data (the same experiment resumes) and must rewrite every result file
    # byte for byte: sorted rows, fixed float format, no wall times
    out = request.getfixturevalue(f"{name}_out")
    copy = tmp_path / name
    shutil.copytree(out, copy)
    _run({"cycles": cycles, "early": early}[name], copy)
    files = sorted(p for p in out.iterdir() if p.is_file())
    assert len(files) > 10
    for p in files:
        assert p.read_bytes() == (copy / p.name).read_bytes(), p.name


def test_regression_numbers(cycles_out: Path, early_out: Path) -> None:
    numbers = {}
    for name, out in (("cycles", cycles_out), ("early_failure", early_out)):
        f = pd.read_csv(out / "findings.csv")
        for _, r in f.iterrows():
            numbers[f"{name}:{r['claim']}:{r['condition']}"] = r["effect"]
    check("e1_cycles_early_failure", numbers, rtol=REGRESSION_RTOL, atol=1e-9)


# ------------------------------------------------------------------------------ analysis, synthetic
def test_side_split_counts_learners_who_cross() -> None:
    # 10 low starters (4 end above the cut), 10 high starters (1 ends below)
    init = np.r_[np.full(10, 1.0), np.full(10, 3.0)]
    fin = np.r_[np.full(4, 2.5), np.full(6, 1.0), np.full(9, 3.0), [0.5]]
    df = pd.DataFrame({"condition": "model", "replicate": 0, "initial_efficacy": init, "efficacy": fin})
    s = cycles.side_split(df, cut=2.0).iloc[0]
    assert (s["n_low"], s["n_high"]) == (10, 10)
    assert math.isclose(s["p_up"], 0.4) and math.isclose(s["split_low"], 0.4)
    assert math.isclose(s["p_down"], 0.1) and math.isclose(s["split_high"], 0.1)
    # at step 0 (final = initial) nobody has crossed: the split is 0, so the test can fail
    s0 = cycles.side_split(df.assign(efficacy=init), cut=2.0).iloc[0]
    assert s0["split_low"] == 0 and s0["split_high"] == 0


def test_distribution_over_time_uses_the_dip_test() -> None:
    rng = np.random.default_rng(0)
    skewed = rng.lognormal(0, 0.6, 400)  # one peak, strongly skewed (a skew-based coefficient fired on this)
    two = np.r_[rng.normal(1, 0.3, 200), rng.normal(5, 0.3, 200)]
    rows = [
        pd.DataFrame({"condition": "m", "replicate": 0, "step": s, "efficacy": e}) for s, e in ((0, skewed), (1, two))
    ]
    d = cycles.distribution_over_time(pd.concat(rows), cut=2.0).set_index("step")
    assert d.loc[0, "multimodal"] == 0.0 and d.loc[1, "multimodal"] == 1.0
    assert math.isclose(d.loc[1, "low_share"], 0.5)


def test_within_bin_sd_and_change() -> None:
    n = 400
    init = np.linspace(0, 4, n)
    base = pd.DataFrame({"condition": "m", "replicate": 0, "agent": range(n), "initial_efficacy": init})
    rng = np.random.default_rng(1)
    snaps = pd.concat([base.assign(step=0, efficacy=init), base.assign(step=9, efficacy=init + rng.normal(0, 1.0, n))])
    w = cycles.within_bin_sd(snaps, bins=8)
    c = cycles.change(w, "within_sd", 0, 9).iloc[0]
    assert c["initial"] < 0.2 and 0.8 < c["initial"] + c["change"] < 1.2  # noise SD 1 within each bin


def test_early_success_effect_recovers_a_known_slope() -> None:
    rng = np.random.default_rng(2)
    n = 2000
    share = rng.uniform(0, 1, n)
    ie, isk = rng.normal(3, 1, n), rng.normal(3, 1, n)
    eff = 0.5 * ie + 2.0 * share + rng.normal(0, 0.1, n)  # +2 levels per unit share
    df = pd.DataFrame(
        dict(condition="m", replicate=0, early_share=share, initial_efficacy=ie, initial_skill=isk, efficacy=eff)
    ).assign(skill=isk)
    r = cycles.early_success_effect(df).iloc[0]
    assert math.isclose(r["on_efficacy"], 2.0 * share.std(), rel_tol=0.05)  # per +1 SD of share
    assert abs(r["on_skill"]) < 0.01


def test_grid_shares_widening_and_thresholds() -> None:
    rows = []
    for sm, thr in ((1.0, 3.0), (3.0, 1.0)):  # higher skill: the share crosses 1/2 at lower efficacy
        for em in (0.5, 1.5, 2.5, 3.5):
            share = float(np.clip((em - thr) / 2 + 0.5, 0, 1))
            rows.append(dict(condition="c", replicate=0, skill_mean=sm, efficacy_mean=em, share_engaged=share))
    shares = pd.DataFrame(rows)
    t = cycles.thresholds(shares).set_index("skill_mean")["threshold"]
    assert math.isclose(t[1.0], 3.0) and math.isclose(t[3.0], 1.0)
    w = cycles.skill_widening(shares).iloc[0]["widening"]
    expected = np.mean(
        [np.clip((e - 1) / 2 + 0.5, 0, 1) - np.clip((e - 3) / 2 + 0.5, 0, 1) for e in (0.5, 1.5, 2.5, 3.5)]
    )
    assert math.isclose(w, expected)
    agents = pd.DataFrame(
        dict(condition="c", skill_mean=1.0, efficacy_mean=0.5, replicate=0, efficacy=[1.0, 2.0, 3.0, 1.5])
    )
    assert math.isclose(cycles.grid_shares(agents, cut=2.0)["share_engaged"].iloc[0], 0.5)


def test_divisor_prediction_is_the_mastery_rule() -> None:
    pre = pd.DataFrame(
        dict(
            replicate=[0, 0, 0, 1],
            efficacy=[3.0, 0.1, 3.0, 2.0],
            strength=[1.0, 1.0, 4.0, 0.0],
            sens_mastery=[1.0, 1.0, 1.0, 2.0],
            engagement=[0, 0, DISENGAGED, 1],
        )
    )
    p = early.divisor_prediction(pre, severity=4.0, gain_failure=0.5)
    # agent 0: -0.5*4*0.5/2 = -0.5; agent 1: clipped at -efficacy = -0.1; agent 2: disengaged, not hit
    assert math.isclose(p[0], (-0.5 - 0.1 + 0.0) / 3)
    assert math.isclose(p[1], -2.0)  # -0.5*2*4*0.5/1, efficacy 2 leaves room for it


def test_tercile_loss_pairs_each_learner() -> None:
    n = 30
    ctrl = pd.DataFrame(
        dict(condition="control", replicate=0, agent=range(n), initial_efficacy=np.arange(n), efficacy=5.0)
    ).assign(engagement=0)
    # the shock costs the low third 1.0 level, the middle 0.5, the high third nothing
    loss = np.r_[np.full(10, -1.0), np.full(10, -0.5), np.zeros(10)]
    shock = ctrl.assign(condition="s", efficacy=5.0 + loss, engagement=[DISENGAGED] * 5 + [0] * (n - 5))
    t = early.tercile_loss(pd.concat([ctrl, shock]), "s", "control").set_index("tercile")
    assert math.isclose(t.loc["low", "d_efficacy"], -1.0) and math.isclose(t.loc["high", "d_efficacy"], 0.0)
    assert math.isclose(t.loc["low", "d_disengaged"], 0.5)
    assert np.allclose(early.low_minus_high(t.reset_index()), [-1.0])


def test_gap_curve_and_paired_diff() -> None:
    rows = []
    for rep in range(4):
        for step in range(6):
            sd = 0.5 if step < 5 else 0.25  # the control's spread at each step sets the scale
            rows.append(dict(condition="control", replicate=rep, step=step, efficacy_mean=3.0, efficacy_sd=sd))
            gap = -1.0 if step == 3 else (-0.5 if step > 3 else 0.0)
            rows.append(dict(condition="x", replicate=rep, step=step, efficacy_mean=3.0 + gap, efficacy_sd=9.0))
    s = pd.DataFrame(rows)
    c = early.gap_curve(s, "x", "control", shock_step=2)
    assert list(c["since"]) == [1, 2, 3] and np.allclose(c["gap"], [-2.0, -1.0, -2.0])
    assert np.allclose(early.paired_diff(early.at_step(s, 5, "efficacy_mean"), "x", "control"), -0.5)


def test_conditions_carry_the_ablation_switches() -> None:
    ab = {"no_strength": {"use_strength": 0}}
    conds = early.timing_conditions([5, 50], [5.0, 10.0], ab)
    assert conds["shock t=5 s=5 | no_strength"] == {"shocks": [{"step": 5, "severity": 5.0}], "use_strength": 0}
    assert "control | no_strength" in conds and "shock t=5 s=10 | no_strength" not in conds
    h = early.history_conditions([20], 70, ab)
    assert h["setbacks + late shock | no_strength"]["use_strength"] == 0 and len(h) == 12
    g = cycles.grid_conditions((0.5, 2.0), ab)
    assert cycles.DEFAULT_WEIGHT in g and g["no_strength"] == {"use_strength": 0}


def test_ablation_notes_partial_ablations_and_reversals() -> None:
    from sim.analysis.ablation_notes import finding, reversals, unavailable

    c = Claim("c", "X raises Y", "Y", 1, "emergent", "r", "sd", 0.2, ablations=("no_strength", "no_social"))
    model, strong = Effect(0.0, -0.05, 0.05, "sd", 10), Effect(0.6, 0.5, 0.7, "sd", 10)
    f = finding(c, model, {"no_strength": strong})  # no_social not runnable: dropped, not an error
    assert f.claim.ablations == ("no_strength",) and f.verdict == "negligible"
    assert finding(c, model, {}).claim.ablations == c.ablations  # nothing ran: the declaration is kept
    [line] = reversals([f])
    assert "negligible in the full model but shown with no growth of belief strength" in line
    assert reversals([finding(c, strong, {"no_strength": strong})]) == []  # shown in the model: no reversal
    assert unavailable(["no_strength"]) == [] and unavailable(["no_social"]) == (
        [] if abl.get("no_social").available else ["no_social"]
    )


def test_divisor_prediction_matches_the_engine_at_the_shock(tmp_path: Path) -> None:
    # the mechanism check's analytic value is the engine's own mastery change for every shocked learner
    from sim.config import Config
    from sim.engine import Experiment, Outputs, run_experiment
    from sim.params import PARAM_BY_NAME

    exp = Experiment(
        name="divisor",
        base=Config.default(agents=60, steps=8),
        conditions={"shock": {"shocks": [{"step": 5, "severity": 4.0}]}},
        replications=2,
        seed=3,
        outputs=Outputs(every=1, final_agents=False, snapshots=(5, 6)),
    )
    s = run_experiment(exp, out=str(tmp_path / "d"), executor="serial", progress=False).snapshots
    pre, post = (s[s["step"] == k].sort_values(["replicate", "agent"]).reset_index(drop=True) for k in (5, 6))
    assert post["shocked"].any()
    hit = post["shocked"].to_numpy()
    gain = float(PARAM_BY_NAME["mastery_gain_failure"].default)
    per_agent = [early.divisor_prediction(pre.iloc[[i]], 4.0, gain).iloc[0] for i in np.nonzero(hit)[0]]
    # unclipped agents: the prediction is the engine's d_mastery exactly
    room = pre.loc[hit, "efficacy"].to_numpy() > -np.array(per_agent) + 1e-9
    assert np.allclose(np.array(per_agent)[room], post.loc[hit, "d_mastery"].to_numpy()[room])


def test_ablation_summary_names_what_each_shown_pattern_needs() -> None:
    from sim.analysis.ablation_notes import ablation_summary

    c = Claim("c", "X raises Y", "Y", 1, "emergent", "r", "sd", 0.2, ablations=("no_strength", "no_avoidance"))
    shown, null = Effect(0.6, 0.5, 0.7, "sd", 10), Effect(0.0, -0.05, 0.05, "sd", 10)
    from sim.analysis.findings import Finding

    needs = Finding(c, shown, {"no_strength": null, "no_avoidance": shown})
    robust = Finding(replace(c, id="d"), shown, {"no_strength": shown, "no_avoidance": shown})
    text = ablation_summary([needs, robust])
    assert "c vanishes or shrinks under no_strength" in text and "d survives every ablation" in text
    assert ablation_summary([Finding(c, null, {"no_strength": null, "no_avoidance": null})]) == ""
