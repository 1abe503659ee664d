"""A graph compiled to Python: every node's value and every edge's partial as straight-line code, in chunks.

The interpreter (:mod:`graphdiff.sweeps.evaluate`) walks the tape node by node, calling each row's compiled
functions; a compiled program writes the same computation out once, one statement a node and one an edge,
from the same rows (each value its row's leaf, each partial its row's formula text through the one
:class:`~graphdiff.codegen.compile.Emitter`), so it computes the same doubles at a fraction of the cost a node.
Where anything raises (a domain error, a partial that divides by zero), the program stops and the interpreter
runs instead, so faults keep their messages, nodes, lines and columns.

The same code serves many points at once: with the ``numpy`` backend every node is one array operation across
all the points (IEEE arithmetic: a fault is a NaN or an infinity in that point's column, which the caller
reports point by point).

Compiling costs about 10 µs a statement, some 70 times what running it saves, so graphdiff keeps compiled
programs with the compiled-graph cache (:mod:`graphdiff.codegen.stored`) and compiles off the path of the
command that asks.
"""
from __future__ import annotations

import math
import re
import sys
from array import array
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Sequence

from ..language.graph import Graph
from ..primitives import PRIMITIVES
from ..primitives.table import namespace
from .compile import Emitter, _number, _py_splat, numeric
from .formula import condition, rule

#: Nodes a generated function holds (compile time and run time both grow with a function's size).
CHUNK = 2000


@dataclass
class Source:
    """The generated code of a graph: ``chunks`` of Python source, each ``def _cK(v, p, K):`` computing the values
    of its nodes into locals (``x7``: a local costs a seventh of a list item's bytecode) and storing them into
    ``v`` at its end, the partials ``p[k]`` of their edges, and appending the nodes whose kink condition holds
    to ``K``; ``calls`` are the row functions the code calls by name (n-ary partials of many operands)."""

    backend: str
    chunks: list[str]
    calls: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (row, operands)
    constant: dict[int, float] = field(default_factory=dict)  # edges whose partial is a number: set once


def source(g: Graph, backend: str = "python", partials: bool = True, chunk: int = CHUNK) -> Source:
    """Generate the program of ``g`` for ``backend`` (``python``: floats; ``numpy``: arrays of points)."""
    src = Source(backend, [])
    splat = _py_splat
    start, earg = g.edge_start, g.edge_arg
    names: dict[tuple, str] = {}
    body = [i for i, op in enumerate(g.ops) if op != "input"]
    for at in range(0, len(body), chunk):
        nodes = body[at:at + chunk]
        lines: list[str] = []
        local = {i: f"x{k}" for k, i in enumerate(nodes)}  # the same names in every chunk: marshal keeps one
        outside: dict[int, str] = {}  # an input, or a node computed before this chunk: read from v once

        def operand(a) -> str:
            if a.__class__ is not int:
                return _number(a, backend)
            name = local.get(a)
            if name is None:
                name = outside.get(a)
                if name is None:
                    name = outside[a] = f"z{len(outside)}"
            return name

        for i in nodes:
            p = PRIMITIVES[g.ops[i]]
            args = g.args[i]
            ops = [operand(a) for a in args]
            n = len(args)
            leaf = p.leaf(backend, n)
            value = leaf.format(xs=f"[{', '.join(ops)}]") if "{xs}" in leaf else leaf.format(*ops)
            y = local[i]
            lines.append(f"{y} = {value}")
            if p.kink is not None and (p.kink_arg is None or args[p.kink_arg].__class__ is int):
                lines.append(_kink(p, ops, i, y, n, backend, splat))
            if partials and start[i] < start[i + 1]:
                lines.extend(_partials(p, ops, i, y, n, range(start[i], start[i + 1]), earg, backend, splat, src,
                                       names))
        first, last = nodes[0], nodes[-1]
        if last - first + 1 == len(nodes):  # the chunk's nodes are consecutive: one slice
            stores = [f"v[{first}:{last + 1}] = [{', '.join(local[i] for i in nodes)}]"]
        else:
            stores = [f"v[{i}] = {local[i]}" for i in nodes]
        loads = [f"{name} = v[{a}]" for a, name in outside.items()]
        text = f"def _c{len(src.chunks)}(v, p, K):\n    " + "\n    ".join(loads + lines + stores) + "\n"
        src.chunks.append(_MODULE_CALL.sub(lambda m: f"{_ALIAS[m[1]]}{m[2]}(", text))
    return src


#: ``math.tanh(`` in the rows' templates is called as the global ``_math_tanh(``: one lookup where there were
#: two, and a tenth less code; ``build`` binds the names the code uses.
_MODULE_CALL = re.compile(r"\b(math|np)\.([A-Za-z_][A-Za-z0-9_]*)\(")
_ALIAS = {"math": "_math_", "np": "_numpy_"}


def _env(ops: list[str], y: str) -> dict[str, str]:
    env = {str(k): o for k, o in enumerate(ops)}
    env.update(y=y, n=str(float(len(ops))), xs=f"[{', '.join(ops)}]")
    return env


def _kink(p, ops, i, y, n, backend, splat) -> str:
    e = condition(p.kink[0])
    em = Emitter(backend, _env(ops, y), splat)
    em.count(e)
    code = em.code(e)
    pre = "; ".join(f"{a} = {b}" for a, b in em.lines)
    test = f"{pre}; " if pre else ""
    if backend == "numpy":
        return f"{test}K.append(({i}, {code}))"
    return f"{test}\n    if {code}: K.append({i})" if pre else f"if {code}: K.append({i})"


def _partials(p, ops, i, y, n, edges, earg, backend, splat, src: Source, names) -> list[str]:
    r = rule(p, n)
    if r.kind == "fixed":
        em = Emitter(backend, _env(ops, y), splat)
        wanted = [(k, r.exprs[earg[k]]) for k in edges]
        for _, e in wanted:
            em.count(e)
        out = []
        for k, e in wanted:
            c = em.code(e)
            number = _literal(c) if backend == "python" else None
            if number is not None:  # the same number every time (a constant operand's partial): set, not run
                src.constant[k] = number
            else:
                out.append((k, c))
        return [f"{a} = {b}" for a, b in em.lines] + [f"p[{k}] = {c}" for k, c in out]
    key = (p.name, n, backend)  # many operands: the row's compiled function, called once for the node
    name = names.get(key)
    if name is None:
        name = names[key] = f"_P{len(names)}"
        src.calls[name] = (p.name, n)
    lines = [f"_ps = {name}([{', '.join(ops)}], {y})"]
    lines += [f"p[{k}] = _ps[{earg[k]}]" for k in edges]
    return lines


def _literal(code: str) -> float | None:
    try:
        return float(code.replace("(", "").replace(")", ""))
    except ValueError:
        return None


def _numpy_partials(p, n: int):
    """An n-ary row's partials over arrays of points (the row's IEEE NumPy form)."""
    from .compile import _build, _py_body, _py_function

    return _build(_py_function("f", _py_body(rule(p, n), n, "numpy"), "out"), "numpy", "f")


@dataclass
class Program:
    """A compiled graph: ``run(v, p)`` fills the values ``v`` (inputs set, the rest any placeholder) and the
    partials ``p`` and returns the kinks met (node indices; with NumPy, (node, condition array) pairs).
    It raises what the code raises (the caller falls back to the interpreter).

    The partials that are one number whatever the inputs (``∂(0.9·h)/∂h``: often half of them) are not code:
    ``fixed_edges`` and ``fixed_values`` hold them, and every run starts from a copy of the partials they
    make."""

    backend: str
    functions: list[Callable]
    fixed_edges: array = field(default_factory=lambda: array("q"), repr=False)
    fixed_values: array = field(default_factory=lambda: array("d"), repr=False)

    def run(self, v: list, p: list) -> list:
        if self.fixed_edges:
            p[:] = self._fixed(len(p))
        K: list = []
        for f in self.functions:
            f(v, p, K)
        return K

    def _fixed(self, n: int) -> list[float]:
        start = self.__dict__.get("_start")
        if start is None or len(start) != n:
            start = self.__dict__["_start"] = [0.0] * n
            deque(map(start.__setitem__, self.fixed_edges.tolist(), self.fixed_values.tolist()), maxlen=0)
        return start


def build(src: Source, code: Sequence | None = None) -> Program:
    """The program of ``src`` (``code``: its chunks already compiled, e.g. loaded from the cache)."""
    ns = dict(namespace(src.backend))
    for name, (row, n) in src.calls.items():
        p = PRIMITIVES[row]
        ns[name] = numeric(p, n).partials if src.backend == "python" else _numpy_partials(p, n)
    ns["math"] = math
    fs = []
    for k, text in enumerate(src.chunks):
        co = code[k] if code is not None else compile(text, f"<graphdiff program {k}>", "exec")
        for name in _global_names(co):  # the module functions the chunk calls by their aliases
            for module, prefix in _ALIAS.items():
                if name.startswith(prefix) and name not in ns and module in ns:
                    ns[name] = getattr(ns[module], name[len(prefix):])
        exec(co, ns)  # noqa: S102 - code written from the graph and the rows
        fs.append(ns[f"_c{k}"])
    return Program(src.backend, fs, array("q", src.constant), array("d", src.constant.values()))


def _global_names(code) -> set[str]:
    """The names ``code`` and every code object inside it (functions, comprehensions, lambdas) look up."""
    names, stack = set(), [code]
    while stack:
        c = stack.pop()
        names.update(c.co_names)
        stack.extend(k for k in c.co_consts if hasattr(k, "co_names"))
    return names


def compiled(src: Source) -> list:
    """Every chunk of ``src`` compiled (the code objects the cache keeps, as Python keeps .pyc files), without
    their positions (a fifth of their size: the generated text has no file a traceback could show)."""
    return [_without_positions(compile(text, f"<graphdiff program {k}>", "exec")) for k, text in enumerate(src.chunks)]


def _without_positions(code):
    """``code`` (and the functions it defines) with a location table that says "no location" for every
    instruction: Python 3.11's table, one byte per eight code units (``Objects/locations.md``)."""
    if not (3, 11) <= sys.version_info[:2] <= (3, 14):  # the table's format as those versions read it
        return code
    units = len(code.co_code) // 2
    table = bytes([0xF8 | 7]) * (units // 8) + (bytes([0xF8 | (units % 8 - 1)]) if units % 8 else b"")
    consts = tuple(_without_positions(c) if hasattr(c, "co_code") else c for c in code.co_consts)
    return code.replace(co_linetable=table, co_consts=consts)
