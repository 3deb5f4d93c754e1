"""Derivatives with one term of the product or sum rule missing, for diagnosing "a dropped term".

A derivative computed by hand often forgets one application of the product rule (d(uv) = du·v + u·dv
written as du·v) or one summand. Both mistakes are "the derivative with one operand held constant" at
an operation whose operands both depend on the variable. :func:`partial_jacobians` traces ``f`` with
JAX, finds every such operation (inside nested ``jit`` calls too) and returns, for each of its
variable-dependent operands, JAX's Jacobian with that operand's gradient stopped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

MAX_SITES = 40  # operations examined; enough for the catalog's functions, bounded for large programs


def _is_literal(v: Any) -> bool:
    from jax.extend.core import Literal

    return isinstance(v, Literal)


def _sub(eqn: Any) -> Any:
    """The inlined jaxpr of a ``jit`` call, or None for any other equation."""
    if eqn.primitive.name in ("pjit", "jit") and "jaxpr" in eqn.params:
        return eqn.params["jaxpr"]
    return None


def _sites(jaxpr: Any, dep_in: Sequence[bool], path: tuple[int, ...] = ()) -> tuple[list[tuple], list[bool]]:
    """(site path, operand index, description) for operations with 2+ dependent operands; output deps."""
    from jax._src import source_info_util

    dep: dict[Any, bool] = {v: d for v, d in zip(jaxpr.invars, dep_in, strict=True)}
    sites: list[tuple] = []

    def isdep(v: Any) -> bool:
        return (not _is_literal(v)) and dep.get(v, False)

    for i, eqn in enumerate(jaxpr.eqns):
        ins = [isdep(v) for v in eqn.invars]
        sub = _sub(eqn)
        if sub is not None:
            inner, outs = _sites(sub.jaxpr, ins, (*path, i))
            sites += inner
        else:
            outs = [any(ins)] * len(eqn.outvars)
            if sum(ins) >= 2 and eqn.primitive.name not in ("select_n",):
                where = source_info_util.summarize(eqn.source_info)
                for k, d in enumerate(ins):
                    if d:
                        sites.append(((*path, i), k, f"operand {k + 1} of `{eqn.primitive.name}` ({where})"))
        for v, d in zip(eqn.outvars, outs, strict=True):
            dep[v] = d
    return sites, [isdep(v) for v in jaxpr.outvars]


def _evaluate(jaxpr: Any, consts: Sequence[Any], args: Sequence[Any], stop: tuple, path: tuple[int, ...] = ()) -> list:
    from jax import lax

    env: dict[Any, Any] = dict(zip(jaxpr.constvars, consts, strict=True))
    env.update(zip(jaxpr.invars, args, strict=True))

    def read(v: Any) -> Any:
        return v.val if _is_literal(v) else env[v]

    for i, eqn in enumerate(jaxpr.eqns):
        p = (*path, i)
        invals = [read(v) for v in eqn.invars]
        sub = _sub(eqn)
        if sub is not None:
            outs = _evaluate(sub.jaxpr, sub.consts, invals, stop, p)
        else:
            if stop[0] == p:
                invals[stop[1]] = lax.stop_gradient(invals[stop[1]])
            outs = eqn.primitive.bind(*invals, **eqn.primitive.get_bind_params(eqn.params))
            if not eqn.primitive.multiple_results:
                outs = [outs]
        env.update(zip(eqn.outvars, outs, strict=True))
    return [read(v) for v in jaxpr.outvars]


def partial_jacobians(f: Callable[..., Any], args: Sequence[np.ndarray], w: int) -> list[tuple[str, np.ndarray]]:
    """For each operand of a product or sum that depends on argument ``w``: (its description, the Jacobian
    of ``f`` by argument ``w`` with that operand held constant), in JAX layout."""
    import jax.numpy as jnp

    jargs = [jnp.asarray(a) for a in args]
    try:
        hash(f)
        build = _program
    except TypeError:  # a callable object without a hash: its program is built for this call only
        build = _program.__wrapped__
    labels, program = build(f, w, tuple((a.shape, a.dtype) for a in jargs))
    if not labels:
        return []
    return [(label, np.asarray(j)) for label, j in zip(labels, program(*jargs), strict=True)]


@functools.lru_cache(maxsize=64)
def _program(f: Callable[..., Any], w: int, avals: tuple[tuple[tuple[int, ...], Any], ...]) -> tuple[list[str], Any]:
    """The sites' descriptions and one compiled program returning every site's Jacobian, for ``f`` at
    arguments of these shapes and dtypes. Op by op, the Jacobians dispatched and compiled each primitive at
    each batched shape: for the catalog's real identities at their first size assignment, 151 s op by op
    against 76 s with one program per identity (one process, the same values to 1e-12 relative)."""
    import jax

    from .verify import FAST_COMPILE

    closed = jax.make_jaxpr(f)(*(jax.ShapeDtypeStruct(s, d) for s, d in avals))
    if len(closed.jaxpr.outvars) != 1:
        return [], None
    sites = _sites(closed.jaxpr, [k == w for k in range(len(avals))])[0][:MAX_SITES]

    def jacobians(*call: Any) -> list[Any]:
        out = []
        for path, k, _ in sites:

            def g(x: Any, path: tuple = path, k: int = k) -> Any:
                return _evaluate(closed.jaxpr, closed.consts, [*call[:w], x, *call[w + 1 :]], (path, k))[0]

            out.append(jax.jacobian(g)(call[w]))
        return out

    return [label for _, _, label in sites], jax.jit(jacobians, compiler_options=FAST_COMPILE)
