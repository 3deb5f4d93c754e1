"""Scalar rules (scalar by scalar): the differentiation rules of seed 001 §5.1 and seed 002 §2.4.1.

A rule about arbitrary functions (sum, product, quotient, chain) is declared through the worked examples
the seeds give for it; the rule itself is in the notes and the LaTeX.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from .._core import Example, Tex, identity, seed
from .._structures import INTEGER, POSITIVE, away_from

X = {"x": ""}


@identity(
    f=lambda x: 7.0 + 0.0 * x,
    find="7.0 + 0.0 * x",
    wrt="x",
    shapes=X,
    tex=Tex(f="7", num="0", den="0"),
    sources=[seed("002", "2.4.1 constant rule (2.4.3)")],
    aliases=("constant rule",),
    notes="d/dx C = 0 for any constant C; the seed's example is C = 7.",
)
def constant(x):
    return jnp.zeros_like(x)


@identity(
    f=lambda x, n: jnp.power(x, n),
    wrt="x",
    shapes={"x": "", "n": ""},
    requires={"x": POSITIVE, "n": INTEGER},
    tex=Tex(f="x^n", num="n x^{n-1}", den="n x^{n-1}"),
    sources=[seed("002", "2.4.1 power rule (2.4.4)"), seed("001", "5.1 power law")],
    aliases=("power rule",),
    notes="""
    Holds for every integer n (seed 002 proves n > 0 and n < 0; n = 0 gives 0 = 0·x⁻¹ for x ≠ 0). The
    catalog draws x > 0 so that the float power x**n is defined for every n; for integer n it also holds
    at negative x. Seed 002 states the rule "for n ≠ 0", which is narrower than needed.
    """,
    examples=[
        Example({"x": 2.0, "n": 6.0}, 192.0, seed("001", "5.1 d/dx x^6 = 6x^5"), note="6·2⁵"),
        Example({"x": 2.0, "n": 5.0}, 80.0, seed("002", "2.4.1 power rule example x^5"), note="5·2⁴"),
        Example({"x": 2.0, "n": -2.0}, -0.25, seed("002", "2.4.1 power rule, n negative"), note="-2·2⁻³"),
    ],
)
def power(x, n):
    return n * jnp.power(x, n - 1)


@identity(
    f=lambda x: x**2,
    find="x ** 2",
    wrt="x",
    shapes=X,
    tex=Tex(f="x^2", num="2x", den="2x"),
    sources=[seed("001", "5.1 Example: prove d/dx x^2 = 2x"), seed("001", "5.1 estimating derivatives")],
    examples=[Example({"x": 2.0}, 4.0, seed("001", "5.1 true answer f'(2) = 4"))],
)
def square(x):
    return 2 * x


@identity(
    f=jnp.exp,
    find="exp(x)",
    wrt="x",
    shapes=X,
    tex=Tex(f="e^x", num="e^x", den="e^x"),
    sources=[seed("002", "2.4.1 exponential rule (2.4.5)"), seed("001", "5.1 optional exercise")],
    aliases=("exponential rule",),
)
def exp(x):
    return jnp.exp(x)


@identity(
    f=jnp.log,
    find="log(x)",
    wrt="x",
    shapes=X,
    requires={"x": POSITIVE},
    tex=Tex(f=r"\ln x", num="x^{-1}", den="x^{-1}"),
    sources=[seed("002", "2.4.1 logarithm rule (2.4.6)")],
    aliases=("logarithm rule",),
)
def log(x):
    return 1 / x


@identity(
    f=lambda x: 5 * x**3,
    find="5 * x ** 3",
    wrt="x",
    shapes=X,
    tex=Tex(f="5x^3", num="15x^2", den="15x^2"),
    sources=[seed("002", "2.4.1 constant multiple rule (2.4.7)"), seed("001", "5.1.2 exercise d/dx cf = c f'")],
    aliases=("constant multiple rule",),
    notes="d/dx [C f(x)] = C f'(x).",
)
def constant_multiple(x):
    return 15 * x**2


@identity(
    f=lambda x: x**2 + 3 * x,
    find="x ** 2 + 3 * x",
    wrt="x",
    shapes=X,
    tex=Tex(f="x^2 + 3x", num="2x + 3", den="2x + 3"),
    sources=[seed("002", "2.4.1 sum rule (2.4.8)")],
    aliases=("sum rule",),
    notes="(f + g)' = f' + g'.",
)
def sum_rule(x):
    return 2 * x + 3


@identity(
    f=lambda x: x**2 + 5 * x,
    find="x ** 2 + 5 * x",
    wrt="x",
    shapes=X,
    tex=Tex(f="x^2 + 5x", num="2x + 5", den="2x + 5"),
    sources=[seed("001", "5.1.2 sum rule example")],
)
def sum_rule_mml(x):
    return 2 * x + 5


@identity(
    f=lambda x: x**2 * jnp.sin(x),
    find="x ** 2 * sin(x)",
    wrt="x",
    shapes=X,
    tex=Tex(f=r"x^2 \sin x", num=r"x^2 \cos x + 2x \sin x", den=r"x^2 \cos x + 2x \sin x"),
    sources=[seed("002", "2.4.1 product rule (2.4.9)")],
    aliases=("product rule",),
    notes="(fg)' = f'g + fg'.",
)
def product(x):
    return x**2 * jnp.cos(x) + 2 * x * jnp.sin(x)


@identity(
    f=lambda x: x**3 * jnp.sin(x),
    find="x ** 3 * sin(x)",
    wrt="x",
    shapes=X,
    tex=Tex(f=r"x^3 \sin x", num=r"3x^2 \sin x + x^3 \cos x", den=r"3x^2 \sin x + x^3 \cos x"),
    sources=[seed("001", "5.1.2 product rule example")],
)
def product_mml(x):
    return 3 * x**2 * jnp.sin(x) + x**3 * jnp.cos(x)


@identity(
    f=lambda x: x**2 / (1 + x),
    find="x ** 2 / (1 + x)",
    wrt="x",
    shapes=X,
    requires={"x": away_from(-1.0)},
    tex=Tex(f=r"\frac{x^2}{1+x}", num=r"\frac{x(2+x)}{(1+x)^2}", den=r"\frac{x(2+x)}{(1+x)^2}"),
    sources=[seed("002", "2.4.1 quotient rule (2.4.10)"), seed("001", "5.1.2 quotient rule")],
    aliases=("quotient rule",),
    notes="(f/g)' = (g f' − f g')/g², for g(x) ≠ 0; here x ≠ −1.",
)
def quotient(x):
    return x * (2 + x) / (1 + x) ** 2


@identity(
    f=lambda x: jnp.sin(x**2),
    find="sin(x ** 2)",
    wrt="x",
    shapes=X,
    tex=Tex(f=r"\sin(x^2)", num=r"2x\cos(x^2)", den=r"2x\cos(x^2)"),
    sources=[seed("002", "2.4.4 chain rule, single variable example")],
    aliases=("chain rule",),
    notes="dy/dx = dy/du · du/dx with u = x².",
)
def chain_sin_x2(x):
    return 2 * x * jnp.cos(x**2)


@identity(
    f=lambda x: jnp.sin(2 * x + 1),
    find="sin(2 * x + 1)",
    wrt="x",
    shapes=X,
    tex=Tex(f=r"\sin(2x+1)", num=r"2\cos(2x+1)", den=r"2\cos(2x+1)"),
    sources=[seed("001", "5.1.2 examples of derivative rules: sin(2x+1)")],
)
def chain_sin_2x_plus_1(x):
    return 2 * jnp.cos(2 * x + 1)


@identity(
    f=lambda x: jnp.sin(x**4) ** 5,
    find="sin(x ** 4) ** 5",
    wrt="x",
    shapes=X,
    tex=Tex(
        f=r"\left(\sin x^4\right)^5",
        num=r"20 x^3 \sin^4(x^4) \cos(x^4)",
        den=r"20 x^3 \sin^4(x^4) \cos(x^4)",
    ),
    sources=[seed("001", "5.1.2 examples of derivative rules: (sin x^4)^5")],
    notes="""
    Erratum: seed 001 ends with 20 (sin x⁴)⁴ cos(x⁴), dropping the factor x³ that its own previous line
    (5 (sin x⁴)⁴ · cos(x⁴) · 4x³) carries. See docs/errata.md.
    """,
    examples=[
        Example(
            {"x": 1.0},
            20 * math.sin(1.0) ** 4 * math.cos(1.0),
            seed("001", "5.1.2 (sin x^4)^5"),
            note="at x = 1 the seed's form happens to agree (x³ = 1)",
        ),
        Example(
            {"x": 1.1},
            20 * 1.1**3 * math.sin(1.1**4) ** 4 * math.cos(1.1**4),
            seed("001", "5.1.2 (sin x^4)^5"),
            claimed=20 * math.sin(1.1**4) ** 4 * math.cos(1.1**4),
            note="the seed's final form, without x³",
        ),
    ],
)
def chain_sin_x4_pow5(x):
    s = jnp.sin(x**4)
    return 20 * x**3 * s**4 * jnp.cos(x**4)


@identity(
    f=lambda x: (x**2 + 5 * x + 6) ** 10,
    find="(x ** 2 + 5 * x + 6) ** 10",
    wrt="x",
    shapes=X,
    tex=Tex(f="(x^2 + 5x + 6)^{10}", num="10(x^2+5x+6)^9 (2x+5)", den="10(x^2+5x+6)^9 (2x+5)"),
    sources=[seed("001", "5.1.2 alternative view of the chain rule")],
)
def chain_poly_pow10(x):
    return 10 * (x**2 + 5 * x + 6) ** 9 * (2 * x + 5)


@identity(
    f=lambda x: x**5 - x**2 + x,
    find="x ** 5 - x ** 2 + x",
    wrt="x",
    shapes=X,
    tex=Tex(f="x^5 - x^2 + x", num="5x^4 - 2x + 1", den="5x^4 - 2x + 1"),
    sources=[seed("001", "5.1 why care about derivatives")],
)
def polynomial(x):
    return 5 * x**4 - 2 * x + 1


@identity(
    f=lambda x: x**2 - 4 * x + 3,
    find="x ** 2 - 4 * x + 3",
    wrt="x",
    shapes=X,
    tex=Tex(f="x^2 - 4x + 3", num="2x - 4", den="2x - 4"),
    sources=[seed("001", "5.1 gradient descent example")],
    notes="The seed minimises this by gradient descent from x₀ = 4 with η = 0.1 (tests replay it).",
    examples=[Example({"x": 4.0}, 4.0, seed("001", "5.1 f'(x0) = 2·4 − 4"))],
)
def quadratic_gd(x):
    return 2 * x - 4


@identity(
    f=lambda x: 3 * x**2 - 4 * x,
    find="3 * x ** 2 - 4 * x",
    wrt="x",
    shapes=X,
    tex=Tex(f="3x^2 - 4x", num="6x - 4", den="6x - 4"),
    sources=[seed("002", "2.4.1 numerical limit example")],
    notes="The seed's numerical-limit table at x = 1 and the tangent line y = 2x − 3 are replayed by tests.",
    examples=[Example({"x": 1.0}, 2.0, seed("002", "2.4.1 f'(1) = 2"))],
)
def d2l_quadratic(x):
    return 6 * x - 4
