"""Performance: success chance from skill, effort and arousal (Yerkes-Dodson).

Source: Yerkes & Dodson (1908), via Teigen (1994): the most favourable arousal falls as tasks get
harder; Sorensen et al. (2022) for a mechanistic account. The Gaussian efficiency form with an
optimum that moves with difficulty is a modelling assumption (Teigen 1994; Corbett 2015).
IMWM (Vancouver, Wang & Li 2018): performance grows with effort times ability.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import logistic, logistic_one, per_agent
from sim.mechanisms._exp import exp_one


def hardness(difficulty: ArrayLike, skill: ArrayLike, scale: ArrayLike) -> NDArray[np.float64]:
    """How hard a task is for this agent, in [0, 1]: ``logistic((difficulty - skill) / scale)``."""
    return logistic((np.asarray(difficulty) - skill) / scale)


def arousal_efficiency(
    arousal: ArrayLike, task_hardness: ArrayLike, opt_easy: ArrayLike, opt_hard: ArrayLike, width: ArrayLike
) -> NDArray[np.float64]:
    """Yerkes-Dodson inverted U: ``exp(-0.5 ((A - A*) / width)^2)``, ``A* = opt_easy + (opt_hard - opt_easy) h``."""
    optimum = opt_easy + (np.asarray(opt_hard) - opt_easy) * task_hardness
    return np.exp(-0.5 * ((np.asarray(arousal) - optimum) / width) ** 2)


def success_probability(
    skill: ArrayLike,
    effort_level: ArrayLike,
    difficulty: ArrayLike,
    effort_gain: ArrayLike,
    perf_scale: ArrayLike,
    efficiency: ArrayLike,
    yd_cost: ArrayLike,
) -> NDArray[np.float64]:
    """Chance of success.

    ``capability = skill + effort_gain (effort - 1/2) - yd_cost (1 - efficiency)``;
    ``P(success) = logistic((capability - difficulty) / perf_scale)``.
    Arousal away from the optimum costs up to ``yd_cost`` levels of capability, so it matters most
    for tasks near one's limit and little for trivial ones.
    """
    capability = (
        np.asarray(skill) + effort_gain * (np.asarray(effort_level) - 0.5) - yd_cost * (1.0 - np.asarray(efficiency))
    )
    return logistic((capability - difficulty) / perf_scale)


def capability(
    skill: ArrayLike, effort_level: ArrayLike, effort_gain: ArrayLike, efficiency: ArrayLike, yd_cost: ArrayLike
) -> NDArray[np.float64]:
    """Capability on this attempt: ``skill + effort_gain (effort - 1/2) - yd_cost (1 - efficiency)``.

    The same capability as in :func:`success_probability`; the feedback rule reads it to form the
    attempt's performance margin (:mod:`sim.mechanisms.feedback`).
    """
    return np.asarray(skill) + effort_gain * (np.asarray(effort_level) - 0.5) - yd_cost * (1.0 - np.asarray(efficiency))


@per_agent
def capability_one(
    skill: float,
    effort_level: float,
    effort_gain: float,
    arousal: float,
    difficulty: float,
    hardness_scale: float,
    opt_easy: float,
    opt_hard: float,
    width: float,
    yd_cost: float,
) -> float:
    """:func:`capability` of one attempt, with its :func:`hardness` and :func:`arousal_efficiency`, compiled."""
    h = logistic_one((difficulty - skill) / hardness_scale)
    optimum = opt_easy + (opt_hard - opt_easy) * h
    z = (arousal - optimum) / width
    efficiency = exp_one(-0.5 * (z * z))
    return skill + effort_gain * (effort_level - 0.5) - yd_cost * (1.0 - efficiency)
