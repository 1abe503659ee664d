"""The human heart dipole problem: 8 nonlinear equations in 8 unknowns, from the MINPACK-2 collection of test
problems (Averick, Carter, Moré and Xue, 1992), as the function ``HumanHeartDipole`` of Graphax
(``src/graphax/examples/minpack.py``), the AlphaGrad / Graphax benchmark task "HumanHeartDipole". It is the same
function as the hand-written benchmark ``human_heart_dipole.gd`` beside this file, which cites the commit read.
The code here was written from the equations, not copied from Graphax.

The unknowns x1..x8 (0.15 each by default, the value AlphaGrad uses) are the dipole's parameters; the outputs
f1..f8 are the residuals of the equations, with the measured right-hand sides sigma_* all 1.0 as in the source
(which subtracts sigma_E in both f7 and f8; kept).

The operations are written in the order JAX records them (``jax.make_jaxpr``), so that the traced graph is the
benchmark's graph:

    graphdiff import samples/published/human_heart_dipole.py:dipole | graphdiff cost -
"""

SIGMA_MX = SIGMA_MY = SIGMA_A = SIGMA_B = SIGMA_C = SIGMA_D = SIGMA_E = 1.0

# The source squares x5, x6, x7, x8 afresh in every term (x5**2 is computed three times), and the benchmark's
# graph keeps each square as its own node. The helpers below name their squares: graphdiff would merge two
# unnamed values with the same text (x5 ^ 2 and x5 ^ 2) into one node.


def difference_of_squares(a, b):
    """a**2 - b**2."""
    a_sq = a ** 2
    b_sq = b ** 2
    return a_sq - b_sq


def cubic(a, b):
    """a * (a**2 - 3 * b**2)."""
    a_sq = a ** 2
    b_sq = b ** 2
    return a * (a_sq - 3 * b_sq)


def dipole(x1=0.15, x2=0.15, x3=0.15, x4=0.15, x5=0.15, x6=0.15, x7=0.15, x8=0.15):
    f1 = x1 + x2 - SIGMA_MX
    f2 = x3 + x4 - SIGMA_MY
    f3 = x5 * x1 + x6 * x2 - x7 * x3 - x8 * x4 - SIGMA_A
    f4 = x7 * x1 + x8 * x2 + x5 * x3 + x6 * x4 - SIGMA_B

    x57 = difference_of_squares(x5, x7)
    x68 = difference_of_squares(x6, x8)
    f5 = x1 * x57 - 2 * x3 * x5 * x7 + x2 * x68 - 2 * x4 * x6 * x8 - SIGMA_C
    f6 = x3 * x57 - 2 * x1 * x5 * x7 + x4 * x68 - 2 * x2 * x6 * x8 - SIGMA_D

    x557 = cubic(x5, x7)
    x775 = cubic(x7, x5)
    x668 = cubic(x6, x8)
    x886 = cubic(x8, x6)
    f7 = x1 * x557 + x3 * x775 + x2 * x668 + x4 * x886 - SIGMA_E
    f8 = x3 * x557 - x1 * x775 + x4 * x668 - x2 * x886 - SIGMA_E

    return {"f1": f1, "f2": f2, "f3": f3, "f4": f4, "f5": f5, "f6": f6, "f7": f7, "f8": f8}
