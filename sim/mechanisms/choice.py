"""Approach or avoid a task, and disengagement after persistent avoidance.

Source: Bandura (1997): people avoid activities they believe exceed their coping capabilities;
efficacy governs choice of activities. Avoidance forfeits the experience and the practice.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import logistic, logistic_one, per_agent


def attempt_probability(
    efficacy: ArrayLike, difficulty: ArrayLike, margin: ArrayLike, scale: ArrayLike
) -> NDArray[np.float64]:
    """Chance of attempting: ``logistic((efficacy + margin - difficulty) / scale)``.

    Half of agents attempt a task ``margin`` levels above their efficacy; far above, few do.
    """
    return logistic((np.asarray(efficacy) + margin - difficulty) / scale)


def avoid_streak_update(avoid_streak: ArrayLike, avoided: ArrayLike) -> NDArray[np.int32]:
    """Consecutive avoided tasks: +1 on avoidance, reset to 0 on an attempt."""
    return np.where(avoided, np.asarray(avoid_streak) + 1, 0).astype(np.int32)


def disengages(avoid_streak: ArrayLike, disengage_after: ArrayLike) -> NDArray[np.bool_]:
    """An agent disengages once it has avoided ``disengage_after`` tasks in a row."""
    return np.asarray(avoid_streak) >= disengage_after


@per_agent
def attempt_probability_one(efficacy: float, difficulty: float, margin: float, scale: float) -> float:
    """:func:`attempt_probability` of one agent, compiled."""
    return logistic_one((efficacy + margin - difficulty) / scale)


@per_agent
def engagement_one(engaged: bool, avoided: bool, avoid_streak: int, disengage_after: float) -> int:
    """Engagement after the step (0 engaged, 1 avoiding, 2 disengaged; ``sim.state``'s codes):
    disengaged stays so, ``disengage_after`` avoided tasks in a row disengage (:func:`disengages`)."""
    if not engaged or avoid_streak >= disengage_after:
        return 2
    return 1 if avoided else 0
