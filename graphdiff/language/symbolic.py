"""Graphs from SymPy expressions (``graphdiff import --sympy 'x**2*sin(y) + exp(x*y)'``, :func:`from_sympy`).

SymPy holds an expression as a tree; its common subexpressions (:func:`sympy.cse`) become named nodes
(``s1``, ``s2`` …, used more than once), the rest is written nested, so graphdiff names it by its text. SymPy's
functions map to the primitives of the same name (``Abs`` is ``abs``, ``Max`` is ``max``); constants (``pi``,
``E``, rationals) are written as the doubles nearest them. A function graphdiff has no row for, a piecewise
expression or a complex number is an :class:`~graphdiff.base.errors.InputError` naming it.
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Mapping

from ..base.errors import InputError
from ..primitives import PRIMITIVES
from .graph import Graph, loads

_NAME = re.compile(r"[^\W\d]\w*$")
#: SymPy's names for graphdiff's primitives where they differ (the others are the same, lower case).
_RENAMED = {"Abs": "abs", "Max": "max", "Min": "min", "Heaviside": "step"}


def parse(text: str):
    """A SymPy expression from text (``x**2*sin(y)``); ``^`` is a power, as in graphdiff."""
    import sympy
    from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

    try:
        e = parse_expr(text, transformations=standard_transformations + (convert_xor,), evaluate=True)
    except Exception as e:  # noqa: BLE001 - SymPy's parser raises many kinds (it runs Python's tokenizer and eval)
        hint = ("; a name such as gamma, beta, zeta, lambda, N, S, O or Q is SymPy's own: rename that symbol"
                if isinstance(e, (TypeError, AttributeError)) else "")
        raise InputError(f"not a SymPy expression: {_short(text)!r} ({type(e).__name__}: {e}){hint}") from None
    if not isinstance(e, sympy.Expr):
        raise InputError(f"not a SymPy expression of numbers: {_short(text)!r} is a {type(e).__name__}")
    return e


def program(expr, values: Mapping[str, Any] | None = None, *, output: str | None = None,
            label: str | None = None) -> str:
    """The graphdiff program of a SymPy expression (or its text): inputs are its symbols in name order, with the
    values given as defaults; shared subexpressions are named ``s1``, ``s2`` …; the output is ``output``
    (default ``f``, or ``f_`` … when a symbol is named ``f``)."""
    import sympy

    if isinstance(expr, str):
        label = label or expr
        expr = parse(expr)
    expr = sympy.sympify(expr)
    if not isinstance(expr, sympy.Expr) or getattr(expr, "is_Matrix", False):
        raise InputError(f"not a SymPy expression of numbers: a {type(expr).__name__}")
    values = dict(values or {})
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    names = [s.name for s in symbols]
    for n in names:
        if not _NAME.match(n):
            raise InputError(f"the symbol {n!r} is not a name graphdiff can use (letters, digits, _)")
    unknown = [n for n in values if n not in names]
    if unknown:
        raise InputError(f"--set {unknown[0]}: the expression has no symbol '{unknown[0]}' (its symbols: "
                         f"{', '.join(names) or 'none'})")
    if not names:
        raise InputError("the expression has no symbol: nothing to differentiate")
    if output is None:
        output = "f"
        while output in names:
            output += "_"
    if not _NAME.match(output) or output in names:
        raise InputError(f"the output name {output!r} must be a name that is not a symbol of the expression")
    taken = set(names) | {output}
    temps = (f"s{k}" for k in range(1, 10**9))
    fresh = (sympy.Symbol(n) for n in temps if n not in taken)
    shared, (reduced,) = sympy.cse(expr, symbols=fresh)
    printer = _Printer()
    lines = [f"# graphdiff import --sympy: {_short(label or sympy.sstr(expr))}"]
    decl = []
    for n in names:
        v = values.get(n)
        decl.append(n if v is None else f"{n} = {_num(float(v))}")
    lines.append("input " + ", ".join(decl))
    for sym, sub in shared:
        lines.append(f"{sym.name} = {printer.doprint(sub)}")
    lines.append(f"{output} = {printer.doprint(reduced)}")
    lines.append(f"output {output}")
    return "\n".join(lines) + "\n"


def from_sympy(expr, /, **values) -> Graph:
    """The graph of a SymPy expression (or its text), its symbols the inputs, ``values`` their defaults.

    >>> g = from_sympy("x**2*sin(y) + exp(x*y)", x=1, y=2)
    >>> print(g.text, end="")
    # graphdiff import --sympy: x**2*sin(y) + exp(x*y)
    input x = 1, y = 2
    f = x**2*sin(y) + exp(x*y)
    output f
    """
    return loads(program(expr, values), "<sympy>")


def read(arg: str) -> tuple[Any, str]:
    """``--sympy``'s argument: a file holding an expression, or the expression itself."""
    p = Path(arg)
    if len(arg) < 4096 and "\n" not in arg and p.is_file():
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"{arg}: cannot read: {e}") from None
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        if not lines:
            raise InputError(f"{arg}: no expression in the file")
        return parse(" ".join(lines)), arg
    return parse(arg), arg


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 160 else text[:157] + "…"


def _num(v: float) -> str:
    if not math.isfinite(v):
        raise InputError(f"{v!r} is not a value an input can take")
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)


def _printer_class():
    from sympy.printing.str import StrPrinter

    class Printer(StrPrinter):
        """SymPy's text with graphdiff's names; numbers as doubles; what graphdiff lacks refused."""

        printmethod = "_graphdiff"

        def _print_Float(self, e):
            return _num(float(e))

        def _print_Pi(self, e):
            return repr(math.pi)

        def _print_Exp1(self, e):
            return repr(math.e)

        def _print_Rational(self, e):
            return f"{e.p}/{e.q}" if e.q != 1 else str(e.p)

        def _print_Integer(self, e):
            return str(e.p)

        def _print_ImaginaryUnit(self, e):
            raise InputError("the expression is complex (it holds I): graphdiff's numbers are real")

        def _print_Infinity(self, e):
            raise InputError("the expression holds oo (infinity): graphdiff's constants are finite")

        _print_NegativeInfinity = _print_Infinity
        _print_ComplexInfinity = _print_Infinity

        def _print_NaN(self, e):
            raise InputError("the expression holds nan")

        def _print_Piecewise(self, e):
            raise InputError("a Piecewise expression has branches: a graphdiff program has none (trace the Python "
                             "function instead, which decides the branch at a point)")

        def _print_Relational(self, e):
            raise InputError(f"a comparison ({e}) is not a number graphdiff can differentiate")

        def _print_Derivative(self, e):
            raise InputError("an unevaluated Derivative: call .doit() first")

        def _print_Integral(self, e):
            raise InputError("an unevaluated Integral is not a graphdiff primitive")

        def _print_Function(self, e):
            name = _RENAMED.get(type(e).__name__, type(e).__name__)
            p = PRIMITIVES.get(name)
            if p is None or p.call != name:
                have = sorted(q.call for q in PRIMITIVES.values() if q.call)
                raise InputError(f"{type(e).__name__} is not a graphdiff primitive (graphdiff has {', '.join(have)})")
            if p.arity is not None and len(e.args) != p.arity:
                raise InputError(f"{type(e).__name__} of {len(e.args)} arguments: graphdiff's {name} takes {p.arity}")
            return f"{name}({', '.join(self._print(a) for a in e.args)})"

        _print_Abs = _print_Function
        _print_Max = _print_Function
        _print_Min = _print_Function

        def _print_Heaviside(self, e):
            import sympy

            if len(e.args) == 2 and e.args[1] != 0:  # SymPy's H(0) is 1/2 unless told; step(0) is 0
                raise InputError(f"{e} is {e.args[1]} at 0 and graphdiff's step is 0 there: write "
                                 f"Heaviside({e.args[0]}, 0)")
            return f"step({self._print(e.args[0])})" if e.args[0] is not sympy.S.Zero else "0"

        def _print_sign(self, e):
            return self._print_Function(e)

        def _print_Pow(self, e, rational=False):
            import sympy

            b, x = e.as_base_exp()
            if b is sympy.E:  # exp(x), which SymPy holds as E**x
                return f"exp({self._print(x)})"
            return super()._print_Pow(e, rational)

    return Printer


class _Printer:
    def __init__(self):
        self._p = _printer_class()({"order": "none"})

    def doprint(self, e) -> str:
        return self._p.doprint(e)
