"""The EXPR parser (identities.expr): what it accepts, and hostile input refused with the column and reason."""

from __future__ import annotations

import builtins
import inspect

import numpy as np
import pytest

from identities.expr import FUNCTIONS, MAX_DEPTH, MAX_LENGTH, ExprError, parse


def test_grammar_and_values():
    e = parse("trace(A @ X @ B @ X.T) + 2 * sum(x ** 2) - logdet(X) / 3")
    assert e.names == ("A", "X", "B", "x")
    rng = np.random.default_rng(0)
    A, X, B, x = (
        rng.normal(size=(3, 3)),
        rng.normal(size=(3, 3)) + 3 * np.eye(3),
        rng.normal(size=(3, 3)),
        rng.normal(size=3),
    )
    want = np.trace(A @ X @ B @ X.T) + 2 * np.sum(x**2) - np.linalg.slogdet(X)[1] / 3
    np.testing.assert_allclose(float(e(A, X, B, x)), want, rtol=1e-12)
    assert {"@", ".T", "trace", "logdet", "**", "+", "-", "*", "/", "sum"} <= e.ops
    assert float(parse("-x @ x")(np.array([1.0, 2.0]))) == -5.0
    assert float(parse("matrix_power(X, 3)")(np.eye(2) * 2)[0, 0]) == 8.0
    assert tuple(inspect.signature(e.function).parameters) == e.names


HOSTILE = [
    ("X.__class__", 3, "attribute .__class__ is not allowed"),
    ("X.__class__.__mro__[1].__subclasses__()", 1, "only the listed functions can be called"),
    ("().__class__", None, "not allowed"),
    ("__import__('os').system('true')", 1, "only the listed functions can be called"),
    ("__import__('os')", 1, "unknown function '__import__'"),
    ("import os", None, "not an expression"),
    ("lambda x: x", 1, "a lambda is not allowed"),
    ("[x for x in y]", 1, "a comprehension is not allowed"),
    ("sum(x for x in y)", 4, "a comprehension is not allowed"),
    ("{x: 1}", 1, "a dict is not allowed"),
    ("eval('1')", 1, "unknown function 'eval'"),
    ("exec('1')", 1, "unknown function 'exec'"),
    ("open('/etc/passwd')", 1, "unknown function 'open'"),
    ("getattr(X, 'T')", 1, "unknown function 'getattr'"),
    ("X.T.T.real", 7, "attribute .real is not allowed"),
    ("trace(X)(1)", 1, "only the listed functions can be called"),
    ("X[0]", 1, "indexing is not allowed"),
    ("X[::-1]", 1, "indexing is not allowed"),
    ("x if x else y", 1, "a conditional expression is not allowed"),
    ("x < y", 1, "a comparison is not allowed"),
    ("x and y", 1, "a boolean operator is not allowed"),
    ("(y := 1)", 2, "an assignment is not allowed"),
    ("'abc'", 1, "only numbers are allowed as literals"),
    ("f'{x}'", 1, "a string is not allowed"),
    ("b'x'", 1, "only numbers are allowed"),
    ("x + None", 5, "only numbers are allowed as literals, not NoneType"),
    ("x ** y", 6, "the exponent of ** must be a number"),
    ("x // 2", 1, "operator FloorDiv is not allowed"),
    ("x % 2", 1, "operator Mod is not allowed"),
    ("~x", 1, "operator Invert is not allowed"),
    ("trace(X, 1)", 1, "trace() takes 1 argument(s), got 2"),
    ("trace(X=1)", 7, "takes no keyword arguments"),
    ("trace(*X)", 7, "unpacking is not allowed"),
    ("trace", 1, "trace is a function: call it"),
    ("_secret + x", 1, "cannot start with an underscore"),
    ("x; y", None, "not an expression"),
    ("x\ny", None, "not allowed"),
    ("x = 1", None, "not an expression"),
    ("1 + 2", 1, "no variables"),
    ("", 1, "empty"),
    ("   ", 1, "empty"),
    ("x\x00", 2, "not allowed"),
    ("λ + x", 1, "not allowed"),
    ("matrix_power(X, 1.5)", 17, "whole number"),
    ("await x", None, "not"),
    ("yield x", None, "not"),
]


@pytest.mark.parametrize(("text", "col", "reason"), HOSTILE)
def test_hostile_input_is_refused_with_column_and_reason(text, col, reason):
    with pytest.raises(ExprError) as info:
        parse(text)
    err = info.value
    assert reason in err.reason, err.reason
    if col is not None:
        assert err.col == col, (err.col, str(err))
    assert f"column {err.col}" in str(err)


def test_very_long_input():
    text = " + ".join(["x"] * (MAX_LENGTH // 3))
    with pytest.raises(ExprError, match=f"longer than {MAX_LENGTH}"):
        parse(text)
    with pytest.raises(ExprError, match="longer than"):
        parse("x" * 10**6)


@pytest.mark.parametrize(
    "text",
    ["(" * 100 + "x" + ")" * 100, "exp(" * 60 + "x" + ")" * 60, "-" * 400 + "x", "x" + ".T" * 200, "x" + " @ x" * 120],
)
def test_deep_nesting(text):
    with pytest.raises(ExprError) as info:
        parse(text)
    assert "nested" in info.value.reason or "longer" in info.value.reason


def test_depth_limit_is_where_it_says():
    ok = "exp(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1)
    parse(ok)
    with pytest.raises(ExprError, match="nested"):
        parse("exp(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))


def test_no_eval_or_exec(monkeypatch):
    """Parsing and evaluating never reach eval, exec or compile of the user's text."""

    def forbidden(*a, **k):
        raise AssertionError("eval/exec/compile called")

    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, forbidden)
    e = parse("trace(X @ X.T) + sum(x)")
    assert float(e(np.eye(2), np.ones(2))) == 4.0


def test_every_function_is_documented_and_callable():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 3))
    S = X @ X.T + 3 * np.eye(3)
    for name, fn in FUNCTIONS.items():
        assert fn.doc
        if name == "cross":
            out = parse("cross(x, y)")(np.ones(3), np.arange(3.0))
        elif name == "matrix_power":
            out = parse("matrix_power(X, 2)")(S)
        elif fn.arity == 2:
            out = parse(f"{name}(X, Y)")(S, S)
        else:
            out = parse(f"{name}(X)")(np.abs(S) + 1 if name in ("log", "sqrt") else S)
        assert np.all(np.isfinite(np.asarray(out))), name


def test_complex_words_and_the_imaginary_literal():
    z = np.array([1.0 + 2.0j, -3.0 + 0.5j])
    e = parse("real(conj(z) @ (1j * z)) + imag(z) @ angle(z)")
    want = np.real(np.conj(z) @ (1j * z)) + np.imag(z) @ np.angle(z)
    assert np.allclose(e(z), want)
