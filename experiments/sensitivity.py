"""Experiment 5: global sensitivity of the main outcomes to the model parameters (Morris screening).

Question: which parameters, and which mechanisms, move the population's outcomes, in particular
the split into engaged and disengaged learners and the level of efficacy?

Design: Morris elementary effects (Morris 1991; mu*, Campolongo, Cariboni & Saltelli 2007) through
the engine's SALib sampler. The varied parameters are READ FROM sim.params: every declared scalar
parameter except the ``switches`` group (mechanisms on/off, not magnitudes) and the
``interventions``, ``domains`` and ``self_esteem`` groups (inert in the one-domain base scenario). Each range is
one rule applied to every parameter: the declared default +/- 50% (a default of 0: + 10% of the
declared range), clipped to the declared range. A new parameter in sim/params.py joins the screen
without editing this file.

Mechanisms have different numbers of parameters, so the mechanism comparison is made PER PARAMETER:
a group's index is the mean mu* of its parameters (summing would favour large groups), and every
parameter is ranked on its own too. The two emergent claims compare per-parameter shares with a
bootstrap CI over Morris trajectories, and are re-run with the responsible mechanism switched off.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import PP, SD, Claim, Finding, PlainSummary, effect, fmt, save_figure, style
from sim.analysis import ablations as abl
from sim.analysis.ablation_notes import unavailable
from sim.analysis.effects import Effect, pooled_sd
from sim.analysis.figures import Figure
from sim.analysis.findings import SHOWN, verdict_summary
from sim.analysis.multimodality import dip_test
from sim.analysis.script import parse_args, provenance, results_dir, run
from sim.analysis.summary import write_summary, write_table
from sim.config import Config
from sim.params import PARAM_BY_NAME, PARAMS

NAME = "sensitivity"

# ---------------------------------------------------------------------------------------------- design
SIZES = {"quick": dict(agents=40, steps=40, reps=1, n=3), "full": dict(agents=100, steps=100, reps=2, n=10)}
"""Learners, steps, replications per point and Morris trajectories."""
NUM_LEVELS = 4
"""Levels of the Morris grid (SALib's default)."""
EXCLUDED_GROUPS = {
    "switches": "mechanism switches (on/off), not magnitudes",
    "interventions": "constants of intervention hooks, inert without an intervention",
    "domains": "generality, skill transfer and domain correlation, inert with one domain (the base scenario)",
    "self_esteem": "global self-esteem, tracked only with several domains and never entering behaviour",
}
"""Declared parameter groups left out of the screen, with the reason."""
RELATIVE_BAND = 0.5
"""Each range is the default +/- this fraction of it ..."""
ZERO_BAND = 0.1
"""... or, for a default of 0, + this fraction of the declared range."""
ABLATIONS = ("no_avoidance", "no_mastery")

OUTCOMES = {
    "efficacy_mean": ("final mean efficacy", "levels"),
    "efficacy_sd": ("efficacy spread (SD across learners)", "levels"),
    "efficacy_dip": ("efficacy multimodality (Hartigan's dip)", "dip statistic"),
    "disengaged_share": ("share of learners disengaged", "share of learners, 0-1"),
    "skill_mean": ("final mean skill", "levels"),
    "calibration_mean": ("calibration (efficacy - skill)", "levels"),
}
"""Outcomes read at the last step (key: label, unit)."""
SOCIAL = ("vicarious", "persuasion")
"""The social sources of efficacy the claims compare against."""


def varied_parameters() -> list[str]:
    """Every declared scalar parameter outside :data:`EXCLUDED_GROUPS`, in declaration order."""
    return [p.name for p in PARAMS if p.group not in EXCLUDED_GROUPS]


def band(name: str) -> tuple[float, float]:
    """The screened range of one parameter by the experiment's rule, inside its declared range."""
    p = PARAM_BY_NAME[name]
    d = float(p.default)
    lo, hi = (
        (d - RELATIVE_BAND * abs(d), d + RELATIVE_BAND * abs(d)) if d != 0 else (d, d + ZERO_BAND * (p.high - p.low))
    )
    lo, hi = max(lo, p.low), min(hi, p.high)
    if p.integer:
        lo, hi = float(np.floor(lo)), float(np.ceil(hi))
    if not hi > lo:
        from sim.errors import ConfigError

        raise ConfigError(f"{NAME}.bounds.{name}", [lo, hi], f"a range with low < high inside [{p.low:g}, {p.high:g}]")
    return lo, hi


def bounds() -> dict[str, tuple[float, float]]:
    return {n: band(n) for n in varied_parameters()}


def groups(names: list[str]) -> dict[str, str]:
    """Mechanism group of each parameter (sim.params metadata)."""
    return {n: PARAM_BY_NAME[n].group for n in names}


def design(quick: bool, seed: int):
    """The engine experiment: one Morris sample over :func:`bounds`, as is and under each ablation."""
    from sim.engine import Experiment, Outputs

    size = SIZES["quick" if quick else "full"]
    base = Config.default(agents=size["agents"], steps=size["steps"], seed=seed)
    b = bounds()
    conds = {"model": {}, **abl.conditions(ABLATIONS)}
    exp = Experiment(
        name=NAME,
        base=base,
        sampler={
            "method": "morris",
            "n": size["n"],
            "num_levels": NUM_LEVELS,
            "bounds": {k: list(v) for k, v in b.items()},
        },
        conditions=conds,
        replications=size["reps"],
        seed=seed,
        outputs=Outputs(every=base.steps, final_agents=True),
    )
    return exp, base, b


# ---------------------------------------------------------------------------------------------- claims
CHOICE_SPLIT = Claim(
    "choice_drives_disengagement",
    "Per parameter, avoidance (the choice mechanism) moves the share of learners who disengage more than the "
    "social sources (watching others, persuasion) do",
    "mean |elementary effect| on `disengaged_share` of the choice parameters minus that of the vicarious and "
    "persuasion parameters (change across each parameter's band)",
    +1,
    "emergent",
    "choice rule (avoidance, disengagement) fed by efficacy from every source",
    scale=PP,
    ablations=("no_avoidance",),
)
MASTERY_LEVEL = Claim(
    "mastery_drives_efficacy",
    "Per parameter, mastery experience moves final efficacy more than the social sources do",
    "mean |elementary effect| on `efficacy_mean` of the mastery parameters minus that of the vicarious and "
    "persuasion parameters",
    +1,
    "emergent",
    "mastery rule, interacting with choice (what is attempted) and performance (what succeeds)",
    scale=SD,
    ablations=("no_mastery",),
)
CLAIMS = (CHOICE_SPLIT, MASTERY_LEVEL)


# ---------------------------------------------------------------------------------------------- analysis
def morris_sample(b: dict[str, tuple[float, float]], n: int, seed: int) -> np.ndarray:
    """The Morris design the engine runs (same problem, same seed), unrounded."""
    from SALib.sample import morris

    problem = {"num_vars": len(b), "names": list(b), "bounds": [list(v) for v in b.values()]}
    return morris.sample(problem, n, num_levels=NUM_LEVELS, seed=seed)


def per_run(res) -> pd.DataFrame:
    """One row per run: condition, point, replicate, the outcomes, and each run's SD across agents of
    efficacy, skill and calibration (the reference spreads of the effect scale)."""
    s = res.series
    last = s[s["step"] == s["step"].max()].set_index("run")
    a = res.agents.assign(cal=lambda d: d["efficacy"] - d["skill"])
    per = a.groupby("run").agg(calibration_sd=("cal", "std"))
    per["efficacy_dip"] = a.groupby("run")["efficacy"].apply(lambda e: dip_test(e.to_numpy())[0])
    cols = ["efficacy_mean", "efficacy_sd", "disengaged_share", "skill_mean", "skill_sd", "calibration_mean"]
    df = res.runs.set_index("run")[["condition", "point", "replicate"]].astype({"condition": str})
    return df.join(last[cols]).join(per).reset_index()


def point_means(runs: pd.DataFrame, condition: str) -> pd.DataFrame:
    """Outcomes per design point of one condition (mean over replications), in sample order."""
    d = runs[runs["condition"] == condition]
    return d.groupby("point").mean(numeric_only=True).sort_index().reset_index(drop=True)


def elementary_effects(X: np.ndarray, y: np.ndarray, b: dict[str, tuple[float, float]]) -> np.ndarray:
    """Signed elementary effects, shape (trajectories, parameters): the change in ``y`` per full band of the
    parameter that moved between consecutive points of a trajectory (SALib's EE, in the outcome's unit)."""
    k = len(b)
    lo = np.array([v[0] for v in b.values()])
    width = np.array([v[1] - v[0] for v in b.values()])
    Z = (np.asarray(X, float) - lo) / width
    T = Z.shape[0] // (k + 1)
    ee = np.full((T, k), np.nan)
    for t in range(T):
        z, yy = Z[t * (k + 1) : (t + 1) * (k + 1)], np.asarray(y, float)[t * (k + 1) : (t + 1) * (k + 1)]
        dz = np.diff(z, axis=0)
        for j in range(k):
            i = int(np.argmax(np.abs(dz[j])))
            ee[t, i] = (yy[j + 1] - yy[j]) / dz[j, i]
    return ee


def morris_indices(X: np.ndarray, pts: pd.DataFrame, b: dict[str, tuple[float, float]], seed: int) -> pd.DataFrame:
    """Per outcome and parameter: SALib's mu, mu*, its 95% CI half-width and sigma, the group and the rank."""
    from SALib.analyze import morris

    problem = {"num_vars": len(b), "names": list(b), "bounds": [list(v) for v in b.values()]}
    g = groups(list(b))
    rows = []
    for key in OUTCOMES:
        y = pts[key].to_numpy(dtype=float)
        y = np.where(np.isfinite(y), y, np.nanmean(y)) if np.isfinite(y).any() else np.zeros_like(y)
        si = morris.analyze(problem, X, y, num_levels=NUM_LEVELS, conf_level=0.95, seed=seed)
        for i, name in enumerate(problem["names"]):
            rows.append(dict(outcome=key, parameter=name, mechanism=g[name], mu=float(si["mu"][i]),
                             mu_star=float(si["mu_star"][i]), mu_star_conf=float(si["mu_star_conf"][i]),
                             sigma=float(si["sigma"][i])))  # fmt: skip
    df = pd.DataFrame(rows)
    df["rank"] = df.groupby("outcome")["mu_star"].rank(ascending=False, method="first").astype(int)
    return df


def mechanism_table(idx: pd.DataFrame) -> pd.DataFrame:
    """Per outcome and mechanism: number of parameters, mean mu* per parameter, and its share of the sum of
    the per-parameter means (a group's size does not inflate it), with the group's rank."""
    g = idx.groupby(["outcome", "mechanism"]).agg(
        parameters=("parameter", "size"), mu_star_per_parameter=("mu_star", "mean")
    )
    g = g.reset_index()
    tot = g.groupby("outcome")["mu_star_per_parameter"].transform("sum")
    g["share_per_parameter"] = np.where(tot > 0, g["mu_star_per_parameter"] / tot.where(tot > 0, 1), 0.0)
    g["rank"] = g.groupby("outcome")["mu_star_per_parameter"].rank(ascending=False, method="first").astype(int)
    return g


def group_contrast(ee: np.ndarray, names: list[str], a: tuple[str, ...], b: tuple[str, ...]) -> np.ndarray:
    """Per trajectory: mean |EE| over the parameters of groups ``a`` minus that over groups ``b``."""
    g = groups(names)
    ia = [i for i, n in enumerate(names) if g[n] in a]
    ib = [i for i, n in enumerate(names) if g[n] in b]
    if not ia or not ib:
        return np.full(ee.shape[0], np.nan)
    return np.nanmean(np.abs(ee[:, ia]), axis=1) - np.nanmean(np.abs(ee[:, ib]), axis=1)


def claim_effect(c: Claim, runs: pd.DataFrame, X: np.ndarray, b: dict, condition: str) -> Effect:
    """The claim's per-parameter share contrast under ``condition``, with a bootstrap CI over trajectories."""
    pts = point_means(runs, condition)
    names = list(b)
    if c is CHOICE_SPLIT:
        return effect(group_contrast(elementary_effects(X, pts["disengaged_share"], b), names, ("choice",), SOCIAL), PP)
    ref = pooled_sd(runs.loc[runs["condition"] == "model", "efficacy_sd"].to_numpy(float))
    diffs = group_contrast(elementary_effects(X, pts["efficacy_mean"], b), names, ("mastery",), SOCIAL)
    return effect(diffs, SD, ref)


def findings(runs: pd.DataFrame, X: np.ndarray, b: dict) -> list[Finding]:
    present = set(runs["condition"])
    return [
        Finding(
            c,
            claim_effect(c, runs, X, b, "model"),
            {a: claim_effect(c, runs, X, b, a) for a in c.ablations if a in present},
        )
        for c in CLAIMS
    ]


def meaning_text(v: dict[str, str]) -> str:
    """What the verdicts would mean for a teacher or coach, in plain words (``v``: claim id -> verdict)."""
    out = ["If the model is right:"]
    if v[CHOICE_SPLIT.id] == SHOWN:
        out.append("whether learners give up depends more on how they pick tasks relative to what they believe they "
                   "can do than on encouragement or watching others;")  # fmt: skip
    else:
        out.append(f"that task choice matters more than social input for who gives up is {v[CHOICE_SPLIT.id]} here;")
    m = v[MASTERY_LEVEL.id]
    if m == SHOWN:
        out.append(
            "and their own successes and failures shape their confidence more than what others show or tell them."
        )
    else:
        how = {
            "negligible": "about equally per parameter",
            "opposite": "with social input ahead per parameter",
            "inconclusive": "in an order this screen cannot tell",
        }[m]
        out.append(f"for how confident they end up, own experience and social input matter {how} (verdict: {m}).")
    return " ".join(out)


# ---------------------------------------------------------------------------------------------- figures
def figure_mu_star(idx: pd.DataFrame, out: Path, top: int = 10) -> Figure:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(16, 8.5))
    for ax, (key, (label, unit)) in zip(axes.ravel(), OUTCOMES.items(), strict=True):
        d = idx[idx["outcome"] == key].nsmallest(top, "rank").iloc[::-1]
        ax.barh([f"{p} ({m})" for p, m in zip(d["parameter"], d["mechanism"], strict=True)], d["mu_star"],
                xerr=d["mu_star_conf"], color="#56B4E9", edgecolor="black", ecolor="black", capsize=2)  # fmt: skip
        ax.set_title(label, fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlabel(f"mu*: change across the parameter's band ({unit})")
    fig.suptitle(f"The {top} most influential parameters per outcome (Morris mu*, bars: 95% CI; mechanism in brackets)")
    fig.tight_layout()
    tops = {OUTCOMES[k][0]: idx[(idx["outcome"] == k) & (idx["rank"] == 1)]["parameter"].iloc[0] for k in OUTCOMES}
    return save_figure(
        fig, out, "mu_star_by_outcome",
        "Per-parameter influence on each outcome, ranked. The most influential parameter is "
        + "; ".join(f"`{p}` for {o}" for o, p in tops.items()) + ".",
    )  # fmt: skip


def figure_mechanisms(mech: pd.DataFrame, out: Path) -> Figure:
    import matplotlib.pyplot as plt

    order = mech.groupby("mechanism")["share_per_parameter"].mean().sort_values(ascending=False).index.tolist()
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(order) + 1.8))
    y = np.arange(len(order))
    for i, key in enumerate(OUTCOMES):
        d = mech[mech["outcome"] == key].set_index("mechanism").reindex(order)
        st = style(i)
        ax.plot(d["share_per_parameter"] * 100, y + (i - 2.5) * 0.1, st["marker"], color=st["color"],
                label=OUTCOMES[key][0], ms=6)  # fmt: skip
    ax.set_yticks(y, [f"{m} ({int(mech[mech['mechanism'] == m]['parameters'].iloc[0])})" for m in order])
    ax.invert_yaxis()
    ax.set_xlabel("share of the outcome's total, per parameter (%): mean mu* of the group's parameters")
    ax.set_ylabel("mechanism (number of parameters)")
    ax.legend(fontsize=8, bbox_to_anchor=(1.01, 1), loc="upper left")
    ax.set_title("Which mechanisms move each outcome, per parameter")
    fig.tight_layout()
    return save_figure(
        fig, out, "mechanism_shares",
        f"Each mechanism's mean influence per parameter, as a share of the outcome's total. Averaged over the "
        f"outcomes, '{order[0]}' and '{order[1]}' lead; groups are compared per parameter, so a mechanism with "
        "many parameters is not favoured.",
    )  # fmt: skip


def figure_sigma(idx: pd.DataFrame, out: Path) -> Figure:
    import matplotlib.pyplot as plt

    keys = ("efficacy_sd", "efficacy_dip", "disengaged_share")
    fig, axes = plt.subplots(1, len(keys), figsize=(15, 4.8))
    for ax, key in zip(axes, keys, strict=True):
        d = idx[idx["outcome"] == key]
        ax.scatter(d["mu_star"], d["sigma"], s=18, color="black")
        for _, r in d.nsmallest(5, "rank").iterrows():
            ax.annotate(
                r["parameter"], (r["mu_star"], r["sigma"]), fontsize=7, xytext=(3, 2), textcoords="offset points"
            )
        lim = max(d["mu_star"].max(), d["sigma"].max(), 1e-12) * 1.05
        ax.plot([0, lim], [0, lim], "k:", lw=0.8)
        unit = OUTCOMES[key][1]
        ax.set_xlabel(f"mu* ({unit})")
        ax.set_ylabel(f"sigma ({unit})")
        ax.set_title(OUTCOMES[key][0], fontsize=10)
    fig.suptitle("Influence (mu*) against non-linearity or interaction (sigma); dotted line: sigma = mu*")
    fig.tight_layout()
    top = pd.concat([idx[idx["outcome"] == k].nsmallest(5, "rank") for k in keys])
    inter = int((top["sigma"] >= 0.5 * top["mu_star"]).sum())
    return save_figure(
        fig, out, "sigma_vs_mu_star",
        f"For the outcomes that measure the split into cycles: for {inter} of the {len(top)} most influential "
        "(parameter, outcome) pairs (top 5 per outcome), sigma is at least half of mu*, so a parameter's effect "
        "depends on where the others sit (interactions or non-linearity).",
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write figures, tables, summary.md and findings.csv; returns the results folder."""
    args = parse_args("Experiment 5: global sensitivity (Morris) of the main outcomes.", argv)
    out = results_dir(NAME, args)
    exp, base, b = design(args.quick, args.seed)
    res = run(exp, out / "data", args)
    runs = per_run(res)
    X = morris_sample(b, exp.sampler["n"], exp.seed)
    pts = point_means(runs, "model")
    idx = morris_indices(X, pts, b, args.seed)
    write_table(idx, out / "morris_indices.csv", sort_by=["outcome", "rank"])
    mech = mechanism_table(idx)
    write_table(mech, out / "mechanism_shares.csv", sort_by=["outcome", "rank"])
    bt = pd.DataFrame([dict(parameter=k, group=groups([k])[k], low=v[0], high=v[1], default=PARAM_BY_NAME[k].default)
                       for k, v in b.items()])  # fmt: skip
    write_table(bt, out / "bounds.csv", sort_by=["group", "parameter"])
    items = findings(runs, X, b)
    figures = [figure_mu_star(idx, out), figure_mechanisms(mech, out), figure_sigma(idx, out)]

    lines = []
    for key, (label, unit) in OUTCOMES.items():
        d = idx[idx["outcome"] == key].sort_values("rank").head(4)
        items_txt = ", ".join(
            f"`{r.parameter}` ({r.mechanism}; mu* {fmt(r.mu_star, False, 3)} +/- {fmt(r.mu_star_conf, False, 3)} {unit}, "
            f"{'raises' if r.mu > 0 else 'lowers'} it)"
            for r in d.itertuples()
        )
        m = mech[mech["outcome"] == key].sort_values("rank").head(3)
        lines.append(
            f"- **{label}**: {items_txt}. Mechanisms per parameter: "
            + ", ".join(f"{r.mechanism} {100 * r.share_per_parameter:.0f}%" for r in m.itertuples())
            + "."
        )
    missing = unavailable(ABLATIONS)
    abl_note = (
        "Not run: this version of the model does not declare "
        + ", ".join(f"`{'`, `'.join(abl.get(a).switches)}` (ablation `{a}`)" for a in missing)
        + "."
        if missing
        else "The same Morris sample was re-run with each mechanism the claims name switched off."
    )
    v = {f.claim.id: f.verdict for f in items}
    n_pts = len(pts)
    excluded = "; ".join(f"`{g}` ({why})" for g, why in EXCLUDED_GROUPS.items())
    plain = PlainSummary(
        question="Which of the model's assumptions (its parameters, grouped by mechanism) matter most for how "
        "confident learners end up, how much they learn and how many give up?",
        answer=(
            "Compared per parameter (so a mechanism with many parameters is not favoured), with their verdicts: "
            f"avoidance moves the share of learners who give up more than the social sources do ({v[CHOICE_SPLIT.id]}); "
            f"mastery experience moves final efficacy more than the social sources do ({v[MASTERY_LEVEL.id]}). "
            "Single parameters are ranked in the list below and the first figure."
        ),
        how_sure=(
            f"A Morris screen of {len(b)} parameters ({exp.sampler['n']} trajectories, {n_pts} points, "
            f"{exp.replications} replication(s) per point, {base.agents} learners); intervals are bootstrap CIs over "
            "trajectories; verdicts: "
            + verdict_summary(items)
            + ". A screen ranks influence within the ranges tried; it does not estimate effects in the world."
        ),
        meaning=meaning_text(v),
        rests_on="Every mechanism of the model at once; the ranges are one rule (default +/- 50%), so ranks depend "
        "on that choice. The claims are re-run with the named mechanism switched off.",
    )
    tot = idx.groupby("mechanism")["mu_star"].sum()
    inert = sorted(tot[tot <= 1e-12].index)
    inert_note = (
        " Groups with no influence at all in this scenario ("
        + ", ".join(f"`{g}`" for g in inert)
        + ") belong to mechanisms that are switched off by default or act only through events absent here."
        if inert
        else ""
    )
    sections = [
        ("Most influential parameters per outcome", "\n".join(lines) + "\n\n" + inert_note.strip()),
        ("Ablations", abl_note),
        (
            "How to read this",
            "mu* is the mean absolute change in an outcome when one parameter moves across its whole band, the "
            "others held at a sampled point; sigma large relative to mu* means the effect depends on the other "
            "parameters. Mechanisms are compared by the MEAN mu* of their parameters (share per parameter), never "
            "by the sum, since groups have different numbers of parameters. In the claims, a change in final "
            "efficacy is divided by the SD of efficacy across learners (pooled over the screen's runs); a change "
            "in a share is in percentage points; the interval resamples Morris trajectories, so the claims' "
            "'replications' count trajectories. Population parameters set the starting state: `skill_mean` and "
            "`efficacy_mean` rank high partly because they shift where learners start relative to the task.",
        ),
        (
            "Design",
            f"Morris sample: {exp.sampler['n']} trajectories x ({len(b)} + 1) = {n_pts} points per condition, "
            f"{exp.replications} replication(s) each, {base.agents} learners, {base.steps} steps, default scenario "
            f"(constant task at level {base.schedule[0]['level']:g}). Parameters: every declared one except {excluded}; "
            f"range: default +/- {RELATIVE_BAND:.0%} (default 0: + {ZERO_BAND:.0%} of the declared range), clipped to "
            "the declared range (`bounds.csv`). Tables: `morris_indices.csv`, `mechanism_shares.csv`, `findings.csv`.",
        ),
    ]
    prov = provenance(
        res,
        **{
            "config hash (base)": base.digest(),
            "replications": exp.replications,
            "mode": "quick" if args.quick else "full",
            "command": "python experiments/sensitivity.py" + (" --quick" if args.quick else ""),
        },
    )
    write_summary(out, "Experiment 5: global sensitivity (Morris)", plain, items, sections, figures, prov)
    return out


if __name__ == "__main__":
    main()
