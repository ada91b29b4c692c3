"""Model-level outcomes of each run, computed from the state arrays (one value per run)."""

from __future__ import annotations

import numpy as np

from sim.state import AVOIDING, DISENGAGED, State

OVERCONFIDENCE_MARGIN = 1.0
"""Efficacy more than this many levels above skill counts as overconfidence (not backed by skill)."""

METRICS: dict[str, str] = {
    "efficacy_mean": "Mean efficacy (levels).",
    "efficacy_sd": "SD of efficacy across agents (levels).",
    "skill_mean": "Mean skill (levels).",
    "skill_sd": "SD of skill across agents (levels).",
    "arousal_mean": "Mean arousal (0-1).",
    "strength_mean": "Mean efficacy strength.",
    "calibration_mean": "Mean efficacy minus skill (levels); > 0 overconfident.",
    "overconfident_share": f"Share of agents with efficacy > skill + {OVERCONFIDENCE_MARGIN}.",
    "attempt_rate": "Share of engaged agents that attempted (or were shocked) this step.",
    "success_rate": "Share of attempts reported as successes this step.",
    "avoiding_share": "Share of agents that avoided this step's task.",
    "disengaged_share": "Share of agents disengaged.",
    "difficulty_mean": "Mean task difficulty faced by engaged agents (levels).",
    "effort_mean": "Mean effort of agents that acted (0-1).",
    "dose_mean": "Mean intervention-steps received per agent so far.",
    "handed_share": "Share of agents handed a success this step (a failed attempt reported as a success).",
}


def _masked_mean(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    n = np.count_nonzero(mask, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.where(mask, x, 0.0).sum(axis=1) / np.maximum(n, 1), np.nan)


def _share(flags: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Share of True ``flags`` (among ``mask``, NaN where it is empty): counts, the same numbers as float means."""
    if mask is None:
        return np.count_nonzero(flags, axis=1) / flags.shape[1]
    n = np.count_nonzero(mask, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.count_nonzero(flags & mask, axis=1) / np.maximum(n, 1), np.nan)


def summarise(st: State) -> dict[str, np.ndarray]:
    """Every metric in :data:`METRICS` for each run, as arrays shaped (runs,)."""
    engaged = st.engagement != DISENGAGED
    gap = st.efficacy - st.skill
    faced = ~np.isnan(st.difficulty)
    return {
        "efficacy_mean": st.efficacy.mean(axis=1),
        "efficacy_sd": st.efficacy.std(axis=1),
        "skill_mean": st.skill.mean(axis=1),
        "skill_sd": st.skill.std(axis=1),
        "arousal_mean": st.arousal.mean(axis=1),
        "strength_mean": st.strength.mean(axis=1),
        "calibration_mean": gap.mean(axis=1),
        "overconfident_share": _share(gap > OVERCONFIDENCE_MARGIN),
        "attempt_rate": _share(st.attempted, engaged | st.attempted),
        "success_rate": _share(st.success, st.attempted),
        "avoiding_share": _share(st.engagement == AVOIDING),
        "disengaged_share": _share(~engaged),
        "difficulty_mean": _masked_mean(st.difficulty, faced),
        "effort_mean": _masked_mean(st.effort, st.attempted),
        "dose_mean": st.dose.mean(axis=1),
        "handed_share": _share(st.handed & ~st.shocked),
    }


DOMAIN_METRICS: dict[str, str] = {
    "efficacy_mean[D]": "Mean efficacy in domain D (levels).",
    "efficacy_sd[D]": "SD of efficacy in domain D across agents (levels).",
    "skill_mean[D]": "Mean skill in domain D (levels).",
    "strength_mean[D]": "Mean efficacy strength in domain D.",
    "self_esteem_mean": "Mean global self-esteem (0-1).",
    "self_esteem_sd": "SD of global self-esteem across agents (0-1).",
}
"""Metrics of runs that declare several domains, one column per declared domain D (in a multi-domain
run the metrics of :data:`METRICS` describe each learner's domain of the last step's task)."""


def summarise_domains(domains) -> dict[str, np.ndarray]:
    """:data:`DOMAIN_METRICS` of a batch's :class:`~sim.multidomain.DomainState` (None: no domains, {})."""
    if domains is None:
        return {}
    out: dict[str, np.ndarray] = {}
    for j, name in enumerate(domains.names):
        e = domains.efficacy[:, :, j]
        out[f"efficacy_mean[{name}]"] = e.mean(axis=1)
        out[f"efficacy_sd[{name}]"] = e.std(axis=1)
        out[f"skill_mean[{name}]"] = domains.skill[:, :, j].mean(axis=1)
        out[f"strength_mean[{name}]"] = domains.strength[:, :, j].mean(axis=1)
    out["self_esteem_mean"] = domains.self_esteem.mean(axis=1)
    out["self_esteem_sd"] = domains.self_esteem.std(axis=1)
    return out


def domain_fields(domains) -> dict[str, np.ndarray]:
    """Per-agent columns of a multi-domain batch, (runs, agents) each: ``efficacy[D]``, ``skill[D]``,
    ``strength[D]`` per declared domain D and ``self_esteem`` (None: no domains, {})."""
    if domains is None:
        return {}
    out = {
        f"{f}[{name}]": domains.fields[f][:, :, j]
        for f in ("efficacy", "skill", "strength")
        for j, name in enumerate(domains.names)
    }
    out["self_esteem"] = domains.self_esteem
    return out
