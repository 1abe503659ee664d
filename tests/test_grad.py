"""Accumulation: forward, reverse and the sum over paths agree with each other, with central differences and
with SymPy; the essay's numbers exactly; operation counts pinned."""
import math

import pytest
from hypothesis import HealthCheck, given, settings

import graphdiff
from graphdiff import grad, linearize, loads
from graphdiff.language.gen import generate

from .conftest import central_difference, sympy_derivative
from .strategies import programs


def named(g, d):
    return {g.names[o]: {g.names[i]: v for i, v in row.items()} for o, row in d.items()}


def test_essay_reverse_from_e(backprop):
    r = grad(backprop, {"a": 2, "b": 1}, mode="reverse")
    assert named(backprop, r.jacobian) == {"e": {"a": 2.0, "b": 5.0}}
    s = r.sweeps[0]
    assert {backprop.names[i]: v for i, v in s.derivatives.items()} == {"e": 1, "c": 2, "d": 3, "a": 2, "b": 5}
    assert r.operations == graphdiff.Operations(1, 5, 1)


def test_essay_forward_from_b(backprop):
    r = grad(backprop, {"a": 2, "b": 1}, mode="forward", wrt=["b"])
    assert named(backprop, r.jacobian) == {"e": {"b": 5.0}}
    assert {backprop.names[i]: v for i, v in r.sweeps[0].derivatives.items()} == {"b": 1, "c": 1, "d": 1, "e": 5}
    assert grad(backprop, {"a": 2, "b": 1}, mode="forward").operations == graphdiff.Operations(2, 6, 1)


def test_essay_sum_over_paths(backprop):
    r = grad(backprop, {"a": 2, "b": 1}, mode="paths")
    assert named(backprop, r.jacobian) == {"e": {"a": 2.0, "b": 5.0}}
    assert r.path_counts == {4: {0: 1, 1: 2}}
    # a: one path of 2 edges (1 multiplication); b: two paths of 2 edges (2 multiplications, 1 addition)
    assert r.operations == graphdiff.Operations(0, 3, 1)


@pytest.mark.parametrize("text,inputs", [
    ("y = (x + x) * x", {"x": 1.5}),                    # fan-out: tinygrad's early bug
    ("y = sin(sin(x) + sin(x))", {"x": 0.7}),
    ("y = x", {"x": 3.0}),                               # the identity
    ("y = x * x * x", {"x": -2.0}),
    ("u = a * b; y = u * u + u", {"a": 0.3, "b": -1.2}),  # a reused non-leaf
    ("input x[4] = 0.5; y = prod(x) + sum(x) * mean(x)", {}),
    ("y = a / b - b ^ a", {"a": 0.7, "b": 1.3}),
])
def test_engines_agree_on_graphs_that_broke_others(text, inputs):
    g = loads(text)
    results = {m: grad(g, inputs, mode=m).jacobian for m in ("reverse", "forward", "paths")}
    vals = dict(zip((g.names[i] for i in g.inputs), graphdiff.bind(g, inputs)))
    for o in g.outputs:
        for i in g.inputs:
            ref = sympy_derivative(g, vals, g.names[o], g.names[i])
            fd = central_difference(g, vals, g.names[o], g.names[i])
            for m, jac in results.items():
                assert jac[o][i] == pytest.approx(ref, rel=1e-12, abs=1e-12), m
            assert fd == pytest.approx(ref, rel=1e-6, abs=1e-8)


def test_fan_out_exact_value():
    r = grad(loads("y = (x + x) * x"), {"x": 1.5})
    assert r.jacobian[r.outputs[0]][0] == 6.0  # d/dx 2x^2 = 4x


def test_constant_output_has_zero_derivative():
    g = loads("k = 3; y = x * 2; output k, y")
    r = grad(g, {"x": 1})
    assert named(g, r.jacobian) == {"k": {"x": 0.0}, "y": {"x": 2.0}}
    assert r.operations == graphdiff.Operations(2, 1, 0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_graphs_all_methods_agree(prog):
    text, values = prog
    g = loads(text)
    rev = grad(g, values, mode="reverse")
    fwd = grad(g, values, mode="forward")
    pth = grad(g, values, mode="paths", max_paths=10**6)
    for o in g.outputs:
        for i in g.inputs:
            r = rev.jacobian[o][i]
            assert fwd.jacobian[o][i] == pytest.approx(r, rel=1e-12, abs=1e-12)
            assert pth.jacobian[o][i] == pytest.approx(r, rel=1e-9, abs=1e-12)
            fd = central_difference(g, values, g.names[o], g.names[i])
            assert fd == pytest.approx(r, rel=1e-5, abs=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(max_inputs=3, max_nodes=6))
def test_random_graphs_match_sympy(prog):
    text, values = prog
    g = loads(text)
    rev = grad(g, values)
    for o in g.outputs:
        for i in g.inputs:
            ref = sympy_derivative(g, values, g.names[o], g.names[i])
            assert rev.jacobian[o][i] == pytest.approx(ref, rel=1e-10, abs=1e-12)


def test_dense_gradient_matches_sweep():
    g = loads("\n".join(["input x0 = 0.3"] + [f"x{i + 1} = tanh(0.9 * x{i} + sin(x{i}))" for i in range(200)]))
    lin = linearize(g)
    dense = graphdiff.gradient(lin)
    sweep = graphdiff.reverse_sweep(lin, g.outputs[0]).derivatives
    for i, v in sweep.items():
        assert dense[i] == v


def test_hundred_thousand_deep_chain_gradient():
    n = 100_000
    g = loads("\n".join(["input h0 = 0.1"] + [f"h{i + 1} = tanh(0.5 * h{i} + 0.1)" for i in range(n)]))
    r = grad(g)
    d = r.jacobian[g.outputs[0]][0]
    assert 0 < d < 1e-300 or d == 0.0  # the vanishing gradient: (0.5 · (1 - tanh²))^n underflows
    assert r.operations.multiplications == 3 * n


def test_vanishing_gradient_in_rnn_sample():
    from .conftest import ROOT

    g = graphdiff.load(ROOT / "samples" / "rnn.gd")
    r = grad(g)
    out = g.outputs[0]
    xs = [r.jacobian[out][g.node(f"x[{t}]")] for t in range(6)]
    assert xs == sorted(xs) and xs[0] < xs[-1] / 50


def test_select_of_and_wrt(backprop):
    r = grad(backprop, {"a": 2, "b": 1}, of=["e"], wrt=["b"])
    assert named(backprop, r.jacobian) == {"e": {"b": 5.0}}
    with pytest.raises(graphdiff.InputError, match="no node named 'q'"):
        grad(backprop, {"a": 2, "b": 1}, wrt=["q"])


def test_path_mode_refuses_above_the_bound():
    text = "\n".join(["input x0 = 0.5"] + [f"x{i + 1} = 0.4 * (0.5 * x{i} + tanh(x{i}) + sin(x{i}))" for i in range(30)])
    g = loads(text)
    with pytest.raises(graphdiff.TooManyPaths) as e:
        grad(g, mode="paths")
    assert f"{3 ** 30:,} paths" in e.value.message and "--max-paths" in e.value.message


# ---- forward mode: compact sweeps and a bound on the work ------------------------------------------------

def subtraction_chain(n: int):
    """y = x0 - x1 - ... - x{n-1}: the sweep from x_i reaches every subtraction after it (quadratic in all)."""
    return loads("\n".join([f"input x{i} = {i / 10}" for i in range(n)] + ["y = " + " - ".join(f"x{i}" for i in range(n))]))


def test_forward_sweeps_keep_every_node_within_the_bound():
    g = subtraction_chain(30)
    r = grad(g, mode="forward")
    assert r.truncated is None
    lin = linearize(g)
    for s in r.sweeps:  # the full dictionary of each sweep, as forward_sweep returns it
        assert s.derivatives == graphdiff.forward_sweep(lin, s.seed).derivatives
    assert sum(len(s.derivatives) for s in r.sweeps) == 30 + sum(range(1, 30)) + 29  # seeds + y + (n-1-i) nodes


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_sweeps_keep_only_the_jacobian_entries_above_max_stored(mode):
    g = subtraction_chain(30) if mode == "forward" else loads("\n".join(
        ["input x0 = 0.3"] + [f"h{i} = sin({'x0' if i == 0 else f'h{i - 1}'}) * 1.5" for i in range(30)]
        + ["output " + ", ".join(f"h{i}" for i in range(30))]))
    full = grad(g, mode=mode)
    r = grad(g, mode=mode, max_stored=100)
    assert r.jacobian == full.jacobian and r.operations == full.operations
    assert r.truncated and "more than the 100 kept" in r.truncated
    wanted = set(r.outputs if mode == "forward" else r.inputs)
    for s, f in zip(r.sweeps, full.sweeps):
        assert set(s.derivatives) == {s.seed} | (wanted & set(f.derivatives))
        assert all(s.derivatives[v] == f.derivatives[v] for v in s.derivatives)
    # forward: y - the only output - has derivative -1 from x1 ... and +1 from x0
    if mode == "forward":
        y = g.outputs[0]
        assert [s.derivatives[y] for s in r.sweeps] == [1.0] + [-1.0] * 29
    from graphdiff.views.report import grad_report
    from graphdiff.views.report import trace_table

    r = grad(g, mode=mode, max_stored=100, trace=True)
    data = grad_report(r).json()
    assert data["derivatives_truncated"] == r.truncated and data["trace"] == []
    assert data["jacobian"] == grad_report(full).json()["jacobian"]
    assert all(set(d) <= {g.names[v] for v in wanted} | {seed} for seed, d in data["derivatives"].items())
    assert trace_table(r).footer.startswith("no steps: each sweep lists only its seed")
    assert "derivatives_truncated" not in grad_report(full).json()


def test_forward_mode_refuses_above_max_work():
    g = subtraction_chain(40)
    visits = graphdiff.cost(g).forward.multiplications
    assert visits == 39 + sum(range(1, 40))  # x0 and x1 enter the first subtraction: 39 edges each; x_i, 40 - i
    assert grad(g, mode="forward", max_work=visits).operations.multiplications == visits
    with pytest.raises(graphdiff.TooMuchWork) as e:
        grad(g, mode="forward", max_work=visits - 1)
    assert e.value.message == (f"forward mode would visit {visits:,} edges (one sweep from each of the 40 inputs), "
                               f"more than --max-work {visits - 1:,}; use --mode reverse (one sweep per output) "
                               "or raise --max-work")
    assert e.value.exit_code == graphdiff.ExitCode.INPUT
    assert grad(g, mode="reverse", max_work=1).jacobian == grad(g, mode="forward").jacobian  # reverse: no bound


def test_forward_mode_stops_at_max_work_when_not_counted_first(monkeypatch):
    import importlib

    grad_module = importlib.import_module("graphdiff.analyses.grad")  # the module: graphdiff.grad is the function
    monkeypatch.setattr(grad_module, "COUNT_BUDGET", 0)  # counting up front is "too costly": stop on the way
    g = subtraction_chain(40)
    # the sweeps from x0, x1, x2 visit 39, 39, 38 edges: 116 > 100 after the third
    with pytest.raises(graphdiff.TooMuchWork, match=r"more than --max-work 100 edges \(one sweep from each of "
                                                    r"the 40 inputs: the first 3 already visited 116\)"):
        grad(g, mode="forward", max_work=100)


def test_cli_max_work():
    from click.testing import CliRunner

    from graphdiff.cli import main

    prog = "input a = 1, b = 2, c = 3; y = a - b - c"
    r = CliRunner().invoke(main, ["grad", "-e", prog, "--mode", "forward", "--max-work", "4"])  # a, b: 2 edges; c: 1
    assert r.exit_code == 2
    assert "forward mode would visit 5 edges (one sweep from each of the 3 inputs), more than --max-work 4" in r.stderr
    r = CliRunner().invoke(main, ["grad", "-e", prog, "--mode", "forward", "--max-work", "5", "--format", "json"])
    assert r.exit_code == 0 and '"y": {\n      "a": 1.0,\n      "b": -1.0,\n      "c": -1.0' in r.stdout


# ---- the sum over paths: one enumeration per input -------------------------------------------------------

def test_paths_mode_many_inputs_matches_the_pairwise_sums():
    from .test_cost import wide_tree

    g = loads(wide_tree(100) + "\nz = s0 * s97")
    vals = {g.names[i]: (i % 7) / 3 - 1 for i in g.inputs}
    r = grad(g, vals, mode="paths")
    lin = linearize(g, vals)
    ops = graphdiff.Operations()
    for o in r.outputs:
        for i in r.inputs:
            ps = graphdiff.path_sum(g, lin.partials, i, o)
            assert r.jacobian[o][i] == ps.total and r.path_counts[o][i] == ps.count  # bit for bit
            ops += graphdiff.Operations(0, ps.multiplications, ps.additions)
    assert r.operations == ops == graphdiff.cost(g).paths
    rev = grad(g, vals).jacobian
    assert all(r.jacobian[o][i] == pytest.approx(rev[o][i], rel=1e-12) for o in r.outputs for i in r.inputs)


def test_paths_mode_with_intermediate_nodes_as_inputs_and_outputs(backprop):
    r = grad(backprop, {"a": 2, "b": 1}, mode="paths", of=["c", "e"], wrt=["b", "c"])
    assert named(backprop, r.jacobian) == {"c": {"b": 1.0, "c": 1.0}, "e": {"b": 5.0, "c": 2.0}}
    assert named(backprop, r.path_counts) == {"c": {"b": 1, "c": 1}, "e": {"b": 2, "c": 1}}
    # b→c: 1 edge (0); c→c: the empty path (0); b→e: 2 paths of 2 edges (2, +1 addition); c→e: 1 edge (0)
    assert r.operations == graphdiff.Operations(0, 2, 1)


def test_repeated_of_and_wrt_count_once():
    g = loads("c = a + b; d = b + 1; e = c * d")
    once = grad(g, {"a": 2, "b": 1}, of=["e"], wrt=["a", "b"])
    twice = grad(g, {"a": 2, "b": 1}, of=["e", "e"], wrt=["b", "a", "b"])
    assert twice.operations == once.operations == graphdiff.Operations(1, 5, 1)
    assert twice.inputs == [g.node("b"), g.node("a")] and twice.jacobian == once.jacobian
    fwd = grad(g, {"a": 2, "b": 1}, mode="forward", wrt=["b", "b"])
    assert fwd.operations.sweeps == 1 and fwd.jacobian[g.node("e")] == {g.node("b"): 5.0}


@pytest.mark.parametrize("text", ["r = sqrt(x); y = r - r", "z = sqrt(x); y = z * z"])
def test_zero_times_infinity_is_a_fault_in_every_mode(text):
    """0·inf has no value: y = sqrt(x)² is x, with derivative 1, yet the chain rule at x = 0 multiplies
    ∂y/∂z = 0 by ∂z/∂x = inf. Every mode says so (a fault naming the node), none answers a silent 0."""
    g = loads(text)
    for mode in ("reverse", "forward", "paths"):
        with pytest.raises(graphdiff.ComputeError, match="∂y/∂x is NaN"):
            grad(g, {"x": 0.0}, mode=mode)
        assert math.isnan(grad(g, {"x": 0.0}, mode=mode, ieee=True)["y", "x"])


def test_skipping_zero_derivatives_is_exact_when_every_partial_is_finite():
    from graphdiff.sweeps.accumulate import gradient, reverse_sweep

    g = loads(generate("chain", length=3000, seed=2))  # a vanishing gradient: most adjoints underflow to 0
    lin = linearize(g)
    assert lin.finite
    dense = gradient(lin)
    d = reverse_sweep(lin, g.outputs[0], dense=True).derivatives
    assert all(dense[i] == v for i, v in d.items()) and sum(1 for v in dense if v == 0) > 1000


@pytest.mark.parametrize("dead", [False, True])
def test_a_dense_sweep_that_reaches_every_node_lists_them_as_the_sparse_one_does(dead):
    """A reverse sweep whose output every earlier node reaches keeps its nodes as a range (no pass to list or
    count them); with a node the output does not use, the nodes are listed. Either way: the same derivatives,
    order, counts and JSON as the sweep that finds its edges through the heap."""
    from graphdiff.sweeps.accumulate import reverse_sweep

    text = "input a = 0.5, b = 2\nc = a * b\nd = tanh(c) + a\n" + ("u = b * 3\n" if dead else "") + "e = d * c"
    g = loads(text + "\noutput e")
    lin = linearize(g)
    e = g.node("e")
    dense, heap = reverse_sweep(lin, e, dense=True), reverse_sweep(lin, e, dense=False)
    assert (dense.nodes.__class__ is range) == (not dead)
    assert dense.derivatives == heap.derivatives and list(dense.derivatives) == sorted(heap.derivatives, reverse=True)
    assert (dense.multiplications, dense.additions) == (heap.multiplications, heap.additions)
    assert [list(x) for x in dense.ordered(True)] == [list(x) for x in heap.ordered(True)]
    assert [list(x) for x in dense.ordered(False)] == [sorted(heap.derivatives), [heap.derivatives[i] for i in sorted(heap.derivatives)]]
    r = grad(g)
    assert r.to_dict()["derivatives"]["e"] == {g.names[i]: v for i, v in sorted(heap.derivatives.items(), reverse=True)}


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_a_recomputed_derivative_is_the_same_in_the_jacobian_and_the_sweeps(mode):
    """A derivative float64 underflows on the way is recomputed with an unbounded exponent: the Jacobian, every
    sweep's record (its lists and its dictionary) and the JSON document all hold the recomputed number."""
    g = loads("input x = 3; c = x * 1e300; d = c * 1e-23; y = d * 1e-300; output y")
    r = grad(g, mode=mode)
    exact = r["y", "x"]
    assert exact == pytest.approx(1e-23, rel=1e-15, abs=0)  # reverse mode: 3e277·1e-300 underflows on the way
    doc = r.to_dict()
    seed = "y" if mode == "reverse" else "x"
    assert doc["jacobian"]["y"]["x"] == exact
    assert doc["derivatives"][seed]["x" if mode == "reverse" else "y"] == exact
    assert all(s.dense is None for s in r.sweeps)  # the dense lists are not kept once the Jacobian is read
    for s in r.sweeps:
        assert dict(zip(s.nodes, s.values)) == s.derivatives
