"""Complex input is judged in its convention where the variable is complex, and refused where it is real.

A cast to float64 drops the imaginary part silently (NumPy only warns), and with it the verdict can be
wrong: before complex support, the conjugated gradient of Σ|zᵢ|² was judged correct because both sides
were compared at Re(z). Now ``identities.check`` with a complex variable compares the candidate with the
derivative in the named convention (``convention=``, default ``"jax"``) and names the convention a
conjugated candidate is in. Where the variable (or the identity's argument) is real, complex input is
still refused with a DTypeError naming the argument: complex arguments beside a real variable, complex
values returned by the candidate or by f, ``Identity.closed_form`` of a real identity (arguments and the
tangent of a jvp identity), and ``eval`` on the command line for a real identity.
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


def test_conjugated_gradient_of_sum_abs_squared_is_judged_in_its_convention():
    """2 conj(z) is JAX's gradient of Σ|zᵢ|² (jax.grad: ∂f/∂x − i∂f/∂y); 2z is PyTorch's (and the Cookbook's)."""
    assert identities.check(sq_abs, conj_grad, Z).ok  # convention="jax" by default
    wrong = identities.check(sq_abs, conj_grad, Z, convention="torch")
    assert not wrong.ok and "pass convention='jax'" in wrong.diagnosis
    assert identities.check(sq_abs, lambda z: 2 * z, Z, convention="torch").ok


def test_assert_gradient_fails_a_conjugated_gradient():
    with pytest.raises(AssertionError, match="pass convention='torch'"):
        assert_gradient(sq_abs, lambda z: 2 * z, Z)
    assert assert_gradient(sq_abs, lambda z: 2 * z, Z, convention="torch").ok


@pytest.mark.parametrize(
    "z",
    [Z, list(Z), 1 + 2j, jnp.asarray(Z), Z.astype(np.complex64)],
    ids=["ndarray", "list", "python complex", "jax array", "complex64"],
)
def test_check_judges_every_complex_container(z):
    assert identities.check(sq_abs, lambda z: 2 * jnp.conj(jnp.asarray(z)), z, rtol=1e-6).ok
    report = identities.check(sq_abs, lambda z: 2 * jnp.asarray(z), z, rtol=1e-6)
    assert not report.ok and "PyTorch's convention" in report.diagnosis


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


def test_torch_complex_tensors_are_judged_or_refused():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'identities[torch]')")
    z = torch.tensor([1 + 2j, 3 - 1j], dtype=torch.complex128)
    assert identities.check(sq_abs, lambda z: 2 * z, z, convention="torch").ok  # a complex variable: judged
    with pytest.raises(DTypeError, match=f"argument x .*{COMPLEX}"):
        identities.get("norms.l2").closed_form(z)
    x = np.array([1.0, 2.0])
    with pytest.raises(DTypeError, match=f"value is complex .*{COMPLEX}"):
        identities.check(lambda x: jnp.sum(x**2), lambda x: torch.as_tensor(2 * x) * (1 + 0j), x)


@pytest.mark.parametrize("value", ["[3+4j, 1]", "2j", "[[1, 2], [3, 4j]]"])
def test_cli_eval_refuses_a_complex_literal_for_a_real_argument(capsys, value):
    """A Python-style complex literal (JSON has none) is read as complex; a real identity refuses it, naming
    the argument, exit 2 (a complex identity takes it: tests/test_cli_fuzz.py)."""
    assert main(["eval", "norms.l2", "--arg", f"x={value}"]) == 2
    err = capsys.readouterr().err
    assert "argument x" in err and COMPLEX in err


def test_complex64_candidate_is_judged_at_single_precision():
    """A correct complex64 gradient rounds like float32 in each part: it must pass where the float32
    analogue passes (it was judged WRONG at float64's 1e-9 before complex dtypes had tolerances), and a
    conjugated complex64 candidate must still fail, named."""
    z = np.array([1.1 + 2.3j, -0.57 + 0.31j, 2.2 - 1.3j], dtype=np.complex64)
    f = lambda z: jnp.sum(jnp.abs(z) ** 3)
    right = identities.check(f, lambda z: (3 * jnp.abs(z)).astype(jnp.complex64) * jnp.conj(z), z, convention="jax")
    assert right.ok, str(right)
    x = np.array([1.1, 2.3, 0.7], dtype=np.float32)
    assert identities.check(
        lambda x: jnp.sum(jnp.abs(x) ** 3), lambda x: (3 * jnp.abs(x) * x).astype(jnp.float32), x
    ).ok
    wrong = identities.check(f, lambda z: (3 * jnp.abs(z)).astype(jnp.complex64) * z, z, convention="jax")
    assert not wrong.ok and "torch" in str(wrong)
