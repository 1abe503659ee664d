"""Text → graph: the grammar's parser, the graph in topological order with its edges, the tape the numeric
sweeps walk, the compiled-graph cache, and the generators of programs."""
