"""Derivatives of inverses: the Matrix Cookbook (59), (63), (64).

(40) and (60), the 4-tensor ∂(X⁻¹)_kl/∂X_ij, are ``matrix.inv_X``; (61) is ``matrix.aT_Xinv_b``; (62) is
``det.det_Xinv``. Closed forms use solves, not explicit inverses, except where the inverse is the output.
"""

from __future__ import annotations

import jax.numpy as jnp

from .._core import Tex, identity, mc
from .._structures import INVERTIBLE
from ._mc_structures import invertible_shift
from .det import PATH_INVERTIBLE, _path


@identity(
    f=lambda x, A, B, C: jnp.linalg.inv(_path(x, A, B, C)),
    find="inv(A + x * B + x ** 2 * C)",
    wrt="x",
    shapes={"x": "", "A": "n n", "B": "n n", "C": "n n"},
    joint=[PATH_INVERTIBLE],
    tex=Tex(
        f=r"Y(x)^{-1}",
        num=r"-Y^{-1}\frac{\partial Y}{\partial x}Y^{-1}",
        den=r"\left(-Y^{-1}\frac{\partial Y}{\partial x}Y^{-1}\right)^\top",
        wrt="x",
        where=r"Y(x) = A + xB + x^2 C,\ \frac{\partial Y}{\partial x} = B + 2xC",
    ),
    sources=[mc(59)],
    aliases=("d(Y^-1)/dx",),
    notes="""
    A matrix by a scalar, along Y(x) = A + xB + x²C. Spelled with two solves: Z = Y⁻¹Y′, then
    Z Y⁻¹ = (Y⁻ᵀZᵀ)ᵀ; no inverse is formed. The denominator layout of a matrix-by-scalar derivative is
    the transpose.
    """,
)
def inv_of_path(x, A, B, C):
    Y = _path(x, A, B, C)
    Z = jnp.linalg.solve(Y, B + (2 * x) * C)
    return -jnp.linalg.solve(Y.T, Z.T).T


@identity(
    f=lambda X, A: jnp.trace(jnp.linalg.inv(X + A)),
    find="trace(inv(X + A))",
    wrt="X",
    shapes={"X": "n n", "A": "n n"},
    joint=[invertible_shift("X + A", lambda X, A: X + A, ("X", "A"), fix="A")],
    tex=Tex(
        f=r"\operatorname{Tr}\left((X + A)^{-1}\right)",
        num=r"-(X + A)^{-2}",
        den=r"-\left((X + A)^{-1}(X + A)^{-1}\right)^\top",
    ),
    sources=[mc(64)],
    aliases=("d tr((X+A)^-1)/dX",),
    notes="X + A must be invertible (a joint precondition). The gradient is −(S⁻²)ᵀ with S = X + A.",
)
def tr_inv_X_plus_A(X, A):
    W = jnp.linalg.inv(X + A)
    return -(W @ W).T


@identity(
    f=lambda A: jnp.sum(jnp.sin(jnp.linalg.inv(A))),
    find="sum(sin(inv(A)))",
    wrt="A",
    shapes={"A": "n n"},
    requires={"A": INVERTIBLE},
    tex=Tex(
        f=r"J(A^{-1})",
        num=r"-A^{-1}\left(\frac{\partial J}{\partial W}\right) A^{-1}",
        den=r"-A^{-\top}\frac{\partial J}{\partial W}A^{-\top}",
        wrt="A",
        where=r"W = A^{-1},\ J(W) = \sum_{kl}\sin W_{kl},\ \frac{\partial J}{\partial W} = \cos W \text{ (denominator)}",
    ),
    sources=[mc("§2.2, the unnumbered rule after (64)", "∂J/∂A = −A⁻ᵀ (∂J/∂W) A⁻ᵀ for W = A⁻¹")],
    aliases=("dJ/dA with W = A^-1",),
    notes="""
    The chain rule through the inverse, for any scalar J of W = A⁻¹; instantiated with J(W) = Σ sin W_kl
    so that ∂J/∂W = cos W is not constant. The Cookbook gives it unnumbered after (64).
    """,
)
def chain_through_inverse(A):
    W = jnp.linalg.inv(A)
    return -(W.T @ jnp.cos(W) @ W.T)
