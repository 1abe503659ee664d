"""The rows' formula texts compiled into code, once per row and number of operands, for every backend.

:func:`numeric` gives the Python functions evaluation uses: a row's value, its partials (compiled from the
formula texts, with NumPy's IEEE arithmetic where Python's ``math`` raises, so a partial never raises: it is
±inf or NaN where it does not exist), and its domain and kink conditions. :func:`mp_partials` gives the same
partials in mpmath (the recomputation beyond float64's range); :func:`javascript` the page's functions. All of
them are written from the same expressions (:mod:`graphdiff.codegen.formula`) by one emitter whose only
per-backend knowledge is each row's leaf template.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from ..primitives import PRIMITIVES, Primitive
from ..primitives.table import LISTENERS, namespace
from .formula import Expr, Rule, condition, hoist, placeholders, rule

Vals = Sequence[float]


class Emitter:
    """Expressions as code in one backend: each primitive through its row's leaf template, each placeholder
    through ``env`` (a code string, or for ``xs`` the code of a list); a subexpression that occurs more than
    once is computed once, into a local (``lines`` holds those assignments)."""

    def __init__(self, backend: str, env: dict[str, str], splat: Callable[[list[str], str], str]):
        self.backend, self.env, self.splat = backend, env, splat
        self.lines: list[tuple[str, str]] = []
        self.memo: dict[Expr, str] = {}
        self.uses: dict[Expr, int] = {}

    def count(self, e: Expr) -> None:
        stack = [e]
        while stack:
            t = stack.pop()
            if t[0] in ("#", "$", "@"):
                continue
            self.uses[t] = self.uses.get(t, 0) + 1
            if self.uses[t] == 1:
                stack.extend(t[1])

    def code(self, e: Expr) -> str:
        tag = e[0]
        if tag == "#":
            return _number(e[1], self.backend)
        if tag == "$":
            return self.env[e[1]]
        known = self.memo.get(e)
        if known is not None:
            return known
        p = PRIMITIVES[tag]
        leaf = p.leaf(self.backend, len(e[1]))
        if leaf is None:
            raise KeyError(tag)
        if "{xs}" not in leaf:
            text = leaf.format(*[self.code(k) for k in e[1]])
        elif p.arity is None:
            parts, spread = [], None
            for k in e[1]:
                if k == ("$", "xs"):
                    spread = self.env["xs"]
                else:
                    parts.append(self.code(k))
            text = leaf.format(xs=self.splat(parts, spread) if spread else f"[{', '.join(parts)}]")
        else:
            text = leaf.format(*[self.code(k) for k in e[1]])
        text = f"({text})"
        if self.uses.get(e, 0) > 1:
            name = f"t{len(self.lines)}"
            self.lines.append((name, text))
            text = name
        self.memo[e] = text
        return text


def _number(v: float, backend: str) -> str:
    if math.isnan(v):
        return {"js": "NaN", "mpmath": "mp.nan"}.get(backend, "math.nan")
    if math.isinf(v):
        s = {"js": "Infinity", "mpmath": "mp.inf"}.get(backend, "math.inf")
        return s if v > 0 else f"(-{s})"
    r = repr(float(v))
    if backend == "mpmath":
        r = f"mp.mpf({r!r})"
    return f"({r})" if v < 0 or r.startswith("-") else r


def _py_splat(parts: list[str], spread: str) -> str:
    return f"[{', '.join(parts)}, *{spread}]" if parts else spread


def _js_splat(parts: list[str], spread: str) -> str:
    return f"[{', '.join(parts)}, ...{spread}]" if parts else spread


# ---- Python (and NumPy, mpmath): function sources ----------------------------------------------------------------

def _py_body(r: Rule, n: int | None, backend: str) -> list[str]:
    """Statements computing ``out``, the list of partials, from ``xs`` and ``y`` (``n`` operands; None: any)."""
    if r.kind == "scan":
        one = "mp.mpf(1)" if backend == "mpmath" else "1.0"
        return [f"n = len(xs); out = [{one}] * n; acc = {one}",
                "for i in range(n):", "    out[i] = acc; acc = acc * xs[i]",
                f"acc = {one}", "for i in range(n - 1, -1, -1):", "    out[i] = out[i] * acc; acc = xs[i] * acc"]
    if r.kind == "fixed":
        env = {str(k): f"xs[{k}]" for k in range(n if n is not None else len(r.exprs))}
        env.update(y="y", n="float(len(xs))", xs="xs")
        em = Emitter(backend, env, _py_splat)
        for e in r.exprs:
            em.count(e)
        outs = [em.code(e) for e in r.exprs]
        return [f"{a} = {b}" for a, b in em.lines] + [f"out = [{', '.join(outs)}]"]
    return _uniform(r.exprs[0], backend, "xs", _py_splat, "[{body} for x in xs]", "[{body}] * len(xs)",
                    "n = float(len(xs))")


def _uniform(e: Expr, backend: str, xs: str, splat, each: str, same: str, n_line: str) -> list[str]:
    """A partial written for any operand: what does not depend on the operand computed once (``s0`` …), the
    rest once per operand."""
    top, shared = hoist(e)
    env = {"y": "y", "n": "n", "xs": xs, "x": "x", **{v: v for v in shared.values()}}
    lines = [n_line] if "n" in placeholders(e) else []
    for t, name in shared.items():
        em = Emitter(backend, env, splat)
        lines.append(f"{name} = {em.code(t)}")
    em = Emitter(backend, env, splat)
    body = em.code(top)
    lines.append("out = " + (each if "x" in placeholders(top) else same).format(body=body))
    return lines


def _py_function(name: str, body: list[str], result: str, fallback: str | None = None) -> str:
    lines = [f"def {name}(xs, y):"]
    if fallback is None:
        lines += [f"    {b}" for b in body] + [f"    return {result}"]
    else:
        lines += ["    try:"] + [f"        {b}" for b in body] + [f"        return {result}",
                                                                    "    except (ArithmeticError, ValueError):",
                                                                    f"        return {fallback}(xs, y)"]
    return "\n".join(lines) + "\n"


def _build(source: str, backend: str, name: str, extra: dict | None = None):
    ns = dict(namespace(backend))
    if extra:
        ns.update(extra)
    exec(compile(source, f"<graphdiff {name}>", "exec"), ns)  # noqa: S102 - code written from the rows
    return ns[name]


def _ieee_wrap(f):
    """NumPy scalars in, floats out, with IEEE 754 arithmetic (no warnings): the value where math raises."""
    import numpy as np

    def g(xs, y):
        with np.errstate(all="ignore"):
            r = f([np.float64(x) for x in xs], np.float64(y))
        return [float(v) for v in r] if isinstance(r, list) else float(r)
    return g


@dataclass(frozen=True)
class Numeric:
    """What evaluation needs of a row for ``n`` operands: ``value(xs)`` (may raise, as ``math`` does),
    ``partials(xs, y)`` (never raises), ``kink(xs, y)`` and ``domain(xs, y)`` (the conditions' values; None
    where the row has none)."""

    primitive: Primitive
    value: Callable[[Vals], float]
    partials: Callable[[Vals, float], list[float]]
    kink: Callable[[Vals, float], float] | None
    domain: Callable[[Vals, float], float] | None


_CACHE: dict[tuple[str, int], Numeric] = {}


def _forget() -> None:
    _CACHE.clear()
    _LEAVES.clear()
    _MP.clear()
    _JS.clear()


LISTENERS.append(_forget)


def numeric(p: Primitive, n: int) -> Numeric:
    """The compiled functions of row ``p`` for ``n`` operands (kept until the table changes)."""
    key = (p.name, n)
    c = _CACHE.get(key)
    if c is None or c.primitive is not p:
        r = rule(p, n)
        ieee = _ieee_wrap(_build(_py_function("f", _py_body(r, n, "numpy"), "out"), "numpy", "f"))
        partials = _build(_py_function("f", _py_body(r, n, "python"), "out", "_ieee"), "python", "f",
                          {"_ieee": ieee})
        kink = _condition(p, p.kink, n)
        domain = _condition(p, p.domain, n)
        c = _CACHE[key] = Numeric(p, p.value, partials, kink, domain)
    return c


def _condition(p: Primitive, cond: tuple[str, str] | None, n: int):
    if cond is None:
        return None
    e = condition(cond[0])
    env_needs = placeholders(e)
    if "xs" in env_needs:  # over all operands, computed once: emit with xs as the list itself
        def expr_lines(backend):
            em = Emitter(backend, {"y": "y", "n": "n", "xs": "xs", **{str(k): f"xs[{k}]" for k in range(n)}},
                         _py_splat)
            em.count(e)
            code = em.code(e)
            return ["n = float(len(xs))"] + [f"{a} = {b}" for a, b in em.lines] + [f"out = {code}"]
        ieee = _ieee_wrap(_build(_py_function("f", expr_lines("numpy"), "out"), "numpy", "f"))
        return _build(_py_function("f", expr_lines("python"), "out", "_ieee"), "python", "f", {"_ieee": ieee})
    r = Rule("fixed", (e,))
    ieee = _ieee_wrap(_build(_py_function("f", _py_body(r, n, "numpy"), "out[0]"), "numpy", "f"))
    return _build(_py_function("f", _py_body(r, n, "python"), "out[0]", "_ieee"), "python", "f", {"_ieee": ieee})


_LEAVES: dict[tuple[str, str, int], Callable] = {}


def leaf(p: Primitive, backend: str, n: int) -> Callable | None:
    """The row's value in ``backend`` as a function of the list of operands (None: the row has no such leaf)."""
    key = (p.name, backend, n)
    f = _LEAVES.get(key)
    if f is None and key not in _LEAVES:
        template = p.leaf(backend, n)
        if template is not None:
            expr = template.format(xs="xs") if "{xs}" in template else template.format(*[f"xs[{k}]" for k in range(n)])
            f = _build(f"def v(xs):\n    return {expr}\n", backend, "v")
        _LEAVES[key] = f
    return f


# ---- mpmath ------------------------------------------------------------------------------------------------

_MP: dict[tuple[str, int], tuple] = {}


def mp_functions(p: Primitive, n: int):
    """``(value(xs), partials(xs, y))`` in mpmath, from the row's mpmath leaf and its formula texts; either
    raises where mpmath does (a complex result, a division by zero)."""
    key = (p.name, n)
    f = _MP.get(key)
    if f is None:
        value = leaf(p, "mpmath", n)
        if value is None:
            f = (None, None)
        else:
            try:
                partials = _build(_py_function("f", _py_body(rule(p, n), n, "mpmath"), "out"), "mpmath", "f")
            except KeyError:  # a primitive in a formula without an mpmath leaf
                partials = None
            f = (value, partials)
        _MP[key] = f
    return f


# ---- JavaScript --------------------------------------------------------------------------------------------

_JS: dict[tuple[str, int], dict[str, str]] = {}


def javascript(p: Primitive, n: int) -> dict[str, str]:
    """The page's functions of row ``p`` for ``n`` operands, as JavaScript function expressions: ``value(x)``,
    ``partials(x, y)`` and, where the row has them, ``domain(x, y)`` and ``kink(x, y)`` (conditions: non-zero
    where they hold). Names of helpers they call are in :data:`graphdiff.primitives.HELPERS` (``js``)."""
    key = (p.name, n)
    out = _JS.get(key)
    if out is None:
        if "js" not in p.leaves:
            raise KeyError(p.name)
        leaf = p.leaf("js", n)
        value = leaf.format(xs="xs") if "{xs}" in leaf else leaf.format(*[f"xs[{k}]" for k in range(n)])
        out = {"value": f"function (xs) {{ return {value}; }}",
               "partials": _js_function(rule(p, n), n)}
        for what in ("domain", "kink"):
            cond = getattr(p, what)
            if cond is not None:
                out[what] = _js_function(Rule("fixed", (condition(cond[0]),)), n, single=True)
        _JS[key] = out
    return out


def _js_function(r: Rule, n: int, single: bool = False) -> str:
    if r.kind == "scan":
        return ("function (xs, y) { const n = xs.length, out = new Array(n).fill(1.0); let acc = 1.0; "
                "for (let i = 0; i < n; i++) { out[i] = acc; acc = acc * xs[i]; } acc = 1.0; "
                "for (let i = n - 1; i >= 0; i--) { out[i] = out[i] * acc; acc = xs[i] * acc; } return out; }")
    if r.kind == "fixed":
        env = {str(k): f"xs[{k}]" for k in range(n)}
        env.update(y="y", n="xs.length", xs="xs")
        em = Emitter("js", env, _js_splat)
        for e in r.exprs:
            em.count(e)
        outs = [em.code(e) for e in r.exprs]
        lets = "".join(f"const {a} = {b}; " for a, b in em.lines)
        result = outs[0] if single else f"[{', '.join(outs)}]"
        return f"function (xs, y) {{ {lets}return {result}; }}"
    lines = _uniform(r.exprs[0], "js", "xs", _js_splat, "xs.map((x) => {body})",
                     "new Array(xs.length).fill({body})", "n = xs.length")
    body = "".join(f"const {line}; " for line in lines[:-1])
    return f"function (xs, y) {{ {body}return {lines[-1][len('out = '):]}; }}"
