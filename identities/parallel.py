"""Work done a family at a time, in one worker process per CPU: how ``verify`` and ``docs build`` verify.

A family's identities are verified by one compiled program per round of inputs
(:func:`identities.verify.verify_batch`), so the unit of work is the family (or a part of a large one);
these groups go to a pool of
``spawn``-ed processes (JAX is multithreaded: never fork it), the costliest first (:func:`cost`). A worker
imports the package and looks identities up by id, so any family in the registry works without change.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from typing import Any, TypeVar

from ._core import Identity

T = TypeVar("T")


# The largest group compiled as one program. XLA's compile time grows faster than the program's size: the 38
# identities of `giles`, every size, 3 examples (verify_family in one process, CPU time on a loaded machine)
# took 16.3 s as one group, 13.6 s as groups of 12, 13.7 s as groups of 4, 14.6 s one by one. Smaller
# groups also share the work out more evenly between the workers.
MAX_GROUP = 12


# A group's verification time is mostly XLA compiling f's autodiff programs, which grows with f's program.
# Serial verify on 2026-12-06 (seconds, size of f's jaxprs over the size assignments): logm 30.5 s (8648
# equations, 2 identities), sqrtm 9.1 (3252), giles 8.3 (2380), trace 6.0 (1462), det 4.4 (1342); ordered by
# identity count, logm's 30 s started last and ran alone at the end.
BASE_COST = 50  # equations: what any identity costs (its checks, its closed form)


@functools.cache
def cost(ident: Identity) -> int:
    """The estimated cost of verifying ``ident``: the equations of f's jaxpr (inner jaxprs included) at its
    first size assignment, plus :data:`BASE_COST`, times its number of size assignments. Tracing is cheap
    (0.6 s for the whole catalog); a function that does not trace costs :data:`BASE_COST`."""
    import jax
    from jax.extend.core import jaxprs_in_params

    def count(jaxpr: Any) -> int:
        return sum(1 + sum(count(sub) for sub in jaxprs_in_params(eqn.params)) for eqn in jaxpr.eqns)

    sizes = ident.size_assignments()
    shapes = ident.arg_shapes(sizes[0])
    try:
        specs = [jax.ShapeDtypeStruct(shapes[a], ident.dtype(a)) for a in ident.argnames]
        eqns = count(jax.make_jaxpr(ident.f)(*specs).jaxpr)
    except Exception:  # a function that needs concrete values to trace: the base cost
        eqns = 0
    return (eqns + BASE_COST) * len(sizes)


def family_groups(idents: Iterable[Identity], max_group: int = MAX_GROUP) -> list[list[Identity]]:
    """The identities grouped by family (each once, in the given order within a family), a family of more
    than ``max_group`` split into near-equal parts, in the order of the families; :func:`costliest_first`
    orders them for the workers."""
    families: dict[str, list[Identity]] = {}
    seen: set[str] = set()
    for ident in idents:
        if ident.id not in seen:
            seen.add(ident.id)
            families.setdefault(ident.family, []).append(ident)
    groups = []
    for members in families.values():
        parts = -(-len(members) // max_group)
        size, extra = divmod(len(members), parts)  # the first `extra` parts get one more
        start = 0
        for k in range(parts):
            end = start + size + (k < extra)
            groups.append(members[start:end])
            start = end
    return groups


def costliest_first(groups: Iterable[list[Identity]]) -> list[list[Identity]]:
    """``groups`` ordered by :func:`cost`, the costliest first, so that a small but slow family does not
    start last and run alone at the end. It traces every function (0.6 s for the catalog): run it while
    the workers of :func:`worker_pool` start."""
    return sorted(groups, key=lambda g: (sum(cost(i) for i in g), len(g)), reverse=True)


def job_count(jobs: int | None, groups: Sequence[Sequence[Any]]) -> int:
    """Worker processes for ``groups``: ``jobs`` (default one per CPU), at most one per group, and one (in
    this process) for fewer than 4 identities, where starting a worker (importing JAX) costs more than it saves."""
    n = jobs if jobs is not None else (os.cpu_count() or 1)
    total = sum(len(g) for g in groups)
    return max(1, min(n, len(groups), total // 4 or 1))


@contextlib.contextmanager
def worker_pool(jobs: int, module: str = "identities") -> Iterator[Executor | None]:
    """``jobs`` worker processes for :func:`run_groups`, started at once: each imports ``module`` (JAX and
    the catalog, about a second) while this process goes on, e.g. with :func:`costliest_first`. None for
    ``jobs <= 1``: the work runs in this process."""
    if jobs <= 1:
        yield None
        return
    import importlib
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_leave_without_teardown) as pool:
        for _ in range(jobs):  # a task each: a spawn pool starts a worker per task until it has `jobs`
            pool.submit(importlib.import_module, module)
        yield pool


def run_groups(
    work: Callable[..., T],
    groups: Sequence[Sequence[str]],
    args: tuple[Any, ...] = (),
    jobs: int = 1,
    on_result: Callable[[int, T], None] = lambda k, r: None,
    fallback: Callable[..., T] | None = None,
    pool: Executor | None = None,
) -> None:
    """Run ``work(ids, *args)`` for every group of identity ids and hand each result to
    ``on_result(index, result)`` as it arrives (in completion order). ``work`` must be a module-level
    function (it is pickled to the workers). The work runs in ``pool`` (from :func:`worker_pool`), else in
    ``jobs`` workers of a pool of its own, or in this process with ``jobs == 1``.

    If a worker dies or ``work`` raises for a group, ``fallback(ids, *args)`` (in a worker: default ``work``
    again) is run for that group in this process, so that a crash is reported against the identities that
    caused it instead of ending the whole run."""
    if pool is None and jobs > 1:
        with worker_pool(jobs) as own:
            run_groups(work, groups, args, on_result=on_result, fallback=fallback, pool=own)
        return
    if pool is None:
        for k, ids in enumerate(groups):
            try:
                result = work(list(ids), *args)
            except Exception:
                if fallback is None:
                    raise
                result = fallback(list(ids), *args)
            on_result(k, result)
        return
    from concurrent.futures import as_completed

    failed: list[int] = []
    futures = {pool.submit(work, list(ids), *args): k for k, ids in enumerate(groups)}
    for fut in as_completed(futures):
        k = futures[fut]
        try:
            result = fut.result()
        except Exception:  # a dead worker (BrokenProcessPool) or an error outside the identities' own code
            failed.append(k)
            continue
        on_result(k, result)
    for k in failed:
        on_result(k, (fallback or work)(list(groups[k]), *args))


def exit_now() -> None:
    """Leave the process at once, its output flushed: no further exit handlers, no interpreter teardown. JAX's
    exit handler and the teardown free every compiled program one by one (py-spy: clear_backends ->
    ~CpuExecutable), seconds a parent spends waiting for its worker processes to end."""
    import os
    import sys

    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0)


def _leave_without_teardown() -> None:
    """A pool worker's first act: its results are sent before it exits, so it exits with :func:`exit_now`."""
    import atexit

    atexit.register(exit_now)  # after jax's (imported with this module's package): run before it
