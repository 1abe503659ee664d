"""Parsing in two processes (parse(text, jobs=2)) builds exactly the Program, or raises exactly the error, that
one process does."""
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import graphdiff.parse as P
from graphdiff.errors import GraphdiffError
from graphdiff.gen import generate
from graphdiff.graph import loads

from .test_fuzz import mutated_samples, token_soup, well_formed
from .test_parse_plugin import ERRORS_AND_OTHERS, STRAIGHT, _dump

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.gd"))

pytestmark = pytest.mark.skipif(not P.can_fork(), reason="needs os.fork and two cores")


@pytest.fixture(autouse=True)
def split_everything(monkeypatch):
    monkeypatch.setattr(P, "PARALLEL_MIN_CHARS", 0)


def _result(text, jobs):
    try:
        return _dump(P.parse(text, jobs=jobs))
    except GraphdiffError as e:
        return (type(e).__name__, e.line, e.col, e.message)


def _same(text):
    assert _result(text, 2) == _result(text, 1)


def test_the_halves_are_joined_when_they_can_be(monkeypatch):
    """The tests above would pass if every parse fell back to one process: check that joining happens."""
    outcomes = []
    join = P._join
    monkeypatch.setattr(P, "_join", lambda program, part: outcomes.append(join(program, part)) or outcomes[-1])
    for text in STRAIGHT[:3] + [p.read_text() for p in SAMPLES]:
        P.parse(text, jobs=2)
    assert outcomes and all(o is not None for o in outcomes)


@pytest.mark.parametrize("text", STRAIGHT + ERRORS_AND_OTHERS + [p.read_text() for p in SAMPLES]
                         + [generate(f, seed=3) for f in ("wide", "fanout", "chain", "diamonds", "mlp")])
def test_two_processes_build_the_same_program(text):
    _same(text)


@pytest.mark.parametrize("text", [
    # the cut falls near the middle: put the interesting line in the second half
    "a = x + 1\n" * 0 + "c = a + b\n" + "\n".join(f"t{i} = c * {i}" for i in range(40)) + "\nc = 2\n",
    "\n".join(f"t{i} = sin(x + y) * {i}" for i in range(40)),  # one shared anonymous node across the halves
    "\n".join(f"t{i} = x * {i}" for i in range(40)) + "\ny = t1 +\n",  # syntax error in the second half
    "\n".join(f"t{i} = x * {i}" for i in range(40)) + "\ny = foo(t1)\n",  # unknown function, second half
    "\n".join(f"t{i} = x * {i}" for i in range(40)) + "\ninput x = 3\n",  # x used first, declared later
    "\n".join(f"t{i} = x[{i % 3}] * {i}" for i in range(40)) + "\ninput x[3] = 0.5\noutput t39, t2\n",
    "\n".join(f"t{i} = {'+'.join(['(x + y)'] * 30)} * {i}" for i in range(40)),  # names shortened: …#digest
    "\n".join(f"t{i} = x * {i}" for i in range(40)) + "\nloss = 0.5 * (" + " + ".join(f"t{i}" for i in range(40))
    + ")\n",  # a long anonymous node in the second half only
    "y = 1\n" + "\n" * 100 + "z = y +\n",  # error on the last line, after many blank lines
])
def test_two_halves_across_the_cut(text):
    _same(text)


def test_a_large_file_is_cut_and_joined(monkeypatch):
    joined = []
    join = P._join
    monkeypatch.setattr(P, "_join", lambda program, part: joined.append(join(program, part)) or joined[-1])
    text = generate("chain", length=3000, seed=2)
    assert len(text) > 50_000
    g1, g2 = loads(text, jobs=1), loads(text, jobs=2)
    assert len(joined) == 1 and joined[0] is not None  # the two halves were joined, not parsed again
    assert (g1.names, g1.args, g1.lines, g1.cols, g1.texts) == (g2.names, g2.args, g2.lines, g2.cols, g2.texts)


@settings(max_examples=100, deadline=None)
@given(st.one_of(mutated_samples(), token_soup(), well_formed()))
def test_two_processes_agree_on_fuzzed_programs(text):
    _same(text)


def test_cli_jobs_option_gives_the_same_results(tmp_path):
    import json

    from click.testing import CliRunner

    from graphdiff.cli import main

    path = tmp_path / "mlp.gd"
    path.write_text(generate("mlp", layers=(6, 5, 2), seed=4))
    out = {}
    for jobs in ("1", "2"):
        r = CliRunner().invoke(main, ["grad", str(path), "--jobs", jobs, "--format", "json"])
        assert r.exit_code == 0, r.output
        out[jobs] = json.loads(r.stdout)
    assert out["1"] == out["2"] and out["1"]["jacobian"]
    r = CliRunner().invoke(main, ["eval", str(path), "--jobs", "4"])  # more than 2 counts as 2
    assert r.exit_code == 0


def test_long_anonymous_names_do_not_stop_the_join(monkeypatch):
    outcomes = []
    join = P._join
    monkeypatch.setattr(P, "_join", lambda program, part: outcomes.append(join(program, part)) or outcomes[-1])
    text = "\n".join(f"t{i} = x * {i}" for i in range(40)) + "\nloss = 0.5 * (" + " + ".join(
        f"t{i}" for i in range(40)) + ")\nz = 2 * (" + " + ".join(f"t{i}" for i in range(40)) + ")\n"
    program = P.parse(text, jobs=2)
    assert outcomes and outcomes[0] is not None
    long = [d for d in program.definitions.values() if d.kind == "anon" and "…#" in d.name]
    assert len(long) == 1 and len(long[0].name) == 80  # shared by loss and z, named by its text alone
    assert all(type(d) is P.Definition for d in program.definitions.values())  # parse() gives named tuples
    assert all(type(a) is P.Ref for d in program.definitions.values() for a in d.args if isinstance(a, tuple))


def test_a_failed_fork_falls_back_to_one_process(monkeypatch):
    import os

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    text = generate("chain", length=50, seed=1)
    assert _dump(P.parse(text, jobs=2)) == _dump(P.parse(text, jobs=1))
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before  # the pipe was closed


def test_an_ignored_sigchld_does_not_lose_the_half(monkeypatch):
    import signal

    outcomes = []
    join = P._join
    monkeypatch.setattr(P, "_join", lambda program, part: outcomes.append(join(program, part)) or outcomes[-1])
    old = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        text = generate("chain", length=50, seed=1)
        assert _dump(P.parse(text, jobs=2)) == _dump(P.parse(text, jobs=1))
    finally:
        signal.signal(signal.SIGCHLD, old)
    assert outcomes and outcomes[0] is not None


def test_a_huge_vector_size_gets_a_short_message():
    from graphdiff.errors import ParseError

    with pytest.raises(ParseError) as e:
        P.parse("input x[" + "9" * 5000 + "]\ny = sum(x)\n", jobs=1)
    assert len(e.value.message) < 200 and "(5,000 digits)" in e.value.message
