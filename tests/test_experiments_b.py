"""``run_all``'s report (experiments 3-5 are tested in tests/test_exp_e2.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------------------------------------- run_all
def _linked(report: str) -> set[str]:
    return set(re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report))


def test_run_all_notes_missing_and_links_figures(tmp_path: Path, monkeypatch) -> None:
    from experiments import run_all

    listed = [("arousal", "Arousal"), ("no_such_experiment", "Not written")]
    monkeypatch.setattr(run_all, "experiment_list", lambda: listed)
    path = run_all.main(["--quick", "--executor", "serial", "--out", str(tmp_path)])
    report = path.read_text()
    assert path == tmp_path / "REPORT.md"
    assert "not available yet" in report and "no_such_experiment" in report
    pngs = {p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("*/*.png")}
    assert pngs and pngs == _linked(report)
    assert "verdict: **" in report and "git commit" in report  # the arousal summary's findings


@pytest.mark.slow
def test_run_all_quick_report_links_every_figure(tmp_path: Path) -> None:
    from experiments import run_all

    path = run_all.main(["--quick", "--executor", "serial", "--out", str(tmp_path)])
    report = path.read_text()
    for name, _ in run_all.experiment_list():
        assert (tmp_path / name / "summary.md").is_file(), name
    assert "failed" not in re.findall(r"\| (done|failed|not available yet) \|", report)
    pngs = {p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("*/*.png")}
    assert len(pngs) >= 15 and pngs == _linked(report)
    assert all((tmp_path / link).is_file() for link in _linked(report))
