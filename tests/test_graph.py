"""The graph: shape, parallel edges, shared subexpressions, order, outputs, NetworkX view."""
import networkx as nx

from graphdiff import loads


def test_essay_graph_shape(backprop):
    g = backprop
    assert g.names == ["a", "b", "c", "d", "e"]
    assert sorted((g.names[s], g.names[d]) for s, d, _ in g.iter_edges()) == [
        ("a", "c"), ("b", "c"), ("b", "d"), ("c", "e"), ("d", "e")]
    assert [g.names[i] for i in g.inputs] == ["a", "b"] and [g.names[i] for i in g.outputs] == ["e"]


def test_parallel_edges_for_repeated_operands():
    g = loads("y = x * x")
    assert g.n_edges == 2 and list(g.iter_edges()) == [(0, 1, 0), (0, 1, 1)]
    G = g.to_networkx()
    assert isinstance(G, nx.MultiDiGraph) and G.number_of_edges("x", "y") == 2


def test_networkx_view_matches(backprop):
    G = backprop.to_networkx()
    assert nx.is_directed_acyclic_graph(G)
    assert list(nx.topological_sort(G))[-1] == "e"
    assert G.nodes["c"]["op"] == "add" and G.nodes["c"]["line"] == 1
    assert G.nodes["a"]["kind"] == "input"
    assert {(u, v, k) for u, v, k in G.edges(keys=True)} == {
        ("a", "c", 0), ("b", "c", 1), ("b", "d", 0), ("c", "e", 0), ("d", "e", 1)}


def test_outputs_default_to_unused_nodes():
    g = loads("c = a + b; d = c * 2; e = c - 1")
    assert [g.names[i] for i in g.outputs] == ["d", "e"]


def test_declared_outputs_win():
    g = loads("c = a + b; d = c * 2; e = c - 1; output c, e")
    assert [g.names[i] for i in g.outputs] == ["c", "e"]


def test_constant_output_and_identity():
    g = loads("k = 3; y = x")
    assert g.ops == ["input", "const", "id"]
    assert g.n_edges == 1


def test_edges_are_grouped_by_target_in_topological_order():
    g = loads("e = c * d; d = b + 1; c = a + b; f = e + c")
    for k in range(g.n_edges):
        assert g.edge_src[k] < g.edge_dst[k]
    assert g.edge_dst == sorted(g.edge_dst)
    for i in range(len(g)):
        assert all(g.edge_dst[k] == i for k in g.in_edges(i))


def test_vector_expansion_in_reductions():
    g = loads("input x[5]; y = sum(x); z = x[1] * 2")
    y = g.node("y")
    assert len(g.args[y]) == 5 and g.n_edges == 6
    assert g.vectors == {"x": (0, 5)}


def test_implicit_inputs_in_order_of_first_use():
    g = loads("y = b * a\nz = c")
    assert [g.names[i] for i in g.inputs] == ["b", "a", "c"]


def test_hundred_thousand_deep_chain():
    n = 100_000
    text = "\n".join(f"h{i + 1} = tanh(0.5 * h{i} + 0.1)" for i in range(n))
    g = loads(text)
    assert len(g) == 3 * n + 1 and g.outputs == [len(g) - 1]
