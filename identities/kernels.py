"""The floating-point kernel path in force: which instructions each numerical library runs on this process.

At a delicate point (an exact zero pivot, a tie, an underflow) a framework's answer can depend on the
kernel path, so the conformance report names it, and CI runs the framework-dependent checks on several
(``.ci/kernel_paths.py``). The knobs, each measured here to change the path (docs/framework-findings.md):

- **MKL** (PyTorch's BLAS and LAPACK): ``MKL_ENABLE_INSTRUCTIONS`` caps the instruction set, but MKL
  honours it only on a CPU it recognises as Intel's; elsewhere it runs its generic path whatever is set.
  ``.ci/mkl_intel_dispatch.c``, preloaded, makes MKL take its Intel dispatch on any x86-64 CPU.
- **OpenBLAS** (NumPy's and SciPy's, and so JAX's LAPACK calls on the CPU): ``OPENBLAS_CORETYPE``.
- **XLA's CPU backend** (JAX's own kernels): ``XLA_FLAGS=--xla_cpu_max_isa=SSE4_2`` (or ``AVX``,
  ``AVX2``, ...); below AVX2 it emits no fused multiply-add, so ``a*b - c`` rounds twice.
- **TensorFlow**: its float64 linear algebra runs its own Eigen kernels (built without FMA);
  ``TF_ENABLE_ONEDNN_OPTS=0``/``1`` switches its oneDNN kernels off/on (its default depends on the CPU:
  off on the AMD EPYC of earlier sessions, on on the Intel Xeon of 2026-12-06).

Which paths differ from a machine's own depends on its CPU, so :func:`plan` derives CI's list from the
default path measured on the machine and the CPU's flags: one path that emulates another vendor's machine
(the whole test suite runs there) and one path per remaining knob (the framework checks run there).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# mkl_serv_cpu_detect()'s codes, as measured on this project's machines with MKL 2024.2 (torch 2.13.0):
# 0 with MKL on its generic path (a CPU not recognised as Intel's), 3 with MKL_ENABLE_INSTRUCTIONS=SSE4_2,
# 5 with AVX2 and 7 with AVX512 under the Intel dispatch. Other codes are printed as numbers.
_MKL_CODES = {0: "generic", 3: "SSE4_2", 5: "AVX2", 7: "AVX512"}


def mkl_path() -> str:
    """The instruction set MKL dispatches to inside PyTorch, or why it cannot be told."""
    try:
        import torch
    except ImportError:
        return "absent (no PyTorch)"
    lib = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    try:
        detect = ctypes.CDLL(str(lib)).mkl_serv_cpu_detect
    except (OSError, AttributeError):
        return "unknown (PyTorch without MKL's service symbols)"
    torch.linalg.det(torch.eye(2, dtype=torch.float64))  # MKL picks its path on its first call
    code = int(detect())
    return _MKL_CODES.get(code, f"code {code}")


def openblas_path() -> str:
    """The OpenBLAS core type NumPy's BLAS runs (threadpoolctl reads it from the library)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return os.environ.get("OPENBLAS_CORETYPE", "unknown (threadpoolctl is not installed)")
    import numpy  # noqa: F401  (loads its OpenBLAS)

    cores = sorted({i.get("architecture", "?") for i in threadpool_info() if i.get("internal_api") == "openblas"})
    return ", ".join(cores) or "none loaded"


def xla_path() -> str:
    """XLA's CPU instruction-set cap, from XLA_FLAGS (the default is the CPU's widest, with FMA)."""
    m = re.search(r"--xla_cpu_max_isa=(\S+)", os.environ.get("XLA_FLAGS", ""))
    return m.group(1) if m else "default"


def tensorflow_path() -> str:
    """Whether TensorFlow runs its oneDNN kernels ("oneDNN on"/"oneDNN off"), as TensorFlow reports it."""
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:
        return "absent (no TensorFlow)"
    return "oneDNN on" if _pywrap_util_port.IsMklEnabled() else "oneDNN off"


def describe(mkl: bool = True, tensorflow: bool = False) -> dict[str, str]:
    """Each library's kernel path in this process: {"mkl": ..., "openblas": ..., "xla": ...} (MKL's and
    TensorFlow's only when asked: reading them imports PyTorch or TensorFlow)."""
    return (
        ({"mkl": mkl_path()} if mkl else {})
        | {"openblas": openblas_path(), "xla": xla_path()}
        | ({"tensorflow": tensorflow_path()} if tensorflow else {})
    )


def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> frozenset[str]:
    """The CPU's feature flags as the kernel lists them (empty where /proc/cpuinfo is absent)."""
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        return frozenset()
    m = re.search(r"^flags\s*:(.*)$", text, re.MULTILINE)
    return frozenset(m.group(1).split()) if m else frozenset()


# MKL's AVX-512 kernels need the Skylake-server set; AVX2's need FMA beside AVX2.
_AVX512 = frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})


def mkl_ceiling(flags: frozenset[str]) -> str:
    """The widest instruction set MKL's Intel dispatch can run on a CPU with these flags."""
    if _AVX512 <= flags:
        return "AVX512"
    if {"avx2", "fma"} <= flags:
        return "AVX2"
    return "SSE4_2" if "sse4_2" in flags else "generic"


@dataclass(frozen=True)
class KernelPath:
    """One kernel path CI runs: the environment that selects it and what each library must then report."""

    name: str
    env: dict[str, str]
    expect: dict[str, str]
    whole_suite: bool = False
    why: str = ""


@dataclass(frozen=True)
class Plan:
    """The kernel paths to run on this machine, and the ones it cannot run (with the reason)."""

    paths: list[KernelPath] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _mkl_env(isa: str, intel_shim: str, generic_shim: str) -> dict[str, str]:
    if isa == "generic":
        return {"LD_PRELOAD": generic_shim}
    return {"LD_PRELOAD": intel_shim, "MKL_ENABLE_INSTRUCTIONS": isa}


def plan(
    default: Mapping[str, str],
    flags: frozenset[str],
    intel_shim: str,
    generic_shim: str,
    machine_env: Mapping[str, str],
) -> Plan:
    """CI's kernel paths for a machine whose default path is ``default`` (:func:`describe`, TensorFlow
    included) and whose CPU has ``flags``.

    The first path emulates the other vendor's machine: MKL's generic path on an Intel CPU (what an AMD
    CPU runs by default) or its Intel dispatch at the CPU's widest set on an AMD one, TensorFlow's oneDNN
    switched the other way, and on an AVX-512 CPU XLA and OpenBLAS capped at AVX2 (Haswell). The whole
    test suite runs there. Every other MKL set the CPU can run, OpenBLAS's SSE kernels and XLA without FMA
    follow, one knob each, for the framework checks. ``machine_env`` is the environment CI inherits: a
    knob the machine itself pins is left alone."""
    ceiling = mkl_ceiling(flags)
    out = Plan()
    default_mkl = default.get("mkl", "")
    other_mkl = ceiling if default_mkl == "generic" else "generic"
    env = _mkl_env(other_mkl, intel_shim, generic_shim)
    expect = {"mkl": other_mkl}
    if ceiling == "AVX512":
        env["XLA_FLAGS"] = "--xla_cpu_max_isa=AVX2"
        expect["xla"] = "AVX2"
        if "OPENBLAS_CORETYPE" not in machine_env:
            env["OPENBLAS_CORETYPE"] = "Haswell"
            expect["openblas"] = "Haswell"
    tf = default.get("tensorflow", "")
    if tf in ("oneDNN on", "oneDNN off"):
        on = tf == "oneDNN off"
        env["TF_ENABLE_ONEDNN_OPTS"] = "1" if on else "0"
        expect["tensorflow"] = "oneDNN on" if on else "oneDNN off"
    out.paths.append(KernelPath("other-cpu", env, expect, whole_suite=True, why="another vendor's machine"))

    for isa in ("AVX512", "AVX2", "SSE4_2", "generic"):
        name = f"mkl-{isa.lower()}"
        if isa in (default_mkl, other_mkl):
            continue
        if isa == "AVX512" and ceiling != "AVX512":
            out.skipped.append((name, "this CPU has no AVX-512"))
            continue
        if isa == "AVX2" and ceiling not in ("AVX512", "AVX2"):
            out.skipped.append((name, "this CPU has no AVX2 with FMA"))
            continue
        out.paths.append(KernelPath(name, _mkl_env(isa, intel_shim, generic_shim), {"mkl": isa}))
    if "OPENBLAS_CORETYPE" in machine_env:
        out.skipped.append(
            ("openblas-sse", f"OPENBLAS_CORETYPE={machine_env['OPENBLAS_CORETYPE']} is set by the machine")
        )
    else:
        out.paths.append(KernelPath("openblas-sse", {"OPENBLAS_CORETYPE": "Prescott"}, {"openblas": "Katmai"}))
    out.paths.append(KernelPath("xla-sse4_2", {"XLA_FLAGS": "--xla_cpu_max_isa=SSE4_2"}, {"xla": "SSE4_2"}))
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m identities.kernels [--json] [--expect LIB=PATH ...]``: print the path; exit 1 if one
    differs.

    CI uses ``--expect`` so that a knob that silently stops working fails the run instead of repeating
    the default path under another name, and ``--json --tensorflow`` to read the default it plans from."""
    argv = sys.argv[1:] if argv is None else argv
    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    with_tf = "--tensorflow" in argv or any(a.startswith("tensorflow=") for a in argv)
    argv = [a for a in argv if a != "--tensorflow"]
    found = describe(tensorflow=with_tf)
    print(json.dumps(found) if as_json else ", ".join(f"{k} {v}" for k, v in found.items()))
    status = 0
    for spec in argv:
        if spec == "--expect":
            continue
        lib, _, want = spec.partition("=")
        if lib not in found or not want:
            print(f"error: --expect takes LIB=PATH with LIB one of {', '.join(found)}, got {spec!r}", file=sys.stderr)
            return 2
        if want.lower() not in found[lib].lower():
            print(f"error: {lib} runs {found[lib]!r}, not {want!r}: the knob did not take effect", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
