"""Keep numba's on-disk cache honest for functions that inline the mechanisms.

Numba keys a cached function on its own file's timestamp only, not on the functions it calls, and
the compiled step (:mod:`sim.kernel`) and test items (:mod:`sim.item_response`) inline the
per-agent rules of :mod:`sim.mechanisms`: after editing a rule, their cached machine code would be
stale. :func:`clear_stale_cache` drops it whenever the module or any mechanism module changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def clear_stale_cache(module_file: str) -> None:
    """Remove the cached machine code of the module at ``module_file`` if its source or any
    mechanism's source changed since it was built (call at the top of the module, before its
    compiled functions are defined)."""
    here = Path(module_file)
    sources = sorted((Path(__file__).parent / "mechanisms").glob("*.py")) + [here]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()
    cache = here.parent / "__pycache__"
    stamp = cache / f"{here.stem}.sources.sha256"
    try:
        if stamp.read_text() == digest:
            return
    except OSError:
        pass
    try:
        for f in cache.glob(f"{here.stem}.*.nb[ic]"):
            f.unlink(missing_ok=True)
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:  # a read-only install: numba then does not cache either
        pass
