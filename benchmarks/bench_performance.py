"""Speed benchmark: acceleration (0-120 km/h run, cold run, top speed, peak power) and DC fast
charge (10-80 %) for N variants of one car, single thread, one batched call each.

The car is the shipped IONIQ 5 AWD preset on the nmc811-pouch cell (its own 697 V pack);
variants scale mass, machine power, torque and pack parallel count, and the charge starts
at 5-35 degC, at random (seeded), so the battery, torque, grip and temperature limits occur.
Prints the warm wall time and the time per variant; the first call (JIT compile or cache
load) is reported separately.

    python benchmarks/bench_performance.py            # N = 10,000
    python benchmarks/bench_performance.py --n 1000
"""

import os

os.environ["NUMBA_NUM_THREADS"] = "1"

import argparse
import time
from dataclasses import replace

import numpy as np

from packstudy import cell as cellmod
from packstudy import charging, kernel, performance, powertrain, vehicle
from packstudy import study as studymod
from packstudy.spec import parse_study

PRESET = "hyundai-ioniq-5-long-range-awd"
BATTERY = {"usable_energy_kWh": 74.0, "nominal_voltage_V": 697.0}  # Hyundai 2021-22 figures


def variants(n: int, seed: int = 1):
    study = parse_study({"vehicle": {"preset": PRESET, "battery": BATTERY},
                         "candidate": [{"name": "own", "inverter": "sic"}]})
    cells = cellmod.cell_arrays([cellmod.load_cell("nmc811-pouch")], np.zeros(n, dtype=int))
    packs = studymod.design_packs(cells, [studymod.pack_request(study, 0)] * n)
    pt, _ = powertrain.assemble(study, cells, packs, ["sic"] * n)
    rng = np.random.default_rng(seed)
    veh, bat = pt.vehicle.copy(), pt.battery.copy()
    scale = rng.uniform(0.85, 1.15, n)
    veh[:, vehicle.V_MASS] *= scale
    veh[:, vehicle.V_INERTIAL_MASS] *= scale
    veh[:, vehicle.V_MOTOR_W] *= rng.uniform(0.6, 1.6, n)
    force = performance.tractive_force_limit_N(veh[:, vehicle.V_MOTOR_W] / 1e3,
                                               motor_peak_torque_Nm=605.0, top_speed_kmh=185.0)
    veh[:, vehicle.V_MAX_FORCE] = force * rng.uniform(0.8, 1.2, n)
    veh[:, vehicle.V_BASE_SPEED] = veh[:, vehicle.V_MOTOR_W] / veh[:, vehicle.V_MAX_FORCE]
    bat[:, kernel.B_PARALLEL] = rng.integers(1, 4, n)
    temp = rng.uniform(5.0, 35.0, n)
    return replace(pt, vehicle=veh, battery=bat), temp


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    n = parser.parse_args().n
    pt, temp = variants(n)
    small, small_temp = variants(2)
    charger = charging.load_charger("ccs-350kw-920v")

    def accel(p):
        return performance.acceleration(p, driven_axles="AWD", front_power_share=74 / 239)

    def charge(p, t):
        return charging.fast_charge(p, temperature_C=t, coolant_C=t, charger_power_kW=charger["power_kW"],
                                    charger_current_A=charger["current_A"],
                                    charger_max_voltage_V=charger["max_voltage_V"],
                                    wltp_dc_kWh_per_100km=16.0)

    _, first_a = timed(lambda: accel(small))
    _, first_c = timed(lambda: charge(small, small_temp))
    r_a, warm_a = timed(lambda: accel(pt))
    r_c, warm_c = timed(lambda: charge(pt, temp))
    print(f"first call (compile or cache load): acceleration {first_a:.2f} s, "
          f"fast charge {first_c:.2f} s")
    print(f"acceleration  N = {n:,}: {warm_a:.2f} s ({warm_a / n * 1e6:.0f} us per variant; "
          f"0-100 km/h {np.nanmin(r_a['accel_0_100_s']):.1f}-{np.nanmax(r_a['accel_0_100_s']):.1f} s)")
    t = r_c["fast_charge_10_80_min"]
    print(f"fast charge   N = {n:,}: {warm_c:.2f} s ({warm_c / n * 1e6:.0f} us per variant; "
          f"10-80 % {np.nanmin(t):.1f}-{np.nanmax(t):.1f} min)")


if __name__ == "__main__":
    main()
