"""Negative controls for check(): every wrong candidate caught, every known mistake named, no correct
candidate rejected (issue 5, item 6).

Wrong candidates are built from the catalog's own closed forms (transposed, scaled, sign-flipped, given in
the other layout where the shapes cannot tell) for a spread of identities, plus hand-written classics:
formulas that hold only for symmetric inputs and derivatives with a term of the product rule dropped.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities.layout import LAYOUTS, from_jax
from identities.verify import compiled, draw_inputs

SPREAD = [
    "vector.Ax",
    "vector.aTXb",
    "vector.xTAx",
    "matrix.tr_XA",
    "matrix.det_X",
    "matrix.logabsdet_X",
    "matrix.inv_X",
    "norms.l2",
    "tensors.dK_dR",
    "tensors.dAx_dA",
    "losses.least_squares",
    "scalar.product",
]


def _closed(ident):
    return compiled(ident).closed


def _ndims(ident, args):
    ref = np.asarray(_closed(ident)(*args))
    q = np.ndim(args[ident.wrt_index])
    return (q, q) if ident.kind == "hessian" else (ref.ndim - q, q)


def _example(ident):
    args = draw_inputs(ident, np.random.default_rng(0), ident.size_assignments()[0])
    return tuple(args[a] for a in ident.argnames)


@pytest.mark.parametrize("ident_id", SPREAD)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_correct_candidate_in_every_layout_is_ok(ident_id, layout):
    ident = identities.get(ident_id)
    closed = _closed(ident)

    def df(*a):
        return from_jax(np.asarray(closed(*a)), _ndims(ident, a), layout)

    r = identities.check_identity(ident, df, layout=layout, examples=1)
    assert r.ok, str(r)


MISTAKES = {
    "scaled": (lambda d: 2 * d, "scaled by 2"),
    "halved": (lambda d: 0.5 * d, "scaled by 0.5"),
    "sign-flipped": (lambda d: -d, "sign is flipped"),
}


@pytest.mark.parametrize("ident_id", SPREAD)
@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_scaled_and_sign_flipped_are_caught_and_named(ident_id, mistake):
    ident = identities.get(ident_id)
    closed = _closed(ident)
    wrongly, words = MISTAKES[mistake]
    r = identities.check_identity(ident, lambda *a: wrongly(np.asarray(closed(*a))), examples=1)
    assert not r.ok, f"{mistake} candidate for {ident_id} passed"
    assert words in (r.diagnosis or ""), str(r)


TRANSPOSABLE = [i for i in SPREAD if i not in ("norms.l2", "losses.least_squares", "scalar.product", "vector.xTAx")]


@pytest.mark.parametrize("ident_id", TRANSPOSABLE)
def test_transposed_is_caught_and_named(ident_id):
    ident = identities.get(ident_id)
    closed = _closed(ident)
    r = identities.check_identity(ident, lambda *a: jnp.swapaxes(closed(*a), -1, -2), examples=1)
    assert not r.ok
    assert any(w in (r.diagnosis or "") for w in ("transpose", "swapped", "layout")), str(r)


SQUARE_LAYOUTS = ["vector.aTXb", "matrix.tr_XA", "matrix.det_X", "matrix.logabsdet_X", "tensors.dK_dR"]


@pytest.mark.parametrize("ident_id", SQUARE_LAYOUTS)
@pytest.mark.parametrize(("given", "declared"), [("denominator", "numerator"), ("numerator", "denominator")])
def test_wrong_layout_where_shapes_cannot_tell(ident_id, given, declared):
    """On square inputs the two layouts have the same shape: only the values can tell them apart."""
    ident = identities.get(ident_id)
    closed = _closed(ident)
    sizes = {d: 3 for d in ident.dims}  # every dimension equal: all shapes square
    args = draw_inputs(ident, np.random.default_rng(1), sizes)
    a = tuple(args[n] for n in ident.argnames)
    nd = _ndims(ident, a)
    d = np.asarray(closed(*a))
    assert np.shape(from_jax(d, nd, given)) == np.shape(from_jax(d, nd, declared))
    r = identities.check(
        ident.f, lambda *a: from_jax(np.asarray(closed(*a)), nd, given), *a, wrt=ident.wrt, layout=declared
    )
    assert not r.ok
    assert f"{given} layout" in r.diagnosis, str(r)


def test_symmetric_only_formulas_are_named():
    r = identities.check_identity("vector.xTAx", lambda x, A: 2 * A @ x)
    assert not r.ok and "symmetric A" in r.diagnosis
    rng = np.random.default_rng(2)
    X, A = rng.normal(size=(2, 3)), rng.normal(size=(3, 3))
    f = lambda X, A: jnp.trace(X @ A @ X.T)
    assert identities.check(f, lambda X, A: X @ (A + A.T), X, A).ok
    r = identities.check(f, lambda X, A: 2 * X @ A, X, A)
    assert not r.ok and "symmetric A" in r.diagnosis, str(r)
    # and the candidate is right when A is symmetric: not a false alarm
    S = (A + A.T) / 2
    assert identities.check(f, lambda X, A: 2 * X @ A, X, S).ok


def test_dropped_terms_are_named():
    r = identities.check_identity("vector.xTAx", lambda x, A: A @ x)
    assert not r.ok and "dropped term" in r.diagnosis, str(r)
    r = identities.check_identity("tensors.dK_dR", lambda R: jnp.einsum("jp,iq->pqij", jnp.eye(R.shape[1]), R))
    assert not r.ok and "dropped term" in r.diagnosis, str(r)
    x = np.random.default_rng(3).normal(size=4)
    r = identities.check(lambda x: jnp.sum(x * jnp.sin(x)), lambda x: jnp.sin(x), x)
    assert not r.ok and "dropped term" in r.diagnosis and "`mul`" in r.diagnosis, str(r)


def test_unrelated_wrong_candidate_is_caught_without_a_false_name():
    r = identities.check_identity("matrix.inv_X", lambda X: jnp.zeros((X.shape[0],) * 4) + 1.0)
    assert not r.ok
    r = identities.check_identity("vector.Ax", lambda A, x: A + 1e-3)
    assert not r.ok and r.diagnosis is None


def test_held_constant_jacobians_are_those_of_each_call():
    """terms.partial_jacobians compiles one program per function and argument shapes: each call gets its own
    function's Jacobians at its own shapes, whatever was computed before. For f = Σ x·g(x), holding x
    constant leaves x·g'(x), holding g(x) constant leaves g(x)."""
    from identities.terms import partial_jacobians

    def with_sin(x):
        return jnp.sum(x * jnp.sin(x) * jnp.ones(x.shape))  # ones: a program of x's shape only

    def with_exp(x):
        return jnp.sum(x * jnp.exp(x))

    rng = np.random.default_rng(5)
    for f, g, dg in ((with_sin, np.sin, np.cos), (with_exp, np.exp, np.exp), (with_sin, np.sin, np.cos)):
        for n in (3, 4, 3):
            x = rng.normal(size=n)
            (first, held_x), (second, held_g) = partial_jacobians(f, [x], 0)
            assert "operand 1 of `mul`" in first and "operand 2 of `mul`" in second
            np.testing.assert_allclose(held_x, x * dg(x), rtol=1e-14)
            np.testing.assert_allclose(held_g, g(x), rtol=1e-14)


def test_held_constant_jacobians_of_a_callable_without_a_hash():
    """A user's f may be an object that defines equality and so has no hash: the dropped-term search still
    runs (its program is not cached)."""
    from identities.terms import partial_jacobians

    class Product:
        def __eq__(self, other):
            return isinstance(other, Product)

        def __call__(self, x):
            return jnp.sum(x * jnp.sin(x))

    x = np.random.default_rng(7).normal(size=3)
    (_, held_x), (_, held_g) = partial_jacobians(Product(), [x], 0)
    np.testing.assert_allclose(held_x, x * np.cos(x), rtol=1e-14)
    np.testing.assert_allclose(held_g, np.sin(x), rtol=1e-14)
