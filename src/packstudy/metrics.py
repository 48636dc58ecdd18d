"""The metric registry: one record of facts per result name (label, unit, area, whether higher is
better, the terminal summary's label and format) and the rules for patterned names. The terminal
summary (cli), the report (report/labels), the decision areas (decision) and the result table of
docs/nomenclature.md (scripts/make_nomenclature.py) all read it. No physics imports."""

from __future__ import annotations

import re
from typing import NamedTuple


class Metric(NamedTuple):
    """Facts about one result name. ``higher_is_better`` is None where neither direction is a
    goal (a design choice such as pack energy); ``summary`` and ``fmt`` are the terminal summary's
    row label (with the unit) and format ('' when the metric is not in the summary)."""
    name: str
    label: str
    unit: str
    area: str  # technical, cost or sustainability
    higher_is_better: bool | None
    summary: str = ""
    fmt: str = ""


M = Metric

# name, label, unit, area, higher is better[, terminal summary label, format]
METRICS = (
    M('pack_series', 'Cells in series', '', 'technical', None),
    M('pack_parallel', 'Cells in parallel', '', 'technical', None),
    M('pack_cells', 'Cells', '', 'technical', None),
    M('pack_energy_kWh', 'Pack energy', 'kWh', 'technical', None, 'Pack energy (kWh)', '{:.1f}'),
    M('pack_usable_energy_kWh', 'Usable energy', 'kWh', 'technical', True, 'Usable energy (kWh)',
      '{:.1f}'),
    M('pack_requested_usable_energy_kWh', 'Usable energy asked', 'kWh', 'technical', None),
    M('pack_nominal_voltage_V', 'Nominal voltage', 'V', 'technical', None, 'Nominal voltage (V)',
      '{:.0f}'),
    M('pack_requested_nominal_voltage_V', 'Pack requested nominal voltage', 'V', 'technical',
      None),
    M('pack_max_voltage_V', 'Pack max voltage', 'V', 'technical', None),
    M('pack_min_voltage_V', 'Pack min voltage', 'V', 'technical', None),
    M('pack_feasible_series', 'Pack feasible series', '', 'technical', None),
    M('pack_feasible_parallel', 'Pack feasible parallel', '', 'technical', None),
    M('charger_max_voltage_V', 'Charger max voltage', 'V', 'technical', None),
    M('charger_min_voltage_V', 'Charger min voltage', 'V', 'technical', None),
    M('inverter_max_dc_voltage_V', 'Inverter max DC voltage', 'V', 'technical', None),
    M('pack_current_at_motor_peak_A', 'Pack current at motor peak', 'A', 'technical', None),
    M('pack_peak_discharge_current_A', 'Pack peak discharge current', 'A', 'technical', None),
    M('pack_mass_kg', 'Pack mass', 'kg', 'technical', False, 'Pack mass (kg)', '{:.0f}'),
    M('pack_volume_L', 'Pack volume', 'L', 'technical', False),
    M('pack_specific_energy_Wh_per_kg', 'Pack specific energy', 'Wh/kg', 'technical', True),
    M('vehicle_test_mass_kg', 'Vehicle test mass', 'kg', 'technical', False, 'Test mass (kg)',
      '{:.0f}'),
    M('wltp_kWh_per_100km', 'WLTP', 'kWh/100 km', 'technical', False, 'WLTP (kWh/100 km, AC)',
      '{:.1f}'),
    M('wltp_range_km', 'WLTP range', 'km', 'technical', True, 'WLTP range (km)', '{:.0f}'),
    M('epa_city_unadjusted_kWh_per_100km', 'EPA city (unadjusted)', 'kWh/100 km', 'technical',
      False, 'EPA city unadj. (kWh/100 km)', '{:.2f}'),
    M('epa_highway_unadjusted_kWh_per_100km', 'EPA highway (unadjusted)', 'kWh/100 km',
      'technical', False, 'EPA hwy unadj. (kWh/100 km)', '{:.2f}'),
    M('epa_city_kWh_per_100km', 'EPA city (label)', 'kWh/100 km', 'technical', False),
    M('epa_highway_kWh_per_100km', 'EPA highway (label)', 'kWh/100 km', 'technical', False),
    M('epa_combined_kWh_per_100km', 'EPA combined (label)', 'kWh/100 km', 'technical', False,
      'EPA combined label (kWh/100 km)', '{:.1f}'),
    M('epa_range_km', 'EPA label range', 'km', 'technical', True, 'EPA label range (km)',
      '{:.0f}'),
    M('wltp_trace_missed_pct', 'WLTP trace missed', '%', 'technical', False),
    M('epa_trace_missed_pct', 'EPA trace missed', '%', 'technical', False),
    M('cold_trace_missed_pct', 'Cold trace missed', '%', 'technical', False),
    M('wltp_dc_kWh_per_100km', 'WLTP (DC)', 'kWh/100 km', 'technical', False),
    M('accel_0_100_s', '0-100 km/h', 's', 'technical', False, '0-100 km/h (s)', '{:.2f}'),
    M('accel_80_120_s', '80-120 km/h', 's', 'technical', False),
    M('accel_0_60mph_s', '0-60 mph', 's', 'technical', False),
    M('accel_0_100_s_at_minus10C', '0-100 km/h at -10 °C', 's', 'technical', False,
      '0-100 km/h at -10 degC (s)', '{:.2f}'),
    M('cold_pack_temperature_C', 'Cell temperature after preconditioning', '°C', 'technical',
      False),
    M('fast_charge_10_80_min_at_minus10C', 'Fast charge 10-80 % at -10 °C', 'min', 'technical',
      False),
    M('fast_charge_peak_kW_at_minus10C', 'Fast-charge peak at -10 °C', 'kW', 'technical', True),
    M('top_speed_kmh', 'Top speed', 'km/h', 'technical', True, 'Top speed (km/h)', '{:.0f}'),
    M('peak_power_kW_at_20pct_soc', 'Peak power at 20 % SOC', 'kW', 'technical', True,
      'Peak power at 20 % SOC (kW)', '{:.0f}'),
    M('fast_charge_10_80_min', 'Fast charge 10-80 %', 'min', 'technical', False,
      'DC 10-80 % (min)', '{:.1f}'),
    M('fast_charge_peak_kW', 'Fast-charge peak', 'kW', 'technical', True, 'DC peak (kW)',
      '{:.0f}'),
    M('fast_charge_energy_kWh', 'Fast-charge energy', 'kWh', 'technical', None),
    M('fast_charge_km_in_10_min', 'WLTP range added in 10 min', 'km', 'technical', True,
      'WLTP range in 10 min DC (km)', '{:.0f}'),
    M('range_at_minus7C_km', 'Range at -7 °C', 'km', 'technical', True, 'Range at -7 degC (km)',
      '{:.0f}'),
    M('cold_kWh_per_100km', 'Cold weather', 'kWh/100 km', 'technical', False),
    M('launch_repeat_first_time_s', 'Repeated launches: first run', 's', 'technical', False,
      'Repeated launches: first (s)', '{:.2f}'),
    M('launch_repeat_last_time_s', 'Repeated launches: last run', 's', 'technical', False,
      'Repeated launches: last (s)', '{:.2f}'),
    M('launch_repeat_runs_within_5pct', 'Runs within 5 % of the first', '', 'technical', True),
    M('launch_repeat_derated_runs', 'Runs with thermal derating', '', 'technical', False),
    M('launch_repeat_end_cell_temperature_C', 'Cell temperature after the launches', '°C',
      'technical', False),
    M('track_first_lap_s', 'Track: first lap', 's', 'technical', False, 'Track: first lap (s)',
      '{:.1f}'),
    M('track_last_lap_s', 'Track: last lap', 's', 'technical', False, 'Track: last lap (s)',
      '{:.1f}'),
    M('track_laps_within_2pct', 'Laps within 2 % of the first', '', 'technical', True),
    M('track_peak_cell_temperature_C', 'Track: peak cell temperature', '°C', 'technical', False,
      'Track: peak cell (degC)', '{:.1f}'),
    M('track_peak_machine_temperature_C', 'Track: peak machine temperature', '°C', 'technical',
      False),
    M('track_peak_inverter_temperature_C', 'Track: peak inverter temperature', '°C', 'technical',
      False),
    M('track_energy_per_lap_kWh', 'Track: energy per lap', 'kWh', 'technical', None),
    M('track_derated_laps', 'Laps with thermal derating', '', 'technical', False),
    M('track_chiller_kW_required', 'Chiller for laps without pack derating', '', 'technical',
      False, 'Chiller for the laps (kW)', '{:.1f}'),
    M('cell_cost_usd_per_kWh', 'Cell manufacturing cost', 'USD/kWh', 'cost', False,
      'Cell mfg. cost ($/kWh)', '{:.0f}'),
    M('pack_cost_usd_per_kWh', 'Pack manufacturing cost', 'USD/kWh', 'cost', False,
      'Pack mfg. cost ($/kWh)', '{:.0f}'),
    M('pack_cost_usd', 'Pack manufacturing cost', 'USD', 'cost', False, 'Pack mfg. cost ($)',
      '{:,.0f}'),
    M('footprint_kgCO2e_per_kWh', 'Footprint', 'kg CO2e/kWh', 'sustainability', False,
      'Footprint (kg CO2e/kWh)', '{:.1f}'),
    M('footprint_kgCO2e', 'Footprint', 'kg CO2e', 'sustainability', False, 'Footprint (kg CO2e)',
      '{:,.0f}'),
    M('inverter_cost_usd', 'Inverter cost', 'USD', 'cost', False, 'Inverter cost ($)', '{:,.0f}'),
    M('inverter_sic_premium_usd', 'SiC inverter premium', 'USD', 'cost', False),
    M('booster_power_kW', 'DC-DC booster rating', 'kW', 'technical', None),
    M('booster_cost_usd', 'DC-DC booster cost', 'USD', 'cost', False),
    M('system_cost_usd', 'System cost (pack + inverter + booster)', 'USD', 'cost', False,
      'System cost ($)', '{:,.0f}'),
    M('inverter_footprint_kgCO2e', 'Inverter footprint', 'kg CO2e', 'sustainability', False),
    M('booster_footprint_kgCO2e', 'Booster footprint', 'kg CO2e', 'sustainability', False),
    M('system_footprint_kgCO2e', 'System footprint (pack + inverter + booster)', 'kg CO2e',
      'sustainability', False),
    M('lithium_kg', 'Lithium', 'kg', 'sustainability', None, 'Lithium (kg)', '{:.1f}'),
    M('nickel_kg', 'Nickel', 'kg', 'sustainability', None, 'Nickel (kg)', '{:.1f}'),
    M('cobalt_kg', 'Cobalt', 'kg', 'sustainability', None, 'Cobalt (kg)', '{:.1f}'),
    M('manganese_kg', 'Manganese', 'kg', 'sustainability', None),
    M('graphite_kg', 'Graphite', 'kg', 'sustainability', None),
    M('copper_kg', 'Copper', 'kg', 'sustainability', None),
    M('aluminium_kg', 'Aluminium', 'kg', 'sustainability', None),
    M('life_capacity_retention_pct', 'Capacity at life end', '%', 'technical', True,
      'Capacity at life end (%)', '{:.1f}'),
    M('life_resistance_growth_pct', 'Resistance growth at life end', '%', 'technical', False),
    M('life_years_to_70pct', 'Years to 70 % capacity', 'years', 'technical', True,
      'Years to 70 % capacity', '{:.1f}'),
    M('life_km_to_70pct', 'km to 70 % capacity', 'km', 'technical', True),
    M('life_wltp_range_end_km', 'WLTP range at life end', 'km', 'technical', True,
      'WLTP range at life end (km)', '{:.0f}'),
    M('life_accel_0_100_end_s', '0-100 km/h at life end', 's', 'technical', False),
    M('life_energy_throughput_MWh', 'Energy delivered over life', 'MWh', 'technical', True),
    M('life_footprint_kgCO2e_per_kWh_delivered', 'Footprint per kWh delivered', 'kg CO2e/kWh',
      'technical', False, 'Footprint per kWh delivered (kg CO2e)', '{:.3f}'),
    M('lifecycle_kgCO2e_per_km', 'Battery + electricity CO2e per km', 'kg CO2e/km', 'technical',
      False, 'Battery + electricity CO2e per km (kg)', '{:.3f}'),
    M('eol_recycling_kgCO2e', 'End-of-life recycling emissions', 'kg CO2e', 'sustainability',
      False),
    M('eol_credit_kgCO2e', 'End-of-life recycling credit', 'kg CO2e', 'sustainability', False,
      'Recycling credit (kg CO2e)', '{:,.0f}'),
    M('life_cost_usd_per_km', 'Pack cost per km', 'USD/km', 'technical', False,
      'Pack cost per km ($)', '{:.3f}'),
    M('life_second_life_energy_kWh', 'Energy left for a second life', 'kWh', 'technical', True),
    M('life_capacity_at_euro7_5y_pct', 'Capacity at Euro 7 (5 y / 100,000 km)', '%', 'technical',
      True),
    M('life_capacity_at_euro7_8y_pct', 'Capacity at Euro 7 (8 y / 160,000 km)', '%', 'technical',
      True),
    M('life_capacity_at_warranty_pct', 'Capacity at the warranty point', '%', 'technical', True),
    M('limit:recycled_content_2031', 'Recycled content 2031', '', 'sustainability', None),
    M('limit:recycled_content_2036', 'Recycled content 2036', '', 'sustainability', None),
    M('limit:euro7_durability', 'Euro 7 durability', '', 'technical', None),
    M('limit:warranty', 'Warranty (capacity)', '', 'technical', None),
    M('score', 'Weighted score', '', 'technical', True),
    M('pareto', 'On the Pareto front', '', 'technical', True),
    M('cold_dc_kWh_per_100km', 'Cold weather (DC)', 'kWh/100 km', 'technical', False),
    M('cabin_heating_W', 'Cabin heating', 'W', 'technical', False),
    M('wltp_shortfall_kWh', 'WLTP: energy not delivered', 'kWh', 'technical', False),
    M('epa_shortfall_kWh', 'EPA: energy not delivered', 'kWh', 'technical', False),
    M('fast_charge_loss_kWh', 'Fast-charge loss', 'kWh', 'technical', None),
    M('fast_charge_max_cell_V', 'Fast-charge peak cell voltage', 'V', 'technical', None),
    M('fast_charge_max_cell_temp_C', 'Fast-charge peak cell temperature', '°C', 'technical', None),
    M('fast_charge_held_at_temp_limit_min', 'Fast charge held at the cells\' temperature limit',
      'min', 'technical', None),
    M('fast_charge_soc_reached', 'Fast-charge window reached', '', 'technical', None),
)

# rows of the terminal summary, in order
SUMMARY = (
    'pack_energy_kWh', 'pack_usable_energy_kWh', 'pack_nominal_voltage_V', 'pack_mass_kg',
    'vehicle_test_mass_kg', 'wltp_kWh_per_100km', 'wltp_range_km',
    'epa_city_unadjusted_kWh_per_100km', 'epa_highway_unadjusted_kWh_per_100km',
    'epa_combined_kWh_per_100km', 'epa_range_km', 'accel_0_100_s', 'accel_0_100_s_at_minus10C',
    'top_speed_kmh', 'peak_power_kW_at_20pct_soc', 'fast_charge_10_80_min', 'fast_charge_peak_kW',
    'fast_charge_km_in_10_min', 'range_at_minus7C_km', 'launch_repeat_first_time_s',
    'launch_repeat_last_time_s', 'track_first_lap_s', 'track_last_lap_s',
    'track_peak_cell_temperature_C', 'track_chiller_kW_required', 'cell_cost_usd_per_kWh',
    'pack_cost_usd_per_kWh', 'pack_cost_usd', 'inverter_cost_usd', 'system_cost_usd',
    'footprint_kgCO2e_per_kWh', 'footprint_kgCO2e', 'lithium_kg', 'nickel_kg', 'cobalt_kg',
    'life_capacity_retention_pct', 'life_years_to_70pct', 'life_wltp_range_end_km',
    'life_footprint_kgCO2e_per_kWh_delivered', 'life_cost_usd_per_km', 'lifecycle_kgCO2e_per_km',
    'eol_credit_kgCO2e',
)

# Unit suffixes of result names (DESIGN §3), longest first: the unit of a name not in METRICS.
UNITS = (
    ("_years_to_70pct", "years"), ("_km_to_70pct", "km"), ("_pct", "%"), ("_MWh", "MWh"),
    ("_kgCO2e_per_kWh_delivered", "kg CO2e/kWh"), ("_kgCO2e_per_km", "kg CO2e/km"),
    ("_usd_per_km", "USD/km"), ("_kWh_per_100km", "kWh/100 km"), ("_usd_per_kWh", "USD/kWh"),
    ("_kgCO2e_per_kWh", "kg CO2e/kWh"), ("_Wh_per_kg", "Wh/kg"), ("_kgCO2e", "kg CO2e"),
    ("_kWh", "kWh"), ("_kmh", "km/h"), ("_km", "km"), ("_kg", "kg"), ("_kW", "kW"),
    ("_W", "W"), ("_V", "V"), ("_A", "A"), ("_L", "L"), ("_min", "min"), ("_s", "s"),
    ("_usd", "USD"), ("_C", "°C"),
)

# labels of names that follow a setting (the charge window, the cold ambient) or a custom cycle's
# label
PATTERNS = (
    (re.compile(r"fast_charge_(\d+)_(\d+)_min"), r"Fast charge \1-\2 %"),
    (re.compile(r"range_at_minus(\d+)C_km"), r"Range at -\1 °C"),
    (re.compile(r"range_at_(\d+)C_km"), r"Range at \1 °C"),
    (re.compile(r"accel_0_100_s_at_minus(\d+)C"), r"0-100 km/h at -\1 °C"),
    (re.compile(r"accel_0_100_s_at_(\d+)C"), r"0-100 km/h at \1 °C"),
    (re.compile(r"(\w+)_shortfall_kWh"), r"\1: energy not delivered"),
    (re.compile(r"(\w+)_range_km"), r"\1 range"),
)

# the area of a name not in METRICS (percentiles, other checks) by its prefix; else technical
AREA_PREFIXES = {
    "cost": ("cell_cost_", "pack_cost_", "inverter_cost_", "inverter_sic_premium_",
             "booster_cost_", "system_cost_"),
    "sustainability": ("footprint_", "lithium_", "nickel_", "cobalt_", "manganese_", "graphite_",
                       "copper_", "aluminium_", "inverter_footprint_", "booster_footprint_",
                       "system_footprint_", "limit:recycled_content", "eol_"),
}

# labels of the parts of the cost and footprint breakdowns (not result names)
PART_LABELS = {
    "gsa": "General, sales and administration", "rnd": "R&D",
    "cell_monitoring_and_bms": "Cell monitoring and BMS", "bms": "BMS",
}

# docs/nomenclature.md's result table: the names a row documents, what they mean
DOC_ROWS = (
    ('`pack_series`, `pack_parallel`, `pack_cells`',
     'cell counts'),
    ('`pack_energy_kWh`',
     'nominal energy: cells x capacity x nominal voltage'),
    ('`pack_usable_energy_kWh`',
     'OCV energy over the usable SOC window'),
    ('`pack_requested_usable_energy_kWh`',
     'the usable energy the pack was designed for (NaN when its cell counts were given)'),
    ('`pack_nominal_voltage_V`',
     'series x cell nominal voltage'),
    ('`pack_requested_nominal_voltage_V`',
     'the nominal voltage the pack was designed for (NaN when none was asked)'),
    ('`pack_max_voltage_V`, `pack_min_voltage_V`',
     "series x cell charge cut-off (full, the BMS limit a charger's constant-voltage phase holds)"
     ' and x discharge cut-off (empty)'),
    ('`pack_feasible_series`, `pack_feasible_parallel`',
     "the pack of the candidate's cell nearest to the voltage and energy asked within both "
     'tolerances (NaN: none)'),
    ('`charger_max_voltage_V`, `charger_min_voltage_V`',
     "the candidate's charger output range (NaN where not given)"),
    ('`inverter_max_dc_voltage_V`',
     "DC-link ceiling of the inverter's device class (blocking voltage less the operating margin)"),
    ('`pack_current_at_motor_peak_A`, `pack_peak_discharge_current_A`',
     "motor peak power / nominal voltage; cells' 10 s peak discharge current x parallel count"),
    ('`limit:…` (checks, not columns)',
     'always-on technical checks with margins: `limit:nominal_voltage_V`, '
     '`limit:usable_energy_kWh`, `limit:charger_max_voltage_V`, `limit:charger_min_voltage_V`, '
     '`limit:ccs_max_voltage_V`, `limit:inverter_device_voltage_V`, '
     '`limit:cell_discharge_current_A` (docs/limits.md)'),
    ('`pack_mass_kg`, `pack_volume_L`',
     "cells over the integration's cell-to-pack ratios"),
    ('`pack_specific_energy_Wh_per_kg`',
     'nominal energy / pack mass'),
    ('`vehicle_test_mass_kg`',
     'test mass used on the procedures'),
    ('`wltp_kWh_per_100km`',
     'WLTC 3b consumption, AC (wall) energy'),
    ('`wltp_range_km`',
     'usable energy / chemical energy per km on WLTC 3b'),
    ('`epa_city_unadjusted_kWh_per_100km`, `epa_highway_unadjusted_kWh_per_100km`',
     'UDDS / HWFET AC consumption before the 0.7 factor'),
    ('`epa_city_kWh_per_100km`, `epa_highway_kWh_per_100km`',
     'label values (unadjusted / 0.7)'),
    ('`epa_combined_kWh_per_100km`',
     '55 % city + 45 % highway label consumption'),
    ('`epa_range_km`',
     'label range: 0.7 x (55 % UDDS + 45 % HWFET range)'),
    ('`wltp_shortfall_kWh`, `epa_shortfall_kWh`, `{label}_shortfall_kWh`',
     'traction energy the vehicle could not deliver on the cycle'),
    ('`wltp_trace_missed_pct`, `epa_trace_missed_pct`, `cold_trace_missed_pct`, '
     '`{label}_trace_missed_pct`',
     "share of the cycle's time off the trace: runs of 2 s or more below the speed band (2 mph "
     'under the lowest trace speed within 1 s, 40 CFR 600.109-08) or with the pack below its '
     "usable SOC window; above 0 the cycle's consumption and range are null and the technical "
     'check `…_trace_missed_pct max 0` fails'),
    ('`{label}_kWh_per_100km`, `{label}_range_km`',
     'the same for a custom cycle'),
    ('`wltp_dc_kWh_per_100km`',
     'WLTC 3b consumption at the battery terminals (DC)'),
    ('`accel_0_100_s`, `accel_80_120_s`, `accel_0_60mph_s`',
     'acceleration at 90 % SOC, 23 degC'),
    ('`accel_0_100_s_at_minus10C`',
     'the same with a -10 degC pack (cold-soaked; with `[study] cold = { preconditioned = true }`'
     ' warmed by its heater first)'),
    ('`cold_pack_temperature_C`',
     'cell temperature after preconditioning from -10 degC (only with `preconditioned = true`)'),
    ('`fast_charge_10_80_min_at_minus10C`, `fast_charge_peak_kW_at_minus10C`',
     "the study's DC fast charge at -10 degC (with `fast_charge` and `cold`): cold-soaked, cells "
     'and coolant at -10 degC, the cells warming by their own losses (no heater); with '
     '`preconditioned = true` after preconditioning, the heater holding the coolant at its '
     'setpoint'),
    ('`top_speed_kmh`, `peak_power_kW_at_20pct_soc`',
     'top speed; pack 10 s power at 20 % SOC'),
    ('`fast_charge_10_80_min` (name follows the window; with an as-built candidate also the '
     "windows of the vehicle's published times, e.g. `fast_charge_15_80_min`), "
     '`fast_charge_peak_kW`, `fast_charge_energy_kWh`, `fast_charge_km_in_10_min`',
     "DC fast charge on the candidate's charger"),
    ("`fast_charge_loss_kWh`, `fast_charge_max_cell_V`, `fast_charge_max_cell_temp_C`, "
     "`fast_charge_held_at_temp_limit_min`, `fast_charge_soc_reached`",
     "DC fast charge: heat in the cells, highest cell voltage and temperature, the minutes "
     "during which the cells' charge temperature limit set the current, and the share of "
     "the SOC window reached (1 when the charge reaches its end SOC)"),
    ('`range_at_minus7C_km` (name follows the ambient), `cold_kWh_per_100km`',
     'cold-weather range and AC consumption with cabin heating'),
    ("`cold_dc_kWh_per_100km`, `cabin_heating_W`",
     "the cold run's consumption at the battery terminals (DC); the cabin heater's electric power"),
    ('`launch_repeat_first_time_s`, `launch_repeat_last_time_s`',
     'repeated launches (`[study] launch_repeat`): time of the first and last run from `from_kmh`'
     ' to `to_kmh`'),
    ('`launch_repeat_runs_within_5pct`',
     'runs no more than 5 % slower than the first'),
    ('`launch_repeat_derated_runs`, `launch_repeat_end_cell_temperature_C`',
     'runs during which a temperature limit cut the power; cell temperature after the last pause'),
    ('`track_first_lap_s`, `track_last_lap_s`, `track_laps_within_2pct`',
     'track laps (`[study] track`): first and last lap time, laps no more than 2 % slower than '
     'the first'),
    ('`track_peak_cell_temperature_C`, `track_peak_machine_temperature_C`, '
     '`track_peak_inverter_temperature_C`',
     'highest lumped temperatures over the laps'),
    ('`track_energy_per_lap_kWh`',
     'battery terminal energy per lap (traction, auxiliaries, chiller compressor and heater)'),
    ('`track_derated_laps`',
     "laps during which a temperature limit cut the pack's or the drive's power"),
    ('`track_chiller_kW_required`',
     'smallest chiller (kW of heat) with which the pack is never derated over the laps; NaN when '
     '40 kW is not enough (the cell-to-coolant path, not the chiller, limits)'),
    ('`cell_cost_usd_per_kWh`, `pack_cost_usd_per_kWh`, `pack_cost_usd`',
     'bottom-up manufacturing cost (BatPaC manner: materials, labour, capital, overhead; price-'
     "set year's dollars), not a market price"),
    ('`footprint_kgCO2e_per_kWh`, `footprint_kgCO2e`',
     'cradle-to-gate footprint of the pack'),
    ('`inverter_cost_usd`',
     'traction inverter(s) for the motor power, by device technology (Si IGBT / SiC MOSFET) and '
     "voltage class (cost year's dollars)"),
    ('`inverter_sic_premium_usd`',
     'what a SiC inverter costs over a Si one of the same power and bus (every row)'),
    ('`booster_power_kW`, `booster_cost_usd`',
     "on-board DC-DC booster rating and cost where the pack's maximum voltage is above the "
     "candidate's charger's (0 otherwise)"),
    ('`system_cost_usd`',
     "pack + inverter + booster; the cost verdict's system figure"),
    ('`inverter_footprint_kgCO2e`, `booster_footprint_kgCO2e`',
     'cradle-to-gate footprint of the inverter(s) and booster'),
    ('`system_footprint_kgCO2e`',
     "pack + inverter + booster footprint (`footprint_kgCO2e` stays the pack's)"),
    ('`lithium_kg`, `nickel_kg`, `cobalt_kg`, `manganese_kg`, `graphite_kg`, `copper_kg`, '
     '`aluminium_kg`',
     'mineral content of the pack'),
    ('`*_p10`, `*_p50`, `*_p90`',
     'Monte Carlo percentiles of cost and footprint per kWh and of `system_cost_usd`'),
    ('`life_capacity_retention_pct`',
     "life procedure: capacity (% of new) after `[study] life` years, or at the warranty's years "
     '/ km when a warranty is given, whichever comes first'),
    ('`life_resistance_growth_pct`',
     'DC resistance rise (% of new) at the same point'),
    ('`life_years_to_70pct`, `life_km_to_70pct`',
     'when capacity falls to 70 % (null beyond the 30-year horizon)'),
    ('`life_wltp_range_end_km`',
     'WLTP range rerun with the aged pack (capacity and resistance)'),
    ('`life_accel_0_100_end_s`',
     '0-100 km/h rerun with the aged pack (when the study runs acceleration)'),
    ('`life_capacity_retention_pct_p10`, `_p50`, `_p90`',
     "with `[uncertainty]`: retention percentiles from each cell's fade-scale band (PERT on "
     'low/high; retention falls monotonically with the scale, so each percentile is one '
     'simulation)'),
    ('`life_energy_throughput_MWh`',
     'energy delivered by the pack in service (equivalent full cycles x nominal energy)'),
    ('`life_footprint_kgCO2e_per_kWh_delivered`',
     'cradle-to-gate footprint over the energy delivered in service (EU Battery Regulation basis)'),
    ('`lifecycle_kgCO2e_per_km`',
     "(pack footprint + use-phase electricity at WLTP AC consumption on the climate's grid + "
     'end of life, `eol_recycling_kgCO2e` + `eol_credit_kgCO2e`) per km served'),
    ('`eol_recycling_kgCO2e`, `eol_credit_kgCO2e`',
     "with the life procedure: the cells' recycling at the end of life by `[study] life.recycling`"
     ' (pyrometallurgical, hydrometallurgical (default), direct): collection, transport and process'
     ' emissions (>= 0), and the primary production the recovered materials avoid (<= 0, a credit:'
     ' avoided-burden approach; EverBatt 2023, data/factors/recycling.toml)'),
    ('`life_cost_usd_per_km`',
     'pack cost per km served'),
    ('`life_second_life_energy_kWh`',
     'nominal energy the pack still holds at the end of its first life (capacity at life end x '
     'pack energy)'),
    ('`life_capacity_at_euro7_5y_pct`, `life_capacity_at_euro7_8y_pct`, '
     '`life_capacity_at_warranty_pct`',
     'capacity at the Euro 7 points (5 y / 100,000 km, 8 y / 160,000 km) and the warranty point'),
    ('`limit:recycled_content_2031`, `limit:recycled_content_2036`',
     'sustainability checks when `[footprint] recycled_content` is given: the binding one of '
     'cobalt, lithium, nickel (%) against its minimum (Regulation (EU) 2023/1542, Art. 8; a '
     'material not given counts as 0)'),
    ('`limit:euro7_durability`, `limit:warranty`',
     'technical checks (not result columns): capacity at the binding Euro 7 point >= 80 % / 72 % '
     '(Regulation (EU) 2024/1257); at the warranty point >= `min_capacity_pct`'),
    ('`delta_{metric}`',
     "the metric minus the baseline candidate's"),
    ('`score`',
     'weighted ranking score (`[ranking] weights`)'),
    ('`pareto`',
     "1 on the sweep's Pareto front, else 0"),
)

_BY_NAME = {m.name: m for m in METRICS}
_PERCENTILE = re.compile(r"_p(\d+)$")


def get(name: str) -> Metric | None:
    """The record of a result name (None for a patterned or unknown name)."""
    return _BY_NAME.get(name)


def label(name: str) -> str:
    """A short readable label for a result name or breakdown part."""
    match = _PERCENTILE.search(name)
    if match:
        return f"{label(name[:match.start()])} P{match.group(1)}"
    if name in _BY_NAME:
        return _BY_NAME[name].label
    if name in PART_LABELS:
        return PART_LABELS[name]
    for pattern, text in PATTERNS:
        if pattern.fullmatch(name):
            return _words(pattern.sub(text, name))
    suffix = next((s for s, _ in UNITS if name.endswith(s)), "")
    return _words(name[:len(name) - len(suffix)] if suffix and len(suffix) < len(name) else name)


def unit(name: str) -> str:
    """The unit of a result name ('' when dimensionless or unknown); a percentile's is its
    metric's."""
    name = _PERCENTILE.sub("", name)
    if name in _BY_NAME:
        return _BY_NAME[name].unit
    for candidate in (name, name.split("_at_")[0]):
        for suffix, text in UNITS:
            if candidate.endswith(suffix):
                return text
    return ""


def fmt(name: str) -> str:
    """The terminal summary's format of a result name ('' when it is not in the summary)."""
    record = _BY_NAME.get(name)
    return record.fmt if record else ""


def area(name: str) -> str:
    """The feasibility area (technical, cost, sustainability) a result or check name belongs to."""
    if name in _BY_NAME:
        return _BY_NAME[name].area
    for key, prefixes in AREA_PREFIXES.items():
        if name.startswith(prefixes):
            return key
    return "technical"


def higher_is_better(name: str) -> bool | None:
    """Whether a larger value of a result name is better (None: no direction, or unknown); a
    percentile's direction is its metric's."""
    record = _BY_NAME.get(_PERCENTILE.sub("", name))
    return record.higher_is_better if record else None


def summary_rows() -> tuple[tuple[str, str, str], ...]:
    """The terminal summary's rows: (name, label with unit, format)."""
    return tuple((n, _BY_NAME[n].summary, _BY_NAME[n].fmt) for n in SUMMARY)


def nomenclature_table() -> str:
    """The result-name table of docs/nomenclature.md, as markdown."""
    rows = "".join(f"| {names} | {meaning} |\n" for names, meaning in DOC_ROWS)
    return "| name | meaning |\n| --- | --- |\n" + rows


def with_nomenclature_table(doc: str) -> str:
    """docs/nomenclature.md's text ``doc`` with its result table (the first paragraph after the
    "## Result names" heading) replaced by :func:`nomenclature_table`."""
    heading = doc.index("\n## Result names")
    start = doc.index("\n\n", heading) + 2
    end = doc.find("\n\n", start)
    end = len(doc) if end < 0 else end + 1
    return doc[:start] + nomenclature_table() + doc[end:]


def _words(text: str) -> str:
    """Underscores as spaces, the first letter upper case (the rest as written)."""
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:]
