"""Simulation side of the dashboard: control values -> Config, whole runs computed at once, presets, files.

No Solara here, so it is importable and testable without a browser. The dashboard keeps a flat dict of
control values (one entry per control, keyed by a path such as ``learn_rate``, ``schedule.kind`` or
``shock.on``); :func:`to_config` turns it into a validated :class:`~sim.config.Config`, so every range
check is the declaration's own, plus the dashboard's own :data:`LIMITS` (a session must stay small).

A run is computed whole with the array core (:class:`~sim.batch.Batch`, a few ms a step) into a
:class:`Recording` that keeps, per step, the per-learner arrays playback needs; the page then plays it
back frame by frame. Computing checks a cancel flag every step, so a new scenario (or a server
shutdown) stops the old one at once.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import numpy as np

from sim import Config
from sim.errors import ConfigError
from sim.metrics import summarise, summarise_domains
from sim.params import INTERVENTION_FIELDS, PARAMS, RUN, SCHEDULE_FIELDS, SHOCK_FIELDS, event_defaults

NONE = "none"
"""Value of the strategy selector meaning 'no intervention'."""

# Fields of the one schedule phase the dashboard edits: it always starts at step 0.
SCHEDULE_CONTROLS = tuple(f for f in SCHEDULE_FIELDS if f.name != "start")
# Which schedule fields a kind reads (sim/mechanisms/schedules.py); the others are hidden in the page.
_TASK = ("ambiguity", "complexity")  # properties of the task whatever the schedule kind
SCHEDULE_USES: dict[str, tuple[str, ...]] = {
    "constant": ("level", *_TASK),
    "ramp": ("level", "ramp_rate", *_TASK),
    "adaptive": ("level", "target_success", "step_size", *_TASK),
    "random": ("level", "spread", *_TASK),
    "self_chosen": ("offset", "spread", *_TASK),
}
# The intervention fields the dashboard edits: the window and targeting of the chosen strategy.
WINDOW_CONTROLS = tuple(f for f in INTERVENTION_FIELDS if f.name != "kind")

LIMITS: dict[str, int] = {"agents": 5000, "steps": 1000, "agent_steps": 1_000_000}
"""What the dashboard accepts (not model limits; the command line has none of these).

A run is recorded whole (about 41 bytes per learner and step), so ``agents * steps`` is capped too:
at most ~41 MB a run, and a run computes in about a second. Longer or larger runs: ``efficacy-sim run``.
"""
RECORD_BYTES_PER_AGENT_STEP = 9 * 4 + 5  # float32 fields + uint8 flags (see FLOAT_FIELDS, FLAG_FIELDS)


def default_values() -> dict[str, Any]:
    """Every control's starting value, taken from the declarations in :mod:`sim.params`."""
    values: dict[str, Any] = {p.name: p.default for p in RUN}
    values["agents"] = 1000  # a population that shows distributions well and still computes instantly
    values.update({p.name: p.default for p in PARAMS})
    values.update({f"schedule.{k}": v for k, v in event_defaults(SCHEDULE_CONTROLS).items()})
    values["shock.on"] = False
    values.update({f"shock.{k}": v for k, v in event_defaults(SHOCK_FIELDS).items()})
    values.update({f"intervention.{k}": v for k, v in event_defaults(WINDOW_CONTROLS).items()})
    values["strategy"] = NONE
    values["intervention.start"] = values["steps"] // 10  # the comparison's default window: 10%-60%
    values["intervention.end"] = (values["steps"] * 6) // 10
    values.update(dict.fromkeys(DOMAIN_KEYS, ""))  # one domain unless a preset or the page declares more
    return values


DOMAIN_KEYS = ("domains.names", "domains.relatedness", "schedule.domain", "shock.domain", "intervention.domain")
"""Domain settings as text (a link carries them): names ``"maths, physics"``, relatedness rows
``"1, 0.6; 0.6, 1"``, the domains the tasks practise in turn, the shock's domain and the domain the
intervention works in (empty: every domain; docs/ODD.md 7.22)."""


def _names(text: str) -> list[str]:
    return [n.strip() for n in str(text).split(",") if n.strip()]


def _matrix(text: str) -> list[list[float]]:
    try:
        return [[float(x) for x in row.split(",")] for row in str(text).split(";") if row.strip()]
    except ValueError:
        raise ConfigError(
            "domains.relatedness", text, "rows of numbers separated by ';', numbers by ',' (e.g. 1, 0.6; 0.6, 1)"
        ) from None


def _domain_text(cfg: Config) -> dict[str, str]:
    """The domain settings of ``cfg`` as the page's text values (empty for the one default domain)."""
    out = dict.fromkeys(DOMAIN_KEYS, "")
    if not cfg.domains:
        return out
    out["domains.names"] = ", ".join(cfg.domains["names"])
    if cfg.domains.get("relatedness") is not None:
        out["domains.relatedness"] = "; ".join(", ".join(f"{x:g}" for x in row) for row in cfg.domains["relatedness"])
    domain = cfg.schedule[0].get("domain")
    out["schedule.domain"] = ", ".join([domain] if isinstance(domain, str) else domain or [])
    if cfg.shocks and cfg.shocks[0].get("domain"):
        out["shock.domain"] = cfg.shocks[0]["domain"]
    if cfg.interventions and cfg.interventions[0].get("domain"):
        out["intervention.domain"] = cfg.interventions[0]["domain"]
    return out


def check_limits(values: dict[str, Any]) -> None:
    """Raise :class:`ConfigError` when a run is larger than the dashboard accepts (:data:`LIMITS`)."""
    agents, steps = values["agents"], values["steps"]
    for key, value in (("agents", agents), ("steps", steps)):
        if isinstance(value, (int, float)) and value > LIMITS[key]:
            raise ConfigError(key, value, f"at most {LIMITS[key]:,} in the dashboard (use efficacy-sim run for more)")
    if isinstance(agents, (int, float)) and isinstance(steps, (int, float)) and agents * steps > LIMITS["agent_steps"]:
        most = LIMITS["agent_steps"] // max(int(agents), 1)
        raise ConfigError(
            "steps",
            steps,
            f"at most {most:,} with {int(agents):,} learners in the dashboard "
            f"(learners x steps <= {LIMITS['agent_steps']:,}; use efficacy-sim run for more)",
        )


def library():
    """The strategy library (shipped strategies), loaded once."""
    global _LIBRARY
    if _LIBRARY is None:
        from sim.strategies import load_library

        _LIBRARY = load_library()
    return _LIBRARY


_LIBRARY = None


def to_config(values: dict[str, Any], strategy: str | None = None, name: str = "dashboard") -> Config:
    """Build and validate the scenario described by the control values.

    Parameters
    ----------
    values : control values as returned by :func:`default_values` (possibly edited).
    strategy : override of ``values["strategy"]`` (a strategy name or ``"none"``).
    name : scenario name.

    Raises
    ------
    sim.errors.ConfigError
        Naming the field, the value and what is allowed.
    """
    check_limits(values)
    data: dict[str, Any] = {"name": name, **{p.name: values[p.name] for p in RUN}}
    data["params"] = {p.name: values[p.name] for p in PARAMS}
    kind = values["schedule.kind"]
    phase = {"start": 0, "kind": kind}
    phase.update({f: values[f"schedule.{f}"] for f in SCHEDULE_USES.get(kind, ())})
    data["schedule"] = [phase]
    if values.get("shock.on"):
        data["shocks"] = [{f.name: values[f"shock.{f.name}"] for f in SHOCK_FIELDS}]
    names = _names(values.get("domains.names", ""))
    if names:  # several domains (docs/ODD.md 7.22); Config checks names, matrix and every reference
        data["domains"] = {"names": names}
        if str(values.get("domains.relatedness", "")).strip():
            data["domains"]["relatedness"] = _matrix(values["domains.relatedness"])
        practised = _names(values.get("schedule.domain", ""))
        if practised:
            phase["domain"] = practised if len(practised) > 1 else practised[0]
        if values.get("shock.on") and str(values.get("shock.domain", "")).strip():
            data["shocks"][0]["domain"] = str(values["shock.domain"]).strip()
    cfg = Config.from_dict(data)
    chosen = values.get("strategy", NONE) if strategy is None else strategy
    if chosen != NONE:
        s = library()[chosen]
        w = {k: values[f"intervention.{k}"] for k in ("start", "end", "threshold")}
        w["target"] = values["intervention.target"] if not s.schedule else "all"
        edits = s.edits(cfg, **w)
        if "interventions" in edits:
            extra = {"intensity": values["intervention.intensity"]}
            domain = str(values.get("intervention.domain", "")).strip()
            if cfg.domains and domain:  # aimed at one domain (Config checks the name)
                extra["domain"] = domain
            edits["interventions"] = [dict(iv, **extra) for iv in edits["interventions"]]
        try:
            cfg = cfg.with_values(edits)
        except ConfigError as exc:
            raise ConfigError(f"{exc.field} (strategy {chosen})", exc.value, exc.allowed) from None
    return cfg


# --------------------------------------------------------------------------------------------
# Presets: shipped scenarios and strategies
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Preset:
    """A starting point offered in the page: a shipped scenario, or a shipped strategy on the defaults."""

    key: str  # "scenario:NAME" or "strategy:NAME"
    title: str
    description: str


def presets() -> list[Preset]:
    """Every shipped scenario, then every shipped strategy, with its description."""
    from sim.runner import shipped_scenarios

    out = [Preset(f"scenario:{n}", f"Scenario: {n.replace('_', ' ')}", d) for n, d in shipped_scenarios().items()]
    out += [
        Preset(f"strategy:{n}", f"Strategy: {n.replace('_', ' ')}", s.description + " (on the default scenario)")
        for n, s in library().items()
    ]
    return out


def preset_values(key: str) -> dict[str, Any]:
    """Control values of a preset (see :func:`presets`); ConfigError for an unknown key or a scenario
    file that does not load (naming the file and its problem)."""
    from sim.runner import load_scenario, shipped_scenarios

    kind, _, name = key.partition(":")
    values = default_values()
    if kind == "strategy" and name in library():
        values["strategy"] = name
        return values
    if kind != "scenario":
        raise ConfigError("preset", key, "one of " + ", ".join(p.key for p in presets()))
    if name not in shipped_scenarios():
        raise ConfigError("preset", key, "one of " + ", ".join(p.key for p in presets()))
    return values_from_config(load_scenario(name), values)  # a file that does not load says why


def values_from_config(cfg: Config, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Control values describing ``cfg`` (its first schedule phase, first shock, and an intervention
    matched to the single-hook strategy of the same kind). Raises ConfigError for what the page cannot show."""
    values = dict(base or default_values())
    values.update({p.name: getattr(cfg, p.name) for p in RUN})
    values.update(cfg.params)
    if len(cfg.schedule) > 1:
        raise ConfigError("schedule", len(cfg.schedule), "one phase (the dashboard edits a single schedule phase)")
    phase = cfg.schedule[0]
    values.update({f"schedule.{f.name}": phase[f.name] for f in SCHEDULE_CONTROLS})
    values["shock.on"] = bool(cfg.shocks)
    if cfg.shocks:
        values.update({f"shock.{f.name}": cfg.shocks[0][f.name] for f in SHOCK_FIELDS})
    values.update(_domain_text(cfg))
    values["strategy"] = NONE
    values["intervention.start"] = cfg.steps // 10
    values["intervention.end"] = (cfg.steps * 6) // 10
    if cfg.interventions:
        if len(cfg.interventions) > 1:
            raise ConfigError("interventions", len(cfg.interventions), "at most one in the dashboard")
        iv = cfg.interventions[0]
        match = [n for n, s in library().items() if s.kinds == (iv["kind"],) and not s.schedule and not s.params]
        if not match:
            raise ConfigError("interventions[0].kind", iv["kind"], "a kind with a shipped single-hook strategy")
        values["strategy"] = match[0]
        values.update({f"intervention.{f.name}": iv[f.name] for f in WINDOW_CONTROLS})
    return values


# --------------------------------------------------------------------------------------------
# The page state in a link, and scenarios as TOML
# --------------------------------------------------------------------------------------------
def to_query(values: dict[str, Any]) -> str:
    """The values that differ from the defaults, as a URL query string (a reload or a link restores them)."""
    base = default_values()
    changed = {k: v for k, v in values.items() if k in base and v != base[k]}
    return urlencode({k: ("1" if v is True else "0" if v is False else str(v)) for k, v in changed.items()})


def from_query(query: str | None) -> dict[str, Any]:
    """Control values from a query string made by :func:`to_query` (validated like the controls).

    Raises
    ------
    ConfigError
        For an unknown key or a value of the wrong type, naming it.
    """
    values = default_values()
    for key, raw in parse_qsl(query or "", keep_blank_values=True):
        if key not in values:
            raise ConfigError(f"link setting {key!r}", raw, "a control of this dashboard")
        default = values[key]
        try:
            if isinstance(default, bool):
                if raw not in ("0", "1"):
                    raise ValueError
                values[key] = raw == "1"
            elif isinstance(default, int):
                values[key] = int(raw)
            elif isinstance(default, float):
                values[key] = float(raw)
            else:
                values[key] = raw
        except ValueError:
            raise ConfigError(key, raw, f"a value like {default!r}") from None
    to_config(values)  # every declared range and the dashboard's limits
    return values


def _toml_value(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def to_toml(cfg: Config) -> str:
    """The scenario as TOML that ``efficacy-sim run FILE`` accepts (every value written out)."""
    d = cfg.to_dict()
    lines = ["# Saved from the efficacy-sim dashboard. Run it: efficacy-sim run THIS_FILE"]
    for key in ("name", "description", "agents", "steps", "seed"):
        lines.append(f"{key} = {_toml_value(d[key])}")
    lines += ["", "[params]"] + [f"{k} = {_toml_value(v)}" for k, v in d["params"].items()]
    if d.get("domains"):
        lines += ["", "[domains]"] + [f"{k} = {_toml_value(v)}" for k, v in d["domains"].items()]
    for section in ("schedule", "shocks", "interventions"):
        for event in d[section]:
            lines += ["", f"[[{section}]]"] + [f"{k} = {_toml_value(v)}" for k, v in event.items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Whole runs, recorded for playback
# --------------------------------------------------------------------------------------------
FLOAT_FIELDS = (
    "efficacy",
    "skill",
    "arousal",
    "difficulty",
    "effort",
    "d_mastery",
    "d_vicarious",
    "d_persuasion",
    "d_physiological",
)
FLAG_FIELDS = ("attempted", "success", "handed", "shocked", "engagement")
SERIES = (
    "efficacy_mean",
    "efficacy_sd",
    "skill_mean",
    "skill_sd",
    "arousal_mean",
    "calibration_mean",
    "overconfident_share",
    "avoiding_share",
    "disengaged_share",
)


class Cancelled(Exception):
    """A computation was cancelled (a newer scenario replaced it, or the server is stopping)."""


SHUTDOWN = threading.Event()
"""Set when the server stops: every computation still running ends at its next step."""


class Recording:
    """Runs computed whole in one :class:`~sim.batch.Batch` (common random numbers), kept for playback.

    Runs share the seed and run index 0 (as ``efficacy-sim run`` does), so a run here has the same
    numbers as the command line's, and runs that differ only in a strategy see the same draws.

    Parameters
    ----------
    configs : one config per run (all with the same number of agents and steps).
    labels : display name of each run.

    Attributes
    ----------
    frames : per-learner arrays, each shaped (steps + 1, runs, agents); row t is the state after t steps.
    series : population series, each shaped (steps + 1, runs), plus ``earned_success_rate`` (successes
        the learner achieved / attempts) and ``handed_share`` (successes handed to them / attempts).
    computed : steps computed so far (``steps`` when complete).
    """

    def __init__(self, configs: list[Config], labels: list[str]) -> None:
        from sim import Batch

        self.configs = configs
        self.labels = labels
        self.steps = configs[0].steps
        if len({c.steps for c in configs}) != 1:
            raise ValueError("all runs of a recording need the same number of steps")
        self.batch = Batch(configs, seeds=[configs[0].seed] * len(configs), run_indices=[0] * len(configs))
        self.agents = self.batch.agents
        shape = (self.steps + 1, len(configs), self.agents)
        self.frames = {f: np.full(shape, np.nan, dtype=np.float32) for f in FLOAT_FIELDS}
        self.frames.update({f: np.zeros(shape, dtype=np.uint8) for f in FLAG_FIELDS})
        self.series = {k: np.full((self.steps + 1, len(configs)), np.nan) for k in SERIES}
        extra = ["earned_success_rate", "handed_share", "success_rate"]
        if self.batch.domains is not None:  # per-domain self-belief and the global self-esteem (7.22, 7.23)
            extra += [f"efficacy_{s}@{d}" for d in self.batch.domains.names for s in ("mean", "sd")]
            extra += ["self_esteem_mean", "self_esteem_sd"]
        for k in extra:
            self.series[k] = np.full((self.steps + 1, len(configs)), np.nan)
        self.computed = -1
        self.neighbours = self.batch.neighbours[0][
            :, : int(self.batch.neighbour_mask[0, 0].sum()) if self.agents > 1 else 0
        ]
        self._keep(0)

    def _keep(self, t: int) -> None:
        st = self.batch.state
        for f in FLOAT_FIELDS:
            self.frames[f][t] = getattr(st, f)
        for f in FLAG_FIELDS:
            self.frames[f][t] = getattr(st, f)
        m = summarise(st)
        for k in SERIES:
            self.series[k][t] = m[k]
        for k, v in summarise_domains(self.batch.domains).items():  # the engine's columns, named for the charts
            key = k.replace("[", "@").removesuffix("]")  # efficacy_mean[maths] -> efficacy_mean@maths
            if key in self.series:
                self.series[key][t] = v
        attempts = np.count_nonzero(st.attempted, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            handed = np.count_nonzero(st.success & st.handed & st.attempted, axis=1)
            wins = np.count_nonzero(st.success & st.attempted, axis=1)
            self.series["success_rate"][t] = np.where(attempts > 0, wins / np.maximum(attempts, 1), np.nan)
            self.series["handed_share"][t] = np.where(attempts > 0, handed / np.maximum(attempts, 1), np.nan)
            self.series["earned_success_rate"][t] = np.where(
                attempts > 0, (wins - handed) / np.maximum(attempts, 1), np.nan
            )
        self.computed = t

    def compute(self, cancel: threading.Event | None = None, progress: Callable[[int], None] | None = None) -> None:
        """Compute every remaining step; raises :class:`Cancelled` as soon as ``cancel`` or :data:`SHUTDOWN` is set."""
        for t in range(self.computed + 1, self.steps + 1):
            if SHUTDOWN.is_set() or (cancel is not None and cancel.is_set()):
                raise Cancelled(f"stopped at step {t - 1} of {self.steps}")
            self.batch.step()
            self._keep(t)
            if progress is not None and t % 10 == 0:
                progress(t)
        self.batch = None  # the state is in the frames now; free the core's buffers

    @property
    def done(self) -> bool:
        return self.computed >= self.steps

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.frames.values()) + sum(a.nbytes for a in self.series.values())

    # -- reading ------------------------------------------------------------------------------
    def story(self, agent: int, run: int = 0, upto: int | None = None) -> dict[str, np.ndarray]:
        """One learner's fields over steps 0..upto (default: all computed)."""
        upto = self.computed if upto is None else min(upto, self.computed)
        return {f: a[: upto + 1, run, agent] for f, a in self.frames.items()}

    def find_cycle(self, kind: str, t: int, run: int = 0) -> int | None:
        """A learner in a virtuous (belief and skill both rose, still engaged) or vicious cycle (belief
        fell and the learner avoids or gave up, or belief fell most) by step ``t``; None if there is none."""
        e0, e1 = self.frames["efficacy"][0, run], self.frames["efficacy"][t, run]
        s0, s1 = self.frames["skill"][0, run], self.frames["skill"][t, run]
        eng = self.frames["engagement"][t, run]
        de, ds = e1 - e0, s1 - s0
        if kind == "virtuous":
            ok = (de > 0) & (ds > 0) & (eng == 0)
            score = np.where(ok, de + ds, -np.inf)
            return int(np.argmax(score)) if ok.any() else None
        if kind == "vicious":
            ok = (de < 0) & (eng > 0)
            if not ok.any():
                ok = de < 0
            score = np.where(ok, de + ds, np.inf)
            return int(np.argmin(score)) if ok.any() else None
        raise ValueError(f"kind = {kind!r} is not allowed: expected 'virtuous' or 'vicious'")

    def series_table(self):
        """The population series as a table: one row per (run, step)."""
        import pandas as pd

        parts = []
        for r, label in enumerate(self.labels):
            d = {"run": label, "step": np.arange(self.computed + 1)}
            d.update({k: v[: self.computed + 1, r] for k, v in self.series.items()})
            parts.append(pd.DataFrame(d))
        return pd.concat(parts, ignore_index=True)

    def agents_table(self):
        """Every learner at every step (long table: run, step, agent, fields)."""
        import pandas as pd

        t, r, a = (self.computed + 1, len(self.labels), self.agents)
        idx = np.indices((t, r, a)).reshape(3, -1)
        d = {"run": np.asarray(self.labels, dtype=object)[idx[1]], "step": idx[0], "agent": idx[2]}
        d.update({f: v[:t].reshape(-1) for f, v in self.frames.items()})
        return pd.DataFrame(d)


def to_csv(df) -> bytes:
    return df.to_csv(index=False).encode()


def to_parquet(df) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def number(x: float, digits: int = 3) -> str:
    """A number for a table: no '-0.000', NaN as '-'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    r = round(float(x), digits)
    return f"{0.0 if r == 0 else r:.{digits}f}"


def signed(x: float, digits: int = 3) -> str:
    """Like :func:`number` with a sign, except for zero."""
    s = number(x, digits)
    return s if s in ("-",) or s.startswith("-") or float(s) == 0 else "+" + s
