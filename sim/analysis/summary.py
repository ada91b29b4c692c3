"""Summaries and tables written so that re-runs are byte-stable and readers get plain words first.

Every experiment writes ``summary.md`` (plain-language opening, findings with verdicts, details,
captioned figures, provenance without wall times) and ``findings.csv``; tables are sorted and
printed with fixed float formatting, so ``git diff results/`` shows only findings that changed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.figures import Figure
from sim.analysis.findings import Finding, Question, findings_frame, findings_markdown

FLOAT_FORMAT = "%.6g"


@dataclass(frozen=True)
class PlainSummary:
    """The opening paragraph of an experiment, for psychologists, educators and coaches.

    Each field is one or two sentences in plain words: the ``question`` asked, the ``answer`` the
    model gives, ``how_sure`` (replications, intervals, verdicts), what it would ``mean`` for a
    teacher or coach if the model is right, and what in the model it ``rests_on``.
    """

    question: str
    answer: str
    how_sure: str
    meaning: str
    rests_on: str

    def markdown(self) -> str:
        return (
            f"**Question.** {self.question}\n\n**Answer.** {self.answer}\n\n**How sure.** {self.how_sure}\n\n"
            f"**What it would mean for a teacher or coach.** {self.meaning}\n\n**What it rests on.** {self.rests_on}\n"
        )


def write_table(df: pd.DataFrame, path: Path, sort_by: Sequence[str] | None = None) -> Path:
    """Write ``df`` as CSV with sorted rows (``sort_by``, default all key-like columns) and fixed float format."""
    path = Path(path)
    keys = list(sort_by) if sort_by is not None else [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if keys:
        df = df.sort_values(keys, kind="mergesort")
    df.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return path


def write_findings(out: Path, items: Sequence[Finding | Question]) -> Path:
    """``findings.csv``: one row per claim part and ablation, in declaration order."""
    path = Path(out) / "findings.csv"
    findings_frame(items).to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return path


def _value(v: Any) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{a} {b}" for a, b in sorted(v.items()) if b is not None)
    if isinstance(v, float):
        return f"{v:.6g}" if np.isfinite(v) else "n/a"
    return str(v)


def write_summary(
    out: Path,
    title: str,
    plain: PlainSummary,
    findings: Sequence[Finding | Question],
    sections: Sequence[tuple[str, str]],
    figures: Sequence[Figure],
    provenance: dict[str, Any],
) -> Path:
    """Write ``summary.md`` and ``findings.csv``.

    Parameters
    ----------
    out : results folder.
    title : top heading (plain words).
    plain : the opening paragraph.
    findings : the decided claims (:mod:`sim.analysis.findings`).
    sections : further ``(heading, Markdown body)`` sections (design, details, tables).
    figures : captioned figures; each is embedded with its caption.
    provenance : config hash, seed, replications, package versions, command; never wall times (they
        change on every run and live in the engine's manifest instead).
    """
    out = Path(out)
    lines = [f"# {title}", "", plain.markdown(), "## Findings", "", findings_markdown(findings)]
    for head, body in sections:
        lines += [f"## {head}", "", body.strip(), ""]
    if figures:
        lines += ["## Figures", ""]
        for i, f in enumerate(figures, 1):
            rel = Path(os.path.relpath(f.png, out)).as_posix()
            svg = Path(rel).with_suffix(".svg").as_posix()
            lines += [f"![{f.caption}]({rel})", "", f"**Figure {i}.** {f.caption} ([SVG]({svg}))", ""]
    lines += ["---", "", "Provenance:", ""]
    lines += [f"- {k}: {_value(v)}" for k, v in provenance.items()]
    lines.append("")
    write_findings(out, findings)
    path = out / "summary.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
