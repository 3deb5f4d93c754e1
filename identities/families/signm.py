"""The matrix sign function S = sign(A) = A (A²)^{-1/2}, for A with no eigenvalue on the imaginary axis.

With P = SA = (A²)^{1/2}, its Fréchet derivative L solves the Sylvester equation P L + L P = E − S E S
(derived here: differentiate S² = I to get SL = −LS, and AS = SA to get LA − AL = ES − SE; then
PL + LP = (LA − AL)S = E − SES). Higham 2008, chapter 5, treats the sign function and its Newton iteration.

f is the Newton iteration X ← (X + X⁻¹)/2 from X = A (Higham 2008, chapter 5), a fixed number of steps,
which JAX and PyTorch both differentiate (neither has a sign function of a matrix).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._core import Example, SpecialPoint, Tex, identity
from ._decomp import NO_IMAGINARY, higham08, sylvester

_SIZES = [{"n": 3}, {"n": 4}]
_NEWTON_STEPS = 12
_D = np.diag([2.0, -1.0, 4.0])
_DA = np.array([[1.0, 3.0, 2.0], [1.0, -1.0, 1.0], [1.0, 6.0, 0.5]])
# by hand at A = diag(2, −1, 4): S = diag(1, −1, 1), P = diag(2, 1, 4); (E − SES)_ij = E_ij(1 − sᵢsⱼ) is 2E_ij
# where the signs differ (pairs with the second index), 0 elsewhere; L_ij = that/(pᵢ + pⱼ)
_DSIGN_BY_HAND = np.array([[0.0, 2.0, 0.0], [2.0 / 3.0, 0.0, 2.0 / 5.0], [0.0, 12.0 / 5.0, 0.0]])


@jax.jit  # cached for eager calls: see _decomp.sqrtm_db
def signm_newton(A):
    """sign(A) by Newton's iteration X ← (X + X⁻¹)/2 from X = A, a fixed number of steps (a
    ``lax.fori_loop``: one compiled body, as for the Denman–Beavers square roots)."""
    return jax.lax.fori_loop(0, _NEWTON_STEPS, lambda _, X: (X + jnp.linalg.inv(X)) / 2, A)


_NOTES = """
Checked on A = BDB⁻¹ with cond(B) ≤ 5/3 and real eigenvalues of both signs, |λ| ≥ 0.8, where 12 Newton steps
reach rounding. sign(A) is locally constant in the eigenvalues (S² = I), so dS comes only from the mixing of
the invariant subspaces: L = 0 when A's eigenvalues all have one sign.
"""


@identity(
    f=signm_newton,
    wrt="A",
    kind="jvp",
    shapes={"A": "n n"},
    requires={"A": NO_IMAGINARY},
    sizes=_SIZES,
    bench_sizes=[{"n": 4}, {"n": 6}],  # the direct Kronecker solve: O(n⁴) memory, a reference, not a fast method
    tex=Tex(
        f=r"\operatorname{sign}(A) = A (A^2)^{-1/2}",
        num=r"\dot S:\ P \dot S + \dot S P = \dot A - S \dot A S",
        den=r"\dot S:\ P \dot S + \dot S P = \dot A - S \dot A S",
        where=r"S = \operatorname{sign}(A),\ P = SA = (A^2)^{1/2}",
    ),
    sources=[higham08("chapter 5 (the matrix sign function; the Sylvester equation for L is derived here)")],
    aliases=("signm jvp", "matrix sign jvp"),
    notes=_NOTES,
    examples=[
        Example(
            {"A": _D.tolist(), "dA": _DA.tolist()},
            _DSIGN_BY_HAND.tolist(),
            higham08("worked here by hand at A = diag(2, −1, 4)"),
        )
    ],
    special=[
        SpecialPoint(
            "A = diag(2, −1, 4)",
            {"A": _D.tolist(), "dA": _DA.tolist()},
            "differentiable: only the entries coupling the two signs move, L_ij = 2E_ij/(|λᵢ| + |λⱼ|)",
            value=_DSIGN_BY_HAND.tolist(),
            jax_verdict="valid",
            notes="JAX differentiates the Newton iteration exactly here (diagonal: every step is exact).",
            upstream=("none found",),
        )
    ],
)
def signm_jvp(A, dA):
    S = signm_newton(A)
    return sylvester(S @ A, dA - S @ dA @ S)


@identity(
    f=signm_newton,
    wrt="A",
    kind="vjp",
    shapes={"A": "n n"},
    requires={"A": NO_IMAGINARY},
    sizes=_SIZES,
    bench_sizes=[{"n": 4}, {"n": 6}],  # the direct Kronecker solve: O(n⁴) memory, a reference, not a fast method
    tex=Tex(
        f=r"\operatorname{sign}(A) = A (A^2)^{-1/2}",
        num=r"\bar A = G - S^\top G S^\top,\ P^\top G + G P^\top = \bar C",
        den=r"\bar A = G - S^\top G S^\top,\ P^\top G + G P^\top = \bar C",
        where=r"S = \operatorname{sign}(A),\ P = SA",
    ),
    sources=[higham08("chapter 5 (the matrix sign function; the adjoint is derived here)")],
    aliases=("signm vjp", "matrix sign vjp"),
    notes=_NOTES + "\nThe adjoint: ⟨C̄, 𝓟⁻¹(E − SES)⟩ = ⟨G, E − SES⟩ = ⟨G − SᵀGSᵀ, E⟩ with 𝓟ᵀG = C̄.",
)
def signm_vjp(A, Cbar):
    S = signm_newton(A)
    G = sylvester((S @ A).T, Cbar)
    return G - S.T @ G @ S.T
