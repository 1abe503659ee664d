"""Statements → the computational graph.

:class:`Graph` keeps the graph as flat lists in topological order (the structure every algorithm walks),
and :meth:`Graph.to_networkx` gives the same graph as a ``networkx.MultiDiGraph`` with one edge per operand
occurrence, so ``y = x * x`` has two edges x → y, as the essay's parallel edges are separate paths.

Order: inputs first, in the order they are declared or first used; then every other node in the order it
is written (the operands of a statement before the statement), moved only as far as its operands require.
"""
from __future__ import annotations

import gc
import heapq
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import CycleError, GraphdiffError, InputError, NameError_
from .ops import PRIMITIVES, REDUCTIONS, fmt_num
from .parse import Definition, Program, Ref, _parse


class Graph:
    """A computational graph: nodes in topological order, each with its operation and operands.

    Node ``i`` has ``names[i]``, ``ops[i]`` (a primitive name, ``"input"`` or ``"const"``), ``args[i]`` (a tuple
    of operands: an ``int`` is another node, a ``float`` a constant folded into the operation), ``texts[i]``
    (its expression as printed), ``kinds[i]`` (``input``, ``named``, ``anon`` or ``const``) and its source
    position ``lines[i]``, ``cols[i]``.

    The edges, one per node operand, are stored by target in topological order: edge ``k`` runs from
    ``edge_src[k]`` to ``edge_dst[k]`` and is operand number ``edge_arg[k]``; the edges into node ``i`` are
    ``edge_start[i]`` to ``edge_start[i + 1]``.
    """

    def __init__(self, source: str = "<expr>", text: str | None = None):
        self.source = source
        self.text = text
        self.names: list[str] = []
        self.ops: list[str] = []
        self.args: list[tuple] = []
        self.texts: list[str] = []
        self.kinds: list[str] = []
        self.lines: list[int] = []
        self.cols: list[int] = []
        self.defaults: dict[int, float] = {}
        self.vectors: dict[str, tuple[int, int]] = {}  # name -> (index of element 0, size)
        self.inputs: list[int] = []
        self.outputs: list[int] = []
        self.index: dict[str, int] = {}
        self.edge_src: list[int] = []
        self.edge_dst: list[int] = []
        self.edge_arg: list[int] = []
        self.edge_start: list[int] = [0]

    # -- size and structure ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.names)

    @property
    def n_edges(self) -> int:
        return len(self.edge_src)

    def __repr__(self) -> str:
        return f"<Graph {self.source}: {len(self)} nodes, {self.n_edges} edges>"

    def node(self, name: str) -> int:
        """The index of a node by name (``c``, ``x[3]``, or an anonymous node's text)."""
        try:
            return self.index[name]
        except KeyError:
            if name in self.vectors:
                start, size = self.vectors[name]
                raise NameError_(f"'{name}' is a vector of {size:,} inputs, not one node: name an element such "
                                 f"as '{name}[0]' (… '{name}[{size - 1}]')") from None
            raise NameError_(f"no node named '{name}' in {self.source}{_suggest(name, self.index)}") from None

    def in_edges(self, i: int) -> range:
        return range(self.edge_start[i], self.edge_start[i + 1])

    def out_edges(self) -> list[list[int]]:
        """For every node, the edges leaving it (in the order of their targets)."""
        out: list[list[int]] = [[] for _ in self.names]
        for k, s in enumerate(self.edge_src):
            out[s].append(k)
        return out

    def successors(self) -> list[list[int]]:
        """For every node, the targets of its out-edges (one entry per edge, so parallel edges repeat)."""
        succ: list[list[int]] = [[] for _ in self.names]
        for s, d in zip(self.edge_src, self.edge_dst):
            succ[s].append(d)
        return succ

    def iter_edges(self) -> Iterator[tuple[int, int, int]]:
        """``(source, target, operand position)`` for every edge."""
        return zip(self.edge_src, self.edge_dst, self.edge_arg)

    def operand_text(self, i: int) -> list[str]:
        """The operands of node ``i`` as they print inside its expression (parenthesised where needed)."""
        out = []
        for a in self.args[i]:
            if isinstance(a, float):
                s = fmt_num(a)
                out.append(f"({s})" if a < 0 else s)
            else:
                name = self.names[a]
                atomic = self.kinds[a] != "anon" or PRIMITIVES[self.ops[a]].atomic or name.endswith(")") and \
                    name.startswith(self.ops[a] + "(")
                out.append(name if atomic else f"({name})")
        return out

    def where(self, i: int) -> str:
        return f"{self.source}:{self.lines[i]}:{self.cols[i]}"

    def to_networkx(self):
        """The graph as a ``networkx.MultiDiGraph``: nodes are names, with attributes ``op``, ``text``,
        ``kind``, ``line``, ``col``, ``index``; edges carry ``arg`` (the operand position) as key and
        attribute. Parallel edges are kept."""
        import networkx as nx

        g = nx.MultiDiGraph(source=self.source)
        names = self.names
        g.add_nodes_from((names[i], {"op": self.ops[i], "text": self.texts[i], "kind": self.kinds[i],
                                     "line": self.lines[i], "col": self.cols[i], "index": i})
                         for i in range(len(names)))
        g.add_edges_from((names[s], names[d], a, {"arg": a}) for s, d, a in self.iter_edges())
        return g


def _suggest(name: str, known) -> str:
    import difflib

    guess = difflib.get_close_matches(name, list(known)[:100000], n=1)
    return f"; did you mean '{guess[0]}'?" if guess else ""


# ---- building ----------------------------------------------------------------------------------------------

def build(program: Program, source: str = "<expr>", text: str | None = None) -> Graph:
    """Resolve names, order the nodes topologically and lay out the edges.

    Definitions and references are read by position, so plain tuples with their fields in order (what a
    second parsing process sends, see :func:`graphdiff.parse.parse`) serve as well as the named ones."""
    defs = program.definitions
    every = list(defs.values())
    if all(d[6] == "input" for d in every):  # d[6]: kind
        raise InputError("empty program: nothing to compute (write an assignment such as 'y = 2 * x')", 1, 1)

    # Inputs: declared ones and names used but never assigned, by first appearance.
    firsts: list[tuple[int, int, str]] = [(d[3], d[4], d[0]) for d in every if d[6] == "input"]
    for name, ref in program.uses.items():
        if name not in defs:
            if ref[4] is not None:  # ref[4]: base, as in x[3]
                raise NameError_(f"'{name}' is used with an index but never declared; declare it with "
                                 f"'input {name}[N]'", ref[1], ref[2])
            firsts.append((ref[1], ref[2], name))
    firsts.sort()

    g = Graph(source, text)
    names, ops, kinds, lines, cols = g.names, g.ops, g.kinds, g.lines, g.cols
    inputs, defaults, get_def = g.inputs, g.defaults, defs.get
    for line, col, name in firsts:
        d = get_def(name)
        if d is None or d[8] is None:  # a scalar input
            if d is not None and d[7] is not None:
                defaults[len(names)] = d[7]
            names.append(name)
            lines.append(line)
            cols.append(col)
        else:  # a vector: x[0] ... x[size-1]
            size = d[8]
            start = len(names)
            g.vectors[name] = (start, size)
            names.extend([f"{name}[{i}]" for i in range(size)])
            if d[7] is not None:
                defaults.update(dict.fromkeys(range(start, start + size), d[7]))
            lines.extend([line] * size)
            cols.extend([col] * size)
    n_inputs = len(names)
    inputs.extend(range(n_inputs))
    ops.extend(["input"] * n_inputs)
    kinds.extend(["input"] * n_inputs)
    g.texts.extend(["input"] * n_inputs)
    body = [d for d in every if d[6] != "input"]
    del every
    names.extend([d[0] for d in body])
    ops.extend([d[1] for d in body])
    lines.extend([d[3] for d in body])
    cols.extend([d[4] for d in body])
    g.texts.extend([d[5] for d in body])
    kinds.extend([d[6] for d in body])
    index = g.index
    index.update(zip(names, range(len(names))))

    # Operands: names -> node indices; whole vectors expand inside reductions. One pass also marks the
    # nodes something uses and whether the written order is already topological.
    args = g.args
    args.extend([()] * n_inputs)
    vectors = g.vectors
    get = index.get
    used = bytearray(len(names))
    topological = True
    for pos, d in enumerate(body, n_inputs):
        t = tuple([get(a[0]) if isinstance(a, tuple) else float(a) for a in d[2]])
        if None in t:
            t = _resolve(d, index, vectors, defs)
        for a in t:
            if a.__class__ is int:
                used[a] = 1
                if a >= pos:
                    topological = False
        args.append(t)

    # Outputs: declared, or every node that nothing uses (inputs aside).
    if program.outputs:
        for ref in program.outputs:
            i = index.get(ref[0])
            if i is None:
                if ref[0] in vectors:
                    start, size = vectors[ref[0]]
                    g.outputs.extend(range(start, start + size))
                    continue
                raise _bad_ref(Ref._make(ref), defs, vectors, what="output")
            if i not in g.outputs:
                g.outputs.append(i)
    else:
        g.outputs = [i for i in range(n_inputs, len(names)) if not used[i]]

    if not topological:
        _order(g, n_inputs)
    _lay_edges(g)
    return g


def _resolve(d: Definition, index: dict[str, int], vectors, defs) -> tuple:
    """Operands of ``d`` that are not plain node names: whole vectors in reductions, or errors."""
    d = Definition._make(d)
    resolved = []
    for a in d.args:
        if not isinstance(a, tuple):
            resolved.append(float(a))
            continue
        a = Ref._make(a)
        i = index.get(a.name)
        if i is not None:
            resolved.append(i)
        elif a.name in vectors:
            start, size = vectors[a.name]
            if d.op not in REDUCTIONS:
                raise NameError_(f"'{a.name}' is a vector of {size} inputs; use one element such as "
                                 f"{a.name}[0] or a reduction such as sum({a.name})", a.line, a.col)
            resolved.extend(range(start, start + size))
        else:
            raise _bad_ref(a, defs, vectors)
    return tuple(resolved)


def _bad_ref(a: Ref, defs: dict[str, Definition], vectors, what: str = "name") -> GraphdiffError:
    if a.base is not None:
        if a.base in vectors:
            size = vectors[a.base][1]
            return NameError_(f"index out of range: '{a.base}' has {size} element{'s' * (size != 1)} "
                              f"({a.base}[0] … {a.base}[{size - 1}])", a.line, a.col)
        return NameError_(f"'{a.base}' is not a vector; declare it with 'input {a.base}[N]'", a.line, a.col)
    return NameError_(f"unknown {what} '{a.name}'{_suggest(a.name, defs)}", a.line, a.col)


def _order(g: Graph, n_inputs: int) -> None:
    """Put the nodes in topological order (stable: source order where the operands allow); called when the
    written order is not one already."""
    n = len(g.names)
    args = g.args
    # Kahn's algorithm with a heap on the written order.
    indeg = [0] * n
    users: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        for a in set(a for a in args[i] if a.__class__ is int):
            indeg[i] += 1
            users[a].append(i)
    heap = [i for i in range(n) if indeg[i] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        i = heapq.heappop(heap)
        order.append(i)
        for j in users[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                heapq.heappush(heap, j)
    if len(order) < n:
        raise _cycle(g, [i for i in range(n) if indeg[i] > 0])
    new = [0] * n
    for pos, i in enumerate(order):
        new[i] = pos
    for attr in ("names", "ops", "texts", "kinds", "lines", "cols"):
        old = getattr(g, attr)
        setattr(g, attr, [old[i] for i in order])
    g.args = [tuple(new[a] if a.__class__ is int else a for a in args[i]) for i in order]
    g.index = dict(zip(g.names, range(n)))
    g.inputs = [new[i] for i in g.inputs]
    g.outputs = [new[i] for i in g.outputs]
    g.defaults = {new[i]: v for i, v in g.defaults.items()}
    g.vectors = {k: (new[s], size) for k, (s, size) in g.vectors.items()}


def _cycle(g: Graph, stuck: list[int]) -> CycleError:
    """Find one cycle among the nodes Kahn's algorithm could not order, and name it with lines."""
    stuck_set = set(stuck)
    i = min(stuck, key=lambda j: (g.lines[j], g.cols[j]))
    seen: dict[int, int] = {}
    path: list[int] = []
    while i not in seen:
        seen[i] = len(path)
        path.append(i)
        i = next(a for a in g.args[i] if a.__class__ is int and a in stuck_set)
    cycle = path[seen[i]:]
    # Present it in dependency order: each node is used by the next one.
    cycle.reverse()
    start = min(range(len(cycle)), key=lambda k: (g.lines[cycle[k]], g.cols[cycle[k]]))
    cycle = cycle[start:] + cycle[:start]
    first = cycle[0]
    if len(cycle) == 1:
        return CycleError(f"cycle: '{g.names[first]}' depends on itself", g.lines[first], g.cols[first])
    chain = " → ".join(f"{g.names[j]} (line {g.lines[j]})" for j in cycle)
    return CycleError(f"cycle: {chain} → {g.names[first]}", g.lines[first], g.cols[first])


def _lay_edges(g: Graph) -> None:
    src, dst, arg, start = g.edge_src, g.edge_dst, g.edge_arg, g.edge_start
    add_src, add_dst, add_arg, add_start = src.append, dst.append, arg.append, start.append
    n = 0
    for i, t in enumerate(g.args):
        for k, a in enumerate(t):
            if a.__class__ is int:
                add_src(a)
                add_dst(i)
                add_arg(k)
                n += 1
        add_start(n)


# ---- loading -------------------------------------------------------------------------------------------------

def loads(text: str, source: str = "<expr>", jobs: int = 1) -> Graph:
    """Parse and build a graph from program text (``jobs=2``: parse a large text in two processes, see
    :func:`graphdiff.parse.parse`).

    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> g.names, g.n_edges
    (['a', 'b', 'c', 'd', 'e'], 5)
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:  # CRLF and CR line endings: columns count visible characters only
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        with no_gc():
            return build(_parse(text, jobs), source, text)
    except GraphdiffError as e:
        raise e.locate(source, text)


@contextmanager
def no_gc():
    """Pause Python's cyclic garbage collector: building millions of small acyclic objects otherwise
    triggers it again and again (it was more than half of the time spent parsing a million lines).

    When many objects were made, they are moved to the collector's permanent generation
    (:func:`gc.freeze`) so that later collections do not walk them all again; they are still freed by
    reference counting (a graph holds no cycles)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if gc.get_count()[0] > 200_000:
                gc.freeze()
            gc.enable()


def load(path: str | Path, jobs: int = 1) -> Graph:
    """Read a program file (UTF-8; a BOM and CRLF line endings are accepted) and build its graph."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory, not a program file") from None
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[e.start]:02x})", line, col, source=str(p)) from None
    return loads(text, str(p), jobs)
