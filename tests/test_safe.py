"""The safe norm: gradient 0 at 0 (the minimum-norm subgradient), the exact gradient and Hessian elsewhere,
and a Hessian at 0 that is the documented convention (the zero matrix); accurate at 1e±170."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities.safe import safe_norm, safe_normalize

U = np.array([3.0, 4.0, 0.0]) / 5


PROJ = np.eye(3) - np.outer(U, U)  # r × the Hessian of the norm at x = rU


def test_gradient_at_zero_is_the_minimum_norm_subgradient():
    g = np.asarray(jax.grad(safe_norm)(jnp.zeros(3)))
    np.testing.assert_array_equal(g, 0.0)
    assert identities.get("norms.l2").special[0].is_valid(g)  # a member of the unit ball, its centre
    np.testing.assert_array_equal(np.asarray(jax.jacfwd(safe_norm)(jnp.zeros(3))), 0.0)
    assert float(safe_norm(jnp.zeros(3))) == 0.0


def test_hessian_at_zero_is_the_zero_matrix_by_convention():
    """The norm has no Hessian at 0 (it is unbounded nearby); safe_norm returns 0 there, as documented."""
    H = np.asarray(jax.hessian(safe_norm)(jnp.zeros(3)))
    np.testing.assert_array_equal(H, np.zeros((3, 3)))
    assert "zero matrix" in safe_norm.__doc__ + identities.safe.__doc__


@pytest.mark.parametrize("r", [1e-170, 1e-150, 1e-8, 1.0, 1e150, 1e170])
def test_value_gradient_and_hessian_near_and_far_from_zero(r):
    x = U * r
    assert float(safe_norm(jnp.asarray(x))) == pytest.approx(r, rel=1e-15)
    np.testing.assert_allclose(np.asarray(jax.grad(safe_norm)(jnp.asarray(x))), U, rtol=1e-15, atol=1e-16)
    if r <= 1e150:  # the Hessian entries are ~1/r, finite down to 1e-170 (≈ 1e170 < float max)
        H = np.asarray(jax.hessian(safe_norm)(jnp.asarray(x)))
        np.testing.assert_allclose(H * r, PROJ, rtol=1e-12, atol=1e-14)


def test_gradient_matches_the_closed_form_on_random_points():
    rng = np.random.default_rng(0)
    ident = identities.get("norms.l2")
    for _ in range(5):
        x = rng.standard_normal(4)
        np.testing.assert_allclose(np.asarray(jax.grad(safe_norm)(jnp.asarray(x))), ident.closed_form(x), rtol=1e-14)


def test_safe_normalize():
    np.testing.assert_array_equal(np.asarray(safe_normalize(jnp.zeros(3))), 0.0)
    np.testing.assert_array_equal(np.asarray(jax.jacrev(safe_normalize)(jnp.zeros(3))), 0.0)
    x = U * 1e-170
    np.testing.assert_allclose(np.asarray(safe_normalize(jnp.asarray(x))), U, rtol=1e-15)
    J = np.asarray(jax.jacfwd(safe_normalize)(jnp.asarray(U * 2.0)))
    np.testing.assert_allclose(J, identities.get("vecnorms.normalize").closed_form(U * 2.0), rtol=1e-14, atol=1e-15)


def test_squared_safe_norm_has_the_right_gradient_but_not_the_right_hessian_at_zero():
    """Documented caveat: (safe_norm)² differentiates to 0 at 0 (right) but its Hessian there is 0, not 2I."""
    sq = lambda x: safe_norm(x) ** 2
    np.testing.assert_array_equal(np.asarray(jax.grad(sq)(jnp.zeros(3))), 0.0)
    np.testing.assert_array_equal(np.asarray(jax.hessian(sq)(jnp.zeros(3))), 0.0)
    np.testing.assert_allclose(np.asarray(jax.hessian(sq)(jnp.asarray(U))), 2 * np.eye(3), atol=1e-14)
    assert "x·x" in identities.safe.__doc__
