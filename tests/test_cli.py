"""The command line: list, show, verify, with --json, and helpful errors."""

from __future__ import annotations

import json

import pytest

import identities
from identities.__main__ import main


def test_list_table_and_json(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "tensors.dK_dR" in out and f"{len(identities.catalog())} identities" in out
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == [i.id for i in identities.catalog()]
    assert all(d["sources"] for d in data)


def test_show_both_layouts_and_one(capsys):
    assert main(["show", "dK/dR"]) == 0
    out = capsys.readouterr().out
    assert "numerator" in out and "denominator" in out and "example" in out
    assert main(["show", "vector.Ax", "--layout", "denominator", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["id"] == "vector.Ax"
    A = d["example"]["inputs"]["A"]
    assert d["example"]["derivative"] == [list(r) for r in zip(*A, strict=True)]  # Aᵀ


def test_unknown_id_exits_2_with_suggestions(capsys):
    assert main(["show", "nrom.l2"]) == 2
    assert "did you mean norms.l2" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", [[], ["--json"]])
def test_verify_some(capsys, fmt):
    assert main(["verify", "norms.l2", "MC(70)", "--examples", "1", *fmt]) == 0
    out = capsys.readouterr().out
    if fmt:
        data = json.loads(out)
        assert data["ok"] and [r["identity"] for r in data["reports"]] == ["norms.l2", "vector.aTXb"]
    else:
        assert "2/2 identities verified" in out
