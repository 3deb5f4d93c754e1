"""Published errors in the Matrix Cookbook (99)–(144) and Wikipedia's rows covered by trace/structured/
differentials/by_scalar: each printed form is evaluated and must fail against JAX, while the catalog's form
passes (docs/errata.md, section "Matrix Cookbook (99)–(144) and Wikipedia")."""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np

import identities
from identities.verify import draw_inputs

ERRATA = Path(__file__).resolve().parents[1] / "docs" / "errata.md"


def mc127_printed(A, X, C, B):
    """MC (127) as printed: −2CX(A + XᵀCX)⁻¹XᵀBX(A + XᵀCX)⁻¹ + 2BX(A + XᵀCX)⁻¹ (B, C symmetric)."""
    Mi = np.linalg.inv(A + X.T @ C @ X)
    return -2 * C @ X @ Mi @ X.T @ B @ X @ Mi + 2 * B @ X @ Mi


def _worst(ident, form, symmetrize_A=False, draws=5):
    """Max over draws of max|form − jax.grad| / max|jax.grad|."""
    rng = np.random.default_rng(0)
    worst = 0.0
    for sizes in ident.size_assignments():
        for _ in range(draws):
            a = draw_inputs(ident, rng, sizes)
            if symmetrize_A:
                a["A"] = (a["A"] + a["A"].T) / 2
            args = [a[n] for n in ident.argnames]
            g = np.asarray(jax.grad(ident.f, argnums=ident.wrt_index)(*args))
            worst = max(worst, float(np.max(np.abs(np.asarray(form(*args)) - g)) / np.max(np.abs(g))))
    return worst


def test_mc127_printed_form_fails_for_general_A():
    ident = identities.get("trace.tr_AXTCXinv_XTBX")
    assert _worst(ident, mc127_printed) > 0.1  # measured 1.03 (docs/errata.md)
    assert _worst(ident, ident.closed) < 1e-12


def test_mc127_printed_form_holds_for_symmetric_A():
    ident = identities.get("trace.tr_AXTCXinv_XTBX")
    assert _worst(ident, mc127_printed, symmetrize_A=True) < 1e-12


def test_errata_md_records_mc127():
    text = ERRATA.read_text(encoding="utf-8")
    assert "## Matrix Cookbook (99)–(144) and Wikipedia" in text
    assert "`trace.tr_AXTCXinv_XTBX`" in text
