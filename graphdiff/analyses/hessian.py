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
from ..base.errors import ComputeError, Diagnostic, InputError, suggest
from ..codegen.formula import node_formulas
from ..sweeps.evaluate import Linearization, bind
from ..sweeps.faults import linearize_for_derivatives
from .grad import grad
from ..language.graph import Graph, loads, select
from ..base.notation import atom, fmt_num, json_num as num, partial


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


def _first_order(g: Graph, o: int, ins: list[int], inputs, ieee: bool) -> list[Diagnostic]:
    """The gradient first, on the user's own program: where it does not exist, neither do second derivatives,
    and the error names the user's node, line and column. Its warnings (one a kink) are the Hessian's: the
    adjoint program's kinks are the same kinks written again."""
    r = grad(g, inputs, of=[o], wrt=ins, ieee=ieee)
    return list(r.lin.warnings) + [f.diagnostic(g) for f in r.faults]


def _origin(g: Graph, a: Graph, node: str | None, o: int) -> int:
    """The node of the user's program that node ``node`` of its adjoint program ``a`` comes from: the node of
    that name; for a partial written out (an anonymous node of the adjoint), the last node whose partials'
    texts hold it; else the output."""
    if node is None:
        return o
    i = g.find(node)
    if i is not None:
        return i
    for k in range(o, -1, -1):
        if g.edge_start[k] < g.edge_start[k + 1] and any(node in t for t in node_formulas(g, k)):
            return k
    return o


def _located(g: Graph, a: Graph, o: int, e: ComputeError) -> ComputeError:
    """An error met evaluating the adjoint program, told at the user's node."""
    k = _origin(g, a, e.node, o)
    msg = f"second derivatives of {g.names[o]} do not exist at this point: {e.message}"
    return ComputeError(msg, g.lines[k], g.cols[k], source=g.source, node=g.names[k]).locate(g.source, g.text)


def second(o: str, i: str, j: str) -> str:
    """``∂²y/∂x²`` or ``∂²y/∂x∂z``."""
    return f"∂²{atom(o)}/∂{atom(i)}²" if i == j else f"∂²{atom(o)}/∂{atom(i)}∂{atom(j)}"


def _fault(g: Graph, a: Graph, lin: Linearization, o: int, by_name: dict[str, int], f) -> ComputeError:
    """A second derivative that is NaN or infinite, told in the user's terms: which one, the user's node whose
    derivative it enters through, and the partial of the adjoint program that has no value there."""
    i = by_name.get(a.names[f.output], o)
    k = _origin(g, a, a.names[f.node], o)
    kind = "NaN" if f.value != f.value else fmt_num(f.value)
    msg = f"{second(g.names[o], g.names[i], a.names[f.input])} is {kind}: it enters at node '{g.names[k]}' " \
          f"(line {g.lines[k]})"
    if f.edge is not None:
        s, d = a.edge_src[f.edge], a.edge_dst[f.edge]
        p = lin.partials[f.edge]
        msg += (f", through its derivative's partial {partial(a.names[d], a.names[s])} = "
                f"{'NaN' if p != p else fmt_num(p)} at {a.names[s]} = {fmt_num(lin.values[s])}")
    else:
        msg += f": {f.message.split(': ', 1)[-1]}"
    return ComputeError(msg, g.lines[k], g.cols[k], source=g.source, node=g.names[k]).locate(g.source, g.text)


def _second_order(g: Graph, a: Graph, o: int, by_name: dict[str, int], r) -> list[Diagnostic]:
    """What the adjoint program's sweeps found, told at the user's nodes: float64 overflows recomputed, and
    the second derivatives that are NaN or infinite (let through with ``--ieee``). Its kinks are the user
    program's, reported once already."""
    out = []
    for w in r.lin.warnings:
        if w.kind == "recomputed":
            k = _origin(g, a, w.node, o)
            out.append(Diagnostic(g.names[k], g.lines[k], g.cols[k], f"second derivatives: {w.message}"))
    for f in r.faults:
        e = _fault(g, a, r.lin, o, by_name, f)
        out.append(Diagnostic(e.node, e.line, e.col, f"IEEE: {e.message}"))
    return out


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
    warnings = _first_order(g, o, ins, inputs, ieee)
    a, names = _adjoint(g, o, ins)
    grads = [names[i] for i in ins]
    by_name = {n: i for i, n in names.items()}
    try:
        r = grad(a, inputs, mode="forward", of=grads, wrt=[g.names[i] for i in ins], ieee=True, max_work=None)
    except ComputeError as e:
        raise _located(g, a, o, e) from None
    if r.faults and not ieee:
        raise _fault(g, a, r.lin, o, by_name, r.faults[0])
    if not ieee:  # the adjoint program's values, with --ieee let through above, are the user's (checked first)
        r.lin.faults.clear()
    matrix = [[r[n, g.names[j]] for j in ins] for n in grads]
    return Hessian(g.names[o], [g.names[i] for i in ins], matrix, r.operations, size(a), size(g),
                   warnings + _second_order(g, a, o, by_name, r))


def direction(g: Graph, vector: Mapping[str, object]) -> dict[int, float]:
    """The direction of a Hessian-vector product by input: names of inputs or whole vectors (a number each, or
    a list for a vector); inputs it leaves out have direction 0. Bad input (exit 2) names ``--hvp``."""
    if not isinstance(vector, Mapping):
        raise InputError(f"--hvp must be a JSON object of directions by input name, such as "
                         f'{{"w1": 1}}, not {type(vector).__name__}')
    seeds = {}
    for name, v in vector.items():
        if name not in g.index and name not in g.vectors:
            raise InputError(f"--hvp: no input named '{name}' in {g.source}"
                             f"{suggest(name, [g.names[i] for i in g.inputs] + list(g.vectors))}")
        i = g.index.get(name)
        idx = [i] if i is not None else list(range(*_span(g, name)))
        many = isinstance(v, (list, tuple))
        if many and i is not None:
            raise InputError(f"--hvp: '{name}' is a single input: give it one number, not a list")
        if many and len(v) != len(idx):
            raise InputError(f"--hvp: '{name}' is a vector of {len(idx):,} elements, but {len(v):,} directions "
                             "were given for it")
        for n_k, k in enumerate(idx):
            if g.ops[k] != "input":
                raise InputError(f"--hvp: '{g.names[k]}' is computed, not an input of {g.source}: a direction is "
                                 "given for inputs")
            x = v[n_k] if many else v
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise InputError(f"--hvp: the direction of '{g.names[k]}' is not a number: {x!r}"[:200])
            if not math.isfinite(float(x)):
                raise InputError(f"--hvp: the direction must be finite ('{g.names[k]}' is {fmt_num(float(x))})")
            seeds[k] = float(x)
    return seeds


def hvp(g: Graph, vector: Mapping[str, float], inputs: Mapping[str, float] | None = None, *,
        of: str | int | None = None, ieee: bool = False) -> HessianVector:
    """H·v for the Hessian H of output ``of``, by one tangent sweep of the adjoint program seeded with ``v``
    (inputs missing from ``vector`` have direction 0).

    >>> from graphdiff import loads
    >>> hvp(loads("y = x ^ 3 * z"), {"x": 1, "z": 1}, {"x": 2, "z": 5}).product
    {'x': 72.0, 'z': 12.0}
    """
    o = one_output(g, of)
    seeds = direction(g, vector)
    ins = list(g.inputs)
    warnings = _first_order(g, o, ins, inputs, ieee)
    a, names = _adjoint(g, o, ins)
    try:
        lin = linearize_for_derivatives(a, inputs, ieee=ieee)
    except ComputeError as e:
        raise _located(g, a, o, e) from None
    tangent, ops = directional(lin, {a.node(g.names[k]): v for k, v in seeds.items()})
    product = {g.names[i]: tangent[a.node(names[i])] for i in ins}
    bad = next((k for k, v in product.items() if not math.isfinite(v)), None)
    if bad is not None and not ieee:
        raise ComputeError(f"(H·v)[{bad}] is {fmt_num(product[bad])}: the second derivatives of "
                           f"{g.names[o]} are not finite at this point", g.lines[o], g.cols[o], source=g.source,
                           node=g.names[o]).locate(g.source, g.text)
    return HessianVector(g.names[o], {g.names[k]: v for k, v in seeds.items()}, product, ops, size(a), warnings)


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
