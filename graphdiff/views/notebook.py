"""Results shown in Jupyter: a MIME bundle with ``image/svg+xml`` (the picture ``graphdiff draw`` makes,
annotated with what the result holds), ``text/html`` (the command's table, with the picture above it) and
``text/plain`` (the command's table as text), honouring ``include`` and ``exclude`` as the graphviz package
does.

The result classes know nothing of this: :func:`register` tells IPython's display formatter how to show each
of them (``for_type``, as IPython registers formatters for types it does not own), and ``import graphdiff``
calls it when IPython is running.

The picture is drawn for graphs of up to :data:`PICTURE_NODES` nodes (above, the bundle has no SVG); tables
show their first :data:`ROWS` rows, as a terminal does.
"""
from __future__ import annotations

import html
import io
from typing import Any, Iterable

PICTURE_NODES = 150
ROWS = 50


def _classes() -> list[type]:
    from ..analyses.check import CheckResult
    from ..analyses.cost import Cost
    from ..analyses.eliminate import Elimination
    from ..analyses.grad import Gradient
    from ..analyses.hessian import Hessian, HessianVector
    from ..analyses.shape import Shape
    from ..language.graph import Graph
    from ..sweeps.evaluate import Values
    from ..sweeps.paths import Between, PathCounts

    return [Graph, Gradient, Values, Cost, Between, PathCounts, Shape, CheckResult, Hessian, HessianVector,
            Elimination]


def register(shell=None) -> bool:
    """Show every graphdiff result in ``shell`` (default: the running IPython, if any) by :func:`bundle`;
    whether there was a shell to register with. Subclasses (a Linearization is Values) are covered."""
    if shell is None:
        import sys

        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    formatter = shell.display_formatter.mimebundle_formatter
    for cls in _classes():
        formatter.for_type(cls, bundle)
    return True


def _report(obj):
    """The report the matching command prints for ``obj``, by its class (the first that matches)."""
    from . import report as R
    from ..analyses.check import CheckResult
    from ..analyses.cost import Cost
    from ..analyses.eliminate import Elimination
    from ..sweeps.evaluate import Linearization, Values
    from ..analyses.grad import Gradient
    from ..language.graph import Graph
    from ..analyses.hessian import Hessian, HessianVector
    from ..sweeps.paths import Between, PathCounts
    from ..analyses.shape import Shape, shape

    table = [(Graph, lambda o: R.info_report(shape(o))), (Gradient, R.grad_report), (Linearization, R.edges_report),
             (Values, R.eval_report), (Cost, R.cost_report), (Between, R.paths_report), (PathCounts, R.matrix_report),
             (Shape, R.info_report), (CheckResult, R.check_report), (Hessian, R.hessian_report),
             (HessianVector, R.hvp_report), (Elimination, lambda o: R.eliminate_report(o, trace=True))]
    for cls, make in table:  # Linearization before Values: it is one
        if isinstance(obj, cls):
            return make(obj)
    raise TypeError(f"no display for {type(obj).__name__}")


def _svg(obj) -> str | None:
    from . import draw as D
    from ..sweeps.evaluate import Linearization, Values
    from ..analyses.grad import Gradient
    from ..language.graph import Graph

    g = getattr(obj, "graph", None) if not isinstance(obj, Graph) else obj
    if g is None or len(g) > PICTURE_NODES:
        return None
    if isinstance(obj, Gradient) and obj.sweeps:
        s = obj.sweeps[0]
        pic = D.picture(g, values=obj.lin, partials=obj.lin.partials,
                        forward=s if obj.mode == "forward" else None, reverse=s if obj.mode == "reverse" else None)
    elif isinstance(obj, Linearization):
        pic = D.picture(g, values=obj, partials=obj.partials)
    elif isinstance(obj, Values):
        pic = D.picture(g, values=obj)
    else:
        pic = D.picture(g)
    return D.render(pic, "svg", "matplotlib").decode("utf-8")


def _html_table(t, digits: int = 6) -> str:
    from .render import cell

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in t.columns)
    rows = []
    for r in list(t.rows[:ROWS]):
        rows.append("<tr>" + "".join(f"<td>{html.escape(cell(v, digits))}</td>" for v in r) + "</tr>")
    more = f"<p>… {len(t.rows) - ROWS:,} more rows</p>" if len(t.rows) > ROWS else ""
    foot = f"<p>{html.escape(t.footer)}</p>" if t.footer else ""
    return (f"<p><b>{html.escape(t.title)}</b></p><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
            f"</tbody></table>{more}{foot}")


def _text(report) -> str:
    from rich.console import Console

    from .render import render

    out = io.StringIO()
    render(report, "table", out, console=Console(file=out, width=110, color_system=None, highlight=False, force_jupyter=False,
                                                 soft_wrap=False))
    return out.getvalue()


def bundle(obj, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None) -> dict[str, Any]:
    """The MIME bundle of a graphdiff result: only the types ``include`` names (all when None), none that
    ``exclude`` names; each is built only when it is wanted."""
    wanted = ["image/svg+xml", "text/html", "text/plain"]
    if include:
        wanted = [m for m in wanted if m in set(include)]
    if exclude:
        wanted = [m for m in wanted if m not in set(exclude)]
    out: dict[str, Any] = {}
    svg = _svg(obj) if ("image/svg+xml" in wanted or "text/html" in wanted) else None
    report = _report(obj) if ("text/html" in wanted or "text/plain" in wanted) else None
    if "image/svg+xml" in wanted and svg is not None:
        out["image/svg+xml"] = svg
    if "text/html" in wanted:
        notes = "".join(f"<p>{html.escape(n if isinstance(n, str) else n.text(6))}</p>" for n in report.notes)
        picture = svg[svg.find("<svg"):] if svg else ""
        out["text/html"] = f"<div class='graphdiff'>{picture}{''.join(_html_table(t) for t in report.tables)}{notes}</div>"
    if "text/plain" in wanted:
        out["text/plain"] = _text(report)
    return out
