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


def test_mml_5_101_proposed_transpose_has_the_wrong_shape():
    rng = np.random.default_rng(0)
    from identities._structures import INVERTIBLE

    A, X, B = (INVERTIBLE.build(rng.uniform(-2, 2, (4, 4))) for _ in range(3))
    F = A @ X @ B
    T = np.asarray(jax.jacobian(lambda X: A @ X @ B)(X))
    inner = np.einsum("ia,ajkl->ijkl", np.linalg.inv(F), T)
    grad = np.asarray(jax.grad(lambda X: jnp.linalg.det(A @ X @ B))(X))
    printed = np.linalg.det(F) * np.trace(inner, axis1=0, axis2=1)
    proposed = np.linalg.det(F) * np.swapaxes(inner, 0, 1)
    np.testing.assert_allclose(printed, grad, rtol=1e-10)
    assert proposed.shape == (4, 4, 4, 4) and proposed.shape != grad.shape
