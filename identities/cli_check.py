"""``python -m identities check FILE.py:FUNCTION --identity ID [--layout ...]``: a user's derivative
against a catalog identity's closed form, on generated valid inputs; exit status 1 when it is wrong."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

from . import jsonout
from ._argtypes import positive_int, seed_int


def load_function(spec: str) -> Any:
    """``path/to/file.py:name`` -> the function ``name`` defined in that file."""
    path, sep, name = spec.rpartition(":")
    if not sep or not path or not name:
        raise ValueError(f"expected FILE.py:FUNCTION, got {spec!r}")
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"no such file: {path}")
    mod_spec = importlib.util.spec_from_file_location(f"_identities_user_{file.stem}", file)
    if mod_spec is None or mod_spec.loader is None:
        raise ValueError(f"cannot import {path}")
    module = importlib.util.module_from_spec(mod_spec)
    sys.path.insert(0, str(file.parent.resolve()))
    try:
        mod_spec.loader.exec_module(module)
    except (Exception, SystemExit) as e:  # the user's file, not ours: its failure is an input error
        raise ValueError(f"cannot import {path}: {type(e).__name__}: {e}") from None
    finally:
        sys.path.pop(0)
    fn = getattr(module, name, None)
    if not callable(fn):
        raise ValueError(f"{path} defines no function {name!r}")
    return fn


def cmd_check(args: argparse.Namespace) -> int:
    from ._core import get
    from .check import check_identity

    ident = get(args.identity)
    try:
        fn = load_function(args.target)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    report = check_identity(ident, fn, layout=args.layout, examples=args.examples, seed=args.seed)
    if args.json:
        print(jsonout.dumps(report.to_dict(), indent=1))
    else:
        print(report)
    return 0 if report.ok else 1


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="check your derivative function against an identity's closed form")
    p.add_argument("target", metavar="FILE.py:FUNCTION", help="the candidate, taking the identity's arguments")
    p.add_argument("--identity", required=True, help="id, alias or Cookbook number, e.g. vector.xTAx, MC(70)")
    p.add_argument("--layout", choices=["jax", "numerator", "denominator"], default="jax")
    p.add_argument("--examples", type=positive_int, default=2, help="random inputs per size assignment (default 2)")
    p.add_argument("--seed", type=seed_int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)
