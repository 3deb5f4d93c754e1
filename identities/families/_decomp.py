"""Helpers shared by the decomposition families (svd, polar, eigfuncs, sqrtm): gauge-fixed factors, stable
divided differences, and the structures their preconditions need.

Gauge: a singular vector or an eigenvector is defined up to sign. :func:`signed_svd` fixes the sign
inside the function (wᵀuᵢ > 0 with irrational weights w_k = √(k + 2), as ``eigen._signed_eigh`` does), so
autodiff, finite differences and the closed form all see one continuous function near a generic point.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from .._core import Source
from .._structures import Structure, _sym

_EPS = float(np.finfo(np.float64).eps)


def townsend16(loc: str, note: str = "") -> Source:
    return Source("Townsend16", loc, "2016", note)


def higham08(loc: str, note: str = "") -> Source:
    return Source("Higham08", loc, "2008", note)


def kato95(loc: str, note: str = "") -> Source:
    return Source("Kato95", loc, "1995", note)


# --- gauge-fixed SVD ---------------------------------------------------------------------------------------
def signed_svd(A):
    """Thin SVD A = U diag(s) Vᵀ (k = min(m, n) columns), each pair (uᵢ, vᵢ) signed so that wᵀuᵢ > 0."""
    U, s, Vt = jnp.linalg.svd(A, full_matrices=False)
    w = jnp.sqrt(jnp.arange(U.shape[0], dtype=U.dtype) + 2)
    sign = jnp.where(w @ U >= 0, 1.0, -1.0)
    return U * sign[None, :], s, Vt.T * sign[None, :]


def svd_F(s):
    """F_ij = 1/(s_j² − s_i²) off the diagonal, 0 on it (Townsend's F; the guard keeps 1/0 out)."""
    diff = s[None, :] ** 2 - s[:, None] ** 2
    off = ~jnp.eye(s.shape[0], dtype=bool)
    return jnp.where(off, 1.0 / jnp.where(off, diff, 1.0), 0.0)


# --- stable divided differences --------------------------------------------------------------------------
def tanhc(x):
    """tanh(x)/x, 1 at 0 (Taylor 1 − x²/3 + 2x⁴/15 below |x| = 1e-3: error under 1e-19)."""
    small = jnp.abs(x) < 1e-3
    xs = jnp.where(small, 1.0, x)
    return jnp.where(small, 1 - x * x / 3 + 2 * x**4 / 15, jnp.tanh(xs) / xs)


def exprel(x):
    """(eˣ − 1)/x, 1 at 0 (Taylor 1 + x/2 + x²/6 + x³/24 below |x| = 1e-3)."""
    small = jnp.abs(x) < 1e-3
    xs = jnp.where(small, 1.0, x)
    return jnp.where(small, 1 + x / 2 + x * x / 6 + x**3 / 24, jnp.expm1(xs) / xs)


def exp_divdiff(lam):
    """D_ij = (e^{λᵢ} − e^{λⱼ})/(λᵢ − λⱼ), e^{λᵢ} where λᵢ = λⱼ: e^{max}·exprel(−|λᵢ − λⱼ|), no cancellation."""
    li, lj = lam[:, None], lam[None, :]
    return jnp.exp(jnp.maximum(li, lj)) * exprel(-jnp.abs(li - lj))


# --- structures ------------------------------------------------------------------------------------------
def _build_cluster_gap(v: np.ndarray) -> np.ndarray:
    # the two smallest eigenvalues stay as drawn (they may be close or equal); the rest move up by 1 + gap
    lam, q = np.linalg.eigh(_sym(np.asarray(v, dtype=float)))
    lam[2:] += 1.0 + (lam[1] - lam[2])
    return _sym((q * lam) @ q.T)


def _cluster_gap_violation(v: np.ndarray, tol: float) -> str | None:
    d = float(np.max(np.abs(v - v.T))) if v.size else 0.0
    scale = max(float(np.max(np.abs(v))), 1e-300)
    if d > max(tol, 1e-12) * scale:
        return f"is not symmetric: max |A - A^T| = {d:.3g}"
    if v.shape[-1] < 3:
        return f"must be at least 3x3 to hold a cluster of 2 eigenvalues and the rest, got {v.shape[-1]}x{v.shape[-1]}"
    lam = np.linalg.eigvalsh(_sym(v))
    gap = float(lam[2] - lam[1])
    if gap <= max(tol, 1e3 * _EPS) * max(float(np.max(np.abs(lam))), 1e-300):
        return f"has no gap after its two smallest eigenvalues: λ₂ = {lam[1]:.6g}, λ₃ = {lam[2]:.6g}"
    return None


def _close_the_gap(v: np.ndarray) -> np.ndarray | None:
    if v.shape[-1] < 3:
        return None
    lam, q = np.linalg.eigh(_sym(np.asarray(v, dtype=float)))
    lam[2] = lam[1]
    return _sym((q * lam) @ q.T)


CLUSTER_GAP = Structure(
    "symmetric, gap after the two smallest eigenvalues",
    "must be symmetric with λ₂ < λ₃ (the two smallest eigenvalues, equal or not, apart from the rest)",
    _build_cluster_gap,
    _cluster_gap_violation,
    tangent=_sym,
    min_ndim=2,
    square=True,
    counterexample=_close_the_gap,
)


def _build_no_negative_real(v: np.ndarray) -> np.ndarray:
    # strictly diagonally dominant with positive diagonal: every Gershgorin disc lies in Re z ≥ 1
    n = v.shape[-1]
    return v + (np.sum(np.abs(v), axis=-1) + 1.0)[:, None] * np.eye(n)


def _no_negative_real_violation(v: np.ndarray, tol: float) -> str | None:
    lam = np.linalg.eigvals(v)
    scale = max(float(np.max(np.abs(lam))), 1e-300)
    bad = [z for z in lam if z.real <= max(tol, 1e3 * _EPS) * scale and abs(z.imag) <= max(tol, 1e3 * _EPS) * scale]
    if bad:
        return f"has an eigenvalue on the closed negative real axis: λ = {complex(bad[0]):.6g}"
    return None


NO_NEGATIVE_REAL = Structure(
    "no eigenvalue on (−∞, 0]",
    "must have no eigenvalue on the closed negative real axis",
    _build_no_negative_real,
    _no_negative_real_violation,
    min_ndim=2,
    square=True,
    counterexample=lambda v: -np.eye(v.shape[-1]),
)


def _build_no_imaginary(v: np.ndarray) -> np.ndarray:
    # X = B D B⁻¹, cond(B) ≤ 5/3, real eigenvalues of both signs with |λ| ≥ 0.8: far from the imaginary axis
    n = v.shape[-1]
    b = np.eye(n) + 0.25 * v / max(float(np.linalg.norm(v, 2)), 1e-300)
    k = np.arange(n)
    d = np.where(k % 2 == 0, 1.0, -1.0) * (1.0 + 0.5 * k + 0.2 * np.tanh(np.diagonal(v)))
    return (b * d) @ np.linalg.inv(b)


def _no_imaginary_violation(v: np.ndarray, tol: float) -> str | None:
    lam = np.linalg.eigvals(v)
    scale = max(float(np.max(np.abs(lam))), 1e-300)
    k = int(np.argmin(np.abs(lam.real)))
    if abs(lam[k].real) <= max(tol, 1e3 * _EPS) * scale:
        return f"has an eigenvalue on the imaginary axis: λ = {complex(lam[k]):.6g}"
    return None


NO_IMAGINARY = Structure(
    "no eigenvalue on the imaginary axis",
    "must have no eigenvalue on the imaginary axis (sign(A) is undefined there)",
    _build_no_imaginary,
    _no_imaginary_violation,
    min_ndim=2,
    square=True,
    counterexample=lambda v: np.zeros_like(np.asarray(v, dtype=float)),
)


def sylvester(P, E):
    """L with P L + L P = E, by the Kronecker form (I ⊗ P + Pᵀ ⊗ I) vec L = vec E (column-major vec)."""
    n = P.shape[-1]
    eye = jnp.eye(n, dtype=P.dtype)
    K = jnp.kron(eye, P) + jnp.kron(P.T, eye)
    return jnp.linalg.solve(K, E.T.reshape(-1)).reshape(n, n).T


# Helpers with lax control flow are jitted: called eagerly (closed_form, find, the framework tables), a
# fori_loop or cond whose body is a new closure is traced, lowered and compiled again on every call; 17
# closed forms took 120-730 ms per call that way, under 20 ms once cached (tests/test_layout.py checks).
@functools.partial(jax.jit, static_argnames="steps")
def sqrtm_db(A, steps: int):
    """A^{1/2} by the Denman–Beavers product iteration M ← (I + (M + M⁻¹)/2)/2, X ← X(I + M⁻¹)/2 from
    M = X = A (Higham 2008, chapter 6), a fixed number of steps. The steps are a ``lax.fori_loop`` (a scan:
    one compiled body; unrolled, logm's 3 × 12 steps took 30 s of verify's compiles), which the PyTorch
    and TensorFlow tables run as a Python loop."""
    eye = jnp.eye(A.shape[-1], dtype=A.dtype)

    def step(_, XM):
        X, M = XM
        Minv = jnp.linalg.inv(M)
        return X @ (eye + Minv) / 2, (eye + (M + Minv) / 2) / 2

    return jax.lax.fori_loop(0, steps, step, (A, A))[0]
