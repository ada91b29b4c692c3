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

from sim.mechanisms._common import clip_one, logistic, logistic_one, per_agent
from sim.mechanisms._log import log_one

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
    """:func:`perceived_success` of one attempt, compiled; ``z`` is the normal quantile of the clipped
    feedback draw (:func:`inverse_normal_one`, computed only where feedback is ambiguous)."""
    a = ambiguity
    if not a > AMBIGUITY_FLOOR:
        return 1.0 if success else 0.0
    b2 = prior_scale * prior_scale
    lam = b2 / (b2 + a * a)
    m_hat = lam * (margin + a * z) + (1.0 - lam) * expected_margin
    s_hat = a * math.sqrt(b2) / math.sqrt(b2 + a * a)
    return logistic_one(m_hat / s_hat)


@per_agent
def margin_one(capability: float, difficulty: float, perf_scale: float, u_outcome: float) -> float:
    """:func:`performance_margin` of one attempt, compiled."""
    u = clip_one(u_outcome, U_EDGE, 1.0 - U_EDGE)
    return capability - difficulty - perf_scale * log_one(u / (1.0 - u))


@per_agent
def inverse_normal_one(p: float) -> float:
    """The standard normal quantile of ``p`` in (0, 1), compiled: Wichura (1988), Algorithm AS 241
    (PPND16), the rational approximation that Python's ``statistics.NormalDist.inv_cdf`` uses, with
    the same coefficients in the same order of operations (relative error about 1e-16), with the
    step's own ``log`` (:mod:`sim.mechanisms._log`), so within a few ulps of ``inv_cdf``."""
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        # Hash sum: 55.88319_28806_14901_4439
        num = (
            (
                (
                    (
                        (
                            (
                                (2.50908_09287_30122_6727e3 * r + 3.34305_75583_58812_8105e4) * r
                                + 6.72657_70927_00870_0853e4
                            )
                            * r
                            + 4.59219_53931_54987_1457e4
                        )
                        * r
                        + 1.37316_93765_50946_1125e4
                    )
                    * r
                    + 1.97159_09503_06551_4427e3
                )
                * r
                + 1.33141_66789_17843_7745e2
            )
            * r
            + 3.38713_28727_96366_6080e0
        ) * q
        den = (
            (
                (
                    (
                        ((5.22649_52788_52854_5610e3 * r + 2.87290_85735_72194_2674e4) * r + 3.93078_95800_09271_0610e4)
                        * r
                        + 2.12137_94301_58659_5867e4
                    )
                    * r
                    + 5.39419_60214_24751_1077e3
                )
                * r
                + 6.87187_00749_20579_0830e2
            )
            * r
            + 4.23133_30701_60091_1252e1
        ) * r + 1.0
        x = num / den
        return x
    r = p if q <= 0.0 else 1.0 - p
    r = math.sqrt(-log_one(r))
    if r <= 5.0:
        r = r - 1.6
        # Hash sum: 49.33206_50330_16102_89036
        num = (
            (
                (
                    (
                        (
                            (7.74545_01427_83414_07640e-4 * r + 2.27238_44989_26918_45833e-2) * r
                            + 2.41780_72517_74506_11770e-1
                        )
                        * r
                        + 1.27045_82524_52368_38258e0
                    )
                    * r
                    + 3.64784_83247_63204_60504e0
                )
                * r
                + 5.76949_72214_60691_40550e0
            )
            * r
            + 4.63033_78461_56545_29590e0
        ) * r + 1.42343_71107_49683_57734e0
        den = (
            (
                (
                    (
                        (
                            (1.05075_00716_44416_84324e-9 * r + 5.47593_80849_95344_94600e-4) * r
                            + 1.51986_66563_61645_71966e-2
                        )
                        * r
                        + 1.48103_97642_74800_74590e-1
                    )
                    * r
                    + 6.89767_33498_51000_04550e-1
                )
                * r
                + 1.67638_48301_83803_84940e0
            )
            * r
            + 2.05319_16266_37758_82187e0
        ) * r + 1.0
    else:
        r = r - 5.0
        # Hash sum: 47.52583_31754_92896_71629
        num = (
            (
                (
                    (
                        (
                            (2.01033_43992_92288_13265e-7 * r + 2.71155_55687_43487_57815e-5) * r
                            + 1.24266_09473_88078_43860e-3
                        )
                        * r
                        + 2.65321_89526_57612_30930e-2
                    )
                    * r
                    + 2.96560_57182_85048_91230e-1
                )
                * r
                + 1.78482_65399_17291_33580e0
            )
            * r
            + 5.46378_49111_64114_36990e0
        ) * r + 6.65790_46435_01103_77720e0
        den = (
            (
                (
                    (
                        (
                            (2.04426_31033_89939_78564e-15 * r + 1.42151_17583_16445_88870e-7) * r
                            + 1.84631_83175_10054_68180e-5
                        )
                        * r
                        + 7.86869_13114_56132_59100e-4
                    )
                    * r
                    + 1.48753_61290_85061_48525e-2
                )
                * r
                + 1.36929_88092_27358_05310e-1
            )
            * r
            + 5.99832_20655_58879_37690e-1
        ) * r + 1.0
    x = num / den
    if q < 0.0:
        x = -x
    return x
