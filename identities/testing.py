"""Assertions for users' test suites, in the style of ``numpy.testing``.

Example (pytest, with the public strategies)::

    import jax.numpy as jnp
    import numpy as np
    from hypothesis import given
    from identities import strategies as st
    from identities.testing import assert_gradient

    def my_logdet_grad(X):  # the function under test
        return np.linalg.inv(X).T

    @given(st.structured(st.SPD, (4, 4)))
    def test_my_logdet_grad(X):
        assert_gradient(lambda X: jnp.linalg.slogdet(X)[1], my_logdet_grad, X)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .check import CheckReport, check, check_identity

__all__ = ["assert_gradient", "assert_identity"]


def assert_gradient(
    f: Callable[..., Any],
    df: Callable[..., Any],
    *args: Any,
    wrt: int | str = 0,
    layout: str = "jax",
    rtol: float | None = None,
    atol: float = 0.0,
    convention: str | None = None,
) -> CheckReport:
    """Raise ``AssertionError`` (the message is the :func:`identities.check` report) unless ``df`` is the
    derivative of ``f`` by argument ``wrt`` at ``args``; return the report when it is."""
    report = check(f, df, *args, wrt=wrt, layout=layout, rtol=rtol, atol=atol, convention=convention)
    if not report.ok:
        raise AssertionError("\n" + str(report))
    return report


def assert_identity(
    ident: Any, df: Callable[..., Any], layout: str = "jax", examples: int = 2, convention: str | None = None
) -> CheckReport:
    """Raise ``AssertionError`` unless ``df`` agrees with the catalog identity's closed form on generated
    valid inputs (:func:`identities.check_identity`)."""
    report = check_identity(ident, df, layout=layout, examples=examples, convention=convention)
    if not report.ok:
        raise AssertionError("\n" + str(report))
    return report
