"""Site glue for the generated identity pages (see identities/docsgen.py).

* Anchors: the section of an identity carries its id verbatim (``id="matrix.det_X"``), ahead of the
  slug docutils makes, so ``page.html#matrix.det_X`` is the stable link and ``{ref}`` resolves to it.
  The generator writes the label -> id table (labels are lower-cased by docutils) to
  ``catalog/anchors.json``; conf.py passes it in as ``identity_anchors``.
* ``{identity-index}`` directive: search keys of one identity (name, expression words, Cookbook
  numbers) as index entries that point at the identity's anchor, so the search page lists
  ``matrix.html#matrix.det_X`` for "determinant", "MC(49)" or "49". Sphinx 9.0 forgets the index
  entries of pages it does not rewrite in an incremental build (they are not restored from the old
  search index), so the keys are also kept in the environment and written into searchindex.js after
  every build.
* ``optional_docs``: hand-written pages other work adds (special-cases, benchmarks, ...). A toctree
  line naming one of them is dropped while that page does not exist; every other toctree entry must
  exist, as usual.
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective


class IdentityAnchors(SphinxTransform):
    """Put each identity's literal id first in its section's ids, before labels are recorded."""

    default_priority = 840  # SphinxDomains (850) records label -> id; this must run before it

    def apply(self, **kwargs):
        anchors = self.config.identity_anchors
        if not anchors:
            return
        doc = self.document
        for name, labelid in list(doc.nameids.items()):
            literal = anchors.get(name)
            if literal is None or labelid is None or not doc.nametypes.get(name):
                continue
            node = doc.ids.get(labelid)
            if not isinstance(node, nodes.section):
                continue
            if literal not in node["ids"]:
                node["ids"].insert(0, literal)
            doc.ids[literal] = node
            doc.nameids[name] = literal


class IdentityIndex(SphinxDirective):
    """``{identity-index} <id>`` with one search key per content line."""

    has_content = True
    required_arguments = 1

    def run(self):
        target = self.arguments[0]
        index = addnodes.index(entries=[], inline=False)
        self.set_source_info(index)
        keys = [k for k in (line.strip().replace(";", ",") for line in self.content) if k]
        index["entries"] = [("single", key, target, "main", None) for key in keys]
        _keys(self.env).setdefault(self.env.docname, []).extend((key, target) for key in keys)
        return [index]


def _keys(env) -> dict[str, list[tuple[str, str]]]:
    if not hasattr(env, "identity_search_keys"):
        env.identity_search_keys = {}
    return env.identity_search_keys


def _purge(app, env, docname):
    _keys(env).pop(docname, None)


def _merge(app, env, docnames, other):
    for d in docnames:
        if d in _keys(other):
            _keys(env)[d] = _keys(other)[d]


_PREFIX, _SUFFIX = "Search.setIndex(", ")"


def _write_search_keys(app, exception):
    """Put every identity's search keys into searchindex.js (see the module docstring)."""
    if exception or app.builder.format != "html":
        return
    path = Path(app.outdir, "searchindex.js")
    text = path.read_text(encoding="utf-8")
    data = json.loads(text[len(_PREFIX) : -len(_SUFFIX)])
    docindex = {d: i for i, d in enumerate(data["docnames"])}
    entries = data.setdefault("indexentries", {})
    for docname, keys in _keys(app.env).items():
        if docname not in docindex:
            continue
        for key, target in keys:
            hit = [docindex[docname], target, True]
            if hit not in entries.setdefault(key.lower(), []):
                entries[key.lower()].append(hit)
    path.write_text(_PREFIX + json.dumps(data, separators=(",", ":"), sort_keys=True) + _SUFFIX, encoding="utf-8")


def _drop_missing_optional(app, docname, source):
    if docname != app.config.root_doc:
        return
    missing = {d for d in app.config.optional_docs if d not in app.env.found_docs}
    if missing:
        source[0] = "\n".join(line for line in source[0].split("\n") if line.strip() not in missing)


def setup(app):
    app.add_config_value("identity_anchors", {}, "env")
    app.add_config_value("optional_docs", [], "env")
    app.add_transform(IdentityAnchors)
    app.add_directive("identity-index", IdentityIndex)
    app.connect("source-read", _drop_missing_optional)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("build-finished", _write_search_keys)
    # re-read the root page every build, so that an optional page added since is picked up
    app.connect("env-get-outdated", lambda app, env, added, changed, removed: [app.config.root_doc])
    return {"parallel_read_safe": True, "parallel_write_safe": True}
