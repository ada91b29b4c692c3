"""``efficacy-sim calibrate``: fit the free parameters to a targets file or to a researcher's panel (:mod:`sim.calibration`).

Every input is checked before the first simulation (exit 2 with one line naming the field); an
interrupted fit (Ctrl-C, SIGTERM) keeps every finished generation in ``OUT/history.db`` and the same
command continues it; a finished fit is reported, not redone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.limits import MAX_WORKERS

BUDGETS = ("quick", "default", "shipped")
_BUDGET_FIELDS = ("population", "generations", "simulations", "min_epsilon", "quantile")


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a whole number in [1, {MAX_WORKERS}]")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a whole number >= 0")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "calibrate",
        help="fit the model's free parameters to target statistics or to your own panel data (ABC-SMC)",
        description=(
            "Fit the free mechanism parameters by ABC-SMC (pyabc) to a targets file (priors, study design, "
            "target statistics with SEs; see docs/calibration.md) or to a learner x wave panel (--panel). "
            "Writes the posterior, plots, a posterior predictive check, a fitted scenario TOML and a "
            "calibration record into --out. Re-running the same command resumes an interrupted fit."
        ),
        epilog="Shipped targets: sim/calibration/targets/published.toml. Format of both files: docs/calibration.md.",
    )
    p.add_argument("targets", nargs="?", help="targets TOML file (or use --panel)")
    p.add_argument("--panel", metavar="PANEL", help="a learner x wave panel (CSV or Parquet) to fit instead of TARGETS")
    p.add_argument("--out", metavar="DIR", help="output folder (default: results/calibration/<targets name>)")
    p.add_argument("--quick", action="store_true", help="a small budget, for trying it out (same as --budget quick)")
    p.add_argument("--seed", type=_seed, default=0, metavar="N", help="seed of the fit (default 0)")
    p.add_argument(
        "--budget",
        metavar="SPEC",
        help="quick | default | shipped, or FIELD=VALUE[,FIELD=VALUE...] over the default with fields "
        + ", ".join(_BUDGET_FIELDS),
    )
    p.add_argument(
        "--executor",
        choices=("serial", "process", "dask"),
        default=None,
        help="where simulations run (default: serial)",
    )
    p.add_argument("--workers", type=_workers, metavar="N", help="processes (default: all cores) or Dask workers")
    p.add_argument("--scheduler", metavar="ADDR", help="address of a running Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p.set_defaults(func=run)


def parse_budget(text: str | None, quick: bool):
    """The :class:`~sim.calibration.fit.Budget` of ``--budget`` / ``--quick`` (ConfigError naming the field)."""
    import dataclasses

    from sim.calibration.fit import DEFAULT_BUDGET, QUICK_BUDGET, SHIPPED_BUDGET
    from sim.errors import ConfigError

    named = {"quick": QUICK_BUDGET, "default": DEFAULT_BUDGET, "shipped": SHIPPED_BUDGET}
    if text is None:
        return QUICK_BUDGET if quick else DEFAULT_BUDGET
    if quick:
        raise ConfigError("--quick", "with --budget", "one of --quick or --budget")
    if text in named:
        return named[text]
    changes: dict[str, float] = {}
    for part in text.split(","):
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq or key not in _BUDGET_FIELDS:
            raise ConfigError(
                "--budget", part, "quick, default, shipped, or FIELD=VALUE with FIELD in " + ", ".join(_BUDGET_FIELDS)
            )
        try:
            changes[key] = int(value) if key in ("population", "generations", "simulations") else float(value)
        except ValueError:
            raise ConfigError(f"--budget {key}", value, "a number") from None
    return dataclasses.replace(DEFAULT_BUDGET, **changes)


def load(args: argparse.Namespace):
    """The targets of the command (file or panel), checked; ConfigError on bad input."""
    from sim.errors import ConfigError

    if (args.targets is None) == (args.panel is None):
        raise ConfigError("targets", args.targets or "(none)", "a targets TOML file or --panel PANEL, not both")
    if args.panel is not None:
        from sim.calibration.panel import read_panel
        from sim.calibration.targets import targets_from_panel

        name = Path(args.panel).stem
        return targets_from_panel(read_panel(args.panel), seed=args.seed, name=name)
    from sim.calibration.targets import load_targets

    return load_targets(args.targets)


def run(args: argparse.Namespace) -> int:
    import signal

    from sim.calibration import fit as F
    from sim.calibration.outputs import RECORD, write_outputs
    from sim.calibration.simulate import with_executor

    budget = parse_budget(args.budget, args.quick)
    ex = with_executor(args.executor, args.workers, args.scheduler)
    targets = load(args)
    out = Path(args.out) if args.out else Path("results") / "calibration" / targets.name
    record = out / RECORD

    # SIGTERM like Ctrl-C; both stop the fit between batches of simulations (the finished generations
    # are in the history, and a rerun resumes), not in the middle of a database write
    F.clear_stop()
    previous = {s: signal.signal(s, F.request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        result = F.fit(targets, out, budget=budget, seed=args.seed, executor=ex, progress=args.progress)
        if F.stop_requested():  # asked to stop after the last batch: the fit is kept, the outputs come on rerun
            raise KeyboardInterrupt
        if result.resumed and result.extra["simulated_this_session"] == 0 and record.exists():
            print(f"calibration in {out} is finished ({result.stopped_by}); record: {record}", file=sys.stderr)
        else:
            ex2 = with_executor(args.executor, args.workers, args.scheduler)
            try:
                write_outputs(targets, result, out, seed=args.seed, budget=budget, executor=ex2, command=sys.argv)
            finally:
                ex2.close()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        F.clear_stop()
    summ = F.posterior_summary(result.posterior, targets.priors)
    print(f"calibrated {targets.name}: {result.simulations:,} simulations, stopped by {result.stopped_by}")
    for _, r in summ.iterrows():
        print(f"  {r['parameter']}: median {r['median']:.4g}, 90% CI [{r['lo']:.4g}, {r['hi']:.4g}]")
    print(f"outputs in {out} (fitted scenario: {out / 'fitted_scenario.toml'})")
    return 0
