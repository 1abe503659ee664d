"""The command line: each command, each format, each exit code; errors as file:line:col with a caret."""
import csv
import io
import json

import pytest
from click.testing import CliRunner

from graphdiff.cli import main

from .conftest import BACKPROP, ROOT

SAMPLE = str(ROOT / "samples" / "backprop.gd")
AT = ["--set", "a=2", "--set", "b=1"]


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def js(*args, input=None):
    r = run(*args, "--format", "json", input=input)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_eval_table_on_the_essay():
    r = run("eval", SAMPLE)
    assert r.exit_code == 0
    lines = [l.split() for l in r.stdout.splitlines()]
    assert ["e", "c", "*", "d", "6", "6", "output"] in lines
    assert r.stdout.rstrip().endswith("e = 6")


def test_eval_json_keys():
    d = js("eval", "-e", BACKPROP, *AT)
    assert d["values"] == {"a": 2, "b": 1, "c": 3, "d": 2, "e": 6} and d["outputs"] == {"e": 6}


def test_edges_json_and_formulas():
    d = js("edges", SAMPLE)
    assert [(e["from"], e["to"], e["partial"], e["formula"]) for e in d["edges"]] == [
        ("a", "c", 1, "1"), ("b", "c", 1, "1"), ("b", "d", 1, "1"), ("c", "e", 2, "d"), ("d", "e", 3, "c")]


def test_edges_table_shows_formula_and_value():
    r = run("edges", SAMPLE)
    assert "∂e/∂c = d" in r.stdout and "∂e/∂d = c" in r.stdout


@pytest.mark.parametrize("fmt,sep", [("csv", ","), ("tsv", "\t")])
def test_delimited_formats(fmt, sep):
    r = run("edges", SAMPLE, "--format", fmt)
    rows = list(csv.reader(io.StringIO(r.stdout), delimiter=sep))
    assert rows[0] == ["from", "to", "partial", "value"]
    assert rows[4] == ["c", "e", "∂e/∂c = d", "2"]
    r = run("eval", "-e", "y = max(a, b) * 2", "--set", "a=1", "--set", "b=3", "--format", fmt)
    rows = list(csv.reader(io.StringIO(r.stdout), delimiter=sep))
    assert ["max(a, b)", "max(a, b)", "3", "1", ""] in rows  # the comma inside the name survives


def test_info():
    d = js("info", str(ROOT / "samples" / "diamond.gd"))
    assert d["nodes"] == 9 and d["edges"] == 12 and d["inputs"] == 1 and d["outputs"] == 1
    assert d["depth"] == 4 and d["max_fan_out"] == {"node": "x", "count": 3}


def test_grad_reverse_json():
    d = js("grad", SAMPLE, "--mode", "reverse")
    assert d["mode"] == "reverse" and d["jacobian"] == {"e": {"a": 2, "b": 5}}
    assert d["derivatives"] == {"e": {"e": 1, "d": 3, "c": 2, "b": 5, "a": 2}}
    assert d["operations"] == {"sweeps": 1, "multiplications": 5, "additions": 1}


def test_grad_forward_json():
    d = js("grad", SAMPLE, "--mode", "forward", "--wrt", "b")
    assert d["jacobian"] == {"e": {"b": 5}} and d["derivatives"] == {"b": {"b": 1, "c": 1, "d": 1, "e": 5}}
    assert d["operations"] == {"sweeps": 1, "multiplications": 4, "additions": 1}


def test_grad_paths_mode_and_refusal():
    d = js("grad", SAMPLE, "--mode", "paths")
    assert d["jacobian"] == {"e": {"a": 2, "b": 5}} and d["path_counts"] == {"e": {"a": 1, "b": 2}}
    r = run("grad", str(ROOT / "samples" / "diamond.gd"), "--mode", "paths", "--max-paths", "5")
    assert r.exit_code == 2 and "would enumerate 9 paths, more than --max-paths 5" in r.stderr


def test_grad_trace_matches_the_essay():
    """Totals (what a sweep accumulates) are written d, local partials (an edge's number) ∂: one symbol is never
    both in one equation."""
    r = run("grad", SAMPLE, "--trace")
    assert "de/db = de/dc·∂c/∂b + de/dd·∂d/∂b = 2·1 + 3·1 = 5" in r.stdout
    d = js("grad", SAMPLE, "--trace", "--mode", "forward", "--wrt", "b")
    assert [s["text"] for s in d["trace"]] == ["dc/db = ∂c/∂b·db/db = 1·1 = 1", "dd/db = ∂d/∂b·db/db = 1·1 = 1",
                                               "de/db = ∂e/∂c·dc/db + ∂e/∂d·dd/db = 2·1 + 3·1 = 5"]
    assert all(step["sum"] == pytest.approx(sum(t["product"] for t in step["terms"])) for step in d["trace"])


def test_paths_command():
    d = js("paths", SAMPLE, "--from", "b", "--to", "e")
    assert d["count"] == 2 and d["sum"] == 5
    assert d["paths"] == [{"nodes": ["b", "c", "e"], "factors": [1, 2], "product": 2},
                          {"nodes": ["b", "d", "e"], "factors": [1, 3], "product": 3}]
    r = run("paths", SAMPLE, "--from", "b", "--to", "e")
    assert "sum of all path products = ∂e/∂b = 5" in r.stdout


def test_paths_count_only_is_exact_and_needs_no_values():
    text = "\n".join(f"x{i + 1} = 0.4 * (0.5 * x{i} + tanh(x{i}) + sin(x{i}))" for i in range(200))
    r = run("paths", "-", "--from", "x0", "--to", "x200", "--count-only", "--format", "json", input=text)
    assert r.exit_code == 0 and json.loads(r.stdout)["count"] == 3 ** 200


def test_paths_above_bound_sums_by_sweep():
    text = "input x0 = 0.5\n" + "\n".join(f"x{i + 1} = 0.4 * (0.5 * x{i} + tanh(x{i}) + sin(x{i}))" for i in range(20))
    d = js("paths", "-e", text.replace("\n", ";"), "--from", "x0", "--to", "x20", "--limit", "3")
    assert d["count"] == 3 ** 20 and len(d["paths"]) == 3 and d["sum_method"] == "reverse"


def test_paths_matrix():
    d = js("paths", str(ROOT / "samples" / "diamond.gd"))
    assert d["matrix"] == {"z": {"x": 9}}


def test_cost_command():
    d = js("cost", SAMPLE)
    assert d["modes"]["forward"]["sweeps"] == 2 and d["modes"]["reverse"]["sweeps"] == 1
    assert d["modes"]["reverse"]["multiplications"] == 5 and d["modes"]["forward"]["multiplications"] == 6
    r = run("cost", SAMPLE)
    assert "Reverse mode wins: 1 sweep against forward mode's 2, a factor of 2 in sweeps" in r.stdout


def test_stdin_and_expr():
    r = run("eval", "-", "--format", "json", input=BACKPROP + "\n")
    assert r.exit_code == 2 and "input 'a' has no value" in r.stderr
    r = run("eval", "-", "--format", "json", *AT, input=BACKPROP)
    assert json.loads(r.stdout)["outputs"] == {"e": 6}


def test_inputs_json_file(tmp_path):
    p = tmp_path / "v.json"
    p.write_text('{"a": 2, "b": 1}')
    assert js("eval", "-e", BACKPROP, "--inputs", str(p))["outputs"] == {"e": 6}
    p.write_text('{"x": [1, 2, 3]}')
    assert js("eval", "-e", "input x[3]; y = sum(x)", "--inputs", str(p))["outputs"] == {"y": 6}


@pytest.mark.parametrize("args,code,fragment", [
    (["eval", "-e", "c = a +"], 2, "<expr>:1:8: error: unexpected end of input"),
    (["eval", "-e", "c = sine(a)"], 2, "<expr>:1:5: error: unknown function 'sine'; did you mean 'sin'?"),
    (["eval", "-e", "c = d; d = c"], 2, "<expr>:1:1: error: cycle: c (line 1) → d (line 1) → c"),
    (["eval", "-e", "y = log(x)", "--set", "x=-1"], 1, "<expr>:1:1: error: log needs a positive argument"),
    (["eval", "-e", "y = 1 / x", "--set", "x=0"], 1, "division by zero"),
    (["eval", "-e", "y = x", "--set", "x=abc"], 2, "'abc' is not a number"),
    (["eval", "-e", "y = x", "--set", "q=1"], 2, "cannot set 'q'"),
    (["eval", "-e", "y = x", "--set", "x"], 2, "expected NAME=VALUE"),
    (["eval"], 2, "no program"),
    (["eval", "/nonexistent/file.gd"], 2, "no such file"),
    (["eval", "-e", ""], 2, "empty program"),
    (["grad", "-e", BACKPROP, *AT, "--wrt", "zz"], 2, "no node named 'zz'"),
    (["paths", "-e", BACKPROP, "--from", "a"], 2, "give both --from and --to"),
])
def test_errors_and_exit_codes(args, code, fragment):
    r = run(*args)
    assert r.exit_code == code, r.output
    assert fragment in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_error_shows_source_line_and_caret(tmp_path):
    p = tmp_path / "bad.gd"
    p.write_text("c = a + b\nd = b $ 1\n")
    r = run("eval", str(p))
    assert r.stderr == f"{p}:2:7: error: unexpected character '$'\n  d = b $ 1\n        ^\n"


def test_directory_as_file(tmp_path):
    r = run("eval", str(tmp_path))
    assert r.exit_code == 2 and "is a directory" in r.stderr


def test_warning_for_non_differentiable_point():
    r = run("edges", "-e", "y = relu(x)", "--set", "x=0")
    assert r.exit_code == 0 and "<expr>:1:1: warning: relu is not differentiable at 0" in r.stderr


def test_traceback_flag_shows_python_traceback():
    r = run("eval", "-e", "c = a +", "--traceback")
    assert r.exit_code != 0 and r.exception is not None


def test_long_tables_are_bounded():
    r = run("eval", "-e", "input x[500] = 1; y = sum(x)")
    assert "451 more rows not shown: --all, or --format json|csv, shows every row" in r.stdout
    r = run("eval", "-e", "input x[500] = 1; y = sum(x)", "--all")
    assert "x[499]" in r.stdout
    assert len(js("eval", "-e", "input x[500] = 1; y = sum(x)")["values"]) == 501


def test_every_command_has_help_with_examples():
    r = run("--help")
    assert r.exit_code == 0 and "Exit codes" in r.stdout
    commands = [c for c in main.commands]
    assert {"eval", "edges", "info", "grad", "paths", "cost"} <= set(commands)
    for c in commands:
        r = run(c, "--help")
        assert r.exit_code == 0 and "Examples" in r.stdout, c


def test_closed_pipe_ends_quietly():
    import subprocess
    import sys

    p = subprocess.run(f"{sys.executable} -m graphdiff.cli eval -e 'input x[20000] = 1; y = sum(x)' --format csv | head -1",
                       shell=True, capture_output=True, text=True)
    assert p.stdout == "node,expression,value,line,output\n" and p.stderr == ""


def test_trace_in_csv_is_the_trace():
    r = run("grad", SAMPLE, "--trace", "--format", "csv")
    assert r.exit_code == 0
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["step", "seed", "node", "sum", "derivative"]
    by_node = {row[2]: row for row in rows[1:]}
    assert by_node["b"][3] == "5" and by_node["b"][4] == "de/db = de/dc·∂c/∂b + de/dd·∂d/∂b = 2·1 + 3·1 = 5"
    tsv = run("grad", SAMPLE, "--trace", "--mode", "forward", "--wrt", "b", "--format", "tsv")
    assert [line.split("\t")[:4] for line in tsv.stdout.splitlines()][-1] == ["3", "b", "e", "5"]


def test_a_vector_is_not_a_node():
    r = run("paths", str(ROOT / "samples" / "vector.gd"), "--from", "x", "--to", "loss")
    assert r.exit_code == 2
    assert "'x' is a vector of 8 inputs, not one node: name an element such as 'x[0]' (… 'x[7]')" in r.stderr


# ---- a new user's first hour (each of these failed on main before it was fixed) ------------------------------

def test_compound_names_stand_in_parentheses_in_every_derivative():
    at = ["--set", "a=2", "--set", "b=1"]
    d = js("edges", "-e", "e = (a+b)*(b+1)", *at)
    assert [(e["from"], e["to"], e["formula"]) for e in d["edges"]][3:] == [("a + b", "e", "b + 1"),
                                                                          ("b + 1", "e", "a + b")]
    r = run("edges", "-e", "e = (a+b)*(b+1)", *at)
    assert "∂e/∂(a + b) = b + 1" in r.stdout and "∂(a + b)/∂a = 1" in r.stdout
    d = js("grad", "-e", "e = (a+b)*(b+1)", *at, "--trace")
    assert d["trace"][2]["text"] == "de/db = de/d(a + b)·∂(a + b)/∂b + de/d(b + 1)·∂(b + 1)/∂b = 2·1 + 3·1 = 5"
    r = run("grad", "-e", "y = sqrt(x) * 2", "--set", "x=0")
    assert r.exit_code == 1 and "∂y/∂x is inf: it enters at node 'sqrt(x)'" in r.stderr
    r = run("grad", "-e", "y = sqrt(x + 1) * 2", "--set", "x=-1")
    assert "where the partial ∂(sqrt(x + 1))/∂(x + 1) = inf" not in r.stderr  # a call reads as one unit
    assert "the partial ∂sqrt(x + 1)/∂(x + 1) = inf" in r.stderr


def test_negative_factors_are_bracketed_in_a_trace():
    d = js("grad", "-e", "y = 0.5 * x; z = y * w", "--set", "x=2", "--set", "w=-0.54", "--mode", "forward",
           "--wrt", "x", "--trace")
    assert d["trace"][-1]["text"] == "dz/dx = ∂z/∂y·dy/dx = (-0.54)·0.5 = -0.27"


def test_tables_round_to_digits_and_machine_formats_keep_every_digit():
    prog = ["-e", "y = 0.1 + 0.2 + x", "--set", "x=0.9"]
    assert "y = 1.2\n" in run("eval", *prog).stdout  # 6 significant digits by default
    assert "y = 1.2000000000000002\n" in run("eval", *prog, "--digits", "17").stdout
    assert "y = 1.2\n" in run("eval", *prog, "--digits", "3").stdout
    assert js("eval", *prog)["outputs"]["y"] == 1.2000000000000002
    rows = list(csv.reader(io.StringIO(run("eval", *prog, "--format", "csv").stdout)))
    assert float(rows[-1][2]) == 1.2000000000000002
    r = run("eval", *prog, "--digits", "0")
    assert r.exit_code == 2 and "--digits" in r.stderr


def test_every_dash_o_that_cannot_be_written_is_bad_input_in_one_line(tmp_path):
    for args in (["gen", "wide", "--inputs", "5"], ["draw", SAMPLE]):
        r = run(*args, "-o", "/nonexistent/x.gd" if args[0] == "gen" else "/nonexistent/x.svg")
        assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "cannot write: No such file or directory" in r.stderr
    r = run("gen", "wide", "--inputs", "5", "-o", str(tmp_path / "w.gd"))
    assert r.exit_code == 0 and r.stderr == f"graphdiff: wrote {tmp_path / 'w.gd'} (10 lines: gen wide)\n"
    r = run("draw", SAMPLE, "-o", str(tmp_path / "b.svg"))
    assert r.exit_code == 0 and r.stderr.startswith(f"graphdiff: wrote {tmp_path / 'b.svg'} (")


def test_a_vector_of_the_wrong_length_in_inputs_is_bad_input(tmp_path):
    (tmp_path / "short.json").write_text('{"x": [1, 2]}')
    r = run("eval", "-e", "input x[3] = 1; y = sum(x)", "--inputs", str(tmp_path / "short.json"))
    assert (r.exit_code, r.stderr) == (2, "graphdiff: error: 'x' is a vector of 3 elements, but 2 values were given "
                                          "for it\n")
    (tmp_path / "ok.json").write_text('{"x": [1, 2, 4]}')
    assert js("eval", "-e", "input x[3] = 1; y = sum(x)", "--inputs", str(tmp_path / "ok.json"))["outputs"] == {"y": 7}


def test_traceback_adds_a_traceback_and_keeps_the_exit_code():
    for args, code in ((["eval", "-e", "c = a +"], 2), (["eval", "-e", "y = log(x)", "--set", "x=-1"], 1)):
        plain, tb = run(*args), run(*args, "--traceback")
        assert plain.exit_code == tb.exit_code == code
        assert "Traceback (most recent call last)" in tb.stderr and tb.stderr.endswith(plain.stderr)


def test_messages_quote_what_was_written():
    r = run("eval", "-e", "y = 1" + "0" * 400 + " * x")
    assert r.exit_code == 2 and "number 10000000000000000000… (401 characters) is too large for a float" in r.stderr
    r = run("eval", "-e", "y = x ^ y2 + 1", "--set", "x=-8", "--set", "y2=0.5")
    assert "a power needs a positive base for a fractional exponent, and a base other than 0 for a negative one: x ^ y2 = nan with x = -8, y2 = 0.5" in r.stderr
    r = run("eval", "-e", "y = b - log(-1.5)", "--set", "b=1")
    assert r.exit_code == 1 and "log needs a positive argument: the constant expression log(-1.5) = nan" in r.stderr
    assert "div(" not in run("eval", "-e", "y = 1/0 + x", "--set", "x=1").stderr


def test_ieee_lets_a_constant_fault_through_and_pow_at_zero_is_warned_about():
    r = run("eval", "-e", "y = 1/0 + x", "--set", "x=1", "--ieee", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["outputs"]["y"] == "Infinity"
    assert "warning: IEEE: division by zero: the constant expression 1 / 0 = inf (node 'y')" in r.stderr
    r = run("grad", "-e", "y = x ^ t", "--set", "x=0", "--set", "t=2", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["jacobian"]["y"]["t"] == 0
    assert "x ^ t at x = 0: the partial with respect to the exponent, x ^ t * log(x), is taken as 0" in r.stderr


def test_the_caret_stands_under_the_character_after_wide_ones(tmp_path):
    p = tmp_path / "wide.gd"
    p.write_text("名前 = 2 * x; 値 = 名前 $ 3\n", encoding="utf-8")
    lines = run("eval", str(p)).stderr.splitlines()
    assert lines[0].endswith(":1:20: error: unexpected character '$'")
    source, caret = lines[1], lines[2]
    from graphdiff.cli import cells

    assert cells(source[:source.index("$")]) == len(caret) - 1 and caret.strip() == "^"


def test_paths_mode_trace_shows_every_path_product_and_their_sum():
    d = js("grad", SAMPLE, "--mode", "paths", "--trace")
    assert [s["text"] for s in d["trace"]] == ["de/da = ∂c/∂a·∂e/∂c = 1·2 = 2",
                                               "de/db = ∂c/∂b·∂e/∂c + ∂d/∂b·∂e/∂d = 1·2 + 1·3 = 5"]
    assert [t["via"] for t in d["trace"][1]["terms"]] == ["b → c → e", "b → d → e"]
    assert "de/db = ∂c/∂b·∂e/∂c + ∂d/∂b·∂e/∂d = 1·2 + 1·3 = 5" in run("grad", SAMPLE, "--mode", "paths", "--trace").stdout


@pytest.mark.parametrize("family", ["wide", "fanout", "chain", "diamonds", "mlp"])
def test_from_x0_to_y_works_for_every_generated_family(family):
    small = {"wide": ["--inputs", "4"], "fanout": ["--outputs", "3"], "chain": ["--length", "3"],
             "diamonds": ["--stages", "2"], "mlp": ["--layers", "2,2,1"]}[family]
    text = run("gen", family, *small).stdout
    d = js("paths", "-", "--from", "x0", "--to", "y", "--count-only", input=text)
    assert d["count"] >= 1


def test_hints_where_a_user_is_lost():
    d = js("paths", SAMPLE, "--from", "e", "--to", "b")
    assert d["count"] == 0 and d["count_other_way"] == 2
    assert "the paths run the other way: 2 paths from b to e" in run("paths", SAMPLE, "--from", "e", "--to", "b").stdout
    r = run("draw", SAMPLE, "--format", "svg", "-o", "out.png")
    assert r.exit_code == 2 and "the extension '.png' says png, but --format says svg" in r.stderr
    for option in (["--set", "a=1"], ["--ieee"], ["--all"], ["--digits", "3"]):
        r = run("info", SAMPLE, *option)
        assert r.exit_code == 2 and "No such option" in r.stderr, option
    for option in (["--set", "a=1"], ["--ieee"], ["--all"]):
        assert run("cost", SAMPLE, *option).exit_code == 2


def test_csv_columns_hold_plain_numbers():
    rows = list(csv.reader(io.StringIO(run("cost", SAMPLE, "--format", "csv").stdout)))
    assert rows[0] == ["mode", "sweeps", "paths", "multiplications", "additions", "operations", "ratio", "counts",
                       "sweeps counted"]
    assert rows[1:4] == [["forward", "2", "", "6", "1", "7", "1.75", "exact", ""],
                         ["reverse", "1", "", "5", "1", "6", "1.5", "exact", ""],
                         ["paths", "", "3", "3", "1", "4", "1", "exact", ""]]
    assert rows[6][:6] == ["elimination, markowitz", "", "", "3", "1", "4"]  # after forward and reverse order
    rows = list(csv.reader(io.StringIO(run("info", str(ROOT / "samples" / "neuron.gd"), "--format", "csv").stdout)))
    assert rows[0] == ["property", "value", "detail"]
    assert all(row[1].isdigit() for row in rows[1:])
    rows = list(csv.reader(io.StringIO(run("check", str(ROOT / "samples" / "diamond.gd"), "--format", "csv").stdout)))
    full = js("check", str(ROOT / "samples" / "diamond.gd"))["points"][0]["pairs"][0]["values"]
    by = dict(zip(rows[0], rows[1]))
    assert float(by["reverse"]) == full["reverse"] and float(by["finite diff"]) == full["fd"]
    assert len(by["finite diff"]) > 12  # every digit


def test_results_by_name_in_python():
    import graphdiff

    g = graphdiff.loads(BACKPROP)
    r = graphdiff.grad(g, {"a": 2, "b": 1})
    assert r["e", "b"] == 5.0 and r.to_dict()["jacobian"] == {"e": {"a": 2.0, "b": 5.0}}
    assert r["e"] == {"a": 2.0, "b": 5.0} and r.named_jacobian == {"e": {"a": 2.0, "b": 5.0}}
    with pytest.raises(KeyError, match="∂b/∂e is not in this Jacobian"):
        r["b", "e"]
    assert graphdiff.evaluate(g, {"a": 2, "b": 1})["e"] == 6.0
    v = graphdiff.loads("input x[3]; y = sum(x)")
    assert graphdiff.evaluate(v, {"x": range(1, 4)})["y"] == graphdiff.evaluate(v, {"x": (1, 2, 3)})["y"] == 6.0


def test_the_top_level_help_gives_every_command_an_example_and_completion():
    """Issue 21: `graphdiff --help` lists every command with an example, and says how to complete in a shell."""
    import re

    r = CliRunner().invoke(main, ["--help"])
    assert r.exit_code == 0
    for name in main.commands:
        assert re.search(rf"^\s+{name}\s+graphdiff {name} ", r.output, re.M), name
    assert '_GRAPHDIFF_COMPLETE=bash_source graphdiff' in r.output


def test_shell_completion_completes_commands_and_options():
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = str(Path(sys.executable).with_name("graphdiff"))
    env = {**os.environ, "_GRAPHDIFF_COMPLETE": "bash_complete", "COMP_WORDS": "graphdiff hes", "COMP_CWORD": "1"}
    out = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=60).stdout
    assert "plain,hessian" in out
    env.update(COMP_WORDS="graphdiff hessian --hv", COMP_CWORD="2")
    assert "plain,--hvp" in subprocess.run([exe], env=env, capture_output=True, text=True, timeout=60).stdout


def test_json_is_written_by_orjson_and_exactly_where_orjson_cannot():
    import numpy as np

    from graphdiff.language.statements import Num
    from graphdiff.views.render import dumps

    doc = {"a": 1e-05, "b": Num(0.1).at(1, 1, "0.1"), "c": np.float64(2.5), "n": 3, "s": "∂e/∂b", "t": 5e-324}
    assert json.loads(dumps(doc)) == {"a": 1e-05, "b": 0.1, "c": 2.5, "n": 3, "s": "∂e/∂b", "t": 5e-324}
    assert dumps({"n": 3 ** 200}) == b'{"n":%d}' % 3 ** 200  # beyond 64 bits: the standard library, every digit
    assert dumps({"x": [1, 2]}, indent=True) == b'{\n  "x": [\n    1,\n    2\n  ]\n}'
    assert dumps({"x": [1, 2], "n": 2 ** 70}, indent=True) == b'{\n  "x": [\n    1,\n    2\n  ],\n  "n": %d\n}' % 2 ** 70


def test_the_command_line_called_in_a_process_keeps_nothing_after_it():
    """Only the console script keeps a command's report for its quick exit; ``main`` run again and again (a
    notebook, a server, these tests) keeps nothing."""
    from graphdiff import cli

    for _ in range(3):
        assert run("grad", str(ROOT / "samples" / "backprop.gd"), "--format", "json").exit_code == 0
    assert cli._KEPT is None
