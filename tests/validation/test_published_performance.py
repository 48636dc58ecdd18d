"""0-100 km/h and 10-80 % DC charge times against the makers' published figures.

Each car is built from its shipped preset the way ``powertrain.assemble`` builds it (EPA test
mass, road load, machine power and torque, its own pack designed from the cell its preset
names in ``battery.cell``, else nmc811-pouch, or lfp-prismatic for the LFP Model 3), with no
per-car tuning: every other input is a sourced default (tyre friction 0.9, static front load
0.5, CG height/wheelbase 0.18, AWD front power share 0.4 unless the preset splits the power,
default reduction ratio from a 15,000 rpm machine at the top speed, 0.355 m wheels).
Acceleration mass: curb + 75 kg driver, or test mass - EPA payload + driver. Charging uses
the same own cell and the charger the maker names (350 kW, 920 V, 500 A for the E-GMP cars),
else the same 350 kW CCS class; the car's own DC limit applies. Prints the tables.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from packstudy import catalog, charging, performance, powertrain, vehicle
from packstudy import cell as cellmod
from packstudy import study as studymod
from packstudy.spec import parse_study

ACCEL = [  # preset, its own cell (battery.cell, else nmc811-pouch), published key
    ("polestar-2-long-range-dual-motor", "nmc-pouch-lges", "accel_0_100_s"),
    ("polestar-3-long-range-dual-motor", "nmc-prismatic-catl", "accel_0_100_s"),
    ("hyundai-ioniq-5-long-range-awd", "nmc811-pouch", "accel_0_100_s"),
    ("kia-ev6-long-range-awd", "nmc811-pouch", "accel_0_100_s"),
    ("tesla-model-3-rwd", "lfp-prismatic", "accel_0_60mph_s"),
    ("polestar-2-long-range-single-motor", "nmc-prismatic-catl", "accel_0_100_s"),
    ("chevrolet-bolt-ev", "nmc811-pouch", "accel_0_60mph_s"),
]
CHARGE = [  # preset, charger preset, published key, start and end SOC
    ("hyundai-ioniq-5-long-range-awd", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10, 0.80),
    ("kia-ev6-long-range-awd", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10, 0.80),
    ("hyundai-ioniq-5-long-range-rwd", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10, 0.80),
    ("polestar-2-long-range-dual-motor", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10, 0.80),
    ("polestar-2-long-range-single-motor", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10, 0.80),
    ("polestar-3-long-range-dual-motor", "ccs-350kw-920v", "fast_charge_10_80_min", 0.10, 0.80),
    ("ford-f150-lightning-extended-range", "ccs-150kw-920v", "fast_charge_15_80_min", 0.15, 0.80),
    # a tester's measurement on a 150 kW charger, not a maker figure
    ("polestar-3-long-range-dual-motor", "ccs-150kw-920v", "fast_charge_32_85_min", 0.32, 0.85),
]


def build(preset: str, cell: str, **vehicle_keys):
    """(vehicle spec, powertrain) of a preset with its as-built pack when ``cell`` is its own
    cell, else a pack of ``cell`` for its energy; ``vehicle_keys`` override the preset's keys."""
    vehicle_table = {"preset": preset} | vehicle_keys
    study = parse_study({"vehicle": vehicle_table,
                         "candidate": [{"name": "own", "cell": cell, "inverter": "si"}]})
    if study.vehicle.battery.cell == cell:  # the car's own cell: its as-built pack
        study = parse_study({"vehicle": vehicle_table, "candidate": [{"name": "own", "inverter": "si"}]})
    cells = cellmod.cell_arrays([cellmod.load_cell(cell)], np.array([0]))
    packs = studymod.design_packs(cells, [studymod.pack_request(study, 0)])
    pt, _ = powertrain.assemble(study, cells, packs, ["si"])
    v = study.vehicle
    force = performance.tractive_force_limit_N(
        pt.vehicle[:, vehicle.V_MOTOR_W] / 1e3, motor_peak_torque_Nm=v.motor_peak_torque_Nm,
        gear_ratio=v.gear_ratio, wheel_radius_m=v.wheel_radius_m, top_speed_kmh=v.top_speed_kmh)
    pt.vehicle[:, vehicle.V_MAX_FORCE] = force
    pt.vehicle[:, vehicle.V_BASE_SPEED] = pt.vehicle[:, vehicle.V_MOTOR_W] / force
    return v, pt


def accelerate(preset: str, cell: str, vehicle_keys=None, **kwargs):
    """(vehicle spec, ``performance.acceleration`` result) of a preset at the sourced defaults
    (``kwargs`` override them, ``vehicle_keys`` the preset's vehicle keys)."""
    v, pt = build(preset, cell, **(vehicle_keys or {}))
    args = dict(driven_axles=v.drive, front_power_share=v.front_power_share,
                mass_kg=performance.acceleration_mass_kg(pt.vehicle[:, vehicle.V_MASS],
                                                         v.curb_mass_kg))
    return v, performance.acceleration(pt, **(args | kwargs))


@pytest.fixture(scope="module")
def accel_errors():
    """Model vs maker error (%) of every ACCEL car; prints the table."""
    errors = {}
    print("\npreset                               metric            model  maker  error")
    for preset, cell, key in ACCEL:
        v, r = accelerate(preset, cell)
        model, maker = float(r[key][0]), float(v.published[key]["value"])
        errors[preset] = 100.0 * (model / maker - 1.0)
        print(f"{preset:36} {key:16} {model:6.2f} {maker:6.2f} {errors[preset]:+6.1f} %"
              f"   (80-120 {r['accel_80_120_s'][0]:.2f} s, -10 degC 0-100 "
              f"{r['accel_0_100_s_at_minus10C'][0]:.1f} s, 20 % SOC pack "
              f"{r['peak_power_kW_at_20pct_soc'][0]:.0f} kW)")
    print(f"within 10 %: {sum(abs(e) <= 10.0 for e in errors.values())} of {len(errors)}")
    return errors


def test_acceleration_against_published_figures(accel_errors):
    # Polestar 3 (-16 %, see the tests below), the FWD Bolt (+19 %, default wheel radius and
    # static load split) and the EV6 AWD (-12 %, next test) miss 10 %, see
    # docs/performance-integration.md
    for preset in ("polestar-2-long-range-dual-motor", "hyundai-ioniq-5-long-range-awd",
                   "tesla-model-3-rwd", "polestar-2-long-range-single-motor"):
        assert abs(accel_errors[preset]) <= 10.0, preset
    assert max(abs(e) for e in accel_errors.values()) <= 20.0


@pytest.mark.xfail(strict=True, reason="issue 4 target (five of seven within 10 %) not met since "
                   "the lg-m50 refit on real pulses (issue 18): 4 of 7; the EV6 LR AWD gives 4.59 s "
                   "vs the maker's 5.2 s (-11.7 %, was 4.73 s, -9.1 %): its pack (nmc811-pouch, "
                   "resistance scaled from lg-m50) sags less and no longer holds the car back")
def test_acceleration_five_of_seven_within_10_pct(accel_errors):
    assert abs(accel_errors["kia-ev6-long-range-awd"]) <= 10.0
    assert sum(abs(e) <= 10.0 for e in accel_errors.values()) >= 5


P3 = "polestar-3-long-range-dual-motor"


@pytest.mark.xfail(strict=True, reason="Polestar 3 LR Dual Motor: 360 kW and 840 Nm on 2,659 kg give "
                   "4.2 s at the sourced defaults, the maker says 5.0 s (issue 4 target not met)")
def test_polestar_3_acceleration_within_10_pct():
    v, r = accelerate(P3, "nmc-prismatic-catl")
    assert abs(r["accel_0_100_s"][0] / v.published["accel_0_100_s"]["value"] - 1.0) <= 0.10


# The Performance Pack version of the same car, from the figures the preset's [sources] and
# [published] strings give: 380 kW, 910 Nm, 0-100 km/h in 4.7 s; the heaviest curb mass of the
# version range (2,670 kg), assumed for the better-equipped version (its own mass is not
# published; at the lightest, 2,584 kg, the model is 4.03 s, -14 %).
P3_PERFORMANCE_PACK = {"motor_peak_kW": 380.0, "motor_peak_torque_Nm": 910.0, "curb_mass_kg": 2670.0}
P3_PERFORMANCE_PACK_0_100_S = 4.7


@pytest.fixture(scope="module")
def p3_pair():
    """(maker's standard-car time, model standard car, model Performance Pack), s."""
    v, base = accelerate(P3, "nmc-prismatic-catl")
    _, pack = accelerate(P3, "nmc-prismatic-catl", vehicle_keys=P3_PERFORMANCE_PACK)
    model = pack["accel_0_100_s"][0]
    print(f"\nPolestar 3 Performance Pack (380 kW, 910 Nm, 2,670 kg): model {model:.2f} s, maker "
          f"{P3_PERFORMANCE_PACK_0_100_S} s, {100 * (model / P3_PERFORMANCE_PACK_0_100_S - 1):+.1f} "
          f"%; standard car model {base['accel_0_100_s'][0]:.2f} s, maker "
          f"{v.published['accel_0_100_s']['value']} s")
    return v.published["accel_0_100_s"]["value"], base["accel_0_100_s"][0], model


def test_polestar_3_maker_gap_to_the_performance_pack(p3_pair):
    """The maker's two figures differ by more than their power and mass explain: the standard
    car has 2.2 % less power per kg and is quoted 6.4 % slower; the model (pack limits and grip
    included) gives the two 2.5 % apart, as their power per kg (within 1 % before the
    large-format presets' resistance was scaled to a measured cell: the CATL pack then held the
    Performance Pack back). The standard car's 5.0 s is the outlier, not the model."""
    maker, base, pack = p3_pair
    assert maker / P3_PERFORMANCE_PACK_0_100_S - 1.0 > 0.05
    assert 0.0 <= base / pack - 1.0 < 0.035


@pytest.mark.xfail(strict=True, reason="Polestar 3 Performance Pack: model 4.13 s vs the maker's "
                   "4.7 s, -12.1 % (4.21 s, -10.5 %, before the large-format resistance scaling; "
                   "4.32 s, -8.1 %, before the lg-m50 refit on real pulses, issue 18: the CATL "
                   "pack sags less and no longer limits the machines)")
def test_polestar_3_performance_pack_within_10_pct(p3_pair):
    assert abs(p3_pair[2] / P3_PERFORMANCE_PACK_0_100_S - 1.0) <= 0.10


@pytest.mark.xfail(strict=True, reason="at the slow ends of the sourced ranges the model gives 4.50 s "
                   "vs the maker's 5.0 s, -10.004 %, just beyond 10 %: 4.51 s (-9.8 %) with the "
                   "front power share of the preset's motors (127 of 307 kW, issue 15) on the pack "
                   "designed from 107 kWh; the as-built 98s3p CATL pack (issue 12) sags a little less")
def test_polestar_3_published_time_lies_at_the_slow_end_of_the_sourced_ranges():
    """The maker's 5.0 s is inside the model's uncertainty, not beyond a missing limit: with
    the slow ends of the sourced ranges of performance.toml (tyre friction, CG height over
    wheelbase, SOC) and the heaviest curb mass of the version (2,670 kg, the preset's
    curb_mass_kg source) the model is within 10 %; at the central defaults it is 16 % quick."""
    ranges = catalog.factors("performance")
    v, r = accelerate(P3, "nmc-prismatic-catl", tyre_friction=ranges["tyre_friction_coefficient"]["low"],
                      cg_height_to_wheelbase=ranges["cg_height_to_wheelbase"]["high"],
                      soc=ranges["acceleration_soc"]["low"],
                      mass_kg=2670.0 + performance.default("acceleration_driver_mass_kg"))
    maker = v.published["accel_0_100_s"]["value"]
    print(f"\nPolestar 3 at the slow ends of the sourced ranges: {r['accel_0_100_s'][0]:.2f} s, "
          f"maker {maker} s")
    assert -0.10 <= r["accel_0_100_s"][0] / maker - 1.0 < -0.02


def own_cell(preset: str) -> str:
    """The cell a vehicle preset names for its own pack (nmc811-pouch if none)."""
    study = parse_study({"vehicle": {"preset": preset}, "candidate": [{"name": "own"}]})
    return study.vehicle.battery.cell or "nmc811-pouch"


def test_fast_charge_against_published_figures():
    errors = {}
    print("\npreset                              cell                charger          model  "
          "figure error  peak kW")
    for preset, charger, key, soc_start, soc_end in CHARGE:
        cell = own_cell(preset)
        v, pt = build(preset, cell)
        c = charging.load_charger(charger)
        r = charging.fast_charge(
            pt, charger_power_kW=c["power_kW"], charger_current_A=c["current_A"],
            charger_max_voltage_V=c["max_voltage_V"], vehicle_max_kW=v.max_dc_charge_kW,
            soc_start=soc_start, soc_end=soc_end, wltp_dc_kWh_per_100km=16.0)
        model, figure = float(r[key][0]), float(v.published[key]["value"])
        errors[preset, key] = 100.0 * (model / figure - 1.0)
        print(f"{preset:35} {cell:19} {charger:15} {model:6.1f} {figure:6.1f} "
              f"{errors[preset, key]:+6.1f} %  {r['fast_charge_peak_kW'][0]:6.0f}  (cell max "
              f"{r['fast_charge_max_cell_V'][0]:.3f} V, {r['fast_charge_max_cell_temp_C'][0]:.0f}"
              f" degC) {key}")
    within = [k for k, e in errors.items() if abs(e) <= 15.0]
    print(f"within 15 %: {len(within)} of {len(errors)}")
    # issue 4: IONIQ 5 and EV6 on 350 kW, Polestar 2 and Polestar 3 within 15 % of the makers'
    # 10-80 % times. The Polestar cells' charge maps come from measured charging curves of the
    # Polestar 2 packs (nmc-pouch-lges, nmc-prismatic-catl), not from these times; the Polestar 3
    # uses the Polestar 2 CATL map (no measured Polestar 3 curve found), which its 32-85 % test
    # row checks against a tester's measurement.
    for preset in ("hyundai-ioniq-5-long-range-awd", "kia-ev6-long-range-awd",
                   "hyundai-ioniq-5-long-range-rwd", "polestar-2-long-range-dual-motor",
                   "polestar-2-long-range-single-motor", "polestar-3-long-range-dual-motor",
                   "ford-f150-lightning-extended-range"):
        key = "fast_charge_15_80_min" if preset.startswith("ford") else "fast_charge_10_80_min"
        assert abs(errors[preset, key]) <= 15.0, preset
    assert len(within) == len(errors)


def test_polestar_2_packs_redraw_their_measured_charging_curves():
    """The charge maps of nmc-pouch-lges and nmc-prismatic-catl come from measured curves of
    the Polestar 2 packs: a pack of each cell, with the car's DC limit, must redraw its curve."""
    spec = importlib.util.spec_from_file_location(
        "make_cell_presets", Path(__file__).parents[2] / "scripts" / "make_cell_presets.py")
    presets = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(presets)
    for preset, measured_kW in (
            ("polestar-2-long-range-dual-motor", presets.CURVE_POLESTAR2_LG_KW),
            ("polestar-2-long-range-single-motor", presets.CURVE_POLESTAR2_CATL_KW)):
        v, pt = build(preset, own_cell(preset))
        c = charging.load_charger("ccs-350kw-920v")
        r = charging.fast_charge(
            pt, charger_power_kW=c["power_kW"], charger_current_A=c["current_A"],
            charger_max_voltage_V=c["max_voltage_V"], vehicle_max_kW=v.max_dc_charge_kW,
            wltp_dc_kWh_per_100km=16.0)
        soc = r["fast_charge_curve_soc"]
        model_kW = np.interp(presets.CURVE_SOC, soc, r["fast_charge_curve_kW"][0])
        inside = (np.array(presets.CURVE_SOC) > 0.1) & (np.array(presets.CURVE_SOC) < 0.8)
        # the model runs a few % low: its warmer cell has a lower resistance, so a lower
        # terminal voltage at the mapped current
        ratio = model_kW[inside] / np.array(measured_kW)[inside]
        assert np.all((ratio > 0.9) & (ratio < 1.02)), (preset, ratio.round(3))
