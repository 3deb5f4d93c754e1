"""The L2 norm at 0 and functions written through it: the mathematics, and what JAX returns (seed 000).

‖x‖₂ is not differentiable at 0; its subdifferential there is the closed unit ball. ‖x‖₂² is
differentiable at 0 with gradient 0, but written through the norm its JAX gradient is NaN.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import identities


def test_l2_norm_at_zero_is_refused_by_the_closed_form():
    import pytest

    with pytest.raises(identities.PreconditionError, match="is zero"):
        identities.get("norms.l2").closed_form(np.zeros(4))


def test_jax_grad_of_norm_at_zero_is_nan_not_a_subgradient():
    g = np.asarray(jax.grad(jnp.linalg.norm)(jnp.zeros(3)))
    assert np.all(np.isnan(g)), f"JAX changed its answer at 0: {g}"  # documented in docs/special-cases


def test_subdifferential_at_zero_is_the_unit_ball():
    """g is a subgradient at 0 iff ‖y‖ ≥ ⟨g, y⟩ for all y, i.e. iff ‖g‖ ≤ 1: check both directions."""
    rng = np.random.default_rng(0)
    ys = rng.normal(size=(2000, 3))
    for g in (np.zeros(3), np.array([0.6, 0.8, 0.0]), rng.normal(size=3) / 10):
        assert np.all(np.linalg.norm(ys, axis=1) >= ys @ g - 1e-12)
    g_out = np.array([0.9, 0.9, 0.0])  # ‖g‖ > 1: violated along y = g
    assert np.linalg.norm(g_out) < g_out @ g_out


def test_norm_squared_through_the_norm_at_zero():
    ident = identities.get("norms.l2_squared")
    x0 = jnp.zeros(3)
    assert np.all(np.isnan(np.asarray(jax.grad(ident.f)(x0))))  # JAX: NaN
    np.testing.assert_array_equal(ident.closed_form(np.zeros(3)), 0)  # the closed form: 0, the true gradient
    h = 1e-4  # finite differences agree with the closed form (the function is smooth at 0)
    fd = [(ident.f(x0.at[i].set(h)) - ident.f(x0.at[i].set(-h))) / (2 * h) for i in range(3)]
    np.testing.assert_allclose(fd, 0, atol=1e-12)
    # written as a dot product, JAX gets it right
    np.testing.assert_array_equal(np.asarray(jax.grad(identities.get("vector.xTx").f)(x0)), 0)


def test_l2_gradient_near_zero_stays_unit():
    for s in (1e-150, 1e-8, 1.0, 1e150):
        x = np.array([3.0, 4.0]) * s
        np.testing.assert_allclose(identities.get("norms.l2").closed_form(x), [0.6, 0.8], rtol=1e-15)


def _special_cases():
    return [(i, sp) for i in identities.catalog() for sp in i.special]


def test_special_points_are_charted():
    assert {i.id for i, _ in _special_cases()} >= {"norms.l2", "norms.l2_squared"}


def test_special_point_records_judge_candidates():
    l2 = identities.get("norms.l2").special[0]
    assert l2.is_valid(np.zeros(3)) and l2.is_valid([0.6, 0.8, 0.0])
    assert not l2.is_valid([0.9, 0.9, 0.0]) and not l2.is_valid([np.nan] * 3)
    sq = identities.get("norms.l2_squared").special[0]
    assert sq.is_valid(np.zeros(3)) and not sq.is_valid([np.nan] * 3)
