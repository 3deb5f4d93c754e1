"""Exact rational arithmetic for the points where a floating-point answer depends on the kernel path.

A special point at a singular matrix is only reproducible if every library computes the same factorization
there, whatever its instructions (FMA or not), blocking or loop order. :func:`lu_exact_on_every_path` says
whether LU with partial pivoting of a matrix is exact in binary floating point under any such variant;
:func:`cofactors` is the derivative of det there (MC (41)) computed without rounding.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def _fractions(X: np.ndarray) -> list[list[Fraction]]:
    return [[Fraction(float(v)) for v in row] for row in np.asarray(X, dtype=np.float64)]


def _power_of_two(x: Fraction) -> bool:
    n, d = abs(x.numerator), x.denominator
    return n > 0 and n & (n - 1) == 0 and d & (d - 1) == 0


def _dyadic_and_short(x: Fraction, bits: int = 40) -> bool:
    """``x`` is exactly representable with room to spare: a dyadic rational with a short numerator."""
    d = x.denominator
    return d & (d - 1) == 0 and abs(x.numerator).bit_length() <= bits


def det(X: np.ndarray) -> Fraction:
    """det(X) in exact rational arithmetic (Gaussian elimination over the rationals of X's float entries)."""
    A = _fractions(X)
    n = len(A)
    out = Fraction(1)
    for k in range(n):
        p = next((i for i in range(k, n) if A[i][k] != 0), None)
        if p is None:
            return Fraction(0)
        if p != k:
            A[k], A[p] = A[p], A[k]
            out = -out
        out *= A[k][k]
        for i in range(k + 1, n):
            m = A[i][k] / A[k][k]
            A[i] = [a - m * b for a, b in zip(A[i], A[k], strict=True)]
    return out


def cofactors(X: np.ndarray) -> np.ndarray:
    """The cofactor matrix adj(X)ᵀ, exactly (rounded once to float64): d det(X)/dX at every X (MC (41))."""
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    C = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(X, i, axis=0), j, axis=1)
            C[i, j] = (-1) ** (i + j) * float(det(minor)) + 0.0 if n > 1 else 1.0  # + 0.0: no -0.0
    return C


def lu_exact_on_every_path(X: np.ndarray) -> bool:
    """Whether every LU with partial pivoting of ``X`` computes the exact factorization in float64.

    True when, in exact arithmetic: the pivot of each column is unique, or tied only between identical
    rows (no tie that a kernel could break either way with different results), every nonzero pivot is a
    power of two where it has a nonzero entry below it (so a division by it, or a multiplication by its reciprocal, is exact), and every
    intermediate value is a short dyadic number (so a product, a sum and a fused multiply-add are all
    exact, in any order). A column with no nonzero candidate is a zero pivot, which LAPACK's ``getrf``
    records without dividing by it. Then every kernel (FMA or not, blocked or unblocked, left- or
    right-looking) takes the same pivots and computes the same exact numbers.
    """
    A = _fractions(X)
    n = len(A)
    if not all(_dyadic_and_short(v) for row in A for v in row):
        return False
    for k in range(n):
        col = [abs(A[i][k]) for i in range(k, n)]
        top = max(col)
        if top == 0:  # LAPACK's getrf records a zero pivot and divides by nothing
            continue
        tied = [A[k + i][k:] for i, c in enumerate(col) if c == top]
        if any(row != tied[0] for row in tied):
            return False
        if sum(c != 0 for c in col) > 1 and not _power_of_two(top):
            return False  # a multiplier a/p to compute: exact for every a only if p is a power of two
        p = k + col.index(top)
        A[k], A[p] = A[p], A[k]
        for i in range(k + 1, n):
            m = A[i][k] / A[k][k]
            A[i] = A[i][:k] + [a - m * b for a, b in zip(A[i][k:], A[k][k:], strict=True)]
            if not all(_dyadic_and_short(v) for v in A[i][k:]) or not _dyadic_and_short(m):
                return False
    return True
