"""The Mesa model: a batch of one run, with :class:`~sim.agents.Learner` agents as live views.

>>> from sim import EfficacyModel
>>> m = EfficacyModel(agents=50, rng=3)
>>> for _ in range(10):
...     m.step()
>>> m.datacollector.get_model_vars_dataframe()["efficacy_mean"].shape
(11,)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from sim.agents import Learner
from sim.batch import Batch
from sim.config import Config
from sim.metrics import summarise
from sim.network import to_networkx


class EfficacyModel(mesa.Model):
    """Self-efficacy feedback loops among learners who observe each other on a network.

    Parameters
    ----------
    config : a :class:`~sim.config.Config`, a path to a TOML scenario, or None for the defaults.
    rng : seed of the run (overrides ``config.seed``); the run's stream is derived from it and
        ``run_index`` exactly as in a sweep, so the model reproduces a sweep's run.
    run_index : index of this run within its experiment (default 0).
    **overrides : top-level settings or parameters, e.g. ``agents=200, learn_rate=0.1``.
    """

    def __init__(
        self, config: Config | str | Path | None = None, *, rng: int | None = None, run_index: int = 0, **overrides: Any
    ) -> None:
        if config is None:
            config = Config.default()
        elif not isinstance(config, Config):
            config = Config.from_toml(config)
        if rng is not None:
            overrides["seed"] = rng
        if overrides:
            config = config.with_values(overrides)
        super().__init__(rng=config.seed)
        self.config = config
        self.batch = Batch([config], run_indices=[run_index])
        self.space = Network(
            to_networkx(self.batch.neighbours[0][:, : self._degree()]), random=self.random, layout=None
        )
        self.learners = Learner.create_agents(self, config.agents, list(range(config.agents)))
        self._by_index = list(self.learners)
        for a in self._by_index:
            a.cell = self.space[a.index]  # the space's public lookup (node id = learner index)
        self.summary = self._summarise()
        self.datacollector = mesa.DataCollector(
            model_reporters={k: (lambda m, k=k: m.summary[k]) for k in self.summary},
            agent_reporters={"efficacy": "efficacy", "skill": "skill", "arousal": "arousal"},
        )
        self.datacollector.collect(self)

    def _degree(self) -> int:
        return int(self.batch.neighbour_mask[0, 0].sum()) if self.batch.agents > 1 else 0

    @property
    def domains(self) -> tuple[str, ...]:
        """The scenario's domains (one, ``("general",)``, unless it declares ``[domains]``)."""
        return self.config.domain_names

    def _summarise(self) -> dict[str, float]:
        out = {k: float(v[0]) for k, v in summarise(self.batch.state).items()}
        dom = self.batch.domains
        if dom is not None:  # several domains: per-domain means and self-esteem beside the metrics
            for j, name in enumerate(dom.names):
                out[f"efficacy_mean[{name}]"] = float(dom.efficacy[0, :, j].mean())
                out[f"skill_mean[{name}]"] = float(dom.skill[0, :, j].mean())
            out["self_esteem_mean"] = float(dom.self_esteem[0].mean())
        return out

    def step(self) -> None:
        """Advance all learners one step (the array core does the work) and record the metrics."""
        self.batch.step()
        self.summary = self._summarise()
        self.datacollector.collect(self)

    def agent(self, index: int) -> Learner:
        """The learner with the given index (0 to ``agents - 1``).

        Raises
        ------
        IndexError
            Naming the index and the allowed range (negative indices are refused, not wrapped).
        """
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(self._by_index):
            raise IndexError(
                f"agent index = {index!r} is not allowed: expected a whole number in [0, {len(self._by_index) - 1}]"
            )
        return self._by_index[int(index)]
