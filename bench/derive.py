#!/usr/bin/env python3
"""Derivative programs (issue 11): how big the adjoint program is (the cheap gradient principle), how long
deriving and running it takes against ``graphdiff grad`` on the same file, and the Hessian of a 100-input
program.

Usage (from the repository root)::

    .venv/bin/python bench/derive.py                 # everything, about two minutes
    .venv/bin/python bench/derive.py --quick         # smaller graphs

Prints Markdown tables:

1. size: for generated families, the original's arithmetic operations, the adjoint program's (of the one
   output y), their ratio, and the derivative part's operations against the reverse sweep's counted ones;
2. time: ``graphdiff derive F | graphdiff eval -`` (and as two commands with a file) against
   ``graphdiff grad F``, as processes run one after the other in this script, cold (``--no-cache``) and
   warm (the cache filled), best of N; the ratio is what to compare;
3. the Hessian of a program with about 100 inputs: ``graphdiff hessian`` as a process, and in-process the
   forward-over-reverse Hessian against the same number of forward sweeps of the original.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import graphdiff  # noqa: E402
from graphdiff.analyses.derive import derive  # noqa: E402
from graphdiff.analyses.shape import size  # noqa: E402
from graphdiff.language.gen import generate  # noqa: E402
from graphdiff.analyses.hessian import hessian  # noqa: E402
from graphdiff.sweeps.reach import sweep_counts  # noqa: E402

GRAPHDIFF = shutil.which("graphdiff", path=str(Path(sys.executable).parent)) or "graphdiff"


def sizes(quick: bool) -> list[str]:
    cases = [("chain", {"length": 2_000 if quick else 20_000}), ("mlp", {"layers": [30, 30, 3] if quick else [100, 100, 10]}),
             ("diamonds", {"stages": 50 if quick else 500}), ("wide", {"inputs": 1_000 if quick else 10_000}),
             ("chain --nested", {"length": 2_000 if quick else 20_000, "nested": True}),
             ("mlp --nested", {"layers": [30, 30, 3] if quick else [100, 100, 10], "nested": True})]
    rows = ["| family | nodes | operations | adjoint nodes | adjoint operations | ratio | derivative part | reverse sweep (counted) | part / sweep |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, opts in cases:
        family = name.split()[0]
        g = graphdiff.loads(generate(family, seed=1, **opts))
        d = derive(g, "adjoint", of=["y"])
        h = graphdiff.loads(d.text)
        a, o = size(h), size(g)
        part = a["operations"] - o["operations"]
        sc = sweep_counts(g, [g.node("y")], False)
        sweep = 2 * sc.visits - sc.reached
        rows.append(f"| {name} | {o['nodes']:,} | {o['operations']:,} | {a['nodes']:,} | {a['operations']:,} | "
                    f"{a['operations'] / o['operations']:.2f}× | {part:,} | {sweep:,} | {part / sweep:.2f} |")
    return rows


def _run(cmd: str, env: dict) -> float:
    t = time.perf_counter()
    r = subprocess.run(["bash", "-c", cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    if r.returncode:
        raise SystemExit(f"{cmd}: {r.stderr.decode()[:500]}")
    return time.perf_counter() - t


def timing(quick: bool, runs: int) -> list[str]:
    tmp = Path(tempfile.mkdtemp())
    layers = "60,40,10" if quick else "250,180,30"
    f = tmp / "mlp.gd"
    subprocess.run([GRAPHDIFF, "gen", "mlp", "--layers", layers, "--seed", "1", "-o", str(f)], check=True,
                   stderr=subprocess.DEVNULL)
    nodes = len(graphdiff.load(str(f), cache=False))
    env = {**os.environ, "GRAPHDIFF_CACHE_DIR": str(tmp / "cache")}
    g = f"'{GRAPHDIFF}'"
    rows = [f"`gen mlp --layers {layers}`: {nodes:,} nodes; best of {runs} runs, seconds", "",
            "| run | grad | derive \\| eval - | ratio | derive -o F; eval F | ratio |", "|---|---:|---:|---:|---:|---:|"]
    for label, flag in (("cold (--no-cache)", "--no-cache"), ("warm (cache filled)", "")):
        grad_t = min(_run(f"{g} grad {f} {flag} --format json", env) for _ in range(runs))
        pipe_t = min(_run(f"{g} derive {f} {flag} | {g} eval - --format json", env) for _ in range(runs))
        two_t = min(_run(f"{g} derive {f} {flag} -o {tmp}/adj.gd && {g} eval {tmp}/adj.gd {flag} --format json", env)
                    for _ in range(runs))
        rows.append(f"| {label} | {grad_t:.2f} | {pipe_t:.2f} | {pipe_t / grad_t:.2f}× | {two_t:.2f} | "
                    f"{two_t / grad_t:.2f}× |")
    shutil.rmtree(tmp, ignore_errors=True)
    return rows


def hessians(runs: int) -> list[str]:
    text = generate("chain", length=98, seed=1)  # w, h0 and x0 … x97: 100 inputs
    g = graphdiff.loads(text)
    with tempfile.NamedTemporaryFile("w", suffix=".gd", delete=False) as fh:
        fh.write(text)
    cli = min(_run(f"'{GRAPHDIFF}' hessian {fh.name} --format json", dict(os.environ)) for _ in range(runs))
    t = time.process_time()
    h = hessian(g)
    t_h = time.process_time() - t
    t = time.process_time()
    graphdiff.grad(g, mode="forward")
    t_f = time.process_time() - t
    os.unlink(fh.name)
    return [f"`gen chain --length 98`: {len(g.inputs)} inputs, {len(g):,} nodes", "",
            "| | seconds |", "|---|---:|",
            f"| `graphdiff hessian` (process, best of {runs}) | {cli:.2f} |",
            f"| hessian() in process ({h.operations.sweeps} tangent sweeps of the adjoint, "
            f"{h.operations.multiplications:,} multiplications) | {t_h:.3f} |",
            f"| grad(mode='forward') of the original ({len(g.inputs)} sweeps), the baseline | {t_f:.3f} |",
            f"| ratio | {t_h / t_f:.1f}× |"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    print("### The adjoint program's size (of the one output y)\n")
    print("\n".join(sizes(a.quick)))
    print("\n### derive plus eval against grad\n")
    print("\n".join(timing(a.quick, a.runs)))
    print("\n### The Hessian of a 100-input program\n")
    print("\n".join(hessians(a.runs)))


if __name__ == "__main__":
    main()
