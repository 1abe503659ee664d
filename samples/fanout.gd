# One input, many outputs: forward mode's best case (one sweep gets every derivative).
input t = 0.3
s1 = sin(t); s2 = sin(2*t); s3 = sin(3*t); s4 = sin(4*t)
c1 = cos(t); c2 = cos(2*t); c3 = cos(3*t); c4 = cos(4*t)
e = exp(-t)
