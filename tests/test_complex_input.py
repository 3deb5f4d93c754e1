"""Negative controls: complex input is refused (not yet supported), never cast to float64.

A cast drops the imaginary part silently (NumPy only warns), and with it the verdict can be wrong: the
conjugated gradient 2·conj(z) of Σ|zᵢ|² was judged correct, because both sides were compared at Re(z).
Until complex support lands, every entry point refuses complex input with a DTypeError whose message
names the argument and says so: ``identities.check``, ``identities.check_identity``,
``identities.testing.assert_gradient``, ``Identity.closed_form`` (arguments and the tangent of a jvp
identity), complex values returned by the candidate derivative or by f, and ``eval`` on the command line.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities import DTypeError
from identities.__main__ import main
from identities.testing import assert_gradient, assert_identity

COMPLEX = "complex input is not supported yet"
Z = np.array([1 + 2j, -0.5 + 1j, 3 - 1j])


def sq_abs(z):
    return jnp.sum(jnp.abs(z) ** 2)


def conj_grad(z):  # a conjugated gradient: Re-part equal to 2 Re(z), so a cast hides the mistake
    return 2 * jnp.conj(z)


def test_conjugated_gradient_of_sum_abs_squared_is_refused_not_judged_correct():
    with pytest.raises(DTypeError, match=rf"check: argument z is complex \(complex128\): {COMPLEX}"):
        identities.check(sq_abs, conj_grad, Z)


def test_assert_gradient_refuses_rather_than_passing():
    with pytest.raises(DTypeError, match=rf"argument z .*{COMPLEX}"):
        assert_gradient(sq_abs, conj_grad, Z)


@pytest.mark.parametrize(
    "z",
    [Z, list(Z), 1 + 2j, jnp.asarray(Z), Z.astype(np.complex64)],
    ids=["ndarray", "list", "python complex", "jax array", "complex64"],
)
def test_check_refuses_every_complex_container(z):
    with pytest.raises(DTypeError, match=f"argument z .*{COMPLEX}"):
        identities.check(sq_abs, lambda z: 2 * z, z)


def test_check_names_the_complex_argument_among_several():
    A = np.eye(3)
    with pytest.raises(DTypeError, match=f"argument A .*{COMPLEX}"):
        identities.check(lambda x, A: x @ A @ x, lambda x, A: (A + A.T) @ x, np.ones(3), A + 0j)


def test_check_refuses_a_complex_candidate_value_on_real_input():
    x = np.array([1.0, -2.0, 0.5])
    with pytest.raises(DTypeError, match=f"the candidate <lambda>'s value is complex .*{COMPLEX}"):
        identities.check(lambda x: jnp.sum(x**2), lambda x: 2 * x + 0j, x)
    assert identities.check(lambda x: jnp.sum(x**2), lambda x: 2 * x, x).ok  # the control


def test_check_refuses_a_complex_valued_f():
    """f's value is complex: JAX's jacobian refuses it, and the finite-difference fallback must too."""
    with pytest.raises(DTypeError, match=f"f's value is complex .*{COMPLEX}"):
        identities.check(lambda x: jax.lax.complex(jnp.sum(x**2), jnp.sum(x)), lambda x: 2 * x, np.ones(3))


def test_check_identity_refuses_a_complex_candidate_value():
    def my_grad(x, A):
        return (A + A.T) @ x + 0j

    with pytest.raises(DTypeError, match=f"vector.xTAx: the candidate my_grad's value is complex .*{COMPLEX}"):
        identities.check_identity("vector.xTAx", my_grad)
    with pytest.raises(DTypeError, match=COMPLEX):
        assert_identity("vector.xTAx", my_grad)
    assert identities.check_identity("vector.xTAx", lambda x, A: (A + A.T) @ x).ok  # the control


@pytest.mark.parametrize(
    "x",
    [np.array([3.0, 4.0]) + 0j, [3 + 0j, 4.0], [[3.0], [4j]], 3 + 4j, jnp.asarray([3.0, 4.0 + 1j])],
    ids=["ndarray", "list", "nested list", "python complex", "jax array"],
)
def test_closed_form_refuses_complex_arguments(x):
    with pytest.raises(DTypeError, match=f"norms.l2: argument x .*{COMPLEX}"):
        identities.get("norms.l2").closed_form(x)


def test_closed_form_refuses_a_complex_tangent():
    ident = next(i for i in identities.catalog() if i.kind == "jvp")
    name = f"d{ident.wrt}"
    sizes = ident.size_assignments()[0]
    from identities.verify import draw_inputs

    args = draw_inputs(ident, np.random.default_rng(0), sizes)
    tangent = np.ones(np.shape(args[ident.wrt])) * (1 + 1j)
    with pytest.raises(DTypeError, match=f"argument {name} .*{COMPLEX}"):
        ident.closed_form(*(args[a] for a in ident.argnames), tangent)


def test_torch_complex_tensors_are_refused():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'identities[torch]')")
    z = torch.tensor([1 + 2j, 3 - 1j])
    with pytest.raises(DTypeError, match=f"argument z .*{COMPLEX}"):
        identities.check(sq_abs, conj_grad, z)
    with pytest.raises(DTypeError, match=f"argument x .*{COMPLEX}"):
        identities.get("norms.l2").closed_form(z)
    x = np.array([1.0, 2.0])
    with pytest.raises(DTypeError, match=f"value is complex .*{COMPLEX}"):
        identities.check(lambda x: jnp.sum(x**2), lambda x: torch.as_tensor(2 * x) * (1 + 0j), x)


@pytest.mark.parametrize("value", ["[3+4j, 1]", "2j", "[[1, 2], [3, 4j]]"])
def test_cli_eval_refuses_a_complex_literal(capsys, value):
    """JSON has no complex numbers; a Python-style complex literal is refused as complex, exit 2."""
    assert main(["eval", "norms.l2", "--arg", f"x={value}"]) == 2
    err = capsys.readouterr().err
    assert "--arg x" in err and COMPLEX in err
