"""The Compare page's computation: the command line's comparison (``efficacy-sim compare``), run from the page.

The same design (:func:`sim.comparison.make_design`: window 10%-60% of the run, a later test at 80% with a
harder task and a severe failure), the same engine run on common random numbers and the same analysis
(:func:`sim.comparison.analyse`): per outcome, the paired difference from control on the project's one
effect-size scale (SD across learners; percentage points for shares) with its 95% CI, and the raw
difference in the outcome's own unit. One run per condition is
also recorded whole (:class:`~dashboards.simulation.Recording`) so the page can draw trajectories, with
handed successes apart from earned ones.

Names used from :mod:`sim.comparison`: ``make_design``, ``run_comparison``, ``analyse``, ``OUTCOMES``,
``unit`` and ``Comparison.cell``.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from typing import Any

from dashboards.simulation import NONE, SHUTDOWN, Cancelled, Recording, library, to_config
from sim.errors import ConfigError

ROWS = (
    ("efficacy_pre", "self-belief before the test", "levels"),
    ("calibration_pre", "belief minus skill before the test (> 0: overconfident)", "levels"),
    ("overconfident_pre", "share overconfident before the test (belief > skill + 1)", "share"),
    ("efficacy_drop", "self-belief lost in the test (> 0: fell more than control)", "levels"),
    ("efficacy_final", "final self-belief", "levels"),
    ("skill_final", "final skill", "levels"),
    ("calibration_final", "final belief minus skill", "levels"),
    ("disengaged_final", "final share disengaged", "share"),
)
"""Outcomes shown (all of :data:`sim.comparison.OUTCOMES`), in reading order, with plain names."""

MAX_STRATEGIES = 6
REPLICATIONS = (2, 50)  # allowed range of replications in the page (the command line's default is 10)
MAX_AGENT_STEPS = 6_000_000
"""Work one comparison in the page may take: learners x steps x (strategies + 1) x replications (~15 s here)."""


@dataclass
class CompareResult:
    """What the page shows: the design's window and test, the effect table and one recorded run per condition."""

    names: list[str]
    start: int
    end: int
    test_step: int | None
    replications: int
    comparison: Any  # sim.comparison.Comparison
    recording: Recording

    def cell(self, strategy: str, outcome: str) -> dict[str, Any]:
        """``effect, lo, hi`` on the project's scale with its ``unit``, the ``raw`` difference and ``d_z``."""
        return self.comparison.cell(strategy, outcome)


def check_request(names: list[str], replications: int, agents: int = 0, steps: int = 0) -> None:
    """Raise ConfigError naming what is wrong with a comparison request, before any work."""

    if not names:
        raise ConfigError("strategies", "[]", "at least one strategy")
    if len(names) > MAX_STRATEGIES:
        raise ConfigError("strategies", len(names), f"at most {MAX_STRATEGIES} at once in the dashboard")
    for n in names:
        library()[n]  # unknown names: ConfigError listing the known ones
    lo, hi = REPLICATIONS
    if isinstance(replications, bool) or not isinstance(replications, int) or not lo <= replications <= hi:
        raise ConfigError("replications", replications, f"a whole number in [{lo}, {hi}]")
    work = agents * steps * (len(names) + 1) * replications
    if work > MAX_AGENT_STEPS:
        raise ConfigError(
            "replications",
            replications,
            f"fewer: learners x steps x (strategies + 1) x replications = {work:,} is over the page's "
            f"{MAX_AGENT_STEPS:,} (use fewer learners, or efficacy-sim compare)",
        )


def run(
    values: dict[str, Any],
    names: list[str],
    replications: int = 10,
    seed: int = 1,
    cancel: threading.Event | None = None,
    test: bool = True,
) -> CompareResult:
    """Compare ``names`` with a control on the sidebar's scenario (without its own strategy), like the CLI.

    Raises
    ------
    ConfigError
        For an invalid request or design. :class:`~dashboards.simulation.Cancelled` when cancelled.
    """
    from sim import comparison as C

    base = to_config(values, strategy=NONE, name="compare")
    check_request(names, replications, base.agents, base.steps)
    design = C.make_design(library(), names, base, test_step=-1 if test else None)

    def stop() -> bool:
        return SHUTDOWN.is_set() or (cancel is not None and cancel.is_set())

    # one recorded run per condition (common random numbers) for the trajectories
    tb = design.test_base()
    configs = [tb] + [tb.with_values(edits) for c, edits in design.conditions().items() if c != "control"]
    rec = Recording(configs, ["control", *names])
    rec.compute(cancel)
    if stop():
        raise Cancelled("comparison cancelled")
    with tempfile.TemporaryDirectory(prefix="efficacy-dash-") as tmp:
        res = C.run_comparison(design, replications, seed, f"{tmp}/data", executor="serial", progress=False)
        if stop():
            raise Cancelled("comparison cancelled")
        cmp = C.analyse(res, design)
    missing = [k for k, _, _ in ROWS if k not in C.OUTCOMES]
    if missing:
        raise RuntimeError(f"sim.comparison no longer reports {missing}")
    return CompareResult(names, design.start, design.end, design.test_step, replications, cmp, rec)
