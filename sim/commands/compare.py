"""``efficacy-sim compare``: intervention strategies against a control on common random numbers.

Runs the named strategies (default: every shipped strategy, plus any in ``--strategies FILE``) and a control,
all on the same random streams, then writes a ranked table (``table.md``, ``table.csv``), a forest plot and
trajectory plots to ``--out`` and prints the table. See :mod:`sim.comparison` for the design and outcomes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.commands import declared
from sim.engine.executors import EXECUTORS


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "compare",
        help="compare intervention strategies with a control (paired, common random numbers)",
        description=(
            "Run intervention strategies and a control on common random numbers and report, per strategy, the "
            "paired difference from control (95% CI, d in agent SDs) in efficacy, skill, calibration, "
            "disengagement and the efficacy drop in a later test (a hard phase plus a severe failure), by "
            "tercile of initial efficacy, with the cost in intervention-steps per agent."
        ),
        epilog="List strategies: efficacy-sim compare --list. Add your own: --strategies my.toml (see sim/strategies.py).",
    )
    p.add_argument("strategies_", nargs="*", metavar="STRATEGY", help="strategies to compare (default: all)")
    p.add_argument("--list", action="store_true", help="list the known strategies and exit")
    p.add_argument(
        "--strategies",
        dest="files",
        action="append",
        default=[],
        metavar="FILE",
        help="TOML file with your own [strategies.NAME] tables (repeatable)",
    )
    p.add_argument("--scenario", help="base scenario: TOML file or shipped scenario name (default: the defaults)")
    p.add_argument("--agents", type=declared("agents"), metavar="N", help="learners per run (default 200)")
    p.add_argument("--steps", type=declared("steps"), metavar="N", help="steps per run (default: the scenario's)")
    p.add_argument("--replications", type=int, default=10, metavar="R", help="replications per strategy (default 10)")
    p.add_argument("--seed", type=declared("seed"), default=1, metavar="N", help="experiment seed (default 1)")
    p.add_argument("--start", type=declared("interventions[0].start"), metavar="STEP", help="first step (default 10%%)")
    p.add_argument("--end", type=declared("interventions[0].end"), metavar="STEP", help="end step (default 60%%)")
    p.add_argument("--target", choices=("all", "below"), help="everyone, or agents below --threshold at the start")
    p.add_argument(
        "--threshold", type=declared("interventions[0].threshold"), default=3.0, metavar="X", help="efficacy cut-off"
    )
    p.add_argument("--test-step", type=int, default=-1, metavar="STEP", help="first step of the test (default 80%%)")
    p.add_argument("--no-test", action="store_true", help="no later test (hard phase and shock)")
    p.add_argument(
        "--test-level", type=declared("schedule[0].level"), default=5.5, metavar="X", help="difficulty of the test"
    )
    p.add_argument(
        "--shock-severity", type=declared("shocks[0].severity"), default=5.0, metavar="X", help="shock in the test"
    )
    p.add_argument("--timing", action="store_true", help="also run each strategy early/late, to all/below threshold")
    p.add_argument(
        "--out",
        default="results/compare",
        metavar="DIR",
        help="output folder; the engine data in its data/ subfolder is resumed, or replaced when it holds an "
        "earlier, different comparison (only files its manifest lists are removed; default results/compare)",
    )
    p.add_argument("--executor", choices=EXECUTORS, default="auto", help="how runs execute (default auto)")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--scheduler", default=None, metavar="ADDR", help="address of a running Dask scheduler")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sim.config import Config
    from sim.errors import ConfigError
    from sim.strategies import load_library

    lib = load_library(args.files)
    if args.list:
        for name, s in lib.items():
            print(f"{name:22s} {s.description}")
        return 0
    if args.replications < 2:
        raise ConfigError("--replications", args.replications, "a whole number >= 2 (for confidence intervals)")
    from sim.limits import MAX_RUNS, MAX_WORKERS

    if args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
        raise ConfigError("--workers", args.workers, f"a whole number in [1, {MAX_WORKERS}]")
    if args.replications > MAX_RUNS:
        raise ConfigError("--replications", args.replications, f"a whole number in [2, {MAX_RUNS:,}]")
    names = args.strategies_ or list(lib)
    for n in names:
        lib[n]  # unknown names: ConfigError listing the known ones, before any work
    base = Config.default()
    if args.scenario:
        from sim.runner import load_scenario

        base = load_scenario(args.scenario)
    changes = {"agents": args.agents or (base.agents if args.scenario else 200)}
    if args.steps is not None:
        changes["steps"] = args.steps
    base = base.with_values(changes)

    from sim import comparison as C

    design = C.make_design(
        lib,
        names,
        base,
        start=args.start,
        end=args.end,
        test_step=None if args.no_test else args.test_step,
        test_level=args.test_level,
        shock_severity=args.shock_severity,
        variant_names=names if args.timing else (),
        threshold=args.threshold,
        target=args.target,
    )
    out = Path(args.out)
    n = len(design.conditions())
    print(
        f"efficacy-sim compare: {n - 1} strategy conditions + control x {args.replications} replications, "
        f"{base.agents} agents x {base.steps} steps, seed {args.seed}",
        file=sys.stderr,
    )
    executor = "dask" if args.scheduler else args.executor
    data = out / "data"
    engine = dict(executor=executor, workers=args.workers, scheduler=args.scheduler, progress=False)
    try:  # the same comparison resumes its data
        res = C.run_comparison(design, args.replications, args.seed, str(data), **engine)
    except ConfigError as exc:
        if exc.field != "out" or not (data / "manifest.json").is_file():
            raise
        # data of an earlier, different comparison: only the files its manifest lists are removed
        from sim.engine.store import remove_results

        remove_results(data)
        res = C.run_comparison(design, args.replications, args.seed, str(data), **engine)
    cmp = C.analyse(res, design)
    paths = C.write_outputs(cmp, res, out)
    print(C.markdown_table(cmp.table))
    if len(cmp.timing):
        print()
        print(C.markdown_table(cmp.timing.reset_index(drop=True)))
    print(f"\nwrote {', '.join(str(p) for p in paths)}", file=sys.stderr)
    return 0
