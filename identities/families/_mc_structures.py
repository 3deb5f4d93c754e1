"""Preconditions used by the Matrix Cookbook (32)–(98) families: structures and joint conditions.

Kept beside the families that use them (the family loader skips modules whose name starts with ``_``).
Each builds valid members from unconstrained draws with a margin from the boundary, reports a violation
with the number that shows it, and has a ``counterexample`` (tests/test_structures.py).
"""

from __future__ import annotations

import numpy as np

from .._structures import _EPS, Joint, Structure, _build_invertible, _invertible_violation, _sym


def _negate_first_row(v: np.ndarray) -> np.ndarray:
    out = np.array(v, dtype=float, copy=True)
    out[..., 0, :] = -out[..., 0, :]
    return out


# --- square with a positive determinant (ln det X without absolute value, MC (43)) ---------------------
def _build_positive_det(v: np.ndarray) -> np.ndarray:
    x = _build_invertible(v)
    return x if np.linalg.det(x) > 0 else _negate_first_row(x)


def _positive_det_violation(v: np.ndarray, tol: float) -> str | None:
    msg = _invertible_violation(v, tol)
    if msg:
        return msg
    d = float(np.linalg.det(v))
    return None if d > 0 else f"must have a positive determinant: det = {d:.3g}"


POSITIVE_DET = Structure(
    "positive determinant",
    "must have a positive determinant",
    _build_positive_det,
    _positive_det_violation,
    min_ndim=2,
    square=True,
    counterexample=_negate_first_row,  # flips the sign of det
)


# Symmetric with a simple spectrum (MC (67)-(68)): the shared SIMPLE_SPECTRUM of identities._structures.


# --- full row rank (wide), the variable X⁺ of MC (56) ------------------------------------------------
def _build_full_row_rank(v: np.ndarray) -> np.ndarray:
    n, d = v.shape[-2:]
    return v + 3 * np.eye(n, d)


def _full_row_rank_violation(v: np.ndarray, tol: float) -> str | None:
    n, d = v.shape[-2:]
    if n > d:
        return f"must have at most as many rows as columns for full row rank, got {n}x{d}"
    s = np.linalg.svd(v, compute_uv=False)
    if s.min() <= s.max() * d * _EPS:
        return f"is rank deficient: smallest singular value = {s.min():.3g} (largest {s.max():.3g})"
    return None


def _repeat_first_row(v: np.ndarray) -> np.ndarray:
    out = np.array(v, dtype=float, copy=True)
    out[..., -1, :] = out[..., 0, :]
    return out


FULL_ROW_RANK = Structure(
    "full row rank",
    "must have full row rank",
    _build_full_row_rank,
    _full_row_rank_violation,
    min_ndim=2,
    counterexample=_repeat_first_row,
)


# --- joint: a matrix built from several arguments is invertible -----------------------------------------
def _nearly_singular(m: np.ndarray, tol: float) -> str | None:
    """Singular relative to ``tol``: smallest singular value <= tol * n * largest (a rank test, so that a
    matrix made singular on purpose is flagged although rounding leaves its smallest singular value > 0)."""
    s = np.linalg.svd(m, compute_uv=False)
    if not np.all(np.isfinite(s)) or s.min() <= max(tol, _EPS) * m.shape[-1] * s.max():
        return f"is singular: smallest singular value = {s.min():.3g} (largest {s.max():.3g})"
    return None


def invertible_shift(label: str, expr, args: tuple[str, ...], fix: str) -> Joint:
    """``expr(*args)`` is invertible, where ``fix`` enters ``expr`` additively with sign +1.

    ``build`` shifts ``fix`` so that ``expr`` becomes the diagonally dominant matrix that
    ``INVERTIBLE.build`` makes of it; ``counterexample`` shifts ``fix`` so that ``expr`` gets two equal rows.
    """

    def value(values: dict[str, np.ndarray]) -> np.ndarray:
        return np.asarray(expr(*(values[a] for a in args)), dtype=float)

    def build(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        m = value(values)
        return {**values, fix: values[fix] + (_build_invertible(m) - m)}

    def violation(values: dict[str, np.ndarray], tol: float) -> str | None:
        msg = _nearly_singular(value(values), tol)
        return None if msg is None else f"{label} {msg}"

    def counterexample(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        m = value(values)
        return {**values, fix: values[fix] + (_repeat_first_row(m) - m)}

    return Joint(f"{label} invertible", f"{label} must be invertible", args, build, violation, counterexample)


def _gram_projector(X: np.ndarray) -> np.ndarray:
    """P with XᵀP = I (X full column rank): P = X(XᵀX)⁻¹, so XᵀA X changes by D when A changes by P D Pᵀ."""
    return np.linalg.solve(X.T @ X, X.T).T


def gram_invertible(symmetric: bool) -> Joint:
    """XᵀAX is invertible (X tall, full column rank): build moves the small singular values of XᵀAX to at
    least 0.5 by adding P ΔM Pᵀ to A, which keeps A symmetric when it was; the counterexample zeroes one."""

    def fix_m(values: dict[str, np.ndarray], target) -> dict[str, np.ndarray]:
        X, A = values["X"], values["A"]
        if np.linalg.matrix_rank(X) < X.shape[1]:
            X = X + 3 * np.eye(*X.shape)
            values = {**values, "X": X}
        m = X.T @ A @ X
        u, s, vt = np.linalg.svd(m)
        dm = (u * (target(s) - s)) @ vt
        if symmetric:
            dm = _sym(dm)
        p = _gram_projector(X)
        a = A + p @ dm @ p.T
        return {**values, "A": _sym(a) if symmetric else a}

    def build(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return fix_m(values, lambda s: np.maximum(s, 0.5))

    def violation(values: dict[str, np.ndarray], tol: float) -> str | None:
        X, A = values["X"], values["A"]
        msg = _nearly_singular(X.T @ A @ X, tol)
        return None if msg is None else f"XᵀAX {msg}"

    def counterexample(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        X = np.array(values["X"], dtype=float, copy=True)
        X[:, -1] = X[:, 0]  # two equal columns: XᵀAX has two equal rows
        return {**values, "X": X}

    name = "XᵀAX invertible" + (" (A symmetric)" if symmetric else "")
    return Joint(name, "XᵀAX must be invertible", ("X", "A"), build, violation, counterexample)


# --- square with distinct (possibly complex) eigenvalues: where JAX's eig derivative is finite ----------
def _eig_gap(v: np.ndarray) -> float:
    lam = np.linalg.eigvals(v)
    if lam.size < 2:
        return np.inf
    d = np.abs(lam[:, None] - lam[None, :])
    return float(np.min(d[~np.eye(lam.size, dtype=bool)]))


def _build_distinct_eigs(v: np.ndarray) -> np.ndarray:
    # keep a generic draw (complex pairs included); separate a degenerate one by diagonal shifts of
    # 100·k away from 0, which keep |diagonal| growing (so diagonal dominance survives) and make the
    # Gershgorin discs (radius <= 2(n-1) + small) disjoint
    scale = max(float(np.max(np.abs(v))) if v.size else 0.0, 1.0)
    if _eig_gap(v) >= 0.1 * scale:
        return v
    d = np.diagonal(v)
    s = np.where(d >= 0, 1.0, -1.0)
    return v + np.diag(100.0 * np.arange(v.shape[-1]) * s)


def _distinct_eigs_violation(v: np.ndarray, tol: float) -> str | None:
    gap = _eig_gap(v)
    scale = max(float(np.max(np.abs(v))) if v.size else 0.0, 1e-300)
    return None if gap > max(tol, 1e3 * _EPS) * scale else f"has a repeated eigenvalue: smallest gap = {gap:.3g}"


DISTINCT_EIGENVALUES = Structure(
    "distinct eigenvalues",
    "must have distinct eigenvalues",
    _build_distinct_eigs,
    _distinct_eigs_violation,
    min_ndim=2,
    square=True,
    counterexample=np.zeros_like,  # eigenvalue 0, repeated
)
