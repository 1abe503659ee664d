"""grad --trace: every step's sum is the derivative the sweep computed, and the terms add up to it."""
from __future__ import annotations

import math

import pytest

import graphdiff
from graphdiff.analyses.grad import grad

PROGRAMS = [("c = a + b; d = b + 1; e = c * d", {"a": 2, "b": 1}),
            ("input x = 0.7; y = (x + x) * x; z = sin(sin(x) + sin(x)) + y", {}),
            ("input x = 0.5; y = 2*x + sin(x) + x^2; z = 3*y + cos(y) + y^3", {})]


@pytest.mark.parametrize("text,at", PROGRAMS)
@pytest.mark.parametrize("mode", ["reverse", "forward", "paths"])
def test_trace_sums_equal_the_gradient(text, at, mode):
    g = graphdiff.loads(text)
    r = grad(g, at, mode=mode, trace=True)
    steps = [s.to_dict() for s in r.trace]
    assert steps
    for step in steps:  # each sum is the sum of its terms' products
        assert math.isclose(step["sum"], math.fsum(t["product"] for t in step["terms"]), rel_tol=1e-12, abs_tol=1e-15)
    # the last word on each input (reverse) or output (forward) is the Jacobian entry
    for o in r.outputs:
        for i in r.inputs:
            if mode in ("reverse", "paths"):
                row = [s for s in steps if s["seed"] == g.names[o] and s["node"] == g.names[i]]
            else:
                row = [s for s in steps if s["seed"] == g.names[i] and s["node"] == g.names[o]]
            want = r.jacobian[o][i]
            assert len(row) <= 1
            assert (row[0]["sum"] if row else 0.0) == pytest.approx(want, rel=1e-12, abs=1e-15)
    # and the gradient agrees with an independent sweep in the other direction
    other = grad(g, at, mode="forward" if mode == "reverse" else "reverse")
    for o in r.outputs:
        for i in r.inputs:
            assert r.jacobian[o][i] == pytest.approx(other.jacobian[o][i], rel=1e-12, abs=1e-15)


def test_trace_text_reads_like_the_essay():
    g = graphdiff.loads("c = a + b; d = b + 1; e = c * d")
    steps = grad(g, {"a": 2, "b": 1}, trace=True).trace
    assert "de/db = de/dc·∂c/∂b + de/dd·∂d/∂b = 2·1 + 3·1 = 5" in [s.text() for s in steps]
