"""Evaluation and linearization: every node's value, and the local partial derivative on every edge.

``linearize`` is the first of the essay's two tricks: after it, every algorithm (forward, reverse, sum over
paths) works on numbers attached to edges and never looks at an operation again.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from .errors import ComputeError, Diagnostic, MissingInputError, NameError_
from .graph import Graph, _suggest
from .ops import fmt_num, ieee_value
from .tape import Tape, compile_tape


def tape_of(g: Graph) -> Tape:
    """The graph's tape, compiled on first use."""
    t = g.__dict__.get("_tape")
    if t is None:
        t = g.__dict__["_tape"] = compile_tape(g)
    return t


def bind(g: Graph, values: Mapping[str, float] | None = None) -> list[float]:
    """The value of every input, in ``g.inputs`` order: ``values`` first, then the program's defaults.

    A name in ``values`` may be an input (``a``, ``x[3]``) or a whole vector (``x``, every element).
    """
    given: dict[int, float] = dict(g.defaults)
    for name, v in (values or {}).items():
        try:
            v = float(v)
        except (TypeError, ValueError):
            raise NameError_(f"value for '{name}' is not a number: {v!r}") from None
        if name in g.vectors:
            start, size = g.vectors[name]
            given.update(dict.fromkeys(range(start, start + size), v))
            continue
        i = g.index.get(name)
        if i is None or g.ops[i] != "input":
            what = "a computed node, not an input" if i is not None else "not a node of the program"
            hint = "" if i is not None else _suggest(name, [g.names[j] for j in g.inputs[:10000]] + list(g.vectors))
            raise NameError_(f"cannot set '{name}': it is {what}{hint}")
        given[i] = v
    out = []
    for i in g.inputs:
        v = given.get(i)
        if v is None:
            name = g.names[i]
            raise MissingInputError(
                f"input '{name}' has no value; give it with --set {name}=VALUE, in --inputs FILE, or in the "
                f"program as 'input {name.split('[')[0]}{'[N]' if '[' in name else ''} = VALUE'",
                g.lines[i], g.cols[i], source=g.source, node=name).locate(g.source, g.text)
        out.append(v)
    return out


@dataclass
class Values:
    """Every node's value (``values[i]`` for node ``i``), with the warnings raised on the way."""

    graph: Graph
    values: list[float]
    warnings: list[Diagnostic] = field(default_factory=list)
    faults: list[Diagnostic] = field(default_factory=list)  # NaN/inf let through with ieee=True

    def __getitem__(self, name: str) -> float:
        return self.values[self.graph.node(name)]

    def outputs(self) -> dict[str, float]:
        g = self.graph
        return {g.names[i]: self.values[i] for i in g.outputs}


@dataclass
class Linearization(Values):
    """Values plus the local partial on every edge: ``partials[k]`` is ∂ edge_dst[k] / ∂ edge_src[k]."""

    partials: list[float] = field(default_factory=list)


def _fail(g: Graph, i: int, message: str) -> ComputeError:
    return ComputeError(f"{message} (node '{g.names[i]}')", g.lines[i], g.cols[i], source=g.source,
                        node=g.names[i]).locate(g.source, g.text)


def _describe(g: Graph, i: int, xs, v: float) -> str:
    """``log(x) = nan with x = -1``: the expression, what it gave, and the values of its node operands."""
    pairs = [f"{g.names[a]} = {fmt_num(x)}" for a, x in zip(g.args[i], xs) if a.__class__ is int]
    shown = ", ".join(pairs[:4]) + (f", … ({len(pairs) - 4} more)" if len(pairs) > 4 else "")
    return f"{g.texts[i]} = {fmt_num(v)} with {shown}" if shown else f"{g.texts[i]} = {fmt_num(v)}"


def _run(g: Graph, inputs, ieee: bool, partials: list[float] | None) -> Values:
    t = tape_of(g)
    vals = [0.0] * t.n + t.pool
    for i, v in zip(g.inputs, bind(g, inputs)):
        vals[i] = v
    warnings: list[Diagnostic] = []
    faults: list[Diagnostic] = []
    estart, earg = g.edge_start, g.edge_arg
    for i, p, s in zip(t.body, t.prims, t.slots):
        xs = [vals[j] for j in s]
        try:
            v = p.value(xs)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            v = ieee_value(p, xs, exc)
            msg = (p.domain or "domain error") if not isinstance(exc, OverflowError) else "overflow"
            if isinstance(exc, ZeroDivisionError):
                msg = "division by zero"
            if not ieee:
                raise _fail(g, i, f"{msg}: {_describe(g, i, xs, v)}") from None
            faults.append(Diagnostic(g.names[i], g.lines[i], g.cols[i], f"{msg}: {_describe(g, i, xs, v)}"))
        vals[i] = v
        if p.kink is not None:
            msg = p.kink(xs)
            if msg:
                warnings.append(Diagnostic(g.names[i], g.lines[i], g.cols[i], f"{msg} (node '{g.names[i]}')"))
        if partials is not None:
            a, b = estart[i], estart[i + 1]
            if a < b:
                ps = p.partials(xs, v)
                for k in range(a, b):
                    partials[k] = ps[earg[k]]
    del vals[t.n:]
    _check_finite(g, vals, None, ieee, faults)
    return (Linearization(g, vals, warnings, faults, partials) if partials is not None
            else Values(g, vals, warnings, faults))


def _check_finite(g: Graph, vals: list[float], partials: list[float] | None, ieee: bool,
                  faults: list[Diagnostic]) -> None:
    """Report the first node whose value is NaN or infinite (a silent IEEE overflow such as 1e200 * 1e200)."""
    if math.isfinite(sum(vals)):
        return
    recorded = {d.node for d in faults}
    for i, v in enumerate(vals):
        if not math.isfinite(v) and g.names[i] not in recorded:
            kind = "NaN" if v != v else "infinite"
            operands = [vals[a] if a.__class__ is int else a for a in g.args[i]]
            upstream = any(not math.isfinite(x) for x in operands)
            if upstream:
                continue  # carried from an earlier fault
            what = "input value" if g.ops[i] == "input" else "overflow" if kind == "infinite" else "NaN"
            msg = f"{what}: {g.texts[i] if g.ops[i] != 'input' else g.names[i]} is {fmt_num(v)}"
            if g.ops[i] != "input":
                msg = f"{what}: {_describe(g, i, operands, v)}"
            if not ieee:
                raise _fail(g, i, msg)
            faults.append(Diagnostic(g.names[i], g.lines[i], g.cols[i], msg))


def evaluate(g: Graph, inputs: Mapping[str, float] | None = None, *, ieee: bool = False) -> Values:
    """Every node's value.

    Raises :class:`ComputeError` naming the node and line for a domain error (``log(-1)``), a division by
    zero or an overflow, unless ``ieee`` is true, in which case NaN and ±inf are kept and listed in
    ``faults``.

    >>> from graphdiff import loads
    >>> evaluate(loads("c = a + b; d = b + 1; e = c * d"), {"a": 2, "b": 1}).outputs()
    {'e': 6.0}
    """
    return _run(g, inputs, ieee, None)


def linearize(g: Graph, inputs: Mapping[str, float] | None = None, *, ieee: bool = False) -> Linearization:
    """Values and the local partial derivative on every edge (``partials[k]`` for edge ``k``).

    A partial that is NaN or infinite (``sqrt(x)`` at 0) raises :class:`ComputeError` naming the edge, unless
    ``ieee`` is true. Non-differentiable points (``relu(0)``, ties in ``max``) use the conventions in
    :mod:`graphdiff.ops` and add a warning.

    >>> from graphdiff import loads
    >>> linearize(loads("c = a + b; d = b + 1; e = c * d"), {"a": 2, "b": 1}).partials
    [1.0, 1.0, 1.0, 2.0, 3.0]
    """
    partials = [0.0] * g.n_edges
    lin = _run(g, inputs, ieee, partials)
    if not math.isfinite(sum(partials)):
        for k, p in enumerate(partials):
            if not math.isfinite(p):
                s, d = g.edge_src[k], g.edge_dst[k]
                if not (math.isfinite(lin.values[s]) and math.isfinite(lin.values[d])):
                    continue  # the value itself is already a fault
                msg = (f"the partial ∂{g.names[d]}/∂{g.names[s]} is {fmt_num(p)} at {g.names[s]} = "
                       f"{fmt_num(lin.values[s])}: {g.texts[d]} is not differentiable there")
                if not ieee:
                    raise _fail(g, d, msg)
                lin.faults.append(Diagnostic(g.names[d], g.lines[d], g.cols[d], msg))
    return lin
