"""Intervention strategies: named, declared combinations of the model's intervention hooks and schedules.

A *strategy* is what a teacher, coach or parent would do, written as config edits: a list of intervention
hooks (``sim.params.INTERVENTION_KINDS``, each with an ``intensity``), difficulty-schedule phases to use
while it runs, and values of the hooks' constants (the ``interventions`` group of :data:`sim.params.PARAMS`).
Its timing and targeting (``start``, ``end``, ``target``, ``threshold``, declared once in
:data:`sim.params.INTERVENTION_FIELDS`) apply to all its parts and can be overridden when it is applied, so
the same strategy can be given early or late, to everyone or only to agents below an efficacy threshold.

The shipped library is ``sim/scenarios/strategies/builtin.toml``; users add their own in a TOML file of the
same shape::

    [strategies.ladder_and_peers]
    description = "Mastery ladder plus a peer model one stage ahead, at half intensity"
    combine = ["mastery_ladder"]          # optional: include other strategies' parts
    start = 10                            # optional timing / targeting (defaults: sim.params)
    end = 60
    target = "below"
    threshold = 3.0

    [[strategies.ladder_and_peers.interventions]]
    kind = "peer_modelling"
    intensity = 0.5

    [[strategies.ladder_and_peers.schedule]]   # phases while the strategy runs; start is relative to it
    kind = "adaptive"
    target_success = 0.6

    [strategies.ladder_and_peers.params]       # constants of the intervention hooks
    ladder_step = 0.2

Every value is validated through :class:`sim.config.Config`, so a bad field gets the same clear
:class:`~sim.errors.ConfigError` as any config, with the strategy's name in the field path.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from sim.config import Config, check_name, read_toml
from sim.errors import ConfigError
from sim.params import INTERVENTION_FIELDS, PARAMS, SCHEDULE_FIELDS

CONTROL = "control"
"""Reserved name of the comparison baseline (no strategy)."""

WINDOW_FIELDS = ("start", "end", "target", "threshold")
"""Timing and targeting fields of a strategy (declared in :data:`sim.params.INTERVENTION_FIELDS`)."""

EVENT_FIELDS = ("kind", "intensity")
"""Fields an intervention entry of a strategy may set (timing and targeting are set for the whole strategy)."""

HOOK_PARAMS = tuple(p.name for p in PARAMS if p.group == "interventions")
"""Parameters a strategy may set: the constants of the intervention hooks. Others describe the world."""

_KEYS = ("description", "source", "combine", "interventions", "schedule", "params", *WINDOW_FIELDS)
_WINDOW_SPECS = {f.name: f for f in INTERVENTION_FIELDS if f.name in WINDOW_FIELDS}
_BUILTIN = resources.files("sim") / "scenarios" / "strategies" / "builtin.toml"


def _unknown(where: str, key: Any, valid: Iterable[str]) -> ConfigError:
    valid = sorted(valid)
    close = difflib.get_close_matches(str(key), valid, n=1)
    return ConfigError(where, key, "one of " + ", ".join(valid), f"did you mean {close[0]!r}?" if close else "")


def _rewrap(exc: ConfigError, prefix: str, phase_shift: int = 0) -> ConfigError:
    """The same error with the field path placed inside a strategy (``strategies.NAME.<field>``).

    ``phase_shift`` renumbers ``schedule[i]`` paths (validation puts a probe phase first).
    """
    fld = re.sub(r"^schedule\[(\d+)\]", lambda m: f"schedule[{int(m.group(1)) - phase_shift}]", exc.field)
    hint = str(exc).split(f"expected {exc.allowed}", 1)[-1].strip().removeprefix("(").removesuffix(")")
    return ConfigError(f"{prefix}.{fld}", exc.value, exc.allowed, hint)


@dataclass(frozen=True)
class Strategy:
    """A named intervention strategy.

    Attributes
    ----------
    name : key in the library (``efficacy-sim compare NAME``).
    description : one line, shown by ``efficacy-sim compare --list`` and in result tables.
    source : where the idea comes from.
    interventions : intervention entries ``{"kind": ..., "intensity": ...}`` (all declared fields filled).
    schedule : schedule phases used while the strategy runs; each ``start`` is relative to the strategy's start.
    params : values of intervention-hook constants (``ladder_step``, ``praise_inflation``, ...).
    start, end, target, threshold : timing and targeting of every part (see ``sim.params.INTERVENTION_FIELDS``).
    """

    name: str
    description: str = ""
    source: str = ""
    interventions: tuple[dict[str, Any], ...] = ()
    schedule: tuple[dict[str, Any], ...] = ()
    params: dict[str, float] = field(default_factory=dict)
    start: int = int(_WINDOW_SPECS["start"].default)
    end: int = int(_WINDOW_SPECS["end"].default)
    target: str = str(_WINDOW_SPECS["target"].default)
    threshold: float = float(_WINDOW_SPECS["threshold"].default)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Intervention hooks the strategy uses."""
        return tuple(iv["kind"] for iv in self.interventions)

    def window(self, **overrides: Any) -> dict[str, Any]:
        """Timing and targeting after ``overrides`` (None values are ignored), checked against their declarations."""
        w = {k: getattr(self, k) for k in WINDOW_FIELDS}
        for key, value in overrides.items():
            if key not in WINDOW_FIELDS:
                raise _unknown(f"strategies.{self.name}", key, WINDOW_FIELDS)
            if value is not None:
                w[key] = _WINDOW_SPECS[key].check(value, f"strategies.{self.name}.{key}")
        if w["end"] <= w["start"]:
            raise ConfigError(f"strategies.{self.name}.end", w["end"], f"a step after start = {w['start']}")
        if self.schedule and w["target"] != "all":
            raise ConfigError(
                f"strategies.{self.name}.target",
                w["target"],
                "'all' (this strategy changes the difficulty schedule, which applies to every agent)",
            )
        return w

    def with_window(self, **overrides: Any) -> Strategy:
        """A copy with timing/targeting changed (validated)."""
        return replace(self, **self.window(**overrides))

    def edits(self, base: Config, **overrides: Any) -> dict[str, Any]:
        """Config edits (for :meth:`Config.with_values` or an engine condition) that add this strategy to ``base``.

        The strategy's interventions are appended to ``base``'s; its schedule phases replace ``base``'s
        schedule between ``start`` and ``end``, after which the base phase in force at ``end`` resumes.
        """
        w = self.window(**overrides)
        out: dict[str, Any] = dict(self.params)
        if self.interventions:
            ivs = [dict(iv, **w) for iv in self.interventions]
            out["interventions"] = [dict(e) for e in base.interventions] + ivs
        if self.schedule:
            out["schedule"] = splice_schedule(base.schedule, self.schedule, w["start"], w["end"])
        return out

    def apply(self, base: Config, **overrides: Any) -> Config:
        """``base`` with this strategy added (a validated config)."""
        try:
            return base.with_values(self.edits(base, **overrides))
        except ConfigError as exc:
            if exc.field.startswith("strategies."):
                raise
            raise _rewrap(exc, f"strategies.{self.name} (applied to {base.name!r})") from None


def splice_schedule(
    base: Iterable[dict[str, Any]], phases: Iterable[dict[str, Any]], start: int, end: int
) -> list[dict[str, Any]]:
    """``base`` schedule phases with ``phases`` (starts relative to ``start``) in force during ``[start, end)``.

    The base phase in force at ``end`` resumes at ``end``; a resumed ramp continues from the level it
    would have reached, so only the strategy's window differs from the base schedule.
    """
    base = [dict(p) for p in base]
    out = [p for p in base if p["start"] < start]
    for p in phases:
        s = start + int(p["start"])
        if s < end and (not out or s > out[-1]["start"]):
            out.append(dict(p, start=s))
    resumed = [p for p in base if p["start"] <= end]
    if resumed:
        cur = dict(resumed[-1])
        if cur["start"] < end:
            if cur["kind"] == "ramp":
                cur["level"] = min(max(cur["level"] + cur["ramp_rate"] * (end - cur["start"]), 0.0), 10.0)
            cur["start"] = end
        out.append(cur)
    out += [p for p in base if p["start"] > end]
    return out


# ---------------------------------------------------------------------------------------------------
# Parsing and the library
# ---------------------------------------------------------------------------------------------------
def _check_strategy(name: str, data: Any) -> dict[str, Any]:
    """Validate one strategy table (except ``combine``, resolved later) through :class:`Config`."""
    check_name(name, "strategies")  # a strategy name becomes a condition name in tables and plots
    where = f"strategies.{name}"
    if name == CONTROL:
        raise ConfigError("strategies", name, "a name other than 'control' (reserved for the baseline)")
    if not isinstance(data, dict):
        raise ConfigError(where, data, "a table of strategy fields")
    for key in data:
        if key not in _KEYS:
            raise _unknown(where, key, _KEYS)
    out: dict[str, Any] = {"name": name}
    for key in ("description", "source"):
        if key in data:
            if not isinstance(data[key], str):
                raise ConfigError(f"{where}.{key}", data[key], "a string")
            out[key] = data[key]
    for key in WINDOW_FIELDS:
        if key in data:
            out[key] = _WINDOW_SPECS[key].check(data[key], f"{where}.{key}")

    ivs = data.get("interventions", [])
    if isinstance(ivs, dict):
        ivs = [ivs]
    if not isinstance(ivs, list):
        raise ConfigError(f"{where}.interventions", ivs, "a list of tables ([[strategies.NAME.interventions]])")
    for i, iv in enumerate(ivs):
        if isinstance(iv, dict):
            for key in iv:
                if key not in EVENT_FIELDS:
                    allowed = "one of " + ", ".join(EVENT_FIELDS)
                    hint = (
                        "timing and targeting are set for the whole strategy"
                        if key in WINDOW_FIELDS
                        else (
                            f"did you mean {c[0]!r}?" if (c := difflib.get_close_matches(key, EVENT_FIELDS, 1)) else ""
                        )
                    )
                    raise ConfigError(f"{where}.interventions[{i}]", key, allowed, hint)
    phases = data.get("schedule", [])
    if isinstance(phases, dict):
        phases = [phases]
    if not isinstance(phases, list):
        raise ConfigError(f"{where}.schedule", phases, "a list of tables ([[strategies.NAME.schedule]])")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise ConfigError(f"{where}.params", params, "a table of parameter = value")
    for key in params:
        if key not in HOOK_PARAMS:
            raise ConfigError(
                f"{where}.params",
                key,
                "an intervention-hook constant: " + ", ".join(HOOK_PARAMS),
                "other parameters describe the learners and their world, not the strategy",
            )

    start_spec = next(f for f in SCHEDULE_FIELDS if f.name == "start")
    prev = -1
    for i, ph in enumerate(phases):
        if not isinstance(ph, dict):
            break  # Config reports it below
        s = start_spec.check(ph.get("start", 0), f"{where}.schedule[{i}].start")
        if (i == 0 and s != 0) or s <= prev:
            allowed = (
                "0 (relative to the strategy's start)" if i == 0 else f"a step after schedule[{i - 1}].start = {prev}"
            )
            raise ConfigError(f"{where}.schedule[{i}].start", s, allowed)
        prev = s

    # Validate the parts exactly as a config would (same declarations, same messages).
    probe_phases = [dict(p, start=p.get("start", 0) + 1) if isinstance(p, dict) else p for p in phases]
    try:
        cfg = Config.from_dict({"interventions": ivs, "schedule": [{"start": 0}, *probe_phases], "params": params})
    except ConfigError as exc:
        raise _rewrap(exc, where, phase_shift=1) from None
    if phases:
        starts = [int(p["start"]) - 1 for p in cfg.schedule[1:]]
        out["schedule"] = tuple({**p, "start": s} for p, s in zip(cfg.schedule[1:], starts, strict=True))
    out["interventions"] = tuple({k: iv[k] for k in EVENT_FIELDS} for iv in cfg.interventions)
    out["params"] = {k: cfg.params[k] for k in params}
    out["combine"] = _check_combine(where, data.get("combine", []))
    return out


def _check_combine(where: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}.combine", value, "a list of strategy names")
    return tuple(value)


class Library(Mapping[str, Strategy]):
    """Named strategies, in definition order. Look up with ``lib[name]`` (unknown names: ConfigError)."""

    def __init__(self, strategies: Iterable[Strategy] = ()) -> None:
        self._s: dict[str, Strategy] = {}
        for s in strategies:
            self._s[s.name] = s

    def __getitem__(self, name: str) -> Strategy:
        if name == CONTROL:
            raise ConfigError("strategy", name, "a strategy name ('control' is the baseline, always included)")
        if name not in self._s:
            raise _unknown("strategy", name, self._s)
        return self._s[name]

    def __contains__(self, name: object) -> bool:
        return name in self._s

    def get_strategy(self, name: str) -> Strategy:
        """Same as ``lib[name]``."""
        return self[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._s)

    def __len__(self) -> int:
        return len(self._s)

    @classmethod
    def from_dict(cls, data: Any, origin: str = "strategies", base: Library | None = None) -> Library:
        """Parse ``{"strategies": {name: table}}`` (a TOML document); ``combine`` may name strategies in ``base``."""
        if not isinstance(data, dict):
            raise ConfigError(origin, data, "a TOML document with [strategies.NAME] tables")
        extra = [k for k in data if k != "strategies"]
        if extra:
            raise ConfigError(origin, extra[0], "only [strategies.NAME] tables")
        tables = data.get("strategies", {})
        if not isinstance(tables, dict):
            raise ConfigError(f"{origin}: strategies", tables, "tables [strategies.NAME]")
        known = dict(base._s) if base is not None else {}
        for name in tables:
            if name in known:
                raise ConfigError("strategies", name, "a name not already defined (choose another name)")
        raw = {name: _check_strategy(name, t) for name, t in tables.items()}
        resolved: dict[str, Strategy] = {}

        def resolve(name: str, stack: tuple[str, ...]) -> Strategy:
            if name in resolved:
                return resolved[name]
            if name in known and name not in raw:
                return known[name]
            if name not in raw:
                raise _unknown(f"strategies.{stack[-1]}.combine", name, [*known, *raw])
            if name in stack:
                raise ConfigError(f"strategies.{name}.combine", name, "no cycle of combined strategies")
            r = dict(raw[name])
            parts = [resolve(n, (*stack, name)) for n in r.pop("combine")]
            ivs = [iv for p in parts for iv in p.interventions] + list(r["interventions"])
            phases = r["schedule"] if r.get("schedule") else next((p.schedule for p in parts if p.schedule), ())
            params: dict[str, float] = {}
            for p in parts:
                params.update(p.params)
            params.update(r["params"])
            kinds = [iv["kind"] for iv in ivs]
            dup = next((k for k in kinds if kinds.count(k) > 1), None)
            if dup:
                raise ConfigError(f"strategies.{name}", dup, "each intervention kind at most once per strategy")
            r.update(interventions=tuple(ivs), schedule=tuple(phases), params=params)
            s = Strategy(**r)
            if not s.interventions and not s.schedule:
                raise ConfigError(f"strategies.{name}", "no interventions or schedule", "at least one part")
            s.window()  # checks end > start and targeting of schedule strategies
            resolved[name] = s
            return s

        for name in raw:
            resolve(name, ())
        return cls([*known.values(), *(resolved[n] for n in raw)])

    @classmethod
    def from_toml(cls, path: str | Path, base: Library | None = None) -> Library:
        """Strategies from a TOML file (added to ``base`` when given)."""
        return cls.from_dict(read_toml(path, "strategies file"), origin=str(path), base=base)

    @classmethod
    def builtin(cls) -> Library:
        """The shipped library (``sim/scenarios/strategies/builtin.toml``)."""
        return cls.from_dict(tomllib.loads(_BUILTIN.read_text()), origin="builtin strategies")


def load_library(paths: Iterable[str | Path] = ()) -> Library:
    """The shipped strategies plus those in the user's TOML files, in order."""
    lib = Library.builtin()
    for p in paths:
        lib = Library.from_toml(p, base=lib)
    return lib


def get_strategy(name: str, paths: Iterable[str | Path] = ()) -> Strategy:
    """A strategy by name from :func:`load_library` (ConfigError listing the known names if unknown)."""
    return load_library(paths)[name]
