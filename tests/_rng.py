"""Per-test random generators: each test draws from its own generator, seeded from its node id, so a test
draws the same inputs whether it runs in the whole suite, alone (``-k``, a node id) or in another order.

A module-level generator shared by a module's tests hands each test whatever the tests before it left:
then ``-k`` draws different inputs than a full run, and a failure found in one cannot be replayed in
the other. Import the fixture into a conftest (``from _rng import rng``); this module imports only NumPy,
so tests/test_rng.py can run it in a bare pytest.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest


def seed_for(nodeid: str) -> int:
    """A 64-bit seed from a test's node id (stable across processes, unlike ``hash``)."""
    return int.from_bytes(hashlib.sha256(nodeid.encode("utf-8")).digest()[:8], "little")


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator of this test's own, seeded from its node id."""
    return np.random.default_rng(seed_for(request.node.nodeid))
