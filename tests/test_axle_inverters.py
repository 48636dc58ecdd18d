"""Inverter technology per axle: ``inverter = { front = "si", rear = "sic" }`` in a candidate
(or a vehicle's as-built battery), fed to the drive-cycle losses per machine and to the
power-electronics cost and footprint per axle."""

import numpy as np
import pytest

from packstudy import inverter, power_electronics
from packstudy.runner import run_study
from packstudy.spec import StudyError, parse_study

ROAD = {"f0_N": 130.0, "f1_N_per_mps": 1.5, "f2_N_per_mps2": 0.40}
MOTORS = [{"axle": "front", "type": "induction", "peak_kW": 100.0},
          {"axle": "rear", "type": "pmsm", "peak_kW": 200.0}]


def _study(inverters, motors=MOTORS, drive=None):
    vehicle = {"name": "x", "test_mass_kg": 2100.0, "road_load": ROAD}
    if motors is not None:
        vehicle["motors"] = motors
    else:
        vehicle.update(motor_peak_kW=300.0, drive=drive)
    return {"study": {"procedures": ["epa"]}, "vehicle": vehicle,
            "candidate": [{"name": f"c{i}", "inverter": inv, "pack": {"usable_energy_kWh": 75.0}}
                          for i, inv in enumerate(inverters)]}


@pytest.fixture(scope="module")
def mixed():
    """All Si, Si front + SiC rear, SiC front + Si rear, all SiC, and the table form of all SiC."""
    return run_study(_study(["si", {"front": "si", "rear": "sic"}, {"front": "sic", "rear": "si"},
                             "sic", {"front": "sic", "rear": "sic"}])).metrics


def test_a_single_kind_means_every_axle(mixed):
    for key in ("epa_city_unadjusted_kWh_per_100km", "inverter_cost_usd", "inverter_footprint_kgCO2e"):
        assert mixed[key][3] == mixed[key][4], key


def test_each_axles_technology_moves_the_drive_cycle_losses(mixed):
    for cycle in ("city", "highway"):
        c = np.asarray(mixed[f"epa_{cycle}_unadjusted_kWh_per_100km"], float)
        # SiC anywhere saves energy; on the rear machine (two thirds of the power, the one
        # that runs alone at light load) far more than on the front induction machine, which
        # the loss-minimising split leaves unenergised but in the hardest accelerations
        assert c[0] > c[2] > c[1] >= c[3], (cycle, c)
        assert c[0] - c[2] < 0.1 * (c[0] - c[1])
        assert c[1] == pytest.approx(c[3], rel=1e-3)


def test_cost_and_footprint_are_the_sum_over_axles(mixed):
    cost = np.asarray(mixed["inverter_cost_usd"], float)
    fp = np.asarray(mixed["inverter_footprint_kgCO2e"], float)
    # each axle is its share (100 / 300 front, 200 / 300 rear) of a full-power inverter
    for values in (cost, fp):
        assert values[1] == pytest.approx(values[0] / 3 + 2 * values[3] / 3, rel=1e-12)
        assert values[2] == pytest.approx(2 * values[0] / 3 + values[3] / 3, rel=1e-12)
    si, sic = cost[0], cost[3]
    assert 1.3 <= sic / si <= 4.0  # the sourced SiC/Si factor, per axle alike


def test_combined_row_is_the_share_weighted_loss_of_the_two():
    """Acceleration and the track run both machines in proportion to their ratings: one row
    whose loss is exactly the two inverters' (each rated at its share) sum."""
    si, sic = (inverter.inverter_parameters(k, 300e3, 400.0)[0] for k in ("si", "sic"))
    combined = inverter.combined_parameters(np.array([[si, sic]]), np.array([1 / 3]))
    t, s, v = np.linspace(0.0, 1.0, 7), 0.6, 380.0
    expected = (inverter.inverter_loss_map_W(si, t, s, v) / 3
                + 2 * inverter.inverter_loss_map_W(sic, t, s, v) / 3)
    np.testing.assert_allclose(inverter.inverter_loss_map_W(combined, t, s, v), expected, rtol=1e-12)
    same = inverter.combined_parameters(np.array([[si, si]]), np.array([0.3]))
    assert np.array_equal(same[0], si)


def test_booster_takes_the_larger_machines_technology():
    out = power_electronics.system_metrics(
        ["si"], [300e3], [800.0], [900.0], [150e3], [375.0], [500.0], [10_000.0], [5_000.0],
        kind_2=["sic"], share_1=[1 / 3])
    sic = power_electronics.system_metrics(
        ["sic"], [300e3], [800.0], [900.0], [150e3], [375.0], [500.0], [10_000.0], [5_000.0])
    assert out["booster_cost_usd"][0] == pytest.approx(sic["booster_cost_usd"][0], rel=1e-12)
    assert out["booster_cost_usd"][0] > 0


@pytest.mark.parametrize("inverters, motors, drive, words", [
    ({"rear": "sic"}, MOTORS, None, "no inverter for the front axle"),
    ({"front": "si", "rear": "sic"}, [MOTORS[1]], None, "no front machine"),
    ({"front": "si", "rear": "sic"}, None, "AWD", "one combined machine"),
    ({}, MOTORS, None, "give the front and/or rear inverter"),
])
def test_per_axle_inverters_that_do_not_fit_the_machines_are_errors(inverters, motors, drive, words):
    with pytest.raises(StudyError) as err:
        parse_study(_study([inverters], motors, drive))
    assert "candidate[0].inverter" in str(err.value) and words in str(err.value)


def test_a_rear_drive_car_takes_a_rear_only_table_and_a_sweep_of_tables():
    study = _study([{"rear": "sic"}], [MOTORS[1]])
    study["sweep"] = {"inverter": ["si", {"rear": "sic"}]}
    m = run_study(study).metrics
    c = np.asarray(m["epa_city_unadjusted_kWh_per_100km"], float)
    assert c[1] < c[0]
    with pytest.raises(StudyError, match=r'sweep\."inverter"\[1\].*no front machine'):
        parse_study({**study, "sweep": {"inverter": ["si", {"front": "sic"}]}})


def test_the_as_built_system_carries_its_inverters_per_axle():
    def cost(inv):
        study = {"study": {"procedures": []},
                 "vehicle": {"preset": "polestar-3-long-range-dual-motor", "battery": {"inverter": inv}},
                 "candidate": [{"name": "car", "as_built": True}]}
        return float(run_study(study).metrics["inverter_cost_usd"][0])

    si, mixed, sic = cost("si"), cost({"front": "si", "rear": "sic"}), cost("sic")
    # 127 kW front, 180 kW rear (the preset's motors)
    assert mixed == pytest.approx(si + 180 / 307 * (sic - si), rel=1e-12)


def test_sic_on_every_axle_as_a_table_gets_its_break_even_like_sic():
    """``{ front = "sic", rear = "sic" }`` is the same system as ``"sic"``: same results and
    the same row in the report's SiC break-even table (mixed axles have none)."""
    from packstudy.report_inputs import break_even

    def evens(inv):
        study = _study(["si", inv, {"front": "si", "rear": "sic"}])
        study["study"]["procedures"] = ["wltp"]
        return break_even(run_study(study))

    table, plain = evens({"front": "sic", "rear": "sic"}), evens("sic")
    assert list(plain["rows"]) == list(table["rows"]) == [1]
    assert table["break_even_usd_per_kWh"][0] == plain["break_even_usd_per_kWh"][0]


@pytest.mark.parametrize("bad", [5, ["si"]])
def test_a_swept_inverter_neither_kind_nor_table_is_one_problem_not_a_crash(bad):
    study = _study(["si"])
    study["sweep"] = {"inverter": ["si", bad]}
    with pytest.raises(StudyError) as err:
        parse_study(study)
    assert [p for p in err.value.problems if p.startswith('sweep."inverter"[1]')], err.value.problems
