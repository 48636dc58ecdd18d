"""Inverter and DC-DC booster cost and footprint, the system totals, and their use in the cost
verdict (packstudy.power_electronics)."""

from pathlib import Path

import numpy as np
import pytest

from packstudy import catalog, decision
from packstudy import power_electronics as pe
from packstudy.runner import run_study

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "performance-suv-battery-options.toml"
F = catalog.factor_table("power_electronics")


def v(key):
    return F[key]["value"]


@pytest.mark.parametrize("bus_V", [380.0, 800.0])
def test_sic_inverter_dearer_than_si_by_the_sourced_factor(bus_V):
    si, sic = pe.inverter_cost_usd(["si", "sic"], 250e3, bus_V, year=2024)
    ratio = sic / si
    assert 1.3 <= ratio <= 4.0  # the sourced window
    # the ratio follows from the data file: (1 - s + s k r) / (1 - s + s r)
    s, k = v("semiconductor_share"), v("sic_device_price_ratio")
    dev = v("device_voltage_high_class_V") if bus_V > 450 else v("device_voltage_low_class_V")
    r = dev / v("device_voltage_low_class_V") * v("reference_bus_voltage_V") / bus_V
    assert ratio == pytest.approx((1 - s + s * k * r) / (1 - s + s * r), rel=1e-12)


def test_sic_ratio_stays_in_window_over_the_sampled_range():
    # at the reference bus (r = 1) the corners of the sampled ranges give 1.3 ... 2.0
    bus = v("reference_bus_voltage_V")
    for s in (F["semiconductor_share"]["low"], F["semiconductor_share"]["high"]):
        for k in (F["sic_device_price_ratio"]["low"], F["sic_device_price_ratio"]["high"]):
            over = {"semiconductor_share": {"value": s}, "sic_device_price_ratio": {"value": k}}
            si, sic = pe.inverter_cost_usd(["si", "sic"], 200e3, bus, factors=over)
            assert 1.3 - 1e-12 <= sic / si <= 4.0


def test_reference_si_inverter_costs_the_epa_price_per_kW_in_its_dollar_year():
    # at the reference bus and device class the Si inverter is exactly the EPA/FEV figure
    cost = pe.inverter_cost_usd("si", 100e3, v("reference_bus_voltage_V"))
    assert cost == pytest.approx(100 * v("inverter_si_usd_per_kW"), rel=1e-12)
    cpi = catalog.factor_table("cell_manufacturing")
    later = pe.inverter_cost_usd("si", 100e3, v("reference_bus_voltage_V"), year=2024)
    assert later / cost == pytest.approx(cpi["cpi_2024"]["value"] / cpi["cpi_2019"]["value"])


def test_cost_linear_in_power_and_voltage_class_changes_devices():
    one, two = pe.inverter_cost_usd("si", [100e3, 200e3], 400.0)
    assert two == pytest.approx(2 * one)
    # just below / above the class boundary: 650 V devices at full current vs 1200 V devices
    boundary = catalog.factor("inverter", "voltage_class_boundary_V")
    below, above = pe.inverter_cost_usd("si", 200e3, [boundary, boundary + 1e-6])
    assert above > below  # 1200 V devices on (almost) the same current cost more


def test_booster_only_where_the_charger_cannot_reach_the_pack_voltage():
    # 800 V pack (max 870 V): on a 500 V / 375 A / 150 kW charger it needs a 150 kW booster,
    # on a 920 V charger none; a 400 V pack needs none on either
    w = pe.booster_power_W([870.0, 870.0, 420.0], [150e3, 350e3, 150e3], [375.0, 500.0, 375.0],
                           [500.0, 920.0, 500.0])
    np.testing.assert_allclose(w, [150e3, 0.0, 0.0])
    # limited by the charger's current x voltage when that is below its power
    assert pe.booster_power_W(870.0, 150e3, 200.0, 500.0) == pytest.approx(100e3)
    cost = pe.booster_cost_usd(["si", "sic"], [150e3, 150e3], 800.0, 500.0)
    assert np.all(cost > 0) and cost[1] > cost[0]
    assert pe.booster_cost_usd("sic", 0.0, 800.0, 500.0) == 0.0


def test_system_cost_is_pack_plus_inverter_plus_booster():
    out = pe.system_metrics(["si", "sic", "sic"], [300e3, 300e3, 300e3], [400.0, 800.0, 800.0],
                            [450.0, 870.0, 870.0], [150e3, 150e3, 350e3], [375.0, 375.0, 500.0],
                            [500.0, 500.0, 920.0], [10000.0, 10000.0, 10000.0],
                            [8000.0, 8000.0, 8000.0], year=2024)
    pack_plus_inverter = 10000.0 + out["inverter_cost_usd"]
    assert np.all(out["system_cost_usd"] >= pack_plus_inverter)
    np.testing.assert_allclose(out["system_cost_usd"], pack_plus_inverter + out["booster_cost_usd"])
    np.testing.assert_allclose(out["booster_power_kW"], [0.0, 150.0, 0.0])
    assert out["booster_cost_usd"][1] > 0
    np.testing.assert_allclose(out["system_footprint_kgCO2e"], 8000.0
                               + out["inverter_footprint_kgCO2e"] + out["booster_footprint_kgCO2e"])
    # the SiC premium is defined for every row, as SiC minus Si at the same power and bus
    assert np.all(out["inverter_sic_premium_usd"] > 0)
    assert out["inverter_sic_premium_usd"][1] == pytest.approx(out["inverter_cost_usd"][1] - float(
        pe.inverter_cost_usd("si", 300e3, 800.0, year=2024)))


def test_sic_inverter_has_the_larger_footprint():
    si, sic = pe.inverter_footprint_kgCO2e(["si", "sic"], 200e3, 800.0)
    assert sic > si > 0


def test_unknown_kind_and_bad_power_are_errors():
    with pytest.raises(ValueError, match="gan"):
        pe.inverter_cost_usd("gan", 100e3, 400.0)
    with pytest.raises(ValueError, match="rated_power_W"):
        pe.inverter_cost_usd("si", 0.0, 400.0)


def test_break_even_conserves_range_and_prices_the_saved_energy():
    # 100 kWh usable at 16 kWh/100 km (SiC) against 17 (Si): the Si car needs 106.25 kWh
    out = pe.sic_break_even(100.0, 16.0, 17.0, 9000.0, 500.0)
    assert out["saved_kWh"] == pytest.approx(6.25)
    assert out["saved_usd"] == pytest.approx(6.25 * 90.0)
    assert out["net_usd"] == pytest.approx(6.25 * 90.0 - 500.0)
    assert out["break_even_usd_per_kWh"] == pytest.approx(500.0 / 6.25)
    assert np.isinf(pe.sic_break_even(100.0, 17.0, 17.0, 9000.0, 500.0)["break_even_usd_per_kWh"])


def test_new_results_belong_to_cost_and_sustainability():
    for name in ("inverter_cost_usd", "booster_cost_usd", "system_cost_usd",
                 "inverter_sic_premium_usd"):
        assert decision.area_of(name) == "cost"
    for name in ("inverter_footprint_kgCO2e", "booster_footprint_kgCO2e",
                 "system_footprint_kgCO2e"):
        assert decision.area_of(name) == "sustainability"


@pytest.fixture(scope="module")
def example():
    return run_study(EXAMPLE)


def test_example_cost_verdict_is_on_system_cost(example):
    m = example.metrics
    assert np.all(m["system_cost_usd"] >= m["pack_cost_usd"] + m["inverter_cost_usd"])
    checks = [c for c in example.checks if c["metric"] == "system_cost_usd"]
    assert len(checks) == len(example.names) and {c["area"] for c in checks} == {"cost"}
    # the SiC candidates' inverters are dearer than the Si baseline's
    kinds = np.array([c.inverter for c in example.study.candidate])
    assert m["inverter_cost_usd"][kinds == "sic"].min() > m["inverter_cost_usd"][kinds == "si"].max()


def test_a_system_cost_bound_fails_a_pack_that_passes_on_its_own(example):
    # a bound between the baseline's pack cost and its system cost (pack + inverter): the pack
    # alone passes it, the system does not
    from packstudy import study as st

    m = example.metrics
    i = example.names.index(example.study.study.baseline)
    bound = 0.5 * (m["pack_cost_usd"][i] + m["system_cost_usd"][i])
    assert m["pack_cost_usd"][i] < bound < m["system_cost_usd"][i]
    spec = example.study.model_copy(update={"requirements": {
        "pack_cost_usd": type(example.study.requirements["system_cost_usd"])(max=bound),
        "system_cost_usd": type(example.study.requirements["system_cost_usd"])(max=bound)}})
    verdict = st.decide(spec, example.names, dict(m), {}, envelopes={}).verdicts
    assert verdict[example.names[i]]["cost"] == "fail"
    assert verdict[example.names[i]]["failed"] == ["system_cost_usd max"]


def test_monte_carlo_samples_the_inverter_prices_without_moving_the_pack_samples():
    from packstudy.cost import pack_cost
    from packstudy.spec import UncertaintySettings
    from packstudy.uncertainty import cost_footprint_percentiles

    design = (np.array(["nmc811-graphite", "lfp-graphite"]), np.array([250.0, 644.0]),
              np.array([0.744, 3.68]), np.array(["pouch", "prismatic"]), np.array([400, 156]),
              np.array([100.0, 100.5]), np.array(["module", "cell_to_pack"]))
    electronics = {"kind": ["sic", "si"], "motor_power_W": [300e3, 300e3],
                   "pack_nominal_voltage_V": [800.0, 400.0], "pack_max_voltage_V": [870.0, 450.0],
                   "charger_power_W": [150e3, 150e3], "charger_current_A": [375.0, 375.0],
                   "charger_max_voltage_V": [500.0, 500.0]}
    s = UncertaintySettings(samples=400, seed=3)
    with_pe = cost_footprint_percentiles(*design, n_parallel=[2, 1], settings=s,
                                         electronics=electronics)
    without = cost_footprint_percentiles(*design, n_parallel=[2, 1], settings=s)
    np.testing.assert_array_equal(with_pe["pack_cost_usd_per_kWh_p50"],
                                  without["pack_cost_usd_per_kWh_p50"])
    assert "system_cost_usd_p50" not in without
    p10, p50, p90 = (with_pe[f"system_cost_usd_p{p}"] for p in (10, 50, 90))
    assert np.all(p10 < p50) and np.all(p50 < p90)
    det = pe.system_metrics(**electronics, pack_cost_usd=pack_cost(
        *design, n_parallel=[2, 1]).pack_cost_usd, pack_footprint_kgCO2e=0.0)["system_cost_usd"]
    np.testing.assert_allclose(p50, det, rtol=0.12)


def test_report_shows_the_sic_break_even_per_sic_candidate(example):
    from packstudy.report.break_even import break_even_rows
    from packstudy.report.html import render_report, report_data

    rows = break_even_rows(report_data(example))
    sic = [c.name for c in example.study.candidate if c.inverter == "sic"]
    assert [r["candidate"] for r in rows] == sic
    # no Si candidate of the same cell and integration: each SiC pack is compared with the Si
    # baseline (the car as built)
    assert {r["reference"] for r in rows} == {"Polestar 3 as built"}
    text = render_report(example)
    assert 'id="break-even-table"' in text and "SiC inverter break-even" in text


def test_study_costs_a_booster_for_an_800_V_pack_on_a_500_V_charger():
    study = {
        "schema_version": 1,
        "study": {"name": "booster", "procedures": ["wltp"]},
        "vehicle": {"preset": "polestar-3-long-range-dual-motor", "glider_mass_kg": 2010.0},
        "candidate": [
            {"name": f"{s}s on {c}", "cell": "nmc811-pouch", "inverter": "sic", "charger": c,
             "pack": {"series": s, "parallel": 3 if s < 150 else 2}}  # max 4.2 V x series
            for s, c in ((192, "ccs-150kw-500v"), (192, "ccs-350kw-920v"), (108, "ccs-150kw-500v"))],
    }
    m = run_study(study).metrics
    np.testing.assert_allclose(m["booster_power_kW"], [150.0, 0.0, 0.0])  # min(150 kW, 375 A x 500 V)
    assert m["booster_cost_usd"][0] > 0 and np.all(m["booster_cost_usd"][1:] == 0)
    np.testing.assert_allclose(m["system_cost_usd"], m["pack_cost_usd"] + m["inverter_cost_usd"]
                               + m["booster_cost_usd"])
    assert m["system_footprint_kgCO2e"][0] > m["footprint_kgCO2e"][0] + m["inverter_footprint_kgCO2e"][0]
