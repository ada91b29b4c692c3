"""Several domains around the one-domain step (docs/ODD.md 7.22, 7.23).

:func:`sim.batch.advance` steps a (runs, agents) state for one task per run. With more than one
declared domain, :class:`DomainState` holds the per-domain fields as (runs, agents, domains) arrays
and, around each step, :func:`before_step` gathers each run's active-domain slice into the State
(the task's domain, :meth:`sim.config.Config.task_domain`), and :func:`after_step` scatters it back,
lets the step's efficacy change spread to the other domains (generality) and its skill gain transfer
(a separate, smaller coefficient), lets unpractised domains' skill decay, and updates the global
self-esteem. With one domain none of this exists (``Batch.domains is None``): no memory, no work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from sim import streams as S
from sim.config import Config
from sim.mechanisms import domains as dm
from sim.mechanisms import self_esteem as se
from sim.mechanisms import skill as skill_mech
from sim.mechanisms.expectations import initial_impression
from sim.params import INTERVENTION_KINDS, LEVEL_MAX
from sim.state import DISENGAGED, State

PER_DOMAIN = (
    "skill",
    "efficacy",
    "strength",
    "task_level",
    "persuaded_level",
    "teacher_expectation",
    "peer_expectation",
    "initial_skill",
    "initial_efficacy",
)
"""State fields held per domain; every other field is the learner's, whatever the domain."""
_PRAISE = INTERVENTION_KINDS.index("generic_praise")


@dataclass
class DomainState:
    """Per-domain state of a batch (arrays (runs, agents, domains)) and the global self-esteem (runs, agents).

    Attributes
    ----------
    names : the declared domains.
    relatedness : (runs, domains, domains).
    phase_domains, phase_count : (runs, phases, longest list) domain indices of each schedule phase, and
        how many each phase practises in turn.
    iv_domain : (kinds, runs) domain index each intervention works in (-1: every domain).
    active : (runs,) domain of the current (last) step's task.
    fields : name -> (runs, agents, domains) array, for :data:`PER_DOMAIN`.
    self_esteem, self_esteem_usual : (runs, agents) in [0, 1].
    """

    names: tuple[str, ...]
    relatedness: np.ndarray
    phase_domains: np.ndarray
    phase_count: np.ndarray
    iv_domain: np.ndarray
    active: np.ndarray
    fields: dict[str, np.ndarray]
    self_esteem: np.ndarray
    self_esteem_usual: np.ndarray
    _before: dict[str, np.ndarray] | None = None

    @property
    def efficacy(self) -> np.ndarray:
        """Efficacy per domain, (runs, agents, domains)."""
        return self.fields["efficacy"]

    @property
    def skill(self) -> np.ndarray:
        """Skill per domain, (runs, agents, domains)."""
        return self.fields["skill"]

    @property
    def strength(self) -> np.ndarray:
        """Belief strength per domain, (runs, agents, domains)."""
        return self.fields["strength"]

    def index(self, name: str) -> int:
        """Position of a domain by name."""
        return self.names.index(name)

    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.fields.values()) + self.self_esteem.nbytes + self.self_esteem_usual.nbytes


def domain_names(configs: Sequence[Config]) -> tuple[str, ...]:
    """The batch's domains; every run of a batch must declare the same ones."""
    names = {c.domain_names for c in configs}
    if len(names) != 1:
        raise ValueError(f"all runs in a batch need the same domains, got {sorted(names)}")
    return names.pop()


def setup(
    configs: Sequence[Config],
    p: SimpleNamespace,
    st: State,
    draws: np.ndarray,
    seeds: Sequence[int],
    run_indices: Sequence[int],
) -> DomainState | None:
    """The per-domain state of a batch, or None with one domain.

    Domain 0 takes the single-domain initial state as it is; domains after it draw from each run's
    :func:`sim.streams.domain_stream` (so the first domain, the network and every step draw as
    without domains), with initial skill and efficacy correlated ``domain_corr`` across domains.
    """
    names = domain_names(configs)
    k = len(names)
    if k == 1:
        return None
    runs, n = st.shape
    extra = np.empty((runs, 1 + S.N_DOMAIN_ROWS * (k - 1), n))
    for r, (seed, idx) in enumerate(zip(seeds, run_indices, strict=True)):
        S.domain_stream(seed, idx).standard_normal(out=extra[r])
    z_se = extra[:, 0, :]
    z = extra[:, 1:, :].reshape(runs, k - 1, S.N_DOMAIN_ROWS, n)  # (runs, domain - 1, row, agents)
    factor = dm.equicorrelated_factor(p.domain_corr, k)

    def independent(first: np.ndarray, row: int) -> np.ndarray:
        return np.concatenate([first[:, :, None], np.moveaxis(z[:, :, row, :], 1, 2)], axis=2)

    z_skill = dm.correlate(factor, independent(draws[:, S.Z_SKILL, :], 0))
    z_eff = dm.correlate(factor, independent(draws[:, S.Z_EFFICACY, :], 1))
    col = lambda a: a[:, :, None]  # noqa: E731  (runs, 1) parameters against (runs, agents, domains)
    skill = np.clip(col(p.skill_mean) + col(p.skill_sd) * z_skill, 0.0, LEVEL_MAX)
    rho = col(p.efficacy_skill_corr)
    efficacy = np.clip(
        col(p.efficacy_mean) + col(p.efficacy_sd) * (rho * z_skill + np.sqrt(1.0 - rho**2) * z_eff), 0.0, LEVEL_MAX
    )
    fields = {f: np.repeat(getattr(st, f)[:, :, None], k, axis=2) for f in PER_DOMAIN}
    fields["skill"][:, :, 1:] = skill[:, :, 1:]
    fields["efficacy"][:, :, 1:] = efficacy[:, :, 1:]
    fields["initial_skill"][:, :, 1:] = skill[:, :, 1:]
    fields["initial_efficacy"][:, :, 1:] = efficacy[:, :, 1:]
    for j in range(1, k):
        fields["teacher_expectation"][:, :, j] = initial_impression(
            skill[:, :, j], p.teacher_impression_sd, z[:, j - 1, 2]
        )
        fields["peer_expectation"][:, :, j] = initial_impression(skill[:, :, j], p.peer_impression_sd, z[:, j - 1, 3])
    z_e0 = rho[:, :, 0] * draws[:, S.Z_SKILL, :] + np.sqrt(1.0 - rho[:, :, 0] ** 2) * draws[:, S.Z_EFFICACY, :]
    esteem = se.initial(z_e0, z_se, p.self_esteem_mean, p.self_esteem_sd, p.self_esteem_efficacy_corr)

    n_ph = max(len(c.schedule) for c in configs)
    longest = max(len(ph.get("domain", [None])) for c in configs for ph in c.schedule)
    phase_domains = np.zeros((runs, n_ph, longest), dtype=np.int64)
    phase_count = np.ones((runs, n_ph), dtype=np.int64)
    iv_domain = np.full((len(INTERVENTION_KINDS), runs), -1, dtype=np.int64)
    relatedness = np.empty((runs, k, k))
    for r, c in enumerate(configs):
        relatedness[r] = np.asarray(c.domains["relatedness"], dtype=float)
        for j, ph in enumerate(c.schedule):
            ds = [names.index(d) for d in ph.get("domain", [names[0]])]
            phase_domains[r, j, : len(ds)] = ds
            phase_count[r, j] = len(ds)
        for iv in c.interventions:
            if iv.get("domain") is not None:
                iv_domain[INTERVENTION_KINDS.index(iv["kind"]), r] = names.index(iv["domain"])
    return DomainState(
        names=names,
        relatedness=relatedness,
        phase_domains=phase_domains,
        phase_count=phase_count,
        iv_domain=iv_domain,
        active=np.zeros(runs, dtype=np.int64),
        fields=fields,
        self_esteem=esteem,
        self_esteem_usual=esteem.copy(),
    )


def active_domain(dom: DomainState, ev: SimpleNamespace, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Each run's task domain at step ``t`` (runs,) and whether its schedule phase starts at ``t``."""
    runs = ev.phase_start.shape[0]
    rid = np.arange(runs)
    phase = np.maximum((ev.phase_start <= t).sum(axis=1) - 1, 0)
    start = ev.phase_start[rid, phase]
    turn = (t - start) % dom.phase_count[rid, phase]
    return dom.phase_domains[rid, phase, turn], start == t


def before_step(
    dom: DomainState, st: State, p: SimpleNamespace, ev: SimpleNamespace, t: int, u: np.ndarray
) -> SimpleNamespace:
    """Load each run's task domain into ``st``; returns the events as the step should see them.

    An intervention declared for a domain is switched off, for that step, in runs whose task is in
    another domain. At a phase start every domain's staircase restarts at the phase level (as the
    step does for the active one).
    """
    runs = st.shape[0]
    rid = np.arange(runs)
    a, starting = active_domain(dom, ev, t)
    if starting.any():
        phase = np.maximum((ev.phase_start <= t).sum(axis=1) - 1, 0)
        level = ev.phase_level[rid, phase]
        tl = dom.fields["task_level"]
        tl[starting] = level[starting, None, None]
    dom.active = a
    for f in PER_DOMAIN:
        setattr(st, f, dom.fields[f][rid, :, a])
    # who can be reached this step (the step's own re-engagement rule, from its own draws)
    # (the re-engagement row is read only where it is drawn, i.e. where reengage_prob > 0)
    engaged = (st.engagement != DISENGAGED) | ((p.reengage_prob > 0) & (u[:, S.U_REENGAGE, :] < p.reengage_prob))
    dom._before = {"efficacy": st.efficacy.copy(), "skill": st.skill.copy(), "engaged": engaged}
    if (dom.iv_domain < 0).all():
        return ev
    gated = SimpleNamespace(**vars(ev))
    gated.iv_on = ev.iv_on & ((dom.iv_domain < 0) | (dom.iv_domain == a[None, :]))
    return gated


def after_step(dom: DomainState, st: State, p: SimpleNamespace, ev: SimpleNamespace, t: int, u: np.ndarray) -> None:
    """Store the step's active-domain results, spread them to the other domains, update self-esteem.

    ``ev`` is what :func:`before_step` returned for this step.
    """
    runs = st.shape[0]
    rid = np.arange(runs)
    a = dom.active
    before = dom._before
    for f in PER_DOMAIN:
        dom.fields[f][rid, :, a] = getattr(st, f)
    on = (p.use_transfer > 0).ravel()
    # unpractised domains lose skill as an unpractised task does in the step
    sk = dom.fields["skill"]
    other = np.ones(sk.shape[::2], dtype=bool)  # (runs, domains)
    other[rid, a] = False
    decayed = sk - skill_mech.decay(sk, p.skill_decay[:, :, None])
    sk = np.where(other[:, None, :], decayed, sk)
    if on.any():
        w_e = dm.spread_weights(dom.relatedness, a, p.generality * (p.use_transfer > 0))
        w_s = dm.spread_weights(dom.relatedness, a, p.skill_transfer * (p.use_transfer > 0))
        dom.fields["efficacy"] = np.clip(
            dm.generalise(dom.fields["efficacy"], st.efficacy - before["efficacy"], w_e), 0.0, LEVEL_MAX
        )
        sk = dm.transfer(sk, st.skill - before["skill"], w_s)
    dom.fields["skill"] = np.clip(sk, 0.0, LEVEL_MAX)
    # generic (ability) praise received this step: the step's own rule for who receives an intervention
    praised = np.zeros(st.shape, dtype=bool)
    if ev.iv_on[_PRAISE].any():
        live = ev.iv_on[_PRAISE] & (ev.iv_start[_PRAISE] <= t) & (t < ev.iv_end[_PRAISE])
        draw = u[:, S.U_INTERVENTION0 + _PRAISE, :] < ev.iv_intensity[_PRAISE][:, None]
        praised = live[:, None] & st.targeted[_PRAISE] & before["engaged"] & draw & (p.use_persuasion > 0)
    dom.self_esteem = np.where(
        p.use_self_esteem > 0,
        se.update(
            dom.self_esteem,
            dom.self_esteem_usual,
            st.attempted,
            st.success,
            praised,
            p.self_esteem_anchoring,
            p.self_esteem_outcome_rate,
            p.self_esteem_praise_gain,
        ),
        dom.self_esteem,
    )
    dom._before = None
