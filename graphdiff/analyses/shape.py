"""The size and shape of a graph, as ``graphdiff info`` shows it: nodes, edges, inputs, outputs, depth, the
largest fan-in and fan-out, and how many nodes of each operation."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..language.graph import Graph
from ..primitives import PRIMITIVES
from ..sweeps.paths import longest_path_levels


@dataclass(frozen=True)
class Shape:
    graph: Graph
    depth: int  # edges on the longest path
    fan_in: tuple[int, int]  # (node, count) with the most operands
    fan_out: tuple[int, int]  # (node, count) used most often
    operations: dict[str, int]  # operation -> nodes, sorted by name
    derived: dict[str, Any] | None = None  # a derived program's header: the original's size (derive.py)


    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``graphdiff info``.

        >>> from graphdiff import loads
        >>> d = shape(loads("c = a + b; d = b + 1; e = c * d")).to_dict()
        >>> d["depth"], d["max_fan_out"], d["operations"]
        (2, {'node': 'b', 'count': 2}, {'add': 2, 'mul': 1})
        """
        g = self.graph
        return {"source": g.source, "nodes": len(g), "edges": g.n_edges, "inputs": len(g.inputs),
                "outputs": len(g.outputs), "depth": self.depth,
                "max_fan_in": {"node": g.names[self.fan_in[0]], "count": self.fan_in[1]},
                "max_fan_out": {"node": g.names[self.fan_out[0]], "count": self.fan_out[1]},
                "operations": dict(self.operations),
                "input_names": [g.names[i] for i in g.inputs], "output_names": [g.names[i] for i in g.outputs],
                **({"derived_from": self.derived} if self.derived else {})}


def shape(g: Graph) -> Shape:
    """The graph's :class:`Shape` (one pass over the nodes and one over the edges)."""
    n = len(g)
    fan_in = [g.edge_start[i + 1] - g.edge_start[i] for i in range(n)]
    fan_out = [0] * n
    for s in g.edge_src:
        fan_out[s] += 1
    i_in = max(range(n), key=fan_in.__getitem__)
    i_out = max(range(n), key=fan_out.__getitem__)
    ops = Counter(op for op in g.ops if op != "input")
    return Shape(g, max(longest_path_levels(g), default=0), (i_in, fan_in[i_in]), (i_out, fan_out[i_out]),
                 dict(sorted(ops.items())), derived_size(g))


def operations(g: Graph) -> int:
    """Arithmetic operations of evaluating ``g``: each node's row says what it costs
    (:meth:`~graphdiff.primitives.Primitive.operations`); inputs cost nothing."""
    ops, args = g.ops, g.args
    return sum(PRIMITIVES[op].operations(len(args[i])) for i, op in enumerate(ops) if op != "input")


def size(g: Graph) -> dict[str, int]:
    """Nodes, edges and arithmetic operations: how derived programs are measured against their original."""
    return {"nodes": len(g), "edges": g.n_edges, "operations": operations(g)}


def derived_size(g: Graph) -> dict[str, Any] | None:
    """For a program ``graphdiff derive`` wrote: the original's size from its header (:attr:`Graph.meta`), this
    program's size counted the same way, and the ratios; None for any other program."""
    d = g.meta
    if d is None or "operations" not in d:
        return None
    here = size(g)
    return {"source": d["source"], "mode": d.get("mode"),
            "original": {k: d[k] for k in ("nodes", "edges", "operations", "sweeps", "sweep_operations") if k in d},
            "program": here,
            "ratio": {k: round(here[k] / d[k], 3) if d.get(k) else None for k in ("nodes", "edges", "operations")}}
