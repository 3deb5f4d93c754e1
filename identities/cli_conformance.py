"""``python -m identities conformance [ID ...] [--framework jax|torch|...|numpy-fd] [--json] [--write FILE]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import jsonout
from ._argtypes import output_file, seed_int
from .frameworks.adapter import ADAPTERS, FRAMEWORKS


def cmd_conformance(args: argparse.Namespace) -> int:
    from ._core import catalog, get
    from .frameworks.conformance import available, render_markdown, render_text, run
    from .progress import Progress, wanted

    frameworks = tuple(args.framework) if args.framework else FRAMEWORKS
    for fw in frameworks:
        if available(fw):
            continue
        spec = ADAPTERS[fw]
        if args.framework:
            print(f"error: --framework {fw} needs {spec.title}: {spec.install}", file=sys.stderr)
            return 2
        frameworks = tuple(f for f in frameworks if f != fw)
        print(f"note: {spec.title} is not installed; running {', '.join(frameworks)} only", file=sys.stderr)
    idents = [get(i) for i in args.ids] if args.ids else catalog()
    with Progress(idents, "conformance", enabled=wanted(args.json)) as bar:
        result = run(
            idents,
            frameworks,
            seed=args.seed,
            progress=lambda ident, got: bar.done(ident.family, 1, int(any(r.failed for r in got)), ident.id),
        )
    if args.write:
        if not args.ids and not args.framework and args.seed == 0:  # the canonical table, wherever written
            cmd = "python -m identities conformance --write docs/conformance.md"
        else:
            cmd = "python -m identities conformance " + " ".join(
                [*args.ids, *(f"--framework {f}" for f in args.framework or ()), f"--write {args.write}"]
            )
        Path(args.write).write_text(render_markdown(result, cmd), encoding="utf-8")
        print(f"wrote {args.write}", file=sys.stderr)
    if args.json:
        print(jsonout.dumps(result.to_dict(), indent=1, ensure_ascii=False))
    else:
        print(render_text(result))
    return 0 if result.ok else 1


def register(sub: Any) -> None:
    p = sub.add_parser("conformance", help="identity × framework × result, special points included")
    p.add_argument("ids", nargs="*", help="ids or aliases (default: the whole catalog)")
    p.add_argument("--framework", action="append", choices=FRAMEWORKS, help="repeatable (default: all)")
    p.add_argument("--seed", type=seed_int, default=0)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--write", metavar="FILE.md", type=output_file, help="also write the table as Markdown (docs/conformance.md)"
    )
    p.set_defaults(func=cmd_conformance)
