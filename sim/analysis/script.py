"""What every experiment script shares: its command line, its results folder, running its design.

An experiment is a script ``experiments/NAME.py`` with ``main(argv=None) -> Path`` (its results
folder), importing only from the installed package (no ``sys.path`` edits)::

    python experiments/NAME.py [--quick] [--executor auto|serial|processes|dask] [--scheduler ADDR]
                               [--workers N] [--out DIR] [--seed N]

It writes engine data into ``results/NAME/data/`` (git-ignored) and figures, tables, ``summary.md``
and ``findings.csv`` into ``results/NAME/``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.engine.executors import EXECUTORS


def repo_root() -> Path:
    """The repository holding ``results/``: the package's parent when it is a checkout, else the working folder."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "pyproject.toml").is_file() and (here / "experiments").is_dir() else Path.cwd()


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options shared by every experiment.

    Returns
    -------
    argparse.Namespace
        ``quick`` (bool), ``executor`` (str), ``scheduler`` (str or None), ``workers`` (int or None),
        ``out`` (Path or None), ``seed`` (int).
    """
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help="small version (well under a minute on 2 cores)")
    ap.add_argument("--executor", choices=EXECUTORS, default="auto", help="how runs are executed (default: auto)")
    ap.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (implies --executor dask)")
    ap.add_argument("--workers", type=int, default=None, help="number of worker processes (default: all cores)")
    ap.add_argument("--out", type=Path, default=None, help="results folder (default: results/<name>)")
    ap.add_argument("--seed", type=int, default=1, help="experiment seed (default: 1)")
    args = ap.parse_args(argv)
    if args.scheduler:
        args.executor = "dask"
    if args.workers is not None and args.workers < 1:
        ap.error(f"--workers = {args.workers} is not allowed: expected a whole number >= 1")
    if args.seed < 0:
        ap.error(f"--seed = {args.seed} is not allowed: expected a whole number >= 0")
    return args


def results_dir(name: str, args: argparse.Namespace) -> Path:
    """The experiment's results folder, created if needed.

    ``args.out``, else ``results/<name>`` (``results/quick/<name>`` with ``--quick``, so a quick
    try never replaces the full-size results).
    """
    default = repo_root() / "results" / ("quick" if getattr(args, "quick", False) else "") / name
    out = Path(args.out) if getattr(args, "out", None) else default
    out.mkdir(parents=True, exist_ok=True)
    return out


def engine_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for :func:`sim.engine.run_experiment` taken from the command line."""
    return {"executor": args.executor, "workers": args.workers, "scheduler": args.scheduler, "progress": False}


def run(exp: Any, out: Path, args: argparse.Namespace) -> Any:
    """Run an engine experiment into ``out`` and return its results.

    The same experiment resumes where an interrupted run stopped (finished chunks are kept). Data
    from a *different* experiment in ``out`` (this script at other settings, or an older model) is
    replaced: the script owns its data folder and regenerates it, deleting only the files that
    folder's manifest lists (anything else in it is kept).
    """
    from sim.engine import run_experiment
    from sim.engine.store import remove_results
    from sim.errors import ConfigError, StoreError

    kwargs = engine_kwargs(args)
    try:
        return run_experiment(exp, out=str(out), **kwargs)
    except ConfigError as exc:
        if isinstance(exc, StoreError) or exc.field != "out" or not (out / "manifest.json").is_file():
            raise
        print(f"[{exp.name}] {out} holds another version of this experiment: regenerating it", flush=True)
        remove_results(out)
        return run_experiment(exp, out=str(out), **kwargs)


def provenance(res: Any = None, **extra: Any) -> dict[str, Any]:
    """Provenance entries for a summary: the engine manifest's hash, seed and versions, plus ``extra``.

    Wall times are left out on purpose: they change on every run (the manifest keeps them).
    """
    from sim.provenance import package_versions

    prov: dict[str, Any] = {}
    man = getattr(res, "manifest", None) or {}
    for key in ("hash", "seed"):
        if key in man:
            prov["experiment " + key] = man[key]
    prov.update(extra)
    prov["versions"] = man.get("versions") or package_versions(("efficacy-sim", "numpy", "pandas", "mesa"))
    return prov
