"""Every worked number in the seeds, replayed with the registry's own functions and closed forms.

Seeds are teaching material: where a seed is wrong the test asserts the right value and
docs/errata.md records the seed's claim (tests/test_errata.py keeps the two in step).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import identities


def closed(ident_id, *args):
    return np.asarray(identities.get(ident_id).closed_form(*args))


def f(ident_id, *args):
    return float(identities.get(ident_id).f(*(np.asarray(a, dtype=np.float64) for a in args)))


# --- seed 000: the L2 norm ---------------------------------------------------------------------------
def test_seed000_problem1_gradient_at_3_4():
    np.testing.assert_allclose(closed("norms.l2", [3.0, 4.0]), [0.6, 0.8], rtol=0, atol=1e-15)
    assert f("norms.l2", [3.0, 4.0]) == 5.0


def test_seed000_problem2_drone_is_4_over_sqrt5_not_8_over_sqrt5():
    got = float(closed("norms.drone_speed", 1.0))
    assert got == pytest.approx(4 / math.sqrt(5), rel=1e-15)
    assert got != pytest.approx(8 / math.sqrt(5))  # the seed's claim
    # independent of the closed form: a central difference of the speed itself
    h = 1e-5
    fd = (f("norms.drone_speed", 1 + h) - f("norms.drone_speed", 1 - h)) / (2 * h)
    assert fd == pytest.approx(4 / math.sqrt(5), rel=1e-9)


def test_seed000_problem3_hessian_at_3_4():
    H = closed("norms.l2_hessian", [3.0, 4.0])
    np.testing.assert_allclose(H, np.array([[16, -12], [-12, 9]]) / 125, atol=1e-16)
    np.testing.assert_allclose(H @ np.array([3.0, 4.0]), 0, atol=1e-15)  # x is in the null space


def test_seed000_problem4_and_5():
    x = np.array([1.0, -2.0, 0.5])
    a = np.array([0.3, 0.1, -4.0])
    np.testing.assert_allclose(closed("norms.l2_squared", x), 2 * x)
    np.testing.assert_allclose(closed("norms.l2_shifted", x, a), (x + a) / np.linalg.norm(x + a))


# --- seed 001: MML slides ----------------------------------------------------------------------------
def test_seed001_finite_difference_estimates_of_x2_at_2():
    for eps, claimed in [(0.1, 4.1), (0.01, 4.01)]:
        est = (f("scalar.square", 2 + eps) - f("scalar.square", 2)) / eps
        assert est == pytest.approx(claimed, abs=1e-12)
    assert float(closed("scalar.square", 2.0)) == 4.0


def test_seed001_gradient_descent_iterates():
    x, eta, iterates = 4.0, 0.1, []
    for _ in range(3):
        x = x - eta * float(closed("scalar.quadratic_gd", x))
        iterates.append(x)
    np.testing.assert_allclose(iterates, [3.6, 3.28, 3.024], atol=1e-12)
    for _ in range(200):
        x = x - eta * float(closed("scalar.quadratic_gd", x))
    assert x == pytest.approx(2.0)  # the minimiser f'(x) = 0


def test_seed001_power_law_x6():
    assert float(closed("scalar.power", 1.5, 6.0)) == pytest.approx(6 * 1.5**5)


def test_seed001_least_squares_normal_equations():
    rng = np.random.default_rng(0)
    Phi = rng.normal(size=(7, 3))
    y = rng.normal(size=7)
    theta = np.linalg.solve(Phi.T @ Phi, Phi.T @ y)  # θ = (ΦᵀΦ)⁻¹Φᵀy
    g = closed("losses.least_squares", y, Phi, theta)
    np.testing.assert_allclose(g, 0, atol=1e-12)
    np.testing.assert_allclose(theta, np.linalg.lstsq(Phi, y, rcond=None)[0], atol=1e-12)
    # the seed's row-vector form −2(y − Φθ)ᵀΦ at another θ, in numerator layout
    t2 = theta + 1
    row = identities.get("losses.least_squares").closed_form(y, Phi, t2, layout="numerator")
    np.testing.assert_allclose(row, (-2 * (y - Phi @ t2) @ Phi)[None, :])


def test_seed001_dAx_dA_structure():
    A = np.arange(6.0).reshape(2, 3)
    x = np.array([1.0, 2.0, 3.0])
    T = closed("tensors.dAx_dA", A, x)
    assert T.shape == (2, 2, 3)  # ℝ^{M × (M × N)}
    np.testing.assert_array_equal(T[0], [[1, 2, 3], [0, 0, 0]])  # row i of ∂f_i/∂A is xᵀ
    np.testing.assert_array_equal(T[1], [[0, 0, 0], [1, 2, 3]])


def test_seed001_dK_dR_case_table():
    """The closed form against the seed's case table, entry by entry."""
    rng = np.random.default_rng(1)
    M, N = 3, 4
    R = rng.normal(size=(M, N))
    T = closed("tensors.dK_dR", R)
    assert T.shape == (N, N, M, N)
    for p, q, i, j in itertools.product(range(N), range(N), range(M), range(N)):
        if j == p and p != q:
            want = R[i, q]
        elif j == q and p != q:
            want = R[i, p]
        elif j == p and p == q:
            want = 2 * R[i, q]
        else:
            want = 0.0
        assert T[p, q, i, j] == pytest.approx(want, abs=1e-15), (p, q, i, j)


def test_seed001_kmeans_centroid_update_zeroes_the_gradient():
    rng = np.random.default_rng(2)
    d, n, k = 2, 9, 3
    X = rng.normal(size=(d, n))
    R = np.eye(k)[rng.integers(0, k, size=n)]
    R[:k] = np.eye(k)  # no empty cluster
    M = (X @ R) / R.sum(axis=0)  # μ_j = Σ_n r_nj x_n / Σ_n r_nj
    np.testing.assert_allclose(closed("losses.kmeans", M, X, R), 0, atol=1e-13)
    assert np.linalg.norm(closed("losses.kmeans", M + 0.1, X, R)) > 0.1


def test_seed001_chain_rule_examples_at_a_point():
    t = 0.7
    x1, x2 = math.sin(t), math.cos(t)
    assert float(closed("partial.chain_sin_cos", t)) == pytest.approx(2 * x1 * (x2 - 1))
    v = np.array([0.3, -1.2])
    x, y = v
    np.testing.assert_allclose(
        closed("partial.x_plus_2y3_squared", v), [2 * (x + 2 * y**3), 12 * (x + 2 * y**3) * y**2]
    )


# --- seed 002: D2L 2.4 --------------------------------------------------------------------------------
def test_seed002_numerical_limit_table():
    """h = 0.1 … 0.00001: (f(1+h) − f(1))/h printed to five decimals, f(x) = 3x² − 4x."""
    printed = ["2.30000", "2.03000", "2.00300", "2.00030", "2.00003"]
    for h, want in zip(10.0 ** np.arange(-1, -6, -1), printed, strict=True):
        est = (f("scalar.d2l_quadratic", 1 + h) - f("scalar.d2l_quadratic", 1)) / h
        assert f"{est:.5f}" == want
    assert float(closed("scalar.d2l_quadratic", 1.0)) == 2.0


def test_seed002_tangent_line_at_1():
    slope = float(closed("scalar.d2l_quadratic", 1.0))
    intercept = f("scalar.d2l_quadratic", 1.0) - slope * 1.0
    assert (slope, intercept) == (2.0, -3.0)  # y = 2x − 3


def test_seed002_rule1_layouts():
    A = np.arange(6.0).reshape(2, 3)
    x = np.array([1.0, -1.0, 2.0])
    ident = identities.get("vector.Ax")
    np.testing.assert_array_equal(ident.closed_form(A, x, layout="denominator"), A.T)  # ∇ₓ(Ax) = Aᵀ
    np.testing.assert_array_equal(ident.closed_form(A, x, layout="numerator"), A)  # seed 001: d(Ax)/dx = A
    xt = identities.get("vector.xTA")
    np.testing.assert_array_equal(xt.closed_form(np.ones(2), A, layout="denominator"), A)  # ∇ₓ(xᵀA) = A


def test_seed002_chain_rule_vector_form():
    x = np.array([0.4, -1.5])
    np.testing.assert_allclose(closed("partial.d2l_chain_vector", x), 4 * x)
    u = np.array([x[0] + x[1], x[0] - x[1]])
    A_den = np.array([[1.0, 1.0], [1.0, -1.0]])  # A_ij = ∂u_j/∂x_i
    np.testing.assert_allclose(A_den @ (2 * u), 4 * x)


def test_seed002_frobenius():
    X = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(closed("norms.frobenius_squared", X), 2 * X)
    assert f("norms.frobenius_squared", X) == np.trace(X.T @ X)  # a scalar, not the matrix XᵀX
