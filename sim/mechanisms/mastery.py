"""Mastery experience: efficacy and strength updates from one's own outcomes.

Sources: Bandura (1977, 1997): mastery is the strongest source; an easy success teaches little, a
success won with effort at a hard task teaches much; failure before a belief is established hurts
most. Moebius et al. (2022), Eil & Rao (2011): good and bad news are weighted differently and
updating is conservative. Byars-Winston et al. (2017): mastery has the largest unique effect.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import per_agent


def diagnostic_weight(effort_level: ArrayLike, effort_attribution: ArrayLike) -> NDArray[np.float64]:
    """Evidence weight of an outcome: ``1 - effort_attribution (1 - effort)``.

    A failure after full effort says more about capability than one without effort, and a success
    with full effort more than a lucky one.
    """
    return 1.0 - effort_attribution * (1.0 - np.asarray(effort_level))


def surprise(outcome: ArrayLike, expected_success: ArrayLike) -> NDArray[np.float64]:
    """Prediction error ``outcome - expected``: an expected success (easy task) teaches little."""
    return np.asarray(outcome, dtype=float) - expected_success


def efficacy_change(
    prediction_error: ArrayLike,
    weight: ArrayLike,
    strength: ArrayLike,
    gain_success: ArrayLike,
    gain_failure: ArrayLike,
    sensitivity: ArrayLike = 1.0,
) -> NDArray[np.float64]:
    """``Δefficacy = gain(sign) * sensitivity * weight * error / (1 + strength)``.

    The divisor makes settled beliefs (high strength) move less, so early outcomes move belief most.
    """
    err = np.asarray(prediction_error)
    gain = np.where(err >= 0.0, gain_success, gain_failure)
    return gain * sensitivity * weight * err / (1.0 + np.asarray(strength))


def strength_change(prediction_error: ArrayLike, weight: ArrayLike, strength_gain: ArrayLike) -> NDArray[np.float64]:
    """Strength grows with diagnostic evidence: ``strength_gain * weight * |error|``."""
    return strength_gain * np.asarray(weight) * np.abs(prediction_error)


def strength_update(
    strength: ArrayLike, prediction_error: ArrayLike, weight: ArrayLike, strength_gain: ArrayLike, forgetting: ArrayLike
) -> NDArray[np.float64]:
    """Leaky evidence integration: ``S' = (1 - forgetting) S + strength_gain * weight * |error|``.

    Without forgetting, strength grows without bound and late evidence can no longer move belief.
    """
    return (1.0 - np.asarray(forgetting)) * strength + strength_change(prediction_error, weight, strength_gain)


@per_agent
def efficacy_change_one(
    prediction_error: float,
    weight: float,
    strength: float,
    gain_success: float,
    gain_failure: float,
    sensitivity: float,
) -> float:
    """:func:`efficacy_change` of one agent, compiled."""
    gain = gain_success if prediction_error >= 0.0 else gain_failure
    return gain * sensitivity * weight * prediction_error / (1.0 + strength)


@per_agent
def strength_update_one(
    strength: float, prediction_error: float, weight: float, strength_gain: float, forgetting: float
) -> float:
    """:func:`strength_update` of one agent, compiled."""
    return (1.0 - forgetting) * strength + strength_gain * weight * abs(prediction_error)
