"""Closed forms at tiny and huge magnitudes (1e-150, 1e150) and at ill-conditioned but invertible matrices.

1. Homogeneity: for a function positively homogeneous in its arguments, the derivative at s·args is
   s^k times the derivative at args. Evaluated at s = 1e-150 and 1e150 (and 1e∓170 for the norms, beyond
   where Σxᵢ² under- or overflows), the closed form must stay finite and keep that scaling to 1e-12.
2. Conditioning: at matrices with cond(X) from 1e4 to 1e12, each matrix closed form is compared with a
   50-digit reference (mpmath); its error may not exceed (κ + 4)·eps, κ the condition number of the map
   X ↦ derivative, estimated from the same reference: what a backward-stable evaluation achieves.
   det(X)·X⁻ᵀ written as det·inv did (3.5e-5 relative error at cond 6.5e11, where autodiff has 7e-16);
   matrix.det_X is therefore spelled as an adjugate from the LU factors (see its notes).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import pytest

import identities
from identities.verify import draw_extra, draw_inputs, extra_shape, raw_draw

mpmath.mp.dps = 50
EPS = float(np.finfo(np.float64).eps)

# identity -> degree k of its derivative under scaling every argument by s > 0 (None: depends on n, given
# as a function of the first size assignment)
HOMOGENEOUS = {
    "norms.l2": 0,
    "norms.l2_shifted": 0,
    "norms.l2_distance": 0,
    "norms.l2_squared": 1,
    "norms.l2_hessian": -1,
    "norms.frobenius_squared": 1,
    "vector.xTx": 1,
    "vecnorms.l1": 0,
    "vecnorms.linf": 0,
    "vecnorms.normalize": -1,
    "elementwise.abs": 0,
    "elementwise.relu": 0,
    "elementwise.sqrt": -0.5,
    "matnorms.spectral": 0,
    "matnorms.nuclear": 0,
    "spectral.eigvalsh": 0,
    "spectral.singular_values": 0,
    "matrix.det_X": lambda sizes: sizes["n"] - 1,
    "matrix.logabsdet_X": -1,
    "matrix.inv_X": -2,
    "matrix.aT_Xinv_b": 0,
}
NORMS = {"norms.l2", "norms.l2_shifted", "norms.l2_distance", "norms.l2_hessian", "vecnorms.normalize"}


def _scaled_cases():
    out = []
    for key, k in HOMOGENEOUS.items():
        scales = (1e-150, 1e150) + ((1e-170, 1e170) if key in NORMS else ())
        out += [pytest.param(key, k, s, id=f"{key}@{s:g}") for s in scales]
    return out


@pytest.mark.parametrize(("key", "degree", "s"), _scaled_cases())
def test_closed_form_keeps_its_scaling_at_extreme_magnitudes(key, degree, s):
    ident = identities.get(key)
    sizes = ident.size_assignments()[0]
    k = degree(sizes) if callable(degree) else degree
    rng = np.random.default_rng(1)
    args = draw_inputs(ident, rng, sizes)
    call = [np.asarray(args[a]) for a in ident.argnames]
    eshape = extra_shape(ident, sizes)
    extra = [draw_extra(ident, args, raw_draw(rng, eshape))] if eshape is not None else []
    base = np.asarray(ident.closed_form(*call, *extra))
    got = np.asarray(ident.closed_form(*[s * c for c in call], *extra))
    want = base * s**k
    assert np.all(np.isfinite(got)), f"{key} at scale {s:g}: non-finite closed form"
    err = float(np.max(np.abs(got - want)))
    assert err <= 1e-12 * float(np.max(np.abs(want))), (
        f"{key} at scale {s:g}: relative error {err / np.max(np.abs(want)):.3g}"
    )


def test_naive_unit_vector_fails_where_the_rescaled_closed_form_does_not():
    """Why norms.l2 rescales: x/jnp.linalg.norm(x) is 0 at 1e170 and inf/NaN at 1e-170."""
    u = np.array([0.6, 0.8, 0.0])
    for s in (1e-170, 1e170):
        naive = np.asarray(jnp.asarray(u * s) / jnp.linalg.norm(jnp.asarray(u * s)))
        assert not np.allclose(naive, u)
        np.testing.assert_allclose(identities.get("norms.l2").closed_form(u * s), u, rtol=1e-15)


# --- ill-conditioned but invertible matrices -----------------------------------------------------------------
def _ill_conditioned(cond: float, n: int = 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    q1, _ = np.linalg.qr(rng.standard_normal((n, n)))
    q2, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return (q1 * np.geomspace(1.0, 1.0 / cond, n)) @ q2.T


def _mp(X):
    return mpmath.matrix(np.asarray(X, dtype=float).tolist())


def _to_np(M):
    return np.array([[float(M[i, j]) for j in range(M.cols)] for i in range(M.rows)])


def _ref_cofactor(X):
    n = X.shape[0]
    M = _mp(X)
    C = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            rows, cols = [r for r in range(n) if r != i], [c for c in range(n) if c != j]
            C[i, j] = float((-1) ** (i + j) * mpmath.det(mpmath.matrix([[M[r, c] for c in cols] for r in rows])))
    return C


def _ref_inv(X):
    return _to_np(mpmath.inverse(_mp(X)))


A_VEC, B_VEC = np.array([1.0, -2.0, 0.5]), np.array([0.3, 1.0, -1.0])


def _ref_inv_mp(X):
    return mpmath.inverse(_mp(X))


def _ref_aT_Xinv_b(X):
    Yi = _ref_inv_mp(X)
    u = Yi.T * mpmath.matrix(A_VEC.tolist())
    v = Yi * mpmath.matrix(B_VEC.tolist())
    return -np.outer([float(t) for t in u], [float(t) for t in v])


CONDITIONED = {
    # id: (extra args around X, reference derivative, f for JAX autodiff with respect to X)
    "matrix.det_X": (lambda X: (X,), _ref_cofactor, jnp.linalg.det),
    "matrix.logabsdet_X": (lambda X: (X,), lambda X: _ref_inv(X).T, lambda X: jnp.linalg.slogdet(X)[1]),
    "matrix.inv_X": (lambda X: (X,), lambda X: -np.einsum("ki,jl->klij", _ref_inv(X), _ref_inv(X)), jnp.linalg.inv),
    "matrix.aT_Xinv_b": (
        lambda X: (A_VEC, X, B_VEC),
        _ref_aT_Xinv_b,
        lambda X: jnp.asarray(A_VEC) @ jnp.linalg.solve(X, jnp.asarray(B_VEC)),
    ),
}


def _relerr(got, ref):
    return float(np.max(np.abs(np.asarray(got) - ref)) / np.max(np.abs(ref)))


def _near_rank_deficient(t: float) -> np.ndarray:
    from identities.families.matrix import _RANK2

    return _RANK2 + t * np.random.default_rng(0).standard_normal((3, 3))


MATRICES = {
    "cond 1e4": lambda: _ill_conditioned(1e4),
    "cond 1e8": lambda: _ill_conditioned(1e8),
    "cond 1e12": lambda: _ill_conditioned(1e12),  # two small singular values, 1e-6 and 1e-12
    "rank 2 + 1e-6": lambda: _near_rank_deficient(1e-6),  # one small singular value
    "rank 2 + 1e-10": lambda: _near_rank_deficient(1e-10),
}


def map_condition(reference, X: np.ndarray) -> float:
    """The relative condition number of X ↦ derivative(X) (max-norms), from the 50-digit reference:
    max over entries (k, l) of |∂R/∂X_kl| · max|X| / max|R|, by central differences of the reference with
    a step of 1e-4 σ_min(X) (inside the linear regime even at cond 1e12; two digits are all a bound needs)."""
    smin = float(min(mpmath.svd_r(_mp(X), compute_uv=False)))
    h = 1e-4 * smin
    R = reference(X)
    worst = 0.0
    for k in range(X.size):
        E = np.zeros(X.size)
        E[k] = h
        E = E.reshape(X.shape)
        worst = max(worst, float(np.max(np.abs(reference(X + E) - reference(X - E)))) / (2 * h))
    return worst * float(np.max(np.abs(X))) / float(np.max(np.abs(R)))


@pytest.mark.parametrize("which", list(MATRICES))
@pytest.mark.parametrize("key", list(CONDITIONED))
def test_closed_form_error_is_bounded_by_the_condition_of_the_derivative(key, which):
    """A backward-stable evaluation of the derivative R(X) errs by at most about κ·eps, κ the condition
    number of X ↦ R(X) (not cond(X): the cofactor matrix at a nearly rank-deficient X has κ ≈ 4).
    Measured here (AMD EPYC, OpenBLAS and XLA's defaults): error / (κ·eps) ≤ 0.14 over these 20 cases;
    det·inv for matrix.det_X gives 2.3 to 8e8, an inverse through the normal equations 5e2 to 2e6."""
    make_args, reference, f = CONDITIONED[key]
    X = MATRICES[which]()
    ident = identities.get(key)
    ref = reference(X)
    kappa = map_condition(reference, X)
    closed = _relerr(ident.closed_form(*make_args(X)), ref)
    auto = _relerr(jax.jacrev(f)(jnp.asarray(X)), ref)
    assert closed <= (kappa + 4) * EPS, (
        f"{key} at {which}: closed form error {closed:.3g} > (κ + 4)·eps = {(kappa + 4) * EPS:.3g} "
        f"(κ = {kappa:.3g}; JAX autodiff's error {auto:.3g})"
    )


def test_det_times_inverse_loses_accuracy_near_singular_x():
    """The measurement behind matrix.det_X's spelling: det(X)·inv(X)ᵀ in JAX against the LU adjugate."""
    X = _near_rank_deficient(1e-10)
    ref = _ref_cofactor(X)
    naive = _relerr(jnp.linalg.det(jnp.asarray(X)) * jnp.linalg.inv(jnp.asarray(X)).T, ref)
    closed = _relerr(identities.get("matrix.det_X").closed_form(X), ref)
    assert closed < 1e-13 and naive > 100 * closed, (naive, closed)
