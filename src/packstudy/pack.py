"""Pack design from a cell: series/parallel counts, energy, mass, volume, voltage, power.

Every function works on columns (one element per variant). A pack is given either by its
counts (``series``, ``parallel``) or by targets (``usable_energy_kWh``, ``nominal_voltage_V``);
NaN marks a value that is not given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import catalog, ecm
from .lookup import unknown

INTEGRATIONS = ("module", "cell_to_pack", "cell_to_body")
ENERGY_SLACK = 0.02  # designer: accept 2 % more energy than the least to get nearer the voltage goal


class PackDesignError(ValueError):
    """A pack that cannot be built as asked (message names the field and the limit);
    ``rows`` are the variants concerned."""

    def __init__(self, message: str, rows=()):
        super().__init__(message)
        self.rows = [int(r) for r in rows]


@dataclass(frozen=True)
class PackArrays:
    """Designed packs, one element per variant."""

    series: np.ndarray
    parallel: np.ndarray
    cells: np.ndarray
    energy_kWh: np.ndarray  # nominal: cells x cell capacity x cell nominal voltage
    usable_energy_kWh: np.ndarray  # OCV energy over the usable SOC window
    nominal_voltage_V: np.ndarray
    min_voltage_V: np.ndarray
    max_voltage_V: np.ndarray
    mass_kg: np.ndarray
    volume_L: np.ndarray
    soc_min: np.ndarray
    soc_max: np.ndarray
    integration: np.ndarray  # str

    @property
    def specific_energy_Wh_per_kg(self) -> np.ndarray:
        return self.energy_kWh * 1e3 / self.mass_kg


def default(key: str) -> float:
    """A sourced pack-design default from ``data/factors/pack_design.toml``."""
    return float(catalog.factor("pack_design", key))


def _interp_rows(grid, rows, x):
    """Row-wise linear interpolation: rows (n, len(grid)) evaluated at x (n,)."""
    x = np.clip(np.broadcast_to(x, rows.shape[:1]), grid[0], grid[-1])
    j = np.clip(np.searchsorted(grid, x, side="right") - 1, 0, grid.size - 2)
    w = (x - grid[j]) / (grid[j + 1] - grid[j])
    k = np.arange(rows.shape[0])
    return rows[k, j] * (1.0 - w) + rows[k, j + 1] * w


def ocv_energy_Wh_per_Ah(ocv_V: np.ndarray, soc_lo, soc_hi) -> np.ndarray:
    """Integral of OCV over SOC between two bounds (Wh per Ah of capacity), per row.

    ``ocv_V`` is (n, len(SOC_GRID)), linear between grid points (integrated exactly).
    """
    grid = ecm.SOC_GRID
    steps = 0.5 * (ocv_V[:, 1:] + ocv_V[:, :-1]) * np.diff(grid)
    cumulative = np.concatenate([np.zeros((ocv_V.shape[0], 1)), np.cumsum(steps, axis=1)], axis=1)

    def integral_to(s):
        s = np.clip(np.broadcast_to(s, ocv_V.shape[:1]), 0.0, 1.0)
        j = np.clip(np.searchsorted(grid, s, side="right") - 1, 0, grid.size - 2)
        k = np.arange(ocv_V.shape[0])
        v_s = _interp_rows(grid, ocv_V, s)
        return cumulative[k, j] + 0.5 * (ocv_V[k, j] + v_s) * (s - grid[j])

    return integral_to(soc_hi) - integral_to(soc_lo)


def design_pack(
    cells,
    *,
    series=np.nan,
    parallel=np.nan,
    usable_energy_kWh=np.nan,
    nominal_voltage_V=np.nan,
    integration="module",
    soc_min=None,
    soc_max=None,
) -> PackArrays:
    """Design packs from cells (a ``cell.CellArrays`` with n rows) and per-variant targets.

    Series count: given, else the nominal-voltage target divided by the cell's nominal
    voltage, rounded; with neither, chosen inside the default (400 V) class with the parallel
    count, or, where no pack of that class meets the energy within its tolerance
    (limits.toml), at the voltage nearest the class that does (``_free_voltage``). Parallel
    count: given, else the smallest count that reaches the usable-energy target. With both
    targets, the pack nearest to both within the tolerances of data/factors/limits.toml
    (``feasible_counts``) when there is one. Mass and volume: cell
    totals over the integration's sourced cell-to-pack ratios.
    """
    n = cells.capacity_Ah.shape[0]
    lo = np.broadcast_to(default("usable_soc_min") if soc_min is None else soc_min, (n,))
    hi = np.broadcast_to(default("usable_soc_max") if soc_max is None else soc_max, (n,))
    series = series_asked = np.broadcast_to(np.asarray(series, float), (n,))
    parallel = parallel_asked = np.broadcast_to(np.asarray(parallel, float), (n,))
    target_V = np.broadcast_to(np.asarray(nominal_voltage_V, float), (n,))
    target_kWh = np.broadcast_to(np.asarray(usable_energy_kWh, float), (n,))
    integration = np.broadcast_to(np.asarray(integration, dtype=str), (n,))

    bad = sorted(set(np.unique(integration)) - set(INTEGRATIONS))
    if bad:
        raise PackDesignError("pack.integration: " + unknown("integration", bad[0], INTEGRATIONS),
                              np.flatnonzero(~np.isin(integration, INTEGRATIONS)))
    usable_cell_Wh = cells.capacity_Ah * ocv_energy_Wh_per_Ah(cells.ocv_V, lo, hi)
    missing = np.isnan(parallel) & np.isnan(target_kWh)
    if np.any(missing):
        raise PackDesignError(
            "pack: give parallel (with series or nominal_voltage_V) or usable_energy_kWh",
            np.flatnonzero(missing))
    voltage_goal = np.where(np.isnan(target_V), default("nominal_voltage_V"), target_V)
    too_low = voltage_goal * (1.0 + default("voltage_class_tolerance")) < cells.nominal_voltage_V
    if np.any(too_low):
        raise PackDesignError(
            "pack.nominal_voltage_V: too low to reach with one cell in series (the cell's "
            f"nominal voltage is {float(np.max(cells.nominal_voltage_V[too_low])):.2f} V)",
            np.flatnonzero(too_low))
    # a nominal voltage asked: the pack of this cell nearest to both requests when one lies
    # within the tolerances (limits.toml), else the series count nearest to the voltage
    # (limits.py then fails the candidate with the reason)
    asked_V = np.isnan(series) & ~np.isnan(target_V)
    fs, fp = feasible_counts(cells.nominal_voltage_V, usable_cell_Wh, target_V,
                             np.where(asked_V, target_kWh, np.nan))  # only rows it may change
    use = asked_V & np.isnan(parallel) & ~np.isnan(fs)
    nearest_V = np.maximum(np.round(target_V / cells.nominal_voltage_V), 1.0)
    series = np.where(use, fs, np.where(asked_V, nearest_V, series))
    parallel = np.where(use, fp, parallel)
    series, parallel = _counts(series, parallel, target_kWh, voltage_goal, usable_cell_Wh,
                               cells.nominal_voltage_V)
    # energy asked without a voltage or counts, and no pack of the default class within the
    # energy tolerance: the nearest pack in the class, else at a free voltage
    free = np.isnan(target_V) & np.isnan(series_asked) & np.isnan(parallel_asked)
    series, parallel = _free_voltage(series, parallel, free, target_kWh, usable_cell_Wh,
                                     cells.nominal_voltage_V)
    count = series * parallel
    cell_mass = count * cells.mass_kg
    cell_volume = count * cells.volume_L
    grav = _by_integration(integration, "gravimetric_ratio_")
    vol = _by_integration(integration, "volumetric_ratio_")
    return PackArrays(
        series=series,
        parallel=parallel,
        cells=count,
        energy_kWh=count * cells.capacity_Ah * cells.nominal_voltage_V / 1e3,
        usable_energy_kWh=count * usable_cell_Wh / 1e3,
        nominal_voltage_V=series * cells.nominal_voltage_V,
        min_voltage_V=series * cells.v_min_V,
        max_voltage_V=series * cells.v_max_V,
        mass_kg=cell_mass / grav,
        volume_L=cell_volume / vol,
        soc_min=np.asarray(lo, float),
        soc_max=np.asarray(hi, float),
        integration=np.asarray(integration),
    )


def feasible_counts(cell_voltage_V, usable_cell_Wh, voltage_V, usable_energy_kWh):
    """Series and parallel counts of the pack nearest to both targets (the larger of the two
    relative deviations, over its tolerance, smallest) among those within both tolerances of
    data/factors/limits.toml; NaN where none is or no energy is asked. Without a voltage
    target (NaN), the voltage may move within the default class (``nominal_voltage_V`` +-
    ``voltage_class_tolerance``) and only the energy counts."""
    n = np.shape(cell_voltage_V)[0]
    volt = np.broadcast_to(np.asarray(voltage_V, float), (n,))
    energy_Wh = np.broadcast_to(np.asarray(usable_energy_kWh, float), (n,)) * 1e3
    free = np.isnan(volt)
    goal = np.where(free, default("nominal_voltage_V"), volt)
    tol_v = np.where(free, default("voltage_class_tolerance"),
                     float(catalog.factor("limits", "nominal_voltage_tolerance")))
    tol_e = float(catalog.factor("limits", "usable_energy_tolerance"))
    s_lo = np.maximum(np.ceil(goal * (1 - tol_v) / cell_voltage_V), 1.0)
    s_hi = np.maximum(np.floor(goal * (1 + tol_v) / cell_voltage_V), s_lo)
    asked = ~np.isnan(energy_Wh)
    best = np.full(n, np.inf)
    best_s, best_p = np.full(n, np.nan), np.full(n, np.nan)
    for k in range(int(np.max(np.where(asked, s_hi - s_lo, 0), initial=0)) + 1):
        s = s_lo + k
        dv = np.where(free, 0.0, np.abs(s * cell_voltage_V / goal - 1.0)) / tol_v
        with np.errstate(invalid="ignore"):
            exact = energy_Wh / (s * usable_cell_Wh)
        for p in (np.maximum(np.floor(exact), 1.0), np.maximum(np.ceil(exact), 1.0)):
            score = np.maximum(dv, np.abs(s * p * usable_cell_Wh / energy_Wh - 1.0) / tol_e)
            better = asked & (s <= s_hi) & (score <= 1.0 + 1e-9) & (score < best)
            best_s, best_p = np.where(better, s, best_s), np.where(better, p, best_p)
            best = np.where(better, score, best)
    return best_s, best_p


def _free_voltage(series, parallel, free, target_kWh, usable_cell_Wh, cell_voltage_V):
    """Counts for the ``free`` rows (energy asked, no voltage, no counts) whose designed
    energy is off the request by more than the tolerance of data/factors/limits.toml: the
    pack of the default voltage class nearest the energy within the tolerance
    (``feasible_counts``), else the parallel count that puts the series count meeting the
    energy nearest the class's voltage. Other rows are returned unchanged."""
    tol = float(catalog.factor("limits", "usable_energy_tolerance"))
    with np.errstate(invalid="ignore", divide="ignore"):
        off = np.abs(series * parallel * usable_cell_Wh / (target_kWh * 1e3) - 1.0) > tol + 1e-9
    redo = free & off & ~np.isnan(target_kWh)
    if not np.any(redo):
        return series, parallel
    fs, fp = feasible_counts(cell_voltage_V, usable_cell_Wh, np.nan, np.where(redo, target_kWh, np.nan))
    in_class = redo & ~np.isnan(fs)
    series, parallel = np.where(in_class, fs, series), np.where(in_class, fp, parallel)
    outside = redo & np.isnan(fs)
    string_Wh = default("nominal_voltage_V") / cell_voltage_V * usable_cell_Wh  # one class string
    exact_p = np.where(outside, target_kWh * 1e3 / string_Wh, 1.0)
    gap = np.full(series.shape, np.inf)
    for p in (np.maximum(np.floor(exact_p), 1.0), np.maximum(np.ceil(exact_p), 1.0)):
        s = np.maximum(np.round(np.where(outside, target_kWh * 1e3, 0.0) / (p * usable_cell_Wh)), 1.0)
        off_V = np.abs(s * cell_voltage_V - default("nominal_voltage_V"))
        better = outside & (off_V < gap)
        series, parallel = np.where(better, s, series), np.where(better, p, parallel)
        gap = np.where(better, off_V, gap)
    return series, parallel


def _counts(series, parallel, target_kWh, voltage_V, usable_cell_Wh, cell_voltage_V):
    """Series and parallel counts per variant (NaN = to be chosen).

    Given counts are kept. With an energy target and free counts, the smallest pack that
    reaches the target with its nominal voltage inside the voltage class (target +- the
    sourced tolerance) is chosen, trying each parallel count in turn over all variants at once.
    """
    target_Wh = target_kWh * 1e3
    tol = default("voltage_class_tolerance")
    s_min = np.maximum(np.ceil(voltage_V * (1.0 - tol) / cell_voltage_V), 1.0)
    s_max = np.maximum(np.floor(voltage_V * (1.0 + tol) / cell_voltage_V), s_min)
    series_given, parallel_given = ~np.isnan(series), ~np.isnan(parallel)
    s_lo = np.where(series_given, series, s_min)
    s_hi = np.where(series_given, series, s_max)
    def parallel_for(s):
        return np.maximum(np.ceil(target_Wh / (s * usable_cell_Wh) - 1e-9), 1.0)

    p_lo = np.where(parallel_given, parallel, parallel_for(s_hi))
    p_hi = np.where(parallel_given, parallel, parallel_for(s_lo))
    best_s = np.where(series_given, series, np.round(voltage_V / cell_voltage_V))
    best_p = p_lo.copy()
    free = ~(series_given & parallel_given) & ~np.isnan(target_Wh)
    steps = int(np.max(np.where(free, p_hi - p_lo, 0), initial=0)) + 1

    def option(k):
        p = p_lo + k
        s = np.clip(np.ceil(target_Wh / (p * usable_cell_Wh) - 1e-9), s_lo, s_hi)
        energy = p * s * usable_cell_Wh
        return p, s, energy, free & (p <= p_hi) & (energy >= target_Wh * (1 - 1e-9))

    least = np.full(series.shape, np.inf)  # the smallest energy that meets the target
    for k in range(steps):
        _, _, energy, ok = option(k)
        least = np.where(ok, np.minimum(least, energy), least)
    # among the packs within ENERGY_SLACK of that, the one nearest the voltage goal
    gap = np.full(series.shape, np.inf)
    for k in range(steps):
        p, s, energy, ok = option(k)
        off = np.abs(s * cell_voltage_V - voltage_V)
        better = ok & (energy <= least * (1 + ENERGY_SLACK)) & (off < gap)
        best_s = np.where(better, s, best_s)
        best_p = np.where(better, p, best_p)
        gap = np.where(better, off, gap)
    # parallel given without an energy target: series from the voltage goal
    return np.maximum(best_s, 1.0), np.where(parallel_given, parallel, best_p)


def _by_integration(integration: np.ndarray, prefix: str) -> np.ndarray:
    """A per-variant ratio looked up by integration type from the sourced table."""
    table = {kind: default(prefix + kind) for kind in INTEGRATIONS}
    return np.select([integration == k for k in INTEGRATIONS], [table[k] for k in INTEGRATIONS])
