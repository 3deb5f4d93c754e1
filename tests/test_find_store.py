"""find's on-disk values (identities.find_store): written once, read by the next process, never standing
for a function that has changed, and never taken from an identity built outside the package."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np

import identities
from identities import find_store
from identities.find import find_expr

FIND = sys.modules["identities.find"]


def test_values_round_trip_through_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("IDENTITIES_CACHE_DIR", str(tmp_path))
    a = find_store.Store()
    key = ("matrix.det_X", (0,), (("X", (3, 3)),), 0, 0)
    a.put(key, np.arange(4.0).reshape(2, 2))
    a.put(("matrix.inv", (0,), (), 0, 1), None)
    written = a.flush()
    assert written == find_store.path() and written.exists()
    b = find_store.Store()
    found, v = b.get(key)
    assert found and np.array_equal(v, np.arange(4.0).reshape(2, 2))
    assert b.get(("matrix.inv", (0,), (), 0, 1)) == (True, None)
    assert b.get(("matrix.inv", (1,), (), 0, 1)) == (False, None)


def test_an_unreadable_file_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("IDENTITIES_CACHE_DIR", str(tmp_path))
    find_store.path().write_bytes(b"not an npz")
    assert find_store.Store().get(("x",)) == (False, None)


def test_off_keeps_everything_in_memory(monkeypatch):
    monkeypatch.setenv("IDENTITIES_CACHE_DIR", "off")
    s = find_store.Store()
    s.put(("x",), np.zeros(1))
    assert find_store.path() is None and s.flush() is None and s.get(("x",))[0]


def test_the_version_follows_every_source_file(tmp_path):
    """A changed identity, structure or builder starts a new file: the hash covers every source's bytes."""
    (tmp_path / "families").mkdir()
    (tmp_path / "families" / "det.py").write_text("def f(X): return det(X)\n")
    (tmp_path / "verify.py").write_text("x = 1\n")
    before = find_store.sources_hash(tmp_path)
    (tmp_path / "families" / "det.py").write_text("def f(X): return -det(X)\n")
    assert find_store.sources_hash(tmp_path) != before
    find_store.version.cache_clear()  # computed once per process: the package's sources as they are now
    assert find_store.version() == find_store.sources_hash(find_store._PACKAGE)


def test_lookups_read_the_stored_values(monkeypatch):
    """The store is what a lookup compares against: a planted value there changes the answer (so a
    second process really skips the evaluation), and the real values find the identity again."""
    ident = identities.get("matrix.det_X")
    assert "matrix.det_X" in find_expr("det(X)", wrt="X").ids
    keys = [k for k in FIND.STORE.values if k.startswith('["matrix.det_X"')]
    assert keys
    saved = {k: FIND.STORE.values[k] for k in keys}
    try:
        for k in keys:
            v = FIND.STORE.values[k]
            FIND.STORE.values[k] = None if v is None else v + 1.0
        assert "matrix.det_X" not in find_expr("det(X)", wrt="X").ids
    finally:
        FIND.STORE.values.update(saved)
    assert ident.id in find_expr("det(X)", wrt="X").ids


def test_a_variant_built_outside_the_package_is_never_stored():
    ident = identities.get("matrix.det_X")
    variant = dataclasses.replace(ident, f=lambda X: -np.linalg.det(X))
    before = set(FIND.STORE.values)
    res = FIND.find(lambda X: -np.linalg.det(X), shapes={"X": "n n"}, among=[variant])
    assert res.ids == ["matrix.det_X"]  # the variant's own function, evaluated afresh
    assert set(FIND.STORE.values) == before


def test_a_second_process_finds_from_the_file(tmp_path):
    """The CLI writes the file at exit and the next process answers the same from it."""
    env = os.environ | {"IDENTITIES_CACHE_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "identities", "find", "trace(A @ X)", "--wrt", "X", "--json"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    files = list(tmp_path.glob("find-values-*.npz"))
    assert len(files) == 1
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    assert first == second and '"matrix.tr_XA"' in first
