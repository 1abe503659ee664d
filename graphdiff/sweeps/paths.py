"""Paths between nodes: exact counts by dynamic programming, and enumeration as a bounded generator.

Counting is linear in the graph whatever the number of paths (3^1000 is an ordinary Python integer);
enumeration is a generator the caller bounds. Nothing recurses.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any, Iterator, Mapping

from .accumulate import Operations, accumulate, reverse_sweep, side
from ..base.errors import InputError
from .evaluate import Linearization, linearize
from ..language.graph import Graph
from ..base.notation import json_num as num
from .reach import ancestors, edges_between


class TooManyPaths(InputError):
    """The naive sum over paths was asked for more paths than the bound allows."""


def count_paths(g: Graph, source: int, target: int) -> int:
    """The exact number of paths from ``source`` to ``target`` (parallel edges are different paths): the sum
    over paths with every weight one, swept from the source as far as the target.

    >>> from graphdiff import loads
    >>> g = loads("y = 2*x + sin(x) + x^2; z = 3*y + cos(y) + y^3")
    >>> count_paths(g, g.node("x"), g.node("z"))
    9
    """
    if source >= target:
        return int(source == target)
    n = [0] * len(g)
    n[source] = 1
    return accumulate(g, n, None, range(g.edge_start[source + 1], g.edge_start[target + 1]), forward=True)[target]


def counts_to(g: Graph, target: int) -> list[int]:
    """For every node, the number of paths from it to ``target`` (0 where it cannot reach it)."""
    n = [0] * len(g)
    n[target] = 1
    return accumulate(g, n, None, side(g, target, False), forward=False)


def counts_from(g: Graph, source: int) -> list[int]:
    """For every node, the number of paths from ``source`` to it."""
    n = [0] * len(g)
    n[source] = 1
    return accumulate(g, n, None, side(g, source, True), forward=True)


def path_matrix(g: Graph, inputs: list[int] | None = None, outputs: list[int] | None = None
                ) -> dict[int, dict[int, int]]:
    """``{output: {input: number of paths}}``, by one DP per input or per output, whichever are fewer."""
    inputs = g.inputs if inputs is None else inputs
    outputs = g.outputs if outputs is None else outputs
    if len(outputs) <= len(inputs):
        out = {}
        for o in outputs:  # one full row at a time: only the inputs' counts are kept
            row = counts_to(g, o)
            out[o] = {i: row[i] for i in inputs}
        return out
    out = {o: {} for o in outputs}
    for i in inputs:
        col = counts_from(g, i)
        for o in outputs:
            out[o][i] = col[o]
    return out


def iter_paths(g: Graph, source: int, target: int) -> Iterator[list[int]]:
    """Every path from ``source`` to ``target`` as a list of edge indices, in a fixed order (depth first,
    edges in the order of their targets). Only nodes that can reach ``target`` are entered, so each path
    costs time proportional to its length."""
    if source > target:
        return
    if source == target:
        yield []
        return
    alive = ancestors(g, target, source)
    if not alive[source]:
        return
    src, dst = g.edge_src, g.edge_dst
    out: dict[int, list[int]] = {}
    for k in range(g.edge_start[source + 1], g.edge_start[target + 1]):
        s = src[k]
        if s >= source and alive[s] and alive[dst[k]]:
            out.setdefault(s, []).append(k)
    path: list[int] = []
    stack = [iter(out.get(source, ()))]
    while stack:
        k = next(stack[-1], None)
        if k is None:
            stack.pop()
            if path:
                path.pop()
            continue
        path.append(k)
        d = dst[k]
        if d == target:
            yield list(path)
            path.pop()
        else:
            stack.append(iter(out.get(d, ())))


@dataclass(frozen=True)
class Path:
    """One path: its nodes, the partial on each of its edges (in order from the source) and their product."""

    nodes: list[int]
    edges: list[int]
    factors: list[float]
    product: float


def path_product(factors: list[float]) -> float:
    """The product of a path's factors, multiplied from its source."""
    p = 1.0
    for f in factors:
        p *= f
    return p


def path_products(g: Graph, partials: list[float], source: int, target: int,
                  limit: int | None = None) -> Iterator[Path]:
    """The essay's "multiply the derivatives on each edge of the path": one :class:`Path` per path."""
    for edges in islice(iter_paths(g, source, target), limit):
        factors = [partials[k] for k in edges]
        yield Path([source] + [g.edge_dst[k] for k in edges], edges, factors, path_product(factors))


@dataclass(frozen=True)
class PathSum:
    """The sum over all paths from ``source`` to ``target`` and what it costs computed naively."""

    source: int
    target: int
    count: int
    total: float
    multiplications: int  # a path of k edges costs k - 1
    additions: int  # P path products cost P - 1


def path_sum(g: Graph, partials: list[float], source: int, target: int, max_paths: int | None = None) -> PathSum:
    """∂target/∂source as the sum over paths of the product of edge partials, refusing (with the exact
    count) when there are more than ``max_paths`` paths."""
    count = count_paths(g, source, target)
    if max_paths is not None and count > max_paths:
        raise _too_many(g, source, target, count, max_paths)
    total = 0.0
    mults = 0
    for p in path_products(g, partials, source, target):
        total += p.product
        mults += max(len(p.factors) - 1, 0)
    return PathSum(source, target, count, total, mults, max(count - 1, 0))


def _too_many(g: Graph, source: int, target: int, count: int, max_paths: int) -> TooManyPaths:
    return TooManyPaths(
        f"the sum over paths from '{g.names[source]}' to '{g.names[target]}' would enumerate "
        f"{count:,} paths, more than --max-paths {max_paths:,}; raise --max-paths or use a factored "
        "mode (--mode reverse or forward)")


def path_sums(g: Graph, partials: list[float], sources: list[int], targets: list[int],
              max_paths: int | None = None) -> dict[int, dict[int, PathSum]]:
    """:func:`path_sum` for every (source, target) pair: ``{target: {source: PathSum}}``, the same numbers
    (products multiplied from the source, added in :func:`iter_paths` order) and the same operation counts.

    The counts come first, by one dynamic programme per target or per source (:func:`path_matrix`), and the
    first pair with more than ``max_paths`` paths is refused before anything is enumerated. Then one
    depth-first enumeration per source walks every path from it to every target at once, entering only nodes
    that reach a target: the work is the total length of the paths, with no pass over the graph per pair.

    >>> from graphdiff import loads, linearize
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> s = path_sums(g, linearize(g, {"a": 2, "b": 1}).partials, g.inputs, g.outputs)[g.node("e")]
    >>> [(p.count, p.total, p.multiplications, p.additions) for p in s.values()]
    [(1, 2.0, 1, 0), (2, 5.0, 2, 1)]
    """
    counts = path_matrix(g, sources, targets)
    if max_paths is not None:
        for t in targets:
            for s in sources:
                if counts[t][s] > max_paths:
                    raise _too_many(g, s, t, counts[t][s], max_paths)
    n = len(g)
    is_target = bytearray(n)
    for t in targets:
        is_target[t] = 1
    src, dst, start = g.edge_src, g.edge_dst, g.edge_start
    end = start[max(targets) + 1] if targets else 0
    alive = ancestors(g, targets)  # reaches a target
    out: dict[int, list[int]] = {}  # the edges into live nodes, by tail, in increasing order
    for k in range(end):
        if alive[dst[k]]:
            out.setdefault(src[k], []).append(k)
    result: dict[int, dict[int, PathSum]] = {t: {} for t in targets}
    for s in sources:
        total: dict[int, float] = {}
        mults: dict[int, int] = {}
        if is_target[s]:  # the empty path: product 1, no multiplication
            total[s], mults[s] = 1.0, 0
        stack = [iter(out.get(s, ()))]
        prods = [1.0]
        while stack:
            k = next(stack[-1], None)
            if k is None:
                stack.pop()
                prods.pop()
                continue
            p = prods[-1] * partials[k]
            d = dst[k]
            if is_target[d]:
                total[d] = total.get(d, 0.0) + p
                mults[d] = mults.get(d, 0) + len(stack) - 1  # a path of k edges: k - 1 multiplications
            if d in out:
                stack.append(iter(out[d]))
                prods.append(p)
        for t in targets:
            c = counts[t][s]
            result[t][s] = PathSum(s, t, c, total.get(t, 0.0), mults.get(t, 0), max(c - 1, 0))
    return result


class Dual:
    """A number with a first-order part, ``n + l·ε`` (ε² = 0): swept with every edge weighing ``1 + ε``, a path
    of k edges contributes ``1 + k·ε``, so the sum over paths counts them (``n``) and their edges (``l``) at once;
    forward-mode differentiation of the path count with respect to a uniform edge weight."""

    __slots__ = ("n", "l")

    def __init__(self, n: int = 0, l: int = 0):
        self.n, self.l = n, l

    def __bool__(self) -> bool:
        return bool(self.n)

    def __add__(self, o: "Dual") -> "Dual":
        return Dual(self.n + o.n, self.l + o.l)

    def __mul__(self, o: "Dual") -> "Dual":
        return Dual(self.n * o.n, self.n * o.l + self.l * o.n)


class _Each:
    """The same weight for every edge."""

    __slots__ = ("w",)

    def __init__(self, w):
        self.w = w

    def __getitem__(self, k: int):
        return self.w


def path_lengths(g: Graph, sources: list[int]) -> tuple[list[int], list[int]]:
    """For every node v, the number of paths from any of ``sources`` to v and the total number of edges on
    them: one sweep of :class:`Dual` numbers, every edge weighing 1 + ε.

    >>> from graphdiff import loads
    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> path_lengths(g, [g.node("b")])
    ([0, 1, 1, 1, 2], [0, 0, 1, 1, 4])
    """
    acc = [Dual() for _ in range(len(g))]
    for s in sources:
        acc[s] = Dual(1, 0)
    first = g.edge_start[min(sources) + 1] if sources else g.n_edges
    accumulate(g, acc, _Each(Dual(1, 1)), range(first, g.n_edges), forward=True)
    return [d.n for d in acc], [d.l for d in acc]


def longest_path_levels(g: Graph) -> list[int]:
    """For every node, the number of edges on the longest path reaching it (0 for inputs and constants)."""
    lvl = [0] * len(g)
    src, dst = g.edge_src, g.edge_dst
    for k in range(g.n_edges):
        v = lvl[src[k]] + 1
        if v > lvl[dst[k]]:
            lvl[dst[k]] = v
    return lvl




# ---- the paths between two nodes, as `graphdiff paths` shows them ------------------------------------------

def _node(g: Graph, node: int | str) -> int:
    return node if isinstance(node, int) else g.node(node)


@dataclass(frozen=True)
class Between:
    """The paths from ``source`` to ``target``: their exact ``count``, the first ``paths`` with their factors
    and products (None when only counted), the sum of all products (``total``, the derivative, by
    ``method`` "paths", or by one reverse sweep, "reverse", when there are more than ``max_paths``), what the
    naive sum costs against one factored sweep over the edges on these paths, and, when no path runs this
    way, how many run the other way (``reverse_count``).

    >>> from graphdiff import loads
    >>> b = between(loads("c = a + b; d = b + 1; e = c * d"), "b", "e", {"a": 2, "b": 1})
    >>> b.count, b.total, b.to_dict()["paths"][1]
    (2, 5.0, {'nodes': ['b', 'd', 'e'], 'factors': [1.0, 3.0], 'product': 3.0})
    """

    graph: Graph
    source: int
    target: int
    count: int
    paths: list[Path] | None = None
    total: float | None = None
    method: str = ""
    naive: Operations | None = None
    factored: Operations | None = None
    lin: Linearization | None = None
    reverse_count: int = 0


    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``graphdiff paths --format json``: node names, exact integer counts."""
        names = self.graph.names
        out: dict[str, Any] = {"from": names[self.source], "to": names[self.target], "count": self.count}
        if self.count == 0 and self.reverse_count:
            out["count_other_way"] = self.reverse_count
        if self.paths is not None:
            out["paths"] = [{"nodes": [names[v] for v in p.nodes], "factors": [num(f) for f in p.factors],
                             "product": num(p.product)} for p in self.paths]
        if self.total is not None:
            out["sum"] = num(self.total)
            out["sum_method"] = self.method
        if self.naive is not None and self.factored is not None:
            out["naive"] = self.naive.to_dict(sweeps=False)
            out["factored"] = self.factored.to_dict(sweeps=False)
        if self.lin is not None:
            out.update(self.lin.diagnostics())
        return out


def between(g: Graph, source: int | str, target: int | str, inputs: Mapping[str, float] | None = None, *,
            limit: int | None = 20, max_paths: int = 100_000, count_only: bool = False,
            ieee: bool = False) -> Between:
    """Everything ``graphdiff paths --from SOURCE --to TARGET`` shows (see :class:`Between`); ``count_only``
    needs no input values."""
    s, t = _node(g, source), _node(g, target)
    count = count_paths(g, s, t)
    other = count_paths(g, t, s) if count == 0 and s != t else 0
    if count_only:
        return Between(g, s, t, count, reverse_count=other)
    lin = linearize(g, inputs, ieee=ieee)
    shown = list(path_products(g, lin.partials, s, t, limit))
    on = edges_between(g, s, t)
    factored = Operations(1, len(on), len(on) - len({g.edge_dst[k] for k in on}))
    if count <= max_paths:
        ps = path_sum(g, lin.partials, s, t)
        total, method, naive = ps.total, "paths", Operations(0, ps.multiplications, ps.additions)
    else:
        total, method = reverse_sweep(lin, t).derivatives.get(s, 0.0), "reverse"
        _, lengths = path_lengths(g, [s])
        naive = Operations(0, lengths[t] - count, max(count - 1, 0))
    return Between(g, s, t, count, shown, total, method, naive, factored, lin, other)


@dataclass(frozen=True)
class PathCounts:
    """The number of paths from every input to every output: ``counts[output][input]`` (node indices)."""

    graph: Graph
    counts: dict[int, dict[int, int]]


    @property
    def total(self) -> int:
        return sum(c for row in self.counts.values() for c in row.values())

    def to_dict(self) -> dict[str, Any]:
        """``{"count": total, "matrix": {output: {input: count}}}`` by name, counts as exact integers."""
        names = self.graph.names
        return {"count": self.total,
                "matrix": {names[o]: {names[i]: c for i, c in row.items()} for o, row in self.counts.items()}}


def path_counts(g: Graph) -> PathCounts:
    """:func:`path_matrix` over the program's inputs and outputs, as a result.

    >>> path_counts(__import__("graphdiff").loads("y = 2*x + sin(x) + x^2; z = 3*y + cos(y) + y^3")).to_dict()
    {'count': 9, 'matrix': {'z': {'x': 9}}}
    """
    return PathCounts(g, path_matrix(g))
