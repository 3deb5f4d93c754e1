"""What the generic catalog tests do not cover for the MML section 5.5, Giles, Hessian and ML families:
the tensor reading of tr and ᵀ (MML Remark after (5.108)), Giles' eigenvector rule on U itself, the
'sym' convention of the symmetric reverse rules, optimality conditions, the lasso kink, the new
structures, and wrong jvp/vjp rules that the verifier must reject."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities._structures import DISTINCT_SINGULAR, SIMPLE_SPECTRUM, SPD
from identities.verify import check_inputs, draw_extra, draw_inputs, extra_shape


def _args(ident_id, sizes=None, seed=0):
    ident = identities.get(ident_id)
    sizes = sizes or ident.size_assignments()[0]
    return ident, draw_inputs(ident, np.random.default_rng(seed), sizes)


# --- MML: tr and ᵀ of a tensor act on its first two axes -------------------------------------------------
def _tensor(A, X, B):
    return np.asarray(jax.jacobian(lambda X: A @ X @ B)(X))  # T_ijkl = ∂(AXB)_ij/∂X_kl


def test_mml_transpose_of_tensor_swaps_first_two_axes():
    ident, a = _args("mml.transpose")
    T = _tensor(a["A"], a["X"], a["B"])
    np.testing.assert_allclose(ident.closed_form(a["A"], a["X"], a["B"]), np.swapaxes(T, 0, 1), rtol=1e-12)


def test_mml_trace_of_tensor_is_over_first_two_axes():
    ident, a = _args("mml.trace")
    T = _tensor(a["A"], a["X"], a["B"])
    assert T.ndim == 4 and T.shape[0] == T.shape[1]
    tr = np.trace(T, axis1=0, axis2=1)  # an E×F matrix, as the Remark says
    np.testing.assert_allclose(ident.closed_form(a["A"], a["X"], a["B"]), tr, rtol=1e-12, atol=1e-14)


def test_mml_det_is_det_times_trace_of_inverse_times_tensor():
    ident, a = _args("mml.det")
    A, X, B = a["A"], a["X"], a["B"]
    F = A @ X @ B
    T = _tensor(A, X, B)
    printed = np.linalg.det(F) * np.trace(np.einsum("ia,ajkl->ijkl", np.linalg.inv(F), T), axis1=0, axis2=1)
    np.testing.assert_allclose(ident.closed_form(A, X, B), printed, rtol=1e-10)


def test_mml_inverse_is_matrix_tensor_matrix_product():
    ident, a = _args("mml.inverse")
    A, X, B = a["A"], a["X"], a["B"]
    Finv = np.linalg.inv(A @ X @ B)
    T = _tensor(A, X, B)
    printed = -np.einsum("ia,abkl,bj->ijkl", Finv, T, Finv)
    np.testing.assert_allclose(ident.closed_form(A, X, B), printed, rtol=1e-10, atol=1e-13)


def test_mml_existing_records_cite_section_5_5_and_the_examples():
    cited = {s.loc for i in identities.catalog() for s in i.sources if s.ref == "MML"}
    for loc in ("Example 5.9", "Example 5.11", "Example 5.12", "Example 5.13"):
        assert loc in cited
    for eq in range(99, 109):
        assert any(f"5.{eq}" in c for c in cited), f"MML (5.{eq}) is not cited"


# --- Giles: eigenvectors, symmetric reverse rules -------------------------------------------------------
def test_giles_eigenvector_rule_on_U_itself_matches_jax(rng):
    """U̇ = U(F ∘ UᵀȦU) against jax.jvp of eigh's U (same primal, so the same signs)."""
    from identities.families.giles import _eig_F

    A = SIMPLE_SPECTRUM.build(rng.uniform(-2, 2, (5, 5)))
    dA = SIMPLE_SPECTRUM.tangent(rng.uniform(-2, 2, (5, 5)))
    (d, U), (_, dU) = jax.jvp(jnp.linalg.eigh, (A,), (dA,))
    giles = U @ (_eig_F(d) * (U.T @ dA @ U))
    np.testing.assert_allclose(giles, dU, rtol=1e-9, atol=1e-12)
    # and the projector form used by the catalog: Ṗ_j u_j = u̇_j
    P = identities.get("giles.eigvecs_jvp").closed_form(A, dA)
    np.testing.assert_allclose(np.einsum("jik,kj->ij", P, U), giles, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("ident_id", ["giles.eigvecs_vjp", "giles.cholesky_vjp"])
def test_symmetric_reverse_rule_needs_the_sym_convention(ident_id, rng):
    """Without symmetrizing, the rule still passes the dot test (symmetric directions see only the
    symmetric part) but no longer equals jax.vjp: the 'sym' convention is what makes it comparable."""
    ident = identities.get(ident_id)
    closed = ident.closed

    def unsym(*a):
        # undo the final symmetrization by adding back an antisymmetric part
        out = closed(*a)
        return out + jnp.triu(jnp.ones_like(out), 1) - jnp.tril(jnp.ones_like(out), -1)

    bad = dataclasses.replace(ident, id=f"{ident.id}~unsym", closed=unsym)
    sizes = ident.size_assignments()[0]
    args = draw_inputs(ident, rng, sizes)
    extra = draw_extra(ident, args, rng.uniform(-2, 2, extra_shape(ident, sizes)))
    res = {r.check: r.ok for r in check_inputs(bad, args, extra)}
    assert res["fd (dot test)"] and not res["vjp"]
    assert all(r.ok for r in check_inputs(ident, args, extra))


WRONG_RULES = [
    ("giles.inverse_vjp", lambda A, G: -(jnp.linalg.inv(A) @ G @ jnp.linalg.inv(A)), "transposes dropped"),
    ("giles.det_vjp", lambda A, G: G * jnp.linalg.det(A) * jnp.linalg.inv(A), "A⁻¹ for A⁻ᵀ"),
    ("giles.quad_vjp_B", lambda A, B, G: 2 * (A @ B) @ G, "symmetric-only 2ABC̄"),
    ("giles.solve_jvp_A", lambda A, B, dA: jnp.linalg.solve(A, dA @ jnp.linalg.solve(A, B)), "sign"),
    ("giles.eigvals_jvp", lambda A, dA: jnp.diag(dA), "diag(Ȧ) for diag(UᵀȦU)"),
    ("giles.svals_vjp", lambda A, G: jnp.sum(G) * _top_pair(A), "top singular pair only"),
    ("giles.spectral_jvp", lambda A, dA: jnp.sum(dA), "not u₁ᵀȦv₁"),
    ("giles.cholesky_jvp", lambda A, dA: jnp.linalg.cholesky(A) @ jnp.tril(_inv_sandwich(A, dA)), "Φ without ½"),
]


def _top_pair(A):
    U, _, Vh = jnp.linalg.svd(A, full_matrices=False)
    return jnp.outer(U[:, 0], Vh[0])


def _inv_sandwich(A, dA):
    L = jnp.linalg.cholesky(A)
    Li = jnp.linalg.inv(L)
    return Li @ dA @ Li.T


@pytest.mark.parametrize(("ident_id", "closed", "mistake"), WRONG_RULES, ids=[f"{w[0]}:{w[2]}" for w in WRONG_RULES])
def test_wrong_jvp_vjp_rule_fails(ident_id, closed, mistake):
    ident = identities.get(ident_id)
    bad = dataclasses.replace(ident, id=f"{ident.id}~wrong", closed=closed, examples=())
    sizes = ident.size_assignments()[0]
    rng = np.random.default_rng(3)
    args = draw_inputs(ident, rng, sizes)
    extra = draw_extra(ident, args, rng.uniform(-2, 2, extra_shape(ident, sizes)))
    failed = {r.check for r in check_inputs(bad, args, extra) if not r.ok}
    assert failed, f"the verifier passed a wrong rule for {ident_id} ({mistake})"
    # the finite-difference check, which trusts no autodiff, catches it too
    assert failed & {"fd", "fd (dot test)"}, failed


def test_polynomial_of_degree_zero_has_zero_derivative(rng):
    a = np.array([2.5])
    A = rng.uniform(-2, 2, (3, 3))
    np.testing.assert_array_equal(identities.get("giles.poly_jvp").closed_form(a, A, A), 0)
    np.testing.assert_array_equal(identities.get("giles.poly_vjp").closed_form(a, A, A), 0)


def test_polynomial_rules_agree_with_each_other_by_duality(rng):
    """⟨C̄, Ċ⟩ = ⟨Ā, Ȧ⟩ between the forward and reverse polynomial rules, degree 5."""
    a = rng.uniform(-1, 1, 6)
    A, dA, G = (rng.uniform(-1, 1, (4, 4)) for _ in range(3))
    fwd = np.asarray(identities.get("giles.poly_jvp").closed_form(a, A, dA))
    rev = np.asarray(identities.get("giles.poly_vjp").closed_form(a, A, G))
    np.testing.assert_allclose(np.sum(G * fwd), np.sum(rev * dA), rtol=1e-11)


# --- structures -----------------------------------------------------------------------------------------
def test_simple_spectrum_build_keeps_gaps_and_violation_names_the_gap(rng):
    for _ in range(20):
        A = SIMPLE_SPECTRUM.build(rng.uniform(-2, 2, (4, 4)))
        assert np.min(np.diff(np.linalg.eigvalsh(A))) >= 1 - 1e-9
        assert SIMPLE_SPECTRUM.violation(A, 1e-12) is None
    msg = SIMPLE_SPECTRUM.violation(np.eye(3), 1e-12)
    assert msg and "repeated eigenvalue" in msg and "gap" in msg
    with pytest.raises(identities.PreconditionError, match="argument A has a repeated eigenvalue"):
        identities.get("giles.eigvals_jvp").closed_form(np.eye(3), np.eye(3))


def test_distinct_singular_build_and_violation(rng):
    for shape in ((3, 5), (5, 3), (4, 4)):
        A = DISTINCT_SINGULAR.build(rng.uniform(-2, 2, shape))
        s = np.linalg.svd(A, compute_uv=False)
        assert s[-1] >= 0.5 - 1e-9 and np.min(-np.diff(s)) >= 1 - 1e-9
    assert "repeated singular value" in DISTINCT_SINGULAR.violation(np.eye(3), 1e-12)
    assert "zero singular value" in DISTINCT_SINGULAR.violation(np.diag([2.0, 1.0, 0.0]), 1e-12)


# --- ML staples: optimality conditions and the lasso kink -----------------------------------------------
def test_ridge_gradient_vanishes_at_the_ridge_solution(rng):
    ident = identities.get("ml.ridge")
    Phi = rng.uniform(-2, 2, (6, 3))
    y = rng.uniform(-2, 2, 6)
    lam = 0.7
    theta = np.linalg.solve(Phi.T @ Phi + lam * np.eye(3), Phi.T @ y)
    np.testing.assert_allclose(ident.closed_form(y, Phi, theta, lam), 0, atol=1e-12)


def test_gaussian_loglik_gradients_vanish_at_the_mle(rng):
    X = rng.uniform(-2, 2, (7, 3))
    mu = X.mean(axis=0)
    S = (X - mu).T @ (X - mu) / 7
    np.testing.assert_allclose(identities.get("ml.gaussian_loglik_mu").closed_form(mu, X, S), 0, atol=1e-12)
    np.testing.assert_allclose(identities.get("ml.gaussian_loglik_Sigma").closed_form(mu, X, S), 0, atol=1e-10)


def test_softmax_cross_entropy_is_p_minus_y_for_one_hot_labels(rng):
    z = rng.uniform(-2, 2, 5)
    y = np.eye(5)[2]
    np.testing.assert_allclose(
        identities.get("ml.softmax_cross_entropy").closed_form(z, y), jax.nn.softmax(z) - y, rtol=1e-14
    )


def test_lasso_kink_subdifferential_membership():
    ident = identities.get("ml.lasso")
    sp = ident.special[0]
    a = {k: np.asarray(v, dtype=float) for k, v in sp.args.items()}
    smooth = 2 * ((a["Phi"] @ a["theta"] - a["y"]) @ a["Phi"])
    lam = float(a["lam"])
    inside = smooth + np.array([0.5 * lam, lam])  # entry 0 (θ₀ = 0) inside ±λ, entry 1 gets λ·sign(1)
    assert sp.is_valid(inside)
    assert sp.is_valid(smooth + np.array([-lam, lam]))  # the interval's end point
    assert not sp.is_valid(smooth + np.array([1.5 * lam, lam]))  # outside the interval
    assert not sp.is_valid(smooth + np.array([0.0, -lam]))  # wrong sign where θ ≠ 0
    # JAX's gradient at the kink takes d|t|/dt = 0 at t = 0: a member of the subdifferential
    g = np.asarray(jax.grad(ident.f, argnums=2)(*(a[n] for n in ident.argnames)))
    assert sp.is_valid(g)
    # the closed form refuses the point (θ must be away from 0)
    with pytest.raises(identities.PreconditionError, match="argument theta must differ from 0"):
        ident.closed_form(*(a[n] for n in ident.argnames))


def test_hessians_are_symmetric_under_pair_swap():
    for ident_id in ("hessians.logdet", "hessians.det", "hessians.trace_XTAX"):
        ident, a = _args(ident_id)
        H = np.asarray(ident.closed_form(*(a[n] for n in ident.argnames)))
        np.testing.assert_allclose(H, np.transpose(H, (2, 3, 0, 1)), rtol=1e-12, atol=1e-14)


def test_logdet_hessian_is_negative_on_spd_along_symmetric_directions(rng):
    X = SPD.build(rng.uniform(-2, 2, (4, 4)))
    H = np.asarray(identities.get("hessians.logdet").closed_form(X))
    for _ in range(5):
        V = rng.uniform(-1, 1, (4, 4))
        V = V + V.T
        assert np.einsum("ij,ijkl,kl->", V, H, V) < 0


# --- points the thorough profile found (the verifier's floors, docs in verify.TOLERANCES) ---------------
@pytest.mark.parametrize(
    ("ident_id", "args", "extra"),
    [
        # tr(A⁻¹Ȧ) = 0 by structure (A lower triangular, Ȧ strictly lower); the pivoted solve gives 4e-16
        (
            "giles.det_jvp",
            {"A": np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 1.5, 2.5]])},
            np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 1.5, 0.0]]),
        ),
        # 3 · (1/3) − 1 = −5.6e-17 where the gradient is exactly 0 (z = 0, y = 1)
        ("ml.softmax_cross_entropy", {"z": np.zeros(3), "y": np.ones(3)}, None),
        # everything in the underflow range: FD cannot resolve a tangent of 1e-308
        ("giles.product_jvp_A", {"A": np.zeros((3, 4)), "B": np.full((4, 5), 1e-300)}, np.full((3, 4), 2.2e-308)),
        # JAX's vjp of expm underflows to 0 for a cotangent of 3.6e-299; the closed form gives 7e-298
        ("giles.expm_vjp", {"A": np.ones((3, 3))}, np.full((3, 3), 3.57915343e-299)),
    ],
    ids=["structural-zero-jvp", "cancelling-gradient", "underflow", "underflow-expm"],
)
def test_true_formula_passes_where_the_derivative_is_zero_or_underflows(ident_id, args, extra):
    ident = identities.get(ident_id)
    failures = [r.describe(ident.id) for r in check_inputs(ident, args, extra) if not r.ok]
    assert not failures, failures
