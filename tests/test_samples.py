"""Every file in samples/: it runs through every command, its results are pinned, and all methods agree."""
import json

import pytest
from click.testing import CliRunner

import graphdiff
from graphdiff.cli import main

from .conftest import SAMPLES, central_difference

GOLDEN = SAMPLES[0].parent.parent / "tests" / "golden"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_results_are_pinned(path):
    g = graphdiff.load(path)
    want = json.loads((GOLDEN / f"{path.stem}.json").read_text())
    assert graphdiff.evaluate(g).outputs() == pytest.approx(want["outputs"], rel=1e-15)
    r = graphdiff.grad(g)
    got = {g.names[o]: {g.names[i]: x for i, x in row.items()} for o, row in r.jacobian.items()}
    assert got.keys() == want["jacobian"].keys()
    for o in got:
        assert got[o] == pytest.approx(want["jacobian"][o], rel=1e-14, abs=1e-300)
    assert [r.operations.sweeps, r.operations.multiplications, r.operations.additions] == [
        want["operations"]["sweeps"], want["operations"]["multiplications"], want["operations"]["additions"]]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_methods_agree(path):
    g = graphdiff.load(path)
    values = dict(zip((g.names[i] for i in g.inputs), graphdiff.bind(g)))
    rev = graphdiff.grad(g, mode="reverse").jacobian
    fwd = graphdiff.grad(g, mode="forward").jacobian
    pth = graphdiff.grad(g, mode="paths").jacobian
    for o in g.outputs:
        for i in g.inputs:
            assert fwd[o][i] == pytest.approx(rev[o][i], rel=1e-13, abs=1e-15)
            assert pth[o][i] == pytest.approx(rev[o][i], rel=1e-12, abs=1e-15)
            fd = central_difference(g, values, g.names[o], g.names[i])
            assert fd == pytest.approx(rev[o][i], rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("command", [["eval"], ["edges"], ["info"], ["grad"], ["grad", "--mode", "forward"],
                                     ["grad", "--mode", "paths"], ["paths"], ["cost"], ["grad", "--trace"]])
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_sample_runs_through_every_command(path, command, fmt):
    r = CliRunner().invoke(main, [*command, str(path), "--format", fmt])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip()
    if fmt == "json":
        json.loads(r.stdout)
