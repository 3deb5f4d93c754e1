"""The catalog's values at ``find``'s draws, kept on disk so that a lookup in a new process need not
evaluate (and so compile) every candidate identity again.

A lookup evaluates each candidate identity's function on inputs fixed by the identity, the argument
mapping, the sizes and the draw (``find._Lookup.agree``); those values are the same in every process, so
they are stored in one file per catalog version. The version is a hash of the package's own sources and
of the JAX and NumPy versions: any change to an identity, a structure or the input builder starts a new
file, so a stored value can never stand for a function that has changed.

Where: ``$IDENTITIES_CACHE_DIR``, else ``$XDG_CACHE_HOME/identities``, else ``~/.cache/identities``;
``IDENTITIES_CACHE_DIR=off`` keeps everything in memory. A file that cannot be read is ignored (and
replaced); one that cannot be written leaves the lookup's result unchanged.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

_PACKAGE = Path(__file__).resolve().parent


def sources_hash(root: Path) -> str:
    """A hash of every ``.py`` file under ``root`` (names and contents), and of the JAX and NumPy versions."""
    import jax

    h = hashlib.sha256(f"jax {jax.__version__} numpy {np.__version__}".encode())
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()[:20]


@cache
def version() -> str:
    """This installation's catalog version: :func:`sources_hash` of the package."""
    return sources_hash(_PACKAGE)


def directory() -> Path | None:
    """The cache directory, or None when ``IDENTITIES_CACHE_DIR=off``."""
    env = os.environ.get("IDENTITIES_CACHE_DIR")
    if env == "off":
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "identities"


def path() -> Path | None:
    d = directory()
    return None if d is None else d / f"find-values-{version()}.npz"


def key_text(key: tuple[Any, ...]) -> str:
    """A stable text for a value's key (nested tuples become JSON lists)."""
    return json.dumps(key, separators=(",", ":"), default=int)  # a NumPy integer size reads as its int


class Store:
    """Identity values by key: read from the file once, written back once at exit when new ones came."""

    def __init__(self) -> None:
        self.values: dict[str, np.ndarray | None] = {}
        self.loaded = False
        self.dirty = False
        self.registered = False

    def _load(self) -> None:
        self.loaded = True
        p = path()
        if p is None or not p.exists():
            return
        try:
            with np.load(p, allow_pickle=False) as z:
                keys = json.loads(str(z["keys"]))
                none = set(json.loads(str(z["none"])))
                for i, k in enumerate(keys):
                    self.values[k] = None if k in none else z[f"v{i}"]
        except (OSError, ValueError, KeyError):  # unreadable: start afresh; the next write replaces it
            self.values.clear()

    def get(self, key: tuple[Any, ...]) -> tuple[bool, np.ndarray | None]:
        """(found, value): a stored None means the identity could not be evaluated there."""
        if not self.loaded:
            self._load()
        k = key_text(key)
        return (k in self.values, self.values.get(k))

    def put(self, key: tuple[Any, ...], value: np.ndarray | None) -> None:
        self.values[key_text(key)] = value
        self.dirty = True
        if not self.registered:
            atexit.register(self.flush)
            self.registered = True

    def flush(self) -> Path | None:
        """Write the values to the file (atomically); the path written, or None."""
        p = path()
        if p is None or not self.dirty:
            return None
        keys = list(self.values)
        arrays = {f"v{i}": v for i, (k, v) in enumerate(self.values.items()) if v is not None}
        none = [k for k, v in self.values.items() if v is None]
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".npz")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, keys=np.array(json.dumps(keys)), none=np.array(json.dumps(none)), **arrays)
            os.replace(tmp, p)
        except OSError:
            return None
        self.dirty = False
        return p


STORE = Store()
