"""End of life: recycled content against the EU Battery Regulation's 2031 and 2036 minimums;
recycling by route (EverBatt 2023 figures, route order, the lifecycle term, bad route)."""

import subprocess
import sys

import numpy as np
import pytest

from packstudy import catalog, eol
from packstudy.footprint import grid_intensity
from packstudy.runner import run_study
from packstudy.spec import StudyError


def _checks(recycled):
    result = run_study({"study": {"procedures": ["wltp"]},
                        "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
                        "candidate": [{"name": "as built"}],
                        "footprint": {"recycled_content": recycled}})
    return {c["metric"]: c for c in result.checks.row(0)}, result.verdicts["as built"]


def test_binding_material_below_the_2031_minimum_fails_sustainability():
    checks, verdict = _checks({"nickel": 0.10, "cobalt": 0.20, "lithium": 0.05})
    c31 = checks["limit:recycled_content_2031"]
    assert (c31["limit"], c31["value"]) == (pytest.approx(6.0), pytest.approx(5.0))  # lithium
    assert not c31["passed"] and c31["area"] == "sustainability"
    assert not checks["limit:recycled_content_2036"]["passed"]
    assert verdict["sustainability"] == "fail"
    assert verdict["failed"] == ["limit:recycled_content_2031 min", "limit:recycled_content_2036 min"]


def test_shares_above_both_minimums_pass():
    checks, verdict = _checks({"nickel": 0.20, "cobalt": 0.30, "lithium": 0.15})
    assert checks["limit:recycled_content_2031"]["passed"]
    assert checks["limit:recycled_content_2036"]["passed"]
    assert verdict["sustainability"] == "pass"


def test_no_recycled_content_no_checks():
    result = run_study({"study": {"procedures": ["wltp"]},
                        "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
                        "candidate": [{"name": "as built"}]})
    assert not any(c["metric"].startswith("limit:recycled_content") for c in result.checks.row(0))


# --- recycling by route (EverBatt 2023, data/factors/recycling.toml) ---

# EverBatt 2023 Output sheet, 'Recycle' GHGs per kg of cells processed (kg CO2e; pyro, hydro,
# direct) and 'Collection & Transport', as computed from the workbook (recycling.toml's source)
EVERBATT_PROCESS = {"NMC622": (1.703803, 2.451500, 2.181621, 0.412799),
                    "NMC811": (1.783136, 2.368742, 2.112342, 0.405589),
                    "NCA": (1.762842, 2.355534, 2.160401, 0.405939),
                    "LFP": (1.454234, 0.788909, 1.934910, 0.258410)}
# EverBatt 2023 'GREET IO' sheet, materials, GHGs (g per ton / 1e6)
EVERBATT_VIRGIN = {"copper": 4.073352, "aluminium": 5.492272, "cobalt": 16.495760,
                   "nickel": 18.096307, "lithium_carbonate": 11.241842, "graphite": 8.266097,
                   "cathode_NMC622": 20.744099, "cathode_NMC811": 23.123170,
                   "cathode_NCA": 24.524227, "cathode_LFP": 8.568861}
FAMILY_CELL = {"NMC622": "nmc622-graphite", "NMC811": "nmc811-graphite", "NCA": "nca-graphite-si",
               "LFP": "lfp-graphite"}


def _per_kg(route, chemistry):
    """EverBatt's figures per kg of cells (cells holding more graphite and lithium than it
    recovers)."""
    r = eol.recycling_results(route, np.array([chemistry]), np.array([1.0]), np.inf, np.inf)
    return r["eol_recycling_kgCO2e"][0], r["eol_credit_kgCO2e"][0]


def test_data_file_figures_match_everbatt_to_its_rounding():
    table = catalog.factor_table("recycling")
    for fam, (pyro, hydro, direct, transport) in EVERBATT_PROCESS.items():
        process = table["process_kgCO2e_per_kg"]["value"][fam]
        got = (process["pyrometallurgical"], process["hydrometallurgical"], process["direct"],
               table["collection_transport_kgCO2e_per_kg"]["value"][fam])
        assert got == pytest.approx((pyro, hydro, direct, transport), abs=6e-4)  # 3 decimals
    virgin = table["virgin_kgCO2e_per_kg"]["value"]
    for name, value in EVERBATT_VIRGIN.items():
        assert virgin[name] == pytest.approx(value, abs=6e-4)
    # manganese: the workbook's MnSO4 factor per kg of Mn (anhydrous MnSO4 151.00 g/mol)
    assert virgin["manganese"] == pytest.approx(0.788547 * 151.00 / 54.938, abs=1e-3)


def test_recovered_masses_respect_the_cell_and_the_cathode_stoichiometry():
    recovered = catalog.factor_table("recycling")["recovered_kg_per_kg"]["value"]
    for fam, routes in recovered.items():
        for route, products in routes.items():
            assert 0.0 < sum(products.values()) < 1.0, (fam, route)  # less than the cell
    # NMC622 (LiNi0.6Mn0.2Co0.2O2, 96.9 g/mol): Ni/Co in the hydrometallurgical products at
    # the cathode's molar ratio 3:1 (58.69 and 58.93 g/mol)
    hydro = recovered["NMC622"]["hydrometallurgical"]
    assert hydro["nickel"] / hydro["cobalt"] == pytest.approx(3 * 58.69 / 58.93, rel=0.01)


@pytest.mark.parametrize("fam", sorted(FAMILY_CELL))
def test_direct_recycling_has_the_lowest_net_emissions_and_pyro_the_highest(fam):
    # Ciez & Whitacre 2019 (Nature Sustainability 2:148), abstract: direct cathode recycling has
    # the potential to reduce emissions, pyro- and hydrometallurgical recycling do not
    # significantly; the same order for NMC622, NCA and LFP cells
    net = {r: sum(_per_kg(r, FAMILY_CELL[fam])) for r in eol.ROUTES}
    assert net["direct"] < net["hydrometallurgical"] < net["pyrometallurgical"]


def test_smelting_lfp_cells_is_a_net_burden():
    # pyrometallurgy recovers only the copper of an LFP cell (no Ni, Co; Li to the slag)
    burden, credit = _per_kg("pyrometallurgical", "lfp-graphite")
    assert burden + credit > 0.0
    assert credit == pytest.approx(-0.0915 * EVERBATT_VIRGIN["copper"], rel=1e-3)


def test_results_scale_with_the_cells_mass_for_any_number_of_rows():
    chem = np.array(["nmc622-graphite", "lfp-graphite", "nmc622-graphite", "lmfp-graphite"] * 250)
    mass = np.linspace(100.0, 600.0, chem.size)
    r = eol.recycling_results("direct", chem, mass, mass, mass)
    per_kg = {c: _per_kg("direct", c) for c in set(chem)}
    expect = np.array([per_kg[c][1] for c in chem]) * mass
    np.testing.assert_allclose(r["eol_credit_kgCO2e"], expect)
    assert np.all(r["eol_recycling_kgCO2e"] > 0) and r["eol_credit_kgCO2e"].shape == (1000,)
    with pytest.raises(ValueError, match="unknown chemistry for recycling 'nmc622-graphit'"):
        eol.recycling_results("direct", np.array(["nmc622-graphit"]), np.array([1.0]), 1.0, 1.0)


def test_no_cell_gives_back_more_graphite_or_lithium_than_it_holds():
    """A sodium-ion cell (recycled as LFP) holds no lithium and a hard-carbon anode, a
    lithium-metal cell (recycled as NMC811) no graphite: their credits lose those products;
    a cell holding less than EverBatt recovers per kg gives what it holds."""
    recovered = catalog.factor_table("recycling")["recovered_kg_per_kg"]["value"]
    hydro = "hydrometallurgical"
    sodium = eol.recycling_results(hydro, ["nfpp-hard-carbon"], [400.0], [0.0], [0.0])
    lfp = _per_kg(hydro, "lfp-graphite")[1] * 400.0
    lfp_li_c = 400.0 * (recovered["LFP"][hydro]["lithium_carbonate"] * EVERBATT_VIRGIN["lithium_carbonate"]
                        + recovered["LFP"][hydro]["graphite"] * EVERBATT_VIRGIN["graphite"])
    assert sodium["eol_credit_kgCO2e"][0] == pytest.approx(lfp + lfp_li_c, rel=1e-4)
    metal = eol.recycling_results(hydro, ["nmc811-lithium-metal"], [400.0], [0.0], [100.0])
    nmc = _per_kg(hydro, "nmc811-graphite")[1] * 400.0
    graphite = 400.0 * recovered["NMC811"][hydro]["graphite"] * EVERBATT_VIRGIN["graphite"]
    assert metal["eol_credit_kgCO2e"][0] == pytest.approx(nmc + graphite, rel=1e-4)
    # 10 kg of lithium is 53.2 kg of Li2CO3 (2 x 6.94 of 73.89 g/mol), below 0.138 x 400 kg
    lean = eol.recycling_results(hydro, ["nmc811-graphite"], [400.0], [np.inf], [10.0])
    li2co3 = recovered["NMC811"][hydro]["lithium_carbonate"] * 400.0
    assert lean["eol_credit_kgCO2e"][0] == pytest.approx(
        nmc + (li2co3 - 10.0 * 73.89 / 13.88) * EVERBATT_VIRGIN["lithium_carbonate"], rel=1e-4)


LIFE = {"years": 8, "km_per_year": 15000, "climate": "temperate", "dc_fast_share": 0.1,
        "charge_target": 0.8}


def _life_run(route=None):
    table = dict(LIFE, **({"recycling": route} if route else {}))
    return run_study({"study": {"procedures": ["wltp"], "life": table},
                      "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
                      "candidate": [{"name": "as built"},
                                    {"name": "lfp", "cell": "lfp-prismatic",
                                     "pack": {"usable_energy_kWh": 107}}]})


@pytest.fixture(scope="module")
def default_route():
    return _life_run()


def test_lifecycle_is_production_plus_use_plus_end_of_life(default_route):
    m = default_route.metrics
    km = LIFE["years"] * LIFE["km_per_year"]
    use_kWh = km * np.asarray(m["wltp_kWh_per_100km"]) / 100.0
    grid = grid_intensity("germany")  # the temperate climate's grid (Frankfurt)
    parts = (np.asarray(m["footprint_kgCO2e"]) + use_kWh * grid
             + np.asarray(m["eol_recycling_kgCO2e"]) + np.asarray(m["eol_credit_kgCO2e"]))
    np.testing.assert_allclose(m["lifecycle_kgCO2e_per_km"], parts / km, rtol=1e-12)
    # the default route is the sourced one (hydrometallurgical)
    hydro = _life_run("hydrometallurgical").metrics
    np.testing.assert_allclose(m["eol_credit_kgCO2e"], hydro["eol_credit_kgCO2e"])


def test_net_end_of_life_per_kWh_within_the_literature_range(default_route):
    # Aichberger & Jungmeier 2020 (Energies 13, 6345; review of 50 LCAs): recycling lowers the
    # battery's life-cycle GHG by a median 20 kg CO2e/kWh, 25-75 % quantiles 5-29
    m = default_route.metrics
    net_per_kWh = -(np.asarray(m["eol_recycling_kgCO2e"]) + np.asarray(m["eol_credit_kgCO2e"])) \
        / np.asarray(m["pack_energy_kWh"])
    assert np.all((net_per_kWh >= 5.0) & (net_per_kWh <= 29.0)), net_per_kWh


def test_route_choice_moves_the_lifecycle_term(default_route):
    pyro, direct = _life_run("pyrometallurgical").metrics, _life_run("direct").metrics
    assert np.all(np.asarray(direct["lifecycle_kgCO2e_per_km"])
                  < np.asarray(default_route.metrics["lifecycle_kgCO2e_per_km"]))
    assert np.all(np.asarray(default_route.metrics["lifecycle_kgCO2e_per_km"])
                  < np.asarray(pyro["lifecycle_kgCO2e_per_km"]))


def test_unknown_route_is_a_problem_naming_the_field(tmp_path):
    with pytest.raises(StudyError, match="study.life.recycling.*did you mean 'hydrometallurgical'"):
        _life_run("hydrometalurgical")
    study = tmp_path / "bad.toml"
    study.write_text('[study]\nprocedures = ["wltp"]\nlife = { recycling = "smelting" }\n'
                     '[vehicle]\npreset = "polestar-3-long-range-dual-motor"\n'
                     '[[candidate]]\nname = "x"\n')
    run = subprocess.run([sys.executable, "-m", "packstudy.cli", "run", str(study), "--out",
                          str(tmp_path / "o")], capture_output=True, text=True, timeout=600)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "study.life.recycling" in run.stderr and "pyrometallurgical" in run.stderr


def test_recycled_content_beside_the_end_of_life_credit_is_noted_as_counted_twice(default_route):
    assert not [n for n in default_route.notes if "counted twice" in n]
    study = {"study": {"procedures": ["wltp"], "life": LIFE},
             "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
             "footprint": {"recycled_content": {"nickel": 0.1, "lithium": 0.05}},
             "candidate": [{"name": "as built"}]}
    [note] = [n for n in run_study(study).notes if "counted twice" in n]
    assert "(nickel 0.1, lithium 0.05)" in note
