"""Input validation for evaluating an identity: arity, shapes, dtypes, finiteness and preconditions.

Every refusal is an :class:`~identities.errors.IdentityError` whose message names the identity and the
argument. Value checks (finiteness, preconditions) cost one pass over the inputs (plus a condition number
or an eigenvalue decomposition for the structures that need one) and are skipped with ``check=False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import COMPLEX_NOT_SUPPORTED, ArityError, DTypeError, NonFiniteError, PreconditionError, ShapeError

if TYPE_CHECKING:
    from ._core import Identity

# Relative tolerance of value checks (e.g. symmetry) per floating dtype.
CHECK_RTOL: dict[Any, float] = {np.dtype(np.float64): 1e-8, np.dtype(np.float32): 1e-4, np.dtype(np.float16): 1e-2}


def _extra_name(ident: Identity) -> str | None:
    return {"jvp": f"d{ident.wrt}", "vjp": "cotangent"}.get(ident.kind)


def bind(ident: Identity, args: tuple[Any, ...], kwargs: Mapping[str, Any], *, check: bool = True) -> tuple[Any, ...]:
    """Match positional and keyword arguments to the identity's arguments and validate them."""
    import jax.numpy as jnp

    names = list(ident.argnames)
    extra = _extra_name(ident)
    if extra:
        names.append(extra)
    if len(args) > len(names):
        raise ArityError(f"{ident.id}: takes {len(names)} arguments ({', '.join(names)}), got {len(args)}")
    bound: dict[str, Any] = dict(zip(names, args, strict=False))
    for k, v in kwargs.items():
        if k not in names:
            raise ArityError(f"{ident.id}: unexpected argument {k!r}; arguments are {', '.join(names)}")
        if k in bound:
            raise ArityError(f"{ident.id}: argument {k!r} given twice")
        bound[k] = v
    missing = [n for n in names if n not in bound]
    if missing:
        raise ArityError(f"{ident.id}: missing argument(s) {', '.join(missing)}; takes {', '.join(names)}")

    arrays = {n: _as_array(ident, n, bound[n]) for n in names}
    sizes = _check_shapes(ident, arrays)
    if extra:
        _check_extra_shape(ident, extra, arrays, sizes)
    if check:
        for n in names:
            a = arrays[n]
            if not np.all(np.isfinite(a)):
                bad = np.argwhere(~np.isfinite(np.asarray(a)))
                where = tuple(int(i) for i in bad[0]) if bad.size else ()
                raise NonFiniteError(f"{ident.id}: argument {n} has a non-finite entry {a[where]} at {where}")
        for n in ident.argnames:
            s = ident.structure(n)
            a = arrays[n]
            msg = s.check_shape(a.shape) or s.violation(a, CHECK_RTOL.get(a.real.dtype, 1e-8))
            if msg:
                raise PreconditionError(f"{ident.id}: argument {n} {msg}")
        for j in ident.joint:
            msg = j.violation({n: arrays[n] for n in ident.argnames}, 1e-8)
            if msg:
                raise PreconditionError(f"{ident.id}: arguments {', '.join(j.args)}: {msg}")
    return tuple(jnp.asarray(arrays[n]) for n in names)


def _as_array(ident: Identity, name: str, v: Any) -> np.ndarray:
    """The argument as float64, or as complex128 for an argument the identity declares complex (real
    input is accepted there: a real z is a complex z with zero imaginary part)."""
    if name not in ident.dtypes:
        return _as_float(ident, name, v)
    if hasattr(v, "detach") and hasattr(v, "numpy"):  # a torch tensor
        v = v.detach().cpu().resolve_conj().numpy()
    dtype = getattr(v, "dtype", None)
    if dtype is not None and np.dtype(dtype).kind not in "fc":
        kind = np.dtype(dtype).kind
        what = {"i": "integer", "u": "unsigned integer", "b": "boolean"}.get(kind, str(dtype))
        raise DTypeError(
            f"{ident.id}: argument {name} has {what} dtype {dtype}; a complex (or real float) array is required"
        )
    try:
        probe = np.asarray(v)
    except (TypeError, ValueError) as e:
        raise DTypeError(f"{ident.id}: argument {name} cannot be read as a complex array: {e}") from None
    if probe.dtype.kind == "O" and all(
        isinstance(x, int | float | complex) and not isinstance(x, bool) for x in probe.flat
    ):
        probe = probe.astype(complex)
    if probe.dtype.kind not in "fiuc":
        what = "boolean entries" if probe.dtype.kind == "b" else f"entries of type {_entry_type(probe)}"
        raise DTypeError(f"{ident.id}: argument {name} has {what}; a complex (or real) array is required")
    return probe.astype(np.complex128)


def _as_float(ident: Identity, name: str, v: Any) -> np.ndarray:
    if hasattr(v, "detach") and hasattr(v, "numpy"):  # a torch tensor
        v = v.detach().cpu().numpy()
    dtype = getattr(v, "dtype", None)
    if dtype is not None:
        kind = np.dtype(dtype).kind
        if kind == "c":
            raise DTypeError(
                f"{ident.id}: argument {name} has complex dtype {dtype}: {COMPLEX_NOT_SUPPORTED}; "
                f"{name} is real in this identity"
            )
        if kind != "f":
            what = {"i": "integer", "u": "unsigned integer", "b": "boolean"}.get(kind, str(dtype))
            raise DTypeError(f"{ident.id}: argument {name} has {what} dtype {dtype}; a real float array is required")
        return np.asarray(v)
    if isinstance(v, complex):
        raise DTypeError(f"{ident.id}: argument {name} is complex ({v!r}): {COMPLEX_NOT_SUPPORTED}")
    if isinstance(v, bool):
        raise DTypeError(f"{ident.id}: argument {name} is bool; a real float is required")
    # Python numbers and (nested) lists: ints are read as float64; complex, boolean and non-numbers (None,
    # strings) are refused rather than cast (None would become NaN, True 1.0, 1+2j an error about float()).
    try:
        probe = np.asarray(v)
    except (TypeError, ValueError) as e:  # a ragged list
        raise DTypeError(f"{ident.id}: argument {name} cannot be read as a real float array: {e}") from None
    kind = probe.dtype.kind
    if kind == "c":
        raise DTypeError(f"{ident.id}: argument {name} has complex entries: {COMPLEX_NOT_SUPPORTED}")
    if kind == "O" and all(_is_real(x) for x in probe.flat):  # ints too large for int64
        kind = "f"
    if kind not in "fiu":
        what = "boolean entries" if kind == "b" else f"entries of type {_entry_type(probe)}"
        raise DTypeError(f"{ident.id}: argument {name} has {what}; a real float array is required")
    try:
        return probe.astype(np.float64)
    except OverflowError:  # a Python int beyond float64 (10**400)
        raise DTypeError(f"{ident.id}: argument {name} has an integer too large for float64") from None


def _is_real(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool | np.bool_)


def _entry_type(a: np.ndarray) -> str:
    """The type of the first entry that is not a real number (``NoneType``, ``str``, ``dict``)."""
    if a.dtype.kind in "US":
        return "str"
    return next((type(x).__name__ for x in a.flat if not _is_real(x)), str(a.dtype))


def _check_shapes(ident: Identity, arrays: Mapping[str, np.ndarray]) -> dict[str, int]:
    from ._core import parse_shape

    sizes: dict[str, int] = {}
    source: dict[str, str] = {}
    for n in ident.argnames:
        dims = parse_shape(ident.shapes[n])
        shape = arrays[n].shape
        if len(shape) != len(dims):
            want = " × ".join(dims) if dims else "a scalar"
            raise ShapeError(f"{ident.id}: argument {n} must be {want} (shape '{ident.shapes[n]}'), got shape {shape}")
        for axis, (d, s) in enumerate(zip(dims, shape, strict=True)):
            if d.isdigit():
                if int(d) != s:
                    raise ShapeError(f"{ident.id}: argument {n} axis {axis} must have size {d}, got {s}")
            elif d in sizes and sizes[d] != s:
                raise ShapeError(
                    f"{ident.id}: dimension {d} is {sizes[d]} in {source[d]} but {s} in argument {n} (axis {axis})"
                )
            else:
                sizes.setdefault(d, s)
                source.setdefault(d, f"argument {n} (axis {axis})")
    return sizes


def _check_extra_shape(ident: Identity, extra: str, arrays: Mapping[str, np.ndarray], sizes: Mapping[str, int]) -> None:
    import jax

    if ident.kind == "jvp":
        want = arrays[ident.wrt].shape
    else:
        specs = [jax.ShapeDtypeStruct(arrays[a].shape, arrays[a].dtype) for a in ident.argnames]
        want = tuple(jax.eval_shape(ident.f, *specs).shape)
    if arrays[extra].shape != want:
        raise ShapeError(f"{ident.id}: argument {extra} must have shape {want}, got {arrays[extra].shape}")
