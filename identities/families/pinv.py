"""The Moore–Penrose pseudo-inverse A⁺ and the least-squares solution x = A⁺b, on rank-preserving sets.

A⁺ is differentiable exactly where the rank of A is locally constant, and there (Golub & Pereyra 1973,
eq. (4.12)) Ȧ⁺ = −A⁺ȦA⁺ + A⁺A⁺ᵀȦᵀ(I − AA⁺) + (I − A⁺A)ȦᵀA⁺ᵀA⁺. Where the rank can change, A⁺ is not even
continuous (pinv(diag(1, t)) = diag(1, 1/t) for t ≠ 0, diag(1, 0) at t = 0).

**Fixed rank.** A rank-deficient A has rank-raising directions in every neighbourhood, so "the derivative
on a rank-preserving neighbourhood" needs a function that keeps the rank: here ``jnp.linalg.pinv(A,
rtol=PINV_RTOL)``, which treats singular values below PINV_RTOL·σ₁ as zero. Near a matrix of exact rank r
whose kept singular values are far above the cutoff it is pinv of the rank-r truncation of A, a smooth
function; its derivative at A is the Golub–Pereyra formula (the normal component (I − AA⁺)Ȧ(I − A⁺A) of a
direction drops out of every term), which is also what JAX's custom pinv JVP computes. The least-squares
solution of minimum norm, x = A⁺b, inherits all of this.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .._core import Example, Source, SpecialPoint, Tex, identity
from .._structures import DISTINCT_SINGULAR, FULL_COLUMN_RANK, PINV_RTOL, RANK_DEFICIENT_BY_ONE


def gp73(loc: str) -> Source:
    return Source("GP73", loc, "1973")


GP = gp73("eq. (4.12): the derivative of A⁺ for A of locally constant rank")
_JAX = Source("JAX", "numpy/linalg.py _pinv_jvp (the same three terms)")


def _gp_jvp(A, P, dA):
    """Golub–Pereyra: −PȦP + PPᵀȦᵀ(I − AP) + (I − PA)ȦᵀPᵀP, without forming I − AP or I − PA."""
    s = (P @ P.T) @ dA.T  # n×m
    t = (dA.T @ P.T) @ P  # n×m
    return -(P @ dA) @ P + s - (s @ A) @ P + t - (P @ A) @ t


def _gp_vjp(A, P, Pbar):
    """The adjoint, −PᵀP̄Pᵀ + (I − AP)P̄ᵀPPᵀ + PᵀPP̄ᵀ(I − PA), regrouped through W = PP̄ᵀ (n×n) as
    Pᵀ(W − Wᵀ − (WP)A) + (P̄ᵀ − AW)(PPᵀ): every intermediate is n×n or m×n, none m×m."""
    W = P @ Pbar.T
    return P.T @ (W - W.T - (W @ P) @ A) + (Pbar.T - A @ W) @ (P @ P.T)


_TEX_F = r"A^{+}"
_TEX_JVP = r"\dot{A^{+}} = -A^{+} \dot A A^{+} + A^{+} A^{+\top} \dot A^\top (I - A A^{+}) + (I - A^{+} A) \dot A^\top A^{+\top} A^{+}"
_TEX_VJP = (
    r"\bar A = -A^{+\top} \bar P A^{+\top} + (I - A A^{+}) \bar P^\top A^{+} A^{+\top}"
    r" + A^{+\top} A^{+} \bar P^\top (I - A^{+} A)"
)
_TALL = [{"m": 4, "n": 3}, {"m": 5, "n": 2}]
_MIXED = [{"m": 4, "n": 3}, {"m": 3, "n": 5}]  # tall and wide, rank min(m, n) − 1

# A = diag(2, 0) is rank 1 and pinv(A, rtol) = diag(1/2, 0). Along Ȧ = [[1, 1], [1, 1]]: the truncation of
# A + tȦ to rank 1 is (2 + t + O(t²))e₁e₁ᵀ + t(e₁e₂ᵀ + e₂e₁ᵀ) + O(t²), whose pinv is, by hand to first order,
# diag(1/2 − t/4, 0) + (t/4)(e₁e₂ᵀ + e₂e₁ᵀ): Ȧ⁺ = [[−1/4, 1/4], [1/4, 0]] (term by term: −A⁺ȦA⁺ = −E₁₁/4,
# A⁺A⁺ᵀȦᵀ(I − AA⁺) = E₁₂/4, (I − A⁺A)ȦᵀA⁺ᵀA⁺ = E₂₁/4)
_EX_A = [[2.0, 0.0], [0.0, 0.0]]
_EX_DA = [[1.0, 1.0], [1.0, 1.0]]
_EX_SRC = Source("derived", "A = diag(2, 0), Ȧ = [[1, 1], [1, 1]]: the three Golub–Pereyra terms by hand")

_A_RANK = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])  # 3×2 of rank 1: σ = (1, 0)
_E22 = np.array([[0.0, 0.0], [0.0, 1.0], [0.0, 0.0]])  # raises the rank: pinv(A + tE₂₂) has 1/t
_E11 = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])


@identity(
    f=lambda A: jnp.linalg.pinv(A),
    wrt="A",
    find="pinv(A)",
    kind="jvp",
    shapes={"A": "m n"},
    requires={"A": FULL_COLUMN_RANK},
    sizes=_TALL,
    tex=Tex(f=_TEX_F, num=_TEX_JVP, den=_TEX_JVP),
    sources=[GP, _JAX],
    aliases=("pinv jvp",),
    notes="""
    Full column rank (m ≥ n): A⁺ = (AᵀA)⁻¹Aᵀ, A⁺A = I, so the third term vanishes; the formula is kept
    whole so that the same code serves the fixed-rank case.
    """,
    special=[
        SpecialPoint(
            "rank drops: A = [[1, 0], [0, 0], [0, 0]], Ȧ = E₂₂",
            {"A": _A_RANK.tolist(), "dA": _E22.tolist()},
            "the rank changes along Ȧ (pinv(A + tE₂₂) = e₁e₁ᵀ + e₂e₂ᵀ/t): A⁺ is discontinuous, no finite answer is valid",
            jax_verdict="invalid",
            notes="JAX's custom pinv JVP returns the Golub–Pereyra formula, 0 here: the derivative along"
            " rank-preserving directions, silently applied to one that raises the rank.",
            upstream=("pytorch/pytorch#65911",),
        )
    ],
)
def pinv_jvp(A, dA):
    return _gp_jvp(A, jnp.linalg.pinv(A), dA)


@identity(
    f=lambda A: jnp.linalg.pinv(A),
    wrt="A",
    find="pinv(A)",
    kind="vjp",
    shapes={"A": "m n"},
    requires={"A": FULL_COLUMN_RANK},
    sizes=_TALL,
    tex=Tex(f=_TEX_F, num=_TEX_VJP, den=_TEX_VJP),
    sources=[GP, Source("derived", "the adjoint of eq. (4.12), term by term")],
    aliases=("pinv vjp",),
    notes="Derived here: each term's adjoint under ⟨X, Y⟩ = tr(XᵀY) (tr(MȦᵀ) = ⟨M, Ȧ⟩ for the transposed ones).",
)
def pinv_vjp(A, Cbar):
    return _gp_vjp(A, jnp.linalg.pinv(A), Cbar)


@identity(
    f=lambda A: jnp.linalg.pinv(A, rtol=PINV_RTOL),
    wrt="A",
    find="pinv(A)",
    kind="jvp",
    shapes={"A": "m n"},
    requires={"A": RANK_DEFICIENT_BY_ONE},
    sizes=_MIXED,
    tex=Tex(f=r"A^{+},\ \operatorname{rank} A = r < \min(m, n)", num=_TEX_JVP, den=_TEX_JVP),
    sources=[GP, _JAX],
    aliases=("pinv fixed rank jvp",),
    special=[
        SpecialPoint(
            "rank 0: A = 0 (3×2), Ȧ = E₁₁",
            {"A": np.zeros((3, 2)).tolist(), "dA": _E11.tolist()},
            "the rank drops below r = 1: pinv(tE₁₁) = E₁₁ᵀ/t for t ≠ 0, 0 at t = 0; no finite answer is valid",
            jax_verdict="invalid",
            notes="JAX's pinv JVP (the Golub–Pereyra rule, jax-ml/jax#2794) with A⁺ = 0 returns 0: finite,"
            " and wrong along every direction.",
            upstream=("jax-ml/jax#2794",),
        )
    ],
    examples=[Example({"A": _EX_A, "dA": _EX_DA}, [[-0.25, 0.25], [0.25, 0.0]], _EX_SRC)],
    notes=f"""
    Rank-deficient A (rank min(m, n) − 1), tall or wide, differentiated as the pseudo-inverse of its rank-r
    truncation (jnp.linalg.pinv with rtol = {PINV_RTOL:g}): every term of the formula is needed.
    """,
)
def pinv_rank_jvp(A, dA):
    return _gp_jvp(A, jnp.linalg.pinv(A, rtol=PINV_RTOL), dA)


@identity(
    f=lambda A: jnp.linalg.pinv(A, rtol=PINV_RTOL),
    wrt="A",
    find="pinv(A)",
    kind="vjp",
    shapes={"A": "m n"},
    requires={"A": RANK_DEFICIENT_BY_ONE},
    sizes=_MIXED,
    tex=Tex(f=r"A^{+},\ \operatorname{rank} A = r < \min(m, n)", num=_TEX_VJP, den=_TEX_VJP),
    sources=[GP, Source("derived", "the adjoint of eq. (4.12), term by term")],
    aliases=("pinv fixed rank vjp",),
    examples=[Example({"A": _EX_A, "cotangent": [[1.0, 0.0], [0.0, 0.0]]}, [[-0.25, 0.0], [0.0, 0.0]], _EX_SRC)],
    notes="""
    Derived here (the adjoint of the fixed-rank JVP). Its normal component (I − AA⁺)Ā(I − A⁺A) is 0: the
    gradient lies in the tangent space of the rank-r matrices. At A = diag(2, 0), P̄ = E₁₁ (the entry 1/2 of
    A⁺ = diag(1/2, 0)): Ā = −E₁₁/4, the derivative of 1/a₁₁.
    """,
)
def pinv_rank_vjp(A, Cbar):
    return _gp_vjp(A, jnp.linalg.pinv(A, rtol=PINV_RTOL), Cbar)


# --- least squares -----------------------------------------------------------------------------------------
def _lstsq(A, b):
    return jnp.linalg.lstsq(A, b)[0]


# A = [[1, 0], [0, 1], [0, 0]], b = (1, 2, 3): x = (1, 2), r = (0, 0, 3). Along Ȧ = E₃₁ (a₃₁ = t):
# x(t) = argmin (x₁ − 1)² + (x₂ − 2)² + (tx₁ − 3)²: x₁ = (1 + 3t)/(1 + t²), so ẋ = (3, 0) = (AᵀA)⁻¹Ȧᵀr − A⁺Ȧx
_EX_LA = [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
_EX_LB = [1.0, 2.0, 3.0]
_EX_LSRC = Source("derived", "A = [e₁ e₂] in R³, b = (1, 2, 3), a₃₁ = t: the normal equations by hand")
_GP_LS = gp73("§5: the least-squares solution x = A⁺b and its derivative through eq. (4.12)")


@identity(
    f=_lstsq,
    wrt="A",
    find="pinv(A) @ b",
    kind="jvp",
    shapes={"A": "m n", "b": "m"},
    requires={"A": DISTINCT_SINGULAR},
    sizes=_TALL,
    tex=Tex(
        f=r"x = A^{+} b = \arg\min_x \|Ax - b\|_2",
        num=r"\dot x = -A^{+} \dot A x + (A^\top A)^{-1} \dot A^\top r",
        den=r"\dot x = -A^{+} \dot A x + (A^\top A)^{-1} \dot A^\top r",
        where=r"r = b - A x",
    ),
    sources=[_GP_LS],
    aliases=("lstsq jvp", "least squares jvp"),
    examples=[Example({"A": _EX_LA, "b": _EX_LB, "dA": [[0.0, 0.0], [0.0, 0.0], [1.0, 0.0]]}, [3.0, 0.0], _EX_LSRC)],
    notes="""
    Full column rank (tall). The residual term matters whenever b is not in the range of A. JAX has no rule
    for lstsq (jax-ml/jax#10805): it differentiates its SVD-based implementation, which needs distinct
    singular values, hence the precondition (the derivative itself needs only full column rank).
    (AᵀA)⁻¹ = A⁺A⁺ᵀ: one pseudo-inverse serves both terms.
    """,
    special=[
        SpecialPoint(
            "rank-deficient: A = [[1, 0], [0, 0], [0, 0]], b = (1, 1, 1), Ȧ = E₂₂",
            {"A": _A_RANK.tolist(), "b": [1.0, 1.0, 1.0], "dA": _E22.tolist()},
            "the minimum-norm solution jumps: x(A + tE₂₂) = (1, 1/t) for t ≠ 0, (1, 0) at t = 0; no finite answer is valid",
            jax_verdict="nan",
            notes="JAX differentiates its SVD-based lstsq; the SVD's JVP of a tall matrix divides by the zero"
            " singular value: NaN (the NaN of jax-ml/jax#10805).",
            upstream=("jax-ml/jax#10805",),
        )
    ],
)
def lstsq_jvp_A(A, b, dA):
    P = jnp.linalg.pinv(A)
    x = P @ b
    r = b - A @ x
    return -P @ (dA @ x) + P @ (P.T @ (dA.T @ r))


@identity(
    f=_lstsq,
    wrt="A",
    find="pinv(A) @ b",
    kind="vjp",
    shapes={"A": "m n", "b": "m"},
    requires={"A": DISTINCT_SINGULAR},
    sizes=_TALL,
    tex=Tex(
        f=r"x = A^{+} b",
        num=r"\bar A = r z^\top - A z x^\top,\ z = (A^\top A)^{-1} \bar x",
        den=r"\bar A = r z^\top - A z x^\top,\ z = (A^\top A)^{-1} \bar x",
        where=r"r = b - A x",
    ),
    sources=[_GP_LS, Source("derived", "the adjoint of the forward rule")],
    aliases=("lstsq vjp", "least squares vjp"),
    special=[
        SpecialPoint(
            "rank-deficient: A = [[1, 0], [0, 0], [0, 0]], b = (1, 1, 1), x̄ = e₂",
            {"A": _A_RANK.tolist(), "b": [1.0, 1.0, 1.0], "cotangent": [0.0, 1.0]},
            "x₂ = 1/t along A + tE₂₂ (0 at t = 0): the gradient of x₂ is unbounded; no finite answer is valid",
            jax_verdict="nan",
            notes="JAX's reverse pass through its SVD-based lstsq divides by the zero singular value: NaN.",
            upstream=("jax-ml/jax#10805",),
        )
    ],
    notes="""
    Derived here: ⟨x̄, −A⁺Ȧx⟩ = ⟨−A⁺ᵀx̄xᵀ, Ȧ⟩ and A⁺ᵀx̄ = A(AᵀA)⁻¹x̄ = Az; ⟨x̄, (AᵀA)⁻¹Ȧᵀr⟩ = ⟨rzᵀ, Ȧ⟩.
    """,
)
def lstsq_vjp_A(A, b, Cbar):
    P = jnp.linalg.pinv(A)
    x = P @ b
    r = b - A @ x
    z = P @ (P.T @ Cbar)
    return jnp.outer(r, z) - jnp.outer(A @ z, x)


@identity(
    f=_lstsq,
    wrt="b",
    find="pinv(A) @ b",
    kind="vjp",
    shapes={"A": "m n", "b": "m"},
    requires={"A": DISTINCT_SINGULAR},
    sizes=_TALL,
    tex=Tex(f=r"x = A^{+} b", num=r"\bar b = A^{+\top} \bar x", den=r"\bar b = A^{+\top} \bar x"),
    sources=[_GP_LS],
    aliases=("lstsq vjp b",),
    notes="x is linear in b: the adjoint of ḃ ↦ A⁺ḃ.",
)
def lstsq_vjp_b(A, b, Cbar):
    U, s, Vt = jnp.linalg.svd(A, full_matrices=False)  # A⁺ᵀx̄ = U Σ⁻¹ Vᵀx̄, without forming A⁺
    return U @ ((Vt @ Cbar) / s)


def _minnorm(A, b):
    return jnp.linalg.pinv(A, rtol=PINV_RTOL) @ b


@identity(
    f=_minnorm,
    wrt="A",
    find="pinv(A) @ b",
    kind="jvp",
    shapes={"A": "m n", "b": "m"},
    requires={"A": RANK_DEFICIENT_BY_ONE},
    sizes=_MIXED,
    tex=Tex(
        f=r"x = A^{+} b,\ \operatorname{rank} A = r < \min(m, n)",
        num=r"\dot x = \dot{A^{+}} b \text{ (Golub–Pereyra)}",
        den=r"\dot x = \dot{A^{+}} b \text{ (Golub–Pereyra)}",
    ),
    sources=[_GP_LS],
    aliases=("minimum-norm least squares jvp",),
    notes=f"""
    The minimum-norm least-squares solution for rank-deficient A (rank min(m, n) − 1, pinv with rtol =
    {PINV_RTOL:g}), on the rank-preserving set: the Golub–Pereyra derivative applied to b.
    """,
)
def lstsq_minnorm_jvp_A(A, b, dA):
    return _gp_jvp(A, jnp.linalg.pinv(A, rtol=PINV_RTOL), dA) @ b


@identity(
    f=_minnorm,
    wrt="A",
    find="pinv(A) @ b",
    kind="vjp",
    shapes={"A": "m n", "b": "m"},
    requires={"A": RANK_DEFICIENT_BY_ONE},
    sizes=_MIXED,
    tex=Tex(
        f=r"x = A^{+} b,\ \operatorname{rank} A = r < \min(m, n)",
        num=r"\bar A = \text{the pseudo-inverse VJP at } \bar P = \bar x b^\top",
        den=r"\bar A = \text{the pseudo-inverse VJP at } \bar P = \bar x b^\top",
    ),
    sources=[_GP_LS, Source("derived", "x = A⁺b sends x̄ to P̄ = x̄bᵀ")],
    aliases=("minimum-norm least squares vjp",),
    notes="Derived here: ⟨x̄, Ṗb⟩ = ⟨x̄bᵀ, Ṗ⟩, then the adjoint of the Golub–Pereyra formula.",
)
def lstsq_minnorm_vjp_A(A, b, Cbar):
    return _gp_vjp(A, jnp.linalg.pinv(A, rtol=PINV_RTOL), jnp.outer(Cbar, b))
