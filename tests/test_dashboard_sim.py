"""The dashboard's simulation side without a browser: limits, presets, links, saved scenarios, playback data."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboards import charts, comparing
from dashboards import simulation as S
from sim.errors import ConfigError
from sim.params import INTERVENTION_FIELDS, PARAMS, RUN, SCHEDULE_FIELDS, SHOCK_FIELDS

ROOT = Path(__file__).resolve().parent.parent


def test_every_declared_parameter_has_a_plain_label() -> None:
    specs = [*RUN, *PARAMS, *SCHEDULE_FIELDS, *SHOCK_FIELDS, *INTERVENTION_FIELDS]
    missing = [s.name for s in specs if not s.label.strip()]
    assert missing == []
    # a label is plain language, not the code name again
    assert [s.name for s in specs if s.label.replace(" ", "_").lower() == s.name] == []


@pytest.mark.parametrize(
    ("change", "field", "allowed"),
    [
        ({"steps": 1_000_000}, "steps", "at most 1,000 in the dashboard"),
        ({"agents": 6000}, "agents", "at most 5,000 in the dashboard"),
        ({"agents": 5000, "steps": 400}, "steps", "at most 200 with 5,000 learners"),
    ],
)
def test_the_dashboard_refuses_runs_beyond_its_declared_limits(change, field, allowed) -> None:
    values = {**S.default_values(), **change}
    with pytest.raises(ConfigError) as err:
        S.to_config(values)
    assert err.value.field == field and allowed in str(err.value)
    assert f"{field} = {change[field]}" in str(err.value)


def test_largest_allowed_run_is_within_the_memory_budget() -> None:
    assert S.LIMITS["agent_steps"] * S.RECORD_BYTES_PER_AGENT_STEP <= 64e6
    rec = S.Recording([S.to_config({**S.default_values(), "agents": 50, "steps": 20})], ["x"])
    rec.compute()
    per_agent_step = sum(a.nbytes for a in rec.frames.values()) / (50 * 21)
    assert per_agent_step == S.RECORD_BYTES_PER_AGENT_STEP


def test_a_computation_stops_when_cancelled_or_on_shutdown() -> None:
    cfg = S.to_config({**S.default_values(), "agents": 2000, "steps": 500})
    rec = S.Recording([cfg], ["x"])
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    t0 = time.perf_counter()
    with pytest.raises(S.Cancelled):
        rec.compute(cancel)
    assert time.perf_counter() - t0 < 5 and 0 < rec.computed < cfg.steps
    rec2 = S.Recording([cfg], ["x"])
    S.SHUTDOWN.set()
    try:
        with pytest.raises(S.Cancelled):
            rec2.compute()
        assert rec2.computed == 0
    finally:
        S.SHUTDOWN.clear()


def test_fields_that_a_schedule_kind_does_not_read_do_not_reach_the_scenario() -> None:
    values = {**S.default_values(), "schedule.kind": "constant", "schedule.ramp_rate": 0.5}
    a, b = S.to_config(values), S.to_config({**values, "schedule.ramp_rate": -0.5})
    declared = next(f for f in SCHEDULE_FIELDS if f.name == "ramp_rate").default
    assert a.digest() == b.digest() and a.schedule[0]["ramp_rate"] == declared
    ramp = S.to_config({**values, "schedule.kind": "ramp"})
    assert ramp.schedule[0]["ramp_rate"] == 0.5


def test_every_preset_loads_and_runs() -> None:
    found = S.presets()
    assert {p.key for p in found} >= {"scenario:default", "scenario:early_failure", "strategy:trophy"}
    assert all(p.description for p in found)
    for p in found:
        # the default length: strategies' own schedule phases must start before the run ends
        cfg = S.to_config({**S.preset_values(p.key), "agents": 20})
        assert cfg.agents == 20 and cfg.steps == S.preset_values(p.key)["steps"]
    early = S.preset_values("scenario:early_failure")
    assert early["shock.on"] and early["shock.step"] == 5
    ladder = S.to_config(S.preset_values("scenario:mastery_ladder"))
    assert [iv["kind"] for iv in ladder.interventions] == ["mastery_ladder"] and ladder.interventions[0]["end"] == 70
    with pytest.raises(ConfigError, match="preset"):
        S.preset_values("scenario:nope")


def test_the_page_state_round_trips_through_a_link() -> None:
    values = {**S.default_values(), "agents": 250, "strategy": "trophy", "shock.on": True, "learn_rate": 0.11}
    query = S.to_query(values)
    assert "agents=250" in query and "strategy=trophy" in query
    assert S.from_query(query) == values
    assert S.to_query(S.default_values()) == ""
    with pytest.raises(ConfigError, match="nope"):
        S.from_query("nope=1")
    with pytest.raises(ConfigError, match="agents"):
        S.from_query("agents=many")
    with pytest.raises(ConfigError, match="steps = 1000000"):
        S.from_query("steps=1000000")


def test_a_saved_scenario_runs_from_the_command_line_with_the_same_numbers(tmp_path) -> None:
    values = {**S.default_values(), "agents": 150, "steps": 30, "strategy": "trophy", "shock.on": True}
    values["shock.step"] = 20
    cfg = S.to_config(values, name="saved")
    path = tmp_path / "saved.toml"
    path.write_text(S.to_toml(cfg))
    out = tmp_path / "out"
    cli = [sys.executable, "-m", "sim", "run", str(path), "--out", str(out)]
    subprocess.run(cli, cwd=ROOT, check=True, capture_output=True, timeout=120)
    series = pd.read_parquet(out / "series.parquet")
    rec = S.Recording([cfg], ["saved"])
    rec.compute()
    np.testing.assert_allclose(series["efficacy_mean"], rec.series["efficacy_mean"][:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(series["skill_mean"], rec.series["skill_mean"][:, 0], rtol=0, atol=1e-12)


def test_handed_successes_are_counted_apart_from_earned_ones() -> None:
    cfg = S.to_config({**S.default_values(), "agents": 200, "steps": 30, "strategy": "trophy"})
    rec = S.Recording([cfg], ["trophy"])
    rec.compute()
    s = rec.series
    both = s["earned_success_rate"] + s["handed_share"]
    np.testing.assert_allclose(both[1:], s["success_rate"][1:])
    start, end = cfg.interventions[0]["start"], cfg.interventions[0]["end"]
    assert np.all(s["handed_share"][1:start] == 0) and np.nansum(s["handed_share"][start + 1 : end]) > 0


def test_cycle_finders_return_learners_that_fit_their_definition() -> None:
    rec = S.Recording([S.to_config({**S.default_values(), "agents": 300, "steps": 60})], ["x"])
    rec.compute()
    f = rec.frames
    v = rec.find_cycle("virtuous", 60)
    if v is not None:
        assert f["efficacy"][60, 0, v] > f["efficacy"][0, 0, v] and f["skill"][60, 0, v] > f["skill"][0, 0, v]
        assert f["engagement"][60, 0, v] == 0
    w = rec.find_cycle("vicious", 60)
    if w is not None:
        assert f["efficacy"][60, 0, w] < f["efficacy"][0, 0, w]
    with pytest.raises(ValueError, match="kind"):
        rec.find_cycle("neutral", 10)


def test_table_numbers_never_show_negative_zero() -> None:
    assert S.number(-0.0001) == "0.000" and S.signed(-0.0001) == "0.000"
    assert S.signed(0.25) == "+0.250" and S.signed(-0.25) == "-0.250" and S.number(float("nan")) == "-"


def test_network_view_stays_small_at_the_largest_population() -> None:
    rec = S.Recording([S.to_config({**S.default_values(), "agents": 5000, "steps": 2})], ["x"])
    rec.compute()
    idx, xy, links = charts.neighbourhood(rec, 4999)
    assert len(idx) == charts.NETWORK_WINDOW and 4999 in idx and len(links) > 0
    assert charts.n_rows(charts.point_rows(rec, 2)) == charts.SCATTER_MAX
    rows = charts.frame_rows(rec, 2, 4999)
    assert rows["scatter"]["picked"][0]["agent"] == 4999
    assert 4999 in {r["agent"] for r in charts.rows_of(rows["network"]["nodes"])}


@pytest.mark.slow
def test_compare_runs_the_command_line_comparison(tmp_path) -> None:
    """Same design, same engine, same analysis: the page's cells equal `efficacy-sim compare`'s table."""
    out = tmp_path / "cmp"
    cli = [sys.executable, "-m", "sim", "compare", "trophy", "--agents", "60", "--steps", "40"]
    cli += ["--replications", "3", "--out", str(out), "--executor", "serial"]
    subprocess.run(cli, cwd=ROOT, check=True, capture_output=True, timeout=300)
    table = pd.read_csv(out / "table.csv").set_index("strategy")
    res = comparing.run({**S.default_values(), "agents": 60, "steps": 40}, ["trophy"], 3)
    assert (res.start, res.end, res.test_step) == (4, 24, 32)
    for key, _, _ in comparing.ROWS:
        cell = res.cell("trophy", key)
        assert cell["effect"] == pytest.approx(table.at["trophy", key], abs=1e-4), key
        assert cell["raw"] == pytest.approx(table.at["trophy", f"{key}_raw"], abs=1e-4), key
    assert res.recording.labels == ["control", "trophy"]
    with pytest.raises(ConfigError, match="replications"):
        comparing.check_request(["trophy"], 1)
    with pytest.raises(ConfigError, match="strategies"):
        comparing.check_request([], 5)


def test_mesa_solaraviz_example_builds_and_its_parameters_drive_the_model() -> None:
    import reacton
    import solara

    from dashboards import mesa_viz

    kwargs = {k: v["value"] for k, v in mesa_viz.model_params.items()}
    model = mesa_viz.EfficacyModel(rng=1, **kwargs)
    assert model.config.agents == kwargs["agents"] and model.config.params["vicarious_gain"] == kwargs["vicarious_gain"]
    model.step()
    assert {s["label"] for s in mesa_viz.model_params.values()} >= {"Number of learners"}
    # the custom network component (Mesa 3.5.1's space component cannot draw a Network space) renders
    _, rc = reacton.render(mesa_viz.NetworkView(model), handle_error=False)  # raises on any error
    rc.close()
    assert isinstance(mesa_viz.page, reacton.core.Element) and solara  # the SolaraViz page element


def test_a_scenario_file_added_to_the_scenarios_folder_becomes_a_preset(tmp_path, monkeypatch) -> None:
    """A fitted scenario written into sim/scenarios/ (as calibration does) is offered without code changes."""
    import shutil

    from sim import runner

    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "sim" / "scenarios", folder)
    text = (folder / "default.toml").read_text()
    assert "seed = 0" in text
    (folder / "fitted_demo.toml").write_text(text.replace("seed = 0", "seed = 11"))
    monkeypatch.setattr(runner, "_SCENARIO_DIR", folder)
    found = {p.key: p for p in S.presets()}
    assert "scenario:fitted_demo" in found and "scenario:default" in found
    values = S.preset_values("scenario:fitted_demo")
    assert values["seed"] == 11 and S.preset_values("scenario:default")["seed"] == 0


def test_a_broken_scenario_file_does_not_hide_the_other_presets(tmp_path, monkeypatch) -> None:
    """A malformed TOML dropped into sim/scenarios/ is listed with its problem; choosing it says what is wrong."""
    import shutil

    from sim import runner

    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "sim" / "scenarios", folder)
    (folder / "half_written.toml").write_text("seed = [\n")
    (folder / "bad_value.toml").write_text("agents = -5\n")
    monkeypatch.setattr(runner, "_SCENARIO_DIR", folder)
    found = {p.key: p for p in S.presets()}
    assert S.preset_values("scenario:default")["seed"] == 0  # the others still load
    assert "does not load" in found["scenario:half_written"].description
    with pytest.raises(ConfigError, match=r"half_written\.toml.*valid TOML"):
        S.preset_values("scenario:half_written")
    with pytest.raises(ConfigError, match=r"agents = -5"):
        S.preset_values("scenario:bad_value")
    with pytest.raises(ConfigError, match=r"preset = 'scenario:missing'"):
        S.preset_values("scenario:missing")


def test_frame_rows_sent_as_columns_are_the_learners_values() -> None:
    rec = S.Recording([S.to_config({**S.default_values(), "agents": 300, "steps": 5})], ["x"])
    rec.compute()
    rows = charts.rows_of(charts.point_rows(rec, 5))
    assert len(rows) == 300 and [r["agent"] for r in rows] == list(range(300))
    f = rec.frames
    np.testing.assert_allclose([r["e"] for r in rows], f["efficacy"][5, 0], atol=0.006)
    np.testing.assert_allclose([r["s"] for r in rows], f["skill"][5, 0], atol=0.006)
    assert {r["g"] for r in rows} <= set(charts.STATE_NAMES)
    nodes = charts.rows_of(charts.node_rows(rec, 5, 7))
    assert [r["agent"] for r in nodes if r["followed"] == "yes"] == [7]


def test_the_time_chart_draws_every_recorded_measure_with_its_own_style() -> None:
    """Self-belief and skill always; a self-esteem series or per-domain self-belief series add their lines."""
    rec = S.Recording([S.to_config({**S.default_values(), "agents": 50, "steps": 4})], ["x"])
    rec.compute()
    base = charts.time_measures(rec)
    assert [m.label for m in base] == ["self-belief (efficacy)", "skill"]
    assert len({(m.colour, m.dash) for m in base}) == 2  # told apart by colour and by line style
    rec.series["self_esteem_mean"] = rec.series["efficacy_mean"] * 0.5
    for d in ("maths", "reading"):
        rec.series[f"efficacy_mean@{d}"] = rec.series["efficacy_mean"] + 1
        rec.series[f"efficacy_sd@{d}"] = rec.series["efficacy_sd"]
    labels = [m.label for m in charts.time_measures(rec)]
    assert labels == [
        "self-belief (efficacy)",
        "skill",
        "self-esteem (0-1, drawn x10)",
        "self-belief: maths",
        "self-belief: reading",
    ]
    rows = charts.series_rows(rec)
    assert {r["measure"] for r in rows} == set(labels)
    maths = [r["mean"] for r in rows if r["measure"] == "self-belief: maths"]
    assert maths == pytest.approx(list(rec.series["efficacy_mean"][:, 0] + 1), abs=1e-3)
    spec = charts.time_spec(rec.steps, charts.time_measures(rec))
    assert "self-belief: reading" in str(spec)


def test_multi_domain_preset_draws_each_domain_and_self_esteem():
    """The three-subjects preset runs with its domains: one self-belief line per subject (declared order)
    and self-esteem, each series equal to the core's own arrays; link and saved TOML keep the domains."""
    import tomllib

    from sim import Config

    values = S.preset_values("scenario:three_subjects")
    cfg = S.to_config(values)
    assert cfg.domain_names == ("maths", "physics", "art")
    assert cfg.shocks[0]["domain"] == "maths"
    rec = S.Recording([cfg], ["three subjects"])
    rec.compute()
    labels = [m.label for m in charts.time_measures(rec)]
    assert labels[-3:] == ["self-belief: maths", "self-belief: physics", "self-belief: art"]
    assert any(label.startswith("self-esteem") for label in labels)
    from sim import Batch

    twin = Batch([cfg])  # the same run outside the page (seed and run index as the recording's)
    twin.run(cfg.steps)
    dom = twin.domains
    for j, name in enumerate(dom.names):
        np.testing.assert_allclose(rec.series[f"efficacy_mean@{name}"][-1], dom.efficacy[:, :, j].mean(axis=1))
    np.testing.assert_allclose(rec.series["self_esteem_mean"][-1], dom.self_esteem.mean(axis=1))
    rows = charts.rows_of(charts.series_rows(rec))  # self-esteem is drawn on the 0-10 axis as value x 10
    esteem = [r for r in rows if r["measure"].startswith("self-esteem") and r["step"] == rec.steps]
    assert len(esteem) == 1 and esteem[0]["mean"] == pytest.approx(
        10 * dom.self_esteem.mean(), abs=1e-3
    )  # rows are rounded
    assert S.to_config(S.from_query(S.to_query(values))).digest() == cfg.digest()
    assert Config.from_dict(tomllib.loads(S.to_toml(cfg))).digest() == cfg.digest()


@pytest.mark.parametrize(
    "key, text, field",
    [
        ("domains.relatedness", "1, x; x, 1", "domains.relatedness"),
        ("domains.relatedness", "1, 0.5; 0.2, 1", "domains.relatedness"),
        ("schedule.domain", "maths, music", "schedule[0].domain"),
    ],
)
def test_bad_domain_text_is_refused_by_name(key, text, field):
    values = S.preset_values("scenario:three_subjects")
    if key == "domains.relatedness" and "x" not in text:
        values["domains.names"] = "maths, physics"
        values["schedule.domain"] = "maths, physics"
        values["shock.domain"] = ""
    values[key] = text
    with pytest.raises(ConfigError) as info:
        S.to_config(values)
    assert str(info.value).startswith(field) or field in str(info.value)


def test_an_intervention_aimed_at_one_domain_is_edited_linked_and_saved() -> None:
    """The page sets the intervention's domain; a scenario with one loads; link and TOML keep it."""
    import tomllib

    from sim.config import Config

    values = S.preset_values("scenario:three_subjects")
    values["strategy"] = "specific_persuasion"
    values["intervention.domain"] = "maths"
    cfg = S.to_config(values)
    assert [iv.get("domain") for iv in cfg.interventions] == ["maths"]
    again = S.values_from_config(cfg)
    assert again["intervention.domain"] == "maths" and again["strategy"] == "specific_persuasion"
    assert S.to_config(S.from_query(S.to_query(values))).digest() == cfg.digest()
    assert Config.from_dict(tomllib.loads(S.to_toml(cfg))).digest() == cfg.digest()
    values["intervention.domain"] = ""
    assert "domain" not in S.to_config(values).interventions[0]  # empty: every domain
    values["intervention.domain"] = "music"
    with pytest.raises(ConfigError, match="music"):
        S.to_config(values)
