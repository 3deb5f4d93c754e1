"""Traces, determinants and inverses: the matrix identities of seed 001 §5.5 (MML section 5.5)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.linalg
import numpy as np
from jax.scipy.linalg import lu_factor, lu_solve

from .._core import SpecialPoint, Tex, identity, mc, mml, seed, wiki
from .._structures import INVERTIBLE
from ..exact import cofactors

# Rank-deficient 3×3 matrices: rank 2 (every cofactor is nonzero) and rank 1 (every cofactor vanishes).
# Chosen so that LU with partial pivoting of X and of Xᵀ is exact on every kernel path: no ties between
# pivot candidates, every pivot a power of two (so multipliers and reciprocals are exact) and every
# intermediate a small dyadic number, so FMA or not, blocked or not, the last pivot is exactly 0. The
# matrix used before, [[1, 2, 3], [2, 4, 6], [0, 1, 1]], has the multiplier 1/3 in Xᵀ's LU, and on MKL's
# AVX2/AVX-512 paths torch.linalg.det (which factors Xᵀ) returned 3.3e-16 there, not 0
# (docs/framework-findings.md §1; tests/test_kernel_paths.py checks the exactness in rational arithmetic).
# cofactors(X) = adj(X)ᵀ, d det(X)/dX at every X (MC (41)), in exact arithmetic.
_RANK2 = np.array([[-2.0, -1.0, 0.0], [0.0, -1.0, -1.0], [4.0, 3.0, 1.0]])
_RANK1 = np.outer([1.0, 2.0, 4.0], [1.0, 1.0, 1.0])


@identity(
    f=lambda X: jnp.trace(X),
    find="trace(X)",
    wrt="X",
    shapes={"X": "n n"},
    tex=Tex(f=r"\operatorname{tr}(X)", num="I", den="I"),
    sources=[mc(99), mc(36, "∂Tr(X) = Tr(∂X)"), seed("001", "5.5 trace"), wiki("scalar-by-matrix: ∂tr(X)/∂X")],
)
def tr_X(X):
    # a select on compared iotas: one loop writing I (jnp.eye's lowering ran 1.35× slower at n = 512)
    rows, cols = (jax.lax.broadcasted_iota(jnp.int32, X.shape, d) for d in (0, 1))
    return jnp.where(rows == cols, jnp.ones((), X.dtype), jnp.zeros((), X.dtype))


@identity(
    f=lambda X, A: jnp.trace(X @ A),
    find="trace(X @ A)",
    wrt="X",
    shapes={"X": "m n", "A": "n m"},
    tex=Tex(f=r"\operatorname{tr}(XA)", num="A", den=r"A^\top"),
    sources=[mc(100), seed("001", "5.5 trace"), wiki("scalar-by-matrix: ∂tr(AX)/∂X")],
)
def tr_XA(X, A):
    return A.T


@identity(
    f=lambda X: jnp.linalg.det(X),
    find="det(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=Tex(
        f=r"\det(X)",
        num=r"\det(X)\, X^{-1}",
        den=r"\det(X)\, X^{-\top}",
    ),
    sources=[
        mc(49),
        mc(42, "∂det(X) = det(X)Tr(X⁻¹∂X)"),
        mml("(5.101)"),
        seed("001", "5.5 determinant"),
        wiki("scalar-by-matrix: ∂|X|/∂X"),
    ],
    aliases=("d det(X)/dX",),
    notes="""
    Valid for invertible X. For singular X the derivative is the transposed adjugate, adj(X)ᵀ (MC (41)),
    which this formula cannot reach; see docs/special-cases.md. The closed form computes det(X)X⁻ᵀ as
    adj(X)ᵀ from an LU factorization, with products of all pivots but one (no division by the smallest),
    not as det(X)·inv(X)ᵀ: near a singular X that product of a tiny determinant and a huge inverse lost
    about cond(X)·eps relative accuracy in JAX (3.5e-5 at cond 6.5e11), while the derivative itself is
    well conditioned there; the LU spelling is as accurate as JAX's own derivative of det
    (tests/test_robustness.py).
    """,
    special=[
        SpecialPoint(
            "rank(X) = n − 1",
            {"X": _RANK2.tolist()},
            "differentiable (det is a polynomial); the derivative is the cofactor matrix adj(X)ᵀ ≠ 0",
            value=cofactors(_RANK2).tolist(),
            jax_verdict="valid",
            notes="det(X)·X⁻ᵀ is 0·∞ here and is refused; JAX's det JVP solves with a cofactor-aware LU.",
        ),
        SpecialPoint(
            "rank(X) ≤ n − 2",
            {"X": _RANK1.tolist()},
            "differentiable; the derivative adj(X)ᵀ is 0 (every (n−1)-minor vanishes)",
            value=cofactors(_RANK1).tolist(),
            jax_verdict="valid",
        ),
    ],
)
def det_X(X):
    return cofactor_matrix(X)


def adjugate_lu(X):
    """The factors of adj(X) = det(P) Ũ⁻¹ diag(∏_{j≠i} d_j) L⁻¹ Pᵀ, from X = P L U with U = D Ũ (D its pivots,
    Ũ unit upper triangular): (det(P), perm with X[perm] = L U, one packed matrix holding L's strict lower
    and Ũ's strict upper part (both unit triangular), the products of all pivots but one). No division by a
    pivot that is zero, so valid at singular X."""
    lu, pivots, perm = jax.lax.linalg.lu(X)
    n = X.shape[0]
    d = jnp.diagonal(lu)
    others = jnp.prod(jnp.where(jnp.eye(n, dtype=bool), 1.0, d[None, :]), axis=1)  # no division by a pivot
    upper = jnp.arange(n)[:, None] < jnp.arange(n)[None, :]
    LUt = jnp.where(upper, lu / jnp.where(d == 0, 1.0, d)[:, None], lu)  # L below, Ũ above the diagonal
    sign = jnp.prod(jnp.where(pivots != jnp.arange(n, dtype=pivots.dtype), -1.0, 1.0))  # det(P)
    return sign, perm, LUt, others


def cofactor_matrix(X):
    """adj(X)ᵀ = det(X) X⁻ᵀ without forming det(X) or X⁻¹ (whose product is 0·∞ near a singular X), valid at
    every X (MC (41)): adj(X)ᵀ = det(P) P L⁻ᵀ diag(∏_{j≠i} d_j) Ũ⁻ᵀ (:func:`adjugate_lu`), two triangular
    solves on one packed LU factor, applied to the diagonal from the right so that no Pᵀ, L or U is formed."""
    sign, perm, LUt, others = adjugate_lu(X)
    tri = jax.lax.linalg.triangular_solve
    Y = tri(LUt, jnp.diag(others), left_side=False, lower=False, transpose_a=True, unit_diagonal=True)  # D'Ũ⁻ᵀ
    Z = tri(LUt, Y, left_side=True, lower=True, transpose_a=True, unit_diagonal=True)  # L⁻ᵀ D'Ũ⁻ᵀ
    return sign * Z[jnp.argsort(perm)]  # rows permuted: P Z


def trace_adjugate(X, dX):
    """tr(adj(X) dX) = det(P) tr(diag(∏_{j≠i} d_j) L⁻¹ Pᵀ dX Ũ⁻¹) (:func:`adjugate_lu`): the adjugate's
    factors applied to dX, without forming adj(X)."""
    sign, perm, LUt, others = adjugate_lu(X)
    tri = jax.lax.linalg.triangular_solve
    W = tri(LUt, dX[perm], left_side=True, lower=True, unit_diagonal=True)  # L⁻¹ Pᵀ dX
    W = tri(LUt, W, left_side=False, lower=False, unit_diagonal=True)  # L⁻¹ Pᵀ dX Ũ⁻¹
    return sign * jnp.sum(others * jnp.diagonal(W))


@identity(
    f=lambda X: jnp.linalg.slogdet(X)[1],
    find="logdet(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=Tex(f=r"\ln|\det(X)|", num=r"X^{-1}", den=r"X^{-\top}"),
    sources=[mc(57)],
    aliases=("d log|det X|/dX", "logdet"),
    special=[
        SpecialPoint(
            "X singular",
            {"X": _RANK2.tolist()},
            "log|det X| → −∞ and its gradient X⁻ᵀ is unbounded as X approaches a singular matrix",
            jax_verdict="nan",
            notes="slogdet's derivative solves with a singular LU: ±inf and NaN entries.",
        )
    ],
)
def logabsdet_X(X):
    return jnp.linalg.inv(X).T


@identity(
    f=lambda X: jnp.linalg.inv(X),
    find="inv(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=Tex(
        f="X^{-1}",
        num=r"\frac{\partial (X^{-1})_{kl}}{\partial X_{ij}} = -(X^{-1})_{ki}(X^{-1})_{jl}",
        den=r"\frac{\partial (X^{-1})_{kl}}{\partial X_{ij}} = -(X^{-1})_{ki}(X^{-1})_{jl},\ \text{indexed } (i,j,k,l)",
    ),
    sources=[mc(60), mc(40, "∂(X⁻¹) = −X⁻¹(∂X)X⁻¹"), mml("(5.102)"), seed("001", "5.5 inverse")],
    aliases=("d(X^-1)/dX",),
    notes="A 4-tensor: JAX layout (k, l, i, j); the denominator layout puts (i, j) first.",
)
def inv_X(X):
    Y = jnp.linalg.inv(X)
    return -jnp.einsum("ki,jl->klij", Y, Y)


@identity(
    f=lambda a, X, b: a @ jnp.linalg.solve(X, b),
    find="a @ solve(X, b)",
    wrt="X",
    shapes={"a": "n", "X": "n n", "b": "n"},
    requires={"X": INVERTIBLE},
    tex=Tex(
        f=r"a^\top X^{-1} b",
        num=r"-X^{-1} b a^\top X^{-1}",
        den=r"-X^{-\top} a b^\top X^{-\top}",
    ),
    sources=[mc(61), mml("(5.103)"), seed("001", "5.5 aᵀX⁻¹b")],
    notes="""
    Spelled with one LU factorisation of X shared by two solves, X⁻ᵀa and X⁻¹b, and one outer product; no
    explicit inverse. (Two independent solves factor X twice and copy Xᵀ: the bench measured that spelling
    several times slower than jax.grad, which shares one factorisation.)
    """,
)
def aT_Xinv_b(a, X, b):
    lu = lu_factor(X)
    u = lu_solve(lu, a, trans=1)
    v = lu_solve(lu, b)
    return jnp.outer(-u, v)  # negate the vector, not the n×n product
