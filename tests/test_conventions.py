"""The conventions for structured variables (docs/layouts.md): the numeric example there is recomputed here,
and each convention's closed form fails when checked under another convention (so the conventions are
really distinguished by the verifier)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jax
import numpy as np
import pytest

import identities
from identities.verify import CONVENTION_MAPS, PAIRINGS, _contract_in, _directions, _paired, draw_inputs, pairing

LAYOUTS_MD = Path(__file__).resolve().parents[1] / "docs" / "layouts.md"

A = np.array([[1.0, 2.0], [3.0, 4.0]])
X = np.array([[1.0, 0.5], [0.5, 2.0]])  # symmetric
V = np.array([[0.0, 1.0], [1.0, 0.0]])  # a symmetric direction: X_12 and X_21 move together
A3 = np.arange(1.0, 10.0).reshape(3, 3)
T3 = np.array([[1.0, 2.0, 3.0], [4.0, 1.0, 2.0], [5.0, 4.0, 1.0]])  # Toeplitz
S1 = np.eye(3, k=1)  # a Toeplitz direction: the first superdiagonal


def _fmt(m: np.ndarray) -> str:
    return "[" + "; ".join(", ".join(f"{v:g}" for v in row) for row in np.atleast_2d(m)) + "]"


def example_rows() -> list[str]:
    """The markdown rows of docs/layouts.md's table, computed from the catalog."""
    full = np.asarray(jax.grad(identities.get("structured.tr_AX_sym_mc").f, argnums=1)(A, X))
    rows = []
    df = float(np.trace(A @ V))
    cases = [
        ("full", "JAX's ∂f/∂X (entries independent)", full),
        ("sym", "`structured.tr_AX_sym_sym`", identities.get("structured.tr_AX_sym_sym").closed_form(A, X)),
        ("mc_sym", "`structured.tr_AX_sym_mc` (MC 139)", identities.get("structured.tr_AX_sym_mc").closed_form(A, X)),
    ]
    for conv, name, d in cases:
        d = np.asarray(d)
        frob = float(np.sum(d * V))
        rows.append(f"| {conv} | {name} | {_fmt(d)} | {frob:g} | {float(pairing(conv, d, V)):g} | {df:g} |")
    return rows


def toeplitz_rows() -> list[str]:
    d = np.asarray(identities.get("structured.tr_AT_toeplitz").closed_form(A3, T3))
    full = A3.T
    df = float(np.trace(A3 @ S1))
    return [
        f"| full | JAX's ∂f/∂T | {_fmt(full)} | {float(np.sum(full * S1)):g} | {float(pairing('full', full, S1)):g} "
        f"| {df:g} |",
        f"| toeplitz | `structured.tr_AT_toeplitz` (MC 143) | {_fmt(d)} | {float(np.sum(d * S1)):g} "
        f"| {float(pairing('toeplitz', d, S1)):g} | {df:g} |",
    ]


def test_layouts_md_shows_the_measured_example():
    text = LAYOUTS_MD.read_text(encoding="utf-8")
    for row in example_rows() + toeplitz_rows():
        assert row in text, f"docs/layouts.md lacks the measured row:\n{row}"


def test_the_example_discriminates():
    # the Frobenius pairing of the Cookbook's form double-counts the off-diagonal entry; its own pairing does not
    d = np.asarray(identities.get("structured.tr_AX_sym_mc").closed_form(A, X))
    # sums of a few products of O(1) numbers, in different orders: equal to a few ulps of the terms
    tol = 16 * np.finfo(float).eps * float(np.sum(np.abs(A)) * np.max(np.abs(V)) + np.sum(np.abs(d * V)))
    assert np.sum(d * V) == pytest.approx(2 * np.trace(A @ V), rel=0, abs=tol)
    assert float(pairing("mc_sym", d, V)) == pytest.approx(np.trace(A @ V), rel=0, abs=tol)


STRUCTURED = [i for i in identities.catalog() if i.convention != "full" and i.kind == "jacobian"]


@pytest.mark.parametrize("ident", STRUCTURED, ids=lambda i: i.id)
def test_other_conventions_fail(ident):
    """Its own pairing gives JAX's directional derivatives; under any other convention verification fails."""
    args = draw_inputs(ident, np.random.default_rng(1), ident.size_assignments()[0])
    vals = [args[a] for a in ident.argnames]
    closed = np.asarray(ident.closed(*vals))
    G = np.asarray(jax.jacfwd(ident.f, argnums=ident.wrt_index)(*vals))
    dirs = _directions(ident, args[ident.wrt].shape)
    jvps = _contract_in(G, dirs, 2)
    own = _contract_in(_paired(ident, closed, 2), dirs, 2)
    np.testing.assert_allclose(own, jvps, rtol=1e-9, atol=1e-9 * np.max(np.abs(jvps)))
    for other in sorted(set(PAIRINGS) - {ident.convention}):
        mapped = CONVENTION_MAPS.get(other, lambda g: g)(G)
        if np.allclose(mapped, CONVENTION_MAPS[ident.convention](G)):
            continue  # the conventions coincide on this derivative
        # declared under ``other``, the jacfwd/jacrev comparisons of verify would fail
        assert not np.allclose(closed, mapped), f"{ident.id}: closed form equals the {other!r} map"
        wrong = dataclasses.replace(ident, convention=other)
        paired = _contract_in(_paired(wrong, closed, 2), dirs, 2)
        if not np.allclose(paired, own):  # the pairings differ on this tangent space: the directional test fails too
            assert not np.allclose(paired, jvps)
