"""``python -m identities special-cases``: the special-points page, measured now.

``--write docs/special-cases.md`` writes it; ``--check docs/special-cases.md`` exits 1 when the file
differs from a fresh generation (JAX's answers are measured, not typed in); ``--json`` prints the
measurements (strict JSON: JAX's non-finite entries are the strings "nan", "inf", "-inf", as in every
``--json`` report: identities.jsonout); with no option the page goes to standard output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import jsonout
from ._argtypes import file_to_compare, output_file


def cmd_special(args: argparse.Namespace) -> int:
    from .special import measure_all, render_markdown

    ms = measure_all()
    if args.json:
        rows = [
            {
                "identity": m.ident.id,
                "point": m.point.label,
                "status": m.point.status,
                "math": m.point.math,
                "transform": m.transform,
                "jax": m.value,  # jsonout writes its non-finite entries as "nan", "inf", "-inf"
                "verdict": m.verdict,
                "recorded_verdict": m.point.jax_verdict,
            }
            for m in ms
        ]
        print(jsonout.dumps(rows, indent=1, ensure_ascii=False))
        return 0
    text = render_markdown(ms)
    if args.check:
        path = Path(args.check)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old != text:
            print(f"{path} is out of date: run python -m identities special-cases --write {path}", file=sys.stderr)
            return 1
        print(f"{path} is up to date ({len(ms)} points)")
        return 0
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
        print(f"wrote {args.write} ({len(ms)} points)")
        return 0
    print(text, end="")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("special-cases", help="the special-points page (what JAX returns at each)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--write", metavar="PATH", type=output_file, help="write the page to PATH (docs/special-cases.md)")
    g.add_argument(
        "--check", metavar="PATH", type=file_to_compare, help="exit 1 if PATH differs from a fresh generation"
    )
    g.add_argument("--json", action="store_true", help="the measurements as JSON")
    p.set_defaults(func=cmd_special)
