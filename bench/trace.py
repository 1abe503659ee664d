"""How long tracing a Python function takes (graphdiff import), against running the function on floats, and
against the tracers of JAX (``jax.make_jaxpr``) and PyTorch (``torch.fx.symbolic_trace``) where they are
installed, on the same functions: a recurrent chain ``h = tanh(w * h + 0.1)`` of n steps (3 nodes a step) and a
dense tanh layer of n units over 64 inputs written with lists.

    .venv/bin/python bench/trace.py                       # graphdiff only
    /tmp/bench-venv/bin/python bench/trace.py --peers     # with JAX and PyTorch (a venv that has them and graphdiff)

Each figure is the best of ``--runs`` in this one process (the function itself as the baseline, ratios against
it); "write" is the program's text, "parse" graphdiff reading it back.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphdiff.language.graph import loads  # noqa: E402
from graphdiff.language.python import record  # noqa: E402


def chain(h0=0.5, w=0.9, n: int = 1000):
    h = h0
    for _ in range(n):
        h = math.tanh(w * h + 0.1)
    return h


def dense(x=[0.1] * 64, n: int = 100):
    rows = [[0.01 * ((i * 7 + j * 3) % 101 - 50) + 1e-4 * i for j in range(len(x))] for i in range(n)]
    hidden = [math.tanh(sum(w * xi for w, xi in zip(row, x))) for row in rows]
    return sum(h * h for h in hidden)


def best(f, runs: int) -> float:
    out = math.inf
    for _ in range(runs):
        t = time.perf_counter()
        f()
        out = min(out, time.perf_counter() - t)
    return out


def peers(name: str, n: int, runs: int) -> dict[str, float]:
    got = {}
    try:
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        def fresh():  # a new function each run: jax caches a trace by the function's identity
            if name == "chain":
                def jf(h0, w):
                    h = h0
                    for _ in range(n):
                        h = jnp.tanh(w * h + 0.1)
                    return h
                return lambda: jax.make_jaxpr(jf)(0.5, 0.9)

            def jd(x):
                rows = [[0.01 * ((i * 7 + j * 3) % 101 - 50) + 1e-4 * i for j in range(64)] for i in range(n)]
                hidden = [jnp.tanh(sum(w * x[j] for j, w in enumerate(row))) for row in rows]
                return sum(h * h for h in hidden)
            return lambda: jax.make_jaxpr(jd)(jnp.full(64, 0.1))
        got["jax.make_jaxpr"] = best(lambda: fresh()(), runs)
    except ImportError:
        pass
    try:
        import torch
        import torch.fx

        if name == "chain":
            class Chain(torch.nn.Module):
                def forward(self, h, w):
                    for _ in range(n):
                        h = torch.tanh(w * h + 0.1)
                    return h
            got["torch.fx.symbolic_trace"] = best(lambda: torch.fx.symbolic_trace(Chain()), runs)
        else:
            class Dense(torch.nn.Module):
                def forward(self, x):
                    rows = [[0.01 * ((i * 7 + j * 3) % 101 - 50) + 1e-4 * i for j in range(64)] for i in range(n)]
                    hidden = [torch.tanh(sum(w * x[j] for j, w in enumerate(row))) for row in rows]
                    return sum(h * h for h in hidden)
            got["torch.fx.symbolic_trace"] = best(lambda: torch.fx.symbolic_trace(Dense()), runs)
    except ImportError:
        pass
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="chain steps (the dense layer: a tenth, units)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--peers", action="store_true", help="also time JAX's and PyTorch's tracers")
    a = ap.parse_args()
    print("| function | nodes | run on floats | graphdiff trace + write | per node | parse the program | "
          + ("peers |" if a.peers else "") )
    print("|---|---:|---:|---:|---:|---:|" + ("---|" if a.peers else ""))
    for n in map(int, a.sizes.split(",")):
        for name, f, size in (("chain", chain, n), ("dense", dense, max(1, n // 100))):
            plain = best(lambda: f(n=size), a.runs)
            r = None

            def go():
                nonlocal r
                r = record(_sized(f, size), {}, label=name)
            traced = best(go, a.runs)
            g = loads(r.text)
            parse = best(lambda: loads(r.text), a.runs)
            cells = [f"`{name}` ({size:,} {'steps' if name == 'chain' else 'units'})", f"{len(g):,}",
                     f"{plain * 1e3:.2f} ms", f"{traced * 1e3:.0f} ms ({traced / plain:.0f}×)",
                     f"{traced / len(g) * 1e6:.1f} µs", f"{parse * 1e3:.0f} ms"]
            if a.peers:
                p = peers(name, size, a.runs)
                cells.append("; ".join(f"{k} {v * 1e3:.0f} ms ({traced / v:.2f}× graphdiff/peer)"
                                       for k, v in p.items()) or "none installed")
            print("| " + " | ".join(cells) + " |", flush=True)


def _sized(f, size: int):
    """``f`` with its ``n`` fixed (a traced function's int parameter keeps its default unless given)."""
    def g(**kw):
        return f(n=size, **kw)
    import functools
    import inspect

    g = functools.wraps(f)(g)
    sig = inspect.signature(f)
    g.__signature__ = sig.replace(parameters=[p for k, p in sig.parameters.items() if k != "n"])
    return g


if __name__ == "__main__":
    main()
