"""Check anyone's derivative: ``check(f, df, *args)`` and ``check_identity(id, df)``, with a diagnosis.

The reference is JAX autodiff when ``f`` is JAX-traceable and central finite differences (Richardson
extrapolated, as in :mod:`identities.verify`) otherwise, so a pure NumPy ``f`` works. The candidate
``df`` may return NumPy arrays, JAX arrays or PyTorch tensors, in any of the three layouts of
:mod:`identities.layout`. When the candidate is wrong, the report says which known mistake it matches:
the other layout (a transpose), a constant factor, a flipped sign, a formula that holds only for
symmetric inputs, a dropped term of the product or sum rule, or a shape that fits no layout.

Example::

    import numpy as np, identities

    f = lambda x, A: x @ A @ x
    report = identities.check(f, lambda x, A: 2 * A @ x, np.ones(3), np.arange(9.0).reshape(3, 3))
    print(report)  # not ok: "agrees only where A is symmetric ..."
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import COMPLEX_NOT_SUPPORTED, ArityError, CandidateError, DTypeError
from .layout import LAYOUTS, from_jax, to_jax
from .verify import FD_STEP, TOLERANCES, _central, _scale, _step, diagnose

__all__ = ["CheckReport", "check", "check_identity", "to_numpy"]


def to_numpy(a: Any, what: str = "the value", allow_complex: bool = False) -> np.ndarray:
    """A NumPy float array from a NumPy, JAX or PyTorch value (tensors are detached and moved to the CPU).

    Integers and booleans become float64. Anything else is refused with a :class:`DTypeError` that starts
    with ``what``: complex values (not supported yet; a cast would drop the imaginary part), and values that
    are not number arrays at all (a string, None, a dict, a ragged list).
    """
    if hasattr(a, "detach") and hasattr(a, "cpu"):  # torch.Tensor, without importing torch
        a = a.detach().cpu()
        a = a.resolve_conj().numpy() if a.is_complex() else a.numpy()
    try:
        out = np.asarray(a)
    except (TypeError, ValueError) as e:  # a ragged list, an object NumPy cannot hold
        raise DTypeError(f"{what} is not a number array ({type(a).__name__}): {e}") from None
    kind = out.dtype.kind
    if kind == "c":
        if allow_complex:  # complex64 stays: its precision sets the tolerance (verify.TOLERANCES)
            return out if out.dtype == np.complex64 else out.astype(np.complex128)
        raise DTypeError(
            f"{what} is complex ({out.dtype}): {COMPLEX_NOT_SUPPORTED} for a real variable "
            "(complex derivatives are checked when the variable itself is complex)"
        )
    if kind == "V" and "float" in out.dtype.name:  # bfloat16 and other ml_dtypes floats
        return out
    if kind not in "fiub":
        shown = repr(a) if len(repr(a)) <= 40 else repr(a)[:37] + "..."
        raise DTypeError(f"{what} is not a number array: got {type(a).__name__} {shown} (dtype {out.dtype})")
    if kind != "f":
        out = out.astype(np.float64)
    return out


# --- calling the candidate ---------------------------------------------------------------------------------
def _callable_name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", None) or repr(fn)


def _params_text(sig: inspect.Signature) -> str:
    """``(X, A, *args, scale, **kw)``: the parameter names (no annotations or defaults), with a bare ``*``
    before keyword-only ones where there is no ``*args``."""
    P = inspect.Parameter
    out: list[str] = []
    for p in sig.parameters.values():
        if p.kind is P.KEYWORD_ONLY and not any(q.kind is P.VAR_POSITIONAL for q in sig.parameters.values()):
            if "*" not in out:
                out.append("*")
        out.append({P.VAR_POSITIONAL: "*", P.VAR_KEYWORD: "**"}.get(p.kind, "") + p.name)
    return "(" + ", ".join(out) + ")"


def _call_candidate(
    df: Callable[..., Any], call: Sequence[Any], names: Sequence[str], context: str, allow_complex: bool = False
) -> np.ndarray:
    """``df(*call)`` as a float array; ``names`` name the arguments of ``call``.

    A candidate that cannot be called with these arguments raises :class:`ArityError` (naming the arguments
    it is given and those it takes); one that raises, :class:`CandidateError`; one whose value is not a
    real number array (a string, None, complex), :class:`DTypeError`. Each message names the candidate.
    """
    who = f"{context}: the candidate {_callable_name(df)}"
    given = f"({', '.join(names)})"
    try:
        sig: inspect.Signature | None = inspect.signature(df)
    except (TypeError, ValueError):  # some builtins and C extensions
        sig = None
    if sig is not None:
        try:
            sig.bind(*call)
        except TypeError as e:
            raise ArityError(
                f"{who} takes {_params_text(sig)}, but is called with the {len(call)} argument(s) {given}: {e}"
            ) from None
    varargs = sig is not None and any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in sig.parameters.values())
    try:
        value = df(*call)
    except Exception as e:
        tb = e.__traceback__
        if isinstance(e, TypeError) and tb is not None and tb.tb_next is None:
            # raised by the call itself, not from inside the candidate: the arguments do not fit it
            why = "its signature cannot be read" if sig is None else f"it takes {_params_text(sig)}"
            raise ArityError(f"{who} cannot be called with the {len(call)} argument(s) {given} ({why}): {e}") from None
        hint = (
            f"; it takes {_params_text(sig)}, so the number of arguments could not be checked before the call"
            if varargs
            else ""
        )
        raise CandidateError(f"{who} raised {type(e).__name__}: {e} (called with {given}{hint})") from e
    return to_numpy(value, f"{who}'s value", allow_complex=allow_complex)


def _arg_labels(f: Callable[..., Any], n: int) -> tuple[str, ...]:
    """Names of the first ``n`` positional arguments of ``f`` (``arg<k>`` where it has none)."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(params[k].name if k < len(params) and params[k].kind in positional else f"arg{k}" for k in range(n))


def _reordered_names_note(df: Callable[..., Any], names: Sequence[str]) -> str | None:
    """A note when the candidate's parameters are the expected names in another order (it is called
    positionally, so its ``X`` receives whatever comes first)."""
    try:
        params = [
            p.name
            for p in inspect.signature(df).parameters.values()
            if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return None
    if len(params) == len(names) and params != list(names) and sorted(params) == sorted(names):
        moved = ", ".join(f"its {p} receives {n}" for p, n in zip(params, names, strict=True) if p != n)
        return (
            f"the candidate's parameters ({', '.join(params)}) are the arguments ({', '.join(names)}) in "
            f"another order; it is called positionally, so {moved}"
        )
    return None


@dataclass
class CheckReport:
    """The verdict on one candidate derivative: errors, the worst element, and a diagnosis when wrong."""

    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...] = ()
    candidate_value: float = float("nan")
    reference_value: float = float("nan")
    diagnosis: str | None = None
    reference: str = ""  # "jax.jacobian", "central differences", "closed form of <id>"
    layout: str = "jax"
    candidate_shape: tuple[int, ...] = ()
    expected_shape: tuple[int, ...] = ()
    tolerance: float = 0.0
    name: str = ""
    examples: int = 1
    where: str = ""  # which example was worst, e.g. "example 2 (sizes {'n': 4})"
    notes: list[str] = field(default_factory=list)
    convention: str = ""  # the complex convention of the candidate ("" for a real variable)
    # At a point the catalog charts (a kink, an unbounded derivative), the candidate is judged by the point's
    # mathematics, not by a reference: "norms.l2 at x = 0". Empty elsewhere.
    point: str = ""
    # False when no judgement is possible: the reference is not finite and no charted point says what is
    # valid there. Such a report is not ok, and not WRONG either.
    decided: bool = True

    def __bool__(self) -> bool:
        return self.ok

    @property
    def verdict(self) -> str:
        """ "ok", "WRONG", or "no verdict" (a non-finite reference at a point the catalog does not chart)."""
        return "ok" if self.ok else ("WRONG" if self.decided else "no verdict")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "name": self.name,
            "max_abs_error": self.max_abs_error,
            "max_rel_error": self.max_rel_error,
            "worst_index": list(self.worst_index),
            "candidate_value": self.candidate_value,
            "reference_value": self.reference_value,
            "diagnosis": self.diagnosis,
            "reference": self.reference,
            "layout": self.layout,
            "candidate_shape": list(self.candidate_shape),
            "expected_shape": list(self.expected_shape),
            "tolerance": self.tolerance,
            "examples": self.examples,
            "where": self.where,
            "convention": self.convention,
            "verdict": self.verdict,
            "point": self.point,
        }

    def __str__(self) -> str:
        head = f"{self.name + ': ' if self.name else ''}{self.verdict}"
        lines = [
            f"{head} (candidate in {self.layout} layout"
            + (f", {self.convention} convention" if self.convention else "")
            + f" vs {self.reference}, {self.examples} example"
            f"{'s' if self.examples != 1 else ''})"
        ]
        if self.candidate_shape != self.expected_shape:
            lines.append(f"  shape         candidate {self.candidate_shape}, expected {self.expected_shape}")
        elif self.point or not self.decided:  # no error to a reference: judged by the point, or not at all
            lines.append(f"  shape         {self.expected_shape}")
            if self.point:
                lines.append(f"  point         {self.point}")
        else:
            lines.append(f"  shape         {self.expected_shape}")
            lines.append(
                f"  max error     {self.max_abs_error:.3g} absolute, {self.max_rel_error:.3g} relative "
                f"(tolerance {self.tolerance:.3g})"
            )
            if self.worst_index or np.isfinite(self.candidate_value):
                lines.append(
                    f"  worst element {self.worst_index}: candidate {self.candidate_value:.10g}, "
                    f"reference {self.reference_value:.10g}"
                )
        if self.where and not self.ok:
            lines.append(f"  at            {self.where}")
        if not self.ok and not self.decided:
            lines.append(f"  no verdict    {self.diagnosis}")
        elif not self.ok:
            lines.append(
                f"  diagnosis     {self.diagnosis or 'no known mistake matches (not a layout, scale, sign or symmetry error)'}"
            )
        lines += [f"  note          {n}" for n in self.notes]
        return "\n".join(lines)


# --- references ----------------------------------------------------------------------------------------------
def _wrt_index(f: Callable[..., Any], wrt: int | str, nargs: int) -> int:
    if isinstance(wrt, str):
        try:
            names = list(inspect.signature(f).parameters)
        except (TypeError, ValueError):
            raise ValueError(f"wrt={wrt!r}: cannot read the parameter names of {f!r}; pass an index") from None
        if wrt not in names:
            raise ValueError(f"wrt={wrt!r} is not a parameter of f; parameters are {', '.join(names)}")
        return names.index(wrt)
    if not -nargs <= wrt < nargs:
        raise ValueError(f"wrt={wrt} is out of range for {nargs} argument(s)")
    return wrt % nargs


def _jax_jacobian(f: Callable[..., Any], args: Sequence[np.ndarray], w: int) -> np.ndarray | None:
    """JAX's Jacobian of ``f`` by argument ``w``, or None when ``f`` cannot be traced by JAX."""
    import jax
    import jax.numpy as jnp

    try:
        jac = jax.jacobian(f, argnums=w)(*(jnp.asarray(a) for a in args))
    except Exception:  # any failure to trace means: use finite differences
        return None
    return np.asarray(jac, dtype=np.float64)


def _fd_jacobian(f: Callable[..., Any], args: Sequence[np.ndarray], w: int) -> tuple[np.ndarray, np.ndarray]:
    """Central differences along each coordinate of argument ``w``: (Jacobian in JAX layout, error bound)."""
    x = args[w]

    def batch_f(points: np.ndarray) -> np.ndarray:
        return np.stack(
            [to_numpy(f(*args[:w], p, *args[w + 1 :]), "check: f's value").astype(np.float64) for p in points]
        )

    n = x.size
    dirs = np.eye(n).reshape((n, *x.shape))
    fd, bound = _central(batch_f, x, dirs, _step(x, FD_STEP))  # (n, *out)
    out_nd = fd.ndim - 1

    def arrange(a: np.ndarray) -> np.ndarray:
        a = a.reshape((*x.shape, *a.shape[1:]))
        return np.moveaxis(a, tuple(range(x.ndim)), tuple(range(out_nd, out_nd + x.ndim)))

    return arrange(fd), arrange(bound)


# --- comparing ----------------------------------------------------------------------------------------------
@dataclass
class _Case:
    """One example: the reference (JAX layout), the candidate as given, and how to re-derive things."""

    args: tuple[np.ndarray, ...]
    w: int
    ref: np.ndarray
    cand_raw: np.ndarray
    ndims: tuple[int, int]
    atol: np.ndarray | float
    rtol: float
    reference_at: Callable[[tuple[np.ndarray, ...]], np.ndarray] | None = None  # reference at other inputs
    candidate_at: Callable[[tuple[np.ndarray, ...]], np.ndarray] | None = None  # candidate (JAX layout)
    f: Callable[..., Any] | None = None  # a JAX-traceable f, for the dropped-term search
    argnames: tuple[str, ...] = ()


def _compare(case: _Case, layout: str, diagnose_values: bool = True) -> CheckReport:
    ref = case.ref
    expected = tuple(np.shape(from_jax(ref, case.ndims, layout))) if layout != "jax" else ref.shape
    cand_raw = case.cand_raw
    if cand_raw.shape != expected:
        return CheckReport(
            False,
            float("inf"),
            float("inf"),
            candidate_shape=cand_raw.shape,
            expected_shape=expected,
            diagnosis=_shape_diagnosis(cand_raw, ref, case.ndims, layout),
            layout=layout,
        )
    cand = np.asarray(to_jax(cand_raw, case.ndims, layout), dtype=np.float64)
    scale = _scale(ref, cand)
    tol = case.rtol * scale + np.broadcast_to(np.asarray(case.atol, dtype=np.float64), ref.shape)
    if not np.all(np.isfinite(cand)):
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(cand))[0])
        return CheckReport(
            False,
            float("inf"),
            float("inf"),
            idx,
            float(cand[idx]),
            float(ref[idx]),
            diagnosis="the candidate has a non-finite entry",
            layout=layout,
            candidate_shape=cand_raw.shape,
            expected_shape=expected,
            tolerance=float(tol[idx]),
        )
    err = np.abs(cand - ref)
    if err.size == 0:
        return CheckReport(True, 0.0, 0.0, layout=layout, candidate_shape=cand_raw.shape, expected_shape=expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(err == 0, 0.0, err / tol)
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(ratio)), err.shape))
    ok = bool(np.all(err <= tol))
    m = float(np.max(err))
    rep = CheckReport(
        ok,
        m,
        m / scale if scale > 0 else (0.0 if m == 0 else float("inf")),
        idx,
        float(cand[idx]),
        float(ref[idx]),
        layout=layout,
        candidate_shape=cand_raw.shape,
        expected_shape=expected,
        tolerance=float(tol[idx]),
    )
    if not ok and diagnose_values:
        rep.diagnosis = _value_diagnosis(case, cand, layout)
    return rep


def _shape_diagnosis(cand: np.ndarray, ref: np.ndarray, ndims: tuple[int, int], layout: str) -> str:
    exp = {lay: tuple(np.shape(from_jax(ref, ndims, lay))) for lay in LAYOUTS}
    scale = max(_scale(ref), _scale(cand), 1e-300)
    for lay in LAYOUTS:
        if lay != layout and exp[lay] == cand.shape:
            other = np.asarray(from_jax(ref, ndims, lay))
            if float(np.max(np.abs(other - cand), initial=0.0)) <= 1e-6 * scale:
                return (
                    f"the values are right but in {lay} layout (shape {cand.shape}); you declared layout={layout!r}, "
                    f"which expects shape {exp[layout]}: pass layout={lay!r} or transpose"
                )
    if cand.size == ref.size:
        flat = diagnose(cand.reshape(ref.shape), ref, ndims)
        if flat and "layout" not in flat:
            return f"shape {cand.shape} fits no layout, and reshaped it is {flat}"
    return (
        f"shape {cand.shape} fits no layout: "
        + ", ".join(f"{k} layout expects {v}" for k, v in exp.items())
        + ("" if len({*exp.values()}) > 1 else " (all three agree for these shapes)")
    )


def _value_diagnosis(case: _Case, cand: np.ndarray, layout: str) -> str | None:
    ref = case.ref
    scale = max(_scale(ref), _scale(cand), 1e-300)

    def close(a: np.ndarray, b: np.ndarray, rel: float = 1e-6) -> bool:
        return a.shape == b.shape and float(np.max(np.abs(a - b), initial=0.0)) <= rel * scale

    # 1. another layout with the same shape (square cases, where shapes cannot tell)
    matching = [
        lay
        for lay in ("numerator", "denominator", "jax")
        if lay != layout
        and np.shape(from_jax(ref, case.ndims, lay)) == case.cand_raw.shape
        and close(case.cand_raw, np.asarray(from_jax(ref, case.ndims, lay)))
    ]
    if matching and not close(cand, ref):
        names = f"{matching[0]} layout" + (f" (here also the {matching[1]} layout)" if len(matching) > 1 else "")
        return (
            f"this is the derivative in {names}, not {layout} (the transpose): the shapes cannot tell "
            f"on square inputs; pass layout={matching[0]!r} or transpose the result"
        )
    # 2. transposes, scale, sign, symmetric part (the engine's diagnosis, shared with verify)
    hint = diagnose(cand, ref, case.ndims)
    if hint:
        return hint
    # 3. equal only on symmetric inputs
    sym = _symmetric_only(case)
    if sym:
        return sym
    # 4. a dropped term of the product or sum rule
    return _dropped_term(case, cand)


def _symmetric_only(case: _Case) -> str | None:
    if case.reference_at is None or case.candidate_at is None:
        return None
    square = [k for k, a in enumerate(case.args) if a.ndim >= 2 and a.shape[-1] == a.shape[-2] and a.shape[-1] > 1]
    for subset in [square] + [[k] for k in square] if len(square) > 1 else [square]:
        if not subset:
            continue
        args = tuple((a + np.swapaxes(a, -1, -2)) / 2 if k in subset else a for k, a in enumerate(case.args))
        try:
            ref = case.reference_at(args)
            cand = case.candidate_at(args)
        except Exception:  # a candidate that fails on symmetric inputs tells us nothing here
            continue
        scale = max(_scale(ref), _scale(cand), 1e-300)
        if cand.shape == ref.shape and float(np.max(np.abs(cand - ref), initial=0.0)) <= 1e-7 * scale:
            names = ", ".join(_name(case, k) for k in subset)
            return (
                f"agrees only where {names} {'is' if len(subset) == 1 else 'are'} symmetric: the formula assumes "
                f"symmetric {names} (e.g. 2Ax for the gradient of xᵀAx, whose general form is (A + Aᵀ)x)"
            )
    return None


def _name(case: _Case, k: int) -> str:
    return case.argnames[k] if k < len(case.argnames) and case.argnames[k] else f"argument {k}"


def _dropped_term(case: _Case, cand: np.ndarray) -> str | None:
    """Does the candidate equal the derivative with one operand of a product or sum held constant?"""
    if case.f is None:
        return None
    from .terms import partial_jacobians

    try:
        variants = partial_jacobians(case.f, case.args, case.w)
    except Exception:  # the search is a hint, never a failure
        return None
    ref = case.ref
    for label, jac in variants:
        jac = np.asarray(jac, dtype=np.float64)
        scale = max(_scale(ref), _scale(cand), 1e-300)
        if jac.shape == cand.shape and float(np.max(np.abs(jac - cand), initial=0.0)) <= 1e-7 * scale:
            return (
                f"a dropped term: this is the derivative with {label} held constant "
                "(a term of the product or sum rule is missing)"
            )
    return None


# --- public entry points -------------------------------------------------------------------------------------
def _tolerance(cand: np.ndarray, rtol: float | None, fd: bool) -> float:
    if rtol is not None:
        return rtol
    tol = TOLERANCES.get(cand.dtype, TOLERANCES[np.dtype(np.float64)])
    return tol.fd if fd else tol.autodiff


def check(
    f: Callable[..., Any],
    df: Callable[..., Any],
    *args: Any,
    wrt: int | str = 0,
    layout: str = "jax",
    rtol: float | None = None,
    atol: float = 0.0,
    convention: str | None = None,
) -> CheckReport:
    """Check a candidate derivative ``df`` of ``f`` with respect to argument ``wrt`` at ``args``.

    ``df`` takes the same arguments as ``f`` and returns the derivative in ``layout`` (``"jax"``: output
    axes then the variable's axes; ``"numerator"``; ``"denominator"``). Returns a :class:`CheckReport`.
    When the variable is complex, ``convention`` (:mod:`identities.wirtinger`; default ``"jax"``, what
    ``jax.grad`` returns) says which complex derivative ``df`` returns.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    if not args:
        raise ValueError("check(f, df, *args): give the point to check at")
    try:
        argnames = tuple(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        argnames = ()
    names = _arg_labels(f, len(args))
    raw = tuple(to_numpy(a, f"check: argument {n}", allow_complex=True) for n, a in zip(names, args, strict=True))
    w0 = _wrt_index(f, wrt, len(raw))
    if np.iscomplexobj(raw[w0]) or convention is not None:
        return _check_complex(f, df, args, raw, names, argnames, w0, layout, rtol, atol, convention or "jax")
    arrays = tuple(
        np.asarray(to_numpy(a, f"check: argument {n}"), dtype=np.float64) for n, a in zip(names, args, strict=True)
    )
    w = _wrt_index(f, wrt, len(arrays))
    ref = _jax_jacobian(f, arrays, w)
    fd = ref is None
    if fd:
        ref, bound = _fd_jacobian(f, arrays, w)
        atol_arr: np.ndarray | float = bound + atol
        reference = "central differences (f is not JAX-traceable)"
    else:
        atol_arr = atol
        reference = "jax.jacobian"
    out_nd = ref.ndim - arrays[w].ndim
    ndims = (out_nd, arrays[w].ndim)
    cand_raw = _call_candidate(df, args, names, "check")
    rt = _tolerance(cand_raw, rtol, fd)

    def reference_at(a: tuple[np.ndarray, ...]) -> np.ndarray:
        if fd:
            return _fd_jacobian(f, a, w)[0]
        out = _jax_jacobian(f, a, w)
        assert out is not None
        return out

    def candidate_at(a: tuple[np.ndarray, ...]) -> np.ndarray:
        c = to_numpy(df(*a)).astype(np.float64)
        return np.asarray(to_jax(c, ndims, layout)) if c.shape == ref.shape or layout != "jax" else c

    case = _Case(
        arrays,
        w,
        ref,
        cand_raw,
        ndims,
        atol_arr,
        rt,
        reference_at,
        candidate_at,
        None if fd else f,
        argnames,
    )
    rep = _compare(case, layout)
    if rep.candidate_shape == rep.expected_shape:
        cand = np.asarray(to_jax(cand_raw, ndims, layout), dtype=np.float64)
        rep = _at_special_point(rep, f, arrays, w, cand, ref)
    rep.reference = rep.reference or reference
    rep.name = getattr(df, "__name__", "") if getattr(df, "__name__", "") != "<lambda>" else ""
    if fd:
        rep.notes.append("f could not be traced by JAX, so the reference is central finite differences")
    return rep


def _at_special_point(
    rep: CheckReport, f: Callable[..., Any], args: tuple[np.ndarray, ...], w: int, cand: np.ndarray, ref: np.ndarray
) -> CheckReport:
    """At a point the catalog charts (:attr:`~identities.Identity.special`), judge the candidate ``cand``
    (JAX layout) by the point's set of valid answers (:meth:`~identities.SpecialPoint.is_valid`): a
    subgradient is as right as any other there, whatever autodiff returns. At an uncharted point where the
    reference ``ref`` is not finite, no judgement is possible, and the report says so (it is not ok)."""
    from .special import charted_point

    found = charted_point(f, args, w)
    finite = bool(np.all(np.isfinite(ref)))
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(~np.isfinite(ref).ravel())), ref.shape))
    if found is None:
        if finite:
            return rep
        return dataclasses.replace(
            rep,
            ok=False,
            decided=False,
            worst_index=idx,
            reference_value=float(ref[idx]),
            diagnosis=(f"the reference is not finite here ({ref[idx]} at index {idx}) and {_UNJUDGEABLE}"),
        )
    ident, sp = found
    notes = [] if finite else [f"the reference is not finite here ({ref[idx]} at index {idx}); the point decides"]
    return _judged_at_point(rep, ident, sp, cand, sp.is_valid(cand), notes)


_UNJUDGEABLE = (
    "the catalog charts no special point at these arguments for this function, so the candidate cannot be "
    "judged: check it at a nearby point where the derivative exists"
)


def _judged_at_point(
    rep: CheckReport, ident: Any, sp: Any, cand: np.ndarray, valid: bool, notes: list[str]
) -> CheckReport:
    """The report at a charted point: the record's verdict on the candidate (``valid``), with why not."""
    where = f"{ident.id} at {sp.label}"
    if valid:
        why = None
    elif not np.all(np.isfinite(cand)):
        why = "the candidate has a non-finite entry"
    elif sp.status == "unbounded":
        why = "no finite answer is valid here"
    elif sp.status == "derivative":
        why = f"the derivative here is {np.asarray(sp.value).tolist()}"
    elif sp.status == "one-sided":
        why = "the candidate is the derivative from neither side of the cut"
    else:
        why = "the candidate is not in the set of valid answers"
    return dataclasses.replace(
        rep,
        ok=valid,
        decided=True,
        point=where,
        reference=f"the charted point {where}",
        max_abs_error=float("nan"),
        max_rel_error=float("nan"),
        tolerance=float("nan"),
        diagnosis=None if valid else f"{why} at {where} ({sp.math})",
        notes=[*rep.notes, f"{where}: {sp.math}", *notes],
    )


def _complex_at_special_point(
    rep: CheckReport,
    f: Callable[..., Any],
    arrays: tuple[np.ndarray, ...],
    w: int,
    cand: np.ndarray,
    convention: str,
    pair: Any,
) -> CheckReport:
    """:func:`_at_special_point` for a complex variable: the candidate (JAX layout, in ``convention``) is
    read in the charted identity's convention and judged by the point's record."""
    from .special import charted_point, read_complex
    from .wirtinger import ConventionError

    finite = bool(np.all(np.isfinite(pair.dz)) and np.all(np.isfinite(pair.dzbar)))
    found = charted_point(f, arrays, w)
    if found is None:
        if finite:
            return rep
        return dataclasses.replace(
            rep, ok=False, decided=False, diagnosis=f"the reference is not finite here and {_UNJUDGEABLE}"
        )
    ident, sp = found
    try:
        judged = read_complex(ident, cand, convention, arrays)
    except ConventionError as e:
        return dataclasses.replace(
            rep,
            ok=False,
            decided=False,
            point=f"{ident.id} at {sp.label}",
            diagnosis=f"at {ident.id} at {sp.label} ({sp.math}) a candidate in convention {convention!r} cannot be "
            f"judged: {e}",
        )
    notes = [] if finite else ["the reference is not finite here; the point decides"]
    return _judged_at_point(rep, ident, sp, judged, sp.is_valid(judged), notes)


def check_identity(
    ident: Any,
    df: Callable[..., Any],
    layout: str = "jax",
    examples: int = 2,
    seed: int = 0,
    rtol: float | None = None,
    convention: str | None = None,
) -> CheckReport:
    """Check a candidate ``df`` against an identity's closed form on generated valid inputs.

    For an identity whose variable is complex, ``convention`` (default ``"jax"``) names the complex
    derivative ``df`` returns (:mod:`identities.wirtinger`); it is refused for a real variable.

    ``df`` takes the identity's arguments (plus the tangent for ``jvp`` and the cotangent for ``vjp``
    kinds) and returns the derivative in ``layout``. Inputs are drawn from the identity's shapes and
    preconditions: ``examples`` per size assignment (the assignments give distinct sizes).
    """
    from ._core import Identity, get
    from .validate import _extra_name
    from .verify import compiled, draw_extra, draw_inputs, extra_shape, raw_draw

    if not isinstance(ident, Identity):
        ident = get(ident)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    if isinstance(examples, bool) or not isinstance(examples, int | np.integer) or examples < 1:
        raise ValueError(f"examples must be an integer >= 1, got {examples!r}")
    if ident.is_complex:
        return _check_identity_complex(ident, df, layout, examples, seed, rtol, convention or "jax")
    if convention is not None:
        from .wirtinger import ConventionError

        raise ConventionError(
            f"{ident.id}: convention={convention!r} applies to complex variables; {ident.wrt} is real"
        )
    rng = np.random.default_rng(seed)
    c = compiled(ident)
    w = ident.wrt_index
    extra_name = _extra_name(ident)
    names = ident.argnames + ((extra_name,) if extra_name else ())
    worst: CheckReport | None = None
    n = 0
    for sizes in ident.size_assignments():
        eshape = extra_shape(ident, sizes)
        for _ in range(examples):
            n += 1
            inputs = draw_inputs(ident, rng, sizes)
            args = tuple(inputs[a] for a in ident.argnames)
            extra = draw_extra(ident, inputs, raw_draw(rng, eshape)) if eshape is not None else None
            call = args + ((extra,) if extra is not None else ())
            ref = np.asarray(c.closed(*call), dtype=np.float64)
            q = args[w].ndim
            if ident.kind == "hessian":
                ndims = (q, q)
            elif ident.kind in ("jvp", "vjp"):
                ndims = (ref.ndim, 0)  # a plain array: layouts do not apply
            else:
                ndims = (ref.ndim - q, q)
            lay = layout if ident.kind not in ("jvp", "vjp") else "jax"
            cand_raw = _call_candidate(df, call, names, ident.id)

            def reference_at(a: tuple[np.ndarray, ...], extra: Any = extra) -> np.ndarray:
                return np.asarray(c.closed(*a, *(() if extra is None else (extra,))), dtype=np.float64)

            def candidate_at(
                a: tuple[np.ndarray, ...], extra: Any = extra, ndims: Any = ndims, lay: str = lay
            ) -> np.ndarray:
                v = to_numpy(df(*a, *(() if extra is None else (extra,)))).astype(np.float64)
                return np.asarray(to_jax(v, ndims, lay))

            case = _Case(
                args,
                w,
                ref,
                cand_raw,
                ndims,
                0.0,
                _tolerance(cand_raw, rtol, False),
                reference_at,
                candidate_at,
                ident.f if ident.kind == "jacobian" and ident.convention == "full" else None,
                ident.argnames,
            )
            rep = _compare(case, lay, diagnose_values=False)
            rep.where = f"example {n} (sizes {sizes})"
            if worst is None or (worst.ok and not rep.ok) or (rep.ok == worst.ok and _badness(rep) > _badness(worst)):
                worst, worst_case = rep, case
    assert worst is not None
    if not worst.ok and worst.diagnosis is None:  # diagnose the worst example only (the search costs)
        worst.diagnosis = _value_diagnosis(
            worst_case, to_jax(worst_case.cand_raw, worst_case.ndims, worst.layout), worst.layout
        )
    worst.examples = n
    worst.reference = f"the closed form of {ident.id}"
    worst.name = ident.id
    if ident.kind in ("jvp", "vjp") and layout != "jax":
        worst.notes.append(f"{ident.kind} results are plain arrays; layout={layout!r} does not apply")
    reordered = _reordered_names_note(df, names)
    if reordered:
        worst.notes.append(reordered)
    return worst


def _badness(r: CheckReport) -> float:
    if not np.isfinite(r.max_abs_error):
        return float("inf")
    return r.max_abs_error / r.tolerance if r.tolerance > 0 else (0.0 if r.max_abs_error == 0 else float("inf"))


# --- complex variables ---------------------------------------------------------------------------------------
# Names of the conventions as the diagnosis says them, and the argument that selects them.
_CONVENTION_NAMES: dict[str, str] = {
    "torch": "PyTorch's convention (.grad)",
    "jax": "JAX's convention (jax.grad)",
    "cookbook": "the Matrix Cookbook's complex gradient (233), 2∂f/∂z̄",
    "wirtinger": "the Wirtinger derivative ∂f/∂z",
    "conj_wirtinger": "the conjugate Wirtinger derivative ∂f/∂z̄",
    "holomorphic": "the holomorphic derivative f′(z)",
}


def _complex_pair(f: Callable[..., Any], arrays: tuple[np.ndarray, ...], w: int) -> tuple[Any, str]:
    """The Wirtinger pair of ``f`` in argument ``w`` at ``arrays``: by JAX (real Jacobians in ℜz and ℑz)
    when f is traceable, else by central differences along the real and imaginary parts."""
    import jax
    import jax.numpy as jnp

    from .wirtinger import Wirtinger

    z = arrays[w]

    def g(xr: Any, xi: Any) -> Any:
        a = [jnp.asarray(v) for v in arrays]
        a[w] = jax.lax.complex(xr, xi)
        out = jnp.asarray(f(*a))
        return jnp.stack([jnp.real(out), jnp.imag(out)])

    try:
        jx = np.asarray(jax.jacfwd(g, argnums=0)(z.real, z.imag))
        jy = np.asarray(jax.jacfwd(g, argnums=1)(z.real, z.imag))
        reference = "jax.jacfwd in ℜz and ℑz"
    except Exception:  # not traceable: finite differences along the real and the imaginary parts
        n = z.size
        dirs = np.eye(n).reshape((n, *z.shape))

        def batch(points: np.ndarray, imag: bool) -> np.ndarray:
            out = []
            for p in points:
                a = list(arrays)
                a[w] = z.real + 1j * p if imag else p + 1j * z.imag
                v = to_numpy(f(*a), "check: f's value", allow_complex=True)
                out.append(np.stack([np.real(v), np.imag(v)]))
            return np.stack(out)

        parts = []
        for imag in (False, True):
            x = z.imag if imag else z.real
            fd, _ = _central(lambda p, imag=imag: batch(p, imag), x, dirs, _step(x, FD_STEP))  # (n, 2, *out)
            fd = fd.reshape((*z.shape, *fd.shape[1:]))
            parts.append(np.moveaxis(fd, tuple(range(z.ndim)), tuple(range(fd.ndim - z.ndim, fd.ndim))))
        jx, jy = parts
        reference = "central differences in ℜz and ℑz (f is not JAX-traceable)"
    px, py = jx[0] + 1j * jx[1], jy[0] + 1j * jy[1]
    return Wirtinger.from_partials(px, py), reference


def _check_complex(
    f: Callable[..., Any],
    df: Callable[..., Any],
    args: tuple[Any, ...],
    raw: tuple[np.ndarray, ...],
    names: tuple[str, ...],
    argnames: tuple[str, ...],
    w: int,
    layout: str,
    rtol: float | None,
    atol: float,
    convention: str,
) -> CheckReport:
    from .wirtinger import check_convention

    check_convention(convention)
    arrays = tuple(np.asarray(a, dtype=np.complex128 if np.iscomplexobj(a) else np.float64) for a in raw)
    arrays = tuple(a.astype(np.complex128) if k == w else a for k, a in enumerate(arrays))
    pair, reference = _complex_pair(f, arrays, w)

    real_valued = not np.iscomplexobj(to_numpy(f(*arrays), "check: f's value", allow_complex=True))
    cand_raw = _call_candidate(df, args, names, "check", allow_complex=True)
    rep = _with_convention(
        _complex_verdict(pair, cand_raw, arrays[w].ndim, layout, convention, real_valued, rtol, atol), convention
    )
    rep.reference = reference
    if rep.candidate_shape == rep.expected_shape:
        q = arrays[w].ndim
        cand = np.asarray(to_jax(cand_raw, (np.ndim(pair.dz) - q, q), layout)).astype(np.complex128)
        rep = _complex_at_special_point(rep, f, arrays, w, cand, convention, pair)
    rep.name = getattr(df, "__name__", "") if getattr(df, "__name__", "") != "<lambda>" else ""
    return rep


def _complex_verdict(
    pair: Any,
    cand_raw: np.ndarray,
    q: int,
    layout: str,
    convention: str,
    real_valued: bool,
    rtol: float | None,
    atol: float,
) -> CheckReport:
    """Compare a complex candidate with the pair read in ``convention``; name the convention it is in when wrong."""
    from .wirtinger import ConventionError, to_convention

    dz = np.asarray(pair.dz)
    ndims = (dz.ndim - q, q)
    expected = tuple(np.shape(from_jax(dz, ndims, layout)))
    conv = layout
    try:
        ref = np.asarray(to_convention(pair, convention, real_valued=real_valued))
    except ConventionError as e:
        return CheckReport(
            False,
            float("inf"),
            float("inf"),
            diagnosis=str(e),
            layout=conv,
            expected_shape=expected,
            candidate_shape=cand_raw.shape,
        )
    if cand_raw.shape != expected:
        return CheckReport(
            False,
            float("inf"),
            float("inf"),
            candidate_shape=cand_raw.shape,
            expected_shape=expected,
            layout=conv,
            diagnosis=_shape_diagnosis(np.abs(cand_raw), np.abs(ref), ndims, layout),
        )
    cand = np.asarray(to_jax(cand_raw, ndims, layout)).astype(np.complex128)
    rt = _tolerance(cand_raw, rtol, False)
    scale = _scale(ref, cand)
    tol = rt * scale + atol
    err = np.abs(cand - ref)
    if not np.all(np.isfinite(cand)):
        return CheckReport(
            False,
            float("inf"),
            float("inf"),
            diagnosis="the candidate has a non-finite entry",
            layout=conv,
            candidate_shape=cand_raw.shape,
            expected_shape=expected,
        )
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape)) if err.size else ()
    m = float(np.max(err, initial=0.0))
    ok = m <= tol
    rep = CheckReport(
        ok, m, m / scale if scale > 0 else (0.0 if m == 0 else float("inf")), idx,
        complex(cand[idx]) if err.size else float("nan"), complex(ref[idx]) if err.size else float("nan"),
        layout=conv, candidate_shape=cand_raw.shape, expected_shape=expected, tolerance=float(tol),
    )  # fmt: skip
    if not ok:
        rep.diagnosis = complex_diagnosis(pair, cand, convention, real_valued)
    return rep


def _with_convention(rep: CheckReport, convention: str) -> CheckReport:
    rep.convention = convention
    return rep


def complex_diagnosis(pair: Any, cand: np.ndarray, convention: str, real_valued: bool) -> str | None:
    """Name the known complex mistake a wrong candidate (JAX layout) matches: another convention (a
    conjugate: PyTorch's or JAX's), the factor 2 between a Wirtinger derivative and a gradient, JAX's
    ``holomorphic=True`` answer on a non-holomorphic f, or a plain conjugate."""
    from .wirtinger import COMPLEX_CONVENTIONS, ConventionError, to_convention

    dz, dzb = np.asarray(pair.dz), np.asarray(pair.dzbar)
    want = np.asarray(to_convention(pair, convention, real_valued=real_valued))
    scale = max(_scale(want), _scale(cand), 1e-300)

    def close(a: np.ndarray) -> bool:
        return a.shape == cand.shape and float(np.max(np.abs(a - cand), initial=0.0)) <= 1e-6 * scale

    holo = float(np.max(np.abs(dzb), initial=0.0)) <= 1e-10 * max(_scale(dz), 1.0)
    matches = []
    for c in COMPLEX_CONVENTIONS:
        if c in (convention, "re", "im"):
            continue
        try:
            v = np.asarray(to_convention(pair, c, real_valued=real_valued))
        except ConventionError:
            continue
        if not close(want) and close(v):
            matches.append(c)
    if convention == "holomorphic" or (convention == "wirtinger" and not holo):
        jax_holo = dz + np.conj(dzb)  # what jax.grad(f, holomorphic=True) returns
        if not holo and close(jax_holo) and not close(want):
            return (
                "this is what jax.grad(f, holomorphic=True) returns, ∂f/∂z + conj(∂f/∂z̄), which is f′(z) only for a "
                f"holomorphic f; f is not holomorphic (max |∂f/∂z̄| = {float(np.max(np.abs(dzb))):.3g}): "
                "give ∂f/∂z with convention='wirtinger', or a gradient with convention='jax' or 'torch'"
            )
    if matches:
        primary = [c for c in matches if c in ("torch", "jax")] or matches
        ordered = primary[:1] + [c for c in matches if c != primary[0]]
        names = " = ".join(_CONVENTION_NAMES.get(c, c) for c in ordered)
        two = ""
        if close(2 * want) or close(want / 2):
            two = f" (off by the factor 2 from {_CONVENTION_NAMES.get(convention, convention)})"
        elif close(np.conj(want)):
            two = f" (the complex conjugate of {_CONVENTION_NAMES.get(convention, convention)})"
        return f"this is {names}{two}; pass convention={primary[0]!r}"
    if close(2 * want) or close(want / 2):
        k = "twice" if close(2 * want) else "half"
        return (
            f"{k} the expected value: the factor 2 between a Wirtinger derivative (∂f/∂z, ∂f/∂z̄) and a gradient "
            "(2∂f/∂z̄ for PyTorch and the Cookbook, 2∂f/∂z for JAX)"
        )
    if close(np.conj(want)):
        return "the complex conjugate of the expected value (a conjugate dropped or added)"
    if close(2 * np.conj(want)) or close(np.conj(want) / 2):
        return "the conjugate of the expected value and off by the factor 2 (Wirtinger derivative against gradient)"
    return None


def _check_identity_complex(
    ident: Any, df: Callable[..., Any], layout: str, examples: int, seed: int, rtol: float | None, convention: str
) -> CheckReport:
    from .verify import _closed_pair, compiled, draw_inputs
    from .wirtinger import Wirtinger, check_convention

    check_convention(convention)
    rng = np.random.default_rng(seed)
    worst: CheckReport | None = None
    n = 0
    for sizes in ident.size_assignments():
        for _ in range(examples):
            n += 1
            inputs = draw_inputs(ident, rng, sizes)
            args = tuple(inputs[a] for a in ident.argnames)
            real_valued = ident.real_valued(args)
            pair = Wirtinger(*_closed_pair(ident, compiled(ident).closed(*args), real_valued))
            cand_raw = _call_candidate(df, args, ident.argnames, ident.id, allow_complex=True)
            q = np.ndim(args[ident.wrt_index])
            rep = _complex_verdict(pair, cand_raw, q, layout, convention, real_valued, rtol, 0.0)
            rep.where = f"example {n} (sizes {sizes})"
            if worst is None or (worst.ok and not rep.ok) or (rep.ok == worst.ok and _badness(rep) > _badness(worst)):
                worst = rep
    assert worst is not None
    worst.examples = n
    worst.reference = f"the closed form of {ident.id}"
    worst.name = ident.id
    return _with_convention(worst, convention)
