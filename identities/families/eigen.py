"""Derivatives of eigenvalues and eigenvectors: the Matrix Cookbook (65)–(68).

(65) and (66) hold for any square X (the sum and product of the eigenvalues are Tr X and det X); they
are written here through ``jnp.linalg.eigvals``, so the check exercises JAX's eigenvalue derivative.
(67) and (68) are for real symmetric A with a simple spectrum (the structure ``symmetric, simple
spectrum``): at a repeated eigenvalue the eigenvectors are not differentiable functions of A.
"""

from __future__ import annotations

import jax.numpy as jnp

from .._core import Tex, identity, mc
from .._structures import INVERTIBLE, SIMPLE_SPECTRUM
from ._mc_structures import DISTINCT_EIGENVALUES


@identity(
    f=lambda X: jnp.real(jnp.sum(jnp.linalg.eigvals(X))),
    find="trace(X)",
    wrt="X",
    shapes={"X": "n n"},
    tex=Tex(f=r"\sum_i \lambda_i(X)", num="I", den="I"),
    sources=[mc(65)],
    aliases=("d sum eig(X)/dX",),
    autodiff_requires={"X": DISTINCT_EIGENVALUES},
    notes="""
    Σ eig(X) = Tr(X) for every square X (complex pairs included), so the gradient is I everywhere. JAX's
    derivative of eigvals is NaN at a repeated eigenvalue, so verification draws keep them distinct.
    """,
)
def sum_eig(X):
    return jnp.eye(X.shape[0], dtype=X.dtype)


@identity(
    f=lambda X: jnp.real(jnp.prod(jnp.linalg.eigvals(X))),
    find="det(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    autodiff_requires={"X": DISTINCT_EIGENVALUES},
    tex=Tex(f=r"\prod_i \lambda_i(X)", num=r"\det(X)\, X^{-1}", den=r"\det(X)\, X^{-\top}"),
    sources=[mc(66)],
    aliases=("d prod eig(X)/dX",),
    notes="""
    Π eig(X) = det(X), so the gradient is det(X)X⁻ᵀ (MC (49)) for invertible X. JAX's derivative of
    eigvals is NaN at a repeated eigenvalue, so verification draws keep them distinct.
    """,
)
def prod_eig(X):
    return jnp.linalg.det(X) * jnp.linalg.inv(X).T


def _signed_eigh(A):
    """Eigenvalues (ascending) and eigenvectors with a fixed sign: wᵀv_i > 0 for w_k = √(k + 2).

    The irrational weights keep wᵀv_i away from 0 for the eigenvectors of structured matrices (entries
    like ±1/√2, (1, −2, 1)/√6), where "largest entry positive" would tie and flip under perturbation.
    """
    lam, V = jnp.linalg.eigh(A)
    w = jnp.sqrt(jnp.arange(V.shape[0], dtype=V.dtype) + 2)
    s = jnp.sign(w @ V)
    return lam, V * s[None, :]


@identity(
    f=lambda A: jnp.linalg.eigvalsh(A),
    find="eigvalsh(A)",
    wrt="A",
    shapes={"A": "n n"},
    requires={"A": SIMPLE_SPECTRUM},
    tex=Tex(
        f=r"\lambda_i(A)",
        num=r"\frac{\partial \lambda_i}{\partial A_{kl}} = (v_i)_k (v_i)_l,\ \text{i.e. } \partial\lambda_i = v_i^\top \partial A\, v_i",
        den=r"\frac{\partial \lambda_i}{\partial A_{kl}} = (v_i)_k (v_i)_l,\ \text{indexed } (k,l,i)",
        wrt="A",
    ),
    sources=[mc(67)],
    aliases=("d lambda_i/dA", "eigenvalue derivative"),
    notes="""
    All n eigenvalues (ascending) of a real symmetric A with distinct eigenvalues; the Jacobian has shape
    (n, n, n), slice i is v_i v_iᵀ. That matrix is symmetric, so it is also the derivative along
    non-symmetric perturbations (left and right eigenvectors of a symmetric A coincide).
    """,
)
def eigvals_sym(A):
    _, V = jnp.linalg.eigh(A)
    return jnp.einsum("ki,li->ikl", V, V)


@identity(
    f=lambda A: _signed_eigh(A)[1],
    wrt="A",
    shapes={"A": "n n"},
    requires={"A": SIMPLE_SPECTRUM},
    convention="sym",
    tex=Tex(
        f=r"v_i(A)",
        num=r"\partial v_i = (\lambda_i I - A)^{+}\, \partial A\, v_i,\ \text{symmetrized over } (k,l)",
        den=r"\partial v_i = (\lambda_i I - A)^{+}\, \partial A\, v_i,\ \text{symmetrized over } (k,l),\ \text{indexed } (k,l,r,i)",
        wrt="A",
    ),
    sources=[mc(68)],
    aliases=("d v_i/dA", "eigenvector derivative"),
    notes="""
    V holds the unit eigenvectors of symmetric A (simple spectrum) as columns, each signed so that
    wᵀv_i > 0 with w_k = √(k + 2) (the sign is otherwise arbitrary and would make V discontinuous; V is
    still discontinuous on the measure-zero set where some wᵀv_i = 0). With
    (λ_iI − A)⁺ = Σ_{j≠i} v_j v_jᵀ/(λ_i − λ_j), ∂V_ri/∂A_kl = Σ_{j≠i} V_rj V_kj V_li/(λ_i − λ_j).
    jnp.linalg.eigh symmetrizes its input, so JAX's derivative is the symmetric part over (k, l): the
    identity is declared in the "sym" convention and the closed form is the symmetrized (68). (68) itself
    holds for any perturbation ∂A; only its symmetric part is reachable through eigh.
    """,
)
def eigvecs_sym(A):
    lam, V = _signed_eigh(A)
    d = lam[:, None] - lam[None, :]  # λ_i − λ_j
    n = lam.shape[0]
    off = ~jnp.eye(n, dtype=bool)
    F = jnp.where(off, 1.0 / jnp.where(off, d, 1.0), 0.0)
    T = jnp.einsum("rj,ij,kj,li->rikl", V, F, V, V)
    return (T + jnp.swapaxes(T, -1, -2)) / 2
