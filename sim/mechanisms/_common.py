"""Small numeric helpers shared by the mechanisms."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def logistic(x: ArrayLike) -> NDArray[np.float64]:
    """Numerically stable logistic function 1 / (1 + exp(-x))."""
    x = np.asarray(x, dtype=float)
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def expectancy(efficacy: ArrayLike, difficulty: ArrayLike, belief_scale: ArrayLike) -> NDArray[np.float64]:
    """Subjective probability of success at ``difficulty`` for an agent with ``efficacy``.

    ``p = logistic((efficacy - difficulty) / belief_scale)``: efficacy is the level one believes one
    can reach about half of the time (Vancouver & Purl 2017 treat SE as such an expectancy).
    """
    return logistic((np.asarray(efficacy) - difficulty) / belief_scale)
