"""The thermal system of a battery-electric drive: battery coolant loop, chiller and heater,
lumped traction machine and inverter, and the power derating they impose.

Nodes per variant (degC): the cell (lumped, each cell alike), the battery coolant loop
(coolant + cooling plates + manifolds), the traction machines and the inverter. Heat flows:

- cell -> loop through the cell-to-coolant conductance of the pack's integration type
  (``pack_design.toml`` x the integration factor of ``thermal.toml``);
- loop -> ambient through the enclosure, loop -> refrigerant by the chiller above the coolant
  setpoint and heater -> loop below it (proportional over ``control_band_K``, capped at the
  rated kW); the chiller's compressor (heat / COP) and the heater draw on the pack;
- machine and inverter -> the drive-unit coolant (ambient + a radiator approach), their
  conductances set so that the continuous rating holds them exactly at their limit.

Derating (BMS and drive practice): the BMS's power map is flat from the coolant setpoint up
to the derating start (a warmer cell's lower resistance gives no more than the rated power,
``launch.bms_power_limit``); the pack may deliver full power up to
``cell_discharge_limit_C - cell_derating_band_K``, then linearly less, nothing at the limit
(and likewise for charge and regeneration with ``cell_charge_limit_C``); SOC enters through
the cell's voltage limits (``performance._battery_limits``). The drive's torque falls from
peak to its continuous rating over ``machine_derating_band_K`` below the machine's or the
inverter's limit temperature; regeneration stops inside that band (its losses would heat a
machine whose thermal budget traction needs; the friction brakes take the braking).

Every step is explicit in time with fluxes from the step's start, so the loop's energy
balance closes to round-off: heat generated = heat stored + heat to ambient + chiller - heater.
State rows: ``S_*`` columns; parameter rows: ``TH_*`` columns (one row per variant).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import catalog
from .lookup import check_all, per_value
from .pack import default as pack_default

INTEGRATIONS = ("module", "cell_to_pack", "cell_to_body")

# Parameter columns.
(TH_CELLS, TH_CELL_C, TH_CELL_G, TH_LOOP_C, TH_AMB_G, TH_CHILLER_W, TH_HEATER_W, TH_SETPOINT,
 TH_BAND, TH_COP, TH_DIS_LIMIT, TH_CHG_LIMIT, TH_CELL_BAND, TH_MACHINE_C, TH_MACHINE_G,
 TH_MACHINE_LIMIT, TH_INV_C, TH_INV_G, TH_INV_LIMIT, TH_DRIVE_BAND, TH_CONT_FRAC,
 TH_DRIVE_DT) = range(22)
N_TH = 22

# State columns: temperatures (degC), then energies since the start (J, whole pack).
(S_CELL, S_LOOP, S_MACHINE, S_INV, S_GENERATED, S_CHILLER, S_HEATER, S_AMBIENT, S_ELECTRIC,
 S_DERATED) = range(10)
N_STATE = 10


def default(key: str) -> float:
    """A sourced default from ``data/factors/thermal.toml``."""
    return float(catalog.factor("thermal", key))


def _col(value, n, key):
    a = np.asarray(np.nan if value is None else value, dtype=float)
    return np.broadcast_to(np.where(np.isnan(a), default(key), a), (n,))


def thermal_parameters(bat_cells, cell_mass_kg, cell_cp_J_per_kgK, pack_energy_kWh, integration,
                       machine_peak_W, *, chiller_kW=None, heater_kW=None) -> np.ndarray:
    """The parameter matrix (n, N_TH) of n variants: cells in the pack, cell mass (kg) and
    specific heat, pack energy (kWh), integration type, peak machine power (W, all machines);
    chiller and heater ratings (kW, None or NaN: the defaults). The machine's and inverter's
    conductances hold their continuous rating at the limit with the drive coolant at
    the rating's reference ambient + the radiator approach (both in data/factors/thermal.toml)."""
    n = np.asarray(bat_cells).shape[0]
    kinds = np.broadcast_to(np.asarray(integration, dtype=str), (n,))
    check_all("integration", kinds, INTEGRATIONS, prefix="thermal: ")
    factor = per_value(kinds, lambda k: default(f"cell_cooling_factor_{k}"))
    energy = np.asarray(pack_energy_kWh, dtype=float)
    peak = np.asarray(machine_peak_W, dtype=float)
    th = np.empty((n, N_TH))
    th[:, TH_CELLS] = bat_cells
    th[:, TH_CELL_C] = np.asarray(cell_mass_kg) * np.asarray(cell_cp_J_per_kgK)
    th[:, TH_CELL_G] = np.asarray(cell_mass_kg) * pack_default("cell_cooling_W_per_K_per_kg") * factor
    integ = catalog.factor_table("pack_integration")
    th[:, TH_LOOP_C] = energy * (
        default("coolant_volume_L_per_kWh") * default("coolant_density_kg_per_L")
        * default("coolant_specific_heat_J_per_kgK")
        + integ["thermal_conductor_aluminium_kg_per_kWh"]["value"]
        * default("aluminium_specific_heat_J_per_kgK")
        + integ["coolant_manifold_stainless_kg_per_kWh"]["value"]
        * default("stainless_specific_heat_J_per_kgK"))
    th[:, TH_AMB_G] = energy * default("pack_to_ambient_W_per_K_per_kWh")
    th[:, TH_CHILLER_W] = _col(chiller_kW, n, "chiller_kW") * 1e3
    th[:, TH_HEATER_W] = _col(heater_kW, n, "heater_kW") * 1e3
    th[:, TH_SETPOINT] = default("coolant_setpoint_C")
    th[:, TH_BAND] = default("control_band_K")
    th[:, TH_COP] = default("chiller_cop")
    th[:, TH_DIS_LIMIT] = default("cell_discharge_limit_C")
    th[:, TH_CHG_LIMIT] = default("cell_charge_limit_C")
    th[:, TH_CELL_BAND] = default("cell_derating_band_K")
    cont = default("machine_continuous_fraction")
    drive_coolant = default("rating_reference_ambient_C") + default("drive_coolant_above_ambient_K")
    machine_loss = cont * peak * (1.0 / default("machine_efficiency_continuous") - 1.0)
    inverter_loss = cont * peak * (1.0 / default("inverter_efficiency_continuous") - 1.0)
    th[:, TH_MACHINE_C] = peak / 1e3 * default("machine_mass_kg_per_kW") * default(
        "machine_specific_heat_J_per_kgK")
    th[:, TH_MACHINE_LIMIT] = default("motor_winding_limit_C")
    th[:, TH_MACHINE_G] = machine_loss / (th[:, TH_MACHINE_LIMIT] - drive_coolant)
    th[:, TH_INV_C] = peak / 1e3 * default("inverter_mass_kg_per_kW") * default(
        "aluminium_specific_heat_J_per_kgK")
    th[:, TH_INV_LIMIT] = default("inverter_limit_C")
    th[:, TH_INV_G] = inverter_loss / (th[:, TH_INV_LIMIT] - drive_coolant)
    th[:, TH_DRIVE_BAND] = default("machine_derating_band_K")
    th[:, TH_CONT_FRAC] = cont
    th[:, TH_DRIVE_DT] = default("drive_coolant_above_ambient_K")
    for key, col in (("chiller_kW", TH_CHILLER_W), ("heater_kW", TH_HEATER_W)):
        bounds = catalog.input_range(key)  # the range a study file is held to
        if not np.all((th[:, col] >= 1e3 * bounds["ge"]) & (th[:, col] <= 1e3 * bounds["le"])):
            raise ValueError(f"thermal: {key} must lie within {bounds['ge']:g} to {bounds['le']:g} "
                             "(data/factors/input_bounds.toml)")
    return th


def initial_state(th: np.ndarray, ambient_C, *, preconditioned: bool = True) -> np.ndarray:
    """State rows (n, N_STATE) at the start of a test at ``ambient_C``: machine and inverter
    at their coolant's temperature (ambient + the radiator approach); cells and loop at the
    coolant setpoint when ``preconditioned`` (performance modes bring the pack there before
    launches and laps), else at ambient. No energy counted yet."""
    n = th.shape[0]
    ambient = np.broadcast_to(np.asarray(ambient_C, dtype=float), (n,))
    s = np.zeros((n, N_STATE))
    battery = th[:, TH_SETPOINT] if preconditioned else ambient
    s[:, S_CELL] = battery
    s[:, S_LOOP] = battery
    s[:, S_MACHINE] = ambient + th[:, TH_DRIVE_DT]
    s[:, S_INV] = ambient + th[:, TH_DRIVE_DT]
    return s


@njit(cache=True, inline="always")
def _ramp(x):
    return min(max(x, 0.0), 1.0)


@njit(cache=True, inline="always")
def pack_fractions(th, cell_C):
    """(discharge, charge) fraction of the pack's voltage-limited power the BMS allows at
    cell temperature ``cell_C``: 1 up to the derating start, 0 at the cell's limit."""
    band = th[TH_CELL_BAND]
    return (_ramp((th[TH_DIS_LIMIT] - cell_C) / band), _ramp((th[TH_CHG_LIMIT] - cell_C) / band))


@njit(cache=True, inline="always")
def _drive_over(th, machine_C, inverter_C):
    """How far (0..1) the machine or inverter is into its derating band."""
    band = th[TH_DRIVE_BAND]
    return max(_ramp((machine_C - th[TH_MACHINE_LIMIT] + band) / band),
               _ramp((inverter_C - th[TH_INV_LIMIT] + band) / band))


@njit(cache=True, inline="always")
def machine_fraction(th, machine_C, inverter_C):
    """Fraction of the drive's peak torque and power allowed at the machine's and inverter's
    temperatures: 1 below the derating band, the continuous rating at the limit."""
    return 1.0 - (1.0 - th[TH_CONT_FRAC]) * _drive_over(th, machine_C, inverter_C)


@njit(cache=True, inline="always")
def regen_fraction(th, machine_C, inverter_C):
    """Fraction of the machine's power allowed for regeneration: 1 below the drive's derating
    band, none in it. Regeneration's losses heat the same windings and switches as traction;
    once the drive derates, its thermal budget goes to traction and the brake blending hands
    the braking to the friction brakes."""
    return 1.0 if _drive_over(th, machine_C, inverter_C) <= 0.0 else 0.0


@njit(cache=True, inline="always")
def derating_temperatures(th):
    """(cell discharge, cell charge, machine, inverter) temperatures (degC) above which
    derating starts."""
    return (th[TH_DIS_LIMIT] - th[TH_CELL_BAND], th[TH_CHG_LIMIT] - th[TH_CELL_BAND],
            th[TH_MACHINE_LIMIT] - th[TH_DRIVE_BAND], th[TH_INV_LIMIT] - th[TH_DRIVE_BAND])


@njit(cache=True, inline="always")
def step(th, s, cell_heat_W, machine_loss_W, inverter_loss_W, ambient_C, dt_s):
    """Advance state row ``s`` by ``dt_s`` with each cell generating ``cell_heat_W`` and the
    machines and inverter losing the given powers (W); returns the electrical power (W) the
    chiller's compressor and the heater draw from the pack over the step."""
    cells = th[TH_CELLS]
    to_loop = th[TH_CELL_G] * (s[S_CELL] - s[S_LOOP])  # per cell, W
    to_ambient = th[TH_AMB_G] * (s[S_LOOP] - ambient_C)
    duty = (s[S_LOOP] - th[TH_SETPOINT]) / th[TH_BAND]
    # the controller never drives the loop past its setpoint within a step (stable for any dt)
    reach = th[TH_LOOP_C] * (s[S_LOOP] - th[TH_SETPOINT]) / dt_s + cells * to_loop - to_ambient
    chiller = min(th[TH_CHILLER_W] * _ramp(duty), max(reach, 0.0))
    heater = min(th[TH_HEATER_W] * _ramp(-duty), max(-reach, 0.0))
    drive = ambient_C + th[TH_DRIVE_DT]
    s[S_CELL] += dt_s * (cell_heat_W - to_loop) / th[TH_CELL_C]
    s[S_LOOP] += dt_s * (cells * to_loop - to_ambient - chiller + heater) / th[TH_LOOP_C]
    s[S_MACHINE] += dt_s * (machine_loss_W - th[TH_MACHINE_G] * (s[S_MACHINE] - drive)) / th[TH_MACHINE_C]
    s[S_INV] += dt_s * (inverter_loss_W - th[TH_INV_G] * (s[S_INV] - drive)) / th[TH_INV_C]
    electric = chiller / th[TH_COP] + heater
    s[S_GENERATED] += dt_s * cells * cell_heat_W
    s[S_CHILLER] += dt_s * chiller
    s[S_HEATER] += dt_s * heater
    s[S_AMBIENT] += dt_s * to_ambient
    s[S_ELECTRIC] += dt_s * electric
    return electric


def stored_heat_J(th: np.ndarray, s: np.ndarray, s0: np.ndarray) -> np.ndarray:
    """Heat stored in the cells and the loop between states ``s0`` and ``s`` (J, per variant)."""
    return (th[:, TH_CELLS] * th[:, TH_CELL_C] * (s[:, S_CELL] - s0[:, S_CELL])
            + th[:, TH_LOOP_C] * (s[:, S_LOOP] - s0[:, S_LOOP]))


@njit(cache=True)
def _precondition(th, state, ambient_C, duration_s, dt_s):
    for i in range(th.shape[0]):
        for _ in range(int(duration_s / dt_s)):
            step(th[i], state[i], 0.0, 0.0, 0.0, ambient_C[i], dt_s)


def precondition(th: np.ndarray, ambient_C, duration_s: float | None = None) -> np.ndarray:
    """State rows after preconditioning from the grid: a pack soaked at ``ambient_C``, its
    heater (or chiller) working on the loop for ``duration_s`` (default
    ``preconditioning_time_s``) with no current through the cells; the cells follow the loop
    through their conductance. Returns the state (``S_CELL``: the cells' temperature)."""
    n = th.shape[0]
    ambient = np.ascontiguousarray(np.broadcast_to(np.asarray(ambient_C, float), (n,)))
    state = initial_state(th, ambient, preconditioned=False)
    duration = default("preconditioning_time_s") if duration_s is None else float(duration_s)
    _precondition(np.ascontiguousarray(th), state, ambient, duration, 10.0)
    return state
