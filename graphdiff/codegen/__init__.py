"""Formula texts and graphs turned into code: the numeric functions of every row (compiled from its
formula texts), Python, mpmath and JavaScript for every backend, and a graph as a math-only Python module."""
