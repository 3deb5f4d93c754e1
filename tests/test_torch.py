"""PyTorch: the catalog's functions evaluated in PyTorch from their one JAX declaration, and the
framework findings recorded in docs/framework-findings.md (asserted, so a changed behaviour shows up)."""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np
import pytest
from _support import PROFILE, DeferredModule

import identities
from identities import exact
from identities.frameworks.interpreter import UnsupportedPrimitive
from identities.verify import draw_inputs

_MISSING = "PyTorch is not installed: pip install 'identities[torch]' to run these"
torch = DeferredModule("torch", reason=_MISSING)
pytorch = DeferredModule("identities.frameworks.torch", reason=_MISSING)


def _args(ident, seed=0):
    a = draw_inputs(ident, np.random.default_rng(seed), ident.size_assignments()[0])
    return tuple(a[n] for n in ident.argnames)


def _translation_params():
    """The whole catalog with IDENTITIES_PROFILE=thorough; by default one identity per family and kind plus
    the linear-algebra calls (the full catalog runs in CI through `python -m identities conformance`)."""
    if PROFILE == "thorough":
        return identities.catalog()
    chosen = {}
    for ident in identities.catalog():
        chosen.setdefault((ident.family, ident.kind), ident)
    picked = {i.id: i for i in chosen.values()}
    for key in ("matrix.det_X", "matrix.logabsdet_X", "matrix.inv_X", "matrix.aT_Xinv_b", "norms.drone_speed"):
        picked[key] = identities.get(key)
    return list(picked.values())


_EIG = "the general eig returns complex eigenvalues: the torch table translates eigh only (no complex dtypes yet)"
# Identities whose f uses a JAX primitive that the PyTorch adapter (identities.frameworks.torch) does not
# translate: id -> (primitive, why). A literal expectation, not computed: an identity added with such a
# primitive, or a translation added to the adapter, changes the catalog's set, and
# test_unsupported_translations_are_exactly_the_expected_ones says which ids to add here or remove.
EXPECTED_UNSUPPORTED: dict[str, tuple[str, str]] = {
    "eigen.sum_eig": ("eig", _EIG),
    "eigen.prod_eig": ("eig", _EIG),
}


def _unsupported(ident) -> str | None:
    """The primitive the PyTorch adapter cannot translate in ident.f, or None when the translation succeeds."""
    try:
        pytorch.torch_function(ident, _args(ident))
    except UnsupportedPrimitive as e:
        assert e.primitive and str(e).startswith(f"unsupported primitive {e.primitive}")
        return e.primitive
    return None


def unsupported_mismatch(actual: dict[str, str]) -> str:
    """What to change in EXPECTED_UNSUPPORTED so that it equals ``actual`` (id -> primitive); "" if nothing."""
    lines = [f"add {k!r}: ({p!r}, <why>)" for k, p in sorted(actual.items()) if k not in EXPECTED_UNSUPPORTED]
    lines += [f"remove {k!r} (it translates now)" for k in sorted(set(EXPECTED_UNSUPPORTED) - set(actual))]
    lines += [
        f"change {k!r}: primitive {actual[k]!r}, not {EXPECTED_UNSUPPORTED[k][0]!r}"
        for k in sorted(set(actual) & set(EXPECTED_UNSUPPORTED))
        if actual[k] != EXPECTED_UNSUPPORTED[k][0]
    ]
    return "; ".join(lines)


def test_unsupported_translations_are_exactly_the_expected_ones():
    """Every identity of the catalog is translated (7.5 s CPU): the ones PyTorch cannot run are exactly
    EXPECTED_UNSUPPORTED, in both directions."""
    actual = {i.id: p for i in identities.catalog() if (p := _unsupported(i)) is not None}
    diff = unsupported_mismatch(actual)
    assert not diff, f"tests/test_torch.py EXPECTED_UNSUPPORTED is out of date: {diff}"


def test_unsupported_mismatch_names_the_ids_to_add_and_remove():
    actual = {k: p for k, (p, _) in EXPECTED_UNSUPPORTED.items() if k != "eigen.sum_eig"}
    actual |= {"decomp.new_one": "qr", "eigen.prod_eig": "while"}
    assert unsupported_mismatch(actual) == (
        "add 'decomp.new_one': ('qr', <why>); remove 'eigen.sum_eig' (it translates now); "
        "change 'eigen.prod_eig': primitive 'while', not 'eig'"
    )
    assert unsupported_mismatch({k: p for k, (p, _) in EXPECTED_UNSUPPORTED.items()}) == ""


@pytest.mark.parametrize("ident", _translation_params(), ids=lambda i: i.id)
def test_torch_translation_computes_the_same_function(ident):
    """Each identity's f, translated from its jaxpr, gives JAX's value in PyTorch, unless it is one of the
    expected untranslatable identities (then the primitive it names is the expected one)."""
    args = _args(ident)
    try:
        tf, _ = pytorch.torch_function(ident, args)
    except UnsupportedPrimitive as e:
        assert ident.id in EXPECTED_UNSUPPORTED, f"{ident.id} is not expected to be untranslatable: {e}"
        assert e.primitive == EXPECTED_UNSUPPORTED[ident.id][0], str(e)
        return
    assert ident.id not in EXPECTED_UNSUPPORTED, f"{ident.id} translates now: remove it from EXPECTED_UNSUPPORTED"
    got = tf(*(torch.as_tensor(a) for a in args)).detach().numpy()
    np.testing.assert_allclose(got, np.asarray(ident.f(*args)), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("ident_id", "native"),
    [
        ("matrix.det_X", "torch.linalg.det"),
        ("matrix.logabsdet_X", "torch.linalg.slogdet"),
        ("matrix.inv_X", "torch.linalg.inv"),
        ("matrix.aT_Xinv_b", "torch.linalg.solve"),
        ("norms.l2", "torch.linalg.vector_norm"),
        # the catalog's own e^X (trace.expm, jitted, so a named call), as jax.scipy.linalg.expm is
        ("trace.tr_expX", "torch.linalg.matrix_exp"),
        ("giles.expm_jvp", "torch.linalg.matrix_exp"),
    ],
)
def test_library_calls_use_torch_native_functions(ident_id, native):
    """PyTorch's own derivative rules are what is tested, not its derivative of JAX's implementation."""
    ident = identities.get(ident_id)
    _, natives = pytorch.torch_function(ident, _args(ident))
    assert native in natives


def test_unsupported_primitive_is_named_not_skipped():
    from identities.frameworks.conformance import conformance_of

    base = identities.get("vector.xTx")
    from jax import lax

    with_cummin = dataclasses.replace(  # x·x + 0·Σ cummin(x): the same derivative, a primitive torch lacks here
        base, id="vector.xTx~cummin", f=lambda x: x @ x + 0.0 * jnp.sum(lax.cummin(x)), closed=lambda x: 2 * x
    )
    with pytest.raises(UnsupportedPrimitive, match="cummin"):
        pytorch.torch_function(with_cummin, _args(base))
    results = [r for r in conformance_of(with_cummin, ("jax", "torch")) if r.point is None]
    assert [r.status for r in results if r.framework == "torch"] == ["unsupported"]
    assert "unsupported primitive cummin" in next(r.detail for r in results if r.framework == "torch")
    assert all(r.status == "ok" for r in results if r.framework == "jax")


# Singular matrices whose LU with partial pivoting, of X and of Xᵀ, is exact on every kernel path
# (identities.exact.lu_exact_on_every_path): their computed determinant is exactly 0 whatever the CPU, so
# the findings below hold on every path. [[1, 2, 3], [2, 4, 6], [0, 1, 1]] is not such a matrix: on MKL's
# AVX2 and AVX-512 paths torch.linalg.det of it is 3.3e-16, and torch's derivatives are then right.
SINGULAR = [
    np.array([[-2.0, -1, 0], [0, -1, -1], [4, 3, 1]]),
    np.array([[4.0, 0, -3, 3], [0, 4, 0, 1], [-8, 7, 10, -3], [0, -1, 4, 1]]),
    np.array([[1.0, 2], [2, 4]]),
]


def test_singular_matrices_are_exact_on_every_kernel_path():
    for X in SINGULAR:
        assert exact.det(X) == 0 and exact.lu_exact_on_every_path(X) and exact.lu_exact_on_every_path(X.T)


@pytest.mark.parametrize("X", SINGULAR, ids=["3x3", "4x4", "2x2"])
def test_finding_torch_forward_mode_det_at_exactly_singular_matrix_is_zero(X):
    """Finding (torch 2.13.0, docs/framework-findings.md): at a matrix whose computed determinant is exactly
    0, torch.func.jacfwd, torch.func.jvp and torch.autograd.grad of torch.linalg.det return 0, while the
    derivative adj(X)^T is not 0; torch.func.jacrev returns adj(X)^T."""
    T = torch.as_tensor(X)
    C = exact.cofactors(X)
    assert float(torch.linalg.det(T)) == 0.0 and np.abs(C).max() > 1
    np.testing.assert_allclose(torch.func.jacrev(torch.linalg.det)(T).numpy(), C, atol=1e-12)
    assert np.all(torch.func.jacfwd(torch.linalg.det)(T).numpy() == 0)
    assert float(torch.func.jvp(torch.linalg.det, (T,), (torch.as_tensor(C),))[1]) == 0.0  # true: ||C||_F^2 > 0
    Tr = T.clone().requires_grad_(True)
    assert np.all(torch.autograd.grad(torch.linalg.det(Tr), Tr)[0].numpy() == 0)


def test_finding_jax_det_gradient_at_singular_diagonal_matrix_is_zero():
    """Finding (jax 0.10.2): for n >= 4 (LU path), jax.grad/jacfwd of jnp.linalg.det at diag(1, 2, 0, 3)
    return 0; adj(X)^T = 6 e3 e3^T. For n <= 3 (cofactor formulas) and for a 4x4 whose zero pivot is not on
    its diagonal JAX is right. Every matrix here is exact on every kernel path (identities.exact)."""
    import jax

    X = np.diag([1.0, 2.0, 0.0, 3.0])
    C = exact.cofactors(X)
    assert C[2, 2] == 6.0
    assert np.all(np.asarray(jax.grad(jnp.linalg.det)(X)) == 0)
    assert np.all(np.asarray(jax.jacfwd(jnp.linalg.det)(X)) == 0)
    # a diagonal matrix factors exactly (no rounding in its LU), so the adjugate is exact: seen exact with
    # XLA's default and --xla_cpu_max_isa=SSE4_2; a few ulps of slack for other paths
    np.testing.assert_allclose(
        jax.grad(jnp.linalg.det)(np.diag([1.0, 0.0, 3.0])),
        np.diag([0.0, 3.0, 0.0]),
        rtol=0,
        atol=4 * 3 * np.finfo(float).eps,
    )
    np.testing.assert_allclose(jax.grad(jnp.linalg.det)(SINGULAR[1]), exact.cofactors(SINGULAR[1]), atol=1e-12)


def test_norm_at_zero_torch_returns_a_subgradient():
    """torch.linalg.vector_norm's backward at 0 is 0 (a valid subgradient); JAX's is NaN."""
    x = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    g = torch.autograd.grad(torch.linalg.vector_norm(x), x)[0]
    assert torch.all(g == 0)
    assert identities.get("norms.l2").special[0].is_valid(g.numpy())


@pytest.mark.parametrize("scale", [1e-170, 1e170])
def test_finding_torch_vector_norm_gradient_is_silently_zero_out_of_float64_range(scale):
    """Finding (torch 2.13.0, docs/framework-findings.md §4): torch.linalg.vector_norm does not rescale, so
    at (3, 4, 0)·1e-170 the norm underflows to 0 and at ·1e170 overflows to inf; in both cases its gradient
    is 0, a finite wrong number, while the gradient is x/‖x‖ = (0.6, 0.8, 0) at every scale."""
    x = torch.tensor([3.0, 4.0, 0.0], dtype=torch.float64) * scale
    xr = x.clone().requires_grad_(True)
    assert torch.all(torch.autograd.grad(torch.linalg.vector_norm(xr), xr)[0] == 0)
    assert torch.all(torch.func.jacfwd(torch.linalg.vector_norm)(x) == 0)
