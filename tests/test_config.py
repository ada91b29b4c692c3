"""Config validation: bad input fails early with a message naming field, value and what is allowed."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config import Config, parse_path, spec_for
from sim.errors import ConfigError
from sim.params import PARAMS, RUN, SCHEDULE_FIELDS, Param
from tests.strategies import configs


def error_for(data: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        Config.from_dict(data)
    return info.value


def assert_names(err: ConfigError, field: str, value: Any, allowed: str) -> None:
    """The error and its message name the field, the value and (part of) what is allowed."""
    msg = str(err)
    assert err.field == field and msg.startswith(f"{field} = ")
    assert repr(value) in msg
    assert allowed in msg and allowed in err.allowed


# -- unknown keys ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "field", "key", "suggestion"),
    [
        ({"agnets": 10}, "scenario", "agnets", "agents"),
        ({"params": {"learn_rat": 0.1}}, "params", "learn_rat", "learn_rate"),
        ({"shocks": [{"step": 1, "severty": 3}]}, "shocks[0]", "severty", "severity"),
        ({"schedule": [{"knd": "ramp"}]}, "schedule[0]", "knd", "kind"),
        ({"interventions": [{"kind": "generic_praise", "intensty": 0.5}]}, "interventions[0]", "intensty", "intensity"),
    ],
)
def test_unknown_key_names_it_and_suggests(data: dict, field: str, key: str, suggestion: str) -> None:
    err = error_for(data)
    assert_names(err, field, key, "a known key")
    assert f"did you mean {suggestion!r}?" in str(err)


def test_unknown_key_without_close_match_lists_the_known_keys() -> None:
    err = error_for({"params": {"zzzzqqq": 1.0}})
    assert "did you mean" not in str(err)
    assert "learn_rate" in str(err)


# -- values -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "field", "value", "allowed"),
    [
        ({"params": {"learn_rate": 1.5}}, "params.learn_rate", 1.5, "a number in [0, 1]"),
        ({"params": {"learn_rate": -0.1}}, "params.learn_rate", -0.1, "a number in [0, 1]"),
        ({"params": {"learn_rate": "fast"}}, "params.learn_rate", "fast", "a number in [0, 1]"),
        ({"params": {"learn_rate": True}}, "params.learn_rate", True, "a number in [0, 1]"),
        ({"params": {"learn_rate": None}}, "params.learn_rate", None, "a number in [0, 1]"),
        ({"params": {"learn_rate": [0.1]}}, "params.learn_rate", [0.1], "a number in [0, 1]"),
        ({"agents": 2.5}, "agents", 2.5, "a whole number in [1, 10000000]"),
        ({"agents": 0}, "agents", 0, "a whole number in [1, 10000000]"),
        ({"agents": False}, "agents", False, "a whole number"),
        ({"steps": -1}, "steps", -1, "a whole number"),
        ({"params": {"network_degree": 2.5}}, "params.network_degree", 2.5, "a whole number in [0, 50]"),
        ({"shocks": [{"step": 1, "severity": 25.0}]}, "shocks[0].severity", 25.0, "a number in [0, 20]"),
        ({"schedule": [{"kind": "linear"}]}, "schedule[0].kind", "linear", "one of 'constant'"),
        ({"interventions": [{"kind": "hypnosis"}]}, "interventions[0].kind", "hypnosis", "one of 'mastery_ladder'"),
        ({"interventions": [{"target": "above"}]}, "interventions[0].target", "above", "one of 'all', 'below'"),
        ({"name": 3}, "name", 3, "a string"),
        ({"params": [1, 2]}, "params", [1, 2], "a table"),
        ({"shocks": 5}, "shocks", 5, "a list of tables"),
        ({"shocks": [5]}, "shocks[0]", 5, "a table of field = value"),
    ],
)
def test_bad_value_names_field_value_and_allowed(data: dict, field: str, value: Any, allowed: str) -> None:
    assert_names(error_for(data), field, value, allowed)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("key", ["agents", "seed"])
def test_non_finite_run_settings_are_config_errors(key: str, value: float) -> None:
    assert error_for({key: value}).field == key


def test_nan_parameter_is_rejected() -> None:
    err = error_for({"params": {"effort_min": math.nan}})
    assert err.field == "params.effort_min" and "nan" in str(err)


def test_a_single_event_table_counts_as_a_list() -> None:
    cfg = Config.from_dict({"shocks": {"step": 3}, "steps": 10})
    assert len(cfg.shocks) == 1 and cfg.shocks[0]["step"] == 3


# -- consistency ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "field", "value", "allowed"),
    [
        ({"schedule": [{"start": 2}]}, "schedule[0].start", 2, "0 (the first phase starts at step 0)"),
        ({"schedule": [{"start": 0}, {"start": 5}, {"start": 5}]}, "schedule[2].start", 5, "a step after schedule[1]"),
        ({"schedule": [{"start": 0}, {"start": 9}, {"start": 4}]}, "schedule[2].start", 4, "a step after schedule[1]"),
        ({"steps": 20, "shocks": [{"step": 20}]}, "shocks[0].step", 20, "before the end of the run (steps = 20)"),
        ({"steps": 20, "shocks": [{"step": 2}, {"step": 50}]}, "shocks[1].step", 50, "before the end"),
        (
            {"interventions": [{"kind": "generic_praise"}, {"kind": "generic_praise", "start": 5}]},
            "interventions[1].kind",
            "generic_praise",
            "at most once",
        ),
        ({"interventions": [{"start": 10, "end": 10}]}, "interventions[0].end", 10, "a step after start = 10"),
        ({"interventions": [{"start": 10, "end": 3}]}, "interventions[0].end", 3, "a step after start = 10"),
    ],
)
def test_inconsistent_events_are_rejected(data: dict, field: str, value: Any, allowed: str) -> None:
    assert_names(error_for(data), field, value, allowed)


# -- files ----------------------------------------------------------------------------------------
def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as info:
        Config.from_toml(path)
    assert_names(info.value, "scenario", str(path), "an existing TOML file")


def test_bad_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("agents = 10\n[params\nlearn_rate = 0.1\n")
    with pytest.raises(ConfigError) as info:
        Config.from_toml(path)
    assert_names(info.value, "scenario", str(path), "valid TOML")
    assert "line" in str(info.value)  # the parser's position is passed on


def test_bad_value_in_toml_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad_value.toml"
    path.write_text('agents = 10\n[[shocks]]\nstep = 3\nshare = "all"\n')
    with pytest.raises(ConfigError) as info:
        Config.from_toml(path)
    assert_names(info.value, "shocks[0].share", "all", "a number in [0, 1]")


def test_good_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "good.toml"
    path.write_text(
        "agents = 30\nsteps = 40\nseed = 2\n[params]\nlearn_rate = 0.1\nnetwork_degree = 4\n"
        '[[schedule]]\nkind = "adaptive"\nstart = 0\n[[schedule]]\nkind = "ramp"\nstart = 20\n'
        '[[shocks]]\nstep = 10\n[[interventions]]\nkind = "peer_modelling"\nstart = 5\nend = 30\ntarget = "below"\n'
    )
    cfg = Config.from_toml(path)
    assert cfg.name == "good" and cfg.agents == 30 and cfg.params["learn_rate"] == 0.1
    assert isinstance(cfg.params["network_degree"], int)
    assert [ph["kind"] for ph in cfg.schedule] == ["adaptive", "ramp"]
    assert cfg.schedule[1]["level"] == next(f.default for f in SCHEDULE_FIELDS if f.name == "level")
    assert cfg.interventions[0]["target"] == "below"
    assert Config.from_dict(cfg.to_dict()) == cfg


# -- paths and edits --------------------------------------------------------------------------------
def test_paths() -> None:
    cfg = Config.default(steps=50, shocks=[{"step": 10}])
    assert parse_path("shocks[0].step") == ("shocks", 0, "step")
    assert parse_path("learn_rate") == (None, 0, "learn_rate")
    assert cfg.get("shocks[0].step") == 10 and cfg.get("steps") == 50
    assert spec_for("learn_rate").name == "learn_rate"
    edited = cfg.with_values({"learn_rate": 0.2, "shocks[0].step": 5})
    assert edited.params["learn_rate"] == 0.2 and edited.shocks[0]["step"] == 5
    assert cfg.params["learn_rate"] != 0.2  # the original is untouched
    with pytest.raises(ConfigError, match="learn_rat.*did you mean 'learn_rate'"):
        cfg.with_values({"learn_rat": 0.2})
    with pytest.raises(ConfigError, match=r"shocks\[3\]\.step .*an existing shocks entry \(there are 1\)"):
        cfg.with_values({"shocks[3].step": 1})
    with pytest.raises(ConfigError, match="severty.*did you mean 'severity'"):
        parse_path("shocks[0].severty")
    with pytest.raises(ConfigError, match="parameter = 'a b'"):
        parse_path("a b")
    with pytest.raises(ConfigError, match=r"params.learn_rate = 2"):
        cfg.with_values({"learn_rate": 2})


def test_digest_tracks_content() -> None:
    a, b = Config.default(), Config.default()
    assert a.digest() == b.digest()
    assert a.digest() != Config.default(learn_rate=0.11).digest()


# -- property-based ---------------------------------------------------------------------------------
NUMERIC = [p for p in PARAMS if not p.integer]


@st.composite
def out_of_range(draw: st.DrawFn) -> tuple[Param, float]:
    p = draw(st.sampled_from(NUMERIC))
    below = st.floats(max_value=p.low, exclude_max=True, allow_nan=False, allow_infinity=True)
    above = st.floats(min_value=p.high, exclude_min=True, allow_nan=False, allow_infinity=True)
    return p, draw(st.one_of(below, above, st.just(math.nan)))


@settings(max_examples=60, deadline=None)
@given(case=out_of_range())
def test_any_out_of_range_parameter_is_named(case: tuple[Param, float]) -> None:
    p, value = case
    err = error_for({"params": {p.name: value}})
    assert err.field == f"params.{p.name}"
    assert repr(value) in str(err)
    assert f"[{p.low:g}, {p.high:g}]" in str(err)


JUNK = st.one_of(
    st.booleans(),
    st.none(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)


@settings(max_examples=60, deadline=None)
@given(spec=st.sampled_from(PARAMS + RUN), value=JUNK)
def test_any_non_number_is_rejected(spec: Param, value: Any) -> None:
    data = {spec.name: value} if spec in RUN else {"params": {spec.name: value}}
    err = error_for(data)
    assert err.field.endswith(spec.name) and err.value is value


@settings(max_examples=40, deadline=None)
@given(key=st.text(min_size=1, max_size=12).filter(lambda k: k not in {p.name for p in PARAMS}))
def test_any_unknown_parameter_is_rejected(key: str) -> None:
    err = error_for({"params": {key: 1.0}})
    assert err.field == "params" and err.value == key


@settings(max_examples=40, deadline=None)
@given(cfg=configs(steps=30))
def test_round_trip(cfg: Config) -> None:
    again = Config.from_dict(cfg.to_dict())
    assert again == cfg and again.digest() == cfg.digest()


def test_changing_parameters_only_gives_the_config_from_dict_would() -> None:
    """with_values' path for parameter-only changes: the same config, the same refusals."""
    from sim.params import PARAMS

    base = Config.default(agents=40, steps=30).with_values({"shocks": [{"step": 5, "severity": 3.0}]})
    rng = np.random.default_rng(0)
    for p in rng.choice(PARAMS, 25, replace=False):
        value = int(rng.integers(p.low, p.high + 1)) if p.integer else float(rng.uniform(p.low, p.high))
        fast = base.with_values({p.name: value})
        slow = Config.from_dict({**base.to_dict(), "params": {**base.params, p.name: value}})
        assert fast == slow and fast.digest() == slow.digest() and list(fast.params) == list(slow.params)
    for bad in ({"learn_rate": -1.0}, {"learn_rate": "fast"}, {"network_degree": 2.5}):
        with pytest.raises(ConfigError) as fast:
            base.with_values(bad)
        with pytest.raises(ConfigError) as slow:
            Config.from_dict({**base.to_dict(), "params": {**base.params, **bad}})
        assert str(fast.value) == str(slow.value)
