r"""The Matrix Cookbook's complex rules: (45) and (89) of chapter 2, and chapter 4 from (225).

Chapter 4 defines the generalized complex derivative ∂f/∂z = ½(∂f/∂ℜz − i∂f/∂ℑz) (229), the conjugate
complex derivative ∂f/∂z* = ½(∂f/∂ℜz + i∂f/∂ℑz) (230) and, for real f, the complex gradient 2∂f/∂z* (233):
in :mod:`identities.wirtinger` the conventions ``wirtinger``, ``conj_wirtinger`` and ``cookbook``. Its
results on (242)–(250) are stated with respect to ℜX and ℑX (``re``, ``im``) and as the pair (246)–(247),
(249)–(250); a complex-valued, non-holomorphic f is declared as the pair (``complex_form="pair"``).
Equations that are not derivatives, or whose text this session could not read, are listed in
``identities.coverage.MC_CHAPTER4_OUT_OF_SCOPE`` with the reason.
"""

from __future__ import annotations

import jax.numpy as jnp

from .._core import Tex, identity, mc
from .._structures import COMPLEX_FULL_COLUMN_RANK, COMPLEX_INVERTIBLE, COMPLEX_NONZERO, HPD

C = "complex128"


def _h(a):
    return jnp.conj(jnp.swapaxes(a, -1, -2))


@identity(
    f=lambda X: _h(X),
    find="conj(X).T",
    wrt="X",
    shapes={"X": "m n"},
    dtypes={"X": C},
    complex_form="pair",
    tex=Tex(
        f=r"X^H",
        num=r"\left(0,\ \delta_{il}\delta_{jk}\right)",
        den=r"\left(0,\ \delta_{il}\delta_{jk}\right)",
    ),
    sources=[mc(45)],
    notes="""
    (45) ∂(Xᴴ) = (∂X)ᴴ: the conjugate transpose depends on X̄ only, so ∂(Xᴴ)_ij/∂X_kl = 0 and
    ∂(Xᴴ)_ij/∂X̄_kl = δ_il δ_jk (the transpose tensor of (44), on X̄). Not holomorphic: JAX's jacfwd(...,
    holomorphic=True) would report the wrong derivative.
    """,
)
def conj_transpose(X):
    m, n = X.shape
    t = jnp.einsum("il,jk->ijkl", jnp.eye(n), jnp.eye(m)).astype(jnp.complex128)
    return jnp.zeros_like(t), t


@identity(
    f=lambda a, x, b: (a - jnp.vdot(x, b)) ** 2,
    find="(a - conj(x) @ b) ** 2",
    wrt="x",
    shapes={"a": "", "x": "n", "b": "n"},
    dtypes={"a": C, "x": C, "b": C},
    complex_form="pair",
    tex=Tex(
        f=r"(a - x^H b)^2", num=r"\left(0,\ -2(a - x^H b)\, b^\top\right)", den=r"\left(0,\ -2 b (a - x^H b)\right)"
    ),
    sources=[mc(89, "read literally: the square of the complex number a − xᴴb")],
    notes="""
    Literally (a − xᴴb)² is complex-valued and depends on x̄ only: ∂/∂x = 0, ∂/∂x̄ = −2b(a − xᴴb), with no
    conjugate. The Cookbook's right-hand side −2b(a − xᴴb)* is the complex gradient (233) of the real
    |a − xᴴb|² (mc89_abs_sq); the two agree when a − xᴴb is real.
    """,
)
def mc89_square(a, x, b):
    e = a - jnp.vdot(x, b)
    return jnp.zeros_like(x), -2 * b * e


@identity(
    f=lambda a, x, b: jnp.abs(a - jnp.vdot(x, b)) ** 2,
    find="abs(a - conj(x) @ b) ** 2",
    wrt="x",
    shapes={"a": "", "x": "n", "b": "n"},
    dtypes={"a": C, "x": C, "b": C},
    complex_form="cookbook",
    tex=Tex(f=r"|a - x^H b|^2", num=r"-2 b^\top (a - x^H b)^*", den=r"-2 b (a - x^H b)^*", wrt=r"x^*"),
    sources=[mc(89, "read as the squared modulus, in the complex-gradient convention (233)")],
    notes="The closed form is the Cookbook's complex gradient 2∂f/∂x̄; ∂f/∂x̄ itself is half of it.",
)
def mc89_abs_sq(a, x, b):
    return -2 * b * jnp.conj(a - jnp.vdot(x, b))


@identity(
    f=lambda z: jnp.conj(z),
    find="conj(z)",
    wrt="z",
    shapes={"z": ""},
    dtypes={"z": C},
    complex_form="pair",
    tex=Tex(f=r"z^*", num=r"(0,\ 1)", den=r"(0,\ 1)"),
    sources=[mc(229, "the generalized derivative of z* is 0"), mc(230, "the conjugate derivative of z* is 1")],
    notes="The Cookbook's own example after (230): z* is not analytic; ∂z*/∂z = 0 and ∂z*/∂z* = 1.",
)
def conj_z(z):
    return jnp.zeros_like(z), jnp.ones_like(z)


@identity(
    f=lambda z: z**3,
    find="z ** 3",
    wrt="z",
    shapes={"z": ""},
    dtypes={"z": C},
    holomorphic=True,
    tex=Tex(f=r"z^3", num=r"3z^2", den=r"3z^2"),
    sources=[mc("226-228", "Cauchy–Riemann: ∂f/∂ℜz = −i ∂f/∂ℑz for an analytic f, whose derivative is then f′")],
    notes="An analytic f satisfies (228): the verifier's fd (re) and fd (im) checks see ∂f/∂y = i f′(z).",
)
def cauchy_riemann_cube(z):
    return 3 * z**2


@identity(
    f=lambda A, X: jnp.trace(A @ jnp.conj(X)),
    find="trace(A @ conj(X))",
    wrt="X",
    shapes={"A": "n m", "X": "m n"},
    dtypes={"A": C, "X": C},
    complex_form="pair",
    tex=Tex(f=r"\operatorname{tr}(A X^*)", num=r"\left(0,\ A\right)", den=r"\left(0,\ A^\top\right)"),
    sources=[mc("242-243", "∂/∂ℜX = Aᵀ and ∂/∂ℑX = −iAᵀ: the conventions 're' and 'im' of this pair")],
)
def tr_AXconj(A, X):
    return jnp.zeros_like(X), A.T


@identity(
    f=lambda X: jnp.real(jnp.trace(_h(X) @ X)),
    find="real(trace(conj(X).T @ X))",
    wrt="X",
    shapes={"X": "m n"},
    dtypes={"X": C},
    tex=Tex(f=r"\operatorname{tr}(X^H X)", num=r"X^\top", den=r"X", wrt=r"X^*"),
    sources=[mc("244-248", "∂/∂ℜX = 2X (244), ∂/∂ℑX = 2iX (245), ∂/∂X = X* (246), ∂/∂X* = X (247), ∇ = 2X (248)")],
)
def tr_XHX(X):
    return X


@identity(
    f=lambda A, X: jnp.linalg.det(_h(X) @ A @ X),
    find="det(conj(X).T @ A @ X)",
    wrt="X",
    shapes={"A": "m m", "X": "m n"},
    requires={"A": HPD, "X": COMPLEX_FULL_COLUMN_RANK},
    sizes=({"m": 4, "n": 2}, {"m": 5, "n": 3}),  # m > n: for m < n, XᴴAX (n×n, rank m) is singular
    dtypes={"A": C, "X": C},
    complex_form="pair",
    tex=Tex(
        f=r"\det(X^H A X)",
        num=r"\left(\det(M) M^{-1} X^H A,\ \det(M) (A X M^{-1})^\top\right),\ M = X^H A X",
        den=r"\left(\det(M) (M^{-1} X^H A)^\top,\ \det(M) A X M^{-1}\right),\ M = X^H A X",
    ),
    sources=[mc(249, "∂/∂X"), mc(250, "∂/∂X*")],
    notes="""
    det(XᴴAX) is complex-valued for a general A; with A Hermitian positive definite (as drawn here) it is
    real and positive, and (250) is the conjugate of (249). M = XᴴAX is invertible when X has full column
    rank.
    """,
)
def det_XHAX(A, X):
    m = _h(X) @ A @ X
    d = jnp.linalg.det(m)
    minv = jnp.linalg.inv(m)
    return d * (minv @ _h(X) @ A).T, d * A @ X @ minv


@identity(
    f=lambda A, B, x: jnp.real(jnp.vdot(A @ x, A @ x)) / jnp.real(jnp.vdot(B @ x, B @ x)),
    find="norm(A @ x) ** 2 / norm(B @ x) ** 2",
    wrt="x",
    shapes={"A": "m n", "B": "n n", "x": "n"},
    requires={"B": COMPLEX_INVERTIBLE, "x": COMPLEX_NONZERO},
    dtypes={"A": C, "B": C, "x": C},
    complex_form="cookbook",
    tex=Tex(
        f=r"\frac{(Ax)^H (Ax)}{(Bx)^H (Bx)}",
        num=r"\left(\frac{2 A^H A x}{x^H B^H B x} - \frac{2\, x^H A^H A x\, B^H B x}{(x^H B^H B x)^2}\right)^\top",
        den=r"\frac{2 A^H A x}{x^H B^H B x} - \frac{2\, x^H A^H A x\, B^H B x}{(x^H B^H B x)^2}",
        wrt=r"x^*",
    ),
    sources=[mc("251-252", "the generalized Rayleigh quotient, in the complex-gradient convention (233)")],
    notes="The text extracted from page 26 shows the first denominator as xᴴBBx; the derivation needs xᴴBᴴBx.",
)
def rayleigh_ratio(A, B, x):
    p = jnp.vdot(A @ x, A @ x)  # real up to rounding; kept complex (strict dtype promotion)
    q = jnp.vdot(B @ x, B @ x)
    return 2 * (_h(A) @ (A @ x)) / q - 2 * p * (_h(B) @ (B @ x)) / q**2
