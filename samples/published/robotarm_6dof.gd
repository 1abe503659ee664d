# RobotArm_6DOF: forward kinematics of a 6-DOF robot arm (position px, py, pz and Tait-Bryan angles z, y_, z__),
# the AlphaGrad / Graphax benchmark task "RobotArm_6DOF".
# Source: jamielohoff/graphax, src/graphax/examples/differential_kinematics.py, function RobotArm_6DOF
#   (read at commit 0c1bd4898be4ae58d16d761a021f5c5ca68788ab), "Taken from
#   https://dergipark.org.tr/en/download/article-file/2289226". Constants a1=175, a2=890, a3=50, d1=575,
#   d4=1035, d6=185; C(a,b) = cos a cos b - sin a sin b, S(a,b) = cos a sin b + sin a cos b.
#   Transcribed as written, including the source's "s1*c23*c4 + c1*s4" in y1 (ay uses "- c1*s4").
# Inputs t1..t6 (6 scalars); defaults 0.02 = the repos' test value ([.02]*6 in graphax tests and alphagrad).
# Outputs px, py, pz, z, y_, z__ (6 scalars), in the source's return order.
# One line per primitive of jax.make_jaxpr(RobotArm_6DOF) (114 equations), in jaxpr order; "# vN" is alphagrad's
# vertex number. Repeated calls (cos(t2) twice, sin(t2) three times, c1*c23*c4 twice, ...) stay separate nodes.
# atan2(y, x) is graphdiff's atan2 (the angle of (x, y) in (-pi, pi]), as jnp.arctan2(y, x).
# published: AlphaGrad's best recorded order costs 231 multiplications (its evaluation notebook and run logs;
#   its text is not in the sources read here, so it is not replayed). 254 is an intermediate result of a
#   Graphax unit test (jamielohoff/graphax tests/examples/example_test.py @0376896e), replayed here
#   (samples/published/orders/robotarm_6dof_254.txt). Their forward, reverse and Markowitz orders on their cost
#   model (reimplemented from alphagrad vertexgame/core.py): 397, 301, 288; graphdiff's anneal: 221.
input t1 = 0.02, t2 = 0.02, t3 = 0.02, t4 = 0.02, t5 = 0.02, t6 = 0.02

c1 = cos(t1)                    # v1
c2 = cos(t2)                    # v2
c4 = cos(t4)                    # v3
c5 = cos(t5)                    # v4
c6 = cos(t6)                    # v5
c23_ca = cos(t2)                # v6   c23 = C(t2, t3)
c23_cb = cos(t3)                # v7
c23_cc = c23_ca * c23_cb        # v8
c23_sa = sin(t2)                # v9
c23_sb = sin(t3)                # v10
c23_ss = c23_sa * c23_sb        # v11
c23 = c23_cc - c23_ss           # v12
s1 = sin(t1)                    # v13
s2 = sin(t2)                    # v14
s4 = sin(t4)                    # v15
s5 = sin(t5)                    # v16
s6 = sin(t6)                    # v17
s23_ca = cos(t2)                # v18  s23 = S(t2, t3)
s23_sb = sin(t3)                # v19
s23_cs = s23_ca * s23_sb        # v20
s23_sa = sin(t2)                # v21
s23_cb = cos(t3)                # v22
s23_sc = s23_sa * s23_cb        # v23
s23 = s23_cs + s23_sc           # v24
ax_1 = c1 * c23                 # v25  ax = s5*(c1*c23*c4 + s1*s4) + c1*s23*c5
ax_2 = ax_1 * c4                # v26
ax_3 = s1 * s4                  # v27
ax_4 = ax_2 + ax_3              # v28
ax_5 = s5 * ax_4                # v29
ax_6 = c1 * s23                 # v30
ax_7 = ax_6 * c5                # v31
ax = ax_5 + ax_7                # v32
ay_1 = s1 * c23                 # v33  ay = s5*(s1*c23*c4 - c1*s4) + s1*s23*c5
ay_2 = ay_1 * c4                # v34
ay_3 = c1 * s4                  # v35
ay_4 = ay_2 - ay_3              # v36
ay_5 = s5 * ay_4                # v37
ay_6 = s1 * s23                 # v38
ay_7 = ay_6 * c5                # v39
ay = ay_5 + ay_7                # v40
az_1 = s23 * c4                 # v41  az = s23*c4*s5 - c23*c5
az_2 = az_1 * s5                # v42
az_3 = c23 * c5                 # v43
az = az_2 - az_3                # v44
nz_1 = c23 * s5                 # v45  nz = c6*(c23*s5 + s23*c4*c5) - s23*s4*s6
nz_2 = s23 * c4                 # v46
nz_3 = nz_2 * c5                # v47
nz_4 = nz_1 + nz_3              # v48
nz_5 = c6 * nz_4                # v49
nz_6 = s23 * s4                 # v50
nz_7 = nz_6 * s6                # v51
nz = nz_5 - nz_7                # v52
oz_ns6 = -s6                    # v53  oz = -s6*(c23*s5 + s23*c4*c5) - s23*s4*c6
oz_1 = c23 * s5                 # v54
oz_2 = s23 * c4                 # v55
oz_3 = oz_2 * c5                # v56
oz_4 = oz_1 + oz_3              # v57
oz_5 = oz_ns6 * oz_4            # v58
oz_6 = s23 * s4                 # v59
oz_7 = oz_6 * c6                # v60
oz = oz_5 - oz_7                # v61
z = atan2(ay, ax)               # v62  output
y_az2 = az ^ 2                  # v63  y_ = atan2(sqrt(1 - az^2), az)
y_1m = 1 - y_az2                # v64
y_sq = sqrt(y_1m)               # v65
y_ = atan2(y_sq, az)            # v66  output
z_nnz = -nz                     # v67  z__ = atan2(oz, -nz)
z__ = atan2(oz, z_nnz)          # v68  output
x1_1 = c1 * c23                 # v69  x1 = d6*(s5*(c1*c23*c4 + s1*s4) + c1*s23*c5)
x1_2 = x1_1 * c4                # v70
x1_3 = s1 * s4                  # v71
x1_4 = x1_2 + x1_3              # v72
x1_5 = s5 * x1_4                # v73
x1_6 = c1 * s23                 # v74
x1_7 = x1_6 * c5                # v75
x1_8 = x1_5 + x1_7              # v76
x1 = 185 * x1_8                 # v77
x2_1 = 890 * c2                 # v78  x2 = c1*(a1 + a2*c2 + a3*c23 + d4*s23)
x2_2 = 175 + x2_1               # v79
x2_3 = 50 * c23                 # v80
x2_4 = x2_2 + x2_3              # v81
x2_5 = 1035 * s23               # v82
x2_6 = x2_4 + x2_5              # v83
x2 = c1 * x2_6                  # v84
px = x1 + x2                    # v85  output
y1_1 = s1 * c23                 # v86  y1 = d6*(s5*(s1*c23*c4 + c1*s4) + s1*s23*c5)
y1_2 = y1_1 * c4                # v87
y1_3 = c1 * s4                  # v88
y1_4 = y1_2 + y1_3              # v89
y1_5 = s5 * y1_4                # v90
y1_6 = s1 * s23                 # v91
y1_7 = y1_6 * c5                # v92
y1_8 = y1_5 + y1_7              # v93
y1 = 185 * y1_8                 # v94
y2_1 = 890 * c2                 # v95  y2 = s1*(a1 + a2*c2 + a3*c23 + d4*s23)
y2_2 = 175 + y2_1               # v96
y2_3 = 50 * c23                 # v97
y2_4 = y2_2 + y2_3              # v98
y2_5 = 1035 * s23               # v99
y2_6 = y2_4 + y2_5              # v100
y2 = s1 * y2_6                  # v101
py = y1 + y2                    # v102 output
pz_1 = 890 * s2                 # v103 pz = a2*s2 + d1 + a3*s23 - d4*c23 + d6*(s23*c4*s5 - c23*c5)
pz_2 = pz_1 + 575               # v104
pz_3 = 50 * s23                 # v105
pz_4 = pz_2 + pz_3              # v106
pz_5 = 1035 * c23               # v107
pz_6 = pz_4 - pz_5              # v108
pz_7 = s23 * c4                 # v109
pz_8 = pz_7 * s5                # v110
pz_9 = c23 * c5                 # v111
pz_10 = pz_8 - pz_9             # v112
pz_11 = 185 * pz_10             # v113
pz = pz_6 + pz_11               # v114 output

output px, py, pz, z, y_, z__
