"""Every worked number the seeds print, read from the seeds' own text and compared with the registry.

The numbers are not typed in here: each comes from a quotation of the seed (file, line, text), and
test_quotations_are_the_seeds_own_text checks every quotation against /work/shared/seeds (the repository's
sibling ``shared/seeds``). Seeds are teaching material and their numbers are claims: where a seed is wrong
(the drone's 8/√5) the identity's Example records the claim and docs/errata.md the erratum
(tests/test_errata.py keeps the two in step). Formulas the seeds state without numbers (‖x‖₂² → 2x,
‖x + a‖₂ → (x + a)/‖x + a‖₂, the chain-rule examples) are proved by ``verify`` on the identities that cite
them, not re-typed here.
"""

from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import identities

EPS = float(np.finfo(np.float64).eps)
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
FILES = {"000": "000_86380d4fb62a6910.txt", "001": "001_2cabb923f12c2144.txt", "002": "002_a7ff9cc3a27dddc0.txt"}

# key -> (seed, line, text exactly as printed on that line)
PRINTED = {
    "l2 at (3, 4)": ("000", 89, "(3, 4) / 5 = (3/5, 4/5) Thus, the derivative is (3/5, 4/5)."),
    "drone at t = 1": ("000", 117, "8(1) / sqrt(1 + 4(1)²) = 8 / sqrt(5)"),
    "gd x1": ("001", 163, "$$= 3.6$$"),
    "gd x2": ("001", 169, "$$= 3.28$$"),
    "gd x3": ("001", 171, "$$x_3 = 3.024, \\dots$$"),
    "fd 0.1": ("001", 196, "$$\\frac{2.1^2 - 2^2}{0.1} = 4.1$$"),
    "fd 0.01": ("001", 199, "$$\\frac{2.01^2 - 2^2}{0.01} = 4.01$$"),
    **{
        f"limit {k}": ("002", 46 + k, f"h={h}, numerical limit={v}")
        for k, (h, v) in enumerate(
            [
                ("0.10000", "2.30000"),
                ("0.01000", "2.03000"),
                ("0.00100", "2.00300"),
                ("0.00010", "2.00030"),
                ("0.00001", "2.00003"),
            ]
        )
    },
}


def printed_number(key: str) -> float:
    """The last number of the quotation (a decimal, or ``8 / sqrt(5)``)."""
    text = PRINTED[key][2]
    m = re.search(r"(\d+) / sqrt\((\d+)\)$", text)
    if m:
        return int(m.group(1)) / math.sqrt(int(m.group(2)))
    return float(re.findall(r"\d+\.\d+", text)[-1])


def printed_vector(key: str) -> list[float]:
    """The last parenthesised tuple of fractions of the quotation: ``(3/5, 4/5)`` -> [0.6, 0.8]."""
    inner = re.findall(r"\(([^()]*)\)", PRINTED[key][2])[-1]
    return [float(Fraction(t.strip())) for t in inner.split(",")]


def test_quotations_are_the_seeds_own_text():
    if not SEEDS.is_dir():
        pytest.skip(f"the seed documents are not at {SEEDS} (they live beside the repository, not in it)")
    lines = {k: (SEEDS / f).read_text(encoding="utf-8").splitlines() for k, f in FILES.items()}
    for key, (seed, line, text) in PRINTED.items():
        assert text in lines[seed][line - 1], f"{key}: seed {seed} line {line} does not print {text!r}"


def closed(ident_id, *args):
    return np.asarray(identities.get(ident_id).closed_form(*args))


def f(ident_id, *args):
    return float(identities.get(ident_id).f(*(np.asarray(a, dtype=np.float64) for a in args)))


# --- seed 000: the L2 norm ---------------------------------------------------------------------------
def test_seed000_problem1_gradient_at_3_4():
    # x/‖x‖ with ‖(3, 4)‖ = 5 exactly: one correctly rounded division per entry, so within half an ulp
    np.testing.assert_allclose(closed("norms.l2", [3.0, 4.0]), printed_vector("l2 at (3, 4)"), rtol=EPS / 2, atol=0)
    assert f("norms.l2", [3.0, 4.0]) == 5.0


def test_seed000_problem2_drone_is_4_over_sqrt5_not_the_printed_8_over_sqrt5():
    got = float(closed("norms.drone_speed", 1.0))
    claimed = printed_number("drone at t = 1")
    assert got == pytest.approx(claimed / 2, rel=4 * EPS, abs=0)  # the seed dropped the 1/2 of the chain rule
    # the claim is recorded as the identity's erratum (docs/errata.md via tests/test_errata.py)
    (ex,) = [e for e in identities.get("norms.drone_speed").examples if e.claimed is not None]
    assert ex.args == {"t": 1.0} and ex.claimed == pytest.approx(claimed, rel=EPS, abs=0)
    # independent of the closed form: a central difference of the speed itself (truncation ~h², rounding
    # ~eps/h: 1e-10 relative at h = 1e-5)
    h = 1e-5
    fd = (f("norms.drone_speed", 1 + h) - f("norms.drone_speed", 1 - h)) / (2 * h)
    assert fd == pytest.approx(claimed / 2, rel=1e-9, abs=0)


def test_seed000_problem3_hessian_at_3_4():
    """The seed prints no number here; (I − uuᵀ)/‖x‖ at (3, 4) is [[16, −12], [−12, 9]]/125 by hand."""
    H = closed("norms.l2_hessian", [3.0, 4.0])
    np.testing.assert_allclose(H, np.array([[16, -12], [-12, 9]]) / 125, rtol=4 * EPS, atol=0)
    np.testing.assert_allclose(H @ np.array([3.0, 4.0]), 0, atol=4 * EPS)  # x is in the null space


# --- seed 001: MML slides ----------------------------------------------------------------------------
def test_seed001_finite_difference_estimates_of_x2_at_2():
    for eps, key in [(0.1, "fd 0.1"), (0.01, "fd 0.01")]:
        est = (f("scalar.square", 2 + eps) - f("scalar.square", 2)) / eps
        # (2 + eps)² rounds at eps·4, divided by eps: 1e-14 relative at eps = 0.01
        assert est == pytest.approx(printed_number(key), rel=1e-13, abs=0)
    assert float(closed("scalar.square", 2.0)) == 4.0


def test_seed001_gradient_descent_iterates():
    x, eta, iterates = 4.0, 0.1, []
    for _ in range(3):
        x = x - eta * float(closed("scalar.quadratic_gd", x))
        iterates.append(x)
    # three steps of x − 0.1(2x − 4), each rounding at most an ulp or two
    np.testing.assert_allclose(iterates, [printed_number(f"gd x{k}") for k in (1, 2, 3)], rtol=8 * EPS, atol=0)
    for _ in range(200):
        x = x - eta * float(closed("scalar.quadratic_gd", x))
    assert x == pytest.approx(2.0, rel=8 * EPS, abs=0)  # the minimiser f'(x) = 0; the error 0.8^203 is 2e-20


def test_seed001_least_squares_normal_equations():
    rng = np.random.default_rng(0)
    Phi = rng.normal(size=(7, 3))
    y = rng.normal(size=7)
    theta = np.linalg.solve(Phi.T @ Phi, Phi.T @ y)  # θ = (ΦᵀΦ)⁻¹Φᵀy
    g = closed("losses.least_squares", y, Phi, theta)
    np.testing.assert_allclose(g, 0, atol=1e-12)
    np.testing.assert_allclose(theta, np.linalg.lstsq(Phi, y, rcond=None)[0], atol=1e-12)
    # the seed's row-vector form −2(y − Φθ)ᵀΦ at another θ, in numerator layout
    t2 = theta + 1
    row = identities.get("losses.least_squares").closed_form(y, Phi, t2, layout="numerator")
    # the two sum the same products in other orders: bounded by a few eps times the terms' magnitudes
    terms = 2 * (np.abs(y) + np.abs(Phi) @ np.abs(t2)) @ np.abs(Phi)
    np.testing.assert_allclose(row, (-2 * (y - Phi @ t2) @ Phi)[None, :], rtol=0, atol=16 * EPS * terms.max())


def test_seed001_dAx_dA_structure():
    A = np.arange(6.0).reshape(2, 3)
    x = np.array([1.0, 2.0, 3.0])
    T = closed("tensors.dAx_dA", A, x)
    assert T.shape == (2, 2, 3)  # ℝ^{M × (M × N)}
    np.testing.assert_array_equal(T[0], [[1, 2, 3], [0, 0, 0]])  # row i of ∂f_i/∂A is xᵀ
    np.testing.assert_array_equal(T[1], [[0, 0, 0], [1, 2, 3]])


def test_seed001_dK_dR_case_table():
    """The closed form against the seed's case table, entry by entry."""
    rng = np.random.default_rng(1)
    M, N = 3, 4
    R = rng.normal(size=(M, N))
    T = closed("tensors.dK_dR", R)
    assert T.shape == (N, N, M, N)
    for p, q, i, j in itertools.product(range(N), range(N), range(M), range(N)):
        if j == p and p != q:
            want = R[i, q]
        elif j == q and p != q:
            want = R[i, p]
        elif j == p and p == q:
            want = 2 * R[i, q]
        else:
            want = 0.0
        assert T[p, q, i, j] == pytest.approx(want, abs=1e-15), (p, q, i, j)


def test_seed001_kmeans_centroid_update_zeroes_the_gradient():
    rng = np.random.default_rng(2)
    d, n, k = 2, 9, 3
    X = rng.normal(size=(d, n))
    R = np.eye(k)[rng.integers(0, k, size=n)]
    R[:k] = np.eye(k)  # no empty cluster
    M = (X @ R) / R.sum(axis=0)  # μ_j = Σ_n r_nj x_n / Σ_n r_nj
    np.testing.assert_allclose(closed("losses.kmeans", M, X, R), 0, atol=1e-13)
    assert np.linalg.norm(closed("losses.kmeans", M + 0.1, X, R)) > 0.1


def test_seed002_numerical_limit_table():
    """h = 0.1 … 0.00001: (f(1+h) − f(1))/h printed to five decimals, f(x) = 3x² − 4x."""
    for k in range(5):
        h_text, want = re.fullmatch(r"h=(\S+), numerical limit=(\S+)", PRINTED[f"limit {k}"][2]).groups()
        h = float(h_text)
        est = (f("scalar.d2l_quadratic", 1 + h) - f("scalar.d2l_quadratic", 1)) / h
        assert f"{est:.5f}" == want, (h, est)
    assert float(closed("scalar.d2l_quadratic", 1.0)) == 2.0


def test_seed002_tangent_line_at_1():
    slope = float(closed("scalar.d2l_quadratic", 1.0))
    intercept = f("scalar.d2l_quadratic", 1.0) - slope * 1.0
    assert (slope, intercept) == (2.0, -3.0)  # y = 2x − 3


def test_seed002_rule1_layouts():
    A = np.arange(6.0).reshape(2, 3)
    x = np.array([1.0, -1.0, 2.0])
    ident = identities.get("vector.Ax")
    np.testing.assert_array_equal(ident.closed_form(A, x, layout="denominator"), A.T)  # ∇ₓ(Ax) = Aᵀ
    np.testing.assert_array_equal(ident.closed_form(A, x, layout="numerator"), A)  # seed 001: d(Ax)/dx = A
    xt = identities.get("vector.xTA")
    np.testing.assert_array_equal(xt.closed_form(np.ones(2), A, layout="denominator"), A)  # ∇ₓ(xᵀA) = A
