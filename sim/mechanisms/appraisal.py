"""Threat/challenge appraisal and arousal dynamics.

Source: Lazarus & Folkman (1984) primary appraisal; Bandura (1997): tasks judged beyond one's
coping capability are appraised as threats and raise arousal; within reach they are challenges
(popular claims P2-P7: eustress vs distress).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import clip_one, logistic, logistic_one, per_agent


def threat(efficacy: ArrayLike, difficulty: ArrayLike, margin: ArrayLike, scale: ArrayLike) -> NDArray[np.float64]:
    """Degree (0-1) to which a task is appraised as a threat rather than a challenge.

    ``threat = logistic((difficulty - efficacy - margin) / scale)``.
    """
    return logistic((np.asarray(difficulty) - efficacy - margin) / scale)


def arousal_update(
    arousal: ArrayLike,
    baseline: ArrayLike,
    threat_level: ArrayLike,
    reactivity: ArrayLike,
    challenge: ArrayLike,
    decay: ArrayLike,
) -> NDArray[np.float64]:
    """Next arousal: decay toward baseline, then a rise toward 1 driven by the appraisal.

    ``A' = A + decay (baseline - A)``;
    ``A'' = A' + reactivity (threat + challenge (1 - threat)) (1 - A')``. Stays in [0, 1].
    """
    a = np.asarray(arousal) + decay * (np.asarray(baseline) - arousal)
    drive = threat_level + challenge * (1.0 - np.asarray(threat_level))
    return np.clip(a + reactivity * drive * (1.0 - a), 0.0, 1.0)


@per_agent
def threat_one(efficacy: float, difficulty: float, margin: float, scale: float) -> float:
    """:func:`threat` of one agent, compiled."""
    return logistic_one((difficulty - efficacy - margin) / scale)


@per_agent
def arousal_update_one(
    arousal: float, baseline: float, threat_level: float, reactivity: float, challenge: float, decay: float
) -> float:
    """:func:`arousal_update` of one agent, compiled."""
    a = arousal + decay * (baseline - arousal)
    drive = threat_level + challenge * (1.0 - threat_level)
    return clip_one(a + reactivity * drive * (1.0 - a), 0.0, 1.0)
