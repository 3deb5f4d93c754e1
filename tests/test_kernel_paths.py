"""Expectations that hold on every kernel path: the singular matrices the suite charts factor exactly
whatever the CPU's instructions, the exactness test rejects the matrix that broke on MKL's AVX-512 path,
and the kernel-path report tells the paths apart (CI runs the framework checks on each: .ci/kernel_paths.py)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import identities
from identities import exact, kernels


def _square_matrices(ident: identities.Identity, sp: identities.SpecialPoint):
    """The point's square matrix arguments of f (a jvp's tangent or a vjp's cotangent is never factored)."""
    for name, v in sp.args.items():
        if name not in ident.argnames:
            continue
        if np.iscomplexobj(v):  # the complex points are scalars and vectors: nothing is factored
            continue
        v = np.asarray(v, dtype=np.float64)
        if v.ndim == 2 and v.shape[0] == v.shape[1] > 1:
            yield name, v


SINGULAR_POINTS = [
    pytest.param(ident, sp, name, X, id=f"{ident.id}@{sp.label}:{name}")
    for ident in identities.catalog()
    for sp in ident.special
    for name, X in _square_matrices(ident, sp)
    if exact.det(X) == 0
]


def test_singular_points_are_charted():
    assert len(SINGULAR_POINTS) >= 5


@pytest.mark.parametrize(("ident", "sp", "name", "X"), SINGULAR_POINTS)
def test_every_charted_singular_matrix_factors_exactly_on_every_kernel_path(ident, sp, name, X):
    """A framework's answer at a singular matrix depends on whether its LU meets an exact zero pivot; at
    these matrices it does on every path, for X and for Xᵀ (PyTorch's det factors the transpose)."""
    assert exact.lu_exact_on_every_path(X), f"{ident.id} at {sp.label}: LU of {name} rounds on some path"
    assert exact.lu_exact_on_every_path(X.T), f"{ident.id} at {sp.label}: LU of {name}ᵀ rounds on some path"


def test_exactness_rejects_the_matrix_that_broke_on_avx512():
    """[[1, 2, 3], [2, 4, 6], [0, 1, 1]]: its own LU is exact, but Xᵀ's pivot is 3 and the multiplier 1/3
    rounds; with FMA, 2 − fl(1/3)·6 is 1.1e-16, and MKL's AVX-512 torch.linalg.det returned 3.3e-16."""
    X = np.array([[1.0, 2, 3], [2, 4, 6], [0, 1, 1]])
    assert exact.det(X) == 0
    assert exact.lu_exact_on_every_path(X)
    assert not exact.lu_exact_on_every_path(X.T)


@pytest.mark.parametrize(
    ("X", "why"),
    [
        (np.array([[2.0, 1], [-2, 3]]), "a tie between different rows"),
        (np.array([[3.0, 1], [6, 1]]), "a pivot (6) that is not a power of two, though its multiplier 1/2 is exact"),
        (np.array([[3.0, 1], [1, 1]]), "a multiplier (1/3) that is not dyadic"),
        (np.array([[1.0, 0.1], [0.5, 1]]), "an entry that is not dyadic"),
    ],
)
def test_exactness_rejects_each_kind_of_rounding(X, why):
    assert not exact.lu_exact_on_every_path(X), why


def test_exact_cofactors_and_det():
    X = np.array([[-2.0, -1, 0], [0, -1, -1], [4, 3, 1]])
    assert exact.det(X) == 0
    assert exact.det(np.array([[2.0, 1], [1, 3]])) == 5
    C = exact.cofactors(X)
    assert C.tolist() == [[2.0, -4.0, 4.0], [1.0, -2.0, 2.0], [1.0, -2.0, 2.0]]
    Y = np.random.default_rng(0).standard_normal((4, 4))
    np.testing.assert_allclose(exact.cofactors(Y), np.linalg.det(Y) * np.linalg.inv(Y).T, rtol=1e-12)


def test_kernel_report_names_each_library(capsys):
    assert kernels.main([]) == 0
    line = capsys.readouterr().out
    assert "openblas" in line and "xla" in line


def test_kernel_expectation_that_does_not_hold_fails(capsys, monkeypatch):
    """CI checks that each knob took effect; a path that is not in force must fail, not pass as default."""
    monkeypatch.setattr(
        kernels,
        "describe",
        lambda mkl=True, tensorflow=False: {"mkl": "generic", "openblas": "Haswell", "xla": "default"},
    )
    assert kernels.main(["--expect", "xla=SSE4_2"]) == 1
    assert "did not take effect" in capsys.readouterr().err
    assert kernels.main(["--expect", "xla=default", "openblas=haswell"]) == 0
    assert kernels.main(["--expect", "nosuchlib=x"]) == 2


def test_xla_path_reads_the_flag(monkeypatch):
    monkeypatch.setenv("XLA_FLAGS", "--xla_foo=1 --xla_cpu_max_isa=AVX2")
    assert kernels.xla_path() == "AVX2"
    monkeypatch.delenv("XLA_FLAGS")
    assert kernels.xla_path() == "default"


def test_xla_fma_follows_the_path_in_force():
    """The XLA knob changes the arithmetic: a*b − c with a = fl(1/3), b = 3, c = 1 is −2⁻⁵⁴ with a fused
    multiply-add and 0 without. Under --xla_cpu_max_isa=SSE4_2 (no FMA) it must be 0; on the default path
    the value is reported, not asserted (a CPU without FMA computes 0 too)."""
    import jax

    got = float(jax.jit(lambda a, b, c: a * b - c)(np.full(8, 1 / 3), np.full(8, 3.0), np.ones(8))[0])
    assert got in (0.0, -(2.0**-54))
    if kernels.xla_path() in ("SSE4_2", "SSE4_1", "AVX"):
        assert got == 0.0
    elif os.environ.get("XLA_FLAGS", "") == "":
        print(f"default XLA path: a*b - c = {got!r} ({'FMA' if got else 'no FMA'})")


AVX512_FLAGS = frozenset({"sse4_2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})
AVX2_FLAGS = frozenset({"sse4_2", "avx", "avx2", "fma"})


def _plan(default, flags, machine_env=None):
    return kernels.plan(default, flags, "/shim/intel.so", "/shim/generic.so", machine_env or {})


def test_plan_emulates_an_amd_machine_on_an_intel_one():
    """On an Intel AVX-512 CPU the whole suite runs on MKL's generic path (an AMD CPU's default), with
    TensorFlow's oneDNN switched off and XLA and OpenBLAS capped at AVX2; every other MKL set follows."""
    p = _plan({"mkl": "AVX512", "openblas": "SkylakeX", "xla": "default", "tensorflow": "oneDNN on"}, AVX512_FLAGS)
    first = p.paths[0]
    assert first.whole_suite and [q.whole_suite for q in p.paths[1:]] == [False] * (len(p.paths) - 1)
    assert first.env == {
        "LD_PRELOAD": "/shim/generic.so",
        "XLA_FLAGS": "--xla_cpu_max_isa=AVX2",
        "OPENBLAS_CORETYPE": "Haswell",
        "TF_ENABLE_ONEDNN_OPTS": "0",
    }
    assert first.expect == {"mkl": "generic", "xla": "AVX2", "openblas": "Haswell", "tensorflow": "oneDNN off"}
    names = [q.name for q in p.paths]
    assert names == ["other-cpu", "mkl-avx2", "mkl-sse4_2", "openblas-sse", "xla-sse4_2"]
    assert p.paths[1].env == {"LD_PRELOAD": "/shim/intel.so", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}
    assert p.skipped == []


def test_plan_never_asks_a_cpu_for_instructions_it_lacks():
    """The failure CI met on an AVX2 machine: MKL_ENABLE_INSTRUCTIONS=AVX512 cannot take effect there, so
    the plan skips that path with its reason instead of failing the run or running it under another name."""
    p = _plan({"mkl": "generic", "openblas": "Haswell", "xla": "default", "tensorflow": "oneDNN off"}, AVX2_FLAGS)
    assert p.paths[0].expect == {"mkl": "AVX2", "tensorflow": "oneDNN on"}
    assert p.paths[0].env == {
        "LD_PRELOAD": "/shim/intel.so",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
        "TF_ENABLE_ONEDNN_OPTS": "1",
    }
    assert ("mkl-avx512", "this CPU has no AVX-512") in p.skipped
    assert all(q.expect.get("mkl") != "AVX512" for q in p.paths)
    assert [q.name for q in p.paths] == ["other-cpu", "mkl-sse4_2", "openblas-sse", "xla-sse4_2"]


def test_plan_leaves_a_knob_the_machine_pins():
    p = _plan({"mkl": "AVX2", "tensorflow": "oneDNN off"}, AVX512_FLAGS, {"OPENBLAS_CORETYPE": "Haswell"})
    assert "OPENBLAS_CORETYPE" not in p.paths[0].env
    assert [n for n, _ in p.skipped] == ["openblas-sse"]
    assert "mkl-avx2" not in [q.name for q in p.paths] and "mkl-avx512" in [q.name for q in p.paths]


@pytest.mark.parametrize(
    ("flags", "ceiling"),
    [
        (AVX512_FLAGS, "AVX512"),
        (AVX2_FLAGS, "AVX2"),
        (frozenset({"sse4_2", "avx2"}), "SSE4_2"),
        (frozenset(), "generic"),
    ],
)
def test_mkl_ceiling_reads_the_flags(flags, ceiling):
    assert kernels.mkl_ceiling(flags) == ceiling


def test_cpu_flags_reads_cpuinfo(tmp_path):
    f = tmp_path / "cpuinfo"
    f.write_text("processor\t: 0\nflags\t\t: fpu sse4_2 avx2\n\nprocessor\t: 1\nflags\t\t: fpu\n")
    assert kernels.cpu_flags(str(f)) == {"fpu", "sse4_2", "avx2"}
    assert kernels.cpu_flags(str(tmp_path / "absent")) == frozenset()
