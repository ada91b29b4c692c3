"""Experiment: which intervention strategy builds self-efficacy best, for whom, and at what cost? (issue 5)

Every shipped strategy (``sim/scenarios/strategies/builtin.toml``) runs against a control on common random
numbers: the same learners, network and draws in every condition, so each paired difference isolates the
strategy. Strategies run during the main window (10%-60% of the run); a test follows at 80% (a harder schedule
phase plus a severe failure), well after every strategy ended, so it shows how the efficacy each strategy built
holds up when real difficulty arrives. A second design gives some strategies early or late (first or second half
of the window), to everyone or only to agents whose efficacy is below a threshold when they start.

Run ``python experiments/interventions.py [--quick]``; writes ``results/interventions/`` (tables, figures,
``summary.md``). The same comparison is available as ``efficacy-sim compare``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

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
from sim import comparison as C  # noqa: E402
from sim.config import Config  # noqa: E402
from sim.params import PARAM_BY_NAME  # noqa: E402
from sim.strategies import load_library  # noqa: E402

NAME = "interventions"
FIELD_D = (0.1, 0.4)
"""Range of field effect sizes of interventions on self-efficacy (ANCHORS.md, "Effect sizes to keep in mind")."""
THRESHOLD = 3.0
"""Efficacy cut-off of the targeted ('below') variants: the default initial efficacy mean (sim.params)."""


def sizes(quick: bool) -> dict:
    """Run sizes for the quick and full versions."""
    if quick:
        return dict(agents=100, steps=100, reps=5, variants=("peer_modelling", "stretch_ladder"))
    return dict(
        agents=300,
        steps=100,
        reps=40,
        variants=("peer_modelling", "specific_persuasion", "stretch_ladder", "adaptive_stretch", "trophy"),
    )


def _e(cmp: C.Comparison, cond: str, value: str) -> dict:
    e = cmp.effects[(cmp.effects["condition"] == cond) & (cmp.effects["outcome"] == value)]
    return e.iloc[0].to_dict()


def _line(label: str, e: dict, unit: str = "levels", d: bool = True) -> str:
    s = effect_line(label, e["diff"], e["lo"], e["hi"], unit)
    return s + (f", d = {e['d']:+.2f}" if d and np.isfinite(e["d"]) else "")


def _excludes_zero(e: dict, sign: int = 1) -> bool:
    return bool(e["lo"] > 0) if sign > 0 else bool(e["hi"] < 0)


def findings(cmp: C.Comparison, lib) -> list[tuple[str, str]]:
    """Plain-language findings, each computed from the tables (no expected result is assumed)."""
    names = set(cmp.table["strategy"])
    out: list[tuple[str, str]] = []

    # 1. Handed success: efficacy not backed by skill, and how it holds up in the test
    if "trophy" in names:
        cal = _e(cmp, "trophy", "calibration_pre")
        over = _e(cmp, "trophy", "overconfident_pre")
        drop = _e(cmp, "trophy", "efficacy_drop")
        skill = _e(cmp, "trophy", "skill_final")
        fin = _e(cmp, "trophy", "efficacy_final")
        pre = _e(cmp, "trophy", "efficacy_pre")
        appeared = _excludes_zero(cal) and _excludes_zero(over) and _excludes_zero(drop)
        body = [
            verdict(
                "Handed success builds efficacy not backed by skill, which falls more when real difficulty arrives",
                appeared,
                f"{strength_word(cal['d'])} on calibration (d = {cal['d']:+.2f})",
            ),
            "",
            "- " + _line("efficacy before the test", pre),
            "- " + _line("calibration (efficacy - skill) before the test", cal),
            "- " + _line("share overconfident before the test", over, "", d=False),
            "- " + _line("efficacy drop in the test (> 0: fell more than control)", drop),
            "- " + _line("final skill", skill),
            "- " + _line("final efficacy (after the test)", fin),
        ]
        if _excludes_zero(fin):
            body += [
                "",
                "Note: after the test the trophy group still ends *above* control in efficacy: in this model handed "
                "success is discounted (`handed_discount`), not worthless, and the test does not erase it. The "
                "seed text's claim that handed success does not build efficacy appears here only as efficacy "
                "unbacked by skill, not as an efficacy loss.",
            ]
        if "self_esteem" in names:
            se = _e(cmp, "self_esteem", "calibration_pre")
            body += ["- " + _line("self-esteem package (trophy + generic praise): calibration before the test", se)]
        out.append(("Handed success ('everyone gets a trophy')", "\n".join(body)))

    # 2. Specific credible feedback vs generic praise; 3. peer vs expert models
    pairs = (
        (
            "specific_persuasion",
            "generic_praise",
            "Specific, credible feedback builds more efficacy than generic praise",
        ),
        ("peer_modelling", "expert_modelling", "Peer models one stage ahead build more efficacy than expert models"),
    )
    for a, b, claim in pairs:
        if a in names and b in names:
            c = cmp.contrast(a, b, "efficacy_pre")
            cal = cmp.contrast(a, b, "calibration_pre")
            body = [
                verdict(claim, _excludes_zero(c), f"{strength_word(c['d'])}, d = {c['d']:+.2f}"),
                "",
                "- " + _line(f"`{a}` - `{b}`, efficacy before the test", c),
                "- " + _line(f"`{a}` - `{b}`, calibration before the test", cal),
            ]
            if a == "peer_modelling" and _excludes_zero(cal):
                body += [
                    "",
                    "The peer model also raises efficacy *above* skill: a model one stage ahead succeeding every step "
                    "is evidence about the observer that no performance of the observer's own backs, so in this "
                    "model peer modelling inflates calibration about as much as handed success does.",
                ]
            out.append((claim, "\n".join(body)))

    # 4. Mastery first? Rank of the mastery strategies among single-source ones at the hooks' default constants
    single = [s for s in cmp.table["strategy"] if len(lib[s].kinds) + bool(lib[s].schedule) == 1]
    ranked = cmp.table[cmp.table["strategy"].isin(single)].sort_values("efficacy_final", ascending=False)
    mastery = [s for s in single if "mastery_ladder" in lib[s].kinds or lib[s].schedule]
    defaults = [s for s in ranked["strategy"] if not lib[s].params]  # variants of hook constants excluded
    best = defaults[0] if defaults else None
    lines = []
    for _, r in ranked.iterrows():
        tag = " (mastery)" if r["strategy"] in mastery else ""
        tag += " (variant: hook constants changed)" if lib[r["strategy"]].params else ""
        lines.append(
            f"- `{r['strategy']}`{tag}: final efficacy {r['efficacy_final']:+.2f} (d {r['efficacy_final_d']:+.2f}), "
            f"final skill {r['skill_final']:+.2f}, calibration before test {r['calibration_pre']:+.2f}"
        )
    backed = [
        s
        for s in single
        if _excludes_zero(_e(cmp, s, "efficacy_final"))
        and _excludes_zero(_e(cmp, s, "skill_final"))
        and _e(cmp, s, "efficacy_final")["d"] >= 0.1
        and _e(cmp, s, "skill_final")["d"] >= 0.1
    ]
    body = [
        verdict(
            "Mastery experience is the strongest source (a mastery strategy ranks first among single-source "
            "strategies at the hooks' default constants)",
            best in mastery,
            f"first: `{best}`",
        ),
        "",
        "Single-source strategies ranked by final efficacy (paired difference from control):",
        "",
        *lines,
        "",
        "Single-source strategies that raise both final efficacy and final skill by d >= 0.1 (efficacy backed by "
        "skill): " + (", ".join(f"`{s}`" for s in backed) or "none") + ".",
    ]
    if "mastery_ladder" in names:
        ml = _e(cmp, "mastery_ladder", "skill_final")
        if _excludes_zero(ml, -1):
            body += [
                "",
                f"The mastery ladder at its default constants (start {PARAM_BY_NAME['ladder_offset'].default:g} "
                f"levels below skill, staircase aiming at {PARAM_BY_NAME['ladder_target_success'].default:.0%} "
                "success) keeps practice below the desirable-difficulty window (`stretch_opt`), so it *slows* skill "
                "growth: " + _line("final skill", ml) + ". The `stretch_ladder` variant (start at skill, 60% "
                "success) is the same hook with other constants; it was added to the library after seeing this, "
                "so its rank is exploratory, not a test of the claim.",
            ]
    out.append(("Mastery first?", "\n".join(body)))

    # 5. Effect sizes against the field
    d = cmp.table.set_index("strategy")["efficacy_pre_d"]
    big = d[d.abs() > FIELD_D[1]]
    body = [
        verdict(
            f"Effects on efficacy within field effect sizes (|d| <= {FIELD_D[1]}; ANCHORS)",
            big.empty,
            f"{len(big)} of {len(d)} strategies above {FIELD_D[1]}",
        ),
        "",
        "d = paired difference in efficacy before the test / SD of efficacy across agents. Above the field range: "
        + (", ".join(f"`{k}` ({v:+.2f})" for k, v in big.items()) or "none")
        + ". Within or below it: "
        + (", ".join(f"`{k}` ({v:+.2f})" for k, v in d[d.abs() <= FIELD_D[1]].items()) or "none")
        + " (for comparison, Ashford et al. 2010 report d = .16 for feedback/persuasion interventions). Every strategy here is given at full intensity every step for half the run; field interventions are "
        "far less dosed, so large simulated effects say more about the dose and the gain parameters than about the "
        "world (ANCHORS: 'Effect sizes to keep in mind').",
    ]
    out.append(("Effect sizes compared with the field", "\n".join(body)))

    # 6. Who benefits
    rows = []
    lows = 0
    for _, r in cmp.table.iterrows():
        eff = {t: r[f"efficacy_pre_{t}"] for t in C.TERCILES}
        top = max(eff, key=lambda t: eff[t])
        lows += top == "low"
        rows.append(
            f"| `{r['strategy']}` | "
            + " | ".join(
                C._ci(r[f"efficacy_pre_{t}"], r[f"efficacy_pre_{t}_lo"], r[f"efficacy_pre_{t}_hi"]) for t in C.TERCILES
            )
            + f" | {top} |"
        )
    body = [
        verdict(
            "Learners who start with low efficacy benefit most",
            lows > len(cmp.table) / 2,
            f"low tercile benefits most under {lows} of {len(cmp.table)} strategies",
        ),
        "",
        "Efficacy before the test, strategy - control, by tercile of initial efficacy (within each run). Part of "
        "the low tercile's larger gain is room to grow: control learners who start low avoid and disengage more, "
        "so anything that keeps them attempting pays off most there.",
        "",
        "| strategy | low | middle | high | most |",
        "|---|---|---|---|---|",
        *rows,
    ]
    out.append(("Who benefits", "\n".join(body)))
    return out


def timing_section(cmp: C.Comparison) -> str:
    """Timing and targeting: early vs late, everyone vs agents below the threshold, with cost."""
    if not len(cmp.timing):
        return "No timing variants in this run."
    t = cmp.timing.copy()
    t["base"] = t["strategy"].str.split(" @ ").str[0]
    t["variant"] = t["strategy"].str.split(" @ ").str[1]
    lines = [
        "| strategy | variant | efficacy before test | final efficacy | low tercile (before test) | cost | "
        "efficacy per 10 cost |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, r in t.iterrows():
        per = r["efficacy_pre_per_10_cost"]
        lines.append(
            f"| `{r['base']}` | {r['variant']} | {C._ci(r['efficacy_pre'], r['efficacy_pre_lo'], r['efficacy_pre_hi'])}"
            f" | {C._ci(r['efficacy_final'], r['efficacy_final_lo'], r['efficacy_final_hi'])}"
            f" | {C._ci(r['efficacy_pre_low'], r['efficacy_pre_low_lo'], r['efficacy_pre_low_hi'])}"
            f" | {r['cost']:.1f} | {per:+.3f} |"
        )
    notes = []
    for base, g in t.groupby("base", sort=False):
        g = g.set_index("variant")
        early, late = g.filter(like="early", axis=0), g.filter(like="late", axis=0)
        ea, la = early[~early.index.str.contains("below")], late[~late.index.str.contains("below")]
        if len(ea) and len(la):
            notes.append(
                f"- `{base}`: early (everyone) {ea['efficacy_final'].iloc[0]:+.2f} vs late (everyone) "
                f"{la['efficacy_final'].iloc[0]:+.2f} final efficacy."
            )
        below = g[g.index.str.contains("below")]
        allv = g[~g.index.str.contains("below")]
        if len(below) and len(allv):
            notes.append(
                f"  Targeting only agents below {THRESHOLD:g}: effect per 10 intervention-steps "
                f"{below['efficacy_pre_per_10_cost'].mean():+.3f} vs {allv['efficacy_pre_per_10_cost'].mean():+.3f} "
                f"for everyone; low-tercile effect {below['efficacy_pre_low'].mean():+.2f} vs "
                f"{allv['efficacy_pre_low'].mean():+.2f}."
            )
    return "\n".join(
        [
            "Each strategy given in the first ('early') or second ('late') half of the main window, to everyone or "
            f"only to agents whose efficacy is below {THRESHOLD:g} when it starts (schedule strategies reach "
            "everyone, so they have no targeted variant). Cost is averaged over all agents.",
            "",
            *lines,
            "",
            *notes,
        ]
    )


def main(argv: list[str] | None = None) -> Path:
    args = parse_args("Compare intervention strategies against a control (common random numbers).", argv)
    out = results_dir(NAME, args)
    sz = sizes(args.quick)
    lib = load_library()
    base = Config.default(agents=sz["agents"], steps=sz["steps"])
    design = C.make_design(lib, None, base, variant_names=sz["variants"], threshold=THRESHOLD)
    exp = C.experiment(design, sz["reps"], args.seed, NAME)
    res = run(exp, out / "data", args)
    cmp = C.analyse(res, design)
    figures = C.write_outputs(cmp, res, out, save=save_figure)

    n_cond = len(design.conditions())
    intro = (
        f"{len(design.strategies)} strategies (+ {n_cond - 1 - len(design.strategies)} timing/targeting variants) "
        f"against a control; {sz['reps']} replications of {base.agents} agents x {base.steps} steps each, on common "
        f"random numbers (replicate r of every condition has the same learners, network and draws). Strategies run "
        f"in steps [{design.start}, {design.end}); the test (difficulty {design.test_level:g} from step "
        f"{design.test_step} plus a severe failure of severity {design.shock_severity:g}) comes after every strategy "
        f"ended. 'Before the test' = step {design.pre_step}; the drop is measured over steps {design.pre_step}-"
        f"{design.post_step}. Ranked by final efficacy (after the test).\n\n"
        + "\n".join(f"- `{n}`: {s.description}" for n, s in lib.items())
    )
    table_md = C.markdown_table(cmp.table) + "\n\n" + C.TABLE_NOTE + "\n\nFull table: [table.csv](table.csv)."
    sections = [("Design", intro), ("Ranked strategies", table_md), *findings(cmp, lib)]
    sections.append(("Timing and targeting", timing_section(cmp) + "\n\nFull table: [timing.csv](timing.csv)."))
    prov = base_provenance(
        res,
        **{
            "base config hash": design.test_base().digest(),
            "replications": sz["reps"],
            "mode": "quick" if args.quick else "full",
            "command": "python experiments/interventions.py" + (" --quick" if args.quick else ""),
        },
    )
    write_summary(out, "Comparing intervention strategies", sections, figures, prov)
    return out


if __name__ == "__main__":
    main()
