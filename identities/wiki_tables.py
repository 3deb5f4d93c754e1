"""The rows of the identity tables of Wikipedia's "Matrix calculus" article, as data.

Each row is ``"<table>: <left-hand side>"``, the ``loc`` that an identity cites it with (``wiki(loc)``).
``coverage.WIKI_ROWS`` is this list; ``tests/test_coverage_wiki.py`` asserts that every row is cited by an
identity or listed in ``coverage.WIKI_OUT_OF_SCOPE`` with a reason, and that every ``wiki()`` citation
names a row.

Provenance. Transcribed by hand, row by row and in the article's order, from a Markdown copy of the article
("Source: Matrix Calculus; License: Wikipedia content is available under CC BY-SA 4.0") held by the public
code index this project searches (file id 58899989360, 86,471 characters; its repository is not named by
the index). The copy carries no revision id or date; its reference list cites Liu et al., Statistical
Papers 65(4) (2024) and links Tensorgrad and the Tensor Cookbook, so it was taken from a revision of 2024
or later. ``REVISION`` says this.

Left-hand sides are written as the article writes them (its ``×`` in the vector-by-scalar table is the
matrix product; its ``Xⁿ`` keeps the letter n). The article's "Conversion from differential to derivative
form" table is not listed: its rows are the definitions of the layouts (dy = a dx means dy/dx = a), not
identities.
"""

from __future__ import annotations

ARTICLE = 'Wikipedia, "Matrix calculus", section "Identities"'
REVISION = (
    "undated transcription (public code index, file id 58899989360); it cites a 2024 paper, so a revision of "
    "2024 or later"
)

# (table key used in the row labels, the article's caption, the rows' left-hand sides in the article's order)
TABLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "vector-by-vector",
        "Identities: vector-by-vector ∂y/∂x",
        (
            "∂a/∂x",
            "∂x/∂x",
            "∂Ax/∂x",
            "∂xᵀA/∂x",
            "∂au/∂x",
            "∂va/∂x",
            "∂vu/∂x",
            "∂Au/∂x",
            "∂(u+v)/∂x",
            "∂g(u)/∂x",
            "∂f(g(u))/∂x",
        ),
    ),
    (
        "scalar-by-vector",
        "Identities: scalar-by-vector ∂y/∂x = ∇ₓy",
        (
            "∂a/∂x",
            "∂au/∂x",
            "∂(u+v)/∂x",
            "∂uv/∂x",
            "∂g(u)/∂x",
            "∂f(g(u))/∂x",
            "∂(u·v)/∂x",
            "∂(u·Av)/∂x",
            "∂²f/∂x∂xᵀ",
            "∂(a·x)/∂x",
            "∂bᵀAx/∂x",
            "∂xᵀAx/∂x",
            "∂xᵀAx/∂x, A symmetric",
            "∂²xᵀAx/∂x∂xᵀ",
            "∂²xᵀAx/∂x∂xᵀ, A symmetric",
            "∂(x·x)/∂x",
            "∂(a·u)/∂x",
            "∂aᵀxxᵀb/∂x",
            "∂(Ax+b)ᵀC(Dx+e)/∂x",
            "∂‖x − a‖/∂x",
        ),
    ),
    (
        "vector-by-scalar",
        "Identities: vector-by-scalar ∂y/∂x",
        ("∂a/∂x", "∂au/∂x", "∂Au/∂x", "∂uᵀ/∂x", "∂(u+v)/∂x", "∂(uᵀ×v)/∂x", "∂g(u)/∂x", "∂f(g(u))/∂x", "∂(U×v)/∂x"),
    ),
    (
        "scalar-by-matrix",
        "Identities: scalar-by-matrix ∂y/∂X",
        (
            "∂a/∂X",
            "∂au/∂X",
            "∂(u+v)/∂X",
            "∂uv/∂X",
            "∂g(u)/∂X",
            "∂f(g(u))/∂X",
            "∂g(U)/∂X_ij",
            "∂aᵀXb/∂X",
            "∂aᵀXᵀb/∂X",
            "∂f(Xa+b)/∂X",
            "∂(Xa+b)ᵀC(Xa+b)/∂X",
            "∂(Xa)ᵀC(Xb)/∂X",
            "∂tr(X)/∂X",
            "∂tr(U+V)/∂X",
            "∂tr(aU)/∂X",
            "∂tr(g(X))/∂X",
            "∂tr(AX)/∂X",
            "∂tr(AXᵀ)/∂X",
            "∂tr(XᵀAX)/∂X",
            "∂tr(X⁻¹A)/∂X",
            "∂tr(AXB)/∂X",
            "∂tr(AXBXᵀC)/∂X",
            "∂tr(Xⁿ)/∂X",
            "∂tr(AXⁿ)/∂X",
            "∂tr(e^X)/∂X",
            "∂tr(sin(X))/∂X",
            "∂|X|/∂X",
            "∂ln|aX|/∂X",
            "∂|AXB|/∂X",
            "∂|Xⁿ|/∂X",
            "∂ln|XᵀX|/∂X",
            "∂ln|XᵀX|/∂X⁺",
            "∂|XᵀAX|/∂X, X square and invertible",
            "∂|XᵀAX|/∂X, X not square, A symmetric",
            "∂|XᵀAX|/∂X, X not square, A not symmetric",
        ),
    ),
    (
        "matrix-by-scalar",
        "Identities: matrix-by-scalar ∂Y/∂x",
        (
            "∂aU/∂x",
            "∂AUB/∂x",
            "∂(U+V)/∂x",
            "∂(UV)/∂x",
            "∂(U⊗V)/∂x",
            "∂(U∘V)/∂x",
            "∂U⁻¹/∂x",
            "∂²U⁻¹/∂x∂y",
            "∂g(xA)/∂x",
            "∂e^{xA}/∂x",
        ),
    ),
    (
        "scalar-by-scalar with vectors",
        "Identities: scalar-by-scalar, with vectors involved",
        ("∂g(u)/∂x", "∂(u·v)/∂x"),
    ),
    (
        "scalar-by-scalar with matrices",
        "Identities: scalar-by-scalar, with matrices involved",
        ("∂|U|/∂x", "∂ln|U|/∂x", "∂²|U|/∂x²", "∂g(U)/∂x", "∂tr(g(xA))/∂x", "∂tr(e^{xA})/∂x"),
    ),
    (
        "differentials",
        "Differential identities: scalar involving matrix",
        ("d(tr(X))", "d(det(X))", "d(ln(det(X)))"),
    ),
    (
        "differentials",
        "Differential identities: matrix",
        (
            "d(A)",
            "d(aX)",
            "d(X+Y)",
            "d(XY)",
            "d(X⊗Y)",
            "d(X∘Y)",
            "d(Xᵀ)",
            "d(X⁻¹)",
            "d(Xᴴ)",
            "d(Xⁿ)",
            "d(e^X)",
            "d(log(X))",
            "d(f(X)) for diagonalizable X",
        ),
    ),
)


def rows() -> tuple[str, ...]:
    """Every row as ``"<table>: <lhs>"``, in the article's order."""
    return tuple(f"{key}: {lhs}" for key, _caption, lhss in TABLES for lhs in lhss)
