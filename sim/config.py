"""Scenario configuration: loading, validation and path-based edits.

A scenario is a TOML file (or a dict of the same shape)::

    name = "example"
    agents = 200
    steps = 150
    seed = 1

    [params]                 # any scalar parameter from sim.params.PARAMS
    mastery_gain_success = 0.6

    [[schedule]]             # difficulty-schedule phases, in order of `start`
    kind = "adaptive"
    start = 0
    target_success = 0.7

    [[shocks]]               # severe failures
    step = 20
    severity = 6

    [[interventions]]        # intervention hooks
    kind = "peer_modelling"
    start = 10
    end = 60
    target = "below"
    threshold = 3

    [domains]                # optional: more than one domain (docs/ODD.md 7.22)
    names = ["maths", "physics", "art"]
    relatedness = [[1, 0.6, 0.1], [0.6, 1, 0.1], [0.1, 0.1, 1]]

Schedule phases, shocks and interventions then take an optional ``domain`` (declared in
:data:`sim.params.DOMAIN_FIELDS`); a scenario without ``[domains]`` has the one domain
:data:`sim.params.DEFAULT_DOMAIN` and is the single-domain model, unchanged.

Every value is checked against its declaration in :mod:`sim.params` before anything runs.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import ConfigError
from sim.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MAX_TOML_BYTES, MAX_TOML_DEPTH
from sim.params import (
    DEFAULT_DOMAIN,
    DOMAIN_FIELDS,
    INTERVENTION_FIELDS,
    MAX_DOMAINS,
    PARAM_BY_NAME,
    RUN_BY_NAME,
    SCHEDULE_FIELDS,
    SHOCK_FIELDS,
    Choice,
    Param,
    event_defaults,
)

_TOP_KEYS = (
    "name",
    "description",
    "agents",
    "steps",
    "seed",
    "params",
    "schedule",
    "shocks",
    "interventions",
    "domains",
)
_EVENT_SPECS = {"schedule": SCHEDULE_FIELDS, "shocks": SHOCK_FIELDS, "interventions": INTERVENTION_FIELDS}
_DOMAIN_SPECS = {f.section: f for f in DOMAIN_FIELDS if f.section != "domains"}
"""The optional ``domain`` field of each event section (kept out of an event's dict when not given)."""


def _unknown(where: str, key: Any, valid: list[str]) -> ConfigError:
    close = difflib.get_close_matches(str(key), valid, n=1)
    hint = f"did you mean {close[0]!r}?" if close else ""
    return ConfigError(where, key, "a known key: " + ", ".join(sorted(valid)), hint)


@dataclass(frozen=True)
class Config:
    """A validated scenario. Build with :meth:`from_dict`, :meth:`from_toml` or :meth:`default`."""

    name: str = "default"
    description: str = ""
    agents: int = 100
    steps: int = 100
    seed: int = 0
    params: dict[str, float] = field(default_factory=dict)
    schedule: tuple[dict[str, Any], ...] = ()
    shocks: tuple[dict[str, Any], ...] = ()
    interventions: tuple[dict[str, Any], ...] = ()
    domains: dict[str, Any] | None = None
    """``{"names": [...], "relatedness": [[...], ...]}`` as declared, or None (the one default domain)."""

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def default(cls, **overrides: Any) -> Config:
        """The default scenario, with top-level or parameter overrides (``agents=50``, ``learn_rate=0.1``)."""
        return cls.from_dict(_split_overrides(overrides))

    @classmethod
    def from_toml(cls, path: str | Path) -> Config:
        """Load and validate a scenario file."""
        path = Path(path)
        data = read_toml(path, "scenario")
        data.setdefault("name", path.stem)
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        """Validate a dict of the TOML shape; unspecified values take their declared defaults."""
        if not isinstance(data, dict):
            raise ConfigError("scenario", data, "a table (dict) of settings")
        for key in data:
            if key not in _TOP_KEYS:
                raise _unknown("scenario", key, list(_TOP_KEYS))
        out: dict[str, Any] = {}
        if "name" in data:
            out["name"] = check_name(data["name"], "name")
        if "description" in data:
            out["description"] = check_text(data["description"], "description")
        for key, spec in RUN_BY_NAME.items():
            out[key] = spec.check(data.get(key, spec.default), key)

        params = data.get("params", {})
        if not isinstance(params, dict):
            raise ConfigError("params", params, "a table of parameter = value")
        checked: dict[str, float] = {}
        for key, value in params.items():
            if key not in PARAM_BY_NAME:
                raise _unknown("params", key, list(PARAM_BY_NAME))
            checked[key] = PARAM_BY_NAME[key].check(value, f"params.{key}")
        out["params"] = {p: checked.get(p, spec.default) for p, spec in PARAM_BY_NAME.items()}

        for section, specs in _EVENT_SPECS.items():
            events = data.get(section, [])
            if isinstance(events, dict):
                events = [events]
            if not isinstance(events, list):
                raise ConfigError(section, events, "a list of tables ([[" + section + "]])")
            out[section] = tuple(_check_event(f"{section}[{i}]", e, specs) for i, e in enumerate(events))
        if not out["schedule"]:
            out["schedule"] = (event_defaults(SCHEDULE_FIELDS),)
        if data.get("domains") is not None:
            out["domains"] = _check_domains(data["domains"])
        cfg = cls(**out)
        cfg._check_consistency()
        return cfg

    def _check_consistency(self) -> None:
        starts = [ph["start"] for ph in self.schedule]
        if starts[0] != 0:
            raise ConfigError("schedule[0].start", starts[0], "0 (the first phase starts at step 0)")
        for i in range(1, len(starts)):
            if starts[i] <= starts[i - 1]:
                raise ConfigError(
                    f"schedule[{i}].start", starts[i], f"a step after schedule[{i - 1}].start = {starts[i - 1]}"
                )
        for i in range(1, len(starts)):
            if starts[i] >= max(self.steps, 1):
                raise ConfigError(
                    f"schedule[{i}].start", starts[i], f"a step before the end of the run (steps = {self.steps})"
                )
        for i, sh in enumerate(self.shocks):
            if sh["step"] >= self.steps:
                raise ConfigError(
                    f"shocks[{i}].step", sh["step"], f"a step before the end of the run (steps = {self.steps})"
                )
        seen: set[str] = set()
        for i, iv in enumerate(self.interventions):
            if iv["kind"] in seen:
                raise ConfigError(
                    f"interventions[{i}].kind", iv["kind"], "each intervention kind at most once per scenario"
                )
            seen.add(iv["kind"])
            if iv["start"] >= self.steps:
                raise ConfigError(
                    f"interventions[{i}].start", iv["start"], f"a step before the end of the run (steps = {self.steps})"
                )
            if iv["end"] <= iv["start"]:
                raise ConfigError(f"interventions[{i}].end", iv["end"], f"a step after start = {iv['start']}")
        self._check_domain_refs()

    # -- domains --------------------------------------------------------------------------------
    @property
    def domain_names(self) -> tuple[str, ...]:
        """The declared domains, in order (the first is the default)."""
        return tuple(self.domains["names"]) if self.domains else (DEFAULT_DOMAIN,)

    def task_domain(self, step: int) -> str:
        """The domain of the task at ``step``: its schedule phase's domain (a list is practised in turn)."""
        ph = [p for p in self.schedule if p["start"] <= step][-1]
        names = ph.get("domain") or [self.domain_names[0]]
        return names[(step - ph["start"]) % len(names)]

    def _check_domain_refs(self) -> None:
        names = self.domain_names
        allowed = "a declared domain: " + ", ".join(map(repr, names))
        if not self.domains:
            allowed += " (declare more in a [domains] table)"
        for i, ph in enumerate(self.schedule):
            for d in ph.get("domain", ()):
                if d not in names:
                    raise ConfigError(f"schedule[{i}].domain", d, allowed)
        for section, steps in (("shocks", "step"), ("interventions", "start")):
            for i, e in enumerate(getattr(self, section)):
                d = e.get("domain")
                if d is None:
                    continue
                if d not in names:
                    raise ConfigError(f"{section}[{i}].domain", d, allowed)
                if self.task_domain(e[steps]) != d:
                    raise ConfigError(
                        f"{section}[{i}].domain",
                        d,
                        f"the domain of the task at {section}[{i}].{steps} = {e[steps]}, "
                        f"which is {self.task_domain(e[steps])!r} (set schedule domains so that step is in {d!r})",
                    )

    # -- access and edits -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON- and TOML-friendly dict that :meth:`from_dict` turns back into this config."""
        return {
            "name": self.name,
            "description": self.description,
            "agents": self.agents,
            "steps": self.steps,
            "seed": self.seed,
            "params": dict(self.params),
            "schedule": [dict(e) for e in self.schedule],
            "shocks": [dict(e) for e in self.shocks],
            "interventions": [dict(e) for e in self.interventions],
        } | ({"domains": copy.deepcopy(self.domains)} if self.domains else {})

    def digest(self) -> str:
        """Stable hash of the config's content."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]

    def get(self, path: str) -> Any:
        """Value at a path such as ``learn_rate``, ``steps``, ``shocks[0].step``."""
        section, index, key = parse_path(path)
        d = self.to_dict()
        if section is None:
            return d[key] if key in RUN_BY_NAME or key in ("name", "description") else d["params"][key]
        return d[section][index].get(key)  # an event's optional `domain` is None when not given

    def replace(self, **changes: Any) -> Config:
        """A new validated config with values changed by path (``cfg.replace(**{"shocks[0].step": 5})``)."""
        return self.with_values(changes)

    def with_values(self, changes: dict[str, Any]) -> Config:
        """A new validated config with the values at the given paths changed.

        A path is a parameter name, a top-level setting (``agents``), an event field
        (``shocks[0].step``), or a whole event list (``schedule``, ``shocks``, ``interventions``).
        """
        if all(isinstance(path, str) and path in PARAM_BY_NAME for path in changes):
            # only parameters: each is checked as from_dict checks it, and no other check reads them
            # (calibration and sweeps change parameters of tens of thousands of configs)
            checked = {k: PARAM_BY_NAME[k].check(v, f"params.{k}") for k, v in changes.items()}
            return dataclasses.replace(self, params={**self.params, **checked})
        d = copy.deepcopy(self.to_dict())
        for path, value in changes.items():
            if (
                path in _EVENT_SPECS or path == "domains"
            ):  # a whole event list or the [domains] table, e.g. {"interventions": [{...}, ...]}
                d[path] = copy.deepcopy(value)
                continue
            section, index, key = parse_path(path)
            if section is None:
                if key in RUN_BY_NAME or key in ("name", "description"):
                    d[key] = value
                else:
                    d["params"][key] = value
            else:
                events = d[section]
                if index >= len(events):
                    raise ConfigError(path, value, f"an existing {section} entry (there are {len(events)})")
                events[index][key] = value
        return Config.from_dict(d)


_NAME_BAD = re.compile(r"[\x00-\x1f\x7f/\\]")


def check_name(value: Any, where: str) -> str:
    """A name that may become a folder name (``results/<name>``), or :class:`ConfigError`.

    Refused: non-strings, ``""``, names over :data:`~sim.limits.MAX_NAME_LENGTH` characters, with ``/``,
    ``\\`` or control characters (NUL included), starting with ``.`` (``.``, ``..``, hidden folders) or
    with surrounding spaces; so a name can never point outside or onto the results folder.
    """
    allowed = (
        f"a string of 1 to {MAX_NAME_LENGTH} characters without '/', '\\' or control characters, not starting "
        "with '.' or a space (it names the results folder)"
    )
    if (
        not isinstance(value, str)
        or not value
        or len(value) > MAX_NAME_LENGTH
        or _NAME_BAD.search(value)
        or value.startswith(".")
        or value != value.strip()
    ):
        raise ConfigError(where, value, allowed)
    return value


def check_text(value: Any, where: str) -> str:
    """A free-text field (a description): a string of at most :data:`~sim.limits.MAX_TEXT_LENGTH` characters."""
    if not isinstance(value, str) or len(value) > MAX_TEXT_LENGTH or "\x00" in value:
        raise ConfigError(where, value, f"a string of at most {MAX_TEXT_LENGTH:,} characters without NUL")
    return value


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """The table in a TOML file, or a :class:`ConfigError` naming ``what`` when it is missing or invalid.

    Refused before parsing: files over :data:`~sim.limits.MAX_TOML_BYTES`, not UTF-8 (UTF-16 and
    binary files are named as such); after parsing: nesting deeper than :data:`~sim.limits.MAX_TOML_DEPTH`.
    """
    try:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(what, str(path), "an existing TOML file")
        size = path.stat().st_size
        if size > MAX_TOML_BYTES:
            raise ConfigError(
                what, str(path), f"a TOML file of at most {MAX_TOML_BYTES:,} bytes", f"it has {size:,} bytes"
            )
        raw = path.read_bytes()
    except (OSError, ValueError, TypeError) as exc:  # ValueError: a NUL in the path
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(what, str(path), "a readable TOML file", str(exc).split("\n")[0]) from None
    # a byte-order mark, or ASCII text with a NUL after (LE) or before (BE) every character
    utf16 = len(raw) >= 4 and ((raw[1] == 0 and raw[3] == 0) or (raw[0] == 0 and raw[2] == 0))
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or utf16:
        raise ConfigError(what, str(path), "a UTF-8 TOML file", "this one looks UTF-16 encoded: save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            what, str(path), "a UTF-8 TOML file", f"byte {exc.start} is not UTF-8: a binary or differently encoded file"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(what, str(path), "valid TOML", str(exc)) from None
    except RecursionError:
        raise ConfigError(what, str(path), f"TOML nested at most {MAX_TOML_DEPTH} levels deep") from None
    where = _too_deep(data, MAX_TOML_DEPTH)
    if where is not None:
        raise ConfigError(what, str(path), f"TOML nested at most {MAX_TOML_DEPTH} levels deep", f"at {where}")
    return data


def _too_deep(data: Any, limit: int) -> str | None:
    """The first key path nested deeper than ``limit`` tables/arrays, else None (iterative: no recursion)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        obj, where, depth = stack.pop()
        if isinstance(obj, (dict, list)):
            if depth > limit:
                return where or "the top"
            items = obj.items() if isinstance(obj, dict) else enumerate(obj)
            for k, v in items:
                if isinstance(v, (dict, list)):
                    key = (f"{where}.{k}" if where else str(k)) if isinstance(obj, dict) else f"{where}[{k}]"
                    stack.append((v, key, depth + 1))
    return None


_PATH = re.compile(r"^(?:(schedule|shocks|interventions)\[(\d+)\]\.)?([A-Za-z_][A-Za-z0-9_]*)$")


def parse_path(path: str) -> tuple[str | None, int, str]:
    """Split ``shocks[0].step`` into (``shocks``, 0, ``step``); ``learn_rate`` into (None, 0, ``learn_rate``).

    Raises :class:`ConfigError` for paths that name nothing declared.
    """
    m = _PATH.match(path) if isinstance(path, str) else None
    if not m:
        raise ConfigError(
            "parameter", path, "a parameter name (e.g. 'learn_rate') or an event field (e.g. 'shocks[0].step')"
        )
    section, index, key = m.group(1), int(m.group(2) or 0), m.group(3)
    if section is None:
        valid = [*PARAM_BY_NAME, *RUN_BY_NAME]
        if key not in valid:
            raise _unknown("parameter", key, valid)
    else:
        valid = [f.name for f in _EVENT_SPECS[section]] + [_DOMAIN_SPECS[section].name]
        if key not in valid:
            raise _unknown(f"{section}[{index}]", key, valid)
    return section, index, key


def spec_for(path: str) -> Param | Choice:
    """The declaration behind a path (used to check sweep ranges)."""
    section, _, key = parse_path(path)
    if section is None:
        return PARAM_BY_NAME.get(key) or RUN_BY_NAME[key]
    if key == _DOMAIN_SPECS[section].name:
        raise ConfigError(path, key, "a numeric or categorical field (a domain cannot be swept)")
    return next(f for f in _EVENT_SPECS[section] if f.name == key)


def _check_event(where: str, event: Any, specs: tuple[Param | Choice, ...]) -> dict[str, Any]:
    if not isinstance(event, dict):
        raise ConfigError(where, event, "a table of field = value")
    section = where.split("[", 1)[0]
    dom = _DOMAIN_SPECS[section]
    names = [s.name for s in specs] + [dom.name]
    for key in event:
        if key not in names:
            raise _unknown(where, key, names)
    out = {s.name: s.check(event.get(s.name, s.default), f"{where}.{s.name}") for s in specs}
    if event.get(dom.name) is not None:  # only when given: single-domain events (and digests) stay as they were
        out[dom.name] = _check_domain_ref(event[dom.name], f"{where}.{dom.name}", dom.kind == "some")
    return out


_DOMAIN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
_NAME_ALLOWED = "a name of 1 to 40 letters, digits or '_', starting with a letter"


def _check_domain_ref(value: Any, where: str, many: bool) -> str | list[str]:
    """The shape of an event's ``domain``: a name (or, for a phase, a non-empty list of names, stored as a list)."""
    if many:
        items = value if isinstance(value, list) else [value]
        if not items or len(items) > 1000 or not all(isinstance(v, str) and _DOMAIN_NAME.match(v) for v in items):
            raise ConfigError(where, value, "a domain name or a non-empty list of domain names")
        return list(items)
    if not isinstance(value, str) or not _DOMAIN_NAME.match(value):
        raise ConfigError(where, value, "a domain name (a string)")
    return value


def _check_domains(data: Any) -> dict[str, Any]:
    """The ``[domains]`` table: distinct names and a symmetric relatedness matrix in [0, 1] with a unit diagonal."""
    if not isinstance(data, dict):
        raise ConfigError("domains", data, "a table with names = [...] and relatedness = [[...], ...]")
    valid = [f.name for f in DOMAIN_FIELDS if f.section == "domains"]
    for key in data:
        if key not in valid:
            raise _unknown("domains", key, valid)
    names = data.get("names")
    if not isinstance(names, list) or not 1 <= len(names) <= MAX_DOMAINS:
        raise ConfigError("domains.names", names, f"a list of 1 to {MAX_DOMAINS} domain names")
    for i, n in enumerate(names):
        if not isinstance(n, str) or not _DOMAIN_NAME.match(n):
            raise ConfigError(f"domains.names[{i}]", n, _NAME_ALLOWED)
        if n in names[:i]:
            raise ConfigError(f"domains.names[{i}]", n, "a name not already in domains.names")
    k = len(names)
    rel = data.get("relatedness")
    if rel is None:
        rel = [[1.0 if i == j else 0.0 for j in range(k)] for i in range(k)]
    if not isinstance(rel, list) or len(rel) != k:
        size = len(rel) if isinstance(rel, list) else "not a list"
        raise ConfigError(
            "domains.relatedness", rel, f"a {k} x {k} matrix (one row per domain in names)", f"got {size} rows"
        )
    out: list[list[float]] = []
    for i, r in enumerate(rel):
        if not isinstance(r, list) or len(r) != k:
            raise ConfigError(f"domains.relatedness[{i}]", r, f"a row of {k} numbers (one per domain in names)")
        row = []
        for j, x in enumerate(r):
            ok = isinstance(x, (int, float)) and not isinstance(x, bool) and 0.0 <= x <= 1.0
            if not ok:
                raise ConfigError(f"domains.relatedness[{i}][{j}]", x, "a number in [0, 1]")
            row.append(float(x))
        out.append(row)
    for i in range(k):
        if out[i][i] != 1.0:
            raise ConfigError(f"domains.relatedness[{i}][{i}]", out[i][i], "1 (a domain is fully related to itself)")
        for j in range(i):
            if out[i][j] != out[j][i]:
                raise ConfigError(
                    f"domains.relatedness[{i}][{j}]",
                    out[i][j],
                    f"the same value as domains.relatedness[{j}][{i}] = {out[j][i]:g} (a symmetric matrix)",
                )
    return {"names": list(names), "relatedness": out}


def _split_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"params": {}}
    for key, value in overrides.items():
        if key in _TOP_KEYS:
            data[key] = value
        else:
            data["params"][key] = value
    return data
