"""The learner x wave panel: its columns, how it is built from simulated states, and how a user's panel is checked.

A panel is tidy: one row per learner (``agent``) and measurement wave (``wave``), optionally within
independent studies (``study``). The longitudinal experiment exports this format and calibration
reads it, so a researcher's own data and a simulated study go through the same checks and the same
summary statistics (:mod:`sim.calibration.summaries`).

Dropout: a learner who was not measured at a wave simply has no row for it, or has a row with
``disengaged = 1`` (the simulated panels mark learners who stopped attempting course tasks this
way). Scores must not be empty (NaN): delete the row instead.
"""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from sim import measure
from sim.errors import ConfigError
from sim.state import DISENGAGED

PANEL_COLUMNS: dict[str, str] = {
    "study": "study (replication) number; each study is an independent sample of learners",
    "agent": "learner number within the study",
    "wave": "measurement wave (0 = before the first course task, then every `wave_every` tasks)",
    "step": "course tasks done before this wave (the model's step)",
    "efficacy_report": "self-reported efficacy, 0-100 points: mean of the scale's items (what a study sees)",
    "test_score": "performance test, percent of items solved (what a study sees)",
    "course_grade": "course record since the previous wave: percent of course tasks succeeded (avoided = not done; "
    "empty at wave 0)",
    "course_success_rate": "course record: share of attempted course tasks succeeded since the previous wave (0-1)",
    "course_attempted": "course tasks attempted since the previous wave",
    "course_tasks": "course tasks offered since the previous wave",
    "efficacy_true_points": "true efficacy on the report's 0-100 scale (10 points per level; hidden from a study)",
    "test_true_score": "true test score: expected percent solved given the learner's state (hidden)",
    "efficacy_true": "true efficacy, levels 0-10 (hidden)",
    "skill_true": "true skill, levels 0-10 (hidden)",
    "strength_true": "strength of the efficacy belief (hidden)",
    "arousal_true": "arousal, 0-1 (hidden)",
    "disengaged": "true when the learner has stopped attempting course tasks (1/0)",
}
"""The exported panel, column by column (in file order)."""

REQUIRED_COLUMNS: tuple[str, ...] = ("agent", "wave", "efficacy_report", "test_score")
"""What a user's panel must have; every other column of :data:`PANEL_COLUMNS` is optional, others are ignored."""

KEY_COLUMNS: tuple[str, ...] = ("study", "agent", "wave")
"""Whole-number key columns (``study`` is added as 0 when a panel has none)."""

SCORE_RANGES: dict[str, tuple[float, float]] = {
    "efficacy_report": (0.0, 100.0),
    "test_score": (0.0, 100.0),
    "course_grade": (0.0, 100.0),
    "course_success_rate": (0.0, 1.0),
    "efficacy_true_points": (0.0, 100.0),
    "test_true_score": (0.0, 100.0),
}
"""Allowed range of each score column that a panel may carry (checked when present)."""
REQUIRED_SCORES: tuple[str, ...] = ("efficacy_report", "test_score")
"""Score columns that must be filled in every row (the others may be empty, e.g. ``course_grade`` at wave 0)."""

MIN_LEARNERS = 10
"""Fewest learners per study: correlations and regressions over fewer say nothing."""
MAX_PANEL_ROWS = 10_000_000
"""Most rows :func:`read_panel` accepts (a panel is a study's learners x waves, not a log)."""
MAX_PANEL_BYTES = 2_000_000_000
"""Largest panel file :func:`read_panel` opens."""


# ---- building a panel from simulated states ------------------------------------------------------
def norm_instruments(states: pd.DataFrame, design: measure.Instruments) -> measure.Instruments:
    """The design with the self-report's reference SD set to the population's true-score SD (points).

    The pooled within-study, within-wave SD of true efficacy: a study reports the reliability its
    scale has in its own sample, so the scale is normed on the population it measures.
    """
    sd = states.groupby(["study", "wave"])["efficacy"].std().pow(2).mean() ** 0.5 * measure.POINTS_PER_LEVEL
    return dataclasses.replace(design, self_report_reference_sd=round(float(np.clip(sd, 0.1, 50.0)), 2))


def build_panel(states: pd.DataFrame, design: measure.Instruments, params: dict, seed: int) -> pd.DataFrame:
    """The tidy learner x wave panel: every instrument's scores next to the hidden true values.

    ``states`` come from :func:`sim.measure.states_from_snapshots` (or ``states_from_state``);
    columns are :data:`PANEL_COLUMNS`, rows sorted by ``study, agent, wave``.
    """
    m = measure.measure(states, design, params, seed)
    s = states.set_index(list(measure.KEYS))
    truth = pd.DataFrame(
        {
            "step": s["step"].astype(int),
            "efficacy_true": s["efficacy"],
            "skill_true": s["skill"],
            "strength_true": s["strength"],
            "arousal_true": s["arousal"],
            "disengaged": (s["engagement"] == DISENGAGED).astype(int),
        }
    ).reset_index()
    panel = m.merge(truth, on=list(measure.KEYS), validate="one_to_one")
    return panel[list(PANEL_COLUMNS)].sort_values(list(measure.KEYS), kind="mergesort").reset_index(drop=True)


# ---- checking a user's panel ---------------------------------------------------------------------
class _Rows:
    """Where a row of the checked frame is, for a message: its row in the input (data rows count from 1, so
    row n is line n + 1 of a CSV file) and the keys the input has."""

    def __init__(self, df: pd.DataFrame, keys: tuple[str, ...]) -> None:
        self.original = df[list(keys)].copy()  # the user's own identifiers, before any conversion
        self.input_rows = np.arange(len(df))

    def __call__(self, i: int) -> str:
        row = int(self.input_rows[i])
        keys = [f"{k} {v}" for k, v in self.original.iloc[row].items()]
        return f"row {row + 1}" + (f": {', '.join(keys)}" if keys else "")


def _field(where: str, col: str) -> str:
    """``panel.test_score``, or ``path/to/file.csv: test_score`` when ``where`` names a file."""
    return f"{where}.{col}" if where.isidentifier() else f"{where}: {col}"


def _missing_columns(df: pd.DataFrame, where: str) -> None:
    have = [str(c) for c in df.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in have]
    if not missing:
        return
    spare = [c for c in have if c not in PANEL_COLUMNS]
    hints = []
    for c in missing:
        close = difflib.get_close_matches(c, spare, n=1, cutoff=0.5) or difflib.get_close_matches(
            c.lower(), [s.lower().strip() for s in spare], n=1, cutoff=0.5
        )
        if close:
            hints.append(f"did you mean {close[0]!r} for {c!r}?")
    allowed = (
        "columns "
        + ", ".join(REQUIRED_COLUMNS)
        + " (optional: "
        + ", ".join(c for c in PANEL_COLUMNS if c not in REQUIRED_COLUMNS)
    )
    raise ConfigError(f"{where} columns", missing, allowed + ")", " ".join(hints) or f"it has {', '.join(have[:20])}")


def _numeric(df: pd.DataFrame, col: str, where: str, allowed: str, at: _Rows) -> np.ndarray:
    """Column ``col`` as floats, or ConfigError naming the first row that is not a number."""
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        raise ConfigError(_field(where, col), "true/false", allowed)
    if pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=float)
    num = pd.to_numeric(s, errors="coerce")
    bad = np.flatnonzero(num.isna().to_numpy() & s.notna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise ConfigError(f"{_field(where, col)} ({at(i)})", s.iloc[i], allowed)
    return num.to_numpy(dtype=float)


def check_panel(df: pd.DataFrame, where: str = "panel") -> pd.DataFrame:
    """A validated, normalised copy of a learner x wave panel, or :class:`ConfigError` naming column, row and value.

    Checks: a DataFrame with the :data:`REQUIRED_COLUMNS` (a misnamed column gets the closest name
    suggested); ``wave`` (and ``step``) whole numbers >= 0; ``study`` and ``agent`` whole numbers
    >= 0 or text identifiers (numbered in order of appearance, the text kept in ``study_id`` /
    ``agent_id``); scores numbers in their range (:data:`SCORE_RANGES`), ``efficacy_report`` and
    ``test_score`` never empty; waves numbered 0, 1, 2, ... with at least two of them; each
    learner's rows in increasing wave order with no wave twice (and ``step`` increasing with the
    wave); ``disengaged`` 0 or 1; at least :data:`MIN_LEARNERS` learners per study.

    Returns
    -------
    DataFrame
        The panel with ``study`` added (0) when absent, keys as int64, scores as float, sorted by
        ``study, agent, wave``; other columns kept as they were.
    """
    if not isinstance(df, pd.DataFrame):
        raise ConfigError(where, type(df).__name__, "a table (DataFrame) with one row per learner and wave")
    if len(df) == 0:
        raise ConfigError(where, "no rows", "one row per learner and wave")
    if len(df) > MAX_PANEL_ROWS:
        raise ConfigError(where, f"{len(df):,} rows", f"at most {MAX_PANEL_ROWS:,} rows")
    names = [str(c) for c in df.columns]
    dup = sorted({c for c in names if names.count(c) > 1})
    if dup:
        raise ConfigError(f"{where} columns", dup, "each column name once")
    df = df.copy()
    df.columns = names
    _missing_columns(df, where)
    df = df.reset_index(drop=True)
    shown = KEY_COLUMNS if "study" in df.columns else KEY_COLUMNS[1:]
    if "study" not in df.columns:
        df.insert(0, "study", 0)
    at = _Rows(df, shown)

    for col in ("study", "agent"):  # text identifiers (student ids, school names) become numbers
        ids = df[col]
        if pd.api.types.is_numeric_dtype(ids) or pd.api.types.is_bool_dtype(ids):
            continue
        if pd.to_numeric(ids, errors="coerce").notna().all():
            continue  # numbers stored as text: checked as numbers below
        empty = np.flatnonzero(ids.isna().to_numpy() | (ids.astype(str).str.strip() == "").to_numpy())
        if empty.size:
            i = int(empty[0])
            raise ConfigError(f"{_field(where, col)} ({at(i)})", ids.iloc[i], "an identifier in every row")
        df[f"{col}_id"] = ids
        df[col] = pd.factorize(ids.astype(str), sort=False)[0]
    for col in (*KEY_COLUMNS, *(["step"] if "step" in df.columns else [])):
        allowed = "a whole number >= 0"
        x = _numeric(df, col, where, allowed, at)
        bad = np.flatnonzero(~np.isfinite(x) | (x < 0) | (x != np.round(x)))
        if bad.size:
            i = int(bad[0])
            raise ConfigError(f"{_field(where, col)} ({at(i)})", df[col].iloc[i], allowed)
        df[col] = x.astype(np.int64)
    for col, (lo, hi) in SCORE_RANGES.items():
        if col not in df.columns:
            continue
        allowed = f"a number in [{lo:g}, {hi:g}]"
        if col in REQUIRED_SCORES:
            allowed += " in every row (delete the rows of learners not measured at a wave)"
        x = _numeric(df, col, where, allowed, at)
        empty = np.isnan(x)
        bad = np.flatnonzero((empty & (col in REQUIRED_SCORES)) | (~empty & ~((x >= lo) & (x <= hi))))
        if bad.size:
            i = int(bad[0])
            raise ConfigError(f"{_field(where, col)} ({at(i)})", df[col].iloc[i], allowed)
        df[col] = x
    if "disengaged" in df.columns:
        d = df["disengaged"]
        x = (
            d.to_numpy(dtype=float)
            if pd.api.types.is_bool_dtype(d)
            else _numeric(df, "disengaged", where, "0 or 1", at)
        )
        bad = np.flatnonzero(~np.isin(x, (0.0, 1.0)))
        if bad.size:
            i = int(bad[0])
            raise ConfigError(f"{_field(where, 'disengaged')} ({at(i)})", d.iloc[i], "0 or 1 (1 = dropped out)")
        df["disengaged"] = x.astype(np.int64)

    waves = np.unique(df["wave"].to_numpy())
    if len(waves) < 2:
        raise ConfigError(
            _field(where, "wave"), [int(w) for w in waves], "at least two waves (a panel measures change)"
        )
    if not np.array_equal(waves, np.arange(len(waves))):
        raise ConfigError(
            _field(where, "wave"),
            [int(w) for w in waves[:20]],
            "waves numbered 0, 1, 2, ... without gaps (wave 0 = the first measurement)",
        )
    # within a learner (in file order): waves increasing, none twice (a shuffled or mislabelled file)
    s, a, w = (df[c].to_numpy() for c in KEY_COLUMNS)
    twice = np.flatnonzero(df.duplicated(list(KEY_COLUMNS)).to_numpy())
    if twice.size:
        i = int(twice[0])
        raise ConfigError(
            f"{_field(where, 'wave')} ({at(i)})",
            int(w[i]),
            f"each learner's waves once each (this learner has wave {w[i]} twice)",
        )
    order = np.lexsort((np.arange(len(df)), a, s))  # learners together, each in file order
    ws, ss, as_ = w[order], s[order], a[order]
    same = (ss[1:] == ss[:-1]) & (as_[1:] == as_[:-1])
    back = np.flatnonzero(same & (ws[1:] <= ws[:-1]))
    if back.size:
        j = int(back[0]) + 1
        i, prev = int(order[j]), int(ws[j - 1])
        raise ConfigError(
            f"{_field(where, 'wave')} ({at(i)})",
            int(w[i]),
            f"each learner's waves in increasing order (this learner has wave {w[i]} after wave {prev}; "
            "sort the file by study, agent, wave)",
        )
    df = df.iloc[order].reset_index(drop=True)
    at.input_rows = order
    if "step" in df.columns:
        s, a, st = (df[c].to_numpy() for c in ("study", "agent", "step"))
        same = (s[1:] == s[:-1]) & (a[1:] == a[:-1])
        back = np.flatnonzero(same & (st[1:] <= st[:-1]))
        if back.size:
            i = int(back[0]) + 1
            raise ConfigError(
                f"{_field(where, 'step')} ({at(i)})",
                int(st[i]),
                f"a step after the learner's previous wave (step {int(st[i - 1])}): steps increase with the wave",
            )
    n = df.groupby("study")["agent"].nunique()
    if (n < MIN_LEARNERS).any():
        study = int(n.index[np.argmax(n.to_numpy() < MIN_LEARNERS)])
        raise ConfigError(
            f"{_field(where, 'agent')} (study {study})", f"{int(n.loc[study])} learners", f"at least {MIN_LEARNERS}"
        )
    return df


def read_panel(path: str | Path) -> pd.DataFrame:
    """A learner x wave panel from a CSV or Parquet file, checked by :func:`check_panel`.

    Raises
    ------
    ConfigError
        One line naming the file (missing, unreadable, too large, not CSV/Parquet) or the column,
        row and value that is not allowed.
    """
    path = Path(path)
    where = path.name  # the file's name, not its path: a long path would crowd the row out of the message
    try:
        if not path.is_file():
            raise ConfigError("panel", str(path), "an existing CSV or Parquet file")
        size = path.stat().st_size
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise ConfigError("panel", str(path), "a readable CSV or Parquet file", str(exc).split("\n")[0]) from None
    if size > MAX_PANEL_BYTES:
        raise ConfigError("panel", str(path), f"a file of at most {MAX_PANEL_BYTES:,} bytes", f"it has {size:,}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            df = pd.read_parquet(path)
        elif suffix in (".csv", ".txt"):
            df = pd.read_csv(path, nrows=MAX_PANEL_ROWS + 1, encoding="utf-8-sig")
        else:
            raise ConfigError("panel", str(path), "a .csv or .parquet file")
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one line naming the file
        first = (str(exc).split("\n")[0] or type(exc).__name__)[:300]
        kind = "Parquet" if suffix in (".parquet", ".pq") else "CSV (UTF-8, comma-separated, a header row)"
        raise ConfigError("panel", str(path), f"a readable {kind} file", first) from None
    return check_panel(df, where)


__all__ = [
    "PANEL_COLUMNS",
    "REQUIRED_COLUMNS",
    "KEY_COLUMNS",
    "SCORE_RANGES",
    "MIN_LEARNERS",
    "norm_instruments",
    "build_panel",
    "check_panel",
    "read_panel",
]
