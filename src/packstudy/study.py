"""The chain: study spec -> candidates' packs and powertrains -> procedures -> results.

One row per candidate (or sweep variant) travels the whole chain as columns; nothing loops
over variants in Python except the one-off resolution of each distinct cell preset.
"""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from . import (
    calibration,
    charging,
    cold,
    cost,
    decision,
    footprint,
    kernel,
    motors,
    pack,
    performance,
    power_electronics,
    procedures,
    uncertainty,
    vehicle,
)
from . import cell as cellmod
from .cycles import load_cycle
from .inverter import inverter_parameters
from .spec import Study, StudyError, load_study, parse_study

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


def run_study(source, base_dir: Path | None = None, *, out_dir: Path | None = None,
              executor: str = "local", address: str | None = None, workers: int | None = None,
              resume: bool = False, progress=None) -> StudyResult:
    """Run a study from a TOML path or a dict (the TOML's content).

    A study with a ``[sweep]`` runs its variants in batches on ``executor``; its results store
    goes to ``out_dir/sweep`` (a temporary folder when ``out_dir`` is None).
    """
    if isinstance(source, dict):
        study, base = parse_study(source, base_dir=base_dir), base_dir or Path(".")
        name = "<study>"
    else:
        (study, base), name = load_study(source), str(source)
    try:
        if study.sweep is None:
            return evaluate(study, base)
        from .sweep import run_sweep

        if out_dir is None:
            with tempfile.TemporaryDirectory() as tmp:
                return run_sweep(study, base, Path(tmp), executor=executor, address=address,
                                 workers=workers, resume=False, progress=progress)
        return run_sweep(study, base, out_dir, executor=executor, address=address,
                         workers=workers, resume=resume, progress=progress)
    except StudyError as exc:  # name the study file in problems found while evaluating
        raise StudyError(name, exc.problems) from None


def evaluate(study: Study, base_dir: Path) -> StudyResult:
    """Design every candidate's pack, run the procedures and check the requirements."""
    metrics, breakdowns, curves, fit = compute(study, base_dir)
    result = decide(study, [c.name for c in study.candidate], metrics, breakdowns)
    result.curves = curves
    result.calibration = fit
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


def prepare(study: Study, base_dir: Path, calibrated: dict | None = None) -> Prepared:
    """Load the candidates' cells, design their packs and build the powertrain inputs.

    With known results in ``[vehicle.calibration]``, the drivetrain is fitted to them on the
    baseline candidate (``[study] baseline``, else the first; it should be the car's own
    battery) and the fit applies to every candidate. ``calibrated`` (fitted parameters)
    applies a fit made elsewhere instead, as sweep batches do.
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
    fit = None
    if calibrated is not None:
        pt = calibration.apply(pt, calibrated)
    elif has_calibration_targets(study):
        names = [c.name for c in candidates]
        row = names.index(study.study.baseline) if study.study.baseline in names else 0
        try:
            fit = calibration.calibrate_table(calibration.take(pt, [row]), study.vehicle.calibration)
        except calibration.CalibrationError as exc:
            raise StudyError("vehicle.calibration", [str(exc)]) from None
        pt = calibration.apply(pt, fit)
    asked = np.array([_nan(r.get("usable_energy_kWh")) for r in requests])
    return Prepared(cells, packs, pt, test_mass, asked, fit)


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
    breakdowns = cost_and_footprint(study, cells, packs, metrics,
                                    power_electronics_inputs(study, packs, pt))
    for name in study.study.procedures:
        if name in procedures.PROCEDURES:
            metrics.update(procedures.PROCEDURES[name](pt))
    curves = performance_and_charging(study, pt, test_mass, metrics)
    for label, file in study.study.cycles.items():
        metrics.update(procedures.custom(pt, load_cycle(Path(file), base_dir=base_dir), label))
    return metrics, breakdowns, curves, ready.calibration


def performance_and_charging(study: Study, pt: procedures.Powertrain, test_mass_kg, metrics: dict) -> dict:
    """Acceleration, fast charge and cold range when the study asks for them; adds their
    scalar results to ``metrics`` and returns the curves kept for the report."""
    v = study.vehicle
    asked = set(study.study.procedures)
    curves = {}
    if "acceleration" in asked:
        share = v.front_power_share
        out = performance.acceleration(
            pt, driven_axles=v.drive, front_axle_load_fraction=v.front_axle_load_fraction,
            tyre_friction=v.tyre_friction_coefficient, front_power_share=share,
            cg_height_to_wheelbase=v.cg_height_to_wheelbase,
            mass_kg=performance.acceleration_mass_kg(test_mass_kg, v.curb_mass_kg),
            traces=pt.n <= REPORT_CURVES_MAX_ROWS)
        if "trace_speed_kmh" in out:
            curves["acceleration_curve"] = {k: out.pop(k) for k in ("trace_time_s", "trace_speed_kmh")}
        metrics.update(out)
    if "fast_charge" in asked:
        chargers = candidate_chargers(study)
        fc = study.study.fast_charge
        out = charging.fast_charge(
            pt, charger_power_kW=[c["power_kW"] for c in chargers],
            charger_current_A=[c["current_A"] for c in chargers],
            charger_max_voltage_V=[c["max_voltage_V"] for c in chargers],
            vehicle_max_kW=v.max_dc_charge_kW, soc_start=fc.soc_start, soc_end=fc.soc_end,
            temperature_C=fc.temperature_C, coolant_C=fc.coolant_C,
            wltp_dc_kWh_per_100km=metrics.get("wltp_dc_kWh_per_100km"))
        curves["fast_charge_curve"] = {k: out.pop(k) for k in list(out) if k.startswith("fast_charge_curve")}
        metrics.update(out)
    if "cold" in asked:
        cycle = None
        if study.study.cold.cycle is not None:
            cycle = load_cycle(study.study.cold.cycle)
        metrics.update(cold.cold_range(pt, ambient_C=study.study.cold.ambient_C, heating=v.heating,
                                       cycle=cycle))
    return curves


def candidate_chargers(study: Study) -> list[dict]:
    """Each candidate's DC charger ``{power_kW, current_A, max_voltage_V}`` (each distinct
    charger loaded once)."""
    specs = [_charger_spec(c.charger) for c in study.candidate]
    distinct = {repr(s): s for s in specs}
    loaded = {key: charging.load_charger(s) for key, s in distinct.items()}
    return [loaded[repr(s)] for s in specs]


def power_electronics_inputs(study: Study, packs: pack.PackArrays,
                             pt: procedures.Powertrain) -> dict:
    """What ``power_electronics.system_metrics`` needs besides the pack's cost and footprint:
    inverter kinds, motor power, the pack's voltages and each candidate's charger."""
    chargers = candidate_chargers(study)
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
    result.checks = decision.check_requirements(names, metrics, bounds, envelopes)
    if study.ranking.weights:
        metrics["score"] = decision.weighted_score(metrics, study.ranking.weights)
    if study.study.baseline is not None and study.study.baseline in names:
        result.deltas = decision.deltas_to_baseline(metrics, names.index(study.study.baseline))
    return result


NOTE_MAX_NAMED = 5  # candidates named one by one in a note; beyond, a count


def design_notes(study: Study, names: list[str], metrics: dict) -> list[str]:
    """Sentences on what the results hold that the study did not ask for: packs designed with
    much more usable energy than asked (large cells in a voltage class), and a fixed vehicle
    test mass under packs of quite different masses."""
    notes = []
    asked = np.asarray(metrics["pack_requested_usable_energy_kWh"], float)
    got = np.asarray(metrics["pack_usable_energy_kWh"], float)
    with np.errstate(invalid="ignore"):
        excess = got / asked - 1.0
    over = np.flatnonzero(excess > pack.default("note_energy_excess_fraction"))
    if 0 < over.size <= NOTE_MAX_NAMED:
        for i in over:
            notes.append(f"{names[i]!r}: its pack holds {got[i]:.1f} kWh usable for the "
                         f"{asked[i]:g} kWh asked (+{100 * excess[i]:.0f} %), at "
                         f"{metrics['pack_nominal_voltage_V'][i]:.0f} V: no smaller pack of its "
                         "cell reaches the energy inside the voltage class; give pack.series "
                         "and pack.parallel, or another voltage, for a closer one.")
    elif over.size:
        notes.append(f"{over.size:,} of {len(names):,} packs hold over "
                     f"{100 * pack.default('note_energy_excess_fraction'):.0f} % more usable "
                     f"energy than asked (up to +{100 * np.nanmax(excess):.0f} %): their cells "
                     "allow no closer pack inside the voltage class; pack_usable_energy_kWh is "
                     "the designed value.")
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
                                    pack.default("cell_cooling_W_per_K_per_kg"))
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
    """The candidate's pack table, or targets from the vehicle's own battery when it has none.

    The vehicle's own pack is matched by energy (usable, or gross x the default usable SOC
    window) and nominal voltage, not by its cell counts, which belong to the maker's cell.
    """
    cand = study.candidate[i]
    if cand.pack is not None:
        return cand.pack.model_dump()
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
