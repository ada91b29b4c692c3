"""Runs are determined by config + seed + run index, and nothing else."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from sim import EfficacyModel
from sim.batch import Batch
from sim.config import Config
from sim.oracle import OracleModel
from sim.state import State

STEPS = 25
CFG = Config.default(
    agents=60,
    steps=STEPS,
    seed=13,
    schedule=[{"kind": "adaptive", "start": 0}, {"kind": "random", "start": 12}],
    shocks=[{"step": 8, "share": 0.5}],
    interventions=[{"kind": "peer_modelling", "start": 5, "end": 20, "intensity": 0.5}],
)


def run_state(r: int, batch: Batch) -> dict[str, np.ndarray]:
    st = batch.state
    return {
        f.name: (getattr(st, f.name)[:, r] if f.name == "targeted" else getattr(st, f.name)[r]) for f in fields(State)
    }


def assert_identical(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    for name in a:
        assert np.array_equal(a[name], b[name], equal_nan=True), name


def stepped(configs: list[Config], seeds: list[int] | None = None, indices: list[int] | None = None) -> Batch:
    batch = Batch(configs, seeds=seeds, run_indices=indices)
    batch.run(STEPS)
    return batch


def test_same_config_and_seed_give_the_same_numbers() -> None:
    assert_identical(run_state(0, stepped([CFG])), run_state(0, stepped([CFG])))


def test_different_seed_or_run_index_gives_different_numbers() -> None:
    base = run_state(0, stepped([CFG]))
    other_seed = run_state(0, stepped([CFG], seeds=[14]))
    other_index = run_state(0, stepped([CFG], indices=[1]))
    for other in (other_seed, other_index):
        assert not np.allclose(base["initial_skill"], other["initial_skill"])
        assert not np.allclose(base["efficacy"], other["efficacy"])


def test_a_run_alone_equals_the_same_run_inside_a_bigger_batch() -> None:
    alone = run_state(0, stepped([CFG], seeds=[5], indices=[3]))
    others = [
        Config.default(agents=60, steps=STEPS, learn_rate=0.3, network_degree=12, network_rewire=0.9),
        Config.default(agents=60, steps=STEPS, network_degree=0, schedule=[{"kind": "self_chosen"}]),
        CFG.with_values({"interventions": [{"kind": "mastery_ladder", "start": 0, "end": 25}]}),
    ]
    batch = stepped([others[0], others[1], CFG, others[2]], seeds=[5, 6, 5, 5], indices=[0, 1, 3, 2])
    assert_identical(alone, run_state(2, batch))
    # and the batch-mates really are different runs
    assert not np.allclose(run_state(3, batch)["efficacy"], alone["efficacy"])


def test_mesa_model_reproduces_the_batch_run() -> None:
    batch = stepped([CFG], seeds=[77], indices=[4])
    model = EfficacyModel(CFG, rng=77, run_index=4)
    for _ in range(STEPS):
        model.step()
    assert_identical(run_state(0, batch), run_state(0, model.batch))
    # the config's seed is the default seed
    assert_identical(run_state(0, stepped([CFG])), run_state(0, _model_batch(EfficacyModel(CFG))))


def _model_batch(model: EfficacyModel) -> Batch:
    for _ in range(STEPS):
        model.step()
    return model.batch


def test_oracle_is_deterministic_too() -> None:
    small = CFG.with_values({"agents": 15})
    a, b = OracleModel(small, rng=3), OracleModel(small, rng=3)
    for _ in range(10):
        a.step()
        b.step()
    assert_identical(a.state_arrays(), b.state_arrays())
