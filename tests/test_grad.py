"""Accumulation: forward, reverse and the sum over paths agree with each other, with central differences and
with SymPy; the essay's numbers exactly; operation counts pinned."""
import math

import pytest
from hypothesis import HealthCheck, given, settings

import graphdiff
from graphdiff import grad, linearize, loads

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
