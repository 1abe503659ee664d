"""Second derivatives by forward over reverse: the Hessian of one output as one tangent sweep of its adjoint
program per input, and a Hessian-vector product as a single tangent sweep seeded with the vector.

The adjoint program is :func:`graphdiff.derive.derive`'s, parsed as any program is; its gradient outputs
``d<o>_d<i>`` are differentiated by forward mode (:func:`graphdiff.grad.grad`), so ∂²o/∂i∂j is the tangent of
``d<o>_d<i>`` with respect to ``j``, with the same fault handling, warnings and operation counts as every
sweep. :func:`check_hessian` compares it with SymPy's second derivatives and with central differences of the
reverse-mode gradient (``graphdiff check --order 2``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .accumulate import Operations
from .check import EPS, Symbolic, _symbolic_skip, richardson
from .derive import derive, size
from .errors import ComputeError, Diagnostic, InputError
from .evaluate import Linearization, bind
from .faults import linearize_for_derivatives
from .grad import grad, select
from .graph import Graph, loads
from .notation import fmt_num, json_num as num


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

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter's display: the picture, the table, the text (graphdiff.notebook)."""
        from .notebook import bundle

        return bundle(self, include, exclude)

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

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter's display: the picture, the table, the text (graphdiff.notebook)."""
        from .notebook import bundle

        return bundle(self, include, exclude)

    def to_dict(self) -> dict[str, Any]:
        out = {"hvp": {k: num(v) for k, v in self.product.items()}, "operations": self.operations.to_dict(),
               "output": self.output, "vector": {k: num(v) for k, v in self.vector.items()},
               "program": self.program}
        if self.warnings:
            out["warnings"] = [d.to_dict() for d in self.warnings]
        return out


def _one_output(g: Graph, of: str | int | None) -> int:
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
    o = _one_output(g, of)
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
    o = _one_output(g, of)
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
    """One forward sweep seeded with a direction: ``tangent[node]`` = Σ_i ∂node/∂input_i · seeds[i], and the
    operations (a multiplication per edge from a node the seeds reach, an addition per contribution beyond
    the first at a node), as a forward sweep counts them."""
    g = lin.graph
    tangent = [0.0] * len(g)
    reached = bytearray(len(g))
    for i, v in seeds.items():
        tangent[i] = v
        reached[i] = 1
    src, dst, partials = g.edge_src, g.edge_dst, lin.partials
    mults = adds = 0
    for k in range(g.n_edges):
        s = src[k]
        if reached[s]:
            d = dst[k]
            mults += 1
            if reached[d]:
                adds += 1
                tangent[d] += partials[k] * tangent[s]
            else:
                reached[d] = 1
                tangent[d] = partials[k] * tangent[s]
    return tangent, Operations(1, mults, adds)


# ---- check --order 2 ----------------------------------------------------------------------------------------

@dataclass
class HessianEntry:
    """One entry ∂²o/∂a∂b by every method, with the verdicts."""

    a: str
    b: str
    values: dict[str, float | None]
    fd_error: float | None
    ok: dict[str, bool | None]

    @property
    def passed(self) -> bool:
        return all(v is not False for v in self.ok.values())


@dataclass
class HessianCheck:
    output: str
    entries: list[HessianEntry]
    symmetric: float  # the largest |H[a][b] - H[b][a]|
    skipped: dict[str, str]

    @property
    def ok(self) -> bool:
        return all(e.passed for e in self.entries)

    def failure_messages(self, limit: int = 5) -> list[str]:
        out = []
        for e in self.entries:
            for m, good in e.ok.items():
                if good is False:
                    out.append(f"∂²{self.output}/∂{e.a}∂{e.b}: forward over reverse gives "
                               f"{fmt_num(e.values['forward over reverse'])}, {m} {fmt_num(e.values[m])}")
        return out[:limit]

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "order": 2, "output": self.output, "max_asymmetry": num(self.symmetric),
                "entries": [{"of": self.output, "wrt": [e.a, e.b],
                             "values": {k: None if v is None else num(v) for k, v in e.values.items()},
                             "fd_error": None if e.fd_error is None else num(e.fd_error),
                             "ok": e.ok} for e in self.entries],
                "skipped": self.skipped}


def check_hessian(g: Graph, inputs: Mapping[str, float] | None = None, *, of: str | int | None = None,
                  wrt: Sequence[str | int] | None = None, rtol: float = 1e-6, atol: float = 1e-9,
                  fd_rtol: float = 1e-4, fd_atol: float = 1e-6, symbolic: bool = True,
                  ieee: bool = False) -> HessianCheck:
    """The Hessian by forward over reverse against SymPy's second derivatives (when SymPy is installed and the
    graph small) and against central differences of the reverse-mode gradient (Richardson-extrapolated, with
    an error estimate), entry by entry."""
    o = _one_output(g, of)
    ins = select(g, wrt, g.inputs)
    h = hessian(g, inputs, of=o, wrt=ins, ieee=ieee)
    values = bind(g, inputs)
    point = {g.names[i]: values[i] for i in g.inputs}
    skipped: dict[str, str] = {}
    sym = None
    if symbolic:
        why = _symbolic_skip(g)
        if why:
            skipped["symbolic"] = why
        else:
            sym = Symbolic(g, [o])
    fd: dict[int, list[tuple[float, float]] | None] = {}
    for j in ins:
        fd[j] = _gradient_differences(g, point, o, j, ins)
        if fd[j] is None:
            skipped.setdefault("fd", f"central differences of the gradient leave the domain at "
                                     f"{g.names[j]} = {fmt_num(point[g.names[j]])}")
    entries = []
    for a_pos, a in enumerate(ins):
        for b_pos, b in enumerate(ins):
            got = h.matrix[a_pos][b_pos]
            vals: dict[str, float | None] = {"forward over reverse": got}
            ok: dict[str, bool | None] = {}
            if sym is not None:
                s = _second(sym, o, a, b, values)
                vals["symbolic"] = s
                ok["symbolic"] = None if s is None or not math.isfinite(s) else \
                    abs(s - got) <= atol + rtol * max(abs(s), abs(got))
            err = None
            if fd[b] is not None:
                est, err = fd[b][a_pos]
                vals["finite diff"] = est
                ok["finite diff"] = abs(est - got) <= err + fd_atol + fd_rtol * abs(got)
            entries.append(HessianEntry(g.names[a], g.names[b], vals, err, ok))
    asym = max((abs(h.matrix[x][y] - h.matrix[y][x]) for x in range(len(ins)) for y in range(x)), default=0.0)
    return HessianCheck(g.names[o], entries, asym, skipped)


def _second(sym: Symbolic, o: int, a: int, b: int, values: list[float]) -> float | None:
    sp = sym.sp
    key = ("2", o, a, b)
    d = sym.derivs.get(key)
    if d is None:
        d = sym.derivs[key] = sp.diff(sym.exprs[o], sym.symbols[a], sym.symbols[b])
    x = d.xreplace({s: sp.Float(values[j], 30) for j, s in sym.symbols.items()})
    try:
        v = complex(sp.N(x, 30))
    except (TypeError, ValueError):
        return None
    return v.real if v.imag == 0 else math.nan


def _gradient_differences(g: Graph, point: dict[str, float], o: int, j: int, ins: list[int]
                          ) -> list[tuple[float, float]] | None:
    """Central differences in input ``j`` of the reverse-mode gradient of ``o``: (estimate, error) for every
    input in ``ins``, or None when the stencil leaves the domain."""
    name = g.names[j]
    x = point[name]
    h = (x + EPS ** (1 / 4) * max(1.0, abs(x))) - x  # a second derivative from first ones: ε^(1/3) of those
    ys = {}
    for step in (h, -h, h / 2, -h / 2):
        try:
            r = grad(g, {**point, name: x + step}, of=[o], wrt=[g.names[i] for i in ins])
        except ComputeError:
            return None
        ys[step] = [r[o, i] for i in ins]
    return richardson(h, ys)
