"""Experiment 6 (longitudinal study) in quick mode (experiments 1 and 2: tests/test_exp_e1.py).

Each runs as a user would run it (serial executor, into a temporary folder) and must write its data, figures and
summary, and show the headline effects in the direction the run produces at the fixed seed. The quick versions use
enough replications that these directions are stable (their 95% CIs exclude zero by a margin at seed 1).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.experiment_checks import check_common as _check_common  # noqa: E402
from tests.experiment_checks import effects as _effects  # noqa: E402
from tests.experiment_checks import run_quick as _run  # noqa: E402


@pytest.fixture(scope="module")
def longitudinal(tmp_path_factory) -> Path:
    return _run("longitudinal", tmp_path_factory.mktemp("longitudinal"))


def test_longitudinal_panel(longitudinal: Path) -> None:
    _check_common(longitudinal, ["panel"])
    parquet = pd.read_parquet(longitudinal / "data" / "panel.parquet")
    csv = pd.read_csv(longitudinal / "panel.csv")
    cols = {"study", "agent", "wave", "efficacy_report", "performance_score", "efficacy_true", "skill_true"}
    assert cols <= set(parquet.columns) and list(csv.columns) == list(parquet.columns)
    assert len(csv) == len(parquet) == parquet.groupby(["study", "agent", "wave"]).ngroups
    assert parquet["efficacy_report"].between(0, 100).all() and parquet["performance_score"].between(0, 100).all()
    # self-report carries error: correlated with, but not equal to, the latent value
    r = parquet["efficacy_report"].corr(parquet["efficacy_true"])
    assert 0.6 < r < 0.99


def test_longitudinal_headline_effects(longitudinal: Path) -> None:
    e = _effects(longitudinal)
    assert e.loc["between_person_r_observed", "lo"] > 0
    # measurement error attenuates the observed correlation relative to the latent one
    assert e.loc["between_person_r_observed", "estimate"] < e.loc["between_person_r_true", "estimate"]
    assert e.loc["observed_P_to_E", "lo"] > 0 and e.loc["observed_E_to_P", "lo"] > 0
