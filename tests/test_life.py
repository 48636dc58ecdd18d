"""The life procedure in studies: the as-built Polestar 3 against fleet data, climate and DC
fast-charging trends, the Euro 7 and warranty limit checks, bad input."""

import numpy as np
import pytest

from packstudy import life
from packstudy.runner import run_study
from packstudy.spec import StudyError

POLESTAR = "polestar-3-long-range-dual-motor"


def _study(life_table, candidates=None, warranty=None, procedures=("wltp", "fast_charge")):
    study = {"study": {"procedures": list(procedures), "life": life_table},
             "vehicle": {"preset": POLESTAR},
             "candidate": candidates or [{"name": "as built"}]}
    if warranty:
        study["study"]["warranty"] = warranty
    return study


def _retention(life_table, **kw):
    return run_study(_study(life_table, **kw)).metrics["life_capacity_retention_pct"]


@pytest.fixture(scope="module")
def polestar():
    return run_study(_study({"years": 8, "km_per_year": 15000, "climate": "temperate",
                             "dc_fast_share": 0.1, "charge_target": 0.8},
                            warranty={"years": 8, "km": 160000, "min_capacity_pct": 70}))


def test_as_built_polestar_3_keeps_76_to_88_pct_after_8_years(polestar):
    # fleet data: about 1.5-3 %/yr (Geotab 2025, 22,700 vehicles)
    q = polestar.metrics["life_capacity_retention_pct"][0]
    assert 76.0 <= q <= 88.0
    m = {k: v[0] for k, v in polestar.metrics.items()}
    assert m["life_years_to_70pct"] > 8.0
    assert m["life_km_to_70pct"] == pytest.approx(15000 * m["life_years_to_70pct"])
    assert m["life_resistance_growth_pct"] > 0.0
    assert m["life_wltp_range_end_km"] < q / 100 * m["wltp_range_km"]  # resistance costs range too
    # throughput: 8 years x 15,000 km at the WLTP DC consumption, in nominal pack energy
    drawn_MWh = 8 * 15000 * m["wltp_dc_kWh_per_100km"] / 100 / 1e3
    assert m["life_energy_throughput_MWh"] == pytest.approx(
        drawn_MWh * m["pack_energy_kWh"] / m["pack_usable_energy_kWh"], rel=0.08)
    assert m["life_footprint_kgCO2e_per_kWh_delivered"] == pytest.approx(
        m["footprint_kgCO2e"] / (1e3 * m["life_energy_throughput_MWh"]))
    assert m["life_cost_usd_per_km"] == pytest.approx(m["pack_cost_usd"] / 120000)
    assert m["life_second_life_energy_kWh"] == pytest.approx(q / 100 * m["pack_energy_kWh"])
    assert m["lifecycle_kgCO2e_per_km"] > m["footprint_kgCO2e"] / 120000


def test_limit_checks_are_technical_and_fail_the_verdict(polestar):
    checks = {c["metric"]: c for c in polestar.checks.row(0)}
    assert checks["limit:euro7_durability"]["passed"]
    assert checks["limit:warranty"]["limit"] == 70.0 and checks["limit:warranty"]["passed"]
    strict = run_study(_study({}, warranty={"years": 8, "km": 160000, "min_capacity_pct": 90}))
    assert strict.verdicts["as built"]["technical"] == "fail"
    assert "limit:warranty min" in strict.verdicts["as built"]["failed"]


def test_hot_climate_ages_faster():
    temperate, hot, cold = (_retention({"climate": c})[0] for c in ("temperate", "hot", "cold"))
    assert hot < temperate - 2.0
    assert cold < 100.0 and temperate < 100.0


def test_more_dc_fast_charging_ages_faster_on_a_charge_rate_sensitive_model():
    cand = [{"name": "NMC622", "cell": "nmc622-prismatic",
             "pack": {"usable_energy_kWh": 107, "nominal_voltage_V": 400}}]
    low, mid, high = (_retention({"dc_fast_share": s}, candidates=cand)[0] for s in (0.0, 0.1, 0.3))
    assert high < mid < low


def test_more_dc_fast_charging_ages_the_as_built_polestar_faster():
    # its cell maps to the LG M50 fit (C/3 charge only), which borrows the charge-rate stress of
    # the NMC622 fit above C/3 (factors/aging.toml charge_rate_stress)
    q = [_retention({"dc_fast_share": s})[0] for s in (0.0, 0.1, 0.3)]
    assert q[2] < q[1] < q[0]
    assert q[0] - q[2] > 0.3  # points over 8 years; not a rounding effect


def test_retention_strictly_falls_with_dc_share_at_fixed_everything_else():
    usable, window, soc_min = np.array([107.0]), np.array([0.94]), np.array([0.03])
    a = life.aging.cell_aging("nmc-prismatic-catl")
    shares = np.linspace(0.0, 0.5, 6)
    q = []
    for share in shares:
        s = life.settings({"dc_fast_share": float(share)}, None)
        u = life.usage(s, usable, np.array([0.2]), np.array([1.3]), window)
        q.append(life.simulate_life(s, [a], u, window, soc_min, np.array([[8.0]])).retention[0, 0])
    assert np.all(np.diff(q) < 0.0)


def test_user_hourly_climate_csv(tmp_path):
    hours = np.arange(8760)
    temp = 11.0 - 9.0 * np.cos(2 * np.pi * hours / 8760) - 4.0 * np.cos(2 * np.pi * (hours % 24 - 3) / 24)
    path = tmp_path / "site.csv"
    path.write_text("temperature_C\n" + "\n".join(f"{t:.2f}" for t in temp) + "\n")
    c = life.load_climate(str(path))
    assert c.t_max_C.shape == (12,) and np.all(c.t_max_C > c.t_min_C)
    q = _retention({"climate": str(path)})[0]
    assert 70.0 < q < 95.0


def test_bad_life_input_names_the_field():
    with pytest.raises(StudyError, match="did you mean 'temperate'"):
        run_study(_study({"climate": "temperat"}))
    with pytest.raises(StudyError, match="dc_fast_share"):
        run_study(_study({"dc_fast_share": 1.5}))
    with pytest.raises(StudyError, match="years"):
        run_study(_study({"years": 0}))


@pytest.mark.parametrize("cell", ["nmc-prismatic-catl", "lfp-prismatic"])
def test_trace_resolution_is_converged_for_the_calendar_dominated_fits(cell, monkeypatch):
    usable, window, soc_min = np.array([107.0]), np.array([0.94]), np.array([0.03])
    q = {}
    default = life.default
    for minutes in (5.0, default("sample_minutes")):
        monkeypatch.setattr(life, "default",
                            lambda k, m=minutes: m if k == "sample_minutes" else default(k))
        s = life.settings({"dc_fast_share": 0.4}, None)
        u = life.usage(s, usable, np.array([0.17]), np.array([1.3]), window)
        q[minutes] = life.simulate_life(s, [life.aging.cell_aging(cell)], u, window, soc_min,
                                        np.array([[8.0]])).retention[0, 0]
    assert abs(q[5.0] - q[default("sample_minutes")]) < 0.0015


def test_aged_acceleration_and_retention_percentiles():
    # an LFP pack that limits the run (the as-built Polestar 3's CATL pack does not), so the
    # aged cells' higher resistance shows in the 0-100 km/h time
    lfp = {"name": "lfp", "cell": "lfp-prismatic", "inverter": "si",
           "pack": {"usable_energy_kWh": 95, "nominal_voltage_V": 500, "integration": "cell_to_pack"}}
    study = _study({}, candidates=[lfp], procedures=("wltp", "fast_charge", "acceleration"))
    study["uncertainty"] = {"samples": 200, "seed": 3}
    m = run_study(study).metrics
    assert m["life_accel_0_100_end_s"][0] > m["accel_0_100_s"][0]
    p10, p50, p90 = (m[f"life_capacity_retention_pct_p{p}"][0] for p in (10, 50, 90))
    assert p10 < p50 < p90
    assert p10 < m["life_capacity_retention_pct"][0] < p90


def _f_to_C(f):
    return (np.asarray(f, float) - 32.0) / 1.8


# Published 1991-2020 monthly mean air temperatures (degC), the references of the climate data
PUBLISHED_MEANS_C = {
    # Frankfurt am Main airport: Climates to Travel's 1991-2020 table (mean column)
    "temperate": (np.arange(12), [2.2, 3.2, 6.8, 10.9, 15.0, 18.4, 20.6, 20.2, 15.8, 10.9, 6.2,
                                  3.0]),
    # Phoenix Sky Harbor: NOAA 1991-2020 highs/lows in whole degF (Wikipedia 'Climate of
    # Phoenix'), mean = (high + low) / 2
    "hot": (np.arange(12), _f_to_C(np.add([68, 71, 78, 86, 95, 104, 107, 105, 100, 89, 77, 66],
                                          [46, 49, 55, 61, 70, 79, 85, 84, 78, 66, 54, 45]) / 2)),
    # Minneapolis-St. Paul: January normal 16.2 degF (1991-2020, MSP monthly summary 2022)
    "cold": (np.array([0]), _f_to_C([16.2])),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED_MEANS_C))
def test_climate_monthly_means_match_the_published_normals(name):
    months, published = PUBLISHED_MEANS_C[name]
    t = np.arange(0.0, 24.0, 0.25)
    model = life.parked_temperature_C(life.load_climate(name), t).mean(axis=1)
    assert np.max(np.abs(model[months] - published)) <= 0.5


def test_minneapolis_summer_mean_matches_the_published_normal():
    # Star Tribune, 4 Sep 2024: summer 2024 at MSP 71.7 degF, 0.2 degF below the 1991-2020 average
    days = life.DAYS_IN_MONTH[5:8]
    model = life.parked_temperature_C(life.load_climate("cold"), np.arange(0.0, 24.0, 0.25))
    summer = np.average(model[5:8].mean(axis=1), weights=days)
    assert abs(summer - _f_to_C(71.9)) <= 0.5
