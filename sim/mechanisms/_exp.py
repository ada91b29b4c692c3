"""``exp`` for the compiled step: the C library's algorithm, inlined.

Every rule of the model ends in a logistic or a Gaussian, so the fused step (:mod:`sim.kernel`)
computes about 17 exponentials per learner and step. Numba compiles ``math.exp`` to a call into the
C library through glibc's compatibility wrapper (about 42 instructions a call, with the caller's
live registers saved around it), which made the exponentials half the step's work. This is the
same algorithm as glibc's, musl's and Arm Optimized Routines (2018) ``exp`` (docs/references.md:
``exp(x) = 2^(k/128) exp(r)`` from a 128-entry table and a degree-5 polynomial), written as a
per-agent rule so the compiler inlines it: about 25 instructions, no call.

Accuracy: at most 0.511 ulp from the exact value (the published bound without fused
multiply-adds), so it agrees with ``math.exp`` to the last bit or one unit in it (tested over
millions of inputs and every special case: 0, tiny, huge, subnormal results, infinities, NaN).
Every operation is a plain IEEE multiply or add (no ``fastmath``, no fused multiply-add), so the
result is the same on every processor; the C library picks its FMA or plain variant by processor.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numba
import numpy as np

# inlined like the per-agent rules (sim.mechanisms._common.per_agent, which builds on this module)
_inline = numba.njit(cache=True, inline="always", error_model="numpy")


TABLE_BITS = 7
N = 1 << TABLE_BITS
INV_LN2_N = float.fromhex("0x1.71547652b82fep0") * N
NEG_LN2_HI_N = -float.fromhex("0x1.62e42fefa0000p-8")
NEG_LN2_LO_N = -float.fromhex("0x1.cf79abc9e3b3ap-47")
SHIFT = float.fromhex("0x1.8p52")
C2 = float.fromhex("0x1.ffffffffffdbdp-2")
C3 = float.fromhex("0x1.555555555543cp-3")
C4 = float.fromhex("0x1.55555cf172b91p-5")
C5 = float.fromhex("0x1.1111167a4d017p-7")
TWO_1009 = 2.0**1009
TWO_M1022 = 2.0**-1022


def _table() -> np.ndarray:
    """``tab[2i] = bits(tail_i)``, ``tab[2i + 1] = bits(scale_i) - (i << 45)`` with
    ``2^(i/N) = scale_i (1 + tail_i)``: ``scale_i`` is 2^(i/N) rounded to a double, ``tail_i`` the
    rounded relative remainder (computed exactly to 60 digits, then correctly rounded)."""
    tab = np.empty(2 * N, dtype=np.uint64)
    with localcontext() as ctx:
        ctx.prec = 60
        ln2 = Decimal(2).ln()
        for i in range(N):
            exact = (ln2 * i / N).exp()
            scale = float(exact)  # correctly rounded
            tail = float(exact / Decimal(scale) - 1)
            tab[2 * i] = np.float64(tail).view(np.uint64)
            tab[2 * i + 1] = np.uint64(np.float64(scale).view(np.uint64) - np.uint64(i << 45))
    return tab


TABLE = _table()


@_inline
def _special(tmp: float, sbits, ki) -> float:
    """Results near overflow or in the subnormal range, where ``scale`` itself is out of range."""
    if (ki & np.uint64(0x80000000)) == 0:  # k > 0: the exponent of scale may have overflowed
        scale = np.uint64(sbits - np.uint64(1009 << 52)).view(np.float64)
        return TWO_1009 * (scale + scale * tmp)
    scale = np.uint64(sbits + np.uint64(1022 << 52)).view(np.float64)
    y = scale + scale * tmp
    if y < 1.0:  # round to the subnormal precision once, not twice
        lo = scale - y + scale * tmp
        hi = 1.0 + y
        lo = 1.0 - hi + y + lo
        y = (hi + lo) - 1.0
        if y == 0.0:
            y = 0.0  # not -0.0
    return TWO_M1022 * y


@_inline
def exp_one(x: float) -> float:
    """``e ** x``, within 0.511 ulp (``inf`` above 709.78, 0 below -745.13, NaN for NaN)."""
    bits = np.float64(x).view(np.uint64)
    abstop = (bits >> np.uint64(52)) & np.uint64(0x7FF)
    special = False
    if abstop < 0x3C9 or abstop >= 0x408:  # |x| < 2^-54 or |x| >= 512
        if abstop < 0x3C9:
            return 1.0 + x
        if abstop >= 0x409:  # |x| >= 1024, infinite or NaN
            if x == -np.inf:
                return 0.0
            if abstop >= 0x7FF:
                return 1.0 + x
            return 0.0 if x < 0.0 else np.inf
        special = True
    z = INV_LN2_N * x
    kd = z + SHIFT  # rounds to the nearest integer k in the low bits
    ki = np.float64(kd).view(np.uint64)
    kd -= SHIFT
    r = x + kd * NEG_LN2_HI_N + kd * NEG_LN2_LO_N
    idx = np.uint64(2) * (ki % np.uint64(N))
    top = ki << np.uint64(52 - TABLE_BITS)
    tail = np.uint64(TABLE[idx]).view(np.float64)
    sbits = np.uint64(TABLE[idx + np.uint64(1)] + top)
    r2 = r * r
    tmp = tail + r + r2 * (C2 + r * C3) + r2 * r2 * (C4 + r * C5)
    if special:
        return _special(tmp, sbits, ki)
    scale = np.uint64(sbits).view(np.float64)
    return scale + scale * tmp


@numba.vectorize(["f8(f8)"], cache=True)
def exp(x):
    """:func:`exp_one` as a NumPy ufunc, for array code whose results must not depend on the processor.

    ``np.exp`` is not that: NumPy picks its implementation by processor (with AVX-512 its own
    vectorised one, which differs from the C library's in the last bit for about 5% of inputs), so
    the initial population, say, would differ between machines. This one gives the same bits on
    every processor, at a few nanoseconds per value.
    """
    return exp_one(x)
