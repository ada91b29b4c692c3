"""Real models: peer and expert modelling show the learner an actual agent's attempt at its task.

docs/ODD.md section 7.13. A recipient of ``peer_modelling`` watches the population member whose
visible performance record (:mod:`sim.mechanisms.expectations`, the peers' expectation) is closest
to one stage above its own; a recipient of ``expert_modelling`` watches the best performer of its
run. The model attempts the observer's task with its own skill, so its outcome is a real draw: a
peer model sometimes fails, like the coping models of Schunk, Hanson & Cox (1987). The observer
weights what it sees by similarity judged from what it can see, the model's record relative to its
own (Braaksma et al. 2002: which model helps depends on the observer), the same rule as for
neighbours (:mod:`sim.mechanisms.vicarious`). Sources: Bandura (1997); Schunk & Hanson (1985).
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import logistic, logistic_one, per_agent
from sim.mechanisms._exp import exp_one


def similarity(
    observer_shown: ArrayLike, model_shown: ArrayLike, stage_ahead: ArrayLike, width: ArrayLike, floor: ArrayLike
) -> NDArray[np.float64]:
    """Weight of a model from visible performance: ``floor + (1 - floor) exp(-0.5 ((m - o - stage_ahead) / width)^2)``.

    ``m`` and ``o`` are the model's and the observer's visible records: a model performing one stage
    above the observer weighs 1, a distant one (an expert, or a much weaker peer) still ``floor``.
    """
    gap = np.asarray(model_shown, dtype=float) - observer_shown
    return floor + (1.0 - np.asarray(floor)) * np.exp(-0.5 * ((gap - stage_ahead) / width) ** 2)


def choose_peer(shown: NDArray[np.float64], recipients: NDArray[np.bool_], stage_ahead: ArrayLike) -> NDArray[np.int64]:
    """Index of each recipient's peer model, -1 for non-recipients (and in a run of one agent).

    The peer is the other agent of the run whose record is closest to ``shown_i + stage_ahead``
    (ties: the lowest index). Shape (runs, agents).
    """
    runs = shown.shape[0]
    ahead = np.require(np.broadcast_to(np.asarray(stage_ahead, dtype=float).reshape(-1), (runs,)), float, ("C", "W"))
    return _choose_peer_kernel(
        np.require(shown, float, ("C", "W")), np.require(recipients, np.bool_, ("C", "W")), ahead
    )


@numba.njit("i8[:, ::1](f8[:, ::1], b1[:, ::1], f8[::1])", cache=True)
def _choose_peer_kernel(shown, recipients, stage_ahead):
    runs, n = shown.shape
    out = np.full((runs, n), -1, dtype=np.int64)
    for r in range(runs):
        for i in range(n):
            if not recipients[r, i]:
                continue
            target = shown[r, i] + stage_ahead[r]
            best, best_d = -1, np.inf
            for j in range(n):
                if j == i:
                    continue
                dist = abs(shown[r, j] - target)
                if dist < best_d:
                    best, best_d = j, dist
            out[r, i] = best
    return out


def choose_expert(shown: NDArray[np.float64]) -> NDArray[np.int64]:
    """Index of each agent's expert model: the run's best visible performer other than itself.

    Ties go to the lowest index; -1 in a run of one agent. Shape (runs, agents).
    """
    runs, n = shown.shape
    if n < 2:
        return np.full((runs, n), -1, dtype=np.int64)
    top = np.argmax(shown, axis=1)
    masked = shown.copy()
    masked[np.arange(runs), top] = -np.inf
    second = np.argmax(masked, axis=1)
    agents = np.arange(n)[None, :]
    return np.where(agents == top[:, None], second[:, None], top[:, None]).astype(np.int64)


def demonstration_probability(
    model_skill: ArrayLike, difficulty: ArrayLike, effort_gain: ArrayLike, perf_scale: ArrayLike
) -> NDArray[np.float64]:
    """Chance the model succeeds at the observer's task: full effort, no arousal cost (a demonstration).

    ``logistic((model_skill + effort_gain / 2 - difficulty) / perf_scale)``, the performance rule of
    docs/ODD.md 7.6 at effort 1 and arousal efficiency 1 (assumption).
    """
    return logistic((np.asarray(model_skill, dtype=float) + np.asarray(effort_gain) / 2.0 - difficulty) / perf_scale)


def evidence(weight: ArrayLike, model_success: ArrayLike, observer_expectancy: ArrayLike) -> NDArray[np.float64]:
    """What the demonstration says about the observer: ``weight * (outcome - p_hat)``, with ``p_hat``
    the observer's own expected success at the task the model attempted."""
    return np.asarray(weight) * (np.asarray(model_success, dtype=float) - observer_expectancy)


@per_agent
def similarity_one(observer_shown: float, model_shown: float, stage_ahead: float, width: float, floor: float) -> float:
    """:func:`similarity` of one observer and one model, compiled."""
    z = (model_shown - observer_shown - stage_ahead) / width
    return floor + (1.0 - floor) * exp_one(-0.5 * (z * z))


@per_agent
def choose_peer_one(shown, i: int, stage_ahead: float) -> int:
    """:func:`choose_peer` of agent ``i`` of one run (``shown``: the run's records), compiled."""
    target = shown[i] + stage_ahead
    best, best_d = -1, np.inf
    for j in range(shown.shape[0]):
        if j == i:
            continue
        dist = abs(shown[j] - target)
        if dist < best_d:
            best, best_d = j, dist
    return best


@per_agent
def best_two(shown) -> tuple[int, int]:
    """The run's best and second-best visible performers (first index on ties; -1 when absent), so
    that :func:`choose_expert` of agent ``i`` is ``second if i == best else best``; compiled."""
    best, second = -1, -1
    for j in range(shown.shape[0]):
        if best < 0 or shown[j] > shown[best]:
            best = j
    for j in range(shown.shape[0]):
        if j != best and (second < 0 or shown[j] > shown[second]):
            second = j
    return best, second


@per_agent
def demonstration_one(
    model_skill: float,
    difficulty: float,
    effort_gain: float,
    perf_scale: float,
    u: float,
    weight: float,
    observer_expectancy: float,
) -> tuple[bool, float]:
    """One demonstration: whether the model succeeds (draw ``u`` against
    :func:`demonstration_probability`) and its :func:`evidence` for the observer, compiled."""
    success = u < logistic_one((model_skill + effort_gain / 2.0 - difficulty) / perf_scale)
    return success, weight * ((1.0 if success else 0.0) - observer_expectancy)
