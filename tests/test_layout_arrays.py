"""layout.from_jax / to_jax take NumPy and JAX arrays alike and round-trip every rank combination
(found by the mutation pass of issue 18: to_jax's reshape(-1) changed to reshape(-2), which NumPy accepts
and JAX refuses, passed the suite, since every test converted NumPy arrays only)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from identities.layout import from_jax, to_jax

# (output shape, variable shape): every case of layout.py's table
CASES = [((), ()), ((), (4,)), ((), (2, 3)), ((5,), ()), ((5,), (4,)), ((2, 3), ()), ((5,), (2, 3)), ((2, 3), (4, 5))]


@pytest.mark.parametrize("xp", [np, jnp], ids=["numpy", "jax"])
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize(("out", "var"), CASES, ids=str)
def test_round_trip(xp, layout, out, var):
    d = np.arange(1.0, 1.0 + int(np.prod(out + var))).reshape(out + var)
    ndims = (len(out), len(var))
    there = from_jax(xp.asarray(d), ndims, layout)
    back = to_jax(there, ndims, layout)
    np.testing.assert_array_equal(np.asarray(back), d)
    np.testing.assert_array_equal(np.asarray(from_jax(d, ndims, layout)), np.asarray(there))
