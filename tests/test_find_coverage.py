"""The matcher's coverage (issue 16), as the docs build checks it, and docs/find.md against a fresh run.

Both coverage checks share one evaluation (``identities.find.coverage`` is computed once per process).
When the catalog or the examples change, regenerate the page: ``python -m identities find --write-docs
docs/find.md``.
"""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import pytest

import identities
from identities._core import Tex, identity, staple
from identities.docsgen import identity_section
from identities.expr import ExprError
from identities.find import MIN_WITH_EXPR, UNSTATABLE, command, coverage, find, find_expr
from identities.find_page import render_page

PAGE = Path(__file__).resolve().parent.parent / "docs" / "find.md"


@pytest.fixture(scope="module")
def cov():
    return coverage()


def test_every_identity_is_found_from_its_own_function(cov):
    assert cov.not_found_by_function == ()


def test_declared_expressions_find_their_identities(cov):
    assert cov.not_found_by_expr == ()
    assert cov.with_expr >= MIN_WITH_EXPR
    assert cov.problems(MIN_WITH_EXPR) == []
    assert cov.problems(cov.with_expr + 1)  # the threshold is enforced


def test_unstatable_lists_exactly_the_identities_without_an_expression():
    without = {i.id for i in identities.catalog() if not i.find}
    assert set(UNSTATABLE) == without
    assert all(reason.strip() for reason in UNSTATABLE.values())


def test_complex_identities_are_looked_up_on_complex_draws_only(cov):
    complex_ids = {i.id for i in identities.catalog() if i.dtypes}
    assert len(complex_ids) >= 40
    # each is found from its function (cov) and carries an EXPR that finds it (conj, real, --complex)
    assert not complex_ids & set(cov.not_found_by_function) and not complex_ids & set(cov.not_found_by_expr)
    assert not complex_ids & set(UNSTATABLE)
    # on the real axis |z|^2 and z^2 agree with x^2: a real lookup must not offer the complex identities ...
    real = set(find(lambda x: x**2, "").ids)
    assert "scalar.square" in real and not complex_ids & real
    # ... and a complex lookup tells them apart
    assert find(lambda z: z * jnp.conj(z), "", complex_args=["z"]).ids == ["complex_basic.sq_abs"]
    assert find(lambda z: z**2, "", complex_args=["z"]).ids == ["complex_basic.z_squared"]
    # the command line spells the complex variables
    ident = identities.get("complex_basic.lstsq")
    assert "--complex A --complex z --complex b" in command(ident)
    hit = find_expr("norm(A @ z - b) ** 2", "z", {"A": "m n", "b": "m"}, complex_args=["A", "z", "b"])
    assert hit.ids == ["complex_basic.lstsq"]


def test_committed_page_equals_a_fresh_generation(cov):
    assert PAGE.exists(), "run: python -m identities find --write-docs docs/find.md"
    assert PAGE.read_text(encoding="utf-8") == render_page(), (
        "docs/find.md is out of date: python -m identities find --write-docs docs/find.md"
    )


def test_identity_pages_show_the_command_or_the_reason():
    ident = identities.get("trace.tr_AXB")
    section = identity_section(ident, None)
    assert command(ident) in section and "python -m identities find 'trace(A @ X @ B)' --wrt X" in section
    scalar = identities.get("basic.scaled")
    assert "--shape alpha=" in command(scalar)
    unstatable = identities.get("partial.d2l_chain_vector")
    assert "EXPR has no indexing" in identity_section(unstatable, None)


def _declare(find: str):
    return identity(
        f=lambda X, A: jnp.trace(X @ A),
        wrt="X",
        shapes={"X": "n n", "A": "n n"},
        tex=Tex(f="", num="", den=""),
        sources=[staple("test")],
        find=find,
    )


def test_a_declared_expression_is_parsed_and_checked_against_the_arguments():
    with pytest.raises(ValueError, match=r"uses \['B', 'X'\], f takes \['A', 'X'\]"):
        _declare("trace(X @ B)")(lambda X, A: A)
    with pytest.raises(ExprError, match="unknown function 'tr'"):
        _declare("tr(X @ A)")(lambda X, A: A)
