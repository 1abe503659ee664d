"""Forward-mode accumulation: from one input towards the outputs, ∂node/∂input for every node it reaches."""
from __future__ import annotations

import heapq
from typing import Sequence

from .evaluate import Linearization
from .graph import Graph
from .paths import reach_chunk, reach_counts
from .reverse import Sweep


def out_edges(lin: Linearization) -> list[list[int]]:
    """Edges leaving each node, cached on the linearization's graph."""
    g = lin.graph
    out = g.__dict__.get("_out_edges")
    if out is None:
        out = g.__dict__["_out_edges"] = g.out_edges()
    return out


def forward_sweep(lin: Linearization, input: int, out: list[list[int]] | None = None) -> Sweep:
    """∂node/∂input for every descendant of ``input`` (and 1 for the input itself).

    >>> from graphdiff import loads, linearize
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> s = forward_sweep(linearize(g, {"a": 2, "b": 1}), g.node("b"))
    >>> {g.names[i]: d for i, d in sorted(s.derivatives.items())}, s.multiplications, s.additions
    ({'b': 1.0, 'c': 1.0, 'd': 1.0, 'e': 5.0}, 4, 1)
    """
    g = lin.graph
    if out is None:
        out = out_edges(lin)
    dst, part = g.edge_dst, lin.partials
    tan = {input: 1.0}
    heap = [input]
    mults = 0
    while heap:
        s = heapq.heappop(heap)
        ts = tan[s]
        for k in out[s]:
            d = dst[k]
            mults += 1
            if d in tan:
                tan[d] += ts * part[k]
            else:
                tan[d] = ts * part[k]
                heapq.heappush(heap, d)
    return Sweep(input, tan, mults, mults - (len(tan) - 1))


def forward_visits(g: Graph, seeds: Sequence[int], budget: int | None = None) -> int | None:
    """The edges that one forward sweep from each of ``seeds`` visits, in all (= their multiplications),
    counted from the structure without a number (:func:`~graphdiff.paths.reach_counts`, a few thousand seeds
    a pass). Returns None, without counting, when those passes would take more than ``budget`` edge steps
    (very many seeds on a large graph).

    >>> from graphdiff import loads
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> forward_visits(g, g.inputs)
    6
    """
    order = sorted(set(seeds))
    chunk = reach_chunk(len(g))
    chunks = [order[c:c + chunk] for c in range(0, len(order), chunk)]
    E, start = g.n_edges, g.edge_start
    if budget is not None and sum(E - start[c[0] + 1] for c in chunks) > budget:
        return None
    return sum(reach_counts(g, c)[0] for c in chunks)
