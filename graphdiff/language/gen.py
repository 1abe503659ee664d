"""Generated programs: graph families of any size, as straight-line program text, one operation per line.

Every family is a generator of lines (no newline at the end of each), so a file of 10^6 lines is written
without building it as one string: :func:`write` streams the lines to a file object in chunks, and
:func:`generate` returns the text for small sizes. Numbers are drawn from ``random.Random(seed)`` and
every input has a default, so a generated file evaluates and differentiates without ``--set``.

Names: in every family the first input is ``x0`` and the last node is ``y``, so that
``graphdiff paths --from x0 --to y`` can be asked of every family:

============  ==================================================================================
family        nodes
============  ==================================================================================
wide          inputs ``x0`` … ``x{n-1}`` (``x[0]`` … with ``vector=True``), partial sums ``s1`` …,
              output ``y``
fanout        input ``x0``, outputs ``y1`` … ``y{m-1}`` and ``y`` (the m-th)
chain         inputs ``w``, ``h0`` and ``x0`` … ``x{d-1}``; states ``h1`` …; output ``y`` (= h_d)
diamonds      input ``x0``; stage s: branches ``b{s}_0`` …, their sum ``s{s}``, ``y{s}``; output ``y``
mlp           inputs ``x0`` …, weights ``w{l}_{j}_{i}``, biases ``c{l}_{j}``; output ``y``, the loss
============  ==================================================================================

>>> print(generate("diamonds", stages=1, width=2))
# diamonds: 1 stages of width 2, 2^1 paths from x0 to y
input x0 = 0.5
b1_0 = 0.5 * x0
b1_1 = tanh(x0)
s1 = b1_0 + b1_1
y = 0.6 * s1
<BLANKLINE>
"""
from __future__ import annotations

import io
import math
import random
from itertools import islice
from typing import Callable, Iterable, Iterator, TextIO

#: The unary branches of a diamond stage, in order; ``{y}`` is the stage's input.
BRANCHES = ("0.5 * {y}", "tanh({y})", "sin({y})", "cos({y})", "atan({y})", "sigmoid({y})", "0.25 * {y}",
            "softplus({y})", "sinh({y})", "exp({y})")


def _num(v: float) -> str:
    """Six significant digits: short lines, exact enough for any test."""
    s = f"{v:.6g}"
    return s if "e" not in s else repr(float(s))


def wide(inputs: int = 1000, *, vector: bool = False, nested: bool = False, seed: int = 0) -> Iterator[str]:
    """``inputs`` inputs summed pairwise into one output ``y``: a tree of ``inputs - 1`` additions, one per
    line (``2·inputs - 1`` nodes, ``2·(inputs - 1)`` edges); with ``nested=True`` the same tree, three
    additions a line, ``s = (a + b) + (c + d)``; with ``vector=True`` the compact form ``input x[n] = v`` and
    ``y = sum(x)`` (``inputs + 1`` nodes, ``inputs`` edges)."""
    _at_least(inputs, 1, "inputs")
    rng = random.Random(seed)
    if nested and not vector:
        yield from _wide_nested(inputs, rng)
        return
    if vector:
        yield f"# wide: {inputs} inputs, one sum"
        yield f"input x[{inputs}] = {_num(rng.uniform(-1, 1))}"
        yield "y = sum(x)"
        return
    yield f"# wide: {inputs} inputs summed pairwise into y"
    for i in range(inputs):
        yield f"input x{i} = {_num(rng.uniform(-1, 1))}"
    if inputs == 1:
        yield "y = 1 * x0"
        return
    level = [f"x{i}" for i in range(inputs)]
    made = 0
    while len(level) > 1:
        nxt = []
        for j in range(0, len(level) - 1, 2):
            made += 1
            name = "y" if made == inputs - 1 else f"s{made}"
            yield f"{name} = {level[j]} + {level[j + 1]}"
            nxt.append(name)
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt


def _wide_nested(inputs: int, rng: random.Random) -> Iterator[str]:
    """The pairwise sum tree of :func:`wide`, four leaves a line: ``s = (a + b) + (c + d)``."""
    yield f"# wide, nested: {inputs} inputs summed pairwise into y, three additions a line"
    for i in range(inputs):
        yield f"input x{i} = {_num(rng.uniform(-1, 1))}"
    level = [f"x{i}" for i in range(inputs)]
    made = 0
    while len(level) > 1:
        nxt = []
        for j in range(0, len(level), 4):
            group = level[j:j + 4]
            if len(group) == 1:
                nxt.append(group[0])
                continue
            made += 1
            expr = " + ".join(group[:2]) if len(group) < 4 else f"({group[0]} + {group[1]}) + ({group[2]} + {group[3]})"
            if len(group) == 3:
                expr = f"({group[0]} + {group[1]}) + {group[2]}"
            last = len(level) <= 4
            name = "y" if last else f"s{made}"
            yield f"{name} = {expr}"
            nxt.append(name)
        level = nxt


def fanout(outputs: int = 1000, *, seed: int = 0) -> Iterator[str]:
    """One input ``x0`` and ``outputs`` outputs ``y1`` … ``y{m-1}`` and, last, ``y``, each one operation of
    ``x0`` (``outputs + 1`` nodes, ``outputs`` edges)."""
    _at_least(outputs, 1, "outputs")
    rng = random.Random(seed)
    yield f"# fanout: one input x0, {outputs} outputs" + (f" y1 … y{outputs - 1} and y" if outputs > 1 else " y")
    yield f"input x0 = {_num(rng.uniform(-1, 1))}"
    forms = ("{c} * x0", "x0 + {c}", "sin(x0)", "tanh(x0)")
    for i in range(outputs):
        yield f"{'y' if i == outputs - 1 else f'y{i + 1}'} = " + forms[i % 4].format(c=_num(rng.uniform(0.1, 2)))


def chain(length: int = 1000, *, seed: int = 0, weight: float = 0.5, nested: bool = False) -> Iterator[str]:
    """A recurrent chain ``h_t = tanh(w·h_{t-1} + x_{t-1})`` of ``length`` steps, four lines a step (the input
    ``x_t``, the product, the sum, the tanh; 5 edges), or with ``nested=True`` two (the input and
    ``h_t = tanh(w * h_(t-1) + x_(t-1))``, the same nodes). With ``|w| < 1`` the gradient of the last state
    ``y`` with respect to the early inputs vanishes geometrically."""
    _at_least(length, 1, "length")
    rng = random.Random(seed)
    yield (f"# chain{', nested' if nested else ''}: h_t = tanh(w*h_(t-1) + x_(t-1)) for {length} steps; "
           "y is the last state")
    yield f"input w = {_num(weight)}"
    yield f"input h0 = {_num(rng.uniform(-1, 1))}"
    for t in range(1, length + 1):
        h = "y" if t == length else f"h{t}"
        yield f"input x{t - 1} = {_num(rng.uniform(-1, 1))}"
        if nested:
            yield f"{h} = tanh(w * h{t - 1} + x{t - 1})"
            continue
        yield f"a{t} = w * h{t - 1}"
        yield f"b{t} = a{t} + x{t - 1}"
        yield f"{h} = tanh(b{t})"


def diamonds(stages: int = 10, width: int = 3, *, seed: int = 0, nested: bool = False) -> Iterator[str]:
    """``stages`` diamonds in a row: ``y → {0.5·y, tanh y, sin y, …} → y' = (1.2/width)·(sum)``, ``width``
    branches each (``width^stages`` paths from ``x0`` to ``y``; ``stages·(width + 2) + 1`` nodes,
    ``stages·(2·width + 1)`` edges); with ``nested=True`` a stage a line,
    ``y1 = 0.4 * (0.5 * x0 + tanh(x0) + sin(x0))``, the same nodes."""
    _at_least(stages, 1, "stages")
    if not 1 <= width <= len(BRANCHES):
        raise ValueError(f"width must be between 1 and {len(BRANCHES)}, not {width}")
    rng = random.Random(seed)
    scale = _num(1.2 / width)
    yield f"# diamonds: {stages} stages of width {width}, {width}^{stages} paths from x0 to y"
    yield f"input x0 = {_num(0.5 if seed == 0 else rng.uniform(-1, 1))}"
    y = "x0"
    for s in range(1, stages + 1):
        nxt = "y" if s == stages else f"y{s}"
        if nested:
            branches = " + ".join(BRANCHES[j].format(y=y) for j in range(width)) if width > 1 else \
                f"{BRANCHES[0].format(y=y)} + 0"
            yield f"{nxt} = {scale} * ({branches})"
            y = nxt
            continue
        for j in range(width):
            yield f"b{s}_{j} = " + BRANCHES[j].format(y=y)
        if width == 1:
            yield f"s{s} = b{s}_0 + 0"
        else:
            yield f"s{s} = " + " + ".join(f"b{s}_{j}" for j in range(width))
        y = nxt
        yield f"{y} = {scale} * s{s}"


def mlp(layers: Iterable[int] = (30, 30, 3), *, seed: int = 0, nested: bool = False) -> Iterator[str]:
    """A dense scalar network: ``layers[0]`` inputs, tanh hidden layers, a linear last layer and a
    squared-error loss ``y`` against fixed targets. Weights and biases are inputs (the gradient is the one
    training needs); every product, sum and activation is its own line, or with ``nested=True`` a neuron a
    line, ``h1_0 = tanh(w1_0_0 * x0 + w1_0_1 * x1 + … + c1_0)`` (the same nodes)."""
    sizes = list(layers)
    if len(sizes) < 2 or any(s < 1 for s in sizes):
        raise ValueError("layers needs at least two positive sizes, e.g. 300,300,30")
    rng = random.Random(seed)
    yield f"# mlp: layers {','.join(map(str, sizes))}, tanh hidden layers, squared-error loss y"
    prev = []
    for i in range(sizes[0]):
        yield f"input x{i} = {_num(rng.uniform(-1, 1))}"
        prev.append(f"x{i}")
    for layer in range(1, len(sizes)):
        fan_in, last = len(prev), layer == len(sizes) - 1
        scale = 1.0 / math.sqrt(fan_in)
        out = []
        for j in range(sizes[layer]):
            terms = []
            for i, x in enumerate(prev):
                yield f"input w{layer}_{j}_{i} = {_num(rng.gauss(0, scale))}"
                if nested:
                    terms.append(f"w{layer}_{j}_{i} * {x}")
                    continue
                yield f"p{layer}_{j}_{i} = w{layer}_{j}_{i} * {x}"
                terms.append(f"p{layer}_{j}_{i}")
            yield f"input c{layer}_{j} = {_num(rng.uniform(-0.1, 0.1))}"
            terms.append(f"c{layer}_{j}")
            if nested:
                total = " + ".join(terms)
                yield f"h{layer}_{j} = {total}" if last else f"h{layer}_{j} = tanh({total})"
                out.append(f"h{layer}_{j}")
                continue
            yield f"z{layer}_{j} = " + " + ".join(terms)
            if last:
                out.append(f"z{layer}_{j}")
            else:
                yield f"h{layer}_{j} = tanh(z{layer}_{j})"
                out.append(f"h{layer}_{j}")
        prev = out
    for j, o in enumerate(prev):
        yield f"e{j} = {o} - {_num(rng.uniform(-1, 1))}"
        yield f"q{j} = e{j} * e{j}"
    yield "y = " + " + ".join(f"q{j}" for j in range(len(prev))) if len(prev) > 1 else "y = q0 + 0"


def _at_least(n: int, low: int, what: str) -> None:
    if n < low:
        raise ValueError(f"{what} must be at least {low}, not {n}")


#: Family name -> line generator.
FAMILIES: dict[str, Callable[..., Iterator[str]]] = {
    "wide": wide, "fanout": fanout, "chain": chain, "diamonds": diamonds, "mlp": mlp}


def write(lines: Iterable[str], out: TextIO, chunk: int = 4096) -> int:
    """Write ``lines`` to ``out``, one per line, in chunks; returns the number of lines."""
    it = iter(lines)
    n = 0
    while True:
        block = list(islice(it, chunk))
        if not block:
            return n
        n += len(block)
        block.append("")
        out.write("\n".join(block))


def generate(family: str, out: TextIO | None = None, **options) -> str | int:
    """The program of ``family`` (see :data:`FAMILIES`) with ``options``: its text, or, given ``out``, the
    number of lines written to it."""
    try:
        fn = FAMILIES[family]
    except KeyError:
        raise ValueError(f"unknown family '{family}'; one of {', '.join(FAMILIES)}") from None
    if out is not None:
        return write(fn(**options), out)
    buf = io.StringIO()
    write(fn(**options), buf)
    return buf.getvalue()
