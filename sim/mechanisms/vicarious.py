"""Vicarious experience: efficacy from observed outcomes of others.

Sources: Bandura (1997): "if they can do it, so can I", weighted by perceived similarity;
Schunk & Hanson (1985), Schunk, Hanson & Cox (1987), Braaksma et al. (2002): peer models one stage
ahead inform more than experts; seed 002. Weaker than mastery (Byars-Winston et al. 2017; Sheu et
al. 2018): ``vicarious_gain`` < mastery gains by default.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import expectancy


def similarity(
    observer_efficacy: ArrayLike, model_level: ArrayLike, stage_ahead: ArrayLike, width: ArrayLike, floor: ArrayLike
) -> NDArray[np.float64]:
    """Weight of a model working at ``model_level``.

    ``floor + (1 - floor) exp(-0.5 ((model - observer - stage_ahead) / width)^2)``: a model one
    stage ahead weighs 1; a distant one (an expert) still ``floor``.
    """
    gap = np.asarray(model_level) - observer_efficacy
    return floor + (1.0 - np.asarray(floor)) * np.exp(-0.5 * ((gap - stage_ahead) / width) ** 2)


def evidence(
    observer_efficacy: ArrayLike,
    model_level: ArrayLike,
    model_outcome: ArrayLike,
    stage_ahead: ArrayLike,
    width: ArrayLike,
    floor: ArrayLike,
    belief_scale: ArrayLike,
) -> NDArray[np.float64]:
    """Similarity-weighted surprise of one observation: ``sim * (outcome - p_self(model_level))``."""
    w = similarity(observer_efficacy, model_level, stage_ahead, width, floor)
    return w * (np.asarray(model_outcome, dtype=float) - expectancy(observer_efficacy, model_level, belief_scale))


def neighbour_evidence(
    efficacy: NDArray[np.float64],
    neighbours: NDArray[np.intp],
    neighbour_mask: NDArray[np.bool_],
    observed: NDArray[np.bool_],
    levels: NDArray[np.float64],
    outcomes: NDArray[np.bool_],
    stage_ahead: ArrayLike,
    width: ArrayLike,
    floor: ArrayLike,
    belief_scale: ArrayLike,
) -> NDArray[np.float64]:
    """Mean evidence from the neighbours seen acting this step, shape (runs, agents).

    ``neighbours[r, i, k]`` is the k-th agent that agent i observes in run r; ``neighbour_mask``
    marks real entries. Agents with no observed neighbour get 0. Same result as
    :func:`neighbour_evidence_numpy`, computed in one fused compiled loop (the model's hot spot).
    """
    runs = efficacy.shape[0]

    def per_run(x: ArrayLike) -> NDArray[np.float64]:
        return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=float).reshape(-1), (runs,)))

    return _neighbour_evidence_kernel(
        efficacy,
        neighbours,
        neighbour_mask,
        observed,
        levels,
        outcomes,
        per_run(stage_ahead),
        per_run(width),
        per_run(floor),
        per_run(belief_scale),
    )


@numba.njit(cache=True, fastmath=True)
def _neighbour_evidence_kernel(efficacy, neighbours, mask, observed, levels, outcomes, stage_ahead, width, floor, belief_scale):
    runs, n, k = neighbours.shape
    out = np.zeros((runs, n))
    for r in range(runs):
        for i in range(n):
            e = efficacy[r, i]
            total = 0.0
            count = 0
            for m in range(k):
                if not mask[r, i, m]:
                    continue
                j = neighbours[r, i, m]
                if not observed[r, j]:
                    continue
                z = (levels[r, j] - e - stage_ahead[r]) / width[r]
                p_self = 1.0 / (1.0 + np.exp(-(e - levels[r, j]) / belief_scale[r]))
                w = floor[r] + (1.0 - floor[r]) * np.exp(-0.5 * z * z)
                total += w * ((1.0 if outcomes[r, j] else 0.0) - p_self)
                count += 1
            if count > 0:
                out[r, i] = total / count
    return out


def neighbour_evidence_numpy(
    efficacy: NDArray[np.float64],
    neighbours: NDArray[np.intp],
    neighbour_mask: NDArray[np.bool_],
    observed: NDArray[np.bool_],
    levels: NDArray[np.float64],
    outcomes: NDArray[np.bool_],
    stage_ahead: ArrayLike,
    width: ArrayLike,
    floor: ArrayLike,
    belief_scale: ArrayLike,
) -> NDArray[np.float64]:
    """Plain NumPy version of :func:`neighbour_evidence` (the reference the kernel is tested against)."""
    runs = np.arange(efficacy.shape[0])[:, None, None]
    seen = neighbour_mask & observed[runs, neighbours]
    e = efficacy[:, :, None]
    ev = evidence(
        e, levels[runs, neighbours], outcomes[runs, neighbours], _k(stage_ahead), _k(width), _k(floor), _k(belief_scale)
    )
    total = np.where(seen, ev, 0.0).sum(axis=2)
    count = seen.sum(axis=2)
    return total / np.maximum(count, 1)


def _k(x: ArrayLike) -> ArrayLike:
    """Lift a (runs, 1) parameter to broadcast over (runs, agents, neighbours)."""
    x = np.asarray(x)
    return x[..., None] if x.ndim == 2 else x
