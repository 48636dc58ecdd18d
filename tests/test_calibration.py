"""Calibration: recovers known parameters, is deterministic, fits no more than the data allow,
and reports targets outside the sourced bounds as not met (closest fit)."""

import importlib.util
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import synthetic_powertrain

from packstudy import calibration, catalog, procedures, vehicle
from packstudy.calibration import CalibrationError, apply, calibrate, calibrate_many

CITY = "epa_city_unadjusted_kWh_per_100km"
HWY = "epa_highway_unadjusted_kWh_per_100km"


def _epa(pt):
    m = procedures.epa(pt)
    return m[CITY], m[HWY]


@pytest.fixture(scope="module")
def pt():
    return synthetic_powertrain(n=1)


def test_recovers_known_parameters_from_synthetic_targets(pt):
    truth = {"loss_level": 0.4, "regen_fraction": 0.88}
    city, hwy = _epa(apply(pt, truth))
    result = calibrate(pt, {CITY: float(city[0]), HWY: float(hwy[0])})
    assert result.parameters["loss_level"] == pytest.approx(0.4, abs=0.01)
    assert result.parameters["regen_fraction"] == pytest.approx(0.88, abs=0.003)
    assert max(abs(v) for v in result.residual_pct.values()) < 0.05
    assert result.met and result.well_determined and result.rank == 2
    assert 1.0 < result.condition_number < calibration.CONDITION_LIMIT
    # the fitted Powertrain reproduces the targets
    c2, h2 = _epa(apply(pt, result))
    assert c2[0] == pytest.approx(city[0], rel=5e-4) and h2[0] == pytest.approx(hwy[0], rel=5e-4)


def test_loss_level_moves_every_loss_term_between_its_sourced_bounds(pt):
    low, high = apply(pt, {"loss_level": -1.0}), apply(pt, {"loss_level": 1.0})
    for key, col, more_loss_at_high in calibration.LOSS_TERMS:
        lo, _, hi = calibration.bounds(key)
        a = low.recharge_efficiency[0] if col is None else low.vehicle[0, col]
        b = high.recharge_efficiency[0] if col is None else high.vehicle[0, col]
        assert (a, b) == pytest.approx((lo, hi) if more_loss_at_high else (hi, lo))
    c_lo, h_lo = _epa(low)
    c_hi, h_hi = _epa(high)
    assert c_hi[0] / c_lo[0] > 1.2 and h_hi[0] / h_lo[0] > 1.15  # the lever's authority


def test_deterministic_and_batched_equals_single(pt):
    targets = {CITY: 12.0, HWY: 14.5}
    one = calibrate(pt, targets)
    assert calibrate(pt, targets) == one
    many = calibrate_many(calibration.take(pt, [0, 0, 0]), [targets, {CITY: 12.0}, targets])
    assert many[0] == one and many[2] == one
    assert list(many[1].parameters) == ["loss_level"]


def test_one_target_fits_one_parameter(pt):
    result = calibrate(pt, {CITY: 12.5}, ["regen_fraction", "loss_level"])
    assert list(result.parameters) == ["regen_fraction"]
    assert result.not_fitted == ["loss_level"]
    assert any("more parameters than targets" in m for m in result.messages)
    assert result.met and abs(result.residual_pct[CITY]) < 0.05


def test_rank_deficient_targets_fit_fewer_parameters(pt):
    # regeneration switched off (fade speeds above any cycle speed): regen_fraction has no
    # effect, so two targets cannot determine it and it is not fitted
    veh = pt.vehicle.copy()
    veh[:, vehicle.V_REGEN_V_END], veh[:, vehicle.V_REGEN_V_START] = 100.0, 101.0
    no_regen = replace(pt, vehicle=veh)
    city, hwy = _epa(apply(no_regen, {"loss_level": -0.3}))
    result = calibrate(no_regen, {CITY: float(city[0]), HWY: float(hwy[0])})
    assert list(result.parameters) == ["loss_level"]
    assert result.not_fitted == ["regen_fraction", "aux_W"]
    assert any("cannot separate it): regen_fraction" in m for m in result.messages)
    assert result.parameters["loss_level"] == pytest.approx(-0.3, abs=0.01)
    assert result.well_determined and result.met


def test_target_outside_the_bounds_is_reported_not_met_with_the_closest_fit(pt):
    city, _ = _epa(pt)
    result = calibrate(pt, {CITY: 1.6 * float(city[0])})
    assert not result.met
    assert result.at_bound == ["loss_level"] and result.parameters["loss_level"] == 1.0
    assert result.residual_pct[CITY] < -10.0  # the closest the bounds allow, not clipped silently
    assert "NOT MET" in result.summary()
    assert any("not met within the sourced bounds" in m for m in result.messages)
    # asked for, reserve levers are fitted one at a time in place of the one at its bound
    # (one target: one fitted parameter at once) and here reach their bounds too
    more = calibrate(pt, {CITY: 1.6 * float(city[0])}, ["loss_level", "regen_fraction", "aux_W"])
    assert more.at_bound == ["loss_level", "regen_fraction", "aux_W"]
    assert more.parameters == {"loss_level": 1.0, "regen_fraction": 0.8, "aux_W": 500.0}
    assert sum("held at its bound" in m for m in more.messages) == 2
    assert result.residual_pct[CITY] < more.residual_pct[CITY] < -10.0


def test_a_lever_at_its_bound_hands_over_to_the_next(pt):
    # a city/highway split beyond regen_fraction's bound: regen is held at 1.0 and aux_W fitted
    truth = {"loss_level": 0.2, "regen_fraction": 1.0, "aux_W": 230.0}
    city, hwy = _epa(apply(pt, truth))
    result = calibrate(pt, {CITY: float(city[0]), HWY: float(hwy[0])})
    assert result.met and result.well_determined and result.rank == 2
    assert result.parameters == pytest.approx(truth, abs=2e-3, rel=2e-3)
    assert result.at_bound == ["regen_fraction"]
    assert any("regen_fraction held at its bound (1) and aux_W fitted" in m for m in result.messages)


def test_unfitted_parameters_keep_the_vehicles_own_values(pt):
    own = calibration.with_parameters(pt, {"aux_W": np.array([900.0])})  # outside the bounds
    result = calibrate(own, {CITY: float(_epa(own)[0][0]) * 1.02})
    assert list(result.parameters) == ["loss_level"] and result.met
    assert apply(own, result).vehicle[0, vehicle.V_AUX] == 900.0


def test_apply_sets_every_row(pt):
    three = calibration.take(pt, [0, 0, 0])
    out = apply(three, {"regen_fraction": 0.9, "aux_W": 250.0})
    assert np.all(out.vehicle[:, vehicle.V_REGEN_FRAC] == 0.9)
    assert np.all(out.vehicle[:, vehicle.V_AUX] == 250.0)
    assert np.all(three.vehicle[:, vehicle.V_AUX] == pt.vehicle[0, vehicle.V_AUX])  # not mutated


@pytest.mark.parametrize("targets, parameters, words", [
    ({"epa_city_kWh": 12.0}, None, "allowed: epa_city_unadjusted"),
    ({"accel_0_100_s": 6.0}, None, "not supported yet"),
    ({CITY: -1.0}, None, "must be a number > 0"),
    ({}, None, "give at least one"),
    ({CITY: 12.0}, ["gear_ratio"], "allowed: loss_level"),
])
def test_bad_input_names_the_key_and_what_is_allowed(pt, targets, parameters, words):
    with pytest.raises(CalibrationError, match=words):
        calibrate(pt, targets, parameters)


def test_calibrate_table_reads_a_preset_record_and_refits(pt):
    table = {CITY: 12.0, HWY: 14.5, "fitted": {"loss_level": 9.0}, "met": True, "date": "x"}
    assert calibration.calibrate_table(pt, table) == calibrate(pt, {CITY: 12.0, HWY: 14.5})
    with pytest.raises(CalibrationError, match="vehicle.calibration.city: unknown key"):
        calibration.calibrate_table(pt, {"city": 12.0})


def test_every_vehicle_presets_calibration_record_is_current():
    """Each preset's stored [calibration] (written by scripts/calibrate_presets.py) is what a
    fresh fit of the preset on its own battery gives today: a change to the model or to a
    preset's inputs that moves a fit must come with the regenerated record."""
    spec = importlib.util.spec_from_file_location(
        "calibrate_presets", Path(__file__).parents[1] / "scripts" / "calibrate_presets.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    fits = script.fit_presets()
    assert len(fits) >= 9  # every shipped preset with published EPA values
    for name, fresh in fits:
        stored = catalog.load_preset("vehicles", name)["calibration"]
        assert stored["met"] == fresh.met, name
        assert stored["fitted"].keys() == fresh.parameters.keys(), name
        for key, value in fresh.parameters.items():
            assert stored["fitted"][key] == pytest.approx(value, abs=2e-4), (name, key)
        for key, value in fresh.residual_pct.items():
            assert stored["residual_pct"][key] == pytest.approx(value, abs=0.02), (name, key)
