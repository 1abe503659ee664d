"""graphdiff check: every way of computing a derivative agrees on the samples, and a wrong rule is caught."""
from __future__ import annotations

import dataclasses
import json
import math

import pytest
from click.testing import CliRunner

import graphdiff
from graphdiff.primitives import PRIMITIVES, register
from graphdiff.analyses.check import check, finite_differences
from graphdiff.cli import main
from graphdiff.sweeps.faults import derivative_fault, derivative_faults, linearize_for_derivatives

from .conftest import SAMPLES


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_check_passes_on_every_sample(path):
    r = run("check", str(path), "--points", "5", "--seed", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["ok"] is True
    assert data["failures"] == []
    assert {"reverse", "forward", "paths", "fd", "symbolic"} <= set(data["methods"])
    first = data["points"][0]
    assert first["index"] == 0 and first["error"] is None
    assert all(p["values"]["symbolic"] is not None for p in first["pairs"])


def test_vector_sample_max_is_checked_away_from_its_kink():
    # peak = max(x[0], x[3] * w, x[7] + 1): at the defaults x[7] + 1 wins alone, so every method agrees
    r = check(graphdiff.load(next(p for p in SAMPLES if p.name == "vector.gd")))
    assert r.ok
    peak = {r.graph.names[c.input]: c for c in r.points[0].pairs if r.graph.names[c.output] == "peak"}
    assert peak["x[7]"].values["reverse"] == 1.0
    assert peak["x[7]"].values["fd"] == pytest.approx(1.0, abs=1e-8)
    assert peak["x[0]"].values["symbolic"] == 0.0
    assert not peak["x[7]"].unjudged


def test_table_output_passes():
    r = run("check", "-e", "input a = 2, b = 1; c = a + b; d = b + 1; e = c * d")
    assert r.exit_code == 0
    assert "check passed" in r.stdout
    assert "∂" not in r.stderr


@pytest.fixture
def wrong_sin():
    """sin with the derivative of cos in its row: the kind of slip check exists to catch."""
    good = PRIMITIVES["sin"]
    register(dataclasses.replace(good, partials=("-sin({0})",)))
    yield
    register(good)


def test_wrong_partial_fails_with_the_pair_named(wrong_sin):
    r = run("check", "-e", "input x = 0.5, y = 2; s = sin(x) * y; t = y ^ 2")
    assert r.exit_code == 1
    assert "check failed: ∂s/∂x disagrees at the given point" in r.stderr
    assert "finite diff" in r.stderr and "symbolic" in r.stderr
    assert "∂t/∂y" not in r.stderr  # the pairs that do not go through sin still agree
    assert "DISAGREE" in r.stdout


def test_wrong_partial_on_a_sample_fails_in_json(wrong_sin):
    diamond = next(p for p in SAMPLES if p.name == "diamond.gd")
    r = run("check", str(diamond), "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["ok"] is False
    pair = data["points"][0]["pairs"][0]
    assert (pair["output"], pair["input"]) == ("z", "x")
    assert set(pair["disagreeing"]) == {"fd", "symbolic"}  # forward and paths share the wrong table entry
    assert pair["abs_error"] > 0.1
    assert data["failures"][0].startswith("∂z/∂x disagrees")


def test_wrong_partial_is_caught_without_sympy(wrong_sin):
    r = check(graphdiff.loads("input x = 0.5; y = sin(x)"), symbolic=False)
    assert not r.ok
    assert r.failures[0][1].failed == ("fd",)
    assert r.skipped["symbolic"].startswith("turned off")


def test_random_points_are_repeatable_and_report_domain_failures():
    prog = "input x = 0.2; y = sqrt(x) + log(x)"
    a = run("check", "-e", prog, "--points", "20", "--seed", "7", "--format", "json")
    b = run("check", "-e", prog, "--points", "20", "--seed", "7", "--format", "json")
    assert a.exit_code == 0 and a.stdout == b.stdout
    data = json.loads(a.stdout)
    assert len(data["points"]) == 21
    errors = [p for p in data["points"] if p["error"]]
    assert errors, "a spread of 0.5 around 0.2 must leave the domain somewhere"
    assert all("needs" in p["error"] and p["pairs"] == [] for p in errors)
    assert data["ok"] is True
    table = run("check", "-e", prog, "--points", "20", "--seed", "7")
    assert "could not be evaluated" in table.stdout


def test_kink_is_shown_but_not_judged():
    r = check(graphdiff.loads("input x = 0; y = relu(x)"))
    (c,) = r.points[0].pairs
    assert r.ok
    assert c.values["reverse"] == 0.0 and c.values["fd"] == pytest.approx(0.5)
    assert set(c.unjudged) == {"fd", "symbolic"}


def test_finite_differences_are_accurate_and_estimate_their_error():
    g = graphdiff.loads("input x = 3; y = exp(x) * sin(x)")
    (est, err), = finite_differences(g, {"x": 3.0}, g.node("x"), [g.node("y")])
    exact = math.exp(3) * (math.sin(3) + math.cos(3))
    assert abs(est - exact) <= err
    assert err < 1e-6 * abs(exact)


def test_large_inputs_use_a_scaled_step():
    g = graphdiff.loads("input x = 1e6; y = x ^ 2")
    (est, err), = finite_differences(g, {"x": 1e6}, g.node("x"), [g.node("y")])
    assert est == pytest.approx(2e6, rel=1e-9)


def test_symbolic_is_skipped_above_the_size_limit():
    text = "input x = 0.1\n" + "\n".join(f"h{i} = sin(h{i - 1})" if i else "h0 = sin(x)" for i in range(400))
    r = check(graphdiff.loads(text))
    assert "symbolic" not in r.methods
    assert "nodes" in r.skipped["symbolic"]
    assert r.ok


def test_deep_graph_check_does_not_recurse():
    text = "input x = 0.1\n" + "\n".join(f"h{i} = h{i - 1} * 1.0001" if i else "h0 = x * 1" for i in range(20_000))
    r = check(graphdiff.loads(text), symbolic=False)
    assert r.ok and "fd" in r.methods


def test_max_paths_skips_the_sum_over_paths():
    text = "input x = 0.5\n" + "\n".join(f"h{i} = sin(h{i - 1}) + h{i - 1}" if i else "h0 = x" for i in range(20))
    r = check(graphdiff.loads(text), max_paths=100)
    assert "paths" in r.skipped and r.points[0].pairs[0].values["paths"] is None
    assert "terms" in r.skipped["symbolic"]
    assert r.ok


def test_nan_derivative_fails_at_the_given_point_with_its_path():
    r = run("check", "-e", "input x = 0\nr = sqrt(x)\ns = r * 2\nloss = s + 1")
    assert r.exit_code == 1
    assert "<expr>:2:1: error: ∂loss/∂x is inf: it enters at node 'r' (line 2)" in r.stderr
    assert "through r → s → loss" in r.stderr


def test_ieee_check_marks_the_fault_in_json():
    r = run("check", "-e", "input x = 0; r = sqrt(x); loss = r * 2", "--ieee", "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["points"][0]["pairs"][0]["values"]["reverse"] == "Infinity"
    assert any(f["node"] == "r" for f in data["faults"])


def test_check_exit_code_2_for_bad_input():
    r = run("check", "-e", "y = (x")
    assert r.exit_code == 2 and "<expr>:1:7: error:" in r.stderr


# ---- faults traced to their source ------------------------------------------------------------------------

def test_grad_names_the_entry_node_and_the_path():
    r = run("grad", "-e", "input x = 0\nr = sqrt(x)\ns = r * 2\nloss = s + 1")
    assert r.exit_code == 1
    assert r.stderr.startswith("<expr>:2:1: error: ∂loss/∂x is inf: it enters at node 'r' (line 2), where the "
                               "partial ∂r/∂x = inf at x = 0 (sqrt(x) is not differentiable there), and "
                               "reaches the output through r → s → loss\n")
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("mode", ["reverse", "forward", "paths"])
def test_grad_ieee_lets_the_fault_through_and_marks_it(mode):
    r = run("grad", "-e", "input x = 0; r = sqrt(x); s = r * 2; loss = s + 1", "--ieee", "--mode", mode,
            "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["jacobian"] == {"loss": {"x": "Infinity"}}
    (f,) = [f for f in data["faults"] if "path" in f]
    assert f["path"] == ["r", "s", "loss"] and f["output"] == "loss" and f["input"] == "x"


def test_grad_value_fault_still_names_the_node():
    r = run("grad", "-e", "input x = 0\ny = log(x) * 2")
    assert r.exit_code == 1
    assert "<expr>:2:5: error: log needs a positive argument" in r.stderr


def test_a_fault_that_reaches_no_asked_derivative_is_a_warning():
    r = run("grad", "-e", "input x = 0, y = 1; r = sqrt(x); z = y * 3", "--of", "z")
    assert r.exit_code == 0
    assert "warning" in r.stderr and "sqrt(x)" in r.stderr


def test_overflowing_product_of_finite_partials_is_traced():
    """Every value and partial is finite, but reverse mode's product ∂c/∂b·∂b/∂a = 1e200·1e200 overflows:
    the fault is traced to where the product overflows (and grad recomputes the true 1e100)."""
    g = graphdiff.loads("input x = 1; a = 1e-300 * x; b = 1e200 * a; c = 1e200 * b")
    lin = linearize_for_derivatives(g, ieee=True)
    assert lin.values == [1.0, 1e-300, 1e-100, 1e100]
    f = derivative_fault(lin, g.node("c"), g.node("x"))
    assert f.value == math.inf and g.names[f.node] == "b" and [g.names[v] for v in f.path] == ["b", "c"]
    assert f.message == ("∂c/∂x is inf: it enters at node 'b' (line 1), where ∂c/∂b · ∂b/∂a = 1e+200 · 1e+200 "
                         "overflows, and reaches the output through b → c")
    faults = derivative_faults(lin, {g.node("c"): {g.node("x"): math.inf}})
    assert [x.message for x in faults] == [f.message]
    assert graphdiff.grad(g)["c", "x"] == 1e100


def test_long_fault_paths_are_shortened_and_not_recursive():
    n = 50_000
    text = "input x = 0\nr = sqrt(x)\n" + "\n".join(f"h{i} = h{i - 1} * 1" if i else "h0 = r * 1" for i in range(n))
    g = graphdiff.loads(text)
    lin = linearize_for_derivatives(g, ieee=True)
    f = derivative_fault(lin, g.node(f"h{n - 1}"), g.node("x"))
    assert g.names[f.node] == "r" and len(f.path) == n + 1
    assert "more nodes" in f.message and len(f.message) < 400


# ---- forward mode: outputs only, and a bound on its work ---------------------------------------------------

def subtraction_chain(n: int):
    """y = x0 - x1 - ... - x{n-1}: the sweep from x_i visits 40 - i edges for n = 40 (x0: 39)."""
    return graphdiff.loads("\n".join([f"input x{i} = {i / 10}" for i in range(n)] +
                                     ["y = " + " - ".join(f"x{i}" for i in range(n))]))


def check_module():
    import importlib

    return importlib.import_module("graphdiff.analyses.check")  # graphdiff.check is also the name of the function


def test_forward_is_not_run_above_its_work_bound(monkeypatch):
    monkeypatch.setattr(check_module(), "FORWARD_MAX_WORK", 818)
    g = subtraction_chain(40)  # forward: 39 + 39 + 38 + ... + 1 = 819 edge visits
    r = check(g, symbolic=False)
    assert "forward" not in r.methods
    assert r.skipped["forward"] == ("its 40 sweeps (one per input) would visit 819 edges, more than forward mode "
                                    "is run for (818 edge visits)")
    assert [c.values.get("forward") for c in r.points[0].pairs] == [None] * 40
    assert [c.values["reverse"] for c in r.points[0].pairs] == [1.0] + [-1.0] * 39
    assert r.ok
    monkeypatch.setattr(check_module(), "FORWARD_MAX_WORK", 819)
    r = check(g, symbolic=False)
    assert "forward" in r.methods and "forward" not in r.skipped
    assert [c.values["forward"] for c in r.points[0].pairs] == [1.0] + [-1.0] * 39
    r = check(g, symbolic=False, points=1, seed=0)  # 819 at each of 2 points
    assert "forward" not in r.methods and "819 edges at each of 2 points" in r.skipped["forward"]


def test_forward_stops_at_its_work_bound_when_not_counted_first(monkeypatch):
    monkeypatch.setattr(check_module(), "FORWARD_MAX_WORK", 100)
    monkeypatch.setattr(check_module(), "FORWARD_COUNT_BUDGET", 0)
    g = subtraction_chain(40)
    r = check(g, symbolic=False, points=1, seed=3)
    # the sweeps from x0, x1, x2 visit 39 + 39 + 38 = 116 > 100 edges: the pairs after them go without
    given, random = r.points
    assert [c.values["forward"] for c in given.pairs] == [1.0, -1.0, -1.0] + [None] * 37
    assert [c.values["forward"] for c in random.pairs] == [None] * 40
    assert r.skipped["forward"] == ("the forward sweeps passed 100 edge visits at point 0 after 3 of 40 inputs; the "
                                    "pairs left are not checked by forward mode")
    assert "forward" in r.methods and r.ok
    from graphdiff.views.report import check_report

    assert "forward not run: " + r.skipped["forward"] in check_report(r).notes


def test_forward_keeps_only_the_outputs_of_each_sweep(monkeypatch):
    import tracemalloc

    monkeypatch.setattr(check_module(), "FD_MAX_WORK", 0)
    monkeypatch.setattr(check_module(), "PATHS_MAX_WORK", 0)
    monkeypatch.setattr(check_module(), "ELIMINATION_MAX_EDGES", 0)
    g = subtraction_chain(500)  # every sweep's full dictionary, kept, would be 125,000 numbers (about 8 MB)
    tracemalloc.start()
    try:
        r = check(g, symbolic=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.methods == ["reverse", "forward"] and r.ok
    assert [c.values["forward"] for c in r.points[0].pairs] == [1.0] + [-1.0] * 499
    assert peak < 3_000_000


# ---- finite differences next to the edge of a domain -----------------------------------------------------

def test_finite_differences_shrink_the_step_inside_the_domain():
    r = check(graphdiff.loads("input x = 1e-12; y = log(x)"))
    (c,) = r.points[0].pairs
    assert c.values["reverse"] == 1e12
    assert c.values["fd"] == pytest.approx(1e12, rel=1e-6) and abs(c.values["fd"] - 1e12) <= c.fd_error
    assert not c.not_run and not c.failed and r.ok
    # an input whose full step fits is not changed: h = ε^(1/3) · 3
    g = graphdiff.loads("input x = 3; y = log(x)")
    h, ys = check_module().stencil(g, {"x": 3.0}, g.node("x"), g.outputs)
    assert h == (3 + check_module().EPS ** (1 / 3) * 3) - 3 and sorted(ys) == [-h, -h / 2, h / 2, h]


def test_finite_differences_say_why_they_are_not_run():
    prog = "input x = 1e-300, z = 2\ny = log(x) * z"
    r = check(graphdiff.loads(prog))
    by_input = {r.graph.names[c.input]: c for c in r.points[0].pairs}
    assert by_input["x"].values["fd"] is None and by_input["x"].values["reverse"] == pytest.approx(2e300)
    why = by_input["x"].not_run["fd"]
    assert why.startswith("no step keeps the stencil x ± h inside the domain, from h = 6.055454452393343e-06 down "
                          "to 5.639581431069731e-15; with the smallest, at x = -5.639581431069731e-15: ")
    assert "log needs a positive argument" in why
    assert by_input["z"].values["fd"] == pytest.approx(math.log(1e-300), rel=1e-9) and not by_input["z"].not_run
    assert r.ok
    out = run("check", "-e", prog)
    assert out.exit_code == 0
    assert f"finite diff not run for input x at the given point: {why}" in " ".join(out.stdout.split())
    rows = run("check", "-e", prog, "--format", "csv").stdout.splitlines()
    assert rows[1].endswith(",ok (finite diff not run)") and rows[2].endswith(",ok")
    data = json.loads(run("check", "-e", prog, "--format", "json").stdout)
    assert data["points"][0]["pairs"][0]["not_run"] == {"fd": why}
    assert data["points"][0]["pairs"][1]["not_run"] == {}


def test_step_shrinking_has_a_budget(monkeypatch):
    """Inputs at a domain edge shrink the step; together they may not take more than the check's budget."""
    import importlib

    C = importlib.import_module("graphdiff.analyses.check")  # the module, not the function of that name
    g = graphdiff.loads("input x[40] = 1e-20\n" + "\n".join(f"s{i} = sqrt(x[{i}])" for i in range(40))
              + "\ny = " + " + ".join(f"s{i}" for i in range(40)))
    monkeypatch.setattr(C, "FD_SHRINK_WORK", 20 * 4 * len(g))  # room for 20 smaller steps in all
    calls = []
    run = C._outputs_at
    monkeypatch.setattr(C, "_outputs_at", lambda *a: calls.append(1) or run(*a))
    r = C.check(g, {}, symbolic=False)
    assert len(calls) <= 4 * 40 + 4 * 20  # the first step of every input, and the budget
    why = {p.input: p.not_run.get("fd", "") for pt in r.points for p in pt.pairs}
    assert any("node evaluations for smaller steps are spent" in w for w in why.values())
