"""Experiment 5: global sensitivity of the main outcomes to the model parameters (Morris screening).

Question: which mechanisms drive the population's outcomes, and in particular the split into virtuous and vicious
cycles (efficacy spread and bimodality, disengagement)? Morris elementary effects (Morris 1991; Campolongo et al.
2007 mu*) via the engine's SALib sampler: each trajectory moves one parameter at a time across a grid of levels,
so ``mu*`` (mean absolute effect) ranks influence and ``sigma`` flags non-linearity or interactions. Every point
is run with the same replicates on common random numbers, so differences between points are not sampling noise.

Parameter ranges are a design choice of this experiment: a plausible band around each declared default, checked
to lie inside the range declared in ``sim/params.py``. Outcomes are read at the last step of the default scenario
(constant task at level 3.5).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import (  # noqa: E402
    base_provenance,
    bimodality_coefficient,
    parse_args,
    results_dir,
    run,
    save_figure,
    verdict,
    write_summary,
)
from sim.config import Config  # noqa: E402
from sim.params import PARAM_BY_NAME  # noqa: E402

NAME = "sensitivity"
NUM_LEVELS = 4
"""Levels of the Morris grid (SALib's default)."""

BOUNDS: dict[str, tuple[float, float]] = {
    # population heterogeneity
    "efficacy_sd": (0.5, 1.5),
    "efficacy_skill_corr": (0.1, 0.7),
    "strength_init": (0.5, 3.0),
    # approach / avoid
    "avoid_margin": (0.5, 2.5),
    "avoid_scale": (0.25, 1.0),
    "reengage_prob": (0.0, 0.05),
    # appraisal and arousal
    "threat_margin": (0.0, 1.0),
    "arousal_reactivity": (0.15, 0.55),
    "challenge_arousal": (0.05, 0.4),
    # effort and performance
    "giveup_expectancy": (0.05, 0.3),
    "perf_scale": (0.3, 0.8),
    "yd_width": (0.2, 0.5),
    "yd_cost": (0.5, 3.0),
    # skill
    "learn_rate": (0.04, 0.16),
    "failure_learning": (0.3, 0.9),
    # mastery
    "mastery_gain_success": (0.25, 1.0),
    "mastery_gain_failure": (0.2, 0.8),
    "effort_attribution": (0.3, 0.9),
    "strength_gain": (0.1, 0.6),
    # vicarious, persuasion, physiological
    "vicarious_gain": (0.05, 0.3),
    "persuasion_gain": (0.05, 0.2),
    "persuasion_rate": (0.0, 0.1),
    "physio_gain": (0.1, 0.6),
}
"""Range of each varied parameter (every other parameter stays at its default)."""

OUTCOMES = {
    "efficacy_mean": "final mean efficacy",
    "efficacy_sd": "efficacy SD (spread)",
    "bimodality": "efficacy bimodality coefficient",
    "disengaged_share": "disengaged share",
    "skill_mean": "final mean skill",
    "calibration_mean": "calibration (efficacy - skill)",
}
SPLIT_OUTCOMES = ("efficacy_sd", "bimodality", "disengaged_share")
"""Outcomes that measure the split into cycles."""


def check_bounds() -> None:
    """Every range must lie inside the declared range of its parameter (sim/params.py is the one source)."""
    from sim.errors import ConfigError

    for name, (lo, hi) in BOUNDS.items():
        spec = PARAM_BY_NAME[name]
        if not (spec.low <= lo < hi <= spec.high):
            raise ConfigError(f"bounds.{name}", [lo, hi], f"a range inside [{spec.low:g}, {spec.high:g}]")


def design(quick: bool, seed: int):
    """The engine experiment: a Morris sample over :data:`BOUNDS`."""
    from sim.engine import Experiment, Outputs

    check_bounds()
    agents, steps, reps, n = (50, 60, 2, 8) if quick else (100, 100, 4, 24)
    base = Config.default(agents=agents, steps=steps, seed=seed)
    exp = Experiment(
        name=NAME,
        base=base,
        sampler={
            "method": "morris",
            "n": n,
            "num_levels": NUM_LEVELS,
            "bounds": {k: list(v) for k, v in BOUNDS.items()},
        },
        replications=reps,
        seed=seed,
        outputs=Outputs(every=steps, final_agents=True),
    )
    return exp, base


def point_outcomes(res) -> tuple[pd.DataFrame, np.ndarray]:
    """Outcomes per sample point (mean over replicates) and the sample matrix X in point order.

    Parameter values come from the run table (``res.runs``), outcomes from the last series step and the final
    agent table; some parameter names (``efficacy_sd``) are also outcome names, so X is kept apart.
    """
    s = res.series
    last = s[s["step"] == s["step"].max()].set_index("run")
    per_run = last[[k for k in OUTCOMES if k != "bimodality"]].copy()
    per_run["bimodality"] = res.agents.groupby("run")["efficacy"].apply(lambda e: bimodality_coefficient(e.to_numpy()))
    runs = res.runs.set_index("run")
    per_run["point"] = runs["point"]
    pts = per_run.groupby("point").mean().sort_index()
    X = runs.groupby("point")[list(BOUNDS)].first().sort_index().to_numpy(dtype=float)
    return pts, X


def morris_indices(X: np.ndarray, pts: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Morris mu, mu*, its 95% CI half-width and sigma for every parameter and outcome."""
    from SALib.analyze import morris

    problem = {"num_vars": len(BOUNDS), "names": list(BOUNDS), "bounds": [list(b) for b in BOUNDS.values()]}
    rows = []
    for key in OUTCOMES:
        y = pts[key].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)):  # bimodality is NaN where efficacy has no spread at all
            y = np.where(np.isfinite(y), y, np.nanmean(y))
        si = morris.analyze(problem, X, y, num_levels=NUM_LEVELS, conf_level=0.95, seed=seed, print_to_console=False)
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "outcome": key,
                    "parameter": name,
                    "mechanism": PARAM_BY_NAME[name].group,
                    "mu": float(si["mu"][i]),
                    "mu_star": float(si["mu_star"][i]),
                    "mu_star_conf": float(si["mu_star_conf"][i]),
                    "sigma": float(si["sigma"][i]),
                }
            )
    df = pd.DataFrame(rows)
    # mu* relative to the largest for that outcome, so outcomes on different scales compare
    df["mu_star_rel"] = df["mu_star"] / df.groupby("outcome")["mu_star"].transform("max")
    df["rank"] = df.groupby("outcome")["mu_star"].rank(ascending=False, method="first").astype(int)
    return df


def mechanism_shares(idx: pd.DataFrame) -> pd.DataFrame:
    """Share of the total mu* of each outcome carried by each mechanism group."""
    g = idx.groupby(["outcome", "mechanism"])["mu_star"].sum().reset_index()
    g["share"] = g["mu_star"] / g.groupby("outcome")["mu_star"].transform("sum")
    return g


# ---------------------------------------------------------------------------------------------- figures
def figure_mu_star(idx: pd.DataFrame, out: Path, top: int = 10) -> list[Path]:
    import matplotlib.pyplot as plt

    keys = list(OUTCOMES)
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5))
    for ax, key in zip(axes.ravel(), keys, strict=True):
        d = idx[idx["outcome"] == key].nsmallest(top, "rank").iloc[::-1]
        ax.barh(d["parameter"], d["mu_star"], xerr=d["mu_star_conf"], color="C0", ecolor="grey", capsize=2)
        ax.set_title(OUTCOMES[key], fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlabel("mu* (mean |elementary effect|)")
    fig.suptitle(f"Morris screening: the {top} most influential parameters per outcome (bars: 95% CI)")
    fig.tight_layout()
    return save_figure(fig, out, "mu_star_by_outcome")


def figure_sigma(idx: pd.DataFrame, out: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(SPLIT_OUTCOMES), figsize=(15, 4.8))
    for ax, key in zip(axes, SPLIT_OUTCOMES, strict=True):
        d = idx[idx["outcome"] == key]
        ax.scatter(d["mu_star"], d["sigma"], s=18)
        for _, r in d.nsmallest(6, "rank").iterrows():
            ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=7, xytext=(3, 2),
                        textcoords="offset points")  # fmt: skip
        lim = max(d["mu_star"].max(), d["sigma"].max()) * 1.05
        ax.plot([0, lim], [0, lim], "k:", lw=0.8)
        ax.set_xlabel("mu*")
        ax.set_ylabel("sigma")
        ax.set_title(OUTCOMES[key], fontsize=10)
    fig.suptitle("Influence (mu*) against non-linearity / interaction (sigma); dotted: sigma = mu*")
    fig.tight_layout()
    return save_figure(fig, out, "sigma_vs_mu_star")


def figure_mechanisms(shares: pd.DataFrame, out: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    w = shares.pivot(index="outcome", columns="mechanism", values="share").reindex(list(OUTCOMES)).fillna(0)
    fig, ax = plt.subplots(figsize=(10, 4.8))
    left = np.zeros(len(w))
    colours = plt.cm.tab20(np.linspace(0, 1, w.shape[1]))
    for c, mech in zip(colours, w.columns, strict=True):
        ax.barh([OUTCOMES[k] for k in w.index], w[mech], left=left, color=c, label=mech)
        left += w[mech].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel("share of the outcome's total mu*")
    ax.legend(fontsize=8, bbox_to_anchor=(1.01, 1), loc="upper left")
    ax.set_title("Which mechanisms drive each outcome")
    fig.tight_layout()
    return save_figure(fig, out, "mechanism_shares")


# ---------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write data, figures and summary.md; returns the results folder."""
    args = parse_args("Experiment 5: global sensitivity (Morris) of the main outcomes.", argv)
    out = results_dir(NAME, args)
    t0 = time.time()
    exp, base = design(args.quick, args.seed)
    res = run(exp, out / "data", args)
    pts, X = point_outcomes(res)
    pts.to_csv(out / "points.csv")
    idx = morris_indices(X, pts, args.seed)
    idx.to_csv(out / "morris_indices.csv", index=False)
    shares = mechanism_shares(idx)
    shares.to_csv(out / "mechanism_shares.csv", index=False)
    figures = figure_mu_star(idx, out) + figure_sigma(idx, out) + figure_mechanisms(shares, out)

    lines = []
    for key, label in OUTCOMES.items():
        d = idx[idx["outcome"] == key].sort_values("rank")
        # parameters whose mu* CI lies clearly above the noise floor of the least influential parameter
        top = d.head(4)
        items = ", ".join(
            f"`{r.parameter}` ({r.mechanism}; mu* {r.mu_star:.3g} +/- {r.mu_star_conf:.2g}, "
            f"{'raises' if r.mu > 0 else 'lowers'} it)"
            for r in top.itertuples()
        )
        lines.append(f"- **{label}**: {items}.")
    split = shares[shares["outcome"].isin(SPLIT_OUTCOMES)].groupby("mechanism")["share"].mean().sort_values()[::-1]
    mech_line = ", ".join(f"{m} {s:.0%}" for m, s in split.head(5).items())
    # expected (Bandura): the split is driven by the choice (avoidance) and mastery mechanisms, not by the
    # weaker sources (vicarious, persuasion) - check where these two groups rank
    top2 = list(split.head(3).index)
    appeared = "choice" in top2 and "mastery" in split.head(4).index
    findings = (
        verdict(
            "The split into cycles is driven by avoidance (choice) and mastery experience",
            appeared,
            f"average share of mu* over the split outcomes ({', '.join(SPLIT_OUTCOMES)}): {mech_line}",
        )
        + "\n\n"
        + "Most influential parameters per outcome (Morris mu*, with the SALib bootstrap 95% CI half-width, and "
        + "the sign of the mean elementary effect mu):\n\n"
        + "\n".join(lines)
    )
    n_points = len(pts)
    sections = [
        ("Findings", findings),
        (
            "How to read this",
            "mu* is the mean absolute change in an outcome when one parameter moves by 2/3 of its range (Morris "
            f"grid of {NUM_LEVELS} levels), the others held at a sampled point; sigma large relative to mu* "
            "means the effect depends on the other parameters (interaction or non-linearity). The ranges are a "
            "design choice of this experiment (table below); a parameter's rank depends on how wide its range is. "
            "Initial heterogeneity (`efficacy_sd`) ranks high on final spread partly by construction: the split is "
            "better read from the mechanisms that amplify spread (choice, mastery, skill). Each point's outcomes are "
            "means over replications on common random numbers.",
        ),
        (
            "Design",
            f"Morris sample: {exp.sampler['n']} trajectories x ({len(BOUNDS)} + 1) = {n_points} points, "
            f"{exp.replications} replications each, {base.agents} agents, {base.steps} steps, default scenario "
            "(constant task at level "
            f"{base.schedule[0]['level']:g}). Ranges: "
            + ", ".join(f"`{k}` [{a:g}, {b:g}]" for k, (a, b) in BOUNDS.items())
            + ". Indices in `morris_indices.csv`, per-point outcomes in `points.csv`, mechanism shares in "
            "`mechanism_shares.csv`.",
        ),
    ]
    prov = base_provenance(
        res,
        **{
            "config hash (base)": base.digest(),
            "replications": exp.replications,
            "mode": "quick" if args.quick else "full",
            "executor": args.executor,
            "wall time": f"{time.time() - t0:.1f} s",
            "command": "python experiments/sensitivity.py" + (" --quick" if args.quick else ""),
        },
    )
    write_summary(out, "Experiment 5: global sensitivity (Morris)", sections, figures, prov)
    return out


if __name__ == "__main__":
    main()
