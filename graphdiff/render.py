"""The only place that formats output: a :class:`~graphdiff.report.Report` as a rich table, JSON, CSV or TSV."""
from __future__ import annotations

import csv
import json
import math
from typing import IO, Any

from .ops import fmt_num
from .report import Report, Table

FORMATS = ("table", "json", "csv", "tsv")
#: Rows a table shows before it says how many it left out (``--all`` shows every row).
TABLE_ROWS = 50
#: Above this many rows, JSON is written without indentation (Python's fast encoder only does compact JSON).
LARGE = 20_000


def cell(v: Any) -> str:
    if isinstance(v, float):
        return fmt_num(v) if math.isfinite(v) else ("NaN" if v != v else ("inf" if v > 0 else "-inf"))
    if isinstance(v, int):
        return str(v)
    return str(v)


def render(report: Report, fmt: str, out: IO[str], *, all_rows: bool = False, console=None) -> None:
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
        _rich(report, console, all_rows)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def _table_cell(v: Any):
    """A rich cell: integers with thousands separators; NaN and infinities (let through by --ieee) marked."""
    from rich.text import Text

    if type(v) is int:
        return Text(f"{v:,}")
    if isinstance(v, float) and not math.isfinite(v):
        return Text(f"{cell(v)} (IEEE)", style="bold red")
    return Text(cell(v))


def _delimited(t: Table, out: IO[str], sep: str) -> None:
    w = csv.writer(out, delimiter=sep, lineterminator="\n")
    w.writerow([c or "output" for c in t.columns])
    for row in t.rows:
        w.writerow([cell(v) for v in row])


def _rich(report: Report, console, all_rows: bool) -> None:
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    for t in report.tables:
        rows = t.rows
        shown = rows if all_rows or len(rows) <= TABLE_ROWS else rows[:TABLE_ROWS]
        caption = t.footer
        if len(shown) < len(rows):
            left = len(rows) - len(shown)
            caption = (f"{caption}; " if caption else "") + (
                f"{left:,} more row{'s' * (left != 1)} not shown: --all, or --format json|csv, shows every row")
        console.print(Text(t.title, style="bold"))
        rt = RichTable(box=box.SIMPLE_HEAD)
        for n, c in enumerate(t.columns):
            rt.add_column(c, justify="right" if n in t.numeric else "left", overflow="fold")
        for row in shown:
            rt.add_row(*(_table_cell(v) for v in row))
        console.print(rt)
        if caption:
            console.print(Text(caption, style="dim"))
    for note in report.notes:
        console.print(Text(note))
