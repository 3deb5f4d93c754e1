"""Every row of Wikipedia's matrix-calculus tables listed in coverage.WIKI_ROWS is an identity or out of scope."""

from __future__ import annotations

import pytest

from identities.coverage import WIKI_OUT_OF_SCOPE, WIKI_ROWS, wiki_cited

CITED = wiki_cited()


@pytest.mark.parametrize("row", WIKI_ROWS)
def test_wiki_row_is_covered(row):
    assert row in CITED or row in WIKI_OUT_OF_SCOPE, f"Wikipedia row {row!r} is neither cited nor out of scope"


def test_every_cited_row_is_listed():
    unlisted = sorted(set(CITED) - set(WIKI_ROWS))
    assert not unlisted, f"wiki() sources that are not rows of coverage.WIKI_ROWS: {unlisted}"


@pytest.mark.parametrize("row", sorted(WIKI_OUT_OF_SCOPE))
def test_wiki_out_of_scope_has_a_reason(row):
    assert row in WIKI_ROWS and WIKI_OUT_OF_SCOPE[row].strip()
    assert row not in CITED, f"{row!r} is both out of scope and cited by {CITED[row]}"
