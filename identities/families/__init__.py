"""The catalog's family modules: one module per family, each declaring its identities with ``@identity``.

Every module in this package is imported (in alphabetical order) when ``identities`` is imported, so a new
family is a new file here and nothing else; the family of an identity is its module's name.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> list[str]:
    """Import every family module (registering its identities); return their names."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    for name in names:
        importlib.import_module(f"{__name__}.{name}")
    return names


FAMILIES: list[str] = load_all()
