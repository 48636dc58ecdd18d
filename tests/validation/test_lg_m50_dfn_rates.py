"""lg-m50 against PyBaMM's DFN (Chen2020, isothermal 25 degC) at sustained rates (issue 17 item 5).

References: constant-current discharges at C/2, 1C, 1.5C, 2C, 3C and a 0.7C CC charge, made
by ``dfn_reference.py`` (pybamm, the ``bench`` extra) into a cache outside the repository;
the module skips when neither the cache nor pybamm is there. The cell is driven through its
limits on the reference's current (as ``ecm_fit.score_fit`` scores the fit): at 3C (15 A)
the preset's 10 s peak of 10 A would otherwise clip the current and the run would compare a
2C discharge with the DFN's 3C one (issue 18's "312 mV" was that). Voltage RMSE over the
common capacity range; the ECM's run ends where its voltage crosses 2.5 V (4.2 V charging).

Goals: issue 17's 30 mV at 1.5C and 3C, the other rates checked too. The equivalent circuit
(``model="ecm"``, what the vehicle kernel runs) meets 1.5C (25.5 mV), stays no worse than
issue 18's figures elsewhere (C/2 13.0, 1C 16.0, 2C 55.3, 0.7C charge 40.1 mV, + 2 mV), and
misses 3C (a strict xfail with the figure and the reason). The fit (scripts/fit_lg_m50.py)
sees the pulse test and the C/2 and 1C discharges of ../shared/validation; 1.5C, 2C, 3C and
the charge are held out. The pseudo-2D model (``model="electrochemical"``, the preset's
[electrochemical] table: Chen et al. 2020's parameters, nothing fitted) meets 30 mV at every
rate, 3C included; its runs stop 5 % after the DFN's end time to save time.
"""

import numpy as np
import pytest

from packstudy.cell import cell_arrays, load_cell
from packstudy.cellsim import simulate

dfn_reference = pytest.importorskip("dfn_reference")
NOMINAL_AH = dfn_reference.NOMINAL_AH
MARGIN_MV = 2.0


def _reference(case):
    path = dfn_reference.path(case)
    if not path.is_file():
        pytest.importorskip("pybamm", reason="DFN references not cached and pybamm (bench "
                            "extra) not installed")
        path = dfn_reference.ensure(case)
    return np.genfromtxt(path, delimiter=",", names=True)


@pytest.fixture(scope="module")
def cells():
    return cell_arrays([load_cell("lg-m50")])


def _printed_after(title: str):
    """A dict the tests fill with (RMSE mV, capacity Ah, DFN capacity Ah) per case, printed
    under ``title`` once the module's tests have run."""
    rows = {}
    yield rows
    print(f"\n{title}")
    for case, (rmse, cap, cap_ref) in rows.items():
        print(f"  {case:8s} RMSE {rmse:6.1f} mV   capacity {cap:.3f} Ah vs DFN {cap_ref:.3f} Ah "
              f"({100 * (cap / cap_ref - 1):+.1f} %)")


@pytest.fixture(scope="module")
def table():
    yield from _printed_after("lg-m50 vs PyBaMM DFN (Chen2020), CC, isothermal 25 degC")


def compare(cells, case, model="ecm"):
    """(voltage RMSE in mV over the common capacity range, model capacity, DFN capacity)."""
    ref = _reference(case)
    rate = dfn_reference.CASES[case]
    sign = 1.0 if rate > 0 else -1.0
    steps = (int(1.3 * 3600 / abs(rate)) if model == "ecm" else
             int(1.05 * ref["time_s"][-1]) + 1)
    run = simulate(cells, np.arange(steps + 1.0), np.full(steps, rate * NOMINAL_AH),
                   soc_start=1.0 if rate > 0 else 0.0, keep_trace=True, isothermal=True,
                   enforce_limits=False, model=model)
    v = run.trace_voltage_V[0]
    q = sign * run.trace_discharge_capacity_Ah[0]
    beyond = ((v < 2.5) if rate > 0 else (v > 4.2)) | np.isnan(v)
    end = int(np.argmax(beyond)) if beyond.any() else v.size
    q, v = q[:end], v[:end]
    q_ref = sign * ref["discharge_capacity_Ah"]
    common = q_ref <= min(q[-1], q_ref[-1])
    err = np.interp(q_ref[common], q, v) - ref["voltage_V"][common]
    return 1e3 * float(np.sqrt(np.mean(err**2))), float(q[-1]), float(q_ref[-1])


ISSUE18_MV = {"C2": 13.0, "1C": 16.0, "2C": 55.3, "chg0.7C": 40.1}


@pytest.mark.parametrize("case", list(ISSUE18_MV))
def test_not_worse_than_issue_18(cells, table, case):
    table[case] = compare(cells, case)
    assert table[case][0] <= ISSUE18_MV[case] + MARGIN_MV


def test_1p5c_within_30_mV(cells, table):
    table["1.5C"] = compare(cells, "1.5C")
    assert table["1.5C"][0] <= 30.0


@pytest.mark.xfail(strict=True, reason=(
    "equivalent circuit, 3C CC: 121 mV (goal 30); the DFN stops at 2.33 Ah, the ECM at 4.6 Ah. "
    "The DFN's electrolyte depletes in the positive electrode after ~150 s and the reaction "
    "crowds into the electrode's front, whose particles' surface saturates: no linear ECM "
    "fitted at <= 2C reaches it, nor a lumped electrolyte element (138-253 mV; 35 mV tuned on "
    "this run). The pseudo-2D model meets it (test_electrochemical_within_30_mV; docs/cells.md, "
    "'Sustained high C-rates')"))
def test_3c_within_30_mV(cells, table):
    table["3C"] = compare(cells, "3C")
    assert table["3C"][0] <= 30.0


@pytest.fixture(scope="module")
def echem_table():
    yield from _printed_after(
        "lg-m50 pseudo-2D model (model='electrochemical') vs PyBaMM DFN, isothermal 25 degC")


@pytest.mark.parametrize("case", list(dfn_reference.CASES))
def test_electrochemical_within_30_mV(cells, echem_table, case):
    """Every rate within 30 mV and the end capacity within 2 %: at 3C the run must stop where
    the DFN's does (2.33 Ah), by electrolyte depletion, not run on to the ECM's 4.6 Ah."""
    echem_table[case] = rmse, cap, cap_ref = compare(cells, case, "electrochemical")
    assert rmse <= 30.0
    assert cap == pytest.approx(cap_ref, rel=0.02)
