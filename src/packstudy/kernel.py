"""The batched drive-cycle kernel: variants x time steps, compiled once with numba.

Time steps run in the outer loop and variants in the inner loop over contiguous float64
arrays; per-variant state lives in small arrays, so memory grows with variants, not with
variants x steps. Each 1 s step uses the step-average speed (trapezoid), as EPA and FASTSim do.

Sign convention: battery power and current positive when discharging.

Energy bookkeeping per variant (accumulator columns ``A_*``, J) closes exactly:
battery terminal energy = wheel energy delivered + friction braking + gearbox + machine +
inverter losses + auxiliaries, and cell chemical energy = terminal energy + ohmic + RC losses.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from . import ecm
from .inverter import inverter_loss_W
from .units import G_MPS2
from .vehicle import (
    V_AUX,
    V_BASE_SPEED,
    V_F0,
    V_F1,
    V_F2,
    V_GEAR_EFF,
    V_INERTIAL_MASS,
    V_MASS,
    V_MAX_FORCE,
    V_MOTOR_W,
    motor_loss_W,
    regen_share,
)

# Battery parameter matrix columns (one row per variant).
B_SERIES = 0
B_PARALLEL = 1
B_CAPACITY_AH = 2  # cell capacity, Ah
B_V_MIN = 3  # cell voltage limits, V
B_V_MAX = 4
B_I_DISCHARGE = 5  # cell current limits on drive cycles (10 s peak), A
B_I_CHARGE = 6
B_CELL_MASS = 7  # kg
B_CELL_CP = 8  # J/(kg K)
B_CELL_HA = 9  # cell-to-coolant conductance, W/K
N_BATTERY_PARAMS = 10

# Accumulator columns (one row per variant).
A_TIME = 0  # s
A_DIST = 1  # m
A_WHEEL_POS = 2  # traction energy delivered at the wheels, J
A_WHEEL_NEG = 3  # braking energy demanded at the wheels (magnitude), J
A_FRICTION = 4  # energy dissipated by the friction brakes, J
A_GEAR_LOSS = 5
A_MOTOR_LOSS = 6
A_INV_LOSS = 7
A_AUX = 8
A_TERMINAL = 9  # net battery terminal energy (discharge positive), J
A_REGEN = 10  # energy returned to the battery terminals (magnitude), J
A_CHEMICAL = 11  # net OCV x current energy, J
A_OHMIC = 12  # R0 losses, J
A_RC = 13  # RC-pair losses, J
A_SHORTFALL = 14  # traction energy demanded but not delivered at the wheels, J
A_SHORTFALL_TIME = 15  # time with a shortfall, s
A_SOC_END = 16
A_TEMP_END = 17  # degC
A_V_CELL_MIN = 18  # lowest cell terminal voltage, V
A_I_CELL_MAX = 19  # highest cell discharge current, A
A_I_CELL_MIN = 20  # most negative (charging) cell current, A
A_TEMP_MAX = 21
N_ACC = 22

# Trace channels (only when traces are asked for).
T_SPEED = 0  # step-average speed, m/s
T_WHEEL_W = 1
T_BATTERY_W = 2  # terminal power, W
T_VOLTAGE = 3  # pack terminal voltage, V
T_CURRENT = 4  # cell current, A
T_SOC = 5  # at the end of the step
T_TEMP = 6  # degC, end of step
N_TRACE = 7


@njit(cache=True)
def _drivetrain(veh, inv, wheel_W, speed, dc_volt):
    """DC-bus power (W, with aux) and its losses for a wheel power at a speed.

    Returns (dc_W, friction_W, gear_W, motor_W, inverter_W): friction is the braking power
    the friction brakes dissipate (>= 0).
    """
    eta = veh[V_GEAR_EFF]
    friction = 0.0
    if wheel_W >= 0.0:
        shaft = wheel_W / eta
        gear = shaft - wheel_W
    else:
        regen_wheel = wheel_W * regen_share(veh, speed)
        friction = regen_wheel - wheel_W
        shaft = regen_wheel * eta
        gear = shaft - regen_wheel
    motor = motor_loss_W(veh, shaft, speed)
    inverter = 0.0
    if speed > 0.0 and shaft != 0.0:
        torque_fraction = abs(shaft) / speed / veh[V_MAX_FORCE]
        inverter = inverter_loss_W(inv, torque_fraction, speed / veh[V_BASE_SPEED], dc_volt)
    electrical = shaft + motor + inverter
    if wheel_W < 0.0 and electrical > 0.0:
        # at very low regen power the losses exceed the recovered power: brake by friction
        friction = -wheel_W
        gear = 0.0
        motor = motor_loss_W(veh, 0.0, speed)
        inverter = 0.0
        electrical = motor
    return electrical + veh[V_AUX], friction, gear, motor, inverter


@njit(cache=True)
def drive_cycle(
    speed_mps, grade, dt_s, veh, inv, bat, ocv_V, r0_ohm, r1_ohm, tau1_s,
    soc0, temp0_C, coolant_C, acc, trace,
):
    """Simulate every variant over one cycle; fills ``acc`` (n, N_ACC) and, if it has
    rows, ``trace`` (n, N_TRACE, steps).

    speed_mps, grade: (steps + 1,) samples at 0, dt, 2 dt ...; veh: (n, N_VEHICLE_PARAMS);
    inv: (n, N_INVERTER_PARAMS); bat: (n, N_BATTERY_PARAMS); ocv_V: (n, SOC grid);
    r0/r1/tau1: (n, SOC grid, temperature grid); soc0, temp0_C, coolant_C: (n,).
    """
    n = veh.shape[0]
    steps = speed_mps.shape[0] - 1
    soc_grid = ecm.SOC_GRID
    temp_grid = ecm.TEMP_GRID_C
    soc = soc0.copy()
    temp = temp0_C.copy()
    v_rc = np.zeros(n)
    keep_trace = trace.shape[0] > 0
    acc[:, :] = 0.0
    acc[:, A_V_CELL_MIN] = np.inf
    for t in range(steps):
        v0 = speed_mps[t]
        v1 = speed_mps[t + 1]
        speed = 0.5 * (v0 + v1)
        accel = (v1 - v0) / dt_s
        slope = math.atan(grade[t])
        for i in range(n):
            p = veh[i]
            cells = bat[i, B_SERIES] * bat[i, B_PARALLEL]
            force = p[V_INERTIAL_MASS] * accel + p[V_MASS] * G_MPS2 * math.sin(slope)
            if speed > 0.0:
                force += p[V_F0] + p[V_F1] * speed + p[V_F2] * speed * speed
            wheel = force * speed
            # machine limits: rated power and the torque limit as a force at the wheels
            limit_W = min(p[V_MOTOR_W], p[V_MAX_FORCE] * speed) * p[V_GEAR_EFF]
            delivered = min(wheel, limit_W) if wheel > 0.0 else wheel

            ocv = ecm.curve_at(soc_grid, ocv_V[i], soc[i])
            r0 = ecm.table_at(soc_grid, temp_grid, r0_ohm[i], soc[i], temp[i])
            r1 = ecm.table_at(soc_grid, temp_grid, r1_ohm[i], soc[i], temp[i])
            tau = ecm.table_at(soc_grid, temp_grid, tau1_s[i], soc[i], temp[i])
            g = ecm.rc_mean_factor(tau, dt_s)
            source = ocv - g * v_rc[i]
            r_eff = r0 + (1.0 - g) * r1
            # cell power limits from the voltage window and the current limits
            i_dis = min(bat[i, B_I_DISCHARGE], (source - bat[i, B_V_MIN]) / r_eff)
            i_dis = min(i_dis, 0.5 * source / r_eff)
            p_cell_max = max((source - i_dis * r_eff) * i_dis, 0.0)
            i_chg = min(bat[i, B_I_CHARGE], (bat[i, B_V_MAX] - source) / r_eff)
            i_chg = max(i_chg, 0.0)
            p_cell_min = -(source + i_chg * r_eff) * i_chg
            volt_est = bat[i, B_SERIES] * ocv

            dc, friction, gear, motor, inverter = _drivetrain(p, inv[i], delivered, speed, volt_est)
            if dc > p_cell_max * cells and delivered > 0.0:
                # battery-limited: bisect the wheel power that the battery can supply
                lo = 0.0
                hi = delivered
                for _ in range(30):
                    mid = 0.5 * (lo + hi)
                    dc_mid = _drivetrain(p, inv[i], mid, speed, volt_est)[0]
                    if dc_mid > p_cell_max * cells:
                        hi = mid
                    else:
                        lo = mid
                delivered = lo
                dc, friction, gear, motor, inverter = _drivetrain(
                    p, inv[i], delivered, speed, volt_est)
            if dc < p_cell_min * cells:
                # charge-limited: the friction brakes take the rest
                excess = p_cell_min * cells - dc
                friction += excess
                dc = p_cell_min * cells
            p_cell = dc / cells
            if p_cell > p_cell_max:
                p_cell = p_cell_max  # aux alone exceeds the battery: counted as shortfall
            current = ecm.current_for_power(source, r_eff, p_cell)
            v_end, v_mean = ecm.rc_step(v_rc[i], current, r1, tau, dt_s)
            terminal_cell = (ocv - v_mean - current * r0) * current
            ohmic = current * current * r0
            rc_loss = v_mean * current
            heat = ohmic + rc_loss
            v_rc[i] = v_end
            soc[i] -= current * dt_s / (3600.0 * bat[i, B_CAPACITY_AH])
            temp[i] += dt_s * (heat - bat[i, B_CELL_HA] * (temp[i] - coolant_C[i])) / (
                bat[i, B_CELL_MASS] * bat[i, B_CELL_CP])

            a = acc[i]
            a[A_TIME] += dt_s
            a[A_DIST] += speed * dt_s
            if wheel > 0.0:
                a[A_WHEEL_POS] += delivered * dt_s
                a[A_SHORTFALL] += (wheel - delivered) * dt_s
                if wheel - delivered > 1e-9 * abs(wheel):
                    a[A_SHORTFALL_TIME] += dt_s
            else:
                a[A_WHEEL_NEG] -= wheel * dt_s
            a[A_FRICTION] += friction * dt_s
            a[A_GEAR_LOSS] += gear * dt_s
            a[A_MOTOR_LOSS] += motor * dt_s
            a[A_INV_LOSS] += inverter * dt_s
            a[A_AUX] += p[V_AUX] * dt_s
            a[A_TERMINAL] += terminal_cell * cells * dt_s
            if terminal_cell < 0.0:
                a[A_REGEN] -= terminal_cell * cells * dt_s
            a[A_CHEMICAL] += ocv * current * cells * dt_s
            a[A_OHMIC] += ohmic * cells * dt_s
            a[A_RC] += rc_loss * cells * dt_s
            v_cell = ocv - v_mean - current * r0
            a[A_V_CELL_MIN] = min(a[A_V_CELL_MIN], v_cell)
            a[A_I_CELL_MAX] = max(a[A_I_CELL_MAX], current)
            a[A_I_CELL_MIN] = min(a[A_I_CELL_MIN], current)
            a[A_TEMP_MAX] = max(a[A_TEMP_MAX], temp[i])
            if keep_trace:
                tr = trace[i]
                tr[T_SPEED, t] = speed
                tr[T_WHEEL_W, t] = delivered
                tr[T_BATTERY_W, t] = terminal_cell * cells
                tr[T_VOLTAGE, t] = v_cell * bat[i, B_SERIES]
                tr[T_CURRENT, t] = current
                tr[T_SOC, t] = soc[i]
                tr[T_TEMP, t] = temp[i]
    for i in range(n):
        acc[i, A_SOC_END] = soc[i]
        acc[i, A_TEMP_END] = temp[i]
