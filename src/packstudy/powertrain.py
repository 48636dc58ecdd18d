"""Powertrain assembly: the study vehicle with each candidate's cells, pack and inverter as the
kernel's input arrays (``procedures.Powertrain``), and the test mass each gives."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import kernel, motors, pack, performance, procedures, vehicle
from .inverter import combined_parameters, inverter_parameters
from .spec import Study


def assemble(study: Study, cells, packs: pack.PackArrays, inverter_kinds):
    """Kernel inputs for every candidate of ``study`` (its vehicle with each candidate's cells,
    pack and inverters: ``inverter_kinds`` (n,) for every machine or (n, 2) per machine), and
    the vehicle test mass (kg) each one gives."""
    v = study.vehicle
    n = packs.cells.shape[0]
    if v.glider_mass_kg is not None:
        test_mass = v.glider_mass_kg + packs.mass_kg + pack.default("test_payload_kg")
    else:
        test_mass = np.full(n, v.test_mass_kg)
    if v.road_load is not None:
        f0, f1, f2 = v.road_load.f0_N, v.road_load.f1_N_per_mps, v.road_load.f2_N_per_mps2
    else:
        crr = v.rolling_resistance_coefficient or vehicle.default("rolling_resistance_coefficient")
        f0, f1, f2 = vehicle.road_load_from_drag(v.drag_coefficient, v.frontal_area_m2, crr, test_mass)
    motor_kW = v.motor_peak_kW or test_mass * vehicle.default("motor_specific_power_W_per_kg") / 1e3
    force = performance.tractive_force_limit_N(
        motor_kW, motor_peak_torque_Nm=v.motor_peak_torque_Nm, gear_ratio=v.gear_ratio,
        wheel_radius_m=v.wheel_radius_m, top_speed_kmh=v.top_speed_kmh)
    veh = vehicle.vehicle_parameters(
        test_mass_kg=test_mass, f0_N=f0, f1_N_per_mps=f1, f2_N_per_mps2=f2,
        motor_peak_kW=motor_kW, top_speed_kmh=v.top_speed_kmh or vehicle.default("top_speed_kmh"),
        max_tractive_force_N=force, aux_W=v.aux_W,
        rotating_inertia_fraction=v.rotating_inertia_fraction,
        machines=[motors.Machine(m.axle, m.type, m.peak_kW, m.disconnect) for m in v.motors or ()],
    )
    kinds = np.broadcast_to(np.asarray(inverter_kinds, dtype=str).reshape(n, -1), (n, 2))
    per_machine = np.stack([inverter_parameters(kinds[:, k], veh[:, vehicle.V_MOTOR_W],
                                                packs.nominal_voltage_V) for k in (0, 1)], axis=1)
    inv = combined_parameters(per_machine, veh[:, vehicle.V_M1 + motors.M_SHARE])
    bat = kernel.battery_parameters(cells, packs.series, packs.parallel,
                                    pack.default("cell_cooling_W_per_K_per_kg"), packs.soc_min)
    pt = procedures.Powertrain(
        vehicle=veh, inverter=inv, inverters=per_machine, battery=bat,
        ocv_V=np.ascontiguousarray(cells.ocv_V), r0_ohm=np.ascontiguousarray(cells.r0_ohm),
        r1_ohm=np.ascontiguousarray(cells.r1_ohm), tau1_s=np.ascontiguousarray(cells.tau1_s),
        usable_energy_kWh=packs.usable_energy_kWh, soc_min=packs.soc_min, soc_max=packs.soc_max,
        recharge_efficiency=np.full(n, vehicle.default("recharge_efficiency")),
        charge_c_rate_max=np.ascontiguousarray(cells.charge_c_rate_max),
    )
    if v.epa_label_adjustment is not None:  # a derived 5-cycle factor certified
        pt = replace(pt, epa_label_adjustment=np.full(n, v.epa_label_adjustment))
    return pt, np.asarray(test_mass, float)
