"""The bench harness: sweeps, agreement before timing, skips with reasons, the JSON schema, the reports,
and XLA's memory figures for every closed form. Nothing here asserts a timing."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import pytest
from _support import not_written_to_the_cache

import identities
from identities import bench
from identities.__main__ import main
from identities.bench_report import LONG_TABLE, _table, write_docs

# the smallest settings that still exercise every step
FAST = bench.Config(
    min_rounds=3,
    max_rounds=3,
    size_seconds=0.0,
    sample_seconds=0.0,
    warmup=1,
    bandwidth_bytes=(64 * 1024,),
    bandwidth_seconds=0.0,
)


def test_agreement_refuses_a_wrong_program():
    ident = identities.get("vector.Ax")  # ∂(Ax)/∂x = A
    jacfwd = jax.jacfwd(ident.f, argnums=1)
    wrong = bench.bench_size(ident, {"m": 4, "n": 4}, FAST, programs={"closed": lambda A, x: A.T, "jacfwd": jacfwd})
    assert wrong["status"] == "refused"
    assert "disagrees" in wrong["error"] and "jacfwd" in wrong["error"]
    assert all(p["time"] is None for p in wrong["programs"].values())  # never timed
    assert wrong["programs"]["jacfwd"]["agrees"] is False
    right = bench.bench_size(ident, {"m": 4, "n": 4}, FAST, programs={"closed": ident.closed, "jacfwd": jacfwd})
    assert right["status"] == "ok" and right["error"] is None
    assert right["programs"]["jacfwd"]["agrees"] is True
    assert right["programs"]["closed"]["time"]["n"] == 3
    assert right["best"]["variant"] == "jacfwd" and right["best"]["ratio"]["median"] > 0


@pytest.mark.parametrize(
    ("ident_id", "sizes", "variants"),
    [
        ("complex_basic.lstsq", {"m": 4, "n": 3}, {"jacfwd (re, im)", "vjp (jax)"}),  # real f: reverse mode too
        ("complex_basic.z_squared", {}, {"jacfwd (re, im)", "jacfwd (holomorphic)"}),  # holomorphic: f′(z)
        ("complex_cookbook.conj_z", {}, {"jacfwd (re, im)"}),  # complex, not holomorphic: the pair only
    ],
)
def test_complex_identities_are_timed_in_their_convention(ident_id, sizes, variants):
    """Each autodiff program ends in the identity's convention (as a JAX user must convert); a closed form
    off by the factor 2 between a Wirtinger derivative and a gradient, or a pair with ∂f/∂z and ∂f/∂z̄
    swapped, is refused, never timed."""
    ident = identities.get(ident_id)
    rec = bench.bench_size(ident, sizes, FAST)
    assert rec["status"] == "ok", rec["error"]
    assert set(rec["programs"]) == {"closed", *variants}
    assert all(p["agrees"] is True for p in rec["programs"].values()), {
        k: (p["agrees"], p["skipped"], p.get("error")) for k, p in rec["programs"].items()
    }
    progs = bench.complex_variants(ident)
    if ident.complex_form == "pair":
        mistaken = lambda *a: tuple(reversed(ident.closed(*a)))
    else:
        mistaken = lambda *a: 2 * ident.closed(*a)
    wrong = bench.bench_size(ident, sizes, FAST, programs={"closed": mistaken, **progs})
    assert wrong["status"] == "refused" and "disagrees" in wrong["error"]


def test_a_non_finite_closed_form_is_refused():
    ident = identities.get("vector.xTx")
    out = bench.bench_size(ident, {"n": 4}, FAST, programs={"closed": lambda x: x / 0.0, "grad": jax.grad(ident.f)})
    assert out["status"] == "refused" and "non-finite" in out["error"]


def test_what_cannot_fit_is_compiled_and_skipped_with_the_reason():
    ident = identities.get("tensors.dAx_dA")  # jacfwd pushes an (mn, m, n) basis: 8·n⁴ bytes at m = n
    cfg = bench.Config(**{**FAST.__dict__, "memory_budget": 16 * 1024})
    out = bench.bench_size(ident, {"m": 8, "n": 8}, cfg)
    fwd = out["programs"]["jacfwd"]
    assert fwd["skipped"].startswith("needs ") and "(budget 16.0 KiB)" in fwd["skipped"]
    assert fwd["memory"]["temp"] >= 8 * 8**4 and fwd["time"] is None and fwd["first_call_s"] is None
    assert out["programs"]["closed"]["time"] is not None  # what fits still runs
    tiny = bench.Config(**{**FAST.__dict__, "memory_budget": 1024})
    none = bench.bench_size(ident, {"m": 8, "n": 8}, tiny)
    assert none["status"] == "skipped" and "needs" in none["error"]


def test_a_program_predicted_too_slow_is_not_run():
    ident = identities.get("vector.Ax")
    first = bench.bench_size(ident, {"m": 4, "n": 4}, FAST)
    prev = {k: {**v, "time": {**v["time"], "median": 10.0}} for k, v in first["programs"].items()}
    out = bench.bench_size(ident, {"m": 8, "n": 8}, FAST, previous=prev)
    assert out["status"] == "skipped"
    assert all(p["skipped"].startswith("predicted ") for p in out["programs"].values())
    again = bench.bench_size(ident, {"m": 16, "n": 16}, FAST, previous=out["programs"])  # not even compiled
    assert all(p["skipped"] == bench.SMALLER + out["programs"][k]["skipped"] for k, p in again["programs"].items())
    assert all(p["compile_s"] is None for p in again["programs"].values())


def test_variants_follow_the_kind():
    assert set(bench.variants(identities.get("vector.Ax"), scalar_output=False)) == {"jacfwd", "jacrev"}
    assert set(bench.variants(identities.get("vector.xTx"), scalar_output=True)) == {"jacfwd", "grad"}
    assert set(bench.variants(identities.get("norms.l2_hessian"), scalar_output=True)) == {"hessian"}


def _local(kind, closed):
    """An identity of ``kind`` built without registering it: ∂(Ax)/∂x applied to a tangent or cotangent."""
    from identities._core import Identity, Source, Tex

    return Identity(
        id=f"local.{kind}",
        family="local",
        name=kind,
        f=lambda A, x: jnp.tanh(A @ x),
        closed=closed,
        argnames=("A", "x"),
        wrt="x",
        shapes={"A": "m n", "x": "n"},
        requires={},
        tex=Tex(f="tanh(Ax)", num="", den=""),
        sources=(Source("test", "here"),),
        kind=kind,
    )


def _sech2(A, x):
    return 1 - jnp.tanh(A @ x) ** 2


@pytest.mark.parametrize(
    "kind, closed",
    [("jvp", lambda A, x, v: _sech2(A, x) * (A @ v)), ("vjp", lambda A, x, g: (_sech2(A, x) * g) @ A)],
)
def test_jvp_and_vjp_kinds(kind, closed):
    ident = _local(kind, closed)
    (sizes,) = bench.sweep(ident, bench.Config(quick=True))  # the extra argument counts in the footprint
    assert sizes["m"] == sizes["n"] > 2 and max(bench.footprint(ident, sizes)) <= bench.Config().quick_bytes
    out = bench.bench_size(ident, {"m": 5, "n": 3}, FAST)
    assert out["status"] == "ok" and set(out["programs"]) == {"closed", kind}
    assert out["best"]["variant"] == kind and out["programs"][kind]["agrees"] is True
    wrong = _local(kind, lambda A, x, t: 2 * closed(A, x, t))
    assert bench.bench_size(wrong, {"m": 5, "n": 3}, FAST)["status"] == "refused"


def test_a_function_that_overflows_is_skipped_not_refused():
    """Like det of a 256×256 draw (about e^1420): no float64 derivative exists to agree on."""
    from identities._core import Identity, Source, Tex

    def f(x):
        return jnp.sum(jnp.exp(1000 * x))

    ident = Identity(
        **dict(id="local.overflow", family="local", name="overflow", f=f, closed=lambda x: 1000 * jnp.exp(1000 * x)),
        **dict(
            argnames=("x",), wrt="x", shapes={"x": "n"}, requires={}, tex=Tex("", "", ""), sources=(Source("t", ""),)
        ),
    )
    out = bench.bench_size(ident, {"n": 8}, FAST)
    assert out["status"] == "skipped" and "overflows float64" in out["error"]


def test_an_identity_that_fails_is_reported_and_the_run_goes_on():
    from identities._core import Identity, Source, Tex

    def closed(x):
        raise ValueError("broken closed form")

    bad = Identity(
        **dict(id="local.broken", family="local", name="broken", f=jnp.sum, closed=closed, argnames=("x",)),
        **dict(wrt="x", shapes={"x": "n"}, requires={}, tex=Tex("", "", ""), sources=(Source("t", ""),)),
    )
    result = bench.run([bad, identities.get("vector.cTx")], bench.Config(**{**FAST.__dict__, "quick": True}))
    broken, fine = result["identities"]
    assert broken["sizes"][0]["status"] == "error" and "broken closed form" in broken["sizes"][0]["error"]
    assert fine["sizes"][0]["status"] == "ok"
    json.dumps(result, allow_nan=False)


def test_sweeps():
    cfg = bench.Config()
    dk = identities.get("dK/dR")
    assert bench.sweep(dk, cfg) == [dict(s) for s in dk.bench_sizes]  # declared in the record
    derived = bench.sweep(identities.get("matrix.logabsdet_X"), cfg)
    ns = [s["n"] for s in derived]
    assert ns == sorted(ns) and len(ns) == cfg.sweep_len and ns[-1] // ns[-2] == cfg.sweep_step
    logabsdet = identities.get("matrix.logabsdet_X")  # n×n argument, scalar output: the argument cap binds
    for s in derived:  # within the caps, and the next power of two is not
        out, arg = bench.footprint(logabsdet, s)
        assert out <= cfg.max_bytes and arg <= cfg.max_arg_bytes
    assert bench.footprint(logabsdet, {"n": 2 * ns[-1]})[1] > cfg.max_arg_bytes
    inv = bench.sweep(identities.get("matrix.inv_X"), cfg)[-1]  # a 4-tensor output of a small argument
    out, arg = bench.footprint(identities.get("matrix.inv_X"), inv)
    assert cfg.max_arg_bytes < out <= cfg.max_bytes and arg <= cfg.max_arg_bytes
    quick = bench.sweep(dk, bench.Config(quick=True))
    assert len(quick) == 1 and max(bench.footprint(dk, quick[0])) <= bench.Config().quick_bytes
    assert bench.sweep(identities.get("scalar.exp"), cfg) == [{}]
    given = bench.Config(sizes=bench.parse_sizes("16,m=8:n=4"))
    assert bench.sweep(identities.get("vector.Ax"), given) == [{"m": 16, "n": 16}, {"m": 8, "n": 4}]


def _scanned(ident, out_cap, arg_cap):
    """The definition of a derived sweep's largest size: double n from 2 while both byte counts fit."""
    best, n = 2, 4
    while n <= bench.MAX_N:
        out, arg = bench.footprint(ident, bench.scaled(ident, n))
        if out > out_cap or arg > arg_cap:
            break
        best, n = n, 2 * n
    return best


@pytest.mark.parametrize(
    "ident_id",
    [
        "basic.sum_rule",  # vectors and a scalar argument: bytes are a + b*n, not a power of n
        "by_scalar.vs_const",  # a scalar argument and a vector output
        "matrix.inv_X",  # a 4-tensor output
        "losses.least_squares",  # N > D: the base's proportions, rounded at small n
        "matnorms.nuclear",  # m > n, clamped at 1 at small n: the guess is low at the default caps
        "forms.rayleigh_ratio",  # the guess is low at a 1 KiB output cap
    ],
)
def test_largest_fitting_size_is_the_doubling_scans(ident_id):
    """sweep guesses the largest size from three footprints and steps from the guess: the same answer as
    doubling n from 2, whether the guess is high, low or right, and at either cap."""
    ident = identities.get(ident_id)
    cfg = bench.Config()
    for out_cap, arg_cap in [
        (cfg.max_bytes, cfg.max_arg_bytes),
        (1 << 30, 1 << 12),
        (1 << 12, 1 << 30),
        (1024, 1 << 20),
        (48, 1 << 30),
    ]:
        assert bench._largest_fitting(ident, out_cap, arg_cap) == _scanned(ident, out_cap, arg_cap), (out_cap, arg_cap)


@pytest.mark.parametrize("bad", ["", "x", "0", "n=", "n=-1", "=4"])
def test_parse_sizes_rejects(bad):
    with pytest.raises(ValueError, match="--sizes"):
        bench.parse_sizes(bad)


def test_select():
    assert [i.id for i in bench.select("tensors.*")] == ["tensors.dAx_dA", "tensors.dK_dR"]
    assert [i.id for i in bench.select("dK/dR")] == ["tensors.dK_dR"]
    assert {i.id for i in bench.select("l2_hessian,vector.xTx")} == {"norms.l2_hessian", "vector.xTx"}
    assert bench.select("no-such-thing") == []


def test_verdict_needs_more_than_noise():
    q = lambda m, lo, hi: {"median": m, "q25": lo, "q75": hi}
    assert bench.verdict(q(20.0, 18.0, 22.0), 1e-3, 2e-2, 1e-5) == "faster"
    assert bench.verdict(q(0.5, 0.4, 0.6), 2e-3, 1e-3, 1e-5) == "slower"
    assert bench.verdict(q(0.5, 0.4, 0.6), 2e-5, 1e-5, 1e-4) == "tie"  # below the dispatch floor
    assert bench.verdict(q(0.95, 0.5, 1.5)) == "tie"
    assert bench.verdict(None) == "-"


def test_run_json_schema_and_reports(tmp_path, monkeypatch):
    goal = ("vector.Ax", {"m": 3, "n": 5}, ("jacrev",), 1e9, "a billion times faster")  # a size not in the sweep
    monkeypatch.setattr(bench, "TARGETS", (goal,))
    result = bench.run(
        bench.select("vector.Ax,norms.l2_hessian"), bench.Config(**{**FAST.__dict__, "quick": True}), targets=True
    )
    text = json.dumps(result, allow_nan=False)  # strict JSON: no NaN or infinity
    data = json.loads(text)
    assert data["schema"] == bench.SCHEMA
    env = data["environment"]
    for key in ("jax", "jaxlib", "numpy", "python", "backend", "device", "cpu_count", "x64", "date"):
        assert key in env
    assert env["x64"] is True
    for when in ("before", "after"):
        (b,) = data["bandwidth"][when]
        assert b["fill_bytes_per_s"] > 0 and b["regime"] == "warm"
    assert data["dispatch_floor_s"]["median"] > 0
    assert [r["id"] for r in data["identities"]] == ["norms.l2_hessian", "vector.Ax"]
    for rec in data["identities"]:
        (s,) = rec["sizes"]
        assert s["status"] == "ok" and s["verdict"] in ("faster", "slower", "tie")
        assert set(s["programs"]) >= {"closed"} and len(s["programs"]) >= 2
        for p in s["programs"].values():
            assert set(p["memory"]) == {"temp", "output", "argument", "alias"}
            assert p["lower_s"] > 0 and p["compile_s"] > 0 and p["one_shot_s"] >= p["first_call_s"] > 0
            assert p["time"]["q25"] <= p["time"]["median"] <= p["time"]["q75"]
            assert p["agrees"] is True
            assert p["bandwidth"]["fraction_of_fill"] > 0
        assert s["programs"]["closed"]["memory"]["output"] == s["output_bytes"] and s["output_ndim"] == 2
        assert s["best"]["variant"] in s["programs"]
        assert s["best"]["ratio"]["n"] == s["programs"]["closed"]["time"]["n"] >= 3
    (t,) = data["targets"]
    assert t["id"] == "vector.Ax" and t["label"] == "m=3,n=5" and t["variant"] == "jacrev"
    assert t["met"] is False and t["ratio"]["median"] > 0 and t["record"]["status"] == "ok"
    written = write_docs(result, tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {"bench/results/latest.json", "docs/benchmarks.md", "docs/_static/bench/vector.png"} <= names
    md = (tmp_path / "docs/benchmarks.md").read_text()
    assert "## Environment" in md and "vector.Ax" in md and "_static/bench/norms.png" in md
    assert "a billion times faster" in md
    assert json.loads((tmp_path / "bench/results/latest.json").read_text())["schema"] == bench.SCHEMA


def test_cli(tmp_path, capsys):
    assert main(["bench", "--only", "no-such-thing"]) == 2
    assert main(["bench", "--docs", "--quick"]) == 2
    assert main(["bench", "--sizes", "n="]) == 2
    out = tmp_path / "r.json"
    assert main(["bench", "--only", "vector.cTx", "--quick", "--no-progress", "--json", str(out)]) == 0
    assert "vector.cTx" in capsys.readouterr().out
    assert json.loads(out.read_text())["identities"][0]["id"] == "vector.cTx"
    assert main(["bench", "--from-json", str(out)]) == 2  # only with --docs
    assert main(["bench", "--docs", "--from-json", str(out), "--quick"]) == 2


def test_long_tables_are_html_with_checked_links():
    """A table over LONG_TABLE rows is one HTML block (no blank line inside, which would end it in
    Markdown); ids link to their catalog anchors, unknown ids stay text, cells are escaped."""
    short = _table(["identity", "x"], [["vector.Ax", "a|b"]])
    assert short.startswith("| identity | x |") and "a\\|b" in short
    body = [["vector.Ax", "<1 µs"], ["gone.id", "x"]] * (LONG_TABLE // 2 + 1)
    html = _table(["identity", "x"], body)
    assert html.startswith("<div") and html.endswith("</table>\n</div>") and "\n\n" not in html
    assert '<a href="catalog/vector.html#vector.Ax">vector.Ax</a>' in html
    assert "<td>gone.id</td>" in html and "&lt;1 µs" in html


# --- XLA's memory figures: a closed form needs no scratch beyond its output, or beyond autodiff's -----------
SLACK = 64 * 1024  # bytes: pivots, info words, small vectors (the sizes are the largest of the sweep)
# Closed forms allowed a stated number of extra n×n buffers beyond autodiff's scratch, with the reason.
EXTRA_SQUARE_BUFFERS = {
    # measured at m, n = 256, 192: the QR alone takes 1,081,408 temporary bytes with its outputs; the closed
    # form adds the symmetric right-hand side copyltu(R R̄ᵀ) and the triangular solve's result (XLA copies the
    # right-hand side into trsm's output buffer), two n×n buffers where jax.vjp's rule needs 2/3 of one
    "qr.qr_tall_R_vjp": 1,
}


def _memory_size(ident):
    """The largest size of the default sweep: XLA's CPU dot emitter materialises a transposed operand only
    for large operands (-2*Phi.T@r copies Phi at N=4096, D=512, not at N=D=64)."""
    return bench.sweep(ident, bench.Config())[-1]


@pytest.mark.parametrize("ident", identities.catalog(), ids=lambda i: i.id)
def test_closed_form_scratch_is_bounded(ident):
    """Temporary bytes of the compiled closed form are at most twice its output (one factorisation's
    workspace and its result) plus a small constant; a closed form that needs more must need no more
    than autodiff (grad, jacrev, hessian, jvp or vjp). A materialised transpose or copy of an argument fails
    this."""
    sizes = _memory_size(ident)
    specs = bench._specs(ident, sizes)
    with not_written_to_the_cache():  # at the sweep's largest size: compiled here only
        closed, _ = bench.compile_program(ident.closed, specs, "closed")
    temp, out = closed.memory["temp"], closed.memory["output"]
    if temp <= 2 * out + SLACK:
        return
    scalar = len(jax.eval_shape(ident.f, *specs[: len(ident.argnames)]).shape) == 0
    progs = bench.variants(ident, scalar)
    lean = next(k for k in bench.LEAN if k in progs)  # reverse mode, where it applies
    with not_written_to_the_cache():
        leanest = bench.compile_program(progs[lean], specs, lean)[0].memory["temp"]
    square = 8 * sizes.get("n", 0) ** 2 * EXTRA_SQUARE_BUFFERS.get(ident.id, 0)
    assert temp <= leanest + SLACK + square, (
        f"{ident.id} at {bench.label(sizes)}: the closed form needs {temp} temporary bytes for a {out}-byte "
        f"output, {lean} {leanest}: a materialised transpose or copy?"
    )


def test_scratch_check_catches_a_materialised_transpose():
    """The spelling the issue warns about, -2*Phi.T@r, copies the transpose; r@Phi does not."""
    ident = identities.get("losses.least_squares")
    specs = bench._specs(ident, {"N": 4096, "D": 512})
    bad = jax.jit(lambda y, Phi, theta: (-2 * Phi.T) @ (y - Phi @ theta)).lower(*specs).compile()
    good = jax.jit(ident.closed).lower(*specs).compile()
    assert bad.memory_analysis().temp_size_in_bytes >= 4096 * 512 * 8  # Phiᵀ, copied
    assert good.memory_analysis().temp_size_in_bytes <= 2 * 512 * 8 + 2 * 4096 * 8 + SLACK  # r, twice


def test_scratch_allowances_name_identities_of_the_catalog():
    assert set(EXTRA_SQUARE_BUFFERS) <= set(identities.REGISTRY), "an allowance names an identity that is gone"
