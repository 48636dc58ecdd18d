"""Platform studies (``[[vehicle]]``): every candidate on every vehicle, each vehicle calibrated
on its own as-built battery, requirements study-wide and per vehicle, a platform verdict."""

import json
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from packstudy.platforms import PlatformResult
from packstudy.results import write_results
from packstudy.runner import run_study
from packstudy.spec import StudyError

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "performance-platform.toml"


def platform(**more) -> dict:
    raw = {"study": {"procedures": ["wltp", "epa", "acceleration", "fast_charge"],
                     "baseline": "as built"},
           "vehicle": [{"preset": "polestar-3-long-range-dual-motor", "name": "Polestar 3"},
                       {"preset": "kia-ev6-long-range-awd", "name": "EV6 AWD",
                        "requirements": {"accel_0_100_s": {"max": 4.0}}}],
           "candidate": [{"name": "as built", "as_built": True},
                         {"name": "NMC811 CTP 800 V", "cell": "nmc811-pouch", "inverter": "sic",
                          "pack": {"usable_energy_kWh": 90, "nominal_voltage_V": 750,
                                   "integration": "cell_to_pack"}}],
           "requirements": {"wltp_range_km": {"min": 450}}}
    raw.update(more)
    return raw


@pytest.fixture(scope="module")
def result():
    return run_study(platform())


def test_every_candidate_runs_on_every_vehicle_calibrated_on_its_own_car(result, tmp_path):
    assert isinstance(result, PlatformResult)
    assert result.vehicles == ["Polestar 3", "EV6 AWD"]
    p3, ev6 = result.parts
    assert p3.names == ev6.names == ["as built", "NMC811 CTP 800 V"]
    # one calibration per vehicle, each fitted on that vehicle's own as-built battery
    assert p3.calibration.parameters != ev6.calibration.parameters
    assert p3.metrics["pack_series"][0] == 98 and ev6.metrics["pack_series"][0] == 192
    # the same candidate gives other results on the other vehicle
    assert p3.metrics["wltp_range_km"][1] != pytest.approx(ev6.metrics["wltp_range_km"][1], rel=0.01)
    write_results(result, tmp_path)
    table = pq.read_table(tmp_path / "results.parquet").to_pydict()
    assert table["vehicle"] == ["Polestar 3", "Polestar 3", "EV6 AWD", "EV6 AWD"]
    assert table["candidate"] == ["as built", "NMC811 CTP 800 V"] * 2
    assert len(set(table["wltp_range_km"])) == 4
    doc = json.loads((tmp_path / "results.json").read_text())
    assert [v["vehicle"] for v in doc["vehicles"]] == result.vehicles
    assert doc["platform"]["vehicles"] == result.vehicles



def test_every_null_of_the_platform_tables_has_a_note(result, tmp_path):
    """A result one vehicle does not compute (the Polestar 3's published 32-85 % charge window)
    is null in the other vehicle's rows, and the platform's notes say so."""
    from packstudy import validity

    write_results(result, tmp_path)
    table = pq.read_table(tmp_path / "results.parquet").to_pydict()
    notes = json.loads((tmp_path / "results.json").read_text())["platform"]["notes"]
    assert notes == result.notes and any(n.startswith("fast_charge_32_85_min is computed for "
                                                      "Polestar 3 only") for n in notes)
    parts = dict(zip(result.vehicles, result.parts, strict=True))
    for key, column in table.items():
        base = key.removeprefix("delta_")  # a delta, the row's value minus the baseline's, is
        if base.startswith(validity.SILENT) or not isinstance(column[0], float | type(None)):
            continue  # null where either is; echoed inputs are null where not given
        for row, value in enumerate(column):
            if value is None or np.isnan(value):
                vehicle = table["vehicle"][row]
                part = parts[vehicle]
                rows = {table["candidate"][row]} | ({part.study.study.baseline} if base != key else set())
                own = " ".join(n for name in rows for n in part.row_notes.get(part.names.index(name), []))
                explained = [n for n in notes if n.startswith(f"{base} ") and n.endswith(f"{vehicle}.")]
                assert explained or base in own, f"{vehicle}: {key} null without a note"


def test_each_vehicle_is_the_study_of_that_vehicle_alone(result):
    """A platform's part gives the numbers of the same study run with that vehicle alone."""
    raw = platform()
    one = {**raw, "vehicle": raw["vehicle"][1] | {}, "requirements": {
        **raw["requirements"], "accel_0_100_s": {"max": 4.0}}}
    one["vehicle"].pop("requirements")
    alone = run_study(one)
    for key in ("wltp_range_km", "epa_range_km", "accel_0_100_s", "fast_charge_10_80_min"):
        np.testing.assert_array_equal(alone.metrics[key], result.parts[1].metrics[key])
    assert alone.verdicts == result.parts[1].verdicts


def test_requirements_are_study_wide_and_per_vehicle_and_the_platform_needs_every_vehicle(result):
    p3, ev6 = result.parts
    assert "accel_0_100_s" not in p3.study.requirements
    assert ev6.study.requirements["accel_0_100_s"].max == 4.0
    assert {k for k in p3.study.requirements} == {"wltp_range_km"}
    for name, verdict in result.verdicts.items():
        on_each = [part.verdicts[name]["overall"] for part in result.parts]
        assert verdict["vehicles"] == dict(zip(result.vehicles, on_each, strict=True))
        assert verdict["overall"] == ("pass" if set(on_each) == {"pass"} else "fail")
    # the EV6 misses its own 4.0 s requirement, which the Polestar 3 does not have
    assert "accel_0_100_s max" in ev6.verdicts["as built"]["failed"]
    assert "EV6 AWD: accel_0_100_s max" in result.verdicts["as built"]["failed"]
    assert not any(f.startswith("Polestar 3: accel") for f in result.verdicts["as built"]["failed"])


def test_a_single_vehicle_table_still_gives_one_study():
    raw = platform(vehicle={"preset": "kia-ev6-long-range-awd"})
    assert not isinstance(run_study(raw), PlatformResult)


@pytest.mark.parametrize("vehicles, expected", [
    ([{"preset": "kia-ev6-long-range-awd", "name": "A"},
      {"preset": "kia-ev6-long-range-awdd", "name": "B"}], "vehicle[1].preset"),
    ([{"preset": "kia-ev6-long-range-awd", "name": "A"},
      {"preset": "polestar-3-long-range-dual-motor", "name": "A"}], "vehicle[1].name"),
    ([{"preset": "kia-ev6-long-range-awd", "name": "A", "drag_coefficient": -1}],
     "vehicle[0].drag_coefficient"),
    ([], "vehicle"),
    ([{"preset": "kia-ev6-long-range-awd", "name": "A", "requirements": 500}],
     "vehicle[0].requirements"),
    ([{"preset": "kia-ev6-long-range-awd", "name": "A",
       "requirements": {"wltp_range_km": {"minimum": 500}}}], "requirements.wltp_range_km"),
])
def test_a_bad_vehicle_is_named_by_its_place_in_the_list(vehicles, expected):
    with pytest.raises(StudyError) as err:
        run_study(platform(vehicle=vehicles))
    assert any(p.startswith(expected) for p in err.value.problems), err.value.problems


def test_a_study_wide_problem_is_reported_once():
    raw = platform()
    raw["candidate"][1]["inverter"] = "gan"
    with pytest.raises(StudyError) as err:
        run_study(raw)
    assert sum("inverter" in p for p in err.value.problems) == 1


def test_a_study_wide_key_that_fails_on_one_vehicle_names_that_vehicle():
    """A front inverter suits the AWD Polestar 3 but not the rear-driven Model 3."""
    raw = platform(vehicle=[{"preset": "tesla-model-3-rwd", "name": "sedan"},
                            {"preset": "polestar-3-long-range-dual-motor", "name": "SUV"}])
    raw["candidate"][1]["inverter"] = {"front": "sic", "rear": "si"}
    with pytest.raises(StudyError) as err:
        run_study(raw)
    [problem] = err.value.problems
    assert problem.startswith("candidate[1].inverter: a front inverter is given but the vehicle "
                              "has no front machine")
    assert problem.endswith("(on vehicle[0] 'sedan')")


def test_a_platform_sweeps_every_vehicle(tmp_path):
    raw = platform(sweep={"base": "NMC811 CTP 800 V", "pack.usable_energy_kWh": [80, 120]})
    result = run_study(raw, out_dir=tmp_path, workers=1)
    assert [len(part.names) for part in result.parts] == [2, 2]
    assert (tmp_path / "vehicle-1" / "sweep").is_dir() and (tmp_path / "vehicle-2" / "sweep").is_dir()
    ranges = [part.metrics["wltp_range_km"] for part in result.parts]
    assert all(np.all(np.diff(r) > 0) for r in ranges)  # 2P then 3P: more range on each car


def test_the_report_has_the_platform_verdict_then_a_section_per_vehicle(result, tmp_path):
    from packstudy.report import write_report

    html = write_report(result, tmp_path / "report.html").read_text()
    assert html.index('id="platform-table"') < html.index('id="v1-vehicle"') < html.index('id="v2-vehicle"')
    for name, verdict in result.verdicts.items():
        assert f'<tr data-candidate="{name}"><td>{name}</td>' in html
        assert f'data-area="platform">{verdict["overall"]}</td>' in html
    assert html.count('data-kind="platform-note"') == len(result.notes) > 0
    figures = json.loads(re.search(r'<script type="application/json" id="figures">(.*?)</script>',
                                   html, re.S).group(1).replace("<\\/", "</"))
    plots = re.findall(r'data-plot="([^"]+)"', html)
    assert set(plots) == set(figures) and {p[:3] for p in plots} == {"v1-", "v2-"}
    ids = re.findall(r'id="([^"]+)"', html[:html.index('<script type="application/json"')])
    assert len(ids) == len(set(ids))  # each vehicle's element ids under its own prefix


def test_the_cli_runs_a_platform_and_prints_the_platform_table(tmp_path):
    from typer.testing import CliRunner

    from packstudy.cli import app

    path = tmp_path / "platform.toml"
    path.write_text(EXAMPLE.read_text())
    out = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    assert "platform of 2 vehicles" in out.output and "1 of 5 pass on every vehicle" in out.output
    rows = pq.read_table(tmp_path / "out" / "results.parquet").to_pydict()
    assert len(rows["vehicle"]) == 10 and len(set(rows["vehicle"])) == 2


def test_vehicle_calibrate_fits_each_vehicle_of_a_platform():
    from typer.testing import CliRunner

    from packstudy.cli import app

    out = CliRunner().invoke(app, ["vehicle", "calibrate", str(EXAMPLE)])
    assert out.exit_code == 0, out.output
    assert out.output.count("Vehicle calibration: targets met") == 2
    assert "SUV 400 V (Polestar 3)" in out.output and "Crossover 800 V (EV6 AWD)" in out.output
