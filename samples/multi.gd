# Several outputs from two inputs: the Jacobian has one row per output.
input r = 2, theta = 0.5
x = r * cos(theta)
y = r * sin(theta)
area = r^2 * theta / 2
