"""The first ``find`` lookup in a new process, after import, with find's value store empty and then filled
by an earlier process (identities.find_store). Usage: ``python bench/find_latency.py [EXPR:WRT ...]``.

Each run is a fresh interpreter (so nothing of an earlier lookup is in memory) with its own store
directory; the printed seconds are wall clock and CPU of the lookup alone, import excluded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

TYPICAL = ["trace(A @ X):X", "trace(A @ X @ B @ X.T):X", "x @ A @ x:x", "logdet(X):X", "norm(x):x", "inv(X):X"]

ONE = """
import sys, time, importlib
import identities
identities.catalog()
find = importlib.import_module("identities.find")
t, w = time.process_time(), time.perf_counter()
r = find.find_expr(sys.argv[1], wrt=sys.argv[2])
print(f"{time.perf_counter() - w:.2f} {time.process_time() - t:.2f} {len(r.ids)}")
"""


def lookup(expr: str, wrt: str, store: str) -> tuple[float, float, int]:
    env = os.environ | {"IDENTITIES_CACHE_DIR": store, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", ONE, expr, wrt], env=env, capture_output=True, text=True, check=True)
    wall, cpu, n = out.stdout.split()
    return float(wall), float(cpu), int(n)


def main(argv: list[str]) -> int:
    print(f"{'expression':28s} {'empty store (wall / CPU s)':>28s} {'filled store (wall / CPU s)':>28s}  matches")
    for spec in argv or TYPICAL:
        expr, _, wrt = spec.rpartition(":")
        with tempfile.TemporaryDirectory() as store:
            cold = lookup(expr, wrt, store)
            warm = lookup(expr, wrt, store)
        print(f"{expr:28s} {cold[0]:>14.2f} / {cold[1]:<11.2f} {warm[0]:>14.2f} / {warm[1]:<11.2f}  {warm[2]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
