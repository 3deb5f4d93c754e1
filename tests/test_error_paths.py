"""Error paths: every refusal raises its own error class with a message that names the identity (or the
declaration) and the argument. One case per ``raise`` of ``_core.identity``, ``Registry``, ``validate``,
``cli_check.load_function`` and ``cli_eval.parse_args_list`` (issue 18 item 6)."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest

import identities
from identities import ArityError, DTypeError, NonFiniteError, PreconditionError, ShapeError
from identities.__main__ import main
from identities._core import REGISTRY, Registry, Tex, identity, mml
from identities._structures import SPD
from identities.errors import UnknownIdentityError

TEX = Tex(f="x", num="1", den="1")
SRC = [mml("planted")]


# --- the @identity declaration ---------------------------------------------------------------------------
def _declare(**overrides):
    """Declare ``test_error_paths.closed`` with the given fields changed; it must be refused."""
    closed = overrides.pop("closed", lambda x, A: A)
    kw = dict(f=lambda x, A: A @ x, wrt="x", shapes={"x": "n", "A": "m n"}, tex=TEX, sources=SRC) | overrides
    return identity(**kw)(closed)


def _named(fn, name="closed"):
    fn.__name__ = name
    return fn


DECLARATIONS = [
    # (fields changed, error class, message)
    (
        {"closed": _named(lambda A, x: A)},
        TypeError,
        r"error_paths\.closed: closed form takes \('A', 'x'\), f takes \('x', 'A'\) \(\+0 for jacobian\)",
    ),
    (
        {"closed": _named(lambda x, A: A), "kind": "jvp"},
        TypeError,
        r"closed form takes \('x', 'A'\), f takes \('x', 'A'\) \(\+1 for jvp\)",
    ),
    ({"closed": _named(lambda x, A: A), "kind": "gradient"}, ValueError, r"closed: unknown kind 'gradient'"),
    ({"closed": _named(lambda x, A: A), "wrt": "y"}, ValueError, r"wrt='y' is not an argument of f \('x', 'A'\)"),
    (
        {"closed": _named(lambda x, A: A), "shapes": {"x": "n"}},
        ValueError,
        r"shapes name \['x'\], f takes \('x', 'A'\)",
    ),
    (
        {"closed": _named(lambda x, A: A), "requires": {"B": SPD}},
        ValueError,
        r"requires names 'B', not an argument",
    ),
    (
        {"closed": _named(lambda x, A: A), "requires": {"A": SPD}},
        ValueError,
        r"closed: A is spd but its shape 'm n' is not square",
    ),
    ({"closed": _named(lambda x, A: A), "sources": []}, ValueError, r"closed: an identity needs at least one source"),
]


@pytest.mark.parametrize(("fields", "error", "message"), DECLARATIONS, ids=[m for _, _, m in DECLARATIONS])
def test_bad_declaration_is_refused_and_nothing_is_registered(fields, error, message):
    before = list(REGISTRY)
    with pytest.raises(error, match=message) as info:
        _declare(**fields)
    assert type(info.value) is error  # exactly this class, not a subclass that happens to match
    assert list(REGISTRY) == before


def test_good_declaration_passes_the_same_checks():
    """The control: the declaration the cases above spoil is accepted (then taken out again)."""
    ident = _declare(closed=_named(lambda x, A: A, "planted_ok"))
    try:
        assert REGISTRY[ident.id] is ident and ident.id.endswith(".planted_ok")
    finally:
        REGISTRY.remove(ident.id)
    assert ident.id not in REGISTRY


def test_registry_refuses_a_duplicate_id():
    reg = Registry()
    reg.add(identities.get("norms.l2"))
    with pytest.raises(ValueError, match=r"^identity 'norms\.l2' is declared twice$"):
        reg.add(identities.get("norms.l2"))
    assert list(reg) == ["norms.l2"]


def test_registry_refuses_an_ambiguous_alias_and_names_every_identity_it_fits():
    reg = Registry()
    for i in ("norms.l2", "vector.Ax"):
        reg.add(dataclasses.replace(identities.get(i), aliases=("shared",)))
    with pytest.raises(UnknownIdentityError, match=r"^'shared' is ambiguous: it names norms\.l2, vector\.Ax$"):
        reg.lookup("shared")
    assert reg.lookup("norms.l2").id == "norms.l2"


def test_registry_remove_refuses_an_unknown_id():
    with pytest.raises(UnknownIdentityError, match=r"cannot remove 'norms\.nope': no such identity"):
        Registry().remove("norms.nope")


# --- validate.py: one case per raise -------------------------------------------------------------------------
BAD_INPUTS = [
    # (id, positional args, keyword args, error class, message)
    ("norms.l2", ([1.0], [2.0]), {}, ArityError, r"norms\.l2: takes 1 arguments \(x\), got 2"),
    ("norms.l2", (), {"y": [1.0]}, ArityError, r"norms\.l2: unexpected argument 'y'; arguments are x"),
    ("norms.l2", ([1.0],), {"x": [1.0]}, ArityError, r"norms\.l2: argument 'x' given twice"),
    ("vector.Ax", (), {"x": [1.0]}, ArityError, r"vector\.Ax: missing argument\(s\) A; takes A, x"),
    ("norms.l2", ([1.0, np.nan],), {}, NonFiniteError, r"norms\.l2: argument x has a non-finite entry nan at \(1,\)"),
    (
        "matrix.det_X",
        ([[1.0, 2.0], [2.0, 4.0]],),
        {},
        PreconditionError,
        r"matrix\.det_X: argument X is singular to working precision",
    ),
    (
        "by_scalar.ms_inverse",
        (0.0, np.zeros((2, 2)), np.eye(2)),
        {},
        PreconditionError,
        r"by_scalar\.ms_inverse: arguments x, P, Q: ",
    ),
    ("norms.l2", (np.array([1j, 2.0]),), {}, DTypeError, r"norms\.l2: argument x has complex dtype complex128"),
    ("norms.l2", (np.array([1, 2]),), {}, DTypeError, r"norms\.l2: argument x has integer dtype int64"),
    ("scalar.square", (1j,), {}, DTypeError, r"scalar\.square: argument x is complex \(1j\)"),
    ("scalar.square", (True,), {}, DTypeError, r"scalar\.square: argument x is bool"),
    ("norms.l2", ([[1.0], [1.0, 2.0]],), {}, DTypeError, r"norms\.l2: argument x cannot be read as a real float array"),
    ("norms.l2", ([1j, 2.0],), {}, DTypeError, r"norms\.l2: argument x has complex entries"),
    ("norms.l2", (["a", "b"],), {}, DTypeError, r"norms\.l2: argument x has entries of type str"),
    ("norms.l2", ([True, False],), {}, DTypeError, r"norms\.l2: argument x has boolean entries"),
    ("norms.l2", ([10**400, 1],), {}, DTypeError, r"norms\.l2: argument x has an integer too large for float64"),
    ("norms.l2", ([[1.0, 2.0]],), {}, ShapeError, r"norms\.l2: argument x must be n \(shape 'n'\), got shape \(1, 2\)"),
    (
        "trace.tr_gX",
        (np.zeros(4), np.eye(2)),
        {},
        ShapeError,
        r"trace\.tr_gX: argument c axis 0 must have size 5, got 4",
    ),
    (
        "vector.Ax",
        (np.ones((2, 3)), np.ones(4)),
        {},
        ShapeError,
        r"vector\.Ax: dimension n is 3 in argument A \(axis 1\) but 4 in argument x \(axis 0\)",
    ),
    (
        "differentials.d_aX",
        (2.0, np.ones((2, 3)), np.ones((3, 2))),
        {},
        ShapeError,
        r"differentials\.d_aX: argument dX must have shape \(2, 3\), got \(3, 2\)",
    ),
    (
        "giles.sum_vjp",
        (np.ones((2, 3)), np.ones((2, 3)), np.ones(3)),
        {},
        ShapeError,
        r"giles\.sum_vjp: argument cotangent must have shape \(2, 3\), got \(3,\)",
    ),
]


@pytest.mark.parametrize(
    ("ident_id", "args", "kwargs", "error", "message"), BAD_INPUTS, ids=[c[4][:40] for c in BAD_INPUTS]
)
def test_validate_refuses_with_its_error_class_naming_the_identity_and_argument(ident_id, args, kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        identities.get(ident_id).closed_form(*args, **kwargs)
    assert type(info.value) is error


# --- the command line --------------------------------------------------------------------------------------
def _run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nocolon", r"error: expected FILE\.py:FUNCTION, got 'nocolon'"),
        ("file.py:", r"error: expected FILE\.py:FUNCTION, got 'file\.py:'"),
        (":grad", r"error: expected FILE\.py:FUNCTION, got ':grad'"),
        ("{tmp}/absent.py:grad", r"error: no such file: .*absent\.py"),
        ("{tmp}/syntax.py:grad", r"error: cannot import .*syntax\.py: SyntaxError"),
        ("{tmp}/good.py:nope", r"error: .*good\.py defines no function 'nope'"),
    ],
)
def test_cli_check_refuses_a_bad_file_func_spec(capsys, tmp_path, spec, message):
    (tmp_path / "syntax.py").write_text("def grad(x):\n    return x +\n")
    (tmp_path / "good.py").write_text("def grad(x):\n    return x / (x @ x) ** 0.5\n")
    code, out, err = _run(capsys, ["check", spec.format(tmp=tmp_path), "--identity", "norms.l2"])
    assert code == 2 and out == ""
    assert re.search(message, err), err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arg", "[1, 2]"], r"error: norms\.l2: --arg '\[1, 2\]': expected NAME=VALUE"),
        (["--arg", "=[1, 2]"], r"error: norms\.l2: --arg '=\[1, 2\]': expected NAME=VALUE"),
        (["--arg", "x=[1]", "--arg", "x=[2]"], r"error: norms\.l2: --arg x given twice"),
        (["--arg", "x=[1, 2"], r"error: norms\.l2: --arg x: cannot read '\[1, 2' as JSON \(.* at column \d+\)"),
        (["--arg", "x=[1+2j, 3]"], r"error: norms\.l2: argument x has complex dtype complex128"),
        (["--arg", "x=" + "[" * 100_000 + "]" * 100_000], r"error: norms\.l2: --arg x: the value is nested too deeply"),
        (["--arg", "y=[1]"], r"error: norms\.l2: unexpected argument 'y'; arguments are x"),
    ],
    ids=["no-equals", "no-name", "twice", "bad-json", "complex", "deep", "unknown-arg"],
)
def test_cli_eval_error_lines(capsys, args, message):
    code, out, err = _run(capsys, ["eval", "norms.l2", *args])
    assert code == 2 and out == ""
    assert re.search(message, err), err


def test_special_cases_json_is_strict_json_with_every_field(capsys, monkeypatch):
    """``special-cases --json`` (measured on one family's points, to stay fast): parseable by a strict
    JSON reader (NaN and Infinity are not JSON), one row per charted point, JAX's NaN as "nan"."""
    import identities.special as special

    real = special.measure_all
    idents = [identities.get("norms.l2"), identities.get("norms.l2_hessian")]
    monkeypatch.setattr(special, "measure_all", lambda: real(idents))

    def refuse(name):
        raise AssertionError(f"{name} in the output is not JSON")

    code, out, err = _run(capsys, ["special-cases", "--json"])
    assert code == 0, err
    rows = json.loads(out, parse_constant=refuse)
    assert [(r["identity"], r["point"]) for r in rows] == [(i.id, sp.label) for i in idents for sp in i.special]
    zero = rows[0]
    assert set(zero) == {"identity", "point", "status", "math", "transform", "jax", "verdict", "recorded_verdict"}
    assert (zero["point"], zero["status"], zero["transform"]) == ("x = 0", "kink", "jax.grad")
    assert zero["jax"] == ["nan", "nan", "nan"] and zero["verdict"] == zero["recorded_verdict"] == "nan"
    assert all(r["verdict"] == r["recorded_verdict"] for r in rows), rows
