"""Where a measured curve peaks, with a bootstrap CI over replications.

Used where an experiment REPORTS a location (the challenge at which skill grows fastest, the arousal
at which success is highest) instead of placing it: the peak is the vertex of the parabola through
the highest point and its two neighbours, and its interval comes from resampling replications.
"""

from __future__ import annotations

import numpy as np

from sim.analysis.effects import bootstrap_ci


def peak_location(x: np.ndarray, y: np.ndarray) -> tuple[float, bool]:
    """Where ``y`` over ``x`` peaks, and whether the peak is interior.

    The vertex of the parabola through the highest point and its two neighbours (in order of ``x``),
    kept between those neighbours. A maximum at the first or last ``x`` is returned as that ``x`` with
    ``False``: no interior peak in the range tried (the curve may still peak outside it). NaN pairs
    are dropped; fewer than three points give ``(nan, False)``.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 3 or np.ptp(x) == 0:
        return float("nan"), False
    o = np.argsort(x, kind="mergesort")
    x, y = x[o], y[o]
    i = int(np.argmax(y))
    if i in (0, x.size - 1):
        return float(x[i]), False
    a, b, _ = np.polyfit(x[i - 1 : i + 2], y[i - 1 : i + 2], 2)
    if a >= 0:  # collinear neighbours: the highest point itself
        return float(x[i]), True
    return float(np.clip(-b / (2 * a), x[i - 1], x[i + 1])), True


def peak_with_ci(x: np.ndarray, y: np.ndarray, seed: int = 0) -> dict[str, float]:
    """Peak of the replicate-mean curve and its 95% bootstrap CI resampling replications (SciPy).

    Parameters
    ----------
    x, y : arrays shaped (replications, points): each replication's x and y at every point of the
        curve (e.g. every staircase, every arousal setting).

    Returns
    -------
    dict
        ``peak``, ``lo``, ``hi`` and ``interior`` (1.0 if the replicate-mean curve peaks inside the
        range tried, 0.0 if at an edge).
    """
    X, Y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if X.shape != Y.shape or X.ndim != 2:
        raise ValueError(f"peak_with_ci: x and y must both be (replications, points), got {X.shape} and {Y.shape}")

    def stat(idx: np.ndarray) -> float:
        i = np.asarray(idx, dtype=int)
        return peak_location(np.nanmean(X[i], axis=0), np.nanmean(Y[i], axis=0))[0]

    reps = np.arange(X.shape[0])
    peak, interior = peak_location(np.nanmean(X, axis=0), np.nanmean(Y, axis=0))
    lo, hi = bootstrap_ci(reps, statistic=stat, seed=seed) if np.isfinite(peak) else (float("nan"), float("nan"))
    return {"peak": peak, "lo": lo, "hi": hi, "interior": float(interior)}
