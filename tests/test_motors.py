"""Drivetrain technology: machine types, the loss-minimising split between two axles,
front-axle disconnect, and the ``motors`` study key."""

import subprocess
import sys

import numpy as np
import pytest

from packstudy import motors
from packstudy.runner import run_study
from packstudy.spec import StudyError, parse_study

ROAD = {"f0_N": 130.0, "f1_N_per_mps": 1.5, "f2_N_per_mps2": 0.40}


def _city(machines=None, drive=None, inverter="si"):
    vehicle = {"name": "x", "test_mass_kg": 2100.0, "road_load": ROAD, "motor_peak_kW": 300.0}
    if machines is not None:
        vehicle["motors"] = machines
    if drive is not None:
        vehicle["drive"] = drive
    study = {"study": {"procedures": ["epa"]}, "vehicle": vehicle,
             "candidate": [{"name": "own", "inverter": inverter, "pack": {"usable_energy_kWh": 75.0}}]}
    m = run_study(study).metrics
    return float(m["epa_city_unadjusted_kWh_per_100km"][0]), float(
        m["epa_highway_unadjusted_kWh_per_100km"][0])


def _loss(c, force, speed_pow=30.0, speed=15.0):
    return sum(motors.split_losses_W(*c, 0.04, speed_pow, force, force * speed))


def _coefficients(iron, idle, excite, copper, fmax, lin=(0.0, 0.0), quad=(0.0, 0.0)):
    """split_losses_W's coefficient arguments for two machines given as pairs."""
    return (*iron, *idle, *excite, *copper, *lin, *quad, *fmax)


def test_split_is_the_cheapest_of_every_split_on_a_fine_grid():
    rng = np.random.default_rng(7)
    for _ in range(200):
        iron = rng.uniform(1.0, 30.0, 2)
        idle = iron * rng.integers(0, 2, 2)  # PMSM (drag) or induction/EESM/disconnected
        excite = rng.uniform(0.0, 800.0, 2)
        copper = rng.uniform(1e-5, 1e-4, 2)
        fmax = rng.uniform(2000.0, 6000.0, 2)
        lin = rng.uniform(0.0, 1.0, 2)  # each axle's inverter: W/N (threshold, switching) ...
        quad = rng.uniform(0.0, 3e-5, 2)  # ... and W/N^2 (slope resistance)
        force = rng.uniform(0.0, fmax.sum())
        c = _coefficients(iron, idle, excite, copper, fmax, lin, quad)
        f1 = np.linspace(max(0.0, force - fmax[1]), min(force, fmax[0]), 4001)
        f2 = force - f1
        on1, on2 = excite + iron * 30.0
        grid = (np.where(f1 > 0, on1, idle[0] * 30.0) + np.where(f2 > 0, on2, idle[1] * 30.0)
                + (copper[0] + quad[0]) * f1 ** 2 + (copper[1] + quad[1]) * f2 ** 2
                + lin[0] * f1 + lin[1] * f2)
        best = grid.min() + 0.04 * force * 15.0
        got = _loss(c, force)
        assert got <= best + 1e-6 * best  # never worse than any split
        assert got >= best - 1e-3 * best  # and no cheaper than the best one (grid resolution)


def test_one_machine_without_a_second_is_the_single_machine_model():
    iron, copper = 12.0, 3e-5
    c = _coefficients((iron, 0.0), (iron, 0.0), (0.0, 0.0), (copper, 0.0),
                      (motors.NO_LIMIT_N, 0.0))
    for force in (0.0, 500.0, 4000.0, 20000.0):
        expected = iron * 30.0 + copper * force ** 2 + 0.04 * force * 15.0
        assert _loss(c, force) == pytest.approx(expected, rel=1e-12)
        assert _loss(c, -force) == pytest.approx(expected, rel=1e-12)  # generating alike


def test_disconnect_removes_the_idle_pmsm_drag_at_light_load():
    rest = dict(excite=(0.0, 0.0), copper=(4e-5, 4e-5), fmax=(4000.0, 4000.0))
    dragging = _coefficients(iron=(10.0, 10.0), idle=(10.0, 10.0), **rest)
    free = _coefficients(iron=(10.0, 10.0), idle=(0.0, 10.0), **rest)  # front disconnected
    light = 300.0  # N
    # dragging, both machines spin energised anyway and share the force (half the copper
    # loss); disconnected, the rear carries it alone and the front's drag is gone
    saved = 10.0 * 30.0 - 4e-5 * light ** 2 / 2
    assert _loss(dragging, light) - _loss(free, light) == pytest.approx(saved, rel=1e-12)


def test_type_columns_follow_the_sourced_factors():
    pmsm, induction, eesm = (motors.type_columns(k) for k in motors.TYPES)
    assert pmsm[1] == 1.0 and induction[1] == 0.0 and eesm[1] == 0.0  # idle drag
    assert induction[2] == 1.0 + motors.factor("induction_rotor_copper_ratio")
    assert induction[3] == motors.factor("induction_magnetising_loss_fraction") > 0
    assert eesm[3] == motors.factor("eesm_excitation_loss_fraction") > 0
    assert motors.type_columns("pmsm", disconnect=True)[1] == 0.0
    with pytest.raises(ValueError, match="allowed: pmsm, induction, eesm"):
        motors.type_columns("srm")


def test_a_single_baseline_motor_gives_the_same_results_as_no_motors():
    assert _city([{"axle": "rear", "type": "pmsm", "peak_kW": 300.0}]) == _city(drive="RWD")


def test_technology_orders_city_consumption_as_the_loss_physics_says():
    pmsm_awd = [{"axle": "front", "type": "pmsm", "peak_kW": 100.0},
                {"axle": "rear", "type": "pmsm", "peak_kW": 200.0}]
    disconnected = [dict(pmsm_awd[0], disconnect=True), pmsm_awd[1]]
    induction_front = [dict(pmsm_awd[0], type="induction"), pmsm_awd[1]]
    eesm_rwd = [{"axle": "rear", "type": "eesm", "peak_kW": 300.0}]
    pmsm_rwd = [{"axle": "rear", "type": "pmsm", "peak_kW": 300.0}]
    city = {name: _city(m)[0] for name, m in (
        ("pmsm_awd", pmsm_awd), ("disconnected", disconnected),
        ("induction_front", induction_front), ("eesm", eesm_rwd), ("pmsm", pmsm_rwd))}
    # an idle front PMSM drags; disconnecting it or an induction front machine does not
    assert city["disconnected"] < city["pmsm_awd"]
    assert city["induction_front"] < city["pmsm_awd"]
    # an EESM pays for its excitation in the city
    assert city["eesm"] > city["pmsm"]
    # the split never does worse than the single machine carrying everything with its drag
    assert city["pmsm_awd"] == pytest.approx(_city(drive="AWD")[0], rel=1e-9)


def test_drive_follows_from_the_motors_and_a_conflicting_drive_is_an_error():
    base = {"name": "x", "test_mass_kg": 2000.0, "road_load": ROAD}
    cand = [{"name": "c", "pack": {"usable_energy_kWh": 70.0}}]
    two = [{"axle": "front", "type": "induction", "peak_kW": 91.0},
           {"axle": "rear", "type": "pmsm", "peak_kW": 200.0}]
    study = parse_study({"vehicle": base | {"motors": two}, "candidate": cand})
    assert study.vehicle.drive == "AWD" and study.vehicle.motor_peak_kW == 291.0
    assert study.vehicle.front_motor_peak_kW == 91.0
    with pytest.raises(StudyError, match="drive 'RWD' conflicts with motors.*'AWD'"):
        parse_study({"vehicle": base | {"motors": two, "drive": "RWD"}, "candidate": cand})
    with pytest.raises(StudyError, match="one entry per axle"):
        parse_study({"vehicle": base | {"motors": [two[1], two[1]]}, "candidate": cand})
    with pytest.raises(StudyError, match=r"vehicle.motors\[0\].type"):
        parse_study({"vehicle": base | {"motors": [dict(two[0], type="srm")]}, "candidate": cand})


def test_conflicting_drive_exits_2_naming_the_field(tmp_path):
    study = tmp_path / "s.toml"
    study.write_text(
        '[vehicle]\ntest_mass_kg = 2000\nroad_load = { f0_N = 130, f1_N_per_mps = 1.5, '
        'f2_N_per_mps2 = 0.4 }\ndrive = "FWD"\nmotors = [{ axle = "rear", type = "pmsm", '
        'peak_kW = 150 }]\n[[candidate]]\nname = "c"\npack = { usable_energy_kWh = 60 }\n')
    run = subprocess.run([sys.executable, "-m", "packstudy.cli", "run", str(study), "--out",
                          str(tmp_path / "o")], capture_output=True, text=True, timeout=600)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "drive 'FWD' conflicts with motors" in run.stderr
