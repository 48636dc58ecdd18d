"""The batched drive-cycle kernel: variants x time steps, compiled once with numba.

The cycle's per-step quantities (speed, acceleration, grade force per kg, speed powers) are
computed once for all variants. Variants then go through the cycle in blocks of ``BLOCK``:
time steps outside, the block's variants inside (DESIGN §6). A block's parameters, state
and sums live in one small working array (rows of ``BLOCK`` values, a few tens of kB, so
it stays in the L1 cache), and each step's loop over the block is branch-free arithmetic
on that one array, which LLVM compiles to SIMD instructions (several variants per
instruction). The rare steps where the battery cannot supply the traction demand are
resolved afterwards, variant by variant, by bisection. Memory grows with variants, not
with variants x steps. Each 1 s step uses the step-average speed (trapezoid), as EPA and
FASTSim do.

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
from . import motors as mt
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
B_SOC_MIN = 10  # bottom of the usable SOC window (below it the pack counts as empty)
N_BATTERY_PARAMS = 11



def battery_parameters(cells, series, parallel, cooling_W_per_K_per_kg, soc_min=0.0) -> np.ndarray:
    """The battery parameter matrix (n, N_BATTERY_PARAMS) from cell columns (a
    ``cell.CellArrays``), cell counts, the cell-to-coolant conductance per kg of cell and the
    bottom of the usable SOC window."""
    bat = np.empty((cells.capacity_Ah.shape[0], N_BATTERY_PARAMS))
    bat[:, B_SERIES] = series
    bat[:, B_PARALLEL] = parallel
    bat[:, B_CAPACITY_AH] = cells.capacity_Ah
    bat[:, B_V_MIN] = cells.v_min_V
    bat[:, B_V_MAX] = cells.v_max_V
    bat[:, B_I_DISCHARGE] = cells.i_peak_discharge_A
    bat[:, B_I_CHARGE] = cells.i_peak_charge_A
    bat[:, B_CELL_MASS] = cells.mass_kg
    bat[:, B_CELL_CP] = cells.specific_heat_J_per_kgK
    bat[:, B_CELL_HA] = cells.mass_kg * cooling_W_per_K_per_kg
    bat[:, B_SOC_MIN] = soc_min
    return bat


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
# time (s) off the trace: in excursions of at least ``excursion_s`` below the speed band (or
# below the usable SOC window, the pack empty); see ``drive_cycle``
A_MISSED_TIME = 22
A_SOC_LOW = 23  # lowest SOC reached
N_ACC = 24

# Trace channels (only when traces are asked for).
T_SPEED = 0  # step-average speed, m/s
T_WHEEL_W = 1
T_BATTERY_W = 2  # terminal power, W
T_VOLTAGE = 3  # pack terminal voltage, V
T_CURRENT = 4  # cell current, A
T_SOC = 5  # at the end of the step
T_TEMP = 6  # degC, end of step
N_TRACE = 7


BLOCK = 64  # variants stepped together through a cycle

# Rows of a block's working array: quantity X of the block's variant j is w[X + j]. The row
# offsets are constant multiples of BLOCK, so LLVM sees that rows never overlap and needs no
# aliasing checks to vectorise. (The unpacking below checks _N_ROWS.)
_N_ROWS = 96
(
    # per-variant constants
    _MASS, _INERTIAL_MASS, _F0, _F1, _F2, _MOTOR_W, _MAX_FORCE, _BASE_SPEED, _GEAR_EFF,
    _INV_GEAR, _NOLOAD_C, _COPPER_C, _LOAD_FRAC, _REGEN_FRAC, _REGEN_V_END, _REGEN_V_START,
    _AUX, _M_MAX, _M_MAX_V_NOM,
    _SERIES, _CELLS, _INV_CELLS, _SOC_PER_A, _TEMP_PER_W, _I_DIS, _I_CHG, _V_MIN, _V_MAX,
    _COOL_W_PER_K, _COOLANT, _INV_BASE_SPEED, _SOC_FLOOR,
    # the second machine, and both machines' idle drag, excitation and force limits
    _NOLOAD_C2, _COPPER_C2, _IDLE_C1, _IDLE_C2, _EXCITE1, _EXCITE2, _FMAX1, _FMAX2,
    # each machine's inverter: loss lin f + quad f^2 (f its force, N), lin = L0 + L1 m + LS Vdc,
    # quad = Q0 + Q1 m with m the modulation index (``_inverter_rows``)
    _L0_1, _L1_1, _LS_1, _Q0_1, _Q1_1, _L0_2, _L1_2, _LS_2, _Q0_2, _Q1_2,
    # cell parameters, looked up every ``refresh_steps``
    _OCV_A, _OCV_B, _R0, _R1, _G, _DECAY, _R_EFF, _INV_R_EFF, _VDC, _INV_VDC,
    # state
    _SOC, _TEMP, _V_RC, _DEFICIT, _RUN,
    # the current step (W, V, A)
    _WHEEL, _DELIVERED, _SHARE, _DC, _FRICTION, _GEAR, _MOTOR, _INVERTER, _P_MAX, _P_MIN,
    _TERMINAL, _V_CELL, _CURRENT,
    # sums over the steps (W, J / dt) and extremes
    _WHEEL_POS, _WHEEL_NEG, _FRICTION_SUM, _GEAR_SUM, _MOTOR_SUM, _INV_SUM, _TERMINAL_SUM,
    _REGEN_SUM, _OHMIC_SUM, _RC_SUM, _SHORTFALL, _SHORTFALL_TIME, _V_CELL_MIN, _I_MAX, _I_MIN,
    _TEMP_MAX, _MISSED, _SOC_LOW,
) = range(0, _N_ROWS * BLOCK, BLOCK)

_FAST = {"nnan", "nsz", "contract"}


@njit(cache=True, inline="always", error_model="numpy")
def _drivetrain(w, j, wheel_W, speed, inv_speed, speed_pow, share):
    """DC-bus power (W, with aux) and its losses for a wheel power at a speed, for the
    block's variant j.

    Returns (dc_W, friction_W, gear_W, motor_W, inverter_W); friction is the braking power
    the friction brakes dissipate (>= 0). Branch-free so that callers vectorise.
    """
    gear_eff = w[_GEAR_EFF + j]
    inv_gear = w[_INV_GEAR + j]  # every load before the selects below, so that they vectorise
    noload_c = w[_NOLOAD_C + j]
    aux_W = w[_AUX + j]
    motoring = wheel_W >= 0.0
    regen_wheel = wheel_W * share
    shaft = wheel_W * inv_gear if motoring else regen_wheel * gear_eff
    friction = 0.0 if motoring else regen_wheel - wheel_W
    gear = shaft - (wheel_W if motoring else regen_wheel)
    force = shaft * inv_speed
    # the inverters' modulation index (grows with speed to base speed, scaled by the bus)
    vdc = w[_VDC + j]
    m = min(w[_M_MAX_V_NOM + j] * min(speed * w[_INV_BASE_SPEED + j], 1.0) * w[_INV_VDC + j],
            w[_M_MAX + j])
    motor, inverter = mt.split_losses_W(
        noload_c, w[_NOLOAD_C2 + j], w[_IDLE_C1 + j], w[_IDLE_C2 + j], w[_EXCITE1 + j],
        w[_EXCITE2 + j], w[_COPPER_C + j], w[_COPPER_C2 + j],
        w[_L0_1 + j] + w[_L1_1 + j] * m + w[_LS_1 + j] * vdc,
        w[_L0_2 + j] + w[_L1_2 + j] * m + w[_LS_2 + j] * vdc,
        w[_Q0_1 + j] + w[_Q1_1 + j] * m, w[_Q0_2 + j] + w[_Q1_2 + j] * m,
        w[_FMAX1 + j], w[_FMAX2 + j], w[_LOAD_FRAC + j], speed_pow, force, shaft)
    electrical = shaft + motor + inverter
    # at very low regen power the losses exceed what comes back: brake by friction instead
    lossy = (not motoring) and electrical > 0.0
    idle_motor = (w[_IDLE_C1 + j] + w[_IDLE_C2 + j]) * speed_pow
    friction = -wheel_W if lossy else friction
    gear = 0.0 if lossy else gear
    motor = idle_motor if lossy else motor
    inverter = 0.0 if lossy else inverter
    electrical = idle_motor if lossy else electrical
    return electrical + aux_W, friction, gear, motor, inverter


@njit(cache=True, inline="always", error_model="numpy")
def _load_machines(w, j, p, noload_exp):
    """The two machines' loss coefficients (``motors.split_loss_W``) from vehicle row p."""
    rated = p[vh.V_MOTOR_W]
    iron = rated * p[vh.V_NOLOAD] / p[vh.V_TOP_SPEED] ** noload_exp
    copper = rated * p[vh.V_COPPER] / (p[vh.V_MAX_FORCE] * p[vh.V_MAX_FORCE])
    two = p[vh.V_M2 + mt.M_SHARE] > 0.0
    rows = ((vh.V_M1, _NOLOAD_C, _COPPER_C, _IDLE_C1, _EXCITE1, _FMAX1),
            (vh.V_M2, _NOLOAD_C2, _COPPER_C2, _IDLE_C2, _EXCITE2, _FMAX2))
    for col, noload_row, copper_row, idle_row, excite_row, fmax_row in rows:
        share = p[col + mt.M_SHARE]
        machine_iron = iron * share * p[col + mt.M_NOLOAD]
        w[noload_row + j] = machine_iron
        w[idle_row + j] = machine_iron * p[col + mt.M_IDLE]
        w[excite_row + j] = rated * share * p[col + mt.M_EXCITE]
        # copper ~ (own force / own limit)^2 x own rated power, own limit = share x vehicle's
        w[copper_row + j] = copper * p[col + mt.M_COPPER] / share if share > 0.0 else 0.0
        w[fmax_row + j] = share * p[vh.V_MAX_FORCE] if two else (
            mt.NO_LIMIT_N if share > 0.0 else 0.0)


@njit(cache=True, inline="always", error_model="numpy")
def _inverter_rows(w, j, p, q):
    """Each machine's inverter loss coefficients from vehicle row p and the machines'
    full-power inverter rows q (2, N_INVERTER_PARAMS) (``inverter.loss_terms`` per newton).

    A machine's own inverter is rated at its share s of the power: the same current per
    newton of its force as the full-power inverter (k = I_rated / F_max), the same threshold
    and switching terms per ampere, slope resistances / s."""
    k = q[0, iv.P_I_RATED] / p[vh.V_MAX_FORCE]
    w[_M_MAX + j] = q[0, iv.P_M_MAX]
    w[_M_MAX_V_NOM + j] = q[0, iv.P_M_MAX] * q[0, iv.P_V_NOM]
    rows = ((vh.V_M1, 0, _L0_1, _L1_1, _LS_1, _Q0_1, _Q1_1),
            (vh.V_M2, 1, _L0_2, _L1_2, _LS_2, _Q0_2, _Q1_2))
    for col, r, l0, l1, ls, q0, q1 in rows:
        share = p[col + mt.M_SHARE]
        kl = iv.SWITCHES * k if share > 0.0 else 0.0
        kq = kl * k / share if share > 0.0 else 0.0
        a0, a1, per_volt, b0, b1 = iv.loss_terms(
            q[r, iv.P_SW_V0], q[r, iv.P_SW_R], q[r, iv.P_D_V0], q[r, iv.P_D_R],
            q[r, iv.P_E_SW] + q[r, iv.P_E_REC], q[r, iv.P_F_SW], q[r, iv.P_COS_PHI])
        w[l0 + j] = kl * a0
        w[l1 + j] = kl * a1
        w[ls + j] = kl * per_volt
        w[q0 + j] = kq * b0
        w[q1 + j] = kq * b1


@njit(cache=True, error_model="numpy")
def _load_block(w, m, start, veh, inv, bat, soc0, temp0_C, coolant_C, dt_s, noload_exp):
    """Fill the constant rows and initial state of variants start .. start + m."""
    for j in range(m):
        p = veh[start + j]
        q = inv[start + j]
        b = bat[start + j]
        w[_MASS + j] = p[vh.V_MASS]
        w[_INERTIAL_MASS + j] = p[vh.V_INERTIAL_MASS]
        w[_F0 + j] = p[vh.V_F0]
        w[_F1 + j] = p[vh.V_F1]
        w[_F2 + j] = p[vh.V_F2]
        w[_MOTOR_W + j] = p[vh.V_MOTOR_W]
        w[_MAX_FORCE + j] = p[vh.V_MAX_FORCE]
        w[_BASE_SPEED + j] = p[vh.V_BASE_SPEED]
        w[_INV_BASE_SPEED + j] = 1.0 / p[vh.V_BASE_SPEED]
        w[_GEAR_EFF + j] = p[vh.V_GEAR_EFF]
        w[_INV_GEAR + j] = 1.0 / p[vh.V_GEAR_EFF]
        _load_machines(w, j, p, noload_exp)
        w[_LOAD_FRAC + j] = p[vh.V_LOAD_LOSS]
        w[_REGEN_FRAC + j] = p[vh.V_REGEN_FRAC]
        w[_REGEN_V_END + j] = p[vh.V_REGEN_V_END]
        w[_REGEN_V_START + j] = p[vh.V_REGEN_V_START]
        w[_AUX + j] = p[vh.V_AUX]
        _inverter_rows(w, j, p, q)
        cells = b[B_SERIES] * b[B_PARALLEL]
        w[_SERIES + j] = b[B_SERIES]
        w[_CELLS + j] = cells
        w[_INV_CELLS + j] = 1.0 / cells
        w[_SOC_PER_A + j] = dt_s / (3600.0 * b[B_CAPACITY_AH])
        w[_TEMP_PER_W + j] = dt_s / (b[B_CELL_MASS] * b[B_CELL_CP])
        w[_I_DIS + j] = b[B_I_DISCHARGE]
        w[_I_CHG + j] = b[B_I_CHARGE]
        w[_V_MIN + j] = b[B_V_MIN]
        w[_V_MAX + j] = b[B_V_MAX]
        w[_COOL_W_PER_K + j] = b[B_CELL_HA]
        w[_COOLANT + j] = coolant_C[start + j]
        w[_SOC_FLOOR + j] = b[B_SOC_MIN]
        w[_SOC + j] = soc0[start + j]
        w[_SOC_LOW + j] = soc0[start + j]
        w[_TEMP + j] = temp0_C[start + j]
        w[_V_RC + j] = 0.0
        for row in (_WHEEL_POS, _WHEEL_NEG, _FRICTION_SUM, _GEAR_SUM, _MOTOR_SUM, _INV_SUM,
                    _TERMINAL_SUM, _REGEN_SUM, _OHMIC_SUM, _RC_SUM, _SHORTFALL, _SHORTFALL_TIME,
                    _DEFICIT, _RUN, _MISSED):
            w[row + j] = 0.0
        w[_V_CELL_MIN + j] = np.inf
        w[_I_MAX + j] = -np.inf
        w[_I_MIN + j] = np.inf
        w[_TEMP_MAX + j] = -np.inf


@njit(cache=True, error_model="numpy")
def _refresh_cells(w, m, start, ocv_V, r0_ohm, r1_ohm, tau1_s, dt_s):
    """Look up the cell parameters of the block at its present SOC and temperature."""
    soc_grid = ecm.SOC_GRID
    for j in range(m):
        i = start + j
        soc = w[_SOC + j]
        k, wk = ecm._bracket(soc_grid, soc)
        col, wc = ecm._bracket(ecm.TEMP_GRID_C, w[_TEMP + j])
        ocv_b = (ocv_V[i, k + 1] - ocv_V[i, k]) / (soc_grid[k + 1] - soc_grid[k])
        ocv_a = ocv_V[i, k] - ocv_b * soc_grid[k]
        r0 = ecm.table_at_bracket(r0_ohm[i], k, wk, col, wc)
        r1 = ecm.table_at_bracket(r1_ohm[i], k, wk, col, wc)
        decay, g = ecm.rc_step_factors(ecm.table_at_bracket(tau1_s[i], k, wk, col, wc), dt_s)
        r_eff = r0 + (1.0 - g) * r1
        w[_OCV_A + j] = ocv_a
        w[_OCV_B + j] = ocv_b
        w[_R0 + j] = r0
        w[_R1 + j] = r1
        w[_G + j] = g
        w[_DECAY + j] = decay
        w[_R_EFF + j] = r_eff
        w[_INV_R_EFF + j] = 1.0 / r_eff
        vdc = w[_SERIES + j] * (ocv_a + ocv_b * soc)  # bus voltage for the inverters
        w[_VDC + j] = vdc
        w[_INV_VDC + j] = 1.0 / max(vdc, 1e-9)


@njit(cache=True, error_model="numpy", fastmath=_FAST)
def _demand(w, m, v, accel, gravity, inv_speed, speed_pow):
    """Wheel power, drivetrain and the cells' power window of one step for the block.

    Returns how many variants demand more traction than the cells can give.
    """
    moving = 1.0 if v > 0.0 else 0.0
    short = 0
    for j in range(m):
        force = w[_INERTIAL_MASS + j] * accel + w[_MASS + j] * gravity + moving * (
            w[_F0 + j] + w[_F1 + j] * v + w[_F2 + j] * v * v)
        wheel = force * v
        limit = min(w[_MOTOR_W + j], w[_MAX_FORCE + j] * v) * w[_GEAR_EFF + j]
        delivered = min(wheel, limit) if wheel > 0.0 else wheel
        share = vh.regen_share(w[_REGEN_FRAC + j], w[_REGEN_V_END + j], w[_REGEN_V_START + j], v)
        dc, friction, gear, motor, inverter = _drivetrain(
            w, j, delivered, v, inv_speed, speed_pow, share)
        # the cells' power window from their voltage and current limits
        source = w[_OCV_A + j] + w[_OCV_B + j] * w[_SOC + j] - w[_G + j] * w[_V_RC + j]
        r_eff = w[_R_EFF + j]
        inv_r_eff = w[_INV_R_EFF + j]
        i_d = min(w[_I_DIS + j], (source - w[_V_MIN + j]) * inv_r_eff, 0.5 * source * inv_r_eff)
        i_c = max(min(w[_I_CHG + j], (w[_V_MAX + j] - source) * inv_r_eff), 0.0)
        p_max = max((source - i_d * r_eff) * i_d, 0.0) * w[_CELLS + j]
        w[_WHEEL + j] = wheel
        w[_DELIVERED + j] = delivered
        w[_SHARE + j] = share
        w[_DC + j] = dc
        w[_FRICTION + j] = friction
        w[_GEAR + j] = gear
        w[_MOTOR + j] = motor
        w[_INVERTER + j] = inverter
        w[_P_MAX + j] = p_max
        w[_P_MIN + j] = -(source + i_c * r_eff) * i_c * w[_CELLS + j]
        short += 1 if dc > p_max and delivered > 0.0 else 0
    return short


@njit(cache=True, error_model="numpy", fastmath=_FAST)
def _limit_traction(w, m, v, inv_speed, speed_pow):
    """Bisect the deliverable wheel power of the variants whose cells cannot supply the
    step's traction demand, and redo their drivetrain at it."""
    for j in range(m):
        p_max = w[_P_MAX + j]
        if w[_DC + j] > p_max and w[_DELIVERED + j] > 0.0:
            share = w[_SHARE + j]
            lo = 0.0
            hi = w[_DELIVERED + j]
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                if _drivetrain(w, j, mid, v, inv_speed, speed_pow, share)[0] > p_max:
                    hi = mid
                else:
                    lo = mid
            dc, friction, gear, motor, inverter = _drivetrain(
                w, j, lo, v, inv_speed, speed_pow, share)
            w[_DELIVERED + j] = lo
            w[_DC + j] = dc
            w[_FRICTION + j] = friction
            w[_GEAR + j] = gear
            w[_MOTOR + j] = motor
            w[_INVERTER + j] = inverter


@njit(cache=True, error_model="numpy", fastmath=_FAST)
def _battery_step(w, m, dt_s, v_end_sq, lower_sq, excursion_s):
    """Cell current, voltages, SOC and temperature of one step for the block, and the sums.

    Traction not delivered is taken from the kinetic energy: the speed reached at the end of
    the step is sqrt(v_end^2 - 2 deficit / inertial mass), the deficit summing the undelivered
    energy over consecutive short steps (forgiven at the first step with power to spare, as
    the regulation's band is on speed, not distance: an optimistic convention). Below
    ``lower_sq`` (the speed band, squared), or with the SOC below the usable window, the step
    is off the trace; runs of at least ``excursion_s`` are added to the missed time."""
    for j in range(m):
        soc = w[_SOC + j]
        v_rc = w[_V_RC + j]
        temp = w[_TEMP + j]
        g = w[_G + j]
        r0 = w[_R0 + j]
        r1 = w[_R1 + j]
        cells = w[_CELLS + j]
        ocv = w[_OCV_A + j] + w[_OCV_B + j] * soc
        source = ocv - g * v_rc
        dc = w[_DC + j]
        p_min = w[_P_MIN + j]
        friction = w[_FRICTION + j] + max(p_min - dc, 0.0)  # regen the cells cannot take
        p_cell = min(max(dc, p_min), w[_P_MAX + j]) * w[_INV_CELLS + j]
        disc = max(source * source - 4.0 * w[_R_EFF + j] * p_cell, 0.0)
        current = 2.0 * p_cell / (source + math.sqrt(disc))
        v_mean = g * v_rc + (1.0 - g) * current * r1
        v_rc = current * r1 + (v_rc - current * r1) * w[_DECAY + j]
        v_cell = ocv - v_mean - current * r0
        ohmic = current * current * r0
        rc_loss = v_mean * current
        soc -= current * w[_SOC_PER_A + j]
        temp += (ohmic + rc_loss - w[_COOL_W_PER_K + j] * (temp - w[_COOLANT + j])) * w[
            _TEMP_PER_W + j]
        terminal = v_cell * current * cells  # W; the sums below are in W and J = W x dt
        wheel = w[_WHEEL + j]
        delivered = w[_DELIVERED + j]
        short = max(wheel - delivered, 0.0)
        is_short = short > 1e-9 * abs(wheel)
        deficit = w[_DEFICIT + j] + short * dt_s if is_short else 0.0
        reached_sq = v_end_sq - 2.0 * deficit / w[_INERTIAL_MASS + j]
        off = reached_sq < lower_sq or soc < w[_SOC_FLOOR + j]
        run = w[_RUN + j] + dt_s if off else 0.0
        counted = (run if run - dt_s < excursion_s else dt_s) if run >= excursion_s else 0.0
        w[_DEFICIT + j] = deficit
        w[_RUN + j] = run
        w[_MISSED + j] += counted
        w[_SOC_LOW + j] = min(w[_SOC_LOW + j], soc)
        w[_SOC + j] = soc
        w[_V_RC + j] = v_rc
        w[_TEMP + j] = temp
        w[_TERMINAL + j] = terminal
        w[_V_CELL + j] = v_cell
        w[_CURRENT + j] = current
        w[_WHEEL_POS + j] += max(delivered, 0.0)
        w[_WHEEL_NEG + j] += max(-wheel, 0.0)
        w[_SHORTFALL + j] += short
        w[_SHORTFALL_TIME + j] += 1.0 if is_short else 0.0
        w[_FRICTION_SUM + j] += friction
        w[_GEAR_SUM + j] += w[_GEAR + j]
        w[_MOTOR_SUM + j] += w[_MOTOR + j]
        w[_INV_SUM + j] += w[_INVERTER + j]
        w[_TERMINAL_SUM + j] += terminal
        w[_REGEN_SUM + j] += max(-terminal, 0.0)
        w[_OHMIC_SUM + j] += ohmic
        w[_RC_SUM + j] += rc_loss
        w[_V_CELL_MIN + j] = min(w[_V_CELL_MIN + j], v_cell)
        w[_I_MAX + j] = max(w[_I_MAX + j], current)
        w[_I_MIN + j] = min(w[_I_MIN + j], current)
        w[_TEMP_MAX + j] = max(w[_TEMP_MAX + j], temp)


@njit(cache=True, error_model="numpy")
def _store_trace(w, m, start, trace, t, v):
    """Copy step t of the block into the traces."""
    for j in range(m):
        i = start + j
        trace[i, T_SPEED, t] = v
        trace[i, T_WHEEL_W, t] = w[_DELIVERED + j]
        trace[i, T_BATTERY_W, t] = w[_TERMINAL + j]
        trace[i, T_VOLTAGE, t] = w[_V_CELL + j] * w[_SERIES + j]
        trace[i, T_CURRENT, t] = w[_CURRENT + j]
        trace[i, T_SOC, t] = w[_SOC + j]
        trace[i, T_TEMP, t] = w[_TEMP + j]


@njit(cache=True, error_model="numpy")
def _store_sums(w, m, start, acc, steps, dt_s, distance):
    """Write the block's sums (J) and end state into the accumulator rows."""
    for j in range(m):
        a = acc[start + j]
        cells = w[_CELLS + j]
        a[A_TIME] = steps * dt_s
        a[A_DIST] = distance
        a[A_WHEEL_POS] = w[_WHEEL_POS + j] * dt_s
        a[A_WHEEL_NEG] = w[_WHEEL_NEG + j] * dt_s
        a[A_FRICTION] = w[_FRICTION_SUM + j] * dt_s
        a[A_GEAR_LOSS] = w[_GEAR_SUM + j] * dt_s
        a[A_MOTOR_LOSS] = w[_MOTOR_SUM + j] * dt_s
        a[A_INV_LOSS] = w[_INV_SUM + j] * dt_s
        a[A_AUX] = w[_AUX + j] * steps * dt_s
        a[A_TERMINAL] = w[_TERMINAL_SUM + j] * dt_s
        a[A_REGEN] = w[_REGEN_SUM + j] * dt_s
        a[A_OHMIC] = w[_OHMIC_SUM + j] * cells * dt_s
        a[A_RC] = w[_RC_SUM + j] * cells * dt_s
        a[A_CHEMICAL] = a[A_TERMINAL] + a[A_OHMIC] + a[A_RC]  # OCV x I = V x I + losses
        a[A_SHORTFALL] = w[_SHORTFALL + j] * dt_s
        a[A_SHORTFALL_TIME] = w[_SHORTFALL_TIME + j] * dt_s
        a[A_SOC_END] = w[_SOC + j]
        a[A_TEMP_END] = w[_TEMP + j]
        a[A_V_CELL_MIN] = w[_V_CELL_MIN + j]
        a[A_I_CELL_MAX] = w[_I_MAX + j]
        a[A_I_CELL_MIN] = w[_I_MIN + j]
        a[A_TEMP_MAX] = w[_TEMP_MAX + j]
        a[A_MISSED_TIME] = w[_MISSED + j]
        a[A_SOC_LOW] = w[_SOC_LOW + j]


@njit(cache=True, error_model="numpy")
def drive_cycle(
    speed_mps, grade, dt_s, veh, inv, bat, ocv_V, r0_ohm, r1_ohm, tau1_s,
    soc0, temp0_C, coolant_C, acc, trace, refresh_steps=10, band_mps=np.inf, band_window_s=1.0,
    excursion_s=2.0,
):
    """Simulate every variant over one cycle; fills ``acc`` (n, N_ACC) and, if it has
    rows, ``trace`` (n, N_TRACE, steps).

    The speed band: at each time the lowest trace speed within ``band_window_s`` less
    ``band_mps``; runs of at least ``excursion_s`` below it count as missed (``A_MISSED_TIME``).

    speed_mps, grade: (steps + 1,) samples at 0, dt, 2 dt ...; veh: (n, N_VEHICLE_PARAMS);
    inv: (n, 2, N_INVERTER_PARAMS) each machine's inverter (``Powertrain.inverters``);
    bat: (n, N_BATTERY_PARAMS); ocv_V: (n, SOC grid);
    r0/r1/tau1: (n, SOC grid, temperature grid); soc0, temp0_C, coolant_C: (n,).
    """
    n = veh.shape[0]
    steps = speed_mps.shape[0] - 1
    keep_trace = trace.shape[0] > 0
    noload_exp = veh[0, vh.V_NOLOAD_EXP] if n > 0 else 1.5  # one sourced exponent for all

    # the cycle, once for all variants
    speed = np.empty(steps)
    accel = np.empty(steps)
    gravity = np.empty(steps)
    inv_speed = np.empty(steps)
    speed_pow = np.empty(steps)
    v_end_sq = np.empty(steps)
    lower_sq = np.empty(steps)
    reach = int(round(band_window_s / dt_s))
    distance = 0.0
    for t in range(steps):
        v_end_sq[t] = speed_mps[t + 1] * speed_mps[t + 1]
        lowest = speed_mps[max(t + 1 - reach, 0):min(t + 2 + reach, steps + 1)].min()
        lower_sq[t] = max(lowest - band_mps, 0.0) ** 2
        speed[t] = 0.5 * (speed_mps[t] + speed_mps[t + 1])
        accel[t] = (speed_mps[t + 1] - speed_mps[t]) / dt_s
        gravity[t] = G_MPS2 * math.sin(math.atan(grade[t]))
        inv_speed[t] = 1.0 / speed[t] if speed[t] > 0.0 else 0.0
        speed_pow[t] = speed[t] ** noload_exp
        distance += speed[t] * dt_s

    w = np.empty(_N_ROWS * BLOCK)
    for start in range(0, n, BLOCK):
        m = min(BLOCK, n - start)
        _load_block(w, m, start, veh, inv, bat, soc0, temp0_C, coolant_C, dt_s, noload_exp)
        for t in range(steps):
            if t % refresh_steps == 0:
                _refresh_cells(w, m, start, ocv_V, r0_ohm, r1_ohm, tau1_s, dt_s)
            if _demand(w, m, speed[t], accel[t], gravity[t], inv_speed[t], speed_pow[t]) > 0:
                _limit_traction(w, m, speed[t], inv_speed[t], speed_pow[t])
            _battery_step(w, m, dt_s, v_end_sq[t], lower_sq[t], excursion_s)
            if keep_trace:
                _store_trace(w, m, start, trace, t, speed[t])
        _store_sums(w, m, start, acc, steps, dt_s, distance)
