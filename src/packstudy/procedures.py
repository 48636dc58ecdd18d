"""Standard test procedures on the batched kernel: EPA two-cycle, WLTP and custom cycles.

Each procedure takes a ``Powertrain`` (the kernel inputs for n variants) and returns named
result columns (DESIGN §3); given a ``curves`` dict, it also adds there the per-second traces
the report draws (WLTP: ``wltp_trace``), from the same run. Consumption is AC (wall energy
with the recharge efficiency); range is the pack's usable OCV energy over the cycle's chemical
energy per km, i.e. driving until the usable window is spent at the cycle's mean loss rate.

A cycle's consumption and range are only reported when the vehicle follows it: every
procedure also gives ``{name}_trace_missed_pct``, the share of the cycle's time spent below
the regulatory speed band (or with the pack below its usable SOC window) in runs of 2 s or
more. Where it is above zero, or where the cycle gives back more energy than it takes (a
downhill cycle), consumption and range are NaN (null in the results, with a note).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import catalog, distinct, kernel
from .cycles import Cycle, load_cycle

J_PER_M_TO_KWH_PER_100KM = 1e5 / 3.6e6


@dataclass(frozen=True)
class Powertrain:
    """Everything the kernel needs for n variants (see ``kernel.drive_cycle``)."""

    vehicle: np.ndarray  # (n, N_VEHICLE_PARAMS)
    inverter: np.ndarray  # (n, N_INVERTER_PARAMS): the machines' inverters together
    battery: np.ndarray  # (n, N_BATTERY_PARAMS)
    ocv_V: np.ndarray  # (n, SOC grid)
    r0_ohm: np.ndarray  # (n, SOC grid, temperature grid)
    r1_ohm: np.ndarray
    tau1_s: np.ndarray
    usable_energy_kWh: np.ndarray  # (n,) OCV energy of the usable window
    soc_min: np.ndarray
    soc_max: np.ndarray
    recharge_efficiency: np.ndarray  # (n,) DC at the terminals / AC from the wall
    charge_c_rate_max: np.ndarray | None = None  # (n, SOC grid, temperature grid), fast charge
    epa_label_adjustment: np.ndarray | None = None  # (n,) the vehicle's own; None: procedures.toml
    # (n, 2, N_INVERTER_PARAMS): each machine's inverter as a full-power row of its kind
    # (``inverter.combined_parameters``); None: ``inverter`` for both
    inverters: np.ndarray | None = None

    @property
    def n(self) -> int:
        return self.vehicle.shape[0]


def factor(key: str) -> float:
    return float(catalog.factor("procedures", key))


def run_cycle(pt: Powertrain, cycle: Cycle, *, soc_start=None, temperature_C=None,
              traces: bool = False, refresh_steps: int = 10):
    """Run one cycle for every variant; returns (accumulators (n, N_ACC), traces or None).

    ``refresh_steps``: how often (in steps) the cell's resistances are looked up again.
    """
    speed = np.ascontiguousarray(cycle.speed_mps, dtype=float)
    dt = float(cycle.time_s[1] - cycle.time_s[0])
    if not np.allclose(np.diff(cycle.time_s), dt):
        from .cycles import resample

        cycle = resample(cycle, 1.0)
        speed, dt = np.ascontiguousarray(cycle.speed_mps), 1.0
    soc0 = 0.5 * (pt.soc_min + pt.soc_max) if soc_start is None else soc_start
    temp = factor("test_temperature_C") if temperature_C is None else temperature_C
    soc0 = np.broadcast_to(np.asarray(soc0, float), (pt.n,)).copy()
    temp0 = np.full(pt.n, temp, dtype=float)
    groups = None if traces else distinct.powertrain_rows(pt, soc0, temp0)
    if groups is not None:  # rows with the same inputs run once
        pt, soc0, temp0 = distinct.take(pt, groups[0]), soc0[groups[0]], temp0[groups[0]]
    n = pt.n
    acc = np.zeros((n, kernel.N_ACC))
    steps = speed.size - 1
    trace = np.zeros((n, kernel.N_TRACE, steps)) if traces else np.zeros((0, kernel.N_TRACE, 0))
    kernel.drive_cycle(
        speed, np.ascontiguousarray(cycle.grade, dtype=float), dt, pt.vehicle,
        np.stack([pt.inverter] * 2, axis=1) if pt.inverters is None else pt.inverters,
        pt.battery, pt.ocv_V, pt.r0_ohm, pt.r1_ohm, pt.tau1_s,
        soc0, temp0, temp0.copy(), acc, trace,
        refresh_steps, factor("speed_band_mps"), factor("speed_band_window_s"),
        factor("speed_excursion_s"))
    if groups is not None:
        acc = acc[groups[1]]
    return acc, (trace if traces else None)


def cycle_metrics(pt: Powertrain, acc: np.ndarray) -> dict[str, np.ndarray]:
    """Consumption (AC and DC, kWh/100 km), range (km), shortfall (kWh) and the share of the
    trace missed (%) from accumulators; consumption and range NaN where the cycle was not
    followed or takes no net energy."""
    dist_m = acc[:, kernel.A_DIST]
    missed_pct = 100.0 * acc[:, kernel.A_MISSED_TIME] / acc[:, kernel.A_TIME]
    with np.errstate(divide="ignore", invalid="ignore"):
        dc = acc[:, kernel.A_TERMINAL] / dist_m * J_PER_M_TO_KWH_PER_100KM
        chemical_kWh_per_km = acc[:, kernel.A_CHEMICAL] / dist_m * 1e3 / 3.6e6
        valid = (missed_pct == 0.0) & (dc > 0.0) & (chemical_kWh_per_km > 0.0)
        dc = np.where(valid, dc, np.nan)
        return {
            "dc_kWh_per_100km": dc,
            "ac_kWh_per_100km": dc / pt.recharge_efficiency,
            "range_km": np.where(valid, pt.usable_energy_kWh / chemical_kWh_per_km, np.nan),
            "shortfall_kWh": acc[:, kernel.A_SHORTFALL] / 3.6e6,
            "trace_missed_pct": missed_pct,
            "missed_s": acc[:, kernel.A_MISSED_TIME],
            "time_s": acc[:, kernel.A_TIME],
        }


def epa(pt: Powertrain, curves: dict | None = None) -> dict[str, np.ndarray]:
    """EPA two-cycle (SAE J1634): UDDS city and HWFET highway, unadjusted and label values (the
    report draws no EPA trace: ``curves`` is left as it is). The label factor is the vehicle's
    own where its maker certified a derived 5-cycle factor (``pt.epa_label_adjustment``), else
    the two-cycle 0.7 of procedures.toml."""
    adjust = (factor("epa_label_adjustment") if pt.epa_label_adjustment is None
              else pt.epa_label_adjustment)
    w_city = factor("epa_city_weight")
    city = cycle_metrics(pt, run_cycle(pt, load_cycle("udds"))[0])
    hwy = cycle_metrics(pt, run_cycle(pt, load_cycle("hwfet"))[0])
    city_label = city["ac_kWh_per_100km"] / adjust
    hwy_label = hwy["ac_kWh_per_100km"] / adjust
    return {
        "epa_city_unadjusted_kWh_per_100km": city["ac_kWh_per_100km"],
        "epa_highway_unadjusted_kWh_per_100km": hwy["ac_kWh_per_100km"],
        "epa_city_kWh_per_100km": city_label,
        "epa_highway_kWh_per_100km": hwy_label,
        "epa_combined_kWh_per_100km": w_city * city_label + (1.0 - w_city) * hwy_label,
        "epa_range_km": adjust * (w_city * city["range_km"] + (1.0 - w_city) * hwy["range_km"]),
        "epa_shortfall_kWh": city["shortfall_kWh"] + hwy["shortfall_kWh"],
        "epa_trace_missed_pct": 100.0 * (city["missed_s"] + hwy["missed_s"])
        / (city["time_s"] + hwy["time_s"]),
    }


def wltp(pt: Powertrain, curves: dict | None = None) -> dict[str, np.ndarray]:
    """WLTP on WLTC class 3b: AC consumption and range. With ``curves``, the run's speed
    (km/h) and battery terminal power (kW, positive when discharging) per variant and step are
    added as ``curves["wltp_trace"]`` (``time_s``: the steps' mid-times; ``rows``: 0..n-1)."""
    cycle = load_cycle("wltc_class3b")
    acc, trace = run_cycle(pt, cycle, traces=curves is not None)
    if curves is not None:
        t = np.asarray(cycle.time_s, float)
        curves["wltp_trace"] = {"rows": np.arange(pt.n), "time_s": 0.5 * (t[:-1] + t[1:]),
                                "speed_kmh": trace[:, kernel.T_SPEED, :] * 3.6,
                                "battery_kW": trace[:, kernel.T_BATTERY_W, :] / 1e3}
    m = cycle_metrics(pt, acc)
    return {
        "wltp_kWh_per_100km": m["ac_kWh_per_100km"],
        "wltp_dc_kWh_per_100km": m["dc_kWh_per_100km"],
        "wltp_range_km": m["range_km"],
        "wltp_shortfall_kWh": m["shortfall_kWh"],
        "wltp_trace_missed_pct": m["trace_missed_pct"],
    }


def custom(pt: Powertrain, cycle: Cycle, label: str) -> dict[str, np.ndarray]:
    """Any cycle: ``{label}_kWh_per_100km`` (AC), ``{label}_range_km``, shortfall, share of
    the trace missed."""
    m = cycle_metrics(pt, run_cycle(pt, cycle)[0])
    return {
        f"{label}_kWh_per_100km": m["ac_kWh_per_100km"],
        f"{label}_range_km": m["range_km"],
        f"{label}_shortfall_kWh": m["shortfall_kWh"],
        f"{label}_trace_missed_pct": m["trace_missed_pct"],
    }


# the cycle procedures the calibration runs on trial powertrains (a study runs them through the
# registry, chain.PROCEDURES)
CALIBRATION_PROCEDURES = {"epa": epa, "wltp": wltp}
