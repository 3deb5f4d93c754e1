"""``python -m identities docs build | serve``: the reference site, generated from the registry."""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path

from . import docsgen
from ._argtypes import existing_dir, port, positive_int
from ._core import catalog
from .progress import Progress, wanted


def _build(args: argparse.Namespace) -> docsgen.BuildResult | None:
    idents = catalog() if not args.no_verify else []
    bar = Progress(idents, "docs build: verify", enabled=wanted() and bool(idents))

    def log(msg: str) -> None:
        bar.print(msg)

    try:
        result = docsgen.build(
            args.source,
            args.out,
            args.cache,
            strict=not args.no_strict,
            verify=not args.no_verify,
            examples=args.examples,
            sizes=args.sizes,
            jobs=args.jobs,
            log=log,
            progress=bar,
        )
    except docsgen.DocsBuildError as e:
        bar.close()
        print(f"docs build FAILED:\n{e}", file=sys.stderr)
        return None
    s, v = result.seconds, result.verify
    for p in result.problems:
        print(f"warning: {p}", file=sys.stderr)
    print(
        f"built {result.site} ({result.identities} identities; verified {v.run}, cached {v.cached}, "
        f"{v.jobs} process(es); {result.pages_changed} generated pages changed) in {s['total']:.1f} s: "
        f"verify {s['verify']:.1f} s, generate {s['generate']:.1f} s, sphinx {s['sphinx']:.1f} s, "
        f"check {s['check']:.1f} s"
    )
    print(f"open {result.site / 'index.html'}  (or: python -m identities docs serve)")
    return result


def cmd_build(args: argparse.Namespace) -> int:
    return 0 if _build(args) is not None else 1


def cmd_serve(args: argparse.Namespace) -> int:
    site = Path(args.out or docsgen.ROOT / "_site").resolve()
    if not args.no_build:
        result = _build(args)
        if result is None:
            return 1
        site = result.site
    if not (site / "index.html").exists():
        print(f"error: {site} has no index.html: run `python -m identities docs build` first", file=sys.stderr)
        return 2
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    try:
        srv = http.server.ThreadingHTTPServer((args.host, args.port), handler)
    except OSError as e:  # port in use, unknown host, no permission for a low port
        print(f"error: cannot serve on --host {args.host} --port {args.port}: {e}", file=sys.stderr)
        return 2
    with srv:
        host, port = srv.server_address[:2]
        print(f"serving {site} at http://{host}:{port}/ (Ctrl-C stops)", flush=True)
        try:
            srv.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("docs", help="the reference site: build it (strictly) or serve it")
    dsub = p.add_subparsers(dest="docs_command", required=True)
    for name, func, text in (
        ("build", cmd_build, "verify the registry, generate the pages, build _site/ strictly"),
        ("serve", cmd_serve, "build, then serve _site/ on http://127.0.0.1:8000/"),
    ):
        q = dsub.add_parser(name, help=text)
        q.add_argument("--source", type=existing_dir, help="docs source directory (default: docs/ of this checkout)")
        q.add_argument("--out", type=Path, help="output directory (default: _site/)")
        q.add_argument("--cache", type=Path, help="verification and doctree cache (default: .docs_cache/)")
        q.add_argument("--no-strict", action="store_true", help="report problems but still write the site")
        q.add_argument(
            "--no-verify",
            action="store_true",
            help="skip build-time verification: verify's checks (pages say so) and find's coverage",
        )
        q.add_argument("--examples", type=positive_int, default=docsgen.VERIFY_EXAMPLES, help="random inputs per size")
        q.add_argument("--sizes", type=positive_int, default=docsgen.VERIFY_SIZES, help="size assignments per identity")
        q.add_argument("--jobs", type=positive_int, help="verification processes (default: one per CPU)")
        if name == "serve":
            q.add_argument("--no-build", action="store_true", help="serve the existing _site/ as it is")
            q.add_argument("--host", default="127.0.0.1")
            q.add_argument("--port", type=port, default=8000)
        q.set_defaults(func=func)
