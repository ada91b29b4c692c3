"""Skill growth from effortful practice, and decay without it.

Sources: Heathcote, Brown & Mewhort (2000): individual learning curves are exponential (a constant
fraction of the remaining distance to the asymptote per practice episode); Bjork (1994) desirable
difficulties and seed 001 (stretch: a step out of the comfort zone, not a leap); Yin et al. (2019):
failures teach too, if less.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.params import LEVEL_MAX


def practice_gain(
    skill: ArrayLike,
    difficulty: ArrayLike,
    effort_level: ArrayLike,
    success: ArrayLike,
    learn_rate: ArrayLike,
    stretch_opt: ArrayLike,
    stretch_width: ArrayLike,
    failure_learning: ArrayLike,
) -> NDArray[np.float64]:
    """Skill gained from one attempt.

    ``gain = learn_rate * effort * zone * outcome_factor * (LEVEL_MAX - skill) / LEVEL_MAX`` with
    ``zone = exp(-0.5 ((difficulty - skill - stretch_opt) / stretch_width)^2)`` and
    ``outcome_factor = 1`` after a success, ``failure_learning`` after a failure.
    """
    s = np.asarray(skill)
    zone = np.exp(-0.5 * ((np.asarray(difficulty) - s - stretch_opt) / stretch_width) ** 2)
    outcome = np.where(success, 1.0, failure_learning)
    return learn_rate * effort_level * zone * outcome * (LEVEL_MAX - s) / LEVEL_MAX


def decay(skill: ArrayLike, skill_decay: ArrayLike) -> NDArray[np.float64]:
    """Skill lost in a step without practice: ``skill_decay * skill``."""
    return skill_decay * np.asarray(skill)
