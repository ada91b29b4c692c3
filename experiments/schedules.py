"""Experiment 3: difficulty schedules.

Question: how does the sequence of task difficulties shape skill, efficacy, calibration (efficacy
minus skill), disengagement and the robustness of efficacy to a severe failure at the end? Which
success rate grows skill fastest?

Schedules (all on common random numbers, so replicate r of every schedule sees the same draws and
the same learners): constant easy (one level below the mean initial skill), constant hard (two
levels above), random (wide uniform mix), a progressive ladder (ramp from one below to three above
the initial skill over the run), personal adaptive staircases at several target success rates
(Kaernbach 1991), and self-chosen goals (own efficacy + 0.5). Each schedule also runs with a test
shock a few steps before the end (a severe full-effort failure, ``sim.params.SHOCK_FIELDS`` defaults);
the efficacy drop is the paired difference to the same schedule without the shock.

Expected (Bandura 1997; Bandura & Schunk 1981; Bjork 1994): a step, not a leap - moderate challenge
grows skill fastest; constant hard tasks drive avoidance and disengagement; efficacy built by
overcoming challenge resists a late failure better than efficacy built on easy success.
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
    effect_line,
    parse_args,
    results_dir,
    run,
    save_figure,
    strength_word,
    verdict,
    write_summary,
)
from sim.config import Config  # noqa: E402

NAME = "schedules"
TARGETS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
"""Target success rates of the adaptive staircases."""
SHOCK_BEFORE_END = 6
"""The test shock happens this many steps before the end."""
SHOCK_SUFFIX = " + shock"
OUTCOMES = {
    "skill_mean": "final skill",
    "efficacy_mean": "final efficacy",
    "calibration_mean": "calibration (efficacy - skill)",
    "disengaged_share": "disengaged share",
}


def schedules(base: Config) -> dict[str, list[dict]]:
    """Each schedule's phase list, set relative to the population's mean initial skill."""
    s0 = base.params["skill_mean"]
    steps = base.steps
    out: dict[str, list[dict]] = {
        "constant easy": [{"kind": "constant", "level": s0 - 1.0}],
        "constant hard": [{"kind": "constant", "level": s0 + 2.0}],
        "random": [{"kind": "random", "level": s0 + 0.5, "spread": 2.0}],
        "ladder (ramp)": [{"kind": "ramp", "level": s0 - 1.0, "ramp_rate": round(4.0 / steps, 4)}],
    }
    for t in TARGETS:
        out[f"adaptive {t:.0%}"] = [{"kind": "adaptive", "level": s0, "target_success": t}]
    out["self-chosen"] = [{"kind": "self_chosen", "offset": 0.5, "spread": 0.5}]
    return out


def design(quick: bool, seed: int):
    """The engine experiment: every schedule with and without the end-of-run shock."""
    from sim.engine import Experiment, Outputs

    agents, steps, reps = (60, 80, 8) if quick else (100, 150, 20)
    base = Config.default(agents=agents, steps=steps, seed=seed)
    shock = {"step": steps - SHOCK_BEFORE_END}
    conds: dict[str, dict] = {}
    for name, phases in schedules(base).items():
        conds[name] = {"schedule": phases, "shocks": []}
        conds[name + SHOCK_SUFFIX] = {"schedule": phases, "shocks": [shock]}
    exp = Experiment(
        name=NAME,
        base=base,
        conditions=conds,
        replications=reps,
        seed=seed,
        outputs=Outputs(every=1, final_agents=True),
    )
    return exp, base


# ---------------------------------------------------------------------------------------------- analysis
def per_run(res, base: Config) -> pd.DataFrame:
    """One row per run: condition, replicate, schedule, shocked, final outcomes, realised success, skill gain,
    and efficacy just after the shock step (row ``shock step + 1``)."""
    s = res.series
    last = s[s["step"] == s["step"].max()].set_index("run")
    after = s[s["step"] == base.steps - SHOCK_BEFORE_END + 1].set_index("run")["efficacy_mean"]
    a = res.agents.copy()
    a["gain"] = a["skill"] - a["initial_skill"]
    g = a.groupby("run").agg(skill_gain=("gain", "mean"), attempts=("attempts", "sum"), successes=("successes", "sum"))
    runs = res.runs.set_index("run")[["condition", "replicate"]].copy()
    df = runs.join(last[list(OUTCOMES) + ["efficacy_sd"]]).join(g)
    df["efficacy_after_shock"] = after
    df["realised_success"] = df["successes"] / df["attempts"].where(df["attempts"] > 0)
    df["shocked"] = df["condition"].astype(str).str.endswith(SHOCK_SUFFIX)
    df["schedule"] = df["condition"].astype(str).str.removesuffix(SHOCK_SUFFIX)
    return df.reset_index()


def paired(df: pd.DataFrame, value: str, cond: str, control: str, column: str = "schedule") -> dict:
    """Paired (same replicate) difference ``cond - control`` with a 95% bootstrap CI and Cohen's d_z."""
    from sim.engine.stats import paired_difference

    sub = df[df[column].isin([cond, control])].rename(columns={column: "arm"})
    r = paired_difference(sub, value, condition="arm", control=control, on="replicate")
    row = r[r["arm"] == cond].iloc[0] if "arm" in r.columns else r.iloc[0]
    return {k: float(row[k]) for k in ("mean", "lo", "hi", "d_z", "d")}


def fastest_target(df: pd.DataFrame, n_boot: int, seed: int) -> tuple[pd.Series, float]:
    """Bootstrap (over replicates) distribution of the adaptive target with the largest mean skill gain."""
    ad = df[df["schedule"].str.startswith("adaptive")]
    wide = ad.pivot(index="replicate", columns="schedule", values="skill_gain")
    cols = sorted(wide.columns, key=lambda c: float(c.split()[1].rstrip("%")))
    m = wide[cols].to_numpy()
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, m.shape[0], (n_boot, m.shape[0]))
    best = np.argmax(m[idx].mean(axis=1), axis=1)
    share = pd.Series(np.bincount(best, minlength=len(cols)) / n_boot, index=cols)
    return share, float(np.argmax(m.mean(axis=0)))


def summary_table(df: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Mean and 95% CI over replicates of every outcome, per schedule (no-shock runs)."""
    from sim.engine.stats import summarise

    rows = []
    for value in [*OUTCOMES, "skill_gain", "realised_success", "efficacy_sd"]:
        t = summarise(df, by=["schedule"], value=value)
        t = t.set_index("schedule").reindex(order)
        for sched, r in t.iterrows():
            rows.append({"schedule": sched, "outcome": value, "mean": r["mean"], "lo": r["lo"], "hi": r["hi"]})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------- figures
def figure_outcomes(tab: pd.DataFrame, order: list[str], out: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(15, 4.6), sharey=True)
    y = np.arange(len(order))
    for ax, (key, label) in zip(axes, OUTCOMES.items(), strict=True):
        t = tab[tab["outcome"] == key].set_index("schedule").reindex(order)
        colours = ["C2" if s.startswith("adaptive") else "C0" for s in order]
        ax.errorbar(t["mean"], y, xerr=[t["mean"] - t["lo"], t["hi"] - t["mean"]], fmt="none", ecolor="grey")
        ax.scatter(t["mean"], y, c=colours, zorder=3)
        ax.set_title(label)
        if key == "calibration_mean":
            ax.axvline(0, color="k", lw=0.8)
    axes[0].set_yticks(y, order)
    axes[0].invert_yaxis()
    fig.suptitle("Final outcomes by difficulty schedule (mean and 95% CI over replications)")
    fig.tight_layout()
    return save_figure(fig, out, "outcomes_by_schedule")


def figure_success_skill(tab: pd.DataFrame, order: list[str], out: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    sk = tab[tab["outcome"] == "skill_gain"].set_index("schedule")
    su = tab[tab["outcome"] == "realised_success"].set_index("schedule")
    fig, ax = plt.subplots(figsize=(7, 4.8))
    ad = [s for s in order if s.startswith("adaptive")]
    ax.errorbar(su.loc[ad, "mean"], sk.loc[ad, "mean"],
                yerr=[sk.loc[ad, "mean"] - sk.loc[ad, "lo"], sk.loc[ad, "hi"] - sk.loc[ad, "mean"]],
                fmt="o-", color="C2", capsize=3, label="adaptive staircases")  # fmt: skip
    for s in ad:
        ax.annotate(s.split()[1], (su.loc[s, "mean"], sk.loc[s, "mean"]), textcoords="offset points",
                    xytext=(4, 4), fontsize=8, color="C2")  # fmt: skip
    for s in [s for s in order if not s.startswith("adaptive")]:
        ax.errorbar(su.loc[s, "mean"], sk.loc[s, "mean"],
                    yerr=[[sk.loc[s, "mean"] - sk.loc[s, "lo"]], [sk.loc[s, "hi"] - sk.loc[s, "mean"]]],
                    fmt="s", color="C0", capsize=3)  # fmt: skip
        ax.annotate(s, (su.loc[s, "mean"], sk.loc[s, "mean"]), textcoords="offset points", xytext=(4, -10),
                    fontsize=8)  # fmt: skip
    ax.set_xlabel("realised success rate of attempts over the run")
    ax.set_ylabel("mean skill gain (levels)")
    ax.set_title("Which success rate grows skill fastest?\n(labels on the green line: staircase target)")
    return save_figure(fig, out, "skill_by_success_rate")


def figure_shock(drops: pd.DataFrame, order: list[str], out: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    d = drops.set_index("schedule").reindex(order)
    fig, ax = plt.subplots(figsize=(7, 4.8))
    y = np.arange(len(order))
    ax.errorbar(d["mean"], y, xerr=[d["mean"] - d["lo"], d["hi"] - d["mean"]], fmt="o", capsize=3)
    ax.set_yticks(y, order)
    ax.invert_yaxis()
    ax.set_xlabel("efficacy drop one step after the shock (levels; paired with the no-shock twin)")
    ax.set_title("Robustness to a severe failure near the end")
    return save_figure(fig, out, "shock_drop_by_schedule")


def figure_trajectories(res, order: list[str], out: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    s = res.series
    s = s[~s["condition"].astype(str).str.endswith(SHOCK_SUFFIX)]
    m = s.groupby(["condition", "step"], observed=True)[["efficacy_mean", "skill_mean"]].mean().reset_index()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4), sharey=True)
    cmap = plt.cm.tab20(np.linspace(0, 1, len(order)))
    for c, name in zip(cmap, order, strict=True):
        g = m[m["condition"].astype(str) == name]
        axes[0].plot(g["step"], g["skill_mean"], color=c, label=name)
        axes[1].plot(g["step"], g["efficacy_mean"], color=c, label=name)
    axes[0].set_title("mean skill")
    axes[1].set_title("mean efficacy")
    for ax in axes:
        ax.set_xlabel("step")
    axes[0].set_ylabel("levels")
    axes[1].legend(fontsize=7, ncol=2)
    fig.suptitle("Trajectories by schedule (no shock; mean over replications)")
    fig.tight_layout()
    return save_figure(fig, out, "trajectories_by_schedule")


# ---------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write data, figures and summary.md; returns the results folder."""
    args = parse_args("Experiment 3: difficulty schedules (skill, efficacy, calibration, robustness).", argv)
    out = results_dir(NAME, args)
    t0 = time.time()
    exp, base = design(args.quick, args.seed)
    res = run(exp, out / "data", args)
    runs = per_run(res, base)
    order = list(schedules(base))
    plain = runs[~runs["shocked"]]
    tab = summary_table(plain, order)
    tab.to_csv(out / "outcomes.csv", index=False)

    # robustness: efficacy of the no-shock twin minus the shocked run, same replicate
    drops = []
    for s in order:
        for when, col in (("after", "efficacy_after_shock"), ("end", "efficacy_mean")):
            pair = runs[runs["schedule"] == s].copy()
            pair["arm"] = np.where(pair["shocked"], "shock", "none")
            r = paired(pair, col, "none", "shock", column="arm")
            drops.append({"schedule": s, "when": when, **r})
    drops = pd.DataFrame(drops)
    drops.to_csv(out / "shock_drops.csv", index=False)
    drop_after = drops[drops["when"] == "after"]

    share, best_i = fastest_target(plain, 2000, args.seed)
    best = share.index[int(best_i)]
    share.rename("bootstrap share fastest").to_csv(out / "fastest_target.csv")

    figures = (
        figure_outcomes(tab, order, out)
        + figure_success_skill(tab, order, out)
        + figure_shock(drop_after, order, out)
        + figure_trajectories(res, order, out)
    )

    # ------------------------------------------------------------------ findings
    def val(sched: str, outcome: str) -> float:
        return float(tab[(tab["schedule"] == sched) & (tab["outcome"] == outcome)]["mean"].iloc[0])

    lines = []
    # (1) a step, not a leap: best staircase beats both constant extremes on skill
    vs_easy = paired(plain, "skill_gain", best, "constant easy")
    vs_hard = paired(plain, "skill_gain", best, "constant hard")
    interior = best not in (share.index[0], share.index[-1])
    ok1 = vs_easy["lo"] > 0 and vs_hard["lo"] > 0
    lines.append(
        verdict(
            "Moderate challenge grows skill fastest",
            ok1 and interior,
            f"fastest staircase: {best} (chosen in {share[best]:.0%} of bootstrap resamples; realised success of "
            f"attempts {val(best, 'realised_success'):.2f}); "
            + ("an interior optimum" if interior else "the optimum is at the edge of the targets tried")
            + f"; vs constant easy Cohen's d = {vs_easy['d']:.1f} ({strength_word(vs_easy['d'])}), paired d_z = "
            f"{vs_easy['d_z']:.1f}",
        )
    )
    lines.append(effect_line(f"Skill gain, {best} minus constant easy", **_ci(vs_easy), unit="levels"))
    lines.append(effect_line(f"Skill gain, {best} minus constant hard", **_ci(vs_hard), unit="levels"))
    lines.append(
        "Bootstrap share of resamples in which each target grows skill fastest: "
        + ", ".join(f"{k.split()[1]} {v:.0%}" for k, v in share.items())
        + "."
    )
    # (2) constant hard drives disengagement
    dis = paired(plain, "disengaged_share", "constant hard", "constant easy")
    lines.append(
        verdict(
            "Constant hard tasks drive disengagement",
            dis["lo"] > 0,
            f"Cohen's d = {dis['d']:.1f} ({strength_word(dis['d'])}), paired d_z = {dis['d_z']:.1f}",
        )
        + "\n\n"
        + effect_line("Disengaged share, constant hard minus constant easy", **_ci(dis))
    )
    # (3) robustness: efficacy built through challenge resists the shock better than efficacy from easy success
    de = drop_after.set_index("schedule")
    rob = _diff_of_drops(runs, best, "constant easy", "efficacy_after_shock")
    lines.append(
        verdict(
            "Efficacy built through challenge is more robust to a late failure",
            rob["hi"] < 0,
            f"drop after {best}: {de.loc[best, 'mean']:.3f}, after constant easy: {de.loc['constant easy', 'mean']:.3f}"
            f" levels; paired d_z = {rob['d_z']:.1f}",
        )
        + "\n\n"
        + effect_line(f"Shock drop, {best} minus constant easy", **_ci(rob), unit="levels")
    )
    # (4) calibration
    cal = {s: val(s, "calibration_mean") for s in order}
    lo_s, hi_s = min(cal, key=cal.get), max(cal, key=cal.get)
    lines.append(
        f"Calibration (efficacy - skill) ranges from {cal[lo_s]:+.2f} ({lo_s}: efficacy lags skill) to "
        f"{cal[hi_s]:+.2f} ({hi_s}). The ladder ends at {cal['ladder (ramp)']:+.2f}, constant easy at "
        f"{cal['constant easy']:+.2f}."
    )

    table = ["| schedule | skill gain | final efficacy | calibration | disengaged | realised success | shock drop |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for s in order:
        table.append(
            f"| {s} | {val(s, 'skill_gain'):.2f} | {val(s, 'efficacy_mean'):.2f} | {val(s, 'calibration_mean'):+.2f} "
            f"| {val(s, 'disengaged_share'):.2f} | {val(s, 'realised_success'):.2f} | {de.loc[s, 'mean']:.3f} |"
        )
    reps, agents, steps = exp.replications, base.agents, base.steps
    sections = [
        ("Findings", "\n\n".join(lines)),
        ("All schedules (means over replications; CIs in outcomes.csv and shock_drops.csv)", "\n".join(table)),
        (
            "How to read this",
            "Realised success is the share of attempts that succeeded; an adaptive staircase's target is not the "
            "realised rate, because the staircase steps down after an avoided task as after a failure (so low targets, "
            "which pose tasks above efficacy, show realised rates above their targets). The shock drop is the efficacy of the no-shock twin minus that of the "
            f"shocked run one step after the shock (same replicate: same learners and draws); {SHOCK_BEFORE_END} "
            "steps before the end, severity and arousal at their declared defaults. The shock hits engaged agents only, "
            "so a schedule that disengages many shows a smaller average drop. Conditions run on common random "
            "numbers, so paired effect sizes (d_z, relative to the SD of the per-replicate differences) are much "
            "larger than Cohen's d (relative to the SD between replications).",
        ),
        (
            "Design",
            f"{len(order)} schedules x (no shock, shock), {reps} replications on common random numbers, "
            f"{agents} agents, {steps} steps, every other parameter at its default. Schedules are set relative to "
            f"the mean initial skill ({base.params['skill_mean']:g}).",
        ),
    ]
    prov = base_provenance(
        res,
        **{
            "config hash (base)": base.digest(),
            "replications": reps,
            "mode": "quick" if args.quick else "full",
            "executor": args.executor,
            "wall time": f"{time.time() - t0:.1f} s",
            "command": "python experiments/schedules.py" + (" --quick" if args.quick else ""),
        },
    )
    write_summary(out, "Experiment 3: difficulty schedules", sections, figures, prov)
    return out


def _ci(r: dict) -> dict:
    return {"estimate": r["mean"], "lo": r["lo"], "hi": r["hi"]}


def _diff_of_drops(runs: pd.DataFrame, a: str, b: str, col: str) -> dict:
    """Per-replicate (drop under schedule a) - (drop under schedule b), with a bootstrap CI and d_z."""
    from experiments.common import bootstrap_mean_ci

    def drop(s: str) -> pd.Series:
        w = runs[runs["schedule"] == s].pivot(index="replicate", columns="shocked", values=col)
        return w[False] - w[True]

    d = (drop(a) - drop(b)).dropna().to_numpy()
    mean, lo, hi = bootstrap_mean_ci(d)
    sd = d.std(ddof=1) if d.size > 1 else np.nan
    return {"mean": mean, "lo": lo, "hi": hi, "d_z": mean / sd if sd and sd > 0 else np.nan, "d": np.nan}


if __name__ == "__main__":
    main()
