"""Evaluation and linearization: every node's value, and the local partial derivative on every edge.

``linearize`` is the first of the essay's two tricks: after it, every algorithm (forward, reverse, sum over
paths) works on numbers attached to edges and never looks at an operation again.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from ..base.errors import ComputeError, Diagnostic, InputError, MissingInputError, NameError_, suggest
from ..language.graph import Graph
from ..base.notation import all_finite, fmt_num, json_num, json_nums, partial
from ..codegen.compile import numeric
from ..codegen.stored import ready
from ..primitives import PRIMITIVES
from ..codegen.formula import formulas
from ..language.tape import tape_of


def _number(name: str, v, ieee: bool) -> float:
    """An input value as a float, or bad input naming the input; NaN and infinities only with ``ieee``."""
    if isinstance(v, bool) or isinstance(v, (str, bytes)):
        raise InputError(f"value of '{name}' is not a number: {v!r}")
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise InputError(f"value of '{name}' is not a number: {v!r}"[:200]) from None
    except OverflowError:
        raise InputError(f"value of '{name}' is too large for a float: {str(v)[:40]}") from None
    if not ieee and not math.isfinite(x):
        raise InputError(f"value of '{name}' is {fmt_num(x)}: an input value must be a finite number (--ieee "
                         "lets NaN and infinities through)")
    return x


def _many(v) -> bool:
    """Whether ``v`` is a collection of values (a list, a tuple, a range, a NumPy array …) for a vector."""
    return not isinstance(v, (str, bytes)) and hasattr(v, "__iter__") and getattr(v, "ndim", 1) != 0


def bind(g: Graph, values: Mapping[str, object] | None = None, *, ieee: bool = False) -> list[float]:
    """The value of every input, in ``g.inputs`` order: ``values`` first, then the program's defaults.

    A name in ``values`` may be an input (``a``, ``x[3]``) or a whole vector: ``x`` with one number sets every
    element, ``x`` with a sequence of numbers (a list, a range, a NumPy array) sets each, and must have the
    vector's length. Values must be finite unless ``ieee``.

    >>> from graphdiff import loads
    >>> bind(loads("input x[3]; y = sum(x) * a"), {"x": [1, 2, 3], "a": 0.5})
    [1.0, 2.0, 3.0, 0.5]
    """
    given: dict[int, float] = dict(g.defaults)
    for name, v in (values or {}).items():
        if name in g.vectors:
            start, size = g.vectors[name]
            if _many(v):
                xs = [_number(f"{name}[{n}]", x, ieee) for n, x in enumerate(v)]
                if len(xs) != size:
                    raise InputError(f"'{name}' is a vector of {size:,} elements, but {len(xs):,} values were "
                                     f"given for it")
                given.update(zip(range(start, start + size), xs))
            else:
                given.update(dict.fromkeys(range(start, start + size), _number(name, v, ieee)))
            continue
        i = g.find(name)
        if i is None or g.ops[i] != "input":
            what = "a computed node, not an input" if i is not None else "not a node of the program"
            if _many(v) and i is None:
                what = "not a vector input of the program"
            hint = "" if i is not None else suggest(name, [g.names[j] for j in g.inputs[:10000]] + list(g.vectors))
            raise NameError_(f"cannot set '{name}': it is {what}{hint}")
        if _many(v):
            raise InputError(f"'{name}' is a single input, not a vector: give it one number, not a list")
        given[i] = _number(name, v, ieee)
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

    def diagnostics(self) -> dict[str, list[dict]]:
        """``warnings`` and ``faults`` as JSON lists, each only when there is one."""
        out = {}
        if self.warnings:
            out["warnings"] = [d.to_dict() for d in self.warnings]
        if self.faults:
            out["faults"] = [d.to_dict() for d in self.faults]
        return out

    def to_dict(self) -> dict:
        """The JSON document of ``graphdiff eval``: every value, the outputs and the inputs, by name.

        >>> from graphdiff import loads
        >>> evaluate(loads("c = a + b; d = b + 1; e = c * d"), {"a": 2, "b": 1}).to_dict()["outputs"]
        {'e': 6.0}
        """
        g, v = self.graph, self.values
        out = {"values": dict(zip(g.names, json_nums(v))),
               "outputs": {g.names[i]: json_num(v[i]) for i in g.outputs},
               "inputs": {g.names[i]: json_num(v[i]) for i in g.inputs}}
        out.update(self.diagnostics())
        return out


@dataclass
class Linearization(Values):
    """Values plus the local partial on every edge: ``partials[k]`` is ∂ edge_dst[k] / ∂ edge_src[k]."""

    partials: list[float] = field(default_factory=list)

    @property
    def finite(self) -> bool:
        """Whether every partial is a finite number (then the sweeps may skip zero derivatives exactly)."""
        f = self.__dict__.get("_finite")
        if f is None:
            f = self.__dict__["_finite"] = all_finite(self.partials)
        return f

    def to_dict(self) -> dict:
        """The JSON document of ``graphdiff edges``: every edge with its partial and the partial's formula.

        >>> from graphdiff import loads
        >>> linearize(loads("c = a + b; d = b + 1; e = c * d"), {"a": 2, "b": 1}).to_dict()["edges"][3]
        {'from': 'c', 'to': 'e', 'partial': 2.0, 'formula': 'd', 'arg': 0}
        """
        g = self.graph
        out = {"edges": [{"from": g.names[s], "to": g.names[d], "partial": json_num(p), "formula": f,
                          "arg": a} for (s, d, a), p, f in zip(g.iter_edges(), self.partials, formulas(g))]}
        out.update(self.diagnostics())
        return out


def _fail(g: Graph, i: int, message: str) -> ComputeError:
    return ComputeError(f"{message} (node '{g.names[i]}')", g.lines[i], g.cols[i], source=g.source,
                        node=g.names[i]).locate(g.source, g.text)


def _describe(g: Graph, i: int, xs, v: float) -> str:
    """``log(x) = nan with x = -1``: the expression, what it gave, and the values of its node operands."""
    pairs = [f"{g.names[a]} = {fmt_num(x)}" for a, x in zip(g.args[i], xs) if a.__class__ is int]
    shown = ", ".join(pairs[:4]) + (f", … ({len(pairs) - 4} more)" if len(pairs) > 4 else "")
    return f"{g.texts[i]} = {fmt_num(v)} with {shown}" if shown else f"{g.texts[i]} = {fmt_num(v)}"


def _compiled(t) -> list:
    """Each computing node's compiled row (:func:`graphdiff.codegen.compile.numeric`), aligned with the tape."""
    rules = getattr(t, "_rules", None)
    if rules is None:
        by: dict = {}
        rules = []
        for p, s in zip(t.prims, t.slots):
            key = (p.name, len(s))
            c = by.get(key)
            if c is None:
                c = by[key] = numeric(p, len(s))
            rules.append(c)
        object.__setattr__(t, "_rules", rules)
    return rules


def _compiled_run(g: Graph, prog, inputs, ieee: bool, partials: list[float] | None) -> Values | None:
    """The same computation by the graph's compiled program (:mod:`graphdiff.codegen.stored`): the same doubles,
    the same warnings in the same order. None where the program raises (a fault): the interpreter then runs,
    and says what the fault is and where."""
    vals = [0.0] * len(g)
    for i, v in zip(g.inputs, bind(g, inputs, ieee=ieee)):
        vals[i] = v
    faults = _constant_faults(g, ieee)
    try:
        kinks = prog.run(vals, partials if partials is not None else [0.0] * g.n_edges)
    except (ArithmeticError, ValueError):
        return None
    warnings = []
    for i in kinks:
        xs = [vals[a] if a.__class__ is int else a for a in g.args[i]]
        c = numeric(PRIMITIVES[g.ops[i]], len(xs))
        msg = c.primitive.kink[1].format(*g.operand_text(i), y=fmt_num(vals[i]), c=fmt_num(c.kink(xs, vals[i])))
        warnings.append(Diagnostic(g.names[i], g.lines[i], g.cols[i], f"{msg} (node '{g.names[i]}')"))
    _check_finite(g, vals, None, ieee, faults)
    return (Linearization(g, vals, warnings, faults, partials) if partials is not None
            else Values(g, vals, warnings, faults))


def _run(g: Graph, inputs, ieee: bool, partials: list[float] | None) -> Values:
    prog = ready(g)
    if prog is not None:
        r = _compiled_run(g, prog, inputs, ieee, partials)
        if r is not None:
            return r
    t = tape_of(g)
    vals = [0.0] * t.n + t.pool
    for i, v in zip(g.inputs, bind(g, inputs, ieee=ieee)):
        vals[i] = v
    warnings: list[Diagnostic] = []
    faults: list[Diagnostic] = _constant_faults(g, ieee)
    estart, earg, n = g.edge_start, g.edge_arg, t.n
    get = vals.__getitem__
    for i, c, s in zip(t.body, _compiled(t), t.slots):
        xs = list(map(get, s))
        try:
            v = c.value(xs)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            p = c.primitive
            v = p.ieee(xs, exc)
            msg = f"{p.fault(g.operand_text(i), exc)}: {_describe(g, i, xs, v)}"
            if not ieee:
                raise _fail(g, i, msg) from None
            faults.append(Diagnostic(g.names[i], g.lines[i], g.cols[i], msg))
        vals[i] = v
        if c.kink is not None:
            k = c.kink(xs, v)
            p = c.primitive
            if k and (p.kink_arg is None or s[p.kink_arg] < n):  # the convention sets a node's partial
                msg = p.kink[1].format(*g.operand_text(i), y=fmt_num(v), c=fmt_num(k))
                warnings.append(Diagnostic(g.names[i], g.lines[i], g.cols[i], f"{msg} (node '{g.names[i]}')"))
        if partials is not None:
            a, b = estart[i], estart[i + 1]
            if a < b:
                ps = c.partials(xs, v)
                if b - a == len(ps):  # every operand a node: the edges are the operands, in order
                    partials[a:b] = ps
                else:
                    for k in range(a, b):
                        partials[k] = ps[earg[k]]
    del vals[t.n:]
    _check_finite(g, vals, None, ieee, faults)
    return (Linearization(g, vals, warnings, faults, partials) if partials is not None
            else Values(g, vals, warnings, faults))


def _constant_faults(g: Graph, ieee: bool) -> list[Diagnostic]:
    """Constant subexpressions out of their domain (``1 / 0``): the first raises, unless ``ieee``."""
    if g.faults and not ieee:
        d = g.faults[0]
        raise ComputeError(d.message, d.line, d.col, source=g.source).locate(g.source, g.text)
    return list(g.faults)


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
                msg = (f"the partial {partial(g.names[d], g.names[s])} is {fmt_num(p)} at {g.names[s]} = "
                       f"{fmt_num(lin.values[s])}: {g.texts[d]} is not differentiable there")
                if not ieee:
                    raise _fail(g, d, msg)
                lin.faults.append(Diagnostic(g.names[d], g.lines[d], g.cols[d], msg))
    return lin
