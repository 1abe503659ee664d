"""The library and the command line agree: each command's JSON is what the library function returns for the
same call (``to_dict()`` of its result), on every sample; the CLI only parses options and renders."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import graphdiff
from graphdiff.cli import main

from .conftest import SAMPLES

CALLS = {
    "eval": (["eval"], lambda g: graphdiff.evaluate(g)),
    "edges": (["edges"], lambda g: graphdiff.linearize(g)),
    "info": (["info"], lambda g: graphdiff.shape(g)),
    "grad": (["grad"], lambda g: graphdiff.grad(g)),
    "grad forward": (["grad", "--mode", "forward", "--trace"], lambda g: graphdiff.grad(g, mode="forward", trace=True)),
    "grad paths": (["grad", "--mode", "paths"], lambda g: graphdiff.grad(g, mode="paths")),
    "paths": (["paths"], lambda g: graphdiff.path_counts(g)),
    "paths between": (["paths", "--from", "FIRST", "--to", "LAST"],
                      lambda g: graphdiff.between(g, g.inputs[0], g.outputs[-1])),
    "cost": (["cost"], lambda g: graphdiff.cost(g)),
    "check": (["check"], lambda g: graphdiff.check(g)),
}


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("call", sorted(CALLS))
def test_command_json_is_the_library_result(sample, call):
    args, fn = CALLS[call]
    g = graphdiff.load(sample)
    args = [a.replace("FIRST", g.names[g.inputs[0]]).replace("LAST", g.names[g.outputs[-1]]) for a in args]
    r = CliRunner().invoke(main, [*args, str(sample), "--format", "json"])
    assert r.exit_code in (0, 1), r.output
    g = graphdiff.load(str(sample))  # as the command names it
    assert json.loads(r.stdout) == json.loads(json.dumps(fn(g).to_dict()))
