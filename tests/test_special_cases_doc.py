"""docs/special-cases.md is generated from the SpecialPoint records with JAX's answers measured now.

When a new special point lands (or JAX changes its answer), regenerate it:
``python -m identities special-cases --write docs/special-cases.md``.
"""

from __future__ import annotations

from pathlib import Path

from identities.__main__ import main
from identities.special import measure_all, render_markdown

PAGE = Path(__file__).resolve().parent.parent / "docs" / "special-cases.md"


def test_committed_page_equals_a_fresh_generation():
    fresh = render_markdown()
    assert PAGE.exists(), "run: python -m identities special-cases --write docs/special-cases.md"
    assert PAGE.read_text(encoding="utf-8") == fresh, (
        "docs/special-cases.md is out of date: python -m identities special-cases --write docs/special-cases.md"
    )


def test_one_row_per_point_with_the_measured_verdict():
    text = PAGE.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    ms = measure_all()
    assert len(rows) == len(ms)
    for row, m in zip(rows, ms, strict=True):
        assert row.startswith(f"| `{m.ident.id}` |") and m.point.label in row
        assert ("| yes |" in row) == (m.verdict == "valid")


def test_cli_check_and_write(tmp_path, capsys):
    assert main(["special-cases", "--check", str(PAGE)]) == 0
    stale = tmp_path / "special-cases.md"
    stale.write_text("old\n", encoding="utf-8")
    assert main(["special-cases", "--check", str(stale)]) == 1
    assert main(["special-cases", "--write", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == PAGE.read_text(encoding="utf-8")
    capsys.readouterr()
