"""Shared helpers of the test suite."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import identities

PROFILE = os.environ.get("IDENTITIES_PROFILE", "default")


def sized_params() -> list:
    """(identity, sizes) pairs: the first size assignment by default, all of them when thorough."""
    import identities

    out = []
    for ident in identities.catalog():
        assignments = ident.size_assignments()
        for k, sizes in enumerate(assignments if PROFILE == "thorough" else assignments[:1]):
            out.append(pytest.param(ident, sizes, id=f"{ident.id}[{k}]"))
    return out


@contextlib.contextmanager
def planted_identity(closed_form, *, name: str = "planted_square") -> Iterator[identities.Identity]:
    """Register ``tests.<module>.<name>``: the gradient of xᵀx with the given closed form (right: ``2 * x``;
    wrong: anything else), so the command line can be run on it; it is taken out of the registry after."""
    import jax.numpy as jnp

    from identities._core import REGISTRY, Tex, identity, mml

    def planted(x):
        return closed_form(x)

    planted.__name__, planted.__module__ = name, closed_form.__module__
    ident = identity(
        f=lambda x: jnp.sum(x**2),
        wrt="x",
        shapes={"x": "n"},
        tex=Tex(f="x^\\top x", num="2x^\\top", den="2x"),
        sources=[mml("planted by the test suite")],
    )(planted)
    try:
        yield ident
    finally:
        REGISTRY.remove(ident.id)


class DeferredModule:
    """A module imported when a test first uses one of its attributes, not when its test module is collected.

    For TensorFlow and PyTorch (4 s of imports together): every pytest-xdist worker collects every module,
    and only the worker that runs their tests needs them. A missing module skips the test that uses it, with
    ``reason``, as ``pytest.importorskip`` at collection would skip its whole module."""

    def __init__(self, name: str, reason: str | None = None) -> None:
        self._name, self._reason, self._module = name, reason, None

    def __getattr__(self, attr: str) -> object:
        if attr.startswith("_"):  # what collection asks of every module global (__test__, pytestmark's kin)
            raise AttributeError(attr)
        if self._module is None:
            self._module = pytest.importorskip(self._name, reason=self._reason)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        return f"<deferred import of {self._name}>"


# JAX's monitoring event for one jaxpr lowered to an MLIR module (jax._src.dispatch.JAXPR_TO_MLIR_MODULE_EVENT)
_LOWERED = "/jax/core/compile/jaxpr_to_mlir_module_duration"


@contextlib.contextmanager
def counting_lowerings() -> Iterator[list[str]]:
    """The programs JAX lowers inside the block (one entry each), through jax.monitoring. The event is first
    checked to be still JAX's (once per process), or a count would be a vacuous zero."""
    import jax.monitoring

    _check_lowering_event()
    seen: list[str] = []

    def listen(event: str, duration: float, **kwargs: object) -> None:
        if event == _LOWERED:
            seen.append(event)

    jax.monitoring.register_event_duration_secs_listener(listen)
    try:
        yield seen
    finally:
        jax.monitoring.unregister_event_duration_listener(listen)


@functools.cache
def _check_lowering_event() -> None:
    """A fresh jitted function, lowered, must report the event."""
    import jax
    import jax.monitoring
    import jax.numpy as jnp

    events: list[str] = []

    def listen(event: str, duration: float, **kwargs: object) -> None:
        events.append(event)

    jax.monitoring.register_event_duration_secs_listener(listen)
    try:
        jax.jit(lambda x: jnp.sin(x) + 1.25).lower(jnp.zeros(3))
    finally:
        jax.monitoring.unregister_event_duration_listener(listen)
    assert _LOWERED in events, f"JAX no longer reports {_LOWERED}: counting_lowerings cannot count"


@contextlib.contextmanager
def not_written_to_the_cache() -> Iterator[None]:
    """Programs compiled inside the block are not written to the run's XLA cache (tests/conftest.py): for
    programs nothing else in the run compiles. Writing one serializes and compresses it: test_catalog's real
    group programs and test_bench's largest-size programs took 4.1 s of CPU to write (-n 0), and of the 625
    entries those tests wrote in a whole run 12 were read back, 2 of them complex catalog programs, which
    are still written (a pytest plugin wrapping JAX's cache read and write)."""
    _check_cache_option()
    with _cache_writes_off():
        yield


_MIN_COMPILE_TIME = "jax_persistent_cache_min_compile_time_secs"


@contextlib.contextmanager
def _cache_writes_off() -> Iterator[None]:
    import jax

    before = getattr(jax.config, _MIN_COMPILE_TIME)
    jax.config.update(_MIN_COMPILE_TIME, float("inf"))  # JAX writes an entry only if it took this long to compile
    try:
        yield
    finally:
        jax.config.update(_MIN_COMPILE_TIME, before)


@functools.cache
def _check_cache_option() -> None:
    """A program compiled with writes off is not in the cache afterwards (a fresh jit of it misses), and one
    compiled with writes on is (it hits); else not_written_to_the_cache would silently do nothing, or more."""
    import secrets

    import jax
    import jax.monitoring
    import jax.numpy as jnp

    if not os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return  # no cache in use: nothing is written either way
    c = float(secrets.randbits(52))  # a program no run compiled before

    def compile_fresh() -> list[str]:
        events: list[str] = []

        def listen(event: str, **kwargs: object) -> None:
            events.append(event)

        jax.monitoring.register_event_listener(listen)
        try:
            jax.jit(lambda x: jnp.cos(x) * c).lower(jnp.zeros(2)).compile()
        finally:
            jax.monitoring.unregister_event_listener(listen)
        return events

    with _cache_writes_off():
        compile_fresh()
    assert "/jax/compilation_cache/cache_misses" in compile_fresh(), "JAX wrote the cache with writes off"
    assert "/jax/compilation_cache/cache_hits" in compile_fresh(), f"JAX no longer writes or reads its cache ({c})"
