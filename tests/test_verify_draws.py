"""verify's unconstrained draws cover the same range as the hypothesis strategies, [-2, 2], both signs
(found by the mutation pass of issue 18: a draw from [-4, 2] passed the suite)."""

from __future__ import annotations

import re

import numpy as np

from identities.strategies import _ELEMENTS
from identities.verify import raw_draw


def test_raw_draw_is_uniform_on_the_strategies_interval():
    bounds = re.search(r"min_value=([-.\d]+), max_value=([-.\d]+)", repr(_ELEMENTS))
    assert bounds, repr(_ELEMENTS)
    lo, hi = (float(b) for b in bounds.groups())
    assert (lo, hi) == (-2.0, 2.0)
    d = raw_draw(np.random.default_rng(18), (20_000,))
    assert d.min() >= lo and d.max() <= hi
    # uniform on [-2, 2]: each quarter of the interval holds about a quarter of the draws (4.3 sigma slack)
    counts, _ = np.histogram(d, bins=4, range=(lo, hi))
    assert np.all(np.abs(counts - 5000) < 300), counts
    assert d.min() < lo + 0.01 and d.max() > hi - 0.01
