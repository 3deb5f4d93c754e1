"""identities.check / check_identity / testing.assert_gradient / the `check` CLI: the report and its parts."""

from __future__ import annotations

import json

import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities.__main__ import main
from identities.testing import assert_gradient, assert_identity

# fixed inputs, drawn once at import (the same whatever runs); tests draw more from the `rng` fixture
_draw = np.random.default_rng(7)
A = _draw.normal(size=(3, 3))
x = _draw.normal(size=3)
del _draw


def quad(x, A):
    return x @ A @ x


def test_correct_candidate_is_ok_and_report_is_readable():
    r = identities.check(quad, lambda x, A: (A + A.T) @ x, x, A)
    assert r.ok and bool(r) and r.max_abs_error < 1e-12 and r.reference == "jax.jacobian"
    text = str(r)
    assert text.startswith("ok") and "worst element" in text and "diagnosis" not in text


def test_wrong_candidate_reports_worst_element_with_both_values():
    r = identities.check(quad, lambda x, A: 2 * A @ x, x, A)
    assert not r.ok and r.max_rel_error > 1e-3
    ref = (A + A.T) @ x
    i = r.worst_index
    # the reference is jax.jacobian's, which sums the same three products in another order: a few ulps of the
    # terms; the candidate's value is the candidate's own number, reported unchanged
    terms = float((np.abs(A) + np.abs(A.T)) @ np.abs(x) @ np.ones(3))
    assert r.reference_value == pytest.approx(ref[i], rel=0, abs=8 * np.finfo(float).eps * terms)
    assert r.candidate_value == (2 * A @ x)[i]
    assert "WRONG" in str(r) and "diagnosis" in str(r)
    assert json.dumps(r.to_dict())


def test_wrt_by_name_and_index_agree():
    g = lambda A, x: A @ x
    assert identities.check(g, lambda A, x: A, A, x, wrt="x", layout="numerator").ok
    assert identities.check(g, lambda A, x: A, A, x, wrt=1, layout="numerator").ok
    with pytest.raises(ValueError, match="not a parameter"):
        identities.check(g, lambda A, x: A, A, x, wrt="y")


def test_pure_numpy_f_uses_finite_differences():
    def f_np(x, A):  # not traceable by JAX: converts to NumPy and uses Python floats
        x = np.asarray(x)
        return float(x @ np.asarray(A) @ x)

    r = identities.check(f_np, lambda x, A: (A + A.T) @ x, x, A)
    assert r.ok and "central differences" in r.reference
    bad = identities.check(f_np, lambda x, A: -(A + A.T) @ x, x, A)
    assert not bad.ok and bad.diagnosis == "the sign is flipped"


def test_candidates_may_return_numpy_jax_or_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'identities[torch]')")
    f = lambda X: jnp.linalg.slogdet(X)[1]
    X = A + 4 * np.eye(3)
    assert identities.check(f, lambda X: np.linalg.inv(X).T, X).ok
    assert identities.check(f, lambda X: jnp.linalg.inv(X).T, X).ok
    assert identities.check(f, lambda X: torch.linalg.inv(torch.as_tensor(X)).T, X).ok
    r32 = identities.check(f, lambda X: torch.linalg.inv(torch.as_tensor(X, dtype=torch.float32)).T, X)
    assert r32.ok and r32.tolerance > 1e-6  # float32 candidates get float32 tolerances


def test_shapes_fitting_no_layout_say_what_each_layout_expects(rng):
    B = rng.normal(size=(2, 3))
    r = identities.check(lambda B, x: B @ x, lambda B, x: B[:, :2], B, x, wrt="x", layout="numerator")
    assert not r.ok
    assert "fits no layout" in r.diagnosis
    assert "numerator layout expects (2, 3)" in r.diagnosis and "denominator layout expects (3, 2)" in r.diagnosis


def test_right_values_in_the_other_layout_by_shape(rng):
    B = rng.normal(size=(2, 3))
    r = identities.check(lambda B, x: B @ x, lambda B, x: B.T, B, x, wrt="x", layout="numerator")
    assert not r.ok and "denominator layout" in r.diagnosis and "layout='denominator'" in r.diagnosis


def test_check_identity_uses_several_examples_of_distinct_sizes():
    r = identities.check_identity("vector.xTAx", lambda x, A: (A + A.T) @ x)
    assert r.ok and r.examples == 4 and r.name == "vector.xTAx"
    bad = identities.check_identity("vector.xTAx", lambda x, A: 2 * A @ x)
    assert not bad.ok and "symmetric" in bad.diagnosis and "example" in bad.where


def test_check_identity_hessian_kind():
    ident = identities.get("norms.l2_hessian")
    assert identities.check_identity(ident, lambda x: ident.closed(x)).ok
    assert not identities.check_identity(ident, lambda x: 2 * ident.closed(x)).ok


def test_assert_gradient_raises_with_the_report():
    assert_gradient(quad, lambda x, A: (A + A.T) @ x, x, A)
    with pytest.raises(AssertionError, match="sign is flipped"):
        assert_gradient(quad, lambda x, A: -(A + A.T) @ x, x, A)
    assert_identity("matrix.tr_XA", lambda X, A: A, layout="numerator")
    with pytest.raises(AssertionError, match="numerator layout"):
        assert_identity("matrix.tr_XA", lambda X, A: A, layout="denominator")


def test_strategies_are_public_and_work_with_assert_gradient():
    from hypothesis import given

    from identities import strategies as st

    @given(st.structured(st.SPD, (3, 3)))
    def user_test(X):
        assert_gradient(lambda X: jnp.linalg.slogdet(X)[1], lambda X: np.linalg.inv(X), X)

    user_test()


USER_FILE = """
import numpy as np

def good(x, A):
    return (A + A.T) @ x

def symmetric_only(x, A):
    return 2 * A @ x
"""


def test_cli_check_exit_status(tmp_path, capsys):
    f = tmp_path / "mine.py"
    f.write_text(USER_FILE)
    assert main(["check", f"{f}:good", "--identity", "vector.xTAx"]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["check", f"{f}:symmetric_only", "--identity", "vector.xTAx"]) == 1
    assert "symmetric" in capsys.readouterr().out
    assert main(["check", f"{f}:good", "--identity", "vector.xTAx", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert main(["check", f"{f}:missing", "--identity", "vector.xTAx"]) == 2
    assert "no function 'missing'" in capsys.readouterr().err


# --- candidates that cannot be evaluated: typed errors, never a verdict ------------------------------------
def test_candidate_with_the_wrong_arguments_is_an_arity_error_naming_both():
    def mine(A, X, B):
        return A

    with pytest.raises(identities.ArityError, match=r"the candidate mine takes \(A, X, B\).*\(X, A\)"):
        identities.check_identity("MC(100)", mine)
    with pytest.raises(identities.ArityError, match=r"takes \(x\), but is called with the 2 argument\(s\) \(x, A\)"):
        identities.check(quad, lambda x: x, x, A)


def test_candidate_that_raises_is_a_candidate_error_chained_to_its_exception():
    def boom(x, A):
        raise ZeroDivisionError("no")

    with pytest.raises(identities.CandidateError, match=r"the candidate boom raised ZeroDivisionError: no") as e:
        identities.check(quad, boom, x, A)
    assert isinstance(e.value.__cause__, ZeroDivisionError)
    with pytest.raises(identities.CandidateError, match=r"\*args.*could not be checked"):
        identities.check_identity("vector.xTAx", lambda *args: args[5])


@pytest.mark.parametrize("value", ["text", None, {"a": 1}, [[1.0], [1.0, 2.0]]], ids=["str", "None", "dict", "ragged"])
def test_candidate_returning_no_number_array_is_a_dtype_error(value):
    with pytest.raises(identities.DTypeError, match="the candidate <lambda>'s value is not a number array"):
        identities.check(quad, lambda x, A: value, x, A)


def test_candidate_with_the_wrong_shape_or_nan_is_a_verdict():
    assert not identities.check(quad, lambda x, A: np.zeros(5), x, A).ok
    r = identities.check_identity("vector.xTAx", lambda x, A: np.full(x.shape, np.nan))
    assert not r.ok and "non-finite" in r.diagnosis


def test_candidate_with_reordered_parameters_gets_a_note():
    r = identities.check_identity("MC(100)", lambda A, X: A.T)
    assert not r.ok and any("its A receives X, its X receives A" in n for n in r.notes)


# --- points where the reference is not finite (issue 18 item 6) ------------------------------------------
def test_valid_subgradient_at_a_charted_kink_is_ok_and_names_the_point():
    """‖x‖₂ at 0: JAX's reference is NaN (0/0); any g with ‖g‖₂ ≤ 1 is a valid subgradient, and the
    verdict is taken from the point norms.l2 charts, not from the NaN."""
    for g in (np.zeros(3), np.array([0.6, 0.0, -0.8])):
        report = identities.check(jnp.linalg.norm, lambda x, g=g: g, np.zeros(3))
        assert report.ok and report.verdict == "ok", str(report)
        assert report.point == "norms.l2 at x = 0"
        assert "norms.l2 at x = 0" in str(report) and "nan" not in str(report).split("note")[0]


def test_candidate_outside_the_subdifferential_is_wrong_with_the_reason():
    report = identities.check(jnp.linalg.norm, lambda x: np.ones(3), np.zeros(3))
    assert not report.ok and report.verdict == "WRONG" and report.decided
    assert report.diagnosis.startswith("the candidate is not in the set of valid answers at norms.l2 at x = 0")
    assert "closed unit ball" in report.diagnosis
    # a NumPy f (finite differences, which measure nothing across a kink) is judged by the point too
    numpy_f = identities.check(lambda x: np.linalg.norm(x), lambda x: np.full(3, 0.5), np.zeros(3))
    assert numpy_f.ok and numpy_f.point == "norms.l2 at x = 0"


def test_a_different_function_at_the_same_arguments_is_not_judged_by_that_point():
    """x ↦ 2‖x‖₂ at 0 has the ball of radius 2 as subdifferential: norms.l2's point does not apply."""
    report = identities.check(lambda x: 2 * jnp.linalg.norm(x), lambda x: np.zeros(3), np.zeros(3))
    assert report.point == "" and report.verdict == "no verdict"


@pytest.mark.parametrize(
    ("f", "x"),
    [(jnp.linalg.norm, np.zeros(4)), (lambda x: jnp.sqrt(jnp.abs(x)), 0.0)],
    ids=["norm-uncharted-size", "sqrt-abs-inf"],
)
def test_non_finite_reference_at_an_uncharted_point_gives_no_verdict(f, x):
    """No charted point: the report says the reference is not finite and that no judgement is possible.
    It is not a pass (before: a NaN reference gave 'WRONG ... tolerance nan', an inf one 'ok')."""
    report = identities.check(f, lambda x: np.zeros(np.shape(x)), x)
    assert not report.ok and not report.decided and report.verdict == "no verdict"
    assert report.diagnosis.startswith("the reference is not finite here")
    assert "cannot be judged" in report.diagnosis and str(report).startswith("no verdict")
    assert report.to_dict()["verdict"] == "no verdict"
