"""Batched cell simulation: energy conservation, limits, thermal balance, batching."""

import numpy as np
import pytest

from packstudy.cell import cell_arrays, load_cell
from packstudy.cellsim import STOP_V_MAX, STOP_V_MIN, constant_current, simulate


@pytest.fixture(scope="module")
def cells():
    return cell_arrays([load_cell(n) for n in ("lg-m50", "lfp-prismatic", "nmc811-pouch")])


def _chemical_J(cells, soc_start, soc_end):
    """Capacity x integral of OCV over SOC, on a fine grid of the (piecewise-linear) OCV."""
    from packstudy.ecm import SOC_GRID

    out = []
    for v in range(soc_end.size):
        s = np.linspace(soc_end[v], soc_start[v], 20001)
        ocv = np.interp(s, SOC_GRID, cells.ocv_V[v])
        out.append(cells.capacity_Ah[v] * 3600 * np.trapezoid(ocv, s))
    return np.array(out)


def test_energy_is_conserved_on_a_dynamic_profile(cells):
    rng = np.random.default_rng(1)
    steps = 3000
    c_rate = np.clip(rng.normal(0.6, 1.0, steps), -1.0, 2.0)
    run = simulate(cells, np.arange(steps + 1.0), c_rate, scale=cells.capacity_Ah,
                   soc_start=0.9, h_W_per_m2K=1e9)  # isothermal: OCV at 25 degC
    chem = _chemical_J(cells, np.full(3, 0.9), run.soc)
    balance = run.terminal_J + run.ohmic_loss_J + run.rc_loss_J
    np.testing.assert_allclose(balance, chem, rtol=1e-3)
    np.testing.assert_allclose(run.chemical_J, chem, rtol=1e-3)
    assert np.all(run.ohmic_loss_J > 0)


def test_cc_discharge_stops_on_vmin_and_respects_limits(cells):
    run = constant_current(cells, 1.0, keep_trace=True)
    assert np.all(run.stop_reason == STOP_V_MIN)
    v = run.trace_voltage_V
    assert np.nanmin(v - cells.v_min_V[:, None]) >= -1e-5
    assert np.nanmax(v - cells.v_max_V[:, None]) <= 1e-5
    soc = run.trace_soc
    assert np.nanmin(soc) >= 0.0 and np.nanmax(soc) <= 1.0
    # 1C delivers most of the capacity, less than all of it
    frac = run.discharge_capacity_Ah / cells.capacity_Ah
    assert np.all((frac > 0.9) & (frac < 1.0))


def test_charge_stops_at_vmax_and_current_is_clipped(cells):
    steps = 4000
    run = simulate(cells, np.arange(steps + 1.0), np.full(steps, -50.0), scale=cells.capacity_Ah,
                   soc_start=0.2, keep_trace=True)
    assert np.all(run.stop_reason == STOP_V_MAX)
    assert np.all(run.current_limited)
    assert np.nanmin(run.trace_current_A + cells.i_peak_charge_A[:, None]) >= -1e-9
    # the last step is shortened to land on the limit (linear in time: within 10 uV)
    assert np.nanmax(run.trace_voltage_V - cells.v_max_V[:, None]) <= 1e-5


def test_heat_balance_and_temperature_rise(cells):
    run = constant_current(cells, 1.0, temperature_C=25.0)
    heat_cap = cells.mass_kg * cells.specific_heat_J_per_kgK
    stored = heat_cap * (run.temperature_C - 25.0)
    # generated = stored + to the coolant (reversible heat is zero without dOCV/dT)
    np.testing.assert_allclose(run.ohmic_loss_J + run.rc_loss_J,
                               stored + run.heat_to_coolant_J, rtol=1e-6)
    assert np.all(run.temperature_C > 25.0)


def test_one_variant_equals_the_batch(cells):
    t = np.arange(601.0)
    i = np.where(np.arange(600) < 300, 2.0, -1.0)
    batch = simulate(cells, t, i, scale=cells.capacity_Ah, soc_start=0.5)
    from packstudy.cell import cell_arrays as ca

    one = simulate(ca([load_cell("lfp-prismatic")]), t, i,
                   scale=cells.capacity_Ah[1:2], soc_start=0.5)
    assert one.soc[0] == pytest.approx(batch.soc[1], abs=1e-12)
    assert one.terminal_J[0] == pytest.approx(batch.terminal_J[1], rel=1e-12)
