"""How cost grows: the bench's scaling mode (``python -m identities bench --scaling``).

The default sweep stops at sizes where dispatch and fixed costs still hide how each side's cost grows.
The scaling mode runs the same harness (:func:`identities.bench.run`: agreement first, interleaved
timing, XLA's memory figures, the fill bandwidth of the same run) over more and larger sizes, for

- every Hessian,
- every closed form that materialises a 3- or 4-tensor,
- every identity whose closed form needs asymptotically fewer flops than its best autodiff variant,
  by XLA's own count (``cost_analysis``) at the two sizes of the saved default run
  (``bench/results/latest.json``), when there is one;

then fits the exponent of each side (time ∝ n^k, least squares in log-log) on the sizes whose time is
past the dispatch floor, finds where the speed-up crosses 1, and reports the speed-up at the largest size
where both sides were timed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ._core import Identity, catalog
from .bench import Config, MiB, largest_ok, scaled

SCHEMA = "identities-bench-scaling/1"
JSON_PATH = Path("bench/results/scaling.json")

# The scaling mode's sweep: five sizes doubling up to the largest whose closed-form output fits max_bytes (an
# n×n Hessian reaches n = 2048, dK/dR n = 32) with the default argument cap lifted; a program predicted to
# take more than call_budget per call is compiled but not timed (it says so).
SCALING = Config(
    max_bytes=64 * MiB,
    max_arg_bytes=64 * MiB,
    sweep_len=5,
    sweep_step=2,
    call_budget=2.0,
    identity_budget=25.0,
    min_rounds=3,
    max_rounds=7,
    size_seconds=0.15,
    declared=False,
)
# A time counts for the fit when it is at least this many dispatch floors (an empty jitted call): below,
# the time is mostly the call's fixed cost and the slope says nothing about the program.
FLOOR_FACTOR = 10.0
# A side's flops must grow faster by at least this much in the exponent to count as asymptotically costlier.
EXPONENT_GAP = 0.5
TARGET_RATIO = 10.0  # the target at the largest size, for Hessians with a lower exponent


def output_ndim(ident: Identity) -> int:
    """Axes of the closed form's output at a small size (abstract evaluation)."""
    import jax

    from .bench import _specs

    out = jax.eval_shape(ident.closed, *_specs(ident, scaled(ident, 4)))
    return max((len(o.shape) for o in jax.tree.leaves(out)), default=0)


def flop_exponents(saved: Mapping[str, Any]) -> dict[str, tuple[float, float, str]]:
    """(closed-form exponent, best autodiff exponent, that variant) of XLA's flop counts between the
    smallest and largest sizes of each identity in a saved default run."""
    out = {}
    for rec in saved.get("identities", []):
        ok = [s for s in rec.get("sizes", []) if s.get("status") == "ok"]
        if len(ok) < 2 or ok[0]["n"] == ok[-1]["n"]:
            continue
        a, b = ok[0], ok[-1]
        steps = math.log(b["n"] / a["n"])

        def expo(name: str, a: Mapping[str, Any] = a, b: Mapping[str, Any] = b, steps: float = steps) -> float | None:
            fa = (a["programs"].get(name) or {}).get("flops")
            fb = (b["programs"].get(name) or {}).get("flops")
            return math.log(fb / fa) / steps if fa and fb and fa > 0 and fb > 0 else None

        closed = expo("closed")
        others = [(e, k) for k in b["programs"] if k != "closed" and (e := expo(k)) is not None]
        if closed is not None and others:
            e, k = min(others)
            out[rec["id"]] = (closed, e, k)
    return out


def selection(
    idents: Iterable[Identity] | None = None, saved: Mapping[str, Any] | None = None
) -> list[tuple[Identity, str]]:
    """The identities the scaling mode runs, each with the reason it was chosen."""
    flops = flop_exponents(saved or {})
    out = []
    for ident in catalog() if idents is None else idents:
        why = []
        if ident.kind == "hessian":
            why.append("Hessian")
        try:
            nd = output_ndim(ident)
        except Exception:  # a closed form that cannot be traced at a small size: not a candidate
            nd = 0
        if nd >= 3:
            why.append(f"{nd}-tensor")
        if ident.id in flops and flops[ident.id][1] - flops[ident.id][0] >= EXPONENT_GAP:
            c, a, k = flops[ident.id]
            why.append(f"flops n^{c:.1f} against {k} n^{a:.1f}")
        if why:
            out.append((ident, ", ".join(why)))
    return out


def load_saved(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def config(base: Config | None = None) -> Config:
    """The scaling configuration, with the user's budgets (memory, call, seed) from ``base``."""
    if base is None:
        return SCALING
    return replace(
        SCALING,
        seed=base.seed,
        memory_budget=base.memory_budget,
        call_budget=max(SCALING.call_budget, base.call_budget),
    )


def fit(points: Sequence[tuple[int, float]], floor: float) -> dict[str, Any] | None:
    """The exponent k of t ≈ c n^k, least squares on log t against log n over the points past
    ``FLOOR_FACTOR`` dispatch floors; None with fewer than two such sizes."""
    used = [(n, t) for n, t in points if n > 0 and t >= FLOOR_FACTOR * floor]
    if len({n for n, _ in used}) < 2:
        return None
    x = np.log([n for n, _ in used])
    y = np.log([t for _, t in used])
    k, c = np.polyfit(x, y, 1)
    return {"exponent": float(k), "log_c": float(c), "sizes": [int(n) for n, _ in used]}


def crossover(points: Sequence[tuple[int, float]]) -> dict[str, Any]:
    """Where the speed-up (autodiff time / closed time) crosses 1, interpolated in log-log between the
    measured sizes around the last crossing: ``kind`` is ``always`` (closed faster at every size),
    ``never``, ``closed from`` (closed faster from ``n`` on) or ``autodiff from`` (the closed form stops
    paying at ``n``)."""
    pts = sorted((n, r) for n, r in points if n > 0 and r > 0)
    if not pts:
        return {"kind": "none", "n": None}
    above = [r > 1.0 for _, r in pts]
    if all(above):
        return {"kind": "always", "n": None}
    if not any(above):
        return {"kind": "never", "n": None}
    k = max(i for i in range(1, len(pts)) if above[i] != above[i - 1])
    (n0, r0), (n1, r1) = pts[k - 1], pts[k]
    t = -math.log(r0) / (math.log(r1) - math.log(r0))
    n = math.exp(math.log(n0) + t * (math.log(n1) - math.log(n0)))
    return {"kind": "closed from" if above[k] else "autodiff from", "n": round(n)}


def analyse(rec: Mapping[str, Any], floor: float) -> dict[str, Any]:
    """Fitted exponents (closed form, each autodiff variant), crossover and the speed-up at the largest
    size where both sides were timed, for one identity of a scaling run."""
    ok = [s for s in rec["sizes"] if s.get("status") == "ok"]
    progs: set[str] = {k for s in ok for k in s["programs"]}
    fits = {}
    for name in sorted(progs):
        pts = [
            (s["n"], s["programs"][name]["time"]["median"]) for s in ok if (s["programs"].get(name) or {}).get("time")
        ]
        fits[name] = fit(pts, floor)
    flops = {}
    for name in sorted(progs):
        pts = [(s["n"], s["programs"][name]["flops"]) for s in ok if (s["programs"].get(name) or {}).get("flops")]
        flops[name] = fit(pts, 0.0)
    best = largest_ok(rec)
    ratios = [(s["n"], s["best"]["ratio"]["median"]) for s in ok if s.get("best")]
    out: dict[str, Any] = {"fits": fits, "flop_fits": flops, "crossover": crossover(ratios), "sizes_timed": len(ok)}
    if best:
        v = best["best"]["variant"]
        out.update(largest={"n": best["n"], "label": best["label"], "variant": v, "ratio": best["best"]["ratio"]})
        gc, ga = flops.get("closed"), flops.get(v)
        if gc and ga:  # XLA's flop counts: deterministic, unlike the times (library calls are not counted)
            out["flop_gap"] = ga["exponent"] - gc["exponent"]
        fc, fa = fits.get("closed"), fits.get(v)
        if fc and fa:
            gap = fa["exponent"] - fc["exponent"]
            out["exponent_gap"] = gap
            r = best["best"]["ratio"]["median"]
            if gap > 0.25 and 0 < r < TARGET_RATIO:  # the size where the fitted gap would give the target
                out["n_for_target"] = round(best["n"] * (TARGET_RATIO / r) ** (1 / gap))
    return out


def run(
    idents: Sequence[tuple[Identity, str]],
    cfg: Config,
    progress: Callable[[int, int, str, float], None] | None = None,
) -> dict[str, Any]:
    """The scaling run: :func:`identities.bench.run` with the scaling sweep, each record analysed."""
    from . import bench

    result = bench.run([i for i, _ in idents], cfg, progress, targets=False)
    floor = result["dispatch_floor_s"]["median"]
    reasons = {i.id: why for i, why in idents}
    for rec in result["identities"]:
        rec["selected_because"] = reasons.get(rec["id"], "")
        rec["scaling"] = analyse(rec, floor)
    result["schema"] = SCHEMA
    result["config"]["sweep_step"] = cfg.sweep_step
    return result


def summary_rows(result: Mapping[str, Any]) -> list[list[Any]]:
    """identity, why, sizes, closed exponent, autodiff exponent (variant), crossover, speed-up at the largest."""
    out = []
    for rec in result["identities"]:
        a = rec.get("scaling") or {}
        fits = a.get("fits", {})
        big = a.get("largest")
        v = big["variant"] if big else None

        def k(name: str | None, fits: Mapping[str, Any] = fits) -> str:
            f = fits.get(name) if name else None
            return f"{f['exponent']:.2f}" if f else "-"

        cross = a.get("crossover", {})
        ctext = {
            "always": "closed faster at every size",
            "never": "autodiff faster at every size",
            "closed from": f"closed faster from n ≈ {cross.get('n')}",
            "autodiff from": f"closed stops paying at n ≈ {cross.get('n')}",
        }.get(cross.get("kind"), "-")
        if big:
            r = big["ratio"]
            rtext = f"{r['median']:.2f} [{r['q25']:.2f}-{r['q75']:.2f}] at {big['label']}"
        else:
            rtext = "-"
        sizes = [s["n"] for s in rec["sizes"] if s.get("status") == "ok"]
        out.append(
            [
                rec["id"],
                rec.get("selected_because", ""),
                ", ".join(str(n) for n in sizes) or "-",
                k("closed"),
                f"{k(v)} ({v})" if v else "-",
                ctext,
                rtext,
            ]
        )
    return out


SUMMARY_HEADERS = ["identity", "chosen as", "n timed", "closed k", "autodiff k", "crossover", "speed-up at largest"]


def headline(result: Mapping[str, Any]) -> dict[str, Any]:
    """The largest speed-up at any identity's largest size, and the identities where the closed form stops
    paying (autodiff faster at the largest size, or from a crossover on)."""
    best = None
    stops = []
    for rec in result["identities"]:
        a = rec.get("scaling") or {}
        big = a.get("largest")
        if big and (best is None or big["ratio"]["median"] > best[1]["ratio"]["median"]):
            best = (rec["id"], big)
        if a.get("crossover", {}).get("kind") in ("never", "autodiff from") or (big and big["ratio"]["median"] < 1.0):
            stops.append(rec["id"])
    return {
        "largest": None if best is None else {"id": best[0], **best[1]},
        "stops_paying": stops,
    }


def lower_exponent(a: Mapping[str, Any]) -> bool:
    """Whether the closed form's cost grows with a lower exponent than the autodiff variant's: by XLA's flop
    counts where it has them for both (deterministic), else by the fitted times."""
    gap = a.get("flop_gap", a.get("exponent_gap"))
    return gap is not None and gap >= EXPONENT_GAP


def hessian_targets(result: Mapping[str, Any]) -> list[list[Any]]:
    """Every Hessian whose closed form's cost grows with a lower exponent than jax.hessian's: the speed-up at
    the largest size where both were timed against the 10× target, and where it falls short, why in
    exponents (flops and fitted times) and the size the fitted gap would need."""
    out = []
    for rec in result["identities"]:
        a = rec.get("scaling") or {}
        if rec["kind"] != "hessian" or not a.get("largest") or not lower_exponent(a):
            continue
        big = a["largest"]
        r = big["ratio"]["median"]
        v = big["variant"]

        def k(table: str, name: str, a: Mapping[str, Any] = a) -> str:
            f = (a.get(table) or {}).get(name)
            return f"{f['exponent']:.2f}" if f else "-"

        why = (
            f"flops n^{k('flop_fits', 'closed')} against n^{k('flop_fits', v)}; "
            f"time n^{k('fits', 'closed')} against n^{k('fits', v)}"
        )
        if r < TARGET_RATIO:
            target_n = a.get("n_for_target")
            why += (
                f": {TARGET_RATIO:.0f}× at n ≈ {target_n} on the time fits"
                if target_n
                else ": the time fits show no gap"
            )
        out.append([rec["id"], big["label"], f"{r:.1f}×", "yes" if r >= TARGET_RATIO else "no", why])
    return out


# --- the report ----------------------------------------------------------------------------------------------
PLOT_PREFIX = "scaling-"


def write_plots(result: Mapping[str, Any], outdir: Path) -> list[Path]:
    """One PNG per family, log-log: per-call time of the closed form (solid) and of the best autodiff
    variant at the largest size (dashed) against n, the dispatch floor as a grey line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outdir.mkdir(parents=True, exist_ok=True)
    for old in outdir.glob(f"{PLOT_PREFIX}*.png"):
        old.unlink()
    families: dict[str, list[Mapping[str, Any]]] = {}
    for rec in result["identities"]:
        families.setdefault(rec["family"], []).append(rec)
    written = []
    floor = result["dispatch_floor_s"]["median"]
    for fam, recs in sorted(families.items()):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        drawn = 0
        for k, rec in enumerate(recs):
            big = (rec.get("scaling") or {}).get("largest")
            colour = f"C{k % 10}"
            name = rec["id"].split(".", 1)[1]
            for prog, style in (("closed", "-o"), (big["variant"] if big else None, "--x")):
                if prog is None:
                    continue
                pts = [
                    (s["n"], s["programs"][prog]["time"]["median"])
                    for s in rec["sizes"]
                    if s.get("status") == "ok" and (s["programs"].get(prog) or {}).get("time") and s["n"] > 0
                ]
                if pts:
                    label = name if prog == "closed" else f"{name}: {prog}"
                    ax.plot(*zip(*pts, strict=True), style, color=colour, label=label, ms=4)
                    drawn += 1
        if not drawn:
            plt.close(fig)
            continue
        ax.axhline(floor, color="grey", lw=1, ls=":")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("n (largest dimension)")
        ax.set_ylabel("seconds per call (median)")
        ax.set_title(f"{fam}: closed form (solid) and best autodiff (dashed)")
        ax.legend(fontsize=6, ncol=2 if drawn > 8 else 1)
        fig.tight_layout()
        path = outdir / f"{PLOT_PREFIX}{fam}.png"
        fig.savefig(path, dpi=80)
        plt.close(fig)
        written.append(path)
    return written


def markdown(result: Mapping[str, Any], plots: Sequence[Path]) -> list[str]:
    """The "How cost grows" section of docs/benchmarks.md, from a scaling run."""
    from .bench import fmt_bytes, fmt_seconds
    from .bench_report import _md_table, _table

    env = result["environment"]
    floor = result["dispatch_floor_s"]["median"]
    head = headline(result)
    parts = [
        "## How cost grows",
        "",
        f"Written by `python -m identities bench --scaling --docs` on {env['date']} "
        f"({len(result['identities'])} identities, {result['seconds']:.0f} s; load average "
        f"{env.get('load_average_before')} before, {env.get('load_average_after')} after: other work shared "
        "the CPUs, so read the quartiles; `bench/results/scaling.json` holds every number).",
        "",
        "**What runs.** Every Hessian, every closed form that materialises a 3- or 4-tensor, and every identity "
        "whose closed form needs asymptotically fewer flops than its best autodiff variant by XLA's count at "
        f"the two sizes of the default run. Sizes double up to the largest whose closed-form output fits "
        f"{fmt_bytes(result['config']['max_bytes'])} (arguments up to "
        f"{fmt_bytes(result['config']['max_arg_bytes'])}); a program predicted to take more than "
        f"{result['config']['call_budget_s']} s per call is compiled but not timed (listed in the JSON). "
        "The same harness as above: agreement first, interleaved rounds, medians and quartiles.",
        "",
        f"**Fits.** The exponent k of time ≈ c·n^k, least squares in log-log over the sizes whose median is at "
        f"least {FLOOR_FACTOR:g}× the dispatch floor ({fmt_seconds(floor)} in this run): below that the time is "
        "the call's fixed cost. The crossover is where the speed-up (best autodiff / closed form) crosses 1, "
        "interpolated in log-log between the sizes around it.",
        "",
    ]
    big = head["largest"]
    if big:
        r = big["ratio"]
        parts.append(
            f"**Headline.** The largest speed-up at an identity's largest timed size: {big['id']} at {big['label']}, "
            f"{r['median']:.0f}× [{r['q25']:.0f}-{r['q75']:.0f}] against {big['variant']}. "
            + (
                f"The closed form stops paying (autodiff as fast or faster at the largest size, or from a "
                f"crossover on) for: {', '.join(head['stops_paying'])}."
                if head["stops_paying"]
                else "The closed form pays at every identity's largest size."
            )
        )
        parts.append("")
    same = []
    for rec in result["identities"]:
        a = rec.get("scaling") or {}
        gap = a.get("flop_gap", a.get("exponent_gap"))
        if gap is not None and abs(gap) < EXPONENT_GAP and a.get("largest"):
            same.append((rec["id"], gap, a["largest"]))
    if same:
        parts += [
            "**Where the textbook's closed form has no asymptotic advantage.** Both sides' cost grows with the "
            f"same exponent (within {EXPONENT_GAP}, by XLA's flop count where it has one, else by the fitted "
            "times): the closed form wins by a constant factor at most, and the ratio stops growing with n. "
            "Least squares is the standard case: the closed form 2AᵀA and `jax.hessian` (forward over reverse, "
            "n Hessian-vector products with the same A) are both O(n³) matrix products. Here: "
            + "; ".join(f"{i} (gap {g:+.2f}; {b['ratio']['median']:.2f}× at {b['label']})" for i, g, b in same)
            + ".",
            "",
        ]
    targets = hessian_targets(result)
    if targets:
        parts += [
            f"**Hessians whose closed form has the lower exponent, against {TARGET_RATIO:.0f}× at the largest size.**",
            "",
            _md_table(["identity", "largest size", "speed-up", f"≥ {TARGET_RATIO:.0f}×", "why"], targets),
            "",
        ]
    parts += [_table(SUMMARY_HEADERS, summary_rows(result)), ""]
    bw = []
    for rec in result["identities"]:
        for s in rec["sizes"]:
            closed = (s.get("programs") or {}).get("closed") or {}
            b = closed.get("bandwidth")
            if b and s.get("output_ndim", 0) >= 3 and s["output_bytes"] >= MiB:
                traffic = closed.get("bytes_accessed")
                bw.append(
                    [
                        rec["id"],
                        s["label"],
                        fmt_bytes(s["output_bytes"]),
                        s["regime"],
                        f"{b['bytes_per_s'] / 1e9:.1f} GB/s",
                        f"{100 * b['fraction_of_fill']:.0f}%",
                        f"{traffic / s['output_bytes']:.3f}" if traffic else "-",
                    ]
                )
    if bw:
        parts += [
            "**Materialised tensors against the fill bandwidth of the same run** (output bytes / median time, "
            "against the fill of the same regime and nearest buffer size). The last column is XLA's own count "
            "of the compiled program's memory traffic (`cost_analysis()['bytes accessed']`) over the output's "
            "bytes: 1.000 means the program reads and writes no more than a fill of its output does (a fill "
            "counts 1.000 too), so any gap to the fill's bandwidth is work per element inside the one loop, "
            "not extra passes over memory.",
            "",
            _table(["identity", "size", "output", "regime", "effective", "of fill", "XLA bytes / output"], bw),
            "",
        ]
    parts += [f"![{p.stem}]({p.as_posix()})" for p in plots]
    return parts
