"""The reference site, generated from the registry: pages, build-time verification, Sphinx, strict checks.

``python -m identities docs build`` (see :mod:`identities.cli_docs`) runs :func:`build`:

1. **verify** every identity as :func:`identities.verify.verify` does (few examples, one size
   assignment: a real run, kept cheap), a family at a time with :func:`identities.verify.verify_batch`
   (one compiled program for the family), caching each report under ``.docs_cache/verify/`` keyed on the
   content that decides it (the identity's family module, the engine's sources, the JAX/NumPy versions,
   the parameters), so a rebuild re-verifies only what changed; misses run in parallel processes;
2. **generate** MyST pages into ``docs/catalog/`` (git-ignored): a page per family with one section per
   identity (anchor = its id), an index table of every identity, a page per reference (Matrix Cookbook
   equation → id, Wikipedia row → id, ...). Nothing about an identity is typed here: every formula,
   shape, precondition, source and note comes from its record;
3. **Sphinx** builds ``docs/`` into ``_site/`` with warnings as errors (broken links, bad TeX);
4. **check** the HTML: every internal link and anchor resolves, nothing is loaded from the network, and
   every identity has its anchor and both layouts rendered as MathML.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np

from ._core import REFERENCES, Identity, Source, catalog, parse_shape
from .progress import Progress

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
CATALOG_DIR = "catalog"  # under the docs source dir; git-ignored

# build-time verification: a real run of identities.verify, kept cheap (the CI's main job runs it fully)
VERIFY_EXAMPLES = 1  # random inputs per size assignment
VERIFY_SIZES = 1  # size assignments used (the first ones)
VERIFY_SEED = 0

# words a reader searches for, found in an identity's TeX (function and definitions)
KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"\\det\b", "determinant"),
    (r"\\(?:operatorname|mathrm|text)\{[Tt]r\}|\\tr\b", "trace"),
    (r"\^\{?-1\}?|\^\{-\\top\}|\^\{-T\}|\\inv\b", "inverse"),
    (r"\^\\top|\^\{\\top\}|\^T\b|\^\{T\}", "transpose"),
    (r"\\\||\\Vert|\\lVert", "norm"),
    (r"_F\b|_\{F\}", "Frobenius"),
    (r"\\log\b|\\ln\b", "logarithm"),
    (r"\\exp\b|e\^", "exponential"),
    (r"\\sin\b", "sine"),
    (r"\\cos\b", "cosine"),
    (r"\\tanh\b", "tanh"),
    (r"\\sigma\b|\\operatorname\{sigmoid\}", "sigmoid"),
    (r"softmax", "softmax"),
    (r"\\otimes", "Kronecker product"),
    (r"\\odot|\\circ", "Hadamard product"),
    (r"\\operatorname\{vec\}", "vectorization"),
    (r"\\operatorname\{diag\}|\\diag\b", "diagonal"),
    (r"\\sum\b", "sum"),
    (r"\\max\b|\\min\b", "max/min"),
    (r"\\sqrt", "square root"),
    (r"\\operatorname\{adj\}", "adjugate"),
    (r"\\lambda", "eigenvalue"),
)
KIND_WORDS = {"hessian": "Hessian", "jvp": "Jacobian-vector product (JVP)", "vjp": "vector-Jacobian product (VJP)"}


# --- text helpers ------------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\*_$<>\[\]|{}#`~])")


def md_text(text: str) -> str:
    """Plain text for MyST: markdown, math and HTML characters escaped, `code spans` kept as code."""
    parts = re.split(r"(`[^`\n]+`)", text)
    return "".join(p if i % 2 else _MD_SPECIAL.sub(r"\\\1", p) for i, p in enumerate(parts))


def tex_cell(tex: str) -> str:
    """TeX that is safe inside a Markdown table cell: no ``|`` (it would split the cell)."""
    return tex.replace(r"\|", r"\Vert ").replace("|", r"\vert ")


def one_line(tex: str) -> str:
    return " ".join(tex.split())


def dims_text(dims: Sequence[str]) -> str:
    return "scalar" if not dims else "×".join(dims)


def label(ident_id: str) -> str:
    """The docutils name of an identity's section (docutils lower-cases names)."""
    return ident_id.lower()


def ref_slug(ref: str) -> str:
    return "ref-" + re.sub(r"[^a-z0-9]+", "-", ref.lower()).strip("-")


def wiki_anchor(row: str) -> str:
    return "w-" + hashlib.sha1(row.encode()).hexdigest()[:10]


def keywords(ident: Identity) -> list[str]:
    """Expression words for search ("determinant", "trace", ...), from the identity's TeX and kind."""
    tex = " ".join((ident.tex.f, ident.tex.where))
    words = [word for pattern, word in KEYWORDS if re.search(pattern, tex)]
    if ident.kind in KIND_WORDS:
        words.append(KIND_WORDS[ident.kind])
    for s in ident.requires.values():
        words.append(s.name)
    return list(dict.fromkeys(words))


def mc_numbers(ident: Identity) -> list[int]:
    """The Matrix Cookbook equation numbers the identity cites (ranges expanded, as coverage counts)."""
    from .coverage import mc_cited

    return sorted(n for n, ids in mc_cited().items() if ident.id in ids)


def search_keys(ident: Identity) -> list[str]:
    """Index entries of one identity: id, name, aliases, expression words, reference numbers."""
    keys = [ident.id, ident.name, *ident.aliases, *keywords(ident)]
    for n in mc_numbers(ident):
        keys += [f"MC({n})", f"MC ({n})", f"MC{n}", str(n), f"Cookbook ({n})"]
    for s in ident.sources:
        if s.ref not in ("MC",):
            keys.append(f"{s.ref} {s.loc}")
    return list(dict.fromkeys(k for k in keys if k.strip()))


# --- symbolic shapes ---------------------------------------------------------------------------------------
def _symbolic(values: Sequence[tuple[int, ...]], assignments: Sequence[Mapping[str, int]]) -> tuple[str, ...]:
    """Map concrete shapes (one per size assignment) back to dimension names where they agree."""
    out = []
    for k in range(len(values[0])):
        got = [v[k] for v in values]
        names = [d for d in assignments[0] if all(a.get(d) == g for a, g in zip(assignments, got, strict=True))]
        if names:
            out.append(names[0])
            continue
        prods = [
            f"{d}{e}"
            for d in assignments[0]
            for e in assignments[0]
            if all(a[d] * a[e] == g for a, g in zip(assignments, got, strict=True))
        ]
        if prods and len(assignments) > 1:
            out.append(prods[0])
        else:
            out.append(str(got[0]))
    return tuple(out)


def shapes(ident: Identity) -> dict[str, Any]:
    """Shapes in dimension names: arguments, output, derivative in JAX/numerator/denominator layout."""
    from .layout import layout_shape

    assignments = ident.size_assignments()
    outs, nums, dens = [], [], []
    for sizes in assignments:
        win = ident.arg_shapes(sizes)[ident.wrt]
        out = ident.out_shape(sizes)
        if ident.kind == "hessian":
            d_out, d_in = win, win
        else:
            d_out, d_in = out, win
        outs.append(out)
        nums.append(layout_shape(d_out, d_in, "numerator"))
        dens.append(layout_shape(d_out, d_in, "denominator"))
    result: dict[str, Any] = {
        "args": {a: dims_text(parse_shape(ident.shapes[a])) for a in ident.argnames},
        "output": dims_text(_symbolic(outs, assignments)),
    }
    if ident.kind in ("jacobian", "hessian"):
        result["numerator"] = dims_text(_symbolic(nums, assignments))
        result["denominator"] = dims_text(_symbolic(dens, assignments))
    elif ident.kind == "jvp":
        result["jvp"] = result["output"]
    else:
        result["vjp"] = result["args"][ident.wrt]
    return result


# --- verification at build time, cached --------------------------------------------------------------------
def _package_files() -> list[Path]:
    """Every source file of the package: families import helpers from each other (by_scalar, differentials,
    det and inverse do), and the engine is spread over many modules, so any of them can change a report."""
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@functools.cache
def _digest(root: Path, stamp: tuple[tuple[str, int, int], ...]) -> str:
    h = hashlib.sha256()
    for name, _, _ in stamp:
        h.update(name.encode())
        h.update((root / name).read_bytes())
    return h.hexdigest()


def package_digest() -> str:
    """A hash of every file of the package (re-read only when a file's size or modification time changes)."""
    stamp = tuple((str(p.relative_to(PACKAGE)), p.stat().st_mtime_ns, p.stat().st_size) for p in _package_files())
    return _digest(PACKAGE, stamp)


def cache_key(ident: Identity, examples: int, sizes: int, seed: int) -> str:
    """A hash of everything the identity's report depends on: its id and the run's settings, the whole
    package's source, and the versions of Python, JAX, jaxlib and NumPy."""
    import jax
    import jaxlib

    h = hashlib.sha256()
    h.update(
        f"{ident.id}|{examples}|{sizes}|{seed}|python {sys.version}|jax {jax.__version__}|"
        f"jaxlib {jaxlib.__version__}|numpy {np.__version__}|{package_digest()}".encode()
    )
    return h.hexdigest()[:20]


def _example_text(value: Any) -> str:
    """An example's array as text; a complex one keeps its imaginary part."""
    a = np.asarray(value)
    a = a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)
    return np.array2string(a, precision=4, suppress_small=True, max_line_width=100, threshold=64, edgeitems=3)


def use_compilation_cache(path: Path) -> None:
    """JAX's persistent compilation cache in ``path``: a re-verification after an edit that leaves the
    compiled programs alone (a note, a source, the engine's messages) skips XLA compilation."""
    import jax

    if not jax.config.jax_compilation_cache_dir:  # JAX_COMPILATION_CACHE_DIR, when set, wins (CI shares it)
        jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def verify_records(
    ident_ids: Sequence[str],
    examples: int = VERIFY_EXAMPLES,
    sizes: int = VERIFY_SIZES,
    seed: int = VERIFY_SEED,
    jax_cache: str | None = None,
) -> list[dict[str, Any]]:
    """Verify identities (one family) together and compute their numeric examples (run in a worker)."""
    from .__main__ import example_inputs
    from ._core import get
    from .layout import from_jax
    from .verify import verify_batch

    if jax_cache:
        use_compilation_cache(Path(jax_cache))
    idents = [get(i) for i in ident_ids]
    drawn: dict[str, Any] = {}
    for ident in idents:  # the inputs `python -m identities show` draws
        try:
            drawn[ident.id] = example_inputs(ident)
        except Exception as e:
            drawn[ident.id] = e
    inputs = {k: (v[1], v[2]) for k, v in drawn.items() if not isinstance(v, Exception)}
    reports, closed = verify_batch(idents, examples=examples, seed=seed, max_sizes=sizes, closed_inputs=inputs)
    records = []
    for ident, report in zip(idents, reports, strict=True):
        example: dict[str, Any] = {}
        try:  # the closed form at those inputs, computed by the verification program
            got = drawn[ident.id]
            if isinstance(got, Exception):
                raise got
            value = closed[ident.id]
            if isinstance(value, Exception):
                raise value
            example["sizes"], args, _ = got
            example["inputs"] = {a: _example_text(np.round(v, 4)) for a, v in args.items()}
            d = np.round(value, 4)  # once, in JAX layout; the layouts rearrange it
            if ident.kind in ("jacobian", "hessian"):
                win = len(ident.arg_shapes(example["sizes"])[ident.wrt])
                p = win if ident.kind == "hessian" else len(ident.out_shape(example["sizes"]))
                for lay in ("numerator", "denominator"):
                    example[lay] = _example_text(from_jax(d, (p, win), lay))
            else:
                example["jax"] = _example_text(d)
        except Exception as e:  # the report says the identity failed; the page shows why
            example = {"error": f"{type(e).__name__}: {e}"}
        records.append({"report": report.to_dict(), "example": example, "params": [examples, sizes, seed]})
    return records


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


@dataclass
class VerifyStats:
    cached: int = 0
    run: int = 0
    seconds: float = 0.0
    jobs: int = 1


def verification(
    idents: Sequence[Identity],
    cache_dir: Path | None,
    examples: int = VERIFY_EXAMPLES,
    sizes: int = VERIFY_SIZES,
    seed: int = VERIFY_SEED,
    jobs: int | None = None,
    log: Callable[[str], None] = lambda s: None,
    progress: Progress | None = None,
) -> tuple[dict[str, dict[str, Any]], VerifyStats]:
    """Reports for ``idents``: from the cache where the key matches, else verified a family at a time in
    worker processes (:mod:`identities.parallel`, as ``python -m identities verify`` does); ``progress`` is
    told as each family finishes."""
    from .parallel import costliest_first, family_groups, job_count, run_groups, worker_pool

    t0 = time.perf_counter()
    stats = VerifyStats()
    records: dict[str, dict[str, Any]] = {}
    todo: list[tuple[Identity, Path | None]] = []
    for ident in idents:
        path = None
        if cache_dir is not None:
            path = cache_dir / "verify" / f"{ident.id}.{cache_key(ident, examples, sizes, seed)}.json"
            if path.exists():
                try:
                    records[ident.id] = json.loads(path.read_text(encoding="utf-8"))
                    stats.cached += 1
                    continue
                except (OSError, ValueError):
                    pass  # a damaged entry is recomputed
        todo.append((ident, path))
    # one task per family (its identities share compiled programs), the largest first
    paths = {ident.id: path for ident, path in todo}
    groups = family_groups(ident for ident, _ in todo)
    n_jobs = job_count(jobs, groups)
    stats.jobs = n_jobs
    if todo:
        log(f"verifying {len(todo)} identities ({stats.cached} cached) in {len(groups)} families, {n_jobs} process(es)")
    if progress is not None:  # the cached ones are done already
        for ident in idents:
            if ident.id in records:
                progress.done(ident.family, 1, int(not records[ident.id]["report"]["ok"]))

    def store(k: int, recs: list[dict[str, Any]]) -> None:
        for ident, rec in zip(groups[k], recs, strict=True):
            records[ident.id] = rec
            stats.run += 1
            path = paths[ident.id]
            if path is not None:
                for old in path.parent.glob(f"{ident.id}.*.json"):  # stale keys of the same identity
                    if old != path:
                        old.unlink(missing_ok=True)
                _atomic_write(path, json.dumps(rec))
        if progress is not None:
            progress.done(groups[k][0].family, len(recs), sum(not r["report"]["ok"] for r in recs))

    jax_cache = str(cache_dir / "jax") if cache_dir is not None else None
    with worker_pool(n_jobs, "identities.docsgen") as pool:
        groups = costliest_first(groups)
        ids = [[i.id for i in g] for g in groups]
        run_groups(verify_records, ids, (examples, sizes, seed, jax_cache), on_result=store, pool=pool)
    stats.seconds = time.perf_counter() - t0
    return records, stats


# --- pages -------------------------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return "∞" if x == float("inf") else f"{x:.1e}"


def _ref_link(ident: Identity) -> str:
    return f"{{ref}}`{ident.id} <{label(ident.id)}>`"


def _source_line(s: Source) -> str:
    title = REFERENCES.get(s.ref, s.ref)
    loc = md_text(s.loc)
    if s.ref == "MC":
        nums = _mc_loc_numbers(s.loc)
        if nums:
            loc = ", ".join(f'<a href="{ref_slug("MC")}.html#mc-{n}">({n})</a>' for n in nums)
    elif s.ref == "W":
        loc = f'<a href="{ref_slug("W")}.html#{wiki_anchor(s.loc)}">{md_text(s.loc)}</a>'
    else:
        loc = f'<a href="{ref_slug(s.ref)}.html">{md_text(s.loc)}</a>'
    line = f"**{md_text(s.ref)}** {loc}: {md_text(title)}"
    if s.edition:
        line += f"; edition {md_text(s.edition)}"
    if s.note:
        line += f" ({md_text(s.note)})"
    return line


def _mc_loc_numbers(loc: str) -> list[int]:
    out: list[int] = []
    for part in loc.strip("()").replace("–", "-").split(","):
        part = part.strip()
        if re.fullmatch(r"\d+-\d+", part):
            lo, hi = (int(p) for p in part.split("-"))
            out += list(range(lo, hi + 1))
        elif part.isdigit():
            out.append(int(part))
    return out


def _linkify_docs(text: str, docs_dir: Path | None) -> str:
    """Escaped note text with ``docs/<page>.md`` mentions turned into links to pages that exist."""
    escaped = md_text(" ".join(text.split()))  # one list item: paragraphs of a note are joined
    if docs_dir is None:
        return escaped

    def repl(m: re.Match[str]) -> str:
        name = m.group(1).replace("\\", "")
        return f"[{m.group(0)}](../{name}.md)" if (docs_dir / f"{name}.md").exists() else m.group(0)

    return re.sub(r"docs/([\w\\-]+)\.md", repl, escaped)


def _lhs(ident: Identity) -> str:
    return ident.tex.lhs(ident.wrt, ident.kind)


def identity_section(
    ident: Identity, record: Mapping[str, Any] | None, mentions: Sequence[tuple[str, str]] = (), docs_dir=None
) -> str:
    """The MyST section of one identity (anchor = its id)."""
    sh = shapes(ident)
    t = ident.tex
    w = t.wrt or ident.wrt
    out = [f"({label(ident.id)})=", f"## {ident.id}", ""]
    out += ["```{identity-index} " + ident.id, *search_keys(ident), "```", ""]
    kw = keywords(ident)
    status = _status_badge(record)
    out.append(f"{status} {ident.kind}" + (f" · {md_text(', '.join(kw))}" if kw else ""))
    out.append("")
    where = f", where ${one_line(t.where)}$" if t.where else ""
    out.append(f"**Function** ${one_line(t.f)}${where}; derivative with respect to ${w}$ ({sh['args'][ident.wrt]}).")
    out.append("")
    out += [_find_line(ident), ""]
    lhs = _lhs(ident)
    if ident.kind in ("jacobian", "hessian"):
        for lay, tex in (("numerator", t.num), ("denominator", t.den)):
            out += [
                "```{container} layout-" + lay,
                f"**{lay.capitalize()} layout** ({sh[lay]}):",
                "",
                "$$",
                f"{one_line(lhs)} = {one_line(tex)}",
                "$$",
                "```",
                "",
            ]
    else:
        what = "JVP (the derivative applied to a tangent)" if ident.kind == "jvp" else "VJP (a cotangent pulled back)"
        for lay, tex in (("numerator", t.num), ("denominator", t.den)):
            out += [
                "```{container} layout-" + lay,
                f"**{lay.capitalize()} layout**, {what}, layout-free ({sh[ident.kind]}):",
                "",
                "$$",
                f"{one_line(lhs)} = {one_line(tex)}",
                "$$",
                "```",
                "",
            ]
    # shapes and preconditions
    out += ["| argument | shape | precondition |", "| --- | --- | --- |"]
    for a in ident.argnames:
        s = ident.requires.get(a)
        role = " (variable)" if a == ident.wrt else ""
        out.append(f"| `{a}`{role} | {sh['args'][a]} | {md_text(f'{a} {s.description}') if s else 'none'} |")
    out.append(f"| output | {sh['output']} | |")
    out.append("")
    pre = [md_text(j.description) for j in ident.joint]
    pre += [
        md_text(f"{a} {s.description} for autodiff of f as written (the identity holds beyond it)")
        for a, s in ident.autodiff_requires.items()
    ]
    if pre:
        out += ["**Joint preconditions**: " + "; ".join(pre) + ".", ""]
    # sources
    out += ["**Sources**", ""] + [f"- {_source_line(s)}" for s in ident.sources] + [""]
    # verification
    out += _verification_md(ident, record)
    # example
    out += _example_md(ident, record)
    # notes
    notes = []
    if ident.convention == "sym":
        notes.append(
            "Convention `sym`: the closed form is the symmetric part of the unstructured derivative, "
            "(G + Gᵀ)/2, the gradient for the Frobenius inner product on symmetric matrices ([Layouts](../layouts.md))."
        )
    if ident.notes:
        notes.append(_linkify_docs(ident.notes, docs_dir))
    for ex in ident.examples:
        line = f"Known answer ({md_text(str(ex.source))}): at {md_text(_args_text(ex.args))} the derivative is {md_text(_example_text(ex.value))}"
        if ex.claimed is not None:
            line += (
                f"; the source printed {md_text(_example_text(ex.claimed))} (an erratum, see [Errata](../errata.md))"
            )
        notes.append(line + ".")
    for sp in ident.special:
        notes.append(f"Special point {md_text(sp.label)}: {md_text(sp.math)}.")
    if ident.aliases:
        notes.append("Also found as " + ", ".join(f"`{a}`" for a in ident.aliases) + ".")
    if mentions:
        notes.append("Discussed in " + ", ".join(f"[{md_text(title)}](../{doc}.md)" for doc, title in mentions) + ".")
    notes.append(f"On the command line: `python -m identities show {ident.id}`.")
    out += ["**Notes**", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(out)


def _find_line(ident: Identity) -> str:
    """How to find the identity by its formula: its declared EXPR as a command, or why EXPR cannot state it."""
    from .find import UNSTATABLE, command

    if ident.find:
        return f"**Find it** by its formula ([how](../find.md)): `{command(ident)}`"
    return (
        f"**Find it**: EXPR cannot state this function ({md_text(UNSTATABLE.get(ident.id, 'no expression declared'))})."
    )


def _args_text(args: Mapping[str, Any]) -> str:
    return ", ".join(f"{a} = {_example_text(v)}" for a, v in args.items())


def _status_badge(record: Mapping[str, Any] | None) -> str:
    if record is None:
        return '<span class="status">not verified</span>'
    if record["report"]["ok"]:
        return '<span class="status verified">verified</span>'
    return '<span class="status failed">FAILED</span>'


def _verification_md(ident: Identity, record: Mapping[str, Any] | None) -> list[str]:
    if record is None:
        return ["**Verification**: not run for this build.", ""]
    r = record["report"]
    examples, sizes, seed = record["params"]
    size_text = "; ".join(", ".join(f"{k}={v}" for k, v in s.items()) or "fixed shapes" for s in r["sizes"])
    head = (
        f"**Verification** at build time: {'passed' if r['ok'] else 'FAILED'}, {len(r['checks'])} checks on "
        f"{r['examples']} random valid input(s) (sizes {size_text}), "
        f"`verify(id, examples={examples}, seed={seed}, max_sizes={sizes})`; "
        + (
            f"{r['seconds']:.2f} s."
            if r.get("batch", 1) == 1
            else f"one compiled program with the rest of its family, {r['batch']} identities in {r['seconds']:.2f} s."
        )
    )
    out = [head, ""]
    if r["checks"]:
        out += ["| check | result | max abs error | max rel error | tolerance |", "| --- | --- | --- | --- | --- |"]
        for c in r["checks"].values():
            out.append(
                f"| {md_text(c['check'])} | {'passed' if c['ok'] else 'FAILED'} | {_fmt(c['max_abs_error'])} "
                f"| {_fmt(c['max_rel_error'])} | {_fmt(c['tol'])} |"
            )
        out.append("")
    if r["error"]:
        out += [f"Error: {md_text(r['error'])}", ""]
    return out


def _example_md(ident: Identity, record: Mapping[str, Any] | None) -> list[str]:
    if record is None or not record.get("example") or "error" in record["example"]:
        return []
    ex = record["example"]
    sizes = ", ".join(f"{k}={v}" for k, v in ex.get("sizes", {}).items())
    lines = [
        f"**Example** (sizes {sizes or 'fixed'}; random valid inputs, seed 0, rounded to 4 digits):",
        "",
        "```text",
    ]
    for a, v in ex["inputs"].items():
        lines.append(f"{a} =\n{v}")
    for lay in ("numerator", "denominator", "jax"):
        if lay in ex:
            name = {"jax": f"{ident.kind} (tangent/cotangent drawn at random)"}.get(lay, f"{lay} layout")
            lines.append(f"derivative, {name} =\n{ex[lay]}")
    lines += ["```", ""]
    return lines


def family_doc(family: str) -> str:
    mod = sys.modules.get(f"identities.families.{family}")
    return (mod.__doc__ or "").strip() if mod else ""


def family_page(family: str, idents: Sequence[Identity], records, mentions, docs_dir=None) -> str:
    doc = family_doc(family)
    head = [f"# {family}", ""]
    if doc:
        head += [md_text(doc.split("\n\n")[0].replace("\n", " ")), ""]
    head += [f"{len(idents)} identities: " + ", ".join(f"[{i.id}](#{label(i.id)})" for i in idents) + ".", ""]
    body = [identity_section(i, records.get(i.id), mentions.get(i.id, ()), docs_dir) for i in idents]
    return "\n".join(head + body)


def index_page(idents: Sequence[Identity], records, families: Sequence[str]) -> str:
    ok = sum(1 for i in idents if records.get(i.id, {}).get("report", {}).get("ok"))
    out = [
        "# Catalog",
        "",
        f"Every identity of the registry: {len(idents)} identities in {len(families)} families, "
        f"{ok} verified at this build. The derivative is shown in numerator layout; each entry has both.",
        "",
        "```{toctree}",
        ":maxdepth: 1",
        ":caption: Families",
        "",
        *families,
        "```",
        "",
        "| id | function | derivative (numerator layout) | sources | verified |",
        "| --- | --- | --- | --- | --- |",
    ]
    for i in idents:
        rec = records.get(i.id)
        if rec is None:
            st = "not run"
        else:
            r = rec["report"]
            worst = max((c["max_abs_error"] for c in r["checks"].values()), default=0.0)
            st = f"✓ {_fmt(worst)}" if r["ok"] else "FAILED"
        srcs = "; ".join(md_text(f"{s.ref} {s.loc}" if s.ref in ("MC", "MML", "G08") else s.ref) for s in i.sources)
        out.append(
            f"| [{i.id}]({i.family}.md#{label(i.id)}) | ${tex_cell(one_line(i.tex.f))}$ "
            f"| ${tex_cell(one_line(i.tex.num))}$ | {srcs} | {st} |"
        )
    out.append("")
    return "\n".join(out)


def _id_links(ids: Iterable[str], by_id: Mapping[str, Identity]) -> str:
    return ", ".join(f"[{i}]({by_id[i].family}.md#{label(i)})" for i in dict.fromkeys(ids))


def mc_page(idents: Sequence[Identity]) -> str:
    from .coverage import MC_CHAPTER2, MC_CHAPTER4, MC_CHAPTER4_OUT_OF_SCOPE, mc_cited
    from .coverage import MC_OUT_OF_SCOPE as OUT_CH2

    by_id = {i.id: i for i in idents}
    cited = mc_cited()
    MC_OUT_OF_SCOPE = {**OUT_CH2, **MC_CHAPTER4_OUT_OF_SCOPE}
    nums = sorted(set(MC_CHAPTER2) | set(MC_CHAPTER4) | set(cited) | set(MC_OUT_OF_SCOPE))
    n4 = sum(1 for n in MC_CHAPTER4 if n in cited)
    n_cov = sum(1 for n in MC_CHAPTER2 if n in cited)
    n_out = sum(1 for n in MC_CHAPTER2 if n not in cited and n in MC_OUT_OF_SCOPE)
    out = [
        "# Matrix Cookbook",
        "",
        f"{md_text(REFERENCES['MC'])}. Equation number → identity. Of chapter 2, "
        f"({MC_CHAPTER2.start})–({MC_CHAPTER2.stop - 1}): {n_cov} cited by an identity, {n_out} out of scope "
        f"(with the reason), {len(MC_CHAPTER2) - n_cov - n_out} not covered yet (`identities.coverage`). Of chapter 4 "
        f"(complex matrices), ({MC_CHAPTER4.start})–({MC_CHAPTER4.stop - 1}): {n4} cited, "
        f"{len(MC_CHAPTER4) - n4} listed with the reason.",
        "",
        "| eq. | identities | status |",
        "| --- | --- | --- |",
    ]
    for n in nums:
        if n in cited:
            ids, status = _id_links(cited[n], by_id), "cited"
        elif n in MC_OUT_OF_SCOPE:
            ids, status = "", "out of scope: " + md_text(MC_OUT_OF_SCOPE[n])
        else:
            ids, status = "", "not covered yet"
        out.append(f'| <span id="mc-{n}"></span>MC ({n}) | {ids} | {status} |')
    out.append("")
    return "\n".join(out)


def wiki_page(idents: Sequence[Identity]) -> str:
    from .coverage import WIKI_OUT_OF_SCOPE, WIKI_ROWS, wiki_cited

    by_id = {i.id: i for i in idents}
    cited = wiki_cited()
    rows = list(dict.fromkeys([*WIKI_ROWS, *cited]))
    out = [
        "# Wikipedia",
        "",
        f"{md_text(REFERENCES['W'])}: row → identity. A row is `<table>: <left-hand side>`, as the identity "
        "cites it. Wikipedia gives both layouts; each entry here has both.",
        "",
        "| row | identities | status |",
        "| --- | --- | --- |",
    ]
    for row in rows:
        if row in cited:
            ids, status = _id_links(cited[row], by_id), "cited"
        elif row in WIKI_OUT_OF_SCOPE:
            ids, status = "", "out of scope: " + md_text(WIKI_OUT_OF_SCOPE[row])
        else:
            ids, status = "", "not covered yet"
        out.append(f'| <span id="{wiki_anchor(row)}"></span>{md_text(row)} | {ids} | {status} |')
    out.append("")
    return "\n".join(out)


def other_ref_page(ref: str, idents: Sequence[Identity]) -> str:
    by_loc: dict[str, list[str]] = {}
    for i in idents:
        for s in i.sources:
            if s.ref == ref:
                by_loc.setdefault(s.loc, []).append(i.id)
    by_id = {i.id: i for i in idents}
    out = [f"# {md_text(ref)}", "", md_text(REFERENCES.get(ref, ref)) + ". Location → identity.", ""]
    out += ["| location | identities |", "| --- | --- |"]
    out += [f"| {md_text(loc)} | {_id_links(ids, by_id)} |" for loc, ids in by_loc.items()]
    out.append("")
    return "\n".join(out)


def cited_refs(idents: Sequence[Identity]) -> list[str]:
    refs = {"MC", "W"} | {s.ref for i in idents for s in i.sources}
    order = list(REFERENCES)
    return sorted(refs, key=lambda r: (order.index(r) if r in order else len(order), r))


def references_page(idents: Sequence[Identity]) -> str:
    refs = cited_refs(idents)
    counts = {r: len({i.id for i in idents for s in i.sources if s.ref == r}) for r in refs}
    out = ["# References", "", "Each reference the catalog cites, with the identities citing it.", ""]
    out += ["```{toctree}", ":maxdepth: 1", "", *[ref_slug(r) for r in refs], "```", ""]
    out += ["| reference | title | identities |", "| --- | --- | --- |"]
    out += [f"| [{md_text(r)}]({ref_slug(r)}.md) | {md_text(REFERENCES.get(r, r))} | {counts[r]} |" for r in refs]
    out.append("")
    return "\n".join(out)


def mentions_in(docs_dir: Path, ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """Identity id -> hand-written pages (docname, title) that name it in `code`."""
    out: dict[str, list[tuple[str, str]]] = {}
    ids = set(ids)
    for page in sorted(docs_dir.glob("*.md")):
        if page.stem == "index":
            continue
        text = page.read_text(encoding="utf-8")
        m = re.search(r"^#\s+(.+)$", text, re.M)
        title = m.group(1).strip() if m else page.stem
        for found in dict.fromkeys(re.findall(r"`([A-Za-z_][\w]*\.[A-Za-z_]\w*)[`:]", text)):
            if found in ids:
                out.setdefault(found, []).append((page.stem, title))
    return out


def pages(idents: Sequence[Identity], records: Mapping[str, Any], docs_dir: Path | None = None) -> dict[str, str]:
    """Relative path (under docs/catalog/) -> content, for every generated page."""
    families = list(dict.fromkeys(i.family for i in idents))
    mentions = mentions_in(docs_dir, (i.id for i in idents)) if docs_dir else {}
    labels: dict[str, str] = {}
    for i in idents:
        if label(i.id) in labels:
            raise ValueError(f"identity ids {labels[label(i.id)]!r} and {i.id!r} differ only in case")
        labels[label(i.id)] = i.id
    out = {"index.md": index_page(idents, records, families), "references.md": references_page(idents)}
    for fam in families:
        out[f"{fam}.md"] = family_page(fam, [i for i in idents if i.family == fam], records, mentions, docs_dir)
    for ref in cited_refs(idents):
        if ref == "MC":
            out[f"{ref_slug(ref)}.md"] = mc_page(idents)
        elif ref == "W":
            out[f"{ref_slug(ref)}.md"] = wiki_page(idents)
        else:
            out[f"{ref_slug(ref)}.md"] = other_ref_page(ref, idents)
    out["anchors.json"] = json.dumps(labels, indent=0, sort_keys=True)
    return out


def write_pages(outdir: Path, content: Mapping[str, str]) -> list[str]:
    """Write pages whose content changed (so Sphinx rebuilds only those); delete stale ones."""
    outdir.mkdir(parents=True, exist_ok=True)
    changed = []
    for rel, text in content.items():
        path = outdir / rel
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            _atomic_write(path, text)
            changed.append(rel)
    for path in outdir.iterdir():
        if path.is_file() and path.name not in content:
            path.unlink()
            changed.append(path.name)
    return changed


# --- the built site: strict checks -------------------------------------------------------------------------
class _Page(HTMLParser):
    """Ids, links and the math inside each identity section of one HTML page."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    )

    def __init__(self, ident_ids: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.ident_ids = ident_ids
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.stack: list[tuple[str, str | None, str]] = []  # (tag, id, class)
        self.layout_math: dict[str, set[str]] = {}  # identity id -> layouts with rendered math
        self.math_errors = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.links.append((tag, a[key]))
        cls = a.get("class") or ""
        if "math-error" in cls:
            self.math_errors += 1
        if tag == "math":
            section = next((i for t, i, _ in reversed(self.stack) if t == "section" and i in self.ident_ids), None)
            lay = next((c for _, _, c in reversed(self.stack) if "layout-" in c), None)
            if section and lay:
                which = re.search(r"layout-(numerator|denominator)", lay)
                if which:
                    self.layout_math.setdefault(section, set()).add(which.group(1))
        if tag not in self.VOID:
            self.stack.append((tag, a.get("id"), cls))

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])

    def handle_endtag(self, tag):
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                return


def check_site(site: Path, idents: Sequence[Identity]) -> list[str]:
    """Problems in the built site: broken links or anchors, remote resources, identities missing."""
    ident_ids = {i.id for i in idents}
    parsed: dict[Path, _Page] = {}
    for path in sorted(site.rglob("*.html")):
        p = _Page(ident_ids)
        p.feed(path.read_text(encoding="utf-8"))
        parsed[path.resolve()] = p
    problems = []
    targets: dict[tuple[Path, str], tuple[Path, bool]] = {}
    for path, page in parsed.items():
        rel = path.relative_to(site.resolve())
        if page.math_errors:
            problems.append(f"{rel}: {page.math_errors} math error node(s)")
        for tag, url in page.links:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") or url.startswith("//"):
                if tag != "a":
                    problems.append(f"{rel}: <{tag}> loads {url} from the network")
                continue
            if parts.scheme in ("mailto", "data", "javascript") or parts.scheme:
                continue
            target, exists = path, True
            if parts.path:
                key = (path.parent, unquote(parts.path))
                if key not in targets:  # thousands of links share a few targets: resolve each once
                    t = (path.parent / key[1]).resolve()
                    t = t / "index.html" if t.is_dir() else t
                    targets[key] = (t, t.exists())
                target, exists = targets[key]
            if not exists:
                problems.append(f"{rel}: broken link {url}")
                continue
            frag = unquote(parts.fragment)
            if frag and target.suffix == ".html":
                tpage = parsed.get(target)
                if tpage is not None and frag not in tpage.ids:
                    problems.append(f"{rel}: missing anchor {url}")
    problems += _check_search_index(site, idents)
    for ident in idents:
        page = parsed.get((site / CATALOG_DIR / f"{ident.family}.html").resolve())
        if page is None or ident.id not in page.ids:
            problems.append(f"identity {ident.id}: no anchor #{ident.id} in {CATALOG_DIR}/{ident.family}.html")
            continue
        missing = {"numerator", "denominator"} - page.layout_math.get(ident.id, set())
        if missing:
            problems.append(f"identity {ident.id}: no rendered math for the {' and '.join(sorted(missing))} layout")
    return problems


def _check_search_index(site: Path, idents: Sequence[Identity]) -> list[str]:
    """Every identity is in the search index under its id, pointing at its anchor."""
    path = site / "searchindex.js"
    if not path.exists():
        return ["searchindex.js is missing"]
    text = path.read_text(encoding="utf-8")
    data = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    entries = data.get("indexentries", {})
    docs = data["docnames"]
    return [
        f"identity {i.id}: not in the search index"
        for i in idents
        if not any(docs[f] == f"{CATALOG_DIR}/{i.family}" and a == i.id for f, a, _ in entries.get(i.id.lower(), []))
    ]


# --- the whole build ---------------------------------------------------------------------------------------
class DocsBuildError(RuntimeError):
    """The site did not build strictly; the message lists every problem."""


@dataclass
class BuildResult:
    site: Path
    seconds: dict[str, float] = field(default_factory=dict)
    verify: VerifyStats = field(default_factory=VerifyStats)
    identities: int = 0
    pages_changed: int = 0
    problems: list[str] = field(default_factory=list)


def _remove_stale_html(source: Path, out: Path) -> None:
    """Delete output pages whose source page is gone (Sphinx leaves them; the checks would read them)."""
    if not out.exists():
        return
    for page in out.rglob("*.html"):
        rel = page.relative_to(out)
        if rel.parts[0].startswith("_") or rel.with_suffix("").as_posix() in ("genindex", "search", "py-modindex"):
            continue
        if not any((source / rel).with_suffix(ext).exists() for ext in (".md", ".rst")):
            page.unlink()


def build(
    source: Path | None = None,
    out: Path | None = None,
    cache: Path | None = None,
    *,
    strict: bool = True,
    verify: bool = True,
    examples: int = VERIFY_EXAMPLES,
    sizes: int = VERIFY_SIZES,
    jobs: int | None = None,
    log: Callable[[str], None] = lambda s: None,
    progress: Progress | None = None,
) -> BuildResult:
    """Verify, generate, run Sphinx, check. Raises :class:`DocsBuildError` when strict and anything fails.
    ``verify=False`` skips what evaluates identities: verify's checks and find's coverage."""
    source = Path(source or ROOT / "docs").resolve()
    out = Path(out or ROOT / "_site").resolve()
    cache = Path(cache or ROOT / ".docs_cache").resolve()
    if not (source / "conf.py").exists():
        raise DocsBuildError(f"{source} has no conf.py: run from a checkout of the project")
    result = BuildResult(out)
    t0 = time.perf_counter()
    idents = catalog()
    result.identities = len(idents)
    records: dict[str, Any] = {}
    if verify:
        records, result.verify = verification(idents, cache, examples, sizes, VERIFY_SEED, jobs, log, progress)
    if progress is not None:  # verification is the long part; Sphinx prints its own warnings
        progress.close()
    t1 = time.perf_counter()
    changed = write_pages(source / CATALOG_DIR, pages(idents, records, source))
    result.pages_changed = len(changed)
    t2 = time.perf_counter()
    failed = [i for i, r in records.items() if not r["report"]["ok"]]
    _remove_stale_html(source, out)
    try:
        from sphinx.cmd.build import build_main
    except ImportError as e:
        raise DocsBuildError(f"{e}: install the docs extra, pip install -e '.[docs]'") from e

    # Sphinx keeps its environment across builds but not across changes to our extensions: key it on them
    ext = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((source / "_ext").glob("*")) if p.is_file()))
    doctrees = cache / f"doctrees-{ext.hexdigest()[:12]}"
    for old in cache.glob("doctrees*"):
        if old != doctrees and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    # Parallel reading (Sphinx forks chunks of pages; writing stays about as fast as serial): one chunk more
    # than CPUs, since the main process only merges. On 2 CPUs: 11.2-11.8 s with -j 3, 15.5 s with -j 1.
    cpus = os.cpu_count() or 1
    args = ["-b", "html", "-q", "-j", str(cpus + 1 if cpus > 1 else 1), "-d", str(doctrees), str(source), str(out)]
    if strict:
        args[:0] = ["-W", "--keep-going"]
    code = build_main(args)
    t3 = time.perf_counter()
    problems = [] if code == 0 else [f"sphinx-build exited with {code} (warnings above)"]
    problems += check_site(out, idents) if out.exists() else [f"{out} was not written"]
    problems += [f"identity {i}: verification failed at build time (see its page)" for i in failed]
    # the matcher's coverage (issue 16): every identity found from its own f, every declared EXPR finds its
    # identity. It evaluates every identity against its candidates (8.4 s cold, one process): verification,
    # which a --no-verify build skips as it skips verify's (tests/test_find_coverage.py runs it).
    if verify:
        from .find import MIN_WITH_EXPR, coverage

        problems += [f"identities find: {p}" for p in coverage(idents).problems(MIN_WITH_EXPR)]
    t4 = time.perf_counter()
    result.problems = problems
    result.seconds = {"verify": t1 - t0, "generate": t2 - t1, "sphinx": t3 - t2, "check": t4 - t3, "total": t4 - t0}
    if problems and strict:
        raise DocsBuildError("\n".join(problems))
    return result
