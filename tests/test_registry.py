"""The registry itself: ids, records, LaTeX that renders, lookups, and the public API."""

from __future__ import annotations

import math_core
import numpy as np
import pytest

import identities
from identities._core import KINDS, REFERENCES

RENDER = math_core.LatexToMathML()


def test_catalog_is_the_registry_in_order():
    cat = identities.catalog()
    assert [i.id for i in cat] == list(identities.REGISTRY)
    assert len({i.id for i in cat}) == len(cat)
    assert len(cat) >= 45


@pytest.mark.parametrize("ident", identities.catalog(), ids=lambda i: i.id)
def test_record_is_complete(ident):
    assert ident.id == f"{ident.family}.{ident.name}"
    assert ident.kind in KINDS
    assert ident.sources and all(s.ref in REFERENCES for s in ident.sources)
    assert ident.tex.f and ident.tex.num and ident.tex.den
    assert set(ident.shapes) == set(ident.argnames)
    assert ident.wrt in ident.argnames


@pytest.mark.parametrize("ident", identities.catalog(), ids=lambda i: i.id)
def test_latex_renders_in_both_layouts(ident):
    """Every LaTeX string converts to MathML (math-core raises on unknown commands and unbalanced braces)."""
    for part in (ident.tex.f, ident.tex.num, ident.tex.den, ident.tex.lhs(ident.wrt, ident.kind), ident.tex.where):
        if part:
            html = RENDER.convert_with_local_state(part, displaystyle=True)
            assert html.startswith("<math")


def test_bad_latex_is_caught():
    with pytest.raises(math_core.LatexError):
        RENDER.convert_with_local_state(r"\frac{a}{b", displaystyle=True)


@pytest.mark.parametrize(
    ("key", "want"),
    [
        ("norms.l2", "norms.l2"),
        ("dK/dR", "tensors.dK_dR"),
        ("d(Ax)/dA", "tensors.dAx_dA"),
        ("MC(70)", "vector.aTXb"),
        ("mc70", "vector.aTXb"),
        ("MC 61", "matrix.aT_Xinv_b"),
        ("drone", "norms.drone_speed"),
        ("kmeans", "losses.kmeans"),
    ],
)
def test_lookup_by_id_alias_and_cookbook_number(key, want):
    assert identities.get(key).id == want


def test_unknown_id_suggests_close_matches():
    with pytest.raises(identities.UnknownIdentityError, match=r"did you mean norms\.l2"):
        identities.get("nrom.l2")


def test_closed_form_api_and_report():
    ident = identities.get("norms.l2")
    # ‖(3, 4)‖ = 5 exactly, then one correctly rounded division per entry: within half an ulp
    np.testing.assert_allclose(
        ident.closed_form(np.array([3.0, 4.0])), [0.6, 0.8], rtol=np.finfo(float).eps / 2, atol=0
    )
    rep = identities.verify(ident, examples=1)
    assert rep.ok and {"jacfwd", "jacrev", "grad", "fd"} <= set(rep.checks)
    d = rep.to_dict()
    assert d["identity"] == "norms.l2" and d["checks"]["fd"]["ok"]


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        ((np.ones(3),), identities.ArityError, "missing argument"),
        ((np.ones((2, 3)), np.ones(2)), identities.ShapeError, "dimension n is 3"),
        ((np.ones((2, 3)), np.ones(2, dtype=np.int32)), identities.DTypeError, "argument x has integer dtype"),
        ((np.ones((2, 3)), np.array([1.0, np.nan, 2.0])), identities.NonFiniteError, "argument x has a non-finite"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(args, error, words):
    with pytest.raises(error, match=words):
        identities.get("vector.Ax").closed_form(*args)


def test_precondition_errors_name_argument_and_numbers():
    with pytest.raises(identities.PreconditionError, match=r"argument x is zero"):
        identities.get("norms.l2").closed_form(np.zeros(3))
    with pytest.raises(identities.PreconditionError, match=r"argument X is singular to working precision: cond"):
        identities.get("matrix.det_X").closed_form(np.ones((3, 3)))
    W = np.array([[1.0, 0.73], [0.0, 1.0]])
    with pytest.raises(identities.PreconditionError, match=r"W is not symmetric: max \|W - W\^T\| = 0.73"):
        identities.get("losses.weighted_least_squares").closed_form(np.ones(2), np.ones((2, 1)), np.ones(1), W)
    # the check can be switched off explicitly
    out = identities.get("losses.weighted_least_squares").closed_form(
        np.ones(2), np.ones((2, 1)), np.ones(1), W, check=False
    )
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize(
    "upstream, error",
    [
        ("pytorch/pytorch#47599", TypeError),  # a string, not a tuple
        (("pytorch#47599",), ValueError),  # no owner
        (("jax-ml/jax#0",), ValueError),
        (("none found", "jax-ml/jax#4646"), ValueError),
    ],
)
def test_special_point_upstream_references_are_checked(upstream, error):
    with pytest.raises(error, match="upstream"):
        identities.SpecialPoint(label="x = 0", args={}, math="m", upstream=upstream)


def test_special_point_upstream_renders_as_links():
    from identities.special import upstream_cell

    sp = identities.SpecialPoint(label="x", args={}, math="m", upstream=("jax-ml/jax#4646", "pytorch/pytorch#47599"))
    assert upstream_cell(sp) == (
        "[jax#4646](https://github.com/jax-ml/jax/issues/4646), "
        "[pytorch#47599](https://github.com/pytorch/pytorch/issues/47599)"
    )
    assert (
        upstream_cell(identities.SpecialPoint(label="x", args={}, math="m", upstream=("none found",))) == "none found"
    )
