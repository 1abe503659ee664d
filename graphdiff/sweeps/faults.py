"""Numeric faults traced to their source.

A NaN or infinite *value* is named by :mod:`graphdiff.evaluate` at the first node where it appears. A NaN or
infinite *derivative* needs more: the node where it enters the accumulation (an edge whose partial is not
finite, such as ``sqrt(x)`` at ``x = 0``, or a product of finite factors that overflows) and the path through
which it reaches the output. :func:`derivative_faults` finds both, iteratively (no recursion), in time linear
in the graph per output.

>>> from graphdiff import loads
>>> g = loads("input x = 0; r = sqrt(x); s = r * 2; loss = s + 1")
>>> lin = linearize_for_derivatives(g, ieee=True)
>>> f = derivative_fault(lin, g.node("loss"), g.node("x"))
>>> print(f.message)
∂loss/∂x is inf: it enters at node 'r' (line 1), where the partial ∂r/∂x = inf at x = 0 (sqrt(x) is not differentiable there), and reaches the output through r → s → loss
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from .accumulate import adjoints
from ..base.errors import ComputeError, Diagnostic
from .evaluate import Linearization, evaluate, linearize
from ..language.graph import Graph
from ..base.notation import all_finite, fmt_num, partial
from .reach import descendants

#: Paths longer than this many nodes are shown as their first and last few nodes.
SHOWN_PATH = 12


@dataclass(frozen=True)
class DerivativeFault:
    """∂output/∂input is NaN or infinite: where it enters and how it reaches the output.

    ``node`` is where it enters (the target of ``edge``); ``path`` runs from ``node`` to ``output``.
    ``edge`` is None when no entry edge could be found (the derivative was not finite for another reason).
    """

    output: int
    input: int
    value: float
    node: int
    edge: int | None
    path: list[int]
    message: str

    def diagnostic(self, g: Graph) -> Diagnostic:
        return Diagnostic(g.names[self.node], g.lines[self.node], g.cols[self.node], self.message)

    def to_dict(self, g: Graph) -> dict:
        """The fault as JSON: where it enters (node, line, col), the message, the pair and the path."""
        out = self.diagnostic(g).to_dict()
        out.update(output=g.names[self.output], input=g.names[self.input], path=[g.names[i] for i in self.path])
        return out

    def error(self, g: Graph) -> ComputeError:
        return ComputeError(self.message, g.lines[self.node], g.cols[self.node], source=g.source,
                            node=g.names[self.node]).locate(g.source, g.text)


def linearize_for_derivatives(g: Graph, inputs: Mapping[str, float] | None = None, *,
                              ieee: bool = False) -> Linearization:
    """Values and partials, keeping non-finite partials so that the derivatives they reach can be traced.

    A NaN or infinite *value* still raises as :func:`~graphdiff.evaluate.evaluate` does unless ``ieee``.
    Without ``ieee``, a non-finite partial becomes a warning: it is an error only if it reaches a derivative
    that is asked for, which :func:`derivative_faults` then explains.
    """
    lin = linearize(g, inputs, ieee=True)
    if ieee:
        return lin
    if not all_finite(lin.values):
        evaluate(g, inputs)  # raises the first value fault, named with its node and line
        d = lin.faults[0]  # pragma: no cover - evaluate always raises here
        raise ComputeError(d.message, d.line, d.col, source=g.source, node=d.node).locate(g.source, g.text)
    lin.warnings.extend(lin.faults)
    lin.faults.clear()
    return lin


def _path_to(g: Graph, start: int, output: int, reach: bytearray) -> list[int]:
    """One path from ``start`` to ``output`` through ancestors of ``output`` (the first out-edge each time)."""
    out = g.outgoing
    path = [start]
    cur = start
    while cur != output:
        cur = next(w for w in out.heads[out.start[cur]:out.start[cur + 1]] if reach[w])
        path.append(cur)
    return path


def path_text(g: Graph, path: list[int]) -> str:
    names = [g.names[i] for i in path]
    if len(names) > SHOWN_PATH:
        half = SHOWN_PATH // 2 - 1
        names = names[:half] + [f"… ({len(path) - 2 * half} more nodes) …"] + names[-half:]
    return " → ".join(names)


def _kind(v: float) -> str:
    return "NaN" if v != v else fmt_num(v)


def derivative_fault(lin: Linearization, output: int, input: int, *, value: float | None = None,
                     _cache: dict | None = None) -> DerivativeFault:
    """Explain why ∂output/∂input is not finite (``value``, default: recomputed by a reverse sweep)."""
    g = lin.graph
    cache = {} if _cache is None else _cache
    if output not in cache:
        adj, reach = adjoints(lin, output)  # as reverse mode computes them (IEEE: 0 · inf is NaN)
        cache[output] = (reach, adj)
    reach, adj = cache[output]
    if value is None:
        value = adj[input]
    desc = descendants(g, input)
    src, dst, part, vals = g.edge_src, g.edge_dst, lin.partials, lin.values
    entry = None
    for k in range(g.edge_start[input + 1], g.edge_start[output + 1]):
        d = dst[k]
        if reach[d] and desc[src[k]] and math.isfinite(adj[d]) and not math.isfinite(adj[d] * part[k]):
            entry = k
            break  # edges are stored by target in topological order: the first is the earliest node
    names = g.names
    what = f"{partial(names[output], names[input])} is {_kind(value)}"
    if entry is None:
        return _cancelling(lin, output, input, value, what, reach, adj, desc)
    s, d = src[entry], dst[entry]
    path = _path_to(g, d, output, reach)
    p = part[entry]
    if math.isfinite(p):
        why = (f"where {partial(names[output], names[d])} · {partial(names[d], names[s])} = {fmt_num(adj[d])} · "
               f"{fmt_num(p)} overflows")
    else:
        why = f"where the partial {partial(names[d], names[s])} = {_kind(p)} at {names[s]} = {fmt_num(vals[s])}"
        if math.isfinite(vals[d]):
            why += f" ({g.texts[d]} is not differentiable there)"
        else:
            why += f" (its value {g.texts[d]} = {_kind(vals[d])})"
        if adj[d] == 0:
            why += f", times {partial(names[output], names[d])} = 0: 0 · {_kind(p)} has no value"
    msg = f"{what}: it enters at node '{names[d]}' (line {g.lines[d]}), {why}"
    msg += f", and reaches the output through {path_text(g, path)}" if len(path) > 1 else \
        ", which is the output itself"
    return DerivativeFault(output, input, value, d, entry, path, msg)


def _cancelling(lin: Linearization, output: int, input: int, value: float, what: str, reach, adj, desc
                ) -> DerivativeFault:
    """A non-finite derivative no single edge brings in: the node where infinite contributions of opposite
    signs meet (inf - inf has no value), or, when reverse mode's own numbers are finite (the fault is in
    another mode's order of products), that float64 overflowed on the way and no recomputation settled it."""
    g = lin.graph
    names, part, out = g.names, lin.partials, g.outgoing
    for v in range(output - 1, input - 1, -1):
        if not (reach[v] and desc[v]) or adj[v] == adj[v]:
            continue
        terms = [(g.edge_dst[k], adj[g.edge_dst[k]] * part[k]) for k in out.of(v) if reach[g.edge_dst[k]]]
        if all(t == t for _, t in terms):  # each contribution has a value, their sum has none
            pos = next((w for w, t in terms if t == math.inf), None)
            neg = next((w for w, t in terms if t == -math.inf), None)
            how = (f"through {names[pos]} and -inf through {names[neg]}" if pos is not None and neg is not None
                   else "from its uses")
            path = _path_to(g, v, output, reach)
            msg = (f"{what}: it arises at node '{names[v]}' (line {g.lines[v]}), where {partial(names[output], names[v])} "
                   f"sums +inf {how}: inf - inf has no value")
            return DerivativeFault(output, input, value, v, None, path, msg)
    return DerivativeFault(output, input, value, output, None, [output],
                           f"{what}: float64 overflowed on the way, and the same derivative recomputed with an "
                           f"unbounded exponent has no value either (or could not be recomputed)")


def derivative_faults(lin: Linearization, jacobian: Mapping[int, Mapping[int, float]],
                      limit: int = 20) -> list[DerivativeFault]:
    """One :class:`DerivativeFault` for each of the first ``limit`` non-finite entries of ``jacobian``
    (``{output: {input: value}}``), in output then input order."""
    out: list[DerivativeFault] = []
    cache: dict = {}
    for o, row in jacobian.items():
        for i, v in row.items():
            if not math.isfinite(v):
                out.append(derivative_fault(lin, o, i, value=v, _cache=cache))
                if len(out) >= limit:
                    return out
        cache.pop(o, None)
    return out
