import numpy as np
import pytest

from packstudy import decision


def test_areas_follow_result_names():
    assert decision.area_of("pack_cost_usd_per_kWh") == "cost"
    assert decision.area_of("footprint_kgCO2e") == "sustainability"
    assert decision.area_of("cobalt_kg") == "sustainability"
    assert decision.area_of("pack_mass_kg") == "technical"
    assert decision.area_of("wltp_range_km") == "technical"


def test_margins_signed_in_unit_and_percent_and_verdicts_by_area():
    metrics = {"wltp_range_km": np.array([600.0, 500.0]),
               "pack_cost_usd_per_kWh": np.array([120.0, 90.0]),
               "pack_mass_kg": np.array([500.0, 700.0]), "pack_volume_L": np.array([300.0, 450.0])}
    checks = decision.check_requirements(
        ["a", "b"], metrics, {"wltp_range_km": (560.0, None), "pack_cost_usd_per_kWh": (None, 100.0)},
        {"pack_mass_kg": np.array([650.0, 650.0]), "pack_volume_L": np.array([np.nan, 400.0])})
    by = {(c["candidate"], c["metric"]): c for c in checks}
    assert len(checks) == 7  # the volume envelope only on b (NaN: none)
    assert ("a", "pack_volume_L") not in by and by["b", "pack_volume_L"]["passed"] is False
    assert by["a", "wltp_range_km"]["margin"] == pytest.approx(40.0)
    assert by["a", "wltp_range_km"]["margin_pct"] == pytest.approx(100 * 40 / 560)
    assert by["a", "pack_cost_usd_per_kWh"]["margin"] == pytest.approx(-20.0)
    assert by["b", "pack_mass_kg"]["passed"] is False
    v = decision.verdicts(["a", "b"], checks)
    assert (v["a"]["technical"], v["a"]["cost"], v["a"]["sustainability"]) == ("pass", "fail", "not assessed")
    assert (v["b"]["technical"], v["b"]["cost"], v["b"]["overall"]) == ("fail", "pass", "fail")
    assert v["b"]["failed"] == ["wltp_range_km min", "pack_mass_kg max", "pack_volume_L max"]
    assert (v["a"]["checked"], v["b"]["checked"]) == (3, 4)


def test_checks_convert_to_a_dataframe_row_for_row():
    pytest.importorskip("pandas")
    metrics = {"wltp_range_km": np.array([600.0, 500.0, 580.0]),
               "pack_mass_kg": np.array([500.0, 700.0, 640.0])}
    checks = decision.check_requirements(
        ["a", "b", "c"], metrics, {"wltp_range_km": (560.0, 590.0)},
        {"pack_mass_kg": np.array([650.0, np.nan, 600.0])})
    frame = checks.to_pandas()
    assert frame.to_dict("records") == list(checks)
    assert len(frame) == len(checks) == 8  # b has no mass envelope
    assert frame.loc[~frame["passed"], ["candidate", "metric", "bound"]].values.tolist() == [
        ["a", "wltp_range_km", "max"], ["b", "wltp_range_km", "min"], ["c", "pack_mass_kg", "max"]]


def test_no_requirements_no_verdict():
    checks = decision.check_requirements(["a", "b"], {"x": np.array([1.0, 2.0])}, {}, {})
    assert len(checks) == 0 and list(checks) == []
    v = decision.verdicts(["a", "b"], checks)
    assert v["b"] == {"technical": "not assessed", "cost": "not assessed",
                      "sustainability": "not assessed", "overall": "pass", "failed": [], "checked": 0}


def test_deltas_to_baseline_and_weighted_score():
    metrics = {"x": np.array([1.0, 3.0, 2.0]), "y": np.array([10.0, 10.0, 0.0])}
    d = decision.deltas_to_baseline(metrics, 2)
    np.testing.assert_allclose(d["delta_x"], [-1.0, 1.0, 0.0])
    score = decision.weighted_score(metrics, {"x": 1.0, "y": -2.0})
    # x scaled 0, 1, 0.5; y (smaller is better) scaled 0, 0, 1 times 2
    np.testing.assert_allclose(score, [0.0, 1.0, 2.5])


def test_notes_name_an_oversized_pack_and_a_fixed_test_mass():
    """Asked 77 kWh at 700 V, the 202 Ah LFP prismatic has no pack within 5 % of both: at
    219 cells in series (701 V) one string holds 137.5 kWh. The candidate fails its
    limit:usable_energy_kWh check and the notes say why. With the preset's fixed test mass,
    packs of 469 and 1,326 kg leave the consumption equal, and the result says that too;
    with a glider mass it does not."""
    from packstudy.report.html import render_report
    from packstudy.results import results_document
    from packstudy.runner import run_study

    study = {"study": {"procedures": ["wltp"]}, "vehicle": {"preset": "kia-ev6-long-range-awd"},
             "candidate": [{"name": "own"},
                           {"name": "lfp", "cell": "lfp-prismatic",
                            "pack": {"usable_energy_kWh": 77, "nominal_voltage_V": 700}}]}
    result = run_study(study)
    fixed_mass, oversized = result.notes
    assert result.reproduction == []  # none of the EV6's published figures is a WLTP result
    assert oversized.startswith("'lfp' fails limit:usable_energy_kWh: its 219s1p pack has 701 V "
                                "and 137.5 kWh usable for 700 V and 77 kWh asked; no pack of its cell")
    assert result.verdicts["lfp"]["failed"] == ["limit:usable_energy_kWh max"]
    assert result.verdicts["own"]["technical"] == "pass"
    assert "vehicle test mass is 2,155 kg for every candidate" in fixed_mass
    assert result.metrics["wltp_kWh_per_100km"][1] == pytest.approx(
        result.metrics["wltp_kWh_per_100km"][0], rel=0.01)  # what the note warns of
    assert results_document(result)["notes"] == result.notes
    assert "Note: &#39;lfp&#39; fails limit:usable_energy_kWh" in render_report(result)
    glider = {**study, "vehicle": {**study["vehicle"], "glider_mass_kg": 1700.0}}
    result = run_study(glider)
    assert len(result.notes) == 1 and result.notes[0].startswith("'lfp' fails")
    assert result.metrics["wltp_kWh_per_100km"][1] > 1.03 * result.metrics["wltp_kWh_per_100km"][0]
