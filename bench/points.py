#!/usr/bin/env python3
"""Many points at once against PyTorch and JAX: the gradient of an MLP's loss with respect to its data inputs at
every one of many points, end to end, each engine a whole process with a time limit.

* ``graphdiff``  ``graphdiff grad FILE --points points.csv --wrt 'x*' --format csv`` (the rows written to a
  file): reading the points, the generated program over NumPy arrays, the reverse sweep, the CSV;
* ``torch``      the same program on batched float64 tensors (one tensor of the points a node), then
  ``backward`` of the summed loss (one sweep: the per-point gradients, as the points are independent);
  like graphdiff it writes each point's inputs, loss and gradient (NumPy's ``savetxt``, 17 digits);
* ``jax``        ``jax.vmap(jax.grad(f))`` eagerly, and ``jax-jit`` the same under ``jax.jit`` (trace and
  compile, then one run).

The peers read the same points file and compute the same numbers (checked against graphdiff's at the first
points); the table gives each engine's whole-process time (median of the runs) and its ratio to graphdiff's.

Usage (from the repository root, a venv with torch==2.13.0 and jax as well as graphdiff)::

    /tmp/bench-venv/bin/python bench/points.py --layers 64,64,10 --points 10000 --runs 3 --timeout 300
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

ENGINES = ("graphdiff", "torch", "jax", "jax-jit")


def make_inputs(folder: Path, layers: list[int], n_points: int) -> tuple[Path, Path, list[str]]:
    from graphdiff.language.gen import generate

    prog = folder / f"mlp-{'-'.join(map(str, layers))}.gd"
    prog.write_text(generate("mlp", layers=layers, seed=1), encoding="utf-8")
    xs = [f"x{i}" for i in range(layers[0])]
    rng = random.Random(2)
    pts = folder / f"points-{n_points}.csv"
    with open(pts, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(xs)
        for _ in range(n_points):
            w.writerow([repr(rng.uniform(-1, 1)) for _ in xs])
    return prog, pts, xs


def _read_points(path: str, xs: list[str]):
    import numpy as np

    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return {x: data[:, k] for k, x in enumerate(xs)}


def run_torch(prog: str, pts: str, xs: list[str], out_path: str) -> list[float]:
    import numpy as np
    import torch
    from peers import _fold, read_program

    torch.set_num_threads(os.cpu_count() or 1)
    inputs, ops = read_program(prog)
    cols = _read_points(pts, xs)
    funcs = {"tanh": torch.tanh, "sin": torch.sin, "cos": torch.cos}
    leaves = {x: torch.tensor(cols[x], dtype=torch.float64, requires_grad=True) for x in xs}
    env = {k: float(v) for k, v in inputs.items()}
    env.update(leaves)
    for name, op, args in ops:
        env[name] = funcs[op](env[args[0]]) if op in funcs else _fold(op, args, env, float)
    loss = env[ops[-1][0]]
    loss.sum().backward()
    grads = np.stack([leaves[x].grad.numpy() for x in xs], axis=1)
    _write(out_path, cols, xs, loss.detach().numpy(), grads)
    return list(grads[0])


def _write(out_path: str, cols: dict, xs: list[str], loss, grads) -> None:
    """What graphdiff writes a row of: the point, its inputs, the output, the gradient (every digit)."""
    import numpy as np

    table = np.column_stack([np.arange(len(loss)), *[cols[x] for x in xs], loss, grads])
    np.savetxt(out_path, table, delimiter=",", fmt="%.17g")


def run_jax(prog: str, pts: str, xs: list[str], out_path: str, jit: bool) -> list[float]:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpy as np
    from peers import _fold, read_program

    inputs, ops = read_program(prog)
    cols = _read_points(pts, xs)
    funcs = {"tanh": jnp.tanh, "sin": jnp.sin, "cos": jnp.cos}
    fixed = {k: float(v) for k, v in inputs.items() if k not in set(xs)}

    def f(xv):
        env = dict(fixed)
        env.update({x: xv[k] for k, x in enumerate(xs)})
        for name, op, args in ops:
            env[name] = funcs[op](env[args[0]]) if op in funcs else _fold(op, args, env, float)
        return env[ops[-1][0]]

    g = jax.vmap(jax.value_and_grad(f))
    if jit:
        g = jax.jit(g)
    X = jnp.asarray(np.stack([cols[x] for x in xs], axis=1))
    loss, grads = g(X)
    grads = np.asarray(grads)
    _write(out_path, cols, xs, np.asarray(loss), grads)
    return list(grads[0])


def worker(engine: str, prog: str, pts: str, xs: list[str], out_path: str) -> None:
    first = (run_torch(prog, pts, xs, out_path) if engine == "torch" else
             run_jax(prog, pts, xs, out_path, jit=engine == "jax-jit"))
    print(json.dumps(first))


def timed(cmd: list[str], timeout: float) -> tuple[float | None, str, str]:
    t = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {timeout:g} s"
    dt = time.perf_counter() - t
    if r.returncode != 0:
        return None, r.stdout, r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"
    return dt, r.stdout, r.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", default="64,64,10")
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--worker", nargs=4, metavar=("ENGINE", "PROG", "POINTS", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--xs", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker[0], a.worker[1], a.worker[2], a.xs.split(","), a.worker[3])
        return
    layers = [int(x) for x in a.layers.split(",")]
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        prog, pts, xs = make_inputs(folder, layers, a.points)
        gd = str(Path(sys.executable).with_name("graphdiff"))
        info = json.loads(subprocess.run([gd, "info", str(prog), "--format", "json"], capture_output=True,
                                         text=True).stdout)
        print(f"# {prog.name}: {info['nodes']:,} nodes, {info['edges']:,} edges; {a.points:,} points; the gradient "
              f"of the loss with respect to {len(xs)} inputs at every point; {os.cpu_count()} cores")
        results: dict[str, list[float]] = {}
        notes: dict[str, str] = {}
        ref = None
        for engine in a.engines.split(","):
            out = folder / f"{engine}.csv"
            if engine == "graphdiff":
                cmd = ["sh", "-c", f"exec '{gd}' grad '{prog}' --points '{pts}' --wrt 'x*' --format csv > '{out}'"]
            else:
                cmd = [sys.executable, __file__, "--worker", engine, str(prog), str(pts), str(out), "--xs", ",".join(xs)]
            times = []
            for _ in range(a.runs):
                dt, stdout, err = timed(cmd, a.timeout)
                if dt is None:
                    notes[engine] = err
                    break
                times.append(dt)
            if times:
                results[engine] = times
                if engine == "graphdiff":
                    with open(out) as f:
                        head = next(csv.DictReader(f))
                    ref = [float(head[f"∂y/∂{x}"]) for x in xs]
                elif ref is not None:
                    first = json.loads(stdout.strip().splitlines()[-1])
                    ok = all(math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-12) for u, v in zip(first, ref))
                    notes[engine] = "same gradient" if ok else "DIFFERENT gradient"
        base = statistics.median(results["graphdiff"]) if "graphdiff" in results else None
        print("| engine | seconds (median of runs) | min–max | ratio to graphdiff | note |")
        print("|---|---:|---|---:|---|")
        for engine in a.engines.split(","):
            if engine in results:
                ts = results[engine]
                m = statistics.median(ts)
                print(f"| {engine} | {m:.2f} | {min(ts):.2f}–{max(ts):.2f} | {m / base:.2f}× | {notes.get(engine, '')} |"
                      if base else f"| {engine} | {m:.2f} | | | |")
            else:
                print(f"| {engine} | — | | | {notes.get(engine, '')} |")


if __name__ == "__main__":
    main()
