"""The SVD's factors U and V (thin, tall and wide) and the gauge-invariant functions built from them.

A = U diag(σ) Vᵀ is the thin SVD, k = min(m, n). With E = Uᵀ dA V (k×k) and F_ij = 1/(σⱼ² − σᵢ²) (i ≠ j),
Townsend (2016) gives

    dU = U (F ∘ (EΣ + ΣEᵀ)) + (I − UUᵀ) dA V Σ⁻¹,    dV = V (F ∘ (ΣE + EᵀΣ)) + (I − VVᵀ) dAᵀ U Σ⁻¹,

the second terms ("the non-square parts") vanishing for the square side of a tall or wide A. U and V exist
only up to a sign per pair (uᵢ, vᵢ): the functions here fix it inside f (:func:`_decomp.signed_svd`), so
autodiff, finite differences and the closed form differentiate one continuous function. At σᵢ = σⱼ the
pair can rotate and dU is unbounded (F has a pole): that point is charted.

Gauge-invariant compositions stay differentiable where U and V alone are not. U g(Σ) Vᵀ with g odd and
smooth (here g = tanh) equals A h(AᵀA) for an analytic h, so it is differentiable everywhere, at repeated
and at zero singular values too; the projector UUᵀ onto the range of a full-column-rank A is
differentiable at repeated singular values.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from .._core import Example, SpecialPoint, Tex, identity
from .._structures import ANY, DISTINCT_SINGULAR, FULL_COLUMN_RANK
from ._decomp import signed_svd, svd_F, tanhc, townsend16

_SIZES = [{"m": 4, "n": 3}, {"m": 2, "n": 5}]  # tall and wide
_TALL = [{"m": 4, "n": 3}, {"m": 5, "n": 2}]
# V (n×k) is the transpose of the SVD's Vᵀ: at m = 256, n = 192 XLA materialises it and a second n×k copy
# (1.2 MB of scratch against jax.jvp's 0.8 MB, tests/test_bench.py); the sweep stops below that
_V_BENCH = [{"m": 16, "n": 12}, {"m": 64, "n": 48}]
_U_SOURCE = townsend16("dU, dV of the thin SVD with the (I − UUᵀ) and (I − VVᵀ) terms for non-square A")
_GAUGE = """
Gauge: each pair (uᵢ, vᵢ) is signed so that wᵀuᵢ > 0 with w_k = √(k + 2) (identities.families._decomp.signed_svd);
the sign is locally constant, so the derivative is Townsend's. The formula was also read against JAX's
_svd_jvp_rule (jax 0.10.2, jax/_src/lax/linalg.py), which computes the same dU, dV.
"""

# σ₁ = σ₂ = 2 and σ = (2, 0): diagonal, so LAPACK's SVD is exact on every kernel path.
_A_REP = np.array([[2.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
_A_ZERO = np.array([[2.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
_DA = np.array([[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]])
_DA_ROT = np.array([[1.0, 1.0], [1.0, -1.0], [0.0, 0.0]])  # moves the tied pair's basis: no directional derivative
_DA_ZERO = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
_T2 = math.tanh(2.0)
SVD_UPSTREAM = ("jax-ml/jax#2311", "jax-ml/jax#8732", "pytorch/pytorch#49886")


def _townsend_dU(U, s, V, dA):
    E = U.T @ dA @ V
    return U @ (svd_F(s) * (E * s[None, :] + s[:, None] * E.T)) + (dA @ V - U @ (U.T @ dA @ V)) / s[None, :]


def _townsend_dV(U, s, V, dA):
    W = dA.T @ U  # (n, k), once: E = UᵀdAV = WᵀV
    E = W.T @ V
    return V @ (svd_F(s) * (s[:, None] * E + E.T * s[None, :])) + (W - V @ (V.T @ W)) / s[None, :]


@identity(
    f=lambda A: signed_svd(A)[0],
    wrt="A",
    kind="jvp",
    shapes={"A": "m n"},
    requires={"A": DISTINCT_SINGULAR},
    sizes=_SIZES,
    tex=Tex(
        f=r"U,\ A = U \Sigma V^\top",
        num=r"\dot U = U\left(F \circ (E\Sigma + \Sigma E^\top)\right) + (I - UU^\top)\dot A V \Sigma^{-1}",
        den=r"\dot U = U\left(F \circ (E\Sigma + \Sigma E^\top)\right) + (I - UU^\top)\dot A V \Sigma^{-1}",
        where=r"E = U^\top \dot A V,\ F_{ij} = (\sigma_j^2 - \sigma_i^2)^{-1}\ (i \ne j),\ F_{ii} = 0",
    ),
    sources=[_U_SOURCE],
    aliases=("svd U jvp",),
    notes="Thin SVD of a tall or wide A (the last term is 0 when U is square)." + _GAUGE,
    special=[
        SpecialPoint(
            "σ₁ = σ₂: A = [2I; 0]",
            {"A": _A_REP.tolist(), "dA": _DA_ROT.tolist()},
            "U is not continuous at σ₁ = σ₂ (A + t·dA has other singular vectors for t > 0 and t < 0): no"
            " derivative; nearby, dU grows like 1/(σ₁ − σ₂)",
            jax_verdict="nan",
            notes="JAX's F = 1/(σⱼ² − σᵢ²) is ±inf for the tied pair; inf·0 and inf − inf give NaN.",
            upstream=SVD_UPSTREAM,
        )
    ],
)
def U_jvp(A, dA):
    U, s, V = signed_svd(A)
    return _townsend_dU(U, s, V, dA)


@identity(
    f=lambda A: signed_svd(A)[0],
    wrt="A",
    kind="vjp",
    shapes={"A": "m n"},
    requires={"A": DISTINCT_SINGULAR},
    sizes=_SIZES,
    tex=Tex(
        f=r"U,\ A = U \Sigma V^\top",
        num=r"\bar A = U (J + J^\top)\Sigma V^\top + (I - UU^\top)\bar U \Sigma^{-1} V^\top",
        den=r"\bar A = U (J + J^\top)\Sigma V^\top + (I - UU^\top)\bar U \Sigma^{-1} V^\top",
        where=r"J = F \circ (U^\top \bar U),\ F_{ij} = (\sigma_j^2 - \sigma_i^2)^{-1}\ (i \ne j),\ F_{ii} = 0",
    ),
    sources=[_U_SOURCE],
    aliases=("svd U vjp",),
    notes="The adjoint of U_jvp: ⟨Ū, dU⟩ = ⟨Ā, dA⟩ (derived here from Townsend's dU)." + _GAUGE,
)
def U_vjp(A, Cbar):
    U, s, V = signed_svd(A)
    J = svd_F(s) * (U.T @ Cbar)
    return U @ ((J + J.T) * s[None, :]) @ V.T + ((Cbar - U @ (U.T @ Cbar)) / s[None, :]) @ V.T


@identity(
    f=lambda A: signed_svd(A)[2],
    wrt="A",
    kind="jvp",
    bench_sizes=_V_BENCH,
    shapes={"A": "m n"},
    requires={"A": DISTINCT_SINGULAR},
    sizes=_SIZES,
    tex=Tex(
        f=r"V,\ A = U \Sigma V^\top",
        num=r"\dot V = V\left(F \circ (\Sigma E + E^\top \Sigma)\right) + (I - VV^\top)\dot A^\top U \Sigma^{-1}",
        den=r"\dot V = V\left(F \circ (\Sigma E + E^\top \Sigma)\right) + (I - VV^\top)\dot A^\top U \Sigma^{-1}",
        where=r"E = U^\top \dot A V,\ F_{ij} = (\sigma_j^2 - \sigma_i^2)^{-1}\ (i \ne j),\ F_{ii} = 0",
    ),
    sources=[_U_SOURCE],
    aliases=("svd V jvp",),
    notes="V (n×k, the right singular vectors as columns) of a tall or wide A." + _GAUGE,
)
def V_jvp(A, dA):
    U, s, V = signed_svd(A)
    return _townsend_dV(U, s, V, dA)


@identity(
    f=lambda A: signed_svd(A)[2],
    wrt="A",
    kind="vjp",
    bench_sizes=_V_BENCH,
    shapes={"A": "m n"},
    requires={"A": DISTINCT_SINGULAR},
    sizes=_SIZES,
    tex=Tex(
        f=r"V,\ A = U \Sigma V^\top",
        num=r"\bar A = U \Sigma (J + J^\top) V^\top + U \Sigma^{-1} \bar V^\top (I - VV^\top)",
        den=r"\bar A = U \Sigma (J + J^\top) V^\top + U \Sigma^{-1} \bar V^\top (I - VV^\top)",
        where=r"J = F \circ (V^\top \bar V),\ F_{ij} = (\sigma_j^2 - \sigma_i^2)^{-1}\ (i \ne j),\ F_{ii} = 0",
    ),
    sources=[_U_SOURCE],
    aliases=("svd V vjp",),
    notes="The adjoint of V_jvp (derived here from Townsend's dV)." + _GAUGE,
)
def V_vjp(A, Cbar):
    U, s, V = signed_svd(A)
    J = svd_F(s) * (V.T @ Cbar)
    T = Cbar - V @ (V.T @ Cbar)  # (I − VVᵀ)V̄, (n, k)
    return U @ ((s[:, None] * (J + J.T)) @ V.T + (T / s[None, :]).T)


# --- U tanh(Σ) Vᵀ: differentiable everywhere -------------------------------------------------------------------
def tanh_sv(A):
    """U tanh(Σ) Vᵀ from the thin SVD (the gradient of Σᵢ log cosh σᵢ(A))."""
    U, s, Vt = jnp.linalg.svd(A, full_matrices=False)
    return (U * jnp.tanh(s)[None, :]) @ Vt


def _tanh_sv_derivative(A, dA):
    """d(U tanh(Σ) Vᵀ)[dA]; a self-adjoint map of dA (it is a Hessian), so the VJP is the same formula."""
    U, s, Vt = jnp.linalg.svd(A, full_matrices=False)
    V, t = Vt.T, jnp.tanh(s)
    # tanh a − tanh b = tanh(a − b)(1 − tanh a tanh b), tanh a + tanh b = tanh(a + b)(1 + tanh a tanh b):
    # the divided differences without cancellation, and their limits at a tie or at 0 (tanhc(0) = 1)
    tt = t[:, None] * t[None, :]
    d_minus = (1 - tt) * tanhc(s[:, None] - s[None, :])  # (gᵢ − gⱼ)/(σᵢ − σⱼ), g′(σᵢ) on the diagonal
    d_plus = (1 + tt) * tanhc(s[:, None] + s[None, :])  # (gᵢ + gⱼ)/(σᵢ + σⱼ)
    c = tanhc(s)  # g(σ)/σ
    G = U.T @ dA  # (k, n)
    dAV = dA @ V  # (m, k)
    E = G @ V
    core = d_minus * (E + E.T) / 2 + d_plus * (E - E.T) / 2
    # U(core Vᵀ + C Uᵀ dA (I − VVᵀ)) + (I − UUᵀ) dA V C Vᵀ, with UᵀdAV = E reused
    return U @ (core @ Vt + c[:, None] * (G - E @ Vt)) + ((dAV - U @ E) * c[None, :]) @ Vt


def _tanh_sv_by_hand_rep() -> np.ndarray:
    """d(U tanh(Σ)Vᵀ) at A = [2I; 0] along _DA, by hand: E = [[0, 1], [0, 0]] splits into sym and skew
    halves 1/2 with coefficients g′(2) = 1 − tanh²2 and 2 tanh 2/(2 + 2); row 3 is dA's row 3 times tanh(2)/2."""
    a, b = (1 - _T2**2) / 2, _T2 / 4
    return np.array([[0.0, a + b], [a - b, 0.0], [_T2 / 2, 0.0]])


def _tanh_sv_by_hand_zero() -> np.ndarray:
    """At A = [[2, 0], [0, 0], [0, 0]] (σ = 2, 0) along _DA_ZERO, through A h(AᵀA), h(x) = tanh(√x)/√x:
    dF = dA h(AᵀA) + A·Dh(AᵀA)[dAᵀA + AᵀdA], AᵀA = diag(4, 0), h(4) = tanh(2)/2, h(0) = 1,
    AᵀdA + dAᵀA = [[0, 2], [2, 0]], divided difference (h(4) − h(0))/4: entry (1, 2) is 1 + 2·2·(h(4) − 1)/4."""
    return np.array([[0.0, _T2 / 2], [_T2 / 2, 0.0], [0.0, 1.0]])


_TANH_NOTES = """
f = U tanh(Σ) Vᵀ = A h(AᵀA) with h(x) = tanh(√x)/√x analytic, so f is differentiable at every A, repeated
and zero singular values included; it is the gradient of Σᵢ log cosh σᵢ(A). The closed form is derived here
from Townsend's dU, dV: in the singular bases the tangent E = UᵀdAV splits into its symmetric part, scaled
by the divided differences (gᵢ − gⱼ)/(σᵢ − σⱼ), and its antisymmetric part, scaled by (gᵢ + gⱼ)/(σᵢ + σⱼ),
plus the non-square parts scaled by g(σ)/σ. Both divided differences of tanh are evaluated without
cancellation (tanh a ∓ tanh b = tanh(a ∓ b)(1 ∓ tanh a tanh b)), so the formula is exact at ties and at 0.
JAX differentiates f through the SVD, which needs distinct, nonzero singular values: verification draws
stay there; the ties and the zero are special points.
"""


@identity(
    f=tanh_sv,
    wrt="A",
    kind="jvp",
    shapes={"A": "m n"},
    requires={"A": ANY},
    autodiff_requires={"A": DISTINCT_SINGULAR},
    sizes=_SIZES,
    tex=Tex(
        f=r"U \tanh(\Sigma) V^\top",
        num=r"U\left(D^- \circ \operatorname{sym}E + D^+ \circ \operatorname{skew}E\right)V^\top"
        r" + (I - UU^\top)\dot A V C V^\top + U C U^\top \dot A (I - VV^\top)",
        den=r"U\left(D^- \circ \operatorname{sym}E + D^+ \circ \operatorname{skew}E\right)V^\top"
        r" + (I - UU^\top)\dot A V C V^\top + U C U^\top \dot A (I - VV^\top)",
        where=r"E = U^\top \dot A V,\ D^\mp_{ij} = \frac{g(\sigma_i) \mp g(\sigma_j)}{\sigma_i \mp \sigma_j},"
        r"\ D^-_{ii} = g'(\sigma_i),\ C = \operatorname{diag}(g(\sigma)/\sigma),\ g = \tanh",
    ),
    sources=[townsend16("dU, dV of the thin SVD (the composition is derived here)")],
    aliases=("U tanh(S) V^T jvp", "generalized matrix function jvp"),
    notes=_TANH_NOTES,
    examples=[
        Example(
            {"A": _A_REP.tolist(), "dA": _DA.tolist()},
            _tanh_sv_by_hand_rep().tolist(),
            townsend16("worked here by hand at A = [2I; 0], see _tanh_sv_by_hand_rep"),
        )
    ],
    special=[
        SpecialPoint(
            "σ₁ = σ₂: A = [2I; 0]",
            {"A": _A_REP.tolist(), "dA": _DA.tolist()},
            "differentiable (f = A h(AᵀA), h analytic): dF = U(D⁻∘symE + D⁺∘skewE)Vᵀ + ..., D⁻₁₂ = g′(2)",
            value=_tanh_sv_by_hand_rep().tolist(),
            jax_verdict="nan",
            notes="The derivative exists; JAX's SVD rule divides by σ₂² − σ₁² = 0 and returns NaN.",
            upstream=SVD_UPSTREAM,
        ),
        SpecialPoint(
            "σ₂ = 0: A = [[2, 0], [0, 0], [0, 0]]",
            {"A": _A_ZERO.tolist(), "dA": _DA_ZERO.tolist()},
            "differentiable (f = A h(AᵀA)); at σ = 0 the coefficients take their limits g′(0) = g(σ)/σ = 1",
            value=_tanh_sv_by_hand_zero().tolist(),
            jax_verdict="nan",
            notes="The derivative exists; JAX's SVD rule divides by σ = 0 in the (I − UUᵀ)dAVΣ⁻¹ term.",
            upstream=SVD_UPSTREAM,
        ),
    ],
)
def tanh_sv_jvp(A, dA):
    return _tanh_sv_derivative(A, dA)


@identity(
    f=tanh_sv,
    wrt="A",
    kind="vjp",
    shapes={"A": "m n"},
    requires={"A": ANY},
    autodiff_requires={"A": DISTINCT_SINGULAR},
    sizes=_SIZES,
    tex=Tex(
        f=r"U \tanh(\Sigma) V^\top",
        num=r"\bar A = U\left(D^- \circ \operatorname{sym}G + D^+ \circ \operatorname{skew}G\right)V^\top"
        r" + (I - UU^\top)\bar C V C V^\top + U C U^\top \bar C (I - VV^\top)",
        den=r"\bar A = U\left(D^- \circ \operatorname{sym}G + D^+ \circ \operatorname{skew}G\right)V^\top"
        r" + (I - UU^\top)\bar C V C V^\top + U C U^\top \bar C (I - VV^\top)",
        where=r"G = U^\top \bar C V,\ D^\mp_{ij} = \frac{g(\sigma_i) \mp g(\sigma_j)}{\sigma_i \mp \sigma_j},"
        r"\ C = \operatorname{diag}(g(\sigma)/\sigma),\ g = \tanh",
    ),
    sources=[townsend16("dU, dV of the thin SVD (the composition and its adjoint are derived here)")],
    aliases=("U tanh(S) V^T vjp",),
    notes=_TANH_NOTES
    + """
The map dA ↦ dF is self-adjoint (it is the Hessian of Σ log cosh σᵢ; D⁻, D⁺ are symmetric and the
projector terms are each other's adjoints), so the VJP is the JVP's formula applied to the cotangent.
""",
    special=[
        SpecialPoint(
            "σ₁ = σ₂: A = [2I; 0]",
            {"A": _A_REP.tolist(), "cotangent": _DA.tolist()},
            "differentiable; the VJP equals the JVP's formula at the cotangent (a self-adjoint derivative)",
            value=_tanh_sv_by_hand_rep().tolist(),
            jax_verdict="nan",
            notes="The derivative exists; JAX's reverse mode transposes the same SVD rule and returns NaN.",
            upstream=SVD_UPSTREAM,
        ),
    ],
)
def tanh_sv_vjp(A, Cbar):
    return _tanh_sv_derivative(A, Cbar)


# --- the projector onto the range of A ------------------------------------------------------------------------
def range_projector(A):
    """UUᵀ from the thin SVD: the orthogonal projector onto the column space of a full-column-rank A."""
    U, _, _ = jnp.linalg.svd(A, full_matrices=False)
    return U @ U.T


_RANGE_BY_HAND = np.array([[0.0, 0.0, 0.5], [0.0, 0.0, 0.0], [0.5, 0.0, 0.0]])
_RANGE_NOTES = """
P = UUᵀ = AA⁺ is independent of the basis of the range, so it is differentiable wherever A keeps full
column rank, repeated singular values included. dP = (I − P) dA A⁺ + ((I − P) dA A⁺)ᵀ with A⁺ = VΣ⁻¹Uᵀ,
derived here from Townsend's dU (it is the projector derivative behind Golub & Pereyra's variable projection).
The U U ᵀ terms of Townsend's dU cancel (F is antisymmetric), which is why no 1/(σⱼ² − σᵢ²) appears.
"""


@identity(
    f=range_projector,
    wrt="A",
    kind="jvp",
    shapes={"A": "m n"},
    requires={"A": FULL_COLUMN_RANK},
    autodiff_requires={"A": DISTINCT_SINGULAR},
    sizes=_TALL,
    tex=Tex(
        f=r"P = UU^\top = AA^+",
        num=r"\dot P = (I - P)\dot A A^+ + (A^+)^\top \dot A^\top (I - P)",
        den=r"\dot P = (I - P)\dot A A^+ + (A^+)^\top \dot A^\top (I - P)",
    ),
    sources=[townsend16("dU of the thin SVD: the F terms cancel in d(UUᵀ)")],
    aliases=("range projector jvp", "d(UU^T)"),
    notes=_RANGE_NOTES,
    examples=[
        Example(
            {"A": _A_REP.tolist(), "dA": _DA.tolist()},
            _RANGE_BY_HAND.tolist(),
            townsend16("worked here by hand: I − P = e₃e₃ᵀ, A⁺ = [I/2, 0]"),
        )
    ],
    special=[
        SpecialPoint(
            "σ₁ = σ₂: A = [2I; 0]",
            {"A": _A_REP.tolist(), "dA": _DA.tolist()},
            "differentiable (P = A(AᵀA)⁻¹Aᵀ): dP = (I − P)dA A⁺ + its transpose, no 1/(σ₂² − σ₁²)",
            value=_RANGE_BY_HAND.tolist(),
            jax_verdict="nan",
            notes="The derivative exists; JAX differentiates U through its SVD rule, whose F is inf at the tie.",
            upstream=SVD_UPSTREAM,
        )
    ],
)
def range_projector_jvp(A, dA):
    U, s, Vt = jnp.linalg.svd(A, full_matrices=False)
    pinv = (Vt.T / s[None, :]) @ U.T
    R = dA @ pinv - U @ (U.T @ dA @ pinv)
    return R + R.T


@identity(
    f=range_projector,
    wrt="A",
    kind="vjp",
    shapes={"A": "m n"},
    requires={"A": FULL_COLUMN_RANK},
    autodiff_requires={"A": DISTINCT_SINGULAR},
    sizes=_TALL,
    tex=Tex(
        f=r"P = UU^\top = AA^+",
        num=r"\bar A = (I - P)(\bar P + \bar P^\top)(A^+)^\top",
        den=r"\bar A = (I - P)(\bar P + \bar P^\top)(A^+)^\top",
    ),
    sources=[townsend16("dU of the thin SVD: the F terms cancel in d(UUᵀ)")],
    aliases=("range projector vjp",),
    notes=_RANGE_NOTES + "\nThe adjoint, derived here: ⟨P̄, (I − P)dA A⁺⟩ = ⟨(I − P)P̄(A⁺)ᵀ, dA⟩, twice.",
)
def range_projector_vjp(A, Cbar):
    U, s, Vt = jnp.linalg.svd(A, full_matrices=False)
    W = Cbar @ U + Cbar.T @ U  # (P̄ + P̄ᵀ)U, (m, k): no m×m intermediate
    W = W - U @ (U.T @ W)
    return (W / s[None, :]) @ Vt
