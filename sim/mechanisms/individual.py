"""Broad individual differences in learning rate and the other sensitivities (ODD 7.16).

Sources: Heathcote, Brown & Mewhort (2000): individual learning curves are exponential with rates
that differ widely between people (averaging curves hides this); Möbius et al. (2022), Eil & Rao
(2011): people differ widely in how strongly they update beliefs about themselves.

Each sensitivity is a log-normal multiplier with median 1 and its own declared log-SD.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.mechanisms._exp import exp


def sensitivity(z: ArrayLike, log_sd: ArrayLike, switch: ArrayLike) -> NDArray[np.float64]:
    """``exp(log_sd z)``: an agent's fixed multiplier; 1 for everyone when switched off (``exp``
    of :mod:`sim.mechanisms._exp`: the same bits on every processor, as the population must be)."""
    return np.where(np.asarray(switch) != 0, exp(np.asarray(log_sd, dtype=float) * np.asarray(z, dtype=float)), 1.0)
