"""Summary statistics of a learner x wave panel: the numbers calibration compares.

One function, :func:`summarise`, computes every statistic for every study of a panel, whether the
panel is a researcher's data or thousands of simulated studies: the same code on both sides is what
makes the comparison fair. It works on dense ``(studies, learners, waves)`` arrays
(:func:`summarise_arrays`), vectorised with NumPy, because calibration calls it on thousands of
simulated panels. The pandas functions below it (:func:`between_person_r`, :func:`cross_lagged`,
...) are the readable versions the longitudinal experiment reports; tests check that both agree.

Which rows count: a learner is measured at a wave when the panel has a row for it, both scores are
numbers, and (by default) the learner is not marked ``disengaged``, i.e. has not dropped out. A real
study does not measure dropouts; the simulated panel marks them instead of deleting them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.errors import ConfigError

STATISTICS: dict[str, str] = {
    "between_r": "between-person correlation of efficacy and performance: each learner's mean over the waves "
    "they were measured at, correlated across learners",
    "P_to_E": "cross-lagged path performance -> next-wave efficacy, controlling earlier efficacy (standardised "
    "beta of E[w+1] ~ E[w] + P[w], averaged over consecutive wave pairs)",
    "E_to_P": "cross-lagged path efficacy -> next-wave performance, controlling earlier performance (beta of "
    "P[w+1] ~ P[w] + E[w], averaged over wave pairs)",
    "E_stability": "autoregressive path of efficacy (beta of E[w] in E[w+1] ~ E[w] + P[w], averaged over wave pairs)",
    "P_stability": "autoregressive path of performance (beta of P[w] in P[w+1] ~ P[w] + E[w], averaged)",
    "P_to_E_within": "P_to_E after removing each learner's mean over the waves (within-person; biased downward "
    "with few waves, Nickell 1981)",
    "E_to_P_within": "E_to_P after removing each learner's mean over the waves (within-person)",
    "r_mean": "cross-sectional correlation of efficacy and performance averaged over the waves: the analogue of "
    "a meta-analytic average of single-occasion correlations (Stajkovic & Luthans 1998)",
    "r_first": "cross-sectional correlation of efficacy and performance at the first wave",
    "r_last": "cross-sectional correlation of efficacy and performance at the last wave",
    "r_w{w}": "cross-sectional correlation of efficacy and performance at wave w",
    "mean_efficacy_w{w}": "mean efficacy score at wave w (points)",
    "sd_efficacy_w{w}": "SD of the efficacy score across learners at wave w (points)",
    "mean_performance_w{w}": "mean performance score at wave w (points)",
    "sd_performance_w{w}": "SD of the performance score across learners at wave w (points)",
    "dropout_w{w}": "share of the study's learners not measured at wave w >= 1 (no row, or disengaged = 1)",
}
"""Every statistic :func:`summarise` returns, by name pattern (``{w}`` = a wave number), with its meaning."""

_PATTERN = re.compile(r"^(r|mean_efficacy|sd_efficacy|mean_performance|sd_performance|dropout)_w(\d+)$")


def statistic_names(waves: int) -> list[str]:
    """The statistics :func:`summarise` returns for a panel of ``waves`` waves, in column order."""
    ws = range(waves)
    names = ["between_r", "P_to_E", "E_to_P", "E_stability", "P_stability", "P_to_E_within", "E_to_P_within"]
    names += ["r_mean", "r_first", "r_last"] + [f"r_w{w}" for w in ws]
    for stat in ("mean_efficacy", "sd_efficacy", "mean_performance", "sd_performance"):
        names += [f"{stat}_w{w}" for w in ws]
    return names + [f"dropout_w{w}" for w in range(1, waves)]


def check_statistic(name: object, waves: int, where: str = "targets.name") -> str:
    """``name`` if :func:`summarise` returns it for ``waves`` waves, else ConfigError with the closest name."""
    valid = statistic_names(waves)
    if isinstance(name, str) and name in valid:
        return name
    m = _PATTERN.match(name) if isinstance(name, str) else None
    if m and int(m.group(2)) >= waves or (m and m.group(1) == "dropout" and int(m.group(2)) == 0):
        first = 1 if m.group(1) == "dropout" else 0
        raise ConfigError(where, name, f"a wave number from {first} to {waves - 1} (the design has {waves} waves)")
    close = difflib.get_close_matches(str(name), valid, n=1, cutoff=0.6)
    patterns = ", ".join(STATISTICS)
    raise ConfigError(where, name, f"a summary statistic: {patterns}", f"did you mean {close[0]!r}?" if close else "")


# ---- the vectorised summaries ---------------------------------------------------------------------
# Internally the arrays are laid out (studies, waves, learners): the reductions over learners then run
# along contiguous memory, several times faster than over the middle axis.
def _masked_moments(x: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean and SD (ddof 1) of ``x`` where ``m``, over the last axis (NaN where too few)."""
    n = m.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(m, x, 0.0).sum(axis=-1) / n
        dev = np.where(m, x - mean[..., None], 0.0)
        sd = np.sqrt(np.einsum("...i,...i->...", dev, dev) / (n - 1))
    return n, mean, sd


def _corr(x: np.ndarray, y: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Pearson correlation of ``x`` and ``y`` where ``m``, over the last axis (NaN below 3 pairs or without spread)."""
    n = m.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dx = np.where(m, x - (np.where(m, x, 0.0).sum(axis=-1) / n)[..., None], 0.0)
        dy = np.where(m, y - (np.where(m, y, 0.0).sum(axis=-1) / n)[..., None], 0.0)
        sxy = np.einsum("...i,...i->...", dx, dy)
        r = sxy / np.sqrt(np.einsum("...i,...i->...", dx, dx) * np.einsum("...i,...i->...", dy, dy))
    return np.where(n >= 3, r, np.nan)


def _zscore_by_wave(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``x`` standardised across learners within each study and wave (an SD of 0 leaves it centred)."""
    _, mean, sd = _masked_moments(x, m)
    sd = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
    return (x - mean[..., None]) / sd[..., None]


def _nanmean_last(b: np.ndarray) -> np.ndarray:
    """Mean over the last axis of the finite values (NaN when there are none)."""
    ok = np.isfinite(b)
    k = ok.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(k > 0, np.where(ok, b, 0.0).sum(axis=-1) / k, np.nan)


def _lagged_paths(e: np.ndarray, p: np.ndarray, m: np.ndarray) -> dict[str, np.ndarray]:
    """Two-wave cross-lagged betas per study and wave pair, then averaged over the pairs -> ``{name: (studies,)}``.

    The regressions ``E[w+1] ~ 1 + E[w] + P[w]`` and ``P[w+1] ~ 1 + E[w] + P[w]`` over the learners
    measured at both waves, with scores standardised within study and wave over everyone measured
    at that wave (as :func:`cross_lagged` does), solved in closed form for two predictors.
    Arrays are ``(studies, waves, learners)``.
    """
    ze, zp = _zscore_by_wave(e, m), _zscore_by_wave(p, m)
    pair = m[:, :-1] & m[:, 1:]
    n = pair.sum(axis=-1)
    dot = lambda a, b: np.einsum("...i,...i->...", a, b)  # noqa: E731
    with np.errstate(invalid="ignore", divide="ignore"):

        def centred(v: np.ndarray) -> np.ndarray:
            v = np.where(pair, v, 0.0)
            return np.where(pair, v - (v.sum(axis=-1) / n)[..., None], 0.0)

        c1, c2, d1, d2 = centred(ze[:, :-1]), centred(zp[:, :-1]), centred(ze[:, 1:]), centred(zp[:, 1:])
        s11, s22, s12 = dot(c1, c1), dot(c2, c2), dot(c1, c2)
        det = s11 * s22 - s12**2

        def betas(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            s1y, s2y = dot(c1, d), dot(c2, d)
            return (s22 * s1y - s12 * s2y) / det, (s11 * s2y - s12 * s1y) / det

        e_stab, p_to_e = betas(d1)
        e_to_p, p_stab = betas(d2)
        ok = (n >= 4) & np.isfinite(det) & (det > 1e-12 * s11 * s22)
    return {
        name: _nanmean_last(np.where(ok, b, np.nan))
        for name, b in (("P_to_E", p_to_e), ("E_to_P", e_to_p), ("E_stability", e_stab), ("P_stability", p_stab))
    }


def summarise_arrays(efficacy: np.ndarray, performance: np.ndarray, enrolled: np.ndarray | None = None) -> dict:
    """Every statistic of :data:`STATISTICS` from dense arrays shaped ``(studies, learners, waves)``.

    Parameters
    ----------
    efficacy, performance : scores, NaN where a learner was not measured at a wave.
    enrolled : ``(studies, learners)`` bool, which learner slots are real learners (studies of
        different sizes are padded); default all. Dropout shares are over enrolled learners.

    Returns
    -------
    dict
        ``{statistic name: array of shape (studies,)}`` in the order of :func:`statistic_names`.
    """
    e = np.asarray(efficacy, dtype=float)
    p = np.asarray(performance, dtype=float)
    if e.ndim != 3 or e.shape != p.shape or e.shape[2] < 2:
        raise ConfigError("summary arrays", e.shape, "two arrays of one shape (studies, learners, waves >= 2)")
    studies, learners, waves = e.shape
    enrolled = np.ones((studies, learners), dtype=bool) if enrolled is None else np.asarray(enrolled, dtype=bool)
    e = np.ascontiguousarray(e.transpose(0, 2, 1))  # (studies, waves, learners)
    p = np.ascontiguousarray(p.transpose(0, 2, 1))
    m = np.isfinite(e) & np.isfinite(p) & enrolled[:, None, :]
    out: dict[str, np.ndarray] = {}

    # between-person: each learner's mean over the waves measured
    k = m.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        me = np.where(m, e, 0.0).sum(axis=1) / k
        mp = np.where(m, p, 0.0).sum(axis=1) / k
    out["between_r"] = _corr(me, mp, k > 0)
    out.update(_lagged_paths(e, p, m))
    within = _lagged_paths(e - me[:, None, :], p - mp[:, None, :], m)
    out["P_to_E_within"], out["E_to_P_within"] = within["P_to_E"], within["E_to_P"]

    r = _corr(e, p, m)  # (studies, waves)
    out["r_mean"] = _nanmean_last(r)
    out["r_first"], out["r_last"] = r[:, 0], r[:, -1]
    for w in range(waves):
        out[f"r_w{w}"] = r[:, w]
    for label, x in (("efficacy", e), ("performance", p)):
        _, mean, sd = _masked_moments(x, m)
        for w in range(waves):
            out[f"mean_{label}_w{w}"] = mean[:, w]
        for w in range(waves):
            out[f"sd_{label}_w{w}"] = sd[:, w]
    n_enrolled = enrolled.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        measured = m.sum(axis=-1)
        for w in range(1, waves):
            out[f"dropout_w{w}"] = 1.0 - measured[:, w] / n_enrolled
    return {name: out[name] for name in statistic_names(waves)}


def panel_arrays(
    panel: pd.DataFrame,
    efficacy: str = "efficacy_report",
    performance: str = "test_score",
    exclude_disengaged: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A tidy panel as dense arrays -> ``(studies, efficacy, performance, enrolled)``.

    ``studies`` holds the study ids (sorted); the score arrays are ``(studies, learners, waves)``
    with NaN where a learner has no row at a wave or (``exclude_disengaged``) is marked disengaged;
    ``enrolled`` is ``(studies, learners)``: which slots are learners (each learner with any row).
    """
    need = ["agent", "wave", efficacy, performance]
    missing = [c for c in need if c not in panel.columns]
    if missing:
        raise ConfigError("panel columns", missing, "columns " + ", ".join(dict.fromkeys(need)))
    if len(panel) == 0:
        raise ConfigError("panel", "no rows", "one row per learner and wave")
    study = panel["study"].to_numpy() if "study" in panel.columns else np.zeros(len(panel), dtype=np.int64)
    agent = panel["agent"].to_numpy()
    wave = panel["wave"].to_numpy().astype(np.int64)
    sc, ids = pd.factorize(study, sort=True)
    agent = agent.astype(np.int64)
    span = int(agent.max()) - int(agent.min()) + 1
    lc, _ = pd.factorize(sc.astype(np.int64) * span + (agent - agent.min()), sort=True)  # by study, then agent
    first = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first, sc, lc)
    slot = lc - first[sc]
    shape = (len(ids), int(slot.max()) + 1, int(wave.max()) + 1)
    e = np.full(shape, np.nan)
    p = np.full(shape, np.nan)
    ev = panel[efficacy].to_numpy(dtype=float)
    pv = panel[performance].to_numpy(dtype=float)
    if exclude_disengaged and "disengaged" in panel.columns:
        gone = panel["disengaged"].to_numpy(dtype=float) == 1
        ev, pv = np.where(gone, np.nan, ev), np.where(gone, np.nan, pv)
    e[sc, slot, wave] = ev
    p[sc, slot, wave] = pv
    enrolled = np.zeros(shape[:2], dtype=bool)
    enrolled[sc, slot] = True
    return np.asarray(ids), e, p, enrolled


def summarise(
    panel: pd.DataFrame,
    efficacy: str = "efficacy_report",
    performance: str = "test_score",
    *,
    exclude_disengaged: bool = True,
) -> pd.DataFrame:
    """Every summary statistic of every study in a panel: one row per study (index ``study``), one column per statistic.

    Parameters
    ----------
    panel : tidy learner x wave panel (:data:`sim.calibration.panel.PANEL_COLUMNS`; ``study`` optional).
    efficacy, performance : the score columns to summarise.
    exclude_disengaged : treat rows with ``disengaged = 1`` as not measured (dropout), as a study
        would not measure a learner who has left; False uses every row's scores.

    Returns
    -------
    DataFrame
        Columns :func:`statistic_names` (``waves`` = highest wave + 1), meanings in :data:`STATISTICS`.
    """
    ids, e, p, enrolled = panel_arrays(panel, efficacy, performance, exclude_disengaged)
    stats = summarise_arrays(e, p, enrolled)
    return pd.DataFrame(stats, index=pd.Index(ids, name="study"))


# ---- the readable pandas versions (the longitudinal experiment reports these) ----------------------------
def _z(x: pd.Series) -> pd.Series:
    sd = x.std()
    return (x - x.mean()) / (sd if sd > 0 else 1.0)


def between_person_r(panel: pd.DataFrame, e: str, p: str) -> pd.DataFrame:
    """Per study: the correlation of learners' mean (over waves) efficacy and performance -> ``[study, r]``."""
    m = panel.groupby(["study", "agent"])[[e, p]].mean()
    rows = [dict(study=s, r=g[e].corr(g[p])) for s, g in m.groupby("study")]
    return pd.DataFrame(rows, columns=["study", "r"])


def cross_sectional_r(panel: pd.DataFrame, e: str, p: str) -> pd.DataFrame:
    """Per study and wave: the correlation of efficacy and performance across learners -> ``[study, wave, r]``."""
    rows = [dict(study=s, wave=w, r=g[e].corr(g[p])) for (s, w), g in panel.groupby(["study", "wave"])]
    return pd.DataFrame(rows, columns=["study", "wave", "r"])


def cross_lagged(panel: pd.DataFrame, e: str, p: str, within: bool = False) -> pd.DataFrame:
    """Two-wave cross-lagged regressions for every consecutive wave pair of every study.

    ``E[w+1] ~ E[w] + P[w]`` gives performance -> later efficacy (and efficacy stability);
    ``P[w+1] ~ P[w] + E[w]`` gives efficacy -> later performance. Variables are standardised across
    learners within study and wave, so the paths are standardised betas (SD per SD).

    With ``within=True`` each learner's mean over the waves is first subtracted: the paths then
    describe how a learner's ups and downs follow each other, free of stable differences between
    learners (a fixed-effects stand-in for the random-intercept CLPM of Hamaker et al. 2015; with
    few waves it is biased downward, by about 1 / waves for the stabilities, Nickell 1981).

    Returns
    -------
    DataFrame
        ``[study, wave, E_to_P, P_to_E, E_stability, P_stability]``, ``wave`` = the earlier wave.
    """
    cols = ["study", "wave", "E_to_P", "P_to_E", "E_stability", "P_stability"]
    z = panel[["study", "agent", "wave"]].copy()
    for name, col in (("E", e), ("P", p)):
        v = panel[col] - panel.groupby(["study", "agent"])[col].transform("mean") if within else panel[col]
        z[name] = v.groupby([panel["study"], panel["wave"]]).transform(_z)
    nxt = z.assign(wave=z["wave"] - 1).rename(columns={"E": "E1", "P": "P1"})
    pairs = z.merge(nxt, on=["study", "agent", "wave"]).dropna()
    rows = []
    for (study, wave), g in pairs.groupby(["study", "wave"]):
        X = np.column_stack([np.ones(len(g)), g["E"], g["P"]])
        be = np.linalg.lstsq(X, g["E1"].to_numpy(), rcond=None)[0]
        bp = np.linalg.lstsq(X, g["P1"].to_numpy(), rcond=None)[0]
        rows.append(dict(study=study, wave=wave, E_to_P=bp[1], P_to_E=be[2], E_stability=be[1], P_stability=bp[2]))
    return pd.DataFrame(rows, columns=cols)


def per_study_paths(lagged: pd.DataFrame) -> pd.DataFrame:
    """Each study's paths averaged over its wave pairs -> ``[study, E_to_P, P_to_E, E_stability, P_stability]``."""
    return lagged.drop(columns="wave").groupby("study", as_index=False).mean()


def check_statistics(names: Sequence[object], waves: int, where: str = "statistics") -> tuple[str, ...]:
    """Every name checked by :func:`check_statistic` (``where[i]`` in messages); duplicates refused."""
    out = tuple(check_statistic(n, waves, f"{where}[{i}]") for i, n in enumerate(names))
    dup = sorted({n for n in out if out.count(n) > 1})
    if dup:
        raise ConfigError(where, dup, "each statistic once")
    return out


__all__ = [
    "STATISTICS",
    "statistic_names",
    "check_statistic",
    "check_statistics",
    "summarise",
    "summarise_arrays",
    "panel_arrays",
    "between_person_r",
    "cross_sectional_r",
    "cross_lagged",
    "per_study_paths",
]
