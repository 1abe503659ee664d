"""Sweeps over the graph: values and edge partials, reachability, the one accumulation sweep (floats,
path counts, texts, mpmath numbers), paths, and faults traced to where they enter."""
