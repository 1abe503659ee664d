"""Points to evaluate a program at: a CSV file whose header names inputs (TSV when the header has tabs), or JSON
Lines of objects (``{"a": 2, "x": [1, 2, 3]}``, a list for a vector), read as a stream so that a file larger
than memory goes through in chunks. An input a point leaves out takes the program's default.
"""
from __future__ import annotations

import csv
import io
import json
import math
from typing import IO, Iterator

from ..base.errors import InputError

Point = dict[str, object]


def _number(text: str, name: str, where: str):
    try:
        v = float(text)
    except ValueError:
        raise InputError(f"{where}: value of '{name}' is not a number: {text[:40]!r}") from None
    t = text.strip().lstrip("+-")
    if not math.isfinite(v) and (t[:1].isdigit() or t[:1] == "."):
        raise InputError(f"{where}: number {text.strip()[:40]} is too large for a float")
    return v


def read_points(f: IO[str], source: str = "<points>") -> Iterator[tuple[int, Point]]:
    """``(line, point)`` for every point of ``f``, in order (blank lines and, in CSV, empty cells skipped: an
    empty cell leaves that input at its default)."""
    first = ""
    while not first.strip():
        first = f.readline()
        if not first:
            return
    if first.lstrip().startswith("{"):
        yield from _json_lines(first, f, source)
    else:
        yield from _csv(first, f, source)


def _json_lines(first: str, f: IO[str], source: str) -> Iterator[tuple[int, Point]]:
    line_no = 0
    for line_no, line in enumerate(_chain(first, f), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"invalid JSON: {e.msg}", line_no, e.colno, source=source) from None
        if not isinstance(obj, dict):
            raise InputError(f"{source}:{line_no}: a point must be a JSON object such as {{\"a\": 2}}")
        yield line_no, obj


def _csv(first: str, f: IO[str], source: str) -> Iterator[tuple[int, Point]]:
    sep = "\t" if "\t" in first else ","
    header = next(csv.reader([first], delimiter=sep))
    names = [h.strip() for h in header]
    if not names or any(not n for n in names):
        raise InputError(f"{source}:1: the header must name an input in every column (got {first.strip()[:60]!r})")
    seen = set()
    for n in names:
        if n in seen:
            raise InputError(f"{source}:1: the header names '{n}' twice")
        seen.add(n)
    for line_no, row in enumerate(csv.reader(f, delimiter=sep), 2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(names):
            raise InputError(f"{source}:{line_no}: {len(row)} values for the header's {len(names)} columns")
        try:  # the common case: every cell a plain finite number
            values = list(map(float, row))
            if all(map(math.isfinite, values)):
                yield line_no, dict(zip(names, values))
                continue
        except ValueError:
            pass
        where = f"{source}:{line_no}"
        yield line_no, {n: _number(c, n, where) for n, c in zip(names, row) if c.strip()}


def _chain(first: str, f: IO[str]) -> Iterator[str]:
    yield first
    yield from f


def points_from_text(text: str, source: str = "<points>") -> list[tuple[int, Point]]:
    return list(read_points(io.StringIO(text), source))
