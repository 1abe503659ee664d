# HumanHeartDipole: the human heart dipole nonlinear system (MINPACK-2 test problem, 8 equations in 8 unknowns),
# the AlphaGrad / Graphax benchmark task "HumanHeartDipole".
# Source: jamielohoff/graphax, src/graphax/examples/minpack.py, function HumanHeartDipole
#   (read at commit 0c1bd4898be4ae58d16d761a021f5c5ca68788ab). All sigma_* constants are 1.0 in the source
#   (sigma_mx = sigma_my = sigma_A = ... = sigma_F = 1.); the source subtracts sigma_E in both f7 and f8 (kept).
# Inputs x1..x8 (8 scalars); defaults 0.15 = the repos' value (alphagrad make_HumanHeartDipole: xs = [.15]*8).
# Outputs f1..f8 (8 scalars).
# One line per primitive of jax.make_jaxpr(HumanHeartDipole) (86 equations), in jaxpr order; "# vN" is alphagrad's
# vertex number. x5**2 etc. is one integer_pow vertex (written ^ 2); repeated x5**2, x7**2, ... stay separate
# nodes as in the jaxpr; "2*x3*x5*x7" is ((2*x3)*x5)*x7, three vertices.
# published: AlphaGrad's best recorded order costs 148 multiplications (its evaluation notebook and run logs,
#   beside RoeFlux_1d's 320 and RobotArm_6DOF's 231; its text is not in the sources read here, so it is not
#   replayed); graphdiff's anneal ties it (148). Their forward, reverse and Markowitz orders on their cost model
#   (reimplemented from alphagrad vertexgame/core.py): 240, 172, 194
input x1 = 0.15, x2 = 0.15, x3 = 0.15, x4 = 0.15, x5 = 0.15, x6 = 0.15, x7 = 0.15, x8 = 0.15

f1_s = x1 + x2                  # v1   f1 = x1 + x2 - sigma_mx
f1 = f1_s - 1                   # v2   output
f2_s = x3 + x4                  # v3   f2 = x3 + x4 - sigma_my
f2 = f2_s - 1                   # v4   output
f3_1 = x5 * x1                  # v5   f3 = x5*x1 + x6*x2 - x7*x3 - x8*x4 - sigma_A
f3_2 = x6 * x2                  # v6
f3_3 = f3_1 + f3_2              # v7
f3_4 = x7 * x3                  # v8
f3_5 = f3_3 - f3_4              # v9
f3_6 = x8 * x4                  # v10
f3_7 = f3_5 - f3_6              # v11
f3 = f3_7 - 1                   # v12  output
f4_1 = x7 * x1                  # v13  f4 = x7*x1 + x8*x2 + x5*x3 + x6*x4 - sigma_B
f4_2 = x8 * x2                  # v14
f4_3 = f4_1 + f4_2              # v15
f4_4 = x5 * x3                  # v16
f4_5 = f4_3 + f4_4              # v17
f4_6 = x6 * x4                  # v18
f4_7 = f4_5 + f4_6              # v19
f4 = f4_7 - 1                   # v20  output
x57_a = x5 ^ 2                  # v21  x57 = x5**2 - x7**2
x57_b = x7 ^ 2                  # v22
x57 = x57_a - x57_b             # v23
x68_a = x6 ^ 2                  # v24  x68 = x6**2 - x8**2
x68_b = x8 ^ 2                  # v25
x68 = x68_a - x68_b             # v26
f5_1 = x1 * x57                 # v27  f5 = x1*x57 - 2*x3*x5*x7 + x2*x68 - 2*x4*x6*x8 - sigma_C
f5_2 = 2 * x3                   # v28
f5_3 = f5_2 * x5                # v29
f5_4 = f5_3 * x7                # v30
f5_5 = f5_1 - f5_4              # v31
f5_6 = x2 * x68                 # v32
f5_7 = f5_5 + f5_6              # v33
f5_8 = 2 * x4                   # v34
f5_9 = f5_8 * x6                # v35
f5_10 = f5_9 * x8               # v36
f5_11 = f5_7 - f5_10            # v37
f5 = f5_11 - 1                  # v38  output
f6_1 = x3 * x57                 # v39  f6 = x3*x57 - 2*x1*x5*x7 + x4*x68 - 2*x2*x6*x8 - sigma_D
f6_2 = 2 * x1                   # v40
f6_3 = f6_2 * x5                # v41
f6_4 = f6_3 * x7                # v42
f6_5 = f6_1 - f6_4              # v43
f6_6 = x4 * x68                 # v44
f6_7 = f6_5 + f6_6              # v45
f6_8 = 2 * x2                   # v46
f6_9 = f6_8 * x6                # v47
f6_10 = f6_9 * x8               # v48
f6_11 = f6_7 - f6_10            # v49
f6 = f6_11 - 1                  # v50  output
x557_a = x5 ^ 2                 # v51  x557 = x5*(x5**2 - 3*x7**2)
x557_b = x7 ^ 2                 # v52
x557_c = 3 * x557_b             # v53
x557_d = x557_a - x557_c        # v54
x557 = x5 * x557_d              # v55
x775_a = x7 ^ 2                 # v56  x775 = x7*(x7**2 - 3*x5**2)
x775_b = x5 ^ 2                 # v57
x775_c = 3 * x775_b             # v58
x775_d = x775_a - x775_c        # v59
x775 = x7 * x775_d              # v60
x668_a = x6 ^ 2                 # v61  x668 = x6*(x6**2 - 3*x8**2)
x668_b = x8 ^ 2                 # v62
x668_c = 3 * x668_b             # v63
x668_d = x668_a - x668_c        # v64
x668 = x6 * x668_d              # v65
x886_a = x8 ^ 2                 # v66  x886 = x8*(x8**2 - 3*x6**2)
x886_b = x6 ^ 2                 # v67
x886_c = 3 * x886_b             # v68
x886_d = x886_a - x886_c        # v69
x886 = x8 * x886_d              # v70
f7_1 = x1 * x557                # v71  f7 = x1*x557 + x3*x775 + x2*x668 + x4*x886 - sigma_E
f7_2 = x3 * x775                # v72
f7_3 = f7_1 + f7_2              # v73
f7_4 = x2 * x668                # v74
f7_5 = f7_3 + f7_4              # v75
f7_6 = x4 * x886                # v76
f7_7 = f7_5 + f7_6              # v77
f7 = f7_7 - 1                   # v78  output
f8_1 = x3 * x557                # v79  f8 = x3*x557 - x1*x775 + x4*x668 - x2*x886 - sigma_E
f8_2 = x1 * x775                # v80
f8_3 = f8_1 - f8_2              # v81
f8_4 = x4 * x668                # v82
f8_5 = f8_3 + f8_4              # v83
f8_6 = x2 * x886                # v84
f8_7 = f8_5 - f8_6              # v85
f8 = f8_7 - 1                   # v86  output

output f1, f2, f3, f4, f5, f6, f7, f8
