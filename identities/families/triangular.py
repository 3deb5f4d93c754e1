"""Triangular solves X = T⁻¹B (left and right, transposed, unit diagonal): the rules frameworks use.

A triangular solve reads one triangle of T and ignores the rest (LAPACK's trtrs, ``jax.lax.linalg.
triangular_solve``, ``torch.linalg.solve_triangular``), so as a function of all n² entries its derivative
with respect to T is confined to that triangle: the reverse rules below mask their result with tril / triu
(strictly, for a unit diagonal, which is not read either). With X the solution, the forward rule is that of
the inverse product (Giles 2008 §2.3.1) with Ṫ masked: Ẋ = −T⁻¹ṪX, and the reverse rule B̄ = T⁻ᵀX̄,
T̄ = −mask(B̄Xᵀ); JAX's triangular_solve JVP (lax/linalg.py) masks Ṫ the same way.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax.lax.linalg import triangular_solve
from jax.scipy.linalg import solve_triangular

from .._core import Example, Source, SpecialPoint, Tex, g08, identity
from .._structures import NONZERO_DIAGONAL

SRC = g08("§2.3.1 matrix inverse product, with Ṫ restricted to the triangle the solve reads")
JAX = Source("JAX", "lax/linalg.py _triangular_solve_jvp_rule_a and _triangular_solve_transpose_rule")
_SIZES = [{"n": 3, "k": 2}, {"n": 4, "k": 5}]
_BENCH = [{"n": n, "k": 8} for n in (32, 128, 512)]

# T = [[2, 0], [1, 1]], B = (2, 3): x = (1, 2). Along Ṫ = E₂₁: x₁ fixed, x₂ = 3 − t₂₁x₁ → ẋ = (0, −1); the
# gradient of x₂ = (b₂ − t₂₁b₁/t₁₁)/t₂₂: ∂t₁₁ = t₂₁b₁/t₁₁² = 1/2, ∂t₂₁ = −b₁/t₁₁ = −1, ∂t₂₂ = −x₂/t₂₂ = −2
_EX_T = [[2.0, 0.0], [1.0, 1.0]]
_EX_B = [[2.0], [3.0]]
_EX_SRC = Source("derived", "T = [[2, 0], [1, 1]], B = (2, 3)ᵀ: forward substitution differentiated by hand")


def _lower_solve(T, B):
    return solve_triangular(T, B, lower=True)


@identity(
    f=_lower_solve,
    wrt="T",
    kind="jvp",
    shapes={"T": "n n", "B": "n k"},
    requires={"T": NONZERO_DIAGONAL},
    sizes=_SIZES,
    tex=Tex(
        f=r"X = T^{-1} B\ (T \text{ lower})",
        num=r"\dot X = -T^{-1} \operatorname{tril}(\dot T) X",
        den=r"\dot X = -T^{-1} \operatorname{tril}(\dot T) X",
    ),
    sources=[SRC, JAX],
    aliases=("solve_triangular jvp", "trsm jvp"),
    examples=[Example({"T": _EX_T, "B": _EX_B, "dT": [[0.0, 0.0], [1.0, 0.0]]}, [[0.0], [-1.0]], _EX_SRC)],
    bench_sizes=_BENCH,
    notes="Left side, lower triangle read (the strict upper triangle of T is ignored); two triangular solves.",
    special=[
        SpecialPoint(
            "zero on the diagonal: T = [[1, 0], [1, 0]], B = (1, 2)ᵀ, Ṫ = E₂₂",
            {"T": [[1.0, 0.0], [1.0, 0.0]], "B": [[1.0], [2.0]], "dT": [[0.0, 0.0], [0.0, 1.0]]},
            "T is singular and X = T⁻¹B has no finite value (x₂ = 1/t₂₂): the derivative is unbounded",
            jax_verdict="nan",
            notes="trtrs divides by the zero pivot: X is inf, its JVP NaN. LAPACK's trtrs would report the"
            " singularity (info > 0); the solve kernels JAX and PyTorch call do not check it.",
            upstream=("none found",),
        )
    ],
)
def trsolve_lower_jvp(T, B, dT):
    X = solve_triangular(T, B, lower=True)
    return -solve_triangular(T, jnp.tril(dT) @ X, lower=True)


@identity(
    f=_lower_solve,
    wrt="T",
    kind="vjp",
    shapes={"T": "n n", "B": "n k"},
    requires={"T": NONZERO_DIAGONAL},
    sizes=_SIZES,
    tex=Tex(
        f=r"X = T^{-1} B\ (T \text{ lower})",
        num=r"\bar B = T^{-\top} \bar X,\ \bar T = -\operatorname{tril}(\bar B X^\top)",
        den=r"\bar B = T^{-\top} \bar X,\ \bar T = -\operatorname{tril}(\bar B X^\top)",
    ),
    sources=[SRC, JAX],
    aliases=("solve_triangular vjp",),
    examples=[Example({"T": _EX_T, "B": _EX_B, "cotangent": [[0.0], [1.0]]}, [[0.5, 0.0], [-1.0, -2.0]], _EX_SRC)],
    bench_sizes=_BENCH,
    notes="The mask keeps T̄ in the triangle the solve reads: the strict upper triangle gets 0.",
)
def trsolve_lower_vjp(T, B, Cbar):
    X = solve_triangular(T, B, lower=True)
    Bbar = solve_triangular(T, Cbar, lower=True, trans="T")
    return -jnp.tril(Bbar @ X.T)


@identity(
    f=_lower_solve,
    wrt="B",
    kind="vjp",
    shapes={"T": "n n", "B": "n k"},
    requires={"T": NONZERO_DIAGONAL},
    sizes=_SIZES,
    tex=Tex(f=r"X = T^{-1} B\ (T \text{ lower})", num=r"\bar B = T^{-\top} \bar X", den=r"\bar B = T^{-\top} \bar X"),
    sources=[SRC, JAX],
    notes="The transpose rule JAX and PyTorch use: one solve with the transposed triangle, no inverse.",
)
def trsolve_lower_vjp_B(T, B, Cbar):
    return solve_triangular(T, Cbar, lower=True, trans="T")


def _right_upper_solve(T, B):
    return triangular_solve(T, B, left_side=False, lower=False)  # X T = B, T upper


@identity(
    f=_right_upper_solve,
    wrt="T",
    kind="jvp",
    shapes={"T": "n n", "B": "k n"},
    requires={"T": NONZERO_DIAGONAL},
    sizes=_SIZES,
    tex=Tex(
        f=r"X = B T^{-1}\ (T \text{ upper})",
        num=r"\dot X = -X \operatorname{triu}(\dot T) T^{-1}",
        den=r"\dot X = -X \operatorname{triu}(\dot T) T^{-1}",
    ),
    sources=[SRC, JAX],
    aliases=("right triangular solve jvp",),
    bench_sizes=[{"n": n, "k": 8} for n in (32, 128, 512)],
    notes="Right side (XT = B), upper triangle read.",
)
def trsolve_right_upper_jvp(T, B, dT):
    X = triangular_solve(T, B, left_side=False, lower=False)
    return -triangular_solve(T, X @ jnp.triu(dT), left_side=False, lower=False)


@identity(
    f=_right_upper_solve,
    wrt="T",
    kind="vjp",
    shapes={"T": "n n", "B": "k n"},
    requires={"T": NONZERO_DIAGONAL},
    sizes=_SIZES,
    tex=Tex(
        f=r"X = B T^{-1}\ (T \text{ upper})",
        num=r"\bar B = \bar X T^{-\top},\ \bar T = -\operatorname{triu}(X^\top \bar B)",
        den=r"\bar B = \bar X T^{-\top},\ \bar T = -\operatorname{triu}(X^\top \bar B)",
    ),
    sources=[SRC, JAX],
    aliases=("right triangular solve vjp",),
    bench_sizes=[{"n": n, "k": 8} for n in (32, 128, 512)],
    notes="⟨X̄, −XṪT⁻¹⟩ = ⟨−XᵀX̄T⁻ᵀ, Ṫ⟩, masked to the upper triangle.",
)
def trsolve_right_upper_vjp(T, B, Cbar):
    X = triangular_solve(T, B, left_side=False, lower=False)
    Bbar = triangular_solve(T, Cbar, left_side=False, lower=False, transpose_a=True)
    return -jnp.triu(X.T @ Bbar)


def _lower_T_solve(T, B):
    return solve_triangular(T, B, lower=True, trans="T")  # Tᵀ X = B


@identity(
    f=_lower_T_solve,
    wrt="T",
    kind="jvp",
    shapes={"T": "n n", "B": "n k"},
    requires={"T": NONZERO_DIAGONAL},
    sizes=_SIZES,
    tex=Tex(
        f=r"X = T^{-\top} B\ (T \text{ lower})",
        num=r"\dot X = -T^{-\top} \operatorname{tril}(\dot T)^\top X",
        den=r"\dot X = -T^{-\top} \operatorname{tril}(\dot T)^\top X",
    ),
    sources=[SRC, JAX],
    aliases=("transposed triangular solve jvp",),
    bench_sizes=_BENCH,
    notes="Transposed solve with the lower triangle (the second solve of a Cholesky solve).",
)
def trsolve_lower_T_jvp(T, B, dT):
    X = solve_triangular(T, B, lower=True, trans="T")
    return -solve_triangular(T, jnp.tril(dT).T @ X, lower=True, trans="T")


@identity(
    f=_lower_T_solve,
    wrt="T",
    kind="vjp",
    shapes={"T": "n n", "B": "n k"},
    requires={"T": NONZERO_DIAGONAL},
    sizes=_SIZES,
    tex=Tex(
        f=r"X = T^{-\top} B\ (T \text{ lower})",
        num=r"\bar B = T^{-1} \bar X,\ \bar T = -\operatorname{tril}(X \bar B^\top)",
        den=r"\bar B = T^{-1} \bar X,\ \bar T = -\operatorname{tril}(X \bar B^\top)",
    ),
    sources=[SRC, JAX],
    aliases=("transposed triangular solve vjp",),
    bench_sizes=_BENCH,
    notes="⟨X̄, −T⁻ᵀṪᵀX⟩ = −tr(B̄ᵀṪᵀX) = ⟨−XB̄ᵀ, Ṫ⟩ with B̄ = T⁻¹X̄, masked to the lower triangle.",
)
def trsolve_lower_T_vjp(T, B, Cbar):
    X = solve_triangular(T, B, lower=True, trans="T")
    Bbar = solve_triangular(T, Cbar, lower=True)
    return -jnp.tril(X @ Bbar.T)


def _unit_lower_solve(T, B):
    return solve_triangular(T, B, lower=True, unit_diagonal=True)


@identity(
    f=_unit_lower_solve,
    wrt="T",
    kind="jvp",
    shapes={"T": "n n", "B": "n k"},
    sizes=_SIZES,
    tex=Tex(
        f=r"X = T^{-1} B\ (T \text{ unit lower})",
        num=r"\dot X = -T^{-1} \operatorname{tril}(\dot T, -1) X",
        den=r"\dot X = -T^{-1} \operatorname{tril}(\dot T, -1) X",
    ),
    sources=[SRC, JAX],
    aliases=("unit triangular solve jvp",),
    bench_sizes=_BENCH,
    notes="""
    Unit diagonal: the diagonal of T is taken as 1 and never read, so only the strict lower triangle of Ṫ
    enters. No precondition: a unit triangular matrix is always invertible.
    """,
)
def trsolve_unit_lower_jvp(T, B, dT):
    X = solve_triangular(T, B, lower=True, unit_diagonal=True)
    return -solve_triangular(T, jnp.tril(dT, -1) @ X, lower=True, unit_diagonal=True)


@identity(
    f=_unit_lower_solve,
    wrt="T",
    kind="vjp",
    shapes={"T": "n n", "B": "n k"},
    sizes=_SIZES,
    tex=Tex(
        f=r"X = T^{-1} B\ (T \text{ unit lower})",
        num=r"\bar B = T^{-\top} \bar X,\ \bar T = -\operatorname{tril}(\bar B X^\top, -1)",
        den=r"\bar B = T^{-\top} \bar X,\ \bar T = -\operatorname{tril}(\bar B X^\top, -1)",
    ),
    sources=[SRC, JAX],
    aliases=("unit triangular solve vjp",),
    bench_sizes=_BENCH,
    notes="The diagonal is not read, so T̄ is 0 on it as well as above it.",
)
def trsolve_unit_lower_vjp(T, B, Cbar):
    X = solve_triangular(T, B, lower=True, unit_diagonal=True)
    Bbar = solve_triangular(T, Cbar, lower=True, unit_diagonal=True, trans="T")
    return -jnp.tril(Bbar @ X.T, -1)
