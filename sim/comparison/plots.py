"""Figures of a comparison. Each function returns a matplotlib figure; saving (with a caption) is the caller's.

Library code: no backend is chosen here (matplotlib falls back to a non-GUI backend without a display).
Styles come from :func:`sim.analysis.style` (colour + dash + marker, readable in greyscale).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis import style
from sim.analysis.figures import LINESTYLES, MARKERS, PALETTE
from sim.analysis.findings import DEFAULT_SESOI
from sim.comparison.analysis import (
    OUTCOMES,
    PROFILE_BELIEF,
    PROFILE_SKILL,
    PROFILE_SMALL,
    SCALE_OF,
    TERCILES,
    unit,
)
from sim.comparison.design import Design
from sim.strategies import CONTROL

OVERVIEW_OUTCOMES = ("efficacy_pre", "calibration_pre", "skill_pre")
FOREST_OUTCOMES = (
    "efficacy_pre",
    "calibration_pre",
    "overconfident_pre",
    "skill_pre",
    "efficacy_drop",
    "disengaged_final",
)
PROFILES = (PROFILE_SKILL, PROFILE_BELIEF, PROFILE_SMALL)
PROFILE_LEGEND = {
    PROFILE_SKILL: "builds skill (skill gain beyond 0.2 SD)",
    PROFILE_BELIEF: "inflates belief (efficacy above skill beyond 0.2 SD, no skill gain shown)",
    PROFILE_SMALL: "neither shown",
}
_SHORT = {
    "efficacy_pre": "Efficacy gain",
    "calibration_pre": "Calibration (efficacy - skill)",
    "overconfident_pre": "Overconfident learners",
    "skill_pre": "Skill",
    "efficacy_drop": "Efficacy drop in the later test",
    "disengaged_final": "Disengaged at the end",
    "efficacy_final": "Efficacy at the end",
    "skill_final": "Skill at the end",
    "calibration_final": "Calibration at the end",
}


def _profile_style(p: str) -> dict:
    s = style(PROFILES.index(p) if p in PROFILES else len(PROFILES))
    return dict(color=s["color"], marker=s["marker"])


def _band(ax, value: str) -> None:
    k = DEFAULT_SESOI[SCALE_OF[value][0]]
    ax.axvspan(-k, k, color="0.88", zorder=0, lw=0)
    ax.axvline(0, color="k", lw=0.8)


def _rows(ax, table: pd.DataFrame, value: str, by_profile: bool) -> None:
    n = len(table)
    y = np.arange(n)[::-1]
    for i, r in enumerate(table.to_dict("records")):
        st = _profile_style(r.get("profile", "")) if by_profile else dict(color="k", marker="o")
        x = r[value]
        ax.errorbar(
            [x],
            [y[i]],
            xerr=[[x - r[f"{value}_lo"]], [r[f"{value}_hi"] - x]],
            fmt=st["marker"],
            color=st["color"],
            ms=5,
            capsize=2,
            lw=1.2,
        )
    ax.set_ylim(-0.7, n - 0.3)
    ax.grid(axis="x", alpha=0.3)


def overview_plot(table: pd.DataFrame, outcomes: Sequence[str] = OVERVIEW_OUTCOMES):
    """THE overview: strategies ranked by efficacy gain, with calibration and skill beside it (95% CIs).

    Markers tell a strategy's profile (builds skill / inflates belief / neither shown); the grey band is
    the smallest effect of interest (+-0.2 SD).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    n = len(table)
    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.3 * len(outcomes) + 1.8, 0.36 * n + 2.0), sharey=True)
    axes = np.atleast_1d(axes)
    y = np.arange(n)[::-1]
    for ax, v in zip(axes, outcomes, strict=True):
        _band(ax, v)
        _rows(ax, table, v, by_profile=True)
        ax.set_title(_SHORT[v])
        ax.set_xlabel(f"strategy - control ({unit(v)})")
    axes[0].set_yticks(y, [f"{i}. {s}" for i, s in enumerate(table["strategy"], 1)])
    present = [p for p in PROFILES if p in set(table.get("profile", []))]
    handles = [Line2D([], [], ls="", ms=6, **_profile_style(p), label=PROFILE_LEGEND[p]) for p in present]
    handles.append(Line2D([], [], color="0.88", lw=8, label="smaller than 0.2 SD (negligible)"))
    fig.legend(handles=handles, loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, -0.04))
    fig.suptitle("Strategies ranked by efficacy gain before the later test (95% CI over replications)")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def forest_plot(table: pd.DataFrame, title: str = "", outcomes: Sequence[str] = FOREST_OUTCOMES):
    """Paired differences from control with 95% CIs, one panel per outcome (its unit on the x axis)."""
    import matplotlib.pyplot as plt

    n = len(table)
    cols = min(3, len(outcomes))
    rows = int(np.ceil(len(outcomes) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols + 1.8, (0.3 * n + 1.4) * rows), sharey=True)
    axes = np.atleast_1d(axes).reshape(rows, cols)
    y = np.arange(n)[::-1]
    for ax, v in zip(axes.flat, outcomes, strict=False):
        _band(ax, v)
        _rows(ax, table, v, by_profile=False)
        ax.set_title(_SHORT.get(v, OUTCOMES.get(v, v)))
        ax.set_xlabel(unit(v))
    for ax in axes.flat[len(outcomes) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_yticks(y, list(table["strategy"]))
    fig.suptitle(title or "Strategy - control, paired over replications (95% CI; grey: smaller than the SESOI)")
    fig.tight_layout()
    return fig


TRAJECTORY_METRICS = (
    ("efficacy_mean", "mean efficacy (levels)"),
    ("skill_mean", "mean skill (levels)"),
    ("calibration_mean", "mean efficacy - skill (levels)"),
    ("disengaged_share", "disengaged learners (%)"),
)


def trajectory_plot(series: pd.DataFrame, design: Design, conditions: Sequence[str], title: str = ""):
    """Mean efficacy, skill, calibration and disengagement over time per condition (control: thick black)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True)
    keys = [k for k, _ in TRAJECTORY_METRICS]
    m = series[series["condition"].isin([CONTROL, *conditions])].groupby(["condition", "step"])[keys].mean()
    m = m.reset_index()
    m["disengaged_share"] *= 100.0
    every = max(1, int(m["step"].max()) // 10)
    for ax, (k, label) in zip(axes.flat, TRAJECTORY_METRICS, strict=True):
        for i, c in enumerate([CONTROL, *conditions]):
            g = m[m["condition"] == c]
            st = dict(color="k", lw=2.4, ls="-") if c == CONTROL else dict(_line_style(i - 1), lw=1.3, ms=4)
            ax.plot(g["step"], g[k], label=c, markevery=every, **st)
        ax.axvspan(design.start, design.end, color="0.92", zorder=0)
        if design.test_step is not None:
            ax.axvline(design.test_step, color="0.3", ls="--", lw=0.9)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("step (one practice opportunity)")
    axes[0, 0].set_title("shaded: strategies active; dashed line: later test (hard phase + severe failure)", fontsize=9)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(5, len(labels)), frameon=False, fontsize=9)
    if title:
        fig.suptitle(title)
    rows = int(np.ceil(len(labels) / 5))
    fig.tight_layout(rect=(0, 0.035 * rows + 0.01, 1, 1))
    return fig


def _line_style(k: int) -> dict:
    """Style of the k-th non-control line: never plain black, and colour, dash and marker cycle at different
    periods so any two of up to 56 lines differ in at least one of them (readable in greyscale)."""
    return dict(
        color=PALETTE[1 + k % (len(PALETTE) - 1)], ls=LINESTYLES[k % len(LINESTYLES)], marker=MARKERS[k % len(MARKERS)]
    )


def tercile_plot(terciles: pd.DataFrame, conditions: Sequence[str], value: str = "efficacy_pre"):
    """Effect on ``value`` by tercile of initial efficacy, per strategy (SD across learners, 95% CI)."""
    import matplotlib.pyplot as plt

    n = len(conditions)
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * n + 1.8))
    y = np.arange(n)[::-1]
    off = {"low": 0.22, "middle": 0.0, "high": -0.22}
    _band(ax, value)
    for j, t in enumerate(TERCILES):
        tt = terciles[(terciles["tercile"] == t) & (terciles["outcome"] == value)].set_index("condition")
        tt = tt.reindex(list(conditions))
        st = style(j)
        err = np.vstack([tt["effect"] - tt["lo"], tt["hi"] - tt["effect"]])
        ax.errorbar(
            tt["effect"],
            y + off[t],
            xerr=err,
            fmt=st["marker"],
            color=st["color"],
            ms=5,
            capsize=2,
            label=f"{t} initial efficacy",
        )
    ax.set_yticks(y, list(conditions))
    ax.set_xlabel(f"{_SHORT.get(value, value).lower()}: strategy - control ({unit(value)})")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Effect by tercile of initial efficacy (95% CI)")
    fig.tight_layout()
    return fig
