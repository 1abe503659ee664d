"""What users touch, with the real thing: graphdiff as a process, a real pipe that its reader closes, a real
terminal of a given width (a pseudo-terminal), real files, ``python -m graphdiff``."""
from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from graphdiff.language.gen import generate

from .conftest import ROOT

GRAPHDIFF = shutil.which("graphdiff", path=str(Path(sys.executable).parent)) or "graphdiff"
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """A program whose every long output is larger than a pipe's buffer (64 KB) in few rows: 500 inputs with
    names of 150 characters (a table of few rows costs rich little to lay out)."""
    p = tmp_path_factory.mktemp("pipe") / "wide.gd"
    names = ["x0"] + [f"x{i}_{'w' * 150}" for i in range(1, 500)]
    lines = [f"input {n} = {0.001 * k}" for k, n in enumerate(names)]
    lines += [f"s{k} = {a} * {b}" for k, (a, b) in enumerate(zip(names[::2], names[1::2]))]
    lines.append("y = " + " + ".join(f"s{k}" for k in range(250)))
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


COMMANDS = [["eval"], ["edges"], ["info"], ["grad"], ["grad", "--trace"], ["paths", "--from", "x0", "--to", "y"],
            ["paths"], ["cost"], ["check", "--no-symbolic"]]
FORMATS = ["table", "json", "csv", "tsv"]


#: One process imports graphdiff once and forks a child per run: each child is graphdiff's command line with
#: its standard output a real pipe (its own process, exit code and SIGPIPE disposition, as a fresh
#: ``graphdiff`` process has), without paying the import again. It ends as the interpreter would, flushing
#: standard output, so a pipe closed early that the command did not handle shows as Python's exit code 120.
_FORKER = r"""
import json, os, sys
from graphdiff.cli import main
out = []
for args, first_line in json.loads(sys.argv[1]):
    r_out, w_out = os.pipe()
    r_err, w_err = os.pipe()
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(r_out); os.close(r_err)
        os.dup2(w_out, 1); os.dup2(w_err, 2)
        sys.argv = ["graphdiff", *args]
        code = 0
        try:
            main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            sys.stderr.write("Exception ignored: BrokenPipeError\n"); code = 120
        sys.stderr.flush()
        os._exit(code)
    os.close(w_out); os.close(w_err)
    with os.fdopen(r_out, "rb") as f:
        if first_line:
            f.readline()
    with os.fdopen(r_err, "rb") as f:
        err = f.read().decode()
    _, status = os.waitpid(pid, 0)
    out.append([args, os.waitstatus_to_exitcode(status), err])
print(json.dumps(out))
"""


def _all_ok(runs) -> None:
    """Every run exits 0 with nothing on standard error, its pipe closed by the reader after one line (or before
    any): in two processes (the machine's two cores), each forking a child per run."""
    halves = [runs[0::2], runs[1::2]]
    procs = [subprocess.Popen([sys.executable, "-c", _FORKER, json.dumps(h)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=ENV, text=True) for h in halves]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        results += json.loads(out)
    assert len(results) == len(runs)
    bad = [(args, code, err) for args, code, err in results if code != 0 or err]
    assert not bad, bad


def test_a_closed_pipe_ends_every_command_in_every_format_with_0(big):
    """`graphdiff eval big.gd | head -1` exits 0 with nothing on stderr: for every command and format, whether
    the reader takes a line first (the writer is in the middle of a table) or closes before any output."""
    runs = []
    for cmd in COMMANDS:
        for fmt in FORMATS:
            args = [*cmd, str(big), "--format", fmt] + (["--all"] if fmt == "table" and cmd[0] not in ("info", "cost")
                                                         else [])
            runs.append((args, fmt == "table"))  # tables: mid-stream, through rich
            if fmt != "table":
                runs.append((args, False))
    runs += [(["draw", str(big), "--force", "--format", fmt], True) for fmt in ("dot", "mermaid")]
    runs += [(["gen", "wide", "--inputs", "100000"], True), (["gen", "chain", "--length", "10"], False)]
    _all_ok(runs)


def test_a_closed_pipe_in_a_fresh_process_too(big):
    """The same, a fresh ``graphdiff`` process for each format (nothing forked): a table mid-stream and JSON
    closed before any output."""
    for args, first in ((["eval", str(big), "--all"], True), (["grad", str(big), "--format", "json"], False),
                        (["edges", str(big), "--format", "csv"], True)):
        p = subprocess.Popen([GRAPHDIFF, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        if first:
            p.stdout.readline()
        p.stdout.close()
        assert (p.wait(timeout=120), p.stderr.read()) == (0, b""), args


def test_head_in_a_shell_pipeline_sees_exit_0(big):
    out = subprocess.run(["bash", "-c", f"'{GRAPHDIFF}' eval '{big}' --all | head -1; echo ${{PIPESTATUS[0]}}"],
                         capture_output=True, text=True, env=ENV, timeout=120)
    assert out.stdout.splitlines()[-1] == "0" and out.stderr == ""


def _in_terminal(args: list[str], columns: int, **extra: str) -> str:
    """graphdiff's output in a pseudo-terminal ``columns`` cells wide (``extra``: more environment)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in {**ENV, **extra}.items() if k not in ("COLUMNS", "LINES")}
    p = subprocess.Popen([GRAPHDIFF, *args], stdout=slave, stderr=slave, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    p.wait(timeout=60)
    os.close(master)
    text = b"".join(chunks).decode()
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r\n", "\n")  # no colours


@pytest.mark.parametrize("columns", [80, 100, 132, 200])
def test_the_check_table_never_splits_a_number_at_any_width_from_80(columns):
    """Every number of the check table stands whole on its row's line; at a narrow width some columns are left
    out, and the caption says which."""
    diamond = str(ROOT / "samples" / "diamond.gd")
    out = _in_terminal(["check", diamond], columns)
    want = json.loads(subprocess.run([GRAPHDIFF, "check", diamond, "--format", "json"], capture_output=True,
                                     text=True, env=ENV).stdout)
    assert all(len(line) <= columns for line in out.splitlines()), out
    row = next(line for line in out.splitlines() if re.match(r"\s+(0\s+)?z\s+x\s", line))
    tokens = row.split()
    values = want["points"][0]["pairs"][0]["values"]
    for method in ("reverse", "finite diff"):
        v = values["fd" if method == "finite diff" else method]
        assert f"{v:.6g}" in tokens, (method, row)
    assert tokens[-1] == "ok"
    if columns < 132:
        assert "not shown at this width:" in " ".join(out.split())


def test_tables_have_no_colour_when_piped():
    r = subprocess.run([GRAPHDIFF, "grad", str(ROOT / "samples" / "backprop.gd")], capture_output=True, text=True,
                       env=ENV)
    assert r.returncode == 0 and "\x1b[" not in r.stdout


def test_python_dash_m_graphdiff():
    r = subprocess.run([sys.executable, "-m", "graphdiff", "eval", str(ROOT / "samples" / "backprop.gd"),
                        "--format", "json"], capture_output=True, text=True, env=ENV)
    assert r.returncode == 0 and json.loads(r.stdout)["outputs"] == {"e": 6.0}
    r = subprocess.run([sys.executable, "-m", "graphdiff", "--help"], capture_output=True, text=True, env=ENV)
    assert r.returncode == 0 and r.stdout.startswith("Usage: graphdiff ")


def _shown(text: str) -> str:
    """What a terminal leaves on screen: on each line, what follows its last carriage return."""
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def test_the_progress_line_is_cleared(tmp_path):
    p = tmp_path / "w.gd"
    p.write_text(generate("wide", inputs=5001, seed=1), encoding="utf-8")
    out = _in_terminal(["cost", str(p)], 120)
    assert "counting:" not in _shown(out.replace("\n", "\r\n").replace("\r\r\n", "\r\n")).replace("\r\n", "\n")
    assert _shown(out).splitlines()[0].startswith("Cost of the full Jacobian")


def test_long_names_fold_and_every_value_stays_at_80_columns(tmp_path):
    p = tmp_path / "long.gd"
    p.write_text("input learning_rate_scale = 0.5\ninput hidden_activation_bias = 1.5\n"
                 "weighted_hidden_activation = learning_rate_scale * sigmoid(hidden_activation_bias)\n")
    out = _in_terminal(["grad", str(p)], 80)
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "0.817574" in out.split() and "0.0745732" in out.split()  # both values, whole
    assert "not shown at this width" not in out


def test_a_failed_write_to_standard_output_is_one_line_and_exit_2():
    with open("/dev/full", "w") as full:
        for args in (["eval", str(ROOT / "samples" / "diamond.gd")], ["gen", "wide"],
                     ["grad", str(ROOT / "samples" / "diamond.gd"), "--format", "json"]):
            r = subprocess.run([GRAPHDIFF, *args], stdout=full, stderr=subprocess.PIPE, text=True, env=ENV)
            assert (r.returncode, r.stderr) == (2, "graphdiff: error: cannot write to standard output: No space "
                                                   "left on device\n"), args


@pytest.mark.parametrize("columns", [80, 100, 132])
@pytest.mark.parametrize("program", ["neuron", "mlp16"])
def test_the_hessian_never_splits_a_number_in_a_real_terminal(columns, program, tmp_path):
    """Above the terminal's width the Hessian is printed a row per entry, and says so: every entry stands whole
    on one line (issue 21: `-0.104553` was split across two lines at 80 columns, and a 16-input Hessian was
    unreadable at 100)."""
    if program == "neuron":
        path = str(ROOT / "samples" / "neuron.gd")
    else:
        path = str(tmp_path / "mlp.gd")
        Path(path).write_text(generate("mlp", layers=(16, 1), seed=3), encoding="utf-8")
    out = _in_terminal(["hessian", path, "--all"], columns)
    want = json.loads(subprocess.run([GRAPHDIFF, "hessian", path, "--format", "json"], capture_output=True,
                                     text=True, env=ENV).stdout)["hessian"]
    (output, rows), = want.items()
    lines = out.splitlines()
    assert all(len(line) <= columns for line in lines), out
    tokens = {tok for line in lines for tok in line.split()}
    for a, row in rows.items():
        for b, v in row.items():
            assert f"{v:.6g}" in tokens or (v == int(v) and str(int(v)) in tokens), (a, b, v)
    wide = 7 + sum(max(len(f"{v:.6g}") for v in row.values()) + 3 for row in rows.values())
    if wide > columns:
        assert "a row per entry: the matrix is" in " ".join(out.split())


def test_explore_on_a_terminal_writes_a_page_beside_the_program(tmp_path):
    """Issue 21: `graphdiff explore samples/backprop.gd` on a terminal wrote 46 KB of HTML into it; now the page
    goes beside the program, and the terminal is told where."""
    prog = tmp_path / "backprop.gd"
    prog.write_text((ROOT / "samples" / "backprop.gd").read_text(encoding="utf-8"), encoding="utf-8")
    out = _in_terminal(["explore", str(prog)], 100)
    page = tmp_path / "backprop.html"
    assert page.is_file() and page.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert "<html" not in out and f"wrote {page}" in out
    refused = _in_terminal(["explore", "-e", "y = 2 * x"], 100)
    assert "give -o FILE.html" in refused and "<html" not in refused
    piped = subprocess.run([GRAPHDIFF, "explore", str(prog)], capture_output=True, text=True, env=ENV)
    assert piped.returncode == 0 and piped.stdout.startswith("<!doctype html>")  # a pipe still gets the page


def test_a_compile_the_command_waits_for_says_so_on_a_terminal_and_not_in_a_pipe(tmp_path):
    """GRAPHDIFF_COMPILE=now compiles before answering: a status line on a terminal's stderr, nothing in a
    pipe; the program is kept for the next run either way."""
    prog = tmp_path / "chain.gd"
    prog.write_text(subprocess.run([GRAPHDIFF, "gen", "chain", "--length", "6000"], capture_output=True, text=True,
                                   env=ENV, check=True).stdout)
    args = ["grad", str(prog), "--wrt", "x0", "--format", "json"]
    out = _in_terminal(args, 120, GRAPHDIFF_COMPILE="now", GRAPHDIFF_CACHE_DIR=str(tmp_path / "a"))
    assert f"compiling the program of {prog} (24,002 nodes)" in out
    assert list((tmp_path / "a").glob("*.gdp"))
    piped = subprocess.run([GRAPHDIFF, *args], capture_output=True, text=True, timeout=120,
                           env={**ENV, "GRAPHDIFF_COMPILE": "now", "GRAPHDIFF_CACHE_DIR": str(tmp_path / "b")})
    assert piped.returncode == 0 and piped.stderr == "" and list((tmp_path / "b").glob("*.gdp"))


def test_the_quick_exit_delivers_every_byte_and_the_commands_exit_code(tmp_path):
    """The console script ends with ``os._exit`` once a command has printed (nothing is freed object by object):
    a document far larger than a pipe's buffer arrives whole and equals the library's, and an exit code or an
    error after the output is kept."""
    import graphdiff

    p = tmp_path / "chain.gd"
    p.write_text(generate("chain", length=5_000, seed=2), encoding="utf-8")
    r = subprocess.run([GRAPHDIFF, "grad", str(p), "--format", "json"], capture_output=True, env=ENV)
    assert r.returncode == 0 and len(r.stdout) > 300_000 and r.stdout.endswith(b"}\n")
    assert json.loads(r.stdout) == json.loads(json.dumps(graphdiff.grad(graphdiff.load(p)).to_dict()))
    script = ("import sys; from graphdiff import cli\n"
              "def main(**_):\n    cli._KEPT.append(object()); print('the answer'); sys.stderr.write('p: error: late\\n')\n"
              "    sys.exit(3)\n"
              "cli.main = main; cli.entry()")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=ENV)
    assert (r.returncode, r.stdout, r.stderr) == (3, "the answer\n", "p: error: late\n")


def test_a_warm_command_on_a_cached_graph_loads_neither_lark_nor_the_other_commands(tmp_path):
    """What a repeat run imports: the grammar's parser only when a program (or a row's formula, which the
    compiled program no longer needs) is parsed, each command's analyses only when it runs (a tenth of a second
    of a warm run's start)."""
    p = tmp_path / "big.gd"
    p.write_text(generate("chain", length=60_000, seed=1), encoding="utf-8")
    env = {**ENV, "GRAPHDIFF_CACHE_DIR": str(tmp_path / "cache"), "GRAPHDIFF_COMPILE": "now"}
    script = ("import sys; from graphdiff import cli\nsys.argv = ['graphdiff', 'grad', sys.argv[1], '--format', 'json']\n"
              "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
              "print(sorted(m for m in ('lark', 'graphdiff.analyses.check', 'graphdiff.analyses.eliminate', "
              "'graphdiff.views.draw', 'graphdiff.language.python', 'rich') if m in sys.modules), file=sys.stderr)")
    cold = subprocess.run([sys.executable, "-c", script, str(p)], capture_output=True, text=True, env=env)
    warm = subprocess.run([sys.executable, "-c", script, str(p)], capture_output=True, text=True, env=env)
    assert cold.returncode == warm.returncode == 0 and cold.stdout == warm.stdout
    assert cold.stderr.strip() == "['lark']" and warm.stderr.strip() == "[]"
