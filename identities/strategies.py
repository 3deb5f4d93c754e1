"""Hypothesis strategies that build valid inputs from declared shapes and structures (public API).

Values are drawn freely; shapes come from a small pool (JAX compiles once per shape). Structures build
members from unconstrained draws (symmetric, SPD, invertible, orthogonal, ...), so nothing is filtered.

Example, testing your own gradient of ``f(X) = log det X`` on SPD inputs::

    from hypothesis import given
    from identities import strategies as st

    @given(st.structured(st.SPD, (4, 4)))
    def test_my_logdet_grad(X):
        assert np.allclose(my_grad(X), np.linalg.inv(X))
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ._core import Identity
from ._structures import (
    ANY,
    DIAGONAL,
    FULL_COLUMN_RANK,
    INTEGER,
    INVERTIBLE,
    NONZERO,
    ONEHOT,
    ORTHOGONAL,
    POSITIVE,
    SPD,
    SYMMETRIC,
    Structure,
    away_from,
)

__all__ = [
    "ANY",
    "DIAGONAL",
    "FULL_COLUMN_RANK",
    "INTEGER",
    "INVERTIBLE",
    "NONZERO",
    "ONEHOT",
    "ORTHOGONAL",
    "POSITIVE",
    "SPD",
    "SYMMETRIC",
    "away_from",
    "extra_for",
    "inputs",
    "raw_arrays",
    "raw_complex_arrays",
    "structured",
]

_ELEMENTS = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=64)


def raw_arrays(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """Unconstrained float64 arrays with entries in [-2, 2]."""
    return hnp.arrays(np.float64, shape, elements=_ELEMENTS)


def raw_complex_arrays(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """Unconstrained complex128 arrays x + iy with x and y drawn as :func:`raw_arrays`."""
    return st.tuples(raw_arrays(shape), raw_arrays(shape)).map(lambda p: p[0] + 1j * p[1])


def structured(structure: Structure, shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """Members of ``structure`` with the given shape, built from unconstrained draws."""
    msg = structure.check_shape(shape)
    if msg:
        raise ValueError(f"{structure.name}: {msg}")
    return raw_arrays(shape).map(structure.build)


def inputs(ident: Identity, sizes: Mapping[str, int] | None = None) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """Valid inputs for ``ident`` (a dict by argument name); sizes default to its first size assignment."""
    sizes = dict(sizes) if sizes is not None else ident.size_assignments()[0]
    return _inputs(ident, tuple(sorted(sizes.items())))


@functools.cache
def _inputs(ident: Identity, sizes: tuple[tuple[str, int], ...]) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """:func:`inputs`, built once per identity and sizes: hypothesis validates a strategy object on its first
    draw (2 s of test_catalog's run when each example built its own)."""
    from .verify import build_inputs

    shapes = ident.arg_shapes(dict(sizes))
    raw = st.fixed_dictionaries(
        {a: (raw_complex_arrays if a in ident.dtypes else raw_arrays)(shapes[a]) for a in ident.argnames}
    )
    return raw.map(lambda r: build_inputs(ident, r))


def extra_for(ident: Identity, sizes: Mapping[str, int]) -> st.SearchStrategy[np.ndarray | None]:
    """The tangent (jvp kind) or cotangent (vjp kind) argument; ``None`` for other kinds."""
    return _extra_for(ident, tuple(sorted(sizes.items())))


@functools.cache
def _extra_for(ident: Identity, sizes: tuple[tuple[str, int], ...]) -> st.SearchStrategy[np.ndarray | None]:
    from .verify import extra_shape

    shape = extra_shape(ident, dict(sizes))
    if shape is None:
        return st.none()
    if ident.kind == "jvp":
        return raw_arrays(shape).map(ident.structure(ident.wrt).tangent)
    return raw_arrays(shape)
