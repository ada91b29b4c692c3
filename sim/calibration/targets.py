"""What calibration fits: free parameters with priors, the study design, and target statistics with their uncertainty.

A targets file (TOML) names them; :func:`load_targets` checks every field before anything is
simulated. :func:`targets_from_panel` builds the same object from a researcher's panel: the design
inferred from it, the targets computed by :func:`sim.calibration.summaries.summarise` (the code that
also summarises the simulated panels), their standard errors by a bootstrap over learners.
The file format is documented field by field in ``docs/calibration.md``.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.design import StudyDesign, check_parameter_name
from sim.calibration.panel import check_panel
from sim.calibration.summaries import check_statistic, panel_arrays, summarise_arrays
from sim.config import check_name, check_text, read_toml
from sim.errors import ConfigError
from sim.params import PARAM_BY_NAME

SHIPPED_TARGETS: Path = Path(__file__).parent / "targets" / "published.toml"
"""The shipped targets: published meta-analytic patterns and the study design that measures them."""

PRIOR_KINDS = ("uniform", "normal")
"""``uniform`` over ``[low, high]``; ``normal`` with ``mean`` and ``sd``, truncated to ``[low, high]``."""
DEFAULT_PRIORS = ("efficacy_skill_corr", "optimism_sd", "mastery_gain_failure", "perf_scale")
"""The mechanism parameters calibration frees by default (see :func:`default_priors` for why these)."""
BOOTSTRAP = 200
"""Bootstrap resamples of learners for the standard errors of a panel's statistics."""
_TOP_KEYS = ("name", "description", "design", "priors", "targets", "validate")
_PRIOR_KEYS = ("name", "low", "high", "kind", "mean", "sd")
_TARGET_KEYS = ("name", "value", "se", "source")


def _unknown_key(where: str, key: Any, valid: Sequence[str]) -> ConfigError:
    close = difflib.get_close_matches(str(key), list(valid), n=1, cutoff=0.5)
    return ConfigError(where, key, "a known key: " + ", ".join(valid), f"did you mean {close[0]!r}?" if close else "")


def _number(value: Any, where: str, allowed: str = "a finite number") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ConfigError(where, value, allowed)
    if not math.isfinite(float(value)):
        raise ConfigError(where, value, allowed)
    return float(value)


def free_parameter(name: Any, where: str = "priors.name") -> str:
    """``name`` if calibration can free it: a declared, non-integer scalar parameter (no switches, counts)."""
    name = check_parameter_name(name, where)
    if PARAM_BY_NAME[name].integer:
        raise ConfigError(where, name, "a continuous parameter (whole-number parameters and switches cannot be fitted)")
    return name


# ---- priors ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prior:
    """A free parameter's prior: uniform over ``[low, high]``, or normal (``mean``, ``sd``) truncated to it.

    ``[low, high]`` must lie within the parameter's declared range (:mod:`sim.params`).
    """

    name: str
    low: float
    high: float
    kind: str = "uniform"
    mean: float | None = None
    sd: float | None = None

    def __post_init__(self) -> None:
        name = free_parameter(self.name, "priors.name")
        where = f"priors.{name}"
        spec = PARAM_BY_NAME[name]
        declared = f"[{spec.low:g}, {spec.high:g}]"
        low = _number(self.low, f"{where}.low", f"a number in the declared range {declared}")
        high = _number(self.high, f"{where}.high", f"a number in the declared range {declared}")
        if not spec.low <= low <= spec.high:
            raise ConfigError(f"{where}.low", self.low, f"a number in the declared range {declared}")
        if not spec.low <= high <= spec.high:
            raise ConfigError(f"{where}.high", self.high, f"a number in the declared range {declared}")
        if not high > low:
            raise ConfigError(f"{where}.high", self.high, f"a number above low = {low:g}")
        if self.kind not in PRIOR_KINDS:
            raise ConfigError(f"{where}.kind", self.kind, "one of " + ", ".join(map(repr, PRIOR_KINDS)))
        mean, sd = self.mean, self.sd
        if self.kind == "normal":
            mean = _number(mean, f"{where}.mean", f"a number in [{low:g}, {high:g}] (a normal prior needs one)")
            if not low <= mean <= high:
                raise ConfigError(f"{where}.mean", self.mean, f"a number in [{low:g}, {high:g}]")
            sd = _number(sd, f"{where}.sd", "a number > 0 (a normal prior needs one)")
            if not sd > 0:
                raise ConfigError(f"{where}.sd", self.sd, "a number > 0")
        elif mean is not None or sd is not None:
            raise ConfigError(f"{where}.kind", self.kind, "'normal' when mean and sd are given")
        for k, v in (("name", name), ("low", low), ("high", high), ("mean", mean), ("sd", sd)):
            object.__setattr__(self, k, v)

    @classmethod
    def from_mapping(cls, m: Any, where: str = "priors[0]") -> Prior:
        """A prior from a TOML table; ``low``/``high`` default to the parameter's declared range."""
        if not isinstance(m, Mapping):
            raise ConfigError(where, m, "a table with name (and optionally low, high, kind, mean, sd)")
        for key in m:
            if key not in _PRIOR_KEYS:
                raise _unknown_key(where, key, _PRIOR_KEYS)
        if "name" not in m:
            raise ConfigError(f"{where}.name", None, "a parameter name (efficacy-sim params lists them)")
        base = prior_from_param(free_parameter(m["name"], f"{where}.name"))
        return cls(
            base.name,
            m.get("low", base.low),
            m.get("high", base.high),
            m.get("kind", "uniform"),
            m.get("mean"),
            m.get("sd"),
        )

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "low": self.low, "high": self.high, "kind": self.kind}
        if self.kind == "normal":
            d |= {"mean": self.mean, "sd": self.sd}
        return d


def prior_from_param(name: str) -> Prior:
    """A uniform prior over the parameter's declared range; an unknown name -> ConfigError with the closest name."""
    name = free_parameter(name, "priors.name")
    spec = PARAM_BY_NAME[name]
    return Prior(name, float(spec.low), float(spec.high))


def default_priors() -> tuple[Prior, ...]:
    """The mechanism parameters calibration frees by default, each uniform over its declared range.

    Chosen because their values are weakly sourced in :mod:`sim.params` (set by hand or with the
    magnitude marked "assumption") and because each moves at least one shipped target statistic by
    more than its SE across the declared range (checked by simulation; the sensitivities are in
    ``docs/calibration.md``): the initial belief-skill correlation (``efficacy_skill_corr``, set by
    hand to the very correlation it must now fit), how much learners differ in optimism
    (``optimism_sd``), how much a failure lowers efficacy (``mastery_gain_failure``) and how steeply
    success depends on skill against difficulty (``perf_scale``). Parameters that did not move the
    shipped targets (``feedback_clarity``; ``mastery_gain_success`` only weakly) are left out: a
    free parameter the targets cannot inform would come back as its prior, and a fitted default
    taken from it would be arbitrary.
    """
    return tuple(prior_from_param(n) for n in DEFAULT_PRIORS)


# ---- targets -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """A target statistic: its observed ``value`` and standard error ``se`` (> 0); ``name`` is a summarise() statistic."""

    name: str
    value: float
    se: float
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError("targets.name", self.name, "a summary statistic name")
        where = f"targets.{self.name}"
        object.__setattr__(self, "value", _number(self.value, f"{where}.value"))
        se = _number(self.se, f"{where}.se", "a standard error > 0 (a target needs its uncertainty)")
        if not se > 0:
            raise ConfigError(f"{where}.se", self.se, "a standard error > 0 (a target needs its uncertainty)")
        object.__setattr__(self, "se", se)
        if not isinstance(self.source, str):
            raise ConfigError(f"{where}.source", self.source, "text")

    @classmethod
    def from_mapping(cls, m: Any, waves: int, where: str = "targets[0]") -> Target:
        """A target from a TOML table (name, value, se, source); the name checked against the design's statistics."""
        if not isinstance(m, Mapping):
            raise ConfigError(where, m, "a table with name, value, se (and optionally source)")
        for key in m:
            if key not in _TARGET_KEYS:
                raise _unknown_key(where, key, _TARGET_KEYS)
        for key in ("name", "value", "se"):
            if key not in m:
                what = {"name": "a summary statistic name", "value": "a number", "se": "a standard error > 0"}[key]
                raise ConfigError(f"{where}.{key}", None, what + " (missing)")
        name = check_statistic(m["name"], waves, f"{where}.name")
        se = _number(m["se"], f"{where}.se", "a standard error > 0 (a target needs its uncertainty)")
        if not se > 0:
            raise ConfigError(f"{where}.se", m["se"], "a standard error > 0 (a target needs its uncertainty)")
        source = check_text(m.get("source", ""), f"{where}.source")
        return cls(name, _number(m["value"], f"{where}.value"), se, source)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "se": self.se, "source": self.source}


@dataclass(frozen=True)
class Targets:
    """A calibration problem: free parameters, the design to simulate, the statistics to match (and to show)."""

    name: str
    description: str
    priors: tuple[Prior, ...]
    design: StudyDesign
    targets: tuple[Target, ...]
    validate: tuple[Target, ...] = ()

    def __post_init__(self) -> None:
        check_name(self.name, "name")  # it names the output folder: never a path
        check_text(self.description, "description")
        if not isinstance(self.design, StudyDesign):
            raise ConfigError("design", self.design, "a StudyDesign")
        object.__setattr__(self, "priors", tuple(self.priors))
        object.__setattr__(self, "targets", tuple(self.targets))
        object.__setattr__(self, "validate", tuple(self.validate))
        if not self.priors:
            raise ConfigError("priors", [], "at least one free parameter")
        names = [p.name for p in self.priors]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ConfigError("priors", dup, "each parameter once")
        held = sorted(set(names) & set(self.design.fixed))
        if held:
            raise ConfigError("design.fixed", held, "parameters that are not also free (remove them from [[priors]])")
        if not self.targets:
            raise ConfigError("targets", [], "at least one target statistic ([[targets]])")
        for section in ("targets", "validate"):
            stats = [t.name for t in getattr(self, section)]
            for i, n in enumerate(stats):
                check_statistic(n, self.design.waves, f"{section}[{i}].name")
            dup = sorted({n for n in stats if stats.count(n) > 1})
            if dup:
                raise ConfigError(section, dup, "each statistic once")
        both = sorted({t.name for t in self.targets} & {t.name for t in self.validate})
        if both:
            raise ConfigError("validate", both, "statistics that are not also fitted targets")

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.priors)

    @property
    def statistic_names(self) -> tuple[str, ...]:
        """The fitted statistics, in order."""
        return tuple(t.name for t in self.targets)

    @property
    def observed(self) -> np.ndarray:
        return np.array([t.value for t in self.targets])

    @property
    def se(self) -> np.ndarray:
        return np.array([t.se for t in self.targets])

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the TOML shape (JSON-friendly): what :func:`load_targets` reads back."""
        return {
            "name": self.name,
            "description": self.description,
            "design": self.design.to_dict(),
            "priors": [p.to_dict() for p in self.priors],
            "targets": [t.to_dict() for t in self.targets],
            "validate": [t.to_dict() for t in self.validate],
        }


def targets_from_dict(data: Any, where: str = "targets file") -> Targets:
    """A validated :class:`Targets` from a dict of the TOML shape (missing ``priors``: :func:`default_priors`)."""
    if not isinstance(data, Mapping):
        raise ConfigError(where, data, "a table with design, priors and targets")
    for key in data:
        if key not in _TOP_KEYS:
            raise _unknown_key(where, key, _TOP_KEYS)
    name = check_name(data.get("name", "calibration"), "name")
    description = check_text(data.get("description", ""), "description")
    design = StudyDesign.from_mapping(data.get("design", {}), "design")

    def tables(key: str) -> list:
        v = data.get(key, [])
        if isinstance(v, Mapping):
            v = [v]
        if not isinstance(v, list):
            raise ConfigError(key, v, f"a list of tables ([[{key}]])")
        return v

    priors = (
        tuple(Prior.from_mapping(m, f"priors[{i}]") for i, m in enumerate(tables("priors")))
        if "priors" in data
        else default_priors()
    )
    targets = tuple(Target.from_mapping(m, design.waves, f"targets[{i}]") for i, m in enumerate(tables("targets")))
    validate = tuple(Target.from_mapping(m, design.waves, f"validate[{i}]") for i, m in enumerate(tables("validate")))
    return Targets(name, description, priors, design, targets, validate)


def load_targets(path: str | Path) -> Targets:
    """A targets file, every field checked (one-line :class:`ConfigError` on any bad input, before any simulation)."""
    path = Path(path)
    data = read_toml(path, "targets")
    data.setdefault("name", path.stem)
    return targets_from_dict(data)


# ---- targets from a researcher's panel ---------------------------------------------------------------------
def default_panel_statistics(waves: int) -> tuple[str, ...]:
    """The statistics fitted to a panel by default: associations, stabilities, first/last-wave levels and spread, dropout.

    Chosen for identifiability with few statistics (ABC distances lose power as statistics
    multiply): the correlation and the four lagged paths carry how beliefs follow performance and
    back; means and SDs at the first and last wave carry growth and heterogeneity; the last wave's
    dropout carries avoidance and disengagement.
    """
    last = waves - 1
    out = ["between_r", "P_to_E", "E_to_P", "E_stability", "P_stability"]
    for stat in ("mean_efficacy", "sd_efficacy", "mean_performance", "sd_performance"):
        out += [f"{stat}_w0", f"{stat}_w{last}"]
    return (*out, f"dropout_w{last}")


def _wave_every(panel: pd.DataFrame, default: int) -> int:
    if "step" not in panel.columns:
        return default
    d = panel.groupby(["study", "agent"])["step"].diff() / panel.groupby(["study", "agent"])["wave"].diff()
    d = d.dropna()
    every = float(np.median(d)) if len(d) else float("nan")
    if not math.isfinite(every) or every < 1:
        return default
    return int(round(every))


def targets_from_panel(
    panel: pd.DataFrame,
    priors: Sequence[Prior] | None = None,
    *,
    seed: int = 0,
    statistics: Sequence[str] | None = None,
    bootstrap: int = BOOTSTRAP,
    name: str = "panel",
) -> Targets:
    """Targets from a researcher's learner x wave panel.

    The design is inferred (learners per study, waves, ``wave_every`` from ``step`` when present,
    else the default; instruments as :data:`~sim.calibration.design.DEFAULT_INSTRUMENTS`). Each
    target is the statistic of :func:`~sim.calibration.summaries.summarise` (averaged over the
    panel's studies when it has several), its SE the SD over ``bootstrap`` resamples of learners
    (with replacement, within each study; seeded by ``seed``). A dropout share's SE is at least one
    learner's worth (1 / learners), so that a panel without dropout still gives a usable target.

    Raises
    ------
    ConfigError
        Bad panel (see :func:`~sim.calibration.panel.check_panel`), unknown statistic (closest
        suggested), or a requested statistic the panel cannot estimate (NaN or no spread).
    """
    check_name(name, "name")
    df = check_panel(panel)
    waves = int(df["wave"].max()) + 1
    learners = df.groupby("study")["agent"].nunique()
    design = StudyDesign(
        agents=max(int(round(float(learners.mean()))), 10),
        waves=waves,
        wave_every=_wave_every(df, StudyDesign.wave_every),
    )
    explicit = statistics is not None
    names = (
        tuple(check_statistic(s, waves, f"statistics[{i}]") for i, s in enumerate(statistics))
        if explicit
        else default_panel_statistics(waves)
    )
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or not 20 <= bootstrap <= 100_000:
        raise ConfigError("bootstrap", bootstrap, "a whole number of resamples in [20, 100000]")
    _, e, p, enrolled = panel_arrays(df)
    observed = summarise_arrays(e, p, enrolled)
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(0x424F4F54,)))  # "BOOT"
    boot = {n: np.zeros(bootstrap) for n in names}
    for s in range(e.shape[0]):
        real = np.flatnonzero(enrolled[s])
        idx = real[rng.integers(0, len(real), (bootstrap, len(real)))]
        stats = summarise_arrays(e[s][idx], p[s][idx])
        for n in names:
            boot[n] += stats[n] / e.shape[0]
    targets = []
    for n in names:
        value = float(np.mean(observed[n]))
        se = float(np.std(boot[n], ddof=1))
        if n.startswith("dropout_"):
            se = max(se, 1.0 / float(learners.min()))
        if not (math.isfinite(value) and math.isfinite(se) and se > 0):
            if explicit:
                raise ConfigError(
                    f"statistics ({n})", value, "a statistic the panel can estimate (a number with sampling spread)"
                )
            continue
        src = f"panel: {len(learners)} stud{'y' if len(learners) == 1 else 'ies'}, {int(learners.sum())} learners"
        targets.append(Target(n, value, se, f"{src}; SE: bootstrap over learners ({bootstrap} resamples)"))
    return Targets(
        name=name,
        description=f"Fitted to a panel of {int(learners.sum())} learners x {waves} waves.",
        priors=tuple(priors) if priors is not None else default_priors(),
        design=design,
        targets=tuple(targets),
    )


# ---- writing a targets file -----------------------------------------------------------------------------
def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(float(v)) if isinstance(v, float) else str(v)
    return json.dumps(str(v), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def targets_to_toml(targets: Targets) -> str:
    """The TOML text of a targets file that :func:`load_targets` reads back to an equal :class:`Targets`."""
    d = targets.to_dict()
    lines = [f"name = {_toml_value(d['name'])}", f"description = {_toml_value(d['description'])}", "", "[design]"]
    design = d["design"]
    for key in ("agents", "waves", "wave_every", "scenario"):
        if key in design:
            lines.append(f"{key} = {_toml_value(design[key])}")
    lines += ["", "[design.instruments]"] + [f"{k} = {_toml_value(v)}" for k, v in design["instruments"].items()]
    if design["fixed"]:
        lines += ["", "[design.fixed]"] + [f"{k} = {_toml_value(v)}" for k, v in design["fixed"].items()]
    for section in ("priors", "targets", "validate"):
        for row in d[section]:
            lines += ["", f"[[{section}]]"] + [f"{k} = {_toml_value(v)}" for k, v in row.items()]
    return "\n".join(lines) + "\n"


__all__ = [
    "SHIPPED_TARGETS",
    "PRIOR_KINDS",
    "DEFAULT_PRIORS",
    "Prior",
    "Target",
    "Targets",
    "free_parameter",
    "prior_from_param",
    "default_priors",
    "load_targets",
    "targets_from_dict",
    "targets_from_panel",
    "default_panel_statistics",
    "targets_to_toml",
]
