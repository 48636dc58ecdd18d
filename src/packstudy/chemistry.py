"""Cell chemistries and the cell's bill of materials by mass balance.

Each chemistry is ``data/chemistries/ID.toml`` (electrode recipes, capacities, densities, foils,
separator, electrolyte, with sources). :func:`cell_composition` turns a cell's nominal energy and
mass into the masses of its components and elements, vectorised over variants:

- capacity_Ah = cell_energy_Wh / nominal_voltage_V
- cathode active mass = capacity / specific capacity; anode active mass = N/P x capacity /
  (anode capacity - SEI loss); binder and carbon from the electrode recipes
- coated areas from the areal capacity; foils, separator and pore-filling electrolyte from areas,
  thicknesses, porosities and densities (``data/factors/cell_design.toml``); a cell's own
  weighed electrolyte (``electrolyte_g_per_Ah``) replaces the pore fill
- container = cell mass - everything above (``stack_kg``) - cell terminals; a cell lighter than
  its stack gets no container and reports ``mass_deficit_kg`` (the given mass is inconsistent
  with the chemistry)

A cell's own construction (``construction``: its published electrode design and housing from a
teardown or datasheet, ``CONSTRUCTION_KEYS``) replaces the chemistry's generic values. With its
housing mass known, the mass neither the stack, the terminals nor the housing account for
(``unresolved_kg``, within a teardown's weighing and thickness tolerances) is taken to be of the
cell's resolved composition: every component scaled alike, none singled out. A given anode
coating thickness sets the anode's mass (area x thickness x solid fraction x density) in place
of N/P x capacity.

Element masses of the active material follow from its formula and IUPAC atomic weights.
"""

from __future__ import annotations

import tomllib
from functools import cache

import numpy as np

from packstudy.catalog import data_dir, factor_table
from packstudy.lookup import check, check_all

# IUPAC 2021 standard atomic weights (g/mol): physical constants, not model defaults.
ATOMIC_MASS_G_PER_MOL = {
    "Li": 6.94, "Na": 22.990, "Ni": 58.693, "Co": 58.933, "Mn": 54.938, "Fe": 55.845,
    "Al": 26.982, "P": 30.974, "O": 15.999, "C": 12.011,
}
ELEMENTS = ("Li", "Ni", "Co", "Mn", "Fe", "Al", "Na")
CELL_FORMATS = ("pouch", "prismatic", "cylindrical")
FACTOR_TABLES = ("materials", "cell_design", "cell_manufacturing", "pack_integration",
                 "footprint", "grid")
PRICE_SET_PREFIX = "materials_"
# a cell's own construction (cell files' [construction]); NaN where a cell gives none
CONSTRUCTION_KEYS = ("cathode_areal_capacity_mAh_per_cm2", "anode_coating_thickness_um",
                     "cathode_foil_thickness_um", "anode_foil_thickness_um",
                     "separator_thickness_um", "container_kg", "electrolyte_g_per_Ah")


@cache
def price_set_years() -> tuple[int, ...]:
    """Years of the shipped material price sets (``data/factors/materials_YEAR.toml``)."""
    files = (data_dir() / "factors").glob(f"{PRICE_SET_PREFIX}*.toml")
    return tuple(sorted(int(p.stem.removeprefix(PRICE_SET_PREFIX)) for p in files))


def price_set_year(year: int | None = None) -> int:
    """The price set used for a study year: the latest set not after ``year`` (the earliest set
    for earlier years); ``None`` gives the most recent set."""
    years = price_set_years()
    if year is None:
        return years[-1]
    return max([y for y in years if y <= year], default=years[0])


def load_tables(overrides: dict | None = None, price_year: int | None = None
                ) -> dict[str, dict[str, dict]]:
    """The factor tables used by cost and footprint, ``{table: {entry: {value, unit, ...}}}``.

    ``materials`` is the price set of :func:`price_set_year` (``price_year``). ``overrides`` has
    the same shape; its entries replace the shipped ones (the Monte Carlo passes sampled tables
    whose ``value`` is an array of shape (samples, 1)). The outer dict is new; the shipped
    tables in it are read-only views shared by all callers (:func:`packstudy.catalog.factor_table`).
    """
    tables = {name: factor_table(name) for name in FACTOR_TABLES if name != "materials"}
    tables["materials"] = factor_table(f"{PRICE_SET_PREFIX}{price_set_year(price_year)}")
    for name, entries in (overrides or {}).items():
        tables[name] = {**tables.get(name, {}), **entries}
    return tables


def table_value(table: dict, key: str):
    """The ``value`` of one entry of a loaded factor table (float or sampled array)."""
    return table[key]["value"]


def list_chemistries() -> list[str]:
    """Ids of the shipped chemistries (file stems of ``data/chemistries/*.toml``)."""
    return list(_chemistry_ids())


@cache
def _chemistry_ids() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in (data_dir() / "chemistries").glob("*.toml")))


@cache
def load_chemistry(chemistry_id: str) -> dict:
    """The parsed chemistry record; ValueError listing the valid ids if unknown."""
    path = data_dir() / "chemistries" / f"{chemistry_id}.toml"
    if not path.is_file():
        check("chemistry", chemistry_id, list_chemistries(), listed="allowed")
    with open(path, "rb") as f:
        return tomllib.load(f)


def element_mass_fractions(formula: dict[str, float]) -> dict[str, float]:
    """Mass fraction of each element in a formula unit, e.g. {'Li': 1, 'Fe': 1, 'P': 1, 'O': 4}."""
    masses = {el: n * ATOMIC_MASS_G_PER_MOL[el] for el, n in formula.items()}
    total = sum(masses.values())
    return {el: m / total for el, m in masses.items()}


def _codes(values, allowed, what: str):
    """Unique codes of a string array; ValueError naming what is allowed."""
    arr = np.atleast_1d(np.asarray(values, dtype=str))
    uniq, inv = np.unique(arr, return_inverse=True)
    check_all(what, uniq, allowed, listed="allowed")
    return uniq, inv.reshape(arr.shape)


def _per_variant(uniq, inv, getter, dtype=float):
    return np.asarray([getter(u) for u in uniq], dtype=dtype)[inv]


def cell_composition(chemistry, cell_energy_Wh, cell_mass_kg, cell_format, tables: dict,
                     construction: dict | None = None) -> dict:
    """Bill of materials of one cell per variant (kg per cell unless the name says otherwise).

    ``tables`` maps factor-table names to entries (see :func:`packstudy.tables.load_tables`);
    ``construction``: ``CONSTRUCTION_KEYS`` -> per-variant arrays, NaN where the cell gives none
    (the chemistry's value applies).
    Returns arrays keyed by component, plus ``element_<El>_kg`` for the active material and
    electrolyte, ``cam_material`` / ``anode_material`` / ``electrolyte_price`` (materials key) /
    ``container_*_kg`` for pricing.
    """
    uniq, inv = _codes(chemistry, _chemistry_ids(), "chemistry")
    _codes(cell_format, CELL_FORMATS, "cell_format")
    construction = construction or {}

    def own(key, generic):
        """The cell's own value of ``key`` where it gives one, else ``generic``."""
        mine = np.asarray(construction.get(key, np.nan), dtype=float)
        return np.where(np.isfinite(mine), mine, generic)

    fmt = np.atleast_1d(np.asarray(cell_format, dtype=str))
    recs = {u: load_chemistry(u) for u in uniq}
    cat = lambda sec, key, default=0.0: _per_variant(  # noqa: E731
        uniq, inv, lambda u: recs[u][sec].get(key, default))
    design = tables["cell_design"]

    def d(key):
        return table_value(design, key)

    energy_Wh = np.asarray(cell_energy_Wh, dtype=float)
    mass_kg = np.asarray(cell_mass_kg, dtype=float)
    if np.any(energy_Wh <= 0) or np.any(mass_kg <= 0):
        raise ValueError("cell_energy_Wh and cell_mass_kg must be positive")
    voltage_V = _per_variant(uniq, inv, lambda u: recs[u]["nominal_voltage_V"])
    capacity_Ah = energy_Wh / voltage_V
    out: dict = {"capacity_Ah": capacity_Ah, "energy_Wh": energy_Wh}

    # cathode: active material, recipe, coated area (both faces), pores
    cam_kg = capacity_Ah / cat("cathode", "specific_capacity_mAh_per_g")
    c_coat_kg = cam_kg / cat("cathode", "active_fraction")
    c_carbon = c_coat_kg * cat("cathode", "carbon_fraction")
    c_binder = c_coat_kg * cat("cathode", "binder_fraction")
    c_se = c_coat_kg * cat("cathode", "solid_electrolyte_fraction")
    cathode_area_m2 = capacity_Ah / (10.0 * own("cathode_areal_capacity_mAh_per_cm2",
                                                 cat("cathode", "areal_capacity_mAh_per_cm2")))

    c_pvdf = _per_variant(uniq, inv, lambda u: recs[u]["cathode"]["binder"] == "pvdf")
    a_pvdf = _per_variant(uniq, inv, lambda u: recs[u]["anode"]["binder"] == "pvdf")
    rho_b_c = np.where(c_pvdf > 0, d("density_binder_pvdf"), d("density_binder_cmc_sbr"))
    rho_b_a = np.where(a_pvdf > 0, d("density_binder_pvdf"), d("density_binder_cmc_sbr"))

    # anode: N/P x capacity, or the cell's own coating thickness (per face) over its area
    a_q = cat("anode", "specific_capacity_mAh_per_g") - cat("anode", "sei_loss_mAh_per_g")
    anode_area_m2 = cathode_area_m2 * d("anode_area_factor")
    a_af, a_cf, a_bf = (cat("anode", k) for k in ("active_fraction", "carbon_fraction",
                                                  "binder_fraction"))
    solid_cm3_per_g = (a_af / cat("anode", "active_density_g_per_cm3")
                       + a_cf / d("density_carbon_black") + a_bf / rho_b_a)
    coat_from_thickness_kg = (anode_area_m2 * 1e4 * own("anode_coating_thickness_um", np.nan) * 1e-4
                              * (1 - cat("anode", "porosity")) / solid_cm3_per_g * 1e-3)
    aam_kg = np.where(np.isfinite(coat_from_thickness_kg), coat_from_thickness_kg * a_af,
                      cat("anode", "np_ratio") * capacity_Ah / a_q)
    a_coat_kg = aam_kg / a_af
    a_carbon = a_coat_kg * a_cf
    a_binder = a_coat_kg * a_bf
    si_kg = aam_kg * cat("anode", "silicon_fraction")
    pvdf_kg = c_binder * c_pvdf + a_binder * a_pvdf
    cmc_kg = c_binder * (1 - c_pvdf) + a_binder * (1 - a_pvdf)

    def solid_cm3(am, rho_am, carbon, binder, rho_b, se=0.0):
        return (1e3 * am / rho_am + 1e3 * carbon / d("density_carbon_black")
                + 1e3 * binder / rho_b + 1e3 * se / d("density_solid_electrolyte"))

    c_solid = solid_cm3(cam_kg, cat("cathode", "active_density_g_per_cm3"), c_carbon, c_binder,
                        rho_b_c, c_se)
    a_solid = solid_cm3(aam_kg, cat("anode", "active_density_g_per_cm3"), a_carbon, a_binder,
                        rho_b_a)
    c_por, a_por = cat("cathode", "porosity"), cat("anode", "porosity")
    pores_cm3 = c_solid * c_por / (1 - c_por) + a_solid * a_por / (1 - a_por)

    # separator or solid-electrolyte layer (one layer per cathode face)
    sep_area_m2 = cathode_area_m2 * d("separator_area_factor")
    sep_t_cm = own("separator_thickness_um", cat("separator", "thickness_um")) * 1e-4
    sep_por = cat("separator", "porosity")
    sep_vol_cm3 = sep_area_m2 * 1e4 * sep_t_cm
    sep_kg = sep_vol_cm3 * (1 - sep_por) * cat("separator", "density_g_per_cm3") * 1e-3
    is_se = _per_variant(uniq, inv, lambda u: recs[u]["separator"]["kind"] == "solid_electrolyte")
    pores_cm3 = pores_cm3 + sep_vol_cm3 * sep_por

    # electrolyte fills the pores (liquid cells only), or the cell's own weighed g/Ah
    rho_el = cat("electrolyte", "density_g_per_cm3")
    pore_fill_L = pores_cm3 * 1e-3 * d("electrolyte_fill_factor") * (rho_el > 0)
    weighed_L = (own("electrolyte_g_per_Ah", np.nan) * capacity_Ah * 1e-3
                 / np.where(rho_el > 0, rho_el, np.nan))  # none in solid-electrolyte cells
    electrolyte_L = np.where(np.isfinite(weighed_L), weighed_L, pore_fill_L)
    electrolyte_kg = electrolyte_L * rho_el

    # foils: one foil per electrode pair of faces, plus uncoated tab area
    def foil_kg(area_m2, which):
        t_cm = own(f"{which}_foil_thickness_um",
                   cat("current_collectors", f"{which}_foil_thickness_um")) * 1e-4
        is_cu = _per_variant(uniq, inv,
                             lambda u: recs[u]["current_collectors"][f"{which}_foil"] == "copper")
        m = area_m2 / 2 * d("foil_area_factor") * 1e4 * t_cm * 1e-3
        return m * d("density_aluminium") * (1 - is_cu), m * d("density_copper") * is_cu

    al_c, cu_c = foil_kg(cathode_area_m2, "cathode")
    al_a, cu_a = foil_kg(anode_area_m2, "anode")
    pack = tables["pack_integration"]
    energy_kWh = energy_Wh / 1e3
    term_cu = energy_kWh * table_value(pack, "cell_terminal_copper_kg_per_kWh")
    term_al = energy_kWh * table_value(pack, "cell_terminal_aluminium_kg_per_kWh")

    stack_kg = (c_coat_kg + a_coat_kg + sep_kg + electrolyte_kg + al_c + cu_c + al_a + cu_a)
    unallocated_kg = mass_kg - stack_kg - term_cu - term_al
    housing = own("container_kg", np.nan)  # the cell's own housing, where given
    given = np.isfinite(housing)
    container_kg = np.where(given, housing, np.maximum(unallocated_kg, 0.0))
    unallocated_kg = np.where(given, unallocated_kg - container_kg, unallocated_kg)
    # with its own housing, what is left is of the resolved composition (scale >= 1)
    resolved_kg = stack_kg + term_cu + term_al + container_kg
    scale = np.where(given & (unallocated_kg > 0), mass_kg / resolved_kg, 1.0)
    al_frac = np.select(
        [fmt == "pouch", fmt == "prismatic"],
        [table_value(tables["footprint"], "pouch_aluminium_fraction"),
         d("prismatic_aluminium_fraction")], 0.0)
    steel_frac = np.where(fmt == "cylindrical", d("cylindrical_steel_fraction"), 0.0)

    out.update(
        cam_kg=cam_kg, cathode_carbon_kg=c_carbon, cathode_solid_electrolyte_kg=c_se,
        anode_am_kg=aam_kg, anode_silicon_kg=si_kg, anode_carbon_kg=a_carbon,
        binder_pvdf_kg=pvdf_kg, binder_cmc_sbr_kg=cmc_kg,
        separator_kg=sep_kg * (1 - is_se), separator_area_m2=sep_area_m2 * (1 - is_se),
        solid_electrolyte_layer_kg=sep_kg * is_se,
        electrolyte_L=electrolyte_L, electrolyte_kg=electrolyte_kg,
        aluminium_foil_kg=al_c + al_a, copper_foil_kg=cu_c + cu_a, stack_kg=stack_kg,
        terminal_copper_kg=term_cu, terminal_aluminium_kg=term_al,
        container_kg=container_kg, mass_deficit_kg=np.maximum(-unallocated_kg, 0.0),
        unresolved_kg=(scale - 1.0) * resolved_kg,
        container_aluminium_kg=container_kg * al_frac,
        container_steel_kg=container_kg * steel_frac,
        container_plastics_kg=container_kg * (1 - al_frac - steel_frac),
        cathode_area_m2=cathode_area_m2, anode_area_m2=anode_area_m2,
        cam_material=_per_variant(uniq, inv, lambda u: recs[u]["cathode"]["material"], str),
        anode_material=_per_variant(uniq, inv, lambda u: recs[u]["anode"]["material"], str),
        lithium_source=_per_variant(uniq, inv, lambda u: recs[u]["cathode"]["lithium_source"],
                                    str),
        electrolyte_price=_per_variant(
            uniq, inv, lambda u: recs[u]["electrolyte"].get("price_key", "electrolyte"), str),
        projection=_per_variant(uniq, inv, lambda u: recs[u]["projection"], bool),
    )

    # elements: active-material formula, electrolyte salt, Li metal, sulfide electrolyte
    for el in ELEMENTS:
        frac = _per_variant(uniq, inv, lambda u, el=el: element_mass_fractions(
            recs[u]["cathode"]["formula"]).get(el, 0.0))
        out[f"element_{el}_kg"] = cam_kg * frac
    carrier_kg = electrolyte_L * cat("electrolyte", "carrier_g_per_L") * 1e-3
    is_na = _per_variant(uniq, inv, lambda u: recs[u]["electrolyte"]["charge_carrier"] == "Na")
    li_metal = aam_kg * _per_variant(uniq, inv,
                                     lambda u: recs[u]["anode"]["material"] == "lithium_metal")
    se_li = (sep_kg * is_se + c_se) * cat("separator", "li_mass_fraction")
    out["element_Li_kg"] = out["element_Li_kg"] + carrier_kg * (1 - is_na) + li_metal + se_li
    out["element_Na_kg"] = out["element_Na_kg"] + carrier_kg * is_na
    out["graphite_kg"] = (aam_kg - si_kg) * _per_variant(
        uniq, inv, lambda u: recs[u]["anode"]["material"] in ("graphite", "graphite_si"))
    out["lithium_metal_kg"] = li_metal
    for key in [k for k in out if k.endswith("_kg") and k not in ("mass_deficit_kg", "unresolved_kg")]:
        out[key] = out[key] * scale
    for key in ("electrolyte_L", "separator_area_m2"):
        out[key] = out[key] * scale
    return out
