"""Elementwise functions with a kink or an unbounded derivative: |x|, max(x, 0), √x.

Each is declared on a vector, with its (diagonal) Jacobian where it exists; the precondition keeps the
entries off the kink. The points where an entry sits on the kink are charted as special points: the set
of valid answers there is Clarke's generalized Jacobian, diagonal with the kinked entries free in an
interval (Clarke 1983, section 2.6). docs/special-cases.md shows what JAX returns at each.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .._core import Source, SpecialPoint, Tex, identity, seed
from .._structures import POSITIVE, away_from

NONZERO_ENTRIES = away_from(0.0)

# one entry on the kink, one positive, one negative
_KINKED = [0.0, 1.5, -2.0]


def clarke83(loc: str, note: str = "") -> Source:
    return Source("Clarke83", loc, "1983", note)


def _diagonal_with(lo: list[float], hi: list[float]):
    """Valid Jacobians: diagonal, entry i of the diagonal in [lo_i, hi_i]."""

    def valid(J: np.ndarray) -> bool:
        d = np.diagonal(J)
        off = J - np.diag(d)
        return bool(np.all(off == 0) and np.all(d >= np.asarray(lo) - 1e-12) and np.all(d <= np.asarray(hi) + 1e-12))

    return valid


@identity(
    f=lambda x: jnp.abs(x),
    find="abs(x)",
    wrt="x",
    shapes={"x": "n"},
    requires={"x": NONZERO_ENTRIES},
    tex=Tex(
        f=r"|x|", num=r"\operatorname{diag}(\operatorname{sign} x)", den=r"\operatorname{diag}(\operatorname{sign} x)"
    ),
    sources=[clarke83("section 2.6 (generalized Jacobian); |t| has generalized gradient [-1, 1] at 0")],
    aliases=("abs",),
    notes="""
    Elementwise absolute value. Differentiable where no entry is 0; at an entry x_i = 0 the generalized
    Jacobian leaves the i-th diagonal entry free in [−1, 1]. JAX's derivative of jnp.abs at 0 is +1
    (it takes the x ≥ 0 branch), a valid choice.
    """,
    special=[
        SpecialPoint(
            "x₁ = 0",
            {"x": _KINKED},
            "not differentiable; generalized Jacobian: diagonal, entry 1 in [−1, 1], the others sign(xᵢ)",
            valid=_diagonal_with([-1, 1, -1], [1, 1, -1]),
            jax_verdict="valid",
            notes="jax.jacrev(jnp.abs) puts +1 at the zero entry.",
        )
    ],
)
def abs(x):
    return jnp.diag(jnp.sign(x))


@identity(
    f=lambda x: jnp.maximum(x, 0.0),
    find="maximum(x, 0.0)",
    wrt="x",
    shapes={"x": "n"},
    requires={"x": NONZERO_ENTRIES},
    tex=Tex(
        f=r"\max(x, 0)",
        num=r"\operatorname{diag}(\mathbb{1}[x > 0])",
        den=r"\operatorname{diag}(\mathbb{1}[x > 0])",
    ),
    sources=[clarke83("section 2.6; max(t, 0) has generalized gradient [0, 1] at 0")],
    aliases=("relu", "max(x, 0)"),
    notes="""
    The rectifier (ReLU), elementwise. At an entry x_i = 0 the generalized Jacobian leaves the i-th
    diagonal entry free in [0, 1]. jnp.maximum(x, 0) splits the tie and returns 1/2 there; jax.nn.relu
    (a custom_jvp) returns 0. Both are valid.
    """,
    special=[
        SpecialPoint(
            "x₁ = 0",
            {"x": _KINKED},
            "not differentiable; generalized Jacobian: diagonal, entry 1 in [0, 1], the others 𝟙[xᵢ > 0]",
            valid=_diagonal_with([0, 1, 0], [1, 1, 0]),
            jax_verdict="valid",
            notes="jnp.maximum(x, 0) gives 1/2 at the tie; jax.nn.relu gives 0.",
        )
    ],
)
def relu(x):
    return jnp.diag((x > 0).astype(x.dtype))


@identity(
    f=lambda x: jnp.sqrt(x),
    find="sqrt(x)",
    wrt="x",
    shapes={"x": "n"},
    requires={"x": POSITIVE},
    tex=Tex(
        f=r"\sqrt{x}",
        num=r"\operatorname{diag}\left(\frac{1}{2\sqrt{x}}\right)",
        den=r"\operatorname{diag}\left(\frac{1}{2\sqrt{x}}\right)",
    ),
    sources=[seed("000", "derivative of L2 norm: d/du √u = (1/2) u^(−1/2) in the chain rule")],
    aliases=("sqrt",),
    notes="""
    Elementwise square root on x > 0. At an entry x_i = 0 (the boundary of the domain) the one-sided
    derivative is +∞: no finite number is a valid answer. JAX returns inf (and, in reverse mode, NaN
    where a zero cotangent meets it), which at least does not pass for a number.
    """,
    special=[
        SpecialPoint(
            "x₁ = 0",
            {"x": [0.0, 1.0, 4.0]},
            "not differentiable: the one-sided derivative of √t at t = 0 is +∞ (unbounded)",
            jax_verdict="nan",
            notes=(
                "jax.grad(jnp.sqrt)(0.) is +inf; jax.jacrev of the elementwise map also has NaN off the diagonal in"
                " column 1 (a zero cotangent times inf), jax.jacfwd only the inf."
            ),
        )
    ],
)
def sqrt(x):
    return jnp.diag(0.5 / jnp.sqrt(x))
