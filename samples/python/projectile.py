"""How far a projectile flies on flat ground, without drag: launch speed v, angle (radians) and height h.
The time of flight solves h + v sin(angle) t - g t^2 / 2 = 0.

    graphdiff import samples/python/projectile.py:distance | graphdiff grad -
"""
import math


def distance(v=20.0, angle=0.7, h=1.5, g=9.81):
    vx = v * math.cos(angle)
    vy = v * math.sin(angle)
    t = (vy + math.sqrt(vy ** 2 + 2 * g * h)) / g
    return vx * t
