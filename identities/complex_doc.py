"""docs/complex.md, generated: the complex conventions with numbers the suite computes and measures.

``python -c "import identities.complex_doc as c; c.write()"`` rewrites the page; ``tests/test_complex_doc.py``
fails when the committed page differs from what the suite computes now. Every number is a closed form of
the registry read in a convention (:mod:`identities.wirtinger`) or a framework's answer measured here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

PAGE = Path(__file__).resolve().parents[1] / "docs" / "complex.md"
ORDER = ("wirtinger", "conj_wirtinger", "cookbook", "torch", "jax", "holomorphic", "re", "im")


def _num(v: Any) -> str:
    v = complex(v)
    if not np.isfinite(v):
        return "NaN" if np.isnan(v) else "inf"
    re, im = float(np.round(v.real, 10)) + 0.0, float(np.round(v.imag, 10)) + 0.0
    if im == 0:
        return f"{re:.4g}".replace("-", "−")
    if re == 0:
        return f"{im:.4g}i".replace("-", "−")
    return f"{re:.4g}".replace("-", "−") + f" {'+' if im > 0 else '−'} {abs(im):.4g}i"


def _arr(a: Any) -> str:
    a = np.asarray(a)
    if a.ndim == 0:
        return _num(a)
    return "[" + ", ".join(_arr(x) for x in a) + "]"


def _in_every_convention(ident: Any, args: tuple[Any, ...]) -> list[tuple[str, str]]:
    from .wirtinger import ConventionError

    rows = []
    for c in ORDER:
        try:
            rows.append((c, _arr(ident.closed_form(*args, convention=c))))
        except ConventionError:
            rows.append((c, "not defined"))
    return rows


def _measured() -> dict[str, str]:
    """The frameworks' answers, measured now."""
    import jax
    import jax.numpy as jnp
    import torch

    z0 = 1.0 + 2.0j
    out = {"jax |z|^2": _num(jax.grad(lambda z: jnp.abs(z) ** 2)(z0))}
    out["jax z^2 holo"] = _num(jax.grad(lambda z: z**2, holomorphic=True)(z0))
    out["jax zzbar holo"] = _num(jax.grad(lambda z: z * jnp.conj(z), holomorphic=True)(z0))
    t = torch.tensor(z0, dtype=torch.complex128, requires_grad=True)
    (t.abs() ** 2).backward()
    out["torch |z|^2"] = _num(t.grad)
    t = torch.tensor(z0, dtype=torch.complex128, requires_grad=True)
    (t**2).backward(torch.tensor(1 + 0j, dtype=torch.complex128))
    out["torch z^2"] = _num(t.grad)
    A, z, b = LSTSQ
    out["jax lstsq"] = _arr(jax.grad(lambda z: jnp.sum(jnp.abs(jnp.asarray(A) @ z - jnp.asarray(b)) ** 2))(z))
    tz = torch.tensor(z, requires_grad=True)
    (torch.abs(torch.tensor(A) @ tz - torch.tensor(b)) ** 2).sum().backward()
    out["torch lstsq"] = _arr(tz.grad.numpy())
    from .frameworks.tensorflow import tf  # the adapter quiets TensorFlow's C++ log before importing it

    for label, fn in (("tf |z|^2", lambda z: tf.math.real(z * tf.math.conj(z))), ("tf z^2", lambda z: z * z)):
        tz0 = tf.constant(z0, dtype=tf.complex128)
        with tf.GradientTape() as tape:
            tape.watch(tz0)
            y = fn(tz0)
        out[label] = _num(complex(tape.gradient(y, tz0).numpy()))
    out["versions"] = f"jax {jax.__version__}, torch {torch.__version__}"
    out["versions with tf"] = f"{out['versions']}, tensorflow {tf.__version__}"
    return out


def _torch_grad(fn: Any, z: complex) -> Any:
    import torch

    t = torch.tensor(z, dtype=torch.complex128, requires_grad=True)
    out = fn(t)
    out.backward(torch.ones_like(out))
    return complex(t.grad)


def _raises(thunk: Any) -> str | None:
    try:
        thunk()
    except Exception as e:  # the framework's refusal is the measured answer
        return f"{type(e).__name__}: {str(e).split('.')[0]}"
    return None


def _sides(ident: Any, args: tuple[Any, ...], of: Any) -> dict[str, complex]:
    """``of`` (f, or the closed form) just above and just below the branch cut through ``z = args[w]``."""
    w = ident.wrt_index
    z = complex(args[w])
    eps = 1e-12 * max(abs(z), 1.0)
    out = {}
    for name, dy in (("above", eps), ("below", -eps)):
        a = list(args)
        a[w] = np.asarray(complex(z.real, dy))
        out[name] = complex(np.asarray(of(*a)))
    return out


def _which(sides: dict[str, complex], value: complex) -> str | None:
    """The one side whose value ``value`` is (to 1e-9 relative); None for neither, or both alike."""
    match = [k for k, v in sides.items() if abs(value - v) <= 1e-9 * max(abs(v), 1.0)]
    return match[0] if len(match) == 1 else None


def _cut_text(ident: Any, args: tuple[Any, ...], value: complex, judged: complex) -> str:
    """At a point on a branch cut (on the real axis): which side a framework's value of f is from, whether
    that is the side the zero's sign names (C99, Annex G: −0 is the limit from below; NumPy follows it),
    and whether its derivative is that side's."""
    named = "below" if np.signbit(complex(args[ident.wrt_index]).imag) else "above"
    side = _which(_sides(ident, args, ident.f), value)
    if side is None:
        text = f"value {_num(value)}, from neither side alone"
    elif side == named:
        text = f"value {_num(value)} (from {side}, as C99/NumPy)"
    else:
        text = f"value {_num(value)} (from {side}: the sign of the zero is ignored)"
    closed = _sides(ident, args, lambda *a: ident.closed_form(*a, check=False))
    d_side = _which(closed, judged)
    if d_side is not None:
        text += f", the derivative {'of that side' if d_side == side else 'from ' + d_side}"
    return text


def special_points() -> list[dict[str, str]]:
    """The complex special points, measured now: the catalog's :class:`~identities.SpecialPoint` records of
    complex identities (each framework's answer as it returns it, read in the identity's convention and
    judged by the record, and at a branch cut the side its value of f is from), then the points no
    identity can carry: the phase of an eigenvector or singular vector is not a function of the matrix.
    Verdicts: valid, one-sided (the derivative from one side of a cut where f jumps), nan, invalid (finite,
    but not a valid answer, or no finite answer is valid), raises."""
    import jax
    import jax.numpy as jnp
    import torch

    from ._core import catalog
    from .frameworks.conformance import _special_answers
    from .frameworks.torch import torch_function
    from .special import format_value, point_call
    from .wirtinger import SYMBOLS

    rows = []
    for ident in catalog():
        if not ident.is_complex:
            continue
        for sp in ident.special:
            arrays = tuple(point_call(ident, sp))
            symbol = SYMBOLS[ident.complex_form]
            row = dict(point=f"{ident.find or ident.id} at {sp.label}", math=sp.math, upstream=", ".join(sp.upstream))
            for fw, primary in (
                ("jax", ("grad", "grad(holomorphic=True)")),
                ("torch", ("backward (torch)", "vjp (torch)")),
            ):
                answers = _special_answers(ident, sp, fw)
                name = next(k for k in primary if k in answers)
                raw, judged = answers[name]
                if isinstance(judged, Exception) or not np.all(np.isfinite(judged)):
                    verdict = "nan" if np.any(np.isnan(np.asarray(raw))) else "invalid"
                elif sp.is_valid(judged):
                    verdict = "one-sided" if sp.one_sided else "valid"
                else:
                    verdict = "invalid"
                text = f"{format_value(raw)}, as {symbol} {format_value(judged)} ({verdict})"
                if sp.one_sided:
                    if fw == "jax":
                        value = complex(np.asarray(ident.f(*(jnp.asarray(a) for a in arrays))))
                    else:
                        tf, _ = torch_function(ident, arrays)
                        value = complex(tf(*(torch.as_tensor(a) for a in arrays)).detach())
                    text = f"{_cut_text(ident, arrays, value, complex(judged))}; {text}"
                row[fw] = text
            rows.append(row)

    A = np.array([[2.0, 1j], [-1j, 3.0]])
    for name, jl, tl in (
        (
            "eigh",
            lambda A: jnp.angle(jnp.linalg.eigh(A)[1][0, 0]),
            lambda A: torch.angle(torch.linalg.eigh(A)[1][0, 0]),
        ),
        ("svd", lambda A: jnp.angle(jnp.linalg.svd(A)[0][0, 0]), lambda A: torch.angle(torch.linalg.svd(A)[0][0, 0])),
    ):
        jerr = _raises(lambda jl=jl: jax.grad(jl)(A))
        At = torch.tensor(A, requires_grad=True)
        terr = _raises(lambda tl=tl, At=At: tl(At).backward())
        rows.append(
            dict(
                point=f"the phase of a{'n eigen' if name == 'eigh' else ' singular '}vector ({name} of [[2, i], [−i, 3]])",
                math="vectors are defined up to e^{iφ}: a loss that depends on the phase is not a function of A; no answer is valid",
                jax=jerr or "a finite gradient (invalid: it depends on LAPACK's choice of phase)",
                torch=terr or "a finite gradient (invalid)",
                upstream="jax-ml/jax#2748",
            )
        )
    return rows


LSTSQ = (
    np.array([[1 + 1j, 2 + 0j], [0.5j, -1 + 0j], [1 + 0j, 1j]]),
    np.array([1 - 1j, 0.5 + 2j]),
    np.array([1j, 2 + 0j, -1 + 0j]),
)


def render() -> str:
    from . import get
    from ._core import catalog
    from .verify import draw_inputs
    from .wirtinger import COMPLEX_CONVENTIONS

    m = _measured()
    lines = [
        "# Complex variables: Wirtinger derivatives and every framework's convention",
        "",
        "<!-- generated by identities/complex_doc.py; tests/test_complex_doc.py checks it against the suite -->",
        "",
        "A real-valued loss of a complex variable z = x + iy has no complex derivative f′(z), but it has two",
        "Wirtinger derivatives, ∂f/∂z = ½(∂f/∂x − i∂f/∂y) and ∂f/∂z̄ = ½(∂f/∂x + i∂f/∂y), and together they are",
        "the whole derivative: df = (∂f/∂z) dz + (∂f/∂z̄) dz̄. The frameworks and the references return different",
        "functions of that pair: a conjugate and a factor 2 apart, with nothing in the shape to show it. The",
        "suite keeps the pair and converts at the edge (`identities.wirtinger`, re-exported by",
        "`identities.layout`), as it does for layouts:",
        "`ident.closed_form(*args, convention=...)`, `identities.check(f, df, *args, convention=...)`,",
        "`identities.check_identity(id, df, convention=...)`.",
        "",
        "| convention | what it is |",
        "| --- | --- |",
    ]
    lines += [f"| `{c}` | {COMPLEX_CONVENTIONS[c]} |" for c in ORDER]
    lines += [
        "",
        "## One function in every convention: |z|² at z = 1 + 2i",
        "",
        "f(z) = |z|² = x² + y² (`complex_basic.sq_abs`): ∂f/∂x = 2x = 2, ∂f/∂y = 2y = 4.",
        "",
        "| convention | value |",
        "| --- | --- |",
    ]
    sq = get("complex_basic.sq_abs")
    lines += [f"| `{c}` | {v} |" for c, v in _in_every_convention(sq, (1 + 2j,))]
    lines += [
        "",
        f"Measured ({m['versions with tf']}): `jax.grad(lambda z: jnp.abs(z)**2)(1+2j)` = **{m['jax |z|^2']}** (the `jax`",
        f"row); PyTorch's `z.grad` after `(z.abs()**2).backward()` = **{m['torch |z|^2']}** (the `torch` row, equal",
        "to the Cookbook's complex gradient (233)). They are conjugates, and each is twice a Wirtinger",
        'derivative: the factor 2. PyTorch\'s note "Autograd for Complex Numbers" (docs/source/notes/autograd.rst)',
        "says in its short version that the gradient computed is ∂L/∂z* and that JAX computes ∂L/∂z; read with",
        "L = f, both frameworks return twice that. The same note's formula for f: ℂ → ℝ, 2·grad_output·∂s/∂z*",
        "with grad_output = 1 by default, is what PyTorch returns; JAX's value is the conjugate of PyTorch's.",
        "Gradient descent needs ∂f/∂x + i∂f/∂y (the `torch` row): with JAX, step along the conjugate of `grad`.",
        f"TensorFlow's `tape.gradient` follows PyTorch: **{m['tf |z|^2']}** for |z|² and **{m['tf z^2']}** =",
        "conj f′(z) for z²; its conformance column reads every complex identity in the `torch` convention, and",
        "the determinant's gradient misses a conjugate there (docs/framework-findings.md §14).",
        "",
        "## ‖Az − b‖², the least-squares loss",
        "",
        "`complex_basic.lstsq`, declared as ∂f/∂z̄ = Aᴴ(Az − b), at",
        f"A = {_arr(LSTSQ[0])}, z = {_arr(LSTSQ[1])}, b = {_arr(LSTSQ[2])}:",
        "",
        "| convention | value |",
        "| --- | --- |",
    ]
    ls = get("complex_basic.lstsq")
    lines += [f"| `{c}` | {v} |" for c, v in _in_every_convention(ls, LSTSQ)]
    lines += [
        "",
        f"Measured: `jax.grad` = {m['jax lstsq']}; PyTorch's `.grad` = {m['torch lstsq']} = 2Aᴴ(Az − b).",
        "",
        "## Holomorphic maps, and `holomorphic=True` on a map that is not",
        "",
        "For a holomorphic f, ∂f/∂z̄ = 0 and ∂f/∂z = f′(z). For z² at 1 + 2i:",
        "",
        "| convention | value |",
        "| --- | --- |",
    ]
    lines += [f"| `{c}` | {v} |" for c, v in _in_every_convention(get("complex_basic.z_squared"), (1 + 2j,))]
    lines += [
        "",
        f"Measured: `jax.grad(f, holomorphic=True)` = {m['jax z^2 holo']} (f′); PyTorch's `backward(1)` gives",
        f"{m['torch z^2']} = conj(f′(z)), as the note's formula [4] gives with grad_output = 1 and ∂s/∂z* = 0.",
        "",
        "`jax.grad(f, holomorphic=True)` is JAX's vjp with cotangent 1 whatever f is: on the non-holomorphic",
        f"f(z) = z z̄ at 1 + 2i it returns {m['jax zzbar holo']} = ∂f/∂z + conj(∂f/∂z̄) = 2z̄, where ∂f/∂z = z̄ = 1 − 2i",
        "and f′(z) does not exist. `closed_form(..., convention='holomorphic')` refuses such an f, and",
        "`identities.check` names this answer when a candidate gives it.",
        "",
        "## What `check()` says",
        "",
        "A candidate that is right in another convention is named, with the argument that makes it pass:",
        "",
        "```text",
    ]
    from .check import check

    def f(z: Any) -> Any:
        import jax.numpy as jnp

        return jnp.sum(jnp.abs(jnp.asarray(LSTSQ[0]) @ z - jnp.asarray(LSTSQ[2])) ** 2)

    def torch_style(z: Any) -> Any:
        return 2 * LSTSQ[0].conj().T @ (LSTSQ[0] @ np.asarray(z) - LSTSQ[2])

    lines.append(f"check(f, torch_style, z): {check(f, torch_style, LSTSQ[1]).diagnosis}")
    lines.append(
        f"check(f, half, z, convention='torch'): "
        f"{check(f, lambda z: torch_style(z) / 2, LSTSQ[1], convention='torch').diagnosis}"
    )
    lines.append(
        "check(z z̄, 2z̄, 1+2j, convention='wirtinger'): "
        + str(check(lambda z: z * np.conj(z), lambda z: 2 * np.conj(z), 1 + 2j, convention="wirtinger").diagnosis)
    )
    lines += [
        "```",
        "",
        "## Special points",
        "",
        "Points where the derivative does not exist or a branch is chosen, with what the mathematics allows and",
        f"what each framework returns, measured now ({m['versions']}; the same on XLA's default and SSE4.2",
        "paths and PyTorch's DEFAULT and AVX2 kernels when this page was written). Each framework's answer is",
        "shown as it returns it and read in the identity's convention (∂f/∂z̄ for a real f, f′ for a holomorphic",
        "one) from the framework's own; the verdict is the record's. The rows before the last two are the",
        "`SpecialPoint` records of complex identities, also on the [special-cases](special-cases.md) page and in",
        "the [conformance](conformance.md) report with TensorFlow and finite differences. On a branch cut f",
        "jumps: a framework's answer is one-sided, and the row says which side its value of f is from and",
        "whether its derivative is that side's. The last two points belong to no identity: the phase of an",
        "eigenvector is not a function of the matrix.",
        "",
        "| point | mathematics | JAX | PyTorch | upstream |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in special_points():
        up = ", ".join(
            f"[{u}](https://github.com/{u.split('#')[0]}/issues/{u.split('#')[1]})" if "#" in u else u
            for u in row["upstream"].split(", ")
        )
        cells = [row[k].replace("|", "\\|") for k in ("point", "math", "jax", "torch")]
        lines.append("| " + " | ".join(cells) + f" | {up} |")
    lines += [
        "",
        "## Every complex identity, in every convention",
        "",
        "The first entry of each derivative at inputs drawn with `numpy.random.default_rng(0)` at the first size",
        'assignment (`identities.verify.draw_inputs`); "—" where the convention is not defined (the Cookbook\'s',
        "gradient of a complex-valued f, f′ of a non-holomorphic one). The whole arrays:",
        "`ident.closed_form(*args, convention=c)`.",
        "",
        "| identity | declared | " + " | ".join(f"`{c}`" for c in ORDER) + " |",
        "| --- | --- | " + " | ".join("---" for _ in ORDER) + " |",
    ]
    from .wirtinger import ConventionError, to_convention

    for ident in catalog():
        if not ident.is_complex:
            continue
        args = draw_inputs(ident, np.random.default_rng(0), ident.size_assignments()[0])
        call = tuple(args[a] for a in ident.argnames)
        ident.closed_form(*call)  # validated once; the pair is then read in every convention
        pair, real = ident.wirtinger(*call), ident.real_valued(call)
        cells = []
        for c in ORDER:
            try:
                v = np.asarray(to_convention(pair, c, real_valued=real, where=ident.id))
                cells.append(_num(v.reshape(-1)[0]))
            except ConventionError:
                cells.append("—")
        form = ident.complex_form + (
            " (f holomorphic)" if ident.holomorphic and ident.complex_form != "holomorphic" else ""
        )
        lines.append(f"| `{ident.id}` | {form} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


def write(path: Path = PAGE) -> None:
    path.write_text(render())
