"""Derivative programs: forward and reverse mode written out as graphdiff programs.

:func:`derive` turns a graph into the text of a program that computes the original values and derivatives:

* ``tangent`` (forward mode): one sweep per input ``i`` in ``wrt``; node ``v`` gets ``dv_di = Σ ∂v/∂u · du_di``
  over its operands ``u``, in topological order;
* ``adjoint`` (reverse mode): one sweep per output ``o`` in ``of``; node ``v`` gets ``do_dv = Σ do_dk · ∂k/∂v``
  over its users ``k``, in reverse topological order.

Every ``∂k/∂v`` is the formula text of the primitive's row in :mod:`graphdiff.ops` (the text the edges table
shows), written over the operands' names in the derived program, so the program says exactly what the sweeps
compute. The program is ordinary graphdiff input: it parses with the same grammar, and every command takes it
(``graphdiff derive f.gd --mode adjoint --of e | graphdiff eval -``), including ``derive`` itself, whose names
compose: the tangent of ``dloss_dw1`` with respect to ``w1`` is ``ddloss_dw1_dw1``.

What keeps it small (the cheap gradient principle, measured in ``bench/derive.py``):

* only the nodes on a path between a selected input and a selected output get a derivative (no dead nodes);
* a derivative that is a single operand (``de_dc = d`` when ``e = c * d``) or a seed (``1``) is not a node of
  its own: its users read the operand; a structural zero (the partial ``0`` of ``step`` and ``sign``) adds no
  term;
* a partial that is an expression (``y * sigmoid(-z)``) is an anonymous node, shared by every sweep that uses
  it, as the parser shares identical subexpressions.

Names: ``∂o/∂i`` is ``d<o>_d<i>`` (``x[3]`` written ``x_3``); a derivative of an anonymous node is
``d<o>_d_<k>`` with its meaning in a trailing comment; a name already taken gets ``_2``, ``_3`` … . The header
comment maps every derivative the program outputs to what it is, and records the original's size
(``# derived-from: …``), which ``info`` and ``cost`` read back.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ..base.errors import Diagnostic, GraphdiffError, InputError, MissingInputError
from ..sweeps.evaluate import bind
from ..sweeps.faults import linearize_for_derivatives
from ..language.graph import Graph, select
from ..base.notation import fmt_num, is_atom, partial
from ..codegen.formula import fill, hoist, operand, partial_texts, rule, show
from ..primitives import PRIMITIVES
from ..sweeps.accumulate import accumulate, side
from ..sweeps.reach import ancestors, descendants, sweep_counts
from .shape import size

MODES = ("tangent", "adjoint")
#: Products with more operands than this are differentiated through prefix and suffix products (linear
#: size), as :func:`graphdiff.ops._products_of_others` computes them, not with one product per operand.
MANY = 5
#: Beyond this many derivatives the header maps several to a line.
PACK = 100
_TOKEN = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|\w+|\*\*|\S")
_OPERATORS = {"+", "-", "*", "/", "^", "**"}
_OPERATOR_CHAR = re.compile(r"[-+*/^]")
_NOT_WORD = re.compile(r"\W")


# ---- texts --------------------------------------------------------------------------------------------------

def _top_level(text: str) -> list[tuple[str, bool]]:
    """The tokens of ``text`` with whether each stands outside every bracket."""
    out, depth = [], 0
    for m in _TOKEN.finditer(text):
        t = m.group()
        if t in ")]":
            depth -= 1
        out.append((t, depth == 0))
        if t in "([":
            depth += 1
    return out


def _has_sum(text: str) -> bool:
    """Whether ``text`` has a + or - between terms at its top level (a leading sign is not one)."""
    if "+" not in text and "-" not in text:
        return False
    prev = None
    for t, top in _top_level(text):
        if top and t in "+-" and prev is not None and prev not in _OPERATORS and prev != "(":
            return True
        if top:
            prev = t
    return False


def _wrap(text: str) -> str:
    return text if is_atom(text) else f"({text})"


def _sign(text: str) -> tuple[bool, str]:
    """``(negative, magnitude)``: ``-y / b`` is ``(True, "y / b")``; ``-a + b`` keeps its sign inside."""
    if text[:1] == "-" and not _has_sum(text[1:]):
        return True, text[1:].lstrip()
    return False, text


def number(x: float) -> str:
    """A constant as program text that reads back as the same double (an IEEE result as the fault it is)."""
    if math.isnan(x):
        return "(0 / 0)"
    if math.isinf(x):
        return "(1 / 0)" if x > 0 else "(-1 / 0)"
    s = fmt_num(x)
    return f"({s})" if x < 0 or s.startswith("-") else s


def identifier(name: str) -> str:
    """A node name as it stands inside a derivative's name: ``x[3]`` as ``x_3``."""
    if name.isidentifier():
        return name
    return _NOT_WORD.sub("_", name.replace("[", "_").replace("]", ""))


# ---- the result ---------------------------------------------------------------------------------------------

@dataclass
class Derived:
    """A derivative program: its ``text`` and what its outputs are.

    ``derivatives`` maps each derivative the program outputs to ``(of, wrt)``, the original nodes' names;
    ``outputs`` lists every output of the program (the original outputs first); ``original`` is the original
    graph's size (nodes, edges, operations)."""

    text: str
    mode: str
    source: str
    derivatives: dict[str, tuple[str, str]]
    outputs: list[str]
    original: dict[str, int]
    statements: int = 0
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "source": self.source, "program": self.text, "outputs": self.outputs,
                "derivatives": {k: {"of": o, "wrt": i} for k, (o, i) in self.derivatives.items()},
                "original": self.original, "statements": self.statements}


# ---- building the text --------------------------------------------------------------------------------------

class _Writer:
    """The derived program under construction: names in use, references to nodes, statements."""

    def __init__(self, g: Graph):
        self.g = g
        self.used = set(g.names) | {n for n in g.vectors}
        self.lines: list[str] = []
        self.ref: list[str] = [""] * len(g)
        self.tag: dict[int, str] = {}
        anon = 0
        for i in range(len(g)):
            name = g.names[i]
            if g.kinds[i] != "anon":
                self.ref[i] = name
            elif "…#" in name:  # a shortened name cannot be read back: the node gets a name of its own
                self.ref[i] = self.fresh(f"_n{i}")
            else:
                self.ref[i] = name if self._atomic_node(i) else f"({name})"
            if g.kinds[i] == "anon":
                anon += 1
                self.tag[i] = f"_{anon}"

    def _atomic_node(self, i: int) -> bool:
        g = self.g
        return PRIMITIVES[g.ops[i]].atomic or is_atom(g.names[i])

    def fresh(self, name: str) -> str:
        base, k = name, 1
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name

    def operand_texts(self, i: int) -> list[str]:
        wrapped = self.wrapped
        return [number(a) if a.__class__ is not int else wrapped[a] for a in self.g.args[i]]

    @cached_property
    def wrapped(self) -> list[str]:
        """Every node's reference as it stands inside a larger expression."""
        return [_wrap(r) for r in self.ref]

    def expression(self, i: int) -> str:
        g = self.g
        if g.ops[i] == "const":
            return number(g.args[i][0])
        return PRIMITIVES[g.ops[i]].text(self.operand_texts(i))

    def short(self, i: int) -> str:
        """Node ``i`` inside a derivative's name."""
        g = self.g
        return identifier(g.names[i]) if g.kinds[i] != "anon" else self.tag[i]

    def partials(self, k: int) -> list[str]:
        """The formula texts of ∂k/∂(operand j), one per operand, over the derived program's names: the row's
        texts (:mod:`graphdiff.codegen.formula`), with what many operands share written once as a statement."""
        g = self.g
        p = PRIMITIVES[g.ops[k]]
        operands = [a if a.__class__ is not int else self.ref[a] for a in g.args[k]]
        r = rule(p, len(operands))
        if len(operands) > MANY and r.kind == "scan":
            return self._products_of_others(k, self.operand_texts(k))
        if len(operands) > MANY and r.kind == "uniform":
            return self._shared(k, r.exprs[0], operands)
        return partial_texts(p, operands, self.ref[k])

    def _shared(self, k: int, e, operands: list) -> list[str]:
        """An n-ary row's partial for many operands: each part that does not depend on the operand (the count
        of tied operands of max) written once, as a statement, and the rest once per operand."""
        top, shared = hoist(e)
        env: dict = {"y": operand(self.ref[k]), "n": ("#", float(len(operands))),
                     "xs": [operand(o) for o in operands]}
        for part, name in shared.items():
            text = show(fill(part, env))
            env[name] = ("@", text if is_atom(text) else self.statement(self.fresh(f"_{name}_{k}"), text))
        return [show(fill(top, {**env, "x": operand(o)})) for o in operands]

    def _products_of_others(self, k: int, texts: list[str]) -> list[str]:
        """∂(x0·…·xn)/∂xj = (x0·…·x(j-1))·(x(j+1)·…·xn), from prefix and suffix products written once each."""
        n = len(texts)
        pre, suf = ["1"] * n, ["1"] * n
        base = identifier(self.ref[k]) if self.g.kinds[k] != "anon" else f"_{k}"
        for j in range(1, n):
            pre[j] = texts[0] if j == 1 else self.statement(self.fresh(f"_pre{base}_{j}"), f"{pre[j - 1]} * {texts[j - 1]}")
        for j in range(n - 2, -1, -1):
            suf[j] = texts[n - 1] if j == n - 2 else self.statement(self.fresh(f"_suf{base}_{j}"), f"{suf[j + 1]} * {texts[j + 1]}")
        return [pre[j] if suf[j] == "1" else suf[j] if pre[j] == "1" else f"{pre[j]} * {suf[j]}" for j in range(n)]

    def statement(self, name: str, expr: str, comment: str = "") -> str:
        self.lines.append(f"{name} = {expr}" + (f"  # {comment}" if comment else ""))
        return name


def _sum(terms: list[tuple[bool, str]]) -> str:
    """The text of a sum of signed terms (``a + b - c``), ``0`` when there are none."""
    if not terms:
        return "0"
    terms = sorted(terms, key=lambda t: t[0])  # positive terms first: a - b rather than -b + a
    out = ""
    for neg, body in terms:
        body = f"({body})" if _has_sum(body) else body
        out += (" - " if neg else " + ") + body if out else ("-" if neg else "") + body
    return out


def _term(factor: str, p: str) -> tuple[bool, str] | None:
    """``factor · p`` as a signed term, or None for a structural zero; ``factor`` is ``1``, a reference or a
    negated one (``-d``)."""
    neg, p = _sign(p)
    if factor[0] == "-":  # a negated reference (-d): references are names, so no sum to look into
        neg, factor = not neg, factor[1:]
    if p == "0" or factor == "0":
        return None
    if factor == "1":
        return neg, p
    if p == "1":
        return neg, factor
    return neg, f"{factor} * {_wrap(p)}"


class _Derivative:
    """One node's derivative in a derived program, as the accumulation sweep builds it: the signed terms
    ``factor · partial`` that arrive (``+=``), and once it is read, the reference that stands for it
    (``finish`` writes the statement that names it, or returns its one atomic term)."""

    __slots__ = ("node", "finish", "terms", "ref", "reached")

    def __init__(self, node: int, finish, ref: str | None = None, reached: bool = False):
        self.node, self.finish, self.terms, self.ref, self.reached = node, finish, [], ref, reached

    def __bool__(self) -> bool:
        return self.ref is not None or bool(self.terms)

    def __iadd__(self, term):
        if term is not None:
            self.terms.append(term)
        return self

    def reference(self) -> str:
        if self.ref is None:
            self.ref = self.finish(self.node, self.terms)
        return self.ref

    def __mul__(self, partial_text: str):
        return _term(self.reference(), partial_text)


class _Partials:
    """Edge ``k``'s partial as text in the derived program (each node's row written once, when first asked)."""

    def __init__(self, w: "_Writer"):
        self.w, self.cache = w, {}

    def __getitem__(self, k: int) -> str:
        g = self.w.g
        d = g.edge_dst[k]
        texts = self.cache.get(d)
        if texts is None:
            texts = self.cache[d] = self.w.partials(d)
        return texts[g.edge_arg[k]]


def _sweep(g: Graph, seed: int, forward: bool, other: bytearray, weights: _Partials, finish) -> list[_Derivative]:
    """One sweep of :func:`graphdiff.sweeps.accumulate.accumulate` over texts, from ``seed`` through the nodes
    both it and ``other`` (the selected outputs' ancestors, or the selected inputs' descendants) reach."""
    on = descendants(g, seed) if forward else ancestors(g, seed)
    both = bytearray(a & b for a, b in zip(on, other))
    acc = [_Derivative(k, finish, reached=bool(both[k])) for k in range(len(g))]
    acc[seed].ref = "1"
    src, dst = g.edge_src, g.edge_dst
    edges = [k for k in side(g, seed, forward) if both[src[k]] and both[dst[k]]]
    return accumulate(g, acc, weights, edges, forward=forward)


def _declarations(g: Graph, defaults: dict[int, float], warnings: list[Diagnostic]) -> list[str]:
    items, seen = [], set()
    for i in g.inputs:
        name = g.names[i]
        vec = name.split("[")[0] if name.endswith("]") else None
        if vec is not None and vec in g.vectors:
            if vec in seen:
                continue
            seen.add(vec)
            start, n = g.vectors[vec]
            d = defaults.get(start)
            values = [defaults.get(k) for k in range(start, start + n)]
            if any(v != d for v in values):
                if all(v is not None for v in values):  # a default for each element
                    items.append(f"{vec}[{n}] = [{', '.join(map(fmt_num, values))}]")
                    continue
                warnings.append(Diagnostic(vec, g.lines[start], g.cols[start],
                                           f"some elements of {vec} have values and some have none, which a "
                                           f"declaration cannot hold: the derived program declares {vec}[{n}] "
                                           f"without a default (give them with --inputs)"))
                d = None
            items.append(f"{vec}[{n}]" + (f" = {fmt_num(d)}" if d is not None else ""))
        else:
            d = defaults.get(i)
            items.append(name + (f" = {fmt_num(d)}" if d is not None else ""))
    return _statement_lines("input", items) if items else []


def _values(g: Graph, values: Mapping[str, object] | None) -> dict[int, float]:
    """The inputs' values the derived program declares: the program's defaults, replaced by ``values``."""
    d = dict(g.defaults)
    if not values:
        return d
    try:
        bind(g, values)  # every name and number checked as every command checks them
    except MissingInputError:
        pass  # an input without a value stays without a default, as in the original
    for name, v in values.items():
        if name in g.vectors:
            start, n = g.vectors[name]
            vs = list(v) if isinstance(v, (list, tuple)) else [v] * n
            d.update(zip(range(start, start + n), map(float, vs)))
        else:
            d[g.find(name)] = float(v)
    return d


def _check_point(g: Graph, defaults: dict[int, float]) -> list[Diagnostic]:
    """Where every input has a value: the warnings ``grad`` would give there (a kink, a partial that is not
    finite), and a domain error as a warning (the program is written all the same)."""
    if any(i not in defaults for i in g.inputs):
        return []
    at = {g.names[i]: defaults[i] for i in g.inputs}
    try:
        return list(linearize_for_derivatives(g, at).warnings)
    except GraphdiffError as e:
        return [Diagnostic(e.node or "", e.line or 0, e.col or 0,
                           f"at the inputs' values: {e.message}; the derived program is written all the same")]


def derive(g: Graph, mode: str = "adjoint", *, of: Sequence[str | int] | None = None,
           wrt: Sequence[str | int] | None = None, values: Mapping[str, object] | None = None) -> Derived:
    """The derivative program of ``g`` in ``mode`` (``tangent``: one forward sweep per ``wrt`` input;
    ``adjoint``: one reverse sweep per ``of`` output), as a :class:`Derived` whose ``text`` is graphdiff input.
    ``values`` replace the inputs' defaults in the derived program; where every input has a value, the
    warnings ``grad`` would give at that point (a kink, a partial that is not finite) are in ``warnings``.

    >>> from graphdiff import loads
    >>> print(derive(loads("c = a + b; d = b + 1; e = c * d"), "adjoint").text.split("\\n", 4)[-1].strip())
    input a, b
    c = a + b
    d = b + 1
    e = c * d
    de_da = d
    de_db = c + d
    output e, de_da, de_db
    """
    if mode not in MODES:
        raise InputError(f"unknown derive mode {mode!r}: expected tangent or adjoint")
    outs = select(g, of, _default_outputs(g) if mode == "tangent" else g.outputs)
    ins = select(g, wrt, g.inputs)
    defaults = _values(g, values)
    warnings = _check_point(g, defaults)
    w = _Writer(g)
    body: list[str] = _declarations(g, defaults, warnings)
    for i in range(len(g)):
        if g.ops[i] != "input" and (g.kinds[i] != "anon" or "…#" in g.names[i]):
            body.append(f"{w.ref[i]} = {w.expression(i)}")
    w.lines = body
    derivs: dict[str, tuple[str, str]] = {}
    weights = _Partials(w)
    wanted: dict[tuple[int, int], str] = {}  # (o, i) -> emitted name
    if mode == "adjoint":
        down = descendants(g, ins)
        for o in outs:
            acc = _sweep(g, o, False, down, weights, lambda k, terms, o=o: _finish(w, terms, o, k, True))
            for i in ins:
                name = w.fresh(f"d{identifier(g.names[o])}_d{identifier(g.names[i])}")
                if i == o:
                    value = "1"
                elif g.ops[i] != "input":  # a computed node named by --wrt: its adjoint
                    value = acc[i].reference()
                else:
                    value = _sum(acc[i].terms)
                wanted[o, i] = w.statement(name, value)
    else:
        up = ancestors(g, outs)
        selected = set(outs)
        for i in ins:
            def finish(k: int, terms: list, i: int = i) -> str:
                if k in selected:
                    wanted[k, i] = w.statement(w.fresh(f"d{identifier(g.names[k])}_d{identifier(g.names[i])}"),
                                               _sum(terms))
                    return wanted[k, i]
                return _finish(w, terms, k, i, False)

            acc = _sweep(g, i, True, up, weights, finish)
            for o in sorted(outs):
                if o != i and acc[o].reached and (o, i) not in wanted:
                    acc[o].reference()  # an output the sweep reaches but no later node reads
            for o in outs:
                if (o, i) not in wanted:  # no path from i to o (or o is i)
                    wanted[o, i] = w.statement(w.fresh(f"d{identifier(g.names[o])}_d{identifier(g.names[i])}"),
                                               "1" if o == i else "0")
    out_pos = {o: n for n, o in enumerate(outs)}
    in_pos = {i: n for n, i in enumerate(ins)}
    order = sorted(wanted, key=lambda p: (out_pos[p[0]], in_pos[p[1]]))
    for key in order:
        derivs[wanted[key]] = (g.names[key[0]], g.names[key[1]])
    outputs = [w.ref[o] for o in g.outputs] + [wanted[k] for k in order]
    w.lines.extend(_statement_lines("output", outputs))
    orig = size(g)
    sc = sweep_counts(g, outs if mode == "adjoint" else ins, mode == "tangent")
    orig["sweeps"], orig["sweep_operations"] = sc.sweeps, 2 * sc.visits - sc.reached
    selection = " ".join(f"--of {g.names[o]}" for o in outs) if mode == "adjoint" else \
        " ".join(f"--wrt {g.names[i]}" for i in ins)
    head = [f"# graphdiff derive --mode {mode} {_short_list(selection)}: "
            f"{'one reverse sweep per output' if mode == 'adjoint' else 'one forward sweep per input'}, "
            f"written out",
            f"# derived-from: {Path(g.source).name}; mode {mode}; nodes {orig['nodes']}; edges {orig['edges']}; "
            f"operations {orig['operations']}; sweeps {orig['sweeps']}; sweep_operations {orig['sweep_operations']}"]
    maps = [f"{name} = {partial(o, i)}" for name, (o, i) in derivs.items()]
    if len(maps) <= PACK:
        head.extend(f"# {m}" for m in maps)
    else:  # many: several to a line (each comment line costs the parser a statement, as a blank one does)
        line = ""
        for m in maps:
            if line and len(line) + len(m) > 110:
                head.append(f"# {line}")
                line = ""
            line = f"{line}; {m}" if line else m
        head.append(f"# {line}")
    text = "\n".join(head + w.lines) + "\n"
    return Derived(text, mode, g.source, derivs, outputs, orig, statements=len(w.lines), warnings=warnings)


def _short_list(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" --", 1)[0] + " …"


def _statement_lines(keyword: str, items: list[str], width: int = 100) -> list[str]:
    """``input a, b, …`` or ``output e, …`` as lines of about ``width`` characters (each a statement)."""
    lines, line = [], ""
    for it in items:
        if line and len(line) + len(it) > width:
            lines.append(line)
            line = ""
        line = f"{line}, {it}" if line else f"{keyword} {it}"
    return lines + [line]


def _finish(w: _Writer, terms: list[tuple[bool, str]], top: int, bottom: int, adjoint: bool) -> str:
    """∂top/∂bottom from its terms: the operand itself when it is one term that is a single operand (no
    node), else a statement of its own (``d<top>_d<bottom>``, an anonymous node by its tag); returns the
    reference to use."""
    if not terms:
        return "0"
    if len(terms) == 1:
        neg, body = terms[0]
        if is_atom(body):
            return f"-{body}" if neg else body
    g = w.g
    if adjoint:  # ∂output/∂node
        name = f"d{identifier(g.names[top])}_d{w.short(bottom)}"
    else:  # ∂node/∂input
        name = f"d{w.short(top)}_d{identifier(g.names[bottom])}"
    ref = w.fresh(name)
    w.statement(ref, _sum(terms), partial(g.names[top], g.names[bottom]))
    return ref


# ---- reading a derived program back -------------------------------------------------------------------------

def _default_outputs(g: Graph) -> list[int]:
    """The outputs a tangent program differentiates by default: every output, but in a program that is itself
    derived, only its derivatives (the derivatives of its original values are there already)."""
    d = derivation(g)
    if d and d.get("derivatives"):
        named = [g.find(n) for n in d["derivatives"]]
        outs = [i for i in named if i is not None and i in set(g.outputs)]
        if outs:
            return outs
    return g.outputs


def derivation(g: Graph) -> dict[str, Any] | None:
    """What the header of a derived program says (:attr:`Graph.meta`): the original's size, the mode and the
    derivatives it outputs, or None for a program that is not derived."""
    return g.meta
