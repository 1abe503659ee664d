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

from .notation import fmt_num, sig, times
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


def _table_cell(v: Any, digits: int):
    """A rich cell; NaN and infinities (let through by --ieee) marked."""
    from rich.text import Text

    if isinstance(v, float) and not math.isfinite(v):
        return Text(f"{cell(v)} (IEEE)", style="bold red")
    return Text(cell(v, digits))


def _rich_table(t: Table, rows, dropped: set[int], digits: int):
    from rich import box
    from rich.table import Table as RichTable

    rt = RichTable(box=box.SIMPLE_HEAD)
    keep = [n for n in range(len(t.columns)) if n not in dropped]
    for n in keep:
        numeric = n in t.numeric
        rt.add_column(t.columns[n], justify="right" if numeric else "left", no_wrap=numeric,
                      overflow="ellipsis" if numeric else "fold")
    for row in rows:
        rt.add_row(*(_table_cell(row[n], digits) for n in keep))
    return rt


def _rich(report: Report, console, all_rows: bool, digits: int) -> None:
    from rich.text import Text

    for t in report.tables:
        rows = t.rows
        shown = rows if all_rows or len(rows) <= TABLE_ROWS else rows[:TABLE_ROWS]
        caption = t.footer
        if len(shown) < len(rows):
            left = len(rows) - len(shown)
            caption = (f"{caption}; " if caption else "") + (
                f"{left:,} more row{'s' * (left != 1)} not shown: --all, or --format json|csv, shows every row")
        dropped: set[int] = set()
        rt = _rich_table(t, shown, dropped, digits)
        for n in t.droppable:  # too narrow for every column: leave out the droppable ones, in order
            if console.measure(rt).minimum <= console.width:
                break
            dropped.add(n)
            rt = _rich_table(t, shown, dropped, digits)
        if dropped:
            left_out = ", ".join(t.columns[n] for n in sorted(dropped))
            caption = (f"{caption}; " if caption else "") + (
                f"not shown at this width: {left_out} (a wider terminal, or --format json|csv, shows them)")
        console.print(Text(t.title, style="bold"))
        console.print(rt)
        if caption:
            console.print(Text(caption, style="dim"))
    for note in report.notes:
        console.print(Text(note.text(digits) if isinstance(note, Numbers) else note))
