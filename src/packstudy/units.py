"""Exact unit definitions and physical constants used at the input/output edges.

These are definitions (SI and US customary), not model defaults; model defaults live in
``data/factors``.
"""

LBF_N = 4.4482216152605  # 1 lbf in N (exact, from 1 lb = 0.45359237 kg and g0)
MPH_MPS = 0.44704  # 1 mph in m/s (exact)
MILE_M = 1609.344  # 1 statute mile in m (exact)
KMH_MPS = 1.0 / 3.6  # 1 km/h in m/s
G_MPS2 = 9.80665  # standard gravity, m/s^2 (exact, CGPM 1901)
J_PER_KWH = 3.6e6  # 1 kWh in J
J_PER_WH = 3600.0  # 1 Wh in J
KWH_PER_GALLON_EQUIVALENT = 33.705  # EPA MPGe energy content of a gallon of gasoline
ZERO_CELSIUS_K = 273.15
FARADAY_C_PER_MOL = 96485.33212  # CODATA 2018 (exact since the 2019 SI)
GAS_CONSTANT_J_PER_MOLK = 8.314462618  # CODATA 2018 (exact since the 2019 SI)
