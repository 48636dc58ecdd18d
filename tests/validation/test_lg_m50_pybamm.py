"""lg-m50 (fitted by scripts/fit_lg_m50.py to the DFN pulse test and the C/2 and 1C discharges)
against PyBaMM's DFN (Chen2020).

Criteria (issues 3 and 18): CC discharge at C/2 and 1C, voltage RMSE <= 20 mV over the common
capacity range and delivered capacity within 2 % (since issue 17 these two are fitting data,
so they check the fit; the held-out rates are in test_lg_m50_dfn_rates.py); pulse test (2C
discharge and 1.5C charge 10 s pulses) voltage RMSE <= 20 mV overall and <= 30 mV during the pulses.

The pulse test is compared as the fit scores it (``ecm_fit.score_fit``): the cell simulated
through its limits on the reference's current, so that the comparison measures the voltage
on exactly the current the DFN saw. A separate check runs it with the limits enforced: the
pulses are within the preset's 10 s peak currents (2C discharge, 1.5C charge) and the DFN
stayed within 2.5-4.2 V, so the limited run must reach the end unclipped as well.
"""

import tomllib
from pathlib import Path

import numpy as np
import pytest

from packstudy import catalog, ecm_fit
from packstudy.cell import cell_arrays, load_cell
from packstudy.cellsim import STOP_END, simulate

REF = Path(__file__).resolve().parents[2] / ".." / "shared" / "validation" / "pybamm"
pytestmark = pytest.mark.skipif(not REF.is_dir(),
                                reason=f"PyBaMM reference data not found at {REF.resolve()}")
NOMINAL_AH = 5.0  # PyBaMM's 1C for Chen2020


def _load(name):
    return np.genfromtxt(REF / name, delimiter=",", names=True)


def _rmse_mV(err):
    return 1e3 * float(np.sqrt(np.mean(err**2)))


@pytest.fixture(scope="module")
def cells():
    return cell_arrays([load_cell("lg-m50")])


@pytest.fixture(scope="module")
def pulse_ref():
    ref = _load("chen2020_dfn_pulse_test_25C.csv")
    return ecm_fit.TestData(ref["time_s"], ref["current_A"], ref["voltage_V"], "pulse test")


@pytest.fixture(scope="module")
def table():
    rows = []
    yield rows
    print("\nlg-m50 vs PyBaMM DFN (Chen2020), 25 degC")
    print(f"{'case':<22}{'RMSE mV':>10}{'max mV':>10}{'capacity Ah':>14}{'DFN Ah':>10}{'err %':>8}")
    for name, rmse, worst, cap, cap_ref in rows:
        tail = (f"{cap:>14.4f}{cap_ref:>10.4f}{100 * (cap / cap_ref - 1):>8.2f}"
                if cap is not None else "")
        print(f"{name:<22}{rmse:>10.2f}{worst:>10.1f}{tail}")


@pytest.mark.parametrize(("tag", "current_A"), [("C2", 2.5), ("1C", 5.0)])
def test_cc_discharge(cells, table, tag, current_A):
    ref = _load(f"chen2020_dfn_cc_discharge_{tag}_25C.csv")
    steps = int(1.2 * 3600 * NOMINAL_AH / current_A)
    run = simulate(cells, np.arange(steps + 1.0), np.full(steps, current_A), keep_trace=True,
                   h_W_per_m2K=1e9)  # isothermal, as the DFN reference
    ok = ~np.isnan(run.trace_voltage_V[0])
    q, v = run.trace_discharge_capacity_Ah[0][ok], run.trace_voltage_V[0][ok]
    common = ref["discharge_capacity_Ah"] <= min(q[-1], ref["discharge_capacity_Ah"][-1])
    err = np.interp(ref["discharge_capacity_Ah"][common], q, v) - ref["voltage_V"][common]
    cap, cap_ref = float(run.discharge_capacity_Ah[0]), float(ref["discharge_capacity_Ah"][-1])
    table.append((f"{tag} discharge", _rmse_mV(err), 1e3 * np.abs(err).max(), cap, cap_ref))
    assert run.stop_reason[0] == 1  # stopped on the lower voltage limit
    assert _rmse_mV(err) <= 20.0
    assert abs(cap / cap_ref - 1.0) <= 0.02


def test_pulse_test(pulse_ref, table):
    preset = tomllib.loads(catalog.preset_path("cells", "lg-m50").read_text())
    _, v = ecm_fit.score_fit(preset, pulse_ref)
    err = v - pulse_ref.voltage_V
    cur = pulse_ref.current_A
    parts = {"pulse test, overall": np.ones(cur.size, bool),
             "  during pulses": np.abs(cur) > NOMINAL_AH,  # the 2C and 1.5C pulses
             "  2C discharge pulses": cur > NOMINAL_AH,
             "  1.5C charge pulses": cur < -NOMINAL_AH,
             "  rest of the test": np.abs(cur) <= NOMINAL_AH}
    rmse = {}
    for name, m in parts.items():
        rmse[name] = _rmse_mV(err[m])
        table.append((name, rmse[name], 1e3 * np.abs(err[m]).max(), None, None))
    assert (cur > NOMINAL_AH).sum() >= 190 and (cur < -NOMINAL_AH).sum() >= 150  # pulses present
    assert rmse["pulse test, overall"] <= 20.0
    assert rmse["  during pulses"] <= 30.0


def test_pulse_test_within_limits(cells, pulse_ref):
    run = simulate(cells, pulse_ref.time_s, pulse_ref.current_A[:-1], h_W_per_m2K=1e9)
    assert run.stop_reason[0] == STOP_END
    assert not run.current_limited[0]
