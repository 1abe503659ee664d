"""Forward and reverse accumulation: one kernel, walked from an input towards the outputs (forward mode,
∂node/∂input for every node it reaches) or from an output towards the inputs (reverse mode, ∂output/∂node).

The two modes are the same sweep over the transposed graph, as the essay draws them. Following autodidact's
``backward_pass``, the kernel walks the edges in (reverse) topological order and *adds* each contribution
into the far end's slot, so reused nodes (``(x + x) * x``) get every path. Products are IEEE's (0·inf is NaN, which
:mod:`graphdiff.faults` then traces to where it enters). It has two ways to find the edges it visits, chosen
by ``dense``:

* dense: every edge on the seed's side of the topological order once, in order, with flat lists (several
  times faster per edge when the seed reaches most of the graph);
* sparse: only the nodes the seed reaches, popped from a heap in topological order (far less work when it
  reaches a small part of a large graph, as for each of many outputs).

A sweep multiplies once per edge it visits and adds once per contribution beyond the first that arrives at
a node; ``graphdiff cost`` counts the same from the structure alone.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Iterable, Sequence

from .evaluate import Linearization
from .graph import Graph
from .reach import COUNT_BUDGET, sweep_counts


@dataclass(frozen=True)
class Operations:
    """What a computation costs: sweeps, multiplications and additions."""

    sweeps: int = 0
    multiplications: int = 0
    additions: int = 0

    def __add__(self, other: "Operations") -> "Operations":
        return Operations(self.sweeps + other.sweeps, self.multiplications + other.multiplications,
                          self.additions + other.additions)

    @property
    def total(self) -> int:
        return self.multiplications + self.additions

    def to_dict(self, sweeps: bool = True) -> dict[str, int]:
        out = {"sweeps": self.sweeps} if sweeps else {}
        out.update(multiplications=self.multiplications, additions=self.additions)
        return out


@dataclass(frozen=True)
class Sweep:
    """One accumulation sweep from ``seed``: ``derivatives`` maps each node index it reached to its
    derivative (∂seed/∂node in reverse mode, ∂node/∂seed in forward mode)."""

    seed: int
    derivatives: dict[int, float]
    multiplications: int
    additions: int

    @property
    def operations(self) -> Operations:
        return Operations(1, self.multiplications, self.additions)


def _dense(lin: Linearization, seed: int, forward: bool, record: bool = False
           ) -> tuple[list[float], bytearray | None, int]:
    """The kernel, dense: every node's derivative as a list (0 where the sweep does not reach) and, with
    ``record``, which nodes it reaches and how many edges it visits (counted in the same pass, which costs a
    little more per edge)."""
    g = lin.graph
    n, part, start = len(g), lin.partials, g.edge_start
    if forward:
        frm, to, edges = g.edge_src, g.edge_dst, range(start[seed + 1], g.n_edges)
    else:
        frm, to, edges = g.edge_dst, g.edge_src, range(start[seed + 1] - 1, -1, -1)
    acc = [0.0] * n
    acc[seed] = 1.0
    if not record and lin.finite:
        # Every partial is finite, so a zero derivative contributes exactly zero (IEEE: 0·p = ±0, and adding
        # it changes nothing): skipping it is exact. Vanishing derivatives (long tanh chains) are such zeros.
        for k in edges:
            a = acc[frm[k]]
            if a:
                acc[to[k]] += a * part[k]
        return acc, None, 0
    seen = bytearray(n)
    seen[seed] = 1
    mults = 0
    for k in edges:
        f = frm[k]
        if seen[f]:
            t = to[k]
            acc[t] += acc[f] * part[k]
            seen[t] = 1
            mults += 1
    return acc, (seen if record else None), mults


def _sparse(lin: Linearization, seed: int, forward: bool) -> tuple[dict[int, float], int]:
    """The kernel, sparse: the derivatives of the nodes reached, found through a heap; the multiplications."""
    g = lin.graph
    part = lin.partials
    if forward:
        out = g.outgoing
        start, order, other, sign = out.start, out.edges, g.edge_dst, 1
    else:
        start, order, other, sign = g.edge_start, range(g.n_edges), g.edge_src, -1
    acc = {seed: 1.0}
    heap = [sign * seed]
    mults = 0
    while heap:
        v = sign * heapq.heappop(heap)
        a = acc[v]
        for k in order[start[v]:start[v + 1]]:
            w = other[k]
            mults += 1
            if w in acc:
                acc[w] += a * part[k]
            else:
                acc[w] = a * part[k]
                heapq.heappush(heap, sign * w)
    return acc, mults


def dense_is_cheap(g: Graph, seeds: Sequence[int], forward: bool) -> bool:
    """Whether dense sweeps from every one of ``seeds`` scan at most a few times the graph's edges in all
    (then they beat the heap, which pays more per edge but visits only what each seed reaches)."""
    start, E = g.edge_start, g.n_edges
    scanned = sum(E - start[s + 1] if forward else start[s + 1] for s in seeds)
    return scanned <= 4 * E


def sweep(lin: Linearization, seed: int, *, forward: bool, dense: bool = False) -> Sweep:
    """One sweep of the kernel from ``seed`` (an input for ``forward``, an output otherwise). Which nodes it
    reaches, and so what it multiplies and adds, is the graph's structure (:mod:`graphdiff.reach`)."""
    if dense:
        acc, reach, mults = _dense(lin, seed, forward, record=True)
        order = range(seed, len(acc)) if forward else range(seed, -1, -1)
        reached = {i: acc[i] for i in order if reach[i]}
    else:
        reached, mults = _sparse(lin, seed, forward)
    return Sweep(seed, reached, mults, mults - (len(reached) - 1))


def forward_sweep(lin: Linearization, input: int, *, dense: bool = False) -> Sweep:
    """∂node/∂input for every descendant of ``input`` (and 1 for the input itself).

    >>> from graphdiff import loads, linearize
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> s = forward_sweep(linearize(g, {"a": 2, "b": 1}), g.node("b"))
    >>> {g.names[i]: d for i, d in sorted(s.derivatives.items())}, s.multiplications, s.additions
    ({'b': 1.0, 'c': 1.0, 'd': 1.0, 'e': 5.0}, 4, 1)
    """
    return sweep(lin, input, forward=True, dense=dense)


def reverse_sweep(lin: Linearization, output: int, *, dense: bool = False) -> Sweep:
    """∂output/∂node for every ancestor of ``output`` (and 1 for the output itself).

    >>> from graphdiff import loads, linearize
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> s = reverse_sweep(linearize(g, {"a": 2, "b": 1}), g.node("e"))
    >>> {g.names[i]: d for i, d in sorted(s.derivatives.items())}, s.multiplications, s.additions
    ({'a': 2.0, 'b': 5.0, 'c': 2.0, 'd': 3.0, 'e': 1.0}, 5, 1)
    """
    return sweep(lin, output, forward=False, dense=dense)


def adjoints(lin: Linearization, output: int) -> tuple[list[float], bytearray]:
    """∂output/∂node for *every* node as a dense list (0 where the sweep does not reach), and which nodes it
    reaches: the dense reverse sweep without collecting a dictionary."""
    acc, reach, _ = _dense(lin, output, forward=False, record=True)
    return acc, reach


def gradient(lin: Linearization, output: int | None = None) -> list[float]:
    """∂output/∂node for *every* node as a dense list, in one sweep over the edges (the fast path).

    ``output`` defaults to the graph's only output.

    >>> from graphdiff import loads, linearize
    >>> gradient(linearize(loads("c = a + b; d = b + 1; e = c * d"), {"a": 2, "b": 1}))
    [2.0, 5.0, 2.0, 3.0, 1.0]
    """
    g = lin.graph
    if output is None:
        if len(g.outputs) != 1:
            raise ValueError(f"the graph has {len(g.outputs)} outputs; name one")
        output = g.outputs[0]
    return _dense(lin, output, forward=False)[0]


def forward_visits(g: Graph, seeds: Iterable[int], budget: int | None = COUNT_BUDGET) -> int | None:
    """The edges that one forward sweep from each of ``seeds`` visits, in all (= their multiplications),
    counted from the structure without a number (:func:`~graphdiff.reach.sweep_counts`). Returns None,
    without an answer, when an exact count would take more than ``budget`` edge steps.

    >>> from graphdiff import loads
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> forward_visits(g, g.inputs)
    6
    """
    c = sweep_counts(g, seeds, True, budget, estimate=False)
    return c.visits if c.exact else None
