"""Linear and quadratic forms in a vector (and the bilinear form in a matrix): seed 001 §5.3/§5.5, seed 002 §2.4.3."""

from __future__ import annotations

import jax.numpy as jnp

from .._core import Example, Tex, identity, mc, mml, seed, wiki


@identity(
    f=lambda A, x: A @ x,
    find="A @ x",
    wrt="x",
    shapes={"A": "m n", "x": "n"},
    tex=Tex(f="A x", num="A", den=r"A^\top"),
    sources=[
        seed("001", "5.3 example: gradient of a vector-valued function"),
        mml("Example 5.9"),
        seed("002", "2.4.3 Rule 1: ∇ₓ(Ax) = Aᵀ"),
        wiki("vector-by-vector: ∂Ax/∂x"),
    ],
    aliases=("d(Ax)/dx", "Jacobian of Ax"),
    notes="""
    The same derivative in two layouts: seed 001 (numerator layout, Jacobian m×n) writes A; seed 002
    (denominator layout, gradient columns) writes ∇ₓ(Ax) = Aᵀ. See docs/layouts.md.
    """,
)
def Ax(A, x):
    return A


@identity(
    f=lambda x, A: x @ A,
    find="x @ A",
    wrt="x",
    shapes={"x": "n", "A": "n m"},
    tex=Tex(f=r"x^\top A", num=r"A^\top", den="A"),
    sources=[seed("002", "2.4.3 Rule 1: ∇ₓ(xᵀA) = A"), wiki("vector-by-vector: ∂xᵀA/∂x")],
    notes="xᵀA is a row vector with m entries; as a function of x its Jacobian (numerator) is Aᵀ.",
)
def xTA(x, A):
    return A.T


@identity(
    f=lambda c, x: c @ x,
    find="c @ x",
    wrt="x",
    shapes={"c": "n", "x": "n"},
    tex=Tex(f=r"c^\top x", num=r"c^\top", den="c"),
    sources=[
        seed("001", "5.3 prove ∇ₓ(cᵀx) = cᵀ"),
        seed("001", "5.5 ∂xᵀa/∂x = ∂aᵀx/∂x = aᵀ"),
        mc(69),
        mml("(5.104)-(5.105)"),
        wiki("scalar-by-vector: ∂(a·x)/∂x"),
    ],
    aliases=("grad c^T x", "a^T x"),
)
def cTx(c, x):
    return c


@identity(
    f=lambda x: x @ x,
    find="x @ x",
    wrt="x",
    shapes={"x": "n"},
    tex=Tex(f=r"x^\top x", num=r"2x^\top", den="2x"),
    sources=[seed("001", "5.3 prove ∇ₓ(xᵀx) = 2xᵀ"), wiki("scalar-by-vector: ∂(x·x)/∂x")],
    notes="Written as a dot product it is differentiable everywhere, including x = 0 (compare norms.l2_squared).",
)
def xTx(x):
    return 2 * x


@identity(
    f=lambda x, A: x @ A @ x,
    find="x @ A @ x",
    wrt="x",
    shapes={"x": "n", "A": "n n"},
    tex=Tex(f=r"x^\top A x", num=r"x^\top (A + A^\top)", den=r"(A + A^\top) x"),
    sources=[
        seed("002", "2.4.3 Rule 2"),
        seed("001", "5.5 ∂xᵀBx/∂x = xᵀ(B + Bᵀ)"),
        mml("(5.107)"),
        mc(81),
        wiki("scalar-by-vector: ∂xᵀAx/∂x"),
    ],
    aliases=("x^T B x", "quadratic form"),
    notes="For symmetric A this is 2Ax; for a general A the transpose term is required.",
)
def xTAx(x, A):
    return A @ x + x @ A


@identity(
    f=lambda a, X, b: a @ X @ b,
    find="a @ X @ b",
    wrt="X",
    shapes={"a": "n", "X": "n m", "b": "m"},
    tex=Tex(f=r"a^\top X b", num=r"b a^\top", den=r"a b^\top"),
    sources=[seed("001", "5.5 prove ∂(aᵀXb)/∂X = abᵀ"), mml("(5.106)"), mc(70), wiki("scalar-by-matrix: ∂aᵀXb/∂X")],
    aliases=("bilinear form",),
    notes="""
    Seed 001 writes abᵀ with the shape of X, i.e. the denominator layout for a scalar-by-matrix
    derivative (which is also JAX's); Wikipedia's numerator column has baᵀ.
    """,
    examples=[
        Example(
            {"a": [1.0, 2.0], "X": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], "b": [3.0, 4.0, 5.0]},
            [[3.0, 4.0, 5.0], [6.0, 8.0, 10.0]],
            seed("001", "5.5 (abᵀ)_pq = a_p b_q"),
        )
    ],
)
def aTXb(a, X, b):
    return jnp.outer(a, b)
