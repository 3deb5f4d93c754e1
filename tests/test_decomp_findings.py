"""Facts about the frameworks that the decomposition families (svd, polar, eigfuncs, sqrtm) rely on, measured.

JAX's own matrix square root cannot be differentiated (it goes through the Schur decomposition, which has no
differentiation rule: jax-ml/jax#16579, #38831); the sqrtm family writes f through Denman–Beavers instead.
If JAX gains a rule, this test fails and the family's notes must change.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np
import pytest

import identities


def test_jax_scipy_sqrtm_has_no_derivative():
    A = jnp.array([[4.0, 1.0], [0.5, 3.0]])
    with pytest.raises(NotImplementedError, match="schur"):
        jax.jvp(jsl.sqrtm, (A,), (jnp.eye(2),))


def test_denman_beavers_square_root_matches_scipy():
    scipy_linalg = pytest.importorskip("scipy.linalg")
    A = np.array([[4.0, 1.0, -0.5], [0.5, 3.0, 1.0], [-1.0, 0.25, 5.0]])
    S = np.asarray(identities.get("sqrtm.sqrtm_jvp").f(jnp.asarray(A)))
    np.testing.assert_allclose(S, scipy_linalg.sqrtm(A).real, rtol=1e-13, atol=1e-13)


def test_gauge_fixed_svd_is_continuous_where_lapack_may_flip():
    """f = signed U: the sign convention makes U continuous; a raw U may flip between nearby inputs."""
    from identities.families._decomp import signed_svd

    rng = np.random.default_rng(3)
    A = rng.standard_normal((4, 3))
    w = np.sqrt(np.arange(4) + 2.0)
    for A_ in (A, -A, A + 1e-9 * rng.standard_normal((4, 3))):
        U = np.asarray(signed_svd(jnp.asarray(A_))[0])
        assert np.all(w @ U > 0)


@pytest.mark.parametrize(
    ("ident_id", "framework", "expected"),
    [
        ("eigfuncs.low_sum_vjp", "numpy-fd", "valid"),  # smooth at the tie: the contracted FD Jacobian is right
        ("eigfuncs.low_sum_vjp", "jax", "valid"),
        ("polar.P_jvp", "numpy-fd", "valid"),
        ("polar.P_jvp", "jax", "deviation"),  # NaN through the SVD rule, recorded on the point
    ],
)
def test_conformance_judges_jvp_and_vjp_special_points_by_their_value(ident_id, framework, expected):
    """At a jvp/vjp special point conformance contracts each framework's Jacobian with the point's tangent or
    cotangent, which is what the record's value is; finite differences of a smooth function must be valid."""
    from identities.frameworks.conformance import conformance_of

    results = [r for r in conformance_of(identities.get(ident_id), (framework,), generic=False) if r.point]
    assert results and {r.status for r in results} == {expected}, [(r.check, r.status, r.detail) for r in results]
