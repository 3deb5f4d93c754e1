"""TensorFlow's table for the jaxpr interpreter (:mod:`identities.frameworks.interpreter`) and its gradient
adapter: ``tf.GradientTape`` (``gradient``, ``jacobian``), ``tf.autodiff.ForwardAccumulator`` for forward
mode, and nested tapes for Hessians.

Named library calls map to TensorFlow's native ops (``tf.linalg.det``, ``slogdet``, ``inv``, ``solve``,
``cholesky``, ``eigh``, ``svd``, ``qr``, ``expm``, ``sqrtm``, ``pinv``, ``tf.norm``,
``tf.reduce_logsumexp``, ...), so TensorFlow's own gradient registry (``linalg_grad.py``) is what is
tested. Conventions applied, as documented by TensorFlow: gradients of outputs that do not depend on the
variable are asked for as zeros (``unconnected_gradients=ZERO``, instead of ``None``); an op without a
registered gradient (``LookupError: gradient registry has no entry for: Lu``) is reported as
``unsupported``, named, like a primitive the table lacks. Every import here is absolute, so ``import
tensorflow`` is the TensorFlow package, never this file (tests/test_frameworks.py checks it).

TensorFlow is optional: importing this module without it raises ``ImportError`` with the install hint.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # C++ INFO and WARNING lines: an error still raises
try:
    import tensorflow as tf
except ImportError as e:  # pragma: no cover - exercised only without tensorflow
    raise ImportError("TensorFlow is not installed: pip install 'identities[tensorflow]' (the CPU build)") from e

from identities.frameworks.adapter import NotApplicable, Thunks
from identities.frameworks.interpreter import Native, Table, UnsupportedPrimitive, dot_general_einsum, function

__all__ = ["NAME", "TABLE", "VERSION", "at_point", "derivatives", "numeric_failure", "tf_function"]

NAME = "tensorflow"
VERSION = tf.__version__


class _NoRetracingNotes(logging.Filter):
    """tape.jacobian vectorizes with pfor, which traces a tf.function per call and logs that retracing is
    expensive: by design here (one trace per identity), so the note is dropped; every other log line stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


tf.get_logger().addFilter(_NoRetracingNotes())
_ZERO = tf.UnconnectedGradients.ZERO

_DTYPES = {
    np.dtype(np.float64): tf.float64,
    np.dtype(np.float32): tf.float32,
    np.dtype(np.int64): tf.int64,
    np.dtype(np.int32): tf.int32,
    np.dtype(np.int8): tf.int8,
    np.dtype(np.uint8): tf.uint8,
    np.dtype(np.bool_): tf.bool,
    np.dtype(np.complex128): tf.complex128,
    np.dtype(np.complex64): tf.complex64,
}


def _tdtype(dt: Any) -> tf.DType:
    try:
        return _DTYPES[np.dtype(dt)]
    except (KeyError, TypeError):
        raise UnsupportedPrimitive("dtype", str(dt)) from None


def _const(v: Any) -> tf.Tensor:
    a = np.asarray(v)
    return tf.constant(a, dtype=_tdtype(a.dtype))


def _is_float(x: Any) -> bool:
    return tf.is_tensor(x) and (x.dtype.is_floating or x.dtype.is_complex)


def numeric_failure(e: BaseException) -> bool:
    """TensorFlow's documented errors at a singular point: its LAPACK-style kernels raise
    InvalidArgumentError saying the input is not invertible or the Cholesky factorization failed."""
    msg = str(e)
    return isinstance(e, tf.errors.InvalidArgumentError) and (
        "not invertible" in msg or "Cholesky decomposition was not successful" in msg
    )


# --- primitive rules ------------------------------------------------------------------------------------------
def _dot_general(x: tf.Tensor, y: tf.Tensor, dimension_numbers: Any, **_: Any) -> tf.Tensor:
    if x.dtype != y.dtype:
        y = tf.cast(y, x.dtype)
    return tf.einsum(dot_general_einsum(dimension_numbers, x.shape.rank, y.shape.rank), x, y)


def _broadcast_in_dim(x: tf.Tensor, shape: Sequence[int], broadcast_dimensions: Sequence[int], **_: Any) -> Any:
    view = [1] * len(shape)
    for src, dst in enumerate(broadcast_dimensions):
        view[dst] = x.shape[src]
    return tf.broadcast_to(tf.reshape(x, view), tuple(shape))


def _reshape(x: tf.Tensor, new_sizes: Sequence[int], dimensions: Any = None, **_: Any) -> tf.Tensor:
    if dimensions is not None:
        x = tf.transpose(x, dimensions)
    return tf.reshape(x, tuple(new_sizes))


def _slice(x: tf.Tensor, start_indices: Any, limit_indices: Any, strides: Any = None, **_: Any) -> Any:
    strides = strides or (1,) * x.shape.rank
    return x[tuple(slice(s, e, st) for s, e, st in zip(start_indices, limit_indices, strides, strict=True))]


def _iota(dtype: Any, shape: Sequence[int], dimension: int, **_: Any) -> tf.Tensor:
    r = tf.range(shape[dimension], dtype=_tdtype(dtype))
    view = [1] * len(shape)
    view[dimension] = shape[dimension]
    return tf.broadcast_to(tf.reshape(r, view), tuple(shape))


def _select_n(pred: tf.Tensor, *cases: tf.Tensor) -> tf.Tensor:
    if pred.dtype == tf.bool:
        return tf.where(pred, cases[1], cases[0])
    out = cases[0]
    for k in range(1, len(cases)):
        out = tf.where(tf.equal(pred, k), cases[k], out)
    return out


def _reduce(fn: Callable[..., tf.Tensor]) -> Callable[..., tf.Tensor]:
    def rule(x: tf.Tensor, axes: Sequence[int], **_: Any) -> tf.Tensor:
        if not axes:
            return x
        return fn(x, axis=list(axes))

    return rule


def _div(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    if x.dtype.is_floating or x.dtype.is_complex:
        return x / y
    return tf.truncatediv(x, y)


def _logical_or_bitwise(logical: Callable[..., Any], bitwise: Callable[..., Any]) -> Callable[..., Any]:
    return lambda x, y: logical(x, y) if x.dtype == tf.bool else bitwise(x, y)


def _cumulative(fn: Callable[..., tf.Tensor]) -> Callable[..., tf.Tensor]:
    def rule(x: tf.Tensor, axis: int, reverse: bool = False, **_: Any) -> tf.Tensor:
        return fn(x, axis=axis, reverse=reverse)

    return rule


def _pad(x: tf.Tensor, padval: tf.Tensor, padding_config: Any, **_: Any) -> tf.Tensor:
    if any(interior for _, _, interior in padding_config):
        raise UnsupportedPrimitive("pad", "interior padding")
    if any(lo < 0 or hi < 0 for lo, hi, _ in padding_config):
        raise UnsupportedPrimitive("pad", "negative padding")
    return tf.pad(x, [[lo, hi] for lo, hi, _ in padding_config], constant_values=padval)


def _triangular_solve(
    a: tf.Tensor,
    b: tf.Tensor,
    left_side: bool,
    lower: bool,
    transpose_a: bool,
    conjugate_a: bool,
    unit_diagonal: bool,
    **_: Any,
) -> tf.Tensor:
    if unit_diagonal:  # the diagonal is not read: ones in its place
        a = tf.linalg.set_diag(a, tf.ones_like(tf.linalg.diag_part(a)))
    if left_side:  # op(a) x = b
        return tf.linalg.triangular_solve(a, b, lower=lower, adjoint=transpose_a)
    # x op(a) = b  <=>  op(a)ᵀ xᵀ = bᵀ
    xt = tf.linalg.triangular_solve(a, tf.linalg.matrix_transpose(b), lower=lower, adjoint=not transpose_a)
    return tf.linalg.matrix_transpose(xt)


def _lu(a: tf.Tensor, **_: Any) -> list[tf.Tensor]:
    """JAX's lu: (lu, LAPACK's pivots, the permutation). tf.linalg.lu gives the permutation; the pivots
    are the row swaps that produce it (integers, not differentiated)."""
    lu, perm = tf.linalg.lu(a)
    p = perm.numpy()
    if p.ndim != 1:
        raise UnsupportedPrimitive("lu", "batched")
    cur = list(range(len(p)))
    piv = []
    for i, want in enumerate(p.tolist()):
        j = cur.index(want, i)
        piv.append(j)
        cur[i], cur[j] = cur[j], cur[i]
    return [lu, tf.constant(piv, dtype=tf.int32), tf.cast(perm, tf.int32)]


def _eigh(a: tf.Tensor, lower: bool = True, sort_eigenvalues: bool = True, **_: Any) -> list[tf.Tensor]:
    # TensorFlow's eigh reads the lower triangle
    w, v = tf.linalg.eigh(a if lower else tf.linalg.matrix_transpose(a))
    return [v, w]


def _svd(a: tf.Tensor, full_matrices: bool = False, compute_uv: bool = True, **_: Any) -> Any:
    if not compute_uv:
        return [tf.linalg.svd(a, compute_uv=False)]
    s, u, v = tf.linalg.svd(a, full_matrices=full_matrices)
    return [s, u, tf.linalg.adjoint(v)]


def _qr(a: tf.Tensor, full_matrices: bool = False, pivoting: bool = False, **_: Any) -> list[tf.Tensor]:
    if pivoting:
        raise UnsupportedPrimitive("qr", "column pivoting")
    q, r = tf.linalg.qr(a, full_matrices=full_matrices)
    return [q, r]


def _sort(*xs: tf.Tensor, dimension: int, num_keys: int = 1, **_: Any) -> list[tf.Tensor]:
    if len(xs) != 1:
        raise UnsupportedPrimitive("sort", f"{len(xs)} operands (argsort or sort by key)")
    return [tf.sort(xs[0], axis=dimension)]


def _platform_index(platforms: Any, **_: Any) -> tf.Tensor:
    for k, p in enumerate(platforms):
        if p is None or "cpu" in p:
            return tf.constant(k, dtype=tf.int32)
    raise UnsupportedPrimitive("platform_index", str(platforms))


def _argmax(fn: Callable[..., tf.Tensor]) -> Callable[..., tf.Tensor]:
    def rule(x: tf.Tensor, axes: Sequence[int], index_dtype: Any, **_: Any) -> tf.Tensor:
        return fn(x, axis=axes[0], output_type=_tdtype(index_dtype))

    return rule


def _dynamic_slice(x: tf.Tensor, *idx: tf.Tensor, slice_sizes: Sequence[int], **_: Any) -> tf.Tensor:
    starts = [int(min(max(int(i), 0), x.shape[d] - s)) for d, (i, s) in enumerate(zip(idx, slice_sizes, strict=False))]
    return tf.slice(x, starts, list(slice_sizes))


_LN2 = float(np.log(2.0))

_UNARY: dict[str, Callable[[tf.Tensor], tf.Tensor]] = {
    "neg": tf.negative,
    "exp": tf.exp,
    "exp2": lambda x: tf.exp(x * tf.constant(_LN2, x.dtype)),
    "log": tf.math.log,
    "log1p": tf.math.log1p,
    "expm1": tf.math.expm1,
    "sin": tf.sin,
    "cos": tf.cos,
    "tan": tf.tan,
    "asin": tf.asin,
    "acos": tf.acos,
    "atan": tf.atan,
    "sinh": tf.sinh,
    "cosh": tf.cosh,
    "tanh": tf.tanh,
    "asinh": tf.asinh,
    "acosh": tf.acosh,
    "atanh": tf.atanh,
    "sqrt": tf.sqrt,
    "rsqrt": tf.math.rsqrt,
    "cbrt": lambda x: tf.sign(x) * tf.abs(x) ** (1 / 3),
    "abs": tf.abs,
    "sign": tf.sign,
    "floor": tf.floor,
    "ceil": tf.math.ceil,
    "round": tf.round,
    "logistic": tf.sigmoid,
    "erf": tf.math.erf,
    "erfc": tf.math.erfc,
    "erf_inv": tf.math.erfinv,
    "lgamma": tf.math.lgamma,
    "digamma": tf.math.digamma,
    "square": tf.square,
    "not": lambda x: tf.logical_not(x) if x.dtype == tf.bool else tf.bitwise.invert(x),
    "is_finite": tf.math.is_finite,
    "copy": tf.identity,
    "copy_p": tf.identity,
    "real": tf.math.real,  # on a real tensor: the tensor itself
    "conj": tf.math.conj,  # on a real tensor: the tensor itself
    "imag": tf.math.imag,  # on a real tensor: zeros
    "stop_gradient": tf.stop_gradient,
    "optimization_barrier": tf.identity,
    "reduce_precision": tf.identity,
}

_BINARY: dict[str, Callable[[tf.Tensor, tf.Tensor], tf.Tensor]] = {
    "add": tf.add,
    "sub": tf.subtract,
    "mul": tf.multiply,
    "div": _div,
    "pow": tf.pow,
    "max": tf.maximum,
    "min": tf.minimum,
    "atan2": tf.atan2,
    "complex": tf.complex,
    "rem": tf.truncatemod,
    "nextafter": tf.math.nextafter,
    "eq": tf.equal,
    "ne": tf.not_equal,
    "lt": tf.less,
    "le": tf.less_equal,
    "gt": tf.greater,
    "ge": tf.greater_equal,
    "and": _logical_or_bitwise(tf.logical_and, tf.bitwise.bitwise_and),
    "or": _logical_or_bitwise(tf.logical_or, tf.bitwise.bitwise_or),
    "xor": _logical_or_bitwise(tf.math.logical_xor, tf.bitwise.bitwise_xor),
}

_RULES: dict[str, Callable[..., Any]] = {
    "dot_general": _dot_general,
    "broadcast_in_dim": _broadcast_in_dim,
    "reshape": _reshape,
    "transpose": lambda x, permutation, **_: tf.transpose(x, permutation),
    "squeeze": lambda x, dimensions, **_: tf.reshape(x, [s for i, s in enumerate(x.shape) if i not in dimensions]),
    "convert_element_type": lambda x, new_dtype, **_: tf.cast(x, _tdtype(new_dtype)),
    "integer_pow": lambda x, y, **_: x**y,
    "reduce_sum": _reduce(tf.reduce_sum),
    "reduce_max": _reduce(tf.reduce_max),
    "reduce_min": _reduce(tf.reduce_min),
    "reduce_and": _reduce(tf.reduce_all),
    "reduce_or": _reduce(tf.reduce_any),
    "reduce_prod": _reduce(tf.reduce_prod),
    "argmax": _argmax(tf.argmax),
    "argmin": _argmax(tf.argmin),
    "select_n": _select_n,
    "iota": _iota,
    "slice": _slice,
    "dynamic_slice": _dynamic_slice,
    "stack": lambda *xs, axis, **_: tf.stack(xs, axis=axis),
    "concatenate": lambda *xs, dimension, **_: tf.concat(xs, axis=dimension),
    "rev": lambda x, dimensions, **_: tf.reverse(x, list(dimensions)),
    "clamp": lambda lo, x, hi, **_: tf.minimum(tf.maximum(x, lo), hi),
    "cumsum": _cumulative(tf.cumsum),
    "cumprod": _cumulative(tf.math.cumprod),
    "pad": _pad,
    "split": lambda x, sizes, axis, **_: tf.split(x, list(sizes), axis=axis),
    "triangular_solve": _triangular_solve,
    "lu": _lu,
    "eigh": _eigh,
    "cholesky": lambda a, **_: tf.linalg.cholesky(a),
    "svd": _svd,
    "platform_index": _platform_index,
    "qr": _qr,
    "sort": _sort,
}


# --- named library calls: TensorFlow's native op, confirmed by the probe ----------------------------------------
def _solve(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
    if b.shape.rank == a.shape.rank - 1:  # a vector right-hand side
        return tf.linalg.solve(a, b[..., None])[..., 0]
    return tf.linalg.solve(a, b)


def _svd_native(a: tf.Tensor) -> tuple[tf.Tensor, ...]:
    s, u, v = tf.linalg.svd(a, full_matrices=False)
    return u, s, tf.linalg.adjoint(v)


def _real_logm(a: tf.Tensor) -> tf.Tensor:
    # tf.linalg.logm takes complex input only
    return tf.math.real(tf.linalg.logm(tf.cast(a, tf.complex128)))


NATIVE: dict[str, tuple[Native, ...]] = {
    "det": (("tf.linalg.det", tf.linalg.det),),
    "slogdet": (
        ("tf.linalg.slogdet", lambda a: tuple(tf.linalg.slogdet(a))),
        # complex input: TensorFlow returns log|det| as a complex number with zero imaginary part, JAX a real one
        (
            "tf.linalg.slogdet (real log|det|)",
            lambda a: (tf.linalg.slogdet(a)[0], tf.math.real(tf.linalg.slogdet(a)[1])),
        ),
    ),
    "inv": (("tf.linalg.inv", tf.linalg.inv),),
    "solve": (("tf.linalg.solve", _solve),),
    "pinv": (("tf.linalg.pinv", tf.linalg.pinv),),
    "cholesky": (("tf.linalg.cholesky", tf.linalg.cholesky),),
    "eigvalsh": (("tf.linalg.eigvalsh", tf.linalg.eigvalsh),),
    "eigh": (("tf.linalg.eigh", lambda a: tuple(tf.linalg.eigh(a))),),
    "qr": (("tf.linalg.qr", lambda a: tuple(tf.linalg.qr(a))),),
    "svd": (
        ("tf.linalg.svd", _svd_native),
        ("tf.linalg.svd(compute_uv=False)", lambda a: tf.linalg.svd(a, compute_uv=False)),
    ),
    "expm": (("tf.linalg.expm", tf.linalg.expm),),
    "sqrtm": (("tf.linalg.sqrtm", tf.linalg.sqrtm),),
    "logm": (("tf.linalg.logm", _real_logm),),
    "norm": (
        ("tf.norm", lambda x: tf.norm(x)),
        ("tf.norm(ord=1)", lambda x: tf.norm(x, ord=1)),
        ("tf.norm(ord=inf)", lambda x: tf.norm(x, ord=np.inf)),
        ("tf.norm(ord=1, axis=[-2, -1])", lambda x: tf.norm(x, ord=1, axis=[-2, -1])),
        ("tf.norm(ord=inf, axis=[-2, -1])", lambda x: tf.norm(x, ord=np.inf, axis=[-2, -1])),
        ("tf.norm(axis=-1)", lambda x: tf.norm(x, axis=-1)),
    ),
    "trace": (("tf.linalg.trace", tf.linalg.trace),),
    "diagonal": (("tf.linalg.diag_part", tf.linalg.diag_part),),
    "logsumexp": (
        ("tf.reduce_logsumexp", lambda x: tf.reduce_logsumexp(x)),
        ("tf.reduce_logsumexp(axis=-1)", lambda x: tf.reduce_logsumexp(x, axis=-1)),
    ),
    "_softmax": (("tf.nn.softmax", lambda x: tf.nn.softmax(x, axis=-1)),),
    "softmax": (("tf.nn.softmax", lambda x: tf.nn.softmax(x, axis=-1)),),
    "log_softmax": (("tf.nn.log_softmax", lambda x: tf.nn.log_softmax(x, axis=-1)),),
    "relu": (("tf.nn.relu", tf.nn.relu),),
    "tril": (("tf.linalg.band_part(-1, 0)", lambda x: tf.linalg.band_part(x, -1, 0)),),
    "triu": (("tf.linalg.band_part(0, -1)", lambda x: tf.linalg.band_part(x, 0, -1)),),
    "kron": (("tf.experimental.numpy.kron", tf.experimental.numpy.kron),),
    "outer": (("tf.experimental.numpy.outer", tf.experimental.numpy.outer),),
    "cross": (("tf.linalg.cross", tf.linalg.cross),),
}

TABLE = Table(
    name=NAME,
    const=_const,
    to_numpy=lambda t: t.numpy(),
    is_tensor=tf.is_tensor,
    is_float=_is_float,
    promote=lambda x, y: (x, y),  # jaxprs have equal dtypes in binary operations; TensorFlow does not cast
    unary=_UNARY,
    binary=_BINARY,
    rules=_RULES,
    native=NATIVE,
    control_flow=frozenset({"scan"}),
)


def tf_function(ident: Any, arrays: Sequence[np.ndarray]) -> tuple[Callable[..., tf.Tensor], set[str]]:
    """``ident.f`` as a function of TensorFlow tensors, valid at the shapes of ``arrays``; and the set of
    native TensorFlow ops it calls. Raises :class:`UnsupportedPrimitive`."""
    return function(TABLE, ident, arrays)


# --- the gradient adapter ------------------------------------------------------------------------------------------
def _of_x(ident: Any, arrays: Sequence[np.ndarray]) -> tuple[Callable[[tf.Tensor], tf.Tensor], tf.Tensor]:
    """f as a function of the variable alone (the other arguments fixed), and the variable."""
    f, _ = tf_function(ident, arrays)
    w = ident.wrt_index
    targs = [tf.constant(np.asarray(a, dtype=np.float64)) for a in arrays]
    return (lambda x: f(*targs[:w], x, *targs[w + 1 :])), targs[w]


_NO_GRADIENT = re.compile(r"gradient registry has no entry for: (\w+)")


def _kernel_message(text: str) -> str:
    """An OpError's own message ("Input is not invertible."): inside tape.jacobian's graph TensorFlow
    prefixes it with the node's Python traceback and suffixes the node; eagerly, with the kernel's name."""
    lines = [ln.strip() for ln in text.splitlines()]
    files = [k for k, ln in enumerate(lines) if ln.startswith("File ")]
    tail = lines[files[-1] + 1 :] if files else lines
    msg = " ".join(ln for ln in tail if ln and not ln.startswith("[[") and not ln.startswith("Graph execution"))
    msg = re.sub(r"^\{\{[^}]*\}\}\s*", "", msg)
    return msg.split(" [Op:")[0].strip() or text


def _no_gradient(fn: Callable[[], np.ndarray]) -> Callable[[], np.ndarray]:
    """An op with no registered gradient is a limitation of TensorFlow, reported by name as unsupported."""

    def thunk() -> np.ndarray:
        try:
            return fn()
        except tf.errors.OpError as e:  # the kernel's message, without the graph's traceback
            raise type(e)(e.node_def, e.op, _kernel_message(str(e))) from None
        except Exception as e:  # LookupError; inside tape.jacobian's pfor, wrapped in a StagingError
            m = _NO_GRADIENT.search(str(e))
            if m is None:
                raise
            raise UnsupportedPrimitive(m.group(1), f"TensorFlow {VERSION} registers no gradient for it") from e

    return thunk


def _jacobian(of_x: Callable[[tf.Tensor], tf.Tensor], x: tf.Tensor) -> np.ndarray:
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = of_x(x)
    return tape.jacobian(y, x, unconnected_gradients=_ZERO).numpy()


def _gradient(of_x: Callable[[tf.Tensor], tf.Tensor], x: tf.Tensor) -> np.ndarray:
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = of_x(x)
    if y.shape.rank:
        raise NotApplicable("GradientTape.gradient of a non-scalar output sums it")
    return tape.gradient(y, x, unconnected_gradients=_ZERO).numpy()


def _jvp(of_x: Callable[[tf.Tensor], tf.Tensor], x: tf.Tensor, v: tf.Tensor) -> np.ndarray:
    with tf.autodiff.ForwardAccumulator(x, v) as acc:
        y = of_x(x)
    return acc.jvp(y, unconnected_gradients=_ZERO).numpy()


def _forward_jacobian(of_x: Callable[[tf.Tensor], tf.Tensor], x: tf.Tensor) -> np.ndarray:
    """The Jacobian column by column, by forward mode along each coordinate (output axes, then x's)."""
    n = int(np.prod(x.shape))
    cols = [_jvp(of_x, x, tf.constant(e.reshape(x.shape))) for e in np.eye(n)]
    out = np.stack(cols, axis=-1)
    return out.reshape(out.shape[:-1] + tuple(x.shape))


def _hessian(of_x: Callable[[tf.Tensor], tf.Tensor], x: tf.Tensor) -> np.ndarray:
    """Nested tapes: the outer tape's jacobian of the inner tape's gradient."""
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = of_x(x)
        g = inner.gradient(y, x, unconnected_gradients=_ZERO)
    return outer.jacobian(g, x, unconnected_gradients=_ZERO).numpy()


def _vjp(of_x: Callable[[tf.Tensor], tf.Tensor], x: tf.Tensor, u: tf.Tensor) -> np.ndarray:
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = of_x(x)
    return tape.gradient(y, x, output_gradients=u, unconnected_gradients=_ZERO).numpy()


def derivatives(ident: Any, arrays: Sequence[np.ndarray], extra: np.ndarray | None) -> Thunks:
    """Check name -> thunk computing TensorFlow's derivative by the identity's kind (JAX layout, before
    the convention). Raises :class:`UnsupportedPrimitive` if f cannot be translated."""
    of_x, x = _of_x(ident, arrays)
    out: Thunks = {}
    if ident.kind == "jacobian":
        out["tape.jacobian"] = lambda: _jacobian(of_x, x)
        out["ForwardAccumulator"] = lambda: _forward_jacobian(of_x, x)
        out["tape.gradient"] = lambda: _gradient(of_x, x)
    elif ident.kind == "hessian":
        out["nested tapes"] = lambda: _hessian(of_x, x)
    elif ident.kind == "jvp":
        assert extra is not None
        out["ForwardAccumulator"] = lambda: _jvp(of_x, x, tf.constant(np.asarray(extra, dtype=np.float64)))
    elif ident.kind == "vjp":
        assert extra is not None
        out["tape.gradient"] = lambda: _vjp(of_x, x, tf.constant(np.asarray(extra, dtype=np.float64)))
    return {name: _no_gradient(fn) for name, fn in out.items()}


def at_point(ident: Any, arrays: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """TensorFlow's derivative(s) at a special point, in JAX layout: the Hessian (nested tapes) for hessian
    kinds, else the Jacobian by the tape and by forward mode (and tape.gradient for scalar outputs)."""
    of_x, x = _of_x(ident, arrays)
    if ident.kind == "hessian":
        return {"nested tapes": _no_gradient(lambda: _hessian(of_x, x))()}
    out = {
        "tape.jacobian": _no_gradient(lambda: _jacobian(of_x, x))(),
        "ForwardAccumulator": _no_gradient(lambda: _forward_jacobian(of_x, x))(),
    }
    try:
        out["tape.gradient"] = _no_gradient(lambda: _gradient(of_x, x))()
    except NotApplicable:
        pass
    return out


# --- complex identities ------------------------------------------------------------------------------------------
# Measured here (tensorflow 2.21.0): tape.gradient of |z|^2 at z = 1 + 2i is 2 + 4i (= ∂f/∂x + i ∂f/∂y), of |z| is
# z/|z|, and of the holomorphic z^2 is 2 - 4i (= conj f'(z)): PyTorch's convention (tests/test_tensorflow.py).
COMPLEX_CONVENTION = "torch"


def complex_derivatives(ident: Any, arrays: Sequence[np.ndarray]) -> Thunks:
    """TensorFlow on a complex variable: ``vjp (tensorflow)`` (``tape.gradient`` with every unit cotangent as
    ``output_gradients``), and ``gradient (tensorflow)`` (``tape.gradient`` of a real scalar f)."""
    f, _ = tf_function(ident, arrays)
    w = ident.wrt_index
    targs = [_const(np.asarray(a)) for a in arrays]
    z = targs[w]

    def of_z(x: tf.Tensor) -> tf.Tensor:
        return f(*targs[:w], x, *targs[w + 1 :])

    fz = of_z(z)
    shape, n_out = tuple(fz.shape), int(np.prod(fz.shape, dtype=int))

    def pull(ct: tf.Tensor) -> np.ndarray:
        with tf.GradientTape() as tape:
            tape.watch(z)
            y = of_z(z)
        return tape.gradient(y, z, output_gradients=ct, unconnected_gradients=_ZERO).numpy()

    def vjp_all() -> np.ndarray:
        basis = np.eye(n_out, dtype=fz.dtype.as_numpy_dtype).reshape((n_out, *shape))
        return np.stack([pull(tf.constant(ct)) for ct in basis]).reshape((*shape, *z.shape))

    def gradient() -> np.ndarray:
        if fz.dtype.is_complex or fz.shape.rank:
            raise NotApplicable("tape.gradient without output_gradients needs a real scalar")
        with tf.GradientTape() as tape:
            tape.watch(z)
            y = of_z(z)
        return tape.gradient(y, z, unconnected_gradients=_ZERO).numpy()

    # no forward mode: ForwardAccumulator refuses a complex primal ("The dtype of the watched primal must be
    # floating", measured with tensorflow 2.21.0)
    return {"vjp (tensorflow)": vjp_all, "gradient (tensorflow)": gradient}
