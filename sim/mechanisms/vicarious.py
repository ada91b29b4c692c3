"""Vicarious experience: efficacy from observed outcomes of others.

docs/ODD.md section 7.9. Sources: Bandura (1997): "if they can do it, so can I", weighted by
perceived similarity; Schunk & Hanson (1985), Schunk, Hanson & Cox (1987): peer models one stage
ahead inform more than experts; Braaksma et al. (2002): similarity is judged from what the observer
sees, the model's performance relative to its own (the visible records of
:mod:`sim.mechanisms.expectations`; the same rule serves the real models of
:mod:`sim.mechanisms.modelling`). Weaker than mastery (Byars-Winston et al. 2017; Sheu et al. 2018):
``vicarious_gain`` < mastery gains by default.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import expectancy, per_agent
from sim.mechanisms._exp import exp_one
from sim.mechanisms.modelling import similarity


def evidence(
    observer_efficacy: ArrayLike,
    observer_shown: ArrayLike,
    model_level: ArrayLike,
    model_shown: ArrayLike,
    model_outcome: ArrayLike,
    stage_ahead: ArrayLike,
    width: ArrayLike,
    floor: ArrayLike,
    belief_scale: ArrayLike,
) -> NDArray[np.float64]:
    """Similarity-weighted surprise of one observation: ``sim(shown) * (outcome - p_self(model_level))``.

    Similarity compares the model's visible record with the observer's own; the surprise compares the
    model's outcome at its task with the observer's own expectancy at that task.
    """
    w = similarity(observer_shown, model_shown, stage_ahead, width, floor)
    return w * (np.asarray(model_outcome, dtype=float) - expectancy(observer_efficacy, model_level, belief_scale))


def flat_neighbours(neighbours: NDArray[np.intp], neighbour_mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Neighbour indices into the raveled (runs * agents) arrays, -1 where ``neighbour_mask`` is False.

    The network is static, so a batch computes this once and the kernel gathers from flat arrays.
    """
    runs, n = neighbours.shape[:2]
    offset = (np.arange(runs, dtype=np.int64) * n)[:, None, None]
    return np.where(neighbour_mask, neighbours + offset, -1).astype(np.int64)


def neighbour_evidence(
    efficacy: NDArray[np.float64],
    shown: NDArray[np.float64],
    neighbours: NDArray[np.intp],
    neighbour_mask: NDArray[np.bool_],
    observed: NDArray[np.bool_],
    levels: NDArray[np.float64],
    outcomes: NDArray[np.bool_],
    stage_ahead: ArrayLike,
    width: ArrayLike,
    floor: ArrayLike,
    belief_scale: ArrayLike,
    flat: NDArray[np.int64] | None = None,
) -> NDArray[np.float64]:
    """Mean evidence from the neighbours seen acting this step, shape (runs, agents).

    ``shown`` is every agent's visible record (similarity, 7.9).
    ``neighbours[r, i, k]`` is the k-th agent that agent i observes in run r; ``neighbour_mask``
    marks real entries; ``flat`` is :func:`flat_neighbours` of both, if already computed. Agents with
    no observed neighbour get 0. Same result as :func:`neighbour_evidence_numpy` (to rounding),
    computed in one fused compiled loop (the model's hot spot).
    """
    runs = efficacy.shape[0]

    def arr(x: ArrayLike, dtype: type) -> NDArray:
        # the compiled signature takes writable C-contiguous arrays; copies only when x is not one
        return np.require(x, dtype=dtype, requirements=("C", "W"))

    def per_run(x: ArrayLike) -> NDArray[np.float64]:
        return arr(np.broadcast_to(np.asarray(x, dtype=float).reshape(-1), (runs,)), float)

    if flat is None:
        flat = flat_neighbours(neighbours, neighbour_mask)
    return _neighbour_evidence_kernel(
        arr(efficacy, float),
        arr(shown, float),
        arr(flat, np.int64),
        arr(observed, np.bool_),
        arr(levels, float),
        arr(outcomes, np.bool_),
        per_run(stage_ahead),
        per_run(width),
        per_run(floor),
        per_run(belief_scale),
    )


# Compiled eagerly for its one signature (C-contiguous arrays), so a process that imports the model,
# such as the engine's forkserver, loads it from the cache once and its forked workers start warm.
@numba.njit(
    "f8[:, ::1](f8[:, ::1], f8[:, ::1], i8[:, :, ::1], b1[:, ::1], f8[:, ::1], b1[:, ::1], f8[::1], f8[::1], f8[::1], f8[::1])",
    cache=True,
)
def _neighbour_evidence_kernel(
    efficacy, shown, flat, observed, levels, outcomes, stage_ahead, width, floor, belief_scale
):
    runs, n, k = flat.shape
    seen, level, success, record = observed.ravel(), levels.ravel(), outcomes.ravel(), shown.ravel()
    # The expectancy 1 / (1 + exp((level - e) / bs)) factors as 1 / (1 + exp(level / bs) exp(-e / bs)):
    # one exp per observed agent and one per observer instead of one per observed pair (the kernel is
    # exp-bound; |level / bs| <= LEVEL_MAX / 0.05 = 200 cannot overflow).
    ahead = np.empty(runs * n)
    for r in range(runs):
        for j in range(r * n, (r + 1) * n):
            if seen[j]:
                ahead[j] = np.exp(level[j] / belief_scale[r])
    out = np.zeros((runs, n))
    for r in range(runs):
        sa, wd, fl, bs = stage_ahead[r], width[r], floor[r], belief_scale[r]
        for i in range(n):
            e = efficacy[r, i]
            own = shown[r, i]
            behind = np.exp(-e / bs)
            total = 0.0
            count = 0
            for m in range(k):
                j = flat[r, i, m]
                if j < 0 or not seen[j]:
                    continue
                z = (record[j] - own - sa) / wd
                p_self = 1.0 / (1.0 + ahead[j] * behind)
                w = fl + (1.0 - fl) * np.exp(-0.5 * z * z)
                total += w * ((1.0 if success[j] else 0.0) - p_self)
                count += 1
            if count > 0:
                out[r, i] = total / count
    return out


def neighbour_evidence_numpy(
    efficacy: NDArray[np.float64],
    shown: NDArray[np.float64],
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
    ev = evidence(
        efficacy[:, :, None],
        shown[:, :, None],
        levels[runs, neighbours],
        shown[runs, neighbours],
        outcomes[runs, neighbours],
        _k(stage_ahead),
        _k(width),
        _k(floor),
        _k(belief_scale),
    )
    total = np.where(seen, ev, 0.0).sum(axis=2)
    count = seen.sum(axis=2)
    return total / np.maximum(count, 1)


def _k(x: ArrayLike) -> ArrayLike:
    """Lift a (runs, 1) parameter to broadcast over (runs, agents, neighbours)."""
    x = np.asarray(x)
    return x[..., None] if x.ndim == 2 else x


@per_agent
def neighbour_evidence_one(
    efficacy: float,
    own_shown: float,
    neighbours,
    offset: int,
    shown,
    observed,
    ahead,
    outcomes,
    stage_ahead: float,
    width: float,
    floor: float,
    belief_scale: float,
) -> float:
    """:func:`neighbour_evidence` of one observer, compiled.

    ``neighbours`` are the observer's row of :func:`flat_neighbours` (-1: none), ``offset`` its run's
    first flat index, so ``neighbours[m] - offset`` indexes the run's arrays; ``shown``,
    ``observed`` and ``outcomes`` are the run's records and this step's acts and outcomes;
    ``ahead[j] = exp(level_j / belief_scale)`` for every agent that acted (the factored expectancy of
    :func:`_neighbour_evidence_kernel`, the same operations in the same order).
    """
    behind = exp_one(-efficacy / belief_scale)
    total = 0.0
    count = 0
    for m in range(neighbours.shape[0]):
        j = neighbours[m]
        if j < 0:
            continue
        j -= offset
        if not observed[j]:
            continue
        z = (shown[j] - own_shown - stage_ahead) / width
        p_self = 1.0 / (1.0 + ahead[j] * behind)
        w = floor + (1.0 - floor) * exp_one(-0.5 * z * z)
        total += w * ((1.0 if outcomes[j] else 0.0) - p_self)
        count += 1
    return total / count if count > 0 else 0.0
