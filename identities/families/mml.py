"""MML section 5.5, (5.99)–(5.102): derivatives through a matrix-valued f(X), with tr and ᵀ of tensors.

MML states these for a general f(X); here f(X) = AXB, whose derivative is the 4-tensor
T_ijkl = ∂f_ij/∂X_kl = A_ik B_lj (shape D×D×E×F for f ∈ ℝ^{D×D}, X ∈ ℝ^{E×F}). The Remark after (5.108)
reads the trace and the transpose of such a tensor on its first two axes: tr T is the E×F matrix
Σ_i T_iikl, and Tᵀ swaps the first two axes; a matrix times T contracts with T's first axis, T times a
matrix with its second. With that reading:

* (5.99)  ∂f(X)ᵀ/∂X = (∂f(X)/∂X)ᵀ                      -> ``transpose``
* (5.100) ∂tr f(X)/∂X = tr(∂f(X)/∂X)                    -> ``trace``
* (5.101) ∂det f(X)/∂X = det f(X) tr(f(X)⁻¹ ∂f(X)/∂X)    -> ``det``
* (5.102) ∂f(X)⁻¹/∂X = −f(X)⁻¹ (∂f(X)/∂X) f(X)⁻¹         -> ``inverse``

The closed forms evaluate the contracted results directly (no D×D×E×F temporary where the output is
smaller); tests/test_breadth_c.py checks each against the tensor reading applied to jax.jacobian(f).
(5.103)–(5.108) and Examples 5.9, 5.11–5.13 are cited by matrix.aT_Xinv_b, vector.cTx, vector.aTXb,
vector.xTAx, losses.weighted_least_squares, vector.Ax, losses.least_squares, tensors.dAx_dA and
tensors.dK_dR.
"""

from __future__ import annotations

import jax.numpy as jnp

from .._core import Tex, identity, mml
from .._structures import INVERTIBLE

_RECT = [{"D": 2, "E": 3, "F": 4}, {"D": 3, "E": 2, "F": 5}]


@identity(
    f=lambda A, X, B: (A @ X @ B).T,
    find="(A @ X @ B).T",
    wrt="X",
    shapes={"A": "D E", "X": "E F", "B": "F D"},
    sizes=_RECT,
    tex=Tex(
        f=r"(AXB)^\top",
        num=r"\left(\frac{\partial AXB}{\partial X}\right)^{\top}:\ \frac{\partial (AXB)^\top_{ij}}{\partial X_{kl}} = A_{jk} B_{li},"
        r"\ \text{indexed } (i, j, k, l)",
        den=r"\frac{\partial (AXB)^\top_{ij}}{\partial X_{kl}} = A_{jk} B_{li},\ \text{indexed } (k, l, i, j)",
    ),
    sources=[mml("(5.99)", "f(X) = AXB; the tensor transpose swaps the first two axes (Remark after (5.108))")],
    aliases=("MML (5.99)",),
    notes="The derivative of f(X)ᵀ is the derivative of f(X) with its first two (output) axes swapped.",
)
def transpose(A, X, B):
    return jnp.einsum("jk,li->ijkl", A, B)


@identity(
    f=lambda A, X, B: jnp.trace(A @ X @ B),
    find="trace(A @ X @ B)",
    wrt="X",
    shapes={"A": "D E", "X": "E F", "B": "F D"},
    sizes=_RECT,
    tex=Tex(
        f=r"\operatorname{tr}(AXB)",
        num=r"\operatorname{tr}\left(\frac{\partial AXB}{\partial X}\right) = \sum_i A_{ik} B_{li} = (BA)_{lk}:\ BA",
        den=r"A^\top B^\top",
    ),
    sources=[mml("(5.100)", "f(X) = AXB; the tensor trace is over the first two axes (Remark after (5.108))")],
    aliases=("MML (5.100)",),
    notes="""
    The trace of the D×D×E×F tensor ∂(AXB)/∂X over its first two axes is the E×F matrix (BA)ᵀ = AᵀBᵀ,
    the gradient in X's shape (JAX's layout); the numerator layout is its transpose, BA.
    """,
)
def trace(A, X, B):
    return (B @ A).T


_SQUARE = {"A": INVERTIBLE, "X": INVERTIBLE, "B": INVERTIBLE}


@identity(
    f=lambda A, X, B: jnp.linalg.det(A @ X @ B),
    find="det(A @ X @ B)",
    wrt="X",
    shapes={"A": "n n", "X": "n n", "B": "n n"},
    requires=_SQUARE,
    tex=Tex(
        f=r"\det(AXB)",
        num=r"\det(F)\operatorname{tr}\left(F^{-1}\frac{\partial F}{\partial X}\right) = \det(F)\, B F^{-1} A",
        den=r"\det(F)\, A^\top F^{-\top} B^\top",
        where="F = AXB",
    ),
    sources=[mml("(5.101)", "f(X) = AXB, square and invertible")],
    aliases=("MML (5.101)",),
    notes="""
    F⁻¹ times the tensor contracts F⁻¹'s second axis with the tensor's first; the trace then sums the
    first two axes: Σ_ij (F⁻¹)_ji A_ik B_lj = (BF⁻¹A)_lk. Spelled with one solve, F⁻¹A.
    """,
)
def det(A, X, B):
    F = A @ X @ B
    return jnp.linalg.det(F) * (B @ jnp.linalg.solve(F, A)).T


@identity(
    f=lambda A, X, B: jnp.linalg.inv(A @ X @ B),
    find="inv(A @ X @ B)",
    wrt="X",
    shapes={"A": "n n", "X": "n n", "B": "n n"},
    requires=_SQUARE,
    tex=Tex(
        f=r"(AXB)^{-1}",
        num=r"-F^{-1}\frac{\partial F}{\partial X}F^{-1}:\ \frac{\partial (F^{-1})_{ij}}{\partial X_{kl}}"
        r" = -(F^{-1}A)_{ik}(BF^{-1})_{lj},\ \text{indexed } (i, j, k, l)",
        den=r"\frac{\partial (F^{-1})_{ij}}{\partial X_{kl}} = -(F^{-1}A)_{ik}(BF^{-1})_{lj},\ \text{indexed } (k, l, i, j)",
        where="F = AXB",
    ),
    sources=[mml("(5.102)", "f(X) = AXB, square and invertible")],
    aliases=("MML (5.102)",),
    notes="""
    The matrix–tensor–matrix product −F⁻¹ T F⁻¹ contracts F⁻¹ with T's first axis and T's second axis
    with F⁻¹: −Σ_ab (F⁻¹)_ia A_ak B_lb (F⁻¹)_bj.
    """,
)
def inverse(A, X, B):
    F = A @ X @ B
    Finv = jnp.linalg.inv(F)
    return -jnp.einsum("ik,lj->ijkl", Finv @ A, B @ Finv)
