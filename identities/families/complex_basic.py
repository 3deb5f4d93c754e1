r"""Complex variables: the machine-learning and signal-processing staples, and holomorphic maps.

Every identity here has a complex variable (``dtypes``) and declares the convention its closed form
returns (``complex_form``, see :mod:`identities.wirtinger`): the conjugate Wirtinger derivative ∂f/∂z̄ for
a real-valued f (half the Matrix Cookbook's complex gradient and half PyTorch's ``.grad``), f′(z) for a
holomorphic f. ``closed_form(..., convention=...)`` gives any other convention, and the verifier checks
the pair (∂f/∂z, ∂f/∂z̄) against JAX's real Jacobians, JAX's own complex ``grad``/``vjp``, finite
differences along the real and imaginary parts, and (holomorphic f, real coefficients) the complex step.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .._core import Source, SpecialPoint, Tex, identity, mc, staple
from .._structures import (
    COMPLEX_ENTRIES_NONZERO,
    COMPLEX_INVERTIBLE,
    COMPLEX_NONZERO,
    DISTINCT_SINGULAR,
    HERMITIAN,
    HPD,
    OFF_BRANCH_CUT,
    UNITARY,
)

C = "complex128"


def _h(a):
    """The conjugate transpose of the trailing two axes."""
    return jnp.conj(jnp.swapaxes(a, -1, -2))


def _c(x):
    """A real array as complex128 (the tests run JAX with strict dtype promotion)."""
    return jnp.asarray(x, dtype=jnp.complex128)


def cls15(loc: str, note: str = "") -> Source:
    return Source("CLS15", loc, "2015", note)


DZBAR = r"\bar z"  # Tex.wrt of identities declared as ∂f/∂z̄


def _near(target: complex):
    """A special point's ``valid``: the candidate (a 0-d array) equals ``target`` to 1e-9 relative."""
    return lambda g: bool(np.isclose(complex(g), target, rtol=1e-9, atol=1e-12))


def _one_of(*targets: complex):
    """``valid`` at a branch cut: the candidate is the derivative from one side or the other."""
    return lambda g: any(_near(t)(g) for t in targets)


# The principal branch cut (−∞, 0] of arg, log and √: points on it with a signed zero imaginary part.
# C99 (Annex G) and NumPy read −4 − 0i as the limit from below (√ = −2i, log = ln 4 − iπ).
CUT_UPPER, CUT_LOWER = complex(-1.0, 0.0), complex(-1.0, -0.0)
CUT_AT_MINUS_4 = complex(-4.0, -0.0)


# --- moduli, phases, norms (real-valued) -------------------------------------------------------------------
@identity(
    f=lambda z: jnp.real(z * jnp.conj(z)),
    find="real(z * conj(z))",
    wrt="z",
    shapes={"z": ""},
    dtypes={"z": C},
    tex=Tex(f=r"|z|^2", num=r"z", den=r"z", wrt=DZBAR),
    sources=[staple("|z|²: ∂/∂z̄ = z, complex gradient 2z (the example of docs/complex.md)")],
    aliases=("|z|^2",),
    notes="jax.grad gives 2z̄ (2 − 4i at 1 + 2i), PyTorch's .grad 2z (2 + 4i): a conjugate apart.",
)
def sq_abs(z):
    return z


@identity(
    f=lambda z: jnp.real(jnp.vdot(z, z)),
    find="real(conj(z) @ z)",
    wrt="z",
    shapes={"z": "n"},
    dtypes={"z": C},
    tex=Tex(f=r"z^H z = \|z\|_2^2", num=r"z^\top", den=r"z", wrt=DZBAR),
    sources=[staple("‖z‖² = zᴴz")],
)
def zHz(z):
    return z


@identity(
    f=lambda z: jnp.abs(z),
    find="abs(z)",
    wrt="z",
    shapes={"z": ""},
    requires={"z": COMPLEX_NONZERO},
    dtypes={"z": C},
    tex=Tex(f=r"|z|", num=r"\frac{z}{2|z|}", den=r"\frac{z}{2|z|}", wrt=DZBAR),
    sources=[staple("|z|, z ≠ 0: ∂/∂z̄ = z/(2|z|); the complex gradient z/|z| is the unit phasor")],
    aliases=("|z|",),
    special=[
        SpecialPoint(
            "z = 0",
            {"z": 0j},
            "not differentiable; the subdifferential of the gradient ∂f/∂x + i∂f/∂y is the closed unit disk "
            "|g| ≤ 1, so as ∂f/∂z̄ = g/2 the valid answers are |∂f/∂z̄| ≤ 1/2",
            valid=lambda g: abs(complex(g)) <= 0.5 * (1 + 1e-12),
            jax_verdict="valid",
            upstream=("none found",),
        )
    ],
)
def abs_z(z):
    return z / _c(2 * jnp.abs(z))


@identity(
    f=lambda z: jnp.abs(z),
    find="abs(z)",
    wrt="z",
    shapes={"z": "n"},
    requires={"z": COMPLEX_ENTRIES_NONZERO},
    dtypes={"z": C},
    tex=Tex(
        f=r"|z| \text{ (entrywise)}",
        num=r"\operatorname{diag}\left(\frac{z}{2|z|}\right)",
        den=r"\operatorname{diag}\left(\frac{z}{2|z|}\right)",
        wrt=DZBAR,
    ),
    sources=[staple("entrywise modulus, no zero entry")],
)
def abs_entrywise(z):
    return jnp.diag(z / _c(2 * jnp.abs(z)))


@identity(
    f=lambda z: jnp.angle(z),
    find="angle(z)",
    wrt="z",
    shapes={"z": ""},
    requires={"z": OFF_BRANCH_CUT},
    dtypes={"z": C},
    tex=Tex(f=r"\arg z", num=r"\frac{i}{2\bar z}", den=r"\frac{i}{2\bar z}", wrt=DZBAR),
    sources=[staple("the phase: d arg z = Im(dz/z), so ∂/∂z̄ = i/(2z̄); off the branch cut (negative reals)")],
    aliases=("phase", "angle"),
    special=[
        SpecialPoint(
            "z = 0",
            {"z": 0j},
            "arg is not continuous at 0 and |∂ arg/∂z̄| = 1/(2|z|) is unbounded nearby: no finite answer is valid",
            jax_verdict="nan",
            upstream=("pytorch/pytorch#98276",),
        ),
        *(
            SpecialPoint(
                f"z = −1 {sign} 0i (on the branch cut)",
                {"z": z},
                "arg jumps by 2π across the cut (the negative reals): not differentiable; from either side "
                "∂f/∂z̄ = i/(2z̄) = −i/2 (jax.grad i, PyTorch's .grad −i)",
                valid=_near(-0.5j),
                one_sided=True,
                jax_verdict="valid",
                upstream=("none found",),
            )
            for sign, z in (("+", CUT_UPPER), ("−", CUT_LOWER))
        ),
    ],
    notes="The principal argument jumps by 2π across the negative real axis; the derivative exists on both sides.",
)
def phase(z):
    return 1j / (2 * jnp.conj(z))


@identity(
    f=lambda z: jnp.linalg.norm(z),
    find="norm(z)",
    wrt="z",
    shapes={"z": "n"},
    requires={"z": COMPLEX_NONZERO},
    dtypes={"z": C},
    tex=Tex(f=r"\|z\|_2", num=r"\frac{z^\top}{2\|z\|_2}", den=r"\frac{z}{2\|z\|_2}", wrt=DZBAR),
    sources=[staple("‖z‖₂, z ≠ 0")],
    special=[
        SpecialPoint(
            "z = 0",
            {"z": np.zeros(3, dtype=complex)},
            "not differentiable; the subdifferential of the gradient ∂f/∂x + i∂f/∂y is the closed unit ball "
            "‖g‖₂ ≤ 1 of ℂⁿ, so as ∂f/∂z̄ = g/2 the valid answers are ‖∂f/∂z̄‖₂ ≤ 1/2",
            valid=lambda g: float(np.linalg.norm(g)) <= 0.5 * (1 + 1e-12),
            jax_verdict="nan",
            notes="jnp.linalg.norm is sqrt(sum(|z|²)) and JAX differentiates it as written: sqrt' is infinite "
            "at 0 and inf · 0 = NaN, as for the real norm at 0 (norms.l2).",
            upstream=("none found",),
        )
    ],
)
def norm2(z):
    return z / _c(2 * jnp.linalg.norm(z))


@identity(
    f=lambda z: jnp.real(z),
    find="real(z)",
    wrt="z",
    shapes={"z": ""},
    dtypes={"z": C},
    tex=Tex(f=r"\operatorname{Re} z", num=r"\tfrac12", den=r"\tfrac12", wrt=DZBAR),
    sources=[staple("Re z = (z + z̄)/2")],
)
def re_z(z):
    return jnp.asarray(0.5 + 0j)


@identity(
    f=lambda a, z: jnp.real(jnp.vdot(a, z)),
    find="real(conj(a) @ z)",
    wrt="z",
    shapes={"a": "n", "z": "n"},
    dtypes={"a": C, "z": C},
    tex=Tex(f=r"\operatorname{Re}(a^H z)", num=r"\tfrac12 a^\top", den=r"\tfrac12 a", wrt=DZBAR),
    sources=[staple("the real linear functional Re⟨a, z⟩")],
)
def re_aHz(a, z):
    return a / 2


@identity(
    f=lambda a, z: jnp.abs(jnp.vdot(a, z)) ** 2,
    find="abs(conj(a) @ z) ** 2",
    wrt="z",
    shapes={"a": "n", "z": "n"},
    dtypes={"a": C, "z": C},
    tex=Tex(f=r"|a^H z|^2", num=r"(a a^H z)^\top", den=r"a a^H z", wrt=DZBAR),
    sources=[staple("|aᴴz|² = zᴴaaᴴz, a rank-one Hermitian form")],
)
def abs_aHz_sq(a, z):
    return a * jnp.vdot(a, z)


# --- least squares and Hermitian forms ---------------------------------------------------------------------
@identity(
    f=lambda A, z, b: jnp.real(jnp.vdot(A @ z - b, A @ z - b)),
    find="norm(A @ z - b) ** 2",
    wrt="z",
    shapes={"A": "m n", "z": "n", "b": "m"},
    dtypes={"A": C, "z": C, "b": C},
    tex=Tex(f=r"\|Az - b\|_2^2", num=r"(A^H(Az - b))^\top", den=r"A^H(Az - b)", wrt=DZBAR),
    sources=[staple("complex least squares: PyTorch's .grad is 2Aᴴ(Az − b), jax.grad its conjugate")],
    aliases=("complex least squares",),
)
def lstsq(A, z, b):
    return _h(A) @ (A @ z - b)


@identity(
    f=lambda A, z: jnp.real(jnp.vdot(z, A @ z)),
    find="real(conj(z) @ A @ z)",
    wrt="z",
    shapes={"A": "n n", "z": "n"},
    requires={"A": HERMITIAN},
    dtypes={"A": C, "z": C},
    tex=Tex(f=r"z^H A z,\ A = A^H", num=r"(Az)^\top", den=r"Az", wrt=DZBAR),
    sources=[staple("the Hermitian form (real for Hermitian A)")],
    aliases=("xHAx",),
)
def zHAz_hermitian(A, z):
    return A @ z


@identity(
    f=lambda A, z: jnp.real(jnp.vdot(z, A @ z)),
    find="real(conj(z) @ A @ z)",
    wrt="z",
    shapes={"A": "n n", "z": "n"},
    dtypes={"A": C, "z": C},
    tex=Tex(f=r"\operatorname{Re}(z^H A z)", num=r"(\tfrac12(A + A^H) z)^\top", den=r"\tfrac12(A + A^H) z", wrt=DZBAR),
    sources=[staple("the real part of a general quadratic form: only A's Hermitian part enters")],
)
def re_zHAz(A, z):
    return (A @ z + jnp.conj(jnp.conj(z) @ A)) / 2  # (A + Aᴴ)z/2 without forming Aᴴ


@identity(
    f=lambda R, z: jnp.real(jnp.vdot(z, jnp.linalg.solve(R, z))),
    find="real(conj(z) @ solve(R, z))",
    wrt="z",
    shapes={"R": "n n", "z": "n"},
    requires={"R": HPD},
    dtypes={"R": C, "z": C},
    tex=Tex(f=r"z^H R^{-1} z", num=r"(R^{-1} z)^\top", den=r"R^{-1} z", wrt=DZBAR),
    sources=[staple("the complex Gaussian's quadratic term (Mahalanobis distance), R Hermitian positive definite")],
)
def zHRinvz(R, z):
    return jnp.linalg.solve(R, z)


@identity(
    f=lambda R, z: jnp.real(jnp.vdot(z, jnp.linalg.solve(R, z))) + jnp.linalg.slogdet(R)[1],
    find="real(conj(z) @ solve(R, z)) + logdet(R)",
    wrt="R",
    shapes={"R": "n n", "z": "n"},
    requires={"R": HPD},
    dtypes={"R": C, "z": C},
    tex=Tex(
        f=r"z^H R^{-1} z + \log\det R",
        num=r"\tfrac12\left(R^{-1} - R^{-1} z z^H R^{-1}\right)^{\!\top\!*}",
        den=r"\tfrac12\left(R^{-H} - R^{-H} z z^H R^{-H}\right)",
        wrt=r"\bar R",
    ),
    sources=[staple("negative log-likelihood of the circular complex Gaussian CN(0, R) in R, up to n log π")],
    notes="""
    Declared on the natural extension Re(zᴴR⁻¹z) + log|det R| to every invertible R, whose differential is
    Re tr(G dR) with G = R⁻¹ − R⁻¹zzᴴR⁻¹, so ∂f/∂R̄ = ½Gᴴ. For Hermitian R, Gᴴ = G: the complex gradient
    (233) R⁻¹ − R⁻¹zzᴴR⁻¹ vanishes at R = zzᴴ's maximum-likelihood fit.
    """,
)
def complex_gaussian_nll_R(R, z):
    g = jnp.linalg.inv(R) - jnp.linalg.solve(R, z)[:, None] * jnp.conj(jnp.linalg.solve(_h(R), z))[None, :]
    return _h(g) / 2


# --- matrices: traces, log det, norms ----------------------------------------------------------------------
@identity(
    f=lambda X: jnp.real(jnp.trace(X @ _h(X))),
    find="real(trace(X @ conj(X).T))",
    wrt="X",
    shapes={"X": "m n"},
    dtypes={"X": C},
    tex=Tex(f=r"\operatorname{tr}(X X^H)", num=r"X^\top", den=r"X", wrt=r"X^*"),
    sources=[staple("tr(XXᴴ) = ‖X‖²_F"), mc("246-248", "∂/∂X = X* (246), ∂/∂X* = X (247), ∇ = 2X (248)")],
    aliases=("tr(XX^H)",),
)
def tr_XXH(X):
    return X


@identity(
    f=lambda A, X: jnp.real(jnp.trace(_h(X) @ A @ X)),
    find="real(trace(conj(X).T @ A @ X))",
    wrt="X",
    shapes={"A": "m m", "X": "m n"},
    requires={"A": HERMITIAN},
    dtypes={"A": C, "X": C},
    tex=Tex(f=r"\operatorname{tr}(X^H A X),\ A = A^H", num=r"(AX)^\top", den=r"AX", wrt=r"X^*"),
    sources=[staple("the matrix Hermitian form (MIMO and beamforming power)")],
)
def tr_XHAX(A, X):
    return A @ X


@identity(
    f=lambda A, X: jnp.real(jnp.trace(A @ X)),
    find="real(trace(A @ X))",
    wrt="X",
    shapes={"A": "n m", "X": "m n"},
    dtypes={"A": C, "X": C},
    tex=Tex(f=r"\operatorname{Re}\operatorname{tr}(AX)", num=r"\tfrac12 A^*", den=r"\tfrac12 A^H", wrt=r"X^*"),
    sources=[staple("the real part of a trace: Re tr(AX) = ⟨Aᴴ, X⟩ in the real inner product Re tr(BᴴX)")],
)
def re_tr_AX(A, X):
    return _h(A) / 2


@identity(
    f=lambda X: jnp.linalg.slogdet(X)[1],
    find="logdet(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": HPD},
    dtypes={"X": C},
    tex=Tex(f=r"\log\det X,\ X \succ 0", num=r"\tfrac12 X^{-\top}", den=r"\tfrac12 X^{-1}", wrt=r"X^*"),
    sources=[staple("log det of a Hermitian positive definite matrix (complex Gaussian, capacity log det(I + HHᴴ))")],
    notes="""
    Declared on log|det X|, the extension to every invertible X: ∂/∂X̄ = ½X⁻ᴴ, which is ½X⁻¹ for Hermitian X.
    The complex gradient (233) is X⁻¹.
    """,
)
def logdet_hpd(X):
    return _h(jnp.linalg.inv(X)) / 2


@identity(
    f=lambda X: jnp.linalg.slogdet(X)[1],
    find="logdet(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": COMPLEX_INVERTIBLE},
    dtypes={"X": C},
    tex=Tex(f=r"\log|\det X|", num=r"\tfrac12 X^{-*}", den=r"\tfrac12 X^{-H}", wrt=r"X^*"),
    sources=[staple("log|det X| of an invertible complex matrix")],
)
def log_abs_det(X):
    return _h(jnp.linalg.inv(X)) / 2


@identity(
    f=lambda X: jnp.abs(jnp.linalg.det(X)) ** 2,
    find="abs(det(X)) ** 2",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": COMPLEX_INVERTIBLE},
    dtypes={"X": C},
    tex=Tex(f=r"|\det X|^2", num=r"|\det X|^2 X^{-*}", den=r"|\det X|^2 X^{-H}", wrt=r"X^*"),
    sources=[staple("|det X|² = det(XᴴX)")],
)
def abs_det_sq(X):
    return _c(jnp.abs(jnp.linalg.det(X)) ** 2) * _h(jnp.linalg.inv(X))


@identity(
    f=lambda U, Z: jnp.real(jnp.trace(_h(U @ Z) @ (U @ Z))),
    find="real(trace(conj(U @ Z).T @ (U @ Z)))",
    wrt="Z",
    shapes={"U": "m m", "Z": "m n"},
    requires={"U": UNITARY},
    dtypes={"U": C, "Z": C},
    tex=Tex(f=r"\|UZ\|_F^2,\ U^H U = I", num=r"Z^\top", den=r"Z", wrt=r"Z^*"),
    sources=[staple("unitary invariance of the Frobenius norm: ‖UZ‖_F = ‖Z‖_F, so the gradient is Z's own")],
)
def unitary_invariant_frobenius(U, Z):
    return Z


@identity(
    f=lambda Z: jnp.sum(jnp.linalg.svd(Z, compute_uv=False)),
    find="nucnorm(Z)",
    wrt="Z",
    shapes={"Z": "m n"},
    requires={"Z": DISTINCT_SINGULAR},
    dtypes={"Z": C},
    tex=Tex(f=r"\|Z\|_*", num=r"\tfrac12 (U V^H)^\top", den=r"\tfrac12 U V^H", wrt=r"Z^*"),
    sources=[staple("the nuclear norm (unitarily invariant), Z = UΣVᴴ with distinct nonzero singular values")],
)
def nuclear_norm(Z):
    u, _, vh = jnp.linalg.svd(Z, full_matrices=False)
    return u @ vh / 2


@identity(
    f=lambda Z: jnp.linalg.svd(Z, compute_uv=False)[0],
    find="norm2(Z)",
    wrt="Z",
    shapes={"Z": "m n"},
    requires={"Z": DISTINCT_SINGULAR},
    dtypes={"Z": C},
    tex=Tex(f=r"\|Z\|_2 = \sigma_1", num=r"\tfrac12 (u_1 v_1^H)^\top", den=r"\tfrac12 u_1 v_1^H", wrt=r"Z^*"),
    sources=[staple("the spectral norm (unitarily invariant), a simple largest singular value")],
    notes="u₁ and v₁ are defined up to a common phase e^{iθ}; u₁v₁ᴴ is not, so the derivative is.",
)
def spectral_norm(Z):
    u, _, vh = jnp.linalg.svd(Z, full_matrices=False)
    return jnp.outer(u[:, 0], vh[0]) / 2


# --- signal-processing losses ------------------------------------------------------------------------------
@identity(
    f=lambda A, z, y: jnp.sum((jnp.abs(A @ z) ** 2 - y) ** 2),
    find="sum((abs(A @ z) ** 2 - y) ** 2)",
    wrt="z",
    shapes={"A": "m n", "z": "n", "y": "m"},
    dtypes={"A": C, "z": C},
    tex=Tex(
        f=r"\sum_i (|a_i^H z|^2 - y_i)^2",
        num=r"\left(2 A^H\big((|Az|^2 - y) \circ Az\big)\right)^\top",
        den=r"2 A^H\big((|Az|^2 - y) \circ Az\big)",
        wrt=DZBAR,
    ),
    sources=[cls15("eq. (1.3)-(1.4): the intensity loss of phase retrieval (Wirtinger flow), rows of A are a_iᴴ")],
    notes="Candès et al. normalise by 1/(2m) and step along the Wirtinger gradient ∂/∂z̄; here without the factor.",
)
def phase_retrieval_intensity(A, z, y):
    w = A @ z
    return 2 * _h(A) @ (_c(jnp.abs(w) ** 2 - y) * w)


@identity(
    f=lambda z: jnp.sum((jnp.abs(z) ** 2 - 1.0) ** 2),
    find="sum((abs(z) ** 2 - 1) ** 2)",
    wrt="z",
    shapes={"z": "n"},
    dtypes={"z": C},
    tex=Tex(f=r"\sum_i (|z_i|^2 - 1)^2", num=r"(2(|z|^2 - 1) \circ z)^\top", den=r"2(|z|^2 - 1) \circ z", wrt=DZBAR),
    sources=[staple("the constant-modulus cost (CMA blind equalisation), entrywise")],
)
def constant_modulus(z):
    return 2 * _c(jnp.abs(z) ** 2 - 1.0) * z


# --- holomorphic maps --------------------------------------------------------------------------------------
@identity(
    f=lambda z: z**2,
    find="z ** 2",
    wrt="z",
    shapes={"z": ""},
    dtypes={"z": C},
    holomorphic=True,
    tex=Tex(f=r"z^2", num=r"2z", den=r"2z"),
    sources=[staple("holomorphic: f′(z) = 2z; PyTorch's backward(1) gives conj(f′(z)) = 2z̄")],
)
def z_squared(z):
    return 2 * z


@identity(
    f=lambda z: jnp.exp(z),
    find="exp(z)",
    wrt="z",
    shapes={"z": "n"},
    dtypes={"z": C},
    holomorphic=True,
    tex=Tex(f=r"e^{z} \text{ (entrywise)}", num=r"\operatorname{diag}(e^z)", den=r"\operatorname{diag}(e^z)"),
    sources=[staple("the entrywise exponential, holomorphic")],
)
def exp_entrywise(z):
    return jnp.diag(jnp.exp(z))


@identity(
    f=lambda z: jnp.log(z),
    find="log(z)",
    wrt="z",
    shapes={"z": ""},
    requires={"z": OFF_BRANCH_CUT},
    dtypes={"z": C},
    holomorphic=True,
    tex=Tex(f=r"\log z", num=r"1/z", den=r"1/z"),
    sources=[staple("the principal logarithm, holomorphic off the branch cut (−∞, 0]")],
    special=[
        SpecialPoint(
            "z = −4 − 0i (on the branch cut)",
            {"z": CUT_AT_MINUS_4},
            "log z jumps by 2πi across the cut: not differentiable; from either side f′ = 1/z = −1/4",
            valid=_near(-0.25),
            one_sided=True,
            jax_verdict="valid",
            upstream=("none found",),
        )
    ],
)
def log_z(z):
    return 1 / z


@identity(
    f=lambda z: jnp.sqrt(z),
    find="sqrt(z)",
    wrt="z",
    shapes={"z": ""},
    requires={"z": OFF_BRANCH_CUT},
    dtypes={"z": C},
    holomorphic=True,
    tex=Tex(f=r"\sqrt z", num=r"\frac{1}{2\sqrt z}", den=r"\frac{1}{2\sqrt z}"),
    sources=[staple("the principal square root, holomorphic off the branch cut (−∞, 0]")],
    special=[
        SpecialPoint(
            "z = −4 − 0i (on the branch cut)",
            {"z": CUT_AT_MINUS_4},
            "√z jumps from 2i (above) to −2i (below) across the cut: not differentiable; f′ = 1/(2√z) is −i/4 "
            "from above and i/4 from below (C99 and NumPy put −4 − 0i below: √ = −2i)",
            valid=_one_of(-0.25j, 0.25j),
            one_sided=True,
            jax_verdict="valid",
            upstream=("jax-ml/jax#39110",),
        )
    ],
)
def sqrt_z(z):
    return 1 / (2 * jnp.sqrt(z))


@identity(
    f=lambda A, z: A @ z,
    find="A @ z",
    wrt="z",
    shapes={"A": "m n", "z": "n"},
    dtypes={"A": C, "z": C},
    holomorphic=True,
    tex=Tex(f=r"Az", num=r"A", den=r"A^\top"),
    sources=[staple("a complex linear map: f′ = A (no conjugate: Aᴴ is the adjoint, not the derivative)")],
)
def Az(A, z):
    return A


@identity(
    f=lambda A, z: z @ A @ z,
    find="z @ A @ z",
    wrt="z",
    shapes={"A": "n n", "z": "n"},
    dtypes={"A": C, "z": C},
    holomorphic=True,
    tex=Tex(f=r"z^\top A z", num=r"z^\top (A + A^\top)", den=r"(A + A^\top) z"),
    sources=[staple("the bilinear (not sesquilinear) quadratic form: holomorphic, f′ = (A + Aᵀ)z")],
)
def zTAz(A, z):
    return A @ z + z @ A  # (A + Aᵀ)z without forming Aᵀ


@identity(
    f=lambda X: jnp.linalg.det(X),
    find="det(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": COMPLEX_INVERTIBLE},
    dtypes={"X": C},
    holomorphic=True,
    tex=Tex(f=r"\det X", num=r"\det(X) X^{-1}", den=r"\det(X) X^{-\top}"),
    sources=[staple("Jacobi's formula holds verbatim for complex X: det is a polynomial in X's entries")],
)
def det_X(X):
    return jnp.linalg.det(X) * jnp.linalg.inv(X).T


@identity(
    f=lambda A, X: jnp.trace(A @ X),
    find="trace(A @ X)",
    wrt="X",
    shapes={"A": "n m", "X": "m n"},
    dtypes={"A": C, "X": C},
    holomorphic=True,
    tex=Tex(f=r"\operatorname{tr}(AX)", num=r"A", den=r"A^\top"),
    sources=[staple("the trace of a product, holomorphic in X")],
)
def tr_AX(A, X):
    return A.T


@identity(
    f=lambda X: jnp.linalg.inv(X),
    find="inv(X)",
    wrt="X",
    shapes={"X": "n n"},
    requires={"X": COMPLEX_INVERTIBLE},
    dtypes={"X": C},
    holomorphic=True,
    tex=Tex(
        f=r"X^{-1}",
        num=r"-(X^{-1})_{ik}(X^{-1})_{lj}",
        den=r"-(X^{-1})_{ik}(X^{-1})_{lj}",
    ),
    sources=[staple("d(X⁻¹) = −X⁻¹ dX X⁻¹, holomorphic (the 4-tensor ∂(X⁻¹)_ij/∂X_kl)")],
)
def inv_X(X):
    xi = jnp.linalg.inv(X)
    return -jnp.einsum("ik,lj->ijkl", xi, xi)
