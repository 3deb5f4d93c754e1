r"""The one place that knows complex conventions: the Wirtinger pair inside, six named conventions outside.

A function f of a complex variable z = x + iy that is differentiable in x and y (not necessarily
holomorphic) has the real-linear differential

    df = (∂f/∂z) dz + (∂f/∂z̄) dz̄,   ∂f/∂z = ½(∂f/∂x − i ∂f/∂y),   ∂f/∂z̄ = ½(∂f/∂x + i ∂f/∂y)

(the Wirtinger derivatives; the Matrix Cookbook's "generalized complex derivative" (229) and "conjugate
complex derivative" (230)). The pair (∂f/∂z, ∂f/∂z̄) is the whole derivative; every convention below is a
function of it, so the suite keeps the pair (:class:`Wirtinger`, arrays in JAX layout: output axes then
the variable's axes) and converts at the edge, as :mod:`identities.layout` does for layouts.

==================  =============================  ==========================================  =========
convention          what                           value (Dz = ∂f/∂z, Dz̄ = ∂f/∂z̄, entrywise)    f real:
==================  =============================  ==========================================  =========
``wirtinger``       ∂f/∂z, MC (229)                Dz                                          Dz
``conj_wirtinger``  ∂f/∂z̄, MC (230)                Dz̄                                          conj(Dz)
``cookbook``        complex gradient, MC (233)     2 Dz̄ (defined for real f only)              2 Dz̄
``torch``           PyTorch ``.grad`` (seed 1)     conj(Dz) + Dz̄                               2 Dz̄
``jax``             ``jax.grad`` / ``vjp`` (ct 1)  Dz + conj(Dz̄)                               2 Dz
``holomorphic``     f′(z) (only if Dz̄ = 0)         Dz                                          —
``re``, ``im``      ∂f/∂x, ∂f/∂y                   Dz + Dz̄, i(Dz − Dz̄)                          2Re, −2Im
==================  =============================  ==========================================  =========

So for a real-valued loss, ``torch`` = ``cookbook`` = 2 ∂f/∂z̄ = ∂f/∂x + i ∂f/∂y (the steepest-ascent
direction), ``jax`` = its conjugate ∂f/∂x − i ∂f/∂y, and each Wirtinger derivative is half of one of them:
the two mistakes are a conjugate and a factor 2. The ``jax`` and ``torch`` rows are what the frameworks
return, measured (``tests/test_wirtinger.py`` re-measures them): for |z|² at z = 1 + 2i, ``jax.grad`` is
2 − 4i and PyTorch's ``.grad`` 2 + 4i; for z z̄ + 3z, ``jax.vjp`` with cotangent 1 gives 5 − 4i and
``backward(1)`` gives 5 + 4i. ``jax.grad(f, holomorphic=True)`` is the same ``vjp``: on a holomorphic f it
is f′(z), on a non-holomorphic one it is Dz + conj(Dz̄), not ∂f/∂z (z z̄: 2z̄ where ∂f/∂z = z̄).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .errors import IdentityError

ComplexConvention = Literal["wirtinger", "conj_wirtinger", "cookbook", "torch", "jax", "holomorphic", "re", "im"]

# name -> (what it is, where it is defined); the order is the order of the docs' tables
COMPLEX_CONVENTIONS: dict[str, str] = {
    "wirtinger": "∂f/∂z = ½(∂f/∂x − i∂f/∂y): the Wirtinger derivative, the Matrix Cookbook's generalized complex derivative (229)",
    "conj_wirtinger": "∂f/∂z̄ = ½(∂f/∂x + i∂f/∂y): the conjugate Wirtinger derivative, the Cookbook's conjugate complex derivative (230)",
    "cookbook": "∇f = 2∂f/∂z̄: the Cookbook's complex gradient (233), defined for real-valued f",
    "torch": "PyTorch's .grad after backward() with gradient 1: conj(∂f/∂z) + ∂f/∂z̄ (2∂f/∂z̄ for real f)",
    "jax": "jax.grad (jax.vjp with cotangent 1): ∂f/∂z + conj(∂f/∂z̄) (2∂f/∂z for real f)",
    "holomorphic": "f′(z), the complex derivative: ∂f/∂z where ∂f/∂z̄ = 0 (jax.grad(..., holomorphic=True) on a holomorphic f)",
    "re": "∂f/∂x = ∂f/∂z + ∂f/∂z̄: the derivative along the real part",
    "im": "∂f/∂y = i(∂f/∂z − ∂f/∂z̄): the derivative along the imaginary part",
}
# each convention's short symbol, for table cells
SYMBOLS: dict[str, str] = {
    "wirtinger": "∂f/∂z",
    "conj_wirtinger": "∂f/∂z̄",
    "cookbook": "∇f",
    "torch": "PyTorch's .grad",
    "jax": "jax.grad",
    "holomorphic": "f′(z)",
    "re": "∂f/∂x",
    "im": "∂f/∂y",
}
# conventions from which the pair can be recovered, given what is known about f
INVERTIBLE_REAL = ("wirtinger", "conj_wirtinger", "cookbook", "torch", "jax")
INVERTIBLE_HOLOMORPHIC = ("wirtinger", "holomorphic", "torch", "jax")


class ConventionError(IdentityError):
    """An unknown convention, or one that is not defined for the function at hand."""


def check_convention(convention: str) -> None:
    if convention not in COMPLEX_CONVENTIONS:
        raise ConventionError(f"unknown complex convention {convention!r}: use one of {', '.join(COMPLEX_CONVENTIONS)}")


@dataclass(frozen=True)
class Wirtinger:
    """The whole derivative of f at a point: ∂f/∂z and ∂f/∂z̄ (JAX layout: output axes, then z's axes)."""

    dz: Any
    dzbar: Any

    @classmethod
    def from_partials(cls, dx: Any, dy: Any) -> Wirtinger:
        """From ∂f/∂x and ∂f/∂y (complex arrays when f is complex-valued)."""
        dx, dy = _array(dx), _array(dy)
        return cls((dx - 1j * dy) / 2, (dx + 1j * dy) / 2)


def _array(x: Any) -> Any:
    """``x`` as a NumPy array, or unchanged when it is traced inside a JAX program (no value yet): the
    conversions below are written with operators and ``.conj()``, so one table serves NumPy results and
    compiled programs (``bench`` times autodiff with the conversion a user would apply)."""
    try:
        return np.asarray(x)
    except Exception:  # jax.errors.TracerArrayConversionError
        return x


def to_convention(w: Wirtinger, convention: str, *, real_valued: bool, where: str = "") -> np.ndarray:
    """The derivative ``w`` in ``convention``; ``real_valued`` says whether f is real (the cookbook's
    gradient is defined only then). ``holomorphic`` is refused, naming ``where``, when ∂f/∂z̄ is not 0
    (checked on concrete arrays; inside a traced program the caller vouches for it)."""
    check_convention(convention)
    dz, dzb = _array(w.dz), _array(w.dzbar)
    prefix = f"{where}: " if where else ""
    if convention == "wirtinger":
        return dz
    if convention == "conj_wirtinger":
        return dzb
    if convention == "cookbook":
        if not real_valued:
            raise ConventionError(f"{prefix}the Cookbook's complex gradient (233) is defined for real-valued f only")
        return 2 * dzb
    if convention == "torch":
        return dz.conj() + dzb
    if convention == "jax":
        return dz + dzb.conj()
    if convention == "holomorphic":
        if not isinstance(dz, np.ndarray):
            return dz
        scale = max(float(np.max(np.abs(dz), initial=0.0)), 1.0)
        off = float(np.max(np.abs(dzb), initial=0.0))
        if off > 1e-10 * scale:
            raise ConventionError(
                f"{prefix}f is not holomorphic: max |∂f/∂z̄| = {off:.3g}, so f′(z) does not exist; "
                "use convention='wirtinger' (∂f/∂z) with 'conj_wirtinger' (∂f/∂z̄)"
            )
        return dz
    if convention == "re":
        return dz + dzb
    return 1j * (dz - dzb)  # "im"


def from_convention(d: Any, convention: str, *, real_valued: bool, holomorphic: bool = False) -> Wirtinger:
    """The pair from a derivative given in ``convention``, where f's kind makes that possible: for real f
    (∂f/∂z̄ = conj(∂f/∂z)) from any of :data:`INVERTIBLE_REAL`; for holomorphic f (∂f/∂z̄ = 0) from any of
    :data:`INVERTIBLE_HOLOMORPHIC`."""
    check_convention(convention)
    d = np.asarray(d)
    if real_valued and convention in INVERTIBLE_REAL:
        dz = {
            "wirtinger": d,
            "conj_wirtinger": np.conj(d),
            "cookbook": np.conj(d) / 2,
            "torch": np.conj(d) / 2,
            "jax": d / 2,
        }[convention]
        return Wirtinger(dz, np.conj(dz))
    if holomorphic and convention in INVERTIBLE_HOLOMORPHIC:
        dz = np.conj(d) if convention == "torch" else d
        return Wirtinger(dz, np.zeros_like(dz))
    kind = "real-valued" if real_valued else ("holomorphic" if holomorphic else "complex-valued, non-holomorphic")
    raise ConventionError(
        f"a derivative in the {convention!r} convention does not determine the whole derivative of a {kind} f"
    )


def convert(d: Any, source: str, target: str, *, real_valued: bool = True, holomorphic: bool = False) -> np.ndarray:
    """A derivative given in convention ``source`` rewritten in ``target`` (for real-valued f by default)."""
    w = from_convention(d, source, real_valued=real_valued, holomorphic=holomorphic)
    return to_convention(w, target, real_valued=real_valued)
