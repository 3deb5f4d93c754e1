"""identities.frameworks.numpy: NumPy as a table of the shared jaxpr interpreter gives JAX's values and
compiles nothing (what find evaluates its candidates with).

The catalog-wide test is what makes the interpreter safe to use: every catalog identity's function is
evaluated both ways at find's draws (the default profile at one size assignment, the thorough profile at
every one), and the rules with the most ways to go wrong (triangular solves, gathers, loops, sorts) are
also checked one by one against ``jax.lax``.
"""

from __future__ import annotations

import importlib
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from _support import PROFILE
from jax import lax, monitoring

import identities
from identities.frameworks import interpreter
from identities.frameworks import numpy as numpy_table
from identities.verify import build_inputs

find_module = importlib.import_module("identities.find")
THOROUGH = PROFILE == "thorough"


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    scale = float(np.max(np.abs(b), where=np.isfinite(b), initial=0.0))
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12 * scale + 1e-300, equal_nan=True))


def _draws(ident):
    sizes = ident.size_assignments() if THOROUGH else ident.size_assignments()[:1]
    for s, assignment in enumerate(sizes):
        shapes = ident.arg_shapes(assignment)
        raw = {a: find_module._raw(shapes[a], s, 0, i, a in ident.dtypes) for i, a in enumerate(ident.argnames)}
        yield [build_inputs(ident, raw)[a] for a in ident.argnames]


def test_interpreter_agrees_with_jax_on_every_catalog_identity():
    interpreted, declined, wrong = 0, [], []
    for ident in identities.catalog():
        for args in _draws(ident):
            try:
                got = numpy_table.evaluate(ident.f, args)
            except interpreter.UnsupportedPrimitive as e:
                declined.append(f"{ident.id}: {e}")
                continue
            want = ident.f(*args)
            leaves = zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want), strict=True)
            if not all(_same(g, w) for g, w in leaves):
                wrong.append(ident.id)
            interpreted += 1
    assert wrong == []
    # it must interpret (nearly) everything, or find is slow again: a rule that stops working shows here
    assert declined == [] and interpreted >= len(identities.catalog())


def test_evaluation_compiles_nothing():
    compiles = []

    def on(event: str, seconds: float, **_) -> None:
        if event == "/jax/core/compile/backend_compile_duration":
            compiles.append(event)

    f = lambda X, b: jnp.linalg.slogdet(X)[1] + jnp.linalg.solve(X, b) @ jnp.linalg.eigh(X @ X.T)[1][:, 0]
    X = np.random.default_rng(3).normal(size=(5, 5)) + 5 * np.eye(5)
    b = np.arange(5.0)
    monitoring.register_event_duration_secs_listener(on)
    try:
        value = numpy_table.evaluate(f, [X, b])
    finally:
        monitoring.unregister_event_duration_listener(on)
    assert compiles == []
    assert _same(value, f(X, b))


@pytest.mark.parametrize(
    "left_side, lower, transpose_a, conjugate_a, unit_diagonal",
    [c for c in itertools.product([True, False], repeat=5) if not (c[3] and not c[2])],
)
def test_triangular_solve_matches_lax(left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    rng = np.random.default_rng(1)
    a = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4)) + 4 * np.eye(4)
    b = rng.normal(size=(4, 3) if left_side else (3, 4)) + 1j * rng.normal(size=(4, 3) if left_side else (3, 4))

    def f(a, b):
        return lax.linalg.triangular_solve(
            a,
            b,
            left_side=left_side,
            lower=lower,
            transpose_a=transpose_a,
            conjugate_a=conjugate_a,
            unit_diagonal=unit_diagonal,
        )

    assert _same(numpy_table.evaluate(f, [a, b]), f(a, b))


@pytest.mark.parametrize(
    "name, f",
    [
        ("fancy index", lambda x, i: x[i]),
        ("column", lambda x, i: x[:, i[0]]),
        ("take_along_axis", lambda x, i: jnp.take_along_axis(x, jnp.argsort(x, axis=0), axis=0)),
        ("out of range index is clamped", lambda x, i: x[i + 7, :2]),
        ("dynamic slice clamped", lambda x, i: lax.dynamic_slice(x, (i[0] + 3, i[1]), (2, 2))),
        ("sort two operands", lambda x, i: lax.sort((x[0], x[1]), num_keys=1)[1]),
        ("reverse scan", lambda x, i: lax.scan(lambda c, r: (c + r, c * r), jnp.zeros(4), x, reverse=True)),
        ("while", lambda x, i: lax.while_loop(lambda c: c[0] < 5, lambda c: (c[0] + 1, c[1] @ x), (0, x[0]))[1]),
        (
            "rem and integer div take the dividend's sign",
            lambda x, i: (lax.rem(x, jnp.full_like(x, 0.7)), lax.div(i - 5, 2)),
        ),
        ("switch", lambda x, i: lax.switch(i[0], [lambda y: y, lambda y: 2 * y, jnp.sin], x)),
        ("solve", lambda x, i: jnp.linalg.solve(x + 5 * jnp.eye(4), x[0])),
        # factors up to their sign gauge (the vectors' signs are LAPACK's choice, the same on both sides here)
        (
            "qr, svd, eigh",
            lambda x, i: (abs(jnp.linalg.qr(x)[1]), abs(jnp.linalg.svd(x)[0]), abs(jnp.linalg.eigh(x + x.T)[1])),
        ),
        ("out of range, filled", lambda x, i: x.at[i + 3].get(mode="fill")),
        ("cholesky of a matrix that is not PD", lambda x, i: jnp.linalg.cholesky(x - 10 * jnp.eye(4))),
        ("eig", lambda x, i: jnp.sort_complex(jnp.linalg.eigvals(x))),
    ],
)
def test_rule_matches_jax(name, f):
    x = np.random.default_rng(2).normal(size=(4, 4))
    i = np.array([2, 1])
    want, got = f(jnp.asarray(x), jnp.asarray(i)), numpy_table.evaluate(f, [x, i])
    assert all(
        _same(g, w) for g, w in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want), strict=True)
    )


def test_an_unknown_primitive_is_refused_before_evaluation_and_find_falls_back_to_jax():
    f = lambda x, A: lax.cumsum(x * (A @ x))[-1]  # x^T A x through cumsum, a primitive it does not know
    x, A = np.arange(3.0), np.arange(9.0).reshape(3, 3)
    assert interpreter.unsupported(numpy_table.TABLE, jax.make_jaxpr(f)(x, A).jaxpr) == "cumsum"
    with pytest.raises(interpreter.UnsupportedPrimitive, match="cumsum"):
        numpy_table.evaluate(f, [x, A])
    assert find_module._value(f, [x, A]) == pytest.approx(x @ A @ x)  # called through JAX instead
    assert "vector.xTAx" in identities.find(f, "n", "n n").ids


def test_a_rule_that_breaks_the_jaxprs_shape_is_refused_and_dtypes_follow_jax():
    import dataclasses

    f = lambda X: (X.T @ X) * 2.0
    X = np.arange(6.0).reshape(2, 3)
    wrong_shape = dataclasses.replace(
        numpy_table.TABLE, rules={**numpy_table.TABLE.rules, "transpose": lambda x, **_: x}
    )
    with pytest.raises(interpreter.UnsupportedPrimitive, match="gave shape"):
        interpreter.evaluate(wrong_shape, f, [X])
    single = dataclasses.replace(
        numpy_table.TABLE, unary={**numpy_table.TABLE.unary, "neg": lambda x: x.astype(np.float32) * -1}
    )
    out = interpreter.evaluate(single, lambda x: -x + 1e-12, [np.ones(2)])
    assert out.dtype == np.float64 and np.all(out == -1.0 + 1e-12)  # cast back to JAX's float64


def test_a_function_is_traced_once_per_signature_and_never_reused_across_one():
    """evaluate() keeps f's jaxpr per argument signature (interpreter._traced): a second call with the same
    shapes traces nothing, and another shape, dtype or a NumPy scalar in place of a Python one (weakly typed
    in JAX) is traced anew. Seen failing with the signature cut to the tree (a stale jaxpr of another shape)
    and without the scalar's type (3 traces for 4 signatures)."""
    calls = []

    def f(x, c):
        calls.append(1)
        return jnp.sum(x * c, axis=0)

    x3, x4 = np.arange(3.0), np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(numpy_table.evaluate(f, [x3, 2.0]), 6.0)
    np.testing.assert_array_equal(numpy_table.evaluate(f, [x3 + 1, 2.0]), 12.0)  # same signature: no trace
    assert len(calls) == 1
    np.testing.assert_array_equal(numpy_table.evaluate(f, [x4, 2.0]), 2 * x4.sum(axis=0))  # another shape
    np.testing.assert_array_equal(numpy_table.evaluate(f, [x3.astype(np.int64), 2]), 6)  # another dtype
    assert numpy_table.evaluate(f, [x3, np.float64(2.0)]).dtype == np.float64  # a NumPy scalar for a Python one
    assert len(calls) == 4
