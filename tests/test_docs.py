"""docs/ODD.md stays in sync with the declarations in sim/params.py and sim/metrics.py."""

from __future__ import annotations

import dataclasses
import re

import pytest

from sim import docs, params
from sim.metrics import METRICS

ODD = docs.ODD_PATH.read_text(encoding="utf-8")


def _prose(text: str) -> str:
    """The hand-written part of the document: everything outside the generated blocks."""
    for name in docs.BLOCKS:
        text = re.sub(rf"<!-- {name}:start -->.*?<!-- {name}:end -->", "", text, flags=re.DOTALL)
    return text


def test_committed_odd_matches_declarations() -> None:
    stale = docs.stale_blocks(ODD)
    assert not stale, f"docs/ODD.md out of date in blocks {stale}: run `python -m sim.docs`"
    assert docs.render(ODD) == ODD


def test_generated_blocks_hold_every_declaration() -> None:
    for spec in (*params.RUN, *params.PARAMS):
        assert f"| `{spec.name}` | {spec.default:g} |" in ODD, spec.name
    for name, meaning in METRICS.items():
        assert f"| `{name}` | {meaning} |" in ODD, name


def test_prose_explains_every_parameter_and_kind() -> None:
    # The submodels must mention each parameter by name, not only the generated table.
    prose = _prose(ODD)
    names = [p.name for p in params.PARAMS] + list(params.INTERVENTION_KINDS) + list(params.SCHEDULE_KINDS)
    missing = [n for n in names if f"`{n}`" not in prose]
    assert not missing, f"docs/ODD.md prose never mentions: {missing}"


def test_changed_default_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer changes a default without regenerating: the check must notice, and regenerating fixes it.
    changed = tuple(
        dataclasses.replace(p, default=p.default + 0.125) if p.name == "learn_rate" else p for p in params.PARAMS
    )
    monkeypatch.setattr(params, "PARAMS", changed)
    assert docs.stale_blocks(ODD) == ["params"]
    fixed = docs.render(ODD)
    assert docs.stale_blocks(fixed) == []
    assert f"| `learn_rate` | {params.PARAM_BY_NAME['learn_rate'].default + 0.125:g} |" in fixed


def test_missing_markers_are_reported() -> None:
    broken = ODD.replace("<!-- metrics:end -->", "")
    with pytest.raises(ValueError, match="metrics:start"):
        docs.render(broken)


def test_cli_check_and_write(tmp_path) -> None:
    stale = tmp_path / "ODD.md"
    stale.write_text(docs.render(ODD, {"params": "| old table |"}), encoding="utf-8")
    assert docs.main(["--check", "--path", str(stale)]) == 1
    assert docs.main(["--path", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == ODD
    assert docs.main(["--check", "--path", str(stale)]) == 0
