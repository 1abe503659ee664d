"""Formula texts as expressions: the rows' partials, domains and kinks parsed once by graphdiff's own grammar,
filled in with a node's operands, simplified where that changes no double, and printed back as text.

An expression is a tuple: ``("#", value)`` a number, ``("$", name)`` a placeholder of a row's template (``0``,
``1`` … the operands, ``y`` the node's value, ``x`` the operand of an n-ary partial, ``n`` the number of
operands, ``xs`` all of them), ``("@", text)`` an operand by its text, and ``(op, (child, …))`` a primitive
applied to children.

What the tables print (``graphdiff edges``), what derived programs say (``graphdiff derive``) and what every
backend computes (:mod:`graphdiff.codegen.compile`) all come from these expressions, so they agree: the only
rewriting is exact in IEEE arithmetic (constants folded as the parser folds them, ``t ^ 1`` = t, ``t ^ 0`` = 1,
``1 · t`` = t, ``t / 1`` = t, ``t - 0`` = t, ``-(-t)`` = t).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from ..base.notation import fmt_num, is_atom
from ..language.statements import Definition, Ref
from ..primitives import PRIMITIVES, Primitive

Expr = tuple

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: How tightly each infix operation binds (calls, names and numbers bind tightest).
_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
#: n-ary operations that the parser flattens: ``a + b + c`` is one node, so a nested one keeps parentheses.
_FLAT = ("add", "mul")


def _name(placeholder: str) -> str:
    return f"_gd_{placeholder}"


@lru_cache(maxsize=None)
def template(text: str) -> Expr:
    """A row's template (``"-{y} / {1}"``) as an expression, parsed by graphdiff's grammar."""
    from ..language.parse import parse

    program = parse("_gd_r = " + _PLACEHOLDER.sub(lambda m: _name(m.group(1)), text))
    defs = program.definitions
    return _tree(defs["_gd_r"], defs)


def _tree(d: Definition, defs: dict) -> Expr:
    if d.op == "const":
        return ("#", float(d.args[0]))
    kids = tuple(_operand(a, defs) for a in d.args)
    if d.op == "id":
        return kids[0]
    return (d.op, kids)


def _operand(a, defs: dict) -> Expr:
    if isinstance(a, Ref):
        a = a.name
    if isinstance(a, str):
        d = defs.get(a)
        if d is not None:
            return _tree(d, defs)
        if a.startswith("_gd_"):
            return ("$", a[4:])
        raise ValueError(f"a template names {a!r}: only {{0}}, {{1}} …, {{y}}, {{x}}, {{n}} and {{xs}} may appear")
    return ("#", float(a))


def placeholders(e: Expr) -> set[str]:
    """The placeholders ``e`` uses."""
    out: set[str] = set()
    stack = [e]
    while stack:
        t = stack.pop()
        if t[0] == "$":
            out.add(t[1])
        elif t[0] not in ("#", "@"):
            stack.extend(t[1])
    return out


# ---- a row's partials ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """The partials of a row for ``n`` operands: ``kind`` is ``fixed`` (``exprs``, one per operand, over the
    placeholders 0, 1 …, y), ``uniform`` (``exprs[0]`` for any operand, over x, y, n, xs) or ``scan`` (the
    product of the other operands)."""

    kind: str
    exprs: tuple[Expr, ...] = ()


#: Up to this many operands an n-ary row's partials are written out one per operand (``fixed``); beyond, as one
#: rule for any operand (``uniform``) or prefix and suffix products (``scan``), computed in a loop.
FEW = 8


_RULES: dict[tuple[str, int], tuple[Primitive, Rule]] = {}


def rule(p: Primitive, n: int) -> Rule:
    """How ``p``'s partials are written for ``n`` operands (kept while the row stays the same)."""
    known = _RULES.get((p.name, n))
    if known is not None and known[0] is p:
        return known[1]
    r = _rule(p, n)
    _RULES[p.name, n] = (p, r)
    return r


def _rule(p: Primitive, n: int) -> Rule:
    if p.arity is not None:
        return Rule("fixed", tuple(template(t) for t in p.partials))
    if n in p.small:
        return Rule("fixed", tuple(template(t) for t in p.small[n]))
    ops = [("$", str(k)) for k in range(n)]
    if p.scan is not None:
        return Rule("fixed", tuple(scan_term(ops, k, p.scan) for k in range(n))) if n <= FEW else Rule("scan")
    e = template(p.partial)
    if n <= FEW:
        env = {"n": ("#", float(n)), "xs": ops, "y": ("$", "y")}
        return Rule("fixed", tuple(fill(e, {**env, "x": o}) for o in ops))
    return Rule("uniform", (e,))


def condition(text: str) -> Expr:
    return template(text)


# ---- filling in and simplifying -------------------------------------------------------------------------------

def operand(x: float | str) -> Expr:
    """An operand: a number, or a node by its text."""
    return ("#", float(x)) if isinstance(x, float) else ("@", x)


def fill(e: Expr, env: dict[str, Expr | list[Expr]]) -> Expr:
    """``e`` with every placeholder replaced from ``env`` (``xs`` by a list, spliced into the call holding it),
    then simplified."""
    tag = e[0]
    if tag == "$":
        return env[e[1]]  # type: ignore[return-value]
    if tag in ("#", "@"):
        return e
    kids: list[Expr] = []
    for k in e[1]:
        if k[0] == "$" and isinstance(env.get(k[1]), list):
            kids.extend(env[k[1]])  # type: ignore[arg-type]
        else:
            kids.append(fill(k, env))
    return simplify((tag, tuple(kids)))


def simplify(e: Expr) -> Expr:
    """One step of exact rewriting at the top of ``e`` (its children are simplified already)."""
    op, kids = e
    p = PRIMITIVES[op]
    if all(k[0] == "#" for k in kids):
        try:
            v = p.value([k[1] for k in kids])
        except (ValueError, ZeroDivisionError, OverflowError):
            return e
        if math.isfinite(v) and len(fmt_num(v)) <= len(show(e)):  # 2 - 1 is 1; 1 / 3 stays as it is
            return ("#", v)
        return e
    if op == "pow" and kids[1][0] == "#":
        if kids[1][1] == 1.0:
            return kids[0]
        if kids[1][1] == 0.0:
            return ("#", 1.0)
    if op == "mul":
        rest = tuple(k for k in kids if k != ("#", 1.0))
        if len(rest) != len(kids):
            return rest[0] if len(rest) == 1 else ("#", 1.0) if not rest else ("mul", rest)
    if op == "div" and kids[1] == ("#", 1.0):
        return kids[0]
    if op == "sub" and kids[1] == ("#", 0.0):
        return kids[0]
    if op == "neg" and kids[0][0] == "neg":
        return kids[0][1][0]
    return e


# ---- printing -----------------------------------------------------------------------------------------------

def _precedence(e: Expr) -> int:
    tag = e[0]
    if tag == "#":
        return 3 if e[1] < 0 or (e[1] == 0 and math.copysign(1, e[1]) < 0) else 5
    if tag == "@":
        return 5 if is_atom(e[1]) else 0
    if tag == "$":
        return 5
    return _PRECEDENCE.get(tag, 5)


def show(e: Expr) -> str:
    """The expression as graphdiff text, with the parentheses the grammar needs (and those that keep a nested
    sum or product a node of its own)."""
    tag = e[0]
    if tag == "#":
        v = e[1]
        return fmt_num(v) if math.isfinite(v) else "(0 / 0)" if v != v else "(1 / 0)" if v > 0 else "(-1 / 0)"
    if tag == "@":
        return e[1]
    if tag == "$":
        return "{" + e[1] + "}"
    p = PRIMITIVES[tag]
    kids = e[1]
    if p.infix is None:
        return p.text([show(k) for k in kids])
    prec = _PRECEDENCE[tag]
    if tag == "neg":
        k = kids[0]
        return p.text([_wrap(k, _precedence(k) < 3 or k[0] == "neg" or (k[0] == "#" and _precedence(k) == 3))])
    texts = []
    for j, k in enumerate(kids):
        kp = _precedence(k)
        if tag == "pow":
            need = kp <= 4 if j == 0 else kp < 3
        elif tag in _FLAT:
            need = kp < prec or k[0] == tag if j == 0 else kp <= prec
        else:  # sub, div: left-associative
            need = kp < prec if j == 0 else kp <= prec
        texts.append(_wrap(k, need))
    return p.text(texts)


def _wrap(e: Expr, need: bool) -> str:
    s = show(e)
    return f"({s})" if need else s


# ---- the texts a table prints --------------------------------------------------------------------------------

def partial_texts(p: Primitive, operands: Sequence[float | str], out: str, vector: str | None = None) -> list[str]:
    """The text of ∂out/∂operand k for every operand, over the operands' texts (numbers or names) and the
    node's own name ``out``. ``vector`` names the vector whose elements the operands are, in order (then an
    n-ary partial writes all of them as that one name)."""
    n = len(operands)
    r = rule(p, n)
    ops = [operand(o) for o in operands]
    y = ("@", out)
    if r.kind == "fixed":
        env: dict = {str(k): o for k, o in enumerate(ops)}
        env["y"] = y
        return [show(fill(e, env)) for e in r.exprs]
    if r.kind == "scan":
        return [show(scan_term(ops, k, p.scan)) for k in range(n)]
    env = {"y": y, "n": ("#", float(n)), "xs": [("@", vector)] if vector else ops}
    return [show(fill(r.exprs[0], {**env, "x": o})) for o in ops]


def hoist(e: Expr) -> tuple[Expr, dict[Expr, str]]:
    """An n-ary partial split into what depends on the operand ``x`` and what does not: the parts that do not
    (``count(y, xs)``) become placeholders ``s0``, ``s1`` … (the dict maps each part to its placeholder), to be
    computed once for all operands."""
    shared: dict[Expr, str] = {}

    def walk(t: Expr) -> Expr:
        if t[0] in ("#", "$", "@"):
            return t
        if "x" not in placeholders(t):
            if t not in shared:
                shared[t] = f"s{len(shared)}"
            return ("$", shared[t])
        return (t[0], tuple(walk(k) for k in t[1]))

    return walk(e), shared


def scan_term(ops: Sequence[Expr], k: int, op: str = "*") -> Expr:
    """The product of every operand but the k-th, as the prefix and suffix products that compute it: those
    before k multiplied from the left, times those after k multiplied from the right."""
    before, after = list(ops[:k]), list(ops[k + 1:])
    suffix = after[-1] if after else None
    for o in reversed(after[:-1]):
        suffix = ("mul", (o, suffix))
    if not before:
        return suffix if suffix is not None else ("#", 1.0)
    prefix = before[0] if len(before) == 1 else ("mul", tuple(before))
    if suffix is None:
        return prefix
    return simplify(("mul", (*((prefix,) if prefix[0] != "mul" else prefix[1]), suffix)))


# ---- a graph's edges --------------------------------------------------------------------------------------

def _vector_of(g, i: int) -> str | None:
    """The vector whose elements are node ``i``'s operands, all of them in order (``sum(x)``), if any."""
    args = g.args[i]
    if len(args) < 2 or args[0].__class__ is not int:
        return None
    for name, (start, size) in g.vectors.items():
        if args[0] == start and len(args) == size and args[-1] == start + size - 1 and \
                all(a == start + j for j, a in enumerate(args)):
            return name
    return None


def node_formulas(g, i: int) -> list[str]:
    """The text of ∂node/∂operand for each operand of node ``i`` (by position; constants included)."""
    operands = [a if isinstance(a, float) else g.names[a] for a in g.args[i]]
    return partial_texts(PRIMITIVES[g.ops[i]], operands, g.names[i], _vector_of(g, i) if g.vectors else None)


def formula(g, k: int) -> str:
    """The text of the partial on edge ``k``: ``d`` for ∂e/∂c when e = c * d.

    >>> from graphdiff import loads
    >>> formula(loads("c = a + b; d = b + 1; e = c * d"), 3)
    'd'
    """
    return node_formulas(g, g.edge_dst[k])[g.edge_arg[k]]


def formulas(g) -> list[str]:
    """The text of the partial on every edge, in edge order (each node's row written once)."""
    out: list[str] = []
    for i in range(len(g)):
        a, b = g.edge_start[i], g.edge_start[i + 1]
        if a < b:
            texts = node_formulas(g, i)
            out.extend(texts[g.edge_arg[k]] for k in range(a, b))
    return out
