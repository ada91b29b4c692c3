"""Intervention strategies (sim/strategies.py), their comparison (sim/comparison.py), ``efficacy-sim compare`` and
``experiments/interventions.py`` in quick mode."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config import Config
from sim.errors import ConfigError
from sim.params import INTERVENTION_KINDS
from sim.strategies import CONTROL, load_library, splice_schedule

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


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
@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from sim import comparison as C

    lib = load_library()
    base = Config.default(agents=40, steps=40)
    design = C.make_design(lib, ["trophy", "peer_modelling"], base)
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
    from sim.engine import run_experiment

    res = run_experiment(exp, out=str(tmp_path_factory.mktemp("cmp") / "data"), executor="serial", progress=False)
    return design, res, C.analyse(res, design)


def test_strategy_against_itself_gives_exactly_zero(small) -> None:
    design, res, cmp = small
    o = cmp.outcomes
    a = o[o["condition"] == "trophy"].reset_index(drop=True)
    b = o[o["condition"] == "trophy_again"].reset_index(drop=True)
    pd.testing.assert_frame_equal(a.drop(columns="condition"), b.drop(columns="condition"))
    for v in ("efficacy_pre", "efficacy_final", "efficacy_drop", "calibration_pre"):
        c = cmp.contrast("trophy_again", "trophy", v)
        assert c["diff"] == 0.0 and c["lo"] == 0.0 and c["hi"] == 0.0, v
    # same learners at the start in every condition (terciles are comparable)
    init = o.pivot_table(index=["replicate", "agent"], columns="condition", values="initial_efficacy")
    assert (init.nunique(axis=1) == 1).all()


def test_table_has_every_strategy_with_intervals(small) -> None:
    design, res, cmp = small
    t = cmp.table
    assert sorted(t["strategy"]) == ["peer_modelling", "trophy"]
    for v in ("efficacy_pre", "efficacy_final", "skill_final", "calibration_pre", "efficacy_drop", "disengaged_final"):
        assert np.isfinite(t[[v, f"{v}_lo", f"{v}_hi"]].to_numpy()).all(), v
        assert ((t[f"{v}_lo"] <= t[v]) & (t[v] <= t[f"{v}_hi"])).all(), v
    # ranked by final efficacy; cost is the dose of one hook over the window (at most window length)
    assert list(t["efficacy_final"]) == sorted(t["efficacy_final"], reverse=True)
    assert ((t["cost"] > 0) & (t["cost"] <= design.end - design.start)).all()


# -- command line and experiment -------------------------------------------------------------------------------
def test_cli_compare_runs_and_refuses_bad_input(tmp_path: Path, capsys) -> None:
    from sim.cli import main

    out = tmp_path / "cmp"
    args = ["--agents", "30", "--steps", "40", "--replications", "3", "--executor", "serial", "--out", str(out)]
    assert main(["compare", "specific_persuasion", "generic_praise", *args]) == 0
    printed = capsys.readouterr().out
    assert "`specific_persuasion`" in printed and "`generic_praise`" in printed
    for f in ("table.md", "table.csv", "forest.png", "forest.svg", "trajectories.png", "terciles.csv"):
        assert (out / f).is_file(), f
    assert len(pd.read_csv(out / "table.csv")) == 2

    assert main(["compare", "nope", *args]) == 2
    err = capsys.readouterr().err
    assert "strategy = 'nope' is not allowed" in err and "peer_modelling" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('[strategies.x]\ninterventions = [{ kind = "peer_modelling", intensity = -1 }]\n')
    assert main(["compare", "--strategies", str(bad), "--list"]) == 2
    assert "strategies.x.interventions[0].intensity" in capsys.readouterr().err
    assert main(["compare", "--list"]) == 0
    assert "four_sources" in capsys.readouterr().out


def test_experiment_quick(tmp_path: Path) -> None:
    from experiments import interventions

    out = interventions.main(["--quick", "--executor", "serial", "--out", str(tmp_path / "iv"), "--seed", "1"])
    lib = load_library()
    t = pd.read_csv(out / "table.csv")
    assert set(t["strategy"]) == set(lib)
    assert np.isfinite(t[["efficacy_final_lo", "efficacy_final_hi"]].to_numpy()).all()
    timing = pd.read_csv(out / "timing.csv")
    assert timing["strategy"].str.contains("below").any() and timing["strategy"].str.contains("late").any()
    summary = (out / "summary.md").read_text()
    assert "pattern appeared:" in summary and "95% CI" in summary and "Provenance" in summary
    for stem in ("forest", "trajectories", "terciles", "timing_forest"):
        assert (out / f"{stem}.png").stat().st_size > 1000
        assert f"({stem}.png)" in summary
