"""Write ``data/cells/lg-m50.toml``: the ECM fitted to the PyBaMM DFN (Chen2020) pulse test.

Run from the repository root: ``python scripts/fit_lg_m50.py [SHARED_VALIDATION_DIR]``
(default ``../shared/validation``). Inputs, from ``pybamm/`` there:

- ``chen2020_dfn_pulse_test_25C.csv``: the record fitted (R0, R1, tau1 per 5 % SOC band):
  19 blocks of a 0.5C discharge of 5 % SOC, a 30 min rest, a 2C 10 s discharge pulse and a
  1.5C 10 s charge pulse (16 of them: PyBaMM skipped the first three, which would pass 4.2 V),
  each pulse followed by 40 s of rest;
- ``chen2020_ocv_vs_soc.csv``: the cell's OCV from its electrode OCPs, used as the measured
  OCV curve (as a cycler's pseudo-OCV test would be); the capacity is then the one that maps
  the pulse test's relaxed voltages onto it;
- ``chen2020_dfn_cc_discharge_C2_25C.csv`` and ``..._1C_25C.csv``: constant-current
  discharges from full at 2.5 A and 5 A (``metadata.json``), fitted with the pulse test, each
  weighing as much as it in every SOC band (``fit_ecm``'s ``extra``): the pulse test's 6 min
  0.5C steps hold no polarisation built over minutes of sustained current (issue 17).

The ``[electrochemical]`` table (for ``packstudy.electrochem``, the pseudo-2D model) holds the
Chen et al. (2020) parameter set as PyBaMM 26.10 ships it (``Chen2020``): electrode and
separator design, particle and electrolyte transport, kinetics, the electrode OCP fits
tabulated on 201 stoichiometries, the Nyman et al. (2008) electrolyte diffusivity and
conductivity fits tabulated to 4000 mol/m3 (extrapolated above their 2000 mol/m3 data, as
PyBaMM does), and the stoichiometry window of PyBaMM's eSOH solution (``metadata.json``).

The fit weighs the pulses as much as the 0.5C steps (``ecm_fit.fit_ecm``), and it is scored
as the fitted cell simulated over the whole record through its limits. The ratings (mass,
dimensions, limits) come from the LG Chem INR21700 M50 product specification.
The C/2 and 1C checks of tests/validation/test_lg_m50_pybamm.py therefore score the fit;
the discharges at 1.5C, 2C and 3C and the 0.7C charge of test_lg_m50_dfn_rates.py are
held out.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from packstudy import catalog, ecm_fit

ROOT = Path(__file__).resolve().parents[1]
DATASHEET = ("LG Chem, Product specification Rechargeable Lithium Ion Battery Model INR21700 M50 "
             "(2016)")

TEMPLATE = {
    "schema_version": 1,
    "name": "lg-m50",
    "description": "LG M50 (INR21700 M50) 21700 cylindrical cell, NMC811 / graphite-SiOx, 5 Ah",
    "chemistry": "nmc811-graphite",
    "format": "cylindrical",
    "nominal_voltage_V": 3.63,
    "mass_kg": 0.06925,
    "dimensions_mm": {"diameter": 21.1, "height": 70.15},
    "i_max_discharge_A": 7.275,
    "i_max_charge_A": 3.395,
    "i_peak_discharge_A": 10.0,
    "i_peak_charge_A": 7.5,
    "specific_heat_J_per_kgK": catalog.factor("cell_defaults", "specific_heat_J_per_kgK"),
    "assumptions": [
        "10 s peak currents: the 2C discharge and 1.5C charge pulses of the Chen2020 pulse-test "
        "protocol (the datasheet gives continuous limits only)",
        "specific heat: the packstudy default for Li-ion cells (no LG M50 value in the sources)",
        "temperature dependence: Arrhenius law on R0, R1 and tau1 (C1 constant) with the "
        "sourced activation energy; the fit itself is at 25 degC only",
    ],
    "charge_map": {"soc": [0.0, 1.0], "temperature_C": [-1.0, 0.0, 45.0, 46.0],
                   "c_rate_max": [[0.0, 0.679, 0.679, 0.0], [0.0, 0.679, 0.679, 0.0]]},
    "resistance": {"activation_energy_J_per_mol":
                   catalog.factor("cell_defaults", "resistance_activation_energy_J_per_mol")},
    "sources": {
        "nominal_voltage_V": f"{DATASHEET}: nominal voltage 3.63 V",
        "v_min_V": f"{DATASHEET}: discharge cut-off 2.50 V",
        "v_max_V": f"{DATASHEET}: charge voltage 4.20 V",
        "mass_kg": f"{DATASHEET}: weight max. 69.25 g",
        "dimensions_mm": f"{DATASHEET}: diameter max. 21.10 mm, height max. 70.15 mm",
        "i_max_discharge_A": f"{DATASHEET}: max. continuous discharge 1.5C (7,275 mA)",
        "i_max_charge_A": f"{DATASHEET}: max. charge current 0.7C (3,395 mA)",
        "i_peak_discharge_A": "2C 10 s discharge pulse of the Chen2020 DFN pulse-test protocol "
                              "(assumption, see assumptions)",
        "i_peak_charge_A": "1.5C 10 s charge pulse of the same protocol (assumption)",
        "specific_heat_J_per_kgK": catalog.factors("cell_defaults")["specific_heat_J_per_kgK"][
            "source"],
        "charge_map": f"{DATASHEET}: max. charge 0.7C of 4,850 mAh (3,395 mA), charging 0-45 degC",
    },
}


CHEN2020 = ("Chen, Brosa Planella, O'Regan, Gastol, Widanage, Kendrick (2020), Development of "
            "experimental techniques for parameterization of multi-scale lithium-ion battery "
            "models, J. Electrochem. Soc. 167, 080534 (LG M50), as PyBaMM 26.10's Chen2020 "
            "parameter set: electrode and separator design, transport, exchange-current and OCP "
            "fits; electrolyte LiPF6 in EC:EMC 3:7 from Nyman, Behm, Lindbergh (2008), "
            "Electrochim. Acta 53, 6356 (diffusivity and conductivity fits); stoichiometry "
            "window from PyBaMM's eSOH solution for the 2.5-4.2 V window (metadata.json)")


def electrochemical_table(esoh: dict) -> dict:
    """The ``[electrochemical]`` table of lg-m50 (Chen2020; see the module docstring)."""
    sto = np.linspace(0.0, 1.0, 201)
    u_neg = (1.9793 * np.exp(-39.3631 * sto) + 0.2482 - 0.0909 * np.tanh(29.8538 * (sto - 0.1234))
             - 0.04478 * np.tanh(14.9159 * (sto - 0.2769))
             - 0.0205 * np.tanh(30.4444 * (sto - 0.6103)))
    u_pos = (-0.8090 * sto + 4.4875 - 0.0428 * np.tanh(18.5138 * (sto - 0.5542))
             - 17.7326 * np.tanh(15.7890 * (sto - 0.3117))
             + 17.5842 * np.tanh(15.9308 * (sto - 0.3120)))
    c = np.linspace(0.0, 4000.0, 81)
    m = c / 1000.0
    electrode = ("thickness_m", "porosity", "active_fraction", "particle_radius_m",
                 "diffusivity_m2_per_s", "max_concentration_mol_per_m3", "conductivity_S_per_m",
                 "j0_coefficient_A_m2p5_per_mol1p5", "j0_activation_energy_J_per_mol",
                 "stoichiometry_soc0", "stoichiometry_soc1")
    neg = (85.2e-6, 0.25, 0.75, 5.86e-6, 3.3e-14, 33133.0, 215.0, 6.48e-7, 35000.0,
           esoh["x_0"], esoh["x_100"])
    pos = (75.6e-6, 0.335, 0.665, 5.22e-6, 4e-15, 63104.0, 0.18, 3.42e-6, 17800.0,
           esoh["y_0"], esoh["y_100"])
    return {
        "electrode_area_m2": round(0.065 * 1.58, 6),
        "electrolyte": {"concentration_mol_per_m3": 1000.0, "transference_number": 0.2594,
                        "bruggeman": 1.5, "table_concentration_mol_per_m3": c.tolist(),
                        "diffusivity_m2_per_s": [float(f"{x:.6g}") for x in
                                                 8.794e-11 * m**2 - 3.972e-10 * m + 4.862e-10],
                        "conductivity_S_per_m": [float(f"{x:.6g}") for x in np.maximum(
                            0.1297 * m**3 - 2.51 * m**1.5 + 3.329 * m, 0.0)]},
        "separator": {"thickness_m": 12e-6, "porosity": 0.47},
        "negative": {**{k: float(f"{v:.8g}") for k, v in zip(electrode, neg, strict=True)},
                     "ocp_V": [round(float(x), 6) for x in u_neg]},
        "positive": {**{k: float(f"{v:.8g}") for k, v in zip(electrode, pos, strict=True)},
                     "ocp_V": [round(float(x), 6) for x in u_pos]},
    }


def main(shared: Path) -> None:
    folder = shared / "pybamm"
    raw = ecm_fit.read_csv_columns(folder / "chen2020_dfn_pulse_test_25C.csv",
                                   ("time_s", "current_A", "voltage_V", "discharge_capacity_Ah"))
    t, current = raw["time_s"], raw["current_A"]
    drift = np.abs(ecm_fit.charge_throughput_Ah(t, current) - raw["discharge_capacity_Ah"]).max()
    if drift > 1e-4:
        sys.exit(f"{folder / 'chen2020_dfn_pulse_test_25C.csv'}: discharge_capacity_Ah departs "
                 f"from the integral of current_A by up to {drift:.3g} Ah: the file is not "
                 "the regenerated reference (see its README)")
    ocv = ecm_fit.read_csv_columns(folder / "chen2020_ocv_vs_soc.csv", ("soc", "ocv_V"))
    data = ecm_fit.TestData(t, current, raw["voltage_V"], "chen2020_dfn_pulse_test_25C.csv")
    runs = json.loads((folder / "metadata.json").read_text())["runs"]
    extra = []
    for tag in ("C2", "1C"):
        cc = ecm_fit.read_csv_columns(folder / f"chen2020_dfn_cc_discharge_{tag}_25C.csv",
                                      ("time_s", "voltage_V"))
        extra.append(ecm_fit.TestData(cc["time_s"], np.full(cc["time_s"].size,
                                      runs[tag]["current_A"]), cc["voltage_V"], tag))
    fit = ecm_fit.fit_ecm(data, v_min_V=2.5, v_max_V=4.2, ocv_soc=ocv["soc"], ocv_V=ocv["ocv_V"],
                          extra=tuple(extra))
    preset = ecm_fit.fitted_preset(
        fit, "lg-m50", TEMPLATE, "chen2020_dfn_pulse_test_25C.csv",
        method_note="OCV curve: chen2020_ocv_vs_soc.csv (PyBaMM 26.10 Chen2020 electrode OCPs "
                    "over the eSOH window); 2C discharge and 1.5C charge 10 s pulses included; "
                    "chen2020_dfn_cc_discharge_C2_25C.csv and _1C_25C.csv fitted with it.")
    rmse, _ = ecm_fit.score_fit(preset, data)
    preset["fit"]["rmse_V"] = round(rmse, 5)
    preset["fit"]["script"] = "scripts/fit_lg_m50.py"
    preset["sources"]["v_min_V"] = TEMPLATE["sources"]["v_min_V"]
    preset["sources"]["v_max_V"] = TEMPLATE["sources"]["v_max_V"]
    preset["electrochemical"] = electrochemical_table(
        json.loads((folder / "metadata.json").read_text())["esoh"])
    preset["sources"]["electrochemical"] = CHEN2020
    text = ecm_fit.dump_toml(preset)
    out = ROOT / "src" / "packstudy" / "data" / "cells" / "lg-m50.toml"
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write("# Generated by scripts/fit_lg_m50.py - do not edit by hand.\n" + text)
    os.replace(tmp, out)
    print(f"capacity {fit.capacity_Ah:.4f} Ah ({fit.capacity_method}); "
          f"pulse-test voltage RMSE {1e3 * rmse:.2f} mV -> {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "validation")
