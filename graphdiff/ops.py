"""The table of primitives: the only place in graphdiff that knows calculus.

Each :class:`Primitive` holds its value function, its local partial derivatives, the text of each partial's
formula, how it prints, and where it is not differentiable. Evaluation, forward and reverse mode, path
products, edge tables, checks and pictures all read :data:`PRIMITIVES`.

Conventions at non-differentiable points (each one also raises a warning naming the node):

* ``relu(x)`` and ``abs(x)`` at ``x = 0``: partial 0 (the subgradient PyTorch and JAX use).
* ``sign(x)``: partial 0 everywhere; at 0 the function jumps, which is warned about.
* ``min``/``max`` with tied operands: the partial 1 is split evenly among the tied operands, so the
  partials still sum to 1 (a valid subgradient, and exact when the tied operands are the same node).
* ``x ^ y`` with a variable exponent: ``∂/∂y = x^y·log(x)``, taken as 0 at ``x = 0`` when ``y > 0``.

Values and partials are IEEE doubles. A domain error (``log(-1)``, ``sqrt(-2)``, ``1/0``) raises in the value
function; :func:`ieee_value` gives the IEEE result instead (NaN or ±inf) for ``--ieee``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

Vals = Sequence[float]
INF = math.inf
NAN = math.nan


def fmt_num(v: float) -> str:
    """Shortest faithful text for a number: ``2`` not ``2.0``, ``0.001``, ``1e+20``."""
    if v != v or v in (INF, -INF):
        return repr(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _safe_div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        return NAN if a == 0 or a != a else math.copysign(INF, a) * math.copysign(1.0, b)


def _safe_pow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except OverflowError:
        return INF
    except ValueError:
        if x == 0 and y < 0:
            return INF
        return NAN


def _safe_log(x: float) -> float:
    if x > 0:
        return math.log(x)
    return -INF if x == 0 else NAN


def _products_of_others(xs: Vals) -> list[float]:
    """∂(x0·x1·…)/∂xi for every i, exact when some xi are zero (prefix and suffix products)."""
    n = len(xs)
    if n == 2:
        return [xs[1], xs[0]]
    out = [1.0] * n
    acc = 1.0
    for i in range(n):
        out[i] = acc
        acc *= xs[i]
    acc = 1.0
    for i in range(n - 1, -1, -1):
        out[i] *= acc
        acc *= xs[i]
    return out


def _product(xs: Vals) -> float:
    return math.prod(xs)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _extreme_partials(xs: Vals, y: float) -> list[float]:
    ties = [i for i, x in enumerate(xs) if x == y]
    share = 1.0 / len(ties) if ties else 0.0
    out = [0.0] * len(xs)
    for i in ties:
        out[i] = share
    return out


def _tie(name: str) -> Callable[[Vals], str | None]:
    def kink(xs: Vals) -> str | None:
        y = max(xs) if name == "max" else min(xs)
        k = sum(1 for x in xs if x == y)
        if k > 1:
            return f"{name} has {k} tied operands ({fmt_num(y)}); the partial 1 is split evenly among them"
        return None
    return kink


def _at_zero(message: str) -> Callable[[Vals], str | None]:
    return lambda xs: message if xs[0] == 0 else None


# ---- how things print -------------------------------------------------------------------------------------

def _infix(symbol: str) -> Callable[[Sequence[str]], str]:
    return lambda t: f" {symbol} ".join(t)


def _call(name: str) -> Callable[[Sequence[str]], str]:
    return lambda t: f"{name}({', '.join(t)})"


def _others(t: Sequence[str], k: int, joiner: str = " * ", many: str = "the other {n} factors") -> str:
    if len(t) <= 5:
        rest = [x for i, x in enumerate(t) if i != k]
        return joiner.join(rest) if rest else "1"
    return "product of " + many.format(n=len(t) - 1)


@dataclass(frozen=True)
class Primitive:
    """One operation: value, local partials, formula text, printing and non-differentiable points.

    ``value(xs)`` and ``partials(xs, y)`` take the operand values (constants included) and, for partials,
    the node's value ``y``; ``partials`` returns one number per operand and never raises (it returns
    ``inf``/``nan`` where the derivative does not exist). ``formula(k, texts, out)`` is the text of
    ∂out/∂operand k, from the operand texts (already parenthesised where needed) and the node's own text.
    """

    name: str
    arity: int | None  # None: any number of operands, at least one
    value: Callable[[Vals], float]
    partials: Callable[[Vals, float], list[float]]
    formula: Callable[[int, Sequence[str], str], str]
    text: Callable[[Sequence[str]], str]
    atomic: bool = True  # prints as one unit (a call); infix operations get parentheses inside others
    kink: Callable[[Vals], str | None] | None = None
    domain: str = ""  # what a ValueError from ``value`` means
    ieee: Callable[[Vals], float] | None = None  # the IEEE result where ``value`` raises


def _unary(name: str, f: Callable[[float], float], d: Callable[[float, float], float],
           formula: str, **kw) -> Primitive:
    """A one-operand function; ``formula`` uses ``{x}`` for the operand text."""
    def partials(xs: Vals, y: float) -> list[float]:
        try:
            return [d(xs[0], y)]
        except OverflowError:  # cosh(711) as the partial of sinh: the IEEE result, as partials never raise
            return [_overflow(d, xs[0], y)]
        except (ValueError, ZeroDivisionError):  # cos(inf) with --ieee
            return [NAN]

    return Primitive(name, 1, lambda xs: f(xs[0]), partials,
                     lambda k, t, out: formula.format(x=t[0], y=out), _call(name), **kw)


def _overflow(d: Callable[[float, float], float], x: float, y: float) -> float:
    """The signed infinity a partial overflows to (its sign from a nearby point that does not overflow)."""
    try:
        return math.copysign(INF, d(math.copysign(700.0, x), y))
    except (OverflowError, ValueError, ZeroDivisionError):
        return INF


def _pow_partials(xs: Vals, y: float) -> list[float]:
    x, e = xs
    if e == 0:
        dx = 0.0
    elif e == 1:
        dx = 1.0
    else:
        dx = e * _safe_pow(x, e - 1)
    if x > 0:
        de = y * math.log(x)
    elif x == 0 and e > 0:
        de = 0.0
    else:
        de = NAN
    return [dx, de]


def _pow_formula(k: int, t: Sequence[str], out: str) -> str:
    x, e = t
    if k == 0:
        try:
            n = float(e.strip("()"))
        except ValueError:
            return f"{e} * {x} ^ ({e} - 1)"
        if n == 2:
            return f"2 * {x}"
        return f"{fmt_num(n)} * {x} ^ {fmt_num(n - 1)}" if n - 1 >= 0 else f"{e} * {x} ^ ({fmt_num(n - 1)})"
    return f"{x} ^ {e} * log({x})"


def _div_value(xs: Vals) -> float:
    return xs[0] / xs[1]


_ADD = Primitive("add", None, sum, lambda xs, y: [1.0] * len(xs),
                 lambda k, t, out: "1", _infix("+"), atomic=False)
_SUB = Primitive("sub", 2, lambda xs: xs[0] - xs[1], lambda xs, y: [1.0, -1.0],
                 lambda k, t, out: "1" if k == 0 else "-1", _infix("-"), atomic=False)
_MUL = Primitive("mul", None, _product, lambda xs, y: _products_of_others(xs),
                 lambda k, t, out: _others(t, k), _infix("*"), atomic=False)
_DIV = Primitive("div", 2, _div_value,
                 lambda xs, y: [_safe_div(1.0, xs[1]), _safe_div(-xs[0], xs[1] * xs[1])],
                 lambda k, t, out: f"1 / {t[1]}" if k == 0 else f"-{t[0]} / {t[1]} ^ 2",
                 _infix("/"), atomic=False, domain="division by zero")
_NEG = Primitive("neg", 1, lambda xs: -xs[0], lambda xs, y: [-1.0], lambda k, t, out: "-1",
                 lambda t: f"-{t[0]}", atomic=False)
_POW = Primitive("pow", 2, lambda xs: math.pow(xs[0], xs[1]), _pow_partials, _pow_formula,
                 _infix("^"), atomic=False,
                 domain="x ^ y needs x > 0 for a fractional y, and x ≠ 0 for y < 0",
                 ieee=lambda xs: _safe_pow(xs[0], xs[1]))
_ID = Primitive("id", 1, lambda xs: xs[0], lambda xs, y: [1.0], lambda k, t, out: "1", lambda t: t[0])


def _nary(name: str, value, partials, formula, **kw) -> Primitive:
    return Primitive(name, None, value, partials, formula, _call(name), **kw)


PRIMITIVES: dict[str, Primitive] = {p.name: p for p in [
    _ADD, _SUB, _MUL, _DIV, _NEG, _POW, _ID,
    _unary("sin", math.sin, lambda x, y: math.cos(x), "cos({x})"),
    _unary("cos", math.cos, lambda x, y: -math.sin(x), "-sin({x})"),
    _unary("tan", math.tan, lambda x, y: 1.0 + y * y, "1 + tan({x}) ^ 2"),
    _unary("exp", math.exp, lambda x, y: y, "exp({x})", domain="overflow", ieee=lambda xs: INF),
    _unary("log", math.log, lambda x, y: _safe_div(1.0, x), "1 / {x}",
           domain="log needs a positive argument", ieee=lambda xs: _safe_log(xs[0])),
    _unary("sqrt", math.sqrt, lambda x, y: _safe_div(0.5, y), "1 / (2 * sqrt({x}))",
           domain="sqrt needs a non-negative argument", ieee=lambda xs: NAN),
    _unary("tanh", math.tanh, lambda x, y: 1.0 - y * y, "1 - tanh({x}) ^ 2"),
    _unary("sigmoid", _sigmoid, lambda x, y: y * (1.0 - y), "sigmoid({x}) * (1 - sigmoid({x}))"),
    _unary("relu", lambda x: x if x > 0 else 0.0, lambda x, y: 1.0 if x > 0 else 0.0, "1 if {x} > 0 else 0",
           kink=_at_zero("relu is not differentiable at 0; the partial is taken as 0")),
    _unary("abs", abs, lambda x, y: (x > 0) - (x < 0) + 0.0, "sign({x})",
           kink=_at_zero("abs is not differentiable at 0; the partial is taken as 0")),
    _unary("sign", lambda x: (x > 0) - (x < 0) + 0.0, lambda x, y: 0.0, "0",
           kink=_at_zero("sign jumps at 0; the partial is taken as 0")),
    _unary("softplus", _softplus, lambda x, y: _sigmoid(x), "sigmoid({x})"),
    _unary("log1p", math.log1p, lambda x, y: _safe_div(1.0, 1.0 + x), "1 / (1 + {x})",
           domain="log1p needs an argument above -1", ieee=lambda xs: _safe_log(1.0 + xs[0])),
    _unary("expm1", math.expm1, lambda x, y: y + 1.0, "exp({x})", domain="overflow", ieee=lambda xs: INF),
    _unary("sinh", math.sinh, lambda x, y: math.cosh(x), "cosh({x})", domain="overflow",
           ieee=lambda xs: math.copysign(INF, xs[0])),
    _unary("cosh", math.cosh, lambda x, y: math.sinh(x), "sinh({x})", domain="overflow", ieee=lambda xs: INF),
    _unary("asin", math.asin, lambda x, y: _safe_div(1.0, math.sqrt(max(0.0, 1 - x * x))) if abs(x) <= 1 else NAN,
           "1 / sqrt(1 - {x} ^ 2)", domain="asin needs an argument in [-1, 1]", ieee=lambda xs: NAN),
    _unary("acos", math.acos,
           lambda x, y: _safe_div(-1.0, math.sqrt(max(0.0, 1 - x * x))) if abs(x) <= 1 else NAN,
           "-1 / sqrt(1 - {x} ^ 2)", domain="acos needs an argument in [-1, 1]", ieee=lambda xs: NAN),
    _unary("atan", math.atan, lambda x, y: 1.0 / (1.0 + x * x), "1 / (1 + {x} ^ 2)"),
    _nary("min", min, _extreme_partials, lambda k, t, out: f"1 if {t[k]} is the smallest, else 0", kink=_tie("min")),
    _nary("max", max, _extreme_partials, lambda k, t, out: f"1 if {t[k]} is the largest, else 0", kink=_tie("max")),
    _nary("sum", sum, _ADD.partials, _ADD.formula),
    _nary("prod", _product, _MUL.partials, _MUL.formula),
    _nary("mean", lambda xs: sum(xs) / len(xs), lambda xs, y: [1.0 / len(xs)] * len(xs),
          lambda k, t, out: f"1/{len(t)}"),
]}

#: Names a program can call. The infix operators are primitives too (add, sub, mul, div, neg, written
#: with + - * / and unary -); ``pow(x, y)`` and ``x ^ y`` are one primitive.
FUNCTIONS: dict[str, str] = {name: name for name in PRIMITIVES
                             if name not in ("add", "sub", "mul", "div", "neg", "id")}
#: The n-ary reductions that accept a whole vector, e.g. ``sum(x)``.
REDUCTIONS = frozenset(name for name, key in FUNCTIONS.items() if PRIMITIVES[key].arity is None)


def ieee_value(p: Primitive, xs: Vals, exc: Exception) -> float:
    """The IEEE result of ``p`` where its value function raised ``exc``."""
    if p.ieee is not None:
        return p.ieee(xs)
    if isinstance(exc, ZeroDivisionError) and p.name == "div":
        return _safe_div(xs[0], xs[1])
    if isinstance(exc, OverflowError):
        return INF
    return NAN
