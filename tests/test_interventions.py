"""Intervention strategies (sim/strategies.py), their comparison (sim/comparison/), ``efficacy-sim compare`` and
``experiments/interventions.py`` in quick mode.

No test here asks for a scientific pattern: they check that the comparison is paired and on the project's
scale, that tables and figures are written and well-formed, that every verdict follows the one rule, and the
quick run's numbers at seed 1 (regression, stated tolerance)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config import Config
from sim.errors import ConfigError
from sim.params import INTERVENTION_KINDS
from sim.strategies import CONTROL, load_library, splice_schedule


# -- the library ------------------------------------------------------------------------------------------
def test_builtin_library_covers_every_hook_and_applies() -> None:
    lib = load_library()
    used = {k for s in lib.values() for k in s.kinds}
    assert used == set(INTERVENTION_KINDS)
    assert any(s.schedule for s in lib.values()), "an adaptive-schedule strategy is shipped"
    base = Config.default(agents=10, steps=50)
    for name, s in lib.items():
        cfg = s.apply(base, start=5, end=30)
        assert [iv["kind"] for iv in cfg.interventions] == list(s.kinds), name
        assert all(iv["start"] == 5 and iv["end"] == 30 for iv in cfg.interventions), name
    assert set(lib["four_sources"].kinds) == {
        "mastery_ladder",
        "peer_modelling",
        "specific_persuasion",
        "arousal_reappraisal",
    }


def test_unknown_strategy_name_lists_known_ones() -> None:
    lib = load_library()
    with pytest.raises(ConfigError) as e:
        lib["peer_modeling"]
    msg = str(e.value)
    assert "strategy = 'peer_modeling'" in msg and "trophy" in msg and "did you mean 'peer_modelling'" in msg
    with pytest.raises(ConfigError, match="baseline"):
        lib[CONTROL]


@pytest.mark.parametrize(
    ("toml", "field", "allowed"),
    [
        ('[strategies.x]\ninterventions = [{ kind = "trophies" }]', "strategies.x.interventions[0].kind", "one of"),
        (
            '[strategies.x]\ninterventions = [{ kind = "peer_modelling", intensity = 1.5 }]',
            "strategies.x.interventions[0].intensity",
            "[0, 1]",
        ),
        (
            '[strategies.x]\ninterventions = [{ kind = "peer_modelling", start = 3 }]',
            "strategies.x.interventions[0]",
            "kind, intensity",
        ),
        ('[strategies.x]\nintervention = [{ kind = "peer_modelling" }]', "strategies.x", "interventions"),
        (
            '[strategies.x]\nschedule = [{ kind = "adaptive", target_success = 2 }]',
            "strategies.x.schedule[0].target_success",
            "[0.05, 0.95]",
        ),
        (
            '[strategies.x]\ninterventions = [{ kind = "trophy" }]\nparams = { learn_rate = 0.2 }',
            "strategies.x.params",
            "intervention-hook constant",
        ),
        ('[strategies.x]\ninterventions = [{ kind = "handed_success" }]\nend = 0', "strategies.x.end", "a step after"),
        ('[strategies.x]\ncombine = ["nope"]', "strategies.x.combine", "one of"),
        ('[strategies.control]\ninterventions = [{ kind = "handed_success" }]', "strategies", "reserved"),
        ('[strategies.trophy]\ninterventions = [{ kind = "handed_success" }]', "strategies", "not already defined"),
        ('[strategies.x]\ndescription = "nothing"', "strategies.x", "at least one part"),
    ],
)
def test_bad_user_strategy_is_refused_clearly(tmp_path: Path, toml: str, field: str, allowed: str) -> None:
    f = tmp_path / "mine.toml"
    f.write_text(toml)
    with pytest.raises(ConfigError) as e:
        load_library([f])
    assert e.value.field == field
    assert allowed in str(e.value)


def test_user_strategy_combines_and_sets_hook_constants(tmp_path: Path) -> None:
    f = tmp_path / "mine.toml"
    f.write_text(
        '[strategies.mine]\ncombine = ["peer_modelling"]\ntarget = "below"\nthreshold = 2.5\n'
        '[[strategies.mine.interventions]]\nkind = "specific_persuasion"\nintensity = 0.5\n'
        "[strategies.mine.params]\npersuasion_margin = 0.2\n"
    )
    s = load_library([f])["mine"]
    cfg = s.apply(Config.default(agents=10, steps=40), start=4, end=20)
    ivs = {iv["kind"]: iv for iv in cfg.interventions}
    assert set(ivs) == {"peer_modelling", "specific_persuasion"}
    assert ivs["specific_persuasion"]["intensity"] == 0.5 and ivs["peer_modelling"]["intensity"] == 1.0
    assert all(iv["target"] == "below" and iv["threshold"] == 2.5 for iv in ivs.values())
    assert cfg.params["persuasion_margin"] == 0.2
    # overrides beat the strategy's own timing and targeting
    cfg2 = s.apply(Config.default(agents=10, steps=40), target="all")
    assert all(iv["target"] == "all" for iv in cfg2.interventions)
    with pytest.raises(ConfigError, match="strategies.mine.target"):
        s.apply(Config.default(), target="some")


def test_schedule_strategy_is_spliced_into_its_window_and_cannot_be_targeted() -> None:
    base = [
        {"kind": "ramp", "start": 0, "level": 2.0, "ramp_rate": 0.1},
        {"kind": "constant", "start": 50, "level": 6.0},
    ]
    phases = [{"kind": "adaptive", "start": 0, "level": 3.0}, {"kind": "constant", "start": 5, "level": 4.0}]
    out = splice_schedule(base, phases, 10, 30)
    assert [(p["kind"], p["start"]) for p in out] == [
        ("ramp", 0),
        ("adaptive", 10),
        ("constant", 15),
        ("ramp", 30),
        ("constant", 50),
    ]
    assert out[3]["level"] == pytest.approx(2.0 + 0.1 * 30)  # the ramp resumes where it would have been
    lib = load_library()
    with pytest.raises(ConfigError, match="applies to every agent"):
        lib["adaptive_stretch"].apply(Config.default(), target="below")


# -- the comparison ------------------------------------------------------------------------------------------
TEST_ABLATION = "no_handed_weight"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small comparison with a timing variant, a registered test ablation and a strategy run twice."""
    from sim import comparison as C
    from sim.analysis import ablations as A
    from sim.engine import run_experiment

    with pytest.MonkeyPatch.context() as mp:
        # an ablation on a declared parameter, so the ablation code path runs whatever switches the model has
        mp.setitem(
            A.ABLATIONS, TEST_ABLATION, A.Ablation(TEST_ABLATION, "handed success weighs 0", ("handed_discount",))
        )
        lib = load_library()
        base = Config.default(agents=40, steps=40)
        design = C.make_design(
            lib,
            ["trophy", "peer_modelling", "adaptive_stretch"],
            base,
            variant_names=["trophy"],
            ablations={TEST_ABLATION: [CONTROL, "trophy"], "no_vicarious": ["peer_modelling"]},
        )
        # the same strategy twice, under another name: common random numbers make the runs identical
        conds = design.conditions()
        exp = C.experiment(design, 4, 3)
        exp = type(exp)(
            name=exp.name,
            base=exp.base,
            vary={},
            conditions={**conds, "trophy_again": conds["trophy"]},
            replications=4,
            seed=3,
            outputs=exp.outputs,
        )
        res = run_experiment(exp, out=str(tmp_path_factory.mktemp("cmp") / "data"), executor="serial", progress=False)
        yield design, res, C.analyse(res, design)


def test_strategy_against_itself_gives_exactly_zero(small) -> None:
    design, res, cmp = small
    o = cmp.outcomes
    a = o[o["condition"] == "trophy"].reset_index(drop=True)
    b = o[o["condition"] == "trophy_again"].reset_index(drop=True)
    pd.testing.assert_frame_equal(a.drop(columns="condition"), b.drop(columns="condition"))
    for v in ("efficacy_pre", "calibration_pre", "overconfident_pre", "skill_pre", "efficacy_drop"):
        e = cmp.contrast("trophy_again", "trophy", v)
        assert (e.estimate, e.lo, e.hi) == (0.0, 0.0, 0.0), v
    # same learners at the start in every condition (terciles are comparable)
    init = o.pivot_table(index=["replicate", "agent"], columns="condition", values="initial_efficacy")
    assert (init.nunique(axis=1) == 1).all()


def test_effects_are_on_the_sd_across_learners_and_pp_scales(small) -> None:
    design, res, cmp = small
    o = cmp.outcomes
    runs = o.groupby(["condition", "replicate"])
    means, sds = runs.mean(numeric_only=True), runs.std(ddof=0, numeric_only=True)
    t = cmp.table.set_index("strategy")
    # SD scale: the mean paired difference / the control's SD across agents (root mean square over replications)
    diff = (means.loc["trophy", "efficacy_pre"] - means.loc[CONTROL, "efficacy_pre"]).mean()
    ref = np.sqrt((sds.loc[CONTROL, "efficacy_pre"] ** 2).mean())
    assert t.at["trophy", "efficacy_pre"] == pytest.approx(diff / ref)
    assert t.at["trophy", "efficacy_pre_raw"] == pytest.approx(diff)
    # the efficacy drop is in SD of efficacy across learners, not of the drop
    drop = (means.loc["trophy", "efficacy_drop"] - means.loc[CONTROL, "efficacy_drop"]).mean()
    assert t.at["trophy", "efficacy_drop"] == pytest.approx(drop / ref)
    # shares in percentage points
    pp = (means.loc["trophy", "overconfident_pre"] - means.loc[CONTROL, "overconfident_pre"]).mean() * 100
    assert t.at["trophy", "overconfident_pre"] == pytest.approx(pp)
    # terciles share the whole population's scale
    tt = cmp.terciles.set_index(["condition", "tercile", "outcome"])
    assert np.allclose(tt["ref_sd"].xs("efficacy_pre", level="outcome"), ref)
    assert tt.loc[("trophy", "low", "efficacy_pre"), "ref_sd"] == pytest.approx(ref)


def test_table_has_every_outcome_with_intervals_cost_and_successes(small) -> None:
    design, res, cmp = small
    from sim.comparison import PROFILE_BELIEF, PROFILE_SKILL, PROFILE_SMALL, TABLE_OUTCOMES

    t = cmp.table
    assert sorted(t["strategy"]) == ["adaptive_stretch", "peer_modelling", "trophy"]
    for v, _ in TABLE_OUTCOMES:
        assert np.isfinite(t[[v, f"{v}_lo", f"{v}_hi"]].to_numpy()).all(), v
        assert ((t[f"{v}_lo"] <= t[v]) & (t[v] <= t[f"{v}_hi"])).all(), v
    # ranked by efficacy gain; cost is the dose of one hook over the window (at most window length)
    assert list(t["rank"]) == [1, 2, 3]
    assert list(t["efficacy_pre"]) == sorted(t["efficacy_pre"], reverse=True)
    assert ((t["cost"] > 0) & (t["cost"] <= design.end - design.start)).all()
    assert np.allclose(t["efficacy_pre_per_10_cost"], 10 * t["efficacy_pre"] / t["cost"])
    assert set(t["profile"]) <= {PROFILE_SKILL, PROFILE_BELIEF, PROFILE_SMALL}
    # handed successes apart from earned ones: only the handed-success hook hands any; the counts add up
    s = t.set_index("strategy")
    assert s.at["trophy", "handed_successes"] > 0
    assert s.at["peer_modelling", "handed_successes"] == 0 and s.at["adaptive_stretch", "handed_successes"] == 0
    pr = cmp.per_run
    assert np.allclose(pr["earned_successes"] + pr["handed_successes"], pr["successes"])
    assert (pr.loc[pr["condition"] == CONTROL, "handed_successes"] == 0).all()


def test_ablated_conditions_run_only_for_declared_switches(small) -> None:
    from sim import comparison as C
    from sim.analysis import ablations as A

    design, res, cmp = small
    assert set(design.ablations) == {TEST_ABLATION} | ({"no_vicarious"} if A.get("no_vicarious").available else set())
    label = C.ablated_label("trophy", TEST_ABLATION)
    assert cmp.has(label, C.ablated_label(CONTROL, TEST_ABLATION))
    assert design.conditions()[label]["handed_discount"] == 0
    assert label not in set(cmp.table["strategy"]) and label not in set(cmp.timing["strategy"])
    e = cmp.versus_control(label, "calibration_pre", control=C.ablated_label(CONTROL, TEST_ABLATION))
    assert np.isfinite(e.estimate) and e.n == 4
    with pytest.raises(ConfigError, match="ablations"):
        C.make_design(
            load_library(), ["trophy"], Config.default(agents=10, steps=40), ablations={"no_such": ["trophy"]}
        )


def test_tables_and_figures_are_written_and_byte_stable(small, tmp_path: Path) -> None:
    from sim import comparison as C

    design, res, cmp = small
    a = C.write_tables(cmp, tmp_path / "a")
    C.write_tables(C.analyse(res, design), tmp_path / "b")
    for p in a:
        assert p.read_bytes() == (tmp_path / "b" / p.name).read_bytes(), p.name
    figs = C.write_figures(cmp, res, tmp_path / "a")
    stems = {f.png.stem for f in figs}
    assert {"overview", "forest", "terciles", "timing_forest", "trajectories"} <= stems
    for f in figs:
        assert f.png.stat().st_size > 1000 and f.svg.is_file() and len(f.caption) > 40
    over = next(f for f in figs if f.png.stem == "overview")
    assert "SD across learners" in over.caption
    cell = cmp.cell("trophy", "overconfident_pre")
    assert cell["unit"] == "percentage points" and cell["effect"] == pytest.approx(100 * cell["raw"])
    assert cmp.cell("trophy", "skill_pre")["unit"] == "SD across learners"
    md = C.markdown_table(cmp.table)
    assert "(SD)" in md and "(pp)" in md and "`trophy`" in md


def test_library_code_never_switches_the_matplotlib_backend() -> None:
    """No module of the package calls matplotlib.use (scripts may; the package leaves the user's backend alone)."""
    files = sorted((Path(__file__).resolve().parents[1] / "sim").rglob("*.py"))
    assert len(files) > 40
    offenders = [p.name for p in files if "matplotlib.use(" in p.read_text() or "mpl.use(" in p.read_text()]
    assert offenders == []


# -- command line and experiment -------------------------------------------------------------------------------
def test_cli_compare_runs_and_refuses_bad_input(tmp_path: Path, capsys) -> None:
    from sim.cli import main

    out = tmp_path / "cmp"
    args = ["--agents", "30", "--steps", "40", "--replications", "3", "--executor", "serial", "--out", str(out)]
    assert main(["compare", "specific_persuasion", "generic_praise", *args]) == 0
    printed = capsys.readouterr().out
    assert "`specific_persuasion`" in printed and "`generic_praise`" in printed and "SD across learners" in printed
    for f in ("table.md", "table.csv", "effects.csv", "overview.png", "forest.png", "forest.svg", "trajectories.png"):
        assert (out / f).is_file(), f
    t = pd.read_csv(out / "table.csv")
    assert len(t) == 2 and {"efficacy_pre_lo", "skill_pre_hi", "handed_successes", "profile"} <= set(t.columns)

    assert main(["compare", "nope", *args]) == 2
    err = capsys.readouterr().err
    assert "strategy = 'nope' is not allowed" in err and "peer_modelling" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('[strategies.x]\ninterventions = [{ kind = "peer_modelling", intensity = -1 }]\n')
    assert main(["compare", "--strategies", str(bad), "--list"]) == 2
    assert "strategies.x.interventions[0].intensity" in capsys.readouterr().err
    assert main(["compare", "--list"]) == 0
    assert "four_sources" in capsys.readouterr().out


@pytest.fixture(scope="module")
def quick(tmp_path_factory) -> Path:
    from experiments import interventions

    out = tmp_path_factory.mktemp("iv") / "iv"
    return interventions.main(["--quick", "--executor", "serial", "--out", str(out), "--seed", "1"])


def test_experiment_quick_writes_tables_figures_and_summary(quick: Path) -> None:
    lib = load_library()
    t = pd.read_csv(quick / "table.csv")
    assert set(t["strategy"]) == set(lib)
    assert np.isfinite(t[["efficacy_pre_lo", "efficacy_pre_hi", "skill_pre_lo", "skill_pre_hi"]].to_numpy()).all()
    timing = pd.read_csv(quick / "timing.csv")
    assert timing["strategy"].str.contains("below").any() and timing["strategy"].str.contains("late").any()
    summary = (quick / "summary.md").read_text()
    assert summary.index("**Question.**") < summary.index("## Findings") < summary.index("## Design")
    for word in ("pattern appeared", "ANCHORS", "Cohen", "(large", "/work/", "seed 00"):
        assert word not in summary, word
    assert "## Limitations" in summary and "## Ablations" in summary
    for stem in ("overview", "forest", "trajectories", "terciles", "timing_forest"):
        assert (quick / f"{stem}.png").stat().st_size > 1000
        assert f"({stem}.png)" in summary


def test_experiment_verdicts_follow_the_rule(quick: Path) -> None:
    from experiments import interventions as X
    from sim.analysis import Effect, combine, decide
    from sim.analysis.findings import VERDICTS

    f = pd.read_csv(quick / "findings.csv")
    assert set(f["verdict"]) <= set(VERDICTS) and set(f["kind"]) <= {"assumption", "mechanism check", "emergent"}
    declared = {
        c.id: c
        for c in (
            X.TROPHY_CALIBRATION,
            X.TROPHY_OVERCONFIDENT,
            X.TROPHY_DROP,
            X.SPECIFIC_VS_PRAISE,
            X.PEER_VS_EXPERT,
            X.EFFORT_VS_ABILITY,
            *X.MASTERY_FIRST,
            *X.MASTERY_SKILL,
            *X.LOW_BENEFIT,
        )
    }
    assert set(f["claim"]) == set(declared)
    for r in f.itertuples():
        c = declared[r.claim]
        assert r.verdict == decide(c, Effect(r.effect, r.lo, r.hi, c.scale, int(r.n))), r.claim
    model = f[f["condition"] == "model"]
    for q, g in model.groupby("question"):
        assert set(g["question_verdict"]) == {combine(list(g["verdict"]))}, q
    # the peer/expert claim is labelled emergent and declares its ablations, whether or not they ran
    peer = model.set_index("claim").loc["peer_vs_expert"]
    assert peer["kind"] == "emergent"
    assert set(X.PEER_VS_EXPERT.ablations) == {"no_vicarious", "no_observational_learning"}


def test_experiment_quick_regression_numbers(quick: Path) -> None:
    from tests.regression import check

    t = pd.read_csv(quick / "table.csv").set_index("strategy")
    f = pd.read_csv(quick / "findings.csv")
    nums = {f"{s}.{v}": t.at[s, v] for s in t.index for v in ("efficacy_pre", "calibration_pre", "skill_pre")}
    nums.update({f"claim.{r.claim}": r.effect for r in f[f["condition"] == "model"].itertuples()})
    # engine and bootstrap are deterministic at a fixed seed: a tight tolerance catches any change
    check("interventions", nums, rtol=1e-6, atol=1e-9)


# -- the analysis functions on synthetic data with known answers ------------------------------------------------
def _synthetic_runs(effects: dict[str, float], reps: int = 12, sd: float = 0.5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-run means and SDs: every outcome of condition c is control + effects[c] levels, SD across agents ``sd``."""
    from sim.comparison import OUTCOMES

    rng = np.random.default_rng(7)
    mean_rows, sd_rows = [], []
    for r in range(reps):
        base = {v: rng.normal(3.0, 0.1) for v in OUTCOMES}
        for c, d in effects.items():
            noise = rng.normal(0, 0.005)
            mean_rows.append({"condition": c, "replicate": r, **{v: base[v] + d + noise for v in OUTCOMES}})
            sd_rows.append({"condition": c, "replicate": r, **{v: sd for v in OUTCOMES}})
    return pd.DataFrame(mean_rows), pd.DataFrame(sd_rows)


def test_outcome_effects_and_contrasts_recover_known_effects() -> None:
    from sim.analysis import decide
    from sim.comparison import contrast_effect, outcome_effects
    from sim.comparison.analysis import _BUILDS_SKILL

    per_run, sd_run = _synthetic_runs({CONTROL: 0.0, "big": 0.25, "tiny": 0.01, "worse": -0.2})
    e = outcome_effects(per_run, sd_run, ["big", "tiny", "worse"], ["skill_pre", "overconfident_pre"]).set_index(
        ["outcome", "condition"]
    )
    # 0.25 levels over an SD across agents of 0.5 levels = 0.5 SD; shares in percentage points
    assert e.at[("skill_pre", "big"), "effect"] == pytest.approx(0.5, abs=0.03)
    assert e.at[("overconfident_pre", "big"), "effect"] == pytest.approx(25.0, abs=1.0)
    assert e.at[("skill_pre", "worse"), "effect"] == pytest.approx(-0.4, abs=0.03)
    verdicts = {
        c: decide(_BUILDS_SKILL, contrast_effect(per_run, sd_run, c, CONTROL, "skill_pre"))
        for c in ("big", "tiny", "worse")
    }
    assert verdicts == {"big": "shown", "tiny": "negligible", "worse": "opposite"}
    # a contrast between two strategies is the difference of their effects on the same scale
    assert contrast_effect(per_run, sd_run, "big", "worse", "skill_pre").estimate == pytest.approx(0.9, abs=0.03)


def test_tercile_gap_recovers_a_known_difference() -> None:
    from sim.comparison import gap_effect

    rows, sds = [], []
    for r in range(10):
        for t, gain in (("low", 0.6), ("middle", 0.3), ("high", 0.2)):
            rows.append({"condition": CONTROL, "replicate": r, "tercile": t, "efficacy_pre": 3.0 + r * 0.01})
            rows.append({"condition": "s", "replicate": r, "tercile": t, "efficacy_pre": 3.0 + r * 0.01 + gain})
        sds.append({"condition": CONTROL, "replicate": r, "efficacy_pre": 2.0})
    e = gap_effect(pd.DataFrame(rows), pd.DataFrame(sds), "s", "efficacy_pre")
    assert e.estimate == pytest.approx((0.6 - 0.2) / 2.0)
    assert e.lo == e.hi == pytest.approx(0.2)  # the same gap in every replicate: no spread


def test_profile_follows_the_verdict_rule() -> None:
    from sim.comparison import PROFILE_BELIEF, PROFILE_SKILL, PROFILE_SMALL, profile

    def row(skill: tuple[float, float], cal: tuple[float, float]) -> dict:
        return dict(
            skill_pre=sum(skill) / 2,
            skill_pre_lo=skill[0],
            skill_pre_hi=skill[1],
            calibration_pre=sum(cal) / 2,
            calibration_pre_lo=cal[0],
            calibration_pre_hi=cal[1],
        )

    assert profile(row((0.3, 0.5), (1.0, 1.2))) == PROFILE_SKILL
    assert profile(row((0.1, 0.3), (1.0, 1.2))) == PROFILE_BELIEF  # skill gain not shown: straddles 0.2
    assert profile(row((-0.1, 0.1), (0.1, 0.3))) == PROFILE_SMALL
