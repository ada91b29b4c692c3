"""Direction of the belief mechanisms of ODD 7.14-7.17: ambiguous feedback, person-level biases in
self-evaluation, broad individual differences and task complexity (default parameters)."""

from __future__ import annotations

import numpy as np

from sim.batch import Batch
from sim.config import Config
from sim.mechanisms import complexity, feedback, individual, mastery, performance, self_evaluation
from sim.mechanisms._common import expectancy
from sim.params import defaults

P = defaults()
B = P["belief_scale"]
U = np.random.default_rng(0).random(20_000)  # feedback draws


def seen(margin: float, expected: float, ambiguity: float, success: bool | None = None) -> np.ndarray:
    ok = margin > 0 if success is None else success
    return feedback.perceived_success(margin, expected, ambiguity, B, U, ok)


# -- 7.14 ambiguous feedback ---------------------------------------------------------------------
def test_margin_is_positive_exactly_for_a_success() -> None:
    u = np.random.default_rng(1).random(10_000)
    cap, d, scale = 3.2, 3.0, P["perf_scale"]
    success = u < 1.0 / (1.0 + np.exp(-(cap - d) / scale))
    assert np.array_equal(feedback.performance_margin(cap, d, scale, u) > 0, success)


def test_unambiguous_feedback_is_the_real_outcome() -> None:
    assert np.all(seen(0.3, -2.0, 0.0) == 1.0) and np.all(seen(-0.3, 2.0, 0.0) == 0.0)


def test_perceived_outcome_grows_with_performance_and_is_continuous() -> None:
    margins = np.linspace(-3, 3, 61)
    means = np.array([seen(m, 0.0, 1.0).mean() for m in margins])
    assert np.all(np.diff(means) > 0)
    assert np.max(np.abs(np.diff(means))) < 0.05  # no jump at the success threshold


def test_the_more_ambiguous_the_feedback_the_more_it_confirms_the_belief() -> None:
    # a clear success, read by an agent that expected to fail: ambiguity pulls the reading toward the belief
    readings = [seen(1.5, -2.0, a).mean() for a in (0.0, 0.5, 1.0, 3.0, 10.0)]
    assert all(x > y for x, y in zip(readings, readings[1:], strict=False))
    assert abs(readings[-1] - expectancy(0.0, 2.0, B)) < 0.05  # nearly only the expectation is left
    # and perception tracks the true margin less as ambiguity grows
    rng = np.random.default_rng(2)
    m = rng.normal(0.0, 1.0, U.size)
    r = [np.corrcoef(m, feedback.perceived_success(m, 0.0, a, B, U, m > 0))[0, 1] for a in (0.5, 1.0, 3.0)]
    assert r[0] > r[1] > r[2]


def test_explicit_feedback_reduces_ambiguity() -> None:
    a = feedback.effective_ambiguity(2.0, np.array([False, True]), P["feedback_clarity"], 1)
    assert a[1] < a[0] == 2.0
    assert np.all(feedback.effective_ambiguity(2.0, np.array([False, True]), 0.5, 0) == 0.0)


# -- 7.15 person-level biases ------------------------------------------------------------------
def test_optimism_raises_the_perceived_outcome_only_under_ambiguity() -> None:
    assert seen(0.0, 0.5, 1.0).mean() > seen(0.0, 0.0, 1.0).mean()  # expected margin includes optimism
    assert np.array_equal(seen(0.2, 2.0, 0.0), seen(0.2, 0.0, 0.0))


def test_self_serving_attribution_discounts_bad_news_and_credits_good_news() -> None:
    a = P["effort_attribution"]
    for e in (0.2, 0.6, 1.0):
        plain = mastery.diagnostic_weight(e, a)
        assert self_evaluation.attributed_weight(e, a, True, 0.0) == plain
        assert self_evaluation.attributed_weight(e, a, False, 0.0) == plain
        assert self_evaluation.attributed_weight(e, a, False, 0.4) < plain  # failure put down to circumstances
        assert self_evaluation.attributed_weight(e, a, True, 0.4) >= plain  # success credited to ability
    assert self_evaluation.attributed_weight(0.2, a, True, 0.4) > mastery.diagnostic_weight(0.2, a)


def test_news_weights_scale_good_and_bad_news_separately() -> None:
    up = lambda nu: float(mastery.efficacy_change(0.5, 1.0, 1.0, P["mastery_gain_success"] * nu, 1.0))  # noqa: E731
    down = lambda nu: float(mastery.efficacy_change(-0.5, 1.0, 1.0, 1.0, P["mastery_gain_failure"] * nu))  # noqa: E731
    assert up(2.0) > up(1.0) > 0 and down(2.0) < down(1.0) < 0


def test_biases_are_drawn_per_agent_from_their_declared_distributions() -> None:
    s = Batch([Config.default(agents=20_000)]).state
    assert abs(s.optimism.mean() - P["optimism_mean"]) < 0.02 and abs(s.optimism.std() - P["optimism_sd"]) < 0.02
    assert abs(np.log(s.good_news).std() - P["good_news_sd"]) < 0.02
    assert abs(np.log(s.bad_news).std() - P["bad_news_sd"]) < 0.02
    assert abs(np.corrcoef(np.log(s.good_news[0]), np.log(s.bad_news[0]))[0, 1]) < 0.05  # separate gains
    assert abs(s.self_serving.mean() - P["self_serving_mean"]) < 0.02
    assert s.self_serving.min() >= 0.0 and s.self_serving.max() <= 1.0


# -- 7.16 individual differences ---------------------------------------------------------------
def test_each_sensitivity_has_its_own_declared_spread() -> None:
    cfg = Config.default(agents=20_000, learning_sensitivity_sd=0.9, mastery_sensitivity_sd=0.3)
    s = Batch([cfg]).state
    assert abs(np.log(s.sens_learning).std() - 0.9) < 0.02
    assert abs(np.log(s.sens_mastery).std() - 0.3) < 0.02
    assert abs(np.log(s.sens_arousal).std() - P["arousal_sensitivity_sd"]) < 0.02
    assert np.all(individual.sensitivity(np.array([-1.0, 2.0]), 0.5, 0) == 1.0)


# -- 7.17 task complexity ----------------------------------------------------------------------
def success(effort_level: float, c: float) -> float:
    gain = complexity.effort_gain(P["effort_gain"], c, P["complexity_effort_damping"], 1)
    cap = performance.capability(3.0, effort_level, gain, 1.0, P["yd_cost"])
    return float(1.0 / (1.0 + np.exp(-(cap - 3.2) / P["perf_scale"])))


def test_complex_tasks_reward_effort_less() -> None:
    payoff = [success(1.0, c) - success(0.1, c) for c in (0.0, 0.5, 1.0)]
    assert payoff[0] > payoff[1] > payoff[2] > 0
    assert complexity.effort_gain(1.0, 0.0, 0.5, 1) == 1.0  # a simple task keeps the full effort gain


def test_capability_is_the_capability_of_success_probability() -> None:
    cap = performance.capability(3.0, 0.7, 1.0, 0.8, 1.5)
    want = performance.success_probability(3.0, 0.7, 3.2, 1.0, 0.5, 0.8, 1.5)
    assert np.isclose(1.0 / (1.0 + np.exp(-(cap - 3.2) / 0.5)), want)
