"""Derivatives beyond float64's range: graphdiff's rule for a NaN or an infinity.

A derivative is a sum over paths of products of edge partials. In float64 a product can overflow to infinity
or underflow to zero on the way although the true derivative is an ordinary number: at x = -710.4,
``y = sigmoid(x - v^2 * cosh(x))`` has sigmoid′ far below the smallest double (it underflows to 0) and, in
forward mode, a tangent 1.158·cosh(x) just above the largest (it overflows to inf); IEEE's 0·inf is NaN, while
reverse mode, multiplying in the other order, meets no overflow and answers 0.

The rule, the same in every mode: when float64 gives a derivative that is NaN or infinite, graphdiff computes
that one derivative again with 30 digits and no bound on the exponent (mpmath), every value and partial on
the way from the primitives' own SymPy forms. A finite answer is the answer, and a warning says it was
recomputed; a NaN or infinity that remains is a true one (a derivative that does not exist at the point, such
as sqrt′(0) meeting a zero: ``(sqrt x)²`` at 0), and stays a fault that :mod:`graphdiff.faults` traces to
where it enters. Above :data:`MAX_NODES` nodes on the way, or without SymPy, the float64 answer stands.
"""
from __future__ import annotations

import math
from functools import lru_cache

from .errors import Diagnostic
from .evaluate import Linearization
from .notation import fmt_num, partial
from .ops import PRIMITIVES
from .reach import ancestors, descendants

#: The most nodes a recomputation walks (its time is about 50 µs a node).
MAX_NODES = 20_000
#: The most non-finite entries of one Jacobian recomputed.
MAX_ENTRIES = 200


def _mp():
    try:
        import mpmath
        import sympy  # noqa: F401  (the primitives' forms)
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return mpmath


@lru_cache(maxsize=None)
def _forms(name: str, arity: int):
    """mpmath functions for the value of primitive ``name`` with ``arity`` operands and for each partial, made
    once from the primitive's SymPy form (None where there is none or it cannot be evaluated)."""
    import sympy as sp

    p = PRIMITIVES[name]
    if p.sympy is None:
        return None, [None] * arity
    xs = [sp.Symbol(f"a{k}", real=True) for k in range(arity)]
    expr = p.sympy(sp, list(xs))
    value = sp.lambdify(xs, expr, "mpmath")
    parts = []
    for k in range(arity):
        try:
            parts.append(sp.lambdify(xs, sp.diff(expr, xs[k]), "mpmath"))
        except Exception:  # a form SymPy cannot differentiate: the float64 partial is used
            parts.append(None)
    return value, parts


def _finite(mp, v) -> bool:
    return v is not None and mp.isfinite(v)


def recompute(lin: Linearization, output: int, input: int):
    """∂output/∂input with 30 digits and an unbounded exponent, as an mpmath number; None when it cannot be
    had (too many nodes on the way, no SymPy, a value that has none)."""
    mp = _mp()
    if mp is None:
        return None
    g = lin.graph
    need = ancestors(g, output)
    if sum(need) > MAX_NODES:
        return None
    on = descendants(g, input, output)
    args, ops, fvals, fparts = g.args, g.ops, lin.values, lin.partials
    with mp.workdps(30):
        vals: dict[int, object] = {}
        tan: dict[int, object] = {input: mp.mpf(1)}
        for i in range(output + 1):
            if not need[i]:
                continue
            if ops[i] == "input":
                vals[i] = mp.mpf(fvals[i])
                continue
            xs = [vals[a] if a.__class__ is int else mp.mpf(a) for a in args[i]]
            value, parts = _forms(ops[i], len(xs))
            try:
                vals[i] = value(*xs) if value is not None else mp.mpf(fvals[i])
            except (ZeroDivisionError, ValueError, TypeError, OverflowError):
                return None
            if not on[i] or i == input:
                continue
            total = mp.mpf(0)
            for k in g.in_edges(i):
                s = g.edge_src[k]
                if s not in tan:
                    continue
                d = _partial(mp, parts[g.edge_arg[k]], xs, fparts[k], PRIMITIVES[ops[i]].kink is not None)
                if d is None:
                    return mp.nan
                total += tan[s] * d
            tan[i] = total
        return tan.get(output, mp.mpf(0))


def _partial(mp, form, xs, float_partial: float, kinked: bool):
    """One edge's partial in mpmath: the float64 one where it is a normal number (or the primitive has a kink,
    whose convention the table sets), else from the form; None where it has no value."""
    if math.isfinite(float_partial) and (kinked or abs(float_partial) >= 2.2250738585072014e-308):
        return mp.mpf(float_partial)
    if form is not None:
        try:
            d = form(*xs)
            if isinstance(d, complex) or (hasattr(d, "imag") and d.imag != 0):
                raise ValueError
            return mp.mpf(d.real if hasattr(d, "real") else d)
        except (ZeroDivisionError, ValueError, TypeError, OverflowError, AttributeError):
            pass
    if math.isfinite(float_partial):
        return mp.mpf(float_partial)
    return mp.inf if float_partial == math.inf else (-mp.inf if float_partial == -math.inf else None)


TINY = 2.2250738585072014e-308  # the smallest normal double


def _underflows(lin: Linearization) -> list[int]:
    """Edges whose partial is zero or subnormal although its primitive is smooth: a factor float64 may have
    rounded to (nearly) nothing on the way, such as atan′(1e165) = 4e-331."""
    g = lin.graph
    out = []
    for k, p in enumerate(lin.partials):
        if -TINY < p < TINY and PRIMITIVES[g.ops[g.edge_dst[k]]].kink is None:
            out.append(k)
    return out


def _suspect(g, o: int, i: int, edges: list[int]) -> bool:
    """Whether an edge of ``edges`` lies on a path from ``i`` to ``o``."""
    if not edges:
        return False
    behind, ahead = ancestors(g, o), descendants(g, i, o)
    return any(ahead[g.edge_src[k]] and behind[g.edge_dst[k]] for k in edges)


def _gradual(g, jacobian: dict, sweeps) -> set[tuple[int, int]]:
    """Entries whose sweep went through a subnormal derivative (a product that lost bits to gradual underflow
    on the way, though the entry itself is an ordinary number): (output, input) pairs."""
    out: set[tuple[int, int]] = set()
    for s in sweeps:
        low = [v for v, d in s.derivatives.items() if d and -TINY < d < TINY]
        if not low:
            continue
        if s.seed in jacobian:  # a reverse sweep from an output: the inputs behind the low nodes
            behind = ancestors(g, low)
            out.update((s.seed, i) for i in jacobian[s.seed] if behind[i])
        else:  # a forward sweep from an input: the outputs ahead of them
            ahead = descendants(g, low)
            out.update((o, s.seed) for o in jacobian if ahead[o])
    return out


def settle(lin: Linearization, jacobian: dict[int, dict[int, float]], sweeps=()) -> list[Diagnostic]:
    """Apply the rule to every entry of ``jacobian`` (``{output: {input: value}}``, changed in place, and the
    same entry of the ``sweeps`` that computed it) that float64 could not carry: NaN or infinite; zero or
    subnormal with an underflowed partial on the way; or reached through a subnormal derivative. Recompute
    it, and where the answer is finite take it, with a warning where it changed beyond rounding."""
    g = lin.graph
    names, out = g.names, []
    done = 0
    under: list[int] | None = None
    small = len(g) <= MAX_NODES  # the checks below cost passes over the graph: only where recomputing can
    lossy = _gradual(g, jacobian, sweeps) if small else set()
    for o, row in jacobian.items():
        for i, v in row.items():
            if math.isfinite(v) and (o, i) not in lossy:
                if abs(v) >= TINY or not small:
                    continue
                if under is None:
                    under = _underflows(lin)
                if not _suspect(g, o, i, under):
                    continue
            done += 1
            if done > MAX_ENTRIES:
                return out
            exact = recompute(lin, o, i)
            if exact is None or not _finite(_mp(), exact):
                continue
            new = float(exact)
            if new == v:
                continue
            row[i] = new
            for s in sweeps:
                if s.seed in (o, i) and (i if s.seed == o else o) in s.derivatives:
                    s.derivatives[i if s.seed == o else o] = new
            if math.isfinite(v) and abs(new - v) <= 16 * 2.220446049250313e-16 * abs(new):
                continue  # only rounding: no warning
            why = "underflowed" if math.isfinite(v) else "overflowed or underflowed"
            out.append(Diagnostic(names[o], g.lines[o], g.cols[o],
                                  f"{partial(names[o], names[i])} is {'NaN' if v != v else fmt_num(v)} in float64, "
                                  f"which {why} on the way; recomputed with an unbounded exponent, it is "
                                  f"{fmt_num(new)}"))
    return out
