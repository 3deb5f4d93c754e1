"""Closed form against autodiff, timed honestly, for every identity in the registry.

For each identity and each size of its sweep the harness

1. draws valid inputs (the same builders as :mod:`identities.verify`);
2. builds the programs that apply to the identity's kind: the closed form and the autodiff variants
   (:data:`VARIANTS`), each returning the same object as the closed form (JAX layout, the identity's
   convention);
3. traces+lowers and compiles each one, timing both, and reads XLA's deterministic figures
   (``memory_analysis()``: temporary, output, argument bytes; ``cost_analysis()``: flops);
   a program whose buffers exceed the memory budget, or whose predicted call time exceeds the call
   budget, is compiled but never run, and the reason is recorded ("needs 32.0 GiB (budget 4.0 GiB)");
4. runs every program once ("compile + first call" is the one-shot cost) and checks that every autodiff
   variant agrees with the closed form (the tolerance of :data:`identities.verify.TOLERANCES`, widened by
   the size of the problem): a size where they disagree is refused and nothing of it is timed;
5. times the programs in interleaved rounds (warm-up excluded, ``block_until_ready`` on every call,
   a fresh random order each round), and reports the median and quartiles of each, and the ratio
   autodiff / closed form taken round by round (pair by pair within one run), with its quartiles.

The same run measures the device's fill bandwidth (writing a fresh buffer) so that each materialised
output's effective bandwidth (output bytes / time) can be given as a fraction of it. On the CPU backend,
outputs of :data:`FRESH_PAGES_BYTES` and more land in freshly mapped pages on every call and are bound
by page faults; such numbers are flagged (regime ``fresh-pages``) and compared with the fill bandwidth
measured in that regime. The default sweep keeps every output below that size.

Nothing here is CPU-specific: the device, its memory and the backend come from JAX, and the environment
block of every report says which backend ran.
"""

from __future__ import annotations

import fnmatch
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ._core import Identity, catalog
from .verify import TOLERANCES, _compare, draw_extra, draw_inputs, extra_shape, raw_draw, split_variable

SCHEMA = "identities-bench/1"
MiB = 1 << 20
GiB = 1 << 30
FRESH_PAGES_BYTES = 32 * MiB  # on CPU, outputs this large are mapped afresh on every call
MAX_N = 1 << 22  # no sweep goes beyond this dimension


# --- configuration -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Config:
    """Knobs of one run. ``quick`` is the CI smoke run: one small size per identity, few rounds."""

    max_bytes: int = 16 * MiB  # largest closed-form output of the default sweep
    # largest argument: n×n inputs stop at n = 512, where an O(n³) program still runs in milliseconds and
    # the whole sweep stays within minutes; 4-tensor outputs of small inputs may still reach max_bytes
    max_arg_bytes: int = 2 * MiB
    sweep_len: int = 2  # sizes per identity: n_max, n_max/4 (those >= 2)
    sweep_step: int = 4
    quick_bytes: int = 4 * 1024  # the one size of --quick keeps outputs and arguments within this
    quick: bool = False
    sizes: tuple[Mapping[str, int] | int, ...] = ()  # --sizes: explicit sizes for every identity
    declared: bool = True  # use an identity's declared bench_sizes (the scaling mode derives its own)
    min_rounds: int = 5
    max_rounds: int = 15
    size_seconds: float = 0.2  # timing budget of one size (all programs)
    sample_seconds: float = 1e-3  # one timed sample repeats a call until it lasts about this long
    call_budget: float = 1.0  # a program predicted (or seen) slower than this per call is not timed
    identity_budget: float = 15.0  # wall seconds per identity before its remaining sizes are skipped
    memory_budget: int | None = None  # bytes; default: a quarter of the device's memory, at most 4 GiB
    warmup: int = 1
    seed: int = 0
    # fill/copy reference buffers; those of FRESH_PAGES_BYTES and more measure the fresh-pages regime (CPU)
    bandwidth_bytes: tuple[int, ...] = (1 * MiB, 4 * MiB, 16 * MiB, 64 * MiB)
    bandwidth_seconds: float = 0.4

    def effective(self) -> Config:
        """The quick run's settings applied."""
        if not self.quick:
            return self
        return replace(
            self,
            sweep_len=1,
            min_rounds=3,
            max_rounds=7,
            size_seconds=min(self.size_seconds, 0.05),
            sample_seconds=min(self.sample_seconds, 2e-4),
            warmup=1,
            call_budget=min(self.call_budget, 0.1),
            bandwidth_bytes=tuple(b for b in self.bandwidth_bytes if b <= 4 * MiB)[-1:],
            bandwidth_seconds=min(self.bandwidth_seconds, 0.1),
        )


# --- the programs ----------------------------------------------------------------------------------------
def convention_in_jax(convention: str) -> Callable[[Any], Any]:
    """The map from JAX's unstructured derivative to the identity's convention, traceable (so that it
    runs inside the timed program, as a user would have to apply it): see verify.CONVENTION_MAPS."""
    import jax.numpy as jnp

    from ._structures import _diagonal_index

    def alpha(a: Any) -> Any:  # MC (143): each diagonal of the Toeplitz result holds a's diagonal sum
        import jax

        n = a.shape[-1]
        offset = (_diagonal_index(n) + n - 1).reshape(-1)  # a segment sum: no n²×(2n-1) one-hot constant
        flat = jnp.moveaxis(a.reshape(*a.shape[:-2], n * n), -1, 0)
        sums = jnp.moveaxis(jax.ops.segment_sum(flat, offset, num_segments=2 * n - 1), 0, -1)
        return sums[..., _diagonal_index(n) + n - 1]

    def mc_sym(a: Any) -> Any:
        return a + jnp.swapaxes(a, -1, -2) - a * jnp.eye(a.shape[-1], dtype=a.dtype)

    maps: dict[str, Callable[[Any], Any]] = {
        "full": lambda a: a,
        "sym": lambda a: (a + jnp.swapaxes(a, -1, -2)) / 2,
        "mc_sym": mc_sym,
        "diag": lambda a: a * jnp.eye(a.shape[-1], dtype=a.dtype),
        "toeplitz": alpha,
        "sym_toeplitz": lambda a: mc_sym(alpha(a)),
    }
    return maps[convention]


def variants(ident: Identity, scalar_output: bool) -> dict[str, Callable[..., Any]]:
    """The autodiff programs that compute what the closed form computes, by name (unjitted).

    jacobian: ``jacfwd`` and ``jacrev``, or for a scalar output ``jacfwd`` and ``grad`` (``jacrev`` of a
    scalar is ``grad``'s program); hessian: ``jax.hessian`` (forward over reverse); jvp: ``jax.jvp``;
    vjp: ``jax.vjp``. (:mod:`identities.verify` checks more references; the bench times what a user would
    call.) Each applies the identity's
    convention (a ``sym`` derivative is symmetrised inside the program, as a user would have to).
    """
    import jax

    if ident.is_complex:
        return complex_variants(ident)
    w = ident.wrt_index
    f = ident.f
    post = convention_in_jax(ident.convention)

    def wrap(t: Callable[..., Any]) -> Callable[..., Any]:
        return lambda *a: post(t(*a))

    if ident.kind == "jacobian":
        if scalar_output:  # jacrev of a scalar is grad's program: compiling both would time one twice
            return {"jacfwd": wrap(jax.jacfwd(f, argnums=w)), "grad": wrap(jax.grad(f, argnums=w))}
        return {"jacfwd": wrap(jax.jacfwd(f, argnums=w)), "jacrev": wrap(jax.jacrev(f, argnums=w))}
    if ident.kind == "hessian":
        return {"hessian": jax.hessian(f, argnums=w)}
    if ident.kind == "jvp":

        def jvp(*a: Any) -> Any:
            *args, v = a
            tangents = [jax.numpy.zeros_like(x) for x in args]
            tangents[w] = v
            return jax.jvp(f, tuple(args), tuple(tangents))[1]

        return {"jvp": jvp}
    if ident.kind == "vjp":

        def vjp(*a: Any) -> Any:
            *args, g = a
            return post(jax.vjp(f, *args)[1](g)[w])

        return {"vjp": vjp}
    raise ValueError(f"{ident.id}: unknown kind {ident.kind!r}")  # pragma: no cover - the decorator guards


SMALLER = "not compiled; at a smaller size: "
OVERFLOWS = "the function itself overflows float64 at this size"
# jacfwd of a scalar function builds the gradient from one JVP per input entry: timed while the input has at
# most this many entries (where it can beat grad), not beyond (where it loses by about that factor)
FORWARD_GRADIENT_MAX = 4096
# the one variant of --quick, first that applies (reverse mode where it applies; a complex identity's after)
LEAN = ("grad", "jacrev", "hessian", "jvp", "vjp", "vjp (jax)", "jacfwd (holomorphic)", "jacfwd (re, im)")


# --- sizes -----------------------------------------------------------------------------------------------
def _base(ident: Identity) -> dict[str, int]:
    """The shape of the sweep: an identity's first declared size assignment (which may encode relations
    between dimensions, such as m > n), or every dimension equal."""
    if ident.sizes:
        return {d: int(v) for d, v in ident.sizes[0].items()}
    return {d: 1 for d in ident.dims}


def scaled(ident: Identity, n: int) -> dict[str, int]:
    """The size assignment whose largest dimension is ``n`` (the others in the base's proportions)."""
    base = _base(ident)
    if not base:
        return {}
    top = max(base.values())
    return {d: max(1, round(v * n / top)) for d, v in base.items()}


def label(sizes: Mapping[str, int]) -> str:
    if not sizes:
        return "scalar"
    vals = set(sizes.values())
    if len(vals) == 1 and len(sizes) > 1:
        return f"{'='.join(sizes)}={vals.pop()}"
    return ",".join(f"{d}={v}" for d, v in sizes.items())


def complex_variants(ident: Identity) -> dict[str, Callable[..., Any]]:
    """Autodiff of a complex identity, each program ending in the identity's convention (``complex_form``)
    as a user of JAX would have to write it (identities.wirtinger.to_convention, traced):

    ``jacfwd (re, im)``: forward mode along the real and the imaginary parts, the Wirtinger pair from the two
    partials (what any f needs); ``vjp (jax)``: reverse mode with every unit cotangent, JAX's convention
    2∂f/∂z read back (real-valued f); ``jacfwd (holomorphic)``: f′(z) (holomorphic f). A ``pair`` identity's
    programs return (∂f/∂z, ∂f/∂z̄)."""
    import jax
    import jax.numpy as jnp

    from .wirtinger import Wirtinger, to_convention

    w, f, form = ident.wrt_index, ident.f, ident.complex_form

    def out(pair: Wirtinger, real_valued: bool) -> Any:
        if form == "pair":
            return (pair.dz, pair.dzbar)
        return to_convention(pair, form, real_valued=real_valued, where=ident.id)

    def real_valued(a: tuple[Any, ...]) -> bool:
        return not jnp.iscomplexobj(jax.eval_shape(f, *a[: len(ident.argnames)]))

    def partials(*a: Any) -> Any:
        z = a[w]
        jx, jy = jax.jacfwd(split_variable(f, a, w), argnums=(0, 1))(jnp.real(z), jnp.imag(z))
        px, py = jax.lax.complex(jx[0], jx[1]), jax.lax.complex(jy[0], jy[1])  # no float→complex promotion
        return out(Wirtinger.from_partials(px, py), real_valued(a))

    def reverse(*a: Any) -> Any:  # real-valued f: JAX's vjp returns 2∂f/∂z for each unit cotangent
        fz, pull = jax.vjp(lambda v: f(*a[:w], v, *a[w + 1 :]), a[w])
        basis = jnp.eye(fz.size, dtype=fz.dtype).reshape((fz.size, *fz.shape))
        g = jax.vmap(lambda ct: pull(ct)[0])(basis).reshape((*fz.shape, *a[w].shape))
        return out(Wirtinger(g / 2, g.conj() / 2), True)

    def holomorphic(*a: Any) -> Any:
        dz = jax.jacfwd(f, argnums=w, holomorphic=True)(*a)
        return out(Wirtinger(dz, jnp.zeros_like(dz)), False)

    progs: dict[str, Callable[..., Any]] = {"jacfwd (re, im)": partials}
    if ident.holomorphic:
        progs["jacfwd (holomorphic)"] = holomorphic
    else:
        progs["vjp (jax)"] = reverse  # used only where f is real-valued: bench_size checks it
    return progs


def _real_view(x: Any) -> np.ndarray:
    """A program's output as real float64 numbers to compare: a complex array as its (re, im) parts, a pair
    (a ``pair`` identity's closed form) as both stacked."""
    if isinstance(x, tuple | list):
        return np.stack([_real_view(v) for v in x])
    a = np.asarray(x)
    return np.stack([a.real, a.imag]).astype(np.float64) if np.iscomplexobj(a) else a.astype(np.float64)


def _specs(ident: Identity, sizes: Mapping[str, int]) -> list[Any]:
    import jax
    import jax.numpy as jnp

    shapes = ident.arg_shapes(sizes)
    specs = [jax.ShapeDtypeStruct(shapes[a], jnp.dtype(ident.dtype(a))) for a in ident.argnames]
    eshape = extra_shape(ident, sizes)
    if eshape is not None:
        specs.append(jax.ShapeDtypeStruct(eshape, jnp.float64))
    return specs


def footprint(ident: Identity, sizes: Mapping[str, int]) -> tuple[int, int]:
    """(closed-form output bytes, argument bytes) at ``sizes``, by abstract evaluation (no FLOPs)."""
    import jax

    specs = _specs(ident, sizes)
    out = jax.eval_shape(ident.closed, *specs)
    out_bytes = sum(int(np.prod(o.shape, dtype=np.int64)) * o.dtype.itemsize for o in jax.tree.leaves(out))
    arg_bytes = sum(int(np.prod(s.shape, dtype=np.int64)) * 8 for s in specs)
    return out_bytes, arg_bytes


def _largest_fitting(ident: Identity, out_cap: int, arg_cap: int) -> int:
    """The largest power-of-two ``n`` (at most MAX_N) whose closed-form output and arguments stay within the
    caps; 2 if none does. Both byte counts never decrease with n, so the answer is the last n that fits: it
    is guessed from the growth over n = 2, 4, 8 (bytes ~ c + a * n**k) and confirmed by stepping from the guess,
    5-7 abstract evaluations instead of one per power of two (18 for n = 131072). A closed form that does
    not trace at n = 2 raises; at a larger n it counts as not fitting."""
    seen: dict[int, tuple[int, int] | None] = {}

    def footprint_at(e: int) -> tuple[int, int] | None:
        if e not in seen:
            try:
                seen[e] = footprint(ident, scaled(ident, 2**e))
            except Exception:
                if e == 1:
                    raise
                seen[e] = None
        return seen[e]

    def fits(e: int) -> bool:
        b = footprint_at(e)
        return b is not None and b[0] <= out_cap and b[1] <= arg_cap

    top = MAX_N.bit_length() - 1
    if not fits(1):
        return 2

    def guess(b2: int, b4: int, b8: int, cap: int) -> float:
        """log2 of the n where c + a * n**k reaches ``cap``, (a, k, c) through the three footprints."""
        d1, d2 = b4 - b2, b8 - b4
        if d1 <= 0 or d2 <= 0:
            return float(top)  # does not grow: only MAX_N bounds it
        k = max(math.log2(d2 / d1), 1e-3)
        a = d1 / (4.0**k - 2.0**k)
        c = b2 - a * 2.0**k
        return math.log2(max(cap - c, a) / a) / k

    e = 3  # where n = 8 does not fit, the steps down find 4 or 2
    b2, b4, b8 = (footprint_at(i) for i in (1, 2, 3))
    if fits(3) and b2 and b4 and b8:
        e = int(min(guess(b2[0], b4[0], b8[0], out_cap), guess(b2[1], b4[1], b8[1], arg_cap)) + 1e-9)
        e = max(3, min(e, top))
    if fits(e):
        while e < top and fits(e + 1):
            e += 1
    else:
        while not fits(e):
            e -= 1
    return 2**e


def sweep(ident: Identity, cfg: Config) -> list[dict[str, int]]:
    """The sizes to run for ``ident``: declared (``bench_sizes``), given (``--sizes``) or derived.

    Derived sweeps take the largest power-of-two ``n`` whose closed-form output stays within ``cfg.max_bytes``
    and whose arguments stay within ``cfg.max_arg_bytes`` (both within ``cfg.quick_bytes`` for ``--quick``),
    then ``n/4`` (``cfg.sweep_len`` sizes, each ``cfg.sweep_step`` times the last, down to 2), smallest first.
    """
    cfg = cfg.effective()
    if cfg.sizes:
        return [scaled(ident, s) if isinstance(s, int) else _complete(ident, s) for s in cfg.sizes]
    declared = [dict(s) for s in ident.bench_sizes]
    if declared and not cfg.quick and cfg.declared:
        return declared
    if not _base(ident):
        return [{}]
    out_cap, arg_cap = (cfg.quick_bytes,) * 2 if cfg.quick else (cfg.max_bytes, cfg.max_arg_bytes)
    best = _largest_fitting(ident, out_cap, arg_cap)
    if declared and cfg.quick:  # the quick run stays at or below the declared sweep
        best = min(best, max(max(s.values(), default=2) for s in declared))
    ns = []
    while best >= 2 and len(ns) < cfg.sweep_len:
        ns.append(best)
        best //= cfg.sweep_step
    return [scaled(ident, n) for n in reversed(ns)]


def _complete(ident: Identity, given: Mapping[str, int]) -> dict[str, int]:
    missing = [d for d in ident.dims if d not in given]
    if missing:
        top = max(given.values()) if given else 2
        return {**scaled(ident, top), **{d: int(v) for d, v in given.items() if d in ident.dims}}
    return {d: int(given[d]) for d in ident.dims}


def parse_sizes(text: str) -> tuple[Mapping[str, int] | int, ...]:
    """``--sizes``: comma-separated entries; an entry is an integer (the largest dimension, the others in
    proportion) or ``d=N:e=M`` (those dimensions; any other dimension scaled to the largest given)."""
    out: list[Mapping[str, int] | int] = []
    for entry in filter(None, (e.strip() for e in text.split(","))):
        if "=" not in entry:
            n = int(entry) if entry.isdigit() else 0
            if n < 1:
                raise ValueError(f"--sizes: {entry!r} is not a positive size")
            out.append(n)
            continue
        d: dict[str, int] = {}
        for part in entry.split(":"):
            name, _, val = part.partition("=")
            if not name.strip() or not val.strip().isdigit() or int(val) < 1:
                raise ValueError(f"--sizes: {part!r} is not NAME=N")
            d[name.strip()] = int(val)
        out.append(d)
    if not out:
        raise ValueError("--sizes: no sizes given")
    return tuple(out)


def select(pattern: str | None, idents: Iterable[Identity] | None = None) -> list[Identity]:
    """Identities whose id matches ``pattern``: comma-separated globs (``norms.*``) or substrings."""
    idents = list(catalog() if idents is None else idents)
    if not pattern:
        return idents
    pats = [p.strip() for p in pattern.split(",") if p.strip()]

    def hit(i: Identity) -> bool:
        for p in pats:
            if any(c in p for c in "*?["):
                if fnmatch.fnmatchcase(i.id, p):
                    return True
            elif p.lower() in i.id.lower() or p in i.aliases:
                return True
        return False

    return [i for i in idents if hit(i)]


# --- measuring -------------------------------------------------------------------------------------------
def _block(x: Any) -> Any:
    import jax

    return jax.block_until_ready(x)


def _nbytes(x: Any) -> int:
    import jax

    return sum(int(np.prod(np.shape(o), dtype=np.int64)) * np.asarray(o).dtype.itemsize for o in jax.tree.leaves(x))


def _quartiles(xs: Sequence[float]) -> dict[str, float]:
    a = np.asarray(xs, dtype=np.float64)
    q25, med, q75 = np.percentile(a, [25, 50, 75])
    return {"median": float(med), "q25": float(q25), "q75": float(q75), "min": float(a.min()), "n": int(a.size)}


def _time_calls(fn: Callable[..., Any], args: Sequence[Any], inner: int) -> float:
    t0 = time.perf_counter()
    for _ in range(inner):
        _block(fn(*args))
    return (time.perf_counter() - t0) / inner


def interleaved(
    programs: Mapping[str, Callable[..., Any]],
    args: Mapping[str, Sequence[Any]],
    estimate: Mapping[str, float],
    cfg: Config,
) -> dict[str, list[float]]:
    """Per-call seconds of every program, one sample per program per round, in a fresh random order each
    round (so that no program always follows the one that just flushed the caches). Each sample repeats
    the call until it lasts about ``cfg.sample_seconds``."""
    names = list(programs)
    inner = {k: max(1, min(1000, math.ceil(cfg.sample_seconds / max(estimate[k], 1e-9)))) for k in names}
    per_round = sum(inner[k] * estimate[k] for k in names)
    rounds = int(min(cfg.max_rounds, max(cfg.min_rounds, cfg.size_seconds // max(per_round, 1e-9))))
    samples: dict[str, list[float]] = {k: [] for k in names}
    order = np.random.default_rng(cfg.seed)
    for _ in range(rounds):
        for i in order.permutation(len(names)):
            k = names[int(i)]
            samples[k].append(_time_calls(programs[k], args[k], inner[k]))
    return samples


def memory_budget(cfg: Config) -> int:
    """Bytes one program may need: ``cfg.memory_budget``, else a quarter of the device's memory (JAX's
    ``memory_stats`` where the backend reports it, the host's physical memory otherwise), at most 4 GiB."""
    if cfg.memory_budget is not None:
        return int(cfg.memory_budget)
    import jax

    total = None
    try:
        stats = jax.devices()[0].memory_stats() or {}
        total = stats.get("bytes_limit")
    except Exception:  # pragma: no cover - backends without memory_stats
        total = None
    if not total:
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):  # pragma: no cover
            total = 16 * GiB
    return int(min(4 * GiB, total // 4))


def fmt_bytes(b: float) -> str:
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", 1024)):
        if b >= size:
            return f"{b / size:.1f} {unit}"
    return f"{int(b)} B"


def fmt_seconds(s: float | None) -> str:
    if s is None or not math.isfinite(s):
        return "-"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def bandwidth(nbytes: int, cfg: Config) -> dict[str, Any]:
    """Fill bandwidth (bytes written per second into a fresh output of ``nbytes``) and copy bandwidth
    (bytes read + written per second), median of interleaved samples."""
    import jax
    import jax.numpy as jnp

    n = max(1, nbytes // 8)
    fill = jax.jit(lambda s: jnp.full((n,), s, dtype=jnp.float64))
    copy = jax.jit(lambda a, s: a + s)
    s = jax.device_put(np.float64(1.5))
    a = _block(jax.device_put(np.ones(n)))
    progs = {"fill": fill, "copy": copy}
    args = {"fill": (s,), "copy": (a, s)}
    est = {}
    for k, p in progs.items():
        for _ in range(2):
            _block(p(*args[k]))
        est[k] = _time_calls(p, args[k], 1)
    samples = interleaved(
        progs, args, est, replace(cfg, min_rounds=5, max_rounds=41, size_seconds=cfg.bandwidth_seconds)
    )
    tf = statistics.median(samples["fill"])
    tc = statistics.median(samples["copy"])
    return {
        "bytes": n * 8,
        "fill_bytes_per_s": n * 8 / tf,
        "copy_bytes_per_s": 2 * n * 8 / tc,
        "fill_seconds": _quartiles(samples["fill"]),
        "copy_seconds": _quartiles(samples["copy"]),
    }


def measure_bandwidth(cfg: Config) -> list[dict[str, Any]]:
    """Fill/copy bandwidth at the buffer sizes of ``cfg.bandwidth_bytes`` (caches make it depend on size),
    each tagged with its regime: warm pages, or (CPU, :data:`FRESH_PAGES_BYTES` and more) fresh pages."""
    return [{**bandwidth(b, cfg), "regime": regime(b)} for b in cfg.bandwidth_bytes]


def fill_reference(bw: Sequence[Sequence[Mapping[str, Any]]], out_bytes: int) -> float | None:
    """The fill bandwidth an output of ``out_bytes`` is compared with: the buffer of the same regime and
    nearest size (log scale), the better of the measurements taken before and after the sweep."""
    reg = regime(out_bytes)
    found = []
    for run in bw:
        cands = [b for b in run if b["regime"] == reg]
        if cands:
            b = min(cands, key=lambda b: abs(math.log(b["bytes"]) - math.log(max(out_bytes, 1))))
            found.append(b["fill_bytes_per_s"])
    return max(found) if found else None


def annotate_bandwidth(result: dict[str, Any]) -> None:
    """Add each timed program's effective bandwidth (output bytes / median time) and its fraction of the
    fill reference to ``result`` (in place)."""
    bw = [result["bandwidth"]["before"], result["bandwidth"]["after"]]
    sizes = [s for rec in result["identities"] for s in rec["sizes"]]
    for s in sizes + [t["record"] for t in result.get("targets", [])]:
        ref = fill_reference(bw, s.get("output_bytes", 0))
        for p in s.get("programs", {}).values():
            if p.get("time") and ref:
                eff = s["output_bytes"] / p["time"]["median"]
                p["bandwidth"] = {"bytes_per_s": eff, "fraction_of_fill": eff / ref, "fill_bytes_per_s": ref}


def regime(out_bytes: int) -> str:
    import jax

    if jax.default_backend() != "cpu":
        return "warm"
    return "fresh-pages" if out_bytes >= FRESH_PAGES_BYTES else "warm"


# --- one identity at one size ------------------------------------------------------------------------------
@dataclass
class Program:
    """One program (closed form or autodiff variant) at one size: compile figures, agreement, timing."""

    name: str
    lower_s: float | None = None
    compile_s: float | None = None
    first_call_s: float | None = None
    memory: dict[str, int] = field(default_factory=dict)
    flops: float | None = None
    bytes_accessed: float | None = None  # XLA's count of bytes read and written (cost_analysis)
    skipped: str | None = None  # why it was not run or not timed
    agrees: bool | None = None
    error: str | None = None  # disagreement with the closed form
    time: dict[str, float] | None = None
    ratio: dict[str, float] | None = None  # this variant's time / the closed form's, round by round

    @property
    def one_shot_s(self) -> float | None:
        if self.first_call_s is None or self.lower_s is None or self.compile_s is None:
            return None
        return self.lower_s + self.compile_s + self.first_call_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "lower_s": self.lower_s,
            "compile_s": self.compile_s,
            "first_call_s": self.first_call_s,
            "one_shot_s": self.one_shot_s,
            "memory": self.memory,
            "flops": self.flops,
            "bytes_accessed": self.bytes_accessed,
            "skipped": self.skipped,
            "agrees": self.agrees,
            "error": self.error,
            "time": self.time,
            "ratio": self.ratio,
        }


def _memory(compiled: Any) -> dict[str, int]:
    try:
        m = compiled.memory_analysis()
    except Exception:  # pragma: no cover - backends without it
        return {}
    if m is None:  # pragma: no cover
        return {}
    return {
        "temp": int(m.temp_size_in_bytes),
        "output": int(m.output_size_in_bytes),
        "argument": int(m.argument_size_in_bytes),
        "alias": int(m.alias_size_in_bytes),
    }


def _cost(compiled: Any, key: str) -> float | None:
    """One figure of XLA's ``cost_analysis()`` ("flops", "bytes accessed"), None where it has none."""
    try:
        c = compiled.cost_analysis()
    except Exception:  # pragma: no cover
        return None
    if isinstance(c, (list, tuple)):  # older JAX: one dict per computation
        c = c[0] if c else None
    if not c or key not in c:
        return None
    return float(c[key])


def _flops(compiled: Any) -> float | None:
    return _cost(compiled, "flops")


def compile_program(fn: Callable[..., Any], args: Sequence[Any], name: str) -> tuple[Program, Any]:
    """Trace+lower and compile ``fn`` at ``args``' shapes, timing both; XLA's memory and flops figures."""
    import jax

    t0 = time.perf_counter()
    lowered = jax.jit(fn).lower(*args)
    t1 = time.perf_counter()
    compiled = lowered.compile()
    t2 = time.perf_counter()
    prog = Program(name, t1 - t0, t2 - t1, memory=_memory(compiled), flops=_flops(compiled))
    prog.bytes_accessed = _cost(compiled, "bytes accessed")
    return prog, compiled


UNCOMPILED_ABOVE = 2**40  # bytes of one traced buffer beyond which a program is not even compiled


def largest_traced_buffer(fn: Callable[..., Any], args: Sequence[Any]) -> int:
    """Bytes of the largest array in ``fn``'s traced program (sub-programs included), found without XLA."""
    import math

    import jax
    from jax.extend.core import jaxprs_in_params

    def walk(jaxpr: Any) -> int:
        most = 0
        for eqn in jaxpr.eqns:
            for v in eqn.outvars:
                aval = getattr(v, "aval", None)
                if getattr(aval, "shape", None) is not None:
                    most = max(most, math.prod(int(d) for d in aval.shape) * aval.dtype.itemsize)
            for sub in jaxprs_in_params(eqn.params):
                most = max(most, walk(sub))
        return most

    try:
        closed = jax.make_jaxpr(fn)(*args)
    except Exception:  # a program that cannot be traced is reported by compile_program
        return 0
    return walk(closed.jaxpr)


def needed_bytes(p: Program) -> int:
    m = p.memory
    return m.get("temp", 0) + m.get("output", 0) + m.get("argument", 0) - m.get("alias", 0)


def _tolerance(sizes: Mapping[str, int]) -> float:
    """verify's autodiff tolerance, widened by the largest dimension: rounding error of sums of n terms
    grows with n, a wrong program's error does not shrink with it."""
    return TOLERANCES[np.dtype(np.float64)].autodiff * max(1, max(sizes.values(), default=1))


def _predict(prev: Mapping[str, Any] | None, p: Program) -> float | None:
    """Per-call seconds predicted from the same program at the previous (smaller) size, scaled by the
    growth of its flops or of its bytes (whichever grows more)."""
    if not prev or prev.get("time") is None:
        return None
    growth = 1.0
    if p.flops and prev.get("flops"):
        growth = max(growth, p.flops / prev["flops"])
    pb = sum(prev.get("memory", {}).get(k, 0) for k in ("temp", "output"))
    nb = p.memory.get("temp", 0) + p.memory.get("output", 0)
    if pb > 0 and nb > 0:
        growth = max(growth, nb / pb)
    return float(prev["time"]["median"]) * growth


def bench_size(
    ident: Identity,
    sizes: Mapping[str, int],
    cfg: Config,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    programs: Mapping[str, Callable[..., Any]] | None = None,
) -> dict[str, Any]:
    """Benchmark ``ident`` at one size. ``programs`` overrides the closed form / variants (tests use it
    to hand the harness a wrong program)."""
    import jax

    cfg = cfg.effective()
    budget = memory_budget(cfg)
    rng = np.random.default_rng(cfg.seed)
    out_bytes, arg_bytes = footprint(ident, sizes)
    rec: dict[str, Any] = {
        "sizes": dict(sizes),
        "label": label(sizes),
        "n": max(sizes.values(), default=0),
        "output_bytes": out_bytes,
        "output_ndim": max(
            (len(o.shape) for o in jax.tree.leaves(jax.eval_shape(ident.closed, *_specs(ident, sizes)))), default=0
        ),
        "argument_bytes": arg_bytes,
        "regime": regime(out_bytes),
        "status": "ok",
        "error": None,
        "programs": {},
    }
    try:
        values = draw_inputs(ident, rng, sizes)
        args = [values[a] for a in ident.argnames]
        eshape = extra_shape(ident, sizes)
        if eshape is not None:
            args.append(draw_extra(ident, values, raw_draw(rng, eshape)))
        dtypes = [ident.dtype(a) for a in ident.argnames] + ["float64"] * (len(args) - len(ident.argnames))
        args = [jax.device_put(np.asarray(a, dtype=d)) for a, d in zip(args, dtypes, strict=True)]
        fshape = jax.eval_shape(ident.f, *args[: len(ident.argnames)])
        scalar = len(fshape.shape) == 0
        x_entries = int(np.size(args[ident.wrt_index]))
        if programs is not None:
            progs = dict(programs)
        else:
            vs = variants(ident, scalar)
            if ident.is_complex and (ident.holomorphic or jax.numpy.iscomplexobj(fshape)):
                vs.pop("vjp (jax)", None)  # JAX's vjp reads back as 2∂f/∂z for a real-valued f only
            if cfg.quick:  # the smoke run: one autodiff variant, reverse mode where it applies
                lean = next(k for k in LEAN if k in vs)
                vs = {lean: vs[lean]}
            progs = {"closed": ident.closed, **vs}
    except Exception as e:
        rec.update(status="error", error=f"inputs: {type(e).__name__}: {e}")
        return rec

    compiled: dict[str, Any] = {}
    results: dict[str, Program] = {}
    outputs: dict[str, Any] = {}
    for name, fn in progs.items():
        before = (previous or {}).get(name) or {}
        if (before.get("skipped") or "").startswith(("needs ", "predicted ", "one call", SMALLER)):
            why = before["skipped"].removeprefix(SMALLER)
            results[name] = Program(name, skipped=f"{SMALLER}{why}")
            continue
        # Compile first, so that XLA's figures say what fits. But XLA aborts the whole process (not an
        # exception) on a static extent past 2⁶³, and compiling a program with a buffer of a TiB or more
        # is wasted time: such a program is read off its trace and skipped, with the reason, uncompiled.
        if name == "jacfwd" and scalar and programs is None and x_entries > FORWARD_GRADIENT_MAX:
            results[name] = Program(
                name,
                skipped=f"not run: a gradient by forward mode takes one JVP per input entry ({x_entries} > "
                f"{FORWARD_GRADIENT_MAX}); grad is timed",
            )
            continue
        big = largest_traced_buffer(fn, args)
        if big > max(budget, UNCOMPILED_ABOVE):
            results[name] = Program(name, skipped=f"needs {fmt_bytes(big)} (budget {fmt_bytes(budget)}); not compiled")
            continue
        try:
            p, c = compile_program(fn, args, name)
        except Exception as e:
            p, c = Program(name, skipped=f"does not compile: {type(e).__name__}: {str(e)[:200]}"), None
        results[name] = p
        if c is None:
            continue
        need = needed_bytes(p)
        if need > budget:
            p.skipped = f"needs {fmt_bytes(need)} (budget {fmt_bytes(budget)})"
            continue
        pred = _predict((previous or {}).get(name), p)
        if pred is not None and pred > cfg.call_budget:
            p.skipped = f"predicted {fmt_seconds(pred)} per call (budget {fmt_seconds(cfg.call_budget)})"
            continue
        t0 = time.perf_counter()
        try:
            outputs[name] = _block(c(*args))
        except Exception as e:  # pragma: no cover - a runtime failure (e.g. out of memory)
            p.skipped = f"fails at run time: {type(e).__name__}: {str(e)[:200]}"
            continue
        p.first_call_s = time.perf_counter() - t0
        compiled[name] = c
    rec["programs"] = results

    if "closed" not in outputs:
        rec.update(status="skipped", error=f"closed form not run: {results['closed'].skipped}")
        return _finish(rec)

    # agreement: a wrong program is never timed
    rtol = _tolerance(sizes)
    closed_out = _real_view(outputs["closed"])

    def f_overflows() -> bool:  # f is compiled only to explain a non-finite output or a disagreement
        fx = _real_view(jax.jit(ident.f)(*args[: len(ident.argnames)]))
        if np.all(np.isfinite(fx)):
            return False
        # e.g. det of a 256×256 draw: e^1420; its derivative has no float64 value (autodiff may return 0)
        rec.update(status="skipped", error=OVERFLOWS)
        return True

    if not all(np.all(np.isfinite(np.asarray(o))) for o in outputs.values()) and f_overflows():
        return _finish(rec)
    if not np.all(np.isfinite(closed_out)):
        others = [_real_view(v) for k, v in outputs.items() if k != "closed"]
        if others and all(not np.all(np.isfinite(o)) for o in others):
            rec.update(status="skipped", error="overflows float64 at this size (closed form and autodiff alike)")
        else:
            results["closed"].agrees = False
            rec.update(status="refused", error="closed form: non-finite value")
        return _finish(rec)
    bad = []
    for name in outputs:
        if name == "closed":
            continue
        ref = _real_view(outputs[name])
        chk = _compare(name, closed_out, ref, rtol)
        results[name].agrees = chk.ok
        if not chk.ok:
            results[name].error = chk.describe(ident.id)
            bad.append(results[name].error)
    if bad and f_overflows():
        return _finish(rec)
    if bad:
        results["closed"].agrees = False
        rec.update(status="refused", error="closed form disagrees with autodiff, not timed: " + "; ".join(bad))
        return _finish(rec)
    results["closed"].agrees = True if len(outputs) > 1 else None

    # warm-up (excluded), then interleaved rounds of what is fast enough to time
    timed: dict[str, Any] = {}
    est: dict[str, float] = {}
    for name, c in compiled.items():
        p = results[name]
        if p.first_call_s is not None and p.first_call_s > cfg.call_budget:
            p.skipped = f"one call took {fmt_seconds(p.first_call_s)} (budget {fmt_seconds(cfg.call_budget)})"
            continue
        for _ in range(cfg.warmup):
            _block(c(*args))
        est[name] = _time_calls(c, args, 1)
        if est[name] > cfg.call_budget:
            p.skipped = f"one call takes {fmt_seconds(est[name])} (budget {fmt_seconds(cfg.call_budget)})"
            continue
        timed[name] = c
    if "closed" not in timed:
        rec.update(status="skipped", error=f"closed form not timed: {results['closed'].skipped}")
        return _finish(rec)
    samples = interleaved(timed, dict.fromkeys(timed, args), est, cfg)
    closed_t = samples["closed"]
    for name, ts in samples.items():
        results[name].time = _quartiles(ts)
        if name != "closed":
            results[name].ratio = _quartiles([a / c for a, c in zip(ts, closed_t, strict=True)])
    autodiff = [k for k in samples if k != "closed"]
    if autodiff:  # the variant with the smallest median, and its own round-by-round ratio (a per-round
        # minimum over variants would favour autodiff by the noise alone)
        k = min(autodiff, key=lambda k: results[k].time["median"])  # type: ignore[index]
        rec["best"] = {"variant": k, "ratio": results[k].ratio}
    return _finish(rec)


def verdict(ratio: Mapping[str, float] | None, closed_s: float = 0.0, best_s: float = 0.0, floor: float = 0.0) -> str:
    """``faster`` when the closed form beats the best autodiff variant in three rounds of four; ``slower``
    when it loses in three of four, by more than 10 % at the median and by more than half the dispatch
    floor (the time of an empty jitted call, measured in the same run) in absolute terms; ``tie``
    otherwise. Below the floor's half, differences are dispatch jitter, not the programs."""
    if not ratio:
        return "-"
    if ratio["q25"] > 1.0 and (closed_s == 0.0 or best_s - closed_s > floor / 2):
        return "faster"
    if ratio["q75"] < 1.0 and ratio["median"] < 0.9 and closed_s - best_s > floor / 2:
        return "slower"
    return "tie"


def dispatch_floor(cfg: Config) -> dict[str, float]:
    """Per-call seconds of an empty jitted program on a scalar (dispatch and synchronisation alone)."""
    import jax

    prog = jax.jit(lambda x: x + 1.0)
    x = jax.device_put(np.float64(1.0))
    for _ in range(3):
        _block(prog(x))
    est = _time_calls(prog, (x,), 10)
    return _quartiles(interleaved({"empty": prog}, {"empty": (x,)}, {"empty": est}, cfg)["empty"])


def _finish(rec: dict[str, Any]) -> dict[str, Any]:
    progs: dict[str, Program] = rec["programs"]
    rec["programs"] = {k: p.to_dict() for k, p in progs.items()}
    rec["verdict"] = "-"
    return rec


def judge(rec: dict[str, Any], floor: float) -> None:
    """Set the verdict of one size record (in place) against the dispatch floor."""
    best = rec.get("best")
    if not best:
        rec["verdict"] = "-"
        return
    progs = rec["programs"]
    rec["verdict"] = verdict(
        best["ratio"], progs["closed"]["time"]["median"], progs[best["variant"]]["time"]["median"], floor
    )


# The targets: (identity, sizes, autodiff variants compared, speed-up goal, wording). The --docs run
# measures these sizes too (beside the sweep) and reports each against its goal.
TARGETS: tuple[tuple[str, dict[str, int], tuple[str, ...], float, str], ...] = (
    ("tensors.dK_dR", {"m": 32, "n": 32}, ("jacfwd", "jacrev"), 15.0, "≥ 15× the best of jacfwd/jacrev"),
    ("tensors.dAx_dA", {"m": 64, "n": 64}, ("jacfwd",), 50.0, "≥ 50× jacfwd"),
    ("norms.l2_hessian", {"n": 4096}, ("hessian",), 1.0, "faster than jax.hessian"),
)


TARGET_CALL_BUDGET = 10.0  # seconds per call allowed at a target size outside the sweep


def measure_targets(records: Sequence[Mapping[str, Any]], cfg: Config, floor: float) -> list[dict[str, Any]]:
    """Each target of :data:`TARGETS` whose identity is in ``records``: the sweep's record at that size, or a
    new measurement; the speed-up against the named variants (the smallest median) and whether it meets
    the goal (its median at or above the goal; the quartiles are reported beside it)."""
    from ._core import get

    out = []
    by_id = {r["id"]: r for r in records}
    for ident_id, sizes, names, goal, text in TARGETS:
        if ident_id not in by_id:
            continue
        s = next((x for x in by_id[ident_id]["sizes"] if x["sizes"] == sizes), None)
        if s is None:  # a target size may be beyond the sweep: one call may take a few seconds
            s = bench_size(get(ident_id), sizes, replace(cfg, call_budget=max(cfg.call_budget, TARGET_CALL_BUDGET)))
            judge(s, floor)
        ratios = [(k, s["programs"][k]["ratio"]) for k in names if (s["programs"].get(k) or {}).get("ratio")]
        t = {"id": ident_id, "label": label(sizes), "target": text, "goal": goal, "variants": list(names)}
        t["regime"] = s.get("regime")
        if ratios:
            k, r = min(ratios, key=lambda kr: kr[1]["median"])
            t.update(variant=k, ratio=r, met=bool(r["median"] >= goal), why=None)
        else:
            why = "; ".join(f"{k}: {(s['programs'].get(k) or {}).get('skipped') or s.get('error')}" for k in names)
            t.update(variant=None, ratio=None, met=False, why=f"not timed ({why})")
        t["record"] = s
        out.append(t)
    return out


# --- the whole run -------------------------------------------------------------------------------------------
def environment() -> dict[str, Any]:
    """Versions, device, CPU count, x64: the block every report carries."""
    import jax
    import jaxlib

    dev = jax.devices()[0]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except Exception:  # pragma: no cover
        commit = ""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": platform.python_version(),
        "jax": jax.__version__,
        "jaxlib": jaxlib.__version__,
        "numpy": np.__version__,
        "backend": jax.default_backend(),
        "device": f"{dev.platform}:{dev.device_kind}",
        "device_count": jax.device_count(),
        "cpu_count": os.cpu_count(),
        "cpus_available": affinity,
        "x64": bool(jax.config.jax_enable_x64),
        "machine": platform.machine(),
        "system": platform.system(),
        "commit": commit,
        "load_average": _loadavg(),  # other work on the machine during the run: read the spreads with it
    }


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):  # pragma: no cover - platforms without it
        return None


def run(
    idents: Sequence[Identity],
    cfg: Config,
    progress: Callable[[int, int, str, float], None] | None = None,
    targets: bool = False,
) -> dict[str, Any]:
    """Benchmark ``idents``: the environment, the bandwidth reference (before and after) and one record per
    identity with its sizes. ``progress(k, total, text, elapsed)`` is called as the sweep advances."""
    t_start = time.perf_counter()
    load_before = _loadavg()
    cfg_eff = cfg.effective()
    bw_before = measure_bandwidth(cfg_eff)
    floor = dispatch_floor(cfg_eff)
    records = []
    plan = []
    for i in idents:
        try:
            plan.append((i, sweep(i, cfg)))
        except Exception as e:  # a closed form that cannot be traced at the sweep's shapes
            plan.append((i, [{"error": f"no sweep: {type(e).__name__}: {str(e)[:200]}"}]))
    total = sum(len(s) for _, s in plan)
    done = 0
    for ident, sizes_list in plan:
        t_ident = time.perf_counter()
        rec: dict[str, Any] = {"id": ident.id, "family": ident.family, "kind": ident.kind, "sizes": []}
        previous: dict[str, Any] = {}
        for sizes in sizes_list:
            if progress:
                progress(done, total, f"{ident.id} {label(sizes)}", time.perf_counter() - t_start)
            if "error" in sizes:
                r = {"sizes": {}, "label": "-", "n": 0, "status": "error", "error": sizes["error"], "programs": {}}
                r["verdict"] = "-"
            elif time.perf_counter() - t_ident > cfg.identity_budget:
                r = {"sizes": dict(sizes), "label": label(sizes), "n": max(sizes.values(), default=0)}
                r.update(status="skipped", error=f"identity budget of {cfg.identity_budget:.0f} s spent", programs={})
                r["verdict"] = "-"
            else:
                try:
                    r = bench_size(ident, sizes, cfg, previous)
                    judge(r, floor["median"])
                except Exception as e:  # reported, never a crash of the whole sweep
                    r = {"sizes": dict(sizes), "label": label(sizes), "n": max(sizes.values(), default=0)}
                    r.update(status="error", error=f"{type(e).__name__}: {str(e)[:300]}", programs={}, verdict="-")
                previous = r["programs"]
            rec["sizes"].append(r)
            done += 1
        # a determinant of a random n×n draw overflows float64 from n ≈ 64 on: go down until one size fits
        while (
            rec["sizes"]
            and all(r.get("error") == OVERFLOWS for r in rec["sizes"])
            and (n := min(r["n"] for r in rec["sizes"]) // cfg.effective().sweep_step) >= 2
        ):
            r = bench_size(ident, scaled(ident, n), cfg, {})
            judge(r, floor["median"])
            rec["sizes"].insert(0, r)
        rec["seconds"] = time.perf_counter() - t_ident
        records.append(rec)
    if progress:
        progress(total, total, "targets and bandwidth", time.perf_counter() - t_start)
    tgt = measure_targets(records, cfg, floor["median"]) if targets else []
    bw_after = measure_bandwidth(cfg_eff)
    env = environment()
    env["load_average_before"], env["load_average_after"] = load_before, env.pop("load_average")
    result = {
        "schema": SCHEMA,
        "environment": env,
        "config": {
            "quick": cfg.quick,
            "max_bytes": cfg_eff.max_bytes,
            "max_arg_bytes": cfg_eff.max_arg_bytes,
            "sweep_len": cfg_eff.sweep_len,
            "min_rounds": cfg_eff.min_rounds,
            "max_rounds": cfg_eff.max_rounds,
            "call_budget_s": cfg_eff.call_budget,
            "memory_budget_bytes": memory_budget(cfg_eff),
            "fresh_pages_bytes": FRESH_PAGES_BYTES,
            "sizes": [s if isinstance(s, int) else dict(s) for s in cfg.sizes],
        },
        "bandwidth": {"before": bw_before, "after": bw_after},
        "dispatch_floor_s": floor,
        "identities": records,
        "targets": tgt,
        "seconds": time.perf_counter() - t_start,
    }
    annotate_bandwidth(result)
    return result


# --- summaries -----------------------------------------------------------------------------------------------
def largest_ok(rec: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The record's largest size that was timed against autodiff."""
    ok = [s for s in rec["sizes"] if s.get("status") == "ok" and s.get("best")]
    return max(ok, key=lambda s: s["n"]) if ok else None


def rows(result: Mapping[str, Any], every_size: bool = True) -> list[list[Any]]:
    """Table rows: identity, size, output, closed median, best autodiff, ratio [quartiles], verdict, %fill."""
    out = []
    for rec in result["identities"]:
        sizes = rec["sizes"] if every_size else [s for s in [largest_ok(rec)] if s] or rec["sizes"][-1:]
        for s in sizes:
            progs = s.get("programs", {})
            closed = progs.get("closed", {})
            best = s.get("best")
            if s.get("status") != "ok" or not closed.get("time"):
                ob = fmt_bytes(s["output_bytes"]) if "output_bytes" in s else "-"
                out.append([rec["id"], s["label"], ob, "-", "-", "-", s["status"], ""])
                continue
            frac = closed.get("bandwidth", {}).get("fraction_of_fill")
            bw_txt = f"{100 * frac:.0f}%" if frac is not None and s.get("output_bytes", 0) >= 1 * MiB else ""
            if s.get("regime") == "fresh-pages" and bw_txt:
                bw_txt += " (fresh pages)"
            if best:
                r = best["ratio"]
                bt = progs[best["variant"]]["time"]["median"]
                best_txt = f"{best['variant']} {fmt_seconds(bt)}"
                ratio_txt = f"{r['median']:.2f} [{r['q25']:.2f}-{r['q75']:.2f}]"
            else:
                best_txt, ratio_txt = "-", "-"
            out.append(
                [
                    rec["id"],
                    s["label"],
                    fmt_bytes(s["output_bytes"]),
                    fmt_seconds(closed["time"]["median"]),
                    best_txt,
                    ratio_txt,
                    s["verdict"],
                    bw_txt,
                ]
            )
    return out


HEADERS = ["identity", "size", "output", "closed form", "best autodiff", "speed-up [q25-q75]", "verdict", "% fill bw"]


def skipped(result: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """(identity, size, program, reason) for everything compiled but not run or not timed."""
    out = []
    for rec in result["identities"]:
        for s in rec["sizes"]:
            if s.get("status") != "ok" and s.get("error"):
                out.append((rec["id"], s["label"], "(all)", s["error"]))
            for name, p in s.get("programs", {}).items():
                if p.get("skipped"):
                    out.append((rec["id"], s["label"], name, p["skipped"]))
    return out


def autodiff_wins(result: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Identities whose closed form is slower than the best autodiff variant at their largest timed size."""
    out = []
    for rec in result["identities"]:
        s = largest_ok(rec)
        if s and s["verdict"] == "slower":
            out.append((rec["id"], s))
    return out


def print_table(result: Mapping[str, Any], file: Any = None) -> None:
    from tabulate import tabulate

    file = file or sys.stdout
    print(tabulate(rows(result), headers=HEADERS, disable_numparse=True), file=file)
    print(file=file)
    for when in ("before", "after"):
        print(
            f"fill bandwidth {when}: "
            + ", ".join(
                f"{fmt_bytes(b['bytes'])} {b['fill_bytes_per_s'] / 1e9:.1f} GB/s"
                + (" (fresh pages)" if b["regime"] == "fresh-pages" else "")
                for b in result["bandwidth"][when]
            ),
            file=file,
        )
    for t in result.get("targets", []):
        r = t["ratio"]
        got = f"{r['median']:.1f}x [{r['q25']:.1f}-{r['q75']:.1f}] vs {t['variant']}" if r else t["why"]
        print(f"target {t['id']} at {t['label']} ({t['target']}): {got}: {'met' if t['met'] else 'NOT met'}", file=file)
    sk = skipped(result)
    if sk:
        print(f"\n{len(sk)} programs not run or not timed:", file=file)
        for i, lab, name, why in sk:
            print(f"  {i} {lab} {name}: {why}", file=file)
    wins = autodiff_wins(result)
    n = len(result["identities"])
    print(
        f"\n{n} identities, {sum(len(r['sizes']) for r in result['identities'])} sizes in {result['seconds']:.0f} s; "
        f"autodiff faster at the largest size: {', '.join(i for i, _ in wins) or 'none'}",
        file=file,
    )
