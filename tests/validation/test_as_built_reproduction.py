"""Every vehicle preset's as-built car against its published figures (issue 12).

For each shipped preset, a study with only ``[[candidate]] as_built = true`` (the vehicle
calibrated on it to its EPA unadjusted city and highway consumption, where published) is
compared with the maker's and EPA's figures: EPA label range within 5 %, WLTP range within
7 %, 0-100 km/h or 0-60 mph within 10 %, DC fast-charge time within 15 %, pack mass within
5 % (``as_built.TOLERANCE_PCT``). No per-car tuning: the as-built systems are the presets'
sourced or derived values. Prints the table.
"""

from functools import cache

from packstudy import catalog
from packstudy.runner import run_study

MUST = ("polestar-2-long-range-dual-motor", "polestar-2-long-range-single-motor",
        "polestar-3-long-range-dual-motor", "hyundai-ioniq-5-long-range-rwd",
        "hyundai-ioniq-5-long-range-awd", "kia-ev6-long-range-rwd", "kia-ev6-long-range-awd",
        "ford-f150-lightning-extended-range")
# figures outside tolerance today, with the evidence (docs/performance-integration.md section 5
# and the docstring of test_at_least_90_pct_of_the_published_figures_within_tolerance)
KNOWN_MISSES = {
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
    F-150 Lightning presets (the Polestar 2 labels with the derived 5-cycle factor their maker
    certified, ``epa_label_adjustment``)."""
    checked = [r for r in table()
               if r[0] in MUST and (r[1] == "epa_range_km" or r[1].startswith("fast_charge"))]
    assert len(checked) >= 17
    for name, metric, _, _, error, _, within in checked:
        assert within, (name, metric, round(error, 1))


def test_the_misses_are_the_known_ones():
    """A figure that leaves its tolerance, or a known miss that comes within it, shows here."""
    assert {(r[0], r[1]) for r in table() if not r[6]} == KNOWN_MISSES


def test_at_least_90_pct_of_the_published_figures_within_tolerance():
    """Issue 12: 32 of 35 (91 %) since the as-built packs hold the usable energy their EPA
    certificate measured (the Polestar 2 single-motor WLTP range -9.6 % -> -6.7 %, its EPA
    range -4.0 % -> -1.0 %, its 10-80 % time +3.8 % -> +8.0 %). The three misses, none tuned
    away: the Polestar 3 0-100 km/h (4.24 s vs 5.0 s, -15 %; at the 307 kW sum of its machines'
    fueleconomy.gov ratings instead of Polestar's 360 kW it would be 4.64 s, -7 %, but those
    ratings are not reliably peak values), the EV6 AWD 0-100 km/h (4.6 s vs 5.2 s, -11 %; the
    same car as the IONIQ 5 AWD, whose maker quotes 5.1 s, -9 %) and the Bolt 0-60 mph (7.7 s
    vs 6.5 s, +19 %: its front-drive launch is grip-limited at 0.39 g where Edmunds measured
    0.46 g over 0-30 mph; 0.57 of the weight on the front axle would give 7.0 s, but no
    sourced axle load was found, and n-tv 2017 reports "nearly 50:50" for the Opel Ampera-e;
    the 1-ft rollout the 6.5 s matches would take 0.41 s off, 7.34 s, +13 %)."""
    rows = table()
    assert sum(r[6] for r in rows) >= 0.9 * len(rows)
