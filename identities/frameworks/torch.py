"""PyTorch's table for the jaxpr interpreter (:mod:`identities.frameworks.interpreter`) and its gradient
adapter: ``torch.func.jacrev``/``jacfwd``/``hessian``/``jvp``/``vjp`` and ``torch.autograd.grad``.

Named library calls map to PyTorch's native functions (``torch.linalg.det``, ...), so PyTorch's own
derivative rules are what is tested. The module is named after the framework, like its siblings; every
import here is absolute (PEP 328), so ``import torch`` is the PyTorch package, never this file
(tests/test_frameworks.py checks it).

PyTorch is optional: importing this module without it raises ``ImportError`` with the install hint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

try:
    import torch
except ImportError as e:  # pragma: no cover - exercised only without torch
    raise ImportError("PyTorch is not installed: pip install 'identities[torch]' (a CPU build is enough)") from e

from identities.frameworks.adapter import NotApplicable, Thunks
from identities.frameworks.interpreter import Native, Table, UnsupportedPrimitive, dot_general_einsum, function

__all__ = ["NAME", "TABLE", "VERSION", "at_point", "derivatives", "numeric_failure", "torch_function"]

NAME = "torch"
VERSION = torch.__version__


def numeric_failure(e: BaseException) -> bool:
    """PyTorch's documented error at a singular point: torch.linalg.LinAlgError (LAPACK's "singular")."""
    return isinstance(e, torch.linalg.LinAlgError)


def _load_forward_mode() -> None:
    """PyTorch's first forward-mode call loads its JVP decompositions through the deprecated
    ``torch.jit.script``, which warns (torch's own DeprecationWarning, nothing of ours): do it once here,
    with that warning silenced, so that later calls (and test runs with warnings as errors) are clean."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*torch.jit.script.*", category=DeprecationWarning)
        x = torch.zeros(1, dtype=torch.float64)
        torch.func.jvp(torch.sin, (x,), (x,))


_load_forward_mode()


_DTYPES = {
    np.dtype(np.float64): torch.float64,
    np.dtype(np.float32): torch.float32,
    np.dtype(np.complex128): torch.complex128,
    np.dtype(np.complex64): torch.complex64,
    np.dtype(np.int64): torch.int64,
    np.dtype(np.int32): torch.int32,
    np.dtype(np.int8): torch.int8,
    np.dtype(np.uint8): torch.uint8,
    np.dtype(np.bool_): torch.bool,
}


def _tdtype(dt: Any) -> torch.dtype:
    try:
        return _DTYPES[np.dtype(dt)]
    except KeyError:
        raise UnsupportedPrimitive("dtype", str(dt)) from None


def _const(v: Any) -> torch.Tensor:
    a = np.asarray(v)
    return torch.as_tensor(a.copy(), dtype=_tdtype(a.dtype))


# --- primitive rules ------------------------------------------------------------------------------------------
def _dot_general(x: torch.Tensor, y: torch.Tensor, dimension_numbers: Any, **_: Any) -> torch.Tensor:
    if x.dtype != y.dtype:
        y = y.to(x.dtype)
    return torch.einsum(dot_general_einsum(dimension_numbers, x.ndim, y.ndim), x, y)


def _broadcast_in_dim(x: torch.Tensor, shape: Sequence[int], broadcast_dimensions: Sequence[int], **_: Any) -> Any:
    view = [1] * len(shape)
    for src, dst in enumerate(broadcast_dimensions):
        view[dst] = x.shape[src]
    return x.reshape(view).expand(*shape)


def _slice(x: torch.Tensor, start_indices: Any, limit_indices: Any, strides: Any = None, **_: Any) -> Any:
    strides = strides or (1,) * x.ndim
    return x[tuple(slice(s, e, st) for s, e, st in zip(start_indices, limit_indices, strides, strict=True))]


def _iota(dtype: Any, shape: Sequence[int], dimension: int, **_: Any) -> torch.Tensor:
    r = torch.arange(shape[dimension], dtype=_tdtype(dtype))
    view = [1] * len(shape)
    view[dimension] = shape[dimension]
    return r.reshape(view).expand(*shape).clone()


def _select_n(pred: torch.Tensor, *cases: torch.Tensor) -> torch.Tensor:
    if pred.dtype == torch.bool:
        return torch.where(pred, cases[1], cases[0])
    out = cases[0]
    for k in range(1, len(cases)):
        out = torch.where(pred == k, cases[k], out)
    return out


def _reduce(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    def rule(x: torch.Tensor, axes: Sequence[int], **_: Any) -> torch.Tensor:
        if not axes:
            return x
        return fn(x, dim=tuple(axes))

    return rule


def _reduce_prod(x: torch.Tensor, axes: Sequence[int], **_: Any) -> torch.Tensor:
    for a in sorted(axes, reverse=True):
        x = torch.prod(x, dim=a)
    return x


def _div(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if x.dtype.is_floating_point:
        return x / y
    return torch.div(x, y, rounding_mode="trunc")


def _cumulative(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    def rule(x: torch.Tensor, axis: int, reverse: bool = False, **_: Any) -> torch.Tensor:
        if reverse:
            out = fn(x.flip(axis), dim=axis)
            return (out if isinstance(out, torch.Tensor) else out.values).flip(axis)
        out = fn(x, dim=axis)
        return out if isinstance(out, torch.Tensor) else out.values

    return rule


def _pad(x: torch.Tensor, padval: torch.Tensor, padding_config: Any, **_: Any) -> torch.Tensor:
    if any(interior for _, _, interior in padding_config):
        raise UnsupportedPrimitive("pad", "interior padding")
    pads: list[int] = []
    for lo, hi, _ in reversed(padding_config):
        pads += [lo, hi]
    return torch.nn.functional.pad(x, pads, value=float(padval))


def _triangular_solve(
    a: torch.Tensor,
    b: torch.Tensor,
    left_side: bool,
    lower: bool,
    transpose_a: bool,
    conjugate_a: bool,
    unit_diagonal: bool,
    **_: Any,
) -> torch.Tensor:
    if conjugate_a:  # a no-op on real tensors; for complex ones, lax solves with conj(a) (aᴴ with transpose_a)
        a = a.conj()
    if transpose_a:
        a = a.mT
        lower = not lower
    return torch.linalg.solve_triangular(a, b, upper=not lower, left=left_side, unitriangular=unit_diagonal)


def _lu(a: torch.Tensor, **_: Any) -> list[torch.Tensor]:
    # lu_factor_ex, not lu_factor: like JAX's lu primitive (LAPACK getrf) it factors a singular matrix (a zero
    # pivot is reported in info, not raised), so PyTorch's derivative rule is what gets measured there
    lu, piv, _info = torch.linalg.lu_factor_ex(a)
    piv = (piv - 1).to(torch.int32)
    n = a.shape[-1]
    perm = list(range(n))
    for i, p in enumerate(piv.tolist()):
        perm[i], perm[p] = perm[p], perm[i]
    return [lu, piv, torch.tensor(perm, dtype=torch.int32)]


def _eigh(a: torch.Tensor, lower: bool = True, sort_eigenvalues: bool = True, **_: Any) -> list[torch.Tensor]:
    w, v = torch.linalg.eigh(a, UPLO="L" if lower else "U")
    return [v, w]


def _cholesky(a: torch.Tensor, **_: Any) -> torch.Tensor:
    return torch.linalg.cholesky(a)


def _svd(a: torch.Tensor, full_matrices: bool = False, compute_uv: bool = True, **_: Any) -> Any:
    if not compute_uv:
        return [torch.linalg.svdvals(a)]
    u, s, vh = torch.linalg.svd(a, full_matrices=full_matrices)
    return [s, u, vh]


def _qr(a: torch.Tensor, full_matrices: bool = False, pivoting: bool = False, **_: Any) -> list[torch.Tensor]:
    if pivoting:
        raise UnsupportedPrimitive("qr", "column pivoting")
    q, r = torch.linalg.qr(a, mode="complete" if full_matrices else "reduced")
    return [q, r]


def _sort(*xs: torch.Tensor, dimension: int, num_keys: int = 1, **_: Any) -> list[torch.Tensor]:
    if len(xs) != 1:
        raise UnsupportedPrimitive("sort", f"{len(xs)} operands (argsort or sort by key)")
    return [torch.sort(xs[0], dim=dimension, stable=True).values]


def _platform_index(platforms: Any, **_: Any) -> torch.Tensor:
    for k, p in enumerate(platforms):
        if p is None or "cpu" in p:
            return torch.tensor(k, dtype=torch.int32)
    raise UnsupportedPrimitive("platform_index", str(platforms))


def _split(x: torch.Tensor, sizes: Sequence[int], axis: int, **_: Any) -> list[torch.Tensor]:
    return list(torch.split(x, list(sizes), dim=axis))


def _argmax(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    def rule(x: torch.Tensor, axes: Sequence[int], index_dtype: Any, **_: Any) -> torch.Tensor:
        return fn(x, dim=axes[0]).to(_tdtype(index_dtype))

    return rule


def _dynamic_slice(x: torch.Tensor, *idx: torch.Tensor, slice_sizes: Sequence[int], **_: Any) -> torch.Tensor:
    out = x
    for d, (i, s) in enumerate(zip(idx, slice_sizes, strict=False)):
        start = int(min(max(int(i), 0), x.shape[d] - s))
        out = out.narrow(d, start, s)
    return out


_UNARY: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "neg": torch.neg,
    "exp": torch.exp,
    "exp2": torch.exp2,
    "log": torch.log,
    "log1p": torch.log1p,
    "expm1": torch.expm1,
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "asin": torch.asin,
    "acos": torch.acos,
    "atan": torch.atan,
    "sinh": torch.sinh,
    "cosh": torch.cosh,
    "tanh": torch.tanh,
    "asinh": torch.asinh,
    "acosh": torch.acosh,
    "atanh": torch.atanh,
    "sqrt": torch.sqrt,
    "rsqrt": torch.rsqrt,
    "cbrt": lambda x: torch.sign(x) * torch.abs(x) ** (1 / 3),
    "abs": torch.abs,
    "sign": torch.sign,
    "floor": torch.floor,
    "ceil": torch.ceil,
    "round": torch.round,
    "logistic": torch.sigmoid,
    "erf": torch.erf,
    "erfc": torch.erfc,
    "erf_inv": torch.erfinv,
    "lgamma": torch.lgamma,
    "digamma": torch.digamma,
    "square": torch.square,
    "not": torch.logical_not,
    "is_finite": torch.isfinite,
    "copy": lambda x: x.clone(),
    "copy_p": lambda x: x.clone(),
    # real, imag and conj of complex tensors (identities with complex arguments); of real ones, as for real numbers
    "real": lambda x: torch.real(x) if x.is_complex() else x,
    "conj": lambda x: torch.conj(x).resolve_conj() if x.is_complex() else x,
    "imag": lambda x: torch.imag(x) if x.is_complex() else torch.zeros_like(x),
    "stop_gradient": lambda x: x.detach(),
    "optimization_barrier": lambda x: x,
    "reduce_precision": lambda x: x,
}

_BINARY: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": _div,
    "pow": torch.pow,
    "max": torch.maximum,
    "min": torch.minimum,
    "atan2": torch.atan2,
    "complex": torch.complex,
    "rem": torch.fmod,
    "nextafter": torch.nextafter,
    "eq": torch.eq,
    "ne": torch.ne,
    "lt": torch.lt,
    "le": torch.le,
    "gt": torch.gt,
    "ge": torch.ge,
    "and": lambda x, y: x & y,
    "or": lambda x, y: x | y,
    "xor": lambda x, y: x ^ y,
}

_RULES: dict[str, Callable[..., Any]] = {
    "dot_general": _dot_general,
    "broadcast_in_dim": _broadcast_in_dim,
    "reshape": lambda x, new_sizes, dimensions=None, **_: (x if dimensions is None else x.permute(*dimensions)).reshape(
        tuple(new_sizes)
    ),
    "transpose": lambda x, permutation, **_: x.permute(*permutation),
    "squeeze": lambda x, dimensions, **_: x.reshape([s for i, s in enumerate(x.shape) if i not in dimensions]),
    "convert_element_type": lambda x, new_dtype, **_: x.to(_tdtype(new_dtype)),
    "integer_pow": lambda x, y, **_: x**y,
    "reduce_sum": _reduce(torch.sum),
    "reduce_max": _reduce(torch.amax),
    "reduce_min": _reduce(torch.amin),
    "reduce_and": _reduce(torch.all),
    "reduce_or": _reduce(torch.any),
    "reduce_prod": _reduce_prod,
    "argmax": _argmax(torch.argmax),
    "argmin": _argmax(torch.argmin),
    "select_n": _select_n,
    "iota": _iota,
    "slice": _slice,
    "dynamic_slice": _dynamic_slice,
    "stack": lambda *xs, axis, **_: torch.stack(xs, dim=axis),
    "concatenate": lambda *xs, dimension, **_: torch.cat(xs, dim=dimension),
    "rev": lambda x, dimensions, **_: x.flip(tuple(dimensions)),
    "clamp": lambda lo, x, hi, **_: torch.minimum(torch.maximum(x, lo), hi),
    "cumsum": _cumulative(torch.cumsum),
    "cumprod": _cumulative(torch.cumprod),
    "cummax": _cumulative(torch.cummax),
    "pad": _pad,
    "split": _split,
    "triangular_solve": _triangular_solve,
    "lu": _lu,
    "eigh": _eigh,
    "cholesky": _cholesky,
    "svd": _svd,
    "platform_index": _platform_index,
    "qr": _qr,
    "sort": _sort,
}


# --- named library calls: PyTorch's native function, confirmed by a probe ---------------------------------------
_EPS64 = float(np.finfo(np.float64).eps)


def _lstsq_native(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """jnp.linalg.lstsq's four outputs, the solution from torch.linalg.lstsq (driver gelsd, SVD-based like
    JAX's; its backward is PyTorch's lstsq rule), the others (unused by the catalog) recomputed."""
    vec = b.ndim == 1
    B = b[:, None] if vec else b
    x = torch.linalg.lstsq(a, B, driver="gelsd").solution
    r = B - a @ x
    s = torch.linalg.svdvals(a)
    rank = (s > _EPS64 * max(a.shape[-2:]) * s[0]).sum()
    return (x[:, 0] if vec else x, (r * r).sum(0), rank, s)


def _vn(ord: Any) -> Callable[[torch.Tensor], torch.Tensor]:
    return lambda x: torch.linalg.vector_norm(x, ord=ord)


NATIVE: dict[str, tuple[Native, ...]] = {
    "det": (("torch.linalg.det", torch.linalg.det),),
    "slogdet": (("torch.linalg.slogdet", lambda a: tuple(torch.linalg.slogdet(a))),),
    "inv": (("torch.linalg.inv", torch.linalg.inv),),
    "solve": (("torch.linalg.solve", torch.linalg.solve),),
    "pinv": (("torch.linalg.pinv", torch.linalg.pinv),),
    # jnp.linalg.pinv is a custom_jvp around a jit named _pinv, which takes rtol when one is given; JAX's
    # default cutoff is 10·max(m, n)·eps·σ₁ and a negative rtol keeps every singular value
    "_pinv": (
        ("torch.linalg.pinv", lambda a: torch.linalg.pinv(a, rtol=10 * max(a.shape[-2:]) * _EPS64)),
        ("torch.linalg.pinv(rtol)", lambda a, rtol: torch.linalg.pinv(a, rtol=max(float(rtol), 0.0))),
    ),
    "_lstsq": (("torch.linalg.lstsq", _lstsq_native),),
    "cholesky": (("torch.linalg.cholesky", torch.linalg.cholesky),),
    "eigvalsh": (("torch.linalg.eigvalsh", torch.linalg.eigvalsh),),
    "eigh": (("torch.linalg.eigh", lambda a: tuple(torch.linalg.eigh(a))),),
    "qr": (("torch.linalg.qr", lambda a: tuple(torch.linalg.qr(a))),),
    "svd": (
        ("torch.linalg.svd", lambda a: tuple(torch.linalg.svd(a, full_matrices=False))),
        ("torch.linalg.svdvals", torch.linalg.svdvals),
    ),
    "expm": (("torch.linalg.matrix_exp", torch.linalg.matrix_exp),),
    "norm": (
        ("torch.linalg.vector_norm", _vn(2)),
        ("torch.linalg.vector_norm(ord=1)", _vn(1)),
        ("torch.linalg.vector_norm(ord=inf)", _vn(float("inf"))),
        ("torch.linalg.matrix_norm(ord=2)", lambda x: torch.linalg.matrix_norm(x, ord=2)),
        ("torch.linalg.matrix_norm(ord='nuc')", lambda x: torch.linalg.matrix_norm(x, ord="nuc")),
        ("torch.linalg.matrix_norm(ord=1)", lambda x: torch.linalg.matrix_norm(x, ord=1)),
        ("torch.linalg.matrix_norm(ord=inf)", lambda x: torch.linalg.matrix_norm(x, ord=float("inf"))),
        ("torch.linalg.vector_norm(dim=-1)", lambda x: torch.linalg.vector_norm(x, dim=-1)),
    ),
    "trace": (("torch.trace", torch.trace),),
    "diagonal": (("torch.diagonal", lambda x: torch.diagonal(x, dim1=-2, dim2=-1)),),
    "logsumexp": (
        ("torch.logsumexp", lambda x: torch.logsumexp(x, dim=tuple(range(x.ndim)))),
        ("torch.logsumexp(dim=-1)", lambda x: torch.logsumexp(x, dim=-1)),
    ),
    "_softmax": (("torch.softmax", lambda x: torch.softmax(x, dim=-1)),),
    "softmax": (("torch.softmax", lambda x: torch.softmax(x, dim=-1)),),
    "log_softmax": (("torch.log_softmax", lambda x: torch.log_softmax(x, dim=-1)),),
    "relu": (("torch.relu", torch.relu),),
    "matrix_power": (),
    "tril": (("torch.tril", torch.tril),),
    "triu": (("torch.triu", torch.triu),),
    "kron": (("torch.kron", torch.kron),),
    "outer": (("torch.outer", torch.outer),),
    "cross": (("torch.linalg.cross", torch.linalg.cross),),
}


def _promote(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    if x.dtype != y.dtype and x.dtype.is_floating_point != y.dtype.is_floating_point:
        y = y.to(x.dtype) if x.dtype.is_floating_point else y
        x = x.to(y.dtype) if y.dtype.is_floating_point else x
    return x, y


TABLE = Table(
    name=NAME,
    const=_const,
    to_numpy=lambda t: t.detach().numpy(),
    is_tensor=torch.is_tensor,
    is_float=lambda x: torch.is_tensor(x) and (x.dtype.is_floating_point or x.is_complex()),
    promote=_promote,
    unary=_UNARY,
    binary=_BINARY,
    rules=_RULES,
    native=NATIVE,
    control_flow=frozenset({"scan"}),
)


def torch_function(ident: Any, arrays: Sequence[np.ndarray]) -> tuple[Callable[..., torch.Tensor], set[str]]:
    """``ident.f`` as a function of PyTorch tensors, valid at the shapes of ``arrays``; and the set of native
    PyTorch functions it calls (filled on first evaluation). Raises :class:`UnsupportedPrimitive`."""
    return function(TABLE, ident, arrays)


# --- the gradient adapter ------------------------------------------------------------------------------------------
def _of_x(ident: Any, arrays: Sequence[np.ndarray]) -> tuple[Callable[[torch.Tensor], torch.Tensor], torch.Tensor]:
    """f as a function of the variable alone (the other arguments fixed), and the variable."""
    tf, _ = torch_function(ident, arrays)
    w = ident.wrt_index
    targs = [torch.as_tensor(np.asarray(a, dtype=np.float64)) for a in arrays]
    return (lambda x: tf(*targs[:w], x, *targs[w + 1 :])), targs[w]


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().numpy()


def _autograd_grad(of_x: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> np.ndarray:
    xr = x.clone().requires_grad_(True)
    y = of_x(xr)
    if y.ndim:
        raise NotApplicable("torch.autograd.grad needs a scalar output")
    return _np(torch.autograd.grad(y, xr)[0])


def derivatives(ident: Any, arrays: Sequence[np.ndarray], extra: np.ndarray | None) -> Thunks:
    """Check name -> thunk computing PyTorch's derivative by the identity's kind (JAX layout, before the
    convention). Raises :class:`UnsupportedPrimitive` if f cannot be translated."""
    of_x, x = _of_x(ident, arrays)
    out: Thunks = {}
    if ident.kind == "jacobian":
        out["jacrev"] = lambda: _np(torch.func.jacrev(of_x)(x))
        out["jacfwd"] = lambda: _np(torch.func.jacfwd(of_x)(x))
        out["autograd.grad"] = lambda: _autograd_grad(of_x, x)
    elif ident.kind == "hessian":
        out["hessian"] = lambda: _np(torch.func.hessian(of_x)(x))
        out["jacrev(jacrev)"] = lambda: _np(torch.func.jacrev(torch.func.jacrev(of_x))(x))
    elif ident.kind == "jvp":
        assert extra is not None
        out["jvp"] = lambda: _np(torch.func.jvp(of_x, (x,), (torch.as_tensor(extra),))[1])
    elif ident.kind == "vjp":
        assert extra is not None
        out["vjp"] = lambda: _np(torch.func.vjp(of_x, x)[1](torch.as_tensor(extra))[0])
    return out


def at_point(ident: Any, arrays: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    """PyTorch's derivative(s) at a special point, in JAX layout: the Hessian for hessian kinds, else the
    Jacobian by reverse and forward mode (and torch.autograd.grad for scalar outputs)."""
    of_x, x = _of_x(ident, arrays)
    if ident.kind == "hessian":
        return {"hessian": _np(torch.func.hessian(of_x)(x))}
    out = {"jacrev": _np(torch.func.jacrev(of_x)(x)), "jacfwd": _np(torch.func.jacfwd(of_x)(x))}
    try:
        out["autograd.grad"] = _autograd_grad(of_x, x)
    except NotApplicable:
        pass
    return out


# --- complex variables ---------------------------------------------------------------------------------------------
# PyTorch's documented convention (docs/source/notes/autograd.rst, "Autograd for Complex Numbers", eq. [4]):
# grad_input = conj(grad_output)·∂s/∂z* + grad_output·conj(∂s/∂z); with grad_output = 1 that is the "torch"
# convention of identities.wirtinger (2∂f/∂z̄ for a real f).
COMPLEX_CONVENTION = "torch"


def complex_derivatives(ident: Any, arrays: Sequence[np.ndarray]) -> Thunks:
    """PyTorch on a complex variable: ``vjp (torch)`` (torch.func.vjp with every unit cotangent), ``backward
    (torch)`` (``.grad`` of a real scalar f) and ``jvp (re, im)`` (forward mode along every real and every
    imaginary unit: the partials ∂f/∂x, ∂f/∂y stacked)."""
    tf, _ = torch_function(ident, arrays)
    w = ident.wrt_index
    targs = [torch.as_tensor(np.asarray(a)) for a in arrays]
    z = targs[w]

    def of_z(x: torch.Tensor) -> torch.Tensor:
        return tf(*targs[:w], x, *targs[w + 1 :])

    fz = of_z(z).detach()

    def np_c(t: torch.Tensor) -> np.ndarray:
        return t.detach().resolve_conj().numpy()

    def vjp_all() -> np.ndarray:
        _, pull = torch.func.vjp(of_z, z)
        basis = torch.eye(fz.numel(), dtype=fz.dtype).reshape((fz.numel(), *fz.shape))
        return np.stack([np_c(pull(ct)[0]) for ct in basis]).reshape((*fz.shape, *z.shape))

    def backward() -> np.ndarray:
        if fz.is_complex() or fz.ndim:
            raise NotApplicable("backward() without a gradient needs a real scalar")
        x = z.clone().requires_grad_(True)
        of_z(x).backward()
        return np_c(x.grad)

    def partials() -> np.ndarray:
        n = z.numel()
        out = []
        for unit in (1.0, 1j):
            basis = (unit * torch.eye(n, dtype=z.dtype)).reshape((n, *z.shape))
            cols = np.stack([np_c(torch.func.jvp(of_z, (z,), (t,))[1]) for t in basis])  # (n, *out)
            cols = cols.reshape((*z.shape, *fz.shape))
            out.append(np.moveaxis(cols, tuple(range(z.ndim)), tuple(range(fz.ndim, fz.ndim + z.ndim))))
        return np.stack(out)

    return {"vjp (torch)": vjp_all, "backward (torch)": backward, "jvp (re, im)": partials}
