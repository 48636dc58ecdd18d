"""End of life: recycled-content shares against the EU Battery Regulation's minimums, and the
recycling of the cells by route (pyrometallurgical, hydrometallurgical, direct).

With ``[footprint] recycled_content = { nickel = 0.1, ... }`` every row gets the checks
``limit:recycled_content_2031`` and ``limit:recycled_content_2036``: the share of each regulated
material (cobalt, lithium, nickel; a material not given counts as 0) against its minimum
(``data/factors/battery_regulation.toml``); the check shows the binding material.

With the life procedure, the cells are recycled at the end of their first life by
``[study] life.recycling`` (default: hydrometallurgical): the recycling's emissions and the credit
of the primary production its products avoid (avoided burden), per kg of cells from EverBatt 2023
(``data/factors/recycling.toml``). A product is recovered at most as far as the cells contain
it: no graphite from a lithium-metal or hard-carbon anode, no lithium carbonate beyond the
cells' lithium (a sodium-ion cell gives none). The pack's housing, busbars and electronics are
outside this term (recycled alike on every route).
"""

from __future__ import annotations

import numpy as np

from . import catalog
from .chemistry import element_mass_fractions
from .lookup import check, check_all

# lithium's mass fraction in lithium carbonate, Li2CO3 (from the atomic weights)
LITHIUM_IN_CARBONATE = element_mass_fractions({"Li": 2, "C": 1, "O": 3})["Li"]


def recycled_content_columns(recycled_content: dict[str, float], n: int) -> list[tuple]:
    """(name, limit (n,), value (n,)) of the two recycled-content checks."""
    table = catalog.factor_table("battery_regulation")
    columns = []
    for year in (2031, 2036):
        minimum = table[f"recycled_content_min_{year}"]["value"]
        margins = {m: recycled_content.get(m, 0.0) - low for m, low in minimum.items()}
        binding = min(margins, key=margins.get)
        columns.append((f"limit:recycled_content_{year}",
                        np.full(n, 100.0 * minimum[binding]),
                        np.full(n, 100.0 * recycled_content.get(binding, 0.0))))
    return columns


ROUTES = tuple(catalog.factor_table("recycling")["routes"]["value"])


def recycling_route(route: str | None) -> str:
    """``route`` (None: the sourced default), checked against the routes of recycling.toml;
    a ValueError names the allowed ones."""
    if route is None:
        return catalog.factor("recycling", "default_route")
    return check("recycling route", route, ROUTES)


def recycling_results(route: str, chemistries, cells_mass_kg, graphite_kg,
                      lithium_kg) -> dict[str, np.ndarray]:
    """End of life of every row's cells by ``route``: ``eol_recycling_kgCO2e`` (collection,
    transport and the recycling process, >= 0) and ``eol_credit_kgCO2e`` (primary production
    the recovered materials avoid, <= 0: a credit), after EverBatt 2023 (recycling.toml).
    ``chemistries`` (n,) packstudy chemistry names; ``cells_mass_kg``, ``graphite_kg`` and
    ``lithium_kg`` (n,): the cells' mass and what they contain of each, kg per pack."""
    table = catalog.factor_table("recycling")
    family = table["chemistry"]["value"]
    check_all("chemistry for recycling", chemistries, family)
    virgin = table["virgin_kgCO2e_per_kg"]["value"]
    chem = np.asarray(chemistries, dtype=str)
    mass = np.asarray(cells_mass_kg, float)
    contained = {"graphite": np.broadcast_to(np.asarray(graphite_kg, float), mass.shape),
                 "lithium_carbonate": np.broadcast_to(np.asarray(lithium_kg, float), mass.shape)
                 / LITHIUM_IN_CARBONATE}
    burden, credit = np.zeros(mass.shape), np.zeros(mass.shape)
    for name in np.unique(chem):
        rows, fam = chem == name, family[name]
        burden[rows] = (table["collection_transport_kgCO2e_per_kg"]["value"][fam]
                        + table["process_kgCO2e_per_kg"]["value"][fam][route]) * mass[rows]
        for product, kg_per_kg in table["recovered_kg_per_kg"]["value"][fam][route].items():
            kg = kg_per_kg * mass[rows]
            if product in contained:
                kg = np.minimum(kg, contained[product][rows])
            credit[rows] -= kg * virgin[f"cathode_{fam}" if product == "cathode" else product]
    return {"eol_recycling_kgCO2e": burden, "eol_credit_kgCO2e": credit}
