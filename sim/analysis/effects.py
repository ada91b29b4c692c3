"""The project's one effect-size scale, and bootstrap intervals over replications.

Every finding in the project is reported on ONE scale (docs/glossary in the README, "Effect sizes"):

- for a continuous outcome (efficacy, skill, calibration, arousal, ...): a **standardised difference
  against the SD across agents**, ``(mean_treatment - mean_control) / sd_agents``, where
  ``sd_agents`` is the SD of the outcome across the learners of a run, pooled over the reference
  condition's replications. It reads like Cohen's d in a study of individuals: 0.2 is a fifth of the
  spread between learners;
- for a share of learners (disengaged, in the vicious basin, overconfident): a difference in
  **percentage points**.

The 95% interval is a bootstrap over replications (:func:`scipy.stats.bootstrap`). The paired
``d_z`` (mean paired difference over the SD of the paired differences) is a test statistic whose
size grows with the number of agents per run under common random numbers; it may appear in tables
labelled as such, never as a headline effect.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

SD = "sd"
"""Scale code: standardised difference against the SD across agents."""
PP = "pp"
"""Scale code: difference in percentage points (shares of learners)."""
LEVELS = "levels"
"""Scale code: a raw difference in levels (only for mechanism checks against an analytic value)."""
SCALES = {SD: "SD across agents", PP: "percentage points", LEVELS: "levels"}

CI_LEVEL = 0.95
N_BOOT = 2000


def bootstrap_ci(
    x: Sequence[float] | np.ndarray,
    n_boot: int = N_BOOT,
    ci: float = CI_LEVEL,
    seed: int = 0,
    statistic=np.mean,
) -> tuple[float, float]:
    """Bootstrap CI of ``statistic`` of ``x`` (BCa via :func:`scipy.stats.bootstrap`, percentile if BCa fails).

    NaNs are dropped. Fewer than two values give (nan, nan); values all equal give (value, value).
    """
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return float("nan"), float("nan")
    if np.all(x == x[0]):
        v = float(statistic(x))
        return v, v
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sps.bootstrap(
                (x,), statistic, n_resamples=n_boot, confidence_level=ci, method=method, rng=np.random.default_rng(seed)
            )
        lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
        if np.isfinite(lo) and np.isfinite(hi):
            return lo, hi
    return float("nan"), float("nan")


def mean_ci(x: Sequence[float] | np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """``(mean, lo, hi)`` of per-replicate values, NaNs dropped (the CI is NaN with fewer than 2 values)."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    lo, hi = bootstrap_ci(x, seed=seed)
    return float(x.mean()), lo, hi


def d_z(diffs: Sequence[float] | np.ndarray) -> float:
    """Paired test statistic ``mean / sd`` of the paired differences (not an effect size of the project's scale)."""
    d = np.asarray(diffs, dtype=float)
    d = d[~np.isnan(d)]
    if len(d) < 2:
        return float("nan")
    sd = d.std(ddof=1)
    if sd > 0:
        return float(d.mean() / sd)
    return 0.0 if d.mean() == 0 else float(np.copysign(np.inf, d.mean()))


@dataclass(frozen=True)
class Effect:
    """An effect on the project's scale with its 95% CI over replications.

    Attributes
    ----------
    estimate, lo, hi : the effect and its interval, on ``scale``.
    scale : :data:`SD`, :data:`PP` or :data:`LEVELS`.
    n : number of replications (pairs) behind it.
    raw, raw_lo, raw_hi : the same difference in the outcome's own unit (levels, share, ...).
    ref_sd : the SD across agents the raw difference was divided by (NaN for shares).
    d_z : paired test statistic of the raw differences (a table column, never the headline).
    """

    estimate: float
    lo: float
    hi: float
    scale: str
    n: int
    raw: float = float("nan")
    raw_lo: float = float("nan")
    raw_hi: float = float("nan")
    ref_sd: float = float("nan")
    d_z: float = float("nan")

    def text(self) -> str:
        """E.g. ``"+0.42 SD (95% CI +0.30 to +0.55)"``."""
        unit = {SD: " SD", PP: " pp", LEVELS: " levels"}[self.scale]
        return f"{fmt(self.estimate)}{unit} (95% CI {fmt(self.lo)} to {fmt(self.hi)})"


def pooled_sd(sds: Sequence[float] | np.ndarray) -> float:
    """Root mean square of per-replicate SDs across agents (the pooled within-run SD)."""
    s = np.asarray(sds, dtype=float)
    s = s[np.isfinite(s)]
    return float(np.sqrt(np.mean(s**2))) if s.size else float("nan")


def effect(
    diffs: Sequence[float] | np.ndarray,
    scale: str = SD,
    ref_sd: float | Sequence[float] | np.ndarray | None = None,
    seed: int = 0,
) -> Effect:
    """An :class:`Effect` from per-replicate differences (treatment - control, or any contrast).

    Parameters
    ----------
    diffs : one raw difference per replication (paired on common random numbers, or not).
    scale : :data:`SD` (divide by ``ref_sd``), :data:`PP` (``diffs`` are differences of shares in
        [0, 1], reported x 100), or :data:`LEVELS` (raw, for mechanism checks).
    ref_sd : for :data:`SD`, the SD across agents: one number, or per-replicate SDs that are pooled
        with :func:`pooled_sd`. It is held fixed in the bootstrap (the interval is for the mean
        difference, in units of a fixed reference spread).
    """
    if scale not in SCALES:
        raise ValueError(f"scale = {scale!r} is not allowed: expected one of {sorted(SCALES)}")
    d = np.asarray(diffs, dtype=float)
    d = d[~np.isnan(d)]
    raw, raw_lo, raw_hi = mean_ci(d, seed=seed)
    if scale == SD:
        if ref_sd is None:
            raise ValueError("scale 'sd' needs ref_sd, the SD across agents")
        ref = pooled_sd(np.atleast_1d(np.asarray(ref_sd, dtype=float)))
        k = 1.0 / ref if ref > 0 else float("nan")
    else:
        ref = float("nan")
        k = 100.0 if scale == PP else 1.0
    return Effect(raw * k, raw_lo * k, raw_hi * k, scale, int(d.size), raw, raw_lo, raw_hi, ref, d_z(d))


def paired_effects(
    df: pd.DataFrame,
    value: str,
    scale: str = SD,
    sd: str | None = None,
    condition: str = "condition",
    control: str = "control",
    compared: Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    on: str = "replicate",
) -> pd.DataFrame:
    """Paired effects of every condition against ``control`` on the project's scale, as a tidy frame.

    Parameters
    ----------
    df : one row per (condition, ``on``, ``by`` group), e.g. per-run final values.
    value : outcome column.
    scale : :data:`SD` or :data:`PP` (``value`` a share in [0, 1]).
    sd : for :data:`SD`, the column holding each run's SD of the outcome across agents; the
        reference is the control condition's pooled SD (within each ``by`` group).
    compared : conditions to compare (default: all but ``control``, sorted).
    by : further grouping columns; differences are paired within each group.
    on : pairing column (replicate r of every condition shares its random stream).

    Returns
    -------
    DataFrame
        ``[*by, condition, control, n, effect, lo, hi, scale, raw, raw_lo, raw_hi, ref_sd, d_z]``,
        rows sorted by ``by`` and condition.
    """
    keys = [by] if isinstance(by, str) else list(by or [])
    if scale == SD and sd is None:
        raise ValueError("paired_effects: scale 'sd' needs `sd`, the column of SDs across agents")
    data = df.assign(**{condition: df[condition].astype(str)})
    present = sorted(set(data[condition]))
    if control not in present:
        raise ValueError(f"paired_effects: control {control!r} not among the conditions {present}")
    conds = sorted(c for c in present if c != control) if compared is None else list(compared)
    cols = [*keys, condition, "control", "n", "effect", "lo", "hi", "scale", "raw", "raw_lo", "raw_hi", "ref_sd", "d_z"]
    rows = []
    groups = data.groupby(keys, sort=True) if keys else [((), data)]
    for key, g in groups:
        wide = g.pivot(index=on, columns=condition, values=value)
        ref = g.loc[g[condition] == control, sd].to_numpy(dtype=float) if scale == SD else None
        for c in conds:
            pair = wide[[c, control]].dropna()
            e = effect((pair[c] - pair[control]).to_numpy(), scale, ref)
            row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
            row.update({condition: c, "control": control, **_effect_row(e)})
            rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def _effect_row(e: Effect) -> dict:
    return dict(
        n=e.n,
        effect=e.estimate,
        lo=e.lo,
        hi=e.hi,
        scale=e.scale,
        raw=e.raw,
        raw_lo=e.raw_lo,
        raw_hi=e.raw_hi,
        ref_sd=e.ref_sd,
        d_z=e.d_z,
    )


def fmt(x: float | None, signed: bool = True, digits: int = 2) -> str:
    """A number for reports: fixed decimals (``+0.42``), ``n/a`` when missing; no ``-0.00``."""
    if x is None or not np.isfinite(x):
        return "n/a"
    s = f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    if float(s) == 0.0:
        s = ("+" if signed else "") + f"{0:.{digits}f}"
    return s
