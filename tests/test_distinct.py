"""Rows with identical inputs simulated once (packstudy.distinct): the grouping is exact (bit for
bit), and the procedures give each row what it gets when every row runs."""

import numpy as np
from conftest import synthetic_powertrain

from packstudy import distinct, performance, procedures
from packstudy.calibration import stack
from packstudy.cycles import load_cycle


def test_rows_groups_only_rows_equal_bit_for_bit():
    a = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 2.0], [-0.0, 2.0], [1.0, 2.0 + 1e-15], [np.nan, 1.0]])
    b = np.array([3, 3, 3, 3, 3, 3])
    first, inverse = distinct.rows(a, b)
    assert first.tolist() == [0, 2, 3, 4, 5]  # 0.0 and -0.0 differ in their bits
    assert inverse.tolist() == [0, 0, 1, 2, 3, 4]
    np.testing.assert_array_equal(a[first][inverse], a)
    assert distinct.rows(a, np.arange(6)) is None  # the second column tells every row apart
    assert distinct.rows(a[:1]) is None


def test_a_huge_value_does_not_hide_the_other_columns():
    """A column of 1e30 ("no limit") beside small values: the rows still group by all their
    bits (a weighted sum of the values rounded the small ones away: every row its own set)."""
    a = np.array([[1e30, 1.0], [1e30, 2.0], [1e30, 1.0], [1e30, 2.0], [1e30, 3.0]])
    first, inverse = distinct.rows(a)
    assert first.tolist() == [0, 1, 4]
    assert inverse.tolist() == [0, 1, 0, 1, 2]


def test_repeated_powertrain_rows_get_the_results_of_their_own_runs():
    """Three distinct powertrains repeated (six rows, the repeats at other positions in the
    kernel's blocks): WLTC, acceleration and the DC fast charge give each row exactly what its
    powertrain gives alone."""
    pt = stack([synthetic_powertrain(1, mass_kg=m) for m in (1800.0, 1900.0, 2000.0)])
    pt = procedures.Powertrain(**{**pt.__dict__, "charge_c_rate_max": np.full(pt.r0_ohm.shape, 2.0)})
    order = [2, 0, 1, 0, 2, 2]
    repeated = distinct.take(pt, order)
    assert distinct.powertrain_rows(repeated)[0].size == 3
    wltc = load_cycle("wltc_class3b")
    np.testing.assert_array_equal(procedures.run_cycle(repeated, wltc)[0],
                                  procedures.run_cycle(pt, wltc)[0][order])
    accel = dict(driven_axles="RWD")
    alone = performance.acceleration_run(pt, **accel)[0]
    np.testing.assert_array_equal(performance.acceleration_run(repeated, **accel)[0], alone[order])
    from packstudy.charging import fast_charge

    charger = dict(charger_power_kW=150.0, charger_current_A=400.0, charger_max_voltage_V=920.0,
                   wltp_dc_kWh_per_100km=16.0)
    once, again = fast_charge(pt, **charger), fast_charge(repeated, **charger)
    for key, values in once.items():
        if key != "fast_charge_curve_soc":
            np.testing.assert_array_equal(again[key], values[order], err_msg=key)


def test_rows_that_differ_only_beyond_the_pack_charge_once(monkeypatch):
    """The vehicle's mass does not reach a DC charge: three powertrains with the same pack and
    different masses charge once, and each gets what it gets alone."""
    from packstudy import charging

    pt = stack([synthetic_powertrain(1, mass_kg=m) for m in (1800.0, 1900.0, 2000.0)])
    pt = procedures.Powertrain(**{**pt.__dict__, "charge_c_rate_max": np.full(pt.r0_ohm.shape, 2.0)})
    charger = dict(charger_power_kW=150.0, charger_current_A=400.0, charger_max_voltage_V=920.0,
                   wltp_dc_kWh_per_100km=16.0)
    alone = charging.fast_charge(distinct.take(pt, [0]), **charger)
    charged = []
    kernel = charging._charge
    monkeypatch.setattr(charging, "_charge", lambda bat, *a: (charged.append(len(bat)), kernel(bat, *a)))
    together = charging.fast_charge(pt, **charger)
    assert charged == [1]
    for key in ("fast_charge_10_80_min", "fast_charge_energy_kWh", "fast_charge_max_cell_temp_C"):
        np.testing.assert_array_equal(together[key], np.repeat(alone[key], 3), err_msg=key)


def test_one_row_and_a_batch_share_the_kernels_compiled_code():
    """A one-row run (a study's own candidate) and a sweep's batch pass the kernels arrays of
    one numba type, so the workers reuse what the main process loaded (a read-only broadcast
    view is another type: another compile or cache load in every worker)."""
    from numba import typeof

    from packstudy import charging

    batch = typeof(np.array([25.0, 30.0, 35.0])[[0, 2]])  # rows taken by distinct.take: a copy
    for column in (charging._column, lambda v, n, name: performance._column(v, n, name=name)):
        for value, n in ((25.0, 1), (np.array([25.0]), 1), (np.array([25.0, 30.0, 35.0]), 3)):
            assert typeof(column(value, n, "x")) == batch
