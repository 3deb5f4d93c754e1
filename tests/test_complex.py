"""Negative controls of complex verification and of check() on complex candidates.

The verifier must fail a closed form that is conjugated, off by the factor 2 between a Wirtinger derivative
and a gradient, or declared holomorphic when f is not; check() must name a conjugated candidate ("this is
PyTorch's convention; pass convention='torch'"), a factor-2 one, and jax.grad(holomorphic=True)'s answer on
a non-holomorphic f, and accept the correct candidate in every convention.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities.check import check, check_identity
from identities.verify import verify
from identities.wirtinger import COMPLEX_CONVENTIONS


def _broken(iid, closed, **changes):
    return dataclasses.replace(identities.get(iid), closed=closed, **changes)


def _h(a):
    return jnp.conj(a.T)


PLANTED = {
    "conjugated": ("complex_basic.lstsq", lambda A, z, b: jnp.conj(_h(A) @ (A @ z - b))),
    "factor 2 (the gradient, declared as ∂f/∂z̄)": ("complex_basic.lstsq", lambda A, z, b: 2 * _h(A) @ (A @ z - b)),
    "sign of the imaginary part": ("complex_basic.phase", lambda z: -1j / (2 * jnp.conj(z))),
    "holomorphic f′ conjugated": ("complex_basic.z_squared", lambda z: 2 * jnp.conj(z)),
    "a pair with its halves swapped": (
        "complex_cookbook.tr_AXconj",
        lambda A, X: (A.T, jnp.zeros_like(X)),
    ),
    "relative error 1e-6": ("complex_basic.exp_entrywise", lambda z: jnp.diag(jnp.exp(z)) * (1 + 1e-6)),
}


@pytest.mark.parametrize("what", list(PLANTED))
def test_verifier_fails_a_wrong_complex_closed_form(what):
    iid, closed = PLANTED[what]
    report = verify(_broken(iid, closed), examples=1, max_sizes=1)
    assert not report.ok, f"{what}: {report}"
    assert not report.checks["jacfwd"].ok and not report.checks["grad (jax)"].ok


def test_verifier_fails_a_non_holomorphic_f_declared_holomorphic():
    """z z̄ declared holomorphic with f′ = z̄ (its ∂f/∂z): the real Jacobians see ∂f/∂z̄ = z ≠ 0, and JAX's
    holomorphic jacfwd returns ∂f/∂z + conj(∂f/∂z̄) = 2z̄."""
    bad = _broken(
        "complex_basic.sq_abs",
        lambda z: jnp.conj(z),
        f=lambda z: z * jnp.conj(z),
        holomorphic=True,
        complex_form="holomorphic",
    )
    report = verify(bad, examples=1, max_sizes=1)
    assert not report.ok and not report.checks["holomorphic"].ok and not report.checks["jacfwd"].ok


def test_the_correct_closed_forms_pass_with_every_check():
    report = verify("complex_basic.z_squared", examples=1, max_sizes=1)
    assert report.ok
    assert set(report.checks) == {"jacfwd", "jacrev", "grad (jax)", "holomorphic", "fd (re)", "fd (im)", "complex step"}


@pytest.mark.parametrize(
    "iid", ["complex_basic.z_squared", "complex_basic.exp_entrywise", "complex_basic.det_X", "complex_basic.inv_X"]
)
def test_complex_step_runs_for_holomorphic_maps_with_real_coefficients(iid):
    assert "complex step" in verify(iid, examples=1, max_sizes=1).checks


def test_complex_step_catches_what_it_can_see():
    """At real z a conjugate is invisible, but a wrong real derivative is not: 2.000001z fails the complex step."""
    report = verify(_broken("complex_basic.z_squared", lambda z: 2.000001 * z), examples=1, max_sizes=1)
    assert not report.checks["complex step"].ok


Z = np.array([1 + 2j, -0.5 + 1j, 3 - 1j])
RNG = np.random.default_rng(3)
A = RNG.standard_normal((4, 3)) + 1j * RNG.standard_normal((4, 3))
B = RNG.standard_normal(4) + 1j * RNG.standard_normal(4)


def lstsq(z):
    r = A @ z - B
    return jnp.real(jnp.vdot(r, r))


def torch_grad(z):  # what PyTorch's .grad holds after backward(): 2Aᴴ(Az − b)
    return 2 * _h(A) @ (A @ z - B)


def test_conjugated_candidate_is_named_as_pytorchs_convention():
    rep = check(lstsq, torch_grad, Z)  # convention="jax" by default
    assert not rep.ok
    assert "this is PyTorch's convention (.grad)" in rep.diagnosis and "pass convention='torch'" in rep.diagnosis


def test_jax_gradient_given_as_torch_is_named_as_jaxs_convention():
    rep = check(lstsq, lambda z: jnp.conj(torch_grad(z)), Z, convention="torch")
    assert not rep.ok and "JAX's convention (jax.grad)" in rep.diagnosis and "pass convention='jax'" in rep.diagnosis


def test_factor_two_is_named():
    rep = check(lstsq, lambda z: torch_grad(z) / 2, Z, convention="torch")
    assert not rep.ok and "factor 2" in rep.diagnosis and "conj_wirtinger" in rep.diagnosis
    rep = check(lstsq, lambda z: 2 * torch_grad(z), Z, convention="torch")
    assert not rep.ok and "twice the expected value" in rep.diagnosis


def test_holomorphic_derivative_of_a_non_holomorphic_function_is_named():
    f = lambda z: z * jnp.conj(z)
    rep = check(f, lambda z: 2 * jnp.conj(z), 1 + 2j, convention="wirtinger")  # jax.grad(holomorphic=True)'s answer
    assert not rep.ok and "jax.grad(f, holomorphic=True)" in rep.diagnosis and "not holomorphic" in rep.diagnosis
    rep = check(f, lambda z: jnp.conj(z), 1 + 2j, convention="holomorphic")
    assert not rep.ok and "f is not holomorphic" in rep.diagnosis
    assert check(f, lambda z: jnp.conj(z), 1 + 2j, convention="wirtinger").ok  # ∂f/∂z = z̄: the control


@pytest.mark.parametrize("convention", [c for c in COMPLEX_CONVENTIONS if c != "holomorphic"])
def test_the_correct_candidate_is_accepted_in_every_convention(convention):
    ident = identities.get("complex_basic.lstsq")
    good = lambda A, z, b: ident.closed_form(A, z, b, convention=convention)
    assert check_identity(ident, good, convention=convention).ok
    assert check(lstsq, lambda z: ident.closed_form(A, z, B, convention=convention), Z, convention=convention).ok


def test_holomorphic_candidate_is_accepted_in_the_holomorphic_conventions():
    for c in ("holomorphic", "wirtinger", "jax"):
        assert check(lambda z: z**2, lambda z: 2 * z, 1 + 2j, convention=c).ok
    rep = check(lambda z: z**2, lambda z: 2 * z, 1 + 2j, convention="torch")
    assert not rep.ok and "pass convention=" in rep.diagnosis  # PyTorch's backward(1) gives conj(f′)


def test_check_identity_names_a_conjugated_candidate():
    rep = check_identity("complex_basic.tr_XXH", lambda X: 2 * X)  # the Cookbook's ∇ (248) given as jax
    assert not rep.ok and "pass convention='torch'" in rep.diagnosis
    assert check_identity("complex_basic.tr_XXH", lambda X: 2 * X, convention="cookbook").ok


def test_check_identity_refuses_a_convention_for_a_real_variable():
    with pytest.raises(identities.IdentityError, match="applies to complex variables"):
        check_identity("vector.xTAx", lambda x, A: (A + A.T) @ x, convention="torch")


def test_decorator_refuses_inconsistent_complex_declarations():
    from identities._core import Tex, identity, staple

    kw = dict(f=lambda z: z, wrt="z", shapes={"z": ""}, tex=Tex(f="z", num="1", den="1"), sources=[staple("t")])
    with pytest.raises(ValueError, match="need a complex variable"):
        identity(**kw, holomorphic=True)(lambda z: 1.0)
    with pytest.raises(ValueError, match="does not determine the derivative"):
        identity(**kw, dtypes={"z": "complex128"}, complex_form="re")(lambda z: 1.0)
    with pytest.raises(ValueError, match="only 'complex128'"):
        identity(**kw, dtypes={"z": "complex64"})(lambda z: 1.0)


@pytest.mark.parametrize(
    "iid",
    [
        "complex_basic.lstsq",
        "complex_basic.zHRinvz",
        "complex_basic.logdet_hpd",
        "complex_basic.phase",
        "complex_basic.z_squared",
        "complex_cookbook.conj_transpose",
        "complex_cookbook.det_XHAX",
    ],
)
def test_conformance_of_complex_identities_in_pytorch(iid):
    """PyTorch's vjp, backward and forward mode on complex identities agree with the closed form read in
    PyTorch's documented convention (the whole set runs in `python -m identities conformance`)."""
    pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'identities[torch]')")
    from identities.frameworks import conformance

    results = conformance.conformance_of(identities.get(iid), ("torch",), 0, True)
    generic = [r for r in results if r.point is None]
    assert generic and all(r.status == "ok" for r in generic), [(r.check, r.status, r.detail) for r in generic]
    assert {"vjp (torch)", "jvp (re, im)"} <= {r.check for r in generic}
    # at the identity's special points (the phase's): valid, or unbounded where no answer is
    special = [r for r in results if r.point is not None]
    assert all(r.status in ("valid", "unbounded") for r in special), [(r.point, r.check, r.status) for r in special]


def test_torch_translation_of_a_conjugated_triangular_solve():
    """lax's triangular_solve with conjugate_a=True solves with conj(a) (aᴴ with transpose_a); a translation
    that ignores the flag is right for real matrices and silently wrong for complex ones."""
    pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'identities[torch]')")
    from types import SimpleNamespace

    import jax
    import torch

    from identities.frameworks.torch import torch_function

    def f(L, b):
        return jax.lax.linalg.triangular_solve(L, b, left_side=True, lower=True, transpose_a=True, conjugate_a=True)

    rng = np.random.default_rng(0)
    L = np.tril(rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))) + 3 * np.eye(3)
    b = rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))
    tf, _ = torch_function(SimpleNamespace(f=f), (L, b))
    got = tf(torch.as_tensor(L), torch.as_tensor(b)).numpy()
    np.testing.assert_allclose(got, np.asarray(f(L, b)), rtol=1e-12)
    np.testing.assert_allclose(got, np.linalg.solve(L.conj().T, b), rtol=1e-12)


# --- check() at the complex special points the catalog charts ------------------------------------------------
def test_check_at_a_charted_complex_kink_accepts_a_subgradient_and_rejects_outside():
    """‖z‖₂ at 0: JAX's reference is NaN, the record decides. PyTorch's .grad 0 and any ‖g‖ ≤ 1 are valid
    subgradients (as ∂f/∂z̄, radius 1/2); 0.8(1, i, 0) has ‖g‖ = 1.13 and is not."""
    z0 = np.zeros(3, dtype=complex)
    ok = check(jnp.linalg.norm, lambda z: np.zeros(3, dtype=complex), z0, convention="torch")
    assert ok.ok and ok.decided and ok.point == "complex_basic.norm2 at z = 0"
    edge = check(jnp.linalg.norm, lambda z: np.array([0.6, 0.8j, 0]), z0, convention="torch")
    assert edge.ok
    out = check(jnp.linalg.norm, lambda z: np.array([0.8, 0.8j, 0]), z0, convention="torch")
    assert not out.ok and out.decided and "not in the set of valid answers" in out.diagnosis


def test_check_at_a_charted_unbounded_complex_point_refuses_every_finite_answer():
    r = check(jnp.angle, lambda z: 0j, 0j, convention="torch")  # PyTorch's answer at arg 0
    assert not r.ok and r.decided and "no finite answer is valid here at complex_basic.phase at z = 0" in r.diagnosis


def test_check_on_a_branch_cut_accepts_either_sides_derivative_by_the_sign_of_the_zero():
    """√ at −4 − 0i: f′ from below (i/4, C99's side) and from above (−i/4, JAX's) are both one-sided
    answers; the real 1/4 is neither. The point is matched with its signed zero."""
    z = complex(-4.0, -0.0)
    for d in (0.25j, -0.25j):
        assert check(jnp.sqrt, lambda z, d=d: d, z, convention="holomorphic").ok
    r = check(jnp.sqrt, lambda z: 0.25 + 0j, z, convention="holomorphic")
    assert not r.ok and "derivative from neither side" in r.diagnosis
    assert r.point == "complex_basic.sqrt_z at z = −4 − 0i (on the branch cut)"


def test_check_at_an_uncharted_complex_point_with_no_reference_cannot_judge():
    r = check(lambda z: 2 * jnp.angle(z), lambda z: 0j, 0j, convention="torch")
    assert not r.ok and not r.decided and "cannot be judged" in r.diagnosis


def test_check_at_a_charted_complex_point_in_a_convention_that_does_not_determine_the_derivative():
    r = check(jnp.abs, lambda z: 0j, 0j, convention="re")
    assert not r.ok and not r.decided and "cannot be judged" in r.diagnosis
