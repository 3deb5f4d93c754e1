"""Every ``--json`` report is JSON that a strict parser reads: NaN and infinities, which Python's json
module writes as the non-JSON words NaN and Infinity, are written as the strings "nan", "inf", "-inf"."""

from __future__ import annotations

import json

import numpy as np
import pytest

from identities import jsonout
from identities.__main__ import main


def _strict(text: str):
    def refuse(word: str):
        raise ValueError(f"not JSON: {word}")

    return json.loads(text, parse_constant=refuse)


def test_non_finite_numbers_become_strings_that_float_reads_back():
    obj = {"a": float("nan"), "b": [np.inf, -np.inf, 1.5], "c": np.array([[np.nan, 2.0]]), "d": np.float64(3)}
    got = _strict(jsonout.dumps(obj))
    assert got == {"a": "nan", "b": ["inf", "-inf", 1.5], "c": [["nan", 2.0]], "d": 3.0}
    assert np.isnan(float(got["a"])) and float(got["b"][1]) == -np.inf


def test_eval_json_at_a_special_point_is_strict_json(capsys):
    """The gradient of ‖x‖₂ at 0 is 0/0: the report says "nan", in JSON."""
    assert main(["eval", "norms.l2", "--arg", "x=[0, 0]", "--no-check", "--json"]) == 0
    got = _strict(capsys.readouterr().out)
    assert got["value"] == ["nan", "nan"]


@pytest.mark.parametrize("argv", [["list", "--json", "--family", "norms"], ["show", "norms.l2", "--json"]])
def test_other_reports_stay_strict_json(argv, capsys):
    assert main(argv) == 0
    _strict(capsys.readouterr().out)
