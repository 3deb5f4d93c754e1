"""Layout conversions: the table in identities.layout, round trips, and the seeds' own examples."""

from __future__ import annotations

import numpy as np
import pytest
from _support import counting_lowerings

import identities
from identities.layout import from_jax, layout_shape, to_jax

# (out shape, in shape) -> (numerator shape, denominator shape), from docs/layouts.md
TABLE = [
    ((), (), (), ()),
    ((), (4,), (1, 4), (4, 1)),
    ((), (3, 4), (4, 3), (3, 4)),
    ((5,), (), (5, 1), (1, 5)),
    ((5,), (4,), (5, 4), (4, 5)),
    ((3, 4), (), (3, 4), (4, 3)),
    ((2,), (3, 4), (2, 3, 4), (3, 4, 2)),
    ((2, 5), (3, 4), (2, 5, 3, 4), (3, 4, 2, 5)),
]


@pytest.mark.parametrize(("out", "inp", "num", "den"), TABLE)
def test_layout_shapes_and_round_trip(out, inp, num, den):
    assert layout_shape(out, inp, "numerator") == num
    assert layout_shape(out, inp, "denominator") == den
    d = np.random.default_rng(0).normal(size=out + inp)
    for lay in ("jax", "numerator", "denominator"):
        np.testing.assert_array_equal(to_jax(from_jax(d, (len(out), len(inp)), lay), (len(out), len(inp)), lay), d)


def test_tensor_denominator_moves_input_axes_first():
    d = np.random.default_rng(1).normal(size=(2, 5, 3, 4))
    den = from_jax(d, (2, 2), "denominator")
    assert den[1, 2, 0, 3] == d[0, 3, 1, 2]


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="unknown layout"):
        from_jax(np.zeros(3), (0, 1), "row-major")


def test_scalar_by_matrix_layouts():
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    ident = identities.get("vector.aTXb")
    X = np.zeros((2, 3))
    np.testing.assert_array_equal(ident.closed_form(a, X, b, layout="denominator"), np.outer(a, b))
    np.testing.assert_array_equal(ident.closed_form(a, X, b, layout="numerator"), np.outer(b, a))


def test_gradient_row_and_column():
    ident = identities.get("norms.l2")
    x = np.array([3.0, 4.0])
    assert ident.closed_form(x, layout="numerator").shape == (1, 2)  # seed 001: gradients are rows
    assert ident.closed_form(x, layout="denominator").shape == (2, 1)  # seed 002: gradients are columns


@pytest.mark.parametrize("ident", identities.catalog(), ids=lambda i: i.id)
def test_every_identity_converts_to_both_layouts(ident):
    from identities.verify import draw_extra, draw_inputs, extra_shape, raw_draw

    rng = np.random.default_rng(0)
    sizes = ident.size_assignments()[0]
    args = draw_inputs(ident, rng, sizes)
    call = [args[a] for a in ident.argnames]
    es = extra_shape(ident, sizes)
    if es is not None:
        call.append(draw_extra(ident, args, raw_draw(rng, es)))
    j = np.asarray(ident.closed_form(*call))
    with counting_lowerings() as lowered:  # evaluated again: JAX's caches hold every program it needs
        again = np.asarray(ident.closed_form(*call))
    assert not lowered, f"{ident.id}: closed_form lowered {len(lowered)} program(s) again on the same inputs"
    np.testing.assert_array_equal(again, j)
    out = ident.out_shape(sizes)
    w = ident.arg_shapes(sizes)[ident.wrt]
    for lay in ("numerator", "denominator"):
        got = np.asarray(ident.closed_form(*call, layout=lay))
        if ident.kind in ("jvp", "vjp"):
            # a JVP is shaped like f's output and a VJP like the variable: there is no layout to choose, so
            # every layout returns JAX's array, unchanged
            np.testing.assert_array_equal(got, j)
            continue
        # a Hessian is the Jacobian of the gradient: its "output" has the variable's shape
        of = w if ident.kind == "hessian" else out
        assert got.shape == layout_shape(of, w, lay), f"{ident.id}: {lay} layout has shape {got.shape}"
        np.testing.assert_array_equal(to_jax(got, (len(of), len(w)), lay), j)
