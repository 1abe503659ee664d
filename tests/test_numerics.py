"""Partials you can trust at the edges of float64: every primitive's partial against an exact reference
(SymPy's derivative of the primitive's own SymPy form, evaluated by mpmath at 400 digits), at ordinary points
and at magnitudes 1e-300, 1e-160, 1e160 and 1e300, held to a few ulps (or to the nearest subnormals, where
the true value is below float64's normal range, and to an infinity where it is above)."""
from __future__ import annotations

import itertools
import math
import random

import pytest

from graphdiff.codegen.compile import leaf, numeric
from graphdiff.primitives import PRIMITIVES, Primitive

sp = pytest.importorskip("sympy")
mpmath = pytest.importorskip("mpmath")

MAGNITUDES = [1e-300, 1e-160, 1e160, 1e300]
ULPS = 8
SMOOTH_UNARY = ["sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "softplus", "log1p", "expm1",
                "sinh", "cosh", "sech", "asin", "acos", "atan", "erf", "gauss"]
#: Points where float64 is strained and a careless form cancels or overflows.
HARD = {"sigmoid": [40.0, -40.0, 700.0, -700.0, 36.7], "tanh": [19.5, -19.5, 30.0, -30.0, 350.0],
        "asin": [0.999999999, -0.999999999, 1 - 2 ** -40], "acos": [0.999999999, -0.999999999],
        "expm1": [-40.0, -700.0, 1e-10], "log1p": [-0.999999, 1e-17], "atan": [1e200, -1e200],
        "softplus": [-40.0, 40.0, -700.0], "sinh": [1e-8, 700.0], "sech": [30.0, -40.0, 700.0, 1e-9], "erf": [5.0, -6.0, 26.0, 1e-8], "cosh": [700.0, -700.0], "exp": [-745.0, 709.0]}


def reference(name: str, xs: list[float], k: int):
    """∂ primitive/∂ operand k at xs, exactly (mpmath, 400 digits), as an mpf."""
    p = PRIMITIVES[name]
    syms = [sp.Symbol(f"a{j}", real=True) for j in range(len(xs))]
    d = sp.diff(leaf(p, "sympy", len(xs))(syms), syms[k])
    f = sp.lambdify(syms, d, "mpmath")
    with mpmath.workdps(400):  # enough digits that no reference form cancels (1 - tanh(350)^2 ~ 1e-304)
        return f(*[mpmath.mpf(x) for x in xs])


def partials(p: Primitive, xs: list[float]) -> list[float]:
    """The row's partials at ``xs``, as every command computes them (compiled from its formula texts)."""
    return numeric(p, len(xs)).partials(xs, p.value(xs))


def close(got: float, want) -> bool:
    """Within ULPS ulps of the true value, or as near as float64 can be beyond its range."""
    if mpmath.isnan(want):
        return math.isnan(got)
    if abs(want) > 1.7976931348623157e308:
        return got == math.copysign(math.inf, want)
    if abs(want) < 2.2250738585072014e-308:
        return abs(got - float(want)) <= 1e-320
    return abs(mpmath.mpf(got) - want) <= ULPS * 2.220446049250313e-16 * abs(want)


def points(name: str) -> list[float]:
    rng = random.Random(name)
    lo, hi = {"log": (0.01, 50), "sqrt": (0.01, 50), "log1p": (-0.99, 50), "asin": (-0.99, 0.99),
              "acos": (-0.99, 0.99)}.get(name, (-20, 20))
    pts = [rng.uniform(lo, hi) for _ in range(20)] + HARD.get(name, [])
    for m in MAGNITUDES:
        pts += [m, -m]
    return pts


def defined(p: Primitive, xs: list[float]) -> bool:
    try:
        v = p.value(xs)
    except (ValueError, OverflowError, ZeroDivisionError):
        return False
    return math.isfinite(v)


@pytest.mark.parametrize("name", SMOOTH_UNARY)
def test_unary_partials_are_within_a_few_ulps_everywhere(name):
    p = PRIMITIVES[name]
    bad = []
    for x in points(name):
        if not defined(p, [x]):
            continue
        got = partials(p, [x])[0]
        want = reference(name, [x], 0)
        if not close(got, want):
            bad.append((x, got, float(want)))
    assert not bad, bad


@pytest.mark.parametrize("name", ["div", "mul", "pow", "sub", "add", "xlogy", "atan2", "hypot"])
def test_binary_partials_are_within_a_few_ulps_at_every_magnitude(name):
    p = PRIMITIVES[name]
    values = [v for m in MAGNITUDES for v in (m, -m)] + [1.5, -0.75, 3.0]
    if name == "pow":
        pairs = [(x, e) for x in values if x > 0 for e in (0.5, 2.0, -1.5, 3.0)]
    elif name == "xlogy":
        pairs = [(a, b) for a in values for b in values if b > 0]
    else:
        pairs = list(itertools.product(values, values))
    bad = []
    for xs in pairs:
        xs = list(xs)
        if not defined(p, xs):
            continue
        got = partials(p, xs)
        for k in range(2):
            want = reference(name, xs, k)
            if not close(got[k], want):
                bad.append((xs, k, got[k], float(want)))
    assert not bad, bad[:10]


def test_the_issues_examples():
    from graphdiff import grad, loads

    assert grad(loads("y = a / b"), {"a": 1e200, "b": 1e160})["y", "b"] == pytest.approx(-1e-120, rel=1e-15)
    assert grad(loads("y = a / b"), {"a": 1e-300, "b": 1e-300})["y", "b"] == pytest.approx(-1e300, rel=1e-15)
    assert grad(loads("y = b / b"), {"b": 1e160})["y", "b"] == 0.0
    s = PRIMITIVES["sigmoid"]
    assert partials(s, [40.0])[0] == pytest.approx(4.248354255291589e-18, rel=1e-14)
    t = PRIMITIVES["tanh"]
    assert partials(t, [-19.5])[0] == pytest.approx(4.5990e-17, rel=1e-3)


@pytest.mark.parametrize("name", ["min", "max"])
def test_nan_propagates_through_min_and_max_whatever_the_order(name):
    p = PRIMITIVES[name]
    for xs in ([math.nan, 2.0], [2.0, math.nan], [1.0, math.nan, 3.0]):
        assert math.isnan(p.value(xs)), xs
        assert all(math.isnan(d) for d in partials(p, xs)), xs


def test_modes_agree_when_the_answer_is_finite():
    """Issue 15's case: forward mode multiplies an overflowing tangent by an underflowed sigmoid′ (0·inf); the
    rule recomputes that derivative with an unbounded exponent, so every mode answers 0 and says so."""
    from graphdiff import check, grad, loads

    g = loads("y = sigmoid(x - v^2 * cosh(x))")
    at = {"x": -710.4, "v": 0.579}
    for mode in ("reverse", "forward", "paths"):
        r = grad(g, at, mode=mode)
        assert r["y", "v"] == 0.0 and r["y", "x"] == 0.0, mode
        if mode != "reverse":  # reverse mode meets no overflow
            assert any("recomputed with an unbounded exponent, it is 0" in w.message for w in r.lin.warnings)
    assert check(g, at).ok


@pytest.mark.parametrize("text", ["z = sqrt(x); y = z * z", "r = sqrt(x); y = r - r"])
def test_a_true_zero_times_infinity_stays_a_fault_with_its_cause(text):
    from graphdiff import ComputeError, grad, loads

    for mode in ("reverse", "forward", "paths"):
        with pytest.raises(ComputeError, match=r"∂y/∂x is NaN: it enters at node '(z|r)'.*sqrt\(x\) is not "
                                               r"differentiable there"):
            grad(loads(text), {"x": 0.0}, mode=mode)


def test_recomputation_is_exact_where_float64_overflows_on_the_way():
    from graphdiff import linearize, loads
    from graphdiff.sweeps import extended

    g = loads("u = v * 1e200; w = u * 1e200; y = w * 1e-300")  # ∂y/∂v = 1e100, and 1e400 on the way
    lin = linearize(g, {"v": 1e-200})
    assert float(extended.recompute(lin, g.node("y"), g.node("v"))) == pytest.approx(1e100, rel=1e-15)


@pytest.mark.parametrize("f", ["sin", "cos", "tan", "sech", "sigmoid", "erf"])
@pytest.mark.parametrize("mode", ["reverse", "forward", "paths"])
def test_a_tower_of_overflows_under_a_function_finishes_in_seconds(f, mode):
    """Issue 21: cos of exp(exp(exp(3))) asked mpmath for 2·10^8 digits of pi (a 246-line random program ran for
    minutes). Every recomputation is bounded: past 2^10000 the derivative stays as float64 gave it, and a
    warning says why."""
    import subprocess
    import sys
    import time

    prog = f"y = sigmoid(-exp(exp(exp(x)))) * {f}(exp(exp(exp(x))))"
    t = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "graphdiff", "grad", "-e", prog, "--set", "x=3", "--ieee",
                        "--mode", mode, "--format", "json"], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - t < 30 and r.returncode == 0, r.stderr[-500:]
    assert "not recomputed with an unbounded exponent" in r.stderr and "beyond 2^10,000" in r.stderr
