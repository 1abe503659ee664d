"""The table of primitives: one row per operation, holding what cannot be said in graphdiff's language (the
value of the leaf function in each backend: Python, NumPy, JavaScript, mpmath, SymPy) and everything else as
text in the language (every partial, the domain, the conventions at kinks). Importing the package registers
graphdiff's own rows (:mod:`graphdiff.primitives.rows`)."""
from .table import BACKENDS, FUNCTIONS, HELPERS, PRIMITIVES, REDUCTIONS, Primitive, register, unregister
from . import rows  # noqa: F401  (registers the rows)

__all__ = ["BACKENDS", "FUNCTIONS", "HELPERS", "PRIMITIVES", "REDUCTIONS", "Primitive", "register", "unregister"]
