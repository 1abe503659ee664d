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
import time

from ..base.errors import Diagnostic
from .evaluate import Linearization
from ..base.notation import fmt_num, partial
from ..codegen.compile import mp_functions
from ..primitives import PRIMITIVES
from .accumulate import accumulate
from .reach import ancestors, descendants

#: The most nodes a recomputation walks (its time is about 50 µs a node).
MAX_NODES = 20_000
#: The most non-finite entries of one Jacobian recomputed.
MAX_ENTRIES = 200
#: The largest magnitude (in bits: about 10^3010) a recomputation carries into a function: beyond it a periodic
#: function's argument reduction would need every digit of the number (cos(exp(exp(exp(3)))) needs 2·10^8 digits
#: of pi), so the derivative stays as float64 gave it, and a warning says why.
MAX_BITS = 10_000
#: The seconds the recomputations of one command may take in all; the entries left stay as float64 gave them.
MAX_SECONDS = 5.0


class Beyond(Exception):
    """A value on the way is beyond :data:`MAX_BITS` in magnitude (``node`` is where it meets a function)."""

    def __init__(self, node: int):
        super().__init__(node)
        self.node = node


def _mp():
    try:
        import mpmath
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return mpmath


def _real(mp, v):
    """``v`` as an mpmath real, or None where it has no real value (a complex result)."""
    if isinstance(v, mp.mpc):
        if v.imag != 0:
            return None
        v = v.real
    return mp.mpf(v)


def recompute(lin: Linearization, output: int, input: int):
    """∂output/∂input with 30 digits and an unbounded exponent, as an mpmath number; None when it cannot be
    had (too many nodes on the way, no mpmath, a value that has none); raises :class:`Beyond` where a value on
    the way is too large to carry into a function in bounded time. Values come from each row's mpmath leaf
    and partials from its formula texts compiled to mpmath (:func:`graphdiff.codegen.compile.mp_functions`),
    so the conventions at kinks and ties are the table's own; the derivative is the accumulation sweep over
    mpmath numbers."""
    mp = _mp()
    if mp is None:
        return None
    g = lin.graph
    need = ancestors(g, output)
    if sum(need) > MAX_NODES:
        return None
    on = descendants(g, input, output)
    with mp.workdps(30):
        weights = _weights(mp, lin, need, on)
        if weights is None:
            return None
        tangent = [mp.mpf(0)] * (output + 1)
        tangent[input] = mp.mpf(1)
        src, dst = g.edge_src, g.edge_dst
        edges = [k for k in range(g.edge_start[input + 1], g.edge_start[output + 1])
                 if on[src[k]] and on[dst[k]] and need[dst[k]]]
        if any(weights[k] is None for k in edges):
            return mp.nan
        return accumulate(g, tangent, weights, edges, forward=True, skip_zero=False)[output]


def _weights(mp, lin: Linearization, need: bytearray, on: bytearray) -> dict | None:
    """Every node's value in mpmath where ``need`` says, and the partial of every edge into an ``on`` node: the
    float64 partial where it is a normal double (exact enough), else the formula text's in mpmath (None where
    it has no value). None when a value has none."""
    g = lin.graph
    args, ops, fvals, fparts = g.args, g.ops, lin.values, lin.partials
    vals: dict[int, object] = {}
    weights: dict[int, object] = {}
    for i in range(len(need)):
        if not need[i]:
            continue
        if ops[i] == "input":
            vals[i] = mp.mpf(fvals[i])
            continue
        xs = [vals[a] if a.__class__ is int else mp.mpf(a) for a in args[i]]
        if any(x and mp.mag(x) > MAX_BITS for x in xs):
            raise Beyond(i)
        value, parts = mp_functions(PRIMITIVES[ops[i]], len(xs))
        try:
            v = _real(mp, value(xs)) if value is not None else mp.mpf(fvals[i])
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None
        if v is None:
            return None
        vals[i] = v
        if not on[i]:
            continue
        exact = None
        for k in g.in_edges(i):
            p = fparts[k]
            if math.isfinite(p) and abs(p) >= TINY:
                weights[k] = mp.mpf(p)
                continue
            if exact is None:
                exact = _partials(mp, parts, xs, v) or []
            d = exact[g.edge_arg[k]] if exact else None
            if d is None and math.isfinite(p):
                d = mp.mpf(p)
            elif d is None and p in (math.inf, -math.inf):
                d = mp.inf if p > 0 else -mp.inf
            weights[k] = d
    return weights


def _partials(mp, parts, xs, y) -> list | None:
    """Every partial of one node in mpmath from its formula texts (None where one has no real value)."""
    if parts is None:
        return None
    try:
        out = parts(xs, y)
    except (ZeroDivisionError, ValueError, TypeError, OverflowError):
        return None
    return [_real(mp, d) for d in out]


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
    start, late = time.monotonic(), 0
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
            if time.monotonic() - start > MAX_SECONDS:
                late += not math.isfinite(v)
                continue
            shown = f"{partial(names[o], names[i])} is {'NaN' if v != v else fmt_num(v)} in float64"
            try:
                exact = recompute(lin, o, i)
            except Beyond as b:
                out.append(Diagnostic(names[o], g.lines[o], g.cols[o],
                                      f"{shown}; not recomputed with an unbounded exponent: an operand of "
                                      f"'{names[b.node]}' (line {g.lines[b.node]}) is beyond 2^{MAX_BITS:,} in "
                                      f"magnitude, too large to carry into a function in bounded time",
                                      kind="unbounded"))
                continue
            if exact is None or not _mp().isfinite(exact):
                continue
            new = float(exact)
            if new == v:
                continue
            row[i] = new
            for s in sweeps:
                if s.seed in (o, i) and (i if s.seed == o else o) in s.derivatives:
                    s.correct(i if s.seed == o else o, new)
            if math.isfinite(v) and abs(new - v) <= 16 * 2.220446049250313e-16 * abs(new):
                continue  # only rounding: no warning
            why = "underflowed" if math.isfinite(v) else "overflowed or underflowed"
            out.append(Diagnostic(names[o], g.lines[o], g.cols[o],
                                  f"{shown}, which {why} on the way; recomputed with an unbounded exponent, it is "
                                  f"{fmt_num(new)}", kind="recomputed"))
    if late:
        o = next(iter(jacobian))
        out.append(Diagnostic(names[o], g.lines[o], g.cols[o],
                              f"{late:,} NaN or infinite derivative{'s' * (late != 1)} not recomputed: the "
                              f"recomputation's {MAX_SECONDS:g} s were spent", kind="unbounded"))
    return out
