"""identities.check on an f that JAX cannot trace: the reference is central differences, laid out like
jax.jacobian for every output and variable rank (found by the mutation pass of issue 18: only scalar
outputs were exercised, so a wrong reshape of vector outputs passed the suite)."""

from __future__ import annotations

import numpy as np
import pytest

import identities

RNG = np.random.default_rng(1801)
A = RNG.normal(size=(4, 3))
X = RNG.normal(size=(3, 2))


def _np(a):
    return np.asarray(a, dtype=np.float64)


def test_vector_output_by_vector():
    x = RNG.normal(size=3)
    r = identities.check(lambda x: np.tanh(A @ _np(x)), lambda x: (1 - np.tanh(A @ x) ** 2)[:, None] * A, x)
    assert r.ok and "central differences" in r.reference and r.expected_shape == (4, 3)
    bad = identities.check(lambda x: np.tanh(A @ _np(x)), lambda x: A, x)
    assert not bad.ok


def test_matrix_output_by_matrix():
    def f(X):
        return A @ _np(X)  # (4, 2), derivative (4, 2, 3, 2): d(AX)_ij / dX_kl = A_ik δ_jl

    want = np.einsum("ik,jl->ijkl", A, np.eye(2))
    r = identities.check(f, lambda X: want, X)
    assert r.ok and "central differences" in r.reference and r.expected_shape == (4, 2, 3, 2)
    assert not identities.check(f, lambda X: np.einsum("ik,jl->ijlk", A, np.eye(2)).reshape(want.shape), X).ok


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_layouts_apply_to_the_finite_difference_reference(layout):
    x = RNG.normal(size=3)
    jac = A  # d(Ax)/dx, JAX layout (4, 3)
    given = jac if layout == "numerator" else jac.T
    assert identities.check(lambda x: A @ _np(x), lambda x: given, x, layout=layout).ok


def test_a_user_atol_widens_the_finite_difference_tolerance():
    x = RNG.normal(size=3)

    def f(x):
        return float(_np(x) @ _np(x))

    off = lambda x: 2 * x + 1e-3  # 1e-3 off in every entry
    assert not identities.check(f, off, x).ok
    assert identities.check(f, off, x, atol=2e-3).ok
