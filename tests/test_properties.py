"""Invariants over random valid studies (hypothesis): range rises with usable energy at a fixed
mass, consumption rises with mass and drag, a stronger charger never charges slower, every
number is finite or null with a note, the EPA label is the unadjusted value / 0.7, the
kernel's energy balance closes, and a DC charge holds the cells' voltage limit and closes its
energy balance."""

import math
import os

import numpy as np
import pytest
from conftest import synthetic_powertrain
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from packstudy import kernel, procedures, validity
from packstudy.cycles import load_cycle
from packstudy.runner import run_study
from packstudy.spec import StudyError

EXAMPLES = int(os.environ.get("PACKSTUDY_PROPERTY_EXAMPLES", "25"))
bounded = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])

vehicles = st.fixed_dictionaries({
    "name": st.just("random car"),
    "test_mass_kg": st.floats(1100.0, 3200.0),
    "motor_peak_kW": st.floats(60.0, 500.0),
    "road_load": st.fixed_dictionaries({"f0_N": st.floats(60.0, 300.0),
                                        "f1_N_per_mps": st.floats(0.0, 6.0),
                                        "f2_N_per_mps2": st.floats(0.25, 0.8)}),
    "aux_W": st.floats(0.0, 1500.0),
})
candidates = st.fixed_dictionaries({
    "cell": st.sampled_from(["nmc811-pouch", "lfp-prismatic", "nca-21700", "nmc9-pouch"]),
    "inverter": st.sampled_from(["si", "sic"]),
    "pack": st.fixed_dictionaries({"usable_energy_kWh": st.floats(30.0, 140.0),
                                   "nominal_voltage_V": st.sampled_from([400.0, 800.0])}),
})


def run_valid(spec: dict):
    """``run_study``, with the designs the study refuses as implausible (a pack heavier than
    the whole vehicle, issue 12) set aside as not a valid study."""
    try:
        return run_study(spec)
    except StudyError as exc:
        assume("more than the whole vehicle as tested" not in str(exc))
        raise


def study(vehicle: dict, *cands: dict, procedures=("wltp", "epa")) -> dict:
    return {"study": {"name": "property", "procedures": list(procedures)}, "vehicle": vehicle,
            "candidate": [{**c, "name": f"c{i}"} for i, c in enumerate(cands)]}


@bounded
@given(vehicles, candidates, st.floats(1.1, 2.0))
def test_range_rises_with_usable_energy_at_a_fixed_mass(vehicle, cand, more):
    bigger = {**cand, "pack": {**cand["pack"],
                               "usable_energy_kWh": min(cand["pack"]["usable_energy_kWh"] * more, 300.0)}}
    r = run_valid(study(vehicle, cand, bigger))
    usable, rng = r.metrics["pack_usable_energy_kWh"], r.metrics["wltp_range_km"]
    assert np.all(r.metrics["vehicle_test_mass_kg"] == vehicle["test_mass_kg"])
    if usable[1] > usable[0] and np.isfinite(rng).all():
        assert rng[1] > rng[0]
        assert r.metrics["epa_range_km"][1] > r.metrics["epa_range_km"][0]


@bounded
@given(vehicles, candidates, st.floats(1.05, 1.5), st.sampled_from(["test_mass_kg", "f2_N_per_mps2"]))
def test_consumption_rises_with_mass_and_drag(vehicle, cand, more, key):
    heavier = dict(vehicle, road_load=dict(vehicle["road_load"]))
    if key == "test_mass_kg":
        heavier[key] = vehicle[key] * more
    else:
        heavier["road_load"][key] = vehicle["road_load"][key] * more
    a, b = run_valid(study(vehicle, cand)), run_valid(study(heavier, cand))
    for metric in ("wltp_kWh_per_100km", "epa_city_unadjusted_kWh_per_100km",
                   "epa_highway_unadjusted_kWh_per_100km"):
        if np.isfinite(a.metrics[metric][0]) and np.isfinite(b.metrics[metric][0]):
            assert b.metrics[metric][0] > a.metrics[metric][0], metric


@bounded
@given(vehicles, candidates, st.floats(50.0, 400.0), st.floats(200.0, 600.0), st.floats(1.0, 2.0),
       st.floats(1.0, 2.0))
def test_a_stronger_charger_never_charges_slower(vehicle, cand, power_kW, current_A, more_power,
                                                  more_current):
    """More charger power and current (same voltage) never lengthens the 10-80 % charge and
    never lowers its peak power: the charge follows the lowest of the limits."""
    chargers = [{"power_kW": power_kW, "current_A": current_A, "max_voltage_V": 1000.0},
                {"power_kW": power_kW * more_power, "current_A": current_A * more_current,
                 "max_voltage_V": 1000.0}]
    r = run_valid(study(vehicle, *({**cand, "charger": c} for c in chargers),
                        procedures=("wltp", "fast_charge")))
    minutes, peak = r.metrics["fast_charge_10_80_min"], r.metrics["fast_charge_peak_kW"]
    if np.isfinite(minutes[0]):
        assert minutes[1] <= minutes[0] + 1e-9
    assert peak[1] >= peak[0] - 1e-9


@bounded
@given(vehicles, candidates, candidates)
def test_every_number_is_finite_or_null_with_a_note_and_the_label_is_unadjusted_over_0_7(
        vehicle, first, second):
    r = run_valid(study(vehicle, first, second,
                        procedures=("wltp", "epa", "acceleration", "fast_charge", "cold")))
    for key, values in r.metrics.items():
        if key.startswith(validity.SILENT):  # inputs echoed, null where not given
            continue
        values = np.asarray(values, float)
        for i in np.flatnonzero(~np.isfinite(values)):
            assert key in " ".join(r.row_notes.get(int(i), [])), f"{key} null without a note"
    for key in r.metrics:
        if key.endswith("kWh_per_100km") or key.endswith("_range_km"):
            finite = r.metrics[key][np.isfinite(r.metrics[key])]
            assert np.all(finite > 0), key
    for cycle in ("city", "highway"):
        label = r.metrics[f"epa_{cycle}_kWh_per_100km"]
        unadjusted = r.metrics[f"epa_{cycle}_unadjusted_kWh_per_100km"]
        np.testing.assert_allclose(label, unadjusted / 0.7, rtol=1e-12)


@bounded
@given(st.floats(20.0, 400.0), st.floats(900.0, 3000.0), st.floats(10.0, 100.0),
       st.integers(1, 5), st.sampled_from(["si", "sic"]),
       st.sampled_from(["udds", "hwfet", "us06", "wltc_class3b"]))
def test_energy_balance_closes(motor_kW, mass_kg, capacity_Ah, parallel, inverter_kind, cycle):
    pt = synthetic_powertrain(n=1, motor_kW=motor_kW, mass_kg=mass_kg, capacity_Ah=capacity_Ah,
                              parallel=parallel, inverter_kind=inverter_kind)
    a = procedures.run_cycle(pt, load_cycle(cycle))[0][0]
    outflow = (a[kernel.A_WHEEL_POS] - a[kernel.A_WHEEL_NEG] + a[kernel.A_FRICTION]
               + a[kernel.A_GEAR_LOSS] + a[kernel.A_MOTOR_LOSS] + a[kernel.A_INV_LOSS]
               + a[kernel.A_AUX])
    assert a[kernel.A_TERMINAL] == pytest.approx(outflow, rel=1e-9, abs=1e-6)
    assert a[kernel.A_CHEMICAL] == pytest.approx(
        a[kernel.A_TERMINAL] + a[kernel.A_OHMIC] + a[kernel.A_RC], rel=1e-12)
    assert all(math.isfinite(x) for x in a)


@bounded
@given(cell=st.sampled_from(["nmc811-pouch", "lfp-prismatic", "nca-21700", "nmc9-pouch"]),
       series=st.integers(90, 200), parallel=st.integers(1, 4),
       power_kW=st.floats(20.0, 400.0), current_A=st.floats(50.0, 600.0),
       temperature_C=st.floats(-10.0, 40.0), soc_end=st.floats(0.5, 1.0),
       dt_s=st.sampled_from([5.0, 15.0, 30.0]))
def test_a_charge_holds_the_voltage_limit_and_its_energy_balance(
        cell, series, parallel, power_kW, current_A, temperature_C, soc_end, dt_s):
    """Whatever the charger, the start temperature, the end SOC and the step: the cells never
    pass their charge voltage (the constant-voltage phase holds it) nor their charge
    temperature limit (the current is held to what the coolant carries away there), the
    temperature limit never makes a charge faster, and the energy into the pack is the energy
    stored (the OCV over the SOC charged) plus the cells' heat, within 0.05 % (0.03 % at most
    over 60 random charges; the steps read the OCV at their midpoint)."""
    from test_performance import _preset_powertrain

    from packstudy import catalog, charging, pack

    pt = _preset_powertrain(cell, ["sic"], series=series, parallel=parallel)
    charge = dict(charger_power_kW=power_kW, charger_current_A=current_A,
                  charger_max_voltage_V=1000.0, soc_end=soc_end, temperature_C=temperature_C,
                  coolant_C=temperature_C, wltp_dc_kWh_per_100km=16.0, dt_s=dt_s)
    r = charging.fast_charge(pt, **charge)
    assume(r["fast_charge_energy_kWh"][0] > 0.0)
    b = pt.battery[0]
    assert r["fast_charge_max_cell_V"][0] <= b[kernel.B_V_MAX] + 1e-9
    limit_C = catalog.factor("thermal", "cell_charge_limit_C")
    assert r["fast_charge_max_cell_temp_C"][0] <= limit_C + 1e-3  # round-off: 4e-5 K seen
    unheld = charging.fast_charge(pt, **charge, cell_charge_limit_C=1e3)
    [window] = [k for k in r if k.startswith("fast_charge_10_")]
    assert r["fast_charge_soc_reached"][0] <= unheld["fast_charge_soc_reached"][0] + 1e-12
    if np.isfinite(r[window][0]):
        assert r[window][0] >= unheld[window][0] - 1e-9
    if r["fast_charge_held_at_temp_limit_min"][0] == 0.0:  # never held: the same charge
        assert r["fast_charge_max_cell_temp_C"][0] == unheld["fast_charge_max_cell_temp_C"][0]
    lo = pt.soc_min + 0.1 * (pt.soc_max - pt.soc_min)
    hi = pt.soc_min + r["fast_charge_soc_reached"] * (pt.soc_max - pt.soc_min)
    stored_kWh = (pack.ocv_energy_Wh_per_Ah(pt.ocv_V, lo, hi)[0] * b[kernel.B_CAPACITY_AH]
                  * b[kernel.B_SERIES] * b[kernel.B_PARALLEL] / 1e3)
    assert r["fast_charge_energy_kWh"][0] == pytest.approx(
        stored_kWh + r["fast_charge_loss_kWh"][0], rel=5e-4)
