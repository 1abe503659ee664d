"""Errors graphdiff raises. Each carries a source position where it has one; the CLI turns them into
``file:line:col: message`` on stderr and an exit code from :class:`ExitCode`."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in ``graphdiff --help``."""

    OK = 0
    COMPUTE = 1  # a failure while computing: domain error, overflow, NaN, a check that disagrees
    INPUT = 2  # bad input: syntax, names, arity, cycles, missing values, bad options, an unwritable -o
    INTERNAL = 3  # a bug in graphdiff


class GraphdiffError(Exception):
    """Base class. ``line`` and ``col`` are 1-based; ``source`` names the file (``<expr>``, ``<stdin>``)."""

    exit_code = ExitCode.INPUT

    def __init__(self, message: str, line: int | None = None, col: int | None = None,
                 source: str | None = None, node: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.source = source
        self.node = node
        self.source_line: str | None = None

    def locate(self, source: str, text: str | None) -> "GraphdiffError":
        """Attach the file name and the offending source line (for the caret display)."""
        if self.source is None:
            self.source = source
        if text is not None and self.line is not None and self.source_line is None:
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # the lexer's lines
            if 1 <= self.line <= len(lines):
                self.source_line = lines[self.line - 1]
        return self

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where += f":{self.line}:{self.col or 1}"
        return f"{where}: {self.message}" if where else self.message


class InputError(GraphdiffError):
    """The program or the options are wrong (exit code 2)."""


class ParseError(InputError):
    """Syntax error."""


class NameError_(InputError):
    """Unknown function, repeated assignment, bad index, unknown input, ..."""


class CycleError(InputError):
    """The assignments depend on each other in a cycle."""


class MissingInputError(InputError):
    """An input has no value from --set, --inputs or a default."""


class ComputeError(GraphdiffError):
    """A failure while computing (exit code 1): domain error, division by zero, overflow, NaN."""

    exit_code = ExitCode.COMPUTE


def suggest(name: str, known, limit: int = 100_000) -> str:
    """``; did you mean 'c'?`` when a known name is close to ``name`` (among the first ``limit``), else ``""``."""
    import difflib
    from itertools import islice

    guess = difflib.get_close_matches(name, list(islice(known, limit)), n=1)
    return f"; did you mean '{guess[0]}'?" if guess else ""


@dataclass(frozen=True)
class Diagnostic:
    """A warning that does not stop the computation, e.g. a non-differentiable point."""

    node: str
    line: int
    col: int
    message: str
    kind: str = field(default="", compare=False)  # what raised it, where a caller must tell ("recomputed")

    def __str__(self) -> str:
        return f"{self.line}:{self.col}: {self.message}"

    def to_dict(self) -> dict:
        return {"node": self.node, "line": self.line, "col": self.col, "message": self.message}
