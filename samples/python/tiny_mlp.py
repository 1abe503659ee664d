"""A tiny multilayer perceptron written with lists and math.tanh: two inputs, a hidden layer of three
tanh units, one linear output, and the squared error against a target.

    graphdiff import samples/python/tiny_mlp.py:loss | graphdiff grad -
"""
import math


def layer(weights, biases, inputs):
    """One dense layer before its activation: a weighted sum per unit."""
    return [sum(w * x for w, x in zip(row, inputs)) + b for row, b in zip(weights, biases)]


def loss(x=[0.5, -1.0],
         w1=[0.1, -0.2, 0.4, 0.3, -0.5, 0.2],
         b1=[0.0, 0.1, -0.1],
         w2=[0.7, -0.3, 0.5],
         b2=0.05,
         target=0.25):
    rows = [w1[0:2], w1[2:4], w1[4:6]]
    hidden = [math.tanh(z) for z in layer(rows, b1, x)]
    out = sum(w * h for w, h in zip(w2, hidden)) + b2
    error = out - target
    return error ** 2
