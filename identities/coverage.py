"""Coverage of the references: which equations are identities here, and which are out of scope and why.

An equation of the Matrix Cookbook's chapter 2, (32)–(144) in the 15 November 2012 edition, is covered
when some identity cites it (``mc(n)`` in its sources) or when it is listed below with the reason it
cannot be an identity of this suite (a definition, a complex-valued form under a convention not
supported yet, ...). ``tests/test_coverage.py`` asserts that every number is one or the other.

The same holds for the rows of Wikipedia's "Matrix calculus" identity tables: ``WIKI_ROWS`` lists every
row as ``"<table>: <left-hand side>"``, exactly the ``loc`` of the ``wiki(...)`` source that an identity
cites it with; a row that cannot be an identity is in ``WIKI_OUT_OF_SCOPE`` with the reason.
"""

from __future__ import annotations

MC_CHAPTER2 = range(32, 145)

# equation number -> why it is not an identity here
MC_OUT_OF_SCOPE: dict[int, str] = {
    # --- (32)-(98) ---
    # --- (99)-(144) ---
}


# Wikipedia tables: every row, as "<table>: <lhs>" (the loc of the citing identity's wiki() source)
WIKI_ROWS: tuple[str, ...] = (
    # --- vector-by-vector, scalar-by-vector, scalar-by-matrix (non-trace rows, determinants) ---
    "vector-by-vector: ∂Ax/∂x",
    "vector-by-vector: ∂xᵀA/∂x",
    # --- scalar-by-matrix trace rows, vector-by-scalar, matrix-by-scalar, scalar-by-scalar, differentials ---
)

# row -> why it is not an identity here
WIKI_OUT_OF_SCOPE: dict[str, str] = {
    # --- vector-by-vector, scalar-by-vector, scalar-by-matrix (non-trace rows, determinants) ---
    # --- scalar-by-matrix trace rows, vector-by-scalar, matrix-by-scalar, scalar-by-scalar, differentials ---
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
                if "-" in part:
                    lo, hi = (int(p) for p in part.split("-"))
                    nums = range(lo, hi + 1)
                else:
                    nums = [int(part)]
                for n in nums:
                    out.setdefault(n, []).append(ident.id)
    return out
