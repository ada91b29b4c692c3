"""The experiment engine: design, validation, results store, common random numbers, statistics, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from sim.config import Config
from sim.engine import Experiment, Outputs, load_results, run_experiment
from sim.engine.design import build_design
from sim.engine.stats import bootstrap_ci, effect_size, paired_difference, summarise
from sim.engine.worker import AGENT_FIELDS, record_steps
from sim.errors import ConfigError
from sim.metrics import METRICS

REPO = Path(__file__).resolve().parent.parent
TABLES = ("runs", "series", "agents", "snapshots", "trajectories")


def small(**kw) -> Experiment:
    """12 runs x 30 agents x 20 steps: 2 efficacy levels x 2 conditions x 3 replications."""
    args = dict(
        name="small",
        base=Config.default(agents=30, steps=20),
        vary={"efficacy_mean": [2.0, 4.0]},
        conditions={"control": {}, "peer": {"interventions": [{"kind": "peer_modelling", "start": 3}]}},
        replications=3,
        seed=7,
        outputs=Outputs(every=5, final_agents=True, trajectories=4, snapshots=(0, 10)),
    )
    args.update(kw)
    return Experiment(**args)


def assert_same_results(a, b) -> None:
    for name in TABLES:
        assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)


@pytest.fixture(scope="module")
def res(tmp_path_factory):
    return run_experiment(small(), out=tmp_path_factory.mktemp("eng") / "small", executor="serial", progress=False)


# -- design and tables -------------------------------------------------------------------------
def test_design_points_and_run_index(res):
    runs = res.runs
    assert len(runs) == 12
    assert (runs["run"] == runs["point"] * 3 + runs["replicate"]).all()
    pts = runs.drop_duplicates("point").set_index("point")
    assert list(pts["efficacy_mean"]) == [2.0, 2.0, 4.0, 4.0]
    assert list(pts["condition"]) == ["control", "peer", "control", "peer"]
    assert (runs["seed"] == 7).all()
    design = build_design(small())
    assert design.points[1].config.interventions[0]["kind"] == "peer_modelling"
    assert design.points[2].config.params["efficacy_mean"] == 4.0
    assert not design.points[2].config.interventions


def test_tables_have_the_contract_columns_and_rows(res):
    s = res.series
    steps = record_steps(20, 5)
    assert steps == [0, 5, 10, 15, 20]
    assert len(s) == 12 * len(steps)
    assert list(s.columns[:5]) == ["run", "point", "condition", "replicate", "step"]
    # a varied path named like a metric keeps both: the metric and "<path>_varied"
    assert {"efficacy_mean", "efficacy_mean_varied", *METRICS} <= set(s.columns)
    assert (s.groupby("run")["step"].apply(list) == pd.Series([steps] * 12)).all()
    a = res.agents
    assert len(a) == 12 * 30 and {"agent", "efficacy_mean", *AGENT_FIELDS} <= set(a.columns)
    assert sorted(res.snapshots["step"].unique()) == [0, 10] and len(res.snapshots) == 2 * 12 * 30
    t = res.trajectories
    assert set(t["agent"]) == {0, 1, 2, 3} and sorted(t["step"].unique()) == steps
    assert list(t.columns[:6]) == ["run", "point", "condition", "replicate", "agent", "step"]
    # the last series row and the final agent table describe the same state
    last = s[s["step"] == 20].set_index("run")["efficacy_mean"]
    assert np.allclose(a.groupby("run")["efficacy"].mean(), last)
    # snapshot at step 0 is the initial state
    s0 = res.snapshots[res.snapshots["step"] == 0]
    assert (s0["attempts"] == 0).all() and np.array_equal(s0["efficacy"], s0["initial_efficacy"])


def test_manifest_records_provenance(res):
    m = json.loads((res.path / "manifest.json").read_text())
    assert m["hash"] == small().digest() and m["seed"] == 7
    assert m["complete"] and sorted(m["chunks_done"]) == list(range(m["chunks"]))
    assert m["versions"]["numpy"] == np.__version__
    assert m["started"] and m["finished"] and m["sessions"][0]["finished"]
    assert Experiment.from_dict(m["experiment"]).digest() == m["hash"]


# -- reproducibility and common random numbers ------------------------------------------------
def test_a_run_alone_equals_the_run_in_the_sweep(res):
    from sim.model import EfficacyModel

    run = 10  # point 3 (efficacy 4, peer), replicate 1
    point, rep = build_design(small()).run(run)
    m = EfficacyModel(point.config, rng=7, run_index=rep)
    for _ in range(20):
        m.step()
    alone = m.datacollector.get_model_vars_dataframe().iloc[record_steps(20, 5)].reset_index(drop=True)
    swept = res.series[res.series["run"] == run].reset_index(drop=True)
    for k in METRICS:
        np.testing.assert_array_equal(swept[k].to_numpy(), alone[k].to_numpy(), err_msg=k)
    fin = res.agents[res.agents["run"] == run]
    np.testing.assert_array_equal(fin["efficacy"].to_numpy(), m.batch.state.efficacy[0])


def test_chunking_does_not_change_results(res, tmp_path):
    one = run_experiment(small(), out=tmp_path / "one", executor="serial", chunk_runs=1, progress=False)
    assert one.manifest["chunks"] == 12
    assert_same_results(res, one)


def test_condition_compared_with_itself_gives_exactly_zero(tmp_path):
    exp = small(vary={}, conditions={"control": {}, "same": {}}, replications=5)
    r = run_experiment(exp, out=tmp_path / "crn", executor="serial", progress=False)
    fin = r.series[r.series["step"] == 20]
    d = paired_difference(fin, "efficacy_mean", "same", "control")
    assert d.loc[0, "mean"] == 0.0 and d.loc[0, "lo"] == 0.0 and d.loc[0, "d_z"] == 0.0 and d.loc[0, "n"] == 5
    # ... while replicates differ from each other
    assert fin.groupby("condition")["efficacy_mean"].nunique().eq(5).all()


# -- results folder ---------------------------------------------------------------------------
def test_rerun_computes_nothing_and_changed_config_is_refused(res, tmp_path):
    out = tmp_path / "f"
    first = run_experiment(small(), out=out, executor="serial", progress=False)
    again = run_experiment(small(), out=out, executor="serial", progress=False)
    assert again.manifest["sessions"][-1]["chunks_computed"] == 0
    assert_same_results(first, again)
    changed = small(replications=4)
    with pytest.raises(ConfigError, match=r"out = .*changed: replications; .*new_folder=True"):
        run_experiment(changed, out=out, executor="serial", progress=False)
    assert load_results(out).manifest["hash"] == small().digest()  # untouched
    new = run_experiment(changed, out=out, executor="serial", progress=False, new_folder=True)
    assert new.path == tmp_path / "f-2" and len(new.runs) == 16


def test_reordered_conditions_are_a_different_experiment():
    # the order fixes the point and run indices, so results of the two must never be mixed
    swapped = small(conditions=dict(reversed(list(small().conditions.items()))))
    assert swapped.digest() != small().digest()
    assert Experiment.from_dict(small().to_dict()).digest() == small().digest()


def test_load_results_of_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="manifest"):
        load_results(tmp_path / "nothing")


# -- validation before any run ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"vary": {"lern_rate": [0.1]}}, r"vary = 'lern_rate'.*did you mean 'learn_rate'"),
        ({"vary": {"learn_rate": [0.1, 2.0]}}, r"vary\.learn_rate = 2\.0 .*\[0, 1\]"),
        ({"vary": {"learn_rate": []}}, r"vary\.learn_rate = \[\].*non-empty"),
        ({"sampler": {"method": "latin", "n": 4}}, r"sampler\.bounds = None.*needs bounds"),
        (
            {"sampler": {"method": "latin", "n": 4, "bounds": {"learn_rate": [0.1, 3]}}},
            r"sampler\.bounds\.learn_rate = 3",
        ),
        ({"sampler": {"method": "grid", "n": 4, "bounds": {"learn_rate": [0.1, 0.3]}}}, r"sampler\.method = 'grid'"),
        ({"conditions": {"x": {"shocks[0].stp": 3}}}, r"did you mean 'step'"),
        ({"replications": 0}, r"replications = 0"),
        ({"outputs": Outputs(snapshots=(50,))}, r"outputs\.snapshots = 50"),
    ],
)
def test_bad_experiments_are_refused(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        small(**kwargs)


def test_every_design_point_is_validated_before_any_run(tmp_path):
    # shocks[0].step = 25 is a valid value alone but not for a 20-step run
    exp = small(base=Config.default(agents=30, steps=20, shocks=[{"step": 5}]), vary={"shocks[0].step": [5, 25]})
    with pytest.raises(ConfigError, match=r"shocks\[0\]\.step = 25.*design point"):
        run_experiment(exp, out=tmp_path / "bad", executor="serial", progress=False)
    assert not (tmp_path / "bad").exists()


def test_experiment_file_unknown_key_is_refused_with_suggestion(tmp_path):
    f = tmp_path / "e.toml"
    f.write_text("replicatons = 3\n[base]\nagents = 10\n")
    with pytest.raises(ConfigError, match=r"replicatons.*did you mean 'replications'"):
        Experiment.from_toml(f)
    f.write_text("[base]\nagents = 10\n[outputs]\nevery = 2\nfinal_agent = true\n")
    with pytest.raises(ConfigError, match=r"outputs = 'final_agent'.*did you mean 'final_agents'"):
        Experiment.from_toml(f)


def test_example_experiment_file_is_valid():
    from sim.engine.run import describe

    exp = Experiment.from_toml(REPO / "experiments" / "example_sweep.toml")
    size = describe(exp)
    assert size["points"] == 3 * 2 * 2 and size["runs"] == 12 * exp.replications


def test_samplers_stay_in_bounds_and_round_integers():
    bounds = {"learn_rate": [0.02, 0.2], "network_degree": [2, 10]}
    for method, n, expected in (("latin", 6, 6), ("sobol", 4, 4 * (2 + 2)), ("morris", 3, 3 * 3)):
        exp = small(vary={}, conditions={}, sampler={"method": method, "n": n, "bounds": bounds})
        d = build_design(exp)
        assert len(d.points) == expected
        lr = np.array([p.values["learn_rate"] for p in d.points])
        deg = [p.values["network_degree"] for p in d.points]
        assert ((lr >= 0.02) & (lr <= 0.2)).all() and all(isinstance(v, int) and 2 <= v <= 10 for v in deg)
        assert [p.config.params["learn_rate"] for p in d.points] == list(lr)
    # the same seed gives the same design
    exp = small(vary={}, sampler={"method": "latin", "n": 5, "bounds": bounds})
    assert [p.values for p in build_design(exp).points] == [p.values for p in build_design(exp).points]


# -- statistics ---------------------------------------------------------------------------------
def test_summarise_and_effect_sizes():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"g": np.repeat(["a", "b"], 200), "v": np.r_[rng.normal(0, 1, 200), rng.normal(2, 1, 200)]})
    s = summarise(df, by="g", value="v", n_boot=999).set_index("g")
    assert s.loc["a", "lo"] < 0 < s.loc["a", "hi"] and s.loc["b", "lo"] < 2 < s.loc["b", "hi"]
    assert s.loc["a", "hi"] - s.loc["a", "lo"] == pytest.approx(2 * 1.96 / np.sqrt(200), rel=0.25)
    assert effect_size(np.array([1.0, 2, 3]), np.array([0.0, 1, 2])) == pytest.approx(1.0)  # pooled sd 1
    assert effect_size(np.array([1.0, 2, 4]), np.array([0.0, 1, 2]), paired=True) == pytest.approx(
        np.mean([1, 1, 2]) / np.std([1, 1, 2], ddof=1)
    )
    assert np.isnan(bootstrap_ci(np.array([1.0]))[0])


def test_paired_difference_uses_the_pairing():
    # a large shared replicate effect, a small consistent condition effect: pairing finds it
    rep = np.arange(10)
    rng = np.random.default_rng(1)
    shared, noise = rng.normal(0, 5, 10), rng.normal(0, 0.1, 10)
    df = pd.DataFrame(
        {
            "condition": ["control"] * 10 + ["t"] * 10,
            "replicate": np.r_[rep, rep],
            "v": np.r_[shared, shared + 0.5 + noise],
        }
    )
    d = paired_difference(df, "v", "t", "control").iloc[0]
    diff = 0.5 + noise
    assert d["mean"] == pytest.approx(diff.mean()) and d["lo"] > 0.3 and d["lo"] < d["mean"] < d["hi"]
    assert d["d_z"] == pytest.approx(diff.mean() / diff.std(ddof=1)) and d["d_z"] > 3
    assert abs(d["d"]) < 0.3  # unpaired d is swamped by the replicate spread
    # `condition` may also name the column holding the conditions
    d2 = paired_difference(df.rename(columns={"condition": "arm"}), "v", condition="arm", control="control")
    assert d2.loc[0, "arm"] == "t" and d2.loc[0, "mean"] == pytest.approx(diff.mean())
    with pytest.raises(ValueError, match="several rows"):
        paired_difference(pd.concat([df, df]), "v", "t", "control")


# -- command line -------------------------------------------------------------------------------
def test_cli_sweep(tmp_path, capsys):
    from sim.cli import main

    f = tmp_path / "e.toml"
    f.write_text(
        'name = "clitest"\nreplications = 2\n[base]\nagents = 20\nsteps = 10\n[vary]\nlearn_rate = [0.05, 0.1]\n'
    )
    out = tmp_path / "r"
    assert main(["sweep", str(f), "--out", str(out), "--executor", "serial", "--no-progress"]) == 0
    assert len(load_results(out).series) == 4 * 11
    f.write_text('name = "clitest"\nreplications = 3\n[base]\nagents = 20\nsteps = 10\n')
    assert main(["sweep", str(f), "--out", str(out), "--executor", "serial", "--no-progress"]) == 2
    assert "--new-folder" in capsys.readouterr().err
    f.write_text("[vary]\nlearn_rate = [0.05, 7]\n")
    assert main(["sweep", str(f), "--dry-run"]) == 2
    assert "vary.learn_rate = 7" in capsys.readouterr().err
