# graphdiff import samples/python/tiny_mlp.py:loss: traced at the inputs' values below
input x[2] = [0.5, -1], w1[6] = [0.1, -0.2, 0.4, 0.3, -0.5, 0.2], b1[3] = [0, 0.1, -0.1], w2[3] = [0.7, -0.3, 0.5], b2 = 0.05, target = 0.25
hidden_0 = tanh(sum(w1[0] * x[0], w1[1] * x[1]) + b1[0])  # line 21
hidden_1 = tanh(sum(w1[2] * x[0], w1[3] * x[1]) + b1[1])  # line 21
hidden_2 = tanh(sum(w1[4] * x[0], w1[5] * x[1]) + b1[2])  # line 21
out = sum(w2[0] * hidden_0, w2[1] * hidden_1, w2[2] * hidden_2) + b2  # line 22
error = out - target  # line 23
y = error ^ 2  # line 24
output y
