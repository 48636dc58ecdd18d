import numpy as np
import pytest

from packstudy.chemistry import list_chemistries, load_chemistry
from packstudy.cost import ELECTROLYTE_PRICE, pack_cost
from packstudy.spec import CostSettings

NMC = dict(chemistry="nmc811-graphite", cell_energy_Wh=250.0, cell_mass_kg=0.744,
           cell_format="pouch", n_cells=400, pack_energy_kWh=100.0, integration="module")


def test_breakdown_sums_to_total():
    r = pack_cost(**NMC, n_parallel=2)
    assert sum(r.breakdown.values())[0] == pytest.approx(r.pack_cost_usd[0])
    assert r.cell_cost_usd_per_kWh[0] < r.pack_cost_usd_per_kWh[0]


def test_cost_falls_with_plant_volume():
    per_kWh = [pack_cost(**NMC, n_parallel=2, settings=CostSettings(
        production_packs_per_year=q)).pack_cost_usd_per_kWh[0]
        for q in (20_000, 100_000, 500_000)]
    assert per_kWh[0] > per_kWh[1] > per_kWh[2]
    assert per_kWh[0] / per_kWh[2] > 1.15


def test_cost_per_kWh_falls_with_pack_size():
    n = np.array([200, 400, 600])
    r = pack_cost(**{**NMC, "n_cells": n, "pack_energy_kWh": n * 0.25}, n_parallel=2)
    assert np.all(np.diff(r.pack_cost_usd_per_kWh) < 0)


def test_price_override_and_errors():
    base = pack_cost(**NMC).pack_cost_usd[0]
    dearer = pack_cost(**NMC, settings=CostSettings(prices={"cam_nmc811": 27.64})).pack_cost_usd[0]
    # 10 $/kg more on ~128 kg of CAM (over yields, warranty) adds ~1,400-1,700 $
    assert 1300 < dearer - base < 1800
    assert pack_cost(**NMC).pack_cost_usd[0] == base  # the override stays in its own study
    with pytest.raises(ValueError, match="must be within 0 to 100000"):
        pack_cost(**NMC, settings=CostSettings(prices={"cam_nmc811": -1.0}))
    with pytest.raises(ValueError, match="allowed: anode_graphite"):
        pack_cost(**NMC, settings=CostSettings(prices={"unobtainium": 1.0}))
    with pytest.raises(ValueError, match="allowed: lfp-graphite"):
        pack_cost(**{**NMC, "chemistry": "nmc911"})
    with pytest.raises(ValueError, match="allowed: module, cell_to_pack"):
        pack_cost(**{**NMC, "integration": "ctp"})
    with pytest.raises(ValueError, match="year"):
        pack_cost(**NMC, settings=CostSettings(year=2031))


def test_cell_to_pack_cheaper_than_modules_and_cpi():
    mod = pack_cost(**NMC).pack_cost_usd[0]
    ctp = pack_cost(**{**NMC, "integration": "cell_to_pack"}).pack_cost_usd[0]
    assert ctp < mod
    y23 = pack_cost(**NMC, settings=CostSettings(year=2023)).pack_cost_usd[0]
    y24 = pack_cost(**NMC, settings=CostSettings(year=2024)).pack_cost_usd[0]
    assert y24 / y23 == pytest.approx(313.689 / 304.702)  # same 2022 price set, CPI-U only


def test_price_year_selects_price_set_and_default_is_latest():
    assert CostSettings().year == 2025
    r22 = pack_cost(**NMC, settings=CostSettings(year=2022))
    r25 = pack_cost(**NMC, settings=CostSettings(year=2025))
    # NMC811 CAM 26 $/kg (BatPaC, in 2022 $) vs 17.64 $/kg (SMM, June 2025, in 2025 $)
    cam22 = r22.breakdown["cathode_active_material"][0]
    cam25 = r25.breakdown["cathode_active_material"][0]
    assert cam25 / cam22 == pytest.approx(17.64 / 26.0, rel=1e-9)


def test_china_plant_capital_lowers_cost():
    us = pack_cost(**NMC, settings=CostSettings(region="usa"))
    cn = pack_cost(**NMC, settings=CostSettings(region="china"))
    assert cn.breakdown["depreciation"][0] == pytest.approx(
        0.5 * us.breakdown["depreciation"][0], rel=1e-9)
    assert cn.pack_cost_usd[0] < us.pack_cost_usd[0]
    assert cn.breakdown["cathode_active_material"][0] == us.breakdown["cathode_active_material"][0]
    with pytest.raises(ValueError, match="allowed: china, europe, usa"):
        pack_cost(**NMC, settings=CostSettings(region="mars"))


def test_all_chemistries_priced_projection_dearer_per_kWh():
    ids = np.array(["nmc811-graphite", "nmc9-graphite-si", "nmc622-graphite", "nca-graphite-si",
                    "lfp-graphite", "lmfp-graphite", "nfpp-hard-carbon", "nmc811-lithium-metal"])
    r = pack_cost(ids, 250.0, 1.0, "pouch", 400, 100.0, "module")
    assert np.all(np.isfinite(r.pack_cost_usd_per_kWh)) and np.all(r.pack_cost_usd_per_kWh > 50)


def test_electrolyte_priced_by_chemistry_grade():
    """LFP cells take the LFP electrolyte quote, other liquid cells the ternary one."""
    lfp = {**NMC, "chemistry": "lfp-graphite", "cell_mass_kg": 1.2}
    s = CostSettings(year=2025)

    def electrolyte_usd(design, key, price):
        over = {"materials": {key: {"value": price, "unit": "usd_per_L"}}}
        return pack_cost(**design, settings=s, factors=over).breakdown["electrolyte"][0]

    assert electrolyte_usd(lfp, "electrolyte_lfp", 6.0) == pytest.approx(
        2 * electrolyte_usd(lfp, "electrolyte_lfp", 3.0))
    assert electrolyte_usd(lfp, "electrolyte", 6.0) == electrolyte_usd(lfp, "electrolyte", 3.0)
    assert electrolyte_usd(NMC, "electrolyte_lfp", 6.0) == electrolyte_usd(
        NMC, "electrolyte_lfp", 3.0)
    assert electrolyte_usd(NMC, "electrolyte", 6.0) > electrolyte_usd(NMC, "electrolyte", 3.0)
    for cid in list_chemistries():
        assert load_chemistry(cid)["electrolyte"].get("price_key", "electrolyte") in ELECTROLYTE_PRICE
