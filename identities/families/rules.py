"""Wikipedia's general rules (constant multiple, sum, product, chain) in the vector-by-vector,
scalar-by-vector and scalar-by-matrix tables, each instantiated with concrete functions.

A rule about arbitrary functions u, v, g, f is declared through one instance whose every factor is
non-trivial (u = sin(Px), v = (Qx)∘(Qx), g = tanh(B·), ...), stated in ``where``; the check then
compares the rule's right-hand side, assembled from the instance's own Jacobians, with autodiff of the
composition. Closed forms are spelled without forming diagonal matrices (a row scaling instead).
"""

from __future__ import annotations

import jax.numpy as jnp

from .._core import Tex, identity, wiki

_VV = {"x": "n", "P": "m n"}


# --- vector by vector ----------------------------------------------------------------------------------
@identity(
    f=lambda x, a, P: a * jnp.sin(P @ x),
    find="a * sin(P @ x)",
    wrt="x",
    shapes={"x": "n", "a": "", "P": "m n"},
    tex=Tex(
        f="a\\,u(x)",
        num=r"a\frac{\partial u}{\partial x}",
        den=r"a\frac{\partial u}{\partial x}",
        where=r"u = \sin(Px),\ \frac{\partial u}{\partial x} = \operatorname{diag}(\cos Px)\,P \text{ (numerator)}",
    ),
    sources=[wiki("vector-by-vector: ∂au/∂x")],
    notes="a a scalar constant. The denominator column is the transpose of the numerator one: a(∂u/∂x)ᵀ.",
)
def vv_const_multiple(x, a, P):
    return a * (jnp.cos(P @ x)[:, None] * P)


@identity(
    f=lambda x, p, a: jnp.sin(p @ x) * a,
    find="sin(p @ x) * a",
    wrt="x",
    shapes={"x": "n", "p": "n", "a": "m"},
    tex=Tex(
        f="v(x)\\,a",
        num=r"a\frac{\partial v}{\partial x}",
        den=r"\frac{\partial v}{\partial x} a^\top",
        where=r"v = \sin(p^\top x) \text{ (a scalar)},\ \frac{\partial v}{\partial x} = \cos(p^\top x)\, p^\top \text{ (numerator)}",
    ),
    sources=[wiki("vector-by-vector: ∂va/∂x")],
    notes="v scalar-valued, a a constant vector: the Jacobian is the outer product a(∂v/∂x), rank one.",
)
def vv_scalar_times_const(x, p, a):
    return jnp.outer(a, jnp.cos(p @ x) * p)


@identity(
    f=lambda x, P: (x @ x) * jnp.sin(P @ x),
    find="x @ x * sin(P @ x)",
    wrt="x",
    shapes=_VV,
    tex=Tex(
        f="v(x)\\,u(x)",
        num=r"v\frac{\partial u}{\partial x} + u\frac{\partial v}{\partial x}",
        den=r"v\frac{\partial u}{\partial x} + \frac{\partial v}{\partial x} u^\top",
        where=r"v = x^\top x \text{ (a scalar)},\ u = \sin(Px)",
    ),
    sources=[wiki("vector-by-vector: ∂vu/∂x")],
    notes="v scalar-valued, u vector-valued: the second term is the outer product u(∂v/∂x) = u(2x)ᵀ.",
)
def vv_scalar_times_vector(x, P):
    return (x @ x) * (jnp.cos(P @ x)[:, None] * P) + jnp.outer(jnp.sin(P @ x), 2 * x)


@identity(
    f=lambda x, A, P: A @ jnp.sin(P @ x),
    find="A @ sin(P @ x)",
    wrt="x",
    shapes={"x": "n", "A": "k m", "P": "m n"},
    tex=Tex(
        f="A\\,u(x)",
        num=r"A\frac{\partial u}{\partial x}",
        den=r"\frac{\partial u}{\partial x} A^\top",
        where=r"u = \sin(Px)",
    ),
    sources=[wiki("vector-by-vector: ∂Au/∂x")],
    notes="Spelled (A∘cos(Px)ᵀ)P: A's columns scaled, then one product.",
)
def vv_matrix_times(x, A, P):
    return (A * jnp.cos(P @ x)[None, :]) @ P


@identity(
    f=lambda x, P, Q: jnp.sin(P @ x) + (Q @ x) ** 2,
    find="sin(P @ x) + (Q @ x) ** 2",
    wrt="x",
    shapes={"x": "n", "P": "m n", "Q": "m n"},
    tex=Tex(
        f="u(x) + v(x)",
        num=r"\frac{\partial u}{\partial x} + \frac{\partial v}{\partial x}",
        den=r"\frac{\partial u}{\partial x} + \frac{\partial v}{\partial x}",
        where=r"u = \sin(Px),\ v = (Qx)^{\circ 2}",
    ),
    sources=[wiki("vector-by-vector: ∂(u+v)/∂x")],
)
def vv_sum(x, P, Q):
    return jnp.cos(P @ x)[:, None] * P + (2 * (Q @ x))[:, None] * Q


@identity(
    f=lambda x, B, P: jnp.tanh(B @ jnp.sin(P @ x)),
    find="tanh(B @ sin(P @ x))",
    wrt="x",
    shapes={"x": "n", "B": "k m", "P": "m n"},
    tex=Tex(
        f="g(u(x))",
        num=r"\frac{\partial g(u)}{\partial u}\frac{\partial u}{\partial x}",
        den=r"\frac{\partial u}{\partial x}\frac{\partial g(u)}{\partial u}",
        where=r"u = \sin(Px),\ g(u) = \tanh(Bu)",
    ),
    sources=[wiki("vector-by-vector: ∂g(u)/∂x")],
    notes="The chain rule; in denominator layout the factors come in the reverse order.",
)
def vv_chain(x, B, P):
    u = jnp.sin(P @ x)
    gu = (1 - jnp.tanh(B @ u) ** 2)[:, None] * B  # ∂g/∂u
    return gu @ (jnp.cos(P @ x)[:, None] * P)


@identity(
    f=lambda x, C, B, P: jnp.exp(C @ jnp.tanh(B @ jnp.sin(P @ x))),
    find="exp(C @ tanh(B @ sin(P @ x)))",
    wrt="x",
    shapes={"x": "n", "C": "j k", "B": "k m", "P": "m n"},
    tex=Tex(
        f="f(g(u(x)))",
        num=r"\frac{\partial f(g)}{\partial g}\frac{\partial g(u)}{\partial u}\frac{\partial u}{\partial x}",
        den=r"\frac{\partial u}{\partial x}\frac{\partial g(u)}{\partial u}\frac{\partial f(g)}{\partial g}",
        where=r"u = \sin(Px),\ g(u) = \tanh(Bu),\ f(g) = \exp(Cg)",
    ),
    sources=[wiki("vector-by-vector: ∂f(g(u))/∂x")],
    notes="Three links; the product is formed right to left so no temporary exceeds j×m.",
)
def vv_chain3(x, C, B, P):
    u = jnp.sin(P @ x)
    g = jnp.tanh(B @ u)
    fg = jnp.exp(C @ g)[:, None] * C  # ∂f/∂g, j×k
    return ((fg * (1 - g**2)[None, :]) @ B * jnp.cos(P @ x)[None, :]) @ P


# --- scalar by vector ----------------------------------------------------------------------------------
@identity(
    f=lambda a, x: a,
    wrt="x",
    shapes={"a": "", "x": "n"},
    tex=Tex(f="a", num=r"0^\top", den="0"),
    sources=[wiki("scalar-by-vector: ∂a/∂x")],
    notes="a does not depend on x: the gradient is the zero vector.",
)
def sv_constant(a, x):
    return jnp.zeros_like(x)


@identity(
    f=lambda x, a, c: a * jnp.sin(c @ x),
    find="a * sin(c @ x)",
    wrt="x",
    shapes={"x": "n", "a": "", "c": "n"},
    tex=Tex(
        f="a\\,u(x)",
        num=r"a\frac{\partial u}{\partial x}",
        den=r"a\frac{\partial u}{\partial x}",
        where=r"u = \sin(c^\top x)",
    ),
    sources=[wiki("scalar-by-vector: ∂au/∂x")],
)
def sv_const_multiple(x, a, c):
    return (a * jnp.cos(c @ x)) * c


@identity(
    f=lambda x, c: jnp.sin(c @ x) + x @ x,
    find="sin(c @ x) + x @ x",
    wrt="x",
    shapes={"x": "n", "c": "n"},
    tex=Tex(
        f="u(x) + v(x)",
        num=r"\frac{\partial u}{\partial x} + \frac{\partial v}{\partial x}",
        den=r"\frac{\partial u}{\partial x} + \frac{\partial v}{\partial x}",
        where=r"u = \sin(c^\top x),\ v = x^\top x",
    ),
    sources=[wiki("scalar-by-vector: ∂(u+v)/∂x")],
)
def sv_sum(x, c):
    return jnp.cos(c @ x) * c + 2 * x


@identity(
    f=lambda x, c: jnp.sin(c @ x) * (x @ x),
    find="sin(c @ x) * (x @ x)",
    wrt="x",
    shapes={"x": "n", "c": "n"},
    tex=Tex(
        f="u(x)\\,v(x)",
        num=r"u\frac{\partial v}{\partial x} + v\frac{\partial u}{\partial x}",
        den=r"u\frac{\partial v}{\partial x} + v\frac{\partial u}{\partial x}",
        where=r"u = \sin(c^\top x),\ v = x^\top x",
    ),
    sources=[wiki("scalar-by-vector: ∂uv/∂x")],
)
def sv_product(x, c):
    return jnp.sin(c @ x) * (2 * x) + (x @ x) * jnp.cos(c @ x) * c


@identity(
    f=lambda x, c: jnp.exp(jnp.sin(c @ x)),
    find="exp(sin(c @ x))",
    wrt="x",
    shapes={"x": "n", "c": "n"},
    tex=Tex(
        f="g(u(x))",
        num=r"\frac{\partial g(u)}{\partial u}\frac{\partial u}{\partial x}",
        den=r"\frac{\partial g(u)}{\partial u}\frac{\partial u}{\partial x}",
        where=r"u = \sin(c^\top x),\ g(u) = e^u",
    ),
    sources=[wiki("scalar-by-vector: ∂g(u)/∂x")],
)
def sv_chain(x, c):
    u = jnp.sin(c @ x)
    return jnp.exp(u) * jnp.cos(c @ x) * c


@identity(
    f=lambda x, c: jnp.log1p(jnp.exp(jnp.sin(c @ x)) ** 2),
    find="log(1 + exp(sin(c @ x)) ** 2)",
    wrt="x",
    shapes={"x": "n", "c": "n"},
    tex=Tex(
        f="f(g(u(x)))",
        num=r"\frac{\partial f(g)}{\partial g}\frac{\partial g(u)}{\partial u}\frac{\partial u}{\partial x}",
        den=r"\frac{\partial f(g)}{\partial g}\frac{\partial g(u)}{\partial u}\frac{\partial u}{\partial x}",
        where=r"u = \sin(c^\top x),\ g(u) = e^u,\ f(g) = \ln(1 + g^2)",
    ),
    sources=[wiki("scalar-by-vector: ∂f(g(u))/∂x")],
)
def sv_chain3(x, c):
    u = jnp.sin(c @ x)
    g = jnp.exp(u)
    return (2 * g / (1 + g**2)) * g * jnp.cos(c @ x) * c


@identity(
    f=lambda x, P, Q: jnp.sin(P @ x) @ (Q @ x) ** 2,
    find="sin(P @ x) @ (Q @ x) ** 2",
    wrt="x",
    shapes={"x": "n", "P": "m n", "Q": "m n"},
    tex=Tex(
        f=r"u(x) \cdot v(x)",
        num=r"u^\top\frac{\partial v}{\partial x} + v^\top\frac{\partial u}{\partial x}",
        den=r"\frac{\partial u}{\partial x} v + \frac{\partial v}{\partial x} u",
        where=r"u = \sin(Px),\ v = (Qx)^{\circ 2}",
    ),
    sources=[wiki("scalar-by-vector: ∂(u·v)/∂x")],
    notes="Spelled (u∘2Qx)ᵀQ + (v∘cos Px)ᵀP: vector-matrix products, no Jacobian formed.",
)
def sv_dot(x, P, Q):
    px, qx = P @ x, Q @ x
    return (jnp.sin(px) * (2 * qx)) @ Q + (qx**2 * jnp.cos(px)) @ P


@identity(
    f=lambda x, a, P: a @ jnp.sin(P @ x),
    find="a @ sin(P @ x)",
    wrt="x",
    shapes={"x": "n", "a": "m", "P": "m n"},
    tex=Tex(
        f=r"a \cdot u(x)",
        num=r"a^\top\frac{\partial u}{\partial x}",
        den=r"\frac{\partial u}{\partial x} a",
        where=r"u = \sin(Px)",
    ),
    sources=[wiki("scalar-by-vector: ∂(a·u)/∂x")],
)
def sv_const_dot(x, a, P):
    return (a * jnp.cos(P @ x)) @ P


# --- scalar by matrix ----------------------------------------------------------------------------------
_SM = {"X": "m n", "p": "m", "q": "n"}


def _pXq(X, p, q):
    return p @ X @ q


@identity(
    f=lambda X, a, p, q: a * jnp.sin(_pXq(X, p, q)),
    find="a * sin(p @ X @ q)",
    wrt="X",
    shapes={"X": "m n", "a": "", "p": "m", "q": "n"},
    tex=Tex(
        f="a\\,u(X)",
        num=r"a\frac{\partial u}{\partial X}",
        den=r"a\frac{\partial u}{\partial X}",
        where=r"u = \sin(p^\top X q),\ \frac{\partial u}{\partial X} = \cos(p^\top X q)\, p q^\top \text{ (denominator)}",
    ),
    sources=[wiki("scalar-by-matrix: ∂au/∂X")],
)
def sm_const_multiple(X, a, p, q):
    return (a * jnp.cos(_pXq(X, p, q))) * jnp.outer(p, q)


@identity(
    f=lambda X, p, q: jnp.sin(_pXq(X, p, q)) + jnp.sum(X * X),
    find="sin(p @ X @ q) + sum(X * X)",
    wrt="X",
    shapes=_SM,
    tex=Tex(
        f="u(X) + v(X)",
        num=r"\frac{\partial u}{\partial X} + \frac{\partial v}{\partial X}",
        den=r"\frac{\partial u}{\partial X} + \frac{\partial v}{\partial X}",
        where=r"u = \sin(p^\top X q),\ v = \|X\|_F^2",
    ),
    sources=[wiki("scalar-by-matrix: ∂(u+v)/∂X")],
)
def sm_sum(X, p, q):
    return jnp.cos(_pXq(X, p, q)) * jnp.outer(p, q) + 2 * X


@identity(
    f=lambda X, p, q: jnp.sin(_pXq(X, p, q)) * jnp.sum(X * X),
    find="sin(p @ X @ q) * sum(X * X)",
    wrt="X",
    shapes=_SM,
    tex=Tex(
        f="u(X)\\,v(X)",
        num=r"u\frac{\partial v}{\partial X} + v\frac{\partial u}{\partial X}",
        den=r"u\frac{\partial v}{\partial X} + v\frac{\partial u}{\partial X}",
        where=r"u = \sin(p^\top X q),\ v = \|X\|_F^2",
    ),
    sources=[wiki("scalar-by-matrix: ∂uv/∂X")],
)
def sm_product(X, p, q):
    t = _pXq(X, p, q)
    return jnp.sin(t) * (2 * X) + (jnp.sum(X * X) * jnp.cos(t)) * jnp.outer(p, q)


@identity(
    f=lambda X, p, q: jnp.exp(jnp.sin(_pXq(X, p, q))),
    find="exp(sin(p @ X @ q))",
    wrt="X",
    shapes=_SM,
    tex=Tex(
        f="g(u(X))",
        num=r"\frac{\partial g(u)}{\partial u}\frac{\partial u}{\partial X}",
        den=r"\frac{\partial g(u)}{\partial u}\frac{\partial u}{\partial X}",
        where=r"u = \sin(p^\top X q),\ g(u) = e^u",
    ),
    sources=[wiki("scalar-by-matrix: ∂g(u)/∂X")],
)
def sm_chain(X, p, q):
    t = _pXq(X, p, q)
    return (jnp.exp(jnp.sin(t)) * jnp.cos(t)) * jnp.outer(p, q)


@identity(
    f=lambda X, p, q: jnp.log1p(jnp.exp(jnp.sin(_pXq(X, p, q))) ** 2),
    find="log(1 + exp(sin(p @ X @ q)) ** 2)",
    wrt="X",
    shapes=_SM,
    tex=Tex(
        f="f(g(u(X)))",
        num=r"\frac{\partial f(g)}{\partial g}\frac{\partial g(u)}{\partial u}\frac{\partial u}{\partial X}",
        den=r"\frac{\partial f(g)}{\partial g}\frac{\partial g(u)}{\partial u}\frac{\partial u}{\partial X}",
        where=r"u = \sin(p^\top X q),\ g(u) = e^u,\ f(g) = \ln(1 + g^2)",
    ),
    sources=[wiki("scalar-by-matrix: ∂f(g(u))/∂X")],
)
def sm_chain3(X, p, q):
    t = _pXq(X, p, q)
    g = jnp.exp(jnp.sin(t))
    return ((2 * g / (1 + g**2)) * g * jnp.cos(t)) * jnp.outer(p, q)


@identity(
    f=lambda X, A: jnp.sum(jnp.sin(X @ A)),
    find="sum(sin(X @ A))",
    wrt="X",
    shapes={"X": "m n", "A": "n k"},
    tex=Tex(
        f="g(U(X))",
        num=r"\frac{\partial g}{\partial X_{ij}} = \operatorname{tr}\left(\frac{\partial g(U)}{\partial U}\frac{\partial U}{\partial X_{ij}}\right) \Rightarrow A\cos(XA)^\top",
        den=r"\frac{\partial g}{\partial X_{ij}} = \operatorname{tr}\left(\frac{\partial g(U)}{\partial U}\frac{\partial U}{\partial X_{ij}}\right) \Rightarrow \cos(XA) A^\top",
        where=r"U = XA,\ g(U) = \sum_{kl} \sin U_{kl},\ \frac{\partial U}{\partial X_{ij}} = J^{ij} A",
    ),
    sources=[wiki("scalar-by-matrix: ∂g(U)/∂X_ij")],
    notes="""
    The chain rule through a matrix: ∂g/∂U is numerator-laid-out (the shape of Uᵀ, here cos(U)ᵀ), so
    tr(cos(U)ᵀ J^ij A) = (cos(U)Aᵀ)_ij. Spelled cos(XA) @ Aᵀ.
    """,
)
def sm_chain_matrix(X, A):
    return jnp.cos(X @ A) @ A.T
