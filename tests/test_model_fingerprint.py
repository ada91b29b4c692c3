"""Results are tied to the model's code: a store written by other code is never resumed or served
(sim.provenance.model_fingerprint, sim.engine.Experiment.digest, sim.engine.store.resolve_folder)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from sim.config import Config
from sim.engine import Experiment, Outputs, load_results, run_experiment
from sim.engine.worker import run_chunk
from sim.errors import ConfigError
from sim.provenance import PACKAGE_ROOT, model_fingerprint, model_sources


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of the package's sources to edit."""
    root = tmp_path / "sim"
    shutil.copytree(PACKAGE_ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_a_rule_change_changes_the_fingerprint(package: Path) -> None:
    before = model_fingerprint(package)
    edit(package / "mechanisms" / "mastery.py", "return ", "return 1.0 * ")
    model_fingerprint.cache_clear()
    assert model_fingerprint(package) != before


def test_docstrings_comments_layout_and_reports_do_not(package: Path) -> None:
    before = model_fingerprint(package)
    kernel = package / "kernel.py"
    edit(kernel, '"""The fused step', '"""The fused, compiled step')  # the module docstring
    edit(kernel, "# the run's schedule phase", "# this run's schedule phase")  # a comment
    kernel.write_text(kernel.read_text() + "\n\n# a trailing comment\n")
    (package / "analysis" / "findings.py").write_text("x = 1\n")  # reports are not the model
    model_fingerprint.cache_clear()
    assert model_fingerprint(package) == before


def test_the_fingerprint_is_kept_under_the_sources_bytes(package: Path) -> None:
    first = model_fingerprint(package)
    assert (package / "__pycache__" / "model.fingerprint").read_text().split()[1] == first
    edit(
        package / "network.py",
        "import ",
        "import sys\nimport ",
    )  # a code change, stamp now stale
    model_fingerprint.cache_clear()
    assert model_fingerprint(package) != first


def test_sources_are_the_model_not_the_reports() -> None:
    names = {p.relative_to(PACKAGE_ROOT).as_posix() for p in model_sources()}
    assert {"kernel.py", "batch.py", "pcg64.py", "mechanisms/mastery.py", "engine/worker.py"} <= names
    assert not {n for n in names if n.startswith(("analysis/", "commands/", "calibration/"))}
    assert "oracle.py" not in names and "cli.py" not in names


def tiny() -> Experiment:
    return Experiment(
        name="tiny",
        base=Config.default(agents=10, steps=5),
        vary={"efficacy_mean": [2.0]},
        replications=2,
        seed=3,
        outputs=Outputs(every=5),
    )


def test_a_store_from_other_model_code_is_refused_not_served(tmp_path: Path) -> None:
    out = tmp_path / "tiny"
    first = run_experiment(tiny(), out=out, executor="serial", progress=False)
    assert first.manifest["model"] == model_fingerprint()
    # the same folder as code before a rule changed would have left it: same experiment, other code
    path = out / "manifest.json"
    man = json.loads(path.read_text())
    man["model"], man["hash"] = "0123456789abcdef", "fedcba9876543210"
    path.write_text(json.dumps(man))
    with pytest.raises(ConfigError, match=r"changed: the model's code \(theirs 0123456789abcdef, now "):
        run_experiment(tiny(), out=out, executor="serial", progress=False)
    assert load_results(out).manifest["hash"] == "fedcba9876543210"  # left as it was
    again = run_experiment(tiny(), out=out, executor="serial", progress=False, new_folder=True)
    assert again.path == tmp_path / "tiny-2" and again.manifest["hash"] == tiny().digest()


def other_code(task):
    """The task as a process running other model code would send it."""
    return dataclasses.replace(task, model="0123456789abcdef")


def test_a_worker_refuses_work_sent_by_other_model_code() -> None:
    from sim.engine import executors as ex
    from sim.engine.design import build_design
    from sim.engine.run import plan_tasks

    exp = tiny()
    task = next(plan_tasks(exp, build_design(exp), 2, set()))
    assert task.model == model_fingerprint() and run_chunk(task)["runs"] == 2
    with pytest.raises(ConfigError, match=r"worker model code = '[0-9a-f]{16}' .* \(0123456789abcdef\)"):
        run_chunk(other_code(task))
    results = ex.processes([other_code(task)], 1)  # a real worker process: the refusal reaches the sweep
    try:
        with pytest.raises(ConfigError, match="install the same efficacy-sim on every Dask worker"):
            next(iter(results))
    finally:
        results.close()


def test_a_calibration_worker_refuses_work_sent_by_other_model_code() -> None:
    from sim.calibration.design import StudyDesign
    from sim.calibration.simulate import plan, run_task

    design = StudyDesign.from_mapping({"agents": 20, "waves": 2, "wave_every": 2})
    task = plan(design, [{"optimism_sd": 1.0}], 1, None, None, 10)[0]
    assert task.model == model_fingerprint()
    with pytest.raises(ConfigError, match="worker model code"):
        run_task(other_code(task))


def test_errors_survive_the_trip_from_a_worker() -> None:
    """ConfigError and StoreError pickle as themselves (workers send them back to the sweep)."""
    import pickle

    from sim.errors import StoreError

    for err in (ConfigError("agents", -5, "a whole number >= 1", "a hint"), StoreError("/x/y", "is damaged", "rerun")):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and str(back) == str(err) and vars(back) == vars(err)
