"""Stable person-level biases in self-evaluation (ODD 7.15).

Sources: Möbius, Niederle, Niehaus & Rosenblat (2022): people are overconfident about their own
ability and update asymmetrically (more on good than on bad news), with wide differences between
people; Eil & Rao (2011): good news about oneself is taken in, bad news discounted; Dunning,
Meyerowitz & Holzberg (1989): self-enhancement thrives where the evidence is ambiguous; Campbell &
Sedikides (1999), Mezulis et al. (2004): the self-serving attribution bias (success to oneself,
failure to circumstances) is large and varies between people.

Each agent draws, once, an optimism (levels by which it expects to have done better than its belief
predicts), a weight on good news and one on bad news (log-normal multipliers of the population
gains), and a self-serving share of attribution.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._common import per_agent
from sim.mechanisms._exp import exp


def optimism(z: ArrayLike, mean: ArrayLike, sd: ArrayLike, switch: ArrayLike) -> NDArray[np.float64]:
    """Self-enhancement in levels: ``mean + sd z`` (0 when switched off)."""
    return np.where(np.asarray(switch) != 0, mean + np.asarray(sd) * z, 0.0)


def news_weight(z: ArrayLike, sd: ArrayLike, switch: ArrayLike) -> NDArray[np.float64]:
    """Multiplier of a population gain for good or bad news: ``exp(sd z)`` (1 when switched off;
    the processor-independent ``exp`` of :mod:`sim.mechanisms._exp`)."""
    return np.where(np.asarray(switch) != 0, exp(np.asarray(sd, dtype=float) * np.asarray(z, dtype=float)), 1.0)


def self_serving(z: ArrayLike, mean: ArrayLike, sd: ArrayLike, switch: ArrayLike) -> NDArray[np.float64]:
    """Self-serving share ``clip(mean + sd z, 0, 1)`` (0 when switched off)."""
    return np.where(np.asarray(switch) != 0, np.clip(mean + np.asarray(sd) * z, 0.0, 1.0), 0.0)


def attributed_weight(
    effort_level: ArrayLike, effort_attribution: ArrayLike, good_news: ArrayLike, share: ArrayLike
) -> NDArray[np.float64]:
    """Diagnostic weight of one's own outcome after self-serving attribution.

    Good news is credited to ability, so low effort discounts it less:
    ``1 - a (1 - E) (1 - sigma)``. Bad news is partly put down to effort, luck or the task:
    ``(1 - a (1 - E)) (1 - sigma)``. With ``sigma = 0`` both are the effort weight of the mastery rule.
    """
    slack = np.asarray(effort_attribution) * (1.0 - np.asarray(effort_level))
    keep = 1.0 - np.asarray(share)
    return np.where(good_news, 1.0 - slack * keep, (1.0 - slack) * keep)


@per_agent
def attributed_weight_one(effort_level: float, effort_attribution: float, good_news: bool, share: float) -> float:
    """:func:`attributed_weight` of one outcome, compiled."""
    slack = effort_attribution * (1.0 - effort_level)
    keep = 1.0 - share
    return 1.0 - slack * keep if good_news else (1.0 - slack) * keep
