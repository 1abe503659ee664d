"""Many points at once: ``eval``, ``grad``, ``edges`` and ``hessian`` at every point of a file, vectorised over
the points with NumPy.

The program is generated once from the graph and the rows (:mod:`graphdiff.codegen.program`, ``numpy``
backend): every node is one array operation across the points of a chunk, every edge partial one more, and
the derivatives are the one accumulation sweep (:func:`graphdiff.sweeps.accumulate.accumulate`) over arrays.
A point where anything is NaN or infinite, or where a kink's condition holds, is computed again alone by the
single-point command (the same library function), so its row carries exactly the error, the recomputation
or the warning ``graphdiff grad --set ...`` gives there; the other points are answered from the arrays.

Precision: the arrays follow the rows' NumPy leaves, which are IEEE arithmetic and NumPy's own transcendental
functions (within an ulp or two of the C library's, which single-point runs use); sums of more than two
operands are compensated (``_np_fsum``: within an ulp of the correctly rounded sum that ``math.fsum`` gives).
"""
from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ..base.errors import ComputeError, GraphdiffError, InputError
from ..base.notation import fmt_num, json_num, partial
from ..codegen.program import Program, build, source
from ..codegen.stored import vectorised
from ..language.graph import Graph, loads, select
from ..primitives import PRIMITIVES
from ..sweeps.accumulate import accumulate, side
from ..sweeps.reach import ancestors, descendants
from .derive import derive
from .grad import grad
from .hessian import hessian, one_output, second
from ..sweeps.evaluate import evaluate, linearize

WHAT = ("eval", "grad", "edges", "hessian")
#: Numbers a chunk of points may hold in its arrays (values and partials): about 400 MB.
CHUNK_NUMBERS = 50_000_000


@dataclass
class PointRow:
    """One point's answer: its position (``index`` from 0, ``line`` in the file), its inputs, the outputs'
    values, the asked-for numbers by column name, and the error or warnings the single-point command gives
    there."""

    index: int
    line: int
    inputs: dict[str, float]
    outputs: dict[str, float]
    entries: dict[str, float]
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"point": self.index, "inputs": {k: json_num(v) for k, v in self.inputs.items()},
                               "outputs": {k: json_num(v) for k, v in self.outputs.items()}}
        if self.entries:
            out["derivatives"] = {k: json_num(v) for k, v in self.entries.items()}
        if self.error:
            out["error"] = self.error
        if self.warnings:
            out["warnings"] = self.warnings
        return out


class Points:
    """``what`` (eval, grad, edges, hessian) of ``g`` at many points. ``columns`` names the numbers each row
    holds beyond the outputs; :meth:`run` answers a chunk of points."""

    def __init__(self, g: Graph, what: str = "grad", *, of: Sequence[str] | None = None,
                 wrt: Sequence[str] | None = None, mode: str = "reverse", ieee: bool = False):
        if what not in WHAT:
            raise InputError(f"--points works with {', '.join(WHAT)}, not {what}")
        if mode not in ("reverse", "forward"):
            raise InputError("--points computes the Jacobian by reverse or forward mode (the sum over paths is the "
                             "same Jacobian, one point at a time: leave --points out for it)")
        self.g, self.what, self.mode, self.ieee = g, what, mode, ieee
        self.outs = select(g, of, g.outputs)
        self.ins = select(g, wrt, g.inputs)
        self.names = [g.names[i] for i in g.inputs]
        self.program: Program = vectorised(g)
        if what == "grad":
            self.columns = [partial(g.names[o], g.names[i]) for o in self.outs for i in self.ins]
        elif what == "edges":
            self.columns = _edge_columns(g)
        elif what == "hessian":
            o = one_output(g, of[0] if of else None)
            self.outs = [o]
            self.ins = [i for i in self.ins if g.ops[i] == "input"]
            d = derive(g, "adjoint", of=[o], wrt=self.ins)
            self.adjoint = loads(d.text, f"{g.source} (adjoint of {g.names[o]})")
            self.grads = {g.node(i_name): name for name, (_, i_name) in d.derivatives.items()}
            self.adjoint_program = build(source(self.adjoint, "numpy"))
            self.columns = [second(g.names[o], g.names[a], g.names[b]) for a in self.ins for b in self.ins]
        else:
            self.columns = []

    # -- a chunk -----------------------------------------------------------------------------------------------
    def run(self, chunk: Sequence[tuple[int, Mapping[str, object]]], start: int = 0) -> list[PointRow]:
        import numpy as np

        g = self.g
        n_pts = len(chunk)
        arrays, bad_input = self._inputs(chunk)
        v: list = [None] * len(g)
        for i, a in zip(g.inputs, arrays):
            v[i] = a
        p: list = [None] * g.n_edges
        with np.errstate(all="ignore"):
            try:
                kinks = self.program.run(v, p)
            except (ArithmeticError, ValueError, TypeError):  # anything the arrays cannot do: one point at a time
                return [self._alone(start + k, line, pt) for k, (line, pt) in enumerate(chunk)]
            suspect = bad_input.copy()
            for i in range(len(g)):
                if g.ops[i] != "input":
                    suspect |= ~np.isfinite(v[i])
            for k in range(g.n_edges):
                if p[k] is not None:
                    suspect |= ~np.isfinite(p[k])
            for _, c in kinks:
                suspect |= np.asarray(c, dtype=float) != 0
            numbers = self._numbers(v, p) if self.what != "eval" else {}
            if self.what == "hessian":
                numbers = self._hessian(v)
                for x in numbers.values():
                    suspect |= ~np.isfinite(x)
        rows = []
        outs = self.outs
        column = {nm: a for nm, a in zip(self.names, arrays)}
        out_values = {g.names[o]: v[o].tolist() if hasattr(v[o], "tolist") else [v[o]] * n_pts for o in outs}
        entries = {c: numbers[c].tolist() if hasattr(numbers[c], "tolist") and getattr(numbers[c], "shape", ())
                   else [float(numbers[c])] * n_pts for c in self.columns}
        for k, (line, pt) in enumerate(chunk):
            if suspect[k]:
                rows.append(self._alone(start + k, line, pt))
                continue
            rows.append(PointRow(start + k, line, {nm: float(column[nm][k]) for nm in self._given(pt)},
                                 {o: xs[k] for o, xs in out_values.items()},
                                 {c: xs[k] for c, xs in entries.items()}))
        return rows

    def _given(self, pt: Mapping[str, object]) -> list[str]:
        """The inputs a point gives (a vector's elements for a vector), in the program's order."""
        g = self.g
        names = []
        for name in pt:
            if name in g.vectors and name not in g.index:
                s, size = g.vectors[name]
                names.extend(g.names[s:s + size])
            else:
                names.append(name)
        return names

    def _inputs(self, chunk):
        """Every input as an array over the chunk's points (defaults where a point leaves one out), and which
        points cannot be answered as given (a missing or non-finite value: they go alone, to get the
        single-point command's error)."""
        import numpy as np

        g = self.g
        n_pts = len(chunk)
        cols = {g.names[i]: np.full(n_pts, g.defaults.get(i, np.nan)) for i in g.inputs}
        bad = np.zeros(n_pts, bool)
        keys = chunk[0][1].keys() if chunk else ()
        if all(pt.keys() == keys for _, pt in chunk) and all(k in cols for k in keys):
            for name in keys:  # every point gives the same scalar inputs (a CSV file): a column at a time
                try:
                    cols[name][:] = [pt[name] for _, pt in chunk]
                except (TypeError, ValueError):
                    break
            else:
                keys = None
        if keys is not None:
            for k, (line, pt) in enumerate(chunk):
                for name, x in pt.items():
                    if name in g.vectors and name not in cols:
                        s, size = g.vectors[name]
                        xs = x if isinstance(x, (list, tuple)) else [x] * size
                        if len(xs) != size:
                            raise InputError(f"point on line {line}: '{name}' is a vector of {size:,} elements, "
                                             f"but {len(xs):,} values were given for it")
                        for j, xj in enumerate(xs):
                            cols[g.names[s + j]][k] = _float(xj, f"{name}[{j}]", line)
                    elif name in cols:
                        cols[name][k] = _float(x, name, line)
                    else:
                        i = g.find(name)
                        what = "a computed node, not an input" if i is not None else "not an input of the program"
                        raise InputError(f"point on line {line}: cannot set '{name}': it is {what}")
        for a in cols.values():
            bad |= ~np.isfinite(a)
        return [cols[nm] for nm in self.names], bad

    def _numbers(self, v, p) -> dict[str, object]:
        import numpy as np

        g = self.g
        if self.what == "edges":
            return {c: p[k] for c, k in zip(self.columns, range(g.n_edges))}
        out = {}
        n = len(g)
        src, dst = g.edge_src, g.edge_dst
        # one sweep a seed: from each output back (reverse) or each input on (forward), along only the edges
        # that lead somewhere asked for
        forward = self.mode != "reverse"
        seeds, ends = (self.ins, self.outs) if forward else (self.outs, self.ins)
        useful, far = (ancestors(g, self.outs), dst) if forward else (descendants(g, self.ins), src)
        for s in seeds:
            acc, reached = [0.0] * n, bytearray(n)
            acc[s], reached[s] = np.ones_like(v[s], dtype=float), 1
            edges = [k for k in side(g, s, forward) if useful[far[k]]]
            accumulate(g, acc, p, edges, forward=forward, reached=reached)
            for e in ends:
                o, i = (e, s) if forward else (s, e)
                out[partial(g.names[o], g.names[i])] = acc[e]
        return out

    def _hessian(self, v) -> dict[str, object]:
        """Forward over reverse on the arrays: the adjoint program at every point, one tangent sweep per input."""
        import numpy as np

        g, a = self.g, self.adjoint
        va: list = [None] * len(a)
        for i in a.inputs:
            va[i] = v[g.node(a.names[i])]
        pa: list = [None] * a.n_edges
        self.adjoint_program.run(va, pa)
        out = {}
        o = self.outs[0]
        for j in self.ins:
            s = a.node(g.names[j])
            acc, reached = [0.0] * len(a), bytearray(len(a))
            acc[s], reached[s] = np.ones_like(va[s], dtype=float), 1
            accumulate(a, acc, pa, side(a, s, True), forward=True, reached=reached)
            for i in self.ins:
                out[second(g.names[o], g.names[i], g.names[j])] = acc[a.node(self.grads[i])]
        return out

    # -- one point, as the single-point command computes it ----------------------------------------------------
    def _alone(self, index: int, line: int, pt: Mapping[str, object]) -> PointRow:
        g = self.g
        given = {k: v for k, v in pt.items()}
        inputs = {}
        try:
            from ..sweeps.evaluate import bind

            every = dict(zip(self.names, bind(g, given, ieee=self.ieee)))
            inputs = {name: every[name] for name in self._given(given)}
            outs, entries, warnings = self._single(given)
            return PointRow(index, line, inputs, outs, entries, None, warnings)
        except GraphdiffError as e:
            if not inputs:
                inputs = {nm: x for nm, x in given.items() if isinstance(x, (int, float))}
            return PointRow(index, line, inputs, {}, {}, _message(e, g))

    def _single(self, given) -> tuple[dict, dict, list[str]]:
        g, ieee = self.g, self.ieee
        outs = self.outs
        if self.what == "eval":
            r = evaluate(g, given, ieee=ieee)
            return ({g.names[o]: r.values[o] for o in outs}, {},
                    [d.message for d in r.warnings + r.faults])
        if self.what == "edges":
            lin = linearize(g, given, ieee=ieee)
            return ({g.names[o]: lin.values[o] for o in outs}, dict(zip(self.columns, lin.partials)),
                    [d.message for d in lin.warnings + lin.faults])
        if self.what == "grad":
            r = grad(g, given, mode=self.mode, of=outs, wrt=self.ins, ieee=ieee)
            entries = {partial(g.names[o], g.names[i]): r[o, i] for o in outs for i in self.ins}
            return ({g.names[o]: r.lin.values[o] for o in outs}, entries,
                    [d.message for d in r.lin.warnings + r.lin.faults] + [f.message for f in r.faults])
        h = hessian(g, given, of=outs[0], wrt=self.ins, ieee=ieee)
        vals = evaluate(g, given, ieee=True).values
        entries = {second(g.names[outs[0]], a, b): h.matrix[x][y] for x, a in enumerate(h.inputs)
                   for y, b in enumerate(h.inputs)}
        return {g.names[outs[0]]: vals[outs[0]]}, entries, [d.message for d in h.warnings]


def _at(x, k: int):
    return x[k] if hasattr(x, "shape") and x.shape else x


def _float(x, name: str, line: int) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise InputError(f"point on line {line}: value of '{name}' is not a number: {x!r}"[:200])
    return float(x)


def _message(e: GraphdiffError, g: Graph) -> str:
    where = f"line {e.line}, col {e.col}: " if e.line is not None else ""
    return f"{where}{e.message}"


def _edge_columns(g: Graph) -> list[str]:
    cols, seen = [], {}
    for s, d, a in g.iter_edges():
        name = partial(g.names[d], g.names[s])
        seen[name] = seen.get(name, 0) + 1
        cols.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return cols


_JOB: "Points | None" = None  # the job forked workers run (inherited, not sent)


def _run_forked(batch: list, start: int) -> list[PointRow]:
    return _JOB.run(batch, start)


def chunks(points: Iterable[tuple[int, Mapping[str, object]]], size: int) -> Iterator[tuple[list, int]]:
    """The points a chunk at a time, with the index of each chunk's first point."""
    batch, start = [], 0
    for item in points:
        batch.append(item)
        if len(batch) == size:
            yield batch, start
            start += len(batch)
            batch = []
    if batch:
        yield batch, start


def in_order(tasks: Iterable, result: Callable[[Any], list[PointRow]], ahead: int,
             progress: Callable[[int], None] | None = None) -> Iterator[PointRow]:
    """The rows of ``tasks`` (futures of chunks, submitted as the iteration asks for them) in submission
    order, at most ``ahead`` of them waiting: how a pool of processes or a Dask cluster streams the points."""
    pending: deque = deque()
    done = 0

    def ready() -> list[PointRow]:
        nonlocal done
        rows = result(pending.popleft())
        done += len(rows)
        if progress:
            progress(done)
        return rows

    for task in tasks:
        pending.append(task)
        while len(pending) >= ahead:
            yield from ready()
    while pending:
        yield from ready()


def run_chunks(job: "Points", parts: Iterable[tuple[list, int]], workers: int = 1,
               progress: Callable[[int], None] | None = None) -> Iterator[PointRow]:
    """Every chunk's rows in order: here, or with ``workers`` > 1 in that many forked processes, a few chunks
    ahead of the rows being written (the points stream through: at most ``2·workers`` chunks wait)."""
    if workers <= 1 or not hasattr(os, "fork"):
        yield from in_order((job.run(b, s) for b, s in parts), lambda rows: rows, 1, progress)
        return
    import multiprocessing

    global _JOB
    _JOB = job
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from in_order((pool.apply_async(_run_forked, part) for part in parts), lambda t: t.get(),
                            2 * workers, progress)


def chunk_size(g: Graph, what: str) -> int:
    """Points a chunk holds: its arrays (a value a node, a partial an edge, a derivative a node a sweep) stay
    near :data:`CHUNK_NUMBERS` numbers."""
    per_point = len(g) + (g.n_edges if what != "eval" else 0) + (len(g) if what in ("grad", "hessian") else 0)
    return max(16, min(65_536, CHUNK_NUMBERS // max(per_point, 1)))


def at_points(g: Graph, points: Iterable[tuple[int, Mapping[str, object]]], what: str = "grad", *,
              of: Sequence[str] | None = None, wrt: Sequence[str] | None = None, mode: str = "reverse",
              ieee: bool = False, chunk: int | None = None, workers: int = 1,
              progress: Callable[[int], None] | None = None) -> Iterator[PointRow]:
    """Every point's row, in order, computed a chunk at a time (``workers`` processes; ``progress`` hears the
    points done).

    >>> from graphdiff import loads
    >>> rows = list(at_points(loads("c = a + b; d = b + 1; e = c * d"), [(1, {"a": 2, "b": 1}), (2, {"a": 0, "b": 3})]))
    >>> [(r.outputs["e"], r.entries["∂e/∂b"]) for r in rows]
    [(6.0, 5.0), (12.0, 7.0)]
    """
    job = Points(g, what, of=of, wrt=wrt, mode=mode, ieee=ieee)
    yield from run_chunks(job, chunks(points, chunk or chunk_size(g, what)), workers, progress)
