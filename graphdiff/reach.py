"""Reachability: which nodes a sweep reaches, and how many edges the sweeps of many seeds visit.

One home for every "mark the ancestors" and "mark the descendants" pass of graphdiff: paths, cost, grad,
check, faults and draw all call these. Each pass walks the edges once in (reverse) topological order, so
nothing recurses and a pass costs time linear in the edges it scans.

Counting the work of one sweep per seed (:func:`sweep_counts`) is the one question here without a linear
answer in general: it is the number of (seed, edge) pairs with the edge reachable from the seed. Two exact
methods, and the cheaper one is used:

* a traversal per seed costs exactly the edges the sweeps visit (``sum(x)`` over 10^6 inputs: 10^6);
* bitset passes (:func:`reach_counts`) cost one scan of the edges per :func:`reach_chunk` seeds, whatever
  the sweeps visit (a chain with an input at every step: far fewer steps than its 10^11 visits).

Only when both would take more than a budget of edge steps are the sweeps of a random sample counted and
scaled up (an estimate, which the result says it is).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from itertools import chain
from typing import Callable, Iterable, Iterator, Sequence

from .graph import Graph

#: Edge steps a count may take before it estimates instead (about some seconds of Python).
COUNT_BUDGET = 20_000_000


def _seeds(seeds: int | Iterable[int]) -> list[int]:
    return [seeds] if isinstance(seeds, int) else list(seeds)


def ancestors(g: Graph, targets: int | Iterable[int], floor: int = -1) -> bytearray:
    """1 for each of ``targets`` and every node with a path to one of them (one backward pass over the edges).
    Only edges into nodes above ``floor`` are followed (paths from ``floor`` on need no more).

    >>> from graphdiff import loads
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> list(ancestors(g, g.node("d")))
    [0, 1, 0, 1, 0]
    """
    ts = _seeds(targets)
    reach = bytearray(len(g))
    if not ts:
        return reach
    for t in ts:
        reach[t] = 1
    src, dst = g.edge_src, g.edge_dst
    for k in range(g.edge_start[max(ts) + 1] - 1, g.edge_start[floor + 1] - 1, -1):
        if reach[dst[k]]:
            reach[src[k]] = 1
    return reach


def descendants(g: Graph, sources: int | Iterable[int], ceiling: int | None = None) -> bytearray:
    """1 for each of ``sources`` and every node one of them has a path to (one forward pass over the edges).
    Only nodes up to ``ceiling`` are marked (paths up to ``ceiling`` need no more).

    >>> from graphdiff import loads
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> list(descendants(g, g.node("a")))
    [1, 0, 1, 0, 1]
    """
    ss = _seeds(sources)
    reach = bytearray(len(g))
    if not ss:
        return reach
    for s in ss:
        reach[s] = 1
    src, dst = g.edge_src, g.edge_dst
    end = g.n_edges if ceiling is None else g.edge_start[ceiling + 1]
    for k in range(g.edge_start[min(ss) + 1], end):
        if reach[src[k]]:
            reach[dst[k]] = 1
    return reach


def edges_between(g: Graph, source: int, target: int) -> list[int]:
    """The edges on at least one path from ``source`` to ``target``, without enumerating the paths: an edge
    is on a path iff ``source`` reaches its tail and its head reaches ``target``. Increasing order.

    >>> from graphdiff import loads
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> edges_between(g, g.node("b"), g.node("e"))
    [1, 2, 3, 4]
    """
    if source >= target:
        return []
    ahead, behind = descendants(g, source, target), ancestors(g, target, source)
    src, dst = g.edge_src, g.edge_dst
    return [k for k in range(g.edge_start[source + 1], g.edge_start[target + 1]) if ahead[src[k]] and behind[dst[k]]]


def reach_chunk(n_nodes: int) -> int:
    """How many seeds :func:`reach_counts` takes in one pass: 4,096, fewer on very large graphs so that the
    bitsets (one integer a node) stay under about 64 MB."""
    return max(64, min(4096, (1 << 29) // max(n_nodes, 1)))


def _bitsets(g: Graph, seeds: Sequence[int], forward: bool) -> tuple[list[int], int]:
    """For every node, the set of ``seeds`` (as the bits of an integer, bit b for seeds[b]) that reach it
    (forward: by a path from the seed; else: the seeds it has a path to), and the edges the seeds' sweeps
    visit in all."""
    bits = [0] * len(g)
    for b, s in enumerate(seeds):
        bits[s] |= 1 << b
    src, dst, start = g.edge_src, g.edge_dst, g.edge_start
    visits = 0
    if forward:
        for k in range(start[min(seeds) + 1], g.n_edges):
            b = bits[src[k]]
            if b:
                visits += b.bit_count()
                bits[dst[k]] |= b
    else:
        for k in range(start[max(seeds) + 1] - 1, -1, -1):
            b = bits[dst[k]]
            if b:
                visits += b.bit_count()
                bits[src[k]] |= b
    return bits, visits


def reach_counts(g: Graph, seeds: Sequence[int], forward: bool = True) -> tuple[int, int]:
    """For one sweep from each of ``seeds`` (forward: towards the outputs; else towards the inputs), the edges
    visited and the nodes reached (seeds excluded), in all: one pass over the edges, each node holding the set
    of seeds that reach it as the bits of an integer. Seeds must be distinct; callers bound their number
    with :func:`reach_chunk`.

    >>> from graphdiff import loads
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> reach_counts(g, g.inputs), reach_counts(g, g.outputs, forward=False)
    ((6, 5), (5, 4))
    """
    if not seeds:
        return 0, 0
    bits, visits = _bitsets(g, seeds, forward)
    return visits, sum(b.bit_count() for b in bits if b) - len(seeds)


def connected_pairs(g: Graph, inputs: Sequence[int], outputs: Sequence[int]) -> int:
    """How many (input, output) pairs, input ≠ output, a path joins: bitset passes over the smaller side."""
    ins, outs = sorted(set(inputs)), sorted(set(outputs))
    forward = len(ins) <= len(outs)
    small, other = (ins, outs) if forward else (outs, ins)
    chunk = reach_chunk(len(g))
    total = 0
    for c in range(0, len(small), chunk):
        seeds = small[c:c + chunk]
        bits, _ = _bitsets(g, seeds, forward)
        total += sum(bits[v].bit_count() for v in other) - len(set(seeds).intersection(other))
    return total


@dataclass(frozen=True)
class SweepCount:
    """What one sweep per seed costs in all: ``visits`` edges (one multiplication each) and ``reached`` nodes
    other than the seeds (so ``visits - reached`` additions). Exact when ``counted == sweeps``; otherwise
    scaled up from ``counted`` sweeps taken at random."""

    sweeps: int
    visits: int
    reached: int
    counted: int

    @property
    def exact(self) -> bool:
        return self.counted == self.sweeps


def _traverse(g: Graph, seeds: Iterable[int], n_seeds: int, forward: bool, cap: float,
              progress: Callable[[int, int], None] | None) -> tuple[int, int, int]:
    """One traversal per seed, in the order given, until the work (edges and nodes visited) passes ``cap``:
    (visits, reached, seeds counted)."""
    if forward:
        out = g.outgoing
        start, nbrs = out.start, out.heads
    else:
        start, nbrs = g.edge_start, g.edge_src
    mark = [-1] * len(g)
    visits = reached = work = 0
    step = max(1, n_seeds // 100)
    b = -1
    for b, s in enumerate(seeds):
        mark[s] = b
        stack = [s]
        pop, push = stack.pop, stack.append
        while stack:
            v = pop()
            lo, hi = start[v], start[v + 1]
            visits += hi - lo
            work += hi - lo + 1
            for w in nbrs[lo:hi]:
                if mark[w] != b:
                    mark[w] = b
                    reached += 1
                    push(w)
        if work > cap:
            return visits, reached, b + 1
        if progress and (b + 1) % step == 0:
            progress(b + 1, n_seeds)
    return visits, reached, b + 1


def _spread(seeds: list[int]) -> Iterator[int]:
    """The seeds in an order that spreads over all of them from the start: every k-th (k about the square root
    of their number), then every k-th from the second, and so on, so that the first of them are a fair,
    systematic sample of all, should a count stop early."""
    k = max(1, math.isqrt(len(seeds)))
    return chain.from_iterable(seeds[r::k] for r in range(k))


def _bitset_passes(g: Graph, chunks: list[list[int]], forward: bool, cap: float,
                   progress: Callable[[int, int], None] | None) -> tuple[int, int, int]:
    """Bitset passes over ``chunks`` of seeds until the edges scanned pass ``cap``: (visits, reached, counted)."""
    E, start = g.n_edges, g.edge_start
    visits = reached = counted = scanned = 0
    for n, c in enumerate(chunks):
        v, r = reach_counts(g, c, forward)
        visits, reached, counted = visits + v, reached + r, counted + len(c)
        scanned += E - start[c[0] + 1] if forward else start[c[-1] + 1]
        if progress:
            progress(n + 1, len(chunks))
        if scanned > cap:
            break
    return visits, reached, counted


def sweep_counts(g: Graph, seeds: Iterable[int], forward: bool = True, budget: int | None = COUNT_BUDGET,
                 progress: Callable[[int, int], None] | None = None, estimate: bool = True) -> SweepCount:
    """Edges visited and nodes reached by one sweep from each of ``seeds`` (forward: descendants; else
    ancestors), counted exactly by the cheaper of a traversal per seed and bitset passes; when both would
    take more than ``budget`` edge steps, estimated from the sweeps of a random sample (``budget=None``:
    always exact), or, with ``estimate=False``, given up (the counts of what was counted, not scaled).

    >>> from graphdiff import loads
    >>> g = loads("input x[1000] = 0.5; y = sum(x)")
    >>> sweep_counts(g, g.inputs)
    SweepCount(sweeps=1000, visits=1000, reached=1000, counted=1000)
    """
    seeds = sorted(set(seeds))
    if not seeds:
        return SweepCount(0, 0, 0, 0)
    chunk = reach_chunk(len(g))
    E, start = g.n_edges, g.edge_start
    chunks = [seeds[c:c + chunk] for c in range(0, len(seeds), chunk)]
    bitset_cost = sum(E - start[c[0] + 1] if forward else start[c[-1] + 1] for c in chunks)
    limit = float("inf") if budget is None else budget
    if len(chunks) == 1 and bitset_cost <= limit:  # one pass: about what any exact count costs
        v, r, _ = _bitset_passes(g, chunks, forward, limit, progress)
        return SweepCount(len(seeds), v, r, len(seeds))
    # The traversals first, while they cost at most half the bitset passes (or the budget).
    v, r, counted = _traverse(g, _spread(seeds), len(seeds), forward,
                              bitset_cost / 2 if bitset_cost <= limit else limit, progress)
    if counted == len(seeds):
        return SweepCount(len(seeds), v, r, counted)
    if bitset_cost <= limit:
        v, r, _ = _bitset_passes(g, chunks, forward, float("inf"), progress)
        return SweepCount(len(seeds), v, r, len(seeds))
    if not estimate:
        return SweepCount(len(seeds), v, r, counted)
    shuffled = random.Random(0).sample(seeds, len(seeds))  # passes of seeds taken at random
    sample = [sorted(shuffled[c:c + chunk]) for c in range(0, len(shuffled), chunk)]
    bv, br, bcounted = _bitset_passes(g, sample, forward, limit, progress)
    if bcounted > counted:
        v, r, counted = bv, br, bcounted
    if progress:
        progress(1, 1)  # done: clears the progress line
    scale = len(seeds) / counted
    return SweepCount(len(seeds), round(v * scale), round(r * scale), counted)
