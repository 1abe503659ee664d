"""The table of primitives: the one place graphdiff knows calculus.

A :class:`Primitive` (a row) holds two kinds of knowledge:

* what cannot be said in graphdiff's language: the value of the leaf function in each backend, as a template
  of an expression (``leaves["python"] = "math.sin({0})"``, ``leaves["js"] = "Math.sin({0})"``, and the same
  for ``numpy``, ``mpmath`` and ``sympy``), with the helper functions those templates call (``helpers``);
* everything else as text *in the language*: every partial derivative (``partials``, or for an n-ary
  operation one ``partial`` for any operand, or ``scan``), the domain (the condition under which the value is
  a fault, and what that fault is called) and the convention at a non-differentiable point (``kink``).

Everything that computes a partial compiles it from that text (:mod:`graphdiff.codegen`): the numbers of
``grad`` and ``edges``, the programs of ``derive``, the module of ``derive --to python``, the recomputation
beyond float64's range and the explorable page. So the formula a table prints *is* what every command
computes: one source. Numerically delicate forms are helper primitives of the language (``sech``, ``xlogy``,
``hypot``, ``gauss``), so that the text needs no trick of its own.

A leaf may be given for one number of operands too (``"python/2": "{0} + {1}"``), where it computes the same
double as the general one. Templates write the operands as ``{0}``, ``{1}`` …, the node's own value as ``{y}``; an n-ary ``partial`` writes
the operand it is taken with respect to as ``{x}``, all operands as ``{xs}`` (inside a call) and their number
as ``{n}``. A condition is an expression whose value is non-zero where it holds; a message may use the
operands' texts (``{0}`` …), the node's value (``{y}``) and the condition's value (``{c}``).

:func:`register` adds a row; every command, the page and ``derive --to python`` then know it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

Vals = Sequence[float]

#: The backends a row gives its value in. ``python`` is required; ``numpy`` gives the IEEE result where the
#: Python value raises (and works on arrays of points); ``js`` is the page's, ``mpmath`` the recomputation
#: with an unbounded exponent, ``sympy`` the symbolic oracle of ``graphdiff check``.
BACKENDS = ("python", "numpy", "js", "mpmath", "sympy")


@dataclass(frozen=True)
class Primitive:
    """One operation of the language. See the module's docstring for the templates.

    ``arity`` is the number of operands (None: any number, at least one). ``infix`` is the operator it is
    written with (``+``, ``-``, ``*``, ``/``, ``^``; ``neg`` is the prefix ``-``), else ``call`` is the name a
    program calls it by. For an n-ary row, ``small`` gives the partials' texts for a particular number of
    operands (``max(a, b)``: ``(1 + sign(a - b)) / 2``), ``partial`` the text for any operand, and ``scan`` (the
    operator of a product) says instead that ∂/∂x_k is the product of the other operands, formed as the
    product of those before k times the product of those after it (prefix and suffix products: linear work,
    exact where operands are zero).

    ``kink_arg`` is the operand whose partial the kink's convention sets (None: any), so that the warning is
    given only where that operand is a node. ``work`` is what :meth:`operations` counts beyond the usual.
    """

    name: str
    arity: int | None
    leaves: Mapping[str, str]
    partials: tuple[str, ...] = ()
    partial: str | None = None
    scan: str | None = None
    small: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    infix: str | None = None
    call: str | None = None
    domain: tuple[str, str] | None = None
    kink: tuple[str, str] | None = None
    kink_arg: int | None = None
    helpers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    work: int | None = None

    def __post_init__(self) -> None:
        if "python" not in self.leaves:
            raise ValueError(f"primitive {self.name!r}: a Python value (leaves['python']) is required")
        if self.arity is not None and len(self.partials) != self.arity:
            raise ValueError(f"primitive {self.name!r}: {self.arity} operands need {self.arity} partials, "
                             f"{len(self.partials)} given")
        if self.arity is None and self.partial is None and self.scan is None:
            raise ValueError(f"primitive {self.name!r}: an n-ary primitive needs partial= or scan=")
        object.__setattr__(self, "value", _compile_leaf(self, "python", self.arity))
        object.__setattr__(self, "_ieee", None)

    def leaf(self, backend: str, n: int) -> str | None:
        """The template of the value in ``backend`` for ``n`` operands: ``leaves[f"{backend}/{n}"]`` where the
        row gives one (``a + b`` for two operands of a sum that is ``math.fsum`` beyond), else
        ``leaves[backend]``."""
        return self.leaves.get(f"{backend}/{n}", self.leaves.get(backend))

    # -- the value -------------------------------------------------------------------------------------------
    value: Callable[[Vals], float] = field(init=False, repr=False, compare=False, default=None)  # type: ignore

    def ieee(self, xs: Vals, exc: Exception | None = None) -> float:
        """The IEEE result (NaN or ±inf) where the Python value raises: the row's NumPy value, which follows
        IEEE 754 (``1 / 0 = inf``, ``log(-1) = nan``); without one, inf for an overflow, else NaN."""
        f = self.__dict__["_ieee"]
        if f is None and "numpy" in self.leaves:
            f = _compile_leaf(self, "numpy", self.arity)
            object.__setattr__(self, "_ieee", f)
        if f is not None:
            import numpy as np

            with np.errstate(all="ignore"):
                v = f([np.float64(x) for x in xs])
            return float(v)
        return math.inf if isinstance(exc, OverflowError) else math.nan

    def fault(self, texts: Sequence[str], exc: Exception) -> str:
        """What a raised value means: ``overflow``, or the domain's message with the operands' texts."""
        if isinstance(exc, OverflowError) or self.domain is None:
            return "overflow" if isinstance(exc, OverflowError) else "domain error"
        return self.domain[1].format(*texts)

    # -- how it prints ----------------------------------------------------------------------------------------
    @property
    def atomic(self) -> bool:
        """Whether it prints as one unit (a call, a name); infix operations take parentheses inside others."""
        return self.infix is None

    def text(self, texts: Sequence[str]) -> str:
        """The expression over its operands' texts (already parenthesised where needed)."""
        if self.infix is not None:
            if self.name == "neg":
                return f"-{texts[0]}"
            return f" {self.infix} ".join(texts)
        if self.call is not None:
            return f"{self.call}({', '.join(texts)})"
        return texts[0]  # id, const

    def operations(self, n: int) -> int:
        """Arithmetic operations of one evaluation with ``n`` operands: an n-ary row combines its operands
        pairwise (n - 1, at least 1) and does ``work`` more (a mean's division); another row does ``work``
        (default 1; 0 for the names given to a node or a number)."""
        if self.arity is None:
            return max(1, n - 1 + (self.work or 0))
        return 1 if self.work is None else self.work


def _compile_leaf(p: Primitive, backend: str, arity: int | None) -> Callable[[Vals], float]:
    """``lambda xs: <the leaf over xs[0] …>``, compiled once with the backend's helpers in scope (an n-ary
    row's arity-specific leaves are for generated code, which knows the number of operands)."""
    template = p.leaves[backend]
    if arity is None:
        expr = template.format(xs="xs")
    else:
        expr = template.format(*[f"xs[{k}]" for k in range(arity)])
    return eval(f"lambda xs: {expr}", namespace(backend))  # noqa: S307 - the row's own template


_NAMESPACES: dict[str, dict] = {}


def namespace(backend: str) -> dict:
    """The names a backend's templates see: its library and every registered helper."""
    ns = _NAMESPACES.get(backend)
    if ns is None:
        ns = {"math": math}
        if backend == "numpy":
            import numpy as np
            ns["np"] = np
        elif backend == "mpmath":
            import mpmath
            ns["mp"] = mpmath
        elif backend == "sympy":
            import sympy
            ns["sp"] = sympy
        if backend != "js":
            for source in HELPERS.get(backend, {}).values():
                exec(source, ns)  # noqa: S102 - helper sources of the rows
        _NAMESPACES[backend] = ns
    return ns


#: Every primitive by name.
PRIMITIVES: dict[str, Primitive] = {}
#: Names a program can call, and the primitive each stands for. The infix operators are primitives too
#: (add, sub, mul, div, neg, written with + - * / and unary -); ``pow(x, y)`` and ``x ^ y`` are one primitive.
FUNCTIONS: dict[str, str] = {}
#: The callable n-ary reductions, which also accept a whole vector, e.g. ``sum(x)``.
REDUCTIONS: set[str] = set()
#: The helper functions the rows' templates call, by backend and name: their source.
HELPERS: dict[str, dict[str, str]] = {}
#: Called after every change of the table (compiled forms made from it are let go).
LISTENERS: list[Callable[[], None]] = []


def register(p: Primitive) -> None:
    """Add (or replace) a primitive; with a ``call`` name, programs can call it at once, in every command.

    >>> register(Primitive("cube", 1, {"python": "{0} ** 3", "js": "{0} ** 3", "mpmath": "{0} ** 3",
    ...                                "sympy": "{0} ** 3", "numpy": "{0} ** 3"},
    ...                    partials=("3 * {0} ^ 2",), call="cube"))
    >>> from graphdiff import loads, evaluate
    >>> evaluate(loads("y = cube(x)"), {"x": 2})["y"]
    8.0
    >>> unregister("cube")
    """
    for backend, helpers in p.helpers.items():
        for name, source in helpers.items():
            known = HELPERS.setdefault(backend, {}).get(name)
            if known is not None and known != source:
                raise ValueError(f"primitive {p.name!r}: helper {name!r} ({backend}) differs from the one "
                                 "already registered")
            HELPERS[backend][name] = source
            _NAMESPACES.pop(backend, None)
    if p.helpers:  # the value was compiled before its helpers were in scope
        object.__setattr__(p, "value", _compile_leaf(p, "python", p.arity))
    unregister(p.name)
    PRIMITIVES[p.name] = p
    if p.call:
        FUNCTIONS[p.call] = p.name
        if p.arity is None:
            REDUCTIONS.add(p.call)
    for f in LISTENERS:
        f()


def unregister(name: str) -> None:
    """Remove a primitive added by :func:`register`."""
    p = PRIMITIVES.pop(name, None)
    if p is not None and p.call:
        FUNCTIONS.pop(p.call, None)
        REDUCTIONS.discard(p.call)
    if p is not None:
        for f in LISTENERS:
            f()
