"""Thermal system, repeated launches and track laps: conservation, monotonic physics, derating
only at the temperature limits, and the Porsche Taycan 26-launch result."""

from pathlib import Path

import numpy as np
import pytest

from packstudy import catalog, endurance, launch, thermal
from packstudy import study as st
from packstudy import track as trackmod
from packstudy.spec import parse_study
from packstudy.thermal import (
    S_AMBIENT,
    S_CHILLER,
    S_GENERATED,
    S_HEATER,
    TH_CHILLER_W,
    TH_DIS_LIMIT,
    TH_INV_LIMIT,
    TH_MACHINE_LIMIT,
)
from packstudy.units import G_MPS2
from packstudy.vehicle import V_REGEN_FRAC


def _design(raw):
    """(powertrain, thermal parameters, car arrays) of a study given as a dict."""
    study = parse_study(raw)
    ready = st.prepare(study, Path("."))
    pt = ready.powertrain
    th = endurance.thermal_system(study, pt, ready.packs.energy_kWh, ready.packs.integration)
    return pt, th, launch.vehicle_arrays(pt, study.vehicle, ready.test_mass_kg)


def _suv(integration="module", chiller_kW=None, cell="nmc811-pouch"):
    cooling = {} if chiller_kW is None else {"cooling": {"chiller_kW": chiller_kW}}
    return {"study": {"procedures": ["acceleration"]},
            "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
            "candidate": [{"name": "a", "cell": cell, "inverter": "sic",
                           "pack": {"usable_energy_kWh": 107, "nominal_voltage_V": 800,
                                    "integration": integration}, **cooling}]}


@pytest.fixture(scope="module")
def suv():
    return _design(_suv())


@pytest.fixture(scope="module")
def hot_suv():
    """The same SUV on 21700 cells, cell to pack: its pack heats enough on the track to need a
    chiller (the large-format pouch pack, at its measured-cell resistance, does not)."""
    return _design(_suv("cell_to_pack", cell="nca-21700"))


@pytest.fixture(scope="module")
def lap():
    return trackmod.load_track(step_m=10.0)


def _rows(pt, th, car, k):
    rows = np.zeros(k, dtype=int)
    return trackmod._take(pt, rows), th[rows].copy(), {key: v[rows] for key, v in car.items()}


def _balance(th, s):
    """Relative residual of the loop's energy balance: generated = stored + ambient + chiller
    - heater (the start state is the preconditioned one)."""
    s0 = thermal.initial_state(th, 0.0)
    stored = thermal.stored_heat_J(th, s, s0)
    residual = s[:, S_GENERATED] - stored - s[:, S_AMBIENT] - s[:, S_CHILLER] + s[:, S_HEATER]
    return np.abs(residual) / s[:, S_GENERATED]


def test_loop_energy_balance_closes(suv, lap):
    pt, th, car = _rows(*suv, 3)
    th[:, TH_CHILLER_W] = [0.0, 4e3, 20e3]
    out = launch.launch_repeat(pt, th, car, runs=5, ambient_C=[5.0, 25.0, 40.0])
    assert np.all(out["launch_repeat_state"][:, S_GENERATED] > 1e5)  # real heat, not a no-op
    assert np.all(_balance(th, out["launch_repeat_state"]) < 1e-3)
    laps = trackmod.track_laps(pt, th, car, lap, laps=3, ambient_C=[5.0, 25.0, 40.0],
                               chiller_search=False)
    assert np.all(_balance(th, laps["track_state"]) < 1e-3)
    # the heater worked in the cold case (loop below the setpoint at some point) or not at all
    assert laps["track_state"][:, S_HEATER].min() >= 0.0


def _chiller_rows(suv, regen=True):
    chillers = np.array([0.0, 2.0, 4.0, 8.0, 16.0, 32.0])
    pt, th, car = _rows(*suv, chillers.size)
    th[:, TH_CHILLER_W] = chillers * 1e3
    if not regen:
        pt.vehicle[:, V_REGEN_FRAC] = 0.0
    return pt, th, car


def test_bigger_chiller_never_hotter_and_without_regeneration_never_slower(hot_suv, lap):
    suv = hot_suv
    out = trackmod.track_laps(*_chiller_rows(suv), lap, laps=6, chiller_search=False)
    peak = out["track_peak_cell_temperature_C"]
    assert peak[0] - peak[-1] > 2.0  # the chiller matters on this design
    assert np.all(np.diff(peak) <= 1e-9)
    # the chiller's own effects on the lap (compressor draw on the pack, cooler cells) without
    # the regeneration-heats-the-machine trade-off of the next test: a bigger chiller's
    # compressor draws more from the pack (lower SOC, less voltage): allow that, 0.05 % of a lap
    out = trackmod.track_laps(*_chiller_rows(suv, regen=False), lap, laps=6, chiller_search=False)
    last, peak = out["track_last_lap_s"], out["track_peak_cell_temperature_C"]
    assert peak[0] - peak[-1] > 2.0 and np.all(np.diff(peak) <= 1e-9)
    assert np.all(np.diff(last) <= 5e-4 * last[:-1])


def test_bigger_chiller_never_slower_with_regeneration(suv, lap):
    """With regeneration, on the large-format pouch SUV. A strict xfail while its cells had the
    LG M50's resistance per Ah: they reached the charge-derating band (35-45 degC), a bigger
    chiller kept them lower in it, the pack accepted more regeneration and its losses heated
    the traction machines that limited the laps (+0.21 % from no chiller to 32 kW;
    docs/endurance.md). At the measured-cell resistance the cells stay below the band."""
    out = trackmod.track_laps(*_chiller_rows(suv), lap, laps=6, chiller_search=False)
    last = out["track_last_lap_s"]
    assert np.all(np.diff(last) <= 5e-4 * last[:-1])


def test_bigger_chiller_never_slower_where_the_pack_limits(lap):
    """With regeneration: where the pack, not the drive, limits the laps (the Taycan-class
    design below derates its pack from the third lap; its machines stay far below their
    band), a bigger chiller makes the last lap faster and the pack cooler, never the
    reverse."""
    chillers = np.array([0.0, 2.0, 4.0, 8.0, 16.0, 32.0])
    pt, th, car = _rows(*_taycan(500.0), chillers.size)
    th[:, TH_CHILLER_W] = chillers * 1e3
    out = trackmod.track_laps(pt, th, car, lap, laps=6, chiller_search=False)
    last, peak = out["track_last_lap_s"], out["track_peak_cell_temperature_C"]
    cell_start, _, machine_start, _ = thermal.derating_temperatures(th[0])
    assert np.all(peak > cell_start)  # the pack derates with every chiller ...
    assert np.all(out["track_peak_machine_temperature_C"] < machine_start)  # ... the drive never
    assert last[0] - last[-1] > 5.0  # the chiller matters on this design
    assert np.all(np.diff(last) <= 0.0) and np.all(np.diff(peak) <= 0.0)


def test_hotter_ambient_never_faster(suv, lap):
    ambients = np.array([-10.0, 0.0, 15.0, 25.0, 35.0, 45.0])
    pt, th, car = _rows(*suv, ambients.size)
    out = trackmod.track_laps(pt, th, car, lap, laps=6, ambient_C=ambients, chiller_search=False)
    assert np.all(np.diff(out["track_last_lap_s"]) >= -5e-4 * out["track_last_lap_s"][:-1])
    reps = launch.launch_repeat(pt, th, car, runs=10, ambient_C=ambients)
    last = reps["launch_repeat_last_time_s"]
    assert np.all(np.diff(last) >= -5e-4 * last[:-1])


def test_no_run_or_lap_faster_than_the_first(suv, lap):
    pt, th, car = _rows(*suv, 3)
    th[:, TH_CHILLER_W] = [0.0, 7e3, 30e3]
    reps = launch.launch_repeat(pt, th, car, runs=20, ambient_C=[10.0, 25.0, 40.0])
    times = reps["launch_repeat_times_s"]
    assert np.all(np.isfinite(times))
    assert np.all(times >= times[:, :1] - 1e-9)
    laps = trackmod.track_laps(pt, th, car, lap, laps=8, ambient_C=[10.0, 25.0, 40.0],
                               chiller_search=False)
    assert np.all(laps["track_lap_times_s"] >= laps["track_lap_times_s"][:, :1] - 1e-9)


def test_derating_when_and_only_when_a_limit_is_reached(suv, lap):
    """Laps are slower than with the derating switched off exactly when a temperature passed
    the start of a derating band."""
    chillers = np.array([0.0, 5.0, 40.0, 40.0])
    pt, th, car = _rows(*suv, chillers.size)
    th[:, TH_CHILLER_W] = chillers * 1e3
    car["mu"] = car["mu"] * np.array([1.0, 1.0, 1.0, 0.3])  # a wet track: less power used
    out = trackmod.track_laps(pt, th, car, lap, laps=6, chiller_search=False)
    free = th.copy()
    free[:, [TH_DIS_LIMIT, TH_MACHINE_LIMIT, TH_INV_LIMIT]] = 1e4
    unlimited = trackmod.track_laps(pt, free, car, lap, laps=6, chiller_search=False)
    cell_start, _, machine_start, inv_start = thermal.derating_temperatures(th[0])
    reached = ((out["track_peak_cell_temperature_C"] > cell_start)
               | (out["track_peak_machine_temperature_C"] > machine_start)
               | (out["track_peak_inverter_temperature_C"] > inv_start))
    slower = out["track_last_lap_s"] > unlimited["track_last_lap_s"] + 1e-9
    assert reached.any() and not reached.all()  # both cases are exercised
    np.testing.assert_array_equal(slower, reached)
    np.testing.assert_array_equal(out["track_derated_laps"] > 0, reached)


def test_chiller_required_holds_the_pack(lap):
    pt, th, car = _design(_suv("cell_to_pack", cell="nca-21700"))
    need = trackmod.chiller_required_kW(pt, th, car, lap, 10, np.array([25.0]), np.array([0.9]))
    assert np.isfinite(need[0]) and need[0] > 0.0
    pt2, th2, car2 = _rows(pt, th, car, 2)
    tol = thermal.default("chiller_search_tolerance_kW")
    th2[:, TH_CHILLER_W] = [need[0] * 1e3, (need[0] - 2 * tol) * 1e3]
    out = trackmod.track_laps(pt2, th2, car2, lap, laps=10, chiller_search=False)
    cell_start = thermal.derating_temperatures(th2[0])[0]
    assert out["track_peak_cell_temperature_C"][0] <= cell_start
    assert out["track_peak_cell_temperature_C"][1] > cell_start


def test_track_file_errors(tmp_path):
    bad = tmp_path / "t.csv"
    bad.write_text("distance_m,curv\n0,0\n5,0\n10,0\n")
    with pytest.raises(trackmod.TrackFileError, match="header"):
        trackmod.load_track(file=bad)
    bad.write_text("distance_m,curvature_1_per_m\n0,0\n5,0.5\n10,0\n")
    with pytest.raises(trackmod.TrackFileError, match="curvature"):
        trackmod.load_track(file=bad)
    good = tmp_path / "oval.csv"
    # an oval: two 200 m straights and two half circles of 100 m radius
    d = np.arange(0.0, 2 * 200 + 2 * np.pi * 100, 5.0)
    k = np.where((d % (200 + np.pi * 100)) < 200, 0.0, 0.01)
    rows = "".join(f"{a},{b}\n" for a, b in zip(d, k, strict=True))
    good.write_text("distance_m,curvature_1_per_m\n" + rows)
    oval = trackmod.load_track(file=good)
    assert abs(np.sum(oval.curvature) * oval.step_m - 2 * np.pi) < 0.05


def test_shipped_track_is_a_closed_circuit_with_a_mix_of_corners():
    """The synthetic circuit turns once round and closes in position (heading integrated from
    the sampled curvature, 1 m steps); a few km; hairpins, medium and fast corners."""
    t = trackmod.load_track(step_m=1.0)
    assert abs(np.sum(t.curvature) * t.step_m - 2 * np.pi) < 1e-9
    heading = np.cumsum(t.curvature * t.step_m) - 0.5 * t.curvature * t.step_m
    gap = np.hypot(np.sum(np.cos(heading)), np.sum(np.sin(heading))) * t.step_m
    assert gap < 1.0, f"the lap ends {gap:.2f} m from its start"
    assert 3000.0 < t.length_m < 6000.0
    radius = 1.0 / np.abs(t.curvature[np.abs(t.curvature) > 1e-9])
    for low, high in ((0.0, 25.0), (25.0, 100.0), (100.0, 400.0)):  # hairpin, medium, fast
        assert np.any((radius > low) & (radius <= high) & np.isclose(radius, np.round(radius)))
    assert "not a real circuit" in t.source


def test_circle_lap_at_the_grip_limit(suv, tmp_path):
    """One 360-degree corner with no transition: the lap is driven at the grip-limited speed
    sqrt(mu g R) all round, lap time 2 pi R / that speed; never faster, and slower only by
    the drag the tyres cannot balance when the friction circle is all lateral (< 0.1 %)."""
    circle = tmp_path / "circle.toml"
    circle.write_text('transition_m = 0\n[[segment]]\nradius_m = 50\nangle_deg = 360\n'
                      'direction = "right"\n')
    track = trackmod.load_track(file=circle, step_m=1.0)
    pt, th, car = _rows(*suv, 1)
    out = trackmod.track_laps(pt, th, car, track, laps=2, chiller_search=False)
    expect = 2 * np.pi * 50.0 / np.sqrt(car["mu"][0] * G_MPS2 * 50.0)
    times = out["track_lap_times_s"][0]
    assert np.all(times >= expect * (1 - 1e-9)) and np.all(times <= expect * 1.001), times


@pytest.mark.parametrize("text, match", [
    ("[[segment]]\nlength_m = 100\n", "turn 0 deg"),
    ("[[segment]]\nlength_m = true\n", "length_m"),
    ("[[segment]]\nradius_m = 2\nangle_deg = 360\ndirection = 'left'\n", "radius_m"),
    ("[[segment]]\nradius_m = 50\nangle_deg = 360\ndirection = 'up'\n", "direction"),
    ("[[segment]]\nradius_m = 50\nangle_deg = 360\n", "segment\\[0\\]: give length_m"),
    ("transition_m = -1\n[[segment]]\nlength_m = 100\n", "transition_m"),
    ("segment = 3\n", "needs \\[\\[segment\\]\\]"),
    ("segment = [1]\n", "segment\\[0\\]: give length_m"),
    ("[[segment\n", "not valid TOML"),
])
def test_segment_track_errors(tmp_path, text, match):
    bad = tmp_path / "lap.toml"
    bad.write_text(text)
    with pytest.raises(trackmod.TrackFileError, match=match):
        trackmod.load_track(file=bad)


# Porsche AG, 'Taycan Sprint Challenge' (press release, Lahr airfield, 2019; reported e.g. by
# dailytv.net/video/x7fvm2v): a pre-series Taycan of over 440 kW (600 PS), all-wheel drive,
# accelerated 26 times in a row from 0 to 200 km/h; the difference between the fastest and
# the slowest run was 0.8 s.
TAYCAN_RUNS = 26
TAYCAN_SPREAD_S = 0.8


def _taycan(power_kW):
    """A Taycan-class 800 V design with ``power_kW`` of machines."""
    cell = catalog.load_preset("cells", "nmc-pouch-lges")  # LG Energy Solution NCM pouch
    # Taycan Turbo S: 560 kW overboost from a 198s2p pack of 396 LG pouch cells (33 modules of
    # 12, 723 V nominal, 93.4 kWh: Porsche Taycan press kit 2019): 560 kW / (198 x 3.5 V under
    # load) / 2 = 404 A per cell [D]
    cell["i_peak_discharge_A"] = 560e3 / (198 * 3.5) / 2
    raw = {"study": {"procedures": ["acceleration"]},
           "vehicle": {
               "name": "Porsche Taycan", "drive": "AWD",
               # Taycan Turbo: 2,305 kg DIN kerb weight (Porsche press kit 2019), used as given
               "test_mass_kg": 2305.0 + 136.08, "curb_mass_kg": 2305.0,
               # Cd 0.25 and 2.33 m2 (Porsche press kit 2019, Taycan Turbo S)
               "drag_coefficient": 0.25, "frontal_area_m2": 2.33,
               # Taycan Turbo 850 Nm, 260 km/h, front machine 175 kW of the system (Porsche
               # press kit 2019)
               "motor_peak_kW": power_kW, "motor_peak_torque_Nm": 850.0, "top_speed_kmh": 260.0,
               "front_motor_peak_kW": 175.0},
           "candidate": [{"name": "taycan", "cell": cell, "inverter": "si",
                          "pack": {"series": 198, "parallel": 2, "integration": "module"}}]}
    return _design(raw)


def test_taycan_26_launches_within_the_published_spread():
    pt, th, car = _taycan(440.0)  # the test car: over 440 kW (600 PS)
    out = launch.launch_repeat(pt, th, car, runs=TAYCAN_RUNS, to_kmh=200.0)
    times = out["launch_repeat_times_s"][0]
    assert np.all(np.isfinite(times))
    spread = times.max() - times.min()
    assert 0.0 <= spread <= TAYCAN_SPREAD_S, f"spread {spread:.2f} s over {TAYCAN_RUNS} launches"
    # and a Taycan-class 0-200 km/h: Porsche gives 9.8 s (Turbo S, 560 kW) and 10.6 s
    # (Turbo, 500 kW); a 440 kW car is slower, within 25 % of the Turbo
    assert 10.6 * 0.9 < times[0] < 10.6 * 1.25


def test_a_pack_limited_taycan_fades_with_its_charge_yet_stays_within_the_published_spread():
    """At the Turbo S's 560 kW overboost the pack, not the machines, limits the launch: each
    run starts at a lower SOC and voltage, so the runs slow down (warmer cells win back a few
    ms on some runs); the last is the slowest, and the 26 runs stay within Porsche's 0.8 s
    without a temperature derating. At 440 kW the machines limit and the runs do not fade."""
    pt, th, car = _taycan(560.0)
    out = launch.launch_repeat(pt, th, car, runs=TAYCAN_RUNS, to_kmh=200.0)
    times = out["launch_repeat_times_s"][0]
    assert np.all(times >= times[0] - 1e-9) and times.argmax() == times.size - 1
    assert 0.2 < times[-1] - times[0] <= TAYCAN_SPREAD_S
    assert out["launch_repeat_derated_runs"][0] == 0


def test_taycan_turbo_0_200():
    """Taycan Turbo (500 kW with Launch Control): 0-200 km/h in 10.6 s (Porsche press kit
    2019); the model within 10 %."""
    pt, th, car = _taycan(500.0)
    sprint = launch.launch_repeat(pt, th, car, runs=1, to_kmh=200.0)["launch_repeat_first_time_s"][0]
    assert abs(sprint / 10.6 - 1.0) < 0.10, f"0-200 km/h {sprint:.2f} s vs 10.6 s"


def test_study_runs_the_endurance_procedures_and_reports_the_laps(tmp_path):
    """Through the study: the tables start the procedures, cooling.chiller_kW reaches the
    thermal system, and the report draws speed and cell temperature over distance."""
    import json

    from packstudy.report import render_report
    from packstudy.runner import run_study

    raw = _suv("cell_to_pack")
    raw["study"].update(launch_repeat={"runs": 3}, track={"laps": 3})
    raw["candidate"].append({**raw["candidate"][0], "name": "b", "cooling": {"chiller_kW": 0.0}})
    result = run_study(raw)
    m = result.metrics
    assert np.all(m["launch_repeat_last_time_s"] >= m["launch_repeat_first_time_s"])
    assert m["track_peak_cell_temperature_C"][1] > m["track_peak_cell_temperature_C"][0]
    text = render_report(result)
    figs = json.loads(text.split('id="figures">')[1].split("</script>")[0])
    speeds = [t for t in figs["track"]["data"] if t.get("yaxis") == "y2"]
    assert len(speeds) == 4 and max(max(v for v in t["y"] if v is not None) for t in speeds) > 150


def test_bad_endurance_input_is_reported_with_its_path():
    from packstudy.spec import StudyError

    raw = _suv()
    raw["study"].update(launch_repeat={"from_kmh": 100, "to_kmh": 50},
                        track={"name": "hockenheim"})
    raw["candidate"][0]["cooling"] = {"chiller_kW": -1}
    with pytest.raises(StudyError) as err:
        parse_study(raw)
    text = "\n".join(err.value.problems)
    assert "study.launch_repeat: from_kmh must be below to_kmh" in text
    assert "candidate[0].cooling.chiller_kW: must be greater than or equal to 0" in text
    raw["candidate"][0].pop("cooling")
    raw["study"].pop("launch_repeat")
    with pytest.raises(StudyError) as err:
        parse_study(raw)
    assert "study.track: unknown track 'hockenheim'; shipped: synthetic-gp" in err.value.problems[0]


def test_sweep_over_the_chiller(tmp_path):
    """cooling.chiller_kW is a sweep axis: without a chiller the pack runs hotter."""
    from packstudy.runner import run_study

    raw = _suv("cell_to_pack", cell="nca-21700")
    raw["study"].update(procedures=["track"], track={"laps": 3})
    raw["sweep"] = {"cooling.chiller_kW": [0.0, 20.0]}
    result = run_study(raw, out_dir=tmp_path, workers=1)
    peak = result.metrics["track_peak_cell_temperature_C"]
    assert result.names[0].endswith("cooling.chiller_kW=0.0") and peak[0] > peak[1] + 1.0


def test_loop_control_is_stable_for_large_ratings_and_steps():
    """A 100 kW chiller on a small loop, stepped at 10 s: the loop never undershoots the
    setpoint and stays inside the control band (no growing oscillation), and the energy still
    balances."""
    th = np.zeros((1, thermal.N_TH))
    th[0, [thermal.TH_CELLS, thermal.TH_CELL_C, thermal.TH_CELL_G, thermal.TH_LOOP_C]] = [
        100, 900.0, 1.0, 2e4]
    th[0, [thermal.TH_AMB_G, thermal.TH_CHILLER_W, thermal.TH_HEATER_W]] = [10.0, 1e5, 5e4]
    th[0, [thermal.TH_SETPOINT, thermal.TH_BAND, thermal.TH_COP]] = [30.0, 3.0, 2.5]
    th[0, [thermal.TH_MACHINE_C, thermal.TH_INV_C]] = [1e5, 1e4]
    s = thermal.initial_state(th, 45.0, preconditioned=False)
    loop = []
    for _ in range(200):
        thermal.step(th[0], s[0], 20.0, 0.0, 0.0, 45.0, 10.0)
        loop.append(s[0, thermal.S_LOOP])
    assert min(loop) >= 30.0 - 1e-9 and max(loop[20:]) <= 30.0 + 3.0
    s0 = thermal.initial_state(th, 45.0, preconditioned=False)
    stored = thermal.stored_heat_J(th, s, s0)[0]
    residual = s[0, S_GENERATED] - stored - s[0, S_AMBIENT] - s[0, S_CHILLER] + s[0, S_HEATER]
    assert abs(residual) < 1e-6 * s[0, S_CHILLER]


def test_regeneration_stops_inside_the_drive_derating_band():
    th = thermal.thermal_parameters(np.array([100.0]), np.array([0.07]), np.array([1000.0]),
                                    np.array([100.0]), "module", np.array([3e5]))[0]
    _, _, machine_start, inverter_start = thermal.derating_temperatures(th)
    cool = inverter_start - 10.0
    assert thermal.regen_fraction(th, machine_start - 0.1, cool) == 1.0
    assert thermal.machine_fraction(th, machine_start - 0.1, cool) == 1.0
    for hot in (machine_start + 0.1, th[TH_MACHINE_LIMIT], th[TH_MACHINE_LIMIT] + 5.0):
        assert thermal.regen_fraction(th, hot, cool) == 0.0
        assert thermal.machine_fraction(th, hot, cool) > 0.0  # traction keeps its share
    assert thermal.regen_fraction(th, machine_start - 10.0, inverter_start + 0.1) == 0.0


def test_regeneration_within_blending_envelope_and_the_traction_loss_model(suv):
    """``launch.regen_power``: the regenerated wheel power is the least of the calibrated share
    of the braking, the blending force times speed and the drive's torque and power envelope;
    its losses are the traction model's at the same speed and wheel power; a pack that
    accepts less gets exactly what it accepts; with the friction brakes alone the machines
    keep their idle drag."""
    from packstudy.performance import D_AUX, D_NOLOAD, D_NOLOAD_EXP, _dc_quadratic, _drive_terms
    from packstudy.vehicle import V_GEAR_EFF, V_MAX_FORCE, V_MOTOR_W

    pt, _, car = suv
    p = pt.vehicle[0]
    d = _drive_terms(p, pt.inverter[0])
    idle = launch.idle_fraction(p)
    assert idle == pytest.approx(1.0)  # the Polestar 3's two permanent-magnet machines
    volt, aux, m = 700.0, d[D_AUX], car["mass"][0]
    force_cap = m * launch.default("regen_max_deceleration_mps2")
    base = p[V_MOTOR_W] / p[V_MAX_FORCE]
    for speed in (0.5 * base, 2.0 * base, 4.0 * base):
        braking = 1.2 * G_MPS2 * m * speed  # hard track braking
        for share, fraction in ((1.0, 1.0), (0.5, 1.0), (1.0, 0.6)):
            dc, machine, inverter = launch.regen_power(d, p[V_MOTOR_W], speed, volt, braking,
                                                       share, fraction, force_cap, 1e9, aux,
                                                       idle)
            wheel = min(share * braking, force_cap * speed, fraction * p[V_GEAR_EFF]
                        * min(p[V_MAX_FORCE] * speed, p[V_MOTOR_W]))
            c0, c1, c2 = _dc_quadratic(d, speed, volt)
            losses = c0 + (c1 + c2 * wheel) * wheel - wheel - aux
            assert aux - dc == pytest.approx(wheel - losses, rel=1e-12)
            assert machine + inverter == pytest.approx(losses, rel=1e-12)
            assert 0.0 < losses < 0.2 * wheel
        accept = 0.25 * (aux - dc)
        dc_limited, *_ = launch.regen_power(d, p[V_MOTOR_W], speed, volt, braking, 1.0, 1.0,
                                            force_cap, accept, aux, idle)
        assert aux - dc_limited == pytest.approx(accept + aux, rel=1e-9)
    # the drive derated to nothing: friction brakes only, the machines' idle drag at 20 m/s
    drag = d[D_NOLOAD] * 20.0 ** d[D_NOLOAD_EXP]
    assert drag > 100.0
    assert launch.regen_power(d, p[V_MOTOR_W], 20.0, volt, 1e5, 1.0, 0.0, force_cap, 1e9,
                              aux, idle) == (aux, pytest.approx(drag, rel=1e-12), 0.0)
    assert launch.regen_power(d, p[V_MOTOR_W], 20.0, volt, 1e5, 1.0, 0.0, force_cap, 1e9,
                              aux, 0.0) == (aux, 0.0, 0.0)


def test_idle_drag_by_machine_type():
    """``launch.idle_fraction``: a permanent-magnet machine turning with its wheels keeps its
    no-load loss when it carries no torque, an induction machine or a disconnected axle does
    not (data/factors/motors.toml); each weighted by its share of the power."""
    from packstudy.motors import Machine, machine_columns
    from packstudy.vehicle import N_VEHICLE_PARAMS, V_M1

    p = np.zeros(N_VEHICLE_PARAMS)
    for machines, expect in (
            ([Machine("rear", "pmsm", 200.0)], 1.0),
            ([Machine("front", "induction", 100.0), Machine("rear", "pmsm", 200.0)], 2.0 / 3.0),
            ([Machine("front", "pmsm", 100.0, disconnect=True),
              Machine("rear", "pmsm", 300.0)], 0.75)):
        p[V_M1:] = machine_columns(machines).ravel()
        assert launch.idle_fraction(p) == pytest.approx(expect)
