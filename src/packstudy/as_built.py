"""The vehicle's as-built battery system: candidates that take it, and whether the model
reproduces the car.

A vehicle preset's ``[battery]`` table describes the system the car is sold with: its cell
preset, series x parallel (or, where the maker does not publish them, its energy and
nominal voltage), integration, inverter technology, the charger its published
fast-charge figure was measured on and the vehicle's own DC charging limits
(``dc_limits``: inlet current, highest charge voltage, published charging curve). A
candidate with ``as_built = true`` takes that system; keys given beside it override. Where
the vehicle's EPA certificate gives the usable battery energy its range test measured
(``epa_certificate_usable_battery_kWh``, DC energy to the end of the test), the as-built pack
holds it: a designed pack takes it as its energy target, a pack of published counts a usable
SOC window sized to it (``certified_window``). The
vehicle is calibrated on this system whichever candidate is the baseline
(``study.prepare``), and ``reproduction`` sets the as-built candidate's model values beside
the car's published figures.
"""

from __future__ import annotations

import numpy as np

from . import catalog

# the charger an as-built candidate uses when the vehicle records none for its published
# fast-charge figure (issue 12: a 350 kW / 500 A / 1000 V CCS unit)
DEFAULT_CHARGER = "ccs-350kw-1000v"
# tolerances of the reproduction table (a published figure is "reproduced" within them)
TOLERANCE_PCT = {"epa_range_km": 5.0, "wltp_range_km": 7.0, "accel_0_100_s": 10.0,
                 "accel_0_60mph_s": 10.0, "fast_charge": 15.0, "pack_mass_kg": 5.0}


def system(vehicle) -> dict | None:
    """The as-built candidate keys of a vehicle (``cell``, ``pack``, ``inverter``,
    ``charger``, and ``dc_limits`` where the preset gives them), or None when its
    ``[battery]`` names no cell or no pack (counts, or its energy with the nominal voltage
    where published)."""
    b = vehicle.battery
    if b is None or b.cell is None:
        return None
    certified = certified_energy_kWh(vehicle)
    if b.series is not None and b.parallel is not None:
        pack = {"series": b.series, "parallel": b.parallel}
        if certified is not None and b.cell in catalog.list_presets("cells"):
            # a cell file is read against the study's folder when the study runs: default window
            pack.update(certified_window(b.cell, b.series * b.parallel, certified))
    elif b.usable_energy_kWh or b.gross_energy_kWh:  # counts not published: designed
        pack = {"usable_energy_kWh": certified or b.usable_energy_kWh
                or b.gross_energy_kWh * usable_fraction()}
        if b.nominal_voltage_V:
            pack["nominal_voltage_V"] = b.nominal_voltage_V
    else:
        return None
    if b.integration:
        pack["integration"] = b.integration
    out = {"cell": b.cell, "pack": pack, "inverter": b.inverter or "si",
           "charger": b.charger if b.charger is not None else DEFAULT_CHARGER}
    if b.dc_limits is not None:
        out["dc_limits"] = b.dc_limits.model_dump(exclude_none=True)
    return out


def certified_energy_kWh(vehicle) -> float | None:
    """The usable battery energy of the vehicle's EPA certificate (kWh DC: the energy its
    multi-cycle range test drew to the end-of-test criterion, SAE J1634), or None."""
    fig = vehicle.published.get("epa_certificate_usable_battery_kWh")
    return float(fig["value"]) if isinstance(fig, dict) and "value" in fig else None


def certified_window(cell_name: str, cells: int, energy_kWh: float) -> dict[str, float]:
    """The usable SOC window (``soc_min``, ``soc_max``) in which ``cells`` cells of the preset
    ``cell_name`` hold ``energy_kWh`` of OCV energy: the default window (pack_design.toml)
    with its two reserves scaled by one factor (0: the whole cell). The DC energy of a test
    is taken as OCV energy, a lower bound (the cells' own losses come on top). The reserves
    are scaled between 0 (a cell that cannot hold it gets the whole cell) and 2 (twice the
    default reserves at most)."""
    from .cell import cell_arrays, load_cell
    from .pack import ocv_energy_Wh_per_Ah

    f = catalog.factor
    low, high = float(f("pack_design", "usable_soc_min")), float(f("pack_design", "usable_soc_max"))
    c = cell_arrays([load_cell(cell_name)])
    scale = np.linspace(0.0, 2.0, 2001)  # reserves x scale; 1: the default window
    lo, hi = low * scale, 1.0 - (1.0 - high) * scale
    kWh = cells * c.capacity_Ah[0] * ocv_energy_Wh_per_Ah(np.repeat(c.ocv_V, scale.size, 0), lo, hi) / 1e3
    k = float(np.interp(energy_kWh, kWh[::-1], scale[::-1]))  # energy falls as the reserves grow
    return {"soc_min": round(low * k, 4), "soc_max": round(1.0 - (1.0 - high) * k, 4)}


def usable_fraction() -> float:
    """Usable / gross energy of the default SOC window (pack_design.toml)."""
    f = catalog.factor
    return float(f("pack_design", "usable_soc_max")) - float(f("pack_design", "usable_soc_min"))


def resolve(study):
    """The study with every ``as_built = true`` candidate filled from the vehicle's as-built
    system (keys the candidate gives are kept), and the problems found (a vehicle without one)."""
    own = system(study.vehicle)
    candidates, problems = [], []
    for i, cand in enumerate(study.candidate):
        if not cand.as_built:
            candidates.append(cand)
            continue
        if own is None:
            problems.append(f"candidate[{i}].as_built: the vehicle has no as-built battery system "
                            "(its [battery] needs cell, and series and parallel or its energy)")
            candidates.append(cand)
            continue
        given = cand.model_fields_set
        update = {k: v for k, v in own.items() if k not in given}
        if "cell" in given and "pack" in update:  # the window sized for the car's own cell
            update["pack"] = {k: v for k, v in update["pack"].items() if k not in ("soc_min", "soc_max")}
        if "dc_limits" in update and given & {"cell", "pack"}:
            # the car's charging curve is its own pack's (BMS); another battery keeps only the
            # inlet's current and voltage limits
            update["dc_limits"] = {k: v for k, v in update["dc_limits"].items() if k != "curve"}
        # validated by the candidate's own model (its pack and charger tables included)
        candidates.append(type(cand).model_validate({**cand.model_dump(exclude_unset=True), **update}))
    return study.model_copy(update={"candidate": candidates}), problems


def row(study) -> int | None:
    """The row of the first as-built candidate, or None."""
    return next((i for i, c in enumerate(study.candidate) if c.as_built), None)


def own_study(study, name: str = "as built"):
    """A one-candidate study (no sweep, requirements or uncertainty) of the vehicle's
    as-built car, the candidate named ``name``; None when the vehicle has no as-built system.
    The vehicle is fitted on it (``study.fit_vehicle``)."""
    if system(study.vehicle) is None:
        return None
    candidate = type(study.candidate[0])  # the study file's candidate model
    one = study.model_copy(update={"candidate": [candidate(name=name, as_built=True)],
                                   "sweep": None, "requirements": {}, "uncertainty": None})
    return resolve(one)[0]


def published_figures(vehicle) -> dict[str, dict]:
    """The vehicle's published figures a study can compare with: ``[published]`` entries with
    a value, and ``battery.pack_mass_kg`` as ``pack_mass_kg``."""
    out = {k: p for k, p in vehicle.published.items() if isinstance(p, dict) and "value" in p}
    b = vehicle.battery
    if b is not None and b.pack_mass_kg is not None:
        source = vehicle.sources.get("battery.pack_mass_kg", "vehicle preset battery.pack_mass_kg")
        out["pack_mass_kg"] = {"value": b.pack_mass_kg, "source": source}
    return out


def published_windows(vehicle) -> dict[str, tuple[float, float]]:
    """Published fast-charge times by result name -> their (start, end) SOC, e.g.
    ``fast_charge_15_80_min`` -> (0.15, 0.80)."""
    out = {}
    for key in published_figures(vehicle):
        parts = key.split("_")
        if key.startswith("fast_charge_") and key.endswith("_min") and len(parts) == 5:
            out[key] = (int(parts[2]) / 100.0, int(parts[3]) / 100.0)
    return out


def tolerance_pct(metric: str) -> float | None:
    """The reproduction tolerance of a published figure (None: compared, not judged)."""
    if metric.startswith("fast_charge_") and metric.endswith("_min"):
        return TOLERANCE_PCT["fast_charge"]
    return TOLERANCE_PCT.get(metric)


def reproduction_study(study):
    """The as-built car computed apart ("as built (computed apart)") for the reproduction
    table of a study without an as-built candidate; None when the vehicle has no as-built
    system or no published figures."""
    if not published_figures(study.vehicle):
        return None
    return own_study(study, "as built (computed apart)")


def reproduction(study, metrics: dict) -> list[dict]:
    """"Does the model reproduce the car?": per published figure of the vehicle that is a
    result of the study, the value, the as-built candidate's model value, the error (%), the
    tolerance and whether it is a calibration target; empty without an as-built candidate."""
    i = row(study)
    if i is None:
        return []
    out = []
    for metric, fig in published_figures(study.vehicle).items():
        if metric not in metrics:
            continue
        model = float(np.asarray(metrics[metric], float)[i])
        published = float(fig["value"])
        error = 100.0 * (model / published - 1.0) if np.isfinite(model) else float("nan")
        tol = tolerance_pct(metric)
        out.append({"candidate": study.candidate[i].name, "metric": metric,
                    "published": published, "model": model, "error_pct": error,
                    "tolerance_pct": tol,
                    "within": None if tol is None or not np.isfinite(error) else abs(error) <= tol,
                    "calibrated": metric in study.vehicle.calibration.targets,  # fitted to it
                    "source": str(fig.get("source", ""))})
    return out
