"""Same inputs, same numbers on any processor: the model's numbers do not depend on which
instructions the libraries pick for this processor.

Two libraries pick their transcendental functions by processor. NumPy's ``exp`` has its own
AVX-512 version, which differs from the scalar one in the last bit for about 5% of inputs. The C
library (glibc) resolves ``log`` and ``exp`` to fused multiply-add variants where the processor has
FMA, differing from the plain ones for a few inputs in 100,000. A batch and a simulated study are
therefore rerun in a child process with NumPy's AVX-512 paths switched off
(``NPY_DISABLE_CPU_FEATURES``), and with glibc's FMA and AVX2 variants switched off
(``GLIBC_TUNABLES``), and compared bit for bit with this process. Where this processor lacks the
feature, both processes take the same path and the comparison could not fail, so it is skipped.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

try:  # NumPy's record of the processor features it found (not public API: absent means unknown)
    from numpy._core._multiarray_umath import __cpu_features__
except ImportError:
    __cpu_features__ = {}

ROOT = Path(__file__).resolve().parent.parent
AVX512 = [f for f, on in __cpu_features__.items() if f.startswith(("AVX512", "X86_V4")) and on]
GLIBC = platform.libc_ver()[0] == "glibc" and tuple(map(int, platform.libc_ver()[1].split(".")[:2])) >= (2, 26)
FMA = __cpu_features__.get("FMA3", False) and __cpu_features__.get("AVX2", False)

VARIANTS = {
    "NumPy without AVX-512": (
        {"NPY_DISABLE_CPU_FEATURES": " ".join(AVX512)},
        not AVX512,
        "this processor has no AVX-512: NumPy takes one path only",
    ),
    "glibc without FMA": (
        {"GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA"},
        not (GLIBC and FMA),
        "no FMA on this processor, or not glibc >= 2.26: the C library takes one path only",
    ),
}

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

# about 300,000 attempts, each with its logarithms: enough to meet the inputs where C libraries differ
cfgs = [Config.default(agents=2500, steps=60, seed=s) for s in (1, 2)]
batch = Batch(cfgs)
initial = digest(*(getattr(batch.state, f.name) for f in fields(batch.state)))
batch.run(60)
final = digest(*(getattr(batch.state, f.name) for f in fields(batch.state)))
states = measure.states_from_state(batch.state, 60)
scores = measure.measure(states, measure.Instruments(), dict(cfgs[0].params), 5)

# the step's per-agent draw transforms over many draws (a run absorbs most last-bit differences of
# its logarithms in rounding, so they are checked where they are computed)
import numba
from sim.mechanisms import feedback

@numba.njit
def transforms(u):
    out = np.empty((2, u.size))
    for i in range(u.size):
        out[0, i] = feedback.margin_one(3.0, 2.5, 0.7, u[i])
        out[1, i] = feedback.inverse_normal_one(u[i])
    return out

u = np.random.default_rng(3).random(400_000)
print(json.dumps({"initial state": initial, "after 60 steps": final,
                  "measured scores": digest(*(scores[c].to_numpy(dtype=float) for c in scores.columns)),
                  "draw transforms": digest(transforms(u))}))
"""


def fingerprints(env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-c", FINGERPRINTS], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def here() -> dict[str, str]:
    return fingerprints(dict(os.environ))


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_runs_and_measurements_are_bit_identical_on_another_processor_path(variant: str, here) -> None:
    env, skip, why = VARIANTS[variant]
    if skip:
        pytest.skip(why)
    assert fingerprints({**os.environ, **env}) == here
