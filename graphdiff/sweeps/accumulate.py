"""The sum over paths, as one sweep: :func:`accumulate` walks edges in (reverse) topological order and adds
each tail's accumulated value times the edge's weight into the head, ``acc[head] += acc[tail] · w[edge]``.

That one algebra serves every number graphdiff carries through a graph (the "semiring" view of automatic
differentiation): floats and edge partials give derivatives (forward mode from an input, reverse mode from an
output, as the essay draws them: the same sweep over the transposed graph); integers and unit weights give path
counts (:mod:`graphdiff.sweeps.paths`); dual numbers give path lengths; mpmath numbers give the recomputation
beyond float64's range (:mod:`graphdiff.sweeps.extended`); formula texts give derived programs
(:mod:`graphdiff.analyses.derive`). Following autodidact's ``backward_pass``, it *adds* into the far end's slot,
so reused nodes (``(x + x) * x``) get every path. Which edges a sweep visits is reachability's question
(:mod:`graphdiff.sweeps.reach`): all on the seed's side of the order (dense), or only those the seed reaches
(found through a heap: far less work when it reaches a small part of a large graph).

Products are IEEE's (0·inf is NaN, which :mod:`graphdiff.sweeps.faults` then traces to where it enters). A sweep
multiplies once per edge it visits and adds once per contribution beyond the first that arrives at a node;
``graphdiff cost`` counts the same from the structure alone.
"""
from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from itertools import compress
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from .evaluate import Linearization
from ..language.graph import Graph
from .reach import COUNT_BUDGET, degrees, sweep_counts, swept


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
    """One accumulation sweep from ``seed``: the nodes it reached (in the order it reached them, away from the
    seed: descending indices in reverse mode, ascending in forward mode; a sweep that a gradient keeps only in
    part lists its seed first) and their derivatives (∂seed/∂node in reverse mode, ∂node/∂seed in forward mode);
    :attr:`derivatives` maps one to the other. Two sweeps are equal when their seeds, derivatives and counts are."""

    seed: int
    nodes: Sequence[int]  # a list, or a range when the sweep reached every node on its side
    values: list[float]
    multiplications: int
    additions: int
    dense: list[float] | None = field(default=None, repr=False, compare=False)  # every node's, 0 if not reached

    def __eq__(self, other) -> bool:
        if not isinstance(other, Sweep):
            return NotImplemented
        return (self.seed, self.multiplications, self.additions, self.derivatives) == \
            (other.seed, other.multiplications, other.additions, other.derivatives)

    __hash__ = None  # type: ignore[assignment] - a sweep holds lists

    def get(self, node: int) -> float:
        """The derivative of ``node``, 0 where the sweep did not reach it."""
        return self.dense[node] if self.dense is not None else self.derivatives.get(node, 0.0)

    def correct(self, node: int, value: float) -> None:
        """Replace the derivative of a node the sweep reached (a recomputation beyond float64's range does), in
        every form the sweep keeps it."""
        self.derivatives[node] = value
        at = self.__dict__.get("_at")
        if at is None:  # each node's place in the lists, built once for all the corrections
            at = self.__dict__["_at"] = dict(zip(self.nodes, range(len(self.nodes))))
        self.values[at[node]] = value
        if self.dense is not None:
            self.dense[node] = value

    def compact(self) -> "Sweep":
        """The sweep without its list of every node's derivative (kept only while the Jacobian is read)."""
        return self if self.dense is None else replace(self, dense=None)

    @cached_property
    def derivatives(self) -> dict[int, float]:
        """``{node: derivative}`` (built when first asked: a sweep over a large graph is read in order)."""
        return dict(zip(self.nodes, self.values))

    @property
    def operations(self) -> Operations:
        return Operations(1, self.multiplications, self.additions)

    def ordered(self, descending: bool) -> tuple[Sequence[int], list[float]]:
        """The nodes and their derivatives by node index, descending or ascending (the sweep's own order when it
        is that one already, as it is for the sweeps of :func:`sweep`)."""
        if self.nodes.__class__ is range and (self.nodes.step < 0) == descending:
            return self.nodes, self.values
        nodes = sorted(self.nodes, reverse=descending)
        if nodes == self.nodes or self.nodes.__class__ is range and nodes == list(self.nodes):
            return nodes, self.values
        return nodes, list(map(self.derivatives.__getitem__, nodes))


def accumulate(g: Graph, acc, weights, edges: Iterable[int], *, forward: bool, skip_zero: bool = True,
               reached: bytearray | None = None):
    """The kernel: for each edge ``k`` of ``edges`` in order, ``acc[head] += acc[tail] · weights[k]`` (heads and
    tails in the direction of the sweep: ``forward`` from inputs towards outputs, else the other way), and
    ``acc`` returned. ``weights`` None means every weight is one (path counts). With ``skip_zero`` a tail whose
    value is zero (falsy) contributes nothing: exact for finite weights (IEEE: 0·p = ±0), and what keeps a
    sweep that reaches few nodes of its range cheap; without it, ``edges`` must hold only edges from reached
    tails, so that 0·inf never arises from a node the sweep does not reach. With ``reached`` (1 for the seeds),
    a tail contributes where it is reached, whatever its value, and marks its head reached: a sweep that also
    says which nodes it reaches, in the same pass.

    >>> from graphdiff import loads, linearize
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> acc = [0.0] * 5; acc[g.node("e")] = 1.0
    >>> accumulate(g, acc, linearize(g, {"a": 2, "b": 1}).partials, range(4, -1, -1), forward=False)
    [2.0, 5.0, 2.0, 3.0, 1.0]
    >>> accumulate(g, [1, 0, 0, 0, 0], None, range(5), forward=True)  # paths from a
    [1, 0, 1, 0, 1]
    """
    frm, to = (g.edge_src, g.edge_dst) if forward else (g.edge_dst, g.edge_src)
    if reached is not None:
        for k in edges:
            f = frm[k]
            if reached[f]:
                t = to[k]
                acc[t] += acc[f] * weights[k]
                reached[t] = 1
    elif weights is None:
        for k in edges:
            a = acc[frm[k]]
            if a:
                acc[to[k]] += a
    elif skip_zero:
        for k in edges:
            a = acc[frm[k]]
            if a:
                acc[to[k]] += a * weights[k]
    else:
        for k in edges:
            acc[to[k]] += acc[frm[k]] * weights[k]
    return acc


def side(g: Graph, seed: int, forward: bool) -> range:
    """The edges on the seed's side of the topological order, in a sweep's order: those after it (forward) or
    before it, last first (reverse)."""
    start = g.edge_start
    return range(start[seed + 1], g.n_edges) if forward else range(start[seed + 1] - 1, -1, -1)


def dense_is_cheap(g: Graph, seeds: Sequence[int], forward: bool) -> bool:
    """Whether dense sweeps from every one of ``seeds`` scan at most a few times the graph's edges in all
    (then they beat the heap, which pays more per edge but visits only what each seed reaches)."""
    start, E = g.edge_start, g.n_edges
    scanned = sum(E - start[s + 1] if forward else start[s + 1] for s in seeds)
    return scanned <= 4 * E


def sweep(lin: Linearization, seed: int, *, forward: bool, dense: bool = False) -> Sweep:
    """One sweep of the kernel from ``seed`` (an input for ``forward``, an output otherwise): the derivative of
    every node it reaches, and its operations (an edge visited is a multiplication)."""
    g = lin.graph
    if dense:
        acc, reach = [0.0] * len(g), bytearray(len(g))
        acc[seed], reach[seed] = 1.0, 1
        accumulate(g, acc, lin.partials, side(g, seed, forward), forward=forward, reached=reach)
        if not forward and not reach.count(0, 0, seed):  # every node before the output reaches it (no dead code)
            mults = g.edge_start[seed + 1]  # their in-edges: all visited
            return Sweep(seed, range(seed, -1, -1), acc[seed::-1], mults, mults - seed, acc)
        nodes = list(compress(range(seed, len(g)), reach[seed:]) if forward else
                     compress(range(seed, -1, -1), reach[seed::-1]))
        mults = sum(compress(degrees(g, forward), reach))
    else:
        nodes: list[int] = []
        acc = defaultdict(float)
        acc[seed] = 1.0
        accumulate(g, acc, lin.partials, swept(g, seed, forward, nodes), forward=forward, skip_zero=False)
        mults = sum(map(degrees(g, forward).__getitem__, nodes))
    return Sweep(seed, nodes, list(map(acc.__getitem__, nodes)), mults, mults - (len(nodes) - 1),
                 acc if dense else None)


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
    reaches."""
    g = lin.graph
    acc, reach = [0.0] * len(g), bytearray(len(g))
    acc[output], reach[output] = 1.0, 1
    return accumulate(g, acc, lin.partials, side(g, output, False), forward=False, reached=reach), reach


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
    if not lin.finite:
        return adjoints(lin, output)[0]
    acc = [0.0] * len(g)
    acc[output] = 1.0
    # every partial is finite, so a zero derivative contributes exactly zero: skipping it is exact, and
    # vanishing derivatives (long tanh chains) are such zeros
    return accumulate(g, acc, lin.partials, side(g, output, False), forward=False)


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
