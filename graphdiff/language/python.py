"""Graphs from Python code: run a function on traced values and write the program it computed
(``graphdiff import FILE.py:FUNCTION``, :func:`trace`).

A tracer, as JAX's ``make_jaxpr``, PyTorch's ``fx`` and autograd's boxes are: the function's parameters become
:class:`Traced` values that hold their number and record every operation done on them. Python's operators
(``+ - * / **``, unary minus, ``abs``), the ``math`` module's functions that are graphdiff primitives (which
those are is read from the table of primitives: a row whose Python value is ``math.sin({0})`` is what
``math.sin`` records), ``min``, ``max``, ``sum`` and ``math.prod`` record a node each; loops are unrolled as they
run, helper functions and comprehensions are followed into. While the function runs, ``math``'s functions and
the builtins ``min``, ``max`` and ``sum`` are replaced by recording ones (in the ``math`` module itself, so a
helper in another file that does ``import math`` is traced too, and in the globals of the user's modules, for
``from math import sin``): one trace at a time, in one thread.

Names come from the code: a value assigned to a variable (``x1 = a * b``) gets the variable's name, found by
looking at each frame's variables line by line (:func:`sys.settrace`); a variable assigned again and again (a
loop's ``h = tanh(w * h + b)``) numbers its values ``h_1``, ``h_2`` …; the elements of a list held in a
variable are ``h_0``, ``h_1`` … by index. Other values are written nested in the expression that uses them,
and graphdiff names them by their text, as it names any nested expression.

What a tracer cannot follow is decided or refused: a comparison of a traced value (``if x > 0:``) is decided at
the given point, recorded in the program's header and reported (:class:`Decision`); a ``math`` function that is
not a graphdiff primitive, a traced value turned into a float or an integer (``float(x)``, ``range(n)``, an
index), an operator graphdiff has no rule for (``%``, ``//``) raise :class:`TraceError`, which names the
function, the file, the line and the column in the user's source.
"""
from __future__ import annotations

import builtins
import functools
import importlib.util
import inspect
import linecache
import math
import numbers
import os
import re
import sys
import sysconfig
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from ..base.errors import InputError, suggest
from ..primitives import PRIMITIVES
from .graph import Graph, loads


class TraceError(InputError):
    """The function does something a tracer cannot record (exit code 2); ``source``, ``line`` and ``col``
    point into the user's Python file, and ``source_line`` is that line (for the caret under the column)."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None, source: str | None = None,
                 file: str | None = None):
        super().__init__(message, line, col, source)
        if line is not None and (file or source):
            text = linecache.getline(file or source, line).rstrip("\r\n")
            self.source_line = text or None


@dataclass
class Decision:
    """A comparison of traced values decided at the given point: where it is in the source, its text, what it
    gave, the values it compared the first time, and how many times it ran."""

    source: str
    line: int
    col: int
    text: str
    results: list[bool] = field(default_factory=list)
    values: str = ""

    @property
    def summary(self) -> str:
        """``'x > 0' was True with x = 1.5`` (or ``True 3 times``, ``True and False over 4 runs``)."""
        n = len(self.results)
        seen = sorted(set(self.results), reverse=True)
        what = str(self.results[0]) if n == 1 else (
            f"{' and '.join(map(str, seen))} over {n:,} runs" if len(seen) > 1 else f"{seen[0]} {n:,} times")
        return f"'{self.text}' was {what}" + (f" with {self.values}" if self.values else "")

    @property
    def message(self) -> str:
        return f"{self.summary}: decided at the traced point, the program holds the branch taken"

    def to_dict(self) -> dict:
        return {"source": self.source, "line": self.line, "col": self.col, "text": self.text,
                "results": list(self.results), "values": self.values}


class Traced:
    """A number that records what is done with it. ``value`` is its number at the traced point."""

    __slots__ = ("op", "args", "value", "name", "base", "where", "__weakref__")

    def __init__(self, op: str, args: tuple, value: float, where: tuple | None = None):
        self.op, self.args, self.value, self.where = op, args, value, where
        self.name: str | None = None  # an input's name, or the output's
        self.base: str | None = None  # the Python variable it was assigned to (numbered later when reused)

    def __repr__(self) -> str:
        return f"<traced {self.name or self.base or self.op} = {self.value!r}>"

    def __format__(self, spec: str) -> str:  # printing a traced value while tracing shows its number
        return format(self.value, spec)

    __hash__ = object.__hash__

    # arithmetic: one node each, operands in the order written
    def __add__(self, o): return _binary("add", self, o)
    def __radd__(self, o): return _binary("add", o, self)
    def __sub__(self, o): return _binary("sub", self, o)
    def __rsub__(self, o): return _binary("sub", o, self)
    def __mul__(self, o): return _binary("mul", self, o)
    def __rmul__(self, o): return _binary("mul", o, self)
    def __truediv__(self, o): return _binary("div", self, o)
    def __rtruediv__(self, o): return _binary("div", o, self)
    def __pow__(self, o, mod=None): return _binary("pow", self, o) if mod is None else _refuse("pow(x, y, mod)")
    def __rpow__(self, o): return _binary("pow", o, self)
    def __neg__(self): return _record("neg", (self,), -self.value)
    def __pos__(self): return self
    def __abs__(self): return _record("abs", (self,), abs(self.value))

    # comparisons: decided at the point, and recorded as decided
    def __lt__(self, o): return _decide(self, o, "<")
    def __le__(self, o): return _decide(self, o, "<=")
    def __gt__(self, o): return _decide(self, o, ">")
    def __ge__(self, o): return _decide(self, o, ">=")
    def __eq__(self, o): return _decide(self, o, "==")
    def __ne__(self, o): return _decide(self, o, "!=")
    def __bool__(self): return _decide(self, 0.0, "!=", truth=True)

    # what a graph cannot hold
    def __float__(self): _refuse("float() of a traced value (or a library that needs a plain number)")
    def __int__(self): _refuse("int() of a traced value")
    def __index__(self): _refuse("a traced value used as an integer (range(), an index, a count)")
    def __complex__(self): _refuse("complex() of a traced value")
    def __round__(self, n=None): _refuse("round() of a traced value")
    def __trunc__(self): _refuse("math.trunc() of a traced value")
    def __floor__(self): _refuse("math.floor() of a traced value")
    def __ceil__(self): _refuse("math.ceil() of a traced value")
    def __mod__(self, o): _refuse("the operator % on a traced value")
    def __rmod__(self, o): _refuse("the operator % on a traced value")
    def __floordiv__(self, o): _refuse("the operator // on a traced value")
    def __rfloordiv__(self, o): _refuse("the operator // on a traced value")
    def __divmod__(self, o): _refuse("divmod() of a traced value")
    def __rdivmod__(self, o): _refuse("divmod() of a traced value")

    def __array_ufunc__(self, ufunc, method, *args, **kwargs):
        op = _UFUNCS.get(ufunc.__name__)
        if op is not None and method == "__call__" and not kwargs and len(args) == 2:
            return _binary(op, *(a if a.__class__ is Traced else _np_scalar(a) for a in args))
        same = _NP_MATH.get(ufunc.__name__, ufunc.__name__)
        hint = f" (graphdiff traces the math module: math.{same})" if hasattr(math, same) else ""
        _refuse(f"numpy.{ufunc.__name__} on a traced value{hint}")


#: NumPy's arithmetic on a NumPy scalar and a traced value (``np.float64(2) * x``) is the operator's node.
_UFUNCS = {"add": "add", "subtract": "sub", "multiply": "mul", "true_divide": "div", "divide": "div",
           "power": "pow", "float_power": "pow"}
_NP_MATH = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2", "absolute": "fabs"}


def _np_scalar(a):
    try:
        return float(a)  # a NumPy scalar or a 0-d array
    except (TypeError, ValueError):
        _refuse(f"NumPy arithmetic between a traced value and an array ({type(a).__name__})")


# ---- the recording -------------------------------------------------------------------------------------------

class _Recording:
    """The state of one trace: every node made, in order, and the comparisons decided."""

    def __init__(self, files: set[str]):
        self.nodes: list[Traced] = []
        self.decisions: dict[tuple, Decision] = {}
        self.files = files  # the user's files: where positions and names are looked for
        self.lists: dict[int, int] = {}  # id of a list held in a variable -> how many of its elements are named
        self.index: dict[Traced, int] = {}  # node -> its position in ``nodes``
        self.user: dict[str, bool] = {}  # file name -> whether it is the user's code
        self.merged: list[tuple[str, list[int]]] = []  # unnamed texts computed more than once: (text, lines)
        self.progress: Callable[[int], None] | None = None  # told the nodes recorded, every 10,000


_ACTIVE: _Recording | None = None
_OWNER = [0]  # the thread tracing
_LOCK = threading.Lock()
_GRAPHDIFF = str(Path(__file__).resolve().parents[1]) + os.sep
_LIBRARY = tuple({p for key in ("stdlib", "platstdlib", "purelib", "platlib")
                  if (p := sysconfig.get_paths().get(key))})


def _active() -> _Recording:
    if _ACTIVE is None:
        raise TraceError("a traced value was used after its trace ended (graphdiff.trace returns a graph; keep "
                         "the traced values inside the function)")
    return _ACTIVE


def _is_user(filename: str) -> bool:
    """Whether a frame of this file is the user's code (not graphdiff's, Python's or an installed library's)."""
    rec = _ACTIVE
    if rec is None:
        return not (filename.startswith("<") or filename.startswith(_GRAPHDIFF) or filename.startswith(_LIBRARY))
    known = rec.user.get(filename)
    if known is None:
        known = rec.user[filename] = filename in rec.files or not (
            filename.startswith("<") or filename.startswith(_GRAPHDIFF) or filename.startswith(_LIBRARY))
    return known


_POSITIONS: dict = {}


def _here() -> tuple[str, int, int, int, int, str] | None:
    """The innermost frame of the user's code: file, line, column, end line, end column, function."""
    f = sys._getframe(1)
    while f is not None and not _is_user(f.f_code.co_filename):
        f = f.f_back
    if f is None:
        return None
    code = f.f_code
    pos = _POSITIONS.get(code)
    if pos is None:
        pos = _POSITIONS[code] = list(code.co_positions())
    k = f.f_lasti // 2
    line, end, col, end_col = pos[k] if 0 <= k < len(pos) else (f.f_lineno, f.f_lineno, 0, 0)
    line = line or f.f_lineno
    return code.co_filename, line, (col or 0) + 1, end or line, (end_col or 0) + 1, code.co_name


def _refuse(what: str):
    h = _here()
    if h is None:
        raise TraceError(f"{what}: graphdiff cannot trace it")
    file, line, col, _, _, function = h
    raise TraceError(f"in {function}: {what}: graphdiff cannot trace it", line, col, source=_show(file), file=file)


def _show(file: str) -> str:
    try:
        rel = os.path.relpath(file)
        return rel if not rel.startswith("..") else file
    except ValueError:
        return file


def _value(x) -> float:
    return x.value if x.__class__ is Traced else x


def _operand(x):
    """A traced value, or a plain number as a float; anything else is refused."""
    if x.__class__ is Traced:
        return x
    if not isinstance(x, numbers.Real):  # bools (True is 1, as in Python) and NumPy scalars are numbers
        return NotImplemented
    return float(x)


def _record(op: str, args: tuple, value: float) -> Traced:
    rec = _active()
    for a in args:
        if a.__class__ is Traced and a not in rec.index:
            raise TraceError("a traced value from another trace was used (values do not carry over between traces)")
    h = _here()
    t = Traced(op, args, value, h[:3] if h else None)
    rec.nodes.append(t)
    n = rec.index[t] = len(rec.nodes) - 1
    if rec.progress is not None and n % 10_000 == 0:
        rec.progress(n)
    return t


_BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
           "div": lambda a, b: a / b, "pow": math.pow}
_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


def _binary(op: str, a, b):
    x, y = _operand(a), _operand(b)
    if x is NotImplemented or y is NotImplemented:
        return NotImplemented
    try:
        v = _BINARY[op](_value(x), _value(y))
    except ZeroDivisionError:
        _fail(f"division by zero: {_fmt(_value(x))} / {_fmt(_value(y))}")
    except (ValueError, OverflowError) as e:
        _fail(f"{_paren(_value(x))} {_SYMBOL[op]} {_paren(_value(y))} is not a real number graphdiff can hold ({e})")
    return _record(op, (x, y), v)


def _fail(message: str):
    h = _here()
    if h is None:
        raise TraceError(message)
    file, line, col, _, _, function = h
    raise TraceError(f"in {function}: {message}", line, col, source=_show(file), file=file)


def _paren(v: float) -> str:
    return f"({_fmt(v)})" if v < 0 else _fmt(v)


def _fmt(v: float) -> str:
    return repr(v) if v != int(v) or abs(v) >= 1e15 else str(int(v)) if math.isfinite(v) else repr(v)


def _decide(a, b, symbol: str, truth: bool = False) -> bool:
    x, y = _value(a), _value(_operand(b) if _operand(b) is not NotImplemented else b)
    if not isinstance(y, (int, float)):
        return NotImplemented
    result = {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y, "!=": x != y}[symbol]
    return _decided(result, f"{_label(a)} {symbol} {_label(b)}" if not truth else _label(a), (a, b))


def _decided(result: bool, fallback: str, operands: tuple) -> bool:
    """Record a comparison decided at the point (its source text, or ``fallback``), once per place in the code."""
    rec = _ACTIVE
    h = _here()
    if rec is None or h is None:
        return result
    file, line, col, end, end_col, _ = h
    d = rec.decisions.get((file, line, col))
    if d is None:
        shown = [f"{_label(t)} = {_fmt(t.value)}" for t in operands if t.__class__ is Traced and _label(t) != "?"]
        d = rec.decisions[file, line, col] = Decision(_show(file), line, col,
                                                       _segment(file, line, col, end, end_col) or fallback, [],
                                                       ", ".join(shown))
    d.results.append(bool(result))
    return result


def _label(t) -> str:
    if t.__class__ is not Traced:
        return _fmt(t) if isinstance(t, (int, float)) else "?"
    return t.name or t.base or "?"


def _segment(file: str, line: int, col: int, end: int, end_col: int) -> str | None:
    if end != line:
        return None
    text = linecache.getline(file, line)
    return text[col - 1:end_col - 1].strip() or None


# ---- the math module and the builtins, recording ---------------------------------------------------------------

_MATH_CALL = re.compile(r"math\.(\w+)\((\{0\}(?:, \{1\})?|\{xs\})\)$")


def _math_rows() -> dict[str, str]:
    """``math`` function -> primitive, read from the table: a row with a name to call whose Python value is
    ``math.NAME(...)`` is what ``math.NAME`` computes (``math.fsum`` is ``sum``, ``math.prod`` is ``prod``)."""
    out = {}
    for name, p in PRIMITIVES.items():
        if p.call is None:
            continue
        m = _MATH_CALL.match(p.leaf("python", 1 if p.arity == 1 else 2 if p.arity == 2 else 3))
        if m:
            out[m.group(1)] = name
    out["fabs"] = "abs"  # math.fabs(x) is abs(x) for floats
    return out


#: Suggestions for the math functions graphdiff has no row for.
_INSTEAD = {"log10": "math.log(x) / math.log(10)", "log2": "math.log(x) / math.log(2)", "erfc": "1 - math.erf(x)",
            "exp2": "2 ** x", "asinh": "math.log(x + math.sqrt(x * x + 1))",
            "acosh": "math.log(x + math.sqrt(x * x - 1))", "atanh": "0.5 * math.log((1 + x) / (1 - x))",
            "degrees": "x * (180 / math.pi)", "radians": "x * (math.pi / 180)", "cbrt": "x ** (1 / 3) for x > 0"}
_PREDICATES = {"isnan": "math.isnan", "isinf": "math.isinf", "isfinite": "math.isfinite", "isclose": "math.isclose"}


def _math_function(name: str, original: Callable, rows: dict[str, str]) -> Callable:
    prim = rows.get(name)
    if name in _PREDICATES:
        def predicate(x, *rest, **kwargs):
            operands = (x, *rest)
            if any(a.__class__ is Traced for a in operands):
                values = [_value(a) for a in operands]
                return _decided(original(*values, **kwargs), f"math.{name}(…)",
                                tuple(a for a in operands if a.__class__ is Traced))
            return original(x, *rest, **kwargs)
        return predicate
    if prim is None:
        def refused(*args, **kwargs):
            if any(a.__class__ is Traced for a in _flat(args, kwargs)):
                hint = f"; write {_INSTEAD[name]}" if name in _INSTEAD else ""
                _refuse(f"math.{name} is not a graphdiff primitive{hint}")
            return original(*args, **kwargs)
        refused.__name__ = name
        return refused
    p = PRIMITIVES[prim]
    if p.arity is None:  # fsum, prod over an iterable
        def reduce(iterable, *rest, **kwargs):
            items = list(iterable)
            if not any(a.__class__ is Traced for a in items) and not any(
                    a.__class__ is Traced for a in _flat(rest, kwargs)):
                return original(items, *rest, **kwargs)
            start = kwargs.pop("start", rest[0] if rest else 1.0)
            if kwargs or len(rest) > (1 if name == "prod" else 0):
                _refuse(f"math.{name} with these arguments")
            if name == "prod" and (start.__class__ is Traced or start != 1):
                items = [start] + items
            return _nary(prim, items, f"math.{name}")
        reduce.__name__ = name
        return reduce

    def call(*args):
        if not any(a.__class__ is Traced for a in args):
            return original(*args)
        if name == "log" and len(args) == 2:  # log(x, base) = log(x) / log(base), as math computes it
            return call(args[0]) / (call(args[1]) if args[1].__class__ is Traced else math.log(args[1]))
        if name == "hypot" and len(args) == 1:
            return abs(args[0])
        if len(args) != (p.arity or len(args)):
            _refuse(f"math.{name} of {len(args)} arguments (graphdiff's {prim} takes {p.arity})")
        ops = [_operand(a) for a in args]
        if any(o is NotImplemented for o in ops):
            _refuse(f"math.{name} of a {type(args[0]).__name__}")
        try:
            v = original(*map(_value, ops))
        except (ValueError, OverflowError, ZeroDivisionError) as e:
            _fail(f"math.{name}({', '.join(_fmt(_value(o)) for o in ops)}): {e}")
        return _record(prim, tuple(ops), v)
    call.__name__ = name
    return call


def _flat(args, kwargs) -> Iterable:
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, (list, tuple)):
            yield from a
        else:
            yield a


def _nary(prim: str, items: list, what: str):
    ops = [_operand(a) for a in items]
    if any(o is NotImplemented for o in ops):
        bad = next(a for a, o in zip(items, ops) if o is NotImplemented)
        _refuse(f"{what} over a {type(bad).__name__}")
    if not ops:
        _refuse(f"{what} of nothing")
    values = list(map(_value, ops))
    v = {"sum": math.fsum, "prod": math.prod, "min": min, "max": max}[prim](values)
    return _record(prim, tuple(ops), v)


def _builtins(originals: dict[str, Callable]) -> dict[str, Callable]:
    def minmax(name: str) -> Callable:
        original = originals[name]

        def f(*args, **kwargs):
            items = list(args[0]) if len(args) == 1 else list(args)
            if not any(a.__class__ is Traced for a in items):
                return original(items, **kwargs) if len(args) == 1 else original(*args, **kwargs)
            if len(args) == 1 and set(kwargs) == {"default"}:  # a default matters only for an empty iterable
                kwargs = {}
            if kwargs:
                _refuse(f"{name}() with {', '.join(kwargs)}= over traced values")
            return _nary(name, items, f"{name}()")
        f.__name__ = name
        return f

    def sum_(iterable, /, start=0):
        items = list(iterable)
        if not any(a.__class__ is Traced for a in items) and start.__class__ is not Traced:
            return originals["sum"](items, start)
        if start.__class__ is Traced or start != 0:
            items = [start] + items
        return _nary("sum", items, "sum()")

    return {"min": minmax("min"), "max": minmax("max"), "sum": sum_}


class _Patched:
    """The recording functions in place while a function is traced: in ``math``, in ``builtins``, in the
    globals of the user's modules (names bound by ``from math import sin``), one level into their dicts and
    classes (``ACTS = {"tanh": math.tanh}``, ``class Net: act = math.tanh``) and in the traced function's
    defaults (``fn=math.sin``); everything put back after, also in modules imported while tracing."""

    def __init__(self, modules: Iterable[dict], function=None):
        rows = _math_rows()
        self.math = {n: getattr(math, n) for n in dir(math)
                     if not n.startswith("_") and callable(getattr(math, n))}
        self.replace = {n: _math_function(n, f, rows) for n, f in self.math.items()}
        self.builtin = {n: getattr(builtins, n) for n in ("min", "max", "sum")}
        self.builtin_new = _builtins(self.builtin)
        self.modules = list(modules)
        self.function = function
        self.undo: list[tuple[Callable, Any]] = []  # (put back, the original)
        self.by_id: dict[int, Callable] = {}

    def swap(self, v):
        """The recording function for an original one (by identity: a user's value may not compare), else v."""
        return self.by_id.get(id(v), v)

    def _patch(self, get: Callable, put: Callable) -> None:
        v = get()
        new = self.by_id.get(id(v))
        if new is not None:
            self.undo.append((put, v))
            put(new)

    def __enter__(self):
        self.by_id = {id(f): self.replace[n] for n, f in self.math.items()}
        self.by_id.update({id(f): self.builtin_new[n] for n, f in self.builtin.items()})
        for n, f in self.replace.items():
            setattr(math, n, f)
        for n, f in self.builtin_new.items():
            setattr(builtins, n, f)
        for ns in self.modules:
            for k, v in list(ns.items()):
                self._patch(lambda ns=ns, k=k: ns[k], lambda x, ns=ns, k=k: ns.__setitem__(k, x))
                if v.__class__ is dict:
                    for dk in list(v):
                        self._patch(lambda d=v, dk=dk: d[dk], lambda x, d=v, dk=dk: d.__setitem__(dk, x))
                elif isinstance(v, type) and v.__module__ == ns.get("__name__"):
                    for ak, av in list(vars(v).items()):
                        if id(av) in self.by_id:
                            self.undo.append((lambda x, c=v, ak=ak: setattr(c, ak, x), av))
                            setattr(v, ak, self.by_id[id(av)])
        f = self.function
        if f is not None and f.__defaults__:
            old = f.__defaults__
            self.undo.append((lambda x, f=f: setattr(f, "__defaults__", x), old))
            f.__defaults__ = tuple(map(self.swap, old))
        return self

    def __exit__(self, *exc):
        for n, f in self.math.items():
            setattr(math, n, f)
        for n, f in self.builtin.items():
            setattr(builtins, n, f)
        for put, v in reversed(self.undo):
            put(v)
        back = {id(new): orig for orig_id, new in self.by_id.items()
                for orig in (*self.math.values(), *self.builtin.values()) if id(orig) == orig_id}
        for m in list(sys.modules.values()):  # a module imported while tracing bound a recording function
            ns = getattr(m, "__dict__", None)
            if ns is not None and getattr(m, "__file__", None) and _is_user(str(m.__file__)):
                for k, v in list(ns.items()):
                    if id(v) in back:
                        ns[k] = back[id(v)]
        return False


# ---- names from the code ------------------------------------------------------------------------------------

def _namer(rec: _Recording) -> Callable:
    """A :func:`sys.settrace` function that names traced values after the variables of the user's frames,
    looking at each frame's variables before each of its lines runs and when it returns."""

    def local(frame, event, arg):
        if event in ("line", "return"):
            _name_locals(rec, frame)
        return local

    def global_(frame, event, arg):
        code = frame.f_code
        if code.co_name.startswith("<") and code.co_name != "<module>":  # comprehensions: loop variables
            return None
        return local if _is_user(code.co_filename) else None

    return global_


def _params(code) -> set[str]:
    n = code.co_argcount + code.co_kwonlyargcount
    n += bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)
    return set(code.co_varnames[:n])


_PARAMS: dict = {}


def _name_locals(rec: _Recording, frame) -> None:
    code = frame.f_code
    params = _PARAMS.get(code)
    if params is None:
        params = _PARAMS[code] = _params(code)
    for var, value in frame.f_locals.items():
        if var in params or var.startswith("__"):
            continue
        if value.__class__ is Traced:
            if value.base is None and value.name is None and value in rec.index:
                value.base = var
        elif value.__class__ in (list, tuple):
            seen = rec.lists.get(id(value), 0)
            if len(value) > seen:
                for k in range(seen, len(value)):
                    t = value[k]
                    if t.__class__ is Traced and t.base is None and t.name is None and t in rec.index:
                        t.base = f"{var}_{k}"
                rec.lists[id(value)] = len(value)


# ---- the program ----------------------------------------------------------------------------------------------

@dataclass
class Recording:
    """What a trace found: the program's text, the comparisons it decided and where the function came from."""

    text: str
    decisions: list[Decision]
    function: str
    outputs: list[str]
    inputs: dict[str, Any]
    merged: list[tuple[str, list[int]]] = field(default_factory=list)  # (text, lines): one node for several

    @property
    def notes(self) -> list[str]:
        """What the command says on standard error besides the decisions: values merged into one node."""
        if not self.merged:
            return []
        shown = ", ".join(f"{_short(t, 40)} ({len(lines)}×)" for t, lines in self.merged[:5])
        more = f" and {len(self.merged) - 5:,} more" if len(self.merged) > 5 else ""
        return [f"{len(self.merged):,} unnamed value{'s' if len(self.merged) > 1 else ''} computed more than once "
                f"{'are' if len(self.merged) > 1 else 'is'} one node each in the program: {shown}{more} (assign "
                "them to variables to keep each; the program's header lists them)"]

    def graph(self, source: str | None = None) -> Graph:
        """The program as a graph (parsed as any program is)."""
        return loads(self.text, source or f"<{self.function}>")


_NAME = re.compile(r"[^\W\d]\w*$")


def record(function: Callable, values: Mapping[str, Any] | None = None, *, label: str | None = None,
           progress: Callable[[int], None] | None = None) -> Recording:
    """Trace ``function`` at ``values`` (its parameters' values by name; the others take their defaults) and
    write the program it computed. ``label`` names the function in the program's header (the command gives
    ``model.py:f``); ``progress`` is told how many nodes are recorded, every 10,000."""
    global _ACTIVE
    values = dict(values or {})
    sig = _signature(function)
    inner = _code_of(function)
    code = inner.__code__
    files = {code.co_filename}  # a notebook cell's or <stdin>'s name too
    rec = _Recording(files)
    rec.progress = progress
    inputs, args = _inputs(function, sig, values)
    if _ACTIVE is not None and _OWNER[0] == threading.get_ident():
        raise TraceError("a trace was started while tracing (graphdiff.trace inside the traced function)")
    with _LOCK:
        _ACTIVE, _OWNER[0] = rec, threading.get_ident()
        modules = [inner.__globals__] + [m.__dict__ for m in list(sys.modules.values())
                                         if getattr(m, "__file__", None) and _is_user(str(m.__file__))
                                         and m.__dict__ is not inner.__globals__]
        made = {}
        for name, v in inputs.items():
            made[name] = _make_input(rec, name, v)
        previous = sys.gettrace()
        try:
            with _Patched(modules, inner) as patched:
                sys.settrace(_namer(rec))
                try:
                    given = {a: made[a] if a in made else patched.swap(v) for a, v in args.items()}
                    positional = [given.pop(a) for a, p in sig.parameters.items() if p.kind is p.POSITIONAL_ONLY]
                    result = function(*positional, **given)
                finally:
                    sys.settrace(previous)
        except TraceError:
            raise
        except SystemExit as e:
            raise TraceError(f"{getattr(function, '__name__', 'the function')} called sys.exit({e.code!r}) while "
                             "traced", *_def_where(inner)) from None
        except Exception as e:  # noqa: BLE001 - the user's code raised: say where, in one line
            raise _raised(e, inner) from None
        finally:
            _ACTIVE = None
    outputs = _outputs(result, function, set(inputs))
    text = _write(rec, outputs, inputs, label or inner.__qualname__)
    return Recording(text, list(rec.decisions.values()), label or inner.__qualname__, [n for n, _ in outputs],
                     inputs, rec.merged)


def _code_of(function: Callable):
    """The Python function whose code runs when ``function`` is called: through decorators (``__wrapped__``,
    ``functools.lru_cache``), ``functools.partial``, bound methods and callable objects."""
    f, seen = function, 0
    while seen < 20:
        seen += 1
        if isinstance(f, functools.partial):
            f = f.func
        elif inspect.ismethod(f):
            f = f.__func__
        elif hasattr(f, "__wrapped__"):
            f = f.__wrapped__
        elif inspect.isfunction(f):
            return f
        elif callable(f) and inspect.isfunction(getattr(type(f), "__call__", None)):
            f = type(f).__call__
        else:
            break
    raise TraceError(f"{function!r} is not a Python function graphdiff can trace (give a function written in Python)")


def _signature(function: Callable) -> inspect.Signature:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):
        raise TraceError(f"{function!r} is not a Python function graphdiff can trace") from None


def _inputs(function, sig: inspect.Signature, values: dict) -> tuple[dict, dict]:
    """The inputs (parameter -> number or list of numbers) and every argument by name."""
    where = _def_where(function)
    unknown = [n for n in values if n not in sig.parameters]
    if unknown:
        raise TraceError(f"{_fname(function)} has no parameter '{unknown[0]}'"
                         f"{suggest(unknown[0], list(sig.parameters))} (its parameters: "
                         f"{', '.join(sig.parameters) or 'none'})", *where)
    inputs, args = {}, {}
    for name, p in sig.parameters.items():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TraceError(f"{_fname(function)}'s parameter '{'*' if p.kind is p.VAR_POSITIONAL else '**'}{name}' "
                             "cannot be an input: name each input as a parameter", *where)
        v = values.get(name, p.default)
        if isinstance(p.default, (list, tuple)) and p.default and _is_number(v):  # --set w=0.5: every element
            v = [v] * len(p.default)
        if p.annotation in (int, "int") and v is not p.empty:  # a count, a size: a plain int, not an input
            if isinstance(v, float) and v.is_integer():  # --set n=10 reads a number
                v = int(v)
            if not isinstance(v, int) or isinstance(v, bool):
                raise TraceError(f"parameter '{name}' of {_fname(function)} is an int, not {v!r}", *where)
            args[name] = v
            continue
        if v is p.empty and name == "self" and next(iter(sig.parameters)) == "self":
            raise TraceError(f"{_fname(function)} is a method: trace it on an instance (model.{_fname(function)}, "
                             "a bound method) or a function that makes one", *where)
        if v is p.empty:
            raise TraceError(f"{_fname(function)}'s parameter '{name}' has no default: give its value "
                             f"(--set {name}=VALUE)", *where)
        if _is_number(v) or isinstance(v, (list, tuple)) and v and all(map(_is_number, v)):
            if not _NAME.match(name):
                raise TraceError(f"parameter '{name}' is not a name graphdiff can use", *where)
            inputs[name] = [float(x) for x in v] if isinstance(v, (list, tuple)) else float(v)
            bad = [x for x in (inputs[name] if isinstance(inputs[name], list) else [inputs[name]])
                   if not math.isfinite(x)]
            if bad:
                raise TraceError(f"parameter '{name}' is {bad[0]!r}: an input's value must be finite", *where)
        elif name in values:
            raise TraceError(f"parameter '{name}' of {_fname(function)} takes {type(p.default).__name__}, not a "
                             f"number: only numbers and lists of numbers are inputs", *where)
        args[name] = v
    if not inputs:
        raise TraceError(f"{_fname(function)} has no numeric parameter to trace: its inputs are its parameters "
                         "with numbers (or lists of numbers) as defaults or values", *where)
    return inputs, args


def _fname(function) -> str:
    return getattr(function, "__name__", None) or type(function).__name__


def _def_where(function) -> tuple:
    try:
        code = _code_of(function).__code__
    except TraceError:
        return ()
    return (code.co_firstlineno, 1, _show(code.co_filename), code.co_filename)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _make_input(rec: _Recording, name: str, v):
    if isinstance(v, list):
        out = []
        for k, x in enumerate(v):
            t = Traced("input", (), x)
            t.name = f"{name}[{k}]"
            rec.nodes.append(t)
            rec.index[t] = len(rec.nodes) - 1
            out.append(t)
        return out
    t = Traced("input", (), v)
    t.name = name
    rec.nodes.append(t)
    rec.index[t] = len(rec.nodes) - 1
    return t


def _raised(e: Exception, function) -> TraceError:
    """The user's code raised: one line at the innermost frame of the user's code."""
    tb = e.__traceback__
    at = None
    while tb is not None:
        if _is_user(tb.tb_frame.f_code.co_filename) or tb.tb_frame.f_code.co_filename in (
                getattr(function.__code__, "co_filename", None),):
            at = tb
        tb = tb.tb_next
    msg = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    if at is None:
        return TraceError(f"{_fname(function)} raised {msg}")
    code = at.tb_frame.f_code
    pos = list(code.co_positions())
    k = at.tb_lasti // 2
    line, _, col, _ = pos[k] if 0 <= k < len(pos) else (at.tb_lineno, None, 0, None)
    return TraceError(f"in {code.co_name}: the function raised {msg}", line or at.tb_lineno, (col or 0) + 1,
                      source=_show(code.co_filename), file=code.co_filename)


def _outputs(result, function, taken: set) -> list[tuple[str, Any]]:
    """(name, value) of each output: a dict's keys, else ``y`` or ``y0``, ``y1`` … (``y_`` where an input is
    ``y``)."""
    where = _def_where(function)
    if isinstance(result, dict):
        out = []
        for k, v in result.items():
            if not isinstance(k, str) or not _NAME.match(k):
                raise TraceError(f"{_fname(function)} returned a dict with the key {k!r}: an output's name must be "
                                 "a name (letters, digits, _)", *where)
            if k in taken and not (v.__class__ is Traced and v.name == k):
                raise TraceError(f"{_fname(function)} returns the output '{k}', which is the name of an input: "
                                 "give the output another key", *where)
            out.append((k, _output_value(v, function, k, where)))
        if not out:
            raise TraceError(f"{_fname(function)} returned an empty dict: no output", *where)
        return out
    if isinstance(result, (tuple, list)):
        if not result:
            raise TraceError(f"{_fname(function)} returned an empty {type(result).__name__}: no output", *where)
        names = [_free(f"y{k}", taken) for k in range(len(result))]
        return [(n, _output_value(v, function, n, where)) for n, v in zip(names, result)]
    if result is None:
        raise TraceError(f"{_fname(function)} returned None: return its result (a number, a tuple or a dict)",
                         *where)
    return [(_free("y", taken), _output_value(result, function, "y", where))]


def _free(name: str, taken: set) -> str:
    """``name``, or ``name_`` … when an input has it."""
    while name in taken:
        name += "_"
    return name


def _output_value(v, function, name: str, where):
    if v.__class__ is Traced:
        return v
    if _is_number(v):
        if not math.isfinite(v):
            raise TraceError(f"output {name} is {v!r}", *where)
        return float(v)
    raise TraceError(f"{_fname(function)} returned {type(v).__name__} as output '{name}': an output is a number "
                     "(a dict of numbers or a tuple of numbers for several)", *where)


def _write(rec: _Recording, outputs: list[tuple[str, Any]], inputs: dict, label: str) -> str:
    """The program: a header, the inputs, one line per named value, the outputs."""
    nodes = rec.nodes
    live = _live(nodes, [v for _, v in outputs if v.__class__ is Traced])
    taken = {t.name for t in nodes if t.op == "input"} | set(inputs)
    lines_out: list[tuple[str, str]] = []  # (name, expression) of the output aliases
    for name, v in outputs:
        if v.__class__ is Traced and v.op != "input" and v.name is None:
            v.name = name
        elif v.__class__ is Traced and v.name == name:  # an input returned under its own name
            pass
        else:
            lines_out.append((name, v.name if v.__class__ is Traced else _num(v)))
        taken.add(name)
    _number_names(rec, live, taken)
    uses: dict[Traced, int] = {}
    for t in nodes:
        if t in live:
            for a in t.args:
                if a.__class__ is Traced:
                    uses[a] = uses.get(a, 0) + 1
    body, texts, first, again = [], {}, {}, {}
    shared = 0
    for t in nodes:
        if t.op == "input" or t not in live:
            continue
        expr = _expr(t, texts, inputs)
        if t.name is None and uses.get(t, 0) > 1 and len(expr) > 60:
            # a long unnamed value used more than once gets a name (s1, s2 …), as --sympy names shared parts:
            # written out at every use, nested reuse would make the text grow exponentially
            shared += 1
            while f"s{shared}" in taken:
                shared += 1
            t.name = f"s{shared}"
            taken.add(t.name)
        if t.name is not None:
            texts[t] = t.name
            body.append((t.name, expr, t.where))
        else:
            texts[t] = expr
            if first.setdefault(expr, t) is not t:  # the parser makes one node of the two
                again.setdefault(expr, [first[expr]]).append(t)
    rec.merged = [(expr, [t.where[1] for t in ts if t.where]) for expr, ts in again.items()]
    out = [f"# graphdiff import {label}: traced at the inputs' values below"]
    if rec.decisions:
        out.append("# decided at this point (the program holds the branches taken):")
        out.extend(f"#   {d.source}:{d.line}:{d.col}: {d.summary}" for d in rec.decisions.values())
    if rec.merged:
        out.append("# computed more than once, one node here (unnamed values with the same text are one node; "
                   "assign them to variables to keep each):")
        out.extend(f"#   {_short(expr)} ({len(lines)} times, line{'s' if len(set(lines)) > 1 else ''} "
                   f"{', '.join(map(str, sorted(set(lines))))})" for expr, lines in rec.merged[:20])
        if len(rec.merged) > 20:
            out.append(f"#   … and {len(rec.merged) - 20:,} more")
    out.append("input " + ", ".join(_decl(n, v) for n, v in inputs.items()))
    for name, expr, where in body:
        out.append(f"{name} = {expr}" + (f"  # line {where[1]}" if where and where[0] in rec.files else
                                          f"  # {_show(where[0])}:{where[1]}" if where else ""))
    for name, expr in lines_out:
        out.append(f"{name} = {expr}")
    out.append("output " + ", ".join(n for n, _ in outputs))
    return "\n".join(out) + "\n"


def _short(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _live(nodes: list[Traced], ends: list[Traced]) -> set:
    """The nodes an output depends on (the others are left out of the program, as dead code)."""
    live = set(ends)
    for t in reversed(nodes):
        if t in live:
            live.update(a for a in t.args if a.__class__ is Traced)
    return live


def _number_names(rec: _Recording, live: set, taken: set) -> None:
    """Each named value's final name: its variable's, numbered when the variable took several values; unique."""
    counts: dict[str, int] = {}
    for t in rec.nodes:  # every value the variable took, an output's too (so the numbers follow the code)
        if t in live and t.base is not None and t.op != "input":
            counts[t.base] = counts.get(t.base, 0) + 1
    seen: dict[str, int] = {}
    for t in rec.nodes:
        if t not in live or t.base is None or t.op == "input":
            continue
        seen[t.base] = seen.get(t.base, 0) + 1
        if t.name is not None:
            continue
        name = t.base if counts[t.base] == 1 else f"{t.base}_{seen[t.base]}"
        while name in taken:
            name += "_"
        taken.add(name)
        t.name = name


def _expr(t: Traced, texts: dict, inputs: dict) -> str:
    """The expression of ``t``: its operands by name, or nested (in parentheses where an operator needs them)."""
    p = PRIMITIVES[t.op]
    if t.op in ("neg", "add", "sub", "mul", "div", "pow"):
        ops = [_text(a, texts, True) for a in t.args]
        return f"-{ops[0]}" if t.op == "neg" else f"{ops[0]} {p.infix} {ops[1]}"
    vector = _whole_vector(t.args, inputs)
    return f"{p.call}({vector if vector else ', '.join(_text(a, texts, False) for a in t.args)})"


def _text(a, texts: dict, infix: bool) -> str:
    if a.__class__ is not Traced:
        return _operand_num(a) if infix else _num(a)
    if a.name is not None:
        return a.name
    text = texts[a]
    return f"({text})" if infix and not _atomic(text) else text


def _whole_vector(args: tuple, inputs: dict) -> str | None:
    if not args or any(a.__class__ is not Traced or a.op != "input" for a in args):
        return None
    base = args[0].name.split("[")[0]
    vec = inputs.get(base)
    if not isinstance(vec, list) or len(vec) != len(args):
        return None
    return base if all(a.name == f"{base}[{k}]" for k, a in enumerate(args)) else None


def _atomic(expr: str) -> bool:
    return bool(re.fullmatch(r"[^\W\d]\w*(\[\d+\])?|[^\W\d]\w*\(.*\)|\d[\w.+]*", expr)) and _balanced_call(expr)


def _balanced_call(expr: str) -> bool:
    """``f(a) + g(b)`` matches the call pattern but is not one call: the first parenthesis must close last."""
    if "(" not in expr or not expr.endswith(")") or expr[0] == "(":
        return True
    depth = 0
    for k, c in enumerate(expr):
        depth += c == "("
        depth -= c == ")"
        if depth == 0 and c == ")":
            return k == len(expr) - 1
    return False


def _num(v: float) -> str:
    if not math.isfinite(v):
        raise TraceError(f"the constant {v!r} cannot be written in a program")
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _operand_num(v: float) -> str:
    s = _num(v)
    return f"({s})" if s.startswith("-") else s


def _decl(name: str, v) -> str:
    if isinstance(v, list):
        if len(set(v)) == 1:
            return f"{name}[{len(v)}] = {_num(v[0])}"
        return f"{name}[{len(v)}] = [{', '.join(_num(x) for x in v)}]"
    return f"{name} = {_num(v)}"


# ---- files and the library --------------------------------------------------------------------------------------

def load_function(spec: str) -> tuple[Callable, str]:
    """``FILE.py:FUNCTION`` -> the function (the file run as a module, its folder first on ``sys.path``) and its
    label. Without ``:FUNCTION``, the file's only function."""
    path, sep, name = spec.rpartition(":") if ":" in spec and not re.match(r"^[A-Za-z]:[\\/]", spec) or \
        spec.count(":") > 1 else (spec, "", "")
    if not sep:
        path, name = spec, ""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{path}: no such file (graphdiff import FILE.py:FUNCTION)")
    module = _run_module(file)
    if not name:
        functions = [n for n, v in vars(module).items() if inspect.isfunction(v) and
                     getattr(v, "__module__", None) == module.__name__ and not n.startswith("_")]
        if len(functions) != 1:
            listed = ", ".join(functions[:10]) or "none"
            raise InputError(f"{path}: name the function to trace, as {path}:FUNCTION (functions in it: {listed})")
        name = functions[0]
    target: Any = module
    for part in name.split("."):
        if not hasattr(target, part):
            known = [n for n in vars(target) if not n.startswith("_")] if hasattr(target, "__dict__") else []
            raise InputError(f"{path}: no function '{name}'{suggest(part, known)}")
        target = getattr(target, part)
    if not callable(target):
        raise InputError(f"{path}: '{name}' is a {type(target).__name__}, not a function")
    return target, f"{path}:{name}"


def _run_module(file: Path):
    folder = str(file.resolve().parent)
    name = "_graphdiff_import_" + re.sub(r"\W", "_", file.stem)
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise InputError(f"{file}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        raise InputError(f"syntax error: {e.msg}", e.lineno, e.offset, source=str(file)).locate(
            str(file), _read(file)) from None
    except Exception as e:  # noqa: BLE001 - the module raised while it was run
        tb, at = e.__traceback__, None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == str(file.resolve()) or tb.tb_frame.f_code.co_filename == str(file):
                at = tb
            tb = tb.tb_next
        msg = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        raise InputError(f"running {file.name} raised {msg}", at.tb_lineno if at else None, 1 if at else None,
                         source=str(file)).locate(str(file), _read(file)) from None
    return module


def _read(file: Path) -> str | None:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def import_file(spec: str, values: Mapping[str, Any] | None = None,
                progress: Callable[[int], None] | None = None) -> Recording:
    """``graphdiff import FILE.py:FUNCTION``: the function traced at ``values``."""
    function, label = load_function(spec)
    return record(function, values, label=label, progress=progress)


def trace(function: Callable, /, **values) -> Graph:
    """The graph of what ``function`` computes at ``values`` (its parameters by name; the others take their
    defaults). A comparison decided at the point is a warning (:class:`TraceWarning`); the program's text is
    ``graph.text``.

    >>> import math
    >>> def f(a, b=1.0):
    ...     c = a + b
    ...     d = b + 1
    ...     return c * d
    >>> g = trace(f, a=2)
    >>> print(g.text, end="")
    # graphdiff import f: traced at the inputs' values below
    input a = 2, b = 1
    c = a + b  # line 2
    d = b + 1  # line 3
    y = c * d  # line 4
    output y
    """
    r = record(function, values)
    if r.decisions:
        import warnings

        for d in r.decisions:
            warnings.warn_explicit(d.message, TraceWarning, d.source, d.line)
    return r.graph()


class TraceWarning(UserWarning):
    """A comparison of traced values was decided at the traced point (the graph holds the branch taken)."""
