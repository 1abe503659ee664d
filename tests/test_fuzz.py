"""Fuzzing every command with grammar-aware inputs: whatever the program, graphdiff answers with exit code
0, 1 or 2, never a traceback, and a parse error points at a line and column inside the input.

Inputs: mutated samples, soups of the language's tokens, deep nesting, huge and tiny numbers, Unicode and
random bytes. CI runs a bounded number of examples (the whole file takes well under a minute); a long soak:

    GRAPHDIFF_FUZZ_EXAMPLES=100000 python -m pytest tests/test_fuzz.py -q -p no:cacheprovider

(the count is per test; the soak also turns SymPy on in ``check``).
"""
from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphdiff.cli import main

from .conftest import SAMPLES

SOAK = int(os.environ.get("GRAPHDIFF_FUZZ_EXAMPLES", "0"))


def examples(ci: int) -> settings:
    return settings(max_examples=SOAK or ci, deadline=None, database=None, derandomize=not SOAK,
                    suppress_health_check=list(HealthCheck))


SAMPLE_TEXTS = [p.read_text(encoding="utf-8") for p in SAMPLES]
PRELUDE = "input a = 0.5, b = -1.5, c = 2\ninput x[3] = 0.25\n"
NAMES = ["a", "b", "c", "x", "x[0]", "x[2]", "x[3]", "y", "z", "α", "名前", "_q1", "input", "output"]
FUNCS = ["sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "sign", "softplus",
         "log1p", "expm1", "sinh", "cosh", "asin", "acos", "atan", "min", "max", "sum", "prod", "mean", "pow",
         "nope"]
NUMBERS = ["0", "1", "2.5", ".5", "1e308", "1e-320", "1e400", "9" * 400, "0.0", "1e", "3.", "007"]
PUNCT = ["+", "-", "*", "/", "^", "**", "(", ")", "[", "]", ",", "=", ";", "\n", "\r\n", "#", " ", "\t",
         "\ufeff", "@", "'", '"', "\\", "\x00", "≠", "∂"]
TOKENS = NAMES + FUNCS + [f + "(" for f in FUNCS] + NUMBERS + PUNCT

COMMANDS = [["eval"], ["edges"], ["info"], ["grad"], ["grad", "--mode", "forward"], ["grad", "--mode", "paths"],
            ["paths"], ["paths", "--from", "a", "--to", "y"], ["cost"], ["check", "--no-symbolic"]]
if "draw" in main.commands:
    COMMANDS += [["draw"], ["draw", "--format", "mermaid", "--partials"]]
PROGRAM_FORMATS = ["table", "json", "csv", "tsv"]

LOCATED = re.compile(r"^<stdin>:(\d+):(\d+): error: ", re.M)


def invoke(args: list[str], stdin: bytes) -> None:
    """Run one command in-process and check the contract."""
    r = CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)
    assert r.exit_code in (0, 1, 2), (args, r.exit_code, r.stderr[-2000:])
    assert "Traceback" not in r.stderr, r.stderr[-2000:]
    assert "internal error" not in r.stderr, r.stderr[-2000:]
    m = LOCATED.search(r.stderr)
    if m:
        assert r.exit_code in (1, 2)
        text = stdin.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        lines = text.split("\n") or [""]
        line, col = int(m.group(1)), int(m.group(2))
        assert 1 <= line <= len(lines), (line, len(lines), r.stderr[:300])
        assert 1 <= col <= len(lines[line - 1]) + 1, (line, col, lines[line - 1][:200], r.stderr[:300])


commands = st.sampled_from(COMMANDS)
formats = st.sampled_from(PROGRAM_FORMATS)


@st.composite
def command_line(draw):
    cmd = list(draw(commands))
    if cmd[0] != "draw":
        cmd += ["--format", draw(formats)]
        if draw(st.booleans()):
            cmd.append("--ieee")
    return cmd + ["-"]


# ---- program strategies -------------------------------------------------------------------------------------

@st.composite
def mutated_samples(draw):
    text = draw(st.sampled_from(SAMPLE_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 20)))
        how = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "swap"]))
        if how == "delete":
            text = text[:i] + text[j:]
        elif how == "insert":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[i:]
        elif how == "replace":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[j:]
        elif how == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[j:] + text[:i] + text[i:j]
    return text


@st.composite
def token_soup(draw):
    """Statements of random tokens after a prelude that gives the common names values."""
    stmts = []
    for _ in range(draw(st.integers(1, 6))):
        lhs = draw(st.sampled_from(["y", "z", "w", "q", "a", "α"]))
        body = "".join(draw(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=15)))
        stmts.append(f"{lhs} = {body}")
    return PRELUDE + draw(st.sampled_from(["\n", ";", "\r\n"])).join(stmts) + "\n"


@st.composite
def well_formed(draw):
    """Programs the grammar accepts, so the later layers are reached: every function, odd values."""
    lines = [PRELUDE]
    names = ["a", "b", "c", "x[0]", "x[1]", "x[2]"]
    consts = ["0", "1", "2", "0.5", "1e308", "1e-308", "710", "-3"]
    for k in range(draw(st.integers(1, 8))):
        f = draw(st.sampled_from(FUNCS[:-1] + ["+", "-", "*", "/", "^"]))
        a = draw(st.sampled_from(names + consts))
        b = draw(st.sampled_from(names + consts))
        if f in "+-*/^":
            expr = f"{a} {f} {b}"
        elif f in ("min", "max", "sum", "prod", "mean", "pow"):
            expr = f"{f}({a}, {b})" if f != "sum" or draw(st.booleans()) else "sum(x)"
        else:
            expr = f"{f}({a})"
        name = f"n{k}"
        lines.append(f"{name} = {expr}\n")
        names.append(name)
    return "".join(lines)


@st.composite
def deep(draw):
    depth = draw(st.integers(1, 3000))
    opener = draw(st.sampled_from(["(", "sin(", "-", "max(1, ", "a^", "exp(", "(a + "]))
    closer = {"(": ")", "sin(": ")", "-": "", "max(1, ": ")", "a^": "", "exp(": ")", "(a + ": ")"}[opener]
    cut = draw(st.integers(0, 2))  # 0: balanced; otherwise one closer short or one too many
    tail = closer * (depth - (cut == 1)) + (closer if cut == 2 else "")
    return f"{PRELUDE}y = {opener * depth}b{tail}\n"


numbers = st.one_of(st.floats(allow_nan=False, allow_infinity=False).map(repr),
                    st.integers(-10 ** 400, 10 ** 400).map(str), st.sampled_from(NUMBERS))


@st.composite
def huge_numbers(draw):
    n1, n2 = draw(numbers), draw(numbers)
    op = draw(st.sampled_from(["*", "/", "^", "+", "-"]))
    f = draw(st.sampled_from(["exp", "log", "sqrt", "sinh", "tan", "asin", "log1p"]))
    return f"input a = {n1.lstrip('-')}\ny = {f}(a) {op} {n2.lstrip('-')}\nz = a {op} {n2.lstrip('-')}\n"


unicode_text = st.text(min_size=0, max_size=200)


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass") if not any(0xD800 <= ord(c) <= 0xDFFF for c in text) \
        else text.encode("utf-8", "replace")


# ---- the tests ------------------------------------------------------------------------------------------------

@examples(500)
@given(mutated_samples(), command_line())
def test_mutated_samples(text, args):
    invoke(args, encode(text))


@examples(500)
@given(token_soup(), command_line())
def test_token_soup(text, args):
    invoke(args, encode(text))


@examples(500)
@given(well_formed(), command_line())
def test_well_formed_programs(text, args):
    invoke(args, encode(text))


@examples(25)
@given(deep(), command_line())
def test_deep_nesting(text, args):
    invoke(args, encode(text))


@examples(200)
@given(huge_numbers(), command_line())
def test_huge_numbers(text, args):
    invoke(args, encode(text))


@examples(200)
@given(unicode_text, command_line())
def test_unicode(text, args):
    invoke(args, encode(text))


@examples(200)
@given(st.binary(max_size=300), command_line())
def test_random_bytes(data, args):
    r = CliRunner().invoke(main, args, input=data, catch_exceptions=False)
    assert r.exit_code in (0, 1, 2) and "Traceback" not in r.stderr and "internal error" not in r.stderr


@examples(60)
@given(st.one_of(mutated_samples(), well_formed()), st.integers(0, 3), st.integers(0, 10 ** 6))
def test_check_with_symbolic_and_random_points(text, points, seed):
    invoke(["check", "--points", str(points), "--seed", str(seed), "--format", "json", "-"], encode(text))


@examples(100)
@given(st.lists(st.sampled_from(["--set", "--inputs", "--from", "--to", "--of", "--wrt", "--max-paths", "--points",
                                 "--rtol", "a=1", "x=2", "zz", "-1", "nan", "inf", "1e999", "a", "y", "{}", "-",
                                 "--limit", "--mode", "paths", "--seed", "x[9]=1", "=", ""]), max_size=6),
       st.sampled_from(COMMANDS))
def test_random_options(opts, cmd):
    """Nonsense options: click's usage errors (2) or graphdiff's own, never a traceback."""
    r = CliRunner().invoke(main, [*cmd, *opts, "-e", PRELUDE + "y = a * b + sum(x)"], input=b"{}",
                           catch_exceptions=False)
    assert r.exit_code in (0, 1, 2), (opts, r.stderr[-500:])
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr


@examples(20)
@given(st.data())
def test_gen_output_is_a_valid_program(data):
    family = data.draw(st.sampled_from(["wide", "fanout", "chain", "diamonds", "mlp"]))
    sizes = {"wide": ["--inputs", str(data.draw(st.integers(1, 30)))],
             "fanout": ["--outputs", str(data.draw(st.integers(1, 30)))],
             "chain": ["--length", str(data.draw(st.integers(1, 50)))],
             "diamonds": ["--stages", str(data.draw(st.integers(1, 4))), "--width", str(data.draw(st.integers(1, 4)))],
             "mlp": ["--layers", data.draw(st.sampled_from(["2,2,1", "3,1", "1,1", "2,3,2"]))]}[family]
    r = CliRunner().invoke(main, ["gen", family, *sizes, "--seed", str(data.draw(st.integers(0, 99)))],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    invoke(list(data.draw(command_line())), r.stdout.encode())
