"""JSON output that every JSON parser reads: the commands' ``--json`` reports.

Python's ``json`` writes a non-finite float as the bare words ``NaN``/``Infinity``, which are not JSON (a
strict parser, ``jq`` or JavaScript's ``JSON.parse`` refuses the whole report). A derivative at a special
point is often NaN or infinite, so such a number is written as the string ``"nan"``, ``"inf"`` or
``"-inf"`` (what ``float()`` reads back), and the output is produced with ``allow_nan=False``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def finite_safe(obj: Any) -> Any:
    """``obj`` with every non-finite float (and NumPy scalar or array entry) replaced by its string, and every
    complex number by ``{"re": ..., "im": ...}``."""
    if isinstance(obj, dict):
        return {k: finite_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return finite_safe(obj.tolist())
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))
    if isinstance(obj, (complex, np.complexfloating)):  # a complex number: its parts, each as above
        return {"re": finite_safe(obj.real), "im": finite_safe(obj.imag)}
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def dumps(obj: Any, **kwargs: Any) -> str:
    """:func:`json.dumps` of :func:`finite_safe` ``(obj)``, refusing anything still not JSON."""
    return json.dumps(finite_safe(obj), allow_nan=False, **kwargs)
