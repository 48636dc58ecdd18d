"""Cost, footprint and minerals against BatPaC 5.0, BNEF 2025 and GREET 2024 reference figures.

Reference numbers come from ../shared/validation/cost-footprint-figures.md (read here only to
check that the reference set is present; the EnergyTrend China pack quotes are cited where they
are used). Run with ``-s`` to see the tables.

Default designs (stated, not tuned):
- NMC811: BatPaC 5.0's default EV cell and pack: 250 Wh (68.2 Ah, 3.67 V), 0.744 kg (336 Wh/kg)
  pouch, 400 cells (200s2p), 20 modules, 100 kWh, 500,000 packs/yr.
- LFP (cost): Lishen LP54173207 prismatic EV cell, 202 Ah x 3.2 V = 646.4 Wh, 3.95 +/- 0.1 kg
  (Lishen product specification Rev0, 2020-03-09), 156 cells (156s1p), cell-to-pack, 100.8 kWh.
- LFP (footprint, like-for-like with GREET, whose LFP pack is BatPaC's LFP design): BatPaC's
  default EV configuration above with the LFP-G couple: 400 x 250 Wh pouch cells (2p), 20
  modules, 100 kWh; cell mass = the lfp-graphite electrode stack at BatPaC's 120 um cathode cap
  + terminals + the container BatPaC's NMC811 cell carries over its stack (~1.12 kg, ~224 Wh/kg).
  BatPaC's own LFP cell is not published; the design is checked against BatPaC 5.2's LFP pack
  (Li, graphite, Cu per kWh; pack mass 666 vs 499 kg for NMC811 per 100 kWh).
"""

from pathlib import Path

import numpy as np
import pytest

from packstudy.chemistry import cell_composition, load_tables
from packstudy.cost import pack_cost, pack_hardware_kg
from packstudy.footprint import (
    cam_synthesis_kWh_per_kg,
    grid_intensity,
    pack_footprint,
    pack_minerals,
)
from packstudy.spec import CostSettings, FootprintSettings

REF = Path(__file__).resolve().parents[2] / ".." / "shared" / "validation"
FIGURES = REF / "cost-footprint-figures.md"
pytestmark = pytest.mark.skipif(not FIGURES.is_file(),
                                reason=f"reference figures not found at {FIGURES}")

NMC = dict(chemistry="nmc811-graphite", cell_energy_Wh=250.0, cell_mass_kg=0.744,
           cell_format="pouch", n_cells=400, pack_energy_kWh=100.0, integration="module")
NMC_P = 2
LFP_CELL_WH = 202 * 3.2
LFP = dict(chemistry="lfp-graphite", cell_energy_Wh=LFP_CELL_WH, cell_mass_kg=3.95,
           cell_format="prismatic", n_cells=156, pack_energy_kWh=156 * LFP_CELL_WH / 1e3,
           integration="cell_to_pack")
LFP_P = 1


def _batpac_style(chemistry: str) -> dict:
    """BatPaC's default NMC811 EV pack with ``chemistry``'s cells of the same energy and format:
    cell mass = its electrode stack + terminals + the container left over the NMC811 stack."""
    t = load_tables()
    nmc = cell_composition(NMC["chemistry"], NMC["cell_energy_Wh"], NMC["cell_mass_kg"],
                           NMC["cell_format"], t)
    c = cell_composition(chemistry, NMC["cell_energy_Wh"], 1.0, NMC["cell_format"], t)
    mass = (c["stack_kg"] + c["terminal_copper_kg"] + c["terminal_aluminium_kg"]
            + nmc["container_kg"])[0]
    return dict(NMC, chemistry=chemistry, cell_mass_kg=float(mass))


LFP_BATPAC = _batpac_style("lfp-graphite")


def _row(name, model, ref, tol):
    err = model / ref - 1
    print(f"{name:42s} {model:10.4g} {ref:10.4g} {100 * err:+7.1f} %  (tol {100 * tol:.0f} %)")
    return abs(err) <= tol


def test_cost_against_batpac():
    s = CostSettings(production_packs_per_year=500_000, year=2022, region="usa")
    nmc = pack_cost(**NMC, settings=s, n_parallel=NMC_P)
    print("\nquantity                                        model  reference    error")
    ok = [
        _row("NMC811 pack $/kWh (BatPaC 5.0: 110.1)", nmc.pack_cost_usd_per_kWh[0], 110.1, 0.10),
        _row("NMC811 cell $/kWh (BatPaC 5.0: 79.0)", nmc.cell_cost_usd_per_kWh[0], 79.0, 0.10),
    ]
    print("NMC811 breakdown, $/pack:")
    for k, v in nmc.breakdown.items():
        print(f"  {k:36s} {float(v[0]):8.0f}")
    assert all(ok)


def test_lfp_nmc_ratio_against_bnef_2025():
    """LFP made in China (BNEF 2025: China meets nearly all LFP demand); NMC at BatPaC's US plant
    (the survey's NMC average mixes Korean, Japanese, European, US and Chinese plants). The
    China-made NMC ratio is printed, not asserted: it stays ~30 % above the survey's."""
    lfp = pack_cost(**LFP, settings=CostSettings(year=2025, region="china"), n_parallel=LFP_P)
    nmc_us = pack_cost(**NMC, settings=CostSettings(year=2025, region="usa"), n_parallel=NMC_P)
    nmc_cn = pack_cost(**NMC, settings=CostSettings(year=2025, region="china"), n_parallel=NMC_P)
    lfp_v, us_v, cn_v = (r.pack_cost_usd_per_kWh[0] for r in (lfp, nmc_us, nmc_cn))
    print(f"\n2025 $/kWh: LFP China {lfp_v:.1f}, NMC811 US plant {us_v:.1f}, "
          f"NMC811 China {cn_v:.1f}")
    _row("LFP(CN)/NMC(CN) pack ratio (BNEF 2025)", lfp_v / cn_v, 81 / 128, 0.15)
    assert _row("LFP(CN)/NMC(US) pack ratio (BNEF 2025)", lfp_v / us_v, 81 / 128, 0.15)


# EnergyTrend (TrendForce) China price page, copies with the 15 Sep and 24 Oct 2025 material
# updates: square LFP pack 0.44 RMB/Wh, square ternary pack 0.53 RMB/Wh (0.45 / 0.59 on the
# 10 Nov 2025 copy), taken as incl. 13 % VAT (as the 2025 price set treats EnergyTrend quotes)
# at 7.2 CNY/USD; https://www.energytrend.com/battery-price.html
ENERGYTREND_PACK_USD_PER_KWH = {"lfp": 0.44e3 / 1.13 / 7.2, "ternary": 0.53e3 / 1.13 / 7.2}


def test_china_pack_prices_against_energytrend_2025():
    """Both chemistries made in China against China's 2025 pack quotes: the like-for-like check
    the BNEF ratio (mixed-origin NMC) cannot give."""
    s = CostSettings(year=2025, region="china")
    lfp = pack_cost(**LFP, settings=s, n_parallel=LFP_P).pack_cost_usd_per_kWh[0]
    nmc = pack_cost(**NMC, settings=s, n_parallel=NMC_P).pack_cost_usd_per_kWh[0]
    ref = ENERGYTREND_PACK_USD_PER_KWH
    print()
    ok = [_row("LFP pack $/kWh, China (EnergyTrend 2025)", lfp, ref["lfp"], 0.15),
          _row("NMC811 pack $/kWh, China (ternary, ET 2025)", nmc, ref["ternary"], 0.15),
          _row("LFP/NMC pack ratio, China (EnergyTrend 2025)", lfp / nmc,
               ref["lfp"] / ref["ternary"], 0.15)]
    assert all(ok)


def test_footprint_nmc811_against_greet_2024():
    s = FootprintSettings(region="usa", cam_region="china")
    nmc = pack_footprint(**NMC, settings=s).footprint_kgCO2e_per_kWh[0]
    print()
    assert _row("NMC811 kgCO2e/kWh (GREET 2024: 62.9)", nmc, 62.9, 0.10)


def test_lfp_design_against_batpac_52():
    """The BatPaC-style LFP pack against BatPaC 5.2's default LFP pack (Busch et al.,
    pmbusch/USA-EV-Lithium-GHG Inputs/Mineral_Intensity.xlsx; 666 vs 499 kg per 100 kWh)."""
    m = pack_minerals(**LFP_BATPAC)
    t = load_tables()

    def pack_kg(d):
        hw = pack_hardware_kg(d["pack_energy_kWh"], d["integration"], t)
        return d["n_cells"] * d["cell_mass_kg"] + sum(float(np.sum(v)) for v in hw.values())

    print(f"\nBatPaC-style LFP cell: {LFP_BATPAC['cell_mass_kg']:.3f} kg, "
          f"{LFP_BATPAC['cell_energy_Wh'] / LFP_BATPAC['cell_mass_kg']:.0f} Wh/kg")
    ok = [_row(f"LFP {k} per kWh (BatPaC 5.2)", m[k][0] / 100.0, r, 0.10)
          for k, r in {"lithium_kg": 0.0890, "graphite_kg": 0.955, "copper_kg": 0.566}.items()]
    ok.append(_row("LFP/NMC811 pack mass (BatPaC 5.2: 666/499)",
                   pack_kg(LFP_BATPAC) / pack_kg(NMC), 666 / 499, 0.10))
    assert all(ok)


def test_footprint_lfp_against_greet_2024():
    """GREET 2024's LFP pack is a BatPaC design, compared here with the BatPaC-style LFP pack
    (LFP synthesis: GREET's solid-state route, footprint.toml cam_synthesis_kWh_per_kg_lfp);
    the real Lishen prismatic cell is printed as a second row (what its mass holds over the
    recipe's stack is counted as aluminium can)."""
    s = FootprintSettings(region="usa", cam_region="china")
    f = pack_footprint(**LFP_BATPAC, settings=s)
    lfp = f.footprint_kgCO2e_per_kWh[0]
    kWh = LFP_BATPAC["pack_energy_kWh"]
    print()
    for k, v in f.breakdown.items():
        print(f"  LFP {k:34s} {float(v[0]) / kWh:6.1f} kgCO2e/kWh")
    assembly = f.breakdown["cell_manufacturing_energy"][0] / kWh
    print(f"  materials {lfp - assembly:.1f} (GREET 41.8), assembly {assembly:.1f} (GREET 12.9)")
    tables = load_tables()
    comp = cell_composition(LFP_BATPAC["chemistry"], LFP_BATPAC["cell_energy_Wh"],
                            LFP_BATPAC["cell_mass_kg"], LFP_BATPAC["cell_format"], tables)
    synthesis = (comp["cam_kg"][0] * cam_synthesis_kWh_per_kg(comp["cam_material"], tables["footprint"])[0]
                 * grid_intensity(s.cam_region, tables) / (LFP_BATPAC["cell_energy_Wh"] / 1e3))
    print(f"  of which LFP synthesis electricity {synthesis:.1f} kgCO2e/kWh")
    lishen = pack_footprint(**LFP, settings=s).footprint_kgCO2e_per_kWh[0]
    print(f"{'LFP Lishen 202 Ah prismatic, cell-to-pack':42s} {lishen:10.4g} {54.7:10.4g} "
          f"{100 * (lishen / 54.7 - 1):+7.1f} %  (real cell, printed)")
    assert _row("LFP BatPaC-style kgCO2e/kWh (GREET: 54.7)", lfp, 54.7, 0.10)


# Literature range of cradle-to-gate pack footprints (Peiseler et al. 2024, Nat. Commun.,
# doi 10.1038/s41467-024-54634-y): LFP 54-69, NMC 59-115 kgCO2e/kWh.
LITERATURE = {"lfp": (54.0, 69.0), "nmc": (59.0, 115.0)}
GREET_2024 = {"lfp": 54.7, "nmc": 62.9}  # US cell plant, car pack, AR6 GWP100


def _preset_pack(name: str) -> dict:
    """A ~100 kWh pack of a shipped cell preset in modules, like GREET's BatPaC packs, with the
    cell's own construction as a study takes it (cell_arrays)."""
    from packstudy.cell import cell_arrays, load_cell

    c = load_cell(name)
    wh = c.capacity_Ah * c.nominal_voltage_V
    n = int(np.ceil(100e3 / wh))
    return dict(chemistry=c.chemistry, cell_energy_Wh=wh, cell_mass_kg=c.mass_kg,
                cell_format=c.format, n_cells=n, pack_energy_kWh=n * wh / 1e3,
                integration="module", construction=cell_arrays([c]).construction)


PRESETS = {"lfp": "lfp-prismatic", "nmc": "nmc811-pouch"}


@pytest.mark.parametrize("region", ["usa", "korea", "china", "eu"])
def test_shipped_lfp_preset_below_nmc811_preset(region):
    s = FootprintSettings(region=region, cam_region="china")
    fp = {k: pack_footprint(**_preset_pack(p), settings=s).footprint_kgCO2e_per_kWh[0]
          for k, p in PRESETS.items()}
    print(f"\n{region}: lfp-prismatic {fp['lfp']:.1f}, nmc811-pouch {fp['nmc']:.1f} kgCO2e/kWh")
    assert fp["lfp"] < fp["nmc"]


NMC811_PRESET_XFAIL = pytest.mark.xfail(strict=True, reason=(
    "nmc811-pouch 78.3 vs GREET 62.9 kgCO2e/kWh (+24.5 %), inside the Nat. Commun. 2024 range "
    "(59-115); the BatPaC-style NMC811 cell GREET models is within 10 % (66.9). The preset's "
    "cell is 265 Wh/kg (E-GMP pack mass x BatPaC's cell share; 13.7 g/Ah, as the VW ID.3 LG 78 Ah "
    "pouch's 13.6 g/Ah, 268 Wh/kg) against BatPaC's 336. Resolved with that teardown (Guenter & "
    "Wassiliadis 2022: 5.02 mAh/cm2, 0.95 g/Ah electrolyte) and a 0.012 kg film, the 0.164 kg "
    "once counted as 60 % aluminium pouch (+19.9 %) is mostly coating: at the teardown's 22 % "
    "porosity the resolved coatings are 88/116 um, as measured (87.3/115.3 um). A real cell of "
    "this class holds 23 % more cathode per kWh than BatPaC's design GREET models (1.57 vs 1.28 kg) "
    "(GREET's own car packs: 50.0 -> 53.5 kgCO2e/kWh of materials as the pack falls from 198 to "
    "172 Wh/kg). No teardown of the SK On cell itself was found"))


@pytest.mark.parametrize("kind", ["lfp", pytest.param("nmc", marks=NMC811_PRESET_XFAIL)])
def test_shipped_preset_within_15pct_of_greet_2024(kind):
    """US cell plant, cathode from China, ~100 kWh packs in modules. lfp-prismatic with its BYD
    Blade teardown construction (its mass resolved but 0.02 kg; was +24 % with the 0.81 kg
    beyond the recipe's stack counted as can)."""
    s = FootprintSettings(region="usa", cam_region="china")
    p = PRESETS[kind]
    fp = pack_footprint(**_preset_pack(p), settings=s).footprint_kgCO2e_per_kWh[0]
    lo, hi = LITERATURE[kind]
    print()
    assert _row(f"{p} kgCO2e/kWh (GREET 2024; lit. {lo:g}-{hi:g})", fp, GREET_2024[kind], 0.15)


# BYD Blade teardown (Gorsch et al., Cell Rep. Phys. Sci. 6:102453, 2025): 135 Ah, 432 Wh,
# 2.7 +/- 0.3 kg, 1.216 L; the construction of the lfp-prismatic preset (same blade design)
BLADE = dict(chemistry="lfp-graphite", cell_energy_Wh=432.0, cell_mass_kg=2.7,
             cell_format="prismatic", n_cells=232, pack_energy_kWh=232 * 0.432,
             integration="module")


def test_blade_teardown_cell_is_mostly_resolved_by_its_construction():
    """The teardown's own cell with its published construction (the can from its 0.3 mm walls
    on its 965 x 90 x 14 mm box): the mass the bill of materials leaves unresolved (end caps,
    vent, film, electrolyte beyond the pores) lies within the teardown's weighing tolerance
    (2.7 +/- 0.3 kg); the footprint is printed beside GREET and the range."""
    from packstudy.cell import load_cell

    own = {k: np.array([v]) for k, v in load_cell("lfp-prismatic").construction.items()}
    own["container_kg"] = np.array([2.0 * (965 * 90 + 965 * 14 + 90 * 14) * 0.3 * 2.70e-6])
    t = load_tables()
    comp = cell_composition(BLADE["chemistry"], BLADE["cell_energy_Wh"], BLADE["cell_mass_kg"],
                            BLADE["cell_format"], t, own)
    generic = cell_composition(BLADE["chemistry"], BLADE["cell_energy_Wh"], BLADE["cell_mass_kg"],
                               BLADE["cell_format"], t)
    s = FootprintSettings(region="usa", cam_region="china")
    fp = {m: pack_footprint(**dict(BLADE, cell_mass_kg=m), settings=s,
                            construction=own).footprint_kgCO2e_per_kWh[0] for m in (2.4, 2.7, 3.0)}
    unresolved = comp["unresolved_kg"][0]
    print(f"\nBlade teardown cell: generic container {generic['container_kg'][0]:.2f} kg -> "
          f"can {own['container_kg'][0]:.3f} kg, unresolved {unresolved:.2f} kg; "
          f"footprint {fp[2.4]:.1f} / {fp[2.7]:.1f} / {fp[3.0]:.1f} kgCO2e/kWh at 2.4 / 2.7 / 3.0 kg "
          f"(GREET 54.7, lit. 54-69)")
    assert own["container_kg"][0] == pytest.approx(0.165, rel=0.01)
    assert 0.0 < unresolved <= 0.3
    assert unresolved < generic["container_kg"][0] / 3


def test_minerals_against_batpac():
    m = pack_minerals(**NMC)
    ref = {"lithium_kg": 0.0934, "nickel_kg": 0.616, "cobalt_kg": 0.0773,
           "manganese_kg": 0.0721, "graphite_kg": 0.866, "copper_kg": 0.367,
           "aluminium_kg": 0.535}
    print()
    ok = [_row(f"NMC811 {k} per kWh (BatPaC 5.0)", m[k][0] / 100.0, r, 0.10)
          for k, r in ref.items()]
    assert all(ok)
