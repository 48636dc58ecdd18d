"""Cold-weather range: a drive cycle at a low ambient temperature with cabin heating.

The vehicle drives a cycle (default WLTC class 3b) from a cold soak: the cells and the
coolant start at the ambient temperature and warm only by their own losses, so the cold
resistance of the cells (their R(T) tables) costs energy and power. Cabin heating adds a
constant electrical load: heat demand = cabin heat-loss coefficient x (setpoint - ambient),
over the resistive heater's efficiency or the heat pump's COP at the ambient. Cold air is
denser (ideal gas: the f2 term scales with T_ref / T) and tyres roll harder (ISO 28580
temperature coefficient on f0 and f1). Range = usable energy / chemical energy per km, as
``procedures.cycle_metrics``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import catalog
from .cycles import load_cycle
from .lookup import check_all
from .procedures import Powertrain, cycle_metrics, run_cycle
from .units import ZERO_CELSIUS_K
from .vehicle import V_AUX, V_F0, V_F1, V_F2

HEATING = ("resistive", "heat_pump")


def default(key: str):
    """A sourced default from ``data/factors/climate.toml``."""
    return catalog.factor("climate", key)


def heating_power_W(heating, ambient_C, cabin_setpoint_C=None) -> np.ndarray:
    """Electrical power (W) of cabin heating per variant: "resistive" or "heat_pump"."""
    kind = np.asarray(heating, dtype=str)
    check_all("heating", kind, HEATING, prefix="cold_range: ")
    ambient = np.asarray(ambient_C, dtype=float)
    setpoint = default("cabin_setpoint_C") if cabin_setpoint_C is None else cabin_setpoint_C
    demand = default("cabin_heat_loss_W_per_K") * np.maximum(setpoint - ambient, 0.0)
    cop = np.maximum(np.interp(ambient, default("heat_pump_cop_ambient_C"),
                               default("heat_pump_cop")), 1.0)
    efficiency = np.where(kind == "heat_pump", cop, default("resistive_heater_efficiency"))
    return demand / efficiency


def cold_vehicle(veh: np.ndarray, ambient_C, heater_W) -> np.ndarray:
    """The vehicle matrix at an ambient temperature: cold road load, heating on the aux."""
    ambient = np.asarray(ambient_C, dtype=float)
    t_ref = default("road_load_reference_temperature_C")
    k = default("rolling_resistance_temperature_coefficient_per_K")
    rolling = (1.0 + k * (t_ref - 25.0)) / (1.0 + k * (ambient - 25.0))
    out = veh.copy()
    out[:, V_F0] *= rolling
    out[:, V_F1] *= rolling
    out[:, V_F2] *= (t_ref + ZERO_CELSIUS_K) / (ambient + ZERO_CELSIUS_K)
    out[:, V_AUX] += heater_W
    return out


def temperature_label(ambient_C: float) -> str:
    """'minus7C' for -7, '10C' for 10: the temperature part of the metric name."""
    value = f"{abs(ambient_C):g}".replace(".", "p")
    return ("minus" if ambient_C < 0 else "") + value + "C"


def cold_range(pt: Powertrain, *, ambient_C=None, heating="heat_pump", cabin_setpoint_C=None,
               cycle=None) -> dict[str, np.ndarray]:
    """Range and consumption at ``ambient_C`` (default -7 degC) with cabin heating.

    heating: "resistive" | "heat_pump" (scalar or per variant); cycle: a ``Cycle``, a shipped
    cycle's name or None (default WLTC class 3b). Returns
    ``range_at_minus7C_km`` (the label follows the ambient), ``cold_kWh_per_100km`` (AC),
    ``cold_dc_kWh_per_100km`` and ``cabin_heating_W``.
    """
    ambient = float(default("ambient_C") if ambient_C is None else ambient_C)
    if not -40.0 <= ambient <= 40.0:
        raise ValueError(f"cold_range: ambient_C must lie in -40..40 degC; got {ambient}")
    heater = np.broadcast_to(heating_power_W(heating, ambient, cabin_setpoint_C), (pt.n,))
    cold = replace(pt, vehicle=cold_vehicle(pt.vehicle, ambient, heater))
    if cycle is None or isinstance(cycle, str):
        cycle = load_cycle(cycle or default("cycle"))
    acc, _ = run_cycle(cold, cycle, temperature_C=ambient)
    m = cycle_metrics(cold, acc)
    return {
        f"range_at_{temperature_label(ambient)}_km": m["range_km"],
        "cold_kWh_per_100km": m["ac_kWh_per_100km"],
        "cold_dc_kWh_per_100km": m["dc_kWh_per_100km"],
        "cabin_heating_W": np.array(heater, dtype=float),
        "cold_trace_missed_pct": m["trace_missed_pct"],
    }
