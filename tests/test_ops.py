"""The table of primitives: every row's formula texts, read back by ``graphdiff eval``, give the very doubles
(or the very faults) that the commands compute from them; every row has a SymPy form that agrees; every
domain condition names the faults the Python value raises; a primitive registered in one place works in
every command (tests/test_explore.py shows it in the page, in Chromium)."""
from __future__ import annotations

import json
import math
import random

import pytest
from click.testing import CliRunner

import graphdiff
from graphdiff.cli import main
from graphdiff.codegen.compile import leaf, numeric
from graphdiff.codegen.formula import partial_texts
from graphdiff.primitives import PRIMITIVES, Primitive, register, unregister

#: Operand values where each primitive is defined and smooth (and, for the kinks, exactly on them).
DOMAIN = {"log": (0.1, 3), "sqrt": (0.1, 3), "log1p": (-0.9, 3), "asin": (-0.9, 0.9), "acos": (-0.9, 0.9),
          "pow": (0.2, 2.5), "div": (0.3, 2), "xlogy": (0.2, 3)}
KINKS = {"relu": [[0.0]], "abs": [[0.0]], "step": [[0.0]], "sign": [[0.0]], "max": [[1.5, 1.5], [2.0, 2.0, 1.0]],
         "min": [[1.5, 1.5], [1.0, 3.0, 1.0]], "pow": [[0.0, 2.0], [0.0, 3.0]],
         "xlogy": [[0.0, 0.0], [0.0, 2.0]], "count": [[1.0, 1.0, 2.0, 1.0]]}
MAGNITUDES = [1e-300, 1e-160, 1e160, 1e300]
#: Operand counts an n-ary row is tried with: the special small ones, and beyond them.
NARY = [1, 2, 3, 7]


def _points(p: Primitive, rng: random.Random) -> list[list[float]]:
    lo, hi = DOMAIN.get(p.name, (-2.0, 2.0))
    arities = [p.arity] if p.arity is not None else NARY
    pts = [[rng.uniform(lo, hi) for _ in range(n)] for n in arities for _ in range(3)]
    for m in MAGNITUDES:  # every magnitude, both signs, mixed with an ordinary operand
        for n in arities:
            pts.append([m * (-1) ** j for j in range(n)])
            pts.append([m if j % 2 else rng.uniform(lo, hi) for j in range(n)])
    return pts + KINKS.get(p.name, [])


def _value(p: Primitive, xs: list[float]) -> float | None:
    try:
        v = p.value(xs)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return v if math.isfinite(v) else None


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_every_formula_text_read_by_graphdiff_eval_is_the_partial_every_command_computes(name):
    """The text ``graphdiff edges`` prints for each partial, run as a program by ``graphdiff eval``, gives the
    same double as the partial the sweeps use, at ordinary points, at kinks and at every magnitude from 1e-300
    to 1e300; where the partial is NaN or infinite, eval faults (and with --ieee gives the same NaN or
    infinity)."""
    p = PRIMITIVES[name]
    rng = random.Random(name)
    runner = CliRunner()
    checked = 0
    for xs in _points(p, rng):
        y = _value(p, xs)
        if y is None:
            continue
        args = [f"a{k}" for k in range(len(xs))]
        partials = numeric(p, len(xs)).partials(xs, y)
        for k, text in enumerate(partial_texts(p, args, "y")):
            prog = f"input {', '.join(args)}, y\nr = {text} + 0 * a0 * y"
            sets = [f"--set={a}={x!r}" for a, x in zip(args, xs)] + [f"--set=y={y!r}"]
            r = runner.invoke(main, ["eval", "-e", prog, *sets, "--ieee", "--format", "json"])
            assert r.exit_code == 0, (name, xs, text, r.output)
            got = json.loads(r.stdout)["values"]["r"]
            want = partials[k]
            if math.isfinite(want):
                # the program adds 0 * a0 * y (so that every name is used): exact for a finite partial, bar
                # the sign of a zero, which 0 + 0 * ... cannot keep
                assert got == want, (name, xs, k, text, got, want)
                checked += 1
            else:
                assert got == {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}[repr(want)] or \
                    (got == "NaN" and math.isinf(want) and (xs[0] == 0 or y == 0)), (name, xs, k, text, got, want)
                r = runner.invoke(main, ["eval", "-e", f"input {', '.join(args)}, y\nr = {text}", *sets])
                assert r.exit_code == 1, (name, xs, text, r.output)
    assert checked > 0


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_every_row_has_a_sympy_form_that_agrees(name):
    sp = pytest.importorskip("sympy")
    p = PRIMITIVES[name]
    rng = random.Random(name)
    for xs in [pt for pt in _points(p, rng) if all(abs(x) < 1e100 for x in pt)][:6]:
        y = _value(p, xs)
        if y is None:
            continue
        syms = [sp.Symbol(f"a{k}", real=True) for k in range(len(xs))]
        expr = leaf(p, "sympy", len(xs))(syms)
        subs = {s: sp.Float(x, 30) for s, x in zip(syms, xs)}
        assert float(sp.sympify(expr).evalf(30, subs=subs)) == pytest.approx(y, rel=1e-12, abs=1e-12)
        if p.kink is not None or name in ("const", "eq", "count"):
            continue  # piecewise (a formula only away from the kinks), or a constant
        partials = numeric(p, len(xs)).partials(xs, y)
        for k, s in enumerate(syms):
            d = float(sp.diff(expr, s).evalf(30, subs=subs))
            assert d == pytest.approx(partials[k], rel=1e-10, abs=1e-12), (name, xs, k)


@pytest.mark.parametrize("name", sorted(n for n, p in PRIMITIVES.items() if p.domain is not None))
def test_every_domain_condition_names_the_faults_the_python_value_raises(name):
    """The page (JavaScript does not raise) tells a domain fault from an overflow by the row's condition;
    Python by what ``math`` raises. The two must agree."""
    p = PRIMITIVES[name]
    values = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 0.5, 1e-300, -1e-300, 1e300, -1e300, 1.0 + 1e-15]
    n = p.arity or 2
    f = numeric(p, n)
    seen = 0
    for xs in ([a, b] for a in values for b in values) if n == 2 else ([a] for a in values):
        try:
            v = p.value(xs)
            raised = None if math.isfinite(v) else "silent"
        except (ValueError, ZeroDivisionError) as e:
            raised, v = "domain", p.ieee(xs, e)
        except OverflowError as e:
            raised, v = "overflow", p.ieee(xs, e)
        if raised is None:
            continue
        seen += 1
        holds = bool(f.domain(xs, v))
        assert holds == (raised == "domain"), (name, xs, raised, v)
    assert seen


# ---- a primitive registered in one place -------------------------------------------------------------------

#: ``inv(x) = 1 / x``: name, arity, the value in each backend, the partial and the domain as text. Nothing else.
INV = Primitive("inv", 1, {"python": "1.0 / {0}", "numpy": "1.0 / {0}", "js": "1 / {0}", "mpmath": "1 / {0}",
                           "sympy": "1 / {0}"},
                partials=("-{y} * {y}",), call="inv", domain=("eq({0}, 0)", "inv needs a non-zero argument"))
TOY = "input x = 1.5; y = inv(x); z = y * inv(y + x) + x"


def dz_dx(x: float) -> float:
    """z = 1/(x(1/x + x)) + x = 1/(1 + x²) + x."""
    return -2 * x / (1 + x * x) ** 2 + 1


@pytest.fixture
def inv():
    register(INV)
    yield INV
    unregister("inv")


@pytest.mark.parametrize("args", [["eval"], ["edges"], ["info"], ["grad"], ["grad", "--mode", "forward"],
                                  ["grad", "--mode", "paths", "--trace"], ["paths", "--from", "x", "--to", "z"],
                                  ["cost"], ["check"], ["check", "--order", "2"], ["hessian"],
                                  ["eliminate"], ["eliminate", "--order", "optimal"],
                                  ["draw", "--partials", "--format", "mermaid"], ["derive", "--mode", "adjoint"],
                                  ["derive", "--mode", "tangent"], ["derive", "--to", "python"], ["explore"]])
def test_a_primitive_registered_in_one_place_works_in_every_command(inv, args, tmp_path):
    fmt = [] if args[0] in ("draw", "derive", "explore") else ["--format", "json"]
    out = ["-o", str(tmp_path / "page.html")] if args[0] == "explore" else []
    r = CliRunner().invoke(main, [*args, "-e", TOY, *fmt, *out])
    assert r.exit_code == 0, (args, r.output)
    if args[0] in ("grad", "eliminate"):
        assert json.loads(r.stdout)["jacobian"]["z"]["x"] == pytest.approx(dz_dx(1.5), rel=1e-12)
    if args[0] == "check":
        doc = json.loads(r.stdout)
        assert doc["ok"] and ("symbolic" in doc.get("methods", []) or "symbolic" in json.dumps(doc["entries"]))
    if args[0] == "edges":
        assert {"from": "x", "to": "y", "partial": -1 / 1.5 ** 2, "formula": "-y * y", "arg": 0} in \
            json.loads(r.stdout)["edges"]
    if args[0] == "hessian":
        h = json.loads(r.stdout)["hessian"]["z"]["x"]["x"]
        x = 1.5
        assert h == pytest.approx((6 * x * x - 2) / (1 + x * x) ** 3, rel=1e-10)
    if args[0] == "derive" and "python" not in args:
        ev = CliRunner().invoke(main, ["eval", "-", "--format", "json"], input=r.stdout)
        assert ev.exit_code == 0, ev.output
        values = json.loads(ev.stdout)["outputs"]
        key = "dz_dx"
        assert values[key] == pytest.approx(dz_dx(1.5), rel=1e-12)
    if "python" in args:
        ns: dict = {}
        exec(r.stdout, ns)
        assert ns["evaluate"]({"x": 1.5})["z"] == graphdiff.evaluate(graphdiff.loads(TOY))["z"]
    if args[0] == "explore":
        assert "1 / xs[0]" in (tmp_path / "page.html").read_text()


def test_a_registered_primitives_domain_is_a_fault_with_its_message(inv):
    r = CliRunner().invoke(main, ["eval", "-e", "y = inv(x) + 1", "--set", "x=0"])
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == ("<expr>:1:5: error: inv needs a non-zero argument: inv(x) = inf with x = 0 "
                                        "(node 'inv(x)')")


def test_a_primitive_without_a_sympy_form_is_named_not_a_crash():
    register(Primitive("twice", 1, {"python": "2 * {0}"}, partials=("2",), call="twice"))
    try:
        r = CliRunner().invoke(main, ["check", "-e", "y = twice(x)", "--set", "x=1", "--format", "json"])
        assert r.exit_code == 0
        assert json.loads(r.stdout)["skipped"]["symbolic"] == "no SymPy form in the table of primitives for twice"
        r = CliRunner().invoke(main, ["explore", "-e", "y = twice(x)", "--set", "x=1"])
        assert r.exit_code == 2 and "no JavaScript form for twice" in r.stderr
    finally:
        unregister("twice")
    with pytest.raises(graphdiff.InputError, match="unknown function 'twice'"):
        graphdiff.loads("y = twice(x)")


def test_a_row_is_checked_when_it_is_made():
    with pytest.raises(ValueError, match="2 operands need 2 partials"):
        Primitive("bad", 2, {"python": "{0}"}, partials=("1",))
    with pytest.raises(ValueError, match="Python value"):
        Primitive("bad", 1, {"js": "{0}"}, partials=("1",))


def test_conventions_at_kinks_and_their_warnings():
    g = graphdiff.loads("y = relu(x) + abs(x) + step(x) + sign(x) + x ^ t + max(x, u)")
    lin = graphdiff.linearize(g, {"x": 0, "t": 2, "u": 0})
    messages = [w.message for w in lin.warnings]
    assert any(m.startswith("x ^ t at x = 0: the partial with respect to the exponent, x ^ t * log(x), is taken "
                            "as 0") for m in messages)
    assert "max has 2 tied operands (0); the partial 1 is split evenly among them (node 'max(x, u)')" in messages
    assert len(messages) == 6  # relu, abs, step, sign, pow, the tie in max
    # a constant exponent has no partial of its own: nothing to warn about
    assert graphdiff.linearize(graphdiff.loads("y = x ^ 2"), {"x": 0}).warnings == []
    assert math.isclose(graphdiff.grad(g, {"x": 0, "t": 2, "u": 0})["y", "x"], 0.5)  # the tie's half


def test_ties_split_the_one_evenly_in_every_mode_and_in_the_recomputation():
    """Five tied operands share the partial 1 in fifths, and so does the rule for NaN derivatives, which
    recomputes from the same formula texts (it used SymPy's own convention, 1/2 each, before)."""
    prog = "a = tan(w / w ^ 1.5 ^ 0.5); m = min(sqrt(10 + a) * w, x0, x1, x2, x3, x4)"
    at = {"w": 5e-324, **{f"x{k}": -1.5 for k in range(5)}}
    for mode in ("reverse", "forward", "paths"):
        r = graphdiff.grad(graphdiff.loads(prog), at, mode=mode, ieee=True)
        for k in range(5):
            assert r["m", f"x{k}"] == pytest.approx(0.2, rel=1e-15), (mode, k)
