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


def test_every_command_is_a_function_of_the_library_with_its_name():
    """Issue 21: graphdiff.derive(g), graphdiff.hessian(g) and graphdiff.eliminate(g) raised 'module' object is
    not callable; every command's function is callable from graphdiff by the command's name now."""
    from graphdiff.cli import main

    for name in main.commands:
        f = getattr(graphdiff, name, None)
        assert callable(f) and not isinstance(f, type(graphdiff)), name
    g = graphdiff.loads("input a = 2, b = 1; c = a + b; d = b + 1; e = c * d")
    assert graphdiff.derive(g, "adjoint").derivatives == {"de_da": ("e", "a"), "de_db": ("e", "b")}
    assert graphdiff.hessian(g)["a", "b"] == 1.0
    assert graphdiff.eliminate(g, order="markowitz").jacobian == graphdiff.grad(g).jacobian
    assert graphdiff.eval(g)["e"] == 6.0 and graphdiff.edges(g).partials == [1.0, 1.0, 1.0, 2.0, 3.0]
    assert graphdiff.paths(g, "b", "e").count == 2 and graphdiff.info(g).depth == 2
    assert graphdiff.draw(g, format="mermaid").startswith("flowchart")
    assert graphdiff.loads(graphdiff.gen("chain", length=3)).n_edges > 0
    assert graphdiff.derive.derive is graphdiff.derive  # the spelling of the release before still works


def test_the_package_loads_its_commands_when_first_used_and_keeps_its_old_spellings():
    import importlib

    assert graphdiff.analyses.grad.grad is graphdiff.grad and graphdiff.views is importlib.import_module("graphdiff.views")
    assert {"grad", "hessian", "check", "trace", "from_sympy", "Sweep"} <= set(dir(graphdiff))
    assert all(getattr(graphdiff, name) is not None for name in graphdiff.__all__)
    from graphdiff.language.parse import header  # where it was before the statements' module

    assert header("# derived-from: f.gd; mode adjoint; nodes 5\ne = 1")["nodes"] == 5
    with pytest.raises(AttributeError):
        graphdiff.no_such_thing
