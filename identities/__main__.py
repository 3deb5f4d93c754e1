"""Command line: ``python -m identities list | show ID | verify [ID ...]`` (``--json`` on each)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from tabulate import tabulate

from . import jsonout
from ._argtypes import positive_int, seed_int
from ._core import REFERENCES, Identity, catalog, get
from .errors import IdentityError

# Further subcommands live in their own modules, each with ``register(subparsers)``; add one line here.
COMMAND_MODULES: tuple[str, ...] = (
    "identities.cli_eval",
    "identities.cli_special",
    "identities.cli_check",
    "identities.cli_conformance",
    "identities.cli_bench",
    "identities.cli_docs",
    "identities.cli_find",
)


def _shapes_text(ident: Identity) -> str:
    return ", ".join(f"{a}: {ident.shapes[a] or 'scalar'}" for a in ident.argnames)


def _requires_text(ident: Identity) -> list[str]:
    out = [f"{a} {s.description}" for a, s in ident.requires.items()]
    out += [j.description for j in ident.joint]
    return out


def ident_dict(ident: Identity) -> dict[str, Any]:
    """A JSON-ready description of one identity (the record, not its verification)."""
    return {
        "id": ident.id,
        "family": ident.family,
        "kind": ident.kind,
        "function": ident.tex.f,
        "wrt": ident.wrt,
        "derivative": {"numerator": ident.tex.num, "denominator": ident.tex.den},
        "shapes": dict(ident.shapes),
        "requires": {a: s.name for a, s in ident.requires.items()} | {j.name: "joint" for j in ident.joint},
        "convention": ident.convention,
        "sources": [
            {"ref": s.ref, "loc": s.loc, "edition": s.edition, "reference": REFERENCES.get(s.ref, "")}
            for s in ident.sources
        ],
        "aliases": list(ident.aliases),
        "notes": ident.notes,
    }


def cmd_list(args: argparse.Namespace) -> int:
    idents = catalog()
    if args.family:
        idents = [i for i in idents if i.family == args.family]
    if args.json:
        print(jsonout.dumps([ident_dict(i) for i in idents], indent=1, ensure_ascii=False))
        return 0
    rows = [(i.id, i.tex.f, i.tex.den if args.layout == "denominator" else i.tex.num, i.citation) for i in idents]
    print(
        tabulate(
            rows,
            headers=["id", "expression", f"derivative ({args.layout})", "sources"],
            maxcolwidths=[None, 40, 40, 50],
        )
    )
    print(f"\n{len(idents)} identities")
    return 0


def example_inputs(ident: Identity) -> tuple[dict[str, int], dict[str, np.ndarray], np.ndarray | None]:
    """The inputs of an identity's numeric example (``show``, the docs): its first size assignment, valid
    arguments drawn with seed 0, and the tangent/cotangent of a JVP/VJP (else None)."""
    from .verify import draw_extra, draw_inputs, extra_shape, raw_draw

    rng = np.random.default_rng(0)
    sizes = ident.size_assignments()[0]
    args = draw_inputs(ident, rng, sizes)
    eshape = extra_shape(ident, sizes)
    extra = draw_extra(ident, args, raw_draw(rng, eshape)) if eshape is not None else None
    return sizes, args, extra


def _example(ident: Identity, layout: str) -> dict[str, Any]:
    _, args, extra = example_inputs(ident)
    call = [args[a] for a in ident.argnames] + ([] if extra is None else [extra])
    value = np.asarray(ident.closed_form(*call, layout=layout))
    return {"inputs": {a: np.round(v, 4).tolist() for a, v in args.items()}, "derivative": np.round(value, 4).tolist()}


def cmd_show(args: argparse.Namespace) -> int:
    ident = get(args.id)
    layouts = [args.layout] if args.layout else ["numerator", "denominator"]
    ex = _example(ident, layouts[0] if args.layout else "jax")
    if args.json:
        d = ident_dict(ident)
        d["example"] = ex
        print(jsonout.dumps(d, indent=1, ensure_ascii=False))
        return 0
    print(f"{ident.id}  ({ident.kind})")
    print(f"  function     {ident.tex.f}")
    print(f"  with respect {ident.wrt}")
    for lay in layouts:
        print(
            f"  {lay:<12} {ident.tex.lhs(ident.wrt, ident.kind)} = {ident.tex.num if lay == 'numerator' else ident.tex.den}"
        )
    print(f"  shapes       {_shapes_text(ident)}")
    req = _requires_text(ident)
    print(f"  requires     {'; '.join(req) if req else 'nothing'}")
    if ident.convention != "full":
        print(f"  convention   {ident.convention}")
    if ident.is_complex:
        form = (
            "as the pair (∂f/∂z, ∂f/∂z̄)" if ident.complex_form == "pair" else f"in the {ident.complex_form} convention"
        )
        kind = "holomorphic" if ident.holomorphic else "not holomorphic"
        print(f"  complex      declared {form}; f is {kind} (closed_form(..., convention=...))")
    print("  sources      " + "\n               ".join(str(s) for s in ident.sources))
    if ident.aliases:
        print(f"  aliases      {', '.join(ident.aliases)}")
    if ident.notes:
        print("  notes        " + "\n               ".join(ident.notes.splitlines()))
    lay = args.layout or "jax"
    conv = ""
    if ident.is_complex:
        conv = ", " + ("conj_wirtinger" if ident.complex_form == "pair" else ident.complex_form) + " convention"
    print(f"  example      ({lay} layout{conv})")
    for a, v in ex["inputs"].items():
        print(f"    {a} = {np.array2string(np.asarray(v), precision=4, prefix='    ' + a + ' = ')}")
    print(f"    derivative = {np.array2string(np.asarray(ex['derivative']), precision=4, prefix='    derivative = ')}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .progress import Progress, wanted
    from .verify import verify_many

    idents = [get(i) for i in args.ids] if args.ids else catalog()
    t0 = time.perf_counter()
    with Progress(idents, "verify", enabled=wanted(args.json)) as progress:
        reports = verify_many(idents, examples=args.examples, seed=args.seed, jobs=args.jobs, progress=progress)
    wall = time.perf_counter() - t0
    failed = [r for r in reports if not r.ok]
    if args.json:
        print(jsonout.dumps({"ok": not failed, "seconds": wall, "reports": [r.to_dict() for r in reports]}, indent=1))
    else:
        rows = []
        for r in reports:
            for c in r.checks.values():
                rows.append(
                    (
                        r.identity,
                        c.check,
                        "ok" if c.ok else "FAIL",
                        f"{c.max_abs_error:.1e}",
                        f"{c.max_rel_error:.1e}",
                        f"{c.tol:.1e}",
                    )
                )
            if r.error:
                rows.append((r.identity, "error", "FAIL", "", "", ""))
        print(tabulate(rows, headers=["identity", "check", "result", "max abs err", "max rel err", "tolerance"]))
        for r in failed:
            for line in r.failures():
                print("FAILED", line)
        n_checks = sum(len(r.checks) for r in reports)
        print(
            f"\n{len(reports) - len(failed)}/{len(reports)} identities verified "
            f"({n_checks} checks, {sum(r.examples for r in reports)} examples) in {wall:.1f} s"
        )
    return 1 if failed else 0


def _family(text: str) -> str:
    """``list --family``: a family that exists (an unknown one would list nothing and exit 0)."""
    import difflib

    families = sorted({i.family for i in catalog()})
    if text not in families:
        close = difflib.get_close_matches(text, families, n=3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise argparse.ArgumentTypeError(f"unknown family {text!r}; {hint}families are {', '.join(families)}")
    return text


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m identities", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    pl = sub.add_parser("list", help="table of every identity")
    pl.add_argument("--family", type=_family, help="only this family (module), e.g. norms")
    pl.add_argument("--layout", choices=["numerator", "denominator"], default="numerator")
    pl.add_argument("--json", action="store_true")
    pl.set_defaults(func=cmd_list)

    ps = sub.add_parser("show", help="one identity: formula, shapes, preconditions, sources, an example")
    ps.add_argument("id", help="id, alias or Cookbook number (e.g. norms.l2, dK/dR, MC(70))")
    ps.add_argument("--layout", choices=["numerator", "denominator"])
    ps.add_argument("--json", action="store_true")
    ps.set_defaults(func=cmd_show)

    pv = sub.add_parser("verify", help="check closed forms against autodiff and finite differences")
    pv.add_argument("ids", nargs="*", help="ids or aliases (default: the whole catalog)")
    pv.add_argument("--examples", type=positive_int, default=3, help="random inputs per size assignment (default 3)")
    pv.add_argument("--seed", type=seed_int, default=0)
    pv.add_argument("--json", action="store_true")
    pv.add_argument("--jobs", type=positive_int, help="worker processes (default: one per CPU)")
    pv.set_defaults(func=cmd_verify)

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return p


# Exit status when standard output is closed early (``python -m identities show dK/dR | head -3``).
# Standard Unix tools (cat, seq, yes, ls) are killed by SIGPIPE there and the shell reports 128 + 13 = 141;
# Python ignores SIGPIPE and raises BrokenPipeError instead, so we return what the shell would have
# reported for them. Under ``set -o pipefail`` a pipeline through this command then fails exactly as one
# through ``cat`` does, and scripts that test for 141 treat it the same way.
EXIT_BROKEN_PIPE = 128 + 13


def _dispatch(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except IdentityError as e:  # unknown ids and every refused input: a message, never a traceback
        print(f"error: {e}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point of ``python -m identities`` and of the ``identities`` console script."""
    try:
        try:
            return _dispatch(argv)
        finally:  # flush here, so that a reader who left early is noticed here and not at interpreter exit
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader is gone: point standard output at /dev/null so that the interpreter's own flush at
        # exit does not fail again (and print "Exception ignored ... BrokenPipeError"), and exit quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # a replaced sys.stdout without a file descriptor: nothing to redirect
            pass
        finally:
            os.close(devnull)
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
