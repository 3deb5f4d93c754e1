"""identities.find and ``python -m identities find``: matching, mappings, preconditions, no match, refusals."""

from __future__ import annotations

import json
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities.__main__ import main
from identities.find import FindError, find, find_expr


def test_reordered_and_renamed_arguments():
    def f(Q, Y, P):  # tr(P Y Q): the catalog's tr(A X B) with A = P, X = Y, B = Q
        return jnp.trace(P @ Y @ Q)

    r = find(f, "p m", "m n", "n p", wrt="Y")
    m = next(m for m in r if m.identity.id == "trace.tr_AXB")
    assert m.mapping == {"Q": "B", "Y": "X", "P": "A"}
    assert m.wrt == "Y"


def test_equivalent_expressions_are_found():
    # tr(Aᵀ X) written as the catalog's tr(XᵀA), as a sum of products, and with the arguments swapped
    for text in ("trace(X.T @ A)", "trace(A.T @ X)", "sum(A * X)"):
        assert "trace.tr_XTA" in find_expr(text, "X").ids, text
    for text in ("x @ A @ x", "x.T @ A @ x", "sum(x * (A @ x))"):
        assert "vector.xTAx" in find_expr(text, "x").ids, text


def test_derivative_at_the_users_point_in_both_layouts():
    rng = np.random.default_rng(1)
    A, B, X = rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3))

    def f(X, A, B):
        return jnp.trace(A @ X @ B @ X.T)

    r = find(f, X, A, B, wrt=0)
    assert r.matches and all(m.user_point for m in r)
    m = r.matches[0]
    grad = np.asarray(jax.grad(f)(X, A, B))
    np.testing.assert_allclose(np.asarray(m.derivative("denominator")), grad, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(m.derivative("numerator")), grad.T, rtol=1e-12)


def test_a_match_under_a_precondition_says_so():
    r = find_expr("x @ A @ x", "x")
    sym = next(m for m in r if m.identity.id == "forms.xTAx_sym")
    assert sym.preconditions == ("A must be symmetric",)
    plain = next(m for m in r if m.identity.id == "vector.xTAx")
    assert plain.preconditions == ()
    assert r.ids.index("vector.xTAx") < r.ids.index("forms.xTAx_sym")  # unconditional matches first
    # at a point of the user's where A is not symmetric, the closed form is refused, with the reason
    x, A = np.array([1.0, 2.0, 3.0]), np.arange(9.0).reshape(3, 3)
    at_point = {m.identity.id: m for m in find(lambda x, A: x @ A @ x, x, A)}
    assert "symmetric" in (at_point["forms.xTAx_sym"].refused or "")
    assert at_point["vector.xTAx"].refused is None


def test_no_match_says_so_and_offers_neighbours():
    r = find_expr("sin(x) * exp(x) @ x", "x")
    assert not r and r.ids == []
    assert "no identity" in r.message and "identities.check" in r.message
    assert r.closest and all(n.identity.argnames and len(n.identity.argnames) == 1 for n in r.closest)


def test_a_wrong_candidate_is_not_matched():
    # tr(A X B) with the transpose in the wrong place differs from every tr(AXB)-like identity
    assert "trace.tr_AXB" not in find_expr("trace(A @ X.T @ B)", "X").ids
    assert "trace.tr_AXTB" in find_expr("trace(A @ X.T @ B)", "X").ids


def test_a_function_off_by_a_small_factor_is_not_matched():
    assert "trace.tr_XTA" in find_expr("trace(X.T @ A)", "X").ids
    assert "trace.tr_XTA" not in find_expr("1.0001 * trace(X.T @ A)", "X").ids
    assert "trace.tr_XTA" not in find_expr("trace(X.T @ A) + 0.0001", "X").ids


def test_agreement_at_one_size_is_not_enough():
    # tr(XᵀA) at the first size assignment only (a function a single size cannot tell from the identity)
    first = identities.get("trace.tr_XTA").size_assignments()[0]["m"]

    def f(X, A):
        return jnp.trace(X.T @ A) if X.shape[0] == first else 0.0 * jnp.trace(X.T @ A)

    assert "trace.tr_XTA" in find(lambda X, A: jnp.trace(X.T @ A), wrt="X").ids
    assert "trace.tr_XTA" not in find(f, wrt="X").ids


def test_scalar_shapes_and_hessians():
    r = find_expr("sin(t) * t ** 2", "t", shapes={"t": ""})  # the catalog's x² sin x, reordered
    assert r.ids[0] == "scalar.product" and r.matches[0].mapping == {"t": "x"}
    r = find_expr("norm(A @ x - b) ** 2", "x")
    kinds = {m.identity.kind for m in r}
    assert {"jacobian", "hessian"} <= kinds


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: find(lambda X, A: jnp.trace(X @ A), wrt="Y"), "wrt='Y' is not an argument"),
        (lambda: find(lambda X, A: jnp.trace(X @ A), wrt=5), "out of range"),
        (lambda: find(lambda X, A: jnp.trace(X @ A), "n n"), "takes 2 arguments"),
        (lambda: find(lambda X: jnp.trace(X), "n ?"), "bad dimension name"),
        (lambda: find(lambda X: jnp.trace(X), (3, 0)), "at least 1"),
        (lambda: find(lambda X: jnp.trace(X), np.eye(2), complex_args=["X"]), "declared complex but given as a real"),
        (lambda: find(lambda X: jnp.trace(X), "n n", complex_args=["Y"]), "complex argument 'Y' is not an argument"),
        (lambda: find_expr("trace(X)", "X", complex_args=["Z"]), "--complex Z: not a variable"),
        (lambda: find(lambda X: jnp.trace(X), shapes={"Y": "n n"}), "which f does not take"),
        (lambda: find_expr("trace(X @ A)", "B"), "not a variable"),
        (lambda: find_expr("trace(X @ A)", "X", {"Z": "n"}), "not a variable"),
        (lambda: find_expr("trace(B @ A) + y", None), "several variables"),
        (lambda: find(lambda X: X, kinds=("gradient",)), "unknown kind"),
    ],
)
def test_bad_lookups_are_refused_by_name(call, words):
    with pytest.raises(FindError, match=words):
        call()


def test_only_restricted_to_candidates_changes_nothing():
    """find(f, among=[ident]) answers as find(f) does for ident: what the coverage checks rely on."""
    for ident_id in ("trace.tr_AXB", "vector.xTAx", "matrix.det_X", "norms.l2"):
        ident = identities.get(ident_id)
        shapes = [ident.shapes[a] for a in ident.argnames]
        full = find(ident.f, *shapes, wrt=ident.wrt).ids
        alone = find(ident.f, *shapes, wrt=ident.wrt, among=[ident]).ids
        assert alone == [ident_id] and ident_id in full


def test_a_lookup_takes_well_under_a_second_of_cpu():
    find_expr("trace(A @ X @ B @ X.T)", "X")  # the first lookup compiles JAX's eager kernels for these shapes
    t = time.process_time()
    for _ in range(3):
        find_expr("trace(A @ X @ B @ X.T)", "X")
    assert (time.process_time() - t) / 3 < 1.0


# --- the command line -----------------------------------------------------------------------------------------
def test_cli_prints_the_identity_mapping_and_both_layouts(capsys):
    assert main(["find", "trace(A @ X @ B @ X.T)", "--wrt", "X"]) == 0
    out = capsys.readouterr().out
    assert "trace.tr_XTBXC" in out and "MC(117)" in out
    assert "A -> B, X -> X, B -> C" in out
    assert "numerator" in out and "denominator" in out


def test_cli_json(capsys):
    assert main(["find", "x @ A @ x", "--wrt", "x", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    ids = [m["id"] for m in d["matches"]]
    assert ids[0] == "vector.xTAx"
    first = d["matches"][0]
    assert first["mapping"] == {"x": "x", "A": "A"} and set(first["derivative"]) == {"numerator", "denominator"}


def test_cli_scalar_shape(capsys):
    assert main(["find", "c * X", "--wrt", "X", "--shape", "c="]) == 0
    out = capsys.readouterr().out
    assert "basic.scaled" in out and "c -> alpha" in out and "c: scalar" in out


@pytest.mark.parametrize(
    ("argv", "status", "words"),
    [
        (["find", "sin(x) * exp(x) @ x"], 1, "no match"),
        (["find", "trace(X @ A)", "--wrt", "Q"], 2, "--wrt Q: not a variable"),
        (["find", "trace(X @ A)", "--shape", "Q=n"], 2, "--shape Q: not a variable"),
        (["find", "trace(X @ A)", "--shape", "A"], 2, "expected NAME=DIMS"),
        (["find", "trace(X @ A)", "--shape", "A=m ?"], 2, "bad dimension"),
        (["find", "trace(X @ A)", "--shape", "A=n", "--shape", "A=n n"], 2, "given twice"),
        (["find", "trace(X @ A)", "--shape", "A=2 3", "--shape", "X=3 3"], 1, "no match"),  # X @ A undefined
        (["find", "X.__class__"], 2, "column 3"),
        (["find", "trace(X"], 2, "not an expression"),
    ],
)
def test_cli_refusals_and_no_match(capsys, argv, status, words):
    try:
        code = main(argv)
    except SystemExit as e:  # argparse refuses a bad option value itself
        code = e.code
    assert code == status
    captured = capsys.readouterr()
    assert words in captured.out + captured.err
    assert "Traceback" not in captured.err


def test_a_complex_point_finds_the_complex_identity_and_its_closed_form_there():
    z = np.array(1.5 - 0.5j)
    result = find(lambda z: jnp.abs(z) ** 2, z)
    assert result.ids == ["complex_basic.sq_abs"]
    m = result.matches[0]
    assert m.user_point and m.point["z"] == z
    # declared as the conjugate Wirtinger derivative: d|z|^2/d(conj z) = z at the user's point
    assert m.identity.complex_form == "conj_wirtinger"
    assert np.allclose(m.derivative(), z)


def test_cli_complex_lookup_prints_the_convention_and_strict_json(capsys):
    code = main(["find", "real(conj(a) @ z)", "--wrt", "z", "--complex", "a", "--complex", "z", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and [m["id"] for m in out["matches"]] == ["complex_basic.re_aHz"]
    match = out["matches"][0]
    assert match["complex_convention"] == "conj_wirtinger"
    assert set(match["point"]["values"]["z"][0]) == {"re", "im"}  # complex numbers as their parts
    # drawn real, the same expression is the real inner product: real identities only
    assert main(["find", "real(conj(a) @ z)", "--wrt", "z", "--json"]) == 0
    ids = [m["id"] for m in json.loads(capsys.readouterr().out)["matches"]]
    assert ids and not any(i.startswith("complex_") for i in ids)
    assert main(["find", "abs(z) ** 2", "--wrt", "z", "--shape", "z=", "--complex", "z"]) == 0
    assert "convention   conj_wirtinger" in capsys.readouterr().out
