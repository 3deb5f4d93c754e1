"""EXPR: a small, safe expression language for ``identities find`` (NumPy syntax over named variables).

An expression such as ``trace(A @ X @ B @ X.T)`` is parsed with :mod:`ast` and checked node by node against
a fixed grammar; what passes is turned into a tree of closures over :mod:`jax.numpy`. The string is never
given to ``eval`` or ``exec``, and nothing outside :data:`FUNCTIONS` can be called.

Grammar: variables (names not in :data:`FUNCTIONS` or :data:`CONSTANTS`), number literals, ``+ - * / @``,
``**`` with a number as exponent, unary ``-`` and ``+``, ``.T`` (transpose), and calls of the whitelisted
functions with positional arguments. Anything else (other attributes, subscripts, keywords, lambdas,
comprehensions, strings, comparisons, ...) is refused by :class:`ExprError` with the column and the reason.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import IdentityError

MAX_LENGTH = 500  # characters
MAX_DEPTH = 40  # nesting of parentheses and of the parsed tree


class ExprError(IdentityError):
    """An expression outside the grammar: the message gives the column (1-based) and the reason."""

    def __init__(self, text: str, col: int, reason: str) -> None:
        self.text, self.col, self.reason = text, col, reason
        shown = text if len(text) <= 80 else text[:77] + "..."
        caret = " " * (col - 1) + "^" if col <= 80 else ""
        super().__init__(
            f"cannot read {shown!r} at column {col}: {reason}" + (f"\n  {shown}\n  {caret}" if caret else "")
        )


def _jnp() -> Any:
    import jax.numpy as jnp

    return jnp


def _fn(path: str) -> Callable[..., Any]:
    """A function of jax by dotted path, resolved when first called (import of this module stays cheap)."""

    def call(*args: Any) -> Any:
        import jax

        obj: Any = jax
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj(*args)

    return call


def _transpose(a: Any) -> Any:
    """``a.T`` as NumPy reads it for a vector or a matrix (a vector is its own transpose)."""
    jnp = _jnp()
    return jnp.swapaxes(a, -1, -2) if jnp.ndim(a) >= 2 else a


def _logdet(X: Any) -> Any:
    return _jnp().linalg.slogdet(X)[1]


def _eye(X: Any) -> Any:
    jnp = _jnp()
    return jnp.eye(jnp.shape(X)[0], dtype=jnp.result_type(X))


def _norm_ord(order: Any) -> Callable[[Any], Any]:
    return lambda x: _jnp().linalg.norm(x, order)


def _expm(X: Any) -> Any:
    import jax.scipy.linalg

    return jax.scipy.linalg.expm(X)


@dataclass(frozen=True)
class Function:
    """A whitelisted function: its arity, what it computes, and its implementation on jax arrays."""

    arity: int
    doc: str
    impl: Callable[..., Any] = field(repr=False)


FUNCTIONS: dict[str, Function] = {
    "trace": Function(1, "trace of a square matrix", _fn("numpy.trace")),
    "det": Function(1, "determinant", _fn("numpy.linalg.det")),
    "logdet": Function(1, "log |det X|", _logdet),
    "inv": Function(1, "matrix inverse", _fn("numpy.linalg.inv")),
    "pinv": Function(1, "Moore-Penrose pseudo-inverse", _fn("numpy.linalg.pinv")),
    "solve": Function(2, "solve(A, b) = inv(A) @ b", _fn("numpy.linalg.solve")),
    "expm": Function(1, "matrix exponential", _expm),
    "cholesky": Function(
        1, "lower Cholesky factor of a symmetric positive definite matrix", _fn("numpy.linalg.cholesky")
    ),
    "matrix_power": Function(2, "matrix_power(X, k), k a whole number", _fn("numpy.linalg.matrix_power")),
    "kron": Function(2, "Kronecker product", _fn("numpy.kron")),
    "outer": Function(2, "outer product of two vectors", _fn("numpy.outer")),
    "diag": Function(1, "diagonal matrix of a vector, or the diagonal of a matrix", _fn("numpy.diag")),
    "eye": Function(1, "eye(X): the identity matrix with X's number of rows", _eye),
    "transpose": Function(1, "transpose (same as .T)", _fn("numpy.transpose")),
    "sum": Function(1, "sum of all entries", _fn("numpy.sum")),
    "prod": Function(1, "product of all entries", _fn("numpy.prod")),
    "max": Function(1, "largest entry", _fn("numpy.max")),
    "min": Function(1, "smallest entry", _fn("numpy.min")),
    "maximum": Function(2, "elementwise maximum", _fn("numpy.maximum")),
    "norm": Function(1, "2-norm of a vector, Frobenius norm of a matrix", _fn("numpy.linalg.norm")),
    "norm1": Function(1, "1-norm (vector: sum of |x_i|; matrix: largest column sum)", _norm_ord(1)),
    "norminf": Function(1, "infinity-norm (vector: max |x_i|; matrix: largest row sum)", _norm_ord(float("inf"))),
    "norm2": Function(1, "spectral norm of a matrix (largest singular value)", _norm_ord(2)),
    "nucnorm": Function(1, "nuclear norm of a matrix (sum of singular values)", _norm_ord("nuc")),
    "eigvalsh": Function(1, "eigenvalues of a symmetric matrix, ascending", _fn("numpy.linalg.eigvalsh")),
    "svdvals": Function(1, "singular values, descending", _fn("numpy.linalg.svdvals")),
    "cross": Function(2, "cross product of two 3-vectors", _fn("numpy.cross")),
    "exp": Function(1, "elementwise e^x", _fn("numpy.exp")),
    "log": Function(1, "elementwise natural logarithm", _fn("numpy.log")),
    "sqrt": Function(1, "elementwise square root", _fn("numpy.sqrt")),
    "abs": Function(1, "elementwise |x| (the modulus of a complex entry)", _fn("numpy.abs")),
    "conj": Function(1, "elementwise complex conjugate (conj(X).T is the conjugate transpose)", _fn("numpy.conj")),
    "real": Function(1, "elementwise real part", _fn("numpy.real")),
    "imag": Function(1, "elementwise imaginary part", _fn("numpy.imag")),
    "angle": Function(1, "elementwise phase (argument) of a complex number, in (-pi, pi]", _fn("numpy.angle")),
    "sin": Function(1, "elementwise sine", _fn("numpy.sin")),
    "cos": Function(1, "elementwise cosine", _fn("numpy.cos")),
    "tanh": Function(1, "elementwise tanh", _fn("numpy.tanh")),
    "sigmoid": Function(1, "elementwise logistic sigmoid 1 / (1 + e^-x)", _fn("nn.sigmoid")),
    "softplus": Function(1, "elementwise log(1 + e^x)", _fn("nn.softplus")),
    "relu": Function(1, "elementwise max(x, 0)", _fn("nn.relu")),
    "softmax": Function(1, "softmax of a vector", _fn("nn.softmax")),
    "log_softmax": Function(1, "log of the softmax of a vector", _fn("nn.log_softmax")),
    "logsumexp": Function(1, "log of the sum of e^x_i", _fn("scipy.special.logsumexp")),
}

CONSTANTS: dict[str, float] = {"pi": 3.141592653589793}

_BINOPS: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", lambda a, b: a + b),
    ast.Sub: ("-", lambda a, b: a - b),
    ast.Mult: ("*", lambda a, b: a * b),
    ast.Div: ("/", lambda a, b: a / b),
    ast.MatMult: ("@", lambda a, b: a @ b),
}

Node = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Expr:
    """A parsed expression: its text, its variables in order of first appearance, and the callable."""

    text: str
    names: tuple[str, ...]
    ops: frozenset[str]  # the operators and functions it uses ("@", ".T", "trace", ...)
    _root: Node = field(repr=False)

    def __call__(self, *args: Any) -> Any:
        if len(args) != len(self.names):
            raise TypeError(
                f"{self.text!r} takes {len(self.names)} arguments ({', '.join(self.names)}), got {len(args)}"
            )
        return self._root(dict(zip(self.names, args, strict=True)))

    @property
    def function(self) -> Callable[..., Any]:
        """The expression as a Python function whose parameters are its variables, in order."""

        def f(*args: Any) -> Any:
            return self(*args)

        f.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in self.names]
        )
        f.__name__ = "expr"
        f.__qualname__ = f"expr({self.text})"
        return f


def _col(node: ast.AST) -> int:
    return int(getattr(node, "col_offset", 0)) + 1


def _describe(node: ast.AST) -> str:
    what = {
        ast.Lambda: "a lambda",
        ast.ListComp: "a comprehension",
        ast.SetComp: "a comprehension",
        ast.DictComp: "a comprehension",
        ast.GeneratorExp: "a comprehension",
        ast.Subscript: "indexing",
        ast.Compare: "a comparison",
        ast.BoolOp: "a boolean operator",
        ast.IfExp: "a conditional expression",
        ast.NamedExpr: "an assignment",
        ast.Starred: "unpacking",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.JoinedStr: "a string",
        ast.Await: "await",
        ast.Yield: "yield",
        ast.YieldFrom: "yield",
        ast.Slice: "a slice",
    }.get(type(node))
    return what or f"a {type(node).__name__} node"


def _check_nesting(text: str) -> None:
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExprError(text, i + 1, f"nested more than {MAX_DEPTH} parentheses deep")
        elif ch in ")]}":
            depth -= 1


def parse(text: str) -> Expr:
    """Parse ``text`` into an :class:`Expr`, or raise :class:`ExprError` with the column and the reason."""
    if not isinstance(text, str):
        raise ExprError(str(text), 1, f"an expression is a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(text, MAX_LENGTH + 1, f"longer than {MAX_LENGTH} characters ({len(text)})")
    if not text.strip():
        raise ExprError(text, 1, "the expression is empty")
    for i, ch in enumerate(text):
        if not (ch.isascii() and (ch.isprintable() or ch == " ")):
            raise ExprError(text, i + 1, f"character {ch!r} is not allowed (ASCII letters, digits, operators only)")
    _check_nesting(text)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        col = int(e.offset or 1) + (len(text) - len(text.lstrip()))
        raise ExprError(text, col, f"not an expression: {e.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError(text, 1, "too deeply nested to read") from None
    shift = len(text) - len(text.lstrip())
    names: dict[str, None] = {}
    ops: set[str] = set()

    def fail(node: ast.AST, reason: str) -> ExprError:
        return ExprError(text, _col(node) + shift, reason)

    def number(node: ast.AST) -> float | None:
        """A number literal, possibly negated, else None."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = number(node.operand)
            return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        return None

    def build(node: ast.AST, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise fail(node, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float, complex):
                raise fail(node, f"only numbers are allowed as literals, not {type(node.value).__name__}")
            value = node.value if type(node.value) is complex else float(node.value)  # 1j: an imaginary literal
            return lambda env: value
        if isinstance(node, ast.Name):
            name = node.id
            if name in FUNCTIONS:
                raise fail(node, f"{name} is a function: call it, e.g. {name}(X)")
            if name in CONSTANTS:
                c = CONSTANTS[name]
                return lambda env: c
            if name.startswith("_"):
                raise fail(node, f"a variable name cannot start with an underscore: {name!r}")
            names.setdefault(name, None)
            return lambda env: env[name]
        if isinstance(node, ast.Attribute):
            if node.attr != "T":
                col = int(getattr(node, "end_col_offset", 0) or 0) - len(node.attr) + 1 + shift
                raise ExprError(text, max(col, 1), f"attribute .{node.attr} is not allowed (only .T, the transpose)")
            ops.add(".T")
            inner = build(node.value, depth + 1)
            return lambda env: _transpose(inner(env))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                ops.add("-")
                inner = build(node.operand, depth + 1)
                return lambda env: -inner(env)
            if isinstance(node.op, ast.UAdd):
                return build(node.operand, depth + 1)
            raise fail(node, f"operator {type(node.op).__name__} is not allowed")
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                p = number(node.right)
                if p is None:
                    raise fail(node.right, "the exponent of ** must be a number (elementwise power)")
                ops.add("**")
                base = build(node.left, depth + 1)
                return lambda env: base(env) ** p
            if type(node.op) not in _BINOPS:
                raise fail(node, f"operator {type(node.op).__name__} is not allowed (use + - * / @ **)")
            sym, op = _BINOPS[type(node.op)]
            ops.add(sym)
            left, right = build(node.left, depth + 1), build(node.right, depth + 1)
            return lambda env: op(left(env), right(env))
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise fail(node.func, "only the listed functions can be called, by name (e.g. trace(X))")
            fname = node.func.id
            if fname not in FUNCTIONS:
                raise fail(node.func, f"unknown function {fname!r}; allowed: {', '.join(sorted(FUNCTIONS))}")
            if node.keywords:
                raise fail(node.keywords[0], f"{fname}() takes no keyword arguments")
            fn = FUNCTIONS[fname]
            if len(node.args) != fn.arity:
                raise fail(node, f"{fname}() takes {fn.arity} argument(s), got {len(node.args)}")
            ops.add(fname)
            if fname == "matrix_power":
                k = number(node.args[1])
                if k is None or k != int(k):
                    raise fail(node.args[1], "the power of matrix_power must be a whole number")
                base = build(node.args[0], depth + 1)
                kk = int(k)
                return lambda env: fn.impl(base(env), kk)
            args = [build(a, depth + 1) for a in node.args]
            return lambda env: fn.impl(*(a(env) for a in args))
        raise fail(node, f"{_describe(node)} is not allowed here")

    root = build(tree.body, 0)
    if not names:
        raise ExprError(text, 1, "the expression has no variables")
    return Expr(text=text.strip(), names=tuple(names), ops=frozenset(ops), _root=root)
