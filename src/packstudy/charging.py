"""DC fast charging: batched CC-CV charge under the cell's charge-rate map (numba).

Each step of ``dt_s`` holds the cell charging current constant at the smallest of

- the cell's charge-rate map, C-rate(SOC, temperature) x capacity;
- the charger's current limit over the parallel strings;
- the voltage limit: the cell terminal voltage (OCV + RC voltage + I R0) at the start and at
  the end of the step stays at or below the lower of the cell's maximum voltage and the
  charger's maximum voltage over the series count;
- the power limit: the lower of the charger's power, the vehicle's DC limit and, where
  given, the vehicle's own charging curve at the step's displayed SOC, at the pack terminals
  (exact per-step mean with the RC pair, as the drive-cycle kernel);
- the cells' charge temperature limit, as the battery management holds it: the current
  whose heat lets the step end with the cells at their limit (``cell_charge_limit_C``,
  thermal.toml), from the step's thermal balance with the coolant; cells above it wait,
  cooling, until they can take current again (the fastest charge the limit allows: a real
  BMS may start cutting the current below it);

except once the terminal voltage is at the limit and the other limits allow more: then the
step holds the voltage there (the constant-voltage phase, ``_cv_step``) and the current
decays as the exact solution of the cell's linear circuit gives it (OCV linear in SOC over
the step), so that the taper costs no accuracy at long steps.

The vehicle's own inlet current and highest charge voltage (``dc_limits`` of a candidate,
the as-built car's from its preset) lower the charger's current and voltage limits.

Ohmic and RC-pair heat warm the cells through a lumped thermal model with the coolant
(``B_CELL_HA``), and a warmer cell takes a higher rate from the map and has a lower resistance.
The map, the resistances and the OCV of the power limit are read at the step's midpoint,
predicted from the SOC and temperature changes of the step before (second order).
The start and end SOC are the displayed SOC, which makers quote and which spans the pack's
usable window: displayed 0..1 is cell SOC ``soc_min``..``soc_max`` of the powertrain. The
last step is shortened to land exactly on the end SOC. Charger cable losses and the
thermal-management load during the charge are not modelled.

Sign convention here: charging current and power positive (A, W); the RC voltage is the rise
caused by charging.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from . import catalog, distinct, ecm, thermal
from .kernel import B_CAPACITY_AH, B_CELL_CP, B_CELL_HA, B_CELL_MASS, B_PARALLEL, B_SERIES, B_V_MAX
from .lookup import check, unknown
from .procedures import Powertrain

# Columns of the per-variant result.
C_TIME = 0  # s to reach the end SOC (NaN if not reached)
C_PEAK_W = 1  # highest pack terminal power, W
C_ENERGY_J = 2  # terminal energy into the pack, J
C_WINDOW_J = 3  # terminal energy in the first ``window_s``, J
C_MAX_CELL_V = 4  # highest cell terminal voltage, V
C_MAX_TEMP = 5  # highest cell temperature, degC
C_SOC_END = 6
C_LOSS_J = 7  # ohmic + RC heat in the cells, J
C_HELD_S = 8  # time during which the cells' charge temperature limit set the current, s
N_COLS = 9

CHARGER_KEYS = ("power_kW", "current_A", "max_voltage_V")
OPTIONAL_CHARGER_KEYS = ("min_voltage_V",)  # checked by limits.py where given
# each key's range of input_bounds.toml (open below: a charger gives more than nothing), the
# same for a preset, a table in a study file (spec.ChargerTable) and one given in Python
CHARGER_BOUNDS = {"power_kW": "max_dc_charge_kW", "current_A": "charger_current_A",
                  "max_voltage_V": "charger_max_voltage_V", "min_voltage_V": "charger_max_voltage_V"}


class ChargerError(ValueError):
    """An unknown charger preset or an invalid charger table."""


def default(key: str):
    """A sourced default from ``data/factors/charging.toml``."""
    return catalog.factor("charging", key)


def list_chargers() -> list[str]:
    """Names of the shipped charger presets (``data/chargers/NAME.toml``)."""
    return catalog.list_presets("chargers")


def load_charger(spec) -> dict[str, float]:
    """``{power_kW, current_A, max_voltage_V}`` (and ``min_voltage_V`` where given) from a
    preset name or an inline table (whose ``max_voltage_V`` defaults to the CCS class's,
    ``charger_max_voltage_V`` in charging.toml).

    Preset values written as ``{value, low, high}`` give their ``value``.
    """
    if isinstance(spec, str):
        check("charger preset", spec, list_chargers(), ChargerError, "charger: ", listed="shipped")
        raw, where = catalog.load_preset("chargers", spec), f"charger preset {spec!r}"
    elif isinstance(spec, dict):  # a table may leave the voltage to the CCS class default
        raw, where = {"max_voltage_V": default("charger_max_voltage_V")} | spec, "charger table"
    else:
        raise ChargerError("charger: give a preset name or a table {power_kW, current_A, "
                           f"max_voltage_V}}; got {spec!r}")
    out, problems = {}, []
    for key in CHARGER_KEYS + OPTIONAL_CHARGER_KEYS:
        value = raw.get(key)
        value = value.get("value") if isinstance(value, dict) else value
        if value is None and key in OPTIONAL_CHARGER_KEYS:
            continue
        bounds = catalog.input_range(CHARGER_BOUNDS[key], open_low=True)
        low, high = bounds["gt"], bounds["le"]
        if not isinstance(value, int | float) or isinstance(value, bool) or not low < value <= high:
            problems.append(f"{key} must be a number above {low:g} and at most {high:g} "
                            f"(data/factors/input_bounds.toml); got {value!r}")
        else:
            out[key] = float(value)
    allowed = CHARGER_KEYS + OPTIONAL_CHARGER_KEYS
    extra = sorted(set(spec) - set(allowed)) if isinstance(spec, dict) else []
    problems += [unknown("key", key, allowed, "allowed") for key in extra]
    if problems:
        raise ChargerError(f"{where}: " + "; ".join(problems))
    return out


# The vehicle's charging curve is resampled on this displayed-SOC grid (0..1).
CAR_CURVE_POINTS = 101
NO_LIMIT_W = 1e30  # "no vehicle curve" (finite, so that interpolation weights of 0 stay exact)


V_ROUNDING = 1e-9  # V: a constant-voltage step's end voltage equals the limit within this


@njit(cache=True, inline="always")
def _cv_step(i0, v_rc, r0, r1, tau, slope, q_As, dt, charge_max):
    """A step at constant terminal voltage: the cell current (A) starts at ``i0`` and, with
    the RC voltage ``v_rc`` (V), decays as the exact solution of d(I, v_rc)/dt = N (I, v_rc)
    for the OCV rising by ``slope`` (V per unit SOC, ``q_As`` coulombs), over ``dt`` (s) or
    until ``charge_max`` (C) has passed. Returns (step time s, charge C, end current A, end RC
    voltage V)."""
    a = (slope / q_As + r1 / tau) / r0
    trace = -a - 1.0 / tau
    det = slope / (q_As * r0 * tau)
    root = math.sqrt(max(trace * trace - 4.0 * det, 0.0))
    l1 = 0.5 * (trace + root)  # the slow eigenvalue (0 for a flat OCV)
    l2 = 0.5 * (trace - root)
    # (I, v_rc)(t) = p exp(l1 t) + q exp(l2 t), p + q = (i0, v_rc)
    p_i = (-a * i0 + v_rc / (r0 * tau) - l2 * i0) / (l1 - l2)
    p_w = (r1 * i0 / tau - v_rc / tau - l2 * v_rc) / (l1 - l2)
    q_i = i0 - p_i
    q_w = v_rc - p_w
    charge = p_i * _expm1_over(l1, dt) + q_i * _expm1_over(l2, dt)
    if charge > charge_max:  # the end SOC within the step: Newton on the charge passed
        t = dt * charge_max / charge
        for _ in range(3):
            passed = p_i * _expm1_over(l1, t) + q_i * _expm1_over(l2, t)
            t -= (passed - charge_max) / (p_i * math.exp(l1 * t) + q_i * math.exp(l2 * t))
        dt = t
        charge = charge_max
    return (dt, charge, p_i * math.exp(l1 * dt) + q_i * math.exp(l2 * dt),
            p_w * math.exp(l1 * dt) + q_w * math.exp(l2 * dt))


@njit(cache=True, inline="always")
def _expm1_over(rate, t):
    """(exp(rate t) - 1) / rate, t where rate t is 0."""
    x = rate * t
    return math.expm1(x) / rate if abs(x) > 1e-12 else t


@njit(cache=True, error_model="numpy")
def _charge(bat, ocv_V, r0_ohm, r1_ohm, tau1_s, c_rate, soc0, soc_end, temp0_C, coolant_C,
            power_W, current_A, max_voltage_V, car_W, limit_C, dt_s, steps, window_s, curve_soc,
            win_lo, win_span, res, curve_W, curve_s):
    """CC-CV charge of every variant; fills ``res`` (n, N_COLS) and the power (W) and time (s)
    at which each (ascending) displayed-SOC ``curve_soc`` point is passed (NaN where not
    reached). ``soc0``, ``soc_end`` and the result's SOC are cell SOC; displayed SOC d is cell
    SOC ``win_lo + d win_span``. ``car_W`` (n, CAR_CURVE_POINTS): the vehicle's power limit
    (W) at displayed SOC 0, 0.01, .., 1. ``limit_C``: the cells' charge temperature limit.

    Variants are independent, so each one runs its whole charge in turn while its tables sit
    in the cache; the cell tables at a step share one SOC and one temperature search."""
    soc_grid = ecm.SOC_GRID
    temp_grid = ecm.TEMP_GRID_C
    res[:, :] = 0.0
    res[:, C_TIME] = np.nan
    curve_W[:, :] = np.nan
    curve_s[:, :] = np.nan
    for i in range(bat.shape[0]):
        b = bat[i]
        ocv_i = ocv_V[i]
        cap = b[B_CAPACITY_AH]
        q_As = 3600.0 * cap  # charge per unit SOC, C
        cells = b[B_SERIES] * b[B_PARALLEL]
        v_lim = min(b[B_V_MAX], max_voltage_V[i] / b[B_SERIES])
        last = car_W.shape[1] - 1
        ha = b[B_CELL_HA]
        heat_cap = b[B_CELL_MASS] * b[B_CELL_CP]
        cool_decay = math.exp(-ha * dt_s / heat_cap)  # thermal decay over a full step
        rise_per_W = _expm1_over(-ha / heat_cap, dt_s) / heat_cap  # K per W of heat, full step
        r = res[i]
        soc = soc0[i]
        temp = temp0_C[i]
        v_rc = 0.0
        t = 0.0
        r[C_MAX_TEMP] = temp
        lo = win_lo[i]
        span = win_span[i]
        nxt = 0  # the next curve point to pass (SOC only rises)
        k = 0  # table brackets of SOC and temperature, carried from step to step
        col = 0
        while nxt < curve_soc.shape[0] and lo + span * curve_soc[nxt] <= soc:
            nxt += 1
        d_soc = 0.0  # the last step's SOC and temperature changes: the midpoint's predictor
        d_temp = 0.0
        for _ in range(steps):
            ocv_start = ecm.curve_near(soc_grid, ocv_i, soc, k)
            k, wk = ecm.bracket_near(soc_grid, soc + 0.5 * d_soc, k)
            col, wc = ecm.bracket_near(temp_grid, temp + 0.5 * d_temp, col)
            ocv = ocv_i[k] * (1.0 - wk) + ocv_i[k + 1] * wk  # at the midpoint
            r0 = ecm.table_at_bracket(r0_ohm[i], k, wk, col, wc)
            r1 = ecm.table_at_bracket(r1_ohm[i], k, wk, col, wc)
            tau = ecm.table_at_bracket(tau1_s[i], k, wk, col, wc)
            decay, g = ecm.rc_step_factors(tau, dt_s)
            # map, charger current and power (step mean): (ocv + g v_rc + c r_eff) c = P, P
            # the lower of the charger's and the car's limits, the car's curve at displayed SOC
            c = min(ecm.table_at_bracket(c_rate[i], k, wk, col, wc) * cap,
                    current_A[i] / b[B_PARALLEL])
            x = min(max((soc - lo) / span, 0.0), 1.0) * last
            j = min(int(x), last - 1)
            car = car_W[i, j] + (car_W[i, j + 1] - car_W[i, j]) * (x - j)
            p_cell = min(power_W[i], car) / cells
            source = ocv + g * v_rc
            r_eff = r0 + (1.0 - g) * r1
            c = min(c, 2.0 * p_cell / (source + math.sqrt(source * source + 4.0 * r_eff * p_cell)))
            # the temperature limit: the heat c^2 r_eff + c g v_rc that ends a full step at it
            room = (limit_C[i] - temp * cool_decay - coolant_C[i] * (1.0 - cool_decay)) / rise_per_W
            lin = g * v_rc
            c_hot = 2.0 * room / (lin + math.sqrt(lin * lin + 4.0 * r_eff * room)) if room > 0.0 else 0.0
            c = min(c, c_hot)
            hold = (v_lim - ocv_start - v_rc) / r0  # the current at the voltage limit now
            dt = dt_s
            cv = False
            if 0.0 < hold <= c:  # at the limit, the others allow more: constant voltage
                slope = (ocv_i[k + 1] - ocv_i[k]) / (soc_grid[k + 1] - soc_grid[k])
                left = (soc_end[i] - soc) * q_As  # charge to the end SOC, C
                dt, charge, c_end, rc_end = _cv_step(hold, v_rc, r0, r1, tau, slope, q_As, dt_s,
                                                     left)
                finish = charge >= left
                soc_new = soc_end[i] if finish else soc + charge / q_As
                v_end = ecm.curve_near(soc_grid, ocv_i, soc_new, k) + rc_end + c_end * r0
                # held within rounding (V_ROUNDING); else the OCV bends up: the step below
                cv = v_end <= v_lim + V_ROUNDING and c_end > 0.0
                if cv:
                    c = charge / dt  # the mean current
                    p_mean = v_lim * c * cells
                    v_start = v_end = v_lim
                    # heat: terminal energy less the energy stored (OCV linear over the step)
                    heat = ((v_lim - ocv_start) * charge - 0.5 * slope * charge * charge / q_As) / dt
            if not cv:
                # the voltage at the step's start and end, with the OCV at the end SOC of this
                # current (the OCV rises with SOC: a lower current lowers the end voltage)
                c = min(c, hold)
                dt = dt_s
                ocv_end = ecm.curve_near(soc_grid, ocv_i, soc + max(c, 0.0) * dt / q_As, k)
                c = min(c, (v_lim - ocv_end - v_rc * decay) / (r0 + r1 * (1.0 - decay)))
                if c <= 0.0:
                    if c_hot > 0.0 or coolant_C[i] >= limit_C[i]:
                        break  # no charge accepted: the end SOC is never reached
                    c = 0.0  # too hot to take current: the cells cool for a step
                finish = soc + c * dt / q_As >= soc_end[i]
                if finish:
                    dt = (soc_end[i] - soc) * q_As / c
                    decay, g = ecm.rc_step_factors(tau, dt)
                rc_mean = g * v_rc + (1.0 - g) * c * r1
                rc_end = v_rc * decay + c * r1 * (1.0 - decay)
                p_mean = (ocv + rc_mean + c * r0) * c * cells
                soc_new = soc + c * dt / q_As
                v_end = ecm.curve_near(soc_grid, ocv_i, soc_new, k) + rc_end + c * r0
                v_start = ocv_start + v_rc + c * r0
                heat = c * c * r0 + c * rc_mean
            t_inf = coolant_C[i] + heat / ha
            temp_new = t_inf + (temp - t_inf) * (cool_decay if dt == dt_s else math.exp(-ha * dt / heat_cap))
            # curve points passed in this step
            while nxt < curve_soc.shape[0] and lo + span * curve_soc[nxt] <= soc_new:
                curve_W[i, nxt] = p_mean
                curve_s[i, nxt] = t + dt * (lo + span * curve_soc[nxt] - soc) / (soc_new - soc)
                nxt += 1
            if t < window_s:
                r[C_WINDOW_J] += p_mean * min(dt, window_s - t)
            r[C_ENERGY_J] += p_mean * dt
            r[C_LOSS_J] += heat * cells * dt
            r[C_PEAK_W] = max(r[C_PEAK_W], p_mean)
            r[C_MAX_CELL_V] = max(r[C_MAX_CELL_V], v_start, v_end)
            r[C_MAX_TEMP] = max(r[C_MAX_TEMP], temp_new)
            if not cv and c == c_hot:  # the temperature limit set the current
                r[C_HELD_S] += dt
            t += dt
            d_soc = soc_new - soc
            d_temp = temp_new - temp
            soc = soc_new
            temp = temp_new
            v_rc = rc_end
            if finish:
                r[C_TIME] = t
                break
        r[C_SOC_END] = soc


def _column(value, n, name):
    """``value`` as a new (n,) array: always writable, so that a one-row run (a broadcast view
    is read-only) and a sweep's batch call the kernels with the same array types and share
    their compiled code (numba compiles, or loads from its cache, once per type signature)."""
    out = np.array(np.broadcast_to(np.asarray(value, dtype=float), (n,)))
    if np.any(np.isnan(out)):
        raise ValueError(f"fast_charge: {name} must be a number (not NaN)")
    return out


def vehicle_curve_W(curves, n: int) -> np.ndarray:
    """The vehicles' charging curves as power limits (W, n x CAR_CURVE_POINTS) on displayed
    SOC 0, 0.01, .., 1: ``curves`` is None or per variant None or ``{soc, power_kW}``
    (held flat beyond its ends); no curve is no limit."""
    out = np.full((n, CAR_CURVE_POINTS), NO_LIMIT_W)
    grid = np.linspace(0.0, 1.0, CAR_CURVE_POINTS)
    for i, curve in enumerate(curves or ()):
        if curve is not None:
            out[i] = 1e3 * np.interp(grid, curve["soc"], curve["power_kW"])
    return out


def vehicle_limits(dc_limits, n: int) -> dict[str, np.ndarray]:
    """``fast_charge``'s vehicle arguments from per-variant ``dc_limits`` tables (None or
    ``{current_A, max_voltage_V, curve}``, each optional): NaN where none is given."""
    rows = [d or {} for d in ([None] * n if dc_limits is None else dc_limits)]
    return {"vehicle_current_A": np.array([r.get("current_A", np.nan) for r in rows], float),
            "vehicle_max_voltage_V": np.array([r.get("max_voltage_V", np.nan) for r in rows], float),
            "vehicle_curve": [r.get("curve") for r in rows]}


def fast_charge(pt: Powertrain, *, charger_power_kW, charger_current_A, charger_max_voltage_V,
                vehicle_max_kW=None, vehicle_current_A=None, vehicle_max_voltage_V=None,
                vehicle_curve=None, soc_start=None, soc_end=None, temperature_C=None,
                coolant_C=None, cell_charge_limit_C=None, wltp_dc_kWh_per_100km=None, dt_s=15.0,
                max_duration_s=4 * 3600.0, curve_step=0.01) -> dict[str, np.ndarray]:
    """DC fast charge of every variant from ``soc_start`` to ``soc_end`` (default 10-80 %).

    The SOC here is the displayed SOC over the usable window (``pt.soc_min``..``pt.soc_max``
    of cell SOC), the SOC of the makers' charge times.

    Charger limits and the car's own limits broadcast per variant: ``vehicle_max_kW`` (its
    peak DC power), ``vehicle_current_A`` (inlet current), ``vehicle_max_voltage_V`` (the
    highest voltage it asks of a charger) - None or NaN = none - and ``vehicle_curve`` (per
    variant None or its published charging curve ``{soc, power_kW}``, ``vehicle_curve_W``);
    the charge follows the lowest of these, the charger's and the cells' limits; temperatures
    are the cells' start and the coolant's (degC, default 25), and the battery management
    holds the cells at most at ``cell_charge_limit_C`` (degC, default thermal.toml's).
    ``wltp_dc_kWh_per_100km`` (DC at the terminals) converts the first ten minutes' energy
    into WLTP km; None runs WLTC class 3b to get it. Needs ``pt.charge_c_rate_max``.

    Returns ``fast_charge_{start}_{end}_min`` (``fast_charge_10_80_min`` by default; NaN
    where the end SOC is not reached within ``max_duration_s``), ``fast_charge_peak_kW``,
    ``fast_charge_energy_kWh`` (into the pack), ``fast_charge_km_in_10_min``,
    ``fast_charge_loss_kWh`` (heat in the cells), ``fast_charge_max_cell_V``,
    ``fast_charge_max_cell_temp_C``, ``fast_charge_held_at_temp_limit_min`` (the time during which
    the temperature limit set the current), ``fast_charge_soc_reached`` (the end SOC, or where
    the charge stopped; displayed), and the curve: ``fast_charge_curve_soc`` (k,),
    ``fast_charge_curve_kW`` and ``fast_charge_curve_min`` (n, k).
    """
    if pt.charge_c_rate_max is None:
        raise ValueError("fast_charge: the powertrain has no charge-rate map "
                         "(Powertrain.charge_c_rate_max); load the cell with its [charge_map]")
    n = pt.n
    lo = _column(default("soc_start") if soc_start is None else soc_start, n, "soc_start")
    hi = _column(default("soc_end") if soc_end is None else soc_end, n, "soc_end")
    if np.any((lo < 0.0) | (hi > 1.0) | (lo >= hi)):
        raise ValueError("fast_charge: needs 0 <= soc_start < soc_end <= 1")
    limits = {}
    for name, value in (("charger_power_kW", charger_power_kW),
                        ("charger_current_A", charger_current_A),
                        ("charger_max_voltage_V", charger_max_voltage_V)):
        limits[name] = _column(value, n, name)
        if np.any(limits[name] <= 0.0):
            raise ValueError(f"fast_charge: {name} must be > 0")
    car = np.full(n, np.inf) if vehicle_max_kW is None else np.asarray(vehicle_max_kW, float)
    car = np.where(np.isnan(np.broadcast_to(car, (n,))), np.inf, car)
    power_W = np.ascontiguousarray(np.minimum(limits["charger_power_kW"], car) * 1e3)
    for name, own in (("charger_current_A", vehicle_current_A),
                      ("charger_max_voltage_V", vehicle_max_voltage_V)):
        if own is not None:  # the car's own inlet limits below the charger's
            own = np.broadcast_to(np.asarray(own, float), (n,))
            if np.any(own <= 0.0):
                raise ValueError(f"fast_charge: the vehicle's {name[8:]} must be > 0")
            limits[name] = np.ascontiguousarray(np.fmin(limits[name], own))
    temp = _column(default("temperature_C") if temperature_C is None else temperature_C, n,
                   "temperature_C")
    coolant = _column(default("coolant_C") if coolant_C is None else coolant_C, n, "coolant_C")
    limit_C = _column(thermal.default("cell_charge_limit_C") if cell_charge_limit_C is None
                      else cell_charge_limit_C, n, "cell_charge_limit_C")
    window = float(default("km_window_s"))
    curve_soc = np.round(np.arange(float(lo.min()) + curve_step, float(hi.max()) + 1e-9,
                                   curve_step), 6)
    win_lo = _column(pt.soc_min, n, "soc_min")
    win_span = _column(pt.soc_max, n, "soc_max") - win_lo
    rows = [win_lo + lo * win_span, win_lo + hi * win_span, temp, coolant, power_W,
            limits["charger_current_A"], limits["charger_max_voltage_V"],
            vehicle_curve_W(vehicle_curve, n), limit_C, win_lo, win_span]
    cells = pt
    # rows with the same inputs charge once: the cells, the pack and the limits (the rest of a
    # powertrain, its mass and drivetrain, does not reach a charge)
    groups = distinct.rows(pt.battery, pt.ocv_V, pt.r0_ohm, pt.r1_ohm, pt.tau1_s,
                           pt.charge_c_rate_max, *rows)
    if groups is not None:
        cells, rows = distinct.take(pt, groups[0]), [np.ascontiguousarray(x[groups[0]]) for x in rows]
    res = np.empty((cells.n, N_COLS))
    curve_W = np.empty((cells.n, curve_soc.size))
    curve_s = np.empty((cells.n, curve_soc.size))
    _charge(cells.battery, cells.ocv_V, cells.r0_ohm, cells.r1_ohm, cells.tau1_s,
            np.ascontiguousarray(cells.charge_c_rate_max), *rows[:9], float(dt_s),
            int(math.ceil(max_duration_s / dt_s)), window, curve_soc, *rows[9:], res, curve_W,
            curve_s)
    if groups is not None:
        res, curve_W, curve_s = res[groups[1]], curve_W[groups[1]], curve_s[groups[1]]
    if wltp_dc_kWh_per_100km is None:
        from .cycles import load_cycle
        from .procedures import cycle_metrics, run_cycle

        wltp_dc_kWh_per_100km = cycle_metrics(
            pt, run_cycle(pt, load_cycle("wltc_class3b"))[0])["dc_kWh_per_100km"]
    label = f"fast_charge_{_pct(lo)}_{_pct(hi)}_min"
    return {
        label: res[:, C_TIME] / 60.0,
        "fast_charge_peak_kW": res[:, C_PEAK_W] / 1e3,
        "fast_charge_energy_kWh": res[:, C_ENERGY_J] / 3.6e6,
        "fast_charge_km_in_10_min": res[:, C_WINDOW_J] / 3.6e6 / (
            np.asarray(wltp_dc_kWh_per_100km, float) / 100.0),
        "fast_charge_loss_kWh": res[:, C_LOSS_J] / 3.6e6,
        "fast_charge_max_cell_V": res[:, C_MAX_CELL_V],
        "fast_charge_max_cell_temp_C": res[:, C_MAX_TEMP],
        "fast_charge_held_at_temp_limit_min": res[:, C_HELD_S] / 60.0,
        "fast_charge_soc_reached": (res[:, C_SOC_END] - win_lo) / win_span,
        "fast_charge_curve_soc": curve_soc,
        "fast_charge_curve_kW": curve_W / 1e3,
        "fast_charge_curve_min": curve_s / 60.0,
    }


def _pct(x: np.ndarray) -> str:
    """'10' for a column of 0.1 (the window in the metric name); 'var' when it varies."""
    values = np.unique(np.round(100.0 * x, 6))
    return f"{values[0]:g}" if values.size == 1 else "var"
