#!/usr/bin/env python3
"""The kernels under every command, against a baseline run in the same process: the textbook reverse sweep
over flat lists (``adj[src[k]] += adj[dst[k]] * part[k]`` for every edge, nothing else), which is the
anchor figure for a flat tape in plain Python (ANCHORS.md: 150–250 ns per edge with evaluation).

Usage (from the repository root)::

    .venv/bin/python bench/kernels.py              # 10^5-line programs, best of 5 runs
    .venv/bin/python bench/kernels.py --lines 1000000 --runs 3

Prints a Markdown table: ns per edge for the baseline and for graphdiff's gradient (the dense reverse kernel),
a reverse sweep that also records every node it reaches (what ``graphdiff grad`` runs), a forward sweep from
the first input, and the exact count of every forward sweep's work (``graphdiff cost``), each also as a
ratio to the baseline (below 1: faster than the textbook loop). Machines here are noisy; ratios in one
process are what to compare across changes.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import graphdiff  # noqa: E402
from graphdiff.sweeps.accumulate import forward_sweep, gradient, reverse_sweep  # noqa: E402
from graphdiff.language.gen import generate  # noqa: E402
from graphdiff.sweeps.reach import sweep_counts  # noqa: E402


def textbook(lin, output: int) -> list[float]:
    g = lin.graph
    src, dst, part = g.edge_src, g.edge_dst, lin.partials
    adj = [0.0] * len(g)
    adj[output] = 1.0
    for k in range(g.edge_start[output + 1] - 1, -1, -1):
        adj[src[k]] += adj[dst[k]] * part[k]
    return adj


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=100_000, help="about this many lines a program")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    n = a.lines
    families = {"wide": ("wide", {"inputs": n // 2}), "chain": ("chain", {"length": n // 4}),
                "diamonds": ("diamonds", {"stages": n // 5}),
                "mlp": ("mlp", {"layers": [int((n / 3) ** 0.5)] * 2 + [10]})}
    print("| graph | edges | textbook ns/edge | gradient | reverse_sweep | forward_sweep | forward counts (cost) |")
    print("|---|---|---|---|---|---|---|")
    for name, (family, opts) in families.items():
        g = graphdiff.loads(generate(family, seed=1, **opts))
        lin = graphdiff.linearize(g)
        out, E = g.outputs[-1], g.n_edges
        base = best(lambda: textbook(lin, out), a.runs)
        cells = []
        for fn in (lambda: gradient(lin, out), lambda: reverse_sweep(lin, out, dense=True),
                   lambda: forward_sweep(lin, g.inputs[0], dense=True),
                   lambda: sweep_counts(g, g.inputs, True, None)):
            t = best(fn, a.runs)
            cells.append(f"{t * 1e9 / E:.0f} ({t / base:.2f}×)")
        print(f"| {name} | {E:,} | {base * 1e9 / E:.0f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
