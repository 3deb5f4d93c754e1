"""The Euclidean and Frobenius norms: seed 000 (the L2-norm page), seed 002 Rule 2.

The L2 norm is not differentiable at 0; its subdifferential there is the closed unit ball. Identities
that need x ≠ 0 say so in ``requires``; the point itself is charted in docs/special-cases.md.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from .._core import Example, SpecialPoint, Tex, identity, mc, seed, wiki
from .._structures import NONZERO, nonzero_combination


def _itself(v):
    return v


# jitted, combine static (_itself, jnp.add or jnp.subtract): an eager call reuses the compiled cond (_decomp.sqrtm_db)
@functools.partial(jax.jit, static_argnums=0)
def _unit(combine, *args):
    """(v/‖v‖₂, ‖v‖₂) for v = combine(*args), combine linear (v itself, x + a, x − a), safe from under- and
    overflow: Σvᵢ² under- or overflows beyond about 1e±154 in float64, v/‖v‖₂ need not.

    One pass forms s = Σvᵢ². Where s is finite and at least tiny/eps² (2⁻⁹¹⁸ ≈ 4.5e-277 in float64), the
    terms that underflowed change it by under n·eps³ relative and none overflowed, so v/√s is exact to
    rounding: that branch makes the same two passes as autodiff (the sum, then the output). Otherwise
    (‖v‖ below about 6.7e-139, above 1.3e154, or v = 0, where 0/0 stays NaN) ``lax.cond`` runs the rescaled
    evaluation, ‖v‖₂ = m·‖v/m‖₂ with m = 2^e ≈ max|vᵢ|, which costs one more pass over the arguments (the
    max). It forms v/m as combine applied to the arguments scaled by 2⁻ᵉ (exact), so that XLA recomputes v
    in each pass rather than storing it (combine(*args)/m would keep a copy of x + a).
    """
    v = jnp.asarray(combine(*args))
    s = jnp.sum(v * v)
    fi = jnp.finfo(v.dtype)
    plain = jnp.isfinite(s) & (s >= fi.tiny / fi.eps**2)

    def direct(*args):
        n = jnp.sqrt(s)
        return combine(*args) / n, n

    def rescaled(*args):
        # scale by 2^e ≈ max|vᵢ| (frexp): a power of two scales each argument exactly, so combine of the
        # scaled arguments rounds as combine(*args) does, even where x + a cancels (x ≈ −a ≈ 1e-123)
        _, e = jnp.frexp(jnp.max(jnp.abs(combine(*args))))
        y = combine(*(jnp.ldexp(a, -e) for a in args))
        ny = jnp.sqrt(jnp.sum(y * y))
        return y / ny, jnp.ldexp(ny, e)

    return jax.lax.cond(plain, direct, rescaled, *args)


@identity(
    f=lambda x: jnp.linalg.norm(x),
    find="norm(x)",
    wrt="x",
    shapes={"x": "n"},
    requires={"x": NONZERO},
    tex=Tex(f=r"\|x\|_2", num=r"\frac{x^\top}{\|x\|_2}", den=r"\frac{x}{\|x\|_2}"),
    sources=[seed("000", "derivative of L2 norm formula"), seed("000", "Problem 1")],
    aliases=("d||x||/dx", "grad l2 norm"),
    notes="""
    Not differentiable at x = 0, where the subdifferential is the unit ball {g : ‖g‖₂ ≤ 1}. jax.grad of
    jnp.linalg.norm returns NaN there (tested in tests/test_special_points.py). The closed form forms
    Σxᵢ² and, where that sum under- or overflows (‖x‖₂ below about 1e-138 or above 1e154), rescales x by
    max|xᵢ| before taking the norm, so it stays exact there; jax.grad of jnp.linalg.norm returns NaN below
    and 0 above (docs/special-cases.md). The rescaling is a second branch of a lax.cond, so an x in the
    ordinary range costs the two passes autodiff makes (the sum, then x/‖x‖₂), not three.
    """,
    examples=[Example({"x": [3.0, 4.0]}, [0.6, 0.8], seed("000", "Problem 1: x = (3, 4) gives (3/5, 4/5)"))],
    special=[
        SpecialPoint(
            "x = 0",
            {"x": [0.0, 0.0, 0.0]},
            "not differentiable; the subdifferential is the closed unit ball {g : ‖g‖₂ ≤ 1}",
            valid=lambda g: float(np.linalg.norm(g)) <= 1 + 1e-12,
            jax_verdict="nan",
            notes="jnp.linalg.norm's derivative is x/‖x‖: 0/0 at x = 0.",
            safe="identities.safe.safe_norm (gradient 0, the minimum-norm subgradient)",
        ),
        SpecialPoint(
            "x = (3, 4, 0)·1e-170",
            {"x": [3e-170, 4e-170, 0.0]},
            "differentiable, gradient (0.6, 0.8, 0); Σxᵢ² underflows to 0 in float64",
            value=[0.6, 0.8, 0.0],
            jax_verdict="nan",
            notes="jnp.linalg.norm does not rescale: ‖x‖ evaluates to 0 and its derivative to x/0.",
            safe="identities.safe.safe_norm (rescaled)",
        ),
        SpecialPoint(
            "x = (3, 4, 0)·1e170",
            {"x": [3e170, 4e170, 0.0]},
            "differentiable, gradient (0.6, 0.8, 0); Σxᵢ² overflows to inf in float64",
            value=[0.6, 0.8, 0.0],
            jax_verdict="invalid",
            notes="‖x‖ evaluates to inf and the derivative x/inf to 0: a finite wrong number.",
            safe="identities.safe.safe_norm (rescaled)",
        ),
    ],
)
def l2(x):
    return _unit(_itself, x)[0]


@identity(
    f=lambda x, a: jnp.linalg.norm(x + a),
    find="norm(x + a)",
    wrt="x",
    shapes={"x": "n", "a": "n"},
    joint=[nonzero_combination("x + a", lambda x, a: x + a, ("x", "a"), fix="x")],
    tex=Tex(f=r"\|x + a\|_2", num=r"\frac{(x + a)^\top}{\|x + a\|_2}", den=r"\frac{x + a}{\|x + a\|_2}"),
    sources=[seed("000", "Problem 5")],
    notes="Requires x + a ≠ 0.",
    special=[
        SpecialPoint(
            "x = −a",
            {"x": [-1.0, 2.0, 0.5], "a": [1.0, -2.0, -0.5]},
            "not differentiable; the subdifferential is the closed unit ball {g : ‖g‖₂ ≤ 1}",
            valid=lambda g: float(np.linalg.norm(g)) <= 1 + 1e-12,
            jax_verdict="nan",
            notes="The norm's 0/0 at the shifted point.",
            safe="identities.safe.safe_norm(x + a)",
        )
    ],
)
def l2_shifted(x, a):
    return _unit(jnp.add, x, a)[0]


@identity(
    f=lambda x, a: jnp.linalg.norm(x - a),
    find="norm(x - a)",
    wrt="x",
    shapes={"x": "n", "a": "n"},
    joint=[nonzero_combination("x - a", lambda x, a: x - a, ("x", "a"), fix="x")],
    tex=Tex(f=r"\|x - a\|_2", num=r"\frac{(x - a)^\top}{\|x - a\|_2}", den=r"\frac{x - a}{\|x - a\|_2}"),
    sources=[mc(129), wiki("scalar-by-vector: ∂‖x − a‖/∂x")],
    notes="Requires x ≠ a.",
    special=[
        SpecialPoint(
            "x = a",
            {"x": [1.0, -2.0, 0.5], "a": [1.0, -2.0, 0.5]},
            "not differentiable; the subdifferential is the closed unit ball {g : ‖g‖₂ ≤ 1}",
            valid=lambda g: float(np.linalg.norm(g)) <= 1 + 1e-12,
            jax_verdict="nan",
            notes="The norm's 0/0 at x − a = 0.",
            safe="identities.safe.safe_norm(x - a)",
        )
    ],
)
def l2_distance(x, a):
    return _unit(jnp.subtract, x, a)[0]


@identity(
    f=lambda x: jnp.linalg.norm(x) ** 2,
    find="norm(x) ** 2",
    wrt="x",
    shapes={"x": "n"},
    autodiff_requires={"x": NONZERO},
    special=[
        SpecialPoint(
            "x = 0",
            {"x": [0.0, 0.0, 0.0]},
            "differentiable, gradient 0; written through the norm, autodiff meets 0/0",
            value=[0.0, 0.0, 0.0],
            jax_verdict="nan",
            notes="The chain rule through the norm multiplies 2‖x‖ = 0 by x/‖x‖ = NaN; write x·x instead.",
            safe="vector.xTx (x·x), or identities.safe.safe_norm(x) ** 2",
        )
    ],
    tex=Tex(f=r"\|x\|_2^2", num=r"2x^\top", den="2x"),
    sources=[seed("000", "Problem 4"), seed("002", "2.4.3 Rule 2: ∇‖x‖² = 2x"), mc(131)],
    aliases=("d||x||^2/dx",),
    notes="""
    Differentiable everywhere, with gradient 0 at x = 0. Written through the norm, as here (and as the
    seed writes it), jax.grad returns NaN at x = 0 although the closed form 2x is valid there; writing
    it as x·x avoids that (see vector.xTx and docs/special-cases.md).
    """,
)
def l2_squared(x):
    return 2 * x


@identity(
    f=lambda x: jnp.linalg.norm(x),
    find="norm(x)",
    wrt="x",
    kind="hessian",
    shapes={"x": "n"},
    requires={"x": NONZERO},
    tex=Tex(
        f=r"\|x\|_2",
        num=r"\frac{1}{\|x\|_2}\left(I - \frac{x x^\top}{\|x\|_2^2}\right)",
        den=r"\frac{1}{\|x\|_2}\left(I - \frac{x x^\top}{\|x\|_2^2}\right)",
    ),
    sources=[seed("000", "Problem 3 (left open by the seed)")],
    aliases=("hessian l2 norm",),
    special=[
        SpecialPoint(
            "x = 0",
            {"x": [0.0, 0.0, 0.0]},
            "the norm is not differentiable at 0, and its Hessian (I − uuᵀ)/‖x‖₂ is unbounded as x → 0",
            jax_verdict="nan",
            notes="identities.safe.safe_norm returns the zero matrix here, a convention (see its docstring).",
        )
    ],
    notes="""
    The Hessian is symmetric, so both layouts agree. It is positive semidefinite with the null vector x
    (the norm is linear along rays) and unbounded as x → 0.
    """,
    examples=[
        Example(
            {"x": [3.0, 4.0]},
            [[16 / 125, -12 / 125], [-12 / 125, 9 / 125]],
            seed("000", "Problem 3 at x = (3, 4)"),
            note="(I − xxᵀ/25)/5",
        )
    ],
)
def l2_hessian(x):
    u, n = _unit(_itself, x)
    return (jnp.eye(x.shape[0], dtype=x.dtype) - jnp.outer(u, u)) / n


@identity(
    f=lambda t: jnp.linalg.norm(jnp.stack([jnp.ones_like(t), 2 * t])),
    find="sqrt(1 + 4 * t ** 2)",
    wrt="t",
    shapes={"t": ""},
    tex=Tex(
        f=r"\|p'(t)\|_2,\ p(t) = (t, t^2)",
        num=r"\frac{4t}{\sqrt{1 + 4t^2}}",
        den=r"\frac{4t}{\sqrt{1 + 4t^2}}",
        wrt="t",
    ),
    sources=[seed("000", "Problem 2 (the drone)")],
    aliases=("drone",),
    notes="""
    Erratum: the seed computes d/dt √(1 + 4t²) as (1 + 4t²)^(−1/2) · 8t, dropping the ½ of the square
    root's derivative, and reports 8/√5 at t = 1; the derivative is 4t/√(1 + 4t²) = 4/√5 ≈ 1.78885.
    """,
    examples=[
        Example(
            {"t": 1.0},
            4 / math.sqrt(5),
            seed("000", "Problem 2: derivative of the speed at t = 1"),
            claimed=8 / math.sqrt(5),
        )
    ],
)
def drone_speed(t):
    return 4 * t / jnp.sqrt(1 + 4 * t**2)


@identity(
    f=lambda X: jnp.sum(X * X),
    find="sum(X * X)",
    wrt="X",
    shapes={"X": "m n"},
    tex=Tex(f=r"\|X\|_F^2", num=r"2X^\top", den="2X"),
    sources=[seed("002", "2.4.3 ∇_X‖X‖²_F = 2X"), mc(132)],
    aliases=("d||X||_F^2/dX", "frobenius"),
    notes="""
    ‖X‖²_F = tr(XᵀX) = Σ X_ij². Seed 002 writes ‖X‖²_F = XᵀX (a matrix, not a scalar) and applies the
    vector rule to it; the result 2X is right, the derivation is not (docs/errata.md).
    """,
)
def frobenius_squared(X):
    return 2 * X


@identity(
    f=lambda x, a: (x - a) / jnp.linalg.norm(x - a),
    find="(x - a) / norm(x - a)",
    wrt="x",
    shapes={"x": "n", "a": "n"},
    joint=[nonzero_combination("x - a", lambda x, a: x - a, ("x", "a"), fix="x")],
    tex=Tex(
        f=r"\frac{x - a}{\|x - a\|_2}",
        num=r"\frac{I}{\|x - a\|_2} - \frac{(x - a)(x - a)^\top}{\|x - a\|_2^3}",
        den=r"\frac{I}{\|x - a\|_2} - \frac{(x - a)(x - a)^\top}{\|x - a\|_2^3}",
    ),
    sources=[mc(130)],
    notes="""
    The Jacobian of the unit vector from a towards x: symmetric, so both layouts agree; it is the Hessian of
    ‖x − a‖₂ (compare norms.l2_hessian at a = 0). Requires x ≠ a.
    """,
)
def unit_direction(x, a):
    d = x - a
    n = jnp.linalg.norm(d)
    u = d / n
    return (jnp.eye(d.shape[0], dtype=d.dtype) - jnp.outer(u, u)) / n
