"""Derivatives of traces: the Matrix Cookbook (Nov 2012) §2.5, eqs. (100)–(128), and Wikipedia's trace rows.

(99) ∂Tr(X)/∂X = I and (100) ∂Tr(XA)/∂X = Aᵀ are ``matrix.tr_X`` and ``matrix.tr_XA``. Every closed form
returns JAX's layout, which for a scalar by a matrix is the denominator layout (the shape of X, as the
Cookbook writes it); ``Tex.num`` is Wikipedia's numerator column (the transpose).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._core import Tex, identity, mc, wiki
from .._structures import FULL_COLUMN_RANK, INVERTIBLE, POSITIVE_REAL, SPD, SYMMETRIC

# Matrix functions by scaling, a Taylor polynomial and squaring (doubling), with static sizes: accurate to
# rounding for ‖X‖₁ ≤ 28 (the verifier's draws stay below), and a straight-line graph that JAX compiles and
# differentiates quickly, where jax.scipy.linalg.expm's data-dependent scaling makes every jacfwd/jacrev
# compile for tens of seconds. The identities hold for the exact functions; tests/test_mc_b.py checks these
# against jax.scipy.linalg.expm.
_SQUARINGS = 6  # X / 64: ‖·‖₁ ≤ 0.44 for ‖X‖₁ ≤ 28
_TERMS = 16  # truncation 0.44^17 / 17! < 1e-20


@jax.jit  # cached for eager calls: see _decomp.sqrtm_db
def expm(X):
    """e^X for a real square X."""
    Y = X / 2.0**_SQUARINGS
    eye = jnp.eye(X.shape[-1], dtype=X.dtype)
    # Horner: I + Y/1 (I + Y/2 (I + …)); loops keep the graph small (fast to compile and differentiate)
    E = jax.lax.fori_loop(0, _TERMS, lambda i, E: eye + (Y @ E) / (_TERMS - i).astype(X.dtype), eye)
    return jax.lax.fori_loop(0, _SQUARINGS, lambda i, E: E @ E, E)


@jax.jit  # cached for eager calls: see _decomp.sqrtm_db
def _sincos(X):
    """(sin X, cos X) by Taylor series at X / 64 and the double-angle formulas."""
    Y = X / 2.0**_SQUARINGS
    eye = jnp.eye(X.shape[-1], dtype=X.dtype)
    Y2 = Y @ Y

    def horner(i, SC):  # sin Y = Y Σ (−Y²)^k/(2k+1)!, cos Y = Σ (−Y²)^k/(2k)!, k from _TERMS/2 down to 1
        S, C = SC
        k = (_TERMS // 2 - i).astype(X.dtype)
        return eye - (Y2 @ S) / ((2 * k) * (2 * k + 1)), eye - (Y2 @ C) / ((2 * k - 1) * (2 * k))

    S, C = jax.lax.fori_loop(0, _TERMS // 2, horner, (eye, eye))
    S = Y @ S
    # sin 2A = 2 sin A cos A, cos 2A = 2 cos² A − I (S and C commute)
    return jax.lax.fori_loop(0, _SQUARINGS, lambda i, SC: (2 * (SC[0] @ SC[1]), 2 * (SC[1] @ SC[1]) - eye), (S, C))


def sinm(X):
    return _sincos(X)[0]


def cosm(X):
    return _sincos(X)[1]


# --- first order (101)-(105) -------------------------------------------------------------------------------
@identity(
    f=lambda A, X, B: jnp.trace(A @ X @ B),
    find="trace(A @ X @ B)",
    wrt="X",
    shapes={"A": "p m", "X": "m n", "B": "n p"},
    tex=Tex(f=r"\operatorname{tr}(AXB)", num="BA", den=r"A^\top B^\top"),
    sources=[mc(101), wiki("scalar-by-matrix: ∂tr(AXB)/∂X")],
    aliases=("d tr(AXB)/dX",),
    notes="Wikipedia writes the row as ∂tr(AXB)/∂X = ∂tr(BAX)/∂X (cyclic invariance). Spelled (BA)ᵀ: one product.",
)
def tr_AXB(A, X, B):
    return (B @ A).T


@identity(
    f=lambda A, X, B: jnp.trace(A @ X.T @ B),
    find="trace(A @ X.T @ B)",
    wrt="X",
    shapes={"A": "p n", "X": "m n", "B": "m p"},
    tex=Tex(f=r"\operatorname{tr}(AX^\top B)", num=r"A^\top B^\top", den="BA"),
    sources=[mc(102)],
)
def tr_AXTB(A, X, B):
    return B @ A


@identity(
    f=lambda X, A: jnp.trace(X.T @ A),
    find="trace(X.T @ A)",
    wrt="X",
    shapes={"X": "m n", "A": "m n"},
    tex=Tex(f=r"\operatorname{tr}(X^\top A)", num=r"A^\top", den="A"),
    sources=[mc(103), wiki("scalar-by-matrix: ∂tr(AXᵀ)/∂X")],
    notes="tr(XᵀA) = Σ X_ij A_ij, the Frobenius inner product ⟨X, A⟩.",
)
def tr_XTA(X, A):
    return A


@identity(
    f=lambda A, X: jnp.trace(A @ X.T),
    find="trace(A @ X.T)",
    wrt="X",
    shapes={"A": "m n", "X": "m n"},
    tex=Tex(f=r"\operatorname{tr}(AX^\top)", num=r"A^\top", den="A"),
    sources=[mc(104), wiki("scalar-by-matrix: ∂tr(AXᵀ)/∂X")],
)
def tr_AXT(A, X):
    return A


@identity(
    f=lambda A, X: jnp.trace(jnp.kron(A, X)),
    find="trace(kron(A, X))",
    wrt="X",
    shapes={"A": "p p", "X": "n n"},
    tex=Tex(f=r"\operatorname{tr}(A \otimes X)", num=r"\operatorname{tr}(A)\, I", den=r"\operatorname{tr}(A)\, I"),
    sources=[mc(105)],
    notes="tr(A ⊗ X) = tr(A) tr(X).",
)
def tr_kron_AX(A, X):
    return jnp.trace(A) * jnp.eye(X.shape[0], dtype=X.dtype)


# --- second order (106)-(120) ------------------------------------------------------------------------------
@identity(
    f=lambda X: jnp.trace(X @ X),
    find="trace(X @ X)",
    wrt="X",
    shapes={"X": "n n"},
    tex=Tex(f=r"\operatorname{tr}(X^2)", num="2X", den=r"2X^\top"),
    sources=[mc(106)],
)
def tr_X2(X):
    return 2 * X.T


@identity(
    f=lambda X, B: jnp.trace(X @ X @ B),
    find="trace(X @ X @ B)",
    wrt="X",
    shapes={"X": "n n", "B": "n n"},
    tex=Tex(f=r"\operatorname{tr}(X^2 B)", num="XB + BX", den=r"(XB + BX)^\top"),
    sources=[mc(107)],
)
def tr_X2B(X, B):
    return (X @ B + B @ X).T


@identity(
    f=lambda X, B: jnp.trace(X.T @ B @ X),
    find="trace(X.T @ B @ X)",
    wrt="X",
    shapes={"X": "m n", "B": "m m"},
    tex=Tex(f=r"\operatorname{tr}(X^\top B X)", num=r"X^\top (B + B^\top)", den=r"BX + B^\top X"),
    sources=[mc(108), wiki("scalar-by-matrix: ∂tr(XᵀAX)/∂X")],
    notes="Spelled BX + BᵀX: two products of the output's size, no m×m temporary B + Bᵀ.",
)
def tr_XTBX(X, B):
    return B @ X + B.T @ X


@identity(
    f=lambda B, X: jnp.trace(B @ X @ X.T),
    find="trace(B @ X @ X.T)",
    wrt="X",
    shapes={"B": "m m", "X": "m n"},
    tex=Tex(f=r"\operatorname{tr}(B X X^\top)", num=r"X^\top (B + B^\top)", den=r"BX + B^\top X"),
    sources=[mc(109)],
)
def tr_BXXT(B, X):
    return B @ X + B.T @ X


@identity(
    f=lambda X, B: jnp.trace(X @ X.T @ B),
    find="trace(X @ X.T @ B)",
    wrt="X",
    shapes={"X": "m n", "B": "m m"},
    tex=Tex(f=r"\operatorname{tr}(X X^\top B)", num=r"X^\top (B + B^\top)", den=r"BX + B^\top X"),
    sources=[mc(110)],
)
def tr_XXTB(X, B):
    return B @ X + B.T @ X


@identity(
    f=lambda X, B: jnp.trace(X @ B @ X.T),
    find="trace(X @ B @ X.T)",
    wrt="X",
    shapes={"X": "m n", "B": "n n"},
    tex=Tex(f=r"\operatorname{tr}(X B X^\top)", num=r"(B + B^\top) X^\top", den=r"XB^\top + XB"),
    sources=[mc(111)],
)
def tr_XBXT(X, B):
    return X @ B.T + X @ B


@identity(
    f=lambda B, X: jnp.trace(B @ X.T @ X),
    find="trace(B @ X.T @ X)",
    wrt="X",
    shapes={"B": "n n", "X": "m n"},
    tex=Tex(f=r"\operatorname{tr}(B X^\top X)", num=r"(B + B^\top) X^\top", den=r"XB^\top + XB"),
    sources=[mc(112)],
)
def tr_BXTX(B, X):
    return X @ B.T + X @ B


@identity(
    f=lambda X, B: jnp.trace(X.T @ X @ B),
    find="trace(X.T @ X @ B)",
    wrt="X",
    shapes={"X": "m n", "B": "n n"},
    tex=Tex(f=r"\operatorname{tr}(X^\top X B)", num=r"(B + B^\top) X^\top", den=r"XB^\top + XB"),
    sources=[mc(113)],
)
def tr_XTXB(X, B):
    return X @ B.T + X @ B


@identity(
    f=lambda A, X, B: jnp.trace(A @ X @ B @ X),
    find="trace(A @ X @ B @ X)",
    wrt="X",
    shapes={"A": "n m", "X": "m n", "B": "n m"},
    tex=Tex(
        f=r"\operatorname{tr}(A X B X)",
        num=r"BXA + AXB",
        den=r"A^\top X^\top B^\top + B^\top X^\top A^\top",
    ),
    sources=[mc(114)],
    notes="Spelled (BXA)ᵀ + (AXB)ᵀ.",
)
def tr_AXBX(A, X, B):
    return (B @ X @ A).T + (A @ X @ B).T


@identity(
    f=lambda X: jnp.trace(X.T @ X),
    find="trace(X.T @ X)",
    wrt="X",
    shapes={"X": "m n"},
    tex=Tex(f=r"\operatorname{tr}(X^\top X)", num=r"2X^\top", den="2X"),
    sources=[mc(115)],
    notes="tr(XᵀX) = ‖X‖²_F; see also norms.frobenius_squared (MC (132)).",
)
def tr_XTX(X):
    return 2 * X


@identity(
    f=lambda X: jnp.trace(X @ X.T),
    find="trace(X @ X.T)",
    wrt="X",
    shapes={"X": "m n"},
    tex=Tex(f=r"\operatorname{tr}(X X^\top)", num=r"2X^\top", den="2X"),
    sources=[mc(115)],
)
def tr_XXT(X):
    return 2 * X


@identity(
    f=lambda B, X, C: jnp.trace(B.T @ X.T @ C @ X @ B),
    find="trace(B.T @ X.T @ C @ X @ B)",
    wrt="X",
    shapes={"B": "n p", "X": "m n", "C": "m m"},
    tex=Tex(
        f=r"\operatorname{tr}(B^\top X^\top C X B)",
        num=r"B B^\top X^\top (C + C^\top)",
        den=r"C^\top X B B^\top + C X B B^\top",
    ),
    sources=[mc(116)],
    notes="Spelled with Y = XB once: (CY + CᵀY)Bᵀ.",
)
def tr_BTXTCXB(B, X, C):
    Y = X @ B
    return (C @ Y + C.T @ Y) @ B.T


@identity(
    f=lambda X, B, C: jnp.trace(X.T @ B @ X @ C),
    find="trace(X.T @ B @ X @ C)",
    wrt="X",
    shapes={"X": "m n", "B": "m m", "C": "n n"},
    tex=Tex(
        f=r"\operatorname{tr}(X^\top B X C)", num=r"C X^\top B + C^\top X^\top B^\top", den=r"BXC + B^\top X C^\top"
    ),
    sources=[mc(117)],
)
def tr_XTBXC(X, B, C):
    return B @ X @ C + B.T @ X @ C.T


@identity(
    f=lambda A, X, B, C: jnp.trace(A @ X @ B @ X.T @ C),
    find="trace(A @ X @ B @ X.T @ C)",
    wrt="X",
    shapes={"A": "p m", "X": "m n", "B": "n n", "C": "m p"},
    tex=Tex(
        f=r"\operatorname{tr}(A X B X^\top C)",
        num=r"B X^\top C A + B^\top X^\top A^\top C^\top",
        den=r"A^\top C^\top X B^\top + C A X B",
    ),
    sources=[mc(118), wiki("scalar-by-matrix: ∂tr(AXBXᵀC)/∂X")],
    notes="Spelled with CA (m×m) formed once.",
)
def tr_AXBXTC(A, X, B, C):
    CA = C @ A
    return CA.T @ X @ B.T + CA @ X @ B


@identity(
    f=lambda A, X, B, C: jnp.sum((A @ X @ B + C) ** 2),
    find="sum((A @ X @ B + C) ** 2)",
    wrt="X",
    shapes={"A": "p m", "X": "m n", "B": "n q", "C": "p q"},
    tex=Tex(
        f=r"\operatorname{tr}\left[(AXB + C)(AXB + C)^\top\right]",
        num=r"2 B (AXB + C)^\top A",
        den=r"2 A^\top (AXB + C) B^\top",
    ),
    sources=[mc(119)],
    notes="f is ‖AXB + C‖²_F, evaluated as a sum of squares (no p×p product).",
)
def tr_AXBC_sq(A, X, B, C):
    R = A @ X @ B + C
    return 2 * (A.T @ R @ B.T)


@identity(
    f=lambda X: jnp.trace(jnp.kron(X, X)),
    find="trace(kron(X, X))",
    wrt="X",
    shapes={"X": "n n"},
    tex=Tex(f=r"\operatorname{tr}(X \otimes X)", num=r"2\operatorname{tr}(X)\, I", den=r"2\operatorname{tr}(X)\, I"),
    sources=[mc(120)],
    notes="tr(X ⊗ X) = tr(X)².",
)
def tr_kron_XX(X):
    return 2 * jnp.trace(X) * jnp.eye(X.shape[0], dtype=X.dtype)


# --- higher order (121)-(123) ------------------------------------------------------------------------------
K = 4  # the power in (121), (122) and Wikipedia's tr(Xⁿ) rows


@identity(
    f=lambda X: jnp.trace(jnp.linalg.matrix_power(X, K)),
    find="trace(matrix_power(X, 4))",
    wrt="X",
    shapes={"X": "n n"},
    tex=Tex(f=r"\operatorname{tr}(X^k),\ k = 4", num=r"k X^{k-1}", den=r"k (X^{k-1})^\top"),
    sources=[mc(121), wiki("scalar-by-matrix: ∂tr(Xⁿ)/∂X")],
    notes="Checked at k = 4 (JAX needs a static power).",
)
def tr_Xk(X):
    return K * jnp.linalg.matrix_power(X, K - 1).T


@identity(
    f=lambda A, X: jnp.trace(A @ jnp.linalg.matrix_power(X, K)),
    find="trace(A @ matrix_power(X, 4))",
    wrt="X",
    shapes={"A": "n n", "X": "n n"},
    tex=Tex(
        f=r"\operatorname{tr}(A X^k),\ k = 4",
        num=r"\sum_{r=0}^{k-1} X^r A X^{k-r-1}",
        den=r"\sum_{r=0}^{k-1} \left(X^r A X^{k-r-1}\right)^\top",
    ),
    sources=[mc(122), wiki("scalar-by-matrix: ∂tr(AXⁿ)/∂X")],
    notes="Checked at k = 4. Spelled with S_{j+1} = S_j Xᵀ + Xᵀ(…): no power of X is kept.",
)
def tr_AXk(A, X):
    # (Σ_r Xʳ A X^{K−1−r})ᵀ = Σ_r (Xᵀ)ʳ Aᵀ (Xᵀ)^{K−1−r}, by S_{j+1} = S_j Xᵀ + (Xᵀ)ʲ Aᵀ with (Xᵀ)ʲAᵀ = Xᵀ((Xᵀ)^{j−1}Aᵀ):
    # two products a step, the transposes folded into the contractions, no powers of X kept
    S = Q = A.T
    for _ in range(K - 1):
        Q = jnp.einsum("ki,kj->ij", X, Q)  # Xᵀ Q
        S = jnp.einsum("ik,jk->ij", S, X) + Q  # S Xᵀ + Q
    return S


@identity(
    f=lambda B, X, C: jnp.trace(B.T @ X.T @ C @ X @ X.T @ C @ X @ B),
    find="trace(B.T @ X.T @ C @ X @ X.T @ C @ X @ B)",
    wrt="X",
    shapes={"B": "n p", "X": "m n", "C": "m m"},
    tex=Tex(
        f=r"\operatorname{tr}\left[B^\top X^\top C X X^\top C X B\right]",
        num=r"\left(C X X^\top C X B B^\top + C^\top X B B^\top X^\top C^\top X + C X B B^\top X^\top C X"
        r" + C^\top X X^\top C^\top X B B^\top\right)^\top",
        den=r"C X X^\top C X B B^\top + C^\top X B B^\top X^\top C^\top X + C X B B^\top X^\top C X"
        r" + C^\top X X^\top C^\top X B B^\top",
    ),
    sources=[mc(123)],
)
def tr_BTXTCXXTCXB(B, X, C):
    XBBT = X @ B @ B.T
    XXT = X @ X.T
    return C @ XXT @ C @ XBBT + C.T @ XBBT @ X.T @ C.T @ X + C @ XBBT @ X.T @ C @ X + C.T @ XXT @ C.T @ XBBT


# --- other (124)-(128) -------------------------------------------------------------------------------------
@identity(
    f=lambda A, X, B: jnp.trace(A @ jnp.linalg.solve(X, B)),
    find="trace(A @ solve(X, B))",
    wrt="X",
    shapes={"A": "p n", "X": "n n", "B": "n p"},
    requires={"X": INVERTIBLE},
    tex=Tex(
        f=r"\operatorname{tr}(A X^{-1} B)",
        num=r"-X^{-1} B A X^{-1}",
        den=r"-(X^{-1} B A X^{-1})^\top = -X^{-\top} A^\top B^\top X^{-\top}",
    ),
    sources=[mc(124), mc(63)],
    aliases=("d tr(AX^-1B)/dX",),
    notes="""
    The Cookbook prints this identity twice, as (63) in §2.2 (derivatives of an inverse) and as (124) in
    §2.5.4: the same function and the same right-hand side, so one record cites both. Spelled with two
    solves, U = X⁻ᵀAᵀ and V = X⁻¹B, and one product −UVᵀ; no inverse is formed.
    """,
)
def tr_AXinvB(A, X, B):
    U = jnp.linalg.solve(X.T, A.T)
    V = jnp.linalg.solve(X, B)
    return -(U @ V.T)


@identity(
    f=lambda X, A: jnp.trace(jnp.linalg.solve(X, A)),
    find="trace(solve(X, A))",
    wrt="X",
    shapes={"X": "n n", "A": "n n"},
    requires={"X": INVERTIBLE},
    tex=Tex(f=r"\operatorname{tr}(X^{-1} A)", num=r"-X^{-1} A X^{-1}", den=r"-X^{-\top} A^\top X^{-\top}"),
    sources=[wiki("scalar-by-matrix: ∂tr(X⁻¹A)/∂X")],
    notes="The case A → I, B → A of MC (124). Spelled with two solves.",
)
def tr_XinvA(X, A):
    U = jnp.linalg.inv(X).T
    return -(U @ A.T @ U)


def _M_parts(X, C):
    CX = C @ X
    return CX, jnp.linalg.inv(X.T @ CX)


@identity(
    f=lambda X, C, A: jnp.trace(jnp.linalg.solve(X.T @ C @ X, A)),
    find="trace(solve(X.T @ C @ X, A))",
    wrt="X",
    shapes={"X": "m n", "C": "m m", "A": "n n"},
    requires={"X": FULL_COLUMN_RANK, "C": SPD},
    sizes=[{"m": 5, "n": 3}, {"m": 4, "n": 2}],
    tex=Tex(
        f=r"\operatorname{tr}\left[(X^\top C X)^{-1} A\right]",
        num=r"\left(-C X (X^\top C X)^{-1} (A + A^\top) (X^\top C X)^{-1}\right)^\top",
        den=r"-C X (X^\top C X)^{-1} (A + A^\top) (X^\top C X)^{-1}",
    ),
    sources=[mc(125)],
    notes="""
    The Cookbook assumes C symmetric; here C is SPD and X has full column rank so that XᵀCX is invertible
    (any symmetric C with XᵀCX invertible will do).
    """,
)
def tr_XTCXinv_A(X, C, A):
    CX, Minv = _M_parts(X, C)
    return -(CX @ (Minv @ (A + A.T) @ Minv))


@identity(
    f=lambda X, C, B: jnp.trace(jnp.linalg.solve(X.T @ C @ X, X.T @ B @ X)),
    find="trace(solve(X.T @ C @ X, X.T @ B @ X))",
    wrt="X",
    shapes={"X": "m n", "C": "m m", "B": "m m"},
    requires={"X": FULL_COLUMN_RANK, "C": SPD, "B": SYMMETRIC},
    sizes=[{"m": 5, "n": 3}, {"m": 4, "n": 2}],
    tex=Tex(
        f=r"\operatorname{tr}\left[(X^\top C X)^{-1} (X^\top B X)\right]",
        num=r"\left(-2 C X (X^\top C X)^{-1} X^\top B X (X^\top C X)^{-1} + 2 B X (X^\top C X)^{-1}\right)^\top",
        den=r"-2 C X (X^\top C X)^{-1} X^\top B X (X^\top C X)^{-1} + 2 B X (X^\top C X)^{-1}",
    ),
    sources=[mc(126)],
    notes="B and C symmetric, as the Cookbook assumes; without a symmetric B the 2BX term becomes (B + Bᵀ)X.",
)
def tr_XTCXinv_XTBX(X, C, B):
    CX, Minv = _M_parts(X, C)
    BX = B @ X
    return 2 * (BX @ Minv - CX @ (Minv @ (X.T @ BX) @ Minv))


@identity(
    f=lambda A, X, C, B: jnp.trace(jnp.linalg.solve(A + X.T @ C @ X, X.T @ B @ X)),
    find="trace(solve(A + X.T @ C @ X, X.T @ B @ X))",
    wrt="X",
    shapes={"A": "n n", "X": "m n", "C": "m m", "B": "m m"},
    requires={"A": POSITIVE_REAL, "C": SPD, "B": SYMMETRIC},
    tex=Tex(
        f=r"\operatorname{tr}\left[(A + X^\top C X)^{-1} (X^\top B X)\right]",
        num=r"\left(-C X (M^{-1} N M^{-1} + M^{-\top} N M^{-\top}) + B X (M^{-1} + M^{-\top})\right)^\top",
        den=r"-C X (M^{-1} N M^{-1} + M^{-\top} N M^{-\top}) + B X (M^{-1} + M^{-\top})",
        where=r"M = A + X^\top C X,\ N = X^\top B X",
    ),
    sources=[mc(127, "corrected: the printed form holds only for symmetric A; see docs/errata.md")],
    notes="""
    Erratum. The Cookbook assumes B and C symmetric and prints −2CXM⁻¹NM⁻¹ + 2BXM⁻¹ (M = A + XᵀCX,
    N = XᵀBX), which also needs A symmetric: M is then symmetric and the two terms of each pair coincide.
    For a general A the derivative is the form here; it reduces to the printed one when A = Aᵀ.
    Here A has a positive definite symmetric part and C is SPD, so M is invertible.
    """,
)
def tr_AXTCXinv_XTBX(A, X, C, B):
    CX = C @ X
    BX = B @ X
    Minv = jnp.linalg.inv(A + X.T @ CX)
    N = X.T @ BX
    return BX @ (Minv + Minv.T) - CX @ (Minv @ N @ Minv + Minv.T @ N @ Minv.T)


@identity(
    f=lambda X: jnp.trace(sinm(X)),
    wrt="X",
    shapes={"X": "n n"},
    tex=Tex(f=r"\operatorname{tr}(\sin X)", num=r"\cos X", den=r"(\cos X)^\top"),
    sources=[mc(128), wiki("scalar-by-matrix: ∂tr(sin(X))/∂X")],
    notes="sin X and cos X are the matrix functions (power series), by scaling, Taylor and double angles.",
)
def tr_sinX(X):
    return cosm(X).T


@identity(
    f=lambda X: jnp.trace(expm(X)),
    find="trace(expm(X))",
    wrt="X",
    shapes={"X": "n n"},
    tex=Tex(f=r"\operatorname{tr}(e^X)", num=r"e^X", den=r"(e^X)^\top"),
    sources=[wiki("scalar-by-matrix: ∂tr(e^X)/∂X")],
)
def tr_expX(X):
    return expm(X).T


def _poly(c, X):
    """Σ_k c_k X^k by Horner's rule."""
    out = c[-1] * jnp.eye(X.shape[0], dtype=X.dtype)
    for k in range(c.shape[0] - 2, -1, -1):
        out = out @ X + c[k] * jnp.eye(X.shape[0], dtype=X.dtype)
    return out


@identity(
    f=lambda c, X: jnp.trace(_poly(c, X)),
    wrt="X",
    shapes={"c": "5", "X": "n n"},
    tex=Tex(
        f=r"\operatorname{tr}\, g(X),\ g(x) = \textstyle\sum_{k=0}^{4} c_k x^k",
        num=r"g'(X)",
        den=r"g'(X)^\top",
    ),
    sources=[wiki("scalar-by-matrix: ∂tr(g(X))/∂X")],
    notes="""
    Wikipedia states it for any polynomial with scalar coefficients or power series (e^X, sin X, …); the
    polynomial case is checked here with random coefficients c, the series cases by trace.tr_expX and
    trace.tr_sinX. g′(X) = Σ k c_k X^{k−1}.
    """,
)
def tr_gX(c, X):
    k = jnp.arange(1, c.shape[0], dtype=c.dtype)
    return _poly(k * c[1:], X).T


@identity(
    f=lambda X, A: jnp.trace(X @ A) + jnp.trace(X @ X),
    find="trace(X @ A) + trace(X @ X)",
    wrt="X",
    shapes={"X": "n n", "A": "n n"},
    tex=Tex(
        f=r"\operatorname{tr}(U + V),\ U = XA,\ V = X^2",
        num=r"\frac{\partial \operatorname{tr} U}{\partial X} + \frac{\partial \operatorname{tr} V}{\partial X} = A + 2X",
        den=r"A^\top + 2X^\top",
    ),
    sources=[wiki("scalar-by-matrix: ∂tr(U+V)/∂X")],
    notes="The sum rule, checked on U = XA, V = X² (MC (100) + (106)).",
)
def tr_U_plus_V(X, A):
    return A.T + 2 * X.T


@identity(
    f=lambda a, X, B: a * jnp.trace(X.T @ B @ X),
    find="a * trace(X.T @ B @ X)",
    wrt="X",
    shapes={"a": "", "X": "m n", "B": "m m"},
    tex=Tex(
        f=r"\operatorname{tr}(aU),\ U = X^\top B X",
        num=r"a \frac{\partial \operatorname{tr} U}{\partial X} = a X^\top (B + B^\top)",
        den=r"a (B + B^\top) X",
    ),
    sources=[wiki("scalar-by-matrix: ∂tr(aU)/∂X")],
    notes="The constant-multiple rule, checked on U = XᵀBX (MC (108)).",
)
def tr_aU(a, X, B):
    return a * (B @ X + B.T @ X)
