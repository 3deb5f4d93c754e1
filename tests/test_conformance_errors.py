"""A crash while JAX or finite differences evaluate an identity is recorded as an "error" result of that
identity in JAX, which fails the run (found by the mutation pass of issue 18: the error Result with its
identity and framework swapped passed the suite)."""

from __future__ import annotations

from identities.frameworks import conformance


def test_a_crash_in_jax_or_fd_is_an_error_result_of_the_identity(monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("planted")

    monkeypatch.setattr(conformance, "_jax_and_fd", crash)
    results = conformance.conformance_of(conformance.get("vector.cTx"), frameworks=("jax",))
    errors = [r for r in results if r.status == "error"]
    assert [(r.identity, r.framework, r.detail) for r in errors] == [("vector.cTx", "jax", "RuntimeError: planted")]
    assert "error" in conformance.FAILING


def test_numpy_fd_hessian_matches_the_closed_form():
    """conformance's finite-difference Hessian (used at special points) is the Hessian, not a sign-flipped
    or mis-combined stencil (surviving mutants: fv[0] + fv[1] ... and fv[0] - fv[1] - fv[2] - fv[3])."""
    import numpy as np

    ident = conformance.get("forms.xTAx_hessian")
    rng = np.random.default_rng(18)
    args = {a: rng.uniform(-2, 2, size=s) for a, s in ident.arg_shapes(ident.size_assignments()[0]).items()}
    arrays = tuple(args[a] for a in ident.argnames)
    fd2 = conformance._fd_values(ident, arrays)["fd2"]
    closed = np.asarray(ident.closed_form(*arrays))
    np.testing.assert_allclose(fd2, closed, rtol=1e-5, atol=1e-5 * np.max(np.abs(closed)))


def test_a_framework_that_cannot_evaluate_a_complex_f_is_an_error_result_not_a_crash(monkeypatch):
    """A framework whose translation of f fails on complex input (TensorFlow's AddV2 on mixed dtypes did,
    before its table had complex dtypes) is one "error" result of that identity, with the exception's first
    line (or its name alone, for an empty message), never a traceback out of the harness."""
    import types

    import numpy as np

    for message, detail in (("mixed dtypes\nmore lines", "TypeError: mixed dtypes"), ("", "TypeError: ")):

        def crash(ident, arrays, message=message):
            raise TypeError(message)

        fake = types.SimpleNamespace(complex_derivatives=crash, COMPLEX_CONVENTION="torch")
        monkeypatch.setattr(conformance.adapter, "load", lambda name, fake=fake: fake)
        ident = conformance.get("complex_basic.sq_abs")
        arrays = tuple(np.full(ident.arg_shapes(ident.size_assignments()[0])[a], 1 + 2j) for a in ident.argnames)
        results = conformance._adapter_complex(ident, "torch", arrays)
        assert [(r.framework, r.check, r.status, r.detail) for r in results] == [("torch", "*", "error", detail)]
