"""Repeated launches: full-throttle runs one after another with the thermal state carried over.

Each run is the acceleration model's (``performance.heun_step``: machine torque and power,
tyre grip with load transfer, the pack's voltage-limited power through the drivetrain
losses) from ``from_kmh`` to ``to_kmh``, with the pack's power cut by the BMS derating at the
cell's temperature and the drive's torque by the machine's and inverter's temperatures
(``thermal``). After each run the car brakes to a stop at a firm, constant deceleration,
regenerating the sourced share of the braking power within the brake blending's limit, the
drive's envelope and the pack's charge limits (``regen_power``), then stands for ``pause_s``
with the chiller or heater working. Cells heat by their R0 and RC-pair losses
(``performance.cell_step``); machine and inverter by their losses in the drivetrain model;
the chiller's compressor and the heater draw on the pack.

Results: ``launch_repeat_first_time_s``, ``launch_repeat_last_time_s``,
``launch_repeat_runs_within_5pct`` (runs no more than 5 % slower than the first) and
``launch_repeat_derated_runs`` (runs during which a temperature limit cut the power).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from . import catalog, thermal
from .kernel import B_CAPACITY_AH, B_I_CHARGE, B_PARALLEL, B_SERIES, B_V_MAX
from .motors import M_IDLE, M_NOLOAD, M_SHARE
from .performance import (
    D_AUX,
    D_COPPER,
    D_GEAR_EFF,
    D_LOAD_LOSS,
    D_MAX_FORCE,
    D_NOLOAD,
    D_NOLOAD_EXP,
    _battery_limits,
    _column,
    _dc_quadratic,
    _drive_terms,
    acceleration_mass_kg,
    cell_step,
    drive_codes,
    heun_step,
)
from .performance import default as perf_default
from .procedures import Powertrain
from .thermal import S_CELL, S_INV, S_MACHINE, TH_SETPOINT
from .units import G_MPS2, KMH_MPS
from .vehicle import V_F0, V_F1, V_F2, V_M1, V_M2, V_MOTOR_W, V_REGEN_FRAC, V_TOP_SPEED

BRAKE_DT_S = 0.5
PAUSE_DT_S = 1.0


def default(key: str):
    """A sourced default from ``data/factors/endurance.toml``."""
    return catalog.factor("endurance", key)


@njit(cache=True, inline="always", error_model="numpy")
def drive_losses(d, speed, wheel_W, dc_W):
    """(machine + gearbox loss, inverter loss) in W when the drive delivers ``wheel_W`` >= 0 at
    ``speed`` from DC-bus power ``dc_W`` (``performance._dc_quadratic``'s terms: the machine
    part in closed form, the inverter the rest less the auxiliaries)."""
    if speed <= 0.0:
        return 0.0, 0.0
    force = wheel_W / (d[D_GEAR_EFF] * speed)
    machine = (d[D_NOLOAD] * speed ** d[D_NOLOAD_EXP]
               + ((1.0 + d[D_LOAD_LOSS]) / d[D_GEAR_EFF] - 1.0) * wheel_W
               + d[D_COPPER] * force * force)
    return machine, max(dc_W - d[D_AUX] - wheel_W - machine, 0.0)


@njit(cache=True, inline="always", error_model="numpy")
def bms_power_limit(b, ocv_i, r0_i, r1_i, tau_i, soc, cell_C, v_rc, dt_s, th, p_cell_max):
    """The cell's discharge power limit (W) as the BMS allows it: the voltage- and
    current-limited power ``p_cell_max`` at the cell's temperature, but above the coolant
    setpoint no more than at the setpoint (the power map's plateau)."""
    if cell_C <= th[TH_SETPOINT]:
        return p_cell_max
    return min(p_cell_max, _battery_limits(b, ocv_i, r0_i, r1_i, tau_i, soc, th[TH_SETPOINT],
                                           v_rc, dt_s)[-1])


@njit(cache=True, inline="always", error_model="numpy")
def charge_limit_W(b, source, r_eff):
    """Largest charging power (W, positive) a cell accepts over the step: its peak charge
    current and maximum voltage (``_battery_limits``' formulation)."""
    i = max(min(b[B_I_CHARGE], (b[B_V_MAX] - source) / r_eff), 0.0)
    return (source + i * r_eff) * i


@njit(cache=True, inline="always", error_model="numpy")
def regen_power(d, motor_W, speed, volt, braking_W, regen_share, machine_fraction, force_cap_N,
                accept_W, aux_W, idle):
    """Braking ``braking_W`` (W at the wheels, >= 0) at ``speed`` (m/s): (net DC-bus power W,
    negative when charging, auxiliaries included; machine + gearbox loss W; inverter loss W).

    Regeneration takes ``regen_share`` of the braking power, at most the brake blending's
    regenerative force ``force_cap_N`` (the friction brakes take the rest) and the drive's
    torque and power envelope (the motoring one, ``motor_W`` and the drivetrain's force
    limit, times ``machine_fraction``). Its losses come from the same machine and inverter
    loss model as traction at that speed and wheel power (``performance._dc_quadratic``), and
    the pack accepts at most ``accept_W`` net of the auxiliaries ``aux_W``. When the friction
    brakes take all the braking, the machines still turn with the wheels and lose ``idle``
    (``idle_fraction``) of their no-load loss (the drive-cycle kernel's idle drag)."""
    if speed <= 0.0:
        return aux_W, 0.0, 0.0
    drag = idle * d[D_NOLOAD] * speed ** d[D_NOLOAD_EXP]
    if machine_fraction <= 0.0:
        return aux_W, drag, 0.0
    envelope = min(d[D_MAX_FORCE] * speed, motor_W) * d[D_GEAR_EFF] * machine_fraction
    wheel = min(regen_share * braking_W, envelope, force_cap_N * speed)
    c0, c1, c2 = _dc_quadratic(d, speed, volt)
    # drivetrain losses at wheel power x: (c0 - aux) + (c1 - 1) x + c2 x^2
    a0, a1 = c0 - d[D_AUX], c1 - 1.0
    cap = accept_W + aux_W
    if wheel - (a0 + (a1 + c2 * wheel) * wheel) > cap:
        # the smaller root of x - losses(x) = cap: the least braking that returns cap
        b = 1.0 - a1
        wheel = 2.0 * (a0 + cap) / (b + math.sqrt(max(b * b - 4.0 * c2 * (a0 + cap), 0.0)))
    losses = a0 + (a1 + c2 * wheel) * wheel
    if wheel <= 0.0 or losses >= wheel:  # losses above what comes back: friction brakes
        return aux_W, drag, 0.0
    machine, inverter = drive_losses(d, speed, wheel, wheel + losses + d[D_AUX])
    return aux_W - (wheel - losses), machine, inverter


@njit(cache=True, inline="always", error_model="numpy")
def idle_fraction(p):
    """Share of the machines' energised no-load loss they keep while carrying no torque
    (vehicle row ``p``, ``data/factors/motors.toml`` idle drag): all of it for a permanent-
    magnet machine turning with its wheels, none for an induction or excited machine or a
    disconnected axle; each machine weighted by its share of the power."""
    return (p[V_M1 + M_SHARE] * p[V_M1 + M_NOLOAD] * p[V_M1 + M_IDLE]
            + p[V_M2 + M_SHARE] * p[V_M2 + M_NOLOAD] * p[V_M2 + M_IDLE])


@njit(cache=True, inline="always", error_model="numpy")
def variant_terms(p, inv_i, b, mass_kg, rotating):
    """One variant's constants for the step loops: (drivetrain terms of ``_drive_terms``,
    road terms (motor W, f0, f1, f2), inertial mass kg, cells in the pack, SOC per A s)."""
    return (_drive_terms(p, inv_i), (p[V_MOTOR_W], p[V_F0], p[V_F1], p[V_F2]),
            mass_kg * (1.0 + rotating), b[B_SERIES] * b[B_PARALLEL],
            1.0 / (3600.0 * b[B_CAPACITY_AH]))


@njit(cache=True, error_model="numpy")
def _launches(veh, inv, bat, ocv_V, r0_ohm, r1_ohm, tau1_s, th, state, soc0, ambient, mass,
              drive, front_frac, mu, h_over_l, share, rotating, v_limit, v_from, v_to, runs,
              pause_s, brake_mps2, regen_mps2, dt_s, max_steps, times, derated):
    """Fill ``times`` (n, runs) with each run's time from ``v_from`` to ``v_to`` (s, NaN if
    not reached) and ``derated`` (n, runs) with 1 where a temperature limit cut the power;
    ``state`` (n, thermal.N_STATE) carries the thermal state in and out."""
    n = veh.shape[0]
    for i in range(n):
        p = veh[i]
        b = bat[i]
        t_i = th[i]
        s = state[i]
        m = mass[i]
        d, road_terms, m_in, cells, per_soc = variant_terms(p, inv[i], b, m, rotating[i])
        grip = (drive[i], share[i], mu[i], m * h_over_l[i], m * G_MPS2 * front_frac[i],
                m * G_MPS2 * (1.0 - front_frac[i]))
        soc = soc0[i]
        v_rc = 0.0
        extra = 0.0  # chiller compressor and heater draw on the pack, W
        for r in range(runs):
            times[i, r] = np.nan
            derated[i, r] = 0.0
            v = v_from
            a = 0.0
            t = 0.0
            for _ in range(max_steps):
                ocv, r0, r1, decay, g, source, r_eff, p_cell_max = _battery_limits(
                    b, ocv_V[i], r0_ohm[i], r1_ohm[i], tau1_s[i], soc, s[S_CELL], v_rc, dt_s)
                p_cell_max = bms_power_limit(b, ocv_V[i], r0_ohm[i], r1_ohm[i], tau1_s[i], soc,
                                             s[S_CELL], v_rc, dt_s, t_i, p_cell_max)
                f_dis = thermal.pack_fractions(t_i, s[S_CELL])[0]
                f_drive = thermal.machine_fraction(t_i, s[S_MACHINE], s[S_INV])
                if f_dis < 1.0 or f_drive < 1.0:
                    derated[i, r] = 1.0
                volt = b[B_SERIES] * ocv
                p_pack = max(p_cell_max * f_dis * cells - extra, 0.0)
                a, v_new, dc = heun_step(d, road_terms, grip, m_in, v, a, v_limit[i], volt,
                                         p_pack, f_drive, dt_s)
                v_mid = 0.5 * (v + v_new)
                wheel = max((m_in * a + p[V_F0] + p[V_F1] * v_mid + p[V_F2] * v_mid * v_mid)
                            * v_mid, 0.0)
                loss_m, loss_i = drive_losses(d, v_mid, wheel, dc)
                current, heat, v_rc = cell_step(source, r_eff, r0, r1, decay, g, v_rc,
                                                min((dc + extra) / cells, p_cell_max))
                soc -= current * dt_s * per_soc
                extra = thermal.step(t_i, s, heat, loss_m, loss_i, ambient[i], dt_s)
                if v < v_to <= v_new:
                    times[i, r] = t + dt_s * (v_to - v) / (v_new - v)
                    v = v_new
                    break
                v = v_new
                t += dt_s
            while v > 0.0:  # brake to a stop
                v_new = max(v - brake_mps2 * BRAKE_DT_S, 0.0)
                dt = (v - v_new) / brake_mps2
                v_mid = 0.5 * (v + v_new)
                braking = (m_in * brake_mps2 - p[V_F0] - p[V_F1] * v_mid - p[V_F2] * v_mid * v_mid) * v_mid
                ocv, r0, r1, decay, g, source, r_eff, p_cell_max = _battery_limits(
                    b, ocv_V[i], r0_ohm[i], r1_ohm[i], tau1_s[i], soc, s[S_CELL], v_rc, dt)
                f_chg = thermal.pack_fractions(t_i, s[S_CELL])[1]
                f_regen = thermal.regen_fraction(t_i, s[S_MACHINE], s[S_INV])
                accept = charge_limit_W(b, source, r_eff) * cells * f_chg
                dc, loss_m, loss_i = regen_power(d, p[V_MOTOR_W], v_mid, b[B_SERIES] * ocv,
                                                 max(braking, 0.0), p[V_REGEN_FRAC], f_regen,
                                                 m_in * regen_mps2, accept, d[D_AUX] + extra,
                                                 idle_fraction(p))
                current, heat, v_rc = cell_step(source, r_eff, r0, r1, decay, g, v_rc, dc / cells)
                soc -= current * dt * per_soc
                extra = thermal.step(t_i, s, heat, loss_m, loss_i, ambient[i], dt)
                v = v_new
            for _ in range(int(math.ceil(pause_s / PAUSE_DT_S))):
                ocv, r0, r1, decay, g, source, r_eff, p_cell_max = _battery_limits(
                    b, ocv_V[i], r0_ohm[i], r1_ohm[i], tau1_s[i], soc, s[S_CELL], v_rc, PAUSE_DT_S)
                current, heat, v_rc = cell_step(source, r_eff, r0, r1, decay, g, v_rc,
                                                (d[D_AUX] + extra) / cells)
                soc -= current * PAUSE_DT_S * per_soc
                extra = thermal.step(t_i, s, heat, 0.0, 0.0, ambient[i], PAUSE_DT_S)


def vehicle_arrays(pt: Powertrain, vehicle, test_mass_kg):
    """Per-variant grip and mass inputs of the acceleration model from a study's
    ``[vehicle]`` table (as ``chain.acceleration_results`` passes them)."""
    n = pt.n
    share = vehicle.front_power_share
    mass = acceleration_mass_kg(test_mass_kg, vehicle.curb_mass_kg)
    return dict(
        drive=drive_codes(vehicle.drive, n),
        front=_column(vehicle.front_axle_load_fraction, n, "front_axle_load_fraction"),
        share=_column(share, n, "awd_front_power_share"),
        mu=_column(vehicle.tyre_friction_coefficient, n, "tyre_friction_coefficient"),
        h_l=_column(vehicle.cg_height_to_wheelbase, n, "cg_height_to_wheelbase"),
        rotating=_column(None, n, "road_rotating_inertia_fraction"),
        mass=np.ascontiguousarray(np.broadcast_to(np.asarray(mass, float), (n,))),
    )


def launch_repeat(pt: Powertrain, th: np.ndarray, car: dict, *, runs=None, from_kmh=None,
                  to_kmh=None, pause_s=None, ambient_C=None, soc=None) -> dict[str, np.ndarray]:
    """Repeated launches for every variant: ``th`` from ``thermal.thermal_parameters``,
    ``car`` from ``vehicle_arrays``; None takes the defaults of ``endurance.toml`` (SOC:
    the acceleration SOC). Returns the result columns and ``launch_repeat_times_s`` (n, runs)."""
    runs = int(default("launch_repeat_runs") if runs is None else runs)
    v_from = float(default("launch_repeat_from_kmh") if from_kmh is None else from_kmh) * KMH_MPS
    v_to = float(default("launch_repeat_to_kmh") if to_kmh is None else to_kmh) * KMH_MPS
    pause = float(default("launch_repeat_pause_s") if pause_s is None else pause_s)
    ambient = _column(default("launch_repeat_ambient_C") if ambient_C is None else ambient_C,
                      pt.n, name="ambient_C")
    if runs < 1 or not 0.0 <= v_from < v_to or pause < 0.0:
        raise ValueError("launch_repeat: runs >= 1, 0 <= from_kmh < to_kmh and pause_s >= 0 needed")
    n = pt.n
    dt = float(default("launch_dt_s"))
    state = thermal.initial_state(th, ambient)
    times = np.empty((n, runs))
    derated = np.empty((n, runs))
    _launches(pt.vehicle, pt.inverter, pt.battery, pt.ocv_V, pt.r0_ohm, pt.r1_ohm, pt.tau1_s,
              np.ascontiguousarray(th), state, _column(soc, n, "acceleration_soc", "soc"),
              ambient, car["mass"], car["drive"], car["front"], car["mu"], car["h_l"],
              car["share"], car["rotating"],
              np.ascontiguousarray(pt.vehicle[:, V_TOP_SPEED]), v_from, v_to, runs, pause,
              float(default("launch_repeat_braking_mps2")),
              float(default("regen_max_deceleration_mps2")), dt,
              int(math.ceil(perf_default("acceleration_time_limit_s") / dt)), times, derated)
    first = times[:, 0]
    within = np.sum(times <= first[:, None] * (1.0 + default("launch_repeat_within_fraction")), axis=1)
    return {
        "launch_repeat_first_time_s": first,
        "launch_repeat_last_time_s": times[:, -1],
        "launch_repeat_runs_within_5pct": np.where(np.isnan(first), np.nan, within.astype(float)),
        "launch_repeat_derated_runs": derated.sum(axis=1),
        "launch_repeat_end_cell_temperature_C": state[:, thermal.S_CELL].copy(),
        "launch_repeat_times_s": times,
        "launch_repeat_state": state,
    }
