"""What the full Jacobian costs by forward mode, reverse mode and the sum over paths, counted from the
graph's structure without computing a number (the essay's "computational victories").

Counting rules (the same as the sweeps in forward.py and reverse.py perform):

* a sweep visits the part of the graph its seed reaches: the descendants of an input (forward), the
  ancestors of an output (reverse);
* it multiplies once per edge it visits and adds once per contribution beyond the first arriving at a node;
* summing over paths costs k − 1 multiplications for a path of k edges and P − 1 additions for P paths.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .grad import Operations
from .graph import Graph
from .paths import path_lengths

#: Up to this many seeds, reachability is counted with one pass of bitsets; above it, one traversal a seed.
BITSET_SEEDS = 4096


@dataclass(frozen=True)
class Cost:
    graph: Graph
    inputs: list[int]
    outputs: list[int]
    forward: Operations
    reverse: Operations
    paths: Operations
    path_count: int  # paths from the inputs to the outputs, over all pairs
    connected_pairs: int  # (input, output) pairs joined by at least one path

    def modes(self) -> dict[str, Operations]:
        return {"forward": self.forward, "reverse": self.reverse, "paths": self.paths}

    def cheapest(self) -> str:
        """The factored mode (reverse or forward) with the fewest operations, ties going to fewer sweeps and
        then to reverse; the naive sum over paths only when it takes strictly fewer operations and more than
        none (so that every other mode's ratio to the cheapest is finite)."""
        best = min(("reverse", "forward"), key=lambda m: (self.modes()[m].total, self.modes()[m].sweeps))
        if 0 < self.paths.total < self.modes()[best].total:
            return "paths"
        return best


def _side(g: Graph, seeds: list[int], forward: bool, progress) -> Operations:
    """Total multiplications and additions of one sweep per seed."""
    n = len(g)
    src, dst = g.edge_src, g.edge_dst
    E = g.n_edges
    mults = 0
    reached = 0  # Σ over seeds of the nodes reached, seeds excluded
    if not seeds:
        return Operations()
    if len(seeds) <= BITSET_SEEDS:
        bits = [0] * n
        for b, s in enumerate(seeds):
            bits[s] |= 1 << b
        if forward:
            for k in range(g.edge_start[min(seeds) + 1], E):
                b = bits[src[k]]
                if b:
                    mults += b.bit_count()
                    bits[dst[k]] |= b
        else:
            for k in range(g.edge_start[max(seeds) + 1] - 1, -1, -1):
                b = bits[dst[k]]
                if b:
                    mults += b.bit_count()
                    bits[src[k]] |= b
        reached = sum(b.bit_count() for b in bits if b) - len(seeds)
    else:
        import heapq

        out = g.out_edges() if forward else None
        start = g.edge_start
        for c, s in enumerate(seeds):
            seen = {s}
            heap = [s if forward else -s]
            while heap:
                v = heapq.heappop(heap)
                v = v if forward else -v
                ks = out[v] if forward else range(start[v], start[v + 1])
                for k in ks:
                    w = dst[k] if forward else src[k]
                    mults += 1
                    if w not in seen:
                        seen.add(w)
                        heapq.heappush(heap, w if forward else -w)
            reached += len(seen) - 1
            if progress and (c + 1) % 10000 == 0:
                progress(c + 1, len(seeds))
    return Operations(len(seeds), mults, mults - reached)


def cost(g: Graph, inputs: list[int] | None = None, outputs: list[int] | None = None,
         progress: Callable[[int, int], None] | None = None) -> Cost:
    """Operation counts of the full Jacobian in each mode.

    >>> from graphdiff import loads
    >>> c = cost(loads("c = a + b; d = b + 1; e = c * d"))
    >>> c.reverse, c.forward
    (Operations(sweeps=1, multiplications=5, additions=1), Operations(sweeps=2, multiplications=6, additions=1))
    """
    ins = list(g.inputs if inputs is None else inputs)
    outs = list(g.outputs if outputs is None else outputs)
    fwd = _side(g, ins, True, progress)
    rev = _side(g, outs, False, progress)
    # Paths: counts and lengths from all inputs at once; pairs joined by a path from the reverse bitsets.
    n_paths, lengths = path_lengths(g, ins)
    in_set = set(ins)
    ends = [o for o in set(outs) if o not in in_set]
    P = sum(n_paths[o] for o in ends)
    L = sum(lengths[o] for o in ends)
    pairs = _connected_pairs(g, ins, outs)
    paths = Operations(0, L - P, P - pairs)
    return Cost(g, ins, outs, fwd, rev, paths, P, pairs)


def _connected_pairs(g: Graph, ins: list[int], outs: list[int]) -> int:
    """How many (input, output) pairs a path joins, with bitsets over the smaller side."""
    small, forward = (ins, True) if len(ins) <= len(outs) else (outs, False)
    other = set(outs if forward else ins)
    if len(small) > BITSET_SEEDS:  # both sides huge: one traversal per seed, over neighbour lists made once
        nxt = g.successors() if forward else [[g.edge_src[k] for k in g.in_edges(v)] for v in range(len(g))]
        total = 0
        for s in small:
            total += sum(1 for v in _reachable(nxt, s) if v in other and v != s)
        return total
    bits = [0] * len(g)
    for b, s in enumerate(small):
        bits[s] |= 1 << b
    src, dst = g.edge_src, g.edge_dst
    rng = range(g.n_edges) if forward else range(g.n_edges - 1, -1, -1)
    for k in rng:
        a, b = (src[k], dst[k]) if forward else (dst[k], src[k])
        if bits[a]:
            bits[b] |= bits[a]
    return sum(bits[v].bit_count() for v in other) - len(set(small) & other)  # no (x, x) pairs


def _reachable(nxt: list[list[int]], s: int) -> set[int]:
    """The nodes reachable from ``s`` along ``nxt`` (successors, or predecessors), ``s`` included."""
    seen = {s}
    stack = [s]
    while stack:
        for w in nxt[stack.pop()]:
            if w not in seen:
                seen.add(w)
                stack.append(w)
    return seen
