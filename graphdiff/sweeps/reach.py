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

import heapq
import math
import random
import weakref
from dataclasses import dataclass
from itertools import chain
from typing import Callable, Iterable, Iterator, Sequence

from ..language.graph import Graph

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


_DEGREES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def degrees(g: Graph, forward: bool) -> list[int]:
    """Every node's edges in a sweep's direction: out-edges (forward) or in-edges, kept with the graph (each
    direction built when first asked for: in-degrees need no out-edge index)."""
    both = _DEGREES.setdefault(g, {})
    d = both.get(forward)
    if d is None:
        s = g.outgoing.start if forward else g.edge_start
        d = both[forward] = [b - a for a, b in zip(s, s[1:])]
    return d


def swept(g: Graph, seed: int, forward: bool, nodes: list[int] | None = None) -> Iterator[int]:
    """The edges one sweep from ``seed`` visits, lazily: the edges out of each node it reaches (forward:
    towards the outputs; else towards the inputs), node by node in topological order, found through a heap
    that visits only what the seed reaches (far less than a pass over the seed's side of the order when it
    reaches a small part of a large graph). ``nodes``, when given, receives the nodes reached, in that order.

    >>> from graphdiff import loads
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> list(swept(g, g.node("b"), True)), list(swept(g, g.node("e"), False))
    ([1, 2, 3, 4], [3, 4, 2, 0, 1])
    """
    if forward:
        out = g.outgoing
        start, order, other, sign = out.start, out.edges, g.edge_dst, 1
    else:
        start, order, other, sign = g.edge_start, range(g.n_edges), g.edge_src, -1
    seen = {seed}
    heap = [sign * seed]
    pop, push, add = heapq.heappop, heapq.heappush, seen.add
    while heap:
        v = sign * pop(heap)
        if nodes is not None:
            nodes.append(v)
        ks = order[start[v]:start[v + 1]]
        for w in map(other.__getitem__, ks):
            if w not in seen:
                add(w)
                push(heap, sign * w)
        yield from ks


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


Progress = Callable[[int], None]  # called with the number of sweeps counted so far


def _traverse(g: Graph, seeds: Iterable[int], forward: bool, cap: float, tick: Progress | None,
              done: int = 0) -> tuple[int, int, int, int]:
    """One traversal per seed, in the order given, until the work (edges and nodes visited) passes ``cap``:
    (visits, reached, seeds counted, work)."""
    if forward:
        out = g.outgoing
        start, nbrs = out.start, out.heads
    else:
        start, nbrs = g.edge_start, g.edge_src
    mark = [-1] * len(g)
    visits = reached = work = counted = 0
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
        counted = b + 1
        if tick and counted % 1000 == 0:
            tick(done + counted)
        if work > cap:
            break
    return visits, reached, counted, work


def _spread(seeds: list[int]) -> list[int]:
    """The seeds in an order that spreads over all of them from the start: every k-th (k about the square root
    of their number), then every k-th from the second, and so on, so that the first of them are a fair,
    systematic sample of all, should a count stop early."""
    k = max(1, math.isqrt(len(seeds)))
    return list(chain.from_iterable(seeds[r::k] for r in range(k)))


def _bitset_passes(g: Graph, chunks: list[list[int]], forward: bool, cap: float, tick: Progress | None,
                   done: int = 0) -> tuple[int, int, int]:
    """Bitset passes over ``chunks`` of seeds until the edges scanned pass ``cap``: (visits, reached, counted)."""
    E, start = g.n_edges, g.edge_start
    visits = reached = counted = scanned = 0
    for c in chunks:
        v, r = reach_counts(g, c, forward)
        visits, reached, counted = visits + v, reached + r, counted + len(c)
        scanned += E - start[c[0] + 1] if forward else start[c[-1] + 1]
        if tick:
            tick(done + counted)
        if scanned > cap:
            break
    return visits, reached, counted


#: An estimate counts the sweeps of up to this many hubs (the seeds with the most edges, such as a weight
#: every step uses, whose sweeps can carry most of the additions) exactly, and samples the others.
HUBS = 8


def _estimate(g: Graph, seeds: list[int], forward: bool, budget: float, tick: Progress | None) -> SweepCount:
    """Within ``budget`` edge steps: the hubs' sweeps counted exactly, a sample of the others (by traversals
    or by bitset passes over seeds taken at random, whichever counts more sweeps for the work) scaled up."""
    if forward:
        start = g.outgoing.start
        degree = [start[s + 1] - start[s] for s in seeds]
    else:
        degree = [g.edge_start[s + 1] - g.edge_start[s] for s in seeds]
    typical = sorted(degree)[len(degree) // 2]
    hubs = [s for d, s in sorted(zip(degree, seeds), reverse=True)[:HUBS] if d > 100 * max(typical, 1)]
    hv, hr, counted_hubs, spent = _traverse(g, hubs, forward, budget / 2, tick) if hubs else (0, 0, 0, 0)
    hubs = set(hubs[:counted_hubs])
    others = [s for s in seeds if s not in hubs] if hubs else seeds
    left = budget - spent
    # A first look by traversal tells what a sweep costs; bitset passes cost a scan per chunk of seeds.
    order = _spread(others)
    v, r, counted, work = _traverse(g, order, forward, left / 4, tick, counted_hubs)
    chunk = reach_chunk(len(g))
    E, gs = g.n_edges, g.edge_start
    pass_cost = E - gs[others[0] + 1] if forward else gs[others[-1] + 1]
    if counted < len(others) and work / counted > pass_cost / chunk:  # bitsets count more sweeps a step
        shuffled = random.Random(0).sample(others, len(others))
        sample = [sorted(shuffled[c:c + chunk]) for c in range(0, len(shuffled), chunk)]
        v, r, counted = _bitset_passes(g, sample, forward, left - work, tick, counted_hubs)
    elif counted < len(others):
        more = _traverse(g, order[counted:], forward, left - work, tick, counted_hubs + counted)
        v, r, counted = v + more[0], r + more[1], counted + more[2]
    scale = len(others) / counted
    return SweepCount(len(seeds), hv + round(v * scale), hr + round(r * scale), counted_hubs + counted)


def sweep_counts(g: Graph, seeds: Iterable[int], forward: bool = True, budget: int | None = COUNT_BUDGET,
                 progress: Callable[[int, int], None] | None = None, estimate: bool = True) -> SweepCount:
    """Edges visited and nodes reached by one sweep from each of ``seeds`` (forward: descendants; else
    ancestors), counted exactly by the cheaper of a traversal per seed and bitset passes; when both would
    take more than ``budget`` edge steps, estimated within that budget (:func:`_estimate`; ``budget=None``:
    always exact), or, with ``estimate=False``, given up (the counts of what was counted, not scaled).
    ``progress(done, total)`` hears of the sweeps counted, and last of ``(total, total)``.

    >>> from graphdiff import loads
    >>> g = loads("input x[1000] = 0.5; y = sum(x)")
    >>> sweep_counts(g, g.inputs)
    SweepCount(sweeps=1000, visits=1000, reached=1000, counted=1000)
    """
    seeds = sorted(set(seeds))
    m = len(seeds)
    tick = (lambda done: progress(min(done, m), m)) if progress else None
    try:
        return _count(g, seeds, forward, budget, tick, estimate)
    finally:
        if progress:
            progress(m, m)


def _count(g: Graph, seeds: list[int], forward: bool, budget: int | None, tick: Progress | None,
           estimate: bool) -> SweepCount:
    m = len(seeds)
    if not seeds:
        return SweepCount(0, 0, 0, 0)
    chunk = reach_chunk(len(g))
    E, start = g.n_edges, g.edge_start
    chunks = [seeds[c:c + chunk] for c in range(0, m, chunk)]
    bitset_cost = sum(E - start[c[0] + 1] if forward else start[c[-1] + 1] for c in chunks)
    limit = float("inf") if budget is None else budget
    if len(chunks) == 1 and bitset_cost <= limit:  # one pass: about what any exact count costs
        v, r, _ = _bitset_passes(g, chunks, forward, limit, tick)
        return SweepCount(m, v, r, m)
    # The traversals first, while they cost at most half the bitset passes (or a quarter of the budget).
    v, r, counted, work = _traverse(g, _spread(seeds), forward, bitset_cost / 2 if bitset_cost <= limit
                                    else limit / 4, tick)
    if counted == m:
        return SweepCount(m, v, r, m)
    if bitset_cost <= limit:
        v, r, _ = _bitset_passes(g, chunks, forward, float("inf"), tick)
        return SweepCount(m, v, r, m)
    if not estimate:
        return SweepCount(m, v, r, counted)
    return _estimate(g, seeds, forward, limit - work, tick)
