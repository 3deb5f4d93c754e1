"""Every known answer whose source printed something else is an erratum: the closed form must give the
correct value and not the printed one, and docs/errata.md must record it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import identities

ERRATA = Path(__file__).resolve().parents[1] / "docs" / "errata.md"
CASES = [(i, ex) for i in identities.catalog() for ex in i.examples if ex.claimed is not None]


def test_there_are_errata():
    assert CASES


@pytest.mark.parametrize(("ident", "ex"), CASES, ids=[f"{i.id}:{ex.source.loc}" for i, ex in CASES])
def test_erratum_recorded_and_refuted(ident, ex):
    args = [np.asarray(ex.args[a], dtype=np.float64) for a in ident.argnames]
    got = np.asarray(ident.closed_form(*args))
    np.testing.assert_allclose(got, ex.value, rtol=1e-12)
    assert not np.allclose(got, ex.claimed, rtol=1e-6), "the printed value should be refuted"
    text = ERRATA.read_text(encoding="utf-8")
    assert f"`{ident.id}`" in text, f"docs/errata.md does not mention {ident.id}"
