"""``experiments/run_all.py``: the report gathers every experiment's findings, and re-runs are byte-stable."""

from __future__ import annotations

import argparse
import filecmp
import re
from pathlib import Path

import pytest

from sim.analysis import PlainSummary, write_summary
from sim.analysis.effects import Effect
from sim.analysis.findings import Claim, Finding, Question


def _linked(report: str) -> set[str]:
    return set(re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report))


def _fake_experiment(root: Path, name: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.analysis import save_figure

    out = root / name
    a = Claim("a", "X raises Y", "Y", 1, "assumption", "rule r")
    b = Claim("b", "X lowers Z", "Z", -1, "emergent", "rules r and s", ablations=("no_strength",))
    fa = Finding(a, Effect(0.5, 0.4, 0.6, "sd", 10))
    fb = Finding(b, Effect(-0.01, -0.05, 0.03, "sd", 10), ablated={"no_strength": Effect(0.0, -0.02, 0.02, "sd", 10)})
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    figure = save_figure(fig, out, "line", "A line: it goes up.")
    plain = PlainSummary("Does X matter?", "Partly.", "10 replications.", "Little.", "Rules r and s.")
    write_summary(out, "Fake", plain, [Question("q", "X raises Y and lowers Z", [fa, fb])], [], [figure], {"seed": 1})


def test_report_lists_every_question_with_its_verdict(tmp_path: Path) -> None:
    from experiments import run_all

    _fake_experiment(tmp_path, "fake")
    outcomes = [
        {"name": "fake", "status": "ok", "seconds": 1.0, "detail": ""},
        {"name": "absent", "status": "missing", "seconds": 0.0, "detail": ""},
    ]
    args = argparse.Namespace(quick=True, seed=1, scheduler=None, report_only=False, executor="serial")
    path = run_all.write_report(tmp_path, outcomes, args, 1.0)
    report = path.read_text()
    # the two-part question is negligible (part b), not shown, although part a is shown
    row = next(line for line in report.splitlines() if "X raises Y and lowers Z" in line and line.startswith("|"))
    assert "**negligible**" in row and "assumption, emergent" in row
    assert "not available yet" in report and "## Glossary" in report and "## How to read this report" in report
    assert _linked(report) == {"fake/line.png"}
    assert "**Figure 1.** A line: it goes up." in report
    # nothing that changes from run to run
    assert not re.search(r"\d{4}-\d\d-\d\dT|wall time|git commit", report)


@pytest.mark.slow
def test_run_all_quick_twice_is_byte_identical(tmp_path: Path) -> None:
    """Every file a user would commit is identical after a second run (data/ and run_all.json aside)."""
    from experiments import run_all

    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        run_all.main(["--quick", "--executor", "serial", "--out", str(out)])
    report = (a / "REPORT.md").read_text()
    for name, _ in run_all.experiment_list():
        assert (a / name / "summary.md").is_file(), name
        assert (a / name / "findings.csv").is_file(), name
    assert "The experiment failed" not in report
    pngs = {p.relative_to(a).as_posix() for p in a.glob("*/*.png")}
    assert len(pngs) >= 15 and pngs == _linked(report)
    tracked = sorted(
        p.relative_to(a)
        for p in a.rglob("*")
        if p.is_file() and "data" not in p.relative_to(a).parts and p.name != "run_all.json"
    )
    differ = [str(p) for p in tracked if not filecmp.cmp(a / p, b / p, shallow=False)]
    assert not differ, f"files that changed between two identical runs: {differ}"
