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
from .paths import path_lengths, reach_chunk, reach_counts

#: Counting passes stop after scanning about this many edges (some seconds) and scale what they counted, over
#: seeds taken in a shuffled order, to all of them: an estimate, and the report says so. ``budget=None``
#: (``graphdiff cost --exact``) counts every sweep, which for a chain of 10^6 steps with an input at each
#: means thousands of passes over its 5·10^6 edges.
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
    """Total multiplications and additions of one sweep per seed, and how many sweeps were counted: all of
    them, a few thousand seeds a pass (:func:`~graphdiff.paths.reach_counts`), unless the passes would scan
    more than ``budget`` edges; then passes over seeds taken at random (a fixed seed) until the budget is
    spent, and the totals scaled up from them."""
    seeds = sorted(set(seeds))
    if not seeds:
        return Operations(), 0
    chunk = reach_chunk(len(g))
    E, start = g.n_edges, g.edge_start

    def scan(c: list[int]) -> int:  # the edges one pass over the seeds c scans
        return E - start[c[0] + 1] if forward else start[c[-1] + 1]

    chunks = [seeds[c:c + chunk] for c in range(0, len(seeds), chunk)]
    exact = budget is None or sum(map(scan, chunks)) <= budget
    if not exact:  # a fair sample: passes over seeds in a shuffled order
        import random

        shuffled = random.Random(0).sample(seeds, len(seeds))
        chunks = [sorted(shuffled[c:c + chunk]) for c in range(0, len(shuffled), chunk)]
    mults = reached = counted = scanned = 0
    for n, c in enumerate(chunks):
        v, r = reach_counts(g, c, forward)
        mults, reached, counted = mults + v, reached + r, counted + len(c)
        scanned += scan(c)
        if progress:
            progress(n + 1, len(chunks))
        if not exact and scanned > budget and counted < len(seeds):
            if progress:
                progress(len(chunks), len(chunks))  # done: clears the progress line
            mults, reached = round(mults * len(seeds) / counted), round(reached * len(seeds) / counted)
            return Operations(len(seeds), mults, mults - reached), counted
    return Operations(len(seeds), mults, mults - reached), len(seeds)


def cost(g: Graph, inputs: list[int] | None = None, outputs: list[int] | None = None,
         progress: Callable[[int, int], None] | None = None, budget: int | None = COUNT_BUDGET) -> Cost:
    """Operation counts of the full Jacobian in each mode: exact, except where counting one mode's sweeps would
    scan more than ``budget`` edges; that mode's counts are then scaled up from a random sample of its sweeps
    (``Cost.counted`` says how many; ``budget=None`` counts everything).

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
    """How many (input, output) pairs a path joins: bitset passes over the smaller side, a few thousand seeds
    a pass (:func:`~graphdiff.paths.reach_chunk`), no (x, x) pairs."""
    small, forward = (sorted(set(ins)), True) if len(ins) <= len(outs) else (sorted(set(outs)), False)
    other = set(outs if forward else ins)
    src, dst, start = g.edge_src, g.edge_dst, g.edge_start
    chunk = reach_chunk(len(g))
    total = 0
    for c0 in range(0, len(small), chunk):
        seeds = small[c0:c0 + chunk]
        bits = [0] * len(g)
        for b, s in enumerate(seeds):
            bits[s] |= 1 << b
        if forward:
            for k in range(start[seeds[0] + 1], g.n_edges):
                if bits[src[k]]:
                    bits[dst[k]] |= bits[src[k]]
        else:
            for k in range(start[seeds[-1] + 1] - 1, -1, -1):
                if bits[dst[k]]:
                    bits[src[k]] |= bits[dst[k]]
        total += sum(bits[v].bit_count() for v in other) - len(set(seeds) & other)
    return total
