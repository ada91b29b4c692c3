"""Experiment 2: a severe early failure.

Does a severe failure harm a learner's belief more when it comes early than late? The script reads as
its declared design (:func:`sizes`, conditions), the claims (module constants, declared before the run),
the analysis (pure functions of the engine's tables, tested on synthetic data), the findings and figures.

The early-failure gap has two parts, and the script keeps them apart:

- at the shock, the mastery rule divides every update by ``1 + strength``; strength grows with
  evidence, so the same failure moves an unsettled (early) belief more. That is a **mechanism
  check**: the rule's prediction from the state just before the failure is printed beside the
  simulated drop;
- after the shock, whether the gap grows, persists or closes depends on how avoidance, practice and
  further evidence interact. Those are **emergent** claims, each run again with the responsible
  mechanism switched off (ablations ``no_strength``, ``no_avoidance``).

Every condition runs on common random numbers (replicate r of every condition sees the same draws,
initial agents and network), so differences are paired by replicate and, for the by-initial-efficacy
breakdown, by agent. Run ``python experiments/early_failure.py [--quick]``.
"""

from __future__ import annotations

from dataclasses import replace

import matplotlib

matplotlib.use("Agg")  # a script may choose its backend; the library never does

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.analysis import PP, SD, Claim, Finding, PlainSummary, Question, effect, fmt, mean_ci  # noqa: E402
from sim.analysis import ablations as abl  # noqa: E402
from sim.analysis.ablation_notes import ablation_summary, finding, reversals, unavailable  # noqa: E402
from sim.analysis.effects import paired_effects, pooled_sd  # noqa: E402
from sim.analysis.figures import save_figure, style  # noqa: E402
from sim.analysis.script import parse_args, provenance, results_dir, run  # noqa: E402
from sim.analysis.summary import write_summary, write_table  # noqa: E402
from sim.config import Config  # noqa: E402
from sim.engine import Experiment, Outputs  # noqa: E402
from sim.params import PARAM_BY_NAME  # noqa: E402
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
"""Severity of the moderate setbacks in the `setbacks` history (ordinary failures weigh at most 1)."""
LATE_SEVERITY = 5.0
"""Severity of the late severe failure in the resilience comparison."""
HISTORIES = ("easy", "challenges", "setbacks")
TIMING_ABLATIONS = ("no_strength", "no_avoidance")
RESILIENCE_ABLATIONS = ("no_strength",)
SHOCK_EXPECTANCY = 0.5
"""The shock task sits at the learner's own efficacy, where the expected success is 1/2 (mastery rule)."""


# ---------------------------------------------------------------------------------------------------
# design
# ---------------------------------------------------------------------------------------------------
def sizes(quick: bool) -> dict:
    """Run sizes: ``--quick`` (tests, well under a minute) and full (the committed results)."""
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


def headline_severity(severities: list[float]) -> float:
    """The severity the headline claims use (the middle one)."""
    return sorted(severities)[len(severities) // 2] if len(severities) > 2 else sorted(severities)[0]


def shock_name(step: int, severity: float) -> str:
    return f"shock t={step} s={severity:g}"


def with_ablation(cond: str, ablation: str | None) -> str:
    """Condition name of ``cond`` run under ``ablation`` (``cond`` itself for the full model)."""
    return cond if ablation is None else f"{cond} | {ablation}"


def timing_conditions(timings: list[int], severities: list[float], ablations: dict[str, dict]) -> dict[str, dict]:
    """No-shock control, every timing x severity, and the headline contrast's conditions under each ablation."""
    conds: dict[str, dict] = {CONTROL: {}}
    for t in timings:
        for s in severities:
            conds[shock_name(t, s)] = {"shocks": [{"step": t, "severity": s}]}
    sev, t0, t1 = headline_severity(severities), min(timings), max(timings)
    for a, over in ablations.items():
        for c in (CONTROL, shock_name(t0, sev), shock_name(t1, sev)):
            conds[with_ablation(c, a)] = {**conds[c], **over}
    return conds


def history_conditions(history: list[int], late: int, ablations: dict[str, dict]) -> dict[str, dict]:
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
    out: dict[str, dict] = {}
    for name, sched, shocks in (("easy", easy, []), ("challenges", challenge, []), ("setbacks", easy, mild)):
        out[name] = {"schedule": sched, "shocks": shocks}
        out[name + " + late shock"] = {"schedule": sched, "shocks": [*shocks, shock]}
    for a, over in ablations.items():
        for c in list(out):
            if " | " not in c:
                out[with_ablation(c, a)] = {**out[c], **over}
    return out


# ---------------------------------------------------------------------------------------------------
# claims, declared before the run
# ---------------------------------------------------------------------------------------------------
_DIVISOR = "mastery rule: a failure changes efficacy by -gain_failure x severity x 1/2 / (1 + strength)"
DROP_EARLY = Claim(
    "drop_at_early_shock",
    "A severe early failure lowers belief at once",
    "mean efficacy one step after the early failure, shocked minus no-shock run (efficacy_mean)",
    -1,
    "mechanism check",
    _DIVISOR,
    SD,
)
EARLY_VS_LATE_AT_SHOCK = Claim(
    "early_minus_late_at_shock",
    "At the moment of the failure, an early failure moves belief more than a late one (belief not yet settled)",
    "drop one step after the failure, early minus late failure (efficacy_mean)",
    -1,
    "mechanism check",
    _DIVISOR + "; strength grows with evidence (strength_gain)",
    SD,
    ablations=("no_strength",),
)
EARLY_VS_LATE_AFTER = Claim(
    "early_minus_late_after",
    "The same number of steps after the failure, an early failure has left belief lower than a late one",
    "efficacy gap to the no-shock run H steps after the failure (H = steps left after the late failure), early "
    "minus late failure (efficacy_mean)",
    -1,
    "emergent",
    "divisor at the shock (strength) + recovery through attempts (avoidance, mastery)",
    SD,
    ablations=TIMING_ABLATIONS,
)
HARM_PERSISTS = Claim(
    "early_harm_persists",
    "The harm of an early failure persists to the end of the run",
    "final mean efficacy, early-failure run minus no-shock run (efficacy_mean)",
    -1,
    "emergent",
    "avoidance of tasks judged too hard forfeits the successes that would restore belief; strength",
    SD,
    ablations=TIMING_ABLATIONS,
)
HARM_GROWS = Claim(
    "early_harm_grows",
    "After an early failure the gap to the no-shock run grows (a vicious cycle)",
    "gap at the end minus gap one step after the failure (efficacy_mean; negative = the gap widened)",
    -1,
    "emergent",
    "avoidance -> fewer attempts -> less practice and mastery evidence; strength",
    SD,
    ablations=TIMING_ABLATIONS,
)
SKILL_HARM = Claim(
    "early_failure_lowers_skill",
    "An early failure leaves final skill lower (less practice after it)",
    "final mean skill, early-failure run minus no-shock run (skill_mean)",
    -1,
    "emergent",
    "lower efficacy -> avoidance -> no practice (skill rule); the shock itself costs one step of practice",
    SD,
    ablations=TIMING_ABLATIONS,
)
DISENGAGE = Claim(
    "early_failure_disengages",
    "An early failure makes more learners disengage",
    "final share disengaged, early-failure run minus no-shock run (disengaged_share)",
    +1,
    "emergent",
    "lower efficacy -> avoidance streak -> disengagement rule",
    PP,
    ablations=TIMING_ABLATIONS,
)
FOR_WHOM = Claim(
    "low_starters_lose_more",
    "Learners who started with low efficacy lose more from an early failure",
    "final efficacy loss (shock minus control, per agent), lowest minus highest third of initial efficacy",
    -1,
    "emergent",
    "starting near the avoidance threshold: the failure pushes low starters below it",
    SD,
    ablations=TIMING_ABLATIONS,
)


def protection_claims(history: str) -> tuple[Claim, Claim]:
    """The two parts of "a history of ``history`` protects against a later severe failure"."""
    at_shock = Claim(
        f"{history}_protect_at_shock",
        f"After {history}, the late failure lowers belief less at once than after easy success only",
        f"drop one step after the late failure, {history} minus easy (efficacy_mean; > 0 = smaller drop)",
        +1,
        "mechanism check",
        _DIVISOR + "; diagnostic setbacks add strength",
        SD,
    )
    at_end = Claim(
        f"{history}_protect_at_end",
        f"After {history}, belief is less lowered by the late failure at the end of the run",
        f"late-failure effect at the end, {history} minus easy (efficacy_mean; > 0 = smaller loss)",
        +1,
        "emergent",
        "strength from earlier setbacks + recovery dynamics after the failure",
        SD,
        ablations=RESILIENCE_ABLATIONS,
    )
    return at_shock, at_end


PROTECT = {h: protection_claims(h) for h in HISTORIES[1:]}


# ---------------------------------------------------------------------------------------------------
# analysis: pure functions of the engine's tables
# ---------------------------------------------------------------------------------------------------
def at_step(series: pd.DataFrame, step: int, value: str) -> pd.DataFrame:
    """``value`` at ``step`` as a wide frame (index replicate, one column per condition)."""
    s = series[series["step"] == step]
    return s.pivot_table(index="replicate", columns="condition", values=value)


def paired_diff(wide: pd.DataFrame, cond: str, ref: str) -> np.ndarray:
    """Per-replicate ``cond - ref`` (replicates where both exist)."""
    return (wide[cond] - wide[ref]).dropna().to_numpy()


def divisor_prediction(pre: pd.DataFrame, severity: float, gain_failure: float) -> pd.Series:
    """The mastery rule's predicted mean efficacy change from a shock, per replicate.

    ``pre`` holds every agent's state just before the shock step (columns replicate, efficacy,
    strength, sens_mastery, engagement; bad_news where the model has it). Engaged agents take a
    full-weight failure at a task set at their own efficacy:
    ``-gain_failure x bad_news x sens_mastery x severity x 1/2 / (1 + strength)``, clipped so
    that efficacy stays >= 0; disengaged agents are not hit.
    """
    hit = (pre["engagement"] != DISENGAGED).to_numpy()
    bad_news = pre["bad_news"] if "bad_news" in pre else 1.0  # a learner's own weight of bad news, if the model has it
    d = -gain_failure * bad_news * pre["sens_mastery"] * severity * SHOCK_EXPECTANCY / (1.0 + pre["strength"])
    d = np.where(hit, np.maximum(d, -pre["efficacy"]), 0.0)
    return pd.Series(d, index=pre.index).groupby(pre["replicate"]).mean()


def gap_curve(series: pd.DataFrame, cond: str, ref: str, shock_step: int) -> pd.DataFrame:
    """Mean efficacy gap ``cond - ref`` by steps since the shock, with 95% CI over replications.

    At each step the gap is divided by the reference condition's SD of efficacy across learners at that
    step (pooled over replications), the scale every claim of this experiment uses, so the first point
    is the drop at the shock and the last the final gap.
    """
    w = series.pivot_table(index=["step", "replicate"], columns="condition", values="efficacy_mean")
    sd = series[series["condition"] == ref].groupby("step")["efficacy_sd"].apply(lambda v: pooled_sd(v.to_numpy()))
    d = (w[cond] - w[ref]).rename("gap").reset_index()
    d = d[d["step"] > shock_step]
    rows = []
    for step, g in d.groupby("step"):
        m, lo, hi = mean_ci(g["gap"].to_numpy() / sd[step])
        rows.append(dict(since=int(step - shock_step), gap=m, lo=lo, hi=hi))
    return pd.DataFrame(rows, columns=["since", "gap", "lo", "hi"])


def tercile_loss(agents: pd.DataFrame, cond: str, ref: str) -> pd.DataFrame:
    """Per agent (paired on common random numbers) final efficacy loss ``cond - ref``, mean per replicate and tercile.

    Terciles of initial efficacy are formed within each replicate. Columns ``replicate, tercile, d_efficacy,
    d_disengaged``.
    """
    key = ["replicate", "agent"]
    a = agents[agents["condition"] == cond].set_index(key)
    c = agents[agents["condition"] == ref].set_index(key)
    d = pd.DataFrame(
        {
            "initial_efficacy": c["initial_efficacy"],
            "d_efficacy": a["efficacy"] - c["efficacy"],
            "d_disengaged": (a["engagement"] == DISENGAGED).astype(float) - (c["engagement"] == DISENGAGED),
        }
    ).reset_index()
    d["tercile"] = d.groupby("replicate")["initial_efficacy"].transform(
        lambda x: pd.qcut(x.rank(method="first"), 3, labels=False)
    )
    d["tercile"] = d["tercile"].map({0: "low", 1: "middle", 2: "high"})
    out = d.groupby(["replicate", "tercile"])[["d_efficacy", "d_disengaged"]].mean().reset_index()
    return out


def low_minus_high(terc: pd.DataFrame) -> np.ndarray:
    """Per replicate: loss of the low tercile minus loss of the high tercile."""
    w = terc.pivot(index="replicate", columns="tercile", values="d_efficacy")
    return (w["low"] - w["high"]).to_numpy()


# ---------------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------------
def fig_at_shock(shock_tab: pd.DataFrame, sev: float):
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    x = np.arange(len(shock_tab))
    s0, s1 = style(0), style(1)
    ax.errorbar(
        x - 0.08,
        shock_tab["simulated"],
        yerr=[shock_tab["simulated"] - shock_tab["lo"], shock_tab["hi"] - shock_tab["simulated"]],
        fmt=s0["marker"],
        color=s0["color"],
        capsize=3,
        label="simulated (shocked minus no-shock run, 95% CI)",
    )
    ax.plot(
        x + 0.08, shock_tab["analytic"], s1["marker"], color=s1["color"], mfc="white", label="mastery-rule prediction"
    )
    ax.set_xticks(x, [f"step {t}" for t in shock_tab["step"]])
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set(
        xlabel="when the severe failure came",
        ylabel="efficacy change one step later (SD across learners)",
        title=f"Drop in belief at a severity-{sev:g} failure, by its timing",
    )
    ax.legend(fontsize=8, loc="lower right")
    return fig


def fig_recovery(curves: dict[str, pd.DataFrame]):
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for i, (lab, r) in enumerate(curves.items()):
        st = style(i)
        ax.plot(r["since"], r["gap"], color=st["color"], ls=st["ls"], label=lab)
        ax.fill_between(r["since"], r["lo"], r["hi"], color=st["color"], alpha=0.15, lw=0)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set(
        xlabel="steps since the failure",
        ylabel="mean efficacy, shocked minus no-shock run\n(SD across learners)",
        title="Gap to the no-shock run after the failure",
    )
    ax.legend(fontsize=8, loc="lower right")
    return fig


def fig_final(tab: pd.DataFrame):
    outcomes = (
        ("efficacy_mean", "final efficacy (SD across learners)"),
        ("skill_mean", "final skill (SD across learners)"),
        ("disengaged_share", "final share disengaged (pp)"),
    )
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained")
    for ax, (v, lab) in zip(axes, outcomes, strict=True):
        g0 = tab[tab["outcome"] == v]
        for i, (s, g) in enumerate(g0.groupby("severity")):
            st = style(i)
            ax.errorbar(
                g["step"] + (i - 1) * 1.5,
                g["effect"],
                yerr=[g["effect"] - g["lo"], g["hi"] - g["effect"]],
                fmt=st["marker"],
                color=st["color"],
                capsize=3,
                label=f"severity {s:g}",
            )
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set(xlabel="step of the severe failure", ylabel=f"shocked minus no-shock run:\n{lab}")
    axes[0].legend(fontsize=8)
    fig.suptitle("Final outcomes by timing and severity of the failure (95% CI over replications)")
    return fig


def fig_whom(terc: pd.DataFrame, ref_sd: float, t0: int):
    order = ["low", "middle", "high"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for ax, v, lab, k in (
        (axes[0], "d_efficacy", "final efficacy loss\n(SD across learners)", 1.0 / ref_sd),
        (axes[1], "d_disengaged", "change in share disengaged (pp)", 100.0),
    ):
        for i, tc in enumerate(order):
            m, lo, hi = mean_ci(terc.loc[terc["tercile"] == tc, v].to_numpy() * k)
            ax.errorbar([i], [m], yerr=[[m - lo], [hi - m]], fmt="o", color="k", capsize=4)
        ax.set_xticks(range(3), [f"{t} third" for t in order])
        ax.set_xlim(-0.5, 2.5)
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set(xlabel="initial efficacy (thirds of learners)", ylabel=f"shocked minus no-shock run:\n{lab}")
    fig.suptitle(f"Who loses from a failure at step {t0} (mean and 95% CI over replications)")
    return fig


def fig_resilience(series: pd.DataFrame, protect_tab: pd.DataFrame, late: int):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    ax = axes[0]
    m = series.groupby(["condition", "step"])["efficacy_mean"].mean()
    for i, h in enumerate(HISTORIES):
        st = style(i)
        ax.plot(m.loc[h].index, m.loc[h].to_numpy(), color=st["color"], ls="-", label=f"{h}")
        ax.plot(
            m.loc[h + " + late shock"].index,
            m.loc[h + " + late shock"].to_numpy(),
            color=st["color"],
            ls="--",
            label=f"{h} + late failure",
        )
    ax.axvline(late, color="0.5", lw=0.8, ls=":")
    ax.set(xlabel="step", ylabel="mean efficacy (levels)", title="Three histories, then the same late failure")
    ax.legend(fontsize=7, ncol=2)
    ax = axes[1]
    for j, (when, off) in enumerate((("one step after", -0.1), ("at the end", 0.1))):
        g = protect_tab[protect_tab["when"] == when]
        st = style(j)
        ax.errorbar(
            np.arange(len(g)) + off,
            g["effect"],
            yerr=[g["effect"] - g["lo"], g["hi"] - g["effect"]],
            fmt=st["marker"],
            color=st["color"],
            capsize=3,
            label=when,
        )
    ax.set_xticks(range(len(HISTORIES) - 1), [f"{h}\nminus easy" for h in HISTORIES[1:]])
    ax.set_xlim(-0.5, len(HISTORIES) - 1.5)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.axhspan(-0.2, 0.2, color="0.9", zorder=0, label="inside the smallest effect of interest")
    ax.set(ylabel="protection: smaller loss than after easy\nsuccess only (SD across learners)")
    ax.set_title("Protection from earlier setbacks (95% CI)")
    ax.legend(fontsize=8)
    return fig


# ---------------------------------------------------------------------------------------------------
def main(argv=None):
    args = parse_args("Experiment 2: a severe early failure (timing x severity; resilient efficacy).", argv)
    out = results_dir(NAME, args)
    z = sizes(args.quick)
    sev, t0, t1 = headline_severity(z["severities"]), min(z["timings"]), max(z["timings"])
    timing_abl = abl.conditions(TIMING_ABLATIONS)
    res_abl = abl.conditions(RESILIENCE_ABLATIONS)
    gain_f = float(PARAM_BY_NAME["mastery_gain_failure"].default)

    # --- run: timing x severity (+ ablations of the headline contrast)
    conds = timing_conditions(z["timings"], z["severities"], timing_abl)
    snaps = tuple(sorted({s for t in z["timings"] for s in (t, t + 1)}))
    exp = Experiment(
        name=f"{NAME}-timing",
        base=Config.default(agents=z["agents"], steps=z["steps"]),
        conditions=conds,
        replications=z["reps"],
        seed=args.seed,
        outputs=Outputs(every=1, final_agents=True, snapshots=snaps),
    )
    res = run(exp, out / "data" / "timing", args)
    series, agents, snap = res.series, res.agents, res.snapshots
    last = int(series["step"].max())

    def sd_at(step: int, ablation: str | None = None) -> np.ndarray:
        return at_step(series, step, "efficacy_sd")[with_ablation(CONTROL, ablation)].to_numpy()

    def final_gap(cond: str, ref: str, value: str = "efficacy_mean", scale: str = SD, ablation=None):
        w = at_step(series, last, value)
        c, r = with_ablation(cond, ablation), with_ablation(ref, ablation)
        sd_col = {"efficacy_mean": "efficacy_sd", "skill_mean": "skill_sd"}.get(value)
        ref_sd = at_step(series, last, sd_col)[with_ablation(CONTROL, ablation)].to_numpy() if scale == SD else None
        return effect(paired_diff(w, c, r), scale, ref_sd)

    def immediate(t: int, ablation=None) -> np.ndarray:
        w = at_step(series, t + 1, "efficacy_mean")
        return paired_diff(w, with_ablation(shock_name(t, sev), ablation), with_ablation(CONTROL, ablation))

    # --- mechanism check: the drop at the shock vs the divisor's prediction
    rows = []
    pred = {}
    for t in z["timings"]:
        pre = snap[(snap["step"] == t) & (snap["condition"] == shock_name(t, sev))]
        pred[t] = divisor_prediction(pre, sev, gain_f).sort_index().to_numpy()
        ref_sd = sd_at(t + 1)
        e = effect(immediate(t), SD, ref_sd)
        pa = effect(pred[t], SD, ref_sd)
        rows.append(dict(step=t, severity=sev, simulated=e.estimate, lo=e.lo, hi=e.hi, analytic=pa.estimate))
    shock_tab = pd.DataFrame(rows)
    ref0 = sd_at(t0 + 1)
    f_drop = Finding(replace(DROP_EARLY, analytic=effect(pred[t0], SD, ref0).estimate), effect(immediate(t0), SD, ref0))

    def el_at_shock(a=None):
        ref = np.sqrt((sd_at(t0 + 1, a) ** 2 + sd_at(t1 + 1, a) ** 2) / 2)
        return effect(immediate(t0, a) - immediate(t1, a), SD, ref)

    ref_el = np.sqrt((sd_at(t0 + 1) ** 2 + sd_at(t1 + 1) ** 2) / 2)
    f_el_shock = finding(
        replace(EARLY_VS_LATE_AT_SHOCK, analytic=effect(pred[t0] - pred[t1], SD, ref_el).estimate),
        el_at_shock(),
        {a: el_at_shock(a) for a in timing_abl if a in EARLY_VS_LATE_AT_SHOCK.ablations},
    )

    # --- emergent claims, each with its ablations
    def ablated(fn) -> dict:
        return {a: fn(a) for a in timing_abl}

    e0, e1 = shock_name(t0, sev), shock_name(t1, sev)
    horizon = last - t1

    def el_after(a=None):
        w0, w1 = at_step(series, t0 + horizon, "efficacy_mean"), at_step(series, last, "efficacy_mean")
        c = with_ablation(CONTROL, a)
        g0, g1 = paired_diff(w0, with_ablation(e0, a), c), paired_diff(w1, with_ablation(e1, a), c)
        return effect(g0 - g1, SD, np.sqrt((sd_at(t0 + horizon, a) ** 2 + sd_at(last, a) ** 2) / 2))

    f_el_after = finding(EARLY_VS_LATE_AFTER, el_after(), ablated(el_after))
    f_el_final = final_gap(e0, e1)
    f_persist = finding(HARM_PERSISTS, final_gap(e0, CONTROL), ablated(lambda a: final_gap(e0, CONTROL, ablation=a)))

    def growth(a=None):
        w = at_step(series, last, "efficacy_mean")
        end = paired_diff(w, with_ablation(e0, a), with_ablation(CONTROL, a))
        return effect(end - immediate(t0, a), SD, sd_at(last, a))

    f_grow = finding(HARM_GROWS, growth(), ablated(growth))
    f_skill = finding(
        SKILL_HARM,
        final_gap(e0, CONTROL, "skill_mean"),
        ablated(lambda a: final_gap(e0, CONTROL, "skill_mean", ablation=a)),
    )
    f_dis = finding(
        DISENGAGE,
        final_gap(e0, CONTROL, "disengaged_share", PP),
        ablated(lambda a: final_gap(e0, CONTROL, "disengaged_share", PP, ablation=a)),
    )

    def whom(a=None):
        terc = tercile_loss(agents, with_ablation(e0, a), with_ablation(CONTROL, a))
        return effect(low_minus_high(terc), SD, sd_at(last, a))

    terc0 = tercile_loss(agents, e0, CONTROL)
    f_whom = finding(FOR_WHOM, whom(), ablated(whom))

    # --- tables: every shock condition vs the control at the end (the project's scale)
    final = series[series["step"] == last]
    plain_conds = [c for c in conds if c != CONTROL and " | " not in c]
    tabs = []
    for v, scale, sd in (
        ("efficacy_mean", SD, "efficacy_sd"),
        ("skill_mean", SD, "skill_sd"),
        ("disengaged_share", PP, None),
    ):
        pe = paired_effects(final, v, scale, sd=sd, compared=plain_conds)
        tabs.append(pe.assign(outcome=v))
    final_tab = pd.concat(tabs, ignore_index=True)
    final_tab["step"] = final_tab["condition"].str.extract(r"t=(\d+)")[0].astype(int)
    final_tab["severity"] = final_tab["condition"].str.extract(r"s=([\d.]+)")[0].astype(float)
    final_tab = final_tab[["outcome", "step", "severity", "n", "effect", "lo", "hi", "scale", "raw", "d_z"]]
    write_table(final_tab, out / "final_effects.csv", sort_by=["outcome", "step", "severity"])
    write_table(shock_tab, out / "at_shock.csv", sort_by=["step"])

    # --- figures (timing)
    figs = [
        save_figure(
            fig_at_shock(shock_tab, sev),
            out,
            "at_shock",
            f"Drop in mean efficacy one step after a severity-{sev:g} failure (filled: simulated, paired with the "
            "no-shock run, 95% CI; open: the mastery rule's prediction from each learner's strength just before). "
            + _at_shock_takeaway(shock_tab),
        )
    ]
    sd_last = float(np.sqrt(np.mean(sd_at(last) ** 2)))
    curves = {f"failure at step {t}": gap_curve(series, shock_name(t, sev), CONTROL, t) for t in z["timings"]}
    for a in timing_abl:
        curves[f"failure at step {t0}, {a}"] = gap_curve(series, with_ablation(e0, a), with_ablation(CONTROL, a), t0)
    figs.append(
        save_figure(
            fig_recovery(curves),
            out,
            "recovery",
            f"Mean efficacy gap between runs with a severity-{sev:g} failure and the no-shock run, by steps since "
            "the failure (95% CI over replications), in SD across learners of the no-shock run at each step. "
            + _recovery_takeaway(curves)
            + " Lines marked no_strength / no_avoidance repeat the early failure with that mechanism switched off.",
        )
    )
    figs.append(
        save_figure(
            fig_final(final_tab),
            out,
            "final_vs_timing",
            "Final efficacy, skill (SD across learners) and share disengaged (percentage points), each run with a "
            "failure minus the no-shock run, by the failure's step and severity (95% CI); "
            "see `final_effects.csv` for the numbers.",
        )
    )
    figs.append(
        save_figure(
            fig_whom(terc0, sd_last, t0),
            out,
            "by_initial_efficacy",
            f"Final efficacy loss and change in the share disengaged after a severity-{sev:g} failure at step {t0}, "
            "for the thirds of learners with the lowest, middle and highest initial efficacy (paired with the same "
            "learner in the no-shock run; 95% CI over replications).",
        )
    )

    # --- resilience experiment
    hconds = history_conditions(z["history"], z["late"], res_abl)
    rexp = Experiment(
        name=f"{NAME}-resilience",
        base=Config.default(agents=z["agents"], steps=z["res_steps"]),
        conditions=hconds,
        replications=z["reps"],
        seed=args.seed,
        outputs=Outputs(every=1, final_agents=False, snapshots=(z["late"], z["late"] + 1)),
    )
    rres = run(rexp, out / "data" / "resilience", args)
    rs, rsnap = rres.series, rres.snapshots
    late, rlast = z["late"], int(rs["step"].max())

    def loss(h: str, step: int, a=None) -> np.ndarray:
        w = at_step(rs, step, "efficacy_mean")
        return paired_diff(w, with_ablation(h + " + late shock", a), with_ablation(h, a))

    def rsd(step: int, a=None) -> np.ndarray:
        return at_step(rs, step, "efficacy_sd")[with_ablation("easy", a)].to_numpy()

    def rpred(h: str) -> np.ndarray:
        pre = rsnap[(rsnap["step"] == late) & (rsnap["condition"] == h + " + late shock")]
        return divisor_prediction(pre, LATE_SEVERITY, gain_f).sort_index().to_numpy()

    questions_res = []
    prot_rows = []
    for h, (c_shock, c_end) in PROTECT.items():
        ref_s = rsd(late + 1)
        e_s = effect(loss(h, late + 1) - loss("easy", late + 1), SD, ref_s)
        a_s = effect(rpred(h) - rpred("easy"), SD, ref_s).estimate

        def at_end(a=None, h=h):
            return effect(loss(h, rlast, a) - loss("easy", rlast, a), SD, rsd(rlast, a))

        f_s = Finding(replace(c_shock, analytic=a_s), e_s)
        f_e = finding(c_end, at_end(), {a: at_end(a) for a in res_abl})
        questions_res.append(
            Question(
                f"{h}_protect",
                f"Earlier {h} protect against a later severe failure (at once and at the end)",
                [f_s, f_e],
            )
        )
        for when, e in (("one step after", e_s), ("at the end", f_e.effect)):
            prot_rows.append(dict(history=h, when=when, effect=e.estimate, lo=e.lo, hi=e.hi, n=e.n))
    protect_tab = pd.DataFrame(prot_rows)
    write_table(protect_tab, out / "protection.csv", sort_by=["history", "when"])
    strength_pre = at_step(rs, late, "strength_mean").mean()
    figs.append(
        save_figure(
            fig_resilience(rs, protect_tab, late),
            out,
            "resilience",
            f"Left: mean efficacy under three histories, without (solid) and with (dashed) the same severity-"
            f"{LATE_SEVERITY:g} failure at step {late}. Right: how much smaller the loss is than after easy success "
            "only, one step after the failure and at the end (SD across learners, 95% CI; grey band: inside the "
            "smallest effect of interest, 0.2 SD).",
        )
    )

    # --- findings
    findings = [
        Question("at_shock", "At the moment of the failure (the mastery rule's divisor)", [f_drop, f_el_shock]),
        f_el_after,
        f_persist,
        f_grow,
        f_skill,
        f_dis,
        f_whom,
        *questions_res,
    ]
    missing = unavailable(TIMING_ABLATIONS)
    flipped = reversals(findings)
    share_at_shock = f_el_shock.effect.estimate / f_el_final.estimate if f_el_final.estimate else np.nan
    plain = PlainSummary(
        question="Does a severe failure hurt a learner's belief in their ability (self-efficacy) more when it comes "
        "early in learning than later, does the harm grow or fade, and who is hurt most?",
        answer=_answer(f_drop, f_el_shock, f_el_after, f_grow, f_persist, f_whom, questions_res, findings),
        how_sure=f"{z['reps']} paired replications of {z['agents']} learners per condition; every effect with a 95% "
        "bootstrap interval over replications, judged against a smallest effect of interest of 0.2 SD across "
        "learners (5 percentage points for shares).",
        meaning=_meaning(f_grow, f_persist, f_whom),
        rests_on="The mastery rule (a failure's effect shrinks as evidence accumulates: 1/(1 + strength)), "
        "avoidance of tasks judged too hard, and disengagement after repeated avoidance.",
    )
    sections = [
        (
            "Design",
            f"Default population, {z['agents']} learners, {z['steps']} steps, {z['reps']} replications per "
            f"condition on common random numbers. A severe failure (a full-effort failure at a task set at the "
            f"learner's own efficacy, weighted by its severity) at steps {z['timings']} with severities "
            f"{z['severities']}, against a no-shock control. The headline contrasts use severity {sev:g}, early = "
            f"step {t0}, late = step {t1}. Ablations of these contrasts: "
            + (", ".join(timing_abl) if timing_abl else "none available in this model version")
            + (f" (not yet declared by the model: {', '.join(missing)})" if missing else "")
            + ". Effects are on the project's scale: mean paired difference over the SD of the outcome across "
            "learners in the control run at the same step (shares: percentage points); 95% bootstrap CIs over "
            "replications. The late failure leaves fewer steps to recover before the end of the run, so the final "
            "early-minus-late contrast (in `final_effects.csv`) mixes timing with time to recover; the claim "
            "early_minus_late_after compares both failures the same number of steps after each.",
        ),
        (
            "How much of the early-late gap is the divisor",
            f"The early-minus-late drop one step after the failure is {f_el_shock.effect.text()}; at the end of the "
            f"run the early-minus-late gap is {f_el_final.text()}. The ratio (at the shock / at the end) is "
            f"{fmt(share_at_shock, signed=False)}: a ratio above 1 means the gap created at the shock shrank "
            "afterwards. Per timing (`at_shock.csv`, SD across learners):\n\n"
            + _md_table(shock_tab, ["step", "simulated", "lo", "hi", "analytic"])
            + ("\n" + " ".join(flipped) if flipped else ""),
        ),
        (
            "Resilience details",
            "Mean efficacy strength just before the late failure: "
            + ", ".join(f"{h} {strength_pre[h]:.2f}" for h in HISTORIES)
            + f". Histories: easy = constant difficulty {EASY_LEVEL}; challenges = the same with {CHALLENGE_LENGTH}-"
            f"step phases at difficulty {CHALLENGE_LEVEL} starting at steps {z['history']}; setbacks = easy plus "
            f"failures of severity {MILD_SEVERITY} at those steps. Late failure: severity {LATE_SEVERITY:g} at step "
            f"{late}. In the model, protection can only come from efficacy strength (which divides later updates) "
            "and from the efficacy level itself. Table: `protection.csv`.",
        ),
        (
            "Tables",
            "`final_effects.csv`: every failure condition minus the control at the end, for efficacy and skill (SD "
            "across learners) and the share disengaged (pp), with the paired test statistic d_z as a separate "
            "column (a test statistic, not an effect size). `findings.csv`: every claim and ablation.",
        ),
    ]
    prov = provenance(res, replications=z["reps"], quick=args.quick)
    write_summary(out, "Severe early failure", plain, findings, sections, figs, prov)
    return out


def _at_shock_takeaway(tab: pd.DataFrame) -> str:
    t = tab.sort_values("step")
    order = (
        "the earlier the failure, the larger the drop"
        if t["simulated"].is_monotonic_increasing
        else ("the drop does not shrink steadily with the failure's timing")
    )
    share = t["analytic"] / t["simulated"]
    return (
        f"{order.capitalize()}; the rule's prediction is {100 * share.min():.0f}-{100 * share.max():.0f}% of the "
        "simulated drop (the rest: the arousal spike read as anxiety, and the ordinary change the no-shock run makes "
        "in that step)."
    )


def _recovery_takeaway(curves: dict[str, pd.DataFrame]) -> str:
    narrows = [lab for lab, r in curves.items() if len(r) and abs(r["gap"].iloc[-1]) < abs(r["gap"].iloc[0])]
    if len(narrows) == len(curves):
        return "Every gap is narrower at the end than right after the failure: the harm does not grow."
    wider = [lab for lab in curves if lab not in narrows]
    return f"The gap is wider at the end than right after the failure for: {', '.join(wider)}."


def _answer(f_drop, f_el_shock, f_el_after, f_grow, f_persist, f_whom, questions_res, findings) -> str:
    """The plain-language answer, worded from the verdicts (never from what we hoped to see)."""
    grow = {
        "shown": "the gap to learners who never failed grows afterwards",
        "opposite": "afterwards the gap to learners who never failed narrows rather than grows",
        "negligible": "afterwards the gap to learners who never failed hardly changes",
    }.get(f_grow.verdict, "whether the gap grows afterwards is not settled by these runs")
    protect = ", ".join(f"{q.id.split('_')[0]}: {q.verdict}" for q in questions_res)
    return (
        f"A severe failure lowers belief at once ({f_drop.effect.text()}, {f_drop.verdict}); that an early failure "
        f"moves belief more than a late one at that moment, as the rule's divisor 1/(1 + strength) predicts, is "
        f"{f_el_shock.verdict} on the 0.2 SD yardstick ({fmt(f_el_shock.effect.estimate)} SD). {grow.capitalize()} "
        f"({f_grow.verdict}). At the end of the run the early failure's harm is {fmt(f_persist.effect.estimate)} SD "
        f"({f_persist.verdict}); compared the same number of steps after the failure, early minus late is "
        f"{fmt(f_el_after.effect.estimate)} SD ({f_el_after.verdict}). Learners who started with low belief lose more ({f_whom.verdict}). Protection by "
        f"an earlier history against a later failure: {protect}. " + ablation_summary(findings)
    ).strip()


def _meaning(f_grow, f_persist, f_whom) -> str:
    """What the verdicts would mean for a teacher or coach, if the model is right."""
    if f_grow.verdict == "shown":
        course = "a severe failure starts a spiral that widens with time, so early support after it matters most"
    elif f_persist.verdict == "shown":
        course = (
            "a severe failure leaves a lasting dent in belief, but it is deepest at once and does not spiral; "
            "continued experiences of success let belief recover slowly"
        )
    else:
        course = "a single severe failure leaves no lasting dent that these runs can show"
    who = (
        " Learners who start unsure are the ones to watch."
        if f_whom.verdict == "shown"
        else " Who is hurt most is not settled by these runs."
    )
    return f"If the model is right, {course}.{who}"


def _md_table(df: pd.DataFrame, cols: list[str]) -> str:
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    body = "".join(
        "| " + " | ".join(str(int(r[c])) if c == "step" else fmt(r[c]) for c in cols) + " |\n" for _, r in df.iterrows()
    )
    return head + body


if __name__ == "__main__":
    main()
