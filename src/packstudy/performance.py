"""Acceleration, top speed and peak power: batched forward simulation (numba).

From standstill at ``dt_s`` steps, the tractive force on each driven axle is the smallest of
the machines' torque limit (``V_MAX_FORCE``) and power limit (``V_MOTOR_W`` / speed), both
through the gearbox efficiency, and the tyre grip (friction coefficient x axle load: static
split plus longitudinal load transfer m a h / L). AWD splits the machine limits between the
axles by the front power share. The battery then caps the wheel power: the pack's power at
the step's SOC and temperature (voltage sag from R0 and the RC pair, cell peak-current and
voltage limits), less the machine, inverter (Si/SiC), gearbox and auxiliary losses of the
drivetrain model (as the drive-cycle kernel). Speed follows from
(F - road load) / inertial mass; threshold times are interpolated within the step.

Conventions: battery power and current positive when discharging; SI units unless named.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from . import catalog, distinct, ecm
from .inverter import (
    P_COS_PHI,
    P_D_R,
    P_D_V0,
    P_E_REC,
    P_E_SW,
    P_F_SW,
    P_I_RATED,
    P_M_MAX,
    P_SW_R,
    P_SW_V0,
    P_V_NOM,
    loss_quadratic,
)
from .kernel import (
    B_CAPACITY_AH,
    B_CELL_CP,
    B_CELL_HA,
    B_CELL_MASS,
    B_I_DISCHARGE,
    B_PARALLEL,
    B_SERIES,
    B_V_MIN,
)
from .lookup import check_all, per_value
from .pack import default as pack_default
from .procedures import Powertrain
from .units import G_MPS2, KMH_MPS, MPH_MPS
from .vehicle import (
    V_AUX,
    V_BASE_SPEED,
    V_COPPER,
    V_F0,
    V_F1,
    V_F2,
    V_GEAR_EFF,
    V_LOAD_LOSS,
    V_MASS,
    V_MAX_FORCE,
    V_MOTOR_W,
    V_NOLOAD,
    V_NOLOAD_EXP,
    V_TOP_SPEED,
)
from .vehicle import default as drivetrain_default

DRIVES = {"FWD": 0, "RWD": 1, "AWD": 2}

# Columns of the acceleration result (time at which a speed is first reached, s).
R_T60MPH = 0
R_T80 = 1
R_T100 = 2
R_T120 = 3
N_RESULTS = 4
THRESHOLDS_MPS = (60.0 * MPH_MPS, 80.0 * KMH_MPS, 100.0 * KMH_MPS, 120.0 * KMH_MPS)


def default(key: str) -> float:
    """A sourced default from ``data/factors/performance.toml``."""
    return float(catalog.factor("performance", key))


def tractive_force_limit_N(motor_peak_kW, *, motor_peak_torque_Nm=None, gear_ratio=None,
                           wheel_radius_m=None, top_speed_kmh=None):
    """Machine torque limit as a force at the wheels (N), per variant.

    With the machines' peak torque: torque x reduction ratio / wheel radius, where a missing
    ratio is the one that puts the default maximum machine speed at the top speed, and a
    missing radius is the default. Without torque: peak power / base speed, the base speed a
    sourced fraction of the top speed (as ``vehicle.vehicle_parameters`` does). ``None`` or
    NaN entries take the defaults; the top speed defaults to the drivetrain default.
    """
    def col(x, fallback):
        a = np.asarray(np.nan if x is None else x, dtype=float)
        return np.where(np.isnan(a), fallback, a)

    power_W = np.asarray(motor_peak_kW, dtype=float) * 1e3
    top_mps = col(top_speed_kmh, drivetrain_default("top_speed_kmh")) * KMH_MPS
    radius = col(wheel_radius_m, default("wheel_radius_m"))
    omega_max = default("motor_max_speed_rpm") * 2.0 * math.pi / 60.0
    ratio = col(gear_ratio, omega_max * radius / top_mps)
    torque = col(motor_peak_torque_Nm, np.nan)
    from_power = power_W / (top_mps * drivetrain_default("motor_base_speed_fraction_of_top_speed"))
    return np.where(np.isnan(torque), from_power, torque * ratio / radius)


def acceleration_mass_kg(test_mass_kg, curb_mass_kg=None):
    """Mass for the makers' acceleration figures (kg): curb mass + a 75 kg driver, or the
    test mass less the EPA test payload plus the driver when no curb mass is known."""
    driver = default("acceleration_driver_mass_kg")
    test = np.asarray(test_mass_kg, dtype=float)
    curb = np.asarray(np.nan if curb_mass_kg is None else curb_mass_kg, dtype=float)
    return np.where(np.isnan(curb), test - pack_default("test_payload_kg"), curb) + driver


def _column(value, n, key=None, name="value"):
    if value is None:
        value = default(key)
    out = np.array(np.broadcast_to(np.asarray(value, dtype=float), (n,)))  # writable (charging._column)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"acceleration: {name} must be finite numbers")
    return out


def drive_codes(driven_axles, n: int) -> np.ndarray:
    """Integer drive codes (FWD 0, RWD 1, AWD 2) for n variants; clear error otherwise."""
    names = np.broadcast_to(np.asarray(driven_axles, dtype=str), (n,))
    check_all("driven_axles", names, DRIVES, prefix="acceleration: ")
    return per_value(names, DRIVES.get, np.int64)


@njit(cache=True, error_model="numpy")
def _battery_limits(bat_i, ocv_i, r0_i, r1_i, tau_i, soc, temp, v_rc, dt_s):
    """Source voltage, effective resistance and the cell's maximum discharge power (W) over
    a step of ``dt_s`` (same formulation as the drive-cycle kernel), with the step's RC
    factors (decay, g) of ``ecm.rc_step_factors``."""
    k, wk = ecm._bracket(ecm.SOC_GRID, soc)
    col, wc = ecm._bracket(ecm.TEMP_GRID_C, temp)
    ocv = ocv_i[k] * (1.0 - wk) + ocv_i[k + 1] * wk
    r0 = ecm.table_at_bracket(r0_i, k, wk, col, wc)
    r1 = ecm.table_at_bracket(r1_i, k, wk, col, wc)
    decay, g = ecm.rc_step_factors(ecm.table_at_bracket(tau_i, k, wk, col, wc), dt_s)
    source = ocv - g * v_rc
    r_eff = r0 + (1.0 - g) * r1
    i_dis = min(bat_i[B_I_DISCHARGE], (source - bat_i[B_V_MIN]) / r_eff, 0.5 * source / r_eff)
    p_max = max((source - i_dis * r_eff) * i_dis, 0.0)
    return ocv, r0, r1, decay, g, source, r_eff, p_max


# Positions in the drivetrain tuple of ``_drive_terms`` (scalars, so that the step loop
# handles no array references).
D_GEAR_EFF, D_COPPER, D_LOAD_LOSS, D_MAX_FORCE, D_BASE_SPEED, D_AUX, D_NOLOAD, D_NOLOAD_EXP = range(8)
D_INVERTER = 8  # then the inverter columns P_SW_V0 .. P_COS_PHI (``inverter.loss_from_columns``)


@njit(cache=True, error_model="numpy")
def _drive_terms(p, inv_i):
    """One variant's drivetrain constants for ``_dc_quadratic``: vehicle row ``p`` and
    inverter row ``inv_i`` as a tuple (positions ``D_*``)."""
    k = p[V_NOLOAD_EXP]
    return (p[V_GEAR_EFF], p[V_MOTOR_W] * p[V_COPPER] / (p[V_MAX_FORCE] * p[V_MAX_FORCE]),
            p[V_LOAD_LOSS], p[V_MAX_FORCE], p[V_BASE_SPEED], p[V_AUX],
            p[V_MOTOR_W] * p[V_NOLOAD] / p[V_TOP_SPEED] ** k, k,
            inv_i[P_SW_V0], inv_i[P_SW_R], inv_i[P_D_V0], inv_i[P_D_R],
            inv_i[P_E_SW] + inv_i[P_E_REC], inv_i[P_F_SW], inv_i[P_I_RATED], inv_i[P_V_NOM],
            inv_i[P_M_MAX], inv_i[P_COS_PHI])


@njit(cache=True, error_model="numpy")
def _dc_quadratic(d, speed, volt):
    """(c0, c1, c2): the DC-bus power (W, with auxiliaries) that delivers wheel power x >= 0
    at ``speed`` > 0 is exactly c0 + c1 x + c2 x^2 for drivetrain ``d`` (``_drive_terms``),
    motoring, as the drive-cycle kernel: gearbox, machine (``vehicle.motor_loss_W``:
    no-load, load-proportional, copper ~ force^2) and inverter (``inverter.loss_quadratic``,
    phase current ~ force) losses."""
    j = D_INVERTER
    force_per_W = 1.0 / (d[D_GEAR_EFF] * speed)  # tractive force (N) per W at the wheels
    current_per_W = force_per_W * d[j + 6] / d[D_MAX_FORCE]  # peak phase current, A per W
    inv1, inv2 = loss_quadratic(d[j], d[j + 1], d[j + 2], d[j + 3], d[j + 4], d[j + 5], d[j + 7],
                                d[j + 8], d[j + 9], speed / d[D_BASE_SPEED], volt)
    c0 = d[D_NOLOAD] * speed ** d[D_NOLOAD_EXP] + d[D_AUX]
    c1 = (1.0 + d[D_LOAD_LOSS]) / d[D_GEAR_EFF] + inv1 * current_per_W
    c2 = d[D_COPPER] * force_per_W * force_per_W + inv2 * current_per_W * current_per_W
    return c0, c1, c2


@njit(cache=True, error_model="numpy")
def _wheel_power_cap(d, wheel_W, speed, volt, p_pack_max):
    """Largest wheel power <= ``wheel_W`` whose DC-bus power the pack can supply, and that
    DC-bus power (W): (wheel_W, dc_W), from the positive root of ``_dc_quadratic``."""
    c0, c1, c2 = _dc_quadratic(d, speed, volt)
    dc = c0 + (c1 + c2 * wheel_W) * wheel_W
    if dc <= p_pack_max:
        return wheel_W, dc
    room = p_pack_max - c0
    if room <= 0.0:
        return 0.0, c0
    x = 2.0 * room / (c1 + math.sqrt(c1 * c1 + 4.0 * c2 * room))
    return x, min(c0 + (c1 + c2 * x) * x, p_pack_max)


@njit(cache=True, inline="always", error_model="numpy")
def _tractive(d, road_terms, grip, v, a_prev, v_limit, volt, p_pack_max, machine_fraction):
    """(net force N = tractive - road load, DC-bus power W) at speed ``v``: machine torque and
    power limits (times ``machine_fraction``, 1 unless thermally derated) through the gearbox,
    tyre grip on the driven axles with the load transfer of acceleration ``a_prev``, the
    limiter, and the pack's power ``p_pack_max`` through the drivetrain losses
    (``_wheel_power_cap``). ``road_terms`` = (motor W, f0, f1, f2); ``grip`` = (drive code,
    front power share, friction, m h / L, front and rear weight N)."""
    motor_W, f0, f1, f2 = road_terms
    drive, share, mu, m_h_over_l, weight_front, weight_rear = grip
    transfer = m_h_over_l * a_prev
    n_front = max(weight_front - transfer, 0.0)
    n_rear = max(weight_rear + transfer, 0.0)
    machine = d[D_MAX_FORCE]
    if v > 0.0:
        machine = min(machine, motor_W / v)
    machine *= d[D_GEAR_EFF] * machine_fraction
    if drive == 2:
        force = min(share * machine, mu * n_front) + min((1.0 - share) * machine, mu * n_rear)
    elif drive == 0:
        force = min(machine, mu * n_front)
    else:
        force = min(machine, mu * n_rear)
    road = f0 + f1 * v + f2 * v * v
    if v >= v_limit:
        force = min(force, road)
    dc = d[D_AUX]
    if v > 0.0:
        wheel, dc = _wheel_power_cap(d, force * v, v, volt, p_pack_max)
        force = wheel / v
    return force - road, dc


@njit(cache=True, inline="always", error_model="numpy")
def heun_step(d, road_terms, grip, m_inertial, v, a, v_limit, volt, p_pack_max, machine_fraction,
              dt_s):
    """One full-throttle step by Heun's (trapezoidal) method: the net force (``_tractive``) at
    the step's start and at the Euler-predicted end speed, averaged. Returns (acceleration
    m/s2, end speed m/s, mean DC-bus power W)."""
    net1, dc1 = _tractive(d, road_terms, grip, v, a, v_limit, volt, p_pack_max, machine_fraction)
    a1 = max(net1 / m_inertial, 0.0) if v <= 0.0 else net1 / m_inertial
    v_pred = max(v + a1 * dt_s, 0.0)
    net2, dc2 = _tractive(d, road_terms, grip, v_pred, a1, v_limit, volt, p_pack_max,
                          machine_fraction)
    a = 0.5 * (a1 + net2 / m_inertial)
    return a, max(v + a * dt_s, 0.0), 0.5 * (dc1 + dc2)


@njit(cache=True, inline="always", error_model="numpy")
def cell_step(source, r_eff, r0, r1, decay, g, v_rc, p_cell):
    """The cell over a step at terminal power ``p_cell`` (W, discharge positive), with the
    step's factors of ``_battery_limits``: (current A, heat W = R0 and RC-pair losses, RC
    voltage at the step's end V)."""
    current = ecm.current_for_power(source, r_eff, p_cell)
    v_mean = g * v_rc + (1.0 - g) * current * r1  # RC pair at constant current
    heat = current * current * r0 + v_mean * current
    return current, heat, v_rc * decay + current * r1 * (1.0 - decay)


@njit(cache=True, error_model="numpy")
def _accelerate(veh, inv, bat, ocv_V, r0_ohm, r1_ohm, tau1_s, soc0, temp0_C, mass_kg, drive,
                front_frac, mu, h_over_l, front_share, rotating, v_limit, thresholds, dt_s,
                steps, result, trace):
    """Full-throttle runs from standstill; fills ``result`` (n, N_RESULTS) with the times
    (s) at which ``thresholds`` (m/s) are reached (NaN if never) and, if it has columns,
    ``trace`` (n, steps + 1) with the speed (m/s) at each step boundary: after a variant
    reaches the last threshold, its final speed up to the step where the last variant does.

    Each step is Heun's (trapezoidal) method: the net force at the step's start and at the
    Euler-predicted end speed, averaged (second order, so a 0.1 s step is more accurate than
    a 0.05 s explicit Euler step); the pack's limits are taken at the step's start and its
    state advances with the mean DC power. Variants are independent, so each one runs to the
    end in turn while its cell tables sit in the cache; its rows are taken once, before the
    step loop, and the helpers get tuples of scalars (an array argument per step costs
    atomic reference counting)."""
    n = veh.shape[0]
    last = thresholds.shape[0] - 1
    keep = trace.shape[1] > 0
    result[:, :] = np.nan
    stopped = np.full(n, steps)  # step index after each variant's last step
    for i in range(n):
        p = veh[i]
        b = bat[i]
        d = _drive_terms(p, inv[i])
        road_terms = (p[V_MOTOR_W], p[V_F0], p[V_F1], p[V_F2])
        ocv_i = ocv_V[i]
        r0_i = r0_ohm[i]
        r1_i = r1_ohm[i]
        tau_i = tau1_s[i]
        m = mass_kg[i]
        m_inertial = m * (1.0 + rotating[i])
        grip = (drive[i], front_share[i], mu[i], m * h_over_l[i], m * G_MPS2 * front_frac[i],
                m * G_MPS2 * (1.0 - front_frac[i]))
        cells = b[B_SERIES] * b[B_PARALLEL]
        v = 0.0
        a = 0.0
        soc = soc0[i]
        temp = temp0_C[i]
        v_rc = 0.0
        for k in range(steps):
            t = k * dt_s
            # the pack at this SOC/temperature caps the wheel power in both stages
            ocv, r0, r1, decay, g, source, r_eff, p_cell_max = _battery_limits(
                b, ocv_i, r0_i, r1_i, tau_i, soc, temp, v_rc, dt_s)
            volt = b[B_SERIES] * ocv
            p_pack_max = p_cell_max * cells
            a, v_new, dc = heun_step(d, road_terms, grip, m_inertial, v, a, v_limit[i], volt,
                                     p_pack_max, 1.0, dt_s)
            current, heat, v_rc = cell_step(source, r_eff, r0, r1, decay, g, v_rc,
                                            min(dc / cells, p_cell_max))
            soc -= current * dt_s / (3600.0 * b[B_CAPACITY_AH])
            temp += dt_s * (heat - b[B_CELL_HA] * (temp - temp0_C[i])) / (
                b[B_CELL_MASS] * b[B_CELL_CP])
            for j in range(last + 1):
                if np.isnan(result[i, j]) and v < thresholds[j] <= v_new:
                    result[i, j] = t + dt_s * (thresholds[j] - v) / (v_new - v)
            v = v_new
            if keep:
                trace[i, k + 1] = v
            if not np.isnan(result[i, last]):
                stopped[i] = k + 1
                break
    if keep:
        end = stopped.max()
        for i in range(n):
            trace[i, stopped[i] + 1:end + 1] = trace[i, stopped[i]]


@njit(cache=True, error_model="numpy")
def _top_speed(veh, inv, bat, ocv_V, r0_ohm, r1_ohm, tau1_s, soc0, temp0_C, v_cap, out):
    """Highest steady speed (m/s): the cap, or where the wheel power the machines and the
    pack (RC pair settled) can sustain equals the road-load power (bisection)."""
    for i in range(veh.shape[0]):
        p = veh[i]
        cells = bat[i, B_SERIES] * bat[i, B_PARALLEL]
        p_cell = _battery_limits(
            bat[i], ocv_V[i], r0_ohm[i], r1_ohm[i], tau1_s[i], soc0[i], temp0_C[i], 0.0, 1e6)[-1]
        d = _drive_terms(p, inv[i])
        volt = bat[i, B_SERIES] * ecm.curve_at(ecm.SOC_GRID, ocv_V[i], soc0[i])
        lo = 0.0
        hi = v_cap[i]
        for it in range(40):
            v = hi if it == 0 else 0.5 * (lo + hi)
            machine = min(p[V_MOTOR_W], p[V_MAX_FORCE] * v) * p[V_GEAR_EFF]
            road_W = (p[V_F0] + p[V_F1] * v + p[V_F2] * v * v) * v
            surplus = _wheel_power_cap(d, machine, v, volt, p_cell * cells)[0] - road_W
            if it == 0:
                if surplus >= 0.0:
                    lo = hi
                    break
                continue
            if surplus >= 0.0:
                lo = v
            else:
                hi = v
        out[i] = lo


@njit(cache=True)
def _peak_power(bat, ocv_V, r0_ohm, r1_ohm, tau1_s, soc, temp_C, duration_s, out):
    """Pack terminal power (W) at the end of a constant-current pulse of ``duration_s``
    from rest, within the cell's peak current and minimum voltage."""
    for i in range(bat.shape[0]):
        ocv = ecm.curve_at(ecm.SOC_GRID, ocv_V[i], soc[i])
        r0 = ecm.table_at(ecm.SOC_GRID, ecm.TEMP_GRID_C, r0_ohm[i], soc[i], temp_C[i])
        r1 = ecm.table_at(ecm.SOC_GRID, ecm.TEMP_GRID_C, r1_ohm[i], soc[i], temp_C[i])
        tau = ecm.table_at(ecm.SOC_GRID, ecm.TEMP_GRID_C, tau1_s[i], soc[i], temp_C[i])
        r = r0 + r1 * (1.0 - math.exp(-duration_s / tau))
        current = min(bat[i, B_I_DISCHARGE], (ocv - bat[i, B_V_MIN]) / r, 0.5 * ocv / r)
        out[i] = max(current, 0.0) * (ocv - current * r) * bat[i, B_SERIES] * bat[i, B_PARALLEL]


def peak_power_kW(pt: Powertrain, *, soc=None, temperature_C=None, duration_s=None) -> np.ndarray:
    """Pack discharge power (kW at the terminals) held for ``duration_s`` (default 10 s) at
    the given SOC (default 20 %) and cell temperature (default 23 degC)."""
    n = pt.n
    soc = _column(soc, n, "peak_power_soc", "soc")
    temp = _column(_test_temperature() if temperature_C is None else temperature_C, n,
                   name="temperature_C")
    dur = default("peak_power_duration_s") if duration_s is None else float(duration_s)
    out = np.empty(n)
    _peak_power(pt.battery, pt.ocv_V, pt.r0_ohm, pt.r1_ohm, pt.tau1_s, soc, temp, dur, out)
    return out / 1e3


def _test_temperature() -> float:
    return float(catalog.factor("procedures", "test_temperature_C"))


def acceleration_run(pt: Powertrain, *, driven_axles, front_axle_load_fraction=None,
                     tyre_friction=None, top_speed_limit_kmh=None, front_power_share=None,
                     cg_height_to_wheelbase=None, mass_kg=None, soc=None, temperature_C=None,
                     dt_s=0.1, traces=False, stop_kmh=120.0):
    """One full-throttle run per variant up to ``stop_kmh``; returns (times (n, N_RESULTS)
    s, NaN beyond the stop speed; speed trace (n, steps + 1) m/s or None). Arguments as
    ``acceleration``."""
    n = pt.n
    if not 0.0 < dt_s <= 0.1:
        raise ValueError(f"acceleration: dt_s must be in (0, 0.1] s; got {dt_s}")
    drive = drive_codes(driven_axles, n)
    front = _column(front_axle_load_fraction, n, "front_axle_load_fraction",
                    "front_axle_load_fraction")
    share = _column(front_power_share, n, "awd_front_power_share", "front_power_share")
    for name, arr in (("front_axle_load_fraction", front), ("front_power_share", share)):
        if np.any((arr < 0.0) | (arr > 1.0)):
            raise ValueError(f"acceleration: {name} must lie in 0..1")
    mu = _column(tyre_friction, n, "tyre_friction_coefficient", "tyre_friction")
    h_l = _column(cg_height_to_wheelbase, n, "cg_height_to_wheelbase", "cg_height_to_wheelbase")
    limit = (pt.vehicle[:, V_TOP_SPEED] if top_speed_limit_kmh is None
             else _column(top_speed_limit_kmh, n, name="top_speed_limit_kmh") * KMH_MPS)
    mass = pt.vehicle[:, V_MASS] if mass_kg is None else _column(mass_kg, n, name="mass_kg")
    soc0 = _column(soc, n, "acceleration_soc", "soc")
    temp = _column(_test_temperature() if temperature_C is None else temperature_C, n,
                   name="temperature_C")
    steps = int(math.ceil(default("acceleration_time_limit_s") / dt_s))
    rows = [soc0, temp, np.ascontiguousarray(mass, dtype=float), drive, front, mu, h_l, share,
            _column(None, n, "road_rotating_inertia_fraction"), np.ascontiguousarray(limit, dtype=float)]
    groups = None if traces else distinct.powertrain_rows(pt, *rows)
    if groups is not None:  # rows with the same inputs run once
        pt, rows = distinct.take(pt, groups[0]), [np.ascontiguousarray(x[groups[0]]) for x in rows]
    result = np.empty((pt.n, N_RESULTS))
    trace = np.zeros((pt.n, steps + 1)) if traces else np.zeros((pt.n, 0))
    _accelerate(pt.vehicle, pt.inverter, pt.battery, pt.ocv_V, pt.r0_ohm, pt.r1_ohm, pt.tau1_s,
                *rows, np.array([v for v in THRESHOLDS_MPS if v <= stop_kmh * KMH_MPS + 1e-9]),
                float(dt_s), steps, result, trace)
    if groups is not None:
        result = result[groups[1]]
    return result, (trace if traces else None)


def acceleration(pt: Powertrain, *, driven_axles, front_axle_load_fraction=None,
                 tyre_friction=None, top_speed_limit_kmh=None, front_power_share=None,
                 cg_height_to_wheelbase=None, mass_kg=None, soc=None, temperature_C=None,
                 dt_s=0.1, traces=False, cold_temperature_C=None) -> dict[str, np.ndarray]:
    """Acceleration, top speed and low-SOC peak power for every variant.

    driven_axles: "FWD" | "RWD" | "AWD" (scalar or per variant); front_axle_load_fraction:
    static front share of the weight; tyre_friction: peak friction coefficient;
    top_speed_limit_kmh: electronic limiter (default: the vehicle's top speed);
    front_power_share: AWD front machine share; mass_kg: mass for the run (default: the test
    mass, see ``acceleration_mass_kg``); soc (default 0.9) and temperature_C (default 23)
    of the pack; ``None`` takes the sourced defaults of ``data/factors/performance.toml``.

    Returns ``accel_0_100_s``, ``accel_80_120_s``, ``accel_0_60mph_s``, ``top_speed_kmh``,
    ``peak_power_kW_at_20pct_soc`` (pack, 10 s) and ``accel_0_100_s_at_minus10C`` (cold pack,
    same SOC; ``cold_temperature_C``: the cells' temperature for it, default the cold-soaked
    -10 degC); with ``traces`` also ``trace_time_s`` (steps + 1,) and ``trace_speed_kmh``
    (n, steps + 1) of the warm run. NaN where a speed is not reached within the horizon (and a
    top speed where the drivetrain cannot hold any speed against the road load).
    """
    common = dict(driven_axles=driven_axles, front_axle_load_fraction=front_axle_load_fraction,
                  tyre_friction=tyre_friction, top_speed_limit_kmh=top_speed_limit_kmh,
                  front_power_share=front_power_share,
                  cg_height_to_wheelbase=cg_height_to_wheelbase, mass_kg=mass_kg, soc=soc,
                  dt_s=dt_s)
    warm, trace = acceleration_run(pt, temperature_C=temperature_C, traces=traces, **common)
    cold_C = default("cold_acceleration_temperature_C") if cold_temperature_C is None else cold_temperature_C
    cold, _ = acceleration_run(pt, temperature_C=cold_C, stop_kmh=100.0, **common)
    n = pt.n
    soc0 = _column(soc, n, "acceleration_soc", "soc")
    temp = _column(_test_temperature() if temperature_C is None else temperature_C, n,
                   name="temperature_C")
    cap = (pt.vehicle[:, V_TOP_SPEED] if top_speed_limit_kmh is None
           else _column(top_speed_limit_kmh, n) * KMH_MPS)
    cap = np.minimum(cap, pt.vehicle[:, V_TOP_SPEED])
    top = np.empty(n)
    _top_speed(pt.vehicle, pt.inverter, pt.battery, pt.ocv_V, pt.r0_ohm, pt.r1_ohm, pt.tau1_s,
               soc0, temp, np.ascontiguousarray(cap), top)
    out = {
        "accel_0_100_s": warm[:, R_T100],
        "accel_80_120_s": warm[:, R_T120] - warm[:, R_T80],
        "accel_0_60mph_s": warm[:, R_T60MPH],
        "top_speed_kmh": np.where(top > 0.0, top / KMH_MPS, np.nan),  # NaN: no speed is held
        "peak_power_kW_at_20pct_soc": peak_power_kW(pt),
        "accel_0_100_s_at_minus10C": cold[:, R_T100],
    }
    if traces:
        out["trace_time_s"] = np.arange(trace.shape[1]) * dt_s
        out["trace_speed_kmh"] = trace / KMH_MPS
    return out
