"""Wikipedia's "identities in differential form" (Matrix calculus): each a JVP rule d f(X)[dX].

A differential identity is checked as what it is, a directional derivative: ``kind="jvp"``, closed form
``closed(*args, dX)`` compared with ``jax.jvp``, with ``jacfwd`` contracted with dX, and with a central
difference of f along dX. Rules with two matrix variables (d(XY), d(X ⊗ Y), …) take the pair stacked as
P = (X, Y), shape 2×n×n, so that both differentials move at once. The results are layout-free (a
differential has the shape of f), so both "layout columns" are the same expression.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from .._core import SpecialPoint, Tex, identity, wiki
from .._structures import DIAGONALIZABLE, INVERTIBLE, SPD, SPD_SIMPLE
from .matrix import trace_adjugate
from .trace import _SQUARINGS, _TERMS, expm


def _same(f: str, d: str, where: str = "") -> Tex:
    return Tex(f=f, num=d, den=d, wrt="X", where=where)


@identity(
    f=lambda X, A: A,
    wrt="X",
    kind="jvp",
    shapes={"X": "n n", "A": "m p"},
    tex=_same("A", "0"),
    sources=[wiki("differentials: d(A)")],
    notes="A constant has differential 0 (f ignores X).",
)
def d_const(X, A, dX):
    return jnp.zeros_like(A)


@identity(
    f=lambda a, X: a * X,
    find="a * X",
    wrt="X",
    kind="jvp",
    shapes={"a": "", "X": "m n"},
    tex=_same("aX", r"a\, dX"),
    sources=[wiki("differentials: d(aX)")],
)
def d_aX(a, X, dX):
    return a * dX


@identity(
    f=lambda P: P[0] + P[1],
    wrt="P",
    kind="jvp",
    shapes={"P": "2 m n"},
    tex=Tex(f="X + Y", num="dX + dY", den="dX + dY", wrt="(X, Y)"),
    sources=[wiki("differentials: d(X+Y)")],
)
def d_sum(P, dP):
    return dP[0] + dP[1]


@identity(
    f=lambda X: jnp.trace(X),
    find="trace(X)",
    wrt="X",
    kind="jvp",
    shapes={"X": "n n"},
    tex=_same(r"\operatorname{tr}(X)", r"\operatorname{tr}(dX)"),
    sources=[wiki("differentials: d(tr(X))")],
)
def d_trace(X, dX):
    return jnp.trace(dX)


@identity(
    f=lambda P: P[0] @ P[1],
    wrt="P",
    kind="jvp",
    shapes={"P": "2 n n"},
    tex=Tex(f="XY", num="(dX)\\,Y + X\\,(dY)", den="(dX)\\,Y + X\\,(dY)", wrt="(X, Y)"),
    sources=[wiki("differentials: d(XY)")],
    notes="The order of the factors is kept: X and dY do not commute.",
)
def d_product(P, dP):
    return dP[0] @ P[1] + P[0] @ dP[1]


@identity(
    f=lambda P: jnp.kron(P[0], P[1]),
    wrt="P",
    kind="jvp",
    shapes={"P": "2 n n"},
    tex=Tex(f=r"X \otimes Y", num=r"(dX) \otimes Y + X \otimes (dY)", den=r"(dX) \otimes Y + X \otimes (dY)"),
    sources=[wiki("differentials: d(X⊗Y)")],
)
def d_kron(P, dP):
    return jnp.kron(dP[0], P[1]) + jnp.kron(P[0], dP[1])


@identity(
    f=lambda P: P[0] * P[1],
    wrt="P",
    kind="jvp",
    shapes={"P": "2 m n"},
    tex=Tex(f=r"X \circ Y", num=r"(dX) \circ Y + X \circ (dY)", den=r"(dX) \circ Y + X \circ (dY)"),
    sources=[wiki("differentials: d(X∘Y)")],
)
def d_hadamard(P, dP):
    return dP[0] * P[1] + P[0] * dP[1]


@identity(
    f=lambda X: X.T,
    find="X.T",
    wrt="X",
    kind="jvp",
    shapes={"X": "m n"},
    tex=_same(r"X^\top", r"(dX)^\top"),
    sources=[wiki("differentials: d(Xᵀ)")],
)
def d_transpose(X, dX):
    return dX.T


@identity(
    f=lambda X: jnp.linalg.inv(X),
    find="inv(X)",
    wrt="X",
    kind="jvp",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=_same(r"X^{-1}", r"-X^{-1} (dX) X^{-1}"),
    sources=[wiki("differentials: d(X⁻¹)")],
    notes="""
    Spelled with one LU factorization PX = LU and four triangular solves: X⁻¹dX (left, L then U) and then
    (X⁻¹dX)X⁻¹ (right, U then L), about 2/3 + 4 n³ flops. Forming Y = X⁻¹ and two products −Y dX Y costs
    2/3 + 2 + 4 n³, as does jax.jvp of inv (X⁻¹ by solves against I, then a solve against dX X⁻¹).
    """,
)
def d_inverse(X, dX):
    solve_left, solve_right = _lu_solvers(X)
    return -solve_right(solve_left(dX))


def _lu_solvers(X):
    """M ↦ X⁻¹M and M ↦ MX⁻¹ on one LU factorization X[perm] = LU: two triangular solves each, no inverse."""
    tri = jax.lax.linalg.triangular_solve
    lu, _, perm = jax.lax.linalg.lu(X)

    def left(M):  # U⁻¹L⁻¹(PM)
        W = tri(lu, M[perm], left_side=True, lower=True, unit_diagonal=True)
        return tri(lu, W, left_side=True, lower=False)

    def right(M):  # (MU⁻¹L⁻¹)P
        W = tri(lu, M, left_side=False, lower=False)
        W = tri(lu, W, left_side=False, lower=True, unit_diagonal=True)
        return W[:, jnp.argsort(perm)]

    return left, right


@identity(
    f=lambda X: jnp.linalg.det(X),
    find="det(X)",
    wrt="X",
    kind="jvp",
    shapes={"X": "n n"},
    tex=_same(r"\det(X)", r"\operatorname{tr}\left(\operatorname{adj}(X)\, dX\right)"),
    sources=[wiki("differentials: d(det(X))")],
    autodiff_requires={"X": INVERTIBLE},
    notes="""
    The adjugate form holds for every X, singular included (adj is a polynomial in X). The random checks
    draw invertible X: at a singular X the finite differences of det are ruled by the rounding of its LU
    factorization (about eps·‖X‖ⁿ, not eps·|det X|) and cannot confirm anything; the singular case is
    tested against the exact polynomial in tests/test_mc_b.py. For invertible X, adj(X) = det(X)X⁻¹ gives
    differentials.d_det_inv.
    """,
)
def d_det_adj(X, dX):
    return trace_adjugate(X, dX)


@identity(
    f=lambda X: jnp.linalg.det(X),
    find="det(X)",
    wrt="X",
    kind="jvp",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=_same(r"\det(X)", r"\det(X) \operatorname{tr}\left(X^{-1} dX\right)"),
    sources=[wiki("differentials: d(det(X))")],
    notes="Spelled with one solve, tr(X⁻¹dX) = tr(solve(X, dX)).",
)
def d_det_inv(X, dX):
    return jnp.linalg.det(X) * jnp.trace(jnp.linalg.solve(X, dX))


@identity(
    f=lambda X: jnp.linalg.slogdet(X)[1],
    find="logdet(X)",
    wrt="X",
    kind="jvp",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=_same(r"\ln\lvert\det(X)\rvert", r"\operatorname{tr}\left(X^{-1} dX\right)"),
    sources=[wiki("differentials: d(ln(det(X)))")],
    notes="Wikipedia writes ln(det X) (det X > 0); the same differential holds for ln|det X|, checked here.",
)
def d_logdet(X, dX):
    return jnp.trace(jnp.linalg.solve(X, dX))


N_POW = 3  # the power checked for d(Xⁿ)


@identity(
    f=lambda X: jnp.linalg.matrix_power(X, N_POW),
    find="matrix_power(X, 3)",
    wrt="X",
    kind="jvp",
    shapes={"X": "n n"},
    tex=_same(r"X^n,\ n = 3", r"\sum_{i=0}^{n-1} X^i (dX) X^{n-i-1}"),
    sources=[wiki("differentials: d(Xⁿ)")],
    notes="Checked at n = 3: dX X² + X dX X + X² dX.",
)
def d_power(X, dX):
    # Σ_{i<n} Xⁱ dX X^{n−1−i} by S_{j+1} = S_j X + Xʲ dX (S_1 = dX), Xʲ dX = X(X^{j−1} dX): two products a
    # step and no powers of X kept (they would be n² bytes each)
    S = Q = dX
    for _ in range(N_POW - 1):
        Q = X @ Q
        S = S @ X + Q
    return S


@identity(
    f=lambda X: expm(X),
    find="expm(X)",
    wrt="X",
    kind="jvp",
    shapes={"X": "n n"},
    tex=_same(r"e^X", r"\int_0^1 e^{aX} (dX)\, e^{(1-a)X}\, da"),
    sources=[wiki("differentials: d(e^X)")],
    notes="""
    The integral is evaluated exactly, the way trace.expm evaluates e^X (scaling, Taylor, squaring). At
    Y = 2⁻ˢX, E = 2⁻ˢdX, termwise with the Beta integral ∫₀¹ aʲ(1−a)ᵏ da = j!k!/(j+k+1)!:
    L(Y, E) = Σ_{j,k} Yʲ E Yᵏ/(j+k+1)!, cut after total degree 15 — the terms of d of the degree-16 Taylor
    polynomial, evaluated together with it by Paterson–Stockmeyer (Horner in Y², two terms a step).
    Splitting [0, 1] in halves gives the doubling L(2Y, 2E) = e^Y L(Y, E) + L(Y, E) e^Y, applied s = 6 times
    with e^Y squared alongside (the recurrence of Al-Mohy & Higham, Computing the Fréchet derivative of the
    matrix exponential, SIAM J. Matrix Anal. Appl. 30 (2009)). About 42 n×n products, against ~66 for
    jax.jvp of trace.expm (16 Horner steps and 6 squarings, three products each) and 32·2·22 for 32-point
    Gauss–Legendre quadrature with an exponential at every node (the previous spelling).
    tests/test_mc_b.py compares it with jax.jvp of jax.scipy.linalg.expm.
    """,
)
@jax.jit  # cached for eager calls: see _decomp.sqrtm_db
def d_expm(X, dX):
    # (A, dA) pairs multiply like the block upper triangular [[A, dA], [0, A]]: (AB, A dB + dA B)
    def mul(a, b):
        return a[0] @ b[0], a[0] @ b[1] + a[1] @ b[0]

    # Σ_k c_k Yᵏ with Y = 2⁻ˢX as Σ_k (c_k 2⁻ˢᵏ) Xᵏ: the pair (X, dX) is the argument, not a scaled copy
    c = jnp.asarray([1.0 / (math.factorial(k) * 2.0 ** (_SQUARINGS * k)) for k in range(_TERMS + 1)], X.dtype)
    eye = jnp.eye(X.shape[-1], dtype=X.dtype)
    X2 = mul((X, dX), (X, dX))

    def block(i):  # c_2i I + c_2i+1 X and its differential
        return c[2 * i] * eye + c[2 * i + 1] * X, c[2 * i + 1] * dX

    def horner(j, P):  # P ← P X² + block(i), i = 7 − j: Paterson–Stockmeyer, two terms a product
        P, B = mul(P, X2), block(_TERMS // 2 - 1 - j)
        return P[0] + B[0], P[1] + B[1]

    top = block(_TERMS // 2 - 1)
    P = (c[_TERMS] * X2[0] + top[0], c[_TERMS] * X2[1] + top[1])  # c₁₆X² + c₁₅X + c₁₄I, no product
    # loops, not unrolled steps: XLA then keeps 6 n² of scratch (as jax.jvp of trace.expm), not 7
    P = jax.lax.fori_loop(1, _TERMS // 2, horner, P)
    P = jax.lax.fori_loop(0, _SQUARINGS, lambda i, P: mul(P, P), P)  # e^{2Y} = (e^Y)², L ← e^Y L + L e^Y
    return P[1]


def logm_spd(X):
    """log X for symmetric positive definite X, through the eigendecomposition."""
    lam, V = jnp.linalg.eigh(X)
    return (V * jnp.log(lam)[None, :]) @ V.T


LOGM_NODES, LOGM_TAIL = 128, 18.0  # trapezoidal rule in u = ln z for d(log X), below


@identity(
    f=lambda X: logm_spd(X),
    wrt="X",
    kind="jvp",
    shapes={"X": "n n"},
    requires={"X": SPD},
    autodiff_requires={"X": SPD_SIMPLE},  # JAX differentiates eigh (inside f) only for a simple spectrum
    tex=_same(r"\log X", r"\int_0^\infty (X + zI)^{-1} (dX) (X + zI)^{-1}\, dz"),
    sources=[wiki("differentials: d(log(X))")],
    notes="""
    Holds for X with no eigenvalue on (−∞, 0]; checked on SPD X (where log X is computed by eigh) with
    symmetric dX. For SPD X = QΛQᵀ, (X + zI)⁻¹ = Q(Λ + zI)⁻¹Qᵀ, so the integral is Q(G ∘ QᵀdXQ)Qᵀ with
    G_ij = ∫₀^∞ dz/((λ_i + z)(λ_j + z)), the integral of the eigenbasis entries. With z = eᵘ the integrand
    is analytic in the strip |Im u| < π and decays like e^{−|u|}, so the trapezoidal rule on ℝ converges
    geometrically (Trefethen & Weideman, The exponentially convergent trapezoidal rule, SIAM Rev. 56 (2014)):
    K = 128 nodes with step h on [ln λ_min − 18, ln λ_max + 18] give G = RRᵀ, R_ik = √(h e^{u_k})/(λ_i + e^{u_k});
    the terms beyond either end are summed in closed form to first order (e^u/(λ_iλ_j) below, e^{−u} above,
    geometric series of ratio e^{−h}: two more columns of R), leaving errors near 1e-14 relative for spectra
    spanning e³⁰. One eigh and five products, against the eigh and products of jax.jvp of logm_spd. The
    previous spelling, 32-point Gauss–Legendre in t = z/(1 + z) with one LU per node, was 32 factorizations
    slower and only 5e-6 accurate for λ from 1 to 128 (its poles t = λ/(λ − 1) approach the interval).
    """,
)
def d_logm(X, dX):
    lam, Q = jnp.linalg.eigh(X)
    loglam = jnp.log(lam)
    lo, hi = jnp.min(loglam) - LOGM_TAIL, jnp.max(loglam) + LOGM_TAIL
    h = (hi - lo) / (LOGM_NODES - 1)
    z = jnp.exp(lo + h * jnp.arange(LOGM_NODES, dtype=X.dtype))  # the nodes z_k = e^{u_k}
    q = h / jnp.expm1(h)  # Σ_{k≥1} h e^{−kh}: the nodes past either end, at the tails' leading terms
    R = jnp.concatenate(
        [
            jnp.sqrt(h * z)[None, :] / (lam[:, None] + z[None, :]),
            (jnp.sqrt(q * jnp.exp(lo)) / lam)[:, None],  # Σ_{u<lo} h e^u/(λ_iλ_j)
            jnp.broadcast_to(jnp.sqrt(q * jnp.exp(-hi)), lam.shape)[:, None],  # Σ_{u>hi} h e^{−u}
        ],
        axis=1,
    )
    return Q @ ((R @ R.T) * (Q.T @ dX @ Q)) @ Q.T


def _eig_reflected(X):
    """eig(X) through the similarity Y = HXH, H = I − (2/n)11ᵀ (orthogonal, symmetric): λ(Y) = λ(X), B = HB_Y.

    JAX's eig is LAPACK geev, which balances X first (diagonal scaling by powers of 2 to equalize row and
    column norms). On a matrix whose entries span many orders of magnitude that scaling is extreme and the
    eigenvectors come back wrong (James, Langou, Lowery, "On matrix balancing and eigenvector computation",
    arXiv:1401.5766, 2014, show that balancing can deteriorate eigenvector accuracy). Over 300 diagonalizable
    X per level (n = 2..5, DIAGONALIZABLE's build, a random share of the raw entries scaled by e), the worst relative residual
    max|XB − BΛ|/max|X| was 6e-12 at e = 1e-8, 1e-8 at 1e-16, 1.5e-3 at 1e-25 and 1.0 (no digit right) from
    1e-60 down; hypothesis found X = [[-0.5, 0.125, 9e-117], [-5e-117, 9e-117, 5e-117], [-1e-116, -2e-117, 0.5]]
    with residual 0.44. The reflection H mixes every entry into every row and column (an exact orthogonal
    similarity: no change to the eigenvalues or the conditioning), so balancing has nothing to scale: the
    worst residual over the same draws was 2.9e-15 at every level."""
    n = X.shape[-1]
    one = jnp.ones((n, 1), X.dtype)
    HX = X - (2 / n) * one @ (one.T @ X)
    Y = HX - (2 / n) * (HX @ one) @ one.T
    lam, C = jnp.linalg.eig(Y)
    C = C.real
    return lam.real, C - (2 / n) * one @ (one.T @ C)


def _divided_differences(f, fprime, lam):
    """P_ij = (f(λ_i) − f(λ_j))/(λ_i − λ_j), and f′(λ_i) where λ_i = λ_j."""
    li, lj = lam[:, None], lam[None, :]
    same = jnp.abs(li - lj) <= 1e-12 * (1 + jnp.abs(li))
    return jnp.where(same, fprime(li) + 0 * lj, (f(li) - f(lj)) / jnp.where(same, 1.0, li - lj))


@identity(
    f=lambda X: expm(X),
    find="expm(X)",
    wrt="X",
    kind="jvp",
    shapes={"X": "n n"},
    requires={"X": DIAGONALIZABLE},
    tex=_same(
        r"f(X) = e^X,\ X = BDB^{-1}",
        r"B \left(P \circ (B^{-1} (dX) B)\right) B^{-1}",
        where=r"P_{ij} = \frac{f(d_i) - f(d_j)}{d_i - d_j}\ (d_i \ne d_j),\ P_{ii} = f'(d_i)",
    ),
    sources=[wiki("differentials: d(f(X)) for diagonalizable X")],
    notes="""
    The divided-difference (Daleckii–Krein) form for diagonalizable X = BDB⁻¹, checked for f = exp on X
    with real, separated eigenvalues and a well-conditioned B; B, D from the eigendecomposition (a general
    eig: X is not symmetric), B⁻¹ on both sides from one LU factorization of B (four triangular solves).
    The eig is taken of HXH (H = I − (2/n)11ᵀ, B = H·B_Y): LAPACK's balancing of X itself returns wrong
    eigenvectors when X's entries span many orders of magnitude (relative error 0.67 at entries of 1e-116).
    The eig (LAPACK geev, about 25n³ flops) dominates; single-threaded it is about 1.6× faster than
    jax.jvp of trace.expm (~66 products, 132n³ flops), but geev is mostly sequential while XLA's products
    use every core, so on a loaded machine the jvp can come out ahead.
    """,
)
def d_fX_divdiff(X, dX):
    lam, B = _eig_reflected(X)  # not eig(X): geev's balancing ruins the eigenvectors of badly scaled X
    P = _divided_differences(jnp.exp, jnp.exp, lam)
    solve_left, solve_right = _lu_solvers(B)  # B⁻¹ on both sides from one LU of B
    return solve_right(B @ (P * solve_left(dX @ B)))


@identity(
    f=lambda X: logm_spd(X),
    wrt="X",
    kind="jvp",
    shapes={"X": "n n"},
    requires={"X": SPD},
    autodiff_requires={"X": SPD_SIMPLE},  # JAX differentiates eigh (inside f) only for a simple spectrum
    tex=_same(
        r"f(X) = \log X,\ X = Q \Lambda Q^\top",
        r"Q \left(P \circ (Q^\top (dX) Q)\right) Q^\top",
        where=r"P_{ij} = \frac{\log \lambda_i - \log \lambda_j}{\lambda_i - \lambda_j},\ P_{ii} = 1/\lambda_i",
    ),
    sources=[wiki("differentials: d(f(X)) for diagonalizable X")],
    notes="The symmetric case (B = Q orthogonal, B⁻¹ = Qᵀ) with f = log on SPD X and symmetric dX.",
    special=[
        SpecialPoint(
            "X = I",
            {"X": np.eye(3).tolist(), "dX": [[1.0, 2.0, 0.0], [2.0, -1.0, 1.0], [0.0, 1.0, 3.0]]},
            "differentiable: log I = 0 and every divided difference of log at 1 is 1, so d log X = dX",
            value=[[1.0, 2.0, 0.0], [2.0, -1.0, 1.0], [0.0, 1.0, 3.0]],
            jax_verdict="nan",
            notes="The derivative exists; logm_spd goes through eigh, whose rule is NaN at the repeated eigenvalue.",
            upstream=("jax-ml/jax#669", "jax-ml/jax#4646"),
        )
    ],
)
def d_logm_divdiff(X, dX):
    lam, Q = jnp.linalg.eigh(X)
    P = _divided_differences(jnp.log, lambda t: 1 / t, lam)
    return Q @ (P * (Q.T @ dX @ Q)) @ Q.T


@identity(
    f=lambda X: X**3,
    find="X ** 3",
    wrt="X",
    kind="jvp",
    shapes={"X": "m n"},
    tex=_same(r"X^{\circ 3}", r"3 X^{\circ 2} \circ dX"),
    sources=[wiki("differentials: d(X∘Y)")],
    notes="The Hadamard product rule applied twice: X ∘ X ∘ X (the entrywise cube).",
)
def d_hadamard_cube(X, dX):
    return 3 * X * X * dX
