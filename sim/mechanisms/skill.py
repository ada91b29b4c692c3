"""Skill decay without practice (the practice gain is :mod:`sim.mechanisms.error_learning`).

Source: proportional decay of an unpractised skill is an assumption (docs/ODD.md section 7.7).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import per_agent


def decay(skill: ArrayLike, skill_decay: ArrayLike) -> NDArray[np.float64]:
    """Skill lost in a step without practice: ``skill_decay * skill``."""
    return skill_decay * np.asarray(skill)


@per_agent
def decay_one(skill: float, skill_decay: float) -> float:
    """:func:`decay` of one agent, compiled."""
    return skill_decay * skill
