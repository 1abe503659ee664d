"""The compiled-graph cache: a large file's graph is kept and loaded instead of parsed; small files, -e and
standard input skip it; it can be turned off; an edited file never meets a stale entry; a truncated,
corrupted, foreign or hostile entry is ignored and rewritten, never trusted and never a crash; writes are
atomic; the folder stays within its bound."""
from __future__ import annotations

import json
import os
import subprocess
import time
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

import graphdiff
from graphdiff.language import cache
from graphdiff.language import parse
from graphdiff.cli import main
from graphdiff.language.gen import generate

FIELDS = ("names", "ops", "args", "texts", "kinds", "lines", "cols", "defaults", "vectors", "inputs", "outputs",
          "edge_src", "edge_dst", "edge_arg", "edge_start", "faults", "const_nodes")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("GRAPHDIFF_CACHE_DIR", str(d))
    monkeypatch.delenv("GRAPHDIFF_CACHE", raising=False)
    return d


@pytest.fixture
def big(tmp_path) -> Path:
    """A program above the cache's threshold, with vectors, defaults, constants and a constant fault."""
    p = tmp_path / "big.gd"
    body = generate("chain", length=12_000, seed=3)
    p.write_text("input v[3] = 0.25\nk = 2 * 3\nq = sum(v) * (1 + 0.5) + log(2)\nz = 1/0 + v[1]\n" + body,
                 encoding="utf-8")
    assert p.stat().st_size >= cache.MIN_BYTES
    return p


def entries(d: Path) -> list[Path]:
    return sorted(d.glob("*.gdc")) if d.exists() else []


def no_parsing(monkeypatch):
    real = parse.parse

    def refuse(text):
        if text.startswith("_gd_r = "):  # a row's formula template (codegen.formula), not the program
            return real(text)
        raise AssertionError("parsed although the cache holds the graph")

    monkeypatch.setattr(parse, "parse", refuse)  # graph.loads imports it from there when it parses


def test_the_second_load_comes_from_the_cache_and_is_the_same_graph(folder, big, monkeypatch):
    g = graphdiff.load(big)
    assert len(entries(folder)) == 1
    no_parsing(monkeypatch)
    h = graphdiff.load(big)
    assert all(getattr(g, f) == getattr(h, f) for f in FIELDS)
    assert graphdiff.evaluate(h, ieee=True).values == graphdiff.evaluate(g, ieee=True).values
    assert h.node("q") == g.node("q") and h.index == g.index
    with pytest.raises(AttributeError):
        h.names = []  # read-only as any graph


@pytest.mark.parametrize("command", [["grad", "--ieee"], ["eval", "--ieee"], ["edges", "--ieee"], ["info"],
                                     ["cost"], ["paths", "--from", "w", "--to", "y", "--count-only"]])
def test_commands_print_the_same_cold_and_warm(folder, big, command):
    cold = CliRunner().invoke(main, [*command, str(big), "--format", "json"])
    warm = CliRunner().invoke(main, [*command, str(big), "--format", "json"])
    assert cold.exit_code == warm.exit_code == 0 and cold.stdout == warm.stdout
    assert cold.stderr == warm.stderr  # the constant fault is reported from the cached graph too


def test_errors_after_loading_point_at_the_source_line(folder, big):
    for _ in range(2):  # cold, then warm
        r = CliRunner().invoke(main, ["eval", str(big)])
        assert r.exit_code == 1
        assert r.stderr.splitlines()[:3] == [
            f"{big}:4:5: error: division by zero: the constant expression 1 / 0 = inf (node 'z')",
            "  z = 1/0 + v[1]", "      ^"]


def test_small_files_expressions_and_stdin_skip_the_cache(folder, tmp_path):
    small = tmp_path / "small.gd"
    small.write_text("c = a + b; d = b + 1; e = c * d\n")
    for args, stdin in ((["grad", str(small), "--set", "a=2", "--set", "b=1"], None),
                        (["grad", "-e", "y = 2 * x", "--set", "x=1"], None),
                        (["grad", "-"], generate("chain", length=12_000))):
        assert CliRunner().invoke(main, args, input=stdin).exit_code == 0
    assert entries(folder) == []


def test_it_can_be_turned_off(folder, big, monkeypatch):
    assert CliRunner().invoke(main, ["info", str(big), "--no-cache"]).exit_code == 0
    monkeypatch.setenv("GRAPHDIFF_CACHE", "0")
    assert CliRunner().invoke(main, ["info", str(big)]).exit_code == 0
    assert graphdiff.load(big) is not None and entries(folder) == []
    monkeypatch.setenv("GRAPHDIFF_CACHE", "1")
    graphdiff.load(big, cache=False)
    assert entries(folder) == []
    graphdiff.load(big)
    assert len(entries(folder)) == 1


def test_an_edited_file_never_meets_a_stale_entry(folder, big):
    before = graphdiff.evaluate(graphdiff.load(big), ieee=True)["y"]
    big.write_text(big.read_text().replace("input w = 0.5", "input w = 0.25"))
    after = graphdiff.evaluate(graphdiff.load(big), ieee=True)["y"]
    assert after != before and len(entries(folder)) == 2
    assert after == graphdiff.evaluate(graphdiff.load(big, cache=False), ieee=True)["y"]


def _damaged(data: bytes) -> dict[str, bytes]:
    header = cache._HEADER.size
    return {"truncated": data[: len(data) // 2], "header only": data[:header], "empty": b"",
            "a flipped byte": data[:-100] + bytes([data[-100] ^ 1]) + data[-99:],
            "foreign": os.urandom(len(data)), "another format": data[:16] + b"\x09" + data[17:],
            "another version": data[:header] + b"9.9.9" + data[header + 5:]}


@pytest.mark.parametrize("damage", list(_damaged(b"x" * 200)))
def test_a_damaged_entry_is_ignored_and_rewritten(folder, big, damage):
    g = graphdiff.load(big)
    [entry] = entries(folder)
    entry.write_bytes(_damaged(entry.read_bytes())[damage])
    h = graphdiff.load(big)  # no crash, and the right graph
    assert all(getattr(g, f) == getattr(h, f) for f in FIELDS)
    assert entry.read_bytes()[:16] == cache.MAGIC and cache.decode(entry.read_bytes(), cache.key(big.read_bytes()),
                                                                   str(big), None).names == g.names


def _hostile(g: graphdiff.Graph, how: str) -> graphdiff.Graph:
    """A graph no program builds, to be written with a valid checksum: the cache must refuse it."""
    bad = graphdiff.Graph(g.source, g.text)
    bad.__dict__.update({f: list(getattr(g, f)) if isinstance(getattr(g, f), list) else getattr(g, f)
                         for f in FIELDS if f not in ("defaults", "vectors")})
    bad.__dict__.update(defaults=dict(g.defaults), vectors=dict(g.vectors))
    i = len(g.inputs) + 5
    if how == "an operand after its node":
        bad.args[i] = (len(g) - 1,) * len(g.args[i])
    elif how == "an unknown operation":
        bad.ops[i] = "launch_missiles"
    elif how == "too few operands":
        j = g.ops.index("tanh")
        bad.args[j] = ()
    elif how == "an input in the middle":
        bad.ops[i] = "input"
    elif how == "an output out of range":
        bad.outputs.append(10 ** 9)
    elif how == "a constant out of range":
        bad.args[i] = (-10 ** 6,) + bad.args[i][1:]
    elif how == "a vector beyond the inputs":
        bad.vectors["v"] = (0, 10 ** 9)
    elif how == "a text missing":  # the texts are split only when asked, but counted on load
        bad.texts.pop()
    return bad


@pytest.mark.parametrize("how", ["an operand after its node", "an unknown operation", "too few operands",
                                 "an input in the middle", "an output out of range", "a constant out of range",
                                 "a vector beyond the inputs", "a text missing"])
def test_a_hostile_entry_with_a_valid_checksum_is_refused(folder, big, how):
    g = graphdiff.load(big)
    [entry] = entries(folder)
    k = cache.key(big.read_bytes())
    entry.write_bytes(cache.encode(_hostile(g, how), k))
    with pytest.raises(cache.CacheMiss):
        cache.decode(entry.read_bytes(), k, str(big), None)
    h = graphdiff.load(big)
    assert all(getattr(g, f) == getattr(h, f) for f in FIELDS)


def test_concurrent_runs_are_safe(folder, big):
    exe = str(Path(sys.executable).parent / "graphdiff")
    env = {**os.environ, "GRAPHDIFF_CACHE_DIR": str(folder)}

    def run(_):
        return subprocess.run([exe, "grad", str(big), "--ieee", "--format", "json"], capture_output=True,
                              text=True, env=env)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, range(4)))
    assert all(r.returncode == 0 for r in results) and len({r.stdout for r in results}) == 1
    # the first run also started a detached compile of the program (issue 22): it writes its own temporary
    # file and renames it; wait for it (its lock file) before holding the folder free of temporary files
    deadline = time.monotonic() + 120
    while any(p.suffix == ".lock" for p in folder.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(entries(folder)) == 1 and not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]
    assert json.loads(results[0].stdout)["jacobian"]


def test_the_folder_stays_within_its_bound(folder, tmp_path, monkeypatch):
    files = []
    for n in range(3):
        p = tmp_path / f"f{n}.gd"
        p.write_text(generate("chain", length=12_000, seed=n))
        files.append(p)
    graphdiff.load(files[0])
    size = entries(folder)[0].stat().st_size
    monkeypatch.setenv("GRAPHDIFF_CACHE_MAX_MB", str(2.5 * size / 1e6))
    first = cache._path(cache.key(files[0].read_bytes()))
    for p in files[1:]:
        os.utime(first, (1, 1))  # the first file's entry is the least recently used
        graphdiff.load(p)
    kept = entries(folder)
    assert len(kept) == 2 and first not in kept


def test_an_unwritable_cache_is_not_an_error(big, tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("GRAPHDIFF_CACHE_DIR", str(blocked / "cache"))
    r = CliRunner().invoke(main, ["info", str(big), "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["nodes"] > 40_000


def test_a_registered_function_changes_the_key(folder, big):
    before = cache.key(big.read_bytes())
    graphdiff.register(graphdiff.Primitive("twice", 1, {"python": "2 * {0}"}, partials=("2",), call="twice"))
    try:
        assert cache.key(big.read_bytes()) != before
    finally:
        graphdiff.unregister("twice")


def test_a_cached_graph_copies_and_pickles_like_a_parsed_one(folder, big):
    import copy
    import pickle

    graphdiff.load(big)
    g = graphdiff.load(big)  # from the cache: columns laid out when first asked, over the mapped file
    assert "_lazy" in g.__dict__
    h = copy.copy(g)
    assert h.ops == g.ops and h.texts == g.texts  # each lays out its own
    for other in (copy.deepcopy(g), pickle.loads(pickle.dumps(g))):
        assert all(getattr(other, f) == getattr(g, f) for f in FIELDS)
    r = graphdiff.grad(g, ieee=True)
    assert pickle.loads(pickle.dumps(r)).jacobian == r.jacobian
