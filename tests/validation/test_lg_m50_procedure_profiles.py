"""lg-m50's equivalent circuit against its pseudo-2D model on the study procedures' own duty
(issue 17 item 5).

The constant-current comparisons (``test_lg_m50_dfn_rates.py``) say how the equivalent
circuit (ECM, what the vehicle kernel, the charge, launch and lap procedures run) does at
1.5C, 2C and 3C continuous; this module asks how wrong it is on the current the procedures
actually draw. The profiles come from the shipped example ``performance-suv-endurance.toml``,
its baseline candidate (NMC811 pouch cells), per cell and in C-rate terms
(``procedure_profiles.py``): 20 launches 0-200 km/h, 10 track laps, the DC fast charge
10-80 % and a WLTC. Each profile, as C-rate x lg-m50's capacity, from the procedure's start
SOC, runs through the ECM and the pseudo-2D model (``electrochem``,
Chen et al. 2020's parameters, nothing fitted; 11.7 mV from PyBaMM's DFN at 3C CC),
isothermal at 25 degC, through the voltage limits. Reported: time-weighted voltage RMSE, the
largest error, the terminal-energy and irreversible-heat differences at equal current.

Tolerances (the ECM's constant-current errors as the basis): WLTC <= 15 mV (its C/2 and 1C
figures, 12.5 and 9.8 mV, + 2 mV); launches <= 30 mV (issue 17's goal; 10 s pulses are what
the pulse-test fit sees); the track and the fast charge, whose RMS rate stays below 2C (checked),
no worse than the 2C discharge (43.3 mV + 2 mV), with issue 17's 30 mV a strict xfail where
missed. Terminal energy within 1 % and, on the three high-rate profiles, heat within 10 %
(the track's 6 % moves its peak cell temperature by 0.9 K; docs/cells.md). Needs only the
package and the example: about 15 s.

The reference itself is checked against PyBaMM's DFN on the same currents where
``dfn_reference.py --profiles`` has cached them (pybamm, about 2 minutes; skipped
otherwise): the pseudo-2D model within 20 mV of the DFN (its pulse-test figure during the
pulses, 18.5 mV, rounded up), and the ECM within the same tolerances as against the
pseudo-2D model.
"""

import dfn_reference  # beside this file, as procedure_profiles
import numpy as np
import procedure_profiles
import pytest

from packstudy.cell import cell_arrays, load_cell
from packstudy.cellsim import simulate

CC_2C_MV = 43.3  # the ECM's 2C constant-current RMSE against the DFN (test_lg_m50_dfn_rates)
MARGIN_MV = 2.0
RMSE_MV = {"wltc": 15.0, "launch_repeat": 30.0, "track": CC_2C_MV + MARGIN_MV,
           "fast_charge": CC_2C_MV + MARGIN_MV}
SUSTAINED = ("track", "fast_charge")  # RMS rate checked below 2C: the 2C bound applies
HIGH_RATE = ("launch_repeat", "track", "fast_charge")
ENERGY_FRACTION = 0.01
HEAT_FRACTION = 0.10
REFERENCE_MV = 20.0  # the pseudo-2D model against the DFN


def _rms(x, weight):
    return float(np.sqrt(np.sum(x**2 * weight) / np.sum(weight)))


@pytest.fixture(scope="module")
def cells():
    return cell_arrays([load_cell("lg-m50")])


@pytest.fixture(scope="module")
def runs(cells):
    """Per profile: (sample times s, C-rate per step, start SOC, ECM run, pseudo-2D run)."""
    out = {}
    for name, (t, c_rate, soc0) in procedure_profiles.profiles().items():
        out[name] = (t, c_rate, soc0, *[
            simulate(cells, t, c_rate * cells.capacity_Ah[0], soc_start=soc0, keep_trace=True,
                     isothermal=True, enforce_limits=False, model=model)
            for model in ("ecm", "electrochemical")])
    return out


@pytest.fixture(scope="module")
def figures(runs):
    """Per profile: the ECM's errors against the pseudo-2D model, isothermal 25 degC."""
    rows = {}
    for name, (t, c_rate, _, ecm, p2d) in runs.items():
        err = ecm.trace_voltage_V[0] - p2d.trace_voltage_V[0]
        weight = np.append(np.diff(t), 0.0)  # each sample's voltage holds over its step
        assert np.all(np.isfinite(err))
        heat = [r.ohmic_loss_J[0] + r.rc_loss_J[0] for r in (ecm, p2d)]
        rows[name] = dict(
            rms_c=_rms(c_rate, np.diff(t)),
            peak_c=float(c_rate[np.argmax(np.abs(c_rate))]),
            rmse_mV=1e3 * _rms(err, weight),
            max_mV=1e3 * float(np.max(np.abs(err))),
            mean_mV=1e3 * float(np.sum(err * weight) / np.sum(weight)),
            energy=float(ecm.terminal_J[0] / p2d.terminal_J[0] - 1.0),
            heat=float(heat[0] / heat[1] - 1.0),
            heat_J=heat)
    yield rows
    print("\nlg-m50 ECM vs pseudo-2D model on the procedures' cell current (isothermal 25 degC)")
    for name, r in rows.items():
        print(f"  {name:14s} RMS {r['rms_c']:4.2f}C peak {r['peak_c']:+5.2f}C  RMSE {r['rmse_mV']:5.1f} mV"
              f"  max {r['max_mV']:5.1f} mV  mean {r['mean_mV']:+5.1f} mV  terminal energy "
              f"{100 * r['energy']:+5.2f} %  heat {100 * r['heat']:+5.1f} % "
              f"({r['heat_J'][0]:.0f} vs {r['heat_J'][1]:.0f} J)")


@pytest.mark.parametrize("name", list(RMSE_MV))
def test_voltage_within_tolerance(figures, name):
    row = figures[name]
    if name in SUSTAINED:
        assert row["rms_c"] < 2.0  # the premise of the 2C bound
    assert row["rmse_mV"] <= RMSE_MV[name]


@pytest.mark.parametrize("name", list(RMSE_MV))
def test_terminal_energy_within_1_pct(figures, name):
    assert abs(figures[name]["energy"]) <= ENERGY_FRACTION


@pytest.mark.parametrize("name", HIGH_RATE)
def test_heat_within_10_pct(figures, name):
    assert abs(figures[name]["heat"]) <= HEAT_FRACTION


@pytest.mark.parametrize("name", SUSTAINED)
@pytest.mark.xfail(strict=True, reason=(
    "issue 17's 30 mV on sustained duty: the track (RMS 1.70C, 2.8C peaks) reads 35.5 mV, the "
    "ECM sagging 40-60 mV more than the pseudo-2D model after 300-700 s (SOC 0.82-0.67); the "
    "fast charge (1.7-1.9C) 35.7 mV, the ECM 60-80 mV high over its first 5 minutes (SOC "
    "0.12-0.27). The constant-current figures bracket it: 25.5 mV at 1.5C, 43.3 mV at 2C"))
def test_sustained_within_30_mV(figures, name):
    assert figures[name]["rmse_mV"] <= 30.0


@pytest.fixture(scope="module")
def dfn_table():
    rows = {}
    yield rows
    print("\nthe same currents in PyBaMM's DFN (Chen2020, isothermal 25 degC)")
    for name, (p2d, ecm, heat) in rows.items():
        print(f"  {name:14s} voltage RMSE pseudo-2D {p2d:5.1f} mV, ECM {ecm:5.1f} mV; "
              f"ECM heat {100 * heat:+5.1f} % against the DFN's")


@pytest.mark.parametrize("name", list(RMSE_MV))
def test_against_dfn(cells, runs, dfn_table, name):
    """The reference checked: the pseudo-2D model within 20 mV of the DFN on the same current,
    and the ECM within its tolerance of the DFN too. The DFN's irreversible heat is the ECM's
    plus the integral of I (V_ECM - V_DFN) (same current, same OCV table: reported only)."""
    t, c_rate, soc0, ecm, p2d = runs[name]
    current = c_rate * cells.capacity_Ah[0]
    v = dfn_reference.profile_voltage(name, t, current, soc0)
    if v is None:
        pytest.skip(f"DFN run on the {name} profile not cached "
                    f"({dfn_reference.profile_path(name, t, current, soc0).name}): "
                    "python tests/validation/dfn_reference.py --profiles (pybamm, bench extra)")
    weight = np.append(np.diff(t), 0.0)
    heat = ecm.ohmic_loss_J[0] + ecm.rc_loss_J[0]
    dfn_heat = heat + np.sum(current * (ecm.trace_voltage_V[0] - v)[:-1] * np.diff(t))
    dfn_table[name] = [1e3 * _rms(r.trace_voltage_V[0] - v, weight) for r in (p2d, ecm)] + [
        heat / dfn_heat - 1.0]
    assert dfn_table[name][0] <= REFERENCE_MV
    assert dfn_table[name][1] <= RMSE_MV[name]
