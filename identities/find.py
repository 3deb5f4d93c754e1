"""Look an identity up by what it computes: :func:`find` matches a function against the catalog numerically.

A catalog identity matches the user's function ``f`` when, after renaming and reordering the arguments,
both compute the same values on the same random valid inputs: several draws at two size assignments.
Inputs are built with the identity's own structures (symmetric, SPD, invertible, ...), so a match can hold
only under the identity's preconditions; such a match lists them.

Candidates are pruned before anything is evaluated: same number of arguments, the same rank for each
argument under the mapping, the user's variable mapped onto the identity's, and a consistent pattern of
dimensions (the user's square ``A`` cannot be the identity's ``m n`` with ``m`` fixed to 2 while ``n`` is 3).
The survivors are evaluated with NumPy from their jaxprs (:mod:`identities.frameworks.numpy`: no XLA compile)
in two stages: one draw first, and the remaining draws only for those that agree on it. The identity's
values are kept across lookups and processes (:mod:`identities.find_store`). Complex arguments
(``complex_args``, or complex arrays) are drawn complex and map only onto an identity's complex ones.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._core import KINDS, REGISTRY, Identity, catalog, parse_shape
from .errors import IdentityError
from .find_store import STORE

DRAWS = 3  # random inputs per size assignment
RTOL = 1e-7  # agreement: |f - g| <= RTOL * max|f, g| + ATOL
ATOL = 1e-12
DEFAULT_MATRIX = "n n"  # capital letters
DEFAULT_VECTOR = "n"  # everything else

Token = tuple[str, Any]  # ("u", user dim name) | ("c", literal size) | ("i", identity dim name)


class FindError(IdentityError):
    """A lookup that cannot be made: unknown variable, bad shape, a ``wrt`` that is not an argument."""


# --- the user's side ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    """The user's function with its argument names, dimension pattern, variable, and point (if given)."""

    f: Callable[..., Any]
    names: tuple[str, ...]
    dims: tuple[tuple[Token, ...], ...]
    wrt: int
    point: tuple[np.ndarray, ...] | None  # the user's arrays, when given
    complex_args: frozenset[int] = frozenset()  # the arguments that are complex (the others are real)

    @property
    def label(self) -> str:
        """The expression's text for an EXPR, else the function's name."""
        qual = getattr(self.f, "__qualname__", "")
        return qual[5:-1] if qual.startswith("expr(") else getattr(self.f, "__name__", "f")

    @property
    def shapes_text(self) -> dict[str, str]:
        return {n: " ".join(str(t[1]) for t in d) for n, d in zip(self.names, self.dims, strict=True)}


def default_shape(name: str) -> str:
    """``n n`` for a name starting with a capital letter, ``n`` otherwise (the CLI's default)."""
    return DEFAULT_MATRIX if name[:1].isupper() else DEFAULT_VECTOR


def _arg_names(f: Callable[..., Any], n: int | None) -> tuple[str, ...]:
    """f's positional parameter names; ``arg0, arg1, ...`` for a function that takes ``*args``."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return tuple(f"arg{i}" for i in range(n or 0))
    names = tuple(p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    if n is not None and len(names) < n and any(p.kind == p.VAR_POSITIONAL for p in params):
        names += tuple(f"arg{i}" for i in range(len(names), n))
    return names


def _spec_tokens(name: str, spec: Any) -> tuple[tuple[Token, ...], np.ndarray | None, bool]:
    """One argument as given: a shape string ("m n", "" for a scalar), a tuple of sizes, a ShapeDtypeStruct,
    or an array; and whether it is complex (a complex array or ShapeDtypeStruct)."""
    if isinstance(spec, str):
        try:
            dims = parse_shape(spec)
        except ValueError as e:
            raise FindError(f"shape of {name}: {e}") from None
        return tuple(("c", int(d)) if d.isdigit() else ("u", d) for d in dims), None, False
    if isinstance(spec, tuple) and all(isinstance(d, int | np.integer) and not isinstance(d, bool) for d in spec):
        if any(int(d) < 1 for d in spec):
            raise FindError(f"shape of {name}: sizes must be at least 1, got {tuple(spec)}")
        return tuple(("c", int(d)) for d in spec), None, False
    if hasattr(spec, "shape") and hasattr(spec, "dtype") and not hasattr(spec, "__array__"):  # ShapeDtypeStruct
        return tuple(("c", int(d)) for d in spec.shape), None, np.dtype(spec.dtype).kind == "c"
    try:
        arr = np.asarray(spec)
    except Exception as e:  # anything that is no array
        raise FindError(f"argument {name}: not an array or a shape ({type(spec).__name__}): {e}") from None
    if arr.dtype.kind not in "fiubc":
        raise FindError(f"argument {name}: not a numeric array or a shape (dtype {arr.dtype})")
    cplx = arr.dtype.kind == "c"
    arr = arr.astype(np.complex128 if cplx else np.float64)
    if not np.all(np.isfinite(arr)):
        raise FindError(f"argument {name}: has non-finite entries")
    if any(d < 1 for d in arr.shape):
        raise FindError(f"argument {name}: empty array of shape {arr.shape}")
    return tuple(("c", int(d)) for d in arr.shape), arr, cplx


def make_query(
    f: Callable[..., Any],
    args: Sequence[Any],
    wrt: int | str,
    shapes: Mapping[str, str] | None,
    complex_args: Sequence[int | str] = (),
) -> Query:
    """Read ``find``'s arguments into a :class:`Query` (or refuse them with a :class:`FindError`)."""
    if not callable(f):
        raise FindError(f"find: f must be a function, got {type(f).__name__}")
    names = _arg_names(f, len(args) if args else None)
    if not names:
        raise FindError("find: cannot tell f's arguments (give a function with named positional parameters)")
    if shapes:
        unknown = [k for k in shapes if k not in names]
        if unknown:
            raise FindError(f"find: shape given for {', '.join(unknown)}, which f does not take ({', '.join(names)})")
    if args and shapes:
        raise FindError("find: give the arguments (arrays or shapes) or shapes=..., not both")
    specs = list(args) if args else [(shapes or {}).get(n, default_shape(n)) for n in names]
    if len(specs) != len(names):
        raise FindError(f"find: f takes {len(names)} arguments ({', '.join(names)}), got {len(specs)}")
    parsed = [_spec_tokens(n, s) for n, s in zip(names, specs, strict=True)]
    values = [v for _, v, _ in parsed]
    if any(v is not None for v in values) and any(v is None for v in values):
        raise FindError("find: give all arguments as arrays (a point) or all as shapes, not a mixture")
    if isinstance(wrt, bool) or not isinstance(wrt, int | str | np.integer):
        raise FindError(f"find: wrt must be an argument's index or name, got {wrt!r}")
    if isinstance(wrt, str):
        if wrt not in names:
            raise FindError(f"find: wrt={wrt!r} is not an argument of f ({', '.join(names)})")
        w = names.index(wrt)
    else:
        w = int(wrt)
        if not -len(names) <= w < len(names):
            raise FindError(f"find: wrt={w} is out of range: f takes {len(names)} argument(s) ({', '.join(names)})")
        w %= len(names)
    point = tuple(v for v in values if v is not None) if values[0] is not None else None
    cplx = {i for i, (_, _, c) in enumerate(parsed) if c}
    for a in complex_args:
        if isinstance(a, str) and a in names:
            cplx.add(names.index(a))
        elif isinstance(a, int | np.integer) and not isinstance(a, bool) and 0 <= int(a) < len(names):
            cplx.add(int(a))
        else:
            raise FindError(f"find: complex argument {a!r} is not an argument of f ({', '.join(names)})")
    if point is not None:
        real_given = [names[i] for i in sorted(cplx) if point[i].dtype.kind != "c"]
        if real_given:
            raise FindError(f"find: {', '.join(real_given)} declared complex but given as a real array")
    dims = tuple(d for d, _, _ in parsed)
    return Query(f=f, names=names, dims=dims, wrt=w, point=point, complex_args=frozenset(cplx))


# --- the identities' side -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Candidate:
    ident: Identity
    perm: tuple[int, ...]  # user argument i is the identity's argument perm[i]
    sizes: tuple[dict[str, int], ...]  # size assignments of the identity's dims


def _ranks(ident: Identity) -> tuple[int, ...]:
    return tuple(len(parse_shape(ident.shapes[a])) for a in ident.argnames)


class _Union:
    def __init__(self) -> None:
        self.parent: dict[Token, Token] = {}

    def find(self, t: Token) -> Token:
        self.parent.setdefault(t, t)
        while self.parent[t] != t:
            self.parent[t] = self.parent[self.parent[t]]
            t = self.parent[t]
        return t

    def union(self, a: Token, b: Token) -> None:
        self.parent[self.find(a)] = self.find(b)


def _assignments(ident: Identity, query: Query, perm: tuple[int, ...]) -> tuple[dict[str, int], ...] | None:
    """Size assignments of the identity's dims consistent with the user's pattern, or None if none is."""
    uf = _Union()
    for i, udims in enumerate(query.dims):
        idims = parse_shape(ident.shapes[ident.argnames[perm[i]]])
        for ut, d in zip(udims, idims, strict=True):
            uf.union(ut, ("c", int(d)) if d.isdigit() else ("i", d))
    classes: dict[Token, list[Token]] = {}
    for t in list(uf.parent):
        classes.setdefault(uf.find(t), []).append(t)
    own = ident.size_assignments()
    concrete_user = query.point is not None or any(t[0] == "c" for d in query.dims for t in d)
    out: list[dict[str, int]] = []
    for s in range(2):
        sizes: dict[str, int] = {}
        for members in classes.values():
            lits = {t[1] for t in members if t[0] == "c"}
            if len(lits) > 1:
                return None  # two different fixed sizes on one axis
            idims = [t[1] for t in members if t[0] == "i"]
            if lits:
                value = next(iter(lits))
                fixed_by_identity = any(d.isdigit() and int(d) == value for d in _literal_dims(ident))
                # a size the user gave is moved for the second assignment (sizes stay distinct: +1 is injective)
                size = value if s == 0 or fixed_by_identity or not concrete_user else value + 1
            else:
                size = own[s % len(own)][idims[0]]
            for d in idims:
                sizes[d] = size
        if sizes not in out:
            out.append(sizes)
    return tuple(out)


def _literal_dims(ident: Identity) -> set[str]:
    return {d for a in ident.argnames for d in parse_shape(ident.shapes[a]) if d.isdigit()}


def candidates(
    query: Query, kinds: Sequence[str] = KINDS, among: Sequence[Identity] | None = None
) -> Iterator[_Candidate]:
    """Identities and argument mappings that survive pruning: argument count, ranks, variable, dimensions."""
    uranks = tuple(len(d) for d in query.dims)
    for ident in catalog() if among is None else among:
        if ident.kind not in kinds or len(ident.argnames) != len(uranks):
            continue
        if len(ident.dtypes) != len(query.complex_args):
            continue
        iranks = _ranks(ident)
        if sorted(iranks) != sorted(uranks):
            continue
        for perm in _perms(uranks, iranks, query.wrt, ident.wrt_index):
            # a complex argument maps to a complex one: on the real axis a complex identity would match real
            # functions it differs from (abs(z)**2 and z**2)
            if any((i in query.complex_args) != (ident.argnames[p] in ident.dtypes) for i, p in enumerate(perm)):
                continue
            sizes = _assignments(ident, query, perm)
            if sizes is not None:
                yield _Candidate(ident, perm, sizes)


def _perms(uranks: tuple[int, ...], iranks: tuple[int, ...], uwrt: int, iwrt: int) -> Iterator[tuple[int, ...]]:
    k = len(uranks)
    others = [j for j in range(k) if j != iwrt]
    for rest in itertools.permutations(others):
        perm = list(rest)
        perm.insert(uwrt, iwrt)
        if all(uranks[i] == iranks[perm[i]] for i in range(k)):
            yield tuple(perm)


# --- evaluation ---------------------------------------------------------------------------------------------


def _raw(shape: tuple[int, ...], s: int, k: int, i: int, cplx: bool = False) -> np.ndarray:
    """The unconstrained draw for the user's argument ``i`` (same for every candidate: values are shared);
    x + iy from two such draws for a complex argument."""
    rng = np.random.default_rng([7, s, k, i, *shape])
    real = rng.uniform(-2.0, 2.0, size=shape)
    return real + 1j * rng.uniform(-2.0, 2.0, size=shape) if cplx else real


def _value(fn: Callable[..., Any], args: Sequence[np.ndarray]) -> np.ndarray | None:
    """``fn(*args)``, or None where it fails or is not finite. Interpreted from its jaxpr with NumPy where
    :mod:`identities.frameworks.numpy` can (no XLA compile: a cold lookup meets a hundred candidates), else by
    calling it (JAX, or NumPy code that does not trace)."""
    from .frameworks import numpy as numpy_table  # SciPy: imported by the first lookup, not with the package

    try:
        try:
            raw = numpy_table.evaluate(fn, args)
        except Exception:  # a primitive the interpreter lacks, or a function that does not trace
            raw = fn(*args)
        out = np.asarray(raw)
        out = out.astype(np.complex128 if out.dtype.kind == "c" else np.float64)
    except Exception:  # a function that cannot take these inputs does not match
        return None
    return out if np.all(np.isfinite(out)) else None


def _structured(ident: Identity) -> bool:
    return bool(ident.requires or ident.joint or ident.autodiff_requires)


@dataclass
class _Lookup:
    """One lookup's state: the query, and the user's values cached by their inputs."""

    query: Query
    user_values: dict[tuple[Any, ...], np.ndarray | None] = field(default_factory=dict)

    def inputs(self, c: _Candidate, s: int, k: int) -> dict[str, np.ndarray] | None:
        from .verify import build_inputs

        ident = c.ident
        shapes = ident.arg_shapes(c.sizes[s])
        cx = self.query.complex_args
        raw = {ident.argnames[p]: _raw(shapes[ident.argnames[p]], s, k, i, i in cx) for i, p in enumerate(c.perm)}
        try:
            return build_inputs(ident, raw)
        except Exception:  # a structure that cannot be built at these sizes
            return None

    def agree(self, c: _Candidate, s: int, k: int) -> bool:
        ident = c.ident
        shapes = tuple(sorted(ident.arg_shapes(c.sizes[s]).items()))
        drawn_complex = tuple(ident.argnames[p] for i, p in enumerate(c.perm) if i in self.query.complex_args)
        ikey = (ident.id, c.perm, shapes, s, k, drawn_complex)  # the draws: sizes, seeds, which are complex
        inputs = None
        # a catalog identity's values are the same in every process: stored on disk (identities.find_store);
        # an identity built or changed outside the package (a test's variant, say) is evaluated every time
        stored = REGISTRY.get(ident.id) is ident and getattr(ident.f, "__module__", "").startswith("identities.")
        found, v = STORE.get(ikey) if stored else (False, None)
        if not found:
            inputs = self.inputs(c, s, k)
            v = None if inputs is None else _value(ident.f, [inputs[a] for a in ident.argnames])
            if stored:
                STORE.put(ikey, v)
        if v is None:
            return False
        if self.query.f is ident.f and c.perm == tuple(range(len(c.perm))):
            return True  # the identity's own function on the same inputs (the coverage check): equal by definition
        ushapes = tuple(ident.arg_shapes(c.sizes[s])[ident.argnames[p]] for p in c.perm)
        ukey = (ushapes, s, k, (ident.id, c.perm) if _structured(ident) else None)
        if ukey not in self.user_values:
            inputs = inputs or self.inputs(c, s, k)
            args = None if inputs is None else [inputs[ident.argnames[p]] for p in c.perm]
            self.user_values[ukey] = None if args is None else _value(self.query.f, args)
        u = self.user_values[ukey]
        if u is None or u.shape != v.shape:
            return False
        scale = max(float(np.max(np.abs(u), initial=0.0)), float(np.max(np.abs(v), initial=0.0)))
        return bool(np.all(np.abs(u - v) <= RTOL * scale + ATOL))

    def matches(self, c: _Candidate) -> bool:
        if not self.agree(c, 0, 0):  # stage 1: one draw prunes almost every candidate
            return False
        return all(self.agree(c, s, k) for s in range(len(c.sizes)) for k in range(DRAWS) if (s, k) != (0, 0))


# --- results ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    """A catalog identity that computes the user's function, with the mapping of arguments.

    ``mapping`` maps the user's argument names to the identity's. ``preconditions`` are the identity's
    preconditions in the user's names: the match holds (and the closed form applies) only where they do.
    ``point`` is the user's point, or (when only shapes were given) the first valid draw.
    """

    identity: Identity
    mapping: dict[str, str]
    wrt: str
    preconditions: tuple[str, ...]
    point: dict[str, np.ndarray] = field(repr=False)
    user_point: bool

    def identity_args(self) -> tuple[np.ndarray, ...]:
        back = {v: k for k, v in self.mapping.items()}
        return tuple(self.point[back[a]] for a in self.identity.argnames)

    def derivative(self, layout: str = "jax", extra: Any = None) -> Any:
        """The closed form at :attr:`point` (validated), in ``layout``; a JVP (VJP) rule takes its tangent
        (cotangent) as ``extra``."""
        args = self.identity_args()
        if self.identity.kind in ("jvp", "vjp"):
            if extra is None:
                raise FindError(f"{self.identity.id} is a {self.identity.kind} rule: give its tangent as extra=")
            args = (*args, extra)
        return self.identity.closed_form(*args, layout=layout)

    @property
    def refused(self) -> str | None:
        """Why the closed form does not apply at the user's point (a violated precondition), else None."""
        if self.identity.kind in ("jvp", "vjp"):
            return None
        try:
            self.derivative()
        except IdentityError as e:
            return str(e)
        return None

    def to_dict(self, layouts: Sequence[str] = ("numerator", "denominator")) -> dict[str, Any]:
        ident = self.identity
        d: dict[str, Any] = {
            "id": ident.id,
            "kind": ident.kind,
            "convention": ident.convention,
            "complex_convention": ident.complex_form or None,
            "mapping": dict(self.mapping),
            "wrt": self.wrt,
            "preconditions": list(self.preconditions),
            "function": ident.tex.f,
            "derivative_tex": {lay: ident.tex.num if lay == "numerator" else ident.tex.den for lay in layouts},
            "sources": [str(s) for s in ident.sources],
            "cookbook": mc_numbers(ident),
        }
        if ident.kind in ("jacobian", "hessian"):
            refused = self.refused
            d["point"] = {"user": self.user_point, "values": {k: v.tolist() for k, v in self.point.items()}}
            if refused:
                d["refused"] = refused
            else:
                d["derivative"] = {lay: np.asarray(self.derivative(lay)).tolist() for lay in layouts}
        return d


def mc_numbers(ident: Identity) -> list[str]:
    return [f"MC{s.loc}" for s in ident.sources if s.ref == "MC"]


@dataclass(frozen=True)
class Near:
    """A structural neighbour offered when nothing matches: same ranks, similar operations."""

    identity: Identity
    similarity: float  # Jaccard index of the sets of JAX primitives
    mapping: dict[str, str]


@dataclass(frozen=True)
class FindResult:
    """What :func:`find` returns: the matches (best first) and, when there are none, the closest identities."""

    query: Query
    matches: tuple[Match, ...]
    closest: tuple[Near, ...]
    tried: int  # candidate (identity, mapping) pairs evaluated after pruning

    def __iter__(self) -> Iterator[Match]:
        return iter(self.matches)

    def __len__(self) -> int:
        return len(self.matches)

    def __bool__(self) -> bool:
        return bool(self.matches)

    @property
    def ids(self) -> list[str]:
        return [m.identity.id for m in self.matches]

    @property
    def message(self) -> str:
        if self.matches:
            return f"{len(self.matches)} match(es)"
        near = ", ".join(n.identity.id for n in self.closest) or "none with the same ranks"
        return (
            "no identity in the catalog computes this function. Closest by structure (same ranks, similar "
            f"operations): {near}. identities.check(f, your_derivative, *args) can still check a derivative "
            "you wrote yourself."
        )


_KIND_ORDER = {k: i for i, k in enumerate(KINDS)}
_ORDER = {}


def _declared_order() -> dict[str, int]:
    if len(_ORDER) != len(catalog()):
        _ORDER.clear()
        _ORDER.update({i.id: n for n, i in enumerate(catalog())})
    return _ORDER


def _preconditions(ident: Identity, back: Mapping[str, str]) -> tuple[str, ...]:
    out = [f"{back[a]} {s.description}" for a, s in ident.requires.items()]
    for j in ident.joint:
        out.append(f"{j.description} (in the identity's names; {_mapping_text(back)})")
    if ident.convention != "full":
        out.append(f"{back[ident.wrt]} is structured: the derivative follows the {ident.convention!r} convention")
    return tuple(out)


def _mapping_text(back: Mapping[str, str]) -> str:
    return ", ".join(f"{i} = your {u}" for i, u in back.items() if i != u) or "same names"


def _primitives(f: Callable[..., Any], args: Sequence[np.ndarray]) -> frozenset[str]:
    import jax

    try:
        jaxpr = jax.make_jaxpr(f)(*args)
    except Exception:  # a function JAX cannot trace has no primitives to compare
        return frozenset()
    out: set[str] = set()

    def walk(jx: Any) -> None:
        for eqn in jx.eqns:
            out.add(eqn.primitive.name)
            for p in eqn.params.values():
                for sub in p if isinstance(p, list | tuple) else [p]:
                    inner = getattr(sub, "jaxpr", None)
                    if inner is not None:
                        walk(getattr(inner, "jaxpr", inner))

    walk(jaxpr.jaxpr)
    return frozenset(out - {"pjit", "convert_element_type", "broadcast_in_dim", "squeeze", "reshape"})


def _closest(lookup: _Lookup, tried: Sequence[_Candidate], n: int = 5) -> tuple[Near, ...]:
    q = lookup.query
    by_ident: dict[str, _Candidate] = {}
    for c in tried:
        by_ident.setdefault(c.ident.id, c)
    if not by_ident:
        return ()
    mine: frozenset[str] | None = None
    scored = []
    for c in by_ident.values():
        inputs = lookup.inputs(c, 0, 0)
        if inputs is None:
            continue
        if mine is None:
            mine = _primitives(q.f, [inputs[c.ident.argnames[p]] for p in c.perm])
        theirs = _primitives(c.ident.f, [inputs[a] for a in c.ident.argnames])
        union = mine | theirs
        sim = len(mine & theirs) / len(union) if union else 0.0
        scored.append(Near(c.ident, sim, {q.names[i]: c.ident.argnames[p] for i, p in enumerate(c.perm)}))
    scored.sort(key=lambda near: -near.similarity)
    return tuple(scored[:n])


def find(
    f: Callable[..., Any],
    *args: Any,
    wrt: int | str = 0,
    shapes: Mapping[str, str] | None = None,
    kinds: Sequence[str] = KINDS,
    among: Sequence[Identity] | None = None,
    complex_args: Sequence[int | str] = (),
) -> FindResult:
    """The catalog identities that compute the same function as ``f`` (up to renaming and reordering).

    ``args`` are the user's point (arrays) or shapes (``"m n"``, ``"n"``, ``""`` for a scalar, or tuples of
    sizes), one per argument of ``f``; without them, ``shapes={"X": "m n"}`` or the defaults (``n n`` for
    capitalised names, ``n`` otherwise). ``wrt`` is the variable: an index or a name. ``kinds`` restricts
    the kinds of identity (``"jacobian"``, ``"hessian"``, ``"jvp"``, ``"vjp"``); ``among`` the identities
    tried (default: the whole catalog). Each candidate is judged on its own, so an identity is in
    ``find(f, among=[ident])`` exactly when it is in ``find(f)``: the coverage checks use that to try
    only the identity they ask about. ``complex_args`` names the arguments that are complex (a complex array
    or ``jax.ShapeDtypeStruct`` says so itself): they are drawn complex and map only to an identity's complex
    arguments; the others are real.
    """
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise FindError(f"find: unknown kind(s) {', '.join(bad)}; kinds are {', '.join(KINDS)}")
    query = make_query(f, args, wrt, shapes, complex_args)
    lookup = _Lookup(query)
    tried: list[_Candidate] = []
    found: dict[str, Match] = {}
    for c in candidates(query, kinds, among):
        tried.append(c)
        if c.ident.id in found or not lookup.matches(c):
            continue
        found[c.ident.id] = _match(lookup, c)
    order = _declared_order()
    matches = sorted(
        found.values(),
        key=lambda m: (
            _KIND_ORDER[m.identity.kind],
            m.identity.convention != "full",
            len(m.preconditions),
            order[m.identity.id],
        ),
    )
    closest = () if matches else _closest(lookup, tried)
    return FindResult(query, tuple(matches), closest, len(tried))


def _match(lookup: _Lookup, c: _Candidate) -> Match:
    q = lookup.query
    ident = c.ident
    mapping = {q.names[i]: ident.argnames[p] for i, p in enumerate(c.perm)}
    back = {v: k for k, v in mapping.items()}
    if q.point is not None:
        point = dict(zip(q.names, q.point, strict=True))
    else:
        inputs = lookup.inputs(c, 0, 0) or {}
        point = {q.names[i]: inputs[ident.argnames[p]] for i, p in enumerate(c.perm)}
    return Match(
        identity=ident,
        mapping=mapping,
        wrt=q.names[q.wrt],
        preconditions=_preconditions(ident, back),
        point=point,
        user_point=q.point is not None,
    )


def find_expr(
    text: str,
    wrt: str | None = None,
    shapes: Mapping[str, str] | None = None,
    kinds: Sequence[str] = KINDS,
    among: Sequence[Identity] | None = None,
    complex_args: Sequence[str] = (),
) -> FindResult:
    """:func:`find` for an EXPR string (``identities.expr``): shapes default by the capital-letter rule;
    ``complex_args`` are the variables that are complex (``--complex NAME``)."""
    from .expr import parse

    e = parse(text)
    shapes = dict(shapes or {})
    unknown = [k for k in shapes if k not in e.names]
    if unknown:
        raise FindError(f"--shape {', '.join(unknown)}: not a variable of {e.text!r} (variables: {', '.join(e.names)})")
    if wrt is None:
        wrt = default_wrt(e.names)
    if wrt not in e.names:
        raise FindError(f"--wrt {wrt}: not a variable of {e.text!r} (variables: {', '.join(e.names)})")
    stray = [c for c in complex_args if c not in e.names]
    if stray:
        raise FindError(f"--complex {', '.join(stray)}: not a variable of {e.text!r} (variables: {', '.join(e.names)})")
    full = {n: shapes.get(n, default_shape(n)) for n in e.names}
    return find(e.function, wrt=wrt, shapes=full, kinds=kinds, among=among, complex_args=tuple(complex_args))


def default_wrt(names: Sequence[str]) -> str:
    """The variable when none is named: the only one, else X, else x."""
    if len(names) == 1:
        return names[0]
    for n in ("X", "x"):
        if n in names:
            return n
    raise FindError(f"the expression has several variables ({', '.join(names)}): say which with --wrt NAME")


# --- declared expressions -----------------------------------------------------------------------------------
def expr_shapes(ident: Identity) -> dict[str, str]:
    """The ``--shape`` options a lookup of ``ident.find`` needs: the identity's shape for each argument
    whose rank differs from the default (``n n`` for capitals, ``n`` otherwise); the rest take the default."""
    out = {}
    for a in ident.argnames:
        if len(parse_shape(ident.shapes[a])) != len(parse_shape(default_shape(a))):
            out[a] = ident.shapes[a]
    return out


def command(ident: Identity) -> str:
    """The command line that finds ``ident`` from its declared EXPR."""
    import shlex

    parts = ["python -m identities find", shlex.quote(ident.find), f"--wrt {ident.wrt}"]
    parts += [f"--shape {shlex.quote(f'{a}={s}')}" for a, s in expr_shapes(ident).items()]
    parts += [f"--complex {a}" for a in expr_complex(ident)]
    return " ".join(parts)


def expr_complex(ident: Identity) -> tuple[str, ...]:
    """The ``--complex`` variables of a lookup of ``ident.find``: its complex arguments."""
    return tuple(a for a in ident.argnames if a in ident.dtypes)


def found_by_expr(ident: Identity, whole_catalog: bool = False) -> bool:
    """Does the lookup of the identity's declared EXPR (with :func:`expr_shapes`) return it? By default only
    ``ident`` is tried (see :func:`find`'s ``among``: the same answer, without evaluating the rest)."""
    among = None if whole_catalog else [ident]
    if not ident.find:
        return False
    result = find_expr(ident.find, ident.wrt, expr_shapes(ident), among=among, complex_args=expr_complex(ident))
    return ident.id in result.ids


def found_by_function(ident: Identity, whole_catalog: bool = False) -> bool:
    """Does ``find(ident.f, <its shapes>, wrt=ident.wrt)`` return the identity? (``among`` as above; its
    complex arguments are declared complex.)"""
    shapes = [ident.shapes[a] for a in ident.argnames]
    among = None if whole_catalog else [ident]
    return ident.id in find(ident.f, *shapes, wrt=ident.wrt, among=among, complex_args=tuple(ident.dtypes)).ids


@dataclass(frozen=True)
class Coverage:
    """The matcher's coverage: identities not found from their own function, declared EXPRs that do not
    find their identity, and how many identities carry an EXPR."""

    not_found_by_function: tuple[str, ...]
    not_found_by_expr: tuple[str, ...]
    with_expr: int

    def problems(self, minimum: int) -> list[str]:
        out = [f"{i}: not found by identities.find from its own function f" for i in self.not_found_by_function]
        out += [f"{i}: its find= expression does not find it" for i in self.not_found_by_expr]
        if self.with_expr < minimum:
            out.append(f"only {self.with_expr} identities carry a find= expression that finds them (need {minimum})")
        return out


MIN_WITH_EXPR = 150  # issue 16: at least this many identities are found from their declared EXPR


_COVERAGE: dict[tuple[tuple[str, str], ...], Coverage] = {}


def coverage(idents: Sequence[Identity] | None = None) -> Coverage:
    """Run both coverage checks over ``idents`` (default: the catalog). The docs build, docs/find.md and the
    tests call it; the result is kept for the process (keyed by the ids and their declared EXPRs)."""
    idents = list(catalog() if idents is None else idents)
    key = tuple((i.id, i.find) for i in idents)
    if key not in _COVERAGE:
        by_f = tuple(i.id for i in idents if not found_by_function(i))
        declared = [i for i in idents if i.find]
        by_e = tuple(i.id for i in declared if not found_by_expr(i))
        _COVERAGE[key] = Coverage(by_f, by_e, len(declared) - len(by_e))
    return _COVERAGE[key]


# What EXPR cannot state, with the reason: every identity without a ``find=`` expression is listed here, and
# nothing else (tests/test_find_coverage.py), so the list cannot drift from the declarations.
_CONSTANT = (
    "the function is constant in the variable and does not use it: an EXPR's variables are the names it uses, "
    "so it cannot name the variable (find(f, ...) still finds it from the function)"
)
_INDEXING = "the function is written on the components of one vector argument (v[0], v[1]): EXPR has no indexing"
_STACKED = "the two matrices are one stacked argument P (P[0], P[1]): EXPR has no indexing"
_NO_WORD = "EXPR has no word for {}"
_TRI_LOWER = (
    "a triangular solve reads only the lower triangle of T (the rest is ignored): EXPR has no tril or "
    "triangular solve, and solve(T, B) uses all of T"
)
_TRI_UPPER = (
    "a triangular solve reads only the upper triangle of T (the rest is ignored): EXPR has no triu or "
    "triangular solve, and B @ inv(T) uses all of T"
)
_TRI_UNIT = (
    "a unit triangular solve reads only the strict lower triangle of T (unit diagonal assumed): EXPR has no "
    "tril or triangular solve, and solve(T, B) uses all of T"
)
_TRI_CHO = "cho_solve reads only the lower triangle of L: EXPR has no tril, and solve(L @ L.T, B) uses all of L"
UNSTATABLE: dict[str, str] = {
    "basic.constant": _CONSTANT,
    "by_scalar.vs_const": _CONSTANT,
    "differentials.d_const": _CONSTANT,
    "rules.sv_constant": _CONSTANT,
    "trace.tr_sinX": _NO_WORD.format("the matrix sine (sin is elementwise, as in NumPy)"),
    "by_scalar.ms_g_xA": _NO_WORD.format("the matrix sine (sin is elementwise, as in NumPy)"),
    "by_scalar.ss_tr_g_xA": _NO_WORD.format("the matrix sine (sin is elementwise, as in NumPy)"),
    "trace.tr_gX": _NO_WORD.format("a matrix polynomial whose coefficients are a vector argument (no indexing)"),
    "giles.poly_jvp": _NO_WORD.format("a matrix polynomial whose coefficients are a vector argument (no indexing)"),
    "giles.poly_vjp": _NO_WORD.format("a matrix polynomial whose coefficients are a vector argument (no indexing)"),
    "differentials.d_sum": _STACKED,
    "differentials.d_product": _STACKED,
    "differentials.d_kron": _STACKED,
    "differentials.d_hadamard": _STACKED,
    "differentials.d_logm": _NO_WORD.format("the matrix logarithm"),
    "differentials.d_logm_divdiff": _NO_WORD.format("the matrix logarithm"),
    "eigen.eigvecs_sym": _NO_WORD.format("eigenvectors (their sign convention is the identity's own)"),
    "giles.eigvecs_jvp": _NO_WORD.format("eigenvector projectors"),
    "giles.eigvecs_vjp": _NO_WORD.format("eigenvector projectors"),
    "losses.kmeans": _NO_WORD.format("the pairwise differences of columns (a three-index broadcast)"),
    "ml.gaussian_loglik_mu": _NO_WORD.format("an argument's size (the constant is N d log 2π / 2 for N rows)"),
    "ml.gaussian_loglik_Sigma": _NO_WORD.format("an argument's size (the constant is N d log 2π / 2 for N rows)"),
    "partial.x_plus_2y3_squared": _INDEXING,
    "partial.x1sq_x2_plus_x1_x2cubed": _INDEXING,
    "partial.chain_pqr": _INDEXING,
    "partial.d2l_chain_vector": _INDEXING,
    "scalar.power": "the exponent is an argument: EXPR's ** takes a number as exponent",
    "eigfuncs.low_projector_jvp": _NO_WORD.format("the projector onto the eigenvectors of the lowest eigenvalues"),
    "eigfuncs.low_projector_vjp": _NO_WORD.format("the projector onto the eigenvectors of the lowest eigenvalues"),
    "eigfuncs.low_sum_jvp": _NO_WORD.format("the sum of the lowest eigenvalues (a partial spectral sum)"),
    "eigfuncs.low_sum_vjp": _NO_WORD.format("the sum of the lowest eigenvalues (a partial spectral sum)"),
    "logm.logm_jvp": _NO_WORD.format("the matrix logarithm"),
    "logm.logm_vjp": _NO_WORD.format("the matrix logarithm"),
    "svd.U_jvp": _NO_WORD.format("singular vectors (their sign convention is the identity's own)"),
    "svd.U_vjp": _NO_WORD.format("singular vectors (their sign convention is the identity's own)"),
    "svd.V_jvp": _NO_WORD.format("singular vectors (their sign convention is the identity's own)"),
    "svd.V_vjp": _NO_WORD.format("singular vectors (their sign convention is the identity's own)"),
    "svd.tanh_sv_jvp": _NO_WORD.format("a function applied to the singular values inside the SVD"),
    "svd.tanh_sv_vjp": _NO_WORD.format("a function applied to the singular values inside the SVD"),
    "svd.range_projector_jvp": _NO_WORD.format("the projector onto the range of A"),
    "svd.range_projector_vjp": _NO_WORD.format("the projector onto the range of A"),
    "polar.Q_jvp": _NO_WORD.format("the orthogonal factor of the polar decomposition"),
    "polar.Q_vjp": _NO_WORD.format("the orthogonal factor of the polar decomposition"),
    "polar.P_jvp": _NO_WORD.format("the positive factor of the polar decomposition"),
    "polar.P_vjp": _NO_WORD.format("the positive factor of the polar decomposition"),
    "signm.signm_jvp": _NO_WORD.format("the matrix sign function"),
    "signm.signm_vjp": _NO_WORD.format("the matrix sign function"),
    "sqrtm.sqrtm_spd_jvp": _NO_WORD.format("the matrix square root"),
    "sqrtm.sqrtm_spd_vjp": _NO_WORD.format("the matrix square root"),
    "sqrtm.sqrtm_jvp": _NO_WORD.format("the matrix square root"),
    "sqrtm.sqrtm_vjp": _NO_WORD.format("the matrix square root"),
    "cholesky.cho_solve_jvp": _TRI_CHO,
    "cholesky.cho_solve_vjp": _TRI_CHO,
    "lu.lu_L_jvp": _NO_WORD.format("the L factor of a pivoted LU factorization (EXPR has no lu)"),
    "lu.lu_U_jvp": _NO_WORD.format("the U factor of a pivoted LU factorization (EXPR has no lu)"),
    "lu.lu_L_vjp": _NO_WORD.format("the L factor of a pivoted LU factorization (EXPR has no lu)"),
    "lu.lu_U_vjp": _NO_WORD.format("the U factor of a pivoted LU factorization (EXPR has no lu)"),
    "qr.qr_square_Q_jvp": _NO_WORD.format("the Q factor of a QR factorization (EXPR has no qr)"),
    "qr.qr_square_R_jvp": _NO_WORD.format("the R factor of a QR factorization (EXPR has no qr)"),
    "qr.qr_square_Q_vjp": _NO_WORD.format("the Q factor of a QR factorization (EXPR has no qr)"),
    "qr.qr_square_R_vjp": _NO_WORD.format("the R factor of a QR factorization (EXPR has no qr)"),
    "qr.qr_tall_Q_jvp": _NO_WORD.format("the Q factor of a QR factorization (EXPR has no qr)"),
    "qr.qr_tall_R_jvp": _NO_WORD.format("the R factor of a QR factorization (EXPR has no qr)"),
    "qr.qr_tall_Q_vjp": _NO_WORD.format("the Q factor of a QR factorization (EXPR has no qr)"),
    "qr.qr_tall_R_vjp": _NO_WORD.format("the R factor of a QR factorization (EXPR has no qr)"),
    "qr.qr_wide_Q_jvp": _NO_WORD.format("the Q factor of a QR factorization (EXPR has no qr)"),
    "qr.qr_wide_R_jvp": _NO_WORD.format("the R factor of a QR factorization (EXPR has no qr)"),
    "qr.qr_wide_Q_vjp": _NO_WORD.format("the Q factor of a QR factorization (EXPR has no qr)"),
    "qr.qr_wide_R_vjp": _NO_WORD.format("the R factor of a QR factorization (EXPR has no qr)"),
    "triangular.trsolve_lower_jvp": _TRI_LOWER,
    "triangular.trsolve_lower_vjp": _TRI_LOWER,
    "triangular.trsolve_lower_vjp_B": _TRI_LOWER,
    "triangular.trsolve_right_upper_jvp": _TRI_UPPER,
    "triangular.trsolve_right_upper_vjp": _TRI_UPPER,
    "triangular.trsolve_lower_T_jvp": _TRI_LOWER,
    "triangular.trsolve_lower_T_vjp": _TRI_LOWER,
    "triangular.trsolve_unit_lower_jvp": _TRI_UNIT,
    "triangular.trsolve_unit_lower_vjp": _TRI_UNIT,
}
