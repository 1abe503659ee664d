"""graphdiff: the calculus of computational graphs, runnable.

>>> import graphdiff
>>> g = graphdiff.loads("c = a + b; d = b + 1; e = c * d")
>>> graphdiff.evaluate(g, {"a": 2, "b": 1})["e"]
6.0
>>> graphdiff.grad(g, {"a": 2, "b": 1}).jacobian[g.node("e")][g.node("b")]
5.0
>>> graphdiff.count_paths(g, g.node("b"), g.node("e"))
2
"""
from .cost import Cost, cost
from .errors import ComputeError, CycleError, Diagnostic, ExitCode, GraphdiffError, InputError, ParseError
from .evaluate import Linearization, Values, bind, evaluate, linearize
from .forward import forward_sweep
from .grad import MODES, Gradient, Operations, TooMuchWork, grad
from .graph import Graph, load, loads
from .ops import PRIMITIVES, Primitive
from .paths import TooManyPaths, count_paths, iter_paths, path_matrix, path_products, path_sum
from .reverse import Sweep, gradient, reverse_sweep

__version__ = "0.1.0"
__all__ = [
    "Cost", "ComputeError", "CycleError", "Diagnostic", "ExitCode", "Gradient", "Graph", "GraphdiffError",
    "InputError", "Linearization", "MODES", "Operations", "PRIMITIVES", "ParseError", "Primitive", "Sweep",
    "TooManyPaths", "TooMuchWork", "Values", "bind", "cost", "count_paths", "evaluate", "forward_sweep", "grad", "gradient",
    "iter_paths", "linearize", "load", "loads", "path_matrix", "path_products", "path_sum", "reverse_sweep",
]
