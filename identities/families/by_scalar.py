"""Wikipedia's rules tables (Matrix calculus): vector-by-scalar, matrix-by-scalar, and scalar-by-scalar (with
vectors, with matrices), each checked on a concrete instance.

A rule such as ∂(UV)/∂x = U ∂V/∂x + ∂U/∂x V holds for any differentiable U(x), V(x); the suite checks it on
fixed smooth instances with random coefficients:

- vectors: u(x) = sin(x c), v(x) = exp(x d), so u′ = c ∘ cos(x c), v′ = d ∘ exp(x d);
- matrices: U(x) = cos(x) P + x Q, V(x) = eˣ R + S; where U must be invertible, U(x) = P + xQ (+ x²R),
  with P shifted to keep U diagonally dominant (a joint precondition).

For a derivative by a scalar the JAX array has the output's shape; the numerator layout keeps it (a column
for a vector, U′ for a matrix) and the denominator layout transposes it (a row, U′ᵀ).
"""

from __future__ import annotations

import jax.numpy as jnp

from .._core import Tex, identity, staple, wiki
from .._structures import invertible_combination
from .trace import cosm, expm, sinm


def _u(x, c):
    return jnp.sin(x * c)


def _du(x, c):
    return c * jnp.cos(x * c)


def _v(x, d):
    return jnp.exp(x * d)


def _dv(x, d):
    return d * jnp.exp(x * d)


# --- vector-by-scalar ----------------------------------------------------------------------------------------
@identity(
    f=lambda x, a: a,
    wrt="x",
    shapes={"x": "", "a": "n"},
    tex=Tex(f="a", num="0", den=r"0^\top"),
    sources=[wiki("vector-by-scalar: ∂a/∂x")],
    notes="a does not depend on x.",
)
def vs_const(x, a):
    return jnp.zeros_like(a)


@identity(
    f=lambda a, x, c: a * _u(x, c),
    find="a * sin(x * c)",
    wrt="x",
    shapes={"a": "", "x": "", "c": "n"},
    tex=Tex(
        f=r"a\,u(x)",
        num=r"a \frac{\partial u}{\partial x}",
        den=r"a \frac{\partial u}{\partial x}^{\!\top}",
        where=r"u = \sin(x c)",
    ),
    sources=[wiki("vector-by-scalar: ∂au/∂x")],
)
def vs_scalar_multiple(a, x, c):
    return a * _du(x, c)


@identity(
    f=lambda A, x, c: A @ _u(x, c),
    find="A @ sin(x * c)",
    wrt="x",
    shapes={"A": "m n", "x": "", "c": "n"},
    tex=Tex(
        f=r"A\,u(x)",
        num=r"A \frac{\partial u}{\partial x}",
        den=r"\frac{\partial u}{\partial x} A^\top",
        where=r"u = \sin(x c)",
    ),
    sources=[wiki("vector-by-scalar: ∂Au/∂x")],
)
def vs_matrix_times(A, x, c):
    return A @ _du(x, c)


@identity(
    f=lambda x, c, d: _u(x, c) + _v(x, d),
    find="sin(x * c) + exp(x * d)",
    wrt="x",
    shapes={"x": "", "c": "n", "d": "n"},
    tex=Tex(
        f="u + v",
        num=r"\frac{\partial u}{\partial x} + \frac{\partial v}{\partial x}",
        den=r"\frac{\partial u}{\partial x} + \frac{\partial v}{\partial x}\ \text{(rows)}",
        where=r"u = \sin(x c),\ v = e^{x d}",
    ),
    sources=[wiki("vector-by-scalar: ∂(u+v)/∂x")],
)
def vs_sum(x, c, d):
    return _du(x, c) + _dv(x, d)


@identity(
    f=lambda x, c, d: jnp.cross(_u(x, c), _v(x, d)),
    find="cross(sin(x * c), exp(x * d))",
    wrt="x",
    shapes={"x": "", "c": "3", "d": "3"},
    tex=Tex(
        f=r"u \times v",
        num=r"\frac{\partial u}{\partial x} \times v + u \times \frac{\partial v}{\partial x}",
        den=r"\left(\frac{\partial u}{\partial x} \times v + u \times \frac{\partial v}{\partial x}\right)^\top",
        where=r"u = \sin(x c),\ v = e^{x d} \in \mathbb{R}^3",
    ),
    sources=[staple("the product rule of the ℝ³ cross product")],
    notes="""
    The order of the factors matters: the cross product is anticommutative. Not Wikipedia's ∂(uᵀ×v)/∂x
    row: there × is the matrix product (by_scalar.vs_uT_times_v).
    """,
)
def vs_cross(x, c, d):
    return jnp.cross(_du(x, c), _v(x, d)) + jnp.cross(_u(x, c), _dv(x, d))


@identity(
    f=lambda x, c, d: _u(x, c) @ _v(x, d),
    find="sin(x * c) @ exp(x * d)",
    wrt="x",
    shapes={"x": "", "c": "n", "d": "n"},
    tex=Tex(
        f=r"u^\top v",
        num=r"\left(\frac{\partial u}{\partial x}\right)^{\!\top} v + u^\top \frac{\partial v}{\partial x}",
        den=r"\frac{\partial u}{\partial x} v + u^\top \left(\frac{\partial v}{\partial x}\right)^{\!\top}",
        where=r"u = \sin(x c),\ v = e^{x d}",
    ),
    sources=[
        wiki("vector-by-scalar: ∂(uᵀ×v)/∂x", "× is the matrix product: uᵀ×v is the scalar uᵀv"),
        wiki("scalar-by-scalar with vectors: ∂(u·v)/∂x"),
    ],
    notes="""
    Wikipedia's ∂(uᵀ × v)/∂x, where × is the matrix product, so the function is the scalar uᵀv = u·v (also
    the scalar-by-scalar row ∂(u·v)/∂x = u·v′ + u′·v). In denominator layout ∂u/∂x is a row, hence the
    transposes swap places; both forms are the same number.
    """,
)
def vs_uT_times_v(x, c, d):
    return _du(x, c) @ _v(x, d) + _u(x, c) @ _dv(x, d)


@identity(
    f=lambda B, x, c: jnp.tanh(B @ _u(x, c)),
    find="tanh(B @ sin(x * c))",
    wrt="x",
    shapes={"B": "m n", "x": "", "c": "n"},
    tex=Tex(
        f=r"g(u),\ g(u) = \tanh(Bu)",
        num=r"\frac{\partial g}{\partial u} \frac{\partial u}{\partial x}",
        den=r"\frac{\partial u}{\partial x} \frac{\partial g}{\partial u}",
        where=r"\frac{\partial g}{\partial u} = \operatorname{diag}(1 - g^2)\, B \text{ (numerator)},\ u = \sin(xc)",
    ),
    sources=[wiki("vector-by-scalar: ∂g(u)/∂x")],
    notes="The chain rule: in numerator layout the factors compose left to right from the output, in denominator layout the other way.",
)
def vs_chain(B, x, c):
    g = jnp.tanh(B @ _u(x, c))
    return (1 - g * g) * (B @ _du(x, c))


@identity(
    f=lambda C, B, x, c: C @ jnp.tanh(B @ _u(x, c)) ** 2,
    find="C @ tanh(B @ sin(x * c)) ** 2",
    wrt="x",
    shapes={"C": "p m", "B": "m n", "x": "", "c": "n"},
    tex=Tex(
        f=r"f(g(u)),\ f(g) = C (g \circ g),\ g(u) = \tanh(Bu)",
        num=r"\frac{\partial f}{\partial g} \frac{\partial g}{\partial u} \frac{\partial u}{\partial x}",
        den=r"\frac{\partial u}{\partial x} \frac{\partial g}{\partial u} \frac{\partial f}{\partial g}",
        where=r"\frac{\partial f}{\partial g} = C \operatorname{diag}(2g)",
    ),
    sources=[wiki("vector-by-scalar: ∂f(g(u))/∂x")],
)
def vs_chain2(C, B, x, c):
    g = jnp.tanh(B @ _u(x, c))
    return C @ (2 * g * (1 - g * g) * (B @ _du(x, c)))


# --- matrix-by-scalar ----------------------------------------------------------------------------------------
def _U(x, P, Q):
    return jnp.cos(x) * P + x * Q


def _dU(x, P, Q):
    return -jnp.sin(x) * P + Q


def _V(x, R, S):
    return jnp.exp(x) * R + S


def _dV(x, R, S):
    return jnp.exp(x) * R


_UWHERE = r"U = \cos(x) P + x Q,\ V = e^x R + S"


@identity(
    f=lambda x, P, Q, d: _U(x, P, Q) @ _v(x, d),
    find="(cos(x) * P + x * Q) @ exp(x * d)",
    wrt="x",
    shapes={"x": "", "P": "m n", "Q": "m n", "d": "n"},
    tex=Tex(
        f=r"U v",
        num=r"\frac{\partial U}{\partial x} v + U \frac{\partial v}{\partial x}",
        den=r"v^\top \left(\frac{\partial U}{\partial x}\right)^{\!\top} + \frac{\partial v}{\partial x} U^\top",
        where=r"U = \cos(x) P + x Q,\ v = e^{x d}",
    ),
    sources=[wiki("vector-by-scalar: ∂(U×v)/∂x", "× is the matrix product")],
    notes="""
    The last row of Wikipedia's vector-by-scalar table (× the matrix product; declared here, after U(x)). The
    article's denominator entry reads vᵀ(∂U/∂x) + (∂v/∂x)Uᵀ, which multiplies only when U is square; the row
    vector is vᵀ(∂U/∂x)ᵀ + (∂v/∂x)Uᵀ, as written here (checked with U of m×n, m ≠ n).
    """,
)
def vs_U_times_v(x, P, Q, d):
    return _dU(x, P, Q) @ _v(x, d) + _U(x, P, Q) @ _dv(x, d)


@identity(
    f=lambda a, x, P, Q: a * _U(x, P, Q),
    find="a * (cos(x) * P + x * Q)",
    wrt="x",
    shapes={"a": "", "x": "", "P": "m n", "Q": "m n"},
    tex=Tex(
        f="aU",
        num=r"a \frac{\partial U}{\partial x}",
        den=r"a \frac{\partial U}{\partial x}^{\!\top}",
        where=_UWHERE,
    ),
    sources=[wiki("matrix-by-scalar: ∂aU/∂x")],
)
def ms_scalar_multiple(a, x, P, Q):
    return a * _dU(x, P, Q)


@identity(
    f=lambda A, x, P, Q, B: A @ _U(x, P, Q) @ B,
    find="A @ (cos(x) * P + x * Q) @ B",
    wrt="x",
    shapes={"A": "p m", "x": "", "P": "m n", "Q": "m n", "B": "n q"},
    tex=Tex(
        f="AUB",
        num=r"A \frac{\partial U}{\partial x} B",
        den=r"B^\top \frac{\partial U}{\partial x}^{\!\top} A^\top",
        where=_UWHERE,
    ),
    sources=[wiki("matrix-by-scalar: ∂AUB/∂x")],
)
def ms_AUB(A, x, P, Q, B):
    return A @ _dU(x, P, Q) @ B


@identity(
    f=lambda x, P, Q, R, S: _U(x, P, Q) + _V(x, R, S),
    find="cos(x) * P + x * Q + (exp(x) * R + S)",
    wrt="x",
    shapes={"x": "", "P": "m n", "Q": "m n", "R": "m n", "S": "m n"},
    tex=Tex(
        f="U + V",
        num=r"\frac{\partial U}{\partial x} + \frac{\partial V}{\partial x}",
        den=r"\left(\frac{\partial U}{\partial x} + \frac{\partial V}{\partial x}\right)^\top",
        where=_UWHERE,
    ),
    sources=[wiki("matrix-by-scalar: ∂(U+V)/∂x")],
)
def ms_sum(x, P, Q, R, S):
    return _dU(x, P, Q) + _dV(x, R, S)


@identity(
    f=lambda x, P, Q, R, S: _U(x, P, Q) @ _V(x, R, S),
    find="(cos(x) * P + x * Q) @ (exp(x) * R + S)",
    wrt="x",
    shapes={"x": "", "P": "m n", "Q": "m n", "R": "n p", "S": "n p"},
    tex=Tex(
        f="UV",
        num=r"U \frac{\partial V}{\partial x} + \frac{\partial U}{\partial x} V",
        den=r"\left(U \frac{\partial V}{\partial x} + \frac{\partial U}{\partial x} V\right)^\top",
        where=_UWHERE,
    ),
    sources=[wiki("matrix-by-scalar: ∂(UV)/∂x")],
)
def ms_product(x, P, Q, R, S):
    return _U(x, P, Q) @ _dV(x, R, S) + _dU(x, P, Q) @ _V(x, R, S)


@identity(
    f=lambda x, P, Q, R, S: jnp.kron(_U(x, P, Q), _V(x, R, S)),
    find="kron(cos(x) * P + x * Q, exp(x) * R + S)",
    wrt="x",
    shapes={"x": "", "P": "m n", "Q": "m n", "R": "p q", "S": "p q"},
    tex=Tex(
        f=r"U \otimes V",
        num=r"U \otimes \frac{\partial V}{\partial x} + \frac{\partial U}{\partial x} \otimes V",
        den=r"\left(U \otimes \frac{\partial V}{\partial x} + \frac{\partial U}{\partial x} \otimes V\right)^\top",
        where=_UWHERE,
    ),
    sources=[wiki("matrix-by-scalar: ∂(U⊗V)/∂x")],
)
def ms_kron(x, P, Q, R, S):
    return jnp.kron(_U(x, P, Q), _dV(x, R, S)) + jnp.kron(_dU(x, P, Q), _V(x, R, S))


@identity(
    f=lambda x, P, Q, R, S: _U(x, P, Q) * _V(x, R, S),
    find="(cos(x) * P + x * Q) * (exp(x) * R + S)",
    wrt="x",
    shapes={"x": "", "P": "m n", "Q": "m n", "R": "m n", "S": "m n"},
    tex=Tex(
        f=r"U \circ V",
        num=r"U \circ \frac{\partial V}{\partial x} + \frac{\partial U}{\partial x} \circ V",
        den=r"\left(U \circ \frac{\partial V}{\partial x} + \frac{\partial U}{\partial x} \circ V\right)^\top",
        where=_UWHERE,
    ),
    sources=[wiki("matrix-by-scalar: ∂(U∘V)/∂x")],
)
def ms_hadamard(x, P, Q, R, S):
    return _U(x, P, Q) * _dV(x, R, S) + _dU(x, P, Q) * _V(x, R, S)


@identity(
    f=lambda x, P, Q: jnp.linalg.inv(P + x * Q),
    find="inv(P + x * Q)",
    wrt="x",
    shapes={"x": "", "P": "n n", "Q": "n n"},
    joint=[invertible_combination("P + xQ", lambda x, P, Q: P + x * Q, ("x", "P", "Q"), fix="P")],
    tex=Tex(
        f=r"U^{-1},\ U = P + xQ",
        num=r"-U^{-1} \frac{\partial U}{\partial x} U^{-1}",
        den=r"-U^{-\top} \frac{\partial U}{\partial x}^{\!\top} U^{-\top}",
    ),
    sources=[wiki("matrix-by-scalar: ∂U⁻¹/∂x")],
)
def ms_inverse(x, P, Q):
    Y = jnp.linalg.inv(P + x * Q)
    return -(Y @ Q @ Y)


def _Uxy(x, y, P, Q, R, S):
    return P + x * Q + y * R + (x * y) * S


@identity(
    f=lambda x, y, P, Q, R, S: (
        -(jnp.linalg.inv(_Uxy(x, y, P, Q, R, S)) @ (R + x * S) @ jnp.linalg.inv(_Uxy(x, y, P, Q, R, S)))
    ),
    find="-(inv(P + x * Q + y * R + x * y * S) @ (R + x * S) @ inv(P + x * Q + y * R + x * y * S))",
    wrt="x",
    shapes={"x": "", "y": "", "P": "n n", "Q": "n n", "R": "n n", "S": "n n"},
    joint=[
        invertible_combination(
            "P + xQ + yR + xyS", lambda x, y, P, Q, R, S: _Uxy(x, y, P, Q, R, S), ("x", "y", "P", "Q", "R", "S"), "P"
        )
    ],
    tex=Tex(
        f=r"\frac{\partial U^{-1}}{\partial y},\ U = P + xQ + yR + xyS",
        num=r"U^{-1}\left(\frac{\partial U}{\partial x} U^{-1} \frac{\partial U}{\partial y}"
        r" - \frac{\partial^2 U}{\partial x \partial y} + \frac{\partial U}{\partial y} U^{-1} \frac{\partial U}{\partial x}\right) U^{-1}",
        den=r"\text{the transpose of the numerator form}",
    ),
    sources=[wiki("matrix-by-scalar: ∂²U⁻¹/∂x∂y")],
    notes="""
    f is ∂U⁻¹/∂y written by the previous row (−U⁻¹ U_y U⁻¹, U_y = R + xS); its derivative by x is the
    mixed second derivative, with U_x = Q + yS and U_xy = S.
    """,
)
def ms_inverse_mixed(x, y, P, Q, R, S):
    Y = jnp.linalg.inv(_Uxy(x, y, P, Q, R, S))
    Ux, Uy = Q + y * S, R + x * S
    return Y @ (Ux @ Y @ Uy - S + Uy @ Y @ Ux) @ Y


@identity(
    f=lambda x, A: expm(x * A),
    find="expm(x * A)",
    wrt="x",
    shapes={"x": "", "A": "n n"},
    tex=Tex(f=r"e^{xA}", num=r"A e^{xA} = e^{xA} A", den=r"(A e^{xA})^\top"),
    sources=[wiki("matrix-by-scalar: ∂e^{xA}/∂x")],
    notes="A commutes with e^{xA}, so both orders agree.",
)
def ms_expm(x, A):
    return A @ expm(x * A)


@identity(
    f=lambda x, A: sinm(x * A),
    wrt="x",
    shapes={"x": "", "A": "n n"},
    tex=Tex(f=r"g(xA),\ g = \sin", num=r"A g'(xA) = g'(xA) A", den=r"(A g'(xA))^\top", where=r"g' = \cos"),
    sources=[wiki("matrix-by-scalar: ∂g(xA)/∂x")],
    notes="Wikipedia states it for polynomials and power series g; checked with g = sin, g′ = cos (matrix functions).",
)
def ms_g_xA(x, A):
    return A @ cosm(x * A)


# --- scalar-by-scalar with vectors (the other row, ∂(u·v)/∂x, is vs_uT_times_v) ---------------------------------
@identity(
    f=lambda x, c: jnp.log1p(_u(x, c) @ _u(x, c)),
    find="log(1 + sin(x * c) @ sin(x * c))",
    wrt="x",
    shapes={"x": "", "c": "n"},
    tex=Tex(
        f=r"g(u),\ g(u) = \ln(1 + u^\top u)",
        num=r"\frac{\partial g(u)}{\partial u} \cdot \frac{\partial u}{\partial x}",
        den=r"\frac{\partial g(u)}{\partial u} \cdot \frac{\partial u}{\partial x}",
        where=r"\frac{\partial g}{\partial u} = \frac{2u}{1 + u^\top u},\ u = \sin(x c)",
    ),
    sources=[wiki("scalar-by-scalar with vectors: ∂g(u)/∂x")],
    notes="The chain rule through a vector; a dot product, so the same in every layout.",
)
def ss_vector_chain(x, c):
    u = _u(x, c)
    return (2 * u / (1 + u @ u)) @ _du(x, c)


# --- scalar-by-scalar with matrices --------------------------------------------------------------------------
def _W(x, P, Q, R):
    return P + x * Q + (x * x) * R


def _inv_joint():
    return [invertible_combination("P + xQ + x²R", _W, ("x", "P", "Q", "R"), "P")]


_WTEX = r"U = P + xQ + x^2 R"


@identity(
    f=lambda x, P, Q, R: jnp.linalg.det(_W(x, P, Q, R)),
    find="det(P + x * Q + x * x * R)",
    wrt="x",
    shapes={"x": "", "P": "n n", "Q": "n n", "R": "n n"},
    joint=_inv_joint(),
    tex=Tex(
        f=r"\lvert U \rvert",
        num=r"\lvert U \rvert \operatorname{tr}\left(U^{-1} \frac{\partial U}{\partial x}\right)",
        den=r"\lvert U \rvert \operatorname{tr}\left(U^{-1} \frac{\partial U}{\partial x}\right)",
        where=_WTEX,
    ),
    sources=[wiki("scalar-by-scalar with matrices: ∂|U|/∂x")],
)
def ss_det(x, P, Q, R):
    U = _W(x, P, Q, R)
    return jnp.linalg.det(U) * jnp.trace(jnp.linalg.solve(U, Q + 2 * x * R))


@identity(
    f=lambda x, P, Q, R: jnp.linalg.slogdet(_W(x, P, Q, R))[1],
    find="logdet(P + x * Q + x * x * R)",
    wrt="x",
    shapes={"x": "", "P": "n n", "Q": "n n", "R": "n n"},
    joint=_inv_joint(),
    tex=Tex(
        f=r"\ln \lvert U \rvert",
        num=r"\operatorname{tr}\left(U^{-1} \frac{\partial U}{\partial x}\right)",
        den=r"\operatorname{tr}\left(U^{-1} \frac{\partial U}{\partial x}\right)",
        where=_WTEX,
    ),
    sources=[wiki("scalar-by-scalar with matrices: ∂ln|U|/∂x")],
)
def ss_logdet(x, P, Q, R):
    U = _W(x, P, Q, R)
    return jnp.trace(jnp.linalg.solve(U, Q + 2 * x * R))


@identity(
    f=lambda x, P, Q, R: jnp.linalg.det(_W(x, P, Q, R)),
    find="det(P + x * Q + x * x * R)",
    wrt="x",
    kind="hessian",
    shapes={"x": "", "P": "n n", "Q": "n n", "R": "n n"},
    joint=_inv_joint(),
    tex=Tex(
        f=r"\lvert U \rvert",
        num=r"\lvert U \rvert \left[\operatorname{tr}\left(U^{-1} \frac{\partial^2 U}{\partial x^2}\right)"
        r" + \operatorname{tr}^2\left(U^{-1} \frac{\partial U}{\partial x}\right)"
        r" - \operatorname{tr}\left(\left(U^{-1} \frac{\partial U}{\partial x}\right)^2\right)\right]",
        den=r"\text{the same (a scalar)}",
        where=_WTEX,
    ),
    sources=[wiki("scalar-by-scalar with matrices: ∂²|U|/∂x²")],
    notes="The same formula is MC (48) (mc-a's range); checked here against jax.hessian in x.",
)
def ss_det_second(x, P, Q, R):
    U = _W(x, P, Q, R)
    M1 = jnp.linalg.solve(U, Q + 2 * x * R)
    M2 = jnp.linalg.solve(U, 2 * R)
    t1 = jnp.trace(M1)
    return jnp.linalg.det(U) * (jnp.trace(M2) + t1 * t1 - jnp.sum(M1 * M1.T))


@identity(
    f=lambda x, P, Q, R: jnp.sum(_W(x, P, Q, R) ** 2),
    find="sum((P + x * Q + x * x * R) ** 2)",
    wrt="x",
    shapes={"x": "", "P": "m n", "Q": "m n", "R": "m n"},
    tex=Tex(
        f=r"g(U),\ g(U) = \lVert U \rVert_F^2",
        num=r"\operatorname{tr}\left(\frac{\partial g}{\partial U} \frac{\partial U}{\partial x}\right)",
        den=r"\operatorname{tr}\left(\left(\frac{\partial g}{\partial U}\right)^{\!\top} \frac{\partial U}{\partial x}\right)",
        where=_WTEX + r",\ \partial g / \partial U = 2U \text{ (denominator)}",
    ),
    sources=[wiki("scalar-by-scalar with matrices: ∂g(U)/∂x")],
    notes="The chain rule through a matrix: in numerator layout ∂g/∂U is 2Uᵀ and the trace reads tr(2UᵀU′).",
)
def ss_chain(x, P, Q, R):
    return 2 * jnp.sum(_W(x, P, Q, R) * (Q + 2 * x * R))


@identity(
    f=lambda x, A: jnp.trace(sinm(x * A)),
    wrt="x",
    shapes={"x": "", "A": "n n"},
    tex=Tex(
        f=r"\operatorname{tr} g(xA),\ g = \sin",
        num=r"\operatorname{tr}\left(A g'(xA)\right)",
        den=r"\operatorname{tr}\left(A g'(xA)\right)",
        where=r"g' = \cos",
    ),
    sources=[wiki("scalar-by-scalar with matrices: ∂tr(g(xA))/∂x")],
    notes="Wikipedia states it for polynomials and power series g; checked with g = sin, g′ = cos (matrix functions).",
)
def ss_tr_g_xA(x, A):
    return jnp.trace(A @ cosm(x * A))


@identity(
    f=lambda x, A: jnp.trace(expm(x * A)),
    find="trace(expm(x * A))",
    wrt="x",
    shapes={"x": "", "A": "n n"},
    tex=Tex(
        f=r"\operatorname{tr} e^{xA}",
        num=r"\operatorname{tr}\left(A e^{xA}\right)",
        den=r"\operatorname{tr}\left(A e^{xA}\right)",
    ),
    sources=[wiki("scalar-by-scalar with matrices: ∂tr(e^{xA})/∂x")],
    notes="The trace of the matrix-by-scalar row ∂e^{xA}/∂x = Ae^{xA} (by_scalar.ms_expm).",
)
def ss_tr_expm_xA(x, A):
    return jnp.trace(A @ expm(x * A))
