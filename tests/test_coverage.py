"""Every equation (32)–(144) of the Matrix Cookbook is an identity here or listed as out of scope."""

from __future__ import annotations

import pytest

from identities.coverage import MC_CHAPTER2, MC_CHAPTER4, MC_CHAPTER4_OUT_OF_SCOPE, MC_OUT_OF_SCOPE, mc_cited

CITED = mc_cited()


@pytest.mark.parametrize("eq", list(MC_CHAPTER2))
def test_mc_equation_is_covered(eq):
    assert eq in CITED or eq in MC_OUT_OF_SCOPE, f"MC ({eq}) is neither an identity nor listed out of scope"


@pytest.mark.parametrize("eq", sorted(MC_OUT_OF_SCOPE))
def test_out_of_scope_has_a_reason_and_no_identity(eq):
    assert MC_OUT_OF_SCOPE[eq].strip()
    assert eq not in CITED, f"MC ({eq}) is both out of scope and cited by {CITED[eq]}"


@pytest.mark.parametrize("eq", list(MC_CHAPTER4))
def test_mc_chapter4_equation_is_covered(eq):
    assert eq in CITED or eq in MC_CHAPTER4_OUT_OF_SCOPE, f"MC ({eq}) is neither an identity nor listed out of scope"


@pytest.mark.parametrize("eq", sorted(MC_CHAPTER4_OUT_OF_SCOPE))
def test_chapter4_out_of_scope_has_a_reason_and_no_identity(eq):
    assert MC_CHAPTER4_OUT_OF_SCOPE[eq].strip()
    assert eq not in CITED, f"MC ({eq}) is both out of scope and cited by {CITED[eq]}"


@pytest.mark.parametrize("eq", [45, 89])
def test_the_complex_rules_of_chapter2_are_identities(eq):
    assert eq in CITED and all(i.startswith("complex_") for i in CITED[eq])
