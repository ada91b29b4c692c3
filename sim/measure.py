"""Measurement: how a simulated study observes its learners.

The model knows each learner's true efficacy and skill; a study does not. It sees

- a **self-report efficacy scale** (0-100 points, one or more items) with a declared reliability,
  built by classical test theory (Lord & Novick 1968): ``observed = true + error``,
  ``reliability = var(true) / var(observed)``; a ``k``-item scale whose mean has reliability
  ``rho`` has items of reliability ``rho / (k - (k - 1) rho)`` (Spearman-Brown, inverted);
- a **performance test** whose items are tasks of spread difficulty, answered by the model's own
  rules (expectancy, effort, appraisal and arousal, Yerkes-Dodson performance) through one adapter,
  :func:`item_success_probability`;
- a **self-esteem scale** (0-100 points: the POMP score of a ten-item Rosenberg-type scale, reliability
  about .88) of the learner's global self-esteem, built the same way (:func:`self_esteem_scale`);
  with several domains, the self-report is taken per domain by giving it that domain's efficacy
  (:func:`domain_states`);
- a **course-performance record**: the share of the course's tasks a learner succeeded at between
  two waves (avoided tasks count as not done), read from the model's own counters.

Each instrument takes a tidy frame of learner states (one row per ``study, agent, wave``) and
returns a tidy frame with the same keys. Every random draw comes from the measurement's own stream,
derived from the run's seed and the study (never from the model's streams), so measuring never
changes a simulated life and the same call gives the same scores.

The instrument parameters are declared once, with ranges and sources, in
:data:`sim.params.MEASUREMENT_FIELDS`; :class:`Instruments` validates them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ConfigError
from sim.params import LEVEL_MAX, MEASUREMENT_BY_NAME, MEASUREMENT_FIELDS

KEYS = ("study", "agent", "wave")
"""Key columns of every measurement frame (a learner in a study, at a wave)."""
POINTS_PER_LEVEL = 100.0 / LEVEL_MAX
"""Self-report points per level of efficacy: 0 levels -> 0 points, ``LEVEL_MAX`` levels -> 100."""
STREAM_KEY = 0x4D454153  # "MEAS": spawn-key root of the measurement streams (the model's runs use (run,))
_INSTRUMENT_KEYS = {"self_report": 1, "test": 2, "self_esteem": 3}
STATE_COLUMNS = {
    "self_report": ("efficacy",),
    "self_esteem": ("self_esteem",),
    "test": ("efficacy", "skill", "arousal", "arousal_base", "sens_arousal"),
    "course": ("step", "attempts", "successes"),
}
"""State columns each instrument reads (besides :data:`KEYS`)."""


# ---- instrument design -----------------------------------------------------------------------
@dataclass(frozen=True)
class Instruments:
    """The instruments of a study; every field is declared in :data:`sim.params.MEASUREMENT_FIELDS`."""

    self_report_reliability: float = MEASUREMENT_BY_NAME["self_report_reliability"].default
    self_report_items: int = int(MEASUREMENT_BY_NAME["self_report_items"].default)
    self_report_reference_sd: float = MEASUREMENT_BY_NAME["self_report_reference_sd"].default
    test_items: int = int(MEASUREMENT_BY_NAME["test_items"].default)
    test_low: float = MEASUREMENT_BY_NAME["test_low"].default
    test_high: float = MEASUREMENT_BY_NAME["test_high"].default
    self_esteem_reliability: float = MEASUREMENT_BY_NAME["self_esteem_reliability"].default
    self_esteem_items: int = int(MEASUREMENT_BY_NAME["self_esteem_items"].default)
    self_esteem_reference_sd: float = MEASUREMENT_BY_NAME["self_esteem_reference_sd"].default

    def __post_init__(self) -> None:
        for spec in MEASUREMENT_FIELDS:
            object.__setattr__(self, spec.name, spec.check(getattr(self, spec.name), f"measurement.{spec.name}"))
        if self.test_high < self.test_low:
            raise ConfigError("measurement.test_high", self.test_high, f"a number >= test_low = {self.test_low:g}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Instruments:
        """Validated instruments from ``{field: value}``; unknown fields are refused by name."""
        if not isinstance(data, Mapping):
            raise ConfigError("measurement", data, "a table of instrument settings")
        for key in data:
            if key not in MEASUREMENT_BY_NAME:
                raise ConfigError("measurement", key, "a known field: " + ", ".join(MEASUREMENT_BY_NAME))
        return cls(**dict(data))

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @property
    def item_reliability(self) -> float:
        """Reliability of one self-report item (Spearman-Brown, inverted)."""
        return item_reliability(self.self_report_reliability, self.self_report_items)

    @property
    def error_sd(self) -> float:
        """SD of the error of the scale score (points), from the declared reliability and reference SD."""
        return error_sd(self.self_report_reliability, self.self_report_reference_sd)

    @property
    def self_esteem_error_sd(self) -> float:
        """SD of the error of the self-esteem score (points), from its reliability and reference SD."""
        return error_sd(self.self_esteem_reliability, self.self_esteem_reference_sd)

    @property
    def item_difficulties(self) -> np.ndarray:
        """Difficulty (levels) of each test item, evenly spread from ``test_low`` to ``test_high``."""
        return np.linspace(self.test_low, self.test_high, self.test_items)


# ---- classical test theory ---------------------------------------------------------------------
def _check_reliability(rho: float, where: str = "reliability") -> float:
    if isinstance(rho, bool) or not isinstance(rho, (int, float, np.floating)) or not 0.0 < rho < 1.0:
        raise ConfigError(where, rho, "a number strictly between 0 and 1")
    return float(rho)


def spearman_brown(rho: float, k: float) -> float:
    """Reliability of a test ``k`` times as long as one of reliability ``rho``: ``k rho / (1 + (k - 1) rho)``."""
    rho = _check_reliability(rho)
    if not k > 0:
        raise ConfigError("k", k, "a length factor > 0")
    return k * rho / (1.0 + (k - 1.0) * rho)


def item_reliability(rho: float, k: int) -> float:
    """Reliability of each of ``k`` parallel items whose mean has reliability ``rho``: ``rho / (k - (k - 1) rho)``."""
    return spearman_brown(rho, 1.0 / k)


def error_sd(rho: float, true_sd: float) -> float:
    """Error SD giving reliability ``rho`` when the true-score SD is ``true_sd``: ``true_sd sqrt((1 - rho) / rho)``."""
    rho = _check_reliability(rho)
    if not true_sd > 0:
        raise ConfigError("true_sd", true_sd, "a number > 0")
    return float(true_sd * np.sqrt((1.0 - rho) / rho))


def reliability(true: np.ndarray | pd.Series, observed: np.ndarray | pd.Series) -> float:
    """Reliability in a sample: the squared correlation of true and observed scores (NaN below 3 values or without spread).

    Under classical test theory ``corr(T, X)^2 = var(T) / var(X)`` (Lord & Novick 1968); the
    correlation form is the better sample estimate: it is not inflated when the response scale's
    floor or ceiling (0 or 100 points) shrinks the observed variance, and it varies less.
    """
    t, o = np.asarray(true, dtype=float), np.asarray(observed, dtype=float)
    ok = np.isfinite(t) & np.isfinite(o)
    t, o = t[ok], o[ok]
    if t.size < 3 or np.ptp(t) == 0 or np.ptp(o) == 0:
        return float("nan")
    return float(np.corrcoef(t, o)[0, 1] ** 2)


def cronbach_alpha(items: np.ndarray | pd.DataFrame) -> float:
    """Cronbach's (1951) alpha of a respondents x items matrix (KR-20 for 0/1 items); NaN below 2 items."""
    x = np.asarray(items, dtype=float)
    x = x[np.isfinite(x).all(axis=1)]
    k = x.shape[1] if x.ndim == 2 else 0
    if k < 2 or len(x) < 2:
        return float("nan")
    total = x.sum(axis=1).var(ddof=1)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - x.var(axis=0, ddof=1).sum() / total))


# ---- inputs and streams --------------------------------------------------------------------------
def _require(states: pd.DataFrame, instrument: str) -> pd.DataFrame:
    if not isinstance(states, pd.DataFrame):
        raise ConfigError("states", type(states).__name__, "a DataFrame with one row per study, agent and wave")
    need = (*KEYS, *STATE_COLUMNS[instrument])
    missing = [c for c in need if c not in states.columns]
    if missing:
        raise ConfigError(f"states (for {instrument})", missing, "columns " + ", ".join(need))
    if states.duplicated(list(KEYS)).any():
        raise ConfigError("states", "duplicate rows", "one row per study, agent and wave")
    return states.sort_values(list(KEYS), kind="mergesort").reset_index(drop=True)


def stream(seed: int, instrument: str, study: int) -> np.random.Generator:
    """The measurement generator of ``instrument`` in ``study`` of an experiment with seed ``seed``.

    Its spawn key starts with :data:`STREAM_KEY`, which no model run uses, so a study's measurement
    draws are independent of its simulated life and of every other study and instrument.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError("seed", seed, "a whole number >= 0")
    key = (STREAM_KEY, _INSTRUMENT_KEYS[instrument], int(study))
    return np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=key))


def states_from_snapshots(snapshots: pd.DataFrame, steps: list[int] | tuple[int, ...]) -> pd.DataFrame:
    """Learner states at the measurement waves from the engine's snapshot table.

    ``steps`` are the snapshot steps measured, in order: wave ``w`` is ``steps[w]``. The engine's
    ``replicate`` becomes ``study``.
    """
    steps = sorted(int(s) for s in steps)
    have = set(snapshots["step"].unique())
    if not set(steps) <= have:
        raise ConfigError("steps", sorted(set(steps) - have), f"snapshot steps among {sorted(have)}")
    s = snapshots[snapshots["step"].isin(steps)].copy()
    s["study"] = s["replicate"].astype(int)
    s["wave"] = s["step"].map({v: i for i, v in enumerate(steps)}).astype(int)
    s["agent"] = s["agent"].astype(int)
    return s.sort_values(list(KEYS), kind="mergesort").reset_index(drop=True)


def states_from_state(state: Any, step: int, wave: int = 0, domains: Any = None) -> pd.DataFrame:
    """Learner states from a live batch state (:class:`sim.state.State`, arrays shaped runs x agents).

    For measuring a running model (the dashboard): run ``r`` becomes study ``r``; every column any
    instrument reads is taken from the state. With ``domains`` (a batch's
    :class:`~sim.multidomain.DomainState`) the frame also has ``self_esteem`` and, per domain,
    ``efficacy[<name>]`` and ``skill[<name>]`` (see :func:`domain_states`).
    """
    runs, agents = state.efficacy.shape
    cols = {c for need in STATE_COLUMNS.values() for c in need} - {"step", "self_esteem"}
    out = pd.DataFrame(
        {
            "study": np.repeat(np.arange(runs), agents),
            "agent": np.tile(np.arange(agents), runs),
            "wave": int(wave),
            "step": int(step),
        }
    )
    for c in sorted(cols):
        out[c] = np.asarray(getattr(state, c)).reshape(-1)
    if domains is not None:
        out["self_esteem"] = domains.self_esteem.reshape(-1)
        for j, name in enumerate(domains.names):
            out[f"efficacy[{name}]"] = domains.efficacy[:, :, j].reshape(-1)
            out[f"skill[{name}]"] = domains.skill[:, :, j].reshape(-1)
    return out


# ---- the model's rules for a test item: the ONE adapter to sim.mechanisms --------------------------
def item_success_probability(
    efficacy: np.ndarray,
    skill: np.ndarray,
    arousal: np.ndarray,
    arousal_base: np.ndarray,
    sens_arousal: np.ndarray,
    difficulty: np.ndarray,
    params: Mapping[str, float],
) -> np.ndarray:
    """Chance that a learner solves a task of ``difficulty`` when made to attempt it, by the model's rules.

    The single place where measurement calls the mechanisms (their signatures may change; adjust
    only here, and in :mod:`sim.item_response`, which composes them): expectancy and effort from
    efficacy (motivational intensity: little effort on items judged out of reach), threat appraisal
    and one step of arousal from the learner's current arousal facing the item, Yerkes-Dodson
    efficiency, then the success chance from skill. Arrays broadcast (learners as rows, items as
    columns). One compiled ufunc of the step's per-agent rules, so the scores do not depend on the
    processor.
    """
    from sim import item_response

    p = [params[name] for name in item_response.PARAMETERS]
    return item_response.success(efficacy, skill, arousal, arousal_base, sens_arousal, difficulty, *p)


# ---- instruments -----------------------------------------------------------------------------------
def self_report_items(
    states: pd.DataFrame, design: Instruments, seed: int, reference_sd: Mapping[int, float] | None = None
) -> pd.DataFrame:
    """Item responses of the self-report efficacy scale, long format.

    Each item is ``true + error`` on the 0-100 scale (``true`` = efficacy x :data:`POINTS_PER_LEVEL`),
    with error SD ``error_sd x sqrt(k)`` (so the mean of ``k`` items has the declared reliability in
    the reference population), rounded to whole points and kept within 0-100 (the response format
    of Bandura's 0-100 confidence scales). ``reference_sd`` maps a study to the reference SD its scale
    is normed on, overriding ``design.self_report_reference_sd`` (calibration norms each simulated
    study on its own sample).

    Returns
    -------
    DataFrame
        ``[study, agent, wave, item, response]``, one row per learner, wave and item.
    """
    s = _require(states, "self_report")
    k = design.self_report_items
    sd_item = design.error_sd * np.sqrt(k)
    true = s["efficacy"].to_numpy(dtype=float) * POINTS_PER_LEVEL
    resp = np.empty((len(s), k))
    for study, idx in s.groupby("study", sort=True).indices.items():
        rng = stream(seed, "self_report", study)
        sd = (
            sd_item
            if reference_sd is None
            else error_sd(design.self_report_reliability, reference_sd[study]) * np.sqrt(k)
        )
        resp[idx] = true[idx, None] + rng.normal(0.0, sd, (len(idx), k))
    resp = np.clip(np.rint(resp), 0.0, 100.0)
    out = s.loc[s.index.repeat(k), list(KEYS)].reset_index(drop=True)
    out["item"] = np.tile(np.arange(1, k + 1), len(s))
    out["response"] = resp.ravel().astype(int)
    return out


def self_report(
    states: pd.DataFrame, design: Instruments, seed: int, reference_sd: Mapping[int, float] | None = None
) -> pd.DataFrame:
    """Self-reported efficacy: the mean of the scale's items (0-100), beside the true score (``reference_sd``
    as in :func:`self_report_items`).

    Returns
    -------
    DataFrame
        ``[study, agent, wave, efficacy_report, efficacy_true_points]``.
    """
    s = _require(states, "self_report")
    items = self_report_items(s, design, seed, reference_sd)
    score = items["response"].to_numpy(dtype=float).reshape(len(s), design.self_report_items).mean(axis=1)
    out = s[list(KEYS)].copy()
    out["efficacy_report"] = score
    out["efficacy_true_points"] = s["efficacy"].to_numpy(dtype=float) * POINTS_PER_LEVEL
    return out


def self_esteem_items(states: pd.DataFrame, design: Instruments, seed: int) -> pd.DataFrame:
    """Item responses of the self-esteem scale, long format, as :func:`self_report_items` (true = 100 x self-esteem).

    Returns
    -------
    DataFrame
        ``[study, agent, wave, item, response]``.
    """
    s = _require(states, "self_esteem")
    k = design.self_esteem_items
    sd_item = design.self_esteem_error_sd * np.sqrt(k)
    true = s["self_esteem"].to_numpy(dtype=float) * 100.0
    resp = np.empty((len(s), k))
    for study, idx in s.groupby("study", sort=True).indices.items():
        resp[idx] = true[idx, None] + stream(seed, "self_esteem", study).normal(0.0, sd_item, (len(idx), k))
    resp = np.clip(np.rint(resp), 0.0, 100.0)
    out = s.loc[s.index.repeat(k), list(KEYS)].reset_index(drop=True)
    out["item"] = np.tile(np.arange(1, k + 1), len(s))
    out["response"] = resp.ravel().astype(int)
    return out


def self_esteem_scale(states: pd.DataFrame, design: Instruments, seed: int) -> pd.DataFrame:
    """Measured global self-esteem: the mean of the scale's items (0-100), beside the true score.

    Returns
    -------
    DataFrame
        ``[study, agent, wave, self_esteem_report, self_esteem_true_points]``.
    """
    s = _require(states, "self_esteem")
    items = self_esteem_items(s, design, seed)
    score = items["response"].to_numpy(dtype=float).reshape(len(s), design.self_esteem_items).mean(axis=1)
    out = s[list(KEYS)].copy()
    out["self_esteem_report"] = score
    out["self_esteem_true_points"] = s["self_esteem"].to_numpy(dtype=float) * 100.0
    return out


def domain_states(states: pd.DataFrame, domain: str) -> pd.DataFrame:
    """The states as seen in one domain: columns ``efficacy[<domain>]``, ``skill[<domain>]`` become ``efficacy``, ``skill``.

    So every instrument (the self-report, the test) measures that domain; other columns are kept.
    """
    cols = {f"{c}[{domain}]": c for c in ("efficacy", "skill")}
    missing = [c for c in cols if c not in states.columns]
    if missing:
        raise ConfigError("domain", domain, "a domain with columns " + ", ".join(cols), f"missing {missing}")
    return states.drop(columns=[c for c in cols.values() if c in states.columns]).rename(columns=cols)


def performance_test(states: pd.DataFrame, design: Instruments, params: Mapping[str, float], seed: int) -> pd.DataFrame:
    """The performance test: every learner attempts every item; each is solved with the model's success chance.

    Returns
    -------
    DataFrame
        ``[study, agent, wave, test_score, test_true_score]``: percent of items solved, and its
        expectation (the classical true score: mean success chance x 100).
    """
    s = _require(states, "test")
    d = design.item_difficulties[None, :]
    col = lambda c: s[c].to_numpy(dtype=float)[:, None]  # noqa: E731
    p = item_success_probability(
        col("efficacy"), col("skill"), col("arousal"), col("arousal_base"), col("sens_arousal"), d, params
    )
    solved = np.empty(p.shape, dtype=bool)
    for study, idx in s.groupby("study", sort=True).indices.items():
        solved[idx] = stream(seed, "test", study).random((len(idx), design.test_items)) < p[idx]
    out = s[list(KEYS)].copy()
    out["test_score"] = 100.0 * solved.mean(axis=1)
    out["test_true_score"] = 100.0 * p.mean(axis=1)
    return out


def course_record(states: pd.DataFrame) -> pd.DataFrame:
    """What a course records between consecutive waves, from the model's counters (no draws).

    ``course_tasks`` is the number of steps (one course task each) since the previous wave,
    ``course_attempted`` and ``course_succeeded`` how many of them the learner attempted and
    succeeded at (as reported: handed successes count, shocks count as failures);
    ``course_grade`` = 100 x succeeded / tasks (avoided tasks count as not done) and
    ``course_success_rate`` = succeeded / attempted. NaN at a study's first wave.

    Returns
    -------
    DataFrame
        ``[study, agent, wave, course_tasks, course_attempted, course_succeeded, course_grade, course_success_rate]``.
    """
    s = _require(states, "course")
    g = s.groupby(["study", "agent"], sort=False)
    tasks = g["step"].diff()
    att = g["attempts"].diff()
    suc = g["successes"].diff()
    out = s[list(KEYS)].copy()
    out["course_tasks"] = tasks
    out["course_attempted"] = att
    out["course_succeeded"] = suc
    out["course_grade"] = 100.0 * suc / tasks.where(tasks > 0)
    out["course_success_rate"] = suc / att.where(att > 0)
    return out


def measure(states: pd.DataFrame, design: Instruments, params: Mapping[str, float], seed: int) -> pd.DataFrame:
    """Every instrument at once: one row per learner and wave (the keys, then the instruments' columns)."""
    out = self_report(states, design, seed)
    for part in (performance_test(states, design, params, seed), course_record(states)):
        out = out.merge(part, on=list(KEYS), how="left", validate="one_to_one")
    return out


def instrument_reliability(panel: pd.DataFrame, items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reliability of the instruments in each study and wave, as a study would report it, beside the truth.

    Parameters
    ----------
    panel : output of :func:`measure` (or a frame with its self-report and test columns).
    items : output of :func:`self_report_items`, for Cronbach's alpha (omitted: alpha is NaN).

    Returns
    -------
    DataFrame
        ``[study, wave, n, self_report_reliability, self_report_alpha, test_reliability]``:
        the reliability (:func:`reliability`) of the self-report and the test, and the alpha a study
        would compute from the items.
    """
    rows = []
    alpha = {}
    if items is not None:
        for (study, wave), g in items.groupby(["study", "wave"], sort=True):
            alpha[(study, wave)] = cronbach_alpha(g.pivot(index="agent", columns="item", values="response"))
    for (study, wave), g in panel.groupby(["study", "wave"], sort=True):
        rows.append(
            dict(
                study=study,
                wave=wave,
                n=len(g),
                self_report_reliability=reliability(g["efficacy_true_points"], g["efficacy_report"]),
                self_report_alpha=alpha.get((study, wave), float("nan")),
                test_reliability=reliability(g["test_true_score"], g["test_score"]),
            )
        )
    return pd.DataFrame(
        rows, columns=["study", "wave", "n", "self_report_reliability", "self_report_alpha", "test_reliability"]
    )


__all__ = [
    "KEYS",
    "POINTS_PER_LEVEL",
    "Instruments",
    "spearman_brown",
    "item_reliability",
    "error_sd",
    "reliability",
    "cronbach_alpha",
    "stream",
    "states_from_snapshots",
    "states_from_state",
    "item_success_probability",
    "self_report_items",
    "self_report",
    "self_esteem_items",
    "self_esteem_scale",
    "domain_states",
    "performance_test",
    "course_record",
    "measure",
    "instrument_reliability",
]
