"""Expected deviations of frameworks from the closed forms: data, each with a reason (one file, no skips).

The conformance report (:mod:`identities.frameworks.conformance`) compares each framework's derivative of every
identity with the closed form, on generic inputs and at every charted special point. A result that is
not ``ok`` (or, at a special point, not a valid answer) fails the report unless an entry here matches
it; a matching entry turns it into ``deviation`` and prints the reason. An entry that matches nothing
in a run that covers its identity and framework is *stale* and fails too (tests/test_conformance.py),
so this file cannot hide a fixed bug or a renamed identity.

``point`` is ``None`` for generic (random, valid) inputs, or the label of a :class:`SpecialPoint`.
JAX's answers at special points may instead be recorded on the :class:`SpecialPoint` itself
(``jax_verdict`` with ``notes``, where that field exists): a measured verdict equal to the record is a
deviation with the record's notes as the reason; an entry here takes precedence. At points where no
finite answer is valid (unbounded derivatives) results are reported as ``unbounded``, not judged.

``check`` is the reference's name (``jacrev``, ``jacfwd``, ``grad``, ``autograd.grad``, ``hessian``,
``jvp``, ``vjp``, ``fd``, ...) or ``"*"`` for all of them.

A deviation that hangs on a floating-point accident (an exact zero pivot, a tie, an underflow) carries a
:class:`Condition`, measured at run time at the point: the deviation applies only where the condition
holds, the report says which branch was seen, and where it does not hold the framework's answer is judged
like any other. Such a deviation is stale only if its condition held and it still matched nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

# framework convention: the framework's behaviour by design (no subgradient rule at a kink, ...);
# known bug: a wrong derivative, reported upstream or recorded in docs/framework-findings.md;
# written form: the identity's f as written (e.g. through the norm) is what the framework differentiates;
# float64 range: the point's intermediate values under- or overflow in float64 (e.g. Σxᵢ² at 1e±170).
Why = Literal["framework convention", "known bug", "written form", "float64 range"]


@dataclass(frozen=True)
class Condition:
    """When a deviation applies, as a fact measured at run time at the point's inputs, never assumed."""

    text: str  # "torch.linalg.det(X) is exactly 0"
    measure: Callable[[Mapping[str, Any]], tuple[bool, str]]  # point args -> (holds, what was measured)


@dataclass(frozen=True)
class Deviation:
    identity: str
    framework: str  # "jax", "torch", "tensorflow", "numpy-fd"
    point: str | None  # None: generic inputs; else a SpecialPoint label
    check: str  # a reference name or "*"
    why: Why
    reason: str
    when: Condition | None = None  # None: always applies

    def matches(self, identity: str, framework: str, point: str | None, check: str) -> bool:
        return (
            self.identity == identity
            and self.framework == framework
            and self.point == point
            and self.check in ("*", check)
        )


def _torch_det_is_exactly_zero(args: Mapping[str, Any]) -> tuple[bool, str]:
    import torch

    d = float(torch.linalg.det(torch.as_tensor(np.asarray(args["X"], dtype=np.float64))))
    return d == 0.0, f"torch.linalg.det(X) = {d!r}"


TORCH_DET_EXACTLY_ZERO = Condition("torch.linalg.det(X) computes exactly 0", _torch_det_is_exactly_zero)


def _torch_det_at_singular(identity: str, point: str) -> tuple[Deviation, Deviation]:
    """docs/framework-findings.md §1, at one identity's singular point: torch 2.13.0's forward mode and
    autograd.grad of torch.linalg.det return 0 where the computed determinant is exactly 0. Whether it is
    exactly 0 depends on the kernel path unless the LU is exact (identities.exact); it is measured."""
    reason = (
        "torch 2.13.0: {} of torch.linalg.det returns 0 at a matrix whose computed determinant is exactly 0, "
        "although d det/dX = adj(X)ᵀ ≠ 0 there; torch.func.jacrev is right (docs/framework-findings.md §1)."
    )
    return (
        Deviation(
            identity, "torch", point, "jacfwd", "known bug", reason.format("forward mode"), TORCH_DET_EXACTLY_ZERO
        ),
        Deviation(
            identity,
            "torch",
            point,
            "autograd.grad",
            "known bug",
            reason.format("torch.autograd.grad"),
            TORCH_DET_EXACTLY_ZERO,
        ),
    )


def _tf_inverse_raises(args: Mapping[str, Any]) -> tuple[bool, str]:
    from identities.frameworks.tensorflow import _kernel_message, tf

    try:
        tf.linalg.inv(tf.constant(np.asarray(args["X"], dtype=np.float64)))
    except tf.errors.InvalidArgumentError as e:
        return True, f"tf.linalg.inv(X) raises {_kernel_message(str(e))!r}"
    return False, "tf.linalg.inv(X) returns"


TF_INVERSE_RAISES = Condition("tf.linalg.inv(X) raises (TensorFlow's LU meets an exact zero pivot)", _tf_inverse_raises)


def _tf_det_at_singular(identity: str, point: str) -> Deviation:
    """docs/framework-findings.md §10, at one identity's singular point: TensorFlow's gradient of det calls
    tf.linalg.inv, which refuses a singular X; measured, since a rounded pivot would not raise."""
    return Deviation(
        identity,
        "tensorflow",
        point,
        "*",
        "known bug",
        "TensorFlow 2.21.0's gradient of tf.linalg.det is det(X)·inv(X)ᴴ (linalg_grad.py, "
        "_MatrixDeterminantGrad), so at a singular X it raises InvalidArgumentError 'Input is not invertible' "
        "although d det/dX = adj(X)ᵀ exists (forward mode too: ForwardAccumulator runs the same rule); an "
        "error, never a silent number (docs/framework-findings.md §10).",
        TF_INVERSE_RAISES,
    )


def _tf_eigvalsh_lower(identity: str) -> tuple[Deviation, ...]:
    reason = (
        "TensorFlow's eigh reads the lower triangle only, and its gradient (linalg_grad.py, "
        "_SelfAdjointEigV2Grad) is taken with respect to that triangle: tril(2 v vᵀ) with v_k² on the "
        "diagonal, not v vᵀ. Along every symmetric direction it equals the closed form "
        "(tests/test_tensorflow.py checks it; docs/framework-findings.md §11)."
    )
    return tuple(
        Deviation(identity, "tensorflow", None, check, "framework convention", reason)
        for check in ("tape.jacobian", "ForwardAccumulator")
    )


_TF_NORM = (
    "tf.norm is sqrt(reduce_sum(x·x)) (linalg_ops.py) and TensorFlow differentiates that expression as "
    "written: NaN at 0, like JAX; any g with ||g|| <= 1 is valid (PyTorch's vector_norm returns 0)."
)


def _torch_nan_at_tie(rule: str, points: tuple[tuple[str, str], ...]) -> tuple[Deviation, ...]:
    """torch 2.13.0 returns NaN at a repeated (or zero) singular value or eigenvalue for gauge-invariant functions
    whose derivative exists there (families svd, polar, eigfuncs, sqrtm): its backward and forward rules of
    torch.linalg.svd / eigh divide by σⱼ² − σᵢ² (λⱼ − λᵢ) as JAX's do. The points are diagonal, so the
    factorization is exact on every kernel path; the NaN does not hang on rounding."""
    reason = (
        f"torch 2.13.0: the {rule} rule divides by the gap of a tied pair (1/0 = inf, then inf·0 = NaN), so "
        "jacrev and jacfwd are NaN although this gauge-invariant function is differentiable here "
        "(pytorch/pytorch#47599 for eigh, #49886 for the SVD)."
    )
    return tuple(Deviation(i, "torch", p, "*", "known bug", reason) for i, p in points)


_SVD_TIE = "σ₁ = σ₂: A = [2I; 0]"
_EIG_TIE = "λ₁ = λ₂: A = diag(2, 2, 5), basis-invariant"
_CLUSTER_TIE = "λ₁ = λ₂ < λ₃: A = diag(1, 1, 4), basis-invariant"


def _tf_zero_at_tie(points: tuple[tuple[str, str], ...]) -> tuple[Deviation, ...]:
    """docs/framework-findings.md §13: TensorFlow's eigh and SVD gradients replace 1/(λⱼ − λᵢ) and
    1/(σⱼ² − σᵢ²) by x/(x² + 1e-20) (linalg_grad.py, _SafeReciprocal), which is 0 at a tie: the term that
    carries the divided difference is dropped and the derivative is a finite wrong number. The points are
    diagonal, so the factorization is exact on every kernel path."""
    reason = (
        "TensorFlow 2.21.0's eigh/SVD gradient (linalg_grad.py, _SafeReciprocal: x/(x² + 1e-20)) takes "
        "1/(gap) = 0 at a tied pair, dropping the divided-difference term: a finite wrong derivative, where "
        "JAX and PyTorch return NaN (docs/framework-findings.md §13)."
    )
    return tuple(Deviation(i, "tensorflow", p, "*", "known bug", reason) for i, p in points)


DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        "norms.l2",
        "jax",
        "x = 0",
        "*",
        "framework convention",
        "jnp.linalg.norm is sqrt(sum(x*x)) and JAX differentiates that expression as written: sqrt' is "
        "infinite at 0 and inf * 0 = NaN; JAX has no subgradient rule here. Any g with ||g|| <= 1 is valid "
        "(PyTorch's vector_norm returns 0).",
    ),
    Deviation(
        "norms.l2_squared",
        "jax",
        "x = 0",
        "*",
        "written form",
        "the identity's f is written through the norm, ||x||**2, as the seed writes it; JAX differentiates "
        "sqrt at 0 and returns NaN, although the function is smooth there with gradient 0 (x @ x is fine).",
    ),
    Deviation(
        "rules.sv_constant",
        "torch",
        None,
        "autograd.grad",
        "framework convention",
        'f = a does not depend on x, so its output has no grad_fn and torch.autograd.grad raises ("element 0 '
        'of tensors does not require grad") instead of returning the zero gradient; allow_unused=True would '
        "return None, not 0. torch.func.jacrev/jacfwd return 0.",
    ),
    # --- entries for identities and special points added by the preconditions work (post-merge) ---
    *_torch_det_at_singular("matrix.det_X", "rank(X) = n − 1"),
    # --- issue 13, the SVD / eigh-degenerate half: torch at ties where the derivative exists ---
    *_torch_nan_at_tie(
        "torch.linalg.svd",
        (
            ("svd.tanh_sv_jvp", _SVD_TIE),
            ("svd.tanh_sv_jvp", "σ₂ = 0: A = [[2, 0], [0, 0], [0, 0]]"),
            ("svd.tanh_sv_vjp", _SVD_TIE),
            ("svd.range_projector_jvp", _SVD_TIE),
            ("polar.Q_jvp", _SVD_TIE),
            ("polar.Q_vjp", _SVD_TIE),
            ("polar.P_jvp", _SVD_TIE),
        ),
    ),
    *_torch_nan_at_tie(
        "torch.linalg.eigh",
        (
            ("eigfuncs.expm_sym_jvp", _EIG_TIE),
            ("eigfuncs.expm_sym_vjp", _EIG_TIE),
            ("eigfuncs.low_projector_jvp", _CLUSTER_TIE),
            ("eigfuncs.low_projector_vjp", _CLUSTER_TIE),
            ("sqrtm.sqrtm_spd_jvp", "A = I"),
            ("sqrtm.sqrtm_spd_vjp", "A = I"),
            ("differentials.d_logm_divdiff", "X = I"),
        ),
    ),
    Deviation(
        "norms.l2",
        "torch",
        "x = (3, 4, 0)·1e-170",
        "*",
        "float64 range",
        "torch.linalg.vector_norm does not rescale: Σxᵢ² underflows to 0, the norm is 0 and its backward "
        "returns 0 (its convention at 0), a silent wrong number; the gradient is (0.6, 0.8, 0).",
    ),
    Deviation(
        "norms.l2",
        "torch",
        "x = (3, 4, 0)·1e170",
        "*",
        "float64 range",
        "torch.linalg.vector_norm does not rescale: Σxᵢ² overflows to inf and the backward x/inf returns 0, "
        "a silent wrong number; the gradient is (0.6, 0.8, 0).",
    ),
    Deviation(
        "norms.l2",
        "numpy-fd",
        "x = (3, 4, 0)·1e-170",
        "fd",
        "framework convention",
        "the finite-difference step is FD_STEP·max(1, |x|) ≈ 1.2e-4, so at |x| = 5e-170 the differences "
        "straddle the kink at 0 and give 0.",
    ),
    Deviation(
        "norms.l2",
        "numpy-fd",
        "x = (3, 4, 0)·1e170",
        "fd",
        "float64 range",
        "f itself overflows (Σxᵢ² = inf) at x ± h, so the differences are inf − inf = NaN.",
    ),
    Deviation(
        "matnorms.spectral",
        "numpy-fd",
        "σ₁ repeated: X = I₃",
        "fd",
        "framework convention",
        "central differences at a kink average the two one-sided derivatives coordinate by coordinate: "
        "diag(½, ½, ½) has trace 3/2, outside the subdifferential {W ⪰ 0, tr W = 1}.",
    ),
    *_torch_det_at_singular("det.det_adj", "X singular, rank n − 1"),
    # --- decompositions (issue 13): points whose factorizations are exact in binary on every kernel path ---
    Deviation(
        "qr.qr_square_R_jvp",
        "torch",
        "rank 1: A = [[1, 0], [0, 0]], Ȧ = E₂₂",
        "*",
        "framework convention",
        "torch's QR forward rule, like JAX's, solves with R, whose r₂₂ is exactly 0 here: NaN. R is continuous"
        " with a kink (r₂₂ = |t|), every [[0, 0], [0, γ]] with |γ| ≤ 1 is valid; neither framework has a rule"
        " for rank-deficient A (pytorch/pytorch#42792: ill-conditioned QR gradients near rank deficiency).",
    ),
    Deviation(
        "lu.lu_U_jvp",
        "torch",
        "last pivot 0: A = [[2, 1], [1, 1/2]], Ȧ = E₂₂",
        "*",
        "known bug",
        "torch 2.13.0's LU forward rule (torch.linalg.lu_factor_ex, torch.linalg.lu) solves with U, whose last"
        " pivot is exactly 0: NaN, although U is smooth here (U̇ = E₂₂); JAX returns NaN too"
        " (docs/framework-findings.md §7).",
    ),
    # --- TensorFlow 2.21.0 ---
    Deviation(
        "qr.qr_square_R_jvp",
        "tensorflow",
        "rank 1: A = [[1, 0], [0, 0]], Ȧ = E₂₂",
        "*",
        "framework convention",
        "TensorFlow 2.21.0's QR gradient (linalg_grad.py, _QrGrad; forward mode runs the same rule) solves with"
        " R, whose r₂₂ is exactly 0 here (A is diagonal: its QR is exact on every kernel path): NaN, as in JAX"
        " and torch. R has a kink here (r₂₂ = |t|); no framework has a rule for rank-deficient A.",
    ),
    Deviation(
        "lu.lu_U_jvp",
        "tensorflow",
        "last pivot 0: A = [[2, 1], [1, 1/2]], Ȧ = E₂₂",
        "*",
        "known bug",
        "tf.linalg.lu (the Lu op of TensorFlow 2.21.0) raises InvalidArgumentError 'Input is not invertible' at"
        " a zero pivot, so neither tape nor ForwardAccumulator can differentiate U here, although U is smooth"
        " (U̇ = E₂₂). The last pivot is exactly 0 on every kernel path: the first pivot is 2, a power of two,"
        " and every intermediate is dyadic. An error, never a silent number; JAX and torch return NaN.",
    ),
    _tf_det_at_singular("matrix.det_X", "rank(X) = n − 1"),
    _tf_det_at_singular("matrix.det_X", "rank(X) ≤ n − 2"),
    _tf_det_at_singular("det.det_adj", "X singular, rank n − 1"),
    _tf_det_at_singular("det.det_adj", "X of rank ≤ n − 2"),
    *_tf_eigvalsh_lower("eigen.eigvals_sym"),
    *_tf_eigvalsh_lower("spectral.eigvalsh"),
    Deviation("norms.l2", "tensorflow", "x = 0", "*", "framework convention", _TF_NORM),
    Deviation("norms.l2_shifted", "tensorflow", "x = −a", "*", "framework convention", _TF_NORM),
    Deviation("norms.l2_distance", "tensorflow", "x = a", "*", "framework convention", _TF_NORM),
    Deviation(
        "norms.l2_squared",
        "tensorflow",
        "x = 0",
        "ForwardAccumulator",
        "written form",
        "the identity's f is written through the norm, ||x||**2; TensorFlow's forward mode meets sqrt' = "
        "1/(2·0) times a zero tangent and returns NaN. Its reverse mode (tape) returns the gradient 0.",
    ),
    Deviation(
        "norms.l2",
        "tensorflow",
        "x = (3, 4, 0)·1e-170",
        "*",
        "float64 range",
        "tf.norm does not rescale: Σxᵢ² underflows to 0 and the gradient x/‖x‖ is (inf, inf, NaN), visibly "
        "wrong; the gradient is (0.6, 0.8, 0).",
    ),
    Deviation(
        "norms.l2",
        "tensorflow",
        "x = (3, 4, 0)·1e170",
        "*",
        "float64 range",
        "tf.norm does not rescale: Σxᵢ² overflows to inf and the gradient x/inf is 0, a silent wrong number; "
        "the gradient is (0.6, 0.8, 0).",
    ),
    *(
        Deviation(
            identity,
            "tensorflow",
            None,
            "*",
            "known bug",
            "TensorFlow 2.21.0's gradient of tf.linalg.det (linalg_grad.py, _MatrixDeterminantGrad) is "
            "grad·det(X)·inv(X)ᴴ for complex X too; in its own (PyTorch's) convention it must be "
            "grad·conj(det X)·inv(X)ᴴ: the conjugate of det is missing, a finite wrong number whenever det X is "
            "not real (tests/test_tensorflow.py measures it; docs/framework-findings.md §14; noted in review of "
            "tensorflow/tensorflow#122823).",
        )
        for identity in ("complex_basic.det_X", "complex_basic.abs_det_sq")
    ),
    Deviation(
        "complex_basic.norm2",
        "tensorflow",
        "z = 0",
        "*",
        "framework convention",
        "tf.norm of a complex vector is sqrt(sum(z * conj(z))) and TensorFlow differentiates that expression "
        "as written: sqrt' is infinite at 0 and inf * 0 = NaN, as for the real norm at 0. Any ∂f/∂z̄ with "
        "‖∂f/∂z̄‖ <= 1/2 is valid (PyTorch's vector_norm returns 0).",
    ),
    *(
        Deviation(
            identity,
            "numpy-fd",
            point,
            "fd (re, im)",
            "framework convention",
            f"the central difference along the imaginary part, (f(z + ih) − f(z − ih))/2h, straddles the branch "
            f"cut, where f jumps by {jump}: it measures the jump over 2h, not the derivative of either side.",
        )
        for identity, point, jump in (
            ("complex_basic.phase", "z = −1 + 0i (on the branch cut)", "2π"),
            ("complex_basic.phase", "z = −1 − 0i (on the branch cut)", "2π"),
            ("complex_basic.log_z", "z = −4 − 0i (on the branch cut)", "2πi"),
            ("complex_basic.sqrt_z", "z = −4 − 0i (on the branch cut)", "4i"),
        )
    ),
    *_tf_zero_at_tie(
        (
            ("differentials.d_logm_divdiff", "X = I"),
            ("eigfuncs.expm_sym_jvp", "λ₁ = λ₂: A = diag(2, 2, 5), basis-invariant"),
            ("eigfuncs.expm_sym_vjp", "λ₁ = λ₂: A = diag(2, 2, 5), basis-invariant"),
            ("polar.P_jvp", "σ₁ = σ₂: A = [2I; 0]"),
            ("polar.Q_jvp", "σ₁ = σ₂: A = [2I; 0]"),
            ("polar.Q_vjp", "σ₁ = σ₂: A = [2I; 0]"),
            ("sqrtm.sqrtm_spd_jvp", "A = I"),
            ("sqrtm.sqrtm_spd_vjp", "A = I"),
            ("svd.tanh_sv_jvp", "σ₁ = σ₂: A = [2I; 0]"),
            ("svd.tanh_sv_jvp", "σ₂ = 0: A = [[2, 0], [0, 0], [0, 0]]"),
            ("svd.tanh_sv_vjp", "σ₁ = σ₂: A = [2I; 0]"),
        )
    ),
)


def find(identity: str, framework: str, point: str | None, check: str) -> Deviation | None:
    for d in DEVIATIONS:
        if d.matches(identity, framework, point, check):
            return d
    return None
