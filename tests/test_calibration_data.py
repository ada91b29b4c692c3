"""The data side of calibration: the panel format and its checks, the summary statistics, the design, the targets file.

The statistics are checked on synthetic panels with known answers and against the readable pandas
versions the longitudinal experiment reports; every kind of bad input gets one line naming the
field, the value and what is allowed. No test asks the model for a particular finding.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration import design as dg
from sim.calibration import panel as pn
from sim.calibration import summaries as sm
from sim.calibration import targets as tg
from sim.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "results" / "longitudinal" / "panel.csv"


def refused(fn, *args, **kw) -> str:
    """``fn`` raises a one-line ConfigError; its message."""
    with pytest.raises(ConfigError) as err:
        fn(*args, **kw)
    msg = str(err.value)
    assert "\n" not in msg and len(msg) < 2_000, msg
    return msg


def toy_panel(n: int = 400, waves: int = 4, seed: int = 0, studies: int = 1) -> pd.DataFrame:
    """A panel with efficacy and performance that carry a stable trait and lagged effects (scores within 0-100)."""
    rng = np.random.default_rng(seed)
    frames = []
    for s in range(studies):
        trait = rng.normal(size=n)
        e, p = trait + rng.normal(size=n), trait + rng.normal(size=n)
        for w in range(waves):
            frames.append(
                pd.DataFrame(
                    dict(study=s, agent=np.arange(n), wave=w, step=10 * w)
                    | dict(efficacy_report=np.clip(50 + 10 * e, 0, 100), test_score=np.clip(50 + 10 * p, 0, 100))
                )
            )
            e, p = 0.5 * e + 0.3 * p + rng.normal(size=n), 0.6 * p + 0.1 * e + rng.normal(size=n)
    return pd.concat(frames, ignore_index=True)


# ---- summaries ---------------------------------------------------------------------------------------------
def test_summarise_agrees_with_the_pandas_versions() -> None:
    panel = toy_panel(studies=3)
    s = sm.summarise(panel)
    assert list(s.columns) == sm.statistic_names(4) and list(s.index) == [0, 1, 2]
    br = sm.between_person_r(panel, "efficacy_report", "test_score").set_index("study")["r"]
    np.testing.assert_allclose(s["between_r"], br, rtol=1e-10)
    paths = sm.per_study_paths(sm.cross_lagged(panel, "efficacy_report", "test_score")).set_index("study")
    for col in ("E_to_P", "P_to_E", "E_stability", "P_stability"):
        np.testing.assert_allclose(s[col], paths[col], rtol=1e-8, err_msg=col)
    cs = sm.cross_sectional_r(panel, "efficacy_report", "test_score")
    for w in range(4):
        np.testing.assert_allclose(s[f"r_w{w}"], cs[cs["wave"] == w]["r"], rtol=1e-10)
    g = panel.groupby(["study", "wave"])["test_score"]
    np.testing.assert_allclose(s["sd_performance_w2"], g.std().xs(2, level="wave"), rtol=1e-10)


def test_shipped_targets_load() -> None:
    t = tg.load_targets(tg.SHIPPED_TARGETS)
    assert t.statistic_names == ("r_mean", "P_to_E", "E_to_P")
    assert all(x.se > 0 for x in t.targets) and t.design.agents == 300 and t.design.steps == 40


def test_export_of_the_longitudinal_experiment_is_a_valid_panel() -> None:
    df = pn.read_panel(EXPORT)
    assert list(df.columns) == list(pn.PANEL_COLUMNS) and len(df) == pd.read_csv(EXPORT).shape[0]


def test_design_builds_the_base_config() -> None:
    d = dg.StudyDesign(agents=50, waves=3, wave_every=7, fixed={"learn_rate": 0.1})
    cfg = d.base_config(seed=4)
    assert (cfg.agents, cfg.steps, cfg.seed, cfg.params["learn_rate"]) == (50, 14, 4, 0.1)
    assert dg.StudyDesign.from_mapping(d.to_dict()) == d
