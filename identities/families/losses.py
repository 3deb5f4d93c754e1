"""Losses: least squares (seed 001 / MML Example 5.11), weighted least squares (seed 001 §5.5), k-means."""

from __future__ import annotations

import jax.numpy as jnp

from .._core import Tex, identity, mc, mml, seed
from .._structures import ONEHOT, SYMMETRIC


@identity(
    f=lambda y, Phi, theta: jnp.sum((y - Phi @ theta) ** 2),
    find="sum((y - Phi @ theta) ** 2)",
    wrt="theta",
    shapes={"y": "N", "Phi": "N D", "theta": "D"},
    tex=Tex(
        f=r"\|y - \Phi\theta\|_2^2",
        num=r"-2(y - \Phi\theta)^\top \Phi",
        den=r"2\Phi^\top(\Phi\theta - y)",
        wrt=r"\theta",
    ),
    sources=[seed("001", "example: gradient of a least-squares loss"), mml("Example 5.11")],
    aliases=("least squares",),
    notes="""
    Setting it to zero gives the normal equations ΦᵀΦθ = Φᵀy, so θ = (ΦᵀΦ)⁻¹Φᵀy when Φ has full column
    rank (tests check the gradient vanishes there). Spelled r @ Φ, not Φᵀ @ r: no transposed copy.
    """,
)
def least_squares(y, Phi, theta):
    r2 = 2 * (Phi @ theta - y)  # scale the N-vector, not the D-vector the product returns: one fusion fewer
    return r2 @ Phi


@identity(
    f=lambda y, Phi, theta: y - Phi @ theta,
    find="y - Phi @ theta",
    wrt="theta",
    shapes={"y": "N", "Phi": "N D", "theta": "D"},
    tex=Tex(f=r"y - \Phi\theta", num=r"-\Phi", den=r"-\Phi^\top", wrt=r"\theta"),
    sources=[seed("001", "least squares: ∂e/∂θ = −Φ"), mml("Example 5.11")],
    notes="The inner function e(θ) of the least-squares chain rule; ∂L/∂e = 2eᵀ is vector.xTx.",
)
def residual(y, Phi, theta):
    return -Phi


@identity(
    f=lambda x, A, s, W: (x - A @ s) @ W @ (x - A @ s),
    find="(x - A @ s) @ W @ (x - A @ s)",
    wrt="s",
    shapes={"x": "n", "A": "n k", "s": "k", "W": "n n"},
    requires={"W": SYMMETRIC},
    tex=Tex(
        f=r"(x - As)^\top W (x - As)",
        num=r"-2(x - As)^\top W A",
        den=r"-2A^\top W (x - As)",
    ),
    sources=[seed("001", "5.5 useful identities, for symmetric W"), mml("(5.108)"), mc(84)],
    aliases=("weighted least squares",),
    notes="""
    Only for symmetric W. For a general W the gradient is −Aᵀ(W + Wᵀ)(x − As); the symmetric form
    then gives a silently wrong number, so W's symmetry is a declared precondition.
    """,
)
def weighted_least_squares(x, A, s, W):
    r = x - A @ s
    return -2 * ((W @ r) @ A)


@identity(
    f=lambda M, X, R: jnp.sum(R * jnp.sum((X[:, :, None] - M[:, None, :]) ** 2, axis=0)),
    wrt="M",
    shapes={"M": "d k", "X": "d n", "R": "n k"},
    requires={"R": ONEHOT},
    tex=Tex(
        f=r"\sum_{n}\sum_{k} r_{nk}\,\|x_n - \mu_k\|_2^2",
        num=r"2\left(M\operatorname{diag}(R^\top\mathbf{1}) - XR\right)^\top",
        den=r"2\left(M\operatorname{diag}(R^\top\mathbf{1}) - XR\right)",
        wrt=r"M",
    ),
    sources=[seed("001", "k-means: ∂L/∂μ_j = Σ_n r_nj (−2x_n + 2μ_j)ᵀ")],
    aliases=("k-means",),
    notes="""
    M = (μ₁ … μ_K) holds the centroids as columns, X = (x₁ … x_N) the points, R the hard assignments.
    Column j of the gradient is 2 Σ_n r_nj (μ_j − x_n); it vanishes at the centroid update
    μ_j = Σ_n r_nj x_n / Σ_n r_nj (tests check this).
    """,
)
def kmeans(M, X, R):
    return 2 * (M * jnp.sum(R, axis=0)[None, :] - X @ R)
