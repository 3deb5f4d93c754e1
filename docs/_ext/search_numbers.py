"""Make Sphinx search find pure numbers, e.g. "49" -> Matrix Cookbook eq. (49).

Sphinx drops digit-only words twice: the indexer's ``word_filter`` and ``searchtools.js`` (which skips
``/^\\d+$/`` query terms). This undoes both, and fails the build loudly if Sphinx changes the file.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.search.en import SearchEnglish

_JS_SKIP = " || queryTerm.match(/^\\d+$/)"


class SearchEnglishWithNumbers(SearchEnglish):
    lang = "en"

    def word_filter(self, word: str) -> bool:
        return word not in self.stopwords


def _patch_searchtools(app, exception):
    if exception or app.builder.format != "html":
        return
    js = Path(app.outdir, "_static", "searchtools.js")
    text = js.read_text(encoding="utf-8")
    if _JS_SKIP in text:
        js.write_text(text.replace(_JS_SKIP, ""), encoding="utf-8")
    elif "queryTerm.match(/^\\d+$/)" in text:  # changed upstream: fail loudly instead of silently
        raise ExtensionError("searchtools.js changed upstream: update docs/_ext/search_numbers.py")


def setup(app):
    app.add_search_language(SearchEnglishWithNumbers)
    app.connect("build-finished", _patch_searchtools)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
