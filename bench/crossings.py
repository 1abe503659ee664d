#!/usr/bin/env python3
"""Layout quality (issue 23): graphdiff's own layered layout against Graphviz dot's, on the same graphs with the
same boxes.

Usage (from the repository root)::

    .venv/bin/python bench/crossings.py                      # samples/*.gd and samples/published/*.gd
    .venv/bin/python bench/crossings.py --dot /opt/gv/dot    # dot's path (default /opt/gv/dot; not on PATH)
    .venv/bin/python bench/crossings.py --json               # machine-readable, with every crossing and box hit
    .venv/bin/python bench/crossings.py --self-test          # the metric on hand-made cases
    .venv/bin/python bench/crossings.py --same-rows          # and dot's crossings on graphdiff's own rows
    .venv/bin/python bench/crossings.py samples/rnn.gd       # some graphs only

1. graphdiff's layout is the one the explorable page draws: ``graphdiff.views.explore.model(g)`` (node centres
   and box sizes in inches, y up; each edge a polyline of at most 16 points from the tail's box border to the
   head's). A graph whose model leaves the picture out is skipped.
2. dot gets the same graph: ``rankdir=BT``, every node a fixed-size box of the model's width and height with no
   label, the edges in order (parallel edges kept), no arrowheads (so that each spline ends on the box border as
   graphdiff's polylines do), dot's default ``nodesep`` and ``ranksep``. ``dot -Tplain`` gives the node centres
   and each edge's B-spline control points; every cubic Bézier piece is sampled at 12 points.
3. One function, :func:`measure`, scores both layouts (the boxes are the model's sizes at each layout's centres):

   * crossings: pairs of segments of two different edges' polylines that properly intersect; a crossing within
     0.05 in of the box of a node the two edges share is not counted (edges leaving or entering the same box),
     and crossings of the same two edges within 0.02 in of each other count once;
   * edges through boxes: (edge, node) pairs where the edge's polyline enters the interior of the box (shrunk
     by 0.02 in) of a node other than its own tail and head;
   * size: the bounding box of the boxes and the polylines, in inches (the table gives pixels at 72 px/in, as
     the page draws; the page itself adds a 0.25 in margin on each side), and the aspect width ÷ height.

   ``--same-rows`` adds dot's layout on the page's own rows (its nodes' heights, one ``rank=same`` group a row): the
   crossings that come from the rows rather than from the order within them.

   Segments are bucketed in a grid of 0.5 in cells, so only segments sharing a cell are compared (the largest
   published graph, 190 edges, takes well under a second per layout in pure Python).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED_NODE = 0.05   # in: crossings this close to the box of a node both edges touch are not counted
SAME_CROSSING = 0.02  # in: crossings of the same two edges this close together count once
SHRINK = 0.02        # in: boxes shrunk by this much before testing whether an edge passes through them
CELL = 0.5           # in: grid cell of the segment buckets
PX = 72              # px/in, as the page draws
PIECE = 12           # points sampled on each cubic Bézier piece of dot's splines


# ---- the metric ---------------------------------------------------------------------------------------------

def _orient(a, b, c) -> bool:
    """Which side of line ab the point c is on; exactly on the line counts as the left side (a fixed convention,
    so that a polyline crossing another at one of its vertices counts once, not twice or never)."""
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]) >= 0


def _cross_point(a, b, c, d):
    """Where segment ab meets segment cd, or None if they do not properly cross."""
    if _orient(a, b, c) == _orient(a, b, d) or _orient(c, d, a) == _orient(c, d, b):
        return None
    den = (b[0] - a[0]) * (d[1] - c[1]) - (b[1] - a[1]) * (d[0] - c[0])
    if den == 0:  # collinear: an overlap, not a crossing
        return None
    t = ((c[0] - a[0]) * (d[1] - c[1]) - (c[1] - a[1]) * (d[0] - c[0])) / den
    return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])


def _box_distance(p, box) -> float:
    """Distance from point p to the box (x0, y0, x1, y1); 0 inside."""
    dx = max(box[0] - p[0], 0.0, p[0] - box[2])
    dy = max(box[1] - p[1], 0.0, p[1] - box[3])
    return math.hypot(dx, dy)


def _enters(a, b, box) -> bool:
    """Whether segment ab has a piece of positive length inside the open box (Liang-Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - box[0]), (dx, box[2] - a[0]), (-dy, a[1] - box[1]), (dy, box[3] - a[1])):
        if p == 0:
            if q <= 0:
                return False
            continue
        r = q / p
        if p < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 >= t1:
            return False
    return t1 - t0 > 1e-12


def _cells(x0: float, y0: float, x1: float, y1: float):
    for i in range(math.floor(x0 / CELL), math.floor(x1 / CELL) + 1):
        for j in range(math.floor(y0 / CELL), math.floor(y1 / CELL) + 1):
            yield i, j


def measure(boxes, curves, src, dst) -> dict:
    """Score one layout. ``boxes[i]`` is node i's (x, y, w, h) (centre and size, inches), ``curves[k]`` edge k's
    polyline [(x, y), ...] from node ``src[k]`` to node ``dst[k]``.

    >>> sq = [(0, 0, 1, 1), (0, 4, 1, 1), (4, 0, 1, 1), (4, 4, 1, 1)]
    >>> measure(sq, [[(0, .5), (4, 3.5)], [(4, .5), (0, 3.5)]], [0, 2], [3, 1])["crossings"]   # an X: one crossing
    1
    >>> measure(sq, [[(0, .5), (0, 3.5)], [(4, .5), (4, 3.5)]], [0, 2], [1, 3])["crossings"]   # side by side: none
    0
    >>> three = [(0, 0, 1, 1), (0, 4, 1, 1), (0, 2, 1, .6)]   # node 2 sits on the straight line from 0 to 1
    >>> r = measure(three, [[(0, .5), (0, 3.5)]], [0], [1]); r["through_boxes"], r["box_hits"]
    (1, [[0, 2]])
    >>> measure(three, [[(0, .5), (1, 2), (0, 3.5)]], [0], [1])["through_boxes"]   # bent round its right side
    0
    >>> two = [(-.2, .5), (.2, .54), (.2, 3.5)], [(.2, .5), (-.2, .54), (-.2, 3.5)]   # both leave node 0's top
    >>> measure(sq, list(two), [0, 0], [1, 1])["crossings"]   # and cross 0.02 in above it: not counted
    0
    >>> measure(sq, list(two), [2, 0], [1, 1])["crossings"]   # the same picture, tails apart: counted
    1
    >>> measure(sq, [[(0, .5), (2, 2), (4, 3.5)], [(4, .5), (2, 2), (0, 3.5)]], [0, 2], [3, 1])["crossings"]  # at vertices
    1
    >>> measure(sq, [[(0, .5), (1.5, 3.5)], [(1, .5), (0, 2), (2, 2.1), (0, 3.5)]], [0, 2], [1, 3])["crossings"]  # three times
    3
    """
    n_e = len(curves)
    rect = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x, y, w, h in boxes]
    grid: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for k, c in enumerate(curves):
        for j in range(len(c) - 1):
            a, b = c[j], c[j + 1]
            for cell in _cells(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])):
                grid.setdefault(cell, []).append((k, j))

    # Crossings: segment pairs sharing a cell, of different edges.
    found: dict[tuple[int, int], list[tuple[float, float]]] = {}
    seen: set[tuple[int, int, int, int]] = set()
    for segs in grid.values():
        for u in range(len(segs)):
            k1, j1 = segs[u]
            for v in range(u + 1, len(segs)):
                k2, j2 = segs[v]
                if k1 == k2:
                    continue
                key = (k1, j1, k2, j2) if k1 < k2 else (k2, j2, k1, j1)
                if key in seen:
                    continue
                seen.add(key)
                c1, c2 = curves[key[0]], curves[key[2]]
                a, b, c, d = c1[key[1]], c1[key[1] + 1], c2[key[3]], c2[key[3] + 1]
                if max(a[0], b[0]) < min(c[0], d[0]) or max(c[0], d[0]) < min(a[0], b[0]) or \
                        max(a[1], b[1]) < min(c[1], d[1]) or max(c[1], d[1]) < min(a[1], b[1]):
                    continue
                p = _cross_point(a, b, c, d)
                if p is not None:
                    found.setdefault((key[0], key[2]), []).append(p)
    crossings = []
    for (k1, k2), pts in sorted(found.items()):
        shared = {src[k1], dst[k1]} & {src[k2], dst[k2]}
        kept: list[tuple[float, float]] = []
        for p in pts:
            if any(_box_distance(p, rect[i]) <= SHARED_NODE for i in shared):
                continue
            if any(math.dist(p, q) <= SAME_CROSSING for q in kept):
                continue
            kept.append(p)
        crossings += [[k1, k2, round(p[0], 3), round(p[1], 3)] for p in kept]

    # Edges through boxes: the segments in the cells a (shrunk) box covers.
    hits = set()
    for i, (x0, y0, x1, y1) in enumerate(rect):
        box = (x0 + SHRINK, y0 + SHRINK, x1 - SHRINK, y1 - SHRINK)
        if box[0] >= box[2] or box[1] >= box[3]:
            continue
        for cell in _cells(*box):
            for k, j in grid.get(cell, ()):
                if i != src[k] and i != dst[k] and (k, i) not in hits and _enters(curves[k][j], curves[k][j + 1], box):
                    hits.add((k, i))

    xs = [v for r in rect for v in (r[0], r[2])] + [p[0] for c in curves for p in c]
    ys = [v for r in rect for v in (r[1], r[3])] + [p[1] for c in curves for p in c]
    width, height = (max(xs) - min(xs), max(ys) - min(ys)) if xs else (0.0, 0.0)
    return {"crossings": len(crossings), "through_boxes": len(hits), "width": round(width, 3),
            "height": round(height, 3), "aspect": round(width / height, 3) if height else None,
            "crossing_points": crossings, "box_hits": sorted([k, i] for k, i in hits), "edges": n_e}


# ---- the two layouts ----------------------------------------------------------------------------------------

def graphdiff_layout(m: dict):
    boxes = [(nd["x"], nd["y"], nd["w"], nd["h"]) for nd in m["nodes"]]
    return boxes, [[tuple(p) for p in c] for c in m["curves"]]


def dot_source(m: dict, rows: list[int] | None = None) -> str:
    """The dot input; with ``rows`` (each node's row), one ``rank=same`` group per row, so that dot keeps them."""
    lines = ["digraph {", "  rankdir=BT;", '  node [shape=box, fixedsize=true, label=""];', "  edge [arrowhead=none];"]
    for i, nd in enumerate(m["nodes"]):
        lines.append(f"  n{i} [width={nd['w']:.4f}, height={nd['h']:.4f}];")
    for s, t in zip(m["edges"]["src"], m["edges"]["dst"]):
        lines.append(f"  n{s} -> n{t};")
    for r in sorted(set(rows or ())):
        lines.append("  { rank=same; " + " ".join(f"n{i};" for i, ri in enumerate(rows) if ri == r) + " }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _sample(ctrl: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """dot's B-spline (1 + 3k control points: k cubic Bézier pieces) as a polyline, PIECE points a piece."""
    out = [ctrl[0]]
    for j in range(0, len(ctrl) - 3, 3):
        p0, p1, p2, p3 = ctrl[j:j + 4]
        for m in range(1, PIECE + 1):
            t = m / PIECE
            s = 1 - t
            out.append(tuple(s ** 3 * p0[c] + 3 * s * s * t * p1[c] + 3 * s * t * t * p2[c] + t ** 3 * p3[c] for c in (0, 1)))
    return out


def dot_layout(m: dict, dot: str, rows: list[int] | None = None):
    """dot's layout of the model's graph: the boxes (the model's sizes at dot's centres) and each edge's
    polyline, in the model's edge order (parallel edges matched in the order dot lists them)."""
    res = subprocess.run([dot, "-Tplain"], input=dot_source(m, rows), capture_output=True, text=True, timeout=300)
    if res.returncode != 0:
        raise RuntimeError(f"dot failed: {res.stderr.strip()[:300]}")
    centre: dict[int, tuple[float, float]] = {}
    splines: dict[tuple[int, int], list[list[tuple[float, float]]]] = {}
    for line in res.stdout.splitlines():
        f = line.split()
        if not f:
            continue
        if f[0] == "node":
            centre[int(f[1][1:])] = (float(f[2]), float(f[3]))
        elif f[0] == "edge":
            n_pts = int(f[3])
            pts = [(float(f[4 + 2 * q]), float(f[5 + 2 * q])) for q in range(n_pts)]
            splines.setdefault((int(f[1][1:]), int(f[2][1:])), []).append(_sample(pts))
    boxes = [(*centre[i], nd["w"], nd["h"]) for i, nd in enumerate(m["nodes"])]
    curves = [splines[(s, t)].pop(0) for s, t in zip(m["edges"]["src"], m["edges"]["dst"])]
    return boxes, curves


# ---- the report ---------------------------------------------------------------------------------------------

def run(paths: list[Path], dot: str | None, same_rows: bool = False) -> list[dict]:
    import graphdiff
    from graphdiff.views.explore import model

    out = []
    for path in paths:
        g = graphdiff.load(str(path))
        m = model(g)
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        row = {"graph": str(rel), "nodes": len(m["nodes"]), "edges": len(m["edges"]["src"])}
        if not m["nodes"] or "x" not in m["nodes"][0]:
            row["skipped"] = m["reduced"] or "no picture"
            out.append(row)
            continue
        src, dst = m["edges"]["src"], m["edges"]["dst"]
        t = time.process_time()
        row["graphdiff"] = measure(*graphdiff_layout(m), src, dst)
        row["graphdiff"]["page_size"] = [round(m["width"], 3), round(m["height"], 3)]
        row["graphdiff"]["measure_s"] = round(time.process_time() - t, 3)
        if dot:
            t = time.process_time()
            row["dot"] = measure(*dot_layout(m, dot), src, dst)
            row["dot"]["measure_s"] = round(time.process_time() - t, 3)
            if same_rows:
                ys = sorted({round(n["y"], 3) for n in m["nodes"]})  # the page's rows, bottom to top
                rows = [ys.index(round(n["y"], 3)) for n in m["nodes"]]
                row["dot_rows"] = measure(*dot_layout(m, dot, rows), src, dst)
        out.append(row)
    return out


def table(rows: list[dict]) -> list[str]:
    def size(r):
        return f"{r['width'] * PX:.0f}×{r['height'] * PX:.0f}"

    same = any("dot_rows" in row for row in rows)
    lines = ["| graph | nodes | edges | crossings graphdiff / dot | edges through boxes graphdiff / dot | "
             "size px graphdiff / dot | area graphdiff ÷ dot |" + (" crossings, dot on graphdiff's rows |" if same else ""),
             "|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if same else "")]
    tot = {"graphdiff": [0, 0], "dot": [0, 0], "dot_rows": [0, 0]}
    for row in rows:
        name = Path(row["graph"]).stem if "published" not in row["graph"] else "published/" + Path(row["graph"]).stem
        if "skipped" in row:
            lines.append(f"| {name} | {row['nodes']} | {row['edges']} | skipped: the page leaves the picture out | | | |"
                         + (" |" if same else ""))
            continue
        for key, r in row.items():
            if key in tot:
                tot[key][0] += r["crossings"]
                tot[key][1] += r["through_boxes"]
        a, b = row["graphdiff"], row.get("dot")
        if b is None:
            cells = [f"{a['crossings']} / —", f"{a['through_boxes']} / —", f"{size(a)} / —", "—"]
        else:
            area = (a["width"] * a["height"]) / (b["width"] * b["height"])
            cells = [f"{a['crossings']} / {b['crossings']}", f"{a['through_boxes']} / {b['through_boxes']}",
                     f"{size(a)} / {size(b)}", f"{area:.2f}"]
        if same:
            cells.append(str(row["dot_rows"]["crossings"]))
        lines.append(f"| {name} | {row['nodes']} | {row['edges']} | " + " | ".join(cells) + " |")
    dot_ran = any("dot" in row for row in rows)
    dc, db = (tot["dot"][0], tot["dot"][1]) if dot_ran else ("—", "—")
    lines.append(f"| **total** | | | {tot['graphdiff'][0]} / {dc} | {tot['graphdiff'][1]} / {db} | | |"
                 + (f" {tot['dot_rows'][0]} |" if same else ""))
    return lines


def self_test() -> int:
    import doctest

    res = doctest.testmod(verbose=False)
    print(f"self-test: {res.attempted - res.failed} of {res.attempted} checks passed")
    return 1 if res.failed else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("graphs", nargs="*", type=Path, help="graph files (default: samples/*.gd, samples/published/*.gd)")
    ap.add_argument("--dot", default="/opt/gv/dot", help="the Graphviz dot executable (default /opt/gv/dot)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON (every crossing and box hit too)")
    ap.add_argument("--self-test", action="store_true", help="check the metric on hand-made cases and stop")
    ap.add_argument("--same-rows", action="store_true",
                    help="also lay the graph out with dot on graphdiff's rows (rank=same), and count its crossings")
    args = ap.parse_args()
    if args.self_test:
        sys.exit(self_test())
    dot: str | None = args.dot
    if not (os.path.isfile(dot) and os.access(dot, os.X_OK)):
        print(f"Graphviz dot not found at {dot} (pass --dot PATH): measuring graphdiff's layout only, "
              "the dot columns are left empty.", file=sys.stderr)
        dot = None
    paths = [p.resolve() for p in args.graphs] or \
        sorted((ROOT / "samples").glob("*.gd")) + sorted((ROOT / "samples" / "published").glob("*.gd"))
    rows = run(paths, dot, args.same_rows)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print("\n".join(table(rows)))


if __name__ == "__main__":
    main()
