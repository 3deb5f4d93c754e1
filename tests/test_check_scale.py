"""identities.check judges a candidate relative to the size of the derivative: the tolerance is rtol times
the larger magnitude of candidate and reference, and the report's relative error is the worst error over
that magnitude. Tiny (1e-6) and huge (1e6) gradients are where a tolerance that does not scale, or scales
the wrong way, shows (found by the mutation pass of issue 18: rtol / scale and a rel. error of inf both
passed the suite)."""

from __future__ import annotations

import numpy as np
import pytest

import identities
from identities.verify import TOLERANCES

X = np.array([0.3, -1.2, 0.7])
RTOL = TOLERANCES[np.dtype(np.float64)].autodiff


@pytest.mark.parametrize("c", [1e-6, 1.0, 1e6])
def test_a_correct_candidate_passes_and_a_wrong_one_fails_at_every_scale(c):
    def f(x):
        return c * (x @ x)

    assert identities.check(f, lambda x: 2 * c * x, X).ok
    off = 1e-6  # one part in a million: far above rounding, far below a scale of 1e6
    bad = identities.check(f, lambda x: 2 * c * (1 + off) * x, X)
    assert not bad.ok
    scale = 2 * c * (1 + off) * 1.2  # the larger magnitude of candidate and reference
    err = 2 * c * off * 1.2  # at the worst element, x = -1.2
    assert bad.worst_index == (1,)
    assert bad.max_abs_error == pytest.approx(err, rel=1e-9)
    assert bad.max_rel_error == pytest.approx(err / scale, rel=1e-9)
    assert bad.tolerance == pytest.approx(RTOL * scale, rel=1e-12)
