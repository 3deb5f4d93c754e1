"""Every precondition the catalog declares can be violated on purpose, and its check notices."""

from __future__ import annotations

import numpy as np
import pytest

from identities import catalog
from identities._structures import ANY


def _declared():
    seen = {}
    for ident in catalog():
        for arg, s in ident.requires.items():
            if s is not ANY:
                seen.setdefault(s.name, (s, ident, arg))
        for j in ident.joint:
            seen.setdefault(j.name, (j, ident, None))
    return sorted(seen.items())


@pytest.mark.parametrize("name,entry", _declared(), ids=[n for n, _ in _declared()])
def test_structure_has_a_counterexample_that_its_check_flags(name, entry, rng):
    s, ident, arg = entry
    assert s.counterexample is not None, f"{name} (used by {ident.id}) has no counterexample()"
    shapes = ident.arg_shapes(ident.size_assignments()[0])
    values = {a: rng.standard_normal(shapes[a]) for a in ident.argnames}
    if arg is None:  # a joint condition
        values = s.build(values)
        assert s.violation(values, 1e-12) is None
        bad = s.counterexample(values)
        assert bad is not None and s.violation(bad, 1e-12), f"{name}: counterexample not flagged"
        return
    good = s.build(values[arg])
    assert s.violation(good, 1e-12) is None, f"{name}: built member flagged: {s.violation(good, 1e-12)}"
    bad = s.counterexample(good)
    assert bad is not None, f"{name}: no counterexample at shape {good.shape}"
    assert np.shape(bad) == np.shape(good)
    assert s.violation(np.asarray(bad), 1e-12), f"{name}: counterexample {bad} not flagged"
