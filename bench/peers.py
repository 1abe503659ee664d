#!/usr/bin/env python3
"""graphdiff against other automatic-differentiation engines on the same generated graphs.

For each graph family (wide, chain, diamonds, mlp; see ``graphdiff gen --help``) and size (in nodes), the file
is generated once; then each engine runs in its own subprocess with a time limit and computes the full
gradient of the output with respect to every input:

* ``graphdiff``      the library: load (parse + build, no cache), linearize, gradient sweep, timed separately
* ``graphdiff-cli``  ``graphdiff grad FILE --no-cache`` end to end (process start to exit): a cold run
* ``graphdiff-warm`` ``graphdiff grad FILE`` end to end after a first run filled the cache: a repeat run
* ``micrograd``, ``torch`` (0-dim float64 tensors), ``autograd`` (HIPS), ``jax`` (eager ``jax.grad``),
  ``jax-jit`` (trace + compile, then one run) and ``sympy`` (small sizes): the file is read once by a
  shared ``str.split`` reader into an op list (timed as ``read``), the engine builds its graph from that
  list (``build``) and computes the gradient (``grad``). With ``--nested`` the files hold the same graphs
  written as nested expressions (``graphdiff gen --nested``), and the reader parses each line with Python's
  ``ast`` module.

Every peer's gradient is checked against graphdiff's (``math.isclose(rel_tol=1e-9, abs_tol=1e-12·max|g|)``).
Failures are results: RecursionError, other exceptions, time-outs and memory blow-ups are recorded, and an
engine that timed out at one size is skipped at the larger sizes of that family.

Usage (from the repository root, with the benchmark venv)::

    /work/bench-venv/bin/python bench/peers.py --quick
    /work/bench-venv/bin/python bench/peers.py --sizes 1000,10000,100000,1000000 --timeout 120

Writes ``bench/results.json``, the table ``bench/results.md`` and the plot ``bench/peers.png``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path

HERE = Path(__file__).resolve().parent
FAMILIES = ("wide", "chain", "diamonds", "mlp")
ENGINES = ("graphdiff", "graphdiff-cli", "graphdiff-warm", "micrograd", "torch", "autograd", "jax", "jax-jit",
           "sympy")
SYMPY_MAX = 3000  # nodes


# ---- the graphs ----------------------------------------------------------------------------------------------

def gen_options(family: str, nodes: int) -> dict:
    """Generator options giving about ``nodes`` nodes."""
    if family == "wide":
        return {"inputs": max(2, (nodes + 1) // 2)}
    if family == "chain":
        return {"length": max(1, nodes // 4)}
    if family == "diamonds":
        return {"stages": max(1, nodes // 5)}
    h = max(2, round(math.sqrt(nodes / 3)))
    return {"layers": [h, h, 10]}


def make_file(family: str, nodes: int, folder: Path, nested: bool = False) -> Path:
    from graphdiff.language.gen import generate

    path = folder / f"{family}-{nodes}{'-nested' if nested else ''}.gd"
    if not path.exists():
        with open(path, "w") as f:
            generate(family, f, seed=1, nested=nested, **gen_options(family, nodes))
    return path


_AST_OPS = {"Add": "+", "Sub": "-", "Mult": "*", "Div": "/"}


def _lower_nested(name: str, rhs: str, ops: list, vectors: dict) -> None:
    """A nested right-hand side (``tanh(w * h0 + x0)``) as ops on temporaries, the last one named ``name``."""
    import ast

    counter = [0]

    def walk(node, target=None):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return -float(node.operand.value)
        counter[0] += 1
        out = target or f"_t{len(ops)}_{counter[0]}"
        if isinstance(node, ast.BinOp):
            op = _AST_OPS[type(node.op).__name__]
            args = [walk(node.left), walk(node.right)]
            ops.append((out, op, args))
        elif isinstance(node, ast.Call):
            a = node.args[0]
            if isinstance(a, ast.Name) and a.id in vectors:
                ops.append((out, node.func.id, [f"{a.id}[{i}]" for i in range(vectors[a.id])]))
            else:
                ops.append((out, node.func.id, [walk(x) for x in node.args]))
        else:
            raise ValueError(f"cannot read {ast.dump(node)[:60]}")
        return out

    walk(ast.parse(rhs, mode="eval").body, name)


def read_program(path: str):
    """The shared reader: a straight-line generated file → (input values by name, [(name, op, args)]).

    ``op`` is ``+ - * /`` or a function name; args are names (str) or constants (float)."""
    inputs: dict[str, float] = {}
    vectors: dict[str, int] = {}
    ops = []
    with open(path) as f:
        for line in f:
            if line[0] == "#":
                continue
            line = line.strip()
            if not line:
                continue
            if line.startswith("input "):
                name, _, v = line[6:].partition(" = ")
                value = float(v)
                if name.endswith("]"):
                    base, n = name[:-1].split("[")
                    vectors[base] = int(n)
                    for i in range(int(n)):
                        inputs[f"{base}[{i}]"] = value
                else:
                    inputs[name] = value
                continue
            name, _, rhs = line.partition(" = ")
            if "(" in rhs and not (rhs.endswith(")") and rhs.count("(") == 1 and " " not in rhs) or \
                    len(set(rhs.split(" ")[1::2])) > 1:
                _lower_nested(name, rhs, ops, vectors)  # a nested line (gen --nested), or a * b + c
            elif rhs.endswith(")"):
                fname, _, a = rhs[:-1].partition("(")
                args = [f"{a}[{i}]" for i in range(vectors[a])] if a in vectors else [a]
                ops.append((name, fname, args))
            else:
                toks = rhs.split(" ")
                args = [t if t[0].isalpha() else float(t) for t in toks[0::2]]
                ops.append((name, toks[1] if len(toks) > 1 else "id", args))
    return inputs, ops


# ---- the engines (each runs in a worker process) -------------------------------------------------------------

def _fold(op, args, env, lift):
    xs = [env[a] if a.__class__ is str else lift(a) for a in args]
    v = xs[0]
    if op == "+":
        for x in xs[1:]:
            v = v + x
    elif op == "*":
        for x in xs[1:]:
            v = v * x
    elif op == "-":
        v = v - xs[1]
    elif op == "/":
        v = v / xs[1]
    elif op == "sum":
        for x in xs[1:]:
            v = v + x
    elif op != "id":
        raise KeyError(op)
    return v


def run_graphdiff(path, names, out):
    from graphdiff.sweeps.accumulate import gradient
    from graphdiff.sweeps.evaluate import linearize
    from graphdiff.language.graph import load  # parse + build, no cache

    t0 = time.perf_counter()
    g = load(path)
    t1 = time.perf_counter()
    lin = linearize(g)
    t2 = time.perf_counter()
    grad = gradient(lin, g.outputs[-1])
    t3 = time.perf_counter()
    out.update(load=t1 - t0, linearize=t2 - t1, grad=t3 - t2, edges=g.n_edges, nodes=len(g))
    return [grad[g.find(n)] for n in names] if len(names) < 10 else [grad[g.index[n]] for n in names]


def run_micrograd(inputs, ops, out):
    from micrograd.engine import Value

    def unary(f, df):
        def op(x):
            y = Value(f(x.data), (x,), "f")

            def _backward():
                x.grad += df(x.data, y.data) * y.grad
            y._backward = _backward
            return y
        return op

    funcs = {"tanh": unary(math.tanh, lambda x, y: 1 - y * y), "sin": unary(math.sin, lambda x, y: math.cos(x)),
             "cos": unary(math.cos, lambda x, y: -math.sin(x))}
    t0 = time.perf_counter()
    env = {k: Value(v) for k, v in inputs.items()}
    for name, op, args in ops:
        env[name] = funcs[op](env[args[0]]) if op in funcs else _fold(op, args, env, float)
    t1 = time.perf_counter()
    env[ops[-1][0]].backward()
    t2 = time.perf_counter()
    out.update(build=t1 - t0, grad=t2 - t1)
    return [env[n].grad for n in inputs]


def run_torch(inputs, ops, out):
    import torch

    torch.set_num_threads(1)
    funcs = {"tanh": torch.tanh, "sin": torch.sin, "cos": torch.cos}
    t0 = time.perf_counter()
    leaves = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in inputs.items()}
    env = dict(leaves)
    for name, op, args in ops:
        env[name] = funcs[op](env[args[0]]) if op in funcs else _fold(op, args, env, float)
    t1 = time.perf_counter()
    env[ops[-1][0]].backward()
    t2 = time.perf_counter()
    out.update(build=t1 - t0, grad=t2 - t1)
    return [0.0 if t.grad is None else t.grad.item() for t in leaves.values()]


def _program_function(np_mod, inputs, ops, index: bool = False):
    funcs = {"tanh": np_mod.tanh, "sin": np_mod.sin, "cos": np_mod.cos}
    names = list(inputs)

    def f(xs):
        env = {name: xs[i] for i, name in enumerate(names)} if index else dict(zip(names, xs))
        for name, op, args in ops:
            env[name] = funcs[op](env[args[0]]) if op in funcs else _fold(op, args, env, float)
        return env[ops[-1][0]]
    return f


def run_autograd(inputs, ops, out):
    import autograd.numpy as anp
    from autograd.core import make_vjp

    # An array argument indexed per input: autograd accumulates the index gradients sparsely (a list
    # argument would build a full-length list per element, quadratic in the number of inputs).
    f = _program_function(anp, inputs, ops, index=True)
    xs = anp.array(list(inputs.values()))
    t0 = time.perf_counter()
    vjp, _ = make_vjp(f, xs)
    t1 = time.perf_counter()
    g = vjp(1.0)
    t2 = time.perf_counter()
    out.update(build=t1 - t0, grad=t2 - t1)
    return [float(v) for v in g]


def run_jax(inputs, ops, out, jit: bool):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    f = _program_function(jnp, inputs, ops)
    xs = [jnp.float64(v) for v in inputs.values()]
    df = jax.grad(f)
    if not jit:
        t0 = time.perf_counter()
        g = df(xs)
        g = [float(v) for v in g]
        out.update(build=0.0, grad=time.perf_counter() - t0)
        return g
    t0 = time.perf_counter()
    compiled = jax.jit(df).lower(xs).compile()
    t1 = time.perf_counter()
    g = [float(v) for v in compiled(xs)]
    t2 = time.perf_counter()
    out.update(build=t1 - t0, grad=t2 - t1, compile=t1 - t0)
    return g


def run_sympy(inputs, ops, out):
    import sympy as sp

    funcs = {"tanh": sp.tanh, "sin": sp.sin, "cos": sp.cos}
    t0 = time.perf_counter()
    syms = {k: sp.Symbol(k.replace("[", "_").replace("]", "")) for k in inputs}
    env = dict(syms)
    for name, op, args in ops:
        env[name] = funcs[op](env[args[0]]) if op in funcs else _fold(op, args, env, sp.Float)
    y = env[ops[-1][0]]
    t1 = time.perf_counter()
    at = {syms[k]: v for k, v in inputs.items()}
    g = [float(sp.diff(y, s).xreplace(at).evalf()) for s in syms.values()]
    t2 = time.perf_counter()
    out.update(build=t1 - t0, grad=t2 - t1)
    return g


def worker(engine: str, path: str, grad_file: str) -> None:
    out: dict = {}
    try:
        t0 = time.perf_counter()
        inputs, ops = read_program(path)
        read = time.perf_counter() - t0
        if engine == "graphdiff":
            g = run_graphdiff(path, list(inputs), out)
        else:
            out["read"] = read
            runner = {"micrograd": run_micrograd, "torch": run_torch, "autograd": run_autograd,
                      "sympy": run_sympy, "jax": lambda i, o, r: run_jax(i, o, r, False),
                      "jax-jit": lambda i, o, r: run_jax(i, o, r, True)}[engine]
            g = runner(inputs, ops, out)
        array("d", g).tofile(open(grad_file, "wb"))
        out["status"] = "ok"
    except RecursionError:
        out["status"] = "RecursionError"
    except MemoryError:
        out["status"] = "MemoryError"
    except Exception as e:  # a failure is a result
        out["status"] = f"{type(e).__name__}: {str(e)[:80]}"
    print(json.dumps(out))


# ---- the driver ----------------------------------------------------------------------------------------------

def measure(cmd: list[str], timeout: float) -> tuple[str | None, float, float, str]:
    """Run ``cmd``; (stdout or None on time-out, wall seconds, peak RSS in MB, stderr tail)."""
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=so, stderr=se, env={**os.environ, "PYTHONHASHSEED": "0"})
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                p.kill()
                _, status, ru = os.wait4(p.pid, 0)
                p.returncode = -9
                return None, time.perf_counter() - t0, ru.ru_maxrss / 1024, ""
            time.sleep(0.01)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        err = se.read().decode(errors="replace")[-300:]
        if p.returncode != 0:
            return f'{{"status": "exit {p.returncode}"}}', wall, ru.ru_maxrss / 1024, err
        return so.read().decode(), wall, ru.ru_maxrss / 1024, err


def compare(got: list[float], ref: list[float]) -> str:
    if len(got) != len(ref):
        return f"wrong length {len(got)} != {len(ref)}"
    scale = max((abs(v) for v in ref), default=0.0)
    bad = sum(not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12 * scale) for a, b in zip(got, ref))
    return "ok" if bad == 0 else f"{bad} of {len(ref)} differ"


def run(args) -> list[dict]:
    folder = Path(args.workdir)
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    engines = [e for e in ENGINES if e in args.engines.split(",")]
    for family in args.families.split(","):
        dead: dict[str, str] = {}
        for nodes in args.sizes:
            path = make_file(family, nodes, folder, args.nested)
            runs = args.runs if nodes < 10 ** 5 else 1
            ref = None
            for engine in engines:
                row = {"family": family, "nodes": nodes, "engine": engine, "file": str(path)}
                if engine in dead:
                    row["status"] = f"skipped ({dead[engine]} at a smaller size)"
                    results.append(row)
                    continue
                if engine == "sympy" and nodes > SYMPY_MAX:
                    continue
                samples = []
                for r in range(runs):
                    gfile = str(folder / f"grad-{engine}.bin")
                    if engine == "graphdiff-cli":
                        cmd = [args.graphdiff, "grad", str(path), "--no-cache"]
                    elif engine == "graphdiff-warm":
                        cmd = [args.graphdiff, "grad", str(path)]
                        if r == 0:
                            measure(cmd, args.timeout)  # the first run fills the cache
                    else:
                        cmd = [sys.executable, __file__, "--worker", engine, str(path), gfile]
                    stdout, wall, rss, err = measure(cmd, args.timeout)
                    if stdout is None:
                        samples.append({"status": f"timeout > {args.timeout:g} s", "wall": wall, "rss_mb": rss})
                        break
                    if engine in ("graphdiff-cli", "graphdiff-warm"):
                        s = {"status": "ok" if not stdout.startswith('{"status"') else json.loads(stdout)["status"]}
                    else:
                        s = json.loads(stdout.strip().splitlines()[-1])
                    s.update(wall=wall, rss_mb=rss)
                    if s["status"] == "ok" and engine not in ("graphdiff-cli", "graphdiff-warm"):
                        g = array("d")
                        with open(gfile, "rb") as f:
                            g.frombytes(f.read())
                        if engine == "graphdiff":
                            ref = list(g)
                            s["check"] = "reference"
                        else:
                            s["check"] = compare(list(g), ref) if ref is not None else "no reference"
                    samples.append(s)
                    if s["status"] != "ok":
                        break
                row.update(_summarise(samples))
                if row["status"].startswith(("timeout", "MemoryError", "exit -9")):
                    dead[engine] = row["status"]
                results.append(row)
                print(_line(row), flush=True)
    return results


def _summarise(samples: list[dict]) -> dict:
    ok = [s for s in samples if s["status"] == "ok"]
    if not ok:
        s = samples[-1]
        return {"status": s["status"], "wall": s["wall"], "rss_mb": s["rss_mb"]}
    out = {"status": "ok", "runs": len(ok), "rss_mb": max(s["rss_mb"] for s in ok)}
    for key in ("wall", "read", "load", "linearize", "build", "grad", "compile"):
        vals = [s[key] for s in ok if key in s]
        if vals:
            out[key] = statistics.median(vals)
    out["check"] = ok[0].get("check", "")
    for key in ("edges",):
        if key in ok[0]:
            out[key] = ok[0][key]
    return out


def _line(row: dict) -> str:
    keys = ("read", "load", "linearize", "build", "grad", "wall", "rss_mb", "check")
    parts = [f"{k}={row[k]:.3f}" if isinstance(row.get(k), float) else f"{k}={row[k]}" for k in keys if k in row]
    return f"{row['family']:9} {row['nodes']:>8} {row['engine']:14} {row['status']:12} " + " ".join(parts)


# ---- the report ----------------------------------------------------------------------------------------------

def total(row: dict) -> float | None:
    """Build plus gradient (graphdiff: load + linearize + sweep), without the shared file reader."""
    if row.get("status") != "ok":
        return None
    if row["engine"] == "graphdiff":
        return row["load"] + row["linearize"] + row["grad"]
    if row["engine"] in ("graphdiff-cli", "graphdiff-warm"):
        return row["wall"]
    return row.get("build", 0.0) + row["grad"]


def _fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def table(results: list[dict]) -> str:
    head = ("| family | nodes | engine | read | build (gd: parse+build / linearize) | gradient | build+grad | "
            "process wall | peak MB | grad ÷ gd sweep | total ÷ gd total | check |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    base: dict[tuple, dict] = {(r["family"], r["nodes"]): r for r in results
                               if r["engine"] == "graphdiff" and r.get("status") == "ok"}
    for r in results:
        gd = base.get((r["family"], r["nodes"]))
        if r.get("status") != "ok":
            lines.append(f"| {r['family']} | {r['nodes']:,} | {r['engine']} | | | | | {_fmt(r.get('wall'))} | "
                         f"{r.get('rss_mb', 0):.0f} | | | **{r['status']}** |")
            continue
        build = (f"{_fmt(r['load'])} / {_fmt(r['linearize'])}" if r["engine"] == "graphdiff"
                 else _fmt(r.get("build")) + (" (compile)" if "compile" in r else ""))
        ratio_g = (f"{r['grad'] / gd['grad']:.1f}×" if gd and "grad" in r and r["engine"] != "graphdiff" else "")
        t, tg = total(r), total(gd) if gd else None
        ratio_t = f"{t / tg:.1f}×" if t is not None and tg and r["engine"] != "graphdiff" else ""
        lines.append(f"| {r['family']} | {r['nodes']:,} | {r['engine']} | {_fmt(r.get('read'))} | {build} | "
                     f"{_fmt(r.get('grad'))} | {_fmt(t)} | {_fmt(r.get('wall'))} | {r['rss_mb']:.0f} | {ratio_g} | "
                     f"{ratio_t} | {r.get('check', '')} |")
    return "\n".join(lines) + "\n"


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fams = [f for f in FAMILIES if any(r["family"] == f for r in results)]
    fig, axes = plt.subplots(1, len(fams), figsize=(4.2 * len(fams), 4), squeeze=False)
    for ax, fam in zip(axes[0], fams):
        for engine in ENGINES:
            pts = [(r["nodes"], total(r)) for r in results if r["family"] == fam and r["engine"] == engine
                   and total(r) is not None]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=engine)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(fam)
        ax.set_xlabel("nodes")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].set_ylabel("seconds: build + gradient (cli: whole process)")
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
        return worker(*sys.argv[2:5])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes 1000,10000 and one run each")
    ap.add_argument("--sizes", default="1000,10000,100000,1000000", help="graph sizes in nodes, comma separated")
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (median; one from 10^5 nodes on)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per run before it counts as a time-out")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "graphdiff-bench"))
    ap.add_argument("--graphdiff", default=str(Path(sys.executable).parent / "graphdiff"))
    ap.add_argument("--out", default=str(HERE), help="folder for results.json, results.md and peers.png")
    ap.add_argument("--combine", nargs="+", metavar="JSON", help="only merge results.json files into one report")
    ap.add_argument("--nested", action="store_true", help="the same graphs written as nested expressions")
    args = ap.parse_args()
    if args.combine:
        results = [r for f in args.combine for r in json.loads(Path(f).read_text())]
        return report(results, Path(args.out))
    if args.quick:
        args.sizes, args.runs = "1000,10000", 1
    args.sizes = [int(float(s)) for s in args.sizes.split(",")]
    sys.path.insert(0, str(HERE.parent))
    results = run(args)
    report(results, Path(args.out))


def report(results: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    (out / "results.md").write_text(table(results))
    plot(results, out / "peers.png")
    print(f"wrote {out / 'results.md'} and {out / 'peers.png'}")


if __name__ == "__main__":
    main()
