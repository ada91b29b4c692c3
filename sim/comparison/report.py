"""Markdown and CSV renderings of a comparison's tables (plain column names, units in the header)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis import fmt
from sim.comparison.analysis import OUTCOMES, TERCILES

TABLE_OUTCOMES = (
    ("efficacy_pre", "efficacy gain (SD)"),
    ("calibration_pre", "calibration: efficacy - skill (SD)"),
    ("overconfident_pre", "overconfident (pp)"),
    ("skill_pre", "skill (SD)"),
    ("efficacy_drop", "drop in the later test (SD)"),
    ("disengaged_final", "disengaged at the end (pp)"),
)
"""The columns every strategy row reports, with their units."""

TABLE_NOTE = (
    "Cells: strategy - control, paired replicate by replicate on common random numbers, with the 95% bootstrap CI "
    "over replications. SD = standardised difference against the SD across learners in control (pooled over its "
    "replications); pp = percentage points of learners. Efficacy gain, calibration, overconfidence and skill are read "
    "at the test step, after every strategy ended; the drop in the later test (> 0: efficacy fell more than in "
    "control) is in SD of efficacy across learners; disengagement at the end of the run. Successes per agent over "
    "the whole run: earned ones as a difference from control, handed ones (failed attempts reported as successes) "
    "as a count. Cost = intervention-steps per agent; efficacy gain per 10 cost in SD per 10 intervention-steps. "
    "Profile (by the verdict rule, smallest effect of interest 0.2 SD): 'builds skill' = skill gain shown; "
    "'inflates belief' = no skill gain shown, calibration above control shown."
)


def ci_text(x: float, lo: float, hi: float, digits: int = 2) -> str:
    """``+0.42 [+0.30, +0.55]`` (``n/a`` when missing)."""
    if not np.isfinite(x):
        return "n/a"
    return f"{fmt(x, digits=digits)} [{fmt(lo, digits=digits)}, {fmt(hi, digits=digits)}]"


_ci = ci_text  # the name older callers used


def _cell(r: dict, v: str, digits: int = 2) -> str:
    return ci_text(r[v], r[f"{v}_lo"], r[f"{v}_hi"], digits)


def markdown_table(table: pd.DataFrame, descriptions: dict[str, str] | None = None, tercile: bool = True) -> str:
    """The ranked table as Markdown: every outcome's paired difference from control with its 95% CI and unit.

    ``descriptions`` (strategy -> text) is accepted for compatibility and unused; ``tercile`` adds the
    efficacy gain by tercile of initial efficacy (low / middle / high, SD).
    """
    head = ["rank", "strategy", "profile", *(h for _, h in TABLE_OUTCOMES)]
    head += ["successes per agent: earned vs control / handed"]
    if tercile:
        head += ["efficacy gain by initial efficacy: low / middle / high (SD)"]
    head += ["cost (intervention-steps per agent)", "efficacy gain per 10 cost (SD)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, r in enumerate(table.to_dict("records"), start=1):
        digits = {"overconfident_pre": 1, "disengaged_final": 1}
        cells = [str(r.get("rank", i)), f"`{r['strategy']}`", str(r.get("profile", ""))]
        cells += [_cell(r, v, digits.get(v, 2)) for v, _ in TABLE_OUTCOMES]
        if "earned_successes" in r:
            cells.append(f"{_cell(r, 'earned_successes', 1)} / {fmt(r['handed_successes'], signed=False, digits=1)}")
        else:
            cells.append("n/a")
        if tercile:
            cells.append(" / ".join(fmt(r[f"efficacy_pre_{t}"]) for t in TERCILES))
        cells += [f"{r['cost']:.1f}", fmt(r["efficacy_pre_per_10_cost"], digits=3)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def timing_markdown(timing: pd.DataFrame) -> str:
    """Timing and targeting variants: efficacy gain, skill, low-tercile gain, cost, gain per cost."""
    if not len(timing):
        return "No timing variants in this run."
    lines = [
        "| strategy | when, to whom | efficacy gain (SD) | skill (SD) | efficacy gain, low tercile (SD) | "
        "cost (intervention-steps per agent) | efficacy gain per 10 cost (SD) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in timing.to_dict("records"):
        base, variant = r["strategy"].split(" @ ")
        lines.append(
            f"| `{base}` | {variant} | {_cell(r, 'efficacy_pre')} | {_cell(r, 'skill_pre')} | "
            f"{_cell(r, 'efficacy_pre_low')} | {r['cost']:.1f} | {fmt(r['efficacy_pre_per_10_cost'], digits=3)} |"
        )
    return "\n".join(lines)


def tercile_markdown(terciles: pd.DataFrame, conditions: list[str], value: str = "efficacy_pre") -> str:
    """Effect on ``value`` by tercile of initial efficacy, one row per condition (SD across learners)."""
    t = terciles[terciles["outcome"] == value].set_index(["condition", "tercile"])
    lines = ["| strategy | " + " | ".join(f"{x} initial efficacy (SD)" for x in TERCILES) + " |", "|---|---|---|---|"]
    for c in conditions:
        cells = [ci_text(*t.loc[(c, x), ["effect", "lo", "hi"]].to_numpy(dtype=float)) for x in TERCILES]
        lines.append(f"| `{c}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def csv_table(table: pd.DataFrame) -> pd.DataFrame:
    """The wide table for CSV: a rank column (added if missing) first, columns in a fixed order."""
    t = table.copy()
    if "rank" not in t.columns:
        t.insert(0, "rank", range(1, len(t) + 1))
    return t


def outcome_legend() -> str:
    """Markdown list of the outcomes (plain name, code name, unit)."""
    from sim.comparison.analysis import unit

    return "\n".join(f"- {OUTCOMES[v]} (`{v}`): {unit(v)}" for v in OUTCOMES)
