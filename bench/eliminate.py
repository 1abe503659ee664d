#!/usr/bin/env python3
"""Vertex elimination (issue 13): how far each order gets, and in what time.

Usage (from the repository root)::

    .venv/bin/python bench/eliminate.py              # scale, then the published benchmark functions
    .venv/bin/python bench/eliminate.py --scale-only

1. Scale: Markowitz (and forward, reverse) on generated graphs of about 10^5 nodes, CPU seconds and the
   multiplications, beside the reverse sweep's counted multiplications for the same Jacobian (as ratios in one
   process, not against a clock).
2. Published functions: every program in ``samples/published/`` through every order (the optimum where it
   runs), with the multiplications and additions, beside the figures their source published (read from each
   file's ``# published:`` header lines).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import graphdiff  # noqa: E402
from graphdiff.analyses.cost import cost  # noqa: E402
from graphdiff.analyses.eliminate import ORDERS, eliminate  # noqa: E402
from graphdiff.language.gen import generate  # noqa: E402


def scale() -> list[str]:
    cases = [("chain --length 25000", "chain", {"length": 25_000}), ("mlp --layers 250,180,30", "mlp", {"layers": [250, 180, 30]}),
             ("diamonds --stages 20000", "diamonds", {"stages": 20_000})]
    rows = ["| graph | nodes | order | multiplications | additions | CPU s | reverse sweeps' multiplications |",
            "|---|---:|---|---:|---:|---:|---:|"]
    for label, family, opts in cases:
        g = graphdiff.loads(generate(family, seed=1, **opts))
        c = cost(g)
        for order in ("markowitz", "reverse", "forward"):
            t = time.process_time()
            try:
                r = eliminate(g, order=order, record=False, values=False, max_edges=3_000_000, max_work=20_000_000)
                figs = f"{r.multiplications:,} | {r.additions + r.merge_additions:,}"
            except graphdiff.InputError as e:
                figs = f"refused: {e.message[:60]}… | "
            rows.append(f"| {label} | {len(g):,} | {order} | {figs} | {time.process_time() - t:.2f} | "
                        f"{c.reverse.multiplications:,} |")
    return rows


def published() -> list[str]:
    files = sorted((ROOT / "samples" / "published").glob("*.gd"))
    rows = ["| function | inputs × outputs | intermediates | forward | reverse | markowitz | min-fill | optimal | anneal (50,000 orders) | AlphaGrad's orders from their code, replayed |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for f in files:
        g = graphdiff.load(str(f))
        cells = []
        for order in ORDERS:
            try:
                r = eliminate(g, order=order, record=False, values=False)
                cells.append(f"{r.multiplications:,}")
            except graphdiff.InputError:
                cells.append("—")
        from graphdiff.analyses.eliminate import _State

        n_inter = len(_State(g, None, g.inputs, g.outputs, 10**9).intermediates)
        theirs = []
        for o in sorted((f.parent / "orders").glob(f"{f.stem}_*.txt")):
            order = o.read_text().splitlines()[1].split(",")
            r = eliminate(g, order=order, record=False, values=False)
            theirs.append(f"{r.multiplications:,} (order {o.stem.rsplit('_', 1)[1]})")
        rows.append(f"| {f.stem} | {len(g.inputs)} × {len(g.outputs)} | {n_inter} | " + " | ".join(cells) +
                    f" | {', '.join(theirs) or '—'} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale-only", action="store_true")
    a = ap.parse_args()
    print("### Scale\n")
    print("\n".join(scale()))
    if not a.scale_only:
        print("\n### Published benchmark functions (multiplications)\n")
        print("\n".join(published()))


if __name__ == "__main__":
    main()
