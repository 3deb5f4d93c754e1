"""CI's framework-dependent checks on more kernel paths than this machine's default (called by .ci/run,
after the default run).

At a delicate point (an exact zero pivot, a tie, an underflow) what a framework returns can depend on the
instructions its kernels use; every expectation the suite states there must hold on each path. Which
paths differ from this machine's own depends on its CPU: ``identities.kernels.plan`` derives them from the
default path measured here and the CPU's flags. On the first path, which emulates the other vendor's
machine, the whole README test command runs; on each other path the conformance report, the special-cases
page check and the framework tests run. Each path is checked to be in force (``identities.kernels
--expect``), so a knob that stops working fails the run instead of repeating the default under another
name. A path this CPU cannot run is printed as skipped, with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from identities import kernels  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
FRAMEWORK_TESTS = [
    "tests/test_conformance.py",
    "tests/test_frameworks.py",
    "tests/test_torch.py",
    "tests/test_tensorflow.py",
    "tests/test_special_points.py",
    "tests/test_special_cases_doc.py",
    "tests/test_kernel_paths.py",
    "tests/test_numpy_table.py",  # NumPy's LAPACK (find's evaluator) against JAX's on every catalog identity
    "tests/test_complex_doc.py",  # measured complex conventions
]


def run(cmd: list[str], env: dict[str, str], log: str | None = None) -> None:
    """Run one step; on failure print its output (when captured) and stop CI with its exit code."""
    if log is None:
        rc = subprocess.run(cmd, env=env, cwd=ROOT).returncode
    else:
        with open(log, "w") as fh:
            rc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT).returncode
        lines = Path(log).read_text().splitlines()
        print("\n".join(lines if rc else lines[-3:]), flush=True)
    if rc:
        print(f"error: {' '.join(cmd)} exited {rc}", file=sys.stderr)
        raise SystemExit(rc)


def main(argv: list[str]) -> int:
    """Run every path of this machine's plan (``--dry-run``: print the plan only)."""
    shims = Path(tempfile.mkdtemp())
    try:
        return run_plan(shims, argv)
    finally:
        shutil.rmtree(shims, ignore_errors=True)


def run_plan(shims: Path, argv: list[str]) -> int:
    """Build the MKL shims into ``shims``, measure the default path, plan, and run each path."""
    for name in ("mkl_intel_dispatch", "mkl_generic_dispatch"):
        subprocess.run(
            ["gcc", "-shared", "-fPIC", "-O2", "-o", str(shims / f"lib{name}.so"), str(ROOT / ".ci" / f"{name}.c")],
            check=True,
        )
    # XLA's compilation cache is keyed on its flags only in part: no shared cache for these runs.
    base = dict(os.environ)
    base.pop("JAX_COMPILATION_CACHE_DIR", None)
    base.pop("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", None)
    out = subprocess.run(
        [PY, "-m", "identities.kernels", "--json", "--tensorflow"],
        env=base | {"TF_CPP_MIN_LOG_LEVEL": "2"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    default = json.loads(out.stdout.strip().splitlines()[-1])
    flags = kernels.cpu_flags()
    the_plan = kernels.plan(
        default,
        flags,
        str(shims / "libmkl_intel_dispatch.so"),
        str(shims / "libmkl_generic_dispatch.so"),
        os.environ,
    )
    print(f"== default kernel path: {default}; MKL can run up to {kernels.mkl_ceiling(flags)} here", flush=True)
    for name, why in the_plan.skipped:
        print(f"== kernel path {name}: skipped, {why}", flush=True)
    for path in the_plan.paths:
        if "--dry-run" in argv:
            print(f"   {path.name}: {path.env} expect {path.expect}{' (whole suite)' if path.whole_suite else ''}")
            continue
        env = base | path.env
        shown = " ".join(f"{k}={v}" for k, v in path.env.items())
        print(f"== kernel path {path.name}{' (' + path.why + ')' if path.why else ''}: {shown}", flush=True)
        run([PY, "-m", "identities.kernels", "--expect", *(f"{k}={v}" for k, v in path.expect.items())], env)
        run([PY, "-m", "identities", "conformance"], env, log=f"/tmp/identities-conformance-{path.name}.txt")
        run([PY, "-m", "identities", "special-cases", "--check", "docs/special-cases.md"], env)
        tests = [] if path.whole_suite else FRAMEWORK_TESTS
        run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests], env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
