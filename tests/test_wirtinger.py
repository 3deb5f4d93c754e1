"""The complex conventions of identities.wirtinger: conversions, and the frameworks' facts, measured here.

Every fact the module's docstring states about JAX and PyTorch is re-measured: jax.grad and PyTorch's
.grad of |z|² at 1 + 2i, jax.vjp and backward(1) of z z̄ + 3z, jax.grad(holomorphic=True) on a
non-holomorphic f, and PyTorch's backward(1) on a holomorphic one. Each is compared with the pair
(∂f/∂z, ∂f/∂z̄) read in the named convention, so a wrong formula in to_convention fails here.
"""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import identities
from identities.layout import COMPLEX_CONVENTIONS, ConventionError, Wirtinger, convert, from_convention, to_convention
from identities.wirtinger import INVERTIBLE_HOLOMORPHIC, INVERTIBLE_REAL

Z0 = 1.0 + 2.0j
SQ_ABS = Wirtinger(np.conj(Z0), Z0)  # |z|²: ∂/∂z = z̄, ∂/∂z̄ = z
ZZBAR_3Z = Wirtinger(np.conj(Z0) + 3, Z0)  # z z̄ + 3z (complex-valued)


def test_jax_grad_of_abs_squared_is_the_jax_convention():
    got = complex(jax.grad(lambda z: jnp.abs(z) ** 2)(Z0))
    assert got == pytest.approx(2 - 4j)
    assert got == pytest.approx(complex(to_convention(SQ_ABS, "jax", real_valued=True)))
    assert got != pytest.approx(complex(to_convention(SQ_ABS, "torch", real_valued=True)))


def test_jax_vjp_with_cotangent_one_is_the_jax_convention_for_complex_output():
    _, pullback = jax.vjp(lambda z: z * jnp.conj(z) + 3 * z, Z0)
    got = complex(pullback(1.0 + 0j)[0])
    assert got == pytest.approx(5 - 4j)
    assert got == pytest.approx(complex(to_convention(ZZBAR_3Z, "jax", real_valued=False)))


def test_jax_holomorphic_true_on_a_non_holomorphic_f_is_not_the_wirtinger_derivative():
    got = complex(jax.grad(lambda z: z * jnp.conj(z), holomorphic=True)(Z0))
    pair = SQ_ABS  # z z̄ has the same pair as |z|²
    assert got == pytest.approx(2 * np.conj(Z0))  # 2 − 4i
    assert got != pytest.approx(complex(pair.dz))  # ∂f/∂z = z̄ = 1 − 2i
    with pytest.raises(ConventionError, match="not holomorphic"):
        to_convention(pair, "holomorphic", real_valued=False)


def test_jax_grad_refuses_complex_output_without_holomorphic():
    with pytest.raises(TypeError, match="real-valued outputs"):
        jax.grad(lambda z: z**2)(Z0)


def test_torch_conventions():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install 'identities[torch]')")
    z = torch.tensor(Z0, dtype=torch.complex128, requires_grad=True)
    (z.abs() ** 2).backward()
    assert complex(z.grad) == pytest.approx(2 + 4j)
    assert complex(z.grad) == pytest.approx(complex(to_convention(SQ_ABS, "torch", real_valued=True)))
    assert complex(z.grad) == pytest.approx(complex(to_convention(SQ_ABS, "cookbook", real_valued=True)))
    z = torch.tensor(Z0, dtype=torch.complex128, requires_grad=True)
    (z * z.conj() + 3 * z).backward(torch.tensor(1 + 0j, dtype=torch.complex128))
    assert complex(z.grad) == pytest.approx(5 + 4j)
    assert complex(z.grad) == pytest.approx(complex(to_convention(ZZBAR_3Z, "torch", real_valued=False)))
    z = torch.tensor(Z0, dtype=torch.complex128, requires_grad=True)
    (z**2).backward(torch.tensor(1 + 0j, dtype=torch.complex128))  # holomorphic: conj(f′(z))
    holo = Wirtinger(2 * Z0, 0j)
    assert complex(z.grad) == pytest.approx(np.conj(2 * Z0))
    assert complex(z.grad) == pytest.approx(complex(to_convention(holo, "torch", real_valued=False)))


RNG = np.random.default_rng(0)
D = RNG.standard_normal((3, 2)) + 1j * RNG.standard_normal((3, 2))


@pytest.mark.parametrize(("a", "b"), list(itertools.product(INVERTIBLE_REAL, repeat=2)))
def test_conversions_for_real_f_round_trip(a, b):
    back = convert(convert(D, a, b), b, a)
    np.testing.assert_allclose(back, D, rtol=1e-15, atol=0)


@pytest.mark.parametrize("c", INVERTIBLE_REAL)
def test_real_f_pair_is_conjugate_symmetric(c):
    w = from_convention(D, c, real_valued=True)
    np.testing.assert_array_equal(w.dzbar, np.conj(w.dz))
    np.testing.assert_allclose(to_convention(w, c, real_valued=True), D, rtol=1e-15)


@pytest.mark.parametrize("c", INVERTIBLE_HOLOMORPHIC)
def test_holomorphic_pair_has_no_conjugate_part(c):
    w = from_convention(D, c, real_valued=False, holomorphic=True)
    assert not np.any(w.dzbar)
    np.testing.assert_allclose(to_convention(w, c, real_valued=False), D, rtol=1e-15)


def test_partials_and_wirtinger_agree():
    w = Wirtinger.from_partials(D, 2 * D)
    np.testing.assert_allclose(to_convention(w, "re", real_valued=False), D)
    np.testing.assert_allclose(to_convention(w, "im", real_valued=False), 2 * D)


def test_unknown_and_undefined_conventions_are_refused():
    with pytest.raises(ConventionError, match="unknown complex convention 'pytorch'"):
        to_convention(SQ_ABS, "pytorch", real_valued=True)
    with pytest.raises(ConventionError, match="defined for real-valued f only"):
        to_convention(ZZBAR_3Z, "cookbook", real_valued=False)
    with pytest.raises(ConventionError, match="does not determine"):
        from_convention(D, "re", real_valued=True)
    assert set(COMPLEX_CONVENTIONS) == {
        "wirtinger",
        "conj_wirtinger",
        "cookbook",
        "torch",
        "jax",
        "holomorphic",
        "re",
        "im",
    }


COMPLEX = [i for i in identities.catalog() if i.is_complex]


def test_at_least_forty_complex_identities():
    assert len(COMPLEX) >= 40


@pytest.mark.parametrize("ident", COMPLEX, ids=lambda i: i.id)
def test_closed_form_in_every_convention_is_one_derivative(ident):
    """closed_form(convention=c) for every c that applies, and each is the conversion of the others."""
    from identities.verify import draw_inputs

    args = draw_inputs(ident, np.random.default_rng(1), ident.size_assignments()[0])
    call = [args[a] for a in ident.argnames]
    real_valued = ident.real_valued(tuple(call))
    pair = ident.wirtinger(*(jnp.asarray(a) for a in call))
    for c in COMPLEX_CONVENTIONS:
        if (c == "cookbook" and not real_valued) or (c == "holomorphic" and not ident.holomorphic):
            with pytest.raises(ConventionError):
                ident.closed_form(*call, convention=c)
            continue
        got = np.asarray(ident.closed_form(*call, convention=c))
        np.testing.assert_allclose(got, to_convention(pair, c, real_valued=real_valued), rtol=1e-13, atol=1e-13)
        if real_valued and c in INVERTIBLE_REAL:
            np.testing.assert_allclose(convert(got, c, "jax"), ident.closed_form(*call, convention="jax"), rtol=1e-13)


def test_convention_is_refused_for_a_real_variable():
    with pytest.raises(ConventionError, match=r"norms\.l2: convention=.torch. applies to complex variables"):
        identities.get("norms.l2").closed_form(np.ones(3), convention="torch")
