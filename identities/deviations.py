"""Expected deviations of frameworks from the closed forms: data, each with a reason (one file, no skips).

The conformance report (:mod:`identities.conformance`) compares each framework's derivative of every
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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# framework convention: the framework's behaviour by design (no subgradient rule at a kink, ...);
# known bug: a wrong derivative, reported upstream or recorded in docs/framework-findings.md;
# written form: the identity's f as written (e.g. through the norm) is what the framework differentiates;
# float64 range: the point's intermediate values under- or overflow in float64 (e.g. Σxᵢ² at 1e±170).
Why = Literal["framework convention", "known bug", "written form", "float64 range"]


@dataclass(frozen=True)
class Deviation:
    identity: str
    framework: str  # "jax", "torch", "numpy-fd"
    point: str | None  # None: generic inputs; else a SpecialPoint label
    check: str  # a reference name or "*"
    why: Why
    reason: str

    def matches(self, identity: str, framework: str, point: str | None, check: str) -> bool:
        return (
            self.identity == identity
            and self.framework == framework
            and self.point == point
            and self.check in ("*", check)
        )


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
)


def find(identity: str, framework: str, point: str | None, check: str) -> Deviation | None:
    for d in DEVIATIONS:
        if d.matches(identity, framework, point, check):
            return d
    return None
