"""Graph → tape: flat arrays in topological order, compiled once, for the numeric sweeps.

Operand ``j`` of node ``i`` is the value slot ``slots[i][j]``: a slot below ``n`` is a node, a slot from ``n``
on is a constant from ``pool``. ``body`` lists the nodes that compute (inputs excluded) with their primitive,
so evaluation is one loop over three parallel lists.
"""
from __future__ import annotations

import math

import weakref
from dataclasses import dataclass
from typing import Callable

from .graph import Graph
from ..primitives import PRIMITIVES, Primitive

_TAPES: "weakref.WeakKeyDictionary[Graph, Tape]" = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Tape:
    n: int
    pool: list[float]  # constants, at slots n, n + 1, ...
    body: list[int]  # the nodes that compute, in topological order
    prims: list[Primitive]  # aligned with body
    slots: list[tuple[int, ...]]  # aligned with body


def compile_tape(g: Graph) -> Tape:
    n = len(g)
    pool: list[float] = []
    pool_index: dict = {}
    body = [i for i, op in enumerate(g.ops) if op != "input"]  # inputs come first: body[j] = n_inputs + j
    prims = list(map(PRIMITIVES.__getitem__, map(g.ops.__getitem__, body)))
    slots = list(map(g.args.__getitem__, body))  # a node's operands are its slots, but for constants
    first = body[0] if body else 0
    for i in g.const_nodes:
        s = []
        for a in g.args[i]:
            if a.__class__ is int:
                s.append(a)
            else:
                key = a if a else (a, math.copysign(1.0, a))  # -0.0 is not 0.0 (1 / -0.0 is -inf)
                k = pool_index.get(key)
                if k is None:
                    k = pool_index[key] = n + len(pool)
                    pool.append(a)
                s.append(k)
        slots[i - first] = tuple(s)
    return Tape(n, pool, body, prims, slots)


def remember(g: Graph, t: "Tape | Callable[[], Tape]") -> None:
    """Keep ``t`` as the tape of ``g``, or a function that lays it out when first asked (the cache, which can lay
    it out faster from its arrays, hands one over)."""
    _TAPES[g] = t


def tape_of(g: Graph) -> Tape:
    """The graph's tape, compiled on first use and kept as long as the graph lives (a graph is read-only)."""
    t = _TAPES.get(g)
    if t is None:
        t = _TAPES[g] = compile_tape(g)
    elif not isinstance(t, Tape):
        t = _TAPES[g] = t()
    return t
