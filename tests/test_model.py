"""The Mesa model: learners are live views into the arrays; Mesa's tools work on them."""

from __future__ import annotations

import numpy as np
import pytest

from sim import EfficacyModel
from sim.agents import VIEW_FIELDS
from sim.metrics import METRICS
from sim.state import ENGAGEMENT_NAMES


@pytest.fixture
def model() -> EfficacyModel:
    m = EfficacyModel(agents=40, rng=9, network_degree=4)
    for _ in range(5):
        m.step()
    return m


def test_agents_read_the_arrays(model: EfficacyModel) -> None:
    st = model.batch.state
    assert len(model.agents) == len(model.learners) == 40

    def check() -> None:
        for a in model.learners:
            for name in VIEW_FIELDS:
                assert np.array_equal([getattr(a, name)], [getattr(st, name)[0, a.index]], equal_nan=True), name
            assert a.engagement == ENGAGEMENT_NAMES[st.engagement[0, a.index]]

    check()
    before = [a.efficacy for a in model.learners]
    model.step()
    check()  # the same agents now show the new values
    assert [a.efficacy for a in model.learners] != before


def test_writing_an_agent_attribute_writes_the_array_and_steers_the_run(model: EfficacyModel) -> None:
    twin = EfficacyModel(agents=40, rng=9, network_degree=4)
    for _ in range(5):
        twin.step()
    agent = model.agent(3)
    agent.efficacy = 9.5
    assert model.batch.state.efficacy[0, 3] == 9.5 and agent.efficacy == 9.5
    agent.skill = 0.25
    assert model.batch.state.skill[0, 3] == 0.25
    model.step()
    twin.step()
    # the edit changed what happened next, for this agent (and nothing before the edit)
    assert model.batch.state.efficacy[0, 3] != twin.batch.state.efficacy[0, 3]
    assert np.array_equal(model.batch.state.initial_efficacy, twin.batch.state.initial_efficacy)


def test_agentset_select_and_agg(model: EfficacyModel) -> None:
    eff = model.batch.state.efficacy[0]
    high = model.agents.select(lambda a: a.efficacy > 3.0)
    assert len(high) == int((eff > 3.0).sum())
    assert model.agents.agg("efficacy", np.mean) == pytest.approx(eff.mean())
    assert model.agents.agg("skill", max) == pytest.approx(model.batch.state.skill[0].max())
    assert sorted(model.agents.get("index")) == list(range(40))
    assert model.agent(11).index == 11


def test_datacollector_frames(model: EfficacyModel) -> None:
    frame = model.datacollector.get_model_vars_dataframe()
    assert set(METRICS) <= set(frame.columns)
    assert len(frame) == 6  # initial state + 5 steps
    assert frame["efficacy_mean"].iloc[-1] == pytest.approx(model.batch.state.efficacy.mean())
    assert frame["efficacy_mean"].nunique() > 1
    agents = model.datacollector.get_agent_vars_dataframe()
    assert {"efficacy", "skill", "arousal"} <= set(agents.columns)
    assert len(agents) == 6 * 40
    last = agents.xs(agents.index.get_level_values(0).max(), level=0)["efficacy"]
    assert np.allclose(np.sort(last.to_numpy()), np.sort(model.batch.state.efficacy[0]))


def test_network_space_has_the_observation_edges(model: EfficacyModel) -> None:
    nb = model.batch.neighbours[0][:, :4]
    edges = {(i, int(j)) for i in range(40) for j in nb[i]}
    assert set(model.space.G.edges()) == edges
    for a in model.learners:
        assert a.cell.coordinate == a.index
        assert a in a.cell.agents
        assert a.observes == [int(j) for j in nb[a.index]]


def test_no_network_means_no_edges() -> None:
    m = EfficacyModel(agents=10, rng=1, network_degree=0)
    m.step()
    assert m.space.G.number_of_edges() == 0
    assert all(a.observes == [] for a in m.learners)
    assert (m.batch.state.d_vicarious == 0).all()


def test_model_from_toml_with_overrides(tmp_path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("agents = 12\nsteps = 5\nseed = 4\n[params]\nlearn_rate = 0.2\n")
    m = EfficacyModel(path, learn_rate=0.3)
    assert m.config.agents == 12 and m.config.params["learn_rate"] == 0.3 and m.config.seed == 4
    assert len(m.learners) == 12


# -- the Mesa face behaves as Mesa users expect, or says what to do instead ------------------------------
def test_removing_a_learner_is_refused_and_changes_nothing(model: EfficacyModel) -> None:
    learner = model.agent(7)
    with pytest.raises(TypeError, match=r"cannot be removed.*EfficacyModel\(agents=N\)"):
        learner.remove()
    # still registered, still in its cell, still the learner at index 7, still stepped by the core
    assert learner in model.agents and learner in learner.cell.agents and model.agent(7) is learner
    before = learner.efficacy
    model.step()
    assert len(model.agents) == 40 and learner.efficacy == model.batch.state.efficacy[0, 7] and before is not None


def test_stepping_learners_one_by_one_is_refused(model: EfficacyModel) -> None:
    t = model.batch.t
    with pytest.raises(TypeError, match=r"call model\.step\(\)"):
        model.agents.shuffle_do("step")
    with pytest.raises(TypeError, match=r"call model\.step\(\)"):
        model.agent(0).step()
    assert model.batch.t == t  # nothing advanced
    model.step()
    assert model.batch.t == t + 1


@pytest.mark.parametrize("bad", [-1, 40, 2.0, "3", True])
def test_agent_index_out_of_range_names_the_range(model: EfficacyModel, bad) -> None:
    with pytest.raises(IndexError, match=r"agent index = .* \[0, 39\]"):
        model.agent(bad)
    assert model.agent(np.int64(39)).index == 39


def test_model_uses_only_the_public_space_api() -> None:
    import inspect

    import sim.model

    assert "._cells" not in inspect.getsource(sim.model)  # Mesa's private attribute may change without notice
    m = EfficacyModel(agents=6, rng=0, network_degree=2)
    assert all(m.space[a.index] is a.cell for a in m.learners)
