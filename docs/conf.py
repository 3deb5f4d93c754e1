"""Sphinx configuration of the reference site. Build with ``python -m identities docs build``.

That command first writes the registry's pages into ``docs/catalog/`` (git-ignored; see
identities/docsgen.py), then runs Sphinx strictly into ``_site/``. Math becomes MathML at build time
(docs/_ext/mathml_math.py); nothing is loaded from the network at build or view time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "identities: matrix calculus, checked"
author = "the identities project"
copyright = "the identities project"

extensions = ["myst_parser", "mathml_math", "search_numbers", "identity_site"]
myst_enable_extensions = ["dollarmath", "amsmath"]  # $..$, $$..$$, \$ escapes, amsmath environments
html_math_renderer = "mathml"  # Sphinx's default would load MathJax from a CDN
html_theme = "furo"
html_title = "identities"
html_static_path = ["_static"]
html_css_files = ["mathml.css"]
html_copy_source = False
html_show_sourcelink = False
exclude_patterns = ["_build", "_ext", "_static", "**/README.md"]
suppress_warnings: list[str] = []
# Smart quotes walk every text node of every page: 4 s of a 22 s Sphinx run here. Prose keeps straight
# quotes, which also keeps quoted ids and commands copyable as typed.
smartquotes = False

root_doc = "index"
# hand-written pages that other work adds; the toctree names them and they are dropped while absent
optional_docs = ["checking", "special-cases", "conformance", "framework-findings", "benchmarks"]

# label (lower case) -> identity id, written by the generator next to the pages it generates
_anchors = HERE / "catalog" / "anchors.json"
identity_anchors = json.loads(_anchors.read_text(encoding="utf-8")) if _anchors.exists() else {}
html_search_scorer = str(HERE / "_ext" / "search_scorer.js")  # names the identity in search results (see the file)
