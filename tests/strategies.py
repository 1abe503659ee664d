"""Hypothesis strategies: random straight-line programs over smooth primitives, with their input values."""
from __future__ import annotations

from hypothesis import strategies as st

# Smooth everywhere on the reals, so every method must agree at every point.
UNARY = ["sin({})", "cos({})", "tanh({})", "sigmoid({})", "exp(0.3 * {})", "log(1 + {} ^ 2)", "atan({})",
         "softplus({})", "({}) ^ 2", "-({})", "sqrt(1 + {} ^ 2)"]
BINARY = ["{} + {}", "{} - {}", "{} * {}", "{} / (1.5 + sin({}))", "sum({}, {}, 0.5)", "pow(1.5 + tanh({}), {})",
          "mean({}, {})", "prod({}, {})"]


@st.composite
def programs(draw, max_inputs: int = 4, max_nodes: int = 12):
    """(text, values): a program whose nodes use earlier ones (and sometimes reuse one twice)."""
    n_in = draw(st.integers(1, max_inputs))
    names = [f"x{i}" for i in range(n_in)]
    values = {n: draw(st.floats(-1.5, 1.5, allow_nan=False)) for n in names}
    lines = ["input " + ", ".join(names)]  # declared, so an input nothing uses is still an input
    for k in range(draw(st.integers(1, max_nodes))):
        if draw(st.booleans()):
            form = draw(st.sampled_from(UNARY))
            expr = form.format(draw(st.sampled_from(names)))
        else:
            form = draw(st.sampled_from(BINARY))
            a = draw(st.sampled_from(names))
            b = draw(st.sampled_from(names))  # may equal a: parallel edges
            expr = form.format(a, b)
        name = f"n{k}"
        lines.append(f"{name} = {expr}")
        names.append(name)
    return "\n".join(lines), values
