"""The command line: a thin click group over the library. The only module that talks to the terminal
and exits."""
from __future__ import annotations

import contextlib
import functools
import gc
import json
import math
import os
import sys
from pathlib import Path
from typing import Callable

import click

from .base.version import __version__
from .base.errors import ExitCode, GraphdiffError, InputError
from .views.render import FORMATS, render

EXIT_CODES = """\b
Exit codes:
  0  success
  1  a failure while computing (log(-1), division by zero, overflow, a NaN
     or infinite derivative), or a check that disagrees
  2  bad input: syntax error, unknown name or function, wrong number of
     arguments, repeated assignment, cycle, index out of range, missing
     or non-finite input value, empty program, bad option, a file -o
     cannot write, a Python function import cannot trace
  3  an internal error in graphdiff (please report it)
A closed output pipe (graphdiff eval big.gd | head) ends quietly with 0."""


def _stdout_console():
    from rich.console import Console

    class PipeConsole(Console):
        """A closed pipe is graphdiff's to handle (quietly, exit 0), not rich's (which exits 1)."""

        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    tty = sys.stdout.isatty()
    return PipeConsole(highlight=False, width=None if tty else 160, soft_wrap=False)


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes: East Asian wide and full-width characters 2, combining marks 0."""
    import unicodedata

    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def report_error(e: GraphdiffError) -> None:
    """``file:line:col: message``, then the source line and a caret under the column (placed by terminal cells,
    so that it stands under the character after wide ones)."""
    out = sys.stderr
    where = e.source or ""
    if e.line is not None:
        where += f":{e.line}:{e.col or 1}"
    out.write(f"{where}: error: {e.message}\n" if where else f"graphdiff: error: {e.message}\n")
    if e.source_line and e.source_line.strip() and e.col:
        line = e.source_line.replace("\t", " ")
        col = e.col
        if len(line) > 200:  # keep a window around the column on a huge line
            lo = max(0, (e.col - 1) - 100)
            line, col = line[lo:lo + 200], e.col - lo
        out.write(f"  {line}\n  {' ' * cells(line[:col - 1])}^\n")


def warn(diagnostics, source: str, limit: int = 20) -> None:
    for d in diagnostics[:limit]:
        sys.stderr.write(f"{source}:{d.line}:{d.col}: warning: {d.message}\n")
    if len(diagnostics) > limit:
        sys.stderr.write(f"{source}: warning: {len(diagnostics) - limit:,} more warnings not shown\n")


#: What the command printed (its report and everything the report holds), kept for the process's exit when the
#: console script runs it (None otherwise: a process that calls ``main`` again and again keeps nothing).
_KEPT: list | None = None


def entry() -> None:
    """The console script (and ``python -m graphdiff``): :func:`main`, then an exit that does not free, one object
    at a time, what a command kept (the graph, its values and derivatives: millions of objects for a large
    program, 0.2 s of a warm second): once the output is flushed and the exit handlers have run, the process
    ends (``os._exit``) and the system takes its memory back at once. A process with other threads running,
    or a command that kept nothing, exits as Python does."""
    global _KEPT
    _KEPT = []
    try:
        main(prog_name="graphdiff")
        code = 0
    except SystemExit as e:
        code = e.code
    if not _KEPT or not isinstance(code, (int, type(None))):
        sys.exit(code)
    import atexit
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe at the last flush: nothing more to say (as _quiet_pipe)
            pass
    os._exit(code or 0)


def run_safely(fn: Callable) -> Callable:
    """Turn every failure into a one-line message and its exit code; ``--traceback`` adds the Python traceback
    before the message and changes nothing else."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        tb = kwargs.pop("traceback", False)
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:
            _quiet_pipe()
        except KeyboardInterrupt:
            sys.stderr.write("graphdiff: interrupted\n")
            sys.exit(130)
        except click.exceptions.ClickException:
            raise
        except GraphdiffError as e:
            _traceback(tb)
            report_error(e)
            sys.exit(int(e.exit_code))
        except (MemoryError, RecursionError) as e:
            _traceback(tb)
            sys.stderr.write(f"graphdiff: error: out of {'memory' if isinstance(e, MemoryError) else 'stack'}\n")
            sys.exit(int(ExitCode.COMPUTE))
        except Exception as e:  # a bug: say so without a traceback unless asked
            _traceback(tb)
            hint = "" if tb else " (run with --traceback for details)"
            sys.stderr.write(f"graphdiff: internal error: {type(e).__name__}: {e}{hint}\n")
            sys.exit(int(ExitCode.INTERNAL))

    return wrapper


def _traceback(wanted: bool) -> None:
    if wanted:
        import traceback

        traceback.print_exc()


def _quiet_pipe() -> None:
    """The reader closed the pipe: stop writing, say nothing, succeed (the final flush goes nowhere)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    sys.exit(0)


def _parse_set(items: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--set {item!r}: expected NAME=VALUE, e.g. --set a=2 or --set x[3]=0.5")
        try:
            v = float(value)
        except ValueError:
            raise InputError(f"--set {item}: {value!r} is not a number") from None
        text = value.strip().lstrip("+-")
        if not math.isfinite(v) and (text[:1].isdigit() or text[:1] == "."):  # as the literal in a program
            raise InputError(f"--set {item}: number {value.strip()} is too large for a float")
        out[name.strip()] = v  # inf and nan: bad input unless --ieee (graphdiff.evaluate.bind)
    return out


def _json_float(path: str):
    def parse(text: str) -> float:
        v = float(text)
        if not math.isfinite(v):
            raise InputError(f"{path}: number {text[:40]} is too large for a float")
        return v
    return parse


def _read_json(path: str, option: str, example: str, inline: bool = False) -> dict:
    """The JSON object an option names: a file, ``-`` (standard input) or, with ``inline``, the JSON text itself
    (``--hvp '{"w1": 1}'``). Bad input names the option."""
    text = path if inline and path.lstrip().startswith(("{", "[")) else None
    source = option if text is not None else path
    if text is None:
        try:
            text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
        except OSError as e:
            raise InputError(f"{path}: cannot read {option} file: {e.strerror or e}") from None
        except UnicodeDecodeError:
            raise InputError(f"{path}: {option} file is not UTF-8 text") from None
    try:
        data = json.loads(text, parse_float=_json_float(source))  # NaN, Infinity: as --set a=nan
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON: {e.msg}", e.lineno, e.colno, source=source) from None
    if not isinstance(data, dict):
        where = "" if source == option else f"{source}: "
        raise InputError(f"{where}{option} must be a JSON object such as {example}")
    return data


def _read_inputs(path: str | None) -> dict[str, object]:
    """The ``--inputs`` JSON object: a number per input, a list of numbers per vector (checked by
    :func:`graphdiff.evaluate.bind`)."""
    if not path:
        return {}
    data = _read_json(path, "--inputs", '{"a": 2, "x": [1, 2]}')
    out: dict[str, object] = {}
    for k, v in data.items():
        if isinstance(v, list):
            out[k] = [_json_number(path, f"{k}[{n}]", x) for n, x in enumerate(v)]
        else:
            out[k] = _json_number(path, k, v)
    return out


def _json_number(path: str, name: str, v) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InputError(f"{path}: value of '{name}' is not a number: {json.dumps(v)[:40]}")
    try:
        return float(v)
    except OverflowError:
        raise InputError(f"{path}: value of '{name}' is too large for a float: {str(v)[:40]}…") from None


@contextlib.contextmanager
def _stdout():
    """Writing to standard output: a closed pipe ends quietly (exit 0, by run_safely); any other failure (a full
    disk, /dev/full) is one line and exit 2, as an unwritable -o is."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as e:
        raise InputError(f"cannot write to standard output: {e.strerror or e}") from None


def _write(path: str, data: bytes | str) -> None:
    """Write an output file (``-o``), or say in one line why not (bad input: exit 2); then say what was written."""
    try:
        with open(path, "wb" if isinstance(data, bytes) else "w", encoding=None if isinstance(data, bytes) else "utf-8") as f:
            f.write(data)
    except OSError as e:
        raise InputError(f"{path}: cannot write: {e.strerror or e}") from None
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8"))
    sys.stderr.write(f"graphdiff: wrote {path} ({size:,} bytes)\n")


class Context:
    """What a command gets from the shared options (those it does not take stay at their defaults)."""

    def __init__(self, file=None, expr=None, jobs=None, cache=True, sets=(), inputs=None, fmt="table",
                 all_rows=False, digits=None, ieee=False, points_path=None, dask=None):
        self.file, self.expr, self.fmt, self.all_rows, self.ieee = file, expr, fmt, all_rows, ieee
        self.points, self.dask, self.jobs = points_path, dask, jobs
        self.cache = None if cache else False  # None: the environment decides (GRAPHDIFF_CACHE)
        self.digits = digits
        self._sets, self._inputs_path = sets, inputs

    def graph(self):
        from .language.cache import load
        from .language.graph import loads

        if self.expr is not None:
            if self.file is not None:
                raise InputError("give a FILE or -e/--expr, not both")
            return loads(self.expr, "<expr>")
        if self.file is None:
            raise InputError("no program: give a FILE, '-' for standard input, or -e 'c = a + b'")
        if self.file == "-":
            if self._inputs_path == "-":
                raise InputError("standard input can hold the program or the --inputs JSON, not both: "
                                 "give one of them as a file")
            data = sys.stdin.buffer.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as e:
                raise InputError(f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})",
                                 source="<stdin>") from None
            return loads(text, "<stdin>")
        return load(self.file, cache=self.cache)

    def values(self) -> dict[str, object]:
        vals = _read_inputs(self._inputs_path)
        vals.update(_parse_set(self._sets))
        return vals

    def emit(self, report) -> None:
        from .views.render import DIGITS

        if report.warnings:
            warn(list(report.warnings), self.source_name())
        with _stdout():
            render(report, self.fmt, sys.stdout, all_rows=self.all_rows,
                   console=_stdout_console() if self.fmt == "table" else None,
                   digits=DIGITS if self.digits is None else self.digits)
            sys.stdout.flush()
        if _KEPT is not None:
            _KEPT.append(report)  # freed by the exit, not object by object (see entry)

    def source_name(self) -> str:
        return "<expr>" if self.expr is not None else ("<stdin>" if self.file == "-" else self.file)

    def at_points(self, what: str, of=None, wrt=None, mode: str = "reverse") -> None:
        """``--points``: the command's answer at every point of the file, a row each, streamed; exits 1 when a
        point faulted (its row says how), unless --ieee."""
        from .analyses.points import Points, chunk_size, chunks, run_chunks
        from .language.points import read_points
        from .views.render import DIGITS, render_points

        if self._sets or self._inputs_path:
            raise InputError("--points gives the inputs: --set and --inputs do not go with it")
        if self.points == "-" and self.file == "-":
            raise InputError("standard input can hold the program or the --points, not both")
        g = self.graph()
        job = Points(g, what, of=of or None, wrt=wrt or None, mode=mode, ieee=self.ieee)
        try:
            f = sys.stdin if self.points == "-" else open(self.points, encoding="utf-8", newline="")
        except OSError as e:
            raise InputError(f"{self.points}: cannot read --points file: {e.strerror or e}") from None
        source = "<stdin>" if self.points == "-" else self.points
        with contextlib.ExitStack() as stack:
            if f is not sys.stdin:
                stack.enter_context(f)
            bar = stack.enter_context(_bar("points", self.points))
            points = read_points(f, source)
            if self.dask:
                from .analyses.distribute import at_points_on

                rows = at_points_on(self.dask, job, points, chunk_size(g, what), progress=bar)
            else:
                rows = run_chunks(job, chunks(points, chunk_size(g, what)), _workers(self.jobs), bar)
            with _stdout():
                summary = render_points(rows, None, [g.names[o] for o in job.outs], job.columns, self.fmt,
                                        sys.stdout, console=_stdout_console() if self.fmt == "table" else None,
                                        digits=DIGITS if self.digits is None else self.digits)
                sys.stdout.flush()
        if summary.faulted and not self.ieee:
            shown = ", ".join(str(i) for i, _ in summary.faulted[:10]) + (", …" if len(summary.faulted) > 10 else "")
            sys.stderr.write(f"{source}: error: {len(summary.faulted):,} of {summary.n:,} points faulted (point "
                             f"{shown}); their rows say why\n")
            sys.exit(int(ExitCode.COMPUTE))


def _workers(jobs: int | None) -> int:
    """Processes that answer points: ``--jobs`` (or ``GRAPHDIFF_JOBS``), else the machine's cores."""
    return max(1, jobs or os.cpu_count() or 1)


@contextlib.contextmanager
def _bar(label: str, path: str | None):
    """A rich progress bar on stderr while the points are answered, when stderr is a terminal (nothing when it
    is not): its total is the file's lines, counted first (unknown for standard input)."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    total = None
    if path not in (None, "-"):
        with open(path, "rb") as f:
            total = max(0, sum(1 for line in f if line.strip()) - 1)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.update(task, completed=done)


@contextlib.contextmanager
def _compiling(g, backend: str):
    """A status line on stderr while a program is compiled and the command waits (a terminal only)."""
    if not sys.stderr.isatty() or len(g) < 20_000:
        yield
        return
    from rich.console import Console

    what = "over arrays of points" if backend == "numpy" else "for this and later runs"
    with Console(stderr=True).status(f"compiling the program of {g.source} ({len(g):,} nodes) {what}"):
        yield


# The shared options, in groups; a command takes the groups it uses (click makes a fresh parameter each time
# one is applied). Each group's options reach the command's Context under their own names.
_SOURCE = [
    click.argument("file", required=False, type=click.Path(dir_okay=True, allow_dash=True)),
    click.option("-e", "--expr", metavar="TEXT", help="The program inline, e.g. -e 'c = a + b; e = c * 2'."),
    click.option("--jobs", type=int, envvar="GRAPHDIFF_JOBS", default=None, hidden=True,
                 help="Processes that answer --points (default: the machine's cores); programs are parsed in one."),
    click.option("--cache/--no-cache", default=True, help="Load a large FILE's graph from the cache, and keep it "
                 "there (default; GRAPHDIFF_CACHE=0 turns it off, GRAPHDIFF_CACHE_DIR moves it)."),
]
_VALUES = [
    click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
                 help="Give an input a value (repeatable; x[3]=0.5 sets one element, x=0.5 a whole vector)."),
    click.option("--inputs", metavar="JSON", help="A JSON object of input values ({\"a\": 2, \"x\": [1, 2]}); - for stdin."),
]
_FORMAT = [
    click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                 help="Output format; json, csv and tsv always hold every row, and every digit."),
]
_ROWS = [
    click.option("--all", "all_rows", is_flag=True, help="Show every row of a long table."),
    click.option("--digits", type=click.IntRange(1, 17), default=None, metavar="N",
                 help="Significant digits of the numbers in a table  [default: 6; json, csv and tsv keep all 17]"),
]
_IEEE = [click.option("--ieee", is_flag=True, help="Let NaN and infinities through (marked) instead of stopping.")]
_POINTS = [
    click.option("--points", "points_path", metavar="FILE", help="Answer at every point of FILE (CSV with a header naming inputs, "
                 "or JSON Lines; - for stdin): a row per point in csv, tsv or json (JSON Lines); a table "
                 "summarises. Inputs a point leaves out take their defaults."),
    click.option("--dask", metavar="ADDRESS", help="With --points: send the chunks of points to a Dask cluster "
                 "(a scheduler's address, or 'local' for a LocalCluster on this machine)."),
]
_TRACEBACK = [click.option("--traceback", is_flag=True, help="Also show the Python traceback of an error.")]
#: Every command's Context options, by the groups above.
_GROUPS = {"source": _SOURCE, "values": _VALUES, "format": _FORMAT, "rows": _ROWS, "ieee": _IEEE,
           "points": _POINTS}
_CONTEXT_KEYS = {"file", "expr", "jobs", "cache", "sets", "inputs", "fmt", "all_rows", "digits", "ieee",
                 "points_path", "dask"}


def _apply(fn: Callable, decorators: list[Callable]) -> Callable:
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def options(*groups: str) -> Callable[[Callable], Callable]:
    """The shared options of ``groups`` (source, values, format, rows, ieee) and --traceback; the command gets a
    :class:`Context` made of them as its first argument."""
    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(**kwargs):
            shared = {k: kwargs.pop(k) for k in list(kwargs) if k in _CONTEXT_KEYS}
            return fn(Context(**shared), **kwargs)

        return _apply(wrapper, [d for name in groups for d in _GROUPS[name]] + _TRACEBACK)
    return decorate


#: The groups of a command that evaluates the program and prints tables of numbers.
NUMERIC = ("source", "values", "format", "rows", "ieee")


class _Group(click.Group):
    def main(self, *args, **kwargs):
        sys.set_int_max_str_digits(0)  # exact path counts of any size
        # graphdiff's data hold no reference cycles, so reference counting frees them; the cyclic collector
        # would only walk the million objects of a large graph again and again (a tenth of a warm run).
        gc.disable()
        from .codegen import stored

        stored.announce = _compiling
        try:
            return super().main(*args, **kwargs)
        except BrokenPipeError:
            _quiet_pipe()


@click.group(cls=_Group, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"],
                                                               "max_content_width": 100})
@click.version_option(__version__, prog_name="graphdiff")
def main() -> None:
    """The calculus of computational graphs, runnable: evaluate a program, show the partial derivative on
    every edge, count and list the paths between nodes, and run forward-mode and reverse-mode accumulation.

    \b
    A program, one assignment per node, in any order:
      input a = 2, b = 1
      c = a + b
      d = b + 1
      e = c * d
      output e

    \b
    Every command, with an example (graphdiff COMMAND --help for more):
      eval       graphdiff eval samples/backprop.gd
      edges      graphdiff edges samples/backprop.gd
      info       graphdiff info samples/diamond.gd
      grad       graphdiff grad samples/backprop.gd --mode reverse --trace
                 graphdiff grad samples/neuron.gd --points points.csv --format csv
      paths      graphdiff paths samples/diamond.gd --from x --to z
      cost       graphdiff cost -e 'input x[1000000] = 0.5; y = sum(x)'
      check      graphdiff check samples/neuron.gd
      draw       graphdiff draw samples/backprop.gd --reverse e --partials -o reverse.svg
      plot       graphdiff plot samples/rnn.gd --vary w=0:3 --of h6 --wrt h0 --log -o vanishing.png
      derive     graphdiff derive samples/backprop.gd --mode adjoint --of e | graphdiff eval -
      hessian    graphdiff hessian samples/neuron.gd
      eliminate  graphdiff eliminate samples/diamond.gd --order markowitz --trace
      explore    graphdiff explore samples/backprop.gd -o backprop.html
      gen        graphdiff gen mlp --layers 30,30,3 -o mlp.gd
      import     graphdiff import samples/python/tiny_mlp.py:loss | graphdiff grad -

    \b
    Shell completion (bash; zsh and fish alike, with zsh_source or fish_source):
      eval "$(_GRAPHDIFF_COMPLETE=bash_source graphdiff)"
    """


@main.command("eval", epilog=EXIT_CODES)
@options(*NUMERIC, "points")
@run_safely
def eval_cmd(ctx: Context) -> None:
    """Every node's value in topological order, and the outputs.

    \b
    Examples:
      graphdiff eval samples/backprop.gd
      graphdiff eval -e 'c=a+b; d=b+1; e=c*d' --set a=2 --set b=1
      graphdiff eval samples/neuron.gd --format json | jq .outputs
    """
    from .sweeps.evaluate import evaluate
    from .views.report import eval_report

    if ctx.points:
        return ctx.at_points("eval")
    g = ctx.graph()
    ctx.emit(eval_report(evaluate(g, ctx.values(), ieee=ctx.ieee)))


@main.command(epilog=EXIT_CODES)
@options(*NUMERIC, "points")
@run_safely
def edges(ctx: Context) -> None:
    """Every edge with its local partial derivative: the formula (∂e/∂c = d) and its value at the point.

    \b
    Examples:
      graphdiff edges samples/backprop.gd
      graphdiff edges samples/neuron.gd --format csv
    """
    from .sweeps.evaluate import linearize
    from .views.report import edges_report

    if ctx.points:
        return ctx.at_points("edges")
    g = ctx.graph()
    ctx.emit(edges_report(linearize(g, ctx.values(), ieee=ctx.ieee)))


@main.command(epilog=EXIT_CODES)
@options("source", "format")
@run_safely
def info(ctx: Context) -> None:
    """Size and shape: nodes, edges, inputs, outputs, depth, largest fan-in and fan-out, operations.

    \b
    Examples:
      graphdiff info samples/diamond.gd
      graphdiff info big.gd --format json
    """
    from .views.report import info_report
    from .analyses.shape import shape

    ctx.emit(info_report(shape(ctx.graph())))


def _progress(label: str):
    """A progress callback on stderr when it is a terminal, else None: ``cb(done, total)`` shows ``label:
    done/total`` at every hundredth of a long piece of work, and clears the line when done reaches total."""
    if not sys.stderr.isatty():
        return None
    state = {"last": 0, "shown": False}

    def cb(done: int, total: int) -> None:
        if done >= total:
            if state["shown"]:
                sys.stderr.write("\r" + " " * (len(label) + 30) + "\r")
                sys.stderr.flush()
            state.update(last=0, shown=False)
        elif total >= 1000 and done - state["last"] >= total // 100:
            state.update(last=done, shown=True)
            sys.stderr.write(f"\r{label}: {done:,}/{total:,}")
            sys.stderr.flush()

    return cb


@main.command(epilog=EXIT_CODES)
@options(*NUMERIC, "points")
@click.option("--mode", type=click.Choice(["reverse", "forward", "paths"]), default="reverse", show_default=True,
              help="reverse: one sweep per output; forward: one sweep per input; paths: the naive sum over paths.")
@click.option("--of", "of", multiple=True, metavar="OUTPUT", help="Differentiate this output (repeatable; default: all).")
@click.option("--wrt", multiple=True, metavar="INPUT", help="With respect to this input (repeatable; default: all).")
@click.option("--max-paths", type=click.IntRange(min=0), default=100_000, show_default=True,
              help="--mode paths refuses to enumerate more paths than this.")
@click.option("--max-work", type=click.IntRange(min=0), default=100_000_000, show_default=True,
              help="--mode forward refuses to visit more edges than this in all its sweeps.")
@click.option("--trace", is_flag=True, help="Show each step of the sweeps (or of the sum over paths) as the essay reasons.")
@run_safely
def grad(ctx: Context, mode: str, of, wrt, max_paths: int, max_work: int, trace: bool) -> None:
    """Derivatives of the outputs with respect to the inputs (the Jacobian), by reverse mode, forward mode
    or the sum over paths, with the operations each performed.

    \b
    Reverse mode prints ∂OUTPUT/∂node for every node (one sweep per output);
    forward mode prints ∂node/∂INPUT for every node (one sweep per input).
    In a --trace, dOUTPUT/dnode is the derivative a sweep accumulates and
    ∂c/∂b the local partial on an edge: de/db = de/dc·∂c/∂b + de/dd·∂d/∂b.

    \b
    Examples:
      graphdiff grad samples/backprop.gd
      graphdiff grad samples/backprop.gd --mode forward --wrt b --trace
      graphdiff grad samples/diamond.gd --mode paths --trace
      graphdiff grad samples/neuron.gd --format json | jq .jacobian
    """
    from .analyses.grad import grad as compute
    from .views.report import grad_report

    if ctx.points:
        if trace:
            raise InputError("--trace shows one point's steps: drop --points, or --trace")
        return ctx.at_points("grad", of, wrt, "reverse" if mode == "paths" else mode)
    g = ctx.graph()
    r = compute(g, ctx.values(), mode=mode, of=of, wrt=wrt, max_paths=max_paths, max_work=max_work,
                ieee=ctx.ieee, trace=trace, progress=_progress(f"{mode} sweeps"))
    ctx.emit(grad_report(r, ctx.fmt))


@main.command(epilog=EXIT_CODES)
@options(*NUMERIC)
@click.option("--from", "source", metavar="NODE", help="Start node (e.g. an input).")
@click.option("--to", "target", metavar="NODE", help="End node (e.g. an output).")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True, help="List at most N paths.")
@click.option("--count-only", is_flag=True, help="Only count (no values needed).")
@click.option("--max-paths", type=click.IntRange(min=0), default=100_000, show_default=True,
              help="Sum the path products only up to this many paths; above it the sum comes from one sweep.")
@run_safely
def paths(ctx: Context, source, target, limit: int, count_only: bool, max_paths: int) -> None:
    """The paths between two nodes: their exact number (counted, never enumerated), up to --limit of them
    with their edge factors and products, and the sum of all products, which is the derivative.

    Without --from/--to: the number of paths from every input to every output.

    \b
    Examples:
      graphdiff paths samples/backprop.gd --from b --to e
      graphdiff paths samples/diamond.gd --from x --to z --limit 9
      graphdiff paths samples/diamond.gd --count-only
    """
    from .sweeps.paths import between, path_counts
    from .views.report import matrix_report, paths_report

    g = ctx.graph()
    if (source is None) != (target is None):
        raise InputError("give both --from and --to, or neither for the matrix of path counts")
    if source is None:
        ctx.emit(matrix_report(path_counts(g)))
        return
    ctx.emit(paths_report(between(g, source, target, None if count_only else ctx.values(), limit=limit,
                                  max_paths=max_paths, count_only=count_only, ieee=ctx.ieee)))


@main.command(epilog=EXIT_CODES)
@options("source", "format")
@click.option("--exact", is_flag=True, help="Count every sweep exactly however long it takes (no estimate).")
@run_safely
def cost(ctx: Context, exact: bool) -> None:
    """What the full Jacobian costs by forward mode (one sweep per input), reverse mode (one sweep per
    output) and the naive sum over paths: sweeps, multiplications, additions, and the ratio to the cheapest.

    Counts are exact, by the cheaper of a traversal per sweep and bitset passes over the graph; only where
    both would scan more than 2·10^7 edges (thousands of inputs each reaching most of a large graph) is a
    random sample of the sweeps counted and scaled up, and the "counts" column and a sentence say so.

    \b
    Examples:
      graphdiff cost samples/backprop.gd
      graphdiff cost -e 'input x[1000000] = 0.5; y = sum(x)'
      graphdiff cost samples/fanout.gd --format json
    """
    from .analyses.cost import cost as compute
    from .sweeps.reach import COUNT_BUDGET
    from .views.report import cost_report

    budget = None if exact else COUNT_BUDGET
    ctx.emit(cost_report(compute(ctx.graph(), progress=_progress("counting"), budget=budget)))


_GEN_OPTIONS = {"wide": {"inputs", "vector", "nested"}, "fanout": {"outputs"}, "chain": {"length", "nested"},
                "diamonds": {"stages", "width", "nested"}, "mlp": {"layers", "nested"}}


@main.command(epilog=EXIT_CODES)
@click.argument("family", type=click.Choice(["wide", "fanout", "chain", "diamonds", "mlp"]))
@click.option("--inputs", "n_inputs", type=click.IntRange(min=1), help="wide: number of inputs [1000].")
@click.option("--vector", is_flag=True, help="wide: the compact form 'input x[n] = v; y = sum(x)'.")
@click.option("--nested", is_flag=True, help="wide, chain, diamonds, mlp: the same graph written as nested "
              "expressions, several operations a line (h1 = tanh(w * h0 + x0)).")
@click.option("--outputs", type=click.IntRange(min=1), help="fanout: number of outputs [1000].")
@click.option("--length", type=click.IntRange(min=1), help="chain: number of steps [1000].")
@click.option("--stages", type=click.IntRange(min=1), help="diamonds: number of stages [10].")
@click.option("--width", type=click.IntRange(min=1, max=10), help="diamonds: branches per stage [3].")
@click.option("--layers", metavar="N,N,...", help="mlp: layer sizes, inputs first [30,30,3].")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the numbers drawn (input values, weights).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write to this file instead of stdout.")
@click.option("--traceback", is_flag=True, help="Also show the Python traceback of an error.")
@run_safely
def gen(family: str, n_inputs, vector, nested, outputs, length, stages, width, layers, seed, output) -> None:
    """Write a generated program of a graph family, one operation per line (--nested: several), with input
    defaults, so it evaluates and differentiates as it is. In every family the first input is x0 and the last node is y, so
    --from x0 --to y always works.

    \b
    Families:
      wide      n inputs x0 … summed pairwise into y (--vector: input x[n];
                y = sum(x), whose first input is x[0])
      fanout    one input x0, m outputs y1 … y{m-1} and y
      chain     h_t = tanh(w*h_(t-1) + x_(t-1)), d steps, 4 lines a step; y = h_d
      diamonds  k stages y -> {0.5*y, tanh y, sin y, ...} -> 0.4*(sum); width^k paths
      mlp       dense scalar network, weights w{l}_{j}_{i} as inputs, squared-error loss y

    \b
    Examples:
      graphdiff gen diamonds --stages 200 | graphdiff paths - --from x0 --to y --count-only
      graphdiff gen chain --length 1000000 -o chain.gd && graphdiff grad chain.gd --wrt x0
      graphdiff gen wide --inputs 1000000 --vector | graphdiff grad -
      graphdiff gen mlp --layers 300,300,30 --seed 1 -o mlp.gd
      graphdiff gen chain --length 200000 --nested -o nested.gd
    """
    from .language import gen as G

    given = {"inputs": n_inputs, "vector": vector or None, "nested": nested or None, "outputs": outputs,
             "length": length, "stages": stages, "width": width, "layers": layers}
    for key, v in given.items():
        if v is not None and key not in _GEN_OPTIONS[family]:
            raise InputError(f"--{key} does not apply to {family} (its options: "
                             f"{', '.join('--' + k for k in sorted(_GEN_OPTIONS[family]))})")
    opts = {k: v for k, v in given.items() if v is not None}
    if "layers" in opts:
        try:
            opts["layers"] = [int(s) for s in layers.split(",")]
        except ValueError:
            raise InputError(f"--layers {layers}: expected sizes such as 300,300,30") from None
    try:
        if output == "-":
            with _stdout():
                G.generate(family, sys.stdout, seed=seed, **opts)
                sys.stdout.flush()
            return
        try:
            with open(output, "w", encoding="utf-8") as f:
                n = G.generate(family, f, seed=seed, **opts)
        except OSError as e:
            raise InputError(f"{output}: cannot write: {e.strerror or e}") from None
    except ValueError as e:
        raise InputError(str(e)) from None
    sys.stderr.write(f"graphdiff: wrote {output} ({n:,} lines: gen {family})\n")



@main.command("import", epilog=EXIT_CODES)
@click.argument("target", required=False, metavar="[FILE.py:FUNCTION]")
@click.option("--sympy", "sympy_expr", metavar="EXPR|FILE", help="Import a SymPy expression (or a file holding "
              "one) instead of a Python function.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="A parameter's value (repeatable): a "
              "number, or a list such as '[1, 2, 3]' for a vector input; the others take their defaults.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write the program to this file instead of stdout.")
@click.option("--traceback", is_flag=True, help="Also show the Python traceback of an error.")
@run_safely
def import_cmd(target, sympy_expr, sets, output) -> None:
    """Write the graphdiff program a Python function computes, traced at a point, or the program of a SymPy
    expression.

    The function's parameters are the inputs (numbers; a list is a vector input), with their defaults or
    --set values; its result is the output (a dict names several, a tuple gives y0, y1 …). Values assigned
    to variables keep the variables' names. Operators, abs, min, max, sum and the math module's functions
    that graphdiff has are traced; loops are unrolled. A comparison of a traced value (if x > 0:) is decided
    at the point: the program says so in its header and a warning names the line. What cannot be traced
    (math.gamma, float(x), range(n) of a traced n) is an error naming the file, line and column (exit 2).

    \b
    Examples:
      graphdiff import samples/python/tiny_mlp.py:loss -o mlp.gd
      graphdiff import model.py:f --set x=0.5 --set 'w=[1, 2, 3]' | graphdiff grad -
      graphdiff import samples/published/blackscholes.py:price | graphdiff cost -
      graphdiff import --sympy 'x**2*sin(y) + exp(x*y)' --set x=1 --set y=2 | graphdiff grad -
    """
    from .language import python as P

    values = _import_values(sets)
    if (target is None) == (sympy_expr is None):
        raise InputError("give a FILE.py:FUNCTION to trace, or --sympy EXPR (one of them)")
    if sympy_expr is not None:
        from .language import symbolic

        expr, label = symbolic.read(sympy_expr)
        text, decisions = symbolic.program(expr, values, label=label), []
    else:
        r = P.import_file(target, values, progress=_counter(f"tracing {target}"))
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K")
        text, decisions = r.text, r.decisions
        for note in r.notes:
            sys.stderr.write(f"graphdiff: note: {note}\n")
    for d in decisions:
        sys.stderr.write(f"{d.source}:{d.line}:{d.col}: warning: {d.message}\n")
    if output == "-":
        with _stdout():
            sys.stdout.write(text)
            sys.stdout.flush()
        return
    _write(output, text)


def _counter(label: str):
    """A count on stderr when it is a terminal (``label: 120,000 nodes``), else None."""
    if not sys.stderr.isatty():
        return None

    def cb(n: int) -> None:
        sys.stderr.write(f"\r{label}: {n:,} nodes")
        sys.stderr.flush()

    return cb


def _import_values(sets: tuple[str, ...]) -> dict[str, object]:
    """``--set NAME=VALUE`` for import: a number, or a list of numbers in brackets."""
    out: dict[str, object] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise InputError(f"--set {item!r}: expected NAME=VALUE, e.g. --set x=0.5 or --set 'w=[1, 2, 3]'")
        try:
            if value.startswith("["):
                if not value.endswith("]"):
                    raise ValueError
                parts = [p for p in value[1:-1].replace(",", " ").split()]
                v: object = [float(p) for p in parts]
                if not parts:
                    raise ValueError
            else:
                v = float(value)
        except ValueError:
            raise InputError(f"--set {item!r}: {value!r} is not a number or a list of numbers") from None
        if any(not math.isfinite(x) for x in (v if isinstance(v, list) else [v])):
            raise InputError(f"--set {item!r}: an input's value must be finite")
        out[name] = v
    return out

@main.command(epilog=EXIT_CODES)
@options(*NUMERIC)
@click.option("--rtol", type=click.FloatRange(min=0), default=1e-6, show_default=True,
              help="Relative tolerance between exact methods (forward, paths, symbolic) and reverse mode.")
@click.option("--atol", type=click.FloatRange(min=0), default=1e-9, show_default=True,
              help="Absolute tolerance between exact methods and reverse mode.")
@click.option("--fd-rtol", type=click.FloatRange(min=0), default=1e-5, show_default=True,
              help="Finite differences pass within their own error estimate plus this relative tolerance.")
@click.option("--fd-atol", type=click.FloatRange(min=0), default=1e-7, show_default=True,
              help="... plus this absolute tolerance.")
@click.option("--max-paths", type=click.IntRange(min=0), default=10_000, show_default=True,
              help="Sum over paths only for pairs with at most this many paths.")
@click.option("--points", type=click.IntRange(min=0, max=100_000), default=0, show_default=True,
              help="Also check at N random points near the given values.")
@click.option("--seed", type=int, default=None, help="Seed for --points (repeatable runs).")
@click.option("--spread", type=click.FloatRange(min=0), default=0.5, show_default=True,
              help="Random points are x + spread * max(1, |x|) * U(-1, 1).")
@click.option("--symbolic/--no-symbolic", default=True, show_default=True,
              help="Compare with SymPy's derivative (when SymPy is installed and the graph is small).")
@click.option("--order", type=click.IntRange(1, 2), default=1, show_default=True,
              help="2: check the Hessian (forward over reverse) against SymPy and finite differences of the gradient "
                   "(their tolerances default to 1e-4 and 1e-6 there).")
@click.option("--of", "of", metavar="OUTPUT", help="--order 2: the output whose Hessian is checked (default: the only one).")
@click.option("--wrt", multiple=True, metavar="INPUT", help="--order 2: the inputs (repeatable; default: all).")
@run_safely
def check(ctx: Context, rtol, atol, fd_rtol, fd_atol, max_paths, points, seed, spread, symbolic, order, of,
          wrt) -> None:
    """Cross-check every derivative: reverse mode against forward mode, the sum over paths, central finite
    differences (Richardson-extrapolated, with an error estimate) and SymPy. Exits 1, naming the pair, when
    any two disagree beyond the tolerances.

    \b
    Finite differences use h = eps^(1/3) * max(1, |x|) and pass when within their own error estimate plus
    --fd-rtol/--fd-atol. At a non-differentiable point (relu at 0, a tie in max) finite differences and
    SymPy are shown but not judged. Random points (--points) where evaluation fails are reported, not
    counted as disagreements. The table rounds to --digits (errors to 2 digits); json and csv keep all.

    \b
    Examples:
      graphdiff check samples/neuron.gd
      graphdiff check samples/vector.gd --points 100 --seed 1
      graphdiff check samples/rnn.gd --format json | jq .ok
      graphdiff check samples/neuron.gd --order 2
    """
    from .analyses.check import check as compute
    from .views.report import check_report

    g = ctx.graph()
    if order == 2:
        from .analyses.check import check_hessian
        from .views.report import hessian_check_report

        if points:
            raise InputError("--points applies to --order 1 only")
        src = click.get_current_context().get_parameter_source
        default = click.core.ParameterSource.DEFAULT
        h = check_hessian(g, ctx.values(), of=of, wrt=wrt or None, symbolic=symbolic, ieee=ctx.ieee, rtol=rtol,
                          atol=atol, fd_rtol=1e-4 if src("fd_rtol") == default else fd_rtol,
                          fd_atol=1e-6 if src("fd_atol") == default else fd_atol)
        ctx.emit(hessian_check_report(h))
        if not h.ok:
            for msg in h.failure_messages(limit=5):
                sys.stderr.write(f"{g.source}: error: check failed: {msg}\n")
            sys.exit(int(ExitCode.COMPUTE))
        return
    if of or wrt:
        raise InputError("--of and --wrt apply to --order 2 (the first-order check takes every pair)")
    r = compute(g, ctx.values(), points=points, seed=seed, spread=spread, rtol=rtol, atol=atol,
                fd_rtol=fd_rtol, fd_atol=fd_atol, max_paths=max_paths, symbolic=symbolic, ieee=ctx.ieee)
    ctx.emit(check_report(r))
    if not r.ok:
        for msg in r.failure_messages(limit=5):
            sys.stderr.write(f"{g.source}: error: check failed: {msg}\n")
        sys.exit(int(ExitCode.COMPUTE))


@main.command(epilog=EXIT_CODES)
@options("source", "values")
@click.option("--mode", type=click.Choice(["tangent", "adjoint"]), default="adjoint", show_default=True,
              help="tangent: forward mode, one sweep per --wrt input; adjoint: reverse mode, one sweep per --of output.")
@click.option("--of", "of", multiple=True, metavar="OUTPUT", help="Differentiate this output (repeatable; default: all).")
@click.option("--wrt", multiple=True, metavar="INPUT", help="With respect to this input (repeatable; default: all).")
@click.option("--to", "target", type=click.Choice(["graphdiff", "python"]), default="graphdiff", show_default=True,
              help="graphdiff: a program every command reads; python: a module with evaluate(inputs) -> dict, only math.")
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write to FILE instead of standard output.")
@run_safely
def derive(ctx: Context, mode: str, of, wrt, target: str, output) -> None:
    """Write the derivative program: the original statements, then forward mode (tangent) or reverse mode
    (adjoint) as graphdiff statements, each partial the formula `graphdiff edges` shows. The derivative
    ∂o/∂i is the output d<o>_d<i> (x[3] as x_3), listed in a header comment. The program is input to every
    command, derive included (second derivatives: ddloss_dw1_dw1). --set and --inputs become its defaults.

    \b
    Examples:
      graphdiff derive samples/backprop.gd --mode adjoint --of e
      graphdiff derive samples/backprop.gd --mode adjoint --of e | graphdiff eval -
      graphdiff derive samples/neuron.gd --mode adjoint --of loss | graphdiff derive - --mode tangent --wrt w1
      graphdiff derive samples/backprop.gd --mode adjoint | graphdiff draw - -o backward.svg
      graphdiff derive samples/neuron.gd --to python -o neuron_grad.py
    """
    from .analyses.derive import derive as compute
    from .language.graph import loads

    g = ctx.graph()
    d = compute(g, mode, of=of or None, wrt=wrt or None, values=ctx.values())
    if d.warnings:
        warn(d.warnings, ctx.source_name())
    text = d.text
    if target == "python":
        from .codegen.pymodule import to_python

        text = to_python(loads(d.text, "<derived>"), f"graphdiff derive --mode {mode} of {ctx.source_name()}.")
    if output in (None, "-"):
        with _stdout():
            sys.stdout.write(text)
            sys.stdout.flush()
        return
    _write(output, text)


@main.command(epilog=EXIT_CODES)
@options("source", "values")
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the page to FILE (- for standard output). Without it: standard output when that is a "
                   "pipe or a file; on a terminal, NAME.html beside the program file.")
@run_safely
def explore(ctx: Context, output) -> None:
    """Write the explorable page: one self-contained HTML file (nothing loaded from the network) where
    changing an input updates every value, edge partial and derivative; forward and reverse mode step by
    step with the chain-rule sum at each node, every path between two nodes with its product, the cost
    table. In the page, window.graphdiff gives the commands' JSON (eval, edges, grad, paths, cost).

    \b
    Examples:
      graphdiff explore samples/backprop.gd -o backprop.html
      graphdiff explore samples/neuron.gd --set w1=0.1 -o neuron.html
      graphdiff gen diamonds --stages 200 | graphdiff explore - -o diamonds.html
    """
    from .views.explore import page

    if output is None and sys.stdout.isatty():  # 50 KB of HTML is no use on a terminal
        if ctx.expr is not None or ctx.file in (None, "-"):
            raise InputError("explore writes an HTML page: give -o FILE.html (or pipe it: > page.html)")
        output = str(Path(ctx.file).with_suffix(".html"))
        if Path(output).resolve() == Path(ctx.file).resolve():
            raise InputError(f"explore would write its page over {ctx.file}: give -o FILE.html")
    p = page(ctx.graph(), ctx.values())
    if output == "-" or output is None:
        with _stdout():
            sys.stdout.write(p.html)
            sys.stdout.flush()
        return
    _write(output, p.html)


@main.command(epilog=EXIT_CODES)
@options(*NUMERIC)
@click.option("--order", "order", default="markowitz", show_default=True, metavar="ORDER",
              help="forward, reverse, markowitz, min-fill, optimal, anneal (in any case), the intermediates' names "
                   "(--order c,d), or @FILE holding them (separated by commas or new lines; # starts a comment).")
@click.option("--of", "of", multiple=True, metavar="OUTPUT", help="This output (repeatable; default: all).")
@click.option("--wrt", multiple=True, metavar="INPUT", help="With respect to this input (repeatable; default: all).")
@click.option("--trace", is_flag=True, help="Show every step: the products formed, the fill-in edges, the running counts.")
@click.option("--max-fill", type=click.IntRange(min=1), default=5_000_000, show_default=True,
              help="Refuse an elimination that would make the graph hold more edges than this.")
@click.option("--max-work", type=click.IntRange(min=1), default=50_000_000, show_default=True,
              help="Refuse an elimination that would take more multiplications than this.")
@click.option("--budget", metavar="N|Ts",
              help="--order anneal or optimal: how long the search runs: N evaluations (anneal: orders; optimal: sets "
                   "of eliminated vertices; the same order every run) or T seconds (30s)  [default: anneal 50,000 "
                   "orders or 4 s, optimal 200,000 sets or 10 s, whichever comes first]")
@run_safely
def eliminate(ctx: Context, order: str, of, wrt, trace: bool, max_fill: int, max_work: int, budget: str | None) -> None:
    """The Jacobian by vertex elimination: the chain rule applied in any order. Eliminating an intermediate v
    multiplies every in-edge by every out-edge (c_kv·c_vi: every path through v at once) and adds the product to
    an edge i → k or makes a new fill-in edge; forward and reverse mode are two orders out of many.

    \b
    Examples:
      graphdiff eliminate samples/diamond.gd --order markowitz --trace
      graphdiff eliminate samples/neuron.gd --order optimal --format json
      graphdiff eliminate samples/backprop.gd --order c,d --trace
      graphdiff eliminate samples/published/roeflux_1d.gd --order anneal --budget 20000
      graphdiff eliminate samples/published/roeflux_1d.gd --order @samples/published/orders/roeflux_1d_anneal_295.txt
    """
    from .analyses.eliminate import Budget, eliminate as compute, parse_order
    from .views.report import eliminate_report

    limit = Budget.parse(budget) if budget is not None else None
    g = ctx.graph()
    how = parse_order(order, g)
    search = how if how in ("anneal", "optimal") else None
    r = compute(g, ctx.values(), order=how, of=of or None, wrt=wrt or None, max_edges=max_fill, max_work=max_work,
                ieee=ctx.ieee, budget=limit, progress=_progress(f"{search} search") if search else None)
    ctx.emit(eliminate_report(r, trace))


def _read_vector(text: str) -> dict[str, object]:
    """The --hvp direction: inline JSON, a file, or - for standard input; checked against the program by
    :func:`graphdiff.analyses.hessian.direction`."""
    return _read_json(text, "--hvp", '{"w1": 1, "w2": -1}', inline=True)


@main.command(epilog=EXIT_CODES)
@options(*NUMERIC, "points")
@click.option("--of", "of", metavar="OUTPUT", help="The output (default: the only one).")
@click.option("--wrt", multiple=True, metavar="INPUT", help="With respect to this input (repeatable; default: all).")
@click.option("--hvp", metavar="JSON", help="Only H·v for the direction v: inline JSON ('{\"x\": 1}'), a JSON file, or - for stdin; one sweep.")
@run_safely
def hessian(ctx: Context, of, wrt, hvp) -> None:
    """The Hessian of one output by forward over reverse: one tangent sweep of the adjoint program per input,
    with the operations counted; --hvp gives one Hessian-vector product with a single tangent sweep.

    \b
    Examples:
      graphdiff hessian samples/neuron.gd
      graphdiff hessian samples/neuron.gd --wrt w1 --wrt w2 --format json
      graphdiff hessian samples/neuron.gd --hvp '{"w1": 1, "w2": -1}'
      echo '{"w1": 1, "w2": -1}' | graphdiff hessian samples/neuron.gd --hvp -
    """
    from .analyses.hessian import hessian as compute, hvp as product
    from .views.report import hessian_report, hvp_report

    if ctx.points:
        if hvp:
            raise InputError("--points gives the Hessian at every point: --hvp does not go with it")
        return ctx.at_points("hessian", [of] if of else None, wrt)
    g = ctx.graph()
    if hvp:
        if wrt:
            raise InputError("--hvp takes its inputs from the JSON direction: drop --wrt")
        if hvp == "-" and ctx._inputs_path == "-":
            raise InputError("standard input can hold the --hvp direction or the --inputs JSON, not both")
        ctx.emit(hvp_report(product(g, _read_vector(hvp), ctx.values(), of=of, ieee=ctx.ieee)))
        return
    ctx.emit(hessian_report(compute(g, ctx.values(), of=of, wrt=wrt or None, ieee=ctx.ieee)))


@main.command(epilog=EXIT_CODES)
@options("source", "values")
@click.option("--vary", "vary", multiple=True, required=True, metavar="NAME=LOW:HIGH[:N]",
              help="The input to vary, and over what (once: curves of values and derivatives; twice: a heat map "
                   "of one derivative over the grid).")
@click.option("--of", "of", multiple=True, metavar="OUTPUT", help="This output (repeatable; default: every output).")
@click.option("--wrt", multiple=True, metavar="INPUT",
              help="Derivatives with respect to this input (repeatable; default: the first varied input).")
@click.option("--log", is_flag=True, help="Plot |derivative| on a log scale (vanishing and exploding gradients).")
@click.option("-o", "--output", metavar="FILE", required=True, type=click.Path(dir_okay=False),
              help="Write the picture to FILE (.png or .svg).")
@run_safely
def plot(ctx: Context, vary, of, wrt, log: bool, output: str) -> None:
    """Values and derivatives across an input: curves along one input (--vary once), or a heat map with contours
    of one derivative over two (--vary twice). Points at a kink are marked, points where a value or a derivative
    faults are gaps marked ×. The other inputs keep their values (--set, --inputs, or the program's defaults).

    \b
    Examples:
      graphdiff plot samples/backprop.gd --vary a=-3:3 -o backprop.png
      graphdiff plot samples/rnn.gd --vary w=0:3 --of h1 --of h3 --of h6 --wrt h0 --log -o vanishing.png
      graphdiff plot samples/neuron.gd --vary w1=-2:2 --vary w2=-2:2 --of loss --wrt w1 -o loss.svg
    """
    from .views.plot import GRID_SAMPLES, LINE_SAMPLES, Vary, plot as draw_plot

    fmt = output.rsplit(".", 1)[-1].lower() if "." in output else ""
    if fmt not in ("png", "svg"):
        raise InputError(f"{output}: plot writes .png or .svg")
    n = LINE_SAMPLES if len(vary) == 1 else GRID_SAMPLES
    data = draw_plot(ctx.graph(), [Vary.parse(v, n) for v in vary], ctx.values() if (ctx._sets or ctx._inputs_path)
                     else None, of=of or None, wrt=wrt or None, log=log, format=fmt)
    _write(output, data)


@main.command(epilog=EXIT_CODES)
@options("source", "values", "ieee")
@click.option("--values", is_flag=True, help="Show every node's value (needs input values).")
@click.option("--partials", is_flag=True, help="Label every edge with its partial: formula and number.")
@click.option("--forward", metavar="INPUT", help="Show ∂node/∂INPUT on every node (forward mode).")
@click.option("--reverse", metavar="OUTPUT", help="Show ∂OUTPUT/∂node on every node (reverse mode).")
@click.option("--paths", nargs=2, metavar="FROM TO", help="Highlight every path from FROM to TO; count them.")
@click.option("--format", "picture", type=click.Choice(["dot", "mermaid", "svg", "png"]), default=None,
              help="Picture format  [default: from -o's extension, else dot]")
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write to FILE (.dot, .gv, .mmd, .svg, .png) instead of standard output.")
@click.option("--engine", type=click.Choice(["auto", "graphviz", "matplotlib"]), default="auto", show_default=True,
              help="Who lays out svg and png: Graphviz's dot when on PATH (auto), or matplotlib.")
@click.option("--force", is_flag=True, help="Draw a graph of more than 300 nodes anyway.")
@click.option("--eliminate", "elim", metavar="ORDER", help="Draw the linearized graph during vertex elimination in "
              "ORDER (as graphdiff eliminate takes it), fill-in edges marked.")
@click.option("--step", "elim_step", type=click.IntRange(min=0), default=None, metavar="K",
              help="With --eliminate: after K eliminations [default: all of them].")
@run_safely
def draw(ctx: Context, values: bool, partials: bool, forward, reverse, paths, picture, output, engine: str,
         force: bool, elim, elim_step) -> None:
    """A picture of the graph as the essay draws it: inputs at the bottom, outputs at the top, one arrow per
    operand, in Graphviz DOT (default), a Mermaid flowchart, SVG or PNG.

    \b
    Examples:
      graphdiff draw samples/backprop.gd | dot -Tsvg > backprop.svg
      graphdiff draw samples/backprop.gd --partials -o backprop.svg
      graphdiff draw samples/backprop.gd --reverse e --partials --format mermaid
      graphdiff draw samples/diamond.gd --paths x z -o diamond.png
      graphdiff draw samples/diamond.gd --eliminate markowitz --step 3 -o step3.svg
    """
    from .views import draw as D

    fmt = D.format_for(output, picture)
    if fmt == "png" and output in (None, "-") and sys.stdout.isatty():
        raise InputError("a PNG is binary: give -o FILE.png or redirect standard output")
    g = ctx.graph()
    D.check_size(g, force)
    if elim_step is not None and elim is None:
        raise InputError("--step goes with --eliminate ORDER")
    if elim is not None:
        from .analyses.eliminate import parse_order, remaining

        if values or partials or forward or reverse or paths:
            raise InputError("--eliminate draws the linearized graph: it does not combine with --values, "
                             "--partials, --forward, --reverse or --paths")
        how = parse_order(elim, g)
        pic = D.eliminated(remaining(g, ctx.values(), order=how, steps=elim_step, ieee=ctx.ieee))
    else:
        needs_values = values or partials or forward is not None or reverse is not None
        pic = D.annotate(g, ctx.values() if needs_values else None, values=values, partials=partials,
                         forward=forward, reverse=reverse, paths=tuple(paths) if paths else None, ieee=ctx.ieee)
    if pic.warnings:
        warn(pic.warnings, ctx.source_name())
    data = D.render(pic, fmt, engine)
    if output in (None, "-"):
        with _stdout():
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        return
    _write(output, data)


if __name__ == "__main__":  # pragma: no cover
    main()
