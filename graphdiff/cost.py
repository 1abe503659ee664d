"""What the full Jacobian costs by forward mode, reverse mode and the sum over paths, counted from the
graph's structure without computing a number (the essay's "computational victories").

Counting rules (the same as the sweeps in forward.py and reverse.py perform):

* a sweep visits the part of the graph its seed reaches: the descendants of an input (forward), the
  ancestors of an output (reverse);
* it multiplies once per edge it visits and adds once per contribution beyond the first arriving at a node;
* summing over paths costs k − 1 multiplications for a path of k edges and P − 1 additions for P paths.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .grad import Operations
from .graph import Graph
from .paths import path_lengths

#: Up to this many seeds, reachability is counted with one pass of bitsets; above it, one traversal a seed.
BITSET_SEEDS = 4096
#: One traversal a seed stops after about this many edge visits (a few seconds) and scales what it counted,
#: over seeds taken in a shuffled order, to all of them: an estimate, and the report says so. ``budget=None``
#: (``graphdiff cost --exact``) counts every sweep, which on a long chain with an input at every step is
#: ~10^12 visits.
COUNT_BUDGET = 20_000_000


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
    counted: dict[str, int] = field(default_factory=dict)  # mode -> sweeps counted, where fewer than all

    def exact(self, mode: str) -> bool:
        """Whether the counts of ``mode`` are exact (else scaled from ``counted[mode]`` of its sweeps)."""
        return mode not in self.counted

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


def _side(g: Graph, seeds: list[int], forward: bool, progress, budget: int | None) -> tuple[Operations, int]:
    """Total multiplications and additions of one sweep per seed, and how many sweeps were counted (fewer
    than all when the traversals passed ``budget`` edge visits: the totals are then scaled up)."""
    n = len(g)
    src, dst = g.edge_src, g.edge_dst
    E = g.n_edges
    mults = 0
    reached = 0  # Σ over seeds of the nodes reached, seeds excluded
    if not seeds:
        return Operations(), 0
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
        if budget is not None:  # a shuffled order, so that the sweeps counted before stopping are a fair sample
            import random

            seeds = random.Random(0).sample(seeds, len(seeds))
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
            if budget is not None and mults > budget and c + 1 < len(seeds):
                n_all, n_done = len(seeds), c + 1
                mults, reached = round(mults * n_all / n_done), round(reached * n_all / n_done)
                return Operations(n_all, mults, mults - reached), n_done
    return Operations(len(seeds), mults, mults - reached), len(seeds)


def cost(g: Graph, inputs: list[int] | None = None, outputs: list[int] | None = None,
         progress: Callable[[int, int], None] | None = None, budget: int | None = COUNT_BUDGET) -> Cost:
    """Operation counts of the full Jacobian in each mode: exact, except where more than 4,096 sweeps of one
    mode would visit more than ``budget`` edges in all; those are estimated from the sweeps counted so far
    (``Cost.counted``; ``budget=None`` counts everything).

    >>> from graphdiff import loads
    >>> c = cost(loads("c = a + b; d = b + 1; e = c * d"))
    >>> c.reverse, c.forward
    (Operations(sweeps=1, multiplications=5, additions=1), Operations(sweeps=2, multiplications=6, additions=1))
    """
    ins = list(g.inputs if inputs is None else inputs)
    outs = list(g.outputs if outputs is None else outputs)
    fwd, n_fwd = _side(g, ins, True, progress, budget)
    rev, n_rev = _side(g, outs, False, progress, budget)
    counted = {m: n for m, n, all_ in (("forward", n_fwd, len(ins)), ("reverse", n_rev, len(outs))) if n < all_}
    # Paths: counts and lengths from all inputs at once; pairs joined by a path from the reverse bitsets.
    n_paths, lengths = path_lengths(g, ins)
    in_set = set(ins)
    ends = [o for o in set(outs) if o not in in_set]
    P = sum(n_paths[o] for o in ends)
    L = sum(lengths[o] for o in ends)
    pairs = _connected_pairs(g, ins, outs)
    paths = Operations(0, L - P, P - pairs)
    return Cost(g, ins, outs, fwd, rev, paths, P, pairs, counted)


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
