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
    "range_at_minus7C_km": "Range at -7 °C",
    "wltp_kWh_per_100km": "WLTP", "epa_city_kWh_per_100km": "EPA city (label)",
    "epa_highway_kWh_per_100km": "EPA highway (label)",
    "epa_combined_kWh_per_100km": "EPA combined (label)",
    "epa_city_unadjusted_kWh_per_100km": "EPA city (unadjusted)",
    "epa_highway_unadjusted_kWh_per_100km": "EPA highway (unadjusted)",
    "cold_kWh_per_100km": "Cold (-7 °C)",
    "accel_0_100_s": "0-100 km/h", "accel_80_120_s": "80-120 km/h",
    "accel_0_60mph_s": "0-60 mph", "accel_0_100_s_at_minus10C": "0-100 km/h at -10 °C",
    "top_speed_kmh": "Top speed", "peak_power_kW_at_20pct_soc": "Peak power at 20 % SOC",
    "fast_charge_10_80_min": "Fast charge 10-80 %", "fast_charge_peak_kW": "Fast-charge peak",
    "cell_cost_usd_per_kWh": "Cell cost", "pack_cost_usd_per_kWh": "Pack cost",
    "pack_cost_usd": "Pack cost", "footprint_kgCO2e_per_kWh": "Footprint",
    "footprint_kgCO2e": "Footprint", "lithium_kg": "Lithium", "nickel_kg": "Nickel",
    "cobalt_kg": "Cobalt", "manganese_kg": "Manganese", "graphite_kg": "Graphite",
    "copper_kg": "Copper", "aluminium_kg": "Aluminium", "score": "Weighted score",
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

_PERCENTILE = re.compile(r"_p(\d+)$")


def unit_of(name: str) -> str:
    """The unit of a result name from its suffix ('' when dimensionless or unknown)."""
    name = _PERCENTILE.sub("", name)
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
    return LABELS.get(name, name.replace("_", " ").capitalize())


def number(x) -> str:
    """A value rounded for reading: 3-4 significant figures, thousands separated, '–' for NaN."""
    if x is None or not math.isfinite(float(x)):
        return "–"
    x = float(x)
    if abs(x) >= 100 or (x == int(x) and abs(x) < 1e6):
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 0.1 else f"{x:.3g}"
