"""Simulation side of the dashboard: scenario values -> Config, runs that record their history.

No Solara here, so it is importable and testable without a browser. The dashboard keeps a flat
dict of control values (one entry per control, keyed by a path such as ``learn_rate``,
``schedule.kind`` or ``shock.on``); :func:`to_config` turns it into a validated
:class:`~sim.config.Config`, so every range check is the declaration's own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim import Batch, Config
from sim.metrics import summarise
from sim.params import (
    INTERVENTION_FIELDS,
    PARAMS,
    RUN,
    SCHEDULE_FIELDS,
    SHOCK_FIELDS,
    event_defaults,
)

NONE = "none"
"""Value of the intervention selector meaning 'no intervention'."""

# Fields of the one schedule phase the dashboard edits: it always starts at step 0.
SCHEDULE_CONTROLS = tuple(f for f in SCHEDULE_FIELDS if f.name != "start")


def default_values() -> dict[str, Any]:
    """Every control's starting value, taken from the declarations in :mod:`sim.params`."""
    values: dict[str, Any] = {p.name: p.default for p in RUN}
    values["agents"] = 1000  # a population that shows distributions well and still steps fast
    values.update({p.name: p.default for p in PARAMS})
    values.update({f"schedule.{k}": v for k, v in event_defaults(SCHEDULE_CONTROLS).items()})
    values["shock.on"] = False
    values.update({f"shock.{k}": v for k, v in event_defaults(SHOCK_FIELDS).items()})
    values.update({f"intervention.{k}": v for k, v in event_defaults(INTERVENTION_FIELDS).items()})
    values["intervention.kind"] = NONE
    values["intervention.end"] = values["steps"]
    return values


def to_config(values: dict[str, Any], intervention: str | None = None, name: str = "dashboard") -> Config:
    """Build and validate the scenario described by the control values.

    Parameters
    ----------
    values : control values as returned by :func:`default_values` (possibly edited).
    intervention : override of ``values["intervention.kind"]`` (an intervention kind or ``"none"``).

    Raises
    ------
    sim.errors.ConfigError
        Naming the field, the value and what is allowed.
    """
    data: dict[str, Any] = {"name": name, **{p.name: values[p.name] for p in RUN}}
    data["params"] = {p.name: values[p.name] for p in PARAMS}
    data["schedule"] = [{"start": 0, **{f.name: values[f"schedule.{f.name}"] for f in SCHEDULE_CONTROLS}}]
    if values.get("shock.on"):
        data["shocks"] = [{f.name: values[f"shock.{f.name}"] for f in SHOCK_FIELDS}]
    kind = values.get("intervention.kind", NONE) if intervention is None else intervention
    if kind != NONE:
        iv = {f.name: values[f"intervention.{f.name}"] for f in INTERVENTION_FIELDS}
        iv["kind"] = kind
        data["interventions"] = [iv]
    return Config.from_dict(data)


SERIES = (
    "efficacy_mean",
    "efficacy_sd",
    "skill_mean",
    "skill_sd",
    "arousal_mean",
    "arousal_sd",
    "success_rate",
    "disengaged_share",
    "avoiding_share",
)
STORY_FIELDS = (
    "difficulty",
    "attempted",
    "success",
    "handed",
    "shocked",
    "effort",
    "d_mastery",
    "d_vicarious",
    "d_persuasion",
    "d_physiological",
    "efficacy",
    "skill",
    "arousal",
    "engagement",
)


def record(state) -> dict[str, np.ndarray]:
    """The time-series values of every run in ``state``, each shaped (runs,)."""
    m = summarise(state)
    out = {k: m[k] for k in SERIES if k in m}
    out["arousal_sd"] = state.arousal.std(axis=1)
    return out


@dataclass
class Story:
    """What one agent did and felt, step by step (the 'last step' fields of the state)."""

    agent: int
    rows: list[dict[str, float]] = field(default_factory=list)

    def add(self, t: int, state, run: int = 0) -> None:
        self.rows.append({"t": t, **{k: float(getattr(state, k)[run, self.agent]) for k in STORY_FIELDS}})

    def column(self, name: str) -> np.ndarray:
        return np.array([r[name] for r in self.rows], dtype=float)


class Runs:
    """One or more runs stepping together in one :class:`~sim.batch.Batch`, with their history.

    Runs share the seed and run index 0, so their random numbers are common: two scenarios that
    differ only in an intervention see the same draws (common random numbers).

    Parameters
    ----------
    configs : one config per run (all with the same number of agents).
    labels : display name of each run.
    story_agent : index of the agent whose story is recorded (run 0).
    """

    def __init__(self, configs: list[Config], labels: list[str], story_agent: int = 0) -> None:
        self.configs = configs
        self.labels = labels
        seed = configs[0].seed
        self.batch = Batch(configs, seeds=[seed] * len(configs), run_indices=[0] * len(configs))
        self.lock = threading.Lock()
        self.history: list[dict[str, np.ndarray]] = [record(self.batch.state)]
        self.initial_efficacy = self.batch.state.efficacy.copy()
        self.story = Story(min(max(int(story_agent), 0), self.agents - 1))
        self.story.add(0, self.batch.state)
        self._layout: np.ndarray | None = None
        self._edges: np.ndarray | None = None

    @property
    def agents(self) -> int:
        return self.batch.agents

    @property
    def t(self) -> int:
        return self.batch.t

    @property
    def steps(self) -> int:
        return self.configs[0].steps

    @property
    def done(self) -> bool:
        return self.t >= self.steps

    def step(self) -> None:
        """One step of every run; records the history and the picked agent's story."""
        with self.lock:
            self.batch.step()
            self.history.append(record(self.batch.state))
            self.story.add(self.t, self.batch.state)

    def series(self, name: str) -> np.ndarray:
        """History of a series, shaped (steps + 1, runs)."""
        return np.array([h[name] for h in self.history])

    def pick(self, agent: int) -> Story:
        """Follow another agent: replay the run from step 0 (runs are determined by config and seed)."""
        agent = min(max(int(agent), 0), self.agents - 1)
        if agent == self.story.agent:
            return self.story
        with self.lock:
            replay = Batch(self.configs[:1], seeds=[self.configs[0].seed], run_indices=[0])
            story = Story(agent)
            story.add(0, replay.state)
            for _ in range(self.t):
                replay.step()
                story.add(replay.t, replay.state)
            self.story = story
        return story

    def network(self) -> tuple[np.ndarray, np.ndarray]:
        """Node positions (agents, 2) and edge segments (edges, 2, 2) of run 0, computed once.

        Agents sit in ring order along a spiral (a circle wound a few times, so 1,000 nodes do not
        overlap): ring neighbours stay side by side and rewired links show as long chords.
        """
        if self._layout is None:
            n = self.agents
            k = int(self.batch.neighbour_mask[0, 0].sum()) if n > 1 else 0
            turns = max(1, n // 150)
            frac = np.arange(n) / max(n, 1)
            theta = 2 * np.pi * turns * frac
            radius = 0.35 + 0.65 * frac if turns > 1 else np.ones(n)
            self._layout = np.c_[radius * np.cos(theta), radius * np.sin(theta)]
            nb = self.batch.neighbours[0][:, :k]
            edges = np.c_[np.repeat(np.arange(n), k), nb.ravel()]
            self._edges = self._layout[edges]
        return self._layout, self._edges
