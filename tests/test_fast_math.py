"""The step's own numerics: the inlined ``exp`` and the per-agent draw transforms.

The compiled step (:mod:`sim.kernel`) computes its exponentials with :func:`sim.mechanisms._exp.exp_one`
and turns its draws into a logit and a normal quantile per agent. Each must agree with the reference
the rest of the project uses: ``math.exp`` to one unit in the last place (the algorithm's published
bound is 0.511 ulp), the oracle's ``log(u / (1 - u))`` and ``statistics.NormalDist().inv_cdf`` exactly.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numba
import numpy as np
import pytest

from sim.mechanisms import _exp, _log, feedback

EDGES = [
    0.0,
    -0.0,
    1e-300,
    -1e-300,
    5e-324,
    2.0**-54,
    -(2.0**-54),
    2.0**-55,
    1.0,
    -1.0,
    511.9,
    512.0,
    -512.0,
    700.0,
    709.782712893384,  # the largest x with a finite exp
    -708.39,  # around the smallest normal result
    -708.4,
    -720.0,  # subnormal results
    -744.4,
    -745.1332191019411,  # the smallest x with a non-zero exp
    -1000.0,
    -1023.9,
]


@numba.njit
def _exp_all(x, out):
    for i in range(x.shape[0]):
        out[i] = _exp.exp_one(x[i])


def exp_all(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    _exp_all(x, out)
    return out


def ulps_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.view(np.int64) - b.view(np.int64))


def test_table_is_the_published_one() -> None:
    """The generated 2^(i/128) table starts as the one in glibc, musl and Arm's Optimized Routines."""
    head = [0x0, 0x3FF0000000000000, 0x3C9B3B4F1A88BF6E, 0x3FEFF63DA9FB3335, 0xBC7160139CD8DC5D, 0x3FEFEC9A3E778061]
    assert [int(v) for v in _exp.TABLE[:6]] == head
    assert int(_exp.TABLE[-1]) == 0x3FEFF3C22B8F71F1


def test_exp_is_within_one_ulp_of_math_exp() -> None:
    rng = np.random.default_rng(7)
    x = np.concatenate(
        [rng.uniform(-50, 50, 1_000_000), rng.uniform(-745, 709.7, 500_000), rng.uniform(-1e-6, 1e-6, 10_000), EDGES]
    )
    got = exp_all(x)
    want = np.array([math.exp(v) for v in x])
    assert ulps_apart(got, want).max() <= 1
    assert (got == want).mean() > 0.99  # mostly the very same bits


@pytest.mark.parametrize(
    "x, want",
    [
        (np.inf, np.inf),
        (-np.inf, 0.0),
        (710.0, np.inf),
        (1e308, np.inf),
        (1023.9, np.inf),
        (-746.0, 0.0),
        (-1e308, 0.0),
    ],
)
def test_exp_limits(x: float, want: float) -> None:
    assert exp_all(np.array([x]))[0] == want


def test_exp_of_nan_is_nan() -> None:
    assert np.isnan(exp_all(np.array([np.nan]))[0])


def test_inverse_normal_equals_the_oracle_to_the_last_bits() -> None:
    """AS 241 as the oracle's ``NormalDist().inv_cdf`` computes it; the logarithm of the tails is the
    step's own (fdlibm) rather than the C library's, so the two may differ in the last bits there."""
    rng = np.random.default_rng(8)
    p = np.concatenate([rng.random(20_000), [feedback.U_EDGE, 1 - feedback.U_EDGE, 0.075, 0.925, 0.5, 1e-12, 1e-300]])
    inv = NormalDist().inv_cdf
    got = np.array([feedback.inverse_normal_one(v) for v in p])
    want = np.array([inv(v) for v in p])
    central = np.abs(p - 0.5) <= 0.425  # no logarithm: the same operations, the same bits
    assert np.array_equal(got[central], want[central])
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)  # an ulp of log moves the quantile by ~2 ulps


def test_log_is_within_an_ulp_of_the_c_librarys() -> None:
    rng = np.random.default_rng(11)
    x = np.concatenate(
        [rng.random(200_000), np.exp(rng.uniform(-740, 709, 200_000)), 1 + rng.uniform(-1e-6, 1e-6, 50_000)]
    )
    one = numba.njit(lambda v: _log.log_one(v))
    got = np.array([one(v) for v in x])
    want = np.array([math.log(v) for v in x])
    assert np.abs(got.view(np.int64) - want.view(np.int64)).max() <= 1
    assert np.mean(got == want) > 0.95
    specials = [(0.0, -np.inf), (-0.0, -np.inf), (1.0, 0.0), (np.inf, np.inf), (5e-324, math.log(5e-324))]
    for v, w in specials:
        assert one(v) == w, v
    for v in (-1.0, -np.inf, -5e-324, np.nan):
        assert np.isnan(one(v)), v


def test_margin_equals_the_vectorised_rule() -> None:
    rng = np.random.default_rng(9)
    cap, d, scale = rng.uniform(0, 10, 500), rng.uniform(0, 10, 500), rng.uniform(0.1, 2, 500)
    u = np.concatenate([rng.random(497), [0.0, 1.0, 0.5]])
    want = feedback.performance_margin(cap, d, scale, u)
    got = np.array([feedback.margin_one(*(x[i] for x in (cap, d, scale, u))) for i in range(500)])
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-12)


def test_the_exp_ufunc_is_the_steps_exp_on_arrays() -> None:
    """``_exp.exp`` (for array code) gives exactly ``exp_one``'s bits, within an ulp of math.exp."""
    x = np.concatenate([np.array(EDGES), np.random.default_rng(5).uniform(-40, 40, 20_000)])[:20_000].reshape(-1, 4)
    got = _exp.exp(x)
    assert got.shape == x.shape
    one = numba.njit(lambda v: _exp.exp_one(v))
    assert all(got.flat[i] == one(v) or (np.isnan(got.flat[i]) and np.isnan(one(v))) for i, v in enumerate(x.flat))
    finite = np.isfinite(x) & (np.abs(x) < 700)
    ref = np.array([math.exp(v) for v in x[finite]])
    assert np.abs(got[finite].view(np.int64) - ref.view(np.int64)).max() <= 1
