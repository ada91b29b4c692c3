"""The array core: steps a batch of runs, state shaped (runs, agents).

Everything else drives this one core: the Mesa model wraps a batch of one, the sweep engine stacks
many runs, the dashboard steps one or two. Per-run parameters are (runs, 1) arrays, so runs with
different parameters, schedules, shocks and interventions step together; each run draws only from
its own random stream (:mod:`sim.streams`), so its numbers never depend on its batch-mates.

One step, for every engaged agent (docs/ODD.md, "Process overview"):
re-engagement -> intervention targeting -> task difficulty -> appraisal and arousal ->
approach/avoid -> effort -> performance -> handed success, shocks -> skill ->
efficacy from the four sources -> strength, credibility, staircases -> history.
:func:`advance` runs it as one compiled pass per run (:mod:`sim.kernel`), which composes the
per-agent rules of :mod:`sim.mechanisms`.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np

from sim import kernel, multidomain
from sim import network as netmod
from sim import streams as S
from sim.config import Config
from sim.mechanisms import schedules, vicarious
from sim.params import INTERVENTION_KINDS, PARAMS
from sim.state import State, initial_state

N_ROWS = S.N_ROWS
KIND_INDEX = {k: i for i, k in enumerate(INTERVENTION_KINDS)}
_NEVER = np.iinfo(np.int64).max
PHASE_FIELDS = ("level", "spread", "ramp_rate", "target_success", "step_size", "offset", "ambiguity", "complexity")
"""Numeric schedule-phase fields stacked as ``ev.phase_<name>`` arrays."""


def stack_params(configs: Sequence[Config]) -> SimpleNamespace:
    """Scalar parameters as (runs, 1) arrays."""
    return SimpleNamespace(**{p.name: np.array([[c.params[p.name]] for c in configs], dtype=float) for p in PARAMS})


def stack_events(configs: Sequence[Config]) -> SimpleNamespace:
    """Schedule phases (runs, phases), shocks (runs, shocks) and interventions (kinds, runs) as arrays."""
    runs = len(configs)
    n_ph = max(len(c.schedule) for c in configs)
    n_sh = max((len(c.shocks) for c in configs), default=0)
    ev = SimpleNamespace()
    ev.phase_start = np.full((runs, n_ph), _NEVER, dtype=np.int64)
    ev.phase_kind = np.zeros((runs, n_ph), dtype=np.int64)
    for name in PHASE_FIELDS:
        setattr(ev, "phase_" + name, np.zeros((runs, n_ph)))
    ev.shock_step = np.full((runs, n_sh), -1, dtype=np.int64)
    ev.shock_severity = np.zeros((runs, n_sh))
    ev.shock_share = np.zeros((runs, n_sh))
    ev.shock_arousal = np.zeros((runs, n_sh))
    k = len(INTERVENTION_KINDS)
    ev.iv_on = np.zeros((k, runs), dtype=bool)
    ev.iv_start = np.zeros((k, runs), dtype=np.int64)
    ev.iv_end = np.zeros((k, runs), dtype=np.int64)
    ev.iv_below = np.zeros((k, runs), dtype=bool)
    ev.iv_threshold = np.zeros((k, runs))
    ev.iv_intensity = np.zeros((k, runs))
    for r, c in enumerate(configs):
        for j, ph in enumerate(c.schedule):
            ev.phase_start[r, j] = ph["start"]
            ev.phase_kind[r, j] = schedules.KIND_CODE[ph["kind"]]
            for name in PHASE_FIELDS:
                getattr(ev, "phase_" + name)[r, j] = ph[name]
        for j, sh in enumerate(c.shocks):
            ev.shock_step[r, j] = sh["step"]
            ev.shock_severity[r, j] = sh["severity"]
            ev.shock_share[r, j] = sh["share"]
            ev.shock_arousal[r, j] = sh["arousal"]
        for iv in c.interventions:
            i = KIND_INDEX[iv["kind"]]
            ev.iv_on[i, r] = True
            ev.iv_start[i, r] = iv["start"]
            ev.iv_end[i, r] = iv["end"]
            ev.iv_below[i, r] = iv["target"] == "below"
            ev.iv_threshold[i, r] = iv["threshold"]
            ev.iv_intensity[i, r] = iv["intensity"]
    return ev


def used_rows(p: SimpleNamespace, ev: SimpleNamespace) -> list[int]:
    """The rows of the step draws (:mod:`sim.streams`) that :func:`advance` can read for these runs.

    Every other row would only be compared with a zero rate or belongs to an absent event, so skipping
    it changes no number (:class:`sim.streams.StepUniforms` leaves the stream where drawing it would).
    """
    rows = [S.U_ATTEMPT, S.U_OUTCOME]
    if np.isin(ev.phase_kind, (schedules.RANDOM, schedules.SELF_CHOSEN)).any():
        rows.append(S.U_TASK)
    if ev.shock_step.shape[1] > 0:
        rows.append(S.U_SHOCK)
    if ((p.persuasion_rate > 0) & (p.use_persuasion > 0)).any():
        rows.append(S.U_PERSUADE)
    if (p.reengage_prob > 0).any():
        rows.append(S.U_REENGAGE)
    rows += [S.U_INTERVENTION0 + k for k in range(len(INTERVENTION_KINDS)) if ev.iv_on[k].any()]
    if ((p.use_feedback_ambiguity != 0) & (ev.phase_ambiguity > 0)).any():
        rows.append(S.U_FEEDBACK)
    watching = ((p.use_vicarious > 0) | (p.use_observational_learning > 0)).ravel()
    for kind, demo_row in (("peer_modelling", S.U_PEER_DEMO), ("expert_modelling", S.U_EXPERT_DEMO)):
        if (ev.iv_on[KIND_INDEX[kind]] & watching).any():
            rows.append(demo_row)
    return rows


class Batch:
    """A batch of runs stepping together.

    Parameters
    ----------
    configs : the runs' validated configs; all must have the same number of agents.
    seeds : experiment seed of each run (default: each config's ``seed``).
    run_indices : index of each run within its experiment (default: 0 for all, i.e. each run as if
        it ran alone). A run's stream is ``SeedSequence(seed, spawn_key=(index,))``.
    all_rows : draw every row of each step's uniforms, not only those :func:`used_rows` names (the
        numbers are the same either way; tests compare the two).

    Attributes
    ----------
    state : :class:`~sim.state.State` of arrays shaped (runs, agents); with several domains its
        per-domain fields show each run's domain of the last step (:data:`sim.multidomain.PER_DOMAIN`).
    domains : :class:`~sim.multidomain.DomainState` (per-domain arrays and self-esteem) when the runs
        declare more than one domain, else None (the single-domain model, with nothing extra).
    t : number of steps taken.
    """

    def __init__(
        self,
        configs: Sequence[Config],
        seeds: Sequence[int] | None = None,
        run_indices: Sequence[int] | None = None,
        all_rows: bool = False,
    ) -> None:
        configs = list(configs)
        if not configs:
            raise ValueError("a batch needs at least one config")
        agents = {c.agents for c in configs}
        if len(agents) != 1:
            raise ValueError(f"all runs in a batch need the same number of agents, got {sorted(agents)}")
        self.configs = configs
        self.runs = len(configs)
        self.agents = agents.pop()
        self.seeds = [c.seed for c in configs] if seeds is None else [int(s) for s in seeds]
        self.run_indices = [0] * self.runs if run_indices is None else [int(i) for i in run_indices]
        self.streams = [S.run_stream(s, i) for s, i in zip(self.seeds, self.run_indices, strict=True)]
        self.p = stack_params(configs)
        self.ev = stack_events(configs)
        self.t = 0

        draws = np.empty((self.runs, S.N_INITIAL, self.agents))
        for r, g in enumerate(self.streams):
            g.standard_normal(out=draws[r])
        self.state = initial_state(self.p, self.agents, draws)

        kmax = max(min(int(c.params["network_degree"]), self.agents - 1) for c in configs)
        self.neighbours = np.zeros((self.runs, self.agents, kmax), dtype=np.int64)
        self.neighbour_mask = np.zeros((self.runs, self.agents, kmax), dtype=bool)
        for r, (c, g) in enumerate(zip(configs, self.streams, strict=True)):
            nb = netmod.observation_network(self.agents, int(c.params["network_degree"]), c.params["network_rewire"], g)
            self.neighbours[r, :, : nb.shape[1]] = nb
            self.neighbour_mask[r, :, : nb.shape[1]] = True
        self._flat_neighbours = vicarious.flat_neighbours(self.neighbours, self.neighbour_mask)  # static network
        self.domains = multidomain.setup(configs, self.p, self.state, draws, self.seeds, self.run_indices)
        self.rows = list(range(N_ROWS)) if all_rows else used_rows(self.p, self.ev)
        self._uniforms = S.StepUniforms(self.streams, N_ROWS, self.agents, self.rows)

    # ------------------------------------------------------------------------------------------
    def step(self, u: np.ndarray | None = None) -> None:
        """Advance every run by one step. ``u`` (runs, N_ROWS, agents) overrides the draws (tests)."""
        if u is None:
            u = self._uniforms.next()
        ev, dom = self.ev, self.domains
        if dom is not None:  # several domains: the step sees each run's task domain (sim.multidomain)
            ev = multidomain.before_step(dom, self.state, self.p, self.ev, self.t, u)
        advance(self.state, self.p, ev, self.neighbours, self.neighbour_mask, self.t, u, self._flat_neighbours)
        if dom is not None:
            multidomain.after_step(dom, self.state, self.p, ev, self.t, u)
        self.t += 1

    def run(self, steps: int, callback=None) -> None:
        """Take ``steps`` steps, calling ``callback(batch)`` after each."""
        for _ in range(steps):
            self.step()
            if callback is not None:
                callback(self)


def advance(
    st: State,
    p: SimpleNamespace,
    ev: SimpleNamespace,
    neighbours: np.ndarray,
    neighbour_mask: np.ndarray,
    t: int,
    u: np.ndarray,
    flat_neighbours: np.ndarray | None = None,
) -> None:
    """One step of the model, in place, for 1 run or 10,000: the fused kernel :func:`sim.kernel.step_kernel`.

    ``flat_neighbours`` is :func:`sim.mechanisms.vicarious.flat_neighbours` of the network, if precomputed.
    The State's arrays are updated in place (fields that are not C-contiguous arrays of the expected
    dtype are first replaced by conforming copies).
    """
    if flat_neighbours is None:
        flat_neighbours = vicarious.flat_neighbours(neighbours, neighbour_mask)
    u = np.asarray(u, dtype=float)
    want = (st.shape[0], N_ROWS, st.shape[1])
    if u.shape != want:  # the compiled step does not check its indices
        raise ValueError(f"step draws u: shape {u.shape}, expected (runs, rows, agents) = {want}")
    events = _event_arrays(ev)
    tail = (kernel.pack_params(p), flat_neighbours, u, int(t))
    try:
        kernel.step_kernel(*_state_arrays(st), *events, *tail)
    except TypeError:  # a field of another dtype or layout (e.g. set by a caller): make it conform, retry
        for name, dtype in kernel.STATE_DTYPES.items():
            setattr(st, name, np.require(getattr(st, name), dtype=dtype, requirements=("C", "W")))
        kernel.step_kernel(*_state_arrays(st), *events, *tail)


_state_arrays = operator.attrgetter(*kernel.STATE_ARGS)
_event_arrays = operator.attrgetter(*kernel.EVENT_ARGS)
