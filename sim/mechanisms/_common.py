"""Small numeric helpers shared by the mechanisms."""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from sim.mechanisms._exp import exp_one


def logistic(x: ArrayLike) -> NDArray[np.float64]:
    """Numerically stable logistic function 1 / (1 + exp(-x))."""
    return expit(x)


def expectancy(efficacy: ArrayLike, difficulty: ArrayLike, belief_scale: ArrayLike) -> NDArray[np.float64]:
    """Subjective probability of success at ``difficulty`` for an agent with ``efficacy``.

    ``p = logistic((efficacy - difficulty) / belief_scale)``: efficacy is the level one believes one
    can reach about half of the time (Vancouver & Purl 2017 treat SE as such an expectancy).
    """
    return logistic((np.asarray(efficacy) - difficulty) / belief_scale)


def per_agent(rule):
    """Compile a per-agent rule (``*_one``) for the fused step of :mod:`sim.kernel`.

    Inlined into its callers at numba's IR level (no call per agent and rule), with NumPy's error
    model (a division by zero gives inf/NaN as in the array code, instead of a check per division).
    Neither changes a result: no ``fastmath``, so every operation is done as written.
    """
    return numba.njit(cache=True, inline="always", error_model="numpy")(rule)


@per_agent
def logistic_one(x: float) -> float:
    """:func:`logistic` of one number, compiled: ``1 / (1 + exp(-x))`` with the inlined ``exp``
    (:mod:`sim.mechanisms._exp`), within an ulp of ``expit`` (``exp`` overflows to ``inf`` for
    ``x < -709``, giving exactly 0)."""
    return 1.0 / (1.0 + exp_one(-x))


@per_agent
def expectancy_one(efficacy: float, difficulty: float, belief_scale: float) -> float:
    """:func:`expectancy` of one agent, compiled."""
    return logistic_one((efficacy - difficulty) / belief_scale)


@per_agent
def clip_one(x: float, low: float, high: float) -> float:
    """``np.clip`` of one number (NaN stays NaN)."""
    if x < low:
        return low
    if x > high:
        return high
    return x
