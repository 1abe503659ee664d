"""Results → reports: what each command shows, as tables plus a JSON document, independent of format.

Every command builds a :class:`Report`; ``render.py`` prints it as a rich table, JSON, CSV or TSV. Node
names in JSON are exactly the names in the program (``c``, ``x[3]``, an anonymous node's text).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any, Callable, Iterable

from .cost import Cost
from .errors import Diagnostic
from .evaluate import Linearization, Values
from .grad import Gradient, Operations
from .graph import Graph
from .ops import PRIMITIVES, fmt_num
from .paths import Path, longest_path_levels


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]  # raw cells: str, int, float
    footer: str = ""
    numeric: Sequence[int] = ()  # columns aligned right


@dataclass(frozen=True)
class Report:
    tables: list[Table]  # the first one is what CSV and TSV print
    data: dict[str, Any] | Callable[[], dict[str, Any]]  # the JSON document, or a function that builds it
    notes: list[str] = field(default_factory=list)  # sentences after the tables
    warnings: list[Diagnostic] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        """The JSON document (built on first use when ``data`` is a function: large reports only pay for the
        format they print)."""
        if callable(self.data):
            object.__setattr__(self, "data", self.data())
        return self.data


class Rows(Sequence):
    """Table rows made on demand: a table of a million derivatives shows 50 and builds 50."""

    def __init__(self, n: int, row: Callable[[int], list]):
        self.n, self.row = n, row

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self.row(j) for j in range(*k.indices(self.n))]
        if not -self.n <= k < self.n:
            raise IndexError(k)
        return self.row(k % self.n)


def num(v: float | int) -> Any:
    """A number for JSON: exact integers stay integers; NaN and infinities become strings."""
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
    return v


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _faults(lin: Values) -> list[Diagnostic]:
    return lin.warnings + [Diagnostic(d.node, d.line, d.col, "IEEE: " + d.message) for d in lin.faults]


# ---- eval ----------------------------------------------------------------------------------------------------

def eval_report(v: Values) -> Report:
    g = v.graph
    outs = set(g.outputs)
    rows = [[g.names[i], g.texts[i] if g.ops[i] != "input" else "input", v.values[i], g.lines[i],
             "output" if i in outs else ""] for i in range(len(g))]
    footer = f"{plural(len(g), 'node')}, {plural(len(g.inputs), 'input')}, {plural(len(g.outputs), 'output')}"
    data = {"values": {g.names[i]: num(x) for i, x in enumerate(v.values)},
            "outputs": {g.names[i]: num(v.values[i]) for i in g.outputs},
            "inputs": {g.names[i]: num(v.values[i]) for i in g.inputs}}
    _add_diagnostics(data, v)
    notes = [f"{g.names[i]} = {fmt_num(v.values[i])}" for i in g.outputs[:20]]
    return Report([Table(f"Values of {g.source}", ["node", "expression", "value", "line", ""], rows, footer,
                         numeric=(2, 3))], data, notes, _faults(v))


def _add_diagnostics(data: dict, v: Values) -> None:
    if v.warnings:
        data["warnings"] = [{"node": d.node, "line": d.line, "col": d.col, "message": d.message} for d in v.warnings]
    if v.faults:
        data["faults"] = [{"node": d.node, "line": d.line, "col": d.col, "message": d.message} for d in v.faults]


# ---- edges ---------------------------------------------------------------------------------------------------

def formula(g: Graph, k: int) -> str:
    """The text of the partial on edge ``k``, e.g. ``d`` for ∂e/∂c when e = c * d."""
    d, a = g.edge_dst[k], g.edge_arg[k]
    op = g.ops[d]
    prim = PRIMITIVES["id" if op == "const" else op]
    return prim.formula(a, g.operand_text(d), g.names[d])


def edges_report(lin: Linearization) -> Report:
    g = lin.graph
    rows = []
    edges = []
    for k, (s, d, a) in enumerate(g.iter_edges()):
        f = formula(g, k)
        p = lin.partials[k]
        rows.append([g.names[s], g.names[d], f"∂{g.names[d]}/∂{g.names[s]} = {f}", p])
        edges.append({"from": g.names[s], "to": g.names[d], "partial": num(p), "formula": f, "arg": a})
    data = {"edges": edges}
    _add_diagnostics(data, lin)
    return Report([Table(f"Edge partials of {g.source}", ["from", "to", "partial", "value"], rows,
                         f"{plural(g.n_edges, 'edge')}, {plural(len(g), 'node')}", numeric=(3,))], data,
                  warnings=_faults(lin))


# ---- info ----------------------------------------------------------------------------------------------------

def depth(g: Graph) -> int:
    """The number of edges on the longest path."""
    return max(longest_path_levels(g), default=0)


def info_report(g: Graph) -> Report:
    n = len(g)
    fan_in = [g.edge_start[i + 1] - g.edge_start[i] for i in range(n)]
    fan_out = [0] * n
    for s in g.edge_src:
        fan_out[s] += 1
    i_in = max(range(n), key=fan_in.__getitem__)
    i_out = max(range(n), key=fan_out.__getitem__)
    ops = Counter(op for op in g.ops if op != "input")
    d = depth(g)
    data = {"source": g.source, "nodes": n, "edges": g.n_edges, "inputs": len(g.inputs),
            "outputs": len(g.outputs), "depth": d,
            "max_fan_in": {"node": g.names[i_in], "count": fan_in[i_in]},
            "max_fan_out": {"node": g.names[i_out], "count": fan_out[i_out]},
            "operations": dict(sorted(ops.items())),
            "input_names": [g.names[i] for i in g.inputs], "output_names": [g.names[i] for i in g.outputs]}
    shown = lambda idx: ", ".join(g.names[i] for i in idx[:8]) + (f", … ({len(idx) - 8} more)" if len(idx) > 8 else "")
    rows = [["nodes", n], ["edges", g.n_edges], ["inputs", f"{len(g.inputs):,}: {shown(g.inputs)}"],
            ["outputs", f"{len(g.outputs):,}: {shown(g.outputs)}"], ["depth (edges on the longest path)", d],
            ["largest fan-in", f"{fan_in[i_in]:,} into {g.names[i_in]}"],
            ["largest fan-out", f"{fan_out[i_out]:,} from {g.names[i_out]}"],
            ["operations", ", ".join(f"{k} {v:,}" for k, v in sorted(ops.items()))]]
    return Report([Table(f"Graph {g.source}", ["property", "value"], rows)], data)


# ---- grad ----------------------------------------------------------------------------------------------------

def ops_text(o: Operations) -> str:
    return f"{plural(o.sweeps, 'sweep')}, {plural(o.multiplications, 'multiplication')}, {plural(o.additions, 'addition')}"


def _ops_json(o: Operations) -> dict:
    return {"sweeps": o.sweeps, "multiplications": o.multiplications, "additions": o.additions}


def grad_report(r: Gradient, trace: list | None = None) -> Report:
    g = r.graph
    names = g.names
    outs, ins, jac = r.outputs, r.inputs, r.jacobian
    n_in = len(ins)

    def jac_row(k: int) -> list:
        o, i = outs[k // n_in], ins[k % n_in]
        return [names[o], names[i], f"∂{names[o]}/∂{names[i]}", jac[o][i]]

    how = {"reverse": "one sweep per output", "forward": "one sweep per input",
           "paths": "the naive sum over every path"}[r.mode]
    tables = [Table(f"Jacobian of {g.source} by {r.mode} mode ({how})", ["output", "input", "derivative", "value"],
                    Rows(len(outs) * n_in, jac_row), ops_text(r.operations) if r.mode != "paths" else
                    f"{plural(r.operations.multiplications, 'multiplication')}, "
                    f"{plural(r.operations.additions, 'addition')}", numeric=(3,))]
    reverse = r.mode == "reverse"
    orders = [sorted(s.derivatives, reverse=reverse) for s in r.sweeps]
    starts = [0]
    for order in orders:
        starts.append(starts[-1] + len(order))

    def deriv_row(k: int) -> list:
        n = bisect_right(starts, k) - 1
        s, i = r.sweeps[n], orders[n][k - starts[n]]
        seed = names[s.seed]
        label = f"∂{seed}/∂{names[i]}" if reverse else f"∂{names[i]}/∂{seed}"
        return [seed, names[i], label, s.derivatives[i]]

    if starts[-1]:
        what = ("∂output/∂node for every node the sweep from each output reaches" if reverse
                else "∂node/∂input for every node the sweep from each input reaches")
        if r.truncated:
            what = ("∂output/∂input for every input the sweep from each output reaches" if reverse
                    else "∂output/∂input for every output the sweep from each input reaches")
        tables.append(Table(f"Derivatives by {r.mode} mode: {what}", ["seed", "node", "derivative", "value"],
                            Rows(starts[-1], deriv_row), f"{plural(len(r.sweeps), 'sweep')}; nodes a sweep does "
                                                         "not reach have derivative 0", numeric=(3,)))
    notes = [f"derivatives truncated: {r.truncated} (the Jacobian is complete)"] if r.truncated else []

    def data() -> dict[str, Any]:
        derivs: dict[str, dict[str, Any]] = {}
        for s, order in zip(r.sweeps, orders):
            d = s.derivatives
            derivs[names[s.seed]] = {names[i]: num(d[i]) for i in order}
        if r.mode == "paths":
            for o in outs:
                derivs[names[o]] = {names[i]: num(jac[o][i]) for i in ins}
        out = {"mode": r.mode,
               "jacobian": {names[o]: {names[i]: num(jac[o][i]) for i in ins} for o in outs},
               "derivatives": derivs, "operations": _ops_json(r.operations),
               "values": {names[o]: num(r.lin.values[o]) for o in outs}}
        if r.truncated:
            out["derivatives_truncated"] = r.truncated
        if r.path_counts:
            out["path_counts"] = {names[o]: {names[i]: c for i, c in row.items()} for o, row in r.path_counts.items()}
        if trace is not None:
            out["trace"] = trace
        _add_diagnostics(out, r.lin)
        return out

    return Report(tables, data, notes, warnings=_faults(r.lin))


# ---- paths ---------------------------------------------------------------------------------------------------

def _elide(items: list[str], sep: str, keep: int = 6) -> str:
    """A long chain for a table cell: the first and last few items (JSON keeps every one)."""
    if len(items) <= 2 * keep + 1:
        return sep.join(items)
    return f"{sep.join(items[:keep])}{sep}… {len(items) - 2 * keep:,} more …{sep}{sep.join(items[-keep:])}"


def paths_report(g: Graph, source: int, target: int, count: int, paths: list[Path] | None,
                 total: float | None, total_method: str, naive: Operations | None,
                 factored: Operations | None, lin: Linearization | None) -> Report:
    names = g.names
    data: dict[str, Any] = {"from": names[source], "to": names[target], "count": count}
    tables = []
    notes = [f"{plural(count, 'path')} from {names[source]} to {names[target]}"]
    if paths is not None:
        rows = [[n + 1, _elide([names[v] for v in p.nodes], " → "), _elide([fmt_num(f) for f in p.factors], " × ") or "1",
                 p.product] for n, p in enumerate(paths)]
        data["paths"] = [{"nodes": [names[v] for v in p.nodes], "factors": [num(f) for f in p.factors],
                          "product": num(p.product)} for p in paths]
        shown = f"{len(paths):,} of {count:,} shown" if len(paths) < count else plural(count, "path")
        tables.append(Table(f"Paths from {names[source]} to {names[target]}", ["#", "path", "factors", "product"],
                            rows, shown, numeric=(0, 3)))
    if total is not None:
        data["sum"] = num(total)
        data["sum_method"] = total_method
        if total_method == "paths":
            notes.append(f"sum of all path products = ∂{names[target]}/∂{names[source]} = {fmt_num(total)}")
        else:
            notes.append(f"∂{names[target]}/∂{names[source]} = {fmt_num(total)} (by one factored sweep: "
                         f"{plural(count, 'path')} {'is' if count == 1 else 'are'} more than --max-paths allows "
                         "enumerating)")
    if naive is not None and factored is not None:
        data["naive"] = {"multiplications": naive.multiplications, "additions": naive.additions}
        data["factored"] = {"multiplications": factored.multiplications, "additions": factored.additions}
        notes.append(f"the naive sum costs {plural(naive.multiplications, 'multiplication')} and "
                     f"{plural(naive.additions, 'addition')}; one factored sweep over the edges on these paths "
                     f"costs {plural(factored.multiplications, 'multiplication')} and "
                     f"{plural(factored.additions, 'addition')}")
    if not tables:
        tables.append(Table(f"Paths from {names[source]} to {names[target]}", ["from", "to", "paths"],
                            [[names[source], names[target], count]], numeric=(2,)))
    return Report(tables, data, notes, _faults(lin) if lin else [])


def matrix_report(g: Graph, matrix: dict[int, dict[int, int]]) -> Report:
    names = g.names
    rows = [[names[o], names[i], c] for o, row in matrix.items() for i, c in row.items()]
    total = sum(c for row in matrix.values() for c in row.values())
    data = {"count": total, "matrix": {names[o]: {names[i]: c for i, c in row.items()} for o, row in matrix.items()}}
    return Report([Table(f"Number of paths from every input to every output of {g.source}",
                         ["output", "input", "paths"], rows, f"{plural(total, 'path')} in all", numeric=(2,))], data)


# ---- cost ----------------------------------------------------------------------------------------------------

def ratio(a: int, b: int) -> float | str:
    if b == 0:
        return 1.0 if a == 0 else math.inf
    try:
        return a / b
    except OverflowError:
        digits = len(str(a // b)) - 1
        return f"1e+{digits}"


def _times(x: float | str) -> str:
    if isinstance(x, str):
        return f"~{x}×"
    if x == math.inf:
        return "—"  # the cheapest mode needs no operations at all
    return f"{x:,.3g}×" if x < 1000 else f"{x:,.0f}×"


def cost_sentence(c: Cost) -> list[str]:
    f, r = c.forward, c.reverse
    if f.sweeps == r.sweeps and f.total == r.total:
        first = (f"Forward and reverse mode cost the same here: {plural(f.sweeps, 'sweep')} and "
                 f"{plural(f.total, 'operation')} each.")
    else:
        win, lose = ("reverse", "forward") if (r.total, r.sweeps) <= (f.total, f.sweeps) else ("forward", "reverse")
        w, l_ = c.modes()[win], c.modes()[lose]
        if w.sweeps != l_.sweeps:
            first = (f"{win.capitalize()} mode wins: {plural(w.sweeps, 'sweep')} against {lose} mode's "
                     f"{l_.sweeps:,}, a factor of {_times(ratio(l_.sweeps, w.sweeps))[:-1]} in sweeps "
                     f"({w.total:,} against {plural(l_.total, 'operation')}, {_times(ratio(l_.total, w.total))}).")
        else:
            first = (f"{win.capitalize()} mode wins: {plural(w.total, 'operation')} against {lose} mode's "
                     f"{l_.total:,} ({_times(ratio(l_.total, w.total))}), in {plural(w.sweeps, 'sweep')} each.")
    best = min(f.total, r.total)
    if c.paths.total == 0:  # single edges: each partial is the derivative
        second = ("Summing over paths needs no operation here: "
                  + ("the one path is a single edge." if c.path_count == 1 else
                     f"each of the {c.path_count:,} paths is a single edge."))
    else:
        second = (f"Summing over all {plural(c.path_count, 'path')} naively costs "
                  f"{plural(c.paths.total, 'operation')}")
        second += f" ({_times(ratio(c.paths.total, best))} the cheaper factored mode)." if best else "."
    return [first, second] + [
        f"{mode.capitalize()} mode's multiplications and additions are estimates: {n:,} of its "
        f"{c.modes()[mode].sweeps:,} sweeps, taken at random, were counted and scaled up; "
        "graphdiff cost --exact counts them all." for mode, n in c.counted.items()]


def cost_report(c: Cost) -> Report:
    g = c.graph
    cheapest = c.cheapest()
    best = c.modes()[cheapest].total
    rows = []
    modes = {}
    for name, o in c.modes().items():
        rt = ratio(o.total, best)
        sweeps = o.sweeps if name != "paths" else plural(c.path_count, "path")
        counted = "exact" if c.exact(name) else f"estimate ({c.counted[name]:,} of {o.sweeps:,} sweeps)"
        rows.append([name, sweeps, o.multiplications, o.additions, o.total, _times(rt), counted])
        modes[name] = {"sweeps": o.sweeps if name != "paths" else 0, "multiplications": o.multiplications,
                       "additions": o.additions, "operations": o.total,
                       "ratio": rt if isinstance(rt, str) or math.isfinite(rt) else None,
                       "exact": c.exact(name)}
        if not c.exact(name):
            modes[name]["sweeps_counted"] = c.counted[name]
    modes["paths"]["paths"] = c.path_count
    sentences = cost_sentence(c)
    data = {"inputs": len(c.inputs), "outputs": len(c.outputs), "nodes": len(g), "edges": g.n_edges,
            "modes": modes, "cheapest": cheapest, "connected_pairs": c.connected_pairs,
            "summary": " ".join(sentences)}
    title = (f"Cost of the full Jacobian of {g.source}: {plural(len(c.outputs), 'output')} × "
             f"{plural(len(c.inputs), 'input')}")
    return Report([Table(title, ["mode", "sweeps", "multiplications", "additions", "operations", "ratio", "counts"], rows,
                         f"{plural(len(g), 'node')}, {plural(g.n_edges, 'edge')}", numeric=(1, 2, 3, 4, 5))],
                  data, sentences)
