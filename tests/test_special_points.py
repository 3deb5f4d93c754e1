"""The L2 norm at 0 and functions written through it: the mathematics, and what JAX returns (seed 000).

‖x‖₂ is not differentiable at 0; its subdifferential there is the closed unit ball. ‖x‖₂² is
differentiable at 0 with gradient 0, but written through the norm its JAX gradient is NaN.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities.special import VERDICTS, format_value, measure, point_call, special_points


def test_l2_norm_at_zero_is_refused_by_the_closed_form():
    with pytest.raises(identities.PreconditionError, match="is zero"):
        identities.get("norms.l2").closed_form(np.zeros(4))


def test_jax_grad_of_norm_at_zero_is_nan_not_a_subgradient():
    g = np.asarray(jax.grad(jnp.linalg.norm)(jnp.zeros(3)))
    assert np.all(np.isnan(g)), f"JAX changed its answer at 0: {g}"  # documented in docs/special-cases


BALL_POINTS = [(i, sp) for i, sp in special_points() if "closed unit ball" in sp.math]


@pytest.mark.parametrize(("ident", "sp"), BALL_POINTS, ids=[f"{i.id}@{sp.label}" for i, sp in BALL_POINTS])
def test_recorded_subdifferential_is_the_unit_ball_by_its_definition(ident, sp):
    """The point's recorded ``valid`` (what check() and the conformance report judge by) against the
    definition: g is a subgradient of ‖·‖₂ at 0 iff ‖y‖ ≥ ⟨g, y⟩ for every y. For a given g the worst y
    is g itself (equality when ‖g‖ = 1), so the definition decides on y = g and random y's, and the
    recorded predicate must agree on candidates inside, on and outside the ball. For a complex variable
    the candidate is ∂f/∂z̄ and the real gradient it stands for is 2∂f/∂z̄ as (re, im) in ℝ²ⁿ."""
    rng = np.random.default_rng(0)
    n = int(np.size(point_call(ident, sp)[ident.wrt_index]))
    real_n = 2 * n if ident.is_complex else n
    ys = rng.normal(size=(2000, real_n))
    unit = np.zeros(real_n)
    unit[:2] = 0.6, 0.8
    candidates = [np.zeros(real_n), unit, np.roll(unit, 1) * [1, -1, *([1] * (real_n - 2))]]
    candidates += [
        u * r for u in rng.normal(size=(12, real_n)) for r in (0.5 / np.linalg.norm(u), 1.5 / np.linalg.norm(u))
    ]
    candidates += [unit * (1 + 1e-9), unit * 1.5]  # just and well outside
    for g in candidates:
        by_definition = (
            bool(np.all(np.linalg.norm(ys, axis=1) >= ys @ g - 1e-12))
            and float(g @ g) <= float(np.linalg.norm(g)) + 1e-12
        )
        cand = (g[:n] + 1j * g[n:]) / 2 if ident.is_complex else g
        assert sp.is_valid(cand) == by_definition, f"{ident.id} at {sp.label}: g = {g}, ‖g‖ = {np.linalg.norm(g)}"


def test_norm_squared_through_the_norm_at_zero():
    ident = identities.get("norms.l2_squared")
    x0 = jnp.zeros(3)
    assert np.all(np.isnan(np.asarray(jax.grad(ident.f)(x0))))  # JAX: NaN
    np.testing.assert_array_equal(ident.closed_form(np.zeros(3)), 0)  # the closed form: 0, the true gradient
    h = 1e-4  # finite differences agree with the closed form (the function is smooth at 0)
    fd = [(ident.f(x0.at[i].set(h)) - ident.f(x0.at[i].set(-h))) / (2 * h) for i in range(3)]
    np.testing.assert_allclose(fd, 0, atol=1e-12)
    # written as a dot product, JAX gets it right
    np.testing.assert_array_equal(np.asarray(jax.grad(identities.get("vector.xTx").f)(x0)), 0)


def test_l2_gradient_near_zero_stays_unit():
    # both sides of both thresholds of the plain branch (Σxᵢ² finite and >= tiny/eps², about 1e-138 < ‖x‖
    # < 1e154) and far outside them, where lax.cond takes the rescaled branch
    scales = (1e-300, 1e-170, 1e-150, 1e-139, 1e-137, 1e-8, 1.0, 1e150, 1e153, 1e155, 1e300)
    for s in scales:
        x = np.array([3.0, 4.0]) * s
        np.testing.assert_allclose(identities.get("norms.l2").closed_form(x), [0.6, 0.8], rtol=1e-15)
        a = np.array([1.0, 1.0]) * s  # x + a = (3, 4)s and x − a = (3, 4)s
        shifted = identities.get("norms.l2_shifted").closed_form(x - a, a)
        np.testing.assert_allclose(shifted, [0.6, 0.8], rtol=1e-15)
        np.testing.assert_allclose(identities.get("norms.l2_distance").closed_form(x + a, a), [0.6, 0.8], rtol=1e-15)


def test_linf_two_stage_argmax_is_the_first_largest():
    """vecnorms.linf finds k = argmax|xᵢ| by blocks for a long x: the same k as jnp.argmax, the first at a
    tie, with the largest entry in any block or in the n mod block tail."""
    from identities.families.vecnorms import _argmax_abs

    rng = np.random.default_rng(0)
    for n in (3, 4096, 4097, 10000):
        for case in range(3):
            x = rng.standard_normal(n)
            if case == 1:  # a three-way tie (with signs) for the largest |xᵢ|
                x[rng.choice(n, 3, replace=False)] = (np.abs(x).max() + 1) * np.array([-1.0, 1.0, -1.0])
            if case == 2:  # the largest in the tail, tied with one before it
                x[-1], x[rng.integers(n - 1)] = 100.0, -100.0
            assert int(jax.jit(_argmax_abs)(x)) == int(np.argmax(np.abs(x)))


def _special_cases():
    return [(i, sp) for i in identities.catalog() for sp in i.special]


def test_special_points_are_charted():
    """Every point issue 4 lists has a record (identities declared here or in the families they extend)."""
    charted = {(i.id, sp.label) for i, sp in _special_cases()}
    ids = {i for i, _ in charted}
    assert ids >= {
        "norms.l2",  # ‖x‖₂ at 0
        "norms.l2_distance",  # ‖x − a‖₂ at a
        "vecnorms.normalize",  # x/‖x‖₂ at 0
        "elementwise.abs",  # |x| at 0
        "elementwise.relu",  # max(x, 0) at 0
        "vecnorms.l1",  # the 1-norm at 0
        "vecnorms.linf",  # the ∞-norm at 0
        "matnorms.spectral",  # the spectral norm at 0 (and at a repeated σ₁)
        "matnorms.nuclear",  # the nuclear norm at 0
        "matrix.det_X",  # det's gradient at rank-deficient X
        "matrix.logabsdet_X",  # log|det| at singular X
        "spectral.eigvalsh",  # eigenvalue derivatives at a repeated eigenvalue
        "spectral.singular_values",  # singular-value derivatives at a repeated singular value
        "elementwise.sqrt",  # sqrt at 0
        "norms.l2_squared",  # ‖x‖₂² written through the norm, at 0
    }


POINTS = special_points()


@pytest.mark.parametrize(("ident", "sp"), POINTS, ids=[f"{i.id}@{sp.label}" for i, sp in POINTS])
def test_special_point(ident, sp):
    """What JAX returns, judged by membership in the record's set of valid answers; and the record itself.

    1. (test_jax_verdict_is_recorded_and_current) JAX's answer, measured now, has the verdict the
       record states (the docs page shows the same).
    2. The record is not vacuous: NaN and a far-off candidate are rejected (and the derivative + 1, where
       one exists).
    3. The closed form at the point refuses it with a PreconditionError naming an argument, or returns
       an answer the record accepts; at an unbounded point it must refuse.
    4. At a kink, the closed form just off the point (1e-13 away, relative, inside the smooth region) is a
       valid answer at the point: the set contains the limits of nearby derivatives. Where the derivative
       exists, the closed form 1e-8 away is within 1e-6 of it (even where the formula refuses the point
       itself, as det(X)X⁻ᵀ does at a singular X). At an unbounded point the closed form grows as the
       point is approached. No finite difference is taken anywhere.
    """
    m = measure(ident, sp)
    shape = m.value.shape
    assert not sp.is_valid(np.full(shape, np.nan))
    assert not sp.is_valid(np.full(shape, 10.0))
    if sp.status == "derivative":
        assert not sp.is_valid(np.asarray(sp.value, dtype=np.float64) + 1.0)

    args = point_call(ident, sp)  # the arguments, then the tangent or cotangent of a jvp or vjp identity
    try:
        at = np.asarray(ident.closed_form(*args))
    except identities.PreconditionError as e:
        assert str(e).startswith(ident.id) and "argument" in str(e)
    else:
        assert sp.status != "unbounded", f"{ident.id}: closed form accepted an unbounded point"
        assert sp.is_valid(at), f"{ident.id} at {sp.label}: closed form {format_value(at)} is not valid there"

    w = ident.wrt_index
    rng = np.random.default_rng(0)
    if sp.status == "unbounded":
        sizes = []
        for t in (1e-2, 1e-6):
            near = list(args)
            near[w] = args[w] + t * np.ones_like(args[w])
            sizes.append(float(np.linalg.norm(np.asarray(ident.closed_form(*near, check=False)))))
        assert np.isfinite(sizes).all() and sizes[1] > 10 * sizes[0], f"{ident.id}: no growth near {sp.label}: {sizes}"
    else:
        d = ident.structure(ident.wrt).tangent(rng.standard_normal(args[w].shape))
        scale = float(np.max(np.abs(args[w]))) or 1.0
        near = list(args)
        if sp.status == "kink":
            near[w] = args[w] + 1e-13 * scale * d
            limit = np.asarray(ident.closed_form(*near, check=False))
            assert sp.is_valid(limit), f"{ident.id}: {format_value(limit)} just off {sp.label} is not valid there"
        elif sp.status == "one-sided":  # the cuts charted are on the real axis: step off it up and down
            for side in (1j, -1j):
                near[w] = args[w] + side * 1e-13 * scale * np.ones_like(args[w])
                limit = np.asarray(ident.closed_form(*near, check=False))
                assert sp.is_valid(limit), f"{ident.id}: {format_value(limit)} on the {side} side is not valid"
        else:  # the derivative exists: the closed form converges to it
            near[w] = args[w] + 1e-8 * scale * d
            value = np.asarray(sp.value, dtype=np.float64)
            err = float(np.max(np.abs(np.asarray(ident.closed_form(*near, check=False)) - value)))
            assert err <= 1e-6 * max(1.0, float(np.max(np.abs(value)))), f"{ident.id}: off by {err:.3g} near {sp.label}"


def test_special_point_records_judge_candidates():
    l2 = identities.get("norms.l2").special[0]
    assert l2.is_valid(np.zeros(3)) and l2.is_valid([0.6, 0.8, 0.0])
    assert not l2.is_valid([0.9, 0.9, 0.0]) and not l2.is_valid([np.nan] * 3)
    sq = identities.get("norms.l2_squared").special[0]
    assert sq.is_valid(np.zeros(3)) and not sq.is_valid([np.nan] * 3)


@pytest.mark.parametrize(("ident", "sp"), POINTS, ids=[f"{i.id}@{sp.label}" for i, sp in POINTS])
def test_jax_verdict_is_recorded_and_current(ident, sp):
    """The record states what JAX returns here (valid / nan / inf / invalid), and that is still true."""
    m = measure(ident, sp)
    assert sp.jax_verdict in VERDICTS, (
        f"{ident.id} at {sp.label}: record the measured verdict: SpecialPoint(..., jax_verdict={m.verdict!r}) "
        f"(JAX returns {format_value(m.value)})"
    )
    assert m.verdict == sp.jax_verdict, (
        f"{ident.id} at {sp.label}: JAX now returns {format_value(m.value)} ({m.verdict}), the record says "
        f"{sp.jax_verdict}: update the record and regenerate docs/special-cases.md"
    )


def test_rescaled_norm_is_exact_where_x_plus_a_cancels():
    """The rescaled branch scales x and a by a power of two before combining them: x − a at x ≈ a ≈ 1e-123
    (differences of 3 and 1 ulp, below the plain branch's range) keeps every bit. Dividing x and a by
    max|x − a| instead rounds x/m near 2⁵⁰ and returned (0.970, 0.243) here for (0.949, 0.316)."""
    x0 = 1e-123
    u = np.spacing(x0)
    x = np.array([x0, x0, 2 * x0])
    a = np.array([x0 - 3 * u, x0 - u, 2 * x0])
    d = x - a  # exact (Sterbenz)
    want = d / np.linalg.norm(d)
    np.testing.assert_allclose(np.asarray(identities.get("norms.l2_distance").closed(x, a)), want, rtol=1e-15)
    np.testing.assert_allclose(np.asarray(identities.get("norms.l2_shifted").closed(x, -a)), want, rtol=1e-15)


def test_complex_special_points_are_charted():
    """The complex points issue 14 lists have records: |z| at 0, the phase at 0 and on both sides of its
    branch cut, √ and log on theirs (and ‖z‖₂ at 0, as for the real norm)."""
    charted = {(i.id, sp.label, sp.status) for i, sp in _special_cases() if i.is_complex}
    assert {
        ("complex_basic.abs_z", "z = 0", "kink"),
        ("complex_basic.norm2", "z = 0", "kink"),
        ("complex_basic.phase", "z = 0", "unbounded"),
        ("complex_basic.phase", "z = −1 + 0i (on the branch cut)", "one-sided"),
        ("complex_basic.phase", "z = −1 − 0i (on the branch cut)", "one-sided"),
        ("complex_basic.sqrt_z", "z = −4 − 0i (on the branch cut)", "one-sided"),
        ("complex_basic.log_z", "z = −4 − 0i (on the branch cut)", "one-sided"),
    } <= charted
    # the signed zeros survive into the point's arguments (they pick the side of the cut)
    phase = identities.get("complex_basic.phase")
    signs = [np.signbit(point_call(phase, sp)[0].imag) for sp in phase.special if sp.status == "one-sided"]
    assert signs == [False, True]


def test_complex_answers_are_judged_in_the_identitys_convention():
    """A framework's answer is read in its own convention before the point judges it: on the phase's cut
    JAX's i and PyTorch's −i are both ∂f/∂z̄ = −i/2 (valid); either one read in the other's convention is
    the conjugate, i/2, and is not."""
    from identities.special import read_complex

    phase = identities.get("complex_basic.phase")
    sp = next(sp for sp in phase.special if sp.status == "one-sided")
    args = tuple(point_call(phase, sp))
    assert sp.is_valid(read_complex(phase, np.asarray(1j), "jax", args))
    assert sp.is_valid(read_complex(phase, np.asarray(-1j), "torch", args))
    assert not sp.is_valid(read_complex(phase, np.asarray(1j), "torch", args))
    assert not sp.is_valid(read_complex(phase, np.asarray(-1j), "jax", args))
    # |z| at 0: the gradient's unit disk is the disk of radius 1/2 for ∂f/∂z̄; JAX's gradient 0.9 is valid,
    # 1.1 is not, and a Wirtinger derivative 0.9 read as such is not (a factor 2 apart)
    absz = identities.get("complex_basic.abs_z")
    at0 = absz.special[0]
    z0 = tuple(point_call(absz, at0))
    assert at0.is_valid(read_complex(absz, np.asarray(0.9 + 0j), "jax", z0))
    assert not at0.is_valid(read_complex(absz, np.asarray(1.1 + 0j), "jax", z0))
    assert not at0.is_valid(np.asarray(0.9 + 0j))
    # √ on the cut: f′ from either side (±i/4) is valid, its conjugate's negation is not the other side
    sq = identities.get("complex_basic.sqrt_z").special[0]
    assert sq.is_valid(np.asarray(0.25j)) and sq.is_valid(np.asarray(-0.25j)) and not sq.is_valid(np.asarray(0.25))
