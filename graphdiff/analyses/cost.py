"""What the full Jacobian costs by forward mode, reverse mode and the sum over paths, counted from the
graph's structure without computing a number (the essay's "computational victories").

Counting rules (the same as the sweeps of :mod:`graphdiff.accumulate` perform):

* a sweep visits the part of the graph its seed reaches: the descendants of an input (forward), the
  ancestors of an output (reverse);
* it multiplies once per edge it visits and adds once per contribution beyond the first arriving at a node;
* summing over paths costs k − 1 multiplications for a path of k edges and P − 1 additions for P paths.

Sweep counts are exact, by the cheaper of a traversal per seed and bitset passes
(:func:`~graphdiff.reach.sweep_counts`); only where both would scan more than ``budget`` edges (thousands of
inputs each reaching most of a large graph) is a random sample counted and scaled up, and the result says so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from ..sweeps.accumulate import Operations
from ..language.graph import Graph
from ..base.notation import plural, times
from ..sweeps.paths import path_lengths
from ..sweeps.reach import COUNT_BUDGET, SweepCount, connected_pairs, sweep_counts


def ratio(a: int, b: int) -> float | str:
    """a / b as a float (1 for 0 / 0, inf for a / 0), or ``"1e+N"`` when it is too large for one."""
    if b == 0:
        return 1.0 if a == 0 else math.inf
    try:
        return a / b
    except OverflowError:
        return f"1e+{len(str(a // b)) - 1}"


@dataclass(frozen=True)
class Cost:
    """Operations of the full Jacobian in each mode, and how the paths between inputs and outputs stand."""

    graph: Graph
    inputs: list[int]
    outputs: list[int]
    forward: Operations
    reverse: Operations
    paths: Operations
    path_count: int  # paths from the inputs to the outputs, over all pairs
    connected_pairs: int  # (input, output) pairs joined by at least one path
    counted: dict[str, int] = field(default_factory=dict)  # mode -> sweeps counted, where fewer than all
    derived: dict[str, Any] | None = None  # a derived program's size beside the original's (shape.derived_size)
    #: vertex elimination by order: (multiplications, additions), or why it was not counted (eliminate.py)
    elimination: dict[str, tuple[int, int] | str] = field(default_factory=dict)
    #: what the search for an order did (``optimal``: proven or not, the lower bound), by order
    searches: dict[str, Any] = field(default_factory=dict)

    def elimination_sentence(self) -> str | None:
        """Which elimination order is cheapest, against the sweeps, and why the counts differ."""
        done = {k: v for k, v in self.elimination.items() if not isinstance(v, str)}
        if not done:
            return None
        best = min(done, key=lambda k: (sum(done[k]), list(done).index(k)))
        m, a = done[best]
        sweep = min(("reverse", "forward"), key=lambda k: self.modes()[k].total)
        which = (f"{best} order" if best not in self.searches or self.searches[best].proven else
                 f"the order the {best} search found (not proven {best})")
        text = (f"Vertex elimination in {which} is the cheapest order counted: {plural(m, 'multiplication')} "
                f"and {plural(a, 'addition')} ({m + a:,} operations, against {sweep} mode's "
                f"{self.modes()[sweep].total:,})")
        return text + ("; elimination counts fewer because it multiplies only to join two edges, while a sweep also "
                       "multiplies by the seed 1 and by every partial on the edges it visits."
                       if m + a < self.modes()[sweep].total else ".")


    def exact(self, mode: str) -> bool:
        """Whether the counts of ``mode`` are exact (else scaled from ``counted[mode]`` of its sweeps)."""
        return mode not in self.counted

    def modes(self) -> dict[str, Operations]:
        return {"forward": self.forward, "reverse": self.reverse, "paths": self.paths}

    def cheapest(self) -> str:
        """The factored mode (reverse or forward) with the fewest operations, ties going to fewer sweeps and
        then to reverse; the naive sum over paths only when it takes strictly fewer operations and more than
        none (so that every other mode's ratio to the cheapest is finite)."""
        best = min(("reverse", "forward"), key=lambda m: (self.modes()[m].total, self.modes()[m].sweeps))
        if 0 < self.paths.total < self.modes()[best].total:
            return "paths"
        return best

    def ratios(self) -> dict[str, float | str]:
        """Each mode's operations over the cheapest mode's (a string ``"1e+N"`` beyond a float's range)."""
        best = self.modes()[self.cheapest()].total
        return {m: ratio(o.total, best) for m, o in self.modes().items()}

    def sentences(self) -> list[str]:
        """What the counts say, in words: which factored mode wins and by how much, what the naive sum over
        paths costs, and which counts are estimates."""
        f, r = self.forward, self.reverse
        if f.sweeps == r.sweeps and f.total == r.total:
            first = (f"Forward and reverse mode cost the same here: {plural(f.sweeps, 'sweep')} and "
                     f"{plural(f.total, 'operation')} each.")
        else:
            win, lose = ("reverse", "forward") if (r.total, r.sweeps) <= (f.total, f.sweeps) else ("forward", "reverse")
            w, l_ = self.modes()[win], self.modes()[lose]
            if w.sweeps != l_.sweeps:
                first = (f"{win.capitalize()} mode wins: {plural(w.sweeps, 'sweep')} against {lose} mode's "
                         f"{l_.sweeps:,}, a factor of {times(ratio(l_.sweeps, w.sweeps))[:-1]} in sweeps "
                         f"({w.total:,} against {plural(l_.total, 'operation')}, {times(ratio(l_.total, w.total))}).")
            else:
                first = (f"{win.capitalize()} mode wins: {plural(w.total, 'operation')} against {lose} mode's "
                         f"{l_.total:,} ({times(ratio(l_.total, w.total))}), in {plural(w.sweeps, 'sweep')} each.")
        best = min(f.total, r.total)
        if self.paths.total == 0:  # single edges: each partial is the derivative
            second = ("Summing over paths needs no operation here: "
                      + ("the one path is a single edge." if self.path_count == 1 else
                         f"each of the {self.path_count:,} paths is a single edge."))
        else:
            second = (f"Summing over all {plural(self.path_count, 'path')} naively costs "
                      f"{plural(self.paths.total, 'operation')}")
            second += f" ({times(ratio(self.paths.total, best))} the cheaper factored mode)." if best else "."
        return [first, second] + [
            f"{mode.capitalize()} mode's multiplications and additions are estimates: {n:,} of its "
            f"{self.modes()[mode].sweeps:,} sweeps, taken at random, were counted and scaled up; "
            "graphdiff cost --exact counts them all." for mode, n in self.counted.items()]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``graphdiff cost``."""
        g = self.graph
        modes = {}
        for name, o in self.modes().items():
            rt = self.ratios()[name]
            modes[name] = {"sweeps": o.sweeps, "multiplications": o.multiplications, "additions": o.additions,
                           "operations": o.total, "ratio": rt if isinstance(rt, str) or math.isfinite(rt) else None,
                           "exact": self.exact(name)}
            if not self.exact(name):
                modes[name]["sweeps_counted"] = self.counted[name]
        modes["paths"]["paths"] = self.path_count
        return {"inputs": len(self.inputs), "outputs": len(self.outputs), "nodes": len(g), "edges": g.n_edges,
                "modes": modes, "cheapest": self.cheapest(), "connected_pairs": self.connected_pairs,
                "summary": " ".join(self.sentences()), **({"derived_from": self.derived} if self.derived else {}),
                "elimination": {k: v if isinstance(v, str) else {"multiplications": v[0], "additions": v[1],
                                                                   "operations": v[0] + v[1], **self._proof(k)}
                                for k, v in self.elimination.items()}}

    def _proof(self, order: str) -> dict[str, Any]:
        """``optimal``'s row in JSON, where its search stopped at the budget before proving its order optimal:
        ``"proven": false`` and the lower bound it proved (a proven row is as it always was)."""
        s = self.searches.get(order)
        return {} if s is None or s.proven else {"proven": False, "lower_bound": s.lower_bound}


def _operations(c: SweepCount) -> Operations:
    return Operations(c.sweeps, c.visits, c.visits - c.reached)


def cost(g: Graph, inputs: list[int] | None = None, outputs: list[int] | None = None,
         progress: Callable[[int, int], None] | None = None, budget: int | None = COUNT_BUDGET) -> Cost:
    """Operation counts of the full Jacobian in each mode: exact, except where counting one mode's sweeps would
    scan more than ``budget`` edges by either exact method; that mode's counts are then scaled up from a
    random sample of its sweeps (``Cost.counted`` says how many; ``budget=None`` counts everything).

    >>> from graphdiff import loads
    >>> c = cost(loads("c = a + b; d = b + 1; e = c * d"))
    >>> c.reverse, c.forward
    (Operations(sweeps=1, multiplications=5, additions=1), Operations(sweeps=2, multiplications=6, additions=1))
    """
    ins = list(g.inputs if inputs is None else inputs)
    outs = list(g.outputs if outputs is None else outputs)
    fwd = sweep_counts(g, ins, True, budget, progress)
    rev = sweep_counts(g, outs, False, budget, progress)
    counted = {m: c.counted for m, c in (("forward", fwd), ("reverse", rev)) if not c.exact}
    # Paths: counts and lengths from all inputs at once, by dynamic programming.
    n_paths, lengths = path_lengths(g, ins)
    in_set = set(ins)
    ends = [o for o in set(outs) if o not in in_set]
    P = sum(n_paths[o] for o in ends)
    L = sum(lengths[o] for o in ends)
    pairs = connected_pairs(g, ins, outs)
    from .shape import derived_size

    elimination, searches = _elimination(g, ins, outs)
    return Cost(g, ins, outs, _operations(fwd), _operations(rev), Operations(0, L - P, P - pairs), P, pairs, counted,
                derived_size(g), elimination, searches)


#: ``cost`` counts vertex elimination for graphs of up to this many edges (``graphdiff eliminate`` for more),
#: min-fill (which recounts the fill around every vertex it eliminates) up to fewer, and an order only while it
#: takes at most this many multiplications.
ELIMINATION_MAX_EDGES = 20_000
MIN_FILL_EDGES = 2_000
ELIMINATION_MAX_WORK = 2_000_000
#: ``cost`` searches for the optimal order within this many evaluations (sets of eliminated vertices explored,
#: and as many orders annealed for its first upper bound), so that it counts the same every run; where the
#: search does not prove its order optimal, the row says so.
ELIMINATION_OPTIMAL_BUDGET = 1_000


def _elimination(g: Graph, ins: list[int], outs: list[int]) -> tuple[dict[str, tuple[int, int] | str], dict[str, Any]]:
    from .eliminate import COST_ORDERS as ORDERS, eliminate
    from ..base.errors import InputError

    if g.n_edges > ELIMINATION_MAX_EDGES:
        return {o: f"not counted above {ELIMINATION_MAX_EDGES:,} edges (graphdiff eliminate --order {o})"
                for o in ORDERS}, {}
    out: dict[str, tuple[int, int] | str] = {}
    searches: dict[str, Any] = {}
    for o in ORDERS:
        if o == "min-fill" and g.n_edges > MIN_FILL_EDGES:
            out[o] = f"not counted above {MIN_FILL_EDGES:,} edges (graphdiff eliminate --order min-fill)"
            continue
        try:
            r = eliminate(g, order=o, of=outs, wrt=[i for i in ins if g.ops[i] == "input"], record=False,
                          values=False, max_work=ELIMINATION_MAX_WORK, budget=ELIMINATION_OPTIMAL_BUDGET)
        except InputError as e:
            out[o] = e.message
            continue
        out[o] = (r.multiplications, r.additions + r.merge_additions)
        if r.search is not None:
            searches[o] = r.search
    return out, searches
