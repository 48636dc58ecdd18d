"""0-100 km/h and 10-80 % DC charge times against the makers' published figures.

Each car is built from its shipped preset the way ``study.powertrain`` builds it (EPA test
mass, road load, machine power and torque, its own pack designed from the nmc811-pouch cell,
or lfp-prismatic for the LFP Model 3), with no per-car tuning: every other input is a sourced
default (tyre friction 0.9, static front load 0.5, CG height/wheelbase 0.18, AWD front power
share 0.4 unless the preset splits the power, default reduction ratio from a 15,000 rpm
machine at the top speed, 0.355 m wheels). Acceleration mass: curb + 75 kg driver, or test mass
- EPA payload + driver. Charger: the one the maker names (350 kW, 920 V, 500 A for the E-GMP
cars), else the same 350 kW CCS class; the car's own DC limit applies. Prints the tables.
"""

import numpy as np
import pytest

from packstudy import cell as cellmod
from packstudy import charging, performance, vehicle
from packstudy import study as studymod
from packstudy.spec import parse_study

# The E-GMP presets give neither usable energy nor voltage; both are the makers' figures:
# 697 V nominal for the 77.4 kWh pack (Hyundai/Kia specifications 2021-2022: 192 cells in
# series x 3.63 V) and about 74 kWh usable (pack_design.toml usable_soc_min source).
EGMP_BATTERY = {"usable_energy_kWh": 74.0, "nominal_voltage_V": 697.0}

ACCEL = [  # preset, cell, published key
    ("polestar-2-long-range-dual-motor", "nmc811-pouch", "accel_0_100_s"),
    ("polestar-3-long-range-dual-motor", "nmc811-pouch", "accel_0_100_s"),
    ("hyundai-ioniq-5-long-range-awd", "nmc811-pouch", "accel_0_100_s"),
    ("kia-ev6-long-range-awd", "nmc811-pouch", "accel_0_100_s"),
    ("tesla-model-3-rwd", "lfp-prismatic", "accel_0_60mph_s"),
    ("polestar-2-long-range-single-motor", "nmc811-pouch", "accel_0_100_s"),
    ("chevrolet-bolt-ev", "nmc811-pouch", "accel_0_60mph_s"),
]
CHARGE = [  # preset, charger preset, published key, start SOC
    ("hyundai-ioniq-5-long-range-awd", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10),
    ("kia-ev6-long-range-awd", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10),
    ("hyundai-ioniq-5-long-range-rwd", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10),
    ("polestar-2-long-range-dual-motor", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10),
    ("polestar-2-long-range-single-motor", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10),
    ("polestar-3-long-range-dual-motor", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10),
    ("ford-f150-lightning-extended-range", "ccs-150kw-920v", "fast_charge_15_80_min", 0.15),
]


def build(preset: str, cell: str):
    """(vehicle spec, powertrain) of a preset with its own pack of ``cell``."""
    vehicle_table = {"preset": preset}
    if preset.startswith(("hyundai-ioniq-5", "kia-ev6")):
        vehicle_table["battery"] = EGMP_BATTERY
    study = parse_study({"vehicle": vehicle_table,
                         "candidate": [{"name": "own", "cell": cell, "inverter": "si"}]})
    cells = cellmod.cell_arrays([cellmod.load_cell(cell)], np.array([0]))
    packs = studymod.design_packs(cells, [studymod.pack_request(study, 0)])
    pt, _ = studymod.powertrain(study, cells, packs, ["si"])
    v = study.vehicle
    force = performance.tractive_force_limit_N(
        pt.vehicle[:, vehicle.V_MOTOR_W] / 1e3, motor_peak_torque_Nm=v.motor_peak_torque_Nm,
        gear_ratio=v.gear_ratio, wheel_radius_m=v.wheel_radius_m, top_speed_kmh=v.top_speed_kmh)
    pt.vehicle[:, vehicle.V_MAX_FORCE] = force
    pt.vehicle[:, vehicle.V_BASE_SPEED] = pt.vehicle[:, vehicle.V_MOTOR_W] / force
    return v, pt


def test_acceleration_against_published_figures():
    errors = {}
    print("\npreset                               metric            model  maker  error")
    for preset, cell, key in ACCEL:
        v, pt = build(preset, cell)
        share = v.front_motor_peak_kW / v.motor_peak_kW if v.front_motor_peak_kW else None
        r = performance.acceleration(
            pt, driven_axles=v.drive, front_power_share=share,
            mass_kg=performance.acceleration_mass_kg(pt.vehicle[:, vehicle.V_MASS],
                                                     v.curb_mass_kg))
        model, maker = float(r[key][0]), float(v.published[key]["value"])
        errors[preset] = 100.0 * (model / maker - 1.0)
        print(f"{preset:36} {key:16} {model:6.2f} {maker:6.2f} {errors[preset]:+6.1f} %"
              f"   (80-120 {r['accel_80_120_s'][0]:.2f} s, -10 degC 0-100 "
              f"{r['accel_0_100_s_at_minus10C'][0]:.1f} s, 20 % SOC pack "
              f"{r['peak_power_kW_at_20pct_soc'][0]:.0f} kW)")
    within = [p for p, e in errors.items() if abs(e) <= 10.0]
    print(f"within 10 %: {len(within)} of {len(errors)}")
    # issue 4: at least five within 10 %; today Polestar 3 (-12 %) and the FWD Bolt (+19 %,
    # default wheel radius and static load split) miss, see docs/performance-integration.md
    assert len(within) >= 5
    for preset in ("polestar-2-long-range-dual-motor", "hyundai-ioniq-5-long-range-awd",
                   "kia-ev6-long-range-awd", "tesla-model-3-rwd"):
        assert abs(errors[preset]) <= 10.0, preset
    assert max(abs(e) for e in errors.values()) <= 20.0


def test_fast_charge_against_published_figures():
    errors = {}
    print("\npreset                               charger          model  maker  error  peak kW")
    for preset, charger, key, soc_start in CHARGE:
        v, pt = build(preset, "nmc811-pouch")
        c = charging.load_charger(charger)
        r = charging.fast_charge(
            pt, charger_power_kW=c["power_kW"], charger_current_A=c["current_A"],
            charger_max_voltage_V=c["max_voltage_V"], vehicle_max_kW=v.max_dc_charge_kW,
            soc_start=soc_start, wltp_dc_kWh_per_100km=16.0)
        model, maker = float(r[key][0]), float(v.published[key]["value"])
        errors[preset] = 100.0 * (model / maker - 1.0)
        print(f"{preset:36} {charger:15} {model:6.1f} {maker:6.1f} {errors[preset]:+6.1f} %"
              f"  {r['fast_charge_peak_kW'][0]:6.0f}  (cell max "
              f"{r['fast_charge_max_cell_V'][0]:.3f} V, {r['fast_charge_max_cell_temp_C'][0]:.0f}"
              " degC)")
    within = [p for p, e in errors.items() if abs(e) <= 15.0]
    print(f"within 15 %: {len(within)} of {len(errors)}")
    # issue 4 asks for four within 15 % incl. Polestar 2 and 3; with the E-GMP-derived
    # nmc811-pouch charge map the Polestar packs charge 20-30 % too fast (their LG / CATL
    # cells accept less), see docs/performance-integration.md. Asserted: what holds today.
    for preset in ("hyundai-ioniq-5-long-range-awd", "kia-ev6-long-range-awd",
                   "hyundai-ioniq-5-long-range-rwd", "ford-f150-lightning-extended-range"):
        assert abs(errors[preset]) <= 15.0, preset
    assert len(within) >= 4
    assert max(abs(e) for e in errors.values()) <= 35.0


@pytest.mark.parametrize("preset", ["polestar-2-long-range-dual-motor",
                                    "polestar-3-long-range-dual-motor"])
@pytest.mark.xfail(strict=True, reason="nmc811-pouch charge map is the E-GMP cell's; the "
                   "Polestar packs need their own cell presets (issue 4 target not met)")
def test_polestar_fast_charge_within_15_pct(preset):
    v, pt = build(preset, "nmc811-pouch")
    c = charging.load_charger("ccs-350kw-920v")
    r = charging.fast_charge(pt, charger_power_kW=c["power_kW"], charger_current_A=c["current_A"],
                             charger_max_voltage_V=c["max_voltage_V"],
                             vehicle_max_kW=v.max_dc_charge_kW, wltp_dc_kWh_per_100km=16.0)
    maker = v.published["fast_charge_10_80_min"]["value"]
    assert abs(r["fast_charge_10_80_min"][0] / maker - 1.0) <= 0.15
