"""graphdiff draw: DOT, Mermaid, SVG and PNG pictures, read back and checked against the graph."""
from __future__ import annotations

import math
import re
import struct
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import graphdiff
from graphdiff.views import draw as D
from graphdiff.cli import main

pydot = pytest.importorskip("pydot")

ROOT = Path(__file__).resolve().parent.parent
BACKPROP = ROOT / "samples" / "backprop.gd"
GOLDEN = ROOT / "tests" / "golden"
SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE = ['say "hi"', "back\\slash\\n", "a < b & c > d", "x | y", "max(a, b)", "v[3]", "{braces}",
           "#35; hash", "α∂β", "`tick`"]


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def hostile_graph() -> graphdiff.Graph:
    """A graph whose node names hold every character DOT, Mermaid, HTML or SVG could trip on."""
    g = graphdiff.loads("; ".join(f"y{i} = y{i - 1} * y{i - 1}" if i else "y0 = 2 * x"
                                  for i in range(len(HOSTILE) - 1)))
    assert len(g) == len(HOSTILE)
    texts = ["input"] + [f"{HOSTILE[i - 1]} * {HOSTILE[i - 1]}" for i in range(1, len(HOSTILE))]
    texts[1] = f"2 * {HOSTILE[0]}"
    # names no program can spell, set behind the read-only guard of a built graph
    g.__dict__.update(names=list(HOSTILE), index={n: i for i, n in enumerate(HOSTILE)}, texts=texts)
    return g


def unquote_dot(value: str) -> str:
    """A DOT quoted string back to the text it shows (the escapes dot_quote writes)."""
    assert value.startswith('"') and value.endswith('"'), value
    return re.sub(r'\\(.)', lambda m: {"n": "\n", '"': '"', "\\": "\\"}[m.group(1)], value[1:-1])


def parse_dot(text: str):
    """(node labels by id, multiset of (tail label, head label, edge label)) from DOT text, via pydot."""
    graphs = pydot.graph_from_dot_data(text)
    assert graphs and len(graphs) == 1
    gr = graphs[0]
    labels = {n.get_name(): unquote_dot(n.get("label")) for n in gr.get_nodes()
              if n.get_name() not in ("node", "edge", "graph") and n.get("label") is not None}
    edges = Counter()
    for e in gr.get_edges():
        label = e.get("label")
        edges[(labels[e.get_source()], labels[e.get_destination()], unquote_dot(label) if label else "")] += 1
    return gr, labels, edges


def expected(p: D.Picture):
    g = p.graph
    return (sorted(p.labels),
            Counter((p.labels[s], p.labels[t], p.edge_labels[k]) for k, (s, t) in enumerate(zip(g.edge_src, g.edge_dst))))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    assert root.tag == SVG_NS + "svg"
    return ["".join(t.itertext()) for t in root.iter(SVG_NS + "text")]


def diamonds(stages: int) -> str:
    """The gen-like chain of diamonds: three paths per stage, 3**stages paths end to end."""
    lines = ["input x0 = 0.3"]
    lines += [f"x{i + 1} = 0.4*(0.5*x{i} + tanh(x{i}) + sin(x{i}))" for i in range(stages)]
    return "\n".join(lines)


# ---- the picture ------------------------------------------------------------------------------------------

def test_labels_are_names_expressions_and_annotations():
    g = graphdiff.load(BACKPROP)
    p = D.annotate(g, values=True, partials=True)
    assert p.labels == ["a = 2", "b = 1", "c = a + b\n= 3", "d = b + 1\n= 2", "e = c * d\n= 6"]
    assert p.edge_labels == ["∂c/∂a = 1", "∂c/∂b = 1", "∂d/∂b = 1", "∂e/∂c = d = 2", "∂e/∂d = c = 3"]
    assert p.caption == "at a = 2, b = 1"


def test_forward_and_reverse_put_the_essays_numbers_on_the_nodes():
    g = graphdiff.load(BACKPROP)
    fwd = D.annotate(g, forward="b")
    assert [s.split("\n")[1] for s in fwd.labels] == ["∂a/∂b = 0", "∂b/∂b = 1", "∂c/∂b = 1", "∂d/∂b = 1",
                                                       "∂e/∂b = 5"]
    assert fwd.faint == {g.node("a")}  # no path from b reaches a
    rev = D.annotate(g, reverse="e")
    assert [s.split("\n")[1] for s in rev.labels] == ["∂e/∂a = 2", "∂e/∂b = 5", "∂e/∂c = 2", "∂e/∂d = 3",
                                                       "∂e/∂e = 1"]
    assert rev.faint == frozenset()


def test_anonymous_nodes_show_their_expression_and_parenthesise_after_the_d():
    g = graphdiff.load(ROOT / "samples" / "diamond.gd")
    p = D.annotate(g, reverse="z")
    y = 2 * 0.5 + math.sin(0.5) + 0.5 ** 2
    dz_dy = 3 - math.sin(y) + 3 * y ** 2  # ∂z/∂(2 * x) = ∂z/∂y · 1
    assert p.labels[g.node("2 * x")].split("\n") == ["2 * x", f"∂z/∂(2 * x) = {dz_dy:.4g}"]


def test_structure_needs_no_input_values():
    g = graphdiff.loads("c = a + b; e = c * c")
    p = D.annotate(g)
    assert p.labels == ["a", "b", "c = a + b", "e = c * c"]
    with pytest.raises(graphdiff.InputError, match="input 'a' has no value"):
        D.annotate(g, values=True)


def test_layout_puts_inputs_at_the_bottom_and_outputs_at_the_top():
    g = graphdiff.load(ROOT / "samples" / "neuron.gd")
    lay = D.layout(D.annotate(g))
    low = max(lay.y[i] for i in g.inputs)
    assert all(lay.y[i] < lay.y[j] for i in g.inputs for j in range(len(g)) if g.ops[j] != "input")
    top = lay.y[g.outputs[0]]
    assert all(lay.y[i] < top for i in range(len(g)) if i not in g.outputs)
    assert low == min(lay.y)
    # no two boxes overlap
    boxes = [(lay.x[i] - lay.w[i] / 2, lay.y[i] - lay.h[i] / 2, lay.x[i] + lay.w[i] / 2, lay.y[i] + lay.h[i] / 2)
             for i in range(len(g))]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert min(a[2], b[2]) <= max(a[0], b[0]) or min(a[3], b[3]) <= max(a[1], b[1])


def test_parallel_edges_are_drawn_apart():
    g = graphdiff.loads("input x = 3; y = x * x")
    p = D.annotate(g, partials=True)
    lay = D.layout(p)
    a, b = lay.curves
    mid_a, mid_b = a[len(a) // 2], b[len(b) // 2]
    assert abs(mid_a[0] - mid_b[0]) > 0.1  # visibly separate, not one line over the other
    assert a[0] != b[0] and a[-1] != b[-1]
    (la, lb) = lay.label_at
    assert la != lb
    assert to_edges(D.to_dot(p)) == 2


def to_edges(dot: str) -> int:
    return sum(1 for line in dot.splitlines() if " -> " in line)


# ---- DOT --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options", [{}, {"values": True}, {"partials": True}, {"forward": "b", "partials": True},
                                     {"reverse": "e"}, {"paths": ("b", "e")}])
def test_dot_reads_back_into_the_same_nodes_edges_and_labels(options):
    p = D.annotate(graphdiff.load(BACKPROP), **options)
    _, labels, edges = parse_dot(D.to_dot(p))
    want_nodes, want_edges = expected(p)
    assert sorted(labels.values()) == want_nodes
    assert edges == want_edges


def test_dot_golden_backprop():
    g = graphdiff.loads(BACKPROP.read_text(encoding="utf-8"), "samples/backprop.gd")
    assert D.to_dot(D.annotate(g)) == (GOLDEN / "backprop.dot").read_text(encoding="utf-8")


def test_dot_ranks_inputs_at_the_bottom_and_outputs_at_the_top():
    dot = D.to_dot(D.annotate(graphdiff.load(BACKPROP)))
    assert "rankdir=BT" in dot
    assert "{rank=min; n0; n1;}" in dot and "{rank=max; n4;}" in dot


def test_dot_keeps_parallel_edges():
    _, labels, edges = parse_dot(D.to_dot(D.annotate(graphdiff.loads("input x = 3; y = x * x"), partials=True)))
    assert edges == Counter({("x", "y = x * x", "∂y/∂x = x = 3"): 2})


def test_hostile_names_survive_dot():
    p = D.picture(hostile_graph(), partials=[1.5] * 10, caption='caption "quoted" \\ end')
    dot = D.to_dot(p)
    gr, labels, edges = parse_dot(dot)
    want_nodes, want_edges = expected(p)
    assert sorted(labels.values()) == want_nodes
    assert edges == want_edges
    graph_attrs = {}
    for n in gr.get_node("graph"):  # pydot keeps `graph [...]` as a node named graph
        graph_attrs.update(n.get_attributes())
    assert unquote_dot(graph_attrs["label"]) == 'caption "quoted" \\ end'
    for name in HOSTILE:
        assert name in labels.values() or any(label.startswith(name + " = ") for label in labels.values())


# ---- Mermaid ----------------------------------------------------------------------------------------------

def decode_mermaid(text: str) -> str:
    names = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}
    text = text.replace("<br>", "\n")
    return re.sub(r"#(\w+);", lambda m: chr(int(m.group(1))) if m.group(1).isdigit() else names[m.group(1)], text)


def mermaid_edges(text: str) -> list[tuple[str, str, str]]:
    out = []
    for line in text.splitlines():
        m = re.fullmatch(r'    (n\d+) -->(?:\|"([^"]*)"\|)? (n\d+)', line)
        if m:
            out.append((m.group(1), m.group(3), decode_mermaid(m.group(2) or "")))
    return out


def test_mermaid_has_one_line_per_edge_with_its_label():
    g = graphdiff.load(BACKPROP)
    text = D.to_mermaid(D.annotate(g, partials=True))
    assert text.startswith("flowchart BT\n")
    assert mermaid_edges(text) == [("n0", "n2", "∂c/∂a = 1"), ("n1", "n2", "∂c/∂b = 1"), ("n1", "n3", "∂d/∂b = 1"),
                                   ("n2", "n4", "∂e/∂c = d = 2"), ("n3", "n4", "∂e/∂d = c = 3")]
    assert '    n2["c = a + b"]' in text.splitlines()
    assert sum(" --> " in line or " -->|" in line for line in text.splitlines()) == g.n_edges


def test_mermaid_escapes_hostile_names():
    g = hostile_graph()
    p = D.picture(g, partials=[2.0] * g.n_edges, paths=(0, len(g) - 1))
    text = D.to_mermaid(p)
    nodes = {}
    for line in text.splitlines():
        m = re.fullmatch(r'    (n\d+)\["([^"]*)"\]', line)
        if m:
            nodes[m.group(1)] = decode_mermaid(m.group(2))
    assert [nodes[f"n{i}"] for i in range(len(g))] == p.labels
    edges = mermaid_edges(text)
    assert len(edges) == g.n_edges
    assert [e[2] for e in edges] == p.edge_labels
    for line in text.splitlines():  # nothing Mermaid or HTML would read raw inside a label
        if line.startswith("    n"):
            for quoted in re.findall(r'"([^"]*)"', line):
                assert not set(quoted.replace("<br>", "")) & set("<>&|`")
    assert text.splitlines()[1].startswith("title: ")
    assert "linkStyle" in text


# ---- SVG and PNG ------------------------------------------------------------------------------------------

def test_svg_is_xml_holding_every_label():
    g = graphdiff.load(BACKPROP)
    p = D.annotate(g, reverse="e", partials=True)
    texts = svg_texts(D.to_svg(p, engine="matplotlib"))
    for label in p.labels + p.edge_labels + [p.caption]:
        for line in label.split("\n"):
            assert line in texts


def test_svg_escapes_hostile_names():
    g = hostile_graph()
    p = D.picture(g, partials=[1.0] * g.n_edges, caption='"$x$" & <y>')
    texts = svg_texts(D.to_svg(p, engine="matplotlib"))
    for label in p.labels:
        assert label in texts
    assert '"$x$" & <y>' in texts  # shown literally: no mathtext, no markup


def test_png_has_the_signature_and_a_sensible_size():
    data = D.to_png(D.annotate(graphdiff.load(ROOT / "samples" / "diamond.gd"), paths=("x", "z")),
                    engine="matplotlib")
    w, h = png_size(data)
    assert 200 <= w <= 4000 and 200 <= h <= 4000


def test_svg_is_reproducible():
    p = D.annotate(graphdiff.load(BACKPROP))
    assert D.to_svg(p, engine="matplotlib") == D.to_svg(p, engine="matplotlib")


# ---- paths ------------------------------------------------------------------------------------------------

def test_paths_highlight_edges_on_paths_only():
    g = graphdiff.load(BACKPROP)
    p = D.annotate(g, paths=("a", "e"))
    assert sorted(p.marked_edges) == [0, 3]
    assert p.marked_nodes == {g.node("a"), g.node("c"), g.node("e")}
    assert p.caption == "1 path from a to e"
    none = D.annotate(g, paths=("e", "a"))
    assert none.marked_edges == frozenset() and none.caption == "0 paths from e to a"


def test_paths_on_3_to_the_200_paths_are_highlighted_without_enumerating():
    g = graphdiff.loads(diamonds(200))
    p = D.annotate(g, paths=("x0", "x200"))
    assert len(p.marked_edges) == g.n_edges == 7 * 200
    assert p.caption == f"{D.count_text(3 ** 200)} paths from x0 to x200"
    assert "2.656 × 10^95 (96 digits)" in p.caption
    mid = D.annotate(g, paths=("x50", "x150"))
    assert len(mid.marked_edges) == 7 * 100
    assert all(g.node("x50") <= g.edge_src[k] and g.edge_dst[k] <= g.node("x150") for k in mid.marked_edges)
    assert mid.caption == f"{D.count_text(3 ** 100)} paths from x50 to x150"


def test_cli_paths_on_a_huge_diamond_chain(tmp_path):
    src = tmp_path / "chain.gd"
    src.write_text(diamonds(200), encoding="utf-8")
    r = run("draw", str(src), "--paths", "x0", "x200")
    assert r.exit_code == 2
    assert "1,001 nodes" in r.stderr and "--force" in r.stderr
    r = run("draw", str(src), "--paths", "x0", "x200", "--force")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.count(f'color="{D.MARK}", penwidth=2.2') == 1400
    assert "2.656 × 10^95 (96 digits) paths from x0 to x200" in r.stdout


# ---- CLI --------------------------------------------------------------------------------------------------

def test_cli_default_is_dot_on_stdout():
    r = run("draw", str(BACKPROP))
    assert r.exit_code == 0
    assert r.stdout == D.to_dot(D.annotate(graphdiff.load(BACKPROP)))


def test_cli_format_follows_the_extension(tmp_path):
    for ext, check in ((".svg", lambda b: svg_texts(b)), (".png", png_size),
                       (".mmd", lambda b: b.decode().startswith("flowchart BT")),
                       (".dot", lambda b: parse_dot(b.decode()))):
        out = tmp_path / f"g{ext}"
        r = run("draw", str(BACKPROP), "--partials", "--engine", "matplotlib", "-o", str(out))
        assert r.exit_code == 0, r.stderr
        assert r.stdout == ""
        assert check(out.read_bytes())


def test_cli_format_option_wins_and_unknown_extension_is_refused(tmp_path):
    out = tmp_path / "picture.txt"
    r = run("draw", str(BACKPROP), "-o", str(out))
    assert r.exit_code == 2 and "--format" in r.stderr and not out.exists()
    r = run("draw", str(BACKPROP), "-o", str(out), "--format", "mermaid")
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("flowchart BT")


def test_cli_svg_on_stdout():
    r = run("draw", "-e", "c = a + b", "--format", "svg", "--engine", "matplotlib")
    assert r.exit_code == 0
    assert "c = a + b" in svg_texts(r.stdout_bytes)


def test_cli_structure_without_values_but_values_need_them():
    r = run("draw", "-e", "c = a + b; e = c * c")
    assert r.exit_code == 0 and "n2 -> n3;" in r.stdout
    r = run("draw", "-e", "c = a + b; e = c * c", "--values")
    assert r.exit_code == 2
    assert "<expr>:1:5: error: input 'a' has no value" in r.stderr
    r = run("draw", "-e", "c = a + b; e = c * c", "--values", "--set", "a=1", "--set", "b=2")
    assert r.exit_code == 0 and 'label="e = c * c\\n= 9"' in r.stdout


def test_cli_annotations():
    r = run("draw", str(BACKPROP), "--reverse", "e", "--format", "mermaid")
    assert r.exit_code == 0
    assert '    n1["b<br>∂e/∂b = 5"]' in r.stdout
    r = run("draw", str(BACKPROP), "--forward", "b", "--partials")
    assert r.exit_code == 0
    assert 'label="e = c * d\\n∂e/∂b = 5"' in r.stdout and 'label="∂e/∂c = d = 2"' in r.stdout
    r = run("draw", str(ROOT / "samples" / "diamond.gd"), "--paths", "x", "z")
    assert r.exit_code == 0 and 'label="9 paths from x to z"' in r.stdout


def test_cli_errors_name_the_problem():
    r = run("draw", str(BACKPROP), "--forward", "nope")
    assert r.exit_code == 2 and "no node named 'nope'" in r.stderr
    r = run("draw", str(BACKPROP), "--paths", "a")
    assert r.exit_code == 2
    r = run("draw", "-e", "input x = -1; y = log(x)", "--values")
    assert r.exit_code == 1 and "log" in r.stderr
    r = run("draw", "-e", "input x = -1; y = log(x)", "--values", "--ieee")
    assert r.exit_code == 0 and "nan" in r.stdout
    assert "Traceback" not in r.stderr


def test_cli_warns_at_kinks():
    r = run("draw", "-e", "input x = 0; y = relu(x)", "--partials")
    assert r.exit_code == 0 and "warning: relu" in r.stderr


def test_cli_too_large_graph_is_refused_with_the_count_and_the_way_out():
    text = "input x = 0.1\n" + "\n".join(f"x{i + 1} = sin(x{i})" if i else "x1 = sin(x)" for i in range(300))
    r = run("draw", "-", input=text)
    assert r.exit_code == 2
    assert "301 nodes" in r.stderr and "more than 300" in r.stderr and "--force" in r.stderr
    r = run("draw", "-", "--force", "--format", "mermaid", input=text)
    assert r.exit_code == 0 and r.stdout.count(" --> ") == 300
    with pytest.raises(graphdiff.InputError):
        D.check_size(graphdiff.loads(text))


def test_draw_imports_no_matplotlib_for_text_formats():
    import subprocess
    import sys

    code = ("import sys, graphdiff; from graphdiff.views import draw as D; "
            "D.to_dot(D.annotate(graphdiff.loads('c = a + b'))); print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_help_shows_the_draw_options():
    r = run("draw", "--help")
    assert r.exit_code == 0
    for opt in ("--values", "--partials", "--forward", "--reverse", "--paths", "--format", "-o", "--force",
                "--set", "--inputs", "--ieee", "--traceback", "-e"):
        assert opt in r.stdout


@pytest.mark.parametrize("steps", [0, 3, 7])
def test_the_elimination_caption_is_never_clipped(steps):
    """Issue 21: `draw samples/diamond.gd --eliminate markowitz --step 3` clipped its caption ('… 1 fil'): it
    wraps to the picture's width now, and every line lies inside the figure."""
    from graphdiff.analyses.eliminate import remaining

    g = graphdiff.load(str(ROOT / "samples" / "diamond.gd"))
    pic = D.eliminated(remaining(g, order="markowitz", steps=steps))
    fig = D._figure(pic)
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    caption = [t for t in fig.axes[0].texts if t.get_style() == "italic"]
    assert len(caption) == 1 and caption[0].get_text().replace("\n", " ") == pic.caption
    extent = caption[0].get_window_extent(renderer)
    assert box.x0 <= extent.x0 and extent.x1 <= box.x1 and box.y0 <= extent.y0, (extent, box)


# ---- the page's layout (issue 23) ---------------------------------------------------------------------------------

def _edge_length(g, lvl) -> int:
    return sum(lvl[d] - lvl[s] for s, d in zip(g.edge_src, g.edge_dst))


@pytest.mark.parametrize("path", sorted(Path(ROOT, "samples").glob("*.gd")) + sorted(Path(ROOT, "samples", "published").glob("*.gd")),
                         ids=lambda p: p.stem)
def test_network_simplex_ranks_are_feasible_and_never_longer_than_the_longest_path_levels(path):
    g = graphdiff.load(str(path))
    r = D._shortest_ranks(g)
    assert r is not None and min(r) == 0
    assert all(r[d] - r[s] >= 1 for s, d in zip(g.edge_src, g.edge_dst))
    assert _edge_length(g, r) <= _edge_length(g, D.longest_path_levels(g))


def test_network_simplex_finds_the_shortest_ranking_by_brute_force_on_small_graphs():
    """On the essay's example and a few small programs, no feasible ranking has shorter edges in all (every
    ranking with ranks 0..n-1 tried)."""
    import itertools

    for text in ("c = a + b; d = b + 1; e = c * d", "input a = 1, b = 2\nc = a * b\nd = c + a\ne = d * b + c",
                 "input x = 1\ny = sin(x)\nz = y * x\nw = z + y + x"):
        g = graphdiff.loads(text)
        n = len(g)
        best = min(_edge_length(g, lv) for lv in itertools.product(range(n), repeat=n)
                   if all(lv[d] - lv[s] >= 1 for s, d in zip(g.edge_src, g.edge_dst)))
        assert _edge_length(g, D._shortest_ranks(g)) == best


def test_the_pages_long_edges_never_pass_through_a_box():
    """Every long edge crosses the rows it spans upright, in its own slot: on the published graphs no point of
    any edge is inside a box other than its own ends' (the boxes shrunk by 0.02 in)."""
    from graphdiff.views.explore import model

    for path in sorted(Path(ROOT, "samples", "published").glob("*.gd")) + [Path(ROOT, "samples", "rnn.gd")]:
        g = graphdiff.load(str(path))
        m = model(g)
        boxes = [(n["x"] - n["w"] / 2 + 0.02, n["y"] - n["h"] / 2 + 0.02, n["x"] + n["w"] / 2 - 0.02,
                  n["y"] + n["h"] / 2 - 0.02) for n in m["nodes"]]
        for k, curve in enumerate(m["curves"]):
            ends = {g.edge_src[k], g.edge_dst[k]}
            for (x0, y0), (x1, y1) in zip(curve, curve[1:]):
                for t in (0.0, 0.25, 0.5, 0.75):
                    x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
                    hit = [i for i, b in enumerate(boxes) if i not in ends and b[0] < x < b[2] and b[1] < y < b[3]]
                    assert not hit, f"{path.name}: edge {g.names[g.edge_src[k]]} -> {g.names[g.edge_dst[k]]} through {g.names[hit[0]]}"


def test_a_vectors_elements_stay_in_index_order_in_every_row():
    g = graphdiff.load(str(Path(ROOT, "samples", "vector.gd")))
    lay = D.layout(D.Picture(g, [g.names[i] for i in range(len(g))], [""] * g.n_edges))
    xs = [lay.x[i] for i in range(*(lambda s, n: (s, s + n))(*g.vectors["x"]))]
    assert xs == sorted(xs)
