"""Comparing intervention strategies against a control on common random numbers.

Used by ``efficacy-sim compare`` (:mod:`sim.commands.compare`) and ``experiments/interventions.py``.

Design: a *test base* scenario (the base with a later test: a harder schedule phase and a severe failure at
``test_step``, after every strategy has ended) is run once as ``control`` and once per strategy (engine
conditions). Every condition's replicate r uses the same random stream (same initial agents, same network, same
draws), so a paired difference isolates the strategy's effect, and a strategy compared with itself gives exactly 0.

Outcomes (one value per agent, averaged per run; paired differences over replicates):

- ``efficacy_pre``, ``calibration_pre``, ``overconfident_pre``: at ``test_step``, i.e. what the strategy built
  and whether skill backs it (efficacy - skill; share with efficacy > skill + OVERCONFIDENCE_MARGIN);
- ``efficacy_drop``: efficacy lost between ``test_step`` and ``test_step + follow`` (resilience; > 0 = fell more);
- ``efficacy_final``, ``skill_final``, ``calibration_final``, ``disengaged_final``: at the end of the run;
- cost: intervention-steps per agent (final ``dose`` mean; for schedule strategies, also the steps in the strategy's
  window an average agent was engaged, since the schedule reaches every engaged agent every step).

Standardised effects: ``d`` = paired mean difference / the SD *across agents* (pooled over the two conditions), the
scale of field effect sizes (ANCHORS: d ~ .1-.4); ``d_z`` (from :mod:`sim.engine.stats`) is over replicate means
and is large under common random numbers by construction, so it is reported only in the CSV.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config import Config
from sim.metrics import OVERCONFIDENCE_MARGIN
from sim.strategies import CONTROL, Library, Strategy

OUTCOMES: dict[str, str] = {
    "efficacy_pre": "efficacy before the test (levels)",
    "calibration_pre": "efficacy - skill before the test (levels; > 0 overconfident)",
    "overconfident_pre": f"share with efficacy > skill + {OVERCONFIDENCE_MARGIN:g} before the test",
    "efficacy_drop": "efficacy lost in the test (levels; > 0 fell more)",
    "efficacy_final": "final efficacy (levels)",
    "skill_final": "final skill (levels)",
    "calibration_final": "final efficacy - skill (levels)",
    "disengaged_final": "final share disengaged",
}
"""Per-agent outcomes compared with control, and what they mean."""

TERCILES = ("low", "middle", "high")


@dataclass(frozen=True)
class Design:
    """What a comparison runs.

    Attributes
    ----------
    base : scenario the strategies are added to (before the test is added).
    strategies : the strategies compared (main table), in the library's order.
    start, end : main intervention window (steps).
    test_step : first step of the test (None: no test; then efficacy_pre etc. are taken at ``end``).
    test_level : difficulty of the schedule phase starting at ``test_step`` (None: keep the base schedule).
    shock_severity : severity of the shock at ``test_step`` (0: no shock).
    follow : steps after ``test_step`` over which the efficacy drop is measured.
    variants : timing/targeting variants ``{label: {"start":..., "end":..., "target":..., "threshold":...}}``.
    variant_strategies : strategies given in every variant.
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

    @property
    def pre_step(self) -> int:
        """Step at which 'before the test' outcomes are read."""
        return self.test_step if self.test_step is not None else self.end

    @property
    def post_step(self) -> int:
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

    def conditions(self) -> dict[str, dict[str, Any]]:
        """Engine conditions: ``control``, every strategy in the main window, every strategy in every variant."""
        tb = self.test_base()
        out: dict[str, dict[str, Any]] = {CONTROL: {}}
        for s in self.strategies:
            out[s.name] = s.edits(tb, start=self.start, end=self.end)
        for s in self.variant_strategies:
            for label, w in self.variants.items():
                if s.schedule and w.get("target", "all") != "all":
                    continue  # schedules reach everyone; targeting does not apply
                out[variant_label(s.name, label)] = s.edits(tb, **w)
        return out

    def validate(self) -> None:
        """Raise ConfigError for any condition that is not a valid config (before anything runs)."""
        tb = self.test_base()
        for edits in self.conditions().values():
            tb.with_values(edits)

    def windows(self) -> dict[str, tuple[int, int]]:
        """Intervention window of every condition."""
        out = {s.name: (self.start, self.end) for s in self.strategies}
        for s in self.variant_strategies:
            for label, w in self.variants.items():
                out[variant_label(s.name, label)] = (w.get("start", self.start), w.get("end", self.end))
        return out

    def strategy_of(self) -> dict[str, Strategy]:
        """The strategy behind every non-control condition."""
        out = {s.name: s for s in self.strategies}
        for s in self.variant_strategies:
            for label in self.variants:
                out[variant_label(s.name, label)] = s
        return out


def variant_label(name: str, variant: str) -> str:
    return f"{name} @ {variant}"


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
) -> Design:
    """A validated design. Defaults scale with ``base.steps``: window 10%-60%, test at 80%, follow 10%.

    ``test_step = -1`` means the default; None means no test. Unknown names raise ConfigError listing the known ones.
    """
    steps = base.steps
    start = steps // 10 if start is None else start
    end = (steps * 6) // 10 if end is None else end
    if test_step == -1:
        test_step = (steps * 8) // 10
    follow = max(1, steps // 10) if follow is None else follow
    chosen = [library[n] for n in (names if names else list(library))]
    if target is not None:
        chosen = [s.with_window(target=target, threshold=threshold) for s in chosen]
    from sim.errors import ConfigError

    if test_step is not None and not (end <= test_step < steps):
        raise ConfigError("test_step", test_step, f"a step at or after the strategies' end ({end}) and before {steps}")
    if end > steps:
        raise ConfigError("end", end, f"a step no later than the run's end (steps = {steps})")
    vs = tuple(library[n] for n in variant_names)
    variants = default_variants(start, end, threshold) if vs else {}
    d = Design(base, tuple(chosen), start, end, test_step, test_level, shock_severity, follow, variants, vs)
    d.validate()
    return d


# ---------------------------------------------------------------------------------------------------------
# Analysis of the engine's tables
# ---------------------------------------------------------------------------------------------------------
def agent_outcomes(agents: pd.DataFrame, snapshots: pd.DataFrame, design: Design) -> pd.DataFrame:
    """One row per (condition, replicate, agent) with every outcome in :data:`OUTCOMES` and the tercile."""
    key = ["condition", "replicate", "agent"]
    pre = snapshots[snapshots["step"] == design.pre_step].set_index(key)
    post = snapshots[snapshots["step"] == design.post_step].set_index(key)
    fin = agents.set_index(key)
    out = pd.DataFrame(index=fin.index)
    out["efficacy_pre"] = pre["efficacy"]
    out["calibration_pre"] = pre["efficacy"] - pre["skill"]
    out["overconfident_pre"] = (out["calibration_pre"] > OVERCONFIDENCE_MARGIN).astype(float)
    out["efficacy_drop"] = pre["efficacy"] - post["efficacy"]
    out["efficacy_final"] = fin["efficacy"]
    out["skill_final"] = fin["skill"]
    out["calibration_final"] = fin["efficacy"] - fin["skill"]
    out["disengaged_final"] = _disengaged(fin["engagement"]).astype(float)
    out["dose"] = fin["dose"].astype(float)
    out["initial_efficacy"] = fin["initial_efficacy"]
    out = out.reset_index()
    # Terciles of initial efficacy within each run: identical across conditions under common random numbers.
    out["tercile"] = out.groupby(["condition", "replicate"])["initial_efficacy"].transform(
        lambda x: pd.qcut(x.rank(method="first"), 3, labels=list(TERCILES)).astype(str)
    )
    return out


def _disengaged(engagement: pd.Series) -> pd.Series:
    from sim.state import DISENGAGED, ENGAGEMENT_NAMES

    if pd.api.types.is_numeric_dtype(engagement):
        return engagement.astype(int) == DISENGAGED
    return engagement.astype(str) == ENGAGEMENT_NAMES[DISENGAGED]


def paired(
    per_run: pd.DataFrame, agent_sd: pd.DataFrame, value: str, conditions: Iterable[str], control: str = CONTROL
) -> pd.DataFrame:
    """Paired differences (condition - control) of ``value`` over replicates, with 95% CI and d.

    ``per_run`` has one row per (condition, replicate); ``agent_sd`` the SD of ``value`` across agents per
    (condition, replicate). Returns one row per condition: diff, lo, hi (bootstrap, :mod:`sim.engine.stats`),
    d_z (over replicate means) and d (mean difference / SD across agents pooled over the two conditions).
    """
    from sim.engine.stats import paired_difference

    conditions = list(conditions)
    pdiff = paired_difference(
        per_run[per_run["condition"].isin([*conditions, control])],
        value=value,
        condition=conditions,
        control=control,
        on="replicate",
    ).set_index("condition")
    var = (agent_sd[["condition", value]].assign(v=agent_sd[value] ** 2)).groupby("condition")["v"].mean()
    rows = []
    for cond in conditions:
        diff = float(pdiff.at[cond, "mean"])
        pooled = float(np.sqrt((var.get(cond, np.nan) + var.get(control, np.nan)) / 2.0))
        d = diff / pooled if pooled > 0 else (0.0 if diff == 0 else float("nan"))
        rows.append(
            {
                "diff": diff,
                "lo": float(pdiff.at[cond, "lo"]),
                "hi": float(pdiff.at[cond, "hi"]),
                "d_z": float(pdiff.at[cond, "d_z"]),
                "d": d,
                "condition": cond,
                "outcome": value,
            }
        )
    return pd.DataFrame(rows)


def schedule_cost(series: pd.DataFrame, design: Design) -> dict[str, float]:
    """Engaged agent-steps per agent inside the window of every condition whose strategy changes the schedule."""
    out = {}
    for cond, s in design.strategy_of().items():
        if not s.schedule:
            continue
        a, b = design.windows()[cond]
        g = series[(series["condition"] == cond) & (series["step"] >= a) & (series["step"] < b)]
        per_rep = g.groupby("replicate")["disengaged_share"].apply(lambda x: float((1.0 - x).sum()))
        # series may be thinned (Outputs.every): scale by the window length over the steps kept
        kept = g.groupby("replicate").size()
        out[cond] = float((per_rep * (b - a) / kept.clip(lower=1)).mean())
    return out


@dataclass
class Comparison:
    """Tables of a finished comparison."""

    design: Design
    outcomes: pd.DataFrame  # per agent
    effects: pd.DataFrame  # long: condition, outcome, diff, lo, hi, d, d_z
    terciles: pd.DataFrame  # long: condition, tercile, outcome, diff, lo, hi, d
    table: pd.DataFrame  # wide, ranked: one row per main strategy
    timing: pd.DataFrame  # wide: one row per variant condition
    cost: pd.Series  # intervention-steps per agent, per condition
    per_run: pd.DataFrame  # outcome means per (condition, replicate)
    sd_run: pd.DataFrame  # outcome SDs across agents per (condition, replicate)

    def contrast(self, a: str, b: str, value: str) -> dict[str, float]:
        """Paired difference a - b of ``value`` (both conditions of this comparison): diff, lo, hi, d, d_z."""
        return paired(self.per_run, self.sd_run, value, [a], control=b).iloc[0].to_dict()


def analyse(res: Any, design: Design, n_boot: int | None = None) -> Comparison:
    """Paired comparisons of every condition with control, overall and by tercile of initial efficacy."""
    o = agent_outcomes(res.agents, res.snapshots, design)
    conds = [c for c in o["condition"].unique() if c != CONTROL]
    conds = [c for c in design.conditions() if c in conds]  # design order
    cols = list(OUTCOMES)
    per_run = o.groupby(["condition", "replicate"])[cols].mean().reset_index()
    sd_run = o.groupby(["condition", "replicate"])[cols].std(ddof=0).reset_index()
    effects = pd.concat([paired(per_run, sd_run, v, conds) for v in cols], ignore_index=True)

    tparts = []
    for t in TERCILES:
        ot = o[o["tercile"] == t]
        pr = ot.groupby(["condition", "replicate"])[cols].mean().reset_index()
        sr = ot.groupby(["condition", "replicate"])[cols].std(ddof=0).reset_index()
        for v in ("efficacy_pre", "efficacy_final", "skill_final", "calibration_pre"):
            tparts.append(paired(pr, sr, v, conds).assign(tercile=t))
    terciles = pd.concat(tparts, ignore_index=True)

    cost = o.groupby("condition")["dose"].mean()
    for cond, extra in schedule_cost(res.series, design).items():
        cost[cond] = cost.get(cond, 0.0) + extra
    main = [s.name for s in design.strategies]
    table = wide_table(effects, terciles, cost, main).sort_values("efficacy_final", ascending=False)
    timing = wide_table(effects, terciles, cost, [c for c in conds if c not in main])
    return Comparison(design, o, effects, terciles, table.reset_index(drop=True), timing, cost, per_run, sd_run)


def wide_table(effects: pd.DataFrame, terciles: pd.DataFrame, cost: pd.Series, conds: Sequence[str]) -> pd.DataFrame:
    """One row per condition: every outcome's diff, CI and d; low-tercile effect; cost; effect per cost."""
    rows = []
    for c in conds:
        r: dict[str, Any] = {"strategy": c}
        e = effects[effects["condition"] == c].set_index("outcome")
        for v in OUTCOMES:
            r[v] = e.at[v, "diff"]
            r[f"{v}_lo"] = e.at[v, "lo"]
            r[f"{v}_hi"] = e.at[v, "hi"]
            r[f"{v}_d"] = e.at[v, "d"]
            r[f"{v}_dz"] = e.at[v, "d_z"]
        for t in TERCILES:
            tt = terciles[(terciles["condition"] == c) & (terciles["tercile"] == t)].set_index("outcome")
            for v in ("efficacy_pre", "efficacy_final"):
                r[f"{v}_{t}"] = tt.at[v, "diff"]
                r[f"{v}_{t}_lo"] = tt.at[v, "lo"]
                r[f"{v}_{t}_hi"] = tt.at[v, "hi"]
        r["cost"] = float(cost.get(c, 0.0))
        r["efficacy_pre_per_10_cost"] = 10.0 * r["efficacy_pre"] / r["cost"] if r["cost"] > 0 else float("nan")
        rows.append(r)
    return pd.DataFrame(rows)


def _ci(x: float, lo: float, hi: float, digits: int = 2) -> str:
    if not np.isfinite(x):
        return "n/a"
    return f"{x:+.{digits}f} [{lo:+.{digits}f}, {hi:+.{digits}f}]"


def markdown_table(table: pd.DataFrame, descriptions: dict[str, str] | None = None, tercile: bool = True) -> str:
    """The ranked table as Markdown: paired differences from control with 95% CIs; d in agent SDs."""
    head = [
        "rank",
        "strategy",
        "efficacy before test (d)",
        "final efficacy (d)",
        "final skill (d)",
        "calibration before test",
        "overconfident share",
        "efficacy drop in test",
        "final disengaged",
    ]
    if tercile:
        head += ["before-test efficacy: low / middle / high tercile"]
    head += ["cost", "efficacy per 10 cost"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, r in enumerate(table.itertuples(index=False), start=1):
        r = r._asdict()

        def cell(v: str, d: bool = False, digits: int = 2, r: dict[str, Any] = r) -> str:
            s = _ci(r[v], r[f"{v}_lo"], r[f"{v}_hi"], digits)
            return f"{s} ({r[f'{v}_d']:+.2f})" if d and np.isfinite(r[f"{v}_d"]) else s

        cells = [
            str(i),
            f"`{r['strategy']}`",
            cell("efficacy_pre", True),
            cell("efficacy_final", True),
            cell("skill_final", True),
            cell("calibration_pre"),
            cell("overconfident_pre", digits=3),
            cell("efficacy_drop"),
            cell("disengaged_final", digits=3),
        ]
        if tercile:
            cells.append(" / ".join(f"{r[f'efficacy_pre_{t}']:+.2f}" for t in TERCILES))
        per = r["efficacy_pre_per_10_cost"]
        cells += [f"{r['cost']:.1f}", f"{per:+.3f}" if np.isfinite(per) else "n/a"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def csv_table(table: pd.DataFrame) -> pd.DataFrame:
    """The wide table with a rank column, rounded for a small, diff-friendly CSV."""
    t = table.copy()
    t.insert(0, "rank", range(1, len(t) + 1))
    return t.round(4)


# ---------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------
FOREST_OUTCOMES = ("efficacy_pre", "efficacy_final", "skill_final", "calibration_pre", "efficacy_drop")


def forest_plot(table: pd.DataFrame, title: str = "", outcomes: Sequence[str] = FOREST_OUTCOMES):
    """Paired differences from control with 95% CIs, one panel per outcome, strategies in table order."""
    import matplotlib.pyplot as plt

    n = len(table)
    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.0 * len(outcomes) + 1.5, 0.35 * n + 1.6), sharey=True)
    axes = np.atleast_1d(axes)
    y = np.arange(n)[::-1]
    for ax, v in zip(axes, outcomes, strict=True):
        x = table[v].to_numpy()
        err = np.vstack([x - table[f"{v}_lo"].to_numpy(), table[f"{v}_hi"].to_numpy() - x])
        ax.errorbar(x, y, xerr=err, fmt="o", color="tab:blue", ms=4, capsize=2)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_title(OUTCOMES[v].split(" (")[0], fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=8)
    axes[0].set_yticks(y, table["strategy"], fontsize=8)
    fig.suptitle(title or "Strategy - control (paired, 95% CI over replications)", fontsize=10)
    fig.tight_layout()
    return fig


def trajectory_plot(series: pd.DataFrame, design: Design, conditions: Sequence[str], title: str = ""):
    """Mean efficacy, skill, calibration and disengagement over time per condition (control in black)."""
    import matplotlib.pyplot as plt

    metrics = (
        ("efficacy_mean", "efficacy"),
        ("skill_mean", "skill"),
        ("calibration_mean", "efficacy - skill"),
        ("disengaged_share", "share disengaged"),
    )
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True)
    m = series.groupby(["condition", "step"])[[k for k, _ in metrics]].mean().reset_index()
    cmap = plt.get_cmap("tab10")
    for ax, (k, label) in zip(axes.flat, metrics, strict=True):
        for i, c in enumerate([CONTROL, *conditions]):
            g = m[m["condition"] == c]
            style = (
                dict(color="k", lw=2.0)
                if c == CONTROL
                else dict(color=cmap((i - 1) % 10), lw=1.2, ls=("-", "--", ":")[((i - 1) // 10) % 3])
            )
            ax.plot(g["step"], g[k], label=c, **style)
        ax.axvspan(design.start, design.end, color="0.9", zorder=0)
        if design.test_step is not None:
            ax.axvline(design.test_step, color="tab:red", ls="--", lw=0.9)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("step")
    axes[0, 0].set_title("grey: intervention window; red line: test (hard phase + shock)", fontsize=9)
    axes[0, 1].legend(fontsize=7, ncol=2, loc="best")
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def tercile_plot(terciles: pd.DataFrame, conditions: Sequence[str], value: str = "efficacy_pre"):
    """Effect on ``value`` by tercile of initial efficacy (who benefits most), per strategy."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(conditions) + 2), 4))
    w = 0.27
    x = np.arange(len(conditions))
    for j, t in enumerate(TERCILES):
        tt = terciles[(terciles["tercile"] == t) & (terciles["outcome"] == value)].set_index("condition")
        tt = tt.reindex(conditions)
        err = np.vstack([tt["diff"] - tt["lo"], tt["hi"] - tt["diff"]])
        ax.bar(x + (j - 1) * w, tt["diff"], w, yerr=err, capsize=2, label=f"{t} initial efficacy")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(x, conditions, rotation=40, ha="right", fontsize=8)
    ax.set_ylabel(f"{OUTCOMES[value].split(' (')[0]}: strategy - control")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def experiment(design: Design, replications: int, seed: int, name: str = "interventions") -> Any:
    """The engine experiment of a design: one condition per strategy (and variant) plus control."""
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


def save_figure(fig: Any, out: Path, stem: str) -> list[Path]:
    """Write ``stem.png`` (dpi 120) and a byte-stable ``stem.svg``; close the figure."""
    import matplotlib
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.png", out / f"{stem}.svg"]
    fig.savefig(paths[0], dpi=120, bbox_inches="tight")
    with matplotlib.rc_context({"svg.hashsalt": "efficacy-sim"}):
        fig.savefig(paths[1], bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return paths


TABLE_NOTE = (
    "Cells: strategy - control, paired over replications on common random numbers, with the 95% bootstrap CI; "
    "(d) = difference / SD across agents. 'before test' = at the test step, after the strategy ended; "
    "'efficacy drop in test' > 0 means efficacy fell more than in control. Cost = intervention-steps per agent."
)


def write_outputs(cmp: Comparison, res: Any, out: Path, save: Any = None) -> list[Path]:
    """Tables (Markdown and CSV) and figures of a comparison into ``out``; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    save = save or save_figure
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for stem, table in (("table", cmp.table), ("timing", cmp.timing)):
        if not len(table):
            continue
        csv = out / f"{stem}.csv"
        csv_table(table).to_csv(csv, index=False)
        md = out / f"{stem}.md"
        md.write_text(f"{markdown_table(table)}\n\n{TABLE_NOTE}\n", encoding="utf-8")
        paths += [csv, md]
    terc = out / "terciles.csv"
    cmp.terciles.round(4).to_csv(terc, index=False)
    paths.append(terc)
    main = list(cmp.table["strategy"])
    paths += save(forest_plot(cmp.table), out, "forest")
    single = [
        c for c in main if len(cmp.design.strategy_of()[c].kinds) + bool(cmp.design.strategy_of()[c].schedule) == 1
    ]
    combined = [c for c in main if c not in single]
    for stem, conds, title in (
        ("trajectories", single, "Single-source strategies (means over replications)"),
        ("trajectories_combined", combined, "Combined strategies (means over replications)"),
    ):
        if conds:
            paths += save(trajectory_plot(res.series, cmp.design, conds, title), out, stem)
    paths += save(tercile_plot(cmp.terciles, main), out, "terciles")
    if len(cmp.timing):
        paths += save(
            forest_plot(cmp.timing, "Timing and targeting: strategy - control (95% CI)"), out, "timing_forest"
        )
    return paths
