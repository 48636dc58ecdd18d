"""Acceleration, top speed and peak power (packstudy.performance), and SiC vs Si on cycles."""

import numpy as np
import pytest
from conftest import synthetic_powertrain

from packstudy import catalog, kernel, pack, performance, procedures, vehicle
from packstudy.cell import cell_arrays, load_cell
from packstudy.cycles import load_cycle
from packstudy.inverter import inverter_parameters
from packstudy.units import G_MPS2, KMH_MPS


def _strong_battery(pt, parallel=40):
    """Make the pack large enough that it never limits the wheels."""
    pt.battery[:, kernel.B_PARALLEL] = parallel
    pt.battery[:, kernel.B_I_DISCHARGE] = 1e4
    return pt


def _no_torque_limit(pt):
    pt.vehicle[:, vehicle.V_MAX_FORCE] = 1e6
    pt.vehicle[:, vehicle.V_BASE_SPEED] = pt.vehicle[:, vehicle.V_MOTOR_W] / 1e6
    return pt


def test_more_power_is_faster_until_grip_limits_then_it_stops_falling():
    powers = np.array([80.0, 120.0, 180.0, 270.0, 400.0, 1500.0, 3000.0, 6000.0])
    pt = _no_torque_limit(_strong_battery(synthetic_powertrain(n=powers.size)))
    pt.vehicle[:, vehicle.V_MOTOR_W] = powers * 1e3
    mu = 0.9
    r = performance.acceleration(pt, driven_axles="AWD", tyre_friction=mu, front_power_share=0.5)
    t = r["accel_0_100_s"]
    assert np.all(np.diff(t[:5]) < -0.3)  # power-limited: clearly faster with more power
    assert t[-1] == pytest.approx(t[-2], rel=0.01) == pytest.approx(t[-3], rel=0.02)
    # grip bound: all four wheels at mu, less road load, on the inertial mass
    m = pt.vehicle[0, vehicle.V_MASS]
    rot = performance.default("road_rotating_inertia_fraction")
    road = pt.vehicle[0, vehicle.V_F0] + pt.vehicle[0, vehicle.V_F2] * (50 * KMH_MPS) ** 2
    bound = 100 * KMH_MPS * m * (1 + rot) / (mu * m * G_MPS2 - road)
    assert t[-1] == pytest.approx(bound, rel=0.03)
    assert np.all(t >= bound * 0.99)


def test_rwd_and_fwd_grip_less_than_awd_and_load_transfer_favours_rwd():
    pt = _no_torque_limit(_strong_battery(synthetic_powertrain(n=3, motor_kW=2000.0)))
    r = performance.acceleration(pt, driven_axles=["FWD", "RWD", "AWD"])
    fwd, rwd, awd = r["accel_0_100_s"]
    assert awd < rwd < fwd


def test_torque_limit_slows_the_launch():
    pt = _strong_battery(synthetic_powertrain(n=2, motor_kW=150.0))
    pt.vehicle[0, vehicle.V_MAX_FORCE] = 9000.0  # base speed 60 km/h
    pt.vehicle[1, vehicle.V_MAX_FORCE] = 14000.0  # 39 km/h
    pt.vehicle[:, vehicle.V_BASE_SPEED] = pt.vehicle[:, vehicle.V_MOTOR_W] / pt.vehicle[
        :, vehicle.V_MAX_FORCE]
    r = performance.acceleration(pt, driven_axles="AWD")
    assert r["accel_0_100_s"][0] > r["accel_0_100_s"][1] + 0.5
    # above base speed both are power-limited: 80-120 km/h nearly the same
    assert r["accel_80_120_s"][0] == pytest.approx(r["accel_80_120_s"][1], rel=0.03)


def test_weak_or_cold_battery_is_slower_and_low_soc_power_is_lower():
    pt = synthetic_powertrain(n=2, motor_kW=250.0, parallel=3)
    pt.battery[1, kernel.B_PARALLEL] = 1  # a third of the cells
    r = performance.acceleration(pt, driven_axles="RWD")
    assert r["accel_0_100_s"][1] > r["accel_0_100_s"][0] * 1.3
    assert r["peak_power_kW_at_20pct_soc"][1] == pytest.approx(
        r["peak_power_kW_at_20pct_soc"][0] / 3, rel=1e-9)
    high = performance.peak_power_kW(pt, soc=0.9)
    assert np.all(r["peak_power_kW_at_20pct_soc"] < high)
    # a cold cell (real preset, Arrhenius resistance) gives a slower run
    real = _preset_powertrain("nmc811-pouch", ["si"], series=110, parallel=2)
    cold = performance.acceleration(real, driven_axles="AWD")
    assert cold["accel_0_100_s_at_minus10C"][0] > cold["accel_0_100_s"][0] * 1.2


def test_peak_power_obeys_current_and_voltage_limits():
    pt = synthetic_powertrain(n=1)
    p_kW = performance.peak_power_kW(pt, soc=0.5, temperature_C=25.0, duration_s=10.0)[0]
    b = pt.battery[0]
    ocv = 3.4 + 0.8 * 0.5
    r = 0.0015 + 0.0008 * (1 - np.exp(-10 / 20.0))
    i = min(b[kernel.B_I_DISCHARGE], (ocv - b[kernel.B_V_MIN]) / r, ocv / (2 * r))
    expected = i * (ocv - i * r) * b[kernel.B_SERIES] * b[kernel.B_PARALLEL] / 1e3
    assert p_kW == pytest.approx(expected, rel=1e-9)


def test_top_speed_is_the_limiter_or_the_power_balance():
    pt = _strong_battery(synthetic_powertrain(n=2, motor_kW=300.0))
    pt.vehicle[1, vehicle.V_MOTOR_W] = 40e3
    r = performance.acceleration(pt, driven_axles="RWD", top_speed_limit_kmh=180.0)
    assert r["top_speed_kmh"][0] == pytest.approx(180.0)
    v = r["top_speed_kmh"][1] * KMH_MPS
    p = pt.vehicle[1]
    road_W = (p[vehicle.V_F0] + p[vehicle.V_F1] * v + p[vehicle.V_F2] * v * v) * v
    assert road_W == pytest.approx(40e3 * p[vehicle.V_GEAR_EFF], rel=1e-3)
    assert r["top_speed_kmh"][1] < 180.0


def test_batched_rows_equal_single_runs_and_traces_reach_100():
    pt = synthetic_powertrain(n=3, motor_kW=200.0)
    pt.vehicle[1, vehicle.V_MOTOR_W] = 120e3
    both = performance.acceleration(pt, driven_axles=["RWD", "FWD", "AWD"], traces=True)
    one = synthetic_powertrain(n=1, motor_kW=200.0)
    alone = performance.acceleration(one, driven_axles="AWD")
    for key in ("accel_0_100_s", "accel_80_120_s", "top_speed_kmh"):
        assert both[key][2] == alone[key][0]
    speed, time = both["trace_speed_kmh"][2], both["trace_time_s"]
    assert np.interp(100.0, speed[: np.argmax(speed) + 1], time[: np.argmax(speed) + 1]) == (
        pytest.approx(both["accel_0_100_s"][2], abs=1e-9))


def test_tractive_force_from_torque_ratio_radius_or_defaults():
    f = performance.tractive_force_limit_N(
        [200.0, 200.0, 200.0], motor_peak_torque_Nm=[400.0, 400.0, np.nan],
        gear_ratio=[9.0, np.nan, np.nan], wheel_radius_m=[0.35, 0.35, np.nan],
        top_speed_kmh=180.0)
    assert f[0] == pytest.approx(400 * 9 / 0.35)
    omega = performance.default("motor_max_speed_rpm") * 2 * np.pi / 60
    assert f[1] == pytest.approx(400 * (omega * 0.35 / (180 / 3.6)) / 0.35)
    base = 180 / 3.6 * vehicle.default("motor_base_speed_fraction_of_top_speed")
    assert f[2] == pytest.approx(200e3 / base)


def test_bad_drive_names_the_valid_ones():
    with pytest.raises(ValueError, match="unknown driven_axles '4WD'; .*valid: FWD, RWD, AWD"):
        performance.acceleration(synthetic_powertrain(n=1), driven_axles="4WD")
    with pytest.raises(ValueError, match="dt_s"):
        performance.acceleration(synthetic_powertrain(n=1), driven_axles="AWD", dt_s=0.5)


def _preset_powertrain(cell, kinds, *, series, parallel):
    """Mid-size BEV on a real cell preset, one row per inverter kind."""
    n = len(kinds)
    cells = cell_arrays([load_cell(cell)], np.zeros(n, dtype=int))
    veh = vehicle.vehicle_parameters(
        test_mass_kg=np.full(n, 2100.0), f0_N=130.0, f1_N_per_mps=1.5, f2_N_per_mps2=0.42,
        motor_peak_kW=np.full(n, 250.0), top_speed_kmh=190.0)
    v_nom = np.full(n, series * float(cells.nominal_voltage_V[0]))
    bat = kernel.battery_parameters(cells, series, parallel, pack.default("cell_cooling_W_per_K_per_kg"))
    usable = series * parallel * cells.energy_Wh * 0.95 / 1e3
    return procedures.Powertrain(
        vehicle=veh, inverter=inverter_parameters(np.array(kinds), veh[:, vehicle.V_MOTOR_W],
                                                  v_nom),
        battery=bat, ocv_V=cells.ocv_V, r0_ohm=cells.r0_ohm, r1_ohm=cells.r1_ohm,
        tau1_s=cells.tau1_s, usable_energy_kWh=usable, soc_min=np.full(n, 0.03),
        soc_max=np.full(n, 0.98), recharge_efficiency=np.full(n, 0.89),
        charge_c_rate_max=cells.charge_c_rate_max)


@pytest.mark.parametrize("cycle", catalog.list_presets("cycles"))
@pytest.mark.parametrize("temperature_C", [23.0, -7.0])
def test_sic_never_loses_to_si_on_any_shipped_cycle(cycle, temperature_C):
    """Same car, same pack, same conditions: SiC uses no more DC energy than Si (400 V and
    800 V buses), and an 800 V SiC drive beats a 400 V Si drive."""
    low = _preset_powertrain("nmc811-pouch", ["si", "sic"], series=110, parallel=4)
    high = _preset_powertrain("nmc811-pouch", ["si", "sic"], series=220, parallel=2)
    c = load_cycle(cycle)
    a_low, _ = procedures.run_cycle(low, c, temperature_C=temperature_C)
    a_high, _ = procedures.run_cycle(high, c, temperature_C=temperature_C)
    for acc in (a_low, a_high):
        assert acc[1, kernel.A_INV_LOSS] < acc[0, kernel.A_INV_LOSS]
        assert acc[1, kernel.A_TERMINAL] < acc[0, kernel.A_TERMINAL]
    assert a_high[1, kernel.A_TERMINAL] < a_low[0, kernel.A_TERMINAL]


def test_sic_accelerates_no_slower_than_si_when_the_battery_limits():
    pt = _preset_powertrain("nmc811-pouch", ["si", "sic"], series=110, parallel=2)
    r = performance.acceleration(pt, driven_axles="AWD")
    assert r["accel_0_100_s"][1] <= r["accel_0_100_s"][0]
    assert r["accel_0_100_s_at_minus10C"][1] <= r["accel_0_100_s_at_minus10C"][0]


def test_dc_power_is_the_sum_of_the_loss_models_and_the_cap_meets_the_pack_limit():
    # the quadratic DC-bus power equals gearbox + machine + inverter + auxiliaries computed by
    # the drive-cycle kernel's own loss functions, and the capped wheel power uses the pack's
    # power to 1e-9 without exceeding it
    from packstudy.inverter import inverter_loss_W

    pt = _preset_powertrain("nmc811-pouch", ["si", "sic"], series=110, parallel=2)
    rng = np.random.default_rng(3)
    for i in range(pt.n):
        p, inv = pt.vehicle[i], pt.inverter[i]
        d = performance._drive_terms(p, inv)
        noload, copper = vehicle.motor_loss_coefficients(pt.vehicle[i:i + 1])
        for speed, wheel_W, volt in zip(rng.uniform(1, 60, 20), rng.uniform(0, 3e5, 20),
                                        rng.uniform(300, 500, 20), strict=True):
            shaft = wheel_W / p[vehicle.V_GEAR_EFF]
            force = shaft / speed
            expected = (shaft + p[vehicle.V_AUX]
                        + vehicle.motor_loss_W(noload[0], copper[0], p[vehicle.V_LOAD_LOSS],
                                               speed ** p[vehicle.V_NOLOAD_EXP], force, shaft)
                        + inverter_loss_W(inv, force / p[vehicle.V_MAX_FORCE],
                                          speed / p[vehicle.V_BASE_SPEED], volt))
            c0, c1, c2 = performance._dc_quadratic(d, speed, volt)
            assert c0 + c1 * wheel_W + c2 * wheel_W ** 2 == pytest.approx(expected, rel=1e-12)
            limit = 0.5 * expected
            x, dc = performance._wheel_power_cap(d, wheel_W, speed, volt, limit)
            assert 0.0 < x < wheel_W and dc <= limit
            assert c0 + c1 * x + c2 * x * x == pytest.approx(limit, rel=1e-9)
            assert performance._wheel_power_cap(d, wheel_W, speed, volt, 2 * expected) == (
                wheel_W, pytest.approx(expected, rel=1e-12))
