"""Ambiguous feedback: learners perceive how well they did with error (ODD 7.14).

Sources: Schmidt & DeShon (2010): the effect of self-efficacy on performance depends on how
ambiguous performance feedback is; Vancouver & Purl (2017): when feedback is ambiguous, self-efficacy
shapes how one's own performance is perceived; Kluger & DeNisi (1996): explicit feedback informs.

The learner's latent performance margin (capability minus difficulty, with the performance noise of
this attempt) decides success. It sees that margin through noise whose SD is the task's ambiguity and
reads it against what its belief led it to expect (an approximately Bayesian, normal-prior reading
with a logistic link). Its *perceived outcome* is the probability it then gives to having succeeded:
exactly the real outcome when feedback is unambiguous, and what it expected when feedback says nothing.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logit, ndtri

from sim.mechanisms._common import logistic, logistic_one, per_agent

U_EDGE = 2.0**-53
"""Uniform draws are kept in [U_EDGE, 1 - U_EDGE] before an inverse CDF (a draw of exactly 0 is possible)."""
AMBIGUITY_FLOOR = 1e-6
"""Ambiguity (levels) at or below which feedback counts as unambiguous (keeps the reading finite)."""


def performance_margin(
    capability: ArrayLike, difficulty: ArrayLike, perf_scale: ArrayLike, u_outcome: ArrayLike
) -> NDArray[np.float64]:
    """Latent margin of this attempt: ``capability - difficulty - perf_scale * logit(u)``.

    ``u`` is the draw that decides success (``u < logistic((capability - difficulty) / perf_scale)``),
    so the margin is positive exactly for a success: the continuous performance behind the outcome.
    """
    u = np.clip(np.asarray(u_outcome), U_EDGE, 1.0 - U_EDGE)
    return np.asarray(capability) - difficulty - np.asarray(perf_scale) * logit(u)


def effective_ambiguity(
    ambiguity: ArrayLike, explicit: ArrayLike, clarity: ArrayLike, switch: ArrayLike
) -> NDArray[np.float64]:
    """Ambiguity this step: the task's, reduced by ``clarity`` where explicit feedback was given; 0 if off."""
    a = np.asarray(ambiguity) * np.where(explicit, 1.0 - np.asarray(clarity), 1.0)
    return np.where(np.asarray(switch) != 0, a, 0.0)


def perceived_success(
    margin: ArrayLike,
    expected_margin: ArrayLike,
    ambiguity: ArrayLike,
    prior_scale: ArrayLike,
    u_feedback: ArrayLike,
    success: ArrayLike,
) -> NDArray[np.float64]:
    """Perceived outcome in [0, 1].

    Signal ``x = margin + a z`` (``z = Phi^-1(u_feedback)``), prior mean ``mu = expected_margin``,
    prior scale ``b = prior_scale``: ``lam = b^2 / (b^2 + a^2)``,
    ``m_hat = lam x + (1 - lam) mu``, ``s_hat = a b / sqrt(b^2 + a^2)`` and
    ``perceived = logistic(m_hat / s_hat)``; where ``a <= AMBIGUITY_FLOOR`` it is the real outcome ``success``.
    """
    a = np.asarray(ambiguity, dtype=float)
    b2 = np.asarray(prior_scale, dtype=float) ** 2
    z = ndtri(np.clip(np.asarray(u_feedback), U_EDGE, 1.0 - U_EDGE))
    lam = b2 / (b2 + a * a)
    m_hat = lam * (np.asarray(margin) + a * z) + (1.0 - lam) * np.asarray(expected_margin)
    s_hat = a * np.sqrt(b2) / np.sqrt(b2 + a * a)
    ambiguous = a > AMBIGUITY_FLOOR
    graded = logistic(m_hat / np.where(ambiguous, s_hat, 1.0))
    return np.where(ambiguous, graded, np.asarray(success, dtype=float))


@per_agent
def effective_ambiguity_one(ambiguity: float, explicit: bool, clarity: float, switch: float) -> float:
    """:func:`effective_ambiguity` of one agent's feedback, compiled."""
    a = ambiguity * (1.0 - clarity if explicit else 1.0)
    return a if switch != 0 else 0.0


@per_agent
def perceived_success_one(
    margin: float, expected_margin: float, ambiguity: float, prior_scale: float, z: float, success: bool
) -> float:
    """:func:`perceived_success` of one attempt, compiled; ``z`` is ``ndtri`` of the clipped feedback
    draw (computed by SciPy beforehand, only where feedback is ambiguous: numba has no ``ndtri``)."""
    a = ambiguity
    if not a > AMBIGUITY_FLOOR:
        return 1.0 if success else 0.0
    b2 = prior_scale * prior_scale
    lam = b2 / (b2 + a * a)
    m_hat = lam * (margin + a * z) + (1.0 - lam) * expected_margin
    s_hat = a * math.sqrt(b2) / math.sqrt(b2 + a * a)
    return logistic_one(m_hat / s_hat)
