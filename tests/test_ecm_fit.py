"""ECM fitting recovers the parameters of a known cell from its own pulse test."""

import numpy as np
import pytest

from packstudy import ecm_fit
from packstudy.cell import cell_arrays, load_cell
from packstudy.cellsim import simulate
from packstudy.ecm import SOC_GRID
from packstudy.ecm_fit import (
    FitDataError,
    dump_toml,
    fit_ecm,
    fitted_preset,
    read_test_csv,
    score_fit,
)


def _pulse_test(cell_arrays_, pulses=False):
    """0.5C for 360 s then 30 min rest, 19 times (the Chen2020 protocol; with ``pulses``
    each block adds 2C discharge and 1.5C charge 10 s pulses, each followed by 40 s rest)."""
    cap = cell_arrays_.capacity_Ah[0]
    block = np.concatenate([np.full(360, 0.5 * cap), np.zeros(1800)])
    if pulses:
        block = np.concatenate([block, np.full(10, 2.0 * cap), np.zeros(40),
                                np.full(10, -1.5 * cap), np.zeros(40)])
    current = np.tile(block, 19)
    t = np.arange(current.size + 1.0)
    run = simulate(cell_arrays_, t, current, keep_trace=True, h_W_per_m2K=1e9,
                   enforce_limits=not pulses)
    return ecm_fit.TestData(t, np.append(current, 0.0), run.trace_voltage_V[0], "synthetic.csv")


@pytest.fixture(scope="module")
def truth():
    return load_cell("nmc811-pouch")


def test_fit_recovers_known_cell(truth):
    arr = cell_arrays([truth])
    data = _pulse_test(arr)
    fit = fit_ecm(data, truth.v_min_V, truth.v_max_V, ocv_soc=truth.ocv_soc,
                  ocv_V=truth.ocv_V)
    assert fit.capacity_Ah == pytest.approx(truth.capacity_Ah, rel=0.01)
    # R0 + R1 at mid SOC (what a CC discharge sees) within 5 % of the truth
    mid = slice(6, 14)
    true_r = np.interp(fit.band_soc[mid], SOC_GRID, arr.r0_ohm[0, :, 4] + arr.r1_ohm[0, :, 4])
    np.testing.assert_allclose(fit.r0_ohm[mid] + fit.r1_ohm[mid], true_r, rtol=0.05)
    preset = fitted_preset(fit, "refit", {k: v for k, v in _table(truth).items()}, "synthetic.csv")
    rmse, _ = score_fit(preset, data)
    assert rmse < 0.005


def test_fit_with_pulses_resolves_r0(truth):
    arr = cell_arrays([truth])
    data = _pulse_test(arr, pulses=True)
    fit = fit_ecm(data, truth.v_min_V, truth.v_max_V, ocv_soc=truth.ocv_soc,
                  ocv_V=truth.ocv_V)
    mid = slice(4, 16)
    true_r0 = np.interp(fit.band_soc[mid], SOC_GRID, arr.r0_ohm[0, :, 4])
    np.testing.assert_allclose(fit.r0_ohm[mid], true_r0, rtol=0.05)


def test_extra_record_joins_the_resistance_fit(truth):
    """Given a 1C discharge of a cell with 1.3 x the resistance as ``extra``, the fit
    compromises between the two inconsistent records (pulse test 1.8 -> 12 mV, discharge
    76 -> 16 mV): both count, the worst error drops to under a third; capacity and OCV stay
    the pulse test's."""
    arr = cell_arrays([truth])
    pulse = _pulse_test(arr)
    worse = cell_arrays([truth])
    for table in (worse.r0_ohm, worse.r1_ohm):
        table *= 1.3
    cap = truth.capacity_Ah
    steps = int(3600 * 1.1)
    run = simulate(worse, np.arange(steps + 1.0), np.full(steps, cap), keep_trace=True,
                   h_W_per_m2K=1e9)
    ok = ~np.isnan(run.trace_voltage_V[0])
    cc = ecm_fit.TestData(np.arange(steps + 1.0)[ok], np.full(ok.sum(), cap),
                          run.trace_voltage_V[0][ok])
    kw = dict(ocv_soc=truth.ocv_soc, ocv_V=truth.ocv_V)
    alone = fit_ecm(pulse, truth.v_min_V, truth.v_max_V, **kw)
    both = fit_ecm(pulse, truth.v_min_V, truth.v_max_V, extra=(cc,), **kw)
    assert both.capacity_Ah == alone.capacity_Ah
    scores = {}
    for tag, fit in (("alone", alone), ("both", both)):
        preset = fitted_preset(fit, tag, _table(truth), "synthetic.csv")
        scores[tag] = [score_fit(preset, d)[0] for d in (pulse, cc)]
    assert max(scores["both"]) < max(scores["alone"]) / 3.0
    assert scores["both"][0] > scores["alone"][0]  # the pulse test gave up some weight


def test_pulses_weigh_as_much_as_long_steps():
    t = np.arange(0.0, 500.0)
    current = np.zeros(t.size)
    current[10:310] = 1.0  # a 300 s step
    current[400:410] = 4.0  # a 10 s pulse
    pulse = ecm_fit._pulse_samples(t, current, 30.0)
    assert pulse.sum() == 10 and pulse[400:410].all()
    w = ecm_fit._band_weights(np.abs(current) > 0, pulse)
    assert w[400:410].sum() == pytest.approx(0.25)
    assert w[10:310].sum() == pytest.approx(0.25)
    assert w[current == 0].sum() == pytest.approx(0.5)
    assert np.allclose(ecm_fit._band_weights(np.ones(5, bool), np.zeros(5, bool)), 0.2)


def _table(cell):
    import tomllib

    from packstudy import catalog

    return tomllib.loads(catalog.preset_path("cells", cell.name).read_text())


def test_fit_without_ocv_curve_needs_capacity(truth):
    arr = cell_arrays([truth])
    data = _pulse_test(arr)
    with pytest.raises(FitDataError, match="capacity"):
        fit_ecm(data, truth.v_min_V, truth.v_max_V)
    fit = fit_ecm(data, truth.v_min_V, truth.v_max_V, capacity_Ah=truth.capacity_Ah)
    assert np.all(np.diff(fit.ocv_V) > 0)
    # relaxed voltages lie on the true OCV to a few mV
    on_curve = np.interp(fit.ocv_soc, truth.ocv_soc, truth.ocv_V)
    inner = (fit.ocv_soc > 0.06) & (fit.ocv_soc < 0.99)
    assert np.max(np.abs(fit.ocv_V[inner] - on_curve[inner])) < 0.01


def test_written_preset_round_trips(tmp_path, truth):
    data = _pulse_test(cell_arrays([truth]))
    fit = fit_ecm(data, truth.v_min_V, truth.v_max_V, ocv_soc=truth.ocv_soc, ocv_V=truth.ocv_V)
    preset = fitted_preset(fit, "refit", _table(truth), "synthetic.csv")
    path = tmp_path / "refit.toml"
    path.write_text(dump_toml(preset))
    cell = load_cell(path)
    assert cell.name == "refit"
    assert cell.capacity_Ah == pytest.approx(fit.capacity_Ah, rel=1e-3)


def test_bad_csv_names_file_and_column(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("time_s,current_A,voltage_V\n0,1,3.7\n0,1,3.6\n")
    with pytest.raises(FitDataError, match=r"d\.csv: column time_s"):
        read_test_csv(p)
    p.write_text("time_s,current,voltage_V\n0,1,3.7\n")
    with pytest.raises(FitDataError, match="missing column"):
        read_test_csv(p)
