"""The Jacobian of the outputs with respect to the inputs, by reverse mode, forward mode or the sum over
paths, with the operations each one performs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from .evaluate import Linearization, linearize
from .forward import forward_sweep, out_edges
from .graph import Graph
from .paths import path_sum
from .reverse import Sweep, reverse_sweep

MODES = ("reverse", "forward", "paths")


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
    (an output in reverse mode, an input in forward mode); path mode has none."""

    mode: str
    lin: Linearization
    outputs: list[int]
    inputs: list[int]
    jacobian: dict[int, dict[int, float]]
    operations: Operations
    sweeps: list[Sweep] = field(default_factory=list)
    path_counts: dict[int, dict[int, int]] = field(default_factory=dict)

    @property
    def graph(self) -> Graph:
        return self.lin.graph


def _select(g: Graph, names: Sequence[str] | None, default: list[int], what: str) -> list[int]:
    if not names:
        return list(default)
    out = []
    for name in names:
        if name in g.vectors:
            start, size = g.vectors[name]
            out.extend(range(start, start + size))
        else:
            out.append(g.node(name))
    return out


def grad(g: Graph, inputs: Mapping[str, float] | None = None, *, mode: str = "reverse",
         of: Sequence[str] | None = None, wrt: Sequence[str] | None = None, max_paths: int = 100_000,
         ieee: bool = False, lin: Linearization | None = None,
         progress: Callable[[int, int], None] | None = None) -> Gradient:
    """Derivatives of the outputs (``of``, default: the program's outputs) with respect to the inputs
    (``wrt``, default: every input).

    >>> from graphdiff import loads
    >>> r = grad(loads("c = a + b; d = b + 1; e = c * d"), {"a": 2, "b": 1})
    >>> r.jacobian, r.operations
    ({4: {0: 2.0, 1: 5.0}}, Operations(sweeps=1, multiplications=5, additions=1))
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    lin = lin or linearize(g, inputs, ieee=ieee)
    outs = _select(g, of, g.outputs, "output")
    ins = _select(g, wrt, g.inputs, "input")
    jac: dict[int, dict[int, float]] = {o: {} for o in outs}
    ops = Operations()
    sweeps: list[Sweep] = []
    counts: dict[int, dict[int, int]] = {}
    if mode == "reverse":
        # Dense sweeps (every edge below the output, no heap) while they cost at most a few passes over the
        # graph in all; the heap sweep, which visits only ancestors, for many outputs.
        dense = sum(g.edge_start[o + 1] for o in outs) <= 4 * g.n_edges
        for n, o in enumerate(outs):
            s = reverse_sweep(lin, o, dense=dense)
            sweeps.append(s)
            ops += Operations(1, s.multiplications, s.additions)
            d = s.derivatives
            jac[o] = {i: d.get(i, 0.0) for i in ins}
            if progress:
                progress(n + 1, len(outs))
    elif mode == "forward":
        out = out_edges(lin)
        for n, i in enumerate(ins):
            s = forward_sweep(lin, i, out)
            sweeps.append(s)
            ops += Operations(1, s.multiplications, s.additions)
            d = s.derivatives
            for o in outs:
                jac[o][i] = d.get(o, 0.0)
            if progress and (n + 1) % 1000 == 0 or progress and n + 1 == len(ins):
                progress(n + 1, len(ins))
    else:
        for o in outs:
            counts[o] = {}
            for i in ins:
                ps = path_sum(g, lin.partials, i, o, max_paths)
                jac[o][i] = ps.total
                counts[o][i] = ps.count
                ops += Operations(0, ps.multiplications, ps.additions)
    return Gradient(mode, lin, outs, ins, jac, ops, sweeps, counts)
