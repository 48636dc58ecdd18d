"""End of life: recycled-content shares against the EU Battery Regulation's minimums, and the
recycling of the cells by route (pyrometallurgical, hydrometallurgical, direct).

With ``[footprint] recycled_content = { nickel = 0.1, ... }`` every row gets the checks
``limit:recycled_content_2031`` and ``limit:recycled_content_2036``: the share of each regulated
material (cobalt, lithium, nickel; a material not given counts as 0) against its minimum
(``data/factors/battery_regulation.toml``); the check shows the binding material.

With the life procedure, the cells are recycled at the end of their first life by
``[study] life.recycling`` (default: hydrometallurgical): the recycling's emissions and the credit
of the primary production its products avoid (avoided burden), per kg of cells from EverBatt 2023
(``data/factors/recycling.toml``). The pack's housing, busbars and electronics are outside this
term (recycled alike on every route).
"""

from __future__ import annotations

import numpy as np

from . import catalog
from .lookup import check, check_all


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


def recycling_results(route: str, chemistries, cells_mass_kg) -> dict[str, np.ndarray]:
    """End of life of every row's cells by ``route``: ``eol_recycling_kgCO2e`` (collection,
    transport and the recycling process, >= 0) and ``eol_credit_kgCO2e`` (primary production
    the recovered materials avoid, <= 0: a credit), after EverBatt 2023 (recycling.toml).
    ``chemistries`` (n,) packstudy chemistry names; ``cells_mass_kg`` (n,) cell mass of a pack."""
    table = catalog.factor_table("recycling")
    family = table["chemistry"]["value"]
    check_all("chemistry for recycling", chemistries, family)
    virgin = table["virgin_kgCO2e_per_kg"]["value"]
    names, row = np.unique(np.asarray(chemistries, dtype=str), return_inverse=True)
    burden, credit = [], []
    for fam in (family[n] for n in names):
        recovered = table["recovered_kg_per_kg"]["value"][fam][route]
        burden.append(table["collection_transport_kgCO2e_per_kg"]["value"][fam]
                      + table["process_kgCO2e_per_kg"]["value"][fam][route])
        credit.append(-sum(kg * virgin[f"cathode_{fam}" if m == "cathode" else m]
                           for m, kg in recovered.items()))
    mass = np.asarray(cells_mass_kg, float)
    return {"eol_recycling_kgCO2e": np.array(burden)[row] * mass,
            "eol_credit_kgCO2e": np.array(credit)[row] * mass}
