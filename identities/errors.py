"""The package's one exception hierarchy: every refusal names the identity and the argument."""

from __future__ import annotations


class IdentityError(ValueError):
    """Base class of every error this package raises about an identity or its inputs."""


class UnknownIdentityError(IdentityError, KeyError):
    """An id or alias that is not in the registry; the message lists the closest matches."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class ArityError(IdentityError, TypeError):
    """Wrong number (or names) of arguments."""


class ShapeError(IdentityError):
    """An argument whose shape does not fit the declared shapes."""


class DTypeError(IdentityError, TypeError):
    """Integer, boolean or complex input where real floats are required (or a value that is no number)."""


# Until complex support lands, complex input is refused (a silent cast to float64 drops the imaginary part
# and can turn a wrong gradient into a verdict of "ok"); every such refusal says this.
COMPLEX_NOT_SUPPORTED = "complex input is not supported yet (real float dtypes only)"


class NonFiniteError(IdentityError):
    """NaN or infinite entries."""


class PreconditionError(IdentityError):
    """A declared precondition (symmetric, SPD, invertible, nonzero, ...) is violated."""


class CandidateError(IdentityError):
    """A candidate derivative (``identities.check``, ``check_identity``, ``python -m identities check``)
    raised when called with valid inputs: it cannot be evaluated, so there is no verdict on its values."""
