"""The basic rules of the Matrix Cookbook §2 ((32)–(45)) and the single-entry forms of §2.4.1 ((73)–(75)).

The Cookbook writes these rules with ∂ as a differential. Where the derivative is a tensor, the identity
is its Jacobian in JAX layout (output axes, then the variable's axes); where a rule is about matrices
that depend on a parameter (sum, product rules), it is stated for matrix-valued functions of a scalar t,
X(t) = A + tB and Y(t) = C + t²D, so that both factors vary and every term of the rule is exercised.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from .._core import Tex, identity, mc, wiki


def _eye(n, like):
    return jnp.eye(n, dtype=like.dtype)


def _delta4(m, n, like, value=1.0):
    """value·δ_ik δ_lj indexed (k, l, i, j), shape (m, n, m, n).

    Written as a select on compared iotas, one elementwise loop that writes the tensor once (as autodiff's
    program does); an einsum of two identity matrices is lowered to a broadcast product and a transposing
    copy, which took twice as long (bench at m = n = 32), and a zero fill plus a scatter of the mn ones
    ran about 8 % slower than the select.
    """
    return _iota_delta((m, n, m, n), ((0, 2), (1, 3)), like, value)


def _iota_delta(shape, pairs, like, value=1.0):
    """``value`` where the index along each pair of axes agrees, 0 elsewhere (one fused select)."""
    iota = functools.partial(jax.lax.broadcasted_iota, jnp.int32, shape)
    mask = functools.reduce(jnp.logical_and, [iota(a) == iota(b) for a, b in pairs])
    return jnp.where(mask, jnp.asarray(value, like.dtype), jnp.zeros((), like.dtype))


@identity(
    f=lambda X: X,
    find="X",
    wrt="X",
    shapes={"X": "m n"},
    tex=Tex(
        f="X",
        num=r"\frac{\partial X_{kl}}{\partial X_{ij}} = \delta_{ik}\delta_{lj},\ \text{indexed } (k,l,i,j)",
        den=r"\frac{\partial X_{kl}}{\partial X_{ij}} = \delta_{ik}\delta_{lj},\ \text{indexed } (i,j,k,l)",
    ),
    sources=[mc(32), mc(73, "∂X/∂X_ij = J^ij, the single-entry matrix"), wiki("vector-by-vector: ∂x/∂x")],
    aliases=("dX/dX", "single-entry matrix"),
    notes="""
    A 4-tensor of shape (m, n, m, n): slice (i, j) is the single-entry matrix J^ij of MC (73). For a
    vector x the same identity is ∂x/∂x = I (Wikipedia's vector-by-vector row), the m×n case with n = 1.
    """,
)
def identity_map(X):
    m, n = X.shape
    return _delta4(m, n, X)


@identity(
    f=lambda A, X: A,
    wrt="X",
    shapes={"A": "p q", "X": "m n"},
    tex=Tex(f="A", num="0", den="0"),
    sources=[mc(33), wiki("vector-by-vector: ∂a/∂x"), wiki("scalar-by-matrix: ∂a/∂X")],
    aliases=("derivative of a constant",),
    notes="""
    A does not depend on X: the Jacobian is the zero tensor of shape (p, q, m, n). Wikipedia's rows ∂a/∂x
    (a vector by a vector) and ∂a/∂X (a scalar by a matrix) are the cases q = n = 1 and p = q = 1.
    """,
)
def constant(A, X):
    return jnp.zeros(A.shape + X.shape, dtype=X.dtype)


@identity(
    f=lambda alpha, X: alpha * X,
    find="alpha * X",
    wrt="X",
    shapes={"alpha": "", "X": "m n"},
    tex=Tex(
        f=r"\alpha X",
        num=r"\frac{\partial (\alpha X)_{kl}}{\partial X_{ij}} = \alpha\,\delta_{ik}\delta_{lj}",
        den=r"\frac{\partial (\alpha X)_{kl}}{\partial X_{ij}} = \alpha\,\delta_{ik}\delta_{lj},\ \text{indexed } (i,j,k,l)",
    ),
    sources=[mc(34)],
    notes="∂(αX) = α∂X: α times the identity 4-tensor of MC (32).",
)
def scaled(alpha, X):
    m, n = X.shape
    return _delta4(m, n, X, alpha)


@identity(
    f=lambda t, A, B, C, D: (A + t * B) + (C + t**2 * D),
    find="A + t * B + (C + t ** 2 * D)",
    wrt="t",
    shapes={"t": "", "A": "m n", "B": "m n", "C": "m n", "D": "m n"},
    tex=Tex(
        f="X(t) + Y(t)",
        num=r"\frac{\partial X}{\partial t} + \frac{\partial Y}{\partial t} = B + 2tD",
        den=r"\frac{\partial X}{\partial t} + \frac{\partial Y}{\partial t} = B + 2tD",
        wrt="t",
        where=r"X(t) = A + tB,\ Y(t) = C + t^2 D",
    ),
    sources=[mc(35)],
    aliases=("sum rule (matrices)",),
    notes="∂(X + Y) = ∂X + ∂Y with X(t) = A + tB and Y(t) = C + t²D; a matrix by a scalar, same in both layouts.",
)
def sum_rule(t, A, B, C, D):
    return B + (2 * t) * D


@identity(
    f=lambda t, A, B, C, D: (A + t * B) @ (C + t**2 * D),
    find="(A + t * B) @ (C + t ** 2 * D)",
    wrt="t",
    shapes={"t": "", "A": "m n", "B": "m n", "C": "n p", "D": "n p"},
    tex=Tex(
        f="X(t)\\,Y(t)",
        num=r"\frac{\partial X}{\partial t} Y + X \frac{\partial Y}{\partial t} = B(C + t^2 D) + 2t(A + tB)D",
        den=r"\left(B(C + t^2 D) + 2t(A + tB)D\right)^\top",
        wrt="t",
        where=r"X(t) = A + tB,\ Y(t) = C + t^2 D",
    ),
    sources=[mc(37)],
    aliases=("product rule (matrices)",),
    notes="""
    ∂(XY) = (∂X)Y + X(∂Y), with X(t) = A + tB (m×n) and Y(t) = C + t²D (n×p). The order of the factors
    matters: (∂X)Y, not Y(∂X). Matrix by scalar: the denominator layout is the transpose.
    """,
)
def product_rule(t, A, B, C, D):
    return B @ (C + t**2 * D) + (2 * t) * ((A + t * B) @ D)


@identity(
    f=lambda X, Y: X @ Y,
    find="X @ Y",
    wrt="X",
    shapes={"X": "m n", "Y": "n p"},
    tex=Tex(
        f="XY",
        num=r"\frac{\partial (XY)_{kl}}{\partial X_{ij}} = \delta_{ki}\, Y_{jl},\ \text{indexed } (k,l,i,j)",
        den=r"\frac{\partial (XY)_{kl}}{\partial X_{ij}} = \delta_{ki}\, Y_{jl},\ \text{indexed } (i,j,k,l)",
    ),
    sources=[mc(37, "the (∂X)Y term"), mc(74, "∂(XA)_ij/∂X_mn = δ_im A_nj = (J^mn A)_ij")],
    aliases=("d(XY)/dX", "d(XA)/dX"),
    notes="""
    A 4-tensor of shape (m, p, m, n). MC (74) is this identity with Y = A: slice (i, j) is J^ij Y, the
    single-entry matrix times Y.
    """,
)
def product_dX(X, Y):
    return jnp.einsum("ki,jl->klij", _eye(X.shape[0], X), Y)


@identity(
    f=lambda X, Y: X @ Y,
    find="X @ Y",
    wrt="Y",
    shapes={"X": "m n", "Y": "n p"},
    tex=Tex(
        f="XY",
        num=r"\frac{\partial (XY)_{kl}}{\partial Y_{ij}} = X_{ki}\,\delta_{lj},\ \text{indexed } (k,l,i,j)",
        den=r"\frac{\partial (XY)_{kl}}{\partial Y_{ij}} = X_{ki}\,\delta_{lj},\ \text{indexed } (i,j,k,l)",
    ),
    sources=[mc(37, "the X(∂Y) term")],
    aliases=("d(XY)/dY",),
    notes="A 4-tensor of shape (m, p, n, p): slice (i, j) is X J^ij.",
)
def product_dY(X, Y):
    return jnp.einsum("ki,lj->klij", X, _eye(Y.shape[1], Y))


@identity(
    f=lambda t, A, B, C, D: (A + t * B) * (C + t**2 * D),
    find="(A + t * B) * (C + t ** 2 * D)",
    wrt="t",
    shapes={"t": "", "A": "m n", "B": "m n", "C": "m n", "D": "m n"},
    tex=Tex(
        f=r"X(t) \circ Y(t)",
        num=r"\frac{\partial X}{\partial t} \circ Y + X \circ \frac{\partial Y}{\partial t} = B \circ (C + t^2 D) + 2t (A + tB) \circ D",
        den=r"\left(B \circ (C + t^2 D) + 2t (A + tB) \circ D\right)^\top",
        wrt="t",
        where=r"X(t) = A + tB,\ Y(t) = C + t^2 D",
    ),
    sources=[mc(38)],
    aliases=("Hadamard product rule",),
    notes="∂(X∘Y) = (∂X)∘Y + X∘(∂Y) with X(t) = A + tB and Y(t) = C + t²D.",
)
def hadamard_rule(t, A, B, C, D):
    return B * (C + t**2 * D) + (2 * t) * (A + t * B) * D


@identity(
    f=lambda X, Y: X * Y,
    find="X * Y",
    wrt="X",
    shapes={"X": "m n", "Y": "m n"},
    tex=Tex(
        f=r"X \circ Y",
        num=r"\frac{\partial (X \circ Y)_{kl}}{\partial X_{ij}} = \delta_{ki}\delta_{lj}\, Y_{kl},\ \text{indexed } (k,l,i,j)",
        den=r"\frac{\partial (X \circ Y)_{kl}}{\partial X_{ij}} = \delta_{ki}\delta_{lj}\, Y_{kl},\ \text{indexed } (i,j,k,l)",
    ),
    sources=[mc(38, "the (∂X)∘Y term")],
    aliases=("d(X∘Y)/dX",),
    notes="A diagonal 4-tensor of shape (m, n, m, n) carrying Y; the X∘(∂Y) term is the same with X and Y swapped.",
)
def hadamard_dX(X, Y):
    m, n = X.shape
    return jnp.einsum("ki,lj,kl->klij", _eye(m, X), _eye(n, X), Y)


def _kron_dX(X, Y):
    m, n = X.shape
    p, q = Y.shape
    t = jnp.einsum("ik,jl,ab->iajbkl", _eye(m, X), _eye(n, X), Y)
    return t.reshape(m * p, n * q, m, n)


def _kron_dY(X, Y):
    m, n = X.shape
    p, q = Y.shape
    t = jnp.einsum("ij,ak,bl->iajbkl", X, _eye(p, Y), _eye(q, Y))
    return t.reshape(m * p, n * q, p, q)


@identity(
    f=lambda X, Y: jnp.kron(X, Y),
    find="kron(X, Y)",
    wrt="X",
    shapes={"X": "m n", "Y": "p q"},
    tex=Tex(
        f=r"X \otimes Y",
        num=r"\frac{\partial (X \otimes Y)_{(i,a),(j,b)}}{\partial X_{kl}} = \delta_{ik}\delta_{jl}\, Y_{ab},\ \text{indexed } ((i,a),(j,b),k,l)",
        den=r"\frac{\partial (X \otimes Y)_{(i,a),(j,b)}}{\partial X_{kl}} = \delta_{ik}\delta_{jl}\, Y_{ab},\ \text{indexed } (k,l,(i,a),(j,b))",
    ),
    sources=[mc(39, "the (∂X)⊗Y term")],
    aliases=("d(X⊗Y)/dX",),
    notes="""
    (X⊗Y) is mp×nq with row (i, a) = ip + a and column (j, b) = jq + b. Slice (k, l) of the Jacobian is
    J^kl ⊗ Y, the (∂X)⊗Y term of ∂(X⊗Y) = (∂X)⊗Y + X⊗(∂Y). Shape (mp, nq, m, n).
    """,
)
def kron_dX(X, Y):
    return _kron_dX(X, Y)


@identity(
    f=lambda X, Y: jnp.kron(X, Y),
    find="kron(X, Y)",
    wrt="Y",
    shapes={"X": "m n", "Y": "p q"},
    tex=Tex(
        f=r"X \otimes Y",
        num=r"\frac{\partial (X \otimes Y)_{(i,a),(j,b)}}{\partial Y_{kl}} = X_{ij}\,\delta_{ak}\delta_{bl},\ \text{indexed } ((i,a),(j,b),k,l)",
        den=r"\frac{\partial (X \otimes Y)_{(i,a),(j,b)}}{\partial Y_{kl}} = X_{ij}\,\delta_{ak}\delta_{bl},\ \text{indexed } (k,l,(i,a),(j,b))",
    ),
    sources=[mc(39, "the X⊗(∂Y) term")],
    aliases=("d(X⊗Y)/dY",),
    notes="Slice (k, l) is X ⊗ J^kl. Shape (mp, nq, p, q).",
)
def kron_dY(X, Y):
    return _kron_dY(X, Y)


@identity(
    f=lambda t, A, B, C, D: jnp.kron(A + t * B, C + t**2 * D),
    find="kron(A + t * B, C + t ** 2 * D)",
    wrt="t",
    shapes={"t": "", "A": "m n", "B": "m n", "C": "p q", "D": "p q"},
    tex=Tex(
        f=r"X(t) \otimes Y(t)",
        num=r"\frac{\partial X}{\partial t} \otimes Y + X \otimes \frac{\partial Y}{\partial t} = B \otimes (C + t^2 D) + 2t (A + tB) \otimes D",
        den=r"\left(B \otimes (C + t^2 D) + 2t (A + tB) \otimes D\right)^\top",
        wrt="t",
        where=r"X(t) = A + tB,\ Y(t) = C + t^2 D",
    ),
    sources=[mc(39)],
    aliases=("Kronecker product rule",),
    notes="∂(X⊗Y) = (∂X)⊗Y + X⊗(∂Y) with X(t) = A + tB (m×n) and Y(t) = C + t²D (p×q).",
)
def kron_rule(t, A, B, C, D):
    return jnp.kron(B, C + t**2 * D) + (2 * t) * jnp.kron(A + t * B, D)


@identity(
    f=lambda X: X.T,
    find="X.T",
    wrt="X",
    shapes={"X": "m n"},
    tex=Tex(
        f=r"X^\top",
        num=r"\frac{\partial (X^\top)_{kl}}{\partial X_{ij}} = \delta_{kj}\delta_{li},\ \text{indexed } (k,l,i,j)",
        den=r"\frac{\partial (X^\top)_{kl}}{\partial X_{ij}} = \delta_{kj}\delta_{li},\ \text{indexed } (i,j,k,l)",
    ),
    sources=[mc(44)],
    aliases=("d(X^T)/dX",),
    notes="∂Xᵀ = (∂X)ᵀ: slice (i, j) is J^ji = (J^ij)ᵀ. Shape (n, m, m, n).",
)
def transpose(X):
    m, n = X.shape
    # δ_kj δ_li: ones at (k, l, l, k), one fused select on compared iotas (see _delta4)
    return _iota_delta((n, m, m, n), ((0, 3), (1, 2)), X)


@identity(
    f=lambda X, A: X.T @ A,
    find="X.T @ A",
    wrt="X",
    shapes={"X": "m n", "A": "m p"},
    tex=Tex(
        f=r"X^\top A",
        num=r"\frac{\partial (X^\top A)_{ij}}{\partial X_{mn}} = \delta_{in}\, A_{mj} = (J^{nm} A)_{ij}",
        den=r"\frac{\partial (X^\top A)_{ij}}{\partial X_{mn}} = \delta_{in}\, A_{mj},\ \text{indexed } (m,n,i,j)",
    ),
    sources=[mc(75)],
    aliases=("d(X^T A)/dX",),
    notes="A 4-tensor of shape (n, p, m, n): slice (m, n) is J^nm A.",
)
def XTA(X, A):
    return jnp.einsum("in,mj->ijmn", _eye(X.shape[1], X), A)
