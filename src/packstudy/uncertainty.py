"""Monte Carlo uncertainty of pack cost and footprint.

Every factor-table entry with ``low < high`` is sampled from a PERT distribution (a Beta between
low and high with its mode at ``value``, shape 4), independently, with a seeded NumPy Generator.
Sampled values have shape (samples, 1) and broadcast against the variants inside the cost and
footprint functions, so one call evaluates samples x variants with no loop over samples; variants
are processed in chunks to bound memory. The result is deterministic for a given seed.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from packstudy import catalog, power_electronics
from packstudy import cost as cost_module
from packstudy.chemistry import FACTOR_TABLES, load_tables
from packstudy.cost import pack_cost
from packstudy.footprint import pack_footprint

PERCENTILES = (10, 50, 90)
DEFAULT_SAMPLES = 1000  # Monte Carlo samples per variant
DEFAULT_SEED = 1  # of numpy.random.default_rng


def default_settings() -> SimpleNamespace:
    """The ``[uncertainty]`` values when a study gives none (the defaults of
    ``spec.UncertaintySettings``)."""
    return SimpleNamespace(samples=DEFAULT_SAMPLES, seed=DEFAULT_SEED)


def pert(rng: np.random.Generator, low, mode, high, size) -> np.ndarray:
    """PERT samples: low + (high-low) Beta(1 + 4 (mode-low)/(high-low), 1 + 4 (high-mode)/...)."""
    span = high - low
    a = 1.0 + 4.0 * (mode - low) / span
    b = 1.0 + 4.0 * (high - mode) / span
    return low + span * rng.beta(a, b, size=size)


def sample_tables(samples: int, seed: int, price_year: int | None = None
                  ) -> dict[str, dict[str, dict]]:
    """Factor tables whose uncertain entries carry (samples, 1) arrays of sampled values
    (materials from the price set of ``price_year``; the power-electronics table last, so that
    the pack's samples do not depend on it)."""
    rng = np.random.default_rng(seed)
    tables = {**load_tables(price_year=price_year),
              power_electronics.TABLE: catalog.factor_table(power_electronics.TABLE)}
    out: dict[str, dict[str, dict]] = {}
    for name in (*FACTOR_TABLES, power_electronics.TABLE):
        for key in sorted(tables[name]):
            entry = tables[name][key]
            low, high = entry.get("low"), entry.get("high")
            if low is None or high is None or not low < high:
                continue
            mode = min(max(entry["value"], low), high)
            out.setdefault(name, {})[key] = {
                **entry, "value": pert(rng, low, mode, high, (samples, 1))}
    return out


def cost_footprint_percentiles(chemistry, cell_energy_Wh, cell_mass_kg, cell_format, n_cells,
                               pack_energy_kWh, integration, n_parallel=1,
                               cost=None, footprint=None, settings=None,
                               electronics: dict | None = None,
                               max_elements: int = 2_000_000,
                               construction: dict | None = None) -> dict[str, np.ndarray]:
    """P10/P50/P90 per variant of ``pack_cost_usd_per_kWh`` and ``footprint_kgCO2e_per_kWh``,
    and of ``system_cost_usd`` when ``electronics`` (the inputs of
    ``power_electronics.system_metrics`` but the pack's cost and footprint) is given.

    ``cost``, ``footprint``, ``settings``: the study's ``[cost]``, ``[footprint]`` and
    ``[uncertainty]`` (``spec`` models; None: the modules' ``default_settings``).
    Returns keys like ``pack_cost_usd_per_kWh_p10`` ... ``footprint_kgCO2e_per_kWh_p90``.
    """
    settings = settings or default_settings()
    cost = cost or cost_module.default_settings()
    sampled = sample_tables(settings.samples, settings.seed, cost.year)
    if footprint is not None and footprint.grid_kgCO2e_per_kWh is not None:
        sampled.get("grid", {}).clear()
    args = np.broadcast_arrays(
        np.asarray(chemistry, dtype=str), np.asarray(cell_energy_Wh, dtype=float),
        np.asarray(cell_mass_kg, dtype=float), np.asarray(cell_format, dtype=str),
        np.asarray(n_cells, dtype=float), np.asarray(pack_energy_kWh, dtype=float),
        np.asarray(integration, dtype=str), np.asarray(n_parallel, dtype=float))
    args = [np.atleast_1d(a) for a in args]
    n_var = args[0].size
    chunk = max(1, max_elements // settings.samples)
    metrics = ("pack_cost_usd_per_kWh", "footprint_kgCO2e_per_kWh")
    if electronics is not None:
        metrics += ("system_cost_usd",)
        pe_args = {k: np.broadcast_to(np.asarray(electronics[k]), (n_var,))
                   for k in ("kind", "kind_2", "share_1", "motor_power_W", "pack_nominal_voltage_V",
                             "pack_max_voltage_V", "charger_power_W", "charger_current_A",
                             "charger_max_voltage_V") if k in electronics}
    names = [f"{m}_p{p}" for m in metrics for p in PERCENTILES]
    out = {k: np.empty(n_var) for k in names}
    for start in range(0, n_var, chunk):
        sl = slice(start, start + chunk)
        a = [x[sl] for x in args]
        own = {k: np.broadcast_to(np.asarray(v, float), (n_var,))[sl]
               for k, v in (construction or {}).items()}
        c = pack_cost(*a[:7], settings=cost, n_parallel=a[7], factors=sampled, construction=own)
        f = pack_footprint(*a[:7], settings=footprint, factors=sampled, construction=own)
        columns = {"pack_cost_usd_per_kWh": c.pack_cost_usd_per_kWh,
                   "footprint_kgCO2e_per_kWh": f.footprint_kgCO2e_per_kWh}
        if electronics is not None:
            columns["system_cost_usd"] = power_electronics.system_metrics(
                **{k: x[sl] for k, x in pe_args.items()}, pack_cost_usd=c.pack_cost_usd,
                pack_footprint_kgCO2e=0.0, year=cost.year,
                factors=sampled.get(power_electronics.TABLE))["system_cost_usd"]
        for metric, values in columns.items():
            pct = np.percentile(np.broadcast_to(values, (settings.samples, a[0].size)),
                                PERCENTILES, axis=0)
            for p, row in zip(PERCENTILES, pct, strict=True):
                out[f"{metric}_p{p}"][sl] = row
    return out


def monotone_percentile_inputs(low, mode, high, settings=None) -> dict[int, np.ndarray]:
    """For a result that falls as an uncertain input rises (aging retention against the fade
    scale): the input's value at which the result reaches each of ``PERCENTILES``, i.e. the
    input's (100 - p)-th percentile of its seeded PERT samples. Arrays broadcast over variants."""
    settings = settings or default_settings()
    rng = np.random.default_rng(settings.seed)
    low, mode, high = np.broadcast_arrays(*(np.asarray(x, float) for x in (low, mode, high)))
    draws = pert(rng, low, np.clip(mode, low, high), np.where(high > low, high, low + 1e-12),
                 (settings.samples, *low.shape))
    return {p: np.percentile(draws, 100 - p, axis=0) for p in PERCENTILES}
