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


def test_motor_losses_grow_with_torque_and_speed():
    row = vehicle.vehicle_parameters(test_mass_kg=2000.0, f0_N=100.0, f1_N_per_mps=1.0,
                                     f2_N_per_mps2=0.4, motor_peak_kW=150.0, top_speed_kmh=180.0)[0]
    assert vehicle.motor_loss_W(row, 1e4, 0.0) == 0.0
    assert vehicle.motor_loss_W(row, 2e4, 10.0) > vehicle.motor_loss_W(row, 1e4, 10.0)
    assert vehicle.motor_loss_W(row, 0.0, 30.0) > vehicle.motor_loss_W(row, 0.0, 10.0) > 0.0
    # part-load efficiency in the published 90-97 % band of traction machines
    eff = 20e3 / (20e3 + vehicle.motor_loss_W(row, 20e3, 15.0))
    assert 0.90 < eff < 0.97
    # generating at the same |power| costs the same loss
    assert vehicle.motor_loss_W(row, -2e4, 15.0) == vehicle.motor_loss_W(row, 2e4, 15.0)


def test_regen_fades_out_at_low_speed():
    row = vehicle.vehicle_parameters(test_mass_kg=2000.0, f0_N=100.0, f1_N_per_mps=1.0,
                                     f2_N_per_mps2=0.4, motor_peak_kW=150.0, top_speed_kmh=180.0)[0]
    assert vehicle.regen_share(row, 0.5) == 0.0
    assert vehicle.regen_share(row, 20.0) == vehicle.default("regen_fraction")
    mid = 0.5 * (vehicle.default("regen_fade_start_speed_mps") + vehicle.default("regen_fade_end_speed_mps"))
    assert vehicle.regen_share(row, mid) == pytest.approx(0.5 * vehicle.default("regen_fraction"))
