"""Black-Scholes price of a European call option, written through Black's 1976 formula on the forward price.

This is the "BlackScholes" example of Graphax (Jamie Lohoff's JAX library for vertex elimination; functions
``Phi``, ``Black76`` and ``BlackScholes`` in ``src/graphax/examples/economics.py``), the same function as the
hand-written benchmark ``blackscholes.gd`` beside this file, which cites the commits read. The code here was
written from those equations, not copied from Graphax:

    Phi(z) = (1 + erf(z / sqrt(2))) / 2                      the standard normal distribution function
    F      = exp(r*T) * S                                    the forward price of the underlying
    d1     = (log(F/K) + sigma^2/2 * T) / (sigma * sqrt(T))
    d2     = d1 - sigma * sqrt(T)
    V      = exp(-r*T) * (F * Phi(d1) - K * Phi(d2))

Inputs: spot price S, strike K, interest rate r, volatility sigma, time to expiry T, all 1.0 by default (the value
Graphax's and AlphaGrad's tests use). Output: the price V. This is the price itself, not AlphaGrad's larger
"BlackScholes_Jacobian" task.

The operations are written in the order JAX records them (``jax.make_jaxpr``), so that the traced graph is the
benchmark's graph:

    graphdiff import samples/published/blackscholes.py:price | graphdiff cost -
"""
import math


def phi(z):
    """The standard normal distribution function, through the error function."""
    return (1 + math.erf(z / math.sqrt(2))) / 2


def price(S=1.0, K=1.0, r=1.0, sigma=1.0, T=1.0):
    F = math.exp(r * T) * S
    d1_num = math.log(F / K) + sigma ** 2 / 2 * T
    # sigma * sqrt(T) is computed twice, for d1 and for d2, as in the source (JAX does not share it, and the
    # benchmark's graph has both copies). Each sqrt(T) is a named value: graphdiff would merge two unnamed
    # values with the same text into one node.
    sqrt_T1 = math.sqrt(T)
    d1 = d1_num / (sigma * sqrt_T1)
    sqrt_T2 = math.sqrt(T)
    d2 = d1 - sigma * sqrt_T2
    discount = math.exp(-r * T)
    V = discount * (F * phi(d1) - K * phi(d2))
    return {"V": V}
