"""Design limits never crossed silently: limit: checks, voltage class, plausible packs."""

import numpy as np
import pytest

from packstudy import catalog, limits
from packstudy.runner import run_study
from packstudy.spec import StudyError

VEHICLE = {"preset": "polestar-3-long-range-dual-motor"}
FAST = {"procedures": ["wltp"]}


def test_a_240s2p_nmc811_pack_on_a_920_v_charger_with_a_si_inverter_fails_both_limits():
    """240 cells of 4.2 V reach 1,008 V full: above the 920 V charger, the CCS 1000 V class
    and the 950 V DC-link ceiling of 1200 V parts (1200 V less the 250 V margin)."""
    study = {"study": FAST, "vehicle": VEHICLE, "candidate": [
        {"name": "240s2p", "cell": "nmc811-pouch", "inverter": "si", "charger": "ccs-350kw-920v",
         "pack": {"series": 240, "parallel": 2}}]}
    result = run_study(study)
    assert result.metrics["pack_max_voltage_V"][0] == pytest.approx(240 * 4.2)
    assert result.metrics["pack_min_voltage_V"][0] == pytest.approx(240 * 2.5)
    failed = result.verdicts["240s2p"]["failed"]
    assert {"limit:charger_max_voltage_V max", "limit:inverter_device_voltage_V max",
            "limit:ccs_max_voltage_V max"} <= set(failed)
    assert result.verdicts["240s2p"]["technical"] == "fail"
    check = next(c for c in result.checks if c["metric"] == "limit:charger_max_voltage_V")
    assert (check["limit"], check["margin"]) == (920.0, pytest.approx(920.0 - 1008.0))
    text = " ".join(result.notes)
    assert "above the charger's 920 V" in text and "950 V DC-link ceiling" in text


def test_an_800_v_pack_on_a_500_v_charger_needs_a_booster_and_a_400_v_pack_passes():
    study = {"study": FAST, "vehicle": VEHICLE, "candidate": [
        {"name": "800 V", "cell": "nmc811-pouch", "inverter": "sic", "charger": "ccs-150kw-500v",
         "pack": {"series": 192, "parallel": 2}},
        {"name": "400 V", "cell": "nmc811-pouch", "inverter": "si", "charger": "ccs-150kw-500v",
         "pack": {"series": 96, "parallel": 6}}]}
    result = run_study(study)
    assert "limit:charger_max_voltage_V max" in result.verdicts["800 V"]["failed"]
    assert any("cannot charge there without an on-board DC-DC booster" in n for n in result.notes)
    # 96 x 4.2 = 403 V: within the 500 V charger and the 500 V ceiling of 750 V parts
    assert result.verdicts["400 V"]["technical"] == "pass"
    assert result.metrics["inverter_max_dc_voltage_V"].tolist() == [950.0, 500.0]


def test_the_cells_peak_current_limits_the_motor_power():
    """A 360 kW car on one string of 55.6 Ah cells: 360 kW / 399 V = 902 A against the cell's
    10 s peak (183 A) fails; with 5 strings it passes."""
    study = {"study": FAST, "vehicle": VEHICLE, "candidate": [
        {"name": "1p", "cell": "nmc811-pouch", "pack": {"series": 110, "parallel": 1}},
        {"name": "5p", "cell": "nmc811-pouch", "pack": {"series": 110, "parallel": 5}}]}
    result = run_study(study)
    current = result.metrics["pack_current_at_motor_peak_A"]
    assert current[0] == pytest.approx(360e3 / (110 * 3.63))
    assert "limit:cell_discharge_current_A max" in result.verdicts["1p"]["failed"]
    assert "limit:cell_discharge_current_A max" not in result.verdicts["5p"]["failed"]


@pytest.mark.parametrize("cell", catalog.list_presets("cells"))
def test_800_v_requests_come_out_within_5_pct_or_fail_with_the_reason(cell):
    study = {"study": FAST, "vehicle": VEHICLE, "candidate": [
        {"name": "800", "cell": cell, "inverter": "sic", "charger": "ionna-400kw-1000v",
         "pack": {"usable_energy_kWh": 107, "nominal_voltage_V": 800}}]}
    result = run_study(study)
    volt = result.metrics["pack_nominal_voltage_V"][0]
    energy = result.metrics["pack_usable_energy_kWh"][0]
    within = abs(volt / 800 - 1) <= 0.05 and abs(energy / 107 - 1) <= 0.05
    failed = result.verdicts["800"]["failed"]
    print(f"\n{cell:20} {result.metrics['pack_series'][0]:.0f}s{result.metrics['pack_parallel'][0]:.0f}p "
          f"{volt:.0f} V {energy:.1f} kWh -> {failed}")
    assert abs(volt / 800 - 1) <= 0.05  # the series count nearest 800 V
    if not within:
        assert "limit:usable_energy_kWh max" in failed
        assert any(n.startswith("'800' fails limit:usable_energy_kWh") for n in result.notes)


@pytest.mark.parametrize("pack, field", [
    ({"series": 1, "parallel": 1}, "candidate[0].pack.series"),
    ({"nominal_voltage_V": 5, "parallel": 1}, "candidate[0].pack.nominal_voltage_V"),
    ({"series": 10000, "parallel": 1}, "candidate[0].pack.series"),
    ({"series": 110, "parallel": 60}, "candidate[0].pack.parallel"),
    ({"series": 110, "parallel": 40}, "candidate[0].pack:"),
])
def test_implausible_packs_are_invalid_input_naming_the_field(pack, field):
    study = {"study": FAST, "vehicle": VEHICLE,
             "candidate": [{"name": "x", "cell": "nmc811-pouch", "pack": pack}]}
    with pytest.raises(StudyError) as err:
        run_study(study)
    assert field in str(err.value)
    # the reason: the plausibility bound's data file, the vehicle's mass, or the input bound's
    # allowed range (data/factors/input_bounds.toml, issue 13)
    assert any(why in str(err.value) for why in ("data/factors/limits.toml", "test_mass_kg", "allowed:"))


def test_a_5_v_pack_exits_2_from_the_command_line(tmp_path):
    from typer.testing import CliRunner

    from packstudy.cli import app

    study = tmp_path / "s.toml"
    study.write_text('[study]\nprocedures = ["wltp"]\n'
                     '[vehicle]\npreset = "polestar-3-long-range-dual-motor"\n'
                     '[[candidate]]\nname = "5 V"\npack = { series = 1, parallel = 1 }\n')
    out = CliRunner().invoke(app, ["run", str(study), "--out", str(tmp_path / "out")])
    assert out.exit_code == 2
    assert "candidate[0].pack.series" in out.output and "48-1500 V" in out.output


def test_inverter_ceiling_by_device_class():
    got = limits.inverter_max_dc_voltage_V(np.array(["si", "si", "sic"]), [400.0, 700.0, 400.0])
    assert got.tolist() == [500.0, 950.0, 950.0]


def test_crossed_limits_are_listed_with_margins_in_the_terminal(tmp_path):
    from typer.testing import CliRunner

    from packstudy.cli import app

    study = tmp_path / "s.toml"
    study.write_text('[study]\nprocedures = ["wltp"]\n'
                     '[vehicle]\npreset = "polestar-3-long-range-dual-motor"\n'
                     '[[candidate]]\nname = "240s2p"\ncell = "nmc811-pouch"\ninverter = "si"\n'
                     'charger = "ccs-350kw-920v"\npack = { series = 240, parallel = 2 }\n')
    out = CliRunner().invoke(app, ["run", str(study), "--out", str(tmp_path / "out")],
                             env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "Design limits crossed" in out.output
    assert "limit:charger_max_voltage_V max" in out.output and "-88 (-9.6 %)" in out.output
    assert "limit:inverter_device_voltage_V max" in out.output


def test_a_hot_day_charge_is_held_at_the_cells_charge_limit_and_the_note_says_so():
    """The as-built IONIQ 5 charged 10-80 % from 35 degC cells on 35 degC coolant (a hot day)
    would take its cells to about 52 degC: the charge holds them at their 45 degC charge limit
    instead, as the battery management does, and takes longer; the note names the candidate
    and how long it was held. On a 150 kW charger with 15 degC coolant the cells heat but
    never reach it: no hold, no note."""
    study = {"study": {"procedures": ["wltp", "fast_charge"],
                       "fast_charge": {"coolant_C": 35.0, "temperature_C": 35.0}},
             "vehicle": {"preset": "hyundai-ioniq-5-long-range-awd"},
             "candidate": [{"name": "as built", "as_built": True}]}
    hot = run_study(study)
    limit_C = catalog.factor("thermal", "cell_charge_limit_C")
    held_min = hot.metrics["fast_charge_held_at_temp_limit_min"][0]
    assert hot.metrics["fast_charge_max_cell_temp_C"][0] == pytest.approx(limit_C, abs=1e-3)
    assert held_min > 1.0
    assert hot.metrics["fast_charge_10_80_min"][0] > 18.0 * 1.1  # published 18 min at 25 degC
    assert not any("fast_charge" in name for name in hot.verdicts["as built"]["failed"])
    [note] = [n for n in hot.notes if "charge limit" in n]
    assert f"'as built' for {held_min:.1f} min" in note and f"{limit_C:.0f} °C" in note
    cool = run_study({"study": {**study["study"], "fast_charge": {"coolant_C": 15.0}},
                      "vehicle": study["vehicle"], "candidate": [
                          {"name": "as built", "as_built": True, "charger": "ccs-150kw-920v"}]})
    assert cool.metrics["fast_charge_peak_kW"][0] > 100  # it does charge
    assert 25.0 < cool.metrics["fast_charge_max_cell_temp_C"][0] < limit_C  # it heats, within
    assert cool.metrics["fast_charge_held_at_temp_limit_min"][0] == 0.0
    assert not [n for n in cool.notes if "charge limit" in n]
