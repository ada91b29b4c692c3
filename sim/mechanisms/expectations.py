"""Persuaders' expectations: a teacher per run and everyday peers expect things of each learner.

docs/ODD.md section 7.15. Each persuader forms an expectation of each learner (levels): an initial
impression of the learner's skill with a declared error, then updated from what it observes of the
learner's performance (an Elo-style rating update: Elo 1978; Pelanek 2016). What persuaders then
say follows those expectations (teacher-expectancy research: Rosenthal & Jacobson 1968; Jussim &
Harber 2005 find the effects real but modest, and expectations mostly accurate), and teachers give
more specific feedback to learners they expect more of (Brophy & Good 1970; Harris & Rosenthal 1985,
the "feedback" mediator). The peers' expectation is also the learner's visible record, the
performance others (and the learner itself) compare to judge a model's similarity (7.9, 7.13).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import clip_one, logistic, logistic_one, per_agent
from sim.params import LEVEL_MAX


def initial_impression(skill: ArrayLike, impression_sd: ArrayLike, z: ArrayLike) -> NDArray[np.float64]:
    """``clip(skill + impression_sd * z, 0, LEVEL_MAX)``: a noisy first impression of true skill."""
    return np.clip(np.asarray(skill, dtype=float) + impression_sd * np.asarray(z), 0.0, LEVEL_MAX)


def update(
    expectation: ArrayLike,
    observed: ArrayLike,
    task: ArrayLike,
    success: ArrayLike,
    rate: ArrayLike,
    belief_scale: ArrayLike,
) -> NDArray[np.float64]:
    """After an observed attempt at ``task``: ``x + rate (outcome - logistic((x - task) / belief_scale))``.

    The persuader expected success with the same expectancy form as the learner's (7.5); a surprising
    outcome moves its expectation most. Unobserved agents keep theirs; the result is clipped to the scale.
    """
    x = np.asarray(expectation, dtype=float)
    err = np.asarray(success, dtype=float) - logistic((x - task) / belief_scale)
    return np.where(observed, np.clip(x + rate * err, 0.0, LEVEL_MAX), x)


def specificity(
    expectation: ArrayLike, difficulty: ArrayLike, generic_specificity: ArrayLike, belief_scale: ArrayLike
) -> NDArray[np.float64]:
    """Specificity of a teacher's feedback: ``s_g + (1 - s_g) logistic((x - difficulty) / belief_scale)``.

    Full when the teacher expects the learner to master the task at hand, falling toward generic
    encouragement when it does not (Brophy & Good 1970; Harris & Rosenthal 1985; the form is an assumption).
    """
    g = np.asarray(generic_specificity, dtype=float)
    return g + (1.0 - g) * logistic((np.asarray(expectation, dtype=float) - difficulty) / belief_scale)


@per_agent
def update_one(
    expectation: float, observed: bool, task: float, success: bool, rate: float, belief_scale: float
) -> float:
    """:func:`update` of one persuader's expectation of one learner, compiled."""
    if not observed:
        return expectation
    err = (1.0 if success else 0.0) - logistic_one((expectation - task) / belief_scale)
    return clip_one(expectation + rate * err, 0.0, LEVEL_MAX)


@per_agent
def specificity_one(expectation: float, difficulty: float, generic_specificity: float, belief_scale: float) -> float:
    """:func:`specificity` of one message, compiled."""
    g = generic_specificity
    return g + (1.0 - g) * logistic_one((expectation - difficulty) / belief_scale)
