"""Procedure arithmetic: EPA label adjustment and weights, AC vs DC, range definition."""

import dataclasses

import numpy as np
import pytest
from conftest import synthetic_powertrain

from packstudy import kernel, procedures
from packstudy.cycles import load_cycle


def test_epa_label_values_follow_the_two_cycle_rules():
    pt = synthetic_powertrain(n=2)
    m = procedures.epa(pt)
    adjust = procedures.factor("epa_label_adjustment")
    w = procedures.factor("epa_city_weight")
    assert adjust == 0.7 and w == 0.55
    np.testing.assert_allclose(m["epa_city_kWh_per_100km"], m["epa_city_unadjusted_kWh_per_100km"] / 0.7)
    np.testing.assert_allclose(m["epa_combined_kWh_per_100km"],
                               0.55 * m["epa_city_kWh_per_100km"] + 0.45 * m["epa_highway_kWh_per_100km"])
    city = procedures.cycle_metrics(pt, procedures.run_cycle(pt, load_cycle("udds"))[0])
    hwy = procedures.cycle_metrics(pt, procedures.run_cycle(pt, load_cycle("hwfet"))[0])
    np.testing.assert_allclose(m["epa_range_km"], 0.7 * (0.55 * city["range_km"] + 0.45 * hwy["range_km"]))


def test_a_certified_derived_label_factor_replaces_the_two_cycle_one():
    """Makers may certify a derived 5-cycle factor (the Polestar 2: 0.72): labels and label
    range use the vehicle's own, the unadjusted results do not change."""
    pt = synthetic_powertrain(n=2)
    base = procedures.epa(pt)
    own = procedures.epa(dataclasses.replace(pt, epa_label_adjustment=np.array([0.7, 0.72])))
    for key in ("epa_city_unadjusted_kWh_per_100km", "epa_highway_unadjusted_kWh_per_100km"):
        np.testing.assert_array_equal(own[key], base[key])
    np.testing.assert_allclose(own["epa_city_kWh_per_100km"],
                               own["epa_city_unadjusted_kWh_per_100km"] / [0.7, 0.72])
    np.testing.assert_allclose(own["epa_range_km"], base["epa_range_km"] * np.array([0.7, 0.72]) / 0.7)


def test_ac_consumption_is_terminal_energy_over_recharge_efficiency():
    pt = synthetic_powertrain(n=1)
    cycle = load_cycle("wltc_class3b")
    acc, _ = procedures.run_cycle(pt, cycle)
    m = procedures.cycle_metrics(pt, acc)
    dc = acc[0, kernel.A_TERMINAL] / cycle.distance_m * 1e5 / 3.6e6
    assert m["dc_kWh_per_100km"][0] == pytest.approx(dc)
    assert m["ac_kWh_per_100km"][0] == pytest.approx(dc / 0.89)
    # range: usable OCV energy over the chemical energy per km on the cycle
    chemical_per_km = acc[0, kernel.A_CHEMICAL] / 3.6e6 / (cycle.distance_m / 1e3)
    assert m["range_km"][0] == pytest.approx(pt.usable_energy_kWh[0] / chemical_per_km)


def test_heavier_car_uses_more_and_goes_less_far():
    light = procedures.wltp(synthetic_powertrain(n=1, mass_kg=1700.0))
    heavy = procedures.wltp(synthetic_powertrain(n=1, mass_kg=2400.0))
    assert heavy["wltp_kWh_per_100km"][0] > light["wltp_kWh_per_100km"][0]
    assert heavy["wltp_range_km"][0] < light["wltp_range_km"][0]


def test_wltp_keeps_its_traces_from_the_same_run():
    """The traces the report draws are the WLTP run's: asking for them changes no result, and
    they integrate to the cycle's distance (23.266 km, UN GTR 15) and the DC consumption."""
    pt = synthetic_powertrain(n=3, mass_kg=np.array([1700.0, 2000.0, 2400.0]))
    curves = {}
    traced = procedures.wltp(pt, curves)
    for key, values in procedures.wltp(pt).items():
        np.testing.assert_array_equal(traced[key], values)
    w = curves["wltp_trace"]
    assert list(w["rows"]) == [0, 1, 2] and w["speed_kmh"].shape == (3, w["time_s"].size)
    distance_m = (w["speed_kmh"] / 3.6).sum(axis=1)  # 1 s steps
    assert distance_m == pytest.approx(23_266, abs=5)
    dc = (w["battery_kW"] * 1e3).sum(axis=1) / distance_m * 1e5 / 3.6e6
    assert dc == pytest.approx(traced["wltp_dc_kWh_per_100km"], rel=1e-9)
    assert procedures.epa(pt, curves) and set(curves) == {"wltp_trace"}  # EPA keeps none


def test_range_equals_driving_the_cycle_until_the_usable_window_is_spent():
    """The range metric (usable OCV energy / chemical energy per km at mid-window SOC)
    against driving repeated WLTCs from the top to the bottom of the window: within 0.5 %."""
    from pathlib import Path

    from packstudy.spec import parse_study
    from packstudy.study import prepare

    study = parse_study({"vehicle": {"preset": "polestar-3-long-range-dual-motor"},
                         "candidate": [{"name": "a", "cell": "nmc811-pouch",
                                        "pack": {"usable_energy_kWh": 107.0}}]})
    pt = prepare(study, Path(".")).powertrain
    cycle = load_cycle("wltc_class3b")
    estimate = procedures.cycle_metrics(pt, procedures.run_cycle(pt, cycle)[0])["range_km"][0]
    soc, km = pt.soc_max[0], 0.0
    for _ in range(100):
        acc, _ = procedures.run_cycle(pt, cycle, soc_start=soc)
        end = acc[0, kernel.A_SOC_END]
        if end < pt.soc_min[0]:
            km += (soc - pt.soc_min[0]) / (soc - end) * acc[0, kernel.A_DIST] / 1e3
            break
        km += acc[0, kernel.A_DIST] / 1e3
        soc = end
    assert estimate == pytest.approx(km, rel=5e-3)


def test_a_cycle_not_followed_gives_no_consumption_or_range():
    """Undeliverable energy is never free: a 1 kW motor gets NaN (null) consumption and range
    and the share of the trace it missed, never a negative consumption."""
    from conftest import synthetic_powertrain

    out = procedures.wltp(synthetic_powertrain(n=2, motor_kW=1.0))
    assert np.isnan(out["wltp_kWh_per_100km"]).all() and np.isnan(out["wltp_range_km"]).all()
    assert (out["wltp_trace_missed_pct"] > 30.0).all()
    ok = procedures.wltp(synthetic_powertrain(n=1))
    assert ok["wltp_trace_missed_pct"][0] == 0.0 and ok["wltp_kWh_per_100km"][0] > 10.0


def test_a_downhill_cycle_gives_no_consumption_or_range():
    from conftest import synthetic_powertrain

    from packstudy.cycles import _cycle

    t = np.arange(0.0, 601.0)
    downhill = _cycle("downhill", t, np.full(t.size, 15.0), np.full(t.size, -0.08), "test")
    out = procedures.custom(synthetic_powertrain(n=1), downhill, "down")
    assert out["down_trace_missed_pct"][0] == 0.0
    assert np.isnan(out["down_kWh_per_100km"][0]) and np.isnan(out["down_range_km"][0])
