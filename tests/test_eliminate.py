"""Vertex elimination: every order's Jacobian equals reverse mode's (every sample, hypothesis-generated
graphs), the counts follow the model (|P|·|S| multiplications a vertex, an addition per existing edge, merges
apart), the optimal order is the least of all orders (against brute force on small graphs, and its lower bound
never above what is left to pay), the anneal finds what evaluating every order whole finds, and the command
line speaks the issue's JSON and messages."""
from __future__ import annotations

import itertools
import json
import math
import random
import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings

import graphdiff
from graphdiff.cli import main
from graphdiff.analyses import eliminate as elim
from graphdiff.analyses.eliminate import ORDERS, Budget, eliminate, lower_bound, order_costs, read_order
from graphdiff.language.gen import generate

from .conftest import ROOT
from .strategies import programs

SAMPLES = sorted((ROOT / "samples").glob("*.gd"))


def _agree(g, at, order):
    r = graphdiff.grad(g, at)
    e = eliminate(g, at, order=order, budget=300)  # anneal: a short search (the default is 50,000 orders)
    for o in e.outputs:
        for i in e.inputs:
            assert math.isclose(e.jacobian[o][i], r.jacobian[o][i], rel_tol=1e-12, abs_tol=1e-14), (order, o, i)
    return e


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("order", [o for o in ORDERS])
def test_every_order_gives_reverse_modes_jacobian_on_every_sample(path, order):
    _agree(graphdiff.load(str(path)), {}, order)  # optimal too: rnn's 17 intermediates were refused above 16


@settings(max_examples=60, deadline=None)
@given(programs(max_nodes=9))
def test_hypothesis_graphs_every_order_and_the_optimum_is_least(prog):
    text, values = prog
    g = graphdiff.loads(text)
    costs = {}
    for order in ORDERS:
        e = _agree(g, values, order)
        costs[order] = e.multiplications
    assert costs["optimal"] == min(costs.values())
    assert costs["anneal"] <= min(costs["reverse"], costs["markowitz"], costs["min-fill"])


def test_the_optimum_is_the_least_over_every_permutation():
    g = graphdiff.loads("y = sin(x) * x + exp(x * z); w = y * cos(z) + (x * z) * y")
    e = eliminate(g, order="optimal", values=False)
    names = [s for s in eliminate(g, order="forward", values=False).order]
    best = min(eliminate(g, order=list(p), values=False).multiplications for p in itertools.permutations(names))
    assert len(names) == 8 and e.multiplications == best


def test_the_model_counts_on_the_essays_example():
    g = graphdiff.load(str(ROOT / "samples" / "backprop.gd"))
    e = eliminate(g, order="forward")
    d = e.to_dict()
    assert d["order"] == ["c", "d"] and d["jacobian"] == {"e": {"a": 2.0, "b": 5.0}}
    # c: preds a, b; succ e: 2 products (a → e, b → e new); d: pred b, succ e: 1 product, added to b → e
    assert d["steps"] == [{"eliminated": "c", "multiplications": 2, "additions": 0, "fill_in": [["a", "e"], ["b", "e"]]},
                          {"eliminated": "d", "multiplications": 1, "additions": 1, "fill_in": []}]
    assert d["operations"] == {"multiplications": 3, "additions": 1, "merge_additions": 0}


def test_diamonds_markowitz_beats_both_modes_orders():
    g = graphdiff.load(str(ROOT / "samples" / "diamond.gd"))
    c = order_costs(g)
    assert c["markowitz"][0] == 7 < c["forward"][0] == c["reverse"][0] == 9 and c["optimal"] == c["markowitz"]


def test_parallel_edges_merge_first_and_are_counted_apart():
    e = eliminate(graphdiff.loads("y = x * x + x"), {"x": 3})
    assert e.merge_additions == 1 and e.jacobian[e.outputs[0]][e.inputs[0]] == 7.0


def test_an_output_other_nodes_use_stands_as_a_copy():
    g = graphdiff.loads("input a = 2, b = 3\nc = a * b\nd = sin(c) * a\noutput c, d")
    for order in ORDERS:
        e = _agree(g, {}, order)
        assert e.output_copies == ["c"] and "c" in e.order


def test_explicit_orders_are_checked():
    g = graphdiff.load(str(ROOT / "samples" / "backprop.gd"))
    assert eliminate(g, order=["d", "c"]).order == ["d", "c"]
    with pytest.raises(graphdiff.InputError, match="uneliminated: d"):
        eliminate(g, order=["c"])
    with pytest.raises(graphdiff.InputError, match="not an intermediate"):
        eliminate(g, order=["a", "c", "d"])


def test_max_fill_refuses_with_the_figure():
    g = graphdiff.loads(generate("mlp", layers=[6, 6, 2], seed=1))
    with pytest.raises(graphdiff.InputError, match="more than --max-fill 50"):
        eliminate(g, order="forward", max_edges=50)


def test_markowitz_scales():
    g = graphdiff.loads(generate("chain", length=5_000, seed=1))
    e = eliminate(g, order="markowitz", record=False)
    assert len(e.inputs) == 5_002 and e.multiplications > 0


def test_cli_json_trace_and_check(tmp_path):
    path = str(ROOT / "samples" / "backprop.gd")
    r = CliRunner().invoke(main, ["eliminate", path, "--order", "c,d", "--format", "json"])
    d = json.loads(r.stdout)
    assert set(d) >= {"order", "jacobian", "operations", "steps"} and d["order"] == ["c", "d"]
    t = CliRunner().invoke(main, ["eliminate", path, "--order", "forward", "--trace"])
    assert "∂e/∂c·∂c/∂a = 2·1" in t.stdout and "a → e" in t.stdout
    bad = CliRunner().invoke(main, ["eliminate", path, "--order", "nope"])
    assert bad.exit_code == 2 and "no node named 'nope'" in bad.output
    chk = json.loads(CliRunner().invoke(main, ["check", path, "--format", "json"]).stdout)
    assert "elimination" in chk["methods"] and chk["ok"]
    cost = json.loads(CliRunner().invoke(main, ["cost", path, "--format", "json"]).stdout)
    assert cost["elimination"]["markowitz"] == {"multiplications": 3, "additions": 1, "operations": 4}


def test_draw_after_k_eliminations_marks_the_fill_in():
    r = CliRunner().invoke(main, ["draw", str(ROOT / "samples" / "backprop.gd"), "--eliminate", "forward", "--step", "1"])
    assert r.exit_code == 0
    assert "after 1 of 2 eliminations" in r.stdout and r.stdout.count("penwidth=2.2") == 2  # a → e, b → e
    assert 'n0 -> n3 [label="2"' in r.stdout and "c = a + b" not in r.stdout
    done = CliRunner().invoke(main, ["draw", str(ROOT / "samples" / "diamond.gd"), "--eliminate", "markowitz"])
    assert "after 7 of 7" in done.stdout and '[label="42.6"' in done.stdout  # the Jacobian, one edge x → z
    bad = CliRunner().invoke(main, ["draw", str(ROOT / "samples" / "backprop.gd"), "--eliminate", "forward", "--step", "5"])
    assert bad.exit_code == 2 and "has 2 steps" in bad.output


def test_erf_in_every_method():
    g = graphdiff.loads("input x = 0.3, s = 1.2\ncdf = (1 + erf(x / (s * sqrt(2)))) / 2\noutput cdf")
    assert graphdiff.check(g).ok
    assert math.isclose(graphdiff.evaluate(g)["cdf"], 0.5 * (1 + math.erf(0.3 / (1.2 * math.sqrt(2)))))


def test_anneal_beats_alphagrads_orders_on_the_published_functions():
    """The search starts from the best heuristic and, with its default budget and fixed seed, finds orders
    below the ones AlphaGrad's code records (replayed: 320 on RoeFlux_1d, 254 on RobotArm_6DOF)."""
    path = ROOT / "samples" / "published"
    for name, theirs in (("roeflux_1d_320", 320), ("robotarm_6dof_254", 254)):
        g = graphdiff.load(str(path / f"{name.rsplit('_', 1)[0]}.gd"))
        order = read_order(str(path / "orders" / f"{name}.txt"))
        assert eliminate(g, order=order, values=False).multiplications == theirs
        a = eliminate(g, order="anneal", budget=20_000)
        assert a.multiplications < theirs and a.order == eliminate(g, order="anneal", budget=20_000, values=False).order
        r = graphdiff.grad(g)
        assert all(math.isclose(a.jacobian[o][i], r.jacobian[o][i], rel_tol=1e-12, abs_tol=1e-15)
                   for o in a.outputs for i in a.inputs)


def test_with_respect_to_computed_nodes_is_refused_and_names_with_commas_split_right():
    from graphdiff.analyses.eliminate import split_order

    g = graphdiff.load(str(ROOT / "samples" / "backprop.gd"))
    with pytest.raises(graphdiff.InputError, match="computed from others"):
        eliminate(g, wrt=["b", "c"])
    assert split_order("max(a, b),c, x[3]") == ["max(a, b)", "c", "x[3]"]
    r = CliRunner().invoke(main, ["eliminate", "-e", "input a = 1, b = 2; c = max(a, b) * a; y = c * b",
                                  "--order", "max(a, b),c", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["order"] == ["max(a, b)", "c"]


# ---- Issue 21, item 5: what --order says, names in any case, orders from a file, --max-work's advice ---------

ESSAY = "input a = 1, b = 2; c = a + b; d = c * b; e = d + c"  # intermediates c and d
CHOICES = ("(the orders: forward, reverse, markowitz, min-fill, optimal, anneal; or the intermediates' names, "
           "--order c,d; or a file of them, --order @FILE)")
PUBLISHED = ROOT / "samples" / "published"


def _run(*args):
    return CliRunner().invoke(main, ["eliminate", *args])


def test_an_intermediate_listed_twice_is_said_to_be():
    r = _run("-e", "c = a + b; d = c * b; e = d + c", "--order", "c,d,c")  # said before the values are asked for
    assert r.exit_code == 2
    assert r.stderr == "graphdiff: error: --order lists 'c' twice: each intermediate is eliminated once\n"
    r = _run("-e", ESSAY, "--order", "c,d,c,c")
    assert r.exit_code == 2
    assert r.stderr == "graphdiff: error: --order lists 'c' 3 times: each intermediate is eliminated once\n"


@pytest.mark.parametrize("text,name", [("Markowitz", "markowitz"), ("MARKOWITZ", "markowitz"), ("minfill", "min-fill"),
                                       ("min_fill", "min-fill"), ("Min-Fill", "min-fill"), ("Reverse", "reverse")])
def test_order_names_in_any_case_and_min_fill_spelled_without_its_hyphen(text, name):
    r = _run("-e", ESSAY, "--order", text, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["order_name"] == name
    assert eliminate(graphdiff.loads(ESSAY), order=text).order_name == name


def test_a_name_that_is_no_order_gets_the_nearest_order_and_the_list():
    r = _run("-e", ESSAY, "--order", "markowtz")
    assert r.exit_code == 2
    assert r.stderr == f"graphdiff: error: --order markowtz: no such order; did you mean 'markowitz'? {CHOICES}\n"
    assert "did you mean 'optimal'?" in _run("-e", ESSAY, "--order", "optimum").stderr
    r = _run("-e", ESSAY, "--order", "nope")
    assert r.exit_code == 2
    assert r.stderr == f"graphdiff: error: --order nope: not an order, and no node named 'nope' in <expr> {CHOICES}\n"
    r = _run("-e", ESSAY, "--order", "e2")
    assert r.stderr == (f"graphdiff: error: --order e2: not an order, and no node named 'e2' in <expr>; did you mean "
                        f"'e'? {CHOICES}\n")
    # a node of the program is a node, though an order has its name in another case; a comma makes any name a list
    named = "input x = 1; Reverse = sin(x); forward = Reverse * 2; y = forward + x"
    assert json.loads(_run("-e", named, "--order", "forward,Reverse", "--format", "json").stdout)["order"] == [
        "forward", "Reverse"]
    r = _run("-e", named, "--order", "Reverse", "--format", "json")
    assert r.exit_code == 2 and "--order leaves 1 intermediate uneliminated: forward" in r.stderr


def test_max_work_names_a_cheaper_order_that_fits_or_says_none_does():
    r = _run("-e", ESSAY, "--max-work", "1")
    assert r.exit_code == 2 and r.stderr == (
        "graphdiff: error: markowitz order passes --max-work 1 when it eliminates d (vertex 1 of 2, 2 multiplications "
        "so far); no other order counted (forward, reverse, min-fill) stays within 1 multiplication: raise "
        "--max-work\n")
    r = _run("-e", ESSAY, "--max-work", "4", "--order", "forward")
    assert r.exit_code == 2 and r.stderr == (
        "graphdiff: error: forward order passes --max-work 4 when it eliminates d (vertex 2 of 2, 6 multiplications "
        "so far); reverse order takes 4 multiplications: use --order reverse, or raise --max-work\n")
    r = _run("-e", ESSAY, "--max-work", "4", "--order", "c,d")
    assert r.stderr.startswith("graphdiff: error: the order given passes --max-work 4 when it eliminates d")
    assert _run("-e", ESSAY, "--max-work", "4").exit_code == 0  # markowitz: 4


def test_an_order_from_a_file_with_comments_new_lines_and_commas(tmp_path):
    f = tmp_path / "order.txt"
    f.write_text("# the essay's example, last first\nd  # the product\n\nc,\n")
    r = _run(str(ROOT / "samples" / "backprop.gd"), "--order", f"@{f}", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["order"] == ["d", "c"]
    none = tmp_path / "none.txt"
    r = _run(str(ROOT / "samples" / "backprop.gd"), "--order", f"@{none}")
    assert r.exit_code == 2 and r.stderr == f"graphdiff: error: --order @{none}: No such file or directory\n"
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    r = _run(str(ROOT / "samples" / "backprop.gd"), "--order", f"@{empty}")
    assert r.exit_code == 2 and r.stderr == (f"graphdiff: error: --order @{empty}: no names in it (names separated by "
                                             "commas or new lines; # starts a comment)\n")


@pytest.mark.parametrize("path", sorted((PUBLISHED / "orders").glob("*_*.txt")), ids=lambda p: p.stem)
def test_every_recorded_order_replays_to_the_count_its_name_ends_in(path):
    stem, count = path.stem.rsplit("_", 1)
    r = _run(str(PUBLISHED / f"{stem.removesuffix('_anneal')}.gd"), "--order", f"@{path}", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["operations"]["multiplications"] == int(count)


def test_the_recorded_anneal_order_is_the_one_the_anneal_finds():
    g = graphdiff.load(str(PUBLISHED / "roeflux_1d.gd"))
    found = eliminate(g, order="anneal", values=False, budget=50_000)
    assert found.order == read_order(str(PUBLISHED / "orders" / "roeflux_1d_anneal_295.txt"))
    assert found.search.stopped == "converged"  # well within the default budget's 50,000 orders


# ---- Issue 21, item 6: the optimum by branch and bound, its lower bound, what is recommended instead --------

def _program(rng: random.Random, n_ops: int) -> str:
    """A random program: each operation reads one or two earlier values (recent ones more often); the outputs are
    the values nothing reads."""
    names = [f"x{i}" for i in range(rng.randint(1, 4))]
    lines, read = [], set()
    for k in range(n_ops):
        a = rng.choice(names[-6:] if rng.random() < 0.6 else names)
        if rng.random() < 0.3:
            lines.append(f"v{k} = sin({a})")
            read.add(a)
        else:
            b = rng.choice(names)
            lines.append(f"v{k} = {a} {rng.choice('+*-')} {b}")
            read |= {a, b}
        names.append(f"v{k}")
    return "\n".join(lines) + "\noutput " + ", ".join(n for n in names if n.startswith("v") and n not in read)


def _graphs(seed: int, sizes, each: int):
    """``each`` random graphs with every number of intermediates in ``sizes``."""
    rng = random.Random(seed)
    for m in sizes:
        found = 0
        while found < each:
            g = graphdiff.loads(_program(rng, m + rng.randint(1, 5)))
            if len(elim._State(g, None, g.inputs, g.outputs, 10**9).intermediates) == m:
                found += 1
                yield g


def _least(g):
    """least(done): the fewest multiplications that eliminating the intermediates left after the set ``done``
    (bit k: the k-th intermediate) can take, by dynamic programming over every set: the oracle, with no bound."""
    st = elim._State(g, None, g.inputs, g.outputs, 10**9)
    nodes = list(st.pred)
    at = {v: j for j, v in enumerate(nodes)}
    pred0 = [sum(1 << at[u] for u in st.pred[v]) for v in nodes]
    succ0 = [sum(1 << at[u] for u in st.succ[v]) for v in nodes]
    inter = [at[v] for v in st.intermediates]
    full = (1 << len(inter)) - 1
    memo: dict[int, int] = {}

    def gone(pred, succ, v):
        pred, succ = pred[:], succ[:]
        for j in range(len(nodes)):
            if succ[j] >> v & 1:
                succ[j] = succ[j] & ~(1 << v) | succ[v]
            if pred[j] >> v & 1:
                pred[j] = pred[j] & ~(1 << v) | pred[v]
        pred[v] = succ[v] = 0
        return pred, succ

    def least(done, pred, succ):
        if done not in memo:
            memo[done] = 0 if done == full else min(
                bin(pred[v]).count("1") * bin(succ[v]).count("1") + least(done | 1 << k, *gone(pred, succ, v))
                for k, v in enumerate(inter) if not done >> k & 1)
        return memo[done]

    least(0, pred0, succ0)
    return lambda done: memo[done], [st.names[v] for v in st.intermediates]


def test_the_proven_optimum_is_the_least_over_every_order_up_to_12_intermediates():
    sizes = []
    for g in _graphs(21, range(2, 13), 3):
        least, names = _least(g)
        r = eliminate(g, order="optimal", values=False, budget=200_000)
        assert r.search.proven and r.multiplications == r.search.lower_bound == least(0), g.text
        sizes.append(len(names))
    assert max(sizes) == 12


def test_the_lower_bound_is_never_above_what_is_left_to_pay():
    """On every set of eliminated intermediates of small random graphs: the bound the search reads (counted before
    it, or after a part of the set), and the bound counted afresh (:func:`lower_bound`), are at most the least
    that eliminating the rest can take."""
    rng = random.Random(5)
    for g in _graphs(13, range(3, 10), 3):
        least, names = _least(g)
        search = elim._BranchAndBound(elim._Bits(elim._State(g, None, g.inputs, g.outputs, 10**9)))
        for done in range(1 << len(names)):
            part = done & rng.getrandbits(len(names))
            assert search.bound(done) <= least(done) and search.bound(done, part) <= least(done), (g.text, done)
            if len(names) <= 6:
                assert lower_bound(g, [n for k, n in enumerate(names) if done >> k & 1]) <= least(done)
        assert search.bound() <= least(0)


def test_a_vertex_the_search_eliminates_first_is_first_in_some_optimal_order():
    """One joined to a single end on one side and to a single node on the other: eliminating it first never
    costs more than the least over every order (the search tries no other first step there)."""
    seen = 0
    for g in _graphs(8, range(3, 10), 3):
        least, names = _least(g)
        search = elim._BranchAndBound(elim._Bits(elim._State(g, None, g.inputs, g.outputs, 10**9)))
        for done in range(1 << len(names)):
            pred, succ, left, _ = search.graph(done)
            j = search.first(pred, succ, left)
            if j is not None:
                seen += 1
                assert least(done) == 1 + least(done | 1 << search.pos[j]), (g.text, done)
    assert seen > 100


def test_optimal_proves_rnn_black_scholes_and_an_mlp_beyond_the_old_limit_of_16():
    from graphdiff.views.report import eliminate_report

    r = _run(str(ROOT / "samples" / "rnn.gd"), "--order", "optimal", "--format", "json")
    d = json.loads(r.stdout)
    assert r.exit_code == 0 and d["operations"]["multiplications"] == 29 and len(d["order"]) == 17
    assert {k: d["optimal"][k] for k in ("proven", "lower_bound", "explored", "stopped", "reproducible", "start")} == {
        "proven": True, "lower_bound": 29, "explored": 0, "stopped": "proven", "reproducible": True,
        "start": {"order": "reverse", "multiplications": 29}}
    e = eliminate(graphdiff.load(str(ROOT / "samples" / "rnn.gd")), order="optimal")
    assert re.fullmatch(r"Optimal: no order takes fewer than 29 multiplications \(the lower bound alone proves "
                        r"reverse order's 29 optimal, in .+ s\)\.", eliminate_report(e).notes[-1])
    for g, m, least in ((graphdiff.load(str(PUBLISHED / "blackscholes.gd")), 29, 42),
                        (graphdiff.loads(generate("mlp", layers=[4, 4, 1], seed=1)), 31, 71)):
        r = eliminate(g, order="optimal", values=False)
        assert len(r.order) == m and r.multiplications == least and r.search.proven


def test_a_refused_search_recommends_the_cheapest_order_counted(monkeypatch):
    """rnn.gd: Markowitz takes 40 multiplications, reverse 29; the advice was Markowitz."""
    from graphdiff.views.report import cost_report

    monkeypatch.setattr(elim, "OPTIMAL_MAX", 16)
    g = graphdiff.load(str(ROOT / "samples" / "rnn.gd"))
    with pytest.raises(graphdiff.InputError) as e:
        eliminate(g, order="optimal", values=False)
    assert e.value.message == ("the optimal order is searched for up to 16 intermediates; this selection has 17: the "
                               "cheapest order counted is reverse, 29 multiplications (forward 85, markowitz 40, "
                               "min-fill 39): use --order reverse, or --order anneal to search below it")
    c = graphdiff.cost(g)
    assert c.elimination["optimal"] == e.value.message
    assert list(cost_report(c).notes)[-1] == f"Elimination in optimal order not counted: {e.value.message}"


def test_cost_counts_the_optimum_where_it_refused_and_says_when_it_is_not_proven():
    from graphdiff.views.report import cost_report

    c = json.loads(CliRunner().invoke(main, ["cost", str(ROOT / "samples" / "rnn.gd"), "--format", "json"]).stdout)
    assert c["elimination"]["optimal"] == {"multiplications": 29, "additions": 5, "operations": 34}  # keys as before
    rep = cost_report(graphdiff.cost(graphdiff.load(str(PUBLISHED / "roeflux_1d.gd"))))
    optimal = [row for row in rep.tables[0].rows if row[0].startswith("elimination, optimal")]
    assert [row[0] for row in optimal] == ["elimination, optimal (not proven)"]
    data = rep.json()["elimination"]["optimal"]
    assert data["proven"] is False and data["lower_bound"] < data["multiplications"] <= 364  # reverse
    assert rep.notes[-1].startswith("Not proven optimal: the search explored 1,000 sets of eliminated vertices in ")
    assert rep.notes[-1].endswith("it stopped at its budget of 1,000 sets, the same place every run (graphdiff "
                                  "eliminate --order optimal searches longer).")


def test_a_search_stopped_by_its_budget_gives_the_best_order_found_and_the_bound_proven():
    from graphdiff.views.report import eliminate_report

    r = eliminate(graphdiff.load(str(PUBLISHED / "roeflux_1d.gd")), order="optimal", values=False, budget=300)
    s = r.search
    assert (s.proven, s.stopped, s.tried, s.reproducible, s.start) == (False, "evaluations", 300, True, "anneal")
    assert s.lower_bound == 249 and r.multiplications == s.start_multiplications == 324
    assert re.fullmatch(r"Not proven optimal: the search explored 300 sets of eliminated vertices in .+ s from the "
                        r"anneal's 324; the best order found takes 324 multiplications, and no order takes fewer than "
                        r"249; it stopped at its budget of 300 sets, the same place every run \(--budget 600 searches "
                        r"longer\)\.", eliminate_report(r).notes[-1])
    assert set(r.to_dict()["optimal"]) == {"proven", "lower_bound", "explored", "seconds", "stopped", "budget",
                                           "reproducible", "start"}


# ---- Issue 21, item 7: the anneal's budget, what it did, progress ---------------------------------------------

def _anneal_whole(g, budget: int) -> list[str]:
    """The anneal as it was before its moves were evaluated piece by piece: every order evaluated whole."""
    st = elim._State(g, None, g.inputs, g.outputs, 10**9)
    pred0 = {v: set(p) for v, p in st.pred.items()}
    succ0 = {v: set(q) for v, q in st.succ.items()}

    def cost(order):
        pred = {v: set(p) for v, p in pred0.items()}
        succ = {v: set(q) for v, q in succ0.items()}
        m = 0
        for v in order:
            P, S = pred.pop(v), succ.pop(v)
            m += len(P) * len(S)
            for i in P:
                succ[i].discard(v)
                succ[i] |= S
            for k in S:
                pred[k].discard(v)
                pred[k] |= P
        return m

    starts = [[g.node(n) for n in eliminate(g, order=how, values=False).order]
              for how in ("reverse", "markowitz", "min-fill")]
    cur = min(starts, key=cost)
    cur_cost = cost(cur)
    best, best_cost = cur[:], cur_cost
    rng = random.Random(elim.ANNEAL_SEED)
    temp = 2.0
    for _ in range(budget):
        a, b = rng.randrange(len(cur)), rng.randrange(len(cur))
        new = cur[:]
        new.insert(b, new.pop(a))
        c = cost(new)
        if c <= cur_cost or rng.random() < math.exp((cur_cost - c) / temp):
            cur, cur_cost = new, c
            if c < best_cost:
                best, best_cost = new[:], c
        temp = max(0.05, temp * 0.9995)
    return [g.names[v] for v in best]


@pytest.mark.parametrize("name,budget", [("human_heart_dipole", 2_500), ("robotarm_6dof", 1_500)])
def test_the_anneal_finds_what_evaluating_every_order_whole_finds(name, budget):
    g = graphdiff.load(str(PUBLISHED / f"{name}.gd"))
    assert eliminate(g, order="anneal", values=False, budget=budget).order == _anneal_whole(g, budget)


def test_anneal_says_what_it_did_and_a_budget_in_orders_gives_the_same_order_every_run():
    from graphdiff.views.report import eliminate_report

    path = str(PUBLISHED / "roeflux_1d.gd")
    r = _run(path, "--order", "anneal", "--budget", "3000", "--format", "json")
    d = json.loads(r.stdout)
    assert r.exit_code == 0 and r.stderr == ""  # no progress shown: standard error is not a terminal
    assert {k: d["search"][k] for k in ("orders_tried", "seed", "stopped", "reproducible", "budget", "start")} == {
        "orders_tried": 3000, "seed": 1, "stopped": "evaluations", "reproducible": True,
        "budget": {"evaluations": 3000, "seconds": None}, "start": {"order": "reverse", "multiplications": 364}}
    assert isinstance(d["search"]["seconds"], float) and set(d) >= {"order", "jacobian", "operations", "steps"}
    again = _run(path, "--order", "anneal", "--budget", "3000", "--format", "json")
    assert json.loads(again.stdout)["order"] == d["order"]
    e = eliminate(graphdiff.load(path), order="anneal", values=False, budget=3000)
    assert e.order == d["order"] and re.fullmatch(
        rf"The anneal tried 3,000 orders in .+ s \(seed 1\) from reverse order's 364 multiplications, down to "
        rf"{e.multiplications}; it stopped at its budget of 3,000 orders, the same order every run \(--budget 6000 "
        r"searches longer\)\.", eliminate_report(e).notes[-1])


def test_a_time_budget_stops_the_anneal_and_says_another_run_may_stop_elsewhere():
    from graphdiff.views.report import eliminate_report

    e = eliminate(graphdiff.load(str(PUBLISHED / "roeflux_1d.gd")), order="anneal", values=False,
                  budget=Budget.parse("0.3s"))
    s = e.search
    assert (s.stopped, s.reproducible, s.budget) == ("time", False, Budget(seconds=0.3))
    assert s.tried < 35_280  # where it converges, counting orders
    assert eliminate_report(e).notes[-1].endswith(
        "; it stopped at its time budget, 0.3 s: another run, or another machine, may stop elsewhere (--budget 0.6s "
        "searches longer; a budget in orders, such as --budget 50000, stops at the same place every run).")


def test_the_default_budget_is_orders_or_seconds_and_the_anneal_stops_when_it_converges():
    g = graphdiff.load(str(ROOT / "samples" / "rnn.gd"))
    assert eliminate(g, order="anneal", values=False).search.budget == Budget(50_000, 4.0)
    s = eliminate(g, order="anneal", values=False, budget=50_000).search
    # reverse order is optimal here: once at its floor temperature, 25,000 orders in a row find nothing better
    assert (s.stopped, s.tried, s.start, s.start_multiplications) == ("converged", 25_000, "reverse", 29)
    r = _run("-e", ESSAY, "--order", "anneal", "--budget", "abc")
    assert r.exit_code == 2 and r.stderr == ("graphdiff: error: --budget 'abc': expected a number of evaluations "
                                             "(20000) or of seconds (30s)\n")


def test_the_searches_tell_a_progress_callback_and_print_nothing():
    g = graphdiff.load(str(PUBLISHED / "roeflux_1d.gd"))
    for order, budget in (("anneal", 3000), ("optimal", 1200)):
        calls = []
        eliminate(g, order=order, values=False, budget=budget, progress=lambda done, total: calls.append((done, total)))
        assert len(calls) >= 2 and calls[-1] == (budget, budget)
        assert all(0 <= done < total == budget for done, total in calls[:-1])


@pytest.mark.parametrize("program, kind", [("r = sqrt(x); y = r * 2", "inf"), ("r = sqrt(x); y = r * r", "NaN")])
def test_eliminate_follows_grads_rule_for_what_float64_cannot_carry(program, kind):
    """A Jacobian entry float64 cannot carry is the same error as grad's, at the user's node, exit 1; --ieee
    prints the IEEE value instead, with the same number grad --ieee gives."""
    args = ["-e", program, "--set", "x=0"]
    e = CliRunner().invoke(main, ["eliminate", *args])
    g = CliRunner().invoke(main, ["grad", *args])
    assert e.exit_code == g.exit_code == 1
    assert f"∂y/∂x is {kind}" in e.stderr and "node 'r' (line 1)" in e.stderr
    assert e.stderr == g.stderr and "Traceback" not in e.stderr
    ie = json.loads(CliRunner().invoke(main, ["eliminate", *args, "--ieee", "--format", "json"]).stdout)
    ig = json.loads(CliRunner().invoke(main, ["grad", *args, "--ieee", "--format", "json"]).stdout)
    assert ie["jacobian"]["y"]["x"] == ig["jacobian"]["y"]["x"] == ("Infinity" if kind == "inf" else "NaN")
    with pytest.raises(graphdiff.ComputeError, match=f"is {kind}"):
        eliminate(graphdiff.loads(program), {"x": 0.0})
