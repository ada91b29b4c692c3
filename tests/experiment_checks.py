"""Shared checks for the experiment tests: run a script in quick mode and check its outputs."""

from __future__ import annotations

import importlib
from pathlib import Path

import pandas as pd


def run_quick(name: str, out: Path) -> Path:
    """Run ``experiments/NAME.py`` as a user would (quick, serial, seed 1) into ``out``."""
    mod = importlib.import_module(f"experiments.{name}")
    return mod.main(["--quick", "--executor", "serial", "--out", str(out), "--seed", "1"])


def effects(out: Path) -> pd.DataFrame:
    """The experiment's ``effects.csv`` indexed by effect name."""
    return pd.read_csv(out / "effects.csv").set_index("effect")


def check_common(out: Path, stems: list[str]) -> str:
    """Every figure as PNG and SVG, no other PNG, a summary with verdicts, CIs, provenance and links; data kept."""
    for stem in stems:
        assert (out / f"{stem}.png").stat().st_size > 1000, stem
        assert (out / f"{stem}.svg").read_text().lstrip().startswith("<?xml"), stem
    assert sorted(p.stem for p in out.glob("*.png")) == sorted(stems)
    summary = (out / "summary.md").read_text()
    assert "pattern appeared:" in summary and "95% CI" in summary and "Provenance" in summary
    for stem in stems:
        assert f"({stem}.png)" in summary
    assert (out / "data").is_dir()
    return summary
