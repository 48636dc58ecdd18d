"""Readable labels, units and number formatting for result names in the report."""

from __future__ import annotations

import math
import re

# Unit suffixes of result names (DESIGN §3), longest first.
UNITS = (
    ("_years_to_70pct", "years"), ("_km_to_70pct", "km"), ("_pct", "%"), ("_MWh", "MWh"),
    ("_kgCO2e_per_kWh_delivered", "kg CO2e/kWh"), ("_kgCO2e_per_km", "kg CO2e/km"),
    ("_usd_per_km", "USD/km"), ("_kWh_per_100km", "kWh/100 km"), ("_usd_per_kWh", "USD/kWh"),
    ("_kgCO2e_per_kWh", "kg CO2e/kWh"), ("_Wh_per_kg", "Wh/kg"), ("_kgCO2e", "kg CO2e"),
    ("_kWh", "kWh"), ("_kmh", "km/h"), ("_km", "km"), ("_kg", "kg"), ("_kW", "kW"),
    ("_W", "W"), ("_V", "V"), ("_A", "A"), ("_L", "L"), ("_min", "min"), ("_s", "s"),
    ("_usd", "USD"), ("_C", "°C"),
)

LABELS = {
    "pack_series": "Cells in series", "pack_parallel": "Cells in parallel",
    "pack_cells": "Cells", "pack_energy_kWh": "Pack energy",
    "pack_usable_energy_kWh": "Usable energy",
    "pack_requested_usable_energy_kWh": "Usable energy asked", "pack_nominal_voltage_V": "Nominal voltage",
    "pack_mass_kg": "Pack mass", "pack_volume_L": "Pack volume",
    "pack_specific_energy_Wh_per_kg": "Pack specific energy",
    "vehicle_test_mass_kg": "Vehicle test mass",
    "wltp_range_km": "WLTP range", "epa_range_km": "EPA label range",
    "wltp_kWh_per_100km": "WLTP", "epa_city_kWh_per_100km": "EPA city (label)",
    "epa_highway_kWh_per_100km": "EPA highway (label)",
    "epa_combined_kWh_per_100km": "EPA combined (label)",
    "epa_city_unadjusted_kWh_per_100km": "EPA city (unadjusted)",
    "epa_highway_unadjusted_kWh_per_100km": "EPA highway (unadjusted)",
    "cold_kWh_per_100km": "Cold weather", "cold_dc_kWh_per_100km": "Cold weather (DC)",
    "cabin_heating_W": "Cabin heating", "wltp_dc_kWh_per_100km": "WLTP (DC)",
    "wltp_shortfall_kWh": "WLTP: energy not delivered", "epa_shortfall_kWh": "EPA: energy not delivered",
    "pareto": "On the Pareto front",
    "accel_0_100_s": "0-100 km/h", "accel_80_120_s": "80-120 km/h",
    "accel_0_60mph_s": "0-60 mph",
    "top_speed_kmh": "Top speed", "peak_power_kW_at_20pct_soc": "Peak power at 20 % SOC",
    "fast_charge_peak_kW": "Fast-charge peak", "fast_charge_energy_kWh": "Fast-charge energy",
    "fast_charge_km_in_10_min": "WLTP range added in 10 min", "fast_charge_loss_kWh": "Fast-charge loss",
    "fast_charge_max_cell_V": "Fast-charge peak cell voltage",
    "fast_charge_max_cell_temp_C": "Fast-charge peak cell temperature",
    "fast_charge_soc_reached": "Fast-charge window reached",
    "cell_cost_usd_per_kWh": "Cell manufacturing cost", "pack_cost_usd_per_kWh": "Pack manufacturing cost",
    "pack_cost_usd": "Pack manufacturing cost", "footprint_kgCO2e_per_kWh": "Footprint",
    "launch_repeat_first_time_s": "Repeated launches: first run",
    "launch_repeat_last_time_s": "Repeated launches: last run",
    "launch_repeat_runs_within_5pct": "Runs within 5 % of the first",
    "launch_repeat_derated_runs": "Runs with thermal derating",
    "launch_repeat_end_cell_temperature_C": "Cell temperature after the launches",
    "track_first_lap_s": "Track: first lap", "track_last_lap_s": "Track: last lap",
    "track_laps_within_2pct": "Laps within 2 % of the first",
    "track_peak_cell_temperature_C": "Track: peak cell temperature",
    "track_peak_machine_temperature_C": "Track: peak machine temperature",
    "track_peak_inverter_temperature_C": "Track: peak inverter temperature",
    "track_energy_per_lap_kWh": "Track: energy per lap", "track_derated_laps": "Laps with thermal derating",
    "track_chiller_kW_required": "Chiller for laps without pack derating",
    "cold_pack_temperature_C": "Cell temperature after preconditioning",
    "fast_charge_10_80_min_at_minus10C": "Fast charge 10-80 % from -10 °C, preconditioned",
    "fast_charge_peak_kW_at_minus10C": "Fast-charge peak from -10 °C, preconditioned",
    "footprint_kgCO2e": "Footprint", "lithium_kg": "Lithium", "nickel_kg": "Nickel",
    "cobalt_kg": "Cobalt", "manganese_kg": "Manganese", "graphite_kg": "Graphite",
    "copper_kg": "Copper", "aluminium_kg": "Aluminium", "score": "Weighted score",
    "inverter_cost_usd": "Inverter cost", "inverter_sic_premium_usd": "SiC inverter premium",
    "booster_power_kW": "DC-DC booster rating", "booster_cost_usd": "DC-DC booster cost",
    "system_cost_usd": "System cost (pack + inverter + booster)",
    "inverter_footprint_kgCO2e": "Inverter footprint", "booster_footprint_kgCO2e": "Booster footprint",
    "system_footprint_kgCO2e": "System footprint (pack + inverter + booster)",
    "life_capacity_retention_pct": "Capacity at life end",
    "life_resistance_growth_pct": "Resistance growth at life end",
    "life_years_to_70pct": "Years to 70 % capacity", "life_km_to_70pct": "km to 70 % capacity",
    "life_wltp_range_end_km": "WLTP range at life end",
    "life_energy_throughput_MWh": "Energy delivered over life",
    "life_footprint_kgCO2e_per_kWh_delivered": "Footprint per kWh delivered",
    "lifecycle_kgCO2e_per_km": "Battery + electricity CO2e per km",
    "life_cost_usd_per_km": "Pack cost per km",
    "limit:warranty": "Warranty (capacity)", "limit:euro7_durability": "Euro 7 durability",
    # breakdown parts
    "gsa": "General, sales and administration", "rnd": "R&D",
    "cell_monitoring_and_bms": "Cell monitoring and BMS", "bms": "BMS",
}

# names whose suffix is not their unit
UNIT_OF = {"fast_charge_km_in_10_min": "km", "fast_charge_soc_reached": ""}

# names that follow a setting (the charge window, the cold ambient) or a custom cycle's label
PATTERNS = (
    (re.compile(r"fast_charge_(\d+)_(\d+)_min"), r"Fast charge \1-\2 %"),
    (re.compile(r"range_at_minus(\d+)C_km"), r"Range at -\1 °C"),
    (re.compile(r"range_at_(\d+)C_km"), r"Range at \1 °C"),
    (re.compile(r"accel_0_100_s_at_minus(\d+)C"), r"0-100 km/h at -\1 °C"),
    (re.compile(r"accel_0_100_s_at_(\d+)C"), r"0-100 km/h at \1 °C"),
    (re.compile(r"(\w+)_shortfall_kWh"), r"\1: energy not delivered"),
    (re.compile(r"(\w+)_range_km"), r"\1 range"),
)

_PERCENTILE = re.compile(r"_p(\d+)$")


def unit_of(name: str) -> str:
    """The unit of a result name from its suffix ('' when dimensionless or unknown)."""
    name = _PERCENTILE.sub("", name)
    if name in UNIT_OF:
        return UNIT_OF[name]
    for candidate in (name, name.split("_at_")[0]):
        for suffix, unit in UNITS:
            if candidate.endswith(suffix):
                return unit
    return ""


def label(name: str) -> str:
    """A short readable label for a result name or breakdown part."""
    match = _PERCENTILE.search(name)
    if match:
        return f"{label(name[:match.start()])} P{match.group(1)}"
    if name in LABELS:
        return LABELS[name]
    for pattern, text in PATTERNS:
        if pattern.fullmatch(name):
            return _words(pattern.sub(text, name))
    unit = next((suffix for suffix, _ in UNITS if name.endswith(suffix)), "")
    return _words(name[:len(name) - len(unit)] if unit and len(unit) < len(name) else name)


def needs_baseline_mark(name: str, baseline: str | None) -> bool:
    """Whether the column of candidate ``name`` gets " (baseline)": it is the study's baseline
    and its name does not say so already."""
    return name == baseline and "(baseline)" not in name.lower()


def _words(text: str) -> str:
    """Underscores as spaces, the first letter upper case (the rest as written)."""
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def number(x) -> str:
    """A value rounded for reading: 3-4 significant figures, thousands separated, 'n/a' for a
    null (NaN) value."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    x = float(x)
    if abs(x) >= 100 or (x == int(x) and abs(x) < 1e6):
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 0.1 else f"{x:.3g}"
