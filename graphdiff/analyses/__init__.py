"""What the commands compute, as pure functions over the graph: gradients, traces, derivative programs,
Hessians, vertex elimination, shape, cost and the cross-check of every method."""
