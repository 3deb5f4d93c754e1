"""The built reference site in a real headless Chromium: math rendered, search works, nothing remote.

Builds the site once (``python -m identities docs build``, strict, into a temporary directory), serves it
on 127.0.0.1 and drives Debian's Chromium with Playwright (never ``playwright install``). Skips with a
message when Chromium or Playwright is absent on a developer's machine; fails when the environment variable CI is set.
Screenshots go to the test's tmp_path (printed) and, when DOCS_SCREENSHOTS is set, into that directory.

The default profile builds with ``--no-verify``: the build-time verification is verify's own (every identity
against autodiff and finite differences, which tests/test_catalog.py runs with more inputs), which took half of
this module's time on a fresh clone, and find's coverage (tests/test_find_coverage.py runs it; 8.4 s cold in
one process); the badges must then say "not verified". The thorough profile, and CI's ``docs build`` step,
build the verified site.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from _support import PROFILE

from identities import catalog
from identities.coverage import mc_cited

ROOT = Path(__file__).resolve().parents[1]
UNVERIFIED = PROFILE != "thorough"  # built with --no-verify: see the module's docstring
CHROMIUM = os.environ.get("DOCS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # every request that would leave the machine fails at once: Chromium sends loopback requests directly and
    # the rest to this proxy, where nothing listens (the page fixture records them)
    "--proxy-server=http://127.0.0.1:1",
]

# Everything in the page's visible text that looks like TeX that did not render.
PROBE = r"""() => {
  const root = document.querySelector('article') || document.body;
  const clone = root.cloneNode(true);
  clone.querySelectorAll('pre, code, annotation').forEach(e => e.remove());
  const text = clone.textContent;
  return {
    math: root.querySelectorAll('math').length,
    errors: root.querySelectorAll('.math-error, merror, [mathcolor="red"]').length,
    leftover_tex: (text.match(/\\[A-Za-z]+|\\[()\[\]]|\$\$|\$[^\s$\d][^$]*\$/g) || []),
  };
}"""


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must install it (apt-get install -y chromium; pip install -e '.[docs]')")
    pytest.skip(f"{reason}: the browser test of the docs site needs it (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory, browser):
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "identities",
            "docs",
            "build",
            "--out",
            str(out),
            *(["--no-verify"] if UNVERIFIED else []),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"docs build failed:\n{proc.stdout}\n{proc.stderr}"
    return out


@pytest.fixture(scope="session")
def site_url(site_dir):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site_dir)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/"
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def page(browser):
    """A page that records every request that would leave the machine (CHROMIUM_ARGS' proxy fails them).
    A listener, not a route: routing every request through Python cost the module's browser work a third
    of its time (4.2 s of 10.8 s for the pages of test_math_rendered_on_every_page)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def record(request) -> None:
        url = request.url
        if not url.startswith(("data:", "blob:")) and urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            outside.append(url)

    ctx.on("request", record)
    pg = ctx.new_page()
    pg.outside_requests = outside
    yield pg
    ctx.close()


def _families() -> list[str]:
    return sorted({i.family for i in catalog()})


def _screenshot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=False)
    print(f"screenshot: {path}")
    if os.environ.get("DOCS_SCREENSHOTS"):
        Path(os.environ["DOCS_SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(os.environ["DOCS_SCREENSHOTS"]) / name)


def test_math_rendered_on_every_page(page, site_url):
    """The home page, the catalog and every family page: MathML present, no error node, no raw TeX."""
    for rel in ["index.html", "catalog/index.html", *[f"catalog/{f}.html" for f in _families()]]:
        page.goto(site_url + rel, wait_until="load")
        page.evaluate("() => document.fonts.ready")
        r = page.evaluate(PROBE)
        if rel.startswith("catalog/"):
            assert r["math"] > 0, f"{rel}: no rendered math on the page"
        assert r["errors"] == 0, f"{rel}: {r['errors']} math error nodes"
        assert r["leftover_tex"] == [], f"{rel}: raw TeX left in page text: {r['leftover_tex'][:5]}"
    assert page.outside_requests == [], f"requests left localhost: {page.outside_requests}"


def test_identity_page_screenshot_and_vendored_font(page, site_url, tmp_path):
    ident = (
        next(i for i in catalog() if i.id == "matrix.det_X")
        if any(i.id == "matrix.det_X" for i in catalog())
        else catalog()[0]
    )
    page.goto(f"{site_url}catalog/{ident.family}.html#{ident.id}", wait_until="load")
    page.evaluate("() => document.fonts.ready")
    section = page.locator(f'section[id="{ident.id}"]')
    assert section.count() == 1
    for lay in ("numerator", "denominator"):
        assert section.locator(f"div.layout-{lay} math[display=block]").count() == 1, lay
    assert section.locator(".status").inner_text() == ("not verified" if UNVERIFIED else "verified")
    loaded = page.evaluate("() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("Latin Modern Math" in f for f in loaded), loaded
    # the math font is in use: a display fraction is taller than a line of text
    height = section.locator("div.layout-numerator math").first.bounding_box()["height"]
    assert height > 30, height
    _screenshot(page, tmp_path, f"{ident.id}.png")
    assert page.outside_requests == []


def _search(page, site_url: str, query: str) -> list[str]:
    page.goto(f"{site_url}search.html?q={query}")
    page.wait_for_selector("#search-results .search-summary", timeout=20_000)
    links = page.eval_on_selector_all(
        "#search-results li a", "els => els.map(e => [e.getAttribute('href'), e.textContent])"
    )
    for href, text in links:  # a hit on an identity names it (docs/_ext/search_scorer.js)
        if "#" in href and "." in href.split("#")[1]:
            assert href.split("#")[1] in text, (href, text)
    return [href for href, _ in links]


def _anchor(ident_id: str) -> str:
    fam = ident_id.split(".")[0]
    return f"catalog/{fam}.html#{ident_id}"


def test_search_by_expression_word(page, site_url, tmp_path):
    from identities.docsgen import keywords

    expected = [i.id for i in catalog() if "determinant" in keywords(i)]
    assert expected, "no identity with a determinant in the catalog"
    hits = _search(page, site_url, "determinant")
    _screenshot(page, tmp_path, "search-determinant.png")
    for i in expected:
        assert any(h.endswith(_anchor(i)) for h in hits), (i, hits)


@pytest.mark.parametrize("form", ["MC({n})", "{n}"])
def test_search_by_cookbook_number(page, site_url, form):
    cited = mc_cited()
    n = 49 if 49 in cited else min(cited)
    hits = _search(page, site_url, form.format(n=n))
    for i in cited[n]:
        assert any(h.endswith(_anchor(i)) for h in hits), (form.format(n=n), i, hits)
    assert any("ref-mc.html" in h for h in hits) or form.startswith("MC"), hits


def test_search_by_id(page, site_url):
    ident = catalog()[0]
    hits = _search(page, site_url, ident.id)
    assert any(h.endswith(_anchor(ident.id)) for h in hits), hits
