"""RobotArm_6DOF: forward kinematics of a six-joint (6-DOF) robot arm, the AlphaGrad / Graphax benchmark task
"RobotArm_6DOF": from the joint angles t1..t6 to the position (px, py, pz) of the tool and its orientation as
Tait-Bryan angles (z, y_, z__).

The equations are those of the function RobotArm_6DOF in jamielohoff/graphax
(src/graphax/examples/differential_kinematics.py, commit 0c1bd489), which takes them from the article at
https://dergipark.org.tr/en/download/article-file/2289226; robotarm_6dof.gd next to this file transcribes them
primitive by primitive. This code was written here from those equations; it is not copied from graphax or any
other code base.

Link lengths a1 = 175, a2 = 890, a3 = 50 and offsets d1 = 575, d4 = 1035, d6 = 185 are constants; ci, si are
cos ti, sin ti, and c23, s23 are cos(t2 + t3), sin(t2 + t3) expanded with the sum formulas. The default point
0.02 for every joint is the repos' test value. Kept as the source has them, so that the graph is the benchmark's:
the position repeats the orientation terms instead of reusing them (px's d6 term recomputes ax, pz's recomputes
az), every repeated cos, sin and product is computed again (each its own node), and y1 has "+ c1 s4" where
ay has "- c1 s4".

    graphdiff import samples/published/robotarm_6dof.py:forward_kinematics | graphdiff cost -
"""
import math

A1, A2, A3 = 175.0, 890.0, 50.0   # link lengths
D1, D4, D6 = 575.0, 1035.0, 185.0  # link offsets


def cos_sum(a, b):
    """cos(a + b) = cos a cos b - sin a sin b."""
    cos_a = math.cos(a)
    cos_b = math.cos(b)
    cos_cos = cos_a * cos_b
    sin_a = math.sin(a)
    sin_b = math.sin(b)
    sin_sin = sin_a * sin_b
    return cos_cos - sin_sin


def sin_sum(a, b):
    """sin(a + b) = cos a sin b + sin a cos b."""
    cos_a = math.cos(a)
    sin_b = math.sin(b)
    cos_sin = cos_a * sin_b
    sin_a = math.sin(a)
    cos_b = math.cos(b)
    sin_cos = sin_a * cos_b
    return cos_sin + sin_cos


def approach(p, q, c23, s23, c4, s4, c5, s5, minus=False):
    """s5 (p c23 c4 + q s4) + p s23 c5, or with "- q s4": the x (p = c1, q = s1) and y (p = s1, q = c1)
    components of the tool's approach vector."""
    p_c23 = p * c23
    p_c23_c4 = p_c23 * c4
    q_s4 = q * s4
    inner = p_c23_c4 - q_s4 if minus else p_c23_c4 + q_s4
    wrist = s5 * inner
    p_s23 = p * s23
    p_s23_c5 = p_s23 * c5
    return wrist + p_s23_c5


def approach_z(c23, s23, c4, c5, s5):
    """s23 c4 s5 - c23 c5, the z component of the approach vector."""
    s23_c4 = s23 * c4
    s23_c4_s5 = s23_c4 * s5
    c23_c5 = c23 * c5
    return s23_c4_s5 - c23_c5


def normal_z(c23, s23, c4, s4, c5, s5, f, g):
    """f (c23 s5 + s23 c4 c5) - s23 s4 g: nz with (f, g) = (c6, s6), oz with (f, g) = (-s6, c6)."""
    c23_s5 = c23 * s5
    s23_c4 = s23 * c4
    s23_c4_c5 = s23_c4 * c5
    mixed = c23_s5 + s23_c4_c5
    f_mixed = f * mixed
    s23_s4 = s23 * s4
    s23_s4_g = s23_s4 * g
    return f_mixed - s23_s4_g


def reach(p, c2, c23, s23):
    """p (a1 + a2 c2 + a3 c23 + d4 s23): the arm's reach before the tool, projected with p = c1 or s1."""
    a2_c2 = A2 * c2
    link = A1 + a2_c2
    a3_c23 = A3 * c23
    link = link + a3_c23
    d4_s23 = D4 * s23
    link = link + d4_s23
    return p * link


def forward_kinematics(t1=0.02, t2=0.02, t3=0.02, t4=0.02, t5=0.02, t6=0.02):
    c1 = math.cos(t1)
    c2 = math.cos(t2)
    c4 = math.cos(t4)
    c5 = math.cos(t5)
    c6 = math.cos(t6)
    c23 = cos_sum(t2, t3)
    s1 = math.sin(t1)
    s2 = math.sin(t2)
    s4 = math.sin(t4)
    s5 = math.sin(t5)
    s6 = math.sin(t6)
    s23 = sin_sum(t2, t3)

    # the tool's orientation: approach vector (ax, ay, az); z components nz, oz of the normal and orientation
    ax = approach(c1, s1, c23, s23, c4, s4, c5, s5)
    ay = approach(s1, c1, c23, s23, c4, s4, c5, s5, minus=True)
    az = approach_z(c23, s23, c4, c5, s5)
    nz = normal_z(c23, s23, c4, s4, c5, s5, c6, s6)
    minus_s6 = -s6  # a variable, so the program lists it where it is computed (before oz's products)
    oz = normal_z(c23, s23, c4, s4, c5, s5, minus_s6, c6)

    # Tait-Bryan angles
    z = math.atan2(ay, ax)
    y_ = math.atan2(math.sqrt(1 - az ** 2), az)
    z__ = math.atan2(oz, -nz)

    # the tool's position: the wrist-to-tool offset d6 along the approach vector plus the arm's reach
    # (recomputed, not reused from ax, ay, az; y1 with "+ c1 s4")
    x1 = D6 * approach(c1, s1, c23, s23, c4, s4, c5, s5)
    x2 = reach(c1, c2, c23, s23)
    px = x1 + x2
    y1 = D6 * approach(s1, c1, c23, s23, c4, s4, c5, s5)
    y2 = reach(s1, c2, c23, s23)
    py = y1 + y2
    z1 = A2 * s2 + D1 + A3 * s23 - D4 * c23
    z2 = D6 * approach_z(c23, s23, c4, c5, s5)
    pz = z1 + z2

    return {"px": px, "py": py, "pz": pz, "z": z, "y_": y_, "z__": z__}
