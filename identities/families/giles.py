"""Forward (JVP) and reverse (VJP) rules of Giles (2008), "An extended collection of matrix derivative
results for forward and reverse mode algorithmic differentiation".

Giles writes C = f(A, B), the forward tangent Ċ from Ȧ (and Ḃ), and the reverse adjoint Ā (and B̄) from
C̄, defined by ⟨C̄, Ċ⟩ = ⟨Ā, Ȧ⟩ + ⟨B̄, Ḃ⟩ with ⟨X, Y⟩ = tr(XᵀY). Each rule here is split by input: an
identity differentiates with respect to one argument, the others held fixed, so Ċ = ȦB + AḂ is the two
identities ``product_jvp_A`` and ``product_jvp_B`` (their sum is Giles' line). A ``jvp`` closed form takes
the tangent as its last argument and returns Ċ; a ``vjp`` closed form takes C̄ and returns Ā. They are
checked against ``jax.jvp`` / ``jax.vjp``, the full Jacobian contracted with the tangent or cotangent, and
finite differences (along the tangent, and the dot-product test ⟨Ā, V⟩ = ⟨C̄, FD_V(C)⟩ for vjp).

Where A is symmetric (eigendecomposition, Cholesky) only the symmetric part of Ā is defined: ⟨Ā, Ȧ⟩ is
tested along symmetric Ȧ only. Those reverse rules return the symmetric part (``convention="sym"``) and
the dot-product test runs over a basis of symmetric directions.

Sources are cited by section of the extended report (Oxford NA-08/01). The text of the report is not in
this project's reference store; the numbers §2.2 (elementary results: addition, multiplication, inverse,
determinant), §2.3.1–2.3.3 (inverse product, the two quadratic forms) and §2.3.4/2.3.5 (polynomial,
exponential) follow a third-party transcription of it (bob-carpenter/ad-handbook, pull request 9: "Giles
2.2.1-2.3.3", "2.3.4/5 (Matrix polynomial/exponential)", "sections 3-5 (linear algebra)"); the linear
algebra rules (eigen, SVD, Cholesky, norms) are cited by title only.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy.linalg import expm, expm_frechet, lu_factor, lu_solve, solve_triangular

from .._core import SpecialPoint, Tex, g08, identity
from .._structures import DISTINCT_SINGULAR, INVERTIBLE, NONZERO, SIMPLE_SPECTRUM, SPD

ELEM = "§2.2 elementary results"
MORE = "§2.3 additional results"
LINALG = "§3-5 linear algebra"


# --- addition --------------------------------------------------------------------------------------------
@identity(
    f=lambda A, B: A + B,
    find="A + B",
    wrt="A",
    kind="jvp",
    shapes={"A": "m n", "B": "m n"},
    tex=Tex(f="A + B", num=r"\dot C = \dot A + \dot B", den=r"\dot C = \dot A + \dot B", where="C = A + B"),
    sources=[g08(f"{ELEM}: addition")],
    aliases=("sum jvp",),
    notes="Forward rule for C = A + B; the Ḃ term is the same identity with the roles of A and B swapped.",
)
def sum_jvp(A, B, dA):
    return dA


@identity(
    f=lambda A, B: A + B,
    find="A + B",
    wrt="A",
    kind="vjp",
    shapes={"A": "m n", "B": "m n"},
    tex=Tex(f="A + B", num=r"\bar A = \bar C,\ \bar B = \bar C", den=r"\bar A = \bar C,\ \bar B = \bar C"),
    sources=[g08(f"{ELEM}: addition")],
    aliases=("sum vjp",),
)
def sum_vjp(A, B, Cbar):
    return Cbar


# --- multiplication --------------------------------------------------------------------------------------
@identity(
    f=lambda A, B: A @ B,
    find="A @ B",
    wrt="A",
    kind="jvp",
    shapes={"A": "m k", "B": "k n"},
    tex=Tex(f="A B", num=r"\dot C = \dot A B + A \dot B", den=r"\dot C = \dot A B + A \dot B"),
    sources=[g08(f"{ELEM}: multiplication")],
    notes="The Ȧ term of Giles' Ċ = ȦB + AḂ.",
)
def product_jvp_A(A, B, dA):
    return dA @ B


@identity(
    f=lambda A, B: A @ B,
    find="A @ B",
    wrt="B",
    kind="jvp",
    shapes={"A": "m k", "B": "k n"},
    tex=Tex(f="A B", num=r"\dot C = \dot A B + A \dot B", den=r"\dot C = \dot A B + A \dot B"),
    sources=[g08(f"{ELEM}: multiplication")],
    notes="The Ḃ term of Giles' Ċ = ȦB + AḂ.",
)
def product_jvp_B(A, B, dB):
    return A @ dB


@identity(
    f=lambda A, B: A @ B,
    find="A @ B",
    wrt="A",
    kind="vjp",
    shapes={"A": "m k", "B": "k n"},
    tex=Tex(f="A B", num=r"\bar A = \bar C B^\top", den=r"\bar A = \bar C B^\top"),
    sources=[g08(f"{ELEM}: multiplication")],
)
def product_vjp_A(A, B, Cbar):
    return Cbar @ B.T


@identity(
    f=lambda A, B: A @ B,
    find="A @ B",
    wrt="B",
    kind="vjp",
    shapes={"A": "m k", "B": "k n"},
    tex=Tex(f="A B", num=r"\bar B = A^\top \bar C", den=r"\bar B = A^\top \bar C"),
    sources=[g08(f"{ELEM}: multiplication")],
)
def product_vjp_B(A, B, Cbar):
    return A.T @ Cbar


# --- inverse ---------------------------------------------------------------------------------------------
@identity(
    f=lambda A: jnp.linalg.inv(A),
    find="inv(A)",
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": INVERTIBLE},
    tex=Tex(f="A^{-1}", num=r"\dot C = -C \dot A C", den=r"\dot C = -C \dot A C", where="C = A^{-1}"),
    sources=[g08(f"{ELEM}: inverse")],
    aliases=("inverse jvp",),
)
def inverse_jvp(A, dA):
    C = jnp.linalg.inv(A)
    return -(C @ dA @ C)


@identity(
    f=lambda A: jnp.linalg.inv(A),
    find="inv(A)",
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": INVERTIBLE},
    tex=Tex(
        f="A^{-1}", num=r"\bar A = -C^\top \bar C C^\top", den=r"\bar A = -C^\top \bar C C^\top", where="C = A^{-1}"
    ),
    sources=[g08(f"{ELEM}: inverse")],
    aliases=("inverse vjp",),
)
def inverse_vjp(A, Cbar):
    C = jnp.linalg.inv(A)
    return -(C.T @ Cbar @ C.T)


# --- determinant -----------------------------------------------------------------------------------------
@identity(
    f=lambda A: jnp.linalg.det(A),
    find="det(A)",
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": INVERTIBLE},
    tex=Tex(
        f=r"\det A",
        num=r"\dot C = C \operatorname{tr}(A^{-1}\dot A)",
        den=r"\dot C = C \operatorname{tr}(A^{-1}\dot A)",
        where=r"C = \det A",
    ),
    sources=[g08(f"{ELEM}: determinant")],
    notes="tr(A⁻¹Ȧ) is computed from one solve, not an explicit inverse.",
)
def det_jvp(A, dA):
    return jnp.linalg.det(A) * jnp.trace(jnp.linalg.solve(A, dA))


@identity(
    f=lambda A: jnp.linalg.det(A),
    find="det(A)",
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": INVERTIBLE},
    tex=Tex(
        f=r"\det A", num=r"\bar A = \bar C\, C A^{-\top}", den=r"\bar A = \bar C\, C A^{-\top}", where=r"C = \det A"
    ),
    sources=[g08(f"{ELEM}: determinant")],
)
def det_vjp(A, Cbar):
    return (Cbar * jnp.linalg.det(A)) * jnp.linalg.inv(A).T


# --- inverse product A⁻¹B ----------------------------------------------------------------------------------
@identity(
    f=lambda A, B: jnp.linalg.solve(A, B),
    find="solve(A, B)",
    wrt="A",
    kind="jvp",
    shapes={"A": "n n", "B": "n m"},
    requires={"A": INVERTIBLE},
    tex=Tex(
        f="A^{-1} B",
        num=r"\dot C = A^{-1}(\dot B - \dot A C)",
        den=r"\dot C = A^{-1}(\dot B - \dot A C)",
        where="C = A^{-1}B",
    ),
    sources=[g08(f"{MORE}: matrix inverse product")],
    aliases=("solve jvp",),
    notes="The Ȧ term: Ċ = −A⁻¹ȦC: one LU factorization of A serves both solves (C and Ċ).",
)
def solve_jvp_A(A, B, dA):
    lu = lu_factor(A)  # two jnp.linalg.solve calls would factor A twice
    C = lu_solve(lu, B)
    return -lu_solve(lu, dA @ C)


@identity(
    f=lambda A, B: jnp.linalg.solve(A, B),
    find="solve(A, B)",
    wrt="B",
    kind="jvp",
    shapes={"A": "n n", "B": "n m"},
    requires={"A": INVERTIBLE},
    tex=Tex(
        f="A^{-1} B",
        num=r"\dot C = A^{-1}(\dot B - \dot A C)",
        den=r"\dot C = A^{-1}(\dot B - \dot A C)",
        where="C = A^{-1}B",
    ),
    sources=[g08(f"{MORE}: matrix inverse product")],
    notes="The Ḃ term: Ċ = A⁻¹Ḃ.",
)
def solve_jvp_B(A, B, dB):
    return jnp.linalg.solve(A, dB)


@identity(
    f=lambda A, B: jnp.linalg.solve(A, B),
    find="solve(A, B)",
    wrt="A",
    kind="vjp",
    shapes={"A": "n n", "B": "n m"},
    requires={"A": INVERTIBLE},
    tex=Tex(
        f="A^{-1} B",
        num=r"\bar B = A^{-\top}\bar C,\quad \bar A = -\bar B C^\top",
        den=r"\bar B = A^{-\top}\bar C,\quad \bar A = -\bar B C^\top",
        where="C = A^{-1}B",
    ),
    sources=[g08(f"{MORE}: matrix inverse product")],
    aliases=("solve vjp",),
)
def solve_vjp_A(A, B, Cbar):
    lu = lu_factor(A)  # one factorization for C and B̄ (the A⁻ᵀ solve uses its transpose)
    C = lu_solve(lu, B)
    Bbar = lu_solve(lu, Cbar, trans=1)
    return -(Bbar @ C.T)


@identity(
    f=lambda A, B: jnp.linalg.solve(A, B),
    find="solve(A, B)",
    wrt="B",
    kind="vjp",
    shapes={"A": "n n", "B": "n m"},
    requires={"A": INVERTIBLE},
    tex=Tex(f="A^{-1} B", num=r"\bar B = A^{-\top}\bar C", den=r"\bar B = A^{-\top}\bar C"),
    sources=[g08(f"{MORE}: matrix inverse product")],
)
def solve_vjp_B(A, B, Cbar):
    return jnp.linalg.solve(A.T, Cbar)


# --- first quadratic form BᵀAB ---------------------------------------------------------------------------
@identity(
    f=lambda A, B: B.T @ A @ B,
    find="B.T @ A @ B",
    wrt="A",
    kind="jvp",
    shapes={"A": "n n", "B": "n m"},
    tex=Tex(
        f=r"B^\top A B",
        num=r"\dot C = \dot B^\top A B + B^\top \dot A B + B^\top A \dot B",
        den=r"\dot C = \dot B^\top A B + B^\top \dot A B + B^\top A \dot B",
    ),
    sources=[g08(f"{MORE}: first quadratic form")],
    notes="The Ȧ term: BᵀȦB.",
)
def quad_jvp_A(A, B, dA):
    return B.T @ (dA @ B)


@identity(
    f=lambda A, B: B.T @ A @ B,
    find="B.T @ A @ B",
    wrt="B",
    kind="jvp",
    shapes={"A": "n n", "B": "n m"},
    tex=Tex(
        f=r"B^\top A B",
        num=r"\dot C = \dot B^\top A B + B^\top \dot A B + B^\top A \dot B",
        den=r"\dot C = \dot B^\top A B + B^\top \dot A B + B^\top A \dot B",
    ),
    sources=[g08(f"{MORE}: first quadratic form")],
    notes="The Ḃ terms: ḂᵀAB + BᵀAḂ (not symmetric unless A is).",
)
def quad_jvp_B(A, B, dB):
    return dB.T @ (A @ B) + (B.T @ A) @ dB


@identity(
    f=lambda A, B: B.T @ A @ B,
    find="B.T @ A @ B",
    wrt="A",
    kind="vjp",
    shapes={"A": "n n", "B": "n m"},
    tex=Tex(f=r"B^\top A B", num=r"\bar A = B \bar C B^\top", den=r"\bar A = B \bar C B^\top"),
    sources=[g08(f"{MORE}: first quadratic form")],
)
def quad_vjp_A(A, B, Cbar):
    return (B @ Cbar) @ B.T


@identity(
    f=lambda A, B: B.T @ A @ B,
    find="B.T @ A @ B",
    wrt="B",
    kind="vjp",
    shapes={"A": "n n", "B": "n m"},
    tex=Tex(
        f=r"B^\top A B",
        num=r"\bar B = A B \bar C^\top + A^\top B \bar C",
        den=r"\bar B = A B \bar C^\top + A^\top B \bar C",
    ),
    sources=[g08(f"{MORE}: first quadratic form")],
    notes="For symmetric A and C̄ this is 2ABC̄; the general form keeps both terms.",
)
def quad_vjp_B(A, B, Cbar):
    return (A @ B) @ Cbar.T + (A.T @ B) @ Cbar


# --- second quadratic form BᵀA⁻¹B ------------------------------------------------------------------------
@identity(
    f=lambda A, B: B.T @ jnp.linalg.solve(A, B),
    find="B.T @ solve(A, B)",
    wrt="A",
    kind="jvp",
    shapes={"A": "n n", "B": "n m"},
    requires={"A": INVERTIBLE},
    tex=Tex(
        f=r"B^\top A^{-1} B",
        num=r"\dot C = \dot B^\top A^{-1} B - B^\top A^{-1} \dot A A^{-1} B + B^\top A^{-1} \dot B",
        den=r"\dot C = \dot B^\top A^{-1} B - B^\top A^{-1} \dot A A^{-1} B + B^\top A^{-1} \dot B",
    ),
    sources=[g08(f"{MORE}: second quadratic form")],
    notes="The Ȧ term: −(A⁻ᵀB)ᵀȦ(A⁻¹B), two solves with one LU factorization of A, and no inverse.",
)
def quad_inv_jvp_A(A, B, dA):
    lu = lu_factor(A)  # one factorization for A⁻¹B and A⁻ᵀB
    X = lu_solve(lu, B)
    Y = lu_solve(lu, B, trans=1)
    return -(Y.T @ (dA @ X))


@identity(
    f=lambda A, B: B.T @ jnp.linalg.solve(A, B),
    find="B.T @ solve(A, B)",
    wrt="B",
    kind="jvp",
    shapes={"A": "n n", "B": "n m"},
    requires={"A": INVERTIBLE},
    tex=Tex(
        f=r"B^\top A^{-1} B",
        num=r"\dot C = \dot B^\top A^{-1} B - B^\top A^{-1} \dot A A^{-1} B + B^\top A^{-1} \dot B",
        den=r"\dot C = \dot B^\top A^{-1} B - B^\top A^{-1} \dot A A^{-1} B + B^\top A^{-1} \dot B",
    ),
    sources=[g08(f"{MORE}: second quadratic form")],
    notes="The Ḃ terms: Ḃᵀ(A⁻¹B) + (A⁻ᵀB)ᵀḂ.",
)
def quad_inv_jvp_B(A, B, dB):
    lu = lu_factor(A)  # one factorization for A⁻¹B and A⁻ᵀB
    X = lu_solve(lu, B)
    Y = lu_solve(lu, B, trans=1)
    return dB.T @ X + Y.T @ dB


@identity(
    f=lambda A, B: B.T @ jnp.linalg.solve(A, B),
    find="B.T @ solve(A, B)",
    wrt="A",
    kind="vjp",
    shapes={"A": "n n", "B": "n m"},
    requires={"A": INVERTIBLE},
    tex=Tex(
        f=r"B^\top A^{-1} B",
        num=r"\bar A = -A^{-\top} B \bar C B^\top A^{-\top}",
        den=r"\bar A = -A^{-\top} B \bar C B^\top A^{-\top}",
    ),
    sources=[g08(f"{MORE}: second quadratic form")],
    notes="""
    Spelled −(A⁻ᵀB) C̄ (A⁻¹B)ᵀ: two solves with n×m right-hand sides and one LU factorization of A (the
    A⁻ᵀ solve uses its transpose), no inverse.
    """,
)
def quad_inv_vjp_A(A, B, Cbar):
    lu = lu_factor(A)  # solve(A, ·) and solve(A.T, ·) would factor A and Aᵀ separately
    X = lu_solve(lu, B)
    Y = lu_solve(lu, B, trans=1)
    return -jnp.einsum("ik,jk->ij", Y @ Cbar, X)


@identity(
    f=lambda A, B: B.T @ jnp.linalg.solve(A, B),
    find="B.T @ solve(A, B)",
    wrt="B",
    kind="vjp",
    shapes={"A": "n n", "B": "n m"},
    requires={"A": INVERTIBLE},
    tex=Tex(
        f=r"B^\top A^{-1} B",
        num=r"\bar B = A^{-\top} B \bar C + A^{-1} B \bar C^\top",
        den=r"\bar B = A^{-\top} B \bar C + A^{-1} B \bar C^\top",
    ),
    sources=[g08(f"{MORE}: second quadratic form")],
)
def quad_inv_vjp_B(A, B, Cbar):
    lu = lu_factor(A)  # one factorization for both solves; A⁻ᵀ(BC̄) = (A⁻ᵀB)C̄ solves with the n×m product
    return lu_solve(lu, B @ Cbar, trans=1) + jnp.einsum("ik,jk->ij", lu_solve(lu, B), Cbar)


# --- matrix polynomial -----------------------------------------------------------------------------------
def _poly(a, A):
    """p(A) = Σₙ aₙ Aⁿ by Horner's scheme: C_N = a_N I, C_n = a_n I + A C_{n+1}, p(A) = C_0."""
    eye = jnp.eye(A.shape[0], dtype=A.dtype)
    C = a[-1] * eye
    for n in range(a.shape[0] - 2, -1, -1):
        C = a[n] * eye + A @ C
    return C


@identity(
    f=_poly,
    wrt="A",
    kind="jvp",
    shapes={"a": "p", "A": "n n"},
    tex=Tex(
        f=r"p(A) = \sum_{n=0}^{N} a_n A^n",
        num=r"\dot C_N = 0,\ \dot C_n = \dot A C_{n+1} + A \dot C_{n+1},\ \dot C = \dot C_0",
        den=r"\dot C_N = 0,\ \dot C_n = \dot A C_{n+1} + A \dot C_{n+1},\ \dot C = \dot C_0",
        where=r"C_N = a_N I,\ C_n = a_n I + A C_{n+1}",
    ),
    sources=[g08("§2.3.4 matrix polynomial (forward)")],
    bench_sizes=[{"p": 8, "n": n} for n in (32, 128, 512)],  # degree fixed: Horner's loop is unrolled
    aliases=("matrix polynomial jvp",),
    notes="The degree N is the length of a minus 1; the forward sweep runs alongside Horner's scheme.",
)
def poly_jvp(a, A, dA):
    eye = jnp.eye(A.shape[0], dtype=A.dtype)
    C = a[-1] * eye
    dC = jnp.zeros_like(A)
    for n in range(a.shape[0] - 2, -1, -1):
        dC = dA @ C + A @ dC
        C = a[n] * eye + A @ C
    return dC


@identity(
    f=_poly,
    wrt="A",
    kind="vjp",
    shapes={"a": "p", "A": "n n"},
    tex=Tex(
        f=r"p(A) = \sum_{n=0}^{N} a_n A^n",
        num=r"\bar C_0 = \bar C,\ \bar A = \sum_{n=0}^{N-1} \bar C_n C_{n+1}^\top,\ \bar C_{n+1} = A^\top \bar C_n",
        den=r"\bar C_0 = \bar C,\ \bar A = \sum_{n=0}^{N-1} \bar C_n C_{n+1}^\top,\ \bar C_{n+1} = A^\top \bar C_n",
        where=r"C_N = a_N I,\ C_n = a_n I + A C_{n+1}",
    ),
    sources=[g08("§2.3.4 matrix polynomial (reverse)")],
    bench_sizes=[{"p": 8, "n": n} for n in (32, 128, 512)],  # degree fixed: Horner's loop is unrolled
    aliases=("matrix polynomial vjp",),
    notes="The reverse sweep needs the Horner iterates C_1 … C_N, stored on the forward pass.",
)
def poly_vjp(a, A, Cbar):
    eye = jnp.eye(A.shape[0], dtype=A.dtype)
    N = a.shape[0] - 1
    Cs = [a[-1] * eye] if N >= 1 else []  # C_N, C_{N-1}, ..., C_1 (none for a constant)
    for n in range(N - 1, 0, -1):
        Cs.append(a[n] * eye + A @ Cs[-1])
    Abar = jnp.zeros_like(A)
    G = Cbar
    for C_next in reversed(Cs):  # C_1, C_2, ..., C_N
        Abar = Abar + G @ C_next.T
        G = A.T @ G
    return Abar


# --- matrix exponential ----------------------------------------------------------------------------------
@identity(
    f=lambda A: expm(A),
    find="expm(A)",
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    tex=Tex(
        f=r"e^{A}",
        num=r"\exp\begin{pmatrix} A & \dot A \\ 0 & A \end{pmatrix} = \begin{pmatrix} C & \dot C \\ 0 & C \end{pmatrix}",
        den=r"\exp\begin{pmatrix} A & \dot A \\ 0 & A \end{pmatrix} = \begin{pmatrix} C & \dot C \\ 0 & C \end{pmatrix}",
        where=r"C = e^{A}",
    ),
    sources=[g08("§2.3.5 matrix exponential")],
    aliases=("expm jvp",),
    notes="""
    Ċ is the Fréchet derivative L(A, Ȧ) = ∫₀¹ e^{sA} Ȧ e^{(1−s)A} ds, the upper-right block of the
    exponential of the 2n×2n block matrix. Evaluated with expm_frechet (scaling and squaring on the same
    block structure without forming it explicitly).
    """,
)
def expm_jvp(A, dA):
    return expm_frechet(A, dA, compute_expm=False)


@identity(
    f=lambda A: expm(A),
    find="expm(A)",
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    tex=Tex(
        f=r"e^{A}",
        num=r"\exp\begin{pmatrix} A^\top & \bar C \\ 0 & A^\top \end{pmatrix}"
        r" = \begin{pmatrix} \cdot & \bar A \\ 0 & \cdot \end{pmatrix}",
        den=r"\exp\begin{pmatrix} A^\top & \bar C \\ 0 & A^\top \end{pmatrix}"
        r" = \begin{pmatrix} \cdot & \bar A \\ 0 & \cdot \end{pmatrix}",
    ),
    sources=[g08("§2.3.5 matrix exponential")],
    aliases=("expm vjp",),
    notes="The adjoint of the Fréchet derivative: Ā = L(Aᵀ, C̄), the forward rule at Aᵀ applied to C̄.",
)
def expm_vjp(A, Cbar):
    return expm_frechet(A.T, Cbar, compute_expm=False)


# --- symmetric eigendecomposition ------------------------------------------------------------------------
def _eig_F(d):
    """F_ij = 1/(d_j − d_i) off the diagonal, 0 on it (the diagonal guard keeps 1/0 out)."""
    diff = d[None, :] - d[:, None]
    off = ~jnp.eye(d.shape[0], dtype=bool)
    return jnp.where(off, 1.0 / jnp.where(off, diff, 1.0), 0.0)


@identity(
    f=lambda A: jnp.linalg.eigh(A)[0],
    find="eigvalsh(A)",
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": SIMPLE_SPECTRUM},
    tex=Tex(
        f=r"D,\ A = U D U^\top",
        num=r"\dot D = I \circ (U^\top \dot A U)",
        den=r"\dot D = I \circ (U^\top \dot A U)",
    ),
    sources=[g08(f"{LINALG}: eigenvalues and eigenvectors")],
    aliases=("eigenvalues jvp",),
    notes="Eigenvalues in ascending order (as eigh returns them); ḋ_i = u_iᵀȦu_i, spelled as a column sum.",
)
def eigvals_jvp(A, dA):
    _, U = jnp.linalg.eigh(A)
    return jnp.sum(U * (dA @ U), axis=0)


@identity(
    f=lambda A: jnp.linalg.eigh(A)[0],
    find="eigvalsh(A)",
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": SIMPLE_SPECTRUM},
    convention="sym",
    tex=Tex(
        f=r"D,\ A = U D U^\top",
        num=r"\bar A = U \bar D U^\top",
        den=r"\bar A = U \bar D U^\top",
    ),
    sources=[g08(f"{LINALG}: eigenvalues and eigenvectors")],
    aliases=("eigenvalues vjp",),
    notes="Symmetric already, so the 'sym' convention changes nothing here.",
)
def eigvals_vjp(A, Cbar):
    _, U = jnp.linalg.eigh(A)
    return (U * Cbar[None, :]) @ U.T


def _projectors(A):
    _, U = jnp.linalg.eigh(A)
    return U.T[:, :, None] * U.T[:, None, :]  # P_j = u_j u_jᵀ, stacked on the first axis


@identity(
    f=_projectors,
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": SIMPLE_SPECTRUM},
    tex=Tex(
        f=r"P_j = u_j u_j^\top,\ A = U D U^\top",
        num=r"\dot U = U\left(F \circ (U^\top \dot A U)\right),\ \dot P_j = \dot u_j u_j^\top + u_j \dot u_j^\top",
        den=r"\dot U = U\left(F \circ (U^\top \dot A U)\right),\ \dot P_j = \dot u_j u_j^\top + u_j \dot u_j^\top",
        where=r"F_{ij} = (d_j - d_i)^{-1}\ (i \ne j),\ F_{ii} = 0",
    ),
    sources=[g08(f"{LINALG}: eigenvalues and eigenvectors")],
    aliases=("eigenvectors jvp",),
    special=[
        SpecialPoint(
            "λ₁ = λ₂: A = diag(2, 2, 5), basis-dependent",
            {
                "A": [[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 5.0]],
                "dA": [[1.0, 1.0, 0.0], [1.0, -1.0, 0.0], [0.0, 0.0, 0.0]],
            },
            "u₁u₁ᵀ alone is not continuous at a tie (A + t·dA has other eigenvectors for t > 0 and t < 0): no"
            " derivative; nearby, Ṗ grows like 1/(λ₂ − λ₁). Sums over the cluster are smooth (eigfuncs)",
            jax_verdict="nan",
            notes="JAX's F = 1/(λⱼ − λᵢ) is inf at the tie; the tangent becomes NaN.",
            upstream=("jax-ml/jax#669", "jax-ml/jax#4646", "pytorch/pytorch#47599"),
        )
    ],
    notes="""
    Giles' U̇ = U(F ∘ UᵀȦU), checked through the spectral projectors P_j = u_j u_jᵀ: an eigenvector's
    sign is arbitrary (LAPACK may flip it between nearby matrices, which would wreck finite differences),
    its projector is not. Nothing is lost: u̇_j ⟂ u_j for unit vectors, and Ṗ_j u_j = u̇_j.
    """,
)
def eigvecs_jvp(A, dA):
    d, U = jnp.linalg.eigh(A)
    dU = U @ (_eig_F(d) * (U.T @ dA @ U))
    outer = dU.T[:, :, None] * U.T[:, None, :]  # u̇_j u_jᵀ
    return outer + jnp.swapaxes(outer, 1, 2)


@identity(
    f=_projectors,
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": SIMPLE_SPECTRUM},
    convention="sym",
    tex=Tex(
        f=r"P_j = u_j u_j^\top,\ A = U D U^\top",
        num=r"\bar u_j = (\bar P_j + \bar P_j^\top) u_j,\ \bar A = \operatorname{sym}\left(U (F \circ U^\top \bar U) U^\top\right)",
        den=r"\bar u_j = (\bar P_j + \bar P_j^\top) u_j,\ \bar A = \operatorname{sym}\left(U (F \circ U^\top \bar U) U^\top\right)",
        where=r"F_{ij} = (d_j - d_i)^{-1}\ (i \ne j),\ F_{ii} = 0",
    ),
    sources=[g08(f"{LINALG}: eigenvalues and eigenvectors")],
    aliases=("eigenvectors vjp",),
    notes="""
    Giles' Ā = U(D̄ + F ∘ UᵀŪ)Uᵀ with D̄ = 0, Ū from the projectors' adjoint. A is symmetric, so only the
    symmetric part of Ā is defined (jax.numpy.linalg.eigh symmetrizes its input and returns it): the
    closed form returns sym(Ā).
    """,
)
def eigvecs_vjp(A, Cbar):
    d, U = jnp.linalg.eigh(A)
    Ubar = jnp.einsum("jik,kj->ij", Cbar, U) + jnp.einsum("jki,kj->ij", Cbar, U)  # (P̄_j + P̄_jᵀ)u_j, no n³ copy
    Abar = U @ (_eig_F(d) * (U.T @ Ubar)) @ U.T
    return (Abar + Abar.T) / 2


# --- singular values -------------------------------------------------------------------------------------
@identity(
    f=lambda A: jnp.linalg.svd(A, compute_uv=False),
    find="svdvals(A)",
    wrt="A",
    kind="jvp",
    shapes={"A": "m n"},
    requires={"A": DISTINCT_SINGULAR},
    tex=Tex(
        f=r"S,\ A = U S V^\top",
        num=r"\dot S = I \circ (U^\top \dot A V)",
        den=r"\dot S = I \circ (U^\top \dot A V)",
    ),
    sources=[g08(f"{LINALG}: singular value decomposition")],
    aliases=("singular values jvp",),
    notes="Thin SVD, singular values in descending order; σ̇_i = u_iᵀȦv_i.",
)
def svals_jvp(A, dA):
    U, _, Vh = jnp.linalg.svd(A, full_matrices=False)
    return jnp.sum(U * (dA @ Vh.T), axis=0)


@identity(
    f=lambda A: jnp.linalg.svd(A, compute_uv=False),
    find="svdvals(A)",
    wrt="A",
    kind="vjp",
    shapes={"A": "m n"},
    requires={"A": DISTINCT_SINGULAR},
    tex=Tex(f=r"S,\ A = U S V^\top", num=r"\bar A = U \bar S V^\top", den=r"\bar A = U \bar S V^\top"),
    sources=[g08(f"{LINALG}: singular value decomposition")],
    aliases=("singular values vjp",),
)
def svals_vjp(A, Cbar):
    U, _, Vh = jnp.linalg.svd(A, full_matrices=False)
    return (U * Cbar[None, :]) @ Vh


# --- Cholesky --------------------------------------------------------------------------------------------
def _Phi(X):
    """Φ(X): the lower triangle with the diagonal halved."""
    return jnp.tril(X) - jnp.diag(jnp.diag(X)) / 2


@identity(
    f=lambda A: jnp.linalg.cholesky(A),
    find="cholesky(A)",
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": SPD},
    tex=Tex(
        f=r"L,\ A = L L^\top",
        num=r"\dot L = L\, \Phi(L^{-1} \dot A L^{-\top})",
        den=r"\dot L = L\, \Phi(L^{-1} \dot A L^{-\top})",
        where=r"\Phi(X) = \text{lower triangle of } X \text{ with its diagonal halved}",
    ),
    sources=[g08(f"{LINALG}: Cholesky factorisation")],
    aliases=("cholesky jvp",),
    notes="Two triangular solves; Ȧ is symmetric (the tangent of an SPD matrix).",
)
def cholesky_jvp(A, dA):
    L = jnp.linalg.cholesky(A)
    M = jax.lax.linalg.triangular_solve(L, dA, left_side=True, lower=True)  # L⁻¹Ȧ
    S = jax.lax.linalg.triangular_solve(L, M, left_side=False, lower=True, transpose_a=True)  # L⁻¹ȦL⁻ᵀ, no Mᵀ
    # L Φ(S) is lower triangular (exactly, in floating point too); the mask on the product changes XLA's buffer
    # assignment: 2n², not 3n², scratch bytes at n = 1024 (tests/test_bench.py)
    return jnp.tril(L @ _Phi(S))


@identity(
    f=lambda A: jnp.linalg.cholesky(A),
    find="cholesky(A)",
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": SPD},
    convention="sym",
    tex=Tex(
        f=r"L,\ A = L L^\top",
        num=r"\bar A = \operatorname{sym}\left(L^{-\top} \Phi(L^\top \bar L) L^{-1}\right)",
        den=r"\bar A = \operatorname{sym}\left(L^{-\top} \Phi(L^\top \bar L) L^{-1}\right)",
        where=r"\Phi(X) = \text{lower triangle of } X \text{ with its diagonal halved}",
    ),
    sources=[g08(f"{LINALG}: Cholesky factorisation")],
    aliases=("cholesky vjp",),
    notes="""
    Φ is self-adjoint for ⟨X, Y⟩ = tr(XᵀY), so the adjoint of L̇ = LΦ(L⁻¹ȦL⁻ᵀ) is L⁻ᵀΦ(LᵀL̄)L⁻¹. It pairs
    correctly with symmetric Ȧ only; the closed form returns its symmetric part (what jax.vjp returns).
    """,
)
def cholesky_vjp(A, Cbar):
    L = jnp.linalg.cholesky(A)
    P = _Phi(L.T @ Cbar)
    M = solve_triangular(L, P, lower=True, trans="T")  # L⁻ᵀΦ
    Abar = solve_triangular(L, M.T, lower=True, trans="T").T  # (L⁻ᵀ (L⁻ᵀΦ)ᵀ)ᵀ = L⁻ᵀΦL⁻¹
    return (Abar + Abar.T) / 2


# --- norms -----------------------------------------------------------------------------------------------
@identity(
    f=lambda A: jnp.sqrt(jnp.sum(A * A)),
    find="sqrt(sum(A * A))",
    wrt="A",
    kind="jvp",
    shapes={"A": "m n"},
    requires={"A": NONZERO},
    tex=Tex(
        f=r"\|A\|_F",
        num=r"\dot B = B^{-1} \operatorname{tr}(A^\top \dot A)",
        den=r"\dot B = B^{-1} \operatorname{tr}(A^\top \dot A)",
        where=r"B = \|A\|_F",
    ),
    sources=[g08(f"{LINALG}: matrix norms (Frobenius)")],
    aliases=("frobenius norm jvp",),
    notes="Not differentiable at A = 0. tr(AᵀȦ) is spelled Σ A∘Ȧ (no product matrix).",
)
def frobenius_jvp(A, dA):
    return jnp.sum(A * dA) / jnp.sqrt(jnp.sum(A * A))


@identity(
    f=lambda A: jnp.sqrt(jnp.sum(A * A)),
    find="sqrt(sum(A * A))",
    wrt="A",
    kind="vjp",
    shapes={"A": "m n"},
    requires={"A": NONZERO},
    tex=Tex(f=r"\|A\|_F", num=r"\bar A = \bar B B^{-1} A", den=r"\bar A = \bar B B^{-1} A", where=r"B = \|A\|_F"),
    sources=[g08(f"{LINALG}: matrix norms (Frobenius)")],
    aliases=("frobenius norm vjp",),
)
def frobenius_vjp(A, Cbar):
    return (Cbar / jnp.sqrt(jnp.sum(A * A))) * A


@identity(
    f=lambda A: jnp.linalg.norm(A, 2),
    find="norm2(A)",
    wrt="A",
    kind="jvp",
    shapes={"A": "m n"},
    requires={"A": DISTINCT_SINGULAR},
    tex=Tex(
        f=r"\|A\|_2",
        num=r"\dot B = u_1^\top \dot A v_1",
        den=r"\dot B = u_1^\top \dot A v_1",
        where=r"B = \|A\|_2 = \sigma_1,\ A v_1 = \sigma_1 u_1",
    ),
    sources=[g08(f"{LINALG}: matrix norms (spectral)")],
    aliases=("spectral norm jvp",),
    notes="Requires a simple largest singular value (declared here as all singular values distinct).",
)
def spectral_jvp(A, dA):
    U, _, Vh = jnp.linalg.svd(A, full_matrices=False)
    return U[:, 0] @ dA @ Vh[0]


@identity(
    f=lambda A: jnp.linalg.norm(A, 2),
    find="norm2(A)",
    wrt="A",
    kind="vjp",
    shapes={"A": "m n"},
    requires={"A": DISTINCT_SINGULAR},
    tex=Tex(
        f=r"\|A\|_2",
        num=r"\bar A = \bar B\, u_1 v_1^\top",
        den=r"\bar A = \bar B\, u_1 v_1^\top",
        where=r"B = \|A\|_2 = \sigma_1,\ A v_1 = \sigma_1 u_1",
    ),
    sources=[g08(f"{LINALG}: matrix norms (spectral)")],
    aliases=("spectral norm vjp",),
)
def spectral_vjp(A, Cbar):
    U, _, Vh = jnp.linalg.svd(A, full_matrices=False)
    return Cbar * jnp.outer(U[:, 0], Vh[0])
