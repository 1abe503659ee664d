"""The explorable page, in a real browser: Debian's Chromium (/usr/bin/chromium, which .ci/run installs) driven
by Playwright. The page loads with no network request and no console error; every command's JSON equals the
page's (every primitive, all three modes, vectors); typing into a control updates the nodes; the step controls
visit the trace's steps in order; the path count is exact on a graph with 3^200 paths; keyboard only works.

GRAPHDIFF_SKIP_BROWSER=1 skips these tests on a machine without Chromium; CI never sets it."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import graphdiff
from graphdiff.cli import main
from graphdiff.views.explore import MAX_NODES, page
from graphdiff.language.gen import generate

from .conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
SAMPLES = sorted((ROOT / "samples").glob("*.gd"))
EVERY_PRIMITIVE = """\
input x = 0.7, y = 1.3, z = -0.4
input v[7] = 0.5
a1 = sin(x) + cos(y) + tan(z)
a2 = exp(z) * log(y) + sqrt(y)
a3 = tanh(x) - sigmoid(z) + relu(z) + relu(x)
a4 = step(x) + abs(z) + sign(z) + softplus(x)
a5 = log1p(x) + expm1(z) + sinh(x) + cosh(z) + sech(y)
a6 = asin(x) + acos(z) + atan(y) + erf(z) + erf(y * 1.4) + atan2(z, -x) + atan2(y, x)
a7 = pow(y, x) + x ^ 3 + xlogy(x, y) + eq(x, y) + y ^ z
a8 = min(x, y, z) + max(x, y) + sum(x, y, z) + prod(x, y, z) + mean(x, y) + max(v) * prod(v) + min(v[1], v[3] * x)
a9 = x / y - (-z) + hypot(x, z) + gauss(y) + count(x, x, y, x)
out = a1 * a2 + a3 * a4 - a5 / a6 + a7 * a8 + a9
"""


@pytest.fixture(scope="module")
def browser():
    if os.environ.get("GRAPHDIFF_SKIP_BROWSER") == "1":
        pytest.skip("GRAPHDIFF_SKIP_BROWSER=1")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (bash .ci/browser), or set "
                    "GRAPHDIFF_SKIP_BROWSER=1 to skip the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()


class Opened:
    def __init__(self, pg, errors, requests):
        self.pg, self.errors, self.requests = pg, errors, requests

    def js(self, expr: str):
        return self.pg.evaluate(expr)


@pytest.fixture
def open_page(browser, tmp_path):
    opened = []

    def go(g, values=None, name="page.html", size=None) -> Opened:
        path = tmp_path / name
        path.write_text(page(g, values).html, encoding="utf-8")
        pg = browser.new_page(viewport={"width": size[0], "height": size[1]} if size else None)
        errors, requests = [], []
        pg.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("request", lambda r: requests.append(r.url))
        pg.goto(path.as_uri())
        pg.wait_for_selector("body[data-ready='1']", timeout=20_000, state="attached")
        o = Opened(pg, errors, requests)
        opened.append(o)
        return o

    yield go
    for o in opened:
        o.pg.close()


def same(a, b, path="") -> None:
    """JSON documents equal, numbers to the ulp or two by which the browser's Math may differ from libm."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), (path, list(a), list(b) if isinstance(b, dict) else b)
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (path, a, b)
        for k, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{k}]")
    elif isinstance(a, (int, float)) and not isinstance(a, bool):
        assert isinstance(b, (int, float)) and not isinstance(b, bool), (path, a, b)
        assert a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-14), (path, a, b)
    else:
        assert a == b, (path, a, b)


def cli_json(args: list[str], program: str | None = None):
    r = CliRunner().invoke(main, [*args, "--format", "json"], input=program)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _programs():
    return [(p.stem, p.read_text(encoding="utf-8")) for p in SAMPLES] + [("every-primitive", EVERY_PRIMITIVE)]


@pytest.mark.parametrize("name,text", _programs(), ids=[n for n, _ in _programs()])
def test_every_commands_json_equals_the_pages(open_page, name, text):
    g = graphdiff.loads(text, "<stdin>")
    o = open_page(g)
    assert o.requests == [o.pg.url] and o.errors == []
    same(cli_json(["eval", "-"], text), o.js("graphdiff.eval()"))
    same(cli_json(["edges", "-"], text), o.js("graphdiff.edges()"))
    for mode in ("reverse", "forward", "paths"):
        want = cli_json(["grad", "-", "--mode", mode, "--trace"], text)
        got = o.js(f"graphdiff.grad('{mode}', {{trace: true}})")
        for doc in (want, got):  # trace texts hold every digit of numbers the tolerance compares
            for s in doc.get("trace", []):
                s.pop("text")
        same(want, got)
    same(cli_json(["cost", "-"], text), o.js("graphdiff.cost()"))
    src, dst = g.names[g.inputs[0]], g.names[g.outputs[-1]]
    same(cli_json(["paths", "-", "--from", src, "--to", dst], text), o.js(f"graphdiff.paths({src!r}, {dst!r}, {{}})"))


def test_a_primitive_registered_in_one_place_works_in_the_page(open_page):
    """The toy row of tests/test_ops.py (name, arity, a value per backend, its partial and domain as text)
    computes in the page what the command line computes, and its fault carries the row's message."""
    from graphdiff.primitives import register, unregister

    from .test_ops import INV, TOY

    register(INV)
    try:
        o = open_page(graphdiff.loads(TOY, "<stdin>"))
        assert o.errors == []
        same(cli_json(["eval", "-"], TOY), o.js("graphdiff.eval()"))
        same(cli_json(["edges", "-"], TOY), o.js("graphdiff.edges()"))
        for mode in ("reverse", "forward", "paths"):
            same(cli_json(["grad", "-", "--mode", mode], TOY), o.js(f"graphdiff.grad('{mode}')"))
        o.js("graphdiff.set('x', 0)")
        want = cli_json(["eval", "-", "--set", "x=0", "--ieee"], TOY)
        got = o.js("graphdiff.eval()")
        assert got["faults"] == want["faults"] and "inv needs a non-zero argument" in got["faults"][0]["message"]
    finally:
        unregister("inv")


@pytest.mark.parametrize("program,point", [("t = atan2(y, x)", {"y": 1e200, "x": 1e200}),
                                           ("t = atan2(y, x)", {"y": -3e-170, "x": 2e-160}),
                                           ("t = erf(x)", {"x": 20.0}), ("t = erf(x)", {"x": 1e-200})])
def test_the_page_computes_the_very_partials_grad_and_derive_compute(open_page, program, point):
    """Issue 20's examples: at 1e200 the partials of atan2 and erf are one double in edges, grad, derive | eval
    and the page (they were 5e-201 in grad and 0 in the page and the derived program)."""
    text = "input " + ", ".join(f"{k} = {v!r}" for k, v in point.items()) + "\n" + program
    edges = cli_json(["edges", "-"], text)["edges"]
    jac = cli_json(["grad", "-"], text)["jacobian"]["t"]
    derived = CliRunner().invoke(main, ["derive", "-", "--mode", "adjoint"], input=text)
    outs = cli_json(["eval", "-"], derived.stdout)["outputs"]
    page_edges = open_page(graphdiff.loads(text, "<stdin>")).js("graphdiff.edges()")["edges"]
    for e, pe in zip(edges, page_edges):
        assert e["partial"] == jac[e["from"]] == outs[f"dt_d{e['from']}"], (e, jac, outs)
        assert pe["partial"] == e["partial"] or math.isclose(pe["partial"], e["partial"], rel_tol=4e-16), (pe, e)
        assert pe["formula"] == e["formula"]


def test_grad_selections_and_set_agree_with_the_cli(open_page):
    g = graphdiff.load(str(ROOT / "samples" / "neuron.gd"))
    o = open_page(g)
    o.js("graphdiff.set('w1', -1.25)")
    want = cli_json(["grad", str(ROOT / "samples" / "neuron.gd"), "--set", "w1=-1.25", "--mode", "forward",
                     "--wrt", "w1", "--wrt", "x2"])
    same(want, o.js("graphdiff.grad('forward', {wrt: ['w1', 'x2']})"))


def test_typing_into_a_control_updates_every_node(open_page):
    o = open_page(graphdiff.load(str(ROOT / "samples" / "backprop.gd")))
    pg = o.pg
    assert pg.text_content("[data-node='e'] .value") == "= 6"
    pg.fill("input[type=number][data-input='a']", "5")
    assert pg.text_content("[data-node='e'] .value") == "= 12"  # (5 + 1) * (1 + 1)
    assert pg.text_content("[data-node='c'] .value") == "= 6"
    assert pg.input_value("input[type=range][data-input='a']") == "5"
    assert o.js("graphdiff.eval().outputs.e") == 12


def test_the_step_controls_visit_the_traces_steps_in_order(open_page):
    path = ROOT / "samples" / "diamond.gd"
    o = open_page(graphdiff.load(str(path)))
    pg = o.pg
    for mode, seed, flag in (("reverse", "z", "--of"), ("forward", "x", "--wrt")):
        trace = cli_json(["grad", str(path), "--mode", mode, flag, seed, "--trace"])["trace"]
        pg.check(f"input[name=view][value={mode}]")
        pg.select_option("#seed", seed)
        visited = []
        for _ in trace:
            pg.click("#step")
            visited.append(pg.get_attribute("#stepinfo", "data-node"))
        assert visited == [s["node"] for s in trace]
        assert pg.text_content("#stepinfo").startswith(f"step {len(trace)} of {len(trace)}")
        pg.click("#back")
        assert pg.get_attribute("#stepinfo", "data-step") == str(len(trace) - 1)
        pg.click("#reset")
        assert pg.get_attribute("#stepinfo", "data-step") == "0"


def test_keyboard_only(open_page):
    o = open_page(graphdiff.load(str(ROOT / "samples" / "backprop.gd")))
    pg = o.pg
    pg.focus("input[type=number][data-input='b']")
    pg.keyboard.press("Control+A")
    pg.keyboard.type("2")
    assert pg.text_content("[data-node='e'] .value") == "= 12"  # a = 2, b = 2: (2 + 2) * (2 + 1)
    pg.focus("input[name=view][value=reverse]")
    pg.keyboard.press("Space")
    pg.focus("body")
    pg.keyboard.press("ArrowRight")
    pg.keyboard.press("ArrowRight")
    assert pg.get_attribute("#stepinfo", "data-step") == "2"
    pg.keyboard.press("Home")
    assert pg.get_attribute("#stepinfo", "data-step") == "0"
    pg.focus("[data-node='b']")
    pg.keyboard.press("Enter")
    assert "de/db" in pg.text_content("#detail")


def test_the_path_count_is_exact_with_3_to_the_200_paths(open_page):
    text = generate("diamonds", stages=200)
    g = graphdiff.loads(text)
    o = open_page(g)
    want = cli_json(["paths", "-", "--from", "x0", "--to", "y", "--count-only"], text)["count"]
    assert want == 3 ** 200
    assert o.js("String(graphdiff.paths('x0', 'y', {limit: 3}).count)") == str(want)
    pg = o.pg
    pg.check("input[name=view][value=paths]")
    pg.select_option("#from", "x0")
    pg.select_option("#to", "y")
    assert pg.get_attribute("#pathinfo p", "data-count") == str(want)


def test_a_fault_is_shown_where_it_enters_with_the_clis_message(open_page):
    text = "input x = 1\nr = log(x - 2)\ny = r * 3"
    o = open_page(graphdiff.loads(text, "<stdin>"))
    r = CliRunner().invoke(main, ["eval", "-"], input=text)
    message = r.stderr.splitlines()[0].split("error: ", 1)[1]
    assert message in o.pg.text_content("#messages")
    assert "fault" in o.pg.get_attribute("[data-node='r']", "class")


def test_above_the_picture_limit_the_page_opens_reduced(open_page):
    text = generate("chain", length=MAX_NODES // 4 + 10)
    g = graphdiff.loads(text)
    assert len(g) > MAX_NODES
    o = open_page(g)
    assert "picture is left out" in o.pg.text_content("#notice")
    same(cli_json(["grad", "-"], text)["jacobian"], o.js("graphdiff.grad('reverse', {}).jacobian"))


def test_the_cli_writes_one_self_contained_file(tmp_path):
    out = tmp_path / "p.html"
    r = CliRunner().invoke(main, ["explore", str(ROOT / "samples" / "backprop.gd"), "-o", str(out)])
    assert r.exit_code == 0
    html = out.read_text()
    assert "<script src" not in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html
    assert "window.GD_MODEL = {" in html and "dataset.node" in html and "G.PARTIALS[" in html
    r = CliRunner().invoke(main, ["explore", str(ROOT / "samples" / "backprop.gd"), "--set", "q=1"])
    assert r.exit_code == 2 and "cannot set 'q'" in r.output


# ---- notebooks -------------------------------------------------------------------------------------------------

def test_results_display_themselves_honouring_include_and_exclude():
    from graphdiff.views.notebook import bundle

    g = graphdiff.load(str(ROOT / "samples" / "backprop.gd"))
    for obj in (g, graphdiff.grad(g), graphdiff.evaluate(g), graphdiff.linearize(g), graphdiff.cost(g),
                graphdiff.between(g, "b", "e"), graphdiff.check(g), graphdiff.path_counts(g)):
        b = bundle(obj)
        assert set(b) == {"image/svg+xml", "text/html", "text/plain"}, type(obj)
        assert b["image/svg+xml"].lstrip().startswith(("<?xml", "<svg")) and "<table>" in b["text/html"]
        assert set(bundle(obj, include=["text/plain"])) == {"text/plain"}
        assert "image/svg+xml" not in bundle(obj, exclude=["image/svg+xml"])
    assert "∂e/∂b" in bundle(graphdiff.grad(g))["text/plain"]
    e = graphdiff.explore(g)
    assert set(e._repr_mimebundle_()) == {"text/html", "text/plain"} and "<iframe srcdoc=" in e._repr_html_()


def test_ipythons_formatter_shows_every_result_once_registered():
    """The result classes hold no display code: the views register it with IPython's formatter."""
    from IPython.core.interactiveshell import InteractiveShell

    from graphdiff.views.notebook import register

    shell = InteractiveShell.instance()
    try:
        assert register(shell)
        g = graphdiff.load(str(ROOT / "samples" / "backprop.gd"))
        for obj in (g, graphdiff.grad(g), graphdiff.linearize(g), graphdiff.hessian(g), graphdiff.eliminate(g)):
            data, _ = shell.display_formatter.format(obj)
            assert {"text/html", "text/plain"} <= set(data), type(obj)
        assert "∂e/∂b" in shell.display_formatter.format(graphdiff.grad(g))[0]["text/plain"]
    finally:
        InteractiveShell.clear_instance()


def test_the_docs_notebook_runs_in_a_real_kernel():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "docs" / "explore.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "docs")}}).execute()
    outs = [c.outputs for c in nb.cells if c.cell_type == "code"]
    assert all(o and all(x.output_type != "error" for x in o) for o in outs)
    first = outs[0][0]["data"]
    assert {"image/svg+xml", "text/html", "text/plain"} <= set(first)
    assert "<iframe srcdoc=" in outs[-1][0]["data"]["text/html"]
    assert "∂e/∂b" in outs[1][0]["data"]["text/plain"]


# ---- the docs' page and screenshot -----------------------------------------------------------------------------

def test_the_gallerys_page_is_the_essays_example_as_explore_writes_it(monkeypatch):
    """docs/backprop-explore.html is what `graphdiff explore samples/backprop.gd` writes today
    (GRAPHDIFF_UPDATE_DOCS=1 rewrites it)."""
    monkeypatch.chdir(ROOT)
    r = CliRunner().invoke(main, ["explore", "samples/backprop.gd"])
    path = ROOT / "docs" / "backprop-explore.html"
    if os.environ.get("GRAPHDIFF_UPDATE_DOCS") == "1":
        path.write_text(r.stdout, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == r.stdout, "run GRAPHDIFF_UPDATE_DOCS=1 python -m pytest tests/test_explore.py"


def test_screenshot(open_page, tmp_path):
    """The README's screenshot, taken by this browser: reverse mode from e, two steps in
    (GRAPHDIFF_UPDATE_DOCS=1 writes it to docs/explore.png)."""
    o = open_page(graphdiff.load(str(ROOT / "samples" / "backprop.gd")))
    pg = o.pg
    pg.set_viewport_size({"width": 1000, "height": 520})
    pg.check("input[name=view][value=reverse]")
    pg.click("#step")
    pg.click("#step")
    pg.click("#graph [data-node='b']")
    out = ROOT / "docs" / "explore.png" if os.environ.get("GRAPHDIFF_UPDATE_DOCS") == "1" else tmp_path / "shot.png"
    pg.screenshot(path=str(out))
    from matplotlib.image import imread

    pixels = imread(str(out))[:, :, :3]
    assert pixels.shape[:2] == (520, 1000)
    colours = {tuple(int(255 * c) for c in px) for px in pixels.reshape(-1, 3)[::7]}

    def near(rgb, tol=12):
        return any(all(abs(a - b) <= tol for a, b in zip(c, rgb)) for c in colours)
    # the picture is drawn: inputs' blue and the output's orange fills, reverse mode's visited (blue) and
    # current (orange) outlines; and the step's text is on the page
    assert near((0xdb, 0xe8, 0xf6)) and near((0xfd, 0xe3, 0xc8)), "no input or output nodes in the screenshot"
    assert near((0x2a, 0x6f, 0xdb)) and near((0xd9, 0x48, 0x0f)), "no visited or current node in the screenshot"
    assert len(colours) > 50


def test_a_nan_derivative_stays_nan_in_the_page(open_page):
    text = "input a = -0.5\nv1 = pow(-1.5, exp(a))\nv2 = v1 * a"
    o = open_page(graphdiff.loads(text, "<stdin>"))
    want = cli_json(["grad", "-", "--ieee"], text)["jacobian"]
    assert want == {"v2": {"a": "NaN"}} and o.js("graphdiff.grad('reverse', {}).jacobian") == want
    assert o.js("graphdiff.grad('paths', {}).jacobian") == want


def test_the_pages_cost_table_formats_ratios_and_shows_elimination(open_page):
    """Issue 21: the page's cost table showed raw ratios (1.75) and no elimination rows; it shows what
    `graphdiff cost` shows now."""
    o = open_page(graphdiff.load(str(ROOT / "samples" / "backprop.gd")))
    o.pg.check("input[name=view][value=cost]")
    rows = o.js("[...document.querySelectorAll('#cost tbody tr')].map((r) => [...r.cells].map((c) => c.textContent))")
    by_mode = {r[0]: r for r in rows}
    assert by_mode["forward"][5] == "1.75×" and by_mode["reverse"][5] == "1.5×" and by_mode["paths"][5] == "1×"
    assert by_mode["elimination, markowitz"][2:5] == ["3", "1", "4"] and by_mode["elimination, markowitz"][5] == "1×"
    assert "ratio against the sum over paths: 4 operations" in o.js("document.querySelector('#cost').textContent")


# ---- the page at real sizes (issue 23) ---------------------------------------------------------------------------

PUBLISHED = sorted((ROOT / "samples" / "published").glob("*.gd"))
SIZES = [(1280, 800), (800, 600)]
MLP = generate("mlp", layers=[2, 3, 1])  # 34 nodes

VISIBLE_TEXTS = """() => {
  const vp = document.querySelector('#viewport').getBoundingClientRect();
  const texts = [...document.querySelectorAll('#graph text')].filter((t) => t.textContent && t.getAttribute('display') !== 'none');
  const boxes = texts.map((t) => [t.textContent, t.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && r.right > vp.left && r.left < vp.right && r.bottom > vp.top && r.top < vp.bottom);
  const clashes = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, p] = boxes[i], [b, q] = boxes[j];
    if (Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1 && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1)
      clashes.push([a, b]);
  }
  return {shown: boxes.length, clashes: clashes.slice(0, 5)};
}"""

IN_VIEW = """(names) => {
  const vp = document.querySelector('#viewport').getBoundingClientRect();
  return names.filter((n) => {
    const r = document.querySelector(`[data-node="${CSS.escape(n)}"] rect`).getBoundingClientRect();
    return !(r.left >= vp.left - 0.5 && r.right <= vp.right + 0.5 && r.top >= vp.top - 0.5 && r.bottom <= vp.bottom + 0.5);
  });
}"""


def settle(o) -> None:
    """Wait for the page's next frames: a zoom places the edge labels in an animation frame."""
    o.js("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _sized(open_page, g, size):
    return open_page(g, size=size)


def _no_clash(o, where):
    r = o.js(VISIBLE_TEXTS)
    assert not r["clashes"], f"{where}: overlapping texts {r['clashes']}"
    return r["shown"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("path", SAMPLES + PUBLISHED, ids=lambda p: p.stem)
def test_the_page_opens_readable_and_no_two_texts_overlap_in_any_view(open_page, path, size):
    g = graphdiff.load(str(path))
    o = _sized(open_page, g, size)
    pg = o.pg
    fit, scale = o.js("document.querySelector('#graph').dataset.fit"), float(o.js("document.querySelector('#graph').dataset.scale"))
    outputs = [g.names[i] for i in g.outputs]
    assert o.js(f"({IN_VIEW})({json.dumps(outputs)})") == [], "outputs out of view after load"
    if fit == "all":
        assert o.js(f"({IN_VIEW})({json.dumps(g.names)})") == [], "fitted, yet nodes out of view"
    else:  # a readable part: the labels at the smallest readable size, the view filled
        assert fit == "part" and len(g) > 5
    font = float(o.js("parseFloat(getComputedStyle(document.querySelector('#graph .label')).fontSize)"))
    if len(g) <= 60:
        assert font * scale >= 11 - 1e-6, f"node labels at {font * scale:.1f} px"
    _no_clash(o, "values")
    pg.check("input[name=view][value=partials]")
    _no_clash(o, "partials")
    shown, hidden = (int(o.js(f"document.querySelector('#graph').dataset.labels{k}")) for k in ("Shown", "Hidden"))
    assert shown + hidden == g.n_edges and (shown >= min(g.n_edges, 5) or scale < 0.7), (shown, hidden, scale)
    for mode in ("forward", "reverse"):
        pg.check(f"input[name=view][value={mode}]")
        for step in range(4):
            pg.click("#step")
            _no_clash(o, f"{mode} step {step + 1}")
    pg.check("input[name=view][value=paths]")
    _no_clash(o, "paths")
    pg.click("#fit")
    for view in ("values", "partials"):
        pg.check(f"input[name=view][value={view}]")
        _no_clash(o, f"{view} after fit")
    assert o.errors == [] and o.requests == [o.pg.url]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_current_step_is_in_view_at_every_step_of_a_reverse_sweep(open_page, size):
    g = graphdiff.loads(MLP, "mlp.gd")
    o = _sized(open_page, g, size)
    pg = o.pg
    pg.check("input[name=view][value=reverse]")
    n = len(cli_json(["grad", "-", "--trace"], MLP)["trace"])
    assert n > 20
    for step in range(1, n + 1):
        pg.click("#step")
        node = pg.get_attribute("#stepinfo", "data-node")
        assert o.js(f"({IN_VIEW})({json.dumps([node])})") == [], f"step {step}: {node} out of view"
    assert pg.get_attribute("#stepinfo", "data-step") == str(n)


def test_a_step_lights_its_edges_and_writes_their_factors(open_page):
    o = open_page(graphdiff.load(str(ROOT / "samples" / "backprop.gd")))
    pg = o.pg
    pg.check("input[name=view][value=reverse]")
    for _ in range(3):
        pg.click("#step")
    assert pg.get_attribute("#stepinfo", "data-node") == "b"
    lit = o.js("[...document.querySelectorAll('#graph .edge.step')].map((e) => e.dataset.from + '>' + e.dataset.to)")
    assert sorted(lit) == ["b>c", "b>d"]
    labels = o.js("[...document.querySelectorAll('#graph .edge-label.step')].filter((t) => t.getAttribute('display') !== 'none').map((t) => t.textContent)")
    assert sorted(labels) == ["∂c/∂b = 1", "∂d/∂b = 1"]
    assert pg.text_content("#equation") == "de/db = de/dc·∂c/∂b + de/dd·∂d/∂b = 2·1 + 3·1 = 5"
    # reached nodes show their derivative, unreached ones their value in grey: never both meanings at once
    assert pg.text_content("#graph [data-node='b'] .value") == "d = 5"
    assert "unreached" in pg.get_attribute("#graph [data-node='a']", "class")
    # the detail follows the mode, and the selection does not outlive the view
    pg.click("#graph [data-node='c']")
    assert "reverse mode from e" in pg.text_content("#detail")
    pg.check("input[name=view][value=forward]")
    assert "selected" not in pg.get_attribute("#graph [data-node='c']", "class")
    pg.click("#step")
    pg.click("#graph [data-node='c']")
    assert "forward mode from a: dc/da = ∂c/∂a·da/da = 1·1 = 1" in pg.text_content("#detail")


def test_zoom_pan_and_fit_by_wheel_drag_keys_and_buttons(open_page):
    o = open_page(graphdiff.load(str(ROOT / "samples" / "published" / "robotarm_6dof.gd")))
    pg = o.pg
    scale = lambda: float(o.js("document.querySelector('#graph').dataset.scale"))  # noqa: E731
    where = lambda: o.js("document.querySelector('#world').getAttribute('transform')")  # noqa: E731
    s0 = scale()
    box = pg.locator("#viewport").bounding_box()
    pg.mouse.move(box["x"] + 300, box["y"] + 200)
    pg.mouse.wheel(0, -300)
    assert scale() > s0 * 1.3
    t = where()
    pg.mouse.move(box["x"] + 30, box["y"] + 300)
    pg.mouse.down()
    pg.mouse.move(box["x"] + 230, box["y"] + 250, steps=5)
    pg.mouse.up()
    assert where() != t
    pg.click("#fit")
    assert o.js(f"({IN_VIEW})({json.dumps(graphdiff.load(str(ROOT / 'samples' / 'published' / 'robotarm_6dof.gd')).names)})") == []
    s1 = scale()
    pg.focus("body")
    pg.keyboard.press("+")
    assert scale() > s1
    pg.keyboard.press("-")
    pg.keyboard.press("-")
    assert scale() < s1
    pg.keyboard.press("0")
    assert abs(scale() - s1) < 1e-6
    pg.click("#zoom-in")
    assert scale() > s1
    pg.click("#actual")
    assert abs(scale() - 1) < 1e-6
    # hidden edge labels come back as you zoom in
    pg.check("input[name=view][value=partials]")
    pg.click("#fit")
    settle(o)
    hidden_fit = int(o.js("document.querySelector('#graph').dataset.labelsHidden"))
    shown_fit = int(o.js("document.querySelector('#graph').dataset.labelsShown"))
    assert hidden_fit > 0
    pg.click("#actual")
    pg.click("#zoom-in")
    pg.click("#zoom-in")
    settle(o)
    assert int(o.js("document.querySelector('#graph').dataset.labelsShown")) > 0
    assert shown_fit + hidden_fit == 190  # every edge has its partial, shown or on hover


def test_vectors_are_one_control_in_order_and_a_filter_finds_names(open_page):
    o = open_page(graphdiff.load(str(ROOT / "samples" / "vector.gd")))
    pg = o.pg
    assert o.js("[...document.querySelectorAll('details.vector[data-name=x] .input-row')].map((r) => r.dataset.name)") == \
        [f"x[{j}]" for j in range(8)]
    # the picture keeps them in order too
    xs = o.js("[...document.querySelectorAll('#graph .node.input')].filter((g) => g.dataset.node.startsWith('x[')).map((g) => [g.dataset.node, g.querySelector('rect').getBBox().x])")
    assert [n for n, _ in sorted(xs, key=lambda p: p[1])] == [f"x[{j}]" for j in range(8)]
    pg.fill("#filter", "w")
    assert o.js("[...document.querySelectorAll('#inputs .input-row')].map((r) => r.dataset.name)") == ["w"]
    assert "found" in pg.get_attribute("#graph [data-node='w']", "class")
    pg.fill("#filter", "peak")
    assert "found" in pg.get_attribute("#graph [data-node='peak']", "class")
    assert o.js(f"({IN_VIEW})(['peak'])") == []
    # the view controls stay on screen however long the list of inputs
    pg.set_viewport_size({"width": 800, "height": 400})
    pg.fill("#filter", "")
    assert o.js("(() => { const r = document.querySelector('#views').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()")


def test_a_big_page_never_lists_thousands_of_inputs(open_page):
    text = "input x[5000] = 0.5\ninput " + ", ".join(f"u{j} = 1" for j in range(3000)) + "\ny = sum(x) + sum(" + ", ".join(f"u{j}" for j in range(3000)) + ")"
    o = open_page(graphdiff.loads(text, "<stdin>"))
    pg = o.pg
    assert o.js("document.querySelectorAll('#inputs .input-row').length") <= 400
    assert "more inputs" in pg.text_content("#inputs")
    pg.fill("#filter", "u2999")
    assert o.js("[...document.querySelectorAll('#inputs .input-row')].map((r) => r.dataset.name)") == ["u2999"]
    pg.fill("#filter", "x[4321]")
    assert o.js("[...document.querySelectorAll('#inputs .input-row')].map((r) => r.dataset.name)") == ["x[4321]"]


def test_the_paths_view_pages_through_many_paths_and_draws_the_chosen_one(open_page):
    text = generate("diamonds", stages=5)
    o = open_page(graphdiff.loads(text, "<stdin>"))
    pg = o.pg
    pg.check("input[name=view][value=paths]")
    pg.select_option("#from", "x0")
    pg.select_option("#to", "y")
    assert pg.get_attribute("#pathinfo p", "data-count") == "243"
    assert o.js("document.querySelectorAll('#pathinfo li').length") == 50
    assert "paths 1–50 of 243" in pg.text_content("#pathinfo .pager")
    pg.click("text=next 50")
    assert "paths 51–100 of 243" in pg.text_content("#pathinfo .pager")
    pg.click("#pathinfo li:nth-child(3)")
    want = cli_json(["paths", "-", "--from", "x0", "--to", "y", "--limit", "53"], text)["paths"][52]["nodes"]
    lit = o.js("[...document.querySelectorAll('#graph .edge.on-path')].map((e) => [e.dataset.from, e.dataset.to])")
    assert sorted(lit) == sorted([a, b] for a, b in zip(want, want[1:]))
    assert o.js("[...document.querySelectorAll('#graph .edge.on-path')].every((e) => e.getAttribute('marker-end') === 'url(#arrow-on)')")


@pytest.mark.parametrize("name,program,size,view,steps", [
    ("explore-mlp.png", MLP, (1280, 800), "reverse", 9),
    ("explore-robotarm.png", ROOT / "samples" / "published" / "robotarm_6dof.gd", (1280, 800), "partials", 0),
    ("explore-vector-800.png", ROOT / "samples" / "vector.gd", (800, 600), "forward", 2),
], ids=["mlp", "robotarm", "vector-800"])
def test_gallery_screenshots_at_real_sizes(open_page, tmp_path, name, program, size, view, steps):
    """The gallery's pictures of the page at real sizes, taken by this browser (GRAPHDIFF_UPDATE_DOCS=1 writes
    them to docs/): a 34-node MLP in reverse mode, the 120-node robot arm's edge partials after zooming in on its
    outputs, vector.gd in forward mode in an 800×600 window."""
    g = graphdiff.loads(program, "mlp.gd") if isinstance(program, str) else graphdiff.load(str(program))
    o = open_page(g, size=size)
    pg = o.pg
    pg.check(f"input[name=view][value={view}]")
    for _ in range(steps):
        pg.click("#step")
    if name == "explore-robotarm.png":
        pg.click("#actual")
    out = ROOT / "docs" / name if os.environ.get("GRAPHDIFF_UPDATE_DOCS") == "1" else tmp_path / name
    pg.screenshot(path=str(out))
    from matplotlib.image import imread

    pixels = imread(str(out))[:, :, :3]
    assert pixels.shape[:2] == (size[1], size[0])
    assert _no_clash(o, name) > 10
    assert o.errors == []


def test_a_big_page_draws_one_nodes_neighbourhood_and_moves_with_the_reader(open_page):
    text = generate("chain", length=MAX_NODES // 4 + 10)
    g = graphdiff.loads(text, "chain.gd")
    assert len(g) > MAX_NODES
    o = open_page(g, size=(1280, 800))
    pg = o.pg
    assert "neighbourhood" in pg.text_content("#notice")
    last = g.names[g.outputs[-1]]
    assert pg.get_attribute("#graph", "data-centre") == last
    drawn = o.js("[...document.querySelectorAll('#graph .node')].map((n) => n.dataset.node)")
    assert last in drawn and 3 <= len(drawn) <= 45
    assert o.js(f"({IN_VIEW})({json.dumps(drawn)})") == []
    _no_clash(o, "neighbourhood")
    # the filter finds a node far away: the neighbourhood moves there
    pg.fill("#filter", "h7")
    assert pg.get_attribute("#graph", "data-centre") == "h7"
    assert "found" in pg.get_attribute("#graph [data-node='h7']", "class")
    # a click on an operand moves there too, and every drawn edge joins two drawn nodes
    operand = o.js("[...document.querySelectorAll('#graph .edge')].find((e) => e.dataset.to === 'h7').dataset.from")
    pg.click(f"#graph [data-node='{operand}']")
    assert pg.get_attribute("#graph", "data-centre") == operand
    assert o.js("[...document.querySelectorAll('#graph .edge')].every((e) => document.querySelector(`#graph [data-node=\"${CSS.escape(e.dataset.from)}\"]`) && document.querySelector(`#graph [data-node=\"${CSS.escape(e.dataset.to)}\"]`))")
    # values in the neighbourhood are the command line's
    want = cli_json(["eval", "-"], text)["values"]["h7"]
    assert float(pg.get_attribute("#graph [data-node='h7']", "data-value")) == pytest.approx(want, rel=1e-12)
    assert o.errors == []


def test_a_program_without_inputs_steps_nowhere_and_says_why(open_page):
    o = open_page(graphdiff.loads("y = 2 * 3", "const.gd"))
    pg = o.pg
    pg.check("input[name=view][value=forward]")
    pg.click("#step")
    assert pg.text_content("#stepinfo") == "no inputs: forward mode has no node to start from"
    pg.check("input[name=view][value=reverse]")
    pg.click("#step")
    assert pg.text_content("#stepinfo").startswith("step 0 of 0")  # y's operands are numbers: nothing to visit
    assert o.errors == []


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_stepping_a_big_graph_zooms_in_until_the_step_can_be_read(open_page, size):
    """The robot arm (120 nodes) opens small enough to show its outputs; its first step zooms in to a readable
    size around the step's node, and every later step stays readable and in view."""
    g = graphdiff.load(str(ROOT / "samples" / "published" / "robotarm_6dof.gd"))
    o = open_page(g, size=size)
    pg = o.pg
    assert float(pg.get_attribute("#graph", "data-scale")) * 12 < 11
    pg.check("input[name=view][value=reverse]")
    for step in range(1, 9):
        pg.click("#step")
        settle(o)
        node = pg.get_attribute("#stepinfo", "data-node")
        assert float(pg.get_attribute("#graph", "data-scale")) * 12 >= 11 - 1e-6
        assert o.js(f"({IN_VIEW})({json.dumps([node])})") == [], f"step {step}: {node} out of view"
