"""The vector 1- and ∞-norms and the normalisation x/‖x‖₂, with their non-differentiable points.

A norm is never differentiable at 0: its subdifferential there is the unit ball of the dual norm (for
‖·‖₁ the ∞-ball, for ‖·‖∞ the 1-ball). Away from 0, ‖x‖₁ needs every entry nonzero and ‖x‖∞ a unique
largest |entry|; these are the declared preconditions, and the points themselves are charted as
special points (docs/special-cases.md).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._core import Source, SpecialPoint, Tex, identity, seed
from .._structures import NONZERO, Structure, away_from


def clarke83(loc: str, note: str = "") -> Source:
    return Source("Clarke83", loc, "1983", note)


# --- a unique largest |entry| (where ‖x‖∞ is differentiable) ------------------------------------------------
def _build_unique_max(v: np.ndarray) -> np.ndarray:
    out = np.array(v, dtype=float, copy=True)
    k = int(np.argmax(np.abs(out)))
    s = 1.0 if out.flat[k] >= 0 else -1.0
    out.flat[k] = s * (float(np.max(np.abs(out))) + 1.0)  # ahead of the rest by at least 1
    return out


def _unique_max_violation(v: np.ndarray, tol: float) -> str | None:
    a = np.sort(np.abs(np.ravel(v)))[::-1]
    if a.size == 0 or a[0] == 0:
        return "is zero (max |entry| = 0); the derivative does not exist there"
    if a.size > 1 and a[0] - a[1] <= tol * a[0]:
        return f"has a tie for the largest |entry|: {a[0]:.6g} and {a[1]:.6g}; the derivative does not exist there"
    return None


def _unique_max_counterexample(v: np.ndarray) -> np.ndarray:
    out = np.array(v, dtype=float, copy=True)
    if out.size < 2:
        return np.zeros_like(out)
    k = int(np.argmax(np.abs(out)))
    out.flat[(k + 1) % out.size] = -out.flat[k]
    return out


UNIQUE_MAX_ABS = Structure(
    "unique max |entry|",
    "must have a unique largest |entry|",
    _build_unique_max,
    _unique_max_violation,
    counterexample=_unique_max_counterexample,
)


def _ball(dual_norm: float):
    def valid(g: np.ndarray) -> bool:
        return bool(np.linalg.norm(np.ravel(g), dual_norm) <= 1 + 1e-12)

    return valid


@identity(
    f=lambda x: jnp.linalg.norm(x, 1),
    find="norm1(x)",
    wrt="x",
    shapes={"x": "n"},
    requires={"x": away_from(0.0)},
    tex=Tex(f=r"\|x\|_1", num=r"\operatorname{sign}(x)^\top", den=r"\operatorname{sign}(x)"),
    sources=[clarke83("section 2.5: the subdifferential of a convex function; ‖·‖₁ at 0 is the ∞-ball")],
    aliases=("l1 norm", "d||x||_1/dx"),
    notes="""
    Differentiable where every entry is nonzero. At a zero entry the subdifferential leaves that entry
    free in [−1, 1]; at x = 0 it is the ∞-norm unit ball. jnp.linalg.norm(x, 1) differentiates |xᵢ| as
    +1 at 0, a valid subgradient (but not the minimum-norm one, 0, that proximal methods want).
    """,
    special=[
        SpecialPoint(
            "x = 0",
            {"x": [0.0, 0.0, 0.0]},
            "not differentiable; the subdifferential is the ∞-norm unit ball {g : maxᵢ |gᵢ| ≤ 1}",
            valid=_ball(np.inf),
            jax_verdict="valid",
            notes="JAX returns (1, …, 1), a corner of the ball.",
        )
    ],
)
def l1(x):
    return jnp.sign(x)


def _argmax_abs(x, block=2048):
    """argmaxᵢ |xᵢ| (the first at a tie), as jnp.argmax(jnp.abs(x)) in two stages for a long x.

    XLA lowers argmax to a reduction over (value, index) pairs, which on CPU runs at about half the speed
    of a plain max. So the maxima of blocks of ``block`` entries come from a max reduction, argmax picks
    the first block holding the largest, and argmax within that block (and over the tail of n mod block
    entries, which wins only if strictly larger) gives the index.
    """
    a = jnp.abs(x)
    n = x.shape[0]
    rows = n // block
    if rows < 2:
        return jnp.argmax(a)
    head = rows * block
    r = jnp.argmax(jnp.max(a[:head].reshape(rows, block), axis=1))
    k = r * block + jnp.argmax(jax.lax.dynamic_slice(a, (r * block,), (block,)))
    if head == n:
        return k
    t = head + jnp.argmax(a[head:])
    return jnp.where(a[t] > a[k], t, k)


@identity(
    f=lambda x: jnp.linalg.norm(x, jnp.inf),
    find="norminf(x)",
    wrt="x",
    shapes={"x": "n"},
    requires={"x": UNIQUE_MAX_ABS},
    tex=Tex(
        f=r"\|x\|_\infty",
        num=r"\operatorname{sign}(x_k)\, e_k^\top,\ k = \arg\max_i |x_i|",
        den=r"\operatorname{sign}(x_k)\, e_k,\ k = \arg\max_i |x_i|",
    ),
    sources=[clarke83("section 2.3: the generalized gradient of a pointwise maximum")],
    aliases=("linf norm", "max norm"),
    notes="""
    Differentiable where one entry has the largest |xᵢ| (and x ≠ 0). At a tie the subdifferential is the
    convex hull of sign(x_k) e_k over the tied k; at x = 0 it is the 1-norm unit ball. JAX's max splits
    ties evenly, which lands inside the hull (measured in docs/special-cases.md).
    """,
    special=[
        SpecialPoint(
            "x = 0",
            {"x": [0.0, 0.0, 0.0]},
            "not differentiable; the subdifferential is the 1-norm unit ball {g : Σᵢ |gᵢ| ≤ 1}",
            valid=_ball(1),
            jax_verdict="valid",
            notes="JAX returns 1/6 on each entry (Σ|gᵢ| = 1/2), inside the ball; jnp.max(jnp.abs(x)) gives 1/3 each.",
        )
    ],
)
def linf(x):
    k = _argmax_abs(x)
    # sign(x_k) e_k as a zero fill and one store: a where over the iota compared with k made a second
    # full pass that read x again
    return jnp.zeros_like(x).at[k].set(jnp.sign(x[k]))


def _normalize_jacobian(x):
    # rescaled: x/max|x| keeps ‖·‖ away from under- and overflow at 1e-150 and 1e150
    m = jnp.max(jnp.abs(x))
    y = x / m
    ny = jnp.linalg.norm(y)
    u = y / ny
    return (jnp.eye(x.shape[0], dtype=x.dtype) - jnp.outer(u, u)) / (m * ny)


@identity(
    f=lambda x: x / jnp.linalg.norm(x),
    find="x / norm(x)",
    wrt="x",
    shapes={"x": "n"},
    requires={"x": NONZERO},
    tex=Tex(
        f=r"\frac{x}{\|x\|_2}",
        num=r"\frac{1}{\|x\|_2}\left(I - \frac{x x^\top}{\|x\|_2^2}\right)",
        den=r"\frac{1}{\|x\|_2}\left(I - \frac{x x^\top}{\|x\|_2^2}\right)",
    ),
    sources=[seed("000", "Problem 3: the derivative of x/‖x‖₂, the Hessian of the norm")],
    aliases=("normalize", "d(x/||x||)/dx"),
    notes="""
    The Jacobian of the unit vector u = x/‖x‖₂ is the projector onto x's orthogonal complement divided
    by ‖x‖₂. Spelled with x rescaled by max|xᵢ| so that it stays accurate at ‖x‖ ~ 1e-150 and 1e150,
    where ‖x‖² under- or overflows (x/‖x‖ written through jnp.linalg.norm stays accurate; its Jacobian
    written as (I − xxᵀ/‖x‖²)/‖x‖ would not: tests/test_robustness.py).
    """,
    special=[
        SpecialPoint(
            "x = 0",
            {"x": [0.0, 0.0, 0.0]},
            "not continuous at 0 (x/‖x‖₂ has no limit there): no derivative, and ‖J‖ = 1/‖x‖₂ is unbounded nearby",
            jax_verdict="nan",
            notes="0/0 in the primal and in the derivative: JAX returns NaN.",
        )
    ],
)
def normalize(x):
    return _normalize_jacobian(x)
