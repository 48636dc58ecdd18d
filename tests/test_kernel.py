import numpy as np
import pytest
from conftest import synthetic_powertrain

from packstudy import kernel, pack, procedures
from packstudy.cycles import load_cycle


@pytest.mark.parametrize("cycle", ["udds", "hwfet", "us06", "wltc_class3b"])
def test_energy_balance_closes(cycle):
    pt = synthetic_powertrain()
    acc, _ = procedures.run_cycle(pt, load_cycle(cycle))
    a = acc[0]
    outflow = (a[kernel.A_WHEEL_POS] - a[kernel.A_WHEEL_NEG] + a[kernel.A_FRICTION]
               + a[kernel.A_GEAR_LOSS] + a[kernel.A_MOTOR_LOSS] + a[kernel.A_INV_LOSS]
               + a[kernel.A_AUX])
    assert a[kernel.A_TERMINAL] == pytest.approx(outflow, rel=1e-9)
    # energy from the cells, from the OCV integral over the SOC swing (independent of the
    # kernel's bookkeeping) = terminal energy + R0 and RC losses, within 0.1 %
    soc0 = 0.5 * (pt.soc_min[0] + pt.soc_max[0])
    cells = pt.battery[0, kernel.B_SERIES] * pt.battery[0, kernel.B_PARALLEL]
    ocv_Wh = pack.ocv_energy_Wh_per_Ah(pt.ocv_V[:1], a[kernel.A_SOC_END], soc0)[0]
    from_cells_J = ocv_Wh * pt.battery[0, kernel.B_CAPACITY_AH] * cells * 3600.0
    losses = a[kernel.A_TERMINAL] + a[kernel.A_OHMIC] + a[kernel.A_RC]
    assert from_cells_J == pytest.approx(losses, rel=1e-3)
    # every loss is a loss
    for col in (kernel.A_FRICTION, kernel.A_GEAR_LOSS, kernel.A_MOTOR_LOSS, kernel.A_INV_LOSS,
                kernel.A_OHMIC):
        assert a[col] >= 0.0
    # regeneration returns less than the braking energy at the wheels
    assert a[kernel.A_REGEN] < a[kernel.A_WHEEL_NEG]


def test_distance_and_soc_follow_the_cycle():
    pt = synthetic_powertrain(n=1)
    cycle = load_cycle("wltc_class3b")
    acc, trace = procedures.run_cycle(pt, cycle, traces=True)
    assert acc[0, kernel.A_DIST] == pytest.approx(cycle.distance_m, rel=1e-9)
    charge_Ah = np.sum(trace[0, kernel.T_CURRENT]) / 3600.0 * pt.battery[0, kernel.B_PARALLEL]
    soc0 = 0.5 * (pt.soc_min[0] + pt.soc_max[0])
    capacity = pt.battery[0, kernel.B_CAPACITY_AH] * pt.battery[0, kernel.B_PARALLEL]
    assert acc[0, kernel.A_SOC_END] == pytest.approx(soc0 - charge_Ah / capacity, abs=1e-12)


def test_batched_rows_equal_single_runs():
    """A variant gives the same numbers alone or in a batch (no cross-talk)."""
    pt = synthetic_powertrain(n=4)
    pt.vehicle[1, 0] *= 1.3  # heavier second variant
    pt.vehicle[1, 1] *= 1.3
    both, _ = procedures.run_cycle(pt, load_cycle("udds"))
    alone = synthetic_powertrain(n=1)
    single, _ = procedures.run_cycle(alone, load_cycle("udds"))
    np.testing.assert_allclose(both[0], single[0], rtol=1e-12)
    assert both[1, kernel.A_TERMINAL] > both[0, kernel.A_TERMINAL]


def test_weak_motor_reports_shortfall_not_crash():
    pt = synthetic_powertrain(n=1, motor_kW=20.0)
    acc, _ = procedures.run_cycle(pt, load_cycle("us06"))
    assert acc[0, kernel.A_SHORTFALL] > 0.0
    assert acc[0, kernel.A_SHORTFALL_TIME] > 10.0
    assert np.isfinite(acc[0]).all()


def test_weak_battery_respects_voltage_and_current_limits():
    pt = synthetic_powertrain(n=1, capacity_Ah=5.0, parallel=1, r0_ohm=0.02)
    acc, trace = procedures.run_cycle(pt, load_cycle("us06"), traces=True)
    v_min = pt.battery[0, kernel.B_V_MIN]
    assert acc[0, kernel.A_V_CELL_MIN] >= v_min - 1e-6
    assert acc[0, kernel.A_I_CELL_MAX] <= pt.battery[0, kernel.B_I_DISCHARGE] + 1e-6
    assert acc[0, kernel.A_I_CELL_MIN] >= -pt.battery[0, kernel.B_I_CHARGE] - 1e-6
    assert acc[0, kernel.A_SHORTFALL] > 0.0
    assert trace[0, kernel.T_VOLTAGE].min() >= v_min * pt.battery[0, kernel.B_SERIES] - 1e-6


def test_sic_never_loses_to_si_on_any_cycle():
    for name in ("udds", "hwfet", "us06", "wltc_class3b"):
        si, _ = procedures.run_cycle(synthetic_powertrain(n=1, inverter_kind="si"), load_cycle(name))
        sic, _ = procedures.run_cycle(synthetic_powertrain(n=1, inverter_kind="sic"),
                                      load_cycle(name))
        assert sic[0, kernel.A_INV_LOSS] < si[0, kernel.A_INV_LOSS]
        assert sic[0, kernel.A_TERMINAL] < si[0, kernel.A_TERMINAL]


@pytest.mark.parametrize("cycle", ["us06", "wltc_class3b"])
def test_holding_cell_parameters_for_10_s_changes_energy_by_under_0_1_pct(cycle):
    pt = synthetic_powertrain(n=1)
    # SOC- and temperature-dependent resistance so that the refresh matters
    pt.r0_ohm[:] *= (1.0 + 2.0 * (1.0 - np.linspace(0, 1, pt.r0_ohm.shape[1])))[None, :, None]
    every, _ = procedures.run_cycle(pt, load_cycle(cycle), refresh_steps=1)
    held, _ = procedures.run_cycle(pt, load_cycle(cycle), refresh_steps=10)
    assert held[0, kernel.A_TERMINAL] == pytest.approx(every[0, kernel.A_TERMINAL], rel=1e-3)
    assert held[0, kernel.A_OHMIC] == pytest.approx(every[0, kernel.A_OHMIC], rel=1e-2)


def test_rows_across_blocks_and_battery_limits_equal_single_runs():
    """Variants run in blocks: a batch with a partial last block, and some variants limited
    by their battery, gives each row exactly as when run alone."""
    n = 150
    pt = synthetic_powertrain(n=n)
    weak = np.arange(n) % 3 == 0
    pt.battery[weak, kernel.B_PARALLEL] = 1  # one string of 60 Ah cells: limited on US06
    pt.vehicle[:, 0] *= np.linspace(0.9, 1.1, n)
    pt.vehicle[:, 1] *= np.linspace(0.9, 1.1, n)
    cycle = load_cycle("us06")
    batch, _ = procedures.run_cycle(pt, cycle)
    assert (batch[:, kernel.A_SHORTFALL] > 0).sum() >= 10
    for i in (0, 1, 63, 64, 65, 127, 128, 149):
        alone = procedures.Powertrain(**{
            k: (v[i:i + 1] if isinstance(v, np.ndarray) else v) for k, v in vars(pt).items()})
        single, _ = procedures.run_cycle(alone, cycle)
        np.testing.assert_array_equal(batch[i], single[0])


def test_trace_missed_counts_runs_below_the_speed_band():
    """A healthy car follows every shipped cycle; a 1 kW motor misses a large share of the WLTC; a
    pack whose usable window is spent mid-cycle misses the rest of it."""
    band = (procedures.factor("speed_band_mps"), procedures.factor("speed_band_window_s"),
            procedures.factor("speed_excursion_s"))
    assert band[0] == pytest.approx(2 * 0.44704)
    for name in ("udds", "hwfet", "wltc_class3b"):
        acc, _ = procedures.run_cycle(synthetic_powertrain(n=1), load_cycle(name))
        assert acc[0, kernel.A_MISSED_TIME] == 0.0
    weak, _ = procedures.run_cycle(synthetic_powertrain(n=1, motor_kW=1.0), load_cycle("wltc_class3b"))
    assert weak[0, kernel.A_MISSED_TIME] > 0.3 * weak[0, kernel.A_TIME]
    small = synthetic_powertrain(n=1, capacity_Ah=2.0, parallel=1)
    small.battery[:, kernel.B_SOC_MIN] = small.soc_min
    drained, _ = procedures.run_cycle(small, load_cycle("wltc_class3b"))
    assert drained[0, kernel.A_SOC_LOW] < small.soc_min[0]
    assert drained[0, kernel.A_MISSED_TIME] > 100.0
