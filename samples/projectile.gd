# graphdiff import samples/python/projectile.py:distance: traced at the inputs' values below
input v = 20, angle = 0.7, h = 1.5, g = 9.81
vx = v * cos(angle)  # line 10
vy = v * sin(angle)  # line 11
t = (vy + sqrt((vy ^ 2) + ((2 * g) * h))) / g  # line 12
y = vx * t  # line 13
output y
