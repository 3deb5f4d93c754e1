"""One jaxpr interpreter for every framework: an identity's one JAX declaration, evaluated with a
framework's own operations (no second list of formulas).

:func:`function` traces ``ident.f`` with ``jax.make_jaxpr`` at concrete shapes and interprets the jaxpr
with the operations of a :class:`Table` (one per framework: ``identities/frameworks/torch.py``,
``tensorflow.py``), so that the framework's autodiff differentiates its own operations. Library calls
that JAX keeps as named ``jit`` calls (``det``, ``slogdet``, ``inv``, ``solve``, ``norm``, ``logsumexp``,
...) are mapped to the framework's native functions (``torch.linalg.det``, ``tf.linalg.det``, ...), so
that the framework's own derivative rules are the ones tested, not its derivative of JAX's
implementation. Which native function matches is decided by a probe: the named call's jaxpr is evaluated
by JAX on random inputs and compared with each candidate. A primitive the table cannot express raises
:class:`UnsupportedPrimitive`, which the conformance report shows as such (it is never a silent skip).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Native", "Table", "UnsupportedPrimitive", "dot_general_einsum", "function", "trace"]

# a native function: its name in the report ("torch.linalg.det") and the callable
Native = tuple[str, Callable[..., Any]]

# call-like primitives whose inner jaxpr is interpreted as is (their derivative rules are JAX's business)
_INLINED = ("custom_jvp_call", "custom_vjp_call", "custom_vjp_call_jaxpr", "closed_call", "remat", "checkpoint")


class UnsupportedPrimitive(NotImplementedError):
    """A JAX primitive with no translation in a framework's table (the conformance report names it)."""

    def __init__(self, primitive: str, detail: str = "") -> None:
        self.primitive = primitive
        super().__init__(f"unsupported primitive {primitive}" + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class Table:
    """How one framework expresses JAX's primitives: the whole of what a framework adds to the interpreter.

    ``unary``/``binary`` take tensors; ``rules`` take the equation's operands and its params as keywords
    (each rule ignores the params it does not need); ``native`` maps a named ``jit`` call to candidate
    native functions, the first one the probe confirms is used."""

    name: str  # the framework's column in the conformance report: "torch", "tensorflow"
    const: Callable[[Any], Any]  # a NumPy value (constant or literal) -> the framework's tensor, dtype kept
    to_numpy: Callable[[Any], np.ndarray]
    is_tensor: Callable[[Any], bool]  # already the framework's tensor (a constant converted before)
    is_float: Callable[[Any], bool]  # a floating-point (or complex) tensor (only those go to native functions)
    promote: Callable[[Any, Any], tuple[Any, Any]]  # a binary op's operands, float and integer mixed
    unary: Mapping[str, Callable[[Any], Any]]
    binary: Mapping[str, Callable[[Any, Any], Any]]
    rules: Mapping[str, Callable[..., Any]]
    native: Mapping[str, tuple[Native, ...]]
    # probe results: (table, call name, its jaxpr) -> the confirmed native function, or None
    _chosen: dict[tuple, Native | None] = field(default_factory=dict, compare=False, repr=False)


def dot_general_einsum(dimension_numbers: Any, x_ndim: int, y_ndim: int) -> str:
    """``lax.dot_general``'s contraction as an einsum string (output: batch, then x's free, then y's free
    axes), for the frameworks' ``einsum``."""
    (lc, rc), (lb, rb) = dimension_numbers
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    ls = [""] * x_ndim
    rs = [""] * y_ndim
    batch = []
    for i, j in zip(lb, rb, strict=True):
        c = next(letters)
        ls[i] = rs[j] = c
        batch.append(c)
    for i, j in zip(lc, rc, strict=True):
        c = next(letters)
        ls[i] = rs[j] = c
    lfree = []
    for i in range(x_ndim):
        if not ls[i]:
            ls[i] = next(letters)
            lfree.append(ls[i])
    rfree = []
    for j in range(y_ndim):
        if not rs[j]:
            rs[j] = next(letters)
            rfree.append(rs[j])
    return f"{''.join(ls)},{''.join(rs)}->{''.join(batch + lfree + rfree)}"


def _probe_inputs(avals: Sequence[Any], rng: np.random.Generator) -> list[np.ndarray]:
    out = []
    for a in avals:
        shape = tuple(a.shape)
        dt = np.dtype(a.dtype)
        if dt.kind not in "fc":
            out.append(np.zeros(shape, dtype=dt))
            continue
        g = rng.normal(size=shape) + (1j * rng.normal(size=shape) if dt.kind == "c" else 0)
        if len(shape) >= 2 and shape[-1] == shape[-2]:
            n = shape[-1]
            # SPD (HPD when complex): every matrix function is defined
            g = g @ np.conj(np.swapaxes(g, -1, -2)) / n + np.eye(n)
        out.append(g.astype(dt))
    return out


def _probe(table: Table, name: str, closed: Any) -> Native | None:
    """The first of ``table.native[name]`` that computes what the named call's jaxpr computes (JAX
    evaluates the jaxpr on random inputs), or None (the call is then interpreted primitive by primitive)."""
    import jax

    avals = [v.aval for v in closed.jaxpr.invars]
    rng = np.random.default_rng(12345)
    probe = _probe_inputs(avals, rng)
    try:
        want = [np.asarray(o) for o in jax.core.eval_jaxpr(closed.jaxpr, closed.consts, *probe)]
    except Exception:
        return None
    for label, fn in table.native.get(name, ()):
        try:
            got = fn(*(table.const(p) for p in probe))
        except Exception:
            continue
        got_l = list(got) if isinstance(got, tuple | list) else [got]
        if len(got_l) != len(want):
            continue
        try:
            ok = all(
                (g := table.to_numpy(x)).shape == w.shape and np.allclose(g, w, rtol=1e-8, atol=1e-10)
                for x, w in zip(got_l, want, strict=True)
            )
        except Exception:
            continue
        if ok:
            return label, fn
    return None


def _choose_native(table: Table, name: str, closed: Any) -> Native | None:
    sig = (name, str(closed.jaxpr))  # the same name can hide different programs (norm's ord)
    if sig not in table._chosen:
        table._chosen[sig] = _probe(table, name, closed)
    return table._chosen[sig]


class _Interpreter:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.natives: set[str] = set()  # which native functions were used (for the report)

    def run(self, jaxpr: Any, consts: Sequence[Any], args: Sequence[Any]) -> list[Any]:
        from jax.extend.core import Literal

        env: dict[Any, Any] = {}
        for v, c in zip(jaxpr.constvars, consts, strict=True):
            env[v] = c if self.table.is_tensor(c) else self.table.const(c)
        env.update(zip(jaxpr.invars, args, strict=True))

        def read(v: Any) -> Any:
            if isinstance(v, Literal):
                return self.table.const(v.val)
            return env[v]

        for eqn in jaxpr.eqns:
            invals = [read(v) for v in eqn.invars]
            outs = self.apply(eqn, invals)
            if not isinstance(outs, list | tuple):
                outs = [outs]
            env.update(zip(eqn.outvars, outs, strict=True))
        return [read(v) for v in jaxpr.outvars]

    def apply(self, eqn: Any, invals: list[Any]) -> Any:
        t = self.table
        name = eqn.primitive.name
        params = dict(eqn.params)
        if name in ("pjit", "jit"):
            closed = params["jaxpr"]
            fname = params.get("name", "")
            if fname in t.native and all(t.is_float(x) for x in invals):
                chosen = _choose_native(t, fname, closed)
                if chosen is not None:
                    self.natives.add(chosen[0])
                    out = chosen[1](*invals)
                    return list(out) if isinstance(out, tuple) else [out]
            return self.run(closed.jaxpr, closed.consts, invals)
        if name in _INLINED:
            sub = params.get("call_jaxpr") or params.get("fun_jaxpr") or params.get("jaxpr")
            if sub is None:
                raise UnsupportedPrimitive(name, "no inner jaxpr")
            if hasattr(sub, "jaxpr"):
                return self.run(sub.jaxpr, sub.consts, invals[: len(sub.jaxpr.invars)])
            return self.run(sub, (), invals[: len(sub.invars)])
        if name == "cond":
            index, *ops = invals
            branch = params["branches"][int(t.to_numpy(index))]
            return self.run(branch.jaxpr, branch.consts, ops)
        if name in t.unary:
            return t.unary[name](invals[0])
        if name in t.binary:
            return t.binary[name](*t.promote(*invals))
        if name in t.rules:
            return t.rules[name](*invals, **params)
        raise UnsupportedPrimitive(name)


def trace(ident: Any, arrays: Sequence[np.ndarray]) -> Any:
    """The closed jaxpr of ``ident.f`` at the shapes of ``arrays``."""
    import jax
    import jax.numpy as jnp

    return jax.make_jaxpr(ident.f)(*(jnp.asarray(a) for a in arrays))


def function(table: Table, ident: Any, arrays: Sequence[np.ndarray]) -> tuple[Callable[..., Any], set[str]]:
    """``ident.f`` as a function of the table's tensors, valid at the shapes of ``arrays``; and the set of
    native functions it calls (filled on first evaluation). Raises :class:`UnsupportedPrimitive`."""
    closed = trace(ident, arrays)
    interp = _Interpreter(table)
    consts = [table.const(c) for c in closed.consts]

    def f(*args: Any) -> Any:
        return interp.run(closed.jaxpr, consts, args)[0]

    # one plain evaluation first: the probes that choose native functions run outside any autodiff transform
    f(*(table.const(np.asarray(a, dtype=np.result_type(a, np.float64))) for a in arrays))
    return f, interp.natives
