"""Experiment: a simulated longitudinal field study, measured as real studies measure people.

Many learners are simulated and measured in waves with the instruments of :mod:`sim.measure`: a
self-report efficacy scale (0-100, five items, reliability .8 in the population it was normed on),
a performance test whose items the learners answer by the model's own rules, and the course record.
The panel (learner x wave) is exported as Parquet and CSV. The between-person correlation and the
two-wave cross-lagged paths are reported beside published values (Stajkovic & Luthans 1998;
Talsma et al. 2018) as a comparison, not as a verdict by closeness.

Run ``python experiments/longitudinal.py [--quick]``. Reads top to bottom as design, claims,
analysis (pure functions returning tidy frames), findings, figures and the summary.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim import measure
from sim.analysis import SD, Claim, Finding, PlainSummary, effect, fmt, mean_ci, save_figure, style, write_table
from sim.analysis import ablations as abl
from sim.analysis.script import parse_args, provenance, results_dir, run
from sim.analysis.summary import write_summary
from sim.calibration import panel as panel_format
from sim.calibration.panel import build_panel, norm_instruments
from sim.calibration.summaries import between_person_r, cross_lagged, cross_sectional_r, per_study_paths
from sim.config import Config
from sim.engine import Experiment, Outputs

NAME = "longitudinal"

# ==== design ========================================================================================
WAVE_EVERY = 10
"""Steps (course tasks) between measurement waves; wave 0 is the state before the first step."""
INSTRUMENTS = measure.Instruments(self_report_reliability=0.8, self_report_items=5, test_items=20)
"""The study's instruments (declared in sim.params.MEASUREMENT_FIELDS); the self-report's reference
SD is set to the simulated population's true-score SD below, so its reliability in this panel is
about the declared .8, as in published studies."""
CSV_STUDY = 0
"""The tracked ``panel.csv`` holds this study (every study is in ``data/panel.parquet`` and ``data/panel.csv``)."""
ABLATIONS = ("no_mastery", "no_avoidance")
"""Mechanisms switched off for the emergent claims (run only when the model declares their switches)."""

PUBLISHED = (
    ("between_r", "Between-person correlation of efficacy and performance", 0.38, "Stajkovic & Luthans (1998)"),
    ("r_first", "Correlation at the first wave (cross-sectional)", 0.38, "Stajkovic & Luthans (1998)"),
    ("r_last", "Correlation at the last wave (cross-sectional)", 0.38, "Stajkovic & Luthans (1998)"),
    ("P_to_E", "Performance -> later efficacy (cross-lagged, standardised)", 0.205, "Talsma et al. (2018)"),
    ("E_to_P", "Efficacy -> later performance (cross-lagged, standardised)", 0.071, "Talsma et al. (2018)"),
)
"""Published values the model's numbers are shown beside (a comparison; no verdict depends on them)."""


def sizes(quick: bool) -> dict[str, int]:
    """Studies (replications), learners per study and steps: quick for tests, full for the committed results."""
    return dict(agents=200, steps=40, studies=6) if quick else dict(agents=500, steps=100, studies=20)


def wave_steps(steps: int) -> tuple[int, ...]:
    return tuple(range(0, steps + 1, WAVE_EVERY))


# ==== claims (declared before the run) ===============================================================
# Correlations and standardised paths are slopes in SD across learners per SD across learners, so they
# sit on the project's SD scale with a reference SD of 1. Smallest effect of interest for a lagged path:
# 0.05, between the "small" (.03) and "medium" (.07) cross-lagged benchmarks of Orth et al. (2024).
SESOI_PATH = 0.05

P_TO_E = Claim(
    "performance_to_later_efficacy",
    "Learners who perform better at one wave report more efficacy at the next, beyond their earlier efficacy",
    "cross-lagged path test score -> next-wave self-report, controlling earlier self-report (observed scores)",
    +1,
    "emergent",
    "mastery updating (outcomes, which depend on skill, move efficacy) and the performance rule",
    scale=SD,
    sesoi=SESOI_PATH,
    ablations=("no_mastery",),
)
E_TO_P = Claim(
    "efficacy_to_later_performance",
    "Learners who report more efficacy at one wave perform better at the next, beyond their earlier performance",
    "cross-lagged path self-report -> next-wave test score, controlling earlier test score (observed scores)",
    +1,
    "emergent",
    "approach/avoidance (more practice), effort (motivational intensity, on course tasks and on the test's "
    "items) and skill growth through practice",
    scale=SD,
    sesoi=SESOI_PATH,
    ablations=("no_avoidance",),
)
P_TO_E_TRUE = Claim(
    "performance_to_later_efficacy_true",
    "The same path on the hidden true scores: better performance is followed by more efficacy",
    "cross-lagged path true test score -> next-wave true efficacy, controlling earlier true efficacy",
    +1,
    "emergent",
    P_TO_E.rests_on,
    scale=SD,
    sesoi=SESOI_PATH,
    ablations=P_TO_E.ablations,
)
E_TO_P_TRUE = Claim(
    "efficacy_to_later_performance_true",
    "The same path on the hidden true scores: more efficacy is followed by better performance",
    "cross-lagged path true efficacy -> next-wave true test score, controlling earlier true test score",
    +1,
    "emergent",
    E_TO_P.rests_on,
    scale=SD,
    sesoi=SESOI_PATH,
    ablations=E_TO_P.ablations,
)
COUPLING = Claim(
    "beliefs_and_performance_couple",
    "Self-reported efficacy and test performance become more closely linked as the course goes on",
    "cross-sectional correlation of self-report and test score, last wave minus first wave",
    +1,
    "emergent",
    "mastery updating toward one's own outcomes, and skill growth through the practice one chooses to attempt",
    scale=SD,
    sesoi=0.1,
    ablations=("no_mastery", "no_avoidance"),
)
ATTENUATION = Claim(
    "measurement_error_attenuates",
    "Measurement error makes the observed efficacy-performance correlation smaller than the true-score one",
    "cross-sectional correlation at the last wave, observed scores minus true scores",
    -1,
    "mechanism check",
    "classical test theory: observed = true + error (the instruments of sim.measure); expected "
    "r_observed = r_true sqrt(reliability_self_report x reliability_test) (Spearman 1904)",
    scale=SD,
    sesoi=0.02,
)
CLAIMS = (P_TO_E, E_TO_P, P_TO_E_TRUE, E_TO_P_TRUE, COUPLING, ATTENUATION)


# ==== measurement ===================================================================================
# The panel and its statistics live in sim.calibration (calibration reads the same format and computes the
# same statistics); this experiment documents its own wave spacing in the panel's column table.
PANEL_COLUMNS = {
    **panel_format.PANEL_COLUMNS,
    "wave": f"measurement wave (0 = before the first course task, then every {WAVE_EVERY} tasks)",
}
"""The exported panel, column by column (in file order); the summary prints this table."""


# ==== analysis (pure functions returning tidy frames) =================================================
# between_person_r, cross_sectional_r, cross_lagged and per_study_paths: see sim.calibration.summaries.

SCORES = {
    "observed": ("efficacy_report", "test_score"),
    "true scores": ("efficacy_true_points", "test_true_score"),
    "observed, course grade": ("efficacy_report", "course_grade"),
}
"""Which pair of columns each analysis row uses: what a study sees, the hidden true scores, and the
course record as the performance measure."""
SCORE_LABELS = {
    "observed": "model: self-report and test (what a study sees)",
    "true scores": "model: hidden true scores",
    "observed, course grade": "model: self-report and course grade",
}


def association_table(panel: pd.DataFrame) -> pd.DataFrame:
    """Per study: between-person r, first- and last-wave r, and the pooled cross-lagged paths, for each score pair.

    Returns
    -------
    DataFrame
        ``[scores, study, between_r, r_first, r_last, E_to_P, P_to_E, E_stability, P_stability,
        E_to_P_within, P_to_E_within]`` (the last two: learner-mean-centred paths, see :func:`cross_lagged`).
    """
    out = []
    for label, (e, p) in SCORES.items():
        rows = panel.dropna(subset=[p])
        cs = cross_sectional_r(rows, e, p)
        first, last = cs[cs["wave"] == cs["wave"].min()], cs[cs["wave"] == cs["wave"].max()]
        t = between_person_r(rows, e, p).rename(columns={"r": "between_r"})
        t = t.merge(first[["study", "r"]].rename(columns={"r": "r_first"}), on="study")
        t = t.merge(last[["study", "r"]].rename(columns={"r": "r_last"}), on="study")
        t = t.merge(per_study_paths(cross_lagged(rows, e, p)), on="study")
        w = per_study_paths(cross_lagged(rows, e, p, within=True))[["study", "E_to_P", "P_to_E"]]
        t = t.merge(w.rename(columns={"E_to_P": "E_to_P_within", "P_to_E": "P_to_E_within"}), on="study")
        out.append(t.assign(scores=label))
    cols = ["scores", "study", "between_r", "r_first", "r_last", "E_to_P", "P_to_E", "E_stability", "P_stability"]
    cols += ["E_to_P_within", "P_to_E_within"]
    return pd.concat(out, ignore_index=True)[cols]


def attenuation_table(panel: pd.DataFrame, rel: pd.DataFrame) -> pd.DataFrame:
    """Per study, at the last wave: observed and true-score r and the CTT prediction ``r_true sqrt(rel_E rel_P)``.

    ``rel`` is :func:`sim.measure.instrument_reliability` of the panel.
    """
    last = panel[panel["wave"] == panel["wave"].max()]
    obs = cross_sectional_r(last, *SCORES["observed"]).rename(columns={"r": "r_observed"})
    true = cross_sectional_r(last, *SCORES["true scores"]).rename(columns={"r": "r_true"})
    t = obs.merge(true, on=["study", "wave"]).merge(rel, on=["study", "wave"])
    t["r_predicted"] = t["r_true"] * np.sqrt(t["self_report_reliability"] * t["test_reliability"])
    return t[["study", "wave", "r_observed", "r_true", "r_predicted", "self_report_reliability", "test_reliability"]]


def path_effect(values: pd.Series | np.ndarray):
    """A per-study standardised quantity (a path, a correlation or a difference of them) on the SD scale."""
    return effect(np.asarray(values, dtype=float), SD, ref_sd=1.0)


# ==== findings =======================================================================================
def findings(assoc: dict[str, pd.DataFrame], atten: pd.DataFrame) -> list[Finding]:
    """The claims decided; ``assoc`` maps ``"model"`` and each ablation run to its :func:`association_table`."""

    def part(claim: Claim, f, scores: str = "observed") -> Finding:
        rows = {k: t[t["scores"] == scores] for k, t in assoc.items()}
        ablated = {a: path_effect(f(rows[a])) for a in claim.ablations if a in rows}
        if ablated and len(ablated) < len(claim.ablations):  # a model that declares only some of the switches
            claim = dataclasses.replace(claim, ablations=tuple(ablated))
        return Finding(claim, path_effect(f(rows["model"])), ablated=ablated)

    predicted = float((atten["r_predicted"] - atten["r_true"]).mean())
    attenuation = dataclasses.replace(ATTENUATION, analytic=predicted)
    return [
        part(P_TO_E, lambda t: t["P_to_E"]),
        part(E_TO_P, lambda t: t["E_to_P"]),
        part(P_TO_E_TRUE, lambda t: t["P_to_E"], "true scores"),
        part(E_TO_P_TRUE, lambda t: t["E_to_P"], "true scores"),
        part(COUPLING, lambda t: t["r_last"] - t["r_first"]),
        Finding(attenuation, path_effect(atten["r_observed"] - atten["r_true"])),
    ]


def comparison_table(assoc: pd.DataFrame) -> pd.DataFrame:
    """The model's between-person r and cross-lagged paths beside the published values -> tidy rows."""
    rows = []
    for key, label, published, source in PUBLISHED:
        for scores in SCORES:
            m, lo, hi = mean_ci(assoc.loc[assoc["scores"] == scores, key])
            rows.append(
                dict(
                    quantity=key, label=label, scores=scores, model=m, lo=lo, hi=hi, published=published, source=source
                )
            )
    return pd.DataFrame(rows)


# ==== figures ========================================================================================
def fig_panel(panel: pd.DataFrame, out: Path):
    """Means over waves and one study's last-wave scatter."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    m = panel.groupby("wave")[["efficacy_report", "test_score", "course_grade", "efficacy_true_points"]].mean()
    lab = {
        "efficacy_report": "self-reported efficacy (0-100)",
        "efficacy_true_points": "true efficacy (x10, 0-100)",
        "test_score": "performance test (% solved)",
        "course_grade": "course grade (% of tasks succeeded)",
    }
    for i, c in enumerate(lab):
        ax.plot(m.index, m[c], label=lab[c], lw=1.6, ms=4, **style(i))
    ax.set(xlabel=f"wave (every {WAVE_EVERY} course tasks)", ylabel="sample mean (points, 0-100)", ylim=(0, 100))
    ax.set_title("Sample means over the waves (all studies)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, loc="lower right")
    ax = axes[1]
    s0 = panel[(panel["study"] == CSV_STUDY) & (panel["wave"] == panel["wave"].max())]
    jitter = np.random.default_rng(0).uniform(-1.5, 1.5, len(s0))  # test scores sit on a 5-point grid
    ax.scatter(s0["test_score"] + jitter, s0["efficacy_report"], s=9, facecolors="none", edgecolors="k", lw=0.6)
    r = s0["test_score"].corr(s0["efficacy_report"])
    r_all = float(between_person_r(panel, "efficacy_report", "test_score")["r"].mean())
    ax.set(
        xlabel="performance test (% solved)", ylabel="self-reported efficacy (0-100)", xlim=(-2, 102), ylim=(-2, 102)
    )
    ax.set_title(f"Last wave, study {CSV_STUDY}: {len(s0)} learners (r = {r:.2f})")
    return save_figure(
        fig,
        out,
        "panel",
        "Left: sample means of what the study measures (self-report, test, course grade) and of true efficacy over the "
        "waves (the self-report and true-efficacy lines coincide: the error adds spread, not bias). Right: self-report "
        "against test score at the last wave of one study (test scores jittered by up to 1.5 points so that learners "
        f"with equal scores stay visible). Across all studies the between-person correlation of self-report and test "
        f"is r = {fmt(r_all)}, {'above' if r_all > 0.38 else 'below'} the r = .38 of published studies.",
    )


def fig_paths(assoc: dict[str, pd.DataFrame], out: Path):
    """Cross-lagged paths: observed scores, true scores, course grade, ablations, beside the published values."""
    fig, ax = plt.subplots(figsize=(9, 4.6))
    keys = [("P_to_E", "performance -> later efficacy"), ("E_to_P", "efficacy -> later performance")]
    series = [("model", s) for s in SCORES] + [(a, "observed") for a in assoc if a != "model"]
    width = 0.8 / (len(series) + 1)
    for j, (cond, scores) in enumerate(series):
        t = assoc[cond]
        t = t[t["scores"] == scores]
        est = [mean_ci(t[k]) for k, _ in keys]
        x = np.arange(len(keys)) + (j - len(series) / 2) * width
        st = style(j)
        label = SCORE_LABELS[scores] if cond == "model" else f"{abl.ABLATIONS[cond].label} (self-report and test)"
        ax.errorbar(
            x,
            [e[0] for e in est],
            yerr=[[e[0] - e[1] for e in est], [e[2] - e[0] for e in est]],
            fmt=st["marker"],
            color=st["color"],
            mfc="white" if j % 2 else st["color"],
            capsize=3,
            label=label,
        )
    pub = {k: v for k, _, v, _ in PUBLISHED}
    x = np.arange(len(keys)) + (len(series) / 2) * width
    ax.scatter(
        x, [pub[k] for k, _ in keys], marker="*", s=120, color="0.4", label="published (Talsma et al. 2018)", zorder=3
    )
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(range(len(keys)), [k[1] for k in keys])
    ax.set(ylabel="standardised path (SD of later score\nper SD of earlier score)")
    ax.set_title("Two-wave cross-lagged paths, averaged over wave pairs (95% CI over studies)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    return save_figure(
        fig,
        out,
        "cross_lagged",
        "Standardised two-wave cross-lagged paths in the simulated panel (means and 95% CIs over studies), for the "
        "scores a study sees, the hidden true scores, the course grade as performance, and with mechanisms switched "
        "off, beside the published meta-analytic values (grey stars). Compare the observed and true-score markers: "
        "part of an observed path comes from measurement error in the score it controls for.",
    )


def fig_reliability(rel: pd.DataFrame, declared: float, out: Path):
    """Reliability of the instruments per wave, as a study would report it."""
    fig, ax = plt.subplots(figsize=(7, 4))
    cols = [
        ("self_report_alpha", "self-report, Cronbach's alpha (what a study reports)"),
        ("self_report_reliability", "self-report, corr(true, observed)²"),
        ("test_reliability", "performance test, corr(true, observed)²"),
    ]
    for i, (c, lab) in enumerate(cols):
        m = rel.groupby("wave")[c].agg(["mean", "min", "max"])
        st = style(i)
        ax.plot(m.index, m["mean"], label=lab, color=st["color"], ls=st["ls"], marker=st["marker"], ms=4)
        ax.fill_between(m.index, m["min"], m["max"], color=st["color"], alpha=0.15, lw=0)
    ax.axhline(declared, color="0.3", lw=0.8, ls=":", label=f"declared self-report reliability ({declared:g})")
    ax.set(xlabel=f"wave (every {WAVE_EVERY} course tasks)", ylabel="reliability (0-1)", ylim=(0.5, 1))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Reliability of the instruments at each wave (band: range over studies)")
    ax.legend(fontsize=8, loc="lower right")
    return save_figure(
        fig,
        out,
        "reliability",
        "Reliability of the self-report scale and the performance test at each wave (mean and range over studies). "
        "The scale is normed so its reliability in this population is about the declared value; it moves with the "
        "spread of true efficacy across learners, as a real scale's would.",
    )


# ==== report ========================================================================================
def plain_answer(found: list[Finding], cmp: pd.DataFrame) -> str:
    """The plain-language answer, written from the numbers (never from an expected outcome)."""
    p2e, e2p, p2e_true, e2p_true = found[:4]
    obs, true = e2p.effect.estimate, e2p_true.effect.estimate
    gap = (
        f" The gap between the two efficacy -> performance paths ({fmt(obs - true)}) comes from measurement error "
        "in the earlier test score the regression controls for, not from efficacy."
        if obs > true
        else ""
    )
    r = float(cmp.set_index(["quantity", "scores"]).loc[("between_r", "observed"), "model"])
    return (
        f"Measured as a study would measure them, performance predicts later self-reported efficacy by "
        f"{fmt(p2e.effect.estimate)} SD per SD (verdict: {p2e.verdict}) and self-reported efficacy predicts later "
        f"test performance by {fmt(obs)} (verdict: {e2p.verdict}); the published meta-analytic paths are +0.205 "
        f"and +0.071. On the hidden true scores the paths are {fmt(p2e_true.effect.estimate)} (verdict: "
        f"{p2e_true.verdict}) and {fmt(true)} (verdict: {e2p_true.verdict}).{gap} Learners' beliefs and performance "
        f"are {'more' if r > 0.38 else 'less'} closely linked than in real studies (between-person r = {fmt(r)} "
        "against +0.38)."
    )


def _tables(cmp: pd.DataFrame, atten: pd.DataFrame, rel: pd.DataFrame) -> tuple[str, str]:
    lines = [
        "| quantity | scores | model (95% CI over studies) | published | source |",
        "|---|---|---|---|---|",
    ]
    for _, r in cmp.iterrows():
        lines.append(
            f"| {r['label']} | {r['scores']} | {fmt(r['model'])} ({fmt(r['lo'])} to {fmt(r['hi'])}) | "
            f"{fmt(r['published'], digits=3)} | {r['source']} |"
        )
    comparison = (
        "The model's numbers beside published meta-analytic values, for the scores a study sees (self-report and "
        "test), the hidden true scores, and the course grade as the performance measure (its first wave is wave 1: "
        "there is no grade before the course starts). The model is not calibrated to these values; they show "
        "where it stands, not whether it passes.\n\n" + "\n".join(lines)
    )
    a = {c: mean_ci(atten[c]) for c in ("r_observed", "r_true", "r_predicted")}
    rel_m = rel.groupby("wave")[["self_report_alpha", "self_report_reliability", "test_reliability"]].mean()
    rel_lines = [
        "| wave | self-report: Cronbach's alpha | self-report: corr(true, observed)² | test: corr(true, observed)² |"
    ]
    rel_lines.append("|---|---|---|---|")
    for w, r in rel_m.iterrows():
        rel_lines.append(
            f"| {w} | {fmt(r['self_report_alpha'], False)} | {fmt(r['self_report_reliability'], False)} | "
            f"{fmt(r['test_reliability'], False)} |"
        )
    measurement = (
        f"At the last wave the observed correlation is {fmt(a['r_observed'][0])} (95% CI {fmt(a['r_observed'][1])} to "
        f"{fmt(a['r_observed'][2])}), the true-score correlation {fmt(a['r_true'][0])}, and classical test theory "
        f"predicts {fmt(a['r_predicted'][0])} from the two instruments' reliabilities.\n\n" + "\n".join(rel_lines)
    )
    return comparison, measurement


def within_table(assoc: pd.DataFrame) -> str:
    """Markdown: the usual (between + within) paths beside the learner-mean-centred (within-person) ones."""
    lines = [
        "Within-person paths (each learner's mean over the waves removed first; a fixed-effects stand-in for "
        "the random-intercept model, biased downward with few waves, Nickell 1981):",
        "",
        "| path | scores | usual CLPM (95% CI) | within-person (95% CI) |",
        "|---|---|---|---|",
    ]
    for key, label in (("P_to_E", "performance -> later efficacy"), ("E_to_P", "efficacy -> later performance")):
        for scores in SCORES:
            t = assoc[assoc["scores"] == scores]
            a, b = mean_ci(t[key]), mean_ci(t[key + "_within"])
            lines.append(
                f"| {label} | {scores} | {fmt(a[0])} ({fmt(a[1])} to {fmt(a[2])}) | "
                f"{fmt(b[0])} ({fmt(b[1])} to {fmt(b[2])}) |"
            )
    lines += [
        "",
        "These numbers are descriptive. With a few waves the centring bias also reaches the cross paths when the "
        "two scores are correlated, so their signs need a proper random-intercept model before they are read as "
        "findings (within-person, efficacy has been reported to predict later performance negatively: Vancouver "
        "et al. 2001).",
    ]
    return "\n".join(lines)


def _panel_doc(n_rows: int, studies: int) -> str:
    rows = ["| column | meaning |", "|---|---|"] + [f"| `{c}` | {m} |" for c, m in PANEL_COLUMNS.items()]
    return (
        f"One row per study, learner and wave ({n_rows} rows, {studies} studies), sorted by `study, agent, wave`. "
        f"Files: `panel.csv` next to this summary holds study {CSV_STUDY}; every study is in `data/panel.parquet` "
        "and `data/panel.csv` (git-ignored; this script regenerates them). The columns, in file order:\n\n"
        + "\n".join(rows)
    )


def main(argv=None) -> Path:
    args = parse_args("A simulated longitudinal field study: a tidy learner x wave panel and cross-lagged paths.", argv)
    out = results_dir(NAME, args)
    z = sizes(args.quick)
    waves = wave_steps(z["steps"])
    base = Config.default(agents=z["agents"], steps=z["steps"])
    conditions = {"model": {}, **abl.conditions(ABLATIONS)}
    exp = Experiment(
        name=NAME,
        base=base,
        conditions=conditions,
        replications=z["studies"],
        seed=args.seed,
        outputs=Outputs(every=WAVE_EVERY, final_agents=False, snapshots=waves),
    )
    data = out / "data"
    res = run(exp, data / "engine", args)
    snaps = res.snapshots

    # measurement: every condition is measured with the same instruments (normed on the model's population)
    states = {c: measure.states_from_snapshots(snaps[snaps["condition"] == c], waves) for c in conditions}
    design = norm_instruments(states["model"], INSTRUMENTS)
    panels, assoc = {}, {}
    for c, st in states.items():
        params = base.with_values(conditions[c]).params if conditions[c] else base.params
        panels[c] = build_panel(st, design, params, args.seed)
        assoc[c] = association_table(panels[c])
    panel = panels["model"]
    items = measure.self_report_items(states["model"], design, args.seed)
    rel = measure.instrument_reliability(panel, items)
    atten = attenuation_table(panel, rel)

    data.mkdir(parents=True, exist_ok=True)
    panel.to_parquet(data / "panel.parquet", index=False)
    write_table(panel, data / "panel.csv", sort_by=list(measure.KEYS))
    write_table(panel[panel["study"] == CSV_STUDY], out / "panel.csv", sort_by=list(measure.KEYS))
    all_assoc = pd.concat([t.assign(condition=c) for c, t in assoc.items()], ignore_index=True)
    write_table(all_assoc, out / "associations_by_study.csv", sort_by=["condition", "scores", "study"])
    write_table(rel, out / "reliability_by_wave.csv", sort_by=["study", "wave"])
    cmp = comparison_table(assoc["model"])
    write_table(cmp, out / "comparison_with_published.csv", sort_by=["quantity", "scores"])

    found = findings(assoc, atten)
    figs = [fig_panel(panel, out), fig_paths(assoc, out), fig_reliability(rel, design.self_report_reliability, out)]

    r_between = float(cmp.set_index(["quantity", "scores"]).loc[("between_r", "observed"), "model"])
    plain = PlainSummary(
        question="If we studied the simulated learners the way field studies study students, measuring their "
        "self-efficacy with a questionnaire and their performance with a test, every few weeks, what would we find, "
        "and how does it compare with what real studies find?",
        answer=plain_answer(found, cmp),
        how_sure=f"{z['studies']} independent simulated studies of {z['agents']} learners each, measured at "
        f"{len(waves)} waves; intervals are 95% bootstrap intervals over studies. The comparison with published "
        "values is descriptive: the model is not calibrated to them, so closeness is not a verdict.",
        meaning="If the model were right, a learner's recent performance would be a guide to what they believe "
        "they can do, and raising performance would raise belief. "
        + (
            "A questionnaire-and-test study would also show efficacy 'predicting' later performance partly "
            "because its test is imperfect. "
            if found[1].effect.estimate > found[3].effect.estimate
            else ""
        )
        + (
            "The model's learners read their own results more faithfully than real students seem to, so it likely "
            "overstates how closely beliefs follow performance."
            if r_between > 0.38
            else "The simulated link between belief and performance is no closer than in real students."
        ),
        rests_on="Mastery updating (efficacy moves toward what one's outcomes show), the choice to attempt tasks, "
        "effort that drops on items judged out of reach, skill growth through practice, and the measurement layer: "
        "self-report = true score + error with reliability .8, a test answered by the model's own rules.",
    )
    sections = [
        (
            "Design",
            f"{z['studies']} studies of {z['agents']} learners each (the default model), {len(waves)} waves, every "
            f"{WAVE_EVERY} course tasks (steps {waves[0]}-{waves[-1]}). Instruments (`sim.measure`): self-report "
            f"scale of {design.self_report_items} items on 0-100, reliability {design.self_report_reliability:g} "
            f"(error SD {design.error_sd:.2f} points for the scale score, normed on this population's true-score SD "
            f"of {design.self_report_reference_sd:.2f} points); performance test of {design.test_items} items of "
            f"difficulty {design.test_low:g}-{design.test_high:g} levels, each answered by the model's rules "
            "(expectancy, effort, appraisal and arousal, performance); course record from the model's counters. "
            "Measurement draws come from their own stream (seed, instrument, study), so measuring never changes a "
            "simulated life. Paths are standardised betas of two-wave regressions (`X[w+1] ~ X[w] + Y[w]`) per "
            "consecutive wave pair, averaged within each study. Ablations run: "
            + (
                ", ".join(f"{a} ({abl.ABLATIONS[a].label})" for a in conditions if a != "model")
                or "none available in this model version (their switches are not declared yet)"
            )
            + ".",
        ),
        ("Comparison with published values (descriptive, not a verdict)", _tables(cmp, atten, rel)[0]),
        ("Measurement: reliability and attenuation", _tables(cmp, atten, rel)[1]),
        (
            "Caveats",
            "A cross-lagged panel model without random intercepts mixes stable between-person differences into the "
            "lagged paths (Hamaker et al. 2015), and measurement error in the controlled earlier score leaves "
            "residual confounding: compare the observed and true-score rows. Published paths come from lags of "
            "months between waves of real courses; a wave here is ten simulated tasks. The panel is exported so "
            "that RI-CLPM or other models can be fitted with any tool.\n\n" + within_table(assoc["model"]),
        ),
        ("The panel file", _panel_doc(len(panel), z["studies"])),
    ]
    prov = provenance(
        res,
        studies=z["studies"],
        learners=z["agents"],
        quick=args.quick,
        instruments=design.to_dict(),
        ablations=", ".join(c for c in conditions if c != "model") or "none",
    )
    write_summary(out, "A simulated longitudinal study", plain, found, sections, figs, prov)
    return out


if __name__ == "__main__":
    main()
