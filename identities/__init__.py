"""identities: a JAX-backed reference suite for matrix calculus.

Importing the package registers every identity (each family module declares its own). Closed forms are
checked in float64, so importing it turns on ``jax_enable_x64``.
"""

from __future__ import annotations

import jax

jax.config.update("jax_enable_x64", True)

from . import layout  # noqa: E402
from ._core import REGISTRY, Example, Identity, Source, SpecialPoint, Tex, catalog, get  # noqa: E402
from ._structures import Structure  # noqa: E402
from .errors import (  # noqa: E402
    ArityError,
    CandidateError,
    DTypeError,
    IdentityError,
    NonFiniteError,
    PreconditionError,
    ShapeError,
    UnknownIdentityError,
)
from .families import FAMILIES  # noqa: E402  (importing it registers every identity)
from .verify import Report, verify  # noqa: E402

__all__ = [
    "FAMILIES",
    "REGISTRY",
    "ArityError",
    "CandidateError",
    "DTypeError",
    "Example",
    "Identity",
    "IdentityError",
    "NonFiniteError",
    "PreconditionError",
    "Report",
    "ShapeError",
    "Source",
    "SpecialPoint",
    "Structure",
    "Tex",
    "UnknownIdentityError",
    "catalog",
    "get",
    "layout",
    "verify",
]

# checking anyone's derivative (identities.check), the pytest helpers and the public strategies
from . import testing  # noqa: E402
from .check import CheckReport, check, check_identity  # noqa: E402

__all__ += ["CheckReport", "check", "check_identity", "strategies", "testing"]

# looking an identity up by the function it differentiates (identities.find, python -m identities find)
from .find import FindResult, Match, find, find_expr  # noqa: E402

__all__ += ["FindResult", "Match", "find", "find_expr"]


def __getattr__(name: str) -> object:
    """``identities.strategies`` imported on first use: it imports hypothesis (a tenth of a second), which
    ``verify``'s worker processes and the command line do not need."""
    if name == "strategies":
        import importlib

        return importlib.import_module(".strategies", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
