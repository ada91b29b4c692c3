"""``efficacy-sim sweep EXPERIMENT.toml``: run (or resume) an experiment with the engine (:mod:`sim.engine`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.engine.executors import EXECUTORS


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a whole number >= 1")
    return value


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
        "--workers", type=_positive, metavar="N", help="processes (default: all cores) or Dask LocalCluster workers (2)"
    )
    p.add_argument("--scheduler", metavar="ADDR", help="address of a running Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--chunk-runs", type=_positive, metavar="N", help="runs per chunk of work (default: automatic)")
    p.add_argument(
        "--new-folder",
        action="store_true",
        help="if the folder holds a different experiment, write to DIR-2, DIR-3, ...",
    )
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p.add_argument("--dry-run", action="store_true", help="validate the experiment and print its size, run nothing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sim.engine import Experiment, run_experiment
    from sim.engine.run import describe

    exp = Experiment.from_toml(args.experiment)
    executor = args.executor or ("dask" if args.scheduler else "auto")
    size = describe(exp)
    print(
        f"efficacy-sim sweep: {exp.name}: {size['points']} points x {exp.replications} replications = "
        f"{size['runs']:,} runs, {size['agent_steps']:,} agent-steps (experiment {exp.digest()})",
        file=sys.stderr,
    )
    if args.dry_run:
        return 0
    out = Path(args.out) if args.out else Path(args.results) / exp.name
    res = run_experiment(
        exp,
        out=out,
        executor=executor,
        workers=args.workers,
        scheduler=args.scheduler,
        chunk_runs=args.chunk_runs,
        progress=args.progress,
        new_folder=args.new_folder,
    )
    m = res.manifest
    print(
        f"{res.path}: {m['runs']:,} runs, {len(m['chunks_done'])}/{m['chunks']} chunks; tables: {', '.join(m['tables'])}"
    )
    print(f"load with: from sim.engine import load_results; res = load_results({str(res.path)!r})")
    return 0
