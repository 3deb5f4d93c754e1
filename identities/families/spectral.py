"""Eigenvalues of a symmetric matrix and singular values of a matrix, as functions of the matrix.

The k-th eigenvalue λₖ(X) of a symmetric X is differentiable where it is simple, with gradient vₖvₖᵀ;
the k-th singular value σₖ(X) where it is simple and positive, with gradient uₖvₖᵀ (Lewis 1996). At a
repeated value the sorted values are only directionally differentiable: every element of the
generalized Jacobian has, for the cluster K of equal values with orthonormal bases U_K, V_K of the
(singular) subspaces, rows U_K Wₖ V_Kᵀ with Wₖ ⪰ 0, tr Wₖ = 1 and Σ_{k∈K} Wₖ = I (the sum of the
cluster is differentiable). The special points check JAX's answer against these conditions, which every
limit of nearby Jacobians satisfies.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .._core import Source, SpecialPoint, Tex, g08, identity
from .._structures import Structure

_EPS = float(np.finfo(np.float64).eps)


def lewis96(loc: str, note: str = "") -> Source:
    return Source("Lewis96", loc, "1996", note)


def _sym(v: np.ndarray) -> np.ndarray:
    return (v + np.swapaxes(v, -1, -2)) / 2


def _min_gap(values: np.ndarray) -> tuple[float, int]:
    a = np.sort(values)
    d = np.diff(a)
    k = int(np.argmin(d))
    return float(d[k]), k


# --- symmetric with simple eigenvalues ---------------------------------------------------------------------
def _build_simple_eig(v: np.ndarray) -> np.ndarray:
    lam, V = np.linalg.eigh(_sym(np.asarray(v, dtype=float)))
    lam = lam + np.arange(lam.size)  # gaps of at least 1
    return (V * lam) @ V.T


def _simple_eig_violation(v: np.ndarray, tol: float) -> str | None:
    d = float(np.max(np.abs(v - v.T)))
    scale = max(float(np.max(np.abs(v))), 1e-300)
    if d > tol * scale:
        return f"is not symmetric: max |X - X^T| = {d:.3g}"
    lam = np.linalg.eigvalsh(_sym(v))
    if lam.size > 1:
        gap, k = _min_gap(lam)
        if gap <= max(tol, 1e3 * _EPS) * max(float(np.max(np.abs(lam))), 1e-300):
            return f"has a repeated eigenvalue: λ = {lam[k]:.6g} and {lam[k + 1]:.6g} (gap {gap:.3g})"
    return None


def _simple_eig_counterexample(v: np.ndarray) -> np.ndarray | None:
    if v.shape[-1] < 2:
        return None
    lam, V = np.linalg.eigh(_sym(np.asarray(v, dtype=float)))
    lam[1] = lam[0]
    return (V * lam) @ V.T


SIMPLE_EIGENVALUES = Structure(
    "symmetric, simple eigenvalues",
    "must be symmetric with distinct eigenvalues",
    _build_simple_eig,
    _simple_eig_violation,
    tangent=_sym,
    min_ndim=2,
    square=True,
    counterexample=_simple_eig_counterexample,
)


# --- distinct positive singular values (m >= n) -------------------------------------------------------------
def _with_singular_values(v: np.ndarray, s: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(v, full_matrices=False)
    return (u * s) @ vt


def _build_distinct_sv(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    s = np.linalg.svd(v, compute_uv=False)
    return _with_singular_values(v, s + np.arange(s.size, 0, -1))  # ≥ 1, gaps ≥ 1, still descending


def _distinct_sv_violation(v: np.ndarray, tol: float) -> str | None:
    m, n = v.shape[-2:]
    if m < n:
        return f"must have at least as many rows as columns, got {m}x{n}"
    s = np.linalg.svd(v, compute_uv=False)
    t = max(tol, 1e3 * _EPS) * max(float(s[0]), 1e-300)
    if s[-1] <= t:
        return f"has a zero singular value: σ_min = {s[-1]:.3g} (σ₁ = {s[0]:.3g})"
    if s.size > 1:
        gap, k = _min_gap(s)
        if gap <= t:
            return f"has a repeated singular value: σ = {np.sort(s)[k]:.6g} and {np.sort(s)[k + 1]:.6g} (gap {gap:.3g})"
    return None


def _distinct_sv_counterexample(v: np.ndarray) -> np.ndarray:
    s = np.linalg.svd(v, compute_uv=False).copy()
    if s.size < 2:
        return np.zeros_like(v, dtype=float)
    s[1] = s[0]
    return _with_singular_values(v, s)


DISTINCT_SINGULAR_VALUES = Structure(
    "distinct positive singular values",
    "must have distinct, positive singular values (and m >= n)",
    _build_distinct_sv,
    _distinct_sv_violation,
    min_ndim=2,
    counterexample=_distinct_sv_counterexample,
)


# --- valid answers at repeated values ------------------------------------------------------------------------
def clustered_jacobian(values: np.ndarray, U: np.ndarray, V: np.ndarray, tol: float = 1e-9):
    """Rows k of a valid Jacobian (K, m, n): U_K Wₖ V_Kᵀ, Wₖ ⪰ 0, tr Wₖ = 1, Σ_{k∈K} Wₖ = I per cluster K."""
    values = np.asarray(values, dtype=float)
    scale = max(float(np.max(np.abs(values))), 1.0)
    clusters: list[list[int]] = []
    for k in range(values.size):
        if clusters and abs(values[k] - values[clusters[-1][-1]]) <= 1e-12 * scale:
            clusters[-1].append(k)
        else:
            clusters.append([k])

    def valid(J: np.ndarray) -> bool:
        for K in clusters:
            UK, VK = U[:, K], V[:, K]
            total = np.zeros((len(K), len(K)))
            for k in K:
                W = UK.T @ J[k] @ VK
                if np.max(np.abs(J[k] - UK @ W @ VK.T)) > tol or np.max(np.abs(W - W.T)) > tol:
                    return False
                if np.min(np.linalg.eigvalsh((W + W.T) / 2)) < -tol or abs(np.trace(W) - 1) > tol:
                    return False
                total += W
            if np.max(np.abs(total - np.eye(len(K)))) > tol:
                return False
        return True

    return valid


_X_EIG = np.diag([2.0, 2.0, 5.0])  # λ₁ = λ₂
_X_SV = np.array([[2.0, 0.0], [0.0, 2.0], [0.0, 0.0]])  # σ₁ = σ₂


def _eig_valid(X: np.ndarray):
    lam, V = np.linalg.eigh(X)
    return clustered_jacobian(lam, V, V)


def _sv_valid(X: np.ndarray):
    u, s, vt = np.linalg.svd(X, full_matrices=False)
    return clustered_jacobian(s, u, vt.T)


@identity(
    f=lambda X: jnp.linalg.eigvalsh(X),
    find="eigvalsh(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": SIMPLE_EIGENVALUES},
    tex=Tex(
        f=r"\lambda(X)",
        num=r"\frac{\partial \lambda_k}{\partial X} = v_k v_k^\top",
        den=r"\frac{\partial \lambda_k}{\partial X} = v_k v_k^\top",
        where=r"X = V \operatorname{diag}(\lambda) V^\top,\ \lambda_1 < \dots < \lambda_n",
    ),
    sources=[lewis96("the gradient of a simple eigenvalue of a symmetric matrix, vₖvₖᵀ")],
    aliases=("eigvalsh", "d lambda/dX"),
    notes="""
    The eigenvalues in ascending order, as jnp.linalg.eigvalsh returns them (it reads the symmetrised
    input, so the derivative with respect to an unconstrained X is already symmetric). A 3-tensor
    (n, n, n) in JAX layout: slice k is vₖvₖᵀ. Requires distinct eigenvalues.
    """,
    special=[
        SpecialPoint(
            "λ₁ = λ₂: X = diag(2, 2, 5)",
            {"X": _X_EIG.tolist()},
            "λ₁, λ₂ not differentiable (only directionally); valid rows: V_K WₖV_Kᵀ, Wₖ ⪰ 0, tr Wₖ = 1, ΣWₖ = I",
            valid=_eig_valid(_X_EIG),
            jax_verdict="valid",
            notes="JAX's eigh JVP gives the eigenvalues' rows from whichever basis eigh returned: valid.",
        )
    ],
)
def eigvalsh(X):
    _, V = jnp.linalg.eigh(X)
    return jnp.einsum("ik,jk->kij", V, V)


@identity(
    f=lambda X: jnp.linalg.svd(X, compute_uv=False),
    find="svdvals(X)",
    wrt="X",
    shapes={"X": "m n"},
    requires={"X": DISTINCT_SINGULAR_VALUES},
    sizes=[{"m": 4, "n": 3}, {"m": 5, "n": 2}],
    tex=Tex(
        f=r"\sigma(X)",
        num=r"\frac{\partial \sigma_k}{\partial X} = v_k u_k^\top",
        den=r"\frac{\partial \sigma_k}{\partial X} = u_k v_k^\top",
        where=r"X = U \operatorname{diag}(\sigma) V^\top,\ \sigma_1 > \dots > \sigma_n > 0",
    ),
    sources=[g08("singular value decomposition: dσ = diag(Uᵀ dX V)"), lewis96("singular values")],
    aliases=("singular values", "d sigma/dX"),
    notes="""
    The singular values in descending order. A 3-tensor (n, m, n) in JAX layout: slice k is uₖvₖᵀ.
    Requires m ≥ n and distinct, positive singular values (a zero singular value behaves like |t|).
    """,
    special=[
        SpecialPoint(
            "σ₁ = σ₂: X = [2I; 0]",
            {"X": _X_SV.tolist()},
            "σ₁, σ₂ not differentiable (only directionally); valid rows: U_K WₖV_Kᵀ, Wₖ ⪰ 0, tr Wₖ = 1, ΣWₖ = I",
            valid=_sv_valid(_X_SV),
            jax_verdict="valid",
            notes="JAX's SVD JVP gives dσₖ = uₖᵀ dX vₖ in whichever basis the SVD returned: valid.",
        )
    ],
)
def singular_values(X):
    U, _, Vt = jnp.linalg.svd(X, full_matrices=False)
    return jnp.einsum("ik,kj->kij", U, Vt)
