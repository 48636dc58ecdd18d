"""Cradle-to-gate GHG footprint and critical-mineral content of a pack, vectorised over variants.

footprint = materials (cell bill of materials and pack hardware x emission factors; cathode active
material from its elements' precursor footprints + synthesis electricity on ``cam_region``'s grid)
+ cell manufacturing electricity (kWh per kWh of cells) x the production region's grid
+ BMS electronics; recycled content blends primary and secondary factors for Al, Cu, Ni, Co, Li.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from packstudy.chemistry import cell_composition, load_tables, table_value
from packstudy.cost import INTEGRATIONS, pack_hardware_kg
from packstudy.lookup import check, check_all

RECYCLABLE = ("aluminium", "copper", "nickel", "cobalt", "lithium")
ANODE_EF = {"graphite": "graphite", "graphite_si": "graphite", "hard_carbon": "hard_carbon",
            "lithium_metal": "lithium_metal"}
# cathode active materials with their own synthesis electricity (others: cam_synthesis_kWh_per_kg)
CAM_SYNTHESIS = {"lfp": "cam_synthesis_kWh_per_kg_lfp"}


DEFAULT_REGION = "china"  # of cell and cathode-material production when a study names none


def default_settings() -> SimpleNamespace:
    """The ``[footprint]`` values when a study gives none (the defaults of
    ``spec.FootprintSettings``): cells and cathode material made in China on its grid, no
    recycled content."""
    return SimpleNamespace(region=DEFAULT_REGION, grid_kgCO2e_per_kWh=None,
                           cam_region=DEFAULT_REGION, recycled_content={})


@dataclass(frozen=True)
class FootprintResult:
    """Per-variant footprint; ``breakdown`` maps category -> kg CO2e per pack."""

    footprint_kgCO2e_per_kWh: np.ndarray
    footprint_kgCO2e: np.ndarray
    breakdown: dict[str, np.ndarray]


def grid_regions(tables: dict | None = None) -> list[str]:
    """The regions with a grid intensity (``data/factors/grid.toml``)."""
    return sorted((tables or load_tables())["grid"])


def grid_intensity(region: str, tables: dict | None = None):
    """kg CO2e per kWh of a named region; ValueError listing the regions."""
    grid = (tables or load_tables())["grid"]
    check("region", region, sorted(grid), prefix="footprint.region: ", listed="allowed",
          more=", or set grid_kgCO2e_per_kWh")
    return table_value(grid, region)


def cam_synthesis_kWh_per_kg(cam_material, table: dict):
    """Synthesis electricity (kWh per kg of cathode active material) per variant: the CAM's own
    entry (``CAM_SYNTHESIS``) or the generic ``cam_synthesis_kWh_per_kg``."""
    generic = table_value(table, "cam_synthesis_kWh_per_kg")
    out = generic
    for material, key in CAM_SYNTHESIS.items():
        out = out + (np.asarray(cam_material) == material) * (table_value(table, key) - generic)
    return out


def pack_footprint(chemistry, cell_energy_Wh, cell_mass_kg, cell_format, n_cells,
                   pack_energy_kWh, integration, settings=None,
                   factors: dict | None = None, construction: dict | None = None) -> FootprintResult:
    """Cradle-to-gate kg CO2e per variant (inputs as :func:`packstudy.cost.pack_cost`).

    ``settings``: the study's ``[footprint]`` (``spec.FootprintSettings``, validated where the
    study is read: region, grid_kgCO2e_per_kWh, cam_region, recycled_content); None:
    :func:`default_settings`."""
    settings = settings or default_settings()
    tables = load_tables(factors)
    fp = tables["footprint"]
    v = lambda k: table_value(fp, k)  # noqa: E731
    integ = np.atleast_1d(np.asarray(integration, dtype=str))
    check_all("integration", integ, INTEGRATIONS, listed="allowed")
    grid = (settings.grid_kgCO2e_per_kWh if settings.grid_kgCO2e_per_kWh is not None
            else grid_intensity(settings.region, tables))
    cam_grid = grid_intensity(settings.cam_region, tables)
    rc = {k: settings.recycled_content.get(k, 0.0) for k in RECYCLABLE}

    def ef(key):
        rec = f"{key}_recycled"
        return (1 - rc[key]) * v(key) + rc[key] * v(rec)

    comp = cell_composition(chemistry, cell_energy_Wh, cell_mass_kg, cell_format, tables,
                            construction)
    n = np.asarray(n_cells, dtype=float)
    li_cam = comp["element_Li_kg"] - comp["lithium_metal_kg"]
    li_route = np.where(comp["lithium_source"] == "carbonate", v("lithium_carbonate_route"),
                        v("lithium_hydroxide_route"))
    li_ef = (1 - rc["lithium"]) * li_route + rc["lithium"] * v("lithium_recycled")
    cam = (li_cam * li_ef + comp["element_Ni_kg"] * ef("nickel")
           + comp["element_Co_kg"] * ef("cobalt") + comp["element_Mn_kg"] * v("manganese")
           + comp["element_Fe_kg"] * v("iron") + comp["element_Na_kg"] * v("sodium")
           + comp["element_Al_kg"] * ef("aluminium")
           + comp["cam_kg"] * cam_synthesis_kWh_per_kg(comp["cam_material"], fp) * cam_grid)
    anode_ef = 0.0
    for name, key in ANODE_EF.items():
        anode_ef = anode_ef + (comp["anode_material"] == name) * v(key)
    anode = (comp["anode_am_kg"] - comp["anode_silicon_kg"]) * anode_ef \
        + comp["anode_silicon_kg"] * v("silicon")
    other = ((comp["cathode_carbon_kg"] + comp["anode_carbon_kg"]) * v("carbon_black")
             + comp["binder_pvdf_kg"] * v("binder_pvdf")
             + comp["binder_cmc_sbr_kg"] * v("binder_cmc_sbr")
             + comp["separator_kg"] * v("separator")
             + (comp["solid_electrolyte_layer_kg"] + comp["cathode_solid_electrolyte_kg"])
             * v("solid_electrolyte_sulfide")
             + comp["electrolyte_kg"] * v("electrolyte"))
    metals = ((comp["aluminium_foil_kg"] + comp["terminal_aluminium_kg"]
               + comp["container_aluminium_kg"]) * ef("aluminium")
              + (comp["copper_foil_kg"] + comp["terminal_copper_kg"]) * ef("copper")
              + comp["container_steel_kg"] * v("steel")
              + comp["container_plastics_kg"] * v("plastics"))
    cell_energy_kWh = comp["energy_Wh"] / 1e3
    manufacturing = cell_energy_kWh * v("cell_manufacturing_kWh_per_kWh") * grid

    hw = pack_hardware_kg(pack_energy_kWh, integ, tables)
    pack_hw = ((hw["thermal_conductor_aluminium_kg"] + hw["pack_jacket_aluminium_kg"])
               * ef("aluminium") + hw["copper_interconnects_kg"] * ef("copper")
               + (hw["module_enclosure_steel_kg"] + hw["pack_jacket_steel_kg"]) * v("steel")
               + hw["coolant_manifold_stainless_kg"] * v("stainless_steel"))
    breakdown = {
        "cathode_active_material": n * cam,
        "anode_active_material": n * anode,
        "other_cell_materials": n * other,
        "cell_metals_and_container": n * metals,
        "cell_manufacturing_energy": n * manufacturing,
        "pack_hardware": pack_hw,
        "bms": np.full(np.shape(pack_hw), 1.0) * v("bms_kgCO2e_per_pack"),
    }
    total = sum(breakdown.values())
    shape = np.shape(total)
    breakdown = {k: np.broadcast_to(b, shape) for k, b in breakdown.items()}
    return FootprintResult(
        footprint_kgCO2e_per_kWh=total / np.asarray(pack_energy_kWh, dtype=float),
        footprint_kgCO2e=total, breakdown=breakdown)


def pack_minerals(chemistry, cell_energy_Wh, cell_mass_kg, cell_format, n_cells,
                  pack_energy_kWh, integration, factors: dict | None = None,
                  construction: dict | None = None) -> dict[str, np.ndarray]:
    """Element content per pack (kg): lithium, nickel, cobalt, manganese, graphite, copper,
    aluminium (copper and aluminium include foils, terminals, containers and pack hardware)."""
    tables = load_tables(factors)
    comp = cell_composition(chemistry, cell_energy_Wh, cell_mass_kg, cell_format, tables,
                            construction)
    integ = np.atleast_1d(np.asarray(integration, dtype=str))
    hw = pack_hardware_kg(pack_energy_kWh, integ, tables)
    n = np.asarray(n_cells, dtype=float)
    return {
        "lithium_kg": n * comp["element_Li_kg"],
        "nickel_kg": n * comp["element_Ni_kg"],
        "cobalt_kg": n * comp["element_Co_kg"],
        "manganese_kg": n * comp["element_Mn_kg"],
        "graphite_kg": n * comp["graphite_kg"],
        "copper_kg": n * (comp["copper_foil_kg"] + comp["terminal_copper_kg"])
        + hw["copper_interconnects_kg"],
        "aluminium_kg": n * (comp["aluminium_foil_kg"] + comp["terminal_aluminium_kg"]
                             + comp["container_aluminium_kg"] + comp["element_Al_kg"])
        + hw["thermal_conductor_aluminium_kg"] + hw["pack_jacket_aluminium_kg"],
    }
