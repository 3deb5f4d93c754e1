"""The verifier must fail on wrong formulas: transposed, scaled by 2, sign-flipped, symmetric-only.

A checker that cannot fail is a defect: each wrong closed form below must be reported as failing, by
the same machinery (``check_inputs`` / ``verify``) that passes the catalog, with a diagnosis.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities.verify import check_inputs, draw_inputs, verify


def wrong(ident_id: str, closed, suffix: str):
    """A copy of a registered identity with a different closed form (not added to the registry)."""
    ident = identities.get(ident_id)
    return dataclasses.replace(ident, id=f"{ident.id}~{suffix}", closed=closed, examples=())


def _t_last2(a):
    return jnp.swapaxes(a, -1, -2)


CASES = [
    # (identity, wrong closed form, kind of mistake, words the diagnosis must contain)
    ("vector.Ax", lambda A, x: A.T, "transposed", "denominator layout"),
    ("vector.aTXb", lambda a, X, b: jnp.outer(b, a), "transposed", "numerator layout"),
    ("matrix.tr_XA", lambda X, A: A, "transposed", "numerator layout"),
    ("matrix.logabsdet_X", lambda X: jnp.linalg.inv(X), "transposed", "transpose"),
    ("matrix.det_X", lambda X: jnp.linalg.det(X) * jnp.linalg.inv(X), "transposed", "transpose"),
    ("tensors.dK_dR", lambda R: jnp.einsum("jp,iq->pqij", jnp.eye(R.shape[1]), R), "dropped term", None),
    ("norms.l2", lambda x: 2 * x / jnp.linalg.norm(x), "scaled", "scaled by 2"),
    ("norms.l2_squared", lambda x: x, "scaled", "scaled by 0.5"),
    ("scalar.square", lambda x: x, "scaled", "scaled by 0.5"),
    ("norms.drone_speed", lambda t: 8 * t / jnp.sqrt(1 + 4 * t**2), "scaled (the seed's erratum)", "scaled by 2"),
    ("losses.least_squares", lambda y, Phi, theta: -2 * ((Phi @ theta - y) @ Phi), "sign", "sign"),
    ("matrix.aT_Xinv_b", lambda a, X, b: jnp.outer(jnp.linalg.solve(X.T, a), jnp.linalg.solve(X, b)), "sign", "sign"),
    ("vector.xTAx", lambda x, A: 2 * A @ x, "symmetric-only", None),
    ("vector.xTAx", lambda x, A: 2 * x @ A, "symmetric-only (other side)", None),
    ("matrix.inv_X", lambda X: -jnp.einsum("ki,lj->klij", jnp.linalg.inv(X), jnp.linalg.inv(X)), "index order", None),
    ("tensors.dAx_dA", lambda A, x: 2 * jnp.eye(A.shape[0])[:, :, None] * x[None, None, :], "scaled", "scaled by 2"),
    (
        "scalar.chain_sin_x4_pow5",
        lambda x: 20 * jnp.sin(x**4) ** 4 * jnp.cos(x**4),
        "dropped factor (seed erratum)",
        None,
    ),
    ("norms.l2_hessian", lambda x: jnp.eye(x.shape[0]) / jnp.linalg.norm(x), "dropped term", None),
]


@pytest.mark.parametrize(("ident_id", "closed", "mistake", "words"), CASES, ids=[f"{c[0]}:{c[2]}" for c in CASES])
def test_wrong_closed_form_fails(ident_id, closed, mistake, words):
    bad = wrong(ident_id, closed, mistake)
    report = verify(bad, examples=2, seed=1)
    assert not report.ok, f"the verifier passed a {mistake} closed form for {ident_id}"
    failed = [c for c in report.checks.values() if not c.ok]
    assert failed or report.error
    # the finite-difference check, which trusts no autodiff, must catch it too
    assert "fd" in {c.check for c in failed} or "fd2" in {c.check for c in failed} or report.error
    if words:
        hints = " ".join((c.hint or "") for c in failed) + (report.error or "")
        assert words in hints, f"diagnosis {hints!r} does not name the mistake ({words!r})"


def test_symmetric_only_formula_passes_on_symmetric_inputs_and_fails_otherwise():
    """2Ax is right for symmetric A only: the verifier must tell the two input sets apart."""
    ident = identities.get("vector.xTAx")
    bad = wrong("vector.xTAx", lambda x, A: 2 * A @ x, "sym-only")
    rng = np.random.default_rng(3)
    args = draw_inputs(ident, rng, {"n": 4})
    sym = dict(args, A=(args["A"] + args["A"].T) / 2)
    assert all(r.ok for r in check_inputs(bad, sym))
    assert not all(r.ok for r in check_inputs(bad, args))


def test_weighted_least_squares_symmetric_form_is_wrong_for_general_W():
    """The catalog's form assumes symmetric W; with a non-symmetric W the references disagree with it."""
    ident = identities.get("losses.weighted_least_squares")
    rng = np.random.default_rng(4)
    args = draw_inputs(ident, rng, ident.size_assignments()[0])
    args["W"] = args["W"] + np.triu(np.ones_like(args["W"]), 1)  # break the symmetry
    results = check_inputs(ident, args)
    assert not any(r.ok for r in results if r.check in ("jacfwd", "jacrev", "fd"))
    with pytest.raises(identities.PreconditionError, match="W is not symmetric"):
        ident.closed_form(*(args[a] for a in ident.argnames))


def test_verifier_reports_crashing_closed_form():
    bad = wrong("vector.Ax", lambda A, x: A @ A, "crash")
    report = verify(bad, examples=1)
    assert not report.ok
    assert report.error or any(not c.ok for c in report.checks.values())


def test_cancellation_floor_passes_true_formula_and_still_fails_wrong_ones():
    """At the k-means centroids the gradient is ~1e-16 by cancellation: the plain relative comparison cannot
    pass the true formula there (rounding is eps times the terms), the floor (rtol x the terms) does, and
    formulas that are wrong at that point, by a little or a lot, still fail."""
    from identities.verify import _compare, compiled

    ident = identities.get("losses.kmeans")
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (3, 7))
    R = np.eye(2)[[0, 1, 0, 1, 0, 1, 1]]
    M = (X @ R) / R.sum(axis=0)  # the centroid update: the gradient vanishes here
    args = {"M": M, "X": X, "R": R}
    c = compiled(ident)
    a = (M, X, R)
    jacfwd = np.asarray(c.autodiff(*a)["jacfwd"])
    plain = _compare("jacfwd", np.asarray(c.closed(*a)), jacfwd, 1e-9)
    assert np.max(np.abs(jacfwd)) < 1e-14
    assert not plain.ok, "without the floor the true formula fails at a cancellation point (why the floor exists)"
    assert all(r.ok for r in check_inputs(ident, args))
    wrongs = [
        lambda M, X, R: 2 * (M * (jnp.sum(R, axis=0)[None, :] + 1) - X @ R),  # off-by-one count
        lambda M, X, R: 2 * (M * jnp.sum(R, axis=0)[None, :] - X @ R) + 1e-6 * M,  # wrong by 1e-6 of the terms
    ]
    for k, closed in enumerate(wrongs):
        bad = wrong("losses.kmeans", closed, f"floor-{k}")
        results = check_inputs(bad, args)
        assert not any(r.ok for r in results if r.check in ("jacfwd", "jacrev", "grad")), k


def _assert_batch_is_verify(members, verdicts, seed):
    """verify_batch of ``members`` (2 examples, 2 sizes) gives each identity verify()'s verdict, examples,
    sizes and checks, from the one joint program (no fallback to one by one), and these ``verdicts``."""
    from identities.verify import verify_batch

    reports, _ = verify_batch(members, examples=2, seed=seed, max_sizes=2)
    assert [r.ok for r in reports] == verdicts
    for ident, r in zip(members, reports, strict=True):
        alone = verify(ident, examples=2, seed=seed, max_sizes=2)
        assert (r.ok, r.examples, r.sizes, sorted(r.checks)) == (
            alone.ok,
            alone.examples,
            alone.sizes,
            sorted(alone.checks),
        )
        assert r.batch == len(members)


def test_verify_batch_agrees_with_verify_and_isolates_a_broken_identity():
    """A family verified as one program gives verify()'s verdicts; a wrong closed form in the batch still
    fails; one that raises while traced breaks the joint program, and then each identity is verified on
    its own, the error reported against the one that raised."""
    from identities.verify import verify_batch

    good = [identities.get(i) for i in ("matrix.tr_X", "matrix.det_X", "vector.Ax")]
    bad = wrong("vector.Ax", lambda A, x: A.T, "T")
    _assert_batch_is_verify([*good, bad], [True, True, True, False], seed=3)

    def raises(A, x):
        raise ValueError("boom")

    inputs = {"matrix.det_X": ({"X": np.eye(3) * 2.0}, None)}
    reports, closed = verify_batch([good[1], wrong("vector.Ax", raises, "raises")], 1, 0, 1, closed_inputs=inputs)
    assert reports[0].ok and reports[0].batch == 1 and reports[0].error is None
    assert not reports[1].ok and "boom" in reports[1].error
    # det(2I) (2I)^-1 = 4I: the LU of 2I and its adjugate are exact in binary arithmetic
    np.testing.assert_array_equal(closed["matrix.det_X"], 8.0 * np.eye(3) / 2.0)


def test_check_batch_gives_each_identity_its_own_results():
    """test_catalog's groups: one program for several identities, each judged at its own inputs. A wrong
    closed form fails where it stands in the batch and nowhere else, with check_inputs' results; one that
    raises while traced is named by the error; repeats are refused."""
    from identities.verify import check_batch

    rng = np.random.default_rng(5)
    good = [identities.get(i) for i in ("matrix.tr_X", "matrix.det_X", "vector.Ax")]
    bad = wrong("vector.Ax", lambda A, x: A.T, "T")
    members = [good[0], bad, good[1], good[2]]
    items = [(i, draw_inputs(i, rng, i.size_assignments()[0]), None) for i in members]
    results = check_batch(items)
    assert [all(r.ok for r in res) for res in results] == [True, False, True, True]
    for (ident, args, extra), res in zip(items, results, strict=True):
        alone = check_inputs(ident, args, extra)
        assert [(r.check, r.ok) for r in res] == [(r.check, r.ok) for r in alone]
        # two compiled programs may round differently: the errors agree to far below the tolerance
        for a, b in zip(res, alone, strict=True):
            e, e0 = a.max_abs_error, b.max_abs_error
            assert e == e0 or abs(e - e0) <= 1e-9 * max(e0, 1.0) + 1e-3 * b.tol, (ident.id, a.check, e, e0)

    def raises(A, x):
        raise ValueError("boom")

    broken = wrong("vector.Ax", raises, "raises")
    with pytest.raises(ValueError, match="boom") as info:
        check_batch([items[2], (broken, items[3][1], None)])
    assert any(broken.id in note for note in info.value.__notes__)
    with pytest.raises(ValueError, match="once"):
        check_batch([items[0], items[0]])


def test_complex_identities_batch_with_real_ones_and_keep_their_own_verdicts():
    """A complex identity's verification program joins its family's (verify_batch, check_batch): each gets
    the checks and verdicts of its own program, a wrong complex closed form (the conjugate of the right
    one) fails in the batch and nowhere else."""
    from identities.verify import check_batch

    good = [identities.get(i) for i in ("complex_basic.sq_abs", "complex_basic.z_squared", "matrix.tr_X")]
    sq_abs = good[0]
    bad = wrong("complex_basic.sq_abs", lambda z: jnp.conj(sq_abs.closed(z)), "conj")
    members = [good[0], bad, good[1], good[2]]
    _assert_batch_is_verify(members, [True, False, True, True], seed=4)
    rng = np.random.default_rng(6)
    items = [(i, draw_inputs(i, rng, i.size_assignments()[0]), None) for i in members]
    results = check_batch(items)
    assert [all(r.ok for r in res) for res in results] == [True, False, True, True]
    for (ident, args, extra), res in zip(items, results, strict=True):
        assert [(r.check, r.ok) for r in res] == [(r.check, r.ok) for r in check_inputs(ident, args, extra)]


def test_wrong_known_answer_fails_verify_and_names_the_example_and_its_source():
    """Known-answer negative control: the closed form is right, the worked number is wrong. verify (and
    verify_batch, which the docs build uses) must fail on the known-answer check alone, and the failure
    must name the example and the source that printed it."""
    from identities._core import Example, seed
    from identities.verify import verify_batch

    ident = identities.get("norms.l2")
    src = seed("000", "Problem 1 (planted wrong)")
    bad = dataclasses.replace(
        ident, id="norms.l2~wrong-example", examples=(Example({"x": [3.0, 4.0]}, [0.6, 0.8 + 1e-9], src),)
    )
    for report in (verify(bad, examples=1, seed=0, max_sizes=1), verify_batch([bad], 1, 0, 1)[0][0]):
        assert not report.ok
        failed = {c.check for c in report.checks.values() if not c.ok}
        assert failed == {"known answer"}, f"only the worked number is wrong, got failures {failed}"
        text = "\n".join(report.failures())
        assert "example 1 of 1 (seed 000 Problem 1 (planted wrong))" in text and "0.800000001" in text, text
    # the control: the registered, right worked number passes
    assert verify(ident, examples=1, seed=0, max_sizes=1).checks["known answer"].ok
    # in a family's program, where the known answers follow the docs' numeric example in the closed form's
    # calls: each worked number is judged against its own value, and the docs get theirs
    x = np.array([1.0, 2.0])
    members = [ident, bad, identities.get("vector.Ax")]
    at = {ident.id: ({"x": x}, None), bad.id: ({"x": x}, None)}
    reports, closed = verify_batch(members, examples=2, seed=0, max_sizes=2, closed_inputs=at)
    assert [r.ok for r in reports] == [True, False, True] and [r.batch for r in reports] == [3, 3, 3]
    assert {c.check for c in reports[1].checks.values() if not c.ok} == {"known answer"}
    for k in at:
        np.testing.assert_allclose(closed[k], x / np.linalg.norm(x), rtol=1e-15)
