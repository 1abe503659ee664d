"""Text → statements, with the Lark grammar in ``grammars/graphdiff.lark``.

The transformer runs *while* LALR parses (``transformer=`` on the Lark object), so no parse tree is kept and
deeply nested input never recurses. Expressions are lowered on the way: constants are folded into the
operation that uses them, ``a + b + c`` becomes one n-ary sum, and every nested operation becomes an
anonymous node named by its text (identical ones are shared). Names are resolved later, in ``graph.py``,
because statements may come in any order.
"""
from __future__ import annotations

import difflib
import hashlib
import math
import operator
import os
import threading
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.grammar import Rule
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from ..base.errors import GraphdiffError, NameError_, ParseError
from ..base.notation import fmt_num, is_atom
from ..primitives import FUNCTIONS, PRIMITIVES
from .statements import Definition, Num, Program, Ref, header  # noqa: F401 - header: where it was before

_PACKAGE = Path(__file__).resolve().parent.parent
#: The grammar file: inside the installed package, or at the top of a source checkout.
GRAMMAR = next((p for p in (_PACKAGE / "grammars" / "graphdiff.lark", _PACKAGE.parent / "grammars" / "graphdiff.lark")
                if p.is_file()), _PACKAGE.parent / "grammars" / "graphdiff.lark")
#: Anonymous node names longer than this are shortened (and numbered, to stay unique).
MAX_NAME = 80
#: The blanks every terminal of the grammar takes after it (stripped from names and numbers).
BLANKS = " \t\f\r\ufeff"
#: The largest vector input: 10^8 scalar nodes already take several GB.
MAX_VECTOR = 100_000_000


def _src(x) -> str:
    """A constant as it was written (a folded one as graphdiff prints its expression)."""
    s = getattr(x, "src", None)
    return s.rstrip(BLANKS) if s is not None else fmt_num(x)


def _shown(text: str, limit: int = 24) -> str:
    """Text as written, shortened for a message: its start and its length."""
    return text if len(text) <= limit else f"{text[:limit - 4]}… ({len(text):,} characters)"


_ref = Ref._make


def _stored(args: list) -> list:
    """Operands as a Definition keeps them: a node by its name alone (its position is in Program.uses, and a
    string costs nothing more: names are shared), an element such as x[3] as its Ref, constants as floats."""
    return [a[0] if a.__class__ is Ref and a[4] is None else a for a in args]


class Pending:
    """An operation not yet made into a node (so that ``a + b + c`` can still grow into one sum)."""

    __slots__ = ("op", "args", "line", "col", "paren", "call")

    def __init__(self, op: str, args: list, line: int, col: int, call: bool = False):
        self.op, self.args, self.line, self.col, self.call = op, args, line, col, call
        self.paren = False


def _short_name(text: str, digits: int = 8) -> str:
    """The name of an anonymous node whose text is longer than :data:`MAX_NAME`: its start and a digest of the
    whole text, so that it depends on the text alone (not on what came before it in the file)."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()[:digits]
    return f"{text[:MAX_NAME - 2 - digits]}…#{digest}"


def _number_text(x: float) -> str:
    """A constant as an expression shows it: the number, or for one out of range (a constant fault's IEEE
    result, such as 1 / 0) the text it was computed from."""
    return fmt_num(x) if math.isfinite(x) else f"({_src(x)})"


def _text(x) -> str:
    """An operand inside an infix expression: parenthesised unless it prints as one unit."""
    if isinstance(x, float):
        s = _number_text(x)
        return f"({s})" if x < 0 and math.isfinite(x) else s
    return x.text()


def _call_text(fname: str, args: list) -> str:
    return f"{fname}({', '.join(_number_text(a) if isinstance(a, float) else a.name for a in args)})"


class _Lower(Transformer):
    """Callbacks named after the grammar's rules and aliases; they build a :class:`Program`."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)
        self.reset()

    def reset(self) -> None:
        self.p = Program()
        self.uses = self.p.uses
        self.anon: dict[tuple, str] = {}
        self.strings: dict[str, str] = {}

    def _name(self, name: str) -> str:
        """The one string object of a name (so a million uses of names cost no million strings)."""
        return self.strings.setdefault(name, name)

    # -- helpers ----------------------------------------------------------------------------------------
    def _pos(self, x) -> tuple[int, int]:
        return getattr(x, "line", 1), getattr(x, "col", 1)

    def _use(self, ref: Ref) -> Ref:
        self.p.uses.setdefault(ref.name if ref.base is None else ref.base, ref)
        return ref

    def _fold(self, op: str, args: list, line: int, col: int, call: str | None = None) -> float:
        """Compute a constant subexpression. A fault there (``1 / 0``, ``log(-1.5)``, an overflow) is kept
        with its position in ``Program.faults`` and the IEEE result stands in: evaluation reports it as it
        reports every other fault (an error, or a warning with ``--ieee``)."""
        prim = PRIMITIVES[op]
        texts = [_src(a) if call or prim.atomic or not (" " in _src(a) or _src(a)[:1] == "-") else f"({_src(a)})"
                 for a in args]
        try:
            v = prim.value(args)
            what = None if math.isfinite(v) or not all(map(math.isfinite, args)) else "overflow"
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            v, what = prim.ieee(args, exc), prim.fault(texts, exc)
        src = f"{call}({', '.join(texts)})" if call else prim.text(texts)
        if what is not None:
            self.p.faults.append((f"{what}: the constant expression {src} = {fmt_num(v)}", line, col))
        return Num(v).at(line, col, src)

    def _make(self, x):
        """Turn an operand into a float or a Ref, creating the anonymous node for an operation."""
        return self._anon(x) if x.__class__ is Pending else x

    def _anon(self, x: "Pending") -> Ref:
        """The anonymous node of a pending operation (shared with an identical one), as a Ref. A pending
        operation always has an operand that is not a constant: those fold at once."""
        args = x.args
        key = (x.op, *[a[0] if a.__class__ is Ref else a for a in args])
        name = self.anon.get(key)
        if name is None:
            if x.call:
                text = _call_text(x.call, args)
            else:
                text = PRIMITIVES[x.op].text([(a[0] if a[3] else f"({a[0]})") if a.__class__ is Ref else _text(a)
                                              for a in args])
            name = text
            if len(text) > MAX_NAME:
                name = _short_name(text)
                prev = self.p.definitions.get(name)
                if prev is not None and prev.text != text:  # two texts with one digest: take more digits
                    name = _short_name(text, 16)
            self.anon[key] = name
            self.p.definitions[name] = Definition(name, x.op, _stored(args), x.line, x.col, text, "anon")
        return Ref(name, x.line, x.col, is_atom(name))  # once per anonymous node: the one rule

    def _binary(self, op: str, c: list, flatten: bool = False):
        left, right = c
        lc, rc = left.__class__, right.__class__
        if lc is Ref:
            if rc is Ref:  # the common case, a = b + c
                return Pending(op, c, left[1], left[2])
            return Pending(op, [left, self._anon(right) if rc is Pending else right], left[1], left[2])
        if lc is Pending:
            if flatten and left.op == op and not left.paren and not left.call:
                left.args.append(self._anon(right) if rc is Pending else right)
                return left
            return Pending(op, [self._anon(left), self._anon(right) if rc is Pending else right], left.line, left.col)
        if rc is not Pending and rc is not Ref:  # two constants
            return self._fold(op, [left, right], left.line, left.col)
        return Pending(op, [left, self._anon(right) if rc is Pending else right], left.line, left.col)

    # -- expressions ------------------------------------------------------------------------------------
    def number(self, c):
        t = c[0]
        text = t.value  # with the blanks after it, which float() ignores
        try:
            v = Num(text)
        except ValueError:  # a blank float() does not know (a byte order mark)
            v = Num(text.rstrip(BLANKS))
        if v - v != 0:  # inf or nan: not finite
            raise ParseError(f"number {_shown(text.rstrip(BLANKS))} is too large for a float", t.line, t.column)
        v.line, v.col, v.src = t.line, t.column, text
        return v

    def var(self, c):
        t = c[0]
        name = self._name(t.value.rstrip(BLANKS))
        ref = _ref((name, t.line, t.column, True, None, None))
        if name not in self.uses:
            self.uses[name] = ref
        return ref

    def item(self, c):
        t, i = c
        name, iv = t.value.rstrip(BLANKS), i.value.rstrip(BLANKS)
        if not iv.isdigit():
            raise ParseError(f"an index must be a whole number, not {iv}", i.line, i.column)
        return self._use(Ref(f"{name}[{int(iv)}]", t.line, t.column, base=name, index=int(iv)))

    def add(self, c):
        return self._binary("add", c, flatten=True)

    def sub(self, c):
        return self._binary("sub", c)

    def mul(self, c):
        return self._binary("mul", c, flatten=True)

    def div(self, c):
        return self._binary("div", c)

    def pow(self, c):
        return self._binary("pow", c)

    def neg(self, c):
        x = c[0]
        if isinstance(x, float):
            return Num(-x).at(*self._pos(x), f"-{_src(x)}")
        return Pending("neg", [self._make(x)], x.line, x.col)

    def paren(self, c):
        x = c[0]
        if isinstance(x, Pending):
            x.paren = True
        return x

    def call(self, c):
        tok, args = c[0], c[1:]
        fname = tok.value.rstrip(BLANKS)
        key = FUNCTIONS.get(fname)
        if key is None:
            guess = difflib.get_close_matches(fname, list(FUNCTIONS), n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else f"; known functions: {', '.join(sorted(FUNCTIONS))}"
            raise NameError_(f"unknown function '{fname}'{hint}", tok.line, tok.column)
        prim = PRIMITIVES[key]
        if prim.arity is not None and len(args) != prim.arity:
            raise NameError_(f"{fname}() takes {prim.arity} argument{'s' * (prim.arity != 1)}, "
                             f"got {len(args)}", tok.line, tok.column)
        if prim.arity is None and not args:
            raise NameError_(f"{fname}() needs at least one argument", tok.line, tok.column)
        made = [self._anon(a) if a.__class__ is Pending else a for a in args]
        if not any(a.__class__ is Ref for a in made):  # constants only (a whole vector is a Ref): fold
            return self._fold(key, made, tok.line, tok.column, fname)
        return Pending(key, made, tok.line, tok.column, call=fname)

    # -- statements -------------------------------------------------------------------------------------
    def _define(self, d: Definition, tok: Token) -> None:
        prev = self.p.definitions.get(d.name)
        if prev is not None:
            what = "declared as an input" if prev.kind == "input" else "assigned"
            raise NameError_(f"'{d.name}' is {what} already on line {prev.line}; each name is assigned once",
                             tok.line, tok.column)
        self.p.definitions[d.name] = d

    def assign(self, c):
        tok, x = c
        name, line, col = self._name(tok.value.rstrip(BLANKS)), tok.line, tok.column
        if x.__class__ is Pending:
            args = x.args
            if x.call:
                text = _call_text(x.call, args)
            else:
                text = PRIMITIVES[x.op].text([a.name if a.__class__ is Ref and a.atomic else _text(a) for a in args])
            d = Definition(name, x.op, _stored(args), line, col, text, "named")
        elif isinstance(x, float):
            d = Definition(name, "const", [x], line, col, fmt_num(x), "const")
        else:
            d = Definition(name, "id", _stored([x]), line, col, x.name, "named")
        defs = self.p.definitions
        if name in defs:
            self._define(d, tok)  # raises: assigned twice
        defs[name] = d

    def negative(self, c):
        return -self.number(c)

    def decl_item(self, c):
        return c  # [NAME, NUMBER token (size or index)?, default value (a list: one per element)?]

    def defaults(self, c):
        return list(c)

    def decl(self, c):
        kw = c[0].value.rstrip(BLANKS)
        if kw == "input":
            for item in c[1:]:
                self._input(item)
        elif kw == "output":
            self.p.outputs.extend(self._output(item) for item in c[1:])
        else:
            tok = c[0]
            raise ParseError(f"unknown statement '{kw}': a line is 'name = expression', 'input name' or "
                             "'output name'", tok.line, tok.column)

    def _input(self, item: list) -> None:
        tok = item[0]
        size = default = None
        for x in item[1:]:
            if isinstance(x, (float, list)):
                default = x
                continue
            n = x.value.rstrip(BLANKS)
            digits = n.lstrip("0")
            if not n.isdigit() or not digits:
                raise ParseError(f"a vector size must be a positive whole number, not {n[:20]}", x.line, x.column)
            if len(digits) > 12 or int(digits) > MAX_VECTOR:
                shown = f"{int(digits):,}" if len(digits) <= 20 else f"{digits[:20]}… ({len(digits):,} digits)"
                raise ParseError(f"a vector of {shown} elements is more than graphdiff holds "
                                 f"(at most {MAX_VECTOR:,})", x.line, x.column)
            size = int(n)
        name = tok.value.rstrip(BLANKS)
        if isinstance(default, list) and size is None:
            raise ParseError(f"a list of defaults is for a vector input: write 'input {name} = {fmt_num(default[0])}', "
                             f"or 'input {name}[{len(default)}] = [...]'", tok.line, tok.column)
        if isinstance(default, list) and len(default) != size:
            raise ParseError(f"{len(default):,} default values for the vector {name}[{size}]: give {size:,}, or "
                             f"one for every element ('input {name}[{size}] = 0.5')", tok.line, tok.column)
        self._define(Definition(name, "input", [], tok.line, tok.column, "input", "input", default, size), tok)

    def _output(self, item: list) -> Ref:
        """An output names a node; naming it is not a use, so a misspelt output does not become an input."""
        tok = item[0]
        name = tok.value.rstrip(BLANKS)
        if isinstance(item[-1], float):
            raise ParseError(f"an output takes no value: write 'output {name}'", tok.line, tok.column)
        if len(item) == 1:
            return Ref(name, tok.line, tok.column)
        i = item[1]
        iv = i.value.rstrip(BLANKS)
        if not iv.isdigit():
            raise ParseError(f"an index must be a whole number, not {iv}", i.line, i.column)
        return Ref(f"{name}[{int(iv)}]", tok.line, tok.column, base=name, index=int(iv))

    def start(self, c):
        return self.p


_lock = threading.Lock()
_lower = _Lower()
_parser: Lark | None = None


def _plugins() -> dict:
    """The lark-cython plugin when it is installed (``pip install 'graphdiff[fast]'``): the same grammar and
    parse tables, a lexer and parser loop in C, about 1.3× the lines per second. ``GRAPHDIFF_PURE=1`` turns
    it off."""
    if os.environ.get("GRAPHDIFF_PURE"):
        return {}
    try:
        import lark_cython
    except ImportError:
        return {}
    return {"_plugins": lark_cython.plugins}


def _get_parser() -> Lark:
    global _parser
    if _parser is None:
        _parser = Lark.open(str(GRAMMAR), parser="lalr", lexer="basic", transformer=_lower, cache=True,
                            **_plugins())
        if not os.environ.get("GRAPHDIFF_PURE"):
            _lean_callbacks(_parser)
    return _parser


class _IdentityRule(Rule):
    """A grammar rule hashed and compared by identity: the parser looks up each reduction's callback in a
    dict keyed by rule, and Rule's own ``__hash__``/``__eq__`` are Python functions called on every
    reduction (about a tenth of the parse)."""

    __slots__ = ()
    __hash__ = object.__hash__
    __eq__ = object.__eq__  # C slots: the parser also tests 'rule != end_state' on every reduction
    __ne__ = object.__ne__


def _lean_callbacks(parser: Lark) -> None:
    """Make the per-reduction work of Lark's LALR loop cheaper, without changing what it computes:

    * the callbacks are keyed by the parse table's own rule objects, hashed by identity;
    * a rule with one symbol that only passes its child up (``?expr: product``, most reductions in a file)
      gets ``operator.itemgetter(0)``, which runs in C, instead of Lark's Python wrapper;
    * statements (``_stmt`` and the list of them under ``start``) build nothing: the transformer collects the
      program as it goes, so their values are never read.

    Relies on Lark internals (``parser._callbacks``, the parse table's ``Reduce`` actions); when they do not
    look as expected it changes nothing, and the tests prove that both ways build the same program."""
    try:
        from lark.parse_tree_builder import ExpandSingleChild
        from lark.parsers.lalr_analysis import Reduce

        callbacks = parser._callbacks
        states = parser.parser.parser._parse_table.states
        rules = {id(arg): arg for actions in states.values() for action, arg in actions.values()
                 if action is Reduce}
        if not callbacks or any(type(r) is not Rule or r not in callbacks for r in rules.values()):
            return
    except (AttributeError, ImportError, TypeError):  # pragma: no cover - another Lark version
        return
    first = operator.itemgetter(0)
    lean = []
    for rule in rules.values():
        f = callbacks[rule]
        name = rule.origin.name
        if name in ("_stmt", "__start_star_0"):
            f = len  # any cheap C function of one list
        elif name == "start":
            f = _start
        elif isinstance(f, ExpandSingleChild) and len(rule.expansion) == 1:
            f = first
        lean.append((rule, f))
    for rule in rules.values():
        rule.__class__ = _IdentityRule  # before the rules go back into the dict: their hash changes
    kept = {k: v for k, v in callbacks.items() if isinstance(k, str)}  # lexer callbacks, by terminal name
    callbacks.clear()  # the same dict object the parser holds
    callbacks.update(lean)
    callbacks.update(kept)


def _start(children) -> Program:
    return _lower.p


_TERMINALS = {"NAME": "a name", "NUMBER": "a number", "_SEP": "end of statement", "$END": "end of input",
              "_LPAR": "'('", "_RPAR": "')'", "_LSQB": "'['", "_RSQB": "']'", "_EQ": "'='", "_COMMA": "','",
              "_PLUS": "'+'", "_MINUS": "'-'", "_STAR": "'*'", "_SLASH": "'/'", "_POW": "'^'"}


def _describe(tok: Token) -> str:
    if tok.type == "$END":
        return "end of input"
    text = str(tok)
    if tok.type == "_SEP":
        return "end of line" if text[:1] == "\n" else "';'"
    return f"'{text.rstrip(BLANKS)}'"


def _parse_error(e: UnexpectedInput, text: str) -> ParseError:
    if isinstance(e, UnexpectedCharacters):
        ch = text[e.pos_in_stream] if 0 <= e.pos_in_stream < len(text) else e.char
        return ParseError(f"unexpected character {ch!r}", e.line, e.column)
    if isinstance(e, UnexpectedToken):
        tok = e.token
        expected = sorted({_TERMINALS.get(t, t.lower()) for t in e.expected})
        msg = f"unexpected {_describe(tok)}"
        if expected and len(expected) <= 6:
            msg += f"; expected {' or '.join(expected)}"
        line, col = (tok.line, tok.column) if getattr(tok, "line", None) and tok.line > 0 else _end(text)
        if tok.type == "$END":
            line, col = _end(text)
        return ParseError(msg, line, col)
    if isinstance(e, UnexpectedEOF):
        line, col = _end(text)
        return ParseError("unexpected end of input", line, col)
    return ParseError(str(e).splitlines()[0], getattr(e, "line", 1), getattr(e, "column", 1))


def _end(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


def parse(text: str) -> Program:
    """Parse program text into a :class:`Program`; raises :class:`ParseError` and friends with positions."""
    with _lock:
        _lower.reset()
        try:
            return _get_parser().parse(text)
        except UnexpectedInput as e:
            raise _parse_error(e, text) from None
        except VisitError as e:  # pragma: no cover - lark wraps callback errors in some modes
            if isinstance(e.orig_exc, GraphdiffError):
                raise e.orig_exc from None
            raise
        finally:
            _lower.reset()
