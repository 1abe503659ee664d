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

from ..base.notation import fmt_num, sig, times
from .report import Numbers, Report, Table, Times

FORMATS = ("table", "json", "csv", "tsv")
#: Significant digits of the numbers in a table (``--digits``).
DIGITS = 6
#: Rows a table shows before it says how many it left out (``--all`` shows every row).
TABLE_ROWS = 50
#: Above this many rows, JSON is written without indentation (Python's fast encoder only does compact JSON).
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
        data = report.json()
        if sum(len(t.rows) for t in report.tables) > LARGE:  # C encoder: no indentation, same document
            out.write(json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")))
        else:
            out.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))
        out.write("\n")
    elif fmt in ("csv", "tsv"):
        _delimited(report.tables[0], out, "," if fmt == "csv" else "\t")
    elif fmt == "table":
        _rich(report, console, all_rows, digits)
    else:
        raise ValueError(f"unknown format {fmt!r}")


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
