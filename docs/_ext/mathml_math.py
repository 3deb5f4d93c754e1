"""Sphinx HTML math renderer: LaTeX -> MathML Core at build time (math-core).

No JavaScript, no CDN: the browser draws MathML itself, with the vendored Latin Modern Math font
(_static/mathml.css). Bad TeX is a located warning (file:line) plus a visible ``.math-error`` span, so a
strict build (``-W``) fails on it. Recipe: /shared/docs-tooling.md.
"""

from __future__ import annotations

from html import escape

import math_core
from docutils import nodes
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)
# annotation=True would add the TeX as <annotation>; it then shows up twice in search snippets
_CONV = math_core.LatexToMathML(fancy_error=False)


def to_mathml(tex: str, display: bool) -> str:
    """MathML for ``tex``; raises ``math_core.LatexError`` on bad TeX."""
    return _CONV.convert_with_local_state(tex, displaystyle=display)


def _mml(node: nodes.Element, display: bool) -> str:
    tex = node.astext()
    try:
        return to_mathml(tex, display)
    except math_core.LatexError as exc:
        logger.warning("bad TeX %r: %s", tex, exc, type="mathml", location=node)
        return f'<span class="math-error">{escape(tex)}</span>'


def visit_math(self, node):
    self.body.append(self.starttag(node, "span", "", CLASS="math"))
    self.body.append(_mml(node, False) + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node):
    self.body.append(self.starttag(node, "div", CLASS="math"))
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(_mml(node, True) + "</div>\n")
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
