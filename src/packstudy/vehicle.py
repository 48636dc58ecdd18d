"""Vehicle physics: road load, masses, machine and gearbox losses, regeneration limits.

Functions over arrays (one element per variant) build the parameter matrix that the kernel
reads, and a numba scalar function gives the traction machine's losses inside the kernel.
Sign convention: wheel and machine power positive when driving the vehicle (motoring).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import catalog, motors
from .units import G_MPS2, KMH_MPS

# Columns of the vehicle parameter matrix passed to the kernel (one row per variant).
V_MASS = 0  # test mass, kg (gravity and grade)
V_INERTIAL_MASS = 1  # test mass x (1 + rotating-inertia fraction), kg
V_F0 = 2  # road load constant term, N
V_F1 = 3  # linear term, N/(m/s)
V_F2 = 4  # quadratic term, N/(m/s)^2
V_MOTOR_W = 5  # rated (peak) machine power, all machines, W
V_MAX_FORCE = 6  # machine torque limit expressed as tractive force at the wheels, N
V_BASE_SPEED = 7  # vehicle speed at the machines' base speed, m/s
V_TOP_SPEED = 8  # vehicle speed at the machines' maximum speed, m/s
V_GEAR_EFF = 9  # gearbox + differential efficiency
V_NOLOAD = 10  # no-load loss at top speed / rated power
V_NOLOAD_EXP = 11  # exponent of the speed fraction for no-load losses
V_LOAD_LOSS = 12  # load-proportional loss / shaft power
V_COPPER = 13  # copper loss at max torque / rated power
V_REGEN_FRAC = 14  # share of braking power at the wheels taken by regeneration
V_REGEN_V_START = 15  # regen starts to fade below this speed, m/s
V_REGEN_V_END = 16  # no regen below this speed, m/s
V_AUX = 17  # auxiliary load, W
V_M1 = 18  # first machine's columns (motors.M_SHARE .. motors.M_EXCITE)
V_M2 = V_M1 + motors.N_MACHINE_COLS  # second machine's (share 0: no second machine)
N_VEHICLE_PARAMS = V_M2 + motors.N_MACHINE_COLS


def default(key: str) -> float:
    """A sourced drivetrain default from ``data/factors/drivetrain.toml``."""
    return float(catalog.factor("drivetrain", key))


def road_load_from_drag(
    drag_coefficient, frontal_area_m2, rolling_resistance_coefficient, mass_kg,
    air_density_kg_per_m3=None,
):
    """Road-load coefficients (f0_N, f1_N_per_mps, f2_N_per_mps2) from Cd, A and Crr.

    F = Crr * m * g + 0 * v + rho/2 * Cd * A * v^2 (level road, no wind).
    """
    rho = default("air_density_kg_per_m3") if air_density_kg_per_m3 is None else air_density_kg_per_m3
    f0 = np.asarray(rolling_resistance_coefficient) * np.asarray(mass_kg) * G_MPS2
    f2 = 0.5 * rho * np.asarray(drag_coefficient) * np.asarray(frontal_area_m2)
    return f0, np.zeros_like(f0), f2


def road_load_force_N(f0_N, f1_N_per_mps, f2_N_per_mps2, speed_mps):
    """Road-load force (N) at a speed; zero at standstill (no static friction term)."""
    v = np.asarray(speed_mps)
    force = f0_N + f1_N_per_mps * v + f2_N_per_mps2 * v * v
    return np.where(v > 0.0, force, 0.0)


def vehicle_parameters(
    *,
    test_mass_kg,
    f0_N,
    f1_N_per_mps,
    f2_N_per_mps2,
    motor_peak_kW,
    top_speed_kmh,
    max_tractive_force_N=None,
    aux_W=None,
    rotating_inertia_fraction=None,
    gearbox_efficiency=None,
    regen_fraction=None,
    machines=None,
) -> np.ndarray:
    """The kernel's vehicle parameter matrix, shape (n, N_VEHICLE_PARAMS).

    Arguments broadcast to n variants; ``None`` takes the sourced default. When
    ``max_tractive_force_N`` (machine torque x gear ratio / wheel radius) is not known, the
    base speed is a sourced fraction of the top speed and the force follows from power.
    ``machines`` (``motors.Machine`` list, the same for every variant) split the rated power
    between up to two machines of their types; without them one baseline machine has it all.
    """
    arrays = np.broadcast_arrays(
        np.asarray(test_mass_kg, float), np.asarray(f0_N, float), np.asarray(f1_N_per_mps, float),
        np.asarray(f2_N_per_mps2, float), np.asarray(motor_peak_kW, float),
        np.asarray(top_speed_kmh, float),
    )
    mass, f0, f1, f2, motor_kW, top_kmh = (np.array(a, dtype=float) for a in arrays)
    n = mass.shape[0] if mass.ndim else 1
    params = np.empty((n, N_VEHICLE_PARAMS))

    def pick(value, key):
        return np.broadcast_to(default(key) if value is None else np.asarray(value, float), (n,))

    rotating = pick(rotating_inertia_fraction, "rotating_inertia_fraction")
    motor_W = np.reshape(motor_kW, (n,)) * 1e3
    top_mps = np.reshape(top_kmh, (n,)) * KMH_MPS
    if max_tractive_force_N is None:
        base_mps = top_mps * default("motor_base_speed_fraction_of_top_speed")
        max_force = motor_W / base_mps
    else:
        max_force = np.broadcast_to(np.asarray(max_tractive_force_N, float), (n,))
        base_mps = motor_W / max_force
    params[:, V_MASS] = np.reshape(mass, (n,))
    params[:, V_INERTIAL_MASS] = params[:, V_MASS] * (1.0 + rotating)
    params[:, V_F0] = np.reshape(f0, (n,))
    params[:, V_F1] = np.reshape(f1, (n,))
    params[:, V_F2] = np.reshape(f2, (n,))
    params[:, V_MOTOR_W] = motor_W
    params[:, V_MAX_FORCE] = max_force
    params[:, V_BASE_SPEED] = base_mps
    params[:, V_TOP_SPEED] = top_mps
    params[:, V_GEAR_EFF] = pick(gearbox_efficiency, "gearbox_efficiency")
    params[:, V_NOLOAD] = default("motor_noload_loss_fraction_at_top_speed")
    params[:, V_NOLOAD_EXP] = default("motor_noload_speed_exponent")
    params[:, V_LOAD_LOSS] = default("motor_load_loss_fraction")
    params[:, V_COPPER] = default("motor_copper_loss_fraction_at_rated_torque")
    params[:, V_REGEN_FRAC] = pick(regen_fraction, "regen_fraction")
    params[:, V_REGEN_V_START] = default("regen_fade_start_speed_mps")
    params[:, V_REGEN_V_END] = default("regen_fade_end_speed_mps")
    params[:, V_AUX] = pick(aux_W, "aux_W")
    params[:, V_M1:] = motors.machine_columns(machines).ravel()
    return params


def motor_loss_coefficients(veh: np.ndarray):
    """Per-variant coefficients of ``motor_loss_W``: (no-load W per (m/s)^k, copper W per N^2).

    No-load (iron + mechanical) loss = rated power x no-load fraction x (v / v_top)^k; copper
    loss = rated power x copper fraction x (F / F_max)^2, F the tractive force at the wheels.
    """
    rated = veh[:, V_MOTOR_W]
    noload = rated * veh[:, V_NOLOAD] / veh[:, V_TOP_SPEED] ** veh[:, V_NOLOAD_EXP]
    copper = rated * veh[:, V_COPPER] / veh[:, V_MAX_FORCE] ** 2
    return noload, copper


@njit(cache=True, inline="always", error_model="numpy")
def motor_loss_W(noload_coef, copper_coef, load_fraction, speed_pow, force_N, shaft_W):
    """Traction machine losses (W): no-load x v^k + copper x F^2 + load fraction x |P|.

    ``speed_pow`` is v^k (k the sourced no-load exponent), ``force_N`` the tractive force at
    the wheels that the machine gives or takes; motoring and generating alike.
    """
    return noload_coef * speed_pow + copper_coef * force_N * force_N + load_fraction * abs(shaft_W)


@njit(cache=True, inline="always", error_model="numpy")
def regen_share(regen_fraction, fade_end_mps, fade_start_mps, speed_mps):
    """Share of the wheels' braking power that regeneration takes at a speed (0..1): the
    sourced fraction, fading linearly to zero between the fade start and end speeds."""
    ramp = (speed_mps - fade_end_mps) / (fade_start_mps - fade_end_mps)
    return regen_fraction * min(max(ramp, 0.0), 1.0)
