"""Writing a comparison's tables and captioned figures into a results folder (byte-stable re-runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.analysis import SD, Claim, Figure, decide, save_figure, write_table
from sim.analysis.findings import SHOWN
from sim.comparison.analysis import PROFILE_BELIEF, PROFILE_SKILL, Comparison
from sim.comparison.plots import forest_plot, overview_plot, tercile_plot, trajectory_plot
from sim.comparison.report import TABLE_NOTE, csv_table, markdown_table, timing_markdown

_LOW_MORE = Claim(
    "low_more",
    "the low tercile gains more than the high one",
    "efficacy gain, low minus high tercile",
    +1,
    "emergent",
    "avoidance in control",
    SD,
    ablations=("no_avoidance",),
)


def _names(xs: list[str]) -> str:
    return ", ".join(f"`{x}`" for x in xs) if xs else "none"


def write_tables(cmp: Comparison, out: Path) -> list[Path]:
    """``table.csv/.md`` (main strategies), ``timing.csv/.md`` (variants), ``terciles.csv`` and ``effects.csv``.

    CSVs are sorted and printed with a fixed float format (:func:`sim.analysis.write_table`).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    if len(cmp.table):
        paths.append(write_table(csv_table(cmp.table), out / "table.csv", sort_by=["rank"]))
        md = out / "table.md"
        md.write_text(f"{markdown_table(cmp.table)}\n\n{TABLE_NOTE}\n", encoding="utf-8")
        paths.append(md)
    if len(cmp.timing):
        paths.append(write_table(cmp.timing, out / "timing.csv", sort_by=["strategy"]))
        md = out / "timing.md"
        md.write_text(f"{timing_markdown(cmp.timing)}\n\n{TABLE_NOTE}\n", encoding="utf-8")
        paths.append(md)
    paths.append(write_table(cmp.terciles, out / "terciles.csv", sort_by=["outcome", "condition", "tercile"]))
    paths.append(write_table(cmp.effects, out / "effects.csv", sort_by=["outcome", "condition"]))
    return paths


def single_and_combined(cmp: Comparison) -> tuple[list[str], list[str]]:
    """Main strategies using one source (one hook or one schedule), and those combining several."""
    of = cmp.design.strategy_of()
    main = list(cmp.table["strategy"]) if len(cmp.table) else []
    single = [c for c in main if len(of[c].kinds) + bool(of[c].schedule) == 1]
    return single, [c for c in main if c not in single]


def write_figures(cmp: Comparison, res: Any, out: Path) -> list[Figure]:
    """The overview, forest, trajectory, tercile and timing figures, each with a caption stating its takeaway."""
    out = Path(out)
    figs: list[Figure] = []
    t = cmp.table
    if not len(t):
        return figs
    skill = list(t.loc[t["profile"] == PROFILE_SKILL, "strategy"])
    belief = list(t.loc[t["profile"] == PROFILE_BELIEF, "strategy"])
    figs.append(
        save_figure(
            overview_plot(t),
            out,
            "overview",
            "Every strategy's effect before the later test, as a difference from control in SD across learners "
            "(95% CI over replications; grey band: smaller than 0.2 SD), ranked by efficacy gain. Strategies that "
            f"build real skill: {_names(skill)}. Strategies that raise efficacy without skill (belief only, "
            f"calibration above control): {_names(belief)}.",
        )
    )
    figs.append(
        save_figure(
            forest_plot(t),
            out,
            "forest",
            "The six outcomes of every strategy row, each a paired difference from control with its 95% CI, in SD "
            "across learners (efficacy, calibration, skill, drop in the later test) or percentage points of learners "
            "(overconfident, disengaged). The grey band marks effects smaller than the smallest effect of interest.",
        )
    )
    single, combined = single_and_combined(cmp)
    for stem, conds, title, what in (
        ("trajectories", single, "Single-source strategies (means over replications)", "single-source"),
        ("trajectories_combined", combined, "Combined strategies (means over replications)", "combined"),
    ):
        if conds:
            figs.append(
                save_figure(
                    trajectory_plot(res.series, cmp.design, conds, title),
                    out,
                    stem,
                    f"Mean efficacy, skill, calibration and disengagement over the run for the {what} strategies and "
                    "control (thick black). Strategies act in the shaded window; the later test (a harder phase and "
                    "a severe failure) starts at the dashed line. Where efficacy rises but skill does not, the "
                    "calibration panel climbs: belief outruns ability.",
                )
            )
    main = list(t["strategy"])
    more_low = [c for c in main if decide(_LOW_MORE, cmp.tercile_gap(c)) == SHOWN]
    figs.append(
        save_figure(
            tercile_plot(cmp.terciles, main),
            out,
            "terciles",
            "Efficacy gain before the test for learners who started in the low, middle or high third of initial "
            "efficacy (SD across all learners in control, 95% CI). By the verdict rule, the low third gains more than "
            f"the high third (the whole CI of the difference beyond 0.2 SD) under {len(more_low)} of {len(main)} "
            "strategies.",
        )
    )
    if len(cmp.timing):
        figs.append(
            save_figure(
                forest_plot(
                    cmp.timing,
                    "Timing and targeting: strategy - control (95% CI)",
                    ("efficacy_pre", "skill_pre", "disengaged_final"),
                ),
                out,
                "timing_forest",
                "Strategies given early or late in the window, to everyone or only to learners below the efficacy "
                "threshold: efficacy gain and skill in SD across learners, disengagement in percentage points "
                "(95% CI), averaged over all learners. Targeted variants reach fewer learners at a lower cost; the "
                "timing table gives the efficacy gain per unit cost.",
            )
        )
    return figs


def write_outputs(cmp: Comparison, res: Any, out: Path, save: Any = None) -> list[Path]:
    """Tables and figures of a comparison into ``out``; returns every file written.

    ``save`` is accepted for compatibility and ignored: figures are saved with
    :func:`sim.analysis.save_figure` (use :func:`write_figures` to get them with their captions).
    """
    paths = write_tables(cmp, out)
    for f in write_figures(cmp, res, out):
        paths += [f.png, f.svg]
    return paths
