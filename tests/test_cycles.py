"""Drive cycles: shipped data against its provenance record, user CSV validation, resampling."""

import tomllib

import numpy as np
import pytest

from packstudy import catalog
from packstudy.cycles import (
    SHIPPED_CYCLES,
    Cycle,
    CycleFileError,
    load_cycle,
    resample,
)

PROVENANCE = tomllib.loads((catalog.data_dir() / "cycles" / "provenance.toml").read_text())

# Published figures as rounded in their source: duration s, distance, top speed, unit length m,
# unit speed m/s. EPA dynamometer schedules (40 CFR 86/600 App. I): miles and mph to 0.01/0.1;
# GTR No. 15 Annex 1 WLTC class 3b: 23 266 m, 131.3 km/h.
PUBLISHED = {
    "udds": (1369, 7.45, 56.7, 1609.344, 0.44704),
    "hwfet": (765, 10.26, 59.9, 1609.344, 0.44704),
    "us06": (600, 8.01, 80.3, 1609.344, 0.44704),
    "wltc_class3b": (1800, 23266.0, 131.3, 1.0, 1 / 3.6),
}


def test_shipped_names_match_data_folder():
    assert catalog.list_presets("cycles") == sorted(SHIPPED_CYCLES)
    assert sorted(PROVENANCE) == sorted(SHIPPED_CYCLES)


@pytest.mark.parametrize("name", SHIPPED_CYCLES)
def test_shipped_cycle_matches_provenance(name):
    cycle = load_cycle(name)
    record = PROVENANCE[name]
    assert isinstance(cycle, Cycle) and cycle.name == name
    for a in (cycle.time_s, cycle.speed_mps, cycle.grade):
        assert a.dtype == np.float64 and len(a) == record["points"]
    np.testing.assert_array_equal(cycle.time_s, np.arange(record["points"]))  # 1 Hz from 0
    assert cycle.speed_mps[0] == 0 and cycle.speed_mps[-1] == 0
    assert not cycle.grade.any()
    assert cycle.duration_s == record["duration_s"]
    assert cycle.distance_m == pytest.approx(record["distance_m"], abs=1e-3)
    assert cycle.max_speed_mps == pytest.approx(record["max_speed_mps"], rel=1e-9)
    assert record["regulation"] in cycle.source


@pytest.mark.parametrize("name", SHIPPED_CYCLES)
def test_shipped_cycle_matches_published_figures(name):
    duration_s, distance, top_speed, length_m, speed_mps = PUBLISHED[name]
    cycle = load_cycle(name)
    assert cycle.duration_s == duration_s
    assert cycle.distance_m / length_m == pytest.approx(distance, rel=1e-3)
    assert cycle.max_speed_mps / speed_mps == pytest.approx(top_speed, abs=1e-9)


def test_shipped_cycle_is_cached_and_read_only():
    cycle = load_cycle("udds")
    assert load_cycle("udds") is cycle
    with pytest.raises(ValueError):
        cycle.speed_mps[100] = 1.0


def test_unknown_shipped_name_suggests_close_match():
    with pytest.raises(catalog.UnknownPresetError, match="'udds'"):
        load_cycle("uds")


@pytest.mark.parametrize("name", SHIPPED_CYCLES)
@pytest.mark.parametrize("dt_s", [0.1, 0.5])
def test_resample_conserves_distance(name, dt_s):
    cycle = load_cycle(name)
    fine = resample(cycle, dt_s)
    np.testing.assert_allclose(np.diff(fine.time_s), dt_s)
    assert fine.time_s[0] == 0 and fine.duration_s == pytest.approx(cycle.duration_s)
    assert fine.distance_m == pytest.approx(cycle.distance_m, rel=1e-3)
    assert fine.max_speed_mps == pytest.approx(cycle.max_speed_mps)


def test_resample_coarser_interpolates_linearly():
    cycle = load_cycle("us06")
    coarse = resample(cycle, 2.0)
    np.testing.assert_array_equal(coarse.speed_mps, cycle.speed_mps[::2])
    assert coarse.distance_m == pytest.approx(cycle.distance_m, rel=0.01)
    with pytest.raises(ValueError, match="dt_s"):
        resample(cycle, 0.0)


def test_user_csv_with_grade_relative_to_base_dir(tmp_path):
    (tmp_path / "hill.csv").write_text("time_s,speed_mps,grade\n0,0,0\n10,10,0.05\n20,10,-0.02\n")
    cycle = load_cycle("hill.csv", base_dir=tmp_path)
    assert cycle.name == "hill" and str(tmp_path / "hill.csv") == cycle.source
    np.testing.assert_array_equal(cycle.grade, [0, 0.05, -0.02])
    assert cycle.distance_m == pytest.approx(50 + 100)  # trapezoid: 0->10 m/s over 10 s, then 10 s
    assert load_cycle(tmp_path / "hill.csv").duration_s == 20


def test_user_csv_without_grade_gets_zero_grade(tmp_path):
    path = tmp_path / "flat.csv"
    path.write_text("speed_mps,time_s\n0,0\n5,1\n0,2\n")  # columns in any order
    cycle = load_cycle(path)
    np.testing.assert_array_equal(cycle.grade, 0.0)
    np.testing.assert_array_equal(cycle.speed_mps, [0, 5, 0])


BAD_FILES = {
    "missing_column": ("time_s,speed_kmh\n0,0\n1,1\n", r"line 1 .*speed_kmh"),
    "missing_speed": ("time_s\n0\n1\n", r"line 1 .*missing column 'speed_mps'"),
    "not_a_number": ("time_s,speed_mps\n0,0\n1,fast\n", r"line 3, column speed_mps: 'fast'"),
    "empty_value": ("time_s,speed_mps\n0,0\n1,\n", r"line 3, column speed_mps: '' is not"),
    "nan": ("time_s,speed_mps\n0,0\n1,nan\n2,0\n", r"line 3, column speed_mps: .*finite"),
    "inf": ("time_s,speed_mps\n0,0\ninf,1\n", r"line 3, column time_s: .*finite"),
    "time_not_increasing": (
        "time_s,speed_mps\n0,0\n1,1\n1,2\n", r"line 4, column time_s: .*strictly.*got 1 after 1"
    ),
    "time_going_back": ("time_s,speed_mps\n0,0\n2,1\n1,2\n", r"line 4, .*got 1 after 2"),
    "negative_speed": ("time_s,speed_mps\n0,0\n1,-0.5\n", r"line 3, column speed_mps: .*>= 0"),
    "one_point": ("time_s,speed_mps\n0,0\n", r"at least 2"),
    "empty": ("", r"empty"),
    "first_time_not_zero": ("time_s,speed_mps\n1,0\n2,1\n", r"line 2, column time_s: .*start at 0"),
    "steep_grade": ("time_s,speed_mps,grade\n0,0,0\n1,1,0.31\n", r"line 3, column grade: .*0.3"),
    "short_row": ("time_s,speed_mps\n0,0\n1\n", r"line 3: 1 value\(s\), the header has 2"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_malformed_user_csv_is_reported(tmp_path, case):
    text, pattern = BAD_FILES[case]
    path = tmp_path / f"{case}.csv"
    path.write_text(text)
    with pytest.raises(CycleFileError, match=pattern) as err:
        load_cycle(path)
    assert f"{case}.csv" in str(err.value)


def test_binary_file_is_reported(tmp_path):
    path = tmp_path / "cycle.csv"
    path.write_bytes(b"time_s,speed_mps\n0,\xff\xfe\n")
    with pytest.raises(CycleFileError, match=r"cycle.csv: not a UTF-8 text CSV"):
        load_cycle(path)


def test_missing_file_names_path_and_alternatives(tmp_path):
    with pytest.raises(CycleFileError, match=r"'nowhere.csv' not found.*udds"):
        load_cycle("nowhere.csv", base_dir=tmp_path)
