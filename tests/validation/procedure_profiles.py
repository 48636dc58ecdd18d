"""The cell current the study procedures draw, per cell and in C-rate terms (issue 17 item 5).

From the shipped example ``performance-suv-endurance.toml``, its baseline candidate (NMC811
pouch cells, 220s3p, 800 V, modules, 7 kW chiller):

- ``launch_repeat``: the example's 20 launches 0-200 km/h with braking and 60 s pauses;
- ``track``: its 10 laps of the synthetic GP circuit (chiller search off: same currents);
- ``fast_charge``: the default DC fast charge 10-80 % on the study's charger, from the
  procedure's charge curve (the mean current between 0.5 % SOC points);
- ``wltc``: WLTC class 3b as the WLTP procedure runs it (the kernel's cell-current trace).

The launch and lap loops keep no current trace, so they run once more as Python (numba's
``py_func`` of the same loop, every physics function unchanged) with ``cell_step`` and
``thermal.step`` wrapped to record each step's cell current and length; ``profiles`` checks
that the recorded run reproduces the compiled run's times. Used by
``test_lg_m50_procedure_profiles.py`` and ``dfn_reference.py --profiles``.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np

from packstudy import chain, charging, endurance, kernel, launch, procedures, thermal
from packstudy import study as st
from packstudy import track as trackmod
from packstudy.cycles import load_cycle
from packstudy.performance import default as performance_default
from packstudy.spec import load_study

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "performance-suv-endurance.toml"
CHARGE_CURVE_STEP = 0.005  # displayed SOC between the fast charge's curve points


@contextmanager
def _patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def recorded(module, loop: str, call):
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

    with (_patched(module, loop, getattr(module, loop).py_func),
          _patched(module, "cell_step", cell), _patched(thermal, "step", step)):
        result = call()
    if not currents or len(currents) != len(lengths):
        raise RuntimeError(f"{module.__name__}.{loop}: cell steps not recorded")
    return np.array(currents), np.array(lengths), result


def _profile(currents, lengths, capacity_Ah, soc0):
    """(sample times s, C-rate per step, start SOC)."""
    return np.concatenate([[0.0], np.cumsum(lengths)]), currents / capacity_Ah, float(soc0)


def profiles() -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    """Per procedure: (sample times s (k + 1,), C-rate per step (k,), start cell SOC)."""
    study, base = load_study(EXAMPLE)
    ready = st.prepare(study, base)
    rows = [[c.name for c in study.candidate].index(study.study.baseline)]
    pt = trackmod._take(ready.powertrain, rows)
    th = endurance.thermal_system(study, ready.powertrain, ready.packs.energy_kWh,
                                  ready.packs.integration)[rows]
    car = {k: v[rows] for k, v in launch.vehicle_arrays(ready.powertrain, study.vehicle,
                                                         ready.test_mass_kg).items()}
    cap = float(pt.battery[0, kernel.B_CAPACITY_AH])
    soc0 = float(performance_default("acceleration_soc"))  # launches' and laps' default
    out = {}

    settings = study.study.launch_repeat.model_dump()  # the example gives its table
    i, dt, rec = recorded(launch, "_launches", lambda: launch.launch_repeat(pt, th, car, **settings))
    np.testing.assert_allclose(rec["launch_repeat_times_s"],
                               launch.launch_repeat(pt, th, car, **settings)["launch_repeat_times_s"])
    out["launch_repeat"] = _profile(i, dt, cap, soc0)

    lap = trackmod.load_track(study.study.track.name, study.study.track.file, base)
    laps = dict(laps=study.study.track.laps, ambient_C=study.study.track.ambient_C,
                chiller_search=False)
    i, dt, rec = recorded(trackmod, "_laps", lambda: trackmod.track_laps(pt, th, car, lap, **laps))
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
    if not np.all(np.isfinite(t)):
        raise RuntimeError("the fast charge did not reach its end SOC")
    out["fast_charge"] = _profile(-np.diff(cell_soc) * cap * 3600.0 / np.diff(t), np.diff(t),
                                  cap, cell_soc[0])

    cycle = load_cycle("wltc_class3b")  # as procedures.wltp
    _, trace = procedures.run_cycle(pt, cycle, traces=True)
    out["wltc"] = (np.asarray(cycle.time_s, float), trace[0, kernel.T_CURRENT] / cap,
                   float(0.5 * (pt.soc_min[0] + pt.soc_max[0])))
    return out
