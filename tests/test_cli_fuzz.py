"""The command line ends in a message, never a traceback, whatever the input (generated with hypothesis).

Every subcommand is driven in-process through ``identities.__main__.main(argv)`` with generated bad
input: unknown ids, malformed JSON and values of the wrong type for ``eval --arg``, wrong arguments,
missing files, candidate functions for ``check`` that raise, take the wrong arguments, or return a
string, None, complex numbers, the wrong shape or NaN, unknown flags and bad numeric option values.
A usage or input error must exit 2 with a message naming the argument at fault; a candidate whose value
is wrong (wrong shape, NaN) is a verdict: WRONG, exit 1. Nothing may print "Traceback" (in-process, an
exception escaping ``main`` fails the test by itself). Heavy subcommands (conformance over the catalog,
bench, docs build) get only arguments that argparse or the early validation rejects.

Two things are seen only from outside the process, with a few subprocess runs: a reader that closes the
pipe early (exit 141 and no BrokenPipeError, for ``python -m identities`` and the console script) and
the end-to-end arity error of ``check``.

Example counts come from the hypothesis profile (tests/conftest.py). JAX compiles per shape, so the
inputs that get evaluated use one scalar identity and one small matrix identity.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import string
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import identities
from identities.__main__ import EXIT_BROKEN_PIPE, build_parser, main
from identities.cli_eval import parse_value

ROOT = Path(__file__).resolve().parents[1]

# capsys and tmp_path are shared by a test's examples; run() drains capsys after every call.
FUZZ = settings(suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture])

# tr(XA) (MC 100), X: m × n, A: n × m; its derivative by X in JAX layout is Aᵀ (shape m × n)
MATRIX_ID = "MC(100)"
MATRIX_ARGS = ("X", "A")
SCALAR_ID = "scalar.square"  # x²: one scalar argument x, no precondition


# Appended after an option that argparse must reject: argparse converts (and rejects) option values as it
# reads them and reports unrecognized arguments only at the end, so a working check names the option,
# while a broken one fails on this flag at once instead of running a heavy subcommand (bench, conformance
# over the whole catalog) on the value it let through.
SENTINEL = "--sentinel-never-an-option"


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``main(argv)``; argparse's SystemExit is its status."""
    try:
        code = main(argv)
    except SystemExit as e:  # argparse: usage errors (2) and --help (0)
        code = e.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out and "Traceback" not in err, out + err
    assert isinstance(code, int), code
    return code, out, err


# --- unknown identity ids ----------------------------------------------------------------------------------
def _unknown(key: str) -> bool:
    try:
        identities.get(key)
    except identities.UnknownIdentityError:
        return True
    return False


ID_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "._()/^ -", min_size=1, max_size=14)
ID_WHERE = {  # argv naming the id (after "--", so that an id starting with "-" is not read as an option)
    "show": lambda key: ["show", "--", key],
    "verify": lambda key: ["verify", "--examples", "1", "--", key],
    "eval": lambda key: ["eval", "--arg", "x=1", "--", key],
    "check": lambda key: ["check", "mine.py:f", f"--identity={key}"],
    "conformance": lambda key: ["conformance", "--framework", "jax", "--", "norms.l2", key],
}


@pytest.mark.parametrize("where", sorted(ID_WHERE))
@FUZZ
@given(key=ID_TEXT.filter(_unknown))
def test_unknown_ids_exit_2_naming_the_id(capsys, where, key):
    code, out, err = run(capsys, ID_WHERE[where](key))
    assert code == 2 and repr(key) in err and not out


# --- eval: malformed JSON, values of the wrong type, wrong argument names ----------------------------------
def _not_json(text: str) -> bool:
    try:
        parse_value(text)
    except (json.JSONDecodeError, RecursionError):
        return True
    return False


@FUZZ
@given(text=st.text(max_size=30).filter(_not_json))
def test_eval_malformed_json_exits_2_naming_the_argument(capsys, text):
    code, out, err = run(capsys, ["eval", SCALAR_ID, f"--arg=x={text}"])
    assert code == 2 and "--arg x" in err and not out


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**1024).map(lambda n: n * (-1) ** n)
    | st.floats()
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=6,
)


@FUZZ
@given(value=JSON_VALUES)
@example(value=10**400)  # beyond float64: numpy raised OverflowError
@example(value=[1.0, -(10**400)])
def test_eval_values_are_evaluated_or_refused_naming_the_argument(capsys, value):
    """x² takes one real scalar: a finite int or float is evaluated (exit 0); anything else (None, a bool,
    a string, a list, an object, NaN, an int beyond float64) is refused, exit 2, naming argument x."""
    code, out, err = run(capsys, ["eval", SCALAR_ID, "--arg", "x=" + json.dumps(value)])
    if _finite_real(value):
        assert code == 0 and SCALAR_ID in out, err
    else:
        assert code == 2 and "argument x" in err and not out


@FUZZ
@given(value=st.sampled_from(["[1+2j, 3]", "2j", "1-1j", "[[1, 2], [3, 4j]]"]))
def test_eval_complex_literal_is_refused_by_a_real_identity(capsys, value):
    code, _, err = run(capsys, ["eval", "norms.l2", f"--arg=x={value}"])
    assert code == 2 and "argument x" in err and "complex input is not supported yet" in err


def _finite_real(v: object) -> bool:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:  # an int beyond float64
        return False


NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True)


@FUZZ
@given(names=st.lists(NAMES, max_size=3, unique=True))
def test_eval_wrong_arguments_exit_2_naming_them(capsys, names):
    assume(names != ["x"])  # the one right set
    code, out, err = run(capsys, ["eval", SCALAR_ID, *(f"--arg={n}=1.5" for n in names)])
    assert code == 2 and not out
    unexpected = [n for n in names if n != "x"]
    assert (f"unexpected argument {unexpected[0]!r}" if unexpected else "missing argument(s) x") in err


# --- check: candidates that raise, take the wrong arguments, return no number array, or a wrong value ------
_files = itertools.count()


def _write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / f"cand_{next(_files)}.py"  # a new name each time: no stale bytecode
    path.write_text("import numpy as np\n\n\n" + source, encoding="utf-8")
    return path


FN_NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).map(lambda s: "cand_" + s)
PARAMS = st.lists(st.sampled_from(["X", "A", "B", "x", "y", "Z"]), max_size=4, unique=True)
EXCEPTIONS = ["RuntimeError('boom')", "ValueError('bad')", "ZeroDivisionError()", "KeyError('k')", "TypeError('t')"]
NOT_NUMBERS = ["'hello'", "None", "{'a': 1}", "[[1.0], [1.0, 2.0]]", "object()", "b'xy'", "[None, 1.0]"]
COMPLEX = ["A.T + 0j", "A.T * 1j", "np.exp(1j * A.T)"]


KINDS = ["raises", "inner", "not_number", "complex", "arity", "varargs", "shape", "nan"]


@st.composite
def candidates(draw, kind):
    """(kind, name, source, parameters): a candidate of this kind for tr(XA)'s derivative by X."""
    name = draw(FN_NAMES)
    if kind == "raises":
        body = f"raise {draw(st.sampled_from(EXCEPTIONS))}"
    elif kind == "inner":  # fails inside numpy, not at the call
        body = "return X + 's'"
    elif kind == "not_number":
        body = f"return {draw(st.sampled_from(NOT_NUMBERS))}"
    elif kind == "complex":
        body = f"return {draw(st.sampled_from(COMPLEX))}"
    elif kind == "arity":
        params = draw(PARAMS.filter(lambda p: len(p) != 2) | st.just(["X", "A", "*", "scale"]))
        return kind, name, f"def {name}({', '.join(params)}):\n    return 0.0\n", params
    elif kind == "varargs":
        return kind, name, f"def {name}(*args):\n    return args[{draw(st.integers(2, 5))}]\n", None
    elif kind == "shape":
        shape = draw(st.lists(st.integers(0, 5), max_size=3).map(tuple))
        body = f"return np.zeros({shape})"
    else:  # a right answer with one non-finite entry
        bad = draw(st.sampled_from(["np.nan", "np.inf", "-np.inf"]))
        body = f"out = np.array(A.T, dtype=float)\n    out.flat[{draw(st.integers(0, 50))} % out.size] = {bad}\n    return out"
    return kind, name, f"def {name}(X, A):\n    {body}\n", None


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_check_candidates_input_error_2_or_verdict_1(capsys, tmp_path, kind, data):
    kind, name, source, params = data.draw(candidates(kind), label="candidate")
    path = _write(tmp_path, source)
    code, out, err = run(capsys, ["check", f"{path}:{name}", "--identity", MATRIX_ID, "--examples", "1"])
    if kind in ("shape", "nan"):  # the candidate's value is wrong: a verdict
        assert code == 1 and "WRONG" in out and not err, (source, out, err)
        return
    assert code == 2 and not out, (source, out, err)
    assert f"the candidate {name}" in err  # the function at fault
    if kind == "raises" or kind == "inner":
        assert "raised" in err
    elif kind == "not_number":
        assert "is not a number array" in err
    elif kind == "complex":
        assert "complex input is not supported yet" in err
    elif kind == "arity":  # what the identity passes and what the candidate takes
        assert f"({', '.join(MATRIX_ARGS)})" in err and f"takes ({', '.join(params)})" in err
    elif kind == "varargs":
        assert "takes (*args)" in err and "raised IndexError" in err


def test_check_right_candidate_passes(capsys, tmp_path):
    """The control: the same harness says ok (exit 0) to a right candidate."""
    path = _write(tmp_path, "def good(X, A):\n    return A.T\n")
    code, out, err = run(capsys, ["check", f"{path}:good", "--identity", MATRIX_ID, "--examples", "1"])
    assert code == 0 and out.startswith(identities.get(MATRIX_ID).id + ": ok") and not err


def test_check_wrong_arity_names_both_argument_lists(capsys, tmp_path):
    """The issue's case: FN(A, X, B) checked against tr(XA), whose function takes (X, A)."""
    path = _write(tmp_path, "def mine(A, X, B):\n    return A\n")
    code, out, err = run(capsys, ["check", f"{path}:mine", "--identity", MATRIX_ID])
    assert code == 2 and not out
    assert "the candidate mine takes (A, X, B)" in err and "(X, A)" in err


BROKEN_FILES = {
    "syntax": ("def f(:\n", "SyntaxError"),
    "raises at import": ("raise RuntimeError('at import')\n", "RuntimeError"),
    "exits at import": ("import sys\nsys.exit(3)\n", "SystemExit"),
    "no such function": ("g = 3\n", "no function"),
}


@pytest.mark.parametrize("what", sorted(BROKEN_FILES))
def test_check_files_that_cannot_give_a_function(capsys, tmp_path, what):
    source, says = BROKEN_FILES[what]
    path = tmp_path / "broken.py"
    path.write_text(source, encoding="utf-8")
    code, _, err = run(capsys, ["check", f"{path}:f", "--identity", MATRIX_ID])
    assert code == 2 and str(path) in err and says in err


# --- missing files and unusable paths ----------------------------------------------------------------------
FILE_NAMES = st.text(alphabet=string.ascii_letters + string.digits + "_-.", min_size=1, max_size=12).filter(
    lambda s: s not in (".", "..")
)
PATH_OPTIONS = {  # argv with a path in a directory that does not exist, and the argument named
    "check target": (lambda p: ["check", f"{p}.py:f", "--identity", "norms.l2"], "no such file"),
    "special-cases --write": (lambda p: ["special-cases", "--write", p, SENTINEL], "argument --write"),
    "conformance --write": (lambda p: ["conformance", "--write", p, SENTINEL], "argument --write"),
    "bench --json": (lambda p: ["bench", "--json", p, SENTINEL], "argument --json"),
    "bench --from-json": (lambda p: ["bench", "--docs", "--from-json", p, SENTINEL], "argument --from-json"),
    "docs build --source": (lambda p: ["docs", "build", "--source", p, SENTINEL], "argument --source"),
}


@pytest.mark.parametrize("where", sorted(PATH_OPTIONS))
@FUZZ
@given(name=FILE_NAMES)
def test_missing_files_and_directories_exit_2(capsys, tmp_path, where, name):
    argv, says = PATH_OPTIONS[where]
    path = str(tmp_path / "no-such-dir" / name)
    code, out, err = run(capsys, argv(path))
    assert code == 2 and says in err and path in err and not out


@pytest.mark.parametrize(
    "argv", [["special-cases", "--write"], ["special-cases", "--check"], ["conformance", "--write"]]
)
def test_a_directory_is_not_a_file(capsys, tmp_path, argv):
    code, _, err = run(capsys, [*argv, str(tmp_path), SENTINEL])
    assert code == 2 and f"argument {argv[-1]}" in err and "is a directory" in err


def test_unknown_family_exits_2_with_the_closest(capsys):
    code, out, err = run(capsys, ["list", "--family", "nrom", SENTINEL])
    assert code == 2 and "argument --family" in err and "norms" in err and not out


# --- unknown flags -----------------------------------------------------------------------------------------
SUBCOMMANDS = {  # argv that parses, for each subcommand
    "list": ["list"],
    "show": ["show", "norms.l2"],
    "verify": ["verify"],
    "eval": ["eval", "norms.l2"],
    "special-cases": ["special-cases"],
    "check": ["check", "mine.py:f", "--identity", "norms.l2"],
    "conformance": ["conformance"],
    "bench": ["bench"],
    "docs build": ["docs", "build"],
    "docs serve": ["docs", "serve"],
    "find": ["find", "x @ x"],
}


def _subparser(argv: list[str]) -> argparse.ArgumentParser:
    parser = build_parser()
    for word in argv:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs or word not in subs[0].choices:
            break
        parser = subs[0].choices[word]
    return parser


def test_every_subcommand_is_fuzzed():
    top = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    docs = next(a for a in top.choices["docs"]._actions if isinstance(a, argparse._SubParsersAction))
    assert set(SUBCOMMANDS) == (set(top.choices) - {"docs"}) | {f"docs {c}" for c in docs.choices}


@pytest.mark.parametrize("where", sorted(SUBCOMMANDS))
@FUZZ
@given(flag=st.from_regex(r"--[a-z][a-z-]{0,10}", fullmatch=True))
def test_unknown_flags_exit_2_naming_the_flag(capsys, where, flag):
    argv = SUBCOMMANDS[where]
    options = [o for a in _subparser(argv)._actions for o in a.option_strings]
    assume(not any(o.startswith(flag) for o in options))  # argparse accepts unique prefixes
    code, out, err = run(capsys, [*argv, flag])
    assert code == 2 and flag in err and not out


# --- bad numeric option values -----------------------------------------------------------------------------
def _bad_ints(low: int) -> st.SearchStrategy[str]:
    return (
        st.integers(max_value=low - 1).map(str)
        | st.floats().map(repr)  # 1.5, 1e+16, nan, inf: no integer
        | st.text(alphabet=string.ascii_letters, min_size=1, max_size=6)
        | st.just("")
    )


BAD_POSITIVE_FLOAT = (
    st.floats(max_value=0.0).map(repr)  # 0, negative, -inf
    | st.sampled_from(["nan", "inf", "Infinity", "-nan", ""])
    | st.text(alphabet="xyzXYZ_", min_size=1, max_size=6)
)
BAD_PORT = st.integers(max_value=-1).map(str) | st.integers(min_value=65536).map(str) | _bad_ints(0)
CHECK = ["check", "mine.py:f", "--identity", "norms.l2"]
NUMERIC_OPTIONS = [  # (argv, option, bad values)
    (["verify"], "--examples", _bad_ints(1)),
    (["verify"], "--seed", _bad_ints(0)),
    (["verify"], "--jobs", _bad_ints(1)),
    (CHECK, "--examples", _bad_ints(1)),
    (CHECK, "--seed", _bad_ints(0)),
    (["eval", "norms.l2"], "--precision", _bad_ints(0)),
    (["conformance"], "--seed", _bad_ints(0)),
    (["bench"], "--seed", _bad_ints(0)),
    (["bench"], "--max-mib", BAD_POSITIVE_FLOAT),
    (["bench"], "--max-arg-mib", BAD_POSITIVE_FLOAT),
    (["bench"], "--memory-budget", BAD_POSITIVE_FLOAT),
    (["bench"], "--call-budget", BAD_POSITIVE_FLOAT),
    *((["docs", c], o, _bad_ints(1)) for c in ("build", "serve") for o in ("--examples", "--sizes", "--jobs")),
    (["docs", "serve"], "--port", BAD_PORT),
]


def test_every_numeric_option_is_fuzzed():
    """Every option of type int or float anywhere in the parser is in NUMERIC_OPTIONS."""
    fuzzed = {(" ".join(a[:2] if a[0] == "docs" else a[:1]), o) for a, o, _ in NUMERIC_OPTIONS}
    found = set()
    for where, argv in SUBCOMMANDS.items():
        for action in _subparser(argv)._actions:
            if action.option_strings and action.type is not None and action.type not in (str, Path):
                found.add((where, action.option_strings[-1]))
    found -= {
        (w, o)
        for w, o in found
        if o
        in (
            "--family",
            "--write",
            "--check",
            "--json",
            "--from-json",
            "--source",
            "--shape",
            "--write-docs",
            "--check-docs",
        )
    }
    assert found == fuzzed


@pytest.mark.parametrize(
    ("argv", "option", "bad"), NUMERIC_OPTIONS, ids=[" ".join([*a[:2], o]) for a, o, _ in NUMERIC_OPTIONS]
)
@FUZZ
@given(data=st.data())
def test_bad_numeric_options_exit_2_naming_the_option(capsys, argv, option, bad, data):
    value = data.draw(bad, label="value")
    code, out, err = run(capsys, [*argv, f"{option}={value}", SENTINEL])
    assert code == 2 and f"argument {option}" in err and not out


# --- find: any expression text and any --shape value is answered or refused, never a traceback -------------
@FUZZ
@given(text=st.text(alphabet=string.ascii_letters[:8] + string.digits[:3] + " @.T+-*/()_,[]'", max_size=25))
def test_find_any_expression_is_answered_or_refused(capsys, text):
    code, _, err = run(capsys, ["find", "--", text] if text.startswith("-") else ["find", text])
    assert code in (0, 1, 2)
    if code == 2:
        assert err.startswith("error:") or "usage:" in err, err


@FUZZ
@given(dims=st.text(alphabet="mn0123 ,-?x", max_size=8))
def test_find_any_shape_is_used_or_refused(capsys, dims):
    code, _, err = run(capsys, ["find", "A @ x", "--wrt", "x", f"--shape=A={dims}"])
    assert code in (0, 1, 2)
    if code == 2:
        assert "--shape" in err or "error:" in err, err


@pytest.mark.parametrize("argv", [[], ["docs"], ["nonsense"], ["show"], ["check", "--identity", "norms.l2"]])
def test_missing_subcommands_and_arguments_exit_2(capsys, argv):
    code, _, err = run(capsys, argv)
    assert code == 2 and "usage:" in err and "error:" in err


# --- from outside the process: a closed pipe, and one end-to-end run ---------------------------------------
def _env() -> dict[str, str]:
    # this checkout's package first, also for the console script (installed, perhaps, from another one)
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _console_script() -> Path | None:
    path = Path(sys.executable).parent / "identities"
    return path if path.exists() else None


@pytest.mark.parametrize("how", ["python -m identities", "console script"])
def test_closed_pipe_exits_141_quietly(how):
    """``... show dK/dR | head -0``, deterministically: the reader is gone before the first write."""
    if how == "console script":
        script = _console_script()
        if script is None:
            pytest.skip("the identities console script is not installed next to this Python")
        cmd = [str(script), "show", "dK/dR"]
    else:
        cmd = [sys.executable, "-m", "identities", "show", "dK/dR"]
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run(cmd, stdout=write, stderr=subprocess.PIPE, cwd=ROOT, env=_env(), timeout=300)
    finally:
        os.close(write)
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_BROKEN_PIPE == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err


def test_pipe_closed_midway_by_head_exits_141_quietly():
    """A real pipeline: ``list --json`` writes 230 kB, more than a pipe holds, and head leaves after 100 bytes."""
    cmd = f"set -o pipefail; {sys.executable} -m identities list --json | head -c 100"
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, cwd=ROOT, env=_env(), timeout=300)
    err = proc.stderr.decode()
    assert proc.returncode == 141 and len(proc.stdout) == 100, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err


def test_end_to_end_arity_error_has_no_traceback(tmp_path):
    path = _write(tmp_path, "def mine(A, X, B):\n    return A\n")
    proc = subprocess.run(
        [sys.executable, "-m", "identities", "check", f"{path}:mine", "--identity", MATRIX_ID],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        timeout=300,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert "the candidate mine takes (A, X, B)" in proc.stderr and "(X, A)" in proc.stderr


def test_eval_keeps_a_complex_derivative_complex(capsys):
    """d(arg z)/dz̄ = i/(2z̄): at z = 2 it is 0.25i, which a float64 cast printed as 0."""
    code, out, err = run(capsys, ["eval", "complex_basic.phase", "--arg", "z=2"])
    assert code == 0 and not err and "0.+0.25j" in out, out
    code, out, err = run(capsys, ["eval", "complex_basic.phase", "--arg", "z=1+2j", "--json"])
    assert code == 0 and json.loads(out)["value"] == {"re": -0.2, "im": 0.1}
