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
from functools import cached_property
from itertools import accumulate
from pathlib import Path
from typing import Iterator, NamedTuple, Sequence

from ..base.errors import CycleError, Diagnostic, GraphdiffError, InputError, NameError_, suggest
from ..base.notation import atom, fmt_num
from ..primitives import REDUCTIONS
from .statements import Definition, Program, Ref, header


class Outgoing(NamedTuple):
    """Out-edges in CSR form (see :attr:`Graph.outgoing`)."""

    start: list[int]
    edges: list[int]
    heads: list[int]

    def of(self, v: int) -> list[int]:
        """The edges leaving node ``v``."""
        return self.edges[self.start[v]:self.start[v + 1]]


class Graph:
    """A computational graph: nodes in topological order, each with its operation and operands.

    Node ``i`` has ``names[i]``, ``ops[i]`` (a primitive name, ``"input"`` or ``"const"``), ``args[i]`` (a tuple
    of operands: an ``int`` is another node, a ``float`` a constant folded into the operation), ``texts[i]``
    (its expression as printed), ``kinds[i]`` (``input``, ``named``, ``anon`` or ``const``) and its source
    position ``lines[i]``, ``cols[i]``.

    The edges, one per node operand, are stored by target in topological order: edge ``k`` runs from
    ``edge_src[k]`` to ``edge_dst[k]`` and is operand number ``edge_arg[k]``; the edges into node ``i`` are
    ``edge_start[i]`` to ``edge_start[i + 1]``.

    ``faults`` holds constant subexpressions out of their domain (``1 / 0``), which evaluation reports.

    A Graph is read-only once :func:`build` returns it: its attributes cannot be reassigned (and its lists are
    not to be changed), so what is derived from it (:attr:`outgoing`, the tape) is computed once and kept.
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
        self.edge_src: list[int] = []
        self.edge_dst: list[int] = []
        self.edge_arg: list[int] = []
        self.edge_start: list[int] = [0]
        self.faults: list[Diagnostic] = []
        self.const_nodes: list[int] = []  # the nodes with a constant among their operands, in order

    def __getattr__(self, name):
        """An attribute the cache lays out only when first asked for (``args``: a compiled program never needs
        every operand as a tuple)."""
        lazy = self.__dict__.get("_lazy")
        if lazy is not None and name in lazy:  # not popped: a copy of the graph shares the dict
            value = self.__dict__[name] = lazy[name]()
            return value
        raise AttributeError(f"'Graph' object has no attribute {name!r}")

    def __getstate__(self) -> dict:
        """What a pickle or a deep copy holds: every column laid out (the lazy ones read a mapped cache file)."""
        state = dict(self.__dict__)
        for name in state.pop("_lazy", None) or ():
            state[name] = getattr(self, name)
        return state

    def __setattr__(self, name, value) -> None:
        if self.__dict__.get("_frozen"):
            raise AttributeError(f"a Graph is read-only once built (cannot set {name!r})")
        object.__setattr__(self, name, value)


    def freeze(self) -> "Graph":
        """Make the graph read-only (:func:`build` does, before returning it)."""
        self._frozen = True
        return self

    # -- size and structure ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.names)

    @property
    def n_edges(self) -> int:
        return len(self.edge_src)

    def __repr__(self) -> str:
        return f"<Graph {self.source}: {len(self)} nodes, {self.n_edges} edges>"

    def find(self, name: str) -> int | None:
        """The index of the node named ``name``, or None. Until :attr:`index` is built, a few lookups scan the
        names (in C) instead of building it."""
        index = self.__dict__.get("index")
        if index is not None:
            return index.get(name)
        self.__dict__["_lookups"] = looked = self.__dict__.get("_lookups", 0) + 1
        if looked > 8:
            return self.index.get(name)
        try:
            return self.names.index(name)
        except ValueError:
            return None

    def node(self, name: str) -> int:
        """The index of a node by name (``c``, ``x[3]``, or an anonymous node's text)."""
        i = self.find(name)
        if i is None:
            if name in self.vectors:
                start, size = self.vectors[name]
                raise NameError_(f"'{name}' is a vector of {size:,} inputs, not one node: name an element such "
                                 f"as '{name}[0]' (… '{name}[{size - 1}]')") from None
            raise NameError_(f"no node named '{name}' in {self.source}{suggest(name, self.index)}") from None
        return i

    def in_edges(self, i: int) -> range:
        return range(self.edge_start[i], self.edge_start[i + 1])

    @cached_property
    def index(self) -> dict[str, int]:
        """Node index by name, built on first use (a graph loaded from the cache may never need it)."""
        return dict(zip(self.names, range(len(self.names))))

    @cached_property
    def meta(self) -> dict | None:
        """What the program's header says of it (:func:`~graphdiff.language.statements.header`: a derived program's
        original, mode and derivatives), read once from the text the graph was built from; None without one."""
        return header(self.text) if self.text is not None else None

    @cached_property
    def outgoing(self) -> "Outgoing":
        """The edges by tail, computed once: the edges leaving node ``v`` (in the order of their targets) are
        ``edges[start[v]:start[v + 1]]``, their targets ``heads[start[v]:start[v + 1]]``.

        >>> g = loads("c = a + b; d = b + 1; e = c * d")
        >>> g.outgoing.of(g.node("b"))
        [1, 2]
        """
        src, dst = self.edge_src, self.edge_dst
        if len(src) > 50_000:  # the same lists by NumPy's stable sort: a third of the time on a large graph
            import numpy as np

            s = np.asarray(src, dtype=np.int64)
            order = np.argsort(s, kind="stable")
            start = np.zeros(len(self.names) + 1, dtype=np.int64)
            np.cumsum(np.bincount(s, minlength=len(self.names)), out=start[1:])
            return Outgoing(start.tolist(), order.tolist(), np.asarray(dst, dtype=np.int64)[order].tolist())
        start = [0] * (len(self.names) + 1)
        for s in src:
            start[s + 1] += 1
        edges = sorted(range(len(src)), key=src.__getitem__)  # stable: by target within a tail
        return Outgoing(list(accumulate(start)), edges, [dst[k] for k in edges])

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
                out.append(atom(self.names[a]))
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


def select(g: Graph, names: Sequence[str | int] | None, default: list[int]) -> list[int]:
    """The nodes ``names`` stand for (a vector name stands for its elements; any node may be named, not only
    inputs and outputs; an int is a node index; a name that is no node but a shell pattern, ``x*`` or ``w1_?``,
    stands for the nodes of ``default`` it matches), each once, in the order first named; ``default`` when
    none are named.

    >>> g = loads("input x0, x1, w; y = w * x0 + x1")
    >>> [g.names[i] for i in select(g, ["x*"], g.inputs)]
    ['x0', 'x1']
    """
    if not names:
        return list(default)
    out: dict[int, None] = {}
    for name in names:
        if isinstance(name, int):
            out[name] = None
        elif name in g.vectors:
            start, size = g.vectors[name]
            out.update(dict.fromkeys(range(start, start + size)))
        elif g.find(name) is None and any(c in name for c in "*?["):
            import fnmatch

            matched = [i for i in default if fnmatch.fnmatchcase(g.names[i], name)]
            if not matched:
                raise NameError_(f"'{name}' matches no node of {g.source}")
            out.update(dict.fromkeys(matched))
        else:
            out[g.node(name)] = None
    return list(out)


# ---- building ----------------------------------------------------------------------------------------------

def build(program: Program, source: str = "<expr>", text: str | None = None) -> Graph:
    """Resolve names, order the nodes topologically and lay out the edges; the graph returned is read-only.
    Definitions and references are read by position (``d[6]`` is a Definition's kind): the fastest access.

    The program is used up: its definitions are let go as they become nodes, so that a large program and
    its graph are not both held whole at once (the peak memory of a million-line file)."""
    defs = program.definitions
    body = [d for d in defs.values() if d[6] != "input"]  # d[6]: kind
    if not body:
        raise InputError("empty program: nothing to compute (write an assignment such as 'y = 2 * x')", 1, 1)
    g = Graph(source, text)
    _lay_inputs(g, _input_order(program), defs)
    n_inputs = len(g.names)
    _lay_body(g, body)
    defs.clear()  # the body holds what is left to read
    used, topological = _resolve_operands(g, body, n_inputs)
    _choose_outputs(g, program, used, n_inputs)
    if not topological:
        _order(g, n_inputs)
    _lay_edges(g)
    if program.faults:
        _constant_faults(g, program.faults)
    return g.freeze()


def _constant_faults(g: Graph, faults: list[tuple[str, int, int]]) -> None:
    """Constant subexpressions out of their domain, each named by the statement that holds it."""
    at: dict[int, list[tuple[int, int]]] = {}
    lines = {line for _, line, _ in faults}
    for i, (line, col) in enumerate(zip(g.lines, g.cols)):
        if line in lines and g.kinds[i] != "input":
            at.setdefault(line, []).append((col, i))
    for message, line, col in faults:
        holders = [c for c in at.get(line, []) if c[0] <= col and g.kinds[c[1]] != "anon"]
        node = g.names[max(holders)[1]] if holders else ""
        g.faults.append(Diagnostic(node, line, col, f"{message} (node '{node}')" if node else message))


def _input_order(program: Program) -> list[tuple[int, int, str]]:
    """The inputs, declared ones and names used but never assigned, as (line, col, name) by first appearance."""
    defs = program.definitions
    firsts = [(d[3], d[4], d[0]) for d in defs.values() if d[6] == "input"]
    for name, ref in program.uses.items():
        if name not in defs:
            if ref[4] is not None:  # ref[4]: base, as in x[3]
                raise NameError_(f"'{name}' is used with an index but never declared; declare it with "
                                 f"'input {name}[N]'", ref[1], ref[2])
            firsts.append((ref[1], ref[2], name))
    firsts.sort()
    return firsts


def _lay_inputs(g: Graph, firsts: list[tuple[int, int, str]], defs) -> None:
    """The input nodes first: scalars, and a vector ``x[n]`` as the nodes ``x[0]`` … ``x[n-1]``."""
    names, lines, cols, defaults, get_def = g.names, g.lines, g.cols, g.defaults, defs.get
    for line, col, name in firsts:
        d = get_def(name)
        if d is None or d[8] is None:  # a scalar input (d[7]: default, d[8]: vector size)
            if d is not None and d[7] is not None:
                defaults[len(names)] = d[7]
            names.append(name)
            lines.append(line)
            cols.append(col)
        else:
            size = d[8]
            start = len(names)
            g.vectors[name] = (start, size)
            names.extend([f"{name}[{i}]" for i in range(size)])
            if isinstance(d[7], list):  # one default an element
                defaults.update(zip(range(start, start + size), d[7]))
            elif d[7] is not None:
                defaults.update(dict.fromkeys(range(start, start + size), d[7]))
            lines.extend([line] * size)
            cols.extend([col] * size)
    n = len(names)
    g.inputs.extend(range(n))
    for column in (g.ops, g.kinds, g.texts):
        column.extend(["input"] * n)
    g.args.extend([()] * n)


def _lay_body(g: Graph, body: list) -> None:
    """Every computed node after the inputs, in the order written, and the index of every name."""
    g.names.extend([d[0] for d in body])
    g.ops.extend([d[1] for d in body])
    g.lines.extend([d[3] for d in body])
    g.cols.extend([d[4] for d in body])
    g.texts.extend([d[5] for d in body])
    g.kinds.extend([d[6] for d in body])
    g.index = dict(zip(g.names, range(len(g.names))))


def _resolve_operands(g: Graph, body: list, n_inputs: int) -> tuple[bytearray, bool]:
    """Operands: names -> node indices; whole vectors expand inside reductions. The same pass marks the nodes
    something uses and tells whether the written order is already topological; it lets each definition go
    once read (``body`` ends empty)."""
    args, get, consts = g.args, g.index.get, g.const_nodes
    used = bytearray(len(g.names))
    topological = True
    for pos, d in enumerate(body, n_inputs):
        body[pos - n_inputs] = None
        t = tuple([get(a) if a.__class__ is str else get(a[0]) if isinstance(a, tuple) else float(a) for a in d[2]])
        if None in t:
            t = _resolve(d, g)
        for a in t:
            if a.__class__ is int:
                used[a] = 1
                if a >= pos:
                    topological = False
            elif not consts or consts[-1] != pos:
                consts.append(pos)
        args.append(t)
    return used, topological


def _choose_outputs(g: Graph, program: Program, used: bytearray, n_inputs: int) -> None:
    """The declared outputs (a vector stands for its elements), or every computed node that nothing uses."""
    if not program.outputs:
        g.outputs.extend(i for i in range(n_inputs, len(g.names)) if not used[i])
        return
    seen: set[int] = set()
    for ref in program.outputs:
        i = g.index.get(ref[0])
        if i is None:
            if ref[0] not in g.vectors:
                raise _bad_ref(Ref._make(ref), g.index, g.vectors, what="output")
            start, size = g.vectors[ref[0]]
            g.outputs.extend(k for k in range(start, start + size) if k not in seen)
            seen.update(range(start, start + size))
        elif i not in seen:  # a set: a list's membership test made 50,000 declared outputs take seconds
            seen.add(i)
            g.outputs.append(i)


def _resolve(d: Definition, g: Graph) -> tuple:
    """Operands of ``d`` that are not plain node names: whole vectors in reductions, or errors."""
    d = Definition._make(d)
    index, vectors = g.index, g.vectors
    resolved = []
    for a in d.args:
        if a.__class__ is str:
            a = Ref(a, *_use_position(g.text, d.line, d.col, a))
        elif not isinstance(a, tuple):
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
            raise _bad_ref(a, index, vectors)
    return tuple(resolved)


def _use_position(text: str | None, line: int, col: int, name: str) -> tuple[int, int]:
    """Where ``name`` is used in the statement at ``line``:``col`` (its first use after the statement's start;
    a Definition keeps a node operand by name alone)."""
    import re

    if text is not None:
        lines = text.split("\n", line)
        if len(lines) >= line:
            m = re.compile(rf"(?<![\w\[]){re.escape(name)}(?![\w\[(])").search(lines[line - 1], col)
            if m:
                return line, m.start() + 1
    return line, col


def _bad_ref(a: Ref, known, vectors, what: str = "name") -> GraphdiffError:
    if a.base is not None:
        if a.base in vectors:
            size = vectors[a.base][1]
            return NameError_(f"index out of range: '{a.base}' has {size} element{'s' * (size != 1)} "
                              f"({a.base}[0] … {a.base}[{size - 1}])", a.line, a.col)
        return NameError_(f"'{a.base}' is not a vector; declare it with 'input {a.base}[N]'", a.line, a.col)
    return NameError_(f"unknown {what} '{a.name}'{suggest(a.name, known)}", a.line, a.col)


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
    g.const_nodes = sorted(new[i] for i in g.const_nodes)
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

def normalize(text: str) -> str:
    """Program text as the parser reads it: no byte order mark, and CRLF and CR line endings as newlines (so
    columns count visible characters only)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def loads(text: str, source: str = "<expr>", jobs: int | None = None) -> Graph:
    """Parse and build a graph from program text (``jobs`` is accepted and ignored, for one release).

    >>> g = loads("c = a + b; d = b + 1; e = c * d")
    >>> g.names, g.n_edges
    (['a', 'b', 'c', 'd', 'e'], 5)
    """
    from .parse import parse  # Lark, loaded by the first program that is parsed (a cached graph is not)

    text = normalize(text)
    try:
        with no_gc():
            return build(parse(text), source, text)
    except GraphdiffError as e:
        raise e.locate(source, text)


@contextmanager
def no_gc():
    """Pause Python's cyclic garbage collector: building millions of small acyclic objects otherwise
    triggers it again and again, each time walking every object made so far.

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


def read_program(path: str | Path) -> tuple[bytes, str]:
    """A program file's bytes and its text (UTF-8; a BOM and CRLF line endings are accepted), or bad input
    saying in one line why it cannot be read."""
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
    return data, text


def load(path: str | Path, jobs: int | None = None) -> Graph:
    """Read a program file and build its graph (parsing it every time; :func:`graphdiff.cache.load`, which
    ``graphdiff.load`` is, keeps large files' graphs for next time)."""
    return loads(read_program(path)[1], str(path))
