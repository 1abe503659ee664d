# RoeFlux_1d: 1-D Roe flux (Roe 1981), the AlphaGrad / Graphax benchmark task "RoeFlux_1d".
# Source: jamielohoff/graphax, src/graphax/examples/roe.py, function RoeFlux_1d
#   (read at commits b76d737e44108f7a604c73b17745743a46f249f4 and 0c1bd4898be4ae58d16d761a021f5c5ca68788ab;
#   the function body is identical in both). gamma = 0.5, so (gamma - 1) = -0.5.
# Inputs ul0, ul1, ul2, ur0, ur1, ur2 (6 scalars); defaults = the repos' test/benchmark values
#   xs = [.01, .02, .02, .01, .03, .03] (roe.py comment, alphagrad make_RoeFlux_1d, graphax example_test.py).
# Outputs phi0, phi1, phi2 (3 scalars).
# One line per primitive of jax.make_jaxpr(RoeFlux_1d) (101 equations), in jaxpr order. "# vN" is the vertex
# number N that alphagrad's make_graph gives that equation (1-based equation index), so the elimination orders
# printed in their code can be replayed here by name. Repeated sub-expressions of the source (jnp.sqrt(ul0)
# three times, jnp.abs(u) twice, ul1/ul0 twice, c*c1 three times, ...) are separate JAX equations and are kept
# as separate nodes here.
# published: AlphaGrad's own orders, replayed here (samples/published/orders): 320 multiplications
#   (jamielohoff/alphagrad src/alphagrad/eval/RoeFlux_1d/runtime_test.py @846f7ec7, '# 320 mults') and 323
#   (src/alphagrad/alphazero/vertex_A0.py @04318878, 'Roe Flux New best return: -323.0'); their forward,
#   reverse and Markowitz orders on their cost model (reimplemented from vertexgame/core.py): 620, 364, 407
input ul0 = 0.01, ul1 = 0.02, ul2 = 0.02, ur0 = 0.01, ur1 = 0.03, ur2 = 0.03

du0 = ur0 - ul0                 # v1
ulr0_sq = ul0 * ur0             # v2
ulr0 = sqrt(ulr0_sq)            # v3
w1_sl = sqrt(ul0)               # v4
w1_sr = sqrt(ur0)               # v5
w1 = w1_sl + w1_sr              # v6
vl = ul1 / ul0                  # v7
pl_u1sq = ul1 ^ 2               # v8   pressure_1d(ul0, ul1, ul2)
pl_half = 0.5 * pl_u1sq         # v9
pl_ke = pl_half / ul0           # v10
pl_diff = ul2 - pl_ke           # v11
pl = -0.5 * pl_diff             # v12  (gamma-1)*(...)
hl_num = ul2 + pl               # v13  enthalpy_1d
hl = hl_num / ul0               # v14
vr = ur1 / ur0                  # v15
pr_u1sq = ur1 ^ 2               # v16  pressure_1d(ur0, ur1, ur2)
pr_half = 0.5 * pr_u1sq         # v17
pr_ke = pr_half / ur0           # v18
pr_diff = ur2 - pr_ke           # v19
pr = -0.5 * pr_diff             # v20
hr_num = ur2 + pr               # v21
hr = hr_num / ur0               # v22
dp = pr - pl                    # v23
dv = vr - vl                    # v24
u_sl = sqrt(ul0)                # v25  Roe averaging: u = (sqrt(ul0)*vl + sqrt(ur0)*vr) / w1
u_l = u_sl * vl                 # v26
u_sr = sqrt(ur0)                # v27
u_r = u_sr * vr                 # v28
u_num = u_l + u_r               # v29
u = u_num / w1                  # v30
h_sl = sqrt(ul0)                # v31  h = (sqrt(ul0)*hl + sqrt(ur0)*hr) / w1
h_l = h_sl * hl                 # v32
h_sr = sqrt(ur0)                # v33
h_r = h_sr * hr                 # v34
h_num = h_l + h_r               # v35
h = h_num / w1                  # v36
q2 = u ^ 2                      # v37
q2_half = 0.5 * q2              # v38
a2_diff = h - q2_half           # v39
a2 = -0.5 * a2_diff             # v40
a = sqrt(a2)                    # v41
upa_lp = u + a                  # v42
lp = abs(upa_lp)                # v43
l = abs(u)                      # v44
ln = abs(u)                     # v45
n = a * ulr0                    # v46
c0_dpa2 = dp / a2               # v47
c0_diff = du0 - c0_dpa2         # v48
c0 = c0_diff * l                # v49
c1_dpn = dp / n                 # v50
c1_sum = dv + c1_dpn            # v51
c1 = c1_sum * lp                # v52
c2_dpn = dp / n                 # v53
c2_diff = dv - c2_dpn           # v54
c2 = c2_diff * ln               # v55
fl_v = ul1 / ul0                # v56  F_1d(ul0, ul1, ul2, pl)
fl_mom = ul1 * fl_v             # v57
FL1 = pl + fl_mom               # v58
fl_pu2 = pl + ul2               # v59
FL2 = fl_v * fl_pu2             # v60
fr_v = ur1 / ur0                # v61  F_1d(ur0, ur1, ur2, pr)
fr_mom = ur1 * fr_v             # v62
FR1 = pr + fr_mom               # v63
fr_pu2 = pr + ur2               # v64
FR2 = fr_v * fr_pu2             # v65
F0 = ul1 + ur1                  # v66  FL0 + FR0
F1 = FL1 + FR1                  # v67
F2 = FL2 + FR2                  # v68
c_half = 0.5 * ulr0             # v69
c = c_half / a                  # v70
df0_cc1 = c * c1                # v71  dF0 = c0 + c*c1 - c*c2
df0_s = c0 + df0_cc1            # v72
df0_cc2 = c * c2                # v73
dF0 = df0_s - df0_cc2           # v74
df1_t0 = c0 * u                 # v75  dF1 = c0*u + c*c1*(u+a) - c*c2*(u-a)
df1_cc1 = c * c1                # v76
df1_upa = u + a                 # v77
df1_t1 = df1_cc1 * df1_upa      # v78
df1_s = df1_t0 + df1_t1         # v79
df1_cc2 = c * c2                # v80
df1_uma = u - a                 # v81
df1_t2 = df1_cc2 * df1_uma      # v82
dF1 = df1_s - df1_t2            # v83
df2_c0h = c0 * 0.5              # v84  dF2 = c0*.5*q2 + c*c1*(h+u*a) - c*c2*(h-u*a)
df2_t0 = df2_c0h * q2           # v85
df2_cc1 = c * c1                # v86
df2_ua1 = u * a                 # v87
df2_hpua = h + df2_ua1          # v88
df2_t1 = df2_cc1 * df2_hpua     # v89
df2_s = df2_t0 + df2_t1         # v90
df2_cc2 = c * c2                # v91
df2_ua2 = u * a                 # v92
df2_hmua = h - df2_ua2          # v93
df2_t2 = df2_cc2 * df2_hmua     # v94
dF2 = df2_s - df2_t2            # v95
phi0_d = F0 - dF0               # v96
phi0 = 0.5 * phi0_d             # v97  output
phi1_d = F1 - dF1               # v98
phi1 = 0.5 * phi1_d             # v99  output
phi2_d = F2 - dF2               # v100
phi2 = 0.5 * phi2_d             # v101 output

output phi0, phi1, phi2
