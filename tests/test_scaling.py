"""bench --scaling: the selection, the fits, the crossover, the report (identities.scaling)."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

import identities
from identities import scaling
from identities.__main__ import main

FLOOR = 1e-5


def test_fit_uses_only_sizes_past_the_dispatch_floor():
    pts = [(n, max(FLOOR, 1e-12 * n**3)) for n in (8, 16, 32, 64, 512, 1024, 2048)]  # flat at the floor first
    got = scaling.fit(pts, FLOOR)
    assert got["sizes"] == [512, 1024, 2048]
    assert got["exponent"] == pytest.approx(3.0, abs=1e-9)
    assert scaling.fit(pts[:4], FLOOR) is None  # nothing past the floor: no exponent


def test_crossover_kinds_and_interpolation():
    assert scaling.crossover([(8, 2.0), (16, 3.0)]) == {"kind": "always", "n": None}
    assert scaling.crossover([(8, 0.5), (16, 0.9)]) == {"kind": "never", "n": None}
    got = scaling.crossover([(8, 0.5), (32, 2.0), (64, 4.0)])  # log-linear: ratio 1 halfway, at n = 16
    assert got == {"kind": "closed from", "n": 16}
    assert scaling.crossover([(8, 4.0), (16, 2.0), (64, 0.5)]) == {"kind": "autodiff from", "n": 32}


def _size(n: int, closed: float, auto: float, flops_c: float, flops_a: float) -> dict:
    def prog(t: float, f: float) -> dict:
        return {"time": {"median": t}, "flops": f}

    ratio = {"median": auto / closed, "q25": auto / closed, "q75": auto / closed}
    return {
        "n": n,
        "label": f"n={n}",
        "status": "ok",
        "programs": {"closed": prog(closed, flops_c), "hessian": {**prog(auto, flops_a), "ratio": ratio}},
        "best": {"variant": "hessian", "ratio": ratio},
    }


def _record(kind: str = "hessian") -> dict:
    sizes = [_size(n, 1e-9 * n**2 + FLOOR, 3e-12 * n**3 + FLOOR, n**2, n**3) for n in (64, 128, 256, 512, 1024)]
    rec = {"id": "hessians.made_up", "family": "hessians", "kind": kind, "sizes": sizes}
    rec["scaling"] = scaling.analyse(rec, FLOOR)
    return rec


def test_analyse_gives_exponents_gap_and_the_size_the_target_needs():
    a = _record()["scaling"]
    assert a["flop_fits"]["closed"]["exponent"] == pytest.approx(2.0)
    assert a["flop_gap"] == pytest.approx(1.0)
    assert a["fits"]["hessian"]["exponent"] > a["fits"]["closed"]["exponent"]
    r = a["largest"]["ratio"]["median"]
    assert a["largest"]["n"] == 1024 and r < scaling.TARGET_RATIO
    # the size at which the fitted gap gives 10x
    assert a["n_for_target"] == round(1024 * (scaling.TARGET_RATIO / r) ** (1 / a["exponent_gap"]))
    result = {"identities": [_record(), _record("jacobian")]}
    rows = scaling.hessian_targets(result)
    assert len(rows) == 1 and rows[0][3] == "no" and "n^2.00 against n^3.00" in rows[0][4]


def test_selection_takes_every_hessian_and_every_materialised_tensor():
    chosen = dict((i.id, why) for i, why in scaling.selection(identities.catalog(), saved={}))
    for ident in identities.catalog():
        if ident.kind == "hessian":
            assert "Hessian" in chosen[ident.id]
    assert "4-tensor" in chosen["tensors.dK_dR"] and "3-tensor" in chosen["tensors.dAx_dA"]
    assert "vector.Ax" not in chosen  # a matrix-valued Jacobian, same flops exponent
    saved = {  # a saved default run where the closed form's flops grow as n^2 and grad's as n^3
        "identities": [
            {
                "id": "vector.Ax",
                "sizes": [
                    {"n": 8, "status": "ok", "programs": {"closed": {"flops": 64.0}, "grad": {"flops": 512.0}}},
                    {"n": 32, "status": "ok", "programs": {"closed": {"flops": 1024.0}, "grad": {"flops": 32768.0}}},
                ],
            }
        ]
    }
    got = dict((i.id, why) for i, why in scaling.selection([identities.get("vector.Ax")], saved=saved))
    assert got == {"vector.Ax": "flops n^2.0 against grad n^3.0"}


@pytest.fixture
def tiny(monkeypatch):
    """The scaling sweep shrunk to outputs of 32 KiB (n×n Hessians up to n = 64): seconds, not minutes."""
    monkeypatch.setattr(
        scaling,
        "SCALING",
        replace(
            scaling.SCALING,
            max_bytes=32 * 1024,
            size_seconds=0.01,
            min_rounds=3,
            max_rounds=3,
            bandwidth_bytes=(1 << 20,),
            bandwidth_seconds=0.02,
        ),
    )


def test_bench_scaling_end_to_end_writes_the_section(tiny, tmp_path, monkeypatch, capsys):
    from identities import cli_bench

    root = tmp_path / "repo"
    (root / "bench" / "results").mkdir(parents=True)
    monkeypatch.setattr(cli_bench, "repo_root", lambda: root)
    out = tmp_path / "scaling.json"
    assert main(["bench", "--scaling", "--only", "forms.xTAx_hessian", "--no-progress", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "forms.xTAx_hessian" in table and "closed k" in table
    result = json.loads(out.read_text())
    assert result["schema"] == scaling.SCHEMA
    rec = next(r for r in result["identities"] if r["id"] == "forms.xTAx_hessian")
    ns = [s["n"] for s in rec["sizes"] if s["status"] == "ok"]
    assert len(ns) >= 5 and ns == sorted(ns) and max(ns) == 64
    assert all(b == 2 * a for a, b in itertools.pairwise(ns))
    assert rec["scaling"]["flop_gap"] == pytest.approx(1.0, abs=0.1)  # A + Aᵀ against n HVPs of xᵀAx
    assert all(s["programs"]["closed"]["bytes_accessed"] >= s["output_bytes"] for s in rec["sizes"] if s["n"] >= 8)
    # the report: a default run is needed for the page (the committed one, cut to two families: the page's plots
    # of all 38 families took 9 s to draw); the section and its plot come from the scaling run
    saved = json.loads((Path(__file__).resolve().parents[1] / "bench" / "results" / "latest.json").read_text())
    saved["identities"] = [r for r in saved["identities"] if r["family"] in ("forms", "vector")]
    assert saved["identities"], "the committed benchmark run has no forms or vector identity"
    (root / "bench" / "results" / "latest.json").write_text(json.dumps(saved))
    assert main(["bench", "--scaling", "--docs", "--from-json", str(out)]) == 0
    page = (root / "docs" / "benchmarks.md").read_text()
    assert page.count("## How cost grows") == 1 and "forms.xTAx_hessian" in page.split("## How cost grows")[1]
    assert (root / "docs" / "_static" / "bench" / "scaling-forms.png").exists()
    assert "![scaling-forms](_static/bench/scaling-forms.png)" in page
    assert main(["bench", "--docs", "--from-json", str(root / "bench" / "results" / "latest.json")]) == 0
    assert (root / "docs" / "benchmarks.md").read_text().count("## How cost grows") == 1  # kept on a re-write


@pytest.mark.parametrize(
    "argv",
    [["--quick"], ["--sizes", "8"], ["--docs", "--only", "hessians.*"], ["--only", "vector.Ax"]],
)
def test_bench_scaling_refuses_what_it_cannot_do(argv, capsys):
    assert main(["bench", "--scaling", *argv]) == 2
    assert "error:" in capsys.readouterr().err


def test_exponent_gap_sign():
    a = _record()["scaling"]
    assert scaling.lower_exponent(a)
    assert math.isclose(a["flop_gap"], 1.0, rel_tol=1e-9)
