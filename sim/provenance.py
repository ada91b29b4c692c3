"""Provenance stored with every result: the config, its digest, the seed and the package versions.

Any output file can then be traced back to exactly what produced it and re-run.
"""

from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
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
