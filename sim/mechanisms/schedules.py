"""Difficulty schedules: the task each agent faces each step.

Kinds (``sim.params.SCHEDULE_KINDS``): constant; ramp (a progressive ladder for everyone); adaptive
(a weighted up-down staircase per agent that converges to a target success rate, Kaernbach 1991);
random; self_chosen (goal = own efficacy + offset: higher efficacy, harder goals; Locke & Latham
2002, Bandura 1997). Phases compose in time; shocks and interventions overlay them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import clip_one, per_agent
from sim.params import LEVEL_MAX, SCHEDULE_KINDS

KIND_CODE = {k: i for i, k in enumerate(SCHEDULE_KINDS)}
CONSTANT, RAMP, ADAPTIVE, RANDOM, SELF_CHOSEN = (KIND_CODE[k] for k in SCHEDULE_KINDS)


def difficulty(
    kind: ArrayLike,
    steps_in_phase: ArrayLike,
    level: ArrayLike,
    spread: ArrayLike,
    ramp_rate: ArrayLike,
    offset: ArrayLike,
    staircase_level: ArrayLike,
    efficacy: ArrayLike,
    u: ArrayLike,
) -> NDArray[np.float64]:
    """Task difficulty for each agent, clipped to [0, LEVEL_MAX].

    ``u`` is a uniform draw per agent (used by random and self_chosen).
    """
    kind = np.asarray(kind)
    shape = np.shape(u)

    def formula(k: int) -> NDArray[np.float64]:
        if k == CONSTANT:
            return np.broadcast_to(level, shape)
        if k == RAMP:
            return np.broadcast_to(level + ramp_rate * np.asarray(steps_in_phase), shape)
        if k == ADAPTIVE:
            return np.broadcast_to(staircase_level, shape)
        noise = np.asarray(spread) * (2.0 * np.asarray(u) - 1.0)
        return level + noise if k == RANDOM else np.asarray(efficacy) + offset + noise

    # only the kinds in use are computed (usually one for the whole batch)
    kinds = [int(k) for k in np.unique(kind)]
    d = formula(kinds[0]) if len(kinds) == 1 else np.select([kind == k for k in kinds], [formula(k) for k in kinds])
    return np.clip(np.asarray(d, dtype=float), 0.0, LEVEL_MAX)


def staircase(level: ArrayLike, success: ArrayLike, target_success: ArrayLike, step: ArrayLike) -> NDArray[np.float64]:
    """Weighted up-down staircase: up ``step (1 - target)`` after a success, down ``step target`` otherwise.

    At equilibrium ``p (1 - target) = (1 - p) target``, so the success rate converges to ``target``.
    """
    move = np.where(success, step * (1.0 - np.asarray(target_success)), -np.asarray(step) * target_success)
    return np.clip(np.asarray(level) + move, 0.0, LEVEL_MAX)


@per_agent
def difficulty_one(
    kind: int,
    steps_in_phase: int,
    level: float,
    spread: float,
    ramp_rate: float,
    offset: float,
    staircase_level: float,
    efficacy: float,
    u: float,
) -> float:
    """:func:`difficulty` of one agent's task, compiled."""
    if kind == CONSTANT:
        d = level
    elif kind == RAMP:
        d = level + ramp_rate * steps_in_phase
    elif kind == ADAPTIVE:
        d = staircase_level
    elif kind == RANDOM:
        d = level + spread * (2.0 * u - 1.0)
    else:
        d = efficacy + offset + spread * (2.0 * u - 1.0)
    return clip_one(d, 0.0, LEVEL_MAX)


@per_agent
def staircase_one(level: float, success: bool, target_success: float, step: float) -> float:
    """:func:`staircase` of one agent, compiled."""
    move = step * (1.0 - target_success) if success else -step * target_success
    return clip_one(level + move, 0.0, LEVEL_MAX)
