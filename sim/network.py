"""The observation network: whom each agent watches (the channel of vicarious experience).

A directed small world (Watts & Strogatz 1998): agent i observes its ``degree`` nearest ring
neighbours, each replaced with probability ``rewire`` by a uniformly chosen other agent. Built as
an index array so a million agents need no graph objects; :func:`to_networkx` gives the graph the
Mesa ``Network`` space and the dashboard use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import networkx as nx


def ring_offsets(degree: int) -> np.ndarray:
    """Offsets +1, -1, +2, -2, ... of the first ``degree`` ring neighbours."""
    k = np.arange(1, degree + 1)
    return np.where(k % 2 == 1, (k + 1) // 2, -(k // 2))


def observation_network(agents: int, degree: int, rewire: float, rng: np.random.Generator) -> np.ndarray:
    """Neighbour indices, shape (agents, degree'), ``degree' = min(degree, agents - 1)``.

    Draws ``agents * degree'`` uniforms and as many integers from ``rng`` (always, for a stable stream).
    """
    degree = min(int(degree), agents - 1)
    i = np.arange(agents)[:, None]
    nb = (i + ring_offsets(degree)[None, :]) % agents
    flip = rng.random((agents, degree)) < rewire
    # i + 1 + U{0..agents-2} (mod agents) is uniform over the agents other than i
    other = (i + 1 + rng.integers(0, max(agents - 1, 1), size=(agents, degree))) % agents
    return np.where(flip, other, nb).astype(np.int64)


def to_networkx(neighbours: np.ndarray) -> nx.DiGraph:
    """Directed graph with an edge i -> j when i observes j."""
    import networkx as nx  # imported here: only the Mesa model and the dashboard need graphs

    g = nx.DiGraph()
    n = neighbours.shape[0]
    g.add_nodes_from(range(n))
    g.add_edges_from((int(i), int(j)) for i in range(n) for j in neighbours[i])
    return g
