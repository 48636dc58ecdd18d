"""BPX import: OCV from the electrode OCPs, derived ECM, and bpx's validation errors."""

import json

import numpy as np
import pytest

pytest.importorskip("bpx")

from packstudy.cell import CellError, load_cell  # noqa: E402

KAPPA = "0.1297 * (x / 1000) ** 3 - 2.51 * (x / 1000) ** 1.5 + 3.329 * (x / 1000)"
NEG_OCP = ("1.9793 * exp(-39.3631 * x) + 0.2482 - 0.0909 * tanh(29.8538 * (x - 0.1234)) "
           "- 0.04478 * tanh(14.9159 * (x - 0.2769)) - 0.0205 * tanh(30.4444 * (x - 0.6103))")
POS_OCP = {"x": [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97],
           "y": [4.25, 4.1, 3.97, 3.87, 3.79, 3.72, 3.68]}


def _bpx():
    """A small DFN parameter set: About:Energy's NMC111 12.5 Ah pouch (2022) figures."""
    electrode = {"Conductivity [S.m-1]": 0.5, "Porosity": 0.26}
    return {
        "Header": {"BPX": "1.0.0", "Title": "Test NMC pouch", "Model": "DFN"},
        "Parameterisation": {
            "Cell": {"Reference temperature [K]": 298.15, "Lower voltage cut-off [V]": 2.7,
                     "Upper voltage cut-off [V]": 4.2, "Nominal cell capacity [A.h]": 12.5,
                     "Specific heat capacity [J.K-1.kg-1]": 913, "Density [kg.m-3]": 1847,
                     "Electrode area [m2]": 0.016808,
                     "Number of electrode pairs connected in parallel to make a cell": 34,
                     "Volume [m3]": 0.000128},
            "Electrolyte": {"Cation transference number": 0.2594, "Conductivity [S.m-1]": KAPPA,
                            "Diffusivity [m2.s-1]": 3e-10},
            "Negative electrode": {**electrode, "Particle radius [m]": 4.12e-06,
                                   "Thickness [m]": 5.62e-05, "Diffusivity [m2.s-1]": 2.728e-14,
                                   "OCP [V]": NEG_OCP, "Transport efficiency": 0.128,
                                   "Surface area per unit volume [m-1]": 499522,
                                   "Reaction rate constant [mol.m-2.s-1]": 5.199e-06,
                                   "Minimum stoichiometry": 0.03, "Maximum stoichiometry": 0.75668,
                                   "Maximum concentration [mol.m-3]": 29730,
                                   "Reaction rate constant activation energy [J.mol-1]": 55000},
            "Positive electrode": {**electrode, "Particle radius [m]": 4.6e-06,
                                   "Thickness [m]": 5.23e-05, "Diffusivity [m2.s-1]": 3.2e-14,
                                   "OCP [V]": POS_OCP, "Transport efficiency": 0.1462,
                                   "Surface area per unit volume [m-1]": 432072,
                                   "Reaction rate constant [mol.m-2.s-1]": 2.305e-05,
                                   "Minimum stoichiometry": 0.42424,
                                   "Maximum stoichiometry": 0.9621,
                                   "Maximum concentration [mol.m-3]": 46200,
                                   "Reaction rate constant activation energy [J.mol-1]": 35000},
            "Separator": {"Thickness [m]": 2e-05, "Porosity": 0.47, "Transport efficiency": 0.3222},
        },
    }


def test_bpx_cell(tmp_path):
    path = tmp_path / "cell.json"
    path.write_text(json.dumps(_bpx()))
    cell = load_cell({"bpx": "cell.json"}, base_dir=tmp_path)
    assert cell.capacity_Ah == 12.5 and (cell.v_min_V, cell.v_max_V) == (2.7, 4.2)
    assert cell.mass_kg == pytest.approx(1847 * 0.000128)
    x = 0.03 + 0.5 * (0.75668 - 0.03)
    y = 0.9621 - 0.5 * (0.9621 - 0.42424)
    un = eval(NEG_OCP, {"exp": np.exp, "tanh": np.tanh}, {"x": x})
    assert np.interp(0.5, cell.ocv_soc, cell.ocv_V) == pytest.approx(
        np.interp(y, POS_OCP["x"], POS_OCP["y"]) - un, abs=1e-9)
    assert cell.activation_energy_J_per_mol == pytest.approx(45000)
    # ohmic part alone: separator + electrodes over 34 pairs, kappa(1000) = 0.9483 S/m
    r_ohm = (2e-5 / 0.3222 + (5.62e-5 / 0.128 + 5.23e-5 / 0.1462) / 3) / (0.9483 * 0.016808 * 34)
    assert np.all(cell.r0_ohm > r_ohm)
    # About:Energy's published 1C and C/20 discharges of this cell (BPX example, 2022) differ
    # by about 0.1 V at 50 % SOC: R0 + R1 about 8 mOhm
    r_mid = cell.r0_ohm[10, 0] + cell.r1_ohm[10, 0]
    assert 0.004 < r_mid < 0.016
    assert np.all(cell.tau1_s > 0) and any("approximation" in a or "R0" in a
                                           for a in cell.assumptions)


def test_invalid_bpx_names_path_and_field(tmp_path):
    data = _bpx()
    del data["Parameterisation"]["Cell"]["Nominal cell capacity [A.h]"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CellError) as err:
        load_cell({"bpx": str(path)})
    msg = str(err.value)
    assert str(path) in msg and "Nominal cell capacity" in msg and len(msg) < 800
