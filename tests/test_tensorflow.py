"""TensorFlow: the catalog's functions evaluated with TensorFlow's ops from their one JAX declaration, its
native linear-algebra ops used where JAX names a library call, limitations named, and the framework
findings recorded in docs/framework-findings.md (asserted, so a changed behaviour shows up)."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from _support import PROFILE, DeferredModule

import identities
from identities import exact
from identities.frameworks.conformance import conformance_of
from identities.frameworks.interpreter import UnsupportedPrimitive
from identities.verify import draw_inputs

_MISSING = "TensorFlow is not installed: pip install 'identities[tensorflow]' to run these"
tf = DeferredModule("tensorflow", reason=_MISSING)
tfa = DeferredModule("identities.frameworks.tensorflow", reason=_MISSING)


def _args(ident, seed=0):
    a = draw_inputs(ident, np.random.default_rng(seed), ident.size_assignments()[0])
    return tuple(a[n] for n in ident.argnames)


def _translation_params():
    """The whole catalog with IDENTITIES_PROFILE=thorough; by default one identity per family and kind plus
    the linear-algebra calls (the full catalog runs in CI: `python -m identities conformance`)."""
    if PROFILE == "thorough":
        return [i for i in identities.catalog() if not i.is_complex]
    chosen = {}
    for ident in identities.catalog():
        if not ident.is_complex:  # complex identities: their own tests below and the conformance run
            chosen.setdefault((ident.family, ident.kind), ident)
    picked = {i.id: i for i in chosen.values()}
    for key in ("matrix.det_X", "matrix.logabsdet_X", "matrix.inv_X", "matrix.aT_Xinv_b", "norms.drone_speed"):
        picked[key] = identities.get(key)
    return list(picked.values())


_EIG = "the general eig (complex eigenvalues of a real matrix): the table translates eigh only"
# Identities whose f uses a JAX primitive that the TensorFlow table does not translate: id -> (primitive,
# why). A literal, as for PyTorch (tests/test_torch.py): a new identity with such a primitive, or a new
# translation, changes the catalog's set and the test below says which ids to add or remove.
EXPECTED_UNSUPPORTED: dict[str, tuple[str, str]] = {
    "eigen.sum_eig": ("eig", _EIG),
    "eigen.prod_eig": ("eig", _EIG),
}


def _unsupported(ident) -> str | None:
    try:
        tfa.tf_function(ident, _args(ident))
    except UnsupportedPrimitive as e:
        assert e.primitive and str(e).startswith(f"unsupported primitive {e.primitive}")
        return e.primitive
    return None


def test_unsupported_translations_are_exactly_the_expected_ones():
    """Every identity of the catalog is translated into TensorFlow: the ones it cannot run are exactly
    EXPECTED_UNSUPPORTED, in both directions."""
    real = [i for i in identities.catalog() if not i.is_complex]  # complex ones: the next test
    actual = {i.id: p for i in real if (p := _unsupported(i)) is not None}
    want = {k: p for k, (p, _) in EXPECTED_UNSUPPORTED.items()}
    assert actual == want, f"tests/test_tensorflow.py EXPECTED_UNSUPPORTED is out of date: found {actual}"


@pytest.mark.parametrize("ident", _translation_params(), ids=lambda i: i.id)
def test_tensorflow_translation_computes_the_same_function(ident):
    """Each identity's f, translated from its jaxpr, gives JAX's value in TensorFlow, unless it is one of
    the expected untranslatable identities (then the primitive it names is the expected one)."""
    args = _args(ident)
    try:
        f, _ = tfa.tf_function(ident, args)
    except UnsupportedPrimitive as e:
        assert ident.id in EXPECTED_UNSUPPORTED, f"{ident.id} is not expected to be untranslatable: {e}"
        assert e.primitive == EXPECTED_UNSUPPORTED[ident.id][0], str(e)
        return
    assert ident.id not in EXPECTED_UNSUPPORTED, f"{ident.id} translates now: remove it from EXPECTED_UNSUPPORTED"
    got = f(*(tf.constant(a) for a in args)).numpy()
    np.testing.assert_allclose(got, np.asarray(ident.f(*args)), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("ident_id", "native"),
    [
        ("matrix.det_X", "tf.linalg.det"),
        ("matrix.logabsdet_X", "tf.linalg.slogdet"),
        ("matrix.inv_X", "tf.linalg.inv"),
        ("matrix.aT_Xinv_b", "tf.linalg.solve"),
        ("norms.l2", "tf.norm"),
        # the catalog's own e^X (trace.expm, jitted, so a named call), as jax.scipy.linalg.expm is
        ("trace.tr_expX", "tf.linalg.expm"),
        ("giles.expm_jvp", "tf.linalg.expm"),
    ],
)
def test_library_calls_use_tensorflow_native_ops(ident_id, native):
    """TensorFlow's own gradient registry is what is tested, not its derivative of JAX's implementation."""
    ident = identities.get(ident_id)
    _, natives = tfa.tf_function(ident, _args(ident))
    assert native in natives


def test_unsupported_primitive_is_named_not_skipped():
    base = identities.get("vector.xTx")
    with_cummin = dataclasses.replace(  # x·x + 0·Σ cummin(x): the same derivative, a primitive TF lacks here
        base, id="vector.xTx~cummin", f=lambda x: x @ x + 0.0 * jnp.sum(jax.lax.cummin(x)), closed=lambda x: 2 * x
    )
    with pytest.raises(UnsupportedPrimitive, match="cummin"):
        tfa.tf_function(with_cummin, _args(base))
    results = [r for r in conformance_of(with_cummin, ("jax", "tensorflow")) if r.point is None]
    assert [r.status for r in results if r.framework == "tensorflow"] == ["unsupported"]
    assert all(r.status == "ok" for r in results if r.framework == "jax")


def test_an_op_without_a_gradient_is_reported_unsupported_by_name():
    """tf.linalg.lu has no registered gradient (TensorFlow 2.21.0): each check says so, named; the run
    goes on."""
    base = identities.get("matrix.det_X")
    via_lu = dataclasses.replace(  # ±det(X) through JAX's lu primitive: the product of U's diagonal
        base, id="matrix.det_X~lu", f=lambda X: jnp.prod(jnp.diag(jax.lax.linalg.lu(X)[0])), special=()
    )
    results = [r for r in conformance_of(via_lu, ("tensorflow",), generic=True) if r.point is None]
    assert results and all(r.status == "unsupported" for r in results), results
    assert all("unsupported primitive Lu" in r.detail and "registers no gradient" in r.detail for r in results)


# Singular matrices whose LU with partial pivoting is exact on every kernel path (identities.exact): the
# zero pivot that makes TensorFlow's inverse refuse them is met whatever the instructions.
SINGULAR = [
    np.array([[-2.0, -1, 0], [0, -1, -1], [4, 3, 1]]),
    np.array([[4.0, 0, -3, 3], [0, 4, 0, 1], [-8, 7, 10, -3], [0, -1, 4, 1]]),
    np.array([[1.0, 2], [2, 4]]),
]


@pytest.mark.parametrize("X", SINGULAR, ids=["3x3", "4x4", "2x2"])
def test_finding_tensorflow_det_gradient_raises_at_a_singular_matrix(X):
    """Finding (TensorFlow 2.21.0, docs/framework-findings.md §10): the gradient of tf.linalg.det is
    det(X)·inv(X)ᴴ, so at a singular X the tape (and forward mode) raise 'Input is not invertible', although
    d det/dX = adj(X)ᵀ exists. The deviation's condition (tf.linalg.inv raises) holds at each."""
    from identities.frameworks.deviations import TF_INVERSE_RAISES

    assert exact.det(X) == 0 and exact.lu_exact_on_every_path(X) and exact.lu_exact_on_every_path(X.T)
    T = tf.constant(X)
    assert float(tf.linalg.det(T)) == 0.0
    with tf.GradientTape() as tape:
        tape.watch(T)
        d = tf.linalg.det(T)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        tape.gradient(d, T)
    assert TF_INVERSE_RAISES.measure({"X": X})[0]
    assert not TF_INVERSE_RAISES.measure({"X": X + np.eye(len(X))})[0]


def test_finding_tensorflow_eigh_gradient_is_taken_on_the_lower_triangle():
    """TensorFlow's eigvalsh gradient is tril(2 v vᵀ) with v_k² on the diagonal (linalg_grad.py): on
    symmetric directions, that is, after symmetrizing, it equals the closed form v vᵀ; it is not v vᵀ."""
    ident = identities.get("eigen.eigvals_sym")
    (A,) = _args(ident)
    T = tf.constant(A)
    with tf.GradientTape() as tape:
        tape.watch(T)
        w = tf.linalg.eigvalsh(T)
    J = tape.jacobian(w, T).numpy()
    closed = np.asarray(ident.closed(A))
    assert np.all(np.triu(J, 1) == 0) and not np.allclose(J, closed, atol=1e-6)
    np.testing.assert_allclose((J + np.swapaxes(J, -1, -2)) / 2, closed, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("scale", "want"), [(1e-170, "inf"), (1e170, "zero")])
def test_finding_tensorflow_norm_gradient_out_of_float64_range(scale, want):
    """Finding (TensorFlow 2.21.0, docs/framework-findings.md §12): tf.norm does not rescale; at
    (3, 4, 0)·1e170 its gradient is 0 (a silent wrong number), at ·1e-170 (inf, inf, NaN); the gradient
    is (0.6, 0.8, 0) at every scale."""
    x = tf.constant([3.0, 4.0, 0.0], dtype=tf.float64) * scale
    with tf.GradientTape() as tape:
        tape.watch(x)
        n = tf.norm(x)
    g = tape.gradient(n, x).numpy()
    if want == "zero":
        assert np.all(g == 0)
    else:
        assert np.isinf(g[:2]).all() and np.isnan(g[2])


def test_kernel_path_names_tensorflow_onednn_switch():
    """python -m identities.kernels reports TensorFlow's oneDNN switch as TensorFlow reads it (CI's
    tf-onednn path checks it is in force with --expect)."""
    import os

    from identities import kernels

    path = kernels.tensorflow_path()
    assert path in ("oneDNN on", "oneDNN off")
    if os.environ.get("TF_ENABLE_ONEDNN_OPTS") in ("0", "1"):
        assert path == ("oneDNN on" if os.environ["TF_ENABLE_ONEDNN_OPTS"] == "1" else "oneDNN off")
    assert kernels.main(["--expect", f"tensorflow={path}"]) == 0
    other = "oneDNN off" if path == "oneDNN on" else "oneDNN on"
    assert kernels.main(["--expect", f"tensorflow={other}"]) == 1


def test_tensorflow_complex_convention_is_measured_to_be_pytorchs():
    """tape.gradient of a real f is ∂f/∂x + i∂f/∂y, and of a holomorphic f it is conj f′(z): PyTorch's."""
    z0 = 1.0 + 2.0j
    z = tf.constant(z0, dtype=tf.complex128)

    def grad(f):
        with tf.GradientTape() as tape:
            tape.watch(z)
            y = f(z)
        return complex(tape.gradient(y, z).numpy())

    assert grad(lambda z: tf.math.real(z * tf.math.conj(z))) == pytest.approx(2 * z0)  # ∂/∂x + i∂/∂y of |z|²
    assert grad(lambda z: z * z) == pytest.approx(np.conj(2 * z0))  # conj f′ of z²
    assert tfa.COMPLEX_CONVENTION == "torch"


@pytest.mark.parametrize(
    "ident_id", ["complex_basic.lstsq", "complex_basic.zHAz_hermitian", "complex_basic.logdet_hpd"]
)
def test_complex_identities_conform_in_the_torch_convention(ident_id):
    results = [r for r in conformance_of(identities.get(ident_id), ("tensorflow",)) if r.point is None]
    assert results and all(r.status == "ok" for r in results), [(r.check, r.status, r.detail) for r in results]


def test_finding_tensorflow_complex_det_gradient_misses_the_conjugate():
    """docs/framework-findings.md §14: TensorFlow returns det(A)·A⁻ᴴ where its convention needs conj(det A)·A⁻ᴴ."""
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    a = tf.constant(A)
    with tf.GradientTape() as tape:
        tape.watch(a)
        d = tf.linalg.det(a)
    got = tape.gradient(d, a, output_gradients=tf.constant(1.0 + 0.0j, dtype=tf.complex128)).numpy()
    det, inv_h = np.linalg.det(A), np.linalg.inv(A).conj().T
    assert abs(det.imag) > 0.1  # the finding needs a determinant that is not real
    assert np.allclose(got, det * inv_h) and not np.allclose(got, np.conj(det) * inv_h)
    results = [r for r in conformance_of(identities.get("complex_basic.det_X"), ("tensorflow",)) if r.point is None]
    assert results and {r.status for r in results} == {"deviation"}


def test_finding_branch_cut_side_of_sqrt_in_tensorflow_and_jax():
    """docs/framework-findings.md §15: on the cut at −4 − 0i (the −0 names the lower side: C99 csqrt, NumPy
    and PyTorch give −2i) TensorFlow's and JAX's sqrt give 2i, the upper side; both keep the sign of the zero
    in their input (TensorFlow's angle and log read it: −π) and each one's derivative is its own value's
    side (TensorFlow's .grad, in PyTorch's convention conj f′, is i/4: f′ = −i/4 = 1/(2·2i))."""
    import torch

    z = np.array(complex(-4.0, -0.0))
    assert complex(np.sqrt(z)) == -2j and complex(torch.sqrt(torch.as_tensor(z))) == -2j
    t = tf.Variable(tf.constant(z))
    with tf.GradientTape() as tape:
        y = tf.sqrt(t)
    assert np.signbit(tf.math.imag(t).numpy()) and float(tf.math.angle(t)) == -np.pi
    assert complex(y.numpy()) == 2j and complex(tape.gradient(y, t).numpy()) == 0.25j
    assert complex(jnp.sqrt(jnp.asarray(z))) == 2j
    assert complex(jax.grad(jnp.sqrt, holomorphic=True)(jnp.asarray(z))) == -0.25j
