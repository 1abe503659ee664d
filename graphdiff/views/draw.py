"""Pictures of a graph, drawn as the essay draws them: inputs at the bottom, outputs at the top, one arrow per
operand (``y = x * x`` has two), optionally with values, edge partials, forward or reverse derivatives, or
the paths between two nodes highlighted.

Two steps, both pure functions:

* :func:`annotate` (or :func:`picture` when the numbers are already computed) turns a graph into a
  :class:`Picture`: the text of every node and edge, what is highlighted, the caption;
* :func:`to_dot`, :func:`to_mermaid`, :func:`to_svg` and :func:`to_png` turn a picture into Graphviz DOT text,
  a Mermaid flowchart, SVG bytes or PNG bytes. SVG and PNG are laid out by :func:`layout` and drawn with
  matplotlib (imported only then), or by Graphviz's ``dot`` when it is on PATH and ``engine`` allows it.

Nothing here recurses on the depth of the graph, prints or exits.

>>> from graphdiff import loads
>>> p = annotate(loads("c = a + b; d = b + 1; e = c * d"), {"a": 2, "b": 1}, values=True)
>>> p.labels
['a = 2', 'b = 1', 'c = a + b\\n= 3', 'd = b + 1\\n= 2', 'e = c * d\\n= 6']
>>> [line for line in to_mermaid(p).splitlines() if "-->" in line][0]
'    n0 --> n2'
"""
from __future__ import annotations

import io
import json
import math
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from ..sweeps.accumulate import Sweep, forward_sweep, reverse_sweep
from ..base.errors import ComputeError, Diagnostic, InputError
from ..sweeps.evaluate import Values, evaluate, linearize
from ..language.graph import Graph
from ..base.notation import atom, fmt_num, partial
from ..codegen.formula import formula
from ..sweeps.paths import count_paths, longest_path_levels
from ..sweeps.reach import edges_between

#: Above this many nodes a picture is refused unless forced: nobody can read it.
MAX_NODES = 300
FORMATS = ("dot", "mermaid", "svg", "png")
ENGINES = ("auto", "graphviz", "matplotlib")
#: File extensions and the format each one implies.
EXTENSIONS = {".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".mermaid": "mermaid", ".svg": "svg",
              ".png": "png"}
#: Longest node or edge text shown; longer text is cut with an ellipsis.
MAX_LABEL = 80

# Colours shared by every format.
INPUT_FILL, OUTPUT_FILL, NODE_FILL = "#dbe9f6", "#fde3c8", "#ffffff"
LINE, FAINT, MARK = "#444444", "#b0b0b0", "#d62728"


@dataclass(frozen=True)
class Picture:
    """What a picture shows, independent of the format.

    ``labels[i]`` is node ``i``'s text (lines separated by ``\\n``), ``edge_labels[k]`` edge ``k``'s text (``""``
    for none); ``faint`` nodes are drawn grey (a derivative that is 0 because no path reaches them);
    ``marked_nodes`` and ``marked_edges`` are highlighted (the paths of ``--paths``).
    """

    graph: Graph
    labels: list[str]
    edge_labels: list[str]
    faint: frozenset[int] = frozenset()
    marked_nodes: frozenset[int] = frozenset()
    marked_edges: frozenset[int] = frozenset()
    caption: str = ""
    warnings: list[Diagnostic] = field(default_factory=list)  # from evaluating the graph (kinks, IEEE faults)


# ---- what to show -----------------------------------------------------------------------------------------

def check_size(g: Graph, force: bool = False, limit: int = MAX_NODES) -> None:
    """Refuse (:class:`InputError`) a graph of more than ``limit`` nodes unless ``force``."""
    if len(g) > limit and not force:
        raise InputError(f"{g.source} has {len(g):,} nodes, too many to draw readably (more than {limit}); "
                         "use --force to draw it anyway, or 'graphdiff info' for its shape")


def _clip(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


def node_label(g: Graph, i: int) -> str:
    """A node's text: an input's name, ``c = a + b`` for a named node, the expression of an anonymous one."""
    if g.ops[i] == "input" or g.kinds[i] == "anon":
        return _clip(g.names[i])
    return _clip(f"{g.names[i]} = {g.texts[i]}")


def short_num(v: float) -> str:
    """A number as a picture shows it: exact integers whole, others to four significant digits.

    >>> short_num(6.0), short_num(-0.8756469982284039), short_num(1e-07)
    ('6', '-0.8756', '1e-07')
    """
    text = fmt_num(v)
    return text if len(text) <= 6 or v != v or v in (math.inf, -math.inf) else f"{v:.4g}"


def count_text(n: int) -> str:
    """An exact count for a caption, or its size in powers of ten when it is too long to read.

    >>> count_text(9), count_text(3 ** 200)
    ('9', '2.656 × 10^95 (96 digits)')
    """
    if n < 10 ** 15:
        return f"{n:,}"
    digits = len(str(n))
    mantissa = int(str(n)[:5]) / 10 ** 4
    return f"{mantissa:.3f} × 10^{digits - 1} ({digits} digits)"


def picture(g: Graph, *, values: Values | None = None, partials: Sequence[float] | None = None,
            formulas: bool = True, forward: Sweep | None = None, reverse: Sweep | None = None,
            paths: tuple[int, int] | None = None, caption: str | None = None,
            warnings: Sequence[Diagnostic] = ()) -> Picture:
    """A picture of ``g`` from numbers already computed: node ``values``, edge ``partials`` (shown with their
    formula when ``formulas``), a ``forward`` sweep (∂node/∂seed on every node), a ``reverse`` sweep
    (∂seed/∂node on every node), and the ``paths`` between two nodes (highlighted, counted in the caption)."""
    names = g.names
    lines = [[node_label(g, i)] for i in range(len(g))]
    notes: list[str] = []
    faint: set[int] = set()
    if values is not None:
        for i, v in enumerate(values.values):
            if g.ops[i] == "input":
                lines[i][0] += f" = {short_num(v)}"
            else:
                lines[i].append(f"= {short_num(v)}")
        if g.inputs:
            shown = ", ".join(f"{names[i]} = {short_num(values.values[i])}" for i in g.inputs[:6])
            notes.append(f"at {shown}{', …' if len(g.inputs) > 6 else ''}")
    for sweep, is_forward in ((forward, True), (reverse, False)):
        if sweep is None:
            continue
        seed = names[sweep.seed]
        d = sweep.derivatives
        for i in range(len(g)):
            lines[i].append(f"{partial(names[i], seed) if is_forward else partial(seed, names[i])} = {short_num(d.get(i, 0.0))}")
            if i not in d:
                faint.add(i)
        notes.append(f"forward mode from {seed}: ∂node/∂{atom(seed)} on every node" if is_forward
                     else f"reverse mode from {seed}: ∂{atom(seed)}/∂node on every node")
    edge_labels = [""] * g.n_edges
    if partials is not None:
        for k, p in enumerate(partials):
            s, t = g.edge_src[k], g.edge_dst[k]
            value = short_num(p)
            text = formula(g, k) if formulas else value
            edge_labels[k] = _clip(f"{partial(names[t], names[s])} = {text}" + (f" = {value}" if text != value else ""))
    marked_nodes: frozenset[int] = frozenset()
    marked_edges: frozenset[int] = frozenset()
    if paths is not None:
        s, t = paths
        n = count_paths(g, s, t)
        on = edges_between(g, s, t)
        marked_edges = frozenset(on)
        marked_nodes = frozenset([g.edge_src[k] for k in on] + [g.edge_dst[k] for k in on] + ([s] if n else []))
        what = "path" if n == 1 else "paths"
        notes.append(f"{count_text(n)} {what} from {names[s]} to {names[t]}")
    if faint and len(faint) == len(g):
        faint = set()
    return Picture(g, ["\n".join(x) for x in lines], edge_labels, frozenset(faint), marked_nodes, marked_edges,
                   caption if caption is not None else "; ".join(notes), list(warnings))


def annotate(g: Graph, inputs: Mapping[str, float] | None = None, *, values: bool = False,
             partials: bool = False, forward: str | None = None, reverse: str | None = None,
             paths: tuple[str, str] | None = None, ieee: bool = False) -> Picture:
    """Compute what the options ask for and make the picture: ``values`` of the nodes, ``partials`` on the
    edges, ``forward`` from an input, ``reverse`` from an output, ``paths`` between two named nodes. Input
    values are needed only for the first four; the structure and the paths are drawn without them."""
    seeds = {k: g.node(v) for k, v in (("forward", forward), ("reverse", reverse)) if v is not None}
    ends = (g.node(paths[0]), g.node(paths[1])) if paths is not None else None
    vals = lin = None
    if partials or seeds:
        vals = lin = linearize(g, inputs, ieee=ieee)
    elif values:
        vals = evaluate(g, inputs, ieee=ieee)
    return picture(g, values=vals if values else None, partials=lin.partials if partials else None,
                   forward=forward_sweep(lin, seeds["forward"]) if "forward" in seeds else None,
                   reverse=reverse_sweep(lin, seeds["reverse"]) if "reverse" in seeds else None,
                   paths=ends, warnings=(vals.warnings + vals.faults) if vals is not None else ())


def draw(g: Graph, inputs: Mapping[str, float] | None = None, *, format: str = "svg", values: bool = False,
         partials: bool = False, forward: str | None = None, reverse: str | None = None,
         paths: tuple[str, str] | None = None, ieee: bool = False) -> str | bytes:
    """What ``graphdiff draw`` writes: the picture of :func:`annotate` in ``format`` (``dot``, ``mermaid`` and
    ``svg`` as text, ``png`` as bytes).

    >>> from graphdiff import loads
    >>> draw(loads("c = a + b; e = c * 2"), format="mermaid").splitlines()[0]
    'flowchart BT'
    """
    pic = annotate(g, inputs, values=values, partials=partials, forward=forward, reverse=reverse, paths=paths,
                   ieee=ieee)
    data = render(pic, format)
    return data if format == "png" else data.decode("utf-8")


def format_for(path: str | None, fmt: str | None) -> str:
    """The format to write: ``fmt`` if given, else the one the file's extension names, else DOT."""
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown picture format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if path is None or path == "-":
        return fmt or "dot"
    ext = path[path.rfind("."):].lower() if "." in path.rsplit("/", 1)[-1] else ""
    implied = EXTENSIONS.get(ext)
    if fmt is not None:
        if implied is not None and implied != fmt:
            raise InputError(f"{path}: the extension '{ext}' says {implied}, but --format says {fmt}; make them "
                             "agree (or drop --format)")
        return fmt
    if implied is None:
        known = ", ".join(EXTENSIONS)
        raise InputError(f"{path}: cannot tell the picture format from the extension '{ext}' (known: {known}); "
                         "give --format")
    return implied


def render(p: Picture, fmt: str, engine: str = "auto") -> bytes:
    """The picture in ``fmt`` (``dot``, ``mermaid``, ``svg``, ``png``) as bytes (text is UTF-8)."""
    if fmt == "dot":
        return to_dot(p).encode("utf-8")
    if fmt == "mermaid":
        return to_mermaid(p).encode("utf-8")
    if fmt == "svg":
        return to_svg(p, engine)
    if fmt == "png":
        return to_png(p, engine)
    raise InputError(f"unknown picture format '{fmt}'; choose one of {', '.join(FORMATS)}")


def _io_nodes(g: Graph) -> tuple[list[int], list[int]]:
    """The inputs (and constants) with no operands, and the outputs that nothing uses: the bottom and top rows."""
    used = bytearray(len(g))
    for s in g.edge_src:
        used[s] = 1
    bottom = [i for i in range(len(g)) if g.edge_start[i] == g.edge_start[i + 1] and used[i]]
    top = [i for i in g.outputs if not used[i]]
    return bottom, top


# ---- Graphviz DOT -----------------------------------------------------------------------------------------

def dot_quote(text: str) -> str:
    """A DOT double-quoted string whose label shows ``text`` literally (``\\n`` between lines).

    >>> print(dot_quote('say "hi" \\\\ bye'))
    "say \\"hi\\" \\\\ bye"
    """
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
    return '"' + text.replace("\n", "\\n") + '"'


def to_dot(p: Picture) -> str:
    """Graphviz DOT: ``graphdiff draw g.gd | dot -Tsvg > g.svg``. Nodes are ``n0``, ``n1``, … in topological
    order and carry their text as ``label``; inputs sit on the bottom rank and unused outputs on the top one."""
    g = p.graph
    marking = bool(p.marked_edges) or bool(p.marked_nodes)
    out = ["digraph graphdiff {",
           f"  graph [rankdir=BT, comment={dot_quote(g.source)}, fontname=\"Helvetica\", nodesep=0.4, ranksep=0.55"
           + (f", label={dot_quote(p.caption)}, labelloc=b, fontsize=12" if p.caption else "") + "];",
           '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#444444", '
           'fontname="Helvetica", fontsize=12];',
           f'  edge [color="{FAINT if marking else LINE}", arrowsize=0.7, fontname="Helvetica", fontsize=10];']
    outs = set(g.outputs)
    for i, label in enumerate(p.labels):
        attrs = [f"label={dot_quote(label)}"]
        if g.ops[i] == "input":
            attrs.append(f'fillcolor="{INPUT_FILL}"')
        elif i in outs:
            attrs.append(f'fillcolor="{OUTPUT_FILL}"')
        if g.kinds[i] == "anon":
            attrs.append('style="rounded,filled,dashed"')
        if i in p.faint:
            attrs.append(f'fontcolor="{FAINT}", color="{FAINT}"')
        if i in p.marked_nodes:
            attrs.append(f'color="{MARK}", penwidth=2')
        out.append(f"  n{i} [{', '.join(attrs)}];")
    for k, (s, t) in enumerate(zip(g.edge_src, g.edge_dst)):
        attrs = []
        if p.edge_labels[k]:
            attrs.append(f"label={dot_quote(p.edge_labels[k])}")
        if k in p.marked_edges:
            attrs.append(f'color="{MARK}", penwidth=2.2')
        out.append(f"  n{s} -> n{t}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    bottom, top = _io_nodes(g)
    if bottom:
        out.append("  {rank=min; " + " ".join(f"n{i};" for i in bottom) + "}")
    if top:
        out.append("  {rank=max; " + " ".join(f"n{i};" for i in top) + "}")
    out.append("}")
    return "\n".join(out) + "\n"


# ---- Mermaid ----------------------------------------------------------------------------------------------

_MERMAID_ESCAPES = {'"': "#quot;", "#": "#35;", "&": "#amp;", "<": "#lt;", ">": "#gt;", "|": "#124;",
                    "`": "#96;", "\r": ""}


def mermaid_quote(text: str) -> str:
    """A Mermaid quoted label showing ``text`` literally: the characters Mermaid or HTML would read become
    entity codes, line breaks become ``<br>``.

    >>> mermaid_quote('max(a, b) > "c" | d')
    '"max(a, b) #gt; #quot;c#quot; #124; d"'
    """
    text = "".join(_MERMAID_ESCAPES.get(c, c) for c in text)
    return '"' + text.replace("\n", "<br>") + '"'


def to_mermaid(p: Picture) -> str:
    """A Mermaid flowchart (renders in GitHub Markdown inside a ```mermaid block): one line per node, then one
    line per edge, ``n0 -->|"∂c/∂a = 1"| n2``, in edge order; styles last."""
    g = p.graph
    out = []
    if p.caption:
        out += ["---", f"title: {json.dumps(p.caption, ensure_ascii=False)}", "---"]
    out.append("flowchart BT")
    for i, label in enumerate(p.labels):
        out.append(f"    n{i}[{mermaid_quote(label)}]")
    for k, (s, t) in enumerate(zip(g.edge_src, g.edge_dst)):
        label = p.edge_labels[k]
        out.append(f"    n{s} -->|{mermaid_quote(label)}| n{t}" if label else f"    n{s} --> n{t}")
    outs = set(g.outputs)
    classes = {"input": [i for i in g.inputs], "output": [i for i in g.outputs if g.ops[i] != "input"],
               "anon": [i for i in range(len(g)) if g.kinds[i] == "anon" and i not in outs],
               "faint": sorted(p.faint), "marked": sorted(p.marked_nodes)}
    styles = {"input": f"fill:{INPUT_FILL},stroke:{LINE}", "output": f"fill:{OUTPUT_FILL},stroke:{LINE}",
              "anon": f"fill:{NODE_FILL},stroke:{LINE},stroke-dasharray:4 3",
              "faint": f"color:{FAINT},stroke:{FAINT}", "marked": f"stroke:{MARK},stroke-width:2px"}
    for name, members in classes.items():
        if members:
            out.append(f"    classDef {name} {styles[name]}")
            out.append(f"    class {','.join(f'n{i}' for i in members)} {name}")
    if p.marked_edges:
        out.append(f"    linkStyle default stroke:{FAINT}")
        out.append(f"    linkStyle {','.join(map(str, sorted(p.marked_edges)))} stroke:{MARK},stroke-width:3px")
    return "\n".join(out) + "\n"


# ---- layout -----------------------------------------------------------------------------------------------

FONT_SIZE = 11  # points, node text
EDGE_FONT_SIZE = 9.5
LINE_HEIGHT = 1.3  # of the font size


@dataclass(frozen=True)
class Layout:
    """Where everything goes, in inches, y upwards: node centres ``x``, ``y`` and box sizes ``w``, ``h``;
    each edge as a polyline ``curves[k]`` from the tail's box to the head's; each edge label's centre
    ``label_at[k]`` (None for no label); the whole ``width`` and ``height``."""

    x: list[float]
    y: list[float]
    w: list[float]
    h: list[float]
    curves: list[list[tuple[float, float]]]
    label_at: list[tuple[float, float] | None]
    label_size: list[tuple[float, float]]
    width: float
    height: float


def _measurer():
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    ttp = TextToPath()
    props = {size: FontProperties(family="DejaVu Sans", size=size) for size in (FONT_SIZE, EDGE_FONT_SIZE)}
    cache: dict[tuple[str, float], float] = {}

    def size(text: str, font: float) -> tuple[float, float]:
        """Width and height of (multi-line) text in inches."""
        rows = text.split("\n")
        width = 0.0
        for row in rows:
            w = cache.get((row, font))
            if w is None:
                w = cache[(row, font)] = ttp.get_text_width_height_descent(row, props[font], ismath=False)[0]
            width = max(width, w)
        return width / 72, len(rows) * font * LINE_HEIGHT / 72

    return size


def levels(g: Graph) -> list[int]:
    """Each node's row: the length of the longest path reaching it from a node without operands
    (networkx's ``topological_generations``), with every output that nothing uses lifted to the top row."""
    lvl = longest_path_levels(g)
    top = max(lvl, default=0)
    for i in _io_nodes(g)[1]:
        lvl[i] = top
    return lvl


def _shortest_ranks(g: Graph, most: int = 400) -> list[int] | None:
    """Rows that make the edges as short as they can be in all (each edge at least one row up), by the network
    simplex method Graphviz's ``dot`` ranks with (Gansner, Koutsofios, North and Vo, 1993): a spanning tree of
    tight edges, improved while a tree edge has a negative cut value. None above ``most`` nodes (the cut values
    are recomputed whole at each step: time about the nodes times the edges, per step)."""
    n = len(g)
    if n > most or not g.n_edges:
        return None
    edges = list(zip(g.edge_src, g.edge_dst))
    rank = longest_path_levels(g)
    touching: list[list[int]] = [[] for _ in range(n)]
    for k, (a, b) in enumerate(edges):
        touching[a].append(k)
        touching[b].append(k)

    def slack(k: int) -> int:
        return rank[edges[k][1]] - rank[edges[k][0]] - 1

    # a feasible tree, one per weakly connected part: grow the tight tree, or shift it to make an edge tight
    tree: set[int] = set()
    placed = [False] * n
    for root in range(n):
        if placed[root]:
            continue
        part, todo = {root}, [root]
        while todo:
            for k in touching[todo.pop()]:
                for u in edges[k]:
                    if u not in part:
                        part.add(u)
                        todo.append(u)
        inside = {root}
        placed[root] = True
        while True:
            todo = list(inside)
            while todo:
                v = todo.pop()
                for k in touching[v]:
                    u = edges[k][0] if edges[k][1] == v else edges[k][1]
                    if u not in inside and slack(k) == 0:
                        inside.add(u)
                        placed[u] = True
                        tree.add(k)
                        todo.append(u)
            if len(inside) == len(part):
                break
            k = min((k for v in inside for k in touching[v] if (edges[k][0] in inside) != (edges[k][1] in inside)),
                    key=slack)
            delta = slack(k) if edges[k][0] in inside else -slack(k)
            for v in inside:
                rank[v] += delta

    def side(k: int) -> set[int]:  # the nodes on the tail's side of tree edge k
        seen, todo = {edges[k][0]}, [edges[k][0]]
        while todo:
            v = todo.pop()
            for j in touching[v]:
                if j in tree and j != k:
                    u = edges[j][0] if edges[j][1] == v else edges[j][1]
                    if u not in seen:
                        seen.add(u)
                        todo.append(u)
        return seen

    for _ in range(4 * n):
        leaving = None
        for k in sorted(tree):
            tail = side(k)
            cut = sum((a in tail) - (b in tail) for a, b in (edges[j] for v in tail for j in touching[v]))
            if cut < 0:
                leaving = k, tail
                break
        if leaving is None:
            break
        k, tail = leaving
        entering = min((j for j, (a, b) in enumerate(edges) if j not in tree and a not in tail and b in tail),
                       key=slack, default=None)
        if entering is None:
            break
        delta = slack(entering)
        for v in tail:  # the tail's side moves down so that the entering edge is tight
            rank[v] -= delta
        tree.discard(k)
        tree.add(entering)
    low = min(rank)
    return [r - low for r in rank]


def _first_use(g: Graph, lvl: list[int]) -> list[float]:
    """Each node's lowest row among its users' (infinity for a node nothing uses)."""
    first = [math.inf] * len(g)
    for s, d in zip(g.edge_src, g.edge_dst):
        first[s] = min(first[s], lvl[d])
    return first


def _sources_near(g: Graph, lvl: list[int]) -> list[int]:
    """Every node without operands (an input, a constant) in the row just below its first user, as Graphviz's
    ranking puts it: short edges instead of long ones from the bottom row."""
    first = _first_use(g, lvl)
    return [int(first[i]) - 1 if not g.args[i] and first[i] != math.inf else r for i, r in enumerate(lvl)]


def _bounded(g: Graph, lvl: list[int], w: list[float], limit: float, gap: float) -> list[int]:
    """Rows no wider than ``limit`` inches where nodes are free to rise: from the bottom row up, a row too wide
    passes its nodes with the most room above them (nothing uses a sink: it may rise to a new top row) to the
    row above, never past the row below their first user. Rows whose nodes cannot rise stay as wide as they
    are."""
    lvl = list(lvl)
    first_use = _first_use(g, lvl)
    rows: dict[int, list[int]] = {}
    for i, r in enumerate(lvl):
        rows.setdefault(r, []).append(i)
    r = 0
    while r <= max(rows):
        row = rows.get(r, [])
        width = sum(w[i] + gap for i in row) - gap
        free = sorted((i for i in row if first_use[i] > r + 1), key=lambda i: (first_use[i] - r, i))
        while width > limit and free:
            i = free.pop()
            row.remove(i)
            rows.setdefault(r + 1, []).append(i)
            lvl[i] = r + 1
            width -= w[i] + gap
        r += 1
    return lvl


def _bezier(p0, c, p1, n: int = 24) -> list[tuple[float, float]]:
    return [((1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * c[0] + t * t * p1[0],
             (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * c[1] + t * t * p1[1])
            for t in (j / n for j in range(n + 1))]


def _upright(p0, p1, n: int = 6) -> list[tuple[float, float]]:
    """A cubic curve from ``p0`` up to ``p1`` that leaves and arrives vertically: its height grows all the way, so
    it stays in the gap between two rows."""
    m = (p1[1] - p0[1]) / 2
    c0, c1 = (p0[0], p0[1] + m), (p1[0], p1[1] - m)
    return [((1 - t) ** 3 * p0[0] + 3 * (1 - t) ** 2 * t * c0[0] + 3 * (1 - t) * t * t * c1[0] + t ** 3 * p1[0],
             (1 - t) ** 3 * p0[1] + 3 * (1 - t) ** 2 * t * c0[1] + 3 * (1 - t) * t * t * c1[1] + t ** 3 * p1[1])
            for t in (j / n for j in range(n + 1))]


def _point_at(curve: list[tuple[float, float]], frac: float) -> tuple[float, float]:
    """The point a fraction of the way along a polyline, by length."""
    seg = [math.dist(a, b) for a, b in zip(curve, curve[1:])]
    goal = sum(seg) * frac
    for (a, b), d in zip(zip(curve, curve[1:]), seg):
        if goal <= d and d > 0:
            u = goal / d
            return a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u
        goal -= d
    return curve[-1]


@dataclass
class _Vertices:
    """The layered graph a layout works on: the nodes, then one dummy vertex per row a long edge crosses.
    ``chains[k]`` is edge k's vertices from tail to head; ``rows[r]`` the vertices of row r, in order."""

    row_of: list[int]
    width: list[float]
    chains: list[list[int]]
    up: list[list[int]]
    down: list[list[int]]
    rows: list[list[int]]


def _route(g: Graph, lvl: list[int], w: list[float]) -> _Vertices:
    """Rows by level; every edge that spans rows gets a dummy vertex in each row it crosses."""
    row_of, vw, chains = list(lvl), list(w), []
    for s, t in zip(g.edge_src, g.edge_dst):
        chain = [s]
        for r in range(lvl[s] + 1, lvl[t]):
            chain.append(len(row_of))
            row_of.append(r)
            vw.append(0.12)
        chain.append(t)
        chains.append(chain)
    n_v = len(row_of)
    up: list[list[int]] = [[] for _ in range(n_v)]
    down: list[list[int]] = [[] for _ in range(n_v)]
    for chain in chains:
        for a, b in zip(chain, chain[1:]):
            up[a].append(b)
            down[b].append(a)
    rows: list[list[int]] = [[] for _ in range(max(lvl, default=0) + 1)]
    for v in range(n_v):
        rows[row_of[v]].append(v)
    return _Vertices(row_of, vw, chains, up, down, rows)


def _crossings(v: _Vertices, pos: list[float]) -> int:
    total = 0
    for r in range(len(v.rows) - 1):
        ends = [b for _, b in sorted((pos[a], pos[b]) for a in v.rows[r] for b in v.up[a])]
        for j in range(len(ends)):  # rows are small: a quadratic count is fine
            bj = ends[j]
            total += sum(1 for b in ends[j + 1:] if b < bj)
    return total


def _order_rows(v: _Vertices, member: dict[int, str] | None = None) -> None:
    """Order the vertices within their rows (``v.rows``, in place) by barycentre sweeps, up then down, keeping
    the order with the fewest crossings (counted on small graphs). A vector's elements (``member``) keep their
    index order within a row: the sweeps order the rest around them."""
    rows, n_rows = v.rows, len(v.rows)
    pos = [0.0] * len(v.row_of)
    member = member or {}

    def number() -> None:
        for row in rows:
            if member:
                _vectors_in_order(row, member)
            for j, u in enumerate(row):
                pos[u] = j

    small = len(v.row_of) <= 2000
    starts = [[list(r) for r in rows]]
    if small:  # and as Graphviz starts: each row in the order a depth-first walk up from the bottom meets it
        seen, walk = set(), [[] for _ in rows]
        for root in sorted(range(len(v.row_of)), key=lambda u: (v.row_of[u], u)):
            todo = [root]
            while todo:
                u = todo.pop()
                if u in seen:
                    continue
                seen.add(u)
                walk[v.row_of[u]].append(u)
                todo.extend(reversed(v.up[u]))
        starts.append(walk)
    best, best_rows = None, None
    for start in starts:
        rows[:] = [list(r) for r in start]
        number()
        c, r_ = _sweeps(v, rows, pos, member, small)
        if best is None or c < best:
            best, best_rows = c, r_
    rows[:] = best_rows


def _sweeps(v: _Vertices, rows: list[list[int]], pos: list[float], member: dict[int, str], small: bool):
    """Barycentre sweeps from the rows' present order, each followed by transposition on small graphs: the
    fewest crossings met and the rows that had them."""
    n_rows = len(rows)
    best, best_rows = _crossings(v, pos) if small else 0, [list(r) for r in rows]
    for sweep in range(8 if small else 2):
        order = range(1, n_rows) if sweep % 2 == 0 else range(n_rows - 2, -1, -1)
        near = v.down if sweep % 2 == 0 else v.up
        for r in order:
            keyed = sorted((sum(pos[u] for u in near[x]) / len(near[x]) if near[x] else pos[x], pos[x], x)
                           for x in rows[r])
            rows[r] = [x for _, _, x in keyed]
            if member:
                _vectors_in_order(rows[r], member)
            for j, x in enumerate(rows[r]):
                pos[x] = j
        if small:
            _transpose(v, pos, member)
            c = _crossings(v, pos)
            if c < best:
                best, best_rows = c, [list(r) for r in rows]
    return best, best_rows


def _transpose(v: _Vertices, pos: list[float], member: dict[int, str], passes: int = 12) -> None:
    """Swap neighbours in a row while that removes crossings with the rows above and below (Graphviz's
    ``transpose`` step after each sweep); two elements of one vector are never swapped."""

    def cost(a: int, b: int) -> int:  # crossings among a's and b's edges with a placed left of b
        total = 0
        for near in (v.up, v.down):
            for p in near[a]:
                for q in near[b]:
                    total += pos[p] > pos[q]
        return total

    for _ in range(passes):
        better = False
        for row in v.rows:
            for j in range(len(row) - 1):
                a, b = row[j], row[j + 1]
                if a in member and member.get(b) == member[a]:
                    continue
                if cost(b, a) < cost(a, b):
                    row[j], row[j + 1] = b, a
                    pos[a], pos[b] = j + 1, j
                    better = True
        if not better:
            return


def _vector_members(g: Graph) -> dict[int, str]:
    """Each vector element's vector: ``{node: name}``."""
    return {j: name for name, (start, count) in g.vectors.items() for j in range(start, start + count)}


def _vectors_in_order(row: list[int], member: dict[int, str]) -> None:
    """A vector's elements in index order (x[0], x[1], …) in the places its elements took in the row."""
    slots: dict[str, list[int]] = {}
    for j, u in enumerate(row):
        if u in member:
            slots.setdefault(member[u], []).append(j)
    for places in slots.values():
        for j, u in zip(places, sorted(row[j] for j in places)):
            row[j] = u


def _place_x(v: _Vertices, n: int, gap: float) -> list[float]:
    """x of every vertex: rows spaced and centred, then pulled towards their neighbours (left and right
    passes averaged, keeping the order and the spacing)."""
    vw, x = v.width, [0.0] * len(v.row_of)

    def sep(a: int, b: int) -> float:
        dummy = (a >= n) + (b >= n)
        return (vw[a] + vw[b]) / 2 + (gap if dummy == 0 else 0.25 if dummy == 1 else 0.12)

    for row in v.rows:
        at = 0.0
        for j, u in enumerate(row):
            if j:
                at += sep(row[j - 1], u)
            x[u] = at
        for u in row:
            x[u] -= at / 2
    for it in range(12):
        for row in (v.rows if it % 2 == 0 else v.rows[::-1]):
            want = [sum(x[u] for u in v.up[a] + v.down[a]) / len(v.up[a] + v.down[a]) if v.up[a] or v.down[a]
                    else x[a] for a in row]
            left, right = list(want), list(want)
            for j in range(1, len(row)):
                left[j] = max(left[j], left[j - 1] + sep(row[j - 1], row[j]))
            for j in range(len(row) - 2, -1, -1):
                right[j] = min(right[j], right[j + 1] - sep(row[j], row[j + 1]))
            for j, a in enumerate(row):
                x[a] = (left[j] + right[j]) / 2
    return x


def _place_y(v: _Vertices, h: list[float], n: int, between: float) -> list[float]:
    """y of every vertex: rows bottom to top, ``between`` apart (room for the edge labels)."""
    row_h = [max((h[u] for u in row if u < n), default=0.3) for row in v.rows]
    row_y = [0.0] * len(v.rows)
    for r in range(1, len(v.rows)):
        row_y[r] = row_y[r - 1] + row_h[r - 1] / 2 + between + row_h[r] / 2
    return [row_y[r] for r in v.row_of]


def _ports(v: _Vertices, x: list[float], w: list[float]) -> tuple[dict[int, float], dict[int, float]]:
    """Where each edge leaves its tail's box (top side) and enters its head's (bottom side): a box spreads
    its edges along the side in the order of their far ends."""
    out_port: dict[int, float] = {}
    in_port: dict[int, float] = {}
    for ports, end, near in ((out_port, 0, 1), (in_port, -1, -2)):
        by_box: dict[int, list[int]] = {}
        for k, chain in enumerate(v.chains):
            by_box.setdefault(chain[end], []).append(k)
        for b, ks in by_box.items():
            ks.sort(key=lambda k: (x[v.chains[k][near]], k))
            span = min(w[b] * 0.6, 0.22 * (len(ks) - 1))
            for j, k in enumerate(ks):
                ports[k] = x[b] + (span * (j / (len(ks) - 1) - 0.5) if len(ks) > 1 else 0.0)
    return out_port, in_port


def _curves(g: Graph, v: _Vertices, x, y, h, out_port, in_port) -> list[list[tuple[float, float]]]:
    """Every edge as a polyline: a quadratic curve for an edge between neighbouring rows (parallel edges bend
    apart), a long one upright through each row it crosses, bending between rows (:func:`_upright`)."""
    band = [0.0] * len(v.rows)  # each row's height: a long edge crosses it vertically, clear of its boxes
    for i in range(len(g)):
        band[v.row_of[i]] = max(band[v.row_of[i]], h[i])
    multiplicity: dict[tuple[int, int], list[int]] = {}
    for k, (s, t) in enumerate(zip(g.edge_src, g.edge_dst)):
        multiplicity.setdefault((s, t), []).append(k)
    curves = []
    for k, chain in enumerate(v.chains):
        s, t = chain[0], chain[-1]
        a = (out_port[k], y[s] + h[s] / 2)
        b = (in_port[k], y[t] - h[t] / 2)
        if len(chain) > 2:  # straight up through each row it crosses (in its slot), bending only between rows
            curve, at = [a], a
            for u in chain[1:-1]:
                curve += _upright(at, (x[u], y[u] - band[v.row_of[u]] / 2))[1:]
                at = (x[u], y[u] + band[v.row_of[u]] / 2)
                curve.append(at)
            curves.append(curve + _upright(at, b)[1:])
            continue
        twins = multiplicity[(s, t)]
        bend = ((len(twins) - 1) / 2 - twins.index(k)) * 0.8 if len(twins) > 1 else 0.0
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        length = math.dist(a, b) or 1.0
        nx_, ny_ = -(b[1] - a[1]) / length, (b[0] - a[0]) / length
        curves.append(_bezier(a, (mid[0] + nx_ * bend * length / 2, mid[1] + ny_ * bend * length / 2), b))
    return curves


def _place_labels(p: Picture, v: _Vertices, curves, boxes, label_size, lvl, x):
    """Each edge label along its edge, at the first place where it overlaps no box and no other label (else
    where it overlaps least): the label centres and the boxes they take."""
    g = p.graph
    placed: list[tuple[float, float, float, float]] = []
    label_at: list[tuple[float, float] | None] = [None] * g.n_edges

    def clash(box) -> float:
        total = 0.0
        for o in boxes + placed:
            dx = min(box[2], o[2]) - max(box[0], o[0])
            dy = min(box[3], o[3]) - max(box[1], o[1])
            if dx > 0 and dy > 0:
                total += dx * dy
        return total

    order = sorted((k for k in range(g.n_edges) if p.edge_labels[k]),
                   key=lambda k: (lvl[g.edge_dst[k]], x[g.edge_src[k]]))
    for k in order:
        lw, lh = label_size[k][0] + 0.08, label_size[k][1] + 0.04
        curve = curves[k][:13] if len(v.chains[k]) > 2 else curves[k]  # a long edge: its first gap
        best_at, best_cost = None, None
        for frac in (0.5, 0.38, 0.62, 0.28, 0.72, 0.45, 0.55, 0.2, 0.8):
            cx, cy = _point_at(curve, frac)
            box = (cx - lw / 2, cy - lh / 2, cx + lw / 2, cy + lh / 2)
            cost = clash(box)
            if best_cost is None or cost < best_cost - 1e-9:
                best_at, best_cost = (cx, cy, box), cost
            if cost == 0:
                break
        cx, cy, box = best_at
        placed.append(box)
        label_at[k] = (cx, cy)
    return label_at, placed


def layout(p: Picture, gap: float = 0.45, between: float = 0.55, widest: float | None = None) -> Layout:
    """A layered (Sugiyama) layout: rows by :func:`levels`, long edges routed through dummy points in the rows
    they cross, rows ordered by repeated barycentre sweeps, then x positions pulled towards the neighbours
    while keeping the order and the spacing. Parallel edges leave and enter at different points of the box
    and bend apart. Iterative throughout; time about the number of edges times the rows they span."""
    g = p.graph
    n = len(g)
    size = _measurer()
    boxes_wh = [size(label, FONT_SIZE) for label in p.labels]
    w = [max(tw + 0.28, 0.45) for tw, _ in boxes_wh]
    h = [th + 0.16 for _, th in boxes_wh]
    label_size = [size(t, EDGE_FONT_SIZE) if t else (0.0, 0.0) for t in p.edge_labels]
    labelled = any(p.edge_labels)
    widest_label = max((s[0] for s in label_size), default=0.0)
    label_rows = max((t.count("\n") + 1 for t in p.edge_labels if t), default=0)

    if widest is None:
        lvl = levels(g)
    else:
        lvl = _bounded(g, _shortest_ranks(g) or _sources_near(g, levels(g)), w, widest, gap)
    v = _route(g, lvl, w)
    _order_rows(v, _vector_members(g))
    x = _place_x(v, n, gap + (min(widest_label, 2.2) * 0.55 if labelled else 0.0))
    y = _place_y(v, h, n, between + (label_rows * EDGE_FONT_SIZE * LINE_HEIGHT / 72 * 2.4 + 0.3 if labelled else 0.0))
    curves = _curves(g, v, x, y, h, *_ports(v, x, w))
    boxes = [(x[i] - w[i] / 2, y[i] - h[i] / 2, x[i] + w[i] / 2, y[i] + h[i] / 2) for i in range(n)]
    label_at, placed = _place_labels(p, v, curves, boxes, label_size, lvl, x)

    # Shift everything to positive coordinates with a margin.
    xs = [b[0] for b in boxes] + [b[0] for b in placed] + [pt[0] for c in curves for pt in c]
    xe = [b[2] for b in boxes] + [b[2] for b in placed] + [pt[0] for c in curves for pt in c]
    ys = [b[1] for b in boxes] + [b[1] for b in placed]
    ye = [b[3] for b in boxes] + [b[3] for b in placed]
    margin = 0.25
    x0, y0 = min(xs, default=0.0) - margin, min(ys, default=0.0) - margin
    width, height = max(xe, default=1.0) + margin - x0, max(ye, default=1.0) + margin - y0
    return Layout([x[i] - x0 for i in range(n)], [y[i] - y0 for i in range(n)], w, h,
                  [[(px - x0, py - y0) for px, py in c] for c in curves],
                  [None if a is None else (a[0] - x0, a[1] - y0) for a in label_at], label_size, width, height)


# ---- SVG and PNG --------------------------------------------------------------------------------------------

def _graphviz(p: Picture, fmt: str, engine: str) -> bytes | None:
    """The picture drawn by Graphviz's ``dot``, or None when it is not to be used or not there."""
    if engine == "matplotlib":
        return None
    exe = shutil.which("dot")
    if exe is None:
        if engine == "graphviz":
            raise InputError("--engine graphviz: Graphviz's 'dot' is not on PATH; install Graphviz or use "
                             "--engine matplotlib")
        return None
    try:
        run = subprocess.run([exe, f"-T{fmt}"], input=to_dot(p).encode("utf-8"), capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        if engine == "graphviz":
            raise ComputeError(f"Graphviz's dot failed: {e}") from None
        return None
    if run.returncode != 0 or not run.stdout:
        if engine == "graphviz":
            raise ComputeError(f"Graphviz's dot failed: {run.stderr.decode('utf-8', 'replace').strip()[:300]}")
        return None
    return run.stdout


def _figure(p: Picture):
    """The picture as a matplotlib Figure on the Agg canvas (no pyplot, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path as MPath

    g = p.graph
    lay = layout(p)
    width = max(lay.width, 2.0)
    caption = _wrap_caption(p.caption, width - 0.3) if p.caption else ""
    width = max(width, _measurer()(caption, FONT_SIZE)[0] + 0.3) if caption else width  # a word wider than it
    caption_h = 0.2 + caption.count("\n") * FONT_SIZE * LINE_HEIGHT / 72 + 0.25 if caption else 0.0
    fig = Figure(figsize=(width, lay.height + caption_h))
    FigureCanvasAgg(fig)
    fw, fh = fig.get_size_inches()
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim((lay.width - fw) / 2, (lay.width + fw) / 2)
    ax.set_ylim(-caption_h, lay.height)
    ax.set_axis_off()
    marking = bool(p.marked_edges)
    outs = set(g.outputs)
    for k, curve in enumerate(lay.curves):
        marked = k in p.marked_edges
        colour = MARK if marked else FAINT if marking else LINE
        arrow = FancyArrowPatch(path=MPath(curve), arrowstyle="-|>", mutation_scale=11, color=colour,
                                linewidth=2.0 if marked else 1.1, zorder=3 if marked else 2)
        ax.add_patch(arrow)
        if lay.label_at[k] is not None:
            cx, cy = lay.label_at[k]
            ax.text(cx, cy, p.edge_labels[k], ha="center", va="center", fontsize=EDGE_FONT_SIZE,
                    family="DejaVu Sans", color=MARK if marked else "#222222", parse_math=False, zorder=5,
                    linespacing=LINE_HEIGHT,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.9})
    for i, label in enumerate(p.labels):
        fill = INPUT_FILL if g.ops[i] == "input" else OUTPUT_FILL if i in outs else NODE_FILL
        edge = MARK if i in p.marked_nodes else FAINT if i in p.faint else LINE
        box = FancyBboxPatch((lay.x[i] - lay.w[i] / 2, lay.y[i] - lay.h[i] / 2), lay.w[i], lay.h[i],
                             boxstyle="round,pad=0,rounding_size=0.08", facecolor=fill, edgecolor=edge,
                             linewidth=2.0 if i in p.marked_nodes else 1.0, zorder=4,
                             linestyle="--" if g.kinds[i] == "anon" else "-")
        ax.add_patch(box)
        ax.text(lay.x[i], lay.y[i], label, ha="center", va="center", fontsize=FONT_SIZE, family="DejaVu Sans",
                color=FAINT if i in p.faint else "#111111", parse_math=False, zorder=6, linespacing=LINE_HEIGHT)
    if caption:
        ax.text(lay.width / 2, -caption_h / 2 + 0.05, caption, ha="center", va="center", fontsize=FONT_SIZE,
                family="DejaVu Sans", color="#333333", parse_math=False, style="italic", linespacing=LINE_HEIGHT)
    return fig


def _wrap_caption(text: str, width: float) -> str:
    """The caption in lines no wider than ``width`` inches (broken at spaces; a longer word stands alone, and
    the picture widens to it)."""
    size = _measurer()
    lines: list[str] = []
    for word in text.split(" "):
        if lines and size(f"{lines[-1]} {word}", FONT_SIZE)[0] <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def to_svg(p: Picture, engine: str = "auto") -> bytes:
    """SVG bytes: Graphviz's layout when ``dot`` is on PATH (``engine`` ``auto`` or ``graphviz``), else the
    matplotlib drawing of :func:`layout`, with text kept as text and no timestamp (stable for version control)."""
    out = _graphviz(p, "svg", engine)
    if out is not None:
        return out
    from matplotlib import rc_context

    fig = _figure(p)
    buf = io.BytesIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "graphdiff", "svg.id": None}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "graphdiff"})
    return buf.getvalue()


def to_png(p: Picture, engine: str = "auto", dpi: int = 144) -> bytes:
    """PNG bytes, laid out as :func:`to_svg` does."""
    out = _graphviz(p, "png", engine)
    if out is not None:
        return out
    fig = _figure(p)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": "graphdiff"})
    return buf.getvalue()


def eliminated(r) -> Picture:
    """The picture of :func:`graphdiff.analyses.eliminate.remaining`: the vertices left, every edge labelled
    with its value, the fill-in edges marked, and a caption saying how far the order has gone."""
    done = r.order[:r.steps]
    listed = ", ".join(done)
    n_fill = len(r.fill)
    caption = (f"after {r.steps} of {len(r.order)} eliminations ({r.order_name}"
               + (f": {listed}" if done and len(listed) <= 30 else "") + ")"
               + (f"; {n_fill} fill-in edge{'s' if n_fill != 1 else ''}" if n_fill else ""))
    return Picture(r.graph, r.names, [short_num(v) for v in r.values], frozenset(), frozenset(), frozenset(r.fill),
                   caption, r.warnings)
