"""Pictures of a derivative across inputs (``graphdiff plot``): values and derivatives along one input, or one
derivative over a grid of two (a heat map with contours), computed at every point by the points engine
(:mod:`graphdiff.analyses.points`) and drawn with matplotlib (no pyplot, no global state). Points where a kink's
convention applies are marked on the curves; points where a value or a derivative faults are gaps in the
curves, marked with a cross on the axis (masked, in grey, on a heat map).
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from ..analyses.points import at_points
from ..base.errors import InputError
from ..base.notation import fmt_num, partial
from ..language.graph import Graph, select

#: Samples along one input, and a side of the grid over two.
LINE_SAMPLES = 201
GRID_SAMPLES = 61


@dataclass(frozen=True)
class Vary:
    """One input varied from ``low`` to ``high`` in ``n`` steps (``--vary a=-3:3`` or ``a=-3:3:101``)."""

    name: str
    low: float
    high: float
    n: int

    @classmethod
    def parse(cls, text: str, n: int) -> "Vary":
        name, sep, span = text.partition("=")
        parts = span.split(":")
        if not sep or not name.strip() or len(parts) not in (2, 3):
            raise InputError(f"--vary {text!r}: expected NAME=LOW:HIGH or NAME=LOW:HIGH:SAMPLES, e.g. --vary a=-3:3")
        try:
            low, high = float(parts[0]), float(parts[1])
            count = int(parts[2]) if len(parts) == 3 else n
        except ValueError:
            raise InputError(f"--vary {text!r}: LOW and HIGH must be numbers, SAMPLES a whole number") from None
        if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
            raise InputError(f"--vary {text!r}: LOW must be less than HIGH, both finite")
        if not 2 <= count <= 100_000:
            raise InputError(f"--vary {text!r}: between 2 and 100,000 samples")
        return cls(name.strip(), low, high, count)

    def values(self) -> list[float]:
        step = (self.high - self.low) / (self.n - 1)
        return [self.low + k * step for k in range(self.n - 1)] + [self.high]


def plot(g: Graph, vary: Sequence[Vary], inputs: Mapping[str, float] | None = None, *,
         of: Sequence[str] | None = None, wrt: Sequence[str] | None = None, log: bool = False,
         format: str = "png", title: str | None = None) -> bytes:
    """The picture: one input varied (values above, derivatives below) or two (a heat map of the first
    derivative asked for). ``inputs`` hold the other inputs' values (else their defaults)."""
    if not 1 <= len(vary) <= 2:
        raise InputError("give --vary once (a curve) or twice (a heat map)")
    for v in vary:
        i = g.find(v.name)
        if i is None or g.ops[i] != "input":
            raise InputError(f"--vary {v.name}: not an input of {g.source}")
    outs = select(g, of, g.outputs)
    ins = select(g, wrt, [g.node(vary[0].name)])
    base = dict(inputs or {})
    if len(vary) == 1:
        return _curves(g, vary[0], base, outs, ins, log, format, title)
    return _heat(g, vary, base, outs[0], ins[0], log, format, title)


def _rows(g, pts, outs, ins):
    return list(at_points(g, [(k, p) for k, p in enumerate(pts)], "grad", of=[g.names[o] for o in outs],
                          wrt=[g.names[i] for i in ins]))


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _curves(g, v: Vary, base, outs, ins, log: bool, fmt: str, title) -> bytes:
    xs = v.values()
    rows = _rows(g, [{**base, v.name: x} for x in xs], outs, ins)
    fig = _figure(7.5, 6.2)
    top, bottom = fig.subplots(2, 1, sharex=True)
    faulted = [x for x, r in zip(xs, rows) if r.error]
    kinked = [x for x, r in zip(xs, rows) if r.warnings and not r.error]
    for o in outs:
        name = g.names[o]
        ys = [r.outputs.get(name, math.nan) if not r.error else math.nan for r in rows]
        top.plot(xs, ys, label=name)
    for o in outs:
        for i in ins:
            col = partial(g.names[o], g.names[i])
            ys = [r.entries.get(col, math.nan) if not r.error else math.nan for r in rows]
            if log:
                ys = [abs(y) if y == y and y != 0 else math.nan for y in ys]
            bottom.plot(xs, ys, label=f"|{col}|" if log else col)
    if log:
        bottom.set_yscale("log")
    for ax in (top, bottom):
        for x in kinked:
            ax.axvline(x, color="#999999", linestyle=":", linewidth=0.8)
        if faulted:
            lo = ax.get_ylim()[0]
            ax.plot(faulted, [lo] * len(faulted), "x", color="#c00000", clip_on=False, label="fault")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    top.set_ylabel("value")
    bottom.set_ylabel("derivative" + (" (absolute, log scale)" if log else ""))
    bottom.set_xlabel(v.name)
    notes = []
    if kinked:
        notes.append(f"{len(kinked)} point{'s' * (len(kinked) != 1)} at a kink (dotted)")
    if faulted:
        notes.append(f"{len(faulted)} faulted (×)")
    fig.suptitle((title or f"{g.source}: along {v.name} from {fmt_num(v.low)} to {fmt_num(v.high)}")
                 + (f" — {'; '.join(notes)}" if notes else ""), fontsize=10)
    return _save(fig, fmt)


def _heat(g, vary, base, o, i, log: bool, fmt: str, title) -> bytes:
    import numpy as np

    a, b = vary
    xs, ys = a.values(), b.values()
    pts = [{**base, a.name: x, b.name: y} for y in ys for x in xs]
    rows = _rows(g, pts, [o], [i])
    col = partial(g.names[o], g.names[i])
    z = np.array([r.entries.get(col, math.nan) if not r.error else math.nan for r in rows]).reshape(len(ys), len(xs))
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.log10(np.abs(z))
    fig = _figure(7.0, 5.8)
    ax = fig.subplots()
    masked = np.ma.masked_invalid(z)
    ax.set_facecolor("#bbbbbb")  # where it faults
    mesh = ax.pcolormesh(xs, ys, masked, shading="nearest", cmap="viridis")
    if np.isfinite(z).sum() > 4 and np.nanmax(z) > np.nanmin(z):
        cs = ax.contour(xs, ys, masked, levels=8, colors="white", linewidths=0.7, negative_linestyles="solid")
        ax.clabel(cs, fontsize=7, fmt="%.3g")
    fig.colorbar(mesh, ax=ax, label=f"log10 |{col}|" if log else col)
    ax.set_xlabel(a.name)
    ax.set_ylabel(b.name)
    faulted = sum(1 for r in rows if r.error)
    fig.suptitle((title or f"{g.source}: {col} over {a.name} × {b.name}")
                 + (f" — {faulted} faulted points (grey)" if faulted else ""), fontsize=10)
    return _save(fig, fmt)


def _save(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=144 if fmt == "png" else None)
    return buf.getvalue()
