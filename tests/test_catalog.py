"""Every identity in the registry against jacfwd/jacrev/grad (or hessian/jvp/vjp) and finite differences,
on inputs hypothesis draws from the declared shapes and preconditions."""

from __future__ import annotations

import numpy as np
import pytest
from _support import sized_params
from hypothesis import given
from hypothesis import strategies as st

import identities
from identities import strategies
from identities.verify import check_examples, check_inputs


@pytest.mark.parametrize(("ident", "sizes"), sized_params())
@given(data=st.data())
def test_closed_form_matches_references(ident, sizes, data):
    args = data.draw(strategies.inputs(ident, sizes), label="inputs")
    extra = data.draw(strategies.extra_for(ident, sizes), label="tangent/cotangent")
    results = check_inputs(ident, args, extra)
    expected = {
        "jacobian": {"jacfwd", "jacrev", "grad (jax)", "fd (re)", "fd (im)"}
        if ident.is_complex
        else {"jacfwd", "jacrev", "fd"},
        "hessian": {"hessian", "jacrev(jacrev)", "fd2"},
        "jvp": {"jvp", "jacfwd·v", "fd"},
        "vjp": {"vjp", "jacrev·g", "fd (dot test)"},
    }[ident.kind]
    assert expected <= {r.check for r in results}, "a reference check is missing"
    failures = [r.describe(ident.id) for r in results if not r.ok]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("ident", [i for i in identities.catalog() if i.examples], ids=lambda i: i.id)
def test_known_answers(ident):
    results = check_examples(ident)
    assert len(results) == len(ident.examples)
    failures = [r.describe(ident.id) for r in results if not r.ok]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("ident", identities.catalog(), ids=lambda i: i.id)
def test_closed_form_shape_is_jax_layout(ident):
    """The closed form's shape is out + in (jacobian), in + in (hessian), out (jvp), in (vjp)."""
    import jax

    sizes = ident.size_assignments()[0]
    shapes = ident.arg_shapes(sizes)
    specs = [jax.ShapeDtypeStruct(shapes[a], np.dtype(ident.dtype(a))) for a in ident.argnames]
    out = ident.out_shape(sizes)
    w = shapes[ident.wrt]
    if ident.kind in ("jvp", "vjp"):
        specs.append(jax.ShapeDtypeStruct(w if ident.kind == "jvp" else out, np.float64))
    got = jax.eval_shape(ident.closed, *specs)
    if ident.complex_form == "pair":  # (∂f/∂z, ∂f/∂z̄), each in JAX layout
        assert got[0].shape == got[1].shape
        got = got[0]
    got = got.shape
    want = {"jacobian": out + w, "hessian": w + w, "jvp": out, "vjp": w}[ident.kind]
    assert tuple(got) == tuple(want)
