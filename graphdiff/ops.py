"""The table of primitives: the only place in graphdiff that knows calculus.

Each :class:`Primitive` holds its value function, its local partial derivatives, the text of each partial's
formula (an expression in graphdiff's own language, so that it can be read, evaluated and checked), how it
prints, where it is not differentiable, what a domain error means, its IEEE result and its SymPy form.
Evaluation, forward and reverse mode, path products, edge tables, checks and pictures all read
:data:`PRIMITIVES`; :func:`register` adds a primitive, and every command then knows it.

Conventions at non-differentiable points (each one also raises a warning naming the node):

* ``relu(x)`` and ``abs(x)`` at ``x = 0``: partial 0 (the subgradient PyTorch and JAX use); ``step(x)``
  (1 for x > 0, else 0) and ``sign(x)`` jump at 0 and have partial 0 everywhere.
* ``min``/``max`` with tied operands: the partial 1 is split evenly among the tied operands, so the
  partials still sum to 1 (a valid subgradient, and exact when the tied operands are the same node).
* ``x ^ y`` with a variable exponent: ``∂/∂y = x^y·log(x)``, taken as 0 at ``x = 0`` when ``y > 0``.

Values and partials are IEEE doubles. A domain error (``log(-1)``, ``sqrt(-2)``, ``1/0``) raises in the value
function; :func:`ieee_value` gives the IEEE result instead (NaN or ±inf) for ``--ieee``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

from .notation import atom, fmt_num

Vals = Sequence[float]
INF = math.inf
NAN = math.nan


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


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _sign(x: float) -> float:
    return (x > 0) - (x < 0) + 0.0


def _extreme(f, xs: Vals) -> float:
    """min or max, NaN when an operand is NaN whatever the order (Python's min and max are not)."""
    v = f(xs)
    return NAN if v == v and any(x != x for x in xs) else v


_TWO_OVER_SQRT_PI = 1.1283791670955126  # 2 / sqrt(pi), the text of erf's partial


def _atan2_partials(y: float, x: float) -> list[float]:
    """∂atan2(y, x)/∂y = x/(x² + y²) and ∂/∂x = -y/(x² + y²), as (x/h)/h and -(y/h)/h with h = hypot(x, y)."""
    h = math.hypot(x, y)
    if h == 0 or h != h:
        return [NAN, NAN]
    return [(x / h) / h, -(y / h) / h]


def _erf_partial(x: float) -> float:
    """2/√π·exp(-x²) with x² split exactly into hi + lo (Veltkamp and Dekker): exp(-hi)·(1 - lo)."""
    if not abs(x) < 1e150:
        return 0.0 if x == x else NAN
    c = 134217729.0 * x
    xh = c - (c - x)
    xl = x - xh
    hi = x * x
    lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl
    return _TWO_OVER_SQRT_PI * math.exp(-hi) * (1.0 - lo)


def _sech(x: float) -> float:
    """1 / cosh(x), written as 2e/(1 + e²) with e = exp(-|x|): no overflow where cosh(x) would."""
    e = math.exp(-abs(x))
    return 2.0 * e / (1.0 + e * e)


def _xlogy(a: float, b: float) -> float:
    """a·log(b), 0 where a = 0 (SciPy's and JAX's xlogy): ∂(x ^ t)/∂t = xlogy(x ^ t, x), 0 at x = 0."""
    if a == 0 and b == b:
        return 0.0
    return a * math.log(b)


def _xlogy_ieee(a: float, b: float) -> float:
    return 0.0 if a == 0 and b == b else a * _safe_log(b)


def _extreme_partials(xs: Vals, y: float) -> list[float]:
    if y != y:  # a NaN operand: no partial has a value
        return [NAN] * len(xs)
    ties = [i for i, x in enumerate(xs) if x == y]
    share = 1.0 / len(ties) if ties else 0.0
    out = [0.0] * len(xs)
    for i in ties:
        out[i] = share
    return out


def _tie(name: str) -> Callable[[Vals], str | None]:
    """The warning at tied operands of min or max; ``kink.page`` says the same to the page's script."""
    def kink(xs: Vals) -> str | None:
        y = max(xs) if name == "max" else min(xs)
        k = sum(1 for x in xs if x == y)
        if k > 1:
            return f"{name} has {k} tied operands ({fmt_num(y)}); the partial 1 is split evenly among them"
        return None
    kink.page = {"tie": name}
    return kink


def _at_zero(message: str) -> Callable[[Vals], str | None]:
    def kink(xs: Vals) -> str | None:
        return message if xs[0] == 0 else None
    kink.page = {"zero": message}
    return kink


# ---- how things print -------------------------------------------------------------------------------------

def _infix(symbol: str) -> Callable[[Sequence[str]], str]:
    return lambda t: f" {symbol} ".join(t)


def _call(name: str) -> Callable[[Sequence[str]], str]:
    return lambda t: f"{name}({', '.join(t)})"


def _others(t: Sequence[str], k: int) -> str:
    """∂(x0·x1·…)/∂xk: the product of the other operands (a description beyond five of them)."""
    if len(t) <= 5:
        rest = [x for i, x in enumerate(t) if i != k]
        if len(rest) == 1 and rest[0].startswith("(") and rest[0].endswith(")"):
            return rest[0][1:-1]  # one factor, parenthesised only to sit inside a product
        return " * ".join(rest) if rest else "1"
    return f"product of the other {len(t) - 1} factors"


def _extreme_formula(sign: str) -> Callable[[int, Sequence[str], str], str]:
    """∂max/∂xk (``sign`` "+") or ∂min/∂xk ("-"): 1 for the extreme operand, split evenly among ties."""
    def formula(k: int, t: Sequence[str], out: str) -> str:
        if len(t) == 2:
            return f"(1 {sign} sign({t[k]} - {t[1 - k]})) / 2"
        y = atom(out)
        return f"eq({t[k]}, {y}) / ({' + '.join(f'eq({x}, {y})' for x in t)})"
    return formula


@dataclass(frozen=True)
class Primitive:
    """One operation: value, local partials, formula text, printing and non-differentiable points.

    ``value(xs)`` and ``partials(xs, y)`` take the operand values (constants included) and, for partials,
    the node's value ``y``; ``partials`` returns one number per operand and never raises (it returns
    ``inf``/``nan`` where the derivative does not exist). ``formula(k, texts, out)`` is the text of
    ∂out/∂operand k in graphdiff's language, from the operand texts (already parenthesised where needed)
    and the node's own text.

    ``kink(xs)`` says, in a sentence, which convention a non-differentiable point takes (or None);
    ``kink_arg`` is the operand whose partial that convention sets (None: any), so the warning is given only
    when that operand is a node. ``domain`` is what a ValueError or ZeroDivisionError of ``value`` means,
    with ``{0}``, ``{1}`` … standing for the operands' texts; ``ieee(xs)`` is the IEEE result there.
    ``sympy(sp, xs)`` builds the SymPy expression (``sp`` is the sympy module); ``call`` is the name a
    program calls it by (None for the operators and internal forms). ``python(texts)`` writes the value as a
    Python expression over the operands' texts, using only ``math`` and the helpers of :data:`PYTHON_HELPERS`,
    computing exactly what ``value`` computes (``graphdiff derive --to python``).
    """

    name: str
    arity: int | None  # None: any number of operands, at least one
    value: Callable[[Vals], float]
    partials: Callable[[Vals, float], list[float]]
    formula: Callable[[int, Sequence[str], str], str]
    text: Callable[[Sequence[str]], str]
    atomic: bool = True  # prints as one unit (a call); infix operations get parentheses inside others
    kink: Callable[[Vals], str | None] | None = None
    kink_arg: int | None = None
    domain: str = ""
    ieee: Callable[[Vals], float] | None = None  # the IEEE result where ``value`` raises
    sympy: Callable[[Any, list], Any] | None = None
    call: str | None = None
    python: Callable[[Sequence[str]], str] | None = None  # the value as a Python expression (only ``math``)
    js: Callable[[Sequence[str]], str] | None = None  # the value as a JavaScript expression (explore's page)

    def domain_message(self, texts: Sequence[str]) -> str:
        """What a domain error of this primitive means, with the operands' texts filled in."""
        return self.domain.format(*texts) if self.domain else "domain error"


def _unary(name: str, f: Callable[[float], float], d: Callable[[float, float], float],
           formula: str, sympy: Callable[[Any, Any], Any] | None = None, **kw) -> Primitive:
    """A one-operand function; ``formula`` uses ``{x}`` for the operand text and ``{y}`` for the node's."""
    def partials(xs: Vals, y: float) -> list[float]:
        try:
            return [d(xs[0], y)]
        except OverflowError:  # cosh(711) as the partial of sinh: the IEEE result, as partials never raise
            return [_overflow(d, xs[0], y)]
        except (ValueError, ZeroDivisionError):  # cos(inf) with --ieee
            return [NAN]

    return Primitive(name, 1, lambda xs: f(xs[0]), partials,
                     lambda k, t, out: formula.format(x=t[0], y=out), _call(name),
                     sympy=(lambda sp, xs: sympy(sp, xs[0])) if sympy else None, call=name, **kw)


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
    return [dx, _xlogy_ieee(y, x) if x >= 0 else NAN]


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
    return f"xlogy({atom(out)}, {x})"


_POW_KINK = ("{0} ^ {1} at {0} = 0: the partial with respect to the exponent, {0} ^ {1} * log({0}), "
             "is taken as 0")


def _pow_kink(xs: Vals) -> str | None:
    if xs[0] == 0 and xs[1] > 0:
        return _POW_KINK
    return None


_pow_kink.page = {"pow": _POW_KINK}


def _nary(name: str, value, partials, formula, sympy, **kw) -> Primitive:
    return Primitive(name, None, value, partials, formula, _call(name), sympy=sympy, call=name, **kw)


def _sp_nary(attr: str) -> Callable[[Any, list], Any]:
    return lambda sp, xs: getattr(sp, attr)(*xs)


def _sp_unary(attr: str) -> Callable[[Any, Any], Any]:
    return lambda sp, x: getattr(sp, attr)(x)


# Sums are correctly rounded (math.fsum): a + b + c is one node, and its value must not depend on the order
_ADD = Primitive("add", None, math.fsum, lambda xs, y: [1.0] * len(xs),
                 lambda k, t, out: "1", _infix("+"), atomic=False, sympy=_sp_nary("Add"))
_MUL = Primitive("mul", None, math.prod, lambda xs, y: _products_of_others(xs),
                 lambda k, t, out: _others(t, k), _infix("*"), atomic=False, sympy=_sp_nary("Mul"))

_TABLE = [
    _ADD,
    Primitive("sub", 2, lambda xs: xs[0] - xs[1], lambda xs, y: [1.0, -1.0],
              lambda k, t, out: "1" if k == 0 else "-1", _infix("-"), atomic=False,
              sympy=lambda sp, xs: xs[0] - xs[1]),
    _MUL,
    # ∂(a/b)/∂b = -(a/b)/b, from the node's value: -a/b² would overflow or underflow in b² where it is not
    Primitive("div", 2, lambda xs: xs[0] / xs[1],
              lambda xs, y: [_safe_div(1.0, xs[1]), _safe_div(-y, xs[1])],
              lambda k, t, out: f"1 / {t[1]}" if k == 0 else f"-{atom(out)} / {t[1]}",
              _infix("/"), atomic=False, domain="division by zero", ieee=lambda xs: _safe_div(xs[0], xs[1]),
              sympy=lambda sp, xs: xs[0] / xs[1]),
    Primitive("neg", 1, lambda xs: -xs[0], lambda xs, y: [-1.0], lambda k, t, out: "-1",
              lambda t: f"-{t[0]}", atomic=False, sympy=lambda sp, xs: -xs[0]),
    Primitive("pow", 2, lambda xs: math.pow(xs[0], xs[1]), _pow_partials, _pow_formula, _infix("^"),
              atomic=False, kink=_pow_kink, kink_arg=1,
              domain="a power needs a positive base for a fractional exponent, and a base other than 0 for a "
                     "negative one",
              ieee=lambda xs: _safe_pow(xs[0], xs[1]), sympy=lambda sp, xs: xs[0] ** xs[1], call="pow"),
    # y = x (a name given to another node) and y = 2 (a name given to a number): operations of their own
    Primitive("id", 1, lambda xs: xs[0], lambda xs, y: [1.0], lambda k, t, out: "1", lambda t: t[0],
              sympy=lambda sp, xs: xs[0]),
    Primitive("const", 1, lambda xs: xs[0], lambda xs, y: [0.0], lambda k, t, out: "0", lambda t: t[0],
              sympy=lambda sp, xs: xs[0]),
    _unary("sin", math.sin, lambda x, y: math.cos(x), "cos({x})", _sp_unary("sin")),
    _unary("cos", math.cos, lambda x, y: -math.sin(x), "-sin({x})", _sp_unary("cos")),
    _unary("tan", math.tan, lambda x, y: 1.0 + math.pow(y, 2.0), "1 + {y} ^ 2", _sp_unary("tan")),
    _unary("exp", math.exp, lambda x, y: y, "{y}", _sp_unary("exp"), domain="overflow",
           ieee=lambda xs: INF),
    _unary("log", math.log, lambda x, y: _safe_div(1.0, x), "1 / {x}", _sp_unary("log"),
           domain="log needs a positive argument", ieee=lambda xs: _safe_log(xs[0])),
    _unary("sqrt", math.sqrt, lambda x, y: _safe_div(0.5, y), "0.5 / {y}", _sp_unary("sqrt"),
           domain="sqrt needs a non-negative argument", ieee=lambda xs: NAN),
    # 1 - tanh² and s·(1 - s) cancel to 0 far from 0; these forms keep every digit (to the subnormals)
    _unary("tanh", math.tanh, lambda x, y: math.pow(_sech(x), 2.0), "sech({x}) ^ 2", _sp_unary("tanh")),
    _unary("sech", _sech, lambda x, y: -y * math.tanh(x), "-{y} * tanh({x})", lambda sp, x: 1 / sp.cosh(x)),
    _unary("sigmoid", _sigmoid, lambda x, y: y * _sigmoid(-x), "{y} * sigmoid(-{x})",
           lambda sp, x: 1 / (1 + sp.exp(-x))),
    # Non-smooth: SymPy is exact away from their kinks; at a kink the check does not judge SymPy.
    _unary("relu", lambda x: x if x > 0 else 0.0, lambda x, y: 1.0 if x > 0 else 0.0, "step({x})",
           lambda sp, x: sp.Max(0, x), kink=_at_zero("relu is not differentiable at 0; the partial is taken as 0")),
    _unary("step", lambda x: 1.0 if x > 0 else 0.0, lambda x, y: 0.0, "0",
           lambda sp, x: sp.Piecewise((1, x > 0), (0, True)),
           kink=_at_zero("step jumps at 0; the partial is taken as 0")),
    _unary("abs", abs, lambda x, y: _sign(x), "sign({x})", _sp_unary("Abs"),
           kink=_at_zero("abs is not differentiable at 0; the partial is taken as 0")),
    _unary("sign", _sign, lambda x, y: 0.0, "0", _sp_unary("sign"),
           kink=_at_zero("sign jumps at 0; the partial is taken as 0")),
    _unary("softplus", _softplus, lambda x, y: _sigmoid(x), "sigmoid({x})", lambda sp, x: sp.log(1 + sp.exp(x))),
    _unary("log1p", math.log1p, lambda x, y: _safe_div(1.0, 1.0 + x), "1 / (1 + {x})",
           lambda sp, x: sp.log(1 + x), domain="log1p needs an argument above -1",
           ieee=lambda xs: _safe_log(1.0 + xs[0])),
    _unary("expm1", math.expm1, lambda x, y: math.exp(x), "exp({x})", lambda sp, x: sp.exp(x) - 1,
           domain="overflow", ieee=lambda xs: INF),
    _unary("sinh", math.sinh, lambda x, y: math.cosh(x), "cosh({x})", _sp_unary("sinh"), domain="overflow",
           ieee=lambda xs: math.copysign(INF, xs[0])),
    _unary("cosh", math.cosh, lambda x, y: math.sinh(x), "sinh({x})", _sp_unary("cosh"), domain="overflow",
           ieee=lambda xs: INF),
    _unary("asin", math.asin, lambda x, y: _safe_div(1.0, math.sqrt((1 - x) * (1 + x))) if abs(x) <= 1 else NAN,
           "1 / sqrt((1 - {x}) * (1 + {x}))", _sp_unary("asin"), domain="asin needs an argument in [-1, 1]",
           ieee=lambda xs: NAN),
    _unary("acos", math.acos,
           lambda x, y: _safe_div(-1.0, math.sqrt((1 - x) * (1 + x))) if abs(x) <= 1 else NAN,
           "-1 / sqrt((1 - {x}) * (1 + {x}))", _sp_unary("acos"), domain="acos needs an argument in [-1, 1]",
           ieee=lambda xs: NAN),
    # the error function (the normal CDF is (1 + erf(x / sqrt(2))) / 2): its partial 2/√π·exp(-x²)
    # the text rounds x·x first, the row squares exactly (so that exp(-x²) keeps its ulps where x² is large)
    _unary("erf", math.erf, lambda x, y: _erf_partial(x), "1.1283791670955126 * exp(-({x} * {x}))",
           _sp_unary("erf")),
    _unary("atan", math.atan, lambda x, y: 1.0 / (1.0 + x * x), "1 / (1 + {x} * {x})", _sp_unary("atan")),
    # the angle of the point (x, y) in (-pi, pi]: atan2(y, x), as C and NumPy order the operands; the partials
    # through hypot, so that x² + y² neither overflows nor underflows
    Primitive("atan2", 2, lambda xs: math.atan2(xs[0], xs[1]), lambda xs, y: _atan2_partials(xs[0], xs[1]),
              lambda k, t, out: (f"{t[1]} / ({t[1]} * {t[1]} + {t[0]} * {t[0]})" if k == 0
                                 else f"-{t[0]} / ({t[1]} * {t[1]} + {t[0]} * {t[0]})"), _call("atan2"),
              sympy=lambda sp, xs: sp.atan2(xs[0], xs[1]), call="atan2"),
    # 1 where a = b, else 0: the ties of min and max in their partials' text (which warn at ties themselves)
    Primitive("eq", 2, lambda xs: 1.0 if xs[0] == xs[1] else 0.0, lambda xs, y: [0.0, 0.0],
              lambda k, t, out: "0", _call("eq"), sympy=lambda sp, xs: sp.Piecewise((1, sp.Eq(xs[0], xs[1])), (0, True)),
              call="eq"),
    # a·log(b), 0 where a = 0: the partial of x ^ t with respect to t, with its convention at x = 0 as text
    Primitive("xlogy", 2, lambda xs: _xlogy(xs[0], xs[1]),
              lambda xs, y: [_safe_log(xs[1]), _safe_div(xs[0], xs[1])],
              lambda k, t, out: f"log({t[1]})" if k == 0 else f"{t[0]} / {t[1]}", _call("xlogy"),
              domain="xlogy(a, b) needs b > 0 where a is not 0", ieee=lambda xs: _xlogy_ieee(xs[0], xs[1]),
              sympy=lambda sp, xs: xs[0] * sp.log(xs[1]), call="xlogy"),
    _nary("min", lambda xs: _extreme(min, xs), _extreme_partials, _extreme_formula("-"), _sp_nary("Min"),
          kink=_tie("min")),
    _nary("max", lambda xs: _extreme(max, xs), _extreme_partials, _extreme_formula("+"), _sp_nary("Max"),
          kink=_tie("max")),
    _nary("sum", math.fsum, _ADD.partials, _ADD.formula, _sp_nary("Add")),
    _nary("prod", math.prod, _MUL.partials, _MUL.formula, _sp_nary("Mul")),
    _nary("mean", lambda xs: math.fsum(xs) / len(xs), lambda xs, y: [1.0 / len(xs)] * len(xs),
          lambda k, t, out: f"1 / {len(t)}", lambda sp, xs: sp.Add(*xs) / len(xs)),
]

def _py_call(f: str) -> Callable[[Sequence[str]], str]:
    return lambda t: f"{f}({', '.join(t)})"


def _py_infix(symbol: str, many: str | None = None) -> Callable[[Sequence[str]], str]:
    """``a + b`` for two operands (an exact sum of two doubles is fsum's), ``many([a, b, c])`` beyond."""
    return lambda t: f" {symbol} ".join(t) if len(t) <= 2 or many is None else f"{many}([{', '.join(t)}])"


def _py_list(f: str) -> Callable[[Sequence[str]], str]:
    return lambda t: f"{f}([{', '.join(t)}])"


#: Each row's value as Python: what ``derive --to python`` writes (the same functions, in the same order).
_PYTHON: dict[str, Callable[[Sequence[str]], str]] = {
    "add": _py_infix("+", "math.fsum"), "sub": _py_infix("-"), "mul": _py_infix("*"), "div": _py_infix("/"),
    "neg": lambda t: f"-{t[0]}", "pow": _py_call("math.pow"), "id": lambda t: t[0], "const": lambda t: t[0],
    **{f: _py_call(f"math.{f}") for f in ("sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "log1p", "expm1",
                                           "sinh", "cosh", "asin", "acos", "atan")},
    "abs": _py_call("abs"), "erf": _py_call("math.erf"), "atan2": _py_call("math.atan2"), "sigmoid": _py_call("_sigmoid"), "softplus": _py_call("_softplus"),
    "sech": _py_call("_sech"), "sign": _py_call("_sign"), "xlogy": _py_call("_xlogy"),
    "relu": lambda t: f"({t[0]} if {t[0]} > 0 else 0.0)", "step": lambda t: f"(1.0 if {t[0]} > 0 else 0.0)",
    "eq": lambda t: f"(1.0 if {t[0]} == {t[1]} else 0.0)", "min": _py_list("_min"), "max": _py_list("_max"), "sum": _py_list("math.fsum"), "prod": _py_list("math.prod"),
    "mean": lambda t: f"math.fsum([{', '.join(t)}]) / {len(t)}",
}

def _js_call(f: str) -> Callable[[Sequence[str]], str]:
    return lambda t: f"{f}({', '.join(t)})"


def _js_infix(symbol: str, many: str | None = None) -> Callable[[Sequence[str]], str]:
    return lambda t: f" {symbol} ".join(t) if len(t) <= 2 or many is None else f"{many}([{', '.join(t)}])"


#: Each row's value as JavaScript, for the page ``graphdiff explore`` writes: the browser's ``Math`` and the
#: page's helpers (``fsum`` is Shewchuk's exact sum, as ``math.fsum``; ``sigmoid``, ``sech`` … the same
#: formulas as the Python helpers), so the page computes what the command line computes, to the ulp or two
#: by which the browser's ``Math`` may differ from the C library's.
_JS: dict[str, Callable[[Sequence[str]], str]] = {
    "add": _js_infix("+", "G.fsum"), "sub": _js_infix("-"), "mul": _js_infix("*"), "div": _js_call("G.div"),
    "neg": lambda t: f"(-{t[0]})", "pow": _js_call("G.pow"), "id": lambda t: t[0], "const": lambda t: t[0],
    **{f: _js_call(f"Math.{f}") for f in ("sin", "cos", "tan", "exp", "tanh", "log1p", "expm1", "sinh", "cosh",
                                           "atan", "abs")},
    "erf": _js_call("G.erf"), "atan2": _js_call("Math.atan2"), "log": _js_call("G.log"), "sqrt": _js_call("G.sqrt"), "asin": _js_call("G.asin"), "acos": _js_call("G.acos"),
    "sigmoid": _js_call("G.sigmoid"), "softplus": _js_call("G.softplus"), "sech": _js_call("G.sech"),
    "sign": _js_call("G.sign"), "xlogy": _js_call("G.xlogy"), "relu": lambda t: f"({t[0]} > 0 ? {t[0]} : 0)",
    "step": lambda t: f"({t[0]} > 0 ? 1 : 0)", "eq": lambda t: f"({t[0]} === {t[1]} ? 1 : 0)",
    "min": lambda t: f"G.min([{', '.join(t)}])", "max": lambda t: f"G.max([{', '.join(t)}])",
    "sum": lambda t: f"G.fsum([{', '.join(t)}])", "prod": lambda t: " * ".join(t),
    "mean": lambda t: f"G.fsum([{', '.join(t)}]) / {len(t)}",
}

#: The helper functions those expressions call, as the source of a generated module defines them.
PYTHON_HELPERS: dict[str, str] = {
    "_sigmoid": """def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)
""",
    "_softplus": """def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))
""",
    "_sech": """def _sech(x):
    e = math.exp(-abs(x))
    return 2.0 * e / (1.0 + e * e)
""",
    "_sign": """def _sign(x):
    return (x > 0) - (x < 0) + 0.0
""",
    "_xlogy": """def _xlogy(a, b):
    if a == 0 and b == b:
        return 0.0
    return a * math.log(b)
""",
    "_min": """def _min(xs):
    v = min(xs)
    return math.nan if v == v and any(x != x for x in xs) else v
""",
    "_max": """def _max(xs):
    v = max(xs)
    return math.nan if v == v and any(x != x for x in xs) else v
""",
}

#: Every primitive by name.
PRIMITIVES: dict[str, Primitive] = {}
#: Names a program can call, and the primitive each stands for. The infix operators are primitives too
#: (add, sub, mul, div, neg, written with + - * / and unary -); ``pow(x, y)`` and ``x ^ y`` are one primitive.
FUNCTIONS: dict[str, str] = {}
#: The callable n-ary reductions, which also accept a whole vector, e.g. ``sum(x)``.
REDUCTIONS: set[str] = set()


def register(p: Primitive) -> None:
    """Add (or replace) a primitive; when it has a ``call`` name, programs can call it at once.

    >>> import math
    >>> register(Primitive("cube", 1, lambda xs: xs[0] ** 3, lambda xs, y: [3 * xs[0] ** 2],
    ...                    lambda k, t, out: f"3 * {t[0]} ^ 2", lambda t: f"cube({t[0]})", call="cube"))
    >>> from graphdiff import loads, evaluate
    >>> evaluate(loads("y = cube(x)"), {"x": 2})["y"]
    8.0
    >>> unregister("cube")
    """
    unregister(p.name)
    PRIMITIVES[p.name] = p
    if p.call:
        FUNCTIONS[p.call] = p.name
        if p.arity is None:
            REDUCTIONS.add(p.call)


def unregister(name: str) -> None:
    """Remove a primitive added by :func:`register`."""
    p = PRIMITIVES.pop(name, None)
    if p is not None and p.call:
        FUNCTIONS.pop(p.call, None)
        REDUCTIONS.discard(p.call)


for _p in _TABLE:
    register(replace(_p, python=_PYTHON[_p.name], js=_JS[_p.name]))


def ieee_value(p: Primitive, xs: Vals, exc: Exception) -> float:
    """The IEEE result of ``p`` where its value function raised ``exc``."""
    if p.ieee is not None:
        return p.ieee(xs)
    return INF if isinstance(exc, OverflowError) else NAN


def fault_message(p: Primitive, texts: Sequence[str], exc: Exception) -> str:
    """What went wrong when ``p``'s value function raised ``exc`` (``overflow``, ``division by zero``, …)."""
    return "overflow" if isinstance(exc, OverflowError) else p.domain_message(texts)
