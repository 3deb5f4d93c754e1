"""The spectral and nuclear norms of a matrix, with their non-differentiable points.

‖X‖₂ = σ₁(X) is differentiable where σ₁ is simple and positive, with gradient u₁v₁ᵀ; ‖X‖_* = Σσᵢ is
differentiable where X has full rank, with gradient UVᵀ (Watson 1992). At X = 0 each norm's
subdifferential is the unit ball of the other (they are dual); at a repeated σ₁ the spectral norm's is
{U₁ W V₁ᵀ : W ⪰ 0, tr W = 1}, U₁ and V₁ spanning the top singular subspaces. Both are charted as special
points (docs/special-cases.md).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .._core import Source, SpecialPoint, Tex, g08, identity
from .._structures import FULL_COLUMN_RANK, Structure

_EPS = float(np.finfo(np.float64).eps)


def watson92(loc: str, note: str = "") -> Source:
    return Source("Watson92", loc, "1992", note)


# --- a simple, positive largest singular value --------------------------------------------------------------
def _with_singular_values(v: np.ndarray, s: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(v, full_matrices=False)
    return (u * s) @ vt


def _build_simple_top(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float) + np.eye(*v.shape)  # never the zero matrix
    s = np.linalg.svd(v, compute_uv=False)
    s = s.copy()
    s[0] = s[0] + 1.0  # ahead of σ₂ by at least 1
    return _with_singular_values(v, s)


def _simple_top_violation(v: np.ndarray, tol: float) -> str | None:
    s = np.linalg.svd(v, compute_uv=False)
    if s[0] == 0:
        return "is zero (σ₁ = 0); the derivative does not exist there"
    if s.size > 1 and s[0] - s[1] <= max(tol, 1e3 * _EPS) * s[0]:
        return f"has a repeated largest singular value: σ₁ = {s[0]:.6g}, σ₂ = {s[1]:.6g}"
    return None


def _simple_top_counterexample(v: np.ndarray) -> np.ndarray:
    s = np.linalg.svd(v, compute_uv=False).copy()
    if s.size < 2:
        return np.zeros_like(v, dtype=float)
    s[0] = s[1]
    return _with_singular_values(v, s)


SIMPLE_TOP_SINGULAR_VALUE = Structure(
    "simple σ₁",
    "must have a simple, positive largest singular value",
    _build_simple_top,
    _simple_top_violation,
    min_ndim=2,
    counterexample=_simple_top_counterexample,
)


# --- valid answers --------------------------------------------------------------------------------------------
def in_spectral_norm_subdifferential(X: np.ndarray, tol: float = 1e-9):
    """Membership in ∂‖X‖₂: the nuclear-norm unit ball at 0, else {U₁WV₁ᵀ : W ⪰ 0, tr W = 1}."""
    X = np.asarray(X, dtype=float)
    u, s, vt = np.linalg.svd(X, full_matrices=False)

    def valid(G: np.ndarray) -> bool:
        if s[0] == 0:
            return bool(np.linalg.norm(G, "nuc") <= 1 + tol)
        k = int(np.sum(s >= s[0] * (1 - 1e-12)))
        U1, V1 = u[:, :k], vt[:k].T
        W = U1.T @ G @ V1
        if np.max(np.abs(G - U1 @ W @ V1.T)) > tol:  # G must live on the top singular subspaces
            return False
        if np.max(np.abs(W - W.T)) > tol:
            return False
        return bool(np.min(np.linalg.eigvalsh((W + W.T) / 2)) >= -tol and abs(np.trace(W) - 1) <= tol)

    return valid


def _in_spectral_ball(G: np.ndarray) -> bool:
    return bool(np.linalg.norm(G, 2) <= 1 + 1e-12)


@identity(
    f=lambda X: jnp.linalg.norm(X, 2),
    find="norm2(X)",
    wrt="X",
    shapes={"X": "m n"},
    requires={"X": SIMPLE_TOP_SINGULAR_VALUE},
    tex=Tex(f=r"\|X\|_2", num=r"v_1 u_1^\top", den=r"u_1 v_1^\top"),
    sources=[watson92("the subdifferential of the spectral norm"), g08("matrix norms: the spectral norm")],
    aliases=("spectral norm", "d||X||_2/dX"),
    notes="""
    u₁, v₁ are the left and right singular vectors of the largest singular value σ₁, which must be simple
    and positive. At a repeated σ₁ (e.g. X orthogonal) and at X = 0 the norm is not differentiable.
    """,
    special=[
        SpecialPoint(
            "X = 0",
            {"X": np.zeros((3, 2)).tolist()},
            "not differentiable; the subdifferential is the nuclear-norm unit ball {G : ‖G‖_* ≤ 1}",
            valid=in_spectral_norm_subdifferential(np.zeros((3, 2))),
            jax_verdict="valid",
            notes="JAX returns G = [I/4; 0] here (‖G‖_* = 1/2), inside the ball.",
        ),
        SpecialPoint(
            "σ₁ repeated: X = I₃",
            {"X": np.eye(3).tolist()},
            "not differentiable; the subdifferential is {W : W ⪰ 0, tr W = 1} (U₁ = V₁ = I)",
            valid=in_spectral_norm_subdifferential(np.eye(3)),
            jax_verdict="valid",
            notes="JAX returns G = I/3, the centre of the set.",
        ),
    ],
)
def spectral(X):
    U, _, Vt = jnp.linalg.svd(X, full_matrices=False)
    return jnp.outer(U[:, 0], Vt[0])


@identity(
    f=lambda X: jnp.linalg.norm(X, "nuc"),
    find="nucnorm(X)",
    wrt="X",
    shapes={"X": "m n"},
    requires={"X": FULL_COLUMN_RANK},
    sizes=[{"m": 4, "n": 3}, {"m": 5, "n": 2}],
    tex=Tex(f=r"\|X\|_*", num=r"V U^\top", den=r"U V^\top"),
    sources=[watson92("the subdifferential of the trace (nuclear) norm")],
    aliases=("nuclear norm", "trace norm"),
    notes="""
    X = UΣVᵀ (thin SVD) with full column rank; the gradient UVᵀ is the orthogonal polar factor of X. At a
    rank-deficient X the subdifferential is {U_r V_rᵀ + W : U_rᵀW = 0, WV_r = 0, ‖W‖₂ ≤ 1}; at X = 0 it is
    the spectral-norm unit ball.
    """,
    special=[
        SpecialPoint(
            "X = 0",
            {"X": np.zeros((4, 3)).tolist()},
            "not differentiable; the subdifferential is the spectral-norm unit ball {G : ‖G‖₂ ≤ 1}",
            valid=_in_spectral_ball,
            jax_verdict="valid",
            notes="JAX returns UVᵀ from the SVD of 0, here [I; 0] (‖G‖₂ = 1): on the ball's edge.",
        )
    ],
)
def nuclear(X):
    U, _, Vt = jnp.linalg.svd(X, full_matrices=False)
    return U @ Vt


# --- the operator norms induced by the vector 1- and ∞-norms ---------------------------------------------------
def _build_unique_max_line(v: np.ndarray, axis: int) -> np.ndarray:
    """A unique largest Σ|entries| along ``axis`` (columns for axis 0), ahead by ≥ 1, with no zero entry."""
    out = np.array(v, dtype=float, copy=True)
    sums = np.sum(np.abs(out), axis=axis)
    j = int(np.argmax(sums))
    line = np.take(out, j, axis=1 - axis)
    new = np.where(line >= 0, 1.0, -1.0) * (np.abs(line) + 1.0)
    if axis == 0:
        out[:, j] = new
    else:
        out[j, :] = new
    return out


def _unique_max_line_violation(v: np.ndarray, tol: float, axis: int) -> str | None:
    what = "column" if axis == 0 else "row"
    sums = np.sum(np.abs(v), axis=axis)
    order = np.argsort(sums)[::-1]
    top = float(sums[order[0]])
    if top == 0:
        return "is zero; the derivative does not exist there"
    if sums.size > 1 and top - float(sums[order[1]]) <= tol * top:
        return (
            f"has a tie for the largest {what} sum of |entries|: {what}s {int(order[0])} and {int(order[1])} "
            f"both sum to {top:.6g}"
        )
    line = np.take(v, int(order[0]), axis=1 - axis)
    zero = np.flatnonzero(line == 0)
    if zero.size:
        return f"has a zero entry in its largest {what} ({what} {int(order[0])}, entry {int(zero[0])})"
    return None


def _unique_max_line_counterexample(v: np.ndarray, axis: int) -> np.ndarray:
    out = np.array(v, dtype=float, copy=True)
    j = int(np.argmax(np.sum(np.abs(out), axis=axis)))
    if out.shape[1 - axis] < 2:  # one line only: put a zero entry in it
        out.flat[0] = 0.0
        return out
    k = (j + 1) % out.shape[1 - axis]
    if axis == 0:
        out[:, k] = out[:, j]
    else:
        out[k, :] = out[j, :]
    return out


UNIQUE_MAX_COLUMN = Structure(
    "unique largest column",
    "must have a unique largest column sum of |entries|, with no zero entry in that column",
    lambda v: _build_unique_max_line(v, 0),
    lambda v, tol: _unique_max_line_violation(v, tol, 0),
    min_ndim=2,
    counterexample=lambda v: _unique_max_line_counterexample(v, 0),
)
UNIQUE_MAX_ROW = Structure(
    "unique largest row",
    "must have a unique largest row sum of |entries|, with no zero entry in that row",
    lambda v: _build_unique_max_line(v, 1),
    lambda v, tol: _unique_max_line_violation(v, tol, 1),
    min_ndim=2,
    counterexample=lambda v: _unique_max_line_counterexample(v, 1),
)


def _dual_ball(axis: int):
    """The dual of the induced 1-norm is Σ_columns max|G|; of the induced ∞-norm, Σ_rows max|G|."""

    def valid(G: np.ndarray) -> bool:
        return bool(np.sum(np.max(np.abs(G), axis=axis)) <= 1 + 1e-12)

    return valid


@identity(
    f=lambda X: jnp.linalg.norm(X, 1),
    find="norm1(X)",
    wrt="X",
    shapes={"X": "m n"},
    requires={"X": UNIQUE_MAX_COLUMN},
    tex=Tex(
        f=r"\|X\|_1",
        num=r"e_j \operatorname{sign}(X_{:,j})^\top,\ j = \arg\max_k \textstyle\sum_i |X_{ik}|",
        den=r"\operatorname{sign}(X_{:,j})\, e_j^\top,\ j = \arg\max_k \textstyle\sum_i |X_{ik}|",
    ),
    sources=[watson92("operator norms: the norm induced by the vector 1-norm (maximum column sum)")],
    aliases=("matrix 1-norm", "max column sum norm"),
    notes="""
    The operator norm induced by ‖·‖₁: the largest column sum of |X_ij|. Differentiable where one column
    has the largest sum and none of its entries is 0; the gradient is sign(X) on that column, 0 elsewhere.
    At X = 0 the subdifferential is the unit ball of the dual norm Σ_j max_i |G_ij|.
    """,
    special=[
        SpecialPoint(
            "X = 0",
            {"X": np.zeros((3, 2)).tolist()},
            "not differentiable; the subdifferential is {G : Σ_j maxᵢ |G_ij| ≤ 1} (the dual norm's unit ball)",
            valid=_dual_ball(0),
            jax_verdict="valid",
            notes="JAX returns 1/4 on every entry here (Σ_j maxᵢ |G_ij| = 1/2), inside the ball.",
        )
    ],
)
def one(X):
    j = jnp.argmax(jnp.sum(jnp.abs(X), axis=0))
    return jnp.where(jnp.arange(X.shape[1])[None, :] == j, jnp.sign(X), 0.0)


@identity(
    f=lambda X: jnp.linalg.norm(X, jnp.inf),
    find="norminf(X)",
    wrt="X",
    shapes={"X": "m n"},
    requires={"X": UNIQUE_MAX_ROW},
    tex=Tex(
        f=r"\|X\|_\infty",
        num=r"\operatorname{sign}(X_{i,:})^\top e_i^\top,\ i = \arg\max_k \textstyle\sum_j |X_{kj}|",
        den=r"e_i \operatorname{sign}(X_{i,:}),\ i = \arg\max_k \textstyle\sum_j |X_{kj}|",
    ),
    sources=[watson92("operator norms: the norm induced by the vector ∞-norm (maximum row sum)")],
    aliases=("matrix inf-norm", "max row sum norm"),
    notes="""
    The operator norm induced by ‖·‖∞: the largest row sum of |X_ij|. Differentiable where one row has the
    largest sum and none of its entries is 0; the gradient is sign(X) on that row, 0 elsewhere. At X = 0
    the subdifferential is the unit ball of the dual norm Σ_i max_j |G_ij|.
    """,
    special=[
        SpecialPoint(
            "X = 0",
            {"X": np.zeros((3, 2)).tolist()},
            "not differentiable; the subdifferential is {G : Σᵢ max_j |G_ij| ≤ 1} (the dual norm's unit ball)",
            valid=_dual_ball(1),
            jax_verdict="valid",
            notes="JAX returns 1/6 on every entry here (Σᵢ max_j |G_ij| = 1/2), inside the ball.",
        )
    ],
)
def inf(X):
    i = jnp.argmax(jnp.sum(jnp.abs(X), axis=1))
    return jnp.where(jnp.arange(X.shape[0])[:, None] == i, jnp.sign(X), 0.0)
