"""``python -m identities bench``: closed forms against autodiff, timed (see :mod:`identities.bench`)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from . import jsonout
from ._argtypes import input_file, output_file_or_stdout, positive_float, seed_int
from .errors import UnknownIdentityError


def repo_root() -> Path:
    """The checkout this package lives in (where docs/ and bench/ are), else the working directory."""
    here = Path(__file__).resolve().parents[1]
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def _progress(enabled: bool) -> Any:
    tty = sys.stderr.isatty()
    last = [0.0]

    def show(k: int, total: int, text: str, elapsed: float) -> None:
        if not enabled:
            return
        line = f"[{k}/{total}] {elapsed:5.0f} s  {text}"
        if tty:
            print(f"\r{line[:100]:<100}", end="" if k < total else "\n", file=sys.stderr, flush=True)
        elif time.perf_counter() - last[0] > 5 or k == total:  # a log line every few seconds
            last[0] = time.perf_counter()
            print(line, file=sys.stderr, flush=True)

    return show


def cmd_bench(args: argparse.Namespace) -> int:
    from . import bench
    from .bench_report import write_docs, write_json

    try:
        sizes = bench.parse_sizes(args.sizes) if args.sizes else ()
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.docs and (args.only or args.sizes or args.quick):
        print(
            "error: --docs writes the committed report of the whole default sweep; drop --only/--sizes/--quick",
            file=sys.stderr,
        )
        return 2
    if args.scaling:
        return _scaling(args)
    if args.from_json:
        if not args.docs or args.only or args.sizes or args.quick or args.json:
            print("error: --from-json only goes with --docs (it re-writes the report of a saved run)", file=sys.stderr)
            return 2
        try:
            result = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            print(f"error: --from-json {args.from_json}: cannot read a saved run: {e}", file=sys.stderr)
            return 2
        if not isinstance(result, dict) or not isinstance(result.get("identities"), list):
            print(f"error: --from-json {args.from_json}: not a saved bench run (no 'identities' list)", file=sys.stderr)
            return 2
        root = repo_root()
        for p in write_docs(result, root):
            print(f"wrote {p.relative_to(root)}", file=sys.stderr)
        return 0
    idents = bench.select(args.only)
    if not idents:
        raise UnknownIdentityError(f"no identity matches {args.only!r}")
    cfg = bench.Config(
        quick=args.quick,
        sizes=sizes,
        seed=args.seed,
        call_budget=args.call_budget,
        memory_budget=int(args.memory_budget * bench.GiB) if args.memory_budget else None,
        **({"max_bytes": int(args.max_mib * bench.MiB)} if args.max_mib else {}),
        **({"max_arg_bytes": int(args.max_arg_mib * bench.MiB)} if args.max_arg_mib else {}),
    )
    result = bench.run(idents, cfg, _progress(not args.no_progress), targets=not (args.quick or args.sizes))
    if args.json == "-":
        print(jsonout.dumps(result, indent=1, ensure_ascii=False))
    else:
        bench.print_table(result)
    if args.json and args.json != "-":
        write_json(result, Path(args.json))
        print(f"wrote {args.json}", file=sys.stderr)
    if args.docs:
        root = repo_root()
        for p in write_docs(result, root):
            print(f"wrote {p.relative_to(root)}", file=sys.stderr)
    refused = [s for r in result["identities"] for s in r["sizes"] if s["status"] in ("refused", "error")]
    return 1 if refused else 0


def _scaling(args: argparse.Namespace) -> int:
    """``bench --scaling``: how each side's cost grows (see :mod:`identities.scaling`)."""
    from . import bench, scaling
    from .bench_report import JSON_PATH, write_json, write_scaling_docs

    if args.quick or args.sizes or args.max_mib or args.max_arg_mib:
        print("error: --scaling chooses its own sizes; drop --quick/--sizes/--max-mib/--max-arg-mib", file=sys.stderr)
        return 2
    if args.docs and args.only:
        print(
            "error: --scaling --docs writes the committed report of the whole selection; drop --only", file=sys.stderr
        )
        return 2
    root = repo_root()
    if args.from_json:
        if not args.docs or args.only or args.json:
            print("error: --from-json only goes with --docs (it re-writes the report of a saved run)", file=sys.stderr)
            return 2
        try:
            result = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            print(f"error: --from-json {args.from_json}: cannot read a saved run: {e}", file=sys.stderr)
            return 2
        if not isinstance(result, dict) or result.get("schema") != scaling.SCHEMA:
            print(
                f"error: --from-json {args.from_json}: not a saved scaling run (schema {scaling.SCHEMA})",
                file=sys.stderr,
            )
            return 2
    else:
        idents = bench.select(args.only)
        if not idents:
            raise UnknownIdentityError(f"no identity matches {args.only!r}")
        chosen = scaling.selection(idents, scaling.load_saved(root / JSON_PATH))
        if not chosen:
            print(
                f"error: --only {args.only!r}: no Hessian, 3- or 4-tensor or asymptotically cheaper closed form",
                file=sys.stderr,
            )
            return 2
        base = bench.Config(
            seed=args.seed,
            call_budget=args.call_budget,
            memory_budget=int(args.memory_budget * bench.GiB) if args.memory_budget else None,
        )
        result = scaling.run(chosen, scaling.config(base), _progress(not args.no_progress))
        if args.json == "-":
            print(jsonout.dumps(result, indent=1, ensure_ascii=False))
        else:
            from tabulate import tabulate

            print(tabulate(scaling.summary_rows(result), headers=scaling.SUMMARY_HEADERS, disable_numparse=True))
        if args.json and args.json != "-":
            write_json(result, Path(args.json))
            print(f"wrote {args.json}", file=sys.stderr)
    if args.docs:
        for p in write_scaling_docs(result, root):
            print(f"wrote {p.relative_to(root)}", file=sys.stderr)
    refused = [s for r in result["identities"] for s in r["sizes"] if s["status"] in ("refused", "error")]
    return 1 if refused else 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "bench",
        help="time closed forms against jax autodiff (agreement checked first)",
        description=__doc__,
    )
    p.add_argument("--only", metavar="PATTERN", help="ids matching these comma-separated globs or substrings")
    p.add_argument(
        "--sizes",
        metavar="SIZES",
        help="comma-separated sizes for every identity: N (largest dimension) or d=N:e=M",
    )
    p.add_argument("--quick", action="store_true", help="one small size per identity, few rounds (CI smoke run)")
    p.add_argument(
        "--json",
        metavar="PATH",
        type=output_file_or_stdout,
        help="write the results as JSON ('-' prints them instead of the table)",
    )
    p.add_argument(
        "--docs",
        action="store_true",
        help="write docs/benchmarks.md, docs/_static/bench/*.png and bench/results/latest.json",
    )
    p.add_argument(
        "--from-json",
        metavar="PATH",
        type=input_file,
        help="with --docs: re-write the report from a saved run (e.g. bench/results/latest.json) without timing",
    )
    p.add_argument(
        "--scaling",
        action="store_true",
        help="how cost grows: Hessians, 3-/4-tensors and asymptotically cheaper closed forms over doubling sizes, "
        "fitted exponents and crossovers (with --docs: the 'How cost grows' section of docs/benchmarks.md)",
    )
    p.add_argument("--max-mib", type=positive_float, help="largest output of the derived sweep, MiB (default 16)")
    p.add_argument("--max-arg-mib", type=positive_float, help="largest argument of the derived sweep, MiB (default 2)")
    p.add_argument(
        "--memory-budget", type=positive_float, metavar="GIB", help="skip programs needing more (default: auto)"
    )
    p.add_argument("--call-budget", type=positive_float, default=1.0, metavar="S", help="skip programs slower per call")
    p.add_argument("--seed", type=seed_int, default=0)
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_bench)
