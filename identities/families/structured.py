"""Structured variables and the chain rule: the Matrix Cookbook (Nov 2012) §2.8, eqs. (133)–(144).

The references disagree on what "the derivative with respect to a symmetric matrix" is. Each convention a
source uses is a value of ``Identity.convention``, checked by ``verify`` against JAX's unstructured
derivative G mapped into it (``verify.CONVENTION_MAPS``) and by the directional test: the convention's
pairing with a structured tangent dX (``verify.PAIRINGS``) must give df. ``docs/layouts.md`` compares them
on one example.

- ``mc_sym``: MC (138), G + Gᵀ − diag(G): the partial derivatives by the free entries X_ij, i ≤ j, with
  X_ij = X_ji counted once. Pairs with dX over the upper triangle only.
- ``sym``: sym(G) = (G + Gᵀ)/2, the gradient for the Frobenius inner product on symmetric matrices
  (Srinivasan & Panda 2023, who show the Cookbook's form is not a gradient in that inner product).
- ``diag``: MC (142), G ∘ I.
- ``toeplitz``: MC (143), α(G), the Toeplitz matrix whose k-th diagonal holds the sum of G's k-th
  diagonal: ∂f/∂t_k for T = Σ_k t_k S_k.
- ``sym_toeplitz``: MC (144), α + αᵀ − α ∘ I.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .._core import Source, Tex, identity, mc, wiki
from .._structures import DIAGONAL, SPD, SYM_TOEPLITZ, SYMMETRIC, TOEPLITZ


def sp23(loc: str, note: str = "") -> Source:
    return Source("SP23", loc, "2023", note)


def _eye(X):
    return jnp.eye(X.shape[-1], dtype=X.dtype)


def alpha(G):
    """MC (143)'s α(G): Toeplitz, its diagonal of offset k holding the sum of G's diagonal k (k = j − i)."""
    n = G.shape[-1]
    idx = np.arange(n)[None, :] - np.arange(n)[:, None] + n - 1
    sums = jnp.zeros(2 * n - 1, dtype=G.dtype).at[idx].add(G)
    return sums[idx]


# --- (136)-(137): the chain rule through an intermediate matrix ---------------------------------------------
@identity(
    f=lambda X, A: jnp.sum(jnp.sin(X @ A @ X)),
    find="sum(sin(X @ A @ X))",
    wrt="X",
    shapes={"X": "n n", "A": "n n"},
    tex=Tex(
        f=r"g(U),\ U = XAX,\ g(U) = \textstyle\sum_{kl} \sin U_{kl}",
        num=r"\left(G (AX)^\top + (XA)^\top G\right)^\top",
        den=r"\frac{\partial g}{\partial X_{ij}} = \operatorname{tr}\left[G^\top \frac{\partial U}{\partial X_{ij}}\right]"
        r" = G (AX)^\top + (XA)^\top G",
        where=r"G = \partial g / \partial U = \cos U \text{ (elementwise)}",
    ),
    sources=[mc(136), mc(137), wiki("scalar-by-matrix: ∂g(U)/∂X_ij")],
    aliases=("chain rule (137)",),
    notes="""
    (136) sums ∂g/∂u_kl · ∂u_kl/∂x_ij over k, l; (137) writes the sum as tr[(∂g/∂U)ᵀ ∂U/∂X_ij]. With
    ∂U/∂X_ij = J^ij AX + XA J^ij the trace collapses to G(AX)ᵀ + (XA)ᵀG, which is how it is spelled
    (no n⁴ tensor ∂U/∂X is formed).
    """,
)
def chain_rule_trace(X, A):
    XA = X @ A
    G = jnp.cos(XA @ X)
    # G (AX)ᵀ + (XA)ᵀ G as (G Xᵀ) Aᵀ + (XA)ᵀ G, the transposes in the contractions: XA is kept from U = (XA)X,
    # so five n×n products, as reverse mode makes (recomputing XA as Aᵀ(XᵀG) made six). (XA)ᵀG is the first
    # operand of the sum so that XLA forms it in the output buffer: two n×n temporaries, not three
    XAtG = jnp.einsum("ki,kj->ij", XA, G)
    return XAtG + jnp.einsum("ik,jk->ij", jnp.einsum("ik,jk->ij", G, X), A)


# --- (138)-(141): symmetric X, the Cookbook's convention and the symmetric-part convention ------------------
@identity(
    f=lambda A, X: jnp.trace(A @ X),
    find="trace(A @ X)",
    wrt="X",
    shapes={"A": "n n", "X": "n n"},
    requires={"X": SYMMETRIC},
    convention="mc_sym",
    tex=Tex(
        f=r"\operatorname{tr}(AX),\ X = X^\top",
        num=r"A + A^\top - (A \circ I)",
        den=r"A + A^\top - (A \circ I)",
    ),
    sources=[mc(138), mc(139)],
    aliases=("MC139",),
    notes="""
    The Cookbook's convention (138): [∂f/∂X] + [∂f/∂X]ᵀ − diag[∂f/∂X] with ∂f/∂X = Aᵀ the unstructured
    derivative. Entry (i, j), i ≠ j, is ∂f/∂X_ij when X_ij and X_ji are one variable; pairing it with a
    symmetric dX must count each off-diagonal entry once (verify.PAIRINGS["mc_sym"]). Compare
    structured.tr_AX_sym_sym (the symmetric part) and docs/layouts.md.
    """,
)
def tr_AX_sym_mc(A, X):
    return A + A.T - A * _eye(A)


@identity(
    f=lambda A, X: jnp.trace(A @ X),
    find="trace(A @ X)",
    wrt="X",
    shapes={"A": "n n", "X": "n n"},
    requires={"X": SYMMETRIC},
    convention="sym",
    tex=Tex(
        f=r"\operatorname{tr}(AX),\ X = X^\top",
        num=r"\tfrac12 (A + A^\top)",
        den=r"\tfrac12 (A + A^\top)",
    ),
    sources=[sp23("gradient on symmetric matrices: sym(∂f/∂X)")],
    notes="""
    The gradient for the Frobenius inner product on symmetric matrices: df = ⟨D, dX⟩_F for every
    symmetric dX, and D symmetric. It differs from MC (139) (structured.tr_AX_sym_mc) off the diagonal by a
    factor 2 and on the diagonal not at all.
    """,
)
def tr_AX_sym_sym(A, X):
    return (A + A.T) / 2


@identity(
    f=lambda X: jnp.linalg.det(X),
    find="det(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": SPD},
    convention="mc_sym",
    tex=Tex(
        f=r"\det(X),\ X = X^\top",
        num=r"\det(X)\left(2X^{-1} - (X^{-1} \circ I)\right)",
        den=r"\det(X)\left(2X^{-1} - (X^{-1} \circ I)\right)",
    ),
    sources=[mc(140)],
    notes="The Cookbook states it for symmetric X; X⁻¹ must exist, so the check draws SPD X.",
)
def det_sym_mc(X):
    Y = jnp.linalg.inv(X)
    return jnp.linalg.det(X) * (2 * Y - Y * _eye(X))


@identity(
    f=lambda X: jnp.linalg.det(X),
    find="det(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": SPD},
    convention="sym",
    tex=Tex(f=r"\det(X),\ X = X^\top", num=r"\det(X)\, X^{-1}", den=r"\det(X)\, X^{-1}"),
    sources=[sp23("gradient on symmetric matrices: sym(∂f/∂X)")],
    notes="For symmetric X the unstructured derivative det(X)X⁻ᵀ is already symmetric, so sym(G) = G.",
)
def det_sym_sym(X):
    return jnp.linalg.det(X) * jnp.linalg.inv(X)


@identity(
    f=lambda X: jnp.linalg.slogdet(X)[1],
    find="logdet(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": SPD},
    convention="mc_sym",
    tex=Tex(
        f=r"\ln\det(X),\ X = X^\top",
        num=r"2X^{-1} - (X^{-1} \circ I)",
        den=r"2X^{-1} - (X^{-1} \circ I)",
    ),
    sources=[mc(141)],
)
def logdet_sym_mc(X):
    Y = jnp.linalg.inv(X)
    return 2 * Y - Y * _eye(X)


@identity(
    f=lambda X: jnp.linalg.slogdet(X)[1],
    find="logdet(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": SPD},
    convention="sym",
    tex=Tex(f=r"\ln\det(X),\ X = X^\top", num=r"X^{-1}", den=r"X^{-1}"),
    sources=[sp23("gradient on symmetric matrices: sym(∂f/∂X)")],
    notes="The form used in statistics (e.g. the Gaussian log-likelihood in Σ); compare MC (141).",
)
def logdet_sym_sym(X):
    return jnp.linalg.inv(X)


# --- (142): diagonal X ---------------------------------------------------------------------------------------
@identity(
    f=lambda A, X: jnp.trace(A @ X),
    find="trace(A @ X)",
    wrt="X",
    shapes={"A": "n n", "X": "n n"},
    requires={"X": DIAGONAL},
    convention="diag",
    tex=Tex(f=r"\operatorname{tr}(AX),\ X \text{ diagonal}", num=r"A \circ I", den=r"A \circ I"),
    sources=[mc(142)],
    notes="Only the diagonal entries of X vary; the derivative by them is the diagonal of A.",
)
def tr_AX_diag(A, X):
    return A * _eye(A)


# --- (143)-(144): Toeplitz T ---------------------------------------------------------------------------------
@identity(
    f=lambda A, T: jnp.trace(A @ T),
    find="trace(A @ T)",
    wrt="T",
    shapes={"A": "n n", "T": "n n"},
    requires={"T": TOEPLITZ},
    convention="toeplitz",
    tex=Tex(
        f=r"\operatorname{tr}(AT),\ T \text{ Toeplitz}",
        num=r"\alpha(A)^\top",
        den=r"\alpha(A)",
        where=r"\alpha(A)_{ij} = \textstyle\sum_l (A^\top)_{l,\,l+j-i}",
    ),
    sources=[mc(143)],
    aliases=("MC143",),
    notes="""
    T = Σ_k t_k S_k over the 2n − 1 diagonals (S_k has ones on diagonal k = j − i). ∂f/∂t_k is the sum of
    the k-th diagonal of Aᵀ (the unstructured derivative); α(A) is the Toeplitz matrix holding these sums,
    so its (1, n) entry is A_n1 and its diagonal tr(A), as the Cookbook prints. Pairing with a Toeplitz dT
    counts each diagonal once: df = Σ_k α_k dt_k (verify.PAIRINGS["toeplitz"]).
    """,
)
def tr_AT_toeplitz(A, T):
    return alpha(A.T)


@identity(
    f=lambda T, A: jnp.trace(T @ A),
    find="trace(T @ A)",
    wrt="T",
    shapes={"T": "n n", "A": "n n"},
    requires={"T": TOEPLITZ},
    convention="toeplitz",
    tex=Tex(
        f=r"\operatorname{tr}(TA),\ T \text{ Toeplitz}",
        num=r"\alpha(A)^\top",
        den=r"\alpha(A)",
        where=r"\alpha(A)_{ij} = \textstyle\sum_l (A^\top)_{l,\,l+j-i}",
    ),
    sources=[mc(143)],
    notes="tr(TA) = tr(AT), so the derivative is the same α(A).",
)
def tr_TA_toeplitz(T, A):
    return alpha(A.T)


@identity(
    f=lambda A, T: jnp.trace(A @ T),
    find="trace(A @ T)",
    wrt="T",
    shapes={"A": "n n", "T": "n n"},
    requires={"T": SYM_TOEPLITZ},
    convention="sym_toeplitz",
    tex=Tex(
        f=r"\operatorname{tr}(AT),\ T \text{ symmetric Toeplitz}",
        num=r"\alpha(A) + \alpha(A)^\top - \alpha(A) \circ I",
        den=r"\alpha(A) + \alpha(A)^\top - \alpha(A) \circ I",
    ),
    sources=[mc(144)],
    notes="""
    A symmetric Toeplitz T has n free values t_0 … t_{n−1}, t_k on diagonals ±k; ∂f/∂t_k (k > 0) adds the
    sums of both diagonals, which is the Cookbook's α + αᵀ − α ∘ I placed in the pattern of T.
    """,
)
def tr_AT_sym_toeplitz(A, T):
    a = alpha(A.T)
    return a + a.T - a * _eye(a)


@identity(
    f=lambda a, T, b: a @ T @ b,
    find="a @ T @ b",
    wrt="T",
    shapes={"a": "n", "T": "n n", "b": "n"},
    requires={"T": TOEPLITZ},
    convention="toeplitz",
    tex=Tex(
        f=r"a^\top T b,\ T \text{ Toeplitz}",
        num=r"\alpha(b a^\top)^\top",
        den=r"\alpha(b a^\top)",
        where=r"\frac{df}{dT_{ij}} = \operatorname{tr}\left[\left(\frac{\partial f}{\partial T}\right)^\top S^{ij}\right]",
    ),
    sources=[mc(133)],
    notes="""
    The general rule (133), df/dT_ij = tr[(∂f/∂T)ᵀ S^ij], with the Toeplitz structure matrix S^ij (ones on
    the diagonal through (i, j)) and the unstructured derivative G = abᵀ (MC (70)): entry (i, j) is the
    sum of G's diagonal j − i, Σ_l a_l b_{l+j−i}; in the Cookbook's notation (α sums the diagonals of the
    transpose of its argument) that is α(baᵀ).
    """,
)
def aTTb_toeplitz(a, T, b):
    return alpha(jnp.outer(a, b))
