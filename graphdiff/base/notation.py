"""How graphdiff writes numbers and derivatives: one home for the notation every table, trace, message and
picture uses.

* :func:`fmt_num` is the shortest text that reads back as the same double (``2``, not ``2.0``).
* :func:`sig` rounds to a number of significant digits for tables (``--digits``).
* :func:`atom` parenthesises a node name that is an expression (``a + b`` → ``(a + b)``), so that a name
  inside ``∂…/∂…`` is never ambiguous; identifiers (``c``, ``α``), vector elements (``x[3]``) and calls
  (``sin(x)``, ``max(a, b)``) stand as they are.
* :func:`partial` writes ``∂top/∂bottom``; :func:`total` writes ``dtop/dbottom``. Tables write every
  derivative as the essay does, ``∂e/∂b``. A trace equation holds both kinds of derivative, so there the
  derivative a sweep accumulates is written with ``d`` and the local partial on an edge with ``∂``, as in
  the textbook chain rule ``dz/dt = ∂z/∂x·dx/dt + ∂z/∂y·dy/dt``.

>>> partial("e", "a + b"), total("e", "x[3]"), partial("max(a, b)", "a")
('∂e/∂(a + b)', 'de/dx[3]', '∂max(a, b)/∂a')
>>> factor(-0.54), factor(2.0), sig(1.2000000000000002, 6)
('(-0.54)', '2', '1.2')
"""
from __future__ import annotations

import math
import re

_SIMPLE = re.compile(r"[^\W\d]\w*(\[\d+\])?|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_CALL = re.compile(r"[^\W\d]\w*\(|\(")


def fmt_num(v: float) -> str:
    """Shortest faithful text for a number: ``2`` not ``2.0``, ``0.001``, ``1e+20``, ``nan``, ``inf``."""
    if v != v or v in (math.inf, -math.inf):
        return repr(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def all_finite(values: list[float]) -> bool:
    """Whether every number of the list is finite: one sum in C when they are (NaN and ±inf never add up to a
    finite number), the test a number at a time only when the sum is not (finite numbers can overflow it).

    >>> all_finite([1.0, 1e308, 1e308]), all_finite([1.0, float("nan")])
    (True, False)
    """
    return math.isfinite(sum(values)) or all(map(math.isfinite, values))


def json_num(v: float | int):
    """A number for JSON: exact integers stay integers; NaN and infinities, which JSON lacks, become the
    strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``."""
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
    return v


def json_nums(values: list[float]) -> list:
    """:func:`json_num` of every number of the list: the list itself when every number is finite (the common
    case, checked with one sum)."""
    return values if all_finite(values) else list(map(json_num, values))


def sig(v: float, digits: int | None) -> str:
    """``v`` to ``digits`` significant digits (None: every digit, as :func:`fmt_num`), as tables write it:
    whole numbers below 10^15 whole whatever ``digits`` is (counts and exact results never turn into
    ``1e+06``), NaN and infinities as ``NaN``, ``inf``, ``-inf``.

    >>> sig(3.141592653589793, 4), sig(1e-7, 3), sig(1234567.0, 3), sig(-0.0, 3), sig(float("nan"), 3)
    ('3.142', '1e-07', '1234567', '0', 'NaN')
    """
    if not math.isfinite(v):
        return "NaN" if v != v else ("inf" if v > 0 else "-inf")
    if digits is None or v == int(v) and abs(v) < 1e15:
        return fmt_num(v)
    return f"{v:.{digits}g}"


def is_atom(name: str) -> bool:
    """Whether a text reads as one unit inside a larger expression: an identifier, a vector element, an
    unsigned number, a call such as ``sin(x)`` or a parenthesised whole. The one rule graphdiff has for it
    (the parser, the graph, derived programs and the page all use it).

    >>> [is_atom(t) for t in ("x", "x[3]", "2.5", "max(a, b)", "(a + b)", "a + b", "(a) + (b)", "-x")]
    [True, True, True, True, True, False, False, False]
    """
    if _SIMPLE.fullmatch(name):
        return True
    m = _CALL.match(name)
    if not m or not name.endswith(")"):
        return False
    depth = 0
    for j in range(m.end() - 1, len(name)):  # the call's own parenthesis must close at the very end
        c = name[j]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j == len(name) - 1
    return False


def atom(name: str) -> str:
    """A node name as it stands inside a larger text: parenthesised unless :func:`is_atom`."""
    return name if is_atom(name) else f"({name})"


def partial(top: str, bottom: str) -> str:
    """``∂top/∂bottom``: a local partial (an edge), or a derivative in a table, as the essay writes both."""
    return f"∂{atom(top)}/∂{atom(bottom)}"


def total(top: str, bottom: str) -> str:
    """``dtop/dbottom``: the derivative a sweep accumulates, in a trace equation beside local partials."""
    return f"d{atom(top)}/d{atom(bottom)}"


def factor(v: float, digits: int | None = None) -> str:
    """A number as a factor of a product: bracketed when negative (``0.5·(-0.54)``)."""
    text = sig(v, digits)
    return f"({text})" if text.startswith("-") else text


def times(x: float | str) -> str:
    """A ratio as a factor: ``1.75×``, ``1,000,000×``, ``~1e+400×`` (beyond a float), ``—`` for infinity (against a
    mode that needs no operation at all)."""
    if isinstance(x, str):
        return f"~{x}×"
    if x == math.inf:
        return "—"
    return f"{x:,.3g}×" if x < 1000 else f"{x:,.0f}×"


def plural(n: int, word: str) -> str:
    """``1 sweep``, ``2 sweeps``, ``1,000,000 sweeps``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"
