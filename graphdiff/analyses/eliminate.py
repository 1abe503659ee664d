"""Jacobians by vertex elimination: the chain rule applied in any order ("cross-country", Griewank and Walther,
*Evaluating Derivatives*, chapters 9 and 10).

The model:

* The linearized graph restricted to the nodes on a path from a selected input to a selected output, each
  edge carrying its local partial at the point. Parallel edges (``y = x * x``) are merged first, each merge
  one addition, counted apart (``merge_additions``).
* An output that other nodes use is handled as the literature does: a copy of it, ``y'``, joined to it by an
  edge with partial 1, is the dependent variable, and ``y`` itself becomes an intermediate (it is said in the
  result's ``output_copies``).
* Eliminating an intermediate vertex ``v`` (neither a selected input nor a selected output) forms, for every
  predecessor ``i`` and successor ``k``, the product ``c_kv·c_vi`` (one multiplication) and adds it to an
  existing edge ``i → k`` (one addition) or makes a new fill-in edge; then ``v`` is removed. When every
  intermediate is gone, the remaining edges from inputs to outputs are the Jacobian.

Orders: ``forward`` (topological), ``reverse`` (the opposite), ``markowitz`` (least current |P|·|S| first,
ties to the earliest node in topological order, with a priority queue), ``min-fill`` (least new edges first,
the same ties), ``optimal`` (least multiplications over all vertex elimination orders, by depth-first search
over the sets of eliminated vertices with the best cost of each set remembered, and bounded by the best order
found so far; up to :data:`OPTIMAL_MAX` intermediates) and an explicit list of names.

Why elimination counts differ from ``grad``'s sweep counts: a sweep multiplies by every partial on every edge
it visits, the seed's 1 and the partials that are 1 included, while elimination multiplies only to form a
product of two edges; an input-to-output edge costs a sweep one multiplication and elimination none.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..base.errors import InputError
from ..sweeps.evaluate import Linearization
from ..sweeps.faults import linearize_for_derivatives
from ..language.graph import Graph, select
from ..base.notation import factor, json_num as num, partial
from ..sweeps.reach import ancestors, descendants

ORDERS = ("forward", "reverse", "markowitz", "min-fill", "optimal", "anneal")
#: The orders ``cost`` counts (``anneal`` is a search with a budget: ``graphdiff eliminate --order anneal``).
COST_ORDERS = ORDERS[:5]
#: ``anneal``: evaluations of whole orders by default, the seed, and the most intermediates it searches over.
ANNEAL_BUDGET = 50_000
ANNEAL_SEED = 1
ANNEAL_MAX = 3_000
#: ``optimal`` refuses above this many intermediates (its search visits up to 2^n sets of them).
OPTIMAL_MAX = 16
#: ``min-fill`` recounts the fill of the vertices around each one eliminated; above this many intermediates it
#: refuses (use markowitz).
MIN_FILL_MAX = 20_000
#: The most edges the graph may hold during an elimination (``--max-fill``), by default.
MAX_EDGES = 5_000_000
#: The most multiplications an elimination may take (``--max-work``), by default: forward order on a long
#: chain with one shared weight takes n²/2 of them.
MAX_WORK = 50_000_000


@dataclass
class Step:
    """One vertex eliminated: the products it formed ``(i, k, c_kv, c_vi)``, the fill-in edges it made and
    what it cost."""

    vertex: str
    products: list[tuple[str, str, float, float]]
    fill_in: list[tuple[str, str]]
    multiplications: int
    additions: int

    def to_dict(self) -> dict[str, Any]:
        return {"eliminated": self.vertex, "multiplications": self.multiplications, "additions": self.additions,
                "fill_in": [list(e) for e in self.fill_in]}


@dataclass
class Elimination:
    """The result of eliminating every intermediate in ``order``: the Jacobian, the operations, the steps."""

    graph: Graph
    order_name: str
    order: list[str]
    outputs: list[int]
    inputs: list[int]
    jacobian: dict[int, dict[int, float]]
    multiplications: int
    additions: int
    merge_additions: int
    steps: list[Step]
    output_copies: list[str] = field(default_factory=list)
    warnings: list = field(default_factory=list)
    keep_steps: bool = True


    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``graphdiff eliminate``."""
        names = self.graph.names
        out = {"order": self.order, "order_name": self.order_name,
               "jacobian": {names[o]: {names[i]: num(self.jacobian[o][i]) for i in self.inputs} for o in self.outputs},
               "operations": {"multiplications": self.multiplications, "additions": self.additions,
                              "merge_additions": self.merge_additions},
               "steps": [s.to_dict() for s in self.steps]}
        if self.output_copies:
            out["output_copies"] = self.output_copies
        if self.warnings:
            out["warnings"] = [w.to_dict() for w in self.warnings]
        return out


class _State:
    """The linearized graph being eliminated: ``pred[v]`` and ``succ[v]`` map neighbours to edge values."""

    def __init__(self, g: Graph, lin: Linearization | None, ins: list[int], outs: list[int], max_edges: int,
                 max_work: int = 10**18):
        n = len(g)
        down, up = descendants(g, ins), ancestors(g, outs)
        live = [v for v in range(n) if down[v] and up[v]]
        self.names = list(g.names)
        self.pred: dict[int, dict[int, float]] = {v: {} for v in live}
        self.succ: dict[int, dict[int, float]] = {v: {} for v in live}
        self.merges = 0
        parts = lin.partials if lin is not None else None
        for k in range(g.n_edges):
            s, d = g.edge_src[k], g.edge_dst[k]
            if down[s] and up[s] and down[d] and up[d]:
                c = parts[k] if parts is not None else 1.0
                if s in self.pred[d]:
                    self.merges += 1
                    c = self.pred[d][s] + c
                self.pred[d][s] = c
                self.succ[s][d] = c
        self.dependents: dict[int, int] = {}  # output -> the node standing for it as a dependent
        self.copies: list[str] = []
        inset = set(ins)
        for o in outs:
            if o in self.succ and self.succ[o] and o not in inset:
                c = len(self.names)
                self.names.append(g.names[o] + "'")
                self.pred[c], self.succ[c] = {o: 1.0}, {}
                self.succ[o][c] = 1.0
                self.dependents[o] = c
                self.copies.append(g.names[o])
            else:
                self.dependents[o] = o
        ends = inset | set(self.dependents.values())
        self.intermediates = [v for v in live if v not in ends]
        self.edges = sum(len(p) for p in self.pred.values())
        self.max_edges = max_edges
        self.max_work = max_work
        self.mults = self.adds = self.steps_done = 0

    def degree(self, v: int) -> int:
        return len(self.pred[v]) * len(self.succ[v])

    def fill(self, v: int) -> int:
        succ = self.succ
        return sum(1 for i in self.pred[v] for k in self.succ[v] if k not in succ[i])

    def eliminate(self, v: int, record: bool) -> Step | None:
        P, S = self.pred.pop(v), self.succ.pop(v)
        products, fills, adds = [], [], 0
        names = self.names
        for i in P:
            del self.succ[i][v]
        for k in S:
            del self.pred[k][v]
        grow = sum(1 for i in P for k in S if k not in self.succ[i])
        if self.edges - len(P) - len(S) + grow > self.max_edges:
            raise InputError(f"eliminating {names[v]} would make the graph hold {self.edges + grow:,} edges, more "
                             f"than --max-fill {self.max_edges:,}: raise --max-fill or try another order")
        for i, cvi in P.items():
            si = self.succ[i]
            for k, ckv in S.items():
                c = ckv * cvi
                if k in si:
                    adds += 1
                    c = si[k] + c
                else:
                    fills.append((names[i], names[k]) if record else None)
                si[k] = c
                self.pred[k][i] = c
                if record:
                    products.append((names[i], names[k], ckv, cvi))
        mults = len(P) * len(S)
        self.edges += grow - len(P) - len(S)
        self.mults += mults
        if self.mults > self.max_work:
            raise InputError(f"this order passes {self.max_work:,} multiplications after eliminating {names[v]} "
                             f"({self.steps_done + 1:,} of {len(self.intermediates):,} vertices): raise --max-work, or "
                             "try --order markowitz")
        self.steps_done += 1
        self.adds += adds
        return Step(names[v], products, fills, mults, adds) if record else None


def _order(st: _State, how: str | Sequence[str], g: Graph, record: bool, budget: int = ANNEAL_BUDGET) -> list[Step]:
    steps: list[Step] = []
    inter = st.intermediates
    if not isinstance(how, str):
        chosen = []
        wanted = set(inter)
        for name in how:
            v = g.node(name)
            if v not in wanted:
                raise InputError(f"--order: '{name}' is not an intermediate between the selected inputs and outputs "
                                 f"(the intermediates: {', '.join(g.names[u] for u in inter[:8])}"
                                 f"{', …' if len(inter) > 8 else ''})")
            wanted.discard(v)
            chosen.append(v)
        if wanted:
            missing = sorted(wanted)
            raise InputError(f"--order leaves {len(missing)} intermediate{'s' if len(missing) > 1 else ''} "
                             f"uneliminated: {', '.join(g.names[u] for u in missing[:8])}"
                             f"{', …' if len(missing) > 8 else ''}")
        for v in chosen:
            steps.append(st.eliminate(v, record))
        return steps
    if how == "forward":
        for v in inter:
            steps.append(st.eliminate(v, record))
    elif how == "reverse":
        for v in reversed(inter):
            steps.append(st.eliminate(v, record))
    elif how in ("markowitz", "min-fill"):
        if how == "min-fill" and len(inter) > MIN_FILL_MAX:
            raise InputError(f"min-fill takes up to {MIN_FILL_MAX:,} intermediates; this selection has "
                             f"{len(inter):,}: use --order markowitz")
        key = st.degree if how == "markowitz" else st.fill
        left = set(inter)
        heap = [(key(v), v) for v in inter]
        heapq.heapify(heap)
        while heap:
            k, v = heapq.heappop(heap)
            if v not in left or k != key(v):
                continue  # stale: eliminated, or its degree changed since it was pushed
            left.discard(v)
            near = set(st.pred[v]) | set(st.succ[v])
            if how == "min-fill":  # fill changes for the neighbours of the neighbours too
                for u in list(near):
                    near |= set(st.pred.get(u, ())) | set(st.succ.get(u, ()))
            steps.append(st.eliminate(v, record))
            for u in near:
                if u in left:
                    heapq.heappush(heap, (key(u), u))
    elif how == "optimal":
        for v in _optimal(st, g):
            steps.append(st.eliminate(v, record))
    elif how == "anneal":
        for v in _anneal(st, g, budget):
            steps.append(st.eliminate(v, record))
    else:
        raise InputError(f"unknown order {how!r}: expected {', '.join(ORDERS)} or a list of node names")
    return steps


def _cost_of(pred0: dict[int, set], succ0: dict[int, set], order: list[int]) -> int:
    """The multiplications of eliminating ``order`` from the structure ``pred0``/``succ0`` (left unchanged)."""
    pred = {v: set(p) for v, p in pred0.items()}
    succ = {v: set(q) for v, q in succ0.items()}
    m = 0
    for v in order:
        P, S = pred.pop(v), succ.pop(v)
        m += len(P) * len(S)
        for i in P:
            si = succ[i]
            si.discard(v)
            si |= S
        for k in S:
            pk = pred[k]
            pk.discard(v)
            pk |= P
    return m


def _anneal(st: _State, g: Graph, budget: int) -> list[int]:
    """Simulated annealing over elimination orders: from the best of reverse, Markowitz and min-fill, move one
    vertex to another place, keep the move when it costs no more (or, with probability exp(-Δ/T), when it costs
    more), T from 2 down by 0.05 % a move to 0.05; ``budget`` orders evaluated, a fixed seed, so the same graph
    gives the same order."""
    import math
    import random

    inter = st.intermediates
    if len(inter) > ANNEAL_MAX:
        raise InputError(f"anneal searches over up to {ANNEAL_MAX:,} intermediates; this selection has "
                         f"{len(inter):,}: use --order markowitz")
    pred0 = {v: set(p) for v, p in st.pred.items()}
    succ0 = {v: set(q) for v, q in st.succ.items()}
    starts = []
    for how in ("reverse", "markowitz", "min-fill"):
        trial = _State.__new__(_State)
        trial.__dict__.update(st.__dict__)
        trial.pred = {v: dict(p) for v, p in st.pred.items()}
        trial.succ = {v: dict(q) for v, q in st.succ.items()}
        trial.mults = trial.adds = trial.steps_done = 0
        order = []
        for step_ in _order(trial, how, g, True):
            order.append(step_.vertex)
        by_name = {st.names[v]: v for v in inter}
        starts.append([by_name[n] for n in order])
    cur = min(starts, key=lambda o: _cost_of(pred0, succ0, o))
    cur_cost = _cost_of(pred0, succ0, cur)
    best, best_cost = cur[:], cur_cost
    rng = random.Random(ANNEAL_SEED)
    temp = 2.0
    n = len(cur)
    for _ in range(budget if n > 1 else 0):
        a, b = rng.randrange(n), rng.randrange(n)
        new = cur[:]
        new.insert(b, new.pop(a))
        c = _cost_of(pred0, succ0, new)
        if c <= cur_cost or rng.random() < math.exp((cur_cost - c) / temp):
            cur, cur_cost = new, c
            if c < best_cost:
                best, best_cost = new[:], c
        temp = max(0.05, temp * 0.9995)
    return best


def _rewire(masks: list[int], over: int, bit: int, add: int) -> None:
    """For every node j in the bitset ``over``: drop ``bit`` from ``masks[j]`` and add the bitset ``add``."""
    while over:
        low = over & -over
        j = low.bit_length() - 1
        masks[j] = (masks[j] & ~bit) | add
        over ^= low


def _optimal(st: _State, g: Graph) -> list[int]:
    """The order of least multiplications: depth-first over the sets of eliminated vertices (the graph after
    eliminating a set does not depend on the order), each set's least cost to finish remembered, branches cut
    when they cannot beat the best order found."""
    inter = st.intermediates
    m = len(inter)
    if m > OPTIMAL_MAX:
        raise InputError(f"the optimal order is searched for up to {OPTIMAL_MAX} intermediates (up to 2^n sets); "
                         f"this selection has {m:,}: use --order markowitz")
    nodes = list(st.pred)
    idx = {v: j for j, v in enumerate(nodes)}
    pred0 = [sum(1 << idx[u] for u in st.pred[v]) for v in nodes]
    succ0 = [sum(1 << idx[u] for u in st.succ[v]) for v in nodes]
    memo: dict[int, tuple[int, int]] = {}  # eliminated set -> (least cost to finish, first vertex)
    full = (1 << m) - 1

    def elim(pred, succ, j):
        v = idx[inter[j]]
        P, S = pred[v], succ[v]
        cost = bin(P).count("1") * bin(S).count("1")
        pred, succ = pred[:], succ[:]
        _rewire(succ, P, 1 << v, S)  # every predecessor now reaches every successor
        _rewire(pred, S, 1 << v, P)
        pred[v] = succ[v] = 0
        return pred, succ, cost

    def best(done: int, pred, succ) -> int:
        if done == full:
            return 0
        if done in memo:
            return memo[done][0]
        top = None
        for j in range(m):
            if done >> j & 1:
                continue
            p2, s2, c = elim(pred, succ, j)
            total = c + best(done | 1 << j, p2, s2)
            if top is None or total < top[0]:
                top = (total, j)
        memo[done] = top
        return top[0]

    best(0, pred0, succ0)
    order, done = [], 0
    while done != full:
        j = memo[done][1]
        order.append(inter[j])
        done |= 1 << j
    return order


def eliminate(g: Graph, inputs: Mapping[str, float] | None = None, *, order: str | Sequence[str] = "markowitz",
              of: Sequence[str | int] | None = None, wrt: Sequence[str | int] | None = None,
              max_edges: int = MAX_EDGES, max_work: int | None = MAX_WORK, ieee: bool = False,
              record: bool = True, values: bool = True, budget: int = ANNEAL_BUDGET) -> Elimination:
    """The Jacobian of ``of`` (default: the outputs) with respect to ``wrt`` (default: the inputs) by vertex
    elimination in ``order``; ``values=False`` counts without input values (every partial taken as 1).

    >>> from graphdiff import loads
    >>> r = eliminate(loads("input a = 2, b = 1; c = a + b; d = b + 1; e = c * d"), order="forward")
    >>> r.order, r.to_dict()["jacobian"], (r.multiplications, r.additions)
    (['c', 'd'], {'e': {'a': 2.0, 'b': 5.0}}, (3, 1))
    """
    outs, ins = select(g, of, g.outputs), select(g, wrt, g.inputs)
    for i in ins:
        if g.ops[i] != "input":
            raise InputError(f"--wrt '{g.names[i]}': vertex elimination differentiates with respect to inputs, and "
                             f"'{g.names[i]}' is computed from others (graphdiff grad --wrt takes any node)")
    lin = linearize_for_derivatives(g, inputs, ieee=ieee) if values else None
    st = _State(g, lin, ins, outs, max_edges, max_work if max_work is not None else 10**18)
    name = order if isinstance(order, str) else "explicit"
    steps = _order(st, order, g, record, budget)
    jac = {o: {i: st.pred.get(st.dependents[o], {}).get(i, 1.0 if i == o else 0.0) for i in ins} for o in outs}
    return Elimination(g, name, [s.vertex for s in steps] if record else [], outs, ins, jac, st.mults, st.adds,
                       st.merges, steps if record else [], st.copies, list(lin.warnings) if lin else [],
                       record)


def order_costs(g: Graph, orders: Sequence[str] = COST_ORDERS) -> dict[str, tuple[int, int] | str]:
    """Multiplications and additions of the whole Jacobian by each order (structure only), or why an order
    does not run (``optimal`` above :data:`OPTIMAL_MAX` intermediates)."""
    out: dict[str, tuple[int, int] | str] = {}
    for o in orders:
        try:
            r = eliminate(g, order=o, record=False, values=False)
        except InputError as e:
            out[o] = e.message
            continue
        out[o] = (r.multiplications, r.additions + r.merge_additions)
    return out


def step_text(s: Step, digits: int | None = 6, shown: int = 6) -> str:
    """The products of a step as the chain rule writes them: ``∂e/∂c·∂c/∂a = 2·1``."""
    parts = [f"{partial(k, s.vertex)}·{partial(s.vertex, i)} = {factor(ckv, digits)}·{factor(cvi, digits)}"
             for i, k, ckv, cvi in s.products[:shown]]
    more = f"; … ({len(s.products) - shown:,} more)" if len(s.products) > shown else ""
    return "; ".join(parts) + more if parts else "(no products: the vertex joins nothing to nothing)"




@dataclass
class Remaining:
    """The linearized graph after the first ``steps`` eliminations of ``order``: a graph of the vertices left
    (``names`` says what each is), ``values`` the value of each of its edges, ``fill`` the edges that the
    eliminations made (fill-in)."""

    graph: Graph
    names: list[str]
    values: list[float]
    fill: list[int]
    order_name: str
    order: list[str]
    steps: int
    warnings: list


def remaining(g: Graph, inputs: Mapping[str, float] | None = None, *, order: str | Sequence[str] = "markowitz",
              steps: int | None = None, of: Sequence[str | int] | None = None,
              wrt: Sequence[str | int] | None = None, ieee: bool = False) -> Remaining:
    """What is left after the first ``steps`` eliminations of ``order`` (None: all of them; ``draw --eliminate
    ORDER --step K``)."""
    outs, ins = select(g, of, g.outputs), select(g, wrt, g.inputs)
    lin = linearize_for_derivatives(g, inputs, ieee=ieee)
    full = eliminate(g, inputs, order=order, of=outs, wrt=ins, ieee=ieee)
    steps = len(full.order) if steps is None else steps
    if not 0 <= steps <= len(full.order):
        raise InputError(f"--step {steps}: {order if isinstance(order, str) else 'the order'} has "
                         f"{len(full.order)} steps (0 … {len(full.order)})")
    st = _State(g, lin, ins, outs, MAX_EDGES)
    original = {(g.edge_src[k], g.edge_dst[k]) for k in range(g.n_edges)}
    for name in full.order[:steps]:
        v = next(u for u in st.pred if st.names[u] == name)
        st.eliminate(v, False)
    nodes = sorted(st.pred)
    pos = {v: j for j, v in enumerate(nodes)}
    h = Graph(g.source, None)
    src, dst, start, values, fill = [], [], [0], [], []
    for v in nodes:
        for u, c in sorted(st.pred[v].items()):
            if (u, v) not in original:
                fill.append(len(src))
            src.append(pos[u])
            dst.append(pos[v])
            values.append(c)
        start.append(len(src))
    for v in nodes:
        copy = v >= len(g)
        h.names.append(st.names[v])
        h.ops.append("id" if copy else g.ops[v])
        h.kinds.append("named" if copy else g.kinds[v])
        h.lines.append(0 if copy else g.lines[v])
        h.cols.append(0 if copy else g.cols[v])
        h.args.append(())
        h.texts.append(st.names[v] if copy else (g.texts[v] if g.ops[v] != "input" else g.names[v]))
    h.edge_src, h.edge_dst, h.edge_arg, h.edge_start = src, dst, [0] * len(src), start
    h.inputs = [pos[i] for i in ins if i in pos]
    h.outputs = [pos[st.dependents[o]] for o in outs if st.dependents[o] in pos]
    h.freeze()
    names = [st.names[v] if v >= len(g) else (g.names[v] if g.ops[v] == "input" or g.kinds[v] == "anon"
                                               else f"{g.names[v]} = {g.texts[v]}") for v in nodes]
    return Remaining(h, names, values, fill, full.order_name, full.order, steps, list(lin.warnings))


def split_order(text: str) -> list[str]:
    """An ``--order`` list: names separated by commas outside brackets, so ``max(a, b),c`` is two names."""
    names, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            names.append(cur.strip())
            cur = ""
        else:
            cur += ch
    names.append(cur.strip())
    return [n for n in names if n]
