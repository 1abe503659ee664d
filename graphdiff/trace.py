"""Step-by-step accumulation traces: each node's derivative as the essay writes it,
``∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5``."""
from __future__ import annotations

from typing import Any

from .forward import out_edges
from .grad import Gradient
from .ops import fmt_num
from .report import Table, num, plural

#: Steps a table shows (JSON holds every step).
TRACE_ROWS = 200


def _d(a: str, b: str) -> str:
    return f"∂{a}/∂{b}"


def trace_report_steps(r: Gradient) -> list[dict[str, Any]]:
    """One step per node each sweep reaches (the seed aside), in the order the sweep finalises them:
    ``{"seed", "node", "terms": [{"via", "symbols", "factors", "product"}], "sum", "text"}``.

    None of them when the sweeps kept only the Jacobian's entries (``r.truncated``): steps need every node's."""
    if r.truncated:
        return []
    g, part = r.graph, r.lin.partials
    names = g.names
    steps: list[dict[str, Any]] = []
    if r.mode == "reverse":
        out = out_edges(r.lin)
        for s in r.sweeps:
            d = s.derivatives
            o = names[s.seed]
            for v in sorted(d, reverse=True):
                if v == s.seed:
                    continue
                terms = [(g.edge_dst[k], k) for k in out[v] if g.edge_dst[k] in d]
                steps.append(_step(o, names[v], [
                    (names[w], f"{_d(o, names[w])}·{_d(names[w], names[v])}", d[w], part[k]) for w, k in terms],
                    d[v], reverse=True))
    elif r.mode == "forward":
        for s in r.sweeps:
            d = s.derivatives
            x = names[s.seed]
            for v in sorted(d):
                if v == s.seed:
                    continue
                terms = [(g.edge_src[k], k) for k in g.in_edges(v) if g.edge_src[k] in d]
                steps.append(_step(x, names[v], [
                    (names[u], f"{_d(names[v], names[u])}·{_d(names[u], x)}", part[k], d[u]) for u, k in terms],
                    d[v], reverse=False))
    return steps


def _step(seed: str, node: str, terms, total: float, reverse: bool) -> dict[str, Any]:
    lhs = _d(seed, node) if reverse else _d(node, seed)
    symbols = " + ".join(t[1] for t in terms)
    values = " + ".join(f"{fmt_num(a)}·{fmt_num(b)}" for _, _, a, b in terms)
    return {"seed": seed, "node": node,
            "terms": [{"via": via, "symbols": sym, "factors": [num(a), num(b)], "product": num(a * b)}
                      for via, sym, a, b in terms],
            "sum": num(total), "text": f"{lhs} = {symbols} = {values} = {fmt_num(total)}"}


def trace_table(r: Gradient, steps: list[dict[str, Any]], *, wide: bool = False) -> Table:
    """The steps as a table: step number and the essay-style line; ``wide`` (for CSV and TSV) adds the seed,
    the node and the sum as columns of their own."""
    order = "reverse topological order, from the output" if r.mode == "reverse" else \
        "topological order, from the input"
    footer = f"no steps: {r.truncated}" if r.truncated else plural(len(steps), "step")
    if wide:
        rows = [[n + 1, s["seed"], s["node"], s["sum"], s["text"]] for n, s in enumerate(steps)]
        columns = ["step", "seed", "node", "sum", "derivative"]
    else:
        rows = [[n + 1, s["text"]] for n, s in enumerate(steps)]
        columns = ["step", "derivative"]
    return Table(f"Trace of the {r.mode} sweep{'s' * (len(r.sweeps) != 1)}, in {order}", columns,
                 rows, footer, numeric=(0,))
