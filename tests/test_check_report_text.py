"""The text of a check report: the worst example's place ("at ...") is shown for a WRONG verdict only, and
a report with no example place shows no empty "at" line (found by the mutation pass of issue 18)."""

from __future__ import annotations

import numpy as np
import pytest

import identities


def _at_lines(report) -> list[str]:
    return [ln for ln in str(report).splitlines() if ln.strip().startswith("at ")]


def test_check_identity_shows_where_only_when_wrong():
    good = identities.check_identity("vector.Ax", lambda A, x: A)
    assert good.ok and good.where and not _at_lines(good)
    bad = identities.check_identity("vector.Ax", lambda A, x: 2 * A)
    assert not bad.ok and _at_lines(bad) == [f"  at            {bad.where}"]


def test_check_has_no_example_place():
    x = np.array([0.5, -1.0, 2.0])
    good = identities.check(lambda x: x @ x, lambda x: 2 * x, x)
    bad = identities.check(lambda x: x @ x, lambda x: 3 * x, x)
    assert good.ok and not bad.ok and not good.where and not bad.where
    assert not _at_lines(good) and not _at_lines(bad)


def test_a_layout_given_for_a_jvp_gets_a_note_and_jax_layout_none():
    ident = identities.get("giles.inverse_jvp")

    def jvp(X, dX):  # the JVP of X⁻¹: −X⁻¹ dX X⁻¹
        Y = np.linalg.inv(X)
        return -Y @ dX @ Y

    note = "jvp results are plain arrays; layout='numerator' does not apply"
    assert note in identities.check_identity(ident, jvp, layout="numerator").notes
    assert not any("does not apply" in n for n in identities.check_identity(ident, jvp, layout="jax").notes)


def test_a_single_non_finite_entry_is_named_where_it_is():
    x = np.array([0.5, -1.0, 2.0])
    r = identities.check(lambda x: x @ x, lambda x: np.array([1.0, np.nan, 4.0]), x)
    assert not r.ok and r.worst_index == (1,) and np.isnan(r.candidate_value) and r.reference_value == -2.0
    assert r.diagnosis == "the candidate has a non-finite entry"


def test_an_arity_error_shows_keyword_only_parameters_after_a_bare_star():
    x = np.array([0.5, -1.0, 2.0])

    def kw_only(x, *, scale):
        return 2 * scale * x

    def star_args(x, *rest, scale=1.0):
        raise ValueError("not implemented")

    with pytest.raises(identities.ArityError, match=r"takes \(x, \*, scale\)"):
        identities.check(lambda x: x @ x, kw_only, x)
    with pytest.raises(identities.CandidateError, match=r"it takes \(x, \*rest, scale\)"):
        identities.check(lambda x: x @ x, star_args, x)


def test_bfloat16_candidates_are_read_and_record_arrays_refused():
    import jax.numpy as jnp

    x = np.array([0.5, -1.0, 2.0])
    r = identities.check(lambda x: x @ x, lambda x: jnp.asarray(2 * x, dtype=jnp.bfloat16), x, rtol=1e-2)
    assert r.ok  # 2x is exact in bfloat16 here: 1, -2, 4
    record = np.zeros(3, dtype=[("a", "f8")])
    with pytest.raises(identities.DTypeError, match="is not a number array"):
        identities.check(lambda x: x @ x, lambda x: record, x)
