# graphdiff import samples/python/pendulum.py:swing: traced at the inputs' values below
# computed more than once, one node here (unnamed values with the same text are one node; assign them to variables to keep each):
#   (-9.81) / L (4 times, line 13)
input theta0 = 0.5, omega0 = 0, L = 1, c = 0.1, dt = 0.05
alpha_1 = (((-9.81) / L) * sin(theta0)) - (c * omega0)  # line 13
omega_1 = omega0 + (dt * alpha_1)  # line 14
theta_1 = theta0 + (dt * omega_1)  # line 15
alpha_2 = (((-9.81) / L) * sin(theta_1)) - (c * omega_1)  # line 13
omega_2 = omega_1 + (dt * alpha_2)  # line 14
theta_2 = theta_1 + (dt * omega_2)  # line 15
alpha_3 = (((-9.81) / L) * sin(theta_2)) - (c * omega_2)  # line 13
omega_3 = omega_2 + (dt * alpha_3)  # line 14
theta_3 = theta_2 + (dt * omega_3)  # line 15
alpha_4 = (((-9.81) / L) * sin(theta_3)) - (c * omega_3)  # line 13
omega_4 = omega_3 + (dt * alpha_4)  # line 14
theta = theta_3 + (dt * omega_4)  # line 15
energy = (0.5 * ((L * omega_4) ^ 2)) + ((9.81 * L) * (1 - cos(theta)))  # line 23
output theta, energy
