"""An experiment: a base scenario, what to vary, how many replications, and what to keep.

Declared in Python (:class:`Experiment`) or in TOML (:meth:`Experiment.from_toml`); see
``experiments/example_sweep.toml`` for the file shape. Every field is checked when the experiment is
made, and every design point's :class:`~sim.config.Config` is validated before any run starts.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.config import Config, check_name, check_text, parse_path, read_toml, spec_for
from sim.errors import ConfigError
from sim.limits import MAX_POINTS, MAX_RUNS
from sim.params import Param
from sim.provenance import model_fingerprint

SAMPLERS = ("latin", "sobol", "morris")
_EXP_KEYS = (
    "name",
    "description",
    "base",
    "vary",
    "sampler",
    "conditions",
    "replications",
    "steps",
    "seed",
    "outputs",
)
_SAMPLER_KEYS = ("method", "n", "bounds", "num_levels", "second_order")
_OUTPUT_KEYS = ("every", "final_agents", "trajectories", "snapshots")
_EVENT_LISTS = ("schedule", "shocks", "interventions")


def _unknown(where: str, key: Any, valid: tuple[str, ...] | list[str]) -> ConfigError:
    close = difflib.get_close_matches(str(key), list(valid), n=1)
    return ConfigError(
        where, key, "a known key: " + ", ".join(sorted(valid)), f"did you mean {close[0]!r}?" if close else ""
    )


def _whole(value: Any, where: str, low: int, what: str = "", high: int | None = None) -> int:
    """``value`` as a whole number in [low, high], or ConfigError (also for inf, NaN, strings, lists)."""
    allowed = what or (f"a whole number in [{low}, {high:,}]" if high is not None else f"a whole number >= {low}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(where, value, allowed)
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ConfigError(where, value, allowed)
    if value < low or (high is not None and value > high):
        raise ConfigError(where, value, allowed)
    return int(value)


@dataclass(frozen=True)
class Outputs:
    """What each run keeps.

    Parameters
    ----------
    every : keep the model-level series every ``every`` steps (step 0 and the last step always).
    final_agents : keep the final agent table.
    trajectories : keep efficacy, skill, arousal and engagement of this many agents per run (the first
        ``trajectories`` indices) at the series steps.
    snapshots : steps at which to also keep the full agent table (``step = s`` is the state after ``s`` steps).
    """

    every: int = 1
    final_agents: bool = True
    trajectories: int = 0
    snapshots: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "every", _whole(self.every, "outputs.every", 1))
        if not isinstance(self.final_agents, bool):
            raise ConfigError("outputs.final_agents", self.final_agents, "true or false")
        object.__setattr__(self, "trajectories", _whole(self.trajectories, "outputs.trajectories", 0))
        snaps = self.snapshots
        if isinstance(snaps, (int, float)) and not isinstance(snaps, bool):
            snaps = (snaps,)
        if not isinstance(snaps, (list, tuple)):
            raise ConfigError("outputs.snapshots", snaps, "a list of steps")
        snaps = tuple(sorted({_whole(s, "outputs.snapshots", 0, "a list of steps >= 0") for s in snaps}))
        object.__setattr__(self, "snapshots", snaps)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Outputs:
        if not isinstance(d, dict):
            raise ConfigError("outputs", d, "a table with " + ", ".join(_OUTPUT_KEYS))
        for k in d:
            if k not in _OUTPUT_KEYS:
                raise _unknown("outputs", k, _OUTPUT_KEYS)
        return cls(**d)

    def to_dict(self) -> dict[str, Any]:
        return {
            "every": self.every,
            "final_agents": self.final_agents,
            "trajectories": self.trajectories,
            "snapshots": list(self.snapshots),
        }


@dataclass(frozen=True)
class Experiment:
    """A sweep: design points (grid x sampler rows x conditions) times replications.

    Parameters
    ----------
    name : results folder name.
    base : the base scenario (a Config, a scenario dict, or a path to a scenario TOML file).
    vary : grid, ``{config path: [values]}`` (cartesian product); a value list may also be given as
        ``{"start": a, "stop": b, "num": n}`` (evenly spaced).
    sampler : ``{"method": "latin"|"sobol"|"morris", "n": N, "bounds": {path: [low, high]}}`` (SALib);
        sobol also takes ``second_order`` (default False), morris ``num_levels`` (default 4).
    conditions : named variants, each a dict of config edits (paths or whole event lists).
    replications : runs per design point; replicate r of every point uses the same random stream.
    steps : steps per run (default ``base.steps``).
    seed : experiment seed.
    outputs : what each run keeps (:class:`Outputs`).
    description : free text.
    """

    name: str = "experiment"
    base: Any = field(default_factory=Config.default)
    vary: dict[str, Any] = field(default_factory=dict)
    sampler: dict[str, Any] | None = None
    conditions: dict[str, dict[str, Any]] = field(default_factory=dict)
    replications: int = 1
    steps: int | None = None
    seed: int = 0
    outputs: Outputs = field(default_factory=Outputs)
    description: str = ""

    def __post_init__(self) -> None:
        check_name(self.name, "name")
        check_text(self.description, "description")
        base = self.base
        if isinstance(base, (str, Path)):
            base = Config.from_toml(base)
        elif isinstance(base, dict):
            base = Config.from_dict(base)
        elif not isinstance(base, Config):
            raise ConfigError("base", base, "a Config, a scenario table or a path to a scenario TOML file")
        if self.steps is not None:
            base = base.with_values({"steps": _whole(self.steps, "steps", 0)})
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "steps", base.steps)
        object.__setattr__(self, "replications", _whole(self.replications, "replications", 1, high=MAX_RUNS))
        object.__setattr__(self, "seed", int(spec_for("seed").check(self.seed, "seed")))
        outputs = self.outputs
        if isinstance(outputs, dict):
            outputs = Outputs.from_dict(outputs)
        elif not isinstance(outputs, Outputs):
            raise ConfigError("outputs", outputs, "an Outputs or a table with " + ", ".join(_OUTPUT_KEYS))
        for s in outputs.snapshots:
            if s > base.steps:
                raise ConfigError("outputs.snapshots", s, f"steps between 0 and steps = {base.steps}")
        object.__setattr__(self, "outputs", outputs)
        object.__setattr__(self, "vary", _check_vary(self.vary))
        object.__setattr__(self, "sampler", _check_sampler(self.sampler, self.vary))
        object.__setattr__(self, "conditions", _check_conditions(self.conditions))
        _check_size(self)

    # -- files --------------------------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path) -> Experiment:
        """Load an experiment file; ``base`` may be an inline table or a scenario path relative to the file."""
        path = Path(path)
        data = read_toml(path, "experiment")
        data.setdefault("name", path.stem)
        if isinstance(data.get("base"), str):
            if "\x00" in data["base"]:  # Path.resolve would fail with a bare ValueError
                raise ConfigError("base", data["base"], "a path to a scenario TOML file (without NUL)")
            data["base"] = str((path.parent / data["base"]).resolve())
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Experiment:
        """An experiment from a dict of the TOML shape (unknown keys are refused with a suggestion)."""
        if not isinstance(data, dict):
            raise ConfigError("experiment", data, "a table of settings")
        for key in data:
            if key not in _EXP_KEYS:
                raise _unknown("experiment", key, _EXP_KEYS)
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict that :meth:`from_dict` turns back into this experiment."""
        return {
            "name": self.name,
            "description": self.description,
            "base": self.base.to_dict(),
            "vary": {k: list(v) for k, v in self.vary.items()},
            "sampler": None if self.sampler is None else _plain(self.sampler),
            "conditions": _plain(self.conditions),
            "replications": self.replications,
            "steps": self.steps,
            "seed": self.seed,
            "outputs": self.outputs.to_dict(),
        }

    def digest(self) -> str:
        """Hash of everything that determines the results: the experiment (names and descriptions
        left out) and the model's code (:func:`sim.provenance.model_fingerprint`)."""
        d = self.to_dict()
        for k in ("name", "description"):
            d.pop(k)
            d["base"].pop(k)
        d["model"] = model_fingerprint()
        # key order is kept: the order of vary and conditions fixes the point (and run) indices
        return hashlib.sha256(json.dumps(d).encode()).hexdigest()[:16]


def _plain(obj: Any) -> Any:
    """A JSON-friendly deep copy (NumPy scalars and tuples become plain numbers and lists)."""
    return json.loads(json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else list(o)))


def sampler_rows(sampler: dict[str, Any] | None) -> int:
    """How many rows a (checked) sampler draws: SALib's sizes for each method."""
    if not sampler:
        return 1
    n, d = sampler["n"], len(sampler["bounds"])
    if sampler["method"] == "sobol":
        return n * (2 * d + 2 if sampler.get("second_order") else d + 2)
    if sampler["method"] == "morris":
        return n * (d + 1)
    return n


def _check_size(exp: Experiment) -> None:
    """Refuse designs over :data:`~sim.limits.MAX_POINTS` points or :data:`~sim.limits.MAX_RUNS` runs
    before any point is built (a grid's product can explode)."""
    grid = math.prod(len(v) for v in exp.vary.values())
    points = grid * sampler_rows(exp.sampler) * max(1, len(exp.conditions))
    if points > MAX_POINTS:
        raise ConfigError(
            "vary",
            f"{points:,} design points",
            f"at most {MAX_POINTS:,} design points (sim.limits.MAX_POINTS)",
            f"grid {grid:,} x sampler rows {sampler_rows(exp.sampler):,} x conditions {max(1, len(exp.conditions))}",
        )
    if points * exp.replications > MAX_RUNS:
        raise ConfigError(
            "replications",
            exp.replications,
            f"at most {MAX_RUNS:,} runs in all (sim.limits.MAX_RUNS)",
            f"{points:,} design points x {exp.replications:,} replications = {points * exp.replications:,} runs",
        )


# -- field checks ---------------------------------------------------------------------------------
def _path_spec(path: Any, where: str) -> Any:
    if not isinstance(path, str):
        raise ConfigError(where, path, "a config path such as 'learn_rate' or 'shocks[0].step'")
    if path == "seed":
        raise ConfigError(where, path, "a model parameter (the experiment seed is set by `seed`, streams by replicate)")
    try:
        parse_path(path)
    except ConfigError as exc:
        raise ConfigError(f"{where}.{path}" if where != "vary" else "vary", path, exc.allowed, _hint(exc)) from None
    return spec_for(path)


def _hint(exc: ConfigError) -> str:
    msg = str(exc)
    return msg[msg.rfind("(") + 1 : -1] if msg.endswith(")") else ""


def _check_vary(vary: Any) -> dict[str, tuple[Any, ...]]:
    if vary is None:
        return {}
    if not isinstance(vary, dict):
        raise ConfigError("vary", vary, "a table of config path = [values]")
    out: dict[str, tuple[Any, ...]] = {}
    for path, values in vary.items():
        spec = _path_spec(path, "vary")
        where = f"vary.{path}"
        if isinstance(values, dict):
            values = _linspace(values, where, spec)
        if isinstance(values, (str, int, float)) and not isinstance(values, bool):
            values = [values]
        if not isinstance(values, (list, tuple)):
            raise ConfigError(where, values, "a list of values")
        if len(values) == 0:
            raise ConfigError(where, [], "a non-empty list of values (an empty grid has no runs)")
        checked = tuple(spec.check(v, where) for v in values)
        if len(set(checked)) != len(checked):
            raise ConfigError(where, list(values), "a list without repeated values")
        out[path] = checked
    return out


def _linspace(d: dict[str, Any], where: str, spec: Any) -> list[float]:
    import numpy as np

    keys = ("start", "stop", "num")
    for k in d:
        if k not in keys:
            raise _unknown(where, k, keys)
    if set(d) != set(keys):
        raise ConfigError(where, d, "a list of values or a table {start, stop, num}")
    num = _whole(d["num"], f"{where}.num", 1, high=MAX_POINTS)
    for k in ("start", "stop"):
        v = d[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ConfigError(f"{where}.{k}", v, "a finite number")
    vals = np.linspace(float(d["start"]), float(d["stop"]), num)
    if isinstance(spec, Param) and spec.integer:
        vals = np.unique(np.round(vals))
    return [int(v) if isinstance(spec, Param) and spec.integer else float(v) for v in vals]


def _check_sampler(sampler: Any, vary: dict[str, Any]) -> dict[str, Any] | None:
    if sampler is None or sampler == {}:
        return None
    if not isinstance(sampler, dict):
        raise ConfigError("sampler", sampler, "a table with method, n and bounds")
    for k in sampler:
        if k not in _SAMPLER_KEYS:
            raise _unknown("sampler", k, _SAMPLER_KEYS)
    method = sampler.get("method")
    if method not in SAMPLERS:
        raise ConfigError("sampler.method", method, "one of " + ", ".join(map(repr, SAMPLERS)))
    n = _whole(sampler.get("n"), "sampler.n", 1, f"a whole number of samples in [1, {MAX_POINTS:,}]", MAX_POINTS)
    bounds = sampler.get("bounds")
    if not isinstance(bounds, dict) or not bounds:
        raise ConfigError(
            "sampler.bounds", bounds, "a non-empty table of config path = [low, high] (a sampler needs bounds)"
        )
    checked: dict[str, list[float]] = {}
    for path, b in bounds.items():
        spec = _path_spec(path, "sampler.bounds")
        where = f"sampler.bounds.{path}"
        if not isinstance(spec, Param):
            raise ConfigError(where, b, "a numeric parameter (a categorical field cannot be sampled; use vary)")
        if path in vary:
            raise ConfigError(where, b, "a path not also in vary")
        if not isinstance(b, (list, tuple)) or len(b) != 2:
            raise ConfigError(where, b, f"[low, high] within [{spec.low:g}, {spec.high:g}]")
        lo, hi = (spec.check(v, where) for v in b)
        if not lo < hi:
            raise ConfigError(where, list(b), "[low, high] with low < high")
        checked[path] = [lo, hi]
    out: dict[str, Any] = {"method": method, "n": n, "bounds": checked}
    if method == "morris":
        out["num_levels"] = _whole(sampler.get("num_levels", 4), "sampler.num_levels", 2, high=1000)
    elif "num_levels" in sampler:
        raise ConfigError("sampler.num_levels", sampler["num_levels"], "only with method = 'morris'")
    if method == "sobol":
        so = sampler.get("second_order", False)
        if not isinstance(so, bool):
            raise ConfigError("sampler.second_order", so, "true or false")
        out["second_order"] = so
    elif "second_order" in sampler:
        raise ConfigError("sampler.second_order", sampler["second_order"], "only with method = 'sobol'")
    return out


def _check_conditions(conditions: Any) -> dict[str, dict[str, Any]]:
    if conditions is None:
        return {}
    if not isinstance(conditions, dict):
        raise ConfigError("conditions", conditions, "a table of name = {config edits}")
    out = {}
    for name, edits in conditions.items():
        check_name(name, "conditions")
        if edits is None:
            edits = {}
        if not isinstance(edits, dict):
            raise ConfigError(f"conditions.{name}", edits, "a table of config path = value")
        for path in edits:
            if path not in _EVENT_LISTS:
                _path_spec(path, f"conditions.{name}")
        out[name] = dict(edits)
    return out
