"""Partial derivatives and the multivariate chain rule: the worked examples of seed 001 §5.2 and seed 002 §2.4.4.

Each example is declared as the gradient (or derivative in t) of the composed function, so the suite
checks the seeds' hand-derived partials against autodiff of the composition itself.
"""

from __future__ import annotations

import jax.numpy as jnp

from .._core import Tex, identity, seed


@identity(
    f=lambda v: (v[0] + 2 * v[1] ** 3) ** 2,
    wrt="v",
    shapes={"v": "2"},
    tex=Tex(
        f="(x + 2y^3)^2",
        num=r"\begin{bmatrix} 2(x+2y^3) & 12(x+2y^3)y^2 \end{bmatrix}",
        den=r"\begin{bmatrix} 2(x+2y^3) \\ 12(x+2y^3)y^2 \end{bmatrix}",
        wrt=r"(x, y)",
    ),
    sources=[seed("001", "5.2 partial derivatives using the chain rule")],
    notes="""
    v = (x, y). The seed writes the row [2(x+2y³), 12(x+2y³)y²] with a stray transpose ("[…]ᵀ ∈ ℝ^{1×2}");
    as a gradient in MML's convention it is a 1×2 row, without the transpose.
    """,
)
def x_plus_2y3_squared(v):
    x, y = v[0], v[1]
    u = 2 * (x + 2 * y**3)
    return jnp.stack([u, 6 * u * y**2])


@identity(
    f=lambda v: v[0] ** 2 * v[1] + v[0] * v[1] ** 3,
    wrt="v",
    shapes={"v": "2"},
    tex=Tex(
        f="x_1^2 x_2 + x_1 x_2^3",
        num=r"\begin{bmatrix} 2x_1x_2 + x_2^3 & x_1^2 + 3x_1x_2^2 \end{bmatrix}",
        den=r"\begin{bmatrix} 2x_1x_2 + x_2^3 \\ x_1^2 + 3x_1x_2^2 \end{bmatrix}",
        wrt=r"\mathbf{x}",
    ),
    sources=[seed("001", "5.2 partial derivatives and gradient of x1^2 x2 + x1 x2^3")],
)
def x1sq_x2_plus_x1_x2cubed(v):
    x1, x2 = v[0], v[1]
    return jnp.stack([2 * x1 * x2 + x2**3, x1**2 + 3 * x1 * x2**2])


@identity(
    f=lambda t: jnp.sin(t) ** 2 + 2 * jnp.cos(t),
    find="sin(t) ** 2 + 2 * cos(t)",
    wrt="t",
    shapes={"t": ""},
    tex=Tex(
        f=r"x_1^2 + 2x_2",
        where=r"x_1 = \sin t,\ x_2 = \cos t",
        num=r"2\sin t\,(\cos t - 1)",
        den=r"2\sin t\,(\cos t - 1)",
        wrt="t",
    ),
    sources=[seed("001", "5.2.2 chain rule example")],
    notes="df/dt = ∂f/∂x · ∂x/∂t = 2 sin t cos t − 2 sin t.",
)
def chain_sin_cos(t):
    # cos t − 1 = −2 sin²(t/2): the difference cancels to eps/(t²/2) relative (2e-6 at t = 1e-5), the product does not
    return -4 * jnp.sin(t) * jnp.sin(t / 2) ** 2


@identity(
    f=lambda t: jnp.sin(t) ** 2 * jnp.exp(2 * t) + 3 * jnp.sin(t) + 6 * jnp.exp(2 * t),
    find="sin(t) ** 2 * exp(2 * t) + 3 * sin(t) + 6 * exp(2 * t)",
    wrt="t",
    shapes={"t": ""},
    tex=Tex(
        f=r"x_1^2 x_2 + 3x_1 + 6x_2",
        where=r"x_1 = \sin t,\ x_2 = e^{2t}",
        num=r"(2x_1x_2 + 3)\cos t + 2(x_1^2 + 6)e^{2t}",
        den=r"(2x_1x_2 + 3)\cos t + 2(x_1^2 + 6)e^{2t}",
        wrt="t",
    ),
    sources=[seed("001", "5.2.2 chain rule example with sin t, e^{2t}")],
)
def chain_sin_exp(t):
    x1, x2 = jnp.sin(t), jnp.exp(2 * t)
    return (2 * x1 * x2 + 3) * jnp.cos(t) + (x1**2 + 6) * 2 * x2


@identity(
    f=lambda t: jnp.exp((t * jnp.cos(t)) * (t * jnp.sin(t)) ** 2),
    find="exp(t * cos(t) * (t * sin(t)) ** 2)",
    wrt="t",
    shapes={"t": ""},
    tex=Tex(
        f=r"\exp(x_1 x_2^2)",
        where=r"x_1 = t\cos t,\ x_2 = t\sin t",
        num=r"e^{x_1x_2^2}\left(x_2^2(\cos t - t\sin t) + 2x_1x_2(\sin t + t\cos t)\right)",
        den=r"e^{x_1x_2^2}\left(x_2^2(\cos t - t\sin t) + 2x_1x_2(\sin t + t\cos t)\right)",
        wrt="t",
    ),
    sources=[seed("001", "5.2.2 example: chain rule, h = f∘g with g(t) = (t cos t, t sin t)")],
)
def chain_exp_polar(t):
    x1, x2 = t * jnp.cos(t), t * jnp.sin(t)
    return jnp.exp(x1 * x2**2) * (x2**2 * (jnp.cos(t) - t * jnp.sin(t)) + 2 * x1 * x2 * (jnp.sin(t) + t * jnp.cos(t)))


def _xyz(u):
    p, q, r = u[0], u[1], u[2]
    return p * q * r, 2 * p**2 + q + 5 * r, p * jnp.cos(q + 2 * r)


@identity(
    f=lambda u: (lambda x, y, z: 3 * x * y + y * z**2)(*_xyz(u)),
    wrt="u",
    shapes={"u": "3"},
    tex=Tex(
        f=r"3xy + yz^2",
        where=r"x = pqr,\ y = 2p^2 + q + 5r,\ z = p\cos(q+2r)",
        num=(
            r"\begin{bmatrix} 3yqr + 4p(3x + z^2) + 2yz\cos(q+2r) & 3ypr + 3x + z^2 - 2pyz\sin(q+2r)"
            r" & 3ypq + 5(3x + z^2) - 4pyz\sin(q+2r) \end{bmatrix}"
        ),
        den=(
            r"\begin{bmatrix} 3yqr + 4p(3x + z^2) + 2yz\cos(q+2r) \\ 3ypr + 3x + z^2 - 2pyz\sin(q+2r)"
            r" \\ 3ypq + 5(3x + z^2) - 4pyz\sin(q+2r) \end{bmatrix}"
        ),
        wrt="(p, q, r)",
    ),
    sources=[seed("001", "5.2.2 example f = 3xy + yz^2 (∂f/∂p worked; ∂f/∂q, ∂f/∂r the exercise)")],
)
def chain_pqr(u):
    p, q, r = u[0], u[1], u[2]
    x, y, z = _xyz(u)
    fx, fy, fz = 3 * y, 3 * x + z**2, 2 * y * z
    s, c = jnp.sin(q + 2 * r), jnp.cos(q + 2 * r)
    return jnp.stack(
        [
            fx * q * r + fy * 4 * p + fz * c,
            fx * p * r + fy - fz * p * s,
            fx * p * q + fy * 5 - fz * 2 * p * s,
        ]
    )


@identity(
    f=lambda x: (x[0] + x[1]) ** 2 + (x[0] - x[1]) ** 2,
    wrt="x",
    shapes={"x": "2"},
    tex=Tex(
        f=r"u_1^2 + u_2^2",
        where=r"u_1 = x_1 + x_2,\ u_2 = x_1 - x_2",
        num=r"\begin{bmatrix} 4x_1 & 4x_2 \end{bmatrix}",
        den=r"\begin{bmatrix} 4x_1 \\ 4x_2 \end{bmatrix}",
        wrt=r"\mathbf{x}",
    ),
    sources=[seed("002", "2.4.4 chain rule for multivariable functions, example")],
    notes="""
    In vector form ∇ₓy = A ∇ᵤy where A = ∂u/∂x in denominator layout (A_ij = ∂u_j/∂x_i), as the seed
    defines it. The seed's example then writes A in numerator layout; the two agree only because this A
    is symmetric (see docs/errata.md).
    """,
)
def d2l_chain_vector(x):
    return 4 * x
