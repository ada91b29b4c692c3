"""Shared checks for the experiment tests: run a script in quick mode and check its outputs."""

from __future__ import annotations

import importlib
from pathlib import Path


def run_quick(name: str, out: Path) -> Path:
    """Run ``experiments/NAME.py`` as a user would (quick, serial, seed 1) into ``out``."""
    mod = importlib.import_module(f"experiments.{name}")
    return mod.main(["--quick", "--executor", "serial", "--out", str(out), "--seed", "1"])


PLAIN_HEADINGS = ("**Question.**", "**Answer.**", "**How sure.**", "**What it would mean", "**What it rests on.**")


def check_summary(out: Path, stems: list[str], banned: tuple[str, ...] = ()) -> str:
    """Every figure as PNG and SVG, linked and captioned in ``summary.md``, no other PNG; the plain-language
    opening before the findings; none of ``banned`` in the text. Returns the summary."""
    summary = (out / "summary.md").read_text(encoding="utf-8")
    for stem in stems:
        assert (out / f"{stem}.png").stat().st_size > 1000, stem
        assert (out / f"{stem}.svg").read_text().lstrip().startswith("<?xml"), stem
        assert f"({stem}.png)" in summary, stem
    assert sorted(p.stem for p in out.glob("*.png")) == sorted(stems)
    assert summary.count("**Figure ") == len(stems)  # every figure has a caption
    for head in PLAIN_HEADINGS:
        assert head in summary, head
    assert summary.index("**Question.**") < summary.index("## Findings")  # plain words first
    for word in banned:
        assert word not in summary, word
    return summary
