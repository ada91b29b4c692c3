"""The measurement layer (sim.measure): reliability as declared, the model's rules on the test, bad input, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import measure
from sim.config import Config
from sim.errors import ConfigError
from sim.params import MEASUREMENT_FIELDS, parameter_table
from sim.streams import run_stream

PARAMS = Config.default().params
N = 20_000
RELIABILITY_TOL = 0.015
"""Tolerance on a recovered reliability with 20 000 learners: the sampling SD of a squared correlation
near .8 is about 2 rho (1 - rho) / sqrt(n) = 0.002, rounding responses to whole points adds almost nothing."""


def learners(n: int = N, mean_points: float = 50.0, sd_points: float = 10.0, studies: int = 2, seed: int = 0):
    """Synthetic learner states at one wave, away from the 0-100 floor and ceiling."""
    rng = np.random.default_rng(seed)
    m = n // studies
    return pd.DataFrame(
        dict(
            study=np.repeat(np.arange(studies), m),
            agent=np.tile(np.arange(m), studies),
            wave=0,
            step=0,
            efficacy=rng.normal(mean_points, sd_points, studies * m) / measure.POINTS_PER_LEVEL,
            skill=rng.normal(4.0, 1.0, studies * m),
            arousal=0.3,
            arousal_base=0.3,
            sens_arousal=1.0,
            attempts=0,
            successes=0,
        )
    )


# ---- classical test theory ---------------------------------------------------------------------------
def test_spearman_brown_and_error_sd_known_values() -> None:
    assert measure.spearman_brown(0.5, 2) == pytest.approx(2 / 3)
    assert measure.item_reliability(0.8, 5) == pytest.approx(0.8 / (5 - 4 * 0.8))
    assert measure.spearman_brown(measure.item_reliability(0.8, 7), 7) == pytest.approx(0.8)
    assert measure.error_sd(0.8, 10.0) == pytest.approx(5.0)
    assert measure.error_sd(0.5, 3.0) == pytest.approx(3.0)


@pytest.mark.parametrize(("rho", "items"), [(0.8, 5), (0.8, 1), (0.6, 3), (0.9, 10)])
def test_self_report_recovers_declared_reliability(rho: float, items: int) -> None:
    design = measure.Instruments(self_report_reliability=rho, self_report_items=items, self_report_reference_sd=10.0)
    st = learners()
    rep = measure.self_report(st, design, seed=3)
    got = measure.reliability(rep["efficacy_true_points"], rep["efficacy_report"])
    assert got == pytest.approx(rho, abs=RELIABILITY_TOL)
    # the same through the definition var(true) / var(observed)
    ratio = rep["efficacy_true_points"].var() / rep["efficacy_report"].var()
    assert ratio == pytest.approx(rho, abs=2 * RELIABILITY_TOL)
    if items > 1:  # Cronbach's alpha of parallel items estimates the scale's reliability
        wide = measure.self_report_items(st, design, seed=3).query("study == 0")
        alpha = measure.cronbach_alpha(wide.pivot(index="agent", columns="item", values="response"))
        assert alpha == pytest.approx(rho, abs=2 * RELIABILITY_TOL)


def test_reliability_falls_with_the_populations_spread() -> None:
    """The error SD is the instrument's; a narrower population gets a less reliable score (as with real scales)."""
    design = measure.Instruments(self_report_reliability=0.8, self_report_reference_sd=10.0)
    rep = measure.self_report(learners(sd_points=5.0), design, seed=1)
    expected = 25.0 / (25.0 + design.error_sd**2)  # = 0.5
    assert measure.reliability(rep["efficacy_true_points"], rep["efficacy_report"]) == pytest.approx(expected, abs=0.02)


def test_responses_are_whole_points_on_the_scale() -> None:
    st = learners(n=2000, mean_points=5.0)  # near the floor: responses clip at 0
    items = measure.self_report_items(st, measure.Instruments(), seed=1)
    assert items["response"].between(0, 100).all() and (items["response"] == 0).any()
    assert len(items) == len(st) * measure.Instruments().self_report_items
    assert list(items.columns) == ["study", "agent", "wave", "item", "response"]


def test_cronbach_alpha_known_cases() -> None:
    x = np.array([[1, 1], [2, 2], [3, 3.0]])
    assert measure.cronbach_alpha(x) == pytest.approx(1.0)
    assert np.isnan(measure.cronbach_alpha(x[:, :1]))  # one item: undefined
    rng = np.random.default_rng(0)
    assert abs(measure.cronbach_alpha(rng.normal(size=(5000, 4)))) < 0.05  # unrelated items


# ---- the performance test and the course record -------------------------------------------------------------
def test_performance_test_follows_the_models_success_chance() -> None:
    st = learners(n=N, studies=1)
    t = measure.performance_test(st, measure.Instruments(test_items=40), PARAMS, seed=2)
    assert t["test_score"].between(0, 100).all()
    # unbiased: the observed mean equals the true-score mean within sampling error
    assert t["test_score"].mean() == pytest.approx(t["test_true_score"].mean(), abs=0.3)
    # more skill, same efficacy -> higher success chance on every item, by the model's rule
    d = np.linspace(0, 10, 11)
    p_lo = measure.item_success_probability(3.0, 3.0, 0.3, 0.3, 1.0, d, PARAMS)
    p_hi = measure.item_success_probability(3.0, 5.0, 0.3, 0.3, 1.0, d, PARAMS)
    assert np.all(p_hi > p_lo) and np.all(np.diff(p_lo) < 0)  # and harder items are solved less often


def test_item_chance_is_the_models_chance_at_its_effort_and_arousal() -> None:
    """The adapter composes the mechanisms exactly as a step of the model does."""
    from sim.mechanisms import appraisal, effort, performance
    from sim.mechanisms._common import expectancy

    p, e, s, a, d = PARAMS, 4.0, 3.5, 0.4, np.array([2.0, 5.0, 8.0])
    p_hat = expectancy(e, d, p["belief_scale"])
    eff = effort.effort(e, d, p_hat, p["giveup_expectancy"], p["effort_min"], p["effort_span"])
    thr = appraisal.threat(e, d, p["threat_margin"], p["appraisal_scale"])
    ar = appraisal.arousal_update(a, 0.3, thr, p["arousal_reactivity"], p["challenge_arousal"], p["arousal_decay"])
    h = performance.hardness(d, s, p["yd_hardness_scale"])
    yd = performance.arousal_efficiency(ar, h, p["yd_opt_easy"], p["yd_opt_hard"], p["yd_width"])
    want = performance.success_probability(s, eff, d, p["effort_gain"], p["perf_scale"], yd, p["yd_cost"])
    got = measure.item_success_probability(e, s, a, 0.3, 1.0, d, p)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # learners as rows, items as columns, over the whole range of states
    rng = np.random.default_rng(3)
    e, s = rng.uniform(0, 10, (500, 1)), rng.uniform(0, 10, (500, 1))
    a, base, sens = rng.uniform(0, 1, (500, 1)), rng.uniform(0, 1, (500, 1)), rng.lognormal(0, 0.5, (500, 1))
    d = np.linspace(0.5, 9.5, 20)[None, :]
    p_hat = expectancy(e, d, p["belief_scale"])
    eff = effort.effort(e, d, p_hat, p["giveup_expectancy"], p["effort_min"], p["effort_span"])
    thr = appraisal.threat(e, d, p["threat_margin"], p["appraisal_scale"])
    ar = appraisal.arousal_update(
        a, base, thr, p["arousal_reactivity"] * sens, p["challenge_arousal"], p["arousal_decay"]
    )
    yd = performance.arousal_efficiency(
        ar, performance.hardness(d, s, p["yd_hardness_scale"]), p["yd_opt_easy"], p["yd_opt_hard"], p["yd_width"]
    )
    want = performance.success_probability(s, eff, d, p["effort_gain"], p["perf_scale"], yd, p["yd_cost"])
    got = measure.item_success_probability(e, s, a, base, sens, d, p)
    assert got.shape == (500, 20)
    np.testing.assert_allclose(got, want, rtol=1e-12)  # the compiled exp and NumPy's differ in the last bits


def test_course_record_from_counters() -> None:
    st = pd.DataFrame(
        dict(study=0, agent=[0, 0, 0, 1, 1, 1], wave=[0, 1, 2] * 2, step=[0, 10, 20] * 2)
        | dict(attempts=[0, 10, 15, 0, 4, 4], successes=[0, 6, 10, 0, 1, 1])
    )
    c = measure.course_record(st.sample(frac=1.0, random_state=1))  # row order does not matter
    assert c["course_grade"].isna().sum() == 2  # no course before wave 0
    got = c.dropna(subset=["course_grade"]).set_index(["agent", "wave"])
    assert got.loc[(0, 1), "course_grade"] == 60.0 and got.loc[(0, 2), "course_grade"] == 40.0
    assert got.loc[(0, 2), "course_success_rate"] == pytest.approx(4 / 5)
    assert got.loc[(1, 2), "course_attempted"] == 0 and np.isnan(got.loc[(1, 2), "course_success_rate"])


# ---- bad input -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("self_report_reliability", 1.5),
        ("self_report_reliability", 0.0),
        ("self_report_items", 2.5),
        ("self_report_items", 0),
        ("test_items", -1),
        ("self_report_reference_sd", "ten"),
        ("test_low", True),
    ],
)
def test_bad_instrument_settings_name_the_field(field: str, value) -> None:
    with pytest.raises(ConfigError, match=rf"measurement\.{field} = .* is not allowed"):
        measure.Instruments(**{field: value})


def test_bad_designs_and_inputs_are_refused() -> None:
    with pytest.raises(ConfigError, match="test_high"):
        measure.Instruments(test_low=6.0, test_high=4.0)
    with pytest.raises(ConfigError, match="measurement = 'reliability'"):
        measure.Instruments.from_dict({"reliability": 0.8})
    st = learners(n=10, studies=1)
    with pytest.raises(ConfigError, match="columns"):
        measure.self_report(st.drop(columns="efficacy"), measure.Instruments(), seed=1)
    with pytest.raises(ConfigError, match="one row per study, agent and wave"):
        measure.self_report(pd.concat([st, st]), measure.Instruments(), seed=1)
    with pytest.raises(ConfigError, match="seed"):
        measure.self_report(st, measure.Instruments(), seed=-1)
    with pytest.raises(ConfigError, match="strictly between 0 and 1"):
        measure.spearman_brown(1.0, 2)
    with pytest.raises(ConfigError, match="states"):
        measure.course_record([1, 2, 3])


def test_instrument_fields_are_declared_and_documented() -> None:
    design = measure.Instruments.from_dict({"self_report_items": 3})
    assert set(design.to_dict()) == {f.name for f in MEASUREMENT_FIELDS}
    assert isinstance(design.self_report_items, int) and design.self_report_items == 3
    rows = [r for r in parameter_table() if r.section == "measurement"]
    assert [r.name for r in rows] == [f.name for f in MEASUREMENT_FIELDS] and all(r.source for r in rows)


# ---- determinism and separate streams ---------------------------------------------------------------------
def test_measurement_is_deterministic_and_leaves_its_input_alone() -> None:
    st = learners(n=400)
    before = st.copy()
    a = measure.measure(st, measure.Instruments(), PARAMS, seed=5)
    b = measure.measure(st.sample(frac=1.0, random_state=0), measure.Instruments(), PARAMS, seed=5)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(st, before)
    c = measure.measure(st, measure.Instruments(), PARAMS, seed=6)
    assert not np.allclose(a["efficacy_report"], c["efficacy_report"])
    assert not np.allclose(a["test_score"], c["test_score"])


def test_streams_are_per_study_and_per_instrument() -> None:
    st = learners(n=400)
    both = measure.self_report(st, measure.Instruments(), seed=5)
    alone = measure.self_report(st[st["study"] == 1], measure.Instruments(), seed=5)
    pd.testing.assert_frame_equal(both[both["study"] == 1].reset_index(drop=True), alone)
    # a longer test does not change the self-report's draws
    other = measure.measure(st, measure.Instruments(test_items=7), PARAMS, seed=5)
    np.testing.assert_array_equal(other["efficacy_report"], both["efficacy_report"])
    # and the measurement stream is not a model run's stream
    x = measure.stream(5, "self_report", 0).random(8)
    assert not any(np.allclose(x, run_stream(5, r).random(8)) for r in range(4))


def test_states_from_snapshots_maps_steps_to_waves() -> None:
    snaps = pd.DataFrame(dict(run=0, replicate=0, step=[0, 10, 20, 0, 10, 20], agent=[0, 0, 0, 1, 1, 1], efficacy=1.0))
    st = measure.states_from_snapshots(snaps, (0, 20))
    assert st[["agent", "wave", "step"]].values.tolist() == [[0, 0, 0], [0, 1, 20], [1, 0, 0], [1, 1, 20]]
    with pytest.raises(ConfigError, match="steps"):
        measure.states_from_snapshots(snaps, (0, 30))


def test_a_live_models_state_can_be_measured() -> None:
    from sim.model import EfficacyModel

    model = EfficacyModel(Config.default(agents=30, steps=5, seed=2))
    for _ in range(3):
        model.step()
    st = measure.states_from_state(model.batch.state, step=3)
    assert len(st) == 30 and set(st["wave"]) == {0} and set(st["step"]) == {3}
    np.testing.assert_array_equal(st["efficacy"], model.batch.state.efficacy.reshape(-1))
    panel = measure.measure(st, measure.Instruments(), model.config.params, seed=2)
    assert panel["efficacy_report"].between(0, 100).all() and panel["course_grade"].isna().all()
