#!/usr/bin/env python3
"""Vertex elimination (issues 13 and 21): how far each order gets, and in what time.

Usage (from the repository root)::

    .venv/bin/python bench/eliminate.py                  # scale, the published functions, the optimum's proofs
    .venv/bin/python bench/eliminate.py --scale-only
    .venv/bin/python bench/eliminate.py --published-only
    .venv/bin/python bench/eliminate.py --optimal-only [--seconds 60]

1. Scale: Markowitz (and forward, reverse) on generated graphs of about 10^5 nodes, CPU seconds and the
   multiplications, beside the reverse sweep's counted multiplications for the same Jacobian (as ratios in one
   process, not against a clock).
2. Published functions: every program in ``samples/published/`` through every order (the optimum's search with
   a budget of 20,000 sets, so that the table is the same every run, and the lower bound it proved), with the
   multiplications, beside the orders in ``samples/published/orders/`` (those the AlphaGrad and Graphax code
   records, and the anneal's).
3. The optimum's proofs: CPU seconds for ``--order optimal`` to prove its order optimal on graphs of 20 to 30
   intermediates: generated families, selections of the published RobotArm_6DOF (one input, two outputs: the
   bound is furthest from the optimum there) and random programs (seeded), each with a time budget.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import graphdiff  # noqa: E402
from graphdiff.analyses.cost import cost  # noqa: E402
from graphdiff.analyses.eliminate import ORDERS, Budget, _State, eliminate, read_order  # noqa: E402
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


def _intermediates(g, of=None, wrt=None) -> int:
    outs = [g.node(o) for o in of] if of else g.outputs
    ins = [g.node(i) for i in wrt] if wrt else g.inputs
    return len(_State(g, None, ins, outs, 10**9).intermediates)


def published() -> list[str]:
    files = sorted((ROOT / "samples" / "published").glob("*.gd"))
    rows = ["| function | inputs × outputs | intermediates | forward | reverse | markowitz | min-fill | "
            "optimal (20,000 sets) | anneal (CPU s) | recorded orders, replayed |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for f in files:
        g = graphdiff.load(str(f))
        cells = []
        for order in ORDERS:
            t = time.process_time()
            try:
                r = eliminate(g, order=order, record=False, values=False,
                              budget=Budget(20_000) if order == "optimal" else Budget(50_000))
            except graphdiff.InputError:
                cells.append("—")
                continue
            s = r.search
            if order == "optimal":
                cells.append(f"{r.multiplications:,} ({'proven' if s.proven else f'≥ {s.lower_bound:,}'}, "
                             f"{time.process_time() - t:.1f} s)")
            elif order == "anneal":
                cells.append(f"{r.multiplications:,} ({time.process_time() - t:.1f} s, {s.tried:,} orders)")
            else:
                cells.append(f"{r.multiplications:,}")
        recorded = []
        for o in sorted((f.parent / "orders").glob(f"{f.stem}_*.txt")):
            r = eliminate(g, order=read_order(str(o)), record=False, values=False)
            who = "anneal" if "_anneal_" in o.name else "recorded"
            recorded.append(f"{r.multiplications:,} ({who}, {o.name})")
        rows.append(f"| {f.stem} | {len(g.inputs)} × {len(g.outputs)} | {_intermediates(g)} | " + " | ".join(cells) +
                    f" | {'; '.join(recorded) or '—'} |")
    return rows


def _program(rng: random.Random, n_ops: int) -> str:
    """A random program: each operation reads one or two earlier values (recent ones more often); the outputs are
    the values nothing reads. The same generator as tests/test_eliminate.py's."""
    names = [f"x{i}" for i in range(4)]
    lines, read = [], set()
    for k in range(n_ops):
        a = rng.choice(names[-6:] if rng.random() < 0.6 else names)
        if rng.random() < 0.3:
            lines.append(f"v{k} = sin({a})")
            read.add(a)
        else:
            b = rng.choice(names)
            lines.append(f"v{k} = {a} {rng.choice('+*-')} {b}")
            read |= {a, b}
        names.append(f"v{k}")
    return "\n".join(lines) + "\noutput " + ", ".join(n for n in names if n.startswith("v") and n not in read)


def _random_graph(seed: int, m: int):
    rng = random.Random(seed)
    while True:
        g = graphdiff.loads(_program(rng, m + rng.randint(2, 6)))
        if _intermediates(g) == m:
            return g


def optimal(seconds: float) -> list[str]:
    published = ROOT / "samples" / "published"
    robot = graphdiff.load(str(published / "robotarm_6dof.gd"))
    cases = [(f"gen chain --length {k}", graphdiff.loads(generate("chain", length=k, seed=1)), None, None)
             for k in (7, 9, 10)]
    cases += [(f"gen diamonds --stages {k}", graphdiff.loads(generate("diamonds", stages=k, seed=1)), None, None)
              for k in (4, 5, 6)]
    cases += [(f"gen mlp --layers {','.join(map(str, l))}", graphdiff.loads(generate("mlp", layers=l, seed=1)), None,
               None) for l in ([18, 1], [5, 3, 1], [6, 3, 1])]
    cases += [(f"robotarm_6dof.gd --wrt {w} --of {' --of '.join(o)}", robot, o, [w]) for w, o in
              (("t4", ["pz", "z__"]), ("t1", ["px", "py"]), ("t4", ["px", "z__"]), ("t3", ["pz", "y_"]),
               ("t1", ["px", "z"]), ("t2", ["pz", "y_"]), ("t3", ["px", "y_"]))]
    cases += [(f"random program (seed {1000 * s + m})", _random_graph(1000 * s + m, m), None, None)
              for m in (20, 25, 30) for s in range(3)]
    rows = [f"| graph | intermediates | first upper bound | optimum (or best found ≥ lower bound) | sets explored | "
            f"CPU s (budget {seconds:g} s) |", "|---|---:|---|---|---:|---:|"]
    for label, g, of, wrt in cases:
        t = time.process_time()
        r = eliminate(g, order="optimal", of=of, wrt=wrt, values=False, record=False, budget=Budget(seconds=seconds))
        s = r.search
        found = f"{r.multiplications:,}" if s.proven else f"{r.multiplications:,} ≥ {s.lower_bound:,} (not proven)"
        rows.append(f"| {label} | {_intermediates(g, of, wrt)} | {s.start} {s.start_multiplications:,} | {found} | "
                    f"{s.tried:,} | {time.process_time() - t:.2f} |")
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale-only", action="store_true")
    ap.add_argument("--published-only", action="store_true")
    ap.add_argument("--optimal-only", action="store_true")
    ap.add_argument("--seconds", type=float, default=60.0, help="the optimum's time budget for each graph")
    a = ap.parse_args()
    every = not (a.scale_only or a.published_only or a.optimal_only)
    if every or a.scale_only:
        print("### Scale\n")
        print("\n".join(scale()))
    if every or a.published_only:
        print("\n### Published benchmark functions (multiplications)\n")
        print("\n".join(published()))
    if every or a.optimal_only:
        print("\n### The optimum's proofs\n")
        print("\n".join(optimal(a.seconds)))


if __name__ == "__main__":
    main()
