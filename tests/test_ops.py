"""The table of primitives: every formula text is an expression of graphdiff's language that evaluates to the
numeric partial; every row has what every command needs; a primitive added to the table alone works in every
command."""
from __future__ import annotations

import json
import math
import random

import pytest
from click.testing import CliRunner

import graphdiff
from graphdiff import ops
from graphdiff.cli import main

#: Operand values where each primitive is defined and smooth (and, for the kinks, exactly on them).
DOMAIN = {"log": (0.1, 3), "sqrt": (0.1, 3), "log1p": (-0.9, 3), "asin": (-0.9, 0.9), "acos": (-0.9, 0.9),
          "pow": (0.2, 2.5), "div": (0.3, 2), "xlogy": (0.2, 3)}
KINKS = {"relu": [[0.0]], "abs": [[0.0]], "step": [[0.0]], "sign": [[0.0]], "max": [[1.5, 1.5], [2.0, 2.0, 1.0]],
         "min": [[1.5, 1.5], [1.0, 3.0, 1.0]], "pow": [[0.0, 2.0], [0.0, 3.0]],
         "xlogy": [[0.0, 0.0], [0.0, 2.0]]}


def _points(p: ops.Primitive, rng: random.Random) -> list[list[float]]:
    lo, hi = DOMAIN.get(p.name, (-2.0, 2.0))
    arities = [p.arity] if p.arity is not None else [1, 2, 3, 5]
    pts = [[rng.uniform(lo, hi) for _ in range(n)] for n in arities for _ in range(4)]
    return pts + KINKS.get(p.name, [])


@pytest.mark.parametrize("name", sorted(ops.PRIMITIVES))
def test_every_formula_text_evaluates_to_the_numeric_partial(name):
    """The formula the edges table shows is a graphdiff expression over the operands (a0, a1, ...) and the
    node's value (y); evaluated by graphdiff itself, it equals the row's partial, kinks included."""
    p = ops.PRIMITIVES[name]
    rng = random.Random(name)
    for xs in _points(p, rng):
        args = [f"a{k}" for k in range(len(xs))]
        y = p.value(xs)
        partials = p.partials(xs, y)
        for k in range(len(xs)):
            if name == "xlogy" and xs[1] == 0:
                continue  # log(0) and 0 / 0: no partial at b = 0, in the row (inf, NaN) or in the text
            text = p.formula(k, args, "y")
            prog = f"input {', '.join(args)}, y\nr = {text} + 0 * a0"
            got = graphdiff.evaluate(graphdiff.loads(prog), {**dict(zip(args, xs)), "y": y})["r"]
            assert got == pytest.approx(partials[k], rel=1e-12, abs=1e-12), (name, xs, k, text)


@pytest.mark.parametrize("name", sorted(ops.PRIMITIVES))
def test_every_row_has_a_sympy_form_that_agrees(name):
    sp = pytest.importorskip("sympy")
    p = ops.PRIMITIVES[name]
    assert p.sympy is not None
    rng = random.Random(name)
    for xs in _points(p, rng)[:4]:
        syms = [sp.Symbol(f"a{k}", real=True) for k in range(len(xs))]
        expr = p.sympy(sp, list(syms))
        subs = {s: sp.Float(x, 30) for s, x in zip(syms, xs)}
        assert float(expr.evalf(30, subs=subs)) == pytest.approx(p.value(xs), rel=1e-12, abs=1e-12)
        for k, s in enumerate(syms):
            if p.name in ("relu", "abs", "sign", "step", "min", "max", "const"):
                continue  # piecewise (a formula only away from the kinks), or a constant (no operand node)
            d = float(sp.diff(expr, s).evalf(30, subs=subs))
            assert d == pytest.approx(p.partials(xs, p.value(xs))[k], rel=1e-10, abs=1e-12)


CUBE = ops.Primitive("cube", 1, lambda xs: xs[0] ** 3, lambda xs, y: [3 * xs[0] ** 2],
                     lambda k, t, out: f"3 * {t[0]} ^ 2", lambda t: f"cube({t[0]})",
                     sympy=lambda sp, xs: xs[0] ** 3, call="cube")


@pytest.fixture
def cube():
    ops.register(CUBE)
    yield CUBE
    ops.unregister("cube")


@pytest.mark.parametrize("args", [["eval"], ["edges"], ["info"], ["grad"], ["grad", "--mode", "forward"],
                                  ["grad", "--mode", "paths", "--trace"], ["paths", "--from", "x", "--to", "z"],
                                  ["cost"], ["check"], ["draw", "--partials", "--format", "mermaid"]])
def test_a_primitive_added_to_the_table_alone_works_in_every_command(cube, args):
    prog = "input x = 1.5; y = cube(x); z = y * cube(y) + x"
    fmt = [] if args[0] == "draw" else ["--format", "json"]
    r = CliRunner().invoke(main, [*args, "-e", prog, *fmt])
    assert r.exit_code == 0, (args, r.output)
    if args[0] == "grad":
        # z = x^3 · x^9 + x: dz/dx = 12 x^11 + 1
        assert json.loads(r.stdout)["jacobian"]["z"]["x"] == pytest.approx(12 * 1.5 ** 11 + 1, rel=1e-12)
    if args[0] == "check":
        assert json.loads(r.stdout)["ok"] and "symbolic" in json.loads(r.stdout)["methods"]
    if args[0] == "edges":
        assert {"from": "x", "to": "y", "partial": 6.75, "formula": "3 * x ^ 2", "arg": 0} in json.loads(r.stdout)["edges"]


def test_a_primitive_without_a_sympy_form_is_named_not_a_crash():
    ops.register(ops.Primitive("twice", 1, lambda xs: 2 * xs[0], lambda xs, y: [2.0], lambda k, t, out: "2",
                               lambda t: f"twice({t[0]})", call="twice"))
    try:
        r = CliRunner().invoke(main, ["check", "-e", "y = twice(x)", "--set", "x=1", "--format", "json"])
        assert r.exit_code == 0
        assert json.loads(r.stdout)["skipped"]["symbolic"] == "no SymPy form in the table of primitives for twice"
    finally:
        ops.unregister("twice")
    with pytest.raises(graphdiff.InputError, match="unknown function 'twice'"):
        graphdiff.loads("y = twice(x)")


def test_conventions_at_kinks_and_their_warnings():
    g = graphdiff.loads("y = relu(x) + abs(x) + step(x) + sign(x) + x ^ t + max(x, u)")
    lin = graphdiff.linearize(g, {"x": 0, "t": 2, "u": 0})
    messages = [w.message for w in lin.warnings]
    assert any(m.startswith("x ^ t at x = 0: the partial with respect to the exponent, x ^ t * log(x), is taken "
                            "as 0") for m in messages)
    assert len(messages) == 6  # relu, abs, step, sign, pow, the tie in max
    # a constant exponent has no partial of its own: nothing to warn about
    assert graphdiff.linearize(graphdiff.loads("y = x ^ 2"), {"x": 0}).warnings == []
    assert math.isclose(graphdiff.grad(g, {"x": 0, "t": 2, "u": 0})["y", "x"], 0.5)  # the tie's half
