"""Every vehicle preset's as-built car against its published figures (issue 12).

For each shipped preset, a study with only ``[[candidate]] as_built = true`` (the vehicle
calibrated on it to its EPA unadjusted city and highway consumption, where published) is
compared with the maker's and EPA's figures: EPA label range within 5 %, WLTP range within
7 %, 0-100 km/h or 0-60 mph within 10 %, DC fast-charge time within 15 %, pack mass within
5 % (``as_built.TOLERANCE_PCT``). No per-car tuning: the as-built systems are the presets'
sourced or derived values. Prints the table.
"""

from functools import cache

import pytest

from packstudy import catalog
from packstudy.runner import run_study

MUST = ("polestar-2-long-range-dual-motor", "polestar-2-long-range-single-motor",
        "polestar-3-long-range-dual-motor", "hyundai-ioniq-5-long-range-rwd",
        "hyundai-ioniq-5-long-range-awd", "kia-ev6-long-range-rwd", "kia-ev6-long-range-awd",
        "ford-f150-lightning-extended-range")
# figures outside tolerance today, with the evidence (docs/limits.md, docs/performance-integration.md)
KNOWN_MISSES = {
    ("polestar-2-long-range-dual-motor", "epa_range_km"),
    ("polestar-2-long-range-single-motor", "epa_range_km"),
    ("polestar-2-long-range-single-motor", "wltp_range_km"),
    ("polestar-3-long-range-dual-motor", "accel_0_100_s"),
    ("chevrolet-bolt-ev", "accel_0_60mph_s"),
    # -11.6 % since the lg-m50 refit on real pulses (issue 18): the pack sags less
    ("kia-ev6-long-range-awd", "accel_0_100_s"),
}


@cache
def table() -> tuple[tuple, ...]:
    """(preset, metric, published, model, error %, tolerance %, within) for every judged figure."""
    rows = []
    for name in catalog.list_presets("vehicles"):
        result = run_study({"vehicle": {"preset": name}, "candidate": [{"name": "car", "as_built": True}]})
        for r in result.reproduction:
            if r["tolerance_pct"] is not None:
                rows.append((name, r["metric"], r["published"], r["model"], r["error_pct"],
                             r["tolerance_pct"], r["within"]))
    return tuple(rows)


def test_print_the_table_and_every_preset_has_an_as_built_car():
    rows = table()
    print("\npreset                               figure                    published    model   error  tol")
    for name, metric, published, model, error, tol, within in rows:
        print(f"{name:36} {metric:24} {published:9.1f} {model:8.1f} {error:+6.1f} % {tol:3g} %"
              f"{'' if within else '  MISS'}")
    within = sum(r[6] for r in rows)
    print(f"within tolerance: {within} of {len(rows)} ({100 * within / len(rows):.0f} %)")
    assert {r[0] for r in rows} == set(catalog.list_presets("vehicles"))
    assert len(rows) >= 30


def test_epa_ranges_and_dc_charge_times_of_the_named_cars_within_tolerance():
    """Issue 12: every EPA range and DC charge time of the Polestar 2/3, IONIQ 5, EV6 and
    F-150 Lightning presets; the Polestar 2 EPA ranges are the documented exception below."""
    checked = [r for r in table()
               if r[0] in MUST and (r[1] == "epa_range_km" or r[1].startswith("fast_charge"))]
    assert len(checked) >= 17
    for name, metric, _, _, error, _, within in checked:
        if (name, metric) not in KNOWN_MISSES:
            assert within, (name, metric, round(error, 1))


def test_the_misses_are_the_known_ones():
    """A figure that leaves its tolerance, or a known miss that comes within it, shows here."""
    assert {(r[0], r[1]) for r in table() if not r[6]} == KNOWN_MISSES


@pytest.mark.xfail(strict=True, reason=(
    "Polestar 2 EPA label ranges: model 370 km vs 401 km (dual motor, -7.6 %) and 477 km vs 515 km "
    "(single motor, -7.5 %). The EPA range rests on the energy EPA measured out of the pack (single "
    "motor: certificate MCT 82.4 kWh DC) while the pack is modelled with the maker's usable energy "
    "(79 kWh; 3-98 % window), 3-4 % less; the rest is the calibration's AC/DC split (both cars fit "
    "their EPA consumption only at a parameter bound). Not tuned per car"))
def test_polestar_2_epa_ranges_within_5_pct():
    for name, metric, _, _, error, _, within in table():
        if name.startswith("polestar-2") and metric == "epa_range_km":
            assert within, (name, round(error, 1))


@pytest.mark.xfail(strict=True, reason=(
    "29 of 35 judged figures (83 %) within tolerance, issue 12 asks 90 %: the misses are the "
    "EV6 AWD 0-100 km/h (4.6 s vs 5.2 s, -11.6 %, since the lg-m50 refit on real pulses), the "
    "Polestar 2 EPA ranges (-7.6 %, -7.5 %) and single-motor WLTP range (-10.1 %), the Polestar 3 "
    "0-100 km/h (4.3 s vs 5.0 s, -14 %, docs/performance-integration.md section 6) and the Bolt "
    "0-60 mph (+19 %, FWD grip with default wheel radius and load split)"))
def test_at_least_90_pct_of_the_published_figures_within_tolerance():
    rows = table()
    assert sum(r[6] for r in rows) >= 0.9 * len(rows)
