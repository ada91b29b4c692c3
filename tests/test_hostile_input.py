"""Bad input ends in a valid run or a one-line error naming the field: never a traceback, a hang or a silent yes.

Hand-picked cases from the adversarial campaign, then property-based ones (Hypothesis) that mutate real
scenario, experiment and strategy files: keys, types, nesting, encodings and sizes.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.calibration.targets import load_targets
from sim.config import Config
from sim.engine import Experiment
from sim.engine.run import plan_experiment
from sim.errors import ConfigError
from sim.limits import MAX_AGENT_STEPS, MAX_POINTS, MAX_RUNS, MAX_TOML_BYTES, MAX_WORKERS
from sim.strategies import Library
from tests.test_store_integrity import cli, one_line_error

LOADERS = {
    "scenario": Config.from_toml,
    "experiment": Experiment.from_toml,
    "strategies": Library.from_toml,
    "targets": load_targets,
}


def refused(fn, *args: Any, field: str | None = None, **kw: Any) -> ConfigError:
    """``fn`` raises a one-line ConfigError (naming ``field`` when given)."""
    with pytest.raises(ConfigError) as err:
        fn(*args, **kw)
    msg = str(err.value)
    assert "\n" not in msg and len(msg) < 2_000, msg
    if field is not None:
        assert err.value.field == field and msg.startswith(f"{field} = "), msg
    return err.value


# -- files: encodings, sizes, nesting -----------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(LOADERS))
@pytest.mark.parametrize(
    "content, words",
    [
        (bytes(range(256)) * 4, "not UTF-8"),
        ('name = "x"\n'.encode("utf-16"), "UTF-16"),
        ('name = "x"\n'.encode("utf-16-be"), "UTF-16"),
        (b"\xff\xfe\x00\x01garbage", "UTF-16"),
        (b"a = " + b"[" * 5000 + b"]" * 5000, "nested"),
        (b"a = " + b"{b = " * 3000 + b"1" + b"}" * 3000, "nested"),
        (b"a = " + b"[" * 20 + b"]" * 20, "nested at most"),
        (b"x.y.z.w.v.u.t.s.r.q = 1", "nested at most"),
        (b"name = 'a'\n\x00\x00", "valid TOML"),
    ],
)
def test_hostile_file_is_one_line(tmp_path, kind, content, words):
    f = tmp_path / "bad.toml"
    f.write_bytes(content)
    err = refused(LOADERS[kind], f)
    assert str(f) in str(err) and words in str(err)


@pytest.mark.parametrize("kind", list(LOADERS))
def test_huge_file_is_refused_before_reading(tmp_path, kind):
    f = tmp_path / "huge.toml"
    with open(f, "wb") as fh:  # 50 MB of comments: sparse, so it costs no disk
        fh.truncate(50_000_000)
    t0 = time.perf_counter()
    err = refused(LOADERS[kind], f)
    assert time.perf_counter() - t0 < 1 and f"{MAX_TOML_BYTES:,} bytes" in str(err)


@pytest.mark.parametrize("path", ["nul\x00.toml", "missing.toml", "."])
def test_unreadable_paths_are_one_line(tmp_path, path):
    refused(Config.from_toml, tmp_path / path if path != "." else tmp_path, field="scenario")


# -- names that would become paths -------------------------------------------------------------------------
BAD_NAMES = ["", ".", "..", "../../x", "/etc/x", "a/b", "a\\b", "nul\x00name", "tab\tname", ".hidden", " x", "x" * 101]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_names_that_are_not_folder_names_are_refused(name):
    refused(Config.from_dict, {"name": name}, field="name")
    refused(Experiment, name=name, field="name")
    refused(Experiment, conditions={name: {}}, field="conditions")
    refused(Library.from_dict, {"strategies": {name: {"start": 0}}}, field="strategies")


def test_scenario_name_never_writes_outside_results(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ["../../escape", "/tmp/abs", "", ".."]:
        f = tmp_path / "s.toml"
        f.write_text(f"name = {name!r}\nagents = 5\nsteps = 3\n".replace("'", '"'))
        one_line_error(cli(capsys, "run", str(f)), "name")
        exp = tmp_path / "e.toml"
        exp.write_text(f"name = {name!r}\nreplications = 1\n[base]\nagents = 5\nsteps = 3\n".replace("'", '"'))
        one_line_error(cli(capsys, "sweep", str(exp)), "name")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml", "s.toml"]  # nothing written anywhere


# -- silent yes: events after the last step ----------------------------------------------------------------
@pytest.mark.parametrize(
    "data, field",
    [
        ({"steps": 50, "schedule": [{"start": 0}, {"start": 50, "kind": "constant"}]}, "schedule[1].start"),
        ({"steps": 50, "schedule": [{"start": 0}, {"start": 900}]}, "schedule[1].start"),
        ({"steps": 50, "interventions": [{"kind": "praise", "start": 50, "end": 60}]}, "interventions[0].start"),
        ({"steps": 0, "interventions": [{"kind": "praise", "start": 0, "end": 5}]}, "interventions[0].start"),
    ],
)
def test_events_after_the_last_step_are_refused(data, field):
    kinds = {iv["kind"] for iv in data.get("interventions", [])}
    if kinds:
        from sim.params import INTERVENTION_FIELDS

        choices = next(f.choices for f in INTERVENTION_FIELDS if f.name == "kind")
        for iv in data["interventions"]:
            iv["kind"] = choices[0]
    err = refused(Config.from_dict, data, field=field)
    assert "before the end of the run" in str(err)


# -- experiment numbers: inf, NaN, strings, lists, sizes -------------------------------------------------------
NUMBER_FIELDS = (
    [
        ({"replications": v}, "replications")
        for v in (float("inf"), float("nan"), "3", [3], 1e12, 10**30, -1, 0, 2.5, True)
    ]
    + [
        ({"vary": {"learn_rate": {"start": 0.1, "stop": 0.2, "num": v}}}, "vary.learn_rate.num")
        for v in (float("inf"), float("nan"), "5", [5], 1e12, -3, 0)
    ]
    + [
        ({"vary": {"learn_rate": {"start": v, "stop": 0.2, "num": 3}}}, "vary.learn_rate.start")
        for v in (float("inf"), float("nan"), "a", [0.1], None)
    ]
    + [
        ({"sampler": {"method": "latin", "n": v, "bounds": {"learn_rate": [0.1, 0.2]}}}, "sampler.n")
        for v in (float("inf"), float("nan"), "8", [8], 1e12, 0)
    ]
    + [
        ({"sampler": {"method": "latin", "n": 4, "bounds": {"learn_rate": v}}}, "sampler.bounds.learn_rate")
        for v in ([0.1, float("inf")], [float("nan"), 0.2], ["a", "b"], 0.1, [[0.1], [0.2]])
    ]
    + [({"outputs": {"every": v}}, "outputs.every") for v in (float("inf"), float("nan"), "5", [5], 0, 1.5)]
    + [
        ({"outputs": {"snapshots": v}}, "outputs.snapshots")
        for v in ([float("inf")], [float("nan")], ["1"], [[1]], "1")
    ]
    + [({"outputs": {"trajectories": v}}, "outputs.trajectories") for v in (float("inf"), float("nan"), "1", [1])]
)


@pytest.mark.parametrize("data, field", NUMBER_FIELDS)
def test_bad_experiment_numbers_are_one_line(data, field):
    refused(Experiment.from_dict, {"base": {"agents": 5, "steps": 10}, **data}, field=field)


def test_sizes_are_checked_before_allocation():
    t0 = time.perf_counter()
    grid = {p: list(range(1, 40)) for p in ("agents", "steps")}
    grid["learn_rate"] = [0.01 * i for i in range(1, 80)]
    err = refused(Experiment, vary=grid, field="vary")  # 120,000 points: refused before one is built
    assert f"{MAX_POINTS:,}" in str(err)
    err = refused(Experiment, vary={"learn_rate": [0.1, 0.2]}, replications=MAX_RUNS, field="replications")
    assert f"{MAX_RUNS:,}" in str(err)
    sampler = {"method": "sobol", "n": MAX_POINTS, "bounds": {"learn_rate": [0.1, 0.2], "skill_sd": [0, 1]}}
    refused(Experiment, sampler=sampler, field="vary")
    exp = Experiment(base=Config.default(agents=1_000_000, steps=1_000_000), replications=2)
    err = refused(plan_experiment, exp, field="agent-steps")
    assert f"{MAX_AGENT_STEPS:,}" in str(err)
    exp = Experiment(base=Config.default(agents=2_000_000, steps=1), outputs={"snapshots": [0, 1]}, replications=4)
    err = refused(plan_experiment, exp, executor="processes", workers=4, field="memory")
    assert "GiB" in str(err)
    assert time.perf_counter() - t0 < 20


def test_dry_run_makes_the_real_checks(tmp_path, capsys):
    f = tmp_path / "e.toml"
    f.write_text("name = 'big'\nreplications = 1e12\n[base]\nagents = 5\nsteps = 3\n")
    one_line_error(cli(capsys, "sweep", str(f), "--dry-run"), "replications")
    f.write_text("name = 'big'\nreplications = 3000\n[base]\nagents = 1000000\nsteps = 100000\n")
    one_line_error(cli(capsys, "sweep", str(f), "--dry-run"), "agent-steps")
    f.write_text("name = 'ok'\nreplications = 2\n[base]\nagents = 5\nsteps = 3\n")
    out = tmp_path / "out"
    assert cli(capsys, "sweep", str(f), "--out", str(out)).returncode == 0
    assert cli(capsys, "sweep", str(f), "--out", str(out), "--dry-run").returncode == 0
    f.write_text("name = 'ok'\nreplications = 3\n[base]\nagents = 5\nsteps = 3\n")  # a different experiment
    one_line_error(cli(capsys, "sweep", str(f), "--out", str(out), "--dry-run"), "same experiment", "replications")


# -- executors: workers, a scheduler that never answers or sends garbage ----------------------------------------
def test_workers_are_bounded(tmp_path, capsys):
    f = tmp_path / "e.toml"
    f.write_text("name = 'w'\nreplications = 2\n[base]\nagents = 5\nsteps = 3\n")
    res = cli(capsys, "sweep", str(f), "--workers", str(MAX_WORKERS + 1), "--dry-run")
    assert res.returncode == 2 and "--workers" in res.stderr and "Traceback" not in res.stderr
    refused(plan_experiment, Experiment(), executor="processes", workers=10**6, field="workers")


def test_one_chunk_sweep_starts_one_worker(tmp_path):
    from sim.engine import run_experiment

    res = run_experiment(
        Experiment(replications=1), out=tmp_path / "o", executor="processes", workers=8, progress=False
    )
    # the pool starts only as many workers as there are chunks to compute: one
    assert res.complete and res.manifest["chunks"] == 1 and res.manifest["sessions"][-1]["workers"] == 1


class FakeServer:
    """A loopback TCP server that accepts and then stays silent, or sends ``garbage``."""

    def __init__(self, garbage: bytes | None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.garbage = garbage
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        self.sock.settimeout(0.2)
        end = time.monotonic() + 30  # bounded: it stops by itself
        while time.monotonic() < end:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.conns.append(conn)
            if self.garbage is not None:
                conn.sendall(self.garbage)

    def close(self) -> None:
        for c in self.conns:
            c.close()
        self.sock.close()


def test_scheduler_that_never_answers_is_refused_in_bounded_time():
    from sim.engine.executors import probe_scheduler

    server = FakeServer(None)  # accepts, then stays silent
    try:
        t0 = time.perf_counter()
        err = refused(probe_scheduler, f"tcp://127.0.0.1:{server.port}", 1.0, field="scheduler")
        assert "no Dask handshake within 1 s" in str(err) and time.perf_counter() - t0 < 3
    finally:
        server.close()


@pytest.mark.parametrize(
    "garbage, words",
    [
        (b"HTTP/1.1 400 Bad Request\r\n\r\n", "not as a Dask scheduler"),
        (struct.pack("Q", 2**62) + b"x" * 64, "not as a Dask scheduler"),
    ],
)
def test_scheduler_that_never_answers_or_sends_garbage_is_one_line(tmp_path, garbage, words):
    from sim.engine import run_experiment

    server = FakeServer(garbage)
    try:
        t0 = time.perf_counter()
        err = refused(
            run_experiment,
            Experiment(replications=1),
            out=tmp_path / "o",
            executor="dask",
            scheduler=f"tcp://127.0.0.1:{server.port}",
            field="scheduler",
        )
        assert words in str(err) and time.perf_counter() - t0 < 15
    finally:
        server.close()


# -- property-based: mutated real files ---------------------------------------------------------------------
def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return {float("inf"): "inf", float("-inf"): "-inf"}.get(v, "nan" if v != v else repr(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in v) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"


def _toml_key(k: str) -> str:
    return _toml_value(k)


def to_toml(d: dict[str, Any]) -> str:
    return "\n".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in d.items()) + "\n"


scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=30),
    st.sampled_from([0, 1, -1, 10**9, 0.5, 1e308, "", "..", "/x", "adaptive", "praise"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
SCENARIO = {"name": "s", "agents": 20, "steps": 10, "params": {"learn_rate": 0.1}, "schedule": [{"start": 0}]}
EXPERIMENT = {
    "name": "e",
    "replications": 2,
    "base": {"agents": 10, "steps": 5},
    "vary": {"learn_rate": [0.05, 0.1]},
    "outputs": {"every": 1, "snapshots": [1]},
}
SAMPLED = {
    "name": "e2",
    "replications": 1,
    "base": {"agents": 10, "steps": 20, "interventions": [{"kind": "praise", "start": 2, "end": 9}]},
    "sampler": {"method": "morris", "n": 2, "bounds": {"learn_rate": [0.05, 0.1]}, "num_levels": 4},
    "conditions": {"a": {"interventions[0].start": 3}, "b": {"shocks": [{"step": 4, "severity": 2}]}},
    "vary": {"schedule[0].level": {"start": 1, "stop": 3, "num": 2}},
}
STRATEGIES = {"strategies": {"mine": {"start": 1, "end": 5, "interventions": [{"kind": "praise"}]}}}
TARGETS = {
    "name": "t",
    "design": {"agents": 50, "waves": 3, "instruments": {"test_items": 10}, "fixed": {"learn_rate": 0.1}},
    "priors": [{"name": "optimism_sd"}, {"name": "perf_scale", "low": 0.2, "high": 2.0}],
    "targets": [{"name": "r_mean", "value": 0.38, "se": 0.07}, {"name": "P_to_E", "value": 0.2, "se": 0.06}],
    "validate": [{"name": "r_last", "value": 0.4, "se": 0.1}],
}


def _paths(d: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(d, dict):
        for k, v in d.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw, template: dict[str, Any]) -> dict[str, Any]:
    """The template with a few values replaced, keys renamed or added, nesting deepened."""
    import copy

    d = copy.deepcopy(template)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(d)
        path = draw(st.sampled_from(paths)) if paths else ()
        parent = d
        for p in path[:-1]:
            parent = parent[p]
        key = path[-1] if path else None
        action = draw(st.sampled_from(["replace", "rename", "add", "deepen"]))
        if key is None or action == "add":
            target = parent if isinstance(parent, dict) else d
            target[draw(st.text(min_size=1, max_size=12))] = draw(values)
        elif action == "replace":
            parent[key] = draw(values)
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = parent.pop(key)
        elif action == "deepen":
            parent[key] = [parent[key]] if draw(st.booleans()) else {"x": parent[key]}
    return d


def _check_outcome(load, path: Path) -> None:
    try:
        load(path)
    except ConfigError as exc:
        msg = str(exc)
        assert "\n" not in msg and exc.field and msg.startswith(f"{exc.field[:100]}"), msg


def _encode(text: str, how: str) -> bytes:
    if how == "utf-8":
        return text.encode()
    if how == "utf-16":
        return text.encode("utf-16")
    if how == "latin-1 bytes":
        return text.encode("utf-8") + b"\xe9\xff"
    return text.encode() * 3000  # oversized: repeats keys (invalid) or grows past the size limit


FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize(
    "kind, template",
    [
        ("scenario", SCENARIO),
        ("experiment", EXPERIMENT),
        ("experiment", SAMPLED),
        ("strategies", STRATEGIES),
        ("targets", TARGETS),
    ],
)
def test_mutated_files_end_in_a_valid_load_or_a_one_line_error(tmp_path, kind, template):
    @FUZZ
    @given(data=mutated(template), how=st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "latin-1 bytes", "big"]))
    def check(data, how):
        f = tmp_path / f"{kind}.toml"
        f.write_bytes(_encode(to_toml(data), how))
        t0 = time.perf_counter()
        _check_outcome(LOADERS[kind], f)
        assert time.perf_counter() - t0 < 10  # no hang

    check()


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind, template", [("scenario", SCENARIO), ("experiment", EXPERIMENT), ("experiment", SAMPLED)]
)
def test_many_mutated_files_through_the_planner(tmp_path, kind, template):
    """More examples, and every valid experiment also through every pre-run check (sizes, folder)."""

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=mutated(template))
    def check(data):
        f = tmp_path / f"{kind}.toml"
        f.write_text(to_toml(data))
        try:
            loaded = LOADERS[kind](f)
            if kind == "experiment":
                plan_experiment(loaded, out=tmp_path / "out")
        except ConfigError as exc:
            assert "\n" not in str(exc)

    check()


def test_readme_states_the_declared_limits():
    """The README's table of limits shows the values of :mod:`sim.limits` (declared once, documented)."""
    from sim import limits

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = text[text.index("### Data safety and limits") :]
    for value in (
        f"{limits.MAX_TOML_BYTES:,} bytes",
        f"{limits.MAX_TOML_DEPTH} levels",
        f"1-{limits.MAX_NAME_LENGTH} characters",
        f"| {limits.MAX_POINTS:,} |",
        f"| {limits.MAX_RUNS:,} |",
        f"| {limits.MAX_AGENT_STEPS:,} |",
        f"| {limits.MAX_MEMORY_BYTES // 2**30} GiB |",
        f"| {limits.MAX_WORKERS} (",
        f"| {limits.SCHEDULER_TIMEOUT:g} s, first frame at most {limits.SCHEDULER_MAX_FRAME // 2**20} MiB |",
    ):
        assert value in section, value


# -- calibration: panels and targets files through the command line, refused before any simulation ------------
def _panel_csv(path: Path, edit=None) -> Path:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n, waves = 20, 3
    df = pd.DataFrame(
        {
            "agent": np.tile(np.arange(n), waves),
            "wave": np.repeat(np.arange(waves), n),
            "efficacy_report": rng.uniform(0, 100, n * waves).round(1),
            "test_score": rng.uniform(0, 100, n * waves).round(1),
        }
    ).sort_values(["agent", "wave"], kind="mergesort")
    df = edit(df.reset_index(drop=True)) if edit else df
    df.to_csv(path, index=False)
    return path


def _text_at(df, row: int, col: str, value):
    df = df.astype({col: object})
    df.loc[row, col] = value
    return df


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda d: d.drop(columns="test_score"), ["test_score", "agent, wave, efficacy_report, test_score"]),
        (
            lambda d: d.rename(columns={"efficacy_report": "efficacy"}),
            ["did you mean 'efficacy' for 'efficacy_report'"],
        ),
        (lambda d: _text_at(d, 4, "test_score", "absent"), ["test_score (row 5: agent 1, wave 1)", "'absent'"]),
        (lambda d: d[d["wave"] == 0], ["wave = [0]", "at least two waves"]),
        (lambda d: d.iloc[[1, 0, *range(2, len(d))]], ["wave (row 2: agent 0, wave 0)", "increasing order"]),
        (lambda d: d.assign(efficacy_report=d["efficacy_report"].where(d.index != 7)), ["row 8", "in every row"]),
    ],
)
def test_bad_panel_is_refused_by_calibrate(tmp_path, capsys, edit, words):
    panel = _panel_csv(tmp_path / "panel.csv", edit)
    out = tmp_path / "out"
    one_line_error(cli(capsys, "calibrate", "--panel", str(panel), "--quick", "--out", str(out)), panel.name, *words)
    assert not out.exists()  # refused before any simulation or output


CALIBRATION_TARGETS = (
    '[design]\nagents = 20\nwaves = 2\n[[priors]]\nname = "optimism_sd"\n'
    '[[targets]]\nname = "r_mean"\nvalue = 0.38\nse = 0.07\n'
)


def test_calibration_targets_template_is_valid(tmp_path):
    t = load_targets(_write(tmp_path / "ok.toml", CALIBRATION_TARGETS))
    assert t.statistic_names == ("r_mean",) and t.parameter_names == ("optimism_sd",)


@pytest.mark.parametrize(
    "old, new, words",
    [
        ("se = 0.07\n", "", ["targets[0].se = None", "standard error > 0"]),
        ("se = 0.07", "se = 0", ["targets[0].se = 0", "standard error > 0"]),
        ('"optimism_sd"', '"optimism_sd"\nhigh = 9', ["priors.optimism_sd.high = 9", "declared range [0, 5]"]),
        ('"optimism_sd"', '"optimsm_sd"', ["priors[0].name = 'optimsm_sd'", "did you mean 'optimism_sd'"]),
        ('"r_mean"', '"r_maen"', ["targets[0].name = 'r_maen'", "did you mean 'r_mean'"]),
        ("[[targets]]", "[[targets]", ["valid TOML"]),
    ],
)
def test_bad_targets_file_is_refused_by_calibrate(tmp_path, capsys, old, new, words):
    f = _write(tmp_path / "t.toml", CALIBRATION_TARGETS.replace(old, new))
    out = tmp_path / "out"
    one_line_error(cli(capsys, "calibrate", str(f), "--quick", "--out", str(out)), *words)
    assert not out.exists()  # refused before any simulation or output


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_experiment_base_path_with_nul_is_refused_by_name(tmp_path):
    """A NUL in an experiment's ``base`` path (found by the fuzzer) is a one-line ConfigError, not a ValueError."""
    f = tmp_path / "exp.toml"
    f.write_text('name = "x"\nbase = "\\u0000"\nreplications = 1\n')
    with pytest.raises(ConfigError, match="base") as info:
        Experiment.from_toml(f)
    assert "\n" not in str(info.value)
