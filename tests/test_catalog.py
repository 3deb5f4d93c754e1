"""Every identity in the registry against jacfwd/jacrev/grad (or hessian/jvp/vjp) and finite differences,
on inputs hypothesis draws from the declared shapes and preconditions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _support import not_written_to_the_cache, sized_params
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import identities
from identities import strategies
from identities.verify import check_batch, check_examples, check_inputs, extra_shape

# A group's draws must stay well inside hypothesis' buffer (BUFFER_SIZE, 8192 units; a float64 element of an
# array takes up to 8 for its value and about 10 for the array strategy's choices around it): an example
# that outgrows the buffer is dropped as an overrun, not run (the test counts the examples that ran). Half
# the buffer at 24 units per element.
_ELEMENTS_PER_GROUP = 170


def _elements(ident: identities.Identity, sizes: dict[str, int]) -> int:
    """Floats drawn for one example of ``ident`` at ``sizes``: its arguments and tangent or cotangent."""
    shapes = ident.arg_shapes(sizes)
    n = sum(math.prod(shapes[a]) * (2 if a in ident.dtypes else 1) for a in ident.argnames)
    eshape = extra_shape(ident, sizes)
    return n + (math.prod(eshape) if eshape is not None else 0)


def catalog_groups() -> list:
    """The (identity, sizes) pairs of :func:`sized_params` in groups checked by one compiled program: real
    identities of a family at their k-th size assignment, in runs of at most ``_ELEMENTS_PER_GROUP`` drawn
    floats; each complex identity alone (it has its own program, :func:`identities.verify.check_inputs`)."""
    runs: dict[tuple[str, int], list[list[tuple[identities.Identity, dict[str, int]]]]] = {}
    out = []
    seen: dict[str, int] = {}  # an identity's k-th pair is its k-th size assignment (they may repeat: {}, {})
    for p in sized_params():
        ident, sizes = p.values
        k = seen[ident.id] = seen.get(ident.id, -1) + 1
        if ident.is_complex:
            out.append(pytest.param([(ident, sizes)], id=p.id))
            continue
        chunks = runs.setdefault((ident.family, k), [[]])
        if chunks[-1] and sum(_elements(*m) for m in chunks[-1]) + _elements(ident, sizes) > _ELEMENTS_PER_GROUP:
            chunks.append([])
        chunks[-1].append((ident, sizes))
    for (family, k), chunks in runs.items():
        out += [pytest.param(c, id=f"{family}[{k}]#{j}") for j, c in enumerate(chunks)]
    return out


def _expected_checks(ident: identities.Identity) -> set[str]:
    """The references every example of ``ident`` must be compared with."""
    return {
        "jacobian": {"jacfwd", "jacrev", "grad (jax)", "fd (re)", "fd (im)"}
        if ident.is_complex
        else {"jacfwd", "jacrev", "fd"},
        "hessian": {"hessian", "jacrev(jacrev)", "fd2"},
        "jvp": {"jvp", "jacfwd·v", "fd"},
        "vjp": {"vjp", "jacrev·g", "fd (dot test)"},
    }[ident.kind]


@pytest.mark.parametrize("group", catalog_groups())
def test_closed_form_matches_references(group):
    """Each identity of the group at its own drawn inputs, as many examples as the profile says; the group's
    verification programs are compiled as one (:func:`identities.verify.check_batch`), as ``verify`` does per
    family. One identity alone: ``python -m identities verify ID``.

    Not shrunk: shrinking would shrink every member's draws while one member fails (5 minutes, hypothesis'
    limit, for one wrong closed form of a 6-member group); the failing example is printed as drawn, each
    array labelled with its identity. The examples that ran are counted: hypothesis drops an example whose
    draws outgrow its buffer without a word (data_too_large is suppressed for the large identities)."""
    ran = []

    @settings(phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(data=st.data())
    def check(data):
        drawn = []
        for ident, sizes in group:
            args = data.draw(strategies.inputs(ident, sizes), label=f"{ident.id} inputs")
            extra = data.draw(strategies.extra_for(ident, sizes), label=f"{ident.id} tangent/cotangent")
            drawn.append((ident, args, extra))
        if len(drawn) == 1 and drawn[0][0].is_complex:
            results = [check_inputs(*drawn[0])]
        else:
            results = check_batch(drawn)
        problems = []
        for (ident, _, _), res in zip(drawn, results, strict=True):
            missing = _expected_checks(ident) - {r.check for r in res}
            if missing:
                problems.append(f"{ident.id}: reference check(s) missing: {sorted(missing)}")
            problems += [r.describe(ident.id) for r in res if not r.ok]
        assert not problems, "\n".join(problems)
        ran.append(True)

    if len(group) == 1 and group[0][0].is_complex:
        check()  # a complex identity's own program: conformance and the complex checks compile it again
    else:
        with not_written_to_the_cache():  # a group's program: compiled here only
            check()
    want = settings().max_examples
    assert len(ran) == want, (
        f"{len(ran)} of {want} examples ran: the group's draws outgrow hypothesis' buffer, split it"
    )


def test_groups_cover_every_sized_identity_once():
    """The groups hold exactly sized_params()' pairs, as often as it does (a scalar identity's size
    assignments repeat: {}, {}); a group holds an identity once, a family's real identities only, complex
    ones alone."""
    pairs = [(i.id, tuple(sorted(s.items()))) for g in catalog_groups() for i, s in g.values[0]]
    want = [(p.values[0].id, tuple(sorted(p.values[1].items()))) for p in sized_params()]
    assert sorted(pairs) == sorted(want)
    for g in catalog_groups():
        members = g.values[0]
        assert len({i.id for i, _ in members}) == len(members), g.id
        assert len({i.family for i, _ in members}) == 1, g.id
        assert len(members) == 1 or not any(i.is_complex for i, _ in members), g.id
        assert len(members) == 1 or sum(_elements(*m) for m in members) <= _ELEMENTS_PER_GROUP, g.id


@pytest.mark.parametrize("ident", [i for i in identities.catalog() if i.examples], ids=lambda i: i.id)
def test_known_answers(ident):
    results = check_examples(ident)
    assert len(results) == len(ident.examples)
    failures = [r.describe(ident.id) for r in results if not r.ok]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("ident", identities.catalog(), ids=lambda i: i.id)
def test_closed_form_shape_is_jax_layout(ident):
    """The closed form's shape is out + in (jacobian), in + in (hessian), out (jvp), in (vjp)."""
    import jax

    sizes = ident.size_assignments()[0]
    shapes = ident.arg_shapes(sizes)
    specs = [jax.ShapeDtypeStruct(shapes[a], np.dtype(ident.dtype(a))) for a in ident.argnames]
    out = ident.out_shape(sizes)
    w = shapes[ident.wrt]
    if ident.kind in ("jvp", "vjp"):
        specs.append(jax.ShapeDtypeStruct(w if ident.kind == "jvp" else out, np.float64))
    got = jax.eval_shape(ident.closed, *specs)
    if ident.complex_form == "pair":  # (∂f/∂z, ∂f/∂z̄), each in JAX layout
        assert got[0].shape == got[1].shape
        got = got[0]
    got = got.shape
    want = {"jacobian": out + w, "hessian": w + w, "jvp": out, "vjp": w}[ident.kind]
    assert tuple(got) == tuple(want)
