"""Experiment 2: a severe early failure.

Questions (issue 4, experiment 2):

- Does a severe failure harm final efficacy, skill and engagement more when it comes early than late, and how much
  more the more severe it is? (shock at several steps x severities vs a no-shock control)
- For how long (recovery curves of the difference to the control), and for whom (by initial efficacy)?
- Resilient efficacy: are agents who met and overcame moderate setbacks earlier hurt less by the same late severe
  failure than agents who only had easy success?

Every condition runs on common random numbers (same experiment seed: replicate r of every condition sees the same
draws, the same initial agents and the same network), so differences are paired by replicate, and even by agent.
Run ``python experiments/early_failure.py [--quick]``.
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
from sim.state import DISENGAGED  # noqa: E402

NAME = "early_failure"
CONTROL = "control"
EASY_LEVEL = 2.5
"""Difficulty of the easy constant schedule (below the mean initial skill, so success is the rule)."""
CHALLENGE_LEVEL = 4.5
"""Difficulty of the short challenge phases (above mean skill and efficacy: setbacks are likely)."""
CHALLENGE_LENGTH = 5
"""Steps per challenge phase."""
MILD_SEVERITY = 1.5
"""Severity of the moderate setbacks in the `setbacks` history (ordinary failures are 1)."""
LATE_SEVERITY = 5.0
"""Severity of the late severe failure in the resilience comparison."""


def sizes(quick: bool) -> dict:
    if quick:
        return dict(
            agents=100,
            steps=100,
            reps=6,
            timings=[5, 50],
            severities=[5.0, 10.0],
            res_steps=100,
            late=70,
            history=[20, 40],
        )
    return dict(
        agents=200,
        steps=150,
        reps=16,
        timings=[5, 20, 50, 100],
        severities=[2.0, 5.0, 10.0],
        res_steps=160,
        late=110,
        history=[20, 40, 60, 80],
    )


def shock_name(step: int, severity: float) -> str:
    return f"shock t={step} s={severity:g}"


def timing_conditions(timings: list[int], severities: list[float]) -> dict[str, dict]:
    conds: dict[str, dict] = {CONTROL: {}}
    for t in timings:
        for s in severities:
            conds[shock_name(t, s)] = {"shocks": [{"step": t, "severity": s}]}
    return conds


def history_conditions(history: list[int], late: int) -> dict[str, dict]:
    """Three histories (easy success only; short challenge phases; moderate setbacks), each with/without the late shock."""
    easy = [{"kind": "constant", "start": 0, "level": EASY_LEVEL}]
    challenge = list(easy)
    for s in history:
        challenge += [
            {"kind": "constant", "start": s, "level": CHALLENGE_LEVEL},
            {"kind": "constant", "start": s + CHALLENGE_LENGTH, "level": EASY_LEVEL},
        ]
    mild = [{"step": s, "severity": MILD_SEVERITY} for s in history]
    shock = {"step": late, "severity": LATE_SEVERITY}
    out = {}
    for name, sched, shocks in (("easy", easy, []), ("challenges", challenge, []), ("setbacks", easy, mild)):
        out[name] = {"schedule": sched, "shocks": shocks}
        out[name + " + late shock"] = {"schedule": sched, "shocks": [*shocks, shock]}
    return out


# ----------------------------------------------------------------------------------------------------------------
def paired(df: pd.DataFrame, value: str, cond: str, control: str) -> np.ndarray:
    """Per-replicate difference ``cond - control`` of a per-run value (rows: one per run)."""
    w = df.pivot_table(index="replicate", columns="condition", values=value)
    return (w[cond] - w[control]).to_numpy()


def final_effects(final: pd.DataFrame, conds: list[str]) -> pd.DataFrame:
    """Mean paired difference to the control (and 95% CI) of final efficacy, skill and disengaged share."""
    rows = []
    for c in conds:
        t, s = c.split()[1:]
        row = dict(condition=c, step=int(t.split("=")[1]), severity=float(s.split("=")[1]))
        for v in ("efficacy_mean", "skill_mean", "disengaged_share"):
            m, lo, hi = bootstrap_mean_ci(paired(final, v, c, CONTROL))
            row |= {v: m, v + "_lo": lo, v + "_hi": hi}
        rows.append(row)
    return pd.DataFrame(rows)


def recovery(series: pd.DataFrame, cond: str, shock_step: int) -> pd.DataFrame:
    """Efficacy difference to the control by steps since the shock (mean and 95% CI over replicates)."""
    w = series.pivot_table(index=["step", "replicate"], columns="condition", values="efficacy_mean")
    d = (w[cond] - w[CONTROL]).rename("diff").reset_index()
    g = d.groupby("step")["diff"].agg(["mean", "std", "size"])
    half = 1.96 * g["std"] / np.sqrt(g["size"])
    out = pd.DataFrame(
        {"since": g.index - shock_step, "mean": g["mean"], "lo": g["mean"] - half, "hi": g["mean"] + half}
    )
    return out[out["since"] >= 0].reset_index(drop=True)


def half_life(rec: pd.DataFrame) -> float:
    """Steps after the shock until the mean efficacy gap has shrunk to half its largest value (inf: never)."""
    peak_i = rec["mean"].abs().idxmax()
    peak = abs(rec.loc[peak_i, "mean"])
    after = rec.loc[peak_i:]
    back = after[after["mean"].abs() <= peak / 2]
    return float(back["since"].iloc[0]) if len(back) else float("inf")


def by_initial(agents: pd.DataFrame, cond: str) -> pd.DataFrame:
    """Per agent (paired on common random numbers): final efficacy and disengagement difference, by initial tercile."""
    key = ["replicate", "agent"]
    a = agents[agents["condition"] == cond].set_index(key)
    c = agents[agents["condition"] == CONTROL].set_index(key)
    d = pd.DataFrame(
        {
            "initial_efficacy": c["initial_efficacy"],
            "d_efficacy": a["efficacy"] - c["efficacy"],
            "d_disengaged": _diseng(a) - _diseng(c),
        }
    ).reset_index()
    d["tercile"] = pd.qcut(d["initial_efficacy"], 3, labels=["low", "middle", "high"])
    return d.groupby(["tercile", "replicate"], observed=True)[["d_efficacy", "d_disengaged"]].mean().reset_index()


def _diseng(a: pd.DataFrame) -> pd.Series:
    e = a["engagement"]
    return (e == "disengaged") | (e == DISENGAGED) if e.dtype == object else (e == DISENGAGED).astype(float)


def _relative(protect: dict, drops: dict) -> str:
    """Protection as a share of the easy-history drop, in words (tiny when under 10%)."""
    easy = abs(drops["easy"][0][0]) or np.inf
    parts = [f"{h}: drop {ci[0] / easy:.0%} smaller" for h, ci in protect.items()]
    size = max(abs(ci[0]) / easy for ci in protect.values())
    word = "tiny" if size < 0.1 else "modest" if size < 0.3 else "substantial"
    return f"{word}; " + ", ".join(parts) + " than after easy success only"


def _hl_text(h: float, rec: pd.DataFrame) -> str:
    if np.isfinite(h):
        return f"{h:g} steps"
    peak = rec["mean"].abs().max()
    return f"not reached within the run (gap at the end {abs(rec['mean'].iloc[-1]) / peak:.0%} of its peak)"


# ----------------------------------------------------------------------------------------------------------------
def fig_final(eff: pd.DataFrame):
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    labels = {
        "efficacy_mean": "final efficacy (levels)",
        "skill_mean": "final skill (levels)",
        "disengaged_share": "final share disengaged",
    }
    for ax, (v, lab) in zip(axes, labels.items(), strict=True):
        for s, g in eff.groupby("severity"):
            ax.errorbar(
                g["step"],
                g[v],
                yerr=[g[v] - g[v + "_lo"], g[v + "_hi"] - g[v]],
                fmt="o-",
                capsize=3,
                label=f"severity {s:g}",
            )
        ax.axhline(0, color="k", lw=0.8)
        ax.set(xlabel="step of the severe failure", ylabel="shock - control", title=lab)
    axes[0].legend(fontsize=8)
    fig.suptitle("Final outcomes vs timing and severity (paired difference to no-shock control, 95% CI)")
    return fig


def fig_recovery(recs: dict[int, pd.DataFrame], severity: float):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, (t, r) in enumerate(recs.items()):
        c = plt.cm.plasma(i / max(1, len(recs)))
        ax.plot(r["since"], r["mean"], color=c, label=f"shock at step {t}")
        ax.fill_between(r["since"], r["lo"], r["hi"], color=c, alpha=0.2)
    ax.axhline(0, color="k", lw=0.8)
    ax.set(
        xlabel="steps since the failure",
        ylabel="mean efficacy, shock - control (levels)",
        title=f"Recovery curves (severity {severity:g}; 95% CI over replications)",
    )
    ax.legend(fontsize=8)
    return fig


def fig_whom(whom: pd.DataFrame):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, v, lab in (
        (axes[0], "d_efficacy", "final efficacy, shock - control"),
        (axes[1], "d_disengaged", "share disengaged, shock - control"),
    ):
        for t, g in whom.groupby("step"):
            m = g.groupby("tercile", observed=True)[v].agg(["mean", "std", "size"])
            half = 1.96 * m["std"] / np.sqrt(m["size"])
            ax.errorbar(range(len(m)), m["mean"], yerr=half, fmt="o-", capsize=3, label=f"shock at step {t}")
            ax.set_xticks(range(len(m)), [f"{x}\ninitial efficacy" for x in m.index])
        ax.axhline(0, color="k", lw=0.8)
        ax.set(title=lab)
    axes[0].legend(fontsize=8)
    return fig


def fig_resilience(series: pd.DataFrame, drops: dict, late: int):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    ax = axes[0]
    colours = {"easy": "tab:blue", "challenges": "tab:orange", "setbacks": "tab:green"}
    m = series.groupby(["condition", "step"])["efficacy_mean"].mean()
    for h, c in colours.items():
        ax.plot(m.loc[h].index, m.loc[h].to_numpy(), color=c, label=h)
        ax.plot(m.loc[h + " + late shock"].index, m.loc[h + " + late shock"].to_numpy(), color=c, ls="--")
    ax.axvline(late, color="k", lw=0.8, ls=":")
    ax.set(xlabel="step", ylabel="mean efficacy (levels)", title="Histories, then the same late failure (dashed)")
    ax.legend(fontsize=8)
    ax = axes[1]
    names = list(colours)
    for j, (when, off) in enumerate((("right after", -0.15), ("at the end", 0.15))):
        vals = [drops[h][j] for h in names]
        ax.errorbar(
            np.arange(3) + off,
            [v[0] for v in vals],
            yerr=[[v[0] - v[1] for v in vals], [v[2] - v[0] for v in vals]],
            fmt="o",
            capsize=3,
            label=when,
        )
    ax.set_xticks(range(3), names)
    ax.axhline(0, color="k", lw=0.8)
    ax.set(ylabel="efficacy change from the late failure (levels)", title="Efficacy drop by history (95% CI)")
    ax.legend(fontsize=8)
    return fig


# ----------------------------------------------------------------------------------------------------------------
def main(argv=None) -> Path:
    args = parse_args("Experiment 2: a severe early failure (timing x severity; resilient efficacy).", argv)
    out = results_dir(NAME, args)
    z = sizes(args.quick)

    conds = timing_conditions(z["timings"], z["severities"])
    exp = Experiment(
        name=f"{NAME}-timing",
        base=Config.default(agents=z["agents"], steps=z["steps"]),
        conditions=conds,
        replications=z["reps"],
        seed=args.seed,
        outputs=Outputs(every=1, final_agents=True),
    )
    res = run(exp, out / "data" / "timing", args)
    series = res.series
    final = series[series["step"] == series["step"].max()]
    shock_conds = [c for c in conds if c != CONTROL]
    eff = final_effects(final, shock_conds)
    eff.to_csv(out / "final_effects.csv", index=False)
    figs = save_figure(fig_final(eff), out, "final_vs_timing")

    sev = z["severities"][len(z["severities"]) // 2] if len(z["severities"]) > 2 else z["severities"][0]
    recs = {t: recovery(series, shock_name(t, sev), t) for t in z["timings"]}
    figs += save_figure(fig_recovery(recs, sev), out, "recovery")
    imm = {
        t: bootstrap_mean_ci(paired(series[series["step"] == t + 1], "efficacy_mean", shock_name(t, sev), CONTROL))
        for t in z["timings"]
    }
    hl = {t: half_life(r) for t, r in recs.items()}

    whom = pd.concat([by_initial(res.agents, shock_name(t, sev)).assign(step=t) for t in z["timings"]])
    figs += save_figure(fig_whom(whom), out, "by_initial_efficacy")

    # early vs late contrast at each severity (final efficacy): the headline
    t0, t1 = min(z["timings"]), max(z["timings"])
    contrasts = {}
    for s in z["severities"]:
        d = paired(final, "efficacy_mean", shock_name(t0, s), shock_name(t1, s))
        contrasts[s] = (bootstrap_mean_ci(d), np.mean(d) / (np.std(d, ddof=1) or np.inf))
    dis_contrast = bootstrap_mean_ci(paired(final, "disengaged_share", shock_name(t0, sev), shock_name(t1, sev)))
    w = whom[whom["step"] == t0].pivot_table(index="replicate", columns="tercile", values="d_efficacy", observed=True)
    low_high = bootstrap_mean_ci((w["low"] - w["high"]).to_numpy())

    # --- resilience
    hconds = history_conditions(z["history"], z["late"])
    rexp = Experiment(
        name=f"{NAME}-resilience",
        base=Config.default(agents=z["agents"], steps=z["res_steps"]),
        conditions=hconds,
        replications=z["reps"],
        seed=args.seed,
        outputs=Outputs(every=1, final_agents=True),
    )
    rres = run(rexp, out / "data" / "resilience", args)
    rs = rres.series
    after = rs[rs["step"] == z["late"] + 1]
    end = rs[rs["step"] == rs["step"].max()]
    pre = rs[rs["step"] == z["late"]]
    drop_rep = {h: paired(after, "efficacy_mean", h + " + late shock", h) for h in ("easy", "challenges", "setbacks")}
    drops = {
        h: (bootstrap_mean_ci(drop_rep[h]), bootstrap_mean_ci(paired(end, "efficacy_mean", h + " + late shock", h)))
        for h in drop_rep
    }
    # resilience = how much smaller the drop is than after easy success only (positive: protected)
    protect = {h: bootstrap_mean_ci(drop_rep[h] - drop_rep["easy"]) for h in ("challenges", "setbacks")}
    strength_pre = pre.groupby("condition")["strength_mean"].mean()
    figs += save_figure(fig_resilience(rs, drops, z["late"]), out, "resilience")

    # --- verdicts and summary
    early_worse = all(ci[2] < 0 for ci, _ in contrasts.values())
    any_early_worse = any(ci[2] < 0 for ci, _ in contrasts.values())
    dz_main = contrasts[sev][1]
    resil = any(ci[1] > 0 for ci in protect.values())
    eff_lines = "\n".join(
        "- "
        + effect_line(
            f"severity {r.severity:g} at step {r.step}: final efficacy",
            r.efficacy_mean,
            r.efficacy_mean_lo,
            r.efficacy_mean_hi,
            "levels",
        )
        + f"; skill {r.skill_mean:+.3g} ({r.skill_mean_lo:+.3g} to {r.skill_mean_hi:+.3g}); disengaged "
        f"{r.disengaged_share:+.3g} ({r.disengaged_share_lo:+.3g} to {r.disengaged_share_hi:+.3g})"
        for r in eff.itertuples()
    )
    sections = [
        (
            "Setup",
            f"Default population, {z['agents']} agents, {z['steps']} steps, {z['reps']} replications per condition "
            f"on common random numbers. Severe failure at steps {z['timings']} with severities {z['severities']} "
            "(evidence weight in ordinary full-effort failures) vs a no-shock control. Differences are paired by "
            "replicate (and by agent for the by-initial-efficacy breakdown); CIs are 95% percentile bootstraps over "
            "replications.",
        ),
        (
            "Does early failure harm more?",
            verdict(
                "Early failure harms final efficacy more than late failure",
                early_worse,
                f"at severity {sev:g} d_z = {dz_main:+.2f} ({strength_word(dz_main)}); "
                + (
                    "at every severity"
                    if early_worse
                    else "not at every severity"
                    if any_early_worse
                    else "at no severity"
                ),
            )
            + "\n\n"
            + "\n".join(
                "- "
                + effect_line(
                    f"Final efficacy, shock at step {t0} minus shock at step {t1}, severity {s:g}", *ci, unit="levels"
                )
                for s, (ci, _) in contrasts.items()
            )
            + "\n- "
            + effect_line(f"Final share disengaged, step {t0} minus step {t1}, severity {sev:g}", *dis_contrast)
            + "\n\nEach condition vs the no-shock control (final step):\n\n"
            + eff_lines,
        ),
        (
            "For how long (recovery)",
            "\n".join(
                "- "
                + effect_line(f"Efficacy right after a severity-{sev:g} failure at step {t}", *imm[t], unit="levels")
                + f"; half-life of the gap: {_hl_text(hl[t], recs[t])}"
                for t in z["timings"]
            )
            + "\n\nThe half-life is the number of steps until the mean gap to the control has shrunk to half its "
            "largest value (inf: not within the run). A gap that never closes is the vicious cycle: agents pushed "
            "below the approach threshold avoid, disengage and stop collecting the evidence that would restore "
            "their belief.",
        ),
        (
            "For whom",
            effect_line(
                f"Final efficacy loss of the lowest vs highest initial-efficacy tercile (shock at step {t0}, "
                f"severity {sev:g}; low minus high)",
                *low_high,
                unit="levels",
            )
            + "\n\n"
            + (
                "Agents who started with low efficacy lose more."
                if low_high[2] < 0
                else "Agents who started with high efficacy lose more."
                if low_high[1] > 0
                else "No clear difference by initial efficacy."
            )
            + " See `by_initial_efficacy`.",
        ),
        (
            "Resilient efficacy",
            verdict(
                "Earlier setbacks protect against a later severe failure",
                resil,
                _relative(protect, drops) if resil else "no protection beyond chance",
            )
            + "\n\n"
            + "\n".join(
                "- "
                + effect_line(
                    f"{h}: efficacy change right after the late failure (step {z['late']})", *d[0], unit="levels"
                )
                for h, d in drops.items()
            )
            + "\n"
            + "\n".join(
                "- " + effect_line(f"{h}: efficacy change at the end", *d[1], unit="levels") for h, d in drops.items()
            )
            + "\n"
            + "\n".join(
                "- "
                + effect_line(
                    f"Protection, {h} vs easy (efficacy change right after the failure, {h} minus "
                    "easy; > 0 means a smaller drop)",
                    *ci,
                    unit="levels",
                )
                for h, ci in protect.items()
            )
            + "\n\nMean efficacy strength before the late failure: "
            + ", ".join(f"{h} {strength_pre[h]:.2f}" for h in ("easy", "challenges", "setbacks"))
            + f". Histories: easy = constant difficulty {EASY_LEVEL}; challenges = the same with "
            f"{CHALLENGE_LENGTH}-step phases at difficulty {CHALLENGE_LEVEL} starting at steps {z['history']}; "
            f"setbacks = easy plus failures of severity {MILD_SEVERITY} at those steps. Late failure: severity "
            f"{LATE_SEVERITY:g} at step {z['late']}. In the model, resilience can only come from efficacy strength "
            "(evidence accumulated from surprising outcomes divides later updates) and from the efficacy level "
            "itself.",
        ),
    ]
    prov = base_provenance(res, replications=z["reps"], quick=args.quick, executor=args.executor)
    effects = {f"early_minus_late_final_efficacy_s{s:g}": ci for s, (ci, _) in contrasts.items()}
    effects |= {"early_minus_late_disengaged": dis_contrast, "low_minus_high_tercile_loss": low_high}
    effects |= {f"immediate_drop_t{t}": ci for t, ci in imm.items()}
    effects |= {f"late_shock_change_{h}": d[0] for h, d in drops.items()}
    effects |= {f"protection_{h}": ci for h, ci in protect.items()}
    write_effects(out, effects)
    write_summary(out, "Severe early failure", sections, figs, prov)
    return out


if __name__ == "__main__":
    main()
