"""Shared helpers of the test suite."""

from __future__ import annotations

import os

import pytest

import identities

PROFILE = os.environ.get("IDENTITIES_PROFILE", "default")


def sized_params() -> list:
    """(identity, sizes) pairs: the first size assignment by default, all of them when thorough."""
    out = []
    for ident in identities.catalog():
        assignments = ident.size_assignments()
        for k, sizes in enumerate(assignments if PROFILE == "thorough" else assignments[:1]):
            out.append(pytest.param(ident, sizes, id=f"{ident.id}[{k}]"))
    return out
