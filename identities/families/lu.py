"""The LU decomposition with partial pivoting, A = PLU: forward (JVP) and reverse (VJP) rules for L and U.

P is a permutation, L unit lower triangular, U upper triangular (``jax.scipy.linalg.lu``). Where no two
pivot candidates tie, the pivot order, and so P, is locally constant, and L and U are smooth: from
PLU̇ + PL̇U = Ȧ, F = L⁻¹PᵀȦU⁻¹ splits into its strictly lower part L⁻¹L̇ and its upper part U̇U⁻¹:
L̇ = L tril(F, −1), U̇ = triu(F) U (de Hoog, Anderssen & Lukas; JAX's lu JVP). The adjoints follow from
⟨L̄, L tril(F, −1)⟩ = ⟨tril(LᵀL̄, −1), F⟩ and ⟨Ū, triu(F)U⟩ = ⟨triu(ŪUᵀ), F⟩. Inputs are built with every
pivot clear of its rivals (``CLEAR_PIVOTS``), so finite differences never cross a change of P.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import lu, solve_triangular

from .._core import Example, Source, SpecialPoint, Tex, identity
from .._structures import CLEAR_PIVOTS


def dhal(loc: str) -> Source:
    return Source("dHAL", loc)


def _F(P, L, U, dA):
    """F = L⁻¹PᵀȦU⁻¹ by two triangular solves."""
    X = solve_triangular(L, P.T @ dA, lower=True, unit_diagonal=True)
    return solve_triangular(U, X.T, lower=False, trans="T").T


def _back(P, L, U, M):
    """P L⁻ᵀ M U⁻ᵀ, the adjoint of Ȧ ↦ F applied to M."""
    X = solve_triangular(L, M, lower=True, unit_diagonal=True, trans="T")
    return P @ solve_triangular(U, X.T, lower=False).T


_WHERE = r"A = PLU,\ F = L^{-1} P^\top \dot A U^{-1}"
_SRC_JVP = dhal("LU = A ⟹ L⁻¹L̇ + U̇U⁻¹ = L⁻¹ȦU⁻¹: L̇ = L tril(F, −1), U̇ = triu(F)U")
_SRC_JAX = Source("JAX", "lax/linalg.py _lu_jvp_inner")
_SRC_VJP = Source("derived", "the adjoint of the forward rule (notes)")

# A = [[2, 2], [1, 3]]: no row exchange (|2| > |1|), L₂₁ = a₂₁/a₁₁ = 1/2, U = [[2, 2], [0, a₂₂ − a₂₁a₁₂/a₁₁ = 2]];
# by hand: ∂L₂₁ = (−a₂₁/a₁₁², 0; 1/a₁₁, 0) = (−1/4, 0; 1/2, 0), ∂u₂₂ = (a₂₁a₁₂/a₁₁², −a₂₁/a₁₁; −a₁₂/a₁₁, 1)
_EX_A = [[2.0, 2.0], [1.0, 3.0]]
_EX_SRC = Source("derived", "A = [[2, 2], [1, 3]]: L₂₁ = a₂₁/a₁₁, u₂₂ = a₂₂ − a₂₁a₁₂/a₁₁ differentiated by hand")
_BENCH = [{"n": n} for n in (32, 128, 512)]

# a tie: |a₁₁| = |a₂₁| = 1. Along A + tE₁₁, t > 0 keeps the rows (L₂₁ = 1/(1 + t)), t < 0 swaps them
# (L₂₁ = (1 + t)/1): L is continuous with one-sided derivatives −1 and +1 of L₂₁
_A_TIE = np.array([[1.0, 2.0], [1.0, 3.0]])
_E11 = np.array([[1.0, 0.0], [0.0, 0.0]])
# the last pivot is 0: A = [[2, 1], [1, 1/2]] = [[1, 0], [1/2, 1]]·[[2, 1], [0, 0]] (exact in binary)
_A_SING = np.array([[2.0, 1.0], [1.0, 0.5]])
_E22 = np.array([[0.0, 0.0], [0.0, 1.0]])


def _tie_valid(c: np.ndarray) -> bool:
    """Valid JVPs of L along E₁₁ at the tie: γE₂₁ with |γ| ≤ 1 (the hull of the two branches' answers)."""
    rest = c.copy()
    rest[1, 0] = 0.0
    return bool(np.max(np.abs(rest)) <= 1e-12 and abs(c[1, 0]) <= 1 + 1e-12)


@identity(
    f=lambda A: lu(A)[1],
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": CLEAR_PIVOTS},
    tex=Tex(
        f=r"L,\ A = PLU",
        num=r"\dot L = L \operatorname{tril}(F, -1)",
        den=r"\dot L = L \operatorname{tril}(F, -1)",
        where=_WHERE,
    ),
    sources=[_SRC_JVP, _SRC_JAX],
    aliases=("lu L jvp",),
    examples=[Example({"A": _EX_A, "dA": [[0.0, 0.0], [1.0, 0.0]]}, [[0.0, 0.0], [0.5, 0.0]], _EX_SRC)],
    bench_sizes=_BENCH,
    notes="Partial pivoting with clear pivots (P locally constant); two triangular solves, no inverse.",
    special=[
        SpecialPoint(
            "pivot tie: A = [[1, 2], [1, 3]], Ȧ = E₁₁",
            {"A": _A_TIE.tolist(), "dA": _E11.tolist()},
            "L is continuous with a kink (P jumps): L₂₁ = 1/(1 + t) for t > 0, 1 + t for t < 0;"
            " valid: γE₂₁ with |γ| ≤ 1",
            valid=_tie_valid,
            jax_verdict="valid",
            notes="LAPACK's getrf takes the first of two equal candidates (no exchange): JAX returns that"
            " branch's derivative, −E₂₁, a valid answer. U jumps at the tie (U₂₂ = 3 − 2/(1 + t) against"
            " 2 − 3(1 + t)), so no derivative of U exists there.",
            upstream=("none found",),
        )
    ],
)
def lu_L_jvp(A, dA):
    P, L, U = lu(A)
    return L @ jnp.tril(_F(P, L, U, dA), -1)


@identity(
    f=lambda A: lu(A)[2],
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": CLEAR_PIVOTS},
    tex=Tex(
        f=r"U,\ A = PLU",
        num=r"\dot U = \operatorname{triu}(F)\, U",
        den=r"\dot U = \operatorname{triu}(F)\, U",
        where=_WHERE,
    ),
    sources=[_SRC_JVP, _SRC_JAX],
    aliases=("lu U jvp",),
    examples=[Example({"A": _EX_A, "dA": [[0.0, 0.0], [1.0, 0.0]]}, [[0.0, 0.0], [0.0, -1.0]], _EX_SRC)],
    bench_sizes=_BENCH,
    notes="""
    Partial pivoting with clear pivots. U is smooth even where its last pivot u_nn is 0 (A singular): the
    last column of triu(F) carries 1/u_nn and U's last row carries u_nn. The closed form refuses that point
    (it divides by u_nn), and so does JAX's rule, which returns NaN there (special point).
    """,
    special=[
        SpecialPoint(
            "last pivot 0: A = [[2, 1], [1, 1/2]], Ȧ = E₂₂",
            {"A": _A_SING.tolist(), "dA": _E22.tolist()},
            "differentiable: U = [[a₁₁, a₁₂], [0, a₂₂ − a₂₁a₁₂/a₁₁]] is smooth at a₁₁ ≠ 0, so U̇ = E₂₂",
            value=_E22.tolist(),
            jax_verdict="nan",
            notes="JAX's LU JVP solves with U, whose last pivot is 0 (0/0): NaN, although U is smooth here."
            " L and U of a singular matrix are differentiable wherever the leading pivots are nonzero.",
            upstream=("none found",),
        )
    ],
)
def lu_U_jvp(A, dA):
    P, L, U = lu(A)
    return jnp.triu(_F(P, L, U, dA)) @ U


@identity(
    f=lambda A: lu(A)[1],
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": CLEAR_PIVOTS},
    tex=Tex(
        f=r"L,\ A = PLU",
        num=r"\bar A = P L^{-\top} \operatorname{tril}(L^\top \bar L, -1) U^{-\top}",
        den=r"\bar A = P L^{-\top} \operatorname{tril}(L^\top \bar L, -1) U^{-\top}",
    ),
    sources=[_SRC_VJP, _SRC_JVP],
    aliases=("lu L vjp",),
    examples=[Example({"A": _EX_A, "cotangent": [[0.0, 0.0], [1.0, 0.0]]}, [[-0.25, 0.0], [0.5, 0.0]], _EX_SRC)],
    bench_sizes=_BENCH,
    notes="Derived here: ⟨L̄, L tril(F, −1)⟩ = ⟨tril(LᵀL̄, −1), F⟩ and F = L⁻¹PᵀȦU⁻¹ has adjoint M ↦ PL⁻ᵀMU⁻ᵀ.",
)
def lu_L_vjp(A, Cbar):
    P, L, U = lu(A)
    return _back(P, L, U, jnp.tril(L.T @ Cbar, -1))


@identity(
    f=lambda A: lu(A)[2],
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": CLEAR_PIVOTS},
    tex=Tex(
        f=r"U,\ A = PLU",
        num=r"\bar A = P L^{-\top} \operatorname{triu}(\bar U U^\top) U^{-\top}",
        den=r"\bar A = P L^{-\top} \operatorname{triu}(\bar U U^\top) U^{-\top}",
    ),
    sources=[_SRC_VJP, _SRC_JVP],
    aliases=("lu U vjp",),
    examples=[Example({"A": _EX_A, "cotangent": [[0.0, 0.0], [0.0, 1.0]]}, [[0.5, -0.5], [-1.0, 1.0]], _EX_SRC)],
    bench_sizes=_BENCH,
    notes="Derived here: ⟨Ū, triu(F)U⟩ = ⟨triu(ŪUᵀ), F⟩, then the adjoint of Ȧ ↦ F.",
)
def lu_U_vjp(A, Cbar):
    P, L, U = lu(A)
    return _back(P, L, U, jnp.triu(Cbar @ U.T))
