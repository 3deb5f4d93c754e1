"""The shared jaxpr interpreter (identities.frameworks.interpreter) is framework-neutral, and every
framework's adapter module provides what the conformance harness calls (identities.frameworks.adapter)."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

import identities
from identities.frameworks import adapter, conformance
from identities.frameworks.interpreter import Table, UnsupportedPrimitive, function
from identities.verify import draw_inputs


def _args(ident, seed=0):
    a = draw_inputs(ident, np.random.default_rng(seed), ident.size_assignments()[0])
    return tuple(a[n] for n in ident.argnames)


def _numpy_table(**native) -> Table:
    """A fourth 'framework' of a few lines: NumPy, enough for x·Ax and det(X), no autodiff."""

    def dot_general(x, y, dimension_numbers, **_):
        (lc, rc), (lb, rb) = dimension_numbers
        assert not lb and not rb
        return np.tensordot(x, y, axes=(list(lc), list(rc)))

    return Table(
        name="numpy",
        const=lambda v: np.array(v),
        to_numpy=np.asarray,
        is_tensor=lambda x: isinstance(x, np.ndarray),
        is_float=lambda x: isinstance(x, np.ndarray) and x.dtype.kind == "f",
        promote=lambda x, y: (x, y),
        unary={"neg": np.negative},
        binary={"add": np.add, "mul": np.multiply, "sub": np.subtract},
        rules={"dot_general": dot_general, "reduce_sum": lambda x, axes, **_: np.sum(x, axis=tuple(axes))},
        native=native,
    )


def test_interpreter_runs_a_table_it_was_never_written_for():
    ident = identities.get("vector.xTAx")
    args = _args(ident)
    f, natives = function(_numpy_table(), ident, args)
    np.testing.assert_allclose(f(*args), np.asarray(ident.f(*args)), rtol=1e-13)
    assert natives == set()


def test_named_call_goes_to_the_native_function_the_probe_confirms():
    ident = identities.get("matrix.det_X")
    args = _args(ident)
    wrong = ("numpy.trace", np.trace)  # a candidate that computes something else is passed over
    f, natives = function(_numpy_table(det=(wrong, ("numpy.linalg.det", np.linalg.det))), ident, args)
    np.testing.assert_allclose(f(*args), np.asarray(ident.f(*args)), rtol=1e-12)
    assert natives == {"numpy.linalg.det"}


def test_a_primitive_missing_from_the_table_is_named():
    ident = identities.get("matrix.det_X")  # without a native det, the call is interpreted: lu is not in the table
    with pytest.raises(UnsupportedPrimitive) as e:
        function(_numpy_table(), ident, _args(ident))
    assert e.value.primitive and str(e.value).startswith(f"unsupported primitive {e.value.primitive}")


def test_frameworks_are_the_adapters_between_jax_and_finite_differences():
    assert conformance.FRAMEWORKS == ("jax", *adapter.ADAPTERS, "numpy-fd")


@pytest.mark.parametrize("name", list(adapter.ADAPTERS))
def test_each_adapter_provides_what_the_harness_calls(name):
    spec = adapter.ADAPTERS[name]
    if not adapter.available(name):
        pytest.skip(f"{spec.title} is not installed: {spec.install}")
    mod = adapter.load(name)
    assert mod.NAME == name == mod.TABLE.name and isinstance(mod.VERSION, str)
    assert callable(mod.derivatives) and callable(mod.at_point)
    assert callable(mod.numeric_failure) and not mod.numeric_failure(TypeError("a translation bug"))
    # absolute imports: the adapter's framework is the installed package, not the adapter module itself
    framework = importlib.import_module(spec.package)
    pkg_dir = Path(adapter.__file__).parent
    assert pkg_dir not in Path(framework.__file__).parents
    assert any(v is framework for v in vars(mod).values()), f"{mod.__name__} does not use {spec.package}"
