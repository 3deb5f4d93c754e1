"""Gauge-invariant functions of a symmetric eigendecomposition, differentiable at degenerate eigenvalues.

A = VΛVᵀ (eigh). Within a repeated eigenvalue the basis V is arbitrary, and eigh's derivative has a pole
1/(λᵢ − λⱼ) there (jax-ml/jax#669, #4646; pytorch/pytorch#47599). Functions that do not depend on that
basis are still differentiable, and these are what a loss usually needs:

- f(A) = V f(Λ) Vᵀ (here f = exp): the Daleckii–Krein formula d f(A) = V (D ∘ VᵀdAV) Vᵀ with the divided
  differences D_ij = (f(λᵢ) − f(λⱼ))/(λᵢ − λⱼ), f′(λᵢ) at a tie (Higham 2008, chapter 3, for the
  diagonalizable case); D has no pole.
- the spectral projector onto a cluster K of eigenvalues separated from the rest (here the two smallest):
  P_K = Σ_{k∈K} v_k v_kᵀ, dP_K = V (M ∘ VᵀdAV) Vᵀ with M_ij = 1/(λᵢ − λⱼ) for exactly one of i, j in K
  (λᵢ the one in K), 0 otherwise (Kato 1995, chapter II); pairs inside
  the cluster do not appear, so a tie within K is harmless;
- the sum of a cluster's eigenvalues, Σ_{k∈K} λ_k, with gradient P_K.

f is written as users write it, through jnp.linalg.eigh; JAX differentiates that only at a simple
spectrum, so verification draws are kept there (autodiff_requires) while the identities hold on the
larger set, and the degenerate points are charted with what JAX returns.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from .._core import Example, SpecialPoint, Tex, identity
from .._structures import SIMPLE_SPECTRUM, SYMMETRIC
from ._decomp import CLUSTER_GAP, exp_divdiff, higham08, kato95

_SIZES = [{"n": 3}, {"n": 4}]
EIGH_UPSTREAM = ("jax-ml/jax#669", "jax-ml/jax#4646", "pytorch/pytorch#47599")
_A_TIE = np.diag([2.0, 2.0, 5.0])  # λ₁ = λ₂: diagonal, so eigh is exact on every kernel path
_A_CLUSTER = np.diag([1.0, 1.0, 4.0])
_DA = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
_DA_TRACE = np.array([[1.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 0.0]])
_E2, _E5 = math.exp(2.0), math.exp(5.0)
# by hand (V = I): d e^A = D ∘ dA with D₁₂ = e² (the tie), D₂₃ = (e⁵ − e²)/3
_DEXP_BY_HAND = np.array([[0.0, _E2, 0.0], [_E2, 0.0, (_E5 - _E2) / 3], [0.0, (_E5 - _E2) / 3, 0.0]])
# by hand: K = {1, 2}, λ = (1, 1, 4): dP = dA₂₃/(λ₂ − λ₃) at (2, 3) and (3, 2) = −1/3
_DPROJ_BY_HAND = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, -1.0 / 3], [0.0, -1.0 / 3, 0.0]])


def expm_sym(A):
    """e^A for symmetric A, through the eigendecomposition: V diag(e^λ) Vᵀ."""
    lam, V = jnp.linalg.eigh(A)
    return (V * jnp.exp(lam)[None, :]) @ V.T


def _daleckii_krein_exp(A, dA):
    lam, V = jnp.linalg.eigh(A)
    return V @ (exp_divdiff(lam) * (V.T @ dA @ V)) @ V.T


_EXP_NOTES = """
e^A of a symmetric A computed through eigh, as users write it. The divided differences are evaluated as
e^{max(λᵢ, λⱼ)}·(1 − e^{−|λᵢ − λⱼ|})/|λᵢ − λⱼ| (expm1), without the cancellation of (e^{λᵢ} − e^{λⱼ})/(λᵢ − λⱼ)
at close eigenvalues, and e^{λᵢ} at a tie. The map dA ↦ V(D ∘ VᵀdAV)Vᵀ is self-adjoint, so the VJP is the
same formula at the cotangent; eigh reads the symmetric part of A, so the VJP is the symmetric part
("sym" convention).
"""


@identity(
    f=expm_sym,
    wrt="A",
    find="expm(A)",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": SYMMETRIC},
    autodiff_requires={"A": SIMPLE_SPECTRUM},
    sizes=_SIZES,
    tex=Tex(
        f=r"V e^{\Lambda} V^\top,\ A = V \Lambda V^\top",
        num=r"V \left(D \circ (V^\top \dot A V)\right) V^\top",
        den=r"V \left(D \circ (V^\top \dot A V)\right) V^\top",
        where=r"D_{ij} = \frac{e^{\lambda_i} - e^{\lambda_j}}{\lambda_i - \lambda_j}\ (\lambda_i \ne \lambda_j),\ D_{ij} = e^{\lambda_i}\ (\lambda_i = \lambda_j)",
    ),
    sources=[higham08("chapter 3 (the Fréchet derivative; Daleckii–Krein divided differences for a diagonalizable A)")],
    aliases=("Daleckii-Krein jvp", "expm via eigh jvp"),
    notes=_EXP_NOTES,
    examples=[
        Example(
            {"A": _A_TIE.tolist(), "dA": _DA.tolist()},
            _DEXP_BY_HAND.tolist(),
            higham08("worked here by hand at A = diag(2, 2, 5), V = I"),
        )
    ],
    special=[
        SpecialPoint(
            "λ₁ = λ₂: A = diag(2, 2, 5), basis-invariant",
            {"A": _A_TIE.tolist(), "dA": _DA.tolist()},
            "differentiable (e^A does not depend on the basis of the eigenspace): D₁₂ = e² at the tie",
            value=_DEXP_BY_HAND.tolist(),
            jax_verdict="nan",
            notes="The derivative exists; JAX's eigh rule has 1/(λ₂ − λ₁) = inf and returns NaN.",
            upstream=EIGH_UPSTREAM,
        )
    ],
)
def expm_sym_jvp(A, dA):
    return _daleckii_krein_exp(A, dA)


@identity(
    f=expm_sym,
    wrt="A",
    find="expm(A)",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": SYMMETRIC},
    autodiff_requires={"A": SIMPLE_SPECTRUM},
    convention="sym",
    sizes=_SIZES,
    tex=Tex(
        f=r"V e^{\Lambda} V^\top,\ A = V \Lambda V^\top",
        num=r"\bar A = V \left(D \circ (V^\top \operatorname{sym}(\bar C) V)\right) V^\top",
        den=r"\bar A = V \left(D \circ (V^\top \operatorname{sym}(\bar C) V)\right) V^\top",
        where=r"D_{ij} = \frac{e^{\lambda_i} - e^{\lambda_j}}{\lambda_i - \lambda_j},\ D_{ii} = e^{\lambda_i}",
    ),
    sources=[higham08("chapter 3 (the Fréchet derivative; Daleckii–Krein divided differences for a diagonalizable A)")],
    aliases=("Daleckii-Krein vjp", "expm via eigh vjp"),
    notes=_EXP_NOTES,
    special=[
        SpecialPoint(
            "λ₁ = λ₂: A = diag(2, 2, 5), basis-invariant",
            {"A": _A_TIE.tolist(), "cotangent": _DA.tolist()},
            "differentiable: Ā = V(D ∘ VᵀC̄V)Vᵀ, the same divided differences",
            value=_DEXP_BY_HAND.tolist(),
            jax_verdict="nan",
            notes="jax.vjp through eigh at a tie: NaN (the case of jax-ml/jax#4646).",
            upstream=EIGH_UPSTREAM,
        )
    ],
)
def expm_sym_vjp(A, Cbar):
    return _daleckii_krein_exp(A, (Cbar + Cbar.T) / 2)


# --- the spectral projector onto the two smallest eigenvalues -----------------------------------------------------
def low_projector(A):
    """P = v₁v₁ᵀ + v₂v₂ᵀ: the projector onto the eigenspace of the two smallest eigenvalues."""
    _, V = jnp.linalg.eigh(A)
    return V[:, :2] @ V[:, :2].T


def _cluster_M(lam):
    """M_ij = 1/(λᵢ − λⱼ) for i in the cluster {0, 1} and j outside (and symmetrically), 0 otherwise."""
    inside = jnp.arange(lam.shape[0]) < 2
    cross = inside[:, None] != inside[None, :]
    lin = jnp.where(inside[:, None], lam[:, None], lam[None, :])  # the eigenvalue in the cluster
    lout = jnp.where(inside[:, None], lam[None, :], lam[:, None])
    return jnp.where(cross, 1.0 / jnp.where(cross, lin - lout, 1.0), 0.0)


def _projector_derivative(A, dA):
    lam, V = jnp.linalg.eigh(A)
    return V @ (_cluster_M(lam) * (V.T @ dA @ V)) @ V.T


_PROJ_NOTES = """
Requires λ₂ < λ₃ (the cluster apart from the rest); λ₁ = λ₂ is allowed: the projector does not depend on
the basis chosen inside the cluster. First-order perturbation of each vₖ, summed over the cluster: the
pairs inside it cancel, the rest give Kato's formula. Self-adjoint, so the VJP is the same formula at
sym(P̄) ("sym" convention).
"""


@identity(
    f=low_projector,
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": CLUSTER_GAP},
    autodiff_requires={"A": SIMPLE_SPECTRUM},
    sizes=_SIZES,
    tex=Tex(
        f=r"P = v_1 v_1^\top + v_2 v_2^\top",
        num=r"\dot P = V \left(M \circ (V^\top \dot A V)\right) V^\top",
        den=r"\dot P = V \left(M \circ (V^\top \dot A V)\right) V^\top",
        where=r"M_{ij} = M_{ji} = (\lambda_i - \lambda_j)^{-1}\ (i \le 2 < j),\ 0\ \text{otherwise}",
    ),
    sources=[kato95("chapter II: the total projection of a group of eigenvalues and its derivative")],
    aliases=("spectral projector jvp", "eigenspace projector jvp"),
    notes=_PROJ_NOTES,
    examples=[
        Example(
            {"A": _A_CLUSTER.tolist(), "dA": _DA.tolist()},
            _DPROJ_BY_HAND.tolist(),
            kato95("worked here by hand at A = diag(1, 1, 4), V = I"),
        )
    ],
    special=[
        SpecialPoint(
            "λ₁ = λ₂ < λ₃: A = diag(1, 1, 4), basis-invariant",
            {"A": _A_CLUSTER.tolist(), "dA": _DA.tolist()},
            "differentiable (the projector onto the cluster does not depend on its basis): dP₂₃ = −1/3",
            value=_DPROJ_BY_HAND.tolist(),
            jax_verdict="nan",
            notes="The derivative exists; JAX's eigh rule has 1/(λ₂ − λ₁) = inf: NaN.",
            upstream=EIGH_UPSTREAM,
        )
    ],
)
def low_projector_jvp(A, dA):
    return _projector_derivative(A, dA)


@identity(
    f=low_projector,
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": CLUSTER_GAP},
    autodiff_requires={"A": SIMPLE_SPECTRUM},
    convention="sym",
    sizes=_SIZES,
    tex=Tex(
        f=r"P = v_1 v_1^\top + v_2 v_2^\top",
        num=r"\bar A = V \left(M \circ (V^\top \operatorname{sym}(\bar P) V)\right) V^\top",
        den=r"\bar A = V \left(M \circ (V^\top \operatorname{sym}(\bar P) V)\right) V^\top",
        where=r"M_{ij} = M_{ji} = (\lambda_i - \lambda_j)^{-1}\ (i \le 2 < j),\ 0\ \text{otherwise}",
    ),
    sources=[kato95("chapter II: the total projection of a group of eigenvalues and its derivative")],
    aliases=("spectral projector vjp",),
    notes=_PROJ_NOTES,
    special=[
        SpecialPoint(
            "λ₁ = λ₂ < λ₃: A = diag(1, 1, 4), basis-invariant",
            {"A": _A_CLUSTER.tolist(), "cotangent": _DA.tolist()},
            "differentiable: Ā = V(M ∘ Vᵀsym(P̄)V)Vᵀ",
            value=_DPROJ_BY_HAND.tolist(),
            jax_verdict="nan",
            notes="jax.vjp through eigh at a tie inside the cluster: NaN.",
            upstream=EIGH_UPSTREAM,
        )
    ],
)
def low_projector_vjp(A, Cbar):
    return _projector_derivative(A, (Cbar + Cbar.T) / 2)


# --- the sum of the two smallest eigenvalues ---------------------------------------------------------------------
def low_sum(A):
    """λ₁ + λ₂: the sum of the two smallest eigenvalues (Ky Fan's minimum principle: min tr(XᵀAX))."""
    return jnp.sum(jnp.linalg.eigh(A)[0][:2])


def _low_P(A):
    _, V = jnp.linalg.eigh(A)
    return V[:, :2] @ V[:, :2].T


@identity(
    f=low_sum,
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": CLUSTER_GAP},
    autodiff_requires={"A": SIMPLE_SPECTRUM},
    sizes=_SIZES,
    tex=Tex(
        f=r"\lambda_1 + \lambda_2",
        num=r"\operatorname{tr}(P \dot A),\ P = v_1 v_1^\top + v_2 v_2^\top",
        den=r"\operatorname{tr}(P \dot A),\ P = v_1 v_1^\top + v_2 v_2^\top",
    ),
    sources=[kato95("chapter II: the weighted mean of a group of eigenvalues")],
    aliases=("cluster eigenvalue sum jvp",),
    notes="""
    λ₁ + λ₂ = tr(P A) with P the cluster's projector: differentiable where λ₂ < λ₃, a tie λ₁ = λ₂ included
    (each of λ₁, λ₂ alone is not, see spectral.eigvalsh). Its gradient is P.
    """,
    examples=[
        Example(
            {"A": _A_CLUSTER.tolist(), "dA": _DA_TRACE.tolist()},
            3.0,
            kato95("worked here by hand: dA₁₁ + dA₂₂ = 1 + 2"),
        )
    ],
    special=[
        SpecialPoint(
            "λ₁ = λ₂ < λ₃: A = diag(1, 1, 4)",
            {"A": _A_CLUSTER.tolist(), "dA": _DA_TRACE.tolist()},
            "differentiable: d(λ₁ + λ₂) = tr(P dA) = dA₁₁ + dA₂₂ = 3",
            value=3.0,
            jax_verdict="valid",
            notes="The eigenvalues' tangent diag(VᵀdAV) never meets the 1/(λⱼ − λᵢ) of the eigenvectors: valid.",
            upstream=EIGH_UPSTREAM,
        )
    ],
)
def low_sum_jvp(A, dA):
    return jnp.sum(_low_P(A) * dA)


@identity(
    f=low_sum,
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": CLUSTER_GAP},
    autodiff_requires={"A": SIMPLE_SPECTRUM},
    convention="sym",
    sizes=_SIZES,
    tex=Tex(
        f=r"\lambda_1 + \lambda_2",
        num=r"\bar A = \bar c\, P,\ P = v_1 v_1^\top + v_2 v_2^\top",
        den=r"\bar A = \bar c\, P,\ P = v_1 v_1^\top + v_2 v_2^\top",
    ),
    sources=[kato95("chapter II: the weighted mean of a group of eigenvalues")],
    aliases=("cluster eigenvalue sum vjp",),
    notes="The gradient of λ₁ + λ₂ is the projector P onto their eigenspace, scaled by the cotangent.",
    special=[
        SpecialPoint(
            "λ₁ = λ₂ < λ₃: A = diag(1, 1, 4)",
            {"A": _A_CLUSTER.tolist(), "cotangent": 1.0},
            "differentiable: the gradient is P = diag(1, 1, 0)",
            value=np.diag([1.0, 1.0, 0.0]).tolist(),
            jax_verdict="valid",
            notes="jax.grad of the eigenvalues alone skips the eigenvector term (a symbolic zero cotangent): valid.",
            upstream=EIGH_UPSTREAM,
        )
    ],
)
def low_sum_vjp(A, Cbar):
    return Cbar * _low_P(A)
