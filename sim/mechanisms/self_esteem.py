"""Global self-esteem: a slow, general sense of worth, distinct from domain-specific efficacy.

Rosenberg (1965) defines self-esteem as a global attitude toward oneself; it is fairly stable
(Trzesniewski, Donnellan & Robins 2003) and only loosely tied to performance: raising it does not
raise later achievement (Baumeister, Campbell, Krueger & Vohs 2003). Self-efficacy is a judgement of
capability for a domain (Bong & Skaalvik 2003; Marsh 1990 on the self-concept hierarchy). The model
keeps self-esteem out of performance, choice and effort: it follows reported outcomes in every
domain (handed successes included: a trophy is a success to be told about) and generic ability
praise, and is pulled back toward the learner's usual level (docs/ODD.md 7.23).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def initial(z_efficacy: ArrayLike, z_own: ArrayLike, mean: ArrayLike, sd: ArrayLike, corr: ArrayLike) -> np.ndarray:
    """Starting self-esteem in [0, 1]: ``mean + sd (corr z_e + sqrt(1 - corr^2) z)``, correlated with efficacy."""
    corr = np.asarray(corr, dtype=float)
    z = corr * np.asarray(z_efficacy) + np.sqrt(1.0 - corr**2) * np.asarray(z_own)
    return np.clip(mean + sd * z, 0.0, 1.0)


def update(
    esteem: NDArray[np.float64],
    usual: NDArray[np.float64],
    acted: NDArray[np.bool_],
    success: NDArray[np.bool_],
    praised: NDArray[np.bool_],
    anchoring: ArrayLike,
    outcome_rate: ArrayLike,
    praise_gain: ArrayLike,
) -> NDArray[np.float64]:
    """Self-esteem after one step.

    In order: a pull ``anchoring x (usual - s)`` back to the usual level; an outcome moves it
    ``outcome_rate x (1 - s)`` up (success) or ``outcome_rate x s`` down (failure); generic praise adds
    ``praise_gain x (1 - s)``. Every term keeps it in [0, 1].
    """
    s = esteem + anchoring * (usual - esteem)
    s = np.where(acted, s + outcome_rate * (success.astype(float) - s), s)
    return np.where(praised, s + praise_gain * (1.0 - s), s)
