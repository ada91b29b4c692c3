"""Experiment: efficacy is domain-specific; self-esteem is not efficacy.

Learners hold skill and efficacy in three declared domains, maths, physics (related to maths,
relatedness 0.6) and art (relatedness 0.1 to both), and one global self-esteem (docs/ODD.md 7.22,
7.23). Four parts, each on common random numbers (replicate r of every condition has the same learners,
network and draws, so differences are paired by replicate):

1. **Mastery in one domain.** Guided mastery in maths (a mastery ladder for everyone) against plain
   maths practice: what it does to efficacy and skill in maths, in related physics and in unrelated art.
2. **A severe failure in one domain** while the three domains are practised in turn: its spill-over into
   the others, at once and at the end.
3. **Self-esteem against domain efficacy as predictors** of later maths performance in a measured panel
   (a maths self-efficacy scale and a ten-item self-esteem scale at one wave, a maths test at a later one).
4. **Generic praise and trophies** (handed successes): do they raise self-esteem without building domain
   efficacy?

Claims are declared below, before the run, with their direction and smallest effect of interest; the
verdicts come from :mod:`sim.analysis`. The spill-over claims are run again with ``no_transfer``
(generality and skill transfer off). The runs step :class:`sim.batch.Batch` directly (the engine's tables
hold one domain), so ``--executor`` and ``--workers`` are accepted but the runs are serial.

Run ``python experiments/domains.py [--quick]``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # a script may choose its backend; the library never does

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim import measure  # noqa: E402
from sim.analysis import SD, Claim, Effect, PlainSummary, Question, effect, fmt, save_figure, style  # noqa: E402
from sim.analysis import ablations as abl  # noqa: E402
from sim.analysis.ablation_notes import ablation_summary, finding, unavailable  # noqa: E402
from sim.analysis.script import parse_args, provenance, results_dir  # noqa: E402
from sim.analysis.summary import write_summary, write_table  # noqa: E402
from sim.batch import Batch  # noqa: E402
from sim.config import Config  # noqa: E402
from sim.params import PARAM_BY_NAME  # noqa: E402

NAME = "domains"
CONTROL = "control"

# ==== design =========================================================================================
DOMAINS = {
    "names": ["maths", "physics", "art"],
    "relatedness": [[1.0, 0.6, 0.1], [0.6, 1.0, 0.1], [0.1, 0.1, 1.0]],
}
"""Three domains: physics is related to maths, art is nearly unrelated to both."""
A, B, C = DOMAINS["names"]
R_AB, R_AC = DOMAINS["relatedness"][0][1], DOMAINS["relatedness"][0][2]
IN_TURN = [A, B, C]
"""Parts 2-4 practise the three domains in turn, one task a step."""
PRACTICE_LEVEL = 3.5
"""Difficulty of plain practice (a little above the mean initial skill of 3)."""
SHOCK_SEVERITY = 6.0
INSTRUMENTS = measure.Instruments(self_report_reliability=0.8, self_report_items=5, test_items=20)
"""Maths self-efficacy scale (five items, reliability .8), the ten-item self-esteem scale (.88, the
declared defaults) and a 20-item maths test (sim.params.MEASUREMENT_FIELDS)."""
SPILL_ABLATIONS = ("no_transfer",)
PRAISE_ABLATIONS = ("no_persuasion",)
TROPHY_ABLATIONS = ("no_mastery",)
PREDICT_ABLATIONS = ("no_self_esteem",)
BETA_SESOI = 0.1
"""Smallest standardised regression weight of interest (a tenth of an SD of the test per SD of the predictor)."""


def sizes(quick: bool) -> dict[str, int]:
    """Run sizes: quick (tests, well under a minute) and full (the committed results)."""
    if quick:
        return dict(agents=150, reps=6, train=30, practice=45, shock=9, praise=40, wave1=24, wave2=45)
    return dict(agents=400, reps=20, train=40, practice=90, shock=9, praise=60, wave1=30, wave2=60)


def base_config(agents: int, steps: int) -> dict:
    """The population and domains every part shares (defaults otherwise)."""
    return {"agents": agents, "steps": steps, "domains": copy.deepcopy(DOMAINS), "params": {}}


def mastery_conditions(train: int) -> dict[str, dict]:
    """Part 1: plain maths practice, or guided mastery in maths (a mastery ladder for everyone)."""
    plain = {"schedule": [{"kind": "constant", "start": 0, "level": PRACTICE_LEVEL, "domain": A}]}
    ladder = {"kind": "mastery_ladder", "start": 0, "end": train, "domain": A}
    return {CONTROL: plain, "mastery": {**plain, "interventions": [ladder]}}


def failure_conditions(shock: int) -> dict[str, dict]:
    """Part 2: the three domains in turn, with or without a severe failure in maths at step ``shock``."""
    turn = {"schedule": [{"kind": "constant", "start": 0, "level": 3.0, "domain": IN_TURN}]}
    return {CONTROL: turn, "failure": {**turn, "shocks": [{"step": shock, "severity": SHOCK_SEVERITY, "domain": A}]}}


def praise_conditions(steps: int) -> dict[str, dict]:
    """Part 4: the three domains in turn; generic ability praise, or trophies (handed successes), to everyone."""
    turn = {"schedule": [{"kind": "constant", "start": 0, "level": PRACTICE_LEVEL, "domain": IN_TURN}]}
    iv = {"start": 3, "end": steps, "intensity": 0.5}
    return {
        CONTROL: turn,
        "praise": {**turn, "interventions": [{"kind": "generic_praise", **iv}]},
        "trophies": {**turn, "interventions": [{"kind": "handed_success", **iv}]},
    }


def panel_condition() -> dict:
    """Part 3: varied practice in turn, and occasional generic praise (so self-esteem varies beyond skill)."""
    return {
        "schedule": [{"kind": "random", "start": 0, "level": PRACTICE_LEVEL, "spread": 1.5, "domain": IN_TURN}],
        "interventions": [{"kind": "generic_praise", "start": 0, "end": 1_000_000, "intensity": 0.2}],
    }


def with_ablations(conds: dict[str, dict], names: tuple[str, ...]) -> dict[str, dict]:
    """Every condition again under each runnable ablation, named ``"<condition> | <ablation>"``."""
    out = dict(conds)
    for a, over in abl.conditions(names).items():
        for c, d in conds.items():
            out[f"{c} | {a}"] = {**d, "params": {**d.get("params", {}), **over}}
    return out


def cond_name(cond: str, ablation: str | None) -> str:
    return cond if ablation is None else f"{cond} | {ablation}"


# ==== claims (declared before the run) ================================================================
MASTERY_A = Claim(
    "mastery_raises_own_domain",
    "Guided mastery in maths raises maths efficacy",
    "maths efficacy at the end of training, mastery minus plain practice",
    +1,
    "mechanism check",
    "mastery rule (7.8): successes raise efficacy",
)
MASTERY_B = Claim(
    "mastery_spreads_to_related",
    "Mastery in maths also raises efficacy in related physics, never practised",
    "physics efficacy at the end of training, mastery minus plain practice",
    +1,
    "mechanism check",
    "generality (7.22): generality x relatedness x the maths change",
    ablations=SPILL_ABLATIONS,
)
MASTERY_B_OVER_C = Claim(
    "spreads_more_to_related_than_unrelated",
    "Mastery in maths raises physics efficacy more than art efficacy",
    "physics minus art efficacy effect (SD)",
    +1,
    "mechanism check",
    "generality (7.22) in proportion to relatedness (0.6 vs 0.1)",
    ablations=SPILL_ABLATIONS,
)
BELIEF_OVER_SKILL = Claim(
    "belief_spreads_further_than_skill",
    "Mastery in maths moves physics efficacy more than physics skill",
    "physics efficacy effect minus physics skill effect (SD)",
    +1,
    "mechanism check",
    "generality (0.3) is declared larger than skill transfer (0.05) (7.22)",
    ablations=SPILL_ABLATIONS,
)
FAIL_A = Claim(
    "failure_lowers_own_domain",
    "A severe failure in maths lowers maths efficacy at once",
    "maths efficacy one step after the failure, failure minus control",
    -1,
    "assumption",
    "shock rule (8.2)",
)
SPILL_NOW = Claim(
    "failure_spills_into_related_at_once",
    "The failure lowers efficacy in related physics at once",
    "physics efficacy one step after the failure, failure minus control",
    -1,
    "mechanism check",
    "generality (7.22), losses spread as gains do",
    ablations=SPILL_ABLATIONS,
)
SPILL_END = Claim(
    "failure_spill_persists_in_related",
    "Physics efficacy is still lower at the end of the run, after practice in every domain",
    "physics efficacy at the end, failure minus control",
    -1,
    "emergent",
    "generality, then avoidance and mastery in each domain while the domains are practised in turn",
    ablations=SPILL_ABLATIONS,
)
SPILL_LESS_UNRELATED = Claim(
    "failure_spills_less_into_unrelated",
    "At the end, art (unrelated) has lost less efficacy than physics (related)",
    "art minus physics efficacy effect at the end (SD)",
    +1,
    "emergent",
    "generality in proportion to relatedness, then practice in each domain",
    ablations=SPILL_ABLATIONS,
)
EFFICACY_OVER_ESTEEM = Claim(
    "domain_efficacy_predicts_better_than_self_esteem",
    "Measured maths efficacy predicts a later maths test better than measured self-esteem does",
    "standardised weight of maths efficacy minus that of self-esteem (both measured at wave 1) on the wave-2 maths "
    "test, per study",
    +1,
    "emergent",
    "efficacy enters choice and effort in its domain; self-esteem enters nothing (7.23) but shares outcomes with it",
    sesoi=BETA_SESOI,
    ablations=PREDICT_ABLATIONS,
)
ESTEEM_UNIQUE = Claim(
    "self_esteem_adds_beyond_efficacy",
    "Measured self-esteem predicts the later maths test beyond measured maths efficacy",
    "standardised weight of self-esteem on the wave-2 maths test, beside maths efficacy, per study",
    +1,
    "emergent",
    "self-esteem follows outcomes in every domain, which follow skill (7.23)",
    sesoi=BETA_SESOI,
    ablations=PREDICT_ABLATIONS,
)
PRAISE_SE = Claim(
    "praise_raises_self_esteem",
    "Generic praise raises self-esteem",
    "self-esteem at the end, praise minus control",
    +1,
    "assumption",
    "self-esteem rule (7.23): praise adds to it",
)
PRAISE_EFF = Claim(
    "praise_builds_domain_efficacy",
    "Generic praise raises efficacy (mean over the three domains)",
    "mean domain efficacy at the end, praise minus control",
    +1,
    "emergent",
    "persuasion (7.10) discounted by specificity, then mastery and avoidance",
    ablations=PRAISE_ABLATIONS,
)
PRAISE_GAP = Claim(
    "praise_raises_esteem_more_than_efficacy",
    "Generic praise raises self-esteem more than it raises domain efficacy",
    "self-esteem effect minus mean domain efficacy effect (SD)",
    +1,
    "emergent",
    "full-strength praise term in self-esteem against persuasion's discounted effect on efficacy",
    ablations=PRAISE_ABLATIONS,
)
TROPHY_SE = Claim(
    "trophies_raise_self_esteem",
    "Trophies (handed successes) raise self-esteem",
    "self-esteem at the end, trophies minus control",
    +1,
    "assumption",
    "self-esteem rule (7.23): a handed success counts as a success",
)
TROPHY_EFF = Claim(
    "trophies_build_domain_efficacy",
    "Trophies raise efficacy (mean over the three domains)",
    "mean domain efficacy at the end, trophies minus control",
    +1,
    "emergent",
    "discounted mastery from handed successes (handed_discount), then avoidance and practice",
    ablations=TROPHY_ABLATIONS,
)
TROPHY_GAP = Claim(
    "trophies_raise_esteem_more_than_efficacy",
    "Trophies raise self-esteem more than they raise domain efficacy",
    "self-esteem effect minus mean domain efficacy effect (SD)",
    +1,
    "emergent",
    "full-weight success in self-esteem against discounted mastery in efficacy",
    ablations=TROPHY_ABLATIONS,
)


# ==== simulation =======================================================================================
def configs(conds: dict[str, dict], base: dict, reps: int) -> tuple[list[str], list[Config]]:
    """One validated config per condition and replicate (condition names repeated ``reps`` times)."""
    names, cfgs = [], []
    for name, d in conds.items():
        data = copy.deepcopy(base)
        data.update({k: copy.deepcopy(v) for k, v in d.items() if k != "params"})
        data["params"] = {**base.get("params", {}), **d.get("params", {})}
        cfg = Config.from_dict(data)
        names += [name] * reps
        cfgs += [cfg] * reps
    return names, cfgs


def summarise_domains(batch: Batch) -> dict[str, np.ndarray]:
    """Per-run means and SDs across learners (each (runs,)) of efficacy and skill per domain and self-esteem."""
    dom = batch.domains
    out: dict[str, np.ndarray] = {}
    for j, d in enumerate(dom.names):
        for f in ("efficacy", "skill"):
            x = dom.fields[f][:, :, j]
            out[f"{f}[{d}]"], out[f"{f}[{d}]_sd"] = x.mean(axis=1), x.std(axis=1, ddof=1)
    for f in ("efficacy", "skill"):
        x = dom.fields[f].mean(axis=2)  # each learner's mean over the domains
        out[f"{f}[all]"], out[f"{f}[all]_sd"] = x.mean(axis=1), x.std(axis=1, ddof=1)
    out["self_esteem"], out["self_esteem_sd"] = dom.self_esteem.mean(axis=1), dom.self_esteem.std(axis=1, ddof=1)
    return out


def simulate(
    conds: dict[str, dict],
    base: dict,
    reps: int,
    seed: int,
    steps: int,
    at: set[int] | None = None,
    hook: Callable[[Batch, int], None] | None = None,
) -> pd.DataFrame:
    """Run every condition x replicate in one batch; per-run summaries at the steps ``at`` (default: every step).

    Replicate ``r`` of every condition uses stream ``(seed, r)``: common random numbers.
    """
    names, cfgs = configs(conds, base, reps)
    reps_idx = [r for _ in conds for r in range(reps)]
    batch = Batch(cfgs, seeds=[seed] * len(cfgs), run_indices=reps_idx)
    rows = []
    for t in range(steps + 1):
        if t > 0:
            batch.step()
        if hook is not None:
            hook(batch, t)
        if at is None or t in at:
            s = summarise_domains(batch)
            rows.append(pd.DataFrame({"condition": names, "replicate": reps_idx, "step": t, **s}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


# ==== analysis (pure functions of the per-run table) ==================================================
def paired(df: pd.DataFrame, value: str, cond: str, ref: str, step: int) -> np.ndarray:
    """Per-replicate ``value`` of ``cond`` minus ``ref`` at ``step`` (sorted by replicate)."""
    w = df[df["step"] == step].pivot(index="replicate", columns="condition", values=value)
    return (w[cond] - w[ref]).sort_index().to_numpy()


def ref_sd(df: pd.DataFrame, value: str, ref: str, step: int) -> np.ndarray:
    """Per-replicate SD across learners of ``value`` in the reference condition at ``step``."""
    g = df[(df["step"] == step) & (df["condition"] == ref)].sort_values("replicate")
    return g[value + "_sd"].to_numpy()


def contrast(df: pd.DataFrame, value: str, cond: str, step: int, ablation: str | None = None) -> Effect:
    """Paired effect of ``cond`` against the control (both under ``ablation``) on the SD scale."""
    c, r = cond_name(cond, ablation), cond_name(CONTROL, ablation)
    return effect(paired(df, value, c, r, step), SD, ref_sd(df, value, r, step))


def standardised(df: pd.DataFrame, value: str, cond: str, step: int, ablation: str | None = None) -> np.ndarray:
    """Per-replicate paired difference over the pooled control SD (for differences of two effects)."""
    c, r = cond_name(cond, ablation), cond_name(CONTROL, ablation)
    sd = float(np.sqrt(np.mean(ref_sd(df, value, r, step) ** 2)))
    return paired(df, value, c, r, step) / sd


def difference(df: pd.DataFrame, first: str, second: str, cond: str, step: int, ablation: str | None = None) -> Effect:
    """Effect of ``cond`` on ``first`` minus its effect on ``second`` (both in SD units), CI over replicates."""
    d = standardised(df, first, cond, step, ablation) - standardised(df, second, cond, step, ablation)
    return effect(d, SD, 1.0)


def effects_table(
    df: pd.DataFrame, conds: list[str], values: list[str], step: int, ablations: list[str]
) -> pd.DataFrame:
    """Every condition's effect on every outcome at ``step``, in the full model and under each ablation."""
    rows = []
    for a in [None, *ablations]:
        for cond in conds:
            if cond_name(cond, a) not in set(df["condition"]):
                continue
            for v in values:
                e = contrast(df, v, cond, step, a)
                rows.append(
                    dict(
                        model=a or "full",
                        condition=cond,
                        outcome=v,
                        n=e.n,
                        effect=e.estimate,
                        lo=e.lo,
                        hi=e.hi,
                        raw=e.raw,
                        ref_sd=e.ref_sd,
                    )
                )
    return pd.DataFrame(rows)


def gap_curves(df: pd.DataFrame, cond: str, ablations: list[str]) -> pd.DataFrame:
    """Efficacy gap (SD of the control at each step) of ``cond`` minus control, per domain and step."""
    rows = []
    for a in [None, *ablations]:
        for d in DOMAINS["names"]:
            for t in sorted(df["step"].unique()):
                e = contrast(df, f"efficacy[{d}]", cond, int(t), a)
                rows.append(dict(model=a or "full", domain=d, step=int(t), gap=e.estimate, lo=e.lo, hi=e.hi))
    return pd.DataFrame(rows)


def betas(panel: pd.DataFrame, outcome: str, predictors: list[str]) -> pd.DataFrame:
    """Standardised OLS weights of ``predictors`` on ``outcome`` within each study (one row per study)."""
    rows = []
    for study, g in panel.groupby("study", sort=True):
        z = (g - g.mean()) / g.std(ddof=1)
        x = z[predictors].to_numpy()
        coef = np.linalg.lstsq(x, z[outcome].to_numpy(), rcond=None)[0]
        r = {p: float(np.corrcoef(g[p], g[outcome])[0, 1]) for p in predictors}
        rows.append(
            dict(
                study=study,
                **{f"beta_{p}": c for p, c in zip(predictors, coef, strict=True)},
                **{f"r_{p}": r[p] for p in predictors},
            )
        )
    return pd.DataFrame(rows)


def measured_panel(states: dict[int, pd.DataFrame], wave1: int, wave2: int, params: dict, seed: int) -> pd.DataFrame:
    """Per learner: measured maths efficacy and self-esteem at wave 1, the maths test at wave 2, and the truths."""
    s1, s2 = measure.domain_states(states[wave1], A), measure.domain_states(states[wave2], A)
    eff = measure.self_report(s1, INSTRUMENTS, seed)
    est = measure.self_esteem_scale(s1, INSTRUMENTS, seed)
    test = measure.performance_test(s2.assign(wave=0), INSTRUMENTS, params, seed)
    out = eff.merge(est, on=list(measure.KEYS))[
        ["study", "agent", "efficacy_report", "efficacy_true_points", "self_esteem_report", "self_esteem_true_points"]
    ]
    return out.merge(test[["study", "agent", "test_score", "test_true_score"]], on=["study", "agent"])


def run_panel(z: dict, seed: int, ablation: str | None) -> tuple[pd.DataFrame, dict]:
    """Part 3: simulate the studies (each replicate is one study) and measure them at the two waves."""
    cond = panel_condition()
    if ablation is not None:
        cond = {**cond, "params": abl.get(ablation).overrides}
    states: dict[int, pd.DataFrame] = {}

    def grab(batch: Batch, t: int) -> None:
        if t in (z["wave1"], z["wave2"]):
            states[t] = measure.states_from_state(batch.state, t, domains=batch.domains)

    base = base_config(z["agents"], z["wave2"])
    simulate({CONTROL: cond}, base, z["reps"], seed, z["wave2"], at=set(), hook=grab)
    params = Config.from_dict({**base, **cond}).params
    return measured_panel(states, z["wave1"], z["wave2"], params, seed), params


def predictor_effects(panel: pd.DataFrame, scores: str) -> tuple[pd.DataFrame, Effect, Effect]:
    """Per-study weights, and the two claims' effects (efficacy minus self-esteem weight; self-esteem weight)."""
    e, s, y = (
        ("efficacy_report", "self_esteem_report", "test_score")
        if scores == "measured"
        else ("efficacy_true_points", "self_esteem_true_points", "test_true_score")
    )
    b = betas(panel[["study", e, s, y]], y, [e, s])
    b = b.rename(
        columns={
            f"beta_{e}": "beta_efficacy",
            f"beta_{s}": "beta_self_esteem",
            f"r_{e}": "r_efficacy",
            f"r_{s}": "r_self_esteem",
        }
    )
    return (
        b.assign(scores=scores),
        effect(b["beta_efficacy"] - b["beta_self_esteem"], SD, 1.0),
        effect(b["beta_self_esteem"], SD, 1.0),
    )


# ==== figures ===============================================================================================
def fig_mastery(tab: pd.DataFrame):
    fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharey=True)
    for ax, f in zip(axes, ("efficacy", "skill"), strict=True):
        for i, model in enumerate(sorted(tab["model"].unique(), key=lambda m: m != "full")):
            st = style(i)
            t = tab[(tab["model"] == model) & tab["outcome"].str.startswith(f + "[")]
            t = t.set_index("outcome").loc[[f"{f}[{d}]" for d in DOMAINS["names"]]]
            x = np.arange(3) + (i - 0.5) * 0.3
            ax.bar(x, t["effect"], 0.28, color=st["color"], label=model, alpha=0.8)
            ax.errorbar(x, t["effect"], yerr=[t["effect"] - t["lo"], t["hi"] - t["effect"]], fmt="none", ecolor="k")
        ax.set_xticks(np.arange(3), ["maths\n(trained)", "physics\n(related)", "art\n(unrelated)"])
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set_title(f"{f}: guided mastery minus plain practice")
    axes[0].set_ylabel("effect at the end of training (SD across learners)")
    axes[0].legend(fontsize=8)
    return fig


def fig_failure(curves: pd.DataFrame, shock: int):
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for i, d in enumerate(DOMAINS["names"]):
        for model, ls in (("full", "-"), ("no_transfer", "--")):
            r = curves[(curves["domain"] == d) & (curves["model"] == model)]
            if r.empty:
                continue
            col = style(i)["color"]
            ax.plot(r["step"], r["gap"], color=col, ls=ls, label=f"{d} ({model})")
            if model == "full":
                ax.fill_between(r["step"], r["lo"], r["hi"], color=col, alpha=0.15, lw=0)
    ax.axvline(shock, color="0.6", lw=0.8, ls=":")
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set(
        xlabel="step",
        ylabel="efficacy, failure minus control (SD across learners)",
        title=f"A severity-{SHOCK_SEVERITY:g} failure in maths at step {shock}, by domain",
    )
    ax.legend(fontsize=8, ncol=2)
    return fig


def fig_predictors(pred: pd.DataFrame):
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for i, scores in enumerate(("measured", "true")):
        g = pred[pred["scores"] == scores]
        for j, col in enumerate(("beta_efficacy", "beta_self_esteem")):
            v = g[col].to_numpy()
            m, se = v.mean(), v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
            ax.bar(
                j + (i - 0.5) * 0.35,
                m,
                0.33,
                color=style(i)["color"],
                alpha=0.8,
                label=f"{scores} scores" if j == 0 else None,
            )
            ax.errorbar(j + (i - 0.5) * 0.35, m, yerr=1.96 * se, fmt="none", ecolor="k")
    ax.set_xticks([0, 1], ["maths efficacy (wave 1)", "self-esteem (wave 1)"])
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set(ylabel="standardised weight on the wave-2 maths test", title="What predicts later maths performance")
    ax.legend(fontsize=8)
    return fig


def fig_praise(tab: pd.DataFrame):
    fig, ax = plt.subplots(figsize=(7.5, 4))
    outcomes = [
        ("self_esteem", "self-esteem"),
        ("efficacy[all]", "efficacy (mean of domains)"),
        ("skill[all]", "skill (mean of domains)"),
    ]
    full = tab[tab["model"] == "full"]
    for i, cond in enumerate(("praise", "trophies")):
        t = full[full["condition"] == cond].set_index("outcome").loc[[o for o, _ in outcomes]]
        x = np.arange(len(outcomes)) + (i - 0.5) * 0.35
        ax.bar(x, t["effect"], 0.33, color=style(i)["color"], alpha=0.8, label=cond)
        ax.errorbar(x, t["effect"], yerr=[t["effect"] - t["lo"], t["hi"] - t["effect"]], fmt="none", ecolor="k")
    ax.set_xticks(np.arange(len(outcomes)), [lab for _, lab in outcomes])
    ax.axhline(0, color="0.5", lw=0.8)
    ax.axhspan(-0.2, 0.2, color="0.9", zorder=0)
    ax.set(ylabel="effect at the end (SD across learners)", title="Generic praise and trophies, against no praise")
    ax.legend(fontsize=8)
    return fig


# ==== main ==================================================================================================
def main(argv=None) -> Path:
    args = parse_args("Experiment: domain-specific efficacy, generality, spill-over and self-esteem.", argv)
    out = results_dir(NAME, args)
    z = sizes(args.quick)
    seed = args.seed
    g = float(PARAM_BY_NAME["generality"].default)
    spill = list(abl.conditions(SPILL_ABLATIONS))

    # --- part 1: mastery in maths
    mc = with_ablations(mastery_conditions(z["train"]), SPILL_ABLATIONS)
    m_df = simulate(mc, base_config(z["agents"], z["train"]), z["reps"], seed, z["train"], at={z["train"]})
    T = z["train"]
    values = [f"{f}[{d}]" for f in ("efficacy", "skill") for d in DOMAINS["names"]]
    m_tab = effects_table(m_df, ["mastery"], values, T, spill)
    write_table(m_tab, out / "mastery_effects.csv", sort_by=["model", "condition", "outcome"])
    e_a = contrast(m_df, f"efficacy[{A}]", "mastery", T)
    sd_b = float(np.sqrt(np.mean(ref_sd(m_df, f"efficacy[{B}]", CONTROL, T) ** 2)))
    # physics is never practised: its efficacy moves only by generality x relatedness x the maths change
    analytic_b = g * R_AB * e_a.raw / sd_b
    sd_c = float(np.sqrt(np.mean(ref_sd(m_df, f"efficacy[{C}]", CONTROL, T) ** 2)))
    analytic_bc = analytic_b - g * R_AC * e_a.raw / sd_c

    def by_abl(fn) -> dict[str, Effect]:
        return {a: fn(a) for a in spill}

    f_m_a = finding(MASTERY_A, e_a, {})
    f_m_b = finding(
        replace(MASTERY_B, analytic=analytic_b),
        contrast(m_df, f"efficacy[{B}]", "mastery", T),
        by_abl(lambda a: contrast(m_df, f"efficacy[{B}]", "mastery", T, a)),
    )
    f_m_bc = finding(
        replace(MASTERY_B_OVER_C, analytic=analytic_bc),
        difference(m_df, f"efficacy[{B}]", f"efficacy[{C}]", "mastery", T),
        by_abl(lambda a: difference(m_df, f"efficacy[{B}]", f"efficacy[{C}]", "mastery", T, a)),
    )
    f_m_skill = finding(
        BELIEF_OVER_SKILL,
        difference(m_df, f"efficacy[{B}]", f"skill[{B}]", "mastery", T),
        by_abl(lambda a: difference(m_df, f"efficacy[{B}]", f"skill[{B}]", "mastery", T, a)),
    )

    # --- part 2: a severe failure in maths while the domains are practised in turn
    fc = with_ablations(failure_conditions(z["shock"]), SPILL_ABLATIONS)
    f_df = simulate(fc, base_config(z["agents"], z["practice"]), z["reps"], seed, z["practice"])
    now, end = z["shock"] + 1, z["practice"]
    e_fail_a = contrast(f_df, f"efficacy[{A}]", "failure", now)
    sd_b_now = float(np.sqrt(np.mean(ref_sd(f_df, f"efficacy[{B}]", CONTROL, now) ** 2)))
    f_fail_a = finding(FAIL_A, e_fail_a, {})
    f_spill_now = finding(
        replace(SPILL_NOW, analytic=g * R_AB * e_fail_a.raw / sd_b_now),
        contrast(f_df, f"efficacy[{B}]", "failure", now),
        by_abl(lambda a: contrast(f_df, f"efficacy[{B}]", "failure", now, a)),
    )
    f_spill_end = finding(
        SPILL_END,
        contrast(f_df, f"efficacy[{B}]", "failure", end),
        by_abl(lambda a: contrast(f_df, f"efficacy[{B}]", "failure", end, a)),
    )
    f_spill_less = finding(
        SPILL_LESS_UNRELATED,
        difference(f_df, f"efficacy[{C}]", f"efficacy[{B}]", "failure", end),
        by_abl(lambda a: difference(f_df, f"efficacy[{C}]", f"efficacy[{B}]", "failure", end, a)),
    )
    curves = gap_curves(f_df, "failure", spill)
    write_table(curves, out / "failure_gaps.csv", sort_by=["model", "domain", "step"])
    f_tab = pd.concat(
        [effects_table(f_df, ["failure"], values, t, spill).assign(step=t) for t in (now, end)], ignore_index=True
    )
    write_table(f_tab, out / "failure_effects.csv", sort_by=["model", "step", "outcome"])

    # --- part 3: self-esteem against domain efficacy as predictors (measured panel)
    panel, _ = run_panel(z, seed, None)
    pred_rows, pred_eff = [], {}
    for scores in ("measured", "true"):
        b, e_over, e_unique = predictor_effects(panel, scores)
        pred_rows.append(b)
        pred_eff[scores] = (e_over, e_unique)
    abl_pred: dict[str, tuple[Effect, Effect]] = {}
    for a in abl.conditions(PREDICT_ABLATIONS):
        p_a, _ = run_panel(z, seed, a)
        _, e_over_a, e_unique_a = predictor_effects(p_a, "measured")
        abl_pred[a] = (e_over_a, e_unique_a)
    pred = pd.concat(pred_rows, ignore_index=True)
    write_table(pred, out / "predictors.csv", sort_by=["scores", "study"])
    rel = dict(
        efficacy=measure.reliability(panel["efficacy_true_points"], panel["efficacy_report"]),
        self_esteem=measure.reliability(panel["self_esteem_true_points"], panel["self_esteem_report"]),
        test=measure.reliability(panel["test_true_score"], panel["test_score"]),
    )
    f_pred_over = finding(EFFICACY_OVER_ESTEEM, pred_eff["measured"][0], {a: v[0] for a, v in abl_pred.items()})
    f_pred_unique = finding(ESTEEM_UNIQUE, pred_eff["measured"][1], {a: v[1] for a, v in abl_pred.items()})

    # --- part 4: generic praise and trophies
    pc = with_ablations(praise_conditions(z["praise"]), (*PRAISE_ABLATIONS, *TROPHY_ABLATIONS))
    p_df = simulate(pc, base_config(z["agents"], z["praise"]), z["reps"], seed, z["praise"], at={z["praise"]})
    P = z["praise"]
    p_abl = list(abl.conditions((*PRAISE_ABLATIONS, *TROPHY_ABLATIONS)))
    p_tab = effects_table(
        p_df, ["praise", "trophies"], ["self_esteem", "efficacy[all]", "skill[all]", *values], P, p_abl
    )
    write_table(p_tab, out / "praise_effects.csv", sort_by=["model", "condition", "outcome"])

    def abl_of(names: tuple[str, ...], fn) -> dict[str, Effect]:
        return {a: fn(a) for a in abl.conditions(names)}

    found_praise = []
    for cond, c_se, c_eff, c_gap, names in (
        ("praise", PRAISE_SE, PRAISE_EFF, PRAISE_GAP, PRAISE_ABLATIONS),
        ("trophies", TROPHY_SE, TROPHY_EFF, TROPHY_GAP, TROPHY_ABLATIONS),
    ):
        f_se = finding(c_se, contrast(p_df, "self_esteem", cond, P), {})
        f_eff = finding(
            c_eff,
            contrast(p_df, "efficacy[all]", cond, P),
            abl_of(names, lambda a, cond=cond: contrast(p_df, "efficacy[all]", cond, P, a)),
        )
        f_gap = finding(
            c_gap,
            difference(p_df, "self_esteem", "efficacy[all]", cond, P),
            abl_of(names, lambda a, cond=cond: difference(p_df, "self_esteem", "efficacy[all]", cond, P, a)),
        )
        found_praise.append((cond, f_se, f_eff, f_gap))

    # --- figures
    figs = [
        save_figure(
            fig_mastery(m_tab),
            out,
            "mastery_spread",
            f"Effect of {T} steps of guided mastery in maths (a mastery ladder) against plain maths practice on "
            "efficacy (left) and skill (right) in maths, related physics and unrelated art, at the end of training "
            f"(SD across learners of the plain-practice runs, 95% CI over {z['reps']} replications); left bar of each "
            "pair: the full model, right bar: generality and skill transfer switched off (no_transfer). Only maths "
            "was practised.",
        ),
        save_figure(
            fig_failure(curves, z["shock"]),
            out,
            "failure_spillover",
            f"Efficacy gap between runs with a severity-{SHOCK_SEVERITY:g} failure in maths at step {z['shock']} and "
            "runs without it, per domain, while maths, physics and art are practised in turn (SD across learners of "
            "the control at each step; band: 95% CI of the full model; dashed: no_transfer).",
        ),
        save_figure(
            fig_predictors(pred),
            out,
            "predictors",
            f"Standardised weights of maths efficacy and self-esteem, both measured at step {z['wave1']}, in one "
            f"regression of the maths test at step {z['wave2']}, per study (mean and 95% interval over "
            f"{z['reps']} studies of {z['agents']} learners); measured scores (scales and test with their "
            "reliabilities) and the hidden true scores.",
        ),
        save_figure(
            fig_praise(p_tab),
            out,
            "praise_and_trophies",
            f"Effect of generic ability praise and of trophies (handed successes), each to every learner at "
            f"intensity 0.5 from step 3, on self-esteem, efficacy and skill (each learner's mean over the three "
            f"domains) at step {P} (SD across learners of the control, 95% CI; grey band: inside the smallest "
            "effect of interest, 0.2 SD).",
        ),
    ]

    # --- findings and summary
    # the question is the declared gap (self-esteem raised, and more than domain efficacy); whether
    # efficacy moves at all is its own claim beside it, so a negligible efficacy effect does not read
    # as "no" to the question it is part of the answer to
    praise_q = [
        x
        for cond, f_se, f_eff, f_gap in found_praise
        for x in (
            Question(
                f"{cond}_esteem_vs_efficacy",
                {
                    "praise": "Generic praise raises self-esteem, and more than it raises domain efficacy",
                    "trophies": "Trophies raise self-esteem, and more than they raise domain efficacy",
                }[cond],
                [f_se, f_gap],
            ),
            f_eff,
        )
    ]
    findings = [
        Question("mastery_generality", "Mastery in one domain and its generality", [f_m_a, f_m_b, f_m_bc]),
        f_m_skill,
        Question("failure_spillover", "A severe failure in one domain and its spill-over", [f_fail_a, f_spill_now]),
        f_spill_end,
        f_spill_less,
        f_pred_over,
        f_pred_unique,
        *praise_q,
    ]
    missing = unavailable((*SPILL_ABLATIONS, *PRAISE_ABLATIONS, *TROPHY_ABLATIONS, *PREDICT_ABLATIONS))
    plain = PlainSummary(
        question="Is a learner's belief in their ability specific to a subject? Does success or a severe failure in "
        "one subject carry over to a related one and to an unrelated one, and does general self-esteem, or "
        "praise that raises it, predict or build later performance the way subject-specific belief does?",
        answer=_answer(
            f_m_b, f_m_bc, f_spill_now, f_spill_end, f_spill_less, f_pred_over, f_pred_unique, found_praise, findings
        ),
        how_sure=f"{z['reps']} paired replications of {z['agents']} learners per condition (studies in the panel); "
        "every effect with a 95% bootstrap interval over replications, judged against a smallest effect of interest "
        f"of 0.2 SD across learners ({BETA_SESOI} for regression weights).",
        meaning=_meaning(f_pred_over, found_praise),
        rests_on="Efficacy held per subject and spreading to other subjects in proportion to their relatedness "
        "(generality), a much smaller transfer of skill, and a slow global self-esteem that follows outcomes and "
        "praise but never enters performance; the sizes of generality, transfer and the self-esteem rates are "
        "assumptions.",
    )
    sections = [
        (
            "Design",
            f"Domains {', '.join(DOMAINS['names'])}; relatedness maths-physics {R_AB}, maths-art and physics-art "
            f"{R_AC}; default generality {g:g} and skill transfer {PARAM_BY_NAME['skill_transfer'].default:g}. "
            f"Part 1: {T} steps of maths only, constant difficulty {PRACTICE_LEVEL} (control) or with a mastery "
            f"ladder for everyone (mastery). Part 2: {z['practice']} steps, maths, physics and art in turn at "
            f"difficulty 3.0, with or without a severity-{SHOCK_SEVERITY:g} failure in maths at step {z['shock']}. "
            f"Part 3: {z['reps']} studies of {z['agents']} learners practising the three domains in turn at varied "
            f"difficulty (random, centre {PRACTICE_LEVEL}) with occasional generic praise (intensity 0.2); at step "
            f"{z['wave1']} a five-item maths self-efficacy scale (reliability .8) and a ten-item self-esteem scale "
            f"(.88), at step {z['wave2']} a 20-item maths test. Part 4: {P} steps in turn at difficulty "
            f"{PRACTICE_LEVEL}; generic praise or handed successes to everyone (intensity 0.5 from step 3). "
            "Ablations: no_transfer for the spill-over claims, no_persuasion for praise, no_mastery for trophies, "
            "no_self_esteem (self-esteem frozen at its starting level) for the predictors"
            + (f" (not declared by this model: {', '.join(missing)})" if missing else "")
            + ". Effects: mean paired difference over the SD across learners in the control run (pooled over "
            "replications); differences of two effects are computed per replicate.",
        ),
        (
            "Mechanism checks against the rule",
            f"Physics is never practised in part 1, so its efficacy moves only by generality x relatedness x the "
            f"maths change: the rule predicts {fmt(analytic_b)} SD, the run gives {f_m_b.effect.text()}. One step "
            f"after the failure the rule predicts {fmt(f_spill_now.claim.analytic)} SD in physics; the run gives "
            f"{f_spill_now.effect.text()}.",
        ),
        (
            "Measurement",
            f"Reliability in the panel (all studies pooled): maths self-efficacy {rel['efficacy']:.2f}, self-esteem "
            f"{rel['self_esteem']:.2f}, maths test {rel['test']:.2f}. Zero-order correlations with the later test "
            "(measured scores, mean over studies): maths efficacy "
            f"{pred[pred['scores'] == 'measured']['r_efficacy'].mean():.2f}, self-esteem "
            f"{pred[pred['scores'] == 'measured']['r_self_esteem'].mean():.2f}. Weights per study: `predictors.csv`.",
        ),
        (
            "Tables",
            "`mastery_effects.csv` (part 1), `failure_effects.csv` and `failure_gaps.csv` (part 2), `predictors.csv` "
            "(part 3), `praise_effects.csv` (part 4; also per domain); every table has the full model and its "
            "ablations. `findings.csv`: every claim and ablation.",
        ),
    ]
    prov = provenance(None, seed=seed, replications=z["reps"], agents=z["agents"], quick=args.quick)
    write_summary(out, "Domain-specific efficacy and self-esteem", plain, findings, sections, figs, prov)
    return out


def _answer(f_m_b, f_m_bc, f_spill_now, f_spill_end, f_spill_less, f_pred_over, f_pred_unique, praise, findings):
    """The plain answer, worded from the verdicts."""
    parts = [
        f"Success in maths raises belief in related physics ({f_m_b.effect.text()}, {f_m_b.verdict}), more than in "
        f"unrelated art ({f_m_bc.verdict}).",
        f"A severe failure in maths lowers belief in physics at once ({f_spill_now.verdict}); at the end of the run "
        f"the physics gap is {fmt(f_spill_end.effect.estimate)} SD ({f_spill_end.verdict}), and art has lost less "
        f"than physics ({f_spill_less.verdict}).",
        f"Measured maths belief predicts a later maths test better than measured self-esteem "
        f"({f_pred_over.effect.text()}, {f_pred_over.verdict}); self-esteem's own weight beside it is "
        f"{fmt(f_pred_unique.effect.estimate)} ({f_pred_unique.verdict}).",
    ]
    for cond, f_se, f_eff, f_gap in praise:
        who = {"praise": "Generic praise raises", "trophies": "Trophies (handed successes) raise"}[cond]
        parts.append(
            f"{who} self-esteem by {fmt(f_se.effect.estimate)} SD ({f_se.verdict}) and domain "
            f"belief by {fmt(f_eff.effect.estimate)} SD ({f_eff.verdict}); the first exceeds the second "
            f"({f_gap.verdict})."
        )
    return " ".join(parts) + " " + ablation_summary(findings)


def _meaning(f_pred_over, praise) -> str:
    """What the verdicts would mean for a teacher or coach, if the model is right."""
    first = (
        "belief about a subject, built from success in that subject, is what goes with later results in it, not a "
        "general sense of worth"
        if f_pred_over.verdict == "shown"
        else "these runs do not separate subject belief from general self-esteem as predictors of later results"
    )
    gaps = [cond for cond, _, _, f_gap in praise if f_gap.verdict == "shown"]
    second = (
        f" {' and '.join({'praise': 'generic praise', 'trophies': 'trophies'}[c] for c in gaps).capitalize()} "
        f"{'lift' if len(gaps) > 1 else 'lifts'} how learners feel about themselves more than their belief that "
        "they can do the work."
        if gaps
        else " Praise and trophies do not lift self-esteem clearly more than subject belief here."
    )
    return f"If the model is right, {first}.{second}"


if __name__ == "__main__":
    main()
