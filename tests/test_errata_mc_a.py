"""Errata of the Matrix Cookbook (32)–(98): each printed form is evaluated and must fail, the catalog's
corrected closed form must pass (docs/errata.md, section "Matrix Cookbook (32)–(98)")."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities.verify import draw_inputs

ERRATA = Path(__file__).resolve().parents[1] / "docs" / "errata.md"


def printed_92(a, X, b, n=3):
    """MC (92) as printed: Σ_r [X^{n−1−r} a bᵀ (Xⁿ)ᵀ Xʳ + (Xʳ)ᵀ Xⁿ a bᵀ (X^{n−1−r})ᵀ]."""
    P = [jnp.eye(X.shape[0], dtype=X.dtype)]
    for _ in range(n):
        P.append(P[-1] @ X)
    ab = jnp.outer(a, b)
    return sum(P[n - 1 - r] @ ab @ P[n].T @ P[r] + P[r].T @ P[n] @ ab @ P[n - 1 - r].T for r in range(n))


def printed_95(x, A, B):
    """MC (95) as printed: 2AᵀAx/(xᵀBBx) − 2 xᵀAᵀAx BᵀBx/(xᵀBᵀBx)²."""
    return 2 * (A.T @ A @ x) / (x @ B @ B @ x) - 2 * (x @ A.T @ A @ x) * (B.T @ B @ x) / (x @ B.T @ B @ x) ** 2


# (identity, printed form, sizes where the printed form is defined, equation)
CASES = [
    ("forms.aTXnTXnb", printed_92, {"n": 4}, "(92)"),
    ("forms.rayleigh_ratio", printed_95, {"n": 3, "k": 2, "p": 3}, "(95)"),  # BB needs B square
]


def _errors(ident, form, sizes, draws=3):
    """Largest relative error of ``form`` and of the catalog's closed form against jax.grad."""
    rng = np.random.default_rng(0)
    grad = jax.grad(ident.f, argnums=ident.wrt_index)
    worst_form = worst_closed = 0.0
    for _ in range(draws):
        args = draw_inputs(ident, rng, sizes)
        a = [jnp.asarray(args[k]) for k in ident.argnames]
        ref = np.asarray(grad(*a))
        scale = float(np.max(np.abs(ref)))
        worst_form = max(worst_form, float(np.max(np.abs(np.asarray(form(*a)) - ref))) / scale)
        worst_closed = max(worst_closed, float(np.max(np.abs(np.asarray(ident.closed(*a)) - ref))) / scale)
    return worst_form, worst_closed


@pytest.mark.parametrize(("ident_id", "printed", "sizes", "eq"), CASES, ids=[c[3] for c in CASES])
def test_printed_form_fails_and_correction_passes(ident_id, printed, sizes, eq):
    ident = identities.get(ident_id)
    assert any(s.ref == "MC" and s.loc == eq for s in ident.sources)
    printed_err, closed_err = _errors(ident, printed, sizes)
    assert closed_err < 1e-9, f"the catalog's form of MC {eq} is off by {closed_err:.3g}"
    assert printed_err > 0.1, f"MC {eq} as printed should fail, max relative error only {printed_err:.3g}"
    text = ERRATA.read_text(encoding="utf-8")
    assert f"`{ident_id}`" in text and f"MC {eq}" in text


def test_printed_95_is_right_exactly_when_B_is_symmetric():
    """The misprint xᵀBBx = xᵀBᵀBx for symmetric B, which is how it survives a symmetric spot check."""
    ident = identities.get("forms.rayleigh_ratio")
    rng = np.random.default_rng(1)
    args = draw_inputs(ident, rng, {"n": 3, "k": 2, "p": 3})
    x, A, B = (jnp.asarray(args[k]) for k in ("x", "A", "B"))
    Bs = (B + B.T) / 2 + 4 * jnp.eye(3)
    ref = jax.grad(ident.f)(x, A, Bs)
    np.testing.assert_allclose(printed_95(x, A, Bs), ref, rtol=1e-10, atol=1e-12)
    assert not np.allclose(printed_95(x, A, B), jax.grad(ident.f)(x, A, B), rtol=1e-3)


def test_printed_92_first_term_is_the_transpose_of_the_right_one():
    """Each r-term of (92)'s first sum, transposed, is the catalog's term: a numerator-layout term in a
    denominator-layout formula."""
    rng = np.random.default_rng(2)
    n = 3
    X = rng.uniform(-1, 1, (4, 4))
    a, b = rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 4)
    P = [np.eye(4)]
    for _ in range(n):
        P.append(P[-1] @ X)
    for r in range(n):
        printed = P[n - 1 - r] @ np.outer(a, b) @ P[n].T @ P[r]
        right = P[r].T @ P[n] @ np.outer(b, a) @ P[n - 1 - r].T
        np.testing.assert_allclose(printed.T, right, rtol=1e-12, atol=1e-12)
        assert not np.allclose(printed, right, rtol=1e-3)


if __name__ == "__main__":  # the numbers in docs/errata.md: PYTHONPATH=. python tests/test_errata_mc_a.py
    jax.config.update("jax_enable_x64", True)
    more = [
        ("forms.aTXnTXnb", printed_92, {"n": 3}, "(92)"),
        ("forms.rayleigh_ratio", printed_95, {"n": 4, "k": 5, "p": 4}, "(95)"),
    ]
    for ident_id, printed, sizes, eq in [*CASES, *more]:
        p, c = _errors(identities.get(ident_id), printed, sizes, draws=20)
        print(f"MC {eq} {sizes}: printed max rel error {p:.3g}, catalog {c:.3g} (20 draws, seed 0)")
