"""Derivatives that are 3- and 4-index tensors: seed 001 §5.4 (MML Examples 5.12 and 5.13)."""

from __future__ import annotations

import jax.numpy as jnp

from .._core import Tex, identity, mml, seed


@identity(
    f=lambda A, x: A @ x,
    find="A @ x",
    wrt="A",
    shapes={"A": "m n", "x": "n"},
    tex=Tex(
        f="A x",
        num=r"\frac{\partial f_i}{\partial A_{pq}} = \delta_{ip}\, x_q \in \mathbb{R}^{m \times (m \times n)}",
        den=r"\frac{\partial f_i}{\partial A_{pq}} = \delta_{ip}\, x_q \in \mathbb{R}^{(m \times n) \times m}",
    ),
    sources=[seed("001", "5.4 gradients of matrices: df/dA for f = Ax"), mml("Example 5.12")],
    aliases=("d(Ax)/dA", "df/dA"),
    notes="A 3-tensor of shape (m, m, n) in JAX layout: row i of ∂f_i/∂A is xᵀ, every other row is 0.",
    bench_sizes=[{"m": n, "n": n} for n in (16, 32, 64, 128)],
)
def dAx_dA(A, x):
    m = A.shape[0]
    return jnp.eye(m, dtype=A.dtype)[:, :, None] * x[None, None, :]


@identity(
    f=lambda R: R.T @ R,
    find="R.T @ R",
    wrt="R",
    shapes={"R": "m n"},
    tex=Tex(
        f=r"R^\top R",
        num=(
            r"\frac{\partial K_{pq}}{\partial R_{ij}} = \delta_{jp} R_{iq} + \delta_{jq} R_{ip}"
            r" \in \mathbb{R}^{(n \times n) \times (m \times n)}"
        ),
        den=(
            r"\frac{\partial K_{pq}}{\partial R_{ij}} = \delta_{jp} R_{iq} + \delta_{jq} R_{ip}"
            r" \in \mathbb{R}^{(m \times n) \times (n \times n)}"
        ),
        wrt="R",
    ),
    sources=[seed("001", "example: gradient of matrices with respect to matrices"), mml("Example 5.13")],
    aliases=("dK/dR", "d(R^T R)/dR"),
    notes="""
    A 4-tensor of shape (n, n, m, n) in JAX layout. The seed's case table: R_iq if j = p ≠ q; R_ip if
    j = q ≠ p; 2R_iq if j = p = q; 0 otherwise (tests check the closed form against it entry by entry).
    """,
    bench_sizes=[{"m": n, "n": n} for n in (8, 16, 32)],
)
def dK_dR(R):
    n = R.shape[1]
    eye = jnp.eye(n, dtype=R.dtype)
    return jnp.einsum("jp,iq->pqij", eye, R) + jnp.einsum("jq,ip->pqij", eye, R)
