"""Regression numbers: each experiment's headline effects at a fixed seed, checked with a stated tolerance.

``check(name, numbers, rtol, atol)`` compares ``numbers`` with ``tests/regression/<name>.json``.
Run the tests with ``EFFICACY_SIM_REGEN=1`` to rewrite the file after a deliberate model change
(review the diff: it is the change in the findings). These pin numbers, not patterns: no test asks
for a finding to come out a particular way.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

HERE = Path(__file__).parent


def check(name: str, numbers: dict[str, float], rtol: float = 1e-6, atol: float = 1e-9) -> None:
    path = HERE / f"{name}.json"
    clean = {k: (None if v is None or not math.isfinite(float(v)) else float(v)) for k, v in sorted(numbers.items())}
    if os.environ.get("EFFICACY_SIM_REGEN") == "1" or not path.exists():
        path.write_text(json.dumps(clean, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        if os.environ.get("EFFICACY_SIM_REGEN") != "1":
            raise AssertionError(f"{path.name} did not exist: written now, review and commit it")
        return
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(expected) == sorted(clean), f"{name}: keys changed: {sorted(set(expected) ^ set(clean))}"
    bad = []
    for k, want in expected.items():
        got = clean[k]
        if want is None or got is None:
            if want is not got:
                bad.append(f"{k}: expected {want}, got {got}")
        elif not math.isclose(got, want, rel_tol=rtol, abs_tol=atol):
            bad.append(f"{k}: expected {want:.6g}, got {got:.6g}")
    assert not bad, f"{name} regression numbers moved (rtol {rtol}, atol {atol}):\n" + "\n".join(bad)
