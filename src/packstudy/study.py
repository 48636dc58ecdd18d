"""The chain: study spec -> candidates' packs and powertrains -> procedures -> results.

One row per candidate (or sweep variant) travels the whole chain as columns; nothing loops
over variants in Python except the one-off resolution of each distinct cell preset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from . import (
    as_built,
    calibration,
    chain,
    charging,
    cost,
    decision,
    footprint,
    limits,
    motors,
    pack,
    power_electronics,
    powertrain,
    procedures,
    report_inputs,
    uncertainty,
    validity,
    vehicle,
)
from . import cell as cellmod
from . import variants as varmod
from .lookup import unknown
from .results import shown_rows
from .spec import Study, StudyError


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
    # the study as written, when ``study`` holds a sweep's variants (``variants.SweepTable``, each
    # candidate built when read)
    inputs: Study | None = None
    notes: list[str] = field(default_factory=list)  # what the user may not expect (``decide``)
    # "does the model reproduce the car?": published figures beside the as-built candidate's
    reproduction: list[dict] = field(default_factory=list)
    row_notes: dict[int, list[str]] = field(default_factory=dict)  # row -> why a metric is null
    # the sourced factor tables and preset sources the chain read (``report_inputs.assumptions``)
    assumptions: dict[str, list[dict]] = field(default_factory=dict)
    # a sweep's swept values per row, ``sweep.KEY`` -> floats or str (``SweepTable.swept_columns``)
    swept: dict[str, np.ndarray] = field(default_factory=dict)

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

        frame = pd.DataFrame({**self.swept, **self.metrics, **self.deltas},
                             index=pd.Index(self.names, name="candidate"))
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
    keep_for_report(result, base_dir)
    return result


def keep_for_report(result: StudyResult, base_dir: Path, calibrated: dict | None = None) -> None:
    """Keep in ``result`` what the report shows beyond the result columns: the sourced
    assumptions and the SiC break-even table (``report_inputs``) and, for a sweep, whose batches
    keep no traces, the WLTC traces of the rows the report shows (``results.shown_rows``), run
    for those rows only with the sweep's calibration ``calibrated``."""
    study = result.study
    result.assumptions = report_inputs.assumptions(study, base_dir)
    result.curves["sic_break_even"] = report_inputs.break_even(result)
    if study.sweep is not None and "wltp" in study.study.procedures:
        rows = shown_rows(result)[0]
        shown = study.model_copy(update={"candidate": [study.candidate[i] for i in rows]})
        procedures.wltp(prepare(shown, base_dir, calibrated).powertrain, result.curves)
        result.curves["wltp_trace"]["rows"] = rows


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
    requests = pack_requests(study)
    cells = candidate_cells(study, base_dir)
    try:
        packs = design_pack_columns(cells, requests)
    except pack.PackDesignError as exc:
        where = ", ".join(f"candidate[{i}]" for i in exc.rows[:5]) or "candidate"
        raise StudyError("candidate", [f"{where}.{exc}"]) from None
    pt, test_mass = powertrain.assemble(study, cells, packs, inverter_kinds(study))
    problems = limits.implausible(candidates, packs, test_mass)
    if problems:
        raise StudyError("candidate", problems)
    fit = None
    if calibrated is not None:
        pt = calibration.apply(pt, calibrated)
    elif has_calibration_targets(study):
        fit = fit_vehicle(study, base_dir, pt)
        pt = calibration.apply(pt, fit)
    return Prepared(cells, packs, pt, test_mass, requests["usable_energy_kWh"], fit,
                    requests["nominal_voltage_V"])


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
    table = study.vehicle.calibration  # validated: known targets and parameters
    try:
        return calibration.calibrate(row_pt, table.targets, table.parameters)
    except calibration.CalibrationError as exc:
        raise StudyError("vehicle.calibration", [str(exc)]) from None


def has_calibration_targets(study: Study) -> bool:
    """Whether the vehicle's ``[calibration]`` table names known results to fit."""
    return bool(study.vehicle.calibration.targets)


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
        chargers, inverter_kinds(study), pt.vehicle[:, vehicle.V_MOTOR_W]))
    breakdowns = cost_and_footprint(study, cells, packs, metrics,
                                    power_electronics_inputs(study, packs, pt, chargers))
    run = chain.Run(study, base_dir, cells, pt, test_mass, packs.integration, chargers, metrics)
    chain.run_procedures(run)
    if run.notes:
        run.curves["life_notes"] = {"notes": run.notes}
    return metrics, breakdowns, run.curves, ready.calibration


def candidate_chargers(study: Study) -> dict[str, np.ndarray]:
    """Each row's charger limits (``charging.load_charger``) as columns ``power_kW``,
    ``current_A``, ``max_voltage_V``, ``min_voltage_V`` (NaN where not given); each distinct
    charger is loaded once."""
    f = varmod.table(study).factors["charger"]
    loaded = [charging.load_charger(_charger_spec(c)) for c in f.values]
    return {key: np.array([c.get(key, np.nan) for c in loaded], float)[f.codes]
            for key in ("power_kW", "current_A", "max_voltage_V", "min_voltage_V")}


def inverter_kinds(study: Study) -> np.ndarray:
    """Each row's inverter kind ("si" or "sic") per machine (n, 2), in the order of
    ``motors.machine_axles`` (validated with the study, ``spec._inverter_axle_problems``)."""
    f = varmod.table(study).factors["inverter"]
    axles = motors.machine_axles(study.vehicle)
    kinds = np.array([motors.inverter_kinds_of(v, axles) for v in f.values], dtype=str)
    return kinds.reshape(-1, 2)[f.codes]


def power_electronics_inputs(study: Study, packs: pack.PackArrays,
                             pt: procedures.Powertrain, chargers: dict) -> dict:
    """What ``power_electronics.system_metrics`` needs besides the pack's cost and footprint:
    each machine's inverter kind and the first machine's share, motor power, the pack's voltages
    and each candidate's charger."""
    kinds = inverter_kinds(study)
    return {"kind": kinds[:, 0], "kind_2": kinds[:, 1],
            "share_1": pt.vehicle[:, vehicle.V_M1 + motors.M_SHARE],
            "motor_power_W": pt.vehicle[:, vehicle.V_MOTOR_W],
            "pack_nominal_voltage_V": packs.nominal_voltage_V,
            "pack_max_voltage_V": packs.max_voltage_V,
            "charger_power_W": 1e3 * chargers["power_kW"],
            "charger_current_A": chargers["current_A"],
            "charger_max_voltage_V": chargers["max_voltage_V"]}


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
    result.notes += limits.charge_temperature_notes(names, metrics)
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
    problems = [f"{path}: {unknown('result', name, names, None)}"
                for path, name in wanted if name not in results]
    if problems:
        raise StudyError("study", [*problems, f"results of its procedures: {', '.join(names)}"])


def pack_envelopes(candidates) -> dict[str, np.ndarray]:
    """Pack envelope limits per candidate: maximum pack mass (kg) and volume (L), NaN if none."""
    packs = [c.pack for c in candidates]
    return {key: np.array([_nan(getattr(p, field, None)) for p in packs])
            for key, field in (("pack_mass_kg", "max_mass_kg"), ("pack_volume_L", "max_volume_L"))}


def cost_and_footprint(study: Study, cells, packs: pack.PackArrays, metrics: dict,
                       electronics: dict | None = None) -> dict:
    """Add cost, footprint, minerals (and their P10/P50/P90) to ``metrics``; return breakdowns.
    With ``electronics`` (``power_electronics_inputs``) also the inverter, booster and system
    cost and footprint."""
    design = (cells.chemistry, cells.energy_Wh, cells.mass_kg, cells.format, packs.cells,
              packs.energy_kWh, packs.integration)
    try:
        own = cells.construction  # the cells' own electrode design and housing, where given
        c = cost.pack_cost(*design, settings=study.cost, n_parallel=packs.parallel, construction=own)
        f = footprint.pack_footprint(*design, settings=study.footprint, construction=own)
        minerals = footprint.pack_minerals(*design, construction=own)
        system, spread = {}, {}
        if electronics is not None:
            system = power_electronics.system_metrics(
                **electronics, pack_cost_usd=c.pack_cost_usd,
                pack_footprint_kgCO2e=f.footprint_kgCO2e, year=study.cost.year)
        if study.uncertainty is not None:
            spread = uncertainty.cost_footprint_percentiles(
                *design, n_parallel=packs.parallel, cost=study.cost, footprint=study.footprint,
                settings=study.uncertainty, electronics=electronics, construction=own)
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
    """Cell arrays, one row per candidate; each distinct cell is loaded once. A row without a
    pack table that names no cell takes the vehicle's own cell."""
    t = varmod.table(study)
    f = t.factors["cell"]
    specs, codes = list(f.values), f.codes
    own = study.vehicle.battery
    if own is not None and own.cell:
        takes_own = ~t.flags("has_pack") & ~t.flags("cell_given")
        if takes_own.any():
            specs.append(own.cell)
            codes = np.where(takes_own, len(specs) - 1, codes)
    distinct: dict[str, int] = {}  # repr of a cell spec -> its position in the loaded cells
    remap = np.array([distinct.setdefault(repr(s), len(distinct)) for s in specs], np.intp)
    index = remap[codes]
    # loaded in the order rows first use them
    used, first = np.unique(index, return_index=True)
    order = used[np.argsort(first)]
    position = np.empty(len(distinct), np.intp)
    position[order] = np.arange(order.size)
    by_key = {j: s for s, j in zip(specs, remap.tolist(), strict=True)}
    loaded, problems = [], []
    for j in order.tolist():
        try:
            loaded.append(cellmod.load_cell(by_key[j], base_dir=base_dir))
        except cellmod.CellError as exc:
            problems.append(f"candidate[{int(np.argmax(index == j))}].cell: {exc}")
    if problems:
        raise StudyError("candidate", problems)
    return cellmod.cell_arrays(loaded, position[index])


def design_packs(cells, packs_in: list[dict]) -> pack.PackArrays:
    """Packs for every candidate from their pack tables (a value not given: None or absent)."""
    return design_pack_columns(cells, {
        key: np.array([p.get(key) for p in packs_in], dtype=object if key == "integration" else float)
        for key in REQUEST_KEYS})


REQUEST_KEYS = ("series", "parallel", "usable_energy_kWh", "nominal_voltage_V", "integration",
                "soc_min", "soc_max")


def design_pack_columns(cells, requests: dict[str, np.ndarray]) -> pack.PackArrays:
    """Packs for every row from pack-request columns (``pack_requests``; NaN, or None for
    ``integration``, where a value is not given)."""
    def column(key, fallback=np.nan):
        x = np.asarray(requests[key], float)
        return np.where(np.isnan(x), fallback, x)

    return pack.design_pack(
        cells,
        series=column("series"),
        parallel=column("parallel"),
        usable_energy_kWh=column("usable_energy_kWh"),
        nominal_voltage_V=column("nominal_voltage_V"),
        integration=np.where(np.equal(requests["integration"], None), "module",
                             requests["integration"]),
        soc_min=column("soc_min", pack.default("usable_soc_min")),
        soc_max=column("soc_max", pack.default("usable_soc_max")),
    )


def pack_requests(study: Study) -> dict[str, np.ndarray]:
    """Every row's pack request as columns (``REQUEST_KEYS``; NaN, or None for ``integration``,
    where not given): its pack table, or for rows without one ``pack_request`` (the vehicle's
    as-built pack, or targets from its own battery), worked out once per kind of row."""
    t = varmod.table(study)
    out = {key: t.labels("pack.integration") if key == "integration" else t.floats(f"pack.{key}")
           for key in REQUEST_KEYS}
    without = ~t.flags("has_pack")
    given = t.flags("cell_given")
    for cell_given in (False, True):
        rows = np.flatnonzero(without & (given == cell_given))
        if rows.size:
            request = pack_request(study, int(rows[0]))
            for key in REQUEST_KEYS:
                out[key][rows] = request.get(key) if key == "integration" else _nan(request.get(key))
    return out


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
