"""Effort: motivational intensity.

Source: Brehm & Self (1989) motivational intensity theory: effort rises with task demand as long as
success is possible and worthwhile, and drops to a minimum once it is judged unattainable;
Vancouver & Purl (2017): self-efficacy lowers effort on easy tasks (less is needed) and raises
persistence on hard ones.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import clip_one, per_agent


def effort(
    efficacy: ArrayLike,
    difficulty: ArrayLike,
    expected_success: ArrayLike,
    giveup_expectancy: ArrayLike,
    effort_min: ArrayLike,
    effort_span: ArrayLike,
) -> NDArray[np.float64]:
    """Effort in [effort_min, 1].

    Demand grows linearly from ``effort_min`` at ``difficulty = efficacy - effort_span`` to 1 at
    ``difficulty = efficacy``; when ``expected_success < giveup_expectancy`` effort collapses to
    ``effort_min``.
    """
    demand = (np.asarray(difficulty) - efficacy + effort_span) / effort_span
    e = np.clip(effort_min + (1.0 - np.asarray(effort_min)) * demand, effort_min, 1.0)
    return np.where(np.asarray(expected_success) < giveup_expectancy, effort_min, e)


@per_agent
def effort_one(
    efficacy: float,
    difficulty: float,
    expected_success: float,
    giveup_expectancy: float,
    effort_min: float,
    effort_span: float,
) -> float:
    """:func:`effort` of one agent, compiled."""
    if expected_success < giveup_expectancy:
        return effort_min
    demand = (difficulty - efficacy + effort_span) / effort_span
    return clip_one(effort_min + (1.0 - effort_min) * demand, effort_min, 1.0)
