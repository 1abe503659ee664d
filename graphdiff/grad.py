"""The Jacobian of the outputs with respect to the inputs, by reverse mode, forward mode or the sum over
paths, with the operations each one performs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from .errors import InputError
from .evaluate import Linearization, linearize
from .forward import forward_sweep, forward_visits, out_edges
from .graph import Graph
from .paths import path_sums
from .reverse import Sweep, reverse_sweep

MODES = ("reverse", "forward", "paths")
#: Forward mode refuses to visit more edges than this in all (``max_work``; ``--max-work``).
MAX_WORK = 100_000_000
#: The sweeps keep the derivative of every node they reach while that is at most this many numbers in all
#: (or the number of nodes, if larger: one sweep is always kept whole); beyond it each sweep keeps only the
#: entries the Jacobian needs (``Gradient.truncated`` says so).
MAX_STORED = 2_000_000
#: Forward mode counts its edge visits before sweeping when the count takes at most this many edge steps
#: (:func:`~graphdiff.forward.forward_visits`); otherwise it stops as soon as the sweeps pass ``max_work``.
COUNT_BUDGET = 20_000_000


class TooMuchWork(InputError):
    """Forward mode was asked for more edge visits than ``max_work`` allows."""


@dataclass(frozen=True)
class Operations:
    sweeps: int = 0
    multiplications: int = 0
    additions: int = 0

    def __add__(self, other: "Operations") -> "Operations":
        return Operations(self.sweeps + other.sweeps, self.multiplications + other.multiplications,
                          self.additions + other.additions)

    @property
    def total(self) -> int:
        return self.multiplications + self.additions


@dataclass(frozen=True)
class Gradient:
    """``jacobian[o][i]`` is ∂output o/∂input i (node indices). ``sweeps`` holds one :class:`Sweep` per seed
    (an output in reverse mode, an input in forward mode) with the derivative of every node it reached; path
    mode has none. When that would be more than ``max_stored`` numbers in all, each sweep keeps only its seed
    and the inputs (reverse) or outputs (forward) it reached, and ``truncated`` says so."""

    mode: str
    lin: Linearization
    outputs: list[int]
    inputs: list[int]
    jacobian: dict[int, dict[int, float]]
    operations: Operations
    sweeps: list[Sweep] = field(default_factory=list)
    path_counts: dict[int, dict[int, int]] = field(default_factory=dict)
    truncated: str | None = None  # why the sweeps hold only the Jacobian's entries

    @property
    def graph(self) -> Graph:
        return self.lin.graph


def _select(g: Graph, names: Sequence[str] | None, default: list[int]) -> list[int]:
    """The nodes ``names`` stand for (a vector name stands for its elements; any node may be named, not only
    inputs and outputs), each once, in the order first named."""
    if not names:
        return list(default)
    out: dict[int, None] = {}
    for name in names:
        if name in g.vectors:
            start, size = g.vectors[name]
            out.update(dict.fromkeys(range(start, start + size)))
        else:
            out[g.node(name)] = None
    return list(out)


def _cut(s: Sweep, wanted: list[int]) -> Sweep:
    """A sweep cut down to its seed and the ``wanted`` nodes it reached."""
    d = s.derivatives
    kept = {s.seed: d[s.seed]}
    for w in wanted:
        if w in d:
            kept[w] = d[w]
    return Sweep(s.seed, kept, s.multiplications, s.additions)


def _too_much(visits: int, n_inputs: int, max_work: int, done: int | None = None) -> TooMuchWork:
    sweeps = f"one sweep from each of the {n_inputs:,} inputs" if n_inputs != 1 else "one sweep from its input"
    what = (f"{visits:,} edges ({sweeps}), more than --max-work {max_work:,}" if done is None else
            f"more than --max-work {max_work:,} edges ({sweeps}: the first {done:,} already visited {visits:,})")
    return TooMuchWork(f"forward mode would visit {what}; use --mode reverse (one sweep per output) or raise "
                       "--max-work")


def grad(g: Graph, inputs: Mapping[str, float] | None = None, *, mode: str = "reverse",
         of: Sequence[str] | None = None, wrt: Sequence[str] | None = None, max_paths: int = 100_000,
         max_work: int | None = MAX_WORK, max_stored: int = MAX_STORED, ieee: bool = False,
         lin: Linearization | None = None, progress: Callable[[int, int], None] | None = None) -> Gradient:
    """Derivatives of the outputs (``of``, default: the program's outputs) with respect to the inputs
    (``wrt``, default: every input).

    Forward mode refuses (:class:`TooMuchWork`) to visit more than ``max_work`` edges in all (None: no bound);
    the sum over paths refuses (:class:`~graphdiff.paths.TooManyPaths`) a pair with more than ``max_paths``
    paths. ``max_stored`` bounds the per-node derivatives the sweeps keep (see :class:`Gradient`).

    >>> from graphdiff import loads
    >>> r = grad(loads("c = a + b; d = b + 1; e = c * d"), {"a": 2, "b": 1})
    >>> r.jacobian, r.operations
    ({4: {0: 2.0, 1: 5.0}}, Operations(sweeps=1, multiplications=5, additions=1))
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    lin = lin or linearize(g, inputs, ieee=ieee)
    outs = _select(g, of, g.outputs)
    ins = _select(g, wrt, g.inputs)
    jac: dict[int, dict[int, float]] = {o: {} for o in outs}
    ops = Operations()
    sweeps: list[Sweep] = []
    counts: dict[int, dict[int, int]] = {}
    reached = 0  # numbers the sweeps reached, in all
    limit = max(max_stored, len(g))  # one sweep's derivatives are always kept whole
    full = True  # the sweeps keep every node's derivative (reached <= max_stored)
    if mode == "reverse":
        # Dense sweeps (every edge below the output, no heap) while they cost at most a few passes over the
        # graph in all; the heap sweep, which visits only ancestors, for many outputs.
        dense = sum(g.edge_start[o + 1] for o in outs) <= 4 * g.n_edges
        for n, o in enumerate(outs):
            s = reverse_sweep(lin, o, dense=dense)
            ops += Operations(1, s.multiplications, s.additions)
            d = s.derivatives
            jac[o] = {i: d.get(i, 0.0) for i in ins}
            reached += len(d)
            if full and reached > limit:
                full, sweeps = False, [_cut(t, ins) for t in sweeps]
            sweeps.append(s if full else _cut(s, ins))
            if progress:
                progress(n + 1, len(outs))
    elif mode == "forward":
        E, start = g.n_edges, g.edge_start
        if max_work is not None and sum(E - start[i + 1] for i in ins) > max_work:  # else within the bound
            visits = forward_visits(g, ins, COUNT_BUDGET)
            if visits is not None and visits > max_work:
                raise _too_much(visits, len(ins), max_work)
        out = out_edges(lin)
        work = 0
        for n, i in enumerate(ins):
            s = forward_sweep(lin, i, out)
            work += s.multiplications
            if max_work is not None and work > max_work:  # not counted above: stop as soon as it is known
                raise _too_much(work, len(ins), max_work, n + 1)
            ops += Operations(1, s.multiplications, s.additions)
            d = s.derivatives
            for o in outs:
                jac[o][i] = d.get(o, 0.0)
            reached += len(d)
            if full and reached > limit:
                full, sweeps = False, [_cut(t, outs) for t in sweeps]
            sweeps.append(s if full else _cut(s, outs))
            if progress and (n + 1) % 1000 == 0 or progress and n + 1 == len(ins):
                progress(n + 1, len(ins))
    else:
        sums = path_sums(g, lin.partials, ins, outs, max_paths)
        for o in outs:
            row = sums[o]
            counts[o] = {i: row[i].count for i in ins}
            for i in ins:
                ps = row[i]
                jac[o][i] = ps.total
                ops += Operations(0, ps.multiplications, ps.additions)
    truncated = None
    if not full:
        truncated = (f"each sweep lists only its seed and the {'inputs' if mode == 'reverse' else 'outputs'} it "
                     f"reaches: the sweeps reach {reached:,} nodes in all, more than the {limit:,} kept")
    return Gradient(mode, lin, outs, ins, jac, ops, sweeps, counts, truncated)
