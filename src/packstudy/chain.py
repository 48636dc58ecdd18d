"""The procedure registry: every procedure a study can ask for is one record (its name, the
procedures whose results it reads, the result names it gives, its run function), and
``run_procedures`` runs a study's in dependency order, handing each one's results forward so
that no procedure runs another.

A run function takes the ``Run`` of the study (its prepared candidates and the results so
far) and returns its result columns; curves kept for the report go into ``Run.curves``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import as_built, charging, cold, endurance, life, performance, procedures, variants
from .cycles import load_cycle
from .footprint import grid_intensity
from .spec import Study, StudyError

REPORT_CURVES_MAX_ROWS = 25  # traces are kept for the report up to this many rows


@dataclass
class Run:
    """What the procedures of one study share: its inputs, the candidates' powertrain, the
    results computed so far (columns, one row per candidate) and the curves for the report."""

    study: Study
    base_dir: Path
    cells: object  # cell.CellArrays, one row per candidate
    pt: procedures.Powertrain
    test_mass_kg: np.ndarray
    integration: np.ndarray  # the packs' integration type per row
    chargers: dict[str, np.ndarray]  # each row's charger limits (``study.candidate_chargers``)
    metrics: dict[str, np.ndarray]
    curves: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def traces(self) -> bool:
        """Whether curves for the report are kept (few rows only)."""
        return self.pt.n <= REPORT_CURVES_MAX_ROWS


@dataclass(frozen=True)
class Procedure:
    """One procedure: ``needs`` are the procedures whose results it reads (run first, and run
    even when not asked); ``uses`` those whose results it reads when they run (run first when
    asked); ``results`` the names it gives, as shell-style patterns where a part
    depends on the study (a custom cycle's label, the fast-charge SOC window, the cold
    temperature); ``asked_by`` the ``[study]`` table that also asks for it when given."""

    name: str
    run: Callable[[Run], dict]
    results: tuple[str, ...]
    needs: tuple[str, ...] = ()
    asked_by: str | None = None
    uses: tuple[str, ...] = ()


def _wltp(run: Run) -> dict:
    return procedures.wltp(run.pt, run.curves if run.traces else None)  # its traces for the report


def _epa(run: Run) -> dict:
    return procedures.epa(run.pt)


def _cycles(run: Run) -> dict:
    out = {}
    for label, file in run.study.study.cycles.items():
        out.update(procedures.custom(run.pt, load_cycle(Path(file), base_dir=run.base_dir), label))
    return out


def _acceleration(run: Run) -> dict:
    out = {}
    cold_C = None
    if run.study.study.cold.preconditioned:  # warmed from the grid before the cold run
        cold_C = out["cold_pack_temperature_C"] = endurance.preconditioned_cell_C(
            run.study, run.pt, run.metrics["pack_energy_kWh"], run.integration)
    out.update(acceleration_results(run.study, run.pt, run.test_mass_kg, traces=run.traces,
                                    cold_temperature_C=cold_C))
    if "trace_speed_kmh" in out:
        run.curves["acceleration_curve"] = {k: out.pop(k) for k in ("trace_time_s", "trace_speed_kmh")}
    return out


def acceleration_results(study: Study, pt: procedures.Powertrain, test_mass_kg, traces=False,
                         cold_temperature_C=None) -> dict:
    """The acceleration procedure on ``pt`` with the study vehicle's traction data
    (``cold_temperature_C``: the cells' temperature for the cold run, default cold-soaked)."""
    v = study.vehicle
    return performance.acceleration(
        pt, driven_axles=v.drive, front_axle_load_fraction=v.front_axle_load_fraction,
        tyre_friction=v.tyre_friction_coefficient, front_power_share=v.front_power_share,
        cg_height_to_wheelbase=v.cg_height_to_wheelbase,
        mass_kg=performance.acceleration_mass_kg(test_mass_kg, v.curb_mass_kg), traces=traces,
        cold_temperature_C=cold_temperature_C)


def _fast_charge(run: Run) -> dict:
    study, fc = run.study, run.study.study.fast_charge
    common = dict(
        charger_power_kW=run.chargers["power_kW"], charger_current_A=run.chargers["current_A"],
        charger_max_voltage_V=run.chargers["max_voltage_V"],
        vehicle_max_kW=study.vehicle.max_dc_charge_kW, soc_start=fc.soc_start, soc_end=fc.soc_end,
        wltp_dc_kWh_per_100km=run.metrics["wltp_dc_kWh_per_100km"],
        **vehicle_dc_limits(study))

    def charge(**window):
        return charging.fast_charge(run.pt, temperature_C=fc.temperature_C, coolant_C=fc.coolant_C,
                                    **{**common, **window})

    out = charge()
    run.curves["fast_charge_curve"] = {k: out.pop(k) for k in list(out) if k.startswith("fast_charge_curve")}
    if variants.table(study).flags("as_built").any():  # the windows the car's published times span
        for key, (lo, hi) in as_built.published_windows(study.vehicle).items():
            if key not in out:
                out[key] = charge(soc_start=lo, soc_end=hi)[key]
    if "cold" in study.study.procedures or study.study.cold.preconditioned:
        # the charge at -10 degC: soaked, or after preconditioning
        out.update(endurance.cold_fast_charge(study, run.pt, run.metrics, run.integration, common))
    return out


def vehicle_dc_limits(study: Study) -> dict:
    """Each row's own DC charging limits (``[[candidate]] dc_limits``, as built: the vehicle's)
    as ``charging.fast_charge``'s vehicle arguments."""
    f = variants.table(study).factors["dc_limits"]
    tables = [None if d is None else d.model_dump(exclude_none=True) for d in f.values]
    distinct = charging.vehicle_limits(tables, len(tables))  # per distinct table, then per row
    curves = distinct["vehicle_curve"]
    return {"vehicle_current_A": distinct["vehicle_current_A"][f.codes],
            "vehicle_max_voltage_V": distinct["vehicle_max_voltage_V"][f.codes],
            "vehicle_curve": (None if all(c is None for c in curves)
                              else [curves[c] for c in f.codes])}


def _cold(run: Run) -> dict:
    s = run.study.study
    cycle = None
    if s.cold.cycle is not None:  # a shipped name or a CSV file (checked at load)
        cycle = load_cycle(s.cold.cycle, base_dir=run.base_dir)
    return cold.cold_range(run.pt, ambient_C=s.cold.ambient_C, heating=run.study.vehicle.heating,
                           cycle=cycle)


def _launch_repeat(run: Run) -> dict:
    return endurance.launches(run.study, run.pt, run.test_mass_kg, run.metrics, run.integration)


def _track(run: Run) -> dict:
    out, curve = endurance.laps(run.study, run.pt, run.test_mass_kg, run.metrics,
                                run.integration, run.base_dir, run.traces)
    if curve is not None:
        run.curves["track_curve"] = curve
    return out


def _life(run: Run) -> dict:
    study, s = run.study, run.study.study
    try:
        settings = life.settings(s.life.model_dump() if s.life else None,
                                 s.warranty.model_dump() if s.warranty else None, run.base_dir)
        grid = grid_intensity(settings.climate.grid_region or "eu")
        aged = None
        if "acceleration" in s.procedures:
            def aged(aged_pt):
                accel = acceleration_results(study, aged_pt, run.metrics["vehicle_test_mass_kg"])
                return {"life_accel_0_100_end_s": accel["accel_0_100_s"]}
        cells_kg = np.asarray(run.metrics["pack_cells"], float) * run.cells.mass_kg
        out, curve, notes = life.life_procedure(settings, run.cells.name, run.cells.chemistry, run.pt,
                                                run.metrics, grid, cells_kg, aged, study.uncertainty)
    except life.LifeError as exc:
        raise StudyError("study", [str(exc)]) from None
    run.curves["life_fade_curve"] = curve
    run.notes += notes + _recycled_twice(study)
    return out


def _recycled_twice(study: Study) -> list[str]:
    """A note where the production footprint counts recycled content and the end of life
    credits recycling too (avoided burden): the same recycling counted twice for that share."""
    shares = {k: v for k, v in study.footprint.recycled_content.items() if v > 0}
    if not shares:
        return []
    given = ", ".join(f"{k} {v:g}" for k, v in shares.items())
    return [f"lifecycle_kgCO2e_per_km credits the recycling of the cells at their end of life "
            f"(avoided burden) while their production footprint already counts the recycled "
            f"content of [footprint] recycled_content ({given}): for that share the benefit of "
            "recycling is counted twice. For the avoided-burden figure leave recycled_content "
            "out; the cradle-to-gate footprint_kgCO2e is the EU declaration's basis."]


PROCEDURES = {p.name: p for p in (
    Procedure("wltp", _wltp, ("wltp_kWh_per_100km", "wltp_dc_kWh_per_100km", "wltp_range_km",
                              "wltp_shortfall_kWh", "wltp_trace_missed_pct")),
    Procedure("epa", _epa, (
        "epa_city_unadjusted_kWh_per_100km", "epa_highway_unadjusted_kWh_per_100km",
        "epa_city_kWh_per_100km", "epa_highway_kWh_per_100km", "epa_combined_kWh_per_100km",
        "epa_range_km", "epa_shortfall_kWh", "epa_trace_missed_pct")),
    Procedure("cycles", _cycles, ("*_kWh_per_100km", "*_range_km", "*_shortfall_kWh",
                                  "*_trace_missed_pct"), asked_by="cycles"),
    Procedure("acceleration", _acceleration, (
        "accel_0_100_s", "accel_80_120_s", "accel_0_60mph_s", "accel_0_100_s_at_minus10C",
        "top_speed_kmh", "peak_power_kW_at_20pct_soc", "cold_pack_temperature_C")),
    Procedure("fast_charge", _fast_charge, (
        "fast_charge_*_min", "fast_charge_peak_kW", "fast_charge_energy_kWh",
        "fast_charge_km_in_10_min", "fast_charge_loss_kWh", "fast_charge_max_cell_V",
        "fast_charge_max_cell_temp_C", "fast_charge_held_at_temp_limit_min",
        "fast_charge_soc_reached", "fast_charge_*_at_minus10C",
        "cold_pack_temperature_C"), needs=("wltp",)),
    Procedure("cold", _cold, ("range_at_*_km", "cold_kWh_per_100km", "cold_dc_kWh_per_100km",
                              "cabin_heating_W", "cold_trace_missed_pct")),
    Procedure("launch_repeat", _launch_repeat, ("launch_repeat_*",), asked_by="launch_repeat"),
    Procedure("track", _track, ("track_*",), asked_by="track"),
    Procedure("life", _life, ("life_*", "lifecycle_kgCO2e_per_km", "eol_*"), needs=("wltp",),
              asked_by="life", uses=("fast_charge",)),  # its DC C-rate from the charge time
)}


def asked(study: Study) -> list[str]:
    """The procedures ``study`` asks for: named in ``[study] procedures`` or given a table."""
    s = study.study
    return [name for name, p in PROCEDURES.items()
            if name in s.procedures or (p.asked_by is not None and getattr(s, p.asked_by))]


def order(names: list[str]) -> list[str]:
    """``names`` and the procedures they need, each after what it needs and after what it uses
    among ``names`` (registry order otherwise)."""
    out: list[str] = []

    def visit(name: str) -> None:
        if name in out:
            return
        proc = PROCEDURES[name]
        for before in (*proc.needs, *(u for u in proc.uses if u in names)):
            visit(before)
        out.append(name)

    for name in PROCEDURES:
        if name in names:
            visit(name)
    return out


def run_procedures(run: Run) -> None:
    """Run the study's procedures in dependency order into ``run.metrics``."""
    for name in order(asked(run.study)):
        run.metrics.update(PROCEDURES[name].run(run))
