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

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "Native",
    "Table",
    "UnsupportedPrimitive",
    "dot_general_einsum",
    "evaluate",
    "function",
    "trace",
    "unsupported",
]

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
    # the control-flow primitives (of "scan", "while", "custom_linear_solve") interpreted by running their
    # inner jaxprs in Python (scan stacks with the table's "stack" rule): all three for NumPy; "scan" (a
    # fixed trip count, so the frameworks' autodiff, vmap included, sees a plain loop) for PyTorch and
    # TensorFlow, whose conformance reaches solves as native functions
    control_flow: frozenset[str] = frozenset()
    # cast each output to the jaxpr's dtype and check its shape: for a table whose operations promote
    # differently from JAX (NumPy); a wrong shape raises UnsupportedPrimitive
    exact_avals: bool = False
    # probe results: (table, call name, its jaxpr) -> the confirmed native function, or None
    _chosen: dict[tuple, Native | None] = field(default_factory=dict, compare=False, repr=False)
    # the printed jaxpr of each sub-program met, by object (printing one took 4 ms; the conformance subset
    # printed the same 48 programs 1495 times, 6 s); the program is kept, so its id is not reused
    _printed: dict[int, tuple[Any, str]] = field(default_factory=dict, compare=False, repr=False)


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
                (g := table.to_numpy(x)).shape == w.shape
                and g.dtype.kind == w.dtype.kind  # a complex log|det| where JAX's is real is another function
                and np.allclose(g, w, rtol=1e-8, atol=1e-10)
                for x, w in zip(got_l, want, strict=True)
            )
        except Exception:
            continue
        if ok:
            return label, fn
    return None


def _choose_native(table: Table, name: str, closed: Any) -> Native | None:
    jaxpr = closed.jaxpr
    if id(jaxpr) not in table._printed:
        table._printed[id(jaxpr)] = (jaxpr, str(jaxpr))
    sig = (name, table._printed[id(jaxpr)][1])  # the same name can hide different programs (norm's ord)
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
            if self.table.exact_avals:
                outs = [self._as_aval(eqn.primitive.name, x, v.aval) for x, v in zip(outs, eqn.outvars, strict=True)]
            env.update(zip(eqn.outvars, outs, strict=True))
        return [read(v) for v in jaxpr.outvars]

    def _as_aval(self, name: str, x: Any, aval: Any) -> Any:
        x = self.table.const(x) if not self.table.is_tensor(x) else x
        arr = self.table.to_numpy(x)
        if tuple(arr.shape) != tuple(aval.shape):
            raise UnsupportedPrimitive(name, f"gave shape {tuple(arr.shape)} where JAX's is {tuple(aval.shape)}")
        return self.table.const(arr.astype(aval.dtype, copy=False))

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
            branches = params["branches"]
            branch = branches[min(max(int(t.to_numpy(index)), 0), len(branches) - 1)]  # lax.switch clamps
            return self.run(branch.jaxpr, branch.consts, ops)
        if name in t.control_flow:
            return CONTROL_FLOW[name](self, invals, params)
        if name in t.unary:
            return t.unary[name](invals[0])
        if name in t.binary:
            return t.binary[name](*t.promote(*invals))
        if name in t.rules:
            return t.rules[name](*invals, **params)
        raise UnsupportedPrimitive(name)


def _custom_linear_solve(interp: _Interpreter, invals: list[Any], params: dict[str, Any]) -> list[Any]:
    # the primal is solve(matvec, b): the solve jaxpr on its constants and b (jax/_src/lax/control_flow/solves.py)
    n, solve = params["const_lengths"], params["jaxprs"].solve
    start = n.matvec + n.vecmat
    stop = start + n.solve
    b = invals[n.matvec + n.vecmat + n.solve + n.transpose_solve :]
    return interp.run(solve.jaxpr, solve.consts, [*invals[start:stop], *b])


def _while(interp: _Interpreter, invals: list[Any], params: dict[str, Any]) -> list[Any]:
    cond, body = params["cond_jaxpr"], params["body_jaxpr"]
    nc, nb = params["cond_nconsts"], params["body_nconsts"]
    cconsts, bconsts, carry = invals[:nc], invals[nc : nc + nb], list(invals[nc + nb :])
    for _ in range(1_000_000):
        if not bool(interp.table.to_numpy(interp.run(cond.jaxpr, cond.consts, [*cconsts, *carry])[0])):
            return carry
        carry = interp.run(body.jaxpr, body.consts, [*bconsts, *carry])
    raise UnsupportedPrimitive("while", "did not stop in 10^6 steps")


def _scan(interp: _Interpreter, invals: list[Any], params: dict[str, Any]) -> list[Any]:
    body, length, reverse = params["jaxpr"], params["length"], params["reverse"]
    nconsts, ncarry = params["num_consts"], params["num_carry"]
    consts, carry, xs = invals[:nconsts], list(invals[nconsts : nconsts + ncarry]), invals[nconsts + ncarry :]
    n_ys = len(body.jaxpr.outvars) - ncarry
    if n_ys and (length == 0 or "stack" not in interp.table.rules):
        raise UnsupportedPrimitive("scan", "stacking its outputs")
    ys: list[list[Any]] = []
    for step in range(length):
        i = length - 1 - step if reverse else step
        out = interp.run(body.jaxpr, body.consts, [*consts, *carry, *(x[i] for x in xs)])
        carry, y = list(out[:ncarry]), out[ncarry:]
        ys.append(y)
    if reverse:
        ys.reverse()
    stack = interp.table.rules.get("stack")
    return [*carry, *(stack(*(y[j] for y in ys), axis=0) for j in range(n_ys))]


CONTROL_FLOW: dict[str, Callable[[_Interpreter, list[Any], dict[str, Any]], list[Any]]] = {
    "custom_linear_solve": _custom_linear_solve,
    "while": _while,
    "scan": _scan,
}


def unsupported(table: Table, jaxpr: Any) -> str | None:
    """The first primitive of ``jaxpr`` (inner jaxprs included) that ``table`` cannot interpret, or None."""
    known = {*_table_names(table), "pjit", "jit", "cond", *_INLINED}
    known |= table.control_flow
    from jax.extend.core import jaxprs_in_params

    for eqn in jaxpr.eqns:
        if eqn.primitive.name not in known:
            return eqn.primitive.name
        for sub in jaxprs_in_params(eqn.params):  # cond's branches, scan's body, custom_linear_solve's solves
            bad = unsupported(table, sub)
            if bad:
                return bad
    return None


def _table_names(table: Table) -> set[str]:
    """The primitives a table translates itself."""
    return {*table.unary, *table.binary, *table.rules}


def evaluate(table: Table, f: Callable[..., Any], args: Sequence[Any]) -> Any:
    """``f(*args)`` computed with ``table``'s operations from ``f``'s jaxpr, the output as ``f``'s pytree.
    Raises :class:`UnsupportedPrimitive` before evaluating when a primitive has no translation."""
    import jax

    closed, shape = _traced(f, args)
    bad = unsupported(table, closed.jaxpr)
    if bad:
        raise UnsupportedPrimitive(bad)
    leaves = [table.const(np.asarray(a)) for a in jax.tree_util.tree_leaves(args)]
    out = _Interpreter(table).run(closed.jaxpr, [table.const(c) for c in closed.consts], leaves)
    return jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(shape), out)


# f -> {the arguments' signature: (closed jaxpr, output shapes)}, for functions taken to be pure, as jax.jit
# takes them. find evaluates each candidate at several draws of the same shapes (5308 evaluations in its coverage
# check); make_jaxpr's own cache still costs its argument processing per call: the check took 4.8 s, 3.7 s with
# this dictionary.
_TRACES: weakref.WeakKeyDictionary[Callable[..., Any], dict[Any, Any]] = weakref.WeakKeyDictionary()


def _traced(f: Callable[..., Any], args: Sequence[Any]) -> Any:
    """``jax.make_jaxpr(f, return_shape=True)(*args)``, remembered per function and argument signature."""
    import jax

    leaves, tree = jax.tree_util.tree_flatten(args)
    key = (tree, tuple((type(a), np.shape(a), np.result_type(a)) for a in leaves))  # a Python scalar is weakly typed
    try:
        per_f = _TRACES.setdefault(f, {})
    except TypeError:  # not weakly referenceable (a builtin, say): traced every time
        return jax.make_jaxpr(f, return_shape=True)(*args)
    if key not in per_f:
        per_f[key] = jax.make_jaxpr(f, return_shape=True)(*args)
    return per_f[key]


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
