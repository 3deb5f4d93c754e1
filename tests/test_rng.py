"""The per-test generator (tests/_rng.py) draws the same inputs under ``-k`` as in a full run, in any
order (issue 18 item 8): proved with pytest's own runner on a throw-away test module, run three ways."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

MODULE = """
import json, os

def _record(request, value):
    with open(os.environ["DRAWS"], "a") as f:
        f.write(json.dumps([request.node.name, value]) + "\\n")

def test_first(request, rng):
    _record(request, rng.uniform(size=3).tolist())

def test_second(request, rng):
    _record(request, rng.uniform(size=3).tolist())

def test_third(request, rng):
    _record(request, rng.normal(size=2).tolist())
"""


def _draws(tmp_path: Path, conftest: str, *args: str) -> dict[str, list[float]]:
    """Run pytest on the throw-away module with ``args``; each test's draws by test name."""
    (tmp_path / "conftest.py").write_text(conftest)
    (tmp_path / "test_draws.py").write_text(MODULE)
    out = tmp_path / "draws.jsonl"
    out.unlink(missing_ok=True)
    path = str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", "")
    # no plugins (hypothesis's costs a second per run): the fixture needs none
    env = dict(os.environ, DRAWS=str(out), PYTHONPATH=path, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path), *args]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return dict(json.loads(line) for line in out.read_text().splitlines())


def _same_under_k_and_reordering(tmp_path: Path, conftest: str) -> bool:
    full = _draws(tmp_path, conftest)
    assert set(full) == {"test_first", "test_second", "test_third"}
    alone = _draws(tmp_path, conftest, "-k", "second or third")
    reordered = _draws(tmp_path, conftest, "test_draws.py::test_third", "test_draws.py::test_second")
    return alone == {k: full[k] for k in alone} and reordered == {k: full[k] for k in reordered}


def test_the_rng_fixture_draws_the_same_under_k_and_in_another_order(tmp_path):
    assert _same_under_k_and_reordering(tmp_path, "from _rng import rng  # noqa: F401\n")


def test_a_shared_module_level_generator_would_fail_the_same_proof(tmp_path):
    """The control: the old pattern (one generator for the module) draws differently under -k."""
    shared = "import numpy as np, pytest\nRNG = np.random.default_rng(7)\n@pytest.fixture\ndef rng():\n    return RNG\n"
    assert not _same_under_k_and_reordering(tmp_path, shared)


def test_conftest_provides_the_per_test_fixture():
    """The suite's conftest hands out _rng.rng (not a shared generator of its own)."""
    import _rng
    import conftest

    assert conftest.rng is _rng.rng
