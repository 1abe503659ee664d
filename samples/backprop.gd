# The essay's example: e = (a + b) * (b + 1), at a = 2, b = 1 (e = 6).
input a = 2
input b = 1
c = a + b
d = b + 1
e = c * d
output e
