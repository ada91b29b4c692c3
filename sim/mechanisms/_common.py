"""Small numeric helpers shared by the mechanisms."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit


def logistic(x: ArrayLike) -> NDArray[np.float64]:
    """Numerically stable logistic function 1 / (1 + exp(-x))."""
    return expit(x)


def expectancy(efficacy: ArrayLike, difficulty: ArrayLike, belief_scale: ArrayLike) -> NDArray[np.float64]:
    """Subjective probability of success at ``difficulty`` for an agent with ``efficacy``.

    ``p = logistic((efficacy - difficulty) / belief_scale)``: efficacy is the level one believes one
    can reach about half of the time (Vancouver & Purl 2017 treat SE as such an expectancy).
    """
    return logistic((np.asarray(efficacy) - difficulty) / belief_scale)
