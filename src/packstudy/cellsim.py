"""Batched current-driven cell simulation with a lumped thermal model.

Variants are rows of a ``CellArrays``; the loop runs time steps outside and variants inside
(numba). Each step holds the current constant, updates the RC pair exactly
(``ecm.rc_step``), uses the OCV at the step's mid-SOC, and the temperature from
m*cp*dT/dt = I^2*R0 + I*v_rc - I*T*dOCV/dT - hA*(T - T_coolant) (exact for the step).
A variant stops at its voltage limits (the crossing step is shortened to land on the limit)
or when its SOC leaves 0..1. Currents are clipped to the cell's 10 s peak limits.
``model="electrochemical"`` runs the pseudo-2D model of ``electrochem`` instead of the
equivalent circuit, for cells whose file gives an ``[electrochemical]`` table (it stops at
the first sample beyond a voltage limit). Current is positive when discharging (A);
temperatures in degC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from . import catalog, ecm, electrochem
from .cell import CellArrays
from .ecm import SOC_GRID, TEMP_GRID_C
from .units import ZERO_CELSIUS_K as ZERO_C_K

STOP_END, STOP_V_MIN, STOP_V_MAX, STOP_SOC = 0, 1, 2, 3
MODELS = ("ecm", "electrochemical")
STOP_REASONS = {STOP_END: "end of profile", STOP_V_MIN: "lower voltage limit",
                STOP_V_MAX: "upper voltage limit", STOP_SOC: "SOC out of 0..1"}


@dataclass(frozen=True)
class CellRun:
    """Result of ``simulate``: final state, energy balance (J) and, if kept, traces.

    Traces have one column per profile sample (time_s[k]); after a variant stops its trace
    columns are NaN. ``voltage_V[:, k]`` is the terminal voltage at time_s[k] under the
    current applied from time_s[k] on (the convention of cycler and PyBaMM outputs).
    """

    time_s: np.ndarray  # (n_steps + 1,) sample times of the profile
    end_time_s: np.ndarray  # (n,) when each variant stopped (or the profile ended)
    stop_reason: np.ndarray  # (n,) int, see STOP_REASONS
    current_limited: np.ndarray  # (n,) bool: the demand was clipped at a peak limit
    soc: np.ndarray  # (n,) final
    temperature_C: np.ndarray  # (n,) final
    discharge_capacity_Ah: np.ndarray  # (n,) net charge delivered
    chemical_J: np.ndarray  # (n,) integral of I*OCV
    terminal_J: np.ndarray  # (n,) integral of I*V at the terminals
    ohmic_loss_J: np.ndarray  # (n,) integral of I^2*R0
    rc_loss_J: np.ndarray  # (n,) integral of I*v_rc
    heat_to_coolant_J: np.ndarray  # (n,)
    trace_voltage_V: np.ndarray | None = None  # (n, n_steps + 1)
    trace_current_A: np.ndarray | None = None
    trace_soc: np.ndarray | None = None
    trace_temperature_C: np.ndarray | None = None
    trace_discharge_capacity_Ah: np.ndarray | None = None


def default_h_W_per_m2K() -> float:
    """Sourced default surface heat-transfer coefficient for a cell in still air, W/(m2 K)."""
    return catalog.factor("cell_defaults", "h_free_convection_air")


def simulate(cells: CellArrays, time_s: np.ndarray, current_A: np.ndarray,
             scale: np.ndarray | float = 1.0, soc_start: np.ndarray | float = 1.0,
             temperature_C: np.ndarray | float = 25.0, coolant_C: np.ndarray | float | None = None,
             h_W_per_m2K: np.ndarray | float | None = None, keep_trace: bool = False,
             enforce_limits: bool = True, isothermal: bool = False,
             model: str = "ecm") -> CellRun:
    """Run every cell through the current profile ``scale * current_A`` (A, zero-order hold).

    ``current_A[k]`` applies from ``time_s[k]`` to ``time_s[k+1]``; ``current_A`` has one
    value per interval or per sample (the last sample then ignored). ``scale`` (per
    variant) turns a normalised profile into currents, e.g. C-rate x capacity.
    ``enforce_limits=False`` runs through voltage and current limits (used to score fits);
    ``isothermal`` holds the cell at ``temperature_C`` (all heat leaves to the coolant), as
    isothermal reference models do. ``model``: "ecm" (the equivalent circuit) or
    "electrochemical" (``electrochem``; every cell needs its ``[electrochemical]`` table).
    """
    t = np.ascontiguousarray(time_s, dtype=np.float64)
    i = np.ascontiguousarray(current_A, dtype=np.float64)
    if t.ndim != 1 or t.size < 2 or np.any(np.diff(t) <= 0.0):
        raise ValueError("time_s: needs at least 2 strictly increasing samples")
    if i.shape not in ((t.size,), (t.size - 1,)) or not np.all(np.isfinite(i)):
        raise ValueError("current_A: needs one finite value per time sample or interval")
    n = cells.capacity_Ah.shape[0]
    if model not in MODELS:
        raise ValueError(f"model: must be one of {', '.join(MODELS)}; got {model!r}")
    if model == "electrochemical":
        tables = (np.full(n, None, dtype=object) if cells.electrochemical is None
                  else cells.electrochemical)
        missing = sorted({str(name) for name, tb in zip(cells.name, tables, strict=True)
                          if tb is None})
        if missing:
            raise ValueError(f"model 'electrochemical': cell {', '.join(missing)} has no "
                             "[electrochemical] table (electrode design, transport, kinetics)")
    h = default_h_W_per_m2K() if h_W_per_m2K is None else h_W_per_m2K
    t0 = np.broadcast_to(np.asarray(temperature_C, dtype=np.float64), (n,))
    coolant = t0 if coolant_C is None else coolant_C
    ha = np.broadcast_to(np.asarray(h, dtype=np.float64), (n,)) * cells.surface_area_m2

    def col(x):
        return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=np.float64), (n,)))

    width = t.size if keep_trace else 1
    traces = np.full((5, n, width), np.nan)
    state = np.zeros((n, 12))
    common = (t, i[: t.size - 1], col(scale), col(soc_start), col(t0), col(coolant), col(ha),
              cells.capacity_Ah, cells.v_min_V, cells.v_max_V, cells.i_peak_discharge_A,
              cells.i_peak_charge_A, cells.mass_kg * cells.specific_heat_J_per_kgK,
              cells.ocv_V, cells.docv_dT_V_per_K)
    if model == "electrochemical":
        par, ocp_n, ocp_p, diff, kappa = electrochem.pack(cells.electrochemical)
        ce, cs = electrochem.initial_state(par, col(soc_start))
        electrochem.run(*common, SOC_GRID, par, ocp_n, ocp_p, diff, kappa, ce, cs,
                        enforce_limits, isothermal, state, traces)
    else:
        _run(*common, cells.r0_ohm, cells.r1_ohm, cells.tau1_s, SOC_GRID, TEMP_GRID_C,
             enforce_limits, isothermal, state, traces)
    tr = {}
    if keep_trace:
        tr = dict(trace_voltage_V=traces[0], trace_current_A=traces[1], trace_soc=traces[2],
                  trace_temperature_C=traces[3], trace_discharge_capacity_Ah=traces[4])
    return CellRun(
        time_s=t, end_time_s=state[:, 0], stop_reason=state[:, 1].astype(np.int64),
        current_limited=state[:, 2] > 0.0, soc=state[:, 3], temperature_C=state[:, 4],
        discharge_capacity_Ah=state[:, 5], chemical_J=state[:, 6], terminal_J=state[:, 7],
        ohmic_loss_J=state[:, 8], rc_loss_J=state[:, 9], heat_to_coolant_J=state[:, 10], **tr)


def constant_current(cells: CellArrays, c_rate: np.ndarray | float, dt_s: float = 1.0,
                     soc_start: np.ndarray | float = 1.0, temperature_C: np.ndarray | float = 25.0,
                     h_W_per_m2K: np.ndarray | float | None = None,
                     keep_trace: bool = False, isothermal: bool = False,
                     model: str = "ecm") -> CellRun:
    """Constant-current discharge at ``c_rate`` (1/h, per variant) to the lower voltage limit."""
    rate = np.broadcast_to(np.asarray(c_rate, dtype=np.float64), cells.capacity_Ah.shape)
    if np.any(rate <= 0.0):
        raise ValueError("c_rate: must be positive (a discharge)")
    duration_s = 1.3 * 3600.0 / float(rate.min()) * float(np.max(soc_start))
    steps = int(math.ceil(duration_s / dt_s))
    t = np.arange(steps + 1) * dt_s
    return simulate(cells, t, np.ones(steps), scale=rate * cells.capacity_Ah,
                    soc_start=soc_start, temperature_C=temperature_C,
                    h_W_per_m2K=h_W_per_m2K, keep_trace=keep_trace, isothermal=isothermal,
                    model=model)


@njit(cache=True)
def _terminal(ocv_tab, docv_tab, soc_grid, soc, temp_C, v_rc, current, r0):
    ocv = ecm.curve_at(soc_grid, ocv_tab, soc) + ecm.curve_at(soc_grid, docv_tab, soc) * (
        temp_C - 25.0)
    return ocv - v_rc - current * r0


@njit(cache=True)
def _run(t, profile, scale, soc0, temp0, coolant, ha, cap, vmin, vmax, ipk_d, ipk_c, heat_cap,
         ocv, docv, r0t, r1t, taut, soc_grid, temp_grid, limits, isothermal, state, traces):
    n = cap.shape[0]
    keep = traces.shape[2] > 1
    soc = soc0.copy()
    temp = temp0.copy()
    v_rc = np.zeros(n)
    done = np.zeros(n, dtype=np.bool_)
    for v in range(n):
        state[v, 0] = t[t.shape[0] - 1]
        state[v, 1] = 0.0
    for k in range(t.shape[0] - 1):
        dt_full = t[k + 1] - t[k]
        for v in range(n):
            if done[v]:
                continue
            cur = scale[v] * profile[k]
            if limits and (cur > ipk_d[v] or cur < -ipk_c[v]):
                cur = min(max(cur, -ipk_c[v]), ipk_d[v])
                state[v, 2] = 1.0
            r0 = ecm.table_at(soc_grid, temp_grid, r0t[v], soc[v], temp[v])
            r1 = ecm.table_at(soc_grid, temp_grid, r1t[v], soc[v], temp[v])
            tau = ecm.table_at(soc_grid, temp_grid, taut[v], soc[v], temp[v])
            v_start = _terminal(ocv[v], docv[v], soc_grid, soc[v], temp[v], v_rc[v], cur, r0)
            if keep:
                traces[0, v, k] = v_start
                traces[1, v, k] = cur
                traces[2, v, k] = soc[v]
                traces[3, v, k] = temp[v]
                traces[4, v, k] = state[v, 5]
            if limits and (v_start < vmin[v] or v_start > vmax[v]):
                done[v] = True
                state[v, 0] = t[k]
                state[v, 1] = 1.0 if v_start < vmin[v] else 2.0
                continue
            dt = dt_full
            for attempt in range(2):
                soc_end = soc[v] - cur * dt / (3600.0 * cap[v])
                rc_end, rc_mean = ecm.rc_step(v_rc[v], cur, r1, tau, dt)
                v_end = _terminal(ocv[v], docv[v], soc_grid, soc_end, temp[v], rc_end, cur, r0)
                crossed = v_end < vmin[v] or v_end > vmax[v] or soc_end < 0.0 or soc_end > 1.0
                if not limits or not crossed or attempt == 1:
                    break
                # shorten the step to land on the limit (linear in time within the step)
                if soc_end < 0.0 or soc_end > 1.0:
                    edge = 0.0 if soc_end < 0.0 else 1.0
                    frac = (soc[v] - edge) / (soc[v] - soc_end)
                else:
                    lim = vmin[v] if v_end < vmin[v] else vmax[v]
                    frac = (v_start - lim) / (v_start - v_end)
                dt = dt_full * min(max(frac, 0.0), 1.0)
            soc_mid = 0.5 * (soc[v] + soc_end)
            temp_K = temp[v] + ZERO_C_K
            dudt = ecm.curve_at(soc_grid, docv[v], soc_mid)
            ocv_mid = ecm.curve_at(soc_grid, ocv[v], soc_mid) + dudt * (temp[v] - 25.0)
            q_ohm = cur * cur * r0
            q_rc = cur * rc_mean
            state[v, 5] += cur * dt / 3600.0
            state[v, 6] += cur * ocv_mid * dt
            state[v, 7] += (ocv_mid - rc_mean - cur * r0) * cur * dt
            state[v, 8] += q_ohm * dt
            state[v, 9] += q_rc * dt
            heat = q_ohm + q_rc - cur * temp_K * dudt
            if ha[v] > 0.0:
                t_inf = coolant[v] + heat / ha[v]
                t_new = t_inf + (temp[v] - t_inf) * math.exp(-ha[v] * dt / heat_cap[v])
            else:
                t_new = temp[v] + heat * dt / heat_cap[v]
            if isothermal:
                t_new = temp[v]
            state[v, 10] += heat * dt - heat_cap[v] * (t_new - temp[v])
            temp[v] = t_new
            soc[v] = soc_end
            v_rc[v] = rc_end
            if dt < dt_full:
                done[v] = True
                state[v, 0] = t[k] + dt
                state[v, 1] = 3.0 if (soc_end <= 0.0 or soc_end >= 1.0) else (
                    1.0 if cur > 0.0 else 2.0)
                if keep:
                    traces[0, v, k + 1] = v_end
                    traces[1, v, k + 1] = cur
                    traces[2, v, k + 1] = soc[v]
                    traces[3, v, k + 1] = temp[v]
                    traces[4, v, k + 1] = state[v, 5]
    last = t.shape[0] - 1
    for v in range(n):
        if keep and not done[v]:
            cur = traces[1, v, last - 1]
            r0 = ecm.table_at(soc_grid, temp_grid, r0t[v], soc[v], temp[v])
            traces[0, v, last] = _terminal(ocv[v], docv[v], soc_grid, soc[v], temp[v], v_rc[v],
                                           cur, r0)
            traces[1, v, last] = cur
            traces[2, v, last] = soc[v]
            traces[3, v, last] = temp[v]
            traces[4, v, last] = state[v, 5]
        state[v, 3] = soc[v]
        state[v, 4] = temp[v]
