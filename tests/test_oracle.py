"""The vectorised core (sim.batch) against the plain per-agent Mesa oracle (sim.oracle).

Both consume each run's random stream in the same order, so every state field must agree to
rounding after many steps, for scenarios that exercise every schedule kind, shocks, every
intervention kind, disengagement and re-engagement, with and without an observation network.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from sim.batch import Batch
from sim.config import Config
from sim.oracle import OracleModel
from sim.params import INTERVENTION_KINDS, PARAMS
from sim.state import DISENGAGED, State
from tests.strategies import configs

STEPS = 30
AGENTS = 40


def assert_run_matches(batch: Batch, r: int, oracle: OracleModel) -> None:
    """Every State field of run ``r`` equals the oracle's, to rtol 1e-9."""
    want = oracle.state_arrays()
    for f in fields(State):
        got = getattr(batch.state, f.name)
        got = got[:, r] if f.name == "targeted" else got[r]
        assert np.allclose(got.astype(float), want[f.name].astype(float), rtol=1e-9, atol=1e-12, equal_nan=True), (
            f"{f.name} differs at step {batch.t}: core {got[:5]} vs oracle {want[f.name][:5]}"
        )


def run_both(cfg: Config, steps: int = STEPS) -> tuple[Batch, OracleModel, dict]:
    """Step core and oracle together, checking every step; returns both and what happened."""
    batch, oracle = Batch([cfg]), OracleModel(cfg)
    seen = {"disengaged": 0, "reengaged": 0, "shocked": 0, "handed": 0, "attempted": 0, "avoided": 0}
    seen |= {"watched": 0, "praised": 0}
    for _ in range(steps):
        before = batch.state.engagement[0].copy()
        batch.step()
        oracle.step()
        assert_run_matches(batch, 0, oracle)
        st = batch.state
        seen["disengaged"] += int(((st.engagement[0] == DISENGAGED) & (before != DISENGAGED)).sum())
        seen["reengaged"] += int(((before == DISENGAGED) & ~np.isnan(st.difficulty[0])).sum())
        seen["shocked"] += int(st.shocked[0].sum())
        seen["handed"] += int(st.handed[0].sum())
        seen["attempted"] += int(st.attempted[0].sum())
        seen["avoided"] += int((~st.attempted[0] & ~np.isnan(st.difficulty[0])).sum())
        seen["watched"] += int((st.d_observational[0] > 0).sum())
        seen["praised"] += int((st.praise_focus[0] != 0).sum())
    return batch, oracle, seen


ALL_INTERVENTIONS = [
    {"kind": "mastery_ladder", "start": 3, "end": 25, "target": "below", "threshold": 3.5, "intensity": 0.7},
    {"kind": "handed_success", "start": 5, "end": 18},
    {"kind": "peer_modelling", "start": 2, "end": 20, "intensity": 0.6},
    {"kind": "expert_modelling", "start": 8, "end": 28, "target": "below", "threshold": 2.5},
    {"kind": "specific_persuasion", "start": 1, "end": 30, "intensity": 0.5},
    {"kind": "generic_praise", "start": 4, "end": 12, "intensity": 0.8},
    {"kind": "arousal_reappraisal", "start": 0, "end": 22, "target": "below", "threshold": 3.0},
    {"kind": "effort_praise", "start": 6, "end": 26, "intensity": 0.6},
]

SWITCHES_OFF = {
    "use_vicarious": 0,
    "use_persuasion": 0,
    "use_observational_learning": 0,
    "use_expectations": 0,
    "use_error_learning": 0,
    "use_praise_focus": 0,
}

SCENARIOS = {
    "multi_phase_all_kinds": {
        "seed": 3,
        "schedule": [
            {"kind": "adaptive", "start": 0, "level": 2.5, "target_success": 0.6},
            {"kind": "random", "start": 8, "spread": 2.0},
            {"kind": "self_chosen", "start": 14, "offset": 1.0},
            {"kind": "ramp", "start": 19, "level": 4.0, "ramp_rate": 0.2},
            {"kind": "constant", "start": 24, "level": 5.0},
            {"kind": "adaptive", "start": 27, "level": 6.0},
        ],
        "shocks": [{"step": 5, "share": 0.7, "severity": 6.0}],
        "interventions": ALL_INTERVENTIONS,
    },
    "shocks_no_network": {
        "seed": 11,
        "params": {"network_degree": 0},
        "schedule": [{"kind": "random", "start": 0, "level": 3.0}],
        "shocks": [{"step": 2, "share": 0.5}, {"step": 2, "share": 0.9, "severity": 9.0, "arousal": 0.8}, {"step": 15}],
    },
    "disengage_and_reengage": {
        "seed": 5,
        "params": {"disengage_after": 2, "reengage_prob": 0.3, "avoid_margin": 0.5, "network_degree": 4},
        "schedule": [{"kind": "constant", "start": 0, "level": 6.0}, {"kind": "ramp", "start": 15, "level": 3.0}],
        "interventions": [{"kind": "generic_praise", "start": 0, "end": 30, "intensity": 0.5}],
    },
    "dense_network_rewired": {
        "seed": 21,
        "params": {
            "network_degree": 50,
            "network_rewire": 0.5,
            "persuasion_rate": 0.5,
            "learning_sensitivity_sd": 1.5,
            "mastery_sensitivity_sd": 1.0,
        },
        "schedule": [{"kind": "self_chosen", "start": 0, "offset": -0.5, "spread": 1.0}],
        "interventions": [
            {"kind": "peer_modelling", "start": 0, "end": 30},
            {"kind": "specific_persuasion", "start": 10, "end": 20, "target": "below", "threshold": 4.0},
        ],
    },
    "mechanisms_switched_off": {
        "seed": 8,
        "params": {p.name: 0 for p in PARAMS if p.group == "switches"},
        "schedule": [{"kind": "random", "start": 0, "level": 4.0, "spread": 2.5}],
        "shocks": [{"step": 6, "share": 0.5}],
        "interventions": [{"kind": "handed_success", "start": 2, "end": 20}],
    },
    "ambiguity_biases_complexity": {
        "seed": 13,
        "params": {"optimism_sd": 2.0, "good_news_sd": 1.0, "bad_news_sd": 1.0, "self_serving_sd": 0.5},
        "schedule": [
            {"kind": "random", "start": 0, "level": 3.5, "ambiguity": 3.0, "complexity": 0.8},
            {"kind": "adaptive", "start": 10, "level": 3.0, "ambiguity": 0.0},
            {"kind": "constant", "start": 18, "level": 4.0, "ambiguity": 0.5, "complexity": 1.0},
        ],
        "shocks": [{"step": 12, "share": 0.4}],
        "interventions": [
            {"kind": "specific_persuasion", "start": 5, "end": 25, "intensity": 0.5},
            {"kind": "handed_success", "start": 20, "end": 26},
        ],
    },
    "real_models_expectations_and_praise": {
        "seed": 8,
        "params": {"persuasion_rate": 0.4, "teacher_impression_sd": 2.0, "praise_focus_rate": 0.8},
        "schedule": [{"kind": "random", "start": 0, "level": 4.0, "spread": 2.0}],
        "shocks": [{"step": 12, "share": 0.5}],
        "interventions": [
            {"kind": "peer_modelling", "start": 0, "end": 30},
            {"kind": "expert_modelling", "start": 5, "end": 25, "intensity": 0.5},
            {"kind": "specific_persuasion", "start": 0, "end": 30, "intensity": 0.5},
            {"kind": "generic_praise", "start": 2, "end": 16, "intensity": 0.5},
            {"kind": "effort_praise", "start": 10, "end": 30, "intensity": 0.5},
            {"kind": "handed_success", "start": 3, "end": 9},
        ],
    },
    "every_switch_off": {
        "seed": 9,
        "params": {**SWITCHES_OFF, "persuasion_rate": 0.4},
        "schedule": [{"kind": "adaptive", "start": 0, "level": 3.0}],
        "interventions": ALL_INTERVENTIONS,
    },
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_core_matches_oracle(name: str) -> None:
    cfg = Config.from_dict({"agents": AGENTS, "steps": STEPS, **SCENARIOS[name]})
    batch, _, seen = run_both(cfg)
    # the scenario must actually exercise what it claims to
    assert seen["attempted"] > 0
    if cfg.shocks:
        assert seen["shocked"] > 0
    if name == "real_models_expectations_and_praise":
        assert seen["watched"] > 0 and seen["praised"] > 0
    if name == "every_switch_off":
        assert seen["watched"] == 0 and seen["praised"] == 0
    if name == "disengage_and_reengage":
        assert seen["disengaged"] > 0 and seen["reengaged"] > 0 and seen["avoided"] > 0
    if name == "multi_phase_all_kinds":
        assert seen["handed"] > 0
        # every intervention reached someone; "below" targets only part of the population
        assert batch.state.dose[0].sum() > 0
        for k, iv in zip(INTERVENTION_KINDS, ALL_INTERVENTIONS, strict=True):
            targeted = batch.state.targeted[INTERVENTION_KINDS.index(iv["kind"])][0]
            assert targeted.any(), k
            if iv.get("target") == "below":
                assert not targeted.all(), k


def test_batch_of_different_configs_matches_each_run_alone() -> None:
    """Runs with different parameters, phases, shocks, interventions and networks share one batch."""
    cfgs = [Config.from_dict({"agents": AGENTS, "steps": STEPS, **SCENARIOS[n]}) for n in SCENARIOS]
    cfgs.append(Config.default(agents=AGENTS, steps=STEPS, learn_rate=0.3, network_degree=2))
    seeds = [7, 7, *range(8, 6 + len(cfgs))]
    indices = list(range(len(cfgs)))
    batch = Batch(cfgs, seeds=seeds, run_indices=indices)
    oracles = [OracleModel(c, rng=s, run_index=i) for c, s, i in zip(cfgs, seeds, indices, strict=True)]
    for _ in range(STEPS):
        batch.step()
        for o in oracles:
            o.step()
    for r, o in enumerate(oracles):
        assert_run_matches(batch, r, o)
    # runs 0 and 1 share a seed but not a run index: their streams differ
    assert not np.allclose(batch.state.initial_skill[0], batch.state.initial_skill[1])


def test_oracle_is_a_mesa_model() -> None:
    cfg = Config.default(agents=12, steps=5)
    o = OracleModel(cfg, rng=4)
    assert len(o.learners) == 12
    o.step()
    assert o.t == 1
    mean = o.learners.agg("efficacy", np.mean)
    assert np.isclose(mean, np.mean(o.state_arrays()["efficacy"]))
    assert all(len(a.observes) == 6 for a in o.learners)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cfg=configs(max_agents=10, steps=12))
def test_core_matches_oracle_for_random_valid_scenarios(cfg: Config) -> None:
    """Any declared parameter values, schedules, shocks and interventions (hypothesis)."""
    batch, oracle = Batch([cfg]), OracleModel(cfg)
    for _ in range(cfg.steps):
        batch.step()
        oracle.step()
        assert_run_matches(batch, 0, oracle)


# ---- several domains (docs/ODD.md 7.22, 7.23): per-domain state, generality, transfer, self-esteem ----
THREE = {"names": ["maths", "physics", "art"], "relatedness": [[1, 0.6, 0.1], [0.6, 1, 0.1], [0.1, 0.1, 1]]}
DOMAIN_SCENARIOS = {
    "domains_in_turn_shock_and_gated_praise": {
        "seed": 3,
        "domains": THREE,
        "params": {"generality": 0.5, "skill_transfer": 0.2, "self_esteem_outcome_rate": 0.1},
        "schedule": [
            {"kind": "adaptive", "start": 0, "domain": ["maths", "physics"]},
            {"kind": "random", "start": 10, "domain": "art"},
            {"kind": "constant", "start": 20, "level": 5.0, "domain": ["maths", "art", "physics"]},
        ],
        "shocks": [{"step": 5, "domain": "physics", "share": 0.6, "severity": 8.0}],
        "interventions": [
            {"kind": "generic_praise", "start": 2, "end": 25, "domain": "maths", "intensity": 0.7},
            {"kind": "handed_success", "start": 10, "end": 20},
            {"kind": "mastery_ladder", "start": 21, "end": 30, "domain": "art", "target": "below", "threshold": 4},
        ],
    },
    "two_domains_every_source": {
        "seed": 17,
        "domains": {"names": ["a", "b"], "relatedness": [[1, 0.9], [0.9, 1]]},
        "params": {"persuasion_rate": 0.5, "domain_corr": 0.2, "self_esteem_praise_gain": 0.3},
        "schedule": [{"kind": "self_chosen", "start": 0, "domain": ["a", "a", "b"]}],
        "interventions": [
            {"kind": "peer_modelling", "start": 0, "end": 30, "domain": "a"},
            {"kind": "specific_persuasion", "start": 2, "end": 30, "domain": "b", "intensity": 0.5},
            {"kind": "generic_praise", "start": 0, "end": 30, "intensity": 0.5},
        ],
    },
    "domains_switched_off": {
        "seed": 5,
        "domains": THREE,
        "params": {"use_transfer": 0, "use_self_esteem": 0},
        "schedule": [{"kind": "ramp", "start": 0, "level": 2.0, "domain": ["art", "maths"]}],
        "interventions": [{"kind": "generic_praise", "start": 0, "end": 30}],
    },
}


def assert_domains_match(batch: Batch, r: int, oracle: OracleModel) -> None:
    """Every per-domain array and self-esteem of run ``r`` equal the oracle's, to rtol 1e-9."""
    want = oracle.domain_arrays()
    for name, got in (*batch.domains.fields.items(), ("self_esteem", batch.domains.self_esteem)):
        assert np.allclose(got[r], want[name], rtol=1e-9, atol=1e-12, equal_nan=True), (
            f"{name} differs at step {batch.t}: core {got[r][:2]} vs oracle {want[name][:2]}"
        )


@pytest.mark.parametrize("name", list(DOMAIN_SCENARIOS))
def test_core_matches_oracle_with_domains(name: str) -> None:
    cfg = Config.from_dict({"agents": AGENTS, "steps": STEPS, **DOMAIN_SCENARIOS[name]})
    batch, oracle = Batch([cfg]), OracleModel(cfg)
    start = batch.domains.efficacy.copy()
    for _ in range(STEPS):
        batch.step()
        oracle.step()
        assert_run_matches(batch, 0, oracle)
        assert_domains_match(batch, 0, oracle)
    moved = ~np.isclose(batch.domains.efficacy[0], start[0]).all(axis=0)
    if name == "domains_switched_off":  # physics is never practised and nothing spreads: it never moves
        assert moved.tolist() == [True, False, True]
        assert np.all(batch.domains.self_esteem == batch.domains.self_esteem_usual)
    else:  # the scenario exercised every domain: each one's efficacy moved
        assert moved.all(), moved


def test_batch_of_domain_runs_matches_each_run_alone() -> None:
    cfgs = [Config.from_dict({"agents": AGENTS, "steps": STEPS, **DOMAIN_SCENARIOS[n]}) for n in DOMAIN_SCENARIOS]
    cfgs = [c for c in cfgs if len(c.domain_names) == 3]
    cfgs.append(cfgs[0].with_values({"generality": 0.1, "seed": 9}))
    indices = list(range(len(cfgs)))
    batch = Batch(cfgs, seeds=[c.seed for c in cfgs], run_indices=indices)
    oracles = [OracleModel(c, run_index=i) for c, i in zip(cfgs, indices, strict=True)]
    for _ in range(STEPS):
        batch.step()
        for o in oracles:
            o.step()
    for r, o in enumerate(oracles):
        assert_run_matches(batch, r, o)
        assert_domains_match(batch, r, o)
