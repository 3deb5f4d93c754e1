"""Coverage of the references: which equations are identities here, and which are out of scope and why.

An equation of the Matrix Cookbook's chapter 2, (32)–(144) in the 15 November 2012 edition, is covered
when some identity cites it (``mc(n)`` in its sources) or when it is listed below with the reason it
cannot be an identity of this suite (a definition, a complex-valued form under a convention not
supported yet, ...). ``tests/test_coverage.py`` asserts that every number is one or the other.

The same holds for the rows of Wikipedia's "Matrix calculus" identity tables: ``WIKI_ROWS`` is the
article's row list (``wiki_tables``, transcribed with its provenance and revision), each row as
``"<table>: <left-hand side>"``, exactly the ``loc`` of the ``wiki(...)`` source that an identity cites it
with; a row that cannot be an identity is in ``WIKI_OUT_OF_SCOPE`` with the reason.
"""

from __future__ import annotations

from . import wiki_tables

MC_CHAPTER2 = range(32, 145)

# equation number -> why it is not an identity here
MC_OUT_OF_SCOPE: dict[int, str] = {
    # --- (32)-(98) ---
    # --- (99)-(144) ---
    134: "a definition: the structure matrix S^ij = ∂A/∂A_ij (J^ij + J^ji − J^ij∘J^ij for symmetric A); "
    "it enters the identities of (133), (138)–(144) through their conventions (verify.CONVENTION_MAPS)",
    135: "notation: names the derivative of g(U), U = f(X), that (136)–(137) then give (structured.chain_rule_trace)",
}


# Wikipedia tables: every row, as "<table>: <lhs>" (the loc of the citing identity's wiki() source), kept as
# data with its provenance and revision in wiki_tables
WIKI_ROWS: tuple[str, ...] = wiki_tables.rows()

# row -> why it is not an identity here
WIKI_OUT_OF_SCOPE: dict[str, str] = {
    # --- vector-by-vector, scalar-by-vector, scalar-by-matrix (non-trace rows, determinants) ---
    "scalar-by-vector: ∂²f/∂x∂xᵀ": "the definition of the Hessian (= Hᵀ in numerator layout), not an identity; "
    "every Hessian identity (kind='hessian', e.g. forms.xTAx_hessian) is checked against jax.hessian",
    # --- scalar-by-matrix trace rows, vector-by-scalar, matrix-by-scalar, scalar-by-scalar, differentials ---
    "vector-by-scalar: ∂uᵀ/∂x": "a statement about orientation (a row is the transpose of a column); arrays here "
    "carry no orientation, and the entries are those of ∂u/∂x (by_scalar.vs_matrix_times and the other rows)",
    "differentials: d(Xᴴ)": "complex conjugate transpose: the suite is real-valued; for real X it is d(Xᵀ) "
    "(differentials.d_transpose)",
}


# Chapter 4, complex matrices: (225)–(259) in the same edition.
MC_CHAPTER4 = range(225, 260)

MC_CHAPTER4_OUT_OF_SCOPE: dict[int, str] = {
    225: "not a derivative: the complex product pq written as a real 2×2 matrix acting on (ℜq, ℑq)",
    **{
        n: "page 25 of the 15 November 2012 edition (the complex gradient's definition (231)–(233) and the rules "
        "that follow it up to (241)) was not available to this session: the stored copies found hold pages 24, 26 "
        "and 27 only, so these equations are not checked here. The complex gradient itself is the 'cookbook' "
        "convention of identities.wirtinger, as (248) on page 26 uses it (∇ = 2∂/∂X*)."
        for n in range(231, 242)
    },
    **{
        n: "not a derivative: the inverse of a complex sum A + iB with real A, B through E = A + tB, F = B − tA "
        "(section 4.3), an algebraic identity outside a catalog of derivatives"
        for n in range(253, 260)
    },
}


def wiki_cited() -> dict[str, list[str]]:
    """Wikipedia row -> ids of the identities citing it."""
    from ._core import catalog

    out: dict[str, list[str]] = {}
    for ident in catalog():
        for s in ident.sources:
            if s.ref == "W":
                out.setdefault(s.loc, []).append(ident.id)
    return out


def mc_cited() -> dict[int, list[str]]:
    """Cookbook equation number -> ids of the identities citing it."""
    from ._core import catalog

    out: dict[int, list[str]] = {}
    for ident in catalog():
        for s in ident.sources:
            if s.ref != "MC":
                continue
            for part in s.loc.strip("()").replace("–", "-").split(","):
                part = part.strip()
                if not part.replace("-", "").isdigit():  # an unnumbered passage, e.g. "§2.2, the rule after (64)"
                    continue
                if "-" in part:
                    lo, hi = (int(p) for p in part.split("-"))
                    nums = range(lo, hi + 1)
                else:
                    nums = [int(part)]
                for n in nums:
                    out.setdefault(n, []).append(ident.id)
    return out
