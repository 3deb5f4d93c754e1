"""Verification a family at a time in worker processes (identities.parallel), and the progress line that
``verify``, ``conformance`` and ``docs build`` show on a terminal (identities.progress)."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

import identities
from identities.parallel import MAX_GROUP, cost, costliest_first, family_groups, job_count, run_groups, worker_pool
from identities.progress import Progress, wanted
from identities.verify import verify, verify_many

ROOT = Path(__file__).resolve().parents[1]
# every kind, an identity with explicit sizes (det.det_XTAX), several families: what the batched verify must handle
KINDS = ("norms.l2", "hessians.least_squares", "giles.inverse_jvp", "giles.inverse_vjp", "det.det_XTAX", "vector.Ax")


def _kinds() -> list[identities.Identity]:
    idents = [identities.get(i) for i in KINDS]
    assert {i.kind for i in idents} == {"jacobian", "hessian", "jvp", "vjp"}
    return idents


def test_family_groups_cover_the_catalog_once_split_evenly_costliest_first():
    cat = identities.catalog()
    groups = costliest_first(family_groups([*cat, *cat[:5]]))  # a repeated id is verified once
    ids = [i.id for g in groups for i in g]
    assert sorted(ids) == sorted(i.id for i in cat)
    assert all(len({i.family for i in g}) == 1 and 0 < len(g) <= MAX_GROUP for g in groups)
    costs = [sum(cost(i) for i in g) for g in groups]
    assert costs == sorted(costs, reverse=True)
    # the order is by cost, not by size: a small costly group starts before larger cheap ones (logm's 2
    # identities, unrolled, once took 30 of verify's 116 serial seconds and started last)
    sizes = [len(g) for g in groups]
    assert sizes != sorted(sizes, reverse=True)
    for fam in {i.family for i in cat}:
        sizes = [len(g) for g in groups if g[0].family == fam]
        assert max(sizes) - min(sizes) <= 1  # near-equal parts
    assert job_count(8, groups[:1]) == 1 and job_count(1, groups) == 1 and job_count(2, groups) == 2


def _sans_timing(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("seconds", "batch")}


def test_verify_many_in_workers_gives_verify_reports_in_order():
    """Two worker processes; the reports are verify()'s, one per identity, in the order asked; the progress
    bar is told of each family as its worker's result comes back."""
    idents = _kinds()[::-1]
    stream = io.StringIO()
    with Progress(idents, "verify", stream=stream, interval=60) as bar:
        reports = verify_many(idents, examples=1, seed=2, jobs=2, progress=bar)
        assert bar.line().startswith("verify: 5/5 families, 6/6 identities, 0 failed, ")
    assert [r.identity for r in reports] == [i.id for i in idents]
    for ident, r in zip(idents, reports, strict=True):
        alone = verify(ident, examples=1, seed=2)
        assert r.ok and alone.ok
        assert (r.examples, r.sizes, sorted(r.checks)) == (alone.examples, alone.sizes, sorted(alone.checks))
        for name, c in r.checks.items():  # the same inputs: the same errors, up to the programs' rounding
            assert c.tol == pytest.approx(alone.checks[name].tol, rel=1e-12), (ident.id, name)


def _boom(ids: list[str], tag: str) -> list[str]:
    raise RuntimeError(f"worker broke on {ids}")


def _each(ids: list[str], tag: str) -> list[str]:
    return [f"{tag}:{i}" for i in ids]


@pytest.mark.parametrize("jobs", [1, 2])
def test_run_groups_runs_the_fallback_where_a_group_breaks(jobs):
    got: dict[int, list[str]] = {}
    run_groups(_boom, [["a", "b"], ["c"]], ("alone",), jobs=jobs, on_result=got.__setitem__, fallback=_each)
    assert got == {0: ["alone:a", "alone:b"], 1: ["alone:c"]}
    with pytest.raises(RuntimeError, match="worker broke"):
        run_groups(_boom, [["a"]], ("x",), jobs=1)


def test_worker_pool_starts_every_worker_before_work_is_given():
    """The workers import the package while the caller orders the groups (verify_many, docs build)."""
    with worker_pool(2) as pool:
        assert pool is not None and len(pool._processes) == 2
        got: dict[int, list[str]] = {}
        run_groups(_each, [["a"], ["b", "c"]], ("w",), on_result=got.__setitem__, pool=pool)
    assert got == {0: ["w:a"], 1: ["w:b", "w:c"]}
    with worker_pool(1) as pool:
        assert pool is None


def test_the_package_imports_without_hypothesis_or_scipy():
    """Every worker of verify and docs build imports the package: hypothesis (identities.strategies) and
    SciPy (find's NumPy table) wait for first use, and still work through the package."""
    code = (
        "import sys, identities; print('hypothesis' in sys.modules, 'scipy' in sys.modules); "
        "print(identities.strategies.__name__, callable(identities.check), callable(identities.find))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "identities.strategies", "True", "True"]


def test_progress_line_counts_families_identities_failures_and_erases_itself():
    idents = _kinds()
    stream = io.StringIO()
    bar = Progress(idents, "verify", stream=stream, interval=60)
    bar.done("norms", 1)
    bar.done("giles", 1, failures=1)
    assert bar.line().startswith("verify: 1/5 families, 2/6 identities, 1 failed, ")
    bar.print("a message")
    bar.done("giles", 1)
    assert bar.line().startswith("verify: 2/5 families, 3/6 identities, 1 failed, ")
    bar.close()
    text = stream.getvalue()
    assert "\ra message" in text and text.endswith("\r")
    assert text.rsplit("\r", 2)[-2].strip() == ""  # the last draw is blanks: the line is erased
    quiet = io.StringIO()
    with Progress(idents, "verify", enabled=False, stream=quiet) as off:
        off.done("norms", 1)
    assert quiet.getvalue() == ""


def test_progress_is_wanted_on_a_terminal_only_and_never_with_json():
    master, slave = pty.openpty()
    try:
        with os.fdopen(os.dup(slave), "w") as tty:
            assert wanted(stream=tty) and not wanted(json_output=True, stream=tty)
    finally:
        os.close(master)
        os.close(slave)
    assert not wanted(stream=io.StringIO())


def _run_with_tty_stderr(argv: list[str]) -> tuple[int, str, str]:
    """Run the command line with stderr on a pseudo-terminal and stdout on a pipe."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "identities", *argv], stdout=subprocess.PIPE, stderr=slave, cwd=ROOT, env=env
    )
    os.close(slave)
    err = b""
    while True:
        ready, _, _ = select.select([master], [], [], 600)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        err += chunk
    out, _ = proc.communicate(timeout=600)
    os.close(master)
    return proc.returncode, out.decode(), err.decode()


def test_verify_on_a_terminal_shows_progress_on_stderr_only():
    ids = [i.id for i in _kinds()]
    code, out, err = _run_with_tty_stderr(["verify", *ids, "--examples", "1", "--jobs", "2"])
    assert code == 0, err
    assert "verify: 0/5 families, 0/6 identities, 0 failed" in err
    assert "verify: 5/5 families, 6/6 identities, 0 failed" in err
    assert "\r" not in out and "families" not in out and "6/6 identities verified" in out
    code, out, err = _run_with_tty_stderr(["verify", *ids[:2], "--examples", "1", "--json"])
    assert code == 0 and err == ""
    assert [r["identity"] for r in json.loads(out)["reports"]] == ids[:2]


def test_verify_piped_prints_nothing_on_stderr(capsys):
    from identities.__main__ import main

    assert main(["verify", "norms.l2", "vector.Ax", "--examples", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "2/2 identities verified" in captured.out


def test_docs_build_verification_and_conformance_report_progress(tmp_path):
    """The docs build's verification (cached identities count as done) and conformance tell the bar."""
    from identities import docsgen
    from identities.frameworks.conformance import run

    idents = [identities.get(i) for i in ("norms.l2", "vector.Ax")]
    for _ in range(2):  # verified, then read from the cache
        stream = io.StringIO()
        bar = Progress(idents, "docs build: verify", stream=stream, interval=60)
        docsgen.verification(idents, tmp_path, jobs=1, progress=bar)
        assert bar.line().startswith("docs build: verify: 2/2 families, 2/2 identities, 0 failed")
        bar.close()
    seen = []
    run(idents, ("jax",), progress=lambda ident, got: seen.append((ident.id, {r.framework for r in got})))
    assert seen == [("norms.l2", {"jax"}), ("vector.Ax", {"jax"})]
