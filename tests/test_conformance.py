"""The conformance report: a representative subset in the default run (every kind, every charted special
point, every deviation), the deviations file's consistency, and that an unexpected disagreement fails.

The whole catalog runs in CI as its own command: ``python -m identities conformance`` (exit 1 on any
unexpected result)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from _support import PROFILE

import identities
from identities import exact
from identities.__main__ import main
from identities.frameworks import conformance
from identities.frameworks.adapter import ADAPTERS
from identities.frameworks.deviations import DEVIATIONS

HAS_TORCH = conformance.available("torch")
# every framework installed here (a missing one is said by its own test module's skip)
FRAMEWORKS = tuple(f for f in conformance.FRAMEWORKS if conformance.available(f))
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed: pip install 'identities[torch]'")


def _generic_subset() -> list[identities.Identity]:
    """One identity of each kind, the linear-algebra calls, and every identity with a deviation on generic
    inputs."""
    chosen: dict[str, identities.Identity] = {}
    for ident in identities.catalog():
        if ident.kind not in {i.kind for i in chosen.values()}:
            chosen[ident.id] = ident
    for key in ("matrix.det_X", "matrix.inv_X", "tensors.dK_dR", "vector.xTAx"):
        chosen[key] = identities.get(key)
    for d in DEVIATIONS:
        if d.point is None:
            chosen[d.identity] = identities.get(d.identity)
    return list(chosen.values())


def _special_subset() -> list[identities.Identity]:
    """Every identity with a charted special point (all of them, in the default run)."""
    return [i for i in identities.catalog() if i.special]


def _tensorflow_special_subset() -> list[identities.Identity]:
    """TensorFlow's share of the special points in the default run (its tape.jacobian traces a graph per
    call): every identity with a deviation at a special point, of any framework, and the first charted
    identity of each family. The thorough profile and CI's conformance step run them all."""
    ids = {d.identity for d in DEVIATIONS if d.point is not None}
    families: set[str] = set()
    chosen = []
    for ident in _special_subset():
        if ident.id in ids or ident.family not in families:
            chosen.append(ident)
        families.add(ident.family)
    return chosen


# TensorFlow at special points: a subset in the default run, all of them in the thorough profile
TF_SUBSET = "tensorflow" in FRAMEWORKS and PROFILE != "thorough"


def _reports(fw: str, ident: identities.Identity) -> bool:
    """Whether the subset run covers ``ident``'s special points in framework ``fw``."""
    return not (TF_SUBSET and fw == "tensorflow") or ident in _tensorflow_special_subset()


@pytest.fixture(scope="module")
def subset_run():
    generic = conformance.run(_generic_subset(), FRAMEWORKS)
    rest = tuple(f for f in FRAMEWORKS if not (TF_SUBSET and f == "tensorflow"))
    special = conformance.run(_special_subset(), rest, generic=False)
    results = generic.results + special.results
    if TF_SUBSET:
        results += conformance.run(_tensorflow_special_subset(), ("tensorflow",), generic=False).results
    ids = list(dict.fromkeys(generic.identities + special.identities))
    return conformance.Run(results, FRAMEWORKS, ids, 0.0, generic.versions)


def test_subset_conforms_with_no_stale_deviation(subset_run):
    assert subset_run.ok, conformance.summary(subset_run)
    assert not subset_run.stale_deviations()
    kinds = {identities.get(i).kind for i in subset_run.identities}
    assert kinds == {i.kind for i in identities.catalog()}


def test_every_special_point_is_reported_by_every_framework(subset_run):
    for ident in identities.catalog():
        for sp in ident.special:
            for fw in (f for f in FRAMEWORKS if _reports(f, ident)):
                rs = [
                    r
                    for r in subset_run.results
                    if r.identity == ident.id and r.point == sp.label and r.framework == fw
                ]
                assert rs, f"{ident.id} at {sp.label}: no {fw} result"
                assert all(r.status in ("valid", "deviation", "unsupported", "unbounded") for r in rs), rs
                assert all("returns" in r.detail or "raises" in r.detail for r in rs)


@needs_torch
def test_torch_results_are_present_for_generic_inputs(subset_run):
    torch_rows = [r for r in subset_run.results if r.framework == "torch" and r.point is None]
    assert {r.check for r in torch_rows} >= {"jacrev", "jacfwd", "autograd.grad"}
    assert any(r.check == "hessian" for r in torch_rows)


def test_deviations_are_well_formed():
    seen = set()
    for d in DEVIATIONS:
        ident = identities.get(d.identity)  # raises for an unknown id
        assert d.framework in conformance.FRAMEWORKS
        assert len(d.reason) > 40 and d.why in ("framework convention", "known bug", "written form", "float64 range")
        assert d.point is None or d.point in {sp.label for sp in ident.special}, f"{d}: no such special point"
        key = (d.identity, d.framework, d.point, d.check)
        assert key not in seen, f"duplicate deviation {key}"
        seen.add(key)


def test_an_unexpected_disagreement_fails_every_framework():
    base = identities.get("vector.Ax")
    wrong = dataclasses.replace(base, id="vector.Ax~transposed", closed=lambda A, x: A.T, examples=())
    results = conformance.conformance_of(wrong, FRAMEWORKS)
    assert {r.framework for r in results if r.failed} == set(FRAMEWORKS)
    r = conformance.Run(results, FRAMEWORKS, [wrong.id], 0.0, {})
    assert not r.ok and "FAILED vector.Ax~transposed" in conformance.summary(r)


def test_stale_deviation_fails(monkeypatch):
    from identities.frameworks import deviations

    fake = deviations.Deviation("vector.Ax", "jax", None, "jacfwd", "known bug", "x" * 50)
    monkeypatch.setattr(conformance, "DEVIATIONS", (*DEVIATIONS, fake))
    r = conformance.run([identities.get("vector.Ax")], ("jax",))
    assert r.stale_deviations() == [fake] and not r.ok


def test_cli_conformance_json_and_write(tmp_path, capsys):
    out = tmp_path / "conf.md"
    assert main(["conformance", "norms.l2", "--framework", "jax", "--json", "--write", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["counts"]["deviation"] >= 1
    assert any(r["point"] == "x = 0" and r["status"] == "deviation" for r in data["results"])
    md = out.read_text()
    assert md.startswith("# Conformance") and "| norms.l2" in md and "framework convention" in md


def test_cli_conformance_without_torch_says_so(monkeypatch, capsys):
    real = conformance.available
    monkeypatch.setattr(conformance, "available", lambda fw: fw != "torch" and real(fw))
    assert main(["conformance", "vector.cTx"]) == 0
    cap = capsys.readouterr()
    assert "PyTorch is not installed" in cap.err and "torch" not in {
        ln.split()[1] for ln in cap.out.splitlines()[2:-2] if ln.strip()
    }
    assert main(["conformance", "vector.cTx", "--framework", "torch"]) == 2


@pytest.mark.parametrize("fw", list(ADAPTERS))
def test_cli_conformance_names_an_absent_framework(fw, monkeypatch, capsys):
    """Without a framework the run goes on without its column and says which one is absent; asking for
    it by name is a usage error (exit 2) with the install hint."""
    real = conformance.available
    monkeypatch.setattr(conformance, "available", lambda f: f != fw and real(f))
    assert main(["conformance", "vector.cTx", "--framework", "jax", "--framework", fw]) == 2
    assert f"needs {ADAPTERS[fw].title}: {ADAPTERS[fw].install}" in capsys.readouterr().err
    assert main(["conformance", "vector.cTx"]) == 0
    cap = capsys.readouterr()
    assert f"{ADAPTERS[fw].title} is not installed" in cap.err
    assert fw not in cap.out.splitlines()[0].split()


def test_docs_table_lists_every_identity():
    """docs/conformance.md is generated (python -m identities conformance --write docs/conformance.md);
    regenerate it when the catalog changes."""
    text = (Path(__file__).parent.parent / "docs" / "conformance.md").read_text(encoding="utf-8")
    missing = [i.id for i in identities.catalog() if f"| {i.id} " not in text]
    assert not missing, f"docs/conformance.md is stale, missing {missing[:5]}: regenerate it"


def test_hessian_special_point_is_evaluated_by_every_framework():
    """A Hessian at a point where it is unbounded (no finite answer is valid): every framework's answer
    is reported as ``unbounded`` (not judged), and does not fail the run."""
    base = identities.get("norms.l2_hessian")
    sp = identities.SpecialPoint("x = 0", {"x": [0.0, 0.0, 0.0]}, "unbounded: no finite Hessian is valid")
    ident = dataclasses.replace(base, id="norms.l2_hessian~at0", special=(sp,))
    results = [r for r in conformance.conformance_of(ident, FRAMEWORKS) if r.point == "x = 0"]
    assert {r.framework for r in results} == set(FRAMEWORKS)
    assert {r.check for r in results} >= {"hessian", "fd2"}
    assert all(r.status == "unbounded" and ("returns" in r.detail or "raises" in r.detail) for r in results)
    assert not [r for r in results if r.failed]


def _with_kind(kind, closed):
    base = identities.get("vector.xTAx")  # f(x, A) = xᵀAx, wrt x
    return dataclasses.replace(base, id=f"vector.xTAx~{kind}", kind=kind, closed=closed, examples=())


JVP = _with_kind("jvp", lambda x, A, dx: dx @ (A + A.T) @ x)
VJP = _with_kind("vjp", lambda x, A, g: g * (A + A.T) @ x)


@pytest.mark.parametrize("ident", [JVP, VJP], ids=["jvp", "vjp"])
def test_jvp_and_vjp_kinds_conform_and_wrong_ones_fail(ident):
    results = conformance.conformance_of(ident, FRAMEWORKS)
    assert results and not [r for r in results if r.failed], [r for r in results if r.failed]
    assert {r.framework for r in results} == set(FRAMEWORKS)
    wrong = dataclasses.replace(ident, closed=lambda x, A, e: 2 * ident.closed(x, A, e))
    bad = conformance.conformance_of(wrong, FRAMEWORKS)
    assert {r.framework for r in bad if r.failed} == set(FRAMEWORKS)


@pytest.mark.parametrize("ident", [JVP, VJP], ids=["jvp", "vjp"])
def test_check_identity_handles_jvp_and_vjp_kinds(ident):
    assert identities.check_identity(ident, ident.closed, examples=1).ok
    r = identities.check_identity(ident, lambda x, A, e: -ident.closed(x, A, e), examples=1)
    assert not r.ok and r.diagnosis == "the sign is flipped"


@dataclasses.dataclass(frozen=True)
class _Recorded(identities.SpecialPoint):
    """A SpecialPoint carrying JAX's measured verdict (the field the preconditions work adds)."""

    jax_verdict: str = ""
    notes: str = ""


@pytest.mark.parametrize(("verdict", "expected"), [("nan", "deviation"), ("inf", "INVALID")])
def test_jax_answer_recorded_on_the_special_point_is_an_expected_deviation(verdict, expected):
    base = identities.get("norms.l2_squared")
    sp = _Recorded(
        "x = 0", {"x": [0.0, 0.0, 0.0]}, "gradient 0", value=[0.0, 0.0, 0.0], jax_verdict=verdict, notes="0/0"
    )
    ident = dataclasses.replace(base, id="norms.l2_squared~recorded", special=(sp,))
    results = [r for r in conformance.conformance_of(ident, ("jax",)) if r.point == "x = 0"]
    assert results and {r.status for r in results} == {expected}
    if expected == "deviation":
        assert all("jax_verdict='nan'" in r.reason and "0/0" in r.reason for r in results)
    else:
        assert all("the record says JAX returns 'inf', measured 'nan'" in r.detail for r in results)


# --- conditional deviations: the condition is measured, the branch reported, staleness judged per branch ----------
def _det_point(X):
    base = identities.get("matrix.det_X")
    sp = identities.SpecialPoint("singular", {"X": X}, "the cofactor matrix", value=exact.cofactors(np.array(X)))
    return dataclasses.replace(base, id="matrix.det_X~cond", special=(sp,))


def _conditional(monkeypatch, holds: bool):
    from identities.frameworks import deviations

    cond = deviations.Condition("the probe says so", lambda args: (holds, f"probe = {holds}"))
    devs = (
        deviations.Deviation("matrix.det_X~cond", "torch", "singular", "jacfwd", "known bug", "x" * 50, cond),
        deviations.Deviation("matrix.det_X~cond", "torch", "singular", "autograd.grad", "known bug", "x" * 50, cond),
    )
    monkeypatch.setattr(deviations, "DEVIATIONS", devs)
    monkeypatch.setattr(conformance, "DEVIATIONS", devs)
    return devs


@needs_torch
def test_conditional_deviation_applies_where_its_condition_holds(monkeypatch):
    """At an exactly singular X torch's forward mode returns 0: with the condition held, a deviation."""
    _conditional(monkeypatch, True)
    ident = _det_point([[-2.0, -1, 0], [0, -1, -1], [4, 3, 1]])
    results = [r for r in conformance.conformance_of(ident, ("torch",), generic=False)]
    run = conformance.Run(results, ("torch",), [ident.id], 0.0, {})
    assert run.ok, conformance.summary(run)
    devs = [r for r in results if r.status == "deviation"]
    assert {r.check for r in devs} == {"jacfwd", "autograd.grad"}
    assert all("condition held: the probe says so (probe = True)" in r.reason for r in devs)
    assert "conditional deviation matrix.det_X~cond [torch at singular]: condition held" in conformance.summary(run)


@needs_torch
def test_conditional_deviation_that_does_not_hold_is_judged_not_excused(monkeypatch):
    """Where the condition is false the answer is judged: torch's zeros are INVALID and fail the run; the
    deviation is not stale (it did not apply), and the report says which branch was seen."""
    devs = _conditional(monkeypatch, False)
    ident = _det_point([[-2.0, -1, 0], [0, -1, -1], [4, 3, 1]])
    results = conformance.conformance_of(ident, ("torch",), generic=False)
    run = conformance.Run(results, ("torch",), [ident.id], 0.0, {})
    bad = [r for r in results if r.failed]
    assert {r.check for r in bad} == {"jacfwd", "autograd.grad"} and not run.ok
    assert all("applies only when the probe says so, and did not hold" in r.detail for r in bad)
    assert run.stale_deviations() == [] and run.inapplicable() == list(devs)


@needs_torch
def test_conditional_deviation_is_stale_when_its_condition_held_and_the_answer_is_right(monkeypatch):
    """The framework fixed: the condition holds but torch's answer is valid, so the deviation is stale."""
    devs = _conditional(monkeypatch, True)
    ident = _det_point([[2.0, 1, 0], [1, 3, 1], [0, 1, 4]])  # invertible: torch is right here
    run = conformance.Run(conformance.conformance_of(ident, ("torch",), generic=False), ("torch",), [ident.id], 0.0, {})
    assert not run.failures and run.stale_deviations() == list(devs) and not run.ok


def test_the_torch_det_condition_is_measured():
    from identities.frameworks.deviations import TORCH_DET_EXACTLY_ZERO

    pytest.importorskip("torch")
    held, seen = TORCH_DET_EXACTLY_ZERO.measure({"X": [[-2.0, -1, 0], [0, -1, -1], [4, 3, 1]]})
    assert held and "torch.linalg.det(X) = " in seen
    held, seen = TORCH_DET_EXACTLY_ZERO.measure({"X": [[2.0, 1], [1, 3]]})
    assert not held and "5.0" in seen


@pytest.mark.parametrize(
    ("exc", "status"),
    [(np.linalg.LinAlgError("Singular matrix"), "unbounded"), (TypeError("a translation bug"), "error")],
    ids=["LinAlgError", "TypeError"],
)
def test_only_a_documented_numeric_failure_counts_as_an_answer_at_an_unbounded_point(monkeypatch, exc, status):
    """At a point where no finite answer is valid, LAPACK's "singular matrix" is an answer; any other
    exception (a bug in the harness or the translation) is an error that fails the run."""
    ident = identities.get("matrix.logabsdet_X")  # its one point, "X singular", is unbounded

    def raising(*_args):
        raise exc

    monkeypatch.setattr(conformance, "_special_values", raising)
    results = conformance.conformance_of(ident, ("jax",), generic=False)
    assert [r.status for r in results] == [status]
    run = conformance.Run(results, ("jax",), [ident.id], 0.0, {})
    assert run.ok == (status == "unbounded")


@needs_torch
def test_complex_special_point_reads_each_framework_in_its_own_convention(monkeypatch):
    """On the phase's branch cut PyTorch's .grad (−i) is ∂f/∂z̄ = −i/2, valid, when read in PyTorch's
    convention; read in JAX's (the planted mistake) it is the conjugate i/2 and every such row fails. The
    forward-mode partials need no convention and stay valid."""
    from identities.frameworks import adapter

    ident = identities.get("complex_basic.phase")

    def on_cut(results):
        return {r.check: r.status for r in results if r.point == "z = −1 − 0i (on the branch cut)"}

    assert on_cut(conformance._special(ident, "torch")) == {
        "vjp (torch)": "valid",
        "backward (torch)": "valid",
        "jvp (re, im)": "valid",
    }
    monkeypatch.setattr(adapter.load("torch"), "COMPLEX_CONVENTION", "jax")
    assert on_cut(conformance._special(ident, "torch")) == {
        "vjp (torch)": "INVALID",
        "backward (torch)": "INVALID",
        "jvp (re, im)": "valid",
    }
