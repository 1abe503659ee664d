"""Step-by-step accumulation traces: each node's derivative as the essay reasons it.

A trace equation holds two kinds of derivative, so it writes them apart (see :mod:`graphdiff.notation`): the
derivative a sweep accumulates with ``d``, the local partial on an edge with ``∂``, as in the textbook chain
rule. Reverse mode from e: ``de/db = de/dc·∂c/∂b + de/dd·∂d/∂b = 2·1 + 3·1 = 5``; forward mode from b:
``de/db = ∂e/∂c·dc/db + ∂e/∂d·dd/db = 2·1 + 3·1 = 5``; the sum over paths, one term per path, its factors the
partials along it from the input: ``de/db = ∂c/∂b·∂e/∂c + ∂d/∂b·∂e/∂d = 1·2 + 1·3 = 5``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..sweeps.accumulate import Sweep
from ..sweeps.evaluate import Linearization
from ..base.notation import factor, json_num, partial, sig, total
from ..sweeps.paths import path_products

#: Terms a step's text shows (JSON holds every term).
SHOWN_TERMS = 20


@dataclass(frozen=True)
class Term:
    """One product of a step: ``via`` (the neighbour it comes through, or a path's nodes), its symbols and
    factors (``symbols[j]`` names ``factors[j]``) and their product."""

    via: str
    symbols: tuple[str, ...]
    factors: tuple[float, ...]
    product: float


@dataclass(frozen=True)
class Step:
    """One node's derivative in a sweep: ``lhs`` (``de/db``) is the sum of ``terms``' products."""

    seed: str
    node: str
    lhs: str
    terms: tuple[Term, ...]
    sum: float

    def text(self, digits: int | None = None, shown: int | None = None) -> str:
        """The essay-style equation, numbers to ``digits`` significant digits (None: every digit), at most
        ``shown`` terms (None: all)."""
        terms = self.terms if shown is None else self.terms[:shown]
        more = f" + … ({len(self.terms) - len(terms):,} more terms)" if len(terms) < len(self.terms) else ""
        symbols = " + ".join("·".join(t.symbols) for t in terms) + more
        values = " + ".join("·".join(factor(f, digits) for f in t.factors) for t in terms) + more
        return f"{self.lhs} = {symbols} = {values} = {sig(self.sum, digits)}"

    def to_dict(self) -> dict[str, Any]:
        """``{"seed", "node", "terms": [{"via", "symbols", "factors", "product"}], "sum", "text"}``."""
        return {"seed": self.seed, "node": self.node,
                "terms": [{"via": t.via, "symbols": "·".join(t.symbols), "factors": [json_num(f) for f in t.factors],
                           "product": json_num(t.product)} for t in self.terms],
                "sum": json_num(self.sum), "text": self.text()}


def reverse_steps(lin: Linearization, sweeps: list[Sweep]) -> list[Step]:
    """One step per node each reverse sweep reaches (its seed aside), in the order the sweep finishes them."""
    g, part, out = lin.graph, lin.partials, lin.graph.outgoing
    names, steps = g.names, []
    for s in sweeps:
        d, o = s.derivatives, names[s.seed]
        for v in sorted(d, reverse=True):
            if v == s.seed:
                continue
            terms = tuple(Term(names[w], (total(o, names[w]), partial(names[w], names[v])), (d[w], part[k]),
                               d[w] * part[k]) for k in out.of(v) if (w := g.edge_dst[k]) in d)
            steps.append(Step(o, names[v], total(o, names[v]), terms, d[v]))
    return steps


def forward_steps(lin: Linearization, sweeps: list[Sweep]) -> list[Step]:
    """One step per node each forward sweep reaches (its seed aside), in topological order."""
    g, part = lin.graph, lin.partials
    names, steps = g.names, []
    for s in sweeps:
        d, x = s.derivatives, names[s.seed]
        for v in sorted(d):
            if v == s.seed:
                continue
            terms = tuple(Term(names[u], (partial(names[v], names[u]), total(names[u], x)), (part[k], d[u]),
                               part[k] * d[u]) for k in g.in_edges(v) if (u := g.edge_src[k]) in d)
            steps.append(Step(x, names[v], total(names[v], x), terms, d[v]))
    return steps


def path_steps(lin: Linearization, outputs: list[int], inputs: list[int],
               sums: dict[int, dict[int, float]]) -> list[Step]:
    """One step per (output, input) pair joined by a path: a term per path, the partials along it from the
    input, and the sum (the same numbers the sum over paths added)."""
    g, part = lin.graph, lin.partials
    names, steps = g.names, []
    for o in outputs:
        for i in inputs:
            if i == o:
                continue  # the empty path: nothing to trace
            terms = []
            for p in path_products(g, part, i, o):
                syms = tuple(partial(names[b], names[a]) for a, b in zip(p.nodes, p.nodes[1:]))
                terms.append(Term(" → ".join(names[v] for v in p.nodes), syms, tuple(p.factors), p.product))
            if terms:
                steps.append(Step(names[o], names[i], total(names[o], names[i]), tuple(terms), sums[o][i]))
    return steps
