"""Domains and self-esteem (docs/ODD.md 7.22, 7.23): behaviour of the mechanisms and of their inputs.

The core's agreement with the per-agent oracle is in tests/test_oracle.py; here: one domain is the
single-domain model, the first domain of a multi-domain run is untouched when nothing spreads,
generality and transfer move the other domains by exactly their declared amounts, domain-targeted
interventions reach learners only on their domain's steps, self-esteem never enters behaviour, and bad
input is refused with one line naming the field.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from sim import measure
from sim.batch import Batch
from sim.config import Config
from sim.errors import ConfigError
from sim.model import EfficacyModel
from sim.multidomain import PER_DOMAIN
from sim.params import INTERVENTION_KINDS
from sim.state import State

THREE = {"names": ["maths", "physics", "art"], "relatedness": [[1, 0.6, 0.0], [0.6, 1, 0.0], [0.0, 0.0, 1]]}


def cfg(**data) -> Config:
    base = {"agents": 150, "steps": 40, "seed": 2, "schedule": [{"kind": "random", "start": 0, "level": 3.5}]}
    return Config.from_dict(base | data)


def states_equal(a: State, b: State) -> bool:
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True) for f in fields(State))


# ---- one domain is the single-domain model --------------------------------------------------------------
def test_one_declared_domain_is_the_single_domain_model() -> None:
    plain, one = Batch([cfg()]), Batch([cfg(domains={"names": ["maths"]})])
    assert plain.domains is None and one.domains is None  # no per-domain arrays at all
    plain.run(40)
    one.run(40)
    assert states_equal(plain.state, one.state)
    assert "domains" not in cfg().to_dict()  # nor any trace in a single-domain config (or its digest)


def test_first_domain_is_untouched_by_declared_domains_when_nothing_spreads() -> None:
    """All tasks in maths, transfer off: maths evolves exactly as in the single-domain run."""
    alone = Batch([cfg()])
    multi = Batch([cfg(domains=THREE, params={"use_transfer": 0})])
    alone.run(40)
    multi.run(40)
    assert states_equal(alone.state, multi.state)
    dom = multi.domains
    assert np.array_equal(dom.efficacy[..., 0], alone.state.efficacy)
    # unpractised domains: efficacy never moved, skill only decayed
    assert np.array_equal(dom.efficacy[..., 1:], dom.fields["initial_efficacy"][..., 1:])
    decay = multi.p.skill_decay[0, 0]
    assert np.allclose(dom.skill[..., 1:], dom.fields["initial_skill"][..., 1:] * (1 - decay) ** 40)


def test_initial_domains_correlate_as_declared() -> None:
    b = Batch([cfg(agents=20_000, domains=THREE, params={"domain_corr": 0.5})])
    r = np.corrcoef(b.domains.skill[0].T)
    assert np.allclose(r[np.triu_indices(3, 1)], 0.5, atol=0.03)
    r0 = np.corrcoef(Batch([cfg(agents=20_000, domains=THREE, params={"domain_corr": 0.0})]).domains.skill[0].T)
    assert np.allclose(r0[np.triu_indices(3, 1)], 0.0, atol=0.03)


# ---- generality and transfer ----------------------------------------------------------------------------
def test_generality_moves_other_domains_by_relatedness_times_the_change() -> None:
    c = cfg(domains=THREE, params={"generality": 0.4, "skill_transfer": 0.1, "skill_decay": 0.0})
    b = Batch([c])
    e0, s0 = b.domains.efficacy.copy(), b.domains.skill.copy()
    b.step()
    d_e = b.domains.efficacy[..., 0] - e0[..., 0]
    d_s = b.domains.skill[..., 0] - s0[..., 0]
    assert np.abs(d_e).max() > 0.01 and d_s.max() > 0.0
    want_e = np.clip(e0[..., 1] + 0.4 * 0.6 * d_e, 0.0, 10.0)
    assert np.allclose(b.domains.efficacy[..., 1], want_e, rtol=1e-12)
    assert np.array_equal(b.domains.efficacy[..., 2], e0[..., 2])  # unrelated: untouched
    want_s = np.clip(s0[..., 1] + 0.1 * 0.6 * np.maximum(d_s, 0.0), 0.0, 10.0)
    assert np.allclose(b.domains.skill[..., 1], want_s, rtol=1e-12)
    assert np.array_equal(b.domains.skill[..., 2], s0[..., 2])


def test_a_severe_failure_spills_over_into_a_related_domain_only() -> None:
    shock = [{"step": 5, "severity": 10.0, "domain": "maths"}]
    base = dict(domains=THREE, params={"network_degree": 0, "persuasion_rate": 0.0})
    calm, hit = Batch([cfg(**base)]), Batch([cfg(**base, shocks=shock)])
    for b in (calm, hit):
        b.run(6)
    gap = hit.domains.efficacy.mean(axis=1) - calm.domains.efficacy.mean(axis=1)
    assert gap[0, 0] < 0 and gap[0, 1] < 0  # maths and related physics lose belief
    assert gap[0, 2] == 0.0  # unrelated art: exactly nothing


def test_transfer_switched_off_keeps_evidence_in_its_domain() -> None:
    b = Batch([cfg(domains=THREE, params={"use_transfer": 0, "skill_decay": 0.0})])
    before = b.domains.efficacy.copy(), b.domains.skill.copy()
    b.run(10)
    assert np.array_equal(b.domains.efficacy[..., 1:], before[0][..., 1:])
    assert np.array_equal(b.domains.skill[..., 1:], before[1][..., 1:])


def test_domains_practised_in_turn_and_state_shows_the_task_domain() -> None:
    c = cfg(domains=THREE, schedule=[{"kind": "adaptive", "start": 0, "domain": ["maths", "art"]}])
    assert [c.task_domain(t) for t in range(4)] == ["maths", "art", "maths", "art"]
    b = Batch([c])
    for t in range(4):
        b.step()
        assert b.domains.active[0] == (0 if t % 2 == 0 else 2)
        for f in PER_DOMAIN:
            assert np.array_equal(
                getattr(b.state, f)[0], b.domains.fields[f][0, :, b.domains.active[0]], equal_nan=True
            )
    # each domain keeps its own staircase
    assert not np.array_equal(b.domains.fields["task_level"][0, :, 0], b.domains.fields["task_level"][0, :, 2])


def test_intervention_in_a_domain_reaches_learners_only_on_its_steps() -> None:
    c = cfg(
        domains=THREE,
        schedule=[{"kind": "random", "start": 0, "domain": ["maths", "physics"]}],
        interventions=[{"kind": "generic_praise", "start": 1, "end": 40, "domain": "physics"}],
    )
    b = Batch([c])
    for t in range(12):
        dose = b.state.dose.copy()
        b.step()
        got = (b.state.dose - dose).sum()
        assert (got > 0) == (c.task_domain(t) == "physics" and t >= 1), t


# ---- self-esteem -------------------------------------------------------------------------------------
def test_self_esteem_never_enters_behaviour() -> None:
    praise = [{"kind": "generic_praise", "start": 0, "end": 40}]
    a = Batch([cfg(domains=THREE, interventions=praise)])
    b = Batch(
        [cfg(domains=THREE, interventions=praise, params={"self_esteem_mean": 0.1, "self_esteem_praise_gain": 1.0})]
    )
    a.run(30)
    b.run(30)
    assert states_equal(a.state, b.state)
    assert np.array_equal(a.domains.efficacy, b.domains.efficacy)
    assert not np.allclose(a.domains.self_esteem, b.domains.self_esteem)


def test_generic_praise_and_trophies_raise_self_esteem_failure_lowers_it() -> None:
    def esteem(**data) -> float:
        b = Batch([cfg(domains=THREE, **data)])
        b.run(30)
        assert ((b.domains.self_esteem >= 0) & (b.domains.self_esteem <= 1)).all()
        return float(b.domains.self_esteem.mean())

    plain = esteem()
    assert esteem(interventions=[{"kind": "generic_praise", "start": 0, "end": 40}]) > plain
    assert esteem(interventions=[{"kind": "handed_success", "start": 0, "end": 40}]) > plain
    hard = [{"kind": "constant", "start": 0, "level": 9.0}]
    assert esteem(schedule=hard, params={"use_avoidance": 0}) < plain
    # praise without persuasion is no message at all
    quiet = {"use_persuasion": 0}
    assert esteem(params=quiet, interventions=[{"kind": "generic_praise", "start": 0, "end": 40}]) == esteem(
        params=quiet
    )


def test_self_esteem_switched_off_stays_at_its_usual_level() -> None:
    b = Batch([cfg(domains=THREE, params={"use_self_esteem": 0})])
    b.run(20)
    assert np.array_equal(b.domains.self_esteem, b.domains.self_esteem_usual)


# ---- measurement and the Mesa face ---------------------------------------------------------------------
def test_self_esteem_scale_has_its_declared_reliability() -> None:
    rng = np.random.default_rng(0)
    n = 20_000
    states = measure.pd.DataFrame(
        {"study": 0, "agent": np.arange(n), "wave": 0, "self_esteem": np.clip(rng.normal(0.6, 0.15, n), 0, 1)}
    )
    design = measure.Instruments()
    out = measure.self_esteem_scale(states, design, seed=1)
    rel = measure.reliability(out["self_esteem_true_points"], out["self_esteem_report"])
    assert abs(rel - design.self_esteem_reliability) < 0.02
    items = measure.self_esteem_items(states, design, seed=1)
    assert items["item"].nunique() == 10


def test_domain_specific_measurement_of_a_live_batch() -> None:
    b = Batch([cfg(domains=THREE)])
    b.run(5)
    states = measure.states_from_state(b.state, 5, domains=b.domains)
    art = measure.domain_states(states, "art")
    assert np.array_equal(art["efficacy"], b.domains.efficacy[0, :, 2])
    report = measure.self_report(art, measure.Instruments(), seed=1)
    assert np.corrcoef(report["efficacy_report"], b.domains.efficacy[0, :, 2])[0, 1] > 0.5
    with pytest.raises(ConfigError, match="domain = 'music'"):
        measure.domain_states(states, "music")


def test_mesa_learners_show_every_domain_and_self_esteem() -> None:
    m = EfficacyModel(cfg(domains=THREE))
    m.step()
    a = m.agent(3)
    assert list(a.domain_efficacy) == THREE["names"]
    assert a.domain_efficacy["maths"] == a.efficacy  # the task's domain this step
    assert 0.0 <= a.self_esteem <= 1.0
    frame = m.datacollector.get_model_vars_dataframe()
    assert {"efficacy_mean[art]", "self_esteem_mean"} <= set(frame.columns)
    single = EfficacyModel(agents=10, rng=1)
    assert single.agent(0).self_esteem is None and list(single.agent(0).domain_efficacy) == ["general"]


def test_round_trip_and_edits_keep_domains() -> None:
    c = cfg(domains=THREE, schedule=[{"start": 0, "domain": ["maths", "art"]}], shocks=[{"step": 2, "domain": "maths"}])
    assert Config.from_dict(c.to_dict()) == c
    d = c.with_values({"shocks[0].domain": "art", "shocks[0].step": 1})
    assert d.shocks[0]["domain"] == "art"


# ---- bad input ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "field", "allowed"),
    [
        (
            {"domains": {"names": ["a", "b"], "relatedness": [[1, 0.5], [0.4, 1]]}},
            "domains.relatedness[1][0]",
            "symmetric",
        ),
        (
            {"domains": {"names": ["a", "b"], "relatedness": [[1, 1.5], [1.5, 1]]}},
            "domains.relatedness[0][1]",
            "[0, 1]",
        ),
        ({"domains": {"names": ["a", "b"], "relatedness": [[0.9, 0], [0, 1]]}}, "domains.relatedness[0][0]", "1 (a"),
        ({"domains": {"names": ["a", "b"], "relatedness": [[1, 0]]}}, "domains.relatedness", "2 x 2"),
        ({"domains": {"names": ["a", "b"], "relatedness": [[1, 0], [0]]}}, "domains.relatedness[1]", "row of 2"),
        ({"domains": {"names": ["a", "a"]}}, "domains.names[1]", "not already"),
        ({"domains": {"names": []}}, "domains.names", "1 to 16"),
        ({"domains": {"names": ["a"], "related": []}}, "domains", "did you mean 'relatedness'"),
        (
            {"domains": {"names": ["a", "b"]}, "schedule": [{"start": 0, "domain": "c"}]},
            "schedule[0].domain",
            "'a', 'b'",
        ),
        ({"schedule": [{"start": 0, "domain": "maths"}]}, "schedule[0].domain", "declare more"),
        ({"domains": {"names": ["a", "b"]}, "shocks": [{"step": 3, "domain": "x"}]}, "shocks[0].domain", "declared"),
        (
            {"domains": {"names": ["a", "b"]}, "interventions": [{"kind": "generic_praise", "domain": "z"}]},
            "interventions[0].domain",
            "declared",
        ),
        (
            {
                "domains": {"names": ["a", "b"]},
                "schedule": [{"start": 0, "domain": ["a", "b"]}],
                "shocks": [{"step": 3, "domain": "a"}],
            },
            "shocks[0].domain",
            "which is 'b'",
        ),
        (
            {"domains": {"names": ["a", "b"]}, "schedule": [{"start": 0, "domain": []}]},
            "schedule[0].domain",
            "non-empty",
        ),
    ],
)
def test_bad_domain_input_is_one_line_naming_field_value_and_allowed(data: dict, field: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as err:
        Config.from_dict({"steps": 20, **data})
    msg = str(err.value)
    assert err.value.field == field and allowed in msg and "\n" not in msg, msg


def test_a_batch_needs_one_set_of_domains() -> None:
    with pytest.raises(ValueError, match="same domains"):
        Batch([cfg(), cfg(domains=THREE)])


def test_generic_praise_is_the_only_kind_that_praises_self_esteem() -> None:
    """Effort praise and specific feedback address the task, not worth: self-esteem ignores them."""
    ivs = [{"kind": k, "start": 0, "end": 40} for k in ("effort_praise", "specific_persuasion")]
    assert "generic_praise" in INTERVENTION_KINDS
    quiet = {"self_esteem_outcome_rate": 0.0, "self_esteem_anchoring": 0.0}
    b = Batch([cfg(domains=THREE, interventions=ivs, params=quiet)])
    b.run(10)
    assert np.array_equal(b.domains.self_esteem, b.domains.self_esteem_usual)


# ---- the engine's tables ----------------------------------------------------------------------------
def test_engine_tables_carry_every_domain_and_self_esteem(tmp_path) -> None:
    """A multi-domain sweep records each domain's beliefs (not only the last task's domain), equal to the
    batch's own per-domain arrays; a single-domain sweep has no such columns."""
    from sim.engine import Experiment, Outputs, run_experiment

    base = cfg(
        agents=30, steps=12, domains=THREE, schedule=[{"kind": "random", "start": 0, "domain": ["maths", "art"]}]
    )
    exp = Experiment(name="dom", base=base, replications=2, seed=4, outputs=Outputs(every=6, final_agents=True))
    res = run_experiment(exp, out=tmp_path / "dom", executor="serial", progress=False)
    batch = Batch([base], seeds=[4], run_indices=[1])
    for step in (0, 6, 12):
        while batch.t < step:
            batch.step()
        row = res.series[(res.series["run"] == 1) & (res.series["step"] == step)].iloc[0]
        for j, name in enumerate(THREE["names"]):
            assert row[f"efficacy_mean[{name}]"] == pytest.approx(batch.domains.efficacy[0, :, j].mean(), rel=1e-12)
            assert row[f"skill_mean[{name}]"] == pytest.approx(batch.domains.skill[0, :, j].mean(), rel=1e-12)
        assert row["self_esteem_mean"] == pytest.approx(batch.domains.self_esteem[0].mean(), rel=1e-12)
    assert res.series["efficacy_mean[art]"].diff().abs().max() > 0  # art is practised: its beliefs move
    final = res.agents[res.agents["run"] == 1].sort_values("agent")
    np.testing.assert_array_equal(final["efficacy[physics]"], batch.domains.efficacy[0, :, 1])
    np.testing.assert_array_equal(final["self_esteem"], batch.domains.self_esteem[0])
    plain = run_experiment(
        Experiment(name="plain", base=cfg(agents=30, steps=6), replications=1, seed=4, outputs=Outputs(every=6)),
        out=tmp_path / "plain",
        executor="serial",
        progress=False,
    )
    assert not [c for c in plain.series.columns if "[" in c or "esteem" in c]


def test_a_single_run_writes_every_domain(tmp_path) -> None:
    """``efficacy-sim run`` of a multi-domain scenario: the series and agent files carry each domain."""
    from sim.runner import run_scenario

    config = cfg(agents=25, steps=8, domains=THREE)
    out = run_scenario(config, tmp_path / "run", progress=False)
    batch = Batch([config])
    batch.run(8)
    last = out.series.iloc[-1]
    for j, name in enumerate(THREE["names"]):
        assert last[f"efficacy_mean[{name}]"] == pytest.approx(batch.domains.efficacy[0, :, j].mean(), rel=1e-12)
    np.testing.assert_array_equal(out.agents["skill[art]"], batch.domains.skill[0, :, 2])
    assert "self_esteem" in out.agents and "self_esteem_mean" in out.series
