import numpy as np
import pytest

from packstudy.footprint import pack_footprint, pack_minerals
from packstudy.spec import FootprintSettings

NMC = dict(chemistry="nmc811-graphite", cell_energy_Wh=250.0, cell_mass_kg=0.744,
           cell_format="pouch", n_cells=400, pack_energy_kWh=100.0, integration="module")


def test_cleaner_grid_lowers_footprint():
    values = [pack_footprint(**NMC, settings=FootprintSettings(region=r))
              .footprint_kgCO2e_per_kWh[0] for r in ("poland", "china", "eu", "sweden")]
    assert values == sorted(values, reverse=True)
    # 28.9 kWh/kWh of cells x (0.662 - 0.013) kg/kWh
    assert values[0] - values[-1] == pytest.approx(28.9 * (0.662 - 0.013), rel=1e-6)


def test_grid_value_overrides_region_and_errors():
    a = pack_footprint(**NMC, settings=FootprintSettings(grid_kgCO2e_per_kWh=0.0))
    b = pack_footprint(**NMC, settings=FootprintSettings(grid_kgCO2e_per_kWh=1.0))
    assert b.footprint_kgCO2e[0] - a.footprint_kgCO2e[0] == pytest.approx(28.9 * 100.0)
    with pytest.raises(ValueError, match="allowed: china"):
        pack_footprint(**NMC, settings=FootprintSettings(region="atlantis"))
    with pytest.raises(ValueError):
        FootprintSettings(recycled_content={"nickel": 1.5})


def test_recycled_content_lowers_footprint():
    base = pack_footprint(**NMC).footprint_kgCO2e[0]
    rec = pack_footprint(**NMC, settings=FootprintSettings(
        recycled_content={"nickel": 0.5, "aluminium": 0.5})).footprint_kgCO2e[0]
    assert rec < base


def test_minerals_lfp_has_no_cobalt_and_sodium_ion_no_lithium():
    chem = np.array(["lfp-graphite", "nfpp-hard-carbon", "nmc622-graphite"])
    m = pack_minerals(chem, 250.0, 1.3, "prismatic", 400, 100.0, "cell_to_pack")
    assert m["cobalt_kg"][0] == 0 and m["nickel_kg"][0] == 0
    assert m["lithium_kg"][1] == 0 and m["graphite_kg"][1] == 0
    assert m["cobalt_kg"][2] > 10  # NMC622: ~0.17 kg Co per kWh
    assert set(m) == {"lithium_kg", "nickel_kg", "cobalt_kg", "manganese_kg", "graphite_kg",
                      "copper_kg", "aluminium_kg"}


def test_lfp_synthesis_electricity_is_its_own_and_moves_only_lfp():
    from packstudy.chemistry import cell_composition, load_tables
    from packstudy.footprint import cam_synthesis_kWh_per_kg

    tables = load_tables()
    fp = tables["footprint"]
    kinds = np.array(["lfp", "nmc811", "lmfp"])
    np.testing.assert_allclose(cam_synthesis_kWh_per_kg(kinds, fp), [
        fp["cam_synthesis_kWh_per_kg_lfp"]["value"], fp["cam_synthesis_kWh_per_kg"]["value"],
        fp["cam_synthesis_kWh_per_kg"]["value"]])
    chem = np.array(["lfp-graphite", "nmc811-graphite"])
    args = (chem, 250.0, 1.2, "pouch", 400, 100.0, "module")
    settings = FootprintSettings(region="usa", cam_region="china")
    base = pack_footprint(*args, settings=settings).footprint_kgCO2e
    more = {"footprint": {"cam_synthesis_kWh_per_kg_lfp": {"value": 10.7}}}
    moved = pack_footprint(*args, settings=settings, factors=more).footprint_kgCO2e
    cam_kg = 400 * cell_composition(chem, 250.0, 1.2, "pouch", tables)["cam_kg"][0]
    china = tables["grid"]["china"]["value"]
    # 10 kWh more per kg of LFP on China's grid, for the LFP pack only
    assert moved[0] - base[0] == pytest.approx(cam_kg * 10.0 * china, rel=1e-9)
    assert moved[1] == base[1]
