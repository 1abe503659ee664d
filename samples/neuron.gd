# One sigmoid neuron with a squared-error loss: the smallest thing backpropagation trains.
input w1 = 0.5, w2 = -0.3, bias = 0.1     # parameters
input x1 = 1.5, x2 = 2.0                  # one example
input target = 1
z = w1*x1 + w2*x2 + bias
y = sigmoid(z)
loss = (y - target)^2
output loss
