"""A cell's own construction (``[construction]`` in its file: electrode design and housing from
a teardown) in its bill of materials, and so in cost, footprint and minerals."""

import tomllib

import numpy as np
import pytest

from packstudy import catalog
from packstudy.cell import CellError, cell_arrays, cell_from_dict, load_cell
from packstudy.chemistry import cell_composition, load_tables
from packstudy.footprint import pack_footprint

TABLES = load_tables()


def _cell_table() -> dict:
    with open(catalog.preset_path("cells", "lfp-prismatic"), "rb") as f:
        return tomllib.load(f)


PARTS = ("stack_kg", "terminal_copper_kg", "terminal_aluminium_kg", "container_kg")


def _comp(construction=None, mass=3.6937):
    return cell_composition("lfp-graphite", 646.4, mass, "prismatic", TABLES, construction)


def test_no_construction_is_the_chemistrys_composition():
    nan = {k: np.array([np.nan]) for k in ("cathode_areal_capacity_mAh_per_cm2", "container_kg")}
    plain, with_nan = _comp(), _comp(nan)
    for key, value in plain.items():
        if np.asarray(value).dtype.kind == "f":
            np.testing.assert_array_equal(with_nan[key], value, err_msg=key)
    assert with_nan["unresolved_kg"][0] == 0.0


def test_the_electrode_design_moves_the_stack_as_its_geometry_says():
    plain = _comp()
    thin = _comp({"cathode_areal_capacity_mAh_per_cm2": np.array([2.06]),
                  "cathode_foil_thickness_um": np.array([30.0])})
    # half the areal capacity -> twice the coated area -> twice the foil area; 2x thicker foil
    assert thin["cathode_area_m2"][0] == pytest.approx(2 * plain["cathode_area_m2"][0], rel=1e-12)
    al = plain["aluminium_foil_kg"][0]
    assert thin["aluminium_foil_kg"][0] == pytest.approx(4 * al, rel=1e-12)
    assert thin["cam_kg"][0] == pytest.approx(plain["cam_kg"][0], rel=1e-12)  # same capacity


def test_the_anode_follows_its_coating_thickness():
    """Anode active mass = coated area x thickness x solid fraction x the coating's density,
    replacing N/P x capacity; twice the thickness, twice the anode."""
    one, two = (_comp({"anode_coating_thickness_um": np.array([t])}) for t in (40.0, 80.0))
    assert two["anode_am_kg"][0] == pytest.approx(2 * one["anode_am_kg"][0], rel=1e-12)
    plain = _comp()
    # the recipe's N/P 1.1 anode is a ~88 um coating at the chemistry's 4.12 mAh/cm2 (BatPaC's
    # 120 um cathode cap): graphite (2.24 g/cm3, 32 % pores) holds less per um than LFP
    t_recipe = 40.0 * plain["anode_am_kg"][0] / one["anode_am_kg"][0]
    assert 70.0 < t_recipe < 110.0


def test_a_known_housing_leaves_the_rest_as_the_resolved_composition():
    own = {"container_kg": np.array([0.25])}
    comp = _comp(own)
    resolved = sum(_comp()[k][0] for k in PARTS[:3]) + 0.25
    scale = 3.6937 / resolved
    assert sum(comp[k][0] for k in PARTS) == pytest.approx(3.6937, rel=1e-12)  # mass closes
    assert comp["container_kg"][0] == pytest.approx(0.25 * scale, rel=1e-12)
    assert comp["cam_kg"][0] == pytest.approx(_comp()["cam_kg"][0] * scale, rel=1e-12)
    assert comp["unresolved_kg"][0] == pytest.approx(3.6937 - resolved, rel=1e-12)
    # a cell lighter than its stack and housing: no scaling, the deficit reported
    light = _comp(own, mass=2.5)
    assert light["container_kg"][0] == 0.25 and light["mass_deficit_kg"][0] > 0


def test_the_blade_preset_carries_its_teardown_construction():
    cell = load_cell("lfp-prismatic")
    assert cell.construction["cathode_areal_capacity_mAh_per_cm2"] == 2.393
    arrays = cell_arrays([cell, load_cell("nmc622-prismatic")])
    assert np.isnan(arrays.construction["container_kg"][1])  # the NMC cell gives none
    d = dict(chemistry="lfp-graphite", cell_energy_Wh=cell.energy_Wh, cell_mass_kg=cell.mass_kg,
             cell_format="prismatic", n_cells=155, pack_energy_kWh=155 * cell.energy_Wh / 1e3,
             integration="module")
    own = {k: v[:1] for k, v in arrays.construction.items()}
    generic = pack_footprint(**d).breakdown["cell_metals_and_container"][0]
    resolved = pack_footprint(**d, construction=own).breakdown["cell_metals_and_container"][0]
    assert resolved < 0.8 * generic  # the can is 0.22 kg, not the 0.81 kg the mass left over


def test_a_weighed_electrolyte_replaces_the_pore_fill():
    """electrolyte_g_per_Ah (a teardown's weighed electrolyte) x capacity, at the chemistry's
    density; NaN keeps the pore fill."""
    plain = _comp()
    weighed = _comp({"electrolyte_g_per_Ah": np.array([1.3])})
    ah = plain["capacity_Ah"][0]  # 646.4 Wh at the chemistry's nominal voltage
    assert weighed["electrolyte_kg"][0] == pytest.approx(1.3e-3 * ah, rel=1e-12)
    density = plain["electrolyte_kg"][0] / plain["electrolyte_L"][0]
    assert weighed["electrolyte_L"][0] == pytest.approx(1.3e-3 * ah / density, rel=1e-12)
    assert weighed["cam_kg"][0] == plain["cam_kg"][0]
    assert weighed["electrolyte_kg"][0] < plain["electrolyte_kg"][0]  # the recipe's pores hold more
    np.testing.assert_array_equal(_comp({"electrolyte_g_per_Ah": np.array([np.nan])})[
        "electrolyte_kg"], plain["electrolyte_kg"])


# VW ID.3 LG 78 Ah pouch teardown (Guenter & Wassiliadis, J. Electrochem. Soc. 169:030515, 2022,
# as tabulated in donghee1025/Battery-Park): coatings per face 87.3 um (cathode) and 115.3 um
# (anode) at 22 % porosity; the constructions of the presets of its class take only its areal
# capacity and electrolyte per Ah
ID3_COATING_UM = {"cathode": 87.3, "anode": 115.3}
ID3_POROSITY = 0.22


@pytest.mark.parametrize("preset", ["nmc811-pouch", "nmc-pouch-lges"])
def test_id3_class_pouch_mass_resolves_into_the_teardowns_coatings(preset):
    """With the teardown's areal capacity, weighed electrolyte and a pouch film, what the
    preset's mass holds beyond them is taken as its resolved composition (mostly coatings); the
    coatings this gives are as thick as the teardown measured (not an input), and the pouch
    holds a film's aluminium, not 0.1 kg of it. nmc-pouch-lges is an LG pouch of the ID.3
    cell's family (13.9 vs 13.6 g/Ah)."""
    from packstudy.chemistry import load_chemistry

    c = load_cell(preset)
    assert c.construction["cathode_areal_capacity_mAh_per_cm2"] == 5.02
    assert c.construction["electrolyte_g_per_Ah"] == 0.95
    own = {k: np.array([v]) for k, v in c.construction.items()}
    comp = cell_composition(c.chemistry, c.energy_Wh, c.mass_kg, c.format, TABLES, own)
    generic = cell_composition(c.chemistry, c.energy_Wh, c.mass_kg, c.format, TABLES)
    rec, d = load_chemistry(c.chemistry), TABLES["cell_design"]
    solid = {"cathode": comp["cam_kg"][0] / 4.65 + comp["cathode_carbon_kg"][0]
             / d["density_carbon_black"]["value"] + comp["binder_pvdf_kg"][0]
             / d["density_binder_pvdf"]["value"],
             "anode": comp["anode_am_kg"][0] / 2.24 + comp["binder_cmc_sbr_kg"][0]
             / d["density_binder_cmc_sbr"]["value"]}  # L of solids (kg / g/cm3)
    assert rec["cathode"]["active_density_g_per_cm3"] == 4.65
    assert rec["anode"]["active_density_g_per_cm3"] == 2.24
    for side, area in (("cathode", comp["cathode_area_m2"][0]), ("anode", comp["anode_area_m2"][0])):
        um = solid[side] * 1e-3 / (1 - ID3_POROSITY) / area * 1e6
        print(f"\n{side} coating per face {um:.1f} um (ID.3 teardown {ID3_COATING_UM[side]})")
        assert um == pytest.approx(ID3_COATING_UM[side], rel=0.10)
    assert comp["container_aluminium_kg"][0] < 0.015 < 0.09 < generic["container_aluminium_kg"][0]
    assert 0.0 < comp["unresolved_kg"][0] < 0.2 * c.mass_kg


@pytest.mark.parametrize("table, words", [
    ({"can_kg": 0.2}, "construction.can_kg: unknown key"),
    ({"container_kg": -0.2}, "construction.container_kg: must be a positive number"),
    ("thin", "construction: must be a table"),
    # grams for kg: a 217 kg can on a 3.69 kg cell costed the pack 1,204 $/kWh and gave it
    # 21.9 t of aluminium, without a word
    ({"container_kg": 216.6}, r"construction.container_kg: .*less than the cell's mass_kg"),
    # micrometres off by ten: a 650 um anode put 919 kg of graphite in a 678 kg pack
    ({"anode_coating_thickness_um": 650.0}, r"construction: .* weigh \d+\.\d kg, more than the "
                                            r"cell's mass_kg \(3\.69\d* kg\)"),
])
def test_a_bad_construction_table_is_named(table, words):
    data = dict(_cell_table(), construction=table)
    with pytest.raises(CellError, match=words):
        cell_from_dict(data)


def test_a_preset_construction_needs_its_source():
    data = _cell_table()
    data["sources"] = {k: v for k, v in data["sources"].items() if k != "construction.container_kg"}
    with pytest.raises(CellError, match="construction.container_kg"):
        cell_from_dict(data, require_sources=True)
