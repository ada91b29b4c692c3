"""What a comparison runs: a test base, the strategies, timing/targeting variants and ablations.

A *test base* scenario (the base with a later test: a harder schedule phase and a severe failure at
``test_step``, after every strategy has ended) is run once as ``control`` and once per strategy
(engine conditions). Every condition's replicate r uses the same random stream (same initial
agents, same network, same draws), so a paired difference isolates the strategy's effect, and a
strategy compared with itself gives exactly 0.

Ablations (:mod:`sim.analysis.ablations`) add conditions ``"<strategy> | <ablation>"`` (and
``"control | <ablation>"``): the same strategies with a mechanism switched off, for the emergent
claims of :mod:`experiments.interventions`. Only ablations whose switches this version of the
model declares are run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.config import Config
from sim.strategies import CONTROL, Library, Strategy

ABLATED_SEP = " | "


def variant_label(name: str, variant: str) -> str:
    """Condition label of a timing/targeting variant, e.g. ``"trophy @ early, all"``."""
    return f"{name} @ {variant}"


def ablated_label(name: str, ablation: str) -> str:
    """Condition label of a strategy (or ``control``) run with an ablation, e.g. ``"trophy | no_mastery"``."""
    return f"{name}{ABLATED_SEP}{ablation}"


@dataclass(frozen=True)
class Design:
    """What a comparison runs.

    Attributes
    ----------
    base : scenario the strategies are added to (before the test is added).
    strategies : the strategies compared (main table), in the library's order.
    start, end : main intervention window (steps).
    test_step : first step of the test (None: no test; then before-test outcomes are taken at ``end``).
    test_level : difficulty of the schedule phase starting at ``test_step`` (None: keep the base schedule).
    shock_severity : severity of the shock at ``test_step`` (0: no shock).
    follow : steps after ``test_step`` over which the efficacy drop is measured.
    variants : timing/targeting variants ``{label: {"start":..., "end":..., "target":..., "threshold":...}}``.
    variant_strategies : strategies given in every variant.
    ablations : ``{ablation name: names run with it}`` (names are strategies or ``control``), only for
        ablations the model declares switches for (see :func:`make_design`).
    """

    base: Config
    strategies: tuple[Strategy, ...]
    start: int
    end: int
    test_step: int | None
    test_level: float | None = 5.5
    shock_severity: float = 5.0
    follow: int = 10
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)
    variant_strategies: tuple[Strategy, ...] = ()
    ablations: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def pre_step(self) -> int:
        """Step at which 'before the test' outcomes are read."""
        return self.test_step if self.test_step is not None else self.end

    @property
    def post_step(self) -> int:
        """Step at which the efficacy drop of the test is read."""
        return min(self.pre_step + self.follow, self.base.steps)

    def test_base(self) -> Config:
        """``base`` with the test added (a harder phase and a shock at ``test_step``)."""
        if self.test_step is None:
            return self.base
        changes: dict[str, Any] = {}
        if self.test_level is not None:
            phases = [dict(p) for p in self.base.schedule if p["start"] < self.test_step]
            phases.append({"kind": "constant", "start": self.test_step, "level": self.test_level})
            changes["schedule"] = phases
        if self.shock_severity > 0:
            changes["shocks"] = [dict(s) for s in self.base.shocks] + [
                {"step": self.test_step, "severity": self.shock_severity}
            ]
        return self.base.with_values(changes) if changes else self.base

    def main_conditions(self) -> list[str]:
        """The strategies of the main table, in design order."""
        return [s.name for s in self.strategies]

    def variant_conditions(self) -> list[str]:
        """The timing/targeting variants, in design order."""
        return [c for c in self._variant_edits()]

    def ablated_conditions(self) -> list[str]:
        """Every ``"<name> | <ablation>"`` condition, in design order."""
        return [ablated_label(n, a) for a, names in self.ablations.items() for n in names]

    def _variant_edits(self) -> dict[str, dict[str, Any]]:
        tb = self.test_base()
        out: dict[str, dict[str, Any]] = {}
        for s in self.variant_strategies:
            for label, w in self.variants.items():
                if s.schedule and w.get("target", "all") != "all":
                    continue  # schedules reach everyone; targeting does not apply
                out[variant_label(s.name, label)] = s.edits(tb, **w)
        return out

    def conditions(self) -> dict[str, dict[str, Any]]:
        """Engine conditions: control, every strategy in the main window, every variant, every ablated run."""
        from sim.analysis import ablations as A

        tb = self.test_base()
        by_name = {s.name: s for s in self.strategies}
        out: dict[str, dict[str, Any]] = {CONTROL: {}}
        for s in self.strategies:
            out[s.name] = s.edits(tb, start=self.start, end=self.end)
        out.update(self._variant_edits())
        for abl, names in self.ablations.items():
            off = A.get(abl).overrides
            for n in names:
                base_edits = {} if n == CONTROL else by_name[n].edits(tb, start=self.start, end=self.end)
                out[ablated_label(n, abl)] = {**base_edits, **off}
        return out

    def validate(self) -> None:
        """Raise ConfigError for any condition that is not a valid config (before anything runs)."""
        tb = self.test_base()
        for edits in self.conditions().values():
            tb.with_values(edits)

    def windows(self) -> dict[str, tuple[int, int]]:
        """Intervention window of every non-control condition."""
        out = {s.name: (self.start, self.end) for s in self.strategies}
        for s in self.variant_strategies:
            for label, w in self.variants.items():
                out[variant_label(s.name, label)] = (w.get("start", self.start), w.get("end", self.end))
        for c in self.ablated_conditions():
            name = c.split(ABLATED_SEP)[0]
            if name != CONTROL:
                out[c] = (self.start, self.end)
        return out

    def strategy_of(self) -> dict[str, Strategy]:
        """The strategy behind every non-control condition."""
        out = {s.name: s for s in self.strategies}
        for s in self.variant_strategies:
            for label in self.variants:
                out[variant_label(s.name, label)] = s
        for c in self.ablated_conditions():
            name = c.split(ABLATED_SEP)[0]
            if name in out:
                out[c] = out[name]
        return out


def default_variants(start: int, end: int, threshold: float) -> dict[str, dict[str, Any]]:
    """First vs second half of the main window x everyone vs only agents below ``threshold`` at the start."""
    half = max(1, (end - start) // 2)
    out = {}
    for tname, (s, e) in (("early", (start, start + half)), ("late", (end - half, end))):
        out[f"{tname}, all"] = {"start": s, "end": e, "target": "all", "threshold": threshold}
        out[f"{tname}, below {threshold:g}"] = {"start": s, "end": e, "target": "below", "threshold": threshold}
    return out


def make_design(
    library: Library,
    names: Sequence[str] | None,
    base: Config,
    *,
    start: int | None = None,
    end: int | None = None,
    test_step: int | None = -1,
    test_level: float | None = 5.5,
    shock_severity: float = 5.0,
    follow: int | None = None,
    variant_names: Sequence[str] = (),
    threshold: float = 3.0,
    target: str | None = None,
    ablations: Mapping[str, Sequence[str]] | None = None,
) -> Design:
    """A validated design. Defaults scale with ``base.steps``: window 10%-60%, test at 80%, follow 10%.

    ``test_step = -1`` means the default; None means no test. Unknown names raise ConfigError listing the
    known ones. ``ablations`` maps an ablation name (:mod:`sim.analysis.ablations`) to the strategies (or
    ``control``) to run with it; ablations whose switches this model does not declare are dropped (so
    the same design runs before and after a mechanism switch lands), unknown ablation names raise.
    """
    from sim.analysis import ablations as A
    from sim.errors import ConfigError

    steps = base.steps
    start = steps // 10 if start is None else start
    end = (steps * 6) // 10 if end is None else end
    if test_step == -1:
        test_step = (steps * 8) // 10
    follow = max(1, steps // 10) if follow is None else follow
    chosen = [library[n] for n in (names if names else list(library))]
    if target is not None:
        chosen = [s.with_window(target=target, threshold=threshold) for s in chosen]
    if test_step is not None and not (end <= test_step < steps):
        raise ConfigError("test_step", test_step, f"a step at or after the strategies' end ({end}) and before {steps}")
    if end > steps:
        raise ConfigError("end", end, f"a step no later than the run's end (steps = {steps})")
    vs = tuple(library[n] for n in variant_names)
    variants = default_variants(start, end, threshold) if vs else {}
    known = {s.name for s in chosen} | {CONTROL}
    abl: dict[str, tuple[str, ...]] = {}
    for a, who in (ablations or {}).items():
        try:
            A.get(a)
        except ValueError as exc:
            raise ConfigError("ablations", a, f"one of {', '.join(A.ABLATIONS)}") from exc
        if not A.get(a).available:
            continue
        run = tuple(n for n in who if n in known)
        if run:
            abl[a] = run
    d = Design(base, tuple(chosen), start, end, test_step, test_level, shock_severity, follow, variants, vs, abl)
    d.validate()
    return d


def experiment(design: Design, replications: int, seed: int, name: str = "interventions") -> Any:
    """The engine experiment of a design: one condition per strategy, variant and ablated run, plus control."""
    from sim.engine import Experiment, Outputs

    return Experiment(
        name=name,
        base=design.test_base(),
        vary={},
        conditions=design.conditions(),
        replications=replications,
        seed=seed,
        outputs=Outputs(every=1, final_agents=True, trajectories=0, snapshots=(design.pre_step, design.post_step)),
    )


def run_comparison(design: Design, replications: int, seed: int, out: str, **engine: Any) -> Any:
    """Run the design's conditions with the engine (common random numbers) and return its results."""
    from sim.engine import run_experiment

    return run_experiment(experiment(design, replications, seed), out=out, **engine)
