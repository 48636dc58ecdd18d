"""Design limits checked on every candidate, beside the user's requirements.

Each limit is a technical check named ``limit:...`` with its margin, failing the technical
verdict like a requirement does:

- ``limit:nominal_voltage_V`` / ``limit:usable_energy_kWh``: the designed pack within the
  tolerance of the nominal voltage and usable energy asked (``data/factors/limits.toml``);
- ``limit:charger_max_voltage_V``: the pack's highest voltage (every cell at its charge
  cut-off, the BMS limit the charger's constant-voltage phase holds) at most the charger's
  maximum output voltage; ``limit:charger_min_voltage_V``: its lowest (every cell at its
  discharge cut-off) at least the charger's minimum;
- ``limit:ccs_max_voltage_V``: the highest voltage within the CCS 1000 V class;
- ``limit:inverter_device_voltage_V``: the highest voltage within the DC-link ceiling of the
  inverter's device class (blocking voltage less a sourced operating margin);
- ``limit:cell_discharge_current_A``: the pack current at the motor's peak power (at the
  pack's nominal voltage, losses left out: a lower bound) within the cells' 10 s peak current
  times the parallel count.

The cells' charge temperature limit needs no check: the DC fast charge holds the cells at it
as the battery management does (``charging``), and ``charge_temperature_notes`` names the
charges it slowed.

Every value the checks need is a result column (``columns``), so a sweep's batches carry
them and ``checks`` works on any metric table. Plausibility bounds (a pack outside physical
sense) are invalid input instead (``implausible``).
"""

from __future__ import annotations

import numpy as np

from . import catalog, charging, pack, thermal

NOTE_MAX_ROWS = 5  # limit failures explained one by one in the notes; beyond, a count


def default(key: str) -> float:
    """A sourced limit from ``data/factors/limits.toml``."""
    return float(catalog.factor("limits", key))


def ccs_max_voltage_V() -> float:
    """The CCS class's highest DC voltage (charging.toml ``charger_max_voltage_V``)."""
    return float(charging.default("charger_max_voltage_V"))


def inverter_max_dc_voltage_V(kind, nominal_voltage_V) -> np.ndarray:
    """Highest DC-link voltage (V) of the inverter's device class: 650/750 V parts for a Si
    inverter on a bus up to ``voltage_class_boundary_V`` (inverter.toml), 1200 V parts above
    it and for SiC (modelled with the 1200 V part in both classes), less the margin."""
    kind, volt = np.broadcast_arrays(np.asarray(kind), np.asarray(nominal_voltage_V, float))
    high = (kind == "sic") | (volt > float(catalog.factor("inverter", "voltage_class_boundary_V")))
    device = np.where(high, default("inverter_high_class_device_V"),
                      default("inverter_low_class_device_V"))
    return device - default("inverter_device_margin_V")


def columns(cells, packs: pack.PackArrays, requested_voltage_V, requested_kWh, chargers: dict,
            inverter_kinds, motor_peak_W) -> dict[str, np.ndarray]:
    """The result columns the limit checks read, one row per candidate: the pack's highest
    and lowest voltage, the voltage asked (NaN if none), the charger's voltage range (NaN
    where not given), the inverters' DC-link ceiling (``inverter_kinds``: (n, machines)), the
    pack current at the motor's peak power and the cells' peak current limit of the pack, and
    the nearest pack of its cell within both tolerances (``pack_feasible_series``/``_parallel``,
    NaN if none)."""
    n = packs.series.shape[0]
    feasible_s, feasible_p = nearest_feasible(cells, packs, requested_voltage_V, requested_kWh)
    return {
        "pack_max_voltage_V": np.asarray(packs.max_voltage_V, float),
        "pack_min_voltage_V": np.asarray(packs.min_voltage_V, float),
        "pack_requested_nominal_voltage_V": np.broadcast_to(
            np.asarray(requested_voltage_V, float), (n,)).copy(),
        "charger_max_voltage_V": np.asarray(chargers["max_voltage_V"], float),
        "charger_min_voltage_V": np.asarray(chargers["min_voltage_V"], float),
        "inverter_max_dc_voltage_V": inverter_max_dc_voltage_V(  # the lowest of the machines'
            inverter_kinds, np.asarray(packs.nominal_voltage_V, float)[:, None]).min(axis=1),
        "pack_current_at_motor_peak_A": np.asarray(motor_peak_W, float) / packs.nominal_voltage_V,
        "pack_peak_discharge_current_A": cells.i_peak_discharge_A * packs.parallel,
        "pack_feasible_series": feasible_s,
        "pack_feasible_parallel": feasible_p,
    }


def nearest_feasible(cells, packs: pack.PackArrays, requested_voltage_V, requested_kWh):
    """``pack.feasible_counts`` for each row's cell and requests (NaN: none within both
    tolerances, or no energy asked)."""
    usable_cell_Wh = packs.usable_energy_kWh * 1e3 / packs.cells
    return pack.feasible_counts(cells.nominal_voltage_V, usable_cell_Wh, requested_voltage_V,
                                requested_kWh)


def checks(metrics: dict) -> list[tuple]:
    """The limit checks as ``(name, bound, limit, checked, value)`` columns for
    ``decision.check_requirements``; a row is checked where its limit is known."""
    def col(key):
        return np.asarray(metrics[key], float)

    out = []
    volt_asked = col("pack_requested_nominal_voltage_V")
    energy_asked = col("pack_requested_usable_energy_kWh")
    for name, asked, value, tol in (
            ("limit:nominal_voltage_V", volt_asked, col("pack_nominal_voltage_V"),
             default("nominal_voltage_tolerance")),
            ("limit:usable_energy_kWh", energy_asked, col("pack_usable_energy_kWh"),
             default("usable_energy_tolerance"))):
        out.append((name, "min", asked * (1 - tol), ~np.isnan(asked), value))
        out.append((name, "max", asked * (1 + tol), ~np.isnan(asked), value))
    v_max, v_min = col("pack_max_voltage_V"), col("pack_min_voltage_V")
    for name, bound, limit, value in (
            ("limit:charger_max_voltage_V", "max", col("charger_max_voltage_V"), v_max),
            ("limit:charger_min_voltage_V", "min", col("charger_min_voltage_V"), v_min),
            ("limit:ccs_max_voltage_V", "max", np.full(v_max.shape, ccs_max_voltage_V()), v_max),
            ("limit:inverter_device_voltage_V", "max", col("inverter_max_dc_voltage_V"), v_max),
            ("limit:cell_discharge_current_A", "max", col("pack_peak_discharge_current_A"),
             col("pack_current_at_motor_peak_A"))):
        out.append((name, bound, limit, ~np.isnan(limit), value))
    return out


NAMES = ("limit:nominal_voltage_V", "limit:usable_energy_kWh", "limit:charger_max_voltage_V",
         "limit:charger_min_voltage_V", "limit:ccs_max_voltage_V", "limit:inverter_device_voltage_V",
         "limit:cell_discharge_current_A")  # ``checks``'s


def notes(names: list[str], metrics: dict, failed_rows: dict[str, np.ndarray]) -> list[str]:
    """Sentences explaining failed limits: what was designed against what was asked (with
    the nearest feasible pack of the cell, or that none exists), a pack that cannot charge
    on its charger at all without a booster, the device class it needs. ``failed_rows``:
    limit name -> rows failing it."""
    out = []
    m = {k: np.asarray(v) for k, v in metrics.items()}
    for name, rows in failed_rows.items():
        if name not in NAMES:  # another module's limit (life, recycled content): its own notes
            continue
        if rows.size > NOTE_MAX_ROWS:
            out.append(f"{rows.size:,} of {len(names):,} candidates fail {name}.")
            continue
        for i in rows:
            out.append(f"{names[i]!r} fails {name}: " + _why(name, m, i))
    return out


def charge_temperature_notes(names: list[str], metrics: dict) -> list[str]:
    """Which candidates' DC fast charge the cells' charge temperature limit slowed
    (``fast_charge_held_at_temp_limit_min``) and for how long: their charge times include it."""
    held_min = np.asarray(metrics.get("fast_charge_held_at_temp_limit_min", ()), float)
    held = np.flatnonzero(held_min > 0.0)
    if not held.size:
        return []
    which = (", ".join(f"{names[i]!r} for {held_min[i]:.1f} min" for i in held)
             if held.size <= NOTE_MAX_ROWS else
             f"{held.size:,} of {len(names):,} candidates for up to {np.max(held_min[held]):.1f} min")
    return [f"The DC fast charge held the cells at their {thermal.default('cell_charge_limit_C'):.0f} "
            f"°C charge limit (data/factors/thermal.toml): {which}. The current was what the "
            "coolant could carry away there, and the charge times include it; better cell "
            "cooling or colder coolant (study.fast_charge.coolant_C) would shorten them."]


def _why(name: str, m: dict, i: int) -> str:
    """The reason of one failed limit of row ``i``."""
    v_max, v_min = m["pack_max_voltage_V"][i], m["pack_min_voltage_V"][i]
    if name in ("limit:nominal_voltage_V", "limit:usable_energy_kWh"):
        got = (f"its {m['pack_series'][i]:.0f}s{m['pack_parallel'][i]:.0f}p pack has "
               f"{m['pack_nominal_voltage_V'][i]:.0f} V and {m['pack_usable_energy_kWh'][i]:.1f} kWh "
               f"usable")
        asked = [f"{m['pack_requested_nominal_voltage_V'][i]:.0f} V"] if np.isfinite(
            m["pack_requested_nominal_voltage_V"][i]) else []
        if np.isfinite(m["pack_requested_usable_energy_kWh"][i]):
            asked.append(f"{m['pack_requested_usable_energy_kWh'][i]:g} kWh")
        s, p = m["pack_feasible_series"][i], m["pack_feasible_parallel"][i]
        nearest = (f"the nearest pack of its cell within both tolerances is {s:.0f}s{p:.0f}p "
                   "(give pack.series and pack.parallel)" if np.isfinite(s) else
                   "no pack of its cell is within both tolerances: ask for another voltage or "
                   "energy, or choose a cell of another capacity")
        return f"{got} for {' and '.join(asked)} asked; {nearest}."
    if name == "limit:charger_max_voltage_V":
        limit = m["charger_max_voltage_V"][i]
        if m["pack_nominal_voltage_V"][i] > limit:
            return (f"at its nominal {m['pack_nominal_voltage_V'][i]:.0f} V (empty {v_min:.0f} V) "
                    f"the pack is above the charger's {limit:.0f} V: it cannot charge there "
                    "without an on-board DC-DC booster.")
        return (f"full, the pack reaches {v_max:.0f} V, above the charger's {limit:.0f} V: the "
                "charge stops short of full there.")
    if name == "limit:charger_min_voltage_V":
        return (f"empty, the pack falls to {v_min:.0f} V, below the charger's minimum "
                f"{m['charger_min_voltage_V'][i]:.0f} V.")
    if name == "limit:ccs_max_voltage_V":
        return (f"full, the pack reaches {v_max:.0f} V, above the CCS class's "
                f"{ccs_max_voltage_V():.0f} V: no CCS charger can fill it.")
    if name == "limit:inverter_device_voltage_V":
        return (f"full, the pack reaches {v_max:.0f} V, above the {m['inverter_max_dc_voltage_V'][i]:.0f} V "
                "DC-link ceiling of the inverter's power devices (blocking voltage less the "
                "operating margin, data/factors/limits.toml): fewer cells in series, or "
                "devices of a higher voltage class.")
    return (f"at the motor's peak power the pack draws {m['pack_current_at_motor_peak_A'][i]:.0f} A, "
            f"above the {m['pack_peak_discharge_current_A'][i]:.0f} A its cells allow (10 s peak "
            "current x parallel count).")


def implausible(candidates, packs: pack.PackArrays, test_mass_kg) -> list[str]:
    """Problems of designed packs outside physical sense (nominal voltage outside the
    plausible range, energy above the plausible maximum, a pack heavier than the vehicle's
    test mass), each naming the candidate's field; empty when every pack is plausible."""
    lo, hi = default("plausible_min_nominal_voltage_V"), default("plausible_max_nominal_voltage_V")
    most = default("plausible_max_energy_kWh")
    test_mass = np.broadcast_to(np.asarray(test_mass_kg, float), packs.mass_kg.shape)
    volt, energy, mass = packs.nominal_voltage_V, packs.energy_kWh, packs.mass_kg
    bad_volt, bad_energy, heavy = ~((volt >= lo) & (volt <= hi)), energy > most, mass > test_mass
    problems = []
    for i in np.flatnonzero(bad_volt | bad_energy | heavy)[:NOTE_MAX_ROWS]:
        cand = candidates[int(i)]
        given = set(cand.pack.model_fields_set) if cand.pack is not None else set()
        if bad_volt[i]:
            field = "nominal_voltage_V" if "nominal_voltage_V" in given else "series"
            problems.append(f"candidate[{i}].pack.{field}: the pack's nominal voltage is "
                            f"{volt[i]:.4g} V ({packs.series[i]:.0f} cells in series); a traction "
                            f"pack lies within {lo:g}-{hi:g} V (data/factors/limits.toml)")
        if bad_energy[i]:
            field = "usable_energy_kWh" if "usable_energy_kWh" in given else "parallel"
            problems.append(f"candidate[{i}].pack.{field}: the pack holds {energy[i]:,.0f} kWh; a "
                            f"vehicle pack holds at most {most:g} kWh (data/factors/limits.toml)")
        if heavy[i]:
            problems.append(f"candidate[{i}].pack: the pack weighs {mass[i]:,.0f} kg, more than the "
                            f"whole vehicle as tested ({test_mass[i]:,.0f} kg, vehicle.test_mass_kg)")
    return problems
