"""Reverse-mode accumulation: from one output towards the inputs, ∂output/∂node for every node it reaches.

Follows autodidact's ``backward_pass``: walk the edges in reverse topological order and *add* each
contribution into the operand's slot, so reused nodes (``(x + x) * x``) get every path.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass

from .evaluate import Linearization


@dataclass(frozen=True)
class Sweep:
    """One accumulation sweep from ``seed``: ``derivatives`` maps each node index it reached to its
    derivative (∂seed/∂node in reverse mode, ∂node/∂seed in forward mode). A sweep multiplies once per edge
    it visits and adds once per contribution beyond the first that arrives at a node."""

    seed: int
    derivatives: dict[int, float]
    multiplications: int
    additions: int


def reverse_sweep(lin: Linearization, output: int, *, dense: bool = False) -> Sweep:
    """∂output/∂node for every ancestor of ``output`` (and 1 for the output itself).

    The sweep visits only the ancestors, in decreasing node order, through a heap. With ``dense=True`` it
    walks every edge below ``output`` once instead, with no heap and no dictionary in the loop (several
    times faster when most of the graph is an ancestor of ``output``); the result is the same.

    >>> from graphdiff import loads, linearize
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> s = reverse_sweep(linearize(g, {"a": 2, "b": 1}), g.node("e"))
    >>> {g.names[i]: d for i, d in sorted(s.derivatives.items())}, s.multiplications, s.additions
    ({'a': 2.0, 'b': 5.0, 'c': 2.0, 'd': 3.0, 'e': 1.0}, 5, 1)
    """
    g = lin.graph
    if dense:
        return _dense_sweep(lin, output)
    src, part, start = g.edge_src, lin.partials, g.edge_start
    adj = {output: 1.0}
    heap = [-output]
    mults = 0
    while heap:
        d = -heapq.heappop(heap)
        gd = adj[d]
        for k in range(start[d], start[d + 1]):
            s = src[k]
            mults += 1
            if s in adj:
                adj[s] += gd * part[k]
            else:
                adj[s] = gd * part[k]
                heapq.heappush(heap, -s)
    return Sweep(output, adj, mults, mults - (len(adj) - 1))


def _dense_sweep(lin: Linearization, output: int) -> Sweep:
    g = lin.graph
    src, dst, part = g.edge_src, g.edge_dst, lin.partials
    adj = [0.0] * (output + 1)
    seen = bytearray(output + 1)
    adj[output] = 1.0
    seen[output] = 1
    mults = 0
    for k in range(g.edge_start[output + 1] - 1, -1, -1):
        d = dst[k]
        if seen[d]:
            s = src[k]
            adj[s] += adj[d] * part[k]
            seen[s] = 1
            mults += 1
    reached = {i: adj[i] for i in range(output, -1, -1) if seen[i]}
    return Sweep(output, reached, mults, mults - (len(reached) - 1))


def gradient(lin: Linearization, output: int | None = None) -> list[float]:
    """∂output/∂node for *every* node as a dense list, in one sweep over the edges (the fast path).

    ``output`` defaults to the graph's only output.
    """
    g = lin.graph
    if output is None:
        if len(g.outputs) != 1:
            raise ValueError(f"the graph has {len(g.outputs)} outputs; name one")
        output = g.outputs[0]
    n = len(g)
    adj = [0.0] * n
    adj[output] = 1.0
    end = g.edge_start[output + 1]
    src, dst, part = g.edge_src, g.edge_dst, lin.partials
    for k in range(end - 1, -1, -1):
        gd = adj[dst[k]]
        if gd:
            adj[src[k]] += gd * part[k]
    return adj
