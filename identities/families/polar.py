"""The polar decomposition A = QP of a full-column-rank A (m ≥ n): Q = UVᵀ with orthonormal columns and
P = VΣVᵀ = (AᵀA)^{1/2} symmetric positive definite.

Both factors are independent of the SVD's gauge and differentiable wherever A has full column rank,
repeated singular values included. With E = UᵀdAV (thin SVD), derived here from Townsend's (2016) dU, dV:

    dQ = U (K ∘ (E − Eᵀ)) Vᵀ + (I − UUᵀ) dA V Σ⁻¹ Vᵀ,   K_ij = 1/(σᵢ + σⱼ),
    dP = V (L ∘ E + Lᵀ ∘ Eᵀ) Vᵀ,                        L_ij = σᵢ/(σᵢ + σⱼ),

the second also the solution of P dP + dP P = dAᵀA + AᵀdA, the Sylvester equation of P² = AᵀA (Higham
2008, the Fréchet derivative of the square root). f is JAX's own ``jax.scipy.linalg.polar(A, method="svd")``,
so its SVD rule is what is tested, and fails at a tie (special points).
"""

from __future__ import annotations

import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np

from .._core import Example, SpecialPoint, Tex, identity
from .._structures import DISTINCT_SINGULAR, FULL_COLUMN_RANK
from ._decomp import higham08, townsend16
from .svd import SVD_UPSTREAM

_TALL = [{"m": 4, "n": 3}, {"m": 5, "n": 2}]
_A_REP = np.array([[2.0, 0.0], [0.0, 2.0], [0.0, 0.0]])  # σ₁ = σ₂ = 2, exact on every path
_DA = np.array([[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]])
# by hand at [2I; 0] along _DA: E = [[0, 1], [0, 0]]; dQ = (E − Eᵀ)/4 on top, dA's row 3 over σ = 2 below;
# dP = (σE + σEᵀ)/(2σ) = (E + Eᵀ)/2 (equivalently sqrt(4I + tM) = 2I + tM/4 with M = dAᵀA + AᵀdA)
_DQ_BY_HAND = np.array([[0.0, 0.25], [-0.25, 0.0], [0.5, 0.0]])
_DP_BY_HAND = np.array([[0.0, 0.5], [0.5, 0.0]])
_POLAR_SOURCES = [
    townsend16("dU, dV of the thin SVD; the polar factors' derivatives are derived here from them"),
    higham08(
        "chapter 8 (the polar decomposition) and chapter 6 (P = (AᵀA)^{1/2}: the square root and its Sylvester equation)"
    ),
]
_NOTES = """
f is jax.scipy.linalg.polar(A, method="svd") (right polar, A = QP). JAX differentiates it through its SVD
rule, which needs distinct singular values, so verification draws keep them distinct; the identity itself
holds for any full-column-rank A. The coefficients 1/(σᵢ + σⱼ) and σᵢ/(σᵢ + σⱼ) have no pole at a tie.
"""


def _polar_Q(A):
    return jsl.polar(A, method="svd")[0]


def _polar_P(A):
    return jsl.polar(A, method="svd")[1]


def _svd(A):
    U, s, Vt = jnp.linalg.svd(A, full_matrices=False)
    return U, s, Vt.T


@identity(
    f=_polar_Q,
    wrt="A",
    kind="jvp",
    shapes={"A": "m n"},
    requires={"A": FULL_COLUMN_RANK},
    autodiff_requires={"A": DISTINCT_SINGULAR},
    sizes=_TALL,
    tex=Tex(
        f=r"Q = UV^\top,\ A = QP",
        num=r"\dot Q = U\left(K \circ (E - E^\top)\right)V^\top + (I - UU^\top)\dot A V \Sigma^{-1} V^\top",
        den=r"\dot Q = U\left(K \circ (E - E^\top)\right)V^\top + (I - UU^\top)\dot A V \Sigma^{-1} V^\top",
        where=r"E = U^\top \dot A V,\ K_{ij} = (\sigma_i + \sigma_j)^{-1}",
    ),
    sources=_POLAR_SOURCES,
    aliases=("polar factor jvp", "d(UV^T)"),
    notes=_NOTES,
    examples=[
        Example(
            {"A": _A_REP.tolist(), "dA": _DA.tolist()},
            _DQ_BY_HAND.tolist(),
            townsend16("worked here by hand at A = [2I; 0]"),
        )
    ],
    special=[
        SpecialPoint(
            "σ₁ = σ₂: A = [2I; 0]",
            {"A": _A_REP.tolist(), "dA": _DA.tolist()},
            "differentiable (Q = A(AᵀA)^{-1/2}): dQ = U(K∘(E − Eᵀ))Vᵀ + ..., K₁₂ = 1/(σ₁ + σ₂) = 1/4",
            value=_DQ_BY_HAND.tolist(),
            jax_verdict="nan",
            notes="The derivative exists; jax.scipy.linalg.polar(method='svd') goes through the SVD rule: NaN.",
            upstream=SVD_UPSTREAM,
        )
    ],
)
def Q_jvp(A, dA):
    U, s, V = _svd(A)
    E = U.T @ dA @ V
    K = 1.0 / (s[:, None] + s[None, :])
    dAV = dA @ V
    return U @ (K * (E - E.T)) @ V.T + ((dAV - U @ (U.T @ dAV)) / s[None, :]) @ V.T


@identity(
    f=_polar_Q,
    wrt="A",
    kind="vjp",
    shapes={"A": "m n"},
    requires={"A": FULL_COLUMN_RANK},
    autodiff_requires={"A": DISTINCT_SINGULAR},
    sizes=_TALL,
    tex=Tex(
        f=r"Q = UV^\top,\ A = QP",
        num=r"\bar A = U\left(K \circ (G - G^\top)\right)V^\top + (I - UU^\top)\bar Q V \Sigma^{-1} V^\top",
        den=r"\bar A = U\left(K \circ (G - G^\top)\right)V^\top + (I - UU^\top)\bar Q V \Sigma^{-1} V^\top",
        where=r"G = U^\top \bar Q V,\ K_{ij} = (\sigma_i + \sigma_j)^{-1}",
    ),
    sources=_POLAR_SOURCES,
    aliases=("polar factor vjp",),
    notes=_NOTES
    + "\nThe map dA ↦ dQ is self-adjoint (K symmetric, the projector term symmetric): Ā is its value at Q̄.",
    special=[
        SpecialPoint(
            "σ₁ = σ₂: A = [2I; 0]",
            {"A": _A_REP.tolist(), "cotangent": _DA.tolist()},
            "differentiable; the VJP is the JVP's formula at the cotangent (a self-adjoint derivative)",
            value=_DQ_BY_HAND.tolist(),
            jax_verdict="nan",
            notes="The derivative exists; JAX's reverse mode through the SVD rule returns NaN.",
            upstream=SVD_UPSTREAM,
        )
    ],
)
def Q_vjp(A, Cbar):
    return Q_jvp.closed(A, Cbar)


@identity(
    f=_polar_P,
    wrt="A",
    kind="jvp",
    shapes={"A": "m n"},
    requires={"A": FULL_COLUMN_RANK},
    autodiff_requires={"A": DISTINCT_SINGULAR},
    sizes=_TALL,
    tex=Tex(
        f=r"P = V\Sigma V^\top = (A^\top A)^{1/2}",
        num=r"\dot P = V\left(L \circ E + L^\top \circ E^\top\right)V^\top",
        den=r"\dot P = V\left(L \circ E + L^\top \circ E^\top\right)V^\top",
        where=r"E = U^\top \dot A V,\ L_{ij} = \sigma_i/(\sigma_i + \sigma_j);\ P\dot P + \dot P P = \dot A^\top A + A^\top \dot A",
    ),
    sources=_POLAR_SOURCES,
    aliases=("polar P jvp",),
    notes=_NOTES,
    examples=[
        Example(
            {"A": _A_REP.tolist(), "dA": _DA.tolist()},
            _DP_BY_HAND.tolist(),
            higham08("worked here by hand: (4I + tM)^{1/2} = 2I + tM/4 + O(t²)"),
        )
    ],
    special=[
        SpecialPoint(
            "σ₁ = σ₂: A = [2I; 0]",
            {"A": _A_REP.tolist(), "dA": _DA.tolist()},
            "differentiable (P = (AᵀA)^{1/2}, AᵀA = 4I positive definite): dP = (E + Eᵀ)/2 here",
            value=_DP_BY_HAND.tolist(),
            jax_verdict="nan",
            notes="The derivative exists; P = VΣVᵀ through the SVD rule gives NaN in JAX.",
            upstream=SVD_UPSTREAM,
        )
    ],
)
def P_jvp(A, dA):
    U, s, V = _svd(A)
    E = U.T @ dA @ V
    L = s[:, None] / (s[:, None] + s[None, :])
    return V @ (L * E + L.T * E.T) @ V.T


@identity(
    f=_polar_P,
    wrt="A",
    kind="vjp",
    shapes={"A": "m n"},
    requires={"A": FULL_COLUMN_RANK},
    autodiff_requires={"A": DISTINCT_SINGULAR},
    sizes=_TALL,
    tex=Tex(
        f=r"P = V\Sigma V^\top = (A^\top A)^{1/2}",
        num=r"\bar A = U\left(L \circ (W + W^\top)\right)V^\top",
        den=r"\bar A = U\left(L \circ (W + W^\top)\right)V^\top",
        where=r"W = V^\top \bar P V,\ L_{ij} = \sigma_i/(\sigma_i + \sigma_j)",
    ),
    sources=_POLAR_SOURCES,
    aliases=("polar P vjp",),
    notes=_NOTES + "\nThe adjoint, derived here: ⟨W, L∘E + Lᵀ∘Eᵀ⟩ = ⟨L∘(W + Wᵀ), E⟩ and E = UᵀdAV.",
)
def P_vjp(A, Cbar):
    U, s, V = _svd(A)
    W = V.T @ Cbar @ V
    L = s[:, None] / (s[:, None] + s[None, :])
    return U @ (L * (W + W.T)) @ V.T
