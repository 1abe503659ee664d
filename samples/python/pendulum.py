"""A damped pendulum, four steps of semi-implicit Euler: angle theta, angular velocity omega, length L,
damping c, time step dt. The outputs are the angle and the energy after the last step.

    graphdiff import samples/python/pendulum.py:swing | graphdiff grad - --mode forward
"""
import math

G = 9.81


def step(theta, omega, length, damping, dt):
    """One step: the velocity first, then the angle with the new velocity."""
    alpha = -G / length * math.sin(theta) - damping * omega
    omega = omega + dt * alpha
    theta = theta + dt * omega
    return theta, omega


def swing(theta0=0.5, omega0=0.0, L=1.0, c=0.1, dt=0.05, steps: int = 4):
    theta, omega = theta0, omega0
    for _ in range(steps):
        theta, omega = step(theta, omega, L, c, dt)
    energy = 0.5 * (L * omega) ** 2 + G * L * (1 - math.cos(theta))
    return {"theta": theta, "energy": energy}
