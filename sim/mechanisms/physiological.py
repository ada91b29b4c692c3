"""Physiological and affective state as a source of efficacy information.

Sources: Bandura (1997): arousal read as anxiety signals vulnerability; popular claims P1, P8, P13-P15: high-efficacy
people read arousal as readiness; Jamieson et al. (2010), Brooks (2014): reappraisal changes how
arousal is read, not its level.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import per_agent


def anxious_reading(threat_level: ArrayLike, reappraisal: ArrayLike) -> NDArray[np.float64]:
    """Share of arousal read as anxiety: the task's threat appraisal, less what reappraisal reframes."""
    return np.asarray(threat_level) * (1.0 - np.asarray(reappraisal))


def efficacy_change(
    arousal: ArrayLike, reading: ArrayLike, threshold: ArrayLike, gain: ArrayLike, strength: ArrayLike
) -> NDArray[np.float64]:
    """``Δefficacy = -gain * max(0, arousal - threshold) * anxious_reading / (1 + strength)``.

    Arousal read as readiness does not lower efficacy.
    """
    excess = np.maximum(0.0, np.asarray(arousal) - threshold)
    return -gain * excess * reading / (1.0 + np.asarray(strength))


@per_agent
def efficacy_change_one(
    arousal: float, threat_level: float, reappraisal: float, threshold: float, gain: float, strength: float
) -> float:
    """:func:`efficacy_change` of one agent with its :func:`anxious_reading`, compiled."""
    reading = threat_level * (1.0 - reappraisal)
    excess = max(0.0, arousal - threshold)
    return -gain * excess * reading / (1.0 + strength)
