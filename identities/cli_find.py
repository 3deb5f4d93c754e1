"""``python -m identities find EXPR [--wrt NAME] [--shape NAME=DIMS ...] [--complex NAME ...] [--layout ...] [--json]``.

Look an identity up by the function it differentiates. EXPR is NumPy syntax over named variables:
``@``, ``.T``, ``+ - * /``, ``**`` (a number as exponent), no indexing, and calls of these functions:
{functions}.

Shapes default to square n x n for names that start with a capital letter and to n-vectors for the
others; say otherwise with --shape (``--shape A="m n"``, ``--shape c=`` for a scalar, sizes such as
``--shape x=3`` are allowed). Dimension names in --shape are shared across variables.

A match is an identity whose function equals EXPR on random valid inputs (several draws, two size
assignments), up to renaming and reordering of the variables; it lists the preconditions under which it
holds. Exit status: 0 when something matches, 1 when nothing does (the closest identities are listed),
2 for an expression outside the grammar, an unknown --wrt or --shape name, or a bad shape.

Example: python -m identities find "trace(A @ X @ B @ X.T)" --wrt X

Complex variables: --complex NAME (repeat it) draws NAME complex and looks up the complex identities; for
them EXPR has conj, real, imag, angle, abs and the literal 1j (conj(X).T is the conjugate transpose):
python -m identities find "norm(A @ z - b) ** 2" --wrt z --shape A="m n" --shape b=m --complex A --complex z --complex b

Speed: candidates are interpreted with NumPy from their jaxprs (no XLA compile), and their values are kept
on disk (identities.find_store), so a lookup takes well under a second after import (python
bench/find_latency.py measures it).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from . import jsonout
from ._argtypes import file_to_compare, output_file
from .expr import FUNCTIONS
from .find import FindResult, Match, default_shape, find_expr

LAYOUTS = ("numerator", "denominator")
_SHAPE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)=(.*)$")


def shape_option(text: str) -> tuple[str, str]:
    """``NAME=DIMS``: dimension names or sizes separated by spaces or commas; empty for a scalar."""
    m = _SHAPE.match(text)
    if not m:
        raise argparse.ArgumentTypeError(f"expected NAME=DIMS (e.g. A='m n', x=n, c= for a scalar), got {text!r}")
    dims = [d for d in re.split(r"[\s,]+", m.group(2)) if d]
    for d in dims:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|[1-9][0-9]{0,3}", d):
            raise argparse.ArgumentTypeError(
                f"{m.group(1)}: bad dimension {d!r} (a name such as n, or a size from 1 to 9999)"
            )
    if len(dims) > 4:
        raise argparse.ArgumentTypeError(f"{m.group(1)}: at most 4 dimensions, got {len(dims)}")
    return m.group(1), " ".join(dims)


def _match_text(m: Match, layouts: tuple[str, ...]) -> list[str]:
    ident = m.identity
    mc = [f"MC{s.loc}" for s in ident.sources if s.ref == "MC"]
    head = f"{ident.id}  ({ident.kind})" + (f"  {', '.join(mc)}" if mc else "")
    lines = [head, f"  function     {ident.tex.f}"]
    lines.append(
        "  arguments    " + ", ".join(f"{u} -> {i}" for u, i in m.mapping.items()) + "  (yours -> the identity's)"
    )
    lines.append(f"  with respect {m.wrt} (the identity's {ident.wrt})")
    if ident.complex_form:
        lines.append(
            f"  convention   {ident.complex_form} (complex; other conventions: closed_form(..., convention=...),"
            " see docs/complex.md)"
        )
    lines.append("  requires     " + ("; ".join(m.preconditions) if m.preconditions else "nothing"))
    for lay in layouts:
        rhs = ident.tex.num if lay == "numerator" else ident.tex.den
        lines.append(f"  {lay:<12} {ident.tex.lhs(ident.wrt, ident.kind)} = {rhs}")
    lines.append("  sources      " + "\n               ".join(str(s) for s in ident.sources))
    return lines


def render(result: FindResult, layouts: tuple[str, ...]) -> str:
    """The text report of a lookup (also what docs/find.md shows)."""
    q = result.query
    out = [
        f"find {q.label} with respect to {q.names[q.wrt]}",
        "  shapes  " + ", ".join(f"{n}: {s or 'scalar'}" for n, s in q.shapes_text.items()),
    ]
    if result.matches:
        out.append(f"{len(result.matches)} match(es) ({result.tried} candidates tried after pruning)")
        for m in result.matches:
            out.append("")
            out += _match_text(m, layouts)
    else:
        out.append(f"no match ({result.tried} candidates tried after pruning)")
        out.append(result.message)
        for near in result.closest:
            args = ", ".join(f"{u} -> {i}" for u, i in near.mapping.items())
            out.append(f"  {near.identity.id:<36} {near.identity.tex.f}   ({args}; similarity {near.similarity:.2f})")
    return "\n".join(out)


def to_json(result: FindResult, layouts: tuple[str, ...]) -> dict[str, Any]:
    q = result.query
    return {
        "variables": list(q.names),
        "wrt": q.names[q.wrt],
        "shapes": q.shapes_text,
        "tried": result.tried,
        "matches": [m.to_dict(layouts) for m in result.matches],
        "closest": [
            {"id": n.identity.id, "similarity": round(n.similarity, 3), "mapping": n.mapping} for n in result.closest
        ],
        "message": result.message,
    }


def _docs(args: argparse.Namespace) -> int:
    from .find_page import render_page

    page = render_page()
    if args.write_docs:
        Path(args.write_docs).write_text(page, encoding="utf-8")
        print(f"wrote {args.write_docs}")
        return 0
    path = Path(args.check_docs)
    if path.exists() and path.read_text(encoding="utf-8") == page:
        print(f"{path} is up to date")
        return 0
    print(f"{path} is out of date: python -m identities find --write-docs {path}")
    return 1


def cmd_find(args: argparse.Namespace) -> int:
    if args.write_docs or args.check_docs:
        if args.expr is not None:
            raise_usage("give EXPR or --write-docs/--check-docs, not both")
        return _docs(args)
    if args.expr is None:
        raise_usage("give an expression, e.g. python -m identities find 'trace(A @ X)' --wrt X")
    shapes: dict[str, str] = {}
    for name, dims in args.shape or []:
        if name in shapes:
            raise_usage(f"--shape {name} given twice")
        shapes[name] = dims
    result = find_expr(args.expr, wrt=args.wrt, shapes=shapes, complex_args=tuple(args.complex or ()))
    layouts = LAYOUTS if args.layout == "both" else (args.layout,)
    if args.json:
        print(jsonout.dumps(to_json(result, layouts), indent=1, ensure_ascii=False))
    else:
        print(render(result, layouts))
    return 0 if result.matches else 1


def raise_usage(msg: str) -> None:
    from .find import FindError

    raise FindError(msg)


def register(sub: argparse._SubParsersAction) -> None:
    doc = (__doc__ or "").format(functions=", ".join(sorted(FUNCTIONS)))
    p = sub.add_parser(
        "find",
        help="find the identity that differentiates a formula (e.g. 'trace(A @ X @ B @ X.T)')",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("expr", metavar="EXPR", nargs="?", help="the function, in NumPy syntax over named variables")
    p.add_argument("--wrt", metavar="NAME", help="the variable (default: the only one, else X, else x)")
    p.add_argument(
        "--shape",
        action="append",
        type=shape_option,
        metavar="NAME=DIMS",
        help=f"a variable's shape, e.g. A='m n', c= (scalar); default {default_shape('A')!r} for capitals, "
        f"{default_shape('a')!r} otherwise",
    )
    p.add_argument(
        "--complex",
        action="append",
        metavar="NAME",
        help="a complex variable (repeat for each); the others are real. Complex variables are drawn complex and "
        "match only an identity's complex arguments",
    )
    p.add_argument("--layout", choices=[*LAYOUTS, "both"], default="both", help="layout of the derivative shown")
    p.add_argument("--json", action="store_true")
    p.add_argument("--write-docs", type=output_file, metavar="FILE", help="write docs/find.md (real outputs)")
    p.add_argument("--check-docs", type=file_to_compare, metavar="FILE", help="exit 1 if FILE differs from a fresh run")
    p.set_defaults(func=cmd_find)
