"""graphdiff import: Python functions traced into programs, SymPy expressions written as programs.

Every traced construct is held to the function's own value at several points, and its derivatives to SymPy's
(the same function run on SymPy symbols, with ``math`` swapped for SymPy's functions) or, where a branch is
decided, to central differences of the function itself; every refusal names its file, line and column; the
published benchmarks' Python versions give the hand-written programs' graphs; the command runs in real pipes.
"""
from __future__ import annotations

import inspect
import json
import math
import subprocess
import sys
import textwrap
import types
import warnings
from pathlib import Path

import pytest
import sympy
from click.testing import CliRunner

import graphdiff
from graphdiff.cli import main
from graphdiff.language.python import TraceError, TraceWarning, import_file, record, trace
from graphdiff.language.symbolic import from_sympy, program

from .conftest import ROOT

HERE = Path(__file__)


# ---- functions that trace, each a construct (defaults are the first point) -----------------------------------

def arithmetic(a=1.5, b=-0.7):
    c = a + b
    d = a - b
    e = a * b
    f = a / b
    g = a ** 2 + 2 ** b + a ** b * 0 + abs(b) ** a
    h = -a + (+b)
    return c * d + e - f + g + h + 3 / a - 1.5 * b + (1 - a) - abs(a * b)


def unary_math(x=0.3):
    s = math.sin(x) + math.cos(x) + math.tan(x)
    t = math.asin(x) + math.acos(x) + math.atan(x)
    u = math.sinh(x) + math.cosh(x) + math.tanh(x)
    v = math.exp(x) + math.expm1(x) + math.log(x) + math.log1p(x) + math.sqrt(x) + math.erf(x)
    w = math.fabs(-x) + math.log(x, 10) + math.pow(x, 3) + math.hypot(x)
    return s + t + u + v + w + math.pi * x + math.e


def binary_math(y=0.8, x=-1.3):
    return {"angle": math.atan2(y, x), "radius": math.hypot(x, y), "power": math.pow(y, x),
            "ratio": math.log(y + 2, x + 3)}


def reductions(a=0.4, b=-1.1, c=2.5):
    xs = [a, b, c]
    top = max(xs)
    low = min(a, b, 0.5)
    total = sum(xs)
    shifted = sum([a * b, c], 2.0)
    product = math.prod([a, b, c])
    exact = math.fsum([a, c])
    return top + low + total + shifted + product + exact + max(a, 3) * min([b, c])


def _square(z):
    return z * z


def _dense(weights, xs, bias):
    return sum(w * x for w, x in zip(weights, xs)) + bias


def helpers_and_loops(x=[0.5, -0.25, 1.0], w=0.9, n: int = 3):
    hs = []
    h = x[0]
    for t in range(n):
        h = math.tanh(w * h + x[t % 3])
        hs.append(h)
    pairs = tuple(a * b for a, b in zip(hs, x))
    layer = [math.sin(_dense([w, 2.0, -1.0], x, k)) for k in range(2)]
    return {"last": _square(h), "pairs": sum(pairs), "layer": layer[0] - layer[1]}


def several(a=2.0, b=1.0):
    c = a + b
    d = b + 1
    return c * d, c, 7.0


VECTOR_FUNCTIONS = [arithmetic, unary_math, binary_math, reductions, helpers_and_loops, several]


# ---- oracles ------------------------------------------------------------------------------------------------

def sympy_version(f):
    """``f`` with ``math`` and the builtins it uses replaced by SymPy's (helpers of this module too)."""
    shim = types.SimpleNamespace(
        **{n: getattr(sympy, n) for n in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                                          "exp", "log", "sqrt", "erf", "atan2", "pi")},
        e=sympy.E, expm1=lambda x: sympy.exp(x) - 1, log1p=lambda x: sympy.log(1 + x), fabs=sympy.Abs,
        pow=lambda x, y: x ** y, hypot=lambda *a: sympy.sqrt(sum(x * x for x in a)),
        prod=lambda xs, start=1: sympy.Mul(start, *xs), fsum=lambda xs: sympy.Add(*xs))
    ns = dict(f.__globals__)
    ns.update(math=shim, max=lambda *a: sympy.Max(*(a[0] if len(a) == 1 else a)),
              min=lambda *a: sympy.Min(*(a[0] if len(a) == 1 else a)))
    for name, v in list(ns.items()):
        if isinstance(v, types.FunctionType) and v.__globals__ is f.__globals__:
            ns[name] = types.FunctionType(v.__code__, ns, name, v.__defaults__, v.__closure__)
    return ns[f.__name__]


def outputs_of(result) -> dict:
    if isinstance(result, dict):
        return result
    if isinstance(result, tuple):
        return {f"y{k}": v for k, v in enumerate(result)}
    return {"y": result}


def input_values(g) -> dict:
    return dict(zip((g.names[i] for i in g.inputs), graphdiff.bind(g)))


def points(f, n=3):
    """The defaults, and ``n - 1`` nearby points (each numeric default moved a little)."""
    sig = inspect.signature(f)
    base = {k: p.default for k, p in sig.parameters.items() if p.annotation not in (int, "int")}
    out = [base]
    for j in range(1, n):
        out.append({k: ([x + 0.05 * j * (-1) ** m for m, x in enumerate(v)] if isinstance(v, list)
                        else v + 0.03 * j) for k, v in base.items()})
    return out


# ---- every construct: values and derivatives ----------------------------------------------------------------

@pytest.mark.parametrize("f", VECTOR_FUNCTIONS, ids=lambda f: f.__name__)
def test_traced_values_are_the_functions_own(f):
    for at in points(f):
        g = trace(f, **at)
        got = graphdiff.evaluate(g).outputs()
        want = outputs_of(f(**at))
        assert set(got) == set(want)
        for k in want:
            assert got[k] == pytest.approx(float(want[k]), rel=1e-15, abs=1e-15), (k, at)


@pytest.mark.parametrize("f", VECTOR_FUNCTIONS, ids=lambda f: f.__name__)
def test_traced_derivatives_equal_sympys(f):
    sf = sympy_version(f)
    for at in points(f):
        g = trace(f, **at)
        symbols, subs = {}, {}
        for k, v in at.items():
            if isinstance(v, list):
                symbols[k] = [sympy.Symbol(f"{k}[{m}]", real=True) for m in range(len(v))]
                subs.update(zip(symbols[k], v))
            else:
                symbols[k] = sympy.Symbol(k, real=True)
                subs[symbols[k]] = v
        exprs = outputs_of(sf(**symbols))
        rev = graphdiff.grad(g, mode="reverse")
        fwd = graphdiff.grad(g, mode="forward")
        for name, expr in exprs.items():
            expr = sympy.sympify(expr)
            for s, v in subs.items():
                want = float(sympy.diff(expr, s).subs(subs).evalf(30))
                assert rev[name, s.name] == pytest.approx(want, rel=1e-12, abs=1e-13), (name, s, at)
                assert fwd[name, s.name] == pytest.approx(want, rel=1e-12, abs=1e-13), (name, s, at)


def test_the_essays_graph_traced():
    def f(a=2, b=1):
        c = a + b
        d = b + 1
        e = c * d
        return e

    g = trace(f)
    assert graphdiff.evaluate(g)["y"] == 6.0
    r = graphdiff.grad(g)
    assert (r["y", "a"], r["y", "b"]) == (2.0, 5.0)
    assert [g.names[i] for i in range(len(g))] == ["a", "b", "c", "d", "y"]
    assert graphdiff.count_paths(g, g.node("b"), g.node("y")) == 2


# ---- names -----------------------------------------------------------------------------------------------

def test_names_come_from_the_variables():
    r = record(helpers_and_loops)
    text = r.text
    assert "h_1 = tanh((w * x[0]) + x[0])" in text
    assert "hs" not in text  # the list's elements are the h_k already named
    assert "output last, pairs, layer" in text
    assert "last = h_3 * h_3" in text
    g = r.graph()
    assert {"h_1", "h_2", "h_3", "last", "pairs", "layer", "layer_0", "layer_1"} <= set(g.names)


def test_outputs_are_named_y_y0_y1_or_by_the_dicts_keys():
    assert record(arithmetic).outputs == ["y"]
    assert record(several).outputs == ["y0", "y1", "y2"]
    assert record(binary_math).outputs == ["angle", "radius", "power", "ratio"]
    text = record(several).text
    assert "y0 = y1 * d" in text and "y2 = 7" in text  # c is the second output: named y1 (y0 uses it)


def test_a_value_returned_twice_or_an_input_returned_is_an_alias():
    def f(a=1.0, b=2.0):
        c = a * b
        return {"p": c, "q": c, "r": a}

    g = trace(f)
    assert graphdiff.evaluate(g).outputs() == {"p": 2.0, "q": 2.0, "r": 1.0}
    assert graphdiff.grad(g)["q", "b"] == 1.0


def test_vector_parameters_are_vector_inputs_with_a_default_each():
    def f(w=[1.0, -2.0, 0.5], s=3.0):
        return sum(w) * s + max(w)

    text = record(f).text
    assert "input w[3] = [1, -2, 0.5], s = 3" in text
    assert "sum(w)" in text and "max(w)" in text  # a whole vector's reduction, as graphdiff writes it
    g = trace(f, w=[2.0, 2.0, 2.0])
    assert graphdiff.evaluate(g)["y"] == 20.0
    assert "input w[3] = 2" in g.text


def test_int_annotated_parameters_stay_plain_ints():
    def f(x=1.0, n: int = 3):
        for _ in range(n):
            x = x * 2
        return x

    g = trace(f, n=5)
    assert graphdiff.evaluate(g)["y"] == 32.0
    assert [g.names[i] for i in g.inputs] == ["x"]


def test_dead_code_is_left_out():
    def f(x=1.0):
        unused = math.exp(x) * 3
        return x * x

    text = record(f).text
    assert "unused" not in text and "exp" not in text


def test_shared_anonymous_values_are_one_node():
    def f(a=1.0, b=2.0):
        return (a * b) + math.sin(a * b)

    g = trace(f)
    assert sum(1 for i in range(len(g)) if g.ops[i] == "mul") == 1
    r = record(f)
    assert r.merged == [("a * b", [f.__code__.co_firstlineno + 1] * 2)]
    assert "#   a * b (2 times, line " in r.text
    assert "1 unnamed value computed more than once is one node each in the program: a * b (2×)" in r.notes[0]

    def g2(a=1.0, b=2.0):
        ab = a * b
        ab2 = a * b
        return ab + math.sin(ab2)

    assert sum(1 for op in trace(g2).ops if op == "mul") == 2  # named: both kept
    assert record(g2).merged == []


# ---- decided comparisons ------------------------------------------------------------------------------------

def branchy(x=1.5, y=-0.5):
    if x > 0:  # marker: decided-x
        z = math.sqrt(x)
    else:
        z = -x
    for _ in range(3):
        if y < 0:  # marker: decided-y
            y = y + 0.4
    return z * y


def _line(marker: str) -> int:
    for k, text in enumerate(HERE.read_text().splitlines(), 1):
        if f"marker: {marker}" in text and "_line(" not in text:
            return k
    raise AssertionError(marker)


def test_comparisons_are_decided_recorded_and_warned():
    r = record(branchy)
    assert [(d.line, d.text, d.results) for d in r.decisions] == [
        (_line("decided-x"), "x > 0", [True]), (_line("decided-y"), "y < 0", [True, True, False])]
    assert r.decisions[0].col == 8
    assert "'x > 0' was True with x = 1.5" in r.text
    assert "'y < 0' was True and False over 3 runs" in r.text
    with pytest.warns(TraceWarning, match="decided at the traced point"):
        g = trace(branchy)
    assert graphdiff.evaluate(g).outputs() == {"y_": pytest.approx(branchy())}  # y is an input: the output is y_
    # the derivative of the branch taken, against central differences of the function itself
    h = 1e-6
    for name, at in (("x", 1.5), ("y", -0.5)):
        fd = (branchy(**{name: at + h}) - branchy(**{name: at - h})) / (2 * h)
        assert graphdiff.grad(g)["y_", name] == pytest.approx(fd, rel=1e-7)


def test_the_other_branch_at_another_point():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TraceWarning)
        g = trace(branchy, x=-2.0)
    assert "sqrt" not in g.text
    assert graphdiff.evaluate(g)["y_"] == pytest.approx(branchy(x=-2.0))


# ---- refusals ----------------------------------------------------------------------------------------------

def refuse_gamma(x=1.0):
    return math.gamma(x) + 1  # marker: gamma


def refuse_float(x=1.0):
    return float(x) * 2  # marker: float


def refuse_count(x=1.0, n=3.0):
    return sum(x for _ in range(n))  # marker: count


def refuse_mod(x=1.0):
    return (x % 2) * x  # marker: mod


def refuse_log10(x=2.0):
    return math.log10(x)  # marker: log10


def refuse_numpy(x=1.0):
    import numpy as np

    return np.sin(x)  # marker: numpy


def raises_inside(x=0.0):
    return 1 / x  # marker: raises


def domain_error(x=-1.0):
    return math.log(x)  # marker: domain


@pytest.mark.parametrize("f, marker, message", [
    (refuse_gamma, "gamma", "in refuse_gamma: math.gamma is not a graphdiff primitive"),
    (refuse_float, "float", "float() of a traced value"),
    (refuse_count, "count", "a traced value used as an integer (range(), an index, a count)"),
    (refuse_mod, "mod", "the operator % on a traced value"),
    (refuse_log10, "log10", "math.log10 is not a graphdiff primitive; write math.log(x) / math.log(10)"),
    (refuse_numpy, "numpy", "numpy.sin on a traced value"),
    (raises_inside, "raises", "division by zero: 1 / 0"),
    (domain_error, "domain", "math.log(-1): math domain error"),
])
def test_what_cannot_be_traced_is_one_line_at_the_users_line(f, marker, message):
    with pytest.raises(TraceError) as e:
        record(f)
    err = e.value
    assert message in err.message
    assert err.line == _line(marker)
    assert err.source.endswith("test_import.py")
    assert err.col >= 12
    assert "\n" not in str(err)


@pytest.mark.parametrize("f, message", [
    (lambda x: x, "parameter 'x' has no default: give its value (--set x=VALUE)"),
    (lambda *xs: 1.0, "cannot be an input"),
    (lambda x=1.0: None, "returned None"),
    (lambda x=1.0: "text", "returned str as output 'y'"),
    (lambda x=1.0: {"1bad": x}, "with the key '1bad'"),
    (lambda x="a": 1.0, "no numeric parameter"),
])
def test_bad_functions_say_what_is_wrong(f, message):
    with pytest.raises(TraceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        record(f)


def test_an_unknown_parameter_is_named_with_a_suggestion():
    with pytest.raises(TraceError, match="has no parameter 'bb'.*did you mean 'b'"):
        record(arithmetic, {"bb": 1.0})


def test_math_is_put_back_after_a_trace_even_one_that_fails():
    sin, mx = math.sin, max
    with pytest.raises(TraceError):
        record(refuse_gamma)
    assert math.sin is sin and max is mx and __builtins__["max"] is mx if isinstance(__builtins__, dict) else True
    assert math.sin(0.5) == sin(0.5) and sum([1, 2]) == 3


# ---- SymPy -------------------------------------------------------------------------------------------------

SYMPY_CASES = ["x**2*sin(y) + exp(x*y)", "sqrt(x**2 + y**2) + 1/sqrt(x**2 + y**2)",
               "log(1 + exp(-x*y))/(1 + x**2)", "atan2(y, x) * tanh(x) - Abs(y)**3", "erf(x/2) + Max(x, y)",
               "(x + y)**(3/2) - pi*x + E*y"]


@pytest.mark.parametrize("text", SYMPY_CASES)
def test_sympy_expressions_keep_their_values_and_derivatives(text):
    expr = sympy.sympify(text)
    expr = expr.subs({s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols})  # |y|' is sign(y)
    for at in ({"x": 0.7, "y": 1.3}, {"x": 1.9, "y": 0.4}):
        g = from_sympy(text, **at)
        subs = {sympy.Symbol(k, real=True): v for k, v in at.items()}
        assert graphdiff.evaluate(g)["f"] == pytest.approx(float(expr.subs(subs).evalf(30)), rel=1e-14)
        r = graphdiff.grad(g)
        for s in subs:
            want = float(sympy.diff(expr, s).subs(subs).evalf(30))
            assert r["f", s.name] == pytest.approx(want, rel=1e-12, abs=1e-14), (text, s, at)


def test_sympy_shared_subexpressions_are_shared():
    text = program("sqrt(x**2 + y**2) + 1/sqrt(x**2 + y**2)")
    assert "s1 = sqrt(x**2 + y**2)" in text and "f = s1 + 1/s1" in text
    g = graphdiff.loads(text)
    assert sum(1 for op in g.ops if op == "sqrt") == 1


@pytest.mark.parametrize("text, message", [
    ("gamma(x)", "gamma is not a graphdiff primitive"),
    ("Piecewise((x, x > 0), (0, True))", "Piecewise"),
    ("x + I", "complex"),
    ("x >", "not a SymPy expression"),
    ("3 + 4", "no symbol"),
])
def test_sympy_refusals(text, message):
    with pytest.raises(graphdiff.InputError, match=message):
        program(text)


# ---- the command ---------------------------------------------------------------------------------------------

MODEL = '''\
import math

def f(x=0.5, w=[1.0, -2.0]):
    z = w[0] * x + w[1] * x ** 2
    if z < 0:
        z = -z
    return math.tanh(z)
'''


@pytest.fixture
def model(tmp_path):
    p = tmp_path / "model.py"
    p.write_text(MODEL)
    return p


def test_import_writes_the_program_and_warns_on_stderr(model):
    r = CliRunner().invoke(main, ["import", f"{model}:f", "--set", "x=0.75"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"# graphdiff import {model}:f")
    assert "input x = 0.75, w[2] = [1, -2]" in r.stdout
    assert f"{model}:5:8: warning: 'z < 0' was True with z = -0.375" in r.stderr


def test_import_set_a_vector_and_write_a_file(model, tmp_path):
    out = tmp_path / "m.gd"
    r = CliRunner().invoke(main, ["import", f"{model}:f", "--set", "w=[3, 4]", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.stderr
    g = graphdiff.load(out)
    assert graphdiff.evaluate(g)["y"] == pytest.approx(math.tanh(3 * 0.5 + 4 * 0.25))


@pytest.mark.parametrize("args, code, message", [
    (["import"], 2, "give a FILE.py:FUNCTION to trace, or --sympy EXPR"),
    (["import", "nofile.py:f"], 2, "nofile.py: no such file"),
    (["import", "{model}:g"], 2, "no function 'g'"),
    (["import", "{model}:f", "--set", "x=abc"], 2, "is not a number"),
    (["import", "{model}:f", "--set", "q=1"], 2, "f has no parameter 'q'"),
    (["import", "--sympy", "gamma(x)"], 2, "gamma is not a graphdiff primitive"),
])
def test_import_errors_are_one_line_with_exit_2(model, args, code, message):
    args = [a.replace("{model}", str(model)) for a in args]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == code, r.output
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_a_syntax_error_in_the_file_has_its_position(tmp_path):
    p = tmp_path / "broken.py"
    p.write_text("def f(x=1.0):\n    return x +\n")
    r = CliRunner().invoke(main, ["import", f"{p}:f"])
    assert r.exit_code == 2
    assert f"{p}:2:" in r.stderr and "syntax error" in r.stderr


def _run(cmd: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_import_piped_into_grad_eliminate_and_explore(model, tmp_path):
    exe = f"{sys.executable} -m graphdiff"
    r = _run(f"{exe} import {model}:f --set x=0.75 | {exe} grad - --format json")
    assert r.returncode == 0, r.stderr
    assert "warning: 'z < 0' was True" in r.stderr
    jac = json.loads(r.stdout)["jacobian"]["y"]
    h = 1e-6

    def f(x):
        z = x - 2 * x * x
        return math.tanh(-z if z < 0 else z)
    assert jac["x"] == pytest.approx((f(0.75 + h) - f(0.75 - h)) / (2 * h), rel=1e-7)
    assert jac["x"] == pytest.approx(2 * (1 - math.tanh(0.375) ** 2), rel=1e-15)
    r = _run(f"{exe} import {model}:f --set x=0.75 | {exe} eliminate - --order markowitz --format json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["jacobian"]["y"]["x"] == pytest.approx(jac["x"], rel=1e-14)
    page = tmp_path / "model.html"
    r = _run(f"{exe} import {model}:f | {exe} explore - -o {page}")
    assert r.returncode == 0, r.stderr
    assert page.stat().st_size > 10_000 and "tanh" in page.read_text()


def test_import_sympy_piped_into_grad():
    exe = f"{sys.executable} -m graphdiff"
    r = _run(f"{exe} import --sympy 'x**2*sin(y) + exp(x*y)' --set x=1 --set y=2 | {exe} grad - --format json")
    assert r.returncode == 0, r.stderr
    jac = json.loads(r.stdout)["jacobian"]["f"]
    assert jac["x"] == pytest.approx(2 * math.sin(2) + 2 * math.exp(2), rel=1e-14)
    assert jac["y"] == pytest.approx(math.cos(2) + math.exp(2), rel=1e-14)


def test_import_sympy_from_a_file(tmp_path):
    p = tmp_path / "expr.txt"
    p.write_text("# a comment\nx**2 +\n  3*x\n")
    r = CliRunner().invoke(main, ["import", "--sympy", str(p), "--set", "x=2"])
    assert r.exit_code == 0, r.output
    assert graphdiff.evaluate(graphdiff.loads(r.stdout))["f"] == 10.0


# ---- samples imported from Python -----------------------------------------------------------------------------

IMPORTED = [("tiny_mlp", "loss"), ("pendulum", "swing"), ("projectile", "distance")]


@pytest.mark.parametrize("name, function", IMPORTED)
def test_the_imported_samples_are_what_import_writes(name, function, monkeypatch):
    monkeypatch.chdir(ROOT)
    r = import_file(f"samples/python/{name}.py:{function}")
    assert r.text == (ROOT / "samples" / f"{name}.gd").read_text()


@pytest.mark.parametrize("name, function", IMPORTED)
def test_the_imported_samples_compute_what_the_python_computes(name, function, monkeypatch):
    monkeypatch.chdir(ROOT)
    fn, _ = graphdiff.language.python.load_function(f"samples/python/{name}.py:{function}")
    g = graphdiff.load(ROOT / "samples" / f"{name}.gd")
    want = outputs_of(fn())
    got = graphdiff.evaluate(g).outputs()
    assert got == pytest.approx({k: float(v) for k, v in want.items()}, rel=1e-15)
    # each derivative against central differences of the Python function itself
    r = graphdiff.grad(g)
    sig = inspect.signature(fn)
    for k, p in sig.parameters.items():
        if p.annotation in (int, "int"):
            continue
        v = p.default
        for m in range(len(v)) if isinstance(v, list) else [None]:
            def moved(d):
                if m is None:
                    return outputs_of(fn(**{k: v + d}))
                return outputs_of(fn(**{k: [x + d * (j == m) for j, x in enumerate(v)]}))
            h = 1e-6
            plus, minus = moved(h), moved(-h)
            wrt = k if m is None else f"{k}[{m}]"
            for o in want:
                assert r[o, wrt] == pytest.approx((plus[o] - minus[o]) / (2 * h), rel=1e-6, abs=1e-8), (o, wrt)


# ---- the published benchmarks, from their readable Python versions ---------------------------------------------

PUBLISHED = [("blackscholes", "price"), ("human_heart_dipole", "dipole"), ("robotarm_6dof", "forward_kinematics"),
             ("roeflux_1d", "roe_flux")]


@pytest.mark.parametrize("name, function", PUBLISHED)
def test_the_published_benchmarks_python_is_the_same_graph(name, function, monkeypatch):
    monkeypatch.chdir(ROOT)
    hand = graphdiff.load(ROOT / "samples" / "published" / f"{name}.gd")
    traced = import_file(f"samples/published/{name}.py:{function}").graph()
    assert (len(traced), traced.n_edges) == (len(hand), hand.n_edges)
    assert [traced.names[i] for i in traced.inputs] == [hand.names[i] for i in hand.inputs]
    assert [traced.names[o] for o in traced.outputs] == [hand.names[o] for o in hand.outputs]
    a, b = graphdiff.cost(hand), graphdiff.cost(traced)
    for mode in ("forward", "reverse"):
        assert getattr(a, mode) == getattr(b, mode)
    for order in ("forward", "reverse", "markowitz"):
        ea, eb = graphdiff.eliminate(hand, order=order), graphdiff.eliminate(traced, order=order)
        assert (ea.multiplications, ea.additions) == (eb.multiplications, eb.additions), order
    ja, jb = graphdiff.grad(hand).to_dict()["jacobian"], graphdiff.grad(traced).to_dict()["jacobian"]
    assert ja.keys() == jb.keys()
    for o in ja:
        assert jb[o] == pytest.approx(ja[o], rel=1e-15, abs=0)
    fn, _ = graphdiff.language.python.load_function(f"samples/published/{name}.py:{function}")
    own = outputs_of(fn())
    assert graphdiff.evaluate(hand).outputs() == pytest.approx({k: float(v) for k, v in own.items()}, rel=1e-15)


def test_trace_a_function_written_in_a_notebook_cell_in_a_real_kernel():
    """In Jupyter a function's code is a cell: the tracer names its values and warns from the cell's lines."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import math, warnings, graphdiff\n"
                                  "def loss(w=0.5, x=[1.0, -2.0]):\n"
                                  "    z = w * x[0] + x[1]\n"
                                  "    if z < 0:\n"
                                  "        z = -z\n"
                                  "    return math.tanh(z) ** 2"),
        nbformat.v4.new_code_cell("with warnings.catch_warnings(record=True) as caught:\n"
                                  "    warnings.simplefilter('always')\n"
                                  "    g = graphdiff.trace(loss)\n"
                                  "print(g.text)\n"
                                  "print([str(c.message) for c in caught])\n"
                                  "print(graphdiff.grad(g)['y', 'w'])"),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    out = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert all(o.output_type != "error" for o in nb.cells[1].outputs), out
    assert "input w = 0.5, x[2] = [1, -2]" in out
    assert "z_1 = (w * x[0]) + x[1]  # line 3\nz_2 = -z_1  # line 5\ny = tanh(z_2) ^ 2  # line 6" in out
    assert "'z < 0' was True with z = -1.5" in out
    z = 0.5 * 1.0 - 2.0
    want = 2 * math.tanh(-z) * (1 - math.tanh(-z) ** 2) * -1.0  # d/dw tanh(-(w x0 + x1))^2
    assert float(out.strip().splitlines()[-1]) == pytest.approx(want, rel=1e-14)


# ---- what a review found (each failed before its fix) ---------------------------------------------------------

def test_an_unnamed_value_used_again_and_again_is_named_so_the_text_stays_linear():
    def sq(u):
        return u * u + u

    def f(x=0.5):
        return sq(sq(sq(sq(sq(sq(sq(sq(sq(sq(x))))))))))  # was a 354 KB line; nested 20 deep, out of memory

    def plain(x):
        for _ in range(10):
            x = x * x + x
        return x

    r = record(f, {"x": 0.01})
    assert len(r.text) < 3000 and "s1 = " in r.text
    assert graphdiff.evaluate(r.graph())["y"] == plain(0.01)


ACTS = {"tanh": math.tanh}


class _Net:
    act = math.tanh


def _base(x=1.0, k=2.0):
    return x * k


class _Callable:
    def __call__(self, x=1.0):
        return math.sin(x) * x


@__import__("functools").lru_cache
def _cached(x=1.0):
    return math.exp(x) * 2


def test_decorated_partial_and_callable_objects_trace():
    import functools

    assert graphdiff.evaluate(trace(_cached))["y"] == math.exp(1) * 2
    assert graphdiff.evaluate(trace(functools.partial(_base, k=3.0)))["y"] == 3.0
    assert graphdiff.evaluate(trace(_Callable()))["y"] == math.sin(1.0)
    with pytest.raises(TraceError, match="not a Python function"):
        record(math.sin)


def test_math_functions_held_in_dicts_classes_and_defaults_are_traced_and_put_back():
    def f(x=0.5, fn=math.sin):
        a = fn(x)
        b = ACTS["tanh"](x)
        return a + b + _Net.act(x) * 2

    g = trace(f)
    assert graphdiff.evaluate(g)["y"] == pytest.approx(math.sin(0.5) + 3 * math.tanh(0.5), rel=1e-15)
    assert ACTS["tanh"] is _Net.act is math.tanh and f.__defaults__[1] is math.sin


def test_bools_numpy_scalars_and_a_number_for_a_list():
    import numpy as np

    def f(x=0.5, w=[1.0, 2.0]):
        return x * (x > 0) + np.float64(2.0) * x + x ** np.int64(2) + len(w) * w[1]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TraceWarning)
        g = trace(f, w=0.25)
    assert "w[2] = 0.25" in g.text
    assert graphdiff.evaluate(g)["y"] == f(0.5, [0.25, 0.25])
    assert graphdiff.grad(g)["y", "x"] == pytest.approx(1 + 2 + 1.0, rel=1e-15)


def test_an_input_returned_under_its_own_name_and_sys_exit():
    def f(x=1.0, w=2.0):
        return {"x": x, "z": x * w}

    assert graphdiff.evaluate(trace(f)).outputs() == {"x": 1.0, "z": 2.0}

    def quits(x=1.0):
        sys.exit(3)

    with pytest.raises(TraceError, match=r"called sys.exit\(3\) while traced"):
        record(quits)


@pytest.mark.parametrize("text, message", [
    ("Heaviside(x)*x", "Heaviside(x) is 1/2 at 0 and graphdiff's step is 0 there: write Heaviside(x, 0)"),
    ("gamma*x", "is SymPy's own: rename that symbol"),
])
def test_sympy_heaviside_and_sympys_own_names(text, message):
    with pytest.raises(graphdiff.InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        program(text)
    if text.startswith("Heaviside"):
        assert graphdiff.evaluate(from_sympy("Heaviside(x, 0)*x", x=2.0))["f"] == 2.0


class _Model:
    def forward(self, x=1.0):
        return x * 2


def test_max_with_a_default_isclose_decided_and_an_unbound_method():
    def f(x=0.5, w=[1.0, 3.0]):
        top = max(w, default=0.0)
        if math.isclose(x, 0.5):
            return top * x
        return x

    r = record(f)
    assert graphdiff.evaluate(r.graph())["y"] == 1.5
    assert [d.text for d in r.decisions] == ["math.isclose(x, 0.5)"]
    assert graphdiff.evaluate(trace(_Model().forward))["y"] == 2.0
    with pytest.raises(TraceError, match=r"forward is a method: trace it on an instance \(model.forward"):
        record(_Model.forward)
