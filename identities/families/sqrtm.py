"""The principal matrix square root S = A^{1/2}: of an SPD matrix (through eigh) and of a general matrix with
no eigenvalue on the closed negative real axis (through the Denman–Beavers iteration).

Its Fréchet derivative L = dS[dA] solves the Sylvester equation S L + L S = dA (differentiate S² = A; the
equation has a unique solution because no two eigenvalues of S sum to 0: Higham 2008, chapter 6). For SPD
A = VΛVᵀ it is the Daleckii–Krein form V (D ∘ VᵀdAV) Vᵀ with D_ij = 1/(√λᵢ + √λⱼ), which has no pole at a
repeated eigenvalue, only at a zero one.

JAX's own ``jax.scipy.linalg.sqrtm`` goes through the Schur decomposition, which JAX cannot differentiate
(NotImplementedError "Differentiation rule for 'schur' not implemented", jax 0.10.2; jax-ml/jax#16579,
#38831): tests/test_decomp_findings.py keeps that fact measured. The general square root here is therefore
written so that JAX (and PyTorch, through the translator) can differentiate it: 14 steps of the
Denman–Beavers product iteration (Higham 2008, chapter 6), whose derivative converges with the iterates.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .._core import Example, SpecialPoint, Tex, identity
from .._structures import SPD, SPD_SIMPLE
from ._decomp import NO_NEGATIVE_REAL, higham08, sylvester
from ._decomp import sqrtm_db as _sqrtm_db

_SIZES = [{"n": 3}, {"n": 4}]
_DB_STEPS = (
    14  # 12 reach rounding (max|X² − A|/max|A| = 2.7e-15) over 3000 draws of the structure, n = 3..7, scales 1..100
)
_I3 = np.eye(3)
_DA_SYM = np.array([[1.0, 2.0, 0.0], [2.0, -1.0, 1.0], [0.0, 1.0, 3.0]])
_PSD = np.diag([4.0, 1.0, 0.0])  # singular PSD: λ₃ = 0
_DA_NULL = np.diag([0.0, 0.0, 1.0])
SQRTM_UPSTREAM = ("jax-ml/jax#16579", "jax-ml/jax#38831")


def sqrtm_spd(A):
    """A^{1/2} for symmetric positive (semi)definite A, through eigh: V diag(√λ) Vᵀ."""
    lam, V = jnp.linalg.eigh(A)
    return (V * jnp.sqrt(lam)[None, :]) @ V.T


def _dk_sqrt(A, dA):
    lam, V = jnp.linalg.eigh(A)
    r = jnp.sqrt(lam)
    return V @ ((V.T @ dA @ V) / (r[:, None] + r[None, :])) @ V.T


_SPD_NOTES = """
f is the square root of an SPD A through eigh, as users write it. 1/(√λᵢ + √λⱼ) is the divided difference
of √ (no cancellation: (√a − √b)/(a − b) = 1/(√a + √b)), finite at a tie: at A = I the derivative is dA/2.
JAX differentiates eigh only at a simple spectrum, so verification draws stay there. The map is
self-adjoint, so the VJP is the same formula at sym(C̄) ("sym" convention).
"""


@identity(
    f=sqrtm_spd,
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": SPD},
    autodiff_requires={"A": SPD_SIMPLE},
    sizes=_SIZES,
    tex=Tex(
        f=r"A^{1/2} = V \Lambda^{1/2} V^\top",
        num=r"V \left(D \circ (V^\top \dot A V)\right) V^\top,\ A^{1/2}\dot S + \dot S A^{1/2} = \dot A",
        den=r"V \left(D \circ (V^\top \dot A V)\right) V^\top,\ A^{1/2}\dot S + \dot S A^{1/2} = \dot A",
        where=r"D_{ij} = (\sqrt{\lambda_i} + \sqrt{\lambda_j})^{-1}",
    ),
    sources=[higham08("chapter 6 (the Fréchet derivative of the square root solves XL + LX = E)")],
    aliases=("sqrtm spd jvp",),
    notes=_SPD_NOTES,
    examples=[
        Example(
            {"A": _I3.tolist(), "dA": _DA_SYM.tolist()},
            (_DA_SYM / 2).tolist(),
            higham08("worked here by hand: at A = I the Sylvester equation reads 2L = dA"),
        )
    ],
    special=[
        SpecialPoint(
            "A = I",
            {"A": _I3.tolist(), "dA": _DA_SYM.tolist()},
            "differentiable: S = I, so 2 dS = dA and dS = dA/2",
            value=(_DA_SYM / 2).tolist(),
            jax_verdict="nan",
            notes="The derivative exists; every eigenvalue of I is repeated and JAX's eigh rule returns NaN.",
            upstream=("jax-ml/jax#669", "jax-ml/jax#4646"),
        ),
        SpecialPoint(
            "singular PSD: A = diag(4, 1, 0)",
            {"A": _PSD.tolist(), "dA": _DA_NULL.tolist()},
            "not differentiable: √ at λ = 0 has infinite slope; d√(A + t e₃e₃ᵀ) = √t e₃e₃ᵀ, unbounded",
            jax_verdict="nan",
            notes="JAX's eigh rule is finite here (distinct eigenvalues); √ at 0 gives 0·inf = NaN.",
            upstream=("none found",),
        ),
    ],
)
def sqrtm_spd_jvp(A, dA):
    return _dk_sqrt(A, dA)


@identity(
    f=sqrtm_spd,
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": SPD},
    autodiff_requires={"A": SPD_SIMPLE},
    convention="sym",
    sizes=_SIZES,
    tex=Tex(
        f=r"A^{1/2} = V \Lambda^{1/2} V^\top",
        num=r"\bar A = V \left(D \circ (V^\top \operatorname{sym}(\bar C) V)\right) V^\top",
        den=r"\bar A = V \left(D \circ (V^\top \operatorname{sym}(\bar C) V)\right) V^\top",
        where=r"D_{ij} = (\sqrt{\lambda_i} + \sqrt{\lambda_j})^{-1}",
    ),
    sources=[higham08("chapter 6 (the Fréchet derivative of the square root solves XL + LX = E)")],
    aliases=("sqrtm spd vjp",),
    notes=_SPD_NOTES,
    special=[
        SpecialPoint(
            "A = I",
            {"A": _I3.tolist(), "cotangent": _DA_SYM.tolist()},
            "differentiable: Ā = sym(C̄)/2",
            value=(_DA_SYM / 2).tolist(),
            jax_verdict="nan",
            notes="jax.vjp of the square root through eigh at the identity: NaN.",
            upstream=("jax-ml/jax#669", "jax-ml/jax#4646"),
        )
    ],
)
def sqrtm_spd_vjp(A, Cbar):
    return _dk_sqrt(A, (Cbar + Cbar.T) / 2)


# --- general A: no eigenvalue on (−∞, 0] ---------------------------------------------------------------------
def sqrtm_db(A):
    """A^{1/2} by the Denman–Beavers product iteration (_decomp.sqrtm_db), a fixed number of steps:
    converged to rounding on the structure's inputs."""
    return _sqrtm_db(A, _DB_STEPS)


_GEN_NOTES = """
The closed form solves the Sylvester equation S L + L S = dA directly, in its Kronecker form (an n²×n² solve:
O(n⁶), for the small sizes of verification; bench sizes are kept small); S comes from the same Denman–Beavers
iteration as f. The VJP solves the adjoint equation Sᵀ Ā + Ā Sᵀ = C̄. The structure builds strictly diagonally
dominant A with a positive diagonal (every Gershgorin disc in Re z ≥ 1), which has no eigenvalue on
(−∞, 0] and may have complex ones.
"""


@identity(
    f=sqrtm_db,
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": NO_NEGATIVE_REAL},
    sizes=_SIZES,
    bench_sizes=[{"n": 4}, {"n": 6}],  # the direct Kronecker solve: O(n⁴) memory, a reference, not a fast method
    tex=Tex(
        f=r"A^{1/2}\ (\Lambda(A) \cap (-\infty, 0] = \emptyset)",
        num=r"\dot S:\ S \dot S + \dot S S = \dot A",
        den=r"\dot S:\ S \dot S + \dot S S = \dot A",
        where=r"S = A^{1/2}",
    ),
    sources=[higham08("chapter 6 (the Fréchet derivative of the square root solves XL + LX = E)")],
    aliases=("sqrtm jvp", "matrix square root jvp"),
    notes=_GEN_NOTES,
    examples=[
        Example(
            {"A": (4 * _I3).tolist(), "dA": _DA_SYM.tolist()},
            (_DA_SYM / 4).tolist(),
            higham08("worked here by hand: at A = 4I, S = 2I and 4L = dA"),
        )
    ],
    special=[
        SpecialPoint(
            "A = I",
            {"A": _I3.tolist(), "dA": _DA_SYM.tolist()},
            "differentiable: dS = dA/2 (S = I)",
            value=(_DA_SYM / 2).tolist(),
            jax_verdict="valid",
            notes="Through the Denman–Beavers iteration (not eigh) JAX's answer at the identity is right;"
            " jax.scipy.linalg.sqrtm cannot be differentiated at all (jax-ml/jax#16579).",
            upstream=SQRTM_UPSTREAM,
        )
    ],
)
def sqrtm_jvp(A, dA):
    return sylvester(sqrtm_db(A), dA)


@identity(
    f=sqrtm_db,
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": NO_NEGATIVE_REAL},
    sizes=_SIZES,
    bench_sizes=[{"n": 4}, {"n": 6}],  # the direct Kronecker solve: O(n⁴) memory, a reference, not a fast method
    tex=Tex(
        f=r"A^{1/2}\ (\Lambda(A) \cap (-\infty, 0] = \emptyset)",
        num=r"\bar A:\ S^\top \bar A + \bar A S^\top = \bar C",
        den=r"\bar A:\ S^\top \bar A + \bar A S^\top = \bar C",
        where=r"S = A^{1/2}",
    ),
    sources=[higham08("chapter 6 (the Fréchet derivative of the square root solves XL + LX = E)")],
    aliases=("sqrtm vjp", "matrix square root vjp"),
    notes=_GEN_NOTES + "\nThe adjoint (derived here): ⟨C̄, L⟩ = ⟨Ā, E⟩ for L = 𝓛⁻¹E, 𝓛X = SX + XS, 𝓛ᵀX = SᵀX + XSᵀ.",
)
def sqrtm_vjp(A, Cbar):
    return sylvester(sqrtm_db(A).T, Cbar)
