"""Paths: exact counts by dynamic programming, enumeration, products and their sum."""
import math

import networkx as nx
import pytest

import graphdiff
from graphdiff import count_paths, iter_paths, linearize, loads, path_matrix, path_sum
from graphdiff.sweeps.paths import path_lengths


def diamonds(k: int) -> str:
    return "\n".join(["input x0 = 0.5"] + [f"x{i + 1} = 0.4 * (0.5 * x{i} + tanh(x{i}) + sin(x{i}))" for i in range(k)])


def test_essay_two_paths_from_b(backprop):
    lin = linearize(backprop, {"a": 2, "b": 1})
    b, e = backprop.node("b"), backprop.node("e")
    paths = list(graphdiff.path_products(backprop, lin.partials, b, e))
    assert [[backprop.names[v] for v in p.nodes] for p in paths] == [["b", "c", "e"], ["b", "d", "e"]]
    assert [p.factors for p in paths] == [[1.0, 2.0], [1.0, 3.0]]
    assert [p.product for p in paths] == [2.0, 3.0]
    assert path_sum(backprop, lin.partials, b, e).total == 5.0


def test_essay_factoring_nine_paths():
    g = loads("y = 2*x + sin(x) + x^2; z = 3*y + cos(y) + y^3")
    x, y, z = g.node("x"), g.node("y"), g.node("z")
    assert count_paths(g, x, y) == 3 and count_paths(g, y, z) == 3 and count_paths(g, x, z) == 9
    lin = linearize(g, {"x": 0.5})
    ps = path_sum(g, lin.partials, x, z)
    # (α + β + γ)(δ + ε + ζ): the factored form equals the sum over the nine paths
    factored = path_sum(g, lin.partials, x, y).total * path_sum(g, lin.partials, y, z).total
    assert ps.count == 9 and ps.total == pytest.approx(factored, rel=1e-14)
    assert ps.total == pytest.approx(graphdiff.gradient(lin)[x], rel=1e-14)


def test_counts_agree_with_networkx_enumeration():
    g = loads("u = x * x + y; v = u * x + sin(u); w = v + u * y + v * v")
    G = g.to_networkx()
    for s in ("x", "y"):
        for t in ("u", "v", "w"):
            expected = sum(1 for _ in nx.all_simple_edge_paths(G, s, t))
            assert count_paths(g, g.node(s), g.node(t)) == expected
            assert len(list(iter_paths(g, g.node(s), g.node(t)))) == expected


def test_three_to_the_two_hundred_exactly():
    g = loads(diamonds(200))
    assert count_paths(g, 0, len(g) - 1) == 3 ** 200


def test_three_to_the_thousand_exactly_and_enumeration_is_lazy():
    g = loads(diamonds(1000))
    assert count_paths(g, 0, len(g) - 1) == 3 ** 1000
    first = next(iter_paths(g, 0, len(g) - 1))
    assert len(first) == 3 * 1000  # x -> 0.5*x -> sum -> next, per stage


def test_path_sum_equals_gradient_on_deep_diamonds():
    g = loads(diamonds(6))
    lin = linearize(g)
    assert path_sum(g, lin.partials, 0, len(g) - 1).total == pytest.approx(graphdiff.gradient(lin)[0], rel=1e-12)


def test_no_path_and_same_node():
    g = loads("c = a + 1; d = b + 1")
    assert count_paths(g, g.node("a"), g.node("d")) == 0
    assert count_paths(g, g.node("a"), g.node("a")) == 1
    assert list(iter_paths(g, g.node("a"), g.node("d"))) == []


def test_matrix_from_every_input_to_every_output():
    g = loads("c = a + b; d = b * b; e = c * d; f = d + 1")
    m = path_matrix(g)
    assert {g.names[o]: {g.names[i]: n for i, n in row.items()} for o, row in m.items()} == {
        "e": {"a": 1, "b": 3}, "f": {"a": 0, "b": 2}}


def test_path_lengths_dp():
    g = loads("y = 2*x + sin(x) + x^2; z = 3*y + cos(y) + y^3")
    n, total = path_lengths(g, [g.node("x")])
    z = g.node("z")
    assert n[z] == 9
    assert total[z] == sum(len(p) for p in iter_paths(g, g.node("x"), z))


@pytest.mark.parametrize("text,sources,targets", [
    ("c = a + b; d = b + 1; e = c * d", ["a", "b"], ["e"]),
    ("y = 2*x + sin(x) + x^2; z = 3*y + cos(y) + y^3", ["x", "y"], ["y", "z"]),  # a target on the way to another
    ("u = a * b; v = u * u + a; w = v * u; z = w + b; output w, z", ["a", "b", "u"], ["w", "z", "u"]),
    ("y = (x + x) * x; z = y * y", ["x"], ["y", "z", "x"]),  # parallel edges; the pair (x, x)
])
def test_path_sums_are_the_pairwise_sums_bit_for_bit(text, sources, targets):
    g = loads(text)
    lin = linearize(g, {g.names[i]: 0.3 + 0.7 * n for n, i in enumerate(g.inputs)})
    s, t = [g.node(n) for n in sources], [g.node(n) for n in targets]
    sums = graphdiff.sweeps.paths.path_sums(g, lin.partials, s, t)
    assert list(sums) == t and all(list(row) == s for row in sums.values())
    for target in t:
        for source in s:
            assert sums[target][source] == path_sum(g, lin.partials, source, target)


def test_path_sums_refuse_before_enumerating():
    g = loads(diamonds(8))
    lin = linearize(g)
    x, mid, end = g.node("x0"), g.node("x3"), g.node("x8")
    with pytest.raises(graphdiff.TooManyPaths, match=f"from 'x0' to 'x8' would enumerate {3 ** 8:,} paths"):
        graphdiff.sweeps.paths.path_sums(g, lin.partials, [x, mid], [end], max_paths=3 ** 8 - 1)
    ok = graphdiff.sweeps.paths.path_sums(g, lin.partials, [x, mid], [end], max_paths=3 ** 8)[end]
    assert (ok[x].count, ok[mid].count) == (3 ** 8, 3 ** 5)
    # 3 edges a stage (x, a branch, their sum, the next x): paths of 24 and 15 edges
    assert (ok[x].multiplications, ok[x].additions) == (3 ** 8 * 23, 3 ** 8 - 1)
    assert (ok[mid].multiplications, ok[mid].additions) == (3 ** 5 * 14, 3 ** 5 - 1)
    assert ok[x].total == pytest.approx(graphdiff.reverse_sweep(lin, end).derivatives[x], rel=1e-12)
