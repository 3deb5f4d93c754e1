"""Conformance: every identity × framework (JAX, PyTorch, TensorFlow, finite differences) × result, special
points included.

For each identity (from the one registry) and each framework, the framework's derivative of the
identity's function is compared with the closed form on valid random inputs, and evaluated at every
charted special point (:class:`~identities.SpecialPoint`), where the question is whether the answer is
valid there (a subgradient at a kink, the derivative where one exists). Frameworks:

- ``jax``: ``jax.jacfwd``, ``jax.jacrev``, ``jax.grad`` (scalar outputs) / ``jax.hessian`` /
  ``jax.jvp`` / ``jax.vjp`` by kind (the engine of :mod:`identities.verify`);
- ``torch``: the same function evaluated in PyTorch (:mod:`identities.frameworks.torch`, translated from
  the jaxpr by :mod:`identities.frameworks.interpreter`, with PyTorch's native linear-algebra functions),
  differentiated by ``torch.func.jacrev``,
  ``torch.func.jacfwd``, ``torch.autograd.grad`` (scalar outputs), ``torch.func.hessian``,
  ``torch.func.jvp`` and ``torch.func.vjp``;
- ``tensorflow``: the same function in TensorFlow (:mod:`identities.frameworks.tensorflow`, through the same
  interpreter, with TensorFlow's native ops), differentiated by ``tf.GradientTape`` (``jacobian``,
  ``gradient``), ``tf.autodiff.ForwardAccumulator`` and nested tapes for Hessians;
- ``numpy-fd``: central finite differences (Richardson extrapolated) computed in NumPy from values of
  ``f`` (evaluated by XLA; no autodiff is involved).

Each result is ``ok``, ``FAIL``, ``deviation`` (an expected deviation listed with its reason in
:mod:`identities.frameworks.deviations`), ``unsupported`` (the framework lacks the primitive: named, never
silent) or
``error``. At special points: ``valid``, ``INVALID`` or ``deviation``. Unexpected ``FAIL``, ``INVALID``
and ``error`` results fail the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from identities._core import REGISTRY, Identity, SpecialPoint, catalog, get
from identities.frameworks import adapter
from identities.frameworks.adapter import ADAPTERS, FRAMEWORKS, NotApplicable
from identities.frameworks.deviations import DEVIATIONS, Deviation, find
from identities.frameworks.interpreter import UnsupportedPrimitive
from identities.special import upstream_markdown
from identities.verify import (
    FD2_STEP,
    FD_STEP,
    TOLERANCES,
    _central,
    _compare,
    _step,
    apply_convention,
    check_inputs,
    compiled,
    draw_extra,
    draw_inputs,
    extra_shape,
    raw_draw,
)

FAILING = ("FAIL", "INVALID", "error")


def available(framework: str) -> bool:
    """Whether ``framework`` can run here (JAX and finite differences always can)."""
    return framework not in ADAPTERS or adapter.available(framework)


@dataclass
class Result:
    identity: str
    framework: str
    check: str
    point: str | None  # None: generic inputs; else the special point's label
    status: str  # ok, FAIL, deviation, unsupported, error, valid, INVALID
    detail: str = ""
    reason: str = ""  # the deviation's reason, when status == "deviation"
    recorded: str = ""  # JAX's answer at a special point as its SpecialPoint record states it (if any)
    # a conditional deviation's condition, measured at this point: which branch this run saw
    condition: str = ""
    condition_held: bool | None = None

    @property
    def failed(self) -> bool:
        return self.status in FAILING


# --- generic inputs -----------------------------------------------------------------------------------------------
def _inputs(ident: Identity, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    rng = np.random.default_rng(seed)
    sizes = ident.size_assignments()[0]
    args = draw_inputs(ident, rng, sizes)
    eshape = extra_shape(ident, sizes)
    extra = draw_extra(ident, args, raw_draw(rng, eshape)) if eshape is not None else None
    return args, extra


def _jax_and_fd(ident: Identity, args: dict[str, np.ndarray], extra: np.ndarray | None) -> list[Result]:
    out = []
    for r in check_inputs(ident, args, extra):
        fw = "numpy-fd" if r.check.startswith("fd") else "jax"
        detail = "" if r.ok else r.describe(ident.id).split(": ", 1)[1]
        out.append(Result(ident.id, fw, r.check, None, "ok" if r.ok else "FAIL", detail))
    return out


def _adapter_complex(ident: Identity, framework: str, arrays: tuple[np.ndarray, ...]) -> list[Result]:
    """A framework on a complex identity: each answer read in the framework's documented convention
    (``COMPLEX_CONVENTION`` of its adapter) against ``closed_form(convention=...)``; the partials of forward
    mode against the closed form's Wirtinger pair."""
    from ..verify import _closed_pair, _pair_ri, _ri
    from ..wirtinger import Wirtinger, to_convention

    mod = adapter.load(framework)
    try:
        thunks = mod.complex_derivatives(ident, arrays)
    except UnsupportedPrimitive as e:
        return [Result(ident.id, framework, "*", None, "unsupported", str(e))]
    except Exception as e:  # the framework cannot evaluate f on complex input: a finding, reported
        first = (str(e).splitlines() or [""])[0]
        return [Result(ident.id, framework, "*", None, "error", f"{type(e).__name__}: {first}")]
    real_valued = ident.real_valued(arrays)
    dz, dzb = _closed_pair(ident, compiled(ident).closed(*arrays), real_valued)
    want = to_convention(Wirtinger(dz, dzb), mod.COMPLEX_CONVENTION, real_valued=real_valued)
    out = []
    for name, thunk in thunks.items():
        try:
            got = thunk()
        except UnsupportedPrimitive as e:
            out.append(Result(ident.id, framework, name, None, "unsupported", str(e)))
            continue
        except NotApplicable:
            continue
        except Exception as e:  # a framework that raises is a finding, reported
            out.append(Result(ident.id, framework, name, None, "error", f"{type(e).__name__}: {e}"))
            continue
        if name == "jvp (re, im)":
            wp = Wirtinger.from_partials(got[0], got[1])
            closed_ri, got_ri = _pair_ri(dz, dzb), _pair_ri(wp.dz, wp.dzbar)
        else:
            closed_ri, got_ri = _ri(want), _ri(got)
        r = _compare(name, closed_ri, got_ri, TOLERANCES[np.dtype(np.float64)].autodiff)
        detail = "" if r.ok else r.describe(ident.id).split(": ", 1)[1]
        out.append(Result(ident.id, framework, name, None, "ok" if r.ok else "FAIL", detail))
    return out


def _adapter_generic(
    ident: Identity, framework: str, args: dict[str, np.ndarray], extra: np.ndarray | None
) -> list[Result]:
    """A framework with an adapter, on generic inputs: each of its derivatives against the closed form."""
    arrays = tuple(args[a] for a in ident.argnames)
    if ident.is_complex:
        return _adapter_complex(ident, framework, arrays)
    try:
        thunks = adapter.load(framework).derivatives(ident, arrays, extra)
    except UnsupportedPrimitive as e:
        return [Result(ident.id, framework, "*", None, "unsupported", str(e))]
    call = arrays + ((extra,) if extra is not None else ())
    closed = np.asarray(compiled(ident).closed(*call))
    q = np.ndim(arrays[ident.wrt_index])
    out = []
    for name, thunk in thunks.items():
        try:
            got = thunk()
        except UnsupportedPrimitive as e:
            out.append(Result(ident.id, framework, name, None, "unsupported", str(e)))
            continue
        except NotApplicable:
            continue
        except Exception as e:  # a framework that raises is a finding, reported
            out.append(Result(ident.id, framework, name, None, "error", f"{type(e).__name__}: {e}"))
            continue
        if ident.kind in ("jacobian", "vjp"):
            got = apply_convention(ident, got)
        nd = (q, q) if ident.kind == "hessian" else ((closed.ndim - q, q) if ident.kind == "jacobian" else None)
        r = _compare(name, closed, got, TOLERANCES[np.dtype(np.float64)].autodiff, ndims=nd)
        detail = "" if r.ok else r.describe(ident.id).split(": ", 1)[1]
        out.append(Result(ident.id, framework, name, None, "ok" if r.ok else "FAIL", detail))
    return out


# --- special points ------------------------------------------------------------------------------------------------
def _summary(v: np.ndarray) -> str:
    v = np.asarray(v)
    v = v.astype(np.complex128 if np.iscomplexobj(v) else np.float64)
    if v.size and np.all(np.isnan(v)):
        return "all NaN"
    if v.size and np.all(v == 0):
        return "0"
    return np.array2string(v.reshape(-1)[:6], precision=4, separator=", ") + (" ..." if v.size > 6 else "")


def _special_values(ident: Identity, sp: SpecialPoint, framework: str) -> dict[str, np.ndarray]:
    """The framework's derivative(s) at the special point, in JAX layout (Hessian for hessian kinds); for a
    jvp or vjp identity, its Jacobians contracted with the point's tangent or cotangent (what sp.value is)."""
    values = _special_jacobians(ident, sp, framework)
    if ident.kind not in ("jvp", "vjp"):
        return values
    from ..special import point_call

    extra = point_call(ident, sp)[-1]
    q = np.ndim(np.asarray(sp.args[ident.wrt]))
    with np.errstate(all="ignore"):  # NaN or inf in a Jacobian is the measured answer
        if ident.kind == "jvp":
            return {k: np.tensordot(v, extra, axes=q) for k, v in values.items()}
        return {k: apply_convention(ident, np.tensordot(extra, v, axes=np.ndim(extra))) for k, v in values.items()}


def _special_jacobians(ident: Identity, sp: SpecialPoint, framework: str) -> dict[str, np.ndarray]:
    arrays = tuple(np.asarray(sp.args[a], dtype=np.float64) for a in ident.argnames)
    if framework == "jax":
        return {k: np.asarray(v) for k, v in compiled(ident).autodiff(*arrays).items()}
    if framework in ADAPTERS:
        return adapter.load(framework).at_point(ident, arrays)
    # numpy-fd: central differences of f along every coordinate (NaN or inf from f is the measured answer)
    with np.errstate(all="ignore"):
        return _fd_values(ident, arrays)


def _fd_values(ident: Identity, arrays: tuple[np.ndarray, ...]) -> dict[str, np.ndarray]:
    w = ident.wrt_index
    c = compiled(ident)
    x = arrays[w]

    def batch_f(points: np.ndarray) -> np.ndarray:
        return np.asarray(c.fbatch(*arrays[:w], points, *arrays[w + 1 :]))

    n = x.size
    dirs = np.eye(n).reshape((n, *x.shape))
    if ident.kind == "hessian":  # second central differences along every pair of coordinates
        h = _step(x, FD2_STEP)
        di, dj = dirs[:, None], dirs[None, :]
        pts = np.concatenate([x + h * (di + dj), x + h * (di - dj), x - h * (di - dj), x - h * (di + dj)])
        fv = batch_f(pts.reshape((4 * n * n, *x.shape))).reshape(4, n, n)
        hess = (fv[0] - fv[1] - fv[2] + fv[3]) / (4 * h * h)
        return {"fd2": hess.reshape(x.shape + x.shape)}
    fd, _ = _central(batch_f, x, dirs, _step(x, FD_STEP))
    fd = fd.reshape((*x.shape, *fd.shape[1:]))
    p = fd.ndim - x.ndim
    return {"fd": np.moveaxis(fd, tuple(range(x.ndim)), tuple(range(p, p + x.ndim)))}


def _unbounded(sp: SpecialPoint) -> bool:
    """No finite answer is valid there (the derivative is unbounded): what a framework returns is reported,
    not judged."""
    return sp.valid is None and sp.value is None


def _numeric_failure(e: Exception, framework: str) -> bool:
    """The exceptions a framework documents for a singular or non-finite point: LAPACK's "the matrix is
    singular" (numpy.linalg.LinAlgError, and what the framework's adapter's numeric_failure accepts, e.g.
    torch.linalg.LinAlgError). Anything else (a TypeError, a translation bug) is an error of the run,
    never an answer at the point."""
    import numpy.linalg

    if isinstance(e, numpy.linalg.LinAlgError):
        return True
    return framework in ADAPTERS and bool(adapter.load(framework).numeric_failure(e))


def _special_complex_values(ident: Identity, sp: SpecialPoint, framework: str) -> dict[str, tuple[Any, str]]:
    """A framework's derivatives of a complex identity at the point: name -> (answer, the convention it is
    in: the framework's documented one, or "partials" for the stacked (∂f/∂x, ∂f/∂y))."""
    from ..special import jax_complex_derivative, point_call

    arrays = tuple(point_call(ident, sp))
    w = ident.wrt_index
    if framework == "jax":
        import jax
        import jax.numpy as jnp

        from ..verify import split_variable

        args = tuple(jnp.asarray(a) for a in arrays)
        name, value, convention = jax_complex_derivative(ident, args)
        out = {name.removeprefix("jax."): (value, convention)}
        g, z = split_variable(ident.f, args, w), args[w]
        jx, jy = (np.asarray(jax.jacfwd(g, argnums=k)(z.real, z.imag)) for k in (0, 1))
        out["jacfwd (re, im)"] = (np.stack([jx[0] + 1j * jx[1], jy[0] + 1j * jy[1]]), "partials")
        return out
    if framework in ADAPTERS:
        mod = adapter.load(framework)
        out = {}
        for name, thunk in mod.complex_derivatives(ident, arrays).items():
            try:
                out[name] = (thunk(), "partials" if name == "jvp (re, im)" else mod.COMPLEX_CONVENTION)
            except NotApplicable:
                continue
        return out
    # numpy-fd: central differences of f along the real and the imaginary part of every entry
    import jax

    z = arrays[w]
    n = z.size
    dirs = np.eye(n).reshape((n, *z.shape))
    h = _step(np.abs(z), FD_STEP)
    fbatch = jax.vmap(lambda v: ident.f(*arrays[:w], v, *arrays[w + 1 :]))
    parts = []
    with np.errstate(all="ignore"):
        for unit in (1.0, 1j):
            fv = np.asarray(fbatch(np.concatenate([z + unit * h * dirs, z - unit * h * dirs])))
            d = (fv[:n] - fv[n:]) / (2 * h)  # (n, *out)
            d = d.reshape((*z.shape, *d.shape[1:]))
            parts.append(np.moveaxis(d, tuple(range(z.ndim)), tuple(range(d.ndim - z.ndim, d.ndim))))
    return {"fd (re, im)": (np.stack(parts), "partials")}


def _special_answers(ident: Identity, sp: SpecialPoint, framework: str) -> dict[str, tuple[np.ndarray, Any]]:
    """name -> (the framework's answer as it returns it, the answer in the form the point judges, or the
    :class:`~identities.wirtinger.ConventionError` that reading it raised)."""
    if not ident.is_complex:
        values = _special_values(ident, sp, framework)
        return {k: (v, apply_convention(ident, v) if ident.kind == "jacobian" else v) for k, v in values.items()}
    from ..special import point_call, read_complex
    from ..wirtinger import ConventionError

    arrays = tuple(point_call(ident, sp))
    out: dict[str, tuple[np.ndarray, Any]] = {}
    for name, (got, convention) in _special_complex_values(ident, sp, framework).items():
        try:
            out[name] = (np.asarray(got), read_complex(ident, got, convention, arrays))
        except ConventionError as e:
            out[name] = (np.asarray(got), e)
    return out


def _special(ident: Identity, framework: str) -> list[Result]:
    out = []
    for sp in ident.special:
        try:
            answers = _special_answers(ident, sp, framework)
        except Exception as e:
            name = type(e).__name__
            status = "unsupported" if isinstance(e, UnsupportedPrimitive) else "error"
            if _unbounded(sp) and status == "error" and _numeric_failure(e, framework):
                status = "unbounded"  # no finite answer is valid: a documented refusal is an answer too
            out.append(Result(ident.id, framework, "*", sp.label, status, f"raises {name}: {e}; {sp.math}"))
            continue
        for name, (v, judged) in answers.items():
            if _unbounded(sp):
                out.append(
                    Result(ident.id, framework, name, sp.label, "unbounded", f"returns {_summary(v)}; {sp.math}")
                )
                continue
            valid = not isinstance(judged, Exception) and sp.is_valid(judged)
            why = f" ({judged})" if isinstance(judged, Exception) else ""
            r = Result(
                ident.id,
                framework,
                name,
                sp.label,
                "valid" if valid else "INVALID",
                f"returns {_summary(v)}{why}; {sp.math}",
            )
            recorded = getattr(sp, "jax_verdict", "")  # JAX's measured answer, when the record carries it
            if not valid and framework == "jax" and recorded and recorded != "valid":
                measured = _verdict(v)
                if measured == recorded:
                    notes = getattr(sp, "notes", "")
                    r.recorded = f"recorded in the special point (jax_verdict={recorded!r})" + (
                        f": {notes}" if notes else ""
                    )
                else:
                    r.detail += f"; the record says JAX returns {recorded!r}, measured {measured!r}"
            out.append(r)
    return out


def _verdict(v: np.ndarray) -> str:
    """The SpecialPoint vocabulary for an answer that is not valid: "nan", "inf" or "invalid"."""
    v = np.asarray(v)
    if np.any(np.isnan(v)):
        return "nan"
    if np.any(np.isinf(v)):
        return "inf"
    return "invalid"


# --- the run -------------------------------------------------------------------------------------------------------
def _point_args(ident: Identity, point: str | None, generic_args: dict[str, np.ndarray]) -> dict[str, Any]:
    if point is None:
        return generic_args
    return dict(next(sp.args for sp in ident.special if sp.label == point))


def _apply_deviations(results: list[Result], ident: Identity, generic_args: dict[str, np.ndarray]) -> None:
    measured: dict[tuple[int, str | None], tuple[bool, str]] = {}  # (deviation, point) -> its condition
    for r in results:
        d = find(r.identity, r.framework, r.point, r.check)
        if d is not None and d.when is not None:
            key = (id(d.when), r.point)
            if key not in measured:
                try:
                    measured[key] = d.when.measure(_point_args(ident, r.point, generic_args))
                except Exception as e:  # the probe itself failed: the deviation cannot be said to apply
                    measured[key] = (False, f"the condition could not be measured: {type(e).__name__}: {e}")
            held, seen = measured[key]
            r.condition_held = held
            r.condition = f"{'held' if held else 'did not hold'}: {d.when.text} ({seen})"
        if r.status not in FAILING:
            continue
        if d is not None and d.when is not None and not r.condition_held:
            r.detail += f"; the expected deviation applies only when {d.when.text}, and {r.condition}"
        elif d is not None:
            r.status = "deviation"
            r.reason = f"{d.why}: {d.reason}" + (f" [condition {r.condition}]" if d.when is not None else "")
        elif r.recorded:  # the identity's own record of JAX's answer there (SpecialPoint.jax_verdict)
            r.status = "deviation"
            r.reason = r.recorded


def conformance_of(
    ident: Identity, frameworks: Iterable[str] = FRAMEWORKS, seed: int = 0, generic: bool = True
) -> list[Result]:
    """Every result for one identity: generic inputs (unless ``generic=False``) and its special points."""
    frameworks = tuple(frameworks)
    args, extra = _inputs(ident, seed)
    results: list[Result] = []
    if generic and ("jax" in frameworks or "numpy-fd" in frameworks):
        try:
            results += [r for r in _jax_and_fd(ident, args, extra) if r.framework in frameworks]
        except Exception as e:
            results.append(Result(ident.id, "jax", "*", None, "error", f"{type(e).__name__}: {e}"))
    for fw in frameworks:
        if generic and fw in ADAPTERS:
            results += _adapter_generic(ident, fw, args, extra)
    for fw in frameworks:
        results += _special(ident, fw)
    _apply_deviations(results, ident, args)
    return results


@dataclass
class Run:
    results: list[Result]
    frameworks: tuple[str, ...]
    identities: list[str]
    seconds: float
    versions: dict[str, str]

    @property
    def failures(self) -> list[Result]:
        return [r for r in self.results if r.failed]

    def stale_deviations(self) -> list[Deviation]:
        """Deviations for identities and frameworks this run covered that matched no result (a conditional
        one only where its condition held: elsewhere it does not apply, see :meth:`inapplicable`)."""
        used = {(r.identity, r.framework, r.point, r.check) for r in self.results if r.status == "deviation"}
        out = []
        for d in DEVIATIONS:
            if d.identity not in self.identities or d.framework not in self.frameworks:
                continue
            if not any(d.matches(i, f, p, c) for (i, f, p, c) in used) and d not in self.inapplicable():
                out.append(d)
        return out

    def inapplicable(self) -> list[Deviation]:
        """Conditional deviations whose condition this run measured and found false at their point."""
        return [
            d
            for d in DEVIATIONS
            if d.when is not None
            and any(
                r.condition_held is False and d.matches(r.identity, r.framework, r.point, r.check) for r in self.results
            )
        ]

    def branches(self) -> list[str]:
        """One line per conditional deviation measured in this run: its point and the branch seen."""
        seen = {(r.identity, r.framework, r.point, r.condition) for r in self.results if r.condition}
        return [f"{i} [{f} at {p}]: condition {c}" for i, f, p, c in sorted(seen, key=str)]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.stale_deviations()

    def counts(self) -> dict[str, int]:
        c: dict[str, int] = {}
        for r in self.results:
            c[r.status] = c.get(r.status, 0) + 1
        return c

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "frameworks": list(self.frameworks),
            "versions": self.versions,
            "seconds": self.seconds,
            "counts": self.counts(),
            "stale_deviations": [_deviation_dict(d) for d in self.stale_deviations()],
            "conditional_deviations": self.branches(),
            "results": [asdict(r) for r in self.results],
        }


def _deviation_dict(d: Deviation) -> dict[str, Any]:
    out = {k: v for k, v in asdict(d).items() if k != "when"}
    out["when"] = d.when.text if d.when is not None else None
    return out


def versions(frameworks: Sequence[str]) -> dict[str, str]:
    import jax

    from identities.kernels import describe

    v = {"jax": jax.__version__, "numpy": np.__version__}
    for fw in frameworks:
        if fw in ADAPTERS and available(fw):
            v[fw] = adapter.load(fw).VERSION
    v["kernels"] = "/".join(
        f"{lib} {path}" for lib, path in describe(mkl="torch" in v, tensorflow="tensorflow" in v).items()
    )
    return v


def run(
    idents: Iterable[Identity] | None = None,
    frameworks: Sequence[str] = FRAMEWORKS,
    seed: int = 0,
    progress: Callable[[Identity, list[Result]], None] | None = None,
    generic: bool = True,
) -> Run:
    """Every identity in every framework; ``progress(ident, results)`` is called as each identity is done."""
    idents = list(catalog() if idents is None else idents)
    frameworks = tuple(frameworks)
    for fw in frameworks:
        if not available(fw):
            spec = ADAPTERS[fw]
            raise ImportError(f"the {fw} framework needs {spec.title}: {spec.install}")
    t0 = time.perf_counter()
    results: list[Result] = []
    for ident in idents:
        got = conformance_of(ident, frameworks, seed, generic)
        results += got
        if progress:
            progress(ident, got)
    return Run(results, frameworks, [i.id for i in idents], time.perf_counter() - t0, versions(frameworks))


# --- rendering -----------------------------------------------------------------------------------------------------
def rows(run_: Run) -> list[tuple[str, str, str, str]]:
    """One row per identity × framework × point: the checks merged, failures and deviations spelled out."""
    groups: dict[tuple[str, str, str], list[Result]] = {}
    for r in run_.results:
        groups.setdefault((r.identity, r.framework, r.point or "generic inputs"), []).append(r)
    out = []
    for (ident, fw, point), rs in groups.items():
        merged: dict[tuple[str, str, str], list[str]] = {}
        for r in rs:
            detail = r.detail if r.status not in ("ok", "valid") or point != "generic inputs" else ""
            if r.status in ("ok", "valid") and point != "generic inputs":
                detail = detail.split(";")[0]
            merged.setdefault((r.status, detail, r.reason), []).append(r.check)
        parts = []
        for (status, detail, reason), checks in merged.items():
            bit = f"{status} ({', '.join(checks)})" + (f": {detail}" if detail else "")
            parts.append(bit + (f" [{reason}]" if reason else ""))
        text = "; ".join(parts)
        out.append((ident, fw, point, text))
    return out


def render_text(run_: Run) -> str:
    from tabulate import tabulate

    generic, special = grid(run_)
    out = [tabulate(generic, headers=["identity", "kind", *run_.frameworks])]
    if special:
        out.append(
            tabulate(
                special,
                headers=["identity", "point", "mathematics", *run_.frameworks, "upstream"],
                maxcolwidths=[None, 16, 40],
            )
        )
    used = {(r.identity, r.reason) for r in run_.results if r.status == "deviation"}
    if used:
        out.append("expected deviations:\n" + "\n".join(f"  {i}: {reason}" for i, reason in sorted(used)))
    return "\n\n".join(out) + "\n\n" + summary(run_)


def summary(run_: Run) -> str:
    c = run_.counts()
    parts = ", ".join(f"{v} {k}" for k, v in sorted(c.items()))
    lines = [
        f"{len(run_.identities)} identities × {', '.join(run_.frameworks)} "
        f"({', '.join(f'{k} {v}' for k, v in run_.versions.items())}): {parts}; {run_.seconds:.1f} s"
    ]
    for r in run_.failures:
        lines.append(f"FAILED {r.identity} [{r.framework} {r.check}{' at ' + r.point if r.point else ''}]: {r.detail}")
    for d in run_.stale_deviations():
        lines.append(f"STALE deviation {d.identity} [{d.framework} {d.check} at {d.point}]: matched no result")
    for b in run_.branches():
        lines.append(f"conditional deviation {b}")
    return "\n".join(lines)


def _cell(rs: list[Result]) -> str:
    """A short verdict for one identity × framework × point: ``ok``, ``FAIL (jacfwd)``, ``deviation``..."""
    statuses = [r.status for r in rs]
    for bad in ("FAIL", "INVALID", "error", "unsupported", "deviation", "unbounded"):
        if bad in statuses:
            checks = [r.check for r in rs if r.status == bad]
            return f"{bad} ({', '.join(checks)})"
    return "valid" if "valid" in statuses else "ok"


def grid(run_: Run) -> tuple[list[list[str]], list[list[str]]]:
    """(generic-input rows: identity, kind, one cell per framework; special-point rows: identity, point,
    mathematics, then per framework what it returns and the verdict)."""
    by: dict[tuple[str, str | None, str], list[Result]] = {}
    for r in run_.results:
        by.setdefault((r.identity, r.point, r.framework), []).append(r)
    generic = []
    special = []
    for ident_id in run_.identities:
        ident = get(ident_id) if ident_id in REGISTRY else None
        kind = ident.kind if ident else ""
        generic.append([ident_id, kind, *(_cell(by.get((ident_id, None, fw), [])) for fw in run_.frameworks)])
        points = dict.fromkeys(r.point for r in run_.results if r.identity == ident_id and r.point is not None)
        for p in points:
            sp = next((sp for sp in (ident.special if ident else ()) if sp.label == p), None)
            math = sp.math if sp is not None else ""
            upstream = ", ".join(sp.upstream) if sp is not None else ""
            cells = []
            for fw in run_.frameworks:
                rs = by.get((ident_id, p, fw), [])
                groups: dict[tuple[str, str], list[str]] = {}  # (what it returns, verdict) -> checks
                for r in rs:
                    returns = r.detail.split(";")[0].removeprefix("returns ")
                    groups.setdefault((returns, r.status), []).append(r.check)
                cells.append("; ".join(f"{ret}: {st} ({', '.join(ch)})" for (ret, st), ch in groups.items()))
            special.append([ident_id, p, math, *cells, upstream])
    return generic, special


def render_markdown(run_: Run, command: str) -> str:
    from tabulate import tabulate

    def esc(row: list[str]) -> list[str]:
        return [c.replace("|", "\\|").replace("\n", " ") for c in row]

    generic, special = grid(run_)
    c = run_.counts()
    dev_lines = [
        f"- `{d.identity}`, {d.framework}, {d.point or 'generic inputs'} ({d.check}): *{d.why}*. {d.reason}"
        + (f" Applies only when {d.when.text} (measured at run time)." if d.when is not None else "")
        for d in DEVIATIONS
    ]
    branch_lines = [f"- {b}" for b in run_.branches()]
    fail_lines = [
        f"- `{r.identity}` {r.framework} {r.check}{' at ' + r.point if r.point else ''}: {r.status}: {r.detail}"
        for r in run_.results
        if r.status not in ("ok", "valid", "deviation")
    ]
    return "\n".join(
        [
            "# Conformance: every identity in JAX, PyTorch, TensorFlow and finite differences",
            "",
            f"Generated by `{command}`; do not edit by hand. Versions: "
            + ", ".join(f"{k} {v}" for k, v in run_.versions.items())
            + ".",
            "",
            "Each identity's function (declared once, in JAX) is differentiated by each framework and compared",
            "with the closed form on valid random inputs (float64; relative tolerance 1e-9 for autodiff, 1e-6",
            "for finite differences). PyTorch and TensorFlow evaluate the same function translated from its jaxpr",
            "by one interpreter (`identities/frameworks/interpreter.py`), with their own native linear-algebra",
            "functions (`identities/frameworks/torch.py`, `identities/frameworks/tensorflow.py`). PyTorch is",
            "differentiated by `torch.func.jacrev`, `torch.func.jacfwd` and `torch.autograd.grad` (scalars),",
            "`torch.func.hessian`, `torch.func.jvp` or `torch.func.vjp` by kind; TensorFlow by `tf.GradientTape`",
            "(`tape.jacobian`, `tape.gradient` for scalars and for VJPs), `tf.autodiff.ForwardAccumulator` (the",
            "Jacobian column by column, and JVPs) and nested tapes (Hessians), with unconnected gradients as",
            "zeros; `numpy-fd` is central differences of `f`. At every",
            "charted special point the question is whether the answer is valid there (a subgradient at a kink,",
            "the derivative where one exists). Expected deviations are data, with reasons, in",
            "`identities/frameworks/deviations.py`; anything else that disagrees fails the command.",
            "",
            "Summary: "
            + ", ".join(f"{v} {k}" for k, v in sorted(c.items()))
            + f" (individual checks) over {len(run_.identities)} identities.",
            "",
            "## Special points",
            "",
            tabulate(
                [[*esc(r[:-1]), upstream_markdown(r[-1])] for r in special],
                headers=["identity", "point", "mathematics", *run_.frameworks, "upstream"],
                tablefmt="github",
            )
            if special
            else "No special points are charted.",
            "",
            "## Expected deviations",
            "",
            *(dev_lines or ["None."]),
            "",
            *(
                [
                    "Conditions measured in this run (the branch seen on this machine's kernel path):",
                    "",
                    *branch_lines,
                    "",
                ]
                if branch_lines
                else []
            ),
            *(["## Unsupported or failing", "", *fail_lines, ""] if fail_lines else []),
            "## Generic inputs",
            "",
            tabulate([esc(r) for r in generic], headers=["identity", "kind", *run_.frameworks], tablefmt="github"),
            "",
        ]
    )
