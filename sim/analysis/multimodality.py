"""Is a distribution multimodal? Hartigan's dip test (the ``diptest`` package).

Sarle's bimodality coefficient fires on skewed one-peaked distributions (a lognormal passes its 5/9
cut); the dip test measures departure from unimodality itself (Hartigan & Hartigan 1985).
"""

from __future__ import annotations

import numpy as np

ALPHA = 0.05


def dip_test(x: np.ndarray) -> tuple[float, float]:
    """``(dip, p)`` of Hartigan's dip test for unimodality; NaNs dropped, (nan, nan) below 4 values or no spread."""
    import diptest

    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 4 or np.ptp(x) == 0:
        return float("nan"), float("nan")
    dip, p = diptest.diptest(x)
    return float(dip), float(p)


def multimodal(x: np.ndarray, alpha: float = ALPHA) -> bool:
    """True when the dip test rejects unimodality at level ``alpha``."""
    _, p = dip_test(x)
    return bool(np.isfinite(p) and p < alpha)
