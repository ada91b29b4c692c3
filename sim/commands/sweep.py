"""``efficacy-sim sweep EXPERIMENT.toml``: run (or resume) an experiment with the engine (:mod:`sim.engine`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.engine.executors import EXECUTORS
from sim.limits import MAX_RUNS, MAX_WORKERS


def _bounded(high: int):
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if not 1 <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a whole number in [1, {high:,}]")
        return value

    return convert


_positive = _bounded(MAX_RUNS)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sweep",
        help="run an experiment: parameter sweeps over many replications, results as Parquet",
        description=(
            "Run an experiment file (see experiments/example_sweep.toml): every design point x replication, "
            "stacked into batches and written to one results folder. Re-running an interrupted sweep resumes it."
        ),
    )
    p.add_argument("experiment", help="experiment TOML file")
    p.add_argument("--out", metavar="DIR", help="results folder (default: RESULTS/<experiment name>)")
    p.add_argument(
        "--results", metavar="RESULTS", default="results", help="parent of results folders (default: results)"
    )
    p.add_argument(
        "--executor",
        choices=EXECUTORS,
        default=None,
        help="where runs execute (default: auto, i.e. serial for small sweeps, processes for big ones; "
        "dask when --scheduler is given)",
    )
    p.add_argument(
        "--workers",
        type=_bounded(MAX_WORKERS),
        metavar="N",
        help="processes (default: all cores) or Dask LocalCluster workers (2)",
    )
    p.add_argument("--scheduler", metavar="ADDR", help="address of a running Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--chunk-runs", type=_positive, metavar="N", help="runs per chunk of work (default: automatic)")
    p.add_argument(
        "--new-folder",
        action="store_true",
        help="if the folder holds a different experiment, write to DIR-2, DIR-3, ...",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="write into DIR even if it holds results files but no readable manifest.json (overwrites, deletes nothing)",
    )
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="make every check a real run makes (input, sizes, the results folder) and print the size; run nothing",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sim.engine import Experiment, run_experiment
    from sim.engine.run import plan_experiment

    exp = Experiment.from_toml(args.experiment)
    executor = args.executor or ("dask" if args.scheduler else "auto")
    out = Path(args.out) if args.out else Path(args.results) / exp.name
    settings = dict(
        out=out,
        executor=executor,
        workers=args.workers,
        scheduler=args.scheduler,
        chunk_runs=args.chunk_runs,
        new_folder=args.new_folder,
        force=args.force,
    )
    plan = plan_experiment(exp, **settings)  # the checks of the real run, before anything is written
    design = plan["design"]
    print(
        f"efficacy-sim sweep: {exp.name}: {len(design.points)} points x {exp.replications} replications = "
        f"{design.n_runs:,} runs, {plan['agent_steps']:,} agent-steps (experiment {plan['hash']}), "
        f"about {plan['memory'] / 2**20:,.0f} MiB at once",
        file=sys.stderr,
    )
    if args.dry_run:
        resumes = f", resuming {plan['resumes']} finished chunks" if plan["resumes"] else ""
        print(f"efficacy-sim sweep: dry run: would write {plan['out']}{resumes}", file=sys.stderr)
        return 0
    import warnings

    def show(message, category, *_: object, **__: object) -> None:  # one line, without the source line
        print(f"efficacy-sim sweep: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        res = run_experiment(exp, progress=args.progress, **settings)
    m = res.manifest
    print(
        f"{res.path}: {m['runs']:,} runs, {len(m['chunks_done'])}/{m['chunks']} chunks; tables: {', '.join(m['tables'])}"
    )
    print(f"load with: from sim.engine import load_results; res = load_results({str(res.path)!r})")
    return 0
