"""Bottom-up battery pack cost in the manner of Argonne's BatPaC 5.0, vectorised over variants.

cost = materials (cell bill of materials x prices / process yields)
     + purchased items (cell container and terminals, module and pack hardware, monitoring, BMS)
     + manufacturing (BatPaC baseline plant steps, each scaled by its process rate with its
       p-exponents: direct labour, variable overhead, GSA, R&D, depreciation)
     + profit (a share of the plant investment) + warranty (a share of the price).

Material prices come from the dated price set of the study's ``[cost] year`` (``materials_YEAR.toml``,
the latest set not after that year); plant, labour and hardware costs are BatPaC 5.0's (2022 US$,
capital scaled by the production region's ``plant_capital_factor_REGION``). Both are brought to
US$ of that year with the US CPI-U. Results per variant; ``breakdown`` gives US$ per
pack by category.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from packstudy.catalog import factor, input_range
from packstudy.chemistry import cell_composition, load_tables, price_set_year, table_value
from packstudy.lookup import check, check_all

INTEGRATIONS = ("module", "cell_to_pack", "cell_to_body")
CAM_PRICE = {"nmc811": "cam_nmc811", "nmc90": "cam_nmc90", "nmc622": "cam_nmc622",
             "nca": "cam_nca", "lfp": "cam_lfp", "lmfp": "cam_lmfp", "nfpp": "cam_nfpp"}
ANODE_PRICE = {"graphite": "anode_graphite", "graphite_si": "anode_graphite_si",
               "hard_carbon": "anode_hard_carbon", "lithium_metal": "anode_lithium_metal"}
ELECTROLYTE_PRICE = {"electrolyte": "electrolyte", "electrolyte_lfp": "electrolyte_lfp"}


DEFAULT_REGION = "usa"  # of the plant when a study names none (BatPaC's baseline plant)


def default_settings() -> SimpleNamespace:
    """The ``[cost]`` values when a study gives none (the defaults of ``spec.CostSettings``):
    BatPaC's baseline plant (its production volume, in the US), the latest price set, no price
    overrides."""
    return SimpleNamespace(
        production_packs_per_year=factor("cell_manufacturing", "baseline_packs_per_year"),
        year=price_set_year(None), region=DEFAULT_REGION, prices={})


@dataclass(frozen=True)
class CostResult:
    """Per-variant cost; ``breakdown`` maps category -> US$ per pack."""

    cell_cost_usd_per_kWh: np.ndarray
    pack_cost_usd_per_kWh: np.ndarray
    pack_cost_usd: np.ndarray
    breakdown: dict[str, np.ndarray]


def price_overrides(prices: dict[str, float], year: int | None = None) -> dict[str, dict]:
    """Validated ``materials`` table entries from ``{material: price_usd_per_kg}`` (US$ of the
    price set of ``year``)."""
    table = load_tables(price_year=year)["materials"]
    allowed = sorted(k for k, e in table.items() if e["unit"] == "usd_per_kg")
    out = {}
    for name, price in prices.items():
        check("material", name, allowed, prefix="cost.prices: ", listed="allowed")
        low, high = (input_range("price_usd_per_kg")[k] for k in ("ge", "le"))
        if not (np.isfinite(price) and low <= price <= high):
            raise ValueError(f"cost.prices.{name}: price_usd_per_kg must be within {low:g} to "
                             f"{high:g} (data/factors/input_bounds.toml); got {price}")
        out[name] = {**table[name], "value": float(price), "low": price, "high": price,
                     "source": "study file [cost] prices override"}
    return {"materials": out} if out else {}


def check_year(year: int) -> None:
    """ValueError unless ``year`` has a US CPI-U index (costs are given in US$ of that year)."""
    _cpi_ratio(load_tables(price_year=year), year, year)


def _cpi_ratio(tables: dict, year: int, basis: int) -> float:
    """CPI-U of ``year`` over CPI-U of ``basis``; ValueError naming the years with an index."""
    mfg = tables["cell_manufacturing"]
    years = sorted(int(k[4:]) for k in mfg if k.startswith("cpi_"))
    for y in (year, basis):
        if y not in years:
            raise ValueError(f"cost.year: {y} has no price index; allowed: "
                             f"{years[0]}-{years[-1]}")
    return table_value(mfg, f"cpi_{year}") / table_value(mfg, f"cpi_{basis}")


def plant_capital_factor(region: str, tables: dict | None = None):
    """Capital (equipment and building) of a plant in ``region`` relative to BatPaC's US plant;
    ValueError listing the regions."""
    mfg = (tables or load_tables())["cell_manufacturing"]
    prefix = "plant_capital_factor_"
    regions = sorted(k.removeprefix(prefix) for k in mfg if k.startswith(prefix))
    check("region", region, regions, prefix="cost.region: ", listed="allowed")
    return table_value(mfg, prefix + region)


def _rebase_prices(materials: dict, factor: float) -> dict:
    """Materials table with every price multiplied by ``factor`` (dollar-year conversion)."""
    return {k: {**e, "value": e["value"] * factor} if e["unit"].startswith("usd_per_") else e
            for k, e in materials.items()}


def _lookup(names: np.ndarray, mapping: dict[str, str], table: dict):
    """Per-variant value of ``table[mapping[name]]`` (broadcasts sampled values)."""
    out = 0.0
    for name, key in mapping.items():
        out = out + np.where(names == name, 1.0, 0.0) * table_value(table, key)
    return out


def _design(chemistry, cell_energy_Wh, cell_mass_kg, cell_format, n_cells, pack_energy_kWh,
            integration, n_parallel, tables, construction=None):
    """Shared design quantities: composition, counts, masks."""
    integ = np.atleast_1d(np.asarray(integration, dtype=str))
    check_all("integration", integ, INTEGRATIONS, listed="allowed")
    n_cells = np.asarray(n_cells, dtype=float)
    if np.any(n_cells < 1) or np.any(np.asarray(pack_energy_kWh) <= 0):
        raise ValueError("n_cells must be >= 1 and pack_energy_kWh > 0")
    comp = cell_composition(chemistry, cell_energy_Wh, cell_mass_kg, cell_format, tables,
                            construction)
    is_module = integ == "module"
    per_module = table_value(tables["pack_integration"], "cells_per_module")
    n_modules = np.where(is_module, np.ceil(n_cells / per_module), 0.0)
    n_groups = n_cells / np.asarray(n_parallel, dtype=float)
    return comp, integ, n_cells, n_modules, n_groups


def pack_hardware_kg(pack_energy_kWh, integration, tables) -> dict[str, np.ndarray]:
    """Masses of module and pack hardware (kg per pack) by integration type."""
    pi = tables["pack_integration"]
    e = np.asarray(pack_energy_kWh, dtype=float)
    integ = np.asarray(integration, dtype=str)
    jacket = np.select([integ == "cell_to_pack", integ == "cell_to_body"],
                       [table_value(pi, "ctp_pack_jacket_factor"),
                        table_value(pi, "ctb_pack_jacket_factor")], 1.0)
    return {
        "copper_interconnects_kg": e * table_value(pi, "copper_interconnects_kg_per_kWh"),
        "thermal_conductor_aluminium_kg":
            e * table_value(pi, "thermal_conductor_aluminium_kg_per_kWh"),
        "module_enclosure_steel_kg":
            e * table_value(pi, "module_enclosure_steel_kg_per_kWh") * (integ == "module"),
        "pack_jacket_steel_kg": e * table_value(pi, "pack_jacket_steel_kg_per_kWh") * jacket,
        "pack_jacket_aluminium_kg":
            e * table_value(pi, "pack_jacket_aluminium_kg_per_kWh") * jacket,
        "coolant_manifold_stainless_kg":
            e * table_value(pi, "coolant_manifold_stainless_kg_per_kWh"),
    }


def _rates(comp, n_cells, n_modules, packs_per_year, tables):
    """Annual process rates of the plant (with yields) for each step driver."""
    m = tables["cell_manufacturing"]
    y_cell = table_value(m, "yield_cell")
    cells = n_cells * packs_per_year / y_cell
    y_el = table_value(m, "yield_electrode_material") * y_cell
    stack = (comp["capacity_Ah"] / table_value(m, "baseline_cell_capacity_Ah"))
    mods = np.maximum(n_modules, 1.0) / table_value(m, "baseline_modules_per_pack")
    base_cells = table_value(m, "baseline_cells_per_year")
    return {
        "cam_kg": comp["cam_kg"] * cells * y_cell / y_el
        / table_value(m, "baseline_cam_kg_per_year"),
        "anode_am_kg": comp["anode_am_kg"] * cells * y_cell / y_el
        / table_value(m, "baseline_anode_am_kg_per_year"),
        "cathode_area_m2": comp["cathode_area_m2"] * cells
        / table_value(m, "baseline_cathode_area_m2_per_year"),
        "anode_area_m2": comp["anode_area_m2"] * cells
        / table_value(m, "baseline_anode_area_m2_per_year"),
        "electrode_area_m2": (comp["cathode_area_m2"] + comp["anode_area_m2"]) * cells
        / (table_value(m, "baseline_cathode_area_m2_per_year")
           + table_value(m, "baseline_anode_area_m2_per_year")),
        "cells": cells / base_cells,
        "cells_stacking": cells / base_cells * stack ** table_value(m, "p_stacking_capacity"),
        "cells_formation": cells / base_cells * stack ** table_value(m, "p_formation_capacity"),
        "modules": n_modules * packs_per_year / table_value(m, "baseline_modules_per_year"),
        "packs_assembly": packs_per_year / table_value(m, "baseline_packs_per_year")
        * mods ** table_value(m, "p_pack_assembly_modules"),
        "energy_kWh": comp["energy_Wh"] / 1e3 * n_cells * packs_per_year
        / table_value(m, "baseline_energy_kWh_per_year"),
    }


def _plant(rates, tables, capital_factor=1.0):
    """Annual labour cost, capital and area per stage ('cell', 'module', 'pack', 'shared')."""
    m = tables["cell_manufacturing"]
    wage = table_value(m, "labour_rate")
    out = {s: {"labour": 0.0, "capital": 0.0, "area": 0.0}
           for s in ("cell", "module", "pack", "shared")}
    for key, step in m.items():
        if not key.startswith("step_"):
            continue
        r = rates[step["driver"]]
        active = r > 0
        rs = np.where(active, r, 1.0)
        acc = out[step["stage"]]
        acc["labour"] = acc["labour"] + active * wage * step["labour_h_per_yr"] * rs ** step[
            "p_labour"]
        acc["capital"] = acc["capital"] + (active * 1e6 * capital_factor * step["value"]
                                           * rs ** step["p_capital"])
        acc["area"] = acc["area"] + active * step["area_m2"] * rs ** step["p_area"]
    return out


def pack_cost(chemistry, cell_energy_Wh, cell_mass_kg, cell_format, n_cells, pack_energy_kWh,
              integration, settings=None, n_parallel=1,
              factors: dict | None = None, construction: dict | None = None) -> CostResult:
    """Bottom-up pack cost per variant (all inputs broadcastable arrays; strings as str arrays).

    ``settings``: the study's ``[cost]`` (``spec.CostSettings``, validated where the study is
    read: production_packs_per_year, year, region, prices); None: :func:`default_settings`.
    ``n_parallel`` (cells in parallel per series group) sets the cell-monitoring channel count.
    ``factors`` overrides factor-table entries (as :func:`packstudy.chemistry.load_tables`);
    ``construction``: the cells' own construction (:func:`packstudy.chemistry.cell_composition`).
    """
    settings = settings or default_settings()
    overrides = dict(factors or {})
    for table, entries in price_overrides(settings.prices, settings.year).items():
        overrides[table] = {**overrides.get(table, {}), **entries}
    tables = load_tables(overrides, price_year=settings.year)
    basis = int(table_value(tables["cell_manufacturing"], "price_basis_year"))
    tables["materials"] = _rebase_prices(
        tables["materials"], _cpi_ratio(tables, basis, price_set_year(settings.year)))
    cpi = _cpi_ratio(tables, settings.year, basis)
    capital_factor = plant_capital_factor(settings.region, tables)
    comp, integ, n_cells, n_modules, n_groups = _design(
        chemistry, cell_energy_Wh, cell_mass_kg, cell_format, n_cells, pack_energy_kWh,
        integration, n_parallel, tables, construction)
    mat, m, pi = tables["materials"], tables["cell_manufacturing"], tables["pack_integration"]
    q = float(settings.production_packs_per_year)
    y_cell = table_value(m, "yield_cell")
    y_el = table_value(m, "yield_electrode_material") * y_cell
    y_foil = table_value(m, "yield_foil") * y_cell
    e_pack = np.asarray(pack_energy_kWh, dtype=float)
    plus_scale = (q / table_value(m, "baseline_packs_per_year")) ** (
        table_value(m, "plus_cost_exponent") - 1)

    # cell materials, US$ per cell
    cam = comp["cam_kg"] * _lookup(comp["cam_material"], CAM_PRICE, mat) / y_el
    catholyte = comp["cathode_solid_electrolyte_kg"] * table_value(
        mat, "solid_electrolyte_sulfide") / y_el
    anode = comp["anode_am_kg"] * _lookup(comp["anode_material"], ANODE_PRICE, mat) / y_el
    other_electrode = (comp["cathode_carbon_kg"] + comp["anode_carbon_kg"]) * table_value(
        mat, "carbon_black") + comp["binder_pvdf_kg"] * table_value(mat, "binder_pvdf") \
        + comp["binder_cmc_sbr_kg"] * table_value(mat, "binder_cmc_sbr")
    foils = (comp["aluminium_foil_kg"] * table_value(mat, "foil_aluminium")
             + comp["copper_foil_kg"] * table_value(mat, "foil_copper")) / y_foil
    separator = (comp["separator_area_m2"] * table_value(mat, "separator")
                 / (table_value(m, "yield_separator") * y_cell)
                 + comp["solid_electrolyte_layer_kg"] * table_value(
                     mat, "solid_electrolyte_sulfide") / y_el)
    electrolyte = comp["electrolyte_L"] * _lookup(comp["electrolyte_price"], ELECTROLYTE_PRICE, mat) / (
        table_value(m, "yield_electrolyte") * y_cell)
    cell_items = (comp["container_kg"] * table_value(mat, "cell_container")
                  + table_value(mat, "cell_plus_cost") * plus_scale) / y_cell
    cell_materials = (cam + catholyte + anode + other_electrode / y_el + foils + separator
                      + electrolyte)

    # module and pack purchased items, US$ per pack
    hw = pack_hardware_kg(e_pack, integ, tables)
    module_items = (hw["thermal_conductor_aluminium_kg"]
                    * table_value(pi, "price_thermal_conductor")
                    + hw["module_enclosure_steel_kg"] * table_value(pi, "price_module_enclosure")
                    + (n_cells * table_value(pi, "plus_cost_per_cell")
                       + n_modules * table_value(pi, "plus_cost_per_module")) * plus_scale)
    pack_items = (hw["copper_interconnects_kg"] * table_value(pi, "price_copper_parts")
                  + hw["pack_jacket_steel_kg"] * table_value(pi, "price_pack_jacket_steel")
                  + hw["pack_jacket_aluminium_kg"] * table_value(pi, "price_pack_jacket_aluminium")
                  + hw["coolant_manifold_stainless_kg"] * table_value(pi, "price_coolant_manifold")
                  + table_value(pi, "plus_cost_per_pack") * plus_scale)
    monitoring = (n_groups * table_value(pi, "monitoring_per_series_group")
                  + n_modules * np.asarray(n_parallel) * comp["capacity_Ah"]
                  * table_value(pi, "monitoring_per_module_Ah")) * plus_scale
    bms = table_value(pi, "bms_usd_per_pack") * (q / table_value(m, "baseline_packs_per_year")) ** (
        table_value(pi, "bms_volume_exponent") - 1)

    # manufacturing, annual -> per pack
    plant = _plant(_rates(comp, n_cells, n_modules, q, tables), tables, capital_factor)
    area_total = sum(s["area"] for s in plant.values())
    base_area = sum(s["area_m2"] for k, s in m.items() if k.startswith("step_"))
    building = 1e6 * capital_factor * table_value(m, "building_investment_MUSD") * (
        area_total / base_area) ** table_value(m, "building_area_exponent")
    life = table_value(m, "equipment_life_years")
    b_dep = table_value(m, "building_depreciation_fraction")

    def overheads(labour, capital, area_share):
        dep = capital / life + b_dep * building * area_share
        voh = table_value(m, "voh_labour_fraction") * labour + table_value(
            m, "voh_depreciation_fraction") * dep
        gsa = table_value(m, "gsa_labour_voh_fraction") * (labour + voh) + table_value(
            m, "gsa_depreciation_fraction") * dep
        rnd = table_value(m, "rnd_depreciation_fraction") * dep
        return {"labour": labour / q, "variable_overhead": voh / q, "gsa": gsa / q,
                "rnd": rnd / q, "depreciation": dep / q}

    cell_stage = {k: plant["cell"][k] + plant["shared"][k] for k in ("labour", "capital", "area")}
    mp_stage = {k: plant["module"][k] + plant["pack"][k] for k in ("labour", "capital", "area")}
    cell_oh = overheads(cell_stage["labour"], cell_stage["capital"],
                        cell_stage["area"] / area_total)
    mp_oh = overheads(mp_stage["labour"], mp_stage["capital"], mp_stage["area"] / area_total)

    cell_direct = n_cells * (cell_materials + cell_items)
    pack_direct = module_items + pack_items + monitoring + bms

    def profit(direct, oh, capital, area_share):
        launch = table_value(m, "launch_materials_fraction") * direct * q + table_value(
            m, "launch_labour_voh_fraction") * (oh["labour"] + oh["variable_overhead"]) * q
        working = table_value(m, "working_capital_fraction") * q * (
            direct + oh["labour"] + oh["variable_overhead"])
        invest = capital + building * area_share + launch + working
        return table_value(m, "profit_investment_fraction") * invest / q

    cell_profit = profit(cell_direct, cell_oh, cell_stage["capital"],
                         cell_stage["area"] / area_total)
    mp_profit = profit(pack_direct, mp_oh, mp_stage["capital"], mp_stage["area"] / area_total)
    warranty_f = table_value(m, "warranty_fraction")
    cell_price = (cell_direct + sum(cell_oh.values()) + cell_profit) * (1 + warranty_f)
    pack_price = (cell_direct + pack_direct + sum(cell_oh.values()) + sum(mp_oh.values())
                  + cell_profit + mp_profit) * (1 + warranty_f)

    n = n_cells
    breakdown = {
        "cathode_active_material": n * cam,
        "anode_active_material": n * anode,
        "other_electrode_materials": n * other_electrode / y_el,
        "current_collector_foils": n * foils,
        "separator_or_solid_electrolyte": n * (separator + catholyte),
        "electrolyte": n * electrolyte,
        "cell_purchased_items": n * cell_items,
        "module_purchased_items": module_items,
        "pack_purchased_items": pack_items,
        "cell_monitoring_and_bms": monitoring + bms,
        "direct_labour": cell_oh["labour"] + mp_oh["labour"],
        "variable_overhead": cell_oh["variable_overhead"] + mp_oh["variable_overhead"],
        "gsa": cell_oh["gsa"] + mp_oh["gsa"],
        "rnd": cell_oh["rnd"] + mp_oh["rnd"],
        "depreciation": cell_oh["depreciation"] + mp_oh["depreciation"],
        "profit": cell_profit + mp_profit,
        "warranty": pack_price * warranty_f / (1 + warranty_f),
    }
    breakdown = {k: np.broadcast_to(v * cpi, np.shape(pack_price)) for k, v in breakdown.items()}
    cell_energy_kWh_per_pack = n * comp["energy_Wh"] / 1e3
    return CostResult(
        cell_cost_usd_per_kWh=cell_price * cpi / cell_energy_kWh_per_pack,
        pack_cost_usd_per_kWh=pack_price * cpi / e_pack,
        pack_cost_usd=pack_price * cpi,
        breakdown=breakdown,
    )
