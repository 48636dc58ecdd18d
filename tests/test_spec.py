import pytest

from packstudy.spec import StudyError, load_study, parse_study

VALID = {
    "vehicle": {"test_mass_kg": 2000.0,
                "road_load": {"f0_N": 120.0, "f1_N_per_mps": 1.5, "f2_N_per_mps2": 0.4}},
    "candidate": [{"name": "a", "pack": {"usable_energy_kWh": 75.0}}],
}


def problems(raw):
    with pytest.raises(StudyError) as info:
        parse_study(raw, source="s.toml")
    return info.value.problems


def test_valid_study_parses_with_defaults():
    study = parse_study(VALID)
    assert study.study.procedures == ["wltp", "epa", "acceleration", "fast_charge", "cold"]
    assert study.candidate[0].inverter == "si"


def test_unknown_key_gets_did_you_mean():
    raw = {**VALID, "vehicle": {**VALID["vehicle"], "test_mas_kg": 1.0}}
    (p,) = problems(raw)
    assert p.startswith("vehicle.test_mas_kg: unknown key 'test_mas_kg'; did you mean 'test_mass_kg'")


def test_all_problems_reported_at_once_with_paths():
    raw = {
        "vehicle": {**VALID["vehicle"], "test_mass_kg": -5.0},
        "candidate": [{"name": "a", "pack": {"usable_energy_kWh": 0.0}, "inverter": "gan"}],
    }
    found = problems(raw)
    assert any(p.startswith("vehicle.test_mass_kg: must be greater than or equal to 100 (allowed: "
                            "100 to 60000); got -5.0") for p in found)
    assert any(p.startswith("candidate[0].pack.usable_energy_kWh: must be greater than 0")
               for p in found)
    assert ("candidate[0].inverter: unknown value 'gan'; valid: si, sic, or a table "
            '{ front = "si", rear = "sic" }') in found


def test_unknown_vehicle_preset_lists_close_matches():
    raw = {**VALID, "vehicle": {"preset": "polestar-2-long-range-dual-motr"}}
    found = problems(raw)
    assert any("did you mean 'polestar-2-long-range-dual-motor'" in p for p in found)


def test_preset_keys_can_be_overridden():
    raw = {**VALID, "vehicle": {"preset": "tesla-model-3-rwd", "test_mass_kg": 2100.0}}
    study = parse_study(raw)
    assert study.vehicle.test_mass_kg == 2100.0
    assert study.vehicle.road_load is not None  # kept from the preset


def test_missing_cycle_file_is_reported(tmp_path):
    raw = {**VALID, "study": {"cycles": {"commute": "missing.csv"}}}
    with pytest.raises(StudyError) as info:
        parse_study(raw, base_dir=tmp_path)
    assert any(p.startswith("study.cycles.commute:") and "missing.csv" in p
               for p in info.value.problems)


def test_toml_syntax_error_gives_line_and_column(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[vehicle]\ntest_mass_kg = = 2\n")
    with pytest.raises(StudyError) as info:
        load_study(path)
    assert "line 2" in str(info.value) and "column" in str(info.value)
    assert str(path) in str(info.value)


def test_cost_and_footprint_inputs_checked_with_the_study():
    raw = {**VALID, "cost": {"prices": {"cam_nmc811": -3.0, "unobtainium": 1.0}, "year": 1999,
                             "region": "mars"},
           "footprint": {"region": "atlantis"}}
    found = problems(raw)
    assert any("cost.prices" in p for p in found)
    assert any("cost.year: 1999 has no price index; allowed: 2019-" in p for p in found)
    assert any("cost.region: unknown region 'mars'" in p and "china" in p for p in found)
    assert any("footprint.region: unknown region 'atlantis'" in p and "korea" in p for p in found)


def test_settings_and_file_problems_are_reported_with_every_other_problem(tmp_path):
    """Problems found by looking things up (a price override, a region, a calibration target,
    a cell preset, a BPX file, a charger preset, a cycle file, a climate) come in the same
    report as a plain bad field, each at its own path, rather than only once the rest of the
    file is valid."""
    raw = {**VALID, "vehicle": {**VALID["vehicle"], "test_mass_kg": -5.0,
                                "battery": {"charger": "ccs-350kw-92v"},
                                "calibration": {"epa_range_km": 400.0, "accel_0_100_s": 5.0,
                                                "parameters": ["loss_levl"]}},
           "candidate": [{**VALID["candidate"][0], "cell": "nmc811-pouh"},
                         {**VALID["candidate"][0], "name": "b", "cell": {"bpx": "missing.json"}}],
           "cost": {"prices": {"cam_nmc811": -3.0, "unobtainium": 1.0}},
           "footprint": {"grid_kgCO2e_per_kWh": 0.5, "region": "atlantis", "cam_region": "mars",
                         "recycled_content": {"nickel": 1.5}},
           "study": {"cycles": {"commute": "missing.csv"}, "life": {"climate": "temprate"}}}
    with pytest.raises(StudyError) as info:
        parse_study(raw, source="s.toml", base_dir=tmp_path)
    found = info.value.problems
    expected = [
        "vehicle.test_mass_kg: must be greater than or equal to 100",
        "vehicle.battery.charger: unknown charger preset 'ccs-350kw-92v'; did you mean "
        "'ccs-350kw-920v'",
        "vehicle.calibration.accel_0_100_s: not supported yet (the acceleration model has no "
        "fitted parameter yet); calibrate on epa_city_unadjusted_kWh_per_100km,",
        "vehicle.calibration.parameters[0]: unknown value 'loss_levl'; did you mean 'loss_level'?",
        "candidate[0].cell: unknown cell preset 'nmc811-pouh'; did you mean 'nmc811-pouch'",
        f"candidate[1].cell: {tmp_path / 'missing.json'}: BPX file not found",
        "cost.prices.cam_nmc811: price_usd_per_kg must be within 0 to 100000",
        "cost.prices.unobtainium: unknown material 'unobtainium'; allowed: ",
        "footprint.cam_region: unknown region 'mars'; allowed: china,",
        "footprint.recycled_content.nickel: a share must lie within 0 to 1; got 1.5",
        "study.cycles.commute: drive cycle file 'missing.csv' not found",
        "study.life.climate: unknown climate 'temprate'; did you mean 'temperate'?"]
    for start in expected:
        assert sum(p.startswith(start) for p in found) == 1, start
    assert len(found) == len(expected)  # the footprint region is not needed with a grid intensity


def test_physics_defaults_are_the_settings_models_defaults():
    """``settings=None`` in the physics modules gives what an empty [cost], [footprint] or
    [uncertainty] table gives: one set of defaults."""
    from packstudy import cost, footprint, uncertainty
    from packstudy.spec import CostSettings, FootprintSettings, UncertaintySettings

    for model, module in ((CostSettings, cost), (FootprintSettings, footprint),
                          (UncertaintySettings, uncertainty)):
        assert model().model_dump() == vars(module.default_settings()), model.__name__


def test_cooling_ratings_are_held_to_one_range_in_the_file_and_in_python():
    """chiller_kW and heater_kW: the same input_bounds.toml range for a study file and for
    ``thermal.thermal_parameters`` called from Python."""
    import numpy as np

    from packstudy import thermal

    found = problems({**VALID, "candidate": [{**VALID["candidate"][0],
                                              "cooling": {"chiller_kW": 101.0, "heater_kW": -1.0}}]})
    assert found == ["candidate[0].cooling.chiller_kW: must be less than or equal to 100 (allowed: "
                     "0 to 100); got 101.0",
                     "candidate[0].cooling.heater_kW: must be greater than or equal to 0 (allowed: "
                     "0 to 50); got -1.0"]
    args = (np.array([100.0]), np.array([0.07]), np.array([1000.0]), np.array([100.0]), "module",
            np.array([3e5]))
    thermal.thermal_parameters(*args, chiller_kW=100.0, heater_kW=0.0)  # the range's ends are valid
    for bad in ({"chiller_kW": 101.0}, {"heater_kW": -1.0}):
        with pytest.raises(ValueError, match=f"thermal: {next(iter(bad))} must lie within 0 to "):
            thermal.thermal_parameters(*args, **bad)


def test_charger_table_of_power_and_current_takes_the_ccs_voltage_class():
    """``charger = { power_kW = 350, current_A = 500 }`` (the issue's own example) is valid; the
    voltage limit is then the CCS class's, from charging.toml."""
    from packstudy import charging
    from packstudy.study import _charger_spec

    raw = {**VALID, "candidate": [{**VALID["candidate"][0],
                                   "charger": {"power_kW": 350, "current_A": 500}}]}
    study = parse_study(raw)
    limits = charging.load_charger(_charger_spec(study.candidate[0].charger))
    assert limits == {"power_kW": 350.0, "current_A": 500.0,
                      "max_voltage_V": charging.default("charger_max_voltage_V")}


def test_errors_name_the_file_keys_not_the_schema_branches():
    """A bad charger table is reported at its own key (not as a failed "name" branch and a
    ChargerTable branch), and an unknown vehicle preset only once (not also as the road load
    the preset would have given)."""
    raw = {"vehicle": {"preset": "polestar-3-long-range-dual-motr"},
           "candidate": [{**VALID["candidate"][0], "charger": {"power_kW": -5, "current_A": 500}}]}
    found = problems(raw)
    assert found[0].startswith("vehicle.preset: unknown vehicle preset "
                               "'polestar-3-long-range-dual-motr'; did you mean "
                               "'polestar-3-long-range-dual-motor'")
    assert found[1:] == ["candidate[0].charger.power_kW: must be greater than 0 (allowed: 0 to 3750); "
                         "got -5"]
    (p,) = problems({**VALID, "candidate": [{**VALID["candidate"][0], "name": {"a": 1}}]})
    assert p.startswith("candidate[0].name: Input should be a valid string")  # a table, alone


def test_cell_file_that_does_not_exist_is_named_with_where_it_was_looked_for(tmp_path):
    raw = {**VALID, "candidate": [{**VALID["candidate"][0], "cell": "cells/mine.toml"}]}
    with pytest.raises(StudyError) as info:
        parse_study(raw, source="s.toml", base_dir=tmp_path)
    (p,) = info.value.problems
    assert p.startswith("candidate[0].cell: cell file 'cells/mine.toml' not found (looked for "
                        f"{tmp_path / 'cells' / 'mine.toml'};")


def test_swept_values_are_checked_at_load_with_their_paths():
    raw = {**VALID, "sweep": {"cell": [".", "nmc811-pouch"], "pack.series": [True, 0, 96],
                              "pack.parallel": [2], "charger": ["no-such-charger"]}}
    found = problems(raw)
    assert any(p.startswith("sweep.\"cell\"[0]: unknown cell preset '.'") for p in found)
    assert any(p.startswith("sweep.\"charger\"[0]: unknown charger preset") for p in found)
    assert any(p.startswith('sweep."pack.series"[0]: must be a number, not true/false') for p in found)
    assert any(p.startswith('sweep."pack.series"[1]: must be greater than or equal to 1') for p in found)
    assert len(found) == 4


def test_study_errors_survive_a_worker_process():
    """A StudyError raised in a sweep worker is pickled back to the CLI (exit 2, not a broken
    process pool)."""
    import pickle

    err = pickle.loads(pickle.dumps(StudyError("s.toml", ["candidate[0].cell: bad"])))
    assert err.source == "s.toml" and err.problems == ["candidate[0].cell: bad"]


def test_nan_booleans_and_long_values_are_refused_clearly():
    raw = {**VALID, "vehicle": {**VALID["vehicle"], "aux_W": float("nan"), "motor_peak_kW": True,
                                "name": "x" * 10_000}, "ranking": {"weights": {"pack_mass_kg": float("inf")}},
           "requirements": {"pack_mass_kg": {"max": float("nan")}}}
    found = problems(raw)
    assert "vehicle.aux_W: must be a finite number (not NaN or inf); got nan" in found
    assert any(p.startswith("vehicle.motor_peak_kW: must be a number, not true/false") for p in found)
    assert any(p.startswith("ranking.weights.pack_mass_kg: must be a finite number") for p in found)
    assert any(p.startswith("requirements.pack_mass_kg.max: must be a finite number") for p in found)
    assert all(len(p) < 300 for p in found)


def test_windows_with_their_defaults_and_motor_shares_are_checked():
    raw = {**VALID, "vehicle": {**VALID["vehicle"], "motor_peak_kW": 100.0, "front_motor_peak_kW": 150.0}}
    assert any("front_motor_peak_kW (150) exceeds motor_peak_kW (100)" in p for p in problems(raw))
    raw = {**VALID, "candidate": [{"name": "a", "pack": {"usable_energy_kWh": 75.0, "soc_min": 0.98}}],
           "study": {"fast_charge": {"soc_end": 0.05}}}
    found = problems(raw)
    assert any(p.startswith("candidate[0].pack: soc_min (0.98) must be below soc_max") for p in found)
    assert any(p.startswith("study.fast_charge: soc_start (0.1) must be below soc_end (0.05") for p in found)


def test_a_huge_echoed_value_is_cut():
    found = problems({**VALID, "study": {"baseline": "x" * 50_000}})
    assert found and all(len(p) <= 603 for p in found)


def test_checks_across_tables_come_with_the_problems_of_other_tables():
    """A bad [study] life route and a bad [cost] year do not hide the problems only the whole
    study shows (duplicate names, a front inverter on a rear-driven car); a problem inside the
    candidates does, as those checks read them (they come in the next run)."""
    raw = {"study": {"procedures": ["wltp", "life"], "life": {"recycling": "landfil"}},
           "vehicle": {"preset": "tesla-model-3-rwd"}, "cost": {"year": 1999},
           "candidate": [{"name": "a", "inverter": {"front": "sic", "rear": "si"}}, {"name": "a"}]}
    with pytest.raises(StudyError) as caught:
        parse_study(raw, source="t.toml")
    lines = sorted(caught.value.problems)
    assert len(lines) == 4, lines
    assert lines[3].startswith("study.life.recycling: unknown recycling route 'landfil'")
    assert lines[2].startswith("cost.year: 1999 has no price index")
    assert lines[0] == "candidate: names must be unique"
    assert lines[1].startswith("candidate[0].inverter: a front inverter is given but the vehicle "
                               "has no front machine")
    raw["candidate"][1]["pack"] = {"series": "x"}
    with pytest.raises(StudyError) as caught:
        parse_study(raw, source="t.toml")
    assert {p.split(":")[0] for p in caught.value.problems} == {
        "study.life.recycling", "cost.year", "candidate[1].pack.series"}


def test_an_unknown_cell_in_the_vehicles_battery_is_a_problem_at_its_key():
    """The vehicle's as-built cell is checked like a candidate's (it stopped an as-built run
    with an internal error)."""
    raw = {"vehicle": {"preset": "tesla-model-3-rwd", "battery": {"cell": "nmc811-pouhc"}},
           "candidate": [{"name": "car", "as_built": True}]}
    with pytest.raises(StudyError) as caught:
        parse_study(raw, source="t.toml")
    [problem] = caught.value.problems
    assert problem.startswith("vehicle.battery.cell: unknown cell preset 'nmc811-pouhc'; did you "
                              "mean 'nmc811-pouch'")
