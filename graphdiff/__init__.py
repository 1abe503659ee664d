"""graphdiff: the calculus of computational graphs, runnable.

Every command of the command line is a function here, with the command's name, and every result has
``to_dict()``: the JSON document the command prints, keyed by node names.

>>> import graphdiff
>>> g = graphdiff.loads("c = a + b; d = b + 1; e = c * d")
>>> graphdiff.evaluate(g, {"a": 2, "b": 1})["e"]
6.0
>>> r = graphdiff.grad(g, {"a": 2, "b": 1})
>>> r["e", "b"], r.to_dict()["jacobian"]
(5.0, {'e': {'a': 2.0, 'b': 5.0}})
>>> graphdiff.count_paths(g, g.node("b"), g.node("e"))
2
>>> graphdiff.hessian(g, {"a": 2, "b": 1})["a", "b"]
1.0

The package is layered, each subpackage importing only from those below it (``tests/test_layers.py`` holds
it to that): ``base`` (errors, notation) → ``primitives`` (the table) → ``language`` (parse, graph, cache) →
``codegen`` (formula texts compiled) → ``sweeps`` (values, partials, the accumulation sweep, paths, faults) →
``analyses`` (grad, derive, hessian, eliminate, cost, check …) → ``views`` (reports, output, pictures, the
page, notebooks) → ``cli``.
"""
from importlib import import_module

from .base.errors import ComputeError, CycleError, Diagnostic, ExitCode, GraphdiffError, InputError, ParseError
from .base.version import __version__
from .primitives import PRIMITIVES, Primitive, register, unregister
from .language.cache import load
from .language.graph import Graph, loads
from .sweeps.accumulate import Operations, Sweep, forward_sweep, gradient, reverse_sweep
from .sweeps.evaluate import Linearization, Values, bind, evaluate, linearize
from .views import notebook as _notebook

#: The rest of the library, imported when first used (``graphdiff.grad`` imports the analyses it needs, not
#: every command's: a command on a large cached program starts in a tenth of a second less): name -> module.
_LATER = {
    **dict.fromkeys(("Between", "PathCounts", "TooManyPaths", "between", "count_paths", "iter_paths", "path_counts",
                     "path_matrix", "path_products", "path_sum"), ".sweeps.paths"),
    **dict.fromkeys(("CheckResult", "check"), ".analyses.check"),
    **dict.fromkeys(("Cost", "cost"), ".analyses.cost"),
    **dict.fromkeys(("Derived", "derive"), ".analyses.derive"),
    **dict.fromkeys(("Elimination", "eliminate"), ".analyses.eliminate"),
    **dict.fromkeys(("MODES", "Gradient", "TooMuchWork", "grad"), ".analyses.grad"),
    **dict.fromkeys(("Hessian", "HessianVector", "hessian", "hvp"), ".analyses.hessian"),
    **dict.fromkeys(("Shape", "shape", "info"), ".analyses.shape"),
    **dict.fromkeys(("draw",), ".views.draw"),
    **dict.fromkeys(("Vary", "plot"), ".views.plot"),
    **dict.fromkeys(("PointRow", "at_points"), ".analyses.points"),
    **dict.fromkeys(("Explorable", "explore"), ".views.explore"),
    **dict.fromkeys(("gen",), ".language.gen"),
    **dict.fromkeys(("TraceError", "TraceWarning", "trace"), ".language.python"),
    **dict.fromkeys(("from_sympy",), ".language.symbolic"),
}
_SUBPACKAGES = ("base", "primitives", "language", "codegen", "sweeps", "analyses", "views", "cli")
_SPELLED = {"gen": "generate", "info": "shape"}  # a name the module spells otherwise
#: The release before had these as modules; their functions still answer to those spellings.
_MODULES_BEFORE = {"derive": ("derive",), "hessian": ("hessian", "hvp"), "eliminate": ("eliminate",)}


def __getattr__(name: str):
    module = _LATER.get(name)
    if module is None:
        if name in _SUBPACKAGES:  # graphdiff.analyses without importing it first, as when everything was imported
            return import_module(f".{name}", __name__)
        raise AttributeError(f"module 'graphdiff' has no attribute {name!r}")
    found = import_module(module, __name__)
    value = getattr(found, _SPELLED.get(name, name))
    for old in _MODULES_BEFORE.get(name, ()):  # graphdiff.derive.derive(g, "adjoint") …, graphdiff.hessian.hvp
        value.__dict__[old] = getattr(found, old)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LATER})


def paths(g: Graph, source: str | int | None = None, target: str | int | None = None, inputs=None, **options):
    """``graphdiff paths``: the paths between two nodes (:func:`between`), or without them the path counts
    from every input to every output (:func:`path_counts`)."""
    from .sweeps.paths import between, path_counts

    if source is None and target is None:
        return path_counts(g)
    return between(g, source, target, inputs, **options)


#: Every command by its own name: ``graphdiff.eval(g)`` is ``graphdiff eval``, ``graphdiff.edges(g)`` is
#: ``graphdiff edges``, ``graphdiff.info(g)`` is ``graphdiff info`` (the other commands' functions have their
#: names already: grad, paths, cost, check, draw, derive, hessian, eliminate, explore, gen; ``graphdiff import``
#: is :func:`trace` for a Python function and :func:`from_sympy` for a SymPy expression).
eval, edges = evaluate, linearize  # noqa: A001 - the command's name (info: shape, above)


def import_(target: str | None = None, /, *, sympy=None, **values) -> Graph:
    """``graphdiff import``: the graph a Python function computes (``"model.py:f"``, traced at ``values``), or
    of a SymPy expression (``sympy="x**2*sin(y)"``, its symbols' defaults ``values``). Also reachable as
    ``getattr(graphdiff, "import")``; in code, :func:`trace` takes the function itself."""
    from .language.python import import_file

    if (target is None) == (sympy is None):
        raise InputError("give a 'FILE.py:FUNCTION' to trace, or sympy=EXPR (one of them)")
    if sympy is not None:
        from .language.symbolic import from_sympy

        return from_sympy(sympy, **values)
    return import_file(target, values).graph(target)


globals()["import"] = import_  # the command's name, a keyword: getattr(graphdiff, "import")

_notebook.register()  # results display themselves in Jupyter, when IPython runs

__all__ = [
    "Between", "CheckResult", "ComputeError", "Cost", "CycleError", "Derived", "Diagnostic", "Elimination",
    "ExitCode", "Explorable", "Gradient", "Graph", "GraphdiffError", "Hessian", "HessianVector", "InputError",
    "Linearization", "MODES", "Operations", "PRIMITIVES", "ParseError", "PathCounts", "Primitive", "Shape", "Sweep",
    "TooManyPaths", "TooMuchWork", "TraceError", "TraceWarning", "Values", "__version__", "between", "bind", "check",
    "cost", "count_paths", "derive", "eliminate", "evaluate", "explore", "forward_sweep", "from_sympy", "grad",
    "import_",
    "gradient", "hessian", "hvp",
    "iter_paths", "linearize", "load", "loads", "path_counts", "path_matrix", "path_products", "path_sum",
    "register", "reverse_sweep", "shape", "unregister",
]
