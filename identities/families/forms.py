"""Linear, quadratic and higher-order forms: the Matrix Cookbook §2.4 ((71)–(98)) and Wikipedia's
scalar-by-vector and scalar-by-matrix rows for them.

Already elsewhere: (69) ``vector.cTx``, (70) ``vector.aTXb``, (73) ``basic.identity_map``, (74)
``basic.product_dX``, (75) ``basic.XTA``, (81) ``vector.xTAx``, (84) ``losses.weighted_least_squares``.
Powers Xⁿ are stated for n = 3 (the smallest power where the sums over r have three distinct terms).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core import Tex, identity, mc, wiki
from .._structures import FULL_COLUMN_RANK, NONZERO, SYMMETRIC

N_POWER = 3


def _powers(X, n):
    """[I, X, X², …, Xⁿ]."""
    out = [jnp.eye(X.shape[0], dtype=X.dtype)]
    for _ in range(n):
        out.append(out[-1] @ X)
    return out


# --- first order ---------------------------------------------------------------------------------------
@identity(
    f=lambda a, X, b: a @ X.T @ b,
    find="a @ X.T @ b",
    wrt="X",
    shapes={"a": "m", "X": "n m", "b": "n"},
    tex=Tex(f=r"a^\top X^\top b", num=r"a b^\top", den=r"b a^\top"),
    sources=[mc(71), wiki("scalar-by-matrix: ∂aᵀXᵀb/∂X")],
    aliases=("d a^T X^T b/dX",),
)
def aTXTb(a, X, b):
    return jnp.outer(b, a)


@identity(
    f=lambda a, X: a @ X @ a,
    find="a @ X @ a",
    wrt="X",
    shapes={"a": "n", "X": "n n"},
    tex=Tex(f=r"a^\top X a", num=r"a a^\top", den=r"a a^\top"),
    sources=[mc(72)],
    aliases=("d a^T X a/dX",),
)
def aTXa(a, X):
    return jnp.outer(a, a)


@identity(
    f=lambda a, X: a @ X.T @ a,
    find="a @ X.T @ a",
    wrt="X",
    shapes={"a": "n", "X": "n n"},
    tex=Tex(f=r"a^\top X^\top a", num=r"a a^\top", den=r"a a^\top"),
    sources=[mc(72, "the Xᵀ form")],
    aliases=("d a^T X^T a/dX",),
)
def aTXTa(a, X):
    return jnp.outer(a, a)


@identity(
    f=lambda b, A, x: b @ A @ x,
    find="b @ A @ x",
    wrt="x",
    shapes={"b": "m", "A": "m n", "x": "n"},
    tex=Tex(f=r"b^\top A x", num=r"b^\top A", den=r"A^\top b"),
    sources=[wiki("scalar-by-vector: ∂bᵀAx/∂x")],
    notes="Spelled b @ A (no transposed copy of A).",
)
def bTAx(b, A, x):
    return b @ A


# --- second order --------------------------------------------------------------------------------------
@identity(
    f=lambda X: jnp.sum(X) ** 2,
    find="sum(X) ** 2",
    wrt="X",
    shapes={"X": "m n"},
    tex=Tex(
        f=r"\sum_{klmn} X_{kl} X_{mn}",
        num=r"2\sum_{kl} X_{kl}\, \mathbf{1}\mathbf{1}^\top",
        den=r"2\sum_{kl} X_{kl}\, \mathbf{1}\mathbf{1}^\top",
    ),
    sources=[mc(76)],
    notes="Σ_klmn X_kl X_mn = (Σ_kl X_kl)²; every entry of the gradient is 2 Σ_kl X_kl.",
)
def sum_squared(X):
    return jnp.full_like(X, 2 * jnp.sum(X))


@identity(
    f=lambda b, X, c: b @ X.T @ X @ c,
    find="b @ X.T @ X @ c",
    wrt="X",
    shapes={"b": "m", "X": "n m", "c": "m"},
    tex=Tex(f=r"b^\top X^\top X c", num=r"(b c^\top + c b^\top) X^\top", den=r"X (b c^\top + c b^\top)"),
    sources=[mc(77)],
    aliases=("d b^T X^T X c/dX",),
    notes="Spelled (Xb)cᵀ + (Xc)bᵀ: two matrix-vector products and two outer products, no m×m temporary.",
)
def bTXTXc(b, X, c):
    return jnp.outer(X @ b, c) + jnp.outer(X @ c, b)


@identity(
    f=lambda x, B, b, C, D, d: (B @ x + b) @ C @ (D @ x + d),
    find="(B @ x + b) @ C @ (D @ x + d)",
    wrt="x",
    shapes={"x": "n", "B": "p n", "b": "p", "C": "p q", "D": "q n", "d": "q"},
    tex=Tex(
        f=r"(Bx + b)^\top C (Dx + d)",
        num=r"(Dx + d)^\top C^\top B + (Bx + b)^\top C D",
        den=r"B^\top C (Dx + d) + D^\top C^\top (Bx + b)",
    ),
    sources=[mc(78), wiki("scalar-by-vector: ∂(Ax+b)ᵀC(Dx+e)/∂x")],
    aliases=("d (Bx+b)^T C (Dx+d)/dx",),
    notes="Wikipedia writes the same form with A and e for B and d. Spelled (C(Dx+d))ᵀB + ((Bx+b)ᵀC)D.",
)
def affine_bilinear(x, B, b, C, D, d):
    return (C @ (D @ x + d)) @ B + ((B @ x + b) @ C) @ D


@identity(
    f=lambda X, B: X.T @ B @ X,
    find="X.T @ B @ X",
    wrt="X",
    shapes={"X": "n m", "B": "n n"},
    tex=Tex(
        f=r"X^\top B X",
        num=r"\frac{\partial (X^\top B X)_{kl}}{\partial X_{ij}} = \delta_{lj}(X^\top B)_{ki} + \delta_{kj}(BX)_{il}",
        den=r"\frac{\partial (X^\top B X)_{kl}}{\partial X_{ij}} = \delta_{lj}(X^\top B)_{ki} + \delta_{kj}(BX)_{il},\ \text{indexed } (i,j,k,l)",
    ),
    sources=[mc(79), mc(80, "∂(XᵀBX)/∂X_ij = XᵀBJ^ij + J^jiBX")],
    aliases=("d(X^T B X)/dX",),
    notes="A 4-tensor of shape (m, m, n, m); slice (i, j) is XᵀBJ^ij + J^jiBX (MC (80)).",
)
def XTBX(X, B):
    m = X.shape[1]
    eye = jnp.eye(m, dtype=X.dtype)
    return jnp.einsum("lj,ki->klij", eye, X.T @ B) + jnp.einsum("kj,il->klij", eye, B @ X)


@identity(
    f=lambda b, X, D, c: b @ X.T @ D @ X @ c,
    find="b @ X.T @ D @ X @ c",
    wrt="X",
    shapes={"b": "m", "X": "n m", "D": "n n", "c": "m"},
    tex=Tex(
        f=r"b^\top X^\top D X c",
        num=r"c b^\top X^\top D + b c^\top X^\top D^\top",
        den=r"D^\top X b c^\top + D X c b^\top",
    ),
    sources=[mc(82), wiki("scalar-by-matrix: ∂(Xa)ᵀC(Xb)/∂X")],
    aliases=("d b^T X^T D X c/dX",),
    notes="Wikipedia's (Xa)ᵀC(Xb) is this form with a, C, b for b, D, c. Spelled (Dᵀ(Xb))cᵀ + (D(Xc))bᵀ.",
)
def bTXTDXc(b, X, D, c):
    return jnp.outer((X @ b) @ D, c) + jnp.outer(D @ (X @ c), b)


@identity(
    f=lambda X, a, C: (X @ a) @ C @ (X @ a),
    find="X @ a @ C @ (X @ a)",
    wrt="X",
    shapes={"X": "n m", "a": "m", "C": "n n"},
    tex=Tex(
        f=r"(Xa)^\top C (Xa)",
        num=r"a a^\top X^\top (C + C^\top)",
        den=r"(C + C^\top) X a a^\top",
    ),
    sources=[wiki("scalar-by-matrix: ∂(Xa)ᵀC(Xb)/∂X", "its b = a case")],
    notes="The b = a case of Wikipedia's (Xa)ᵀC(Xb) row: CXaaᵀ + CᵀXaaᵀ. For symmetric C this is 2CXaaᵀ.",
)
def XaTCXa(X, a, C):
    u = X @ a
    return jnp.outer(C @ u + u @ C, a)


@identity(
    f=lambda X, b, c, D: (X @ b + c) @ D @ (X @ b + c),
    find="(X @ b + c) @ D @ (X @ b + c)",
    wrt="X",
    shapes={"X": "n m", "b": "m", "c": "n", "D": "n n"},
    tex=Tex(
        f=r"(Xb + c)^\top D (Xb + c)",
        num=r"b (Xb + c)^\top (D + D^\top)",
        den=r"(D + D^\top)(Xb + c) b^\top",
    ),
    sources=[mc(83), wiki("scalar-by-matrix: ∂(Xa+b)ᵀC(Xa+b)/∂X")],
    aliases=("d (Xb+c)^T D (Xb+c)/dX",),
    notes="Wikipedia writes it with a, b, C for b, c, D.",
)
def affine_quadratic_X(X, b, c, D):
    r = X @ b + c
    return jnp.outer(D @ r + r @ D, b)


@identity(
    f=lambda X, a, b: jax.scipy.special.logsumexp(X @ a + b),
    find="logsumexp(X @ a + b)",
    wrt="X",
    shapes={"X": "n m", "a": "m", "b": "n"},
    tex=Tex(
        f=r"f(Xa + b),\ f(v) = \log \textstyle\sum_i e^{v_i}",
        num=r"a \frac{\partial f}{\partial v}",
        den=r"\frac{\partial f}{\partial v} a^\top",
        where=r"\frac{\partial f}{\partial v} = \operatorname{softmax}(Xa + b) \text{ (a column in denominator layout)}",
    ),
    sources=[wiki("scalar-by-matrix: ∂f(Xa+b)/∂X")],
    notes="""
    Wikipedia states it for any real differentiable f(v); checked with f = log-sum-exp, whose gradient
    softmax(v) is non-trivial in every entry. The gradient is an outer product: rank one, like ∂aᵀXb/∂X.
    """,
)
def f_affine_X(X, a, b):
    return jnp.outer(jax.nn.softmax(X @ a + b), a)


_W = {"W": SYMMETRIC}


@identity(
    f=lambda x, s, W: (x - s) @ W @ (x - s),
    find="(x - s) @ W @ (x - s)",
    wrt="x",
    shapes={"x": "n", "s": "n", "W": "n n"},
    requires=_W,
    tex=Tex(f=r"(x - s)^\top W (x - s)", num=r"2(x - s)^\top W", den=r"2W(x - s)"),
    sources=[mc(85)],
    notes="W symmetric (declared); for general W the gradient is (W + Wᵀ)(x − s).",
)
def wls_x(x, s, W):
    return 2 * (W @ (x - s))


@identity(
    f=lambda x, s, W: (x - s) @ W @ (x - s),
    find="(x - s) @ W @ (x - s)",
    wrt="s",
    shapes={"x": "n", "s": "n", "W": "n n"},
    requires=_W,
    tex=Tex(f=r"(x - s)^\top W (x - s)", num=r"-2(x - s)^\top W", den=r"-2W(x - s)"),
    sources=[mc(86)],
    notes="W symmetric (declared).",
)
def wls_s(x, s, W):
    return -2 * (W @ (x - s))


@identity(
    f=lambda x, A, s, W: (x - A @ s) @ W @ (x - A @ s),
    find="(x - A @ s) @ W @ (x - A @ s)",
    wrt="x",
    shapes={"x": "n", "A": "n k", "s": "k", "W": "n n"},
    requires=_W,
    tex=Tex(f=r"(x - As)^\top W (x - As)", num=r"2(x - As)^\top W", den=r"2W(x - As)"),
    sources=[mc(87)],
    notes="W symmetric (declared).",
)
def wls_As_x(x, A, s, W):
    return 2 * (W @ (x - A @ s))


@identity(
    f=lambda x, A, s, W: (x - A @ s) @ W @ (x - A @ s),
    find="(x - A @ s) @ W @ (x - A @ s)",
    wrt="A",
    shapes={"x": "n", "A": "n k", "s": "k", "W": "n n"},
    requires=_W,
    tex=Tex(f=r"(x - As)^\top W (x - As)", num=r"-2 s (x - As)^\top W", den=r"-2W(x - As)s^\top"),
    sources=[mc(88)],
    notes="W symmetric (declared). An outer product of W(x − As) with s.",
)
def wls_As_A(x, A, s, W):
    return -2 * jnp.outer(W @ (x - A @ s), s)


# --- higher order and non-linear -----------------------------------------------------------------------
@identity(
    f=lambda X: X @ X @ X,
    find="X @ X @ X",
    wrt="X",
    shapes={"X": "n n"},
    tex=Tex(
        f=r"X^n,\ n = 3",
        num=r"\frac{\partial (X^n)_{kl}}{\partial X_{ij}} = \sum_{r=0}^{n-1} (X^r J^{ij} X^{n-1-r})_{kl}",
        den=r"\frac{\partial (X^n)_{kl}}{\partial X_{ij}} = \sum_{r=0}^{n-1} (X^r)_{ki} (X^{n-1-r})_{jl},\ \text{indexed } (i,j,k,l)",
    ),
    sources=[mc(90)],
    aliases=("d(X^n)/dX",),
    notes="For n = 3. (XʳJ^ijX^{n−1−r})_kl = (Xʳ)_ki (X^{n−1−r})_jl; a 4-tensor of shape (n, n, n, n).",
)
def Xn(X):
    P = _powers(X, N_POWER - 1)
    return sum(jnp.einsum("ki,jl->klij", P[r], P[N_POWER - 1 - r]) for r in range(N_POWER))


@identity(
    f=lambda a, X, b: a @ X @ X @ X @ b,
    find="a @ X @ X @ X @ b",
    wrt="X",
    shapes={"a": "n", "X": "n n", "b": "n"},
    tex=Tex(
        f=r"a^\top X^n b,\ n = 3",
        num=r"\sum_{r=0}^{n-1} X^{n-1-r} b a^\top X^r",
        den=r"\sum_{r=0}^{n-1} (X^r)^\top a b^\top (X^{n-1-r})^\top",
    ),
    sources=[mc(91)],
    aliases=("d a^T X^n b/dX",),
    notes="For n = 3. Spelled Σ_r (aᵀXʳ)ᵀ(X^{n−1−r}b)ᵀ: vectors aᵀXʳ and X^{n−1−r}b, then outer products.",
)
def aTXnb(a, X, b):
    left = [a]
    right = [b]
    for _ in range(N_POWER - 1):
        left.append(left[-1] @ X)  # aᵀXʳ
        right.append(X @ right[-1])  # Xʳb
    return sum(jnp.outer(left[r], right[N_POWER - 1 - r]) for r in range(N_POWER))


def _aTXnTXnb_grad(a, X, b, n):
    """Σ_r (Xʳ)ᵀ Xⁿb aᵀ (X^{n−1−r})ᵀ + (Xʳ)ᵀ Xⁿa bᵀ (X^{n−1−r})ᵀ, as sums of outer products of vectors."""
    pa, pb = [a], [b]
    for _ in range(n):
        pa.append(X @ pa[-1])  # Xʳa
        pb.append(X @ pb[-1])  # Xʳb
    u, w = pa[n], pb[n]  # Xⁿa, Xⁿb
    lu, lw = [u], [w]
    for _ in range(n - 1):
        lu.append(lu[-1] @ X)  # uᵀXʳ
        lw.append(lw[-1] @ X)
    return sum(jnp.outer(lw[r], pa[n - 1 - r]) + jnp.outer(lu[r], pb[n - 1 - r]) for r in range(n))


@identity(
    f=lambda a, X, b: (X @ X @ X @ a) @ (X @ X @ X @ b),
    find="X @ X @ X @ a @ (X @ X @ X @ b)",
    wrt="X",
    shapes={"a": "n", "X": "n n", "b": "n"},
    tex=Tex(
        f=r"a^\top (X^n)^\top X^n b,\ n = 3",
        num=(
            r"\sum_{r=0}^{n-1}\left[X^{n-1-r} a b^\top (X^n)^\top X^r"
            r" + X^{n-1-r} b a^\top (X^n)^\top X^r\right]"
        ),
        den=(
            r"\sum_{r=0}^{n-1}\left[(X^r)^\top X^n b a^\top (X^{n-1-r})^\top"
            r" + (X^r)^\top X^n a b^\top (X^{n-1-r})^\top\right]"
        ),
    ),
    sources=[mc(92, "corrected: the first term is printed transposed (docs/errata.md)")],
    aliases=("d a^T (X^n)^T X^n b/dX",),
    notes="""
    For n = 3. The Cookbook's first term, X^{n−1−r}abᵀ(Xⁿ)ᵀXʳ, is the transpose of the right one,
    (Xʳ)ᵀXⁿbaᵀ(X^{n−1−r})ᵀ (docs/errata.md, tests/test_errata_mc_a.py). Spelled as outer products of
    the vectors Xʳa, Xʳb, (Xⁿa)ᵀXʳ, (Xⁿb)ᵀXʳ; no matrix power is formed.
    """,
)
def aTXnTXnb(a, X, b):
    return _aTXnTXnb_grad(a, X, b, N_POWER)


@identity(
    f=lambda x, P, Q, A: jnp.sin(P @ x) @ A @ (Q @ x) ** 2,
    find="sin(P @ x) @ A @ (Q @ x) ** 2",
    wrt="x",
    shapes={"x": "n", "P": "p n", "Q": "q n", "A": "p q"},
    tex=Tex(
        f=r"s^\top A r",
        num=r"r^\top A^\top \frac{\partial s}{\partial x} + s^\top A \frac{\partial r}{\partial x}",
        den=r"\left[\frac{\partial s}{\partial x}\right]^\top A r + \left[\frac{\partial r}{\partial x}\right]^\top A^\top s",
        where=r"s(x) = \sin(Px),\ r(x) = (Qx)^{\circ 2},\ \frac{\partial s}{\partial x} = \operatorname{diag}(\cos Px)\,P,\ \frac{\partial r}{\partial x} = 2\operatorname{diag}(Qx)\,Q",
    ),
    sources=[mc(93), wiki("scalar-by-vector: ∂(u·Av)/∂x")],
    aliases=("d s^T A r/dx",),
    notes="""
    The rule for s = s(x), r = r(x) and constant A, instantiated with s = sin(Px) and r = (Qx)∘(Qx)
    (elementwise), so both Jacobians are non-trivial. Wikipedia's row ∂(u·Av)/∂x is the same rule with
    u = s, v = r. Spelled ((Ar)∘cos(Px))ᵀP + ((Aᵀs)∘2Qx)ᵀQ, without forming the Jacobians.
    """,
)
def sTAr(x, P, Q, A):
    px = P @ x
    qx = Q @ x
    s = jnp.sin(px)
    r = qx**2
    return ((A @ r) * jnp.cos(px)) @ P + ((s @ A) * (2 * qx)) @ Q


@identity(
    f=lambda x, A, B: (x @ A.T @ A @ x) / (x @ B.T @ B @ x),
    find="x @ A.T @ A @ x / (x @ B.T @ B @ x)",
    wrt="x",
    shapes={"x": "n", "A": "k n", "B": "p n"},
    requires={"x": NONZERO, "B": FULL_COLUMN_RANK},
    sizes=({"n": 3, "k": 2, "p": 4}, {"n": 2, "k": 4, "p": 3}),
    tex=Tex(
        f=r"\frac{(Ax)^\top (Ax)}{(Bx)^\top (Bx)} = \frac{x^\top A^\top A x}{x^\top B^\top B x}",
        num=r"\frac{2 x^\top A^\top A}{x^\top B^\top B x} - \frac{2\, x^\top A^\top A x\; x^\top B^\top B}{(x^\top B^\top B x)^2}",
        den=r"\frac{2 A^\top A x}{x^\top B^\top B x} - \frac{2\, x^\top A^\top A x\; B^\top B x}{(x^\top B^\top B x)^2}",
    ),
    sources=[mc(94), mc(95, "corrected: the first denominator is printed xᵀBBx (docs/errata.md)")],
    aliases=("generalized Rayleigh quotient",),
    notes="""
    Needs Bx ≠ 0: declared as x ≠ 0 and B with full column rank (p ≥ n). The Cookbook prints the first
    denominator as xᵀBBx, which is not xᵀBᵀBx unless B is symmetric (and is not defined for non-square
    B); docs/errata.md. Spelled with u = Ax, v = Bx: 2(uᵀA)/(vᵀv) − 2(uᵀu)(vᵀB)/(vᵀv)².
    """,
)
def rayleigh_ratio(x, A, B):
    u = A @ x
    v = B @ x
    num = u @ u
    den = v @ v
    return (2 / den) * (u @ A) - (2 * num / den**2) * (v @ B)


@identity(
    f=lambda a, x, b: (a @ x) * (x @ b),
    find="a @ x * (x @ b)",
    wrt="x",
    shapes={"a": "n", "x": "n", "b": "n"},
    tex=Tex(f=r"a^\top x x^\top b", num=r"x^\top (a b^\top + b a^\top)", den=r"(a b^\top + b a^\top) x"),
    sources=[wiki("scalar-by-vector: ∂aᵀxxᵀb/∂x")],
    notes="Spelled (xᵀb)a + (aᵀx)b: no n×n matrix is formed.",
)
def aTxxTb(a, x, b):
    return (x @ b) * a + (a @ x) * b


@identity(
    f=lambda x, A: x @ A @ x,
    find="x @ A @ x",
    wrt="x",
    shapes={"x": "n", "A": "n n"},
    requires={"A": SYMMETRIC},
    tex=Tex(f=r"x^\top A x", num=r"2 x^\top A", den=r"2 A x"),
    sources=[wiki("scalar-by-vector: ∂xᵀAx/∂x, A symmetric")],
    notes="A symmetric (declared); for general A see vector.xTAx.",
)
def xTAx_sym(x, A):
    return 2 * (A @ x)


# --- gradient and Hessian (MC 2.4.4) -------------------------------------------------------------------
@identity(
    f=lambda x, A, b: x @ A @ x + b @ x,
    find="x @ A @ x + b @ x",
    wrt="x",
    shapes={"x": "n", "A": "n n", "b": "n"},
    tex=Tex(f=r"x^\top A x + b^\top x", num=r"x^\top (A + A^\top) + b^\top", den=r"(A + A^\top) x + b"),
    sources=[mc(96, "f = xᵀAx + bᵀx"), mc(97)],
    aliases=("gradient of x^T A x + b^T x",),
    notes="Spelled Ax + xᵀA + b (no Aᵀ copy).",
)
def quadratic_gradient(x, A, b):
    return A @ x + x @ A + b


@identity(
    f=lambda x, A, b: x @ A @ x + b @ x,
    find="x @ A @ x + b @ x",
    wrt="x",
    kind="hessian",
    shapes={"x": "n", "A": "n n", "b": "n"},
    tex=Tex(f=r"x^\top A x + b^\top x", num=r"A + A^\top", den=r"A + A^\top"),
    sources=[mc(96, "f = xᵀAx + bᵀx"), mc(98)],
    aliases=("hessian of x^T A x + b^T x", "hessian quadratic"),
    notes="Constant in x; symmetric, so both layouts agree.",
)
def quadratic_hessian(x, A, b):
    return A + A.T


@identity(
    f=lambda x, A: x @ A @ x,
    find="x @ A @ x",
    wrt="x",
    kind="hessian",
    shapes={"x": "n", "A": "n n"},
    tex=Tex(f=r"x^\top A x", num=r"A + A^\top", den=r"A + A^\top"),
    sources=[wiki("scalar-by-vector: ∂²xᵀAx/∂x∂xᵀ")],
    notes="The Hessian of the quadratic form, with no linear term.",
)
def xTAx_hessian(x, A):
    return A + A.T


@identity(
    f=lambda x, A: x @ A @ x,
    find="x @ A @ x",
    wrt="x",
    kind="hessian",
    shapes={"x": "n", "A": "n n"},
    requires={"A": SYMMETRIC},
    tex=Tex(f=r"x^\top A x", num=r"2A", den=r"2A"),
    sources=[wiki("scalar-by-vector: ∂²xᵀAx/∂x∂xᵀ, A symmetric")],
    notes="A symmetric (declared).",
)
def xTAx_hessian_sym(x, A):
    return 2 * A
