"""Compiled programs and many points at once (issue 22): the generated code computes the interpreter's very
doubles on every sample, random programs of every primitive and the differential test's programs; compiled
programs kept with the cache are used by later commands and a damaged one is ignored; --points answers every
point as the single-point command does (errors and all), streamed, from a file or standard input; plot draws
values and derivatives across inputs; a Dask cluster on the loopback address answers as the local run does,
even when a worker dies mid-run."""
from __future__ import annotations

import csv
import io
import json
import math
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings

import graphdiff
from graphdiff.cli import main
from graphdiff.codegen.program import build, source
from graphdiff.base.notation import partial

from .conftest import ROOT
from .strategies import programs

SAMPLES = sorted((ROOT / "samples").glob("*.gd")) + sorted((ROOT / "samples" / "published").glob("*.gd"))


def _compiled_and_interpreted(g: graphdiff.Graph, at: dict | None = None, ieee: bool = False):
    """Values, partials and kinks by the generated program, and by the interpreter (or the fault both meet)."""
    try:
        lin = graphdiff.linearize(g, at, ieee=ieee)
    except graphdiff.ComputeError:
        lin = None
    prog = build(source(g))
    v = [0.0] * len(g)
    for i, x in zip(g.inputs, graphdiff.bind(g, at, ieee=ieee)):
        v[i] = x
    p = [0.0] * g.n_edges
    try:
        kinks = prog.run(v, p)
    except (ArithmeticError, ValueError):
        return None, lin  # the program stops at a fault; the interpreter says what it is
    return (v, p, kinks), lin


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_compiled_programs_compute_the_interpreters_doubles_on_every_sample(path):
    g = graphdiff.load(str(path), cache=False)
    got, lin = _compiled_and_interpreted(g)
    assert got is not None and lin is not None
    v, p, kinks = got
    assert all(map(_same, v, lin.values)) and all(map(_same, p, lin.partials))
    assert [g.names[i] for i in kinks] == [w.node for w in lin.warnings]


@settings(max_examples=int(os.environ.get("GRAPHDIFF_FUZZ_EXAMPLES", 60)), deadline=None)
@given(programs())
def test_compiled_programs_compute_the_interpreters_doubles_on_random_programs(program):
    text, values = program
    g = graphdiff.loads(text)
    got, lin = _compiled_and_interpreted(g, values, ieee=True)
    if got is None:  # it raised: the interpreter faults there too (or, with --ieee, lets it through)
        return
    v, p, _ = got
    assert lin is not None
    assert all(map(_same, v, lin.values)), text
    assert all(map(_same, p, lin.partials)), text


def test_compiled_programs_compute_the_interpreters_doubles_on_the_differential_programs():
    from .test_differential import EDGES, _program

    rng = random.Random(7)
    checked = 0
    for k in range(60):
        text, names = _program(rng)
        g = graphdiff.loads(text)
        for x in EDGES:
            at = {n: x for n in names}
            try:
                graphdiff.bind(g, at)
            except graphdiff.GraphdiffError:
                continue
            got, lin = _compiled_and_interpreted(g, at)
            if got is None or lin is None:
                assert got is None or lin is None
                continue
            v, p, _ = got
            assert all(map(_same, v, lin.values)) and all(map(_same, p, lin.partials)), (text, x)
            checked += 1
    assert checked > 100


# ---- kept with the cache --------------------------------------------------------------------------------------

@pytest.fixture
def big(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHDIFF_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "chain.gd"
    path.write_text("input h0 = 0.5\n" + "".join(f"h{i} = tanh(0.9 * h{i - 1} + 0.1)\n" for i in range(1, 9001)),
                    encoding="utf-8")
    return path


def test_a_compiled_program_is_kept_with_the_cache_and_used_next_time(big, tmp_path, monkeypatch):
    from graphdiff.codegen import stored

    monkeypatch.setenv("GRAPHDIFF_COMPILE", "now")
    first = graphdiff.grad(graphdiff.load(str(big)), of=["h9000"])
    progs = list((tmp_path / "cache").glob("*.gdp"))
    assert len(progs) == 1
    g = graphdiff.load(str(big))
    assert stored.ready(g) is not None  # decoded from the file
    second = graphdiff.grad(g, of=["h9000"])
    assert second.jacobian == first.jacobian and second.lin.values == first.lin.values
    # a damaged file is ignored (and written again), never trusted
    data = bytearray(progs[0].read_bytes())
    data[-10] ^= 0xFF
    progs[0].write_bytes(bytes(data))
    g = graphdiff.load(str(big))
    assert stored._decode(bytes(data), g.n_edges) is None
    # a sound file whose fixed partials lie beyond the graph's edges is refused too
    from graphdiff.codegen.program import Source

    assert stored._decode(stored._encode(Source("python", [], {}, {g.n_edges: 1.0}), []), g.n_edges) is None
    assert stored._decode(stored._encode(Source("python", [], {}, {0: 1.0}), []), g.n_edges) is not None
    assert graphdiff.grad(g, of=["h9000"]).jacobian == first.jacobian


def test_the_background_compile_writes_the_program_and_the_command_answers_at_once(big, tmp_path, monkeypatch):
    monkeypatch.delenv("GRAPHDIFF_COMPILE", raising=False)
    env = {**os.environ, "GRAPHDIFF_CACHE_DIR": str(tmp_path / "cache")}
    exe = str(Path(sys.executable).with_name("graphdiff"))
    r = subprocess.run([exe, "grad", str(big), "--of", "h9000", "--format", "json"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0
    import time

    for _ in range(120):  # the detached compiler finishes on its own
        if list((tmp_path / "cache").glob("*.gdp")) and not list((tmp_path / "cache").glob("*.lock")):
            break
        time.sleep(0.5)
    assert list((tmp_path / "cache").glob("*.gdp"))
    again = subprocess.run([exe, "grad", str(big), "--of", "h9000", "--format", "json"], capture_output=True,
                           text=True, env=env, timeout=120)
    assert again.stdout == r.stdout


# ---- --points -------------------------------------------------------------------------------------------------

def _points(n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return "a,b\n" + "".join(f"{rng.uniform(-3, 3)!r},{rng.uniform(-3, 3)!r}\n" for _ in range(n))


def test_points_answer_every_point_as_the_single_point_command_does(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text(_points(300), encoding="utf-8")
    r = CliRunner().invoke(main, ["grad", str(ROOT / "samples" / "backprop.gd"), "--points", str(f), "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 300 and list(rows[0]) == ["point", "a", "b", "e", "∂e/∂a", "∂e/∂b", "error"]
    g = graphdiff.load(str(ROOT / "samples" / "backprop.gd"))
    for row in rows:
        one = graphdiff.grad(g, {"a": float(row["a"]), "b": float(row["b"])})
        assert float(row["∂e/∂a"]) == one["e", "a"] and float(row["∂e/∂b"]) == one["e", "b"]
        assert float(row["e"]) == one.lin.values[g.node("e")] and row["error"] == ""


@pytest.mark.parametrize("what", ["eval", "grad", "edges", "hessian"])
@pytest.mark.parametrize("path", [p for p in SAMPLES if p.stem in ("neuron", "rnn", "vector", "roeflux_1d")],
                         ids=lambda p: p.stem)
def test_points_agree_with_single_point_runs_to_the_precision_guarantee(what, path):
    g = graphdiff.load(str(path))
    rng = random.Random(3)
    base = {g.names[i]: g.defaults.get(i, 0.5) for i in g.inputs}
    pts = [(k, {n: x * (1 + 0.2 * rng.uniform(-1, 1)) for n, x in base.items()}) for k in range(12)]
    of = [g.names[g.outputs[0]]] if what == "hessian" else None
    for (line, pt), row in zip(pts, graphdiff.at_points(g, pts, what, of=of)):
        if row.error:
            continue
        if what == "eval":
            want = {g.names[o]: graphdiff.evaluate(g, pt)[g.names[o]] for o in g.outputs}
            got = row.outputs
        elif what == "edges":
            lin = graphdiff.linearize(g, pt)
            want, got = dict(zip(range(g.n_edges), lin.partials)), dict(enumerate(row.entries.values()))
        elif what == "grad":
            r = graphdiff.grad(g, pt)
            want = {partial(g.names[o], g.names[i]): r[o, i] for o in g.outputs for i in g.inputs}
            got = row.entries
        else:
            h = graphdiff.hessian(g, pt, of=of[0])
            want = {(a, b): h[a, b] for a in h.inputs for b in h.inputs}
            got = dict(zip(want, row.entries.values()))
        # second derivatives of the Roe flux cancel: the sweeps' orders of summation differ (one dense sweep over
        # arrays, the heap's order for one point), and rounding moves them by their conditioning
        tol = 1e-10 if what == "hessian" else 1e-13
        for k, w in want.items():
            assert math.isclose(got[k], w, rel_tol=tol, abs_tol=1e-14 * (1 + abs(w))), (what, k, got[k], w)


def test_a_faulting_point_gets_its_error_in_its_row_and_the_exit_code_says_so(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("x\n1\n-1\n0\n2\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["eval", "-e", "y = log(x) + sqrt(x)", "--points", str(f), "--format", "csv"])
    assert r.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["error"] for row in rows] == [
        "", "line 1, col 5: log needs a positive argument: log(x) = nan with x = -1 (node 'log(x)')",
        "line 1, col 5: log needs a positive argument: log(x) = -inf with x = 0 (node 'log(x)')", ""]
    assert float(rows[3]["y"]) == math.log(2) + math.sqrt(2)
    assert "2 of 4 points faulted (point 1, 2)" in r.stderr
    ieee = CliRunner().invoke(main, ["eval", "-e", "y = log(x) + sqrt(x)", "--points", str(f), "--format", "csv",
                                     "--ieee"])
    assert ieee.exit_code == 0


def test_points_read_json_lines_from_standard_input_and_vectors_and_defaults():
    text = '{"w1": 0.3}\n{"w1": -1, "x1": 2}\n\n{"target": 0}\n'
    r = CliRunner().invoke(main, ["grad", str(ROOT / "samples" / "neuron.gd"), "--points", "-", "--format", "json"],
                           input=text)
    assert r.exit_code == 0, r.output
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    g = graphdiff.load(str(ROOT / "samples" / "neuron.gd"))
    for doc, pt in zip(docs, [{"w1": 0.3}, {"w1": -1, "x1": 2}, {"target": 0}]):
        one = graphdiff.grad(g, pt)
        assert doc["derivatives"]["∂loss/∂w1"] == one["loss", "w1"]
        assert doc["inputs"] == {k: float(v) for k, v in pt.items()}  # what the point gives; the rest: defaults
    v = CliRunner().invoke(main, ["grad", "-e", "input x[3] = 1; y = prod(x)", "--points", "-", "--format", "csv"],
                           input='{"x": [1, 2, 3]}\n{"x": 2}\n')
    rows = list(csv.DictReader(io.StringIO(v.stdout)))
    assert [rows[0]["∂y/∂x[0]"], rows[1]["∂y/∂x[2]"]] == ["6", "4"]


@pytest.mark.parametrize("text,message", [
    ("a,b\n1,x\n", "value of 'b' is not a number: 'x'"),
    ("a,q\n1,2\n", "cannot set 'q': it is not an input of the program"),
    ("a,b\n1\n", "1 values for the header's 2 columns"),
    ('{"a": 1}\n[1]\n', "a point must be a JSON object"),
])
def test_bad_points_are_bad_input_with_the_line(text, message):
    r = CliRunner().invoke(main, ["grad", str(ROOT / "samples" / "backprop.gd"), "--points", "-"], input=text)
    assert r.exit_code == 2 and message in r.stderr, r.output


def test_the_table_summarises_the_points(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text(_points(50), encoding="utf-8")
    r = CliRunner().invoke(main, ["grad", str(ROOT / "samples" / "backprop.gd"), "--points", str(f)])
    assert r.exit_code == 0
    assert "50 points" in r.stdout and "∂e/∂b" in r.stdout and "0 faulted" in r.stdout


# ---- plot ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args,fmt", [
    (["samples/rnn.gd", "--vary", "w=0:3", "--of", "h1", "--of", "h6", "--wrt", "h0", "--log"], "png"),
    (["-e", "y = relu(x) * log(x + 1)", "--vary", "x=-2:2"], "svg"),
    (["samples/neuron.gd", "--vary", "w1=-2:2:21", "--vary", "w2=-2:2:21", "--of", "loss", "--wrt", "w1"], "png"),
])
def test_plot_draws_values_and_derivatives_across_inputs(args, fmt, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / f"p.{fmt}"
    r = CliRunner().invoke(main, ["plot", *args, "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = out.read_bytes()
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        from matplotlib.image import imread

        assert imread(str(out)).shape[1] > 500
    else:
        text = data.decode()
        assert text.lstrip().startswith("<?xml") and "<svg" in text
        assert "51 faulted" in text.replace("\u2009", " ") or "faulted" in text  # x < -1: log(x + 1) faults


def test_plot_refuses_what_it_cannot_draw(tmp_path):
    r = CliRunner().invoke(main, ["plot", "-e", "y = x * z", "--vary", "q=0:1", "-o", str(tmp_path / "p.png")])
    assert r.exit_code == 2 and "--vary q: not an input" in r.stderr
    r = CliRunner().invoke(main, ["plot", "-e", "y = x", "--vary", "x=1:0", "-o", str(tmp_path / "p.png")])
    assert r.exit_code == 2 and "LOW must be less than HIGH" in r.stderr
    r = CliRunner().invoke(main, ["plot", "-e", "y = x", "--vary", "x=0:1", "-o", str(tmp_path / "p.pdf")])
    assert r.exit_code == 2 and "plot writes .png or .svg" in r.stderr


# ---- Dask ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                                 processes=True, silence_logs=40)
    client = distributed.Client(c)
    yield c, client
    client.close()
    c.close()


def test_a_dask_cluster_answers_as_the_local_run_does(cluster, tmp_path):
    from graphdiff.analyses.distribute import at_points_on
    from graphdiff.analyses.points import Points
    from graphdiff.language.points import points_from_text

    _, client = cluster
    g = graphdiff.load(str(ROOT / "samples" / "neuron.gd"))
    pts = points_from_text(_points(400).replace("a,b", "w1,w2"))
    job = Points(g, "grad")
    local = [r.to_dict() for r in job.run(pts)]
    remote = [r.to_dict() for r in at_points_on(client, job, pts, 37)]
    assert remote == local


def test_a_worker_killed_mid_run_and_every_point_is_still_answered_once(cluster):
    import threading

    from graphdiff.analyses.distribute import at_points_on
    from graphdiff.analyses.points import Points
    from graphdiff.language.points import points_from_text

    c, client = cluster
    g = graphdiff.load(str(ROOT / "samples" / "rnn.gd"))
    pts = points_from_text("w,h0\n" + "".join(f"{0.01 * k},{0.1}\n" for k in range(3000)))
    job = Points(g, "hessian", of=["h6"])
    want = [r.to_dict() for r in job.run(pts)]
    rows = []
    killed = threading.Event()
    for r in at_points_on(client, job, pts, 20):
        rows.append(r.to_dict())
        if len(rows) == 200 and not killed.is_set():  # mid-run: one worker's process is killed
            pids = client.run(os.getpid)
            os.kill(next(iter(pids.values())), signal.SIGKILL)
            killed.set()
    assert killed.is_set()
    assert [r["point"] for r in rows] == list(range(3000))
    assert rows == want


def test_no_background_compile_is_forked_from_a_process_with_other_threads(big, tmp_path, monkeypatch):
    """A fork copies only the calling thread: from a process with others running (a notebook's kernel, a thread
    pool) graphdiff never forks a compiler; it answers by the interpreter, the same doubles."""
    import threading

    from graphdiff.codegen import stored

    monkeypatch.delenv("GRAPHDIFF_COMPILE", raising=False)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        g = graphdiff.load(str(big))
        assert stored.ready(g) is None
        r = graphdiff.grad(g, of=["h9000"])
    finally:
        stop.set()
        other.join()
    folder = tmp_path / "cache"
    assert not list(folder.glob("*.lock")) and not list(folder.glob("*.gdp"))
    assert r.to_dict()["jacobian"] == graphdiff.grad(graphdiff.loads(big.read_text()), of=["h9000"]).to_dict()["jacobian"]


def test_a_compiled_program_kept_without_positions_still_shows_a_traceback():
    """The kept code objects say "no location" for every instruction (a fifth of their size): a failure inside
    them (here a value that is no number) still formats, as ``--traceback`` would print it."""
    import traceback

    from graphdiff.codegen.program import build, compiled, source

    g = graphdiff.loads("input x = 1; y = x * 2; z = exp(y) + 1")
    src = source(g)
    prog = build(src, compiled(src))
    v = [0.0] * len(g)
    assert prog.run(v, [0.0] * g.n_edges) == [] and v[g.node("z")] == math.exp(0.0) + 1
    with pytest.raises(TypeError) as e:
        prog.run([None] * len(g), [0.0] * g.n_edges)
    text = "".join(traceback.format_exception(e.value))
    assert 'File "<graphdiff program 0>", line None, in _c0' in text and "TypeError: unsupported operand" in text


def test_a_program_binds_the_module_functions_it_calls_however_deep_in_its_code():
    """``math.sqrt(`` in a row's template is called as ``_math_sqrt(``; a template that calls it inside a
    generator expression (a code object inside the chunk's function) gets it bound too."""
    from graphdiff.codegen.program import Source, build, compiled

    text = "def _c0(v, p, K):\n    x0 = sum(_math_sqrt(t) for t in [v[0], 4.0])\n    v[1:2] = [x0]\n"
    src = Source("python", [text])
    for prog in (build(src), build(src, compiled(src))):
        v = [9.0, 0.0]
        prog.run(v, [])
        assert v == [9.0, 5.0]
