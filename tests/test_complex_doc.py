"""docs/complex.md is what the suite computes and measures now (identities/complex_doc.py renders it)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'identities[torch]'): the page measures it")

from identities import complex_doc


def test_complex_md_is_generated_from_the_suite():
    text = complex_doc.PAGE.read_text()
    rendered = complex_doc.render()
    assert text == rendered, (
        "docs/complex.md differs from what the suite computes; regenerate it with "
        "python -c 'import identities.complex_doc as c; c.write()'"
    )


def test_complex_md_shows_every_complex_identity_and_the_measured_conjugates():
    import identities

    text = complex_doc.PAGE.read_text()
    for ident in identities.catalog():
        if ident.is_complex:
            assert f"| `{ident.id}` |" in text
    assert "= **2 − 4i** (the `jax`" in text and "= **2 + 4i** (the `torch` row" in text
