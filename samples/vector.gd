# Vector inputs: x[0] ... x[7] are eight scalar nodes; reductions take the whole vector.
input x[8] = 0.5
input w = 2
total = sum(x)
avg = mean(x)
peak = max(x[0], x[3] * w, x[7] + 1)
loss = (w * avg - 3)^2 + 0.01 * prod(x)
output loss, total, peak
