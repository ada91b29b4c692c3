"""Task complexity: on complex tasks success rests on strategy (skill) more than on effort (ODD 7.17).

Sources: Wood (1986): task complexity (component, coordinative, dynamic) as a task dimension apart
from difficulty; Wood, Mento & Locke (1987): goal effects, which act through effort, are about half
as large on complex tasks as on simple ones; Wood, Bandura & Bailey (1990): on a complex task
performance depends on finding a strategy, and effort alone does not carry it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import per_agent


def effort_gain(gain: ArrayLike, complexity: ArrayLike, damping: ArrayLike, switch: ArrayLike) -> NDArray[np.float64]:
    """Capability added by effort on this task: ``gain (1 - damping * complexity)`` (``gain`` if off)."""
    c = np.where(np.asarray(switch) != 0, complexity, 0.0)
    return np.asarray(gain) * (1.0 - np.asarray(damping) * c)


@per_agent
def effort_gain_one(gain: float, complexity: float, damping: float, switch: float) -> float:
    """:func:`effort_gain` of one task, compiled."""
    c = complexity if switch != 0 else 0.0
    return gain * (1.0 - damping * c)
