"""lg-m50's equivalent circuit against its pseudo-2D model on the study procedures' own duty
(issue 17 item 5).

The constant-current comparisons (``test_lg_m50_dfn_rates.py``) say how the equivalent
circuit (ECM, what the vehicle kernel, the charge, launch and lap procedures run) does at
1.5C, 2C and 3C continuous; this module asks how wrong it is on the current the procedures
actually draw. The profiles come from the shipped example ``performance-suv-endurance.toml``,
its baseline candidate (NMC811 pouch cells, 220s3p, 800 V, modules, 7 kW chiller), per cell
and in C-rate terms:

- ``launch_repeat``: the example's 20 launches 0-200 km/h with braking and 60 s pauses;
- ``track``: its 10 laps of the synthetic GP circuit (chiller search off: same currents);
- ``fast_charge``: the default DC fast charge 10-80 % (the study's charger), from the
  procedure's charge curve (the mean current between 0.5 % SOC points);
- ``wltc``: WLTC class 3b, the WLTP procedure's run (the kernel's cell-current trace).

The launch and lap loops keep no current trace, so they are run once more as Python (numba's
``py_func`` of the same loop, every physics function unchanged) with ``cell_step`` and
``thermal.step`` wrapped to record each step's cell current and length; the recorded run must
reproduce the compiled run's times. Each profile, as C-rate x lg-m50's capacity, from the
procedure's start SOC, then runs through the ECM and the pseudo-2D model (``electrochem``,
Chen et al. 2020's parameters, nothing fitted; 11.7 mV from PyBaMM's DFN at 3C CC),
isothermal at 25 degC, through the voltage limits. Reported: time-weighted voltage RMSE, the
largest error, the terminal-energy and irreversible-heat differences at equal current.

Tolerances (the ECM's constant-current errors as the basis): WLTC <= 15 mV (its C/2 and 1C
figures, 12.5 and 9.8 mV, + 2 mV); launches <= 30 mV (issue 17's goal; 10 s pulses are what
the pulse-test fit sees); the track and the fast charge, whose RMS rate stays below 2C (checked),
no worse than the 2C discharge (43.3 mV + 2 mV), with issue 17's 30 mV a strict xfail where
missed. Terminal energy within 1 % and, on the three high-rate profiles, heat within 10 %
(the track's 6 % moves its peak cell temperature by 0.8 K; docs/cells.md). Needs only the
package and the example: about 10 s.
"""

from pathlib import Path

import numpy as np
import pytest

from packstudy import chain, charging, endurance, kernel, launch, procedures, thermal
from packstudy import study as st
from packstudy import track as trackmod
from packstudy.cell import cell_arrays, load_cell
from packstudy.cellsim import simulate
from packstudy.cycles import load_cycle
from packstudy.performance import default as performance_default
from packstudy.spec import load_study

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "performance-suv-endurance.toml"
CHARGE_CURVE_STEP = 0.005  # displayed SOC between the fast charge's curve points
CC_2C_MV = 43.3  # the ECM's 2C constant-current RMSE against the DFN (test_lg_m50_dfn_rates)
MARGIN_MV = 2.0
RMSE_MV = {"wltc": 15.0, "launch_repeat": 30.0, "track": CC_2C_MV + MARGIN_MV,
           "fast_charge": CC_2C_MV + MARGIN_MV}
SUSTAINED = ("track", "fast_charge")  # RMS rate checked below 2C: the 2C bound applies
HIGH_RATE = ("launch_repeat", "track", "fast_charge")
ENERGY_FRACTION = 0.01
HEAT_FRACTION = 0.10


def _recorded(module, loop: str, call):
    """Run ``call()`` with ``module.<loop>`` (a numba step loop) as Python and record every
    cell step: (per-cell currents A, step lengths s, ``call``'s result). Each ``cell_step``
    of the loops is followed by one ``thermal.step``, whose last argument is the step's length."""
    currents, lengths = [], []
    cell_step, thermal_step = module.cell_step, thermal.step

    def cell(*args):
        out = cell_step(*args)
        currents.append(out[0])
        return out

    def step(*args):
        lengths.append(args[-1])
        return thermal_step(*args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(module, loop, getattr(module, loop).py_func)
        mp.setattr(module, "cell_step", cell)
        mp.setattr(thermal, "step", step)
        result = call()
    assert currents and len(currents) == len(lengths)
    return np.array(currents), np.array(lengths), result


def _profile(currents, lengths, capacity_Ah, soc0):
    """(sample times s, C-rate per step, start SOC)."""
    return np.concatenate([[0.0], np.cumsum(lengths)]), currents / capacity_Ah, float(soc0)


@pytest.fixture(scope="module")
def profiles():
    """The baseline candidate's per-cell current on each procedure, in C-rate terms."""
    study, base = load_study(EXAMPLE)
    ready = st.prepare(study, base)
    names = [c.name for c in study.candidate]
    rows = [names.index(study.study.baseline)]
    pt = trackmod._take(ready.powertrain, rows)
    th = endurance.thermal_system(study, ready.powertrain, ready.packs.energy_kWh,
                                  ready.packs.integration)[rows]
    car = {k: v[rows] for k, v in launch.vehicle_arrays(ready.powertrain, study.vehicle,
                                                         ready.test_mass_kg).items()}
    cap = float(pt.battery[0, kernel.B_CAPACITY_AH])
    soc0 = float(performance_default("acceleration_soc"))  # launches' and laps' default
    out = {}

    settings = study.study.launch_repeat.model_dump()  # the example gives its table
    i, dt, rec = _recorded(launch, "_launches", lambda: launch.launch_repeat(pt, th, car, **settings))
    np.testing.assert_allclose(rec["launch_repeat_times_s"],
                               launch.launch_repeat(pt, th, car, **settings)["launch_repeat_times_s"])
    out["launch_repeat"] = _profile(i, dt, cap, soc0)

    lap = trackmod.load_track(study.study.track.name, study.study.track.file, base)
    laps = dict(laps=study.study.track.laps, ambient_C=study.study.track.ambient_C,
                chiller_search=False)
    i, dt, rec = _recorded(trackmod, "_laps", lambda: trackmod.track_laps(pt, th, car, lap, **laps))
    np.testing.assert_allclose(rec["track_lap_times_s"],
                               trackmod.track_laps(pt, th, car, lap, **laps)["track_lap_times_s"])
    out["track"] = _profile(i, dt, cap, soc0)

    chargers = st.candidate_chargers(study)
    dc = {k: None if v is None else [v[r] for r in rows] if isinstance(v, list) else v[rows]
          for k, v in chain.vehicle_dc_limits(study).items()}  # as chain._fast_charge, one row
    fc = study.study.fast_charge
    lo = charging.default("soc_start") if fc.soc_start is None else fc.soc_start
    charge = charging.fast_charge(
        pt, charger_power_kW=chargers["power_kW"][rows], charger_current_A=chargers["current_A"][rows],
        charger_max_voltage_V=chargers["max_voltage_V"][rows],
        vehicle_max_kW=study.vehicle.max_dc_charge_kW, soc_start=fc.soc_start, soc_end=fc.soc_end,
        temperature_C=fc.temperature_C, coolant_C=fc.coolant_C, curve_step=CHARGE_CURVE_STEP,
        wltp_dc_kWh_per_100km=20.0, **dc)  # (the consumption only converts km in 10 min)
    span = float(pt.soc_max[0] - pt.soc_min[0])
    cell_soc = pt.soc_min[0] + span * np.concatenate([[lo], charge["fast_charge_curve_soc"]])
    t = 60.0 * np.concatenate([[0.0], charge["fast_charge_curve_min"][0]])
    assert np.all(np.isfinite(t)), "the fast charge did not reach its end SOC"
    out["fast_charge"] = _profile(-np.diff(cell_soc) * cap * 3600.0 / np.diff(t), np.diff(t),
                                  cap, cell_soc[0])

    cycle = load_cycle("wltc_class3b")  # as procedures.wltp
    _, trace = procedures.run_cycle(pt, cycle, traces=True)
    out["wltc"] = (np.asarray(cycle.time_s, float), trace[0, kernel.T_CURRENT] / cap,
                   float(0.5 * (pt.soc_min[0] + pt.soc_max[0])))
    return out


@pytest.fixture(scope="module")
def figures(profiles):
    """Per profile: the ECM's errors against the pseudo-2D model, isothermal 25 degC."""
    cells = cell_arrays([load_cell("lg-m50")])
    rows = {}
    for name, (t, c_rate, soc0) in profiles.items():
        runs = [simulate(cells, t, c_rate * cells.capacity_Ah[0], soc_start=soc0,
                         keep_trace=True, isothermal=True, enforce_limits=False, model=model)
                for model in ("ecm", "electrochemical")]
        ecm, p2d = runs
        err = ecm.trace_voltage_V[0] - p2d.trace_voltage_V[0]
        weight = np.append(np.diff(t), 0.0)  # each sample's voltage holds over its step
        assert np.all(np.isfinite(err))
        heat = [r.ohmic_loss_J[0] + r.rc_loss_J[0] for r in runs]
        dt = np.diff(t)
        rows[name] = dict(
            rms_c=float(np.sqrt(np.sum(c_rate**2 * dt) / np.sum(dt))),
            peak_c=float(c_rate[np.argmax(np.abs(c_rate))]),
            rmse_mV=1e3 * float(np.sqrt(np.sum(err**2 * weight) / np.sum(weight))),
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
