"""Traces, determinants and inverses: the matrix identities of seed 001 §5.5 (MML section 5.5)."""

from __future__ import annotations

import jax.numpy as jnp
from jax.scipy.linalg import lu_factor, lu_solve

from .._core import Tex, identity, mc, mml, seed
from .._structures import INVERTIBLE


@identity(
    f=lambda X: jnp.trace(X),
    wrt="X",
    shapes={"X": "n n"},
    tex=Tex(f=r"\operatorname{tr}(X)", num="I", den="I"),
    sources=[mc(99), seed("001", "5.5 trace")],
)
def tr_X(X):
    return jnp.eye(X.shape[0], dtype=X.dtype)


@identity(
    f=lambda X, A: jnp.trace(X @ A),
    wrt="X",
    shapes={"X": "m n", "A": "n m"},
    tex=Tex(f=r"\operatorname{tr}(XA)", num="A", den=r"A^\top"),
    sources=[mc(100), seed("001", "5.5 trace")],
)
def tr_XA(X, A):
    return A.T


@identity(
    f=lambda X: jnp.linalg.det(X),
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=Tex(
        f=r"\det(X)",
        num=r"\det(X)\, X^{-1}",
        den=r"\det(X)\, X^{-\top}",
    ),
    sources=[mc(49), mml("(5.101)"), seed("001", "5.5 determinant")],
    aliases=("d det(X)/dX",),
    notes="""
    Valid for invertible X. For singular X the derivative is the transposed adjugate, adj(X)ᵀ (MC (41)),
    which this formula cannot reach; see docs/special-cases.md.
    """,
)
def det_X(X):
    return jnp.linalg.det(X) * jnp.linalg.inv(X).T


@identity(
    f=lambda X: jnp.linalg.slogdet(X)[1],
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=Tex(f=r"\ln|\det(X)|", num=r"X^{-1}", den=r"X^{-\top}"),
    sources=[mc(57)],
    aliases=("d log|det X|/dX", "logdet"),
)
def logabsdet_X(X):
    return jnp.linalg.inv(X).T


@identity(
    f=lambda X: jnp.linalg.inv(X),
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=Tex(
        f="X^{-1}",
        num=r"\frac{\partial (X^{-1})_{kl}}{\partial X_{ij}} = -(X^{-1})_{ki}(X^{-1})_{jl}",
        den=r"\frac{\partial (X^{-1})_{kl}}{\partial X_{ij}} = -(X^{-1})_{ki}(X^{-1})_{jl},\ \text{indexed } (i,j,k,l)",
    ),
    sources=[mc(60), mml("(5.102)"), seed("001", "5.5 inverse")],
    aliases=("d(X^-1)/dX",),
    notes="A 4-tensor: JAX layout (k, l, i, j); the denominator layout puts (i, j) first.",
)
def inv_X(X):
    Y = jnp.linalg.inv(X)
    return -jnp.einsum("ki,jl->klij", Y, Y)


@identity(
    f=lambda a, X, b: a @ jnp.linalg.solve(X, b),
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
