"""The life procedure: a vehicle's daily use and climate aged over years (packstudy.aging).

The usage comes from the vehicle's own simulation. Each day the car drives ``km_per_year/365``
at its WLTP DC consumption, in two trips (``commute_hours``), and is charged at home (AC,
``ac_charge_power_kW``) back to ``charge_target`` on arrival. On trip days, spread evenly over
the year so that DC fast charging delivers ``dc_fast_share`` of the energy, the car drives from
the target down to the fast-charge start SOC, is fast-charged to its end SOC at the C-rate of
the study's fast-charge result (cells at the fast-charge temperature for that hour), drives a
normal day's distance on and is charged at home. Parked, the cells follow the climate's daily
temperature (monthly normals, a sine between the mean daily minimum and maximum) through a
first-order pack lag. Displayed SOC maps onto the pack's usable window of cell SOC.

One day is one aging segment: 12 months x {home day, trip day} segments, a per-variant sequence
of 365 of them a year, run by :func:`packstudy.aging.simulate` for all variants at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import aging, catalog, charging, eol
from .lookup import unknown

DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
CLIMATES = ("temperate", "hot", "cold")


class LifeError(ValueError):
    """A bad life or climate input; ``field`` names the study key."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def default(key: str):
    """A sourced default of ``data/factors/life.toml``."""
    return catalog.factor("life", key)


@dataclass(frozen=True)
class Climate:
    name: str
    place: str
    grid_region: str | None
    t_max_C: np.ndarray  # (12,) monthly mean daily maximum, degC
    t_min_C: np.ndarray  # (12,)


def load_climate(spec: str, base_dir: Path | None = None) -> Climate:
    """A named climate (``temperate``, ``hot``, ``cold``) or a user CSV of hourly
    ``temperature_C`` for one year from 1 January 00:00 (8,760 or 8,784 rows)."""
    if spec.endswith(".csv"):
        return _climate_csv(Path(base_dir or ".") / spec)
    entry = catalog.factor_table("life").get(f"climate_{spec}")
    if entry is None:
        raise LifeError("study.life.climate", unknown(
            "climate", spec, CLIMATES, more=", or an hourly CSV file (temperature_C)"))
    return Climate(spec, entry["value"], entry["grid_region"], np.array(entry["t_max_C"]),
                   np.array(entry["t_min_C"]))


def _climate_csv(path: Path) -> Climate:
    from .ecm_fit import FitDataError, read_csv_columns

    try:
        temp = read_csv_columns(path, ("temperature_C",))["temperature_C"]
    except FitDataError as exc:
        raise LifeError("study.life.climate", str(exc)) from None
    if temp.size not in (8760, 8784):
        raise LifeError("study.life.climate", f"{path}: column temperature_C: needs one year of "
                        f"hourly values (8760 or 8784 rows); got {temp.size}")
    if np.any((temp < -60.0) | (temp > 60.0)):
        raise LifeError("study.life.climate", f"{path}: column temperature_C: must lie in "
                        "-60..60 degC")
    days = temp[:8760].reshape(365, 24)
    month = np.repeat(np.arange(12), DAYS_IN_MONTH)
    t_max = np.array([days[month == m].max(axis=1).mean() for m in range(12)])
    t_min = np.array([days[month == m].min(axis=1).mean() for m in range(12)])
    return Climate(path.stem, str(path), None, t_max, t_min)


@dataclass(frozen=True)
class LifeSettings:
    """The resolved ``[study] life`` (sourced defaults filled in) and ``warranty``."""

    years: float
    km_per_year: float
    climate: Climate
    dc_fast_share: float
    charge_target: float
    recycling: str  # the cells' end-of-life route (packstudy.eol)
    warranty: dict | None = None  # years, km, min_capacity_pct


def settings(life: dict | None, warranty: dict | None, base_dir: Path | None = None
             ) -> LifeSettings:
    """Fill a ``[study] life`` table (None values: defaults) and check the combination."""
    life = {k: v for k, v in (life or {}).items() if v is not None}
    get = {k: life.get(k, default(k)) for k in ("years", "km_per_year", "climate",
                                                 "dc_fast_share", "charge_target")}
    fc_start = charging.default("soc_start")
    if get["charge_target"] <= fc_start:
        raise LifeError("study.life.charge_target", f"must lie above the fast-charge start SOC "
                        f"{fc_start:g}; got {get['charge_target']:g}")
    try:
        route = eol.recycling_route(life.get("recycling"))
    except ValueError as exc:
        raise LifeError("study.life.recycling", str(exc)) from None
    return LifeSettings(float(get["years"]), float(get["km_per_year"]),
                        load_climate(str(get["climate"]), base_dir), float(get["dc_fast_share"]),
                        float(get["charge_target"]), route,
                        {k: v for k, v in (warranty or {}).items() if v is not None} or None)


def _ramp(t_h, start_h, duration_h, amount):
    """amount x the fraction of [start, start + duration] passed at t (all (n, 1) or (k,))."""
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(duration_h > 0.0, (t_h - start_h) / duration_h, (t_h >= start_h) * 1.0)
    return amount * np.clip(f, 0.0, 1.0)


@dataclass(frozen=True)
class Usage:
    """Per variant: the SOC trace of a home day and a trip day (displayed SOC), trip days a
    year, the DC and everyday-driving C-rates; and the traces' time grid (h)."""

    time_h: np.ndarray  # (k,)
    home: np.ndarray  # (n, k)
    trip: np.ndarray  # (n, k)
    trip_days_per_year: np.ndarray  # (n,)
    c_rate_dc: np.ndarray  # (n,)
    c_rate_drive: np.ndarray  # (n,) mean on everyday trips


def usage(s: LifeSettings, usable_kWh, dc_kWh_per_km, dc_c_rate, window) -> Usage:
    """The two day types of every variant; ``window``: usable fraction of cell capacity."""
    usable = np.asarray(usable_kWh, float)[:, None]
    per_km = np.asarray(dc_kWh_per_km, float)[:, None]
    n = usable.shape[0]
    fc0, fc1 = charging.default("soc_start"), charging.default("soc_end")
    target = s.charge_target
    step = default("sample_minutes") / 60.0
    noon = default("dc_session_hour")
    c_dc = np.asarray(dc_c_rate, float)[:, None]
    dc_h = (fc1 - fc0) * np.asarray(window, float)[:, None] / c_dc
    t = _time_grid(step, default("dc_sample_minutes") / 60.0, noon, float(np.max(dc_h)))
    year_share = s.km_per_year * per_km / usable  # displayed-SOC units drawn a year
    daily = year_share * (1.0 - s.dc_fast_share * (target - fc0) / (fc1 - fc0)) / 365.0
    trips = np.minimum(s.dc_fast_share * year_share / (fc1 - fc0), 365.0)
    commute = default("commute_mean_speed_kmh")
    per_trip_h = 0.5 * daily * usable / per_km / commute
    ac_rate = default("ac_charge_power_kW") * default("ac_charge_efficiency") / usable  # SOC/h
    h1, h2 = default("commute_hours")

    def on_grid(hour):  # events start on a sample, so that every SOC turn is sampled
        return np.ceil(hour / step - 1e-9) * step

    plug = on_grid(h2 + per_trip_h)
    home = (target - _ramp(t, h1, per_trip_h, 0.5 * daily) - _ramp(t, h2, per_trip_h, 0.5 * daily)
            + _ramp(t, plug, np.minimum(daily / ac_rate, 24.0 - step - plug), daily))
    # trip day: drive down to the fast-charge start, charge to its end at noon, drive on
    long_h = np.minimum((target - fc0) * usable / per_km / default("long_trip_mean_speed_kmh"),
                        noon)
    after = np.maximum(daily, fc1 - target)  # arrive at or below the target
    leave = on_grid(noon + dc_h)
    drive2_h = 2.0 * per_trip_h * after / np.maximum(daily, 1e-9)
    plug2 = on_grid(leave + drive2_h)
    back = target - fc1 + after
    trip = (target - _ramp(t, noon - long_h, long_h, target - fc0)
            + _ramp(t, noon, dc_h, fc1 - fc0) - _ramp(t, leave, drive2_h, after)
            + _ramp(t, plug2, np.clip(back / ac_rate, 0.0, 24.0 - step - plug2), back))
    drive_c = (daily * np.asarray(window, float)[:, None] / np.maximum(2.0 * per_trip_h, 1e-9))
    return Usage(t, home, trip, trips[:, 0], c_dc[:, 0] * np.ones(n), drive_c[:, 0])


def _time_grid(step_h: float, fine_h: float, dc_start_h: float, dc_h: float) -> np.ndarray:
    """The day's sample times (h): every ``step_h``, and every ``fine_h`` through the longest
    DC session, so that its charge rate is not averaged with the parked time around it."""
    coarse = np.arange(0.0, 24.0 + 0.5 * step_h, step_h)
    end = min(dc_start_h + np.ceil(dc_h / step_h - 1e-9) * step_h, 24.0)
    fine = np.arange(dc_start_h, end + 0.5 * fine_h, fine_h)
    return np.unique(np.round(np.concatenate([coarse, fine]), 9))


def parked_temperature_C(climate: Climate, time_h: np.ndarray) -> np.ndarray:
    """(12, k) cell temperature of a parked pack each month: the air's daily sinusoid between the
    mean minimum and maximum, peaking at ``daily_max_hour``, damped and delayed by the pack's
    time constant (first-order lag)."""
    tau = default("parked_pack_time_constant_h")
    w = 2.0 * np.pi / 24.0
    gain = 1.0 / np.sqrt(1.0 + (w * tau) ** 2)
    lag_h = np.arctan(w * tau) / w
    mean = 0.5 * (climate.t_max_C + climate.t_min_C)[:, None]
    amp = 0.5 * (climate.t_max_C - climate.t_min_C)[:, None]
    return mean + gain * amp * np.cos(w * (time_h[None, :] - default("daily_max_hour") - lag_h))


def year_sequence(trip_days_per_year: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The segments of a year per variant, run-length coded: (segment, days in a row), each
    (n, runs), zero-padded. A day's segment is 2 x month + (1 on a trip day); trip days are
    spread evenly."""
    month = np.repeat(np.arange(12), DAYS_IN_MONTH)
    day = np.arange(365)
    f = np.asarray(trip_days_per_year, float)[:, None] / 365.0
    trip = np.floor((day + 1) * f + 1e-9) > np.floor(day * f + 1e-9)
    ids = 2 * month[None, :] + trip.astype(np.int64)
    n = ids.shape[0]
    start = np.ones(ids.shape, bool)
    start[:, 1:] = ids[:, 1:] != ids[:, :-1]
    run = np.cumsum(start, axis=1) - 1
    rows = np.broadcast_to(np.arange(n)[:, None], ids.shape)
    counts = np.zeros((n, int(run[:, -1].max()) + 1), dtype=np.int64)
    np.add.at(counts, (rows, run), 1)
    seg = np.zeros_like(counts)
    seg[rows[start], run[start]] = ids[start]
    return seg, counts


@dataclass(frozen=True)
class LifeRun:
    """Retention at the record points, and the aging model of each row."""

    retention: np.ndarray  # (n, records) fraction
    efc: np.ndarray  # (n, records)
    years_to_threshold: np.ndarray  # (n,)
    record_years: np.ndarray  # (n, records)


def simulate_life(s: LifeSettings, models: list[aging.CellAging], u: Usage, window, soc_min,
                  record_years: np.ndarray, scale: np.ndarray | None = None) -> LifeRun:
    """Age every variant through its usage in the climate until the horizon."""
    n, k = u.home.shape
    window = np.asarray(window, float)[:, None]
    cell_soc = np.concatenate([u.home, u.trip], axis=1) * window + np.asarray(soc_min)[:, None]
    parked = parked_temperature_C(s.climate, u.time_h)
    trip_temp = parked.copy()
    noon = default("dc_session_hour")
    trip_temp[:, (u.time_h >= noon) & (u.time_h <= noon + 1.0)] = charging.default("temperature_C")
    temp = np.stack([parked, trip_temp], axis=1).reshape(1, -1)  # month, day type, sample
    seg = np.arange(24)
    segments = ((seg % 2) * k, seg * k, np.full(24, k))
    form, par = aging.model_arrays(models, scale)
    seq, reps = year_sequence(u.trip_days_per_year)
    horizon = np.maximum(np.nanmax(record_years, axis=1), default("horizon_years")) * 365.0
    run = aging.simulate(form, par, np.clip(cell_soc, 0.0, 1.0), np.tile(u.time_h, 2) * 3600.0, temp,
                         np.zeros(n, dtype=np.int64), segments, seq, horizon,
                         record_years * 365.0,
                         threshold=default("end_of_life_retention_pct") / 100.0, repeats=reps)
    return LifeRun(run.capacity_retention, run.efc, run.days_to_threshold / 365.0, record_years)


def check_points(s: LifeSettings) -> np.ndarray:
    """Years of the record points: life end (or the warranty point), Euro 7 points, warranty."""
    km = s.km_per_year
    e7 = [min(y, d / km) for y, d in zip(default("euro7_years"), default("euro7_km"), strict=True)]
    w = s.warranty
    w_years = min(w["years"], w["km"] / km) if w else s.years
    return np.array([min(s.years, w_years) if w else s.years, *e7, w_years])


def _aged_powertrain(pt, retention, growth):
    """The powertrain with each pack's capacity and cell resistances aged."""
    from dataclasses import replace

    from . import kernel

    bat = pt.battery.copy()
    bat[:, kernel.B_CAPACITY_AH] *= retention
    r = (1.0 + growth)[:, None, None]
    return replace(pt, battery=bat, r0_ohm=np.ascontiguousarray(pt.r0_ohm * r),
                   r1_ohm=np.ascontiguousarray(pt.r1_ohm * r),
                   usable_energy_kWh=pt.usable_energy_kWh * retention)


FADE_CURVE_STEP_YEARS = 0.25  # points of the report's fade curve


def life_procedure(s: LifeSettings, cell_names, cell_chemistries, pt, metrics: dict,
                   grid_kgCO2e_per_kWh: float, cells_mass_kg, aged_results=None,
                   uncertainty=None) -> tuple[dict, dict, list[str]]:
    """The life results of every variant, the fade curve for the report and notes.

    Needs ``wltp_dc_kWh_per_100km``, ``wltp_kWh_per_100km``, ``pack_energy_kWh``,
    ``pack_cost_usd`` and ``footprint_kgCO2e`` in ``metrics``; uses ``fast_charge_10_80_min``
    for the DC C-rate when present. ``cells_mass_kg`` (n,): the cells recycled at the end of
    life by ``s.recycling`` (:func:`packstudy.eol.recycling_results`). ``aged_results(pt)``:
    more results of the aged powertrain
    (e.g. acceleration). With ``uncertainty`` (UncertaintySettings), P10/P50/P90 of the
    retention from each cell's fade-scale band."""
    from . import procedures

    n = pt.n
    distinct = {}
    for name, chem in zip(cell_names, cell_chemistries, strict=True):
        if name not in distinct:
            try:
                distinct[name] = aging.cell_aging(str(name), chemistry=str(chem))
            except aging.AgingError as exc:
                raise LifeError("candidate.cell", str(exc)) from None
    models = [distinct[c] for c in cell_names]
    window = pt.soc_max - pt.soc_min
    fc0, fc1 = charging.default("soc_start"), charging.default("soc_end")
    minutes = metrics.get(f"fast_charge_{round(100 * fc0)}_{round(100 * fc1)}_min")
    dc_c = np.full(n, default("dc_fast_c_rate"))
    if minutes is not None:
        minutes = np.asarray(minutes, float)
        ok = np.isfinite(minutes) & (minutes > 0)
        dc_c[ok] = (fc1 - fc0) * window[ok] / (minutes[ok] / 60.0)
    u = usage(s, pt.usable_energy_kWh, np.asarray(metrics["wltp_dc_kWh_per_100km"]) / 100.0,
              dc_c, window)
    points = check_points(s)
    curve_years = np.arange(0.0, s.years + 1e-9, FADE_CURVE_STEP_YEARS)
    wanted = np.concatenate([points, curve_years])
    order = np.argsort(wanted, kind="stable")
    run = simulate_life(s, models, u, window, pt.soc_min,
                        np.broadcast_to(wanted[order], (n, wanted.size)))
    q = np.empty_like(run.retention)
    q[:, order] = run.retention
    efc = np.empty_like(run.efc)
    efc[:, order] = run.efc
    q_end = q[:, 0]
    growth = aging.resistance_growth(q_end)
    km = points[0] * s.km_per_year
    delivered_kWh = efc[:, 0] * np.asarray(metrics["pack_energy_kWh"], float)
    use_kWh = km * np.asarray(metrics["wltp_kWh_per_100km"], float) / 100.0
    aged_pt = _aged_powertrain(pt, q_end, growth)
    aged = procedures.wltp(aged_pt)
    try:
        end = eol.recycling_results(s.recycling, cell_chemistries, cells_mass_kg,
                                    metrics["graphite_kg"], metrics["lithium_kg"])
    except ValueError as exc:
        raise LifeError("candidate.cell", str(exc)) from None
    out = {
        "life_capacity_retention_pct": 100.0 * q_end,
        "life_resistance_growth_pct": 100.0 * growth,
        "life_years_to_70pct": run.years_to_threshold,
        "life_km_to_70pct": run.years_to_threshold * s.km_per_year,
        "life_wltp_range_end_km": aged["wltp_range_km"],
        "life_energy_throughput_MWh": delivered_kWh / 1e3,
        "life_footprint_kgCO2e_per_kWh_delivered":
            np.asarray(metrics["footprint_kgCO2e"], float) / delivered_kWh,
        "lifecycle_kgCO2e_per_km": (np.asarray(metrics["footprint_kgCO2e"], float)
                                    + use_kWh * grid_kgCO2e_per_kWh
                                    + end["eol_recycling_kgCO2e"] + end["eol_credit_kgCO2e"]) / km,
        **end,
        "life_cost_usd_per_km": np.asarray(metrics["pack_cost_usd"], float) / km,
        "life_second_life_energy_kWh": q_end * np.asarray(metrics["pack_energy_kWh"], float),
        "life_capacity_at_euro7_5y_pct": 100.0 * q[:, 1],
        "life_capacity_at_euro7_8y_pct": 100.0 * q[:, 2],
    }
    if s.warranty:
        out["life_capacity_at_warranty_pct"] = 100.0 * q[:, 3]
    if aged_results is not None:
        out.update(aged_results(aged_pt))
    if uncertainty is not None:
        from .uncertainty import monotone_percentile_inputs

        scales = monotone_percentile_inputs([m.scale_low for m in models],
                                            [m.scale for m in models],
                                            [m.scale_high for m in models], uncertainty)
        for pct, scale in scales.items():
            r = simulate_life(s, models, u, window, pt.soc_min, points[None, :1].repeat(n, 0),
                              scale)
            out[f"life_capacity_retention_pct_p{pct}"] = 100.0 * r.retention[:, 0]
    curve = {"time_years": curve_years,
             "capacity_retention_pct": 100.0 * q[:, points.size:]}
    return out, curve, _notes(s, distinct, np.asarray(cell_names), u, run)


def _notes(s: LifeSettings, distinct: dict, cell_names: np.ndarray, u: Usage, run: LifeRun
           ) -> list[str]:
    notes = []
    temp = parked_temperature_C(s.climate, u.time_h)
    t_all = np.append(temp.ravel(), charging.default("temperature_C"))
    for name, a in distinct.items():
        rows = cell_names == name
        notes += aging.validity_notes(a, t_all, float(np.max(u.c_rate_dc[rows])),
                                      float(np.max(u.c_rate_drive[rows])))
    beyond = int(np.isnan(run.years_to_threshold).sum())
    if beyond:
        notes.append(f"life_years_to_70pct: {beyond} of {run.retention.shape[0]} rows keep more "
                     f"than 70 % for {default('horizon_years'):g} years (the horizon): null")
    short = int(np.sum(u.home.min(axis=1) < 0.0))
    if short:
        notes.append(f"study.life.km_per_year: a day's driving empties the usable window of "
                     f"{short} rows; their SOC is held at the window's bottom (their aging is "
                     "understated)")
    if np.any(u.trip_days_per_year >= 365.0):
        notes.append("study.life.dc_fast_share: more energy than one fast charge a day delivers;"
                     " capped at a fast charge every day")
    return notes


def limit_columns(metrics: dict, warranty) -> list[tuple]:
    """The technical limits of the life results, as (name, limit, value) columns for
    ``study.life_and_recycling_limits``: ``limit:euro7_durability`` (always: the binding one of the two
    Euro 7 points) and ``limit:warranty`` (when a warranty is given), on capacity in %."""
    q5 = np.asarray(metrics["life_capacity_at_euro7_5y_pct"], float)
    q8 = np.asarray(metrics["life_capacity_at_euro7_8y_pct"], float)
    lim5, lim8 = default("euro7_retention_pct")
    first = (q5 - lim5) <= (q8 - lim8)
    columns = [("limit:euro7_durability", np.where(first, lim5, lim8), np.where(first, q5, q8))]
    if warranty is not None:
        columns.append(("limit:warranty", np.full(q5.size, float(warranty.min_capacity_pct)),
                        np.asarray(metrics["life_capacity_at_warranty_pct"], float)))
    return columns
