"""Reports of a bench run: JSON, the Markdown page docs/benchmarks.md and the plots beside it.

Everything here reads the result of :func:`identities.bench.run`; nothing is measured or typed in by hand.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from .bench import FORWARD_GRADIENT_MAX, HEADERS, MiB, autodiff_wins, fmt_bytes, fmt_seconds, largest_ok, rows, skipped

JSON_PATH = Path("bench/results/latest.json")
DOC_PATH = Path("docs/benchmarks.md")
PLOT_DIR = Path("docs/_static/bench")


def write_json(result: Mapping[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    return path


def write_docs(result: Mapping[str, Any], root: Path) -> list[Path]:
    """Write the JSON, the plots and the Markdown report under ``root``; return the paths written. The
    report's "How cost grows" section comes from the saved scaling run (bench/results/scaling.json), if any."""
    written = [write_json(result, root / JSON_PATH)]
    try:
        plots = write_plots(result, root / PLOT_DIR)
    except ImportError as e:  # matplotlib is the "bench" extra; the report is still written without plots
        print(f"warning: no plots ({e}); pip install -e '.[bench]'", file=sys.stderr)
        plots = []
    written += plots
    return [*written, _write_markdown(result, plots, root)]


def write_scaling_docs(scaling_result: Mapping[str, Any], root: Path) -> list[Path]:
    """Write a scaling run's JSON and plots, and re-write docs/benchmarks.md with its "How cost grows"
    section (the rest of the page from the saved default run, bench/results/latest.json)."""
    from . import scaling

    written = [write_json(scaling_result, root / scaling.JSON_PATH)]
    try:
        written += scaling.write_plots(scaling_result, root / PLOT_DIR)
    except ImportError as e:
        print(f"warning: no plots ({e}); pip install -e '.[bench]'", file=sys.stderr)
    default = _load(root / JSON_PATH)
    if default is None:
        print(f"warning: no {JSON_PATH}: run `python -m identities bench --docs` to write the page", file=sys.stderr)
        return written
    plots = sorted(p for p in (root / PLOT_DIR).glob("*.png") if not p.name.startswith(scaling.PLOT_PREFIX))
    return [*written, _write_markdown(default, plots, root)]


def _load(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_markdown(result: Mapping[str, Any], plots: Sequence[Path], root: Path) -> Path:
    from . import scaling

    md = root / DOC_PATH
    md.parent.mkdir(parents=True, exist_ok=True)
    text = markdown(result, [p.relative_to(md.parent) for p in plots])
    grown = _load(root / scaling.JSON_PATH)
    if grown is not None:
        splots = sorted((root / PLOT_DIR).glob(f"{scaling.PLOT_PREFIX}*.png"))
        text += "\n" + "\n".join(scaling.markdown(grown, [p.relative_to(md.parent) for p in splots])) + "\n"
    md.write_text(text)
    return md


def _env_block(result: Mapping[str, Any]) -> str:
    env = result["environment"]
    cfg = result["config"]
    lines = [f"| {k} | {v} |" for k, v in env.items()]
    lines += [
        f"| memory budget per program | {fmt_bytes(cfg['memory_budget_bytes'])} |",
        f"| call budget | {cfg['call_budget_s']} s |",
        f"| rounds per size | {cfg['min_rounds']}-{cfg['max_rounds']} |",
        f"| whole run | {result['seconds']:.0f} s |",
    ]
    return "| | |\n|---|---|\n" + "\n".join(lines)


def _md_table(headers: Sequence[str], body: Sequence[Sequence[Any]]) -> str:
    def cell(x: Any) -> str:
        return str(x).replace("|", "\\|")

    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in body]
    return "\n".join(out)


# A table longer than this is written as one HTML block (see _html_table).
LONG_TABLE = 40


@functools.cache
def _families() -> dict[str, str]:
    from ._core import catalog

    return {i.id: i.family for i in catalog()}


def _id_link(ident_id: str) -> str:
    """The identity's id, linked to its catalog entry (plain text for an id the registry no longer has)."""
    family = _families().get(ident_id)
    text = escape(ident_id)
    return f'<a href="catalog/{family}.html#{escape(ident_id)}">{text}</a>' if family else text


def _html_table(headers: Sequence[str], body: Sequence[Sequence[Any]]) -> str:
    """A long table as one HTML block, which Sphinx passes through instead of building docutils nodes for
    every cell (Sphinx took 14.1-14.8 s with them as Markdown tables, 11.2-11.8 s as HTML). The first
    column (identity ids) links to the catalog; the docs build checks every such link and anchor."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    out = ['<div class="table-wrapper docutils container">', '<table class="docutils align-default bench-table">']
    out += [f"<thead><tr>{head}</tr></thead>", "<tbody>"]
    for first, *rest in body:
        cells = [_id_link(str(first)), *(escape(str(c)) for c in rest)]
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "\n".join([*out, "</tbody>", "</table>", "</div>"])


def _table(headers: Sequence[str], body: Sequence[Sequence[Any]]) -> str:
    """Markdown for a short table, HTML for a long one (identity ids in the first column)."""
    return _md_table(headers, body) if len(body) <= LONG_TABLE else _html_table(headers, body)


def _headline(result: Mapping[str, Any]) -> list[list[Any]]:
    """The issue's targets (identities.bench.TARGETS) with what this run measured."""
    out = []
    for t in result.get("targets", []):
        r = t["ratio"]
        measured = (
            f"{r['median']:.1f}× [{r['q25']:.1f}-{r['q75']:.1f}] vs {t['variant']}" if r else t["why"] or "not timed"
        )
        if t.get("regime") == "fresh-pages":
            measured += " (fresh-pages regime)"
        out.append([t["id"], t["label"], t["target"], measured, "yes" if t["met"] else "no"])
    for rec in result["identities"]:  # materialised 3- and 4-tensors against the fill bandwidth
        s = largest_ok(rec)
        if not s or s.get("output_ndim", 0) < 3 or s["regime"] != "warm" or s["output_bytes"] < MiB:
            continue
        b = s["programs"]["closed"].get("bandwidth")
        if b:
            frac = b["fraction_of_fill"]
            out.append(
                [
                    rec["id"],
                    s["label"],
                    f"{s['output_ndim']}-tensor at ≥ 50% of the fill bandwidth",
                    f"{100 * frac:.0f}% ({b['bytes_per_s'] / 1e9:.1f} of {b['fill_bytes_per_s'] / 1e9:.1f} GB/s)",
                    "yes" if frac >= 0.5 else "no",
                ]
            )
    return out


def _bandwidth_rows(result: Mapping[str, Any]) -> list[list[Any]]:
    """Closed forms whose output is at least 1 MiB, with their effective bandwidth against the fill's."""
    out = []
    for rec in result["identities"]:
        s = largest_ok(rec)
        if not s or s["output_bytes"] < MiB:
            continue
        c = s["programs"]["closed"]
        b = c.get("bandwidth")
        if not b:
            continue
        out.append(
            [
                rec["id"],
                s["label"],
                fmt_bytes(s["output_bytes"]),
                f"{b['bytes_per_s'] / 1e9:.1f} GB/s",
                f"{100 * b['fraction_of_fill']:.0f}%",
                s["regime"],
            ]
        )
    return out


def _compile_rows(result: Mapping[str, Any]) -> list[list[Any]]:
    out = []
    for rec in result["identities"]:
        s = largest_ok(rec)
        if not s:
            continue
        for name, p in s["programs"].items():
            if p.get("first_call_s") is None:
                continue
            m = p.get("memory", {})
            out.append(
                [
                    rec["id"],
                    s["label"],
                    name,
                    fmt_seconds(p["lower_s"]),
                    fmt_seconds(p["compile_s"]),
                    fmt_seconds(p["one_shot_s"]),
                    fmt_bytes(m.get("temp", 0)),
                    fmt_bytes(m.get("output", 0)),
                    f"{p['flops']:.3g}" if p.get("flops") is not None else "-",
                ]
            )
    return out


def markdown(result: Mapping[str, Any], plots: Sequence[Path]) -> str:
    env = result["environment"]
    bw = result["bandwidth"]
    n_id = len(result["identities"])
    wins = autodiff_wins(result)
    caps = (
        f"whose closed-form output stays within {fmt_bytes(result['config']['max_bytes'])} and whose arguments "
        f"within {fmt_bytes(result['config'].get('max_arg_bytes', result['config']['max_bytes']))}"
    )
    parts = [
        "# Benchmarks: closed forms against autodiff",
        "",
        f"Written by `python -m identities bench --docs` on {env['date']} ({n_id} identities, "
        f"{result['seconds']:.0f} s). Every number on this page comes from that run "
        "(`bench/results/latest.json` holds all of it).",
        "",
        "**Method.** For every identity and every size of its sweep, the closed form and each autodiff "
        "variant that applies (`jacfwd` and `jacrev`, or `jacfwd` and `grad` for a scalar output; "
        "`jax.hessian`; `jax.jvp`; `jax.vjp`) are jitted and compiled (`jacfwd` of a scalar output only while "
        f"the input has at most {FORWARD_GRADIENT_MAX} entries: beyond, it is one JVP per entry); each program runs "
        "once and every autodiff result must agree with the closed form before anything is timed. Timing "
        "excludes warm-up, blocks until the result is ready, interleaves the programs round by round "
        "(in a fresh random order each round) and reports medians with quartiles; the speed-up is "
        "autodiff time / closed-form time taken pair by pair within each round. The sweep of an identity "
        f"is the largest power of two n {caps}, then n/4 "
        "(or the sizes the record declares). A program XLA says needs more memory than the budget is "
        "compiled but not run, and a program predicted to take over the call budget is not timed; both "
        "are listed below with the reason.",
        "",
        "Speed-up > 1: the closed form is faster. Verdict `faster` when its quartiles are above 1, "
        "`slower` when they are below 1, the median below 0.9 and the gap larger than half the dispatch "
        f"floor (an empty jitted call: {fmt_seconds(result['dispatch_floor_s']['median'])} in this run), "
        "`tie` otherwise.",
        "",
        "## Environment",
        "",
        _env_block(result),
        "",
        "## Bandwidth reference (same run)",
        "",
        _md_table(
            ["buffer", "regime", "fill (before)", "fill (after)", "copy (before)"],
            [
                [
                    fmt_bytes(b["bytes"]),
                    b["regime"],
                    f"{b['fill_bytes_per_s'] / 1e9:.1f} GB/s",
                    f"{a['fill_bytes_per_s'] / 1e9:.1f} GB/s",
                    f"{b['copy_bytes_per_s'] / 1e9:.1f} GB/s",
                ]
                for b, a in zip(bw["before"], bw["after"], strict=False)
            ],
        ),
        "",
        "On the CPU, an output of 32 MiB or more lands in freshly mapped pages on every call and is bound by "
        "page faults (regime `fresh-pages`); smaller outputs reuse warm pages. The default sweep stays below "
        "32 MiB. Effective bandwidth of a materialised derivative = output bytes / median time, compared "
        "with the fill bandwidth of the same regime and nearest buffer size (the better of the two measurements).",
        "",
    ]
    head = _headline(result)
    if head:
        parts += ["## Headline", "", _md_table(["identity", "size", "target", "measured", "met"], head), ""]
    parts += [
        "## Every identity at its largest timed size",
        "",
        _table(HEADERS, rows(result, every_size=False)),
        "",
        "## Where autodiff won",
        "",
    ]
    if wins:
        parts.append(
            _md_table(
                ["identity", "size", "best autodiff", "speed-up [q25-q75]", "closed temp", "autodiff temp"],
                [
                    [
                        i,
                        s["label"],
                        s["best"]["variant"],
                        f"{s['best']['ratio']['median']:.2f} [{s['best']['ratio']['q25']:.2f}-"
                        f"{s['best']['ratio']['q75']:.2f}]",
                        fmt_bytes(s["programs"]["closed"]["memory"].get("temp", 0)),
                        fmt_bytes(s["programs"][s["best"]["variant"]]["memory"].get("temp", 0)),
                    ]
                    for i, s in wins
                ],
            )
        )
    else:
        parts.append("Nowhere, at any identity's largest timed size.")
    bwr = _bandwidth_rows(result)
    parts += ["", "## Materialised derivatives against the fill bandwidth", ""]
    parts.append(
        _table(["identity", "size", "output", "effective", "of fill", "regime"], bwr)
        if bwr
        else "No closed-form output of 1 MiB or more in this run."
    )
    if plots:
        parts += ["", "## Speed-up against size, by family", ""]
        parts += [f"![{p.stem}]({p.as_posix()})" for p in plots]
    parts += [
        "",
        "## Every size",
        "",
        _table(HEADERS, rows(result)),
        "",
        "## Compile time, one-shot cost and XLA's figures (largest timed size)",
        "",
        "trace+lower and compile are timed separately; one-shot = trace+lower + compile + first call. "
        "Temporary and output bytes come from `compiled.memory_analysis()`, flops from `cost_analysis()` "
        "(XLA does not count the flops of library calls such as LU).",
        "",
        _table(
            ["identity", "size", "program", "trace+lower", "compile", "one-shot", "temp", "output", "flops"],
            _compile_rows(result),
        ),
        "",
        "## Not run or not timed",
        "",
    ]
    sk = skipped(result)
    parts.append(_table(["identity", "size", "program", "reason"], sk) if sk else "Nothing was skipped.")
    return "\n".join(parts) + "\n"


def write_plots(result: Mapping[str, Any], outdir: Path) -> list[Path]:
    """One PNG per family: speed-up of the closed form over the best autodiff variant against n, log-log."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    outdir.mkdir(parents=True, exist_ok=True)
    families: dict[str, list[Mapping[str, Any]]] = {}
    for rec in result["identities"]:
        families.setdefault(rec["family"], []).append(rec)
    written = []
    for fam, recs in sorted(families.items()):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        drawn = 0
        for rec in recs:
            pts = [(s["n"], s["best"]["ratio"]) for s in rec["sizes"] if s.get("status") == "ok" and s.get("best")]
            pts = [(n, r) for n, r in pts if n > 0]
            if not pts:
                continue
            ns = [p[0] for p in pts]
            med = [p[1]["median"] for p in pts]
            lo = [p[1]["median"] - p[1]["q25"] for p in pts]
            hi = [p[1]["q75"] - p[1]["median"] for p in pts]
            ax.errorbar(ns, med, yerr=[lo, hi], marker="o", capsize=3, label=rec["id"].split(".", 1)[1])
            drawn += 1
        if not drawn:
            plt.close(fig)
            continue
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}×"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.axhline(1.0, color="grey", lw=1, ls="--")
        ax.set_xlabel("n (largest dimension)")
        ax.set_ylabel("best autodiff time / closed-form time")
        ax.set_title(f"{fam}: speed-up of the closed form ({result['environment']['device']})")
        ax.legend(fontsize=7, ncol=2 if drawn > 8 else 1)
        fig.tight_layout()
        path = outdir / f"{fam}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    return written
