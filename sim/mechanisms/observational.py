"""Observational learning: watching a model succeed teaches a little skill, not only belief.

docs/ODD.md section 7.14. Source: Bandura (1986): people learn strategies by observation (attention,
retention, reproduction); Schunk & Hanson (1985) found modelled strategies improved children's
skill as well as their efficacy. Form: the error-driven rule of :mod:`sim.mechanisms.error_learning`
applied to a watched success, discounted by ``observational_learning``: a success the observer could
not yet secure itself (low own success chance ``P``) shows the most; a failed demonstration shows no
working strategy (assumption).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import per_agent
from sim.params import LEVEL_MAX


def watching_gain(
    skill: ArrayLike,
    model_success: ArrayLike,
    own_p_success: ArrayLike,
    learn_rate: ArrayLike,
    observational_learning: ArrayLike,
) -> NDArray[np.float64]:
    """``observational_learning * learn_rate * success * (1 - P) * (LEVEL_MAX - skill) / LEVEL_MAX``."""
    s = np.asarray(skill, dtype=float)
    info = np.where(model_success, 1.0 - np.asarray(own_p_success, dtype=float), 0.0)
    return observational_learning * learn_rate * info * (LEVEL_MAX - s) / LEVEL_MAX


@per_agent
def watching_gain_one(
    skill: float, model_success: bool, own_p_success: float, learn_rate: float, observational_learning: float
) -> float:
    """:func:`watching_gain` of one observer, compiled."""
    info = 1.0 - own_p_success if model_success else 0.0
    return observational_learning * learn_rate * info * (LEVEL_MAX - skill) / LEVEL_MAX
