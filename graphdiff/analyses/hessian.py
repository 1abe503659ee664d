"""Second derivatives by forward over reverse: the Hessian of one output as one tangent sweep of its adjoint
program per input, and a Hessian-vector product as a single tangent sweep seeded with the vector.

The adjoint program is :func:`graphdiff.derive.derive`'s, parsed as any program is; its gradient outputs
``d<o>_d<i>`` are differentiated by forward mode (:func:`graphdiff.grad.grad`), so ∂²o/∂i∂j is the tangent of
``d<o>_d<i>`` with respect to ``j``, with the same fault handling, warnings and operation counts as every
sweep. ``graphdiff check --order 2`` (:func:`graphdiff.analyses.check.check_hessian`) compares it with SymPy's
second derivatives and with central differences of the reverse-mode gradient.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..sweeps.accumulate import Operations, accumulate
from ..sweeps.reach import descendants
from .derive import derive
from .shape import size
from ..base.errors import ComputeError, Diagnostic, InputError
from ..sweeps.evaluate import Linearization, bind
from ..sweeps.faults import linearize_for_derivatives
from .grad import grad
from ..language.graph import Graph, loads, select
from ..base.notation import fmt_num, json_num as num


@dataclass
class Hessian:
    """``matrix[a][b]`` is ∂²output/∂inputs[a]∂inputs[b] (forward over reverse); ``operations`` are the
    tangent sweeps' over the adjoint program, whose size is ``program``."""

    output: str
    inputs: list[str]
    matrix: list[list[float]]
    operations: Operations
    program: dict[str, int]
    original: dict[str, int]
    warnings: list[Diagnostic] = field(default_factory=list)


    def __getitem__(self, key: tuple[str, str]) -> float:
        a, b = key
        return self.matrix[self.inputs.index(a)][self.inputs.index(b)]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``graphdiff hessian``: ``{"hessian": {output: {input_i: {input_j: number}}},
        "operations": {...}}``, with the adjoint program's and the original's sizes."""
        out = {"hessian": {self.output: {a: {b: num(v) for b, v in zip(self.inputs, row)}
                                         for a, row in zip(self.inputs, self.matrix)}},
               "operations": self.operations.to_dict(), "program": self.program, "original": self.original}
        if self.warnings:
            out["warnings"] = [d.to_dict() for d in self.warnings]
        return out


@dataclass
class HessianVector:
    """``product[input]`` is (H·v)[input] for the Hessian H of ``output`` and the direction ``vector``."""

    output: str
    vector: dict[str, float]
    product: dict[str, float]
    operations: Operations
    program: dict[str, int]
    warnings: list[Diagnostic] = field(default_factory=list)


    def to_dict(self) -> dict[str, Any]:
        out = {"hvp": {k: num(v) for k, v in self.product.items()}, "operations": self.operations.to_dict(),
               "output": self.output, "vector": {k: num(v) for k, v in self.vector.items()},
               "program": self.program}
        if self.warnings:
            out["warnings"] = [d.to_dict() for d in self.warnings]
        return out


def one_output(g: Graph, of: str | int | None) -> int:
    if of is None:
        if len(g.outputs) != 1:
            raise InputError(f"{g.source} has {len(g.outputs)} outputs ({', '.join(g.names[o] for o in g.outputs[:6])}"
                             f"{', …' if len(g.outputs) > 6 else ''}): say which with --of")
        return g.outputs[0]
    return select(g, [of], g.outputs)[0]


def _inputs_only(g: Graph, ins: list[int]) -> list[int]:
    """Second derivatives are taken with respect to inputs: a computed node is refused, with the reason."""
    for i in ins:
        if g.ops[i] != "input":
            raise InputError(f"--wrt '{g.names[i]}': second derivatives are taken with respect to inputs, and "
                             f"'{g.names[i]}' is computed from others (give it as an input to vary it alone)")
    return ins


def _adjoint(g: Graph, o: int, ins: list[int]) -> tuple[Graph, dict[int, str]]:
    """The adjoint program of output ``o`` as a graph, and the name of ∂o/∂i in it for every input ``i``."""
    d = derive(g, "adjoint", of=[o], wrt=ins)
    a = loads(d.text, f"{g.source} (adjoint of {g.names[o]})")
    by_input = {g.node(i_name): name for name, (_, i_name) in d.derivatives.items()}
    return a, by_input


def _warnings(g: Graph, inputs, ieee: bool) -> list[Diagnostic]:
    """The original's values and partials first, so that an error or a kink is reported where it is written."""
    return list(linearize_for_derivatives(g, inputs, ieee=ieee).warnings)


def hessian(g: Graph, inputs: Mapping[str, float] | None = None, *, of: str | int | None = None,
            wrt: Sequence[str | int] | None = None, ieee: bool = False) -> Hessian:
    """The Hessian of output ``of`` (default: the only output) with respect to ``wrt`` (default: every input).

    >>> from graphdiff import loads
    >>> h = hessian(loads("y = x ^ 3 * z"), {"x": 2, "z": 5})
    >>> h.matrix, h.operations.sweeps
    ([[60.0, 12.0], [12.0, 0.0]], 2)
    """
    o = one_output(g, of)
    ins = _inputs_only(g, select(g, wrt, g.inputs))
    warnings = _warnings(g, inputs, ieee)
    a, names = _adjoint(g, o, ins)
    grads = [names[i] for i in ins]
    r = grad(a, inputs, mode="forward", of=grads, wrt=[g.names[i] for i in ins], ieee=ieee, max_work=None)
    matrix = [[r[n, g.names[j]] for j in ins] for n in grads]
    return Hessian(g.names[o], [g.names[i] for i in ins], matrix, r.operations, size(a), size(g),
                   warnings + [w for w in r.lin.warnings if w not in warnings])


def hvp(g: Graph, vector: Mapping[str, float], inputs: Mapping[str, float] | None = None, *,
        of: str | int | None = None, ieee: bool = False) -> HessianVector:
    """H·v for the Hessian H of output ``of``, by one tangent sweep of the adjoint program seeded with ``v``
    (inputs missing from ``vector`` have direction 0).

    >>> from graphdiff import loads
    >>> hvp(loads("y = x ^ 3 * z"), {"x": 1, "z": 1}, {"x": 2, "z": 5}).product
    {'x': 72.0, 'z': 12.0}
    """
    o = one_output(g, of)
    seeds = {}
    for name, v in vector.items():
        i = g.node(name) if name in g.index or name not in g.vectors else None
        idx = [i] if i is not None else list(range(*_span(g, name)))
        many = isinstance(v, (list, tuple))
        if many and i is not None:
            raise InputError(f"--hvp: '{name}' is a single input: give it one number, not a list")
        if many and len(v) != len(idx):
            raise InputError(f"--hvp: '{name}' is a vector of {len(idx):,} elements, but {len(v):,} directions "
                             "were given for it")
        for n_k, k in enumerate(idx):
            if g.ops[k] != "input":
                raise InputError(f"--hvp: '{g.names[k]}' is not an input of {g.source}")
            seeds[k] = float(v[n_k] if many else v)
    warnings = _warnings(g, inputs, ieee)
    ins = list(g.inputs)
    a, names = _adjoint(g, o, ins)
    lin = linearize_for_derivatives(a, inputs, ieee=ieee)
    tangent, ops = directional(lin, {a.node(g.names[k]): v for k, v in seeds.items()})
    product = {}
    for i in ins:
        n = a.node(names[i])
        product[g.names[i]] = tangent[n]
    bad = next((k for k, v in product.items() if not math.isfinite(v)), None)
    if bad is not None and not ieee:
        raise ComputeError(f"(H·v)[{bad}] is {fmt_num(product[bad])}: the second derivatives of "
                           f"{g.names[o]} are not finite at this point", source=g.source)
    return HessianVector(g.names[o], {g.names[k]: v for k, v in seeds.items()}, product, ops, size(a),
                         warnings + [w for w in lin.warnings if w not in warnings])


def _span(g: Graph, vec: str) -> tuple[int, int]:
    start, n = g.vectors[vec]
    return start, start + n


def directional(lin: Linearization, seeds: Mapping[int, float]) -> tuple[list[float], Operations]:
    """One forward sweep seeded with a direction: ``tangent[node]`` = Σ_i ∂node/∂input_i · seeds[i] (the
    accumulation sweep with every seed set at once), and its operations (a multiplication per edge from a
    node the seeds reach, an addition per contribution beyond the first at a node), as a forward sweep counts
    them."""
    g = lin.graph
    tangent = [0.0] * len(g)
    for i, v in seeds.items():
        tangent[i] = v
    reached = descendants(g, list(seeds))
    src = g.edge_src
    edges = [k for k in range(g.n_edges) if reached[src[k]]]
    accumulate(g, tangent, lin.partials, edges, forward=True, skip_zero=False)
    mults = len(edges)
    return tangent, Operations(1, mults, mults - (sum(reached) - len(seeds)))
