"""The only place that formats output: a :class:`~graphdiff.report.Report` as a rich table, JSON, CSV or TSV.

Tables write numbers to ``digits`` significant digits (``--digits``, default :data:`DIGITS`); JSON, CSV and
TSV keep every digit, so they read back as the same doubles. A table never breaks a number across lines:
numeric columns do not wrap, and when the terminal is too narrow for every column, the table's droppable
columns are left out (the caption says which) before anything would be split.
"""
from __future__ import annotations

import csv
import json
import math
from typing import IO, Any

import orjson

from ..base.notation import fmt_num, sig, times
from .report import Numbers, Report, Table, Times

FORMATS = ("table", "json", "csv", "tsv")
#: Significant digits of the numbers in a table (``--digits``).
DIGITS = 6
#: Rows a table shows before it says how many it left out (``--all`` shows every row).
TABLE_ROWS = 50
#: Above this many rows, JSON is written without indentation (a smaller document for a program's machine reader).
LARGE = 20_000


def cell(v: Any, digits: int | None = None) -> str:
    """A cell as text: numbers to ``digits`` significant digits (None: in full, as CSV and TSV write them)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        if not math.isfinite(v):
            return "NaN" if v != v else ("inf" if v > 0 else "-inf")
        return sig(v, digits)
    if isinstance(v, int):
        return f"{v:,}" if digits is not None else str(v)
    if isinstance(v, Times):
        if digits is not None:
            return times(v.value)
        return v.value if isinstance(v.value, str) else ("inf" if v.value == math.inf else fmt_num(v.value))
    if isinstance(v, Numbers):
        return v.text(digits)
    return str(v)


def render(report: Report, fmt: str, out: IO[str], *, all_rows: bool = False, console=None,
           digits: int = DIGITS) -> None:
    if fmt == "json":
        write_json(report.json(), out, indent=sum(len(t.rows) for t in report.tables) <= LARGE)
    elif fmt in ("csv", "tsv"):
        _delimited(report.tables[0], out, "," if fmt == "csv" else "\t")
    elif fmt == "table":
        _rich(report, console, all_rows, digits)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def dumps(data: Any, indent: bool = False) -> bytes:
    """A JSON document as UTF-8 bytes (non-ASCII text as it is), compact or indented by two spaces.

    orjson writes it (a dictionary of 600,000 derivatives in 0.03 s, where the standard library's encoder takes
    0.4 s, most of it formatting floats); each float is the shortest text that reads back as the same double,
    as ``repr`` gives, though not always spelled as ``repr`` spells it (``0.00001`` for ``1e-05``). A document
    orjson cannot write (an integer beyond 64 bits: the number of paths through a deep graph) is written by the
    standard library's encoder, exactly."""
    try:
        return orjson.dumps(data, default=_number, option=orjson.OPT_INDENT_2 if indent else 0)
    except orjson.JSONEncodeError:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2 if indent else None,
                          separators=None if indent else (",", ":"))
        return text.encode("utf-8")


def _number(x: Any) -> float:
    """A float orjson does not take as it is (a subclass: the parser's numbers that keep their source text,
    NumPy's float64), as a float."""
    if isinstance(x, float):
        return float(x)
    raise TypeError(f"{type(x).__name__} is not JSON serializable")


def write_json(data: Any, out: IO[str], indent: bool = False) -> None:
    """Write one JSON document and a newline to the text stream ``out`` (its bytes straight to the binary buffer
    beneath it, when it has one)."""
    b = dumps(data, indent) + b"\n"
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(b)
    else:
        out.write(b.decode("utf-8"))


def _delimited(t: Table, out: IO[str], sep: str) -> None:
    w = csv.writer(out, delimiter=sep, lineterminator="\n")
    w.writerow([c or "output" for c in t.columns])
    for row in t.rows:
        w.writerow([cell(v) for v in row])


def _cells(text: str) -> int:
    """Terminal cells of ``text`` (East Asian wide characters take two)."""
    from rich.cells import cell_len

    return cell_len(text)


#: A text column keeps at least this many cells while columns are being fitted (its cells fold beyond).
TEXT_MIN = 16


def _widths(t: Table, texts: list[list[str]]) -> list[int]:
    """The narrowest each column should be: numeric columns never wrap (their widest cell and header); text
    columns wrap at spaces (their longest word, at most :data:`TEXT_MIN` cells: longer words fold)."""
    out = []
    for n, header in enumerate(t.columns):
        column = [row[n] for row in texts] + [header]
        if n in t.numeric:
            out.append(max(_cells(c) for c in column))
        else:
            out.append(min(TEXT_MIN, max((_cells(w) for c in column for w in c.split()), default=0)))
    return out


def _rich_table(t: Table, texts: list[list[str]], keep: list[int], widths: list[int], styles: list[list[str]],
                squeeze: bool):
    """The rich table of the ``keep`` columns: numbers never wrap (unless ``squeeze``: not even the numbers
    fit), text folds."""
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    rt = RichTable(box=box.SIMPLE_HEAD)
    for n in keep:
        numeric = n in t.numeric
        rt.add_column(t.columns[n], justify="right" if numeric else "left", no_wrap=numeric and not squeeze,
                      min_width=None if squeeze else widths[n], overflow="fold")
    for row, style in zip(texts, styles):
        rt.add_row(*(Text(row[n], style=style[n]) for n in keep))
    return rt


def _fit(t: Table, widths: list[int], width: int) -> tuple[list[int], bool]:
    """The columns to show, and whether even they do not fit: every column, unless the terminal is too
    narrow; then the droppable ones go, in order, until the rest fit (each column takes its width, a cell of
    padding on each side and one for the rule between columns, as rich's SIMPLE_HEAD box draws them)."""
    keep = list(range(len(t.columns)))

    def fits() -> bool:
        return sum(widths[k] + 3 for k in keep) + 1 <= width

    for n in t.droppable:
        if fits():
            break
        keep.remove(n)
    return keep, not fits()


def _layout(t: Table, all_rows: bool, digits: int) -> tuple[list[list[str]], list[list[str]], str]:
    """The cells a terminal shows of ``t`` (its first rows, unless ``all_rows``), their styles (NaN and
    infinities let through by --ieee are marked) and the caption."""
    rows = t.rows
    shown = rows if all_rows or len(rows) <= TABLE_ROWS else rows[:TABLE_ROWS]
    caption = t.footer
    if len(shown) < len(rows):
        left = len(rows) - len(shown)
        caption = (f"{caption}; " if caption else "") + (
            f"{left:,} more row{'s' * (left != 1)} not shown: --all, or --format json|csv, shows every row")
    texts = [[cell(v, digits) for v in row] for row in shown]
    marks = [["bold red" if isinstance(v, float) and not math.isfinite(v) else "" for v in row] for row in shown]
    for row, mark in zip(texts, marks):
        for n, m in enumerate(mark):
            if m:
                row[n] += " (IEEE)"
    return texts, marks, caption


def _rich(report: Report, console, all_rows: bool, digits: int) -> None:
    from rich.text import Text

    for t in report.tables:
        texts, marks, caption = _layout(t, all_rows, digits)
        widths = _widths(t, texts)
        keep, squeeze = _fit(t, widths, console.width)
        if squeeze and t.long is not None:  # a matrix wider than the terminal: its entries a row each
            wide = sum(widths) + 3 * len(widths) + 1
            t = t.long()
            texts, marks, caption = _layout(t, all_rows, digits)
            caption = (f"{caption}; " if caption else "") + (
                f"a row per entry: the matrix is {wide} cells wide, wider than this terminal's {console.width}")
            widths = _widths(t, texts)
            keep, squeeze = _fit(t, widths, console.width)
        if len(keep) < len(t.columns):
            left_out = ", ".join(t.columns[n] for n in range(len(t.columns)) if n not in keep)
            caption = (f"{caption}; " if caption else "") + (
                f"not shown at this width: {left_out} (a wider terminal, or --format json|csv, shows them)")
        console.print(Text(t.title, style="bold"))
        console.print(_rich_table(t, texts, keep, widths, marks, squeeze))
        if caption:
            console.print(Text(caption, style="dim"))
    for note in report.notes:
        console.print(Text(note.text(digits) if isinstance(note, Numbers) else note))


# ---- many points: a row each, streamed ------------------------------------------------------------------------

def point_columns(inputs: list[str], outputs: list[str], columns: list[str]) -> list[str]:
    """The header of a points table: the point's number, its inputs, the outputs, the asked-for numbers, the
    error."""
    return ["point", *inputs, *outputs, *columns, "error"]


def render_points(rows, inputs: list[str] | None, outputs: list[str], columns: list[str], fmt: str, out: IO[str], *,
                  console=None, digits: int = DIGITS) -> "PointsSummary":
    """Write every row as it comes: CSV or TSV (plain numbers, every digit), JSON Lines (an object a point), or
    for a table a summary of each column (its least and greatest value) after the rows are counted; returns
    what was seen (the points, those that faulted). The CSV's input columns are ``inputs``, or those the first
    point gives."""
    summary = PointsSummary(columns=[*outputs, *columns])
    if fmt in ("csv", "tsv"):
        w = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        rows = iter(rows)
        first = next(rows, None)
        if inputs is None:
            inputs = list(first.inputs) if first is not None else []
        w.writerow(point_columns(inputs, outputs, columns))
        if first is None:
            return summary
        sep = "," if fmt == "csv" else "\t"
        for r in _chain_one(first, rows):
            summary.add(r)
            if r.error or list(r.inputs) != inputs or len(r.entries) != len(columns):
                get_in, get_out, get_e = r.inputs.get, r.outputs.get, r.entries.get
                w.writerow([r.index, *(_plain(get_in(n)) for n in inputs), *(_plain(get_out(o)) for o in outputs),
                            *(_plain(get_e(c)) for c in columns), r.error or ""])
                continue
            values = [*r.inputs.values(), *r.outputs.values(), *r.entries.values()]  # plain numbers: the fast way
            if all(map(math.isfinite, values)):
                out.write(f"{r.index}{sep}{sep.join(map(_plain_finite, map(repr, values)))}{sep}\n")
            else:
                w.writerow([r.index, *map(_plain, values), ""])
    elif fmt == "json":
        for r in rows:
            summary.add(r)
            write_json(r.to_dict(), out)
    else:
        for r in rows:
            summary.add(r)
        summary.print(console, digits)
    return summary


def _chain_one(first, rest):
    yield first
    yield from rest


def _plain_finite(text: str) -> str:
    """A finite float's repr as CSV writes numbers: whole numbers without ``.0``."""
    return text[:-2] if text.endswith(".0") and len(text) <= 17 else text  # as notation.fmt_num: below 1e15


def _plain(v) -> str:
    """A number as CSV writes it (every digit, whole numbers without ``.0``), or empty."""
    if v is None:
        return ""
    if v != v or v in (math.inf, -math.inf):
        return "NaN" if v != v else ("inf" if v > 0 else "-inf")
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)


class PointsSummary:
    """What a run over many points saw: how many, which faulted (their first few messages), and each column's
    least and greatest finite value."""

    def __init__(self, columns: list[str]):
        self.columns = columns
        self.n = 0
        self.faulted: list[tuple[int, str]] = []
        self.warned = 0
        self.low = {c: math.inf for c in columns}
        self.high = {c: -math.inf for c in columns}

    def add(self, r) -> None:
        self.n += 1
        if r.error:
            self.faulted.append((r.index, r.error))
            return
        self.warned += bool(r.warnings)
        for c, v in [*r.outputs.items(), *r.entries.items()]:
            if c in self.low and math.isfinite(v):
                if v < self.low[c]:
                    self.low[c] = v
                if v > self.high[c]:
                    self.high[c] = v

    def print(self, console, digits: int) -> None:
        from rich.text import Text

        t = Table(f"{self.n:,} points", ["column", "least", "greatest"],
                  [[c, self.low[c] if self.low[c] <= self.high[c] else None,
                    self.high[c] if self.low[c] <= self.high[c] else None] for c in self.columns],
                  f"{len(self.faulted):,} faulted, {self.warned:,} with a warning; --format csv|tsv|json gives a "
                  "row per point", numeric=(1, 2))
        _rich(Report((t,), lambda: {}), console, False, digits)
        for index, message in self.faulted[:5]:
            console.print(Text(f"point {index}: {message}"))
        if len(self.faulted) > 5:
            console.print(Text(f"… and {len(self.faulted) - 5:,} more faulted points"))
