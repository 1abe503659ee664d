"""graphdiff's own primitives, one row each (see :mod:`graphdiff.primitives.table` for what a row holds).

Every partial, domain and convention below is text in graphdiff's language, and it is what every command
computes. The forms keep every digit where a textbook form would overflow or cancel: ∂(a/b)/∂b = -(a/b)/b from
the node's value, sigmoid′ = s(x)·s(-x), tanh′ = sech(x)², asin′ through (1 - x)·(1 + x), atan2′ through
``hypot``, erf′ through ``gauss`` (exp(-x²) with x² split exactly). Conventions at non-differentiable points:
``relu`` and ``abs`` at 0 take the partial 0; ``step`` and ``sign`` have partial 0 everywhere; tied operands of
``min`` and ``max`` share the partial 1 evenly; ∂(x ^ t)/∂t is ``xlogy(x ^ t, x)``, 0 at x = 0.
"""
from __future__ import annotations

from .table import Primitive, register

# ---- helper functions of the backends: one definition each, called by the templates below ------------------

_PY = {
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
    return (x > 0) - (x < 0) + 0.0 if x == x else x
""",
    "_xlogy": """def _xlogy(a, b):
    if a == 0 and b == b:
        return 0.0
    return a * math.log(b)
""",
    "_gauss": """def _gauss(x):
    if not abs(x) < 1e150:
        return 0.0 if x == x else x
    c = 134217729.0 * x
    xh = c - (c - x)
    xl = x - xh
    hi = x * x
    lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl
    return math.exp(-hi) * (1.0 - lo)
""",
    "_min": """def _min(xs):
    v = min(xs)
    return math.nan if v == v and any(x != x for x in xs) else v
""",
    "_max": """def _max(xs):
    v = max(xs)
    return math.nan if v == v and any(x != x for x in xs) else v
""",
    "_count": """def _count(xs):
    v = xs[0]
    return float(sum(1 for x in xs[1:] if x == v))
""",
}

_NP = {
    "_np_fold": """def _np_fold(f, xs):
    out = xs[0]
    for x in xs[1:]:
        out = f(out, x)
    return out
""",
    "_np_fsum": """def _np_fsum(xs):
    s, c = xs[0], 0.0
    for x in xs[1:]:
        t = s + x
        z = t - s
        c = c + ((s - (t - z)) + (x - z))
        s = t
    return np.where(np.isfinite(s), s + c, s)
""",
    "_np_count": """def _np_count(xs):
    out = np.zeros_like(np.asarray(xs[0], dtype=float))
    for x in xs[1:]:
        out = out + (x == xs[0])
    return out
""",
    "_np_sigmoid": """def _np_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
""",
    "_np_softplus": """def _np_softplus(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
""",
    "_np_sech": """def _np_sech(x):
    e = np.exp(-np.abs(x))
    return 2.0 * e / (1.0 + e * e)
""",
    "_np_xlogy": """def _np_xlogy(a, b):
    return np.where((a == 0) & (b == b), 0.0, a * np.log(b))
""",
    "_np_gauss": """def _np_gauss(x):
    return np.exp(-np.square(x))
""",
    "_np_erf": """_np_erf = np.vectorize(math.erf, otypes=[float])
""",
}

_JS = {
    "fsum": """function fsum(xs) {  // CPython's math.fsum: exact partials, then the correctly rounded sum
  const partials = [];
  let special = 0, inf = 0;
  for (let x of xs) {
    if (!Number.isFinite(x)) { if (Number.isNaN(x)) special = NaN; else inf += x; continue; }
    let i = 0;
    for (let j = 0; j < partials.length; j++) {
      let y = partials[j];
      if (Math.abs(x) < Math.abs(y)) { const t = x; x = y; y = t; }
      const hi = x + y, lo = y - (hi - x);
      if (lo) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  if (Number.isNaN(special)) return NaN;
  if (inf !== 0 || Number.isNaN(inf)) return inf;
  let n = partials.length, hi = 0, lo = 0;
  if (n > 0) {
    hi = partials[--n];
    while (n > 0) {
      const x = hi, y = partials[--n];
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo) break;
    }
    if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
      const y = lo * 2, x = hi + y, yr = x - hi;
      if (y === yr) hi = x;
    }
  }
  return hi;
}""",
    "prod": "function prod(xs) { let p = 1.0; for (const x of xs) p *= x; return p; }",
    "minOf": "function minOf(xs) { return xs.some((x) => x !== x) ? NaN : Math.min(...xs); }",
    "maxOf": "function maxOf(xs) { return xs.some((x) => x !== x) ? NaN : Math.max(...xs); }",
    "count": "function count(xs) { let c = 0; for (let i = 1; i < xs.length; i++) if (xs[i] === xs[0]) c++; return c; }",
    "sigmoid": """function sigmoid(x) {
  if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1.0 + e);
}""",
    "softplus": "function softplus(x) { return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x))); }",
    "sech": "function sech(x) { const e = Math.exp(-Math.abs(x)); return 2.0 * e / (1.0 + e * e); }",
    "sign": "function sign(x) { return x !== x ? x : (x > 0 ? 1 : 0) - (x < 0 ? 1 : 0) + 0.0; }",
    "xlogy": "function xlogy(a, b) { if (a === 0 && b === b) return 0.0; return a * Math.log(b); }",
    "powc": """function powc(x, y) {  // C's pow where JavaScript's differs: pow(1, y) = 1 and pow(x, 0) = 1 even for NaN
  if (x === 1 || y === 0) return 1.0;
  return Math.pow(x, y);
}""",
    "gauss": """function gauss(x) {  // exp(-x*x) with x*x split exactly into hi + lo (Veltkamp and Dekker)
  if (!(Math.abs(x) < 1e150)) return x === x ? 0.0 : x;
  const c = 134217729.0 * x, xh = c - (c - x), xl = x - xh, hi = x * x;
  const lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl;
  return Math.exp(-hi) * (1.0 - lo);
}""",
    "erf": """function erf(x) {  // CPython's own pure erf (a series below 1.5, a continued fraction for erfc above)
  const SQRTPI = 1.772453850905516027298167483341145182798;
  if (x !== x) return x;
  const ax = Math.abs(x);
  if (ax < 1.5) {
    const x2 = x * x;
    let acc = 0.0, fk = 25 + 0.5;
    for (let i = 0; i < 25; i++) { acc = 2.0 + x2 * acc / fk; fk -= 1.0; }
    return acc * x * Math.exp(-x2) / SQRTPI;
  }
  let cf = 0.0;
  if (ax < 30.0) {
    const x2 = ax * ax;
    let a = 0.0, da = 0.5, p = 1.0, pLast = 0.0, q = da + x2, qLast = 1.0;
    for (let i = 0; i < 50; i++) {
      a += da; da += 2.0;
      const b = da + x2;
      let t = p; p = b * p - a * pLast; pLast = t;
      t = q; q = b * q - a * qLast; qLast = t;
    }
    cf = p / q * ax * Math.exp(-x2) / SQRTPI;
  }
  return x > 0 ? 1.0 - cf : cf - 1.0;
}""",
}

_MP = {
    "_mp_xlogy": """def _mp_xlogy(a, b):
    return mp.mpf(0) if a == 0 else a * mp.log(b)
""",
    "_mp_count": """def _mp_count(xs):
    return mp.mpf(sum(1 for x in xs[1:] if x == xs[0]))
""",
    "_mp_min": """def _mp_min(xs):
    return mp.nan if any(mp.isnan(x) for x in xs) else min(xs)
""",
    "_mp_max": """def _mp_max(xs):
    return mp.nan if any(mp.isnan(x) for x in xs) else max(xs)
""",
}

_SP = {
    "_sp_count": """def _sp_count(xs):
    return sp.Add(*[sp.Piecewise((1, sp.Eq(x, xs[0])), (0, True)) for x in xs[1:]])
""",
}


def _helpers(**by_backend: str) -> dict[str, dict[str, str]]:
    """The helpers a row's templates call, by backend: ``_helpers(python="_sigmoid", js="sigmoid")``."""
    table = {"python": _PY, "numpy": _NP, "js": _JS, "mpmath": _MP, "sympy": _SP}
    return {b: {n: table[b][n] for n in names.split()} for b, names in by_backend.items()}


def _same(expr: str, **other: str) -> dict[str, str]:
    """One template for every backend (an expression of operators only), with exceptions given by name."""
    leaves = {b: expr for b in ("python", "numpy", "js", "mpmath", "sympy")}
    leaves.update(other)
    return leaves


def _unary(name: str, python: str, numpy: str, js: str, mpmath: str, sympy: str, partial: str, **kw) -> Primitive:
    return Primitive(name, 1, {"python": python, "numpy": numpy, "js": js, "mpmath": mpmath, "sympy": sympy},
                     partials=(partial,), call=name, **kw)


def _math(name: str, partial: str, *, np_name: str | None = None, mp_name: str | None = None,
          sympy: str | None = None, **kw) -> Primitive:
    """A function of Python's ``math`` that NumPy, JavaScript's ``Math``, mpmath and SymPy have too."""
    return _unary(name, f"math.{name}({{0}})", f"np.{np_name or name}({{0}})", f"Math.{name}({{0}})",
                  f"mp.{mp_name or name}({{0}})", sympy or f"sp.{name}({{0}})", partial, **kw)


_POW_KINK = ("{0} ^ {1} at {0} = 0: the partial with respect to the exponent, {0} ^ {1} * log({0}), is taken "
             "as 0")


def _extreme(name: str, sign: str, other: str) -> Primitive:
    """min or max: the partial 1 for the extreme operand, split evenly among tied ones."""
    return Primitive(
        name, None, {"python": f"_{name}({{xs}})", "numpy": f"_np_fold(np.{name}imum, {{xs}})", "js": f"{name}Of({{xs}})",
                     "mpmath": f"_mp_{name}({{xs}})", "sympy": f"sp.{name.capitalize()}(*{{xs}})"},
        partial="eq({x}, {y}) / count({y}, {xs})",
        small={2: (f"(1 {sign} sign({{0}} - {{1}})) / 2", f"(1 {other} sign({{0}} - {{1}})) / 2")},
        call=name,
        kink=("step(count({y}, {xs}) - 1) * count({y}, {xs})",
              f"{name} has {{c}} tied operands ({{y}}); the partial 1 is split evenly among them"),
        helpers=_helpers(python=f"_{name}", numpy="_np_fold", js=f"{name}Of", mpmath=f"_mp_{name}"))


ROWS = [
    # sums are correctly rounded (math.fsum): a + b + c is one node, whose value must not depend on the order
    Primitive("add", None, {"python": "math.fsum({xs})", "python/2": "{0} + {1}", "numpy": "_np_fsum({xs})",
                            "numpy/2": "{0} + {1}", "js": "fsum({xs})", "js/2": "{0} + {1}",
                            "mpmath": "mp.fsum({xs})", "sympy": "sp.Add(*{xs})"},
              partial="1", infix="+", helpers=_helpers(numpy="_np_fsum", js="fsum")),
    Primitive("sub", 2, _same("{0} - {1}"), partials=("1", "-1"), infix="-"),
    Primitive("mul", None, {"python": "math.prod({xs})", "python/2": "{0} * {1}", "numpy": "_np_fold(np.multiply, {xs})",
                            "numpy/2": "{0} * {1}", "js": "prod({xs})", "js/2": "{0} * {1}",
                            "mpmath": "mp.fprod({xs})", "sympy": "sp.Mul(*{xs})"},
              scan="*", small={2: ("{1}", "{0}")}, infix="*", helpers=_helpers(numpy="_np_fold", js="prod")),
    # ∂(a/b)/∂b = -(a/b)/b, from the node's value: -a/b² would overflow or underflow in b² where it is not
    Primitive("div", 2, _same("{0} / {1}"), partials=("1 / {1}", "-{y} / {1}"), infix="/",
              domain=("eq({1}, 0)", "division by zero")),
    Primitive("neg", 1, _same("-{0}"), partials=("-1",), infix="-"),
    Primitive("pow", 2, {"python": "math.pow({0}, {1})", "numpy": "np.power({0}, {1})", "js": "powc({0}, {1})",
                         "mpmath": "mp.power({0}, {1})", "sympy": "{0} ** {1}"},
              partials=("{1} * {0} ^ ({1} - 1)", "xlogy({y}, {0})"), infix="^", call="pow",
              domain=("eq({0}, 0) * step(-{1}) + step(-{0}) * (1 - eq({y}, {y}))",
                      "a power needs a positive base for a fractional exponent, and a base other than 0 for a "
                      "negative one"),
              kink=("eq({0}, 0) * step({1})", _POW_KINK), kink_arg=1, helpers=_helpers(js="powc")),
    # y = x (a name given to another node) and y = 2 (a name given to a number): operations of their own
    Primitive("id", 1, _same("{0}"), partials=("1",), work=0),
    Primitive("const", 1, _same("{0}"), partials=("0",), work=0),
    _math("sin", "cos({0})"),
    _math("cos", "-sin({0})"),
    _math("tan", "1 + {y} ^ 2"),
    _math("exp", "{y}"),
    _math("log", "1 / {0}", domain=("1 - step({0})", "log needs a positive argument")),
    _math("sqrt", "0.5 / {y}", domain=("step(-{0})", "sqrt needs a non-negative argument")),
    _math("tanh", "sech({0}) ^ 2"),
    _unary("sech", "_sech({0})", "_np_sech({0})", "sech({0})", "mp.sech({0})", "1 / sp.cosh({0})",
           "-{y} * tanh({0})", helpers=_helpers(python="_sech", numpy="_np_sech", js="sech")),
    _unary("sigmoid", "_sigmoid({0})", "_np_sigmoid({0})", "sigmoid({0})", "1 / (1 + mp.exp(-{0}))",
           "1 / (1 + sp.exp(-{0}))", "{y} * sigmoid(-{0})",
           helpers=_helpers(python="_sigmoid", numpy="_np_sigmoid", js="sigmoid")),
    # non-smooth: each convention is its partial's text
    _unary("relu", "({0} if {0} > 0 else 0.0)", "np.where({0} > 0, {0}, 0.0)", "({0} > 0 ? {0} : 0)",
           "({0} if {0} > 0 else mp.mpf(0))", "sp.Max(0, {0})", "step({0})",
           kink=("eq({0}, 0)", "relu is not differentiable at 0; the partial is taken as 0")),
    _unary("step", "(1.0 if {0} > 0 else 0.0)", "np.where({0} > 0, 1.0, 0.0)", "({0} > 0 ? 1 : 0)",
           "mp.mpf(1 if {0} > 0 else 0)", "sp.Piecewise((1, {0} > 0), (0, True))", "0",
           kink=("eq({0}, 0)", "step jumps at 0; the partial is taken as 0")),
    _unary("abs", "abs({0})", "np.abs({0})", "Math.abs({0})", "abs({0})", "sp.Abs({0})", "sign({0})",
           kink=("eq({0}, 0)", "abs is not differentiable at 0; the partial is taken as 0")),
    _unary("sign", "_sign({0})", "np.sign({0})", "sign({0})", "mp.sign({0})", "sp.sign({0})", "0",
           kink=("eq({0}, 0)", "sign jumps at 0; the partial is taken as 0"),
           helpers=_helpers(python="_sign", js="sign")),
    _unary("softplus", "_softplus({0})", "_np_softplus({0})", "softplus({0})", "mp.log(1 + mp.exp({0}))",
           "sp.log(1 + sp.exp({0}))", "sigmoid({0})",
           helpers=_helpers(python="_softplus", numpy="_np_softplus", js="softplus")),
    _math("log1p", "1 / (1 + {0})", mp_name="log1p",
          domain=("1 - step(1 + {0})", "log1p needs an argument above -1"), sympy="sp.log(1 + {0})"),
    _math("expm1", "exp({0})", sympy="sp.exp({0}) - 1"),
    _math("sinh", "cosh({0})"),
    _math("cosh", "sinh({0})"),
    _math("asin", "1 / sqrt((1 - {0}) * (1 + {0}))", np_name="arcsin",
          domain=("step(abs({0}) - 1)", "asin needs an argument in [-1, 1]")),
    _math("acos", "-1 / sqrt((1 - {0}) * (1 + {0}))", np_name="arccos",
          domain=("step(abs({0}) - 1)", "acos needs an argument in [-1, 1]")),
    _math("atan", "1 / (1 + {0} * {0})", np_name="arctan"),
    # the error function (the normal CDF is (1 + erf(x / sqrt(2))) / 2); its partial 2/√π·exp(-x²) through gauss
    _unary("erf", "math.erf({0})", "_np_erf({0})", "erf({0})", "mp.erf({0})", "sp.erf({0})",
           "1.1283791670955126 * gauss({0})", helpers=_helpers(numpy="_np_erf", js="erf")),
    # exp(-x²), with x² split exactly into hi + lo (Veltkamp and Dekker) so that no ulp is lost where x² is large
    _unary("gauss", "_gauss({0})", "_np_gauss({0})", "gauss({0})", "mp.exp(-{0} ** 2)", "sp.exp(-{0} ** 2)",
           "-2 * {0} * {y}", helpers=_helpers(python="_gauss", numpy="_np_gauss", js="gauss")),
    # the angle of the point (x, y) in (-pi, pi]: atan2(y, x), as C and NumPy order the operands; its partials
    # through hypot, so that x² + y² neither overflows nor underflows
    Primitive("atan2", 2, {"python": "math.atan2({0}, {1})", "numpy": "np.arctan2({0}, {1})",
                           "js": "Math.atan2({0}, {1})", "mpmath": "mp.atan2({0}, {1})",
                           "sympy": "sp.atan2({0}, {1})"},
              partials=("({1} / hypot({1}, {0})) / hypot({1}, {0})", "-({0} / hypot({1}, {0})) / hypot({1}, {0})"),
              call="atan2"),
    Primitive("hypot", 2, {"python": "math.hypot({0}, {1})", "numpy": "np.hypot({0}, {1})",
                           "js": "Math.hypot({0}, {1})", "mpmath": "mp.hypot({0}, {1})",
                           "sympy": "sp.sqrt({0} ** 2 + {1} ** 2)"},
              partials=("{0} / {y}", "{1} / {y}"), call="hypot"),
    # 1 where a = b, else 0: ties of min and max in their partials' text
    Primitive("eq", 2, {"python": "(1.0 if {0} == {1} else 0.0)", "numpy": "np.where({0} == {1}, 1.0, 0.0)",
                        "js": "({0} === {1} ? 1 : 0)", "mpmath": "mp.mpf(1 if {0} == {1} else 0)",
                        "sympy": "sp.Piecewise((1, sp.Eq({0}, {1})), (0, True))"},
              partials=("0", "0"), call="eq"),
    # a·log(b), 0 where a = 0: the partial of x ^ t with respect to t, with its convention at x = 0 as text
    Primitive("xlogy", 2, {"python": "_xlogy({0}, {1})", "numpy": "_np_xlogy({0}, {1})", "js": "xlogy({0}, {1})",
                           "mpmath": "_mp_xlogy({0}, {1})", "sympy": "{0} * sp.log({1})"},
              partials=("log({1})", "{0} / {1}"), call="xlogy",
              domain=("(1 - eq({0}, 0)) * (1 - step({1}))", "xlogy(a, b) needs b > 0 where a is not 0"),
              helpers=_helpers(python="_xlogy", numpy="_np_xlogy", js="xlogy", mpmath="_mp_xlogy")),
    _extreme("min", "-", "+"),
    _extreme("max", "+", "-"),
    # how many of the operands after the first equal the first: the denominator of min's and max's partials
    Primitive("count", None, {"python": "_count({xs})", "numpy": "_np_count({xs})", "js": "count({xs})",
                              "mpmath": "_mp_count({xs})", "sympy": "_sp_count({xs})"},
              partial="0", call="count",
              helpers=_helpers(python="_count", numpy="_np_count", js="count", mpmath="_mp_count", sympy="_sp_count")),
    Primitive("sum", None, {"python": "math.fsum({xs})", "numpy": "_np_fsum({xs})", "js": "fsum({xs})",
                            "mpmath": "mp.fsum({xs})", "sympy": "sp.Add(*{xs})"},
              partial="1", call="sum", helpers=_helpers(numpy="_np_fsum", js="fsum")),
    Primitive("prod", None, {"python": "math.prod({xs})", "numpy": "_np_fold(np.multiply, {xs})", "js": "prod({xs})",
                             "mpmath": "mp.fprod({xs})", "sympy": "sp.Mul(*{xs})"},
              scan="*", small={2: ("{1}", "{0}")}, call="prod", helpers=_helpers(numpy="_np_fold", js="prod")),
    Primitive("mean", None, {"python": "math.fsum({xs}) / len({xs})", "numpy": "_np_fsum({xs}) / len({xs})",
                             "js": "fsum({xs}) / {xs}.length", "mpmath": "mp.fsum({xs}) / len({xs})",
                             "sympy": "sp.Add(*{xs}) / len({xs})"},
              partial="1 / {n}", call="mean", work=1, helpers=_helpers(numpy="_np_fsum", js="fsum")),
]

for _row in ROWS:
    register(_row)
