"""The floating-point kernel path in force: which instructions each numerical library runs on this process.

At a delicate point (an exact zero pivot, a tie, an underflow) a framework's answer can depend on the
kernel path, so the conformance report names it, and CI runs the framework-dependent checks on several
(``.ci/kernel-paths``). The knobs, each measured here to change the path (docs/framework-findings.md):

- **MKL** (PyTorch's BLAS and LAPACK): ``MKL_ENABLE_INSTRUCTIONS`` caps the instruction set, but MKL
  honours it only on a CPU it recognises as Intel's; elsewhere it runs its generic path whatever is set.
  ``.ci/mkl_intel_dispatch.c``, preloaded, makes MKL take its Intel dispatch on any x86-64 CPU.
- **OpenBLAS** (NumPy's and SciPy's, and so JAX's LAPACK calls on the CPU): ``OPENBLAS_CORETYPE``.
- **XLA's CPU backend** (JAX's own kernels): ``XLA_FLAGS=--xla_cpu_max_isa=SSE4_2`` (or ``AVX``,
  ``AVX2``, ...); below AVX2 it emits no fused multiply-add, so ``a*b - c`` rounds twice.
- **TensorFlow**: its float64 linear algebra runs its own Eigen kernels (built without FMA);
  ``TF_ENABLE_ONEDNN_OPTS=0``/``1`` switches its oneDNN kernels off/on (off by default on this CPU).
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
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


def main(argv: list[str] | None = None) -> int:
    """``python -m identities.kernels [--expect LIB=PATH ...]``: print the path; exit 1 if one differs.

    CI uses ``--expect`` so that a knob that silently stops working fails the run instead of repeating
    the default path under another name."""
    argv = sys.argv[1:] if argv is None else argv
    found = describe(tensorflow=any(a.startswith("tensorflow=") for a in argv))
    print(", ".join(f"{k} {v}" for k, v in found.items()))
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
