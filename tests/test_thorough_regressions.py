"""Failures of the long hypothesis profile (IDENTITIES_PROFILE=thorough), each on a fixed input that
reproduces it deterministically in the default profile. Each test names the cause; the fix is in the
closed form, the precondition or the comparison's scale, never in a tolerance."""

from __future__ import annotations

import numpy as np

import identities
from identities.verify import build_inputs, check_inputs


def _failures(ident_id, args, extra=None, raw=False):
    ident = identities.get(ident_id)
    if raw:  # hypothesis's unconstrained draw: build the valid input as strategies.inputs does
        args = build_inputs(ident, {k: np.asarray(v, dtype=np.float64) for k, v in args.items()})
    return [r.describe(ident_id) for r in check_inputs(ident, args, extra) if not r.ok]


# --- differentials.d_fX_divdiff: geev's balancing at entries of 1e-116 ---------------------------------------
def test_divdiff_eigenvectors_of_a_badly_scaled_matrix():
    """X = B D B⁻¹ with eigenvalues -0.5, 0, 0.5 (well separated, cond(B) < 2) but entries of 4e-116 next
    to 0.125: LAPACK's balancing inside jnp.linalg.eig returned an eigenvector with residual 0.44, and the
    closed form was off by 0.67 relative (thorough run, d_fX_divdiff[0])."""
    e = 3.92472674e-116
    raw = {"X": [[e, 1.0, e], [e, e, e], [e, e, e]]}
    assert not _failures("differentials.d_fX_divdiff", raw, np.ones((3, 3)), raw=True)


def test_eig_reflected_gives_true_eigenvectors_where_plain_eig_does_not():
    import jax.numpy as jnp

    from identities.families.differentials import _eig_reflected

    ident = identities.get("differentials.d_fX_divdiff")
    e = 3.92472674e-116
    X = build_inputs(ident, {"X": np.array([[e, 1.0, e], [e, e, e], [e, e, e]])})["X"]
    lam, B = jnp.linalg.eig(X)
    B, lam = np.asarray(B.real), np.asarray(lam.real)
    assert np.max(np.abs(X @ B - B * lam[None, :])) > 0.1  # what geev returns (why the reflection)
    lam, B = (np.asarray(a) for a in _eig_reflected(X))
    assert np.max(np.abs(X @ B - B * lam[None, :])) < 1e-14
    assert np.allclose(np.sort(lam), [-0.5, 0.0, 0.5], atol=1e-15)
