"""DC fast charging (packstudy.charging): CC-CV under the charge map, limits, thermal."""

import dataclasses

import numpy as np
import pytest
from test_performance import _preset_powertrain

from packstudy import catalog, charging, kernel, pack

WLTP_DC = 16.0  # kWh/100 km, given so that no drive cycle runs


def _pt(n=1, series=190, parallel=2, cell="nmc811-pouch"):
    return _preset_powertrain(cell, ["sic"] * n, series=series, parallel=parallel)


def _charge(pt, **kw):
    args = dict(charger_power_kW=350.0, charger_current_A=500.0, charger_max_voltage_V=920.0,
                wltp_dc_kWh_per_100km=WLTP_DC)
    return charging.fast_charge(pt, **(args | kw))


def test_colder_pack_charges_slower_and_a_hot_one_is_held_at_the_charge_limit():
    pt = _pt(n=4)
    temps = np.array([0.0, 10.0, 25.0, 35.0])
    r = _charge(pt, temperature_C=temps, coolant_C=temps)
    t = r["fast_charge_10_80_min"]
    assert t[0] > t[1] > t[2]
    assert t[0] > 1.2 * t[2]  # self-heating recovers much of the cold penalty
    assert np.all(r["fast_charge_max_cell_temp_C"] > temps)  # charging heats the cells
    # on 35 degC coolant the cells reach their 45 degC charge limit: held there, the current
    # is what the coolant carries away (10 K above it), and the charge takes longer than at 25
    limit_C = catalog.factor("thermal", "cell_charge_limit_C")
    held = r["fast_charge_held_at_temp_limit_min"]
    assert np.all(held[:3] == 0.0) and held[3] > 1.0
    assert r["fast_charge_max_cell_temp_C"][3] == pytest.approx(limit_C, abs=1e-3)
    assert t[3] > t[2] + held[3] / 4
    unheld = _charge(pt, temperature_C=temps, coolant_C=temps, cell_charge_limit_C=1e3)
    np.testing.assert_array_equal(unheld["fast_charge_10_80_min"][:3], t[:3])
    assert unheld["fast_charge_max_cell_temp_C"][3] > limit_C + 3  # what the limit prevents


def test_cells_above_their_charge_limit_wait_and_with_coolant_at_it_never_charge():
    pt = _pt(n=3)
    limit_C = catalog.factor("thermal", "cell_charge_limit_C")
    r = _charge(pt, temperature_C=[limit_C + 10, limit_C + 10, 25.0],
                coolant_C=[20.0, limit_C, limit_C])
    t = r["fast_charge_10_80_min"]
    ready = _charge(pt, temperature_C=20.0, coolant_C=20.0)["fast_charge_10_80_min"][0]
    assert t[0] > ready  # waits for its cells to cool below the limit first
    assert r["fast_charge_held_at_temp_limit_min"][0] > 0.0
    assert np.isnan(t[1]) and r["fast_charge_energy_kWh"][1] == 0.0  # never cools below it
    # starting below it, the cells charge until they reach it, and then no heat can leave
    assert np.isnan(t[2]) and 0.1 < r["fast_charge_soc_reached"][2] < 0.8
    assert r["fast_charge_max_cell_temp_C"][2] <= limit_C + 1e-3


def test_cv_phase_never_exceeds_the_cell_voltage_limit():
    pt = _pt(n=2, cell="nca-21700", parallel=22)  # a 21700's resistance per Ah reaches CV by 99 %
    v_max = pt.battery[0, kernel.B_V_MAX]
    for dt in (1.0, 5.0, 20.0):
        r = _charge(pt, soc_end=0.99, dt_s=dt, temperature_C=[25.0, 10.0], coolant_C=25.0)
        assert np.all(r["fast_charge_max_cell_V"] <= v_max + 1e-9)
        assert np.all(r["fast_charge_max_cell_V"] > v_max - 1e-3)  # CV phase reached
        # in the CV phase the power tapers far below the charger's
        assert np.all(r["fast_charge_curve_kW"][:, -1] < 0.3 * r["fast_charge_peak_kW"])


def test_charger_voltage_limit_caps_the_pack_and_a_too_high_pack_cannot_charge():
    pt = _pt(n=2)
    series = pt.battery[0, kernel.B_SERIES]
    r = _charge(pt, charger_max_voltage_V=[series * 4.12, 500.0])
    assert r["fast_charge_max_cell_V"][0] <= 4.12 + 1e-9
    assert r["fast_charge_10_80_min"][0] > _charge(_pt())["fast_charge_10_80_min"][0]
    assert np.isnan(r["fast_charge_10_80_min"][1])  # 190S pack > 500 V: no charge
    assert r["fast_charge_energy_kWh"][1] == 0.0
    assert r["fast_charge_soc_reached"][1] == pytest.approx(0.1)
    assert r["fast_charge_soc_reached"][0] == pytest.approx(0.8)


def test_power_and_current_limits_hold_and_bound_the_time():
    pt = _pt(n=3, series=110, parallel=4)
    r = _charge(pt, charger_power_kW=[350.0, 350.0, 50.0], charger_current_A=[500.0, 250.0, 500.0],
                vehicle_max_kW=[150.0, np.nan, np.nan])
    peak = r["fast_charge_peak_kW"]
    assert peak[0] == pytest.approx(150.0, rel=1e-6)
    v_pack_max = 110 * pt.battery[0, kernel.B_V_MAX]
    assert peak[1] <= 250.0 * v_pack_max / 1e3
    assert peak[2] == pytest.approx(50.0, rel=1e-6)
    # the time is at least the energy over the peak power
    assert np.all(r["fast_charge_10_80_min"] >= r["fast_charge_energy_kWh"] / peak * 60.0)
    assert r["fast_charge_10_80_min"][2] > r["fast_charge_10_80_min"][0]


@pytest.mark.parametrize("window", [None, (0.0, 1.0), (0.1, 0.9)])
def test_energy_into_the_pack_is_stored_energy_plus_cell_losses(window):
    """Displayed 10-80 % is that share of the usable window (cell SOC soc_min..soc_max)."""
    pt = _pt(n=1)
    if window is not None:
        pt = dataclasses.replace(pt, soc_min=np.array([window[0]]), soc_max=np.array([window[1]]))
    r = _charge(pt)
    lo, hi = (pt.soc_min + x * (pt.soc_max - pt.soc_min) for x in (0.1, 0.8))
    cells = pt.battery[0, kernel.B_SERIES] * pt.battery[0, kernel.B_PARALLEL]
    stored_kWh = pack.ocv_energy_Wh_per_Ah(pt.ocv_V, lo, hi)[0] * pt.battery[
        0, kernel.B_CAPACITY_AH] * cells / 1e3
    total = stored_kWh + r["fast_charge_loss_kWh"][0]
    assert r["fast_charge_energy_kWh"][0] == pytest.approx(total, rel=2e-3)
    assert 0.0 < r["fast_charge_loss_kWh"][0] < 0.15 * r["fast_charge_energy_kWh"][0]
    assert r["fast_charge_soc_reached"][0] == pytest.approx(0.8)


def test_curve_and_km_in_10_min():
    pt = _pt(n=1)
    r = _charge(pt, charger_power_kW=100.0)
    assert r["fast_charge_curve_soc"][0] == pytest.approx(0.11)
    assert r["fast_charge_curve_soc"][-1] == pytest.approx(0.80)
    assert np.all(r["fast_charge_curve_kW"][0, :20] == pytest.approx(100.0, rel=1e-9))
    minutes = r["fast_charge_curve_min"][0]
    assert np.all(np.diff(minutes) > 0) and minutes[-1] == pytest.approx(
        r["fast_charge_10_80_min"][0])
    # constant 100 kW for the first 10 minutes: 16.7 kWh / 0.16 kWh/km
    assert r["fast_charge_km_in_10_min"][0] == pytest.approx(100.0 / 6.0 / 0.16, rel=1e-6)


def test_window_label_and_bad_input():
    pt = _pt(n=1)
    assert "fast_charge_20_90_min" in _charge(pt, soc_start=0.2, soc_end=0.9)
    with pytest.raises(ValueError, match="soc_start < soc_end"):
        _charge(pt, soc_start=0.8, soc_end=0.2)
    with pytest.raises(ValueError, match="charger_current_A must be > 0"):
        _charge(pt, charger_current_A=0.0)
    no_map = _pt(n=1)
    object.__setattr__(no_map, "charge_c_rate_max", None)
    with pytest.raises(ValueError, match="charge-rate map"):
        _charge(no_map)


def test_charger_presets_load_and_errors_name_the_choices():
    names = charging.list_chargers()
    assert {"ccs-50kw-500v", "ccs-150kw-500v", "ccs-150kw-920v", "ccs-350kw-920v",
            "tesla-v3-250kw", "ionna-400kw-1000v"} <= set(names)
    for name in names:
        c = charging.load_charger(name)
        assert set(charging.CHARGER_KEYS) <= set(c) <= set(charging.CHARGER_KEYS
                                                           + charging.OPTIONAL_CHARGER_KEYS)
        assert min(c.values()) > 0
        raw = catalog.load_preset("chargers", name)
        assert set(raw["sources"]) >= set(charging.CHARGER_KEYS), name
    assert charging.load_charger(charging.default("default_charger"))["current_A"] == 500.0
    with pytest.raises(charging.ChargerError, match="did you mean 'ccs-350kw-920v'"):
        charging.load_charger("ccs-350kw-92v")
    with pytest.raises(charging.ChargerError, match="current_A must be a number above 0 and at most 3000"):
        charging.load_charger({"power_kW": 100, "current_A": -1, "max_voltage_V": 500})
    with pytest.raises(charging.ChargerError, match="current_A must be a number above 0 and at most 3000"):
        charging.load_charger({"power_kW": 100, "current_A": 3001, "max_voltage_V": 500})  # MCS's limit
    with pytest.raises(charging.ChargerError, match="unknown key 'power_kw'; did you mean 'power_kW'"):
        charging.load_charger({"power_kW": 100, "current_A": 200, "max_voltage_V": 500, "power_kw": 1})


def test_the_vehicles_own_curve_current_and_voltage_limits_are_never_exceeded():
    """The charge follows the lowest of the cells', the charger's and the car's own limits
    (its published curve at the displayed SOC, its inlet current and highest voltage)."""
    pt = _pt(n=4, series=110, parallel=4)
    curve = {"soc": [0.1, 0.5, 0.8], "power_kW": [120.0, 80.0, 40.0]}
    car = charging.vehicle_limits([None, {"curve": curve}, {"current_A": 200.0},
                                   {"max_voltage_V": 110 * 4.10}], 4)
    r = _charge(pt, **car)
    free = r["fast_charge_10_80_min"][0]
    soc, kw = r["fast_charge_curve_soc"], r["fast_charge_curve_kW"]
    cap = np.interp(soc, curve["soc"], curve["power_kW"])
    inside = (soc > 0.1) & (soc <= 0.8)
    assert np.all(kw[1, inside] <= cap[inside] * 1.01)  # step means, the cap at the step's start
    assert kw[1, inside].max() > 0.9 * cap[inside].max()  # it binds
    assert r["fast_charge_peak_kW"][2] <= 200.0 * 110 * 4.2 / 1e3  # current x highest pack voltage
    assert r["fast_charge_max_cell_V"][3] <= 4.10 + 1e-9
    assert np.all(r["fast_charge_10_80_min"][1:] > free)  # each limit costs time
    same = _charge(pt, **charging.vehicle_limits(None, 4))["fast_charge_10_80_min"]
    assert np.all(same == free)  # no vehicle limits: the charger's and the cells' alone


def test_as_built_candidate_takes_the_cars_curve_unless_its_battery_is_replaced():
    from packstudy.spec import parse_study

    study = parse_study({
        "vehicle": {"preset": "polestar-2-long-range-single-motor"},
        "candidate": [{"name": "car", "as_built": True},
                      {"name": "new cells", "as_built": True, "cell": "nmc811-pouch"}]})
    car, new = study.candidate
    assert car.dc_limits.curve.power_kW[0] == 205.0
    assert new.dc_limits is None or new.dc_limits.curve is None


@pytest.mark.parametrize("cell", ["nmc811-pouch", "lfp-prismatic"])
def test_the_default_step_matches_a_fine_step(cell):
    """The default 15 s step against 0.5 s steps (the converged charge), warm and at
    -10 degC, through the constant-current and constant-voltage phases: time within 0.2 %,
    energy 0.05 %, peak power 1 %, peak cell temperature 0.05 K (over a 10,000-variant sweep
    the step's largest errors are 0.06 %, 0.005 %, 1.1 % and 0.08 %; a step that holds the
    current constant in the CV phase misses the time by up to 0.42 % at 10 s, 0.68 % at 15 s)."""
    pt = _pt(n=3, cell=cell)
    temps = np.array([25.0, 10.0, -10.0])
    kw = dict(soc_end=0.9, temperature_C=temps, coolant_C=temps)
    fine, default = _charge(pt, dt_s=0.5, **kw), _charge(pt, **kw)
    for key, rtol, atol in (("fast_charge_10_90_min", 2e-3, 0.0),
                            ("fast_charge_energy_kWh", 5e-4, 0.0),
                            ("fast_charge_peak_kW", 1e-2, 0.0),
                            ("fast_charge_max_cell_temp_C", 0.0, 0.05)):
        np.testing.assert_allclose(default[key], fine[key], rtol=rtol, atol=atol, err_msg=key)
