"""Error-driven skill learning: an attempt teaches in proportion to the information in its outcome.

docs/ODD.md section 7.7. Sources: Rescorla & Wagner (1972) and the delta rule: learning is driven by
the prediction error, here the error of the outcome against the learner's *true* chance of success
(what the attempt reveals that the learner's current skill did not already secure); Heathcote,
Brown & Mewhort (2000): individual curves approach their asymptote exponentially (the
``(LEVEL_MAX - skill) / LEVEL_MAX`` factor); Yin et al. (2019): failures teach too, if less.
Where practice pays most is not placed: with success chance ``P`` the expected information is
``(1 + failure_learning) P (1 - P)``, so it follows from the rule (Bjork 1994's desirable
difficulties are a hypothesis the experiments can test, not an input).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import per_agent
from sim.params import LEVEL_MAX


def information(success: ArrayLike, p_success: ArrayLike, failure_learning: ArrayLike) -> NDArray[np.float64]:
    """Information in one outcome: ``1 - P`` after a success, ``failure_learning * P`` after a failure.

    ``P`` is the true success probability of the attempt (skill, effort and arousal included): an
    outcome that was nearly certain teaches almost nothing.
    """
    p = np.asarray(p_success, dtype=float)
    return np.where(success, 1.0 - p, np.asarray(failure_learning) * p)


def flat_information(failure_learning: ArrayLike) -> NDArray[np.float64]:
    """The ablation's constant (``use_error_learning`` = 0): the expected information of an even-odds
    attempt, ``(1 + failure_learning) / 4``, for every attempt whatever its outcome and difficulty."""
    return (1.0 + np.asarray(failure_learning, dtype=float)) / 4.0


def expected_information(p_success: ArrayLike, failure_learning: ArrayLike) -> NDArray[np.float64]:
    """Mean information of an attempt with success chance ``P``: ``(1 + failure_learning) P (1 - P)``
    (for reporting where the best challenge lies; the core draws the outcome instead)."""
    p = np.asarray(p_success, dtype=float)
    return (1.0 + np.asarray(failure_learning)) * p * (1.0 - p)


def practice_gain(
    skill: ArrayLike, effort_level: ArrayLike, info: ArrayLike, learn_rate: ArrayLike
) -> NDArray[np.float64]:
    """Skill gained from one attempt: ``learn_rate * effort * info * (LEVEL_MAX - skill) / LEVEL_MAX``.

    Effort multiplies: an attempt made without effort engages little learning (assumption).
    """
    s = np.asarray(skill, dtype=float)
    return learn_rate * np.asarray(effort_level) * info * (LEVEL_MAX - s) / LEVEL_MAX


@per_agent
def practice_gain_one(
    skill: float,
    effort_level: float,
    success: bool,
    p_success: float,
    failure_learning: float,
    learn_rate: float,
    switch: float,
) -> float:
    """:func:`practice_gain` of one attempt, with its :func:`information` (or, switched off, the
    :func:`flat_information`), compiled."""
    if switch > 0:
        info = 1.0 - p_success if success else failure_learning * p_success
    else:
        info = (1.0 + failure_learning) / 4.0
    return learn_rate * effort_level * info * (LEVEL_MAX - skill) / LEVEL_MAX
