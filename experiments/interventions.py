"""Experiment: which intervention strategy builds self-efficacy, which builds real skill, for whom, at what cost?

Every shipped strategy (``sim/scenarios/strategies/builtin.toml``) runs against a control on common random
numbers: the same learners, network and draws in every condition, so each paired difference isolates the
strategy. Strategies act during the main window (10%-60% of the run); a later test follows at 80% (a harder
schedule phase plus a severe failure), after every strategy ended, so it shows how the efficacy each strategy
built holds up when real difficulty arrives. Some strategies are also given early or late, to everyone or
only to learners below an efficacy threshold. Emergent claims are re-run with the responsible mechanism
switched off (ablations; run only when this version of the model declares the switch).

Reads top to bottom as: design, claims (declared before any run), analysis, findings, figures, summary.
Run ``python experiments/interventions.py [--quick]``; writes ``results/interventions/``. The same
comparison (without the claims) is ``efficacy-sim compare``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim import comparison as C
from sim.analysis import (
    PP,
    SD,
    Claim,
    Finding,
    PlainSummary,
    Question,
    fmt,
    write_summary,
)
from sim.analysis import ablations as A
from sim.analysis.findings import SHOWN
from sim.analysis.script import parse_args, provenance, results_dir, run
from sim.config import Config
from sim.params import PARAM_BY_NAME
from sim.strategies import CONTROL, load_library

NAME = "interventions"

# ---------------------------------------------------------------------------------------------------------
# Design
# ---------------------------------------------------------------------------------------------------------
THRESHOLD = 3.0
"""Efficacy cut-off of the targeted ('below') variants: the default initial efficacy mean (sim.params)."""
SINGLE_DEFAULT = (
    "mastery_ladder",
    "adaptive_stretch",
    "trophy",
    "peer_modelling",
    "expert_modelling",
    "specific_persuasion",
    "generic_praise",
    "arousal_reappraisal",
)
"""Single-source strategies at the hooks' default constants (the 'who benefits' claim)."""


def sizes(quick: bool) -> dict[str, Any]:
    """Run sizes: quick (tests, well under a minute) and full (committed results)."""
    if quick:
        return dict(agents=100, steps=100, reps=5, variants=("peer_modelling", "stretch_ladder"))
    return dict(agents=200, steps=100, reps=20, variants=("peer_modelling", "stretch_ladder", "trophy"))


# ---------------------------------------------------------------------------------------------------------
# Claims, declared before the run (scale: SD across learners in control; pp for shares)
# ---------------------------------------------------------------------------------------------------------
_HANDED_RULE = (
    "the handed-success rule: a failed attempt reported as a success counts as mastery evidence at weight "
    "`handed_discount`, while skill grows only from what attempts really teach"
)
TROPHY_CALIBRATION = Claim(
    "trophy_calibration",
    "Handed success raises efficacy above what skill backs",
    "calibration (efficacy - skill) before the test, `calibration_pre`, trophy - control",
    +1,
    "assumption",
    _HANDED_RULE,
    SD,
)
TROPHY_OVERCONFIDENT = Claim(
    "trophy_overconfident",
    "Handed success makes more learners overconfident",
    "share of learners with efficacy more than 1 level above skill before the test, `overconfident_pre`",
    +1,
    "assumption",
    _HANDED_RULE,
    PP,
)
TROPHY_DROP = Claim(
    "trophy_drop",
    "Belief built on handed success falls more when real difficulty arrives",
    "efficacy drop in the later test, `efficacy_drop` (SD of efficacy across learners), trophy - control",
    +1,
    "emergent",
    "inflated belief meeting real failures in the test: mastery updating from one's own outcomes, weighted by "
    "belief strength",
    SD,
    ablations=("no_mastery", "no_strength"),
)
SPECIFIC_VS_PRAISE = Claim(
    "specific_vs_praise",
    "Specific, credible feedback builds more efficacy than generic praise",
    "efficacy before the test, `efficacy_pre`, specific_persuasion - generic_praise",
    +1,
    "assumption",
    "the persuasion rules: specific feedback claims skill + `persuasion_margin`, generic praise claims efficacy + "
    "`praise_inflation`; both weighted by credibility, which contradicting failures erode",
    SD,
)
REAL_MODELS = A.get("no_vicarious").available
"""True when the model has real watched models (the vicarious switch is declared); read before any run."""
PEER_VS_EXPERT = Claim(
    "peer_vs_expert",
    "Peer models one stage ahead build more efficacy than expert models",
    "efficacy before the test, `efficacy_pre`, peer_modelling - expert_modelling",
    +1,
    "emergent",
    "vicarious learning from the models a learner watches (how similar they are, what they succeed at)"
    + (
        ""
        if REAL_MODELS
        else "; in this version the two hooks are still fixed terms set by the similarity rule (`stage_ahead`, "
        "`similarity_width`), so the difference is close to built in until real watched models replace them"
    ),
    SD,
    ablations=("no_vicarious", "no_observational_learning"),
)
EFFORT_VS_ABILITY = Claim(
    "effort_vs_ability_praise",
    "Praising effort rather than ability keeps efficacy up when a later test brings failure",
    "efficacy drop in the later test, `efficacy_drop` (SD of efficacy across learners), effort_praise - "
    "generic_praise (ability praise); predicted lower",
    -1,
    "emergent",
    "the praise-focus rule (ability praise makes a later failure read as lack of ability, effort praise as lack of "
    "effort) interacting with mastery updating when the test brings failures",
    SD,
    ablations=("no_praise_focus",),
)
_SOURCE_WEIGHTS = (
    "the gain constants of each source (learning rates of mastery evidence and of skill practice, vicarious and "
    "persuasion weights, arousal reappraisal), all set before any run"
)
MASTERY_FIRST = tuple(
    Claim(
        f"mastery_vs_{other}",
        f"A mastery ladder builds more efficacy than {label}",
        f"efficacy before the test, mastery_ladder - {other}",
        +1,
        "assumption",
        _SOURCE_WEIGHTS,
        SD,
    )
    for other, label in (
        ("peer_modelling", "a peer model"),
        ("specific_persuasion", "specific feedback"),
        ("arousal_reappraisal", "arousal reappraisal"),
    )
)
MASTERY_SKILL = tuple(
    Claim(
        f"{s}_skill",
        f"`{s}` raises skill",
        f"skill before the test, `skill_pre`, {s} - control",
        +1,
        "assumption",
        "the skill practice rule: practice gains most at tasks in the desirable-difficulty window "
        "(`stretch_opt`, `stretch_width`)",
        SD,
    )
    for s in ("mastery_ladder", "adaptive_stretch")
)
LOW_BENEFIT = tuple(
    Claim(
        f"{s}_low_benefit",
        f"Learners who start low gain more from `{s}` than those who start high",
        "efficacy gain before the test, low tercile of initial efficacy minus high tercile",
        +1,
        "emergent",
        "room to grow: in control, learners who start low avoid tasks and disengage, so help that keeps them "
        "attempting pays most there (avoidance rule plus mastery updating)",
        SD,
        ablations=("no_avoidance",),
    )
    for s in SINGLE_DEFAULT
)
ABLATION_RUNS: dict[str, tuple[str, ...]] = {
    "no_vicarious": ("peer_modelling", "expert_modelling"),
    "no_observational_learning": ("peer_modelling", "expert_modelling"),
    "no_mastery": (CONTROL, "trophy"),
    "no_strength": (CONTROL, "trophy"),
    "no_avoidance": (CONTROL, *SINGLE_DEFAULT),
    "no_praise_focus": ("effort_praise", "generic_praise"),
}
"""Which conditions each ablation re-runs (only ablations whose switches the model declares are run)."""


# ---------------------------------------------------------------------------------------------------------
# Findings (the analysis itself is sim.comparison: pure functions returning tidy frames)
# ---------------------------------------------------------------------------------------------------------
def _ablated(cmp: C.Comparison, claim: Claim, measure) -> dict:
    """``{ablation: effect}`` for the claim's ablations that were run (``measure(ablation) -> Effect``)."""
    ran = cmp.design.ablations
    return {a: measure(a) for a in claim.ablations if a in ran}


def _partial(claim: Claim, ablated: dict) -> dict:
    # Finding needs every declared ablation or none: a model declaring only some switches reports none
    return ablated if set(ablated) == set(claim.ablations) else {}


def findings(cmp: C.Comparison) -> list[Question]:
    """Every claim decided by the one verdict rule, with its ablations side by side."""
    L = C.ablated_label
    out: list[Question] = []

    def vs(cond: str, value: str, abl: str | None = None):
        if abl is None:
            return cmp.versus_control(cond, value)
        return cmp.versus_control(L(cond, abl), value, control=L(CONTROL, abl))

    if cmp.has("trophy"):
        parts = [
            Finding(TROPHY_CALIBRATION, vs("trophy", "calibration_pre")),
            Finding(TROPHY_OVERCONFIDENT, vs("trophy", "overconfident_pre")),
        ]
        abl = _ablated(cmp, TROPHY_DROP, lambda a: vs("trophy", "efficacy_drop", a))
        parts.append(Finding(TROPHY_DROP, vs("trophy", "efficacy_drop"), ablated=_partial(TROPHY_DROP, abl)))
        out.append(
            Question(
                "handed_success",
                "Handed success ('everyone gets a trophy') builds efficacy not backed by skill, which falls more in "
                "a later test",
                parts,
            )
        )
    if cmp.has("specific_persuasion", "generic_praise"):
        e = cmp.contrast("specific_persuasion", "generic_praise", "efficacy_pre")
        out.append(Question(SPECIFIC_VS_PRAISE.id, SPECIFIC_VS_PRAISE.statement, [Finding(SPECIFIC_VS_PRAISE, e)]))
    if cmp.has("peer_modelling", "expert_modelling"):
        e = cmp.contrast("peer_modelling", "expert_modelling", "efficacy_pre")
        abl = _ablated(
            cmp,
            PEER_VS_EXPERT,
            lambda a: cmp.contrast(L("peer_modelling", a), L("expert_modelling", a), "efficacy_pre"),
        )
        f = Finding(PEER_VS_EXPERT, e, ablated=_partial(PEER_VS_EXPERT, abl))
        out.append(Question(PEER_VS_EXPERT.id, PEER_VS_EXPERT.statement, [f]))
    if cmp.has("effort_praise", "generic_praise"):
        e = cmp.contrast("effort_praise", "generic_praise", "efficacy_drop")
        abl = _ablated(
            cmp,
            EFFORT_VS_ABILITY,
            lambda a: cmp.contrast(L("effort_praise", a), L("generic_praise", a), "efficacy_drop"),
        )
        f = Finding(EFFORT_VS_ABILITY, e, ablated=_partial(EFFORT_VS_ABILITY, abl))
        out.append(Question(EFFORT_VS_ABILITY.id, EFFORT_VS_ABILITY.statement, [f]))
    parts = [
        Finding(c, cmp.contrast("mastery_ladder", c.id.removeprefix("mastery_vs_"), "efficacy_pre"))
        for c in MASTERY_FIRST
        if cmp.has("mastery_ladder", c.id.removeprefix("mastery_vs_"))
    ]
    if parts:
        out.append(Question("mastery_first", "Mastery experience is the strongest source of efficacy", parts))
    parts = [Finding(c, vs(c.id.removesuffix("_skill"), "skill_pre")) for c in MASTERY_SKILL if cmp.has(c.id[:-6])]
    if parts:
        out.append(Question("mastery_skill", "Mastery strategies build real skill", parts))
    parts = []
    for c in LOW_BENEFIT:
        s = c.id.removesuffix("_low_benefit")
        if not cmp.has(s):
            continue
        abl = _ablated(cmp, c, lambda a, s=s: cmp.tercile_gap(L(s, a), control=L(CONTROL, a)))
        parts.append(Finding(c, cmp.tercile_gap(s), ablated=_partial(c, abl)))
    if parts:
        out.append(
            Question("low_benefit", "Learners who start with low efficacy benefit most, whatever the strategy", parts)
        )
    return out


def ablation_status(qs: list[Question], design: C.Design) -> str:
    """Which declared ablations ran and what they did to each claim; which could not run (switch not declared)."""
    found = [f for q in qs for f in q.parts]
    names = sorted({a for f in found for a in f.claim.ablations})
    lines = []
    for n in names:
        ab = A.get(n)
        users = [f for f in found if n in f.claim.ablations]
        if n in design.ablations:
            runs = ", ".join(f"`{x}`" for x in design.ablations[n])
            res = [f"`{f.claim.id}` {f.ablation_outcomes()[n]}" for f in users if n in f.ablated]
            state = f"run (conditions {runs} with {', '.join(ab.switches)} = 0); the effect: " + (
                "; ".join(res) or "not measured"
            )
        else:
            ids = ", ".join(f"`{f.claim.id}`" for f in users)
            switches = ", ".join(f"`{s}`" for s in ab.switches)
            state = f"**not run** for {ids}: this version of the model does not declare {switches}"
        lines.append(f"- `{n}` ({ab.label}): {state}.")
    return (
        "Each emergent claim is re-measured with the mechanism it rests on switched off. 'vanishes': not negligible with the "
        "mechanism, negligible or reversed without it; 'shrinks': at most half as large; 'persists': neither, so the claim does not rest "
        "on that mechanism alone.\n\n" + "\n".join(lines)
    )


def plain_summary(cmp: C.Comparison, qs: list[Question], reps: int) -> PlainSummary:
    """The opening paragraph, written from the results."""
    t = cmp.table
    skill = [s for s in t["strategy"] if t.set_index("strategy").at[s, "profile"] == C.PROFILE_SKILL]
    belief = [s for s in t["strategy"] if t.set_index("strategy").at[s, "profile"] == C.PROFILE_BELIEF]
    verdicts = {q.id: q.verdict for q in qs}
    n_shown = sum(v == SHOWN for v in verdicts.values())
    top = t.iloc[0]
    return PlainSummary(
        question=(
            "Which ways of helping learners build their self-efficacy (their belief that they can do the task), "
            "which of them also build real skill, who gains most, and what does each cost?"
        ),
        answer=(
            f"Strategies whose gain in skill is shown: {', '.join(f'`{s}`' for s in skill) or 'none'}. Strategies "
            f"that raise efficacy above skill without a shown skill gain, so learners end up more confident than "
            f"able: {', '.join(f'`{s}`' for s in belief) or 'none'}. The largest efficacy gain before the later test "
            f"comes from `{top['strategy']}` ({fmt(top['efficacy_pre'])} SD). {n_shown} of {len(qs)} tested claims "
            "are shown; the others are negligible, opposite or inconclusive (see Findings)."
        ),
        how_sure=(
            f"{reps} replications per strategy on common random numbers; every effect is a paired difference from "
            "control with a 95% bootstrap interval, judged against a smallest effect of interest of 0.2 SD across "
            "learners (5 percentage points for shares). Intervals are narrow because the runs are paired; they say "
            "how precisely the model's answer is known, not whether the model is right."
        ),
        meaning=(
            "If the model is right, a strategy's efficacy gain alone says little: look at whether skill rises with "
            "it. Gains that come with skill (the first group above) are backed; gains without skill leave learners "
            "overconfident, and the Findings show how much of that belief survives a later, harder test."
        ),
        rests_on=(
            "The rules for the four sources of efficacy (mastery, watching others, persuasion, arousal), the skill "
            "practice rule (desirable difficulty) and the avoidance rule; most comparisons follow from constants "
            "set before any run (labelled 'assumption' below). Strategies are given at full intensity every step "
            "for half the run, far more than field interventions."
        ),
    )


def successes_section(cmp: C.Comparison) -> str:
    """Handed successes shown apart from earned ones, for every strategy that hands any."""
    t = cmp.table
    rows = t[t["handed_successes"] > 0]
    ctrl = float(cmp.successes["earned_control"].iloc[0]) if len(cmp.successes) else float("nan")
    lines = [
        f"Successes per learner over the whole run (control: {ctrl:.1f} earned, none handed). A handed success is a "
        "failed attempt reported as a success: it counts as mastery evidence (at weight "
        "`handed_discount`) but teaches only what the failed attempt taught.",
        "",
        "| strategy | handed successes per learner | earned successes: strategy - control |",
        "|---|---|---|",
    ]
    for r in rows.to_dict("records"):
        lines.append(
            f"| `{r['strategy']}` | {r['handed_successes']:.1f} [{r['handed_successes_lo']:.1f}, "
            f"{r['handed_successes_hi']:.1f}]"
            f" | {C.ci_text(r['earned_successes'], r['earned_successes_lo'], r['earned_successes_hi'], 1)} |"
        )
    if not len(rows):
        lines.append("| (no strategy handed any success) | | |")
    return "\n".join(lines)


def design_section(design: C.Design, sz: dict, lib) -> str:
    n_cond = len(design.conditions())
    gap = PARAM_BY_NAME.get("expert_gap")
    expert = f" (`expert_gap` = {gap.default:g} levels)" if gap is not None else ""
    return (
        f"{len(design.strategies)} strategies, {len(design.variant_conditions())} timing/targeting variants and "
        f"{len(design.ablated_conditions())} ablated runs against a control ({n_cond} conditions); {sz['reps']} "
        f"replications of {design.base.agents} learners x {design.base.steps} steps each, on common random numbers "
        f"(replicate r of every condition has the same learners, network and draws). Strategies act in steps "
        f"[{design.start}, {design.end}); the later test (difficulty {design.test_level:g} from step "
        f"{design.test_step} plus a severe failure of severity {design.shock_severity:g}) comes after every strategy "
        f"ended. 'Before the test' = step {design.pre_step}; the drop is measured over steps {design.pre_step}-"
        f"{design.post_step}. The expert model performs far above the learner{expert}.\n\n"
        + "\n".join(f"- `{n}`: {s.description}" for n, s in lib.items())
        + "\n\nOutcomes and their units:\n\n"
        + C.outcome_legend()
    )


def context_section(cmp: C.Comparison) -> str:
    """The size of the simulated effects next to field effect sizes (context, not a finding)."""
    t = cmp.table
    big = t.loc[t["efficacy_pre"].abs() > 0.4, "strategy"]
    return (
        "Field interventions on self-efficacy report standardised effects of roughly 0.1-0.4 (e.g. Ashford et al. "
        "2010: about 0.16 for feedback and persuasion). Efficacy gains above 0.4 SD here: "
        + (", ".join(f"`{s}`" for s in big) or "none")
        + ". Every strategy is given at full intensity every step for half the run, far more than a field "
        "intervention, so large simulated effects say more about the dose and the gain constants than about the "
        "world. This is context, not a claim: no verdict is drawn from it."
    )


LIMITATIONS = (
    "- Doses are extreme (every step, full intensity, half the run); real interventions are shorter and weaker.\n"
    "- Most comparisons are assumptions: the ranking of sources follows from gain constants chosen before any run; "
    "the simulation shows their consequences, not their truth.\n"
    + (
        "- Peer and expert models are watched models whose similarity to the learner is a rule of the model; the "
        "ablations show how much of their difference rests on watching.\n"
        if REAL_MODELS
        else "- Peer and expert modelling are fixed terms of the similarity rule in this version (no real watched "
        "models), so their difference is close to built in; its ablations run once the model declares the switches.\n"
    )
    + "- The later test is one design (a harder phase plus one severe failure); other tests may rank strategies "
    "differently.\n"
    "- Narrow intervals come from pairing on common random numbers: they measure simulation precision, not "
    "uncertainty about the world."
)


# ---------------------------------------------------------------------------------------------------------
# Run
# ---------------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> Path:
    args = parse_args("Compare intervention strategies against a control (common random numbers).", argv)
    out = results_dir(NAME, args)
    sz = sizes(args.quick)
    lib = load_library()
    base = Config.default(agents=sz["agents"], steps=sz["steps"])
    design = C.make_design(lib, None, base, variant_names=sz["variants"], threshold=THRESHOLD, ablations=ABLATION_RUNS)
    res = run(C.experiment(design, sz["reps"], args.seed, NAME), out / "data", args)
    cmp = C.analyse(res, design)

    qs = findings(cmp)
    C.write_tables(cmp, out)
    figures = C.write_figures(cmp, res, out)
    main_conds = list(cmp.table["strategy"])
    sections = [
        ("Design", design_section(design, sz, lib)),
        (
            "Every strategy against control",
            C.markdown_table(cmp.table) + "\n\n" + C.TABLE_NOTE + "\n\nFull table: [table.csv](table.csv); long "
            "table with the paired test statistic d_z (not an effect size): [effects.csv](effects.csv).",
        ),
        ("Handed and earned successes", successes_section(cmp)),
        (
            "Who gains: efficacy gain by tercile of initial efficacy",
            C.tercile_markdown(cmp.terciles, main_conds)
            + "\n\nSD across all learners in control, so the terciles share the table's scale. Full table: "
            "[terciles.csv](terciles.csv).",
        ),
        (
            "Timing and targeting",
            "Each strategy given in the first ('early') or second ('late') half of the main window, to everyone or "
            f"only to learners whose efficacy is below {THRESHOLD:g} when it starts (schedule strategies reach "
            "everyone, so they have no targeted variant). Effects and cost are averaged over all learners.\n\n"
            + C.timing_markdown(cmp.timing)
            + "\n\nFull table: [timing.csv](timing.csv).",
        ),
        ("Ablations", ablation_status(qs, design)),
        ("Effect sizes compared with the field", context_section(cmp)),
        ("Limitations", LIMITATIONS),
    ]
    prov = provenance(
        res,
        **{
            "base config hash": design.test_base().digest(),
            "replications": sz["reps"],
            "mode": "quick" if args.quick else "full",
            "command": "python experiments/interventions.py" + (" --quick" if args.quick else ""),
        },
    )
    write_summary(
        out, "Comparing intervention strategies", plain_summary(cmp, qs, sz["reps"]), qs, sections, figures, prov
    )
    return out


if __name__ == "__main__":
    main()
