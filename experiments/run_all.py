"""Run every experiment and write ``results/REPORT.md``.

::

    python experiments/run_all.py [--quick] [--executor auto|serial|processes|dask] [--scheduler ADDR] [--workers N]
                                  [--out RESULTS_DIR] [--seed N] [--only NAME ...] [--report-only]

Every experiment script is run: the known ones (:data:`EXPERIMENTS`) in order, then any other
``experiments/*.py`` with a ``main``. Each ``main`` is imported from ``experiments/NAME.py`` and called with the
same options (its results go to ``RESULTS_DIR/NAME/``). An experiment that does not exist yet, or that fails, is noted in the report and the
others still run. The report gathers every experiment's ``summary.md`` (findings, tables, figures) with links
rewritten relative to ``RESULTS_DIR``, an overview of the verdicts, and provenance (git commit, versions, timings).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import re
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from sim.analysis.effects import fmt
from sim.analysis.script import repo_root
from sim.engine.executors import EXECUTORS

REPO = repo_root()

EXPERIMENTS: tuple[tuple[str, str], ...] = (
    ("cycles", "Virtuous and vicious cycles"),
    ("early_failure", "Early failure"),
    ("longitudinal", "Longitudinal patterns"),
    ("schedules", "Difficulty schedules"),
    ("arousal", "Arousal and performance"),
    ("sensitivity", "Global sensitivity"),
    ("interventions", "Interventions"),
    ("domains", "Domains and self-esteem"),
)
"""(script name, title) of the known experiments, in report order; other scripts are found by :func:`experiment_list`."""

NOT_EXPERIMENTS = ("common", "run_all")


def experiment_list() -> list[tuple[str, str]]:
    """Every experiment: the known ones in order, then any other ``experiments/*.py`` script with a ``main``."""
    known = list(EXPERIMENTS)
    names = {n for n, _ in known}
    for path in sorted((REPO / "experiments").glob("*.py")):
        name = path.stem
        if name in names or name in NOT_EXPERIMENTS or name.startswith("_"):
            continue
        if re.search(r"^def main\(", path.read_text(encoding="utf-8"), flags=re.MULTILINE):
            known.append((name, name.replace("_", " ").capitalize()))
    return known


REPORT = "REPORT.md"
_LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s]+)(\))")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Options: those of every experiment (``--out`` is the results root here) plus ``--only``."""
    ap = argparse.ArgumentParser(description="Run every experiment and write results/REPORT.md.")
    ap.add_argument("--quick", action="store_true", help="small versions of every experiment")
    ap.add_argument("--executor", choices=EXECUTORS, default="auto", help="how runs are executed (default: auto)")
    ap.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (implies --executor dask)")
    ap.add_argument("--workers", type=int, default=None, help="number of worker processes (default: all cores)")
    ap.add_argument(
        "--out", type=Path, default=None, help="results root (default: results/, or results/quick/ with --quick)"
    )
    ap.add_argument("--seed", type=int, default=1, help="experiment seed (default: 1)")
    names = [n for n, _ in experiment_list()]
    ap.add_argument("--only", nargs="+", choices=names, default=None, help="run only these experiments")
    ap.add_argument(
        "--report-only", action="store_true", help="run nothing: rebuild REPORT.md from the summaries already there"
    )
    args = ap.parse_args(argv)
    if args.scheduler:
        args.executor = "dask"
    if args.workers is not None and args.workers < 1:
        ap.error(f"--workers = {args.workers} is not allowed: expected a whole number >= 1")
    return args


def experiment_argv(args: argparse.Namespace, name: str) -> list[str]:
    """The command line passed to one experiment's ``main``."""
    argv = ["--executor", args.executor, "--seed", str(args.seed), "--out", str(Path(args.out) / name)]
    if args.quick:
        argv.append("--quick")
    if args.scheduler:
        argv += ["--scheduler", args.scheduler]
    if args.workers is not None:
        argv += ["--workers", str(args.workers)]
    return argv


def _load(name: str, path: Path):
    """Import an experiment script by its path (scripts are not a package: they import only ``sim``)."""
    spec = importlib.util.spec_from_file_location(f"efficacy_experiment_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_one(name: str, argv: list[str]) -> dict:
    """Import ``experiments/NAME.py`` and call its ``main(argv)``; never raises."""
    t0 = time.time()
    path = REPO / "experiments" / f"{name}.py"
    if not path.is_file():
        return {"name": name, "status": "missing", "seconds": 0.0, "detail": f"experiments/{name}.py not found"}
    try:
        module = _load(name, path)
    except Exception:  # an experiment that cannot even be imported is reported, not fatal
        return {"name": name, "status": "failed", "seconds": time.time() - t0, "detail": traceback.format_exc()}
    try:
        module.main(argv)
    except Exception:  # one failing experiment must not stop the others
        return {"name": name, "status": "failed", "seconds": time.time() - t0, "detail": traceback.format_exc()}
    return {"name": name, "status": "ok", "seconds": time.time() - t0, "detail": ""}


# ---------------------------------------------------------------------------------------------- report
def rewrite_links(text: str, prefix: str) -> str:
    """Prefix relative Markdown links and images with ``prefix/`` (absolute, http and #anchor links stay)."""

    def sub(m: re.Match) -> str:
        target = m.group(2)
        if re.match(r"^([a-z]+:|/|#)", target):
            return m.group(0)
        return f"{m.group(1)}{prefix}/{target}{m.group(3)}"

    return _LINK.sub(sub, text)


def demote(text: str, levels: int = 1) -> str:
    """Push every Markdown heading down ``levels`` levels (outside code blocks)."""
    out, fence = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fence = not fence
        if not fence and re.match(r"^#{1,5} ", line):
            line = "#" * levels + line
        out.append(line)
    return "\n".join(out)


def findings_rows(root: Path, name: str) -> list[dict]:
    """One row per question of an experiment's ``findings.csv`` (the model's own effect, not the ablations)."""
    import pandas as pd

    path = root / name / "findings.csv"
    if not path.is_file():
        return []
    df = pd.read_csv(path, keep_default_na=False)
    rows = []
    for q, g in df[df["condition"] == "model"].groupby("question", sort=False):
        first = g.iloc[0]
        effects = "; ".join(
            f"{r.claim}: {fmt(float(r.effect))} {'SD' if r.scale == 'sd' else 'pp'} [{fmt(float(r.lo))}, {fmt(float(r.hi))}]"
            for r in g.itertuples()
        )
        kinds = ", ".join(dict.fromkeys(g["kind"]))
        rows.append(
            dict(
                question=q,
                title=first["title"],
                verdict=first["question_verdict"],
                kind=kinds,
                effects=effects,
            )
        )
    return rows


def anchor(title: str) -> str:
    """GitHub-style anchor of a heading."""
    a = re.sub(r"[^\w\- ]", "", title.lower()).strip()
    return re.sub(r" ", "-", a)


HOW_TO_READ = """\
Each experiment opens with a plain-language paragraph: the question, the model's answer, how sure
it is, what it would mean for a teacher or coach, and what in the model it rests on. Then come its
**findings**. Every finding is a claim declared *before* the run, with a predicted direction and a
*smallest effect of interest*, and one of four verdicts:

- **shown**: the whole 95% interval lies beyond the smallest effect of interest, in the predicted direction;
- **negligible**: the whole interval lies inside the smallest effect of interest (too small to matter, whatever its sign);
- **opposite**: the whole interval lies on the other side of zero;
- **inconclusive**: anything else: the interval straddles the smallest effect of interest or zero.

A claim with several parts is shown only if every part is. Each claim also says what kind it is:
an **assumption** is coded into a rule and the run only illustrates it; a **mechanism check** is
a rule's direct consequence (the rule's analytic value is printed beside the simulated one); an
**emergent** claim arises from several mechanisms interacting, and is run again with the mechanism
it rests on switched off (an *ablation*) to show whether the effect vanishes, shrinks or persists.
All effects are on one scale, explained in the glossary.
"""

GLOSSARY = """\
- **Level** (*levels*): the common scale of skill, self-efficacy and task difficulty, 0 to 10. A
  learner with skill 3 succeeds at a level-3 task about half the time with moderate effort.
- **Self-efficacy** (`efficacy`): the learner's belief about the hardest task they can manage, in
  levels (Bandura's *level* of efficacy). Measured self-efficacy (the longitudinal study) is a noisy
  self-report of it on a 0-100 scale.
- **Strength** (`strength`): how settled the belief is (Bandura's *strength*): the accumulated
  weight of evidence behind it. A strong belief moves less after any one outcome.
- **Calibration** (`calibration_mean`): self-efficacy minus skill, in levels. Above zero the learner
  is overconfident, below zero underconfident. **Overconfident share**: learners whose belief
  exceeds their skill by more than one level.
- **Disengaged**: a learner who avoided several tasks in a row and stopped attempting; they may
  re-engage later with a small chance per step.
- **Step**: one task episode (one lesson, practice session or match).
- **Replication**: one independent run of the whole population with its own random numbers. Conditions
  compared within a replication share their random numbers (*common random numbers*), so their
  difference is not blurred by luck.
- **Effect size (SD across agents)**: a difference between two conditions divided by how much
  learners differ from one another within a run (the standard deviation of the outcome across the
  learners of a run, in the reference condition). 0.2 means a fifth of the spread between learners;
  it reads like Cohen's *d* in a study of individuals. For shares of learners (disengaged,
  overconfident) effects are in **percentage points** (pp). Intervals are 95% bootstrap intervals
  over replications.
- **Smallest effect of interest** (SESOI): the effect below which a claim is not worth making,
  declared before the run: 0.2 SD or 5 pp unless a claim says otherwise.
- **d_z**: the paired test statistic (mean paired difference over its SD). With many learners per
  run it becomes very large even for tiny effects, so it appears only in tables, labelled as a test
  statistic, never as an effect size.
"""


def limitations(root: Path) -> str:
    """The report's one Limitations section (text kept in docs so it is reviewed like the model)."""
    path = REPO / "docs" / "limitations.md"
    return path.read_text(encoding="utf-8").split("\n", 1)[1].strip() if path.is_file() else ""


def write_report(root: Path, outcomes: list[dict], args: argparse.Namespace, total: float) -> Path:
    """Assemble ``root/REPORT.md`` from every experiment's ``summary.md`` and ``findings.csv``.

    The report holds no wall time, date or commit, so re-running an unchanged model leaves it
    byte-identical; timings go to the untracked ``run_all.json``.
    """
    from sim.provenance import package_versions

    titles = dict(experiment_list())
    mode = "quick" if args.quick else "full"
    cmd = "python experiments/run_all.py" + (" --quick" if args.quick else "")
    lines = [
        "# efficacy-sim: what the model shows",
        "",
        "This report gathers every experiment of efficacy-sim, an agent-based model of Bandura's self-efficacy "
        "theory: simulated learners who hold a belief about what they can do, attempt tasks, succeed or fail, and "
        "revise that belief from their own outcomes, from watching others, from what they are told and from how "
        "their body reacts. Each section below is one experiment's `summary.md` (in `<name>/summary.md`, with its "
        "figures and tables beside it). The claims the project started from, and which experiment tests each, "
        "are listed in `docs/claims.md`; the model itself in `docs/ODD.md`; sources in `docs/references.md`.",
        "",
        f"Generated by `{cmd}` ({mode} mode, seed {args.seed}).",
        "",
        "## How to read this report",
        "",
        HOW_TO_READ,
        "## Overview of the findings",
        "",
        "| experiment | finding | kind | verdict | effect [95% CI] |",
        "|---|---|---|---|---|",
    ]
    bodies = []
    for i, o in enumerate(outcomes, start=1):
        name = o["name"]
        title = f"{i}. {titles.get(name, name)}"
        summary_path = root / name / "summary.md"
        text = summary_path.read_text(encoding="utf-8") if o["status"] == "ok" and summary_path.is_file() else ""
        link = f"[{titles.get(name, name)}](#{anchor(title)})"
        rows = findings_rows(root, name) if text else []
        for r in rows:
            lines.append(f"| {link} | {r['title']} | {r['kind']} | **{r['verdict']}** | {r['effects']} |")
        if not rows:
            status = {"ok": "no findings file", "missing": "not available yet", "failed": "failed"}[o["status"]]
            lines.append(f"| {link} | ({status}) | | | |")
        bodies += [f"## {title}", ""]
        if text:
            body = text.split("\n", 1)[1] if text.startswith("# ") else text  # drop the summary's own title
            bodies += [demote(rewrite_links(body.strip(), name), 1), ""]
        elif o["status"] == "missing" and args.report_only:
            bodies += [f"No results yet: `{name}/summary.md` not found (run `python experiments/{name}.py`).", ""]
        elif o["status"] == "missing":
            bodies += [f"Not run: `experiments/{name}.py` does not exist yet.", ""]
        else:
            detail = o["detail"].strip().splitlines()
            bodies += [
                f"The experiment failed (`python experiments/{name}.py{' --quick' if args.quick else ''}`); "
                "last lines of the error:",
                "",
                "```",
                *detail[-8:],
                "```",
                "",
            ]
    overview = root / "interventions" / "overview.png"
    if overview.is_file():
        lines += [
            "",
            "## The intervention strategies at a glance",
            "",
            "![Intervention strategies ranked](interventions/overview.png)",
            "",
            "Each strategy's effect against no intervention, on efficacy, calibration and skill, with 95% intervals "
            "(details and the other outcomes in the Interventions section).",
        ]
    lines += [""] + bodies
    lim = limitations(root)
    if lim:
        lines += ["## Limitations", "", lim, ""]
    lines += ["## Glossary", "", GLOSSARY]
    versions = package_versions()
    lines += [
        "## Provenance",
        "",
        f"- command: `{cmd}`, seed {args.seed}" + (f", scheduler {args.scheduler}" if args.scheduler else ""),
        "- each experiment's summary ends with its own provenance (experiment hash, seed, replications, versions)",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items()) if v),
        "",
    ]
    path = root / REPORT
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _write_timings(root: Path, outcomes: list[dict], args: argparse.Namespace, total: float) -> None:
    """Keep the last run's wall times (``run_all.json``) so ``--report-only`` can still show them."""
    data = {
        "mode": "quick" if args.quick else "full",
        "executor": args.executor,
        "total_seconds": round(total, 1),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "experiments": {
            o["name"]: {"status": o["status"], "seconds": round(o["seconds"], 1)}
            for o in outcomes
            if o["seconds"] is not None
        },
    }
    (root / "run_all.json").write_text(json.dumps(data, indent=2), encoding="utf-8")


def _read_timings(root: Path) -> dict[str, float]:
    try:
        data = json.loads((root / "run_all.json").read_text(encoding="utf-8"))
        return {k: v["seconds"] for k, v in data["experiments"].items() if v.get("status") == "ok"}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def main(argv: list[str] | None = None) -> Path:
    """Run the experiments, write the report; returns the report's path."""
    args = parse_args(argv)
    if args.out is None:
        args.out = REPO / "results" / ("quick" if args.quick else "")
    root = Path(args.out)
    root.mkdir(parents=True, exist_ok=True)
    # the report always covers every experiment: those not run now (--only, --report-only) come from
    # the summaries already in place, with the wall times recorded when they ran
    selected = {n for n, _ in experiment_list() if args.only is None or n in args.only}
    t0 = time.time()
    outcomes = []
    timings = _read_timings(root)
    for name, _ in experiment_list():
        if args.report_only or name not in selected:
            there = (root / name / "summary.md").is_file()
            secs = timings.get(name)
            outcomes.append({"name": name, "status": "ok" if there else "missing", "seconds": secs, "detail": ""})
            continue
        print(f"[run_all] {name} ...", flush=True)
        o = run_one(name, experiment_argv(args, name))
        print(f"[run_all] {name}: {o['status']} in {o['seconds']:.1f} s", flush=True)
        if o["status"] == "failed":
            print(o["detail"], file=sys.stderr, flush=True)
        outcomes.append(o)
    total = time.time() - t0
    if not args.report_only:
        _write_timings(root, outcomes, args, total)
    path = write_report(root, outcomes, args, total)
    print(f"[run_all] report: {path} ({time.time() - t0:.0f} s)", flush=True)
    return path


if __name__ == "__main__":
    main()
