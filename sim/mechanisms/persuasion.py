"""Social persuasion: messages about one's capability, weighted by credibility and specificity.

Sources: Bandura (1997): persuasion is weaker than enactive evidence and is discounted when the
persuader lacks credibility; popular claims P1, P8, P13-P15: credible, specific feedback beats general encouragement;
Mueller & Dweck (1998): generic ability praise backfires after failure; Ashford et al. (2010).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import per_agent


def efficacy_change(
    efficacy: ArrayLike,
    message_level: ArrayLike,
    credibility: ArrayLike,
    specificity: ArrayLike,
    gain: ArrayLike,
    strength: ArrayLike,
) -> NDArray[np.float64]:
    """``Δefficacy = gain * credibility * specificity * (message - efficacy) / (1 + strength)``."""
    return gain * credibility * specificity * (np.asarray(message_level) - efficacy) / (1.0 + np.asarray(strength))


def credibility_update(
    credibility: ArrayLike,
    contradicted: ArrayLike,
    confirmed: ArrayLike,
    erosion: ArrayLike,
    recovery: ArrayLike,
) -> NDArray[np.float64]:
    """A failure at a task the persuader claimed was within reach erodes credibility; a success restores it.

    ``c' = c (1 - erosion)`` when contradicted, ``c + recovery (1 - c)`` when confirmed.
    """
    c = np.asarray(credibility)
    c = np.where(contradicted, c * (1.0 - np.asarray(erosion)), c)
    return np.where(confirmed, c + recovery * (1.0 - c), c)


@per_agent
def efficacy_change_one(
    efficacy: float, message_level: float, credibility: float, specificity: float, gain: float, strength: float
) -> float:
    """:func:`efficacy_change` of one message to one agent, compiled."""
    return gain * credibility * specificity * (message_level - efficacy) / (1.0 + strength)


@per_agent
def credibility_update_one(
    credibility: float, contradicted: bool, confirmed: bool, erosion: float, recovery: float
) -> float:
    """:func:`credibility_update` of one agent's persuaders, compiled."""
    c = credibility * (1.0 - erosion) if contradicted else credibility
    return c + recovery * (1.0 - c) if confirmed else c
