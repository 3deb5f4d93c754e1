"""Derivatives of determinants: the Matrix Cookbook (41)–(58) and (62), and Wikipedia's determinant rows.

Matrix-valued functions of a scalar ((46), (48)) are stated for Y(x) = A + xB + x²C, so that ∂Y/∂x and
∂²Y/∂x² = 2C are both nonzero and every term of the formulas is exercised; a joint precondition keeps
Y(x) invertible. The general determinant gradient det(X)X⁻ᵀ ((42), (49)) is ``matrix.det_X``.
"""

from __future__ import annotations

import jax.numpy as jnp

from .._core import Example, SpecialPoint, Tex, identity, mc, wiki
from .._structures import FULL_COLUMN_RANK, INVERTIBLE, SYMMETRIC, away_from
from ._mc_structures import FULL_ROW_RANK, POSITIVE_DET, gram_invertible, invertible_shift
from .matrix import cofactor_matrix


def _path(x, A, B, C):
    return A + x * B + x**2 * C


PATH_INVERTIBLE = invertible_shift(
    "Y(x) = A + xB + x²C", lambda x, A, B, C: A + x * B + x**2 * C, ("x", "A", "B", "C"), fix="A"
)


@identity(
    f=lambda X: jnp.linalg.det(X),
    find="det(X)",
    wrt="X",
    shapes={"X": "n n"},
    tex=Tex(
        f=r"\det(X)",
        num=r"\operatorname{adj}(X)",
        den=r"\operatorname{adj}(X)^\top",
    ),
    sources=[
        mc(41, "∂det(X) = Tr(adj(X)∂X)"),
        mc(47, "Σ_k ∂det(X)/∂X_ik X_jk = δ_ij det(X): the closed form times Xᵀ"),
        mc(50, "the same statement as (47)"),
    ],
    aliases=("d det(X)/dX via adj", "cofactor"),
    autodiff_requires={"X": INVERTIBLE},
    special=[
        SpecialPoint(
            "X singular, rank n − 1",
            {"X": [[1.0, 2.0], [2.0, 4.0]]},
            "differentiable; the gradient is the cofactor matrix, nonzero (det(X)X⁻ᵀ does not exist)",
            value=[[4.0, -2.0], [-2.0, 1.0]],
            jax_verdict="valid",
        ),
        SpecialPoint(
            "X of rank ≤ n − 2",
            {"X": [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]},
            "differentiable; every (n−1)-minor vanishes, so the gradient is 0",
            value=[[0.0] * 3] * 3,
            jax_verdict="valid",
        ),
    ],
    notes="""
    ∂det(X) = Tr(adj(X)∂X), so the gradient (denominator layout) is adj(X)ᵀ, the cofactor matrix. Unlike
    det(X)X⁻ᵀ (matrix.det_X) it holds for singular X too; the closed form forms no minors (O(n⁵)) and no
    inverse: one LU factorization with products of all pivots but one (matrix.cofactor_matrix, shared
    with matrix.det_X). MC (47) = (50), Σ_k ∂det(X)/∂X_ik X_jk = δ_ij det(X), is adj(X)ᵀXᵀ = det(X)I, the
    adjugate's defining property; tests/test_mc_a.py checks it, at singular X as well. Verification draws are kept
    invertible (``autodiff_requires``): at rank ≤ n − 2 the derivative is exactly 0 and a relative check
    of rounding noise against 0 is meaningless. The singular points are charted as special points and
    the 2×2 singular example is a known answer (the cofactor matrix [[d, −c], [−b, a]]).
    """,
    examples=[
        Example(
            {"X": [[1.0, 2.0], [2.0, 4.0]]},
            [[4.0, -2.0], [-2.0, 1.0]],
            mc(41, "2×2 cofactor matrix [[d, -c], [-b, a]] at a singular X"),
        )
    ],
)
def det_adj(X):
    return cofactor_matrix(X)


@identity(
    f=lambda X: jnp.log(jnp.linalg.det(X)),
    find="log(det(X))",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": POSITIVE_DET},
    tex=Tex(f=r"\ln\det(X)", num=r"X^{-1}", den=r"X^{-\top}"),
    sources=[mc(43, "∂ln det(X) = Tr(X⁻¹∂X)")],
    aliases=("d ln det(X)/dX",),
    notes="""
    ln det X is real where det X > 0 (a declared precondition); ln|det X| (MC (57), matrix.logabsdet_X)
    extends it to every invertible X with the same derivative.
    """,
)
def logdet(X):
    return jnp.linalg.inv(X).T


@identity(
    f=lambda a, X: jnp.linalg.slogdet(a * X)[1],
    find="logdet(a * X)",
    wrt="X",
    shapes={"a": "", "X": "n n"},
    requires={"a": away_from(0.0), "X": INVERTIBLE},
    tex=Tex(f=r"\ln|\det(aX)|", num=r"X^{-1}", den=r"X^{-\top}"),
    sources=[wiki("scalar-by-matrix: ∂ln|aX|/∂X")],
    notes="ln|det(aX)| = n ln|a| + ln|det X| for a scalar a ≠ 0: the derivative does not depend on a.",
)
def logabsdet_aX(a, X):
    return jnp.linalg.inv(X).T


@identity(
    f=lambda x, A, B, C: jnp.linalg.det(_path(x, A, B, C)),
    find="det(A + x * B + x ** 2 * C)",
    wrt="x",
    shapes={"x": "", "A": "n n", "B": "n n", "C": "n n"},
    joint=[PATH_INVERTIBLE],
    tex=Tex(
        f=r"\det(Y(x))",
        num=r"\det(Y)\operatorname{Tr}\left[Y^{-1}\frac{\partial Y}{\partial x}\right]",
        den=r"\det(Y)\operatorname{Tr}\left[Y^{-1}\frac{\partial Y}{\partial x}\right]",
        wrt="x",
        where=r"Y(x) = A + xB + x^2 C,\ \frac{\partial Y}{\partial x} = B + 2xC",
    ),
    sources=[mc(46)],
    aliases=("d det(Y(x))/dx", "Jacobi's formula"),
    notes="Jacobi's formula along Y(x) = A + xB + x²C; spelled with one solve, Tr(Y⁻¹Y′) = Tr(solve(Y, Y′)).",
)
def det_of_path(x, A, B, C):
    Y = _path(x, A, B, C)
    return jnp.linalg.det(Y) * jnp.trace(jnp.linalg.solve(Y, B + (2 * x) * C))


@identity(
    f=lambda x, A, B, C: jnp.linalg.det(_path(x, A, B, C)),
    find="det(A + x * B + x ** 2 * C)",
    wrt="x",
    kind="hessian",
    shapes={"x": "", "A": "n n", "B": "n n", "C": "n n"},
    joint=[PATH_INVERTIBLE],
    tex=Tex(
        f=r"\det(Y(x))",
        num=(
            r"\det(Y)\left(\operatorname{Tr}\left[Y^{-1}\frac{\partial^2 Y}{\partial x^2}\right]"
            r" + \operatorname{Tr}\left[Y^{-1}\frac{\partial Y}{\partial x}\right]^2"
            r" - \operatorname{Tr}\left[\left(Y^{-1}\frac{\partial Y}{\partial x}\right)^2\right]\right)"
        ),
        den=(
            r"\det(Y)\left(\operatorname{Tr}\left[Y^{-1}\frac{\partial^2 Y}{\partial x^2}\right]"
            r" + \operatorname{Tr}\left[Y^{-1}\frac{\partial Y}{\partial x}\right]^2"
            r" - \operatorname{Tr}\left[\left(Y^{-1}\frac{\partial Y}{\partial x}\right)^2\right]\right)"
        ),
        wrt="x",
        where=r"Y(x) = A + xB + x^2 C,\ \frac{\partial^2 Y}{\partial x^2} = 2C",
    ),
    sources=[mc(48)],
    aliases=("d2 det(Y(x))/dx2",),
    notes="""
    The second derivative of det along Y(x) = A + xB + x²C (a scalar, checked against jax.hessian). With
    M = Y⁻¹Y′ the bracket is Tr(Y⁻¹Y″) + Tr(M)² − Tr(M²); Tr(M²) is the sum of M ∘ Mᵀ, no product formed.
    """,
)
def det_of_path_second(x, A, B, C):
    Y = _path(x, A, B, C)
    M = jnp.linalg.solve(Y, B + (2 * x) * C)
    N = jnp.linalg.solve(Y, 2 * C)
    tm = jnp.trace(M)
    return jnp.linalg.det(Y) * (jnp.trace(N) + tm * tm - jnp.sum(M * M.T))


@identity(
    f=lambda A, X, B: jnp.linalg.det(A @ X @ B),
    find="det(A @ X @ B)",
    wrt="X",
    shapes={"A": "n n", "X": "n n", "B": "n n"},
    requires={"A": INVERTIBLE, "X": INVERTIBLE, "B": INVERTIBLE},
    tex=Tex(
        f=r"\det(AXB)",
        num=r"\det(AXB)\, X^{-1}",
        den=r"\det(AXB)\, X^{-\top}",
    ),
    sources=[mc(51), wiki("scalar-by-matrix: ∂|AXB|/∂X")],
    aliases=("d det(AXB)/dX",),
    notes="""
    A, X, B square and invertible; det(AXB) = det(A)det(X)det(B). For singular A or B both sides vanish
    identically; that case is left out of the verified domain (relative checks of an exact 0 against
    rounding noise are meaningless).
    """,
)
def det_AXB(A, X, B):
    return jnp.linalg.det(A @ X @ B) * jnp.linalg.inv(X).T


@identity(
    f=lambda X, A: jnp.linalg.det(X.T @ A @ X),
    find="det(X.T @ A @ X)",
    wrt="X",
    shapes={"X": "n n", "A": "n n"},
    requires={"X": INVERTIBLE, "A": INVERTIBLE},
    tex=Tex(
        f=r"\det(X^\top A X)",
        num=r"2\det(X^\top A X)\, X^{-1}",
        den=r"2\det(X^\top A X)\, X^{-\top}",
    ),
    sources=[mc(52), wiki("scalar-by-matrix: ∂|XᵀAX|/∂X, X square and invertible")],
    aliases=("d det(X^T A X)/dX, X square",),
    notes="""
    X square and invertible: det(XᵀAX) = det(X)² det(A). Declared for invertible A; for singular A both
    sides vanish identically (left out of the verified domain, as in MC (51)).
    """,
)
def det_XTAX_square(X, A):
    return 2 * jnp.linalg.det(X.T @ A @ X) * jnp.linalg.inv(X).T


_TALL = ({"n": 4, "k": 2}, {"n": 5, "k": 3})


@identity(
    f=lambda X, A: jnp.linalg.det(X.T @ A @ X),
    find="det(X.T @ A @ X)",
    wrt="X",
    shapes={"X": "n k", "A": "n n"},
    requires={"X": FULL_COLUMN_RANK, "A": SYMMETRIC},
    joint=[gram_invertible(symmetric=True)],
    sizes=_TALL,
    tex=Tex(
        f=r"\det(X^\top A X)",
        num=r"2\det(X^\top A X)\,(X^\top A X)^{-1} X^\top A",
        den=r"2\det(X^\top A X)\, A X (X^\top A X)^{-1}",
    ),
    sources=[mc(53), wiki("scalar-by-matrix: ∂|XᵀAX|/∂X, X not square, A symmetric")],
    aliases=("d det(X^T A X)/dX, A symmetric",),
    notes="""
    X n×k (not square), A symmetric, XᵀAX invertible (A may be indefinite: the joint precondition moves
    the small singular values of XᵀAX away from 0). AX(XᵀAX)⁻¹ is spelled as a solve with XᵀAX.
    """,
)
def det_XTAX_sym(X, A):
    AX = A @ X
    M = X.T @ AX
    return 2 * jnp.linalg.det(M) * jnp.linalg.solve(M, AX.T).T  # M symmetric: (M⁻¹ XᵀA)ᵀ = AX M⁻¹


@identity(
    f=lambda X, A: jnp.linalg.det(X.T @ A @ X),
    find="det(X.T @ A @ X)",
    wrt="X",
    shapes={"X": "n k", "A": "n n"},
    requires={"X": FULL_COLUMN_RANK},
    joint=[gram_invertible(symmetric=False)],
    sizes=_TALL,
    tex=Tex(
        f=r"\det(X^\top A X)",
        num=r"\det(X^\top A X)\left((X^\top A X)^{-1} X^\top A + (X^\top A^\top X)^{-1} X^\top A^\top\right)",
        den=r"\det(X^\top A X)\left(A X (X^\top A X)^{-1} + A^\top X (X^\top A^\top X)^{-1}\right)",
    ),
    sources=[mc(54), wiki("scalar-by-matrix: ∂|XᵀAX|/∂X, X not square, A not symmetric")],
    aliases=("d det(X^T A X)/dX",),
    notes="""
    X n×k, A any n×n with XᵀAX invertible. With M = XᵀAX: AXM⁻¹ + AᵀXM⁻ᵀ, since XᵀAᵀX = Mᵀ. Spelled with
    det(M)M⁻ᵀ = adj(M)ᵀ, the cofactor matrix C of M (one LU, matrix.cofactor_matrix: no inverse, no
    division by det(M)): AXCᵀ + Aᵀ(XC), so that AX and the two terms are the only n×k matrices.
    For symmetric A it reduces to MC (53).
    """,
)
def det_XTAX(X, A):
    AX = A @ X
    C = cofactor_matrix(X.T @ AX)  # det(M) M⁻ᵀ
    return jnp.einsum("ik,jk->ij", AX, C) + jnp.einsum("ki,kj->ij", A, X @ C)  # AX Cᵀ + Aᵀ(XC)


@identity(
    f=lambda X: jnp.linalg.slogdet(X.T @ X)[1],
    find="logdet(X.T @ X)",
    wrt="X",
    shapes={"X": "n k"},
    requires={"X": FULL_COLUMN_RANK},
    sizes=(*_TALL[:1], {"n": 6, "k": 3}),
    tex=Tex(
        f=r"\ln\det(X^\top X)",
        num=r"2 X^{+}",
        den=r"2 (X^{+})^\top",
    ),
    sources=[mc(55), wiki("scalar-by-matrix: ∂ln|XᵀX|/∂X")],
    aliases=("d ln det(X^T X)/dX",),
    notes="X tall with full column rank, X⁺ = (XᵀX)⁻¹Xᵀ; (X⁺)ᵀ = X(XᵀX)⁻¹ is one solve with XᵀX.",
)
def logdet_XTX(X):
    return 2 * jnp.linalg.solve(X.T @ X, X.T).T


@identity(
    f=lambda P: jnp.linalg.slogdet(jnp.linalg.pinv(P).T @ jnp.linalg.pinv(P))[1],
    find="logdet(pinv(P).T @ pinv(P))",
    wrt="P",
    shapes={"P": "k n"},
    requires={"P": FULL_ROW_RANK},
    sizes=({"k": 2, "n": 4}, {"k": 3, "n": 5}),
    tex=Tex(
        f=r"\ln\det(X^\top X)",
        num=r"-2 X",
        den=r"-2 X^\top",
        wrt=r"X^{+}",
        where=r"X = P^{+},\ P = X^{+}",
    ),
    sources=[mc(56), wiki("scalar-by-matrix: ∂ln|XᵀX|/∂X⁺")],
    aliases=("d ln det(X^T X)/dX+",),
    notes="""
    The variable is P = X⁺ itself (k×n, full row rank), and X = P⁺. Then XᵀX = (PPᵀ)⁻¹, so the function is
    −ln det(PPᵀ) and its gradient −2(PPᵀ)⁻¹P = −2(P⁺)ᵀ = −2Xᵀ. f is written with jnp.linalg.pinv, as
    the Cookbook states it.
    """,
)
def logdet_XTX_wrt_pinv(P):
    return -2 * jnp.linalg.solve(P @ P.T, P)


@identity(
    f=lambda X: jnp.linalg.det(X @ X @ X),
    find="det(X @ X @ X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=Tex(
        f=r"\det(X^k),\ k = 3",
        num=r"k \det(X^k)\, X^{-1}",
        den=r"k \det(X^k)\, X^{-\top}",
    ),
    sources=[mc(58), wiki("scalar-by-matrix: ∂|Xⁿ|/∂X")],
    aliases=("d det(X^k)/dX",),
    notes="Stated for k = 3 (a fixed integer; det(Xᵏ) = det(X)ᵏ, so any integer k, negative too, works alike).",
)
def det_Xk(X):
    k = 3
    return k * jnp.linalg.det(X @ X @ X) * jnp.linalg.inv(X).T


@identity(
    f=lambda X: jnp.linalg.det(jnp.linalg.inv(X)),
    find="det(inv(X))",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=Tex(
        f=r"\det(X^{-1})",
        num=r"-\det(X^{-1})\, X^{-1}",
        den=r"-\det(X^{-1})\, X^{-\top}",
    ),
    sources=[mc(62)],
    aliases=("d det(X^-1)/dX",),
    notes="det(X⁻¹) = 1/det(X); the gradient is −det(X)⁻¹ X⁻ᵀ.",
)
def det_Xinv(X):
    Y = jnp.linalg.inv(X)
    return -jnp.linalg.det(Y) * Y.T
