"""The frameworks the conformance report differentiates through the shared jaxpr interpreter, and what
each one's module provides (its *adapter*).

An adapter module (``identities/frameworks/torch.py``, ...) provides:

- ``NAME``: the report's column; ``VERSION``: the installed version;
- ``TABLE``: its :class:`~identities.frameworks.interpreter.Table` of primitives and native functions;
- ``derivatives(ident, arrays, extra)``: check name -> thunk computing the framework's derivative of
  ``ident.f`` on generic inputs, by the identity's kind, in JAX layout (a thunk that does not apply, such
  as a scalar-only API on a vector output, raises :class:`NotApplicable`);
- ``at_point(ident, arrays)``: check name -> the framework's Hessian (hessian kinds) or Jacobian at a
  special point, in JAX layout;
- ``numeric_failure(e)``: whether the exception ``e`` is one the framework documents for a singular
  point (LAPACK's "the matrix is singular"), an answer there rather than an error of the run.
- ``COMPLEX_CONVENTION``: the framework's documented complex convention (a name of
  :data:`identities.wirtinger.COMPLEX_CONVENTIONS`), and ``complex_derivatives(ident, arrays)``: for an
  identity whose variable is complex, check name -> thunk; a thunk named ``"jvp (re, im)"`` returns the
  stacked partials (∂f/∂x, ∂f/∂y), every other one the derivative in ``COMPLEX_CONVENTION`` (JAX layout).

Adding a framework means one such module and one line in :data:`ADAPTERS`.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import numpy as np

__all__ = ["ADAPTERS", "FRAMEWORKS", "NotApplicable", "Thunks", "available", "load"]

Thunks = dict[str, Callable[[], np.ndarray]]


class NotApplicable(Exception):
    """A check that does not apply to this identity (not a failure: the report leaves it out)."""


@dataclass(frozen=True)
class Spec:
    module: str  # the adapter module
    package: str  # the framework's import name
    title: str  # its name in messages
    install: str  # how to install it


ADAPTERS: dict[str, Spec] = {
    "torch": Spec("identities.frameworks.torch", "torch", "PyTorch", "pip install 'identities[torch]'"),
    "tensorflow": Spec(
        "identities.frameworks.tensorflow", "tensorflow", "TensorFlow", "pip install 'identities[tensorflow]'"
    ),
}

# the conformance report's columns: JAX, the frameworks with an adapter, finite differences
FRAMEWORKS: tuple[str, ...] = ("jax", *ADAPTERS, "numpy-fd")


def available(name: str) -> bool:
    """Whether the framework ``name`` is installed here (found, not imported: its adapter module sets
    what must be set before the import)."""
    return importlib.util.find_spec(ADAPTERS[name].package) is not None


def load(name: str) -> ModuleType:
    """The adapter module of the framework ``name`` (ImportError with the install hint if it is absent)."""
    return importlib.import_module(ADAPTERS[name].module)
