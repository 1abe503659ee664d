"""The explorable page: one self-contained HTML file (script, styles and picture inline, nothing loaded from
the network) where every value, edge partial and derivative of a program updates as its inputs change.

What the page computes comes from graphdiff's one table of primitives: each node's value is the row's ``js``
form (:mod:`graphdiff.ops`), and each partial is the row's *formula text*, parsed by graphdiff's own grammar
and compiled to JavaScript here, so the numbers on the page are the formulas ``graphdiff edges`` prints. The
sweeps, the paths and the notation are ported from the Python (``graphdiff/web/explore.js``), and the page's
``window.graphdiff`` returns the JSON documents of ``eval``, ``edges``, ``grad``, ``paths`` and ``cost``.
The cost table, which depends on the graph alone, is computed here and embedded.

Above :data:`MAX_NODES` nodes the page opens with the picture left out (a notice says so) and the controls,
tables and ``window.graphdiff`` still working; above :data:`MAX_MODEL` it is refused.
"""
from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping


from ..analyses.cost import cost
from .draw import Picture, layout, levels, node_label
from ..base.errors import InputError
from ..sweeps.evaluate import bind
from ..language.graph import Graph, loads
from ..base.notation import atom
from ..codegen.compile import javascript
from ..codegen.formula import formulas, template
from ..primitives import PRIMITIVES
from ..sweeps.reach import COUNT_BUDGET

WEB = Path(__file__).resolve().parent / "web"
#: Above this many nodes the page has no picture (the layout and thousands of SVG elements would be slow).
MAX_NODES = 2_000
#: ... or when its edges cross more rows than this in all (a chain whose every step reads one weight).
MAX_SPAN = 40_000
#: Above this many nodes no page is written.
MAX_MODEL = 200_000


def _signature(g: Graph, i: int) -> str:
    return f"{g.ops[i]}/{len(g.args[i])}"


def _used(p) -> set[str]:
    """The rows ``p``'s formula texts call (their helpers go into the page too)."""
    texts = list(p.partials) + ([p.partial] if p.partial else []) + [t for ts in p.small.values() for t in ts]
    texts += [c[0] for c in (p.domain, p.kink) if c is not None]
    out: set[str] = set()
    for t in texts:
        stack = [template(t)]
        while stack:
            e = stack.pop()
            if e[0] not in ("#", "$", "@"):
                out.add(e[0])
                stack.extend(e[1])
    return out


def generated_code(g: Graph) -> str:
    """The page's knowledge of the primitives ``g`` uses, generated from their rows: ``G.VALUE[op/n]``,
    ``G.PARTIALS[op/n]`` (the formula texts compiled to JavaScript), ``G.DOMAIN[op/n]`` and ``G.KINK[op/n]``
    (the conditions), and the JavaScript helpers those call."""
    lines, helpers, seen = [], {}, set()
    for i in range(len(g)):
        if g.ops[i] == "input":
            continue
        key = _signature(g, i)
        if key in seen:
            continue
        seen.add(key)
        p = PRIMITIVES[g.ops[i]]
        try:
            fs = javascript(p, len(g.args[i]))
        except KeyError as e:
            raise InputError(f"explore: no JavaScript form for {e.args[0]} (a primitive registered without "
                             "leaves['js'])") from None
        for what, table in (("value", "VALUE"), ("partials", "PARTIALS"), ("domain", "DOMAIN"), ("kink", "KINK")):
            if what in fs:
                lines.append(f"G.{table}[{json.dumps(key)}] = {fs[what]};")
        for q in {p.name} | _used(p):
            helpers.update(PRIMITIVES[q].helpers.get("js", {}))
    return ("(function (G) {\n" + "\n".join(helpers[h] for h in sorted(helpers)) + "\n" + "\n".join(lines)
            + "\n})(window.GD_RUNTIME);")


def model(g: Graph, values: Mapping[str, object] | None = None, *, picture: bool | None = None) -> dict[str, Any]:
    """The page's data: nodes (name, operation, operands, text, position, default value, domain message and
    kink of each), edges, formulas, the layout, the cost document."""
    n = len(g)
    if n > MAX_MODEL:
        raise InputError(f"{g.source} has {n:,} nodes: explore writes pages for up to {MAX_MODEL:,}")
    why = ""
    if picture is None:
        picture = n <= MAX_NODES
        why = f"the picture is left out above {MAX_NODES:,} nodes"
        if picture:  # the layout routes every edge through each row it spans: bound that work too
            lvl = levels(g)
            span = sum(lvl[d] - lvl[s] for s, d in zip(g.edge_src, g.edge_dst))
            if span > MAX_SPAN:
                picture = False
                why = (f"the picture is left out: its edges cross {span:,} rows in all (more than {MAX_SPAN:,}), "
                       "too many to lay out readably")
    try:
        start = bind(g, values)
    except InputError:
        if values:
            raise
        start = [g.defaults.get(i, math.nan) for i in g.inputs]  # inputs without values start empty
    defaults = dict(zip(g.inputs, start))
    lay = None
    if picture:
        labels = [_short(node_label(g, i)) + "\n= -0.000000" for i in range(n)]
        lay = layout(Picture(g, labels, [""] * g.n_edges), gap=PAGE_GAP, between=PAGE_BETWEEN,
                     widest=PAGE_WIDEST)
    nodes = []
    for i in range(n):
        item = {"name": g.names[i], "atom": atom(g.names[i]), "op": g.ops[i], "text": g.texts[i],
                "kind": g.kinds[i], "line": g.lines[i], "col": g.cols[i], "label": node_label(g, i),
                "sig": _signature(g, i), "args": [a if isinstance(a, int) else {"c": _finite(a)} for a in g.args[i]]}
        if g.ops[i] == "input":
            item["default"] = _finite(defaults.get(i, math.nan))
        else:
            p = PRIMITIVES[g.ops[i]]
            texts = g.operand_text(i)
            item["domain"] = p.domain[1].format(*texts) if p.domain else "domain error"
            if p.kink is not None and (p.kink_arg is None or not isinstance(g.args[i][p.kink_arg], float)):
                item["kink"] = p.kink[1].format(*texts, y="{y}", c="{c}")
        if lay is not None:
            item.update(x=lay.x[i], y=lay.y[i], w=lay.w[i], h=lay.h[i])
        nodes.append(item)
    c = cost(g, budget=COUNT_BUDGET)
    return {
        "version": _version(), "source": g.source, "intro": _intro(g), "nodes": nodes, "inputs": g.inputs,
        "outputs": g.outputs,
        "vectors": {k: list(v) for k, v in g.vectors.items()},
        "edges": {"src": g.edge_src, "dst": g.edge_dst, "arg": g.edge_arg, "start": g.edge_start},
        "formulas": formulas(g),
        "curves": [_thin(cv) for cv in lay.curves] if lay else [],
        "width": lay.width if lay else 0, "height": lay.height if lay else 0,
        "constFaults": [d.to_dict() for d in g.faults], "cost": c.to_dict(),
        "reduced": "" if picture else (f"{n:,} nodes: {why}. The page draws one node's neighbourhood at a time "
                                        "(its operands two deep and its users): click a node, or find one with the "
                                        "filter, to move there. The controls, the tables and window.graphdiff work "
                                        "as on a small graph."),
    }


#: The page's layout is tighter than a picture's (inches between boxes in a row, between rows): its edge labels
#: are placed by the page, which shows those that fit at the current zoom.
PAGE_GAP, PAGE_BETWEEN = 0.25, 0.42
#: Rows wider than this (inches) pass the nodes free to rise to the row above: the page is read in a window.
PAGE_WIDEST = 6.0

#: The longest node text a box is sized for; the page shortens longer ones with … (whole on hover and in the
#: node's detail).
LABEL_CHARS = 28


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


def _intro(g: Graph) -> str:
    """The program's leading comment, one paragraph (the page's introduction)."""
    lines = []
    for line in (g.text or "").split("\n", 50):
        if not line.startswith("#") or line.startswith("# derived-from:"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(x for x in lines if x)[:600]


def _thin(curve, most: int = 16) -> list[list[float]]:
    """A curve rounded to a hundredth of an inch; a short edge's (25 points) thinned to ``most`` points, its ends
    kept. A long edge keeps every point: :func:`~graphdiff.views.draw.layout` draws it with a few points a row,
    upright through each row it crosses, and thinning would cut its corners through the boxes."""
    if len(curve) == 25 and most < 25:
        step = (len(curve) - 1) / (most - 1)
        curve = [curve[round(k * step)] for k in range(most)]
    return [[round(x, 2), round(y, 2)] for x, y in curve]


def _finite(x: float):
    return x if math.isfinite(x) else None


@dataclass
class Page:
    """An explorable page: ``html`` is the whole file."""

    html: str
    nodes: int

    @property
    def size(self) -> int:
        return len(self.html.encode("utf-8"))


def _script(text: str) -> str:
    return text.replace("</", "<\\/")


def page(g: Graph, values: Mapping[str, object] | None = None) -> Page:
    """The explorable page of ``g`` (inputs start at ``values``, else the program's defaults).

    >>> from graphdiff import loads
    >>> p = page(loads("input a = 2, b = 1; c = a + b; d = b + 1; e = c * d"))
    >>> 'window.graphdiff = ' in p.html, 'G.PARTIALS["mul/2"]' in p.html, '<script src' in p.html
    (True, True, False)
    """
    m = model(g, values)
    css = (WEB / "explore.css").read_text(encoding="utf-8")
    runtime = (WEB / "runtime.js").read_text(encoding="utf-8")
    app = (WEB / "explore.js").read_text(encoding="utf-8")
    title = html.escape(f"graphdiff explore: {Path(g.source).name}")
    data = json.dumps(m, separators=(",", ":"), allow_nan=False)
    body = (WEB / "explore.html").read_text(encoding="utf-8")
    doc = (body.replace("{{title}}", title).replace("{{css}}", css)
           .replace("{{scripts}}", "\n".join(f"<script>{_script(s)}</script>" for s in (
               runtime, generated_code(g), f"window.GD_MODEL = {data};", app))))
    return Page(doc, len(g))


class Explorable:
    """What ``graphdiff.explore(g)`` returns: the page, shown inline by Jupyter (an iframe holding the whole
    page, so that its script runs in a frame of its own) and written to a file by :meth:`save`."""

    def __init__(self, g: Graph, values: Mapping[str, object] | None = None, height: int = 560):
        self.graph, self.page, self.height = g, page(g, values), height

    def save(self, path: str) -> None:
        Path(path).write_text(self.page.html, encoding="utf-8")

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.page.html, quote=True)}" style="width: 100%; height: '
                f'{self.height}px; border: 1px solid #ddd" sandbox="allow-scripts"></iframe>')

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self._repr_html_(), "text/plain": repr(self)}
        if include:
            data = {k: v for k, v in data.items() if k in include}
        if exclude:
            data = {k: v for k, v in data.items() if k not in exclude}
        return data

    def __repr__(self) -> str:
        return f"<explorable page of {self.graph.source}: {len(self.graph)} nodes, {self.page.size:,} bytes>"


def explore(g: Graph, values: Mapping[str, object] | None = None) -> Explorable:
    """The explorable page of ``g`` for a notebook (inline) or a file (:meth:`Explorable.save`)."""
    return Explorable(g, values)


def _version() -> str:
    from ..base.version import __version__

    return __version__
