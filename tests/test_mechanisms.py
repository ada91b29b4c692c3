"""Each mechanism moves the state in the direction its source theory says (default parameters)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.batch import Batch
from sim.config import Config
from sim.mechanisms import (
    appraisal,
    choice,
    effort,
    error_learning,
    expectations,
    mastery,
    modelling,
    observational,
    performance,
    persuasion,
    physiological,
    praise_focus,
    schedules,
    skill,
    vicarious,
)
from sim.mechanisms._common import expectancy
from sim.params import LEVEL_MAX, defaults
from sim.state import DISENGAGED

P = defaults()


def mastery_change(efficacy: float, difficulty: float, success: bool, effort_level: float | None = None) -> float:
    """Efficacy change from one own outcome, through the model's chain expectancy -> effort -> weight."""
    p_hat = expectancy(efficacy, difficulty, P["belief_scale"])
    if effort_level is None:
        effort_level = effort.effort(
            efficacy, difficulty, p_hat, P["giveup_expectancy"], P["effort_min"], P["effort_span"]
        )
    w = mastery.diagnostic_weight(effort_level, P["effort_attribution"])
    err = mastery.surprise(success, p_hat)
    return float(
        mastery.efficacy_change(err, w, P["strength_init"], P["mastery_gain_success"], P["mastery_gain_failure"])
    )


# -- mastery ------------------------------------------------------------------------------------
def test_hard_effortful_success_teaches_more_than_easy_success() -> None:
    hard = mastery_change(3.0, 4.0, True)  # effort is full here
    easy = mastery_change(3.0, 1.0, True)  # little effort, expected success
    assert hard > 0 and easy > 0
    assert hard > 5 * easy


def test_failure_after_full_effort_hurts_more_than_after_low_effort() -> None:
    full = mastery_change(3.0, 3.5, False, effort_level=1.0)
    low = mastery_change(3.0, 3.5, False, effort_level=0.1)
    assert full < low < 0


def test_unexpected_failure_hurts_more_than_expected_failure() -> None:
    assert mastery_change(5.0, 4.0, False, 1.0) < mastery_change(5.0, 7.0, False, 1.0) < 0


@pytest.mark.parametrize(
    "update",
    [
        lambda s: mastery.efficacy_change(0.5, 1.0, s, 0.5, 0.4),
        lambda s: persuasion.efficacy_change(3.0, 5.0, 0.8, 1.0, 0.1, s),
        lambda s: -physiological.efficacy_change(0.9, 1.0, 0.5, 0.3, s),
    ],
    ids=["mastery", "persuasion", "physiological"],
)
def test_higher_strength_means_smaller_update(update) -> None:
    sizes = [float(update(s)) for s in (0.0, 1.0, 5.0, 20.0)]
    assert all(x > 0 for x in sizes)
    assert sizes == sorted(sizes, reverse=True)


def test_strength_grows_with_diagnostic_evidence() -> None:
    assert mastery.strength_change(0.8, 1.0, 0.3) > mastery.strength_change(0.1, 1.0, 0.3) > 0
    assert mastery.strength_change(-0.8, 1.0, 0.3) == pytest.approx(mastery.strength_change(0.8, 1.0, 0.3))


# -- vicarious ----------------------------------------------------------------------------------
SIM = (P["stage_ahead"], P["similarity_width"], P["similarity_floor"])


def test_similarity_peaks_for_a_model_one_stage_ahead_by_visible_record() -> None:
    own = 3.0
    ahead = float(modelling.similarity(own, own + P["stage_ahead"], *SIM))
    expert = float(modelling.similarity(own, own + 4.0, *SIM))
    weaker = float(modelling.similarity(own, own - 2.0, *SIM))
    assert ahead == pytest.approx(1.0)
    assert ahead > 3 * expert and ahead > 3 * weaker
    assert min(expert, weaker) >= P["similarity_floor"]


def test_who_a_model_suits_depends_on_the_observer() -> None:
    """Braaksma et al. (2002): the same model is similar to one observer and distant to another."""
    model = 5.0
    weak, strong = 2.0, model - P["stage_ahead"]
    assert modelling.similarity(strong, model, *SIM) > 2 * modelling.similarity(weak, model, *SIM)


def test_neighbour_failure_lowers_and_success_raises_vicarious_evidence() -> None:
    eff = np.array([[3.0, 4.0, 4.0]])
    shown = np.array([[3.0, 4.0, 4.0]])
    nb = np.array([[[1, 2], [0, 2], [0, 1]]])
    mask = np.ones_like(nb, dtype=bool)
    levels = np.array([[3.5, 4.0, 4.0]])
    acted = np.array([[False, True, True]])
    args = (*SIM, P["belief_scale"])
    up = vicarious.neighbour_evidence(eff, shown, nb, mask, acted, levels, np.array([[False, True, True]]), *args)
    down = vicarious.neighbour_evidence(eff, shown, nb, mask, acted, levels, np.array([[False, False, False]]), *args)
    assert up[0, 0] > 0 > down[0, 0]
    # agent 1 sees only agent 2 acting (agent 0 did not act): evidence is agent 2's alone
    single = vicarious.evidence(4.0, 4.0, 4.0, 4.0, True, *args)
    assert up[0, 1] == pytest.approx(float(single))
    # the compiled kernel and the plain NumPy version agree
    ref = vicarious.neighbour_evidence_numpy(
        eff, shown, nb, mask, acted, levels, np.array([[False, True, True]]), *args
    )
    assert np.allclose(up, ref)


def test_peer_model_is_the_agent_one_stage_ahead_and_expert_the_best_performer() -> None:
    shown = np.array([[2.0, 2.5, 3.5, 6.0]])
    everyone = np.ones_like(shown, dtype=bool)
    peer = modelling.choose_peer(shown, everyone, 1.0)
    assert peer[0].tolist() == [1, 2, 3, 2]  # closest record to own + 1 (a tie: lowest index), never oneself
    assert modelling.choose_expert(shown)[0].tolist() == [3, 3, 3, 2]
    assert (modelling.choose_peer(shown, ~everyone, 1.0) == -1).all()
    assert (modelling.choose_expert(shown[:, :1]) == -1).all()


def test_a_coping_peer_model_sometimes_fails_and_an_expert_rarely_does() -> None:
    task = 3.5
    peer = float(modelling.demonstration_probability(3.5, task, P["effort_gain"], P["perf_scale"]))
    expert = float(modelling.demonstration_probability(7.0, task, P["effort_gain"], P["perf_scale"]))
    assert 0.2 < peer < 0.9 and expert > 0.99
    # the peer's failure lowers the observer's belief, its success raises it
    p_hat = float(expectancy(3.0, task, P["belief_scale"]))
    assert modelling.evidence(1.0, False, p_hat) < 0 < modelling.evidence(1.0, True, p_hat)


def test_watching_a_success_teaches_skill_most_when_one_could_not_do_it_oneself() -> None:
    args = (P["learn_rate"], P["observational_learning"])
    hard = float(observational.watching_gain(3.0, True, 0.2, *args))
    easy = float(observational.watching_gain(3.0, True, 0.95, *args))
    failed = float(observational.watching_gain(3.0, False, 0.2, *args))
    own = float(error_learning.practice_gain(3.0, 1.0, error_learning.information(True, 0.2, 0.6), P["learn_rate"]))
    assert hard > easy > 0 and failed == 0
    assert hard < own  # watching teaches less than doing


# -- appraisal, performance, effort, skill --------------------------------------------------------
def test_threat_raises_arousal() -> None:
    thr_hard = appraisal.threat(3.0, 6.0, P["threat_margin"], P["appraisal_scale"])
    thr_easy = appraisal.threat(3.0, 1.0, P["threat_margin"], P["appraisal_scale"])
    assert thr_hard > 0.9 > 0.1 > thr_easy
    rest = dict(reactivity=P["arousal_reactivity"], challenge=P["challenge_arousal"], decay=P["arousal_decay"])
    a_threat = appraisal.arousal_update(0.3, 0.3, thr_hard, **rest)
    a_challenge = appraisal.arousal_update(0.3, 0.3, thr_easy, **rest)
    assert a_threat > a_challenge > 0.3


def test_yerkes_dodson_optimum_lower_for_harder_tasks() -> None:
    grid = np.linspace(0, 1, 1001)

    def best(difficulty: float) -> float:
        h = performance.hardness(difficulty, 3.0, P["yd_hardness_scale"])
        eff = performance.arousal_efficiency(grid, h, P["yd_opt_easy"], P["yd_opt_hard"], P["yd_width"])
        return float(grid[np.argmax(eff)])

    assert best(1.0) > best(3.0) > best(6.0)
    assert best(1.0) > 0.6 and best(6.0) < 0.4


def test_success_more_likely_with_skill_and_effort() -> None:
    args = (P["effort_gain"], P["perf_scale"], 1.0, P["yd_cost"])
    assert performance.success_probability(4, 1.0, 4, *args) > performance.success_probability(4, 0.1, 4, *args)
    assert performance.success_probability(5, 0.5, 4, *args) > performance.success_probability(3, 0.5, 4, *args)


def test_arousal_off_the_optimum_costs_most_near_ones_limit() -> None:
    def p(difficulty: float, efficiency: float) -> float:
        return float(
            performance.success_probability(
                4.0, 1.0, difficulty, P["effort_gain"], P["perf_scale"], efficiency, P["yd_cost"]
            )
        )

    near, trivial = p(4.5, 1.0) - p(4.5, 0.3), p(0.5, 1.0) - p(0.5, 0.3)
    assert near > 0.2 and 0 <= trivial < 0.01


def test_effort_rises_with_demand_then_collapses_when_expectancy_below_giveup() -> None:
    eff = 3.0
    d = np.linspace(0.0, 8.0, 81)
    p_hat = expectancy(eff, d, P["belief_scale"])
    e = effort.effort(eff, d, p_hat, P["giveup_expectancy"], P["effort_min"], P["effort_span"])
    reachable = p_hat >= P["giveup_expectancy"]
    assert np.all(np.diff(e[reachable]) >= 0)  # more demand, more effort
    assert e[reachable].max() == 1.0 and e[0] == P["effort_min"]
    assert (~reachable).any() and np.all(e[~reachable] == P["effort_min"])


def test_surprising_outcomes_teach_more_skill_than_expected_ones() -> None:
    phi = P["failure_learning"]
    info = lambda success, p: float(error_learning.information(success, p, phi))  # noqa: E731
    assert info(True, 0.2) > info(True, 0.9) > 0  # a success one was unlikely to have teaches most
    assert info(False, 0.9) > info(False, 0.2) > 0  # a failure at a task one usually masters teaches most
    assert info(True, 0.5) > info(False, 0.5)  # failures teach, less (Yin et al. 2019)
    gain = lambda effort_level: float(error_learning.practice_gain(4.0, effort_level, 0.5, P["learn_rate"]))  # noqa: E731
    assert gain(1.0) > gain(0.3) > 0


def test_best_challenge_emerges_from_the_rule_at_even_odds() -> None:
    """Reported, not placed: expected information (1 + phi) P (1 - P) peaks at P = 1/2."""
    p = np.linspace(0.0, 1.0, 1001)
    expected = error_learning.expected_information(p, P["failure_learning"])
    assert p[np.argmax(expected)] == pytest.approx(0.5)
    flat = error_learning.flat_information(P["failure_learning"])
    assert float(flat) == pytest.approx(expected.max())
    assert skill.decay(5.0, P["skill_decay"]) > 0


# -- persuaders' expectations and praise focus ------------------------------------------------------
def test_expectations_move_toward_observed_performance() -> None:
    rate, bs = P["teacher_expectation_rate"], P["belief_scale"]
    x = 3.0
    up = float(expectations.update(x, True, 4.0, True, rate, bs))
    down = float(expectations.update(x, True, 2.0, False, rate, bs))
    unseen = float(expectations.update(x, False, 4.0, True, rate, bs))
    assert down < x == unseen < up
    # an expected outcome moves an expectation less than a surprising one
    assert float(expectations.update(x, True, 1.0, True, rate, bs)) - x < up - x


def test_teacher_speaks_more_specifically_to_learners_it_expects_more_of() -> None:
    g, bs = P["generic_specificity"], P["belief_scale"]
    high, low = (float(expectations.specificity(x, 4.0, g, bs)) for x in (6.0, 2.0))
    assert 1.0 >= high > low >= g


def test_ability_praise_makes_failure_diagnostic_and_effort_praise_discounts_it() -> None:
    rate, decay = P["praise_focus_rate"], P["praise_focus_decay"]
    ability = float(praise_focus.update(0.0, True, False, rate, decay))
    effort_f = float(praise_focus.update(0.0, False, True, rate, decay))
    assert effort_f < 0 < ability
    assert abs(float(praise_focus.update(ability, False, False, rate, decay))) < ability  # fades
    w = 0.6
    assert praise_focus.failure_weight(w, ability) > w > praise_focus.failure_weight(w, effort_f)
    assert float(praise_focus.failure_weight(w, 0.0)) == w
    assert 0.0 <= float(praise_focus.failure_weight(w, -1.0)) <= float(praise_focus.failure_weight(w, 1.0)) <= 1.0


# -- choice ---------------------------------------------------------------------------------------
def test_avoidance_grows_with_difficulty_above_efficacy() -> None:
    p = choice.attempt_probability(
        3.0, np.array([2.0, 3.0 + P["avoid_margin"], 8.0]), P["avoid_margin"], P["avoid_scale"]
    )
    assert p[0] > 0.9 and p[1] == pytest.approx(0.5) and p[2] < 0.01
    streak = choice.avoid_streak_update(np.array([2, 2]), np.array([True, False]))
    assert streak.tolist() == [3, 0]
    assert choice.disengages(np.array([4, 5]), 5).tolist() == [False, True]


# -- schedules ------------------------------------------------------------------------------------
@pytest.mark.parametrize("target", [0.5, 0.7, 0.85])
def test_staircase_converges_to_target_success_rate(target: float) -> None:
    """2,000 staircases on a logistic psychometric curve; success rate over steps 300-600.

    Fixed seed; tolerance 0.02 (the standard error of the pooled rate is < 0.002, the rest is
    the bias of a discrete step size).
    """
    rng = np.random.default_rng(12345)
    level = np.full(2000, 1.0)
    successes = trials = 0
    for t in range(600):
        p_success = 1.0 / (1.0 + np.exp(level - 5.0))  # skill 5, unit scale
        success = rng.random(level.shape) < p_success
        if t >= 300:
            successes += success.sum()
            trials += success.size
        level = schedules.staircase(level, success, target, 0.2)
    assert successes / trials == pytest.approx(target, abs=0.02)


def test_schedule_kinds() -> None:
    kinds = np.array([schedules.CONSTANT, schedules.RAMP, schedules.ADAPTIVE, schedules.RANDOM, schedules.SELF_CHOSEN])
    d = schedules.difficulty(kinds, 10, 3.0, 1.0, 0.1, 0.5, 2.5, 6.0, np.full(5, 0.75))
    assert d.tolist() == pytest.approx([3.0, 4.0, 2.5, 3.5, 7.0])
    assert schedules.difficulty(schedules.RAMP, 1000, 3.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.5) == LEVEL_MAX


# -- persuasion and physiological ---------------------------------------------------------------
def test_credibility_erodes_when_contradicted_and_recovers_when_confirmed() -> None:
    c = 0.8
    eroded = persuasion.credibility_update(c, True, False, P["credibility_erosion"], P["credibility_recovery"])
    confirmed = persuasion.credibility_update(c, False, True, P["credibility_erosion"], P["credibility_recovery"])
    same = persuasion.credibility_update(c, False, False, P["credibility_erosion"], P["credibility_recovery"])
    assert eroded < same == c < confirmed <= 1.0


def test_specific_credible_feedback_moves_belief_more_than_generic() -> None:
    spec = persuasion.efficacy_change(3.0, 4.0, 0.8, 1.0, P["persuasion_gain"], 1.0)
    generic = persuasion.efficacy_change(3.0, 4.0, 0.8, P["generic_specificity"], P["persuasion_gain"], 1.0)
    low_cred = persuasion.efficacy_change(3.0, 4.0, 0.2, 1.0, P["persuasion_gain"], 1.0)
    assert spec > generic > 0 and spec > low_cred > 0


def test_reappraisal_removes_physiological_efficacy_loss() -> None:
    def loss(arousal: float, reappraisal: float) -> float:
        reading = physiological.anxious_reading(1.0, reappraisal)  # full threat
        return float(physiological.efficacy_change(arousal, reading, P["anxiety_threshold"], P["physio_gain"], 1.0))

    anxious, half, reframed, calm = loss(0.9, 0.0), loss(0.9, 0.5), loss(0.9, 1.0), loss(0.4, 0.0)
    assert anxious < half < reframed == 0.0
    assert calm == 0.0  # arousal below threshold is not read as anxiety


# -- the mechanisms inside the core (common random numbers: same seed, one thing changed) ----------
def _final(cfg: Config, steps: int) -> Batch:
    b = Batch([cfg])
    b.run(steps)
    return b


def test_reappraisal_training_reduces_physiological_losses_in_the_core() -> None:
    base = Config.default(agents=300, steps=20, seed=2, arousal_reactivity=0.8)
    with_iv = base.with_values({"interventions": [{"kind": "arousal_reappraisal", "start": 0, "end": 20}]})
    control = Batch([base])
    treated = Batch([with_iv])
    loss_c = loss_t = 0.0
    for _ in range(20):
        control.step()
        treated.step()
        loss_c += control.state.d_physiological.sum()
        loss_t += treated.state.d_physiological.sum()
    assert loss_c < 0
    assert loss_t > 0.6 * loss_c  # less than 60 % of the control's loss (losses are negative)


def test_shock_lowers_efficacy_and_raises_arousal_in_the_core() -> None:
    base = Config.default(agents=300, steps=10, seed=4)
    shocked = base.with_values({"shocks": [{"step": 5, "severity": 8.0, "share": 1.0, "arousal": 0.6}]})
    a, b = Batch([base]), Batch([shocked])
    a.run(5)
    b.run(5)
    engaged = b.state.engagement != DISENGAGED  # only engaged agents can be hit
    a.step()
    b.step()
    assert engaged.mean() > 0.8
    assert (b.state.shocked == engaged).all()
    assert b.state.efficacy[engaged].mean() < a.state.efficacy[engaged].mean() - 0.5
    assert b.state.arousal[engaged].mean() > a.state.arousal[engaged].mean() + 0.2


# -- items 3, 4, 6 inside the core: switches, real models, expectations, praise focus -----------------
EVERY_HOOK = [
    {"kind": "peer_modelling", "start": 0, "end": 15},
    {"kind": "expert_modelling", "start": 0, "end": 15, "intensity": 0.5},
    {"kind": "specific_persuasion", "start": 0, "end": 15, "intensity": 0.5},
    {"kind": "generic_praise", "start": 0, "end": 15, "intensity": 0.3},
    {"kind": "effort_praise", "start": 0, "end": 15, "intensity": 0.3},
]


def _sums(cfg: Config, steps: int = 15) -> dict[str, float]:
    """Absolute totals over ``steps`` of what each of the switched mechanisms contributed."""
    b = Batch([cfg])
    out = {"vicarious": 0.0, "persuasion": 0.0, "observational": 0.0, "focus": 0.0}
    for _ in range(steps):
        b.step()
        out["vicarious"] += float(np.abs(b.state.d_vicarious).sum())
        out["persuasion"] += float(np.abs(b.state.d_persuasion).sum())
        out["observational"] += float(np.abs(b.state.d_observational).sum())
        out["focus"] += float(np.abs(b.state.praise_focus).sum())
    return out


@pytest.mark.parametrize(
    ("switch", "silenced"),
    [
        ("use_vicarious", ["vicarious"]),
        ("use_persuasion", ["persuasion", "focus"]),
        ("use_observational_learning", ["observational"]),
    ],
)
def test_a_switched_off_mechanism_contributes_nothing(switch: str, silenced: list[str]) -> None:
    base = Config.from_dict(
        {"agents": 200, "steps": 15, "seed": 3, "params": {"persuasion_rate": 0.3}, "interventions": EVERY_HOOK}
    )
    on, off = _sums(base), _sums(base.with_values({switch: 0}))
    for name in silenced:
        assert on[name] > 0 and off[name] == 0.0, name
    for name in set(on) - set(silenced) - {"focus"}:
        assert off[name] > 0, name  # the others still work


def test_without_expectations_messages_claim_relative_to_own_efficacy() -> None:
    praise = {"interventions": [{"kind": "generic_praise", "start": 0, "end": 1}], "persuasion_rate": 0.0}
    on = Batch([Config.default(agents=100, seed=5).with_values(praise)])
    off = Batch([Config.default(agents=100, seed=5, use_expectations=0).with_values(praise)])
    teacher, efficacy = on.state.teacher_expectation.copy(), on.state.efficacy.copy()
    on.step()
    off.step()
    got = on.state.dose > 0
    assert got.any()
    inflation = P["praise_inflation"]
    assert np.allclose(on.state.persuaded_level[got], teacher[got] + inflation)
    assert np.allclose(off.state.persuaded_level[got], efficacy[got] + inflation)


def test_specific_feedback_from_a_low_expectation_teacher_lowers_belief() -> None:
    """The teacher claims its expectation + margin: a learner it expects little of is talked down."""
    cfg = Config.default(agents=400, seed=6, persuasion_rate=0.0, teacher_impression_sd=2.0).with_values(
        {"interventions": [{"kind": "specific_persuasion", "start": 0, "end": 1}]}
    )
    b = Batch([cfg])
    gap = b.state.teacher_expectation + P["persuasion_margin"] - b.state.efficacy
    b.step()
    d = b.state.d_persuasion
    assert (d[gap < -0.5] < 0).all() and (d[gap > 0.5] > 0).all()
    assert (gap < -0.5).sum() > 20 and (gap > 0.5).sum() > 20


def test_teacher_expectation_tracks_observed_performance_in_the_core() -> None:
    b = Batch([Config.default(agents=400, seed=2, steps=60, teacher_impression_sd=2.0)])
    before = np.corrcoef(b.state.teacher_expectation[0], b.state.skill[0])[0, 1]
    b.run(60)
    after = np.corrcoef(b.state.teacher_expectation[0], b.state.skill[0])[0, 1]
    assert after > before + 0.1


def test_a_failure_after_ability_praise_hurts_more_than_after_effort_praise() -> None:
    """Same seed, same first step; only the aim of step 0's praise differs (Mueller & Dweck 1998)."""
    runs = {}
    for kind in ("generic_praise", "effort_praise"):
        cfg = Config.default(agents=300, seed=7, persuasion_rate=0.0).with_values(
            {
                "schedule": [{"kind": "constant", "start": 0, "level": 3.0}],
                "interventions": [{"kind": kind, "start": 0, "end": 1}],
            }
        )
        b = Batch([cfg])
        b.step()
        state0 = b.state.copy()
        b.step()
        runs[kind] = (state0, b.state)
    (a0, a1), (e0, e1) = runs["generic_praise"], runs["effort_praise"]
    assert np.array_equal(a0.efficacy, e0.efficacy)  # the praise differs only in its aim
    assert (a0.praise_focus > 0).any() and (e0.praise_focus < 0).any()
    # a failure as the learner perceived it (bad news: negative mastery change) reads worse after ability praise
    focus = (a0.praise_focus > 0) & (e0.praise_focus < 0)
    failed = a1.attempted & ~a1.handed & (e1.d_mastery < 0) & focus
    assert failed.sum() > 5
    assert (a1.d_mastery[failed] < e1.d_mastery[failed]).all()
    good_news = a1.attempted & (e1.d_mastery >= 0) & focus
    assert good_news.sum() > 5
    assert np.allclose(a1.d_mastery[good_news], e1.d_mastery[good_news])  # good news is read the same


def test_without_error_learning_every_attempt_teaches_the_same_information() -> None:
    def info(cfg: Config) -> np.ndarray:
        b = Batch([cfg])
        s0 = b.state.skill.copy()
        b.step()
        practised = b.state.attempted
        base = cfg.params["learn_rate"] * b.state.sens_learning * b.state.effort * (LEVEL_MAX - s0) / LEVEL_MAX
        keep = practised & (base > 0)
        return (b.state.skill - s0)[keep] / base[keep]

    cfg = Config.default(agents=300, seed=4).with_values({"schedule": [{"kind": "random", "start": 0, "spread": 3.0}]})
    flat, driven = info(cfg.with_values({"use_error_learning": 0})), info(cfg)
    assert np.allclose(flat, (1 + P["failure_learning"]) / 4)
    assert driven.std() > 0.05 and driven.min() >= 0
