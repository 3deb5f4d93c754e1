"""Test configuration: strict JAX numerics and the hypothesis profiles.

Profiles (choose with IDENTITIES_PROFILE): ``default`` (fast, derandomized, CI) and ``thorough``
(many more examples, every size assignment).
"""

from __future__ import annotations

import atexit
import os
import random
import shutil
import tempfile

import jax
import pytest
from _rng import rng  # noqa: F401  (the per-test generator fixture)
from hypothesis import HealthCheck, settings

# find's on-disk values (identities.find_store): a fresh directory per run, so that no run reads another's
# values and nothing is written to the user's cache; removed at exit (after the store's own flush).
_CACHE = tempfile.mkdtemp(prefix="identities-test-cache-")
os.environ["IDENTITIES_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

import identities  # noqa: E402, F401  (registers the catalog, enables x64)

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")

# print_blob: a failure prints @reproduce_failure(...), which replays the failing example exactly (the
# printed arrays are rounded); hypothesis also prints the seed of a non-derandomized run (--hypothesis-seed).
_common = dict(
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("default", max_examples=8, derandomize=True, **_common)
settings.register_profile("thorough", max_examples=200, derandomize=False, **_common)
PROFILE = os.environ.get("IDENTITIES_PROFILE", "default")
settings.load_profile(PROFILE)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """The thorough profile draws at random: fix its seed up front (IDENTITIES_SEED, or a fresh one) and
    hand it to hypothesis, so that the header can say how to replay the whole run."""
    if PROFILE == "thorough" and config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = os.environ.get("IDENTITIES_SEED") or str(random.SystemRandom().randrange(2**32))


def pytest_report_header(config: pytest.Config) -> str | None:
    seed = config.getoption("hypothesis_seed", None)
    if PROFILE == "thorough":
        return f"thorough profile, hypothesis seed {seed}: replay with IDENTITIES_SEED={seed} (or --hypothesis-seed={seed})"
    return None


# --- where the time goes: XLA compiles and CPU seconds per test module (--compile-counts) -------------------
_COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"
_counts: dict[str, list[float]] = {}  # module -> [compiles, compile seconds, CPU seconds]
_current = ["(collection)"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--compile-counts",
        action="store_true",
        help="report XLA compiles, their seconds and CPU seconds per test module (what makes the run slow)",
    )


def _on_duration(event: str, seconds: float, **kwargs: object) -> None:
    if event == _COMPILE_EVENT:
        row = _counts.setdefault(_current[0], [0, 0.0, 0.0])
        row[0] += 1
        row[1] += seconds


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    if session.config.getoption("compile_counts"):
        import jax.monitoring

        jax.monitoring.register_event_duration_secs_listener(_on_duration)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    if not item.config.getoption("compile_counts"):
        yield
        return
    import time

    _current[0] = item.nodeid.split("::")[0]
    t0 = time.process_time()
    yield
    _counts.setdefault(_current[0], [0, 0.0, 0.0])[2] += time.process_time() - t0


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not config.getoption("compile_counts") or not _counts:
        return
    tr = terminalreporter
    tr.section("XLA compiles and CPU seconds per module")
    rows = sorted(_counts.items(), key=lambda kv: -kv[1][2])
    for module, (n, secs, cpu) in rows:
        tr.write_line(f"{cpu:8.1f} s CPU {int(n):6d} compiles {secs:8.1f} s compiling (wall)  {module}")
    total = [sum(r[k] for r in _counts.values()) for k in range(3)]
    tr.write_line(f"{total[2]:8.1f} s CPU {int(total[0]):6d} compiles {total[1]:8.1f} s compiling (wall)  (all)")
