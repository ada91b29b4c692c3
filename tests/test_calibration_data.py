"""The data side of calibration: the panel format and its checks, the summary statistics, the design, the targets file.

The statistics are checked on synthetic panels with known answers and against the readable pandas
versions the longitudinal experiment reports; every kind of bad input gets one line naming the
field, the value and what is allowed. No test asks the model for a particular finding.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration import design as dg
from sim.calibration import panel as pn
from sim.calibration import summaries as sm
from sim.calibration import targets as tg
from sim.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "results" / "longitudinal" / "panel.csv"


def refused(fn, *args, **kw) -> str:
    """``fn`` raises a one-line ConfigError; its message."""
    with pytest.raises(ConfigError) as err:
        fn(*args, **kw)
    msg = str(err.value)
    assert "\n" not in msg and len(msg) < 2_000, msg
    return msg


def toy_panel(n: int = 400, waves: int = 4, seed: int = 0, studies: int = 1) -> pd.DataFrame:
    """A panel with efficacy and performance that carry a stable trait and lagged effects (scores within 0-100)."""
    rng = np.random.default_rng(seed)
    frames = []
    for s in range(studies):
        trait = rng.normal(size=n)
        e, p = trait + rng.normal(size=n), trait + rng.normal(size=n)
        for w in range(waves):
            frames.append(
                pd.DataFrame(
                    dict(study=s, agent=np.arange(n), wave=w, step=10 * w)
                    | dict(efficacy_report=np.clip(50 + 10 * e, 0, 100), test_score=np.clip(50 + 10 * p, 0, 100))
                )
            )
            e, p = 0.5 * e + 0.3 * p + rng.normal(size=n), 0.6 * p + 0.1 * e + rng.normal(size=n)
    return pd.concat(frames, ignore_index=True)


# ---- summaries ---------------------------------------------------------------------------------------------
def test_summarise_agrees_with_the_pandas_versions() -> None:
    panel = toy_panel(studies=3)
    s = sm.summarise(panel)
    assert list(s.columns) == sm.statistic_names(4) and list(s.index) == [0, 1, 2]
    br = sm.between_person_r(panel, "efficacy_report", "test_score").set_index("study")["r"]
    np.testing.assert_allclose(s["between_r"], br, rtol=1e-10)
    paths = sm.per_study_paths(sm.cross_lagged(panel, "efficacy_report", "test_score")).set_index("study")
    for col in ("E_to_P", "P_to_E", "E_stability", "P_stability"):
        np.testing.assert_allclose(s[col], paths[col], rtol=1e-8, err_msg=col)
    cs = sm.cross_sectional_r(panel, "efficacy_report", "test_score")
    for w in range(4):
        np.testing.assert_allclose(s[f"r_w{w}"], cs[cs["wave"] == w]["r"], rtol=1e-10)
    g = panel.groupby(["study", "wave"])["test_score"]
    np.testing.assert_allclose(s["sd_performance_w2"], g.std().xs(2, level="wave"), rtol=1e-10)


def test_shipped_targets_load() -> None:
    t = tg.load_targets(tg.SHIPPED_TARGETS)
    assert t.statistic_names == ("r_mean", "P_to_E", "E_to_P")
    assert all(x.se > 0 for x in t.targets) and t.design.agents == 300 and t.design.steps == 40


def test_export_of_the_longitudinal_experiment_is_a_valid_panel() -> None:
    df = pn.read_panel(EXPORT)
    assert list(df.columns) == list(pn.PANEL_COLUMNS) and len(df) == pd.read_csv(EXPORT).shape[0]


def test_design_builds_the_base_config() -> None:
    d = dg.StudyDesign(agents=50, waves=3, wave_every=7, fixed={"learn_rate": 0.1})
    cfg = d.base_config(seed=4)
    assert (cfg.agents, cfg.steps, cfg.seed, cfg.params["learn_rate"]) == (50, 14, 4, 0.1)
    assert dg.StudyDesign.from_mapping(d.to_dict()) == d
    # designs travel to worker processes: they pickle, hash, and their fixed values are read-only
    import pickle

    assert pickle.loads(pickle.dumps(d)) == d and hash(d) == hash(dg.StudyDesign.from_mapping(d.to_dict()))
    with pytest.raises(TypeError):
        d.fixed["learn_rate"] = 0.2  # type: ignore[index]
    t = tg.load_targets(tg.SHIPPED_TARGETS)
    assert pickle.loads(pickle.dumps(t)) == t


def test_summarise_recovers_known_paths_and_correlations() -> None:
    """Two waves built with known standardised paths and correlation: the statistics return them."""
    rng = np.random.default_rng(3)
    n, e_to_p, p_to_e, rho = 20_000, 0.1, 0.3, 0.4
    e0 = rng.normal(size=n)
    p0 = rho * e0 + np.sqrt(1 - rho**2) * rng.normal(size=n)
    e1 = 0.5 * e0 + p_to_e * p0 + rng.normal(0, 0.7, n)
    p1 = 0.6 * p0 + e_to_p * e0 + rng.normal(0, 0.7, n)
    base = dict(agent=np.arange(n))
    panel = pd.concat(
        [
            pd.DataFrame(base | dict(wave=0, efficacy_report=e0, test_score=p0)),
            pd.DataFrame(base | dict(wave=1, efficacy_report=e1, test_score=p1)),
        ]
    )
    s = sm.summarise(panel).iloc[0]
    sd = lambda a: np.std(a, ddof=1)  # noqa: E731 - the paths are standardised betas: raw betas x SD ratios
    assert s["P_to_E"] == pytest.approx(p_to_e * sd(p0) / sd(e1), abs=0.02)
    assert s["E_to_P"] == pytest.approx(e_to_p * sd(e0) / sd(p1), abs=0.02)
    assert s["E_stability"] == pytest.approx(0.5 * sd(e0) / sd(e1), abs=0.02)
    assert s["r_w0"] == pytest.approx(rho, abs=0.02) and s["r_first"] == s["r_w0"] and s["r_last"] == s["r_w1"]
    assert s["r_mean"] == pytest.approx((s["r_w0"] + s["r_w1"]) / 2)
    assert s["mean_efficacy_w0"] == pytest.approx(0, abs=0.03) and s["sd_efficacy_w0"] == pytest.approx(1, abs=0.02)
    assert s["dropout_w1"] == 0


def test_within_person_paths_remove_stable_differences() -> None:
    """A stable trait behind both scores makes the usual paths positive; learner-centring removes them."""
    rng = np.random.default_rng(2)
    n, waves = 4000, 10
    trait = rng.normal(size=n)
    panel = pd.concat(
        [
            pd.DataFrame(
                dict(agent=np.arange(n), wave=w, efficacy_report=trait + rng.normal(size=n))
                | dict(test_score=trait + rng.normal(size=n))
            )
            for w in range(waves)
        ]
    )
    s = sm.summarise(panel).iloc[0]
    assert s["E_to_P"] > 0.2 and s["P_to_E"] > 0.2
    assert abs(s["E_to_P_within"]) < 0.05 and abs(s["P_to_E_within"]) < 0.05
    assert s["between_r"] > 0.8 > s["r_mean"]  # means over 10 waves average the noise away


def test_dropout_by_missing_rows_or_disengaged_flag_is_the_same() -> None:
    panel = toy_panel(n=200, waves=3)
    rng = np.random.default_rng(5)
    gone = (panel["wave"] > 0) & (rng.random(len(panel)) < 0.2)
    flagged = panel.assign(disengaged=gone.astype(int))
    dropped = panel[~gone]
    a, b = sm.summarise(flagged), sm.summarise(dropped)
    pd.testing.assert_frame_equal(a, b)
    assert a["dropout_w1"].iloc[0] == pytest.approx(gone[panel["wave"] == 1].mean())
    # with the flag ignored, every row counts (the experiment's association table does this)
    assert sm.summarise(flagged, exclude_disengaged=False)["dropout_w1"].iloc[0] == 0
    # the pandas versions agree on the panel with the dropouts removed
    paths = sm.per_study_paths(sm.cross_lagged(dropped, "efficacy_report", "test_score")).iloc[0]
    for col in ("E_to_P", "P_to_E", "E_stability", "P_stability"):
        assert a[col].iloc[0] == pytest.approx(paths[col], rel=1e-8), col
    br = sm.between_person_r(dropped, "efficacy_report", "test_score")["r"].iloc[0]
    assert a["between_r"].iloc[0] == pytest.approx(br, rel=1e-10)


def test_summarise_matches_the_experiment_on_its_export() -> None:
    """The exported panel, every row counted: the experiment's own pandas statistics, to rounding."""
    df = pn.read_panel(EXPORT)
    s = sm.summarise(df, exclude_disengaged=False).iloc[0]
    paths = sm.per_study_paths(sm.cross_lagged(df, "efficacy_report", "test_score")).iloc[0]
    for col in ("E_to_P", "P_to_E", "E_stability", "P_stability"):
        assert s[col] == pytest.approx(paths[col], rel=1e-8), col
    within = sm.per_study_paths(sm.cross_lagged(df, "efficacy_report", "test_score", within=True)).iloc[0]
    assert s["E_to_P_within"] == pytest.approx(within["E_to_P"], rel=1e-8)
    cs = sm.cross_sectional_r(df, "efficacy_report", "test_score")
    assert s["r_mean"] == pytest.approx(cs["r"].mean(), rel=1e-10)
    # course grade as the performance measure: empty at wave 0, so that wave has no statistics
    g = sm.summarise(df, performance="course_grade", exclude_disengaged=False).iloc[0]
    assert np.isnan(g["r_w0"]) and np.isfinite(g["r_w1"]) and np.isfinite(g["P_to_E"])


def test_summarise_is_fast_enough_for_calibration() -> None:
    """Thousands of simulated studies of 300 learners x 5 waves: well under a millisecond each (generous bound)."""
    import time

    studies, n, waves = 2000, 300, 5
    rng = np.random.default_rng(0)
    e, p = rng.normal(50, 10, (2, studies, n, waves))
    t0 = time.perf_counter()
    out = sm.summarise_arrays(e, p)
    assert time.perf_counter() - t0 < 10 and out["r_mean"].shape == (studies,)


def test_studies_of_different_sizes_are_summarised_separately() -> None:
    a, b = toy_panel(n=300, seed=1), toy_panel(n=120, seed=2).assign(study=7)
    both = sm.summarise(pd.concat([a, b]))
    pd.testing.assert_series_equal(both.loc[7], sm.summarise(b).loc[7])
    pd.testing.assert_series_equal(both.loc[0], sm.summarise(a).loc[0])


# ---- targets from a panel -------------------------------------------------------------------------------
def test_targets_from_panel_bootstrap_se_matches_sampling_theory() -> None:
    """The bootstrap SE of a correlation is about (1 - r^2) / sqrt(n); the design comes from the panel."""
    panel = toy_panel(n=400, waves=4)
    t = tg.targets_from_panel(panel, seed=1, statistics=["r_w0", "mean_efficacy_w0", "dropout_w3"])
    got = {x.name: x for x in t.targets}
    r = got["r_w0"].value
    assert got["r_w0"].se == pytest.approx((1 - r**2) / np.sqrt(400), rel=0.25)
    sd0 = panel.loc[panel["wave"] == 0, "efficacy_report"].std()
    assert got["mean_efficacy_w0"].se == pytest.approx(sd0 / np.sqrt(400), rel=0.25)
    assert got["dropout_w3"].value == 0 and got["dropout_w3"].se == pytest.approx(1 / 400)
    assert (t.design.agents, t.design.waves, t.design.wave_every) == (400, 4, 10)
    assert t.priors == tg.default_priors()
    again = tg.targets_from_panel(panel, seed=1, statistics=["r_w0", "mean_efficacy_w0", "dropout_w3"])
    assert again == t  # seeded


def test_targets_from_panel_defaults_and_round_trip(tmp_path: Path) -> None:
    panel = toy_panel(n=150, waves=3).assign(step=lambda d: 7 * d["wave"])
    t = tg.targets_from_panel(panel, priors=[tg.Prior("learn_rate", 0.01, 0.3)])
    assert t.statistic_names == tg.default_panel_statistics(3) and t.design.wave_every == 7
    f = tmp_path / "mine.toml"
    f.write_text(tg.targets_to_toml(t), encoding="utf-8")
    back = tg.load_targets(f)
    assert back == t


def test_shipped_targets_round_trip(tmp_path: Path) -> None:
    t = tg.load_targets(tg.SHIPPED_TARGETS)
    f = tmp_path / "copy.toml"
    f.write_text(tg.targets_to_toml(t), encoding="utf-8")
    assert tg.load_targets(f) == t
    assert t.priors == tg.default_priors() and all(p.kind == "uniform" for p in t.priors)


# ---- bad input: panels -------------------------------------------------------------------------------------
def _edit(fn):
    def make() -> pd.DataFrame:
        df = toy_panel(n=30, waves=3).drop(columns="study")
        return fn(df)

    return make


def _set(df: pd.DataFrame, row: int, col: str, value) -> pd.DataFrame:
    df = df.astype({col: object if isinstance(value, str) else float})
    df.loc[row, col] = value
    return df


BAD_PANELS = {
    "missing column": (_edit(lambda d: d.drop(columns="test_score")), ["panel columns", "'test_score'", "agent, wave"]),
    "misnamed column": (
        _edit(lambda d: d.rename(columns={"efficacy_report": "efficacy_reprot"})),
        ["'efficacy_report'", "did you mean 'efficacy_reprot'"],
    ),
    "misnamed, other case": (_edit(lambda d: d.rename(columns={"test_score": "Test_Score"})), ["did you mean"]),
    "text in a score": (_edit(lambda d: _set(d, 4, "test_score", "n/a")), ["panel.test_score (row 5", "'n/a'"]),
    "empty score": (
        _edit(lambda d: _set(d, 7, "efficacy_report", np.nan)),
        ["panel.efficacy_report (row 8", "nan", "in every row"],
    ),
    "score out of range": (_edit(lambda d: _set(d, 2, "test_score", 140.0)), ["row 3", "140", "[0, 100]"]),
    "fractional agent": (_edit(lambda d: _set(d, 0, "agent", 1.5)), ["panel.agent (row 1", "whole number"]),
    "negative wave": (_edit(lambda d: _set(d, 3, "wave", -1)), ["panel.wave (row 4", "whole number >= 0"]),
    "one wave only": (_edit(lambda d: d[d["wave"] == 0]), ["panel.wave = [0]", "at least two waves"]),
    "waves from 1": (_edit(lambda d: d.assign(wave=d["wave"] + 1)), ["[1, 2, 3]", "numbered 0, 1, 2"]),
    "waves out of order": (
        _edit(lambda d: pd.concat([d[d["wave"] == 2], d[d["wave"] < 2]], ignore_index=True)),
        ["panel.wave (row 31: agent 0, wave 0)", "wave 0 after wave 2", "increasing order"],
    ),
    "wave twice": (
        _edit(lambda d: pd.concat([d, d.iloc[[5]]], ignore_index=True)),
        ["panel.wave (row 91: agent 5, wave 0)", "wave 0 twice"],
    ),
    "steps go back": (_edit(lambda d: _set(d, 40, "step", 0)), ["panel.step (row 41: agent 10, wave 1)", "increase"]),
    "disengaged not 0/1": (_edit(lambda d: d.assign(disengaged=np.where(d.index == 9, 2, 0))), ["row 10", "0 or 1"]),
    "too few learners": (_edit(lambda d: d[d["agent"] < 5]), ["5 learners", "at least 10"]),
    "no rows": (_edit(lambda d: d.iloc[:0]), ["no rows"]),
    "duplicate column names": (_edit(lambda d: d.rename(columns={"step": "wave"})), ["each column name once"]),
}


@pytest.mark.parametrize("case", list(BAD_PANELS))
def test_bad_panel_is_one_line_naming_the_problem(case: str) -> None:
    make, words = BAD_PANELS[case]
    msg = refused(pn.check_panel, make())
    for w in words:
        assert w in msg, (w, msg)


def test_text_learner_ids_are_numbered() -> None:
    df = toy_panel(n=12, waves=2)
    named = df.assign(agent="S" + df["agent"].astype(str).str.zfill(3), study="school A")
    out = pn.check_panel(named)
    assert out["agent"].nunique() == 12 and out["agent"].dtype == np.int64 and set(out["study"]) == {0}
    assert out.groupby("agent")["agent_id"].nunique().eq(1).all() and out["agent_id"].iloc[0] == "S000"
    pd.testing.assert_frame_equal(sm.summarise(out), sm.summarise(df))
    named.loc[5, "agent"] = None
    assert "panel.agent (row 6: study school A, agent nan, wave 0)" in refused(pn.check_panel, named)


def test_not_a_table_is_refused() -> None:
    assert "DataFrame" in refused(pn.check_panel, [[1, 2]])


def test_good_panel_is_normalised() -> None:
    """Shuffled learners (each in wave order) are fine; study is added; keys become integers."""
    df = toy_panel(n=30, waves=3).drop(columns="study")
    shuffled = df.sample(frac=1, random_state=0).sort_values("wave", kind="mergesort")
    out = pn.check_panel(shuffled.assign(agent=shuffled["agent"].astype(float)))
    assert list(out.columns[:3]) == ["study", "agent", "wave"] and out["agent"].dtype == np.int64
    want = df.sort_values(["agent", "wave"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(out.drop(columns="study"), want, check_dtype=False)


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("missing.csv", None, ["an existing CSV or Parquet file"]),
        ("panel.xlsx", b"agent,wave\n", ["a .csv or .parquet file"]),
        ("binary.csv", bytes(range(256)) * 8, ["a readable CSV"]),
        ("empty.csv", b"", ["a readable CSV"]),
        ("broken.parquet", b"PAR1 not really", ["a readable Parquet file"]),
        ("header.csv", b"agent,wave,efficacy_report,test_score\n", ["no rows"]),
    ],
)
def test_bad_panel_file_is_one_line(tmp_path: Path, name: str, content: bytes | None, words: list[str]) -> None:
    f = tmp_path / name
    if content is not None:
        f.write_bytes(content)
    msg = refused(pn.read_panel, f)
    assert all(w in msg for w in words), msg


def test_panel_file_round_trip_csv_and_parquet(tmp_path: Path) -> None:
    df = toy_panel(n=20, waves=2)
    df.to_csv(tmp_path / "p.csv", index=False)
    df.to_parquet(tmp_path / "p.parquet", index=False)
    a, b = pn.read_panel(tmp_path / "p.csv"), pn.read_panel(tmp_path / "p.parquet")
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    bad = df.astype({"test_score": object})
    bad.loc[3, "test_score"] = "ten"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    msg = refused(pn.read_panel, tmp_path / "bad.csv")
    assert msg.startswith("bad.csv: test_score (row 4: study 0, agent 3, wave 0) = 'ten'"), msg
    deep = tmp_path / ("a-long-folder-name-" * 6) / ("b" * 60)
    deep.mkdir(parents=True)
    (deep / "bad.csv").write_bytes((tmp_path / "bad.csv").read_bytes())
    assert "(row 4: study 0, agent 3, wave 0) = 'ten'" in refused(pn.read_panel, deep / "bad.csv")


# ---- bad input: targets files and designs ----------------------------------------------------------------------
GOOD = """
name = "mine"
[design]
agents = 100
waves = 3
[[priors]]
name = "optimism_sd"
[[targets]]
name = "r_mean"
value = 0.38
se = 0.07
"""

BAD_TARGETS = {
    "no se": (GOOD.replace("se = 0.07\n", ""), "targets[0].se = None", "standard error > 0"),
    "zero se": (GOOD.replace("se = 0.07", "se = 0"), "targets[0].se = 0", "uncertainty"),
    "negative se": (GOOD.replace("se = 0.07", "se = -0.1"), "targets[0].se = -0.1", "> 0"),
    "nan se": (GOOD.replace("se = 0.07", "se = nan"), "targets[0].se = nan", "> 0"),
    "text value": (GOOD.replace("value = 0.38", 'value = "high"'), "targets[0].value = 'high'", "finite number"),
    "unknown statistic": (GOOD.replace('"r_mean"', '"r_maen"'), "targets[0].name = 'r_maen'", "did you mean 'r_mean'"),
    "wave beyond design": (GOOD.replace('"r_mean"', '"r_w3"'), "targets[0].name = 'r_w3'", "from 0 to 2"),
    "dropout at wave 0": (GOOD.replace('"r_mean"', '"dropout_w0"'), "targets[0].name = 'dropout_w0'", "from 1 to 2"),
    "unknown target key": (GOOD.replace("se = 0.07", "se = 0.07\nsd = 1"), "targets[0] = 'sd'", "did you mean 'se'"),
    "no targets": (GOOD[: GOOD.index("[[targets]]")], "targets = []", "at least one target"),
    "duplicate target": (GOOD + GOOD[GOOD.index("[[targets]]") :], "targets = ['r_mean']", "each statistic once"),
    "unknown parameter": (
        GOOD.replace('"optimism_sd"', '"optimsm_sd"'),
        "priors[0].name = 'optimsm_sd'",
        "'optimism_sd'",
    ),
    "switch as prior": (GOOD.replace('"optimism_sd"', '"use_mastery"'), "priors[0].name = 'use_mastery'", "continuous"),
    "prior above range": (
        GOOD.replace('name = "optimism_sd"', 'name = "optimism_sd"\nhigh = 9'),
        "priors.optimism_sd.high = 9",
        "declared range [0, 5]",
    ),
    "prior below range": (
        GOOD.replace('name = "optimism_sd"', 'name = "optimism_sd"\nlow = -1'),
        "priors.optimism_sd.low = -1",
        "declared range",
    ),
    "prior reversed": (
        GOOD.replace('name = "optimism_sd"', 'name = "optimism_sd"\nlow = 2\nhigh = 1'),
        "priors.optimism_sd.high = 1",
        "above low = 2",
    ),
    "normal without sd": (
        GOOD.replace('name = "optimism_sd"', 'name = "optimism_sd"\nkind = "normal"\nmean = 1'),
        "priors.optimism_sd.sd = None",
        "> 0",
    ),
    "unknown prior kind": (
        GOOD.replace('name = "optimism_sd"', 'name = "optimism_sd"\nkind = "beta"'),
        "priors.optimism_sd.kind = 'beta'",
        "'uniform', 'normal'",
    ),
    "prior twice": (GOOD + '[[priors]]\nname = "optimism_sd"\n', "priors = ['optimism_sd']", "each parameter once"),
    "free and fixed": (
        GOOD.replace("waves = 3", "waves = 3\nfixed = {optimism_sd = 1.0}"),
        "design.fixed = ['optimism_sd']",
        "not also free",
    ),
    "fixed unknown": (
        GOOD.replace("waves = 3", "waves = 3\nfixed = {learnrate = 0.1}"),
        "design.fixed = 'learnrate'",
        "did you mean 'learn_rate'",
    ),
    "fixed out of range": (
        GOOD.replace("waves = 3", "waves = 3\nfixed = {learn_rate = 2}"),
        "design.fixed.learn_rate = 2",
        "[0, 1]",
    ),
    "one wave": (GOOD.replace("waves = 3", "waves = 1"), "design.waves = 1", "[2, 100]"),
    "few agents": (GOOD.replace("agents = 100", "agents = 3"), "design.agents = 3", "whole number in [10,"),
    "unknown design key": (GOOD.replace("waves = 3", "waves = 3\nwave_evry = 5"), "design = 'wave_evry'", "wave_every"),
    "bad instrument": (
        GOOD.replace("waves = 3", "waves = 3\ninstruments = {self_report_reliability = 1.5}"),
        "measurement.self_report_reliability = 1.5",
        "",
    ),
    "missing scenario": (GOOD.replace("waves = 3", 'waves = 3\nscenario = "nope"'), "scenario = 'nope'", "shipped"),
    "unknown top key": ("target = 1\n" + GOOD, "targets file = 'target'", "did you mean 'targets'"),
    "malformed TOML": (GOOD + "\n[[targets]\n", "targets = ", "valid TOML"),
}


@pytest.mark.parametrize("case", list(BAD_TARGETS))
def test_bad_targets_file_is_one_line(tmp_path: Path, case: str) -> None:
    text, start, words = BAD_TARGETS[case]
    f = tmp_path / "t.toml"
    f.write_text(text, encoding="utf-8")
    msg = refused(tg.load_targets, f)
    assert start in msg and words in msg, msg


def test_good_targets_file_loads(tmp_path: Path) -> None:
    f = tmp_path / "t.toml"
    f.write_text(GOOD, encoding="utf-8")
    t = tg.load_targets(f)
    assert t.priors == (tg.Prior("optimism_sd", 0.0, 5.0),) and t.design.waves == 3 and t.design.agents == 100
    f.write_text(GOOD.replace('[[priors]]\nname = "optimism_sd"\n', ""), encoding="utf-8")
    assert tg.load_targets(f).priors == tg.default_priors()  # no [[priors]]: the default free parameters


def test_prior_from_param_and_its_errors() -> None:
    assert tg.prior_from_param("learn_rate") == tg.Prior("learn_rate", 0.0, 1.0)
    assert "did you mean 'learn_rate'" in refused(tg.prior_from_param, "lern_rate")
    assert "continuous" in refused(tg.prior_from_param, "disengage_after")
    n = tg.Prior("learn_rate", 0.0, 0.5, "normal", 0.1, 0.05)
    assert (n.mean, n.sd) == (0.1, 0.05)
    assert "priors.learn_rate.mean = 0.7" in refused(tg.Prior, "learn_rate", 0.0, 0.5, "normal", 0.7, 0.05)


def test_panel_statistic_errors() -> None:
    panel = toy_panel(n=50, waves=3)
    assert "did you mean 'between_r'" in refused(tg.targets_from_panel, panel, statistics=["betwen_r"])
    flat = panel.assign(test_score=50.0)  # no spread: no correlation to fit
    assert "statistics (r_w0)" in refused(tg.targets_from_panel, flat, statistics=["r_w0"])
    assert "bootstrap = 5" in refused(tg.targets_from_panel, panel, bootstrap=5)


@pytest.mark.parametrize(
    "kw, start",
    [
        (dict(waves=1), "design.waves = 1"),
        (dict(agents=2.5), "design.agents = 2.5"),
        (dict(wave_every=0), "design.wave_every = 0"),
        (dict(fixed={"learn_rat": 0.1}), "design.fixed = 'learn_rat'"),
        (dict(scenario=""), "design.scenario = ''"),
    ],
)
def test_bad_design_is_one_line(kw: dict, start: str) -> None:
    assert refused(dg.StudyDesign, **kw).startswith(start)


def test_design_with_a_shipped_scenario_and_an_unfitting_one() -> None:
    d = dg.StudyDesign.from_mapping({"scenario": "adaptive", "waves": 3})
    assert d.base_config().schedule[0]["kind"] == "adaptive" and d.base_config().steps == 20
    # the early-failure shock is at a step after the end of a 2-wave design: said at load time, not mid-fit
    assert "shocks[0].step" in refused(
        dg.StudyDesign.from_mapping, {"scenario": "early_failure", "waves": 2, "wave_every": 5}
    )


# ---- documentation --------------------------------------------------------------------------------------
def test_docs_describe_every_column_statistic_and_field() -> None:
    doc = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    panel_part = doc[doc.index("## Panel format") : doc.index("## Targets file format")]
    for col, meaning in pn.PANEL_COLUMNS.items():
        assert f"| `{col}` |" in panel_part and meaning in panel_part, col
    for name, meaning in sm.STATISTICS.items():
        assert f"| `{name}` | {meaning} |" in panel_part, name
    targets_part = doc[doc.index("## Targets file format") :]
    for key in ("agents", "waves", "wave_every", "scenario"):
        assert f"`[design] {key}`" in targets_part, key
    for key in ("name", "low`, `high", "kind"):
        assert f"`[[priors]] {key}`" in targets_part, key
    for key in ("name", "value", "se", "source"):
        assert f"`[[targets]] {key}`" in targets_part, key
    shipped = tg.load_targets(tg.SHIPPED_TARGETS)
    for t in shipped.targets:
        assert f"| `{t.name}` | {t.value:.3g}".replace("0.", ".") in targets_part, t.name
    for p in tg.default_priors():
        assert f"| `{p.name}` |" in targets_part, p.name


def test_docs_example_panel_is_valid() -> None:
    """The CSV example of the panel format passes the checks (copied to the 10 learners a study needs)."""
    import io

    doc = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    example = pd.read_csv(io.StringIO(doc.split("```csv\n")[1].split("```")[0]))
    assert "at least 10" in refused(pn.check_panel, example)
    copies = pd.concat([example.assign(agent=example["agent"] + 10 * k) for k in range(5)], ignore_index=True)
    s = sm.summarise(pn.check_panel(copies)).iloc[0]
    assert s["dropout_w2"] == pytest.approx(0.5)  # learner 2 (and its copies) has no row at wave 2


def test_docs_python_example_writes_a_loadable_targets_file(tmp_path: Path, monkeypatch) -> None:
    doc = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    code = doc.split("```python\n")[1].split("```")[0]
    toy_panel(n=60, waves=3).to_csv(tmp_path / "my_panel.csv", index=False)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/calibration.md", "exec"), {})
    t = tg.load_targets(tmp_path / "my_targets.toml")
    assert t.statistic_names == ("r_mean", "P_to_E", "E_to_P", "E_stability") and t.design.agents == 60


@pytest.mark.parametrize("name", ["..", "a/b", "", " x"])
def test_targets_name_can_never_be_a_path(name: str) -> None:
    """The name becomes the output folder (results/calibration/<name>), also when taken from a panel's file name."""
    t = tg.load_targets(tg.SHIPPED_TARGETS)
    assert refused(tg.Targets, name, "", t.priors, t.design, t.targets).startswith(f"name = {name!r}")
    assert refused(tg.targets_from_panel, toy_panel(n=20, waves=2), name=name).startswith("name = ")
