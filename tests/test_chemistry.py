import numpy as np
import pytest

from packstudy.chemistry import (
    cell_composition,
    element_mass_fractions,
    list_chemistries,
    load_chemistry,
    load_tables,
)

IDS = ["lfp-graphite", "lmfp-graphite", "nca-graphite-si", "nfpp-hard-carbon",
       "nmc622-graphite", "nmc811-graphite", "nmc811-lithium-metal", "nmc9-graphite-si"]


def test_shipped_ids_and_sources():
    assert list_chemistries() == IDS
    for cid in IDS:
        rec = load_chemistry(cid)
        for sec in ("cathode", "anode", "separator", "electrolyte", "current_collectors"):
            assert rec[sec]["source"]
    assert load_chemistry("nmc811-lithium-metal")["projection"] is True
    assert load_chemistry("nfpp-hard-carbon")["projection"] is True


def test_element_fractions_of_nmc811():
    f = element_mass_fractions({"Li": 1, "Ni": 0.8, "Mn": 0.1, "Co": 0.1, "O": 2})
    assert f["Ni"] == pytest.approx(0.4826, abs=1e-3)
    assert f["Li"] == pytest.approx(0.0714, abs=1e-3)


def test_mass_balance_closes_and_scales():
    t = load_tables()
    c = cell_composition(np.array(IDS), 250.0, 1.9, "pouch", t)
    parts = ["cam_kg", "cathode_carbon_kg", "cathode_solid_electrolyte_kg", "anode_am_kg",
             "anode_carbon_kg", "binder_pvdf_kg", "binder_cmc_sbr_kg", "separator_kg",
             "solid_electrolyte_layer_kg", "electrolyte_kg", "aluminium_foil_kg",
             "copper_foil_kg", "terminal_copper_kg", "terminal_aluminium_kg", "container_kg"]
    np.testing.assert_allclose(sum(c[p] for p in parts), 1.9, rtol=1e-9)
    np.testing.assert_allclose(sum(c[p] for p in parts[:-3]), c["stack_kg"], rtol=1e-9)
    assert np.all(c["mass_deficit_kg"] == 0)
    # a 250 Wh sodium-ion cell cannot weigh 1.2 kg (stack ~1.66 kg at 3.1 V, 110 mAh/g)
    light = cell_composition("nfpp-hard-carbon", 250.0, 1.2, "pouch", t)
    assert light["mass_deficit_kg"][0] > 0.3 and light["container_kg"][0] == 0
    # Na-ion: no lithium, no copper; LFP: no nickel or cobalt
    i_na, i_lfp = IDS.index("nfpp-hard-carbon"), IDS.index("lfp-graphite")
    assert c["element_Li_kg"][i_na] == 0 and c["copper_foil_kg"][i_na] == 0
    assert c["element_Co_kg"][i_lfp] == 0 and c["element_Ni_kg"][i_lfp] == 0
    double = cell_composition("nmc811-graphite", 500.0, 2.4, "pouch", t)
    single = cell_composition("nmc811-graphite", 250.0, 1.2, "pouch", t)
    assert double["cam_kg"] == pytest.approx(2 * single["cam_kg"])


def test_unknown_chemistry_and_format():
    t = load_tables()
    with pytest.raises(ValueError, match="allowed: lfp-graphite"):
        cell_composition("nmc911", 250.0, 1.0, "pouch", t)
    with pytest.raises(ValueError, match="pouch, prismatic, cylindrical"):
        cell_composition("nmc811-graphite", 250.0, 1.0, "coin", t)


@pytest.mark.parametrize("cid", ["lfp-graphite", "lmfp-graphite", "nmc622-graphite",
                                 "nmc811-graphite"])
def test_areal_capacity_matches_batpac_thickness_cap(cid):
    """Chemistries loaded 'at the 120 um cap' hold what 120 um of their coating holds:
    t (1 - porosity) x solids density x active fraction x specific capacity."""
    rec = load_chemistry(cid)["cathode"]
    assert "120 um" in rec["source"]
    d = {k: v["value"] for k, v in load_tables()["cell_design"].items()}
    binder_rho = d["density_binder_pvdf"] if rec["binder"] == "pvdf" else d["density_binder_cmc_sbr"]
    solids_g_per_cm3 = 1 / (rec["active_fraction"] / rec["active_density_g_per_cm3"]
                            + rec["carbon_fraction"] / d["density_carbon_black"]
                            + rec["binder_fraction"] / binder_rho)
    q = (120e-4 * (1 - rec["porosity"]) * solids_g_per_cm3 * rec["active_fraction"]
         * rec["specific_capacity_mAh_per_g"])
    assert rec["areal_capacity_mAh_per_cm2"] == pytest.approx(q, rel=0.01)


def test_anode_free_solid_state_cell_carries_no_lithium_metal_at_assembly():
    """Issue 12: the solid-state chemistry is the anode-free class its cell preset names
    (QuantumScape QSE-5): no lithium metal at assembly, so its lithium is the cathode's plus
    the solid electrolyte's (sulfide Li content, an upper bound), not 3.4x NMC811's."""
    t = load_tables()
    ss = cell_composition("nmc811-lithium-metal", 21.6, 0.0718, "pouch", t)
    nmc = cell_composition("nmc811-graphite", 21.6, 0.0718, "pouch", t)
    assert ss["lithium_metal_kg"][0] == 0 and ss["anode_am_kg"][0] == 0
    li_ratio = ss["element_Li_kg"][0] / nmc["element_Li_kg"][0]
    assert 1.0 < li_ratio < 2.5  # cathode Li (~0.97x per Wh at 3.75 V) + sulfide catholyte/separator
    # the lithium-metal-excess design (N/P 1.5) this replaces would add 1.5 C / 3860 mAh/g
    excess_kg = 1.5 * ss["capacity_Ah"][0] / 3860.0
    assert excess_kg / 0.0216 == pytest.approx(0.104, rel=0.05)  # kg per kWh
