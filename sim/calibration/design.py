"""The study design calibration simulates: how many learners, how often measured, with what instruments.

A published pattern or a user's panel comes from a study with a design; the model is compared with
it only when it is measured the same way (:mod:`sim.measure`). :class:`StudyDesign` holds that
design and builds the base scenario each simulated study runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sim import measure
from sim.config import Config
from sim.errors import ConfigError
from sim.params import PARAM_BY_NAME, RUN_BY_NAME

DEFAULT_INSTRUMENTS = measure.Instruments(self_report_reliability=0.8, self_report_items=5, test_items=20)
"""The instruments of the longitudinal experiment: a 5-item self-report of reliability .8, a 20-item test."""
MIN_AGENTS = 10
"""Fewest learners in a simulated study (correlations over fewer say nothing)."""
MAX_WAVES = 100
"""Most measurement waves in a design."""
_KEYS = ("agents", "waves", "wave_every", "instruments", "scenario", "fixed")


class FrozenParams(Mapping):
    """A read-only ``{parameter: value}`` mapping that pickles (designs travel to worker processes and Dask)."""

    def __init__(self, values: Mapping[str, float] | None = None) -> None:
        self._values = dict(values or {})

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        return repr(self._values)


def _whole(value: Any, where: str, low: int, high: int) -> int:
    allowed = f"a whole number in [{low:,}, {high:,}]"
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ConfigError(where, value, allowed)
    if isinstance(value, float) and not value.is_integer():
        raise ConfigError(where, value, allowed)
    if not low <= value <= high:
        raise ConfigError(where, value, allowed)
    return int(value)


def check_parameter_name(name: Any, where: str) -> str:
    """``name`` if it is a declared scalar parameter (:data:`sim.params.PARAM_BY_NAME`), else ConfigError with the closest name."""
    if isinstance(name, str) and name in PARAM_BY_NAME:
        return name
    close = difflib.get_close_matches(str(name), list(PARAM_BY_NAME), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else ""
    raise ConfigError(where, name, "a declared parameter (efficacy-sim params lists them)", hint)


@dataclass(frozen=True)
class StudyDesign:
    """The study to simulate: who, how often measured, with what instruments.

    Attributes
    ----------
    agents : learners in one simulated study.
    waves : measurement waves; wave 0 is before the first course step.
    wave_every : course steps (tasks) between waves.
    instruments : the self-report scale and the performance test (:class:`sim.measure.Instruments`).
    scenario : shipped scenario name or TOML path for the base config (None: the default scenario).
    fixed : parameter values held fixed in every simulated study (checked against :mod:`sim.params`).
    """

    agents: int = 300
    waves: int = 5
    wave_every: int = 10
    instruments: measure.Instruments = DEFAULT_INSTRUMENTS
    scenario: str | None = None
    fixed: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "agents", _whole(self.agents, "design.agents", MIN_AGENTS, int(RUN_BY_NAME["agents"].high)))
        set_(self, "waves", _whole(self.waves, "design.waves", 2, MAX_WAVES))
        set_(self, "wave_every", _whole(self.wave_every, "design.wave_every", 1, 100_000))
        if not isinstance(self.instruments, measure.Instruments):
            raise ConfigError("design.instruments", self.instruments, "sim.measure.Instruments")
        if self.scenario is not None and (not isinstance(self.scenario, str) or not self.scenario.strip()):
            raise ConfigError("design.scenario", self.scenario, "a shipped scenario name or a TOML file path")
        if not isinstance(self.fixed, Mapping):
            raise ConfigError("design.fixed", self.fixed, "a table of parameter = value")
        fixed = {}
        for key, value in self.fixed.items():
            name = check_parameter_name(key, "design.fixed")
            fixed[name] = PARAM_BY_NAME[name].check(value, f"design.fixed.{name}")
        set_(self, "fixed", FrozenParams(fixed))

    def __hash__(self) -> int:
        return hash(
            (self.agents, self.waves, self.wave_every, self.instruments, self.scenario, tuple(self.fixed.items()))
        )

    @property
    def steps(self) -> int:
        """Course steps simulated: ``(waves - 1) * wave_every`` (the last wave is after the last step)."""
        return (self.waves - 1) * self.wave_every

    @property
    def wave_steps(self) -> tuple[int, ...]:
        """The step at which each wave is measured (wave ``w`` at ``w * wave_every``)."""
        return tuple(w * self.wave_every for w in range(self.waves))

    def base_config(self, seed: int = 0) -> Config:
        """The scenario one simulated study runs: the base scenario, this design's size and steps, the fixed values.

        Raises
        ------
        ConfigError
            If the scenario cannot be loaded or does not fit the design (e.g. a shock after the last step).
        """
        if self.scenario is None:
            base = Config.default()
        else:
            from sim.runner import load_scenario

            base = load_scenario(self.scenario)
        return base.with_values({"agents": self.agents, "steps": self.steps, "seed": seed, **self.fixed})

    @classmethod
    def from_mapping(cls, m: Mapping, where: str = "design") -> StudyDesign:
        """A design from a TOML table (``[design]``); every key checked, missing keys take the defaults.

        Keys: ``agents``, ``waves``, ``wave_every``, ``scenario``, ``[instruments]`` (fields of
        :class:`sim.measure.Instruments`; unspecified ones as in :data:`DEFAULT_INSTRUMENTS`) and
        ``[fixed]`` (parameter = value).
        """
        if not isinstance(m, Mapping):
            raise ConfigError(where, m, "a table of design settings (" + ", ".join(_KEYS) + ")")
        for key in m:
            if key not in _KEYS:
                close = difflib.get_close_matches(str(key), _KEYS, n=1)
                raise ConfigError(
                    where, key, "a known key: " + ", ".join(_KEYS), f"did you mean {close[0]!r}?" if close else ""
                )
        kw: dict[str, Any] = {}
        for key in ("agents", "waves", "wave_every"):
            if key in m:
                kw[key] = _whole(m[key], f"{where}.{key}", 1, 10**9)
        if "scenario" in m:
            kw["scenario"] = m["scenario"]
        if "instruments" in m:
            inst = m["instruments"]
            if not isinstance(inst, Mapping):
                raise ConfigError(f"{where}.instruments", inst, "a table of instrument settings")
            kw["instruments"] = measure.Instruments.from_dict({**DEFAULT_INSTRUMENTS.to_dict(), **dict(inst)})
        if "fixed" in m:
            fixed = m["fixed"]
            if not isinstance(fixed, Mapping):
                raise ConfigError(f"{where}.fixed", fixed, "a table of parameter = value")
            kw["fixed"] = {check_parameter_name(k, f"{where}.fixed"): v for k, v in fixed.items()}
        try:
            design = cls(**kw)
        except ConfigError as err:
            if where == "design" or not err.field.startswith("design"):
                raise
            raise ConfigError(where + err.field[len("design") :], err.value, err.allowed) from None
        if design.scenario is not None:
            design.base_config()  # a missing or unfitting scenario is bad input: say so now, not mid-fit
        return design

    def to_dict(self) -> dict:
        """Plain dict that :meth:`from_mapping` turns back into this design (TOML- and JSON-friendly)."""
        d: dict[str, Any] = {
            "agents": self.agents,
            "waves": self.waves,
            "wave_every": self.wave_every,
            "instruments": self.instruments.to_dict(),
            "fixed": dict(self.fixed),
        }
        if self.scenario is not None:
            d["scenario"] = self.scenario
        return d


__all__ = ["StudyDesign", "DEFAULT_INSTRUMENTS", "check_parameter_name"]
