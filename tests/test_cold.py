"""Cold-weather range (packstudy.cold): heating, cold road load and cold cells."""

import numpy as np
import pytest
from test_performance import _preset_powertrain

from packstudy import cold, procedures, vehicle


def test_heating_power_by_kind_and_ambient():
    ua = cold.default("cabin_heat_loss_W_per_K")
    w = cold.heating_power_W(["resistive", "heat_pump", "heat_pump"], [-7.0, -7.0, 30.0])
    assert w[0] == pytest.approx(ua * 29.0 / cold.default("resistive_heater_efficiency"))
    assert w[1] == pytest.approx(ua * 29.0 / 2.0)  # COP 2 at -7 degC
    assert w[2] == 0.0  # no heating above the setpoint
    very_cold = cold.heating_power_W(["resistive", "heat_pump"], -40.0)
    assert very_cold[1] <= very_cold[0] / cold.default("resistive_heater_efficiency") + 1e-9
    with pytest.raises(ValueError, match="unknown heating 'ptc'; valid: resistive, heat_pump"):
        cold.heating_power_W("ptc", -7.0)


def test_cold_road_load_is_higher():
    veh = vehicle.vehicle_parameters(test_mass_kg=[2000.0], f0_N=130.0, f1_N_per_mps=1.0,
                                     f2_N_per_mps2=0.4, motor_peak_kW=[200.0], top_speed_kmh=180.0)
    c = cold.cold_vehicle(veh, -7.0, 1000.0)
    assert c[0, vehicle.V_F2] / veh[0, vehicle.V_F2] == pytest.approx(293.15 / 266.15)
    assert c[0, vehicle.V_F0] / veh[0, vehicle.V_F0] == pytest.approx((1 - 0.04) / (1 - 0.256))
    assert c[0, vehicle.V_AUX] == veh[0, vehicle.V_AUX] + 1000.0
    same = cold.cold_vehicle(veh, 20.0, 0.0)
    np.testing.assert_allclose(same, veh)


def test_heat_pump_beats_resistive_and_colder_is_shorter():
    pt = _preset_powertrain("nmc811-pouch", ["sic", "sic"], series=190, parallel=2)
    warm = procedures.wltp(pt)["wltp_range_km"][0]
    r7 = cold.cold_range(pt, heating=["resistive", "heat_pump"])
    rng = r7["range_at_minus7C_km"]
    assert rng[1] > rng[0]
    # AAA (2019): -41 % combined range at 20 degF with the heater on (five BEVs, resistive
    # and heat-pump cars); resistive here must lose 25-55 %, the heat pump less
    drop = 1.0 - rng / warm
    assert 0.25 < drop[0] < 0.55 and 0.10 < drop[1] < drop[0]
    # at -20 degC a thin pack's cold cells cannot give the WLTC's extra-high-phase power: the
    # trace is missed (runs of 2 s or more below the band) and the range is not reported (an
    # 11p pack of 21700s: the 1p nmc811-pouch pack's capacity at its resistance per Ah before
    # the large-format scaling; that pack now gives the power, as the 2p pack did once the
    # lg-m50 refit on real pulses lowered the resistance)
    thin = _preset_powertrain("nca-21700", ["sic"], series=190, parallel=11)
    r20 = cold.cold_range(thin, ambient_C=-20.0, heating="heat_pump")
    assert r20["cold_trace_missed_pct"][0] > 0.0 and np.isnan(r20["range_at_minus20C_km"]).all()
    big = _preset_powertrain("nmc811-pouch", ["sic"], series=190, parallel=3)
    big_r7 = cold.cold_range(big, heating="heat_pump")["range_at_minus7C_km"]
    big_r20 = cold.cold_range(big, ambient_C=-20.0, heating="heat_pump")["range_at_minus20C_km"]
    assert big_r20[0] < big_r7[0]
    r10 = cold.cold_range(pt, ambient_C=10.0, heating="heat_pump")["range_at_10C_km"]
    assert np.all(r10 > rng[1]) and np.all(r10 < warm)


def test_labels_and_bad_ambient():
    assert cold.temperature_label(-7.0) == "minus7C"
    assert cold.temperature_label(-6.5) == "minus6p5C"
    assert cold.temperature_label(10.0) == "10C"
    pt = _preset_powertrain("nmc811-pouch", ["si"], series=110, parallel=4)
    with pytest.raises(ValueError, match="ambient_C must lie in -40..40"):
        cold.cold_range(pt, ambient_C=-60.0)
