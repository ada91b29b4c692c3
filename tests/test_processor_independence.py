"""Same inputs, same numbers on any processor: the model's numbers do not depend on which vector
instructions NumPy finds.

NumPy picks its ``exp`` (and other transcendental functions) by processor: with AVX-512 it uses its
own vectorised version, which differs from the scalar C library's in the last bit for about 5% of
inputs. So a run is repeated in a child process with NumPy's AVX-512 paths switched off
(``NPY_DISABLE_CPU_FEATURES``) and compared bit for bit with this process. On a processor without
AVX-512 both processes take the same paths and the comparison could not fail, so it is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from numpy._core._multiarray_umath import __cpu_features__

ROOT = Path(__file__).resolve().parent.parent
AVX512 = [f for f, on in __cpu_features__.items() if f.startswith(("AVX512", "X86_V4")) and on]

pytestmark = pytest.mark.skipif(not AVX512, reason="this processor has no AVX-512: NumPy takes one path only")

FINGERPRINTS = r"""
import hashlib, json
from dataclasses import fields
import numpy as np
from sim.batch import Batch
from sim.config import Config
from sim import measure

def digest(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()

cfgs = [Config.default(agents=300, steps=40, seed=s) for s in (1, 2)]
batch = Batch(cfgs)
initial = digest(*(getattr(batch.state, f.name) for f in fields(batch.state)))
batch.run(40)
final = digest(*(getattr(batch.state, f.name) for f in fields(batch.state)))
states = measure.states_from_state(batch.state, 40)
design = measure.Instruments()
scores = measure.measure(states, design, dict(cfgs[0].params), 5)
print(json.dumps({"initial state": initial, "after 40 steps": final,
                  "measured scores": digest(*(scores[c].to_numpy(dtype=float) for c in scores.columns))}))
"""


def fingerprints(env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-c", FINGERPRINTS], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_runs_and_measurements_are_bit_identical_without_numpys_avx512_paths() -> None:
    here = fingerprints(dict(os.environ))
    without = fingerprints({**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(AVX512)})
    assert without == here
