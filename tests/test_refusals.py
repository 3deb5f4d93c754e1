"""Every identity refuses every applicable kind of bad input with a typed error naming the argument.

For each identity in the registry (new families are picked up automatically; none is exempt), starting
from valid inputs built by its structures: too few, too many and unknown arguments; each argument with an
extra axis; each named dimension made to disagree between two of its occurrences, and each literal size
changed; integer and complex versions of each argument; a NaN and an inf in each argument; and each
declared precondition violated through its structure's ``counterexample`` (per argument and joint). Each
must raise the matching :class:`~identities.IdentityError` subclass through ``Identity.closed_form``,
with a message naming the identity and the argument (or dimension). The valid inputs themselves must pass
validation, so a refusal is never an accident of the inputs. Refusals happen before any evaluation, so
the whole test costs validation only (no JAX compilation per case).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import identities
from identities import ArityError, DTypeError, IdentityError, NonFiniteError, PreconditionError, ShapeError
from identities._core import parse_shape
from identities._structures import ANY
from identities.validate import bind
from identities.verify import draw_extra, draw_inputs, extra_shape, raw_draw


def _extra_name(ident):
    return {"jvp": f"d{ident.wrt}", "vjp": "cotangent"}.get(ident.kind)


def _valid_inputs(ident, sizes, seed=0):
    """Valid inputs as an ordered dict name -> array (the tangent or cotangent last)."""
    rng = np.random.default_rng(seed)
    args = draw_inputs(ident, rng, sizes)
    out = {a: np.asarray(args[a], dtype=ident.dtype(a)) for a in ident.argnames}
    eshape = extra_shape(ident, sizes)
    if eshape is not None:
        out[_extra_name(ident)] = np.asarray(draw_extra(ident, args, raw_draw(rng, eshape)), dtype=np.float64)
    return out


def _grow(v, axis):
    """v with one more entry along ``axis`` (a copy of the last slice)."""
    last = np.take(v, [-1], axis=axis)
    return np.concatenate([v, last], axis=axis)


def _first(v, value):
    out = np.array(v, dtype=np.result_type(v, np.float64), copy=True)
    out.reshape(-1)[0] = value
    return out


def _cases(ident, values):
    """(description, call values, expected error, words that must appear in the message)."""
    names = list(values)
    call = list(values.values())
    cases = [
        ("one argument too few", call[:-1], {}, ArityError, [names[-1]]),
        ("one argument too many", [*call, call[0]], {}, ArityError, [f"takes {len(names)} arguments"]),
        ("an unknown keyword", call, {"bogus": 1.0}, ArityError, ["'bogus'"]),
    ]
    for k, n in enumerate(names):
        v = values[n]

        def with_(new, k=k):
            return [new if j == k else c for j, c in enumerate(call)]

        cases.append((f"{n} with an extra axis", with_(v[..., None]), {}, ShapeError, [f"argument {n}"]))
        cases.append(
            (f"{n} as integers", with_(np.round(v.real).astype(np.int64)), {}, DTypeError, [f"argument {n}", "integer"])
        )
        if n in ident.dtypes:  # a complex argument refuses what is no number at all
            cases.append((f"{n} as booleans", with_(v.real > 0), {}, DTypeError, [f"argument {n}", "boolean"]))
        else:
            cases.append(
                (f"{n} as complex", with_(v.astype(np.complex128)), {}, DTypeError, [f"argument {n}", "complex"])
            )
        cases.append((f"{n} with a NaN", with_(_first(v, np.nan)), {}, NonFiniteError, [f"argument {n}"]))
        cases.append((f"{n} with an inf", with_(_first(v, np.inf)), {}, NonFiniteError, [f"argument {n}"]))

    # shapes: each named dimension made to disagree at its last occurrence; each literal size changed
    occurrences: dict[str, list[tuple[str, int]]] = {}
    for n in ident.argnames:
        for axis, d in enumerate(parse_shape(ident.shapes[n])):
            if d.isdigit():
                new = dict(values, **{n: _grow(values[n], axis)})
                cases.append(
                    (
                        f"{n} axis {axis} not of size {d}",
                        list(new.values()),
                        {},
                        ShapeError,
                        [f"argument {n}", f"axis {axis}"],
                    )
                )
            else:
                occurrences.setdefault(d, []).append((n, axis))
    for d, occ in occurrences.items():
        if len(occ) < 2:
            continue  # a dimension that occurs once can take any size
        (n0, a0), (n1, axis) = occ[0], occ[-1]
        new = dict(values, **{n1: _grow(values[n1], axis)})
        cases.append(
            (
                f"dimension {d} disagreeing in {n1}",
                list(new.values()),
                {},
                ShapeError,
                [f"dimension {d}", f"argument {n0} (axis {a0})", f"argument {n1} (axis {axis})"],
            )
        )
    extra = _extra_name(ident)
    if extra:
        new = dict(values, **{extra: values[extra][..., None]})
        cases.append((f"{extra} of the wrong shape", list(new.values()), {}, ShapeError, [f"argument {extra}"]))
    return cases


def _precondition_cases(ident):
    """Each declared precondition violated: (description, call, words); None entries for missing ones."""
    out, missing = [], []
    assignments = ident.size_assignments()
    for arg, s in ident.requires.items():
        if s is ANY:
            continue
        for sizes in assignments:
            values = _valid_inputs(ident, sizes)
            bad = s.counterexample(values[arg]) if s.counterexample else None
            if bad is not None:
                new = dict(values, **{arg: np.asarray(bad, dtype=ident.dtype(arg))})
                out.append((f"{arg} not {s.name}", list(new.values()), [arg]))
                break
        else:
            missing.append(f"{arg}: {s.name}")
    for j in ident.joint:
        for sizes in assignments:
            values = _valid_inputs(ident, sizes)
            bad = j.counterexample({a: values[a] for a in ident.argnames}) if j.counterexample else None
            if bad is not None:
                new = dict(values, **{a: np.asarray(bad.get(a, values[a]), dtype=np.float64) for a in ident.argnames})
                out.append((f"joint {j.name} violated", list(new.values()), list(j.args)))
                break
        else:
            missing.append(f"joint {j.name}")
    return out, missing


@pytest.mark.parametrize("ident", identities.catalog(), ids=lambda i: i.id)
def test_every_kind_of_bad_input_is_refused(ident):
    sizes = ident.size_assignments()[0]
    values = _valid_inputs(ident, sizes)
    bind(ident, tuple(values.values()), {})  # the control: the valid inputs pass every check

    failures = []
    for what, call, kwargs, error, words in _cases(ident, values):
        try:
            ident.closed_form(*call, **kwargs)
        except IdentityError as e:
            msg = str(e)
            if not isinstance(e, error):
                failures.append(f"{what}: raised {type(e).__name__} ({msg}), expected {error.__name__}")
            elif not msg.startswith(ident.id) or not all(w in msg for w in words):
                failures.append(f"{what}: message {msg!r} does not name {ident.id} and {words}")
        except Exception as e:
            failures.append(f"{what}: raised untyped {type(e).__name__}: {e}")
        else:
            failures.append(f"{what}: accepted")
    assert not failures, f"{ident.id}:\n  " + "\n  ".join(failures)


@pytest.mark.parametrize(
    "ident",
    [i for i in identities.catalog() if any(s is not ANY for s in i.requires.values()) or i.joint],
    ids=lambda i: i.id,
)
def test_every_declared_precondition_is_enforced(ident):
    cases, missing = _precondition_cases(ident)
    assert not missing, f"{ident.id}: no counterexample at any size for {missing}"
    failures = []
    for what, call, names in cases:
        try:
            ident.closed_form(*call)
        except PreconditionError as e:
            msg = str(e)
            named = any(re.search(rf"\barguments? (\w+, )*{re.escape(n)}\b", msg) for n in names)
            if not msg.startswith(ident.id) or not named:
                failures.append(f"{what}: message {msg!r} does not name {ident.id} and one of {names}")
        except Exception as e:
            failures.append(f"{what}: raised {type(e).__name__}: {e}, expected PreconditionError")
        else:
            failures.append(f"{what}: accepted")
        # check=False skips the value checks: the same inputs pass validation
        bind(ident, tuple(call), {}, check=False)
    assert not failures, f"{ident.id}:\n  " + "\n  ".join(failures)


def test_precondition_messages_carry_the_numbers():
    W = np.array([[1.0, 0.73], [0.0, 1.0]])
    with pytest.raises(PreconditionError, match=r"argument W is not symmetric: max \|W - W\^T\| = 0.73"):
        identities.get("losses.weighted_least_squares").closed_form(np.ones(2), np.ones((2, 1)), np.ones(1), W)
    with pytest.raises(PreconditionError, match=r"argument X is singular to working precision: cond = \d"):
        identities.get("matrix.det_X").closed_form(np.array([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(PreconditionError, match=r"argument X has a repeated eigenvalue: λ = 2 and 2"):
        identities.get("spectral.eigvalsh").closed_form(np.diag([2.0, 2.0, 5.0]))
    with pytest.raises(PreconditionError, match=r"arguments x, a: x - a is zero"):
        identities.get("norms.l2_distance").closed_form(np.ones(3), np.ones(3))


def test_checks_are_tolerance_aware():
    """Symmetric up to rounding passes; a float32 input is judged at float32's tolerance."""
    ident = identities.get("losses.weighted_least_squares")
    W = np.array([[2.0, 0.3], [0.3 * (1 + 1e-12), 1.0]])
    bind(ident, (np.ones(2), np.ones((2, 1)), np.ones(1), W), {})
    W32 = np.array([[2.0, 0.3], [0.3 * (1 + 1e-6), 1.0]], dtype=np.float32)
    bind(ident, (np.ones(2, np.float32), np.ones((2, 1), np.float32), np.ones(1, np.float32), W32), {})
    with pytest.raises(PreconditionError):
        ident.closed_form(
            np.ones(2), np.ones((2, 1)), np.ones(1), W32.astype(np.float64) + np.array([[0, 0], [1e-3, 0]])
        )


# --- the command line ---------------------------------------------------------------------------------------
def test_cli_eval_prints_the_closed_form(capsys):
    from identities.__main__ import main

    assert main(["eval", "matrix.det_X", "--arg", "X=[[1, 2], [3, 4]]", "--json"]) == 0
    import json

    d = json.loads(capsys.readouterr().out)
    np.testing.assert_allclose(d["value"], [[4.0, -3.0], [-2.0, 1.0]], atol=1e-12)  # adj(X)ᵀ
    assert (
        main(["eval", "vector.Ax", "--arg", "A=[[1,2,3],[4,5,6]]", "--arg", "x=[1,1,1]", "--layout", "denominator"])
        == 0
    )
    assert "shape (3, 2)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["matrix.det_X", "--arg", "X=[[1, 2], [2, 4]]"], "argument X is singular to working precision: cond ="),
        (
            ["vector.Ax", "--arg", "A=[[1,2,3],[4,5,6]]", "--arg", "x=[1, 2]"],
            "dimension n is 3 in argument A (axis 1) but 2 in argument x",
        ),
        (["vector.Ax", "--arg", "A=[[1,2,3],[4,5,6]]", "--arg", "x=[1, nan, 2]"], "argument x has a non-finite"),
        (["vector.Ax", "--arg", "A=[[1,2,3],[4,5,6]]"], "missing argument(s) x"),
        (["vector.Ax", "--arg", "A=[[1,2,3],[4,5,6]]", "--arg", "x=[1, 2"], "cannot read"),
        (["norms.l2", "--arg", "x=[0, 0, 0]"], "argument x is zero"),
    ],
)
def test_cli_eval_refuses_with_exit_status_2(capsys, argv, words):
    from identities.__main__ import main

    assert main(["eval", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and words in err


def test_cli_eval_no_check_skips_value_checks(capsys):
    from identities.__main__ import main

    argv = ["eval", "losses.weighted_least_squares", "--arg", "x=[1,1]", "--arg", "A=[[1],[1]]", "--arg", "s=[1]"]
    argv += ["--arg", "W=[[1, 0.73], [0, 1]]"]
    assert main(argv) == 2
    assert main([*argv, "--no-check"]) == 0
