"""Every row of Wikipedia's matrix-calculus tables (identities.wiki_tables, the article's row list with its
provenance) is an identity or out of scope, and every wiki() citation names one of its rows."""

from __future__ import annotations

from collections import Counter

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


def test_wiki_rows_are_unique():
    """A row listed twice would hide a missing one (the article's row count no longer matches)."""
    twice = sorted(row for row, n in Counter(WIKI_ROWS).items() if n > 1)
    assert not twice, f"rows listed more than once in identities.wiki_tables: {twice}"
