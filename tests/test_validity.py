"""Results that cannot be computed: null with a note, a failed technical check, strict JSON."""

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from packstudy import validity
from packstudy.results import write_results
from packstudy.runner import run_study
from packstudy.sweep import pareto_front


def small_study(**vehicle) -> dict:
    """Two candidates on a plain mid-size vehicle (no calibration targets)."""
    return {
        "study": {"name": "t", "procedures": ["wltp", "epa", "acceleration", "fast_charge"]},
        "vehicle": {"name": "car", "glider_mass_kg": 1600.0, "motor_peak_kW": 150.0,
                    "road_load": {"f0_N": 130.0, "f1_N_per_mps": 1.0, "f2_N_per_mps2": 0.4},
                    **vehicle},
        "candidate": [
            # on 50 kW: its NMC811 cells stay below their charge limit
            {"name": "a", "cell": "nmc811-pouch", "pack": {"usable_energy_kWh": 60},
             "charger": "ccs-50kw-500v"},
            {"name": "b", "cell": "lfp-prismatic",
             "pack": {"usable_energy_kWh": 60, "nominal_voltage_V": 300}},
        ],
        "requirements": {"wltp_range_km": {"min": 100}},
    }


@pytest.fixture(scope="module")
def weak():
    return run_study(small_study(motor_peak_kW=1.0))


def test_a_cycle_not_followed_fails_the_technical_verdict_with_a_note(weak):
    for name in weak.names:
        verdict = weak.verdicts[name]
        assert verdict["technical"] == "fail"
        assert "wltp_trace_missed_pct max" in verdict["failed"]
        assert "wltp_range_km min" in verdict["failed"]  # a null value fails its check
    for key in ("wltp_kWh_per_100km", "wltp_range_km", "epa_range_km", "accel_0_100_s"):
        assert np.isnan(weak.metrics[key]).all(), key
    assert weak.metrics["wltp_trace_missed_pct"].min() > 30.0
    text = " ".join(weak.row_notes[0])
    assert "cannot follow WLTC:" in text and "% of the trace missed" in text
    assert "wltp_range_km" in text and "accel_0_100_s" in text
    assert any("cannot follow WLTC" in note for note in weak.notes)


def test_null_results_are_null_in_every_file(weak, tmp_path):
    write_results(weak, tmp_path)
    doc = json.loads((tmp_path / "results.json").read_text(),
                     parse_constant=lambda c: pytest.fail(f"non-JSON token {c}"))
    first = doc["candidates"][0]
    assert first["metrics"]["wltp_range_km"] is None
    assert first["notes"] and "cannot follow" in first["notes"][0]
    table = pq.read_table(tmp_path / "results.parquet")
    assert table.column("wltp_range_km").null_count == 2
    assert table.column("pack_mass_kg").null_count == 0
    csv = (tmp_path / "results.csv").read_text()
    assert "nan" not in csv.lower() and "inf" not in csv.lower()


def _other_notes(result) -> list[str]:
    """The study's notes but the one every uncalibrated vehicle gets (issue 12)."""
    return [n for n in result.notes if not n.startswith("The vehicle has no as-built battery")]


def test_a_healthy_vehicle_has_no_null_and_no_note():
    result = run_study(small_study())
    assert result.row_notes == {} and not _other_notes(result)
    assert (result.metrics["wltp_trace_missed_pct"] == 0).all()
    assert all(v["technical"] == "pass" for v in result.verdicts.values())


def test_a_null_objective_is_never_on_the_pareto_front():
    metrics = {"cost": np.array([1.0, 2.0, np.nan, 0.5]), "range": np.array([5.0, 6.0, 9.0, np.nan])}
    front = pareto_front(metrics, ["min:cost", "max:range"])
    assert front.tolist() == [True, True, False, False]


def test_row_notes_name_the_reason():
    metrics = {"accel_0_100_s": np.array([4.0, np.nan]), "down_kWh_per_100km": np.array([np.nan, 1.0]),
               "down_trace_missed_pct": np.array([0.0, 0.0])}
    notes = validity.row_notes(metrics)
    assert "gives back more energy" in notes[0][0]
    assert "does not reach that speed" in notes[1][0]


def test_a_null_by_design_is_noted_per_candidate_not_in_the_study_notes():
    counts = small_study()
    counts["candidate"][0]["pack"] = {"series": 96, "parallel": 3}
    result = run_study(counts)
    assert np.isnan(result.metrics["pack_requested_usable_energy_kWh"][0])
    assert "cell counts" in result.row_notes[0][0]
    assert not _other_notes(result)


def test_a_null_weighted_metric_makes_the_score_null_with_a_note(weak):
    from packstudy.decision import weighted_score

    score = weighted_score({"wltp_range_km": weak.metrics["wltp_range_km"]}, {"wltp_range_km": 1.0})
    assert np.isnan(score).all()
    notes = validity.row_notes({"score": score})
    assert "a metric it weighs is null" in notes[0][0]


def test_a_pack_that_never_fades_to_70_pct_is_noted_as_such():
    notes = validity.row_notes({"life_years_to_70pct": np.array([15.2, np.nan]),
                                "life_km_to_70pct": np.array([228e3, np.nan])})
    assert list(notes) == [1]
    assert notes[1] == [validity.LIFE_KEPT + "; null: life_years_to_70pct, life_km_to_70pct"]
