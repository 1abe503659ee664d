"""Reports for ``graphdiff check`` and for derivative faults (NaN or infinite derivatives traced to their
source). Kept beside :mod:`graphdiff.report` with the same :class:`~graphdiff.report.Report` shape, so that
``render.py`` prints them like every other result."""
from __future__ import annotations

import math
from typing import Any

from .check import CheckResult, PairCheck, PointCheck
from .faults import DerivativeFault
from .graph import Graph
from .ops import fmt_num
from .report import Report, Table, num, plural

LABELS = {"reverse": "reverse", "forward": "forward", "paths": "paths", "fd": "finite diff", "symbolic": "symbolic"}


def _status(c: PairCheck) -> str:
    if c.failed:
        return "DISAGREE: " + ", ".join(LABELS[m] for m in c.failed)
    marks = []
    if any(v is not None and not math.isfinite(v) for v in c.values.values()):
        marks.append("IEEE fault")
    if c.unjudged:
        marks.append(", ".join(LABELS[m] for m in c.unjudged) + " not judged")
    if c.not_run:
        marks.append(", ".join(LABELS[m] for m in c.not_run) + " not run")
    return "ok" + (f" ({'; '.join(marks)})" if marks else "")


def _cell(v: float | None, digits: int = 12) -> Any:
    """Table cells are rounded to stay readable (JSON keeps every digit)."""
    if v is None:
        return ""
    if not math.isfinite(v) or v == int(v) and abs(v) < 1e15:
        return v
    return f"{v:.{digits}g}"


def _pair_json(g: Graph, c: PairCheck) -> dict:
    return {"output": g.names[c.output], "input": g.names[c.input],
            "values": {m: (None if v is None else num(v)) for m, v in c.values.items()},
            "fd_error_estimate": None if c.fd_error is None else num(c.fd_error),
            "abs_error": num(c.abs_error), "rel_error": num(c.rel_error), "ok": c.ok,
            "disagreeing": list(c.failed), "not_judged": list(c.unjudged), "not_run": dict(c.not_run)}


def _diag_json(ds) -> list[dict]:
    return [{"node": d.node, "line": d.line, "col": d.col, "message": d.message} for d in ds]


def _point_json(g: Graph, p: PointCheck) -> dict:
    out: dict[str, Any] = {"index": p.index, "inputs": {g.names[i]: num(v) for i, v in p.inputs.items()},
                           "ok": p.error is None and all(c.ok for c in p.pairs), "error": p.error,
                           "pairs": [_pair_json(g, c) for c in p.pairs]}
    if p.warnings:
        out["warnings"] = _diag_json(p.warnings)
    if p.faults:
        out["faults"] = _diag_json(p.faults)
    return out


def _where(g: Graph, p: PointCheck) -> str:
    return "at the given point" if p.index == 0 else f"at random point {p.index} (" + ", ".join(
        f"{g.names[i]} = {fmt_num(v)}" for i, v in list(p.inputs.items())[:6]) + ")"


def not_run_messages(r: CheckResult, limit: int = 10) -> list[str]:
    """Why a method has no value for some pairs (finite differences at a domain edge): one sentence per point,
    method and input."""
    g = r.graph
    seen = {}
    for p in r.points:
        for c in p.pairs:
            for m, why in c.not_run.items():
                seen.setdefault((p.index, m, c.input), (p, why))
    out = [f"{LABELS[m]} not run for input {g.names[i]} {_where(g, p)}: {why}"
           for (_, m, i), (p, why) in list(seen.items())[:limit]]
    if len(seen) > limit:
        out.append(f"… and {len(seen) - limit:,} more inputs where a method was not run")
    return out


def failure_messages(r: CheckResult, limit: int = 10) -> list[str]:
    """One sentence per disagreeing pair: which derivative, which methods, by how much, where."""
    g = r.graph
    out = []
    for p, c in r.failures[:limit]:
        ref = c.values["reverse"]
        parts = []
        for m in c.failed:
            v = c.values[m]
            extra = f" ± {fmt_num(c.fd_error)}" if m == "fd" and c.fd_error is not None else ""
            parts.append(f"{LABELS[m]} {fmt_num(v)}{extra}")
        where = _where(g, p)
        out.append(f"∂{g.names[c.output]}/∂{g.names[c.input]} disagrees {where}: reverse mode gives "
                   f"{fmt_num(ref)}, {'; '.join(parts)} (abs error {c.abs_error:.3g}, rel error {c.rel_error:.3g})")
    if len(r.failures) > limit:
        out.append(f"… and {len(r.failures) - limit:,} more disagreeing pairs")
    return out


def check_report(r: CheckResult) -> Report:
    g = r.graph
    names = g.names
    cols = ["point", "output", "input", "reverse", "forward", "paths", "finite diff", "fd ±", "symbolic",
            "max abs err", "max rel err", "status"]
    rows = []
    for p in r.points:
        if p.error is not None:
            rows.append([p.index, "", "", "", "", "", "", "", "", "", "", "not evaluated (see below)"])
            continue
        for c in p.pairs:
            v = c.values
            rows.append([p.index, names[c.output], names[c.input], _cell(v["reverse"]), _cell(v.get("forward")),
                         _cell(v.get("paths")), _cell(v.get("fd")), _cell(c.fd_error, 2), _cell(v.get("symbolic")),
                         _cell(c.abs_error, 2), _cell(c.rel_error, 2), _status(c)])
    n_pairs = sum(len(p.pairs) for p in r.points)
    failed_points = [p for p in r.points if p.error is not None]
    footer = (f"{plural(len(r.points), 'point')}, {plural(n_pairs, 'pair')} checked by "
              f"{', '.join(LABELS[m] for m in r.methods)}; tolerances: rtol {fmt_num(r.rtol)}, atol "
              f"{fmt_num(r.atol)} (finite differences: their error estimate + rtol {fmt_num(r.fd_rtol)}, "
              f"atol {fmt_num(r.fd_atol)})")
    notes = [f"{LABELS[m]} not run: {why}" for m, why in r.skipped.items()]
    notes.extend(not_run_messages(r))
    if failed_points:
        notes.append(f"{plural(len(failed_points), 'random point')} could not be evaluated; they are outside "
                     "the domain, not disagreements:")
        notes.extend(f"  point {p.index}: {p.error}" for p in failed_points[:10])
        if len(failed_points) > 10:
            notes.append(f"  … and {len(failed_points) - 10:,} more")
    notes.extend(failure_messages(r))
    n_bad = len(r.failures)
    notes.append("check passed: every method agrees" if r.ok else
                 f"check failed: {plural(n_bad, 'pair')} disagree")
    data = {"ok": r.ok, "source": g.source, "methods": list(r.methods), "skipped": dict(r.skipped),
            "tolerances": {"rtol": r.rtol, "atol": r.atol, "fd_rtol": r.fd_rtol, "fd_atol": r.fd_atol},
            "outputs": [names[o] for o in r.outputs], "inputs": [names[i] for i in r.inputs],
            "points": [_point_json(g, p) for p in r.points],
            "failures": failure_messages(r, limit=len(r.failures))}
    faults = [d for p in r.points for d in p.faults]
    if faults:
        data["faults"] = _diag_json(faults)
    warnings = list(r.points[0].warnings) + [d.__class__(d.node, d.line, d.col, "IEEE: " + d.message)
                                             for d in r.points[0].faults]
    return Report([Table(f"Derivative check of {g.source}", cols, rows, footer, numeric=(0, 3, 4, 5, 6, 7, 8, 9, 10))],
                  data, notes, warnings)


def add_derivative_faults(rep: Report, g: Graph, faults: list[DerivativeFault]) -> None:
    """Mark NaN or infinite derivatives let through by ``--ieee``: a warning each and ``faults`` in JSON."""
    if not faults:
        return
    entries = rep.json().setdefault("faults", [])
    for f in faults:
        d = f.diagnostic(g)
        rep.warnings.append(d.__class__(d.node, d.line, d.col, "IEEE: " + d.message))
        entries.append({"node": d.node, "line": d.line, "col": d.col, "message": d.message,
                        "output": g.names[f.output], "input": g.names[f.input],
                        "path": [g.names[i] for i in f.path]})
    rep.notes.append(f"{plural(len(faults), 'derivative')} NaN or infinite (IEEE values let through by --ieee)")
