"""The vehicle's as-built battery system: as_built candidates, calibration, reproduction."""

import json

import numpy as np
import pytest

from packstudy.runner import run_study
from packstudy.spec import StudyError, parse_study

P3 = {"preset": "polestar-3-long-range-dual-motor"}


def test_as_built_takes_the_vehicles_system_and_keys_beside_it_override():
    study = parse_study({"vehicle": P3, "candidate": [
        {"name": "car", "as_built": True},
        {"name": "car, SiC", "as_built": True, "inverter": "sic", "charger": "ccs-150kw-920v"},
        {"name": "new cell", "as_built": True, "cell": "nmc811-pouch",
         "pack": {"usable_energy_kWh": 107, "nominal_voltage_V": 650}}]})
    car, sic, new = study.candidate
    assert (car.cell, car.pack.series, car.pack.parallel, car.inverter) == ("nmc-prismatic-catl", 98, 3, "si")
    assert car.charger == "ccs-350kw-1000v"  # the preset records no charger for its 30 min
    assert (sic.inverter, sic.charger, sic.pack.series) == ("sic", "ccs-150kw-920v", 98)
    assert new.cell == "nmc811-pouch" and new.pack.nominal_voltage_V == 650
    egmp = parse_study({"vehicle": {"preset": "kia-ev6-long-range-awd"},
                        "candidate": [{"name": "car", "as_built": True}]})
    assert egmp.candidate[0].charger == "ccs-350kw-920v"  # the one Kia's 18 min was timed on


def test_as_built_pack_holds_the_usable_energy_its_epa_certificate_measured():
    """Polestar 2 SM: published counts, so the window is sized to the certificate's 82.378 kWh
    (wider than the default 3-98 %); another cell keeps the default window; the ID.4's
    designed pack takes the certificate energy as its target."""
    ps2 = {"preset": "polestar-2-long-range-single-motor"}
    result = run_study({"study": {"procedures": ["wltp"]}, "vehicle": ps2, "candidate": [
        {"name": "car", "as_built": True},
        {"name": "other cell", "as_built": True, "cell": "nmc811-pouch"}]})
    usable = result.metrics["pack_usable_energy_kWh"]
    assert usable[0] == pytest.approx(82.378, rel=2e-3)
    study = parse_study({"vehicle": ps2, "candidate": [
        {"name": "car", "as_built": True}, {"name": "other cell", "as_built": True,
                                            "cell": "nmc811-pouch"}]})
    car, other = study.candidate
    assert 0.0 < car.pack.soc_min < 0.03 and 0.98 < car.pack.soc_max < 1.0
    assert other.pack.soc_min is None and other.pack.soc_max is None
    id4 = parse_study({"vehicle": {"preset": "vw-id4-pro"},
                       "candidate": [{"name": "car", "as_built": True}]})
    assert id4.candidate[0].pack.usable_energy_kWh == 77.411


def test_a_vehicle_without_an_as_built_system_is_named():
    vehicle = {"name": "x", "test_mass_kg": 2000, "drag_coefficient": 0.3, "frontal_area_m2": 2.3}
    with pytest.raises(StudyError) as err:
        parse_study({"vehicle": vehicle, "candidate": [{"name": "car", "as_built": True}]})
    assert "candidate[0].as_built: the vehicle has no as-built battery system" in str(err.value)
    result = run_study({"study": {"procedures": ["wltp"]}, "vehicle": vehicle,
                        "candidate": [{"name": "a", "pack": {"usable_energy_kWh": 70}}]})
    assert any("no as-built battery system and no [vehicle.calibration]" in n for n in result.notes)


def test_calibration_and_results_do_not_depend_on_the_baseline():
    """Issue 12: the vehicle is fitted on its as-built system whichever candidate is the
    baseline, so swapping the baseline changes no result."""
    cands = [{"name": "lfp", "cell": "lfp-prismatic", "pack": {"usable_energy_kWh": 95}},
             {"name": "car", "as_built": True}]
    runs = [run_study({"study": {"procedures": ["epa", "wltp"], "baseline": b}, "vehicle": P3,
                       "candidate": cands}) for b in ("lfp", "car")]
    assert runs[0].calibration.parameters == runs[1].calibration.parameters
    for key in ("epa_range_km", "wltp_range_km", "epa_combined_kWh_per_100km"):
        np.testing.assert_array_equal(runs[0].metrics[key], runs[1].metrics[key])
    # and the fit is the as-built car's: it meets the EPA targets on that row
    car = runs[0].metrics["epa_city_unadjusted_kWh_per_100km"][1]
    assert car == pytest.approx(15.975, rel=1e-3)


def test_reproduction_table_in_results_json_terminal_and_report(tmp_path):
    from typer.testing import CliRunner

    from packstudy.cli import app

    study = tmp_path / "s.toml"
    study.write_text('[vehicle]\npreset = "ford-f150-lightning-extended-range"\n'
                     '[[candidate]]\nname = "truck"\nas_built = true\n')
    out = CliRunner().invoke(app, ["run", str(study), "--out", str(tmp_path / "o")])
    assert out.exit_code == 0, out.output
    assert "Does the model reproduce the car? (truck)" in out.output
    doc = json.loads((tmp_path / "o" / "results.json").read_text())
    rows = {r["metric"]: r for r in doc["reproduction"]}
    # Ford's 15-80 % time is run on its own window, on the 150 kW charger it was timed on
    charge = rows["fast_charge_15_80_min"]
    assert charge["published"] == 41.0 and charge["tolerance_pct"] == 15.0 and charge["within"]
    assert rows["epa_city_unadjusted_kWh_per_100km"]["calibrated"] is True
    assert rows["pack_mass_kg"]["published"] == 816.5
    html = (tmp_path / "o" / "report.html").read_text()
    assert 'id="reproduction-table"' in html and 'data-metric="fast_charge_15_80_min"' in html


def test_a_study_without_an_as_built_candidate_still_shows_the_car_computed_apart():
    result = run_study({"study": {"procedures": ["epa"]}, "vehicle": P3,
                        "candidate": [{"name": "lfp", "cell": "lfp-prismatic",
                                       "pack": {"usable_energy_kWh": 95}}]})
    rows = {r["metric"]: r for r in result.reproduction}
    assert rows["epa_range_km"]["candidate"] == "as built (computed apart)"
    assert rows["epa_range_km"]["within"]
    assert result.names == ["lfp"]  # the car is not added to the candidates


def test_a_vehicle_cell_file_beside_the_study_keeps_working_with_a_certificate(tmp_path, monkeypatch):
    """A study giving the car's own cell as a file beside it (relative path), on a preset with
    an EPA certificate energy and cell counts: the study reads as before (the window is sized
    for shipped cells only, the file resolved against the study's folder when the study runs)
    instead of failing on a path taken from the working directory."""
    from packstudy import catalog

    (tmp_path / "mycell.toml").write_text((catalog.data_dir() / "cells" / "nmc811-pouch.toml").read_text())
    monkeypatch.chdir(tmp_path.parent)
    study = parse_study({"vehicle": {"preset": "polestar-2-long-range-single-motor",
                                     "battery": {"cell": "mycell.toml"}},
                         "candidate": [{"name": "car", "as_built": True}]}, base_dir=tmp_path)
    car = study.candidate[0]
    assert (car.cell, car.pack.series, car.pack.parallel) == ("mycell.toml", 108, 2)
    assert car.pack.soc_min is None and car.pack.soc_max is None  # the default window
