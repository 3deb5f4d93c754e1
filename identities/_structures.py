"""Preconditions as data: each structure builds valid members, checks values, and projects tangents.

A structure turns an unconstrained draw (any float array of the right shape) into a member of the set it
names (``build``), so that tests construct valid inputs instead of filtering; says what is wrong with a
given value, with the number that shows it (``violation``); and maps an arbitrary direction into the
set's tangent space (``tangent``), which the directional and finite-difference checks use so that a
symmetric ``X`` is only ever perturbed symmetrically. ``counterexample`` turns a valid member into a
nearby value that violates the structure (``None`` where no value of that shape can, such as a 1×1
matrix for "symmetric"), so that tests can prove every declared precondition is enforced.

Builders keep a margin from the boundary (norms at least 0.5, eigenvalues at least 1, distance at least
0.5 from excluded points) so that finite differences with steps near 1e-5 never leave the set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

_EPS = float(np.finfo(np.float64).eps)


def _ident(v: np.ndarray) -> np.ndarray:
    return v


def _sym(v: np.ndarray) -> np.ndarray:
    return (v + np.swapaxes(v, -1, -2)) / 2


@dataclass(frozen=True)
class Structure:
    """A precondition on one argument: how to build a member, check a value, and project a tangent."""

    name: str
    description: str  # "must be symmetric": reads after the argument's name
    build: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    violation: Callable[[np.ndarray, float], str | None] = field(repr=False)
    tangent: Callable[[np.ndarray], np.ndarray] = field(default=_ident, repr=False)
    min_ndim: int = 0
    square: bool = False
    # valid member -> a value of the same shape that violates the structure, or None if none exists;
    # every structure but ANY must give one (tests/test_structures.py)
    counterexample: Callable[[np.ndarray], np.ndarray | None] | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return self.name

    def check_shape(self, shape: tuple[int, ...]) -> str | None:
        """A message when the shape cannot carry this structure (e.g. non-square for symmetric)."""
        if len(shape) < self.min_ndim:
            return f"must have at least {self.min_ndim} axes to be {self.name}, got shape {shape}"
        if self.square and (len(shape) < 2 or shape[-1] != shape[-2]):
            return f"must be square to be {self.name}, got shape {shape}"
        return None


def _scale(a: np.ndarray) -> float:
    return float(np.max(np.abs(a))) if a.size else 0.0


def _norm2(a: np.ndarray) -> float:
    """‖a‖₂ computed on a/max|aᵢ|: no underflow to 0 at 1e-170, no overflow to inf at 1e170."""
    m = _scale(np.asarray(a, dtype=float))
    return m * float(np.linalg.norm(np.asarray(a, dtype=float) / m)) if m > 0 else 0.0


def _set_first(v: np.ndarray, value: float) -> np.ndarray:
    out = np.array(v, dtype=float, copy=True)
    out.flat[0] = value
    return out


def _add_off_diagonal(v: np.ndarray) -> np.ndarray | None:
    if v.shape[-1] < 2:
        return None
    out = np.array(v, dtype=float, copy=True)
    out[..., 0, 1] += 1.0 + _scale(v)
    return out


def _repeat_first_row(v: np.ndarray) -> np.ndarray:
    out = np.array(v, dtype=np.result_type(v, float), copy=True)  # complex stays complex
    if v.shape[-2] < 2:
        return np.zeros_like(out)
    out[..., -1, :] = out[..., 0, :]
    return out


def _repeat_first_column(v: np.ndarray) -> np.ndarray:
    out = np.array(v, dtype=float, copy=True)
    if v.shape[-1] < 2:
        return np.zeros_like(out)
    out[..., :, -1] = out[..., :, 0]
    return out


# --- any -----------------------------------------------------------------------------------------------
ANY = Structure("any", "may be any real array", _ident, lambda v, tol: None)


# --- nonzero -------------------------------------------------------------------------------------------
def _build_nonzero(v: np.ndarray) -> np.ndarray:
    if np.linalg.norm(v) >= 0.5:
        return v
    e = np.zeros_like(v)
    e.flat[0] = 1.0
    return v + e  # ||v|| < 0.5 so ||v + e|| > 0.5


def _nonzero_violation(v: np.ndarray, tol: float) -> str | None:
    n = _norm2(v)
    return None if n > 0 else f"is zero (norm = {n:g}); the derivative does not exist there"


NONZERO = Structure("nonzero", "must be nonzero", _build_nonzero, _nonzero_violation, counterexample=np.zeros_like)


# --- positive (elementwise) ----------------------------------------------------------------------------
def _positive_violation(v: np.ndarray, tol: float) -> str | None:
    m = float(np.min(v)) if v.size else 1.0
    return None if m > 0 else f"must be positive: min entry = {m:g}"


POSITIVE = Structure(
    "positive",
    "must be positive (elementwise)",
    lambda v: np.abs(v) + 0.5,
    _positive_violation,
    counterexample=lambda v: _set_first(v, -1.0),
)


# --- away from a point ---------------------------------------------------------------------------------
def away_from(point: float, margin: float = 0.5) -> Structure:
    """Scalars (or entries) that keep a distance from ``point``, e.g. ``x != -1`` for x²/(1+x)."""

    def build(v: np.ndarray) -> np.ndarray:
        d = v - point
        return np.where(np.abs(d) >= margin, v, v + np.where(d >= 0, margin, -margin))

    def violation(v: np.ndarray, tol: float) -> str | None:
        d = float(np.min(np.abs(v - point))) if v.size else 1.0
        return None if d > 0 else f"must differ from {point:g} (distance {d:g})"

    return Structure(
        f"≠{point:g}", f"must differ from {point:g}", build, violation, counterexample=lambda v: _set_first(v, point)
    )


# --- integer-valued ------------------------------------------------------------------------------------
def _integer_violation(v: np.ndarray, tol: float) -> str | None:
    d = float(np.max(np.abs(v - np.round(v)))) if v.size else 0.0
    return None if d == 0 else f"must be integer-valued: max distance to an integer = {d:g}"


INTEGER = Structure(
    "integer",
    "must be integer-valued",
    lambda v: np.round(2 * v),
    _integer_violation,
    counterexample=lambda v: _set_first(v, float(np.asarray(v).flat[0]) + 0.5),
)


# --- symmetric -----------------------------------------------------------------------------------------
def _symmetric_violation(v: np.ndarray, tol: float) -> str | None:
    d = _scale(v - np.swapaxes(v, -1, -2))
    return None if d <= tol * max(_scale(v), 1e-300) else f"is not symmetric: max |W - W^T| = {d:.3g}"


SYMMETRIC = Structure(
    "symmetric",
    "must be symmetric",
    _sym,
    _symmetric_violation,
    tangent=_sym,
    min_ndim=2,
    square=True,
    counterexample=_add_off_diagonal,
)


# --- symmetric positive definite -----------------------------------------------------------------------
def _build_spd(v: np.ndarray) -> np.ndarray:
    n = v.shape[-1]
    return v @ np.swapaxes(v, -1, -2) / n + np.eye(n)


def _spd_violation(v: np.ndarray, tol: float) -> str | None:
    sym = _symmetric_violation(v, tol)
    if sym:
        return sym
    lam = np.linalg.eigvalsh(_sym(v))
    if lam.min() <= 0:
        return f"is not positive definite: smallest eigenvalue = {lam.min():.3g}"
    return None


SPD = Structure(
    "spd",
    "must be symmetric positive definite",
    _build_spd,
    _spd_violation,
    tangent=_sym,
    min_ndim=2,
    square=True,
    counterexample=lambda v: -np.asarray(v, dtype=float),  # symmetric negative definite
)


# --- invertible ----------------------------------------------------------------------------------------
def _build_invertible(v: np.ndarray) -> np.ndarray:
    # Strictly diagonally dominant (so invertible, with a bounded condition number); the sign of each
    # diagonal entry follows the draw, so det takes both signs.
    n = v.shape[-1]
    rowsum = np.sum(np.abs(v), axis=-1)
    sign = np.where(np.diagonal(v, axis1=-2, axis2=-1) >= 0, 1.0, -1.0)
    return v + (sign * (rowsum + 1.0))[..., None] * np.eye(n)


def _invertible_violation(v: np.ndarray, tol: float) -> str | None:
    c = float(np.linalg.cond(v))
    if not np.isfinite(c) or c >= 1 / _EPS:
        return f"is singular to working precision: cond = {c:.3g}"
    return None


INVERTIBLE = Structure(
    "invertible",
    "must be invertible",
    _build_invertible,
    _invertible_violation,
    min_ndim=2,
    square=True,
    counterexample=_repeat_first_row,
)


# --- orthogonal ----------------------------------------------------------------------------------------
def _build_orthogonal(v: np.ndarray) -> np.ndarray:
    n = v.shape[-1]
    q, r = np.linalg.qr(v + 3 * np.eye(n))
    return q * np.sign(np.diagonal(r))[None, :]


def _orthogonal_violation(v: np.ndarray, tol: float) -> str | None:
    d = _scale(v.T @ v - np.eye(v.shape[-1]))
    return None if d <= max(tol, 1e-10) else f"is not orthogonal: max |Q^T Q - I| = {d:.3g}"


ORTHOGONAL = Structure(
    "orthogonal",
    "must be orthogonal",
    _build_orthogonal,
    _orthogonal_violation,
    min_ndim=2,
    square=True,
    counterexample=lambda v: 2 * np.asarray(v, dtype=float),
)


# --- diagonal ------------------------------------------------------------------------------------------
def _diag_only(v: np.ndarray) -> np.ndarray:
    return v * np.eye(v.shape[-1])


def _diagonal_violation(v: np.ndarray, tol: float) -> str | None:
    d = _scale(v - _diag_only(v))
    return None if d == 0 else f"is not diagonal: max off-diagonal |entry| = {d:.3g}"


DIAGONAL = Structure(
    "diagonal",
    "must be diagonal",
    _diag_only,
    _diagonal_violation,
    tangent=_diag_only,
    min_ndim=2,
    square=True,
    counterexample=_add_off_diagonal,
)


# --- full column rank (tall) ---------------------------------------------------------------------------
def _build_full_column_rank(v: np.ndarray) -> np.ndarray:
    n, d = v.shape[-2:]
    return v + 3 * np.eye(n, d)


def _full_column_rank_violation(v: np.ndarray, tol: float) -> str | None:
    n, d = v.shape[-2:]
    if n < d:
        return f"must have at least as many rows as columns for full column rank, got {n}x{d}"
    s = np.linalg.svd(v, compute_uv=False)
    if s.min() <= s.max() * d * _EPS:
        return f"is rank deficient: smallest singular value = {s.min():.3g} (largest {s.max():.3g})"
    return None


FULL_COLUMN_RANK = Structure(
    "full column rank",
    "must have full column rank",
    _build_full_column_rank,
    _full_column_rank_violation,
    min_ndim=2,
    counterexample=_repeat_first_column,
)


# --- one-hot rows (k-means responsibilities) -----------------------------------------------------------
def _build_onehot(v: np.ndarray) -> np.ndarray:
    n, k = v.shape
    idx = np.argmax(v, axis=1)
    idx[: min(n, k)] = np.arange(min(n, k))  # every cluster gets at least one point when n >= k
    return np.eye(k)[idx]


def _onehot_violation(v: np.ndarray, tol: float) -> str | None:
    if not np.all((v == 0) | (v == 1)):
        return "must hold only 0 and 1 (hard assignments)"
    bad = np.flatnonzero(v.sum(axis=1) != 1)
    if bad.size:
        return f"must have exactly one 1 per row: row {int(bad[0])} has {int(v[bad[0]].sum())}"
    empty = np.flatnonzero(v.sum(axis=0) == 0)
    if empty.size:
        return f"leaves cluster {int(empty[0])} empty (its centroid is undefined)"
    return None


ONEHOT = Structure(
    "one-hot rows",
    "must have one-hot rows with no empty column",
    _build_onehot,
    _onehot_violation,
    min_ndim=2,
    counterexample=lambda v: _set_first(np.ones_like(v), 1.0),  # rows of all ones
)


# --- simple spectrum (symmetric, distinct eigenvalues) -------------------------------------------------
def _build_simple_spectrum(v: np.ndarray) -> np.ndarray:
    # symmetric part, then eigenvalues pushed apart: the i-th smallest gains i, so every gap is >= 1
    d, q = np.linalg.eigh(_sym(v))
    d = d + np.arange(d.shape[-1], dtype=float)
    return _sym((q * d) @ q.T)


def _simple_spectrum_violation(v: np.ndarray, tol: float) -> str | None:
    sym = _symmetric_violation(v, tol)
    if sym:
        return sym
    d = np.linalg.eigvalsh(_sym(v))
    if d.size < 2:
        return None
    gap = float(np.min(np.diff(d)))
    if gap <= tol * max(float(np.max(np.abs(d))), 1e-300):
        return f"has a repeated eigenvalue: smallest gap between eigenvalues = {gap:.3g}"
    return None


def _repeat_an_eigenvalue(v: np.ndarray) -> np.ndarray | None:
    if v.shape[-1] < 2:
        return None
    d, q = np.linalg.eigh(_sym(v))
    d[1] = d[0]
    return _sym((q * d) @ q.T)


SIMPLE_SPECTRUM = Structure(
    "simple spectrum",
    "must be symmetric with distinct eigenvalues",
    _build_simple_spectrum,
    _simple_spectrum_violation,
    tangent=_sym,
    min_ndim=2,
    square=True,
    counterexample=_repeat_an_eigenvalue,
)


# --- distinct positive singular values -----------------------------------------------------------------
def _build_distinct_singular(v: np.ndarray) -> np.ndarray:
    # singular values (descending) pushed apart and away from 0: gaps >= 1, smallest >= 0.5
    u, s, vh = np.linalg.svd(v, full_matrices=False)
    k = s.shape[-1]
    s = s + np.arange(k - 1, -1, -1, dtype=float) + 0.5
    return (u * s) @ vh


def _distinct_singular_violation(v: np.ndarray, tol: float) -> str | None:
    s = np.linalg.svd(v, compute_uv=False)
    top = max(float(s[0]), 1e-300)
    if float(s[-1]) <= tol * top:
        return f"has a zero singular value: smallest = {float(s[-1]):.3g}"
    if s.size >= 2:
        gap = float(np.min(-np.diff(s)))
        if gap <= tol * top:
            return f"has a repeated singular value: smallest gap = {gap:.3g}"
    return None


def _repeat_a_singular_value(v: np.ndarray) -> np.ndarray:
    u, s, vh = np.linalg.svd(v, full_matrices=False)
    if s.size >= 2:
        s[1] = s[0]
    else:
        s[0] = 0.0
    return (u * s) @ vh


DISTINCT_SINGULAR = Structure(
    "distinct singular values",
    "must have distinct, nonzero singular values",
    _build_distinct_singular,
    _distinct_singular_violation,
    min_ndim=2,
    counterexample=_repeat_a_singular_value,
)


@dataclass(frozen=True)
class Joint:
    """A precondition tying several arguments together, e.g. ``x + a != 0`` for d||x + a||/dx."""

    name: str
    description: str
    args: tuple[str, ...]
    build: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]] = field(repr=False)
    violation: Callable[[dict[str, np.ndarray], float], str | None] = field(repr=False)
    # valid values -> values that violate the joint condition (required, as for Structure)
    counterexample: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray] | None] | None = field(
        default=None, repr=False
    )

    def __str__(self) -> str:
        return self.name


def nonzero_combination(label: str, expr: Callable[..., np.ndarray], args: tuple[str, ...], fix: str) -> Joint:
    """``expr(*args) != 0`` (a vector), kept at norm >= 0.5 by shifting ``fix``, which enters with sign +1."""

    def build(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        v = expr(*(values[a] for a in args))
        if np.linalg.norm(v) >= 0.5:
            return values
        e = np.zeros_like(values[fix])
        e.flat[0] = 1.0
        return {**values, fix: values[fix] + e}

    def violation(values: dict[str, np.ndarray], tol: float) -> str | None:
        # zero up to rounding in the sum: relative to the size of the arguments
        n = _norm2(expr(*(values[a] for a in args)))
        scale = max(_norm2(values[a]) for a in args)
        if n > tol * scale:
            return None
        return f"{label} is zero (norm {n:.3g}); the derivative does not exist there"

    def counterexample(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        # expr is fix + (terms without fix), so shifting fix by -expr makes it vanish
        return {**values, fix: values[fix] - expr(*(values[a] for a in args))}

    return Joint(f"{label} ≠ 0", f"{label} must be nonzero", args, build, violation, counterexample)


ALL: tuple[Structure, ...] = (
    ANY,
    NONZERO,
    POSITIVE,
    INTEGER,
    SYMMETRIC,
    SPD,
    INVERTIBLE,
    ORTHOGONAL,
    DIAGONAL,
    FULL_COLUMN_RANK,
    ONEHOT,
    SIMPLE_SPECTRUM,
    DISTINCT_SINGULAR,
)


# --- Toeplitz (constant along each diagonal) ----------------------------------------------------------------
def _diagonal_index(n: int) -> np.ndarray:
    """(n, n) array of diagonal offsets j - i."""
    return np.arange(n)[None, :] - np.arange(n)[:, None]


def diagonal_sums(v: np.ndarray) -> np.ndarray:
    """Sums of the 2n-1 diagonals of the trailing n×n axes, offsets -(n-1) … n-1, shape (..., 2n-1)."""
    # one trace per offset: O(n²) work and memory (a one-hot (n, n, 2n-1) tensor took 17 GB at n = 1024 and
    # got the scaling benchmark killed for memory)
    n = v.shape[-1]
    sums = [np.trace(v, offset=k, axis1=-2, axis2=-1) for k in range(-(n - 1), n)]
    return np.moveaxis(np.asarray(sums, dtype=np.result_type(v, float)), 0, -1)


def from_diagonals(d: np.ndarray, n: int) -> np.ndarray:
    """The Toeplitz matrix whose diagonal of offset k holds d[..., k + n - 1]."""
    return d[..., _diagonal_index(n) + n - 1]


def _toeplitz_project(v: np.ndarray) -> np.ndarray:
    # orthogonal projection onto Toeplitz matrices: each diagonal replaced by its mean
    n = v.shape[-1]
    counts = n - np.abs(np.arange(-(n - 1), n))
    return from_diagonals(diagonal_sums(v) / counts, n)


def _toeplitz_violation(v: np.ndarray, tol: float) -> str | None:
    d = _scale(v - _toeplitz_project(v))
    return (
        None
        if d <= tol * max(_scale(v), 1e-300)
        else f"is not Toeplitz: max deviation from its diagonal means = {d:.3g}"
    )


def _break_toeplitz(v: np.ndarray) -> np.ndarray | None:
    if v.shape[-1] < 2:
        return None
    out = np.array(v, dtype=float, copy=True)
    out[..., 1, 1] += 1.0 + _scale(v)  # the main diagonal is no longer constant
    return out


TOEPLITZ = Structure(
    "toeplitz",
    "must be Toeplitz (constant along each diagonal)",
    _toeplitz_project,
    _toeplitz_violation,
    tangent=_toeplitz_project,
    min_ndim=2,
    square=True,
    counterexample=_break_toeplitz,
)


def _sym_toeplitz_project(v: np.ndarray) -> np.ndarray:
    return _toeplitz_project(_sym(v))


def _sym_toeplitz_violation(v: np.ndarray, tol: float) -> str | None:
    return _symmetric_violation(v, tol) or _toeplitz_violation(v, tol)


SYM_TOEPLITZ = Structure(
    "symmetric toeplitz",
    "must be symmetric Toeplitz",
    _sym_toeplitz_project,
    _sym_toeplitz_violation,
    tangent=_sym_toeplitz_project,
    min_ndim=2,
    square=True,
    counterexample=_break_toeplitz,
)


# --- positive real: symmetric part positive definite (xᵀAx > 0), not necessarily symmetric ---------------------
def _build_positive_real(v: np.ndarray) -> np.ndarray:
    n = v.shape[-1]
    return (v - np.swapaxes(v, -1, -2)) / 2 + v @ np.swapaxes(v, -1, -2) / n + np.eye(n)


def _positive_real_violation(v: np.ndarray, tol: float) -> str | None:
    lam = np.linalg.eigvalsh(_sym(v))
    return (
        None
        if lam.min() > 0
        else f"has a symmetric part that is not positive definite: smallest eigenvalue {lam.min():.3g}"
    )


POSITIVE_REAL = Structure(
    "positive real",
    "must have a positive definite symmetric part (xᵀAx > 0 for x ≠ 0)",
    _build_positive_real,
    _positive_real_violation,
    min_ndim=2,
    square=True,
    counterexample=lambda v: -np.asarray(v, dtype=float),
)


# --- diagonalizable with real, separated eigenvalues ----------------------------------------------------------
def _build_diagonalizable(v: np.ndarray) -> np.ndarray:
    # X = B D B⁻¹ with B = I + a quarter of a unit-norm draw (cond(B) <= 5/3) and eigenvalues at least 0.5 apart
    n = v.shape[-1]
    b = np.eye(n) + 0.25 * v / max(float(np.linalg.norm(v, 2)), 1e-300)
    d = 0.5 * np.arange(n) - 0.25 * (n - 1) + 0.2 * np.tanh(np.diagonal(v))
    return (b * d) @ np.linalg.inv(b)


def _diagonalizable_violation(v: np.ndarray, tol: float) -> str | None:
    w, b = np.linalg.eig(v)
    c = float(np.linalg.cond(b))
    if not np.isfinite(c) or c > 1e8:
        return f"is not (well) diagonalizable: condition number of its eigenvector matrix = {c:.3g}"
    if float(np.max(np.abs(w.imag), initial=0.0)) > 0:
        return f"has complex eigenvalues (max |imaginary part| = {float(np.max(np.abs(w.imag))):.3g})"
    return None


def _jordan(v: np.ndarray) -> np.ndarray | None:
    n = v.shape[-1]
    if n < 2:
        return None
    return np.eye(n) + np.eye(n, k=1)  # a Jordan block: one eigenvalue, one eigenvector


DIAGONALIZABLE = Structure(
    "diagonalizable",
    "must be diagonalizable with real eigenvalues",
    _build_diagonalizable,
    _diagonalizable_violation,
    min_ndim=2,
    square=True,
    counterexample=_jordan,
)


def invertible_combination(label: str, expr: Callable[..., np.ndarray], args: tuple[str, ...], fix: str) -> Joint:
    """``expr(*args)`` (a square matrix in which ``fix`` enters with coefficient +1) is invertible; ``build``
    makes it strictly diagonally dominant by shifting ``fix``'s diagonal."""

    def build(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        u = expr(*(values[a] for a in args))
        n = u.shape[-1]
        sign = np.where(np.diagonal(u) >= 0, 1.0, -1.0)
        return {**values, fix: values[fix] + (sign * (np.sum(np.abs(u), axis=-1) + 1.0)) * np.eye(n)}

    def violation(values: dict[str, np.ndarray], tol: float) -> str | None:
        # singular up to the rounding of the sum: the smallest singular value against the size of the terms
        s = np.linalg.svd(expr(*(values[a] for a in args)), compute_uv=False)
        scale = max(max(_scale(np.asarray(values[a])) for a in args), float(s.max()), 1e-300)
        if s.min() > 64 * s.size * _EPS * scale:
            return None
        return f"{label} is singular to working precision: smallest singular value {s.min():.3g} (scale {scale:.3g})"

    def counterexample(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {**values, fix: values[fix] - expr(*(values[a] for a in args))}  # expr becomes 0

    return Joint(f"{label} invertible", f"{label} must be invertible", args, build, violation, counterexample)


# --- SPD with a simple spectrum (eigenvalues apart): where JAX can differentiate eigh ------------------------
def _build_spd_simple(v: np.ndarray) -> np.ndarray:
    n = v.shape[-1]
    q, r = np.linalg.qr(v + 3 * np.eye(n))
    q = q * np.where(np.diagonal(r) >= 0, 1.0, -1.0)[None, :]
    lam = 1.0 + 0.5 * np.arange(n) + 0.2 * np.tanh(np.diagonal(v))  # gaps at least 0.1
    return (q * lam) @ q.T


def _spd_simple_violation(v: np.ndarray, tol: float) -> str | None:
    bad = _spd_violation(v, tol)
    if bad:
        return bad
    lam = np.linalg.eigvalsh(_sym(v))
    gap = float(np.min(np.diff(lam))) if lam.size > 1 else np.inf
    if gap <= 1e-8 * max(float(lam.max()), 1e-300):
        return f"has a repeated eigenvalue: smallest gap {gap:.3g}"
    return None


SPD_SIMPLE = Structure(
    "spd, simple spectrum",
    "must be symmetric positive definite with distinct eigenvalues",
    _build_spd_simple,
    _spd_simple_violation,
    tangent=_sym,
    min_ndim=2,
    square=True,
    counterexample=lambda v: np.eye(v.shape[-1]) if v.shape[-1] > 1 else -np.asarray(v, dtype=float),
)


# --- complex structures ------------------------------------------------------------------------------------
# Arguments declared complex (Identity.dtypes) are drawn as x + iy from two real draws and built by these.
# Their tangent is the identity: a complex identity's derivative is the unstructured Wirtinger pair of f's
# natural extension (log|det X| for log det of an HPD X), so the structure constrains where f is evaluated,
# not the directions it is differentiated along (the "full" convention of the real structures).
def _herm(v: np.ndarray) -> np.ndarray:
    return (v + np.conj(np.swapaxes(v, -1, -2))) / 2


def _hermitian_violation(v: np.ndarray, tol: float) -> str | None:
    d = _scale(v - np.conj(np.swapaxes(v, -1, -2)))
    return None if d <= tol * max(_scale(v), 1e-300) else f"is not Hermitian: max |W - W^H| = {d:.3g}"


def _break_hermitian(v: np.ndarray) -> np.ndarray | None:
    out = np.array(v, dtype=complex, copy=True)
    out[..., 0, 0] += 1j * (1.0 + _scale(v))  # a Hermitian matrix has a real diagonal (also for 1×1)
    return out


COMPLEX = Structure("complex", "may be any complex array", _ident, lambda v, tol: None)

HERMITIAN = Structure(
    "hermitian",
    "must be Hermitian (W = Wᴴ)",
    _herm,
    _hermitian_violation,
    min_ndim=2,
    square=True,
    counterexample=_break_hermitian,
)


def _build_hpd(v: np.ndarray) -> np.ndarray:
    n = v.shape[-1]
    return _herm(v @ np.conj(np.swapaxes(v, -1, -2)) / n + np.eye(n))


def _hpd_violation(v: np.ndarray, tol: float) -> str | None:
    bad = _hermitian_violation(v, tol)
    if bad:
        return bad
    lam = np.linalg.eigvalsh(_herm(v))
    return None if lam.min() > 0 else f"is not positive definite: smallest eigenvalue = {lam.min():.3g}"


HPD = Structure(
    "hpd",
    "must be Hermitian positive definite",
    _build_hpd,
    _hpd_violation,
    min_ndim=2,
    square=True,
    counterexample=lambda v: -np.asarray(v, dtype=complex),  # Hermitian negative definite
)


def _build_unitary(v: np.ndarray) -> np.ndarray:
    n = v.shape[-1]
    q, r = np.linalg.qr(v + 3 * np.eye(n))
    d = np.diagonal(r)
    return q * (d / np.abs(d))[None, :]  # unique: R with a positive real diagonal


def _unitary_violation(v: np.ndarray, tol: float) -> str | None:
    d = _scale(np.conj(v.T) @ v - np.eye(v.shape[-1]))
    return None if d <= max(tol, 1e-10) else f"is not unitary: max |U^H U - I| = {d:.3g}"


UNITARY = Structure(
    "unitary",
    "must be unitary (UᴴU = I)",
    _build_unitary,
    _unitary_violation,
    min_ndim=2,
    square=True,
    counterexample=lambda v: 2 * np.asarray(v, dtype=complex),
)


def _build_complex_invertible(v: np.ndarray) -> np.ndarray:
    # strictly diagonally dominant, as INVERTIBLE, with the diagonal's phase following the draw
    n = v.shape[-1]
    rowsum = np.sum(np.abs(v), axis=-1)
    d = np.diagonal(v, axis1=-2, axis2=-1)
    phase = np.where(np.abs(d) > 0, d / np.where(np.abs(d) > 0, np.abs(d), 1.0), 1.0)
    return v + (phase * (rowsum + 1.0))[..., None] * np.eye(n)


COMPLEX_INVERTIBLE = Structure(
    "invertible (complex)",
    "must be invertible",
    _build_complex_invertible,
    _invertible_violation,
    min_ndim=2,
    square=True,
    counterexample=_repeat_first_row,
)


def _complex_nonzero_build(v: np.ndarray) -> np.ndarray:
    return v if np.linalg.norm(v) >= 0.5 else v + (np.arange(v.size) == 0).reshape(v.shape)


COMPLEX_NONZERO = Structure(
    "nonzero (complex)",
    "must be nonzero",
    _complex_nonzero_build,
    lambda v, tol: (
        None if float(np.max(np.abs(v), initial=0.0)) > 0 else "is zero; the derivative does not exist there"
    ),
    counterexample=np.zeros_like,
)


def _entrywise_away_from_zero(v: np.ndarray) -> np.ndarray:
    # every entry at modulus >= 0.5 (|z| and the phase are smooth away from 0)
    m = np.abs(v)
    return np.where(m >= 0.5, v, v + 0.5 * np.where(m > 0, v / np.where(m > 0, m, 1.0), 1.0))


COMPLEX_ENTRIES_NONZERO = Structure(
    "entries nonzero (complex)",
    "must have no zero entry",
    _entrywise_away_from_zero,
    lambda v, tol: (
        None if float(np.min(np.abs(v), initial=1.0)) > 0 else "has a zero entry (|z| is not differentiable there)"
    ),
    counterexample=lambda v: np.where(np.arange(v.size).reshape(v.shape) == 0, 0, v),
)


def _off_branch_cut(v: np.ndarray) -> np.ndarray:
    # entries at modulus >= 0.5 and at least 0.25 away from the negative real axis (the principal branch
    # cut of log, sqrt and the phase)
    v = _entrywise_away_from_zero(v)
    near = (v.real < 0) & (np.abs(v.imag) < 0.25)
    return np.where(near, -v, v)


def _branch_cut_violation(v: np.ndarray, tol: float) -> str | None:
    on = (v.real <= 0) & (v.imag == 0)
    if np.any(on):
        return "has an entry on the branch cut (the non-positive real axis): log, sqrt and the phase jump there"
    return None


OFF_BRANCH_CUT = Structure(
    "off the branch cut",
    "must have no entry on the non-positive real axis",
    _off_branch_cut,
    _branch_cut_violation,
    counterexample=lambda v: np.where(np.arange(v.size).reshape(v.shape) == 0, -1.0 + 0j, v),
)


def _repeat_first_column_keep_dtype(v: np.ndarray) -> np.ndarray:
    out = np.array(v, copy=True)
    if v.shape[-1] < 2:
        return np.zeros_like(out)
    out[..., :, -1] = out[..., :, 0]
    return out


COMPLEX_FULL_COLUMN_RANK = Structure(
    "full column rank (complex)",
    "must have full column rank",
    _build_full_column_rank,
    _full_column_rank_violation,
    min_ndim=2,
    counterexample=_repeat_first_column_keep_dtype,
)

COMPLEX_STRUCTURES: tuple[Structure, ...] = (
    COMPLEX,
    HERMITIAN,
    HPD,
    UNITARY,
    COMPLEX_INVERTIBLE,
    COMPLEX_NONZERO,
    COMPLEX_ENTRIES_NONZERO,
    OFF_BRANCH_CUT,
    COMPLEX_FULL_COLUMN_RANK,
)


# --- decompositions (issue 13): QR of wide matrices, LU pivots, triangular solves, fixed rank -------------------
def _build_leading_block(v: np.ndarray) -> np.ndarray:
    # the leading m×m block made strictly diagonally dominant (by rows), as INVERTIBLE builds a square matrix
    m = v.shape[-2]
    out = np.array(v, dtype=float, copy=True)
    out[..., :, :m] = _build_invertible(out[..., :, :m])
    return out


def _leading_block_violation(v: np.ndarray, tol: float) -> str | None:
    m, n = v.shape[-2:]
    if m > n:
        return f"must have at most as many rows as columns, got {m}x{n}"
    s = np.linalg.svd(v[..., :, :m], compute_uv=False)
    if s.min() <= s.max() * m * _EPS:
        return (
            f"has linearly dependent leading {m} columns: smallest singular value {s.min():.3g} (largest {s.max():.3g})"
        )
    return None


LEADING_BLOCK_INVERTIBLE = Structure(
    "wide, leading block invertible",
    "must be wide (m <= n) with linearly independent leading m columns",
    _build_leading_block,
    _leading_block_violation,
    min_ndim=2,
    counterexample=lambda v: _repeat_first_row(v) if v.shape[-2] > 1 else np.zeros_like(v, dtype=float),
)


def _build_nonzero_diagonal(v: np.ndarray) -> np.ndarray:
    # the INVERTIBLE builder: |T_ii| exceeds its row's other entries by at least 1, so either triangle of the
    # result is well conditioned
    return _build_invertible(v)


def _nonzero_diagonal_violation(v: np.ndarray, tol: float) -> str | None:
    d = np.abs(np.diagonal(v, axis1=-2, axis2=-1))
    k = int(np.argmin(d))
    if d[k] <= max(tol, _EPS) * max(_scale(v), 1e-300):
        return (
            f"has a zero on the diagonal: entry ({k}, {k}) = {float(np.diagonal(v)[k]):.3g}; its triangle is singular"
        )
    return None


def _zero_first_diagonal(v: np.ndarray) -> np.ndarray:
    out = np.array(v, dtype=float, copy=True)
    out[..., 0, 0] = 0.0
    return out


NONZERO_DIAGONAL = Structure(
    "nonzero diagonal",
    "must have a nonzero diagonal (its triangle must be invertible)",
    _build_nonzero_diagonal,
    _nonzero_diagonal_violation,
    min_ndim=2,
    square=True,
    counterexample=_zero_first_diagonal,
)


def partial_pivoting_gaps(a: np.ndarray) -> tuple[list[float], list[float]]:
    """Gaussian elimination with partial pivoting, in numpy: per step k, the chosen |pivot| and the gap to
    the next largest candidate |S_ik| of the Schur complement (inf for the last step)."""
    s = np.array(a, dtype=float, copy=True)
    n = s.shape[-1]
    pivots, gaps = [], []
    for k in range(n):
        col = np.abs(s[k:, k])
        order = np.argsort(-col, kind="stable")
        pivots.append(float(col[order[0]]))
        gaps.append(float(col[order[0]] - col[order[1]]) if col.size > 1 else np.inf)
        p = k + int(order[0])
        s[[k, p]] = s[[p, k]]
        if s[k, k] != 0:
            s[k + 1 :, k:] -= np.outer(s[k + 1 :, k] / s[k, k], s[k, k:])
    return pivots, gaps


def _build_clear_pivots(v: np.ndarray) -> np.ndarray:
    # a column diagonally dominant matrix (|d_jj| > Σ_{i≠j} |d_ij| + 1) needs no row exchange, and its Schur
    # complements stay column diagonally dominant; its rows are then shuffled by a permutation read from the
    # draw, so the pivot order is that permutation, with every pivot clear of its rivals
    n = v.shape[-1]
    colsum = np.sum(np.abs(v), axis=-2)
    sign = np.where(np.diagonal(v) >= 0, 1.0, -1.0)
    d = v + np.eye(n) * (sign * (colsum + 1.0))
    perm = np.argsort(v[..., 0], kind="stable")
    return d[perm]


def _clear_pivots_violation(v: np.ndarray, tol: float) -> str | None:
    pivots, gaps = partial_pivoting_gaps(v)
    top = max(_scale(v), 1e-300)
    for k, (p, g) in enumerate(zip(pivots, gaps, strict=True)):
        if p <= max(tol, 1e3 * _EPS) * top:
            return f"is singular: the pivot of step {k} is {p:.3g}"
        if g <= max(tol, 1e3 * _EPS) * top:
            return f"has a pivot tie at step {k}: two candidates of size {p:.6g} (gap {g:.3g}); the permutation is not locally constant"
    return None


def _tie_first_pivot(v: np.ndarray) -> np.ndarray | None:
    if v.shape[-1] < 2:
        return None
    out = np.array(v, dtype=float, copy=True)
    k = int(np.argmax(np.abs(out[:, 0])))
    j = (k + 1) % out.shape[0]
    out[j, 0] = out[k, 0]  # two rows with the same largest |entry| in the first column
    return out


CLEAR_PIVOTS = Structure(
    "invertible, clear pivots",
    "must be invertible with no tie between pivot candidates in Gaussian elimination with partial pivoting",
    _build_clear_pivots,
    _clear_pivots_violation,
    min_ndim=2,
    square=True,
    counterexample=_tie_first_pivot,
)

# The fixed-rank pseudo-inverse treats singular values below PINV_RTOL·σ₁ as zero (jnp.linalg.pinv's rtol):
# far above the O(h) singular values a finite-difference step h ~ 1e-4 creates off the rank-r set, far below
# the smallest kept singular value of a built member (at least 0.5·σ₁/σ₁'s scale).
PINV_RTOL = 1e-3


def _build_rank_deficient(v: np.ndarray) -> np.ndarray:
    u, s, vh = np.linalg.svd(v, full_matrices=False)
    s = s + np.arange(s.size - 1, -1, -1, dtype=float) + 0.5
    s[-1] = 0.0
    return (u * s) @ vh


def _rank_deficient_violation(v: np.ndarray, tol: float) -> str | None:
    s = np.linalg.svd(v, compute_uv=False)
    k = s.size
    if k < 2:
        return f"must have at least two rows and two columns, got shape {v.shape}"
    top = max(float(s[0]), 1e-300)
    if float(s[-1]) > 1e3 * _EPS * max(v.shape) * top:
        return f"must have rank {k - 1} (one less than full): smallest singular value {float(s[-1]):.3g} is not zero"
    if float(s[-2]) <= 10 * PINV_RTOL * top:
        return (
            f"must have rank {k - 1}: singular value {k - 1} is {float(s[-2]):.3g}, too close to the cutoff"
            f" {PINV_RTOL:g}·σ₁ (the rank is not locally constant)"
        )
    return None


def _raise_rank(v: np.ndarray) -> np.ndarray:
    u, s, vh = np.linalg.svd(v, full_matrices=False)
    s = s.copy()
    s[-1] = s[0]
    return (u * s) @ vh


RANK_DEFICIENT_BY_ONE = Structure(
    "rank min(m, n) − 1",
    "must have rank exactly min(m, n) − 1, its other singular values well above the cutoff",
    _build_rank_deficient,
    _rank_deficient_violation,
    min_ndim=2,
    counterexample=_raise_rank,
)
