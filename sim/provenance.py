"""Provenance stored with every result: the config, its digest, the seed and the package versions.

Any output file can then be traced back to exactly what produced it and re-run.
"""

from __future__ import annotations

import ast
import hashlib
import platform
import sys
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.config import Config

PACKAGES = ("efficacy-sim", "numpy", "pandas", "mesa", "pyarrow", "matplotlib", "networkx", "scipy", "dask", "tqdm")
"""Distributions whose versions are recorded (missing ones are recorded as ``None``)."""


def package_versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed versions of Python and the packages that shape a result.

    Returns
    -------
    dict
        ``{"python": "3.12.x", "numpy": "2.x", ...}``; a package that is not installed maps to None.
    """
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


PACKAGE_ROOT = Path(__file__).resolve().parent
NOT_MODEL = ("analysis", "calibration", "commands", "comparison", "cli.py", "docs.py", "__main__.py", "oracle.py")
"""Parts of the package that do not compute an experiment's stored numbers (reports, the command
line, calibration, the per-agent oracle); every other module of ``sim`` counts as the model's code."""


def model_sources(root: Path = PACKAGE_ROOT) -> list[Path]:
    """The modules whose code determines what a run computes and records (sorted)."""
    return sorted(p for p in root.rglob("*.py") if p.relative_to(root).parts[0] not in NOT_MODEL)


def _code_only(source: str, name: str) -> str:
    """The code of a module without its comments and docstrings (string statements), as an AST dump."""
    tree = ast.parse(source, filename=name)
    for node in ast.walk(tree):
        for block in ("body", "orelse", "finalbody"):
            stmts = getattr(node, block, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
                kept = [
                    s
                    for s in stmts
                    if not (
                        isinstance(s, ast.Expr)
                        and isinstance(getattr(s, "value", None), ast.Constant)
                        and isinstance(s.value.value, str)
                    )
                ]
                setattr(node, block, kept or [ast.Pass()])
    return ast.dump(tree)


@cache
def model_fingerprint(root: Path = PACKAGE_ROOT) -> str:
    """A hash of the model's code (:func:`model_sources`), blind to comments, docstrings and layout.

    It is part of every experiment's hash (:meth:`sim.engine.Experiment.digest`), so results stored
    by other code are never resumed or served as this code's: editing a rule changes it, rewording a
    docstring or reformatting does not. Parsing the sources takes a few tenths of a second, so the
    result is kept in ``__pycache__`` under the hash of the files' bytes (any edit recomputes it).
    """
    sources = model_sources(root)
    raw = hashlib.sha256()
    for path in sources:
        raw.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    stamp = root / "__pycache__" / "model.fingerprint"
    try:
        key, value = stamp.read_text().split()
        if key == raw.hexdigest():
            return value
    except (OSError, ValueError):
        pass
    h = hashlib.sha256()
    for path in sources:
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(_code_only(path.read_text(encoding="utf-8"), str(path)).encode() + b"\0")
    value = h.hexdigest()[:16]
    try:
        stamp.parent.mkdir(exist_ok=True)
        stamp.write_text(f"{raw.hexdigest()} {value}\n")
    except OSError:  # a read-only install: compute it each time
        pass
    return value


def check_model(expected: str) -> None:
    """Refuse to compute for a sweep or fit whose model code (``expected``, its fingerprint) differs
    from this process's: a Dask worker on another machine with another version of the package would
    otherwise mix its numbers into the results."""
    here = model_fingerprint()
    if expected != here:
        import socket

        from sim.errors import ConfigError

        raise ConfigError(
            "worker model code",
            here,
            f"the model code of the process that sent the work ({expected})",
            f"worker on {socket.gethostname()}: install the same efficacy-sim on every Dask worker",
        )


def provenance(config: Config, **extra: Any) -> dict[str, Any]:
    """Everything needed to reproduce a result made from ``config``.

    Parameters
    ----------
    config : the validated config the result was made from.
    **extra : further JSON-friendly entries to record (e.g. ``seeds=[...]`` for an experiment).

    Returns
    -------
    dict
        ``config`` (the full dict, re-loadable with :meth:`Config.from_dict`), ``config_digest``,
        ``seed``, ``versions``, ``platform``, ``command`` (argv) and ``created`` (UTC, ISO 8601).
    """
    return {
        "config": config.to_dict(),
        "config_digest": config.digest(),
        "seed": config.seed,
        "versions": package_versions(),
        "platform": platform.platform(),
        "command": list(sys.argv),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
    }
