"""The Jacobian of the outputs with respect to the inputs, by reverse mode, forward mode or the sum over
paths, with the operations each one performs, the faults it meets and, if asked, a trace of every step."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from ..sweeps.accumulate import Operations, Sweep, dense_is_cheap, forward_sweep, reverse_sweep
from ..base.errors import InputError
from ..sweeps.evaluate import Linearization
from ..sweeps.extended import settle
from ..sweeps.faults import DerivativeFault, derivative_faults, linearize_for_derivatives
from ..language.graph import Graph, select
from ..base.notation import json_num as num, json_nums
from ..sweeps.paths import path_sums
from ..sweeps.reach import COUNT_BUDGET, sweep_counts
from .trace import Step, forward_steps, path_steps, reverse_steps

MODES = ("reverse", "forward", "paths")
#: Forward mode refuses to visit more edges than this in all (``max_work``; ``--max-work``).
MAX_WORK = 100_000_000
#: The sweeps keep the derivative of every node they reach while that is at most this many numbers in all
#: (or the number of nodes, if larger: one sweep is always kept whole); beyond it each sweep keeps only the
#: entries the Jacobian needs (``Gradient.truncated`` says so).
MAX_STORED = 2_000_000


class TooMuchWork(InputError):
    """Forward mode was asked for more edge visits than ``max_work`` allows."""


@dataclass(frozen=True)
class Gradient:
    """``jacobian[o][i]`` is ∂output o/∂input i, keyed by node index; by name, ``r["e", "b"]`` is one entry,
    ``r["e"]`` a row, :attr:`named_jacobian` the whole, and :meth:`to_dict` the whole result as
    ``graphdiff grad --format json`` prints it.

    ``sweeps`` holds one :class:`~graphdiff.accumulate.Sweep` per seed (an output in reverse mode, an input in
    forward mode) with the derivative of every node it reached; path mode has none. When that would be more
    than ``max_stored`` numbers in all, each sweep keeps only its seed and the inputs (reverse) or outputs
    (forward) it reached, and ``truncated`` says so. ``faults`` are the NaN or infinite entries, traced to
    where they enter (only with ``ieee``: otherwise the first one raises); ``trace`` the steps, if asked.

    >>> from graphdiff import loads
    >>> r = grad(loads("c = a + b; d = b + 1; e = c * d"), {"a": 2, "b": 1})
    >>> r["e", "b"], r["e"], r.named_jacobian, r.operations
    (5.0, {'a': 2.0, 'b': 5.0}, {'e': {'a': 2.0, 'b': 5.0}}, Operations(sweeps=1, multiplications=5, additions=1))
    """

    mode: str
    lin: Linearization
    outputs: list[int]
    inputs: list[int]
    jacobian: dict[int, dict[int, float]]
    operations: Operations
    sweeps: list[Sweep] = field(default_factory=list)
    path_counts: dict[int, dict[int, int]] = field(default_factory=dict)
    truncated: str | None = None  # why the sweeps hold only the Jacobian's entries
    faults: list[DerivativeFault] = field(default_factory=list)
    trace: list[Step] | None = None


    @property
    def graph(self) -> Graph:
        return self.lin.graph

    def __getitem__(self, key):
        """``r["e", "b"]``: ∂e/∂b; ``r["e"]``: the row of output e, ``{input name: derivative}``. Names or
        node indices."""
        g = self.graph
        if not isinstance(key, tuple):
            o = key if isinstance(key, int) else g.node(key)
            if o not in self.jacobian:
                raise KeyError(f"{g.names[o]!r} is not an output of this Jacobian (its outputs: "
                               f"{', '.join(g.names[x] for x in self.outputs[:10])})")
            return {g.names[i]: v for i, v in self.jacobian[o].items()}
        o, i = (k if isinstance(k, int) else g.node(k) for k in key)
        row = self.jacobian.get(o)
        if row is None or i not in row:
            raise KeyError(f"∂{g.names[o]}/∂{g.names[i]} is not in this Jacobian (outputs: "
                           f"{', '.join(g.names[x] for x in self.outputs[:10])}; inputs: "
                           f"{', '.join(g.names[x] for x in self.inputs[:10])})")
        return row[i]

    @property
    def named_jacobian(self) -> dict[str, dict[str, float]]:
        """The Jacobian keyed by names: ``{output: {input: derivative}}`` (floats, NaN and inf as they are)."""
        names = self.graph.names
        return {names[o]: {names[i]: v for i, v in row.items()} for o, row in self.jacobian.items()}

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: ``mode``, ``jacobian`` {output: {input: number}}, ``derivatives`` {seed: {node:
        number}}, ``operations``, ``values`` (of the outputs), and where they apply ``derivatives_truncated``,
        ``path_counts``, ``trace``, ``warnings`` and ``faults``."""
        names, outs, ins, jac = self.graph.names, self.outputs, self.inputs, self.jacobian

        def keyed(nodes: Sequence[int], values: list) -> dict[str, Any]:
            values = json_nums(values)
            if nodes.__class__ is range and nodes.step == -1 and nodes.stop == -1:  # every node from the seed down
                return dict(zip(names[nodes.start::-1], values))
            return dict(zip(map(names.__getitem__, nodes), values))

        derivs: dict[str, dict[str, Any]] = {}
        for s in self.sweeps:
            derivs[names[s.seed]] = keyed(*s.ordered(descending=self.mode == "reverse"))
        rows = {names[o]: keyed(ins, list(map(jac[o].__getitem__, ins))) for o in outs}
        if self.mode == "paths":
            for o in outs:
                derivs[names[o]] = dict(rows[names[o]])
        out: dict[str, Any] = {
            "mode": self.mode, "jacobian": rows,
            "derivatives": derivs, "operations": self.operations.to_dict(),
            "values": {names[o]: num(self.lin.values[o]) for o in outs}}
        if self.truncated:
            out["derivatives_truncated"] = self.truncated
        if self.path_counts:
            out["path_counts"] = {names[o]: {names[i]: c for i, c in row.items()} for o, row in self.path_counts.items()}
        if self.trace is not None:
            out["trace"] = [s.to_dict() for s in self.trace]
        out.update(self.lin.diagnostics())
        if self.faults:
            out.setdefault("faults", []).extend(f.to_dict(self.graph) for f in self.faults)
        return out


class Kept:
    """The sweeps a gradient keeps: whole while they hold at most ``limit`` derivatives in all, then only
    their seed and the ``wanted`` nodes (the other end of the Jacobian)."""

    def __init__(self, limit: int, wanted: list[int]):
        self.limit, self.wanted, self.reached, self.sweeps = limit, wanted, 0, []
        self.full = True

    def add(self, s: Sweep) -> None:
        s = s.compact()  # read by index for the Jacobian already: a list of every node per sweep is too much to keep
        self.reached += len(s.nodes)
        if self.full and self.reached > self.limit:
            self.full, self.sweeps = False, [self._cut(t) for t in self.sweeps]
        self.sweeps.append(s if self.full else self._cut(s))

    def _cut(self, s: Sweep) -> Sweep:
        d = s.derivatives
        nodes = [s.seed, *(w for w in self.wanted if w in d and w != s.seed)]
        return Sweep(s.seed, nodes, list(map(d.__getitem__, nodes)), s.multiplications, s.additions)

    def why(self, mode: str) -> str | None:
        if self.full:
            return None
        return (f"each sweep lists only its seed and the {'inputs' if mode == 'reverse' else 'outputs'} it "
                f"reaches: the sweeps reach {self.reached:,} nodes in all, more than the {self.limit:,} kept")


def _too_much(visits: int, n_inputs: int, max_work: int, done: int | None = None) -> TooMuchWork:
    sweeps = f"one sweep from each of the {n_inputs:,} inputs" if n_inputs != 1 else "one sweep from its input"
    what = (f"{visits:,} edges ({sweeps}), more than --max-work {max_work:,}" if done is None else
            f"more than --max-work {max_work:,} edges ({sweeps}: the first {done:,} already visited {visits:,})")
    return TooMuchWork(f"forward mode would visit {what}; use --mode reverse (one sweep per output) or raise "
                       "--max-work")


def reverse_mode(lin: Linearization, outs: list[int], ins: list[int], kept: Kept,
                 progress: Callable[[int, int], None] | None = None) -> tuple[dict, Operations]:
    """One reverse sweep per output: the Jacobian rows and what the sweeps did."""
    dense = dense_is_cheap(lin.graph, outs, forward=False)
    jac, ops = {}, Operations()
    for n, o in enumerate(outs):
        s = reverse_sweep(lin, o, dense=dense)
        ops += s.operations
        jac[o] = {i: s.get(i) for i in ins}
        kept.add(s)
        if progress:
            progress(n + 1, len(outs))
    return jac, ops


def forward_mode(lin: Linearization, outs: list[int], ins: list[int], kept: Kept, max_work: int | None,
                 progress: Callable[[int, int], None] | None = None, stop: bool = False
                 ) -> tuple[dict, Operations, int]:
    """One forward sweep per input, refusing (:class:`TooMuchWork`) to visit more than ``max_work`` edges;
    with ``stop``, the sweeps instead end with the one that passes ``max_work``. The Jacobian's columns (of
    the inputs swept), what the sweeps did, and how many inputs were swept."""
    g = lin.graph
    E, start = g.n_edges, g.edge_start
    if not stop and max_work is not None and sum(E - start[i + 1] for i in ins) > max_work:  # else within
        c = sweep_counts(g, ins, True, COUNT_BUDGET, estimate=False)
        if c.exact and c.visits > max_work:
            raise _too_much(c.visits, len(ins), max_work)
    dense = dense_is_cheap(g, ins, forward=True)
    jac: dict[int, dict[int, float]] = {o: {} for o in outs}
    ops, work = Operations(), 0
    for n, i in enumerate(ins):
        s = forward_sweep(lin, i, dense=dense)
        work += s.multiplications
        if max_work is not None and work > max_work and not stop:  # not counted above: stop once it is known
            raise _too_much(work, len(ins), max_work, n + 1)
        ops += s.operations
        for o in outs:
            jac[o][i] = s.get(o)
        kept.add(s)
        if progress and ((n + 1) % 1000 == 0 or n + 1 == len(ins)):
            progress(n + 1, len(ins))
        if max_work is not None and work > max_work:
            return jac, ops, n + 1
    return jac, ops, len(ins)


def paths_mode(lin: Linearization, outs: list[int], ins: list[int], max_paths: int
               ) -> tuple[dict, Operations, dict]:
    """The naive sum over every path, refusing (:class:`~graphdiff.paths.TooManyPaths`) a pair with more than
    ``max_paths`` paths: the Jacobian, the operations and the number of paths of every pair."""
    sums = path_sums(lin.graph, lin.partials, ins, outs, max_paths)
    jac, counts, ops = {}, {}, Operations()
    for o in outs:
        row = sums[o]
        jac[o] = {i: row[i].total for i in ins}
        counts[o] = {i: row[i].count for i in ins}
        for i in ins:
            ops += Operations(0, row[i].multiplications, row[i].additions)
    return jac, ops, counts


def grad(g: Graph, inputs: Mapping[str, float] | None = None, *, mode: str = "reverse",
         of: Sequence[str] | None = None, wrt: Sequence[str] | None = None, max_paths: int = 100_000,
         max_work: int | None = MAX_WORK, max_stored: int = MAX_STORED, ieee: bool = False, trace: bool = False,
         lin: Linearization | None = None, progress: Callable[[int, int], None] | None = None) -> Gradient:
    """Derivatives of the outputs (``of``, default: the program's outputs) with respect to the inputs
    (``wrt``, default: every input), as ``graphdiff grad`` computes them.

    Forward mode refuses (:class:`TooMuchWork`) to visit more than ``max_work`` edges in all (None: no bound);
    the sum over paths refuses (:class:`~graphdiff.paths.TooManyPaths`) a pair with more than ``max_paths``
    paths. ``max_stored`` bounds the per-node derivatives the sweeps keep (see :class:`Gradient`).

    A partial that is NaN or infinite (``sqrt(x)`` at 0) is an error only where it reaches a derivative
    that is asked for: then :class:`~graphdiff.errors.ComputeError` names the node where it enters and the
    path to the output; elsewhere it is a warning. With ``ieee`` nothing raises and the faults are listed.
    ``trace`` records every step (:mod:`graphdiff.trace`).

    >>> from graphdiff import loads
    >>> g = loads("r = sqrt(x); s = r * 2; z = x + 1")
    >>> r = grad(g, {"x": 0}, of=["z"])
    >>> r["z", "x"], [w.message for w in r.lin.warnings]
    (1.0, ['the partial ∂r/∂x is inf at x = 0: sqrt(x) is not differentiable there'])
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    lin = lin or linearize_for_derivatives(g, inputs, ieee=ieee)
    outs, ins = select(g, of, g.outputs), select(g, wrt, g.inputs)
    kept = Kept(max(max_stored, len(g)), ins if mode == "reverse" else outs)
    counts: dict[int, dict[int, int]] = {}
    if mode == "reverse":
        jac, ops = reverse_mode(lin, outs, ins, kept, progress)
    elif mode == "forward":
        jac, ops, _ = forward_mode(lin, outs, ins, kept, max_work, progress)
    else:
        jac, ops, counts = paths_mode(lin, outs, ins, max_paths)
    lin.warnings.extend(settle(lin, jac, kept.sweeps))  # NaN or inf in float64: recomputed (extended.py)
    faults = derivative_faults(lin, jac)
    if faults and not ieee:
        raise faults[0].error(g)
    steps = None
    if trace and kept.full:
        steps = (reverse_steps(lin, kept.sweeps) if mode == "reverse" else forward_steps(lin, kept.sweeps)
                 if mode == "forward" else path_steps(lin, outs, ins, jac))
    elif trace:
        steps = []
    return Gradient(mode, lin, outs, ins, jac, ops, kept.sweeps, counts, kept.why(mode), faults, steps)
