"""What a program says, as data: the statements the parser (:mod:`graphdiff.language.parse`) finds, before
the graph resolves their names, and the header a derived program carries. Apart from the parser so that what
reads a graph (a cached one) does not load Lark.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Num(float):
    """A constant that remembers where it was written and how (for messages about constant expressions)."""

    __slots__ = ("line", "col", "src")

    def at(self, line: int, col: int, src: str | None = None) -> "Num":
        self.line, self.col, self.src = line, col, src
        return self


class Ref(NamedTuple):
    """A use of a named or anonymous node, with where it appears (a tuple: cheap to make)."""

    name: str
    line: int
    col: int
    atomic: bool = True
    base: str | None = None  # for x[3]: base "x", index 3
    index: int | None = None

    def text(self) -> str:
        return self.name if self.atomic else f"({self.name})"


class Definition(NamedTuple):
    """One node as written: ``op`` is a primitive name, ``"input"`` or ``"const"``."""

    name: str
    op: str
    args: list  # floats (constants), names (str) of the nodes it uses, and Refs for elements such as x[3]
    line: int
    col: int
    text: str  # the expression as graphdiff prints it
    kind: str  # "input", "named", "anon" or "const"
    default: float | list[float] | None = None  # a list: one default per element of a vector
    size: int | None = None  # vector inputs: the number of elements


@dataclass
class Program:
    """What the parser found, before names are resolved."""

    definitions: dict[str, Definition] = field(default_factory=dict)  # in creation order
    outputs: list[Ref] = field(default_factory=list)
    uses: dict[str, Ref] = field(default_factory=dict)  # first use of every referenced name
    faults: list[tuple[str, int, int]] = field(default_factory=list)  # constant expressions out of their domain


def header(text: str) -> dict | None:
    r"""The header of a program ``graphdiff derive`` wrote, as data: its leading comment lines
    ``# derived-from: SOURCE; mode M; nodes N; …`` and ``# NAME = ∂o/∂i`` (several to a line, separated by
    ``; ``). Returns ``{"source", "mode", "nodes", …, "derivatives": [NAME, …]}``, or None for a program
    without one.

    >>> header("# derived-from: f.gd; mode adjoint; nodes 5\n# de_db = ∂e/∂b\ne = 1")["derivatives"]
    ['de_db']
    """
    if not text.startswith("#"):
        return None
    out: dict | None = None
    for line in text.split("\n", 200_000):
        if not line.startswith("#"):
            break
        line = line.rstrip("\r")
        if line.startswith("# derived-from:"):
            parts = [p.strip() for p in line[len("# derived-from:"):].split(";")]
            out = {"source": parts[0], "derivatives": []}
            for p in parts[1:]:
                key, _, val = p.partition(" ")
                out[key] = int(val) if val.isdigit() else val
        elif out is not None and " = ∂" in line:
            out["derivatives"].extend(m.split(" = ∂", 1)[0] for m in line[2:].split("; "))
    return out
