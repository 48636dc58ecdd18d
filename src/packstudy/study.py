"""The chain: study spec -> candidates' packs and powertrains -> procedures -> results.

One row per candidate (or sweep variant) travels the whole chain as columns; nothing loops
over variants in Python except the one-off resolution of each distinct cell preset.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from . import (
    as_built,
    calibration,
    charging,
    cold,
    cost,
    decision,
    endurance,
    footprint,
    kernel,
    limits,
    motors,
    pack,
    performance,
    power_electronics,
    procedures,
    uncertainty,
    validity,
    vehicle,
)
from . import cell as cellmod
from .cycles import load_cycle
from .inverter import inverter_parameters
from .spec import Study, StudyError

REPORT_CURVES_MAX_ROWS = 25  # acceleration traces are kept for the report up to this many rows


@dataclass
class StudyResult:
    """Resolved inputs, one metric column per result name, and the requirement checks."""

    study: Study
    names: list[str]
    metrics: dict[str, np.ndarray]
    checks: decision.Checks | None = None  # None: no requirements (set by ``decide``)
    breakdowns: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    deltas: dict[str, np.ndarray] = field(default_factory=dict)  # delta_{metric} to baseline
    curves: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # for the report
    calibration: object = None  # calibration.CalibrationResult when the vehicle was calibrated
    # the study as written, when ``study`` holds a sweep's variants (``sweep.Variants``, each
    # candidate built when read)
    inputs: Study | None = None
    notes: list[str] = field(default_factory=list)  # what the user may not expect (``decide``)
    # "does the model reproduce the car?": published figures beside the as-built candidate's
    reproduction: list[dict] = field(default_factory=list)
    row_notes: dict[int, list[str]] = field(default_factory=dict)  # row -> why a metric is null

    def __post_init__(self):
        if self.checks is None:
            self.checks = decision.check_requirements(self.names, self.metrics, {}, {})

    @cached_property
    def verdicts(self) -> dict[str, dict]:
        """Per candidate: the verdict per area and overall (computed once, on first use)."""
        return decision.verdicts(self.names, self.checks)

    def row(self, i: int) -> dict[str, float]:
        return {k: _plain(v[i]) for k, v in self.metrics.items()}

    def to_pandas(self):
        """The metrics (and deltas to the baseline) as a pandas DataFrame, one row per
        candidate or variant, indexed by name (needs pandas)."""
        import pandas as pd

        frame = pd.DataFrame({**self.metrics, **self.deltas}, index=pd.Index(self.names, name="candidate"))
        return frame


def evaluate(study: Study, base_dir: Path) -> StudyResult:
    """Design every candidate's pack, run the procedures and check the requirements."""
    metrics, breakdowns, curves, fit = compute(study, base_dir)
    result = decide(study, [c.name for c in study.candidate], metrics, breakdowns)
    result.notes += curves.pop("life_notes", {}).get("notes", [])
    result.curves = curves
    result.calibration = fit
    result.reproduction = as_built.reproduction(study, metrics)
    own = None if result.reproduction else as_built.reproduction_study(study)
    if own is not None:  # no as-built candidate: the car computed apart, for the table
        result.reproduction = as_built.reproduction(own, compute(own, base_dir)[0])
    return result


@dataclass(frozen=True)
class Prepared:
    """A study's candidates ready for the procedures: cells, designed packs, kernel inputs."""

    cells: object  # cell.CellArrays
    packs: pack.PackArrays
    powertrain: procedures.Powertrain
    test_mass_kg: np.ndarray
    requested_usable_energy_kWh: np.ndarray  # asked of the pack designer (NaN: counts given)
    calibration: calibration.CalibrationResult | None = None
    requested_nominal_voltage_V: np.ndarray | None = None  # asked of the designer (NaN: none)


def prepare(study: Study, base_dir: Path, calibrated: dict | None = None) -> Prepared:
    """Load the candidates' cells, design their packs and build the powertrain inputs.

    With known results in ``[vehicle.calibration]``, the drivetrain is fitted to them on the
    vehicle's as-built battery system (``fit_vehicle``) and the fit applies to every
    candidate. ``calibrated`` (fitted parameters) applies a fit made elsewhere instead, as
    sweep batches do.
    """
    candidates = study.candidate
    requests = [pack_request(study, i) for i in range(len(candidates))]
    cells = candidate_cells(study, base_dir)
    try:
        packs = design_packs(cells, requests)
    except pack.PackDesignError as exc:
        where = ", ".join(f"candidate[{i}]" for i in exc.rows[:5]) or "candidate"
        raise StudyError("candidate", [f"{where}.{exc}"]) from None
    pt, test_mass = powertrain(study, cells, packs, [c.inverter for c in candidates])
    if study.vehicle.epa_label_adjustment is not None:  # a derived 5-cycle factor certified
        pt = replace(pt, epa_label_adjustment=np.full(pt.n, study.vehicle.epa_label_adjustment))
    problems = limits.implausible(candidates, packs, test_mass)
    if problems:
        raise StudyError("candidate", problems)
    fit = None
    if calibrated is not None:
        pt = calibration.apply(pt, calibrated)
    elif has_calibration_targets(study):
        fit = fit_vehicle(study, base_dir, pt)
        pt = calibration.apply(pt, fit)
    asked = np.array([_nan(r.get("usable_energy_kWh")) for r in requests])
    volt = np.array([_nan(r.get("nominal_voltage_V")) for r in requests])
    return Prepared(cells, packs, pt, test_mass, asked, fit, volt)


def fit_vehicle(study: Study, base_dir: Path, pt: procedures.Powertrain):
    """The vehicle's calibration, fitted on its as-built battery system (``as_built.py``)
    whichever candidate is the baseline; for a vehicle without one, on the baseline
    candidate (``pt``'s row of ``[study] baseline``, else the first)."""
    own = as_built.own_study(study)
    if own is not None:
        row_pt = prepare(own, base_dir, calibrated={}).powertrain
    else:
        names = [c.name for c in study.candidate]
        row_pt = calibration.take(pt, [names.index(study.study.baseline)
                                       if study.study.baseline in names else 0])
    try:
        return calibration.calibrate_table(row_pt, study.vehicle.calibration)
    except calibration.CalibrationError as exc:
        raise StudyError("vehicle.calibration", [str(exc)]) from None


def has_calibration_targets(study: Study) -> bool:
    """Whether the vehicle's ``[calibration]`` table names known results to fit."""
    table = study.vehicle.calibration
    return any(k in calibration.TARGET_PROCEDURE or k in calibration.NOT_YET for k in table)


def compute(study: Study, base_dir: Path, calibrated: dict | None = None):
    """Every result column for the study's candidates, the cost/footprint breakdowns, the
    curves kept for the report (e.g. the fast-charge power against SOC) and the calibration
    fit (or None): (metrics, breakdowns, curves, fit)."""
    ready = prepare(study, base_dir, calibrated)
    cells, packs, pt, test_mass = ready.cells, ready.packs, ready.powertrain, ready.test_mass_kg
    metrics = {
        "pack_series": packs.series,
        "pack_parallel": packs.parallel,
        "pack_cells": packs.cells,
        "pack_energy_kWh": packs.energy_kWh,
        "pack_usable_energy_kWh": packs.usable_energy_kWh,
        "pack_requested_usable_energy_kWh": ready.requested_usable_energy_kWh,
        "pack_nominal_voltage_V": packs.nominal_voltage_V,
        "pack_mass_kg": packs.mass_kg,
        "pack_volume_L": packs.volume_L,
        "pack_specific_energy_Wh_per_kg": packs.specific_energy_Wh_per_kg,
        "vehicle_test_mass_kg": test_mass,
    }
    chargers = candidate_chargers(study)
    metrics.update(limits.columns(
        cells, packs, ready.requested_nominal_voltage_V, ready.requested_usable_energy_kWh,
        chargers, [c.inverter for c in study.candidate], pt.vehicle[:, vehicle.V_MOTOR_W]))
    breakdowns = cost_and_footprint(study, cells, packs, metrics,
                                    power_electronics_inputs(study, packs, pt, chargers))
    for name in study.study.procedures:
        if name in procedures.PROCEDURES:
            metrics.update(procedures.PROCEDURES[name](pt))
    curves = performance_and_charging(study, pt, test_mass, metrics, packs.integration,
                                      base_dir)
    curves.update(endurance.evaluate(study, pt, test_mass, metrics, packs.integration, base_dir,
                                     traces=pt.n <= REPORT_CURVES_MAX_ROWS))
    for label, file in study.study.cycles.items():
        metrics.update(procedures.custom(pt, load_cycle(Path(file), base_dir=base_dir), label))
    if study.study.life is not None or "life" in study.study.procedures:
        curves.update(life_results(study, base_dir, cells, pt, metrics))
    return metrics, breakdowns, curves, ready.calibration


def life_results(study: Study, base_dir: Path, cells, pt, metrics: dict) -> dict:
    """Run the life procedure (packstudy.life) into ``metrics``; its fade curve and notes."""
    from . import life

    s = study.study
    try:
        if "wltp_dc_kWh_per_100km" not in metrics:
            metrics.update(procedures.wltp(pt))
        settings = life.settings(s.life.model_dump() if s.life else None,
                                 s.warranty.model_dump() if s.warranty else None, base_dir)
        grid = footprint.grid_intensity(settings.climate.grid_region or "eu")
        aged = None
        if "acceleration" in s.procedures:
            def aged(aged_pt):
                accel = acceleration_results(study, aged_pt, metrics["vehicle_test_mass_kg"])
                return {"life_accel_0_100_end_s": accel["accel_0_100_s"]}
        out, curve, notes = life.life_procedure(settings, cells.name, cells.chemistry, pt,
                                                metrics, grid, aged, study.uncertainty)
    except life.LifeError as exc:
        raise StudyError("study", [str(exc)]) from None
    metrics.update(out)
    return {"life_fade_curve": curve, "life_notes": {"notes": notes}}


def performance_and_charging(study: Study, pt: procedures.Powertrain, test_mass_kg, metrics: dict,
                             integration=None, base_dir: Path = Path(".")) -> dict:
    """Acceleration, fast charge and cold range when the study asks for them; adds their
    scalar results to ``metrics`` and returns the curves kept for the report."""
    v = study.vehicle
    asked = set(study.study.procedures)
    curves = {}
    if "acceleration" in asked:
        cold_C = None
        if study.study.cold.preconditioned:  # warmed from the grid before the cold run
            cold_C = metrics["cold_pack_temperature_C"] = endurance.preconditioned_cell_C(
                study, pt, metrics["pack_energy_kWh"], integration)
        out = acceleration_results(study, pt, test_mass_kg, traces=pt.n <= REPORT_CURVES_MAX_ROWS,
                                   cold_temperature_C=cold_C)
        if "trace_speed_kmh" in out:
            curves["acceleration_curve"] = {k: out.pop(k) for k in ("trace_time_s", "trace_speed_kmh")}
        metrics.update(out)
    if "fast_charge" in asked:
        chargers = candidate_chargers(study)
        fc = study.study.fast_charge
        common = dict(
            charger_power_kW=[c["power_kW"] for c in chargers],
            charger_current_A=[c["current_A"] for c in chargers],
            charger_max_voltage_V=[c["max_voltage_V"] for c in chargers],
            vehicle_max_kW=v.max_dc_charge_kW, soc_start=fc.soc_start, soc_end=fc.soc_end,
            wltp_dc_kWh_per_100km=metrics.get("wltp_dc_kWh_per_100km"),
            **charging.vehicle_limits([None if c.dc_limits is None else c.dc_limits.model_dump(
                exclude_none=True) for c in study.candidate], len(study.candidate)))

        def charge(**window):
            return charging.fast_charge(pt, temperature_C=fc.temperature_C, coolant_C=fc.coolant_C,
                                        **{**common, **window})

        out = charge()
        curves["fast_charge_curve"] = {k: out.pop(k) for k in list(out) if k.startswith("fast_charge_curve")}
        metrics.update(out)
        if as_built.row(study) is not None:  # the windows the car's published times span
            for key, (lo, hi) in as_built.published_windows(study.vehicle).items():
                if key not in metrics:
                    metrics[key] = charge(soc_start=lo, soc_end=hi)[key]
        if study.study.cold.preconditioned:  # the charge after preconditioning at -10 degC
            metrics.update(endurance.cold_fast_charge(study, pt, metrics, integration, common))
    if "cold" in asked:
        cycle = None
        if study.study.cold.cycle is not None:  # a shipped name or a CSV file (checked at load)
            cycle = load_cycle(study.study.cold.cycle, base_dir=base_dir)
        metrics.update(cold.cold_range(pt, ambient_C=study.study.cold.ambient_C, heating=v.heating,
                                       cycle=cycle))
    return curves


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


def candidate_chargers(study: Study) -> list[dict]:
    """Each candidate's charger limits (``charging.load_charger``), each distinct one loaded once."""
    specs = [_charger_spec(c.charger) for c in study.candidate]
    distinct = {repr(s): s for s in specs}
    loaded = {key: charging.load_charger(s) for key, s in distinct.items()}
    return [loaded[repr(s)] for s in specs]


def power_electronics_inputs(study: Study, packs: pack.PackArrays,
                             pt: procedures.Powertrain, chargers: list[dict]) -> dict:
    """What ``power_electronics.system_metrics`` needs besides the pack's cost and footprint:
    inverter kinds, motor power, the pack's voltages and each candidate's charger."""
    return {"kind": [c.inverter for c in study.candidate],
            "motor_power_W": pt.vehicle[:, vehicle.V_MOTOR_W],
            "pack_nominal_voltage_V": packs.nominal_voltage_V,
            "pack_max_voltage_V": packs.max_voltage_V,
            "charger_power_W": [1e3 * c["power_kW"] for c in chargers],
            "charger_current_A": [c["current_A"] for c in chargers],
            "charger_max_voltage_V": [c["max_voltage_V"] for c in chargers]}


def _charger_spec(charger):
    """A candidate's charger as ``charging.load_charger`` takes it (None: the default)."""
    if charger is None:
        return charging.default("default_charger")
    return charger if isinstance(charger, str) else charger.model_dump(exclude_none=True)


def decide(study: Study, names: list[str], metrics: dict, breakdowns: dict,
           envelopes: dict[str, np.ndarray] | None = None) -> StudyResult:
    """Requirement checks, ranking score and baseline deltas for computed metrics.

    ``envelopes``: the candidates' pack envelope limits (default: ``pack_envelopes`` of the
    study's candidates)."""
    result = StudyResult(study=study, names=names, metrics=metrics, breakdowns=breakdowns)
    check_result_names(study, metrics)
    result.notes = design_notes(study, names, metrics)
    if envelopes is None:
        envelopes = pack_envelopes(study.candidate)
    bounds = {k: (b.min, b.max) for k, b in study.requirements.items()}
    always = validity.trace_checks(metrics, len(names))  # a cycle not followed fails
    result.checks = decision.check_requirements(
        names, metrics, bounds, {**envelopes, **always},
        limits.checks(metrics) + life_and_recycling_limits(study, metrics, len(names)))
    result.notes += limits.notes(names, metrics, _failed_limits(result.checks))
    if study.ranking.weights:
        metrics["score"] = decision.weighted_score(metrics, study.ranking.weights)
    result.row_notes = validity.row_notes(metrics)
    result.notes += validity.study_notes(names, result.row_notes)
    if study.study.baseline is not None and study.study.baseline in names:
        result.deltas = decision.deltas_to_baseline(metrics, names.index(study.study.baseline))
    return result


def life_and_recycling_limits(study: Study, metrics: dict, n: int) -> list[tuple]:
    """The life limits (Euro 7 durability, the warranty) and the recycled-content minimums as
    ``(name, "min", limit, checked, value)`` columns, like ``limits.checks``."""
    columns = []
    if "life_capacity_retention_pct" in metrics:
        from .life import limit_columns

        columns += limit_columns(metrics, study.study.warranty)
    if study.footprint.recycled_content:
        from .eol import recycled_content_columns

        columns += recycled_content_columns(study.footprint.recycled_content, n)
    return [(name, "min", limit, np.ones(n, bool), value) for name, limit, value in columns]


def _failed_limits(checks: decision.Checks) -> dict[str, np.ndarray]:
    """Limit name -> the rows failing it (a limit's min and max bounds together)."""
    out: dict[str, np.ndarray] = {}
    for j, name in enumerate(checks.metric):
        if name.startswith("limit:") and checks.failed[j].any():
            out[name] = np.union1d(out.get(name, np.array([], int)), np.flatnonzero(checks.failed[j]))
    return out


def design_notes(study: Study, names: list[str], metrics: dict) -> list[str]:
    """Sentences on what the results hold that the study did not ask for: a fixed vehicle
    test mass under packs of quite different masses. (A pack far from the energy or voltage
    asked fails its ``limit:`` checks, explained by ``limits.notes``.)"""
    notes = []
    if as_built.system(study.vehicle) is None:
        if not has_calibration_targets(study):
            notes.append("The vehicle has no as-built battery system and no [vehicle.calibration]: "
                         "its drivetrain is not calibrated to any known result.")
        else:
            notes.append("The vehicle has no as-built battery system: it is calibrated on the "
                         "baseline candidate's battery, so the fit depends on that choice.")
    mass = np.asarray(metrics["pack_mass_kg"], float)
    test = float(np.asarray(metrics["vehicle_test_mass_kg"])[0])
    spread = float(np.max(mass) - np.min(mass))
    if study.vehicle.glider_mass_kg is None and spread > (
            pack.default("note_fixed_mass_spread_fraction") * test):
        notes.append(f"The vehicle test mass is {test:,.0f} kg for every candidate "
                     f"(vehicle.test_mass_kg) while the packs weigh {np.min(mass):,.0f} to "
                     f"{np.max(mass):,.0f} kg: consumption and range do not see that difference. "
                     "Give vehicle.glider_mass_kg instead for a test mass of glider + pack + "
                     "the EPA payload.")
    return notes


def check_result_names(study: Study, results) -> None:
    """Raise a StudyError naming every requirement, ranking weight and sweep objective that is
    not one of ``results`` (the result names the study's procedures give), with close matches."""
    wanted = [(f"requirements.{k}", k) for k in study.requirements]
    wanted += [(f"ranking.weights.{k}", k) for k in study.ranking.weights]
    if study.sweep is not None:
        wanted += [(f"sweep.objectives[{i}]", o.partition(":")[2])
                   for i, o in enumerate(study.sweep.objectives)]
    names = sorted(results)
    problems = []
    for path, name in wanted:
        if name not in results:
            close = difflib.get_close_matches(name, names, n=2, cutoff=0.6)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            problems.append(f"{path}: {name!r} is not a result of this study{hint}")
    if problems:
        raise StudyError("study", [*problems, f"results of its procedures: {', '.join(names)}"])


def pack_envelopes(candidates) -> dict[str, np.ndarray]:
    """Pack envelope limits per candidate: maximum pack mass (kg) and volume (L), NaN if none."""
    packs = [c.pack for c in candidates]
    return {key: np.array([_nan(getattr(p, field, None)) for p in packs])
            for key, field in (("pack_mass_kg", "max_mass_kg"), ("pack_volume_L", "max_volume_L"))}


def powertrain(study: Study, cells, packs: pack.PackArrays, inverter_kinds):
    """Kernel inputs for every candidate, and the vehicle test mass (kg) each one gives."""
    v = study.vehicle
    n = packs.cells.shape[0]
    if v.glider_mass_kg is not None:
        test_mass = v.glider_mass_kg + packs.mass_kg + pack.default("test_payload_kg")
    else:
        test_mass = np.full(n, v.test_mass_kg)
    if v.road_load is not None:
        f0, f1, f2 = v.road_load.f0_N, v.road_load.f1_N_per_mps, v.road_load.f2_N_per_mps2
    else:
        crr = v.rolling_resistance_coefficient or vehicle.default("rolling_resistance_coefficient")
        f0, f1, f2 = vehicle.road_load_from_drag(v.drag_coefficient, v.frontal_area_m2, crr, test_mass)
    motor_kW = v.motor_peak_kW or test_mass * vehicle.default("motor_specific_power_W_per_kg") / 1e3
    force = performance.tractive_force_limit_N(
        motor_kW, motor_peak_torque_Nm=v.motor_peak_torque_Nm, gear_ratio=v.gear_ratio,
        wheel_radius_m=v.wheel_radius_m, top_speed_kmh=v.top_speed_kmh)
    veh = vehicle.vehicle_parameters(
        test_mass_kg=test_mass, f0_N=f0, f1_N_per_mps=f1, f2_N_per_mps2=f2,
        motor_peak_kW=motor_kW, top_speed_kmh=v.top_speed_kmh or vehicle.default("top_speed_kmh"),
        max_tractive_force_N=force, aux_W=v.aux_W,
        rotating_inertia_fraction=v.rotating_inertia_fraction,
        machines=[motors.Machine(m.axle, m.type, m.peak_kW, m.disconnect) for m in v.motors or ()],
    )
    inv = inverter_parameters(np.asarray(inverter_kinds), veh[:, vehicle.V_MOTOR_W],
                              packs.nominal_voltage_V)
    bat = kernel.battery_parameters(cells, packs.series, packs.parallel,
                                    pack.default("cell_cooling_W_per_K_per_kg"), packs.soc_min)
    pt = procedures.Powertrain(
        vehicle=veh, inverter=inv, battery=bat,
        ocv_V=np.ascontiguousarray(cells.ocv_V), r0_ohm=np.ascontiguousarray(cells.r0_ohm),
        r1_ohm=np.ascontiguousarray(cells.r1_ohm), tau1_s=np.ascontiguousarray(cells.tau1_s),
        usable_energy_kWh=packs.usable_energy_kWh, soc_min=packs.soc_min, soc_max=packs.soc_max,
        recharge_efficiency=np.full(n, vehicle.default("recharge_efficiency")),
        charge_c_rate_max=np.ascontiguousarray(cells.charge_c_rate_max),
    )
    return pt, np.asarray(test_mass, float)


def cost_and_footprint(study: Study, cells, packs: pack.PackArrays, metrics: dict,
                       electronics: dict | None = None) -> dict:
    """Add cost, footprint, minerals (and their P10/P50/P90) to ``metrics``; return breakdowns.
    With ``electronics`` (``power_electronics_inputs``) also the inverter, booster and system
    cost and footprint."""
    design = (cells.chemistry, cells.energy_Wh, cells.mass_kg, cells.format, packs.cells,
              packs.energy_kWh, packs.integration)
    try:
        c = cost.pack_cost(*design, settings=study.cost, n_parallel=packs.parallel)
        f = footprint.pack_footprint(*design, settings=study.footprint)
        minerals = footprint.pack_minerals(*design)
        system, spread = {}, {}
        if electronics is not None:
            system = power_electronics.system_metrics(
                **electronics, pack_cost_usd=c.pack_cost_usd,
                pack_footprint_kgCO2e=f.footprint_kgCO2e, year=study.cost.year)
        if study.uncertainty is not None:
            spread = uncertainty.cost_footprint_percentiles(
                *design, n_parallel=packs.parallel, cost=study.cost, footprint=study.footprint,
                settings=study.uncertainty, electronics=electronics)
    except ValueError as exc:
        raise StudyError("cost/footprint", [f"cost or footprint input: {exc}"]) from None
    metrics.update({
        "cell_cost_usd_per_kWh": c.cell_cost_usd_per_kWh,
        "pack_cost_usd_per_kWh": c.pack_cost_usd_per_kWh,
        "pack_cost_usd": c.pack_cost_usd,
        "footprint_kgCO2e_per_kWh": f.footprint_kgCO2e_per_kWh,
        "footprint_kgCO2e": f.footprint_kgCO2e,
        **minerals,
        **system,
        **spread,
    })
    return {"cost_usd": c.breakdown, "footprint_kgCO2e": f.breakdown}


def candidate_cells(study: Study, base_dir: Path):
    """Cell arrays, one row per candidate; each distinct cell is loaded once."""
    distinct: dict[str, int] = {}  # repr of a cell spec -> its position in specs
    specs: list = []
    index = []
    own = study.vehicle.battery
    for cand in study.candidate:
        spec = cand.cell
        if cand.pack is None and own is not None and own.cell and "cell" not in cand.model_fields_set:
            spec = own.cell
        key = repr(spec)
        if key not in distinct:
            distinct[key] = len(specs)
            specs.append(spec)
        index.append(distinct[key])
    loaded, problems = [], []
    for j, spec in enumerate(specs):
        try:
            loaded.append(cellmod.load_cell(spec, base_dir=base_dir))
        except cellmod.CellError as exc:
            problems.append(f"candidate[{index.index(j)}].cell: {exc}")
    if problems:
        raise StudyError("candidate", problems)
    return cellmod.cell_arrays(loaded, np.asarray(index))


def design_packs(cells, packs_in: list[dict]) -> pack.PackArrays:
    """Packs for every candidate from their pack tables (NaN where a value is not given)."""
    def column(key, fallback=np.nan):
        return [_nan(p.get(key), fallback) for p in packs_in]

    return pack.design_pack(
        cells,
        series=column("series"),
        parallel=column("parallel"),
        usable_energy_kWh=column("usable_energy_kWh"),
        nominal_voltage_V=column("nominal_voltage_V"),
        integration=[p.get("integration") or "module" for p in packs_in],
        soc_min=column("soc_min", pack.default("usable_soc_min")),
        soc_max=column("soc_max", pack.default("usable_soc_max")),
    )


def pack_request(study: Study, i: int) -> dict:
    """The candidate's pack table, or the vehicle's as-built pack when it has none and names
    no other cell, else targets from the vehicle's own battery.

    With another cell, the vehicle's own pack is matched by energy (usable, or gross x the default usable SOC
    window) and nominal voltage, not by its cell counts, which belong to the maker's cell.
    """
    cand = study.candidate[i]
    if cand.pack is not None:
        return cand.pack.model_dump()
    system = as_built.system(study.vehicle)
    if system is not None and "cell" not in cand.model_fields_set:  # the as-built pack
        return dict(system["pack"])
    own = study.vehicle.battery
    if own is None or (own.usable_energy_kWh is None and own.gross_energy_kWh is None):
        raise StudyError("candidate", [
            f"candidate[{i}].pack: required (the vehicle has no battery energy of its own to reuse)"])
    usable = own.usable_energy_kWh
    if usable is None:
        usable = own.gross_energy_kWh * (pack.default("usable_soc_max") - pack.default("usable_soc_min"))
    return {"usable_energy_kWh": usable, "nominal_voltage_V": own.nominal_voltage_V,
            "integration": own.integration}


def _nan(value, fallback=np.nan) -> float:
    return fallback if value is None else float(value)


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value
