"""Experiment 1: virtuous and vicious cycles of efficacy and performance.

Do learners' (skill, belief) paths split into two basins, a virtuous one (engage, succeed, learn,
believe more) and a vicious one (avoid, disengage, learn nothing, believe no more)? Does the spread of
belief grow (a Matthew effect)? Do early successes decide where a learner ends up? The script reads as
its declared design (:func:`sizes`), the claims (module constants, declared before the run), the
analysis (pure functions of the engine's tables), the findings and the figures.

Every claim here is **emergent** (it needs success, mastery updates, avoidance and practice to
interact), so each is measured again with one mechanism switched off (ablations ``no_avoidance``,
``no_strength``, ``no_social``) and reported side by side.

Two engine experiments: ``population`` (the default population, initial states vary across
learners; the full model and each ablation) and ``grid`` (a grid over mean initial efficacy x mean
initial skill with small spreads, under three weights of mastery and the ablations, mapping the
basins). Run ``python experiments/cycles.py [--quick]``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # a script may choose its backend; the library never does

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.analysis import PP, SD, Claim, Finding, PlainSummary, Question, effect, fmt, mean_ci  # noqa: E402
from sim.analysis import ablations as abl  # noqa: E402
from sim.analysis.ablation_notes import ablation_summary, finding, reversals, unavailable  # noqa: E402
from sim.analysis.figures import save_figure, style  # noqa: E402
from sim.analysis.multimodality import ALPHA, dip_test  # noqa: E402
from sim.analysis.script import parse_args, provenance, results_dir, run  # noqa: E402
from sim.analysis.summary import write_summary, write_table  # noqa: E402
from sim.config import Config  # noqa: E402
from sim.engine import Experiment, Outputs  # noqa: E402
from sim.params import PARAM_BY_NAME, SCHEDULE_FIELDS, event_defaults  # noqa: E402

NAME = "cycles"
MODEL = "model"
EARLY_STEP = 10
"""Early window (steps) whose success share is tested as a predictor of final outcomes."""
MASTERY_WEIGHTS = (0.5, 1.0, 2.0)
"""Multipliers applied to both mastery gains (success and failure) in the grid (descriptive)."""
GRID_SD = 0.3
"""Initial skill and efficacy SD within a grid point (small, so a point is one region of the state space)."""
ABLATIONS = ("no_avoidance", "no_strength", "no_social")
DEFAULT_WEIGHT = "mastery x1"
PHASE_RUNS = 2
"""Replications whose learner paths are drawn in the phase portrait (more would only blacken it)."""


def basin_cut() -> float:
    """Efficacy at which a learner attempts the default task with probability 1/2 (task level - avoid_margin).

    A learner whose final efficacy is at or above it is counted in the engaging (virtuous) basin. The
    cut is derived from the declared defaults, not fitted to results.
    """
    level = event_defaults(SCHEDULE_FIELDS)["level"]
    return float(level - PARAM_BY_NAME["avoid_margin"].default)


# ---------------------------------------------------------------------------------------------------
# design
# ---------------------------------------------------------------------------------------------------
def sizes(quick: bool) -> dict:
    """Run sizes for ``--quick`` (tests, well under a minute) and the full version (committed results)."""
    if quick:
        return dict(
            agents=120,
            steps=100,
            reps=4,
            traj=40,
            grid_agents=40,
            grid_steps=80,
            grid_reps=2,
            e_values=[0.5, 1.5, 2.5, 3.5],
            s_values=[2.0, 4.0],
            weights=(1.0, 2.0),
        )
    return dict(
        agents=300,
        steps=200,
        reps=12,
        traj=80,
        grid_agents=60,
        grid_steps=150,
        grid_reps=4,
        e_values=[0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0],
        s_values=[1.0, 2.0, 3.0, 4.0, 5.0],
        weights=MASTERY_WEIGHTS,
    )


def snapshot_steps(steps: int) -> tuple[int, ...]:
    """Steps at which the whole population is kept (distribution over time; early success counts)."""
    return tuple(sorted({0, 5, EARLY_STEP, 25, 50, 100, steps} & set(range(steps + 1))))


def population_conditions(ablations: dict[str, dict]) -> dict[str, dict]:
    """The full model and each available ablation of it."""
    return {MODEL: {}, **ablations}


def grid_conditions(weights: tuple[float, ...], ablations: dict[str, dict]) -> dict[str, dict]:
    """Both mastery gains scaled by each weight (descriptive), and the ablations at the default weight."""
    gs, gf = PARAM_BY_NAME["mastery_gain_success"].default, PARAM_BY_NAME["mastery_gain_failure"].default
    conds = {f"mastery x{w:g}": {"mastery_gain_success": gs * w, "mastery_gain_failure": gf * w} for w in weights}
    conds.setdefault(DEFAULT_WEIGHT, {})
    return conds | ablations


# ---------------------------------------------------------------------------------------------------
# claims, declared before the run
# ---------------------------------------------------------------------------------------------------
_CYCLE = "mastery updates x avoidance (tasks judged too hard are skipped: no practice, no evidence) x disengagement"
SPLIT = Claim(
    "low_starters_split",
    "Learners who start on the low side of the cut end on both sides (some climb out, some stay)",
    "share of the low starters in the smaller of the two end groups (above / below the cut), pp",
    +1,
    "emergent",
    _CYCLE,
    PP,
    ablations=ABLATIONS,
)
MODES = Claim(
    "final_more_multimodal",
    "The final distribution of belief has two modes where the initial one had one",
    "share of replications whose efficacy distribution the dip test calls multimodal (p < 0.05), final minus "
    "initial, pp",
    +1,
    "emergent",
    _CYCLE,
    PP,
    sesoi=50.0,
    ablations=ABLATIONS,
)
SPREAD = Claim(
    "spread_grows",
    "The spread of belief across learners grows over time (a Matthew effect)",
    "SD of efficacy across learners, final minus initial (efficacy_sd), over the initial SD",
    +1,
    "emergent",
    _CYCLE + "; strength",
    SD,
    ablations=ABLATIONS,
)
DRIFT = Claim(
    "alike_drift_apart",
    "Learners who started alike drift apart",
    "SD of efficacy within narrow bins of initial efficacy, final minus initial, over the initial population SD",
    +1,
    "emergent",
    "random outcomes amplified by mastery updates, avoidance and strength",
    SD,
    ablations=ABLATIONS,
)
EARLY_EFF = Claim(
    "early_success_efficacy",
    f"Among learners who started alike, more early success (first {EARLY_STEP} steps) means higher final belief",
    f"final efficacy per +1 SD of the success share in the first {EARLY_STEP} steps, controlling initial efficacy "
    "and skill, over the SD of final efficacy",
    +1,
    "emergent",
    "mastery updates early (low strength) x approach/avoid",
    SD,
    ablations=ABLATIONS,
)
EARLY_SKILL = Claim(
    "early_success_skill",
    "Among learners who started alike, more early success means higher final skill",
    f"final skill per +1 SD of the success share in the first {EARLY_STEP} steps, same controls, over the SD of "
    "final skill",
    +1,
    "emergent",
    "early success -> higher efficacy -> approach -> practice (skill rule); effort falls as efficacy exceeds demand",
    SD,
    ablations=ABLATIONS,
)
SKILL_BASIN = Claim(
    "skill_widens_basin",
    "More initial skill widens the engaging basin (less initial belief is needed to end engaged)",
    "share ending at or above the cut, highest minus lowest mean initial skill, averaged over the initial-efficacy "
    "grid, pp",
    +1,
    "emergent",
    "skill -> success -> mastery evidence; avoidance depends on belief only",
    PP,
    ablations=ABLATIONS,
)


# ---------------------------------------------------------------------------------------------------
# analysis: pure functions of the engine's tables
# ---------------------------------------------------------------------------------------------------
def flow_field(traj: pd.DataFrame, bins: int = 12) -> pd.DataFrame:
    """Mean one-step change of (skill, efficacy) in each cell of a grid over the state space, from learner paths."""
    t = traj.sort_values(["run", "agent", "step"])
    nxt = t.groupby(["run", "agent"])[["skill", "efficacy"]].shift(-1)
    d = t.assign(ds=nxt["skill"] - t["skill"], de=nxt["efficacy"] - t["efficacy"]).dropna(subset=["ds", "de"])
    edges = np.linspace(0, 10, bins + 1)
    d = d.assign(
        cs=pd.cut(d["skill"], edges, labels=False, include_lowest=True),
        ce=pd.cut(d["efficacy"], edges, labels=False, include_lowest=True),
    )
    g = d.groupby(["cs", "ce"]).agg(ds=("ds", "mean"), de=("de", "mean"), n=("ds", "size")).reset_index()
    mid = (edges[:-1] + edges[1:]) / 2
    return g.assign(skill=mid[g["cs"].astype(int)], efficacy=mid[g["ce"].astype(int)])


def distribution_over_time(snaps: pd.DataFrame, cut: float) -> pd.DataFrame:
    """Per condition, replicate and step: efficacy mean and SD, dip test, multimodal flag, share below the cut."""
    rows = []
    for (cond, rep, step), g in snaps.groupby(["condition", "replicate", "step"]):
        e = g["efficacy"].to_numpy()
        dip, p = dip_test(e)
        rows.append(
            dict(
                condition=cond,
                replicate=rep,
                step=step,
                efficacy_mean=e.mean(),
                efficacy_sd=e.std(),
                dip=dip,
                dip_p=p,
                multimodal=float(np.isfinite(p) and p < ALPHA),
                low_share=float((e < cut).mean()),
            )
        )
    return pd.DataFrame(rows)


def side_split(final: pd.DataFrame, cut: float) -> pd.DataFrame:
    """Per condition and replicate: where learners who started below / above the cut end.

    ``final`` has one row per learner with ``initial_efficacy`` and final ``efficacy``. Returns
    ``p_up`` (share of low starters ending at or above the cut), ``split_low = min(p_up, 1 - p_up)``,
    ``p_down`` and ``split_high`` for the high starters, and the group sizes. At step 0 both splits
    are 0 by construction, so a split that appears is something the dynamics did.
    """
    rows = []
    for (cond, rep), g in final.groupby(["condition", "replicate"]):
        low = g["initial_efficacy"] < cut
        up = g["efficacy"] >= cut
        p_up = float(up[low].mean()) if low.any() else np.nan
        p_down = float((~up)[~low].mean()) if (~low).any() else np.nan
        rows.append(
            dict(
                condition=cond,
                replicate=rep,
                n_low=int(low.sum()),
                n_high=int((~low).sum()),
                p_up=p_up,
                split_low=min(p_up, 1 - p_up),
                p_down=p_down,
                split_high=min(p_down, 1 - p_down),
            )
        )
    return pd.DataFrame(rows)


def within_bin_sd(snaps: pd.DataFrame, bins: int = 8, min_size: int = 10) -> pd.DataFrame:
    """Mean SD of efficacy among learners who started in the same narrow bin of initial efficacy.

    Bins are quantiles of initial efficacy within each run; bins with fewer than ``min_size`` learners
    are left out. Columns ``condition, replicate, step, within_sd``.
    """
    s = snaps.assign(
        b=snaps.groupby(["condition", "replicate", "step"])["initial_efficacy"].transform(
            lambda x: pd.qcut(x.rank(method="first"), bins, labels=False)
        )
    )
    g = s.groupby(["condition", "replicate", "step", "b"])["efficacy"].agg(["std", "size"]).reset_index()
    g = g[g["size"] >= min_size]
    return g.groupby(["condition", "replicate", "step"])["std"].mean().reset_index(name="within_sd")


def early_share(snaps: pd.DataFrame, final: pd.DataFrame, early: int = EARLY_STEP) -> pd.DataFrame:
    """Final learner table with ``early_share``: share of successes among the first ``early`` steps' attempts (0: none)."""
    e = snaps[snaps["step"] == early][["condition", "replicate", "agent", "successes", "attempts"]]
    m = final.merge(e, on=["condition", "replicate", "agent"], suffixes=("", "_early"))
    share = np.where(m["attempts_early"] > 0, m["successes_early"] / m["attempts_early"].clip(lower=1), 0.0)
    return m.assign(early_share=share)


def _ols(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    X1 = np.column_stack([np.ones(len(y)), X])
    return np.linalg.lstsq(X1, y, rcond=None)[0][1:]


def early_success_effect(m: pd.DataFrame) -> pd.DataFrame:
    """Per condition and replicate: OLS coefficient of final efficacy (and skill) per +1 SD of early success share.

    Controls: initial efficacy and skill. Also returns the SDs of final efficacy and skill across learners
    (the scale the coefficient is divided by).
    """
    rows = []
    for (cond, rep), g in m.groupby(["condition", "replicate"]):
        share = g["early_share"].to_numpy()
        sd = share.std()
        z = (share - share.mean()) / sd if sd > 0 else np.zeros_like(share)
        X = np.column_stack([z, g["initial_efficacy"], g["initial_skill"]])
        rows.append(
            dict(
                condition=cond,
                replicate=rep,
                on_efficacy=_ols(g["efficacy"].to_numpy(), X)[0],
                on_skill=_ols(g["skill"].to_numpy(), X)[0],
                efficacy_sd=g["efficacy"].std(ddof=0),
                skill_sd=g["skill"].std(ddof=0),
            )
        )
    return pd.DataFrame(rows)


def grid_shares(agents: pd.DataFrame, cut: float) -> pd.DataFrame:
    """Share of learners ending at or above the cut per condition, replicate and grid point."""
    return (
        agents.assign(high=agents["efficacy"] >= cut)
        .groupby(["condition", "skill_mean", "efficacy_mean", "replicate"])["high"]
        .mean()
        .reset_index(name="share_engaged")
    )


def skill_widening(shares: pd.DataFrame) -> pd.DataFrame:
    """Per condition and replicate: share engaged at the highest minus the lowest skill, averaged over efficacy."""
    lo, hi = shares["skill_mean"].min(), shares["skill_mean"].max()
    w = shares[shares["skill_mean"].isin([lo, hi])].pivot_table(
        index=["condition", "replicate", "efficacy_mean"], columns="skill_mean", values="share_engaged"
    )
    d = (w[hi] - w[lo]).rename("widening").reset_index()
    return d.groupby(["condition", "replicate"])["widening"].mean().reset_index()


def thresholds(shares: pd.DataFrame) -> pd.DataFrame:
    """Initial efficacy at which half the learners end engaged, per condition, skill_mean and replicate.

    Linear interpolation between grid points; NaN when the share never crosses 1/2 within the grid, and the
    lowest grid value when it is already >= 1/2 there (the threshold lies at or below it).
    """
    rows = []
    for (cond, sm, rep), g in shares.groupby(["condition", "skill_mean", "replicate"]):
        g = g.sort_values("efficacy_mean")
        x, y = g["efficacy_mean"].to_numpy(), g["share_engaged"].to_numpy()
        thr = np.nan
        above = np.nonzero(y >= 0.5)[0]
        if len(above) and above[0] == 0:
            thr = x[0]
        elif len(above):
            i = above[0]
            thr = x[i - 1] + (0.5 - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1])
        rows.append(dict(condition=cond, skill_mean=sm, replicate=rep, threshold=thr))
    return pd.DataFrame(rows, columns=["condition", "skill_mean", "replicate", "threshold"])


def change(dist: pd.DataFrame, value: str, first: int, last: int) -> pd.DataFrame:
    """Per condition and replicate: ``value`` at ``last`` minus at ``first``, and ``value`` at ``first``."""
    w = dist.pivot_table(index=["condition", "replicate"], columns="step", values=value)
    return pd.DataFrame({"change": w[last] - w[first], "initial": w[first]}).reset_index()


# ---------------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------------
def fig_phase(traj: pd.DataFrame, flow: pd.DataFrame, final_basin: pd.Series, cut: float):
    fig, ax = plt.subplots(figsize=(7, 6))
    f = flow[flow["n"] >= 5]
    ax.quiver(f["skill"], f["efficacy"], f["ds"], f["de"], angles="xy", color="0.65", width=0.003, zorder=1)
    hi, lo = style(0), style(4)
    for (run_, agent), g in traj.groupby(["run", "agent"]):
        s = hi if bool(final_basin.get((run_, agent), True)) else lo
        ax.plot(g["skill"], g["efficacy"], color=s["color"], ls=s["ls"], alpha=0.45, lw=0.8, zorder=2, rasterized=True)
        ax.plot(g["skill"].iloc[0], g["efficacy"].iloc[0], "o", ms=2.5, color="k", zorder=3, rasterized=True)
    ax.axhline(cut, ls=":", color="k", lw=1)
    ax.text(7.9, cut + 0.1, "cut: attempt chance 1/2 at the default task", fontsize=8, ha="right")
    ax.plot([], [], color=hi["color"], ls=hi["ls"], label="ends at or above the cut")
    ax.plot([], [], color=lo["color"], ls=lo["ls"], label="ends below the cut")
    ax.plot([], [], "o", ms=3, color="k", label="start")
    ax.legend(fontsize=8, loc="upper left")
    ax.set(
        xlabel="skill (levels)",
        ylabel="efficacy (levels)",
        xlim=(0, 8),
        ylim=(0, 8),
        title="Learner paths in (skill, efficacy) and the mean one-step flow (grey arrows)",
    )
    return fig


def fig_distribution(snaps: pd.DataFrame, dist: pd.DataFrame, cut: float, conds: list[str]):
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3), layout="constrained")
    ax = axes[0]
    s_model = snaps[snaps["condition"] == MODEL]
    bins = np.linspace(0, 8, 41)
    steps = sorted(s_model["step"].unique())
    for i, s in enumerate(steps):
        h, _ = np.histogram(s_model.loc[s_model["step"] == s, "efficacy"], bins=bins, density=True)
        st = style(i)
        ax.plot((bins[:-1] + bins[1:]) / 2, h, color=st["color"], ls=st["ls"], label=f"step {s}")
    ax.axvline(cut, ls=":", color="k", lw=1)
    ax.set(xlabel="efficacy (levels)", ylabel="density (per level)", title="Distribution of belief (full model)")
    ax.legend(fontsize=7)
    for ax, col, lab, k in (
        (axes[1], "efficacy_sd", "SD of efficacy across learners (levels)", 1.0),
        (axes[2], "low_share", "learners below the cut (%)", 100.0),
    ):
        for i, c in enumerate(conds):
            st = style(i)
            g = dist[dist["condition"] == c]
            rows = [(s, *mean_ci(v[col].to_numpy() * k)) for s, v in g.groupby("step")]
            x, m, lo, hi = (np.array(a) for a in zip(*rows, strict=True))
            ax.plot(x, m, color=st["color"], ls=st["ls"], marker=st["marker"], ms=4, label=c)
            ax.fill_between(x, lo, hi, color=st["color"], alpha=0.15, lw=0)
        ax.set(xlabel="step", ylabel=lab)
        ax.legend(fontsize=7)
    axes[1].set_title("Spread of belief (95% CI over replications)")
    axes[2].set_title("Below the cut (95% CI over replications)")
    return fig


def fig_early(fe: pd.DataFrame):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    d = fe[fe["condition"] == MODEL].copy()
    d["third"] = d.groupby("replicate")["initial_efficacy"].transform(
        lambda x: pd.qcut(x.rank(method="first"), 3, labels=False)
    )
    d["bin"] = pd.cut(d["early_share"], np.linspace(0, 1, 6), include_lowest=True, labels=False)
    mids = (np.linspace(0, 1, 6)[:-1] + np.linspace(0, 1, 6)[1:]) / 2
    for i, lab in enumerate(("low", "middle", "high")):
        st = style(i)
        g = d[d["third"] == i].groupby(["bin", "replicate"])["efficacy"].mean().reset_index()
        rows = [(mids[int(b)], *mean_ci(v["efficacy"].to_numpy())) for b, v in g.groupby("bin") if len(v) >= 2]
        if not rows:
            continue
        x, m, lo, hi = (np.array(a) for a in zip(*rows, strict=True))
        ax.errorbar(
            x + (i - 1) * 0.015,
            m,
            yerr=[m - lo, hi - m],
            color=st["color"],
            ls=st["ls"],
            marker=st["marker"],
            capsize=3,
            label=f"{lab} third of initial efficacy",
        )
    ax.set(
        xlabel=f"share of successes among attempts in the first {EARLY_STEP} steps",
        ylabel="final efficacy (levels)",
        title="Final belief by early success, within thirds of initial belief",
    )
    ax.legend(fontsize=8)
    return fig


def fig_ablations(items: list[Finding]):
    """Each emergent claim's effect under the full model and each ablation, on its own scale (SD or pp)."""
    ncol = min(4, len(items))
    nrow = -(-len(items) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.4 * ncol, 3.0 * nrow + 0.6), layout="constrained", squeeze=False)
    for ax in axes.flat[len(items) :]:
        ax.set_visible(False)
    for ax, f in zip(axes.flat, items, strict=False):
        effs = {MODEL: f.effect, **f.ablated}
        for i, e in enumerate(effs.values()):
            st = style(i)
            ax.errorbar(
                [e.estimate],
                [i],
                xerr=[[e.estimate - e.lo], [e.hi - e.estimate]],
                fmt=st["marker"],
                color=st["color"],
                capsize=3,
            )
        k = f.claim.sesoi
        ax.axvspan(-k, k, color="0.9", zorder=0)
        ax.axvline(0, color="0.5", lw=0.8)
        ax.set_yticks(range(len(effs)), list(effs))
        ax.set_ylim(-0.5, len(effs) - 0.5)
        ax.invert_yaxis()
        unit = "SD across learners" if f.claim.scale == SD else "percentage points"
        ax.set_xlabel(f"effect ({unit})")
        ax.set_title(f.claim.id.replace("_", " "), fontsize=9)
    fig.suptitle(
        "Emergent claims: full model vs each mechanism switched off (95% CI; grey: inside the smallest effect)"
    )
    return fig


def fig_basins(shares: pd.DataFrame, thr: pd.DataFrame, conds: list[str]):
    fig, axes = plt.subplots(1, len(conds) + 1, figsize=(4.3 * (len(conds) + 1), 4.2), layout="constrained")
    mean = shares.groupby(["condition", "skill_mean", "efficacy_mean"])["share_engaged"].mean()
    im = None
    for ax, cond in zip(axes, conds, strict=False):
        s = mean.loc[cond].unstack("efficacy_mean") * 100
        ev, sv = s.columns.to_numpy(dtype=float), s.index.to_numpy(dtype=float)
        im = ax.pcolormesh(_edges(ev), _edges(sv), s.to_numpy(), cmap="cividis", vmin=0, vmax=100, shading="flat")
        if s.to_numpy().min() < 50 < s.to_numpy().max() and len(ev) > 1 and len(sv) > 1:
            cs = ax.contour(ev, sv, s.to_numpy(), levels=[50], colors="w", linewidths=1.5)
            ax.clabel(cs, fmt="50%%", fontsize=7)
        ax.set(xlabel="mean initial efficacy (levels)", ylabel="mean initial skill (levels)", title=cond)
    cb = fig.colorbar(im, ax=list(axes[: len(conds)]), shrink=0.85)
    cb.set_label("learners ending at or above the cut (%)")
    ax = axes[-1]
    for i, cond in enumerate(conds):
        st = style(i)
        t = thr[thr["condition"] == cond].dropna()
        rows = [(sm, *mean_ci(g["threshold"].to_numpy())) for sm, g in t.groupby("skill_mean")]
        if not rows:
            continue
        x, m, lo, hi = (np.array(a) for a in zip(*rows, strict=True))
        yerr = [np.nan_to_num(m - lo), np.nan_to_num(hi - m)]
        ax.errorbar(
            x + (i - 1) * 0.05, m, yerr=yerr, color=st["color"], ls=st["ls"], marker=st["marker"], capsize=3, label=cond
        )
    ax.set(
        xlabel="mean initial skill (levels)",
        ylabel="initial efficacy at which half end engaged (levels)",
        title="Basin threshold",
    )
    ax.legend(fontsize=8)
    return fig


def _edges(v: np.ndarray) -> np.ndarray:
    """Cell edges for grid values ``v`` (midpoints between values; the outer cells as wide as their neighbours)."""
    if len(v) == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[:-1] + v[1:]) / 2
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


# ---------------------------------------------------------------------------------------------------
def main(argv=None):
    args = parse_args("Experiment 1: virtuous and vicious cycles of efficacy and performance.", argv)
    out = results_dir(NAME, args)
    z = sizes(args.quick)
    cut = basin_cut()
    avail = abl.conditions(ABLATIONS)
    missing = unavailable(ABLATIONS)

    # --- run
    pop = Experiment(
        name=f"{NAME}-population",
        base=Config.default(agents=z["agents"], steps=z["steps"]),
        conditions=population_conditions(avail),
        replications=z["reps"],
        seed=args.seed,
        outputs=Outputs(every=1, final_agents=True, trajectories=z["traj"], snapshots=snapshot_steps(z["steps"])),
    )
    res = run(pop, out / "data" / "population", args)
    base_grid = Config.default(agents=z["grid_agents"], steps=z["grid_steps"]).with_values(
        {"efficacy_sd": GRID_SD, "skill_sd": GRID_SD}
    )
    grid = Experiment(
        name=f"{NAME}-grid",
        base=base_grid,
        vary={"efficacy_mean": z["e_values"], "skill_mean": z["s_values"]},
        conditions=grid_conditions(z["weights"], avail),
        replications=z["grid_reps"],
        seed=args.seed,
        outputs=Outputs(every=10, final_agents=True),
    )
    gres = run(grid, out / "data" / "grid", args)
    conds = [MODEL, *avail]

    # --- analysis
    snaps, final = res.snapshots, res.agents
    first, last = int(snaps["step"].min()), int(snaps["step"].max())
    dist = distribution_over_time(snaps, cut)
    split = side_split(final, cut)
    wbin = within_bin_sd(snaps)
    fe = early_share(snaps, final)
    early = early_success_effect(fe)
    shares = grid_shares(gres.agents, cut)
    widen = skill_widening(shares)
    thr = thresholds(shares)
    sd_change = change(dist, "efficacy_sd", first, last)
    mm_change = change(dist, "multimodal", first, last)
    wb_change = change(wbin, "within_sd", first, last)
    # scale of the spread claims: each run's initial SD of efficacy across learners
    init_sd = dist[dist["step"] == first].set_index(["condition", "replicate"])["efficacy_sd"]

    def of(df: pd.DataFrame, cond: str, col: str) -> np.ndarray:
        return df.loc[df["condition"] == cond].sort_values("replicate")[col].to_numpy()

    measures = {
        SPLIT: lambda c: effect(of(split, c, "split_low"), PP),
        MODES: lambda c: effect(of(mm_change, c, "change"), PP),
        SPREAD: lambda c: effect(of(sd_change, c, "change"), SD, init_sd.loc[c].to_numpy()),
        DRIFT: lambda c: effect(of(wb_change, c, "change"), SD, init_sd.loc[c].to_numpy()),
        EARLY_EFF: lambda c: effect(of(early, c, "on_efficacy"), SD, of(early, c, "efficacy_sd")),
        EARLY_SKILL: lambda c: effect(of(early, c, "on_skill"), SD, of(early, c, "skill_sd")),
        SKILL_BASIN: lambda c: effect(of(widen, DEFAULT_WEIGHT if c == MODEL else c, "widening"), PP),
    }
    found = {c.id: finding(c, fn(MODEL), {a: fn(a) for a in avail if a in c.ablations}) for c, fn in measures.items()}
    two_basins = Question(
        "two_basins",
        "Two basins: learners alike at the start split into a virtuous and a vicious group",
        [found[SPLIT.id], found[MODES.id]],
    )
    findings = [two_basins, *(found[c.id] for c in (SPREAD, DRIFT, EARLY_EFF, EARLY_SKILL, SKILL_BASIN))]

    # --- tables
    write_table(dist, out / "distribution_over_time.csv", sort_by=["condition", "replicate", "step"])
    write_table(split, out / "side_split.csv", sort_by=["condition", "replicate"])
    write_table(thr, out / "thresholds.csv", sort_by=["condition", "skill_mean", "replicate"])
    grid_mean = shares.groupby(["condition", "skill_mean", "efficacy_mean"])["share_engaged"].mean().reset_index()
    write_table(grid_mean, out / "basin_grid.csv", sort_by=["condition", "skill_mean", "efficacy_mean"])

    # --- figures
    traj = res.trajectories
    traj_m = traj[(traj["condition"] == MODEL) & (traj["replicate"] < PHASE_RUNS)]
    fin = final.set_index(["run", "agent"])
    figs = [
        save_figure(
            fig_phase(traj_m, flow_field(traj_m), fin["efficacy"] >= cut, cut),
            out,
            "phase_portrait",
            f"Paths of {z['traj']} learners in each of {PHASE_RUNS} runs in (skill, efficacy), full model, with the mean one-step change "
            f"in each cell (grey arrows). Dotted line: the cut at efficacy {cut:g} (attempt chance 1/2 at the default "
            "task). Paths drawn solid end at or above the cut, dashed ones below it; a path that runs left is a "
            "learner whose skill decays because it no longer practises.",
        ),
        save_figure(
            fig_distribution(snaps, dist, cut, conds),
            out,
            "efficacy_distribution",
            "Left: distribution of efficacy across learners at several steps (full model). Middle and right: SD of "
            "efficacy and share of learners below the cut over time, full model and each ablation (mean and 95% CI "
            "over replications). Compare the final distribution with the initial one: the tests in the findings "
            "ask whether a second mode forms and whether the spread grows.",
        ),
        save_figure(
            fig_early(fe),
            out,
            "early_success",
            f"Final efficacy by the share of successes in the first {EARLY_STEP} steps, within thirds of initial "
            "efficacy (full model; mean over replications of each run's bin mean, 95% CI). Whether early success "
            "predicts final belief beyond where a learner started is the finding early_success_efficacy (a "
            "regression that controls initial efficacy and skill); this figure shows the raw pattern.",
        ),
        save_figure(
            fig_ablations([found[c.id] for c in (SPLIT, MODES, SPREAD, DRIFT, EARLY_EFF, EARLY_SKILL, SKILL_BASIN)]),
            out,
            "ablations",
            "Each emergent claim's effect in the full model and with one mechanism switched off (95% CI over "
            "replications; grey band: inside the claim's smallest effect of interest). An effect that vanishes "
            "under an ablation rests on that mechanism.",
        ),
    ]
    grid_conds = [c for c in dict.fromkeys(shares["condition"]) if c.startswith("mastery")]
    figs.append(
        save_figure(
            fig_basins(shares, thr, grid_conds),
            out,
            "basins",
            "Share of learners (%) ending at or above the cut for each grid point of mean initial efficacy x mean "
            f"initial skill (SD {GRID_SD} within a point), under three weights of mastery learning; each cell is drawn "
            "at its true grid position and width. White line: 50%. Right: the initial efficacy at which half end "
            "engaged, by initial skill (95% CI over replications; missing where the share never reaches 1/2 inside the "
            "grid).",
        )
    )

    # --- summary
    sp, mm = found[SPLIT.id], found[MODES.id]
    plain = PlainSummary(
        question="Do learners' beliefs and skills spiral apart into a virtuous group (engage, succeed, learn, believe "
        "more) and a vicious group (avoid, learn nothing, believe no more)? Does the spread of belief grow, and do "
        "early successes decide where a learner ends up?",
        answer=f"Two separate groups (a virtuous and a vicious basin; both tests must pass): {two_basins.verdict}. "
        f"Of the learners who start below the cut, the smaller end group "
        f"holds {fmt(sp.effect.estimate, signed=False)} pp ({sp.verdict}), and a second mode in the final "
        f"distribution of belief is {mm.verdict} (dip test). The spread of belief growing: "
        f"{found[SPREAD.id].verdict}. Learners who started alike drifting apart: {found[DRIFT.id].verdict}. Early "
        f"success predicting final belief beyond the starting point: {found[EARLY_EFF.id].verdict}; final skill: "
        f"{found[EARLY_SKILL.id].verdict}. More initial skill widening the engaging basin: "
        f"{found[SKILL_BASIN.id].verdict}. " + ablation_summary(findings),
        how_sure=f"{z['reps']} replications of {z['agents']} learners (grid: {z['grid_reps']} replications of "
        f"{z['grid_agents']} learners per point); every effect with a 95% bootstrap interval over replications, "
        "judged against a smallest effect of interest declared before the run (0.2 SD across learners; 5 "
        "percentage points for shares; 50 points for the share of runs with two modes).",
        meaning=_meaning(split[split["condition"] == MODEL], two_basins, found),
        rests_on="The mastery rule (belief moves toward outcomes, less as evidence accumulates), avoidance of tasks "
        f"judged beyond one's capability (the cut at efficacy {cut:g} = default task level minus avoid_margin), "
        "disengagement after repeated avoidance, and practice-driven skill growth; the ablations (the same runs "
        "with one mechanism switched off) show which of these each pattern needs.",
    )
    sections = [
        (
            "Why these tests can fail",
            "The old check of two basins asked whether the basin grid held both outcomes; it did at step 0, because "
            "the grid spans both sides of the cut. Both parts of the new test are 0 at step 0 by construction: (1) the "
            "*split* asks whether learners who **start** on the same (low) side of the cut **end** on different "
            "sides. It fails if every low starter climbs out (one attractor) or none moves (no dynamics). (2) The "
            "*second mode* compares the final distribution with the initial one (Hartigan's dip test, p < 0.05, per "
            "replication). It fails if the final distribution is one-peaked, however skewed (the skew-and-kurtosis "
            "coefficient used before fired on skewed one-peaked distributions).",
        ),
        (
            "Design",
            f"Population: default parameters, {z['agents']} learners, {z['steps']} steps, {z['reps']} replications; "
            f"learner paths kept for {z['traj']} learners per run, the whole population at steps "
            f"{', '.join(map(str, snapshot_steps(z['steps'])))}. Basin grid: mean initial efficacy {z['e_values']} x "
            f"mean initial skill {z['s_values']} (SD {GRID_SD} within a point), {z['grid_agents']} learners, "
            f"{z['grid_steps']} steps, {z['grid_reps']} replications, both mastery gains scaled by "
            f"{list(z['weights'])} (descriptive). A learner is in the engaging basin when its final efficacy is at "
            f"least {cut:g} levels. Ablations (full model and grid at mastery x1): "
            + (", ".join(avail) if avail else "none available in this model version")
            + (f" (not yet declared by the model: {', '.join(missing)})" if missing else "")
            + ". Spread claims are scaled by each run's initial SD of efficacy across learners; regression "
            "coefficients by the SD of the final outcome; shares are in percentage points.",
        ),
        (
            "Details",
            "Where the low starters end (full model, mean over replications): "
            + _split_text(split[split["condition"] == MODEL])
            + " Dip test of final efficacy, full model: "
            + _dip_text(dist[(dist["condition"] == MODEL) & (dist["step"] == last)])
            + ". "
            + " ".join(reversals(findings))
            + " Tables: `side_split.csv`, `distribution_over_time.csv`, `basin_grid.csv`, `thresholds.csv` (NaN "
            "where the share never crosses 1/2 inside the grid), `findings.csv`.",
        ),
    ]
    prov = provenance(res, replications=z["reps"], quick=args.quick)
    write_summary(out, "Virtuous and vicious cycles", plain, findings, sections, figs, prov)
    return out


def _meaning(split_model: pd.DataFrame, two_basins: Question, found: dict[str, Finding]) -> str:
    """What the verdicts would mean for a teacher or coach, if the model is right."""
    p_up = float(split_model["p_up"].mean())
    most = "most" if p_up > 0.5 else "some" if p_up > 0.05 else "almost none"
    text = (
        f"If the model is right, {most} learners who start with low belief ({100 * p_up:.0f}%) climb out of it "
        "without help; "
    )
    text += (
        "the population splits into two groups, so the low group needs targeted support."
        if two_basins.verdict == "shown"
        else "but belief does not settle into two separate groups, so a slow start is not a sentence."
    )
    if found[EARLY_EFF.id].verdict != "shown":
        text += " An early record of successes is not, by itself, a reliable sign of where a learner will end up."
    return text


def _split_text(s: pd.DataFrame) -> str:
    return (
        f"{s['n_low'].mean():.0f} learners per run start below the cut; {100 * s['p_up'].mean():.0f}% of them end at "
        f"or above it. Of the {s['n_high'].mean():.0f} who start at or above it, {100 * s['p_down'].mean():.0f}% end "
        "below."
    )


def _dip_text(d: pd.DataFrame) -> str:
    return f"multimodal (p < {ALPHA:g}) in {int(d['multimodal'].sum())} of {len(d)} replications, median p {d['dip_p'].median():.2f}"


if __name__ == "__main__":
    main()
