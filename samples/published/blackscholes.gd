# BlackScholes: Black-Scholes price of a European call via Black76 (one output). This is the price itself, not
# the AlphaGrad / Graphax benchmark task "BlackScholes_Jacobian" (the Jacobian of this price's reverse-mode
# gradient, a larger graph, which graphdiff does not ship): no AlphaGrad figure applies to this graph.
# Source: jamielohoff/graphax, src/graphax/examples/economics.py, functions Phi, Black76, BlackScholes
#   (read at commits e0a94fb39ed94738f08de42104d0a501ddf6b575 and 4bbcaf306edb11a67295e0ba6ad9a76726221e78;
#   identical bodies): Phi(z) = (1 + erf(z/sqrt(2)))/2, F = exp(r*T)*S,
#   d1 = (log(F/K) + sigma^2/2*T)/(sigma*sqrt(T)), d2 = d1 - sigma*sqrt(T), price = exp(-r*T)*(F*Phi(d1) - K*Phi(d2)).
# Inputs S, K, r, sigma, T (5 scalars); defaults 1.0 = the repos' test value ([1.]*5 in graphax example_test.py and
#   alphagrad's BlackScholes_Jacobian set-up). Output V (1 scalar).
# Uses erf(x) (the normal CDF through erf, as the source does).
# One line per primitive of jax.make_jaxpr(BlackScholes) (32 equations), in jaxpr order; "# vN" = alphagrad vertex
# number. Two equations cannot be nodes here: v19 and v25 are "sqrt 2.0" on a literal, which JAX stages as
# vertices with no inputs (an edge from each into v20 / v26); graphdiff folds sqrt(2) into the division.
# published: no AlphaGrad order for the price; their forward, reverse and Markowitz orders on their cost model
#   (reimplemented from alphagrad vertexgame/core.py): 108, 44 (their graph keeps sqrt(2.0) as two vertices,
#   which graphdiff folds: 42 here), 50
input S = 1, K = 1, r = 1, sigma = 1, T = 1

rT = r * T                      # v1
erT = exp(rT)                   # v2
F = erT * S                     # v3
FK = F / K                      # v4
lnFK = log(FK)                  # v5
sig2 = sigma ^ 2                # v6
sig2h = sig2 / 2                # v7
sig2hT = sig2h * T              # v8
d1_num = lnFK + sig2hT          # v9
sqT1 = sqrt(T)                  # v10
sigsqT1 = sigma * sqT1          # v11
d1 = d1_num / sigsqT1           # v12
sqT2 = sqrt(T)                  # v13
sigsqT2 = sigma * sqT2          # v14
d2 = d1 - sigsqT2               # v15
nr = -r                         # v16
nrT = nr * T                    # v17
disc = exp(nrT)                 # v18
# v19: sqrt(2.0), a literal-only JAX vertex, folded below
z1 = d1 / sqrt(2)               # v20
erf1 = erf(z1)                  # v21
Phi1_num = 1 + erf1             # v22
Phi1 = Phi1_num / 2             # v23
FPhi1 = F * Phi1                # v24
# v25: sqrt(2.0), a literal-only JAX vertex, folded below
z2 = d2 / sqrt(2)               # v26
erf2 = erf(z2)                  # v27
Phi2_num = 1 + erf2             # v28
Phi2 = Phi2_num / 2             # v29
KPhi2 = K * Phi2                # v30
bracket = FPhi1 - KPhi2         # v31
V = disc * bracket              # v32  output

output V
