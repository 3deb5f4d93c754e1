"""What the generic catalog tests do not cover for the trace, structured, differentials and by_scalar families."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

import identities
from identities._structures import SPD, SYM_TOEPLITZ, TOEPLITZ
from identities.families.structured import alpha
from identities.verify import pairing


def test_adjugate_differential_at_a_singular_matrix():
    """d det(X) = tr(adj(X) dX) at singular X, against the exact polynomial and jax.jvp."""
    ident = identities.get("differentials.d_det_adj")
    X = np.array([[1.0, 2.0], [2.0, 4.0]])  # rank 1
    dX = np.array([[1.0, -1.0], [3.0, 2.0]])
    exact = X[0, 0] * dX[1, 1] + dX[0, 0] * X[1, 1] - X[0, 1] * dX[1, 0] - dX[0, 1] * X[1, 0]
    got = float(ident.closed(jnp.asarray(X), jnp.asarray(dX)))
    assert got == pytest.approx(exact, abs=1e-12) and exact != 0
    _, jvp = jax.jvp(jnp.linalg.det, (jnp.asarray(X),), (jnp.asarray(dX),))
    assert float(jvp) == pytest.approx(exact, abs=1e-12)


def test_alpha_matches_the_cookbook_layout():
    """MC (143): α(A)'s diagonal is tr(A), its (1, n) entry A_n1 and its (n, 1) entry A_1n."""
    A = np.arange(1.0, 17.0).reshape(4, 4)
    a = np.asarray(identities.get("structured.tr_AT_toeplitz").closed_form(A, TOEPLITZ.build(A)))
    np.testing.assert_array_equal(np.diag(a), np.trace(A))  # sums of small integers: exact
    assert a[0, -1] == A[-1, 0] and a[-1, 0] == A[0, -1]
    assert TOEPLITZ.violation(a, 1e-12) is None


def test_toeplitz_pairing_is_the_derivative_by_the_diagonal_values():
    """Σ_k ∂f/∂t_k dt_k from α against a direct derivative by each free parameter t_k."""
    rng = np.random.default_rng(3)
    n = 4
    A = rng.normal(size=(n, n))
    offsets = np.arange(n)[None, :] - np.arange(n)[:, None]
    t = rng.normal(size=2 * n - 1)
    dt = rng.normal(size=2 * n - 1)

    def f_of_t(t):
        return jnp.trace(jnp.asarray(A) @ t[offsets + n - 1])

    df = float(jax.jvp(f_of_t, (jnp.asarray(t),), (jnp.asarray(dt),))[1])
    D = np.asarray(alpha(jnp.asarray(A.T)))
    assert float(pairing("toeplitz", D, dt[offsets + n - 1])) == pytest.approx(df, rel=1e-12)


def test_symmetric_toeplitz_pairing():
    rng = np.random.default_rng(4)
    n = 5
    A = rng.normal(size=(n, n))
    offsets = np.abs(np.arange(n)[None, :] - np.arange(n)[:, None])
    t, dt = rng.normal(size=n), rng.normal(size=n)
    df = float(jax.jvp(lambda t: jnp.trace(jnp.asarray(A) @ t[offsets]), (jnp.asarray(t),), (jnp.asarray(dt),))[1])
    T = t[offsets]
    assert SYM_TOEPLITZ.violation(T, 1e-12) is None
    D = np.asarray(identities.get("structured.tr_AT_sym_toeplitz").closed_form(A, T))
    assert float(pairing("sym_toeplitz", D, dt[offsets])) == pytest.approx(df, rel=1e-12)


def test_mc_sym_entries_are_partials_by_free_entries():
    """MC (138): entry (i, j), i < j, of G + Gᵀ − diag G is ∂f/∂x for X_ij = X_ji = x."""
    rng = np.random.default_rng(5)
    X = SPD.build(rng.normal(size=(3, 3)))
    D = np.asarray(identities.get("structured.logdet_sym_mc").closed_form(X))
    E = np.zeros((3, 3))
    E[0, 2] = E[2, 0] = 1.0
    d = float(jax.jvp(lambda s: jnp.linalg.slogdet(jnp.asarray(X) + s * E)[1], (0.0,), (1.0,))[1])
    assert D[0, 2] == pytest.approx(d, rel=1e-12)
    E = np.zeros((3, 3))
    E[1, 1] = 1.0
    d = float(jax.jvp(lambda s: jnp.linalg.slogdet(jnp.asarray(X) + s * E)[1], (0.0,), (1.0,))[1])
    assert D[1, 1] == pytest.approx(d, rel=1e-12)


def test_quadrature_forms_are_converged():
    """d(e^X) (the integral termwise at X/64, doubled) matches jax.jvp of jax.scipy.linalg.expm to 1e-10 at the
    largest drawn size (7×7), and d(log X) (trapezoidal rule in ln z) matches the divided differences of log
    at a spectrum spanning 1e-6 to 1e6."""
    from identities.families import differentials as d

    rng = np.random.default_rng(6)
    X = rng.uniform(-2, 2, size=(7, 7))
    dX = rng.uniform(-2, 2, size=(7, 7))
    ref = np.asarray(jax.jvp(jax.scipy.linalg.expm, (jnp.asarray(X),), (jnp.asarray(dX),))[1])
    got = np.asarray(d.d_expm.closed(jnp.asarray(X), jnp.asarray(dX)))
    assert np.max(np.abs(got - ref)) <= 1e-10 * np.max(np.abs(ref))

    Q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    X = (Q * np.geomspace(1e-6, 1e6, 6)) @ Q.T
    dX = rng.uniform(-2, 2, size=(6, 6))
    dX = dX + dX.T
    ref = np.asarray(d.d_logm_divdiff.closed(jnp.asarray(X), jnp.asarray(dX)))
    got = np.asarray(d.d_logm.closed(jnp.asarray(X), jnp.asarray(dX)))
    assert np.max(np.abs(got - ref)) <= 1e-12 * np.max(np.abs(ref))


def test_matrix_functions_match_scipy_expm():
    """trace.expm / sinm / cosm (scaling, Taylor, squaring) against jax.scipy.linalg.expm up to ‖X‖₁ = 28."""
    from identities.families.trace import cosm, expm, sinm

    rng = np.random.default_rng(7)
    for n, s in ((7, 1.0), (7, 2.0), (3, 2.0)):
        X = jnp.asarray(s * rng.uniform(-2, 2, size=(n, n)))
        E = scipy.linalg.expm(np.asarray(X))
        assert np.max(np.abs(np.asarray(expm(X)) - E)) <= 1e-12 * np.max(np.abs(E))
        Ei = scipy.linalg.expm(1j * np.asarray(X))
        assert np.max(np.abs(np.asarray(sinm(X)) - Ei.imag)) <= 1e-12 * np.max(np.abs(Ei))
        assert np.max(np.abs(np.asarray(cosm(X)) - Ei.real)) <= 1e-12 * np.max(np.abs(Ei))
