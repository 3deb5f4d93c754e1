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
