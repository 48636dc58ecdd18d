"""Equivalent-circuit cell model (OCV, R0 and one RC pair): the scalar steps shared by kernels.

All functions are numba-compiled scalar functions over one cell; the batched kernels
(``kernel.py``, ``cellsim.py``) call them inside their loops. Conventions: current positive
when discharging (A), temperatures in degC, SOC as a fraction 0..1. Parameter tables are
sampled on the common grids ``SOC_GRID`` (rows) and ``TEMP_GRID_C`` (columns).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

SOC_GRID = np.linspace(0.0, 1.0, 21)
TEMP_GRID_C = np.array([-20.0, -10.0, 0.0, 10.0, 25.0, 40.0])


@njit(cache=True)
def _bracket(grid, x):
    """Index i and weight w with x ~ grid[i]*(1-w) + grid[i+1]*w, clamped to the grid."""
    n = grid.shape[0]
    if x <= grid[0]:
        return 0, 0.0
    if x >= grid[n - 1]:
        return n - 2, 1.0
    lo, hi = 0, n - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if grid[mid] <= x:
            lo = mid
        else:
            hi = mid
    return lo, (x - grid[lo]) / (grid[lo + 1] - grid[lo])


@njit(cache=True, inline="always")
def bracket_near(grid, x, i):
    """``_bracket`` given a nearby index ``i`` (the previous step's): the same result,
    without the search while x stays inside that interval."""
    if grid[0] < x < grid[grid.shape[0] - 1] and grid[i] <= x < grid[i + 1]:
        return i, (x - grid[i]) / (grid[i + 1] - grid[i])
    return _bracket(grid, x)


@njit(cache=True)
def curve_at(soc_grid, values, soc):
    """Linear interpolation of a curve sampled on ``soc_grid`` (clamped at the ends)."""
    i, w = _bracket(soc_grid, soc)
    return values[i] * (1.0 - w) + values[i + 1] * w


@njit(cache=True, inline="always")
def curve_near(soc_grid, values, soc, i):
    """``curve_at`` with the bracket search started from a nearby index ``i``."""
    i, w = bracket_near(soc_grid, soc, i)
    return values[i] * (1.0 - w) + values[i + 1] * w


@njit(cache=True)
def table_at(soc_grid, temp_grid_C, table, soc, temp_C):
    """Bilinear interpolation of a (SOC x temperature) table (clamped at the edges)."""
    i, wi = _bracket(soc_grid, soc)
    j, wj = _bracket(temp_grid_C, temp_C)
    return table_at_bracket(table, i, wi, j, wj)


@njit(cache=True, inline="always")
def table_at_bracket(table, i, wi, j, wj):
    """``table_at`` from brackets already found (``_bracket`` of SOC and of temperature), so
    that several tables at one point share the two searches."""
    a = table[i, j] * (1.0 - wj) + table[i, j + 1] * wj
    b = table[i + 1, j] * (1.0 - wj) + table[i + 1, j + 1] * wj
    return a * (1.0 - wi) + b * wi


@njit(cache=True)
def current_for_power(source_V, r0_ohm, power_W):
    """Cell current (A) that delivers ``power_W`` at the terminals: P = (E - I*R0)*I.

    ``source_V`` is OCV minus the RC-pair voltage. Returns NaN when the power exceeds the
    maximum deliverable E^2 / (4 R0).
    """
    disc = source_V * source_V - 4.0 * r0_ohm * power_W
    if disc < 0.0:
        return math.nan
    return 2.0 * power_W / (source_V + math.sqrt(disc))


@njit(cache=True)
def rc_step(v_rc_V, current_A, r1_ohm, tau1_s, dt_s):
    """RC-pair voltage after ``dt_s`` at constant current (exact exponential update).

    Also returns the mean RC voltage over the step, used for the step's losses.
    """
    decay = math.exp(-dt_s / tau1_s)
    v_inf = current_A * r1_ohm
    v_end = v_inf + (v_rc_V - v_inf) * decay
    mean = v_inf + (v_rc_V - v_inf) * tau1_s / dt_s * (1.0 - decay)
    return v_end, mean


@njit(cache=True)
def rc_mean_factor(tau1_s, dt_s):
    """g in: mean RC voltage over a step = g*v_rc(start) + (1 - g)*I*R1, at constant current.

    With it a step's terminal power is exactly (OCV - g*v_rc - I*(R0 + (1 - g)*R1)) * I, so
    ``current_for_power(ocv - g*v_rc, r0 + (1 - g)*r1, P)`` conserves energy per step.
    """
    return rc_step_factors(tau1_s, dt_s)[1]


@njit(cache=True)
def rc_step_factors(tau1_s, dt_s):
    """(decay, g) of a step: the RC voltage's decay factor exp(-dt/tau) over the step and
    ``rc_mean_factor``, from one exponential."""
    x = dt_s / tau1_s
    decay = math.exp(-x)
    if x < 1e-9:
        return decay, 1.0
    return decay, (1.0 - decay) / x
