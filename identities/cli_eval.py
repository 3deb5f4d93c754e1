"""``python -m identities eval ID --arg NAME=VALUE ...``: evaluate an identity's closed form on given inputs.

Values are JSON (``'[[1, 2], [3, 4]]'``; ``NaN``, ``Infinity``, ``nan`` and ``inf`` are read as floats;
JSON integers are read as float64, as Python ints are by the API: only arrays that carry an integer or
complex dtype are refused as such). JSON has no complex numbers: a complex value is written as a Python
literal, ``'[1+2j, 3]'`` (read with ``ast.literal_eval``, which evaluates literals only), and goes to a
complex identity's complex argument; a real identity refuses it, naming the argument. A complex result is
printed with its imaginary part (in ``--json``, each entry as ``{"re": ..., "im": ...}``).
Inputs are validated exactly as :meth:`identities.Identity.closed_form` validates them: wrong arguments,
shapes, dtypes, non-finite entries and violated preconditions are refused with a message naming the
identity and the argument (exit status 2); ``--no-check`` skips the value checks (finiteness and
preconditions), not the shape checks. A jvp identity takes its tangent as ``d<wrt>``, a vjp identity its
cotangent as ``cotangent``.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from typing import Any

import numpy as np

from . import jsonout
from ._argtypes import int_at_least
from ._core import get
from .errors import IdentityError

_BARE = re.compile(r"(?<![A-Za-z_\"])(-?)(nan|inf|infinity)(?![A-Za-z_\"])", re.IGNORECASE)


def parse_value(text: str) -> Any:
    """A JSON number or nested list; bare nan / inf / -inf (any case) are accepted."""

    def fix(m: re.Match[str]) -> str:
        return m.group(1) + ("NaN" if m.group(2).lower() == "nan" else "Infinity")

    return json.loads(_BARE.sub(fix, text))


def parse_args_list(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"--arg {item!r}: expected NAME=VALUE, e.g. --arg X='[[1, 2], [3, 4]]'")
        if name in out:
            raise ValueError(f"--arg {name} given twice")
        try:
            out[name] = parse_value(text)
        except json.JSONDecodeError as e:
            cplx = _complex_literal(text)
            if cplx is not None:
                out[name] = cplx
                continue
            raise ValueError(f"--arg {name}: cannot read {text!r} as JSON ({e.msg} at column {e.colno})") from None
        except RecursionError:
            raise ValueError(f"--arg {name}: the value is nested too deeply to read") from None
    return out


def _complex_literal(text: str) -> np.ndarray | None:
    """``text`` as a complex128 array when it is a Python literal (``1+2j``, ``[1j, 2]``) holding a complex
    number, else None: JSON cannot hold one. ``ast.literal_eval`` evaluates literals only, never code."""
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None

    def has(v: Any) -> bool:
        return isinstance(v, complex) or (isinstance(v, list | tuple) and any(has(x) for x in v))

    if not has(value):
        return None
    try:
        return np.asarray(value, dtype=np.complex128)
    except (ValueError, TypeError):  # ragged nesting, or a string inside
        return None


def cmd_eval(args: argparse.Namespace) -> int:
    ident = get(args.id)
    try:
        values = parse_args_list(args.arg or [])
    except ValueError as e:
        print(f"error: {ident.id}: {e}", file=sys.stderr)
        return 2
    try:
        out = ident.closed_form(layout=args.layout, check=not args.no_check, **values)
    except IdentityError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    value = np.asarray(out)
    value = value.astype(np.complex128 if np.iscomplexobj(value) else np.float64)  # never drop an imaginary part
    if args.json:
        print(
            jsonout.dumps({"id": ident.id, "layout": args.layout, "shape": list(value.shape), "value": value.tolist()})
        )
    else:
        print(f"{ident.id} ({ident.kind}, {args.layout} layout), shape {value.shape}:")
        print(np.array2string(value, precision=args.precision, max_line_width=120))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="evaluate a closed form on given inputs (validated)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("id", help="id, alias or Cookbook number")
    p.add_argument("--arg", action="append", metavar="NAME=VALUE", help="an input as JSON, e.g. X='[[1,2],[3,4]]'")
    p.add_argument("--layout", choices=["jax", "numerator", "denominator"], default="jax")
    p.add_argument("--no-check", action="store_true", help="skip the value checks (finiteness, preconditions)")
    p.add_argument("--precision", type=int_at_least(0), default=6, help="digits after the point (default 6)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)
