"""The ``efficacy-sim`` command line (also ``python -m sim``).

Each subcommand lives in its own module under :mod:`sim.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (called with the parsed
arguments, returning an exit code). Adding a subcommand = writing the module and adding its
name to :data:`COMMANDS`.

Exit codes: 0 success, 2 bad input (argparse errors and :class:`~sim.errors.ConfigError`, reported
as one line naming the field, the value and what is allowed, before any work starts), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

import sim

COMMANDS = ["run", "params", "compare", "sweep", "calibrate", "dashboard"]
"""Subcommand modules in :mod:`sim.commands`, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand in :data:`COMMANDS` registered."""
    parser = argparse.ArgumentParser(
        prog="efficacy-sim",
        description="Agent-based simulation of self-efficacy feedback loops (Bandura).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {sim.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"sim.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), run the subcommand and return its exit code."""
    from sim.errors import ConfigError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"efficacy-sim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("efficacy-sim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
