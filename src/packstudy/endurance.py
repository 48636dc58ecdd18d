"""The endurance procedures of a study: repeated launches (``launch``) and track laps
(``track``), each candidate with its thermal system (``thermal``, ``[[candidate]] cooling``).

They run when ``[study] procedures`` names them or when their table (``[study]
launch_repeat = {...}``, ``track = {...}``) is given (``chain.PROCEDURES``). The same thermal
system preconditions the pack for the cold acceleration (``[study] cold = { preconditioned = true }``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from . import charging, cold, launch, thermal
from . import track as trackmod
from .kernel import B_CELL_CP, B_CELL_HA, B_CELL_MASS, B_PARALLEL, B_SERIES
from .performance import default as performance_default
from .procedures import Powertrain
from .spec import Study, TrackLaps
from .variants import table
from .vehicle import V_MOTOR_W


def thermal_system(study: Study, pt: Powertrain, pack_energy_kWh, integration) -> np.ndarray:
    """The candidates' thermal parameters (``thermal.thermal_parameters``) with their
    ``cooling`` tables."""
    def rating(key):
        return table(study).floats(f"cooling.{key}")

    bat = pt.battery
    return thermal.thermal_parameters(
        bat[:, B_SERIES] * bat[:, B_PARALLEL], bat[:, B_CELL_MASS], bat[:, B_CELL_CP],
        pack_energy_kWh, integration, pt.vehicle[:, V_MOTOR_W],
        chiller_kW=rating("chiller_kW"), heater_kW=rating("heater_kW"))


def launches(study: Study, pt: Powertrain, test_mass_kg, metrics: dict, integration) -> dict:
    """Repeated launches (``[study] launch_repeat``) with each candidate's thermal system: the
    per-candidate result columns."""
    th = thermal_system(study, pt, metrics["pack_energy_kWh"], integration)
    settings = study.study.launch_repeat
    out = launch.launch_repeat(pt, th, launch.vehicle_arrays(pt, study.vehicle, test_mass_kg),
                               **(settings.model_dump() if settings is not None else {}))
    return {k: v for k, v in out.items() if v.ndim == 1}


def laps(study: Study, pt: Powertrain, test_mass_kg, metrics: dict, integration, base_dir: Path,
         traces: bool) -> tuple[dict, dict | None]:
    """Track laps (``[study] track``) with each candidate's thermal system: the per-candidate
    result columns, and the lap curve for the report (with ``traces``, else None)."""
    th = thermal_system(study, pt, metrics["pack_energy_kWh"], integration)
    settings = study.study.track or TrackLaps()
    lap = trackmod.load_track(settings.name, settings.file, base_dir)
    out = trackmod.track_laps(pt, th, launch.vehicle_arrays(pt, study.vehicle, test_mass_kg), lap,
                              laps=settings.laps, ambient_C=settings.ambient_C, traces=traces)
    curve = out.pop("track_curve", None)
    return {k: v for k, v in out.items() if v.ndim == 1}, curve


def preconditioned_cell_C(study: Study, pt: Powertrain, pack_energy_kWh, integration) -> np.ndarray:
    """Cell temperature (degC) after preconditioning a pack soaked at the cold acceleration
    temperature with its heater (``thermal.precondition``)."""
    th = thermal_system(study, pt, pack_energy_kWh, integration)
    ambient = performance_default("cold_acceleration_temperature_C")
    return thermal.precondition(th, ambient)[:, thermal.S_CELL]


def soaked_pack(study: Study, pt: Powertrain, pack_energy_kWh, integration) -> Powertrain:
    """``pt`` for a charge with neither heater nor chiller at work: each cell lumped with its
    share of the coolant loop (which follows the cells), the two losing heat only through the
    enclosure to the ambient (``charging.fast_charge``'s coolant temperature: the ambient).
    The thermal parameters are the candidates' (``thermal_system``)."""
    th = thermal_system(study, pt, pack_energy_kWh, integration)
    cells = th[:, thermal.TH_CELLS]
    bat = pt.battery.copy()
    bat[:, B_CELL_CP] = (th[:, thermal.TH_CELL_C] + th[:, thermal.TH_LOOP_C] / cells) / bat[:, B_CELL_MASS]
    bat[:, B_CELL_HA] = th[:, thermal.TH_AMB_G] / cells
    return replace(pt, battery=bat)


def cold_fast_charge(study: Study, pt: Powertrain, metrics: dict, integration, charge: dict) -> dict:
    """The study's DC fast charge (``charge``: ``charging.fast_charge``'s arguments but the
    temperatures) at the cold acceleration's ambient (-10 degC), named ``..._at_minus10C``:
    its window time and peak power.

    Soaked (the default): the pack starts at the ambient and warms only by the cells' own
    losses, no heater or chiller at work (``soaked_pack``; a cell that takes no charge below
    0 degC never starts: NaN). With ``[study] cold = { preconditioned = true }``: the pack is
    first preconditioned from the soak (``preconditioned_cell_C``, taken from ``metrics`` when the
    acceleration procedure found it), then the heater holds the coolant at its setpoint while
    the cells also warm by their own losses; ``cold_pack_temperature_C`` is given too."""
    ambient = performance_default("cold_acceleration_temperature_C")
    if not study.study.cold.preconditioned:
        out = charging.fast_charge(soaked_pack(study, pt, metrics["pack_energy_kWh"], integration),
                                   temperature_C=ambient, coolant_C=ambient, **charge)
        head = {}
    else:
        cell_C = metrics.get("cold_pack_temperature_C")
        if cell_C is None:
            cell_C = preconditioned_cell_C(study, pt, metrics["pack_energy_kWh"], integration)
        out = charging.fast_charge(pt, temperature_C=cell_C,
                                   coolant_C=thermal.default("coolant_setpoint_C"), **charge)
        head = {"cold_pack_temperature_C": cell_C}
    window = next(k for k in out if k.endswith("_min"))
    label = cold.temperature_label(ambient)
    return {**head, **{f"{k}_at_{label}": out[k] for k in (window, "fast_charge_peak_kW")}}
