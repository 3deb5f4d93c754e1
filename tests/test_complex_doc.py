"""docs/complex.md is what the suite computes and measures now (identities/complex_doc.py renders it)."""

from __future__ import annotations

import pytest

from identities import complex_doc


@pytest.fixture(autouse=True, scope="module")
def _frameworks() -> None:
    """The page measures PyTorch and TensorFlow: imported here, when the module's tests run, not at collection
    (4 s in every pytest-xdist worker)."""
    pytest.importorskip(
        "torch", reason="PyTorch is not installed (pip install 'identities[torch]'): the page measures it"
    )
    pytest.importorskip(
        "tensorflow", reason="TensorFlow is not installed (pip install 'identities[tensorflow]'): the page measures it"
    )


def test_complex_md_is_generated_from_the_suite():
    text = complex_doc.PAGE.read_text()
    rendered = complex_doc.render()
    assert text == rendered, (
        "docs/complex.md differs from what the suite computes; regenerate it with "
        "python -c 'import identities.complex_doc as c; c.write()'"
    )


def test_complex_md_shows_every_complex_identity_and_the_measured_conjugates():
    import identities

    text = complex_doc.PAGE.read_text()
    for ident in identities.catalog():
        if ident.is_complex:
            assert f"| `{ident.id}` |" in text
    assert "= **2 − 4i** (the `jax`" in text and "= **2 + 4i** (the `torch` row" in text
    assert "TensorFlow's `tape.gradient` follows PyTorch: **2 + 4i** for |z|² and **2 − 4i**" in text


def test_complex_special_points_are_judged_by_the_mathematics():
    """What each framework returns at the complex special points (the records of complex identities, then
    the eigen- and singular-vector phases), re-measured (same on XLA default/SSE4.2 and PyTorch
    DEFAULT/AVX2 when recorded): |z| at 0 valid in both; arg at 0 NaN in JAX and a finite 0 in PyTorch (no
    finite answer is valid); on the cut each framework's √ derivative is its own value's side, and JAX's
    value ignores the −0 of −4 − 0i; PyTorch refuses the phase of an eigenvector or singular vector, JAX
    returns a number."""
    import identities

    rows = {r["point"]: r for r in complex_doc.special_points()}
    assert len(rows) == sum(len(i.special) for i in identities.catalog() if i.is_complex) + 2
    assert rows["abs(z) at z = 0"]["jax"].endswith("(valid)") and rows["abs(z) at z = 0"]["torch"].endswith("(valid)")
    angle0 = rows["angle(z) at z = 0"]
    assert angle0["jax"].endswith("(nan)") and angle0["torch"].endswith("(invalid)")
    sqrt = rows["sqrt(z) at z = −4 − 0i (on the branch cut)"]
    assert "from above: the sign of the zero is ignored), the derivative of that side" in sqrt["jax"]
    assert "from below, as C99/NumPy), the derivative of that side" in sqrt["torch"]
    assert sqrt["jax"].endswith("(one-sided)") and sqrt["torch"].endswith("(one-sided)")
    eig = rows["the phase of an eigenvector (eigh of [[2, i], [−i, 3]])"]
    assert eig["torch"].startswith("RuntimeError") and "finite gradient" in eig["jax"]
