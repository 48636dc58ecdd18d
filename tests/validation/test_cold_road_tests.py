"""Cold DC fast charging against the cold road tests found, and the cold-soaked 0-100 km/h
penalty argued from the cells' resistance (issue 17 item 4). Prints the tables
(``python -m pytest -s tests/validation/test_cold_road_tests.py``).

Road tests (read in the search tool's ``pages`` corpus, Dec 2026):

- InsideEVs, "Hyundai Ioniq 5 charging analysis" (insideevs.com/news/578869, 2022): a US
  MY2022 IONIQ 5, 77.4 kWh (the preset ``hyundai-ioniq-5-long-range-awd``; that model year has
  no battery preconditioning), 10-80 % on a 150 kW charger at -5 degC and on a 350 kW charger at
  -2 degC, and 0-100 % on a 350 kW charger at 0 degC: 10-80 % took "exactly 30 minutes" each
  time (Hyundai: 18 min warm). Only the ambient is given: not the pack temperature at the plug
  nor what the car did before.
- CAA EV Winter Test (Canadian Automobile Association, press release 2025-02-10, newswire.ca;
  conditions: fleetmobility.ca and greencars.com, 2025): cars driven 5 h and more at -7 to
  -15 degC until empty, then charged on a 350 kW-class DC unit; average charging power
  reported by theautopian.com (Feb 2025): VW ID.4 Pro 104 kW, Ford F-150 Lightning 128 kW,
  Hyundai IONIQ 5 80 kW. The presets are matched by the NRCan range CAA lists
  (gmauthority.com, 2025-02): ID.4 468 km = 291 mi (MY2024 Pro, ``vw-id4-pro``), F-150
  Lightning 515 km = 320 mi (Extended Range), IONIQ 5 410 km = 255 mi (77.4 kWh AWD). Taken
  here as the mean power over the 10-80 % window CAA timed, from an empty pack.

Tolerance from the tests' own uncertainty: the pack temperature at the plug is unknown, so the
model brackets it for the same car, charger and window: the warm pack (the preset's own 10-80 %
charge) and the pack soaked at the ambient (the coldest of CAA's range) with no heater at work,
warming only by the cells' losses (``endurance.soaked_pack``, the soaked charge of
``fast_charge_10_80_min_at_minus10C``). The measurement must lie in the bracket, widened by its
rounding (0.5 min, 0.5 kW). Where it does not: a strict xfail with the figures.

The cold 0-100 km/h: no road test with a measured cold time was found (Bjorn Nyland's 45 h
cold-soaked Model 3, InsideEVs 2019, news/381384, and Tesla's Model 3 owner's manual, 2022,
"Blue Snowflake Icon": acceleration "may be limited" with a cold battery, say so without a
figure). The soaked penalty is therefore argued from the cells: the presets' R(T) is an
Arrhenius law with 35 kJ/mol (the positive-electrode reaction rate of the About:Energy NMC111
BPX set, Faraday Institution 2022, which also gives 17.1 kJ/mol for the electrolyte and 55 for
the negative electrode); the same About:Energy values bracket the penalty, and PyBaMM's DFN of
the LG M50 with O'Regan et al.'s measured temperature-dependent parameters (ORegan2022,
Electrochimica Acta 425, 140700, 2022; the ``bench`` extra) gives the cell's own 10 s resistance
ratio between -10 and 25 degC.
"""

import copy
import math
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from packstudy import catalog, chain, charging, endurance
from packstudy.cell import GAS_CONSTANT_J_PER_MOLK, cell_arrays, load_cell
from packstudy.ecm import SOC_GRID, TEMP_GRID_C, table_at
from packstudy.runner import run_study
from packstudy.spec import parse_study
from packstudy.study import candidate_chargers, prepare
from packstudy.units import ZERO_CELSIUS_K

PRESET_EA = 35000.0  # J/mol, the shipped cells' (data/cells/*.toml [resistance])
EA_BOUNDS = (17100.0, 55000.0)  # About:Energy BPX: electrolyte, negative-electrode reaction
COLD_C, WARM_C = -10.0, 25.0
NMC_PRESETS = ("nmc811-pouch", "nmc9-pouch", "nmc622-prismatic", "nmc-pouch-lges",
               "nmc-prismatic-catl")


class Case(NamedTuple):
    source: str
    preset: str
    charger: str
    ambient_C: float
    start_soc: float  # where the session began (the window is 10-80 %)
    unit: str  # "min": the 10-80 % time; "kW": its mean power
    measured: float


IONIQ5 = "hyundai-ioniq-5-long-range-awd"
CASES = (
    Case("InsideEVs 2022, 150 kW, -5 degC", IONIQ5, "ccs-150kw-920v", -5.0, 0.1, "min", 30.0),
    Case("InsideEVs 2022, 350 kW, -2 degC", IONIQ5, "ccs-350kw-920v", -2.0, 0.1, "min", 30.0),
    Case("InsideEVs 2022, 350 kW, 0 degC, from 0 %", IONIQ5, "ccs-350kw-920v", 0.0, 0.0, "min",
         30.0),
    Case("CAA 2025, ID.4 Pro, -7..-15 degC", "vw-id4-pro", "ccs-350kw-920v", -15.0, 0.0, "kW",
         104.0),
    Case("CAA 2025, F-150 Lightning ER", "ford-f150-lightning-extended-range", "ccs-350kw-920v",
         -15.0, 0.0, "kW", 128.0),
    Case("CAA 2025, IONIQ 5 AWD", IONIQ5, "ccs-350kw-920v", -15.0, 0.0, "kW", 80.0),
)
ROUNDING = {"min": 0.5, "kW": 0.5}


def _with_ea(cell_name: str, ea: float) -> dict:
    raw = copy.deepcopy(catalog.load_preset("cells", cell_name))
    raw["resistance"]["activation_energy_J_per_mol"] = ea
    return raw


@cache
def window(case: Case, soaked: bool, ea: float = PRESET_EA) -> float:
    """The model's 10-80 % time (min) or mean power over it (kW) for ``case``: warm, or soaked
    at the case's ambient; the cells' activation energy ``ea`` (the shipped one by default)."""
    car = {"name": "car", "as_built": True, "charger": case.charger}
    if ea != PRESET_EA:
        car["cell"] = _with_ea(catalog.load_preset("vehicles", case.preset)["battery"]["cell"], ea)
    study = parse_study({"study": {"procedures": ["fast_charge"]},
                         "vehicle": {"preset": case.preset}, "candidate": [car]})
    ready = prepare(study, Path("."))
    pt, temps = ready.powertrain, {}
    if soaked:
        pt = endurance.soaked_pack(study, pt, ready.packs.energy_kWh, ready.packs.integration)
        temps = {"temperature_C": case.ambient_C, "coolant_C": case.ambient_C}
    c = candidate_chargers(study)
    out = charging.fast_charge(
        pt, charger_power_kW=c["power_kW"], charger_current_A=c["current_A"],
        charger_max_voltage_V=c["max_voltage_V"], vehicle_max_kW=study.vehicle.max_dc_charge_kW,
        soc_start=case.start_soc, soc_end=0.8, wltp_dc_kWh_per_100km=1.0, **temps,
        **chain.vehicle_dc_limits(study))
    soc, minutes, kw = (out["fast_charge_curve_soc"], out["fast_charge_curve_min"][0],
                        out["fast_charge_curve_kW"][0])
    if case.start_soc < 0.1:  # the window from its start (the curve has 1 % points)
        keep = soc >= 0.1 - 1e-9
        t, p = minutes[keep] - minutes[keep][0], kw[keep]
    else:  # the curve starts one point above the start
        t, p = np.concatenate(([0.0], minutes)), np.concatenate(([kw[0]], kw))
    return float(t[-1]) if case.unit == "min" else float(np.trapezoid(p, t) / t[-1])


def bracket(case: Case, ea: float = PRESET_EA) -> tuple[float, float]:
    """(low, high) of the model over the unknown pack temperature at the plug."""
    a, b = window(case, False, ea), window(case, True, ea)
    return min(a, b), max(a, b)


def within(case: Case, ea: float = PRESET_EA) -> bool:
    lo, hi = bracket(case, ea)
    return lo - ROUNDING[case.unit] <= case.measured <= hi + ROUNDING[case.unit]


def _print_table(ea: float, label: str) -> None:
    print(f"\ncold DC charge vs road tests, {label}: model bracket warm .. soaked at the ambient")
    print(f"{'test':44} {'preset':36} {'measured':>9} {'warm':>7} {'soaked':>7}  in")
    for case in CASES:
        warm, soaked = window(case, False, ea), window(case, True, ea)
        print(f"{case.source:44} {case.preset:36} {case.measured:7.1f} {case.unit:3}"
              f"{warm:7.1f} {soaked:7.1f}  {'yes' if within(case, ea) else 'NO'}")


# Which cases the shipped cells (35 kJ/mol) bracket, and why the others are not.
SHIPPED_MISS = (
    "the soaked pack warms itself too fast: with a 10 s resistance 5.7-6.2x its 25 degC value "
    "at -10 degC (35 kJ/mol) the cells' own losses heat a soaked pack within minutes, so the "
    "model's coldest case charges faster than the real car")
BRACKETED_WITH_DFN = "; with the LG M50 DFN's resistance ratio this case is bracketed"
# CAA's ID.4 and F-150 (3, 4) are bracketed since the large-format presets' resistance was
# scaled to a measured large-format cell (docs/cells.md): their soaked packs warm more slowly.
SHIPPED_XFAIL = {1: SHIPPED_MISS + BRACKETED_WITH_DFN, 2: SHIPPED_MISS,
                 5: SHIPPED_MISS + BRACKETED_WITH_DFN}


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c.source for c in CASES])
def test_cold_charge_road_tests_within_the_bracket(i, request):
    case = CASES[i]
    if i == 0:
        _print_table(PRESET_EA, "shipped cells (35 kJ/mol)")
    if i in SHIPPED_XFAIL:
        lo, hi = bracket(case)
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            f"{case.source}: measured {case.measured:g} {case.unit}, model {lo:.1f}..{hi:.1f} "
            f"{case.unit}: {SHIPPED_XFAIL[i]}")))
    assert within(case)


def test_soaked_is_the_slow_end_of_the_bracket():
    """A pack soaked at the ambient never charges faster than the warm pack, and a colder soak
    never faster than a warmer one (the same IONIQ 5 session at -2 and at -15 degC)."""
    for case in CASES:
        if case.unit == "min":
            assert window(case, True) >= window(case, False) - 1e-6
        else:
            assert window(case, True) <= window(case, False) + 1e-6
    colder = CASES[1]._replace(ambient_C=-15.0)
    assert window(colder, True) > window(CASES[1], True)


# -------------------------------------------------------------------------------------------
# the cells' resistance between -10 and 25 degC


def _ecm_ratio(cell_name: str, soc: float, duration_s: float = 10.0) -> float:
    """The preset's 10 s pulse resistance R0 + R1 (1 - exp(-t/tau)) at ``COLD_C`` over
    ``WARM_C``."""
    a = cell_arrays([load_cell(cell_name)])

    def r10(temp_C):
        r0, r1, tau = (table_at(SOC_GRID, TEMP_GRID_C, t[0], soc, temp_C)
                       for t in (a.r0_ohm, a.r1_ohm, a.tau1_s))
        return r0 + r1 * (1.0 - math.exp(-duration_s / tau))

    return r10(COLD_C) / r10(WARM_C)


@cache
def dfn_ratio(soc: float) -> float:
    """PyBaMM DFN (ORegan2022: the LG M50 with measured temperature-dependent parameters),
    isothermal: the 10 s 2C discharge-pulse resistance at ``COLD_C`` over ``WARM_C``."""
    pybamm = pytest.importorskip("pybamm", reason="PyBaMM (bench extra) not installed")
    pybamm.set_logging_level("ERROR")

    def r10(temp_C):
        values = pybamm.ParameterValues("ORegan2022")
        values["Ambient temperature [K]"] = values["Initial temperature [K]"] = (
            temp_C + ZERO_CELSIUS_K)
        experiment = pybamm.Experiment(["Rest for 1 second", "Discharge at 2C for 10 seconds"],
                                       period="0.1 seconds")
        sol = pybamm.Simulation(pybamm.lithium_ion.DFN(), parameter_values=values,
                                experiment=experiment).solve(initial_soc=soc)
        rest = sol.cycles[0]["Voltage [V]"].entries[-1]
        return (rest - sol["Voltage [V]"].entries[-1]) / sol["Current [A]"].entries[-1]

    return r10(COLD_C) / r10(WARM_C)


def equivalent_ea(ratio: float) -> float:
    """The Arrhenius activation energy (J/mol) of a resistance ratio between ``COLD_C`` and
    ``WARM_C``."""
    inv = 1.0 / (COLD_C + ZERO_CELSIUS_K) - 1.0 / (WARM_C + ZERO_CELSIUS_K)
    return GAS_CONSTANT_J_PER_MOLK * math.log(ratio) / inv


@pytest.mark.xfail(strict=True, reason=(
    "the shipped cells' 10 s resistance rises 5.7-6.2x from 25 to -10 degC (35 kJ/mol on R0, R1 "
    "and tau1); the LG M50's DFN with O'Regan 2022's measured parameters gives 2.1-2.2x "
    "(about 14 kJ/mol). Not changed here: it also sets the cold range, the cold acceleration "
    "and the hot cells' resistance on the track and the charge, each to re-validate (the warm "
    "IONIQ 5 10-80 %, 17.4 -> about 21 min at the LG M50's resistance per Ah; at the measured "
    "large-format resistance 17.0 -> 19.7 min, its hotter cells held at their 45 degC charge "
    "limit, both within 15 % of the published 18)"))
def test_lg_m50_cold_resistance_against_the_dfn():
    print("\nlg-m50 10 s pulse resistance, -10 degC over 25 degC")
    rows = [(soc, _ecm_ratio("lg-m50", soc), dfn_ratio(soc)) for soc in (0.5, 0.9)]
    for soc, ecm_r, dfn_r in rows:
        print(f"  SOC {soc:.1f}: packstudy {ecm_r:.2f}  DFN ORegan2022 {dfn_r:.2f} "
              f"(equivalent {equivalent_ea(dfn_r) / 1e3:.1f} kJ/mol)")
    for _, ecm_r, dfn_r in rows:
        assert abs(ecm_r / dfn_r - 1.0) <= 0.25


def _dfn_ea() -> float:
    return equivalent_ea(math.sqrt(dfn_ratio(0.5) * dfn_ratio(0.9)))


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c.source for c in CASES])
def test_charge_brackets_with_the_dfn_resistance(i, request):
    """The same comparison with the cells' activation energy set to the DFN's equivalent (a
    sensitivity, not a preset): the soaked pack warms more slowly and the brackets hold the
    measurements but the 0 degC session from empty, where the first 10 % warms the pack."""
    ea = _dfn_ea()
    if i == 0:
        _print_table(ea, f"cells at the DFN's {ea / 1e3:.1f} kJ/mol")
    if i == 2:
        lo, hi = bracket(CASES[i], ea)
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            f"{CASES[i].source}: measured 30 min, model {lo:.1f}..{hi:.1f} min: charging "
            "from empty, the cells' losses warm a 0 degC pack past the map's cold derating "
            "before 10 %, where the real car's BMS (on its coldest cell) still held it")))
    assert within(CASES[i], ea)


# -------------------------------------------------------------------------------------------
# the cold-soaked 0-100 km/h penalty


def _accel(ea: float, preconditioned: bool = False) -> dict:
    raw = {"study": {"procedures": ["acceleration"], "cold": {"preconditioned": preconditioned}},
           "vehicle": {"preset": "polestar-3-long-range-dual-motor"},
           "candidate": [{"name": c, "cell": _with_ea(c, ea), "inverter": "sic",
                          "pack": {"usable_energy_kWh": 107, "nominal_voltage_V": 400}}
                         for c in NMC_PRESETS]}
    return run_study(raw).metrics


def _penalty(m: dict) -> np.ndarray:
    return m["accel_0_100_s_at_minus10C"] / m["accel_0_100_s"] - 1.0


def test_soaked_acceleration_penalty_follows_the_cells_resistance():
    """The cold-soaked 0-100 km/h penalty of five NMC cells in a Polestar 3-class car (400 V,
    107 kWh) is the pack's voltage-limited power at -10 degC: it grows with the cells'
    activation energy, from the electrolyte's 17.1 to the negative electrode's 55 kJ/mol
    (About:Energy BPX); with the LG M50 DFN's equivalent it is within 15 % of the warm time,
    as the preconditioned pack is; with the shipped 35 kJ/mol it is 2-20 % (54-84 % with the
    LG M50's resistance per Ah, before the large-format scaling of docs/cells.md)."""
    shipped, low, high = _accel(PRESET_EA), _accel(EA_BOUNDS[0]), _accel(EA_BOUNDS[1])
    warmed = _accel(PRESET_EA, preconditioned=True)
    rows = {"17.1 kJ/mol": _penalty(low), "35 kJ/mol (shipped)": _penalty(shipped),
            "55 kJ/mol": _penalty(high), "shipped, preconditioned": _penalty(warmed)}
    dfn = None
    try:
        ea = _dfn_ea()
        dfn = _penalty(_accel(ea))
        rows[f"DFN equivalent {ea / 1e3:.1f} kJ/mol"] = dfn
    except pytest.skip.Exception:
        pass
    print("\ncold-soaked 0-100 km/h at -10 degC over the warm time - 1, by cell")
    print(f"{'':32}" + "".join(f"{c:>20}" for c in NMC_PRESETS))
    for label, values in rows.items():
        print(f"{label:32}" + "".join(f"{100 * v:19.1f}%" for v in values))
    assert np.all(rows["17.1 kJ/mol"] <= rows["35 kJ/mol (shipped)"] + 1e-9)
    assert np.all(rows["35 kJ/mol (shipped)"] <= rows["55 kJ/mol"] + 1e-9)
    # the shipped cells: a moderate penalty at the large-format resistance, 0 for none of them
    assert np.all(rows["35 kJ/mol (shipped)"] > 0.01)
    assert np.all(rows["35 kJ/mol (shipped)"] < 0.25)
    if dfn is not None:
        assert np.all(dfn <= 0.15)
