"""Shared helpers: independent oracles (central differences, SymPy) and a random-program strategy."""
from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import pytest

# The tests' graphs go to a cache of their own, never the user's (tests/test_cache.py points it elsewhere too).
os.environ["GRAPHDIFF_CACHE_DIR"] = tempfile.mkdtemp(prefix="graphdiff-test-cache-")

import graphdiff

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.gd"))
BACKPROP = "c = a + b; d = b + 1; e = c * d"
AT = {"a": 2.0, "b": 1.0}


def central_difference(g, values: dict, output: str, wrt: str, h: float = 1e-6) -> float:
    """Five-point central difference of one output with respect to one input (an independent oracle)."""
    base = dict(values)
    x = base[wrt]
    step = h * max(1.0, abs(x))

    def f(t):
        v = dict(base)
        v[wrt] = x + t
        return graphdiff.evaluate(g, v)[output]

    return (-f(2 * step) + 8 * f(step) - 8 * f(-step) + f(-2 * step)) / (12 * step)


def sympy_graph(g):
    """The graph's outputs as SymPy expressions, built iteratively in topological order (no recursion)."""
    import sympy as sp

    sym = {}
    F = {"sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt,
         "tanh": sp.tanh, "sigmoid": lambda x: 1 / (1 + sp.exp(-x)), "sinh": sp.sinh, "cosh": sp.cosh,
         "atan": sp.atan, "asin": sp.asin, "acos": sp.acos, "log1p": lambda x: sp.log(1 + x),
         "expm1": lambda x: sp.exp(x) - 1, "softplus": lambda x: sp.log(1 + sp.exp(x)), "abs": sp.Abs,
         "relu": lambda x: sp.Max(0, x), "sign": sp.sign}
    for i, name in enumerate(g.names):
        op = g.ops[i]
        xs = [sym[a] if isinstance(a, int) else sp.Float(a, 30) if a != int(a) else sp.Integer(int(a))
              for a in g.args[i]]
        if op == "input":
            sym[i] = sp.Symbol(f"v{i}")
        elif op in ("const", "id"):
            sym[i] = xs[0]
        elif op in ("add", "sum"):
            sym[i] = sp.Add(*xs)
        elif op in ("mul", "prod"):
            sym[i] = sp.Mul(*xs)
        elif op == "sub":
            sym[i] = xs[0] - xs[1]
        elif op == "div":
            sym[i] = xs[0] / xs[1]
        elif op == "neg":
            sym[i] = -xs[0]
        elif op == "pow":
            sym[i] = xs[0] ** xs[1]
        elif op == "mean":
            sym[i] = sp.Add(*xs) / len(xs)
        elif op in ("min", "max"):
            sym[i] = (sp.Min if op == "min" else sp.Max)(*xs)
        else:
            sym[i] = F[op](*xs)
    return sym


def sympy_derivative(g, values: dict, output: str, wrt: str) -> float:
    import sympy as sp

    sym = sympy_graph(g)
    subs = {sp.Symbol(f"v{i}"): sp.Float(v, 30) for i, v in zip(g.inputs, graphdiff.bind(g, values))}
    d = sp.diff(sym[g.node(output)], sp.Symbol(f"v{g.node(wrt)}"))
    return float(d.evalf(30, subs=subs))


@pytest.fixture
def backprop():
    return graphdiff.loads(BACKPROP)
