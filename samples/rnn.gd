# A recurrent chain h = tanh(w·h + x): the gradient of the last state with respect to the first vanishes.
input w = 0.5, h0 = 0.1
input x[6] = 0.2
h1 = tanh(w*h0 + x[0])
h2 = tanh(w*h1 + x[1])
h3 = tanh(w*h2 + x[2])
h4 = tanh(w*h3 + x[3])
h5 = tanh(w*h4 + x[4])
h6 = tanh(w*h5 + x[5])
output h6
