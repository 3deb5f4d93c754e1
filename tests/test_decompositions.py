"""Decompositions (issue 13): the gauge, the points charted on them, and the framework findings of
docs/framework-findings.md §7–§9 (asserted, so a changed behaviour in a new version shows up)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from _support import DeferredModule

import identities
from identities import exact
from identities._structures import CLEAR_PIVOTS, RANK_DEFICIENT_BY_ONE, partial_pivoting_gaps
from identities.families.qr import qr_pos

_MISSING = "PyTorch is not installed: pip install 'identities[torch]' to run these"
torch = DeferredModule("torch", reason=_MISSING)


@pytest.fixture(autouse=True, scope="module")
def _torch_adapter() -> None:
    """identities.frameworks.torch loads PyTorch's forward mode once, its deprecation warning silenced: when
    the module's tests run, not at collection (every pytest-xdist worker collects every module)."""
    pytest.importorskip("identities.frameworks.torch", reason=_MISSING)


RNG = np.random.default_rng(0)


def _point(ident_id: str) -> dict:
    return dict(identities.get(ident_id).special[0].args)


def test_qr_gauge_is_fixed_inside_f():
    """qr_pos returns R with a positive diagonal whatever signs LAPACK's Householder QR chose: flipping the
    sign of a column of A flips that column of Q and row of R in LAPACK's output, and nothing in qr_pos's."""
    for shape in ((4, 3), (3, 3), (2, 4)):
        A = RNG.standard_normal(shape)
        Q, R = (np.asarray(x) for x in qr_pos(A))
        k = min(shape)
        assert np.all(np.diagonal(R) > 0)
        np.testing.assert_allclose(Q @ R, A, atol=1e-13)
        np.testing.assert_allclose(Q.T @ Q, np.eye(k), atol=1e-13)
        Q2, R2 = (np.asarray(x) for x in qr_pos(-A))  # LAPACK's signs differ; the gauge-fixed factors are −Q, R
        np.testing.assert_allclose(Q2, -Q, atol=1e-13)
        np.testing.assert_allclose(R2, R, atol=1e-13)
        assert np.all(np.diagonal(R2) > 0)


def test_clear_pivots_builder_matches_lapack_pivot_order():
    """CLEAR_PIVOTS builds a matrix whose partial-pivoting order is a chosen permutation with every pivot clear
    of its rivals by at least 1 at the first step; LAPACK (scipy's getrf) agrees with the numpy elimination."""
    import scipy.linalg

    for _ in range(20):
        A = CLEAR_PIVOTS.build(RNG.uniform(-2, 2, (4, 4)))
        pivots, gaps = partial_pivoting_gaps(A)
        assert gaps[0] >= 1 and min(gaps) > 1e-3
        U = scipy.linalg.lu(A)[2]
        np.testing.assert_allclose(np.abs(np.diagonal(U)), pivots, rtol=1e-12)
    tie = CLEAR_PIVOTS.counterexample(A)
    assert "pivot tie" in CLEAR_PIVOTS.violation(tie, 1e-8)


def test_rank_deficient_builder_keeps_rank_far_from_the_cutoff():
    from identities._structures import PINV_RTOL

    for shape in ((4, 3), (3, 5)):
        A = RANK_DEFICIENT_BY_ONE.build(RNG.uniform(-2, 2, shape))
        s = np.linalg.svd(A, compute_uv=False)
        assert s[-1] <= 1e-14 * s[0] and s[-2] >= 100 * PINV_RTOL * s[0]


def test_special_points_factor_exactly():
    """The LU and QR points: every entry and every factor is exact in binary arithmetic, so no kernel path
    can turn the zero pivot or zero r₂₂ into a rounding residue."""
    A = np.asarray(_point("lu.lu_U_jvp")["A"])
    assert exact.det(A) == 0 and exact.lu_exact_on_every_path(A)
    for ident_id in ("qr.qr_square_R_jvp", "qr.qr_tall_Q_jvp"):
        A = np.asarray(_point(ident_id)["A"])
        R = np.linalg.qr(A, mode="r")
        assert np.abs(R[-1, -1]) == 0.0


def test_lu_tie_record_holds_both_branches_and_nothing_wider():
    """At the pivot tie the valid set is γE₂₁, |γ| ≤ 1: it holds the JVP of each branch (computed by the closed
    form just off the tie on either side, +E₂₁ and −E₂₁), and rejects anything outside their hull."""
    ident = identities.get("lu.lu_L_jvp")
    sp = ident.special[0]
    A, E = np.asarray(sp.args["A"]), np.asarray(sp.args["dA"])
    sides = [np.asarray(ident.closed_form(A + t * E, E, check=False)) for t in (1e-9, -1e-9)]
    np.testing.assert_allclose(sides[0][1, 0], -1.0, atol=1e-8)
    np.testing.assert_allclose(sides[1][1, 0], 1.0, atol=1e-8)
    assert all(sp.is_valid(s) for s in sides) and sp.is_valid(np.zeros((2, 2)))
    E21 = np.array([[0.0, 0.0], [1.0, 0.0]])
    assert not sp.is_valid(1.5 * E21) and not sp.is_valid(-1.5 * E21) and not sp.is_valid(E21 + 0.1 * E)


# --- findings ---------------------------------------------------------------------------------------------------
def test_finding_lu_derivative_is_nan_where_u_is_smooth():
    """docs/framework-findings.md §7: at A = [[2, 1], [1, 1/2]] (last pivot exactly 0) U is smooth and
    U̇ = E₂₂ along E₂₂ (finite differences agree); JAX's and PyTorch's LU forward rules return NaN, and
    torch.linalg.lu_factor raises."""
    A = np.array([[2.0, 1.0], [1.0, 0.5]])
    E = np.array([[0.0, 0.0], [0.0, 1.0]])
    h = 1e-3  # U is polynomial in A here: u₂₂ = a₂₂ − a₂₁a₁₂/a₁₁
    fd = (jax.scipy.linalg.lu(A + h * E)[2] - jax.scipy.linalg.lu(A - h * E)[2]) / (2 * h)
    np.testing.assert_allclose(np.asarray(fd), E, atol=1e-12)
    jvp = np.asarray(jax.jvp(lambda a: jax.scipy.linalg.lu(a)[2], (A,), (E,))[1])
    assert np.isnan(jvp[1, 1])
    T, TE = torch.as_tensor(A), torch.as_tensor(E)
    assert torch.isnan(torch.func.jvp(lambda a: torch.linalg.lu(a)[2], (T,), (TE,))[1]).all()
    Tr = T.clone().requires_grad_(True)
    assert torch.isnan(torch.autograd.grad(torch.linalg.lu(Tr)[2], Tr, TE)[0]).all()
    with pytest.raises(RuntimeError, match="zero"):
        torch.linalg.lu_factor(T)


def test_finding_pinv_and_lstsq_where_the_rank_changes():
    """docs/framework-findings.md §8: at A = e₁e₁ᵀ (3×2, rank 1) along E₂₂ the pseudo-inverse jumps
    (pinv(A + tE₂₂) has 1/t). JAX's and PyTorch's pinv rules both return the fixed-rank (Golub–Pereyra)
    formula, exactly 0: a finite answer where none is valid. For lstsq at the same A, b = (1, 1, 1),
    PyTorch's rule returns 0 too, JAX (which differentiates its SVD) NaN."""
    args = _point("pinv.pinv_jvp")
    A, E = np.asarray(args["A"]), np.asarray(args["dA"])
    assert np.linalg.pinv(A + 1e-3 * E)[1, 1] == pytest.approx(1e3)
    assert np.all(np.asarray(jax.jvp(jnp.linalg.pinv, (A,), (E,))[1]) == 0)
    TA, TE = torch.as_tensor(A), torch.as_tensor(E)
    assert torch.all(torch.func.jvp(torch.linalg.pinv, (TA,), (TE,))[1] == 0)
    b = np.ones(3)
    x_jvp = jax.jvp(lambda a: jnp.linalg.lstsq(a, b)[0], (A,), (E,))[1]
    assert np.all(np.isnan(np.asarray(x_jvp)))

    def x_torch(a):
        return torch.linalg.lstsq(a, torch.as_tensor(b)[:, None], driver="gelsd").solution[:, 0]

    assert torch.all(torch.func.jvp(x_torch, (TA,), (TE,))[1] == 0)
    assert np.linalg.lstsq(A + 1e-3 * E, b, rcond=None)[0][1] == pytest.approx(1e3)  # the true x₂ = 1/t


def test_finding_cholesky_gradient_convention():
    """docs/framework-findings.md §9: at A = [[4, 2], [2, 2]] (L = [[2, 0], [1, 1]] exactly) the gradient of
    l₂₂ is, in the three conventions, sym [[1/8, −1/4], [−1/4, 1/2]], lower [[1/8, 0], [−1/2, 1/2]] and
    mc_sym [[1/8, −1/2], [−1/2, 1/2]]; JAX and PyTorch both return the sym one."""
    A = np.array([[4.0, 2.0], [2.0, 2.0]])
    W = np.array([[0.0, 0.0], [0.0, 1.0]])
    want = {
        "giles.cholesky_vjp": [[0.125, -0.25], [-0.25, 0.5]],
        "cholesky.cholesky_lower_vjp": [[0.125, 0.0], [-0.5, 0.5]],
        "cholesky.cholesky_vjp_mc_sym": [[0.125, -0.5], [-0.5, 0.5]],
    }
    for ident_id, value in want.items():
        np.testing.assert_allclose(np.asarray(identities.get(ident_id).closed_form(A, W)), value, atol=1e-15)
    g_jax = np.asarray(jax.grad(lambda a: jnp.sum(jnp.linalg.cholesky(a) * W))(A))
    x = torch.tensor(A, requires_grad=True)
    g_torch = torch.autograd.grad((torch.linalg.cholesky(x) * torch.as_tensor(W)).sum(), x)[0].numpy()
    np.testing.assert_allclose(g_jax, want["giles.cholesky_vjp"], atol=1e-15)
    np.testing.assert_allclose(g_torch, want["giles.cholesky_vjp"], atol=1e-15)


def test_finding_torch_cholesky_gradient_is_not_that_of_its_value_off_the_symmetric_matrices():
    """§9: torch.linalg.cholesky reads the lower triangle, so its value does not change with A₀₁, yet its
    gradient has a nonzero (0, 1) entry (it assumes symmetric input, as its documentation requires); JAX
    symmetrises the input, so the value and the gradient move together."""
    A = np.array([[4.0, 10.0], [2.0, 2.0]])  # not symmetric; its lower triangle is that of [[4, 2], [2, 2]]
    W = torch.as_tensor(np.array([[0.0, 0.0], [0.0, 1.0]]))

    def l22(a):
        return (torch.linalg.cholesky(a) * W).sum()

    E01 = torch.zeros(2, 2, dtype=torch.float64)
    E01[0, 1] = 1.0
    T = torch.as_tensor(A)
    assert float(l22(T + 1e-3 * E01) - l22(T - 1e-3 * E01)) == 0.0  # the value ignores A₀₁
    x = T.clone().requires_grad_(True)
    assert float(torch.autograd.grad(l22(x), x)[0][0, 1]) == pytest.approx(-0.25, abs=1e-15)
