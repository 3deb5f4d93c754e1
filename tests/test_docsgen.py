"""Fast tests of the site generator (identities/docsgen.py): pages, shapes, search keys, cache, checks.

The full build and the browser are tested in tests/test_docs_site.py.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from identities import catalog, get
from identities import docsgen as dg
from identities.coverage import mc_cited

ROOT = Path(__file__).resolve().parents[1]


def _needs(module: str):
    """Import ``module`` (the docs extra); skip without it on a dev machine, fail under CI."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is not installed; CI must install the docs extra: pip install -e '.[docs]'")
        pytest.skip(f"{module} is not installed (pip install -e '.[docs]')")


@pytest.fixture(scope="module")
def generated():
    return dg.pages(catalog(), {}, ROOT / "docs")


def _by_kind_and_ndims(kind: str, p: int, q: int):
    for i in catalog():
        if i.kind != kind:
            continue
        sizes = i.size_assignments()[0]
        if len(i.out_shape(sizes)) == p and len(i.arg_shapes(sizes)[i.wrt]) == q:
            return i
    pytest.skip(f"no {kind} identity with output ndim {p}, variable ndim {q} in the catalog")


def test_every_identity_has_its_labelled_section_in_its_family_page(generated):
    anchors = json.loads(generated["anchors.json"])
    for ident in catalog():
        page = generated[f"{ident.family}.md"]
        assert f"({ident.id.lower()})=\n## {ident.id}\n" in page, ident.id
        assert anchors[ident.id.lower()] == ident.id
        # both layouts, each in its own container with display math
        for lay in ("numerator", "denominator"):
            assert re.search(rf"```{{container}} layout-{lay}\n.*?\n\$\$\n.+?\n\$\$\n```", page, re.S), (ident.id, lay)


def test_index_lists_every_identity_and_every_family(generated):
    index = generated["index.md"]
    for ident in catalog():
        assert f"[{ident.id}]({ident.family}.md#{ident.id.lower()})" in index
    for fam in {i.family for i in catalog()}:
        assert f"\n{fam}\n" in index  # in the families toctree


def test_cookbook_page_maps_every_cited_number_to_its_identities(generated):
    page = generated[f"{dg.ref_slug('MC')}.md"]
    cited = mc_cited()
    assert cited, "the catalog cites no Cookbook equation"
    for n, ids in cited.items():
        row = next(line for line in page.splitlines() if f'<span id="mc-{n}"></span>' in line)
        for i in ids:
            assert f"[{i}](" in row, (n, i)


def test_every_generated_formula_is_valid_tex(generated):
    """The LaTeX check of the strict build, without Sphinx: every $..$ and $$..$$ converts."""
    math_core = _needs("math_core")
    conv = math_core.LatexToMathML(fancy_error=False)
    n = 0
    for name, text in generated.items():
        if not name.endswith(".md"):
            continue
        text = re.sub(r"```text\n.*?```", "", text, flags=re.S)  # examples are code
        for tex in re.findall(r"^\$\$\n(.+?)\n\$\$$", text, re.M | re.S):
            conv.convert_with_local_state(tex, displaystyle=True)
            n += 1
        for tex in re.findall(
            r"(?<![\\$])\$([^$\n]+?)\$(?!\$)", re.sub(r"^\$\$\n.+?\n\$\$$", "", text, flags=re.M | re.S)
        ):
            conv.convert_with_local_state(tex, displaystyle=False)
            n += 1
    assert n >= 4 * len(catalog())


def test_bad_tex_is_an_error():
    math_core = _needs("math_core")
    with pytest.raises(math_core.LatexError):
        math_core.LatexToMathML(fancy_error=False).convert_with_local_state(r"\foo{x}", displaystyle=True)


def test_table_cells_carry_no_pipes():
    assert "|" not in dg.tex_cell(r"\|x\|_2 + |\det X|")
    assert dg.tex_cell(r"\|x\|") == r"\Vert x\Vert "


def test_md_text_escapes_markup_but_keeps_code():
    assert dg.md_text("costs $5 *now* <b>") == r"costs \$5 \*now\* \<b\>"
    assert dg.md_text("see `vector.xTx` and a_b") == r"see `vector.xTx` and a\_b"


def test_keywords_and_search_keys():
    det = get("matrix.det_X")
    assert "determinant" in dg.keywords(det)
    assert "trace" in dg.keywords(get("matrix.tr_XA"))
    keys = dg.search_keys(det)
    for n in mc_cited():
        if det.id in mc_cited()[n]:
            assert f"MC({n})" in keys and str(n) in keys
    assert det.id in keys and det.name in keys


def test_shapes_in_dimension_names():
    ax = get("vector.Ax")  # A: m×n, x: n -> d(Ax)/dx is m×n in numerator layout
    s = dg.shapes(ax)
    assert s["args"] == {"A": "m×n", "x": "n"}
    assert (s["numerator"], s["denominator"]) == ("m×n", "n×m")
    grad = _by_kind_and_ndims("jacobian", 0, 1)
    s = dg.shapes(grad)
    n = s["args"][grad.wrt]
    assert (s["numerator"], s["denominator"]) == (f"1×{n}", f"{n}×1")
    det = dg.shapes(get("matrix.det_X"))
    assert det["output"] == "scalar" and det["numerator"] == det["denominator"] == "n×n"


def test_section_shows_verification_from_a_record():
    from identities.__main__ import _example

    ident = get("vector.Ax")  # m×n: the two layouts differ
    (record,) = dg.verify_records([ident.id])
    assert record["report"]["ok"]
    for lay in ("numerator", "denominator"):  # the example, rearranged from JAX layout, is the CLI's
        assert record["example"][lay] == dg._example_text(_example(ident, lay)["derivative"])
    assert record["example"]["numerator"] != record["example"]["denominator"]
    text = dg.identity_section(ident, record)
    assert '<span class="status verified">verified</span>' in text
    for check in record["report"]["checks"]:
        assert f"| {check} | passed |" in text
    assert "numerator layout =" in text and "denominator layout =" in text  # the numeric example
    failed = json.loads(json.dumps(record))
    failed["report"]["ok"] = False
    next(iter(failed["report"]["checks"].values()))["ok"] = False
    assert "FAILED" in dg.identity_section(ident, failed)


def test_verification_cache_is_keyed_on_content(tmp_path):
    ident = get("matrix.tr_X")
    recs, stats = dg.verification([ident], tmp_path, jobs=1)
    assert (stats.run, stats.cached) == (1, 0)
    recs2, stats2 = dg.verification([ident], tmp_path, jobs=1)
    assert (stats2.run, stats2.cached) == (0, 1) and recs2 == json.loads(json.dumps(recs))
    assert dg.cache_key(ident, 1, 1, 0) != dg.cache_key(ident, 2, 1, 0)
    assert dg.cache_key(ident, 1, 1, 0) != dg.cache_key(get("matrix.tr_XA"), 1, 1, 0)


@pytest.mark.parametrize("edited", ["families/trace.py", "verify.py", "families/by_scalar.py", "cli_check.py"])
def test_verification_cache_key_changes_when_any_package_file_changes(tmp_path, monkeypatch, edited):
    """The audit's probe: a helper in trace.py, which by_scalar.ms_expm imports, broken in a copy of the
    package, must change by_scalar.ms_expm's key (it did not when the key read only the identity's own
    family file), and so must an edit anywhere else in the package."""
    copy = tmp_path / "identities"
    shutil.copytree(dg.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(dg, "PACKAGE", copy)
    ident = get("by_scalar.ms_expm")
    before = dg.cache_key(ident, 1, 1, 0)
    assert dg.cache_key(ident, 1, 1, 0) == before  # stable while nothing changes
    target = copy / edited
    target.write_text(target.read_text() + "\n# a planted change\n")
    assert dg.cache_key(ident, 1, 1, 0) != before, f"editing {edited} left by_scalar.ms_expm's key unchanged"


def test_verification_cache_key_names_the_versions(monkeypatch):
    import jaxlib

    ident = get("matrix.tr_X")
    before = dg.cache_key(ident, 1, 1, 0)
    monkeypatch.setattr(jaxlib, "__version__", "0.0.0-other")
    assert dg.cache_key(ident, 1, 1, 0) != before


def test_write_pages_rewrites_only_changes_and_removes_stale(tmp_path):
    assert sorted(dg.write_pages(tmp_path, {"a.md": "A", "b.md": "B"})) == ["a.md", "b.md"]
    assert dg.write_pages(tmp_path, {"a.md": "A", "b.md": "B"}) == []
    assert sorted(dg.write_pages(tmp_path, {"a.md": "A2"})) == ["a.md", "b.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def _site(tmp_path: Path, body: str, idents=()) -> Path:
    (tmp_path / "catalog").mkdir()
    index = {"docnames": [f"catalog/{i.family}" for i in idents], "indexentries": {}}
    for k, i in enumerate(idents):
        index["indexentries"][i.id.lower()] = [[k, i.id, True]]
    (tmp_path / "searchindex.js").write_text(f"Search.setIndex({json.dumps(index)})")
    (tmp_path / "index.html").write_text(f"<html><body>{body}</body></html>")
    (tmp_path / "other.html").write_text('<html><body><p id="here">x</p></body></html>')
    return tmp_path


def test_check_site_finds_broken_links_anchors_and_remote_resources(tmp_path):
    site = _site(
        tmp_path,
        '<a href="other.html#here">ok</a><a href="other.html#gone">x</a><a href="missing.html">y</a>'
        '<script src="https://cdn.example/x.js"></script><a href="https://example.org">ext ok</a>',
    )
    problems = dg.check_site(site, [])
    assert len(problems) == 3, problems
    assert any("missing anchor other.html#gone" in p for p in problems)
    assert any("broken link missing.html" in p for p in problems)
    assert any("network" in p for p in problems)


def test_check_site_requires_every_identity_with_both_layouts(tmp_path):
    ident = get("matrix.tr_X")
    site = _site(tmp_path, "", [ident])
    (site / "catalog" / "matrix.html").write_text(
        textwrap.dedent(f"""\
        <section id="{ident.id}"><h2>x</h2>
        <div class="layout-numerator container"><div class="math"><math><mi>I</mi></math></div></div>
        </section>""")
    )
    assert dg.check_site(site, [ident]) == [f"identity {ident.id}: no rendered math for the denominator layout"]
    ghost = dataclasses.replace(ident, id="matrix.ghost")
    assert dg.check_site(site, [ghost]) == [
        "identity matrix.ghost: not in the search index",
        "identity matrix.ghost: no anchor #matrix.ghost in catalog/matrix.html",
    ]


@pytest.mark.parametrize(
    "body",
    ["$$\n\\frac{a}{b\n$$", "$\\foo{x}$", "See [gone](gone.md).", "See {ref}`no-such-label`."],
    ids=["unbalanced-tex", "unknown-command", "broken-link", "missing-label"],
)
def test_strict_sphinx_build_fails(tmp_path, body):
    _needs("sphinx")
    _needs("myst_parser")
    from sphinx.cmd.build import build_main

    src = tmp_path / "src"
    src.mkdir()
    conf = ROOT / "docs" / "conf.py"
    (src / "conf.py").write_text(
        f"import pathlib\n__file__ = {str(conf)!r}\nexec(pathlib.Path(__file__).read_text())\n"
        f"optional_docs = []\nhtml_static_path = [{str(conf.parent / '_static')!r}]\n"
    )
    (src / "index.md").write_text("# T\n\nFine: $x^2$.\n")
    args = ["-W", "--keep-going", "-q", "-b", "html", str(src), str(tmp_path / "out")]
    assert build_main([*args, "-d", str(tmp_path / "d0")]) == 0  # the control: a clean page builds
    (src / "index.md").write_text(f"# T\n\n{body}\n")
    assert build_main([*args, "-E", "-d", str(tmp_path / "d1")]) != 0


def test_cli_has_docs_build_and_serve():
    from identities.__main__ import build_parser

    args = build_parser().parse_args(["docs", "build", "--no-verify", "--jobs", "1"])
    assert args.func.__name__ == "cmd_build" and args.no_verify and args.jobs == 1
    assert build_parser().parse_args(["docs", "serve", "--no-build"]).func.__name__ == "cmd_serve"


def test_a_complex_identitys_page_example_keeps_the_imaginary_parts():
    """The site's numeric example of a complex identity showed only the real parts of its inputs and of its
    derivative (a cast to float64, with a ComplexWarning), a silently wrong example on every complex page."""
    import warnings

    import numpy as np

    from identities import docsgen

    assert "2.j" in docsgen._example_text(np.array([1 + 2j]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (record,) = docsgen.verify_records(["complex_basic.zHz"], examples=1, sizes=1)
    example = record["example"]
    assert "error" not in example, example
    assert "j" in example["inputs"]["z"] and "j" in example["denominator"], example


@pytest.mark.parametrize("verify", [True, False], ids=["verified", "no-verify"])
def test_find_coverage_is_checked_by_a_verified_build_only(tmp_path, monkeypatch, verify):
    """find's coverage evaluates every identity against its candidates: a verified build reports its
    problems, a --no-verify build (the browser test's) skips it as it skips verify's checks. Sphinx is not
    run (its parallel build forks, which JAX warns against in a process that has started it)."""
    _needs("sphinx")
    find = importlib.import_module("identities.find")
    sphinx_build = importlib.import_module("sphinx.cmd.build")
    calls = []

    def broken_coverage(idents=None):
        calls.append(idents)
        return find.Coverage(("matrix.tr_X",), (), find.MIN_WITH_EXPR)

    ident = get("matrix.tr_X")
    monkeypatch.setattr(find, "coverage", broken_coverage)
    monkeypatch.setattr(dg, "catalog", lambda: [ident])
    monkeypatch.setattr(dg, "verification", lambda *a, **k: ({}, dg.VerifyStats()))
    monkeypatch.setattr(dg, "pages", lambda *a, **k: {})  # no catalog pages: only the check's ending matters
    monkeypatch.setattr(sphinx_build, "build_main", lambda args: 0)
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text("")
    result = dg.build(src, tmp_path / "out", tmp_path / "cache", strict=False, verify=verify, jobs=1)
    assert result.problems[0] == f"{tmp_path / 'out'} was not written"  # the build ran to its checks
    reported = [p for p in result.problems if p.startswith("identities find: ")]
    if verify:
        assert calls == [[ident]]
        assert reported == ["identities find: matrix.tr_X: not found by identities.find from its own function f"]
    else:
        assert calls == [] and reported == []
