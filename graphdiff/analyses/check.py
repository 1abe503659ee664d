"""Cross-check every way of computing a derivative against the others.

For every (output, input) pair, :func:`check` computes ∂output/∂input by

* ``reverse``: reverse mode (the reference the others are compared with),
* ``forward``: forward mode,
* ``paths``: the sum over paths, when the pair has at most ``max_paths`` paths,
* ``fd``: central finite differences with Richardson extrapolation, and an estimate of their error,
* ``symbolic``: SymPy's derivative of the whole expression (when SymPy is installed and the graph is small),

and judges the agreement:

* exact methods (forward, paths, symbolic) agree with reverse mode when
  ``|a - b| <= atol + rtol · max(|a|, |b|)`` (defaults ``rtol = 1e-6``, ``atol = 1e-9``);
* finite differences agree when ``|fd - reverse| <= err + fd_atol + fd_rtol · |reverse|``, where ``err`` is
  their own error estimate (truncation: the change made by the extrapolation; rounding: ``100 ε·max|f| / h``)
  and the floor is looser (defaults ``fd_rtol = 1e-5``, ``fd_atol = 1e-7``).

At a non-differentiable point (a warning such as ``relu`` at 0 or a tie in ``max``) the derivative is a
convention, so finite differences and SymPy are shown but not judged for the pairs the kink lies between.

The step for input ``x`` is ``h = ε^(1/3) · max(1, |x|)`` (rounded so that ``x + h`` is exact); the estimate
is ``(4 D(h/2) - D(h)) / 3`` with ``D(h) = (f(x + h) - f(x - h)) / 2h``. Near the edge of a domain (``log(x)`` at
``x = 1e-12``) the step is halved, up to ``FD_SHRINK`` times, until every point of the stencil evaluates; where
none does, finite differences are not run for that input and the pair says why (``PairCheck.not_run``).

Forward mode keeps only the outputs' derivatives of each sweep, and is not run (for every pair, or for the
pairs left when the bound is passed) when its sweeps would visit more than ``FORWARD_MAX_WORK`` edges in all.

With ``points > 0`` the check is repeated at random points near the given values (``x + spread · max(1, |x|)
· u`` with ``u`` uniform in [-1, 1], from ``seed``). A random point where evaluation or a derivative fails
is reported, not raised; at the given point such a failure raises as in every other command.

>>> from graphdiff import loads
>>> r = check(loads("c = a + b; d = b + 1; e = c * d"), {"a": 2, "b": 1})
>>> r.ok, [p.values["reverse"] for p in r.points[0].pairs]
(True, [2.0, 5.0])
"""
from __future__ import annotations

import math
import time
import random
import sys
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..sweeps.accumulate import forward_visits
from ..base.errors import ComputeError, Diagnostic, GraphdiffError
from ..sweeps.evaluate import bind, evaluate
from ..sweeps.extended import settle
from ..sweeps.faults import linearize_for_derivatives
from .grad import Kept, forward_mode, grad
from .hessian import hessian, one_output
from ..language.graph import Graph, select
from ..base.notation import fmt_num, json_num as num, partial
from ..codegen.compile import leaf
from ..primitives import PRIMITIVES
from ..sweeps.paths import path_matrix, path_sum
from ..sweeps.reach import ancestors

METHODS = ("reverse", "forward", "paths", "elimination", "fd", "symbolic")
LABELS = {"reverse": "reverse", "forward": "forward", "paths": "paths", "elimination": "elimination",
          "fd": "finite diff", "symbolic": "symbolic"}
EXACT = ("forward", "paths", "elimination", "symbolic")
#: Vertex elimination (Markowitz order) is checked for graphs of up to this many edges.
ELIMINATION_MAX_EDGES = 200_000
RTOL, ATOL = 1e-6, 1e-9
FD_RTOL, FD_ATOL = 1e-5, 1e-7
EPS = sys.float_info.epsilon
#: SymPy is skipped above this many nodes (its expressions and derivatives grow quickly).
SYMBOLIC_MAX_NODES = 300
#: ... and above this many terms in an output written out as one expression tree.
SYMBOLIC_MAX_TREE = 2_000
#: Second derivatives (check --order 2) grow with the square of the tree: SymPy is skipped above this many terms,
SYMBOLIC_MAX_TREE_2 = 400
#: ... and stops after this many seconds of second derivatives (the entries left are checked by differences).
SYMBOLIC_SECONDS_2 = 10.0
#: Finite differences are skipped above this many node evaluations (4 evaluations per input).
FD_MAX_WORK = 4_000_000
#: The sum over paths is skipped above this many (pair × edge) visits.
PATHS_MAX_WORK = 5_000_000
#: Forward mode is skipped above this many edge visits (its sweeps at every point together).
FORWARD_MAX_WORK = 50_000_000
#: Counting those visits before the check is skipped above this many edge steps (the sweeps stop at the bound).
FORWARD_COUNT_BUDGET = 20_000_000
#: The finite-difference step is halved at most this many times to keep its stencil inside a domain.
FD_SHRINK = 30
#: ... and the smaller steps of a whole check take at most this many node evaluations in all.
FD_SHRINK_WORK = 4_000_000


@dataclass(frozen=True)
class PairCheck:
    """One derivative by every method. ``values[m]`` is None where method ``m`` was not run."""

    output: int
    input: int
    values: dict[str, float | None]
    fd_error: float | None  # the finite-difference error estimate
    abs_error: float  # largest |method - reverse| among the judged methods
    rel_error: float
    failed: tuple[str, ...]  # methods that disagree with reverse mode
    unjudged: tuple[str, ...] = ()  # methods shown but not judged here (a kink)
    not_run: dict[str, str] = field(default_factory=dict)  # method -> why it has no value for this pair

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class PointCheck:
    """The check at one point: ``error`` says why it could not be done there."""

    index: int  # 0: the given values; 1, 2, ...: random points
    inputs: dict[int, float]
    pairs: list[PairCheck]
    error: str | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    faults: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class CheckResult:
    graph: Graph
    outputs: list[int]
    inputs: list[int]
    points: list[PointCheck]
    methods: list[str]  # the methods that ran
    skipped: dict[str, str]  # method -> why it did not run
    rtol: float
    atol: float
    fd_rtol: float
    fd_atol: float


    @property
    def failures(self) -> list[tuple[PointCheck, PairCheck]]:
        return [(p, c) for p in self.points for c in p.pairs if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.failures

    def where(self, p: PointCheck) -> str:
        return "at the given point" if p.index == 0 else f"at random point {p.index} (" + ", ".join(
            f"{self.graph.names[i]} = {fmt_num(v)}" for i, v in list(p.inputs.items())[:6]) + ")"

    def failure_messages(self, limit: int | None = 10) -> list[str]:
        """One sentence per disagreeing pair: which derivative, which methods, by how much, where."""
        names = self.graph.names
        failures = self.failures
        out = []
        for p, c in failures[:limit]:
            parts = []
            for m in c.failed:
                extra = f" ± {fmt_num(c.fd_error)}" if m == "fd" and c.fd_error is not None else ""
                parts.append(f"{LABELS[m]} {fmt_num(c.values[m])}{extra}")
            size = (f"abs error {c.abs_error:.3g}, rel error {c.rel_error:.3g}" if c.abs_error or c.rel_error
                    else "not finite")
            out.append(f"{partial(names[c.output], names[c.input])} disagrees {self.where(p)}: reverse mode gives "
                       f"{fmt_num(c.values['reverse'])}, {'; '.join(parts)} ({size})")
        if limit is not None and len(failures) > limit:
            out.append(f"… and {len(failures) - limit:,} more disagreeing pairs")
        return out

    def not_run_messages(self, limit: int = 10) -> list[str]:
        """Why a method has no value for some pairs (finite differences at a domain edge): one sentence per
        point, method and input."""
        seen: dict = {}
        for p in self.points:
            for c in p.pairs:
                for m, why in c.not_run.items():
                    seen.setdefault((p.index, m, c.input), (p, why))
        out = [f"{LABELS[m]} not run for input {self.graph.names[i]} {self.where(p)}: {why}"
               for (_, m, i), (p, why) in list(seen.items())[:limit]]
        if len(seen) > limit:
            out.append(f"… and {len(seen) - limit:,} more inputs where a method was not run")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``graphdiff check``, every number at full precision."""
        g = self.graph
        names = g.names

        def pair(c: PairCheck) -> dict:
            return {"output": names[c.output], "input": names[c.input],
                    "values": {m: (None if v is None else num(v)) for m, v in c.values.items()},
                    "fd_error_estimate": None if c.fd_error is None else num(c.fd_error),
                    "abs_error": num(c.abs_error), "rel_error": num(c.rel_error), "ok": c.ok,
                    "disagreeing": list(c.failed), "not_judged": list(c.unjudged), "not_run": dict(c.not_run)}

        def point(p: PointCheck) -> dict:
            out: dict[str, Any] = {"index": p.index, "inputs": {names[i]: num(v) for i, v in p.inputs.items()},
                                   "ok": p.error is None and all(c.ok for c in p.pairs), "error": p.error,
                                   "pairs": [pair(c) for c in p.pairs]}
            if p.warnings:
                out["warnings"] = [d.to_dict() for d in p.warnings]
            if p.faults:
                out["faults"] = [d.to_dict() for d in p.faults]
            return out

        data = {"ok": self.ok, "source": g.source, "methods": list(self.methods), "skipped": dict(self.skipped),
                "tolerances": {"rtol": self.rtol, "atol": self.atol, "fd_rtol": self.fd_rtol, "fd_atol": self.fd_atol},
                "outputs": [names[o] for o in self.outputs], "inputs": [names[i] for i in self.inputs],
                "points": [point(p) for p in self.points], "failures": self.failure_messages(limit=None)}
        faults = [d.to_dict() for p in self.points for d in p.faults]
        if faults:
            data["faults"] = faults
        return data


# ---- finite differences ----------------------------------------------------------------------------------

def _outputs_at(g: Graph, point: dict[str, float], outs: list[int]) -> list[float] | str:
    """The outputs at ``point``, or why they cannot be had there (an error, a NaN or infinite output)."""
    try:
        v = evaluate(g, point, ieee=True)
    except GraphdiffError as e:
        return e.message
    ys = [v.values[o] for o in outs]
    bad = next((n for n, y in enumerate(ys) if not math.isfinite(y)), None)
    if bad is None:
        return ys
    return v.faults[0].message if v.faults else f"{g.names[outs[bad]]} = {fmt_num(ys[bad])}"


def stencil(g: Graph, point: dict[str, float], input: int, outs: list[int], budget: list[int] | None = None
            ) -> tuple[float, dict[float, list[float]]] | str:
    """The step ``h`` and the outputs at ``x ± h`` and ``x ± h/2``; or, when no step evaluates, why.

    Near the edge of a domain the step is halved (at most ``FD_SHRINK`` times) until the four points
    evaluate, then divided by 16 once more if they still do there: the first step that fits lies within a
    factor 2 of the edge, where the derivatives grow too fast for the extrapolation. ``budget`` (a one-item
    list, shared by the calls of a check) holds the node evaluations the smaller steps may still take; when it
    runs out the step is not shrunk further and the reason says so."""
    name = g.names[input]
    cost = 4 * max(len(g), 1)
    x = point[name]
    h0 = EPS ** (1 / 3) * max(1.0, abs(x))

    def at(shrink: int) -> tuple[float, dict[float, list[float]]] | str:
        if shrink and budget is not None:
            if budget[0] < cost:
                return ""  # out of budget: said below
            budget[0] -= cost
        h = (x + h0 / 2 ** shrink) - x  # exactly representable step
        if not h > 0:
            return f"the step {fmt_num(h0 / 2 ** shrink)} vanishes next to {name} = {fmt_num(x)}"
        ys: dict[float, list[float]] = {}
        for step in (h, -h, h / 2, -h / 2):
            y = _outputs_at(g, {**point, name: x + step}, outs)
            if isinstance(y, str):
                return f"at {name} = {fmt_num(x + step)}: {y}"
            ys[step] = y
        return h, ys

    first = ""
    for shrink in range(FD_SHRINK + 1):
        st = at(shrink)
        if not isinstance(st, str):
            if shrink:
                finer = at(shrink + 4)
                return st if isinstance(finer, str) else finer
            return st
        if st == "":
            return (f"the step was not made smaller than {fmt_num(h0 / 2 ** (shrink - 1))}: the check's "
                    f"{FD_SHRINK_WORK:,} node evaluations for smaller steps are spent; at the step {fmt_num(h0)}, "
                    f"{first}")
        first = first or st
    return (f"no step keeps the stencil {name} ± h inside the domain, from h = {fmt_num(h0)} down to "
            f"{fmt_num(h0 / 2 ** FD_SHRINK)}; with the smallest, {st}")


def richardson(h: float, ys: dict[float, list[float]]) -> list[tuple[float, float]]:
    """``(estimate, error estimate)`` for every output from the stencil of :func:`stencil`."""
    out = []
    for n in range(len(ys[h])):
        d1 = (ys[h][n] - ys[-h][n]) / (2 * h)
        d2 = (ys[h / 2][n] - ys[-h / 2][n]) / h
        est = (4 * d2 - d1) / 3
        if not math.isfinite(est):  # 4·d2 overflowed: the same estimate, written so that it does not
            est = d2 + (d2 - d1) / 3
        fmax = max(abs(ys[s][n]) for s in ys)
        err = abs(est - d2) + 100 * EPS * fmax / h
        out.append((est, err))
    return out


def finite_differences(g: Graph, point: dict[str, float], input: int, outs: list[int]
                       ) -> list[tuple[float, float] | None]:
    """``(estimate, error estimate)`` of ∂output/∂input for every output, or None where no stencil inside the
    domain was found (:func:`stencil` says why)."""
    st = stencil(g, point, input, outs)
    return [None] * len(outs) if isinstance(st, str) else richardson(*st)


# ---- SymPy -----------------------------------------------------------------------------------------------

def _sympy():
    try:
        import sympy
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return sympy


class Symbolic:
    """The graph as SymPy expressions, built iteratively in topological order (each node once)."""

    def __init__(self, g: Graph, outs: list[int]):
        sp = self.sp = _sympy()
        self.symbols = {i: sp.Symbol(f"x_{n}", real=True) for n, i in enumerate(g.inputs)}
        need = ancestors(g, outs)  # only the ancestors of the outputs
        exprs: dict[int, object] = {}
        for i in range(len(g)):
            if not need[i]:
                continue
            if g.ops[i] == "input":
                exprs[i] = self.symbols[i]
                continue
            xs = [exprs[a] if a.__class__ is int else sp.Float(a) for a in g.args[i]]
            exprs[i] = leaf(PRIMITIVES[g.ops[i]], "sympy", len(xs))(xs)
        self.exprs = exprs
        self.derivs: dict[tuple[int, int], object] = {}

    def derivative(self, o: int, i: int, values: dict[int, float]) -> float:
        key = (o, i)
        d = self.derivs.get(key)
        if d is None:
            d = self.derivs[key] = self.sp.diff(self.exprs[o], self.symbols[i])
        x = d.xreplace({s: self.sp.Float(values[j], 30) for j, s in self.symbols.items()})
        v = complex(self.sp.N(x, 30))
        return v.real if v.imag == 0 else math.nan


def tree_size(g: Graph, cap: int) -> int:
    """The size of the largest output written out as a tree (shared nodes counted once per use), capped;
    SymPy's derivatives and evaluation walk that tree, so it, not the node count, is what costs."""
    size = [1] * len(g)
    for i in range(len(g)):
        t = 1
        for a in g.args[i]:
            t += size[a] if a.__class__ is int else 1
        size[i] = min(t, cap)
    return max((size[o] for o in g.outputs), default=0)


def _symbolic_skip(g: Graph, order: int = 1) -> str | None:
    if _sympy() is None:
        return "SymPy is not installed (pip install 'graphdiff[symbolic]')"
    formless = sorted({op for op in g.ops if op != "input" and "sympy" not in PRIMITIVES[op].leaves})
    if formless:
        return f"no SymPy form in the table of primitives for {', '.join(formless)}"
    if len(g) > SYMBOLIC_MAX_NODES:
        return f"the graph has {len(g):,} nodes, more than the {SYMBOLIC_MAX_NODES} SymPy is used for"
    cap = SYMBOLIC_MAX_TREE if order == 1 else SYMBOLIC_MAX_TREE_2
    if tree_size(g, cap + 1) > cap:
        return (f"an output written out as one expression has more than {cap:,} terms (shared nodes repeat), too "
                f"many for SymPy{'' if order == 1 else chr(39) + 's second derivatives'}")
    return None


# ---- the check -------------------------------------------------------------------------------------------

def _kink_pairs(g: Graph, warnings: list[Diagnostic], outs: list[int], ins: list[int]) -> set[tuple[int, int]]:
    """The (output, input) pairs with a non-differentiable point between them."""
    kinks = sorted({g.index[d.node] for d in warnings if d.node in g.index})
    if not kinks:
        return set()
    if len(kinks) > 50:
        return {(o, i) for o in outs for i in ins}
    pairs = set()
    anc_o = {o: ancestors(g, o) for o in outs}
    for k in kinks:
        anc_k = ancestors(g, k)
        for o in outs:
            if anc_o[o][k]:
                pairs.update((o, i) for i in ins if anc_k[i])
    return pairs


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b or (a != a and b != b)
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def _exact_methods(g: Graph, point: dict[str, float], outs: list[int], ins: list[int], methods: list[str],
                   opts: dict, index: int, ieee: bool):
    """Reverse mode (the reference, with its faults traced as ``graphdiff grad`` traces them) and forward mode
    (within what is left of its budget): the linearization and both Jacobians (forward: the inputs swept)."""
    lin = linearize_for_derivatives(g, point, ieee=ieee)
    rev = grad(g, mode="reverse", of=outs, wrt=ins, lin=lin, ieee=ieee, max_stored=0)
    fwd: dict[int, dict[int, float]] = {o: {} for o in outs}
    if "forward" in methods and opts["forward_left"] >= 0:
        fwd, ops, done = forward_mode(lin, outs, ins, Kept(0, outs), opts["forward_left"], stop=True)
        settle(lin, fwd)  # the rule for NaN and inf, as grad applies it
        opts["forward_left"] -= ops.multiplications
        if opts["forward_left"] < 0:  # the bound is passed: no forward mode for the pairs left
            opts["skipped"]["forward"] = (
                f"the forward sweeps passed {FORWARD_MAX_WORK:,} edge visits at point {index} after "
                f"{done:,} of {len(ins):,} inputs; the pairs left are not checked by forward mode")
    return lin, rev, fwd


def _finite_differences_at(g: Graph, point: dict[str, float], outs: list[int], ins: list[int], opts: dict
                           ) -> tuple[dict[int, list], dict[int, str]]:
    """Finite differences for every input: ``{input: [(estimate, error) or None per output]}`` and why, for
    the inputs where no stencil fits."""
    fd: dict[int, list] = {}
    why: dict[int, str] = {}
    for i in ins:
        st = stencil(g, point, i, outs, opts["fd_shrink_left"])
        if isinstance(st, str):
            fd[i], why[i] = [None] * len(outs), st
        else:
            fd[i] = richardson(*st)
    return fd, why


def _judge(o: int, i: int, vals: dict[str, float | None], fd_err: float | None, kink: bool, opts: dict,
           not_run: dict[str, str]) -> PairCheck:
    """Compare every method's value with reverse mode's, within the tolerances."""
    ref = vals["reverse"]
    failed, unjudged = [], []
    abs_err = rel_err = 0.0
    for m, v in vals.items():
        if m == "reverse" or v is None:
            continue
        if m in ("fd", "symbolic") and kink or not math.isfinite(ref):
            unjudged.append(m)  # a convention at a kink, or an IEEE fault already reported
            continue
        if not math.isfinite(v):
            failed.append(m)
            continue
        e = abs(v - ref)
        abs_err = max(abs_err, e)
        rel_err = max(rel_err, e / max(abs(ref), abs(v)) if e else 0.0)
        if m == "fd":
            ok = e <= fd_err + opts["fd_atol"] + opts["fd_rtol"] * abs(ref)
        else:
            ok = _close(v, ref, opts["rtol"], opts["atol"])
        if not ok:
            failed.append(m)
    return PairCheck(o, i, vals, fd_err, abs_err, rel_err, tuple(failed), tuple(unjudged), not_run)


def _check_point(g: Graph, index: int, values: dict[int, float], outs: list[int], ins: list[int],
                 methods: list[str], opts: dict, sym: Symbolic | None, ieee: bool) -> PointCheck:
    point = {g.names[i]: v for i, v in values.items()}
    lin, rev, fwd = _exact_methods(g, point, outs, ins, methods, opts, index, ieee)
    fd, fd_why = _finite_differences_at(g, point, outs, ins, opts) if "fd" in methods else ({}, {})
    kinks = _kink_pairs(g, lin.warnings, outs, ins)
    elim = None
    if "elimination" in methods:
        from .eliminate import eliminate

        try:
            elim = eliminate(g, point, order="markowitz", of=outs, wrt=ins, record=False, ieee=True).jacobian
        except GraphdiffError as e:  # more fill-in than the bound: said, not judged
            opts["skipped"]["elimination"] = e.message
    pairs = []
    for n_o, o in enumerate(outs):
        for i in ins:
            vals: dict[str, float | None] = {"reverse": rev.jacobian[o][i]}
            not_run: dict[str, str] = {}
            fd_err = None
            if "forward" in methods:
                vals["forward"] = fwd[o].get(i)
            if "paths" in methods:
                count = opts["path_counts"][o][i]
                vals["paths"] = path_sum(g, lin.partials, i, o).total if count <= opts["max_paths"] else None
                if vals["paths"] is not None and not math.isfinite(vals["paths"]):
                    settled = {o: {i: vals["paths"]}}
                    settle(lin, settled)
                    vals["paths"] = settled[o][i]
            if elim is not None:
                v = elim[o][i]
                vals["elimination"] = v if math.isfinite(v) else None  # NaN and inf: reverse mode's rule decides
            if "fd" in methods:
                r = fd[i][n_o]
                vals["fd"], fd_err = (None, None) if r is None else r
                if i in fd_why:
                    not_run["fd"] = fd_why[i]
            if sym is not None:
                try:
                    vals["symbolic"] = sym.derivative(o, i, values)
                except (TypeError, ValueError, ArithmeticError, RecursionError):
                    vals["symbolic"] = None
            pairs.append(_judge(o, i, vals, fd_err, (o, i) in kinks, opts, not_run))
    fault_diags = list(lin.faults) + [f.diagnostic(g) for f in rev.faults]
    return PointCheck(index, values, pairs, None, list(lin.warnings), fault_diags)


def _plan(g: Graph, outs: list[int], ins: list[int], points: int, symbolic: bool, max_paths: int
          ) -> tuple[list[str], dict[str, str], Symbolic | None, dict[int, dict[int, int]]]:
    """Which methods run (within their bounds), why the others do not, SymPy's expressions and the path
    counts of every pair."""
    methods = ["reverse", "forward", "paths", "fd"]
    skipped: dict[str, str] = {}
    if 4 * len(ins) * max(len(g), 1) > FD_MAX_WORK:
        methods.remove("fd")
        skipped["fd"] = (f"{len(ins):,} inputs × {len(g):,} nodes is more than finite differences are run "
                         f"for ({FD_MAX_WORK:,} node evaluations)")
    sym = None
    why = _symbolic_skip(g) if symbolic else "turned off (--no-symbolic)"
    if why is None:
        try:
            sym = Symbolic(g, outs)
            methods.append("symbolic")
        except (TypeError, ValueError, ArithmeticError, RecursionError) as e:
            skipped["symbolic"] = f"SymPy could not build the expression ({type(e).__name__})"
    else:
        skipped["symbolic"] = why
    if sum(g.n_edges - g.edge_start[i + 1] for i in ins) * (points + 1) > FORWARD_MAX_WORK:
        visits = forward_visits(g, ins, FORWARD_COUNT_BUDGET)
        if visits is not None and visits * (points + 1) > FORWARD_MAX_WORK:
            methods.remove("forward")
            at = f" at each of {points + 1:,} points" if points else ""
            skipped["forward"] = (f"its {len(ins):,} sweeps (one per input) would visit {visits:,} edges{at}, more "
                                  f"than forward mode is run for ({FORWARD_MAX_WORK:,} edge visits)")
    if g.n_edges <= ELIMINATION_MAX_EDGES:
        methods.append("elimination")
    else:
        skipped["elimination"] = f"{g.n_edges:,} edges is more than vertex elimination is checked for ({ELIMINATION_MAX_EDGES:,})"
    counts: dict[int, dict[int, int]] = {}
    if len(outs) * len(ins) * max(g.n_edges, 1) > PATHS_MAX_WORK:
        methods.remove("paths")
        skipped["paths"] = (f"{len(outs) * len(ins):,} pairs × {g.n_edges:,} edges is more than the sum over "
                            f"paths is run for ({PATHS_MAX_WORK:,} edge visits)")
    else:
        counts = path_matrix(g, ins, outs)
        worst = max((c for row in counts.values() for c in row.values()), default=0)
        if worst > max_paths:
            skipped["paths"] = (f"some pairs have more than --max-paths {max_paths:,} paths (up to {worst:,}); "
                                "those pairs are not summed over paths")
    methods.sort(key=METHODS.index)
    return methods, skipped, sym, counts


def check(g: Graph, inputs: Mapping[str, float] | None = None, *, points: int = 0, seed: int | None = None,
          spread: float = 0.5, rtol: float = RTOL, atol: float = ATOL, fd_rtol: float = FD_RTOL,
          fd_atol: float = FD_ATOL, max_paths: int = 10_000, symbolic: bool = True,
          ieee: bool = False) -> CheckResult:
    """Compare reverse mode, forward mode, the sum over paths, finite differences and SymPy for every
    (output, input) pair, at the given point and at ``points`` random points near it."""
    outs, ins = list(g.outputs), list(g.inputs)
    base = dict(zip(ins, bind(g, inputs, ieee=ieee)))
    methods, skipped, sym, counts = _plan(g, outs, ins, points, symbolic, max_paths)
    opts = {"rtol": rtol, "atol": atol, "fd_rtol": fd_rtol, "fd_atol": fd_atol, "max_paths": max_paths,
            "path_counts": counts, "skipped": skipped,
            "forward_left": FORWARD_MAX_WORK,  # edge visits the forward sweeps may still make, at all points
            "fd_shrink_left": [FD_SHRINK_WORK]}  # node evaluations for steps made smaller at a domain edge
    results = [_check_point(g, 0, base, outs, ins, methods, opts, sym, ieee)]
    rng = random.Random(seed)
    for n in range(1, points + 1):
        vals = {i: x + spread * max(1.0, abs(x)) * rng.uniform(-1.0, 1.0) for i, x in base.items()}
        try:
            results.append(_check_point(g, n, vals, outs, ins, methods, opts, sym, False))
        except ComputeError as e:
            results.append(PointCheck(n, vals, [], e.message))
    return CheckResult(g, outs, ins, results, methods, skipped, rtol, atol, fd_rtol, fd_atol)


# ---- check --order 2 ----------------------------------------------------------------------------------------

@dataclass
class HessianEntry:
    """One entry ∂²output/∂a∂b by every method, with the verdicts (None: not judged, at a kink)."""

    output: str
    a: str
    b: str
    values: dict[str, float | None]
    fd_error: float | None
    ok: dict[str, bool | None]
    kink: bool = False

    @property
    def passed(self) -> bool:
        return all(v is not False for v in self.ok.values())


@dataclass
class HessianCheck:
    outputs: list[str]
    entries: list[HessianEntry]
    symmetric: float  # the largest |H[a][b] - H[b][a]| over every output
    skipped: dict[str, str]
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def output(self) -> str:
        return self.outputs[0]

    @property
    def ok(self) -> bool:
        return all(e.passed for e in self.entries)

    def failure_messages(self, limit: int = 5) -> list[str]:
        out = []
        for e in self.entries:
            for m, good in e.ok.items():
                if good is False:
                    out.append(f"∂²{e.output}/∂{e.a}∂{e.b}: forward over reverse gives "
                               f"{fmt_num(e.values['forward over reverse'])}, {m} {fmt_num(e.values[m])}")
        return out[:limit]

    def to_dict(self) -> dict[str, Any]:
        out = {"ok": self.ok, "order": 2, "output": self.output, "outputs": self.outputs,
               "max_asymmetry": num(self.symmetric),
               "entries": [{"of": e.output, "wrt": [e.a, e.b],
                            "values": {k: None if v is None else num(v) for k, v in e.values.items()},
                            "fd_error": None if e.fd_error is None else num(e.fd_error),
                            "ok": e.ok, **({"kink": True} if e.kink else {})} for e in self.entries],
               "skipped": self.skipped}
        if self.warnings:
            out["warnings"] = [w.to_dict() for w in self.warnings]
        return out


def check_hessian(g: Graph, inputs: Mapping[str, float] | None = None, *, of: str | int | Sequence | None = None,
                  wrt: Sequence[str | int] | None = None, rtol: float = 1e-6, atol: float = 1e-9,
                  fd_rtol: float = 1e-4, fd_atol: float = 1e-6, symbolic: bool = True,
                  ieee: bool = False) -> HessianCheck:
    """The Hessian of every output (``of``: one or several; default: every output) by forward over reverse,
    against SymPy's second derivatives (when SymPy is installed and the graph small) and against central
    differences of the reverse-mode gradient (Richardson-extrapolated, with an error estimate), entry by entry.
    Where a non-differentiable point lies between an entry's inputs and its output (relu at 0, a tie), the
    entry is shown but not judged, as the first-order check does."""
    outs = select(g, [of] if isinstance(of, (str, int)) else of, g.outputs)
    ins = select(g, wrt, g.inputs)
    values = bind(g, inputs)
    point = {g.names[i]: values[i] for i in g.inputs}
    skipped: dict[str, str] = {}
    sym = None
    if symbolic:
        why = _symbolic_skip(g, order=2)
        if why:
            skipped["symbolic"] = why
        else:
            sym = Symbolic(g, outs)
    deadline = time.monotonic() + SYMBOLIC_SECONDS_2
    n_sym = 0
    entries: list[HessianEntry] = []
    warnings: list[Diagnostic] = []
    asym = 0.0
    for o in outs:
        h = hessian(g, inputs, of=o, wrt=ins, ieee=ieee)
        warnings.extend(w for w in h.warnings if w not in warnings)
        kinked = _kink_pairs(g, h.warnings, [o], ins)
        fd: dict[int, list[tuple[float, float]] | None] = {}
        for j in ins:
            fd[j] = _gradient_differences(g, point, o, j, ins)
            if fd[j] is None:
                skipped.setdefault("fd", f"central differences of the gradient leave the domain at "
                                         f"{g.names[j]} = {fmt_num(point[g.names[j]])}")
        for a_pos, a in enumerate(ins):
            for b_pos, b in enumerate(ins):
                got = h.matrix[a_pos][b_pos]
                kink = (o, a) in kinked or (o, b) in kinked
                vals: dict[str, float | None] = {"forward over reverse": got}
                ok: dict[str, bool | None] = {}
                if sym is not None and time.monotonic() > deadline:
                    skipped["symbolic"] = (f"SymPy's second derivatives stopped after {SYMBOLIC_SECONDS_2:g} s "
                                           f"({n_sym:,} of {len(outs) * len(ins) ** 2:,} entries checked by it)")
                    sym = None
                if sym is not None:
                    sv = _second(sym, o, a, b, values)
                    n_sym += 1
                    vals["symbolic"] = sv
                    ok["symbolic"] = None if kink or sv is None or not math.isfinite(sv) else \
                        abs(sv - got) <= atol + rtol * max(abs(sv), abs(got))
                err = None
                if fd[b] is not None:
                    est, err = fd[b][a_pos]
                    vals["finite diff"] = est
                    ok["finite diff"] = None if kink else abs(est - got) <= err + fd_atol + fd_rtol * abs(got)
                entries.append(HessianEntry(g.names[o], g.names[a], g.names[b], vals, err, ok, kink))
        n = len(ins)
        asym = max([asym] + [abs(h.matrix[x][y] - h.matrix[y][x]) for x in range(n) for y in range(x)])
    return HessianCheck([g.names[o] for o in outs], entries, asym, skipped, warnings)


def _second(sym: Symbolic, o: int, a: int, b: int, values: list[float]) -> float | None:
    sp = sym.sp
    key = ("2", o, a, b)
    d = sym.derivs.get(key)
    if d is None:
        d = sym.derivs[key] = sp.diff(sym.exprs[o], sym.symbols[a], sym.symbols[b])
    at = {s: sp.Float(values[j], 30) for j, s in sym.symbols.items()}
    try:
        x = d.xreplace(at)
    except ValueError:  # an unevaluated Derivative (of sign, say) cannot take a number for its variable
        x = d.subs(at)
    try:
        v = complex(sp.N(x, 30))
    except (TypeError, ValueError):
        return None
    return v.real if v.imag == 0 else math.nan


def _gradient_differences(g: Graph, point: dict[str, float], o: int, j: int, ins: list[int]
                          ) -> list[tuple[float, float]] | None:
    """Central differences in input ``j`` of the reverse-mode gradient of ``o``: (estimate, error) for every
    input in ``ins``, or None when the stencil leaves the domain."""
    name = g.names[j]
    x = point[name]
    h = (x + EPS ** (1 / 4) * max(1.0, abs(x))) - x  # a second derivative from first ones: ε^(1/3) of those
    ys = {}
    for step in (h, -h, h / 2, -h / 2):
        try:
            r = grad(g, {**point, name: x + step}, of=[o], wrt=[g.names[i] for i in ins])
        except ComputeError:
            return None
        ys[step] = [r[o, i] for i in ins]
    return richardson(h, ys)
