"""Results are tied to the model's code: a store written by other code is never resumed or served
(sim.provenance.model_fingerprint, sim.engine.Experiment.digest, sim.engine.store.resolve_folder)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sim.config import Config
from sim.engine import Experiment, Outputs, load_results, run_experiment
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
