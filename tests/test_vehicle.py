import numpy as np
import pytest

from packstudy import units, vehicle


def test_epa_coefficients_convert_exactly():
    """EPA A/B/C in lbf, lbf/mph, lbf/mph^2 -> N, N/(m/s), N/(m/s)^2 (DESIGN §4)."""
    a, b, c = 34.52, 0.2109, 0.01648  # Polestar 2 Dual Motor MY2022, EPA Test Car List
    f1 = b * units.LBF_N / units.MPH_MPS
    f2 = c * units.LBF_N / units.MPH_MPS**2
    assert a * units.LBF_N == pytest.approx(153.553, abs=2e-3)
    assert f1 == pytest.approx(2.0985, abs=1e-4)
    assert f2 == pytest.approx(0.36682, abs=1e-5)


def test_road_load_from_drag_matches_hand_calculation():
    f0, f1, f2 = vehicle.road_load_from_drag(0.3, 2.5, 0.01, 2000.0, air_density_kg_per_m3=1.2)
    assert f0 == pytest.approx(0.01 * 2000 * 9.80665)
    assert f1 == 0.0
    assert f2 == pytest.approx(0.5 * 1.2 * 0.3 * 2.5)
    assert vehicle.road_load_force_N(f0, f1, f2, np.array([0.0]))[0] == 0.0


def test_parameters_vectorised_and_defaults_sourced():
    n = 5
    params = vehicle.vehicle_parameters(
        test_mass_kg=np.linspace(1500, 2500, n), f0_N=100.0, f1_N_per_mps=1.0, f2_N_per_mps2=0.4,
        motor_peak_kW=150.0, top_speed_kmh=180.0)
    assert params.shape == (n, vehicle.N_VEHICLE_PARAMS)
    frac = vehicle.default("rotating_inertia_fraction")
    np.testing.assert_allclose(params[:, vehicle.V_INERTIAL_MASS], params[:, vehicle.V_MASS] * (1 + frac))
    base = 180 / 3.6 * vehicle.default("motor_base_speed_fraction_of_top_speed")
    np.testing.assert_allclose(params[:, vehicle.V_MAX_FORCE], 150e3 / base)


def _motor_loss(params, shaft_W, speed_mps):
    noload, copper = vehicle.motor_loss_coefficients(params)
    k = params[0, vehicle.V_NOLOAD_EXP]
    force = shaft_W / speed_mps if speed_mps > 0 else 0.0
    return vehicle.motor_loss_W(noload[0], copper[0], params[0, vehicle.V_LOAD_LOSS],
                                speed_mps**k, force, shaft_W if speed_mps > 0 else 0.0)


def test_motor_losses_grow_with_torque_and_speed():
    params = vehicle.vehicle_parameters(test_mass_kg=2000.0, f0_N=100.0, f1_N_per_mps=1.0,
                                        f2_N_per_mps2=0.4, motor_peak_kW=150.0, top_speed_kmh=180.0)
    assert _motor_loss(params, 1e4, 0.0) == 0.0
    assert _motor_loss(params, 2e4, 10.0) > _motor_loss(params, 1e4, 10.0)
    assert _motor_loss(params, 0.0, 30.0) > _motor_loss(params, 0.0, 10.0) > 0.0
    # no-load loss at top speed is the sourced fraction of rated power
    top = 180 / 3.6
    assert _motor_loss(params, 0.0, top) == pytest.approx(
        150e3 * vehicle.default("motor_noload_loss_fraction_at_top_speed"))
    # part-load efficiency in the published 90-97 % band of traction machines
    eff = 20e3 / (20e3 + _motor_loss(params, 20e3, 15.0))
    assert 0.90 < eff < 0.97
    # generating at the same |power| costs the same loss
    assert _motor_loss(params, -2e4, 15.0) == _motor_loss(params, 2e4, 15.0)


def test_regen_fades_out_at_low_speed():
    frac = vehicle.default("regen_fraction")
    start = vehicle.default("regen_fade_start_speed_mps")
    end = vehicle.default("regen_fade_end_speed_mps")
    assert vehicle.regen_share(frac, end, start, 0.5 * end) == 0.0
    assert vehicle.regen_share(frac, end, start, 20.0) == frac
    assert vehicle.regen_share(frac, end, start, 0.5 * (start + end)) == pytest.approx(0.5 * frac)
