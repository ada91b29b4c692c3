"""Ability versus effort praise: praise sets how a later failure is read.

docs/ODD.md section 7.16. Source: Mueller & Dweck (1998): children praised for their intelligence
attributed a later failure to low ability, children praised for effort to low effort. Each learner
carries a praise focus ``F`` in [-1, 1] (+1: ability, -1: effort), moved by the praise it receives and
fading back toward 0; it shifts the diagnostic weight of a failure (the share of it read as saying
something about capability, docs/ODD.md 7.8). No penalty term: praise changes only the reading.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import per_agent


def failure_weight(weight: ArrayLike, focus: ArrayLike) -> NDArray[np.float64]:
    """Diagnostic weight of a failure under praise focus ``F``.

    ``w + F (1 - w)`` for ``F >= 0`` (toward a full ability reading), ``w (1 + F)`` for ``F < 0``
    (toward "I did not try hard enough"); ``F = 0`` leaves ``w`` unchanged.
    """
    w = np.asarray(weight, dtype=float)
    f = np.asarray(focus, dtype=float)
    return np.where(f >= 0.0, w + f * (1.0 - w), w * (1.0 + f))


def update(
    focus: ArrayLike, ability_praised: ArrayLike, effort_praised: ArrayLike, rate: ArrayLike, decay: ArrayLike
) -> NDArray[np.float64]:
    """``F' = (1 - decay) F``, then ``F' += rate (1 - F')`` after ability praise and ``F' += rate (-1 - F')``
    after effort praise (in that order when both arrive in one step)."""
    f = (1.0 - np.asarray(decay)) * np.asarray(focus, dtype=float)
    f = np.where(ability_praised, f + rate * (1.0 - f), f)
    return np.where(effort_praised, f + rate * (-1.0 - f), f)


@per_agent
def failure_weight_one(weight: float, focus: float) -> float:
    """:func:`failure_weight` of one failure, compiled."""
    return weight + focus * (1.0 - weight) if focus >= 0.0 else weight * (1.0 + focus)


@per_agent
def update_one(focus: float, ability_praised: bool, effort_praised: bool, rate: float, decay: float) -> float:
    """:func:`update` of one learner's focus, compiled."""
    f = (1.0 - decay) * focus
    if ability_praised:
        f = f + rate * (1.0 - f)
    if effort_praised:
        f = f + rate * (-1.0 - f)
    return f
