"""Shared conventions of the experiment scripts in ``experiments/``.

Every experiment is a script ``experiments/NAME.py`` with ``main(argv=None) -> Path`` (returns its results folder)
and ``if __name__ == "__main__": main()``. It runs as it is::

    python experiments/NAME.py [--quick] [--executor auto|serial|processes|dask] [--scheduler ADDR] [--workers N]
                               [--out DIR] [--seed N]

and writes engine data into ``results/NAME/data/`` (git-ignored), figures (PNG + SVG) and ``summary.md`` into
``results/NAME/``. A script imports this module after putting the repository root on ``sys.path``::

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from experiments.common import parse_args, results_dir, save_figure, effect_line, verdict, write_summary
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: scripts and tests never open windows

import numpy as np  # noqa: E402

from sim.engine.executors import EXECUTORS  # noqa: E402  (re-exported for run_all)

REPO = Path(__file__).resolve().parents[1]
"""Repository root (results/ lives here unless --out says otherwise)."""


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options shared by every experiment.

    Parameters
    ----------
    description : one-line description shown by ``--help``.
    argv : arguments (default: ``sys.argv[1:]``).

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
    default = REPO / "results" / ("quick" if getattr(args, "quick", False) else "") / name
    out = Path(args.out) if getattr(args, "out", None) else default
    out.mkdir(parents=True, exist_ok=True)
    return out


def engine_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for ``sim.engine.run_experiment`` taken from the command line."""
    return {"executor": args.executor, "workers": args.workers, "scheduler": args.scheduler, "progress": False}


def save_figure(fig: Any, out: Path, stem: str) -> list[Path]:
    """Write ``stem.png`` (dpi 120) and ``stem.svg`` into ``out`` and close the figure.

    Returns
    -------
    list of Path
        ``[png, svg]``.
    """
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.png", out / f"{stem}.svg"]
    # a fixed SVG hash salt and no date keep re-runs byte-stable, so git diffs show real changes only
    fig.savefig(paths[0], dpi=120, bbox_inches="tight")
    with matplotlib.rc_context({"svg.hashsalt": "efficacy-sim"}):
        fig.savefig(paths[1], bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return paths


def _num(x: float, signed: bool = True) -> str:
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x:+.3g}" if signed else f"{x:.3g}"


def effect_line(label: str, estimate: float, lo: float, hi: float, unit: str = "") -> str:
    """One effect with its 95% CI, e.g. ``"label: +0.42 (95% CI +0.30 to +0.55)"``."""
    u = f" {unit}" if unit else ""
    return f"{label}: {_num(estimate)}{u} (95% CI {_num(lo)} to {_num(hi)}{u})"


def verdict(name: str, appeared: bool, strength: str) -> str:
    """A plain-language verdict line, e.g. ``"**Matthew effect** - pattern appeared: yes (strong: ...)"``."""
    return f"**{name}** - pattern appeared: {'yes' if appeared else 'no'} ({strength})"


def strength_word(d: float) -> str:
    """Conventional label for a standardised effect size |d| (Cohen 1988)."""
    a = abs(d) if d is not None and np.isfinite(d) else 0.0
    return "negligible" if a < 0.2 else "small" if a < 0.5 else "medium" if a < 0.8 else "large"


def bootstrap_mean_ci(
    values: Sequence[float], n_boot: int = 2000, ci: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of per-replicate values with a percentile bootstrap CI (for estimates that are not table columns).

    Returns
    -------
    tuple
        ``(mean, lo, hi)``; NaN values are dropped, and with fewer than 2 values the CI is NaN.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    if v.size < 2:
        return float(v.mean()), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    boots = v[rng.integers(0, v.size, (n_boot, v.size))].mean(axis=1)
    a = (1.0 - ci) / 2.0
    return float(v.mean()), float(np.quantile(boots, a)), float(np.quantile(boots, 1.0 - a))


def write_summary(
    out: Path,
    title: str,
    sections: list[tuple[str, str]],
    figures: list[Path],
    provenance: dict[str, Any],
) -> Path:
    """Write ``summary.md``: the sections (heading, Markdown body), links to figures and a provenance footer.

    Parameters
    ----------
    out : results folder.
    title : top heading.
    sections : ``[(heading, body), ...]`` in order.
    figures : figure files (PNG ones are embedded, others linked), paths relative to ``out`` where possible.
    provenance : e.g. ``{"config hash": ..., "seed": ..., "replications": ..., "versions": {...}, "command": ...}``.

    Returns
    -------
    Path
        The summary file.
    """
    lines = [f"# {title}", ""]
    for head, body in sections:
        lines += [f"## {head}", "", body.strip(), ""]
    pngs = [Path(f) for f in figures if Path(f).suffix == ".png"]
    if pngs:
        lines += ["## Figures", ""]
        for f in pngs:
            rel = os.path.relpath(f, out)
            svg = Path(rel).with_suffix(".svg").as_posix()
            lines += [f"![{f.stem}]({Path(rel).as_posix()})", "", f"*{f.stem}* ([SVG]({svg}))", ""]
    lines += ["---", "", "Provenance:", ""]
    for k, v in provenance.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a} {b}" for a, b in v.items() if b is not None)
        lines.append(f"- {k}: {v}")
    lines.append("")
    path = out / "summary.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def base_provenance(res: Any = None, **extra: Any) -> dict[str, Any]:
    """Provenance entries for a summary: the engine manifest's hash/seed/versions when given, plus ``extra``."""
    from sim.provenance import package_versions

    prov: dict[str, Any] = {}
    man = getattr(res, "manifest", None) or {}
    for key in ("hash", "seed"):
        if key in man:
            prov["experiment " + key] = man[key]
    prov.update(extra)
    prov["versions"] = man.get("versions") or package_versions(("efficacy-sim", "numpy", "pandas", "mesa"))
    return prov


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


def bimodality_coefficient(x: np.ndarray) -> float:
    """Sarle's bimodality coefficient (skew^2 + 1) / (excess kurtosis + 3 (n-1)^2 / ((n-2)(n-3))).

    Values above 5/9 (0.555, the value of a uniform distribution) suggest a bimodal distribution.
    """
    from scipy import stats

    x = np.asarray(x, dtype=float)
    n = x.size
    if n < 4 or np.std(x) == 0:
        return float("nan")
    g = stats.skew(x, bias=False)
    k = stats.kurtosis(x, bias=False)
    return float((g**2 + 1.0) / (k + 3.0 * (n - 1) ** 2 / ((n - 2) * (n - 3))))


def write_effects(out: Path, effects: dict[str, tuple[float, float, float]]) -> Path:
    """Write the headline effects as ``effects.csv`` (effect, estimate, lo, hi) for reports and tests."""
    import pandas as pd

    rows = [dict(effect=k, estimate=v[0], lo=v[1], hi=v[2]) for k, v in effects.items()]
    path = out / "effects.csv"
    pd.DataFrame(rows, columns=["effect", "estimate", "lo", "hi"]).to_csv(path, index=False)
    return path
