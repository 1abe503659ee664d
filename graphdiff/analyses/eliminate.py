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
the same ties), ``optimal`` (least multiplications over all vertex elimination orders: branch and bound over
the sets of eliminated vertices, best bound first, from the cheapest heuristic order and with the lower bound
of :func:`lower_bound`; up to :data:`OPTIMAL_MAX` intermediates, within a :class:`Budget`, and it says whether
it proved the optimum), ``anneal`` (simulated annealing from the best heuristic, within a :class:`Budget`) and
an explicit list of names (:func:`parse_order` reads ``--order`` text: a name, a list, or ``@FILE``).

Why elimination counts differ from ``grad``'s sweep counts: a sweep multiplies by every partial on every edge
it visits, the seed's 1 and the partials that are 1 included, while elimination multiplies only to form a
product of two edges; an input-to-output edge costs a sweep one multiplication and elimination none.
"""
from __future__ import annotations

import heapq
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ..base.errors import InputError, suggest
from ..sweeps.evaluate import Linearization
from ..sweeps.extended import settle
from ..sweeps.faults import derivative_faults, linearize_for_derivatives
from ..language.graph import Graph, select
from ..base.notation import factor, json_num as num, partial, plural
from ..sweeps.reach import ancestors, descendants

ORDERS = ("forward", "reverse", "markowitz", "min-fill", "optimal", "anneal")
#: Other spellings of order names, after lower case and ``_`` or a space read as ``-`` (``--order Min_Fill``).
ALIASES = {"minfill": "min-fill"}
#: The orders ``cost`` counts (``anneal`` is a search with a budget: ``graphdiff eliminate --order anneal``).
COST_ORDERS = ORDERS[:5]
#: ``anneal``: by default, whole orders evaluated and seconds, whichever runs out first; the seed; the most
#: intermediates it searches over; and, once the temperature is at its floor, how many orders in a row may find
#: nothing better before it stops ("converged").
ANNEAL_BUDGET = 50_000
ANNEAL_SECONDS = 4.0
ANNEAL_SEED = 1
ANNEAL_MAX = 3_000
ANNEAL_PATIENCE = 25_000
#: ``optimal`` searches up to this many intermediates; above, it refuses and names the cheapest order counted.
OPTIMAL_MAX = 3_000
#: ``optimal`` bounds pairs of adjacent intermediates together up to this many intermediates (a pair takes four
#: max-flows, each over the nodes it reaches: on a deep graph, time that grows as the square of its size).
PAIRS_MAX = 500
#: ``optimal``: by default, sets of eliminated vertices explored and seconds, whichever runs out first.
OPTIMAL_BUDGET = 200_000
OPTIMAL_SECONDS = 10.0
#: ``min-fill`` recounts the fill of the vertices around each one eliminated; above this many intermediates it
#: refuses (use markowitz).
MIN_FILL_MAX = 20_000
#: The most edges the graph may hold during an elimination (``--max-fill``), by default.
MAX_EDGES = 5_000_000
#: The most multiplications an elimination may take (``--max-work``), by default: forward order on a long
#: chain with one shared weight takes n²/2 of them.
MAX_WORK = 50_000_000


@dataclass(frozen=True)
class Budget:
    """How long a search for an order may run (``--order anneal`` or ``optimal``): ``evaluations`` (anneal: whole
    orders evaluated; optimal: sets of eliminated vertices explored), ``seconds``, or both, whichever runs out
    first. A search that stops at ``evaluations`` gives the same order every run; one that stops at ``seconds``
    stops wherever the machine has got to, and says so.

    >>> Budget.parse("20000"), Budget.parse("2.5s")
    (Budget(evaluations=20000, seconds=None), Budget(evaluations=None, seconds=2.5))
    """

    evaluations: int | None = None
    seconds: float | None = None

    @classmethod
    def parse(cls, text: str) -> "Budget":
        """``--budget`` text: a whole number of evaluations (``20000``) or seconds (``30s``, ``2.5s``)."""
        t = text.strip().lower().replace(",", "").replace("_", "")
        try:
            if t.endswith("s"):
                seconds = float(t[:-1])
                if math.isfinite(seconds) and seconds > 0:
                    return cls(seconds=seconds)
            elif int(t) >= 0:
                return cls(evaluations=int(t))
        except ValueError:
            pass
        raise InputError(f"--budget {text!r}: expected a number of evaluations (20000) or of seconds (30s)")

    def to_dict(self) -> dict[str, Any]:
        return {"evaluations": self.evaluations, "seconds": self.seconds}

    def text(self, unit: str) -> str:
        """``50,000 orders or 4 s``."""
        parts = ([plural(self.evaluations, unit)] if self.evaluations is not None else []) + (
            [f"{self.seconds:g} s"] if self.seconds is not None else [])
        return " or ".join(parts) or "no limit"


#: The budget of each search when none is given.
BUDGETS = {"anneal": Budget(ANNEAL_BUDGET, ANNEAL_SECONDS), "optimal": Budget(OPTIMAL_BUDGET, OPTIMAL_SECONDS)}


@dataclass(frozen=True)
class Search:
    """What a search for an order did: ``tried`` orders evaluated (anneal) or sets of eliminated vertices explored
    (optimal), in ``seconds``, from the order ``start`` that took ``start_multiplications``, and why it stopped:
    ``"evaluations"`` or ``"time"`` (its budget ran out), ``"converged"`` (anneal: at its lowest temperature,
    :data:`ANNEAL_PATIENCE` orders in a row found nothing better), ``"proven"`` (optimal: no order takes fewer
    multiplications). ``lower_bound`` (optimal): no order takes fewer multiplications than this."""

    kind: str
    tried: int
    seconds: float
    stopped: str
    budget: Budget
    start: str
    start_multiplications: int
    seed: int | None = None
    lower_bound: int | None = None
    #: whether another run gives the same order: no part of the search stopped at a time budget
    reproducible: bool = True

    @property
    def proven(self) -> bool:
        return self.stopped == "proven"

    def sentence(self, found: int, longer: str | None = None) -> str:
        """What the search did, in words, for an order of ``found`` multiplications; ``longer`` says how to
        search longer (by default a ``--budget`` twice this one).

        >>> Search("optimal", 0, 0.002, "proven", Budget(10), "reverse", 29, lower_bound=29).sentence(29)
        "Optimal: no order takes fewer than 29 multiplications (the lower bound alone proves reverse order's 29 \
optimal, in under 0.01 s)."
        """
        secs = "under 0.01 s" if self.seconds < 0.005 else f"{self.seconds:.2f} s"
        start = "the anneal's" if self.start == "anneal" else f"{self.start} order's"
        if self.kind == "anneal":
            text = (f"The anneal tried {plural(self.tried, 'order')} in {secs} (seed {self.seed}) from {start} "
                    f"{plural(self.start_multiplications, 'multiplication')}"
                    + (f", down to {found:,}" if found < self.start_multiplications else ", and found none cheaper"))
            if self.stopped == "converged":
                return text + (f"; it stopped when {ANNEAL_PATIENCE:,} orders in a row found nothing better (the same "
                               "order every run).")
        elif self.proven:
            how = ("the lower bound alone proves" if self.tried == 0 else
                   f"branch and bound, {plural(self.tried, 'set')} of eliminated vertices explored, proves")
            return (f"Optimal: no order takes fewer than {plural(found, 'multiplication')} ({how} {start} "
                    f"{self.start_multiplications:,} optimal, in {secs}).")
        else:
            text = (f"Not proven optimal: the search explored {plural(self.tried, 'set')} of eliminated vertices in "
                    f"{secs} from {start} {self.start_multiplications:,}; the best order found takes "
                    f"{plural(found, 'multiplication')}, and no order takes fewer than {self.lower_bound:,}")
        unit = "order" if self.kind == "anneal" else "set"
        if longer is None:
            twice = (f"{2 * (self.budget.evaluations or 0)}" if self.stopped == "evaluations" else
                     f"{2 * (self.budget.seconds or 0):g}s")
            longer = f"--budget {twice} searches longer"
        if self.stopped == "evaluations":
            return (f"{text}; it stopped at its budget of {plural(self.budget.evaluations or 0, unit)}, the same "
                    f"{'order' if self.kind == 'anneal' else 'place'} every run ({longer}).")
        return (f"{text}; it stopped at its time budget, {self.budget.seconds:g} s: another run, or another machine, "
                f"may stop elsewhere ({longer}; a budget in {unit}s, such as --budget 50000, stops at the same "
                f"place every run).")

    def to_dict(self) -> dict[str, Any]:
        common = {"seconds": round(self.seconds, 3), "stopped": self.stopped, "budget": self.budget.to_dict(),
                  "reproducible": self.reproducible,
                  "start": {"order": self.start, "multiplications": self.start_multiplications}}
        if self.kind == "anneal":
            return {"orders_tried": self.tried, "seed": self.seed, **common}
        return {"proven": self.proven, "lower_bound": self.lower_bound, "explored": self.tried, **common}


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
    """The result of eliminating every intermediate in ``order``: the Jacobian, the operations, the steps, and
    for ``anneal`` and ``optimal`` what the search did (``search``)."""

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
    search: Search | None = None

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
        if self.search is not None:
            out["search" if self.search.kind == "anneal" else "optimal"] = self.search.to_dict()
        return out


class _TooMuchWork(InputError):
    """An order passed ``--max-work``; :func:`eliminate` turns it into a message that names a cheaper order."""

    def __init__(self, vertex: str, step: int, of: int, multiplications: int):
        super().__init__(f"passed --max-work after eliminating {vertex}")
        self.vertex, self.step, self.of, self.multiplications = vertex, step, of, multiplications


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
        self.order: list[int] = []  # the vertices eliminated, in turn

    def copy(self) -> "_State":
        """The same graph, to eliminate apart (a heuristic's order tried out), with nothing eliminated yet."""
        other = _State.__new__(_State)
        other.__dict__.update(self.__dict__)
        other.pred = {v: dict(p) for v, p in self.pred.items()}
        other.succ = {v: dict(q) for v, q in self.succ.items()}
        other.mults = other.adds = other.steps_done = 0
        other.order = []
        return other

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
            raise _TooMuchWork(names[v], self.steps_done + 1, len(self.intermediates), self.mults)
        self.steps_done += 1
        self.order.append(v)
        self.adds += adds
        return Step(names[v], products, fills, mults, adds) if record else None


def order_name(text: str) -> str | None:
    """The order a name stands for, read as people write it (``Markowitz``, ``MIN_FILL``, ``minfill``), or None."""
    key = text.strip().lower().replace("_", "-").replace(" ", "-")
    key = ALIASES.get(key, key)
    return key if key in ORDERS else None


#: What ``--order`` takes, for messages.
ORDER_CHOICES = (f"the orders: {', '.join(ORDERS)}; or the intermediates' names, --order c,d; or a file of them, "
                 "--order @FILE")


def parse_order(text: str, g: Graph) -> str | list[str]:
    """``--order`` text: an order's name (any case: ``Markowitz``, ``minfill``), a list of node names (``c,d``;
    a single name that is a node of ``g`` is a list of one) or ``@FILE`` (:func:`read_order`). A name that is
    neither an order nor a node is refused, with the order it is close to, if any.

    >>> from graphdiff import loads
    >>> g = loads("c = a + b; d = c * b; e = d + c")
    >>> parse_order("Min_Fill", g), parse_order("d, c", g)
    ('min-fill', ['d', 'c'])
    """
    if text.startswith("@"):
        return read_order(text[1:])
    if text in ORDERS:
        return text
    names = split_order(text)
    if len(names) == 1 and "," not in text and g.find(names[0]) is None:
        known = order_name(text)
        if known:
            return known
        import difflib

        spellings = [*ORDERS, *ALIASES]
        guess = difflib.get_close_matches(text.strip().lower().replace("_", "-"), spellings, n=1)
        if guess:
            raise InputError(f"--order {text}: no such order; did you mean '{order_name(guess[0])}'? ({ORDER_CHOICES})")
        raise InputError(f"--order {text}: not an order, and no node named '{names[0]}' in {g.source}"
                         f"{suggest(names[0], g.index)} ({ORDER_CHOICES})")
    return names


def read_order(path: str) -> list[str]:
    """The names in an order file (``--order @FILE``): separated by commas or new lines; ``#`` starts a comment
    that runs to the end of its line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"--order @{path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise InputError(f"--order @{path}: not UTF-8 text") from None
    names = [n for line in text.splitlines() for n in split_order(line.split("#", 1)[0])]
    if not names:
        raise InputError(f"--order @{path}: no names in it (names separated by commas or new lines; # starts a "
                         "comment)")
    return names


def _chosen(st: _State, names: Sequence[str], g: Graph, every: bool = True) -> list[int]:
    """The vertices an explicit order names: each an intermediate, each once, and (``every``) all of them."""
    nodes = [g.node(name) for name in names]
    counts: dict[int, int] = {}
    for v in nodes:
        counts[v] = counts.get(v, 0) + 1
    inter = st.intermediates
    for name, v in zip(names, nodes):
        if counts[v] > 1:
            raise InputError(f"--order lists '{name}' {'twice' if counts[v] == 2 else f'{counts[v]:,} times'}: "
                             "each intermediate is eliminated once")
    wanted = set(inter)
    for name, v in zip(names, nodes):
        if v not in wanted:
            raise InputError(f"--order: '{name}' is not an intermediate between the selected inputs and outputs "
                             f"(the intermediates: {', '.join(g.names[u] for u in inter[:8])}"
                             f"{', …' if len(inter) > 8 else ''})")
    listed = set(nodes)
    missing = [u for u in sorted(wanted) if u not in listed]
    if missing and every:
        raise InputError(f"--order leaves {len(missing)} intermediate{'s' if len(missing) > 1 else ''} "
                         f"uneliminated: {', '.join(g.names[u] for u in missing[:8])}"
                         f"{', …' if len(missing) > 8 else ''}")
    return nodes


def _greedy(st: _State, how: str, record: bool) -> list[Step | None]:
    """Markowitz or min-fill: the vertex of least key first, from a priority queue whose stale entries (the vertex
    eliminated, or its key changed since) are skipped when popped."""
    inter = st.intermediates
    if how == "min-fill" and len(inter) > MIN_FILL_MAX:
        raise InputError(f"min-fill takes up to {MIN_FILL_MAX:,} intermediates; this selection has "
                         f"{len(inter):,}: use --order markowitz")
    key = st.degree if how == "markowitz" else st.fill
    left = set(inter)
    heap = [(key(v), v) for v in inter]
    heapq.heapify(heap)
    steps = []
    while heap:
        k, v = heapq.heappop(heap)
        if v not in left or k != key(v):
            continue
        left.discard(v)
        near = set(st.pred[v]) | set(st.succ[v])
        if how == "min-fill":  # fill changes for the neighbours of the neighbours too
            for u in list(near):
                near |= set(st.pred.get(u, ())) | set(st.succ.get(u, ()))
        steps.append(st.eliminate(v, record))
        for u in near:
            if u in left:
                heapq.heappush(heap, (key(u), u))
    return steps


def _order(st: _State, how: str | Sequence[str], g: Graph, record: bool, budget: Budget | None = None,
           progress: Callable[[int, int], None] | None = None) -> tuple[list[Step | None], Search | None]:
    """Eliminate every intermediate of ``st`` in the order ``how``: the steps, and what a search did."""
    if not isinstance(how, str):
        return [st.eliminate(v, record) for v in _chosen(st, how, g)], None
    name = order_name(how)
    if name is None:
        raise InputError(f"unknown order {how!r}: expected {', '.join(ORDERS)} or a list of node names")
    inter = st.intermediates
    if name in ("forward", "reverse"):
        return [st.eliminate(v, record) for v in (inter if name == "forward" else reversed(inter))], None
    if name in ("markowitz", "min-fill"):
        return _greedy(st, name, record), None
    order, search = (_optimal if name == "optimal" else _anneal)(st, g, budget or BUDGETS[name], progress)
    return [st.eliminate(v, record) for v in order], search


def _heuristics(st: _State, g: Graph, names: Sequence[str]) -> dict[str, tuple[list[int], int]]:
    """The order and the multiplications of each heuristic named, tried on a copy of ``st``; one that passes
    ``--max-work`` or ``--max-fill``, or does not run on a graph this size, is left out."""
    out = {}
    for how in names:
        trial = st.copy()
        try:
            _order(trial, how, g, False)
        except InputError:
            continue
        out[how] = (trial.order, trial.mults)
    return out


def _cheapest(runs: dict[str, tuple[list[int], int]]) -> str:
    """The heuristic of fewest multiplications, ties to the first."""
    return min(runs, key=lambda k: runs[k][1])


def _advice(st: _State, g: Graph, search: str) -> str:
    """What to use instead of a search that refuses a graph this size: the cheapest order counted."""
    m = len(st.intermediates)
    runs = _heuristics(st, g, ("forward", "reverse", "markowitz") + (("min-fill",) if m <= ANNEAL_MAX else ()))
    if not runs:
        return ": every order counted passes --max-work; raise it"
    best = _cheapest(runs)
    others = ", ".join(f"{k} {runs[k][1]:,}" for k in runs if k != best)
    anneal = ", or --order anneal to search below it" if search == "optimal" and m <= ANNEAL_MAX else ""
    return (f": the cheapest order counted is {best}, {plural(runs[best][1], 'multiplication')}"
            f"{f' ({others})' if others else ''}: use --order {best}{anneal}")


class _Bits:
    """The structure of the graph being eliminated as bitsets, an int per node with bit j for the j-th node of
    ``nodes``: ``pred[j]`` and ``succ[j]``; ``inter`` the positions of the intermediates left, ``ends`` the bitset
    of the other nodes (selected inputs, dependent outputs: never eliminated)."""

    def __init__(self, st: _State):
        self.nodes = list(st.pred)
        self.at = {v: j for j, v in enumerate(self.nodes)}
        self.pred = [self.bitset(st.pred[v]) for v in self.nodes]
        self.succ = [self.bitset(st.succ[v]) for v in self.nodes]
        self.inter = [self.at[v] for v in st.intermediates if v in self.at]
        self.inter_mask = self.bitset(self.nodes[j] for j in self.inter)
        self.ends = ((1 << len(self.nodes)) - 1) & ~self.inter_mask

    def bitset(self, vertices) -> int:
        m = 0
        for v in vertices:
            m |= 1 << self.at[v]
        return m

    def cost(self, order: Sequence[int]) -> int:
        """The multiplications of eliminating ``order`` (positions), the structure left unchanged."""
        pred, succ = self.pred[:], self.succ[:]
        return sum(_eliminate_bits(pred, succ, j) for j in order)


def _members(x: int):
    """The positions of the bits set in ``x``, lowest first."""
    while x:
        low = x & -x
        yield low.bit_length() - 1
        x ^= low


def _eliminate_bits(pred: list[int], succ: list[int], j: int) -> int:
    """Eliminate node ``j`` from the bitsets (every predecessor now reaches every successor); its
    multiplications, |P|·|S|."""
    P, S = pred[j], succ[j]
    keep = ~(1 << j)
    x = P
    while x:
        low = x & -x
        i = low.bit_length() - 1
        succ[i] = (succ[i] & keep) | S
        x ^= low
    x = S
    while x:
        low = x & -x
        k = low.bit_length() - 1
        pred[k] = (pred[k] & keep) | P
        x ^= low
    pred[j] = succ[j] = 0
    return P.bit_count() * S.bit_count()


class _Clock:
    """A budget being spent: :meth:`over` says which of its limits has run out, :meth:`report` tells the
    ``progress`` callback the share used, as ``(done, total)``: evaluations where the budget has a number of
    them (the share of the time, if that is further along, in the same units), else milliseconds."""

    def __init__(self, budget: Budget, progress: Callable[[int, int], None] | None, start: float | None = None):
        self.budget, self.progress = budget, progress
        self.start = time.perf_counter() if start is None else start
        self.total = (budget.evaluations if budget.evaluations is not None
                      else round(budget.seconds * 1000) if budget.seconds is not None else 0)

    def seconds(self) -> float:
        return time.perf_counter() - self.start

    def over(self, done: int) -> str | None:
        if self.budget.evaluations is not None and done >= self.budget.evaluations:
            return "evaluations"
        if self.budget.seconds is not None and self.seconds() >= self.budget.seconds:
            return "time"
        return None

    def report(self, done: int) -> None:
        if self.progress is None or not self.total:
            return
        share = done if self.budget.evaluations is not None else 0
        if self.budget.seconds is not None:
            share = max(share, int(self.seconds() / self.budget.seconds * self.total))
        self.progress(min(share, self.total - 1), self.total)

    def finish(self) -> None:
        if self.progress is not None and self.total:
            self.progress(self.total, self.total)


#: The annealing schedule: the temperature starts at ``TEMPERATURE``, is multiplied by ``COOLING`` after every
#: move, and stays at ``FLOOR``; a move costlier by Δ is kept with probability exp(-Δ/T).
TEMPERATURE, COOLING, FLOOR = 2.0, 0.9995, 0.05


def _anneal_bits(bits: _Bits, start: list[int], budget: Budget, progress=None, seed: int = ANNEAL_SEED,
                 clock: _Clock | None = None) -> tuple[list[int], int, int, str]:
    """Simulated annealing from the order ``start`` (positions): move one vertex to another place, keep the move
    when it costs no more (or, with probability exp(-Δ/T), when it costs more). The best order, its
    multiplications, the orders tried and why it stopped.

    A move changes only the stretch between the two places: the vertices before it are eliminated as before,
    and after it the same set has been eliminated, so the graph, and what the rest costs, are as before (the
    graph after eliminating a set does not depend on the order). So only the stretch is eliminated again, from
    a copy of the graph kept every ``every`` places, and given up as soon as it costs so much that the move
    could not be kept (exp(-Δ/T) is 0.0 in floating point beyond Δ = 745·T). The moves, the draws of the seeded
    generator and so the orders found are those of evaluating every order whole."""
    clock = clock or _Clock(budget, progress)
    n = len(start)
    cur = list(start)
    every = max(8, math.isqrt(n))
    pred, succ = bits.pred[:], bits.succ[:]
    steps = [0] * n  # the multiplications of each place of the current order
    snaps = []  # snaps[c]: the graph after eliminating cur[:c * every]
    for t, v in enumerate(cur):
        if t % every == 0:
            snaps.append((pred[:], succ[:]))
        steps[t] = _eliminate_bits(pred, succ, v)
    cur_cost = sum(steps)
    best, best_cost = cur[:], cur_cost
    rng = random.Random(seed)
    temp, tried, since, stopped = TEMPERATURE, 0, 0, "converged"
    while n > 1:
        over = clock.over(tried)
        if over:
            stopped = over
            break
        if temp == FLOOR and since >= ANNEAL_PATIENCE:
            break
        if tried % 500 == 0:
            clock.report(tried)
        a, b = rng.randrange(n), rng.randrange(n)
        tried += 1
        since += 1
        if a != b:
            lo, hi = min(a, b), max(a, b)
            stretch = cur[a + 1:b + 1] + [cur[a]] if a < b else [cur[a]] + cur[b:a]
            rest = sum(steps[:lo]) + sum(steps[hi + 1:])
            limit = cur_cost - rest + 750 * temp  # a stretch dearer than this cannot be kept
            c0 = lo // every
            p, q = snaps[c0][0][:], snaps[c0][1][:]
            for v in cur[c0 * every:lo]:
                _eliminate_bits(p, q, v)
            costs, total, fresh = [], 0, []
            for t, v in enumerate(stretch):
                if t and (lo + t) % every == 0:
                    fresh.append(((lo + t) // every, p[:], q[:]))
                costs.append(_eliminate_bits(p, q, v))
                total += costs[-1]
                if total > limit:
                    break
            c = rest + total
            if c <= cur_cost or rng.random() < math.exp((cur_cost - c) / temp):
                cur[lo:hi + 1], steps[lo:hi + 1], cur_cost = stretch, costs, c
                for k, p2, q2 in fresh:
                    snaps[k] = (p2, q2)
                if c < best_cost:
                    best, best_cost, since = cur[:], c, 0
        temp = max(FLOOR, temp * COOLING)
    clock.finish()
    return best, best_cost, tried, stopped


def _anneal(st: _State, g: Graph, budget: Budget, progress=None) -> tuple[list[int], Search]:
    """Simulated annealing over elimination orders from the best of reverse, Markowitz and min-fill (T from 2
    down by 0.05 % a move to 0.05), within ``budget``, with the seed :data:`ANNEAL_SEED`: the same graph and
    a budget in evaluations give the same order."""
    clock = _Clock(budget, progress)
    if len(st.intermediates) > ANNEAL_MAX:
        raise InputError(f"anneal searches over up to {ANNEAL_MAX:,} intermediates; this selection has "
                         f"{len(st.intermediates):,}{_advice(st, g, 'anneal')}")
    runs = _heuristics(st, g, ("reverse", "markowitz", "min-fill"))
    if not runs:
        raise InputError(f"anneal starts from the cheapest of reverse, markowitz and min-fill order, and each passes "
                         f"--max-work {st.max_work:,}: raise --max-work")
    start = _cheapest(runs)
    bits = _Bits(st)
    order, _, tried, stopped = _anneal_bits(bits, [bits.at[v] for v in runs[start][0]], budget, clock=clock)
    return ([bits.nodes[j] for j in order],
            Search("anneal", tried, clock.seconds(), stopped, budget, start, runs[start][1], seed=ANNEAL_SEED,
                   reproducible=stopped != "time"))


def _separation(adj: list[int], v: int, ends: int, removed: int = -1) -> int:
    """How many paths lead from ``v`` along ``adj`` (bitsets) to the ends sharing no node but ``v`` (none through
    ``removed``): by Menger's theorem, the fewest nodes other than ``v`` that meet every such path.

    Augmenting paths, breadth first, on the residual graph of unit node capacities, which is never built: a
    node w is entered (w, 0) and left (w, 1); the flow is ``into[w]``, the node each path enters w from, and
    ``outof``, the reverse. From (u, 1) any arc u → w leads to (w, 0), and, if u carries flow, back to (u, 0);
    from (w, 0) an unused node leads on to (w, 1), or to the sink if it is an end, and a used one back along
    its flow to (into[w], 1)."""
    hops = adj[v] if removed < 0 else adj[v] & ~(1 << removed)
    limit = hops.bit_count()
    if limit <= 1 and removed < 0:
        return limit  # every node here reaches an end (it is on a path from an input to an output)
    keep = ~(1 << removed) if removed >= 0 else -1
    into: dict[int, int] = {}
    outof: dict[int, int] = {}
    flow = 0
    while flow < limit:
        start = 2 * v + 1
        back = {start: -1}
        queue, found = [start], -1
        for state in queue:
            u, side = state >> 1, state & 1
            if side:
                for w in _members(adj[u] & keep):
                    t = 2 * w
                    if t not in back:
                        back[t] = state
                        queue.append(t)
                if u != v and u in into and 2 * u not in back:
                    back[2 * u] = state
                    queue.append(2 * u)
            elif u not in into:
                if ends >> u & 1:
                    found = state
                    break
                if state + 1 not in back:
                    back[state + 1] = state
                    queue.append(state + 1)
            else:
                t = 2 * into[u] + 1
                if t not in back:
                    back[t] = state
                    queue.append(t)
        if found < 0:
            break
        outof[found >> 1] = -1  # the end now carries a path to the sink
        into[found >> 1] = -2  # entered: fixed below by the arc it was reached by
        state = found
        while back[state] >= 0:
            prev = back[state]
            a, b = prev >> 1, state >> 1
            if prev & 1 and not state & 1 and a != b:  # a forward arc a → b
                into[b] = a
                if a != v:
                    outof[a] = b
            elif not prev & 1 and state & 1 and a != b:  # back along the flow b → a: cancelled
                if into.get(a) == b:
                    del into[a]
                if outof.get(b) == a:
                    del outof[b]
            state = prev
        flow += 1
    return flow


@dataclass(frozen=True)
class _Pair:
    """Two intermediates joined by an edge u → w, and what each pays, at least, in either order. If u goes
    first, w is still its successor then (an edge between two nodes left is never removed), so u's successors
    meet every path from u to the ends and hold w: at least ``u_first_s`` = 1 + κ_out(u) without w; and w's
    predecessors then cannot hold u, so they are at least ``u_first_p`` = κ_in(w) with u uncuttable. If w goes
    first, the same the other way round: ``w_first_p`` = 1 + κ_in(w) without u for w's predecessors,
    ``w_first_s`` = κ_out(u) with w uncuttable for u's successors."""

    u: int
    w: int
    u_first_s: int
    u_first_p: int
    w_first_p: int
    w_first_s: int

    def bound(self, a: dict[int, int], b: dict[int, int]) -> int:
        """At least what eliminating u and w costs, whichever goes first, given a lower bound ``a`` on each one's
        number of predecessors and ``b`` on its number of successors whatever the order."""
        u, w = self.u, self.w
        return min(a[u] * max(self.u_first_s, b[u]) + max(self.u_first_p, a[w]) * b[w],
                   max(self.w_first_p, a[w]) * b[w] + a[u] * max(self.w_first_s, b[u]))


def _without(pred: list[int], succ: list[int], first: int, v: int, ends: int, successors: bool) -> int:
    """κ_in(v) (κ_out(v) if ``successors``) on the graph after eliminating ``first``: the fewest nodes other
    than ``first`` that meet every path between v and the ends (a set of nodes that meets every path after
    eliminating ``first`` meets every one before, and one without ``first`` that meets every one before meets
    every one after)."""
    pred, succ = pred[:], succ[:]
    _eliminate_bits(pred, succ, first)
    return _separation(succ if successors else pred, v, ends)


class _Bound:
    """A lower bound on what eliminating the intermediates ``left`` costs in any order, counted on one graph
    (bitsets ``pred``, ``succ``), and true on every graph that eliminations make from it.

    Why it is one. When an intermediate v is eliminated, after some set T, its predecessors then are exactly the
    nodes u not in T from which a path runs to v through nodes of T only (an edge u → w exists after
    eliminating T when, and only when, such a path does). Follow any path from an end (a selected input: never
    eliminated) to v backwards: the first node on it not in T is one of those predecessors. So the predecessors
    v has when it is eliminated meet every path from the ends to v, and there are at least as many of them as
    the most such paths that share no node but v (Menger's theorem): κ_in(v), which :func:`_separation` counts.
    The same holds for the successors and the paths from v to the ends (the dependent outputs), κ_out(v).
    Eliminating v costs |P|·|S| ≥ κ_in(v)·κ_out(v) whatever went before; an end that is a predecessor or
    successor of v stays one until v goes (ends are never eliminated), so each factor is also at least the
    number of ends v is joined to at the time the bound is read (:meth:`factors`). Two intermediates joined by
    an edge are bounded together (:class:`_Pair`: whichever goes first makes its own bound, or the other's,
    larger); the pairs are disjoint (chosen greedily, largest gain first; up to :data:`PAIRS_MAX` intermediates),
    so the sum over the pairs and the single intermediates is at most what any order of them costs. And every
    figure stays true after more eliminations: a set of nodes that meets every path on the graph after them met
    every path on this one."""

    def __init__(self, pred: list[int], succ: list[int], left: Sequence[int], ends: int):
        self.ends = ends
        k_in = self.k_in = {j: _separation(pred, j, ends) for j in left}
        k_out = self.k_out = {j: _separation(succ, j, ends) for j in left}
        self.pair: dict[int, _Pair] = {}
        mask = sum(1 << j for j in left)
        found = []
        for u in left if len(left) <= PAIRS_MAX else ():
            for w in _members(succ[u] & mask):
                # each figure is at most the set it bounds as it stands (u first: S(u); P(w) after eliminating u;
                # w first: P(w); S(u) after eliminating w): skip a pair that could not gain even so
                most = _Pair(u, w, succ[u].bit_count(), (pred[w] & ~(1 << u) | pred[u]).bit_count(),
                             pred[w].bit_count(), (succ[u] & ~(1 << w) | succ[w]).bit_count())
                single = k_in[u] * k_out[u] + k_in[w] * k_out[w]
                if most.bound(k_in, k_out) <= single:
                    continue
                p = _Pair(u, w, 1 + _separation(succ, u, ends, removed=w), _without(pred, succ, u, w, ends, False),
                          1 + _separation(pred, w, ends, removed=u), _without(pred, succ, w, u, ends, True))
                gain = p.bound(k_in, k_out) - single
                if gain > 0:
                    found.append((-gain, u, w, p))
        for *_, p in sorted(found, key=lambda t: t[:3]):
            if p.u not in self.pair and p.w not in self.pair:
                self.pair[p.u] = self.pair[p.w] = p

    def factors(self, pred: list[int], succ: list[int], j: int) -> tuple[int, int]:
        """At least how many predecessors and successors j has when it is eliminated, read on the graph
        ``pred``, ``succ`` (this one, or one that eliminations made from it)."""
        return (max(self.k_in[j], (pred[j] & self.ends).bit_count()),
                max(self.k_out[j], (succ[j] & self.ends).bit_count()))

    def group(self, j: int, gone: int) -> int:
        """The intermediate that stands for j's group while the bitset ``gone`` has been eliminated: the pair's
        u while both of the pair are left, else j."""
        p = self.pair.get(j)
        if p is None or (gone >> p.u | gone >> p.w) & 1:
            return j
        return p.u

    def members(self, r: int, gone: int) -> tuple[int, ...]:
        p = self.pair.get(r)
        return (p.u, p.w) if p is not None and p.u == r and not (gone >> p.w) & 1 else (r,)

    def term(self, r: int, a: dict[int, int], b: dict[int, int], gone: int) -> int:
        """The bound on the group ``r`` stands for, from the factors ``a`` and ``b``."""
        p = self.pair.get(r)
        return p.bound(a, b) if p is not None and p.u == r and not (gone >> p.w) & 1 else a[r] * b[r]

    def read(self, pred: list[int], succ: list[int], left: Sequence[int], gone: int):
        """The bound on the graph ``pred``, ``succ``, where ``left`` are the intermediates left and ``gone`` the
        bitset of those eliminated since this bound was counted: its value, the factors, each group's term."""
        a, b = {}, {}
        for j in left:
            a[j], b[j] = self.factors(pred, succ, j)
        terms = {r: self.term(r, a, b, gone) for r in {self.group(j, gone) for j in left}}
        return sum(terms.values()), a, b, terms


class _BranchAndBound:
    """The order of least multiplications: best-first branch and bound (A*) over the sets of eliminated
    intermediates (the graph after eliminating a set does not depend on the order they went in, so a set is a
    state), each set reached by its cheapest known way, and expanded only while its cost so far plus the
    :class:`_Bound` on the rest (counted once, before the search, and read on each state's graph) is below the
    best order known. The bound can fall by more than a step costs (a pair's gain goes with its first vertex),
    so a state's is never taken below its parent's (pathmax), and a state reached more cheaply later is
    expanded again. When the least bound in the queue reaches the best order known, that order is optimal;
    when the budget runs out first, that least bound is the lower bound proven.

    (Counting the bound afresh on each state's graph is far tighter deep in the search, but it costs a few
    hundred max-flows a state; on the graphs measured, fewer states did not pay for them.)"""

    def __init__(self, bits: _Bits):
        self.bits = bits
        self.pos = {j: k for k, j in enumerate(bits.inter)}
        self.root = _Bound(bits.pred, bits.succ, bits.inter, bits.ends)

    def graph(self, done: int) -> tuple[list[int], list[int], list[int], int]:
        """After eliminating the set ``done`` (bit k: the k-th intermediate): the bitsets, the intermediates
        left and the bitset of those gone."""
        pred, succ = self.bits.pred[:], self.bits.succ[:]
        gone = 0
        for k in _members(done):
            _eliminate_bits(pred, succ, self.bits.inter[k])
            gone |= 1 << self.bits.inter[k]
        return pred, succ, [j for j in self.bits.inter if not gone >> j & 1], gone

    def bound(self, done: int = 0, counted_after: int | None = 0) -> int:
        """The lower bound on what eliminating the intermediates left after the set ``done`` costs: counted on
        the graph after the subset ``counted_after`` of it (0: before any, as the search does; None: on the
        graph after ``done`` itself, as :func:`lower_bound` does), read on the graph after ``done``."""
        at = done if counted_after is None else counted_after
        pred, succ, left, gone = self.graph(at)
        b = self.root if at == 0 else _Bound(pred, succ, left, self.bits.ends)
        pred, succ, left, now = self.graph(done)
        return b.read(pred, succ, left, now & ~gone)[0]

    def run(self, best: int, order: list[int], clock: _Clock) -> tuple[list[int], int, int, str, int]:
        """From an order of ``best`` multiplications: the best order found, its multiplications, the states
        explored, why the search stopped (``proven``, or the budget's ``evaluations`` or ``time``) and the lower
        bound proven on every order."""
        bits, pos, bound = self.bits, self.pos, self.root
        mask, ends = bits.inter_mask, bits.ends
        full = (1 << len(bits.inter)) - 1
        heap = [(bound.read(bits.pred, bits.succ, bits.inter, 0)[0], 0, 0)]  # (bound on the whole, -so far, set)
        reached = {0: (0, 0, -1)}  # set -> (least cost so far, the set before, the intermediate added)
        explored, stopped, low = 0, "proven", best
        while heap:
            f, minus_g, done = heap[0]
            if f >= best:
                break
            over = clock.over(explored)
            if over:
                stopped, low = over, f
                break
            heapq.heappop(heap)
            g = -minus_g
            if reached[done][0] < g:
                continue  # reached more cheaply since it was pushed
            explored += 1
            if explored % 500 == 0:
                clock.report(explored)
            pred, succ, left, gone = self.graph(done)
            h, a, b, terms = bound.read(pred, succ, left, gone)
            first = self.first(pred, succ, left)
            for j in left if first is None else (first,):
                P, S = pred[j], succ[j]
                g2 = g + P.bit_count() * S.bit_count()
                after = done | 1 << pos[j]
                if after == full:
                    if g2 < best:
                        best, order = g2, self.path(reached, done) + [j]
                    continue
                if after in reached and reached[after][0] <= g2:
                    continue
                gone2 = gone | 1 << j
                touched, saved = {bound.group(j, gone)}, []
                for i in _members(P & mask):  # P's successors gain S, S's predecessors gain P: factors only grow
                    saved.append((i, a[i], b[i]))
                    b[i] = max(bound.k_out[i], ((succ[i] | S) & ends).bit_count())
                    touched.add(bound.group(i, gone))
                for i in _members(S & mask):
                    saved.append((i, a[i], b[i]))
                    a[i] = max(bound.k_in[i], ((pred[i] | P) & ends).bit_count())
                    touched.add(bound.group(i, gone))
                rest = {i for r in touched for i in bound.members(r, gone)} - {j}
                h2 = h - sum(terms[r] for r in touched) + sum(
                    bound.term(r, a, b, gone2) for r in {bound.group(i, gone2) for i in rest})
                for i, ai, bi in reversed(saved):
                    a[i], b[i] = ai, bi
                f2 = max(f, g2 + h2)
                if f2 < best:
                    reached[after] = (g2, done, pos[j])
                    heapq.heappush(heap, (f2, -g2, after))
        clock.finish()
        return order, best, explored, stopped, best if stopped == "proven" else min(low, best)

    def first(self, pred: list[int], succ: list[int], left: list[int]) -> int | None:
        """An intermediate some optimal order of those ``left`` eliminates first, where one is known: one joined
        to a single end on one side and to a single node on the other. Say its predecessor is the end x and its
        successor s (the other way round is the same, reversed). Eliminating it costs 1, the least any vertex
        costs. Its predecessor stays x whatever goes first (x is never eliminated), so eliminating it from the
        graph after any set T only replaces it by x among the predecessors of its successors then: no other
        vertex gains a predecessor or a successor. So moving it to the front of any order makes no step dearer,
        and its own step costs 1 against at least 1."""
        ends = self.bits.ends
        for j in left:
            P, S = pred[j], succ[j]
            if P.bit_count() == 1 and S.bit_count() == 1 and (P | S) & ends:
                return j
        return None

    def path(self, reached: dict[int, tuple[int, int, int]], done: int) -> list[int]:
        out = []
        while done:
            _, done, k = reached[done]
            out.append(self.bits.inter[k])
        return out[::-1]


def _optimal(st: _State, g: Graph, budget: Budget, progress=None) -> tuple[list[int], Search]:
    """The order of least multiplications by :class:`_BranchAndBound`, within ``budget``, after which the best
    order found and the lower bound proven are what it has. Its first upper bound is the cheapest of reverse,
    Markowitz, forward and min-fill order (tried in turn until one meets the lower bound), and, when the bound
    does not prove that one optimal, of an anneal from it: as many orders as the budget's evaluations, at most
    :data:`ANNEAL_BUDGET`, and at most half the budget's time."""
    clock = _Clock(budget, progress)
    m = len(st.intermediates)
    if m > OPTIMAL_MAX:
        raise InputError(f"the optimal order is searched for up to {OPTIMAL_MAX:,} intermediates; this selection "
                         f"has {m:,}{_advice(st, g, 'optimal')}")
    bits = _Bits(st)
    search = _BranchAndBound(bits)
    low = search.bound()
    runs: dict[str, tuple[list[int], int]] = {}
    for how in ("reverse", "markowitz", "forward", "min-fill"):
        runs.update(_heuristics(st, g, (how,)))
        if runs and runs[_cheapest(runs)][1] <= low:
            break
    if not runs:
        raise InputError(f"the optimal order's search starts from the cheapest of reverse, markowitz, forward and "
                         f"min-fill order, and each passes --max-work {st.max_work:,}: raise --max-work")
    start = _cheapest(runs)
    order, best = [bits.at[v] for v in runs[start][0]], runs[start][1]
    timed = False
    if best > low and m > 1:
        first = Budget(min(ANNEAL_BUDGET, budget.evaluations if budget.evaluations is not None else ANNEAL_BUDGET),
                       budget.seconds / 2 if budget.seconds is not None else None)
        a_order, a_best, _, why = _anneal_bits(bits, order, first)
        timed = why == "time"
        if a_best < best:
            order, best, start = a_order, a_best, "anneal"
    first_best = best
    order, best, explored, stopped, low = search.run(best, order, clock)
    return ([bits.nodes[j] for j in order],
            Search("optimal", explored, clock.seconds(), stopped, budget, start, first_best, lower_bound=low,
                   reproducible=stopped != "time" and not timed))


def _budget(budget: int | Budget | None, order: str) -> Budget | None:
    if budget is None:
        return BUDGETS.get(order)
    return budget if isinstance(budget, Budget) else Budget(evaluations=budget)


def _work_message(g: Graph, ins: list[int], outs: list[int], name: str, e: _TooMuchWork, max_edges: int,
                  max_work: int) -> str:
    """The order passed ``--max-work``: where, and which other order stays within it, if one does."""
    what = "the order given" if name == "explicit" else f"{name} order"
    text = (f"{what} passes --max-work {max_work:,} when it eliminates {e.vertex} (vertex {e.step:,} of "
            f"{e.of:,}, {plural(e.multiplications, 'multiplication')} so far)")
    fits, tried = {}, []
    for other in ("forward", "reverse", "markowitz", "min-fill"):
        st = _State(g, None, ins, outs, max_edges, max_work)
        if other == name or other == "min-fill" and len(st.intermediates) > ANNEAL_MAX:
            continue
        tried.append(other)
        try:
            _order(st, other, g, False)
        except InputError:
            continue
        fits[other] = st.mults
    if fits:
        best = min(fits, key=lambda k: fits[k])
        return (f"{text}; {best} order takes {plural(fits[best], 'multiplication')}: use --order {best}, or raise "
                "--max-work")
    return (f"{text}; no other order counted ({', '.join(tried)}) stays within "
            f"{plural(max_work, 'multiplication')}: raise --max-work")


def eliminate(g: Graph, inputs: Mapping[str, float] | None = None, *, order: str | Sequence[str] = "markowitz",
              of: Sequence[str | int] | None = None, wrt: Sequence[str | int] | None = None,
              max_edges: int = MAX_EDGES, max_work: int | None = MAX_WORK, ieee: bool = False,
              record: bool = True, values: bool = True, budget: int | Budget | None = None,
              progress: Callable[[int, int], None] | None = None) -> Elimination:
    """The Jacobian of ``of`` (default: the outputs) with respect to ``wrt`` (default: the inputs) by vertex
    elimination in ``order``; ``values=False`` counts without input values (every partial taken as 1).
    ``budget`` bounds the searches, ``anneal`` and ``optimal``: a :class:`Budget`, or a number of evaluations
    (the same order every run); by default :data:`BUDGETS`. ``progress(done, total)`` hears how far a search
    has got.

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
    if isinstance(order, str):
        name = order_name(order)
        if name is None:
            raise InputError(f"unknown order {order!r}: expected {', '.join(ORDERS)} or a list of node names")
    else:
        name = "explicit"
        _chosen(_State(g, None, ins, outs, max_edges), order, g)  # before asking for values
    lin = linearize_for_derivatives(g, inputs, ieee=ieee) if values else None
    work = max_work if max_work is not None else 10**18
    st = _State(g, lin, ins, outs, max_edges, work)
    try:
        steps, search = _order(st, order, g, record, _budget(budget, name), progress)
    except _TooMuchWork as e:
        raise InputError(_work_message(g, ins, outs, name, e, max_edges, work)) from None
    jac = {o: {i: st.pred.get(st.dependents[o], {}).get(i, 1.0 if i == o else 0.0) for i in ins} for o in outs}
    if lin is not None:  # grad's rule for what float64 could not carry: recompute, else report at the user's node
        lin.warnings.extend(settle(lin, jac))
        faults = derivative_faults(lin, jac)
        if faults and not ieee:
            raise faults[0].error(g)
    return Elimination(g, name, [s.vertex for s in steps] if record else [], outs, ins, jac, st.mults, st.adds,
                       st.merges, steps if record else [], st.copies, list(lin.warnings) if lin else [],
                       record, search)


def lower_bound(g: Graph, eliminated: Sequence[str] = (), *, of: Sequence[str | int] | None = None,
                wrt: Sequence[str | int] | None = None) -> int:
    """Fewer multiplications than this no order of the intermediates takes (those left after eliminating
    ``eliminated`` first, whose own cost is not counted): the bound :class:`_BranchAndBound` proves optimality
    with, computed afresh on the graph left.

    >>> from graphdiff import loads
    >>> g = loads("c = a + b; d = c * b; e = d + c")
    >>> lower_bound(g), eliminate(g, order="optimal", values=False).multiplications
    (4, 4)
    """
    outs, ins = select(g, of, g.outputs), select(g, wrt, g.inputs)
    st = _State(g, None, ins, outs, MAX_EDGES)
    for v in _chosen(st, eliminated, g, every=False):
        st.eliminate(v, False)
    b = _Bits(st)
    return _Bound(b.pred, b.succ, b.inter, b.ends).read(b.pred, b.succ, b.inter, 0)[0]


def order_costs(g: Graph, orders: Sequence[str] = COST_ORDERS,
                budget: int | Budget | None = None) -> dict[str, tuple[int, int] | str]:
    """Multiplications and additions of the whole Jacobian by each order (structure only), or why an order
    does not run (``optimal`` above :data:`OPTIMAL_MAX` intermediates)."""
    out: dict[str, tuple[int, int] | str] = {}
    for o in orders:
        try:
            r = eliminate(g, order=o, record=False, values=False, budget=budget)
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
