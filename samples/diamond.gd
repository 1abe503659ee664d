# The essay's "factoring paths" figure: three paths from x to y, three from y to z, 3 · 3 = 9 paths from x to z.
input x = 0.5
y = 2*x + sin(x) + x^2      # alpha, beta, gamma
z = 3*y + cos(y) + y^3      # delta, epsilon, zeta
