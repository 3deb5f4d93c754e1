r"""The one place that knows layouts: JAX's convention inside, numerator and denominator outside.

Inside the package every derivative is what ``jax.jacobian(f, argnums=wrt)`` returns: the output's
axes, then the variable's axes. A derivative of an output with ``p`` axes by a variable with ``q`` axes
is an array with ``p + q`` axes. The two textbook layouts rearrange that array:

======================  ===========  ====================  ======================
derivative              JAX array    numerator layout      denominator layout
======================  ===========  ====================  ======================
scalar by scalar        ()           scalar                scalar
scalar by vector (n)    (n,)         1×n row               n×1 column
scalar by matrix (p×q)  (p, q)       q×p (shape of Xᵀ)     p×q (shape of X)
vector (m) by scalar    (m,)         m×1 column            1×m row
vector (m) by vector    (m, n)       m×n (the Jacobian)    n×m (its transpose)
matrix (p×q) by scalar  (p, q)       p×q                   q×p
tensors (3-, 4-index)   out + in     out axes, in axes     in axes, out axes
======================  ===========  ====================  ======================

Numerator layout (seed 001 / MML: ``d(Ax)/dx = A``, gradients are rows) keeps the output's indices
first; denominator layout (seed 002 / D2L: ``∇ₓ(Ax) = Aᵀ``, gradients are columns) puts the variable's
indices first. For scalar-by-matrix derivatives the numerator layout is the transpose of the matrix
(Wikipedia's convention); the denominator layout has the matrix's own shape, which is also JAX's.
For 3- and 4-index tensors the layouts differ only in which group of axes comes first; no axis within
a group is reversed. See ``docs/layouts.md`` for the worked examples.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

Layout = Literal["jax", "numerator", "denominator"]
LAYOUTS: tuple[str, ...] = ("jax", "numerator", "denominator")


def _check_layout(layout: str) -> None:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: use one of {', '.join(LAYOUTS)}")


def _xp(a: Any) -> Any:
    """The array namespace of ``a`` (numpy for numpy arrays, jax.numpy otherwise)."""
    if isinstance(a, np.ndarray | np.generic | float | int):
        return np
    import jax.numpy as jnp

    return jnp


def from_jax(d: Any, ndims: tuple[int, int], layout: str) -> Any:
    """Rearrange a JAX-convention derivative with ``ndims = (output ndim, variable ndim)`` into ``layout``."""
    _check_layout(layout)
    p, q = ndims
    if d.ndim != p + q:
        raise ValueError(f"derivative has {d.ndim} axes, expected {p} + {q}")
    if layout == "jax":
        return d
    xp = _xp(d)
    num = layout == "numerator"
    if p == 0 and q == 0:
        return d
    if p == 0 and q == 1:
        return d.reshape(1, -1) if num else d.reshape(-1, 1)
    if p == 0 and q == 2:
        return d.T if num else d
    if p == 1 and q == 0:
        return d.reshape(-1, 1) if num else d.reshape(1, -1)
    if p + q == 2:  # vector by vector, matrix by scalar
        return d if num else d.T
    # tensors: numerator keeps (out, in); denominator moves the variable's axes first
    if num:
        return d
    return xp.moveaxis(d, tuple(range(p, p + q)), tuple(range(q)))


def to_jax(d: Any, ndims: tuple[int, int], layout: str) -> Any:
    """Inverse of :func:`from_jax`: a derivative given in ``layout`` back into JAX's convention."""
    _check_layout(layout)
    p, q = ndims
    if layout == "jax":
        return d
    xp = _xp(d)
    num = layout == "numerator"
    if p == 0 and q == 0:
        return d.reshape(()) if hasattr(d, "reshape") else d
    if p == 0 and q == 1:
        return d.reshape(-1)
    if p == 0 and q == 2:
        return d.T if num else d
    if p == 1 and q == 0:
        return d.reshape(-1)
    if p + q == 2:
        return d if num else d.T
    if num:
        return d
    return xp.moveaxis(d, tuple(range(q)), tuple(range(p, p + q)))


def layout_shape(out_shape: tuple[int, ...], wrt_shape: tuple[int, ...], layout: str) -> tuple[int, ...]:
    """The shape a derivative has in ``layout``, for messages ("the numerator layout expects 1×4")."""
    dummy = np.zeros(tuple(out_shape) + tuple(wrt_shape))
    return tuple(from_jax(dummy, (len(out_shape), len(wrt_shape)), layout).shape)


# Complex conventions live in their own module (the Wirtinger pair and its eight readings) and are
# re-exported here, so that layouts and conventions are found in one place.
from .wirtinger import (  # noqa: E402
    COMPLEX_CONVENTIONS,
    ComplexConvention,
    ConventionError,
    Wirtinger,
    convert,
    from_convention,
    to_convention,
)

__all__ = [
    "COMPLEX_CONVENTIONS",
    "LAYOUTS",
    "ComplexConvention",
    "ConventionError",
    "Layout",
    "Wirtinger",
    "convert",
    "from_convention",
    "from_jax",
    "layout_shape",
    "to_convention",
    "to_jax",
]
