"""Safe variants of functions whose JAX derivative is NaN at a point where a sensible answer exists.

``safe_norm(x)`` is the Euclidean norm ‖x‖₂ with

* the **minimum-norm subgradient at 0**: ∂‖·‖₂(0) is the closed unit ball, and its element of least
  norm is 0, so ``jax.grad(safe_norm)(0) == 0`` (``jax.grad(jnp.linalg.norm)`` gives NaN there). This is
  the choice that makes 0 a stationary point, as it is: the norm's minimiser;
* a **rescaled evaluation**, ‖x‖₂ = m·‖x/m‖₂ with m = max|xᵢ|, so the value and the gradient x/‖x‖₂ stay
  accurate where Σxᵢ² under- or overflows (‖x‖ ~ 1e-160 or 1e160 in float64);
* a **Hessian at 0 equal to the zero matrix**. This is a convention, not a derivative: the norm has no
  Hessian at 0, and near 0 its Hessian (I − uuᵀ)/‖x‖₂ (u = x/‖x‖₂) is unbounded. ``safe_norm`` returns
  that exact Hessian at every x ≠ 0, however small, and 0 at x = 0, because its derivative rule is a
  ``jnp.where`` whose x = 0 branch is the constant 0.

Squaring it gives the right gradient of ‖x‖₂² at 0 (zero) but not the right Hessian there (0 instead of
2I): for ‖x‖₂² write x·x, which is smooth (tests/test_safe.py checks both).

It is a ``jax.custom_jvp``: the derivative rule is ⟨u, dx⟩ with u = x/‖x‖₂ for x ≠ 0 and 0 at x = 0. The
"double where" (``jnp.where`` on both the input of the division and its output) keeps NaN out of the
unused branch, which would otherwise poison the derivative even though ``where`` discards its value.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

__all__ = ["safe_norm", "safe_normalize"]


def _scaled(x: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """(nonzero, m, y, ‖y‖) with m = max|x|, y = x/m, so that ‖x‖₂ = m·‖y‖₂ without under- or overflow.

    At x = 0 every division and square root sees 1 instead of 0 (the inner ``where``), so no NaN or inf
    enters any derivative; ``nonzero`` selects the answer (the outer ``where``).
    """
    # ‖x‖₂ = m‖x/m‖₂ for any m > 0, so m is held constant under differentiation: its own derivative would
    # bring in x/m², which underflows (and then turns to NaN) at ‖x‖ ~ 1e-170
    m = jax.lax.stop_gradient(jnp.max(jnp.abs(x)))
    nonzero = m > 0
    m_safe = jnp.where(nonzero, m, 1.0)
    y = x / m_safe
    s = jnp.sum(y * y)  # in [1, n] when x != 0
    ny = jnp.sqrt(jnp.where(nonzero, s, 1.0))
    return nonzero, m_safe, y, ny


@jax.custom_jvp
def safe_norm(x: jax.Array) -> jax.Array:
    """‖x‖₂ over all entries of ``x``, rescaled; gradient 0 and Hessian 0 (a convention) at x = 0."""
    nonzero, m, _, ny = _scaled(x)
    return jnp.where(nonzero, m * ny, 0.0)


@safe_norm.defjvp
def _safe_norm_jvp(primals: tuple[jax.Array], tangents: tuple[jax.Array]) -> tuple[jax.Array, jax.Array]:
    (x,), (dx,) = primals, tangents
    nonzero, m, y, ny = _scaled(x)
    u = y / ny  # x/‖x‖₂; finite (and unused) at x = 0
    return jnp.where(nonzero, m * ny, 0.0), jnp.where(nonzero, jnp.sum(u * dx), 0.0)


def safe_normalize(x: jax.Array) -> jax.Array:
    """x/‖x‖₂ (rescaled), and 0 at x = 0 where x/‖x‖₂ has no limit; its Jacobian at 0 is 0 (a convention)."""
    nonzero, _, y, ny = _scaled(x)
    return jnp.where(nonzero, y / ny, 0.0)
