"""Evaluation against Python's math, domain errors with nodes and lines, non-differentiable points."""
import math

import pytest

import graphdiff
from graphdiff import ComputeError, loads
from graphdiff.base.errors import MissingInputError, NameError_


def test_essay_value(backprop):
    v = graphdiff.evaluate(backprop, {"a": 2, "b": 1})
    assert v.values == [2.0, 1.0, 3.0, 2.0, 6.0] and v.outputs() == {"e": 6.0}


@pytest.mark.parametrize("expr,fn", [
    ("sin(x)", math.sin), ("cos(x)", math.cos), ("tan(x)", math.tan), ("exp(x)", math.exp),
    ("log(x)", math.log), ("sqrt(x)", math.sqrt), ("tanh(x)", math.tanh),
    ("sigmoid(x)", lambda x: 1 / (1 + math.exp(-x))), ("relu(x)", lambda x: max(x, 0.0)), ("abs(x)", abs),
    ("sign(x)", lambda x: math.copysign(1.0, x)), ("x ^ 3", lambda x: x ** 3), ("pow(x, 0.5)", math.sqrt),
    ("softplus(x)", lambda x: math.log1p(math.exp(x))), ("atan(x)", math.atan), ("asin(x / 2)", lambda x: math.asin(x / 2)),
    ("acos(x / 2)", lambda x: math.acos(x / 2)), ("sinh(x)", math.sinh), ("cosh(x)", math.cosh),
    ("log1p(x)", math.log1p), ("expm1(x)", math.expm1), ("1 / x", lambda x: 1 / x), ("-x", lambda x: -x),
    ("max(x, 1, -x)", lambda x: max(x, 1, -x)), ("min(x, 1)", lambda x: min(x, 1)),
    ("sum(x, 2, x)", lambda x: 2 * x + 2), ("prod(x, 2, x)", lambda x: 2 * x * x), ("mean(x, 3)", lambda x: (x + 3) / 2),
])
@pytest.mark.parametrize("x", [0.3, 1.7])
def test_values_match_math(expr, fn, x):
    assert graphdiff.evaluate(loads(f"y = {expr}"), {"x": x})["y"] == pytest.approx(fn(x), rel=1e-15)


@pytest.mark.parametrize("text,x,fragment", [
    ("y = log(x)", -1, "log needs a positive argument: log(x) = nan with x = -1"),
    ("y = log(x)", 0, "log needs a positive argument"),
    ("y = sqrt(x)", -2, "sqrt needs a non-negative argument"),
    ("y = 1 / x", 0, "division by zero: 1 / x = inf with x = 0"),
    ("y = exp(x)", 1000, "overflow: exp(x) = inf with x = 1000"),
    ("y = x * x", 1e200, "overflow: x * x = inf with x = 1e+200"),
    ("y = x ^ 0.5", -1, "a power needs a positive base for a fractional exponent"),
])
def test_domain_errors_name_node_and_line(text, x, fragment):
    g = loads("z = 1\n" + text, "f.gd")
    with pytest.raises(ComputeError) as e:
        graphdiff.evaluate(g, {"x": x})
    assert fragment in e.value.message and "(node 'y')" in e.value.message
    assert (e.value.line, e.value.col) == (2, 1) and e.value.exit_code == 1


def test_ieee_lets_values_through_and_records_faults():
    v = graphdiff.evaluate(loads("y = log(x); z = y + 1"), {"x": -1}, ieee=True)
    assert math.isnan(v["z"]) and [f.node for f in v.faults] == ["y"]
    v = graphdiff.evaluate(loads("y = log(x)"), {"x": 0}, ieee=True)
    assert v["y"] == -math.inf


def test_missing_input_says_how_to_give_it():
    with pytest.raises(MissingInputError) as e:
        graphdiff.evaluate(loads("c = a + b\ninput b = 1", "f.gd"))
    assert "input 'a' has no value; give it with --set a=VALUE" in e.value.message
    assert (e.value.line, e.value.col) == (1, 5)


def test_setting_unknown_or_computed_names_fails():
    g = loads("c = a + b")
    with pytest.raises(NameError_, match="did you mean 'a'"):
        graphdiff.evaluate(g, {"aa": 1, "b": 1})
    with pytest.raises(NameError_, match="computed node"):
        graphdiff.evaluate(g, {"a": 1, "b": 1, "c": 3})


def test_whole_vector_can_be_set():
    g = loads("input x[3]; y = sum(x)")
    assert graphdiff.evaluate(g, {"x": 2, "x[1]": 5})["y"] == 9


@pytest.mark.parametrize("text,inputs,partials,fragment", [
    ("y = relu(x)", {"x": 0}, [0.0], "relu is not differentiable at 0"),
    ("y = abs(x)", {"x": 0}, [0.0], "abs is not differentiable at 0"),
    ("y = sign(x)", {"x": 0}, [0.0], "sign jumps at 0"),
    ("y = max(a, b)", {"a": 1, "b": 1}, [0.5, 0.5], "max has 2 tied operands"),
    ("y = min(a, b, 3)", {"a": 3, "b": 4}, [0.5, 0.0], "min has 2 tied operands"),
])
def test_non_differentiable_points_follow_the_convention_and_warn(text, inputs, partials, fragment):
    lin = graphdiff.linearize(loads(text), inputs)
    assert lin.partials == partials
    assert len(lin.warnings) == 1 and fragment in lin.warnings[0].message and lin.warnings[0].node == "y"


def test_infinite_partial_is_an_error_naming_the_edge():
    with pytest.raises(ComputeError, match=r"∂y/∂x is inf at x = 0"):
        graphdiff.linearize(loads("y = sqrt(x)"), {"x": 0})
    lin = graphdiff.linearize(loads("y = sqrt(x)"), {"x": 0}, ieee=True)
    assert lin.partials == [math.inf] and lin.faults


def test_negative_zero_constants_are_not_merged_with_zero():
    """1 / -0.0 is -inf: the tape's constants keep their sign (a cold run once pooled -0.0 with 0.0, where the
    cached graph's tape did not)."""
    g = graphdiff.loads("input a = 1; p = a + 0.0; n = 0.0 * -0.5; y = a / n; output y")
    assert graphdiff.evaluate(g, ieee=True)["y"] == -math.inf
    g = graphdiff.loads("input a = 1; p = a * 0.0; y = a / -0.0 + p; output y")
    assert graphdiff.evaluate(g, ieee=True)["y"] == -math.inf
