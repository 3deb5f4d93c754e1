"""Machine-learning staples: softmax, log-sum-exp, cross-entropy, elementwise activations, logistic
regression, the Gaussian log-likelihood in μ and in Σ, ridge and lasso (k-means is losses.kmeans).

These are standard results that CATALOG-TARGETS asks for beyond the references; they are cited as
``staple(...)`` (reference key "ML": derived here, checked by the suite, no published formula).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp as _lse

from .._core import Example, SpecialPoint, Tex, identity, staple
from .._structures import POSITIVE, SPD, away_from


@identity(
    f=lambda z: jax.nn.softmax(z),
    find="softmax(z)",
    wrt="z",
    shapes={"z": "n"},
    tex=Tex(
        f=r"\operatorname{softmax}(z) = \frac{e^{z}}{\mathbf{1}^\top e^{z}}",
        num=r"\operatorname{diag}(p) - p p^\top",
        den=r"\operatorname{diag}(p) - p p^\top",
        where=r"p = \operatorname{softmax}(z)",
    ),
    sources=[staple("softmax Jacobian")],
    aliases=("softmax jacobian", "dsoftmax/dz"),
    notes="Symmetric, so both layouts agree; singular with null vector 1 (softmax is shift-invariant).",
    examples=[
        Example(
            {"z": [0.0, 0.0]},
            [[0.25, -0.25], [-0.25, 0.25]],
            staple("softmax at z = 0: p = (1/2, 1/2)"),
        )
    ],
)
def softmax(z):
    p = jax.nn.softmax(z)
    return jnp.diag(p) - jnp.outer(p, p)


@identity(
    f=lambda z: _lse(z),
    find="logsumexp(z)",
    wrt="z",
    shapes={"z": "n"},
    tex=Tex(
        f=r"\log \mathbf{1}^\top e^{z}",
        num=r"\operatorname{softmax}(z)^\top",
        den=r"\operatorname{softmax}(z)",
    ),
    sources=[staple("log-sum-exp gradient")],
    aliases=("logsumexp", "lse"),
    notes="The gradient of log-sum-exp is the softmax; its Hessian is the softmax Jacobian (hessians.logsumexp).",
)
def logsumexp(z):
    return jax.nn.softmax(z)


@identity(
    f=lambda z, y: -(y @ jax.nn.log_softmax(z)),
    find="-(y @ log_softmax(z))",
    wrt="z",
    shapes={"z": "n", "y": "n"},
    tex=Tex(
        f=r"-y^\top \log \operatorname{softmax}(z)",
        num=r"(\mathbf{1}^\top y)\, p^\top - y^\top",
        den=r"(\mathbf{1}^\top y)\, p - y",
        where=r"p = \operatorname{softmax}(z)",
    ),
    sources=[staple("softmax cross-entropy gradient in the logits")],
    aliases=("softmax cross-entropy", "cross entropy"),
    notes="""
    −yᵀ log softmax(z) = (1ᵀy) lse(z) − yᵀz, so the gradient is (1ᵀy) p − y; for a probability vector y
    (one-hot labels included) it is the familiar p − y. The general form needs no precondition on y.
    """,
)
def softmax_cross_entropy(z, y):
    return jnp.sum(y) * jax.nn.softmax(z) - y


@identity(
    f=lambda x: jax.nn.sigmoid(x),
    find="sigmoid(x)",
    wrt="x",
    shapes={"x": "n"},
    tex=Tex(
        f=r"\sigma(x) = \frac{1}{1 + e^{-x}}\ \text{(elementwise)}",
        num=r"\operatorname{diag}\left(\sigma(x) \circ (1 - \sigma(x))\right)",
        den=r"\operatorname{diag}\left(\sigma(x) \circ (1 - \sigma(x))\right)",
    ),
    sources=[staple("logistic sigmoid, elementwise")],
    aliases=("sigmoid", "logistic"),
    examples=[Example({"x": [0.0]}, [[0.25]], staple("σ'(0) = 1/4"))],
)
def sigmoid(x):
    s = jax.nn.sigmoid(x)
    return jnp.diag(s * (1 - s))


@identity(
    f=lambda x: jnp.tanh(x),
    find="tanh(x)",
    wrt="x",
    shapes={"x": "n"},
    tex=Tex(
        f=r"\tanh(x)\ \text{(elementwise)}",
        num=r"\operatorname{diag}\left(1 - \tanh^2(x)\right)",
        den=r"\operatorname{diag}\left(1 - \tanh^2(x)\right)",
    ),
    sources=[staple("tanh, elementwise")],
    aliases=("tanh",),
)
def tanh(x):
    t = jnp.tanh(x)
    return jnp.diag(1 - t * t)


@identity(
    f=lambda z, y: jnp.sum(jax.nn.softplus(z) - y * z),
    find="sum(softplus(z) - y * z)",
    wrt="z",
    shapes={"z": "n", "y": "n"},
    tex=Tex(
        f=r"\sum_i -y_i \log \sigma(z_i) - (1 - y_i) \log(1 - \sigma(z_i))",
        num=r"(\sigma(z) - y)^\top",
        den=r"\sigma(z) - y",
    ),
    sources=[staple("binary cross-entropy with logits")],
    aliases=("binary cross-entropy", "bce with logits"),
    notes="Written as Σ softplus(z) − y∘z, the numerically stable form of the same function.",
)
def binary_cross_entropy_logits(z, y):
    return jax.nn.sigmoid(z) - y


@identity(
    f=lambda w, X, y: jnp.sum(jax.nn.softplus(X @ w) - y * (X @ w)),
    find="sum(softplus(X @ w) - y * (X @ w))",
    wrt="w",
    shapes={"w": "d", "X": "N d", "y": "N"},
    tex=Tex(
        f=r"\sum_n \log\left(1 + e^{x_n^\top w}\right) - y_n x_n^\top w",
        num=r"(\sigma(Xw) - y)^\top X",
        den=r"X^\top(\sigma(Xw) - y)",
    ),
    sources=[staple("logistic regression: negative log-likelihood")],
    aliases=("logistic regression",),
    notes="Spelled (σ(Xw) − y) @ X: no transposed copy of X.",
)
def logistic_regression(w, X, y):
    return (jax.nn.sigmoid(X @ w) - y) @ X


def _gauss_loglik(mu, X, Sigma):
    """Σ_n log N(x_n | μ, Σ) for the rows x_n of X."""
    N, d = X.shape
    R = X - mu[None, :]
    quad = jnp.sum(R.T * jnp.linalg.solve(Sigma, R.T))
    return -0.5 * quad - 0.5 * N * (d * math.log(2 * math.pi) + jnp.linalg.slogdet(Sigma)[1])


@identity(
    f=_gauss_loglik,
    wrt="mu",
    shapes={"mu": "d", "X": "N d", "Sigma": "d d"},
    requires={"Sigma": SPD},
    tex=Tex(
        f=r"\sum_{n=1}^{N} \log \mathcal{N}(x_n \mid \mu, \Sigma)",
        num=r"\Big(\sum_n (x_n - \mu)\Big)^\top \Sigma^{-1}",
        den=r"\Sigma^{-1} \sum_n (x_n - \mu)",
        wrt=r"\mu",
    ),
    sources=[staple("Gaussian log-likelihood in the mean")],
    aliases=("gaussian loglik mu",),
    notes="Zero at the sample mean μ = (1/N)Σ x_n, the maximum-likelihood estimate. One solve, no inverse.",
)
def gaussian_loglik_mu(mu, X, Sigma):
    return jnp.linalg.solve(Sigma, jnp.sum(X, axis=0) - X.shape[0] * mu)


@identity(
    f=_gauss_loglik,
    wrt="Sigma",
    shapes={"mu": "d", "X": "N d", "Sigma": "d d"},
    requires={"Sigma": SPD},
    tex=Tex(
        f=r"\sum_{n=1}^{N} \log \mathcal{N}(x_n \mid \mu, \Sigma)",
        num=r"\tfrac12\left(\Sigma^{-1} S \Sigma^{-1} - N \Sigma^{-1}\right)",
        den=r"\tfrac12\left(\Sigma^{-1} S \Sigma^{-1} - N \Sigma^{-1}\right)",
        wrt=r"\Sigma",
        where=r"S = \sum_n (x_n - \mu)(x_n - \mu)^\top",
    ),
    sources=[staple("Gaussian log-likelihood in the covariance")],
    aliases=("gaussian loglik Sigma",),
    notes="""
    The derivative with Σ's entries treated as independent (the 'full' convention), at a symmetric Σ; it
    is symmetric, and zero at Σ = S/N, the maximum-likelihood estimate. Under the symmetric convention
    (one variable per pair Σ_ij = Σ_ji) the off-diagonal entries double: 2G − diag(G).
    Spelled with Y = Σ⁻¹(X − μ)ᵀ, so Σ⁻¹SΣ⁻¹ = YYᵀ.
    """,
)
def gaussian_loglik_Sigma(mu, X, Sigma):
    Y = jnp.linalg.solve(Sigma, (X - mu[None, :]).T)
    return 0.5 * (Y @ Y.T - X.shape[0] * jnp.linalg.inv(Sigma))


@identity(
    f=lambda y, Phi, theta, lam: jnp.sum((y - Phi @ theta) ** 2) + lam * (theta @ theta),
    find="sum((y - Phi @ theta) ** 2) + lam * (theta @ theta)",
    wrt="theta",
    shapes={"y": "N", "Phi": "N D", "theta": "D", "lam": ""},
    tex=Tex(
        f=r"\|y - \Phi\theta\|_2^2 + \lambda \|\theta\|_2^2",
        num=r"2(\Phi\theta - y)^\top \Phi + 2\lambda\theta^\top",
        den=r"2\Phi^\top(\Phi\theta - y) + 2\lambda\theta",
        wrt=r"\theta",
    ),
    sources=[staple("ridge regression loss")],
    aliases=("ridge",),
    notes="Zero at θ = (ΦᵀΦ + λI)⁻¹Φᵀy (tests check this).",
)
def ridge(y, Phi, theta, lam):
    return 2 * ((Phi @ theta - y) @ Phi + lam * theta)


def _lasso_valid_at_kink(y, Phi, theta, lam):
    """Membership in the subdifferential of the lasso loss at θ (entries at 0 take any value in ±λ)."""
    y, Phi, theta = (np.asarray(v, dtype=float) for v in (y, Phi, theta))
    smooth = 2 * ((Phi @ theta - y) @ Phi)

    def valid(g):
        g = np.asarray(g, dtype=float)
        at0 = theta == 0
        ok_kink = np.all(np.abs(g[at0] - smooth[at0]) <= lam * (1 + 1e-12))
        ok_rest = np.allclose(g[~at0], smooth[~at0] + lam * np.sign(theta[~at0]), rtol=1e-9, atol=1e-12)
        return bool(ok_kink and ok_rest)

    return valid


_KINK = {"y": [1.0, 2.0, 0.5], "Phi": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "theta": [0.0, 1.0], "lam": 1.0}


@identity(
    f=lambda y, Phi, theta, lam: jnp.sum((y - Phi @ theta) ** 2) + lam * jnp.sum(jnp.abs(theta)),
    find="sum((y - Phi @ theta) ** 2) + lam * sum(abs(theta))",
    wrt="theta",
    shapes={"y": "N", "Phi": "N D", "theta": "D", "lam": ""},
    requires={"theta": away_from(0.0), "lam": POSITIVE},
    tex=Tex(
        f=r"\|y - \Phi\theta\|_2^2 + \lambda \|\theta\|_1",
        num=r"2(\Phi\theta - y)^\top \Phi + \lambda \operatorname{sign}(\theta)^\top",
        den=r"2\Phi^\top(\Phi\theta - y) + \lambda \operatorname{sign}(\theta)",
        wrt=r"\theta",
    ),
    sources=[staple("lasso loss (subgradient)")],
    aliases=("lasso",),
    notes="""
    Differentiable where no θ_j is 0 (the declared precondition). Where θ_j = 0 the loss has a kink: the
    subdifferential's j-th entry is the interval 2((Φθ − y)ᵀΦ)_j + [−λ, λ], and 0 lies in it exactly when
    |2((Φθ − y)ᵀΦ)_j| ≤ λ (the lasso's optimality condition). Charted as a special point.
    """,
    special=[
        SpecialPoint(
            "theta_1 = 0",
            _KINK,
            "not differentiable in θ₁; the subdifferential's first entry is 2((Φθ − y)ᵀΦ)₁ + [−λ, λ]",
            valid=_lasso_valid_at_kink(**_KINK),
            jax_verdict="valid",
        )
    ],
)
def lasso(y, Phi, theta, lam):
    return 2 * ((Phi @ theta - y) @ Phi) + lam * jnp.sign(theta)


@identity(
    f=lambda x: jax.nn.softplus(x),
    find="softplus(x)",
    wrt="x",
    shapes={"x": "n"},
    tex=Tex(
        f=r"\log(1 + e^{x})\ \text{(elementwise)}",
        num=r"\operatorname{diag}(\sigma(x))",
        den=r"\operatorname{diag}(\sigma(x))",
    ),
    sources=[staple("softplus, elementwise")],
    aliases=("softplus",),
)
def softplus(x):
    return jnp.diag(jax.nn.sigmoid(x))
