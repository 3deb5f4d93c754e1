"""Errata of the MML, Giles and ML sources (docs/errata.md, "MML, Giles and ML sources"): each printed form
evaluated and shown to fail, and the catalog's form shown to hold."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import identities

ERRATA = Path(__file__).resolve().parents[1] / "docs" / "errata.md"


def test_errata_section_exists_and_names_the_identities():
    text = ERRATA.read_text(encoding="utf-8")
    assert "## MML, Giles and ML sources" in text
    for ident_id in ("mml.det", "mml.inverse"):
        assert f"`{ident_id}`" in text and identities.get(ident_id)


def test_mml_5_101_printed_form_fails_at_singular_f():
    """f(X) = X singular: det is differentiable (adjugate), the printed det(f)·tr(f⁻¹ ∂f/∂X) is not defined."""
    X = np.array([[1.0, 2.0], [2.0, 4.0]])
    truth = np.asarray(jax.grad(jnp.linalg.det)(jnp.asarray(X)))
    np.testing.assert_allclose(truth, [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)  # adj(X)ᵀ
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.det(X) * np.linalg.inv(X).T  # the printed form, for f(X) = X
    assert np.all(np.isnan(np.asarray(jnp.linalg.det(X) * jnp.linalg.inv(X).T)))
    # the catalog declares the precondition, so the closed form refuses the point with a typed error
    eye = np.eye(2)
    with pytest.raises(identities.PreconditionError, match="argument X is singular"):
        identities.get("mml.det").closed_form(eye, X, eye)


def test_mml_5_101_proposed_transpose_is_not_the_gradient_and_the_printed_trace_is():
    """The reported 'typo' (mml-book issues 733, 761): replacing the trace by a transpose. Judged by the
    package's own checker against JAX's gradient of det(AXB): the printed trace reading passes and equals
    the catalog's closed form; the proposed transpose is refused with a shape diagnosis (a D×D×E×F tensor
    cannot be the gradient of a scalar)."""
    rng = np.random.default_rng(0)
    from identities._structures import INVERTIBLE

    A, X, B = (INVERTIBLE.build(rng.uniform(-2, 2, (4, 4))) for _ in range(3))

    def f(X):
        return jnp.linalg.det(A @ X @ B)

    def inner(X):  # F⁻¹ ∂F/∂X: F⁻¹'s second axis contracted with the tensor's first
        return np.einsum("ia,ajkl->ijkl", np.linalg.inv(A @ X @ B), np.asarray(jax.jacobian(lambda X: A @ X @ B)(X)))

    def printed(X):
        return np.linalg.det(A @ X @ B) * np.trace(inner(X), axis1=0, axis2=1)

    def proposed(X):
        return np.linalg.det(A @ X @ B) * np.swapaxes(inner(X), 0, 1)

    assert identities.check(f, printed, X, layout="denominator").ok
    np.testing.assert_allclose(
        identities.get("mml.det").closed_form(A, X, B, layout="denominator"), printed(X), rtol=1e-10
    )
    report = identities.check(f, proposed, X, layout="denominator")
    assert not report.ok and report.decided
    assert report.candidate_shape == (4, 4, 4, 4) and report.expected_shape == (4, 4)
    assert "fits no layout" in report.diagnosis
