"""Test configuration: strict JAX numerics and the hypothesis profiles.

Profiles (choose with IDENTITIES_PROFILE): ``default`` (fast, derandomized, CI) and ``thorough``
(many more examples, every size assignment).
"""

from __future__ import annotations

import atexit
import gc
import os
import random
import shutil
import tempfile

import pytest
from _rng import rng  # noqa: F401  (the per-test generator fixture)
from _support import PROFILE

# find's on-disk values (identities.find_store): a fresh directory per run, so that no run reads another's
# values and nothing is written to the user's cache; removed at exit (after the store's own flush).
_CACHE = tempfile.mkdtemp(prefix="identities-test-cache-")
os.environ["IDENTITIES_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

# XLA's persistent compilation cache, one per run: created by the first process (pytest-xdist's controller, or
# the only one), inherited through the environment by the workers and by the commands the tests start, and
# removed when that process exits. A program compiled again (the same HLO, options and XLA_FLAGS: JAX's cache
# key) is then read back, not recompiled: on another worker, in a child process, or from another jitted
# function of the same worker. Whole suite on 2 CPUs, fresh clone: 207.7 s -> 186.6 s wall, 359.5 -> 326.6 s
# user CPU. A run starts cold: no program from an earlier run is read. A cache the caller names
# (JAX_COMPILATION_CACHE_DIR, as CI shares one between its steps) is used as it is.
if not os.environ.get("JAX_COMPILATION_CACHE_DIR"):
    _XLA_CACHE = tempfile.mkdtemp(prefix="identities-test-xla-")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = _XLA_CACHE
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"
    atexit.register(shutil.rmtree, _XLA_CACHE, ignore_errors=True)

# Python's full (generation-2) garbage collections scan every object, and a worker's heap grows to 1-2.4 million
# (JAX's caches of traced and compiled programs, hypothesis', the collected tests): a full collection then
# takes 0.3-1.2 s. With the default thresholds a whole run made 23-25 per worker, 6.1 and 7.1 s (gc.callbacks);
# these thresholds leave full collections to the explicit calls (the young generations still collect cycles
# as usual; peak memory per worker: 3.7-4.8 GB in three runs, 4.0-4.7 GB before). What collection built is
# frozen, never scanned again.
gc.set_threshold(700, 10, 1000)


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """One full collection after the last test, which runs the finalizers of what the tests left in cycles
    (pytest's unraisable-exception hook, still installed, reports what they raise), then freeze: pytest's own
    two full collections at unconfigure then scan nothing (they took 2.4 s per worker after the last test)."""
    gc.collect()
    gc.freeze()


def _worker_exit() -> None:
    """A pytest-xdist worker ends here, once it has sent its results and the controller has told it to stop:
    the handlers registered after this one have run (find's store flush, TensorFlow's, PyTorch's), this run's
    cache directory is removed, and the process leaves without JAX's own exit handler and the interpreter's
    teardown, which free every compiled program one by one (py-spy: jax's clean_up -> clear_backends ->
    ~CpuExecutable). The controller waited 8.3 s for its workers to do that after the last test (the whole
    suite on 2 CPUs), time in which nothing is checked. Its exit status is unused: results travel as messages."""
    from identities.parallel import exit_now

    shutil.rmtree(_CACHE, ignore_errors=True)
    exit_now()


def _fast_xla() -> bool:
    """The default profile compiles every XLA program of the run (and of the commands it starts) with the
    options that verify and check() already use (identities.verify.FAST_COMPILE: no LLVM optimisation, classic
    emitters): the same HLO, two fifths of the compile time (tests/test_layout.py: 811 compiles, 23.4 s -> 9.1 s).
    The thorough profile, and IDENTITIES_TEST_XLA=default, keep XLA's defaults, which CI's verify, conformance,
    special-cases and bench steps use too."""
    return PROFILE != "thorough" and os.environ.get("IDENTITIES_TEST_XLA", "fast") != "default"


def _runs_no_tests(config: pytest.Config) -> bool:
    """pytest-xdist's controller: it hands the tests to its workers and never imports JAX, identities or
    hypothesis, so that the workers, started once its plugins are configured, start sooner."""
    dist = getattr(config.option, "dist", "no") != "no" and bool(getattr(config.option, "tx", None))
    return dist and not hasattr(config, "workerinput") and not config.getoption("collectonly")


def _prepare_test_process() -> None:
    """What a process that runs tests needs before it collects them: XLA's options (read when JAX starts its
    backend, which nothing has done yet), strict JAX numerics, the catalog, the hypothesis profiles."""
    if _fast_xla():
        from identities.verify import fast_compile_flags

        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {fast_compile_flags()}".strip()
    import jax
    from hypothesis import HealthCheck, settings

    import identities  # noqa: F401  (registers the catalog, enables x64)

    if os.environ.get("PYTEST_XDIST_WORKER"):
        atexit.register(_worker_exit)  # after jax's clean_up, so before it (atexit runs last-registered first)

    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_numpy_rank_promotion", "raise")
    jax.config.update("jax_numpy_dtype_promotion", "strict")

    # print_blob: a failure prints @reproduce_failure(...), which replays the failing example exactly (the
    # printed arrays are rounded); hypothesis also prints the seed of a non-derandomized run (--hypothesis-seed).
    common = dict(
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    settings.register_profile("default", max_examples=8, derandomize=True, **common)
    settings.register_profile("thorough", max_examples=200, derandomize=False, **common)
    settings.load_profile(PROFILE)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """--compile-counts runs in one process (no pytest-xdist workers). The thorough profile draws at random:
    fix its seed up front (IDENTITIES_SEED, or a fresh one) and hand it to hypothesis, so that the header can
    say how to replay the whole run. Then a process that runs tests is prepared for them."""
    if config.getoption("compile_counts", False) and getattr(config.option, "dist", "no") != "no":
        config.option.dist, config.option.numprocesses = "no", 0  # the counts are taken in one process
    if PROFILE == "thorough" and config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = os.environ.get("IDENTITIES_SEED") or str(random.SystemRandom().randrange(2**32))
        # pytest-xdist's workers parse the command line again but inherit the environment: one seed for all
        os.environ["IDENTITIES_SEED"] = str(config.option.hypothesis_seed)
    if not _runs_no_tests(config):
        _prepare_test_process()


# pytest-xdist's work units (--dist loadfile, --no-loadscope-reorder in pyproject.toml), in decreasing order of
# time: each worker is given the next unit when it is free, so a long one left to the end keeps one worker busy
# while the other idles. A unit is one module, or modules that compile many of the same programs and so share
# them on one worker (hashes of the programs each worker compiled, whole run: 925 compiled on both workers, 19 s
# of compiling; the pairs below share the counts given). Seconds measured in whole runs on 2 CPUs; modules not
# named here take under 5 s each and follow, one unit each, in file order.
UNITS: tuple[tuple[str, ...], ...] = (
    ("test_catalog.py",),  # 65 s
    (  # 70 s: every framework at the special points
        "test_conformance.py",
        "test_special_points.py",  # 174 programs in common with test_special_cases_doc, 30 with test_conformance
        "test_special_cases_doc.py",
        "test_tensorflow.py",  # 91 with test_torch, 48 with test_conformance
        "test_torch.py",
        "test_complex_doc.py",  # 39 with test_conformance
        "test_frameworks.py",  # the only other module that imports TensorFlow (tests/_support.py DeferredModule)
    ),
    (  # 60 s: closed forms evaluated op by op
        "test_layout.py",  # 172 with test_numpy_table, 57 test_wirtinger, 43 test_mc_b, 28 test_thorough_regressions
        "test_numpy_table.py",
        "test_wirtinger.py",
        "test_mc_b.py",
        "test_thorough_regressions.py",
        "test_conventions.py",
        "test_robustness.py",  # 34 with test_layout
    ),
    ("test_docs_site.py",),  # 38 s
    ("test_bench.py",),  # 32 s
    ("test_negative_controls.py",),  # 13 s
    ("test_cli_fuzz.py",),  # 12 s
    ("test_parallel.py",),  # 11 s
    ("test_find_coverage.py",),  # 7 s
    ("test_find_store.py",),  # 6 s
    ("test_mc_a.py",),  # 6 s
    ("test_breadth_c.py",),  # 5 s
)
_UNIT_OF = {module: k for k, unit in enumerate(UNITS) for module in unit}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: _UNIT_OF.get(item.path.name, len(UNITS)))  # stable: the rest keep their order


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """--dist loadfile (the default, pyproject.toml) with UNITS: a unit's modules go to one worker together."""
    if getattr(config.option, "dist", "no") != "loadfile":
        return None  # another --dist given on the command line: pytest-xdist's own
    from xdist.scheduler import LoadScopeScheduling

    class Units(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            k = _UNIT_OF.get(module.rsplit("/", 1)[-1])
            return module if k is None else f"unit {k}"

    return Units(config, log)


def pytest_report_header(config: pytest.Config) -> list[str]:
    seed = config.getoption("hypothesis_seed", None)
    lines = [f"XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}"]
    if _runs_no_tests(config) and _fast_xla():
        lines[0] += ", and in the workers identities.verify.FAST_COMPILE's options"
    if PROFILE == "thorough":
        lines.append(
            f"thorough profile, hypothesis seed {seed}: replay with IDENTITIES_SEED={seed} (or --hypothesis-seed={seed})"
        )
    return lines


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
