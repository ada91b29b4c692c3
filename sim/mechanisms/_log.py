"""``log`` for the compiled step: fdlibm's algorithm, inlined, the same bits on every processor.

The step takes two logarithms per attempt in an ambiguous task (the outcome draw's logit and the
feedback draw's normal quantile, :mod:`sim.mechanisms.feedback`). Numba compiles ``math.log`` to a
call into the C library, whose ``log`` differs between processors: glibc picks a fused multiply-add
variant where the processor has one (differing from the plain one in the last bit for about 3 in
100,000 inputs), and other systems' libraries are other algorithms altogether. This is Sun's fdlibm
``__ieee754_log`` (Sun Microsystems 1993; docs/references.md), the reference of Java's
``StrictMath.log``: ``log(x) = k ln2 + log(1 + f)`` with ``log(1 + f)`` from ``s = f / (2 + f)`` and a
degree-14 odd polynomial in ``s``, in plain IEEE operations only (no ``fastmath``, no fused
multiply-add), so every processor gives the same result. Error below 1 ulp (fdlibm's bound); tested
against ``math.log`` over millions of inputs and every special case.
"""

from __future__ import annotations

import numba
import numpy as np

_inline = numba.njit(cache=True, inline="always", error_model="numpy")

LN2_HI = float.fromhex("0x1.62e42fee00000p-1")
LN2_LO = float.fromhex("0x1.a39ef35793c76p-33")
TWO54 = 2.0**54
LG1 = float.fromhex("0x1.5555555555593p-1")
LG2 = float.fromhex("0x1.999999997fa04p-2")
LG3 = float.fromhex("0x1.2492494229359p-2")
LG4 = float.fromhex("0x1.c71c51d8e78afp-3")
LG5 = float.fromhex("0x1.7466496cb03dep-3")
LG6 = float.fromhex("0x1.39a09d078c69fp-3")
LG7 = float.fromhex("0x1.2f112df3e5244p-3")


@_inline
def log_one(x: float) -> float:
    """Natural logarithm of ``x`` (``-inf`` at 0, NaN below 0 and for NaN, ``inf`` at ``inf``)."""
    bits = np.float64(x).view(np.uint64)
    hx = np.int64(bits >> np.uint64(32))  # the high word as fdlibm's signed 32-bit int
    if hx >= 0x80000000:
        hx -= 0x100000000
    lx = bits & np.uint64(0xFFFFFFFF)
    k = 0
    if hx < 0x00100000:  # x < 2^-1022: zero, negative or subnormal
        if ((hx & 0x7FFFFFFF) | np.int64(lx)) == 0:
            return -np.inf
        if hx < 0:
            return np.nan
        k -= 54
        x *= TWO54  # scale a subnormal up
        bits = np.float64(x).view(np.uint64)
        hx = np.int64(bits >> np.uint64(32))
    if hx >= 0x7FF00000:
        return x + x  # inf or NaN
    k += (hx >> 20) - 1023
    hx &= 0x000FFFFF
    i = (hx + 0x95F64) & 0x100000
    # normalise x to [sqrt(2)/2, sqrt(2)): set its exponent to 0 (or -1), keeping the low word
    hi = np.uint64(hx | (i ^ 0x3FF00000))
    x = np.uint64((hi << np.uint64(32)) | (bits & np.uint64(0xFFFFFFFF))).view(np.float64)
    k += i >> 20
    f = x - 1.0
    dk = float(k)
    if (0x000FFFFF & (2 + hx)) < 3:  # |f| < 2^-20
        if f == 0.0:
            return 0.0 if k == 0 else dk * LN2_HI + dk * LN2_LO
        r = f * f * (0.5 - 0.33333333333333333 * f)
        return f - r if k == 0 else dk * LN2_HI - ((r - dk * LN2_LO) - f)
    s = f / (2.0 + f)
    z = s * s
    i = hx - 0x6147A
    w = z * z
    j = 0x6B851 - hx
    t1 = w * (LG2 + w * (LG4 + w * LG6))
    t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)))
    i |= j
    r = t2 + t1
    if i > 0:
        hfsq = 0.5 * f * f
        if k == 0:
            return f - (hfsq - s * (hfsq + r))
        return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f)
    if k == 0:
        return f - s * (f - r)
    return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f)
