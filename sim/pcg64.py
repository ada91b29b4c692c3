"""NumPy's PCG64 generator, compiled: a run's step draws, made without a Python call per row.

Every run draws from its own ``np.random.Generator(PCG64)`` (:mod:`sim.streams`). NumPy draws fast,
but a call costs about 2 µs, and skipping values with ``bit_generator.advance`` about 3 µs, so at a
hundred learners per run it paid to draw every row of a step (17) rather than the few the runs read
(5 in the default scenario): a quarter of the step's time went to numbers nobody read. Here the same
generator runs in compiled code, so a batch fills the rows it reads and jumps over the others in
one call per step.

The numbers are NumPy's, bit for bit: PCG64 is O'Neill's (2014) permuted congruential generator
"XSL RR 128/64" (a 128-bit linear congruential state, ``s <- a s + c mod 2^128``, output the xor
of its halves rotated by its top 6 bits), and ``Generator.random`` maps an output ``x`` to
``(x >> 11) * 2^-53``. Jumping ``n`` values ahead is the affine map ``s <- a^n s + c_n`` (Brown 1994),
whose coefficients are computed once per jump length. Integer arithmetic only: the same on every
processor. Tests compare every value and the state afterwards with NumPy's own.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341
"""The 128-bit LCG multiplier of NumPy's PCG64 (O'Neill's default)."""
MASK64 = (1 << 64) - 1
MASK128 = (1 << 128) - 1
_MULT_HI = np.uint64(MULTIPLIER >> 64)
_MULT_LO = np.uint64(MULTIPLIER & MASK64)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2^-53


@intrinsic
def _mulhi(typingctx, a, b):
    """The high 64 bits of the 128-bit product of two uint64 (one ``mul`` instruction)."""
    sig = types.uint64(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return sig, codegen


_inline = numba.njit(cache=True, inline="always")


@_inline
def _affine(s_hi, s_lo, a_hi, a_lo, c_hi, c_lo):
    """``a * s + c mod 2^128`` on (high, low) uint64 halves."""
    lo = s_lo * a_lo
    hi = _mulhi(s_lo, a_lo) + s_lo * a_hi + s_hi * a_lo
    out_lo = lo + c_lo
    carry = np.uint64(1) if out_lo < lo else np.uint64(0)
    return hi + c_hi + carry, out_lo


@_inline
def _output(s_hi, s_lo):
    """The XSL RR output of a state: ``rotr64(hi ^ lo, hi >> 58)``."""
    x = s_hi ^ s_lo
    rot = s_hi >> np.uint64(58)
    return (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))


@numba.njit(cache=True)
def fill(state, segments, jumps, out):
    """One step's draws for every run, in place.

    Parameters
    ----------
    state : (runs, 4) uint64, each run's generator as (state high, state low, increment high,
        increment low); advanced past the step.
    segments : (segments, 3) int64, the step's rows as ``(start, stop, drawn)`` in layout order.
    jumps : (segments, 4) uint64, for each skipped segment the jump coefficients ``(a_hi, a_lo,
        m_hi, m_lo)`` with ``s <- a s + m c`` (:func:`jump_coefficients`; rows drawn: unused).
    out : (runs, rows, agents) float64; the drawn rows receive ``Generator.random``'s values, the
        skipped rows are left as they are.
    """
    runs, _, agents = out.shape
    for r in range(runs):
        s_hi, s_lo, c_hi, c_lo = state[r, 0], state[r, 1], state[r, 2], state[r, 3]
        for k in range(segments.shape[0]):
            start, stop, drawn = segments[k, 0], segments[k, 1], segments[k, 2]
            if drawn:
                for row in range(start, stop):
                    for i in range(agents):
                        s_hi, s_lo = _affine(s_hi, s_lo, _MULT_HI, _MULT_LO, c_hi, c_lo)
                        out[r, row, i] = (_output(s_hi, s_lo) >> np.uint64(11)) * _TO_UNIT
            else:
                # c_n = m c: the jump's increment is a multiple of the run's own increment
                m_hi, m_lo = _affine(c_hi, c_lo, jumps[k, 2], jumps[k, 3], np.uint64(0), np.uint64(0))
                s_hi, s_lo = _affine(s_hi, s_lo, jumps[k, 0], jumps[k, 1], m_hi, m_lo)
        state[r, 0], state[r, 1] = s_hi, s_lo


def jump_coefficients(n: int) -> tuple[int, int]:
    """``(a, m)`` with ``n`` steps of ``s <- A s + c`` equal to ``s <- a s + m c`` (mod 2^128):
    ``a = A^n``, ``m = 1 + A + ... + A^(n-1)``, by squaring (Brown 1994), exact in Python integers."""
    a, m = 1, 0
    cur_a, cur_m = MULTIPLIER, 1
    while n > 0:
        if n & 1:
            a, m = (a * cur_a) & MASK128, (m * cur_a + cur_m) & MASK128
        cur_m = ((cur_a + 1) * cur_m) & MASK128
        cur_a = (cur_a * cur_a) & MASK128
        n >>= 1
    return a, m


def plan(segments: list[tuple[int, int, bool]], agents: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fill`'s ``segments`` and ``jumps`` for a step's rows as ``(start, stop, drawn)`` runs
    (:func:`sim.streams.row_segments`) of ``agents`` values each."""
    jumps = np.zeros((len(segments), 4), dtype=np.uint64)
    for k, (start, stop, drawn) in enumerate(segments):
        if not drawn:
            a, m = jump_coefficients((stop - start) * agents)
            jumps[k] = (*split(a), *split(m))
    return np.array(segments, dtype=np.int64).reshape(-1, 3), jumps


def split(x: int) -> tuple[int, int]:
    """A 128-bit integer as its (high, low) 64-bit halves."""
    return x >> 64, x & MASK64


def pack_states(generators: list[np.random.Generator]) -> np.ndarray:
    """The generators' PCG64 states as a (runs, 4) uint64 array (:func:`fill`'s ``state``)."""
    out = np.empty((len(generators), 4), dtype=np.uint64)
    for r, g in enumerate(generators):
        st = g.bit_generator.state
        if st["bit_generator"] != "PCG64":
            raise TypeError(f"stream {r}: a {st['bit_generator']} generator; the step draws need PCG64")
        out[r] = (*split(st["state"]["state"]), *split(st["state"]["inc"]))
    return out


def unpack_states(state: np.ndarray, generators: list[np.random.Generator]) -> None:
    """Set each generator to its run's position in ``state`` (the inverse of :func:`pack_states`)."""
    for r, g in enumerate(generators):
        st = g.bit_generator.state
        hi, lo = (int(v) for v in state[r, :2])
        st["state"]["state"] = (hi << 64) | lo
        g.bit_generator.state = st
