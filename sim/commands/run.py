"""``efficacy-sim run``: one run of a scenario, written as Parquet, PNG and JSON (see :mod:`sim.runner`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.commands import declared, parse_assignment


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "run",
        help="run one scenario and write its time series, agent table, plot and provenance",
        description=(
            "Run one scenario (a TOML file, a shipped scenario name, or the defaults) and write "
            "series.parquet, agents.parquet, timeseries.png and run.json to --out."
        ),
        epilog="Shipped scenarios: efficacy-sim run --list. Parameters: efficacy-sim params.",
    )
    p.add_argument("scenario", nargs="?", help="TOML file or shipped scenario name (default: the defaults)")
    p.add_argument("--agents", type=declared("agents"), metavar="N", help="number of learners")
    p.add_argument("--steps", type=declared("steps"), metavar="N", help="number of steps")
    p.add_argument("--seed", type=declared("seed"), metavar="N", help="seed of the run")
    p.add_argument("--out", metavar="DIR", help="output directory (default: results/<scenario name>)")
    p.add_argument(
        "--set",
        dest="changes",
        type=parse_assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change any config path, e.g. learn_rate=0.1, shocks[0].step=5, schedule[0].kind=adaptive (repeatable)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: only for runs of more than 2 million agent-steps)",
    )
    p.add_argument("--list", action="store_true", help="list the shipped scenarios and exit")
    p.set_defaults(func=run)


def build_config(args: argparse.Namespace):
    """The validated config the arguments describe (raises ConfigError before any work)."""
    from sim.config import Config
    from sim.runner import load_scenario

    config = load_scenario(args.scenario) if args.scenario else Config.default()
    changes: dict[str, Any] = dict(args.changes)
    for key in ("agents", "steps", "seed"):
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key)
    return config.with_values(changes) if changes else config


def check_run_size(config: Any) -> None:
    """Refuse a run over the declared limits (:mod:`sim.limits`) before anything is allocated."""
    from sim.engine.run import STATE_BYTES_PER_AGENT
    from sim.errors import ConfigError
    from sim.limits import MAX_AGENT_STEPS, MAX_MEMORY_BYTES

    agent_steps = config.agents * config.steps
    if agent_steps > MAX_AGENT_STEPS:
        raise ConfigError(
            "agent-steps",
            agent_steps,
            f"at most {MAX_AGENT_STEPS:,} per run (sim.limits.MAX_AGENT_STEPS)",
            "agents x steps",
        )
    memory = config.agents * (STATE_BYTES_PER_AGENT + 400) + config.steps * 1_000
    if memory > MAX_MEMORY_BYTES:
        raise ConfigError(
            "memory",
            f"{memory / 2**30:.1f} GiB",
            f"an estimated working memory of at most {MAX_MEMORY_BYTES / 2**30:g} GiB (sim.limits.MAX_MEMORY_BYTES)",
            "fewer agents",
        )


def run(args: argparse.Namespace) -> int:
    from sim.runner import check_out_dir, shipped_scenarios

    if args.list:
        for name, description in shipped_scenarios().items():
            print(f"{name:16s} {description}")
        return 0
    config = build_config(args)
    check_run_size(config)
    out = check_out_dir(args.out if args.out else Path("results") / config.name)
    print(
        f"efficacy-sim run: {config.name}: {config.agents:,} agents x {config.steps:,} steps, seed {config.seed} "
        f"(config {config.digest()})",
        file=sys.stderr,
    )
    res = write_run(config, out, progress=args.progress)
    print(format_summary(res.summary, res.out_dir))
    return 0


def write_run(config: Any, out: Path, progress: bool | None = None) -> Any:
    """Run ``config`` into a temporary sibling folder, then move its files into ``out`` at once.

    So ``out`` never mixes two runs: killed mid-write, it keeps the previous run's files (the next run
    removes the temporary folder). When ``out`` holds only a run's files, the whole folder is swapped by
    two renames; when it also holds other files (yours, kept), each file is renamed into place.

    Raises
    ------
    StoreError
        When the files cannot be written (full disk, read-only folder): ``out`` is unchanged.
    """
    import dataclasses
    import os
    import shutil
    import uuid

    from sim.errors import StoreError, os_problem
    from sim.runner import FILES, run_scenario

    def staged(tag: str) -> Path:
        return out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.{tag}.tmp"

    ours = set(FILES)
    for old in out.parent.glob(f".{glob_escape(out.name)}.*.tmp") if out.parent.is_dir() else ():
        if old.is_dir() and {p.name for p in old.iterdir()} <= ours:  # a killed run's folder: only our files
            shutil.rmtree(old, ignore_errors=True)
    stage = staged("new")
    todo = f"free space or fix the folder's permissions and run again; {out} is unchanged"
    try:
        stage.mkdir(parents=True)
        res = run_scenario(config, stage, progress=progress)
        if not out.exists():
            os.rename(stage, out)
        elif {p.name for p in out.iterdir()} <= ours:
            old = staged("old")
            os.rename(out, old)
            os.rename(stage, out)
            shutil.rmtree(old)
        else:
            for name in FILES:
                os.replace(stage / name, out / name)
            stage.rmdir()
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise StoreError(out, f"the run's files cannot be written ({os_problem(exc)})", todo) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    paths = {f.name: getattr(res, f.name) for f in dataclasses.fields(res) if f.name.endswith("_path")}
    moved = {k: out / v.name for k, v in paths.items()}
    return dataclasses.replace(res, out_dir=out, **moved)


def glob_escape(name: str) -> str:
    """``name`` with glob wildcards escaped (a scenario name may hold ``[`` or ``*``)."""
    import glob

    return glob.escape(name)


def format_summary(s: dict[str, Any], out_dir: Path) -> str:
    """A few lines a person can read: start -> end of the main outcomes, and where the files are."""

    def f(x: Any) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    lines = [f"{s['scenario']}: {s['agents']:,} agents, {s['steps']:,} steps, seed {s['seed']}"]
    for key, label in (
        ("efficacy_mean", "efficacy (mean)"),
        ("skill_mean", "skill (mean)"),
        ("calibration_mean", "efficacy - skill"),
        ("arousal_mean", "arousal (mean)"),
    ):
        lines.append(f"  {label:22s} {f(s[key][0])} -> {f(s[key][1])}")
    lines.append(f"  {'success rate (all)':22s} {f(s['success_rate_overall'])}")
    lines.append(f"  {'attempts per agent':22s} {f(s['attempts_per_agent'])}")
    lines.append(f"  {'disengaged at end':22s} {f(s['disengaged_share_final'])}")
    lines.append(f"  took {s['seconds']:.2f} s (including any first-time compilation)")
    lines.append(f"wrote {out_dir}/: series.parquet agents.parquet timeseries.png run.json")
    return "\n".join(lines)
