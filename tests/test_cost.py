"""Operation counts: pinned on the essay and on wide, deep and diamond graphs, and equal to what the sweeps do."""
import pytest

import graphdiff
from graphdiff import Operations, cost, grad, loads


def test_essay_counts(backprop):
    c = cost(backprop)
    assert c.reverse == Operations(1, 5, 1)
    assert c.forward == Operations(2, 6, 1)
    assert c.paths == Operations(0, 3, 1) and c.path_count == 3 and c.connected_pairs == 2


@pytest.mark.parametrize("text", [
    "c = a + b; d = b + 1; e = c * d",
    "y = 2*x + sin(x) + x^2; z = 3*y + cos(y) + y^3",
    "u = a * b; v = u * u + a; w = v * u; z = w + b",
    "input x[6] = 0.5; s = sum(x); m = max(x); p = s * m",
    "k = 2; y = x * k; z = y + x",
])
def test_counts_equal_what_the_sweeps_do(text):
    g = loads(text)
    c = cost(g)
    vals = {g.names[i]: 0.3 for i in g.inputs}
    assert grad(g, vals, mode="reverse").operations == c.reverse
    assert grad(g, vals, mode="forward").operations == c.forward
    assert grad(g, vals, mode="paths").operations == c.paths


def wide_tree(n):
    """n inputs summed pairwise: n - 1 additions nodes, 2(n - 1) edges, depth log2 n."""
    lines, level = [], [f"x{i}" for i in range(n)]
    k = 0
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level) - 1, 2):
            lines.append(f"s{k} = {level[i]} + {level[i + 1]}")
            nxt.append(f"s{k}")
            k += 1
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return "\n".join(lines)


def test_wide_graph_reverse_wins():
    g = loads(wide_tree(64))
    c = cost(g)
    assert c.reverse == Operations(1, 126, 0)
    assert c.forward == Operations(64, 64 * 6, 0)  # each input's sweep climbs the 6 levels
    assert c.cheapest() == "reverse"


def test_one_input_many_outputs_forward_wins():
    g = loads("\n".join(f"y{i} = sin({i + 1} * t)" for i in range(50)))
    c = cost(g)
    assert c.forward == Operations(1, 100, 0) and c.reverse == Operations(50, 100, 0)

    assert c.sentences()[0].startswith("Forward mode wins: 1 sweep against reverse mode's 50")


def test_deep_chain_counts():
    n = 1000
    g = loads("\n".join(f"h{i + 1} = tanh(w * h{i})" for i in range(n)))
    c = cost(g)
    # reverse: 3 edges a stage (w and h into the product, product into tanh); every w contribution adds
    assert c.reverse == Operations(1, 3 * n, n - 1)
    # forward from h0 visits 2 edges a stage; from w every edge but h0's
    assert c.forward.sweeps == 2 and c.forward.multiplications == 2 * n + 3 * n - 1


def test_diamond_paths_cost_is_exponential():
    k = 40
    g = loads("\n".join(["input x0 = 0.5"] + [f"x{i + 1} = 0.4 * (0.5 * x{i} + tanh(x{i}) + sin(x{i}))" for i in range(k)]))
    c = cost(g)
    assert c.path_count == 3 ** k
    # a stage has 7 edges: x into 0.5*x, tanh and sin; those three into the sum; the sum into 0.4 * (...)
    assert c.reverse == Operations(1, 7 * k, 2 * k)  # three contributions meet at every x: 2 additions
    assert c.paths.additions == 3 ** k - 1


COUNT_PROGRAMS = [
    "c = a + b; d = b + 1; e = c * d",
    "u = a * b; v = u * u + a; w = v * u; z = w + b; output w, z",
    "input x[6] = 0.5; s = sum(x); m = max(x); p = s * m; q = p * x[2]; output p, q",
    "k = 2; y = x * k; z = y + x",
    "y0 = sin(t); y1 = 2 * t; y2 = y0 * y1; y3 = y2 + u",
]


@pytest.mark.parametrize("text", COUNT_PROGRAMS)
def test_passes_of_one_seed_count_what_passes_of_many_count(monkeypatch, text):
    import importlib

    reach = importlib.import_module("graphdiff.sweeps.reach")
    g = loads(text)
    want = cost(g)
    monkeypatch.setattr(reach, "reach_chunk", lambda n: 1)  # one seed a pass, on both sides
    got = cost(g)
    assert (got.forward, got.reverse, got.paths, got.path_count, got.connected_pairs) == (
        want.forward, want.reverse, want.paths, want.path_count, want.connected_pairs)
    pairs = sum(1 for o in g.outputs for i in g.inputs if graphdiff.count_paths(g, i, o) and i != o)
    assert got.connected_pairs == pairs


@pytest.mark.parametrize("text", COUNT_PROGRAMS + [wide_tree(300)])
def test_forward_visits_are_the_forward_multiplications(monkeypatch, text):
    from graphdiff.sweeps import accumulate as forward

    g = loads(text)
    want = grad(g, {g.names[i]: 0.4 for i in g.inputs}, mode="forward").operations.multiplications
    assert forward.forward_visits(g, g.inputs) == want == cost(g).forward.multiplications
    from graphdiff.sweeps import reach

    monkeypatch.setattr(reach, "reach_chunk", lambda n: 64)  # so that passes of 64 seeds split wide_tree(300)
    assert forward.forward_visits(g, g.inputs) == want
    if len(g.inputs) > 1:  # one input's count is made before it is known to pass the budget
        assert forward.forward_visits(g, g.inputs, budget=0) is None  # counting would take more edge steps


def test_cheapest_is_a_factored_mode_unless_paths_cost_something_and_less():
    from graphdiff.views.report import cost_report

    # one edge: the naive sum over its one path needs no operation; the ratios stay finite
    data = cost_report(cost(loads("y = sin(x)"))).json()
    assert data["cheapest"] == "reverse"
    assert {m: d["ratio"] for m, d in data["modes"].items()} == {"forward": 1.0, "reverse": 1.0, "paths": 0.0}
    # the essay: 4 operations summing over paths against 6 in reverse mode
    c = cost(loads("c = a + b; d = b + 1; e = c * d"))
    assert c.cheapest() == "paths"
    assert cost_report(c).json()["modes"]["forward"]["ratio"] == 7 / 4
    # forward: 55 operations (54 edges, 1 addition at u) against 250 summing over paths and 300 in reverse
    c = cost(loads("u = sin(t) + cos(t)\n" + "\n".join(f"y{i} = {i + 1} * u" for i in range(50))))
    assert (c.forward.total, c.paths.total, c.reverse.total, c.cheapest()) == (55, 250, 300, "forward")
    # a tie in operations goes to fewer sweeps (paths, with none, is not cheaper), and then to reverse
    assert cost(loads("y = a * b")).cheapest() == "reverse"
    assert cost(loads("y = sin(t); z = cos(t)")).cheapest() == "forward"
    assert cost(loads("y = sin(t)")).cheapest() == "reverse"


def test_cost_report_says_one_path_one_operation():
    from graphdiff.views.report import cost_report

    rep = cost_report(cost(loads("y = sin(x)")))
    assert [row[1:3] for row in rep.tables[0].rows][:3] == [[1, None], [1, None], [None, 1]]  # sweeps, paths
    assert [row[0] for row in rep.tables[0].rows][3:] == [f"elimination, {o}" for o in
                                                         ("forward", "reverse", "markowitz", "min-fill", "optimal")]
    assert list(rep.notes)[:2] == ["Forward and reverse mode cost the same here: 1 sweep and 1 operation each.",
                         "Summing over paths needs no operation here: the one path is a single edge."]
    rep = cost_report(cost(loads("y = 2 * x; z = y * 3; w = x + 1; output z, w")))
    assert list(rep.notes)[1] == "Summing over all 2 paths naively costs 1 operation (0.333× the cheaper factored mode)."


def test_many_long_sweeps_are_estimated_and_said(monkeypatch):
    """Counts that both exact methods would take more than the budget to make count a random sample of the
    seeds and scale it up, marked as such; without a budget, or within it, the counts are exact."""
    import importlib

    reach = importlib.import_module("graphdiff.sweeps.reach")
    from graphdiff.language.gen import generate
    from graphdiff.views.report import cost_report

    g = loads(generate("chain", length=2000, seed=1))
    monkeypatch.setattr(reach, "reach_chunk", lambda n: 128)  # 16 passes of 128 inputs
    exact = cost(g, budget=None)
    assert cost(g) == exact  # the default budget covers these 16 passes
    est = cost(g, budget=30_000)  # about 3 passes; a traversal per input, far more
    assert exact.counted == {} and exact.exact("forward")
    assert not est.exact("forward") and 0 < est.counted["forward"] < len(g.inputs)
    assert est.forward.sweeps == exact.forward.sweeps == len(g.inputs)
    assert est.reverse == exact.reverse and est.exact("reverse")
    assert abs(est.forward.multiplications - exact.forward.multiplications) < 0.15 * exact.forward.multiplications
    assert est.cheapest() == exact.cheapest() == "reverse"
    rep = cost_report(est)
    assert rep.json()["modes"]["forward"]["exact"] is False
    assert rep.json()["modes"]["forward"]["sweeps_counted"] == est.counted["forward"]
    assert rep.json()["modes"]["reverse"]["exact"] is True
    columns = rep.tables[0].columns
    forward, reverse = (dict(zip(columns, row)) for row in rep.tables[0].rows[:2])
    assert forward["multiplications"] == est.forward.multiplications  # numbers stay numbers (CSV, TSV)
    assert (forward["counts"], forward["sweeps counted"]) == ("estimate", est.counted["forward"])
    assert (reverse["counts"], reverse["sweeps counted"]) == ("exact", None)
    assert any("are estimates" in n and "--exact" in n for n in rep.notes)


def test_a_million_inputs_one_sum_is_counted_exactly_in_linear_time(monkeypatch):
    """The README's example: 10^6 forward sweeps of one edge each. Bitset passes would scan the 10^6 edges once
    per 4,096 inputs (2.4·10^8 steps); a traversal per sweep visits the 10^6 edges the sweeps visit, so the
    count is exact by default, and --exact takes no other way."""
    import importlib

    reach = importlib.import_module("graphdiff.sweeps.reach")
    g = loads("input x[1000000] = 0.5; y = sum(x)")

    passes = reach._bitset_passes

    def one_pass_at_most(g, chunks, *args):
        assert len(chunks) == 1, "bitset passes would scan 2.4e8 edges here"  # the one output's pass is fine
        return passes(g, chunks, *args)

    monkeypatch.setattr(reach, "_bitset_passes", one_pass_at_most)
    c = cost(g)
    assert c.exact("forward") and c.exact("reverse")
    assert c.forward == graphdiff.Operations(10 ** 6, 10 ** 6, 0)
    assert c.reverse == graphdiff.Operations(1, 10 ** 6, 0)
    assert "factor of 1,000,000 in sweeps" in c.sentences()[0]
    c = cost(loads("input x[100000] = 0.5; y = sum(x)"), budget=None)  # --exact
    assert c.exact("forward") and c.forward == graphdiff.Operations(10 ** 5, 10 ** 5, 0)


def test_an_estimate_counts_the_hubs_exactly(monkeypatch):
    """In a chain every step multiplies by the weight w: the one forward sweep from w carries every addition.
    A random sample would miss it; the estimate counts such hubs exactly and samples the rest."""
    import importlib

    monkeypatch.setattr(importlib.import_module("graphdiff.sweeps.reach"), "reach_chunk", lambda n: 128)
    g = loads(__import__("graphdiff.language.gen", fromlist=["generate"]).generate("chain", length=2000, seed=1))
    exact, est = cost(g, budget=None), cost(g, budget=30_000)
    assert not est.exact("forward")
    assert est.forward.additions == exact.forward.additions == 1999
