"""Domains: efficacy and skill held per domain, and how evidence in one domain reaches the others.

Self-efficacy is specific to a domain and built from evidence in it; Bandura (1997) describes its
*generality*: a success in one domain raises efficacy in related domains, less in unrelated ones
(Bong 1997 finds moderate correlations between subject-specific academic efficacies). Skill transfers
too, but far less and only to near domains (Thorndike & Woodworth 1901; Barnett & Ceci 2002). The
model keeps the two apart: efficacy spreads with ``generality``, skill with ``skill_transfer``, both
times the declared relatedness of the two domains (docs/ODD.md 7.22).

Pure functions of arrays; the per-domain state is shaped (runs, agents, domains).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def equicorrelated_factor(corr: ArrayLike, domains: int) -> NDArray[np.float64]:
    """Lower Cholesky factors, (runs, domains, domains), of correlation matrices with ``corr`` off the diagonal.

    Row 0 of each factor is (1, 0, ..., 0), so the first domain keeps its own draw unchanged.
    """
    c = np.asarray(corr, dtype=float).reshape(-1)
    eye = np.eye(domains)
    mats = (1.0 - c)[:, None, None] * eye + c[:, None, None] * np.ones((domains, domains))
    return np.linalg.cholesky(mats)


def correlate(factor: NDArray[np.float64], z: NDArray[np.float64]) -> NDArray[np.float64]:
    """Correlated draws (runs, agents, domains) from independent ones ``z`` (runs, agents, domains)."""
    return np.einsum("rkm,rnm->rnk", factor, z)


def spread_weights(relatedness: NDArray[np.float64], active: NDArray[np.int64], coef: ArrayLike) -> NDArray[np.float64]:
    """Weight (runs, domains) with which a change in each run's active domain reaches every domain.

    ``coef x relatedness[active, j]`` for the other domains and 0 for the active one (it changed already).
    """
    runs = relatedness.shape[0]
    w = np.asarray(coef, dtype=float).reshape(runs, 1) * relatedness[np.arange(runs), active, :]
    w[np.arange(runs), active] = 0.0
    return w


def generalise(values: NDArray[np.float64], change: NDArray[np.float64], weights: NDArray[np.float64]) -> np.ndarray:
    """Per-domain values after a change (runs, agents) in the active domain spreads with ``weights`` (runs, domains).

    Efficacy: ``e_j + generality x relatedness_aj x (e_a' - e_a)``, for gains and losses alike (a severe
    failure spills over as a success does).
    """
    return values + change[:, :, None] * weights[:, None, :]


def transfer(values: NDArray[np.float64], gain: NDArray[np.float64], weights: NDArray[np.float64]) -> np.ndarray:
    """Skill after a skill gain in the active domain transfers: ``s_j + skill_transfer x relatedness_aj x max(gain, 0)``.

    Only gains transfer: forgetting one subject does not unlearn another.
    """
    return values + np.maximum(gain, 0.0)[:, :, None] * weights[:, None, :]
