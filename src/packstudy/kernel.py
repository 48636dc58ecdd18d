"""The batched drive-cycle kernel: variants x time steps, compiled once with numba.

The cycle's per-step quantities (speed, acceleration, grade force per kg, speed powers) are
computed once for all variants; then each variant runs through the steps with its whole state
(SOC, temperature, RC voltage, accumulators) in registers. This is the fastest order for a
scalar kernel: with variants in the inner loop (DESIGN §6) the state of every variant goes
through memory at every step, which measured 2x slower at 10,000 variants because numba does
not vectorise a loop this size. Memory grows with variants, not with variants x steps. Each
1 s step uses the step-average speed (trapezoid), as EPA and FASTSim do.

The cell's R0, R1 and tau1 are looked up in their (SOC, temperature) tables every
``refresh_steps`` steps (default 10 s) and held in between, and the OCV is linear in SOC
within the current table interval; over 10 s SOC moves by well under 1 %, and the energy
bookkeeping stays exact (tests compare with a refresh every step).

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
from . import inverter as iv
from . import vehicle as vh
from .units import G_MPS2

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


@njit(cache=True, inline="always", error_model="numpy")
def _drivetrain(wheel_W, speed, inv_speed, speed_pow, share, dc_volt, consts):
    """DC-bus power (W, with aux) and its losses for a wheel power at a speed.

    ``consts`` is the variant's tuple from ``_drivetrain_constants``.

    Returns (dc_W, friction_W, gear_W, motor_W, inverter_W); friction is the braking power
    the friction brakes dissipate (>= 0). Branch-free so that callers vectorise.
    """
    (gear_eff, inv_gear, noload_c, copper_c, load_frac, max_force, base_speed, sw_v0, sw_r,
     d_v0, d_r, e_sw, f_sw, i_rated, v_nom, m_max, cos_phi, aux_W) = consts
    motoring = wheel_W >= 0.0
    regen_wheel = wheel_W * share
    shaft = wheel_W * inv_gear if motoring else regen_wheel * gear_eff
    friction = 0.0 if motoring else regen_wheel - wheel_W
    gear = shaft - (wheel_W if motoring else regen_wheel)
    force = shaft * inv_speed
    motor = vh.motor_loss_W(noload_c, copper_c, load_frac, speed_pow, force, shaft)
    inverter = iv.loss_from_columns(sw_v0, sw_r, d_v0, d_r, e_sw, f_sw, i_rated, v_nom, m_max,
                                    cos_phi, abs(force) / max_force, speed / base_speed, dc_volt)
    electrical = shaft + motor + inverter
    # at very low regen power the losses exceed what comes back: brake by friction instead
    lossy = (not motoring) and electrical > 0.0
    idle_motor = noload_c * speed_pow
    friction = -wheel_W if lossy else friction
    gear = 0.0 if lossy else gear
    motor = idle_motor if lossy else motor
    inverter = 0.0 if lossy else inverter
    electrical = idle_motor if lossy else electrical
    return electrical + aux_W, friction, gear, motor, inverter


@njit(cache=True, error_model="numpy", fastmath={"nnan", "nsz", "contract"})
def drive_cycle(
    speed_mps, grade, dt_s, veh, inv, bat, ocv_V, r0_ohm, r1_ohm, tau1_s,
    soc0, temp0_C, coolant_C, acc, trace, refresh_steps=10,
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
    keep_trace = trace.shape[0] > 0
    noload_exp = veh[0, vh.V_NOLOAD_EXP] if n > 0 else 1.5  # one sourced exponent for all

    # the cycle, once for all variants
    speed = np.empty(steps)
    accel = np.empty(steps)
    gravity = np.empty(steps)
    inv_speed = np.empty(steps)
    speed_pow = np.empty(steps)
    distance = 0.0
    for t in range(steps):
        speed[t] = 0.5 * (speed_mps[t] + speed_mps[t + 1])
        accel[t] = (speed_mps[t + 1] - speed_mps[t]) / dt_s
        gravity[t] = G_MPS2 * math.sin(math.atan(grade[t]))
        inv_speed[t] = 1.0 / speed[t] if speed[t] > 0.0 else 0.0
        speed_pow[t] = speed[t] ** noload_exp
        distance += speed[t] * dt_s

    for i in range(n):
        p = veh[i]
        q = inv[i]
        b = bat[i]
        noload_c = p[vh.V_MOTOR_W] * p[vh.V_NOLOAD] / p[vh.V_TOP_SPEED] ** noload_exp
        copper_c = p[vh.V_MOTOR_W] * p[vh.V_COPPER] / (p[vh.V_MAX_FORCE] * p[vh.V_MAX_FORCE])
        consts = (
            p[vh.V_GEAR_EFF], 1.0 / p[vh.V_GEAR_EFF], noload_c, copper_c, p[vh.V_LOAD_LOSS],
            p[vh.V_MAX_FORCE], p[vh.V_BASE_SPEED], q[iv.P_SW_V0], q[iv.P_SW_R], q[iv.P_D_V0],
            q[iv.P_D_R], q[iv.P_E_SW] + q[iv.P_E_REC], q[iv.P_F_SW], q[iv.P_I_RATED],
            q[iv.P_V_NOM], q[iv.P_M_MAX], q[iv.P_COS_PHI], p[vh.V_AUX])
        cells = b[B_SERIES] * b[B_PARALLEL]
        heat_capacity = b[B_CELL_MASS] * b[B_CELL_CP]
        inv_cells = 1.0 / cells
        soc_per_A = dt_s / (3600.0 * b[B_CAPACITY_AH])
        temp_per_W = dt_s / heat_capacity
        soc = soc0[i]
        temp = temp0_C[i]
        v_rc = 0.0
        ocv_a = ocv_b = r0 = r1 = g = decay = inv_r_eff = r_eff = vdc = 0.0
        countdown = 0
        wheel_pos = wheel_neg = friction_sum = gear_sum = motor_sum = inv_sum = 0.0
        terminal_sum = regen_sum = ohmic_sum = rc_sum = 0.0
        shortfall = shortfall_time = 0.0
        v_cell_min = np.inf
        i_max = -np.inf
        i_min = np.inf
        temp_max = -np.inf
        for t in range(steps):
            if countdown == 0:
                countdown = refresh_steps
                j, _ = ecm._bracket(soc_grid, soc)
                ocv_b = (ocv_V[i, j + 1] - ocv_V[i, j]) / (soc_grid[j + 1] - soc_grid[j])
                ocv_a = ocv_V[i, j] - ocv_b * soc_grid[j]
                r0 = ecm.table_at(soc_grid, temp_grid, r0_ohm[i], soc, temp)
                r1 = ecm.table_at(soc_grid, temp_grid, r1_ohm[i], soc, temp)
                tau = ecm.table_at(soc_grid, temp_grid, tau1_s[i], soc, temp)
                g = ecm.rc_mean_factor(tau, dt_s)
                decay = math.exp(-dt_s / tau)
                r_eff = r0 + (1.0 - g) * r1
                inv_r_eff = 1.0 / r_eff
                vdc = b[B_SERIES] * (ocv_a + ocv_b * soc)  # bus voltage for the inverter
            countdown -= 1
            v = speed[t]
            moving = 1.0 if v > 0.0 else 0.0
            force = p[vh.V_INERTIAL_MASS] * accel[t] + p[vh.V_MASS] * gravity[t] + moving * (
                p[vh.V_F0] + p[vh.V_F1] * v + p[vh.V_F2] * v * v)
            wheel = force * v
            limit = min(p[vh.V_MOTOR_W], p[vh.V_MAX_FORCE] * v) * p[vh.V_GEAR_EFF]
            delivered = min(wheel, limit) if wheel > 0.0 else wheel
            ocv = ocv_a + ocv_b * soc
            share = vh.regen_share(p[vh.V_REGEN_FRAC], p[vh.V_REGEN_V_END],
                                   p[vh.V_REGEN_V_START], v)
            dc, friction, gear, motor, inverter = _drivetrain(
                delivered, v, inv_speed[t], speed_pow[t], share, vdc, consts)
            # the cells' power window from their voltage and current limits
            source = ocv - g * v_rc
            i_d = min(b[B_I_DISCHARGE], (source - b[B_V_MIN]) * inv_r_eff, 0.5 * source * inv_r_eff)
            i_c = max(min(b[B_I_CHARGE], (b[B_V_MAX] - source) * inv_r_eff), 0.0)
            p_max = max((source - i_d * r_eff) * i_d, 0.0) * cells
            p_min = -(source + i_c * r_eff) * i_c * cells
            if dc > p_max and delivered > 0.0:
                # traction the battery cannot supply: bisect the deliverable wheel power
                lo = 0.0
                hi = delivered
                for _ in range(40):
                    mid = 0.5 * (lo + hi)
                    trial = _drivetrain(mid, v, inv_speed[t], speed_pow[t], share, vdc, consts)[0]
                    if trial > p_max:
                        hi = mid
                    else:
                        lo = mid
                delivered = lo
                dc, friction, gear, motor, inverter = _drivetrain(
                    lo, v, inv_speed[t], speed_pow[t], share, vdc, consts)
            friction += max(p_min - dc, 0.0)  # regen the cells cannot take: friction brakes
            p_pack = min(max(dc, p_min), p_max)
            p_cell = p_pack * inv_cells
            disc = max(source * source - 4.0 * r_eff * p_cell, 0.0)
            current = 2.0 * p_cell / (source + math.sqrt(disc))
            v_mean = g * v_rc + (1.0 - g) * current * r1
            v_rc = current * r1 + (v_rc - current * r1) * decay
            v_cell = ocv - v_mean - current * r0
            ohmic = current * current * r0
            rc_loss = v_mean * current
            soc -= current * soc_per_A
            temp += (ohmic + rc_loss - b[B_CELL_HA] * (temp - coolant_C[i])) * temp_per_W
            terminal = v_cell * current * cells  # W; the sums below are in W and J = W x dt
            short = max(wheel - delivered, 0.0)
            wheel_pos += max(delivered, 0.0)
            wheel_neg += max(-wheel, 0.0)
            shortfall += short
            shortfall_time += 1.0 if short > 1e-9 * abs(wheel) else 0.0
            friction_sum += friction
            gear_sum += gear
            motor_sum += motor
            inv_sum += inverter
            terminal_sum += terminal
            regen_sum += max(-terminal, 0.0)
            ohmic_sum += ohmic
            rc_sum += rc_loss
            v_cell_min = min(v_cell_min, v_cell)
            i_max = max(i_max, current)
            i_min = min(i_min, current)
            temp_max = max(temp_max, temp)
            if keep_trace:
                trace[i, T_SPEED, t] = v
                trace[i, T_WHEEL_W, t] = delivered
                trace[i, T_BATTERY_W, t] = terminal
                trace[i, T_VOLTAGE, t] = v_cell * b[B_SERIES]
                trace[i, T_CURRENT, t] = current
                trace[i, T_SOC, t] = soc
                trace[i, T_TEMP, t] = temp
        a = acc[i]
        a[A_TIME] = steps * dt_s
        a[A_DIST] = distance
        a[A_WHEEL_POS] = wheel_pos * dt_s
        a[A_WHEEL_NEG] = wheel_neg * dt_s
        a[A_FRICTION] = friction_sum * dt_s
        a[A_GEAR_LOSS] = gear_sum * dt_s
        a[A_MOTOR_LOSS] = motor_sum * dt_s
        a[A_INV_LOSS] = inv_sum * dt_s
        a[A_AUX] = p[vh.V_AUX] * steps * dt_s
        a[A_TERMINAL] = terminal_sum * dt_s
        a[A_REGEN] = regen_sum * dt_s
        a[A_OHMIC] = ohmic_sum * cells * dt_s
        a[A_RC] = rc_sum * cells * dt_s
        a[A_CHEMICAL] = a[A_TERMINAL] + a[A_OHMIC] + a[A_RC]  # OCV x I = V x I + losses
        a[A_SHORTFALL] = shortfall * dt_s
        a[A_SHORTFALL_TIME] = shortfall_time * dt_s
        a[A_SOC_END] = soc
        a[A_TEMP_END] = temp
        a[A_V_CELL_MIN] = v_cell_min
        a[A_I_CELL_MAX] = i_max
        a[A_I_CELL_MIN] = i_min
        a[A_TEMP_MAX] = temp_max
