"""packstudy.aging against NREL BLAST-Lite on the example profiles (issue 16).

Criterion: capacity retention within 1.0 percentage point after 8 years for lg-m50,
lfp-prismatic and nmc811-pouch on storage at high SOC and heat, daily full cycles and an EV
week (examples/aging/, written by scripts/make_aging_profiles.py).
"""

import numpy as np
import pytest
from blastlite_reference import BLAST_CLASS, blast_models, blast_retention, load_profile

from packstudy import aging

try:
    blast_models()
except ImportError:
    pytest.skip("blast-lite is not installed (pip install blast-lite; the validation extra)",
                allow_module_level=True)

YEARS = 8.0
PROFILES = ("storage-hot-high-soc", "daily-full-cycle", "ev-week")


@pytest.fixture(scope="module")
def table():
    rows = []
    yield rows
    print(f"\ncapacity retention after {YEARS:g} years, packstudy vs BLAST-Lite")
    print(f"{'profile':<22}{'cell':<16}{'packstudy %':>12}{'BLAST %':>10}{'diff pp':>9}")
    for r in rows:
        print(f"{r[0]:<22}{r[1]:<16}{r[2]:>12.2f}{r[3]:>10.2f}{r[2] - r[3]:>+9.2f}")


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("cell", sorted(BLAST_CLASS))
def test_retention_within_one_point_of_blastlite(cell, profile, table):
    t, soc, temp = load_profile(profile)
    ours = aging.age_profile(aging.cell_aging(cell), t, soc, temp, YEARS,
                             np.array([365.0 * YEARS])).capacity_retention[0, 0]
    ref = blast_retention(cell, t, soc, temp, YEARS)
    table.append((profile, cell, 100 * ours, 100 * ref))
    assert abs(ours - ref) <= 0.010
