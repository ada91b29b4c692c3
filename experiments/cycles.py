"""Experiment 1: virtuous and vicious cycles of efficacy and performance.

Questions (issue 4, experiment 1):

- Do (skill, efficacy) trajectories spiral into two basins, a virtuous one (engage, succeed, learn, believe more) and
  a vicious one (avoid, disengage, learn nothing, believe no more)? Phase portrait with an empirical flow field.
- Does the efficacy distribution become bimodal or more spread as steps go on (a Matthew effect)?
- Do early success streaks predict final outcomes among agents who started alike (deviation amplification)?
- Where is the threshold between the basins in (initial skill, initial efficacy), and how does it move with the
  weight of mastery experience?

Two engine experiments: ``population`` (the default population, per-agent initial states vary within a run; agent
paths from trajectories and snapshots) and ``grid`` (a grid over efficacy_mean x skill_mean with small SDs, under
three weights of mastery, mapping the basins). Run ``python experiments/cycles.py [--quick]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from experiments.common import (  # noqa: E402
    base_provenance,
    bimodality_coefficient,
    bootstrap_mean_ci,
    effect_line,
    parse_args,
    results_dir,
    run,
    save_figure,
    strength_word,
    verdict,
    write_effects,
    write_summary,
)
from sim.config import Config  # noqa: E402
from sim.engine import Experiment, Outputs  # noqa: E402
from sim.params import PARAM_BY_NAME, SCHEDULE_FIELDS, event_defaults  # noqa: E402

NAME = "cycles"
EARLY_STEP = 10
"""Early window (steps) whose success share is tested as a predictor of final outcomes."""
MASTERY_WEIGHTS = (0.5, 1.0, 2.0)
"""Multipliers applied to both mastery gains (success and failure) in the grid."""
GRID_SD = 0.3
"""Initial skill and efficacy SD within a grid point (small, so a point is one region of the state space)."""


def basin_cut() -> float:
    """Efficacy at which an agent attempts the default task with probability 1/2 (task level - avoid_margin).

    Agents whose final efficacy is above it are counted in the engaging (virtuous) basin. The cut is derived from the
    declared defaults, not fitted to results.
    """
    level = event_defaults(SCHEDULE_FIELDS)["level"]
    return float(level - PARAM_BY_NAME["avoid_margin"].default)


def sizes(quick: bool) -> dict:
    """Run sizes for the quick and full versions."""
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
        e_values=[0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 4.0, 5.0],
        s_values=[1.0, 2.0, 3.0, 4.0, 5.0],
        weights=MASTERY_WEIGHTS,
    )


def snapshot_steps(steps: int) -> tuple[int, ...]:
    """Steps at which the whole population is kept (distribution over time; early success counts)."""
    return tuple(sorted({0, 5, EARLY_STEP, 25, 50, 100, steps} & set(range(steps + 1))))


def mastery_conditions(weights: tuple[float, ...]) -> dict[str, dict]:
    """Conditions scaling both mastery gains by each weight."""
    gs, gf = PARAM_BY_NAME["mastery_gain_success"].default, PARAM_BY_NAME["mastery_gain_failure"].default
    return {f"mastery x{w:g}": {"mastery_gain_success": gs * w, "mastery_gain_failure": gf * w} for w in weights}


# ----------------------------------------------------------------------------------------------------------------
# analyses (pure functions of the engine's tables)
# ----------------------------------------------------------------------------------------------------------------
def flow_field(traj: pd.DataFrame, bins: int = 12) -> pd.DataFrame:
    """Mean one-step change of (skill, efficacy) in each cell of a grid over the state space, from agent paths."""
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
    """Per replicate and step: efficacy SD, bimodality coefficient, share in the vicious basin, skill gap."""
    rows = []
    for (rep, step), g in snaps.groupby(["replicate", "step"]):
        e = g["efficacy"].to_numpy()
        rows.append(
            dict(
                replicate=rep,
                step=step,
                efficacy_sd=e.std(),
                bimodality=bimodality_coefficient(e),
                low_share=float((e < cut).mean()),
                efficacy_mean=e.mean(),
            )
        )
    return pd.DataFrame(rows)


def _ols(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    X1 = np.column_stack([np.ones(len(y)), X])
    return np.linalg.lstsq(X1, y, rcond=None)[0][1:]


def early_success_effect(snaps: pd.DataFrame, final: pd.DataFrame, early: int = EARLY_STEP) -> pd.DataFrame:
    """Per replicate: standardised effect of the early success share on final efficacy and skill.

    OLS of final efficacy (and skill) on the share of successes among the first ``early`` steps' attempts (0 when no
    attempt), controlling for initial efficacy and skill; the coefficient is per +1 SD of early success share.
    """
    e = snaps[snaps["step"] == early][["replicate", "agent", "successes", "attempts"]]
    m = final.merge(e, on=["replicate", "agent"], suffixes=("", "_early"))
    rows = []
    for rep, g in m.groupby("replicate"):
        share = np.where(g["attempts_early"] > 0, g["successes_early"] / g["attempts_early"].clip(lower=1), 0.0)
        z = (share - share.mean()) / (share.std() or 1.0)
        X = np.column_stack([z, g["initial_efficacy"], g["initial_skill"]])
        be = _ols(g["efficacy"].to_numpy(), X)[0]
        bs = _ols(g["skill"].to_numpy(), X)[0]
        rows.append(dict(replicate=rep, on_efficacy=be, on_skill=bs, early_sd=share.std()))
    return pd.DataFrame(rows)


def divergence(snaps: pd.DataFrame, bins: int = 8) -> pd.DataFrame:
    """Within-bin efficacy SD over time for agents who started in the same narrow bin of initial efficacy.

    Agents alike at the start drifting apart is deviation amplification; averaged over bins with >= 10 agents.
    """
    s = snaps.assign(b=pd.qcut(snaps["initial_efficacy"], bins, labels=False, duplicates="drop"))
    g = s.groupby(["replicate", "step", "b"])["efficacy"].agg(["std", "size"]).reset_index()
    g = g[g["size"] >= 10]
    return g.groupby(["replicate", "step"])["std"].mean().reset_index(name="within_sd")


def thresholds(agents: pd.DataFrame, cut: float) -> pd.DataFrame:
    """Initial efficacy at which half the agents end in the engaging basin, per condition, skill_mean, replicate.

    Linear interpolation between grid points; NaN when the share never crosses 1/2 within the grid.
    """
    share = (
        agents.assign(high=agents["efficacy"] >= cut)
        .groupby(["condition", "skill_mean", "replicate", "efficacy_mean"])["high"]
        .mean()
        .reset_index()
    )
    rows = []
    for (cond, sm, rep), g in share.groupby(["condition", "skill_mean", "replicate"]):
        g = g.sort_values("efficacy_mean")
        x, y = g["efficacy_mean"].to_numpy(), g["high"].to_numpy()
        thr = np.nan
        above = np.nonzero(y >= 0.5)[0]
        if len(above) and above[0] == 0:
            thr = x[0]  # already in the engaging basin at the lowest grid value: threshold is at or below it
        elif len(above):
            i = above[0]
            thr = x[i - 1] + (0.5 - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1])
        rows.append(dict(condition=cond, skill_mean=sm, replicate=rep, threshold=thr))
    return pd.DataFrame(rows)


def _slope_per_rep(thr: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (cond, rep), g in thr.dropna().groupby(["condition", "replicate"]):
        if g["skill_mean"].nunique() >= 2:
            rows.append(dict(condition=cond, replicate=rep, slope=np.polyfit(g["skill_mean"], g["threshold"], 1)[0]))
    return pd.DataFrame(rows, columns=["condition", "replicate", "slope"])


# ----------------------------------------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------------------------------------
def fig_phase(traj: pd.DataFrame, flow: pd.DataFrame, final_basin: pd.Series, cut: float):
    fig, ax = plt.subplots(figsize=(7, 6))
    f = flow[flow["n"] >= 5]
    ax.quiver(f["skill"], f["efficacy"], f["ds"], f["de"], angles="xy", color="0.6", width=0.003, zorder=1)
    for (run_, agent), g in traj.groupby(["run", "agent"]):
        high = bool(final_basin.get((run_, agent), True))
        ax.plot(g["skill"], g["efficacy"], color="tab:blue" if high else "tab:red", alpha=0.35, lw=0.8, zorder=2)
        ax.plot(g["skill"].iloc[0], g["efficacy"].iloc[0], "o", ms=2, color="k", zorder=3)
    ax.axhline(cut, ls="--", color="k", lw=0.8)
    ax.text(0.2, cut + 0.1, "attempt chance 1/2 at the default task", fontsize=8)
    ax.set(
        xlabel="skill (levels)",
        ylabel="efficacy (levels)",
        xlim=(0, 8),
        ylim=(0, 8),
        title="Phase portrait: agent paths (blue: engaging basin, red: vicious basin)\nand mean one-step flow (grey)",
    )
    return fig


def fig_distribution(snaps: pd.DataFrame, dist: pd.DataFrame, cut: float):
    steps = sorted(snaps["step"].unique())
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    ax = axes[0]
    bins = np.linspace(0, 8, 41)
    for i, s in enumerate(steps):
        h, _ = np.histogram(snaps.loc[snaps["step"] == s, "efficacy"], bins=bins, density=True)
        ax.plot(
            (bins[:-1] + bins[1:]) / 2, h + 0.0 * i, label=f"step {s}", color=plt.cm.viridis(i / max(1, len(steps) - 1))
        )
    ax.axvline(cut, ls="--", color="k", lw=0.8)
    ax.set(xlabel="efficacy (levels)", ylabel="density", title="Efficacy distribution over time")
    ax.legend(fontsize=8)
    ax = axes[1]
    for col, lab, c in (
        ("bimodality", "bimodality coefficient", "tab:purple"),
        ("efficacy_sd", "efficacy SD", "tab:green"),
        ("low_share", "share in vicious basin", "tab:red"),
    ):
        m = dist.groupby("step")[col].agg(["mean", "std", "size"])
        half = 1.96 * m["std"] / np.sqrt(m["size"])
        ax.plot(m.index, m["mean"], "o-", color=c, label=lab)
        ax.fill_between(m.index, m["mean"] - half, m["mean"] + half, color=c, alpha=0.2)
    ax.axhline(5 / 9, ls=":", color="tab:purple", lw=0.8)
    ax.set(xlabel="step", title="Spread and bimodality (mean and 95% CI over replications)")
    ax.legend(fontsize=8)
    return fig


def fig_early(final_early: pd.DataFrame, div: pd.DataFrame):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    ax = axes[0]
    d = final_early.assign(tercile=pd.qcut(final_early["initial_efficacy"], 3, labels=["low", "middle", "high"]))
    for (lab, g), c in zip(d.groupby("tercile", observed=True), ("tab:red", "tab:orange", "tab:blue"), strict=False):
        b = pd.cut(g["early_share"], np.linspace(0, 1, 6), include_lowest=True)
        m = g.groupby(b, observed=True)["efficacy"].agg(["mean", "sem"])
        x = [iv.mid for iv in m.index]
        ax.errorbar(
            x, m["mean"], yerr=1.96 * m["sem"].fillna(0), fmt="o-", color=c, label=f"{lab} initial efficacy", capsize=3
        )
    ax.set(
        xlabel=f"success share in the first {EARLY_STEP} steps",
        ylabel="final efficacy (levels)",
        title="Early success predicts final efficacy",
    )
    ax.legend(fontsize=8)
    ax = axes[1]
    m = div.groupby("step")["within_sd"].agg(["mean", "std", "size"])
    half = 1.96 * m["std"] / np.sqrt(m["size"])
    ax.plot(m.index, m["mean"], "o-")
    ax.fill_between(m.index, m["mean"] - half, m["mean"] + half, alpha=0.2)
    ax.set(
        xlabel="step",
        ylabel="efficacy SD within a bin of initial efficacy",
        title="Agents who started alike drift apart",
    )
    return fig


def fig_basins(agents: pd.DataFrame, thr: pd.DataFrame, cut: float):
    conds = list(dict.fromkeys(agents["condition"]))
    fig, axes = plt.subplots(1, len(conds) + 1, figsize=(4.2 * (len(conds) + 1), 4), layout="constrained")
    share = (
        agents.assign(high=agents["efficacy"] >= cut)
        .groupby(["condition", "skill_mean", "efficacy_mean"])["high"]
        .mean()
    )
    for ax, cond in zip(axes, conds, strict=False):
        s = share.loc[cond].unstack("efficacy_mean")
        im = ax.imshow(
            s.to_numpy(),
            origin="lower",
            aspect="auto",
            cmap="RdBu",
            vmin=0,
            vmax=1,
            extent=(-0.5, s.shape[1] - 0.5, -0.5, s.shape[0] - 0.5),
        )
        ax.set_xticks(range(s.shape[1]), [f"{v:g}" for v in s.columns], fontsize=7)
        ax.set_yticks(range(s.shape[0]), [f"{v:g}" for v in s.index])
        ax.set(xlabel="initial efficacy (mean)", ylabel="initial skill (mean)", title=f"share ending engaged\n{cond}")
    fig.colorbar(im, ax=list(axes[: len(conds)]), shrink=0.8)
    ax = axes[-1]
    for cond in conds:
        t = thr[thr["condition"] == cond].groupby("skill_mean")["threshold"].agg(["mean", "std", "size"])
        half = 1.96 * t["std"].fillna(0) / np.sqrt(t["size"])
        ax.errorbar(t.index, t["mean"], yerr=half, fmt="o-", capsize=3, label=cond)
    ax.set(
        xlabel="initial skill (mean)", ylabel="threshold initial efficacy", title="Basin threshold (1/2 end engaged)"
    )
    ax.legend(fontsize=8)
    return fig


# ----------------------------------------------------------------------------------------------------------------
def main(argv=None) -> Path:
    args = parse_args("Experiment 1: virtuous and vicious cycles of efficacy and performance.", argv)
    out = results_dir(NAME, args)
    z = sizes(args.quick)
    cut = basin_cut()

    pop = Experiment(
        name=f"{NAME}-population",
        base=Config.default(agents=z["agents"], steps=z["steps"]),
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
        conditions=mastery_conditions(z["weights"]),
        replications=z["grid_reps"],
        seed=args.seed,
        outputs=Outputs(every=10, final_agents=True),
    )
    gres = run(grid, out / "data" / "grid", args)

    # --- phase portrait
    traj = res.trajectories
    flow = flow_field(traj)
    fin = res.agents.set_index(["run", "agent"])
    final_basin = fin["efficacy"] >= cut
    figs = save_figure(fig_phase(traj, flow, final_basin, cut), out, "phase_portrait")

    # --- Matthew effect
    snaps = res.snapshots
    dist = distribution_over_time(snaps, cut)
    last, first = dist["step"].max(), dist["step"].min()
    dist.to_csv(out / "distribution_over_time.csv", index=False)
    wide = dist.pivot(index="replicate", columns="step")
    d_bc = (wide["bimodality"][last] - wide["bimodality"][first]).to_numpy()
    d_sd = (wide["efficacy_sd"][last] - wide["efficacy_sd"][first]).to_numpy()
    bc_last = bootstrap_mean_ci(wide["bimodality"][last])
    low_last = bootstrap_mean_ci(wide["low_share"][last])
    bc_ci, sd_ci = bootstrap_mean_ci(d_bc), bootstrap_mean_ci(d_sd)
    figs += save_figure(fig_distribution(snaps, dist, cut), out, "efficacy_distribution")

    # --- deviation amplification
    eff = early_success_effect(snaps, res.agents)
    early = snaps[snaps["step"] == EARLY_STEP][["replicate", "agent", "successes", "attempts"]]
    fe = res.agents.merge(early, on=["replicate", "agent"], suffixes=("", "_e"))
    fe["early_share"] = np.where(fe["attempts_e"] > 0, fe["successes_e"] / fe["attempts_e"].clip(lower=1), 0.0)
    div = divergence(snaps)
    dw = div.pivot(index="replicate", columns="step")["within_sd"]
    d_div = bootstrap_mean_ci((dw[last] - dw[first]).to_numpy())
    be, bs = bootstrap_mean_ci(eff["on_efficacy"]), bootstrap_mean_ci(eff["on_skill"])
    figs += save_figure(fig_early(fe, div), out, "early_success")

    # --- basins and threshold
    gag = gres.agents
    thr = thresholds(gag, cut)
    thr.to_csv(out / "thresholds.csv", index=False)
    slopes = _slope_per_rep(thr)
    figs += save_figure(fig_basins(gag, thr, cut), out, "basins")
    default_cond = "mastery x1"
    conds = list(dict.fromkeys(gag["condition"]))
    shifts = []
    wide_thr = thr.pivot_table(index=["skill_mean", "replicate"], columns="condition", values="threshold")
    for c in conds:
        if c == default_cond or default_cond not in wide_thr or c not in wide_thr:
            continue
        # paired by skill level and replicate, only where both thresholds lie inside the grid
        d = (wide_thr[c] - wide_thr[default_cond]).dropna().groupby("replicate").mean()
        shifts.append((c, bootstrap_mean_ci(d.to_numpy())))
    slope_def = bootstrap_mean_ci(slopes.loc[slopes["condition"] == default_cond, "slope"])
    point_low = gag.assign(high=gag["efficacy"] >= cut).groupby(["condition", "point"])["high"].mean()
    both_basins = bool((point_low < 0.1).any() and (point_low > 0.9).any())

    # --- verdicts
    # two basins: both outcomes occur in the grid, and the default population ends bimodal with a non-empty low mode
    two = bool(both_basins and bc_last[0] > 5 / 9 and low_last[1] > 0)
    matthew = bool(bc_ci[1] > 0 or sd_ci[1] > 0)
    amplif = bool(be[1] > 0)
    moves = bool(np.isfinite(slope_def[2]) and slope_def[2] < 0)
    n_reps = z["reps"]
    sections = [
        (
            "Setup",
            f"Default population ({z['agents']} agents, {z['steps']} steps, {n_reps} replications; initial efficacy "
            f"and skill vary across agents) with agent paths kept for {z['traj']} agents per run and the whole "
            f"population at steps {', '.join(map(str, snapshot_steps(z['steps'])))}. Basin grid: efficacy_mean "
            f"{z['e_values']} x skill_mean {z['s_values']} (SD {GRID_SD} within a point), {z['grid_agents']} agents, "
            f"{z['grid_steps']} steps, {z['grid_reps']} replications, mastery gains scaled by {list(z['weights'])}. "
            f"An agent is in the engaging (virtuous) basin when its final efficacy is >= {cut:g} levels: the "
            "efficacy at which it attempts the default task with probability 1/2 (task level minus avoid_margin). "
            "All CIs are 95% percentile bootstraps over replications.",
        ),
        (
            "Two basins (virtuous and vicious cycles)",
            verdict(
                "Two basins",
                two,
                f"but at the defaults only {low_last[0]:.0%} of agents end in the vicious basin"
                if two and low_last[0] < 0.1
                else f"{low_last[0]:.0%} of agents end in the vicious basin",
            )
            + "\n\n- "
            + effect_line("Share of agents in the vicious basin at the last step", *low_last)
            + f"\n- Grid points where < 10% and > 90% end engaged both exist: {'yes' if both_basins else 'no'}."
            + "\n\nSee the phase portrait: paths starting below the threshold drift down or stall and disengage "
            "(avoidance forfeits practice and mastery evidence), paths above it climb toward the task level.",
        ),
        (
            "Matthew effect (distribution over time)",
            verdict(
                "Bimodal or more spread final efficacy",
                matthew,
                f"bimodality coefficient at the last step {bc_last[0]:.2f} (bimodal if > 0.555)",
            )
            + "\n\n- "
            + effect_line(f"Change in bimodality coefficient, step {first} to {last}", *bc_ci)
            + "\n- "
            + effect_line(f"Change in efficacy SD, step {first} to {last}", *sd_ci, unit="levels")
            + "\n\n"
            + (
                "The SD itself did not grow (its CI includes or lies below 0): the spread is redistributed into two "
                "groups rather than widened, since the engaging group converges on the task level."
                if sd_ci[1] <= 0
                else "Both the SD and the bimodality grew."
            ),
        ),
        (
            "Deviation amplification (early successes)",
            verdict(
                "Early success predicts final outcomes",
                amplif,
                f"{strength_word(be[0] / max(res.agents['efficacy'].std(), 1e-9))} relative to the final SD",
            )
            + "\n\n- "
            + effect_line(
                f"Final efficacy per +1 SD of success share in the first {EARLY_STEP} steps "
                "(controlling initial efficacy and skill)",
                *be,
                unit="levels",
            )
            + "\n- "
            + effect_line("Final skill per +1 SD of early success share (same controls)", *bs, unit="levels")
            + (
                " - early successes raise final efficacy but *lower* final skill: consistent with the effort "
                "mechanism, where efficacy above the task's demand lowers effort and so practice (Vancouver & Purl "
                "2017's negative effect of efficacy during striving)."
                if bs[2] < 0
                else ""
            )
            + "\n- "
            + effect_line(
                f"Change in efficacy SD among agents who started in the same initial-efficacy bin, step "
                f"{first} to {last}",
                *d_div,
                unit="levels",
            ),
        ),
        (
            "Threshold between the basins",
            verdict(
                "Threshold falls as initial skill rises",
                moves,
                f"slope {slope_def[0]:+.2f} levels of efficacy per level of skill",
            )
            + "\n\n- "
            + effect_line(
                "Slope of the threshold initial efficacy on initial skill (default mastery weight)", *slope_def
            )
            + "".join(
                "\n- "
                + effect_line(
                    f"Threshold shift, {c} vs {default_cond} (paired by skill level where both lie inside the grid)",
                    *ci,
                    unit="levels",
                )
                for c, ci in shifts
            )
            + "\n\nThreshold per condition and skill level: `thresholds.csv` (NaN where the share never crosses 1/2 "
            "inside the grid).",
        ),
    ]
    prov = base_provenance(res, replications=n_reps, quick=args.quick, executor=args.executor)
    effects = {
        "vicious_share_final": low_last,
        "bimodality_change": bc_ci,
        "efficacy_sd_change": sd_ci,
        "early_success_on_final_efficacy": be,
        "early_success_on_final_skill": bs,
        "within_bin_sd_change": d_div,
        "threshold_slope_on_skill": slope_def,
    } | {f"threshold_shift_{c.replace(' ', '_')}": ci for c, ci in shifts}
    write_effects(out, effects)
    write_summary(out, "Virtuous and vicious cycles", sections, figs, prov)
    return out


if __name__ == "__main__":
    main()
