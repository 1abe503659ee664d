"""graphdiff: the calculus of computational graphs, runnable.

Every command of the command line is a function here, and every result has ``to_dict()``: the JSON document
the command prints, keyed by node names.

>>> import graphdiff
>>> g = graphdiff.loads("c = a + b; d = b + 1; e = c * d")
>>> graphdiff.evaluate(g, {"a": 2, "b": 1})["e"]
6.0
>>> r = graphdiff.grad(g, {"a": 2, "b": 1})
>>> r["e", "b"], r.to_dict()["jacobian"]
(5.0, {'e': {'a': 2.0, 'b': 5.0}})
>>> graphdiff.count_paths(g, g.node("b"), g.node("e"))
2
"""
from .accumulate import Operations, Sweep, forward_sweep, gradient, reverse_sweep
from .cache import load
from .check import CheckResult, check
from .cost import Cost, cost
from .errors import ComputeError, CycleError, Diagnostic, ExitCode, GraphdiffError, InputError, ParseError
from .evaluate import Linearization, Values, bind, evaluate, linearize
from .explorable import Explorable, explore
from . import derive, eliminate, hessian  # modules: graphdiff.derive.derive(g, "adjoint"), hessian.hessian(g), …
from .grad import MODES, Gradient, TooMuchWork, grad
from .graph import Graph, loads
from .ops import PRIMITIVES, Primitive, register, unregister
from .paths import (Between, PathCounts, TooManyPaths, between, count_paths, iter_paths, path_counts, path_matrix,
                    path_products, path_sum)
from .shape import Shape, shape

__version__ = "0.1.0"
__all__ = [
    "Between", "CheckResult", "Explorable", "explore", "derive", "eliminate", "hessian", "ComputeError", "Cost", "CycleError", "Diagnostic", "ExitCode", "Gradient", "Graph",
    "GraphdiffError", "InputError", "Linearization", "MODES", "Operations", "PRIMITIVES", "ParseError", "PathCounts",
    "Primitive", "Shape", "Sweep", "TooManyPaths", "TooMuchWork", "Values", "between", "bind", "check", "cost",
    "count_paths", "evaluate", "forward_sweep", "grad", "gradient", "iter_paths", "linearize", "load", "loads",
    "path_counts", "path_matrix", "path_products", "path_sum", "register", "reverse_sweep", "shape", "unregister",
]
