"""Special points: measure what JAX autodiff returns at each charted point and judge it against the record.

A :class:`~identities.SpecialPoint` states the mathematics at a point where a derivative does not exist
or is delicate: the set of valid answers (a subdifferential or generalized Jacobian), the derivative
where it exists, or that no finite answer is valid (unbounded). This module differentiates the identity's
function ``f`` there with JAX (``jax.grad`` for a scalar output, ``jax.jacrev`` otherwise,
``jax.hessian`` for a Hessian identity) and classifies the answer:

``valid``    finite and a member of the valid set (or equal to the derivative);
``nan``      some entry is NaN;
``inf``      some entry is infinite (and none is NaN);
``invalid``  finite but not a valid answer: a silent wrong number.

For a complex variable JAX's answer is read in JAX's convention and converted to the one the identity's
closed form returns (:mod:`identities.wirtinger`) before it is judged; the page shows both.

Nothing here uses finite differences: across a kink they measure nothing meaningful.
:func:`render_markdown` writes docs/special-cases.md from these measurements
(``python -m identities special-cases --write docs/special-cases.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._core import Identity, SpecialPoint, catalog

VERDICTS = ("valid", "nan", "inf", "invalid")


@dataclass(frozen=True)
class Measurement:
    """What JAX returned at one special point, and the verdict."""

    ident: Identity
    point: SpecialPoint
    transform: str  # "jax.grad", "jax.jacrev", "jax.hessian", "jax.jvp", "jax.vjp"
    value: np.ndarray  # as JAX returns it
    verdict: str
    read: np.ndarray | None = None  # complex variable: the value in the identity's declared convention


def special_points(idents: list[Identity] | None = None) -> list[tuple[Identity, SpecialPoint]]:
    """Every (identity, special point) pair of the catalog, in declaration order."""
    return [(i, sp) for i in (catalog() if idents is None else idents) for sp in i.special]


def extra_name(ident: Identity) -> str | None:
    """The closed form's extra argument: the tangent ``d<wrt>`` of a jvp, the ``cotangent`` of a vjp."""
    return {"jvp": f"d{ident.wrt}", "vjp": "cotangent"}.get(ident.kind)


def point_call(ident: Identity, sp: SpecialPoint) -> list[np.ndarray]:
    """The point's values in the closed form's argument order (with the tangent or cotangent, if any)."""
    names = [*ident.argnames, *([extra_name(ident)] if extra_name(ident) else [])]
    missing = [a for a in names if a not in sp.args]
    if missing:
        raise ValueError(f"{ident.id}: special point {sp.label!r} gives no value for {', '.join(missing)}")
    return [np.asarray(sp.args[a], dtype=ident.dtype(a)) for a in names]


def point_args(ident: Identity, sp: SpecialPoint) -> tuple[Any, ...]:
    import jax.numpy as jnp

    return tuple(jnp.asarray(v) for v in point_call(ident, sp)[: len(ident.argnames)])


def jax_derivative(ident: Identity, sp: SpecialPoint) -> tuple[str, np.ndarray]:
    """JAX autodiff of ``ident.f`` with respect to ``ident.wrt`` at the point: (transform name, value)."""
    import jax

    args = point_args(ident, sp)
    w = ident.wrt_index
    if ident.is_complex:
        transform, value, _ = jax_complex_derivative(ident, args)
        return transform, value
    if ident.kind == "hessian":
        return "jax.hessian", np.asarray(jax.hessian(ident.f, argnums=w)(*args))
    if ident.kind in ("jvp", "vjp"):
        extra = point_call(ident, sp)[-1]
        if ident.kind == "jvp":
            tangents = [jax.numpy.zeros_like(a) for a in args]
            tangents[w] = jax.numpy.asarray(extra)
            return "jax.jvp", np.asarray(jax.jvp(ident.f, args, tuple(tangents))[1])
        return "jax.vjp", np.asarray(jax.vjp(ident.f, *args)[1](jax.numpy.asarray(extra))[w])
    out = jax.eval_shape(ident.f, *args)
    if out.shape == ():
        return "jax.grad", np.asarray(jax.grad(ident.f, argnums=w)(*args))
    return "jax.jacrev", np.asarray(jax.jacrev(ident.f, argnums=w)(*args))


# the transforms JAX differentiates a complex identity with, and the convention each answers in:
# "jax" (:mod:`identities.wirtinger`), or "partials" for the stacked pair (∂f/∂x, ∂f/∂y)
def jax_complex_derivative(ident: Identity, args: tuple[Any, ...]) -> tuple[str, np.ndarray, str]:
    """JAX on a complex identity at ``args``: (transform, value, convention). A scalar f gets ``jax.grad``
    (``holomorphic=True`` for a holomorphic f, where it is f′); any other f forward mode along the real and
    the imaginary part of each entry (the partials, which determine the Wirtinger pair)."""
    import jax

    w = ident.wrt_index
    out = jax.eval_shape(ident.f, *args)
    if out.shape == () and (ident.holomorphic or not jax.numpy.iscomplexobj(out)):
        name = "jax.grad(holomorphic=True)" if ident.holomorphic else "jax.grad"
        return name, np.asarray(jax.grad(ident.f, argnums=w, holomorphic=ident.holomorphic)(*args)), "jax"
    from .verify import split_variable

    g = split_variable(ident.f, args, w)
    z = args[w]
    jx, jy = (np.asarray(jax.jacfwd(g, argnums=k)(z.real, z.imag)) for k in (0, 1))
    return "jax.jacfwd (re, im)", np.stack([jx[0] + 1j * jx[1], jy[0] + 1j * jy[1]]), "partials"


def read_complex(ident: Identity, got: Any, convention: str, arrays: tuple[Any, ...]) -> np.ndarray:
    """A derivative of a complex identity given in ``convention`` (a framework's: "jax", "torch", or
    "partials" for the stacked (∂f/∂x, ∂f/∂y)) rewritten in the convention its closed form returns, so that
    its special points judge it. Raises :class:`~identities.wirtinger.ConventionError` where the answer
    contradicts what f is (partials of a holomorphic f with ∂f/∂z̄ ≠ 0)."""
    from .wirtinger import Wirtinger, from_convention, to_convention

    real_valued = ident.real_valued(tuple(arrays))
    with np.errstate(all="ignore"):  # NaN or inf in the answer is the measured answer
        if convention == "partials":
            w = Wirtinger.from_partials(np.asarray(got)[0], np.asarray(got)[1])
        else:
            w = from_convention(got, convention, real_valued=real_valued, holomorphic=ident.holomorphic)
        return np.asarray(to_convention(w, ident.complex_form, real_valued=real_valued, where=ident.id))


def classify(sp: SpecialPoint, value: Any) -> str:
    """One of :data:`VERDICTS` for a candidate derivative at ``sp``."""
    v = np.asarray(value)
    if np.any(np.isnan(v)):
        return "nan"
    if np.any(np.isinf(v)):
        return "inf"
    return "valid" if sp.is_valid(v) else "invalid"


_MEASURED: dict[tuple[str, str], Measurement] = {}


def measure(ident: Identity, sp: SpecialPoint) -> Measurement:
    """JAX's answer at the point and its verdict (measured once per process: it is deterministic)."""
    key = (ident.id, sp.label)
    if key not in _MEASURED:
        if ident.is_complex:
            args = point_args(ident, sp)
            transform, value, convention = jax_complex_derivative(ident, args)
            read = read_complex(ident, value, convention, args)
            _MEASURED[key] = Measurement(ident, sp, transform, value, classify(sp, read), read)
        else:
            transform, value = jax_derivative(ident, sp)
            _MEASURED[key] = Measurement(ident, sp, transform, value, classify(sp, value))
    return _MEASURED[key]


def measure_all(idents: list[Identity] | None = None) -> list[Measurement]:
    return [measure(i, sp) for i, sp in special_points(idents)]


def charted_point(
    f: Any, args: tuple[np.ndarray, ...], w: int, idents: list[Identity] | None = None
) -> tuple[Identity, SpecialPoint] | None:
    """The catalog's charted point that ``identities.check(f, df, *args, wrt=w)`` stands at, if any.

    A point matches when a jacobian identity differentiates by argument ``w`` and its point's arguments
    equal ``args`` exactly (shapes and values). It counts only if ``f`` is that identity's function: the
    two agree (to 1e-9 relative) at the point and at two seeded random points of the same shapes."""
    for ident in catalog() if idents is None else idents:
        if ident.kind != "jacobian" or ident.wrt_index != w or len(ident.argnames) != len(args):
            continue
        for sp in ident.special:
            try:
                at = point_call(ident, sp)
            except ValueError:
                continue
            if all(_identical(a, b) for a, b in zip(at, args, strict=True)):
                if _same_function(f, ident.f, args):
                    return ident, sp
    return None


def _identical(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape, kind (real or complex) and values, signed zeros included (−4 − 0i and −4 + 0i lie on
    different sides of a branch cut)."""
    a, b = np.asarray(a), np.asarray(b)
    return (
        a.shape == b.shape
        and np.iscomplexobj(a) == np.iscomplexobj(b)
        and np.array_equal(a, b)
        and np.array_equal(np.signbit(a.real), np.signbit(b.real))
        and np.array_equal(np.signbit(np.imag(a)), np.signbit(np.imag(b)))
    )


def _same_function(f: Any, g: Any, args: tuple[np.ndarray, ...]) -> bool:
    """Do ``f`` and ``g`` agree at ``args`` and at two seeded random points of the same shapes (complex
    arguments moved in both parts)?"""
    rng = np.random.default_rng(0)

    def moved(a: np.ndarray) -> np.ndarray:
        step = rng.uniform(-1.0, 1.0, a.shape)
        return a + (step + 1j * rng.uniform(-1.0, 1.0, a.shape) if np.iscomplexobj(a) else step)

    points = [args] + [tuple(moved(a) for a in args) for _ in range(2)]
    try:
        for p in points:
            u, v = np.asarray(f(*p)), np.asarray(g(*p))
            scale = max(float(np.max(np.abs(v), initial=0.0)), 1.0)
            if u.shape != v.shape or not np.allclose(u, v, rtol=1e-9, atol=1e-12 * scale, equal_nan=True):
                return False
    except Exception:  # f or g cannot be evaluated there: not shown to be the same function
        return False
    return True


# --- the page ---------------------------------------------------------------------------------------------
def _fmt_real(x: float) -> str:
    if np.isnan(x):
        return "NaN"
    if np.isinf(x):
        return "inf" if x > 0 else "−inf"
    s = f"{x:.4g}"
    return "0" if s in ("0", "-0") else s.replace("-", "−")


def _fmt_number(x: complex) -> str:
    """A real number as ``_fmt_real``; a complex one as "a + bi", "bi" or "a" (NaN when a part is NaN)."""
    if not isinstance(x, complex):
        return _fmt_real(x)
    if np.isnan(x.real) or np.isnan(x.imag):
        return "NaN"
    re, im = _fmt_real(x.real), _fmt_real(abs(x.imag))
    if im == "0":
        return re
    if re == "0":
        return ("−" if x.imag < 0 else "") + im + "i"
    return f"{re} {'−' if x.imag < 0 else '+'} {im}i"


def format_value(v: np.ndarray, max_entries: int = 9) -> str:
    """A short, deterministic rendering of a measured derivative for a table cell."""
    v = np.asarray(v)
    v = v.astype(np.complex128 if np.iscomplexobj(v) else np.float64)
    scalar = complex if np.iscomplexobj(v) else float
    if v.ndim == 0:
        return _fmt_number(scalar(v))
    if v.size <= max_entries and v.ndim <= 2:

        def row(r: np.ndarray) -> str:
            return "(" + ", ".join(_fmt_number(scalar(x)) for x in r) + ")"

        return row(v) if v.ndim == 1 else "(" + ", ".join(row(r) for r in v) + ")"
    shape = "×".join(str(d) for d in v.shape)
    if np.all(np.isnan(v)):
        return f"{shape} array, all NaN"
    nan, inf = int(np.sum(np.isnan(v))), int(np.sum(np.isinf(v)))
    bad = f", {nan} NaN, {inf} inf" if nan or inf else ", finite"
    fin = v[np.isfinite(v)]
    if np.iscomplexobj(v):
        fin, what = np.abs(fin), "moduli"
    else:
        what = "entries"
    rng = f", {what} in [{_fmt_number(float(fin.min()))}, {_fmt_number(float(fin.max()))}]" if fin.size else ""
    return f"{shape} array{bad}{rng}"


_STATUS = {"kink": "kink", "one-sided": "branch cut", "derivative": "differentiable", "unbounded": "unbounded"}
_VERDICT_TEXT = {
    "valid": "yes",
    "nan": "no (NaN)",
    "inf": "no (inf)",
    "invalid": "**no: a finite wrong number**",
}


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def _tex_cell(tex: str) -> str:
    """LaTeX for a table cell, with no pipe characters (they would split the cell)."""
    return "$" + tex.replace("\\|", "\\Vert ").replace("|", "\\vert ") + "$"


def upstream_markdown(refs: str) -> str:
    """Comma-separated upstream references ("owner/repo#N", or "none found") as Markdown links."""
    out = []
    for ref in filter(None, (r.strip() for r in refs.split(","))):
        if "#" not in ref:
            out.append(ref)
            continue
        repo, num = ref.split("#")
        out.append(f"[{repo.split('/')[-1]}#{num}](https://github.com/{repo}/issues/{num})")
    return ", ".join(out)


def upstream_cell(sp: SpecialPoint) -> str:
    """The point's upstream reports as Markdown links ("none found" after a search found none)."""
    return upstream_markdown(", ".join(sp.upstream))


def render_markdown(measurements: list[Measurement] | None = None) -> str:
    """docs/special-cases.md: one row per special point, measured now."""
    import jax

    ms = measure_all() if measurements is None else measurements
    lines = [
        "# Special cases: where a derivative does not exist or is delicate",
        "",
        "<!-- Generated by `python -m identities special-cases --write docs/special-cases.md`; do not edit.",
        "     tests/test_special_cases_doc.py fails when this file differs from a fresh generation. -->",
        "",
        "Each row is a `SpecialPoint` record of an identity (`special=` in its declaration). *Mathematics* is",
        "what holds at the point: the set of valid answers (subdifferential or generalized Jacobian) at a",
        "kink, the derivative where one exists, or that the derivative is unbounded (no finite answer is",
        f"valid). *JAX returns* is measured when this page is generated (JAX {jax.__version__}, float64):",
        "`jax.grad` for a scalar function, `jax.jacrev` for a vector or matrix one, `jax.hessian` for a",
        "Hessian. *Valid?* says whether that answer is a member of the set of valid answers (equal to the",
        "derivative where it exists). A closed form whose formula is undefined at the point refuses it",
        "(`PreconditionError`); finite differences are never taken across a kink. *Upstream* links the",
        "framework's issue or pull request that reports the behaviour at the point, where one was found.",
        "",
        "For a complex variable (see [complex.md](complex.md)) the record states the valid answers in the",
        "convention the identity's closed form returns (∂f/∂z̄ for a real f, f′(z) for a holomorphic one).",
        "JAX's answer is shown as JAX returns it (`jax.grad`, `holomorphic=True` for a holomorphic f) and as",
        "read in that convention, which is what is judged. At a point on a branch cut f is discontinuous:",
        "the valid answers are the derivatives of f restricted to either side.",
        "",
        "| identity | function | point | status | mathematics | JAX returns | valid? | safe alternative | upstream |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in ms:
        sp = m.point
        returned = f"`{m.transform}`: {format_value(m.value)}"
        if m.read is not None:
            from .wirtinger import SYMBOLS

            returned += f", as {SYMBOLS[m.ident.complex_form]}: {format_value(m.read)}"
        lines.append(
            "| "
            + " | ".join(
                c if k in (1, 8) else _cell(c)
                for k, c in enumerate(
                    (
                        f"`{m.ident.id}`",
                        _tex_cell(m.ident.tex.f),
                        sp.label,
                        _STATUS[sp.status],
                        sp.math,
                        returned,
                        _VERDICT_TEXT[m.verdict],
                        sp.safe or "",
                        upstream_cell(sp),
                    )
                )
            )
            + " |"
        )
    bad = [m for m in ms if m.verdict != "valid"]
    lines += ["", f"{len(ms)} points; JAX's answer is a valid one at {len(ms) - len(bad)} of them.", ""]
    if bad:
        lines += ["## Where JAX's answer is not valid", ""]
        for m in bad:
            note = f" {m.point.notes}" if m.point.notes else ""
            lines.append(f"- `{m.ident.id}` at {m.point.label}: {_VERDICT_TEXT[m.verdict]}.{note}")
        lines.append("")
    lines += ["## Notes per point", ""]
    for m in ms:
        if m.point.notes:
            lines.append(f"- `{m.ident.id}` at {m.point.label}: {m.point.notes}")
    lines += [
        "",
        "## The safe norm",
        "",
        "`identities.safe.safe_norm(x)` is ‖x‖₂ with the minimum-norm subgradient at 0: its gradient there",
        "is 0 (not NaN), and its value is computed with x rescaled by max|xᵢ|, so it neither underflows at",
        "‖x‖ ~ 1e-160 nor overflows at 1e160. Its Hessian at 0 is the zero matrix: a convention, since the",
        "norm has no Hessian there (near 0 the true Hessian (I − uuᵀ)/‖x‖₂ is unbounded, and `safe_norm`",
        "returns it exactly). Use it where an optimiser may land on 0 and 0 is the answer you want.",
        "",
    ]
    return "\n".join(lines)
