"""Statistics over replications: bootstrap summaries, paired differences on common random numbers, effect sizes.

Replicate r of every condition shares its random stream (common random numbers), so conditions are
compared per replicate (paired), which removes the between-replicate noise both share.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.effects import bootstrap_ci  # one implementation, shared with the findings

CONDITION = "condition"


def _by(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def summarise(
    df: pd.DataFrame, by: str | Sequence[str] | None, value: str, n_boot: int = 2000, ci: float = 0.95, seed: int = 0
) -> pd.DataFrame:
    """Mean of ``value`` per group with a bootstrap CI over the rows (typically one row per replicate).

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``n``, ``mean``, ``sd``, ``lo``, ``hi``.
    """
    keys = _by(by)
    groups = df.groupby(keys, sort=True, observed=True, dropna=False) if keys else [((), df)]
    rows = []
    for key, g in groups:
        x = g[value].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        lo, hi = bootstrap_ci(x, n_boot, ci, seed)
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        row.update(
            n=len(x),
            mean=float(x.mean()) if len(x) else float("nan"),
            sd=float(x.std(ddof=1)) if len(x) > 1 else float("nan"),
            lo=lo,
            hi=hi,
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, "n", "mean", "sd", "lo", "hi"])


def effect_size(x: np.ndarray, y: np.ndarray | None = None, paired: bool = False) -> float:
    """Standardised effect of ``x`` over ``y``.

    ``paired`` (or ``y`` None, ``x`` then being the differences): Cohen's d_z = mean(x - y) / sd(x - y).
    Otherwise Cohen's d = (mean x - mean y) / pooled SD. A zero difference with zero spread gives 0;
    a nonzero difference with zero spread gives +-inf; fewer than two values give nan.
    """
    x = np.asarray(x, dtype=float)
    if y is None or paired:
        d = x if y is None else x - np.asarray(y, dtype=float)
        d = d[~np.isnan(d)]
        if len(d) < 2:
            return float("nan")
        return _ratio(d.mean(), d.std(ddof=1))
    y = np.asarray(y, dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    if len(x) < 2 or len(y) < 2:
        return float("nan")
    pooled = np.sqrt(((len(x) - 1) * x.var(ddof=1) + (len(y) - 1) * y.var(ddof=1)) / (len(x) + len(y) - 2))
    return _ratio(x.mean() - y.mean(), pooled)


def _ratio(num: float, den: float) -> float:
    if den > 0:
        return float(num / den)
    return 0.0 if num == 0 else float(np.copysign(np.inf, num))


def paired_difference(
    df: pd.DataFrame,
    value: str,
    condition: str | Sequence[str] | None = None,
    control: str = "control",
    by: str | Sequence[str] | None = None,
    on: str = "replicate",
    n_boot: int = 2000,
    ci: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Paired differences ``condition - control`` of ``value``, matched on ``on`` (common random numbers).

    Parameters
    ----------
    df : one row per (condition, ``on``, ``by`` group), e.g. final series rows or per-run summaries.
    value : column to compare.
    condition : the condition(s) to compare with ``control`` (values of the ``condition`` column; None: all
        others). If ``condition`` names a column of ``df`` instead, that column holds the conditions and
        every other value in it is compared with ``control``.
    control : the reference condition.
    by : further grouping columns (e.g. a varied parameter); differences are paired within each group.
    on : the pairing column (``replicate``: same random stream in every condition).

    Returns
    -------
    DataFrame
        One row per compared condition (and ``by`` group): the condition column, ``control``, ``n`` pairs,
        ``mean`` difference, its ``lo``/``hi`` bootstrap CI, ``sd`` of the differences, ``d_z`` (mean / sd of
        the paired differences) and ``d`` (mean difference / pooled SD of the two conditions).
    """
    column = CONDITION
    if isinstance(condition, str) and condition in df.columns:
        column, condition = condition, None
    if column not in df.columns:
        raise KeyError(f"paired_difference: no {column!r} column in the table")
    present = list(dict.fromkeys(df[column].astype(str)))
    if control not in present:
        raise ValueError(f"paired_difference: control {control!r} not among the conditions {present}")
    if condition is None:
        compared = [c for c in present if c != control]
    else:
        compared = [condition] if isinstance(condition, str) else list(condition)
        missing = [c for c in compared if c not in present]
        if missing:
            raise ValueError(f"paired_difference: conditions {missing} not among {present}")
    keys = _by(by)
    index = [*keys, on]
    df = df.assign(**{column: df[column].astype(str)})
    dup = df.duplicated([column, *index])
    if dup.any():
        raise ValueError(
            f"paired_difference: several rows per ({column}, {', '.join(index)}); pass `by` (e.g. by='step') "
            "or reduce the table to one row per replicate first"
        )
    wide = df.pivot(index=index, columns=column, values=value)
    rows = []
    groups = wide.groupby(level=keys, sort=True) if keys else [((), wide)]
    for key, g in groups:
        for cond in compared:
            pair = g[[cond, control]].dropna()
            diff = (pair[cond] - pair[control]).to_numpy(dtype=float)
            lo, hi = bootstrap_ci(diff, n_boot, ci, seed)
            row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
            row.update(
                {
                    column: cond,
                    "control": control,
                    "n": len(diff),
                    "mean": float(diff.mean()) if len(diff) else float("nan"),
                    "lo": lo,
                    "hi": hi,
                    "sd": float(diff.std(ddof=1)) if len(diff) > 1 else float("nan"),
                    "d_z": effect_size(diff),
                    "d": effect_size(pair[cond].to_numpy(), pair[control].to_numpy()),
                }
            )
            rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, column, "control", "n", "mean", "lo", "hi", "sd", "d_z", "d"])
