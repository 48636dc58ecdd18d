"""Does the as-built cars' DC fast charge keep their cells within the charge temperature limit?

A battery management system cuts the charge current before the cells pass their charge limit
(``cell_charge_limit_C``, 45 degC, data/factors/thermal.toml). The fast-charge model does not
yet derate the current with temperature, and with the shipped cells it cannot both keep the
cells below the limit and reproduce the published charge times (evidence in
docs/limits.md, "A fast charge above the cells' charge temperature"): a strict xfail with
the figures, which turns into a failure once the model keeps the cells within the limit.
"""

import pytest

from packstudy import catalog
from packstudy.runner import run_study

LIMIT_C = float(catalog.factor("thermal", "cell_charge_limit_C"))
CARS = {
    "hyundai-ioniq-5-long-range-awd": (
        "59.0 degC on a 350 kW charger (10-80 % in 17.4 min against the published 18). With the "
        "cells held at the 25 degC coolant the same charge is voltage-limited from 30 % SOC and "
        "takes 26.1 min (+45 %); with the BMS derating of thermal.py (linear over 10 K below "
        "45 degC) 29.5 min (+64 %): the published time is reached only because the hot cells' "
        "resistance falls to about half (Arrhenius, 35 kJ/mol). The cell's resistance is the "
        "LG M50's area-specific resistance scaled by capacity, a 0.7C-charge energy cell; "
        "PyBaMM's DFN of that cell (Chen2020, 25 degC) charged at 2.66C from 10 % reaches "
        "4.2 V at 35 % SOC"),
    "vw-id4-pro": (
        "54.6 degC (10-80 % in 19.2 min); 26.9 min with the cells held at 25 degC, 29.5 min with "
        "the BMS derating; same cell resistance basis as the E-GMP cell"),
}


@pytest.mark.parametrize("preset", sorted(CARS))
def test_the_as_built_fast_charge_keeps_the_cells_within_their_charge_limit(preset, request):
    request.applymarker(pytest.mark.xfail(strict=True, reason=CARS[preset]))
    metrics = run_study({"vehicle": {"preset": preset},
                         "candidate": [{"name": "car", "as_built": True}],
                         "study": {"procedures": ["wltp", "fast_charge"]}}).metrics
    assert metrics["fast_charge_soc_reached"][0] == pytest.approx(0.8)
    assert metrics["fast_charge_max_cell_temp_C"][0] <= LIMIT_C
