"""Hessians as identities of their own (kind="hessian", checked against jax.hessian, jacrev(jacrev) and
second-order central differences). For a matrix variable the Hessian is a 4-tensor, indexed (i, j, k, l)
for ∂²f/∂X_ij∂X_kl; it is symmetric under (i, j) ↔ (k, l), so both layouts agree. The Hessian of ‖x‖₂
is norms.l2_hessian.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy.special import logsumexp as _lse

from .._core import Example, Tex, identity, staple
from .._structures import INVERTIBLE, SPD


@identity(
    f=lambda y, Phi, theta: jnp.sum((y - Phi @ theta) ** 2),
    find="sum((y - Phi @ theta) ** 2)",
    wrt="theta",
    kind="hessian",
    shapes={"y": "N", "Phi": "N D", "theta": "D"},
    tex=Tex(f=r"\|y - \Phi\theta\|_2^2", num=r"2\Phi^\top\Phi", den=r"2\Phi^\top\Phi", wrt=r"\theta"),
    sources=[staple("Hessian of the least-squares loss")],
    aliases=("hessian least squares",),
    notes="Positive semidefinite; definite iff Φ has full column rank (then the normal equations have one solution).",
)
def least_squares(y, Phi, theta):
    return 2 * (Phi.T @ Phi)


@identity(
    f=lambda x, A, b: 0.5 * jnp.sum((A @ x - b) ** 2),
    find="0.5 * sum((A @ x - b) ** 2)",
    wrt="x",
    kind="hessian",
    shapes={"x": "n", "A": "m n", "b": "m"},
    tex=Tex(f=r"\tfrac12 \|Ax - b\|_2^2", num=r"A^\top A", den=r"A^\top A"),
    sources=[staple("Hessian of the quadratic loss")],
    aliases=("hessian quadratic loss",),
)
def quadratic_loss(x, A, b):
    return A.T @ A


@identity(
    f=lambda y, Phi, theta, lam: jnp.sum((y - Phi @ theta) ** 2) + lam * (theta @ theta),
    find="sum((y - Phi @ theta) ** 2) + lam * (theta @ theta)",
    wrt="theta",
    kind="hessian",
    shapes={"y": "N", "Phi": "N D", "theta": "D", "lam": ""},
    tex=Tex(
        f=r"\|y - \Phi\theta\|_2^2 + \lambda \|\theta\|_2^2",
        num=r"2(\Phi^\top\Phi + \lambda I)",
        den=r"2(\Phi^\top\Phi + \lambda I)",
        wrt=r"\theta",
    ),
    sources=[staple("Hessian of the ridge loss")],
    aliases=("hessian ridge",),
)
def ridge(y, Phi, theta, lam):
    return 2 * (Phi.T @ Phi + lam * jnp.eye(Phi.shape[1], dtype=Phi.dtype))


@identity(
    f=lambda z: _lse(z),
    find="logsumexp(z)",
    wrt="z",
    kind="hessian",
    shapes={"z": "n"},
    tex=Tex(
        f=r"\log \mathbf{1}^\top e^{z}",
        num=r"\operatorname{diag}(p) - p p^\top",
        den=r"\operatorname{diag}(p) - p p^\top",
        where=r"p = \operatorname{softmax}(z)",
    ),
    sources=[staple("Hessian of log-sum-exp")],
    aliases=("hessian logsumexp",),
    notes="Positive semidefinite with null vector 1: log-sum-exp is convex and linear along 1.",
)
def logsumexp(z):
    p = jax.nn.softmax(z)
    return jnp.diag(p) - jnp.outer(p, p)


@identity(
    f=lambda z, y: -(y @ jax.nn.log_softmax(z)),
    find="-(y @ log_softmax(z))",
    wrt="z",
    kind="hessian",
    shapes={"z": "n", "y": "n"},
    tex=Tex(
        f=r"-y^\top \log \operatorname{softmax}(z)",
        num=r"(\mathbf{1}^\top y)\left(\operatorname{diag}(p) - p p^\top\right)",
        den=r"(\mathbf{1}^\top y)\left(\operatorname{diag}(p) - p p^\top\right)",
        where=r"p = \operatorname{softmax}(z)",
    ),
    sources=[staple("Hessian of the softmax cross-entropy")],
    aliases=("hessian softmax cross-entropy",),
    notes="For a probability vector y it is diag(p) − ppᵀ, independent of the labels.",
)
def softmax_cross_entropy(z, y):
    p = jax.nn.softmax(z)
    return jnp.sum(y) * (jnp.diag(p) - jnp.outer(p, p))


@identity(
    f=lambda w, X, y: jnp.sum(jax.nn.softplus(X @ w) - y * (X @ w)),
    find="sum(softplus(X @ w) - y * (X @ w))",
    wrt="w",
    kind="hessian",
    shapes={"w": "d", "X": "N d", "y": "N"},
    tex=Tex(
        f=r"\sum_n \log\left(1 + e^{x_n^\top w}\right) - y_n x_n^\top w",
        num=r"X^\top \operatorname{diag}\left(\sigma(Xw) \circ (1 - \sigma(Xw))\right) X",
        den=r"X^\top \operatorname{diag}\left(\sigma(Xw) \circ (1 - \sigma(Xw))\right) X",
    ),
    sources=[staple("Hessian of the logistic-regression loss")],
    aliases=("hessian logistic regression",),
    notes="The diagonal weights scale the rows of X (no N×N diagonal matrix is formed).",
)
def logistic_regression(w, X, y):
    s = jax.nn.sigmoid(X @ w)
    return (X * (s * (1 - s))[:, None]).T @ X


@identity(
    f=lambda X: jnp.linalg.slogdet(X)[1],
    find="logdet(X)",
    wrt="X",
    kind="hessian",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=Tex(
        f=r"\ln|\det X|",
        num=r"\frac{\partial^2 \ln|\det X|}{\partial X_{ij}\,\partial X_{kl}} = -(X^{-1})_{jk}(X^{-1})_{li}",
        den=r"\frac{\partial^2 \ln|\det X|}{\partial X_{ij}\,\partial X_{kl}} = -(X^{-1})_{jk}(X^{-1})_{li}",
    ),
    sources=[staple("Hessian of log det as a 4-tensor")],
    aliases=("hessian logdet",),
    notes="""
    The derivative of X⁻ᵀ (the gradient, MC (57)): d(X⁻¹)_ji = −(X⁻¹)_jk dX_kl (X⁻¹)_li. As a bilinear
    form, H[V, V] = −tr(X⁻¹VX⁻¹V), negative for SPD X and symmetric V (log det is concave on SPD).
    """,
)
def logdet(X):
    Y = jnp.linalg.inv(X)
    return -jnp.einsum("jk,li->ijkl", Y, Y)


@identity(
    f=lambda X: jnp.linalg.det(X),
    find="det(X)",
    wrt="X",
    kind="hessian",
    shapes={"X": "n n"},
    requires={"X": INVERTIBLE},
    tex=Tex(
        f=r"\det X",
        num=r"\det(X)\left[(X^{-1})_{ji}(X^{-1})_{lk} - (X^{-1})_{li}(X^{-1})_{jk}\right]",
        den=r"\det(X)\left[(X^{-1})_{ji}(X^{-1})_{lk} - (X^{-1})_{li}(X^{-1})_{jk}\right]",
    ),
    sources=[staple("Hessian of det as a 4-tensor")],
    aliases=("hessian det",),
    notes="Differentiate det(X)X⁻ᵀ (MC (49)) once more; for n = 1 it is 0 (det is linear).",
)
def det(X):
    Y = jnp.linalg.inv(X)
    return jnp.linalg.det(X) * (jnp.einsum("ji,lk->ijkl", Y, Y) - jnp.einsum("li,jk->ijkl", Y, Y))


@identity(
    f=lambda X, A: jnp.trace(X.T @ A @ X),
    find="trace(X.T @ A @ X)",
    wrt="X",
    kind="hessian",
    shapes={"X": "n m", "A": "n n"},
    tex=Tex(
        f=r"\operatorname{tr}(X^\top A X)",
        num=r"\frac{\partial^2 f}{\partial X_{ij}\,\partial X_{kl}} = (A + A^\top)_{ik}\,\delta_{jl}",
        den=r"\frac{\partial^2 f}{\partial X_{ij}\,\partial X_{kl}} = (A + A^\top)_{ik}\,\delta_{jl}",
    ),
    sources=[staple("Hessian of tr(XᵀAX) as a 4-tensor")],
    aliases=("hessian trace quadratic",),
    notes="The gradient is (A + Aᵀ)X; it is linear in X, so the Hessian is constant.",
)
def trace_XTAX(X, A):
    return jnp.einsum("ik,jl->ijkl", A + A.T, jnp.eye(X.shape[1], dtype=X.dtype))


@identity(
    f=lambda mu, X, Sigma: -0.5 * jnp.sum((X - mu[None, :]).T * jnp.linalg.solve(Sigma, (X - mu[None, :]).T)),
    find="-0.5 * sum((X - mu).T * solve(Sigma, (X - mu).T))",
    wrt="mu",
    kind="hessian",
    shapes={"mu": "d", "X": "N d", "Sigma": "d d"},
    requires={"Sigma": SPD},
    tex=Tex(
        f=r"-\tfrac12 \sum_n (x_n - \mu)^\top \Sigma^{-1} (x_n - \mu)",
        num=r"-N \Sigma^{-1}",
        den=r"-N \Sigma^{-1}",
        wrt=r"\mu",
    ),
    sources=[staple("Hessian of the Gaussian log-likelihood in the mean")],
    aliases=("hessian gaussian loglik mu",),
    notes="The μ-dependent part of Σ_n log N(x_n | μ, Σ); negative definite, so the sample mean is the maximum.",
)
def gaussian_loglik_mu(mu, X, Sigma):
    return -X.shape[0] * jnp.linalg.inv(Sigma)


@identity(
    f=lambda x: (x @ x) ** 2,
    find="(x @ x) ** 2",
    wrt="x",
    kind="hessian",
    shapes={"x": "n"},
    tex=Tex(f=r"\|x\|_2^4", num=r"4\|x\|_2^2 I + 8 x x^\top", den=r"4\|x\|_2^2 I + 8 x x^\top"),
    sources=[staple("Hessian of ‖x‖⁴ (the square of the squared norm)")],
    aliases=("hessian norm fourth power",),
    examples=[Example({"x": [1.0, 0.0]}, [[12.0, 0.0], [0.0, 4.0]], staple("at x = e₁: 4I + 8e₁e₁ᵀ"))],
)
def norm4(x):
    return 4 * (x @ x) * jnp.eye(x.shape[0], dtype=x.dtype) + 8 * jnp.outer(x, x)
