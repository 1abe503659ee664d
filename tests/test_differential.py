"""A differential test of graphdiff against an exact reference: random programs (every smooth primitive, nested
expressions, repeated operands, vectors and reductions) at ordinary points and at the edges of float64, their
values and their derivatives by reverse mode, forward mode and the sum over paths, against SymPy's derivative
of the whole program evaluated by mpmath at 700 digits (1 + 1e-300 needs 300).

The tolerance knows float64's limits: the reference is also evaluated with every node's result off by up to
8 ulps (the rounding float64 may do), and graphdiff may differ from the truth by as much as the truth moves
then, plus what the chain rule's products may round (16·depth ulps of the sum of |path products|), plus 8 ulps.
Points where rounding alone moves the truth by more than 0.1 % (sin(1e160)) or where a value on the way is
subnormal are not judged. So an ill-conditioned point never needs the test loosened by hand, and a wrong rule
at a well-conditioned one fails (a partial off by 1e-6 relative fails at once; the old cancelling
sigmoid′ = s·(1 - s) within a few thousand programs).

``GRAPHDIFF_DIFF_PROGRAMS=5000 python -m pytest tests/test_differential.py`` runs a long soak (CI: 120).
"""
from __future__ import annotations

import math
import os
import random

import pytest

import graphdiff
from graphdiff import ComputeError
from graphdiff.codegen.compile import leaf

sp = pytest.importorskip("sympy")
mpmath = pytest.importorskip("mpmath")

PROGRAMS = int(os.environ.get("GRAPHDIFF_DIFF_PROGRAMS", "120"))
UNARY = ["sin", "cos", "tanh", "sigmoid", "exp", "log", "sqrt", "softplus", "log1p", "expm1", "sinh", "cosh",
         "atan", "asin", "acos", "tan", "sech"]
BINARY = ["+", "-", "*", "/", "^"]
NARY = ["sum", "prod", "mean"]
EDGES = [0.0, 1e-300, -1e-300, 1e-160, 1.0, -1.0, 0.5, 40.0, -40.0, 709.0, -710.0, 1e160, 19.5, -19.5]


def _program(rng: random.Random) -> tuple[str, list[str]]:
    """A random program: inputs x0 … (and a vector v[3]), then statements of nested expressions."""
    n_in = rng.randint(1, 3)
    names = [f"x{i}" for i in range(n_in)]
    lines = ["input " + ", ".join(names), "input v[3]"]
    pool = list(names) + ["v[0]", "v[2]"]

    def expr(depth: int) -> str:
        r = rng.random()
        if depth == 0 or r < 0.3:
            return rng.choice(pool) if rng.random() < 0.85 else repr(round(rng.uniform(-2, 2), 3))
        if r < 0.6:
            return f"{rng.choice(UNARY)}({expr(depth - 1)})"
        if r < 0.9:
            op = rng.choice(BINARY)
            right = expr(depth - 1) if op != "^" else rng.choice(["2", "3", "0.5", expr(0)])
            return f"({expr(depth - 1)}) {op} ({right})"
        if rng.random() < 0.3:
            return f"{rng.choice(NARY)}(v)"
        return f"{rng.choice(NARY)}({expr(depth - 1)}, {expr(depth - 1)}, {rng.choice(pool)})"

    for k in range(rng.randint(1, 5)):
        a = rng.choice(pool)
        lines.append(f"n{k} = {expr(rng.randint(1, 3))}" if rng.random() < 0.8 else f"n{k} = {a} * {a} + {expr(1)}")
        pool.append(f"n{k}")
    lines.append(f"output n{k}")
    return "\n".join(lines), [f"x{i}" for i in range(n_in)] + ["v[0]", "v[1]", "v[2]"]


EPS = 2.220446049250313e-16


def _sympy_of(g):
    """The outputs as SymPy expressions over one symbol per input and one rounding symbol ``e_i`` per computed
    node (its value times 1 + e_i), built from the primitives' own SymPy forms: nothing of graphdiff's partials
    or sweeps. With every e_i = 0 it is the exact program; with e_i of a few ulps, the program as float64 may
    round it."""
    syms = {i: sp.Symbol(f"s{i}", real=True) for i in g.inputs}
    errs = {}
    expr = {}
    for i in range(len(g)):
        if g.ops[i] == "input":
            expr[i] = syms[i]
        else:
            xs = [expr[a] if a.__class__ is int else sp.Rational(a) for a in g.args[i]]
            errs[i] = sp.Symbol(f"e{i}", real=True)
            expr[i] = leaf(graphdiff.PRIMITIVES[g.ops[i]], "sympy", len(xs))(xs) * (1 + errs[i])
    return syms, errs, expr


def _at(f, xs):
    with mpmath.workdps(700):  # 1 + 1e-300 needs 300 digits
        try:
            v = f(*[mpmath.mpf(x) for x in xs])
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None
        if isinstance(v, mpmath.mpc):
            return None if abs(v.imag) > 1e-40 * (1 + abs(v.real)) else v.real
        return v


class Reference:
    """An exact function of the inputs (and of the rounding symbols), and what float64 may make of it: the
    largest change of its value when every node's result is off by up to 8 ulps (all up, all down, and a few
    draws of random signs: random signs alone can cancel, as in (1 + e6)·(X·(1 + e5)))."""

    def __init__(self, expr, order: list, errs: list, rng: random.Random):
        self.f = sp.lambdify(order + errs, expr, "mpmath")
        self.n_err = len(errs)
        self.draws = [[8 * EPS] * len(errs), [-8 * EPS] * len(errs)] + [
            [rng.choice((-8, 8)) * EPS for _ in errs] for _ in range(4)]  # all up, all down, and mixed

    def exact(self, xs):
        return _at(self.f, list(xs) + [0] * self.n_err)

    def spread(self, xs, ref):
        """The change rounding may bring, or None where the truth is not stable (an edge of the domain)."""
        worst = mpmath.mpf(0)
        for d in self.draws:
            v = _at(self.f, list(xs) + d)
            if v is None or not mpmath.isfinite(v):
                return None
            worst = max(worst, abs(v - ref))
        return worst


def _agrees(got: float, want, spread, extra: float = 0.0) -> bool:
    """graphdiff's float64 ``got`` against the exact ``want``: within what rounding moves the truth by, what
    the chain rule's own products may add (``extra``), and 8 ulps."""
    if want is None or not mpmath.isfinite(want) or spread is None or not math.isfinite(extra):
        return True  # no exact value, or no stable one, to hold it to
    if spread > 1e-3 * abs(want) and spread > 1e-300:
        return True  # ill-conditioned (sin(1e160)): rounding alone moves the truth by more than 0.1 %
    if abs(want) > 1.7e308:
        return got in (math.inf, -math.inf) or abs(got) > 1e307
    return abs(mpmath.mpf(got) - want) <= 4 * spread + extra + 8 * EPS * abs(want) + 1e-300


def _absolute_derivatives(g, lin, o: int) -> list[float]:
    """Σ over paths of the product of |partials| from every node to ``o``: how large the chain rule's terms
    are, which bounds what rounding their products and sums can cost."""
    adj = [0.0] * len(g)
    adj[o] = 1.0
    for k in range(g.edge_start[o + 1] - 1, -1, -1):
        adj[g.edge_src[k]] += adj[g.edge_dst[k]] * abs(lin.partials[k])
    return adj


def _points(rng: random.Random, n: int) -> list[list[float]]:
    ordinary = [[rng.uniform(-1.5, 1.5) for _ in range(n)] for _ in range(2)]
    edge = [[rng.choice(EDGES) if rng.random() < 0.6 else rng.uniform(-2, 2) for _ in range(n)] for _ in range(2)]
    return ordinary + edge


@pytest.mark.parametrize("seed", range(PROGRAMS))
def test_values_and_every_mode_agree_with_the_exact_reference(seed):
    rng = random.Random(seed)
    text, inputs = _program(rng)
    g = graphdiff.loads(text)
    if g.faults:
        return  # a constant out of its domain ((-0.22) ^ 1.142): every evaluation refuses it
    syms, errs, expr = _sympy_of(g)
    o = g.outputs[0]
    order, err_syms = [syms[i] for i in g.inputs], list(errs.values())
    value = Reference(expr[o], order, err_syms, rng)
    derivs = {i: Reference(sp.diff(expr[o], syms[i]), order, err_syms, rng) for i in g.inputs}
    from graphdiff.sweeps.paths import longest_path_levels

    depth = max(longest_path_levels(g), default=0) + 1
    for xs in _points(rng, len(g.inputs)):
        at = dict(zip([g.names[i] for i in g.inputs], xs))
        try:
            lin = graphdiff.linearize(g, at)
        except ComputeError:
            continue  # outside the domain (log(-1), an overflow): refused, as it should be
        if lin.warnings:
            continue  # a kink (relu at 0, a tie): the derivative is a convention there
        if any(v and -2.2250738585072014e-308 < v < 2.2250738585072014e-308 for v in lin.values):
            continue  # a subnormal value on the way: float64 itself has lost bits there
        ref = value.exact(xs)
        assert _agrees(lin.values[o], ref, value.spread(xs, ref) if ref is not None else None), \
            (text, xs, "value", lin.values[o], ref)
        size = _absolute_derivatives(g, lin, o)
        for mode in ("reverse", "forward", "paths"):
            try:
                r = graphdiff.grad(g, at, mode=mode, max_paths=20_000)
            except graphdiff.TooManyPaths:
                continue
            except ComputeError as e:  # a NaN or infinite derivative: only where the truth has no value
                for i in g.inputs:
                    want = derivs[i].exact(xs)
                    assert want is None or not mpmath.isfinite(want) or abs(want) > 1e300 or \
                        g.names[i] not in e.message.split(" is ")[0], (text, xs, mode, e.message)
                continue
            for i in g.inputs:
                want = derivs[i].exact(xs)
                spread = derivs[i].spread(xs, want) if want is not None and mpmath.isfinite(want) else None
                extra = 16 * depth * EPS * size[i]
                assert _agrees(r[o, i], want, spread, extra), (text, xs, mode, g.names[i], r[o, i], want)
