"""Designed packs against published packs: specific energy within 10 % (issue 3).

For every shipped vehicle preset whose pack mass is published, the pack is designed from the
preset's own battery description with the shipped cell of its chemistry and format; the
designed pack's specific energy (nominal energy / mass) is compared with the published one
(gross energy / pack mass). Prints the table.
"""

import numpy as np
import pytest

from packstudy import catalog, pack
from packstudy.cell import cell_arrays, load_cell

# The shipped cell that stands for a preset's (chemistry, format) when it names no cell.
CELL_FOR = {("nmc", "pouch"): "nmc811-pouch", ("nmc", "prismatic"): "nmc622-prismatic",
            ("lfp", "prismatic"): "lfp-prismatic", ("nca", "cylindrical"): "nca-21700"}


def _published():
    out = []
    for name in catalog.list_presets("vehicles"):
        battery = catalog.load_preset("vehicles", name).get("battery", {})
        energy = battery.get("gross_energy_kWh") or battery.get("usable_energy_kWh")
        if battery.get("pack_mass_kg") and energy:
            out.append((name, battery, energy))
    return out


@pytest.mark.parametrize("name,battery,energy_kWh", _published(), ids=[p[0] for p in _published()])
def test_designed_pack_specific_energy_within_10_pct(name, battery, energy_kWh):
    cell_name = CELL_FOR[(battery["chemistry"], battery["cell_format"])]
    cells = cell_arrays([load_cell(cell_name)], np.zeros(1, dtype=int))
    designed = pack.design_pack(cells, usable_energy_kWh=energy_kWh * 0.95,
                                integration=battery.get("integration", "module"))
    published = energy_kWh * 1e3 / battery["pack_mass_kg"]
    got = float(designed.specific_energy_Wh_per_kg[0])
    print(f"\n{name:40} {cell_name:18} designed {got:6.1f} Wh/kg, published {published:6.1f} Wh/kg "
          f"({100 * (got / published - 1):+.1f} %)")
    assert got == pytest.approx(published, rel=0.10)


def test_at_least_two_published_packs_are_checked():
    assert len(_published()) >= 2
