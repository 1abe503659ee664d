"""Input that cannot break the tool: every case gets a result or a clear error with an exact exit code, never
a RecursionError, a hang or a traceback. docs/bad-input.md lists the same cases with their messages.

The 10^6-node chain runs only with GRAPHDIFF_SLOW=1 (about a minute); CI runs the 10^5 version.
"""
from __future__ import annotations

import csv
import io
import json
import os

import pytest
from click.testing import CliRunner

from graphdiff.cli import main


def run(*args, input=None):
    r = CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)
    assert "Traceback" not in r.stderr
    assert "internal error" not in r.stderr
    return r


@pytest.fixture
def write(tmp_path):
    def w(text: str | bytes, name: str = "p.gd"):
        p = tmp_path / name
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
        return p

    return w


# ---- size and depth ---------------------------------------------------------------------------------------

def test_ten_thousand_nested_parentheses(write):
    p = write("input x = 0.5\ny = " + "(" * 10_000 + "x + 1" + ")" * 10_000 + "\n")
    r = run("grad", p, "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["jacobian"] == {"y": {"x": 1.0}}


def test_ten_thousand_nested_calls_and_negations(write):
    p = write("input x = 0.5\ny = " + "sin(" * 10_000 + "x" + ")" * 10_000 + "\nz = " + "-" * 10_000 + "x\n")
    for cmd in ("eval", "grad", "info", "cost", "edges"):
        r = run(cmd, p, "--format", "json")
        assert r.exit_code == 0, (cmd, r.stderr)
    r = run("check", p, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["ok"] is True


def test_unbalanced_parentheses_name_line_and_column(write):
    p = write("input x = 1\ny = " + "(" * 10_000 + "x\n")
    r = run("eval", p)
    assert r.exit_code == 2
    assert r.stderr.startswith(f"{p}:2:10006: error: unexpected end of line")


def test_hundred_thousand_term_sum_on_one_line(write):
    n = 100_000
    p = write("y = " + " + ".join(f"x{i}" for i in range(n)) + "\n")
    r = run("grad", p, "--inputs", write(json.dumps({f"x{i}": 1 for i in range(n)}), "in.json"), "--format", "json")
    assert r.exit_code == 0
    jac = json.loads(r.stdout)["jacobian"]["y"]
    assert len(jac) == n and set(jac.values()) == {1.0}


def test_missing_value_in_a_huge_line_shows_a_window(write):
    p = write("y = " + " + ".join(f"x{i}" for i in range(100_000)) + "\n")
    r = run("eval", p)
    assert r.exit_code == 2
    first, line, caret = r.stderr.splitlines()[:3]
    assert first.startswith(f"{p}:1:5: error: input 'x0' has no value")
    assert len(line) < 300 and caret.strip() == "^"


def chain(n: int) -> str:
    return "input x = 0.5\nh0 = x\n" + "".join(f"h{i} = h{i - 1} * 1.000001 + 1\n" for i in range(1, n))


@pytest.mark.parametrize("cmd", ["eval", "grad", "info", "cost", "check"])
def test_hundred_thousand_node_chain(write, cmd):
    p = write(chain(100_000))
    args = [cmd, p, "--format", "json"] + (["--no-symbolic"] if cmd == "check" else [])
    r = run(*args)
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    if cmd == "info":
        assert data["depth"] == 1 + 2 * 99_999  # h0 = x, then h * 1.000001 and + 1 per level
    if cmd == "grad":
        assert data["jacobian"]["h99999"]["x"] == pytest.approx(1.000001 ** 99_999)


def test_paths_on_a_deep_chain(write):
    p = write(chain(100_000))
    r = run("paths", p, "--from", "x", "--to", "h99999", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["count"] == 1


@pytest.mark.skipif(not os.environ.get("GRAPHDIFF_SLOW"), reason="slow: set GRAPHDIFF_SLOW=1")
def test_million_node_chain(write):
    p = write(chain(1_000_000))
    for cmd in ("eval", "grad"):
        r = run(cmd, p, "--format", "json")
        assert r.exit_code == 0, r.stderr


def test_hundred_thousand_inputs(write):
    n = 100_000
    p = write("".join(f"input x{i} = 1\n" for i in range(n)) + "y = x0 * x99999\n")
    r = run("grad", p, "--format", "json")
    assert r.exit_code == 0
    jac = json.loads(r.stdout)["jacobian"]["y"]
    assert len(jac) == n and jac["x0"] == 1.0 and jac["x5"] == 0.0
    r = run("check", p, "--format", "json")
    assert r.exit_code == 0
    assert "fd" in json.loads(r.stdout)["skipped"]


def test_vector_of_hundred_thousand_inputs(write):
    p = write("input x[100000] = 0.5\ny = sum(x)\n")
    r = run("check", p, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["ok"] is True


# ---- files that are not programs ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "# only\n# comments\n", "\n\n;;\n", "input a = 1\n"])
def test_empty_programs(write, text):
    p = write(text)
    r = run("eval", p)
    assert r.exit_code == 2
    assert r.stderr.startswith(f"{p}:1:1: error: empty program: nothing to compute")


def test_crlf_line_endings(write):
    p = write(b"input a = 2\r\nb = a * 3\r\n# done\r\n")
    r = run("grad", p, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["jacobian"] == {"b": {"a": 3.0}}


def test_crlf_error_position(write):
    p = write(b"input a = 2\r\nb = a * \r\n")
    r = run("eval", p)
    assert r.exit_code == 2
    assert r.stderr.startswith(f"{p}:2:9: error: unexpected end of line")  # right after the last character


def test_byte_order_mark(write):
    p = write("\ufeffinput a = 2\nb = a * 3\n".encode())
    r = run("eval", p, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["outputs"] == {"b": 6.0}


def test_not_utf8(write):
    p = write("input a = 2\nb = a * 3 # caf\xe9\n".encode("latin-1"))
    r = run("eval", p)
    assert r.exit_code == 2
    assert r.stderr.startswith(f"{p}:2:16: error: not UTF-8 text (byte 0xe9)")


def test_stdin_not_utf8():
    r = run("eval", "-", input=b"a = \xff\n")
    assert r.exit_code == 2 and "not UTF-8 text (byte 0xff at offset 4)" in r.stderr


def test_binary_garbage(write):
    p = write(bytes(range(256)) * 4)
    r = run("eval", p)
    assert r.exit_code == 2


def test_directory_as_file(tmp_path):
    r = run("eval", tmp_path)
    assert r.exit_code == 2
    assert r.stderr == f"graphdiff: error: {tmp_path}: is a directory, not a program file\n"


def test_missing_file(tmp_path):
    r = run("grad", tmp_path / "nope.gd")
    assert r.exit_code == 2
    assert r.stderr == f"graphdiff: error: {tmp_path / 'nope.gd'}: no such file\n"


# ---- bad options --------------------------------------------------------------------------------------------

def test_malformed_inputs_json(write):
    p = write("input a\nb = a * 3\n")
    j = write('{"a": 2,', "in.json")
    r = run("eval", p, "--inputs", j)
    assert r.exit_code == 2
    assert r.stderr.startswith(f"{j}:1:9: error: invalid JSON: Expecting property name")


@pytest.mark.parametrize("doc, fragment", [
    ("[1, 2]", "--inputs must be a JSON object"),
    ('{"a": "two"}', "value of 'a' is not a number: \"two\""),
    ('{"a": true}', "value of 'a' is not a number: true"),
    ('{"zz": 1}', "cannot set 'zz': it is not a node of the program"),
    ('{"a": 1' + "0" * 400 + '}', "value of 'a' is too large for a float: 10000"),
])
def test_wrong_inputs_json(write, doc, fragment):
    p = write("input a\nb = a * 3\n")
    r = run("eval", p, "--inputs", write(doc, "in.json"))
    assert r.exit_code == 2 and fragment in r.stderr


def test_missing_inputs_file(write, tmp_path):
    r = run("eval", write("b = a * 3"), "--inputs", tmp_path / "none.json")
    assert r.exit_code == 2 and "cannot read --inputs file" in r.stderr


@pytest.mark.parametrize("opt, fragment", [
    ("a=abc", "--set a=abc: 'abc' is not a number"),
    ("a", "--set 'a': expected NAME=VALUE"),
    ("zz=1", "cannot set 'zz': it is not a node of the program"),
    ("b=1", "cannot set 'b': it is a computed node, not an input"),
])
def test_bad_set(write, opt, fragment):
    r = run("eval", write("input a = 1\nb = a * 3\n"), "--set", opt)
    assert r.exit_code == 2 and fragment in r.stderr


def test_non_finite_input_values_are_bad_input_as_the_same_literal_is(write):
    """The same value gets the same verdict: 1e400 in a program, in --set and in --inputs is bad input (2)."""
    p = write("input a = 1\nb = a * 3\n")
    r = run("eval", p, "--set", "a=1e400")
    assert (r.exit_code, r.stderr) == (2, "graphdiff: error: --set a=1e400: number 1e400 is too large for a float\n")
    r = run("eval", p, "--set", "a=inf")
    assert (r.exit_code, r.stderr) == (2, "graphdiff: error: value of 'a' is inf: an input value must be a finite "
                                          "number (--ieee lets NaN and infinities through)\n")
    r = run("eval", p, "--set", "a=-inf", "--ieee", "--format", "json")  # --ieee lets them through, marked
    assert r.exit_code == 0 and json.loads(r.stdout)["values"]["b"] == "-Infinity"
    assert "warning: IEEE: input value: a is -inf" in r.stderr
    r = run("eval", write("y = 1e400 * a\n", "lit.gd"), "--set", "a=1")
    assert r.exit_code == 2 and "number 1e400 is too large for a float" in r.stderr
    j = write('{"a": 1e400}', "big.json")
    r = run("eval", p, "--inputs", j)
    assert (r.exit_code, r.stderr) == (2, f"graphdiff: error: {j}: number 1e400 is too large for a float\n")
    r = run("eval", p, "--inputs", write('{"a": NaN}', "nan.json"))
    assert r.exit_code == 2 and "value of 'a' is nan: an input value must be a finite number" in r.stderr


def test_unknown_option_is_a_usage_error(write):
    r = run("eval", write("b = 2 * a"), "--bogus")
    assert r.exit_code == 2 and "No such option" in r.stderr


# ---- names in every output format ---------------------------------------------------------------------------

HOSTILE = 'input α = 2, b = 3\nβ = α * 3\nm = max(α, b) + min(b, β)\nq = (α + b) * sin(b)\n'


def test_names_survive_csv_and_tsv(write):
    p = write(HOSTILE)
    for fmt, sep in (("csv", ","), ("tsv", "\t")):
        r = run("eval", p, "--format", fmt)
        assert r.exit_code == 0
        rows = list(csv.reader(io.StringIO(r.stdout), delimiter=sep))
        names = [row[0] for row in rows[1:]]
        assert "α" in names and "β" in names and "max(α, b)" in names and "min(b, β)" in names
        assert all(len(row) == len(rows[0]) for row in rows)
        r = run("edges", p, "--format", fmt)
        rows = list(csv.reader(io.StringIO(r.stdout), delimiter=sep))
        assert ["max(α, b)", "m"] in [row[:2] for row in rows]
        assert all(len(row) == len(rows[0]) for row in rows)


def test_names_survive_json(write):
    p = write(HOSTILE)
    for cmd in ("eval", "grad", "edges", "info", "check"):
        r = run(cmd, p, "--format", "json")
        assert r.exit_code == 0, (cmd, r.stderr)
        text = json.dumps(json.loads(r.stdout), ensure_ascii=False)
        assert "α" in text
    assert json.loads(run("grad", p, "--format", "json").stdout)["jacobian"]["m"]["α"] == 0.0


def test_quotes_and_commas_in_check_csv(write):
    r = run("check", write("input a = 1, b = 2\ny = max(a, b) * sum(a, b)\n"), "--format", "csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert r.exit_code == 0 and all(len(row) == len(rows[0]) for row in rows)


def test_program_is_never_executed_as_python(write, tmp_path):
    marker = tmp_path / "pwned"
    p = write(f"y = __import__('os').system('touch {marker}')\n")
    r = run("eval", p)
    assert r.exit_code == 2 and not marker.exists()
    r = run("eval", "-e", "y = eval(x)")
    assert r.exit_code == 2 and "unknown function 'eval'" in r.stderr


def test_vector_too_large_is_refused_before_allocating(write):
    r = run("eval", write("input x[100000000000]\ny = sum(x)\n"))
    assert r.exit_code == 2
    assert r.stderr.startswith(f"{write('', 'unused.gd').parent / 'p.gd'}:1:9: error: a vector of "
                               "100,000,000,000 elements is more than graphdiff holds (at most 100,000,000)")


def test_constant_overflow_says_overflow(write):
    r = run("eval", write("y = 2^10000 + a\n"), "--set", "a=1")
    assert r.exit_code == 1 and "error: overflow: the constant expression 2 ^ 10000 = inf (node 'y')" in r.stderr


@pytest.mark.parametrize("odd", ["\f", "\x85", "\u2028", "\v"])
def test_error_line_shown_is_the_lexers_line(write, odd):
    """Only \\n, \\r\\n and \\r end a line; other Unicode line separators do not shift the caret's line."""
    r = run("eval", write(f"a = 1 # {odd} note\nb = 2\ny = log(a - b - 1)\n"))
    assert r.exit_code == 1
    assert ":3:1: error:" in r.stderr and "  y = log(a - b - 1)" in r.stderr


def test_program_and_inputs_cannot_both_be_stdin():
    r = run("eval", "-", "--inputs", "-", input="y = a + 1\n")
    assert r.exit_code == 2 and "standard input can hold the program or the --inputs JSON, not both" in r.stderr
