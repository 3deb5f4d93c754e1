"""Verification: each closed form against JAX autodiff (forward and reverse) and finite differences.

For one identity and one set of valid inputs, :func:`check_inputs` evaluates the closed form and compares
it with every reference that applies to the identity's kind:

========  ===============================================================================
kind      references
========  ===============================================================================
jacobian  ``jax.jacfwd``, ``jax.jacrev``, ``jax.grad`` (scalar outputs), central differences
hessian   ``jax.hessian``, ``jacrev(jacrev)``, second-order central differences
jvp       ``jax.jvp``, ``jacfwd`` contracted with the tangent, a central difference along it
vjp       ``jax.vjp``, the dot-product test ⟨vjp(G), V⟩ = ⟨G, FD(V)⟩ over a basis of directions
========  ===============================================================================

Finite differences use JAX only to evaluate ``f`` (batched with ``vmap``); their values never come from
its autodiff (only the size of their rounding, when a check fails: :func:`f_terms_scale`). They
perturb along a basis of the variable's tangent space (the structure's ``tangent`` projection of the
standard basis), so a symmetric variable is only ever perturbed symmetrically; the closed form is
contracted with the same directions, which makes the check layout-free.

Tolerances are written down once, per dtype, in :data:`TOLERANCES`, relative to the magnitude of the
numbers compared (see :func:`_scale`), with a floor for derivatives that are small by cancellation
(see :data:`TOLERANCES` and :func:`terms_scale`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ._core import Identity, catalog

EPS = float(np.finfo(np.float64).eps)
TINY = float(np.finfo(np.float64).tiny)


@dataclass(frozen=True)
class Tolerance:
    """Relative tolerances of one dtype: autodiff comparison, first and second finite differences."""

    autodiff: float
    fd: float
    fd2: float


TOLERANCES: dict[Any, Tolerance] = {
    np.dtype(np.float64): Tolerance(autodiff=1e-9, fd=1e-6, fd2=1e-4),
    np.dtype(np.float32): Tolerance(autodiff=1e-4, fd=1e-2, fd2=1e-1),
    # a complex number carries two floats of the real dtype: the same relative precision, the same tolerances
    np.dtype(np.complex128): Tolerance(autodiff=1e-9, fd=1e-6, fd2=1e-4),
    np.dtype(np.complex64): Tolerance(autodiff=1e-4, fd=1e-2, fd2=1e-1),
}
# The floor. A comparison passes when |closed - ref| <= rtol * S + atol elementwise, S the largest
# magnitude in either array (the whole derivative, not the entry). When the derivative is itself small
# because its terms cancel (a k-means gradient at the centroid, a JVP whose tangent entries cancel, an
# entry like 0.1 + 0.1 + 0.1 - 0.3), rounding leaves differences of eps times the *terms*, which S does
# not see. So a comparison that fails is judged once more with S replaced by max(S, T), where T is the
# magnitude of the terms: the closed form's change under a relative perturbation of every input entry
# (random signs; its componentwise condition, see :func:`terms_scale`); for a JVP or VJP, whose output is
# one contraction of the Jacobian J with a tangent v (or cotangent), also max|J|·max|v|: the normwise
# scale a Jacobian comparison has anyway (a Jv that is 0 by structure, e.g. tr(A⁻¹Ȧ) for triangular A
# and strictly lower Ȧ, comes out of a pivoted solve as 4e-16, of the size of J and v). The same rtol applies, so the
# floor is rtol x T: about 1e-9 of the terms in float64, far above rounding and far below the error of a
# wrong formula (tests/test_negative_controls.py checks a wrong formula still fails at such a point).
# Underflow. Below sqrt(TINY) (about 1.5e-154) a product of two numbers is subnormal or 0, so any
# algorithm that multiplies intermediates (a matrix product, expm's Padé and squaring, a norm) may lose
# them: JAX's vjp of expm returns exactly 0 for a cotangent of 3.6e-299 where the closed form gives 7e-298,
# and a finite difference along a tangent that small sees no change; hypothesis does draw such values.
# So the scale S is never taken below UNDERFLOW: tol >= rtol x 1.5e-154, which only matters when the whole
# derivative is in that range.
UNDERFLOW = float(np.sqrt(np.finfo(np.float64).tiny))
# Central differences at steps h and 2h, combined by Richardson extrapolation (error O(h⁴)); the
# difference of the two estimates bounds the truncation error and is added to the tolerance, so the check
# stays strict where the derivative is large and is not fooled where it is near zero.
FD_STEP = EPS ** (1 / 4)
FD2_STEP = EPS ** (1 / 6)


@dataclass
class CheckResult:
    """One comparison: closed form against one reference, over one or more examples (the worst kept)."""

    check: str
    ok: bool
    max_abs_error: float
    max_rel_error: float
    tol: float
    worst_index: tuple[int, ...] = ()
    closed_value: float = float("nan")
    ref_value: float = float("nan")
    hint: str | None = None

    @property
    def ratio(self) -> float:
        return self.max_abs_error / self.tol if self.tol > 0 else (0.0 if self.max_abs_error == 0 else np.inf)

    def describe(self, ident_id: str) -> str:
        s = (
            f"{ident_id} [{self.check}]: max abs error {self.max_abs_error:.3g} (relative {self.max_rel_error:.3g}, "
            f"tolerance {self.tol:.3g}) at index {self.worst_index}: closed form {self.closed_value!r}, "
            f"reference {self.ref_value!r}"
        )
        return s + (f"; hint: {self.hint}" if self.hint else "")


@dataclass
class Report:
    """The result of verifying one identity over several examples."""

    identity: str
    ok: bool
    examples: int
    checks: dict[str, CheckResult] = field(default_factory=dict)
    sizes: list[dict[str, int]] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    batch: int = 1  # identities verified by the same compiled programs (verify_batch); seconds covers them all

    def failures(self) -> list[str]:
        out = [c.describe(self.identity) for c in self.checks.values() if not c.ok]
        if self.error:
            out.append(f"{self.identity}: {self.error}")
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["checks"] = {k: {**asdict(v), "worst_index": list(v.worst_index)} for k, v in self.checks.items()}
        return d

    def __str__(self) -> str:
        lines = [f"{self.identity}: {'ok' if self.ok else 'FAILED'} ({self.examples} examples, sizes {self.sizes})"]
        for c in self.checks.values():
            lines.append(
                f"  {c.check:<16} {'ok' if c.ok else 'FAIL':<5} max abs {c.max_abs_error:.2e}  tol {c.tol:.2e}"
            )
        lines += [f"  {f}" for f in self.failures()]
        return "\n".join(lines)


# --- inputs ------------------------------------------------------------------------------------------------
def raw_draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """An unconstrained draw, as the hypothesis strategies make it: uniform in [-2, 2]."""
    return rng.uniform(-2.0, 2.0, size=shape)


def build_inputs(ident: Identity, raw: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Turn unconstrained draws into valid inputs by applying each argument's structure."""
    values = {a: np.asarray(ident.structure(a).build(np.asarray(raw[a], dtype=ident.dtype(a)))) for a in ident.argnames}
    for j in ident.joint:
        values = j.build(values)
    for a, s in ident.autodiff_requires.items():
        values[a] = np.asarray(s.build(values[a]))
    return values


def draw_inputs(ident: Identity, rng: np.random.Generator, sizes: Mapping[str, int]) -> dict[str, np.ndarray]:
    shapes = ident.arg_shapes(sizes)
    raw = {}
    for a in ident.argnames:  # a complex argument is x + iy from two real draws
        raw[a] = raw_draw(rng, shapes[a]) + (1j * raw_draw(rng, shapes[a]) if a in ident.dtypes else 0.0)
    return build_inputs(ident, raw)


def draw_extra(ident: Identity, args: Mapping[str, np.ndarray], raw: np.ndarray) -> np.ndarray | None:
    """The tangent (jvp) or cotangent (vjp) argument from an unconstrained draw of the right shape."""
    if ident.kind == "jvp":
        return ident.structure(ident.wrt).tangent(raw)
    if ident.kind == "vjp":
        return raw
    return None


def extra_shape(ident: Identity, sizes: Mapping[str, int]) -> tuple[int, ...] | None:
    if ident.kind == "jvp":
        return ident.arg_shapes(sizes)[ident.wrt]
    if ident.kind == "vjp":
        return ident.out_shape(sizes)
    return None


# --- compiled functions, cached per identity ---------------------------------------------------------------
# Verification runs small problems, so its time is XLA compile time. Every reference at one set of inputs
# is one program (:meth:`_Compiled.references`: one compile instead of five or six; 40 identities verified
# in 38.4 s instead of 60.7 s, same load). Every program here is compiled with FAST_COMPILE: XLA's classic
# elemental emitters instead of its MLIR fusion emitters (which build an MLIR context and pass pipeline per
# fusion), one LLVM module instead of parallel splits, no LLVM optimisation passes. Compiling the
# verification program of all 293 identities took 21.2 s instead of 65.9 s (one process, same inputs); the
# results agree to 1.5e-15 relative (96 identities compared). Options change how fast the code runs, not
# the HLO computed. The HLO verifier, which XLA runs after its passes to check its own invariants, is off: it
# changes nothing it checks, and took 13 % of XLA's compile time for logm's programs (perf); `verify` took
# 42.7 and 42.4 s instead of 44.3 and 44.7 s (taking turns), every check's figures the same (--json, 1547
# checks). The bench times programs compiled with the default options.
FAST_COMPILE: dict[str, Any] = {
    "xla_backend_optimization_level": 0,
    "xla_llvm_disable_expensive_passes": True,
    "xla_cpu_use_fusion_emitters": False,
    "xla_cpu_parallel_codegen_split_count": 1,
    "xla_disable_hlo_passes": "hlo-verifier",
}


def fast_compile_flags() -> str:
    """FAST_COMPILE spelled for ``XLA_FLAGS``: the same options for every program of a process (the test
    suite's default profile sets it before JAX starts its backend)."""
    return " ".join(f"--{k}={str(v).lower()}" for k, v in FAST_COMPILE.items())


class _Compiled:
    """Jitted programs of one identity (JAX caches per shape inside): the verification program
    :attr:`references`, and the closed form, batched f and autodiff references that check and conformance use."""

    def __init__(self, ident: Identity) -> None:
        import jax

        w = ident.wrt_index
        f = ident.f
        jit = functools.partial(jax.jit, compiler_options=FAST_COMPILE)
        self.closed = jit(ident.closed)
        n = len(ident.argnames)
        self.fbatch = jit(jax.vmap(f, in_axes=tuple(0 if i == w else None for i in range(n))))

        def autodiff(*args: Any) -> dict[str, Any]:
            """JAX's own derivatives of f, as conformance reports them at a special point: the Hessian for a
            hessian identity, else jacrev, jacfwd and (scalar f) grad. One program, not one per transform:
            conformance at the 59 identities with special points lowers 124 programs instead of 197 (JAX
            only, one process), with the same results at every point of the catalog."""
            if ident.kind == "hessian":
                return {"hessian": jax.hessian(f, argnums=w)(*args)}
            out = {"jacrev": jax.jacrev(f, argnums=w)(*args), "jacfwd": jax.jacfwd(f, argnums=w)(*args)}
            if jax.numpy.ndim(out["jacrev"]) == jax.numpy.ndim(args[w]):  # f is a scalar
                out["grad"] = jax.grad(f, argnums=w)(*args)
            return out

        self.autodiff = jit(autodiff)

        def jvp(*a: Any) -> Any:
            *args, v = a
            tangents = [jax.numpy.zeros_like(x) for x in args]
            tangents[w] = v
            return jax.jvp(f, tuple(args), tuple(tangents))[1]

        def vjp(*a: Any) -> Any:
            *args, g = a
            return jax.vjp(f, *args)[1](g)[w]

        self.closed_jvp = jit(lambda primals, tangents: jax.jvp(ident.closed, primals, tangents)[1])
        self.f_jvp = jit(lambda primals, tangents: jax.jvp(f, primals, tangents)[1])

        def references(args: tuple[Any, ...], points: Any, extra: Any) -> dict[str, Any]:
            """f, the closed form, every autodiff reference of the identity's kind, and f at ``points``
            (the finite-difference stencil), at one set of inputs: what :func:`check_inputs` compares."""
            before, after = args[:w], args[w + 1 :]
            out = {"f": f(*args), "stencil": jax.vmap(lambda x: f(*before, x, *after))(points)}
            if ident.kind == "jacobian":
                out.update(closed=ident.closed(*args), jacfwd=jax.jacfwd(f, argnums=w)(*args))
                out["jacrev"] = jax.jacrev(f, argnums=w)(*args)
                if jax.numpy.ndim(out["f"]) == 0:
                    out["grad"] = jax.grad(f, argnums=w)(*args)
            elif ident.kind == "hessian":
                out.update(closed=ident.closed(*args), hessian=jax.hessian(f, argnums=w)(*args))
                out["jacrev(jacrev)"] = jax.jacrev(jax.jacrev(f, argnums=w), argnums=w)(*args)
            elif ident.kind == "jvp":
                out.update(closed=ident.closed(*args, extra), jvp=jvp(*args, extra))
                out["jacfwd"] = jax.jacfwd(f, argnums=w)(*args)
            elif ident.kind == "vjp":
                out.update(closed=ident.closed(*args, extra), vjp=vjp(*args, extra))
                out["jacrev"] = jax.jacrev(f, argnums=w)(*args)
            return out

        self.references_fn = references  # unjitted: verify_batch compiles several identities' together
        self.references = jit(references)


@functools.cache
def compiled(ident: Identity) -> _Compiled:
    return _Compiled(ident)


# --- comparison --------------------------------------------------------------------------------------------
def _scale(*arrays: np.ndarray) -> float:
    return max((float(np.max(np.abs(a))) for a in arrays if np.size(a)), default=0.0)


def _compare(
    name: str,
    closed: np.ndarray,
    ref: np.ndarray,
    rtol: float,
    atol: float | np.ndarray = 0.0,
    ndims: tuple[int, int] | None = None,
    floor: Callable[[], float] | None = None,
    noise: Callable[[], float] | None = None,
) -> CheckResult:
    """Compare elementwise: |closed - ref| <= rtol * scale + atol, scale the larger magnitude of the two.

    ``floor`` (called only when the plain comparison fails) gives the magnitude of the terms the
    derivative is summed from; the comparison is then repeated with scale = max(scale, floor()).
    ``noise`` (likewise called only on failure) is an absolute error bound added to ``atol``: the rounding
    of a finite difference's f values at the magnitude of f's terms (:func:`_fd_noise`).
    """
    closed = np.asarray(closed, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if closed.shape != ref.shape:
        hint = diagnose(closed, ref, ndims) if ndims else None
        return CheckResult(
            name,
            False,
            np.inf,
            np.inf,
            0.0,
            hint=hint or f"closed form has shape {closed.shape}, reference {ref.shape}",
        )
    scale = _scale(ref, closed)
    # the UNDERFLOW floor also covers XLA's flushing of subnormal numbers to zero on CPU (values within a few
    # ulps of the smallest normal number, which hypothesis draws, come out 0 on one path and ~1e-308 on another)
    tol = rtol * max(scale, UNDERFLOW) + np.broadcast_to(np.asarray(atol, dtype=np.float64), ref.shape)
    if not np.all(np.isfinite(closed)) or not np.all(np.isfinite(ref)):
        bad = ~(np.isfinite(closed) & np.isfinite(ref))
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        return CheckResult(
            name,
            False,
            np.inf,
            np.inf,
            float(tol[idx]),
            idx,
            float(closed[idx]),
            float(ref[idx]),
            hint="non-finite value",
        )
    err = np.abs(closed - ref)
    if not err.size:
        return CheckResult(name, True, 0.0, 0.0, 0.0)
    if floor is not None and not np.all(err <= tol):
        terms = floor()
        if np.isfinite(terms) and terms > max(scale, UNDERFLOW):
            tol = tol + rtol * (terms - max(scale, UNDERFLOW))
    if noise is not None and not np.all(err <= tol):
        extra = noise()
        if np.isfinite(extra) and extra > 0:
            tol = tol + extra
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(err == 0, 0.0, err / tol)
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(ratio)), err.shape))
    ok = bool(np.all(err <= tol))
    m = float(np.max(err))
    hint = None if ok or ndims is None else diagnose(closed, ref, ndims)
    return CheckResult(
        name,
        ok,
        m,
        m / scale if scale > 0 else (0.0 if m == 0 else np.inf),
        float(tol[idx]),
        idx,
        float(closed[idx]),
        float(ref[idx]),
        hint,
    )


def terms_scale(ident: Identity, args: tuple[np.ndarray, ...], extra: np.ndarray | None = None) -> float:
    """The magnitude of the terms the closed form sums: its change under a relative perturbation of every
    input entry, d/dt D(x ⊙ (1 + t s)) for random signs s (the largest of six draws; a componentwise
    condition estimate), and under a normwise one of every matrix argument, d/dt D(A + t max|A| S) for
    dense random signs S. Rounding in any evaluation order of D is about eps times this. 0.0 when the
    closed form cannot be differentiated (then there is no floor).

    Why normwise for matrices: LU with partial pivoting (solve, inv, det, slogdet, in the closed form and in
    JAX's derivatives alike) is backward stable only normwise, |δA| <= c eps |L||U|, and pivoting fills the
    zeros of A. A componentwise perturbation keeps every zero of the inputs, so at a derivative that is 0
    by structure (U = P + 4R lower triangular: d det U/dx = det U tr(U⁻¹U') = 0 because (U⁻¹)₁₂ = 0, the
    solve returns -2.8e-16) the terms stay exactly 0 and the floor was 0: six thorough failures of this
    kind (by_scalar.ss_det, ss_det_second, det.det_of_path_second, trace.tr_XTCXinv_XTBX,
    forms.rayleigh_ratio; tests/test_thorough_regressions.py). Vectors and scalars keep the componentwise
    draw only: elementwise functions (log, 1/x, sqrt) round componentwise, and a normwise draw at an entry
    of 1e-10 next to 1 would make the floor of log x 1e10 times its derivative."""
    primals = (*args, extra) if extra is not None else tuple(args)
    return _jvp_terms(compiled(ident).closed_jvp, primals)


def f_terms_scale(ident: Identity, args: tuple[np.ndarray, ...]) -> float:
    """The magnitude of the terms f sums, as :func:`terms_scale` measures them for the closed form: f's
    change under relative perturbations of every input (componentwise, and normwise for matrices). A
    backward-stable evaluation of f is exact for inputs perturbed by eps, so f's computed values are
    uncertain by about eps times this, whatever |f| is; so are the stencil's points x ± hv, which are
    rounded at eps|x|. Used only as the rounding scale of the finite differences (:func:`_fd_noise`);
    JAX's JVP of f gives the magnitude, never a reference value."""
    return _jvp_terms(compiled(ident).f_jvp, tuple(args))


def _jvp_terms(jvp: Callable[..., Any], primals: tuple[np.ndarray, ...]) -> float:
    rng = np.random.default_rng(0)
    best = 0.0

    def normwise(p: np.ndarray, s: np.ndarray) -> np.ndarray:
        return _scale(p) * s if np.ndim(p) >= 2 else np.asarray(p) * s

    try:
        for _ in range(6):  # several sign draws: one draw can cancel exactly (s = 1 for softmax CE at y = 1)
            signs = [rng.choice([-1.0, 1.0], size=np.shape(p)) for p in primals]
            for tangents in (
                tuple(np.asarray(p) * s for p, s in zip(primals, signs, strict=True)),
                tuple(normwise(p, s) for p, s in zip(primals, signs, strict=True)),
            ):
                t = _scale(np.asarray(jvp(primals, tangents)))
                best = max(best, t) if np.isfinite(t) else best
    except Exception:  # a closed form JAX cannot differentiate gets no floor
        return 0.0
    return best


def reference_terms(ident: Identity, args: tuple[np.ndarray, ...]) -> float:
    """The magnitude of the terms JAX's derivative of f sums: at every sum or product in f with two operands
    that depend on the variable, the Jacobian with one of them held constant (:func:`terms.partial_jacobians`),
    the largest entry of any. The closed form's terms (:func:`terms_scale`) need not show them: f = sin²t +
    2 cos t gives the reference 2 sin t cos t − 2 sin t, terms of 2t summing to −t³, rounded at eps·2t (a
    relative error of 4e-3 at t = 2.3e-7, partial.chain_sin_cos), while the closed form's change under t(1+s)
    is 3t³. 0.0 when f cannot be traced that way."""
    from .terms import partial_jacobians

    try:
        parts = partial_jacobians(ident.f, args, ident.wrt_index)
    except Exception:  # a function the term tracer cannot evaluate gets no reference floor
        return 0.0
    vals = [_scale(np.asarray(j)) for _, j in parts]
    return max((v for v in vals if np.isfinite(v)), default=0.0)


def _with_contraction_terms(floor: Callable[[], float], jac: np.ndarray, v: np.ndarray) -> Callable[[], float]:
    """The floor of a JVP/VJP comparison: the larger of the closed form's terms and max|J|·max|v|."""
    return functools.cache(lambda: max(floor(), _scale(jac) * _scale(v)))


def _sym_last2(a: np.ndarray) -> np.ndarray:
    return (a + np.swapaxes(a, -1, -2)) / 2


def _diag_last2(a: np.ndarray) -> np.ndarray:
    return a * np.eye(a.shape[-1])


def _alpha(a: np.ndarray) -> np.ndarray:
    """MC (143)'s α: the Toeplitz matrix whose diagonal of offset k holds the sum of a's diagonal k."""
    from ._structures import diagonal_sums, from_diagonals

    return from_diagonals(diagonal_sums(a), a.shape[-1])


def _mc_sym(a: np.ndarray) -> np.ndarray:
    return a + np.swapaxes(a, -1, -2) - _diag_last2(a)


# convention -> map from JAX's unstructured derivative G (trailing two axes) to the declared derivative
CONVENTION_MAPS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sym": _sym_last2,
    "mc_sym": _mc_sym,
    "diag": _diag_last2,
    "toeplitz": _alpha,
    "sym_toeplitz": lambda a: _mc_sym(_alpha(a)),
}


def _upper(n: int) -> np.ndarray:
    return np.triu(np.ones((n, n)))


def _per_diagonal(n: int) -> np.ndarray:
    return 1.0 / (n - np.abs(np.arange(n)[None, :] - np.arange(n)[:, None]))


# convention -> weights W (n×n) such that the pairing ⟨W ∘ D, dX⟩ of a derivative D in that convention with a
# tangent dX of the structure gives df:
#   full, sym, diag: the Frobenius pairing Σ D_ij dX_ij;
#   mc_sym: each free entry once, Σ_{i≤j} D_ij dX_ij (D_ij = ∂f/∂X_ij with X_ij = X_ji one variable);
#   toeplitz: Σ_k D_k dt_k over the 2n−1 diagonals, = Σ D_ij dX_ij / (n − |i − j|);
#   sym_toeplitz: Σ_{k≥0} D_k dt_k over the n free diagonals.
PAIRINGS: dict[str, Callable[[int], np.ndarray]] = {
    "full": lambda n: np.ones((n, n)),
    "sym": lambda n: np.ones((n, n)),
    "diag": lambda n: np.ones((n, n)),
    "mc_sym": _upper,
    "toeplitz": _per_diagonal,
    "sym_toeplitz": lambda n: _upper(n) * _per_diagonal(n),
}


def pairing(convention: str, d: np.ndarray, v: np.ndarray) -> np.ndarray:
    """df along the structured tangent ``v`` (n×n) from a derivative ``d`` (out axes + n×n) in ``convention``."""
    d = np.asarray(d, dtype=np.float64)
    w = PAIRINGS[convention](d.shape[-1])
    return np.tensordot(d * w, np.asarray(v, dtype=np.float64), axes=([-2, -1], [0, 1]))


def apply_convention(ident: Identity, jac: np.ndarray) -> np.ndarray:
    """Map JAX's unstructured derivative to the identity's declared convention for a structured variable."""
    if ident.convention == "sym":
        if ident.kind == "hessian":
            raise ValueError(f"{ident.id}: the 'sym' convention is not defined for Hessians")
        return _sym_last2(np.asarray(jac))
    if ident.convention in CONVENTION_MAPS:
        if ident.kind == "hessian":
            raise ValueError(f"{ident.id}: the {ident.convention!r} convention is not defined for Hessians")
        return CONVENTION_MAPS[ident.convention](np.asarray(jac))
    return np.asarray(jac)


def _paired(ident: Identity, d: np.ndarray, q: int) -> np.ndarray:
    """The closed form weighted for its convention's pairing (unchanged for full and sym)."""
    if ident.convention in ("full", "sym") or q < 2:
        return d
    return d * PAIRINGS[ident.convention](d.shape[-1])


def _directions(ident: Identity, wshape: tuple[int, ...]) -> np.ndarray:
    """A basis of the variable's tangent space: the structure's projection of each standard basis vector."""
    n = int(np.prod(wshape, dtype=int))
    eye = np.eye(n).reshape((n, *wshape))
    proj = ident.structure(ident.wrt).tangent
    return np.stack([proj(e) for e in eye]) if n else eye


def _contract_in(d: np.ndarray, dirs: np.ndarray, q: int) -> np.ndarray:
    """⟨D, V_k⟩ over the variable's q trailing axes, for every direction V_k: shape (K, *out)."""
    k = dirs.shape[0]
    out_shape = d.shape[: d.ndim - q]
    return (dirs.reshape(k, -1) @ d.reshape(-1, int(np.prod(d.shape[d.ndim - q :], dtype=int))).T).reshape(
        (k, *out_shape)
    )


def _stencil(ident: Identity, x: np.ndarray, extra: np.ndarray | None) -> list[np.ndarray]:
    """The batches of points at which the finite-difference checks of ``ident`` evaluate f, in the order
    :func:`_fd_first`, :func:`_fd_second` and :func:`check_inputs` ask for them."""
    if ident.kind == "hessian":
        dirs = _directions(ident, x.shape)
        h = _step(x, FD2_STEP)
        return [_second_points(x, dirs, h), _second_points(x, dirs, 2 * h)]
    dirs = extra[None] if ident.kind == "jvp" and extra is not None else _directions(ident, x.shape)
    return [_central_points(x, dirs, _step(x, FD_STEP))]


def _replay(batches: list[np.ndarray], values: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A batched f that hands out values computed in advance for ``batches`` (in order), checking that it
    is asked for exactly those points."""
    queue, start = [], 0
    for pts in batches:
        queue.append((pts, values[start : start + len(pts)]))
        start += len(pts)

    def batch_f(points: np.ndarray) -> np.ndarray:
        want, fv = queue.pop(0)
        if want.shape != points.shape or not np.array_equal(want, points):  # pragma: no cover - internal
            raise RuntimeError("finite differences asked for points the stencil did not evaluate")
        return fv

    return batch_f


@dataclass
class _Prepared:
    """One set of inputs as the verification program takes them, and the stencil's batches of points."""

    args: tuple[np.ndarray, ...]
    extra: np.ndarray | None
    batches: list[np.ndarray]

    def program_inputs(self) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray | None]:
        return self.args, np.concatenate(self.batches), self.extra


def _prepare(ident: Identity, args: Mapping[str, np.ndarray], extra: np.ndarray | None) -> _Prepared:
    a = tuple(np.asarray(args[n], dtype=np.float64) for n in ident.argnames)
    extra = None if extra is None else np.asarray(extra, dtype=np.float64)
    return _Prepared(a, extra, _stencil(ident, a[ident.wrt_index], extra))


def check_inputs(ident: Identity, args: Mapping[str, np.ndarray], extra: np.ndarray | None = None) -> list[CheckResult]:
    """Compare the closed form with every reference at one set of (valid) inputs."""
    if ident.is_complex:
        return check_complex_inputs(ident, args)
    prep = _prepare(ident, args, extra)
    return _judge(ident, prep, compiled(ident).references(*prep.program_inputs()))


def _program_fn(ident: Identity) -> Callable[..., Any]:
    """The identity's verification program, unjitted: the references of a real identity, everything
    :func:`check_complex_inputs` compares for a complex one."""
    return compiled_complex(ident).program_fn if ident.is_complex else compiled(ident).references_fn


def _prepare_any(
    ident: Identity, args: Mapping[str, np.ndarray], extra: np.ndarray | None
) -> _Prepared | _PreparedComplex:
    return _prepare_complex(ident, args) if ident.is_complex else _prepare(ident, args, extra)


def _judge_any(ident: Identity, prep: Any, references: Mapping[str, Any]) -> list[CheckResult]:
    return _judge_complex(ident, prep, references) if ident.is_complex else _judge(ident, prep, references)


def joint_program(idents: tuple[Identity, ...]) -> Callable[..., Any]:
    """The verification programs of several identities, real or complex, compiled as one:
    ``program(inputs, closed_args)`` takes each identity's ``program_inputs()`` (:class:`_Prepared`,
    :class:`_PreparedComplex`) by id and returns its references by id, and the closed form at each of
    ``closed_args`` (by id: a list of calls, each args then extra), for the docs' numeric example and the
    known answers. A family's one program traces, lowers and compiles in 36 % less CPU than its identities'
    own programs (150 identities: 14.5 s against 22.5 s, one process, FAST_COMPILE)."""
    import jax

    by_id = {i.id: i for i in idents}
    fns = {i.id: _program_fn(i) for i in idents}

    def joint(inputs: dict[str, Any], closed_args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        refs = {k: fns[k](*v) for k, v in inputs.items()}
        return refs, {k: [by_id[k].closed(*a) for a in calls] for k, calls in closed_args.items()}

    return jax.jit(joint, compiler_options=FAST_COMPILE)


# check_batch's programs, kept for the process (hypothesis runs a group's examples one call at a time);
# verify_batch builds its own, freed when the family is done
_batch_program = functools.cache(joint_program)


def check_batch(
    items: Sequence[tuple[Identity, Mapping[str, np.ndarray], np.ndarray | None]],
) -> list[list[CheckResult]]:
    """:func:`check_inputs` of several identities, each at its own (args, extra), by one compiled program
    (:func:`joint_program`): the results in the order of ``items``. If the joint program fails (an identity
    raises while traced), each identity is checked on its own, and what it raises carries a note that
    names it."""
    idents = tuple(i for i, _, _ in items)
    if len({i.id for i in idents}) != len(idents):
        raise ValueError("check_batch takes each identity once")
    preps = [_prepare_any(i, args, extra) for i, args, extra in items]
    try:
        refs, _ = _batch_program(idents)({i.id: p.program_inputs() for i, p in zip(idents, preps, strict=True)}, {})
    except Exception:
        out = []
        for ident, args, extra in items:
            try:
                out.append(check_inputs(ident, args, extra))
            except Exception as e:
                e.add_note(f"raised by identity {ident.id}")
                raise
        return out
    return [_judge_any(i, p, refs[i.id]) for i, p in zip(idents, preps, strict=True)]


def _judge(ident: Identity, prep: _Prepared, references: Mapping[str, Any]) -> list[CheckResult]:
    """The comparisons of :func:`check_inputs`, given the verification program's outputs at ``prep``."""
    a, extra, batches = prep.args, prep.extra, prep.batches
    x = a[ident.wrt_index]
    tol = TOLERANCES[np.dtype(np.float64)]
    q = x.ndim
    ref = {k: np.asarray(v) for k, v in references.items()}
    fx = ref["f"]
    p = fx.ndim
    batch_f = _replay(batches, ref["stencil"])
    results: list[CheckResult] = []

    floor = functools.cache(lambda: terms_scale(ident, a, extra))  # computed only if a comparison fails
    fterms = functools.cache(lambda: f_terms_scale(ident, a))  # the finite differences' rounding scale

    if ident.kind == "jacobian":
        closed = ref["closed"]
        nd = (p, q)
        floor = functools.cache(lambda f0=floor: max(f0(), reference_terms(ident, a)))
        for name in ("jacfwd", "jacrev", "grad") if p == 0 else ("jacfwd", "jacrev"):
            results.append(
                _compare(name, closed, apply_convention(ident, ref[name]), tol.autodiff, ndims=nd, floor=floor)
            )
        results.append(_fd_first(ident, closed, x, fx, batch_f, q, tol, floor, fterms))
        if ident.convention != "full":
            # the directional test: the convention's pairing of the closed form with each structured
            # tangent V equals jax's directional derivative ⟨G, V⟩ (jacfwd contracted with V)
            dirs = _directions(ident, x.shape)
            results.append(
                _compare(
                    "jvp (pairing)",
                    _contract_in(_paired(ident, closed, q), dirs, q),
                    _contract_in(ref["jacfwd"], dirs, q),
                    tol.autodiff,
                    floor=floor,
                )
            )
    elif ident.kind == "hessian":
        closed = ref["closed"]
        results.append(_compare("hessian", closed, ref["hessian"], tol.autodiff, ndims=(q, q), floor=floor))
        results.append(
            _compare("jacrev(jacrev)", closed, ref["jacrev(jacrev)"], tol.autodiff, ndims=(q, q), floor=floor)
        )
        results.append(_fd_second(ident, closed, x, fx, batch_f, q, tol, floor, fterms))
    elif ident.kind == "jvp":
        assert extra is not None
        closed = ref["closed"]
        jac = ref["jacfwd"]
        # the derivative is J; Jv is one contraction of it, judged against max|J|·max|v| (normwise, as a
        # Jacobian is judged against max|J|), so a Jv that is 0 by structure is not held to eps of nothing
        floor = _with_contraction_terms(floor, jac, extra)
        results.append(_compare("jvp", closed, ref["jvp"], tol.autodiff, floor=floor))
        results.append(_compare("jacfwd·v", closed, _contract_in(jac, extra[None], q)[0], tol.autodiff, floor=floor))
        h = _step(x, FD_STEP)
        fd, bound = _central(batch_f, x, extra[None], h)
        noise = _fd_noise(fterms, h)
        results.append(_compare("fd", closed, fd[0], tol.fd, atol=bound[0], floor=floor, noise=noise))
    elif ident.kind == "vjp":
        assert extra is not None
        closed = ref["closed"]
        jac = ref["jacrev"]
        # the derivative is J; gᵀJ is one contraction of it, judged against max|g|·max|J| (as for a JVP)
        floor = _with_contraction_terms(floor, jac, extra)
        results.append(_compare("vjp", closed, apply_convention(ident, ref["vjp"]), tol.autodiff, floor=floor))
        cot = np.tensordot(extra, jac, axes=p) if p else extra * jac
        results.append(_compare("jacrev·g", closed, apply_convention(ident, cot), tol.autodiff, floor=floor))
        dirs = _directions(ident, x.shape)
        h = _step(x, FD_STEP)
        fd, bound = _central(batch_f, x, dirs, h)  # (K, *out)
        k = dirs.shape[0]
        g = extra.reshape(-1)
        lhs = dirs.reshape(k, -1) @ _paired(ident, closed, q).reshape(-1)  # the convention's pairing
        rhs = fd.reshape(k, -1) @ g
        atol = bound.reshape(k, -1) @ np.abs(g)
        noise = _fd_noise(fterms, h, float(np.sum(np.abs(g))))
        results.append(_compare("fd (dot test)", lhs, rhs, tol.fd, atol=atol, floor=floor, noise=noise))
    else:  # pragma: no cover - guarded by the decorator
        raise ValueError(ident.kind)
    return results


def _central_points(x: np.ndarray, dirs: np.ndarray, h: float) -> np.ndarray:
    return np.concatenate([x + h * dirs, x - h * dirs, x + 2 * h * dirs, x - 2 * h * dirs])


def _central(
    batch_f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, dirs: np.ndarray, h: float
) -> tuple[np.ndarray, np.ndarray]:
    """First derivatives along ``dirs`` (K, *x.shape): Richardson estimate and its error bound, (K, *out)."""
    k = dirs.shape[0]
    fv = batch_f(_central_points(x, dirs, h))
    fv = fv.reshape((4, k, *fv.shape[1:]))
    d1 = (fv[0] - fv[1]) / (2 * h)
    d2 = (fv[2] - fv[3]) / (4 * h)
    # rounding in f(x ± h v) is about eps·|f|, and the difference divides it by h; below the smallest normal
    # number (values near 1e-308, which hypothesis does draw) the absolute rounding is TINY instead
    bound = np.abs(d1 - d2) + 16 * EPS * _scale(fv) / h + 16 * TINY / h
    return (4 * d1 - d2) / 3, bound


def _fd_noise(fterms: Callable[[], float], h: float, weight: float = 1.0, order: int = 1) -> Callable[[], float]:
    """The rounding of a finite difference at the magnitude of f's terms F (:func:`f_terms_scale`), the bound
    :func:`_central` (16 eps |f|/h) and :func:`_fd_second` (64 eps |f|/h²) use with F in place of |f|.

    |f| is the wrong scale when f is small by cancellation: log det(I + x²R) at x = 1.1e-7 is computed as
    the log of a det ≈ 1 + 2e-9 whose rounding is eps·1, not eps·2e-9 (by_scalar.ss_logdet: fd error
    2.4e-12 against a bound of 1.9e-12; F = 2, so 16 eps F/h = 5.8e-11); and when the tangent is so small that the stencil's
    points x ± hv round back to x (X = I, dX = 1.7e-53·11ᵀ: f = log det X is 0 at every point, the closed
    form tr(dX) = 5e-53; differentials.d_logdet). ``weight`` scales it for a contraction (the dot test's
    Σ|g|)."""
    c = 16.0 if order == 1 else 64.0
    return lambda: c * EPS * fterms() * weight / (h if order == 1 else h * h)


def _step(x: np.ndarray, base: float) -> float:
    return base * max(1.0, _scale(x))


def _fd_first(
    ident: Identity,
    closed: np.ndarray,
    x: np.ndarray,
    fx: np.ndarray,
    batch_f: Callable[[np.ndarray], np.ndarray],
    q: int,
    tol: Tolerance,
    floor: Callable[[], float] | None = None,
    fterms: Callable[[], float] | None = None,
) -> CheckResult:
    if closed.ndim < q or closed.shape[closed.ndim - q :] != x.shape:
        return _compare("fd", closed, np.zeros(fx.shape + x.shape), tol.fd, ndims=(fx.ndim, q))
    dirs = _directions(ident, x.shape)
    h = _step(x, FD_STEP)
    fd, bound = _central(batch_f, x, dirs, h)
    noise = _fd_noise(fterms, h) if fterms is not None else None
    d = _contract_in(_paired(ident, closed, q), dirs, q)
    return _compare("fd", d, fd, tol.fd, atol=bound, floor=floor, noise=noise)


def _fd_second(
    ident: Identity,
    closed: np.ndarray,
    x: np.ndarray,
    fx: np.ndarray,
    batch_f: Callable[[np.ndarray], np.ndarray],
    q: int,
    tol: Tolerance,
    floor: Callable[[], float] | None = None,
    fterms: Callable[[], float] | None = None,
) -> CheckResult:
    if closed.shape != x.shape + x.shape:
        return _compare("fd2", closed, np.zeros(x.shape + x.shape), tol.fd2)
    dirs = _directions(ident, x.shape)
    k = dirs.shape[0]
    h = _step(x, FD2_STEP)

    def second(h: float) -> tuple[np.ndarray, np.ndarray]:
        fv = batch_f(_second_points(x, dirs, h)).reshape(4, k, k)
        return (fv[0] - fv[1] - fv[2] + fv[3]) / (4 * h * h), fv

    d1, fv = second(h)
    d2, _ = second(2 * h)
    bound = np.abs(d1 - d2) + 64 * (EPS * _scale(fv) + TINY) / (h * h)
    flat = dirs.reshape(k, -1)
    n = flat.shape[1]
    lhs = flat @ closed.reshape(n, n) @ flat.T
    noise = _fd_noise(fterms, h, order=2) if fterms is not None else None
    return _compare("fd2", lhs, (4 * d1 - d2) / 3, tol.fd2, atol=bound, floor=floor, noise=noise)


def _second_points(x: np.ndarray, dirs: np.ndarray, h: float) -> np.ndarray:
    """The stencil of the mixed second differences along every pair of ``dirs``, (4 K², *x.shape)."""
    k = dirs.shape[0]
    di, dj = dirs[:, None], dirs[None, :]
    pts = np.concatenate([x + h * (di + dj), x + h * (di - dj), x - h * (di - dj), x - h * (di + dj)])
    return pts.reshape((4 * k * k, *x.shape))


# --- diagnosis ---------------------------------------------------------------------------------------------
def diagnose(candidate: Any, reference: Any, ndims: tuple[int, int] | None) -> str | None:
    """Name the known mistake a wrong candidate matches: other layout, transpose, scale, sign, sym part."""
    from .layout import from_jax

    cand = np.asarray(candidate, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    scale = max(_scale(ref), _scale(cand), 1e-300)

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        return a.shape == b.shape and float(np.max(np.abs(a - b), initial=0.0)) <= 1e-6 * scale

    if ndims is not None and cand.shape != ref.shape:
        for lay in ("numerator", "denominator"):
            other = np.asarray(from_jax(ref, ndims, lay))
            if close(cand.reshape(other.shape) if cand.size == other.size else cand, other):
                return f"this is the derivative in {lay} layout (shape {other.shape}); JAX layout expects {ref.shape}"
        expected = {lay: tuple(np.shape(from_jax(ref, ndims, lay))) for lay in ("jax", "numerator", "denominator")}
        return f"shape {cand.shape} fits no layout: " + ", ".join(f"{k} expects {v}" for k, v in expected.items())
    if cand.shape != ref.shape:
        return f"shape {cand.shape}, expected {ref.shape}"
    candidates: list[tuple[str, np.ndarray]] = []
    if ndims is not None:
        p, q = ndims
        if ref.ndim >= 2:
            candidates.append(
                ("this is the transpose (the other layout)", np.asarray(from_jax(ref, ndims, "denominator")))
            )
        if q == 2:
            candidates.append(("the variable's two axes are swapped (a transposed matrix)", np.swapaxes(ref, -1, -2)))
        if p == 2 and q >= 1:
            candidates.append(("the output's two axes are swapped", np.swapaxes(ref, 0, 1)))
    if ref.ndim >= 2 and ref.shape[-1] == ref.shape[-2]:
        candidates.append(("the matrix is transposed", np.swapaxes(ref, -1, -2)))
    for text, alt in candidates:
        if alt.shape == cand.shape and not close(alt, ref) and close(cand, alt):
            return text
    denom = float(np.sum(ref * ref))
    if denom > 0:
        c = float(np.sum(cand * ref)) / denom
        if close(cand, c * ref) and abs(c - 1) > 1e-6:
            if abs(c + 1) < 1e-6:
                return "the sign is flipped"
            return f"scaled by {c:.6g} (a missing or extra factor)"
    if ref.ndim >= 2 and ref.shape[-1] == ref.shape[-2]:
        s = _sym_last2(ref)
        if close(cand, s) and not close(s, ref):
            return "matches only the symmetric part (a formula that assumes symmetric input or a symmetric convention)"
        if close(_sym_last2(cand), s):
            return "agrees on the symmetric part only: the difference is antisymmetric"
    return None


# --- the public entry point --------------------------------------------------------------------------------
def _merge(into: dict[str, CheckResult], results: Iterable[CheckResult]) -> None:
    for r in results:
        old = into.get(r.check)
        if old is None or (not r.ok and old.ok) or (r.ok == old.ok and r.ratio > old.ratio):
            into[r.check] = r


def verify(ident: Identity | str, examples: int = 3, seed: int = 0, max_sizes: int | None = None) -> Report:
    """Verify one identity on ``examples`` random valid inputs per size assignment; returns a report.

    ``max_sizes`` limits the size assignments to the first few (the docs build uses one: each size
    compiles its own functions)."""
    from ._core import get

    if isinstance(ident, str):
        ident = get(ident)
    t0 = time.perf_counter()
    checks: dict[str, CheckResult] = {}
    sizes_used = list(ident.size_assignments()[:max_sizes])
    n = 0
    try:
        for args, extra in _draws(ident, examples, seed, max_sizes):
            _merge(checks, check_complex_inputs(ident, args) if ident.is_complex else check_inputs(ident, args, extra))
            n += 1
        _merge(checks, check_examples(ident))
    except Exception as e:  # a closed form that raises is a failed identity, reported, not a crash
        return Report(ident.id, False, n, checks, sizes_used, f"{type(e).__name__}: {e}", time.perf_counter() - t0)
    ok = all(c.ok for c in checks.values())
    return Report(ident.id, ok, n, checks, sizes_used, None, time.perf_counter() - t0)


def _draws(
    ident: Identity, examples: int, seed: int, max_sizes: int | None
) -> list[tuple[dict[str, np.ndarray], np.ndarray | None]]:
    """The (args, extra) that :func:`verify` draws, in its order."""
    rng = np.random.default_rng(seed)
    out = []
    for sizes in ident.size_assignments()[:max_sizes]:
        eshape = extra_shape(ident, sizes)
        for _ in range(examples):
            args = draw_inputs(ident, rng, sizes)
            out.append((args, draw_extra(ident, args, raw_draw(rng, eshape)) if eshape is not None else None))
    return out


def verify_batch(
    idents: Sequence[Identity],
    examples: int = 3,
    seed: int = 0,
    max_sizes: int | None = None,
    closed_inputs: Mapping[str, tuple[Mapping[str, np.ndarray], np.ndarray | None]] | None = None,
) -> tuple[list[Report], dict[str, np.ndarray | Exception]]:
    """:func:`verify` for several identities (a family) whose verification programs are compiled as one:
    the same inputs, references and comparisons, one compile per round of inputs instead of one per
    identity (the verification programs of the whole catalog, compiled and run family by family in one
    process: 35-37 s instead of 41-45 s).

    The closed form's values at the known answers are computed in the program of the first sizes too.
    ``closed_inputs`` maps identity ids to (args, extra) at which the closed form is evaluated there as
    well (the docs' numeric example); the second result maps those ids to the value, or to the
    exception the closed form raised. If the joint program fails (an identity raises while traced), every
    identity is verified on its own, so the failure is reported against the identity that caused it."""

    closed_inputs = dict(closed_inputs or {})
    t0 = time.perf_counter()
    by_id = {i.id: i for i in idents}

    def closed_call(k: str) -> tuple[np.ndarray, ...]:
        ident = by_id[k]
        args, extra = closed_inputs[k]
        a = tuple(np.asarray(args[n], dtype=ident.dtype(n)) for n in ident.argnames)
        return a if extra is None else (*a, np.asarray(extra, dtype=np.float64))

    known: dict[str, list[tuple[np.ndarray, ...]]] = {}
    for i in idents:
        try:
            if i.examples:
                known[i.id] = example_args(i)
        except Exception:  # check_examples raises it again, in this identity's report
            pass
    try:
        plans = [_draws(i, examples, seed, max_sizes) for i in idents]
        program = joint_program(tuple(idents))
        outputs: list[list[tuple[Any, dict[str, Any]]]] = [[] for _ in idents]
        # the docs' example, then the known answers, in every round of the first sizes (one program)
        calls = {
            k: [*([closed_call(k)] if k in closed_inputs else []), *known.get(k, [])]
            for k in dict.fromkeys([*closed_inputs, *known])
        }
        closed_vals: dict[str, Any] = {}
        for r in range(max((len(p) for p in plans), default=0)):
            prep = {i.id: _prepare_any(i, *p[r]) for i, p in zip(idents, plans, strict=True) if r < len(p)}
            refs, vals = program({k: v.program_inputs() for k, v in prep.items()}, calls if r < examples else {})
            if r == 0:
                closed_vals = vals
            for j, i in enumerate(idents):
                if i.id in refs:
                    outputs[j].append((prep[i.id], refs[i.id]))
        closed_out: dict[str, np.ndarray | Exception] = {
            k: np.asarray(closed_vals[k][0]) for k in closed_inputs if k in closed_vals
        }
    except Exception:  # one identity broke the joint program: each on its own, as verify() reports it
        reports = [verify(i, examples=examples, seed=seed, max_sizes=max_sizes) for i in idents]
        closed_out = {}
        for k in closed_inputs:
            try:
                closed_out[k] = np.asarray(compiled(by_id[k]).closed(*closed_call(k)))
            except Exception as e:
                closed_out[k] = e
        return reports, closed_out
    reports = []
    for i, outs in zip(idents, outputs, strict=True):
        checks: dict[str, CheckResult] = {}
        try:
            for prep, ref in outs:
                _merge(checks, _judge_any(i, prep, ref))
            values = closed_vals[i.id][int(i.id in closed_inputs) :] if i.id in known and i.id in closed_vals else None
            _merge(checks, check_examples(i, values))
            error = None
        except Exception as e:  # as verify(): a failed identity, reported
            error = f"{type(e).__name__}: {e}"
        ok = error is None and all(c.ok for c in checks.values())
        sizes_used = list(i.size_assignments()[:max_sizes])
        reports.append(Report(i.id, ok, len(outs), checks, sizes_used, error, 0.0, len(idents)))
    seconds = time.perf_counter() - t0  # of the whole batch: its identities share the programs
    for r in reports:
        r.seconds = seconds
    return reports, closed_out


def verify_family(ids: Sequence[str], examples: int = 3, seed: int = 0, max_sizes: int | None = None) -> list[Report]:
    """:func:`verify_batch` of identities given by id (a family): the task a worker process of
    :func:`verify_many` runs."""
    from ._core import get

    return verify_batch([get(i) for i in ids], examples=examples, seed=seed, max_sizes=max_sizes)[0]


def verify_each(ids: Sequence[str], examples: int = 3, seed: int = 0, max_sizes: int | None = None) -> list[Report]:
    """:func:`verify` of each identity on its own: where a family's worker died."""
    return [verify(i, examples=examples, seed=seed, max_sizes=max_sizes) for i in ids]


def verify_many(
    idents: Iterable[Identity],
    examples: int = 3,
    seed: int = 0,
    max_sizes: int | None = None,
    jobs: int | None = 1,
    progress: Any = None,
) -> list[Report]:
    """:func:`verify` of every identity in ``idents``, with the same inputs, references and comparisons, run
    a family at a time by :func:`verify_batch` in ``jobs`` worker processes (None: one per CPU; see
    :mod:`identities.parallel`). Reports come back in the order of ``idents``. ``progress`` (a
    :class:`identities.progress.Progress`) is told as each family finishes."""
    from .parallel import costliest_first, family_groups, job_count, run_groups, worker_pool

    idents = list(idents)
    groups = family_groups(idents)
    reports: dict[str, Report] = {}

    def store(k: int, result: list[Report]) -> None:
        for r in result:
            reports[r.identity] = r
        if progress is not None:
            progress.done(groups[k][0].family, len(result), sum(not r.ok for r in result))

    with worker_pool(job_count(jobs, groups)) as pool:
        groups = costliest_first(groups)
        ids = [[i.id for i in g] for g in groups]
        run_groups(verify_family, ids, (examples, seed, max_sizes), on_result=store, fallback=verify_each, pool=pool)
    return [reports[i.id] for i in idents]


def example_args(ident: Identity) -> list[tuple[np.ndarray, ...]]:
    """The closed form's arguments at each of the identity's known answers (:attr:`Identity.examples`)."""
    from .special import extra_name

    # a jvp or vjp example also gives the tangent d<wrt> or the cotangent, the closed form's last argument
    names = (*ident.argnames, *((extra_name(ident),) if extra_name(ident) else ()))
    out = []
    for ex in ident.examples:
        missing = [a for a in names if a not in ex.args]
        if missing:
            raise ValueError(f"{ident.id}: an example gives no value for {', '.join(missing)}")
        # the tangent or cotangent takes the variable's dtype
        out.append(
            tuple(np.asarray(ex.args[a], dtype=ident.dtype(a if a in ident.argnames else ident.wrt)) for a in names)
        )
    return out


def check_examples(ident: Identity, values: Sequence[Any] | None = None) -> list[CheckResult]:
    """The identity's known answers (worked numbers from its sources) against its closed form: its values
    at :func:`example_args`, given (``verify_batch`` computes them in the family's program) or computed."""
    if values is None:
        values = [compiled(ident).closed(*args) for args in example_args(ident)]
    out = []
    for k, (ex, value) in enumerate(zip(ident.examples, values, strict=True), 1):
        got = np.asarray(value)
        want = np.asarray(ex.value)
        if ident.is_complex:  # compared as (real, imaginary) parts
            got, want = _ri(got), _ri(want.astype(complex))
        r = _compare("known answer", got, np.asarray(want, dtype=np.float64), 1e-12, atol=1e-14)
        if not r.ok:  # name the worked number that disagrees, and where it was printed
            where = f"example {k} of {len(ident.examples)} ({ex.source}) at {dict(ex.args)}"
            r.hint = f"{where}: the source's value is {ex.value}" + (f"; {r.hint}" if r.hint else "")
        out.append(r)
    return out


def verify_all(idents: Iterable[Identity] | None = None, examples: int = 3, seed: int = 0) -> list[Report]:
    return [verify(i, examples=examples, seed=seed) for i in (catalog() if idents is None else idents)]


# --- complex variables ------------------------------------------------------------------------------------
# A complex identity's closed form is read as the Wirtinger pair (∂f/∂z, ∂f/∂z̄) (Identity.wirtinger) and
# compared with:
#   jacfwd, jacrev   JAX's forward and reverse Jacobians of f(x + iy) in the real variables x and y (the output
#                    split into real and imaginary parts), turned into the pair by ∂/∂z = ½(∂/∂x − i∂/∂y);
#   grad (jax)       the pair in the "jax" convention against jax.vjp of f with each unit cotangent (jax.grad
#                    for a scalar): JAX's own complex convention, checked on every identity;
#   holomorphic      (holomorphic f) ∂f/∂z against jax.jacfwd(f, holomorphic=True);
#   fd (re), fd (im) central differences of f along the real and the imaginary part of each entry of z
#                    separately, against ∂f/∂x = Dz + Dz̄ and ∂f/∂y = i(Dz − Dz̄);
#   complex step     (holomorphic f that is real on real arguments) at the real parts of the arguments,
#                    Im f(x + i h e_k)/h with h = 1e-20 (no subtraction, so no cancellation) against f′(x)e_k.
# Complex arrays are compared as stacked (real, imaginary) parts, with the tolerances of float64.
COMPLEX_STEP = 1e-20


def _ri(a: Any) -> np.ndarray:
    """A complex array as its (real, imaginary) parts stacked on a new leading axis."""
    a = np.asarray(a)
    return np.stack([a.real, a.imag]).astype(np.float64)


def _pair_ri(dz: Any, dzbar: Any) -> np.ndarray:
    return np.stack([_ri(dz), _ri(dzbar)])


def split_variable(f: Callable[..., Any], args: Sequence[Any], w: int) -> Callable[[Any, Any], Any]:
    """f as a function of the real and imaginary parts of its argument ``w`` (the others fixed), its output
    as (re, im) stacked on a new leading axis: what forward mode along each part differentiates."""
    import jax
    import jax.numpy as jnp

    def g(xr: Any, xi: Any) -> Any:
        a = list(args)
        a[w] = jax.lax.complex(xr, xi)
        out = jnp.asarray(f(*a))
        return jnp.stack([jnp.real(out), jnp.imag(out)])

    return g


class _CompiledComplex:
    """The verification program of a complex identity (one compile per shape): everything check_complex_inputs
    compares, at one set of inputs."""

    def __init__(self, ident: Identity) -> None:
        import jax
        import jax.numpy as jnp

        w = ident.wrt_index
        f = ident.f

        def program(args: tuple[Any, ...], pts_re: Any, pts_im: Any, cs_args: tuple[Any, ...], cs_pts: Any) -> Any:
            z = args[w]
            g = split_variable(f, args, w)
            xr, xi = jnp.real(z), jnp.imag(z)
            out: dict[str, Any] = {"f": f(*args)}
            closed = ident.closed(*args)
            out["closed"] = tuple(closed) if ident.complex_form == "pair" else closed
            out["jacfwd"] = (jax.jacfwd(g, argnums=0)(xr, xi), jax.jacfwd(g, argnums=1)(xr, xi))
            out["jacrev"] = (jax.jacrev(g, argnums=0)(xr, xi), jax.jacrev(g, argnums=1)(xr, xi))
            out["stencil_re"] = jax.vmap(lambda x: g(x, xi))(pts_re)
            out["stencil_im"] = jax.vmap(lambda y: g(xr, y))(pts_im)
            fz, pullback = jax.vjp(lambda v: f(*args[:w], v, *args[w + 1 :]), z)
            basis = jnp.eye(fz.size, dtype=fz.dtype).reshape((fz.size, *fz.shape))
            out["jax"] = jax.vmap(lambda ct: pullback(ct)[0])(basis).reshape((*fz.shape, *z.shape))
            if ident.holomorphic:
                out["holomorphic"] = jax.jacfwd(f, argnums=w, holomorphic=True)(*args)
                cs = cs_args[w]
                rest = (cs_args[:w], cs_args[w + 1 :])
                out["cs_f"] = f(*cs_args)
                out["cs_closed"] = ident.closed(*cs_args)
                out["cs_stencil"] = jax.vmap(lambda v: f(*rest[0], cs + v, *rest[1]))(cs_pts)
            return out

        self.program_fn = program  # unjitted: verify_batch compiles it with a family's other identities
        self.program = jax.jit(program, compiler_options=FAST_COMPILE)


@functools.cache
def compiled_complex(ident: Identity) -> _CompiledComplex:
    return _CompiledComplex(ident)


def _closed_pair(ident: Identity, closed: Any, real_valued: bool) -> tuple[np.ndarray, np.ndarray]:
    from .wirtinger import from_convention

    if ident.complex_form == "pair":
        return np.asarray(closed[0]), np.asarray(closed[1])
    w = from_convention(np.asarray(closed), ident.complex_form, real_valued=real_valued, holomorphic=ident.holomorphic)
    return np.asarray(w.dz), np.asarray(w.dzbar)


@dataclass
class _PreparedComplex:
    """One set of inputs of a complex identity as its verification program takes them: the arguments, the
    finite-difference points along the real and the imaginary parts, and the complex-step points."""

    args: tuple[np.ndarray, ...]
    dirs: np.ndarray
    h: float
    pts_re: np.ndarray
    pts_im: np.ndarray
    cs_args: tuple[np.ndarray, ...]
    cs_pts: np.ndarray

    def program_inputs(self) -> tuple[Any, ...]:
        return self.args, self.pts_re, self.pts_im, self.cs_args, self.cs_pts


def _prepare_complex(ident: Identity, args: Mapping[str, np.ndarray]) -> _PreparedComplex:
    a = tuple(np.asarray(args[n], dtype=ident.dtype(n)) for n in ident.argnames)
    z = a[ident.wrt_index]
    dirs = np.eye(z.size).reshape((z.size, *z.shape))
    h = _step(np.abs(z), FD_STEP)
    # complex step at the real parts of every argument, rebuilt into the domain by the structures
    # (meaningful when f is real there: then f has real Taylor coefficients at that point)
    cs_args = tuple(
        np.asarray(ident.structure(n).build(np.asarray(v.real, dtype=ident.dtype(n))), dtype=ident.dtype(n))
        for n, v in zip(ident.argnames, a, strict=True)
    )
    pts_re, pts_im = _central_points(z.real, dirs, h), _central_points(z.imag, dirs, h)
    return _PreparedComplex(a, dirs, h, pts_re, pts_im, cs_args, 1j * COMPLEX_STEP * dirs)


def check_complex_inputs(ident: Identity, args: Mapping[str, np.ndarray]) -> list[CheckResult]:
    """The comparisons of a complex identity (see the table above) at one set of valid inputs."""
    prep = _prepare_complex(ident, args)
    return _judge_complex(ident, prep, compiled_complex(ident).program(*prep.program_inputs()))


def _judge_complex(ident: Identity, prep: _PreparedComplex, ref: Mapping[str, Any]) -> list[CheckResult]:
    """The comparisons of :func:`check_complex_inputs`, given the verification program's outputs at ``prep``."""
    from .wirtinger import Wirtinger, to_convention

    a, dirs, h, pts_re, pts_im = prep.args, prep.dirs, prep.h, prep.pts_re, prep.pts_im
    z = a[ident.wrt_index]
    tol = TOLERANCES[np.dtype(np.float64)]
    fx = np.asarray(ref["f"])
    real_valued = not np.iscomplexobj(fx)
    dz, dzb = _closed_pair(ident, ref["closed"], real_valued)
    closed_ri = _pair_ri(dz, dzb)
    floor = functools.cache(lambda: _safe_terms(ident, a))
    results = []

    def partials_pair(jx: np.ndarray, jy: np.ndarray) -> np.ndarray:
        px, py = jx[0] + 1j * jx[1], jy[0] + 1j * jy[1]  # the split output's (re, im) axis recombined
        wp = Wirtinger.from_partials(px, py)
        return _pair_ri(wp.dz, wp.dzbar)

    for name in ("jacfwd", "jacrev"):
        jx, jy = (np.asarray(v) for v in ref[name])
        results.append(_compare(name, closed_ri, partials_pair(jx, jy), tol.autodiff, floor=floor))
    mine = to_convention(Wirtinger(dz, dzb), "jax", real_valued=real_valued)
    results.append(_compare("grad (jax)", _ri(mine), _ri(ref["jax"]), tol.autodiff, floor=floor))
    if ident.holomorphic:
        results.append(_compare("holomorphic", _ri(dz), _ri(ref["holomorphic"]), tol.autodiff, floor=floor))
    # finite differences along the real and the imaginary parts separately
    q = z.ndim
    for name, pts, direction in (("fd (re)", pts_re, dz + dzb), ("fd (im)", pts_im, 1j * (dz - dzb))):
        stencil = np.asarray(ref["stencil_re" if name == "fd (re)" else "stencil_im"])
        fd, bound = _central(_replay([pts], stencil), z.real if name == "fd (re)" else z.imag, dirs, h)
        # fd: (K, 2, *out) with K directions; the closed form along each: (K, 2, *out)
        d_ri = _ri(direction)  # (2, *out, *in)
        along = _contract_in(d_ri, dirs, q)
        results.append(_compare(name, along, fd, tol.fd, atol=bound, floor=floor))
    cs_f = np.asarray(ref["cs_f"]) if ident.holomorphic else None
    if cs_f is not None and np.all(np.isfinite(cs_f)) and float(np.max(np.abs(np.imag(cs_f)), initial=0.0)) == 0.0:
        # f is real at real arguments, so f(x + ih e_k) = f(x) + ih f'(x)e_k + O(h²): Im/h is f'(x)e_k
        cs = np.imag(np.asarray(ref["cs_stencil"])) / COMPLEX_STEP  # (K, *out)
        cs_closed = np.asarray(ref["cs_closed"])
        if ident.complex_form == "pair":
            cs_closed = cs_closed[0]
        along = _contract_in(_ri(cs_closed), dirs, q)  # (K, 2, *out)
        # the complex step's truncation error is h²|f‴|/6 (h = 1e-20): an atol of h covers any f‴ below 1e20
        results.append(_compare("complex step", along[:, 0], cs, tol.autodiff, atol=COMPLEX_STEP, floor=floor))
    return results


def _safe_terms(ident: Identity, args: tuple[np.ndarray, ...]) -> float:
    try:
        return terms_scale(ident, args)
    except Exception:  # a closed form JAX cannot differentiate gets no floor
        return 0.0
