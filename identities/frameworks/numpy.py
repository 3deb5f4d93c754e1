"""NumPy (with SciPy's LAPACK) as a table of the shared jaxpr interpreter: a JAX function evaluated with no
XLA compile.

``find`` evaluates every candidate identity on a new machine, and XLA compiles a program for each (about
50 ms apiece: 113 compiles for ``logdet(X)``). Tracing a function to a jaxpr costs a few milliseconds and
interpreting it with NumPy a few more, so :func:`evaluate` makes a cold lookup fast. NumPy is no
conformance framework (it has no autodiff): it is not in :data:`~identities.frameworks.adapter.ADAPTERS`.

A function with a primitive that the table does not translate raises
:class:`~identities.frameworks.interpreter.UnsupportedPrimitive` before anything is evaluated, and the caller
falls back to JAX. ``tests/test_numpy_table.py`` checks the table against JAX on every catalog identity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.linalg as sla

from .interpreter import CONTROL_FLOW, Table, UnsupportedPrimitive, dot_general_einsum
from .interpreter import evaluate as _evaluate

__all__ = ["TABLE", "evaluate"]

Rule = Callable[..., Any]
RULES: dict[str, Rule] = {}


def _rule(*names: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for name in names:
            RULES[name] = fn
        return fn

    return register


UNARY: dict[str, Callable[[np.ndarray], Any]] = {
    "neg": np.negative,
    "sign": np.sign,
    "floor": np.floor,
    "ceil": np.ceil,
    "round": np.round,
    "is_finite": np.isfinite,
    "exp": np.exp,
    "exp2": np.exp2,
    "log": np.log,
    "log1p": np.log1p,
    "expm1": np.expm1,
    "tanh": np.tanh,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "asinh": np.arcsinh,
    "acosh": np.arccosh,
    "atanh": np.arctanh,
    "sqrt": np.sqrt,
    "rsqrt": lambda x: 1.0 / np.sqrt(x),
    "cbrt": np.cbrt,
    "abs": np.abs,
    "real": np.real,
    "imag": np.imag,
    "conj": np.conj,
    "not": np.invert,
    "logistic": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "square": np.square,
    "copy": np.array,
    "copy_p": np.array,
    "stop_gradient": np.asarray,
    "optimization_barrier": np.asarray,
}

BINARY: dict[str, Callable[[np.ndarray, np.ndarray], Any]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": lambda x, y: np.trunc(x / y).astype(x.dtype) if np.issubdtype(x.dtype, np.integer) else x / y,
    "rem": np.fmod,  # lax.rem takes the sign of the dividend, as C's fmod does
    "pow": np.power,
    "max": np.maximum,
    "min": np.minimum,
    "atan2": np.arctan2,
    "nextafter": np.nextafter,
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "lt_to": np.less,
    "and": np.bitwise_and,
    "or": np.bitwise_or,
    "xor": np.bitwise_xor,
    "complex": lambda x, y: x + 1j * y,
}


@_rule("integer_pow")
def _integer_pow(x: np.ndarray, *, y: int, **_: Any) -> np.ndarray:
    return np.power(x, y)


@_rule("convert_element_type")
def _convert(x: np.ndarray, *, new_dtype: Any, **_: Any) -> np.ndarray:
    if np.iscomplexobj(x) and not np.issubdtype(np.dtype(new_dtype), np.complexfloating):
        x = np.real(x)
    return np.asarray(x).astype(new_dtype)


@_rule("iota")
def _iota(*, dtype: Any, shape: tuple[int, ...], dimension: int, **_: Any) -> np.ndarray:
    ax = np.arange(shape[dimension], dtype=dtype).reshape([-1 if i == dimension else 1 for i in range(len(shape))])
    return np.broadcast_to(ax, shape).copy()


@_rule("broadcast_in_dim")
def _broadcast_in_dim(
    x: np.ndarray, *dyn: Any, shape: tuple[int, ...], broadcast_dimensions: tuple[int, ...], **_: Any
):
    if dyn:
        raise UnsupportedPrimitive("broadcast_in_dim", "dynamic shapes")
    expanded = np.reshape(
        x, [x.shape[broadcast_dimensions.index(i)] if i in broadcast_dimensions else 1 for i in range(len(shape))]
    )
    return np.broadcast_to(expanded, shape).copy()


@_rule("reshape")
def _reshape(x: np.ndarray, *dyn: Any, new_sizes: tuple[int, ...], dimensions: Any = None, **_: Any) -> np.ndarray:
    if dyn or dimensions is not None:
        raise UnsupportedPrimitive("reshape", "with dimensions")
    return np.reshape(x, new_sizes)


@_rule("squeeze")
def _squeeze(x: np.ndarray, *, dimensions: tuple[int, ...], **_: Any) -> np.ndarray:
    return np.squeeze(x, axis=tuple(dimensions))


@_rule("expand_dims")
def _expand_dims(x: np.ndarray, *, dimensions: tuple[int, ...], **_: Any) -> np.ndarray:
    return np.expand_dims(x, tuple(dimensions))


@_rule("transpose")
def _transpose(x: np.ndarray, *, permutation: tuple[int, ...], **_: Any) -> np.ndarray:
    return np.transpose(x, permutation)


@_rule("rev")
def _rev(x: np.ndarray, *, dimensions: tuple[int, ...], **_: Any) -> np.ndarray:
    return np.flip(x, axis=tuple(dimensions))


@_rule("slice")
def _slice(x: np.ndarray, *, start_indices: Sequence[int], limit_indices: Sequence[int], strides: Any = None, **_: Any):
    steps = strides or (1,) * x.ndim
    return x[tuple(slice(a, b, s) for a, b, s in zip(start_indices, limit_indices, steps, strict=True))]


@_rule("dynamic_slice")
def _dynamic_slice(x: np.ndarray, *starts: np.ndarray, slice_sizes: Sequence[int], **_: Any) -> np.ndarray:
    if len(starts) != x.ndim:
        raise UnsupportedPrimitive("dynamic_slice", "dynamic sizes")
    # XLA clamps each start so that the slice stays inside the operand
    lo = [int(np.clip(int(s), 0, n - k)) for s, n, k in zip(starts, x.shape, slice_sizes, strict=True)]
    return x[tuple(slice(a, a + k) for a, k in zip(lo, slice_sizes, strict=True))]


@_rule("concatenate")
def _concatenate(*xs: np.ndarray, dimension: int, **_: Any) -> np.ndarray:
    return np.concatenate(xs, axis=dimension)


@_rule("stack")
def _stack(*xs: np.ndarray, axis: int, **_: Any) -> np.ndarray:
    return np.stack(xs, axis=axis)


@_rule("pad")
def _pad(x: np.ndarray, value: np.ndarray, *, padding_config: Sequence[tuple[int, int, int]], **_: Any) -> np.ndarray:
    if any(lo < 0 or hi < 0 or inner for lo, hi, inner in padding_config):
        raise UnsupportedPrimitive("pad", "negative or interior padding")
    return np.pad(x, [(lo, hi) for lo, hi, _ in padding_config], constant_values=value)


@_rule("select_n")
def _select_n(which: np.ndarray, *cases: np.ndarray, **_: Any) -> np.ndarray:
    return np.choose(np.asarray(which).astype(np.int64), np.broadcast_arrays(*cases))


@_rule("clamp")
def _clamp(lo: np.ndarray, x: np.ndarray, hi: np.ndarray, **_: Any) -> np.ndarray:
    return np.minimum(np.maximum(x, lo), hi)


def _reducer(fn: Callable[..., np.ndarray]) -> Rule:
    return lambda x, *, axes, **_: fn(x, axis=tuple(axes))


RULES["reduce_sum"] = _reducer(np.sum)
RULES["reduce_max"] = _reducer(np.max)
RULES["reduce_min"] = _reducer(np.min)
RULES["reduce_prod"] = _reducer(np.prod)
RULES["reduce_or"] = _reducer(np.any)
RULES["reduce_and"] = _reducer(np.all)


@_rule("sort")
def _sort(*xs: np.ndarray, dimension: int, num_keys: int, **_: Any) -> list[np.ndarray]:
    if num_keys != 1:
        raise UnsupportedPrimitive("sort", "several keys")
    order = np.argsort(xs[0], axis=dimension, kind="stable")  # NaNs last, as lax.sort's total order
    return [np.take_along_axis(x, order, axis=dimension) for x in xs]


@_rule("dot_general")
def _dot_general(x: np.ndarray, y: np.ndarray, *, dimension_numbers: Any, preferred_element_type: Any = None, **_: Any):
    r = np.einsum(dot_general_einsum(dimension_numbers, x.ndim, y.ndim), x, y)
    return r if preferred_element_type is None else r.astype(preferred_element_type)


@_rule("gather")
def _gather(
    x: np.ndarray,
    idx: np.ndarray,
    *,
    dimension_numbers: Any,
    slice_sizes: Sequence[int],
    mode: Any,
    fill_value: Any = None,
    **_: Any,
) -> np.ndarray:
    """XLA's gather (https://openxla.org/xla/operation_semantics#gather), index vector last. Starts are
    clamped into the operand (clip and promise-in-bounds modes), or an out-of-range slice is filled with
    ``fill_value`` (NaN for floats, as JAX's default) in the fill-or-drop mode."""
    dn = dimension_numbers
    fill = "FILL" in str(mode)
    obatch = [int(d) for d in getattr(dn, "operand_batching_dims", ())]
    ibatch = [int(d) for d in getattr(dn, "start_indices_batching_dims", ())]
    offset = [int(d) for d in dn.offset_dims]
    collapsed = {int(c) for c in dn.collapsed_slice_dims}
    kept = [d for d in range(x.ndim) if d not in collapsed and d not in obatch]
    batch_shape = idx.shape[:-1]
    rank = len(batch_shape) + len(offset)
    batch_at = [i for i in range(rank) if i not in offset]
    shape = [0] * rank
    for i, d in zip(offset, kept, strict=True):
        shape[i] = slice_sizes[d]
    for i, n in zip(batch_at, batch_shape, strict=True):
        shape[i] = n
    out = np.empty(shape, dtype=x.dtype)
    if fill and fill_value is None:
        if not np.issubdtype(x.dtype, np.inexact):
            raise UnsupportedPrimitive("gather", "fill-or-drop of integers")
        fill_value = np.nan
    for b in np.ndindex(*batch_shape):
        start = [0] * x.ndim
        for d, j in zip(obatch, ibatch, strict=True):
            start[d] = b[j]
        dropped = False
        for k, d in enumerate(dn.start_index_map):
            d, hi = int(d), x.shape[int(d)] - slice_sizes[int(d)]
            want = int(idx[b][k])
            dropped |= fill and not 0 <= want <= hi
            start[d] = int(np.clip(want, 0, hi))
        where: list[Any] = [slice(None)] * rank
        for i, bi in zip(batch_at, b, strict=True):
            where[i] = bi
        if dropped:
            out[tuple(where)] = fill_value
            continue
        piece = x[tuple(slice(a, a + n) for a, n in zip(start, slice_sizes, strict=True))]
        out[tuple(where)] = piece.reshape([slice_sizes[d] for d in kept])
    return out


# --- linear algebra: the same LAPACK drivers XLA's CPU lowering calls ----------------------------------------


def _square_2d(x: np.ndarray, what: str) -> None:
    if x.ndim != 2:
        raise UnsupportedPrimitive(what, "a batch")


@_rule("cholesky")
def _cholesky(x: np.ndarray, **_: Any) -> np.ndarray:
    _square_2d(x, "cholesky")
    try:
        return np.linalg.cholesky(np.tril(x) + np.tril(x, -1).conj().T)  # the lower triangle, as LAPACK's potrf
    except np.linalg.LinAlgError:
        return np.full_like(x, np.nan)  # XLA returns NaNs for a matrix that is not positive definite


@_rule("lu")
def _lu(x: np.ndarray, **_: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    _square_2d(x, "lu")
    lu, piv = sla.lu_factor(x, check_finite=False) if x.shape[0] == x.shape[1] else _getrf(x)
    perm = np.arange(x.shape[0], dtype=np.int32)
    for i, p in enumerate(piv):
        perm[[i, p]] = perm[[p, i]]
    return lu, piv.astype(np.int32), perm


def _getrf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    (getrf,) = sla.get_lapack_funcs(("getrf",), (x,))
    lu, piv, _ = getrf(x)
    return lu, piv


@_rule("triangular_solve")
def _triangular_solve(
    a: np.ndarray,
    b: np.ndarray,
    *,
    left_side: bool,
    lower: bool,
    transpose_a: bool,
    conjugate_a: bool,
    unit_diagonal: bool,
    **_: Any,
) -> np.ndarray:
    if a.ndim != 2 or b.ndim != 2:
        raise UnsupportedPrimitive("triangular_solve", "a batch")
    if conjugate_a and not transpose_a:
        a = a.conj()
    trans = ("C" if conjugate_a else "T") if transpose_a else "N"
    if left_side:  # op(a) x = b
        return sla.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal, check_finite=False)
    # x op(a) = b  <=>  op(a)^T x^T = b^T
    flip = {"N": "T", "T": "N", "C": "N"}[trans]
    aa = a.conj() if trans == "C" else a
    return sla.solve_triangular(aa, b.T, trans=flip, lower=lower, unit_diagonal=unit_diagonal, check_finite=False).T


@_rule("eigh")
def _eigh(x: np.ndarray, *, lower: bool, sort_eigenvalues: bool, subset_by_index: Any = None, **params: Any):
    _square_2d(x, "eigh")
    if subset_by_index not in (None, (0, x.shape[0])) or params.get("algorithm") not in (None,):
        raise UnsupportedPrimitive("eigh", "a subset or an algorithm")
    w, v = np.linalg.eigh(x, UPLO="L" if lower else "U")
    return v, w  # eigh_p's outputs are (vectors, values)


@_rule("eig")
def _eig(x: np.ndarray, *, compute_left_eigenvectors: bool, compute_right_eigenvectors: bool, **_: Any):
    _square_2d(x, "eig")
    if compute_left_eigenvectors:
        raise UnsupportedPrimitive("eig", "left eigenvectors")
    w, v = np.linalg.eig(x)
    w = w.astype(np.result_type(x.dtype, np.complex64))
    return (w, v.astype(w.dtype)) if compute_right_eigenvectors else (w,)


@_rule("svd")
def _svd(x: np.ndarray, *, full_matrices: bool, compute_uv: bool, subset_by_index: Any = None, **params: Any):
    _square_2d(x, "svd")
    if subset_by_index not in (None, (0, min(x.shape))) or params.get("algorithm") not in (None,):
        raise UnsupportedPrimitive("svd", "a subset or an algorithm")
    try:
        if not compute_uv:
            return (np.linalg.svd(x, compute_uv=False),)
        u, s, vt = np.linalg.svd(x, full_matrices=full_matrices)
    except np.linalg.LinAlgError:
        raise UnsupportedPrimitive("svd", "did not converge") from None
    return s, u, vt  # svd_p's outputs are (s, u, vt)


@_rule("qr")
def _qr(x: np.ndarray, *, pivoting: bool, full_matrices: bool, **_: Any) -> tuple[np.ndarray, np.ndarray]:
    _square_2d(x, "qr")
    if pivoting:
        raise UnsupportedPrimitive("qr", "pivoting")
    q, r = np.linalg.qr(x, mode="complete" if full_matrices else "reduced")
    return q, r


@_rule("platform_index")
def _platform_index(*, platforms: Sequence[Any], **_: Any) -> np.ndarray:
    for i, names in enumerate(platforms):
        if names is None or "cpu" in names:
            return np.asarray(i, dtype=np.int32)
    raise UnsupportedPrimitive("platform_index", "no branch for the CPU")


TABLE = Table(
    name="numpy",
    const=np.asarray,
    to_numpy=np.asarray,
    is_tensor=lambda x: isinstance(x, np.ndarray),
    is_float=lambda x: np.asarray(x).dtype.kind in "fc",
    promote=lambda x, y: (x, y),
    unary=UNARY,
    binary=BINARY,
    rules=RULES,
    native={},
    control_flow=frozenset(CONTROL_FLOW),
    exact_avals=True,
)


def evaluate(f: Callable[..., Any], args: Sequence[Any]) -> Any:
    """``f(*args)`` computed with NumPy from ``f``'s jaxpr (no XLA compile), as ``f``'s pytree; raises
    :class:`UnsupportedPrimitive` before evaluating if ``f`` uses a primitive the table lacks."""
    with np.errstate(all="ignore"):
        return _evaluate(TABLE, f, args)
