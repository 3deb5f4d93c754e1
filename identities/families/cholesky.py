"""Cholesky: the solve with a Cholesky factor, and the conventions for "the gradient" through cholesky(A).

**The symmetrisation conventions.** A = LLᵀ is defined on symmetric A, so a function g(A) = h(cholesky(A))
has a well-defined derivative only along symmetric directions Ȧ; what a framework returns as "the gradient"
with respect to the n² entries of A is a convention. With G = L⁻ᵀΦ(LᵀL̄)L⁻¹ (Murray 2016; Giles 2008), the
three in use are:

- ``sym`` (the suite's ``sym`` convention, ``giles.cholesky_vjp``): Ā = (G + Gᵀ)/2, the gradient of g
  extended to all matrices by g(A) = h(cholesky((A + Aᵀ)/2)): the Frobenius gradient on the symmetric
  matrices. JAX returns this (``jnp.linalg.cholesky`` symmetrises its input), and PyTorch since
  pytorch/pytorch#19116 (the fix of #18825; #137284 re-examined it and kept it).
- ``lower``: g(A) = h(cholesky(tril(A) + tril(A, −1)ᵀ)), the function LAPACK's potrf actually computes (it
  reads the lower triangle only): Ā = tril(G + Gᵀ, −1) + diag(G), zero above the diagonal
  (``cholesky_lower_vjp``). PyTorch returned this before #19116; HIPS/autograd#56 shows it too.
- ``mc_sym`` (the Matrix Cookbook's (138), the suite's ``mc_sym``): each free entry A_ij = A_ji (i ≤ j)
  counted once, Ā = G + Gᵀ − diag(G) (``cholesky_vjp_mc_sym``): twice the ``sym`` answer off the diagonal.

All three agree on ⟨Ā, Ȧ⟩ for symmetric Ȧ under their own pairing (Frobenius for sym and lower, each free
entry once for mc_sym); they differ as matrices by factors of 2 off the diagonal, which is the whole of
pytorch#18825 and #137284.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import cho_solve, solve_triangular

from .._core import Example, Source, SpecialPoint, Tex, g08, identity
from .._structures import NONZERO_DIAGONAL, SPD


def m16(loc: str) -> Source:
    return Source("M16", loc, "2016")


_PT = Source("PyTorch", "FunctionsManual.cpp cholesky_solve_backward: grad_L = −tril((B̄Xᵀ + XB̄ᵀ)L)")


def _Phi(X):
    """Φ(X): the lower triangle with the diagonal halved."""
    return jnp.tril(X) - jnp.diag(jnp.diag(X)) / 2


def _G(A, Lbar):
    """G = L⁻ᵀΦ(LᵀL̄)L⁻¹ for L = cholesky(A) (unsymmetrised)."""
    L = jnp.linalg.cholesky(A)
    M = solve_triangular(L, _Phi(L.T @ Lbar), lower=True, trans="T")  # L⁻ᵀΦ
    return solve_triangular(L, M.T, lower=True, trans="T").T  # (L⁻ᵀ(L⁻ᵀΦ)ᵀ)ᵀ = L⁻ᵀΦL⁻¹


def _from_lower(A):
    """The symmetric matrix with A's lower triangle: what potrf reads."""
    return jnp.tril(A) + jnp.tril(A, -1).T


# --- Cholesky solve X = (LLᵀ)⁻¹B with respect to the factor L ------------------------------------------------
_SIZES = [{"n": 3, "k": 2}, {"n": 4, "k": 5}]
_A_PSD = np.array([[1.0, 0.0], [0.0, 0.0]])  # semidefinite: l₂₂ = √(a₂₂ − a₂₁²/a₁₁) = 0
_E22 = np.array([[0.0, 0.0], [0.0, 1.0]])

# L = [[1, 0], [1, 1]] (S = LLᵀ = [[1, 1], [1, 2]], S⁻¹ = [[2, −1], [−1, 1]]), B = (1, 0)ᵀ: X = (2, −1)ᵀ.
# Along L̇ = E₂₂: S(t) = [[1, 1], [1, 1 + (1 + t)²]], X(t) = (1 + 1/(1 + t)², −1/(1 + t)²)ᵀ, so Ẋ = (−2, 2)ᵀ
_EX_L = [[1.0, 0.0], [1.0, 1.0]]
_EX_B = [[1.0], [0.0]]
_EX_SRC = Source("derived", "L = [[1, 0], [1, 1 + t]], B = e₁: X(t) = S(t)⁻¹e₁ by hand")


@identity(
    f=lambda L, B: cho_solve((L, True), B),
    wrt="L",
    kind="jvp",
    shapes={"L": "n n", "B": "n k"},
    requires={"L": NONZERO_DIAGONAL},
    sizes=_SIZES,
    tex=Tex(
        f=r"X = (L L^\top)^{-1} B",
        num=r"\dot X = -(L L^\top)^{-1} (\dot L L^\top + L \dot L^\top) X,\ \dot L \leftarrow \operatorname{tril}(\dot L)",
        den=r"\dot X = -(L L^\top)^{-1} (\dot L L^\top + L \dot L^\top) X,\ \dot L \leftarrow \operatorname{tril}(\dot L)",
    ),
    sources=[g08("§2.3.1 matrix inverse product, with S = LLᵀ"), _PT],
    aliases=("cho_solve jvp", "cholesky_solve jvp"),
    special=[
        SpecialPoint(
            "singular factor: L = [[1, 0], [1, 0]], B = e₁, L̇ = E₂₂",
            {"L": [[1.0, 0.0], [1.0, 0.0]], "B": [[1.0], [0.0]], "dL": _E22.tolist()},
            "LLᵀ = [[1, 1], [1, 1]] is singular and X = (LLᵀ)⁻¹e₁ has no finite value: unbounded",
            jax_verdict="nan",
            notes="The triangular solves divide by l₂₂ = 0: X is inf and its JVP NaN.",
            upstream=("none found",),
        )
    ],
    examples=[Example({"L": _EX_L, "B": _EX_B, "dL": [[0.0, 0.0], [0.0, 1.0]]}, [[-2.0], [2.0]], _EX_SRC)],
    bench_sizes=[{"n": n, "k": 8} for n in (32, 128, 512)],
    notes="""
    The solve reads the lower triangle of L only (``cho_solve((L, True), B)``, ``torch.cholesky_solve``), so
    only tril(L̇) enters. Five triangular solves with L (Y = L⁻¹B, X = L⁻ᵀY, then S⁻¹L̇Y and L⁻ᵀL̇ᵀX), no
    inverse and no product with L.
    """,
)
def cho_solve_jvp(L, B, dL):
    # with Y = L⁻¹B and X = L⁻ᵀY: S⁻¹(L̇LᵀX) = S⁻¹(L̇Y) and S⁻¹(LL̇ᵀX) = L⁻ᵀ(L̇ᵀX); every solve reads L's lower
    # triangle only, so no masked copy of L and no product with it
    Y = solve_triangular(L, B, lower=True)
    X = solve_triangular(L, Y, lower=True, trans="T")
    dLt = jnp.tril(dL)
    dLtT_X = (X.T @ dLt).T  # L̇ᵀX without a transposed n×n operand
    return -(cho_solve((L, True), dLt @ Y) + solve_triangular(L, dLtT_X, lower=True, trans="T"))


@identity(
    f=lambda L, B: cho_solve((L, True), B),
    wrt="L",
    kind="vjp",
    shapes={"L": "n n", "B": "n k"},
    requires={"L": NONZERO_DIAGONAL},
    sizes=_SIZES,
    tex=Tex(
        f=r"X = (L L^\top)^{-1} B",
        num=r"\bar B = (L L^\top)^{-1} \bar X,\ \bar L = -\operatorname{tril}\left((\bar B X^\top + X \bar B^\top) L\right)",
        den=r"\bar B = (L L^\top)^{-1} \bar X,\ \bar L = -\operatorname{tril}\left((\bar B X^\top + X \bar B^\top) L\right)",
    ),
    sources=[g08("§2.3.1 matrix inverse product, with S = LLᵀ"), _PT],
    aliases=("cho_solve vjp", "cholesky_solve vjp"),
    bench_sizes=[{"n": n, "k": 8} for n in (32, 128, 512)],
    notes="""
    S̄ = −B̄Xᵀ for S = LLᵀ (the inverse product's rule), and S = LLᵀ sends S̄ to (S̄ + S̄ᵀ)L, masked to the
    triangle read: the rule PyTorch's cholesky_solve_backward states.
    """,
)
def cho_solve_vjp(L, B, Cbar):
    Lt = jnp.tril(L)
    X = cho_solve((Lt, True), B)
    Bbar = cho_solve((Lt, True), Cbar)
    return -jnp.tril((Bbar @ X.T + X @ Bbar.T) @ Lt)


# --- the conventions -----------------------------------------------------------------------------------------

# A = [[4, 2], [2, 2]]: L = [[2, 0], [1, 1]] exactly. l₂₂ = √(a₂₂ − a₂₁²/a₁₁): ∂a₁₁ = a₂₁²/(2a₁₁²l₂₂) = 1/8,
# ∂a₂₁ = −a₂₁/(a₁₁l₂₂) = −1/2 (the lower entry; the upper is not read), ∂a₂₂ = 1/(2l₂₂) = 1/2
_EX_A = [[4.0, 2.0], [2.0, 2.0]]
_EX_SRC_CH = Source("derived", "A = [[4, 2], [2, 2]], L = [[2, 0], [1, 1]]: l₂₂ = √(a₂₂ − a₂₁²/a₁₁) by hand")


@identity(
    f=lambda A: jnp.linalg.cholesky(_from_lower(A)),
    wrt="A",
    find="cholesky(A)",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": SPD},
    tex=Tex(
        f=r"L = \operatorname{chol}(\operatorname{tril}(A) + \operatorname{tril}(A,-1)^\top)",
        num=r"\dot L = L\, \Phi(L^{-1} \dot S L^{-\top}),\ \dot S = \operatorname{tril}(\dot A) + \operatorname{tril}(\dot A,-1)^\top",
        den=r"\dot L = L\, \Phi(L^{-1} \dot S L^{-\top}),\ \dot S = \operatorname{tril}(\dot A) + \operatorname{tril}(\dot A,-1)^\top",
        where=r"\Phi(X) = \text{lower triangle of } X \text{ with its diagonal halved}",
    ),
    sources=[m16("the forward rule L̇ = LΦ(L⁻¹ȦL⁻ᵀ)"), g08("§3-5 linear algebra: Cholesky factorisation")],
    aliases=("cholesky lower jvp",),
    examples=[Example({"A": _EX_A, "dA": [[0.0, 0.0], [0.0, 1.0]]}, [[0.0, 0.0], [0.0, 0.5]], _EX_SRC_CH)],
    notes="""
    The Cholesky factor as LAPACK's potrf computes it: of the symmetric matrix with A's lower triangle. Its
    forward rule on any Ȧ (not only symmetric ones) is Giles' rule on the symmetric tangent Ṡ built from
    Ȧ's lower triangle. Ȧ's strict upper triangle has no effect.
    """,
    special=[
        SpecialPoint(
            "semidefinite: A = [[1, 0], [0, 0]], Ȧ = E₂₂",
            {"A": _A_PSD.tolist(), "dA": _E22.tolist()},
            "A is positive semidefinite, not definite: l₂₂ = √a₂₂ along A + tE₂₂ (t ≥ 0), whose derivative is"
            " unbounded as t → 0⁺ (and A + tE₂₂ has no Cholesky factor for t < 0)",
            jax_verdict="nan",
            notes="potrf fails on the zero pivot and JAX returns a NaN factor, so its JVP is NaN.",
            upstream=("none found",),
        )
    ],
)
def cholesky_lower_jvp(A, dA):
    L = jnp.linalg.cholesky(_from_lower(A))
    M = jax.lax.linalg.triangular_solve(L, _from_lower(dA), left_side=True, lower=True)  # L⁻¹Ṡ
    S = jax.lax.linalg.triangular_solve(L, M, left_side=False, lower=True, transpose_a=True)  # L⁻¹ṠL⁻ᵀ
    return jnp.tril(L @ _Phi(S))


@identity(
    f=lambda A: jnp.linalg.cholesky(_from_lower(A)),
    wrt="A",
    find="cholesky(A)",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": SPD},
    tex=Tex(
        f=r"L = \operatorname{chol}(\operatorname{tril}(A) + \operatorname{tril}(A,-1)^\top)",
        num=r"\bar A = \operatorname{tril}(G + G^\top, -1) + \operatorname{diag}(G),\ G = L^{-\top} \Phi(L^\top \bar L) L^{-1}",
        den=r"\bar A = \operatorname{tril}(G + G^\top, -1) + \operatorname{diag}(G),\ G = L^{-\top} \Phi(L^\top \bar L) L^{-1}",
        where=r"\Phi(X) = \text{lower triangle of } X \text{ with its diagonal halved}",
    ),
    sources=[
        m16("the reverse rule Ā = L⁻ᵀΦ(LᵀL̄)L⁻¹ before symmetrisation"),
        Source("PyTorch", "before pull request 19116 (issue 18825): a triangular gradient"),
    ],
    aliases=("cholesky lower vjp", "cholesky tril vjp"),
    special=[
        SpecialPoint(
            "semidefinite: A = [[1, 0], [0, 0]], L̄ = E₂₂",
            {"A": _A_PSD.tolist(), "cotangent": _E22.tolist()},
            "l₂₂ = √a₂₂ near A: its gradient 1/(2l₂₂) is unbounded; no finite answer is valid",
            jax_verdict="nan",
            notes="potrf fails on the zero pivot; JAX's factor and so its VJP are NaN.",
            upstream=("none found",),
        )
    ],
    examples=[Example({"A": _EX_A, "cotangent": [[0.0, 0.0], [0.0, 1.0]]}, [[0.125, 0.0], [-0.5, 0.5]], _EX_SRC_CH)],
    notes="""
    The "lower" convention: the gradient of the function potrf computes, zero above the diagonal. Its
    off-diagonal entries are twice the symmetric convention's (``giles.cholesky_vjp``): pytorch/pytorch#18825
    reported exactly this factor when PyTorch returned it.
    """,
)
def cholesky_lower_vjp(A, Cbar):
    G = _G(_from_lower(A), Cbar)
    return jnp.tril(G + G.T, -1) + jnp.diag(jnp.diag(G))


@identity(
    f=lambda A: jnp.linalg.cholesky(A),
    wrt="A",
    find="cholesky(A)",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": SPD},
    convention="mc_sym",
    tex=Tex(
        f=r"L = \operatorname{chol}(A),\ A = A^\top",
        num=r"\bar A = G + G^\top - \operatorname{diag}(G),\ G = L^{-\top} \Phi(L^\top \bar L) L^{-1}",
        den=r"\bar A = G + G^\top - \operatorname{diag}(G),\ G = L^{-\top} \Phi(L^\top \bar L) L^{-1}",
        where=r"\Phi(X) = \text{lower triangle of } X \text{ with its diagonal halved}",
    ),
    sources=[
        m16("the reverse rule"),
        Source("MC", "(138)", "2012-11-15", "each free entry of a symmetric matrix once"),
    ],
    aliases=("cholesky vjp mc_sym",),
    examples=[Example({"A": _EX_A, "cotangent": [[0.0, 0.0], [0.0, 1.0]]}, [[0.125, -0.5], [-0.5, 0.5]], _EX_SRC_CH)],
    notes="""
    The Matrix Cookbook's convention for a symmetric variable: A_ij = A_ji is one variable, and Ā_ij is the
    derivative with respect to it, G + Gᵀ − diag(G). The lower triangle equals the "lower" convention's; the
    matrix is symmetric. Pytorch#137284 asked for this form ("S + S.T − diag(S)") and PyTorch kept ``sym``.
    """,
)
def cholesky_vjp_mc_sym(A, Cbar):
    G = _G(A, Cbar)
    return G + G.T - jnp.diag(jnp.diag(G))
