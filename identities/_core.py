"""The identity record, the ``@identity`` decorator and the one registry.

Every identity is declared once, in a family module, as a decorated closed-form function. The decorator
builds a frozen :class:`Identity` and adds it to :data:`REGISTRY`; tests, docs, benchmarks and the CLI
iterate that registry and nothing else.

Closed forms follow JAX's convention (see :mod:`identities.layout`): for ``kind="jacobian"`` the result
has the output's axes followed by the variable's axes, exactly what ``jax.jacobian(f, argnums=wrt)``
returns.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ._structures import ANY, COMPLEX, Joint, Structure
from .errors import UnknownIdentityError

Kind = Literal["jacobian", "hessian", "jvp", "vjp"]
KINDS: tuple[str, ...] = ("jacobian", "hessian", "jvp", "vjp")
Convention = Literal["full", "sym", "mc_sym", "diag", "toeplitz", "sym_toeplitz"]
# full: JAX's unstructured derivative; sym: its symmetric part (Frobenius gradient on symmetric matrices);
# mc_sym: the Matrix Cookbook's G + Gᵀ − diag(G) (138); diag: G ∘ I (142); toeplitz: α(G), the Toeplitz
# matrix holding the sums of G's diagonals (143); sym_toeplitz: α + αᵀ − α ∘ I (144). See docs/layouts.md
# and verify.PAIRINGS (what each pairs with a structured tangent dX to give df).

# Sizes given to dimension names, in order of first appearance; distinct names get distinct sizes so
# that a missing transpose is a shape error, not a silent number.
SIZE_POOLS: tuple[tuple[int, ...], ...] = ((3, 4, 5, 2, 6, 7), (4, 2, 3, 5, 7, 6))


# --- records ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tex:
    """LaTeX of the function and of its derivative in numerator and in denominator layout."""

    f: str
    num: str
    den: str
    wrt: str = ""  # symbol of the variable; defaults to the argument's name
    where: str = ""  # definitions the function uses, e.g. "x_1 = \\sin t"

    def lhs(self, wrt: str, kind: str = "jacobian") -> str:
        w = self.wrt or wrt
        if kind == "hessian":
            return rf"\frac{{\partial^2 \left({self.f}\right)}}{{\partial {w}\,\partial {w}^\top}}"
        return rf"\frac{{\partial \left({self.f}\right)}}{{\partial {w}}}"


@dataclass(frozen=True)
class Source:
    """A citation: reference key, location (equation, section, example), edition."""

    ref: str  # "MC", "W", "MML", "G08", "D2L", "seed 001", ...
    loc: str  # "(70)", "section 5.5", "Example 5.12"
    edition: str = ""
    note: str = ""

    def __str__(self) -> str:
        s = f"{self.ref} {self.loc}"
        if self.edition:
            s += f" [{self.edition}]"
        return s


REFERENCES: dict[str, str] = {
    "MC": "Petersen & Pedersen, The Matrix Cookbook, version of 15 November 2012",
    "W": 'Wikipedia, "Matrix calculus", identity tables',
    "MML": "Deisenroth, Faisal & Ong, Mathematics for Machine Learning (2020), chapter 5",
    "G08": "Giles, An extended collection of matrix derivative results for forward and reverse mode AD (2008)",
    "SP23": "Srinivasan & Panda, What is the gradient of a scalar function of a symmetric matrix? (2023)",
    "seed 000": "shared/seeds/000_86380d4fb62a6910.txt (web page: derivative of the L2 norm)",
    "seed 001": "shared/seeds/001_2cabb923f12c2144.txt (MML chapter 5 lecture slides, annotated)",
    "seed 002": "shared/seeds/002_a7ff9cc3a27dddc0.txt (notes on D2L section 2.4 Calculus)",
    "ML": (
        "machine-learning staples required by shared/CATALOG-TARGETS.md, beyond the references: standard"
        " results derived here and verified by the suite (no published formula is cited for them)"
    ),
    "Clarke83": "Clarke, Optimization and Nonsmooth Analysis (Wiley, 1983): the generalized gradient and Jacobian",
    "Watson92": "Watson, Characterization of the subdifferential of some matrix norms, Linear Algebra Appl. 170 (1992)",
    "Lewis96": "Lewis, Derivatives of spectral functions, Math. Oper. Res. 21(3) (1996)",
    "CLS15": "Candès, Li & Soltanolkotabi, Phase retrieval via Wirtinger flow, IEEE Trans. Inf. Theory 61(4) (2015)",
    "WL10": (
        "Walter & Lehmann, Algorithmic differentiation of linear algebra functions with application in optimum"
        " experimental design (extended version), arXiv:1001.1654 (2010)"
    ),
    "GP73": (
        "Golub & Pereyra, The differentiation of pseudo-inverses and nonlinear least squares problems whose"
        " variables separate, SIAM J. Numer. Anal. 10(2), 413-432 (1973)"
    ),
    "M16": "Murray, Differentiation of the Cholesky decomposition, arXiv:1602.07527 (2016)",
    "S17": "Seeger, Hetzel, Dai, Meissner & Lawrence, Auto-differentiating linear algebra, arXiv:1710.08717 (2017)",
    "dHAL": (
        "de Hoog, Anderssen & Lukas, Differentiation of matrix functionals using triangular factorization"
        " (the LU rule JAX's lu JVP cites, jax/_src/lax/linalg.py)"
    ),
    "JAX": "JAX 0.10.2 source: the derivative rules of jax/_src/lax/linalg.py and jax/_src/numpy/linalg.py",
    "PyTorch": (
        "PyTorch 2.13 source: tools/autograd/derivatives.yaml and torch/csrc/autograd/FunctionsManual.cpp"
        " (the derivative rules of torch.linalg)"
    ),
    "derived": "derived here: the derivation is in the identity's notes; the suite verifies the result",
    "Townsend16": "Townsend, Differentiating the singular value decomposition (technical note, 2016)",
    "Higham08": "Higham, Functions of Matrices: Theory and Computation (SIAM, 2008)",
    "Kato95": "Kato, Perturbation Theory for Linear Operators (Springer, reprint of the 1980 edition, 1995)",
}


def mc(eq: int | str, note: str = "") -> Source:
    """The Matrix Cookbook, version of 15 November 2012, equation ``eq``."""
    return Source("MC", f"({eq})", "2012-11-15", note)


def seed(file: str, loc: str, note: str = "") -> Source:
    """One of the seed documents, by its three-digit prefix and section."""
    return Source(f"seed {file}", loc, "", note)


def mml(loc: str, note: str = "") -> Source:
    return Source("MML", loc, "2020", note)


def wiki(loc: str, note: str = "") -> Source:
    return Source("W", loc, "", note)


def g08(loc: str, note: str = "") -> Source:
    return Source("G08", loc, "2008", note)


def staple(loc: str, note: str = "") -> Source:
    """A machine-learning staple of the targets list (derived here; no published source)."""
    return Source("ML", loc, "", note)


@dataclass(frozen=True)
class Example:
    """A known answer: the derivative's value at given inputs, with where the claim comes from.

    ``value`` is the correct value (in JAX layout). ``claimed`` is what the source printed when it differs
    (an erratum); tests assert the closed form gives ``value`` and not ``claimed``.
    """

    args: Mapping[str, Any]
    value: Any
    source: Source
    claimed: Any = None
    note: str = ""


_UPSTREAM_REF = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+#[1-9][0-9]*")


@dataclass(frozen=True)
class SpecialPoint:
    """A point where the derivative does not exist or is delicate, with what the mathematics says there.

    ``args`` are concrete inputs at the point. ``valid(candidate)`` says whether a candidate derivative
    (JAX layout) is a valid answer there: a member of the subdifferential at a kink, or equal to the true
    derivative where one exists (``value``). It is ``None`` where no finite answer is valid (the
    derivative is unbounded). For a complex variable, candidates, ``value`` and ``valid`` are in the
    convention the identity's closed form returns (``complex_form``: ∂f/∂z̄ for a real f, f′ for a
    holomorphic one); a framework's answer is converted from its own convention before it is judged.

    ``one_sided``: f is discontinuous at the point (on a branch cut), so it has no derivative there; the
    valid answers are the derivatives of f restricted to either side (``valid``), the ones a framework
    that picks a side returns.
    """

    label: str  # "x = 0"
    args: Mapping[str, Any]
    math: str  # "not differentiable; the subdifferential is the closed unit ball"
    valid: Callable[[Any], bool] | None = field(default=None, repr=False)
    value: Any = None  # the derivative, where it exists
    # What JAX autodiff of ``f`` returns here, measured (tests/test_special_points.py re-measures it on
    # every run and fails when JAX's answer changes): "valid" (a member of the set of valid answers),
    # "nan", "inf" (non-finite entries, NaN taking precedence) or "invalid" (finite but wrong: the
    # silent wrong number). Empty for a point recorded before this field existed.
    jax_verdict: str = ""
    notes: str = ""  # how JAX arrives at its answer, what a user should do instead
    safe: str = ""  # a safe alternative the package provides, e.g. "identities.safe.safe_norm"
    # Upstream reports of the frameworks' behaviour here: "owner/repo#N" (an issue or pull request on
    # GitHub), or the single entry "none found" after a search found none. Empty: not yet looked up.
    upstream: tuple[str, ...] = ()
    one_sided: bool = False

    def __post_init__(self) -> None:
        if self.one_sided and self.valid is None:
            raise ValueError(f"special point {self.label!r}: one_sided needs valid (the one-sided derivatives)")
        if isinstance(self.upstream, str):
            raise TypeError(f"special point {self.label!r}: upstream is a tuple of references, not a string")
        for ref in self.upstream:
            if ref != "none found" and not _UPSTREAM_REF.fullmatch(ref):
                raise ValueError(
                    f"special point {self.label!r}: upstream reference {ref!r} is not 'owner/repo#N' or 'none found'"
                )
        if "none found" in self.upstream and len(self.upstream) > 1:
            raise ValueError(f"special point {self.label!r}: upstream 'none found' cannot stand beside references")

    @property
    def status(self) -> str:
        """ "kink" (a set of valid answers), "one-sided" (f jumps; the derivative from either side), "derivative"
        (the derivative exists) or "unbounded"."""
        if self.one_sided:
            return "one-sided"
        if self.valid is not None:
            return "kink"
        if self.value is not None:
            return "derivative"
        return "unbounded"

    def is_valid(self, candidate: Any) -> bool:
        import numpy as np

        c = np.asarray(candidate)
        c = c.astype(np.complex128 if np.iscomplexobj(c) else np.float64)
        if not np.all(np.isfinite(c)):
            return False
        if self.valid is not None:
            return bool(self.valid(c))
        if self.value is not None:
            return bool(np.allclose(c, np.asarray(self.value), rtol=1e-9, atol=1e-12))
        return False


@dataclass(frozen=True, kw_only=True, eq=False)
class Identity:
    """One matrix-calculus identity: a function, a variable, and the closed form of the derivative."""

    id: str
    family: str
    name: str
    f: Callable[..., Any] = field(repr=False)
    closed: Callable[..., Any] = field(repr=False)
    argnames: tuple[str, ...]
    wrt: str
    shapes: Mapping[str, str]
    requires: Mapping[str, Structure]
    tex: Tex
    sources: tuple[Source, ...]
    aliases: tuple[str, ...] = ()
    notes: str = ""
    kind: Kind = "jacobian"
    convention: Convention = "full"
    examples: tuple[Example, ...] = ()
    sizes: tuple[Mapping[str, int], ...] = ()  # explicit size assignments, overriding SIZE_POOLS
    joint: tuple[Joint, ...] = ()  # preconditions tying several arguments together
    # Where JAX autodiff of ``f`` as written is valid, when that is narrower than the identity's domain
    # (e.g. ||x||² written through the norm: grad is NaN at 0). Verification draws stay inside it; the
    # excluded points are tested in tests/test_special_points.py.
    autodiff_requires: Mapping[str, Structure] = field(default_factory=dict)
    special: tuple[SpecialPoint, ...] = ()  # non-differentiable or delicate points, charted
    # Size assignments of the benchmark sweep (``python -m identities bench``), smallest first; empty: the
    # harness derives a sweep from the closed form's output bytes (identities/bench.py).
    bench_sizes: tuple[Mapping[str, int], ...] = ()
    # Complex arguments: name -> "complex128" (every other argument is float64). An identity whose variable
    # is complex declares the convention its closed form returns (``complex_form``: one of
    # identities.wirtinger.COMPLEX_CONVENTIONS, or "pair" for the tuple (∂f/∂z, ∂f/∂z̄) that a complex-valued,
    # non-holomorphic f needs) and whether f is holomorphic in it.
    dtypes: Mapping[str, str] = field(default_factory=dict)
    holomorphic: bool = False
    complex_form: str = ""
    # An EXPR (identities.expr: NumPy syntax over the argument names) that ``python -m identities find``
    # answers with this identity; empty where EXPR cannot state the function (identities.find.UNSTATABLE).
    find: str = ""

    # --- derived ---------------------------------------------------------------------------------------
    @property
    def wrt_index(self) -> int:
        return self.argnames.index(self.wrt)

    @property
    def dims(self) -> tuple[str, ...]:
        """Dimension names in order of first appearance (literal sizes excluded)."""
        seen: dict[str, None] = {}
        for a in self.argnames:
            for d in parse_shape(self.shapes[a]):
                if not d.isdigit():
                    seen.setdefault(d, None)
        return tuple(seen)

    def structure(self, arg: str) -> Structure:
        return self.requires.get(arg, COMPLEX if arg in self.dtypes else ANY)

    def dtype(self, arg: str) -> str:
        """ "complex128" or "float64": the dtype verification draws the argument in."""
        return self.dtypes.get(arg, "float64")

    @property
    def is_complex(self) -> bool:
        """Whether the variable is complex (the derivative is a Wirtinger pair, read in a convention)."""
        return self.wrt in self.dtypes

    def real_valued(self, arrays: tuple[Any, ...]) -> bool:
        """Whether f's value is real at arguments of these shapes and dtypes (abstract evaluation)."""
        import jax
        import jax.numpy as jnp

        specs = [jax.ShapeDtypeStruct(jnp.shape(a), jnp.asarray(a).dtype) for a in arrays[: len(self.argnames)]]
        return not jnp.iscomplexobj(jax.eval_shape(self.f, *specs))

    def wirtinger(self, *arrays: Any) -> Any:
        """The closed form as a Wirtinger pair (identities.wirtinger.Wirtinger) at validated ``arrays``."""
        from .wirtinger import Wirtinger, from_convention

        out = self.closed(*arrays)
        if self.complex_form == "pair":
            return Wirtinger(out[0], out[1])
        return from_convention(
            out, self.complex_form, real_valued=self.real_valued(arrays), holomorphic=self.holomorphic
        )

    def size_assignments(self) -> tuple[dict[str, int], ...]:
        """The few size assignments tests and ``verify`` use (JAX compiles once per shape)."""
        if self.sizes:
            return tuple(dict(s) for s in self.sizes)
        return tuple(dict(zip(self.dims, pool, strict=False)) for pool in SIZE_POOLS)

    def arg_shapes(self, sizes: Mapping[str, int]) -> dict[str, tuple[int, ...]]:
        return {
            a: tuple(int(d) if d.isdigit() else sizes[d] for d in parse_shape(self.shapes[a])) for a in self.argnames
        }

    def out_shape(self, sizes: Mapping[str, int]) -> tuple[int, ...]:
        """Shape of f's output, found by abstract evaluation (no FLOPs), once per identity and sizes."""
        return _out_shape(self, tuple(sorted(sizes.items())))

    @property
    def citation(self) -> str:
        return "; ".join(str(s) for s in self.sources)

    def closed_form(
        self, *args: Any, layout: str = "jax", check: bool = True, convention: str | None = None, **kwargs: Any
    ) -> Any:
        """Evaluate the closed form on ``args`` (validated unless ``check=False``), in ``layout``.

        ``layout`` is ``"jax"`` (output axes then input axes), ``"numerator"`` or ``"denominator"``.
        ``convention`` (complex variables only; see :mod:`identities.wirtinger`) is one of
        ``"wirtinger"``, ``"conj_wirtinger"``, ``"cookbook"``, ``"torch"``, ``"jax"``, ``"holomorphic"``,
        ``"re"``, ``"im"``; ``None`` gives the convention the identity is declared in (``complex_form``).
        """
        from .layout import from_jax
        from .validate import bind
        from .wirtinger import ConventionError, check_convention, to_convention

        arrays = bind(self, args, kwargs, check=check)
        if convention is not None and not self.is_complex:
            raise ConventionError(
                f"{self.id}: convention={convention!r} applies to complex variables; {self.wrt} is real"
            )
        if self.is_complex:
            if convention is not None:
                check_convention(convention)
            conv = convention or (self.complex_form if self.complex_form != "pair" else "conj_wirtinger")
            out = to_convention(self.wirtinger(*arrays), conv, real_valued=self.real_valued(arrays), where=self.id)
        else:
            out = self.closed(*arrays)
        if self.kind in ("jvp", "vjp") or layout == "jax":
            return out
        return from_jax(out, self.derivative_ndims(arrays), layout)

    def derivative_ndims(self, arrays: tuple[Any, ...]) -> tuple[int, int]:
        """(output ndim, variable ndim) of the derivative for layout conversion."""
        import jax

        win = len(self.arg_shapes_from(arrays)[self.wrt])
        if self.kind == "hessian":
            return win, win
        out = jax.eval_shape(self.f, *arrays)
        return len(out.shape), win

    def arg_shapes_from(self, arrays: tuple[Any, ...]) -> dict[str, tuple[int, ...]]:
        return {a: tuple(getattr(v, "shape", ())) for a, v in zip(self.argnames, arrays, strict=True)}


# --- shapes ----------------------------------------------------------------------------------------------
_DIM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$|^[0-9]+$")


@functools.cache
def _out_shape(ident: Identity, sizes: tuple[tuple[str, int], ...]) -> tuple[int, ...]:
    import jax
    import jax.numpy as jnp

    shapes = ident.arg_shapes(dict(sizes))
    specs = [jax.ShapeDtypeStruct(shapes[a], jnp.dtype(ident.dtype(a))) for a in ident.argnames]
    return tuple(jax.eval_shape(ident.f, *specs).shape)


def parse_shape(spec: str) -> tuple[str, ...]:
    """ "m n" -> ("m", "n"); "" -> () (a scalar); literal sizes like "2" are allowed."""
    dims = tuple(spec.split())
    for d in dims:
        if not _DIM.match(d):
            raise ValueError(f"bad dimension name {d!r} in shape {spec!r}")
    return dims


# --- the registry ----------------------------------------------------------------------------------------
class Registry(Mapping[str, Identity]):
    """Identities by id, in declaration order, with alias lookup."""

    def __init__(self) -> None:
        self._by_id: dict[str, Identity] = {}

    def add(self, ident: Identity) -> None:
        if ident.id in self._by_id:
            raise ValueError(f"identity {ident.id!r} is declared twice")
        self._by_id[ident.id] = ident

    def remove(self, key: str) -> Identity:
        """Take an identity out again (tests that plant a wrong identity for the command line)."""
        if key not in self._by_id:
            raise UnknownIdentityError(f"cannot remove {key!r}: no such identity")
        return self._by_id.pop(key)

    def __getitem__(self, key: str) -> Identity:
        return self._by_id[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def aliases(self) -> dict[str, list[str]]:
        """Normalised alias -> ids. Every identity answers to its id, its name, its declared aliases
        and its Matrix Cookbook equation numbers ("MC(70)", "MC70")."""
        table: dict[str, list[str]] = {}
        for ident in self._by_id.values():
            keys = {ident.id, *ident.aliases}
            for s in ident.sources:
                if s.ref == "MC":
                    num = s.loc.strip("()")
                    keys |= {f"MC({num})", f"MC{num}", f"MC {num}"}
            for k in keys:
                table.setdefault(_norm(k), []).append(ident.id)
        for ident in self._by_id.values():  # the bare function name, when unambiguous
            table.setdefault(_norm(ident.name), []).append(ident.id)
        return table

    def lookup(self, key: str) -> Identity:
        if key in self._by_id:
            return self._by_id[key]
        ids = self.aliases().get(_norm(key), [])
        ids = list(dict.fromkeys(ids))
        if len(ids) == 1:
            return self._by_id[ids[0]]
        if len(ids) > 1:
            raise UnknownIdentityError(f"{key!r} is ambiguous: it names {', '.join(ids)}")
        candidates = list(self._by_id) + [k for k in self.aliases()]
        close = difflib.get_close_matches(_norm(key), [_norm(c) for c in candidates], n=5, cutoff=0.5)
        close_ids = list(dict.fromkeys(i for c in close for i in self.aliases().get(c, [c])))
        hint = f"; did you mean {', '.join(close_ids)}?" if close_ids else ""
        raise UnknownIdentityError(f"no identity {key!r}{hint}")


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s).lower()


REGISTRY = Registry()


def identity(
    *,
    f: Callable[..., Any],
    wrt: str,
    shapes: Mapping[str, str],
    tex: Tex,
    sources: list[Source] | tuple[Source, ...],
    requires: Mapping[str, Structure] | None = None,
    aliases: tuple[str, ...] | list[str] = (),
    notes: str = "",
    kind: Kind = "jacobian",
    convention: Convention = "full",
    examples: tuple[Example, ...] | list[Example] = (),
    sizes: tuple[Mapping[str, int], ...] | list[Mapping[str, int]] = (),
    joint: tuple[Joint, ...] | list[Joint] = (),
    autodiff_requires: Mapping[str, Structure] | None = None,
    special: tuple[SpecialPoint, ...] | list[SpecialPoint] = (),
    bench_sizes: tuple[Mapping[str, int], ...] | list[Mapping[str, int]] = (),
    dtypes: Mapping[str, str] | None = None,
    holomorphic: bool = False,
    complex_form: str = "",
    find: str = "",
) -> Callable[[Callable[..., Any]], Identity]:
    """Declare an identity: decorate its closed form; returns the registered :class:`Identity`.

    The closed form takes the same arguments as ``f`` (for ``kind="jvp"`` one more, the tangent of
    ``wrt``; for ``kind="vjp"`` one more, the cotangent of the output).
    """

    def register(closed: Callable[..., Any]) -> Identity:
        family = closed.__module__.rsplit(".", 1)[-1]
        argnames = tuple(inspect.signature(f).parameters)
        cargs = tuple(inspect.signature(closed).parameters)
        where = f"{family}.{closed.__name__}"
        extra = 1 if kind in ("jvp", "vjp") else 0
        if cargs[: len(argnames)] != argnames or len(cargs) != len(argnames) + extra:
            raise TypeError(f"{where}: closed form takes {cargs}, f takes {argnames} (+{extra} for {kind})")
        if kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r}")
        if wrt not in argnames:
            raise ValueError(f"{where}: wrt={wrt!r} is not an argument of f {argnames}")
        if set(shapes) != set(argnames):
            raise ValueError(f"{where}: shapes name {sorted(shapes)}, f takes {argnames}")
        for a, s in (requires or {}).items():
            if a not in argnames:
                raise ValueError(f"{where}: requires names {a!r}, not an argument")
            if s.square and len(parse_shape(shapes[a])) >= 2:
                d = parse_shape(shapes[a])
                if d[-1] != d[-2]:
                    raise ValueError(f"{where}: {a} is {s.name} but its shape {shapes[a]!r} is not square")
        if not sources:
            raise ValueError(f"{where}: an identity needs at least one source")
        form = _complex_form(where, dict(dtypes or {}), argnames, wrt, kind, holomorphic, complex_form)
        if find:
            from .expr import parse

            names = parse(find).names  # refuses anything outside EXPR's grammar
            if set(names) != set(argnames):
                raise ValueError(f"{where}: find={find!r} uses {sorted(names)}, f takes {sorted(argnames)}")
        ident = Identity(
            id=where,
            family=family,
            name=closed.__name__,
            f=f,
            closed=closed,
            argnames=argnames,
            wrt=wrt,
            shapes=dict(shapes),
            requires=dict(requires or {}),
            tex=tex,
            sources=tuple(sources),
            aliases=tuple(aliases),
            notes=inspect.cleandoc(notes) if notes else "",
            kind=kind,
            convention=convention,
            examples=tuple(examples),
            sizes=tuple(sizes),
            joint=tuple(joint),
            autodiff_requires=dict(autodiff_requires or {}),
            special=tuple(special),
            bench_sizes=tuple(dict(b) for b in bench_sizes),
            dtypes=dict(dtypes or {}),
            holomorphic=holomorphic,
            complex_form=form,
            find=find,
        )
        REGISTRY.add(ident)
        return ident

    return register


def _complex_form(
    where: str, dtypes: Mapping[str, str], argnames: tuple[str, ...], wrt: str, kind: str, holomorphic: bool, form: str
) -> str:
    """Check the complex declarations of an identity; the convention its closed form returns ("" if real)."""
    from .wirtinger import COMPLEX_CONVENTIONS

    for a, d in dtypes.items():
        if a not in argnames:
            raise ValueError(f"{where}: dtypes names {a!r}, not an argument")
        if d != "complex128":
            raise ValueError(f"{where}: dtype of {a} is {d!r}; only 'complex128' is declared (float64 is the default)")
    if wrt not in dtypes:
        if holomorphic or form:
            raise ValueError(
                f"{where}: holomorphic/complex_form need a complex variable (dtypes={{{wrt!r}: 'complex128'}})"
            )
        return ""
    if kind != "jacobian":
        raise ValueError(f"{where}: complex variables are supported for kind='jacobian' only, not {kind!r}")
    form = form or ("holomorphic" if holomorphic else "conj_wirtinger")
    if form != "pair" and form not in COMPLEX_CONVENTIONS:
        raise ValueError(f"{where}: complex_form {form!r} is not 'pair' or one of {', '.join(COMPLEX_CONVENTIONS)}")
    if form in ("re", "im"):
        raise ValueError(f"{where}: complex_form {form!r} does not determine the derivative; use 'pair'")
    if form == "holomorphic" and not holomorphic:
        raise ValueError(f"{where}: complex_form='holomorphic' needs holomorphic=True")
    return form


def catalog() -> list[Identity]:
    """Every identity, in declaration order."""
    return list(REGISTRY.values())


def get(key: str) -> Identity:
    """One identity by id (``"norms.l2"``), alias (``"dK/dR"``) or Cookbook number (``"MC(70)"``)."""
    return REGISTRY.lookup(key)
