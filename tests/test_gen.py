"""Generated programs: every family parses, evaluates and differentiates, with the expected shape."""
import io
import math

import pytest
from click.testing import CliRunner

from graphdiff import loads
from graphdiff.cli import main
from graphdiff.sweeps.evaluate import linearize
from graphdiff.language.gen import FAMILIES, generate, write
from graphdiff.analyses.grad import grad
from graphdiff.sweeps.paths import count_paths
from graphdiff.sweeps.accumulate import gradient

SMALL = {"wide": {"inputs": 37}, "fanout": {"outputs": 9}, "chain": {"length": 25},
         "diamonds": {"stages": 6, "width": 4}, "mlp": {"layers": [4, 5, 3]}}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_parses_evaluates_and_differentiates(family):
    g = loads(generate(family, **SMALL[family]))
    r = grad(g)
    values = [d for row in r.jacobian.values() for d in row.values()]
    assert values and all(math.isfinite(v) for v in values)
    assert all(math.isfinite(v) for v in r.lin.values)
    assert g.node("x0") in g.inputs


@pytest.mark.parametrize("n", [1, 2, 3, 8, 37, 1000])
def test_wide_is_a_pairwise_tree(n):
    g = loads(generate("wide", inputs=n))
    assert len(g.inputs) == n
    assert g.outputs == [g.node("y")]
    assert len(g) == 2 * n - 1 + (n == 1)
    assert g.n_edges == max(2 * (n - 1), 1)
    assert count_paths(g, g.node("x0"), g.node("y")) == 1
    lin = linearize(g)
    grads = gradient(lin)
    assert [grads[i] for i in g.inputs] == [1.0] * n
    assert lin.values[g.node("y")] == pytest.approx(sum(lin.values[i] for i in g.inputs))


def test_wide_vector_form():
    text = generate("wide", inputs=1000, vector=True)
    assert len(text.splitlines()) == 3
    g = loads(text)
    assert (len(g), g.n_edges, len(g.inputs)) == (1001, 1000, 1000)


def test_fanout_shape():
    g = loads(generate("fanout", outputs=10))
    assert (len(g), g.n_edges, len(g.inputs), len(g.outputs)) == (11, 10, 1, 10)
    assert [g.names[i] for i in g.outputs] == [f"y{i}" for i in range(1, 10)] + ["y"]


def test_chain_shape_and_vanishing_gradient():
    d = 60
    g = loads(generate("chain", length=d))
    assert (len(g), g.n_edges) == (2 + 4 * d, 5 * d)
    x0, y = g.node("x0"), g.node("y")
    assert count_paths(g, x0, y) == 1
    r = grad(g, wrt=["x0", f"x{d - 1}"])
    early, late = r.jacobian[y][x0], r.jacobian[y][g.node(f"x{d - 1}")]
    assert 0 < abs(early) < 1e-15 < abs(late)


@pytest.mark.parametrize("k,w", [(1, 3), (5, 3), (20, 3), (7, 2), (4, 10), (3, 1)])
def test_diamonds_paths(k, w):
    g = loads(generate("diamonds", stages=k, width=w))
    assert count_paths(g, g.node("x0"), g.node("y")) == w ** k
    assert (len(g), g.n_edges) == (k * (w + 2) + 1, k * (2 * w + 1))


def test_diamonds_gradient_matches_sum_over_paths():
    g = loads(generate("diamonds", stages=4))
    paths = grad(g, mode="paths").jacobian
    rev = grad(g).jacobian
    y, x0 = g.node("y"), g.node("x0")
    assert rev[y][x0] == pytest.approx(paths[y][x0], rel=1e-12)


def test_mlp_shape():
    g = loads(generate("mlp", layers=[3, 4, 2]))
    weights = 3 * 4 + 4 + 4 * 2 + 2
    assert len(g.inputs) == 3 + weights
    assert g.outputs == [g.node("y")]
    # products 2 edges each; sums; tanh; error, square (2 edges), loss
    assert g.n_edges == 2 * 20 + (4 * 4 + 2 * 5) + 4 + 2 * (1 + 2) + 2


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_seed_is_deterministic_and_matters(family):
    a, b = generate(family, seed=7, **SMALL[family]), generate(family, seed=7, **SMALL[family])
    assert a == b
    assert generate(family, seed=8, **SMALL[family]) != a


def test_write_streams_lines():
    out = io.StringIO()
    n = write(FAMILIES["chain"](length=3000), out, chunk=100)
    text = out.getvalue()
    assert n == len(text.splitlines()) == 2 + 1 + 4 * 3000
    assert text.endswith("y = tanh(b3000)\n")


@pytest.mark.parametrize("bad", [{"stages": 0}, {"width": 11}])
def test_bad_sizes(bad):
    with pytest.raises(ValueError):
        generate("diamonds", **bad)


def test_cli_gen_pipes_into_paths():
    runner = CliRunner()
    r = runner.invoke(main, ["gen", "diamonds", "--stages", "30"])
    assert r.exit_code == 0
    r2 = runner.invoke(main, ["paths", "-", "--from", "x0", "--to", "y", "--count-only", "--format", "json"],
                       input=r.output)
    assert r2.exit_code == 0, r2.output
    assert str(3 ** 30) in r2.output


def test_cli_gen_rejects_foreign_option():
    r = CliRunner().invoke(main, ["gen", "chain", "--stages", "3"])
    assert r.exit_code == 2
    assert "--stages does not apply to chain" in r.output


def test_cli_gen_layers_and_file(tmp_path):
    out = tmp_path / "m.gd"
    r = CliRunner().invoke(main, ["gen", "mlp", "--layers", "3,2,1", "--seed", "3", "-o", str(out)])
    assert r.exit_code == 0
    assert out.read_text() == generate("mlp", layers=[3, 2, 1], seed=3)
    bad = CliRunner().invoke(main, ["gen", "mlp", "--layers", "3,x"])
    assert bad.exit_code == 2


@pytest.mark.parametrize("text", ["y = (x + x) * x", "c = a + b; d = b + 1; e = c * d; f = 0 * e",
                                  "u = sin(sin(x) + sin(x)); v = 3; w = q * 0"])
def test_dense_reverse_sweep_equals_heap_sweep(text):
    from graphdiff.sweeps.accumulate import reverse_sweep

    g = loads(text)
    lin = linearize(g, {g.names[i]: 0.7 for i in g.inputs})
    for o in range(len(g)):
        heap, dense = reverse_sweep(lin, o), reverse_sweep(lin, o, dense=True)
        assert (dense.derivatives, dense.multiplications, dense.additions) == \
            (heap.derivatives, heap.multiplications, heap.additions)
        assert list(dense.derivatives) == sorted(heap.derivatives, reverse=True)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_dense_sweep_on_generated_graphs(family):
    from graphdiff.sweeps.accumulate import reverse_sweep

    g = loads(generate(family, **SMALL[family]))
    lin = linearize(g)
    for o in g.outputs[:3]:
        heap, dense = reverse_sweep(lin, o), reverse_sweep(lin, o, dense=True)
        assert dense.derivatives == heap.derivatives
        assert (dense.multiplications, dense.additions) == (heap.multiplications, heap.additions)


@pytest.mark.parametrize("family,opts", [("wide", {"inputs": 23}), ("chain", {"length": 7}),
                                         ("diamonds", {"stages": 4, "width": 4}), ("mlp", {"layers": [3, 4, 2]})])
def test_nested_programs_are_the_same_graphs_in_fewer_lines(family, opts):
    flat, nested = generate(family, seed=5, **opts), generate(family, seed=5, nested=True, **opts)
    assert nested.count("\n") < flat.count("\n")
    f, n = loads(flat), loads(nested)
    assert (len(f), f.n_edges, len(f.inputs)) == (len(n), n.n_edges, len(n.inputs))
    assert [f.names[i] for i in f.inputs] == [n.names[i] for i in n.inputs]
    rf, rn = grad(f, of=["y"]), grad(n, of=["y"])
    for i in f.inputs:
        assert rn["y", f.names[i]] == pytest.approx(rf["y", f.names[i]], rel=1e-12, abs=1e-15)
