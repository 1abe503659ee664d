"""Results → reports: what each command shows, as tables, sentences and a JSON document, independent of format.

Every command builds a :class:`Report` from a library result; ``render.py`` prints it as a rich table, JSON,
CSV or TSV. The JSON document is the result's own ``to_dict()``, so what the library returns and what the
command prints are the same numbers under the same names.

Table cells are raw values: ``int`` and ``float`` (written to ``--digits`` significant digits in a table,
in full in CSV and TSV), ``str``, None (an empty cell), :class:`Times` (a ratio: ``1.75×`` in a table, the
plain number in CSV) and :class:`Numbers` (text with numbers in it, such as a trace equation, written to
the table's digits).
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ..base.errors import Diagnostic
from ..codegen.formula import formula
from ..base.notation import factor, fmt_num, partial, plural, sig
from ..analyses.trace import SHOWN_TERMS, Step

if TYPE_CHECKING:  # each report's module is imported by the command that makes one
    from ..analyses.check import CheckResult, HessianCheck, PairCheck
    from ..analyses.cost import Cost
    from ..analyses.eliminate import Elimination
    from ..analyses.grad import Gradient
    from ..analyses.hessian import Hessian, HessianVector
    from ..analyses.shape import Shape
    from ..sweeps.evaluate import Linearization, Values
    from ..sweeps.paths import Between, PathCounts

#: Steps a trace table shows (JSON holds every step).
TRACE_ROWS = 200


@dataclass(frozen=True)
class Times:
    """A ratio: ``1.75×`` in a table, ``1.75`` in CSV and TSV (a string such as ``1e+400`` beyond a float)."""

    value: float | str


@dataclass(frozen=True)
class Numbers:
    """Text with numbers in it: ``text(digits)`` writes them to ``digits`` significant digits (None: all)."""

    text: Callable[[int | None], str]


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]  # raw cells, see the module's docstring
    footer: str = ""
    numeric: Sequence[int] = ()  # columns aligned right and never wrapped
    droppable: Sequence[int] = ()  # columns a narrow terminal may leave out, the first first
    long: Callable[[], "Table"] | None = None  # the same numbers a row each, for a terminal too narrow for this


@dataclass(frozen=True)
class Report:
    """Tables (the first is what CSV and TSV print), sentences after them, warnings for standard error, and
    the JSON document, built only when asked for (:meth:`json`)."""

    tables: tuple[Table, ...]
    data: Callable[[], dict[str, Any]]
    notes: tuple[str | Numbers, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()

    def json(self) -> dict[str, Any]:
        return self.data()


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


def _warnings(lin: Values) -> tuple[Diagnostic, ...]:
    """The warnings of an evaluation, then its faults let through by --ieee, marked as such."""
    return tuple(lin.warnings) + tuple(Diagnostic(d.node, d.line, d.col, "IEEE: " + d.message) for d in lin.faults)


# ---- eval, edges, info ---------------------------------------------------------------------------------------

def eval_report(v: Values) -> Report:
    g = v.graph
    outs = set(g.outputs)
    rows = Rows(len(g), lambda i: [g.names[i], g.texts[i], v.values[i], g.lines[i], "output" if i in outs else ""])
    footer = f"{plural(len(g), 'node')}, {plural(len(g.inputs), 'input')}, {plural(len(g.outputs), 'output')}"
    notes = tuple(Numbers(lambda d, i=i: f"{g.names[i]} = {sig(v.values[i], d)}") for i in g.outputs[:20])
    return Report((Table(f"Values of {g.source}", ["node", "expression", "value", "line", ""], rows, footer,
                         numeric=(2, 3)),), v.to_dict, notes, _warnings(v))


def edges_report(lin: Linearization) -> Report:
    g = lin.graph

    def row(k: int) -> list:
        s, d = g.edge_src[k], g.edge_dst[k]
        return [g.names[s], g.names[d], f"{partial(g.names[d], g.names[s])} = {formula(g, k)}", lin.partials[k]]

    return Report((Table(f"Edge partials of {g.source}", ["from", "to", "partial", "value"], Rows(g.n_edges, row),
                         f"{plural(g.n_edges, 'edge')}, {plural(len(g), 'node')}", numeric=(3,)),),
                  lin.to_dict, (), _warnings(lin))


def info_report(s: Shape) -> Report:
    g = s.graph

    def shown(idx: list[int]) -> str:
        return ", ".join(g.names[i] for i in idx[:8]) + (f", … ({len(idx) - 8:,} more)" if len(idx) > 8 else "")

    rows = [["nodes", len(g), ""], ["edges", g.n_edges, ""], ["inputs", len(g.inputs), shown(g.inputs)],
            ["outputs", len(g.outputs), shown(g.outputs)], ["depth (edges on the longest path)", s.depth, ""],
            ["largest fan-in", s.fan_in[1], f"into {g.names[s.fan_in[0]]}"],
            ["largest fan-out", s.fan_out[1], f"from {g.names[s.fan_out[0]]}"],
            ["operations", sum(s.operations.values()), ", ".join(f"{k} {v:,}" for k, v in s.operations.items())]]
    if s.derived:
        rows.append(["derived from", s.derived["source"], _derived_text(s.derived)])
    return Report((Table(f"Graph {g.source}", ["property", "value", "detail"], rows, numeric=(1,)),), s.to_dict)


def _derived_text(d: dict) -> str:
    o, p, r = d["original"], d["program"], d["ratio"]
    text = (f"{d.get('mode') or 'derived'} program: {p['nodes']:,} nodes, {p['operations']:,} arithmetic operations; "
            f"the original: {o.get('nodes', 0):,} and {o.get('operations', 0):,} ({r['nodes']}× and {r['operations']}×)")
    if "sweep_operations" in o:
        text += (f"; the original's {o['sweeps']:,} {'reverse' if d.get('mode') == 'adjoint' else 'forward'} "
                 f"{'sweep' if o['sweeps'] == 1 else 'sweeps'}: {o['sweep_operations']:,} operations")
    return text


# ---- grad ----------------------------------------------------------------------------------------------------

def _ops_text(r: Gradient) -> str:
    o = r.operations
    ops = f"{plural(o.multiplications, 'multiplication')}, {plural(o.additions, 'addition')}"
    return ops if r.mode == "paths" else f"{plural(o.sweeps, 'sweep')}, {ops}"


def _derivatives_table(r: Gradient) -> Table | None:
    """∂seed/∂node (reverse) or ∂node/∂seed (forward) for every node each sweep reached."""
    names, reverse = r.graph.names, r.mode == "reverse"
    orders = [s.ordered(descending=reverse)[0] for s in r.sweeps]
    starts = [0]
    for order in orders:
        starts.append(starts[-1] + len(order))
    if not starts[-1]:
        return None

    def row(k: int) -> list:
        n = bisect_right(starts, k) - 1
        s, i = r.sweeps[n], orders[n][k - starts[n]]
        seed = names[s.seed]
        return [seed, names[i], partial(seed, names[i]) if reverse else partial(names[i], seed), s.derivatives[i]]

    what = ("∂output/∂node for every node the sweep from each output reaches" if reverse
            else "∂node/∂input for every node the sweep from each input reaches")
    if r.truncated:
        what = ("∂output/∂input for every input the sweep from each output reaches" if reverse
                else "∂output/∂input for every output the sweep from each input reaches")
    return Table(f"Derivatives by {r.mode} mode: {what}", ["seed", "node", "derivative", "value"],
                 Rows(starts[-1], row), f"{plural(len(r.sweeps), 'sweep')}; nodes a sweep does not reach have "
                                        "derivative 0", numeric=(3,))


def trace_table(r: Gradient, *, wide: bool = False) -> Table:
    """The steps of ``r.trace`` as a table: the step number and the equation; ``wide`` (for CSV and TSV) adds
    the seed, the node and the sum as columns of their own."""
    steps = r.trace or []
    order = {"reverse": "reverse topological order, from the output", "forward": "topological order, from the input",
             "paths": "one sum per output and input, a term per path"}[r.mode]
    footer = f"no steps: {r.truncated}" if r.truncated else plural(len(steps), "step")

    def text(s: Step) -> Numbers:
        return Numbers(lambda d: s.text(d, SHOWN_TERMS if d is not None else None))

    if wide:
        rows = Rows(len(steps), lambda n: [n + 1, steps[n].seed, steps[n].node, steps[n].sum, text(steps[n])])
        columns = ["step", "seed", "node", "sum", "derivative"]
    else:
        rows = Rows(len(steps), lambda n: [n + 1, text(steps[n])])
        columns = ["step", "derivative"]
    sweeps = "sum" if r.mode == "paths" else f"sweep{'s' * (len(r.sweeps) != 1)}"
    return Table(f"Trace of the {r.mode} {sweeps}, in {order}", columns, rows, footer, numeric=(0,))


def grad_report(r: Gradient, fmt: str = "table") -> Report:
    """The Jacobian, the derivatives of every node the sweeps reached, and the trace when there is one: in a
    table after the others; in CSV and TSV (which print one table) instead of them."""
    names = r.graph.names
    outs, ins, jac = r.outputs, r.inputs, r.jacobian
    n_in = len(ins)

    def jac_row(k: int) -> list:
        o, i = outs[k // n_in], ins[k % n_in]
        return [names[o], names[i], partial(names[o], names[i]), jac[o][i]]

    how = {"reverse": "one sweep per output", "forward": "one sweep per input",
           "paths": "the naive sum over every path"}[r.mode]
    tables = [Table(f"Jacobian of {r.graph.source} by {r.mode} mode ({how})", ["output", "input", "derivative", "value"],
                    Rows(len(outs) * n_in, jac_row), _ops_text(r), numeric=(3,))]
    derivs = _derivatives_table(r)
    if derivs is not None:
        tables.append(derivs)
    if r.trace is not None:
        if fmt == "table":
            tables.append(trace_table(r))
        else:
            tables.insert(0, trace_table(r, wide=True))
    notes = [f"derivatives truncated: {r.truncated} (the Jacobian is complete)"] if r.truncated else []
    warnings = _warnings(r.lin)
    if r.faults:
        warnings += tuple(Diagnostic(d.node, d.line, d.col, "IEEE: " + d.message)
                          for d in (f.diagnostic(r.graph) for f in r.faults))
        notes.append(f"{plural(len(r.faults), 'derivative')} NaN or infinite (IEEE values let through by --ieee)")
    return Report(tuple(tables), r.to_dict, tuple(notes), warnings)


# ---- paths ---------------------------------------------------------------------------------------------------

def _elide(items: list[str], sep: str, keep: int = 6) -> str:
    """A long chain for a table cell: the first and last few items (JSON keeps every one)."""
    if len(items) <= 2 * keep + 1:
        return sep.join(items)
    return f"{sep.join(items[:keep])}{sep}… {len(items) - 2 * keep:,} more …{sep}{sep.join(items[-keep:])}"


def paths_report(b: Between) -> Report:
    g, names = b.graph, b.graph.names
    src, dst = names[b.source], names[b.target]
    tables = []
    notes: list[str | Numbers] = [f"{plural(b.count, 'path')} from {src} to {dst}"]
    if b.count == 0 and b.reverse_count:
        notes.append(f"the paths run the other way: {plural(b.reverse_count, 'path')} from {dst} to {src} "
                     f"(graphdiff paths --from {dst} --to {src})")
    if b.paths is not None:
        rows = [[n + 1, _elide([names[v] for v in p.nodes], " → "),
                 Numbers(lambda d, p=p: _elide([factor(f, d) for f in p.factors], " × ") or "1"), p.product]
                for n, p in enumerate(b.paths)]
        shown = f"{len(b.paths):,} of {b.count:,} shown" if len(b.paths) < b.count else plural(b.count, "path")
        tables.append(Table(f"Paths from {src} to {dst}", ["#", "path", "factors", "product"], rows, shown,
                            numeric=(0, 3)))
    if b.total is not None:
        d_ = partial(dst, src)
        if b.method == "paths":
            notes.append(Numbers(lambda d: f"sum of all path products = {d_} = {sig(b.total, d)}"))
        else:
            notes.append(Numbers(lambda d: f"{d_} = {sig(b.total, d)} (by one factored sweep: "
                                           f"{plural(b.count, 'path')} {'is' if b.count == 1 else 'are'} more than "
                                           "--max-paths allows enumerating)"))
    if b.naive is not None and b.factored is not None:
        notes.append(f"the naive sum costs {plural(b.naive.multiplications, 'multiplication')} and "
                     f"{plural(b.naive.additions, 'addition')}; one factored sweep over the edges on these paths "
                     f"costs {plural(b.factored.multiplications, 'multiplication')} and "
                     f"{plural(b.factored.additions, 'addition')}")
    if not tables:
        tables.append(Table(f"Paths from {src} to {dst}", ["from", "to", "paths"], [[src, dst, b.count]],
                            numeric=(2,)))
    return Report(tuple(tables), b.to_dict, tuple(notes), _warnings(b.lin) if b.lin else ())


def matrix_report(m: PathCounts) -> Report:
    names = m.graph.names
    rows = [[names[o], names[i], c] for o, row in m.counts.items() for i, c in row.items()]
    return Report((Table(f"Number of paths from every input to every output of {m.graph.source}",
                         ["output", "input", "paths"], rows, f"{plural(m.total, 'path')} in all", numeric=(2,)),),
                  m.to_dict)


# ---- cost ----------------------------------------------------------------------------------------------------

def _times(a: int, b: int) -> Times:
    from ..analyses.cost import ratio as cost_ratio

    return Times(cost_ratio(a, b))


def cost_report(c: Cost) -> Report:
    g = c.graph
    ratios = c.ratios()
    rows = []
    for name, o in c.modes().items():
        paths = name == "paths"
        rows.append([name, None if paths else o.sweeps, c.path_count if paths else None, o.multiplications,
                     o.additions, o.total, Times(ratios[name]), "exact" if c.exact(name) else "estimate",
                     c.counted.get(name)])
    title = (f"Cost of the full Jacobian of {g.source}: {plural(len(c.outputs), 'output')} × "
             f"{plural(len(c.inputs), 'input')}")
    columns = ["mode", "sweeps", "paths", "multiplications", "additions", "operations", "ratio", "counts",
               "sweeps counted"]
    best = c.modes()[c.cheapest()].total
    for name, v in c.elimination.items():
        if isinstance(v, str):
            continue
        unproven = name in c.searches and not c.searches[name].proven
        rows.append([f"elimination, {name}{' (not proven)' if unproven else ''}", None, None, v[0], v[1], v[0] + v[1],
                     _times(v[0] + v[1], best), "exact", None])
    notes = list(c.sentences())
    sentence = c.elimination_sentence()
    if sentence:
        notes.append(sentence)
    notes.extend(f"Elimination in {k} order not counted: {v}" for k, v in c.elimination.items()
                 if isinstance(v, str) and k == "optimal")
    notes.extend(search.sentence(c.elimination[k][0], "graphdiff eliminate --order optimal searches longer")
                 for k, search in c.searches.items() if not search.proven and not isinstance(c.elimination[k], str))
    if c.derived:
        notes.append(f"This is a derived program ({_derived_text(c.derived)}), derived from {c.derived['source']}.")
    cheapest = c.cheapest()
    basis = f"ratio against {'the sum over paths' if cheapest == 'paths' else cheapest + ' mode'}: {plural(best, 'operation')}"
    return Report((Table(title, columns, rows, f"{plural(len(g), 'node')}, {plural(g.n_edges, 'edge')}; {basis}",
                         numeric=(1, 2, 3, 4, 5, 6, 8), droppable=(8, 7, 2)),), c.to_dict, tuple(notes))


# ---- check ---------------------------------------------------------------------------------------------------

def _status(c: PairCheck) -> str:
    from ..analyses.check import LABELS

    if c.failed:
        return "DISAGREE: " + ", ".join(LABELS[m] for m in c.failed)
    marks = []
    if any(v is not None and not math.isfinite(v) for v in c.values.values()):
        marks.append("IEEE fault")
    if c.unjudged:
        marks.append(", ".join(LABELS[m] for m in c.unjudged) + " not judged")
    if c.not_run:
        marks.append(", ".join(LABELS[m] for m in c.not_run) + " not run")
    return "ok" + (f" ({'; '.join(marks)})" if marks else "")


def _error(v: float) -> Numbers:
    """An error as a table shows it: two significant digits whatever --digits says; in full in CSV."""
    return Numbers(lambda d: sig(v, 2 if d is not None else None))


def check_report(r: CheckResult) -> Report:
    from ..analyses.check import LABELS

    names = r.graph.names
    cols = ["point", "output", "input", "reverse", "forward", "paths", "elimination", "finite diff", "fd ±",
            "symbolic", "max abs err", "max rel err", "status"]
    rows = []
    for p in r.points:
        if p.error is not None:
            rows.append([p.index, None, None, None, None, None, None, None, None, None, None, None,
                         "not evaluated (see below)"])
            continue
        for c in p.pairs:
            v = c.values
            rows.append([p.index, names[c.output], names[c.input], v["reverse"], v.get("forward"), v.get("paths"),
                         v.get("elimination"), v.get("fd"), None if c.fd_error is None else _error(c.fd_error), v.get("symbolic"),
                         _error(c.abs_error), _error(c.rel_error), _status(c)])
    n_pairs = sum(len(p.pairs) for p in r.points)
    failed_points = [p for p in r.points if p.error is not None]
    footer = (f"{plural(len(r.points), 'point')}, {plural(n_pairs, 'pair')} checked by "
              f"{', '.join(LABELS[m] for m in r.methods)}; tolerances: rtol {fmt_num(r.rtol)}, atol "
              f"{fmt_num(r.atol)} (finite differences: their error estimate + rtol {fmt_num(r.fd_rtol)}, "
              f"atol {fmt_num(r.fd_atol)})")
    notes = [f"{LABELS[m]} not run: {why}" for m, why in r.skipped.items()]
    notes.extend(r.not_run_messages())
    if failed_points:
        notes.append(f"{plural(len(failed_points), 'random point')} could not be evaluated; they are outside "
                     "the domain, not disagreements:")
        notes.extend(f"  point {p.index}: {p.error}" for p in failed_points[:10])
        if len(failed_points) > 10:
            notes.append(f"  … and {len(failed_points) - 10:,} more")
    notes.extend(r.failure_messages())
    notes.append("check passed: every method agrees" if r.ok else
                 f"check failed: {plural(len(r.failures), 'pair')} {'disagrees' if len(r.failures) == 1 else 'disagree'}")
    first = r.points[0]
    warnings = tuple(first.warnings) + tuple(Diagnostic(d.node, d.line, d.col, "IEEE: " + d.message)
                                             for d in first.faults)
    droppable = (8, 10, 0, 6, 5, 9, 4) if len(r.points) == 1 else (8, 10, 6, 5, 9, 4)  # "point" tells points apart
    table = Table(f"Derivative check of {r.graph.source}", cols, rows, footer,
                  numeric=(0, 3, 4, 5, 6, 7, 8, 9, 10, 11), droppable=droppable)
    return Report((table,), r.to_dict, tuple(notes), warnings)


# ---- hessian -------------------------------------------------------------------------------------------------

def _program_note(program: dict[str, int], original: dict[str, int] | None) -> str:
    text = (f"the adjoint program has {plural(program['nodes'], 'node')} and "
            f"{plural(program['operations'], 'operation')}")
    if original:
        text += (f" ({ratio(program['operations'], original['operations'])}× the original's "
                 f"{plural(original['operations'], 'operation')})")
    return text


def ratio(a: int, b: int) -> float:
    return round(a / b, 2) if b else float(a)


def hessian_report(h: "Hessian") -> Report:
    names = h.inputs
    n = len(names)
    rows = Rows(n, lambda a: [names[a], *h.matrix[a]])
    ops = h.operations
    title = f"Hessian of {h.output} (forward over reverse: one tangent sweep of the adjoint per input)"
    footer = (f"{plural(ops.sweeps, 'tangent sweep')}: {plural(ops.multiplications, 'multiplication')}, "
              f"{plural(ops.additions, 'addition')}")

    def long() -> Table:
        pairs = Rows(n * n, lambda k: [names[k // n], names[k % n], h.matrix[k // n][k % n]])
        return Table(title, ["input", "input ", "∂²" + h.output], pairs, footer, numeric=(2,))

    table = Table(title, ["∂²" + h.output, *names], rows, footer, numeric=tuple(range(1, n + 1)), long=long)
    return Report((table,), h.to_dict, (_program_note(h.program, h.original),), tuple(h.warnings))


def hvp_report(r: "HessianVector") -> Report:
    items = list(r.product.items())
    ops = r.operations
    table = Table(f"Hessian-vector product of {r.output} (one tangent sweep of the adjoint)",
                  ["input", "v", "(H·v)"], [[k, r.vector.get(k, 0.0), v] for k, v in items],
                  f"1 tangent sweep: {plural(ops.multiplications, 'multiplication')}, "
                  f"{plural(ops.additions, 'addition')}", numeric=(1, 2))
    return Report((table,), r.to_dict, (_program_note(r.program, None),), tuple(r.warnings))


def hessian_check_report(c: "HessianCheck") -> Report:
    methods = [m for m in ("symbolic", "finite diff") if any(m in e.values for e in c.entries)]
    cols = ["output", "wrt", "forward over reverse", *methods, "fd ±", "status"]
    rows = []
    for e in c.entries:
        bad = [m for m, ok in e.ok.items() if ok is False]
        status = "DISAGREE: " + ", ".join(bad) if bad else "kink: not judged" if e.kink else "ok"
        rows.append([e.output, f"{e.a}, {e.b}", e.values["forward over reverse"],
                     *[e.values.get(m) for m in methods], None if e.fd_error is None else _error(e.fd_error), status])
    notes = [f"{m} not run: {why}" for m, why in c.skipped.items()]
    notes.append(Numbers(lambda d: f"largest asymmetry |H[a][b] - H[b][a]|: {sig(c.symmetric, 2)}"))
    kinks = sum(e.kink for e in c.entries)
    if kinks:
        notes.append(f"{plural(kinks, 'entry')} at a non-differentiable point: shown, not judged (the warnings say "
                     "which convention each takes)")
    notes.extend(c.failure_messages())
    notes.append("check passed: every second derivative agrees" if c.ok else "check failed: second derivatives disagree")
    title = f"Second-derivative check of {', '.join(c.outputs)}"
    table = Table(title, cols, rows, f"{len(rows):,} {'entry' if len(rows) == 1 else 'entries'}",
                  numeric=tuple(range(2, 3 + len(methods) + 1)))
    return Report((table,), c.to_dict, tuple(notes), tuple(c.warnings))


# ---- eliminate -----------------------------------------------------------------------------------------------

def eliminate_report(e: "Elimination", trace: bool = False) -> Report:
    from ..analyses.eliminate import step_text

    names = e.graph.names
    rows = [[names[o], names[i], partial(names[o], names[i]), e.jacobian[o][i]] for o in e.outputs for i in e.inputs]
    footer = (f"{len(e.order):,} {'vertex' if len(e.order) == 1 else 'vertices'} eliminated in {e.order_name} order: "
              f"{plural(e.multiplications, 'multiplication')}, {plural(e.additions, 'addition')}"
              + (f" (and {plural(e.merge_additions, 'addition')} merging parallel edges)" if e.merge_additions else ""))
    jac = Table(f"Jacobian of {e.graph.source} by vertex elimination ({e.order_name} order)",
                ["output", "input", "derivative", "value"], rows, footer, numeric=(3,))
    notes = []
    if e.output_copies:
        notes.append(f"Outputs that other nodes use stand as copies (y' = y, partial 1), so that they can be "
                     f"eliminated as intermediates: {', '.join(e.output_copies)}.")
    if e.search is not None:
        notes.append(e.search.sentence(e.multiplications))
    tables = (jac,)
    if trace:
        m = a = 0
        steps = []
        for n, s in enumerate(e.steps, 1):
            m, a = m + s.multiplications, a + s.additions
            fills = ", ".join(f"{x} → {y}" for x, y in s.fill_in[:6]) + (f", … ({len(s.fill_in) - 6:,} more)" if len(s.fill_in) > 6 else "")
            steps.append([n, s.vertex, Numbers(lambda d, s=s: step_text(s, d)), fills, s.multiplications, s.additions, m, a])
        tables = (Table(f"Vertex elimination of {e.graph.source} in {e.order_name} order",
                        ["step", "eliminated", "products", "fill-in", "×", "+", "× so far", "+ so far"], steps,
                        footer, numeric=(0, 4, 5, 6, 7), droppable=(3,)), jac)
    return Report(tables, e.to_dict, tuple(notes), tuple(e.warnings))
