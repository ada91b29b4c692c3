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
import json
import os
import platform
import re
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import EXECUTORS, REPO  # noqa: E402

EXPERIMENTS: tuple[tuple[str, str], ...] = (
    ("cycles", "Virtuous and vicious cycles"),
    ("early_failure", "Early failure"),
    ("longitudinal", "Longitudinal patterns"),
    ("schedules", "Difficulty schedules"),
    ("arousal", "Arousal and performance"),
    ("sensitivity", "Global sensitivity"),
    ("interventions", "Interventions"),
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


def run_one(name: str, argv: list[str]) -> dict:
    """Import ``experiments/NAME.py`` and call its ``main(argv)``; never raises."""
    t0 = time.time()
    try:
        module = importlib.import_module(f"experiments.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"experiments.{name}":
            return {"name": name, "status": "missing", "seconds": 0.0, "detail": f"experiments/{name}.py not found"}
        return {"name": name, "status": "failed", "seconds": time.time() - t0, "detail": traceback.format_exc()}
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


def verdicts(summary: str) -> list[str]:
    """The verdict lines of a summary (those saying whether a pattern appeared)."""
    found = []
    for line in summary.splitlines():
        if "pattern appeared:" in line:
            found.append(re.sub(r"^[-*+]\s+", "", line.strip()))  # drop a list bullet, keep **bold**
    return found


def _git(*cmd: str) -> str:
    try:
        return subprocess.run(["git", *cmd], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:  # no git, or not a repository: provenance says so
        return ""


def anchor(title: str) -> str:
    """GitHub-style anchor of a heading."""
    a = re.sub(r"[^\w\- ]", "", title.lower()).strip()
    return re.sub(r" ", "-", a)


def write_report(root: Path, outcomes: list[dict], args: argparse.Namespace, total: float) -> Path:
    """Assemble ``root/REPORT.md`` from every experiment's ``summary.md``."""
    from sim.provenance import package_versions

    titles = dict(experiment_list())
    mode = "quick" if args.quick else "full"
    cmd = "python experiments/run_all.py" + (" --quick" if args.quick else "")
    how = (
        "Assembled by `python experiments/run_all.py --report-only` from the results already in place (each "
        "experiment's own provenance footer says how it was run)."
        if args.report_only
        else f"Generated by `{cmd}` ({mode} mode, executor `{args.executor}`, seed {args.seed}) in "
        f"{total / 60:.1f} minutes."
    )
    lines = [
        "# efficacy-sim: experiment report",
        "",
        how + " Each section below is the experiment's own `summary.md` (in "
        "`<name>/summary.md`), with its figures; data tables sit next to them and engine data in `<name>/data/`.",
        "",
        "Every pattern is reported as it emerged from the mechanisms at the stated parameters; nothing is hard-coded, "
        "and a pattern that did not appear is reported as such.",
        "",
        "## Overview",
        "",
        "| # | experiment | status | time | verdicts |",
        "|---|---|---|---|---|",
    ]
    bodies = []
    for i, o in enumerate(outcomes, start=1):
        name = o["name"]
        title = f"{i}. {titles.get(name, name)}"
        summary_path = root / name / "summary.md"
        text = summary_path.read_text(encoding="utf-8") if o["status"] == "ok" and summary_path.is_file() else ""
        vs = "<br>".join(verdicts(text)) if text else ""
        status = {"ok": "done", "missing": "not available yet", "failed": "failed"}[o["status"]]
        secs = "-" if o["seconds"] is None else f"{o['seconds']:.0f} s"
        lines.append(f"| {i} | [{titles.get(name, name)}](#{anchor(title)}) | {status} | {secs} | {vs} |")
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
    lines += [""] + bodies
    versions = package_versions()
    commit = _git("rev-parse", "HEAD") or "unknown"
    dirty = _git("status", "--porcelain")
    lines += [
        "## Provenance",
        "",
        f"- command: `{cmd}`" + (f" (executor {args.executor}, scheduler {args.scheduler})" if args.scheduler else ""),
        f"- git commit: {commit}" + (" (with uncommitted changes)" if dirty else ""),
        f"- created: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- machine: {platform.platform()}, {os.cpu_count()} cores",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items() if v),
        "- wall time per experiment"
        + (" (last run_all, from run_all.json)" if args.report_only else "")
        + ": "
        + (
            ", ".join(f"{o['name']} {o['seconds']:.0f} s" for o in outcomes if o["seconds"] is not None)
            or "not recorded"
        ),
        *([] if args.report_only else [f"- total wall time: {total:.0f} s"]),
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
