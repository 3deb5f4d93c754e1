"""Checks of the Matrix Cookbook (32)–(98) families that the generic registry tests do not make:
statements that are not derivatives ((47)/(50)), the single-entry-matrix readings of (73)–(75) and (80),
the printed form of (68) with a pseudo-inverse, known answers, and the new preconditions."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities._structures import SIMPLE_SPECTRUM
from identities.errors import PreconditionError


def J(i, j, shape):
    """The single-entry matrix J^ij of the Cookbook (its section 9.7)."""
    out = np.zeros(shape)
    out[i, j] = 1.0
    return out


@pytest.mark.parametrize(
    "X",
    [np.random.default_rng(7).uniform(-2, 2, (4, 4)), np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 2.0]])],
    ids=["invertible", "singular"],
)
def test_mc47_50_sum_k_ddet_dXik_Xjk_is_delta_ij_det(X):
    """(47) = (50): Σ_k ∂det(X)/∂X_ik X_jk = δ_ij det(X), at an invertible and at a singular X."""
    G = np.asarray(identities.get("det.det_adj").closed_form(X))
    np.testing.assert_allclose(G @ X.T, np.linalg.det(X) * np.eye(X.shape[0]), atol=1e-12 * np.abs(G).max())


def test_adjugate_form_agrees_with_inverse_form_where_both_exist(rng):
    X = rng.uniform(-2, 2, (5, 5)) + 6 * np.eye(5)
    adj = identities.get("det.det_adj").closed_form(X)
    inv = identities.get("matrix.det_X").closed_form(X)
    np.testing.assert_allclose(adj, inv, rtol=1e-10)


def test_mc73_slices_are_single_entry_matrices():
    T = np.asarray(identities.get("basic.identity_map").closed_form(np.zeros((2, 3))))
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(T[:, :, i, j], J(i, j, (2, 3)))


def test_mc74_75_slices_are_J_times_A(rng):
    X, A = rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (4, 2))
    T74 = np.asarray(identities.get("basic.product_dX").closed_form(X, A))  # ∂(XA)/∂X
    A3 = rng.uniform(-1, 1, (3, 2))
    T75 = np.asarray(identities.get("basic.XTA").closed_form(X, A3))  # ∂(XᵀA)/∂X
    for m in range(3):
        for n in range(4):
            # J is a single-entry matrix: every entry is one product by 1 or 0, exact in float64
            np.testing.assert_array_equal(T74[:, :, m, n], J(m, n, (3, 4)) @ A)
            np.testing.assert_array_equal(T75[:, :, m, n], J(n, m, (4, 3)) @ A3)


def test_mc80_slice_is_XTBJ_plus_JBX(rng):
    X, B = rng.uniform(-1, 1, (3, 2)), rng.uniform(-1, 1, (3, 3))
    T = np.asarray(identities.get("forms.XTBX").closed_form(X, B))
    for i in range(3):
        for j in range(2):
            want = X.T @ B @ J(i, j, (3, 2)) + J(j, i, (2, 3)) @ B @ X
            np.testing.assert_allclose(T[:, :, i, j], want, atol=1e-15)


def test_mc68_as_printed_with_a_pseudo_inverse(rng):
    """∂v_i = (λ_iI − A)⁺ ∂A v_i, with numpy's pinv, along a symmetric direction, equals the closed form."""
    ident = identities.get("eigen.eigvecs_sym")
    A = SIMPLE_SPECTRUM.build(rng.uniform(-2, 2, (4, 4)))
    dA = rng.uniform(-1, 1, (4, 4))
    dA = (dA + dA.T) / 2
    T = np.asarray(ident.closed_form(A))
    lam, _ = np.linalg.eigh(A)
    V = np.asarray(ident.f(jnp.asarray(A)))
    for i in range(4):
        want = np.linalg.pinv(lam[i] * np.eye(4) - A) @ dA @ V[:, i]
        np.testing.assert_allclose(np.tensordot(T[:, i], dA, axes=2), want, atol=1e-10)


def test_eigenvector_sign_is_fixed(rng):
    A = SIMPLE_SPECTRUM.build(rng.uniform(-2, 2, (5, 5)))
    V = np.asarray(identities.get("eigen.eigvecs_sym").f(jnp.asarray(A)))
    assert np.all(np.sqrt(np.arange(5) + 2.0) @ V > 0)


def test_mc66_with_complex_eigenvalues():
    """Π eig(X) for X = [[0, −2], [1, 0]] (eigenvalues ±i√2): the gradient is the cofactor matrix."""
    X = jnp.array([[0.0, -2.0], [1.0, 0.0]])
    ident = identities.get("eigen.prod_eig")
    want = np.array([[0.0, -1.0], [2.0, 0.0]])  # [[d, −c], [−b, a]]
    np.testing.assert_allclose(jax.grad(ident.f)(X), want, atol=1e-12)
    np.testing.assert_allclose(ident.closed_form(X), want, atol=1e-12)


def test_mc97_98_known_answer():
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    b, x = np.array([1.0, 1.0]), np.array([1.0, 0.0])
    # (A + Aᵀ)x + b = [[2, 5], [5, 8]] (1, 0) + (1, 1) = (3, 6); Hessian A + Aᵀ
    # small integers: exact in binary arithmetic
    np.testing.assert_array_equal(identities.get("forms.quadratic_gradient").closed_form(x, A, b), [3.0, 6.0])
    np.testing.assert_array_equal(identities.get("forms.quadratic_hessian").closed_form(x, A, b), [[2, 5], [5, 8]])


def test_mc56_function_is_minus_logdet_PPT(rng):
    P = rng.uniform(-1, 1, (2, 4)) + 3 * np.eye(2, 4)
    f = identities.get("det.logdet_XTX_wrt_pinv").f
    np.testing.assert_allclose(f(jnp.asarray(P)), -np.linalg.slogdet(P @ P.T)[1], rtol=1e-10)


def test_joint_preconditions_refuse_singular_inputs():
    ident = identities.get("det.det_of_path")
    A = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(PreconditionError, match="Y\\(x\\)"):
        ident.closed_form(0.0, A, np.eye(2), np.eye(2))
    ident = identities.get("det.det_XTAX")
    X = np.array([[1.0, 1.0], [2.0, 2.0], [0.0, 0.0], [1.0, 1.0]]) + 0.0
    with pytest.raises(PreconditionError):
        ident.closed_form(X, np.eye(4))
    with pytest.raises(PreconditionError, match=r"repeated eigenvalue"):
        identities.get("eigen.eigvals_sym").closed_form(np.eye(3))
    with pytest.raises(PreconditionError, match="positive determinant"):
        identities.get("det.logdet").closed_form(np.diag([-1.0, 2.0]))


def test_det_adj_special_points_hold_for_closed_form_and_jax():
    ident = identities.get("det.det_adj")
    for sp in ident.special:
        X = jnp.asarray(sp.args["X"])
        assert sp.is_valid(ident.closed_form(X)), sp.label
        assert sp.is_valid(jax.grad(ident.f)(X)), sp.label


def _XTAX_sym_form(X, A):
    AX = A @ X
    M = X.T @ AX
    return 2 * jnp.linalg.det(M) * jnp.linalg.solve(M.T, AX.T).T


def _eigvecs_unsymmetrized(A):
    from identities.families.eigen import _signed_eigh

    lam, V = _signed_eigh(A)
    n = lam.shape[0]
    off = ~jnp.eye(n, dtype=bool)
    F = jnp.where(off, 1.0 / jnp.where(off, lam[:, None] - lam[None, :], 1.0), 0.0)
    return jnp.einsum("rj,ij,kj,li->rikl", V, F, V, V)


def _det_second_without_trace_squared(x, A, B, C):
    Y = A + x * B + x**2 * C
    M = jnp.linalg.solve(Y, B + (2 * x) * C)
    return jnp.linalg.det(Y) * (jnp.trace(jnp.linalg.solve(Y, 2 * C)) - jnp.sum(M * M.T))


@pytest.mark.parametrize(
    ("ident_id", "closed"),
    [
        ("det.det_XTAX", _XTAX_sym_form),  # (53)'s symmetric-A form used for a general A
        ("eigen.eigvecs_sym", _eigvecs_unsymmetrized),  # (68) without the declared sym convention
        ("det.det_of_path_second", _det_second_without_trace_squared),  # (48) missing Tr(Y⁻¹Y′)²
        ("trace.tr_AXinvB", lambda A, X, B: -jnp.linalg.solve(X, B) @ A @ jnp.linalg.inv(X)),  # (63) untransposed
    ],
    ids=["53-for-general-A", "68-unsymmetrized", "48-dropped-term", "63-untransposed"],
)
def test_wrong_forms_of_mc_a_identities_fail(ident_id, closed):
    """A plausible wrong form differs from the verified closed form at a valid draw (cheap: no autodiff;
    the closed form itself is checked against autodiff by tests/test_catalog.py)."""
    from identities.verify import draw_inputs

    ident = identities.get(ident_id)
    args = draw_inputs(ident, np.random.default_rng(3), ident.size_assignments()[0])
    a = [jnp.asarray(args[k]) for k in ident.argnames]
    right, wrong = np.asarray(ident.closed(*a)), np.asarray(closed(*a))
    assert np.max(np.abs(right - wrong)) > 1e-3 * np.max(np.abs(right))


@pytest.mark.parametrize(
    ("ident_id", "args"),
    [
        ("basic.scaled", {"alpha": np.array(2.2250738585072014e-308), "X": np.ones((3, 4))}),
        ("vector.Ax", {"A": np.full((3, 4), 2.2250738585072014e-308), "x": np.ones(4)}),
    ],
)
def test_finite_differences_tolerate_flush_to_zero(ident_id, args):
    """Inputs near the smallest normal float64 (hypothesis draws them in the thorough profile): XLA flushes
    the subnormal differences f(x + h) − f(x − h) to 0, which the FD error bound must allow for."""
    from identities.verify import check_inputs

    results = check_inputs(identities.get(ident_id), args)
    assert all(r.ok for r in results), [r.describe(ident_id) for r in results if not r.ok]
